"""In-process measurements (not HTTP pages): a registry the runner works through.

Each measurement is a function decorated with `@measurement`; it runs with Django set
up under the bench settings and returns a `Measured`. Later work adds search at 10k
and 100k posts, invoice PDFs, CSV export, the Celery drain and the checkout race here,
using the helpers of bench.timing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .timing import time_repeated


@dataclass(frozen=True)
class Measured:
    name: str
    figures: dict[str, float]  # e.g. {"p50_ms": 3.1, "p95_ms": 4.0}
    target: str = ""  # human-readable, e.g. "p95 ≤ 50 ms"
    passed: bool | None = None  # None: no target
    note: str = ""


MEASUREMENTS: list[Callable[[bool], Measured]] = []


def measurement(fn: Callable[[bool], Measured]) -> Callable[[bool], Measured]:
    """Register fn(quick) -> Measured; `quick` asks for fewer repetitions."""
    MEASUREMENTS.append(fn)
    return fn


@dataclass
class Collected:
    results: list[Measured] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_all(*, quick: bool = False, only: set[str] | None = None) -> Collected:
    """Run every registered measurement; one failing does not stop the others."""
    collected = Collected()
    for fn in MEASUREMENTS:
        if only and fn.__name__ not in only:
            continue
        try:
            collected.results.append(fn(quick))
        except Exception as exc:  # noqa: BLE001 - reported in the results, run goes on
            collected.errors.append(f"{fn.__name__}: {type(exc).__name__}: {exc}")
    return collected


@measurement
def search_pages_common_word(quick: bool) -> Measured:
    """Site search as the search view runs it (first page of results), in-process."""
    from wagtail.models import Page

    def search() -> list:
        return list(Page.objects.live().public().search("home")[:10])

    timings = time_repeated(search, repeat=10 if quick else 50, warmup=2)
    p95 = timings.p95_ms
    rows = Page.objects.live().public().count()
    return Measured(
        name="search 'home' over live pages",
        figures={**timings.as_dict(), "pages": rows},
        target="p95 ≤ 50 ms (issue target at 10k posts)",
        passed=p95 <= 50,
        note=f"{rows} live pages today; 10k/100k posts come with the blog seeder",
    )
