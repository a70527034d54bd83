"""List (with infinite-scroll fragments), detail, home section, search."""

import pytest
from django.template import Context, Template
from wagtail.search.backends import get_search_backend

from gallery.models import Bookmark

from .factories import BookmarkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fifteen(settings):
    settings.GALLERY_PAGE_SIZE = 6
    return [BookmarkFactory(title=f"Picture {n:02d}") for n in range(15)]


def test_list_shows_newest_first_with_thumbnails(client, fifteen):
    response = client.get("/gallery/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Picture 14") < html.index("Picture 13")
    assert "Picture 08" not in html  # on page 2
    assert 'data-next-page="2"' in html
    assert "fill-400x300" in html  # a rendition, not the original
    assert 'rel="next"' in html  # plain pagination without JavaScript


def test_fragment_is_just_the_cards(client, fifteen):
    response = client.get("/gallery/", {"page": 2, "fragment": 1})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count('class="card bookmark-card"') == 6
    assert "Picture 08" in html


@pytest.mark.parametrize("page", ["4", "999", "0", "-1", "abc", "1.5"])
def test_fragment_out_of_range_is_empty_so_the_script_stops(client, fifteen, page):
    response = client.get("/gallery/", {"page": page, "fragment": 1})
    assert response.status_code == 200
    assert response.content.strip() == b""


def test_page_out_of_range_falls_back(client, fifteen):
    last = client.get("/gallery/", {"page": 999})
    assert last.status_code == 200
    assert "Page 3 of 3" in last.content.decode()
    first = client.get("/gallery/", {"page": "abc"})
    assert "Page 1 of 3" in first.content.decode()


def test_empty_gallery(client):
    response = client.get("/gallery/")
    assert response.status_code == 200
    assert "No bookmarks yet" in response.content.decode()


def test_detail_shows_image_description_likers_and_views(client):
    bookmark = BookmarkFactory(title="Harbour", description="Long exposure.")
    fans = [UserFactory(username=f"fan{n}") for n in range(3)]
    bookmark.users_like.add(*fans)
    response = client.get(bookmark.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Harbour</h1>" in html
    assert "Long exposure." in html
    assert "max-1000x800" in html
    assert all(f"fan{n}" in html for n in range(3))
    assert f'data-like-count="{bookmark.pk}">3<' in html
    assert "1</span> view" in html
    again = client.get(bookmark.get_absolute_url()).content.decode()
    assert "2</span> views" in again


def test_detail_with_a_wrong_slug_redirects(client):
    bookmark = BookmarkFactory(title="Right slug")
    response = client.get(f"/gallery/{bookmark.pk}/wrong/")
    assert response.status_code == 301
    assert response["Location"] == bookmark.get_absolute_url()


def test_unknown_bookmark_is_404(client):
    assert client.get("/gallery/999999/nothing/").status_code == 404


def test_home_section_shows_most_liked(rf):
    popular = BookmarkFactory(title="Popular one")
    BookmarkFactory(title="Quiet one")
    popular.users_like.add(UserFactory(), UserFactory())
    html = Template('{% include "home/sections/gallery.html" %}').render(
        Context({"request": rf.get("/")})
    )
    assert html.index("Popular one") < html.index("Quiet one")
    assert "2 likes" in html


def test_bookmarks_join_site_search():
    BookmarkFactory(title="Lighthouse in the storm", description="Waves.")
    BookmarkFactory(title="Desert road", description="Hot and dry.")
    results = list(get_search_backend().search("lighthouse", Bookmark))
    assert [b.title for b in results] == ["Lighthouse in the storm"]
    results = list(get_search_backend().search("waves", Bookmark))
    assert [b.title for b in results] == ["Lighthouse in the storm"]


def test_search_result_template(rf):
    bookmark = BookmarkFactory(title="Lanterns")
    html = Template('{% include "gallery/includes/search_result.html" %}').render(
        Context({"result": bookmark, "request": rf.get("/")})
    )
    assert "Lanterns" in html
    assert bookmark.get_absolute_url() in html
