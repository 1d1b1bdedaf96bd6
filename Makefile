# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8866

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/workbench init
	$(BIN)/workbench demo --if-empty
	$(BIN)/workbench serve --port $(PORT)

# The suite runs on a throw-away data directory so it never touches the user's store.
test: $(VENV)/.installed-dev
	$(BIN)/ruff check workbench tests benchmarks
	home=$$(mktemp -d) && WORKBENCH_HOME=$$home WORKBENCH_DB= $(BIN)/python -m pytest tests notebooks dashboards --nbval-lax -p no:cacheprovider; rc=$$?; rm -rf $$home; exit $$rc

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/ruff format --check workbench tests benchmarks

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/store.py
	$(BIN)/python benchmarks/rvtools.py

clean:
	rm -rf $(VENV) build dist *.egg-info
