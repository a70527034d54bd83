"""Production settings refuse unsafe configuration and pass Django's deploy checks."""

import ast
import os
import secrets
import subprocess
import sys
from collections import Counter

import pytest
from django.core.management import call_command

from mysite.settings.base import BASE_DIR


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "mysite.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "shop.example.com",
}


def test_check_deploy_passes_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "named"),
    [("SECRET_KEY", "SECRET_KEY"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS")],
)
def test_production_refuses_to_start_without_required_variable(missing, named):
    env = {**PRODUCTION, missing: ""}
    result = manage("check", **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one line, no traceback
    assert named in lines[0]


def test_production_refuses_debug_and_wildcard_hosts():
    assert "DEBUG" in manage("check", **{**PRODUCTION, "DEBUG": "True"}).stderr
    result = manage("check", **{**PRODUCTION, "ALLOWED_HOSTS": "*"})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_invalid_database_url_is_one_line_naming_the_setting():
    result = manage("check", DATABASE_URL="mysql://root@localhost/db")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_URL must be a postgres:// URL, got 'mysql'."
    ]


def test_invalid_redis_url_is_one_line_naming_the_setting():
    result = manage("check", REDIS_URL="memcached://localhost")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "REDIS_URL" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_debug_toolbar_is_only_in_development(settings):
    assert "debug_toolbar" not in settings.INSTALLED_APPS
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print('debug_toolbar' in s.INSTALLED_APPS, s.EMAIL_BACKEND)",
        DJANGO_SETTINGS_MODULE="mysite.settings.dev",
    )
    assert result.stdout.split()[-2:] == [
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_celery_broker_may_be_rabbitmq_while_results_stay_in_redis():
    result = manage(
        "shell",
        "-c",
        "from mysite.celery import app; "
        "print(app.conf.broker_url, app.conf.result_backend.split(':')[0])",
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
    )
    assert result.returncode == 0, result.stderr
    broker, backend = result.stdout.split()[-2:]
    assert broker == "amqp://guest:guest@127.0.0.1:5672//"
    assert backend.startswith("redis")


def test_each_setting_is_defined_once_and_never_patched_later():
    """In base.py and its concern modules (dev/test/production override on purpose):
    one assignment per setting, no `X[...] =`, `X +=` or `X.append(...)` after it."""
    folder = BASE_DIR / "mysite" / "settings"
    environments = {"__init__.py", "dev.py", "test.py", "production.py"}
    defined, patched = Counter(), []
    for module in sorted(folder.glob("*.py")):
        if module.name in environments:
            continue
        for node in ast.parse(module.read_text()).body:
            where = f"{module.name}:{node.lineno}"
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = getattr(node, "targets", None) or [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        defined[target.id] += 1
                    elif not isinstance(target, ast.Name | ast.Tuple):
                        patched.append(where)
            elif isinstance(node, ast.AugAssign):
                patched.append(where)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    if func.value.id.isupper():
                        patched.append(where)
    assert {"MIDDLEWARE", "CACHES", "SESSION_ENGINE"} <= set(defined)
    assert [name for name, count in defined.items() if count > 1] == []
    assert patched == []
