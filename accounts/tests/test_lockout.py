"""django-axes refuses further logins after AXES_FAILURE_LIMIT failures."""

import pytest
from axes.models import AccessAttempt

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def fail_logins(client, url, count, username="ann"):
    return [
        client.post(url, {"username": username, "password": "wrong"})
        for _ in range(count)
    ]


def test_site_login_locks_after_the_limit_with_a_clear_message(client, member):
    responses = fail_logins(client, "/account/login/", 4)
    assert [r.status_code for r in responses] == [200] * 4
    locked = client.post("/account/login/", {"username": "ann", "password": "wrong"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "try again in 15 minutes" in locked.content.decode()
    # Even the right password is refused during the cool-off.
    again = client.post("/account/login/", {"username": "ann", "password": PASSWORD})
    assert again.status_code == 429
    assert client.session.get("_auth_user_id") is None


def test_username_and_email_spellings_share_one_counter(client, member):
    fail_logins(client, "/account/login/", 2, username="ann")
    fail_logins(client, "/account/login/", 3, username="ANN@example.com")
    locked = client.post(
        "/account/login/", {"username": "Ann@Example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().username == "ann"


def test_other_accounts_are_not_locked_by_someone_elses_failures(client, member):
    UserFactory(username="bob", email="bob@example.com")
    fail_logins(client, "/account/login/", 5)
    response = client.post("/account/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_a_success_before_the_limit_resets_the_count(client, member):
    fail_logins(client, "/account/login/", 4)
    client.post("/account/login/", {"username": "ann", "password": PASSWORD})
    client.logout()
    responses = fail_logins(client, "/account/login/", 4)
    assert {r.status_code for r in responses} == {200}


def test_wagtail_admin_login_locks_too(client):
    UserFactory(username="editor", email="ed@example.com", is_superuser=True)
    responses = fail_logins(client, "/admin/login/", 5, username="editor")
    assert [r.status_code for r in responses] == [200] * 4 + [429]
    locked = client.post(
        "/admin/login/", {"username": "editor", "password": PASSWORD}, follow=False
    )
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert client.session.get("_auth_user_id") is None
