"""Bench data: 20,000 bookmarks of the bench members on a few shared images (their
thumbnails made once), 0-5 likes each with total_likes set in one UPDATE, a
"bookmarked" action per bookmark for the dashboards, the Redis ranking, and the
search index filled with one INSERT … SELECT. Idempotent by the URL prefix."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accounts.bench_seed import bench_members
from accounts.models import Action
from bench.seeding import fill_search_index, rng, scaled, sentence, shared_images

from . import counters
from .models import Bookmark
from .selectors import DETAIL_SPECS, THUMBNAIL_SPECS

BASE_BOOKMARKS = 20_000
URL_PREFIX = "https://images.bench.example/"
BATCH = 2500
RANKED = 100


def bench_bookmarks():
    return Bookmark.objects.filter(url__startswith=URL_PREFIX)


def seed(command, scale):
    members = list(bench_members().order_by("pk").values_list("pk", flat=True))
    if not members:
        command.stdout.write("gallery: no bench members (seed accounts first)")
        return []
    images = shared_images("Bench bookmark", [*THUMBNAIL_SPECS, *DETAIL_SPECS])
    wanted = scaled(BASE_BOOKMARKS, scale)
    have = bench_bookmarks().count()
    through = Bookmark.users_like.through
    ct = ContentType.objects.get_for_model(Bookmark)
    with command.progress("bookmarks", max(wanted - have, 0)) as bar:
        for start in range(have, wanted, BATCH):
            r = rng(start)
            batch = []
            for n in range(start, min(start + BATCH, wanted)):
                title = f"{sentence(r, 4)} {n}"
                batch.append(
                    Bookmark(
                        owner_id=members[n % len(members)],
                        title=title,
                        slug=f"bench-bookmark-{n}",
                        url=f"{URL_PREFIX}{n}.jpg",
                        image=images[n % len(images)],
                        description=sentence(r, 20) + ".",
                    )
                )
            created = Bookmark.objects.bulk_create(batch)
            likes = []
            for bookmark in created:
                for user_id in r.sample(members, min(r.randint(0, 5), len(members))):
                    likes.append(through(bookmark_id=bookmark.pk, user_id=user_id))
            through.objects.bulk_create(likes)
            Action.objects.bulk_create(
                [
                    Action(
                        user_id=b.owner_id,
                        verb=Action.Verb.BOOKMARKED,
                        target_ct=ct,
                        target_id=b.pk,
                    )
                    for b in created
                ]
            )
            bar.advance(len(created))
    with connection.cursor() as cursor:
        # Counters from the M2M in one statement (no save, no re-index).
        cursor.execute(
            f"""UPDATE gallery_bookmark b SET total_likes = l.n
            FROM (SELECT bookmark_id, count(*) AS n FROM {through._meta.db_table}
                  GROUP BY bookmark_id) l
            WHERE l.bookmark_id = b.id AND b.url LIKE %s AND b.total_likes <> l.n""",  # noqa: S608 - table name from the model
            [URL_PREFIX + "%"],
        )
    rank_views()
    index_bookmarks(command)
    return []


def rank_views() -> None:
    """Give the first bookmarks view counts in Redis so the ranking has content."""
    ids = list(bench_bookmarks().order_by("pk").values_list("pk", flat=True)[:RANKED])
    client = counters.get_client()
    pipe = client.pipeline()
    for position, pk in enumerate(ids):
        views = 1000 - position * 7
        pipe.set(counters.views_key(pk), views)
        pipe.zadd(counters.ranking_key(), {str(pk): views})
    pipe.execute()


def index_bookmarks(command, *, where: str = "") -> int:
    """Bookmark's search fields: title 3→D (a field called "title": the title
    vector), description (no boost)→D; autocomplete on the title."""
    count = fill_search_index(
        Bookmark,
        source="gallery_bookmark src",
        where=where
        or "src.url LIKE %(prefix)s AND NOT EXISTS (SELECT 1 FROM "
        "wagtailsearch_indexentry e WHERE e.content_type_id = %(ct)s "
        "AND e.object_id = src.id::text)",
        params={"prefix": URL_PREFIX + "%"},
        title=[("src.title", "D")],
        body=[("src.description", "D")],
        autocomplete=["src.title"],
    )
    command.stdout.write(f"  search index: {count} bookmarks")
    return count
