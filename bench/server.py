"""The site under test: production settings, served by gunicorn on a free loopback port.

gthread workers rather than sync: wrk keeps its connections open, and only gthread
honours keep-alive (a sync worker closes every connection, so the run would measure
TCP set-up as much as Django). Two workers match the two cores; a few threads per
worker let one request wait on PostgreSQL or Redis while another runs. Each thread
keeps its own persistent database connection (CONN_MAX_AGE), as in production.

The baseline, Django's floor, is a second gunicorn with the same flags serving the
startproject-sized app in bench/bare/ (`bare_environment`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def bench_environment(base: dict[str, str], *, static_root: Path) -> dict[str, str]:
    """The environment of every process of the run (commands, gunicorn, in-process)."""
    env = dict(base)
    env.update(
        DJANGO_SETTINGS_MODULE="mysite.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),  # fresh per run, never written anywhere
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",  # plain HTTP on loopback
        BENCH_ENDPOINTS="True",
        CONN_MAX_AGE=env.get("CONN_MAX_AGE", "3600"),  # persistent for the whole run
        STATIC_ROOT=str(static_root),
        # A key prefix of its own: the run never reads `make run`'s cached pages.
        CACHE_KEY_PREFIX=env.get("BENCH_CACHE_KEY_PREFIX", "bench"),
        # …and a Celery queue of its own: purging it leaves `make run`'s queue alone.
        CELERY_QUEUE=env.get("BENCH_CELERY_QUEUE", "bench"),
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
        # The writers of the "writes during reads" scenario (bench/writer.py) post a
        # comment a second, all from 127.0.0.1: the per-address spam limit (5 per 10
        # minutes) would answer them with a form error. The check itself still runs.
        BLOG_COMMENT_RATE_LIMIT=env.get("BLOG_COMMENT_RATE_LIMIT", "1000000"),
        # Its buyers check out once a second from that one address and never pay: the
        # per-client cap on unpaid orders (3) would send them back to the cart.
        ORDERS_MAX_PENDING_PER_CLIENT=env.get(
            "ORDERS_MAX_PENDING_PER_CLIENT", "1000000"
        ),
    )
    return env


BARE_WSGI = "bench.bare.wsgi"
BARE_PATH = "/"


def bare_environment(env: dict[str, str]) -> dict[str, str]:
    """The bench environment with the startproject-sized app's settings instead."""
    return {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerError(Exception):
    pass


class GunicornServer:
    """`with GunicornServer(env, log_path=…) as server:` serves at `server.base_url`.

    `app` is the WSGI module (the site's, or BARE_WSGI with `bare_environment`); both
    get the same flags, so the baseline differs from the site only in the app.
    """

    def __init__(
        self,
        env: dict[str, str],
        *,
        log_path: Path,
        app: str = "mysite.wsgi",
        health_path: str = "/healthz/",
        workers: int = 2,
        threads: int = 4,
        startup_timeout_s: float = 60,
    ):
        self.env = env
        self.log_path = log_path
        self.app = app
        self.health_path = health_path
        self.workers = workers
        self.threads = threads
        self.startup_timeout_s = startup_timeout_s
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=gthread",
            f"--threads={self.threads}",
            "--keep-alive=30",
            "--log-level=warning",
            f"--error-logfile={self.log_path}",
        ]

    def __enter__(self) -> GunicornServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            self.command(),
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        url = f"{self.base_url}{self.health_path}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"gunicorn exited at start-up:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            time.sleep(0.2)
        raise ServerError(f"gunicorn did not answer {url} in time:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text().splitlines()[-lines:])

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        # The arbiter stops its workers on SIGTERM (graceful shutdown).
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
