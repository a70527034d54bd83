"""A sample seeder that follows the bench_seed contract (bench/README.md), on Wagtail
documents because they are search-indexed and belong to no app of ours.

The tests discover it as `bench.tests.bench_seed`; real seeders live in
`<app>/bench_seed.py`.
"""

from wagtail.documents import get_document_model
from wagtail.models import Collection

BASE_COUNT = 40
TITLE_PREFIX = "bench-doc"
BATCH_SIZE = 16


def seed(command, scale):
    from bench.seeding import scaled

    Document = get_document_model()
    wanted = scaled(BASE_COUNT, scale)
    # Idempotent: count what an earlier run made and add only the missing rows.
    have = Document.objects.filter(title__startswith=TITLE_PREFIX).count()
    collection = Collection.get_first_root_node()
    with command.progress("documents", max(wanted - have, 0)) as bar:
        for start in range(have, wanted, BATCH_SIZE):
            batch = [
                Document(
                    title=f"{TITLE_PREFIX} {n:05d} zanzibar",
                    file=f"documents/{TITLE_PREFIX}-{n:05d}.pdf",
                    collection=collection,
                )
                for n in range(start, min(start + BATCH_SIZE, wanted))
            ]
            Document.objects.bulk_create(batch)
            bar.advance(len(batch))
    return [Document]
