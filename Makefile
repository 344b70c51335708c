# One command to start the panel with demo data, one to run every test, one for the static checks.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PORT ?= 8000
# WORKERS and THREADS (environment or `make run WORKERS=4`) are read by gunicorn.conf.py.
# Test workers: pytest-xdist processes (see README, "Tests").
TEST_WORKERS ?= auto

.PHONY: install install-test install-lint run test lint ci clean

# What running needs, and no more; the test and lint extras come with their targets.
install: $(VENV)/.installed var/secret_key
install-test: install $(VENV)/.installed-test
install-lint: install $(VENV)/.installed-lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-lint: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[lint]'
	touch $@

# A secret key made once per checkout (settings read it when SECRET_KEY is unset),
# so that `make run` and `manage.py` commands need no configuration. var/ and the key
# are readable by this user alone.
var/secret_key:
	mkdir -p -m 700 var
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# The task worker (background jobs, see README) runs beside gunicorn and stops with it.
# The links in e-mail point at this server unless PANEL_URL says otherwise.
run: install
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py seed_demo && \
	$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	export PANEL_URL=$${PANEL_URL:-http://127.0.0.1:$(PORT)} && \
	{ $(PY) manage.py run_worker --no-reload & trap 'kill $$! 2>/dev/null' EXIT; \
	  $(VENV)/bin/gunicorn imagesharing.wsgi --bind 127.0.0.1:$(PORT) --access-logfile -; }

test: install-test
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

# The static checks CI runs before the tests: lint and format, types, the import
# layers (docs/rules.md, "Where to look"), and no model change without a migration.
lint: install-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
