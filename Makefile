# Two commands on a fresh machine: `make run` and `make test`. Every target creates the
# virtualenv and installs the pinned requirements when they are missing or changed.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Starts embedded PostgreSQL/Redis under .local/ unless DATABASE_URL/REDIS_URL are set.
WITH_SERVICES := $(PY) -m devtools.localservices exec --
# Tests use Redis database 1 so they never touch `make run`'s sessions and queue.
WITH_TEST_SERVICES := $(PY) -m devtools.localservices exec --redis-db 1 --
PYTEST_ARGS ?=
# Celery and manage.py targets use development settings unless told otherwise.
export DJANGO_SETTINGS_MODULE ?= mysite.settings.dev

.PHONY: run test lint format worker beat flower migrate demo shell clean install \
	bench chromium screenshots

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "[make] installing Python packages into $(VENV) (first run only)…"
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

run: $(STAMP)
	@PORT=$(PORT) $(PY) -m devtools.localservices run

# The e2e journeys drive Debian's Chromium; installed here when missing (as root).
chromium:
	@bash tests/e2e/ensure_chromium.sh

test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=mysite.settings.test $(WITH_TEST_SERVICES) $(VENV)/bin/pytest $(PYTEST_ARGS)

# The performance suite (bench/README.md): gunicorn + wrk on the same PostgreSQL/Redis
# as `make run`. BENCH_SECONDS=3 shortens it; BENCH_ARGS="--quick" is a smoke run.
BENCH_ARGS ?=
bench: $(STAMP)
	@command -v wrk >/dev/null || { echo "[make] installing wrk (apt-get)…"; \
		SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(WITH_SERVICES) $(PY) -m bench.run $(BENCH_ARGS)

# Regenerate docs/screenshots/ from the e2e journeys (README shows them).
screenshots: $(STAMP) chromium
	E2E_SCREENSHOTS=1 DJANGO_SETTINGS_MODULE=mysite.settings.test $(WITH_TEST_SERVICES) $(VENV)/bin/pytest -m e2e tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(STAMP)
	$(WITH_SERVICES) $(PY) -m celery -A mysite worker --loglevel INFO

beat: $(STAMP)
	$(WITH_SERVICES) $(PY) -m celery -A mysite beat --loglevel INFO --schedule .local/celerybeat-schedule

# Optional: Flower, a web UI for Celery (not in requirements; installed on first use).
FLOWER_PORT ?= 5555
flower: $(STAMP)
	@$(PY) -c "import flower" 2>/dev/null || $(PY) -m pip install --quiet --disable-pip-version-check flower==2.2.0
	$(WITH_SERVICES) $(PY) -m celery -A mysite flower --address=127.0.0.1 --port=$(FLOWER_PORT)

migrate: $(STAMP)
	$(WITH_SERVICES) $(PY) manage.py migrate

demo: $(STAMP)
	$(WITH_SERVICES) $(PY) manage.py load_demo

shell: $(STAMP)
	$(WITH_SERVICES) $(PY) manage.py shell

clean:
	rm -rf $(VENV) .local .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
