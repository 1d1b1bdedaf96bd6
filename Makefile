# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8866

# Every install takes its versions from constraints.txt (the versions CI passed with);
# `make lock` refreshes it from a fresh resolution of pyproject.toml.
CONSTRAINTS := constraints.txt

.PHONY: run test lint bench fuzz clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS) $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $@

# A throw-away venv resolves pyproject.toml (with the dev extra) afresh; its versions become
# the constraints every later install uses.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	( echo "# Versions every install uses (make run, make test, CI). Refresh: make lock."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable ) > $(CONSTRAINTS)
	rm -rf .venv-lock

run: $(VENV)/.installed
	$(BIN)/workbench init
	$(BIN)/workbench demo --if-empty
	$(BIN)/workbench serve --port $(PORT)

# The suite runs on a throw-away data directory so it never touches the user's store.
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	home=$$(mktemp -d) && WORKBENCH_HOME=$$home WORKBENCH_DB= $(BIN)/python -m pytest tests notebooks dashboards --nbval-lax --nbval-cell-timeout=300 -p no:cacheprovider; rc=$$?; rm -rf $$home; exit $$rc

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/store.py
	$(BIN)/python benchmarks/rvtools.py
	$(BIN)/python benchmarks/schedule.py
	$(BIN)/python benchmarks/pool.py
	$(BIN)/python benchmarks/documents.py

# Fuzz the RVTools reader (xlsx and CSV) for MINUTES minutes; not part of `make test`.
MINUTES ?= 5
fuzz: $(VENV)/.installed-dev
	$(BIN)/python tests/fuzz/fuzz_rvtools.py --minutes $(MINUTES)

clean:
	rm -rf $(VENV) build dist *.egg-info
