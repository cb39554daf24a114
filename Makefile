# Set-up and main jobs. `make report` and `make test` work on a fresh machine with Python >= 3.12 and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
VPY := $(VENV)/bin/python
# The first interpreter that is Python >= 3.12: $(PYTHON), python3.13, python3.12, python3.
PY_FOUND := $(shell for c in $(PYTHON) python3.13 python3.12 python3; do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; \
	then command -v $$c; break; fi; done)
PYTEST_ARGS ?=

.PHONY: help report evidence test lab bench clean check-python

help:
	@echo "make report   - set up .venv and write the patient report for the shipped default profile"
	@echo "make test     - set up .venv with the test tools and run every test (notebooks included)"
	@echo "make evidence - print the evidence table (every prior and its source)"
	@echo "make lab      - open the notebooks in JupyterLab"
	@echo "make bench    - run the benchmark scripts"

check-python:
	@if [ -z "$(PY_FOUND)" ]; then echo "Python 3.12 or newer is needed: install python3.12 (or set PYTHON=/path/to/python3.12) and run make again." >&2; exit 1; fi

$(VENV)/.stamp-base: pyproject.toml | check-python
	@test -x $(VPY) || $(PY_FOUND) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e .
	@touch $@

$(VENV)/.stamp-test: pyproject.toml | check-python
	@test -x $(VPY) || $(PY_FOUND) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e '.[test]'
	$(VPY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@ $(VENV)/.stamp-base

$(VENV)/.stamp-lab: pyproject.toml | check-python
	@test -x $(VPY) || $(PY_FOUND) -m venv $(VENV)
	$(VPY) -m pip install -q -e '.[test,notebooks]'
	@touch $@ $(VENV)/.stamp-base $(VENV)/.stamp-test

report: $(VENV)/.stamp-base
	$(VENV)/bin/outcomes report

evidence: $(VENV)/.stamp-base
	$(VENV)/bin/outcomes evidence

test: $(VENV)/.stamp-test
	$(VPY) -m pytest $(PYTEST_ARGS)

lab: $(VENV)/.stamp-lab
	$(VENV)/bin/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: $(VENV)/.stamp-test
	@for b in benchmarks/*.py; do echo "== $$b"; $(VPY) $$b || exit 1; done

clean:
	rm -rf $(VENV) reports .pytest_cache
