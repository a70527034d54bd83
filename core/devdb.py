"""The mark of a throwaway database: demo and bench data may be written only there.

`load_demo` and `seed_bench` give members known passwords and add fake orders, so they
refuse a database that does not carry this mark (unless told
`--i-know-this-is-not-production`). The mark is PostgreSQL's comment on the database
itself (`COMMENT ON DATABASE`): no table, no migration, nothing a flush or a restore
of the site's tables carries over to another database. `devtools.localservices` marks
the embedded database it creates for `make run`; the test suite marks its test
database (conftest.py). Mark another one by hand with:

    COMMENT ON DATABASE mydb IS 'mysite: development database (demo data allowed)';
"""

MARK = "mysite: development database (demo data allowed)"
NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"


def is_development_database(connection=None) -> bool:
    from django.db import connection as default_connection

    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return bool(row) and row[0] == MARK


def mark_development_database(connection=None) -> None:
    from django.db import connection as default_connection

    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        quoted = connection.ops.quote_name(name)
        cursor.execute(f"COMMENT ON DATABASE {quoted} IS %s", [MARK])


def add_not_production_argument(parser) -> None:
    parser.add_argument(
        NOT_PRODUCTION_FLAG,
        dest="not_production",
        action="store_true",
        help="run on a database not marked as a development one (core/devdb.py)",
    )


def refuse_unless_development(*, not_production: bool, command_name: str) -> None:
    """Raise CommandError unless the database is marked or the flag was given."""
    from django.core.management.base import CommandError
    from django.db import connection

    if not_production or is_development_database():
        return
    name = connection.settings_dict.get("NAME")
    raise CommandError(
        f"{command_name} writes demo members with known passwords and fake orders: "
        f"refused on database {name!r}, which is not marked as a development "
        f"database. Use `make run`'s embedded database, or pass "
        f"{NOT_PRODUCTION_FLAG} if this database really is throwaway."
    )
