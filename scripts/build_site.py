"""Build the reveal.js slides of the lessons (`make slides`); they open offline, without a server.

    python scripts/build_site.py slides       # -> _build/slides/NN_topic.slides.html
    python scripts/build_site.py slides DIR   # -> DIR instead of _build/slides

The site (`make html`) is built by Sphinx from site/conf.py; this script keeps only what Sphinx
does not do. nbconvert's reveal template loads reveal.js, require.js, jQuery, MathJax 2 and
mermaid from CDNs: here they come from site/node_modules (`make site-assets`, pinned in
site/package.json) and are copied into DIR/_assets, and site/slides.html.j2 drops the mermaid
import, so the slides need nothing outside DIR. Uses the stored outputs of the committed
notebooks; it executes nothing. Widgets are replaced by their static fallback (the PNG of a
LiveFigure's first frame, a quiz's HTML), so a slide never shows a blank box.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

from _course import ROOT, lesson_paths

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NODE_MODULES = ROOT / "site" / "node_modules"
ASSETS = "_assets"
TEMPLATE = ROOT / "site" / "slides.html.j2"
# What the slides load, relative to DIR/_assets (the template's require.js, reveal.js 4, MathJax 2).
MATHJAX_CONFIG = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
# The parts of MathJax 2 that TeX-AMS_CHTML-full loads (1.5 MB of its 73 MB; found by logging a deck's requests).
MATHJAX_PARTS = ["MathJax.js", "config/Safe.js", "config/TeX-AMS_CHTML-full.js", "extensions/Safe.js",
                 "extensions/TeX", "jax/element", "jax/input/TeX", "jax/output/CommonHTML", "fonts/HTML-CSS/TeX/woff"]


def static_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop widget views that carry a static fallback (PNG, HTML), and the widget state."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and ({"image/png", "text/html"} & set(data)):
                del data[WIDGET_VIEW]
    nb.metadata.pop("widgets", None)
    return nb


def copy_assets(out: Path) -> None:
    """reveal.js, require.js and MathJax into out/_assets; a clear error when they are not installed."""
    needed = ["reveal.js/dist/reveal.js", "requirejs/require.js", "jquery/dist/jquery.min.js", "mathjax/MathJax.js"]
    missing = [name for name in needed if not (NODE_MODULES / name).exists()]
    if missing:
        raise SystemExit(f"build_site.py slides needs {', '.join(missing)} under {NODE_MODULES}, which is not "
                         "installed: run `make site-assets` (npm ci in site/) once, with the npm registry reachable.")
    assets = out / ASSETS
    shutil.rmtree(assets, ignore_errors=True)
    reveal = NODE_MODULES / "reveal.js"
    for name in ("dist/reveal.js", "dist/reveal.css", "dist/theme/white.css"):  # the other themes load web fonts
        (assets / "reveal.js" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(reveal / name, assets / "reveal.js" / name)
    for folder in ("dist/theme/fonts/source-sans-pro", "plugin/notes"):
        shutil.copytree(reveal / folder, assets / "reveal.js" / folder)
    shutil.copy(NODE_MODULES / "requirejs" / "require.js", assets / "require.js")
    shutil.copy(NODE_MODULES / "jquery" / "dist" / "jquery.min.js", assets / "jquery.min.js")
    for part in MATHJAX_PARTS:
        source, target = NODE_MODULES / "mathjax" / part, assets / "mathjax" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)


def build_slides(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    exporter = SlidesExporter(template_file=str(TEMPLATE), reveal_theme="white",  # its fonts are local
                              reveal_url_prefix=f"{ASSETS}/reveal.js",
                              require_js_url=f"{ASSETS}/require.js", jquery_url=f"{ASSETS}/jquery.min.js",
                              mathjax_url=f"{ASSETS}/{MATHJAX_CONFIG}")
    written = []
    for path in lesson_paths():
        nb = static_widgets(nbformat.read(path, as_version=4))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or argv[0] != "slides":
        print("usage: python scripts/build_site.py slides [OUTPUT_DIR]   (the site: make html, i.e. "
              "sphinx-build -b html -c site . _build/html)", file=sys.stderr)
        return 2
    for path in build_slides(Path(argv[1]) if len(argv) == 2 else ROOT / "_build" / "slides"):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
