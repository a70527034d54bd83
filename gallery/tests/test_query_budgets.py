"""Query counts per page do not grow with the data (3 rows, then 30)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gallery import counters, selectors

from .factories import BookmarkFactory, UserFactory

pytestmark = pytest.mark.django_db

# list: count, bookmarks with owner and image, their renditions; detail: the
# bookmark with owner and image, its renditions, likers; +1 logged in (the user).
BUDGETS = {"list": 4, "detail": 4, "ranking": 2}


def _grow(total: int, viewer, fans):
    """Bring the gallery to `total` bookmarks; each is liked by every fan."""
    from gallery.models import Bookmark

    while Bookmark.objects.count() < total:
        bookmark = BookmarkFactory()
        bookmark.users_like.add(*fans)
        bookmark.image.get_renditions(
            *selectors.THUMBNAIL_SPECS, *selectors.DETAIL_SPECS
        )
        counters.views_set(bookmark_id=bookmark.pk, views=bookmark.pk)
    Bookmark.users_like.through.objects.get_or_create(
        bookmark=Bookmark.objects.first(), user=viewer
    )
    return Bookmark.objects.order_by("pk").first()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("logged_in", [False, True])
def test_budgets_hold_for_3_and_30_rows(client, logged_in):
    viewer = UserFactory()
    if logged_in:
        client.force_login(viewer)
    measured = {}
    for total, fan_count in ((3, 3), (30, 30)):
        fans = [UserFactory() for _ in range(fan_count)]
        target = _grow(total, viewer, fans)
        pages = {
            "list": "/gallery/",
            "detail": target.get_absolute_url(),
            "ranking": "/gallery/ranking/",
        }
        measured[total] = {name: _count(client, url) for name, url in pages.items()}
    print(f"logged_in={logged_in} queries: {measured}")  # noqa: T201 - report aid
    assert measured[3] == measured[30]
    for name, budget in BUDGETS.items():
        assert measured[30][name] <= budget, (name, measured[30][name])
    if not logged_in:
        assert measured[30] == {"list": 3, "detail": 3, "ranking": 1}
