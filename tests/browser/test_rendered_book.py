"""Real-browser checks of the rendered HTML book (headless Chromium driven by Playwright).

Run by ``make test`` after the HTML is built (``make book``).  The built site is
served on 127.0.0.1 and every page listed in ``_toc.yml`` is loaded; for each
page we assert what a reader would notice first:

* the page answers HTTP 200;
* every ``<img>`` is decoded by the browser (``naturalWidth > 0``);
* no cell output contains a traceback, and no stderr output contains an error
  or warning (tqdm progress bars are fine);
* every interactive widget has a static figure in the same section (widgets
  do not run on the static site);
* pages with equations carry them as MathJax source (``\\(..\\)``/``\\[..\\]``);
* a full-page screenshot is saved under ``_build/screenshots/`` for review.

Environment: ``BOOK_HTML`` overrides the HTML folder, ``CHROMIUM`` the browser.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FORBIDDEN_STDERR = ("Traceback", "Error", "Warning", "warning", "Ignoring")


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part["chapters"]]
    pages += [c["file"] for c in toc.get("chapters", [])]
    return pages


PAGES = toc_pages()


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run `make book` first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


PAGE_REPORT_JS = """
() => {
  const imgs = Array.from(document.querySelectorAll('article img'));
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  const outputs = Array.from(document.querySelectorAll('.cell_output'));
  const tracebacks = outputs.filter(o => o.querySelector('.traceback') ||
                                         o.innerText.includes('Traceback (most recent call last)')).length;
  const stderr = Array.from(document.querySelectorAll('.cell_output .output.stderr')).map(o => o.innerText);
  const widgets = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
  const widgetsWithoutFigure = widgets.filter(w => {
    const sec = w.closest('section');
    return !(sec && sec.querySelector('img'));
  }).length;
  const math = Array.from(document.querySelectorAll('.math'));
  const mathSource = math.filter(m => /\\\\\\(|\\\\\\[|\\$/.test(m.textContent)).length;
  return {nimg: imgs.length, broken, tracebacks, stderr, nwidgets: widgets.length, widgetsWithoutFigure,
          nmath: math.length, mathSource, title: document.title};
}
"""


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_for_readers(server, browser, page):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = ctx.new_page()
    try:
        resp = tab.goto(f"{server}/{page}.html", wait_until="load", timeout=60_000)
        assert resp is not None and resp.status == 200, f"{page}: HTTP {resp and resp.status}"
        tab.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=30_000)
        rep = tab.evaluate(PAGE_REPORT_JS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"{page.replace('/', '_')}.png"), full_page=True)
    finally:
        ctx.close()
    assert not rep["broken"], f"{page}: images not decoded: {rep['broken']}"
    assert rep["tracebacks"] == 0, f"{page}: {rep['tracebacks']} cell output(s) contain a traceback"
    bad = [s for s in rep["stderr"] if any(w in s for w in FORBIDDEN_STDERR)]
    assert not bad, f"{page}: error/warning text in stderr outputs: {[b[:200] for b in bad]}"
    assert rep["widgetsWithoutFigure"] == 0, f"{page}: a widget has no static figure in its section"
    if rep["nmath"]:
        assert rep["mathSource"] == rep["nmath"], f"{page}: equations not present as MathJax source"
    source = (ROOT / f"{page}.md").read_text()
    if "$" in source:
        assert rep["nmath"] > 0, f"{page}: the source has equations but the page shows none"
    if "code-cell" in source and "plt.show()" in source:
        assert rep["nimg"] > 0, f"{page}: a chapter with figures rendered no image"
