import pytest
from django.contrib.auth.models import Group

from accounts.models import Action, Contact
from accounts.services import action_create

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_dashboard_shows_followed_members_actions_only(client, member, other):
    stranger = UserFactory(username="stranger")
    Contact.objects.create(user_from=member, user_to=other)
    action_create(user=other, verb="is following", target=stranger)
    action_create(user=stranger, verb="has created an account")
    action_create(user=member, verb="has created an account")
    client.force_login(member)
    response = client.get("/account/")
    actions = response.context["actions"]
    assert [(a.user.username, a.verb) for a in actions] == [("bob", "is following")]
    html = response.content.decode()
    assert '<a href="/people/bob/">' in html
    assert f'<a href="/people/stranger/">{stranger.get_full_name()}</a>' in html


def test_dashboard_shows_own_actions_when_following_nobody(client, member, other):
    action_create(user=member, verb="has created an account")
    action_create(user=other, verb="has created an account")
    client.force_login(member)
    actions = client.get("/account/").context["actions"]
    assert [a.user.username for a in actions] == ["ann"]


def test_targets_without_a_url_or_deleted_still_render(client, member, other):
    action_create(user=member, verb="updated", target=member.profile)
    action_create(user=member, verb="is following", target=other)
    other.delete()
    client.force_login(member)
    response = client.get("/account/")
    assert response.status_code == 200
    assert "Profile of ann" in response.content.decode()


def test_dashboard_shows_at_most_the_configured_number(client, settings, member):
    settings.ACCOUNTS_ACTIONS_ON_DASHBOARD = 5
    for index in range(8):
        Action.objects.create(user=member, verb=f"did thing {index}")
    client.force_login(member)
    actions = client.get("/account/").context["actions"]
    assert [a.verb for a in actions] == [f"did thing {i}" for i in range(7, 2, -1)]


@pytest.mark.parametrize("rows", [3, 30])
def test_dashboard_query_count_does_not_grow(
    client, django_assert_num_queries, member, rows
):
    followed = [UserFactory(username=f"f{i}") for i in range(rows)]
    for user in followed:
        Contact.objects.create(user_from=member, user_to=user)
        action_create(user=user, verb="is following", target=member)
        group = Group.objects.create(name=f"group of {user.username}")
        action_create(user=user, verb="joined", target=group)  # a second kind
    client.force_login(member)
    # user (the session is in Redis), follows anyone?, actions with their users and
    # profiles, one query per kind of target (users, groups). The Wagtail user bar
    # costs nothing: whether it shows was decided at login (core.templatetags).
    with django_assert_num_queries(5):
        response = client.get("/account/")
    assert len(response.context["actions"]) == min(2 * rows, 20)
