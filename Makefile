# The two commands of the README: `make run` and `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash

# Python 3.13: python3.13 on PATH, else pyenv's, else PYTHON=/path/to/python3.13.
PYTHON ?= $(shell command -v python3.13 2>/dev/null || ls $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.13*/bin/python3 2>/dev/null | tail -1)
VENV := .venv
PY := $(VENV)/bin/python
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: help run test lint lock worker beat clean

help:
	@echo "make run     install, migrate, load demo data, serve http://127.0.0.1:8000"
	@echo "make test    run the whole test suite (PostgreSQL and Redis when they answer)"
	@echo "make lint    ruff, mypy, import-linter, migrations and deploy checks"
	@echo "make worker  a Celery worker for every queue (needs REDIS_URL)"
	@echo "make lock    re-pin requirements/*.txt from pyproject.toml"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.13 is needed: install it or pass PYTHON=/path/to/python3.13"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base: requirements/base.txt | $(PY)
	$(PIP_INSTALL) -r requirements/base.txt
	@touch $@

$(VENV)/.dev: requirements/dev.txt | $(PY)
	$(PIP_INSTALL) -r requirements/dev.txt
	@touch $@ $(VENV)/.base

run: $(VENV)/.base node_modules/.installed
	@mkdir -p var/media var/static
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_accounts
	$(PY) manage.py seed_demo --products 200
	$(PY) manage.py reviews_demo
	$(PY) manage.py shipping_demo
	$(PY) manage.py tax_rates_demo
	$(PY) manage.py promotions_demo
	$(PY) manage.py analytics_demo --orders 3000 --days 400 --reset
	@echo "Serving the shop on http://127.0.0.1:8000 (admin: /admin/, Ctrl-C to stop)"
	ADMIN_REQUIRE_MFA=0 $(PY) manage.py runserver 127.0.0.1:8000

# Packages from npm: chart.js (the analytics dashboard's charts, served as a
# static file) and the test-only axe-core. Without npm the shop still runs
# (the dashboard shows tables only) and the tests that need axe are skipped.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm is missing: no charts on the analytics dashboard, the accessibility tests will be skipped"; fi

test: $(VENV)/.dev node_modules/.installed
	$(PY) bin/test $(ARGS)

lint: $(VENV)/.dev
	bin/lint

worker: $(VENV)/.base
	$(VENV)/bin/celery -A shop worker -Q default,email,carriers,reports --loglevel INFO

beat: $(VENV)/.base
	$(VENV)/bin/celery -A shop beat --loglevel INFO --schedule var/celerybeat-schedule

lock: | $(PY)
	$(PIP_INSTALL) uv
	$(PY) -m uv pip compile pyproject.toml --python-version 3.13 -o requirements/base.txt --quiet
	$(PY) -m uv pip compile pyproject.toml --extra dev --python-version 3.13 -o requirements/dev.txt --quiet

clean:
	rm -rf $(VENV) var/shop.sqlite3 var/screenshots
