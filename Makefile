# xinfang — two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | md5sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: run test check install system-deps fmt bench fuzz

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

## make run: install, migrate, load demo data into an empty database, start web server + worker + scheduler
run: install
	@$(BIN)/python manage.py migrate --noinput -v0
	@$(BIN)/python manage.py createcachetable
	@$(BIN)/python manage.py collectstatic --noinput -v0
	@$(BIN)/python manage.py seed_demo --if-empty
	@exec $(BIN)/python manage.py serve

## make test: the whole suite (DATABASE_URL selects SQLite or PostgreSQL)
test: install system-deps
	@$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

check: install
	@$(BIN)/ruff check .
	@$(BIN)/mypy .
	@$(BIN)/python manage.py makemigrations --check --dry-run -v0 || (echo "model changes without migrations" && exit 1)

## make fuzz: a deeper schemathesis run over /api/schema/ (no 5xx); make test runs a short one
fuzz: install
	@XINFANG_FUZZ_EXAMPLES=$${XINFANG_FUZZ_EXAMPLES:-25} $(BIN)/python -m pytest portal/tests/test_api_fuzz.py -q -p no:randomly

fmt: install
	@$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: install
	@$(BIN)/python -m bench $(BENCH_ARGS)
