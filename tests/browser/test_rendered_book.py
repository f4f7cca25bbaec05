"""Real-browser checks of the rendered HTML book (headless Chromium driven by Playwright).

Run by ``make test`` after the HTML is built (``make book``).  The built site is
served on 127.0.0.1 and every page listed in ``_toc.yml`` is loaded at 1400 px,
with every request to another host refused (the book must work offline).  Per
page we check what a reader notices:

* the page answers HTTP 200 and requests nothing from the internet;
* every ``<img>`` is decoded, has a caption right after it, and its smallest
  text is at least :data:`MIN_TEXT_PX` pixels high at its displayed size
  (the figure's PNG records its smallest font in pixels at natural size, see
  :func:`nhtopo_lib.notebook.figure_min_text_px`; displayed/natural width scales it);
* equations are typeset by MathJax (at least one rendered formula where the
  source has math, no MathJax error, no raw ``$`` left in the text);
* no Markdown table source (``|---|``) shows as text;
* no code or output block is wider than the column;
* no link points to a placeholder repository;
* no traceback, no error/warning on stderr, no progress-bar remnants;
* every interactive widget has a static figure in its section and a line
  saying where the sliders work;
* the page is at most :data:`MAX_SCREENS` screens high.

A full-page screenshot of each page goes to ``_build/screenshots/`` and the
measurements to ``_build/screenshots/report.json``.

Environment: ``BOOK_HTML`` overrides the HTML folder, ``BOOK_TOC`` the table of contents,
``CHROMIUM`` the browser.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import struct
import threading
import zlib
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FORBIDDEN_STDERR = ("Traceback", "Error", "Warning", "warning", "Ignoring")
VIEWPORT = {"width": 1400, "height": 1000}
#: smallest acceptable height of figure text on screen, in CSS pixels
MIN_TEXT_PX = 9.0
#: longest acceptable page, in screens of VIEWPORT["height"]
MAX_SCREENS = 13.0
#: text that marks a repository link as a placeholder
PLACEHOLDERS = ("OWNER/REPO", "executablebooks/jupyter-book", "github.com/OWNER")
#: metadata key written by nhtopo_lib's figure formatter
TEXT_KEY = "nhtopo:min-text-px"
REPORT: dict[str, dict] = {}


def toc_pages() -> list[str]:
    toc = yaml.safe_load(Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml")).read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chap in part["chapters"]:
            pages.append(chap["file"])
            pages += [s["file"] for s in chap.get("sections", [])]
    pages += [c["file"] for c in toc.get("chapters", [])]
    return pages


PAGES = toc_pages()


def png_info(path: Path) -> dict:
    """Width, height, dpi (from pHYs) and text chunks of a PNG file."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return {}
    info: dict = {"text": {}}
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            info["width"], info["height"] = struct.unpack(">II", body[:8])
        elif kind == b"pHYs":
            ppu_x, _, unit = struct.unpack(">IIB", body)
            if unit == 1:
                info["dpi"] = ppu_x * 0.0254
        elif kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            info["text"][key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            info["text"][key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"IEND":
            break
        pos += 12 + length
    return info


def figure_text_px(src_path: Path) -> tuple[float, bool]:
    """Smallest text height of a figure at natural size, and whether it was recorded.

    Figures drawn through the book's formatter carry the measured value; for any
    other PNG we assume 8-pt text at the PNG's dpi (100 if it has none).
    """
    info = png_info(src_path)
    if TEXT_KEY in info.get("text", {}):
        return float(info["text"][TEXT_KEY]), True
    return 8.0 * info.get("dpi", 100.0) / 72.0, False


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
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "report.json").write_text(json.dumps(REPORT, indent=1))
    print("\npage heights (screens of %d px):" % VIEWPORT["height"])
    for page, rep in REPORT.items():
        print(f"  {page:28s} {rep['height']:6d} px  {rep['height'] / VIEWPORT['height']:5.1f}")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


PAGE_REPORT_JS = r"""
() => {
  const art = document.querySelector('article') || document.body;
  const artBox = art.getBoundingClientRect();
  const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  // images drawn by the (static) widget manager belong to the widget, not to the page's figures
  const imgs = Array.from(art.querySelectorAll('img')).filter(visible)
      .filter(i => !i.closest('.jupyter-widgets, .widget-subarea, .lm-Widget, .p-Widget'));
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  // a caption: the image sits in a <figure> with a caption, or the next visible element after its
  // cell starts with "Figure"
  const captionOf = img => {
    const fig = img.closest('figure');
    if (fig && fig.querySelector('figcaption')) return true;
    let cell = img.closest('.cell') || img.closest('.output') || img;
    let next = cell.nextElementSibling;
    while (next && !visible(next)) next = next.nextElementSibling;
    return !!next && /^\s*(Figure|Fig\.|Table)/.test(next.innerText || '');
  };
  const figures = imgs.map(i => ({src: i.getAttribute('src'), natural: i.naturalWidth,
                                  shown: i.getBoundingClientRect().width, caption: captionOf(i)}));
  const outputs = Array.from(art.querySelectorAll('.cell_output'));
  const tracebacks = outputs.filter(o => o.querySelector('.traceback') ||
                                         o.innerText.includes('Traceback (most recent call last)')).length;
  const stderr = Array.from(art.querySelectorAll('.cell_output .output.stderr')).map(o => o.innerText);
  const progress = outputs.filter(o => /it\/s\]|s\/it\]|\d+%\|/.test(o.innerText)).length;
  const widgets = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
  const widgetSections = widgets.map(w => w.closest('section'));
  const widgetsWithoutFigure = widgetSections.filter(sec => !(sec && sec.querySelector('img'))).length;
  const widgetsWithoutNote = widgetSections.filter(sec => !(sec && /live (Python )?kernel/i.test(sec.innerText))).length;
  // MathJax: typeset formulas and errors
  const mjx = art.querySelectorAll('mjx-container').length;
  const mjxErrors = art.querySelectorAll('mjx-merror, .MathJax_Error').length;
  // raw TeX dollars and Markdown table rules left in the visible text (outside code)
  const walker = document.createTreeWalker(art, NodeFilter.SHOW_TEXT);
  let rawDollar = [], tableRule = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest('pre, code, script, style, mjx-container, .highlight, .MathJax')) continue;
    if (!visible(p)) continue;
    const t = n.textContent;
    if (/\$[^$\s][^$]*\$|\$\s*$/.test(t) && !/\$\d/.test(t)) rawDollar.push(t.trim().slice(0, 80));
    if (/\|\s*:?(-{3,}|[\u2013\u2014])-*:?\s*\|/.test(t)) tableRule.push(t.trim().slice(0, 80));
  }
  // blocks wider than the column (scrolling or cut off)
  const wide = [];
  for (const e of art.querySelectorAll('pre, .cell_output .output, table, .cell_output img, dt.sig')) {
    if (!visible(e)) continue;
    const r = e.getBoundingClientRect();
    if (e.scrollWidth > e.clientWidth + 1 || r.right > artBox.right + 1) {
      wide.push((e.innerText || e.getAttribute('src') || e.tagName).split('\n')[0].slice(0, 60));
    }
  }
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
  return {figures, broken, tracebacks, stderr, progress, nwidgets: widgets.length,
          widgetsWithoutFigure, widgetsWithoutNote, mjx, mjxErrors, rawDollar, tableRule, wide, links,
          height: document.documentElement.scrollHeight, title: document.title};
}
"""


def _wait_for_mathjax(tab) -> None:
    tab.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            await MathJax.startup.promise;
            if (MathJax.typesetPromise) { await MathJax.typesetPromise(); }
        }
    }""")


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_for_readers(server, browser, page):
    ctx = browser.new_context(viewport=VIEWPORT)
    external: list[str] = []

    def offline(route):
        if route.request.url.startswith(server) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    ctx.route("**/*", offline)
    tab = ctx.new_page()
    try:
        resp = tab.goto(f"{server}/{page}.html", wait_until="load", timeout=60_000)
        assert resp is not None and resp.status == 200, f"{page}: HTTP {resp and resp.status}"
        tab.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=30_000)
        _wait_for_mathjax(tab)
        rep = tab.evaluate(PAGE_REPORT_JS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"{page.replace('/', '_')}.png"), full_page=True)
    finally:
        ctx.close()

    problems: list[str] = []
    if external:
        problems.append(f"requests to the internet (the book must work offline): {sorted(set(external))[:3]}")
    if rep["broken"]:
        problems.append(f"images not decoded: {rep['broken']}")
    small, unrecorded = [], []
    for fig in rep["figures"]:
        if not fig["src"] or fig["src"].startswith("data:") or not fig["natural"]:
            continue
        path = HTML / unquote(urlparse(f"{server}/{page}.html").path.rsplit("/", 1)[0].lstrip("/")) / unquote(fig["src"])
        px, recorded = figure_text_px(path.resolve())
        shown_px = px * fig["shown"] / fig["natural"]
        fig["text_px"] = round(shown_px, 1)
        if not recorded:
            unrecorded.append(Path(fig["src"]).name)
        if shown_px < MIN_TEXT_PX - 1e-9:
            small.append(f"{Path(fig['src']).name} ({fig['natural']} px shown at {fig['shown']:.0f} px:"
                         f" text {shown_px:.1f} px)")
    if small:
        problems.append(f"figure text below {MIN_TEXT_PX} px at its displayed size: {small}")
    if unrecorded:
        problems.append(f"figures not drawn through the book's figure formatter (no text-size record): {unrecorded}")
    nocap = [Path(f["src"]).name for f in rep["figures"] if not f["caption"]]
    if nocap:
        problems.append(f"figures without a caption after them: {nocap}")
    if rep["tracebacks"]:
        problems.append(f"{rep['tracebacks']} cell output(s) contain a traceback")
    bad = [s for s in rep["stderr"] if any(w in s for w in FORBIDDEN_STDERR)]
    if bad:
        problems.append(f"error/warning text in stderr outputs: {[b[:200] for b in bad]}")
    if rep["progress"]:
        problems.append(f"{rep['progress']} output(s) show progress-bar remnants")
    if rep["widgetsWithoutFigure"]:
        problems.append("a widget has no static figure in its section")
    if rep["widgetsWithoutNote"]:
        problems.append("a widget section does not say that the sliders need a live kernel")
    source = (ROOT / f"{page}.md").read_text()
    if "$" in source and rep["mjx"] == 0:
        problems.append("the source has math but no formula was typeset by MathJax")
    if rep["mjxErrors"]:
        problems.append(f"{rep['mjxErrors']} MathJax error(s)")
    if rep["rawDollar"]:
        problems.append(f"raw TeX left in the text: {rep['rawDollar'][:4]}")
    if rep["tableRule"]:
        problems.append(f"Markdown tables shown as text: {rep['tableRule'][:3]}")
    if rep["wide"]:
        problems.append(f"{len(rep['wide'])} code/output block(s) wider than the column: {rep['wide'][:4]}")
    dead = sorted({u for u in rep["links"] if any(p in u for p in PLACEHOLDERS)})
    if dead:
        problems.append(f"links to a placeholder repository: {dead[:3]}")
    screens = rep["height"] / VIEWPORT["height"]
    if screens > MAX_SCREENS:
        problems.append(f"page is {screens:.1f} screens high (at most {MAX_SCREENS})")
    REPORT[page] = {"height": rep["height"], "figures": rep["figures"], "problems": problems}
    assert not problems, f"{page}:\n  - " + "\n  - ".join(problems)
