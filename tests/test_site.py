"""`make html` (Sphinx + myst-nb + sphinx-book-theme, site/conf.py) and `make slides` build the
course from the committed outputs, and the result works offline.

Without a browser: every lesson, exercise and doc is a page of the sidebar, with previous / next,
a download link to its notebook, its figures (a slider as the PNG of its first frame), every
quiz cell as its HTML fallback, the alt text its cell sets, headings in order, and no reference to
anything outside the site; nothing is re-executed. In headless Chromium (skipped, with the reason,
where Chromium is missing): served on loopback with every other request blocked, the index and a
lesson load with no failed or blocked request, math is typeset (in the quizzes too), figures carry
their alt texts, code cells have copy buttons, searching "contractive" finds lesson 5, and axe-core
finds no serious or critical violation.
"""
from __future__ import annotations

import base64
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

# Chromium as the browser test launches it (Debian's, never a download; skips with one reason without it).
from test_browser import browser  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("00_"))
EXERCISES = sorted(p.stem for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
DOCS = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
PAGES = ([f"notebooks/{name}" for name in ["00_index", *LESSONS]] + [f"exercises/{name}" for name in EXERCISES]
         + [f"docs/{name}" for name in DOCS])
NODE_MODULES = ROOT / "site" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
BUILD_LIMIT_S = 60  # issue 17: the site builds in under a minute


def sphinx_build(source: Path, out: Path) -> float:
    """`make html`'s command on ``source``; returns its wall time in seconds."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(ROOT / "site"),
                             str(source), str(out)], capture_output=True, text=True)
    assert result.returncode == 0, f"sphinx-build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html")
    seconds = sphinx_build(ROOT, out)
    print(f"site built in {seconds:.1f} s: {len(list(out.rglob('*.html')))} pages")
    assert seconds < BUILD_LIMIT_S, f"the site took {seconds:.0f} s to build (limit {BUILD_LIMIT_S} s)"
    return out


def page(site: Path, name: str) -> str:
    return (site / f"{name}.html").read_text(encoding="utf-8")


def article(html: str) -> str:
    """The page's content (what the notebook or doc says), without the theme's sidebar and header."""
    match = re.search(r'<article class="bd-article">(.*?)</article>', html, re.S)
    assert match, "no <article class=\"bd-article\"> in the page: has the theme changed?"
    return match.group(1)


class Images(HTMLParser):
    """The <img> tags of a page, as attribute dicts; the heading levels, in order."""

    def __init__(self):
        super().__init__()
        self.images, self.headings = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def parse(html: str) -> Images:
    parser = Images()
    parser.feed(html)
    return parser


def figures(notebook: Path) -> list[tuple[int, bytes, str | None]]:
    """(cell index, PNG bytes, alt text from the cell's metadata or None) of every stored figure."""
    nb = nbformat.read(notebook, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                found.append((i, base64.b64decode(out["data"]["image/png"]), alt))
    return found


def shown_images(site: Path, name: str) -> list[tuple[bytes, str]]:
    """(bytes, alt) of every image of a page's content, in order."""
    folder = (site / name).parent
    return [((folder / img["src"]).read_bytes(), img.get("alt", "")) for img in parse(article(page(site, name))).images
            if not img["src"].startswith("data:")]


# ---------------------------------------------------------------------------------------------
# The built pages, without a browser
# ---------------------------------------------------------------------------------------------

def test_every_lesson_exercise_and_doc_is_a_page_of_the_sidebar(site):
    assert LESSONS[0] == "01_bottleneck" and EXERCISES and "errata" in DOCS
    assert (site / "index.html").exists(), "no index.html (sphinx-external-toc writes a redirect to the root)"
    sidebar = page(site, "notebooks/00_index")
    for name in PAGES[1:]:
        assert (site / f"{name}.html").exists(), f"{name} was not built"
        target = name.split("/")[1] if name.startswith("notebooks/") else f"../{name}"
        assert f'href="{target}.html"' in sidebar, f"the sidebar of the index does not link {name}"


def test_no_solution_reaches_the_site(site):
    """The exercises are the student versions; solutions/ is never built."""
    assert not (site / "solutions").exists() and not (site / "_sources" / "solutions").exists()
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text, f"{path.relative_to(site)} shows a solution"


@pytest.mark.parametrize("i", range(1, len(LESSONS) + len(EXERCISES) + 1))
def test_previous_and_next_follow_the_sidebar(site, i):
    order = PAGES[: 1 + len(LESSONS) + len(EXERCISES)]
    html = page(site, order[i])
    previous = re.search(r'<link rel="prev" title="[^"]*" href="([^"]+)"', html)
    assert previous, f"{order[i]} has no previous page"
    assert (site / order[i]).parent.joinpath(previous.group(1)).resolve() == (site / f"{order[i - 1]}.html").resolve()
    if i + 1 < len(order):
        following = re.search(r'<link rel="next" title="[^"]*" href="([^"]+)"', html)
        assert following, f"{order[i]} has no next page"
        assert (site / order[i]).parent.joinpath(following.group(1)).resolve() == \
            (site / f"{order[i + 1]}.html").resolve()


@pytest.mark.parametrize("name", [p for p in PAGES if not p.startswith("docs/")])
def test_each_notebook_page_offers_its_notebook_for_download(site, name):
    html = page(site, name)
    stem = name.split("/")[1]
    assert f'href="../_sources/{name}.ipynb"' in html, f"{name}.html has no download link to its .ipynb"
    assert (site / "_sources" / f"{name}.ipynb").read_bytes() == (ROOT / f"{name}.ipynb").read_bytes(), \
        f"the {stem}.ipynb a reader downloads is not the committed notebook"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_shows_every_stored_figure_and_sliders_as_their_first_frame(site, name):
    """Each stored PNG (a LiveFigure's is the first frame, stored beside its widget view) is shown
    as it is, byte for byte; no widget view is left to render as a blank box. Fails if a figure is
    dropped, re-encoded or replaced by the widget view."""
    stored = [png for _, png, _ in figures(ROOT / "notebooks" / f"{name}.ipynb")]
    shown = [png for png, _ in shown_images(site, f"notebooks/{name}")]
    assert shown == stored, f"{name}: {len(shown)} images shown, {len(stored)} stored, or not the same bytes"
    assert f'type="{WIDGET_VIEW}"' not in page(site, f"notebooks/{name}"), f"{name} would render a widget view"


def test_figures_carry_the_alt_text_their_cells_set(site):
    """Every figure has the alt text its cell sets in its metadata ("mystnb": {"image": {"alt": ...}});
    the site invents none (without it a reader hears a file name). Fails listing the cells without one."""
    missing = []
    for name in LESSONS:
        stored = figures(ROOT / "notebooks" / f"{name}.ipynb")
        shown = shown_images(site, f"notebooks/{name}")
        assert len(shown) == len(stored)
        for (cell, _, alt), (_, shown_alt) in zip(stored, shown):
            if alt:
                assert shown_alt == alt, f"{name} cell {cell}: alt {shown_alt!r}, its metadata says {alt!r}"
            else:
                missing.append(f"{name} cell {cell}")
    assert not missing, f"{len(missing)} figures have no alt text in their cell metadata: {', '.join(missing)}"


def quiz_fallbacks(notebook: Path) -> list[str]:
    """The text/html fallback of every quiz cell (tagged ``quiz``) of a notebook, in order."""
    nb = nbformat.read(notebook, as_version=4)
    return [out["data"]["text/html"] for cell in nb.cells if "quiz" in cell.metadata.get("tags", [])
            for out in cell.get("outputs", []) if "text/html" in out.get("data", {})]


def test_quiz_cells_show_their_html_fallback(site):
    """Every quiz cell of every lesson shows its stored HTML (question, options, a folded answer),
    as it is; fails if a quiz is dropped, shown as its widget view (a blank box) or as text/plain."""
    shown = {}
    for name in LESSONS:
        fallbacks, html = quiz_fallbacks(ROOT / "notebooks" / f"{name}.ipynb"), page(site, f"notebooks/{name}")
        lost = [i for i, fallback in enumerate(fallbacks) if fallback not in html]
        assert not lost, f"{name}: quiz cells {lost} (of {len(fallbacks)}) do not show their HTML fallback"
        shown[name] = len(fallbacks)
    assert shown[LESSONS[0]] > 0, f"lesson 1 has no quiz cell: {shown}"


@pytest.mark.parametrize("name", PAGES)
def test_headings_are_in_order(site, name):
    """One h1 per page; going down, a heading is at most one level below the one before it
    (an h2 followed by an h4 fails)."""
    levels = parse(article(page(site, name))).headings
    assert levels.count(1) == 1 and levels[0] == 1, f"{name}: headings {levels}"
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not jumps, f"{name}: heading levels jump {jumps} (headings {levels})"


EXTERNAL = re.compile(r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["']?(?:https?:)?//"""
                      r"""|<link\b[^>]*\bhref=["']?(?:https?:)?//|@import\s+(?:url\()?["']?(?:https?:)?//"""
                      r"""|url\(["']?(?:https?:)?//""", re.I)


def external_references(folder: Path) -> list[str]:
    """Pages, scripts and style sheets under ``folder`` that load something from outside it."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and (path.suffix in {".html", ".css"} or path.suffix == ".js"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(folder)}: {m.group(0)[:120]}" for m in EXTERNAL.finditer(text)
                      if path.suffix != ".js" or "url(" in m.group(0) or "@import" in m.group(0)]
    return found


def test_nothing_is_loaded_from_outside_the_site(site):
    """No script, style sheet, font or image from a CDN (MathJax 3 is in _static/mathjax). Fails
    on one <script src="https://...">, <link href="https://..."> or CSS url(https://...)."""
    assert not external_references(site), external_references(site)[:10]
    assert 'src="../_static/mathjax/tex-chtml.js"' in page(site, "notebooks/05_contractive_jacobian")


def quiz_notebook() -> nbformat.NotebookNode:
    """A lesson with one quiz cell as aecourse's quiz cells store it: a widget view beside a
    text/html fallback with the question (math as \\(...\\)), its options and a <details> answer."""
    fallback = (r'<div class="aecourse-quiz"><p><strong>Quiz.</strong> What does the penalty '
                r'\(\lambda \|J_f(x)\|_F^2\) shrink?</p><ol type="A"><li>the weights</li><li>the Jacobian of '
                r'the encoder</li></ol><details><summary>Answer</summary><p><strong>B.</strong></p></details></div>')
    cell = nbformat.v4.new_code_cell("quiz('contractive')", metadata={"tags": ["quiz"]}, outputs=[
        nbformat.v4.new_output("display_data", data={
            WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "0" * 32},
            "text/html": fallback, "text/plain": "Quiz: What does the penalty ... shrink?"})])
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Lesson 9: a quiz"), cell])


@pytest.fixture(scope="module")
def quiz_site(tmp_path_factory) -> Path:
    """The site of the index and a new lesson, notebooks/09_quiz.ipynb, that has a quiz cell."""
    source = tmp_path_factory.mktemp("quiz")
    (source / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "00_index.ipynb", source / "notebooks")
    nbformat.write(quiz_notebook(), source / "notebooks" / "09_quiz.ipynb")
    sphinx_build(source, source / "html")
    return source / "html"


def test_a_quiz_shows_its_html_fallback_and_a_new_lesson_joins_the_sidebar(quiz_site):
    """A quiz cell's widget view (an empty box on a static page) gives way to its HTML fallback;
    a notebook notebooks/NN_x.ipynb appears in the sidebar with no edit to site/_toc.yml."""
    html = page(quiz_site, "notebooks/09_quiz")
    assert "<details><summary>Answer</summary>" in html and "the Jacobian of the encoder" in html
    # Nothing is re-executed: `quiz` is undefined in this notebook, so a run would store a NameError.
    assert "NameError" not in html
    assert f'type="{WIDGET_VIEW}"' not in html
    assert 'href="09_quiz.html"' in page(quiz_site, "notebooks/00_index")


# ---------------------------------------------------------------------------------------------
# In headless Chromium, served on loopback, everything else blocked
# ---------------------------------------------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # no line per request on stderr
        pass


@contextmanager
def serving(folder: Path):
    """``folder`` over HTTP on 127.0.0.1 (a free port), in a thread; yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def offline_tab(browser, allowed: tuple[str, ...]):
    """``(tab, problems)``: a new page where every request whose URL does not start with one of
    ``allowed`` is blocked; ``problems`` collects the blocked requests, failed requests and HTTP errors."""
    context = browser.new_context()
    problems: list[str] = []

    def only_local(route):
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            problems.append(f"blocked: {route.request.url}")
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.on("requestfailed", lambda r: problems.append(f"failed: {r.url} ({r.failure})")
           if r.url.startswith(allowed) else None)  # (the blocked ones are listed already)
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    return tab, problems


@pytest.fixture(scope="module")
def offline_page(site, browser):
    """``(tab, url, problems)``: the site served on loopback, opened where nothing else is reachable."""
    with serving(site) as url:
        tab, problems = offline_tab(browser, (url + "/", "data:", "blob:"))
        yield tab, url, problems
        tab.context.close()


def typeset(tab) -> int:
    """Wait for MathJax 3 to finish; the number of formulas it typeset."""
    tab.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
    tab.evaluate("MathJax.startup.promise")
    return tab.locator("mjx-container").count()


def test_the_index_and_a_lesson_render_fully_offline(offline_page, site):
    """Fails on one request to outside the site (a CDN script, a web font), a 404, math left as
    raw $...$, a figure without the alt text its cell sets, or code cells without copy buttons."""
    tab, url, problems = offline_page
    tab.goto(f"{url}/", wait_until="networkidle")
    assert tab.url.endswith("/notebooks/00_index.html"), f"index.html led to {tab.url}"
    assert "Lesson 1" in tab.locator("nav.bd-docs-nav").inner_text()
    name = "05_contractive_jacobian"
    tab.goto(f"{url}/notebooks/{name}.html", wait_until="networkidle")
    n_math = typeset(tab)
    assert n_math > 10, f"only {n_math} formulas typeset on lesson 5"
    assert "$$" not in tab.locator("article").inner_text(), "raw $$...$$ left on lesson 5"
    alts = tab.locator("article img").evaluate_all("imgs => imgs.map(i => [i.alt, i.complete && i.naturalWidth > 0])")
    stored = figures(ROOT / "notebooks" / f"{name}.ipynb")
    assert len(alts) == len(stored) and all(loaded for _, loaded in alts), f"figures not all shown: {alts}"
    for (cell, _, alt), (shown, _) in zip(stored, alts):
        assert shown.strip(), f"cell {cell}: a figure with an empty alt text"
        if alt:
            assert shown == alt, f"cell {cell}: alt {shown!r}, its metadata says {alt!r}"
    assert tab.locator("button.copybtn").count() >= tab.locator("div.cell_input pre").count() > 0
    assert not problems, problems


def test_the_math_of_the_quizzes_is_typeset(offline_page):
    """Lesson 1's quizzes, offline: each is its HTML fallback with a folded answer, and its math
    \\(...\\) is typeset. Fails if MathJax skips the HTML outputs (myst-nb lets it into math nodes
    only, unless site/conf.py names the output's class)."""
    tab, url, problems = offline_page
    name = LESSONS[0]
    tab.goto(f"{url}/notebooks/{name}.html", wait_until="networkidle")
    typeset(tab)
    quizzes = tab.locator(".aecourse-quiz")
    assert quizzes.count() == len(quiz_fallbacks(ROOT / "notebooks" / f"{name}.ipynb")) > 0
    assert tab.locator(".aecourse-quiz details").count() == quizzes.count()
    assert tab.locator(".aecourse-quiz mjx-container").count() > 0
    raw = [text[:80] for text in quizzes.all_inner_texts() if "\\(" in text]
    assert not raw, f"quiz math left as raw \\(...\\): {raw}"
    assert not problems, problems


def test_searching_contractive_finds_lesson_5(offline_page):
    tab, url, problems = offline_page
    tab.goto(f"{url}/search.html?q=contractive", wait_until="networkidle")
    tab.wait_for_selector("#search-results ul.search li", timeout=30_000)
    hits = tab.locator("#search-results ul.search li a").evaluate_all("links => links.map(a => a.href)")
    assert any(h.split("?")[0].endswith("notebooks/05_contractive_jacobian.html") for h in hits), hits
    assert not problems, problems


def test_axe_finds_no_serious_accessibility_violation(offline_page):
    """axe-core (site/node_modules, `make site-assets`) on the index, a lesson, an exercise and a
    doc (each kind of page; all 24 were clean on 2026-12-07): no violation of impact serious or
    critical (colour contrast, names of buttons and links, ...). The moderate and minor ones are printed."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed under {NODE_MODULES}: run `make site-assets` (needs npm)")
    tab, url, problems = offline_page
    report = {}
    for name in ["notebooks/00_index", "notebooks/05_contractive_jacobian", f"exercises/{EXERCISES[0]}", "docs/errata"]:
        tab.goto(f"{url}/{name}.html", wait_until="networkidle")
        typeset(tab)  # (MathJax is on every page) contrast is judged on the typeset math
        tab.add_script_tag(path=str(AXE))
        violations = tab.evaluate("async () => (await axe.run(document)).violations.map("
                                  "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))")
        report[name] = violations
    print(json.dumps(report, indent=1))
    serious = {name: [v for v in vs if v["impact"] in ("serious", "critical")] for name, vs in report.items()}
    assert not any(serious.values()), serious
    assert not problems, problems


# ---------------------------------------------------------------------------------------------
# make slides
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def slides(tmp_path_factory) -> Path:
    if not (NODE_MODULES / "reveal.js").exists():
        pytest.skip(f"reveal.js is not installed under {NODE_MODULES}: run `make site-assets` (needs npm)")
    out = tmp_path_factory.mktemp("slides")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "slides", str(out)], check=True,
                   capture_output=True, text=True)
    return out


def test_slides_are_reveal_decks_that_load_nothing_from_outside(slides):
    for name in LESSONS:
        deck = (slides / f"{name}.slides.html").read_text(encoding="utf-8")
        assert "_assets/reveal.js/dist/reveal.js" in deck and "<section" in deck, f"{name}: not a reveal.js deck"
        assert f'type="{WIDGET_VIEW}"' not in deck, f"{name}: a widget view would be a blank slide"
    assert not external_references(slides), external_references(slides)[:10]


def test_slides_open_from_disk_with_math_typeset(slides, browser):
    """A deck opened as a file, every other request blocked: reveal.js starts and MathJax 2
    typesets (fails if either comes from a CDN)."""
    tab, problems = offline_tab(browser, ("file:", "data:"))
    try:
        tab.goto((slides / "05_contractive_jacobian.slides.html").as_uri(), wait_until="load")
        tab.wait_for_selector(".reveal.ready", state="attached", timeout=30_000)  # reveal.js started (via require.js)
        tab.wait_for_function("document.querySelectorAll('.MathJax_CHTML, mjx-container').length > 10",
                              timeout=30_000)
    finally:
        tab.context.close()
    assert not problems, problems
