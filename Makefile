# Territoires en Commun — developer commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on both cores (pytest-xdist, whole files per worker), then the browser tests in one process
# (a live server per test, Chromium already using the second core); `make test WORKERS=0` runs all in one process.
WORKERS ?= 2
PYTEST := $(PY) -m pytest -q -n $(WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: run install demo test test-sqlite test-postgres bench check lint clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# caniemail's support tables (data only, read by newsletter/compatibility.py; never fetched at run time)
CANIEMAIL_VERSION := 2.0.2
var/node/node_modules/caniemail/data/caniemail.json:
	npm install --prefix var/node --no-audit --no-fund --ignore-scripts caniemail@$(CANIEMAIL_VERSION)

install: $(VENV)/.installed var/node/node_modules/caniemail/data/caniemail.json

# The demo's links (admin URL printed, e-mail links) follow HOST and PORT unless WAGTAILADMIN_BASE_URL is set.
demo run: export WAGTAILADMIN_BASE_URL ?= http://$(HOST):$(PORT)

# collectstatic: the hashed, compressed static files whitenoise serves on `make run` as in production
# (cms/settings/dev.py); run it again after editing a stylesheet or script.
demo: install
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin

# The task worker (e-mails, search index…) runs beside the server and stops with it.
run: demo
	@$(PY) manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PYTEST) -m "not browser"
	$(PY) -m pytest -q -m browser

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PYTEST) -m "not browser"
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PY) -m pytest -q -m browser

bench: install
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var static_collected
