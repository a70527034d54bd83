"""Turning a run into bench/results/latest.json, latest.md and the README's table."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .inprocess import PreparedTarget
from .measurements import Measured
from .wrk import WrkResult

README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"


@dataclass(frozen=True)
class UrlResult:
    prepared: PreparedTarget
    wrk: WrkResult
    bare_before: WrkResult
    bare_after: WrkResult

    @property
    def bare_rps(self) -> float:
        """The baseline for this URL: the mean of the bare runs on either side of it."""
        return (self.bare_before.requests_per_s + self.bare_after.requests_per_s) / 2

    @property
    def ratio(self) -> float:
        return self.wrk.requests_per_s / self.bare_rps if self.bare_rps else 0.0


def verdict(
    *,
    ratio: float,
    queries: int | None,
    min_ratio: float | None,
    max_queries: int | None,
    errors: int,
    status: int | None,
) -> str:
    """ "pass", "FAIL" (with what failed) or "—" when the URL has no target."""
    failures = []
    if status is not None and status >= 400:
        failures.append(f"HTTP {status}")
    if errors:
        failures.append(f"{errors} errors")
    if min_ratio is not None and ratio < min_ratio:
        failures.append(f"ratio < {min_ratio:g}")
    if max_queries is not None and (queries is None or queries > max_queries):
        failures.append(f"queries > {max_queries}")
    if failures:
        return "FAIL (" + ", ".join(failures) + ")"
    if min_ratio is None and max_queries is None:
        return "—"
    return "pass"


def target_text(min_ratio: float | None, max_queries: int | None) -> str:
    parts = []
    if min_ratio is not None:
        parts.append(f"≥ {min_ratio:g}× bare")
    if max_queries is not None:
        parts.append(f"≤ {max_queries} queries")
    return ", ".join(parts) or "—"


def url_row(rounds: list[UrlResult]) -> dict[str, Any]:
    """One table row from one or more rounds of the same URL (medians over rounds)."""
    first = rounds[0]
    prepared, target = first.prepared, first.prepared.target
    ratio = statistics.median(r.ratio for r in rounds)
    errors = sum(r.wrk.errors for r in rounds)
    return {
        "name": target.name,
        "method": target.method,
        "path": prepared.path,
        "status": prepared.status,
        "rounds": len(rounds),
        "requests_per_s": round(
            statistics.median(r.wrk.requests_per_s for r in rounds), 1
        ),
        "p50_ms": round(statistics.median(r.wrk.p50_ms for r in rounds), 2),
        "p99_ms": round(statistics.median(r.wrk.p99_ms for r in rounds), 2),
        "requests": sum(r.wrk.requests for r in rounds),
        "errors": errors,
        "bare_requests_per_s": round(statistics.median(r.bare_rps for r in rounds), 1),
        "ratio": round(ratio, 3),
        "ratio_per_round": [round(r.ratio, 3) for r in rounds],
        "adjacent_bare_per_round": [
            [
                round(r.bare_before.requests_per_s, 1),
                round(r.bare_after.requests_per_s, 1),
            ]
            for r in rounds
        ],
        "queries": prepared.queries,
        "queries_first": prepared.queries_first,
        "target": target_text(target.min_ratio, target.max_queries),
        "verdict": verdict(
            ratio=ratio,
            queries=prepared.queries,
            min_ratio=target.min_ratio,
            max_queries=target.max_queries,
            errors=errors,
            status=prepared.status,
        ),
        "note": target.note,
    }


def group_rounds(results: list[UrlResult]) -> list[list[UrlResult]]:
    """Results of the same target together, in the order the targets first ran."""
    groups: dict[str, list[UrlResult]] = {}
    for result in results:
        groups.setdefault(result.prepared.target.name, []).append(result)
    return list(groups.values())


def build_report(
    *,
    results: list[UrlResult],
    bare_runs: list[WrkResult],
    measurements: list[Measured],
    measurement_errors: list[str],
    meta: dict[str, Any],
) -> dict[str, Any]:
    bare_rps = [run.requests_per_s for run in bare_runs]
    return {
        "meta": meta,
        "bare": {
            "runs": len(bare_runs),
            "requests_per_s_median": round(statistics.median(bare_rps), 1)
            if bare_rps
            else None,
            "requests_per_s": [round(v, 1) for v in bare_rps],
            "p50_ms_median": round(statistics.median(r.p50_ms for r in bare_runs), 2)
            if bare_runs
            else None,
            "p99_ms_median": round(statistics.median(r.p99_ms for r in bare_runs), 2)
            if bare_runs
            else None,
        },
        "urls": [url_row(rounds) for rounds in group_rounds(results)],
        "measurements": [
            {
                "name": m.name,
                "figures": m.figures,
                "target": m.target,
                "verdict": "—"
                if m.passed is None
                else ("pass" if m.passed else "FAIL"),
                "note": m.note,
            }
            for m in measurements
        ],
        "measurement_errors": measurement_errors,
    }


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|")


def render_markdown(report: dict[str, Any]) -> str:
    meta, bare = report["meta"], report["bare"]
    n_rounds = meta.get("rounds", 1)
    rounds = f", {n_rounds} rounds" if n_rounds > 1 else ""
    median = " (figures: median over the rounds)" if n_rounds > 1 else ""
    load = meta.get("load_average_at_start")
    load_text = f" (load average {load[0]:g} at start)" if load else ""
    lines = [
        f"Measured {meta['date']} on {meta['cores']} cores ({meta['cpu']}){load_text}, "
        f"{meta['server']}; wrk {meta['connections']} connections, "
        f"{meta['seconds']} s per URL after {meta['warmup']} s warm-up, each URL "
        f"between two bare-view runs{rounds}. Ratio = req/s ÷ mean of the adjacent "
        f"bare runs{median}.",
        "",
        "| URL | req/s | p50 | p99 | ratio to bare | queries/request | target | "
        "pass/fail |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    if bare["runs"]:
        lines.append(
            f"| bare view `/__bench__/bare/` (median of {bare['runs']} runs) | "
            f"{bare['requests_per_s_median']:.0f} | {bare['p50_ms_median']:.1f} ms | "
            f"{bare['p99_ms_median']:.1f} ms | 1.00 | 0 | — | — |"
        )
    for row in report["urls"]:
        method = "" if row["method"] == "GET" else f"{row['method']} "
        queries = "?" if row["queries"] is None else row["queries"]
        lines.append(
            f"| {_cell(row['name'])} `{method}{_cell(row['path'])}` | "
            f"{row['requests_per_s']:.0f} | {row['p50_ms']:.1f} ms | "
            f"{row['p99_ms']:.1f} ms | {row['ratio']:.2f} | {queries} | "
            f"{_cell(row['target'])} | {_cell(row['verdict'])} |"
        )
    if report["measurements"] or report["measurement_errors"]:
        lines += [
            "",
            "| in-process measurement | figures | target | pass/fail |",
            "| --- | --- | --- | --- |",
        ]
        for m in report["measurements"]:
            figures = ", ".join(f"{k} {v}" for k, v in m["figures"].items())
            lines.append(
                f"| {_cell(m['name'])} | {_cell(figures)} | "
                f"{_cell(m['target'] or '—')} | {m['verdict']} |"
            )
        for error in report["measurement_errors"]:
            lines.append(f"| {_cell(error)} | — | — | FAIL (error) |")
    return "\n".join(lines) + "\n"


def write_results(report: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "latest.json", directory / "latest.md"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(render_markdown(report))
    return json_path, md_path


def replace_between_markers(text: str, content: str) -> str:
    """Put `content` between the README markers, keeping the markers themselves."""
    start = text.find(README_START)
    end = text.find(README_END)
    if start == -1 or end == -1 or end < start:
        raise ValueError(f"README needs {README_START} … {README_END}, in that order")
    head = text[: start + len(README_START)]
    return f"{head}\n{content.strip()}\n{text[end:]}"


def update_readme(readme: Path, markdown: str) -> None:
    readme.write_text(replace_between_markers(readme.read_text(), markdown))
