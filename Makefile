# Two commands on a fresh machine with python3 (3.10+) and make:
#   make lab    set up .venv if needed, then open the course in JupyterLab
#   make test   set up .venv if needed, then run every test (unit, notebooks, ...)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Rebuilt when pyproject.toml changes; otherwise the setup is skipped.
STAMP := $(VENV)/.aecourse-installed
TORCH := torch==2.13.0

.PHONY: setup lab test bench notebooks html slides clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing $(TORCH) (CPU build) first, then the course and its test tools into $(VENV) ..."
	$(PY) -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,cluster]"
	@touch $(STAMP)

# (as root, e.g. in a container, JupyterLab needs --allow-root)
lab: setup
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_index.ipynb

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) scripts/bench.py $(ARGS)

# Re-execute the lesson notebooks in place and store their outputs (after editing a lesson).
notebooks: setup
	$(PY) scripts/execute_notebooks.py $(NB)

# A static site of the executed lessons under _build/html (index, contents, figures, math).
html: setup
	$(PY) scripts/build_site.py html

# reveal.js slides of every lesson under _build/slides; they open without a server.
slides: setup
	$(PY) scripts/build_site.py slides

clean:
	rm -rf $(VENV) .pytest_cache _build
