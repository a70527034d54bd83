"""`manage.py seed_bench`: the large data set `make bench` measures, built in bulk.

Each app that has bench data keeps it in `<app>/bench_seed.py` with
`seed(command, scale) -> list of indexed models it inserted` (see bench/README.md for
the contract). Seeders insert in bulk and never save row by row through the search
index; this command then fills the search index once, for every model they name.
"""

from __future__ import annotations

import importlib
import math
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Same order as load_demo: later apps use the members and products earlier ones create.
BENCH_APPS = ["home", "accounts", "blog", "shop", "orders", "gallery"]
INDEX_CHUNK_SIZE = 2000


def scaled(base: int, scale: float) -> int:
    """How many rows `base` becomes at `scale` (at least one)."""
    return max(1, round(base * scale))


def discover_seeders(modules: list[str]) -> list[tuple[str, object]]:
    """(name, module) for each `<app>.bench_seed` that exists, in the given order."""
    found = []
    for app_label in modules:
        name = f"{app_label}.bench_seed"
        try:
            found.append((app_label, importlib.import_module(name)))
        except ModuleNotFoundError as exc:
            if exc.name not in (name, app_label):
                raise
    return found


class Progress:
    """A one-line progress bar on a TTY; a line per 10 % when piped (make, CI logs)."""

    width = 30

    def __init__(self, stdout, label: str, total: int):
        self.stdout = stdout
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.started = time.monotonic()
        self.tty = getattr(stdout, "isatty", lambda: False)()
        self._last_tenth = -1
        self._draw()

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        self._draw()

    def _draw(self, *, final: bool = False) -> None:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(self.width * fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        line = (
            f"  {self.label:<24} [{bar}] {fraction:4.0%} {self.done}/{self.total}"
            f" {time.monotonic() - self.started:5.1f}s"
        )
        if self.tty:
            self.stdout.write("\r" + line, ending="\n" if final else "")
            self.stdout.flush()
            return
        tenth = math.floor(fraction * 10)
        if final or tenth > self._last_tenth:
            self._last_tenth = tenth
            self.stdout.write(line)

    def finish(self) -> None:
        self.done = self.total
        if self.tty:
            self._draw(final=True)
        elif self._last_tenth < 10:
            self._draw(final=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.finish()


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

    def progress(self, label: str, total: int) -> Progress:
        """For seeders: `with command.progress("posts", n) as bar: bar.advance(k)`."""
        return Progress(self.stdout, label, total)

    def handle(
        self, *args, scale: float, only: list[str] | None, skip_index: bool, **o
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
