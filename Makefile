# Two commands on a fresh machine with python3 (3.10+) and make:
#   make lab    set up .venv if needed, then open the course in JupyterLab
#   make test   set up .venv if needed, then run every test (unit, notebooks, ...)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Rebuilt when pyproject.toml changes; otherwise the setup is skipped.
STAMP := $(VENV)/.aecourse-installed
TORCH := torch==2.13.0

.PHONY: setup site-assets lab test bench notebooks html slides clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing $(TORCH) (CPU build) first, then the course and its test tools into $(VENV) ..."
	$(PY) -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,cluster,docs]"
	@touch $(STAMP)

# reveal.js, MathJax 2, require.js, jQuery (bundled into the slides) and axe-core (the site test's
# accessibility check), pinned in site/package-lock.json; npm is needed once, never at run time.
ASSETS := site/node_modules/.package-lock.json
site-assets: $(ASSETS)

$(ASSETS): site/package.json site/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd site && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else echo "WARNING: npm not found: make slides and the site test's accessibility check need site/node_modules (install Node.js 18+)."; fi

# (as root, e.g. in a container, JupyterLab needs --allow-root)
lab: setup
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_index.ipynb

test: setup site-assets
	$(PY) -m pytest

bench: setup
	$(PY) scripts/bench.py $(ARGS)

# Re-execute the lesson notebooks in place and store their outputs (after editing a lesson).
notebooks: setup
	$(PY) scripts/execute_notebooks.py $(NB)

# The course as a book site under _build/html (Sphinx + myst-nb + sphinx-book-theme, site/conf.py):
# lessons, exercises and docs from the committed outputs (nothing re-executed), fully offline.
html: setup
	$(VENV)/bin/sphinx-build -q -b html -c site . _build/html

# reveal.js slides of every lesson under _build/slides, reveal.js and MathJax bundled: they open
# offline, without a server.
slides: setup site-assets
	$(PY) scripts/build_site.py slides

clean:
	rm -rf $(VENV) .pytest_cache _build
