"""The course in a real JupyterLab, in a real (headless) Chromium.

Starts `jupyter lab` from this environment on a free localhost port with a token, opens lessons
with sliders, runs all cells, moves every LiveFigure slider with the keyboard and checks that its
figure changed and that no cell printed an error. Screenshots go to _build/browser/ (the path is
printed at the end of the run). Skipped, with the reason, when Chromium or Playwright is missing;
CI installs Chromium (see .ci/run). Never downloads a browser.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from _lab import running_lab  # scripts/ is on pytest's pythonpath; the one way to start JupyterLab (docs screenshots too)

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "_build" / "browser"
TOKEN = "aecourse-browser-test"
# Lessons with sliders: lesson 4 (sigma) and lesson 3 (lambda), then lesson 1 (K) as a baseline.
LESSONS = ["04_denoising_shrinkage.ipynb", "03_sparse.ipynb", "01_bottleneck.ipynb"]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
NO_CHROMIUM = ("Chromium not found: install it (apt-get install chromium) to run the browser tests "
               "(JupyterLab, RISE, the site); .ci/run does")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the lessons (autosave never touches the committed files)."""
    if CHROMIUM is None:  # the fixtures skip too: tests in other files that import them get the same reason
        pytest.skip(NO_CHROMIUM)
    root = tmp_path_factory.mktemp("lab")
    for name in LESSONS:
        if (ROOT / "notebooks" / name).exists():
            shutil.copy(ROOT / "notebooks" / name, root / name)
    try:
        with running_lab(root, TOKEN) as url:
            yield url, root
    except RuntimeError as error:  # it did not start
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        try:
            yield b
        finally:
            b.close()


def open_notebook(page, url: str, name: str) -> None:
    """Open one notebook in a workspace of its own, reset: JupyterLab would otherwise restore the
    tabs of the previous test, and "Run All Cells" could run another notebook than this one."""
    workspace = re.sub(r"\W", "-", name.removesuffix(".ipynb"))
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{name}?reset&token={TOKEN}", timeout=60_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.get_by_text(re.compile(r"\| Idle")).first.wait_for(timeout=120_000)  # kernel started (status bar)


def shut_down_kernels(url: str) -> None:
    """Stop every kernel of the server (one lesson's kernel holds a few hundred MB)."""
    with urllib.request.urlopen(f"{url}/api/kernels?token={TOKEN}", timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{url}/api/kernels/{kernel['id']}?token={TOKEN}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def run_all_cells(page) -> None:
    """Run > Run All Cells; clicked again if the first click came before the notebook was ready."""
    for _ in range(3):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        time.sleep(5)
        if any(p != "[ ]:" for p in prompts(page)):
            return


def wait_until(condition, timeout_s: float, interval_s: float = 0.3) -> None:
    """Poll ``condition()`` until it is true or ``timeout_s`` has passed (the caller asserts after)."""
    deadline = time.time() + timeout_s
    while not condition() and time.time() < deadline:
        time.sleep(interval_s)


def prompts(page) -> list[str]:
    return [p.strip() for p in page.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()]


def all_executed(page) -> bool:
    """Every code cell has a number in its prompt and none shows [*]."""
    shown = prompts(page)
    return bool(shown) and all(p.startswith("[") and p[1:].rstrip(":]").strip().isdigit() for p in shown)


def open_and_run_all(page, url: str, name: str, timeout_s: float = 300) -> None:
    """Open a notebook (its own workspace), Run All Cells, and wait until every cell has run."""
    open_notebook(page, url, name)
    run_all_cells(page)
    wait_until(lambda: all_executed(page), timeout_s, interval_s=1)
    assert all_executed(page), f"cells still running after {timeout_s} s: {prompts(page)}"


QUIZ_LESSON, QUIZ_ID = "01_bottleneck.ipynb", "identity"  # a multiple-choice quiz of lesson 1


def answer_a_quiz_with_the_keyboard(page, stem: str) -> None:
    """Answer one quiz as a student using only the keyboard: a wrong option, Check, its explanation;
    then the right option, Check, "Right." (the verdict is in words, not only in colour)."""
    from aecourse.quizzes import load

    question = load(stem)[QUIZ_ID]
    wrong = next(o for o in question.options if o.key != question.answer)
    box = page.locator(".widget-vbox:has(.widget-radio-box)").filter(has_text=question.question.split("$")[0][:30])
    box.first.scroll_into_view_if_needed()
    feedback = box.first.locator(".widget-htmlmath").last
    for key, verdict in ((wrong.key, "Not quite."), (question.answer, "Right.")):
        radio = box.first.locator(".widget-radio-box input[type='radio']").nth(question.keys.index(key))
        radio.focus()
        page.keyboard.press("Space")  # choose it
        box.first.locator("button", has_text="Check").focus()
        page.keyboard.press("Enter")  # and check it
        wait_until(lambda: feedback.inner_text().startswith(verdict), 20, interval_s=0.2)
        assert feedback.inner_text().startswith(verdict), f"quiz {QUIZ_ID}, option {key}: {feedback.inner_text()!r}"
    box.first.screenshot(path=str(SHOTS / f"{stem}_quiz.png"))
    assert wrong.explanation.split(":", 1)[-1].strip()[:20] not in feedback.inner_text()  # the new answer's text


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_sliders_redraw_in_jupyterlab(lab, browser, lesson, request):
    url, root = lab
    if not (root / lesson).exists():
        pytest.skip(f"{lesson} does not exist yet")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_and_run_all(page, url, lesson)
        figures = page.locator(".widget-vbox:has(.widget-slider):has(img.widget-image)")
        figures.first.wait_for(timeout=30_000)
        n = figures.count()
        assert n >= 1, "no LiveFigure slider rendered"
        stem = lesson.removesuffix(".ipynb")
        for i in range(n):
            box = figures.nth(i)
            box.scroll_into_view_if_needed()
            image = box.locator("img.widget-image").first
            before = image.get_attribute("src")
            box.screenshot(path=str(SHOTS / f"{stem}_slider{i}_before.png"))
            handle = box.locator(".widget-slider .noUi-handle, .widget-slider [role='slider']").first
            handle.focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            wait_until(lambda: image.get_attribute("src") != before, 20, interval_s=0.2)
            time.sleep(1)  # the second key press may still be redrawing
            box.screenshot(path=str(SHOTS / f"{stem}_slider{i}_after.png"))
            assert image.get_attribute("src") != before, f"{lesson}: slider {i} moved but its figure did not change"
        if lesson == QUIZ_LESSON:
            answer_a_quiz_with_the_keyboard(page, stem)
        page.screenshot(path=str(SHOTS / f"{stem}_page.png"), full_page=False)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"{lesson}: a cell printed an error:\n" + "\n".join(errors.all_text_contents())[:3000]
    finally:
        page.close()
        shut_down_kernels(url)
    request.config.aecourse_report = getattr(request.config, "aecourse_report", []) + [
        f"browser test screenshots for {lesson}: {SHOTS}"]
