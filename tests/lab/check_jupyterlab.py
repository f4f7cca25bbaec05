"""The interactive path, as a Binder user meets it: JupyterLab in a real (headless) browser.

Run by ``make test-lab`` (part of ``make test``); the file name does not match ``test_*.py`` on
purpose, so a plain ``pytest`` run (which has no server) never collects it.

What happens, step by step:

1. ``book/`` is copied into a temporary folder that becomes the server's root (running cells
   marks a notebook as modified; the copy keeps the repository untouched).  Jupyter's config,
   data, runtime, settings, workspace and IPython folders are temporary too, so the user's own
   Jupyter configuration is neither read nor written.  ``scripts/jupyter_setup.sh`` -- the
   script Binder's ``postBuild`` and ``make lab`` run -- writes the lab settings into the
   temporary config folder.  Test-only user settings: no news/update toast, no autosave.
2. JupyterLab starts on a free local port with a random token (``--no-browser``).  Headless
   Chromium (Playwright) opens ``lab/tree/book/own_model.md``, the page a Binder launch button
   opens (its ``urlpath``, checked in tests/test_setup_files.py): the chapter must open as a
   notebook with an idle kernel.
3. In the file browser (from the root): double-click ``book``, then ``point_gap.md``: it must open
   as a notebook -- a notebook panel with as many code cells as the MyST source has
   ``code-cell`` directives, not a text editor -- with an idle kernel; then Run > Run All Cells
   from the menu.  The same for the explorer page ``pole_zero_beyond.md`` while the first one runs.
   When both are done, every code cell must have an execution count and no output may contain
   a traceback or an error on stderr.
4. The ``t1`` slider of the explorer is dragged with the mouse to 90 % of its track.  The figure
   must change; a second client on the same kernel then checks that the figure shown before and
   after is exactly (same PNG bytes) what the explorer function draws for the values the
   sliders show, and that ``nhtopo_lib.notebook.widgets_are_live()`` is True in this kernel (the
   explorer note stays silent in JupyterLab).  Screenshots: ``_build/screenshots/
   lab_point_gap_opened.png``, ``lab_pole_zero_before.png``, ``lab_pole_zero_after.png``.
5. Chromium is closed and the server shut down through its REST API; no Chromium process the
   test started and no process whose command line mentions the temporary folder (server,
   kernels) may survive.

A watchdog kills everything the test started if it runs longer than ``LAB_TEST_LIMIT`` seconds
(default 420).  Environment: ``CHROMIUM`` overrides the browser.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LIMIT = float(os.environ.get("LAB_TEST_LIMIT", "420"))
RUN_TIMEOUT = 240  # seconds for "Run All Cells" of one chapter (about 35 s when the machine is quiet)

LANDING = "lab/tree/book/own_model.md"  # the urlpath form of the book's Binder button
FIRST = "point_gap.md"
EXPLORER = "pole_zero_beyond.md"
SLIDER = "t1"  # the explorer slider the test moves

STATE: dict = {}  # shared between the ordered tests of this module


def code_cells_in_source(name: str) -> int:
    return len(re.findall(r"^```\{code-cell\}", (ROOT / "book" / name).read_text(), flags=re.M))


def descendants(pid: int, needle: str) -> list[int]:
    """Live descendants of ``pid`` whose command line contains ``needle``."""
    parent, cmd = {}, {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd[int(d.name)] = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            parent[int(d.name)] = int(fields[1])
    found = []
    for p in parent:
        q = p
        while q in parent and q != pid:
            q = parent[q]
        if q == pid and p != pid and needle in cmd.get(p, ""):
            found.append(p)
    return found


def alive(pids: list[int], needle: str) -> list[int]:
    """Those of ``pids`` still running (not zombies) with ``needle`` in their command line."""
    out = []
    for p in pids:
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if stat[stat.rindex(")") + 2:].split()[0] != "Z" and needle in cmd:
            out.append(p)
    return out


def own_processes(marker: str) -> list[tuple[int, str]]:
    """Processes (other than this one) whose command line contains ``marker``."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if marker in cmd and ") Z " not in stat:  # zombies are already dead
            found.append((int(d.name), cmd[:160]))
    return found


def api(base: str, token: str, path: str, method: str = "GET", timeout: float = 10):
    req = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"},
                                 data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        body = resp.read()
    return json.loads(body) if body else None


class Lab:
    """A JupyterLab server in a temporary folder, isolated from the user's Jupyter configuration."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.root = tmp / "repo"
        shutil.copytree(ROOT / "book", self.root / "book",
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "_build", "__pycache__"))
        dirs = {name: tmp / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
        for d in dirs.values():
            d.mkdir()
        # the settings Binder and `make lab` apply, written by the same script into the temporary config dir
        setup = subprocess.run(["bash", str(ROOT / "scripts" / "jupyter_setup.sh"), str(dirs["config"])],
                               env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True,
                               timeout=120)
        assert setup.returncode == 0, f"scripts/jupyter_setup.sh failed:\n{setup.stdout}\n{setup.stderr}"
        # test-only user settings: no news/update toast over the page (offline), no autosave
        for plugin, values in {
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
            "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
        }.items():
            f = dirs["settings"] / f"{plugin}.jupyterlab-settings"
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps(values))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER")) and k != "MPLBACKEND"}
        env.update(JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
                   JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
                   JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]), IPYTHONDIR=str(dirs["ipython"]),
                   OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        self.runtime = dirs["runtime"]
        self.log_path = tmp / "server.log"
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={self.port}", "--port-retries=0",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=self.root,
                                     start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            assert self.proc.poll() is None, f"JupyterLab exited at start-up:\n{self.log_tail()}"
            try:
                api(self.base, self.token, "/api/status", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, f"JupyterLab did not answer in 90 s:\n{self.log_tail()}"
                time.sleep(0.3)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-n:])
        except OSError:
            return "(no log)"

    def kernel_connection_file(self, path: str) -> Path:
        sessions = api(self.base, self.token, "/api/sessions")
        ids = [s["kernel"]["id"] for s in sessions if s["path"] == path]
        assert len(ids) == 1, f"expected one kernel session for {path}, got {sessions}"
        return self.runtime / f"kernel-{ids[0]}.json"

    def shutdown(self) -> None:
        if self.proc.poll() is None:
            try:
                api(self.base, self.token, "/api/shutdown", method="POST", timeout=10)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=10)
        self._log.close()


def kill_leftovers(marker: str) -> None:
    for pid, _ in own_processes(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test-lab` installs Debian's chromium package")
    tmp = tmp_path_factory.mktemp("lab")
    marker = str(tmp)

    def watchdog():  # a hung browser or kernel must not hang `make test`
        sys.stderr.write(f"\nJupyterLab test exceeded {LIMIT:.0f} s: killing its processes\n")
        kill_leftovers(marker)
        os._exit(3)

    timer = threading.Timer(LIMIT, watchdog)
    timer.daemon = True
    timer.start()
    t0 = STATE["t_start"] = time.monotonic()
    server = Lab(tmp)
    STATE["t_server"] = time.monotonic() - t0
    STATE["marker"] = marker
    yield server
    server.shutdown()
    timer.cancel()
    kill_leftovers(marker)  # only if the last test already failed; it reports them


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # a persistent context puts Chromium's profile (and so its command line) inside the temporary folder
        ctx = pw.chromium.launch_persistent_context(str(lab.tmp / "chromium"), executable_path=CHROMIUM,
                                                    args=FLAGS, headless=True,
                                                    viewport={"width": 1400, "height": 900})
        ctx.set_default_timeout(60_000)
        tab = ctx.pages[0] if ctx.pages else ctx.new_page()
        # the page a Binder launch button opens: ?urlpath=lab/tree/book/<chapter>.md (see test_setup_files.py)
        tab.goto(f"{lab.base}/{LANDING}?token={lab.token}", wait_until="domcontentloaded")
        tab.locator("#filebrowser .jp-DirListing-item").first.wait_for(timeout=120_000)
        yield tab
        ctx.close()


PANEL_JS = r"""
(name) => {
  const panels = Array.from(document.querySelectorAll('.jp-NotebookPanel, .jp-FileEditor'))
      .map(p => p.closest('.lm-DockPanel-widget') || p);
  for (const p of panels) {
    const tab = document.getElementById(p.getAttribute('aria-labelledby'));
    if (tab && tab.textContent.trim() === name) {
      const nb = p.querySelector('.jp-Notebook');
      const cells = nb ? Array.from(nb.querySelectorAll('.jp-CodeCell')) : [];
      const prompts = cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '');
      const outs = nb ? Array.from(nb.querySelectorAll('.jp-OutputArea-output')) : [];
      const stderr = outs.filter(o => o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr')
                         .map(o => o.textContent);
      const tip = p.querySelector('.jp-Notebook-ExecutionIndicator-tooltip');
      const m = tip ? tip.textContent.match(/Kernel status:\s*(\w+)/) : null;
      return {found: true, notebook: !!nb, editor: p.classList.contains('jp-FileEditor') ||
                  !!p.querySelector('.jp-FileEditor'),
              active: !p.classList.contains('lm-mod-hidden') && tab.classList.contains('lm-mod-current'),
              ncode: cells.length, nmarkdown: nb ? nb.querySelectorAll('.jp-MarkdownCell').length : 0,
              prompts, stderr, text: outs.map(o => o.textContent).join('\n'),
              status: m ? m[1].toLowerCase() : null};
    }
  }
  return {found: false};
}
"""


def kernel_state(lab: Lab, name: str) -> str | None:
    """The server's view of the kernel of book/<name> (None before its session exists)."""
    for sess in api(lab.base, lab.token, "/api/sessions"):
        if sess["path"] == f"book/{name}":
            return sess["kernel"]["execution_state"]
    return None


def open_by_double_click(lab: Lab, page, name: str) -> dict:
    """Double-click ``name`` in the file browser; wait for its tab to show either a text editor or a
    notebook with all its code cells and an idle kernel."""
    item = page.locator("#filebrowser .jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(name)}$"))
    item.wait_for()
    item.dblclick()
    return wait_opened(lab, page, name)


def wait_opened(lab: Lab, page, name: str) -> dict:
    expected = code_cells_in_source(name)
    deadline = time.monotonic() + 60
    while True:
        rep = page.evaluate(PANEL_JS, name)
        if rep["found"] and rep["active"] and (rep["editor"] or (rep["ncode"] == expected
                                                                   and rep["status"] == "idle"
                                                                   and kernel_state(lab, name) == "idle")):
            return rep
        assert time.monotonic() < deadline, (f"{name} did not open as a notebook with {expected} code cells and "
                                             f"an idle kernel in 60 s: {rep}")
        time.sleep(0.25)


def run_all(page) -> None:
    """Run > Run All Cells on the active notebook (from the menu bar, as a reader would)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def wait_until_done(page, names: list[str], t0: float) -> dict[str, dict]:
    """Poll the notebooks until none has a queued/running cell and every kernel is idle (3 polls in a row)."""
    done: dict[str, dict] = {}
    idle = dict.fromkeys(names, 0)
    while len(done) < len(names):
        for name in names:
            if name in done:
                continue
            rep = page.evaluate(PANEL_JS, name)
            running = any("*" in p for p in rep["prompts"])
            idle[name] = idle[name] + 1 if (not running and rep["status"] == "idle") else 0
            if idle[name] >= 3:
                rep["seconds"] = time.monotonic() - t0
                done[name] = rep
        assert time.monotonic() - t0 < RUN_TIMEOUT, f"Run All Cells not done in {RUN_TIMEOUT} s: {set(names) - set(done)}"
        time.sleep(0.5)
    return done


def check_ran_cleanly(name: str, rep: dict) -> None:
    unrun = [i for i, p in enumerate(rep["prompts"]) if not re.fullmatch(r"\[\d+\]:", p.strip())]
    assert not unrun, f"{name}: code cells without an execution count (stopped by an error?): {unrun}"
    bad = [s[:300] for s in rep["stderr"] if re.search(r"Traceback|Error|Exception", s)]
    assert not bad, f"{name}: error output: {bad}"
    assert "Traceback (most recent call last)" not in rep["text"], f"{name}: a traceback in the outputs"


def test_binder_link_opens_the_chapter_as_a_notebook(lab, page):
    name = LANDING.rsplit("/", 1)[-1]
    rep = wait_opened(lab, page, name)
    assert rep["notebook"] and not rep["editor"], f"{LANDING} opened {name} as text, not as a notebook: {rep}"
    assert rep["nmarkdown"] > 0


def test_chapters_open_as_notebooks_and_run(lab, page):
    """Both chapters open as notebooks by double-click; Run All Cells in both (their kernels run side by side)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-BreadCrumbs-home").first.click()  # the file browser from the repository root
    page.locator("#filebrowser .jp-DirListing-itemText", has_text=re.compile(r"^book$")).dblclick()
    t0 = time.monotonic()
    for name in (FIRST, EXPLORER):  # the file browser stays in book/
        rep = open_by_double_click(lab, page, name)
        assert rep["notebook"] and not rep["editor"], f"{name} opened as text, not as a notebook: {rep}"
        assert rep["ncode"] == code_cells_in_source(name), (name, rep["ncode"], code_cells_in_source(name))
        assert rep["nmarkdown"] > 0, name
        if name == FIRST:
            page.screenshot(path=str(SHOTS / "lab_point_gap_opened.png"))
        run_all(page)
    reps = wait_until_done(page, [FIRST, EXPLORER], t0)
    STATE["run_all"] = max(rep["seconds"] for rep in reps.values())
    STATE["explorer_text"] = reps[EXPLORER]["text"]
    for name, rep in reps.items():
        check_ran_cleanly(name, rep)


PROBE = r"""
import base64, io, json
from ipywidgets import interactive
from ipywidgets.widgets.widget import _instances
import nhtopo_lib.notebook as _nb
_w = [w for w in list(_instances.values()) if isinstance(w, interactive)
      and any(getattr(c, "description", None) == %(slider)r for c in w.kwargs_widgets)]
print(json.dumps({"n": len(_w), "kwargs": _w[-1].kwargs if _w else None,
                  "live": _nb.widgets_are_live()}))
"""

DRAW = r"""
_w[-1].f(**%(kwargs)s)
"""


def kernel_run(client, code: str, timeout: float = 120) -> tuple[str, list[bytes]]:
    """Execute ``code`` on the chapter's kernel from a second client; return stdout and PNG outputs."""
    msg_id = client.execute(code, store_history=False)
    out, pngs = [], []
    deadline = time.monotonic() + timeout
    while True:
        msg = client.get_iopub_msg(timeout=max(1.0, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind in ("display_data", "execute_result") and "image/png" in content["data"]:
            pngs.append(base64.b64decode(content["data"]["image/png"]))
        elif kind == "error":
            raise AssertionError("probe failed in the kernel:\n" + "\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out), pngs


def explorer_figure(page) -> tuple[object, bytes]:
    """The explorer's interact box (the one with the SLIDER) and the PNG its output shows."""
    box = page.locator(".widget-interact").filter(
        has=page.locator(".widget-label", has_text=re.compile(rf"^{SLIDER}$")))
    src = box.locator(".jp-OutputArea-output img").last.get_attribute("src")
    assert src and src.startswith("data:image/png;base64,"), src
    return box, base64.b64decode(src.split(",", 1)[1])


def test_explorer_slider_redraws_the_figure(lab, page):
    from jupyter_client import BlockingKernelClient

    assert "run_all" in STATE, "the chapters did not run (see the previous test)"
    if "explorer_note" in (ROOT / "book" / EXPLORER).read_text():
        from nhtopo_lib.notebook import EXPLORER_NOTE

        assert EXPLORER_NOTE not in STATE["explorer_text"], "the explorer note shows although the sliders are live"

    box, before = explorer_figure(page)
    box.scroll_into_view_if_needed()
    slider = box.locator(".widget-slider").filter(has=page.locator(".widget-label",
                                                                   has_text=re.compile(rf"^{SLIDER}$")))
    readout = slider.locator(".widget-readout")
    value_before = float(readout.inner_text())
    page.mouse.move(0, 0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lab_pole_zero_before.png"))

    # drag the handle to 90 % of the track with the mouse
    handle = slider.locator(".noUi-handle")
    track = slider.locator(".noUi-target")
    hb, tb = handle.bounding_box(), track.bounding_box()
    page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    page.mouse.move(tb["x"] + 0.9 * tb["width"], hb["y"] + hb["height"] / 2, steps=4)
    page.mouse.up()
    page.mouse.move(0, 0)
    deadline = time.monotonic() + 90
    while True:  # wait until the kernel has redrawn and is idle again
        _, after = explorer_figure(page)
        status = page.evaluate(PANEL_JS, EXPLORER)["status"]
        if after != before and status == "idle":
            time.sleep(1.0)
            _, after2 = explorer_figure(page)
            if after2 == after:
                break
        assert time.monotonic() < deadline, "the explorer figure did not change within 90 s of moving the slider"
        time.sleep(0.5)
    value_after = float(readout.inner_text())
    page.screenshot(path=str(SHOTS / "lab_pole_zero_after.png"))
    assert value_after > value_before + 1, (value_before, value_after)

    # a second client on the same kernel: is the figure the explorer's drawing for the values shown?
    client = BlockingKernelClient(connection_file=str(lab.kernel_connection_file(f"book/{EXPLORER}")))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=30)
        text, _ = kernel_run(client, PROBE % {"slider": SLIDER})
        probe = json.loads(text.strip().splitlines()[-1])
        assert probe["n"] == 1, f"expected one explorer with a {SLIDER} slider, found {probe['n']}"
        assert probe["live"] is True, "widgets_are_live() is False in JupyterLab: the note would show"
        kwargs = probe["kwargs"]
        assert abs(kwargs[SLIDER] - value_after) < 1e-9, (kwargs, value_after)
        _, now = kernel_run(client, DRAW % {"kwargs": repr(kwargs)})
        start = dict(kwargs, **{SLIDER: value_before})
        _, then = kernel_run(client, DRAW % {"kwargs": repr(start)})
    finally:
        client.stop_channels()
    assert now == [after], "the figure after moving the slider is not the explorer's drawing for the new value"
    assert then == [before], "the figure before moving the slider is not the explorer's drawing for its start value"
    STATE["slider"] = (value_before, value_after)


def test_server_shuts_down_without_stray_processes(lab, page):
    marker = STATE["marker"]
    chromium = descendants(os.getpid(), "chrom")
    assert chromium, "the browser processes of this test were not found"
    page.context.close()
    lab.shutdown()
    deadline = time.monotonic() + 20
    while (own_processes(marker) or alive(chromium, "chrom")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert lab.proc.returncode is not None
    assert not own_processes(marker), f"processes left after shutdown: {own_processes(marker)}"
    left = alive(chromium, "chrom")
    assert not left, f"Chromium processes left after closing the browser: {left}"
    print(f"\nJupyterLab test: server up in {STATE['t_server']:.1f} s, both chapters opened and run in "
          f"{STATE.get('run_all', float('nan')):.1f} s, slider {SLIDER}: {STATE.get('slider')}, "
          f"{time.monotonic() - STATE['t_start']:.1f} s in total; {len(chromium)} Chromium processes ended")
