"""Turning a run into bench/results/latest.json, latest.md and the README's table."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .inprocess import PreparedTarget
from .measurements import Measured
from .targets import SCENARIOS
from .writer import WriterFigures
from .wrk import WrkResult

README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"
BASELINE = (
    "the startproject-sized bare app (bench/bare/: DEBUG off, startproject's "
    "INSTALLED_APPS and MIDDLEWARE, no database, one view returning an HttpResponse), "
    "served by a second gunicorn with the same flags"
)
# A "(during writes)" row only counts when the writer did (nearly) all the writes and
# checkouts its schedule called for.
WRITER_MIN_SHARE = 0.9


@dataclass(frozen=True)
class UrlResult:
    prepared: PreparedTarget
    wrk: WrkResult
    bare_before: WrkResult
    bare_after: WrkResult
    writer: WriterFigures | None = None  # the writer's figures for this run, if any

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
    uncached_hits: int = 0,
    writer_problems: list[str] | None = None,
) -> str:
    """ "pass", "FAIL" (with what failed) or "—" when the URL has no target."""
    failures = []
    if status is not None and status >= 400:
        failures.append(f"HTTP {status}")
    if errors:
        failures.append(f"{errors} errors")
    if uncached_hits:
        failures.append(f"{uncached_hits} page-cache hits on an uncached row")
    failures += writer_problems or []
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


def page_cache_counts(runs: list[WrkResult]) -> dict[str, int] | None:
    """X-Page-Cache counts summed over runs; None if no run counted them."""
    counted = [run.page_cache for run in runs if run.page_cache is not None]
    if not counted:
        return None
    return {key: sum(c.get(key, 0) for c in counted) for key in ("hit", "miss", "none")}


def hit_rate(counts: dict[str, int] | None) -> float | None:
    """Share of responses served from the page cache (bypassed ones count as not)."""
    if not counts or not sum(counts.values()):
        return None
    return counts["hit"] / sum(counts.values())


def writer_summary(figures: list[WriterFigures]) -> dict[str, Any] | None:
    """The writer over several runs: totals, and rates over the total time."""
    if not figures:
        return None
    seconds = sum(f.seconds for f in figures)
    writes = sum(f.writes for f in figures)
    checkouts = sum(f.checkouts for f in figures)
    return {
        "seconds": round(seconds, 1),
        "writes": writes,
        "checkouts": checkouts,
        "errors": sum(f.errors for f in figures),
        "scheduled_writes": sum(f.scheduled_writes for f in figures),
        "scheduled_checkouts": sum(f.scheduled_checkouts for f in figures),
        "writes_per_s": round(writes / seconds, 2) if seconds else 0.0,
        "checkouts_per_s": round(checkouts / seconds, 2) if seconds else 0.0,
        "target_writes_per_s": figures[0].target_writes_per_s,
        "target_checkouts_per_s": figures[0].target_checkouts_per_s,
        "error_samples": [s for f in figures for s in f.error_samples][:10],
    }


def writer_problems(summary: dict[str, Any] | None) -> list[str]:
    """Why a "(during writes)" row did not run under the promised writes."""
    if summary is None:
        return []
    problems = []
    if summary["errors"]:
        problems.append(f"writer: {summary['errors']} errors")
    for kind in ("writes", "checkouts"):
        done, scheduled = summary[kind], summary[f"scheduled_{kind}"]
        if done < WRITER_MIN_SHARE * scheduled:
            problems.append(f"writer: {done} of {scheduled} {kind}")
    return problems


def url_row(rounds: list[UrlResult]) -> dict[str, Any]:
    """One table row from one or more rounds of the same URL (medians over rounds)."""
    first = rounds[0]
    prepared, target = first.prepared, first.prepared.target
    ratio = statistics.median(r.ratio for r in rounds)
    errors = sum(r.wrk.errors for r in rounds)
    counts = page_cache_counts([r.wrk for r in rounds])
    writer = writer_summary([r.writer for r in rounds if r.writer is not None])
    if target.during_writes and writer is None:
        writer_issues = ["writer did not run"]
    else:
        writer_issues = writer_problems(writer)
    rate = hit_rate(counts)
    row = {
        "name": target.name,
        "scenario": target.scenario,
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
        "page_cache": counts,
        "hit_rate": None if rate is None else round(rate, 4),
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
            uncached_hits=(counts or {}).get("hit", 0) if target.cache_bust else 0,
            writer_problems=writer_issues,
        ),
        "note": target.note,
    }
    if writer is not None:
        row["writer"] = writer
        row["writer_per_round"] = [r.writer.as_dict() for r in rounds if r.writer]
    return row


def group_rounds(results: list[UrlResult]) -> list[list[UrlResult]]:
    """Results of the same target together, in the order the targets first ran."""
    groups: dict[str, list[UrlResult]] = {}
    for result in results:
        groups.setdefault(result.prepared.target.name, []).append(result)
    return list(groups.values())


def scenario_summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per scenario (in SCENARIOS order, then any other): its rows' verdicts, its
    page-cache hit rate over all responses, and for the writes its writer."""
    keys = list(SCENARIOS) + [
        r["scenario"] for r in rows if r["scenario"] not in SCENARIOS
    ]
    summaries = []
    for key in dict.fromkeys(keys):
        members = [r for r in rows if r["scenario"] == key]
        if not members:
            continue
        title, goal = SCENARIOS.get(key, (key, ""))
        counts = [r["page_cache"] for r in members if r["page_cache"]]
        totals = (
            {k: sum(c[k] for c in counts) for k in ("hit", "miss", "none")}
            if counts
            else None
        )
        rate = hit_rate(totals)
        writers = [r["writer"] for r in members if r.get("writer")]
        summary = {
            "key": key,
            "title": title,
            "goal": goal,
            "rows": len(members),
            "passed": sum(1 for r in members if r["verdict"] == "pass"),
            "failed": sum(1 for r in members if r["verdict"].startswith("FAIL")),
            "page_cache": totals,
            "hit_rate": None if rate is None else round(rate, 4),
        }
        if writers:
            seconds = sum(w["seconds"] for w in writers)
            writes = sum(w["writes"] for w in writers)
            checkouts = sum(w["checkouts"] for w in writers)
            summary["writer"] = {
                "seconds": round(seconds, 1),
                "writes_per_s": round(writes / seconds, 2) if seconds else 0.0,
                "checkouts_per_s": round(checkouts / seconds, 2) if seconds else 0.0,
                "errors": sum(w["errors"] for w in writers),
                "writes": writes,
                "scheduled_writes": sum(w["scheduled_writes"] for w in writers),
                "checkouts": checkouts,
                "scheduled_checkouts": sum(w["scheduled_checkouts"] for w in writers),
                "target_writes_per_s": writers[0]["target_writes_per_s"],
                "target_checkouts_per_s": writers[0]["target_checkouts_per_s"],
            }
        summaries.append(summary)
    return summaries


def build_report(
    *,
    results: list[UrlResult],
    bare_runs: list[WrkResult],
    measurements: list[Measured],
    measurement_errors: list[str],
    meta: dict[str, Any],
) -> dict[str, Any]:
    bare_rps = [run.requests_per_s for run in bare_runs]
    rows = [url_row(rounds) for rounds in group_rounds(results)]
    return {
        "meta": meta,
        "bare": {
            "baseline": BASELINE,
            "path": "/",
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
            "errors": sum(r.errors for r in bare_runs),
        },
        "scenarios": scenario_summaries(rows),
        "urls": rows,
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


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


def _writer_text(writer: dict[str, Any]) -> str:
    return (
        f"{writer['writes_per_s']:g} writes/s (of {writer['target_writes_per_s']:g}), "
        f"{writer['checkouts_per_s']:g} checkouts/s "
        f"(of {writer['target_checkouts_per_s']:g}), {writer['errors']} errors"
    )


def _scenario_table(summary: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    heading = f"**{summary['title']}**"
    if summary["goal"]:
        heading += f" — target {summary['goal']}"
    heading += f"; page-cache hit rate {_percent(summary['hit_rate'])}"
    if summary.get("writer"):
        heading += f"; writer: {_writer_text(summary['writer'])}"
    writes = any(r.get("writer") for r in rows)
    columns = [
        "URL",
        "req/s",
        "p50",
        "p99",
        "ratio to bare",
        "queries/request",
        "cache hits",
    ]
    align = ["---", "---:", "---:", "---:", "---:", "---:", "---:"]
    if writes:
        columns.append("writer")
        align.append("---")
    columns += ["target", "pass/fail"]
    align += ["---", "---"]
    lines = [
        heading + ".",
        "",
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join(align) + " |",
    ]
    for row in rows:
        method = "" if row["method"] == "GET" else f"{row['method']} "
        queries = "?" if row["queries"] is None else row["queries"]
        cells = [
            f"{_cell(row['name'])} `{method}{_cell(row['path'])}`",
            f"{row['requests_per_s']:.0f}",
            f"{row['p50_ms']:.1f} ms",
            f"{row['p99_ms']:.1f} ms",
            f"{row['ratio']:.2f}",
            str(queries),
            _percent(row.get("hit_rate")),
        ]
        if writes:
            writer = row.get("writer")
            cells.append(
                f"{writer['writes_per_s']:g} w/s, {writer['checkouts_per_s']:g} "
                f"c/s, {writer['errors']} err"
                if writer
                else "—"
            )
        cells += [_cell(row["target"]), _cell(row["verdict"])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    meta, bare = report["meta"], report["bare"]
    n_rounds = meta.get("rounds", 1)
    rounds = f", {n_rounds} rounds" if n_rounds > 1 else ""
    median = " (figures: median over the rounds)" if n_rounds > 1 else ""
    load = meta.get("load_average_at_start")
    load_text = f" (load average {load[0]:g} at start)" if load else ""
    rows = report["urls"]
    passed = sum(1 for r in rows if r["verdict"] == "pass")
    failed = sum(1 for r in rows if r["verdict"].startswith("FAIL"))
    lines = [
        f"Measured {meta['date']} on {meta['cores']} cores ({meta['cpu']}){load_text}, "
        f"{meta['server']}; wrk {meta['connections']} connections, "
        f"{meta['seconds']} s per URL after {meta['warmup']} s warm-up, each URL "
        f"between two runs of the baseline{rounds}. Ratio = req/s ÷ mean of the "
        f"adjacent baseline runs{median}. Baseline: {BASELINE}. "
        f"Cache hits: share of responses with `X-Page-Cache: hit`, counted by wrk. "
        f"URL targets: {passed} pass, {failed} fail.",
        "",
        "| baseline | req/s | p50 | p99 | runs |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    if bare["runs"]:
        lines.append(
            f"| startproject bare view `/` (median) | "
            f"{bare['requests_per_s_median']:.0f} | {bare['p50_ms_median']:.1f} ms | "
            f"{bare['p99_ms_median']:.1f} ms | {bare['runs']} |"
        )
    summaries = report.get("scenarios") or scenario_summaries(rows)
    for summary in summaries:
        members = [r for r in rows if r["scenario"] == summary["key"]]
        lines += ["", *_scenario_table(summary, members)]
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
