import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts import demo
from accounts.models import Action, Contact

pytestmark = pytest.mark.django_db


def load():
    command = BaseCommand(stdout=io.StringIO())
    demo.load(command)
    return command.stdout.getvalue()


def test_demo_members_follow_each_other_and_reloading_duplicates_nothing(client):
    output = load()
    assert "5 demo members" in output
    counts = (
        get_user_model().objects.count(),
        Contact.objects.count(),
        Action.objects.count(),
    )
    assert counts == (5, 10, 15)
    Action.objects.update(created="2020-01-01T00:00:00Z")  # older than the dedupe
    load()
    assert (
        get_user_model().objects.count(),
        Contact.objects.count(),
        Action.objects.count(),
    ) == counts

    for username in ("ann", "bob", "chloe", "dev", "eva"):
        user = get_user_model().objects.get(username=username)
        assert user.email == f"{username}@example.com"
        assert user.profile.photo.name.endswith(".jpg")
        assert user.rel_to_set.count() == 2  # followers

    response = client.post(
        "/account/login/",
        {"username": "chloe@example.com", "password": "demo-pass-chloe"},
    )
    assert response.status_code == 302
    dashboard = client.get("/account/").content.decode()
    assert "is following" in dashboard


def test_demo_fills_in_members_another_app_created_bare(db):
    get_user_model().objects.create(username="dev")
    load()
    dev = get_user_model().objects.get(username="dev")
    assert dev.first_name == "Dev"
    # An existing account never gets the public demo password (issue 12, item 8).
    assert dev.password == "" and not dev.check_password("demo-pass-dev")
