# CPC Tracker — `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make
TEST_DATABASE_URL ?= postgres:///cpc_tracker
PYTEST_ARGS ?=

.PHONY: run test bench load assets venv system-packages postgres clean help backup restore
help:
	@echo "make run    serve CPC Tracker with the Stockport data on 127.0.0.1:$(PORT), with its task worker"
	@echo "make test   run the whole test suite against PostgreSQL (browser tests included)"
	@echo "make bench  build a large data set and measure every page"
	@echo "make backup   back up the database to backups/ (or BACKUP=path)"
	@echo "make restore  restore BACKUP=path into the database (FORCE=1 to replace one that holds data)"

$(STAMP):
	mkdir -p $(STAMP)

# Python packages, reinstalled when requirements.txt changes.
$(STAMP)/venv: requirements.txt | $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@
venv: $(STAMP)/venv

# npm packages, reinstalled when the lock file changes.
$(STAMP)/node: package.json package-lock.json | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# GOV.UK Frontend compiled with Sass into static/build (git-ignored).
static/build/app.css: $(STAMP)/node scripts/build-assets.mjs $(wildcard static/scss/*.scss)
	npm run --silent build
assets: static/build/app.css

# Debian packages the tests need: Chromium for the browser tests, fonts and
# Pango for PDF reports, wrk for the load run. Installed only when missing.
DEBIAN_PACKAGES := chromium fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils wrk
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

postgres:
	./scripts/ensure-postgres.sh

run: venv assets
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py load_challenge stockport_cpc
	DEBUG=$${DEBUG:-true} $(PY) manage.py create_demo_users
# The task worker (PDFs, e-mail) runs beside the server and stops with it.
	DEBUG=$${DEBUG:-true} $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: system-packages postgres venv assets
	$(VENV)/bin/ruff check .  # lint (ruff.toml)
	$(VENV)/bin/ruff format --check .  # formatting (ruff.toml)
	$(VENV)/bin/lint-imports  # the apps' import contracts, in .importlinter
	DATABASE_URL=$(TEST_DATABASE_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(PY) -m pytest -p xdist -n 2 $(PYTEST_ARGS)
# Search and similar recommendations have a fallback for SQLite, the default of `make run`: their
# tests run there too (an in-memory test database; the file named is never made).
	DATABASE_URL=sqlite:////tmp/cpc-tracker-sqlite-tests.sqlite3 DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(PY) -m pytest -q reports/tests/test_search.py recommendations/tests/test_similar.py

bench: system-packages postgres venv assets
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m benchmarks.pages

load: system-packages postgres venv assets
	DATABASE_URL=$(TEST_DATABASE_URL) ./scripts/load-test.sh

# Back up the database (DATABASE_URL's PostgreSQL, else db.sqlite3) to
# backups/cpc-tracker-<UTC time>.<dump|sqlite3>, or to BACKUP=file-or-folder. README: Backups.
backup: venv
	DEBUG=$${DEBUG:-true} $(PY) manage.py backup_database $(if $(BACKUP),--output '$(BACKUP)') $(if $(filter 1 yes true,$(FORCE)),--force)

# Restore BACKUP=file into the database; it refuses one that holds data unless FORCE=1.
restore: venv
	@test -n '$(BACKUP)' || { echo "Name the backup to restore: make restore BACKUP=backups/cpc-tracker-<time>.<dump|sqlite3>" >&2; exit 2; }
	DEBUG=$${DEBUG:-true} $(PY) manage.py restore_database '$(BACKUP)' $(if $(filter 1 yes true,$(FORCE)),--force)

clean:
	rm -rf $(STAMP) static/build staticfiles
