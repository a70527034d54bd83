"""Readers' pages: index, tag archive, feeds, post page, drafts and privacy."""

import datetime
import xml.etree.ElementTree as ET  # parses our own feeds only

import pytest
from wagtail.models import PageViewRestriction

from blog.models import BlogPage

from .factories import BlogPageFactory, CommentFactory

pytestmark = pytest.mark.django_db


def make_posts(blog_index, count, **kwargs):
    today = datetime.date(2026, 1, 31)
    return [
        BlogPageFactory(
            parent=blog_index, date=today - datetime.timedelta(days=i), **kwargs
        )
        for i in range(count)
    ]


def test_index_lists_posts_newest_first_ten_a_page(client, blog_index):
    posts = make_posts(blog_index, 12)
    response = client.get("/blog/")
    assert response.status_code == 200
    listed = list(response.context["posts"])
    assert listed == posts[:10]
    assert 'rel="next"' in response.content.decode()
    second = client.get("/blog/?page=2")
    assert list(second.context["posts"]) == posts[10:]


@pytest.mark.parametrize(
    ("page", "expected_number"),
    [("999", 2), ("abc", 1), ("-1", 2), ("0", 2), ("1.5", 1), ("", 1)],
)
def test_bad_page_numbers_show_first_or_last_page(
    client, blog_index, page, expected_number
):
    make_posts(blog_index, 12)
    response = client.get("/blog/", {"page": page})
    assert response.status_code == 200
    assert response.context["posts"].number == expected_number


def test_draft_is_not_listed_and_its_url_is_404(client, blog_index):
    live = BlogPageFactory(parent=blog_index, title="Visible post", tags=["news"])
    draft = BlogPageFactory(
        parent=blog_index, title="Secret draft", live=False, tags=["news"]
    )
    assert client.get(draft.url or f"/blog/{draft.slug}/").status_code == 404
    for url in ["/blog/", "/blog/tag/news/", "/blog/feed/", "/blog/feed/atom/", "/"]:
        html = client.get(url).content.decode()
        assert "Visible post" in html, url
        assert "Secret draft" not in html, url
    assert draft not in live.similar_posts()


def test_private_post_is_hidden_from_lists(client, blog_index):
    BlogPageFactory(parent=blog_index, title="Public post")
    private = BlogPageFactory(parent=blog_index, title="Members post")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    html = client.get("/blog/").content.decode()
    assert "Public post" in html and "Members post" not in html
    assert client.get(private.url).status_code == 302  # to the login page


def test_tag_page_lists_only_posts_with_that_tag(client, blog_index):
    django_post = BlogPageFactory(parent=blog_index, tags=["django"])
    BlogPageFactory(parent=blog_index, tags=["cats"])
    response = client.get("/blog/tag/django/")
    assert response.status_code == 200
    assert list(response.context["posts"]) == [django_post]
    assert "Posts tagged “django”" in response.content.decode()


def test_unknown_tag_is_404(client, blog_index):
    BlogPageFactory(parent=blog_index, tags=["django"])
    assert client.get("/blog/tag/nope/").status_code == 404


def test_rss_and_atom_feeds_list_latest_posts(client, blog_index):
    make_posts(blog_index, 3, tags=["django"])
    rss = client.get("/blog/feed/")
    assert rss.status_code == 200
    assert rss["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(rss.content).findall("./channel/item")  # noqa: S314
    assert len(items) == 3
    assert items[0].find("link").text.startswith("http://")
    assert items[0].find("category").text == "django"
    atom = client.get("/blog/feed/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    atom_ns = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(atom.content).findall(f"{atom_ns}entry")  # noqa: S314
    assert len(entries) == 3


def test_post_page_shows_byline_tags_body_and_approved_comments(client, blog_index):
    post = BlogPageFactory(
        parent=blog_index,
        title="Hello world",
        tags=["django", "wagtail"],
        author__first_name="Ada",
        author__last_name="Lovelace",
        body=[
            ("markdown", "Some **bold** words"),
            ("quote", {"text": "To be.", "attribution": "Someone"}),
            ("code", {"language": "python", "code": "x = 1 < 2"}),
        ],
    )
    CommentFactory(post=post, body="Approved remark", active=True)
    CommentFactory(post=post, body="Hidden remark", active=False)
    html = client.get(post.url).content.decode()
    assert "<h1>Hello world</h1>" in html
    assert "by Ada Lovelace" in html
    assert 'href="/blog/tag/django/"' in html and 'href="/blog/tag/wagtail/"' in html
    assert "<strong>bold</strong>" in html
    assert "<blockquote><p>To be.</p></blockquote>" in html
    assert "x = 1 &lt; 2" in html
    assert "Approved remark" in html and "Hidden remark" not in html
    assert 'name="comment-name"' in html and 'name="share-to"' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
    ],
)
def test_markdown_xss_never_reaches_the_page(client, blog_index, payload):
    post = BlogPageFactory(
        parent=blog_index, body=[("markdown", f"Hello\n\n{payload}\n\n**ok**")]
    )
    html = client.get(post.url).content.decode()
    body = html.split('class="post-body"')[1].split("</div>")[0]
    assert "<strong>ok</strong>" in body
    for bad in ("<script", "onerror", "javascript:", "onclick", "<iframe"):
        assert bad not in body.lower()


def test_similar_posts_rank_by_shared_tags_in_one_query(
    blog_index, django_assert_num_queries
):
    post = BlogPageFactory(parent=blog_index, tags=["a", "b", "c"])
    three = BlogPageFactory(parent=blog_index, title="Three", tags=["a", "b", "c"])
    two = BlogPageFactory(parent=blog_index, title="Two", tags=["a", "b"])
    one_old = BlogPageFactory(
        parent=blog_index, tags=["c"], date=datetime.date(2020, 1, 1)
    )
    one_new = BlogPageFactory(parent=blog_index, tags=["a"])
    BlogPageFactory(parent=blog_index, title="Unrelated", tags=["z"])
    BlogPageFactory(parent=blog_index, title="Draft", tags=["a", "b", "c"], live=False)
    with django_assert_num_queries(1):
        similar = post.similar_posts()
    assert similar == [three, two, one_new, one_old]


def test_an_unsaved_post_renders_for_the_admin_preview(rf, blog_index):
    post = BlogPage(title="Preview me", slug="preview-me", intro="Intro")
    post.tags.add("django")
    response = post.serve_preview(rf.get("/"), "")
    assert response.status_code == 200
    assert "Preview me" in response.rendered_content
