"""The gallery's demo content is complete and idempotent."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from accounts.models import Action
from gallery import counters, demo
from gallery.models import Bookmark

pytestmark = pytest.mark.django_db


class _Command:
    def __init__(self):
        self.buffer = io.StringIO()
        self.stdout = OutputWrapper(self.buffer)
        self.style = no_style()


def _snapshot():
    return (
        Bookmark.objects.count(),
        Bookmark.users_like.through.objects.count(),
        Action.objects.count(),
        get_user_model().objects.count(),
    )


def test_demo_loads_members_bookmarks_likes_actions_and_views():
    command = _Command()
    demo.load(command)
    users = get_user_model().objects.filter(username__in=demo.MEMBERS)
    assert sorted(u.username for u in users) == sorted(demo.MEMBERS)
    ann = users.get(username="ann")
    assert ann.email == "ann@example.com"
    assert ann.check_password("demo-pass-ann")
    assert Bookmark.objects.count() >= 12
    for bookmark in Bookmark.objects.all():
        assert bookmark.image is not None
        assert bookmark.total_likes == bookmark.users_like.count()
        assert bookmark.owner not in bookmark.users_like.all()
    assert Bookmark.objects.filter(total_likes__gt=0).count() >= 10
    assert Action.objects.filter(verb="bookmarked").count() == Bookmark.objects.count()
    assert Action.objects.filter(verb="likes").count() == (
        Bookmark.users_like.through.objects.count()
    )
    verbs = set(Action.objects.values_list("verb", flat=True))
    assert verbs <= set(Action.Verb.values), verbs
    ranking = counters.ranking_top(limit=10)
    assert len(ranking) == 10
    assert "gallery:" in command.buffer.getvalue()

    before = _snapshot()
    demo.load(_Command())
    assert _snapshot() == before


def test_demo_keeps_existing_members_passwords():
    get_user_model().objects.create_user("bob", "bob@example.com", "bobs-own-pass")
    demo.load(_Command())
    assert get_user_model().objects.get(username="bob").check_password("bobs-own-pass")


def test_gallery_pages_render_with_demo_content(client):
    demo.load(_Command())
    assert client.get("/gallery/").status_code == 200
    ranking = client.get("/gallery/ranking/")
    assert ranking.content.decode().count('class="ranking-entry"') == 10
    first = Bookmark.objects.first()
    assert client.get(first.get_absolute_url()).status_code == 200
