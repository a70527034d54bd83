from django.db import migrations

# (table, primary-key column) of every model the site search joins to its index.
SEARCHED = [
    ("blog_blogpage", "page_ptr_id"),
    ("shop_product", "id"),
    ("gallery_bookmark", "id"),
]


def index_name(table: str) -> str:
    return f"search_{table}_id_text"


class Migration(migrations.Migration):
    """modelsearch joins a model to its index rows on
    `wagtailsearch_indexentry.object_id = <table>.<pk>::varchar(50)`. The cast hides
    the primary key index, so even a search matching 10 index rows read every row of
    the model's table (a sequential scan and hash join: 20 ms at 10k posts, growing
    linearly). An index on the cast expression lets PostgreSQL look the few matches up
    instead."""

    dependencies = [
        ("search", "0002_indexentry_title_body_gin"),
        ("blog", "0001_initial"),
        ("shop", "0001_initial"),
        ("gallery", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {index_name(table)} ON {table} "
            f"((({column})::varchar(50)))",
            f"DROP INDEX IF EXISTS {index_name(table)}",
        )
        for table, column in SEARCHED
    ]
