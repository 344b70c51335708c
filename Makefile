# One command to start the panel with demo data, one to run every test.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 2

.PHONY: install run test ci clean

install: $(VENV)/.installed var/secret_key

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# A secret key made once per checkout (settings read it when SECRET_KEY is unset),
# so that `make run` and `manage.py` commands need no configuration.
var/secret_key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: install
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py seed_demo && \
	$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	exec $(VENV)/bin/gunicorn imagesharing.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile -

test: install
	$(VENV)/bin/pytest

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
