"""A lesson presented live with RISE (jupyterlab-rise) in JupyterLab, in headless Chromium.

Opens lesson 1 in JupyterLab (on a temporary copy: autosave never touches the committed files),
runs all cells, clicks RISE's "Render as Reveal Slideshow" toolbar button and checks the deck in
the preview panel: one top-level reveal.js slide per cell with slide_type "slide", the arrow key
moves to the next slide, a code cell re-runs on its slide in the same kernel (Shift+Enter), and the
slider cell is not blank. Screenshots go to _build/browser/rise_*.png.

What RISE does NOT do here (jupyterlab-rise 0.43.1 with JupyterLab 4.6.6): ipywidgets are not live
inside the slides. The slider cell shows the PNG of the figure instead (LiveFigure puts one in its
output), because the widget manager is not loaded in RISE's own page. docs/instructors.md ("Teaching live") says so.
Skipped, with the reason, where Chromium or Playwright is missing (see tests/test_browser.py).
"""
from __future__ import annotations

import json
import re
import time

import pytest

# The server and browser fixtures, and the helpers, are the browser test's: one way to start them.
from test_browser import CHROMIUM, NO_CHROMIUM, SHOTS, browser, lab, open_and_run_all, shut_down_kernels, wait_until  # noqa: F401

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)

LESSON = "01_bottleneck.ipynb"
SLIDER_CELL = "bottleneck_explorer"  # the lesson's widget cell


def slide_types(path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return [c["metadata"].get("slideshow", {}).get("slide_type", "-") for c in cells]


def present_index(deck) -> int:
    """Index of the top-level slide reveal.js shows now."""
    return deck.locator(".reveal .slides > section").evaluate_all(
        "els => els.findIndex(e => e.classList.contains('present'))")


def prompt_number(cell) -> int | None:
    match = re.search(r"\[(\d+)\]", cell.locator(".jp-InputPrompt").first.inner_text())
    return int(match.group(1)) if match else None


def test_rise_presents_a_lesson_as_reveal_slides(lab, browser):
    url, root = lab
    n_slides = slide_types(root / LESSON).count("slide")
    assert n_slides >= 2, f"{LESSON} has {n_slides} cells with slide_type 'slide'"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        open_and_run_all(page, url, LESSON)

        # RISE's toolbar button ("Render as Reveal Slideshow") opens the deck in a side panel.
        page.locator(".jp-NotebookPanel-toolbar [data-command='RISE:preview']").first.click()
        page.locator("iframe[src*='/rise/']").first.wait_for(timeout=60_000)
        deck = page.frame_locator("iframe[src*='/rise/']").first
        top = deck.locator(".reveal .slides > section")
        top.first.wait_for(state="attached", timeout=120_000)
        time.sleep(2)  # reveal.js lays out the slides after they are attached
        assert top.count() == n_slides, f"RISE made {top.count()} top-level slides, the notebook has {n_slides}"

        # Navigation: back to the title slide, then one slide forward.
        # (a click on a rendered Markdown cell gives the notebook the focus, in command mode)
        deck.locator(".reveal .slides > section.present .jp-MarkdownCell").first.click()
        page.keyboard.press("Home")
        wait_until(lambda: present_index(deck) == 0, 20)
        assert present_index(deck) == 0, "Home did not go to the first slide"
        page.screenshot(path=str(SHOTS / "rise_slide1.png"))
        # The deck follows the selected cell: select one on this slide before stepping on.
        deck.locator(".reveal .slides > section.present .jp-MarkdownCell").first.click()
        page.keyboard.press("ArrowRight")
        wait_until(lambda: present_index(deck) == 1, 20)
        assert present_index(deck) == 1, "ArrowRight did not move to the second slide"
        time.sleep(1)  # the slide transition
        page.screenshot(path=str(SHOTS / "rise_slide2.png"))

        # A code cell on the slide runs again in the notebook's kernel: its prompt number grows.
        cell = deck.locator(".reveal .slides > section.present .jp-CodeCell").first
        before = prompt_number(cell)
        assert before is not None, "the first code cell of slide 2 has no execution count after Run All"
        cell.locator(".jp-InputArea-editor").first.click()
        page.keyboard.press("Shift+Enter")
        wait_until(lambda: (prompt_number(cell) or 0) > before, 60, interval_s=0.5)
        after = prompt_number(cell)
        assert after is not None and after > before, f"Shift+Enter in the slide did not run the cell ({before} -> {after})"
        errors = cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, "the cell run from the slide printed an error: " + " ".join(errors.all_text_contents())

        # The slider cell shows a figure on its slide (a live slider or the PNG of the default state).
        slider_cell = deck.locator(f".jp-CodeCell:has-text('{SLIDER_CELL}')").first
        figure = slider_cell.locator(".jp-OutputArea img")
        assert figure.count() >= 1, "the slider cell is blank in the slides"
        live = slider_cell.locator(".widget-slider").count() > 0
        print(f"RISE: {n_slides} slides; the slider is {'live' if live else 'shown as a static image'} in the slides;"
              f" screenshots in {SHOTS}")
    finally:
        page.close()
        shut_down_kernels(url)
