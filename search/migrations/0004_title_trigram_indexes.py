from django.db import migrations

# (table, column) each SearchSource's `title_field` is stored in: the columns the
# typo-tolerant fallback compares with the query.
TITLES = [
    ("wagtailcore_page", "title"),  # blog posts (and every other page)
    ("shop_product", "name"),
    ("gallery_bookmark", "title"),
]


def index_name(table: str, column: str) -> str:
    return f"search_{table}_{column}_trgm"


class Migration(migrations.Migration):
    """Trigram GIN indexes for the "did you mean" fallback (search.selectors
    .fuzzy_group). It filters with `title %> query` (pg_trgm word similarity), which
    such an index answers; without one every search that matched nothing read every
    title of every kind (measured: ~150 ms for the posts at 10k, 570 ms at 100k).
    A plain CREATE INDEX, as in 0002: on a big live table create it CONCURRENTLY by
    hand first."""

    dependencies = [
        ("search", "0003_searchable_id_text_indexes"),
        ("wagtailcore", "0001_initial"),
        ("shop", "0001_initial"),
        ("gallery", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {index_name(table, column)} ON {table} "
            f"USING gin ({column} gin_trgm_ops)",
            f"DROP INDEX IF EXISTS {index_name(table, column)}",
        )
        for table, column in TITLES
    ]
