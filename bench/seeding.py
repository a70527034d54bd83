"""Helpers the `<app>/bench_seed.py` seeders share: row counts by scale, the progress
bar, deterministic pseudo-text, shared images with their list renditions made once,
PostgreSQL COPY, id reservation, and the set-based search-index fill (see
bench/README.md, "The search index"). `manage.py seed_bench` discovers the seeders.
"""

from __future__ import annotations

import importlib
import math
import random
import time
from collections.abc import Iterable, Sequence

from django.db import connection

# --- seeders and their progress ----------------------------------------------

# Same order as load_demo: later apps use the members and products earlier ones create.
BENCH_APPS = ["home", "accounts", "blog", "shop", "orders", "gallery"]


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


# --- text and images ------------------------------------------------------------

WORDS = (
    "alpha bravo cedar delta ember falcon garnet harbor indigo juniper kettle lantern "
    "meadow nickel orchard pepper quartz raven saffron timber umber velvet willow "
    "yonder zephyr amber birch copper dune fjord glacier heron island jasper kelp "
    "lagoon marble nectar opal prairie quill ridge summit tundra valley walnut canyon "
    "django wagtail postgres redis celery python search index cache query"
).split()
# Words that occur in few rows: the "rare word" search.
RARE_WORDS = ("xylophone", "quixotic", "zeugma")
IMAGE_COUNT = 4


def _vocabulary(size: int) -> tuple[str, ...]:
    """Made-up words (two or three consonant-vowel syllables) for post texts: with
    ~2,000 words each one is in a few percent of the posts, as in real prose, so the
    "common word" of the search figures is placed on purpose (see blog.bench_seed)."""
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    syllables = [c + v for c in consonants for v in vowels]
    r = random.Random(42)  # noqa: S311 - test data
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(r.choice(syllables) for _ in range(r.choice((2, 3)))))
    return tuple(sorted(words))


VOCABULARY = _vocabulary(2000)


def rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - test data, not security


def sentence(r: random.Random, words: int, vocabulary: Sequence[str] = WORDS) -> str:
    return " ".join(r.choice(vocabulary) for _ in range(words)).capitalize()


def prose(r: random.Random, words: int) -> str:
    return sentence(r, words, VOCABULARY)


def shared_images(prefix: str, specs: Sequence[str]):
    """A few shared Wagtail images (generated once) with the renditions list pages
    use made now, so no bench request renders an image."""
    from core.demo import demo_image

    images = [demo_image(f"{prefix} {n}", seed=90 + n) for n in range(IMAGE_COUNT)]
    for image in images:
        for spec in specs:
            image.get_rendition(spec)
    return images


def reserve_ids(table: str, count: int) -> list[int]:
    """`count` ids from the table's own sequence, so COPY rows can carry their keys."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows into a table (psycopg 3); None becomes NULL."""
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


# --- search index ----------------------------------------------------------------

UPSERT = """
INSERT INTO wagtailsearch_indexentry
  (content_type_id, object_id, title, autocomplete, body, title_norm,
   title_text, body_text)
SELECT %(ct)s, src.id::text, {title}, {autocomplete}, {body}, 1.0,
       {title_text}, {body_text}
FROM {source}
WHERE {where}
ON CONFLICT (content_type_id, object_id) DO UPDATE SET
  title = EXCLUDED.title, autocomplete = EXCLUDED.autocomplete,
  body = EXCLUDED.body, title_norm = 1.0,
  title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
"""


def vector(text_sql: str, weight: str, config: str) -> str:
    """What modelsearch's ObjectIndexer.as_vector makes of one text; an empty text
    contributes nothing (it drops blank texts), which an empty tsvector also does."""
    return f"setweight(to_tsvector('{config}', coalesce({text_sql}, '')), '{weight}')"


def plain(*texts_sql: str) -> str:
    """ObjectIndexer's title_text/body_text: the non-blank texts joined by a space."""
    parts = ", ".join(f"nullif(btrim({t}), '')" for t in texts_sql)
    return f"coalesce(concat_ws(' ', {parts}), '')"


def fill_search_index(
    model,
    *,
    source: str,
    where: str,
    params: dict,
    title: Sequence[tuple[str, str]],
    body: Sequence[tuple[str, str]],
    autocomplete: Sequence[str],
) -> int:
    """Index a model's rows with one INSERT … SELECT instead of `add_items`.

    title/body are (SQL text expression over `src`, weight) pairs in the order of the
    model's search_fields, the weights being what modelsearch's `get_weight(boost)`
    gives; the test in bench/tests/test_search_fill.py compares the entries with the
    backend's own indexing of the same objects. Title norms are refreshed (and the
    table analysed) once by seed_bench at the end.
    """
    from django.contrib.contenttypes.models import ContentType
    from modelsearch.backends import get_search_backend

    backend = get_search_backend()
    config, auto_config = backend.config, backend.autocomplete_config

    def concat(vectors: list[str]) -> str:
        return " || ".join(vectors) if vectors else "''::tsvector"

    sql = UPSERT.format(
        title=concat([vector(t, w, config) for t, w in title]),
        autocomplete=concat([vector(t, "D", auto_config) for t in autocomplete]),
        body=concat([vector(t, w, config) for t, w in body]),
        title_text=plain(*[t for t, _ in title]) if title else "''",
        body_text=plain(*[t for t, _ in body]) if body else "''",
        source=source,
        where=where,
    )
    ct = ContentType.objects.get_for_model(model).pk
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "ct": ct})
        return cursor.rowcount
