# Argmap: `make run` serves the demo on 127.0.0.1:8000, `make test` runs the whole suite
# on SQLite and then on PostgreSQL. PYTHON=/path/to/python3.12+ overrides the search below.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# A Python >= 3.12: first on PATH, then pyenv's installed versions (its shims fail unless selected).
PYTHON ?= $(shell \
	for p in python3.13 python3.12 python3.14 python3; do \
	  c=$$(command -v $$p 2>/dev/null) || continue; \
	  "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$$c"; exit 0; }; \
	done; \
	root=$$(pyenv root 2>/dev/null) || exit 0; \
	for v in $$(ls -d "$$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do \
	  [ -x "$$v/bin/python" ] && { echo "$$v/bin/python"; exit 0; }; \
	done)

VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/argmap
HOST_PORT ?= 127.0.0.1:8000

.PHONY: run test test-sqlite test-postgres install migrate seeds bench load check clean

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "No Python >= 3.12 found: install one or pass PYTHON=/path/to/python3.12"; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seeds: migrate
	set -o pipefail; $(PY) manage.py load_seeds --demo-logins | tee $(VENV)/seeds.out

run: seeds
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "Argmap is at http://$(HOST_PORT)/  (demo map: http://$(HOST_PORT)/maps/belarus/)"
	@sed -n '/^Demo logins/,$$p' $(VENV)/seeds.out
	@echo ""
	$(PY) manage.py runserver $(HOST_PORT)

# Everything the tests need, then the suite on SQLite and on PostgreSQL.
# With ARGMAP_REQUIRE_ALL=1 (set by .ci/run) a missing browser, Argdown CLI or database fails instead of skipping.
test: install
	@bash .ci/ensure-chromium
	@bash .ci/ensure-argdown
	$(MAKE) --no-print-directory test-sqlite
	@bash .ci/ensure-postgres; status=$$?; \
	if [ $$status = 0 ]; then $(MAKE) --no-print-directory test-postgres; \
	elif [ $$status = 1 ]; then echo "NOTICE: PostgreSQL is not available here: the PostgreSQL run was skipped."; \
	else exit $$status; fi

test-sqlite: install
	@echo "=== test suite on SQLite ==="
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	@echo "=== test suite on PostgreSQL ($(PG_URL)) ==="
	DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/bench_map.py
	$(PY) bench/bench_anchoring.py
	$(PY) bench/bench_fuzzy_anchoring.py
	$(PY) bench/bench_exports.py
	$(PY) bench/bench_strength.py
	$(PY) bench/bench_login.py
	$(PY) bench/bench_live.py
	$(PY) bench/bench_dashboard.py

# The load test on PostgreSQL (bench/load/run.py); LOAD_ARGS="school --users 20 --duration 45s" for a smoke run.
LOAD_ARGS ?= --all
load: install
	$(PY) bench/load/run.py $(LOAD_ARGS)

check: install
	$(PY) manage.py check

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
