"""CPU and queries of one uncached render per page, in-process (no gunicorn, no wrk).

    python -m devtools.localservices exec -- python -m bench.render_cpu --seed
    python -m devtools.localservices exec -- python -m bench.render_cpu home --profile

Same environment as `make bench` (production settings, bench/server.py). Each page is
requested with the test Client like the `uncached` rows of `make bench` (a unique
query string and the bypass header, so the page cache neither answers nor stores);
fragment caches and renditions stay warm, as on a running site. Prints the median
CPU time (`time.process_time`, this process only: Python, not PostgreSQL) and the
query count per render; `--profile` adds cProfile's top functions for each page.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PAGES = {
    "home": "/",
    "blog index": "/blog/",
    "blog post": "post_path",
    "tag page": "tag_path",
    "product list": "/shop/",
    "product page": "product_path",
    "bookmark list": "/gallery/",
    "bookmark detail": "bookmark_path",
}


def _path(spec: str) -> str:
    if spec.startswith("/"):
        return spec
    from . import targets

    return getattr(targets, spec)()


def measure(path: str, *, repeat: int, profile: bool) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .targets import CACHE_BUST_HEADER, CACHE_BUST_PARAM

    client = Client(HTTP_HOST="127.0.0.1")
    nonce = secrets.token_hex(4)
    sep = "&" if "?" in path else "?"
    headers = {f"HTTP_{CACHE_BUST_HEADER.upper().replace('-', '_')}": "1"}

    def get(n: int):
        response = client.get(f"{path}{sep}{CACHE_BUST_PARAM}={nonce}-{n}", **headers)
        if response.status_code != 200 or response.get("X-Page-Cache") == "hit":
            raise SystemExit(f"[bench] {path}: {response.status_code}, not a render")
        return response

    for n in range(3):  # warm: renditions, Wagtail's site cache, widget caches
        get(n)
    with CaptureQueriesContext(connection) as queries:
        get(3)
    sql = [q["sql"] for q in queries.captured_queries]  # before the next request
    times = []
    for n in range(4, 4 + repeat):
        start = time.process_time()
        get(n)
        times.append((time.process_time() - start) * 1000)
    result = {
        "path": path,
        "cpu_ms": statistics.median(times),
        "cpu_ms_min": min(times),
        "queries": len(sql),
        "sql": sql,
    }
    if profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not waits
        profiler.enable()
        for n in range(100, 100 + repeat):
            get(n)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)
        result["profile"] = out.getvalue()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"pages (default all): {list(PAGES)}")
    parser.add_argument("--repeat", type=int, default=30, help="renders per page")
    parser.add_argument("--seed", action="store_true", help="migrate and seed first")
    parser.add_argument("--profile", action="store_true", help="print cProfile top")
    parser.add_argument("--sql", action="store_true", help="print each page's SQL")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(PAGES)
    if unknown:
        print(f"[bench] unknown {sorted(unknown)}; known: {list(PAGES)}")  # noqa: T201
        return 1
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        print("[bench] DATABASE_URL/REDIS_URL are unset: run it through localservices.")  # noqa: T201
        return 1

    from .run import manage
    from .server import bench_environment

    workdir = Path(tempfile.mkdtemp(prefix="bench-render-"))
    try:
        env = bench_environment(dict(os.environ), static_root=workdir / "static")
        if args.seed:
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "seed_bench", "--scale", env.get("BENCH_SCALE", "1"))
        manage(env, "collectstatic", "--noinput", "-v", "0")
        # What the worker would have made: no render below resizes an image.
        manage(env, "renditions_pregenerate")
        os.environ.update(env)
        import django

        django.setup()
        print(f"{'page':<16} {'CPU ms (median)':>16} {'min':>7} {'queries':>8}")  # noqa: T201
        results = []
        for name in args.names or PAGES:
            result = measure(
                _path(PAGES[name]), repeat=args.repeat, profile=args.profile
            )
            results.append((name, result))
            print(  # noqa: T201
                f"{name:<16} {result['cpu_ms']:>16.1f} {result['cpu_ms_min']:>7.1f}"
                f" {result['queries']:>8}"
            )
        for name, result in results:
            if args.sql:
                print(f"\n--- {name} SQL ---")  # noqa: T201
                for sql in result["sql"]:
                    print(f"  {sql[:1500]}")  # noqa: T201
            if args.profile:
                print(f"\n--- {name} profile ---\n{result['profile']}")  # noqa: T201
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
