# cskh — two commands: `make run` (service with demo data) and `make test` (all tests).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_CUSTOMERS ?= 20000

.PHONY: run test install install-runtime lint format bench clean

# Two pinned sets: requirements.lock is what running needs (`make run`), requirements-test.lock
# adds the test and lint tools (pytest, playwright, ruff, mypy, …) for `make test`.
$(BIN)/.installed-runtime: pyproject.toml requirements.lock
	@PY=$$(scripts/find-python) && echo "Using $$PY" && \
	  { [ -x $(BIN)/python ] || $$PY -m venv $(VENV); }
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

$(BIN)/.installed: $(BIN)/.installed-runtime requirements-test.lock
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock -r requirements-test.lock
	@touch $@

install-runtime: $(BIN)/.installed-runtime

install: $(BIN)/.installed

# survey and referral links in the demo's messages point at the port actually served
run: export CSKH_CX_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: install-runtime
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
