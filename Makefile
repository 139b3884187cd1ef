# The README's commands. `make run`: the demo on the embedded default. `make test`: the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run demo test lint messages plotly bench bench-quick bench-full clean

# Installed once (again only when pyproject.toml changes). Not an editable install: the project runs
# from this folder, so only its dependencies are needed (and setuptools' editable warning is avoided).
$(STAMP): pyproject.toml
	@echo "==> Creating .venv and installing the dependencies (first run only: a few minutes)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --disable-pip-version-check pip
	$(PY) -m pip install --disable-pip-version-check ".[test]"
	rm -rf build
	touch $(STAMP)

install: $(STAMP)

# PORT=8000 ADDR=127.0.0.1 by default (ADDR=0.0.0.0 to reach it from phones on the LAN); DEMO=0 starts
# with an empty database, where the first visitor signs up as the owner.
run: $(STAMP)
	$(PY) manage.py run_embedded $(if $(filter 0 no,$(DEMO)),--no-demo)

# Rebuilds the demo restaurant (about 90 days of history up to now); `make run` loads it only into an
# empty database.
demo: $(STAMP)
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo

test: $(STAMP)
	$(PY) manage.py compilemessages -v 0 --ignore=.venv
	$(PY) -m pytest -q $(PYTEST_ARGS)

# ruff (lint + format), the import contracts of pyproject.toml (ARCHITECTURE.md's dependency direction) and
# the zh-Hans catalogues (a duplicated or malformed entry from a merge fails here, not at compilemessages).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py lintmigrations --settings restaurant_ops.lint_settings --quiet ok ignore
	msgfmt --check -o /dev/null locale/zh_Hans/LC_MESSAGES/django.po
	msgfmt --check -o /dev/null locale/zh_Hans/LC_MESSAGES/djangojs.po

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=bench --ignore=staticfiles --ignore=test-artifacts --ignore=tests --no-obsolete --no-location
	$(PY) manage.py makemessages -d djangojs -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=static/vendor --no-obsolete --no-location

# Benchmarks on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ops_bench; created and
# migrated by the script). Each writes bench/results.json and BENCHMARKS.md.
bench: $(STAMP)
	$(PY) -m bench.run --mode default

bench-quick: $(STAMP)
	$(PY) -m bench.run --mode quick

bench-full: $(STAMP)
	$(PY) -m bench.run --mode full

clean:
	rm -rf var staticfiles

# Rebuild the dashboard's plotly.js bundle (needs Node.js and npm; the result is committed).
plotly:
	cd assets/plotly && npm ci --no-audit --no-fund && npm run build
