"""Demo content for the gallery: members, bookmarks with generated images, likes,
activity-stream actions and view counts. Idempotent; no network."""

import redis
from django.contrib.auth import get_user_model

from accounts.models import Action
from accounts.services import action_create
from core.demo import demo_image

from . import counters
from .models import Bookmark
from .services import bookmark_likes_recount

MEMBERS = ["ann", "bob", "chloe", "dev", "eva"]

BOOKMARKS = [
    ("Morning fog over the lake", "ann", "A quiet start before the boats go out."),
    ("Red bicycle on a blue wall", "bob", "Found on a side street in the old town."),
    ("Terracotta rooftops", "chloe", "The view from the bell tower, late afternoon."),
    ("Desert road at noon", "dev", "No car for an hour in either direction."),
    ("Harbour lights", "eva", "Long exposure, tripod on the pier."),
    ("Autumn leaves in the park", "ann", "The maples turn all at once."),
    ("Street market spices", "bob", "Cumin, paprika and something I could not name."),
    ("Snow on the pass", "chloe", "The road closed an hour after this."),
    ("Old tram depot", "dev", "Soon to become a library."),
    ("Sunflowers at dusk", "eva", "A field that goes on for kilometres."),
    ("Rain on the café window", "ann", "Good weather for reading."),
    ("Lighthouse in the storm", "bob", "Waves over the railing."),
    ("Paper lanterns", "chloe", "Festival night by the river."),
    ("Mountain hut breakfast", "dev", "Bread, cheese and a view."),
]


def _members():
    User = get_user_model()
    members = {}
    for name in MEMBERS:
        user, created = User.objects.get_or_create(
            username=name,
            defaults={"email": f"{name}@example.com", "first_name": name.title()},
        )
        if created:
            user.set_password(f"demo-pass-{name}")
            user.save(update_fields=["password"])
        members[name] = user
    return members


def load(command) -> None:
    members = _members()
    bookmarks = []
    for seed, (title, owner, description) in enumerate(BOOKMARKS, start=1):
        bookmark = Bookmark.objects.filter(title=title).first()
        if bookmark is None:
            bookmark = Bookmark.objects.create(
                owner=members[owner],
                title=title,
                url=f"https://example.com/photos/{seed}.jpg",
                image=demo_image(f"Bookmark: {title}", seed=40 + seed, size=(900, 600)),
                description=description,
            )
            action_create(
                user=bookmark.owner, verb=Action.Verb.BOOKMARKED, target=bookmark
            )
        bookmarks.append(bookmark)

    # Everyone likes a deterministic handful of the others' bookmarks; only the
    # likes not there yet are added (and get an action), so a re-run adds nothing.
    through = Bookmark.users_like.through
    existing = set(
        through.objects.filter(bookmark__in=bookmarks).values_list(
            "bookmark_id", "user_id"
        )
    )
    new_likes = [
        (bookmark, user)
        for index, bookmark in enumerate(bookmarks)
        for offset, user in enumerate(members.values())
        if user.pk != bookmark.owner_id
        and (index + offset) % 3 != 0
        and (bookmark.pk, user.pk) not in existing
    ]
    through.objects.bulk_create(
        [through(bookmark_id=b.pk, user_id=u.pk) for b, u in new_likes],
        ignore_conflicts=True,
    )
    bookmark_likes_recount(bookmark_ids=[b.pk for b in bookmarks])
    for bookmark, user in new_likes:
        action_create(user=user, verb=Action.Verb.LIKES, target=bookmark)

    try:
        for index, bookmark in enumerate(bookmarks):
            if counters.views_get(bookmark_id=bookmark.pk) == 0:
                views = (len(bookmarks) - index) * 7 + (index * 13) % 11
                counters.views_set(bookmark_id=bookmark.pk, views=views)
    except redis.RedisError as exc:
        command.stdout.write(f"gallery: view counts skipped (Redis: {exc})")
    command.stdout.write(
        f"gallery: {len(members)} members, {len(bookmarks)} bookmarks, "
        f"{len(new_likes)} new likes"
    )
