# The README's commands. `make run` and `make test` each set everything up from a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# `make run PORT=8123 HOST=0.0.0.0` serves elsewhere (the sandbox takes PORT+69, or any free port).
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test bench build lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

build: $(STAMP)
	$(PY) build.py

run: build
	$(VENV)/bin/kasir demo --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: build lint
	$(PY) -m pytest

bench: build
	$(PY) bench/boot.py
	$(PY) bench/register.py
	$(PY) bench/paint.py
	$(PY) bench/relay.py

clean:
	rm -rf dist dist.tmp .cache/compiled
