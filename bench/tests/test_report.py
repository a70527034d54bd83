"""Ratios, verdicts, the Markdown table and the README splice."""

import json
from pathlib import Path

import pytest

from bench.inprocess import PreparedTarget
from bench.measurements import Measured
from bench.report import (
    README_END,
    README_START,
    UrlResult,
    build_report,
    render_markdown,
    replace_between_markers,
    verdict,
    write_results,
)
from bench.targets import ANONYMOUS, WRITES, Target
from bench.writer import WriterFigures
from bench.wrk import WrkResult


def wrk(rps: float, *, p50: float = 2.0, p99: float = 9.0, non_2xx: int = 0):
    return WrkResult(
        requests=int(rps * 10),
        duration_s=10.0,
        requests_per_s=rps,
        latency_avg_ms=p50,
        latency_ms={50: p50, 75: p50, 90: p99, 99: p99},
        non_2xx_3xx=non_2xx,
    )


META = {
    "date": "2026-11-25 13:00 UTC",
    "cores": 2,
    "cpu": "Test CPU",
    "load_average_at_start": [3.5, 2.0, 1.0],
    "server": "gunicorn gthread 2 workers × 4 threads, production settings",
    "connections": 8,
    "seconds": 10.0,
    "warmup": 3.0,
}


def a_report(tmp_path=None):
    home = PreparedTarget(
        target=Target(name="home", path="/", min_ratio=0.5, max_queries=3),
        path="/",
        status=200,
        queries=2,
    )
    add = PreparedTarget(
        target=Target(name="add to cart", path="/cart/add/1/", method="POST"),
        path="/cart/add/1/",
        status=302,
        queries=5,
    )
    bares = [wrk(2000), wrk(1800), wrk(2200)]
    results = [
        UrlResult(
            prepared=home, wrk=wrk(1140), bare_before=bares[0], bare_after=bares[1]
        ),
        UrlResult(
            prepared=add, wrk=wrk(500), bare_before=bares[1], bare_after=bares[2]
        ),
    ]
    return build_report(
        results=results,
        bare_runs=bares,
        measurements=[
            Measured(
                name="search",
                figures={"p95_ms": 12.5},
                target="p95 ≤ 50 ms",
                passed=True,
            )
        ],
        measurement_errors=["invoice: OSError: boom"],
        meta=META,
    )


def test_ratio_is_to_the_mean_of_the_two_adjacent_bare_runs():
    report = a_report()

    home = report["urls"][0]
    assert home["bare_requests_per_s"] == 1900.0
    assert home["ratio"] == pytest.approx(0.6)
    assert home["verdict"] == "pass"
    assert report["urls"][1]["ratio"] == pytest.approx(0.25)
    assert report["bare"]["requests_per_s_median"] == 2000.0


def test_rounds_of_one_url_make_one_row_of_medians():
    home = PreparedTarget(target=Target(name="home", path="/", min_ratio=0.5), path="/")
    bares = [wrk(1000), wrk(1000), wrk(3000), wrk(1000)]
    rounds = [
        UrlResult(
            prepared=home, wrk=wrk(400), bare_before=bares[0], bare_after=bares[1]
        ),
        UrlResult(
            prepared=home, wrk=wrk(1200), bare_before=bares[1], bare_after=bares[2]
        ),
        UrlResult(
            prepared=home, wrk=wrk(900), bare_before=bares[2], bare_after=bares[3]
        ),
    ]

    report = build_report(
        results=rounds,
        bare_runs=bares,
        measurements=[],
        measurement_errors=[],
        meta={**META, "rounds": 3},
    )

    (row,) = report["urls"]
    assert row["ratio_per_round"] == [0.4, 0.6, 0.45]
    assert row["ratio"] == 0.45
    assert row["requests_per_s"] == 900
    assert row["verdict"] == "FAIL (ratio < 0.5)"
    assert "3 rounds" in render_markdown(report)


def test_verdicts_name_what_failed():
    common = {"queries": 4, "errors": 0, "status": 200}

    assert verdict(ratio=0.4, min_ratio=0.5, max_queries=3, **common) == (
        "FAIL (ratio < 0.5, queries > 3)"
    )
    assert verdict(ratio=0.9, min_ratio=None, max_queries=None, **common) == "—"
    assert (
        verdict(
            ratio=0.9, queries=1, min_ratio=None, max_queries=None, errors=7, status=500
        )
        == "FAIL (HTTP 500, 7 errors)"
    )
    assert verdict(ratio=0.5, min_ratio=0.5, max_queries=4, **common) == "pass"


def test_markdown_table_has_one_row_per_url_plus_the_baseline():
    markdown = render_markdown(a_report())

    lines = markdown.splitlines()
    assert "on 2 cores (Test CPU) (load average 3.5 at start)" in lines[0]
    assert "2026-11-25" in lines[0]
    assert "startproject-sized bare app" in lines[0]
    assert "| startproject bare view `/` (median) | 2000 | 2.0 ms | 9.0 ms | 3 |" in (
        markdown
    )
    header = next(line for line in lines if line.startswith("| URL |"))
    for column in (
        "req/s",
        "p50",
        "p99",
        "ratio to bare",
        "queries/request",
        "cache hits",
        "target",
    ):
        assert column in header
    assert (
        "| home `/` | 1140 | 2.0 ms | 9.0 ms | 0.60 | 2 | — | "
        "≥ 0.5× bare, ≤ 3 queries | pass |" in markdown
    )
    assert "| add to cart `POST /cart/add/1/` | 500 |" in markdown
    assert "| search | p95_ms 12.5 | p95 ≤ 50 ms | pass |" in markdown
    assert "| invoice: OSError: boom | — | — | FAIL (error) |" in markdown


def test_results_are_written_as_json_and_markdown(tmp_path: Path):
    json_path, md_path = write_results(a_report(), tmp_path / "results")

    data = json.loads(json_path.read_text())
    assert data["meta"]["cores"] == 2
    assert [row["name"] for row in data["urls"]] == ["home", "add to cart"]
    assert md_path.read_text() == render_markdown(data)


def test_readme_table_is_replaced_between_the_markers_only():
    readme = (
        f"# Title\n\n## Performance\n\nIntro.\n\n"
        f"{README_START}\nold table\n{README_END}\n\nAfter.\n"
    )

    once = replace_between_markers(readme, "| new | table |\n")
    twice = replace_between_markers(once, "| newer | table |")

    assert once == readme.replace("old table", "| new | table |")
    assert twice == readme.replace("old table", "| newer | table |")


def test_readme_without_markers_is_refused():
    with pytest.raises(ValueError, match="bench:start"):
        replace_between_markers("# no markers here\n", "table")
    with pytest.raises(ValueError):
        replace_between_markers(f"{README_END}\n{README_START}\n", "table")


def test_the_project_readme_has_the_markers():
    readme = Path(__file__).resolve().parents[2] / "README.md"

    text = readme.read_text()
    assert replace_between_markers(text, "x").count(README_START) == 1


def counted(rps: float, *, hit: int, miss: int = 0, none: int = 0) -> WrkResult:
    base = wrk(rps)
    return WrkResult(
        requests=base.requests,
        duration_s=base.duration_s,
        requests_per_s=rps,
        latency_avg_ms=base.latency_avg_ms,
        latency_ms=base.latency_ms,
        page_cache={"hit": hit, "miss": miss, "none": none},
    )


def writer_figures(*, writes=50, checkouts=10, errors=0, seconds=10.0):
    return WriterFigures(
        seconds=seconds,
        writes=writes,
        checkouts=checkouts,
        errors=errors,
        target_writes_per_s=5.0,
        target_checkouts_per_s=1.0,
        scheduled_writes=50,
        scheduled_checkouts=10,
        error_samples=["comment: HTTP 403 (expected 302)"] if errors else [],
    )


def scenario_report(*, writer: WriterFigures | None, uncached_hits: int = 0):
    bare = wrk(2000)

    def result(target: Target, run: WrkResult, **extra) -> UrlResult:
        prepared = PreparedTarget(
            target=target, path=target.path, status=200, queries=0
        )
        return UrlResult(
            prepared=prepared, wrk=run, bare_before=bare, bare_after=bare, **extra
        )

    results = [
        result(
            Target(name="home", path="/", scenario=ANONYMOUS, min_ratio=0.5),
            counted(1200, hit=990, miss=10),
        ),
        result(
            Target(name="home (uncached)", path="/", cache_bust=True, min_ratio=0.1),
            counted(300, hit=uncached_hits, none=100 - uncached_hits),
        ),
        result(
            Target(
                name="home (during writes)",
                path="/",
                during_writes=True,
                scenario=WRITES,
                min_ratio=0.3,
            ),
            counted(700, hit=600, miss=400),
            writer=writer,
        ),
    ]
    return build_report(
        results=results,
        bare_runs=[bare, bare],
        measurements=[],
        measurement_errors=[],
        meta=META,
    )


def test_hit_rate_per_row_and_per_scenario_from_the_counted_headers():
    report = scenario_report(writer=writer_figures())

    rows = {row["name"]: row for row in report["urls"]}
    assert rows["home"]["hit_rate"] == 0.99
    assert rows["home"]["page_cache"] == {"hit": 990, "miss": 10, "none": 0}
    assert rows["home (during writes)"]["hit_rate"] == 0.6
    scenarios = {s["key"]: s for s in report["scenarios"]}
    assert list(scenarios) == [ANONYMOUS, WRITES]  # in SCENARIOS order
    assert scenarios[WRITES]["hit_rate"] == 0.6
    assert scenarios[ANONYMOUS]["rows"] == 2
    assert scenarios[ANONYMOUS]["passed"] == 2
    assert scenarios[WRITES]["writer"]["scheduled_writes"] == 50
    assert scenarios[WRITES]["writer"]["writes"] == 50


def test_a_page_cache_hit_on_an_uncached_row_fails_it():
    report = scenario_report(writer=writer_figures(), uncached_hits=3)

    row = next(r for r in report["urls"] if r["name"] == "home (uncached)")
    assert row["verdict"] == "FAIL (3 page-cache hits on an uncached row)"


def test_writes_rows_report_the_writer_and_fail_when_it_fell_short():
    good = scenario_report(writer=writer_figures())
    slow = scenario_report(writer=writer_figures(writes=20, checkouts=10, errors=2))
    missing = scenario_report(writer=None)

    def writes_row(report):
        return next(r for r in report["urls"] if r["scenario"] == WRITES)

    row = writes_row(good)
    assert row["verdict"] == "pass"
    assert row["writer"]["writes_per_s"] == 5.0
    assert row["writer"]["checkouts_per_s"] == 1.0
    assert writes_row(slow)["verdict"] == (
        "FAIL (writer: 2 errors, writer: 20 of 50 writes)"
    )
    assert writes_row(slow)["writer"]["error_samples"] == [
        "comment: HTTP 403 (expected 302)"
    ]
    assert writes_row(missing)["verdict"] == "FAIL (writer did not run)"
    markdown = render_markdown(good)
    assert (
        "check out (bench/writer.py)** — target ≥ 0.3×; page-cache hit rate 60 %; "
        "writer: 5 writes/s (of 5), 1 checkouts/s (of 1), 0 errors." in markdown
    )
    assert (
        "| home (during writes) `/` | 700 | 2.0 ms | 9.0 ms | 0.35 | 0 | 60 % | "
        "5 w/s, 1 c/s, 0 err | ≥ 0.3× bare | pass |" in markdown
    )
    assert "URL targets: 3 pass, 0 fail." in markdown.splitlines()[0]
