# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint types unit token bench soak synth deploy clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

## Start the whole system locally: moto server, tables, queues, seed data, API on 127.0.0.1:8000, pump, courier.
run: $(STAMP)
	$(PY) -m tools.local_stack $(if $(PORT),--port $(PORT))

## Lint, types and the whole test suite.
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(PY) -m ruff check .

types: $(STAMP)
	$(PY) -m mypy

## Print a local (stage `local`) bearer token: make token ROLE=staff OFFICE=SZ-GOV
ROLE ?= citizen
token: $(STAMP)
	@$(PY) -m tools.token --role $(ROLE) $(if $(OFFICE),--office $(OFFICE)) $(if $(CITY),--city $(CITY)) $(if $(SUB),--sub $(SUB))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
