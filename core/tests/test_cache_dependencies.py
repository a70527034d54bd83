"""Invalidation by dependency tags (issue 13 part 1): after each kind of write the
next anonymous request shows the change, and pages that do not show it stay cached."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.contrib.redirects.models import Redirect

from accounts.services import contact_follow
from blog.services import comment_create, comments_set_active
from blog.tests.factories import BlogIndexPageFactory, BlogPageFactory
from core.demo import site_root_page
from gallery.services import bookmark_like
from gallery.tests.factories import BookmarkFactory
from orders.tests.factories import CUSTOMER
from shop.services import product_stock_adjust
from shop.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def warm(*urls) -> None:
    """Make every url a cache hit."""
    for url in urls:
        Client().get(url)
        assert Client().get(url)["X-Page-Cache"] == "hit", url


def fresh(url) -> str:
    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss", url
    return response.content.decode()


def still_cached(*urls) -> None:
    for url in urls:
        assert Client().get(url)["X-Page-Cache"] == "hit", url


@pytest.fixture
def site():
    """A post, a product, a bookmark and a member: one page of each kind."""
    index = BlogIndexPageFactory(parent=site_root_page())
    users = get_user_model().objects
    data = {
        "index": index,
        "post": BlogPageFactory(parent=index, title="First post"),
        "other_post": BlogPageFactory(parent=index, title="Second post"),
        "product": ProductFactory(name="Teapot", stock=5),
        "other_product": ProductFactory(name="Kettle", stock=5),
        "bookmark": BookmarkFactory(title="A picture"),
        "other_bookmark": BookmarkFactory(title="Another picture"),
        "star": users.create_user("star"),
        "fan": users.create_user("fan"),
        "bystander": users.create_user("bystander"),
    }
    return data


def test_a_like_changes_only_that_bookmark(site):
    bookmark, other = site["bookmark"], site["other_bookmark"]
    url = bookmark.get_absolute_url()
    unrelated = [
        other.get_absolute_url(),
        "/shop/",
        site["product"].get_absolute_url(),
        site["post"].url,
        "/blog/",
        "/people/",
    ]
    warm(url, *unrelated)
    bookmark_like(bookmark=bookmark, user=site["fan"])
    assert f'data-like-count="{bookmark.pk}">1<' in fresh(url)
    # The gallery list shows its count, the home page ranks by likes.
    assert f'data-like-count="{bookmark.pk}">1<' in fresh("/gallery/")
    still_cached(*unrelated)


def test_a_pending_comment_invalidates_nothing(site, settings):
    settings.BLOG_COMMENTS_PREMODERATED = True
    post = site["post"]
    urls = [post.url, site["other_post"].url, "/blog/", "/", "/shop/"]
    warm(*urls)
    comment_create(post=post, name="Ada", email="ada@example.com", body="Pending")
    still_cached(*urls)


def test_an_approved_comment_shows_on_its_post_only(site, settings):
    settings.BLOG_COMMENTS_PREMODERATED = True
    post = site["post"]
    unrelated = ["/shop/", "/gallery/", site["product"].get_absolute_url(), "/"]
    warm(post.url, *unrelated)
    pending = comment_create(post=post, name="Ada", email="a@example.com", body="Yes")
    comments_set_active(comment_ids=[pending.pk], active=True)
    assert "Yes" in fresh(post.url)
    still_cached(*unrelated)


def test_a_checkout_changes_that_product_and_lists_only_when_it_sells_out(site):
    product, other = site["product"], site["other_product"]
    url = product.get_absolute_url()
    unrelated = [other.get_absolute_url(), site["post"].url, "/gallery/", "/blog/"]
    warm(url, "/shop/", "/", *unrelated)
    product_stock_adjust(product_id=product.pk, change=-4)  # 1 left: still in stock
    assert "In stock" in fresh(url)
    still_cached("/shop/", "/", *unrelated)
    shopper = Client()
    shopper.post(f"/cart/add/{product.id}/", {"quantity": 1})
    placed = shopper.post("/orders/create/", {**CUSTOMER, "token": str(uuid.uuid4())})
    assert placed.status_code == 302
    assert "Out of stock" in fresh(url)
    assert "Out of stock" in fresh("/shop/")  # the card shows the sold-out state
    fresh("/")  # the home page's shop section too
    still_cached(*unrelated)


def test_publishing_a_post_changes_the_post_lists_feeds_and_home(site):
    post = site["post"]
    lists = ["/blog/", "/blog/feed/", "/", site["other_post"].url]  # sidebar
    unrelated = ["/shop/", "/gallery/", site["product"].get_absolute_url()]
    warm(post.url, *lists, *unrelated)
    post.title = "Retitled post"
    post.save_revision().publish()
    for url in (post.url, *lists):
        assert "Retitled post" in fresh(url), url
    still_cached(*unrelated)


def test_unpublishing_a_post_changes_the_lists_and_not_the_shop(site):
    post = site["post"]
    unrelated = ["/shop/", "/gallery/", "/people/"]
    warm("/blog/", "/", *unrelated)
    post.unpublish()
    assert "First post" not in fresh("/blog/")
    assert "First post" not in fresh("/")
    still_cached(*unrelated)


def test_a_product_edit_changes_the_shop_and_not_the_blog(site):
    product = site["product"]
    url = product.get_absolute_url()
    unrelated = [site["post"].url, "/blog/", "/gallery/"]
    warm(url, "/shop/", *unrelated)
    product.name = "Green teapot"
    product.save()
    assert "Green teapot" in fresh(url)
    assert "Green teapot" in fresh("/shop/")
    still_cached(*unrelated)


def test_a_category_edit_changes_its_products_and_not_the_gallery(site):
    category = CategoryFactory(name="Teaware", slug="teaware")
    product = ProductFactory(name="Cup", category=category)
    url = product.get_absolute_url()
    unrelated = ["/gallery/", site["post"].url]
    warm(url, "/shop/", *unrelated)
    category.name = "Tableware"
    category.save()
    assert "Tableware" in fresh("/shop/")
    assert "Tableware" in fresh(url)
    still_cached(*unrelated)


def test_a_new_bookmark_changes_the_gallery_and_its_owner_page(site):
    owner = site["star"]
    unrelated = ["/shop/", site["post"].url, "/people/fan/"]
    warm("/gallery/", "/people/star/", *unrelated)
    BookmarkFactory(title="Fresh picture", owner=owner)
    assert "Fresh picture" in fresh("/gallery/")
    assert "Fresh picture" in fresh("/people/star/")
    still_cached(*unrelated)


def test_a_follow_changes_both_members_only(site):
    unrelated = ["/people/bystander/", "/shop/", "/gallery/", site["post"].url]
    warm("/people/star/", "/people/fan/", *unrelated)
    contact_follow(user_from=site["fan"], user_to=site["star"])
    assert "data-followers-count>1<" in fresh("/people/star/")
    assert re.search(r"<strong>1</strong> following", fresh("/people/fan/"))
    still_cached(*unrelated)


def test_an_unmapped_model_invalidates_everything(site):
    urls = ["/shop/", "/gallery/", site["post"].url]
    warm(*urls)
    Redirect.objects.create(old_path="/old", redirect_link="/shop/")
    for url in urls:
        fresh(url)


def test_a_new_post_shows_in_the_sitemap_and_the_shop_stays_cached(site):
    warm("/sitemap.xml", "/shop/")
    BlogPageFactory(parent=site["index"], title="Mapped", slug="mapped")
    assert "/blog/mapped/" in fresh("/sitemap.xml")
    still_cached("/shop/")
