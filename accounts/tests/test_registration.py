import pytest
from django.contrib.auth import get_user_model

from accounts.models import Action, Profile
from accounts.services import EmailTaken, user_register

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/account/register/"


def form(**overrides):
    data = {
        "username": "zoe",
        "first_name": "Zoe",
        "last_name": "Zimmer",
        "email": "zoe@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_registration_creates_member_profile_action_and_logs_in(client):
    response = client.post(URL, form(), follow=True)
    user = get_user_model().objects.get(username="zoe")
    assert response.redirect_chain[-1][0] == "/account/"
    assert response.context["user"] == user
    assert Profile.objects.filter(user=user).exists()
    assert Action.objects.filter(user=user, verb="has created an account").count() == 1
    assert "your account has been created" in response.content.decode()
    assert user.check_password(PASSWORD)
    assert user.first_name == "Zoe"


def test_the_form_has_labelled_fields(client):
    html = client.get(URL).content.decode()
    for name in ("username", "first_name", "last_name", "email", "password1"):
        assert f'for="id_{name}"' in html


def test_email_already_used_in_another_case_is_refused(client):
    UserFactory(username="ann", email="ann@example.com")
    response = client.post(URL, form(email="ANN@Example.COM"))
    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in (
        response.content.decode()
    )
    assert not get_user_model().objects.filter(username="zoe").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-42"}, "didn’t match"),
        ({"password1": "12345678", "password2": "12345678"}, "too common"),
        ({"username": "zoe@example.com"}, "cannot contain “@”"),
        ({"username": "Follow"}, "not available"),
        ({"email": "not-an-address"}, "valid email"),
        ({"email": ""}, "This field is required"),
    ],
)
def test_bad_input_gets_a_form_error(client, overrides, message):
    response = client.post(URL, form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(email="zoe@example.com").exists()


def test_username_taken_in_another_case_is_refused(client):
    UserFactory(username="Zoe", email="z1@example.com")
    response = client.post(URL, form(username="zoe"))
    assert "already exists" in response.content.decode()
    assert get_user_model().objects.filter(username__iexact="zoe").count() == 1


def test_logged_in_members_are_sent_to_their_dashboard(client, member):
    client.force_login(member)
    assert client.get(URL).url == "/account/"


def test_createsuperuser_gets_a_profile(db):
    from django.core.management import call_command

    call_command(
        "createsuperuser",
        interactive=False,
        username="root",
        email="root@example.com",
        verbosity=0,
    )
    assert get_user_model().objects.get(username="root").profile.pk


def test_the_service_rechecks_the_email_under_a_lock():
    # What a second, concurrent registration meets after the form said "free".
    UserFactory(username="ann", email="ann@example.com")
    with pytest.raises(EmailTaken):
        user_register(username="ann2", email="Ann@Example.com", password=PASSWORD)
    assert get_user_model().objects.count() == 1
