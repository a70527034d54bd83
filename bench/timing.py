"""In-process measurement helpers for what is not an HTTP page: search queries, invoice
rendering, CSV export, a Celery queue draining, a checkout race.

    timings = time_repeated(lambda: list(run_search("lorem")), repeat=50)
    timings.p50_ms, timings.p95_ms

    memory = measure_memory(lambda: export_csv(queryset, sink))
    memory.peak_rss_growth_mb, memory.traced_peak_mb, memory.result

    with Stopwatch() as watch:
        drain_queue()
    watch.seconds
"""

from __future__ import annotations

import math
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psutil

MB = 1024 * 1024


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Timings:
    samples_ms: tuple[float, ...]

    @property
    def p50_ms(self) -> float:
        return percentile(self.samples_ms, 50)

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def mean_ms(self) -> float:
        return sum(self.samples_ms) / len(self.samples_ms)

    def as_dict(self) -> dict[str, float]:
        return {
            "runs": len(self.samples_ms),
            "p50_ms": round(self.p50_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "mean_ms": round(self.mean_ms, 3),
            "min_ms": round(min(self.samples_ms), 3),
            "max_ms": round(max(self.samples_ms), 3),
        }


def time_repeated(
    fn: Callable[[], Any], *, repeat: int = 30, warmup: int = 3
) -> Timings:
    """Run fn `warmup` times unmeasured, then `repeat` times, timing each run."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Timings(tuple(samples))


class Stopwatch:
    """Wall-clock time of a block, for one-shot measurements (a queue draining)."""

    def __enter__(self) -> Stopwatch:
        self.seconds = 0.0
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        self.seconds = time.perf_counter() - self._start


@dataclass(frozen=True)
class MemoryGrowth:
    rss_before_bytes: int
    rss_peak_bytes: int
    traced_peak_bytes: int
    seconds: float
    result: Any = None

    @property
    def peak_rss_growth_mb(self) -> float:
        return max(0, self.rss_peak_bytes - self.rss_before_bytes) / MB

    @property
    def traced_peak_mb(self) -> float:
        return self.traced_peak_bytes / MB

    def as_dict(self) -> dict[str, float]:
        return {
            "peak_rss_growth_mb": round(self.peak_rss_growth_mb, 2),
            "traced_peak_mb": round(self.traced_peak_mb, 2),
            "seconds": round(self.seconds, 3),
        }


def measure_memory(
    fn: Callable[[], Any], *, interval_s: float = 0.005, trace: bool = True
) -> MemoryGrowth:
    """Run fn once and report how far the process's RSS rose above where it started.

    RSS is sampled by a thread every `interval_s` (ru_maxrss is a lifetime peak, so it
    cannot show the growth of one call). tracemalloc adds the peak of Python
    allocations, which shows a leak or a list built in memory even when the allocator
    reuses pages; it slows the call down, so time it separately.
    """
    process = psutil.Process()
    before = process.memory_info().rss
    peak = before
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, process.memory_info().rss)
            stop.wait(interval_s)

    sampler = threading.Thread(target=sample, name="bench-rss-sampler", daemon=True)
    if trace:
        tracemalloc.start()
    sampler.start()
    start = time.perf_counter()
    try:
        result = fn()
    finally:
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
        peak = max(peak, process.memory_info().rss)
        traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
    return MemoryGrowth(
        rss_before_bytes=before,
        rss_peak_bytes=peak,
        traced_peak_bytes=traced_peak,
        seconds=seconds,
        result=result,
    )
