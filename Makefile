# cskh — two commands: `make run` (service with demo data) and `make test` (all tests).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_CUSTOMERS ?= 20000

.PHONY: run test install lint format bench clean

$(BIN)/.installed: pyproject.toml requirements.lock
	@PY=$$(scripts/find-python) && echo "Using $$PY" && \
	  { [ -x $(BIN)/python ] || $$PY -m venv $(VENV); }
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/cskh serve --host $(HOST) --port $(PORT) --check-port
	$(BIN)/cskh migrate --noinput -v 0
	$(BIN)/cskh demo --profile electricity --customers $(DEMO_CUSTOMERS) --seed 1 --if-empty
	$(BIN)/cskh serve --host $(HOST) --port $(PORT) --with-workers

test: install
	scripts/test.sh

lint: install
	$(BIN)/ruff check src tests bench scripts tools
	$(BIN)/ruff format --check src tests bench scripts tools
	PYTHONPATH=tools $(BIN)/lint-imports --no-cache
	$(BIN)/mypy src/cskh

format: install
	$(BIN)/ruff format src tests bench scripts tools
	$(BIN)/ruff check --fix src tests bench scripts tools

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
