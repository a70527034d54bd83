"""`manage.py seed_bench`: the large data set `make bench` measures, built in bulk.

Each app that has bench data keeps it in `<app>/bench_seed.py` with
`seed(command, scale) -> list of indexed models it inserted` (see bench/README.md for
the contract; discovery and the helpers seeders share are in bench/seeding.py).
Seeders insert in bulk and never save row by row through the search index; this
command then fills the search index once, for every model they name.
"""

from __future__ import annotations

import math

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bench.seeding import BENCH_APPS, Progress, discover_seeders
from core.devdb import add_not_production_argument, refuse_unless_development

INDEX_CHUNK_SIZE = 2000


class Command(BaseCommand):
    help = (
        "Build the large benchmark data set in bulk, idempotently (running it again "
        "only adds what is missing), then fill the search index once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiply every row count (0.01: smoke run; 10: 100k posts)",
        )
        parser.add_argument(
            "--only",
            action="append",
            metavar="APP",
            help="seed only this app (repeatable)",
        )
        parser.add_argument(
            "--skip-index", action="store_true", help="leave the search index alone"
        )
        add_not_production_argument(parser)

    def progress(self, label: str, total: int) -> Progress:
        """For seeders: `with command.progress("posts", n) as bar: bar.advance(k)`."""
        return Progress(self.stdout, label, total)

    def handle(
        self,
        *args,
        scale: float,
        only: list[str] | None,
        skip_index: bool,
        not_production: bool = False,
        **o,
    ):
        if not math.isfinite(scale) or scale <= 0:
            raise CommandError(f"--scale must be a positive number, got {scale}")
        apps = BENCH_APPS
        if only:
            unknown = sorted(set(only) - set(BENCH_APPS))
            if unknown:
                raise CommandError(
                    f"unknown app(s) {', '.join(unknown)}; choose from {BENCH_APPS}"
                )
            apps = [app for app in BENCH_APPS if app in only]
        refuse_unless_development(
            not_production=not_production, command_name="seed_bench"
        )
        self.seed(discover_seeders(apps), scale=scale, skip_index=skip_index)

    def seed(self, seeders, *, scale: float, skip_index: bool = False) -> None:
        if not seeders:
            self.stdout.write("seed_bench: no app has a bench_seed module yet.")
            return
        indexed: list = []
        for app_label, module in seeders:
            self.stdout.write(f"seed_bench: {app_label} (scale {scale:g})")
            with transaction.atomic():
                for model in module.seed(self, scale) or []:
                    if model not in indexed:
                        indexed.append(model)
        if not skip_index:
            self.rebuild_index(indexed)
        self.stdout.write(self.style.SUCCESS("Bench data is ready."))

    def rebuild_index(self, models: list) -> None:
        """Index the seeded models' rows in chunks: one multi-row INSERT per chunk.

        Rows already indexed are rewritten in place (ON CONFLICT DO UPDATE), so a
        second run is safe. Title norms are refreshed for the whole table once at the
        end, as `rebuild_modelsearch_index` does, and the table is analysed.
        """
        from django.db import connection
        from modelsearch.backends import get_search_backend
        from wagtail.search.models import IndexEntry

        backend = get_search_backend()
        for model in models:
            index = backend.get_index_for_model(model)
            queryset = model.get_indexed_objects().order_by("pk")
            total = queryset.count()
            label = f"index {model._meta.label}"
            with self.progress(label, total) as bar:
                last_pk = None
                while True:
                    chunk_qs = queryset
                    if last_pk is not None:
                        chunk_qs = chunk_qs.filter(pk__gt=last_pk)
                    chunk = list(chunk_qs[:INDEX_CHUNK_SIZE])
                    if not chunk:
                        break
                    with transaction.atomic():
                        index.add_items(model, chunk)
                    last_pk = chunk[-1].pk
                    bar.advance(len(chunk))
        # Also after seeders that filled the index with their own INSERT … SELECT.
        index = backend.index_class(backend)  # database backends: one index for all
        if hasattr(index, "_refresh_title_norms"):
            index._refresh_title_norms(full=True)
        with connection.cursor() as cursor:
            # Fresh statistics, or the planner judges the GIN indexes by an empty table.
            cursor.execute(f"ANALYZE {IndexEntry._meta.db_table}")
