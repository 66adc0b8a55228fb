"""`make html` and `make slides` build from the stored outputs: every lesson page exists, has its
figures, its math and a table of contents; widgets show their static image, not a blank box."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("00_"))


def build(kind: str, out: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), kind, str(out)], check=True,
                   capture_output=True, text=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html")
    build("html", out)
    return out


def test_there_are_lessons():
    assert LESSONS and LESSONS[0] == "01_bottleneck"


def test_index_links_every_lesson(site):
    index = (site / "index.html").read_text()
    for name in LESSONS:
        assert f'href="{name}.html"' in index, f"index.html does not link {name}.html"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_page_has_figures_math_contents_and_no_blank_widgets(site, name):
    page = (site / f"{name}.html").read_text()
    stored = (ROOT / "notebooks" / f"{name}.ipynb").read_text()
    n_figures = stored.count('"image/png"')
    assert n_figures > 0, f"{name}.ipynb has no stored figure"
    assert page.count("data:image/png;base64,") >= n_figures, f"{name}.html lost figures"
    assert "application/vnd.jupyter.widget-view+json" not in page, f"{name}.html would show a blank widget box"
    assert "MathJax" in page and re.search(r"\$[^$]+\$", page), f"{name}.html has no math or no MathJax"
    assert "Contents" in page and 'href="#' in page, f"{name}.html has no table of contents"
    assert 'href="index.html"' in page


def test_slides_build_with_reveal(tmp_path):
    build("slides", tmp_path)
    for name in LESSONS:
        slides = (tmp_path / f"{name}.slides.html").read_text()
        assert "reveal" in slides.lower() and "<section" in slides, f"{name}: not a reveal.js deck"
        assert "application/vnd.jupyter.widget-view+json" not in slides
