"""seed_bench: arguments, discovery of `<app>/bench_seed.py`, idempotence, indexing."""

from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from wagtail.documents import get_document_model
from wagtail.search.models import IndexEntry

from bench.seeding import BENCH_APPS, Progress, discover_seeders, scaled
from bench.tests import bench_seed as sample
from core.management.commands.seed_bench import Command


def command(out: StringIO) -> Command:
    cmd = Command()
    cmd.stdout = OutputWrapper(out)
    return cmd


def test_scale_multiplies_counts_and_never_gives_zero():
    assert scaled(10_000, 1) == 10_000
    assert scaled(10_000, 10) == 100_000
    assert scaled(50, 0.01) == 1
    assert scaled(5_000, 0.5) == 2_500


@pytest.mark.parametrize("scale", ["0", "-1", "nan", "inf"])
def test_a_scale_that_is_not_a_positive_number_is_refused(scale):
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_bench", "--scale", scale, stdout=StringIO())


def test_an_unknown_app_is_refused():
    with pytest.raises(CommandError, match="unknown app"):
        call_command("seed_bench", "--only", "nosuchapp", stdout=StringIO())


@pytest.mark.django_db
def test_without_seeders_it_says_so_and_changes_nothing():
    out = StringIO()
    Document = get_document_model()
    before = Document.objects.count()

    call_command("seed_bench", "--scale", "0.01", "--only", "home", stdout=out)

    assert "no app has a bench_seed module" in out.getvalue()
    assert Document.objects.count() == before


def test_discovers_bench_seed_modules_in_the_given_order():
    found = discover_seeders(["home", "bench.tests", "nosuchapp"])

    assert [name for name, _ in found] == ["bench.tests"]
    assert found[0][1] is sample
    assert BENCH_APPS[:2] == ["home", "accounts"]


@pytest.mark.django_db
def test_seeding_twice_adds_nothing_and_indexes_every_row_once():
    Document = get_document_model()
    out = StringIO()
    seeders = discover_seeders(["bench.tests"])

    command(out).seed(seeders, scale=1)
    command(StringIO()).seed(seeders, scale=1)

    docs = Document.objects.filter(title__startswith=sample.TITLE_PREFIX)
    assert docs.count() == sample.BASE_COUNT
    # The search index was filled by the one rebuild step, not by per-row saves.
    assert len(list(Document.objects.search("zanzibar")[:100])) == sample.BASE_COUNT
    entries = IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Document),
        object_id__in=[str(pk) for pk in docs.values_list("pk", flat=True)],
    )
    assert entries.count() == sample.BASE_COUNT
    text = out.getvalue()
    assert "documents" in text and "100%" in text
    assert "index wagtaildocs.Document" in text
    assert "Bench data is ready." in text


@pytest.mark.django_db
def test_a_larger_scale_adds_only_the_missing_rows():
    Document = get_document_model()
    seeders = discover_seeders(["bench.tests"])

    command(StringIO()).seed(seeders, scale=0.5)
    command(StringIO()).seed(seeders, scale=1.5)

    assert Document.objects.filter(title__startswith=sample.TITLE_PREFIX).count() == 60


def test_progress_bar_when_piped_prints_every_tenth_and_the_end():
    out = StringIO()

    with Progress(OutputWrapper(out), "posts", 1000) as bar:
        for _ in range(100):
            bar.advance(10)

    lines = out.getvalue().splitlines()
    assert lines[0].strip().startswith("posts")
    assert "0%" in lines[0]
    assert "100% 1000/1000" in lines[-1]
    assert len(lines) == 11  # 0 %, 10 %, … 100 %
