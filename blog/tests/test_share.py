"""Share a post by e-mail: form checks, rate limit, and the real Celery worker."""

import time

import pytest
from django.core import mail

from .factories import BlogPageFactory


def share_data(**overrides):
    data = {
        "form": "share",
        "share-name": "Ada",
        "share-email": "ada@example.com",
        "share-to": "friend@example.com",
        "share-comments": "You will like this.",
    }
    data.update(overrides)
    return data


def wait_for_mail(count=1, timeout=15):
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return mail.outbox


def test_share_mail_is_sent_by_the_celery_worker(client, celery_worker):
    from core.demo import site_root_page

    from .factories import BlogIndexPageFactory

    index = BlogIndexPageFactory(parent=site_root_page())
    post = BlogPageFactory(parent=index, title="Worth reading")
    mail.outbox.clear()
    response = client.post(post.url, share_data(), follow=True)
    assert "on its way to friend@example.com" in response.content.decode()
    outbox = wait_for_mail()
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["friend@example.com"]
    assert message.reply_to == ["ada@example.com"]
    assert message.subject == "Ada recommends you read “Worth reading”"
    assert f"http://localhost{post.url}" in message.body
    assert "You will like this." in message.body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("share-to", "not-an-address", "Enter a valid email address."),
        ("share-email", "", "This field is required."),
        ("share-to", "friend@example.com\nBcc: all@example.com", "valid email"),
        ("share-name", "Ada\r\nBcc: all@example.com", "without line breaks"),
        ("share-comments", "x" * 2001, "at most 2000 characters"),
        ("share-name", "A" * 81, "at most 80 characters"),
    ],
)
def test_bad_share_input_gives_form_errors_and_sends_nothing(
    client, blog_index, field, value, error
):
    post = BlogPageFactory(parent=blog_index)
    mail.outbox.clear()
    response = client.post(post.url, share_data(**{field: value}))
    assert response.status_code == 200
    assert response.context["share_form"].errors
    assert error in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_sharing_is_rate_limited_per_client(client, blog_index, settings):
    settings.BLOG_RATE_LIMITS = {**settings.BLOG_RATE_LIMITS, "share": (1, 3600)}
    post = BlogPageFactory(parent=blog_index)
    assert client.post(post.url, share_data()).status_code == 302
    blocked = client.post(post.url, share_data())
    assert blocked.status_code == 200
    assert "Please wait a while" in blocked.content.decode()
