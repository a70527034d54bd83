"""The in-process helpers: percentiles, repeated timing, memory growth."""

import pytest

from bench.timing import MB, Stopwatch, measure_memory, percentile, time_repeated


def test_percentile_interpolates_between_ranks():
    values = [5, 1, 4, 2, 3]

    assert percentile(values, 50) == 3
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 5
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0


def test_percentile_refuses_nonsense():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_time_repeated_runs_warmup_then_measured_runs():
    calls = []

    timings = time_repeated(lambda: calls.append(1), repeat=7, warmup=2)

    assert len(calls) == 9
    assert len(timings.samples_ms) == 7
    assert timings.as_dict()["runs"] == 7
    assert min(timings.samples_ms) <= timings.p50_ms <= timings.p95_ms
    with pytest.raises(ValueError):
        time_repeated(lambda: None, repeat=0)


def test_measure_memory_sees_a_large_allocation_and_returns_the_result():
    def allocate():
        block = bytearray(64 * MB)
        block[::4096] = b"x" * len(block[::4096])  # touch every page
        # Returned, so it is still resident at the final sample even when the
        # sampler thread gets no turn on a busy machine.
        return block

    memory = measure_memory(allocate)

    assert len(memory.result) == 64 * MB
    assert memory.traced_peak_mb >= 60
    assert memory.peak_rss_growth_mb >= 30
    assert set(memory.as_dict()) == {"peak_rss_growth_mb", "traced_peak_mb", "seconds"}


def test_stopwatch_measures_a_block():
    with Stopwatch() as watch:
        sum(range(1000))

    assert watch.seconds >= 0
