# Alongside: `make run` to try it, `make test` to test it. Nothing else is needed but Python 3.11+, Node and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

# Local development only: the settings refuse to start without SECRET_KEY unless DEBUG is on. Private notes are
# encrypted with a local master key made on first run in .local/ (git-ignored); NOTES_MASTER_KEYS overrides it.
NOTES_KEY_FILE := .local/notes-master-key
RUN_ENV = DEBUG=true NOTES_MASTER_KEYS="$${NOTES_MASTER_KEYS:-$$(cat $(NOTES_KEY_FILE))}"
# The tests run with DEBUG off, as production does, with a key that is only ever used by tests.
TEST_ENV := SECRET_KEY=alongside-tests-only-not-a-secret

.PHONY: run test e2e lint scan load bench profile format install migrate clean

$(VENV)/.installed: requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Alongside needs Python 3.11 or newer.")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

$(NOTES_KEY_FILE):
	mkdir -p .local
	umask 077 && $(PYTHON) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' > $@

migrate: install $(NOTES_KEY_FILE)
	$(RUN_ENV) $(PY) manage.py migrate --noinput

run: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo --if-empty
	@printf '\nAlongside is at http://%s:%s/ (stop it with Ctrl+C)\n\n' "$(HOST)" "$(PORT)"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# On SQLite (DATABASE_URL unset) the tests run in two processes (pytest-xdist), each with its own in-memory database:
# the suite in a little over half the time on two cores. On PostgreSQL they run in one process: the chaos tests start,
# kill and time processes of their own, and the cache and Celery tests share one Redis database. TEST_WORKERS=0 runs
# any database in one process, TEST_WORKERS=4 in four. Every run lists its slowest tests (pyproject.toml).
TEST_WORKERS ?= $(if $(DATABASE_URL),0,2)

test: install
	node --test tests/js/
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) $(ARGS)

# Browser journeys with Debian's Chromium (apt-get install chromium) against the live server.
e2e: install
	$(TEST_ENV) $(PY) -m pytest -m e2e tests/e2e $(ARGS)

# Ruff; import-linter's contracts (the layers and the nevers of docs/architecture.md); mypy with django-stubs; no
# model change without its migration (makemigrations --check); the browser's scripts type-checked by TypeScript
# (tsconfig.json: static/alongside/*.js with their JSDoc types).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(VENV)/bin/mypy
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	node_modules/.bin/tsc --noEmit -p tsconfig.json

# Security scanners: bandit over Alongside's code (no medium or high finding unless justified inline with nosec),
# pip-audit over the locked dependencies (.ci/audit-dependencies says when it could not audit). Ruff's S rules run
# in `make lint`.
scan: install
	$(VENV)/bin/bandit -q -r accounts config core demo engagements frontend lessons onboarding reporting retention sites -x '*/migrations/*' -ll
	.ci/audit-dependencies

# Five minutes at concurrency 32 against gunicorn on PostgreSQL (DATABASE_URL); writes docs/benchmarks.md.
load: install
	$(PY) bench/load.py

# Every busy page at national scale (10,000 sites, 1,000,000 sessions, 200,000 lessons) on PostgreSQL
# (DATABASE_URL), gunicorn and wrk; builds the data set on first use; writes docs/benchmarks.md.
bench: install
	$(PY) bench/run.py

# Where each benchmarked page's time goes (cProfile, in one process, on the same data set): writes docs/benchmarks.md.
profile: install
	$(PY) bench/profile_pages.py

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .mypy_cache
