"""Google sign-in through social-auth's real views and our pipeline."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from social_core.backends.utils import load_backends
from social_django.models import UserSocialAuth

from accounts.models import Action, Profile

from .factories import UserFactory
from .fake_google import CLIENT_ID, CLIENT_SECRET, FakeGoogle

pytestmark = pytest.mark.django_db

BEGIN = "/account/social/login/google-oauth2/"
COMPLETE = "/account/social/complete/google-oauth2/"
FAKE_BACKEND = "accounts.tests.fake_google.FakeGoogleOAuth2"


@pytest.fixture
def google(settings):
    real_backends = list(settings.AUTHENTICATION_BACKENDS)
    fake = FakeGoogle().start()
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = CLIENT_ID
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = CLIENT_SECRET
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_ACCESS_TOKEN_URL = f"{fake.url}/token"
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_USERINFO_URL = f"{fake.url}/userinfo"
    settings.AUTHENTICATION_BACKENDS = [
        FAKE_BACKEND if path.endswith(".GoogleOAuth2") else path
        for path in real_backends
    ]
    load_backends(settings.AUTHENTICATION_BACKENDS, force_load=True)
    yield fake
    fake.stop()
    load_backends(real_backends, force_load=True)


def start(client) -> str:
    """Follow the "Log in with Google" link; return the state kept in the session."""
    response = client.post(BEGIN)
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.netloc == "accounts.google.com"
    query = parse_qs(target.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"http://testserver{COMPLETE}"]
    # social-auth 8 keeps one entry per sign-in attempt, keyed by its state.
    stored = [
        value["state"]
        for key, value in client.session.items()
        if key.startswith("google-oauth2_oauth2_state_")
    ]
    assert len(stored) == 1
    state = stored[0]
    assert query["state"] == [state]
    return state


def sign_in(client, google, **profile):
    state = start(client)
    code = google.issue_code(**profile)
    return client.get(COMPLETE, {"code": code, "state": state})


GOOGLE_ZOE = {
    "sub": "1098765432101234567890",
    "email": "zoe.zimmer@gmail.com",
    "name": "Zoe Zimmer",
    "given_name": "Zoe",
    "family_name": "Zimmer",
}


def test_first_google_sign_in_creates_a_member_with_a_profile(client, google):
    response = sign_in(client, google, **GOOGLE_ZOE)
    assert response.status_code == 302
    assert response.url == "/account/"

    user = get_user_model().objects.get(email="zoe.zimmer@gmail.com")
    assert (user.username, user.first_name, user.last_name) == (
        "zoe.zimmer",
        "Zoe",
        "Zimmer",
    )
    assert not user.has_usable_password()
    assert Profile.objects.filter(user=user).exists()
    social = UserSocialAuth.objects.get(user=user)
    assert (social.provider, social.uid) == ("google-oauth2", GOOGLE_ZOE["sub"])
    assert Action.objects.filter(user=user, verb="has created an account").exists()
    assert client.session["_auth_user_id"] == str(user.pk)
    dashboard = client.get("/account/")  # the session holds
    assert dashboard.status_code == 200
    assert "Welcome, Zoe: your account has been created." in dashboard.content.decode()
    assert google.token_requests[0]["redirect_uri"] == f"http://testserver{COMPLETE}"


def test_second_sign_in_logs_the_same_member_in(client, google):
    sign_in(client, google, **GOOGLE_ZOE)
    client.post("/account/logout/")
    sign_in(client, google, **{**GOOGLE_ZOE, "email": "new-address@gmail.com"})
    user = get_user_model().objects.get()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.email == "zoe.zimmer@gmail.com"  # e-mail is never rewritten by Google


def test_existing_email_is_not_associated_automatically(client, google):
    ann = UserFactory(username="ann", email="ann@example.com")
    response = sign_in(
        client, google, sub="111", email="ANN@example.com", given_name="Mallory"
    )
    assert response.status_code == 302
    assert response.url == "/account/login/"
    assert "_auth_user_id" not in client.session
    assert list(get_user_model().objects.all()) == [ann]
    assert not UserSocialAuth.objects.exists()
    page = client.get(response.url).content.decode()
    assert "An account with this e-mail address already exists." in page
    ann.refresh_from_db()
    assert ann.first_name != "Mallory"


def test_a_logged_in_member_can_connect_google_on_purpose(client, google):
    ann = UserFactory(username="ann", email="ann@example.com")
    client.force_login(ann)
    sign_in(client, google, sub="222", email="ann@example.com")
    assert UserSocialAuth.objects.get().user == ann
    client.post("/account/logout/")
    sign_in(client, google, sub="222", email="ann@example.com")
    assert client.session["_auth_user_id"] == str(ann.pk)
    assert "Connected to Google." in client.get("/account/edit/").content.decode()


def test_a_forged_state_is_refused_with_a_message(client, google):
    start(client)
    code = google.issue_code(**GOOGLE_ZOE)
    response = client.get(COMPLETE, {"code": code, "state": "forged"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/account/login/"
    assert "Please restart login." in response.content.decode()
    assert not get_user_model().objects.exists()


def test_an_unverified_google_email_is_refused(client, google):
    state = start(client)
    code = google.issue_code(**{**GOOGLE_ZOE, "email_verified": False})
    response = client.get(COMPLETE, {"code": code, "state": state})
    assert response.status_code == 302
    assert response.url == "/account/login/"
    assert not get_user_model().objects.exists()


def test_a_code_google_rejects_is_not_a_server_error(client, google):
    state = start(client)
    response = client.get(COMPLETE, {"code": "made-up", "state": state}, follow=True)
    assert response.redirect_chain[-1][0] == "/account/login/"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not get_user_model().objects.exists()
    assert "_auth_user_id" not in client.session


def test_begin_without_configuration_is_not_a_server_error(client, settings):
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = ""
    assert client.post("/account/social/login/unknown-provider/").status_code == 404


def test_begin_is_post_only_against_login_csrf(client, google):
    assert client.get(BEGIN).status_code == 405
