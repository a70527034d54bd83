"""The in-process measurements alone, without gunicorn and wrk: for iterating on one
figure (search latency) without a full `make bench`.

    python -m devtools.localservices exec -- python -m bench.measure search_10k_posts
    python -m devtools.localservices exec -- python -m bench.measure --seed --quick

Names are the functions in bench/measurements.py (none: all of them). `--seed` first
runs `migrate` and `seed_bench` as `make bench` does (idempotent; BENCH_SCALE and
BENCH_POST_SCALE apply). Same settings and environment as `make bench`; prints the
measurement table and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="measurement function names")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--seed", action="store_true", help="migrate and seed first")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        print("[bench] DATABASE_URL/REDIS_URL are unset: run it through localservices.")  # noqa: T201
        return 1

    from .run import manage
    from .server import bench_environment

    workdir = Path(tempfile.mkdtemp(prefix="bench-measure-"))
    try:
        env = bench_environment(dict(os.environ), static_root=workdir / "static")
        if args.seed:
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "seed_bench", "--scale", env.get("BENCH_SCALE", "1"))
        os.environ.update(env)
        import django

        django.setup()
        from . import measurements

        known = {fn.__name__ for fn in measurements.MEASUREMENTS}
        unknown = set(args.names) - known
        if unknown:
            print(f"[bench] unknown {sorted(unknown)}; known: {sorted(known)}")  # noqa: T201
            return 1
        collected = measurements.run_all(quick=args.quick, only=set(args.names) or None)
        for result in collected.results:
            verdict = {None: "—", True: "pass", False: "FAIL"}[result.passed]
            print(f"\n{result.name}  [{result.target or 'no target'}: {verdict}]")  # noqa: T201
            for key, value in result.figures.items():
                print(f"  {key:<28} {value}")  # noqa: T201
            if result.note:
                print(f"  note: {result.note}")  # noqa: T201
        for error in collected.errors:
            print(f"error: {error}")  # noqa: T201
        return 1 if collected.errors else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
