import pytest
from django.contrib.auth import get_user_model

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/account/login/"


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_by_username(client, member):
    response = client.post(URL, {"username": "ann", "password": PASSWORD}, follow=True)
    assert logged_in_user_id(client) == str(member.pk)
    assert response.redirect_chain[-1][0] == "/account/"
    assert "Welcome back, Ann." in response.content.decode()


def test_login_by_email_in_another_case(client, member):
    # stored as Ann@Example.com
    client.post(URL, {"username": "aNN@example.COM", "password": PASSWORD})
    assert logged_in_user_id(client) == str(member.pk)


def test_wrong_password_is_a_form_error_not_a_login(client, member):
    response = client.post(URL, {"username": "ann@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username or e-mail and password" in (
        response.content.decode()
    )
    assert logged_in_user_id(client) is None


def test_an_email_shared_by_two_accounts_logs_nobody_in(client):
    # Cannot happen through our forms; can through the admin or old data.
    first = UserFactory(username="one", email="same@example.com")
    UserFactory(username="two", email="SAME@example.com")
    client.post(URL, {"username": "same@example.com", "password": PASSWORD})
    assert logged_in_user_id(client) is None
    client.post(URL, {"username": "one", "password": PASSWORD})  # username still works
    assert logged_in_user_id(client) == str(first.pk)


def test_inactive_members_cannot_log_in(client):
    UserFactory(username="gone", email="gone@example.com", is_active=False)
    client.post(URL, {"username": "gone@example.com", "password": PASSWORD})
    assert logged_in_user_id(client) is None


def test_next_is_followed_only_within_the_site(client, member):
    data = {"username": "ann", "password": PASSWORD}
    response = client.post(f"{URL}?next=/people/", data)
    assert response.url == "/people/"
    client.logout()
    response = client.post(f"{URL}?next=https://evil.example/", data)
    assert response.url == "/account/"


def test_logout_is_post_only_and_confirmed(client, member):
    client.force_login(member)
    assert client.get("/account/logout/").status_code == 405
    assert logged_in_user_id(client) == str(member.pk)
    response = client.post("/account/logout/", follow=True)
    assert logged_in_user_id(client) is None
    assert "You have been logged out." in response.content.decode()


def test_google_button_only_when_a_key_is_set(client, settings):
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = ""
    assert "Log in with Google" not in client.get(URL).content.decode()
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = "key"
    html = client.get(URL).content.decode()
    assert 'action="/account/social/login/google-oauth2/"' in html
    assert "Log in with Google" in html


def test_dashboard_needs_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.url == "/account/login/?next=/account/"
    assert get_user_model().objects.count() == 0


def test_a_username_that_is_someone_elses_email_logs_nobody_in(client):
    # Registration forbids "@" in usernames; the admin does not.
    UserFactory(username="carol@example.com", email="x@example.com")
    UserFactory(username="carol", email="carol@example.com")
    client.post(URL, {"username": "carol@example.com", "password": PASSWORD})
    assert logged_in_user_id(client) is None


def test_wagtail_admin_login_accepts_the_email_too(client):
    editor = UserFactory(username="editor", email="ed@example.com", is_superuser=True)
    response = client.post(
        "/admin/login/", {"username": "ED@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(editor.pk)
