# Everything a fresh machine needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
TEST_ENV := DEBUG=0 DJANGO_SETTINGS_MODULE=tracker.settings_test

.PHONY: bench bench-pdf load install run serve migrate test test-sqlite test-postgres test-fast lint clean browser-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Translations are compiled as part of the install (GNU gettext's msgfmt).
PO_FILES := $(wildcard recommendations/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

%.mo: %.po
	command -v msgfmt >/dev/null || scripts/apt_install.sh gettext
	msgfmt --check -o $@ $<

install: $(STAMP) $(MO_FILES)

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

run: migrate
	DEBUG=1 $(BIN)/python manage.py import_seeds
	DEBUG=1 $(BIN)/python manage.py bootstrap_admin
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production-like: gunicorn + whitenoise, DEBUG=0 (see scripts/serve.sh).
serve: install
	PORT=$(PORT) scripts/serve.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian packages the tests need: Chromium and a font with Chinese glyphs for the
# browser tests; poppler's pdftotext for the tests of text already extracted from PDF;
# axe-core (pinned in package-lock.json, from the npm registry) for the accessibility tests;
# LibreOffice (headless Calc, and Writer) for the questionnaire's LibreOffice round trip.
browser-deps: node_modules/axe-core/axe.min.js
	command -v chromium >/dev/null || scripts/apt_install.sh chromium
	command -v pdftotext >/dev/null || scripts/apt_install.sh poppler-utils
	fc-list :lang=zh | grep -q . || scripts/apt_install.sh fonts-wqy-microhei
	command -v soffice >/dev/null || scripts/apt_install.sh libreoffice-calc-nogui libreoffice-writer-nogui

node_modules/axe-core/axe.min.js: package.json package-lock.json
	command -v npm >/dev/null || scripts/apt_install.sh npm
	npm ci --no-audit --no-fund
	touch $@

# The whole suite twice: on SQLite (the embedded default) and on a throwaway
# PostgreSQL server that scripts/with_postgres.sh installs, starts and stops.
test: install lint browser-deps
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest
	$(TEST_ENV) scripts/with_postgres.sh $(BIN)/pytest -p no:cacheprovider

test-sqlite: install browser-deps
	$(TEST_ENV) $(BIN)/pytest

test-postgres: install browser-deps
	$(TEST_ENV) scripts/with_postgres.sh $(BIN)/pytest -p no:cacheprovider

test-fast: install
	$(TEST_ENV) $(BIN)/pytest -m "not slow"

# Benchmarks at the scale of the UN system (bench/run.py; see README "Performance"):
# one table on SQLite, then one on a throwaway PostgreSQL server that
# scripts/with_postgres.sh starts as for the tests (BENCH_DATABASES=sqlite for one only).
bench: install bench-pdf
	$(BIN)/python bench/run.py

# Importing the real UN PDFs of tests/data/reports/en against `pdftotext -layout`.
bench-pdf: install
	command -v pdftotext >/dev/null || scripts/apt_install.sh poppler-utils
	$(BIN)/python bench/pdf_import.py

# 16 concurrent liaisons against gunicorn, on SQLite then on PostgreSQL (bench/load.py).
load: install
	$(BIN)/python bench/load.py --duration $(or $(DURATION),20)
	scripts/with_postgres.sh $(BIN)/python bench/load.py --duration $(or $(DURATION),20)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis node_modules
