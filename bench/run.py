"""`make bench`: serve the site with gunicorn, load each URL with wrk between runs of
the startproject-sized bare app (a second gunicorn, same flags), with members writing
through bench/writer.py for the "(during writes)" rows; count SQL queries per request
in-process, run the in-process measurements, and write bench/results/latest.{json,md}
and the README's table.

    python -m bench.run [--quick] [--seconds N] [--only NAME …] [--scenario KEY …]
                        [--no-readme]

Needs DATABASE_URL and REDIS_URL (the Makefile runs it through devtools.localservices).
Environment: BENCH_SECONDS (per URL), BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_ROUNDS,
BENCH_SCALE, BENCH_WRITES_PER_S, BENCH_CHECKOUTS_PER_S.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import measurements
from .inprocess import prepare
from .report import (
    UrlResult,
    build_report,
    render_markdown,
    update_readme,
    write_results,
)
from .server import (
    BARE_PATH,
    BARE_WSGI,
    BASE_DIR,
    GunicornServer,
    bare_environment,
    bench_environment,
)
from .targets import CACHE_BUST_PARAM, SCENARIOS, TARGETS
from .writer import COMMENT_EMAIL_DOMAIN, WriterProcess, build_plan
from .wrk import WrkError, WrkResult, lua_script, run_wrk, wrk_binary

RESULTS_DIR = BASE_DIR / "bench" / "results"
README = BASE_DIR / "README.md"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def manage(env: dict[str, str], *arguments: str) -> None:
    command = [sys.executable, str(BASE_DIR / "manage.py"), *arguments]
    if subprocess.call(command, env=env, cwd=BASE_DIR) != 0:  # noqa: S603
        raise SystemExit(
            f"[bench] `manage.py {' '.join(arguments)}` failed; see above."
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 s per URL")
    parser.add_argument("--seconds", type=float, help="seconds per URL (default 10)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds before each run")
    parser.add_argument("--connections", type=int, help="wrk connections (default 8)")
    parser.add_argument(
        "--rounds", type=int, help="alternating rounds over all URLs (default 1)"
    )
    parser.add_argument(
        "--only", action="append", help="only the URL targets with this name"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help="only the URL targets of this scenario (repeatable)",
    )
    parser.add_argument(
        "--writes-per-s",
        type=float,
        help="member writes per second during the writes scenario (default 5)",
    )
    parser.add_argument(
        "--checkouts-per-s",
        type=float,
        help="checkouts per second during the writes scenario (default 1)",
    )
    parser.add_argument("--scale", help="seed_bench --scale (default BENCH_SCALE or 1)")
    parser.add_argument("--no-seed", action="store_true", help="skip seed_bench")
    parser.add_argument(
        "--no-measurements", action="store_true", help="skip in-process measurements"
    )
    parser.add_argument(
        "--no-readme",
        action="store_true",
        help="do not rewrite README.md (implied by --quick)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    env = os.environ
    default_seconds = 2 if args.quick else 10
    args.seconds = args.seconds or float(env.get("BENCH_SECONDS", default_seconds))
    args.warmup = (
        args.warmup
        if args.warmup is not None
        else float(env.get("BENCH_WARMUP", 1 if args.quick else 3))
    )
    args.connections = args.connections or int(env.get("BENCH_CONNECTIONS", 8))
    args.scale = args.scale or env.get("BENCH_SCALE", "1")
    args.rounds = args.rounds or int(env.get("BENCH_ROUNDS", 1))
    if args.writes_per_s is None:
        args.writes_per_s = float(env.get("BENCH_WRITES_PER_S", 5))
    if args.checkouts_per_s is None:
        args.checkouts_per_s = float(env.get("BENCH_CHECKOUTS_PER_S", 1))
    if args.quick:
        args.no_readme = True
    if args.seconds < 1:
        parser.error("--seconds must be at least 1")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.writes_per_s < 0 or args.checkouts_per_s < 0:
        parser.error("write rates cannot be negative")
    return args


def load(url: str, script: Path, args, *, label: str) -> WrkResult:
    if args.warmup >= 1:
        run_wrk(url, seconds=args.warmup, connections=args.connections, script=script)
    result = run_wrk(
        url, seconds=args.seconds, connections=args.connections, script=script
    )
    say(
        f"  {label}: {result.requests_per_s:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms"
        + (f", {result.errors} errors" if result.errors else "")
    )
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        wrk_binary()
    except WrkError as exc:
        say(str(exc))
        return 1
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        say("DATABASE_URL/REDIS_URL are unset: run it with `make bench`.")
        return 1

    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        return _run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def select_targets(args) -> list:
    return [
        t
        for t in TARGETS
        if (not args.only or t.name in args.only)
        and (not args.scenario or t.scenario in args.scenario)
    ]


def forget_earlier_writes() -> None:
    """Comments and orders of earlier runs' writers: gone, so the data set stays the
    seeded one (their likes and follows the writer undoes itself)."""
    from blog.models import Comment
    from orders.models import Order

    domain = f"@{COMMENT_EMAIL_DOMAIN}"
    Comment.objects.filter(email__endswith=domain).delete()
    Order.objects.filter(email__endswith=domain).delete()


def purge_queued_mails() -> None:
    """The writer's checkouts queued confirmation mails; no worker runs here."""
    from mysite.celery import app

    app.control.purge()


def _run(args, workdir: Path) -> int:
    env = bench_environment(dict(os.environ), static_root=workdir / "static")
    say("migrate, seed, collectstatic (production settings)…")
    manage(env, "migrate", "--noinput", "-v", "0")
    if not args.no_seed:
        manage(env, "seed_bench", "--scale", str(args.scale))
    # Bulk seeding skips the save hooks that pre-generate list thumbnails.
    manage(env, "renditions_pregenerate")
    manage(env, "collectstatic", "--noinput", "-v", "0")

    # From here on this process runs Django itself, with the same settings as gunicorn.
    os.environ.update(env)
    import django

    django.setup()

    targets = select_targets(args)
    if not targets:
        say(
            f"no target matches --only {args.only} --scenario {args.scenario}; "
            f"known: {[t.name for t in TARGETS]}"
        )
        return 1
    say("counting queries per request in-process…")
    prepared = [prepare(target) for target in targets]
    for item in prepared:
        say(f"  {item.name} {item.path}: HTTP {item.status}, {item.queries} queries")

    def script_for(method="GET", body=None, headers=None, cache_bust=False) -> Path:
        path = workdir / f"target-{len(list(workdir.glob('target-*')))}.lua"
        path.write_text(
            lua_script(
                method=method,
                body=body,
                headers=headers,
                unique_query=CACHE_BUST_PARAM if cache_bust else None,
            )
        )
        return path

    load_average = os.getloadavg()
    bare_script = script_for(headers={"Host": "127.0.0.1"})
    writes = any(item.target.during_writes for item in prepared)
    if writes:
        forget_earlier_writes()
    say(
        f"gunicorn (gthread, 2 workers × 4 threads) for the site and for the "
        f"startproject-sized bare app; wrk {args.connections} connections, "
        f"{args.seconds:g} s per run, {args.warmup:g} s warm-up"
    )
    results: list[UrlResult] = []
    bare_runs: list[WrkResult] = []
    bare_env = bare_environment(env)
    with (
        GunicornServer(env, log_path=workdir / "gunicorn.log") as server,
        GunicornServer(
            bare_env,
            log_path=workdir / "gunicorn-bare.log",
            app=BARE_WSGI,
            health_path=BARE_PATH,
        ) as bare_server,
    ):
        bare_url = bare_server.base_url + BARE_PATH
        scripts = {
            item.name: script_for(
                item.method, item.body, item.headers, item.target.cache_bust
            )
            for item in prepared
        }
        plan_path = None
        if writes:
            plan = build_plan(
                server.base_url,
                writes_per_s=args.writes_per_s,
                checkouts_per_s=args.checkouts_per_s,
            )
            plan_path = workdir / "writer-plan.json"
            plan_path.write_text(plan.to_json())
            say(
                f"writer: {len(plan.social)} members, {args.writes_per_s:g} writes/s; "
                f"{len(plan.buyers)} buyers, {args.checkouts_per_s:g} checkouts/s"
            )
        bare_runs.append(load(bare_url, bare_script, args, label="bare"))
        for round_number in range(1, args.rounds + 1):
            if args.rounds > 1:
                say(f"round {round_number}/{args.rounds}")
            for item in prepared:
                url = server.base_url + item.path
                writer = None
                if item.target.during_writes:
                    with WriterProcess(plan_path) as writer:
                        measured = load(url, scripts[item.name], args, label=item.name)
                    figures = writer.figures
                    say(
                        f"    writer: {figures.writes_per_s:.1f} writes/s, "
                        f"{figures.checkouts_per_s:.1f} checkouts/s, "
                        f"{figures.errors} errors"
                        + (f" ({figures.error_samples[0]})" if figures.errors else "")
                    )
                else:
                    measured = load(url, scripts[item.name], args, label=item.name)
                bare_runs.append(load(bare_url, bare_script, args, label="bare"))
                results.append(
                    UrlResult(
                        prepared=item,
                        wrk=measured,
                        bare_before=bare_runs[-2],
                        bare_after=bare_runs[-1],
                        writer=writer.figures if writer else None,
                    )
                )
        server_log = server.log_tail()
        bare_log = bare_server.log_tail()
    if writes:
        purge_queued_mails()

    collected = measurements.Collected()
    if not args.no_measurements:
        say("in-process measurements…")
        collected = measurements.run_all(quick=args.quick)
        for error in collected.errors:
            say(f"  error: {error}")

    meta = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "load_average_at_start": [round(v, 2) for v in load_average],
        "server": "gunicorn gthread 2 workers × 4 threads, production settings",
        "writes_per_s": args.writes_per_s,
        "checkouts_per_s": args.checkouts_per_s,
        "connections": args.connections,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "rounds": args.rounds,
        "quick": args.quick,
        "scale": args.scale,
        "commit": git_commit(),
        "python": platform.python_version(),
    }
    report = build_report(
        results=results,
        bare_runs=bare_runs,
        measurements=collected.results,
        measurement_errors=collected.errors,
        meta=meta,
    )
    json_path, md_path = write_results(report, RESULTS_DIR)
    markdown = render_markdown(report)
    if not args.no_readme:
        update_readme(README, markdown)
    print()
    print(markdown)
    say(f"written: {json_path.relative_to(BASE_DIR)}, {md_path.relative_to(BASE_DIR)}")
    if not args.no_readme:
        say("README.md: Performance table updated")
    for name, log in (("site", server_log), ("bare app", bare_log)):
        if "error" in log.lower() or "traceback" in log.lower():
            say(f"gunicorn ({name}) logged errors:\n{log}")
    missed = [r["name"] for r in report["urls"] if r["verdict"].startswith("FAIL")]
    missed += [m["name"] for m in report["measurements"] if m["verdict"] == "FAIL"]
    if missed:
        say(f"targets missed: {', '.join(missed)}")
    return 1 if (args.strict and (missed or collected.errors)) else 0


if __name__ == "__main__":
    sys.exit(main())
