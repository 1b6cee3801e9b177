# Hadir — the two commands of the README:
#   make run    set everything up, load the demo data, serve on http://127.0.0.1:8000
#   make test   set everything up, run the whole suite on SQLite, then on PostgreSQL
#
# Everything installs from this repository's files: Python packages into .venv
# from requirements*.txt, Debian packages (Chromium for the browser tests, wrk
# for the benchmark) through scripts/install-system-deps.sh.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000
PG_URL ?= postgresql://postgres@127.0.0.1:5432/hadir_test
PG_DB  := $(notdir $(PG_URL))

.PHONY: setup run test test-sqlite test-postgres system-deps translations bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d translations

setup: $(STAMP) translations

# one process with threads, or 2 processes sharing rate limits in Redis when REDIS_URL is set
# (gunicorn-run.conf.py); one BLAS thread per process: face matching is memory-bound (bench/README.md)
run: setup
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo load
	@echo "Hadir on http://$(HOST):$(PORT)/admin/ (accounts: see README)"
	OPENBLAS_NUM_THREADS=1 $(BIN)/gunicorn --config gunicorn-run.conf.py --bind $(HOST):$(PORT) --access-logfile -

system-deps:
	bash scripts/install-system-deps.sh

test: setup system-deps test-sqlite test-postgres

test-sqlite: setup
	$(BIN)/pytest -q

# Runs when a PostgreSQL server answers on 127.0.0.1 (CI sets REQUIRE_POSTGRES=1 so
# that a missing server fails the run instead of skipping it).
test-postgres: setup
	@if pg_isready -q -h 127.0.0.1 -p 5432; then \
	  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(PG_DB)'" | grep -q 1 \
	    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $(PG_DB)"; \
	  TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
	  echo "PostgreSQL is not running on 127.0.0.1:5432" >&2; exit 1; \
	else \
	  echo "*** PostgreSQL not reachable on 127.0.0.1:5432: suite NOT run on PostgreSQL ***"; \
	fi

bench: setup system-deps
	$(BIN)/python bench/checkin.py --db sqlite
	$(BIN)/python bench/checkin.py --db postgres

clean:
	rm -rf $(VENV) instance .pytest_cache
