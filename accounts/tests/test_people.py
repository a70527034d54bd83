import json

import pytest
from django.core.files.base import ContentFile

from accounts.models import Action, Contact
from gallery.tests.factories import BookmarkFactory

from .factories import UserFactory, image_bytes

pytestmark = pytest.mark.django_db

FOLLOW = "/people/follow/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


def post_follow(client, member_id, action="follow", **extra):
    return client.post(FOLLOW, {"id": member_id, "action": action}, **{**AJAX, **extra})


def test_members_list_is_paginated_with_photos(client, settings, member):
    settings.ACCOUNTS_MEMBERS_PER_PAGE = 2
    member.profile.photo.save("a.jpg", ContentFile(image_bytes()), save=True)
    UserFactory(username="bob")
    UserFactory(username="chloe")
    UserFactory(username="hidden", is_active=False)
    page1 = client.get("/people/").content.decode()
    assert 'href="/people/ann/"' in page1
    assert member.profile.photo.url in page1
    assert "Page 1 of 2" in page1
    page2 = client.get("/people/?page=2").content.decode()
    assert 'href="/people/chloe/"' in page2
    assert "/people/hidden/" not in page1 + page2
    assert client.get("/people/?page=abc").status_code == 200


def test_member_page_shows_profile_and_counts(client, member, other):
    chloe = UserFactory(username="chloe")
    Contact.objects.create(user_from=other, user_to=member)
    Contact.objects.create(user_from=chloe, user_to=member)
    Contact.objects.create(user_from=member, user_to=other)
    response = client.get("/people/ann/")
    assert response.status_code == 200
    assert response.context["member"].followers_count == 2
    assert response.context["member"].following_count == 1
    html = response.content.decode()
    assert "<strong data-followers-count>2</strong> followers" in html
    assert "Log in</a> to follow ann" in html
    assert "accounts/follow.js" in html


def test_member_page_has_one_bookmarks_section(client, member):
    # The gallery's include is the whole section; the page once wrapped it in a
    # second one, so "Bookmarks" was shown twice.
    html = client.get("/people/ann/").content.decode()
    assert html.count("<h2") == html.count("Bookmarks</h2>") == 1
    assert "No bookmarks yet." in html


def test_unknown_or_inactive_member_is_404(client):
    UserFactory(username="gone", is_active=False)
    assert client.get("/people/nobody/").status_code == 404
    assert client.get("/people/gone/").status_code == 404


def test_follow_button_reflects_the_state(client, member, other):
    client.force_login(member)
    html = client.get("/people/bob/").content.decode()
    assert 'name="action" value="follow"' in html
    Contact.objects.create(user_from=member, user_to=other)
    html = client.get("/people/bob/").content.decode()
    assert 'name="action" value="unfollow"' in html
    # No button on your own page.
    assert "data-follow-form" not in client.get("/people/ann/").content.decode()


def test_follow_is_idempotent_and_recorded_once(client, member, other):
    client.force_login(member)
    first = post_follow(client, other.pk)
    second = post_follow(client, other.pk)
    assert first.status_code == second.status_code == 200
    assert json.loads(second.content) == {
        "status": "ok",
        "action": "follow",
        "followers": 1,
    }
    assert Contact.objects.filter(user_from=member, user_to=other).count() == 1
    assert (
        Action.objects.filter(user=member, verb="is following", target_id=other.pk)
    ).count() == 1


def test_unfollow_twice_is_harmless(client, member, other):
    Contact.objects.create(user_from=member, user_to=other)
    client.force_login(member)
    first = post_follow(client, other.pk, "unfollow")
    second = post_follow(client, other.pk, "unfollow")
    assert (
        first.json()
        == second.json()
        == {
            "status": "ok",
            "action": "unfollow",
            "followers": 0,
        }
    )
    assert not Contact.objects.exists()


def test_you_cannot_follow_yourself(client, member):
    client.force_login(member)
    response = post_follow(client, member.pk)
    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "error": "You cannot follow yourself.",
    }
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"id": "999999", "action": "follow"}, 404),
        ({"id": "abc", "action": "follow"}, 400),
        ({"action": "follow"}, 400),
        ({"id": "1", "action": "befriend"}, 400),
    ],
)
def test_bad_requests_get_json_errors(client, member, data, status):
    client.force_login(member)
    response = client.post(FOLLOW, data, **AJAX)
    assert response.status_code == status
    assert response.json()["status"] == "error"


def test_anonymous_follow_is_401_or_a_login_redirect(client, other):
    response = post_follow(client, other.pk)
    assert response.status_code == 401
    assert response.json()["status"] == "error"
    plain = client.post(FOLLOW, {"id": other.pk, "action": "follow"})
    assert plain.status_code == 302
    assert plain.url.startswith("/account/login/")
    assert not Contact.objects.exists()


def test_follow_needs_post_and_csrf(member, other):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get(FOLLOW).status_code == 405
    assert post_follow(client, other.pk).status_code == 403
    assert not Contact.objects.exists()


def test_follow_works_without_javascript(client, member, other):
    client.force_login(member)
    response = client.post(FOLLOW, {"id": other.pk, "action": "follow"}, follow=True)
    assert response.redirect_chain[-1][0] == "/people/bob/"
    assert "You now follow bob." in response.content.decode()
    assert Contact.objects.filter(user_from=member, user_to=other).exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_member_page_query_count_does_not_grow(
    client, django_assert_num_queries, member, rows
):
    viewer = UserFactory(username="viewer")
    for index in range(rows):
        fan = UserFactory(username=f"fan{index}")
        Contact.objects.create(user_from=fan, user_to=member)
        Contact.objects.create(user_from=member, user_to=fan)
    # The gallery's section lists up to 8 of the member's bookmarks.
    BookmarkFactory.create_batch(min(rows, 10), owner=member)
    client.force_login(viewer)
    client.get("/people/ann/")  # the first visit creates the image renditions
    # viewer (the session is in Redis), member with profile and both counts,
    # is-following, the gallery's bookmarks with their images joined, their
    # renditions. The Wagtail user bar costs nothing: whether it shows was decided
    # at login (core.templatetags.core_tags).
    with django_assert_num_queries(5):
        response = client.get("/people/ann/")
    assert response.context["member"].followers_count == rows
    assert response.content.decode().count('<li class="card">') == min(rows, 8)


@pytest.mark.parametrize("rows", [3, 30])
def test_members_list_query_count_does_not_grow(
    client, django_assert_num_queries, rows
):
    for index in range(rows):
        UserFactory(username=f"m{index:02d}")
    # count, page of members with profiles
    with django_assert_num_queries(2):
        response = client.get("/people/")
    assert len(response.context["members"]) == min(rows, 24)
