"""Like / unlike: POST with CSRF, JSON answers, idempotent, logged-in only."""

import pytest
from django.test import Client

from accounts.models import Action
from gallery.models import Bookmark

from .factories import BookmarkFactory, UserFactory

pytestmark = pytest.mark.django_db

LIKE = "/gallery/like/"


def test_like_twice_counts_once(client):
    bookmark = BookmarkFactory()
    user = UserFactory()
    client.force_login(user)
    for _ in range(2):
        response = client.post(LIKE, {"id": bookmark.pk, "action": "like"})
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "likes": 1, "liked": True}
    bookmark.refresh_from_db()
    assert bookmark.total_likes == 1
    assert list(bookmark.users_like.all()) == [user]
    assert Action.objects.filter(user=user, verb="likes").count() == 1


def test_unlike_twice_is_harmless(client):
    bookmark = BookmarkFactory()
    user, other = UserFactory(), UserFactory()
    bookmark.users_like.add(user, other)
    client.force_login(user)
    for _ in range(2):
        response = client.post(LIKE, {"id": bookmark.pk, "action": "unlike"})
        assert response.json() == {"status": "ok", "likes": 1, "liked": False}
    bookmark.refresh_from_db()
    assert bookmark.total_likes == 1


def test_likes_from_several_members_add_up(client):
    bookmark = BookmarkFactory()
    for n in range(3):
        client.force_login(UserFactory())
        response = client.post(LIKE, {"id": bookmark.pk, "action": "like"})
        assert response.json()["likes"] == n + 1


def test_anonymous_gets_401_json(client):
    bookmark = BookmarkFactory()
    response = client.post(LIKE, {"id": bookmark.pk, "action": "like"})
    assert response.status_code == 401
    assert response.json()["status"] == "error"
    assert Bookmark.objects.get().total_likes == 0


def test_csrf_is_enforced():
    bookmark = BookmarkFactory()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(UserFactory())
    response = csrf_client.post(LIKE, {"id": bookmark.pk, "action": "like"})
    assert response.status_code == 403
    assert Bookmark.objects.get().total_likes == 0


def test_like_with_the_csrf_token_from_the_page():
    bookmark = BookmarkFactory()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(UserFactory())
    csrf_client.get(bookmark.get_absolute_url())
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        LIKE, {"id": bookmark.pk, "action": "like"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert response.json()["likes"] == 1


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"id": "999999", "action": "like"}, 404),
        ({"id": "abc", "action": "like"}, 404),
        ({"id": "", "action": "like"}, 404),
        ({"id": str(2**70), "action": "like"}, 404),
        ({"id": "-3", "action": "like"}, 404),
        ({"action": "like"}, 404),
        ({"id": "1", "action": "love"}, 400),
        ({"id": "1"}, 400),
    ],
)
def test_bad_input_is_a_json_error(client, data, status):
    client.force_login(UserFactory())
    response = client.post(LIKE, data)
    assert response.status_code == status
    assert response.json()["status"] == "error"


def test_get_is_refused(client):
    client.force_login(UserFactory())
    response = client.get(LIKE)
    assert response.status_code == 405


def test_total_likes_follows_every_way_of_changing_likes():
    """The m2m_changed receiver recounts from either side, including clear()."""
    first, second = BookmarkFactory(), BookmarkFactory()
    ann, bob = UserFactory(), UserFactory()
    first.users_like.add(ann, bob)
    bob.bookmarks_liked.add(second)
    assert Bookmark.objects.get(pk=first.pk).total_likes == 2
    assert Bookmark.objects.get(pk=second.pk).total_likes == 1
    bob.bookmarks_liked.clear()
    assert Bookmark.objects.get(pk=first.pk).total_likes == 1
    assert Bookmark.objects.get(pk=second.pk).total_likes == 0
    first.users_like.clear()
    assert Bookmark.objects.get(pk=first.pk).total_likes == 0


def test_deleting_a_member_takes_back_their_likes():
    """The like rows go by cascade, which sends no m2m_changed."""
    first, second = BookmarkFactory(), BookmarkFactory()
    leaving, staying = UserFactory(), UserFactory()
    first.users_like.add(leaving, staying)
    second.users_like.add(leaving)
    own = BookmarkFactory(owner=leaving)  # goes with its owner
    own.users_like.add(staying)

    leaving.delete()

    assert Bookmark.objects.get(pk=first.pk).total_likes == 1
    assert Bookmark.objects.get(pk=second.pk).total_likes == 0
    assert not Bookmark.objects.filter(pk=own.pk).exists()


def test_deleting_members_in_bulk_takes_back_their_likes():
    bookmark = BookmarkFactory()
    members = [UserFactory() for _ in range(3)]
    bookmark.users_like.add(*members)
    User = type(members[0])  # noqa: N806 - the user model

    User.objects.filter(pk__in=[m.pk for m in members[:2]]).delete()

    assert Bookmark.objects.get(pk=bookmark.pk).total_likes == 1


def test_liking_does_not_resave_the_row(client, django_assert_max_num_queries):
    """A like must not go through save() (and the search index)."""
    bookmark = BookmarkFactory()
    client.force_login(UserFactory())
    from django.db.models.signals import post_save

    saved = []

    def on_save(sender, instance, **kwargs):
        saved.append(instance)

    post_save.connect(on_save, sender=Bookmark)
    try:
        client.post(LIKE, {"id": bookmark.pk, "action": "like"})
    finally:
        post_save.disconnect(on_save, sender=Bookmark)
    assert saved == []


def test_list_shows_like_buttons_in_their_state(client):
    liked, other = BookmarkFactory(), BookmarkFactory()
    user = UserFactory()
    liked.users_like.add(user)
    client.force_login(user)
    html = client.get("/gallery/").content.decode()
    assert f'data-id="{liked.pk}" data-action="unlike"' in html
    assert f'data-id="{other.pk}" data-action="like"' in html
    anonymous = Client().get("/gallery/").content.decode()
    assert "Log in to like" in anonymous
