# The README's commands. `make run` and `make test` each set everything up from a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# `make run PORT=8123 HOST=0.0.0.0` serves elsewhere (the sandbox takes PORT+69, or any free port).
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test bench build lint format clean setup setup-test

# What the machine must have (Node for the build; Chromium for the tests), installed with apt-get
# as root where it is missing, or one line saying what to install: before anything else.
setup:
	@PYTHON=$(PYTHON) bash scripts/setup

setup-test:
	@PYTHON=$(PYTHON) bash scripts/setup chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

build: setup $(STAMP)
	$(PY) build.py

run: build
	$(VENV)/bin/kasir demo --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup-test build lint
	$(PY) -m pytest

bench: setup-test build
	$(PY) bench/install.py
	$(PY) bench/boot.py
	$(PY) bench/register.py
	$(PY) bench/paint.py
	$(PY) bench/relay.py

clean:
	rm -rf dist dist.tmp .cache/compiled
