# The README's commands. `make run`: the demo on the embedded default. `make test`: the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint messages bench bench-quick bench-full clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py compilemessages -v 0 --ignore=.venv
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py run_embedded

test: $(STAMP)
	$(PY) manage.py compilemessages -v 0 --ignore=.venv
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

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
