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

.PHONY: help report evidence app screenshots test test-latest lint lock golden lab bench docs clean check-python venv-base venv-test

help:
	@echo "make report   - set up .venv and write the patient report for the shipped default profile"
	@echo "make test     - set up .venv with the test tools and run every test (notebooks included)"
	@echo "make evidence - print the evidence table (every prior and its source)"
	@echo "make app      - serve the decision aid for the clinic at http://127.0.0.1:5006/ (Ctrl+C stops it)"
	@echo "make screenshots - screenshots of the decision aid (1280x800 and 820x1180) into screenshots/"
	@echo "make lab      - open the notebooks in JupyterLab"
	@echo "make bench    - run the benchmark scripts"
	@echo "make docs     - build the documentation site into docs/_build/html (offline; warnings fail the build)"
	@echo "make lint     - ruff (lint + format check, notebooks included) and mypy"
	@echo "make lock     - re-resolve uv.lock to the newest releases pyproject.toml allows (then run make test)"
	@echo "make test-latest - run the suite in .venv-latest against the newest releases (finds drift on purpose)"
	@echo "make golden   - rewrite tests/golden/default_summary.json (the default report's numbers; say why they moved)"

check-python:
	@if [ -z "$(PY_FOUND)" ]; then echo "Python 3.12 or newer is needed: install python3.12 (or set PYTHON=/path/to/python3.12) and run make again." >&2; exit 1; fi

# Installs come from the committed lock (uv.lock): a fresh machine gets exactly the tested versions.
# uv itself is pinned and installed into .uv/ with pip; `make lock` re-resolves the lock from pyproject.toml.
UV_VERSION := 0.13.9
UV := .uv/bin/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never
SYNC = $(UV) sync --locked --python $(PY_FOUND)
ALL_EXTRAS := --extra test --extra app --extra cohort --extra docs --extra lint --extra notebooks

$(UV): | check-python
	@test -x .uv/bin/python || $(PY_FOUND) -m venv .uv
	.uv/bin/python -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"

venv-base: $(UV)
	@$(SYNC) -q

venv-test: $(UV)
	@$(SYNC) -q $(ALL_EXTRAS)
	@test -f $(VENV)/share/jupyter/kernels/python3/kernel.json || $(VPY) -m ipykernel install --sys-prefix --name python3 >/dev/null

lock: $(UV)
	$(UV) lock --upgrade --python $(PY_FOUND)

report: venv-base
	$(VENV)/bin/outcomes report

evidence: venv-base
	$(VENV)/bin/outcomes evidence

APP_ARGS ?=
app: venv-test
	$(VENV)/bin/outcomes app $(APP_ARGS)

screenshots: venv-test
	$(VPY) benchmarks/screenshots.py --out screenshots

test: venv-test lint
	$(VPY) -m pytest $(PYTEST_ARGS)

# The suite against the newest releases allowed by pyproject.toml, in a separate venv: drift found on purpose.
test-latest: $(UV)
	rm -rf .venv-latest
	$(PY_FOUND) -m venv .venv-latest
	UV_PROJECT_ENVIRONMENT= VIRTUAL_ENV=$(abspath .venv-latest) $(UV) pip install -q --python .venv-latest/bin/python --upgrade -e '.[test,app,cohort,docs,lint]'
	.venv-latest/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	.venv-latest/bin/python -m pip list --format=freeze 2>/dev/null | grep -iE '^(numpy|scipy|pandas|pymc|pytensor|arviz|preliz|nutpie)==' || true
	.venv-latest/bin/python -m pytest $(PYTEST_ARGS)

lint: venv-test
	$(VENV)/bin/ruff check outcomes tests benchmarks notebooks
	$(VENV)/bin/ruff format --check outcomes tests benchmarks notebooks
	$(VENV)/bin/mypy

# The default report's decision summary at its fixed seed, checked by tests/test_golden.py. The commit that
# rewrites it must say why the numbers moved. `$(VPY) -m outcomes.golden` alone lists what moved.
golden: venv-test
	$(VPY) -m outcomes.golden --write

lab: venv-test
	$(VENV)/bin/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# The documentation site: notebooks run at the test suite's small sizes (docs/_ext/_notebooks.py), API from the
# docstrings; every warning fails the build. tests/test_docs.py builds it too, so `make test` covers it.
docs: venv-test
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: venv-test
	@for b in benchmarks/*.py; do echo "== $$b"; $(VPY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .venv-latest .uv reports screenshots .pytest_cache .mypy_cache .ruff_cache docs/_build docs/api docs/notebooks
