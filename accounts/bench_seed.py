"""Bench data: 1,000 members (one shared pre-hashed password), their profiles and a
follow graph of 10 follows each. Idempotent by the `bench-member-` username prefix."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from bench.seeding import rng, scaled

from .models import Contact, Profile

BASE_MEMBERS = 1000
FOLLOWS_EACH = 10
PREFIX = "bench-member-"
PASSWORD = "bench-password"  # noqa: S105 - the bench members' known password
BATCH = 2000


def username(number: int) -> str:
    return f"{PREFIX}{number}"


def bench_members():
    return get_user_model().objects.filter(username__startswith=PREFIX)


def seed(command, scale):
    User = get_user_model()
    wanted = scaled(BASE_MEMBERS, scale)
    existing = set(bench_members().values_list("username", flat=True))
    missing = [n for n in range(1, wanted + 1) if username(n) not in existing]
    hashed = make_password(PASSWORD)  # hashed once: every member shares it
    now = timezone.now()
    with command.progress("members", len(missing)) as bar:
        for start in range(0, len(missing), BATCH):
            users = [
                User(
                    username=username(n),
                    email=f"{username(n)}@bench.example",
                    first_name="Bench",
                    last_name=f"Member {n}",
                    password=hashed,
                    date_joined=now,
                )
                for n in missing[start : start + BATCH]
            ]
            created = User.objects.bulk_create(users)
            Profile.objects.bulk_create([Profile(user=u) for u in created])
            bar.advance(len(created))

    ids = list(bench_members().order_by("id").values_list("id", flat=True))
    r = rng(1)
    contacts = []
    for user_id in ids:
        for other in r.sample(ids, min(FOLLOWS_EACH + 1, len(ids))):
            if other != user_id:
                contacts.append(Contact(user_from_id=user_id, user_to_id=other))
    with command.progress("follows", len(contacts)) as bar:
        for start in range(0, len(contacts), BATCH):
            batch = contacts[start : start + BATCH]
            # The unique pair makes a second run insert nothing.
            Contact.objects.bulk_create(batch, ignore_conflicts=True)
            bar.advance(len(batch))
    return []
