import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Action, Profile
from accounts.services import action_create

pytestmark = pytest.mark.django_db


def test_every_new_user_gets_a_profile():
    user = get_user_model().objects.create_user("ann", "ann@example.com", "pw-12345!")
    assert Profile.objects.filter(user=user).exists()
    admin = get_user_model().objects.create_superuser("root", "r@example.com", "pw")
    assert admin.profile.pk


def test_same_action_within_a_minute_is_recorded_once():
    user = get_user_model().objects.create_user("ann", "ann@example.com", "pw-12345!")
    other = get_user_model().objects.create_user("bob", "bob@example.com", "pw-12345!")
    assert action_create(user=user, verb="is following", target=other)
    assert action_create(user=user, verb="is following", target=other) is None
    assert action_create(user=user, verb="has created an account")
    assert action_create(user=user, verb="has created an account") is None
    assert Action.objects.count() == 2
    Action.objects.update(created=timezone.now() - datetime.timedelta(seconds=61))
    assert action_create(user=user, verb="is following", target=other)
    assert Action.objects.count() == 3


def test_verbs_keep_the_wording_existing_rows_store():
    """Rows hold the verb's value, which the stream also shows: changing a value
    would orphan every row written before."""
    assert dict(Action.Verb.choices).keys() == {
        "has created an account",
        "is following",
        "bookmarked",
        "likes",
    }
    user = get_user_model().objects.create_user("ann", "ann@example.com", "pw-1234!")
    Action.objects.create(user=user, verb="bookmarked")  # a row from before the enum
    action = Action.objects.get(verb=Action.Verb.BOOKMARKED)
    assert action.verb == Action.Verb.BOOKMARKED
    assert action.get_verb_display() == "Bookmarked an image"
    assert str(action) == "ann bookmarked"
