"""gunicorn starts under production settings with the bench environment and serves the
bare view; the environment is what the benchmark promises."""

import os
import urllib.request

from bench.server import GunicornServer, bench_environment


def test_bench_environment_is_production_with_a_fresh_long_secret(tmp_path):
    first = bench_environment({"PATH": "/bin"}, static_root=tmp_path)
    second = bench_environment({"PATH": "/bin"}, static_root=tmp_path)

    assert first["DJANGO_SETTINGS_MODULE"] == "mysite.settings.production"
    assert len(first["SECRET_KEY"]) >= 50
    assert first["SECRET_KEY"] != second["SECRET_KEY"]
    assert first["ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert first["SECURE_SSL_REDIRECT"] == "False"
    assert first["BENCH_ENDPOINTS"] == "True"
    assert int(first["CONN_MAX_AGE"]) >= 600
    assert first["STATIC_ROOT"] == str(tmp_path)
    assert first["PATH"] == "/bin"


def test_gunicorn_serves_the_bare_view_and_stops(tmp_path):
    static_root = tmp_path / "static"
    static_root.mkdir()
    env = bench_environment(dict(os.environ), static_root=static_root)

    with GunicornServer(env, log_path=tmp_path / "gunicorn.log", threads=2) as server:
        with urllib.request.urlopen(f"{server.base_url}/__bench__/bare/") as response:
            body = response.read()
            headers = response.headers
        process = server.process

    assert body == b"bare"
    # Production middleware ran: the clickjacking header, no redirect to HTTPS.
    assert headers["X-Frame-Options"] == "DENY"
    assert process.poll() is not None
