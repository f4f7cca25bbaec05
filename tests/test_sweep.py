"""nhtopo_lib.sweep: grid order whatever the completion order, refusals, resume after kills, bad input.

Ground truth is always a direct call of the swept function at the labelled coordinates (or an
uninterrupted sweep, which is itself checked against direct calls).
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from _sweep_helpers import (buggy, linalg_refusal, logged, model_label, read_calls, returns_array, toy,
                            toy_int)
from nhtopo_lib.sweep import Sweep, parameter_sweep

xr = pytest.importorskip("xarray")
pytest.importorskip("zarr")

A = np.linspace(-1.0, 1.0, 8)
B = np.linspace(-1.0, 1.0, 6)
GRID = {"a": A, "b": B}
TESTS = Path(__file__).resolve().parent


def direct(func, a, b):
    """(value, refusal message) of one direct call."""
    try:
        return func(a=a, b=b), ""
    except ValueError as exc:
        return np.nan, str(exc)


def assert_matches_direct(da, func):
    assert da.dims == ("a", "b") and da.shape == (A.size, B.size)
    assert np.array_equal(da["a"].values, A) and np.array_equal(da["b"].values, B)
    for a in A:
        for b in B:
            v, msg = direct(func, a, b)
            cell = da.sel(a=a, b=b)
            assert str(cell["refusal"].values) == msg
            if msg:
                assert np.isnan(cell.values)
            else:
                assert cell.item() == v  # bit-identical: the same function at the same point


class ReverseExecutor(cf.Executor):
    """Runs the submitted tasks in REVERSE order of submission, on a background thread, once
    ``expected`` tasks are in; records the order it ran them."""

    def __init__(self, expected: int):
        self.expected, self.tasks, self.ran = expected, [], []

    def submit(self, fn, /, *args, **kwargs):
        fut = cf.Future()
        self.tasks.append((fn, args, kwargs, fut))
        if len(self.tasks) == self.expected:
            threading.Thread(target=self._work, daemon=True).start()
        return fut

    def _work(self):
        for i in reversed(range(len(self.tasks))):
            fn, args, kwargs, fut = self.tasks[i]
            self.ran.append(i)
            try:
                fut.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # pragma: no cover - not expected here
                fut.set_exception(exc)
            time.sleep(0.002)


# --------------------------------------------------------------------------- ordering and labels
def test_grid_order_whatever_the_completion_order():
    ex = ReverseExecutor(expected=12)  # 48 points / chunk_size 4
    da = parameter_sweep(toy, GRID, executor=ex, chunk_size=4, progress=False)
    assert ex.ran == list(range(11, -1, -1))  # the last chunk finished first
    assert_matches_direct(da, toy)
    serial = parameter_sweep(toy, GRID, chunk_size=5, progress=False)
    xr.testing.assert_identical(da, serial)  # chunking and executor do not change the array
    assert da.name == "toy" and da.attrs["function"] == "_sweep_helpers.toy"
    assert da.attrs["n_points"] == 48 and da.attrs["n_refused"] == int(np.sum(da["refusal"].values != ""))
    assert 0 < da.attrs["n_refused"] < 48


def test_list_of_points_in_given_order():
    pts = [{"a": 0.9, "b": -0.2}, {"a": 0.1, "b": 0.1}, {"a": 0.9, "b": -0.2}, {"b": 1.0, "a": -1.0}]
    da = parameter_sweep(toy, points=pts, chunk_size=3, progress=False)
    same = parameter_sweep(toy, points={"a": [p["a"] for p in pts], "b": [p["b"] for p in pts]},
                           chunk_size=1, progress=False)
    xr.testing.assert_identical(da, same)
    assert da.dims == ("point",)
    for i, p in enumerate(pts):
        v, msg = direct(toy, p["a"], p["b"])
        assert da["a"].values[i] == p["a"] and da["b"].values[i] == p["b"]
        assert str(da["refusal"].values[i]) == msg
        assert (np.isnan(da.values[i]) if msg else da.values[i] == v)


def test_integer_dtype_with_fill_and_string_axis():
    da = parameter_sweep(toy_int, {"a": [-1.0, 0.0, 2.0], "b": [-3, 5]}, dtype=int, fill_value=-1,
                         progress=False)
    assert da.dtype == np.int64
    assert da.values.tolist() == [[0, 2], [-1, -1], [1, 3]]
    assert da["refusal"].values[1].tolist() == ["on an axis", "on an axis"]
    da = parameter_sweep(model_label, {"model": ["ssh", "creutz"], "x": [1.0, 3.0]}, progress=False)
    assert da.sel(model="creutz", x=3.0).item() == 6.0


# --------------------------------------------------------------------------- refusals and bugs
def test_value_errors_are_recorded_other_errors_stop_the_sweep():
    da = parameter_sweep(linalg_refusal, points={"a": [1.0, -1.0, 2.0]}, progress=False)
    assert da.values[0] == 1.0 and np.isnan(da.values[1]) and da.values[2] == 2.0
    assert str(da["refusal"].values[1]).startswith("LinAlgError: Singular matrix")
    with pytest.raises(ZeroDivisionError) as info:
        parameter_sweep(buggy, points={"a": [1.0, 0.0]}, progress=False)
    assert "at {'a': 0.0}" in " ".join(getattr(info.value, "__notes__", []))
    with pytest.raises(TypeError, match="one number"):
        parameter_sweep(returns_array, points={"a": [1.0]}, progress=False)
    with pytest.raises(TypeError, match="one number"):  # a float where an int array was asked for
        parameter_sweep(toy, points={"a": [1.0], "b": [1.0]}, dtype=int, fill_value=0, progress=False)


def test_refusals_survive_a_process_pool():
    with cf.ProcessPoolExecutor(2) as pool:
        da = parameter_sweep(toy, GRID, executor=pool, chunk_size=7, progress=False)
    assert_matches_direct(da, toy)


# --------------------------------------------------------------------------- resume
def reference(func):
    """Uninterrupted sweep without checkpoint (checked against direct calls)."""
    da = parameter_sweep(func, GRID, chunk_size=4, progress=False)
    assert_matches_direct(da, toy)
    return da


def chunk_points(done, chunk=4):
    pts = [(a, b) for a in A for b in B]  # C order
    return {p for k in np.flatnonzero(~done) for p in pts[k * chunk:(k + 1) * chunk]}


def clear_logs(d: Path):
    for f in d.glob("calls.*.log"):
        f.unlink()


def test_resume_after_a_worker_is_killed_mid_chunk(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    func = functools.partial(logged, log_dir=str(logs), kill_at=(A[5], B[3]), delay=0.01)
    ref = reference(func)
    clear_logs(logs)
    ckpt = tmp_path / "sweep.zarr"
    (logs / "kill").touch()
    with cf.ProcessPoolExecutor(2) as pool:
        with pytest.raises(cf.process.BrokenProcessPool) as info:
            parameter_sweep(func, GRID, executor=pool, chunk_size=4, checkpoint=ckpt, progress=False)
    assert "run the same sweep again" in " ".join(info.value.__notes__)
    assert not (logs / "kill").exists()  # the worker really died at (A[5], B[3])
    first_calls = read_calls(logs)
    assert (A[5], B[3]) in first_calls
    sw = Sweep(func, GRID, checkpoint=ckpt)
    done = sw._store.done()
    killed_chunk = (5 * B.size + 3) // 4
    assert not done[killed_chunk] and sw.pending_points == 4 * int((~done).sum()) > 0
    missing = chunk_points(done)
    clear_logs(logs)
    with cf.ProcessPoolExecutor(2) as pool:
        da = parameter_sweep(func, GRID, executor=pool, checkpoint=ckpt, progress=False)
    second_calls = read_calls(logs)
    assert sorted(second_calls) == sorted(missing)  # only the missing points, each once
    xr.testing.assert_identical(da, ref)
    assert Sweep(func, GRID, checkpoint=ckpt).pending_points == 0


def test_resume_after_the_driver_process_is_killed(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    func = functools.partial(logged, log_dir=str(logs), delay=0.03)
    ref = reference(func)
    clear_logs(logs)
    ckpt = tmp_path / "sweep.zarr"
    script = textwrap.dedent(f"""
        import functools, sys
        import numpy as np
        sys.path.insert(0, {str(TESTS)!r})
        from _sweep_helpers import logged
        from nhtopo_lib.sweep import parameter_sweep
        func = functools.partial(logged, log_dir={str(logs)!r}, delay=0.03)
        grid = {{"a": np.linspace(-1.0, 1.0, 8), "b": np.linspace(-1.0, 1.0, 6)}}
        parameter_sweep(func, grid, chunk_size=4, checkpoint={str(ckpt)!r}, progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    flags = ckpt / "done" / "c"
    t0 = time.monotonic()
    try:
        while not (flags.exists() and len(list(flags.iterdir())) >= 3):
            assert proc.poll() is None, "the sweep process ended before it could be killed"
            assert time.monotonic() - t0 < 60, "no chunk finished within 60 s"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    sw = Sweep(func, GRID, checkpoint=ckpt)
    done = sw._store.done()
    assert 3 <= done.sum() < done.size
    missing = chunk_points(done)
    clear_logs(logs)
    da = parameter_sweep(func, GRID, checkpoint=ckpt, progress=False)
    assert sorted(read_calls(logs)) == sorted(missing)
    xr.testing.assert_identical(da, ref)


def test_dask_cluster_survives_a_worker_killed_mid_chunk(tmp_path):
    distributed = pytest.importorskip("distributed")
    logs = tmp_path / "logs"
    logs.mkdir()
    func = functools.partial(logged, log_dir=str(logs), kill_at=(A[2], B[1]), delay=0.01)
    ref = reference(func)
    clear_logs(logs)
    (logs / "kill").touch()
    ckpt = tmp_path / "sweep.zarr"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.CRITICAL) as cluster, distributed.Client(cluster) as client:
        da = parameter_sweep(func, GRID, executor=client, chunk_size=4, checkpoint=ckpt, progress=False)
    assert not (logs / "kill").exists()  # a worker did die mid-chunk ...
    calls = read_calls(logs)
    killed_chunk = (2 * B.size + 1) // 4
    pts = [(a, b) for a in A for b in B]
    redone = pts[killed_chunk * 4:(2 * B.size + 1) + 1]
    assert all(calls.count(p) == 2 for p in redone)  # ... and its chunk was run again elsewhere
    xr.testing.assert_identical(da, ref)               # with the same result as without the kill
    assert Sweep(func, GRID, checkpoint=ckpt).pending_points == 0


# --------------------------------------------------------------------------- bad input
def _nested():
    def inner(a: float, b: float) -> float:
        return a

    return inner


BAD = [
    ("lambda", dict(func=lambda a, b: a, grid=GRID), "cannot be pickled"),
    ("nested function", dict(func=_nested(), grid=GRID), "cannot be pickled"),
    ("empty axis", dict(func=toy, grid={"a": [], "b": B}), "no values"),
    ("no parameters", dict(func=toy, grid={}), "no parameters"),
    ("scalar axis", dict(func=toy, grid={"a": 1.0, "b": B}), "1-D"),
    ("2-D axis", dict(func=toy, grid={"a": np.ones((2, 2)), "b": B}), "1-D"),
    ("NaN value", dict(func=toy, grid={"a": [0.0, np.nan], "b": B}), "NaN"),
    ("repeated value", dict(func=toy, grid={"a": [0.0, 0.0], "b": B}), "repeated"),
    ("unknown parameter", dict(func=toy, grid={"a": A, "c": B}), "keyword"),
    ("missing parameter", dict(func=toy, grid={"a": A}), "keyword"),
    ("grid and points", dict(func=toy, grid=GRID, points={"a": A, "b": A}), "exactly one"),
    ("neither", dict(func=toy), "exactly one"),
    ("points of unequal length", dict(func=toy, points={"a": A, "b": B}), "different numbers"),
    ("points with other keys", dict(func=toy, points=[{"a": 1, "b": 2}, {"a": 1}]), "same parameters"),
    ("empty list of points", dict(func=toy, points=[]), "empty"),
    ("reserved name", dict(func=toy, points={"a": A, "point": A}), "reserved"),
    ("int dtype without fill", dict(func=toy_int, grid=GRID, dtype=int), "fill_value"),
    ("chunk size 0", dict(func=toy, grid=GRID, chunk_size=0), "chunk_size"),
]


@pytest.mark.parametrize("kwargs,match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_refused_before_any_work(tmp_path, kwargs, match):
    ckpt = tmp_path / "never.zarr"
    with pytest.raises(ValueError, match=match):
        parameter_sweep(**kwargs, checkpoint=ckpt, progress=False)
    assert not ckpt.exists()


def test_wrong_executor_type():
    with pytest.raises(TypeError, match="executor"):
        parameter_sweep(toy, GRID, executor="dask", progress=False)


def test_checkpoint_of_another_function_or_grid_is_refused(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    ckpt = tmp_path / "c.zarr"
    f = functools.partial(logged, log_dir=str(logs))
    parameter_sweep(f, GRID, chunk_size=4, checkpoint=ckpt, progress=False)
    clear_logs(logs)
    cases = [
        (dict(func=toy, grid=GRID), "not of _sweep_helpers.toy"),
        (dict(func=functools.partial(logged, log_dir=str(logs), delay=0.5), grid=GRID), "bound arguments"),
        (dict(func=f, grid=GRID, version="2.0"), "version"),
        (dict(func=f, grid={"a": A[:-1], "b": B}), "shape"),
        (dict(func=f, grid={"a": A + 1e-12, "b": B}), "other values of the parameter 'a'"),
        (dict(func=f, grid={"b": B, "a": A}), "over"),
        (dict(func=f, points={"a": A[:6], "b": B}), "points"),
        (dict(func=f, grid=GRID, chunk_size=5), "chunk_size=4"),
        (dict(func=f, grid=GRID, dtype=complex), "dtype"),
    ]
    for kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            parameter_sweep(**kwargs, checkpoint=ckpt, progress=False)
    assert read_calls(logs) == []  # nothing was computed
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("hello")
    with pytest.raises(ValueError, match="not a sweep checkpoint"):
        parameter_sweep(toy, GRID, checkpoint=not_a_store, progress=False)
    # the matching sweep resumes with nothing left to do
    assert Sweep(f, GRID, checkpoint=ckpt).pending_points == 0
    parameter_sweep(f, GRID, checkpoint=ckpt, progress=False)
    assert read_calls(logs) == []


# --------------------------------------------------------------------------- progress and imports
def test_progress_is_a_plain_text_bar(capsys):
    parameter_sweep(toy, GRID, chunk_size=4, progress=True)
    err = capsys.readouterr().err
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("toy: 100%") and "48/48" in last and "point/s" in last
    assert len(last) <= 80
    parameter_sweep(toy, GRID, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_starts_from_the_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / "c.zarr"
    parameter_sweep(toy, GRID, chunk_size=4, checkpoint=ckpt, progress=False)
    parameter_sweep(toy, GRID, checkpoint=ckpt, progress=True)
    first = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[0]
    assert "48/48" in first  # nothing left: the bar starts full


def test_progress_default_is_silent_when_unattended(monkeypatch, capsys):
    monkeypatch.setenv("NHTOPO_STATIC", "1")
    parameter_sweep(toy, GRID)
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("NHTOPO_STATIC")
    parameter_sweep(toy, GRID)
    assert "48/48" in capsys.readouterr().err


def test_progress_in_a_notebook_leaves_one_text_line_and_no_widget():
    """Run sweeps in a real Jupyter kernel (nbclient, as the book build does) and read the saved outputs."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"import os, sys\nsys.path.insert(0, {str(TESTS)!r})\n"
                                  "import numpy as np\nfrom _sweep_helpers import toy\n"
                                  "from nhtopo_lib.sweep import parameter_sweep\n"
                                  "grid = {'a': np.linspace(-1, 1, 8), 'b': np.linspace(-1, 1, 6)}"),
        nbformat.v4.new_code_cell("da = parameter_sweep(toy, grid, chunk_size=4, progress=True)"),
        nbformat.v4.new_code_cell("os.environ['NHTOPO_STATIC'] = '1'\nda = parameter_sweep(toy, grid)"),
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    shown, silent = nb.cells[1].outputs, nb.cells[2].outputs
    assert silent == []
    assert len(shown) == 1 and shown[0].output_type == "display_data"
    assert set(shown[0].data) == {"text/plain"}  # no widget, no HTML
    line = shown[0].data["text/plain"]
    assert "\n" not in line and "\r" not in line
    assert line.startswith("toy: 100%") and "48/48" in line and "point/s" in line


def test_import_nhtopo_lib_stays_light():
    code = ("import sys, nhtopo_lib, nhtopo_lib.sweep; "
            "print(','.join(m for m in ('dask', 'distributed', 'xarray', 'zarr', 'torch', 'tqdm') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
