"""Readers post comments; editors moderate them in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

from blog.models import Comment

from .factories import BlogPageFactory, CommentFactory

pytestmark = pytest.mark.django_db


def comment_data(**overrides):
    data = {
        "form": "comment",
        "comment-name": "Ada",
        "comment-email": "ada@example.com",
        "comment-body": "Great post!",
        "comment-website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def post(blog_index):
    return BlogPageFactory(parent=blog_index, title="Commented post")


def test_premoderated_comment_waits_for_approval(client, post, settings):
    settings.BLOG_COMMENTS_PREMODERATED = True
    response = client.post(post.url, comment_data(), follow=True)
    comment = Comment.objects.get()
    assert (comment.post, comment.name, comment.active) == (post, "Ada", False)
    assert "awaiting moderation" in response.content.decode()
    assert "Great post!" not in response.content.decode().split('id="comments"')[1]


def test_comment_appears_at_once_without_premoderation(client, post, settings):
    settings.BLOG_COMMENTS_PREMODERATED = False
    response = client.post(post.url, comment_data(), follow=True)
    assert Comment.objects.get().active is True
    html = response.content.decode()
    assert "your comment is published" in html
    assert "Great post!" in html.split('id="comments"')[1]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("comment-email", "not-an-email", "Enter a valid email address."),
        ("comment-name", "", "This field is required."),
        ("comment-body", "x" * 3001, "at most 3000 characters"),
        ("comment-name", "Eve\r\nBcc: x@example.com", "without line breaks"),
    ],
)
def test_invalid_comment_shows_errors_inline_and_saves_nothing(
    client, post, field, value, error
):
    response = client.post(post.url, comment_data(**{field: value}))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert response.context["comment_form"].errors
    assert not Comment.objects.exists()


def test_honeypot_filled_stores_nothing_but_looks_fine(client, post):
    response = client.post(
        post.url, comment_data(**{"comment-website": "spam.example"})
    )
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_comments_are_rate_limited_per_client(client, post, settings):
    settings.BLOG_RATE_LIMITS = {**settings.BLOG_RATE_LIMITS, "comment": (2, 600)}
    for _ in range(2):
        assert client.post(post.url, comment_data()).status_code == 302
    blocked = client.post(post.url, comment_data())
    assert blocked.status_code == 200
    assert "Please wait a few minutes" in blocked.content.decode()
    assert Comment.objects.count() == 2
    # Another client (another address) is not affected.
    other = client.post(post.url, comment_data(), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302
    assert Comment.objects.count() == 3


def test_a_page_shown_again_with_errors_is_never_served_from_the_page_cache(
    post, settings
):
    """The post page re-rendered for a rejected comment is a 200 HTML answer to a
    POST: the page cache must pass it by, never store it for the next visitor."""
    settings.PAGE_CACHE_ENABLED = True
    for _ in range(2):  # the first visit may only start the cache's generation
        Client().get(post.url)
    assert Client().get(post.url)["X-Page-Cache"] == "hit"
    rejected = Client().post(post.url, comment_data(**{"comment-name": ""}))
    assert rejected.status_code == 200
    assert "This field is required." in rejected.content.decode()
    assert not rejected.has_header("X-Page-Cache")
    shown = Client().get(post.url)
    assert shown["X-Page-Cache"] == "hit"
    assert "This field is required." not in shown.content.decode()


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser(
        "editor", "editor@example.com", "pw-123456!"
    )
    client.force_login(user)
    return client


def test_editors_list_and_filter_comments_by_post_and_state(editor_client, post):
    other = BlogPageFactory(parent=post.get_parent(), title="Other post")
    CommentFactory(post=post, body="pending on first", active=False)
    CommentFactory(post=post, body="approved on first", active=True)
    CommentFactory(post=other, body="pending on other", active=False)
    url = "/admin/snippets/blog/comment/"
    html = editor_client.get(url).content.decode()
    assert "pending on first" in html and "pending on other" in html
    # The listing offers the bulk moderation actions.
    assert "/admin/bulk/blog/comment/approve/" in html
    assert "/admin/bulk/blog/comment/hide/" in html
    filtered = editor_client.get(url, {"post": post.pk, "active": "false"})
    html = filtered.content.decode()
    assert "pending on first" in html
    assert "approved on first" not in html and "pending on other" not in html


def test_editors_approve_and_hide_comments_in_bulk(editor_client, post):
    pending = CommentFactory.create_batch(3, post=post, active=False)
    ids = "&".join(f"id={c.pk}" for c in pending[:2])
    url = f"/admin/bulk/blog/comment/approve/?{ids}&next=/admin/snippets/blog/comment/"
    confirm = editor_client.get(url)
    assert confirm.status_code == 200
    assert "Approve these 2 comments?" in confirm.content.decode()
    response = editor_client.post(url)
    assert response.status_code == 302
    assert [c.active for c in Comment.objects.order_by("pk")] == [True, True, False]
    messages = [str(m).strip() for m in get_messages(response.wsgi_request)]
    assert "2 comments approved." in messages

    hide_url = f"/admin/bulk/blog/comment/hide/?id={pending[0].pk}"
    editor_client.post(hide_url)
    assert [c.active for c in Comment.objects.order_by("pk")] == [False, True, False]


def test_bulk_actions_need_an_editor(client, post):
    comment = CommentFactory(post=post, active=False)
    response = client.post(f"/admin/bulk/blog/comment/approve/?id={comment.pk}")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    comment.refresh_from_db()
    assert comment.active is False


def test_editors_can_open_the_post_editor_and_the_comment_editor(editor_client, post):
    index = post.get_parent()
    add_url = f"/admin/pages/add/blog/blogpage/{index.pk}/"
    html = editor_client.get(add_url).content.decode()
    assert "Byline and tags" in html and 'name="intro"' in html
    assert editor_client.get(f"/admin/pages/{post.pk}/edit/").status_code == 200
    comment = CommentFactory(post=post)
    edit = editor_client.get(f"/admin/snippets/blog/comment/edit/{comment.pk}/")
    assert edit.status_code == 200
