# The two commands a new user needs: `make demo` and `make test`. Everything else is a building block.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: demo test install node lint typecheck pytest jstest browsers services bench fmt clean newman security-lint

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

NEWMAN_STAMP := tools/newman/node_modules/.installed

$(NEWMAN_STAMP): tools/newman/package.json tools/newman/package-lock.json
	cd tools/newman && npm ci --no-audit --no-fund
	touch $(NEWMAN_STAMP)

newman: $(NEWMAN_STAMP)

# bandit (.bandit.yml says which checks are skipped and why) and semgrep with the local rules of .semgrep.yml, offline.
SEMGREP_EXCLUDES := $(foreach d,tests e2e bench tools widget node_modules .venv instance,--exclude $(d))
security-lint: install
	$(VENV)/bin/bandit -q -c .bandit.yml -r broker sandbox common example_host_app
	# scripts/ start the project's own servers with fixed argument lists (ruff ignores S603/S607 there too)
	$(VENV)/bin/bandit -q -c .bandit.yml -s B101,B105,B106,B311,B404,B603,B607 -r scripts
	$(VENV)/bin/semgrep scan --config .semgrep.yml --metrics=off --disable-version-check --quiet --error $(SEMGREP_EXCLUDES) .

test: install node newman browsers services lint typecheck security-lint jstest pytest

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

fmt: install $(NODE_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	cd widget && npx prettier --write src test scripts

clean:
	rm -rf $(VENV) widget/node_modules instance .pytest_cache .mypy_cache .ruff_cache
