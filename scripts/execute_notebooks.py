"""Execute lesson notebooks in place, in a fresh kernel each, and store their outputs.

    make notebooks                       # every notebook in notebooks/
    make notebooks NB=notebooks/03_sparse.ipynb

Runs with CI=true (no progress bars in stored outputs), stores widget state, fills in slide
metadata where a cell has none, and prints each notebook's wall time.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from _course import ROOT, lesson_paths



def default_slide_type(cell, index_of_first_code: int, i: int) -> str:
    """Slides for RISE / reveal.js: sections start a slide, the setup cell is skipped."""
    if cell.cell_type == "markdown" and cell.source.lstrip().startswith(("# ", "## ")):
        return "slide"
    if i == index_of_first_code:
        return "skip"
    if cell.cell_type == "markdown" and cell.source.lstrip().startswith("### "):
        return "subslide"
    if cell.cell_type == "code" and cell.source.lstrip().startswith("# Check"):
        return "fragment"
    return "-"


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), -1)
    for i, cell in enumerate(nb.cells):
        cell.metadata.setdefault("slideshow", {"slide_type": default_slide_type(cell, first_code, i)})
        cell.metadata.pop("execution", None)
    os.environ["CI"] = "true"
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   store_widget_state=True).execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or lesson_paths()
    for path in paths:
        print(f"{path}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
