"""Editors moderate bookmarks in the Wagtail admin (SnippetViewSet)."""

import pytest

from gallery.models import Bookmark

from .factories import BookmarkFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/snippets/gallery/bookmark/"


@pytest.fixture
def editor(client):
    user = UserFactory(username="editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_list_shows_owner_created_and_likes(client, editor):
    eva = UserFactory(username="eva")
    bookmark = BookmarkFactory(title="Harbour lights", owner=eva)
    bookmark.users_like.add(UserFactory(), UserFactory())
    response = client.get(ADMIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Harbour lights" in html
    assert "eva" in html
    assert "Likes" in html and "Created" in html


def test_search_and_filter(client, editor):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    BookmarkFactory(title="Foggy lake", owner=ann)
    BookmarkFactory(title="Red bicycle", owner=bob)
    found = client.get(ADMIN, {"q": "bicycle"}).content.decode()
    assert "Red bicycle" in found and "Foggy lake" not in found
    filtered = client.get(ADMIN, {"owner": ann.pk}).content.decode()
    assert "Foggy lake" in filtered and "Red bicycle" not in filtered


def test_editor_deletes_a_bookmark(client, editor):
    bookmark = BookmarkFactory(title="Spam")
    url = f"{ADMIN}delete/{bookmark.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert not Bookmark.objects.filter(pk=bookmark.pk).exists()


def test_members_cannot_reach_the_admin_list(client):
    client.force_login(UserFactory())
    response = client.get(ADMIN)
    assert response.status_code == 302
