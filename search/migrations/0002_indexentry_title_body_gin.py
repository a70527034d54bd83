from django.db import migrations

INDEX = "search_indexentry_title_body_gin"


class Migration(migrations.Migration):
    """A GIN index on the expression every site search filters on:
    `("title" || "body") @@ to_tsquery(…)` in wagtailsearch_indexentry. modelsearch
    only indexes `title` and `body` separately, so without this the planner scans the
    whole table (measured: a sequential scan at 100k posts; see the README's
    Performance section). A plain CREATE INDEX: migrations run in a transaction, where
    CONCURRENTLY is not allowed; on a large live table create it CONCURRENTLY by hand
    first and this IF NOT EXISTS becomes a no-op."""

    dependencies = [
        ("search", "0001_postgres_extensions"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            'USING gin (("title" || "body"))',
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
