"""The measurement helpers on small data: the SMTP sink speaks SMTP, the search index
is used by the search query (EXPLAIN), the raw query finds what the site finds, and
every bench target answers without an error with its query budget."""

import smtplib
from email.message import EmailMessage
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from bench import measurements
from bench.inprocess import prepare
from bench.smtp_sink import SmtpSink
from bench.targets import TARGETS
from gallery import counters
from search.selectors import site_search


@pytest.fixture
def seeded(db):
    call_command("seed_bench", "--scale", "0.01", stdout=StringIO())
    yield
    client = counters.get_client()
    keys = list(client.scan_iter(match="bookmark:*:views", count=1000))
    client.delete(counters.RANKING_KEY, *keys)


def test_smtp_sink_counts_messages_sent_over_smtp():
    with SmtpSink() as sink:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=5) as smtp:
            for n in range(3):
                message = EmailMessage()
                message["Subject"] = f"Order {n}"
                message["From"] = "shop@example.com"
                message["To"] = f"buyer{n}@example.com"
                message.set_content("Thanks.\n.\nA line with a dot.")
                smtp.send_message(message)

        assert sink.wait_for(3, timeout=5)
        assert not sink.wait_for(4, timeout=0.2)
    assert sink.count == 3
    assert sink.recipients == [f"buyer{n}@example.com" for n in range(3)]


def explain(sql: str, params=()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_search_filter_and_the_join_back_can_use_their_indexes(seeded):
    with connection.cursor() as cursor:
        # A small table: forbid sequential scans to prove the indexes are usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = explain(
        "SELECT object_id FROM wagtailsearch_indexentry "
        "WHERE (title || body) @@ to_tsquery('english', %s)",
        ["xylophone"],
    )
    assert measurements.GIN_INDEX in plan, plan
    assert measurements.uses_search_index(plan)
    assert not measurements.uses_search_index("Seq Scan on wagtailsearch_indexentry")
    for table, column in [
        ("blog_blogpage", "page_ptr_id"),
        ("shop_product", "id"),
        ("gallery_bookmark", "id"),
    ]:
        plan = explain(
            f"SELECT 1 FROM {table} WHERE ({column})::varchar(50) = %s",  # noqa: S608
            ["1"],
        )
        assert f"search_{table}_id_text" in plan, plan
    # The site's own search statement runs and is explained.
    assert "wagtailsearch_indexentry" in measurements.search_plan("xylophone")


@pytest.mark.django_db
def test_the_typo_fallback_has_trigram_indexes_and_its_helpers_run(seeded):
    """Whether the planner picks them is for the bench to show at 10k rows (its
    EXPLAIN); here: they exist, on the columns the fallback filters."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            ["search_%_trgm"],
        )
        definitions = dict(cursor.fetchall())
    for table, column in [
        ("wagtailcore_page", "title"),
        ("shop_product", "name"),
        ("gallery_bookmark", "title"),
    ]:
        assert f"USING gin ({column} gin_trgm_ops)" in definitions[table]
    # The measurement's helpers run: the raw query finds the titled posts (one in
    # 50 of the seeded posts says "Wagtail"), and the plan is of the posts.
    assert measurements.raw_fuzzy_search("wagtial")
    assert "wagtailcore_page" in measurements.fuzzy_plan("wagtial")


@pytest.mark.django_db
def test_raw_query_finds_the_posts_the_site_search_counts(seeded):
    count, top = measurements.raw_search("django")
    outcome = site_search("django", kind="posts")

    assert count > 0
    assert outcome.groups[0].count == count
    assert len(top) == min(10, count)
    rare_count, _ = measurements.raw_search("xylophone")
    assert rare_count == 1  # post 0 of the 100 mentions it


@pytest.mark.django_db
def test_every_target_answers_without_error(seeded):
    for target in TARGETS:
        prepared = prepare(target)
        assert prepared.status in (200, 302), (target.name, prepared.status)
        assert prepared.queries is not None
        if target.method == "POST":
            assert prepared.status == 302  # the cart add went through (no 403)


@pytest.mark.django_db
def test_invoice_and_csv_measurements_run_on_small_data(seeded):
    invoice = measurements.invoice_pdf(quick=True)
    export = measurements.csv_export(quick=True)

    assert set(invoice.figures) >= {"items_5_p50_ms", "items_100_p50_ms"}
    assert export.figures["orders"] == 1000
    assert export.figures["rows_per_s"] > 0
