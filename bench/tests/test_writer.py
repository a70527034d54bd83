"""The writer of the "writes during reads" scenario: what it sends, in which order, how
it reads the answers, and — against a live server — that each write really changes
what it should and that it leaves likes and follows as it found them."""

import json

import pytest

from bench.inprocess import bench_client
from bench.targets import Target
from bench.writer import (
    COMMENT_EMAIL_DOMAIN,
    SOCIAL_CYCLE,
    Browser,
    Plan,
    Session,
    SocialWriter,
    Writers,
    cart_add,
    checkout,
    comment,
    follow,
    like,
    social_write,
)

WRITER = SocialWriter(
    session=Session("bench-member-3", {"sessionid": "s", "csrftoken": "t"}),
    bookmark_ids=[11, 12],
    member_ids=[21],
)


def test_a_member_writer_likes_follows_comments_then_undoes_on_the_next_target():
    posts = ["/blog/a/", "/blog/b/"]

    writes = [social_write(WRITER, n, posts) for n in range(10)]

    assert [w.kind for w in writes] == list(SOCIAL_CYCLE) * 2
    assert [w.fields.get("id") for w in writes] == [
        "11", "21", None, "11", "21",
        "12", "21", None, "12", "21",
    ]  # fmt: skip
    assert [w.path for w in writes if w.kind == "comment"] == posts
    assert writes[0].fields == {"id": "11", "action": "like"}
    assert writes[3].fields == {"id": "11", "action": "unlike"}
    assert writes[4].fields == {"id": "21", "action": "unfollow"}
    assert writes[2].fields["comment-email"] == f"bench-member-3@{COMMENT_EMAIL_DOMAIN}"
    assert writes[2].fields["comment-website"] == ""  # the honeypot stays empty


def test_writes_send_what_the_sites_pages_send():
    assert like(5).path == "/gallery/like/"
    assert follow(5).headers["X-Requested-With"] == "XMLHttpRequest"
    assert follow(5).headers["Accept"] == "application/json"
    assert cart_add(7).path == "/cart/add/7/"
    assert cart_add(7).fields == {"quantity": "1"}
    first, second = (checkout(username="b", number=n) for n in (1, 2))
    assert first.path == "/orders/create/"
    assert first.fields["token"] != second.fields["token"]  # one order per submit

    browser = Browser("http://127.0.0.1:1", WRITER.session, host="127.0.0.1")
    headers = browser.request_headers(follow(5))
    assert headers["X-CSRFToken"] == "t"
    assert headers["Cookie"] == "sessionid=s; csrftoken=t"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_answers_are_checked_by_status_location_and_json():
    assert like(1).check(200, None, b'{"status": "ok", "likes": 3}') is None
    assert "HTTP 401" in like(1).check(401, None, b'{"status": "error"}')
    assert like(1).check(200, None, b"<html>") == "like: b'<html>'"
    post = comment("/blog/a/", username="m", number=1)
    assert post.check(302, "/blog/a/#comments", b"") is None
    # A form error re-renders the page (200): not a stored comment.
    assert post.check(200, None, b"<form>") == "comment: HTTP 200 (expected 302)"
    buy = checkout(username="b", number=1)
    assert buy.check(302, "/payment/process/", b"") is None
    assert buy.check(302, "/cart/", b"") == "checkout: redirected to '/cart/'"


def test_browser_keeps_cookies_but_drops_messages_and_deleted_ones():
    browser = Browser("http://127.0.0.1:1", WRITER.session, host="127.0.0.1")

    browser.remember(
        [
            "sessionid=new; HttpOnly; Path=/",
            'messages="abc:def"; HttpOnly; Path=/',
            'csrftoken=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
        ]
    )

    assert browser.cookies == {"sessionid": "new"}


def test_plan_survives_json():
    plan = Plan(
        base_url="http://127.0.0.1:8000",
        social=[WRITER],
        buyers=[Session("bench-member-9", {"csrftoken": "x"})],
        post_paths=["/blog/a/"],
        product_ids=[1, 2],
        writes_per_s=2.5,
    )

    assert Plan.from_json(plan.to_json()) == plan
    assert json.loads(plan.to_json())["buyers"][0]["username"] == "bench-member-9"


def test_the_schedule_says_how_many_writes_a_run_called_for():
    plan = Plan(
        base_url="http://127.0.0.1:1",
        social=[WRITER] * 10,
        buyers=[WRITER.session] * 2,
        post_paths=["/blog/a/"],
        product_ids=[1],
    )

    # 10 members one write every 2 s, staggered by 0.2 s; 2 buyers every 2 s, by 1 s.
    assert Writers(plan).scheduled(3.0) == (16, 3)
    assert Writers(plan).scheduled(10.0) == (51, 10)
    assert Writers(plan, limit=1).scheduled(10.0) == (10, 2)
    assert Writers(plan).scheduled(0.0) == (1, 0)


# --- against a live server --------------------------------------------------------


@pytest.fixture
def site(live_server, celery_worker, settings):
    """A member who writes, one to follow, a bookmark, a post and a product; the
    checkout's mail task runs in the suite's worker. The cap on unpaid orders per
    client is lifted as `bench_environment` lifts it for the run."""
    settings.ORDERS_MAX_PENDING_PER_CLIENT = 1_000_000
    from blog.models import BlogIndexPage
    from blog.tests.factories import BlogIndexPageFactory, BlogPageFactory
    from gallery.tests.factories import BookmarkFactory, UserFactory
    from home.models import HomePage
    from shop.tests.factories import ProductFactory

    index = BlogIndexPage.objects.first() or BlogIndexPageFactory(
        parent=HomePage.objects.get()
    )
    post = BlogPageFactory(parent=index)
    writer = UserFactory(username="bench-writer-member")
    other = UserFactory(username="bench-followed-member")
    buyer = UserFactory(username="bench-buyer")
    bookmark = BookmarkFactory(owner=other)
    product = ProductFactory(stock=100)

    def session(user) -> Session:
        visitor = Target(name=user.username, path="/", login=user.username, csrf=True)
        client = bench_client(visitor)
        return Session(user.username, {k: m.value for k, m in client.cookies.items()})

    plan = Plan(
        base_url=live_server.url,
        social=[
            SocialWriter(
                session=session(writer),
                bookmark_ids=[bookmark.pk],
                member_ids=[other.pk],
            )
        ],
        buyers=[session(buyer)],
        post_paths=[post.url],
        product_ids=[product.pk],
        # Fast, so the test waits for nothing; `limit` ends each writer.
        writes_per_s=100,
        checkouts_per_s=100,
    )
    return plan, writer, bookmark, other, post, product


def run(plan, *, limit: int):
    writers = Writers(plan, limit=limit)
    writers.start()
    writers.join()
    return writers.stop()


def test_each_write_reaches_the_site_and_changes_what_it_should(site):
    from accounts.models import Contact
    from blog.models import Comment
    from orders.models import Order

    plan, writer, bookmark, other, post, product = site

    figures = run(plan, limit=len(SOCIAL_CYCLE))

    assert figures.error_samples == []
    assert figures.errors == 0
    assert figures.writes == 5
    assert figures.checkouts == 5
    assert (figures.scheduled_writes, figures.scheduled_checkouts) == (5, 5)
    assert {kind: v["ok"] for kind, v in figures.by_kind.items()} == {
        "like": 1,
        "unlike": 1,
        "follow": 1,
        "unfollow": 1,
        "comment": 1,
        "cart-add": 5,
        "checkout": 5,
    }
    # The comment was stored, waiting for moderation.
    (stored,) = Comment.objects.filter(post=post)
    assert stored.email == f"{writer.username}@{COMMENT_EMAIL_DOMAIN}"
    assert stored.active is False
    # Five checkouts: five orders, the stock reserved.
    orders = Order.objects.filter(email__endswith=f"@{COMMENT_EMAIL_DOMAIN}")
    assert orders.count() == 5
    product.refresh_from_db()
    assert product.stock == 95
    # Liked then unliked, followed then unfollowed: as before.
    bookmark.refresh_from_db()
    assert not bookmark.users_like.filter(pk=writer.pk).exists()
    assert bookmark.total_likes == 0
    assert not Contact.objects.filter(user_from=writer, user_to=other).exists()


def test_a_stopped_writer_undoes_its_like_and_follow(site):
    from accounts.models import Contact

    plan, writer, bookmark, other, *_ = site

    figures = run(plan, limit=2)  # like, follow — then stopped

    assert figures.errors == 0
    assert figures.by_kind["like"]["ok"] == 1
    assert figures.by_kind["follow"]["ok"] == 1
    assert "unlike" not in figures.by_kind  # undone as cleanup, outside the figures
    assert figures.cleanup_errors == 0
    assert not bookmark.users_like.filter(pk=writer.pk).exists()
    assert not Contact.objects.filter(user_from=writer, user_to=other).exists()


@pytest.mark.django_db
def test_the_plan_never_buys_a_sold_out_product():
    """The checkout race leaves its product at stock 0 and it is the newest one (a
    featured product): the buyers must not pick it, or every add-to-cart fails."""
    from io import StringIO

    from django.core.management import call_command

    from bench.writer import build_plan
    from gallery import counters
    from shop.bench_seed import bench_products
    from shop.models import Product

    # Enough members that one is not following every candidate already.
    call_command("seed_bench", "--scale", "0.05", stdout=StringIO())
    try:
        template = bench_products().order_by("pk").first()
        sold_out = Product.objects.create(
            category_id=template.category_id,
            name="Sold out",
            slug="bench-race-product",
            price=template.price,
            stock=0,
            available=True,
        )

        plan = build_plan("http://127.0.0.1:1", writers=1, buyers=1)

        assert plan.product_ids
        assert sold_out.pk not in plan.product_ids
        assert not Product.objects.filter(pk__in=plan.product_ids, stock=0).exists()
    finally:
        counters.clear()
