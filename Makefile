# The two commands a new user needs: `make demo` and `make test`. Everything else is a building block.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: demo test install node lint typecheck pytest jstest browsers services bench fmt clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) scripts/demo.py

browsers:
	bash scripts/ensure_chromium.sh

services:
	bash scripts/ensure_services.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest -q

NODE_STAMP := widget/node_modules/.installed

$(NODE_STAMP): widget/package.json widget/package-lock.json
	cd widget && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

node: $(NODE_STAMP)

jstest: $(NODE_STAMP)
	cd widget && npx prettier --check src test scripts
	cd widget && node scripts/build.js --check
	cd widget && node --test test/

test: install node browsers services lint typecheck jstest pytest

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

fmt: install $(NODE_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	cd widget && npx prettier --write src test scripts

clean:
	rm -rf $(VENV) widget/node_modules instance .pytest_cache .mypy_cache .ruff_cache
