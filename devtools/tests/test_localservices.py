"""The local-services launcher: one-line errors, stale state, one run at a time."""

import json
import os
import subprocess
import sys

import pytest
import redis

from devtools import localservices
from devtools.localservices import EmbeddedRedis, ServiceError


def test_unreachable_redis_is_reported_naming_the_setting(monkeypatch):
    with pytest.raises(ServiceError, match=r"^REDIS_URL: cannot connect"):
        localservices.check_redis("redis://127.0.0.1:1/0")


def test_unreachable_database_is_reported_naming_the_setting():
    with pytest.raises(ServiceError, match=r"^DATABASE_URL: cannot connect"):
        localservices.check_postgres("postgres://nobody@127.0.0.1:1/nothing")


def test_exec_prints_one_line_and_fails_when_a_url_is_wrong(tmp_path):
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0"}
    result = subprocess.run(
        [sys.executable, "-m", "devtools.localservices", "exec", "--", "true"],
        env=env,
        capture_output=True,
        text=True,
        cwd=localservices.BASE_DIR,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip().splitlines()[0]]
    assert "REDIS_URL" in result.stderr


def test_embedded_redis_recovers_from_a_stale_pid_file_and_stops(tmp_path):
    server = EmbeddedRedis(tmp_path)
    server.pidfile.write_text("999999")  # a crashed run's leftover
    server.sock.write_text("")  # and its dead socket file
    (server.dir / "handles.json").write_text("[999999]")  # and its handle
    sock = server.start()
    try:
        client = redis.Redis(unix_socket_path=str(sock))
        assert client.ping()
        client.set("kept", "yes")
    finally:
        server.stop()
    assert not localservices._redis_ping(sock)
    # Data survives a restart (append-only file).
    restarted = EmbeddedRedis(tmp_path)
    restarted.start()
    try:
        assert redis.Redis(unix_socket_path=str(sock)).get("kept") == b"yes"
    finally:
        restarted.stop()


def test_embedded_redis_stays_up_while_another_launcher_uses_it(tmp_path):
    """`make test` ending must not pull Redis from under a running `make run`."""
    server = EmbeddedRedis(tmp_path)
    sock = server.start()
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path\n"
            "from devtools.localservices import EmbeddedRedis\n"
            f"EmbeddedRedis(Path({str(tmp_path)!r})).start(); print('up', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=localservices.BASE_DIR,
    )
    try:
        assert other.stdout.readline().strip() == "up"
        server.stop()  # the first launcher leaves…
        assert localservices._redis_ping(sock)  # …and the other one still has Redis
    finally:
        other.stdin.close()  # the last user exits normally and shuts it down
        assert other.wait(timeout=30) == 0
    assert not localservices._redis_ping(sock)


def test_dead_postgres_handles_are_pruned(tmp_path):
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    (pgdata / ".handle_pids.json").write_text(json.dumps([os.getpid(), 999999]))
    localservices._prune_dead_handles(pgdata)
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == [os.getpid()]


def test_a_second_run_is_refused_while_one_is_running(tmp_path):
    lock = localservices._acquire_run_lock(tmp_path)
    try:
        code = (
            "import sys; from pathlib import Path\n"
            "from devtools import localservices as l\n"
            f"try: l._acquire_run_lock(Path({str(tmp_path)!r}))\n"
            "except l.ServiceError as e: print(e); sys.exit(3)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=localservices.BASE_DIR,
            timeout=60,
        )
        assert result.returncode == 3
        assert "already running" in result.stdout
        assert str(os.getpid()) in result.stdout
    finally:
        lock.close()


@pytest.mark.django_db
def test_the_embedded_database_is_marked_as_a_development_one(settings):
    """`make run`'s database carries the mark load_demo and seed_bench look for."""
    import psycopg

    from core.devdb import MARK

    db = settings.DATABASES["default"]
    admin_url = f"postgres://{db['USER']}@/postgres?host={db['HOST']}&port={db['PORT']}"
    name = "mysite_mark_probe"
    localservices._create_database(admin_url, name)
    try:
        localservices._mark_development_database(admin_url, name)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = %s",
                [name],
            ).fetchone()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    assert row == (MARK,)
