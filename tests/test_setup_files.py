"""The set-up files stay consistent: pinned stack, Binder environment, postBuild, book configuration."""
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def test_requirements_are_pinned_and_torch_is_cpu():
    reqs = requirement_lines()
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", r) for r in reqs), reqs
    assert "torch==2.13.0+cpu" in reqs
    for pkg in ("jupyter-book==1.", "numpy==", "scipy==", "matplotlib==", "ipywidgets==", "jupytext==",
                "nbval==", "python-flint==", "tqdm=="):
        assert any(r.startswith(pkg) for r in reqs), pkg


def test_binder_environment_uses_requirements_and_cpu_index():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-r requirements.txt" in pip and "-e ." in pip
    assert any("download.pytorch.org/whl/cpu" in p for p in pip)
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()  # would shadow root files


def test_postbuild_is_executable_and_runs_the_shared_jupyter_setup():
    pb = ROOT / "postBuild"
    assert os.access(pb, os.X_OK)
    text = pb.read_text()
    assert text.startswith("#!/bin/bash") and "set -e" in text
    commands = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(("#", "set "))]
    assert commands == ['"$(dirname "$0")/scripts/jupyter_setup.sh"'], commands
    assert os.access(ROOT / "scripts" / "jupyter_setup.sh", os.X_OK)


LAB_PINS = ("jupyterlab", "jupyterlab-widgets", "ipywidgets", "jupytext")  # what `make lab` needs


def pins() -> dict[str, str]:
    return dict(r.split("==") for r in requirement_lines())


def test_lab_front_end_is_pinned_and_is_what_the_venv_has():
    """requirements.txt (read by `make install`/`make lab` and by Binder via environment.yml) pins the
    front end, and the running environment (made from it by `make install`) has exactly those versions
    and their two lab extensions."""
    p = pins()
    for pkg in LAB_PINS:
        assert pkg in p, f"{pkg} is not pinned in requirements.txt"
        assert version(pkg) == p[pkg], f"{pkg}: installed {version(pkg)}, pinned {p[pkg]} (run make install)"
    labext = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    for ext in ("jupyterlab-jupytext", "@jupyter-widgets/jupyterlab-manager"):
        assert (labext / ext / "package.json").exists(), f"lab extension {ext} missing under {labext}"


def test_binder_and_make_lab_install_the_same_environment():
    """Binder installs environment.yml = Python 3.11 + `pip -r requirements.txt` + the library, nothing
    else that could shadow a pin; `make lab` installs the same requirements.txt into .venv (its STAMP
    rule) with the same Python minor version, and both apply scripts/jupyter_setup.sh."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert sorted(conda) == ["pip", "python=3.11"], f"conda packages besides Python would bypass the pins: {conda}"
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert [p for p in pip if not p.startswith("--extra-index-url")] == ["-r requirements.txt", "-e ."], pip
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^PYTHON \?= python3\.11$", make, flags=re.M)
    assert re.search(r"^\$\(STAMP\): requirements\.txt", make, flags=re.M)
    assert "pip install -q -r requirements.txt" in make
    lab = re.search(r"^lab: (.*)\n((?:\t.*\n)+)", make, flags=re.M)
    assert lab, "no `lab:` target in the Makefile"
    assert "$(STAMP)" in lab.group(1)
    assert "scripts/jupyter_setup.sh" in lab.group(2) and "jupyter lab" in lab.group(2)
    test_lab = re.search(r"^test: .*\n((?:\t.*\n)+)", make, flags=re.M)
    assert "$(MAKE) test-lab" in test_lab.group(1), "make test does not run the JupyterLab browser test"


def test_jupyter_setup_script_makes_md_open_as_notebooks(tmp_path):
    """The script postBuild and `make lab` run writes jupytext's default-viewer setting for Markdown/MyST
    into the config dir it is given (default: the environment's etc/jupyter, never ~/.jupyter)."""
    out = subprocess.run(["bash", str(ROOT / "scripts" / "jupyter_setup.sh"), str(tmp_path)],
                         env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    settings = json.loads((tmp_path / "labconfig" / "default_setting_overrides.json").read_text())
    viewers = settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    bad = subprocess.run(["bash", str(ROOT / "scripts" / "jupyter_setup.sh"), str(tmp_path / "x")],
                         env={**os.environ, "PYTHON": "/nonexistent/python"}, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode != 0 and "no Python" in bad.stderr


TINY_CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---
# A chapter

```{code-cell} ipython3
1 + 1
```
"""


def test_binder_button_opens_the_chapter_in_jupyterlab(tmp_path):
    """Build a one-chapter book with the real `launch_buttons` and `html` settings (repository URL set to
    a test value, so the button is generated whatever the published URL is) and read the Binder link
    that sphinx-book-theme puts on the page: it must open the chapter's .md file in JupyterLab
    (`urlpath=lab/tree/<path>.md`), which postBuild's settings open as a notebook (checked in a real
    JupyterLab by tests/lab/check_jupyterlab.py), not the classic tree view."""
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = cfg.get("repository", {})
    prefix = (repo.get("path_to_book") or "").strip("/")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "chapter.md").write_text(TINY_CHAPTER)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/chapter\n")
    tiny = {"title": "launch button test", "only_build_toc_files": True, "execute": {"execute_notebooks": "off"},
            "repository": {"url": "https://github.com/example-org/example-repo", "branch": "main",
                           "path_to_book": prefix},
            "launch_buttons": cfg["launch_buttons"], "html": cfg.get("html", {})}
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(tiny))
    jb = Path(sys.executable).parent / "jupyter-book"
    out = subprocess.run([str(jb), "build", "-q", str(tmp_path)], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    html = (tmp_path / "_build" / "html" / "book" / "chapter.html").read_text()
    links = re.findall(r'href="(https://mybinder\.org/[^"]*)"', html)
    assert len(links) == 1, links
    path = f"{prefix}/book/chapter.md" if prefix else "book/chapter.md"
    assert links[0] == f"https://mybinder.org/v2/gh/example-org/example-repo/main?urlpath=lab/tree/{path}", links[0]


def test_book_config_and_toc_point_to_existing_files():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert cfg["execute"]["execute_notebooks"] == "force"
    assert ".venv" in cfg["exclude_patterns"]
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chap in part["chapters"]:
            files.append(chap["file"])
            files += [sec["file"] for sec in chap.get("sections", [])]
    for f in files:
        assert (ROOT / f"{f}.md").exists(), f


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make book" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci and "make test" in ci and "make book" in ci


def test_no_dead_launch_buttons():
    """Colab cannot open .md chapters; the button is only allowed if chapters are .ipynb."""
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    buttons = cfg.get("launch_buttons", {})
    assert buttons.get("binderhub_url") == "https://mybinder.org"
    chapters = list((ROOT / "book").glob("*.ipynb"))
    if "colab_url" in buttons:
        assert chapters, "a Colab button needs .ipynb chapters; they are MyST .md files"


def _toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = []
    for part in toc.get("parts", []):
        for chap in part["chapters"]:
            pages.append(chap["file"])
            pages += [sec["file"] for sec in chap.get("sections", [])]
    return toc["root"], pages


def _title(page):
    for line in (ROOT / f"{page}.md").read_text().splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"{page} has no title")


def test_intro_links_every_page_in_sidebar_order_with_its_title():
    root, pages = _toc_pages()
    intro = (ROOT / f"{root}.md").read_text()
    links = re.findall(r"\[([^\]]+)\]\(([A-Za-z0-9_/]+)\.md\)", intro)
    here = Path(root).parent
    linked = [(text, str(here / target)) for text, target in links]
    expected = [p for p in pages if p != "book/bibliography"]
    assert [p for _, p in linked] == expected, "the intro must link every page once, in sidebar order"
    for text, page in linked:
        assert text == _title(page), f"link text {text!r} differs from the page title {_title(page)!r}"


def test_book_text_has_no_internal_wording():
    banned = ("technical reference", "our target", "budget", "TODO", "issue 1", "as they are completed")
    for page in [_toc_pages()[0]] + _toc_pages()[1]:
        text = (ROOT / f"{page}.md").read_text()
        for word in banned:
            assert word not in text, f"{page} contains internal wording {word!r}"
