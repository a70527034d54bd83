"""Saving a bookmark from the bookmarklet's URL through the create page."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from accounts.models import Action
from gallery.models import Bookmark

from .conftest import picture, reply
from .factories import UserFactory

pytestmark = pytest.mark.django_db

CREATE = "/gallery/create/"


def test_create_requires_login(client):
    response = client.get(CREATE + "?url=https://example.com/a.jpg&title=A")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=/gallery/create/")


def test_get_prefills_and_previews_the_image_inline(client, allow_site):
    allow_site.routes["/cat.jpg"] = reply(picture("JPEG"), "image/jpeg")
    client.force_login(UserFactory())
    url = allow_site.url("/cat.jpg")
    response = client.get(CREATE, {"url": url, "title": "A cat"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{url}"' in html
    assert 'value="A cat"' in html
    # Shown as data: so the page loads nothing from the other site.
    assert 'src="data:image/jpeg;base64,' in html
    assert f'src="{url}"' not in html
    preview = re.search(r'<img src="data:[^>]*>', html).group(0)
    assert 'width="320" height="240"' in preview, preview  # picture()'s size
    assert 'loading="lazy"' in preview


def test_get_with_a_refused_url_shows_why(client):
    client.force_login(UserFactory())
    response = client.get(CREATE, {"url": "http://127.0.0.1/x.png", "title": "x"})
    assert response.status_code == 200
    assert "private or local network" in response.content.decode()


def test_post_saves_the_bookmark_image_and_action(client, allow_site):
    allow_site.routes["/cat.png"] = reply(picture("PNG"), "image/png")
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        CREATE,
        {
            "url": allow_site.url("/cat.png"),
            "title": "A cat on a mat",
            "description": "Sleeping.",
        },
    )
    bookmark = Bookmark.objects.get()
    assert response.status_code == 302
    assert response["Location"] == bookmark.get_absolute_url()
    assert bookmark.owner == user
    assert bookmark.slug == "a-cat-on-a-mat"
    assert bookmark.url == allow_site.url("/cat.png")
    assert (bookmark.image.width, bookmark.image.height) == (320, 240)
    assert bookmark.image.uploaded_by_user == user
    assert bookmark.image.file_size > 0
    assert len(bookmark.image.file_hash) == 40
    action = Action.objects.get(user=user, verb="bookmarked")
    assert action.target == bookmark


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/x.png", "private or local network"),
        ("http://10.0.0.1/x.png", "private or local network"),
        ("http://169.254.169.254/latest/meta-data/", "private or local network"),
        ("http://[::1]/x.png", "private or local network"),
        ("http://[::ffff:127.0.0.1]/x.png", "private or local network"),
        ("http://localhost/x.png", "private or local network"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("ftp://example.com/x.png", "Only http:// and https://"),
    ],
)
def test_refused_urls_are_form_errors(client, url, message):
    client.force_login(UserFactory())
    response = client.post(CREATE, {"url": url, "title": "Nope"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Bookmark.objects.exists()


def test_refused_content_is_a_form_error(client, allow_site):
    allow_site.routes["/fake.png"] = reply(b"just text", "image/png")
    client.force_login(UserFactory())
    response = client.post(
        CREATE, {"url": allow_site.url("/fake.png"), "title": "Fake"}
    )
    assert response.status_code == 200
    assert "not the kind of image" in response.content.decode()
    assert not Bookmark.objects.exists()


def test_missing_title_is_a_form_error(client):
    client.force_login(UserFactory())
    response = client.post(CREATE, {"url": "https://example.com/x.png", "title": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_bookmarklet_page_offers_a_link_loading_our_script(client):
    response = client.get(reverse("gallery:bookmarklet"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bookmark it" in html
    assert "javascript:(function(){" in html
    assert "http://testserver/static/gallery/js/bookmarklet.js" in html
    assert "s.dataset.origin=&#x27;http://testserver&#x27;" in html
    assert " onclick=" not in html


def test_bookmarklet_script_is_served(client):
    response = client.get("/static/gallery/js/bookmarklet.js")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert b"/gallery/create/?url=" in body
    assert b"MIN_SIZE = 100" in body


def test_member_bookmarks_include(rf):
    from .factories import BookmarkFactory

    owner = UserFactory()
    BookmarkFactory(owner=owner, title="Mine")
    BookmarkFactory(title="Someone else's")
    html = Template('{% include "gallery/includes/user_bookmarks.html" %}').render(
        Context({"member": owner, "request": rf.get("/")})
    )
    assert "Mine" in html
    assert "Someone else" not in html
