"""Sphinx configuration of the course site (`make html`): Sphinx + myst-nb + sphinx-book-theme,
the stack Jupyter Book 1 is made of, built from the committed, executed notebooks.

    sphinx-build -c site . _build/html

The source directory is the repository root, so that the lessons, the exercises and the docs
keep their paths and the links between them (docs/errata.md -> ../notebooks/03_sparse.ipynb)
resolve; _toc.yml says what goes in (everything else is excluded). Nothing is executed and
nothing is loaded from outside the site: MathJax 3 is served from _static, the ipywidgets CDN
scripts are dropped, widgets show the PNG of their first frame and quizzes their HTML fallback.
"""
from __future__ import annotations

from pathlib import Path

project = "Autoencoders: a hands-on course"
author = "aecourse"
copyright = "aecourse authors"
language = "en"

extensions = [
    "myst_nb",
    "sphinx_external_toc",
    "sphinx_copybutton",
    "sphinx-mathjax-offline",  # MathJax 3 from _static, not from a CDN (the module name has dashes)
]

# What goes in: the toc's files only (never solutions/: the answers must not reach students).
external_toc_path = str(Path(__file__).resolve().parent / "_toc.yml")  # (-c site; any source directory)
external_toc_exclude_missing = True
include_patterns = ["notebooks/*.ipynb", "exercises/*.ipynb", "docs/*.md"]
exclude_patterns = [".*", "_build", "solutions", "**/.ipynb_checkpoints"]

# Notebooks: the committed outputs, never re-executed.
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no html-manager / require.js from a CDN: widgets are not live on a static page
nb_merge_streams = True
# A widget output carries, beside its widget view, the PNG of its first frame (LiveFigure) or an
# HTML fallback (quiz cells): drop the widget view so that the static fallback is rendered.
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("readthedocs", "application/vnd.jupyter.widget-view+json", None),
]
myst_enable_extensions = ["dollarmath", "amsmath"]
# myst-nb marks a notebook's content "mathjax_ignore" and lets MathJax into math nodes only; an HTML
# output (a quiz's fallback writes its math as \(...\)) is typeset too.
myst_mathjax_classes = "tex2jax_process|mathjax_process|math|output_area|text_html"
myst_heading_anchors = 3  # [text](#a-heading) links inside a page (docs/instructors.md)
suppress_warnings = ["mystnb.unknown_mime_type"]

# The book theme: sidebar of the toc, previous / next, search, a download button per page.
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = []
html_favicon = "_static/favicon.svg"  # a browser asks for /favicon.ico (a 404) when a page names none
templates_path = ["_templates"]  # search-button-field.html: the theme's, with its accessible name fixed
html_sourcelink_suffix = ""  # "Download .ipynb" gives the notebook itself
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
html_last_updated_fmt = None


def setup(app):
    # MathJax on every page, not only on those with a math node: a quiz fallback's \(...\) is raw HTML.
    app.set_html_assets_policy("always")
