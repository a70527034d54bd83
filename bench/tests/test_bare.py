"""The baseline is what `django-admin startproject` gives (DEBUG off, no database),
served by a gunicorn with exactly the site's flags."""

import importlib
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import django
import pytest

from bench.server import (
    BARE_PATH,
    BARE_WSGI,
    GunicornServer,
    bare_environment,
    bench_environment,
)

TEMPLATE = (
    Path(django.__file__).parent
    / "conf"
    / "project_template"
    / "project_name"
    / "settings.py-tpl"
)


def startproject_list(name: str) -> list[str]:
    """A list setting as Django's own startproject template writes it."""
    block = re.search(rf"^{name} = \[(.*?)^\]", TEMPLATE.read_text(), re.M | re.S)
    return re.findall(r"'([^']+)'", block[1])


@pytest.fixture
def bare_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    import bench.bare.settings

    return importlib.reload(bench.bare.settings)


def test_bare_settings_are_startprojects_with_debug_off_and_no_database(
    bare_settings,
):
    assert bare_settings.MIDDLEWARE == startproject_list("MIDDLEWARE")
    assert bare_settings.INSTALLED_APPS == startproject_list("INSTALLED_APPS")
    assert bare_settings.DEBUG is False
    assert bare_settings.DATABASES == {}  # the dummy backend: any query raises
    assert bare_settings.ROOT_URLCONF == "bench.bare.urls"


def test_bare_gunicorn_has_the_sites_flags_and_answers_the_one_view(tmp_path):
    env = bench_environment(dict(os.environ), static_root=tmp_path)
    site = GunicornServer(env, log_path=tmp_path / "site.log")
    bare = GunicornServer(
        bare_environment(env),
        log_path=tmp_path / "bare.log",
        app=BARE_WSGI,
        health_path=BARE_PATH,
    )

    def flags(server):
        return [f for f in server.command() if f.startswith("--") and "log" not in f]

    assert [f for f in flags(site) if "bind" not in f] == [
        f for f in flags(bare) if "bind" not in f
    ]
    assert "--worker-class=gthread" in flags(bare)
    assert BARE_WSGI in bare.command() and "mysite.wsgi" in site.command()

    with bare as server:
        with urllib.request.urlopen(f"{server.base_url}/") as response:
            body, headers = response.read(), response.headers
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{server.base_url}/__bench__/bare/")

    assert body == b"bare"
    # startproject's middleware ran (clickjacking, security headers), nothing else:
    # no session, no CSRF cookie, no CSP of ours.
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers.get("Set-Cookie") is None
    assert headers.get("Content-Security-Policy") is None
    assert missing.value.code == 404
    assert bare_environment(env)["DJANGO_SETTINGS_MODULE"] == "bench.bare.settings"
    assert env["DJANGO_SETTINGS_MODULE"] == "mysite.settings.production"
