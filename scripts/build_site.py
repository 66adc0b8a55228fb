"""Build the static site (`make html`) or the reveal.js slides (`make slides`) of the lessons.

    python scripts/build_site.py html     # -> _build/html/index.html and one page per lesson
    python scripts/build_site.py slides   # -> _build/slides/NN_topic.slides.html
    python scripts/build_site.py html DIR # -> DIR instead of _build/html

Uses the stored outputs of the committed notebooks (real executions that nbval re-checks); it
does not execute anything. Widgets are replaced by the static PNG of their default state that
``aecourse.widgets.LiveFigure`` stores beside the widget view, so a page never shows a blank box.
Each lesson page gets a navigation bar (index, previous, next) and a table of contents of its
sections. Math is typeset by MathJax in the reader's browser.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, SlidesExporter

from _course import NOTEBOOKS, ROOT, lesson_paths
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"



def static_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop widget views that carry a PNG fallback, and the widget state (it needs a CDN script)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and "image/png" in data:
                del data[WIDGET_VIEW]
    nb.metadata.pop("widgets", None)
    return nb


def anchor(title: str) -> str:
    """The id nbconvert gives a markdown heading: spaces become dashes."""
    return re.sub(r"\s+", "-", title.strip())


def navigation(names: list[str], i: int) -> str:
    links = ["[Course index](index.html)"]
    if i > 0:
        links.append(f"[&larr; previous]({names[i - 1]}.html)")
    if i < len(names) - 1:
        links.append(f"[next &rarr;]({names[i + 1]}.html)")
    return " | ".join(links)


def contents(nb: nbformat.NotebookNode) -> str:
    items = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    title = line[3:].strip()
                    items.append(f"- [{title}](#{anchor(title)})")
    return "**Contents**\n\n" + "\n".join(items)


def build_html(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    lessons = lesson_paths()
    names = [p.stem for p in lessons]
    exporter = HTMLExporter(template_name="lab")
    written = []
    for i, path in enumerate(lessons):
        nb = static_widgets(nbformat.read(path, as_version=4))
        header = navigation(names, i) + "\n\n" + contents(nb)
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(header))
        nb.cells.append(nbformat.v4.new_markdown_cell(navigation(names, i)))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        target = out / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    index = nbformat.read(NOTEBOOKS / "00_index.ipynb", as_version=4)
    for cell in index.cells:
        cell.source = re.sub(r"\]\((\d\d_[\w]+)\.ipynb\)", r"](\1.html)", cell.source)
    body, _ = exporter.from_notebook_node(index, resources={"metadata": {"name": "Autoencoders: a hands-on course"}})
    (out / "index.html").write_text(body, encoding="utf-8")
    written.append(out / "index.html")
    return written


def build_slides(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    exporter = SlidesExporter()
    written = []
    for path in lesson_paths():
        nb = static_widgets(nbformat.read(path, as_version=4))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        target = out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or argv[0] not in ("html", "slides"):
        print("usage: python scripts/build_site.py html|slides [OUTPUT_DIR]", file=sys.stderr)
        return 2
    build = build_html if argv[0] == "html" else build_slides
    for path in build(Path(argv[1]) if len(argv) == 2 else ROOT / "_build" / argv[0]):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
