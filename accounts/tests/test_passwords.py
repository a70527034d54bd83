import re
import time

import pytest
from django.core import mail

from accounts.services import password_reset_mail_send

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-Long-secret-77"


def test_password_change_needs_the_old_one_and_is_confirmed(client, member):
    client.force_login(member)
    url = "/account/password-change/"
    response = client.post(
        url,
        {
            "old_password": "wrong",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/account/password-change/done/"
    assert "Your password has been changed." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert client.session.get("_auth_user_id") == str(member.pk)  # still logged in


def test_password_change_needs_login(client):
    assert client.get("/account/password-change/").url.startswith("/account/login/")


def wait_for_mail(count: int, seconds: float = 30) -> None:
    """The Celery worker thread sends it; wait until it has (not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_reset_mail_is_delivered_and_its_link_sets_a_new_password(
    celery_worker, client, member
):
    response = client.post("/account/password-reset/", {"email": "ann@EXAMPLE.com"})
    assert response.url == "/account/password-reset/done/"
    wait_for_mail(1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ann@Example.com"]
    assert "Reset your password" in message.subject
    assert message.alternatives  # an HTML part as well
    link = re.search(r"http://testserver(/account/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)  # Django swaps the token for a session
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/account/reset/done/"

    response = client.post(
        "/account/login/", {"username": "ann@example.com", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member.pk)

    # The link works once.
    client.logout()
    assert client.get(link, follow=True).context["validlink"] is False


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, member):
    response = client.post("/account/password-reset/", {"email": "nobody@example.com"})
    assert response.url == "/account/password-reset/done/"
    assert mail.outbox == []


def test_a_forged_reset_link_is_refused_politely(client, member):
    response = client.get("/account/reset/MQ/forged-token/", follow=True)
    assert response.status_code == 200
    assert "This link has expired" in response.content.decode()


def test_no_reset_mail_for_inactive_members_or_unusable_passwords(member, other):
    member.is_active = False
    member.save()
    other.set_unusable_password()
    other.save()
    for user in (member, other):
        assert not password_reset_mail_send(
            user_id=user.pk, domain="testserver", use_https=True
        )
    assert mail.outbox == []


def test_reset_mail_subject_is_one_line_and_links_use_https_when_asked(member):
    assert password_reset_mail_send(
        user_id=member.pk, domain="example.com", use_https=True
    )
    message = mail.outbox[0]
    assert "\n" not in message.subject
    assert "https://example.com/account/reset/" in message.body
