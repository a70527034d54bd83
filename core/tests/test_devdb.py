"""`load_demo` and `seed_bench` write only to a database marked as a development one,
and never hand an existing member the demo password."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.bench_seed import bench_members
from core.devdb import MARK, is_development_database, mark_development_database

pytestmark = pytest.mark.django_db


@pytest.fixture
def unmarked_database():
    """The test database without its mark, as a real one would be (restored after:
    COMMENT is transactional, and the test's transaction is rolled back anyway)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"COMMENT ON DATABASE {name} IS NULL")
    assert not is_development_database()
    yield
    mark_development_database()


def test_the_test_database_is_marked():
    assert is_development_database()


@pytest.mark.parametrize(
    "command", [["load_demo"], ["seed_bench", "--scale", "0.001", "--skip-index"]]
)
def test_demo_and_bench_data_are_refused_on_an_unmarked_database(
    unmarked_database, command
):
    users_before = get_user_model().objects.count()
    with pytest.raises(CommandError, match="not marked as a development database"):
        call_command(*command, stdout=StringIO())
    assert get_user_model().objects.count() == users_before


def test_the_flag_lets_seed_bench_run_on_an_unmarked_database(unmarked_database):
    call_command(
        "seed_bench",
        "--only",
        "accounts",
        "--scale",
        "0.001",
        "--skip-index",
        "--i-know-this-is-not-production",
        stdout=StringIO(),
    )
    assert bench_members().exists()


def test_the_flag_lets_load_demo_run_on_an_unmarked_database(
    unmarked_database, monkeypatch
):
    from home.management.commands import load_demo

    monkeypatch.setattr(load_demo, "DEMO_APPS", ["accounts"])
    out = StringIO()
    call_command("load_demo", "--i-know-this-is-not-production", stdout=out)
    assert "Demo content is ready." in out.getvalue()
    assert get_user_model().objects.filter(username="ann").exists()


@pytest.mark.parametrize("usable", [True, False], ids=["own-password", "google-only"])
def test_an_existing_member_keeps_their_password(monkeypatch, usable):
    """A real member called ann (signed up with a password, or through Google with
    none and no first name) is not given the public demo password."""
    from home.management.commands import load_demo

    User = get_user_model()
    ann = User.objects.create_user("ann", "ann@real.example", "her-own-secret-1")
    if not usable:
        ann.set_unusable_password()
        ann.save()
    before = ann.password
    monkeypatch.setattr(load_demo, "DEMO_APPS", ["accounts"])
    call_command("load_demo", stdout=StringIO())
    ann.refresh_from_db()
    assert ann.password == before
    assert not ann.check_password("demo-pass-ann")
    # Members it created itself do get the demo password.
    assert User.objects.get(username="bob").check_password("demo-pass-bob")


def test_the_mark_is_the_documented_comment():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname = current_database()"
        )
        assert cursor.fetchone()[0] == MARK
