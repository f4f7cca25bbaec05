"""Module-level (hence picklable) functions swept by tests/test_sweep.py.

They live outside the test module so that worker processes (process pools, dask workers, a killed
driver subprocess) can import them by name.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np


def toy(a: float, b: float) -> float:
    """A smooth value, refused (ValueError) on the disc a**2 + b**2 < 0.3."""
    if a * a + b * b < 0.3:
        raise ValueError(f"inside the disc at a={a:.4g}, b={b:.4g}")
    return float(np.sin(3 * a) * np.exp(b) + a * b)


def toy_int(a: float, b: float) -> int:
    """An integer 'phase label': the quadrant of (a, b), refused on the axes."""
    if a == 0 or b == 0:
        raise ValueError("on an axis")
    return int(a > 0) + 2 * int(b > 0)


def model_label(model: str, x: float) -> float:
    """A string-valued parameter: the model's weight times x."""
    return {"ssh": 1.0, "creutz": 2.0}[model] * x


def linalg_refusal(a: float) -> float:
    """Raises numpy's LinAlgError (a ValueError subclass) for a < 0."""
    if a < 0:
        return float(np.linalg.inv(np.zeros((2, 2)))[0, 0])
    return a


def buggy(a: float) -> float:
    """A bug (ZeroDivisionError) at a == 0: must stop the sweep, not be recorded as a refusal."""
    return 1 / a


def returns_array(a: float) -> np.ndarray:
    """Returns a vector instead of a number."""
    return np.array([a, a])


def logged(a: float, b: float, *, log_dir: str, kill_at: tuple | None = None, delay: float = 0.0) -> float:
    """``toy`` that appends each call to ``log_dir/calls.<pid>.log``.

    If ``kill_at == (a, b)`` and the file ``log_dir/kill`` exists, the file is removed and the
    process kills itself with SIGKILL *after* logging the call (a worker dying mid-chunk).
    """
    d = Path(log_dir)
    with open(d / f"calls.{os.getpid()}.log", "a") as fh:
        fh.write(f"{a!r} {b!r}\n")
    if kill_at is not None and (a, b) == tuple(kill_at):
        marker = d / "kill"
        try:
            marker.unlink()
        except FileNotFoundError:
            pass
        else:
            os.kill(os.getpid(), signal.SIGKILL)
    if delay:
        time.sleep(delay)
    return toy(a, b)


def read_calls(log_dir: str) -> list[tuple[float, float]]:
    """All logged calls (from every process), as (a, b) pairs."""
    out = []
    for f in sorted(Path(log_dir).glob("calls.*.log")):
        for line in f.read_text().splitlines():
            a, b = line.split()
            out.append((float(a), float(b)))
    return out
