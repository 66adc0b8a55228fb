"""Make the screenshots in docs/ again.

    python scripts/make_screenshots.py presenter   # docs/presenter.png (no browser needed)
    python scripts/make_screenshots.py slider      # docs/screenshot-slider.png (JupyterLab + Chromium)

presenter: lesson 1's "error against bottleneck size" figure, made by the lesson's own cells,
drawn with ``aecourse.setup()`` and with ``AECOURSE_PRESENTER=1``, side by side at the pixel size
JupyterLab shows them.
slider: lesson 3 in JupyterLab in headless Chromium (a temporary copy of the notebook), all cells
run, the lambda slider moved one step; the "Try it" cell and its live figure, cropped.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _course import ROOT
from _lab import running_lab

DOCS = ROOT / "docs"


def lesson_figure(lesson: str, marker: str):
    """The figure a lesson's cell draws, made by the lesson's own code: every code cell of
    ``notebooks/<lesson>`` up to the first one containing ``marker`` runs here, in order, in one
    namespace (so the screenshot cannot drift from the lesson). ``aecourse.setup()`` in the lesson's
    first cell reads ``AECOURSE_PRESENTER``."""
    import matplotlib.pyplot as plt
    import nbformat

    cells = [c.source for c in nbformat.read(ROOT / "notebooks" / lesson, as_version=4).cells if c.cell_type == "code"]
    last = next((i for i, source in enumerate(cells) if marker in source), None)
    if last is None:
        raise SystemExit(f"no code cell of {lesson} contains {marker!r}; update the marker in make_screenshots.py")
    namespace: dict = {"__name__": "__lesson__"}
    show, plt.show = plt.show, lambda *args, **kwargs: None  # the lesson's plt.show() calls keep their figure
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the lesson's printed tables
            for source in cells[:last]:
                exec(compile(source, lesson, "exec"), namespace)
                plt.close("all")
            exec(compile(cells[last], lesson, "exec"), namespace)
    finally:
        plt.show = show
    return plt.gcf()


def presenter(target: Path = DOCS / "presenter.png") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image, ImageDraw, ImageFont

    images = []
    for flag in (False, True):
        os.environ["AECOURSE_PRESENTER"] = "1" if flag else "0"
        fig = lesson_figure("01_bottleneck.ipynb", "Reconstruction error against bottleneck size")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight")  # as JupyterLab's inline backend
        plt.close(fig)
        images.append(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    font = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"), 26)
    labels = ["aecourse.setup()", "aecourse.setup(presenter=True)  or  AECOURSE_PRESENTER=1"]
    gap, top = 40, 60
    width = sum(im.width for im in images) + 3 * gap
    height = max(im.height for im in images) + top + gap
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    x = gap
    for im, label in zip(images, labels):
        draw.text((x, 15), label, fill="black", font=font)
        sheet.paste(im, (x, top))
        draw.rectangle([x - 1, top - 1, x + im.width, top + im.height], outline=(180, 180, 180))
        x += im.width + gap
    sheet.save(target, optimize=True)
    print(f"{target}: normal {images[0].size} px, presenter {images[1].size} px")
    return target


def slider(lesson: str = "03_sparse.ipynb") -> Path:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium not found: apt-get install chromium")
    token = "aecourse-screenshots"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copy(ROOT / "notebooks" / lesson, root / lesson)
        with running_lab(root, token, start_timeout=120) as url:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1440, "height": 1100})
                page.goto(f"{url}/lab/tree/{lesson}?reset&token={token}", timeout=120_000)
                page.get_by_text(re.compile(r"\| Idle")).first.wait_for(timeout=180_000)
                page.locator(".lm-MenuBar-itemLabel", has_text="View").first.click()  # hide the file browser
                page.locator(".lm-Menu-itemLabel", has_text="File Browser").first.click()
                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
                box = page.locator(".widget-vbox:has(.widget-slider):has(img.widget-image)").first
                box.wait_for(timeout=300_000)
                cell = page.locator(".jp-CodeCell:has(.widget-slider)").first
                cell.scroll_into_view_if_needed()
                image = box.locator("img.widget-image").first
                before = image.get_attribute("src")
                box.locator(".widget-slider .noUi-handle, .widget-slider [role='slider']").first.focus()
                page.keyboard.press("ArrowRight")
                deadline = time.time() + 30
                while image.get_attribute("src") == before and time.time() < deadline:
                    time.sleep(0.2)
                time.sleep(1)
                page.mouse.move(0, 0)
                heading = page.locator(".jp-MarkdownCell:has-text('Try it')").first
                heading.scroll_into_view_if_needed()
                top = heading.bounding_box()
                bottom = cell.bounding_box()
                panel = page.locator(".jp-NotebookPanel").first.bounding_box()
                clip = {"x": panel["x"], "y": top["y"] - 8, "width": panel["width"],
                        "height": bottom["y"] + bottom["height"] - top["y"] + 16}
                target = DOCS / "screenshot-slider.png"
                page.screenshot(path=str(target), clip=clip)
                browser.close()
    print(target)
    return target


if __name__ == "__main__":
    jobs = {"presenter": presenter, "slider": slider}
    if len(sys.argv) != 2 or sys.argv[1] not in jobs:
        raise SystemExit("usage: python scripts/make_screenshots.py presenter|slider")
    jobs[sys.argv[1]]()
