# The newcomer's two commands: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Serving needs the app alone; the tests and checks add the dev tools.
SERVE_STAMP := $(VENV)/.serve-installed
STAMP := $(VENV)/.installed
# setuptools warns on every editable install, about a risk this layout does not run (a
# folder named like the package elsewhere on the path): quiet, so real problems stand out.
PIP := PYTHONWARNINGS=ignore $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test install axe lint types contracts check-migrations check clean

$(VENV)/bin/python:
	@echo "== Making a virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(SERVE_STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "== Installing Groundswell and what it needs to serve (first run only: a minute or two)"
	$(PIP) install --progress-bar on -e .
	touch $(SERVE_STAMP)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	@echo "== Installing Groundswell with its test and check tools (first run only: a few minutes)"
	$(PIP) install --progress-bar on -e '.[dev]'
	touch $(STAMP) $(SERVE_STAMP)

install: $(STAMP)

# With DEBUG off every `groundswell` command refuses the development SECRET_KEY and an
# unset SITE_URL (config/safety.py); on a laptop DEBUG=1 allows both, and SITE_URL is the
# address runserver answers on, so links in the demo's emails work.
SITE_URL ?= http://127.0.0.1:$(PORT)
LAPTOP := DEBUG=1 SITE_URL=$(SITE_URL)

run: $(SERVE_STAMP)
	@echo "== Bringing the database up to date"
	$(LAPTOP) $(BIN)/groundswell migrate --noinput
	@echo "== The demo movement (made once, on an empty database)"
	$(LAPTOP) $(BIN)/groundswell demo --people 2000 --seed 5 --if-empty
	@echo "== Groundswell is at $(SITE_URL)/  (Ctrl-C stops it)"
	$(LAPTOP) $(BIN)/groundswell runserver 127.0.0.1:$(PORT)

# axe-core (npm) for the accessibility checks of the browser tests; without npm they skip.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  echo "== axe-core for the accessibility checks"; npm ci --no-audit --no-fund --silent && touch $(AXE); \
	else echo "(npm is not installed: the accessibility checks will be skipped)"; fi

axe: $(AXE)

test: $(STAMP) axe
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy groundswell config

contracts: $(STAMP)
	$(BIN)/lint-imports

check-migrations: $(STAMP)
	$(LAPTOP) $(BIN)/groundswell makemigrations --check --dry-run

check: lint types contracts check-migrations

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles node_modules
