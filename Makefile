# Two commands: `make run` serves the demo, `make test` runs the whole suite.
# Both create .venv with Python 3.13 or 3.12 and install the project into it, and
# install again only when pyproject.toml's dependency lists change.

SHELL := /bin/bash
# This is a developer's machine: the development defaults (DEBUG is off unless turned on).
export DEBUG ?= true
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

# The first of python3.13 / python3.12 that really runs (a pyenv shim may exist
# without its version being active, so look in pyenv's versions folder too).
FIND_PYTHON := for c in python3.13 python3.12 \
		$${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 \
		$${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12; do \
	  $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	    && { $$c -c 'import sys; print(sys.executable)'; break; }; \
	done

# A fingerprint of what gets installed: the project's dependencies and its dev extras.
# The stamp holds the fingerprint of the last install that succeeded.
DEPENDENCIES_HASH := import hashlib, json, tomllib; \
	project = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	wanted = [project["dependencies"], project["optional-dependencies"]["dev"]]; \
	print(hashlib.sha256(json.dumps(wanted).encode()).hexdigest())

.PHONY: run test install check lint imports format typecheck bench clean

run: install
	@mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py create_seal_certificate
	$(PY) manage.py load_demo
	@echo "Tripartite is running at http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest

install:
	@if [ ! -x $(PY) ]; then \
	  python=$$($(FIND_PYTHON)); \
	  if [ -z "$$python" ]; then \
	    echo "Tripartite needs Python 3.13 or 3.12 (python3.13 or python3.12 on the PATH)." >&2; \
	    echo "Install one of them, then run this command again." >&2; \
	    exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV); \
	fi
	@wanted=$$($(PY) -c '$(DEPENDENCIES_HASH)') || exit 1; \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$wanted" ]; then \
	  echo "Installing the project and its dependencies into $(VENV)"; \
	  $(PY) -m pip install --quiet --upgrade pip \
	    && $(PY) -m pip install --quiet -e '.[dev]' \
	    && echo "$$wanted" > $(STAMP); \
	fi

check: lint imports typecheck
	$(PY) manage.py makemigrations --check --dry-run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

imports: install
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy --strict .

# Each prints its figures beside an anchor measured in the same run (PostgreSQL for reminders).
bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) var staticfiles
