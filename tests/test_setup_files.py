"""The set-up files stay consistent: pinned stack, Binder environment, postBuild, book configuration."""
import os
import re
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


def test_postbuild_is_executable_and_sets_jupytext_viewer():
    pb = ROOT / "postBuild"
    assert os.access(pb, os.X_OK)
    text = pb.read_text()
    assert text.startswith("#!/bin/bash") and "set -e" in text and "jupytext-config" in text


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
