# The newcomer's two commands: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint types contracts check-migrations check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# With DEBUG off every `groundswell` command refuses the development SECRET_KEY and an
# unset SITE_URL (config/safety.py); on a laptop DEBUG=1 allows both, and SITE_URL is the
# address runserver answers on, so links in the demo's emails work.
SITE_URL ?= http://127.0.0.1:$(PORT)
LAPTOP := DEBUG=1 SITE_URL=$(SITE_URL)

run: $(STAMP)
	$(LAPTOP) $(BIN)/groundswell migrate --noinput
	$(LAPTOP) $(BIN)/groundswell demo --people 2000 --seed 5 --if-empty
	$(LAPTOP) $(BIN)/groundswell runserver 127.0.0.1:$(PORT)

test: $(STAMP)
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
	rm -rf $(VENV) db.sqlite3 staticfiles
