"""The explorer note: one line where sliders cannot move, silence where they can.

The chapters are executed without a widget front end by nbclient (the static book build, through
myst-nb) and by nbval (``make test``); JupyterLab starts its kernels through a Jupyter server, which
sets ``JPY_SESSION_NAME``.  Here a real kernel runs an explorer-like cell both ways.  That the note
stays silent in a real JupyterLab kernel is checked by tests/lab/check_jupyterlab.py.
"""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

import nhtopo_lib as nl
from nhtopo_lib.notebook import EXPLORER_NOTE, widgets_are_live

CELL = "import nhtopo_lib as nl\nnl.explorer_note()"


def run_cell(extra_env: dict[str, str]) -> list[dict]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    env.update(extra_env)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute(env=env)
    return nb.cells[0].outputs


def test_note_fits_one_line_of_the_book():
    assert "\n" not in EXPLORER_NOTE and len(EXPLORER_NOTE) <= 88
    assert "make lab" in EXPLORER_NOTE and "Binder" in EXPLORER_NOTE


def test_kernel_without_front_end_prints_the_note():
    outputs = run_cell({})
    assert [(o["output_type"], o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", EXPLORER_NOTE + "\n")]


def test_kernel_of_a_jupyter_session_stays_silent():
    # what jupyter_server's SessionManager puts into the environment of a notebook's kernel
    assert run_cell({"JPY_SESSION_NAME": "book/pole_zero.md"}) == []


def test_outside_a_kernel_widgets_are_not_live(monkeypatch, capsys):
    monkeypatch.setenv("JPY_SESSION_NAME", "book/pole_zero.md")  # even so: no IPython kernel here
    assert widgets_are_live() is False
    assert nl.explorer_note() is None
    assert capsys.readouterr().out == EXPLORER_NOTE + "\n"


@pytest.mark.parametrize("name", ["explorer_note", "widgets_are_live", "EXPLORER_NOTE"])
def test_public(name):
    assert name in nl.notebook.__all__
