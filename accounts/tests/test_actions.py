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
