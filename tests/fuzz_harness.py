"""Run calls of the public API in worker processes, each under a time and memory limit.

A worker (``python tests/fuzz_harness.py --worker``) imports nhtopo_lib once and then executes the
calls it receives on stdin (length-prefixed pickles): ``(spec name, overrides, invalid, match)``.
It classifies the outcome itself and sends back a dict.  The parent kills a worker whose call runs
over the time limit (outcome ``"hang"``) and starts a new one.  The address space of a worker is
limited (``RLIMIT_AS``), so a runaway allocation becomes a MemoryError (outcome ``"memory"``)
instead of swapping the shared machine.

Outcomes:

``clear``       ValueError/TypeError raised inside nhtopo_lib, message names the parameter (or ``match``)
``unclear``     ValueError/TypeError raised elsewhere (numpy, python) or not naming the parameter
``wrong_type``  any other exception type
``nonfinite``   a result containing NaN/inf (for functions that do not document NaN results)
``silent``      a result returned for an invalid input
``ok``          a finite result for an extreme-but-admissible input
``hang``        over the time limit
``memory``      MemoryError / worker killed by the memory limit
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FAIL = ("unclear", "wrong_type", "nonfinite", "silent", "hang", "memory")


# ----------------------------------------------------------------------------- framing
def _send(fh, obj) -> None:
    data = pickle.dumps(obj, protocol=4)
    fh.write(struct.pack("<Q", len(data)) + data)
    fh.flush()


def _recv_exact(fd: int, n: int, deadline: float | None) -> bytes | None:
    buf = b""
    while len(buf) < n:
        if deadline is not None:
            r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not r:
                return None
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            raise EOFError("worker closed the pipe")
        buf += chunk
    return buf


def _recv(fd: int, deadline: float | None = None):
    head = _recv_exact(fd, 8, deadline)
    if head is None:
        return None
    (n,) = struct.unpack("<Q", head)
    body = _recv_exact(fd, n, None if deadline is None else deadline + 5.0)
    if body is None:
        return None
    return pickle.loads(body)


# ----------------------------------------------------------------------------- worker side
def _nonfinite(x, depth: int = 0) -> bool:
    """Does a result contain NaN/inf anywhere (numbers, arrays, containers, dataclasses, tensors)?"""
    import dataclasses

    import numpy as np

    if depth > 6 or x is None or isinstance(x, (str, bytes, bool)):
        return False
    if isinstance(x, (float, complex, np.floating, np.complexfloating)):
        return not np.isfinite(x)
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fc":
            return not bool(np.all(np.isfinite(x)))
        if x.dtype == object:
            return any(_nonfinite(v, depth + 1) for v in x.ravel()[:1000])
        return False
    if isinstance(x, (list, tuple)):
        return any(_nonfinite(v, depth + 1) for v in list(x)[:1000])
    if isinstance(x, dict):
        return any(_nonfinite(k, depth + 1) or _nonfinite(v, depth + 1) for k, v in list(x.items())[:1000])
    mod = type(x).__module__
    if mod.startswith("torch"):
        import torch

        if torch.is_tensor(x):
            return bool(x.is_floating_point() and not torch.isfinite(x).all())
        if isinstance(x, torch.nn.Module):
            return any(not torch.isfinite(p).all() for p in x.parameters())
        return False
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return any(_nonfinite(getattr(x, f.name), depth + 1) for f in dataclasses.fields(x))
    if type(x).__name__ == "LaurentPoly":
        return _nonfinite(x.coeffs, depth + 1)
    return False


def _classify(spec, overrides: dict, invalid: bool, match: str | None, lib_dir: str):
    import traceback

    from fuzz_specs import resolve

    fn, kwargs = spec.make()
    kwargs = dict(kwargs)
    for k, v in overrides.items():
        kwargs[k] = resolve(v)
    names = [k for k in overrides] if match is None else [match]
    t0 = time.perf_counter()
    try:
        res = fn(**kwargs)
    except (ValueError, TypeError) as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1].filename
        in_lib = os.path.realpath(last).startswith(lib_dir)
        msg = str(exc)
        # an invalid value must be named; an extreme but admissible one may also meet a documented refusal
        # of the problem it creates (e.g. "cannot certify ...", "a root lies on the circle")
        named = any(n in msg for n in names) or not invalid
        out = "clear" if (in_lib and named) else "unclear"
        detail = f"{type(exc).__name__} at {os.path.basename(last)}: {msg[:300]}"
    except MemoryError as exc:
        out, detail = "memory", f"MemoryError: {str(exc)[:200]}"
    except BaseException as exc:  # noqa: BLE001 - classified, not swallowed: reported to the test
        last = traceback.extract_tb(exc.__traceback__)[-1].filename
        out, detail = "wrong_type", f"{type(exc).__name__} at {os.path.basename(last)}: {str(exc)[:300]}"
    else:
        bad = _nonfinite(res)
        if bad and not spec.nan_ok:
            out, detail = "nonfinite", f"returned a result with NaN/inf: {repr(res)[:200]}"
        elif invalid:
            out, detail = "silent", f"returned {repr(res)[:200]}"
        else:
            out, detail = "ok", ""
    finally:
        if "plot" in spec.name:
            import matplotlib.pyplot as plt

            plt.close("all")
    return {"outcome": out, "detail": detail, "seconds": time.perf_counter() - t0}


def worker_main() -> None:  # pragma: no cover - runs in the worker process
    import resource
    import warnings

    try:  # die with the parent (Linux): no orphaned workers if the test run is interrupted
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass
    limit = int(os.environ.get("FUZZ_MEMORY_BYTES", str(4 * 2 ** 30)))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out_fh = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)                      # anything printed goes to stderr, not into the frames
    sys.path.insert(0, str(HERE))
    warnings.simplefilter("ignore")
    os.environ.setdefault("MPLBACKEND", "Agg")
    import numpy as np

    import nhtopo_lib as nl
    import nhtopo_lib.learning  # noqa: F401 - import torch once, before the first call
    from fuzz_specs import SPECS

    lib_dir = os.path.realpath(os.path.dirname(nl.__file__))
    # warm up compiled kernels so that their one-time compilation is not charged to a call
    try:
        nl.tridiagonal_eigvals([0.1j, 0.2, 0.3, 0.1], [0.5, 0.4j, 0.3])
        nl.symmetric_tridiagonal_eigvals_select([0.1, 0.2, 0.3, 0.4], [0.5, 0.4, 0.3], 1, 2)
    except Exception:  # noqa: BLE001
        pass
    _send(out_fh, {"ready": True, "lib": lib_dir})
    inp = sys.stdin.buffer
    while True:
        head = inp.read(8)
        if len(head) < 8:
            return
        (n,) = struct.unpack("<Q", head)
        name, overrides, invalid, match = pickle.loads(inp.read(n))
        try:
            res = _classify(SPECS[name], overrides, invalid, match, lib_dir)
        except Exception as exc:  # noqa: BLE001 - an error while building the valid call
            res = {"outcome": "spec_error", "detail": f"{type(exc).__name__}: {exc}", "seconds": 0.0}
        np.seterr(all="warn")
        _send(out_fh, res)


# ----------------------------------------------------------------------------- parent side
class Worker:
    """One worker process; ``call`` runs a case with a time limit and restarts the worker on a hang."""

    def __init__(self, env: dict | None = None, startup_timeout: float = 120.0):
        self.env = env
        self.startup_timeout = startup_timeout
        self.proc = None
        self.lib = None
        self._start()

    def _start(self) -> None:
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("OMP_NUM_THREADS", "1")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("MKL_NUM_THREADS", "1")
        env["MPLBACKEND"] = "Agg"
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)
        msg = _recv(self.proc.stdout.fileno(), time.monotonic() + self.startup_timeout)
        if not msg or not msg.get("ready"):
            self.close()
            raise RuntimeError("fuzz worker did not start")
        self.lib = msg["lib"]

    def close(self, graceful: bool = True) -> None:
        if self.proc is not None:
            try:
                if graceful:             # end of input: the worker returns and cleans up its scratch files
                    self.proc.stdin.close()
                    self.proc.wait(timeout=5)
            except Exception:  # noqa: BLE001 - a busy or hung worker is killed below
                pass
            try:
                if self.proc.poll() is None:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            except Exception:  # noqa: BLE001
                pass
            self.proc = None

    def submit(self, case) -> float:
        _send(self.proc.stdin, case)
        return time.monotonic()

    def collect(self, started: float, timeout: float):
        try:
            res = _recv(self.proc.stdout.fileno(), started + timeout)
        except EOFError:
            res = {"outcome": "memory", "detail": "worker died (memory limit or crash)", "seconds": 0.0}
            self.close(graceful=False)
            self._start()
            return res
        if res is None:
            self.close(graceful=False)
            self._start()
            return {"outcome": "hang", "detail": f"over the {timeout:g} s limit", "seconds": timeout}
        if res["outcome"] == "memory" or "MemoryError" in res.get("detail", ""):
            # a process that ran into its memory limit may be left fragmented: later calls would fail for
            # reasons of their own predecessors, so every call after a MemoryError gets a fresh worker
            self.close(graceful=False)
            self._start()
        return res

    def call(self, case, timeout: float):
        return self.collect(self.submit(case), timeout)


def run_cases(cases: list, *, n_workers: int = 2, timeout: float = 10.0, env: dict | None = None,
              progress=None) -> list:
    """Run every case on a pool of workers; returns the outcome dicts in the order of ``cases``."""
    workers = [Worker(env) for _ in range(max(1, min(n_workers, len(cases))))]
    results: list = [None] * len(cases)
    busy: dict[int, tuple[int, float]] = {}
    nxt = 0
    try:
        while nxt < len(cases) or busy:
            for w_i, w in enumerate(workers):
                if w_i not in busy and nxt < len(cases):
                    busy[w_i] = (nxt, w.submit(cases[nxt]))
                    nxt += 1
            fds = {workers[w_i].proc.stdout.fileno(): w_i for w_i in busy}
            soonest = min(t for _, t in busy.values()) + timeout
            r, _, _ = select.select(list(fds), [], [], max(0.0, soonest - time.monotonic()))
            ready = [fds[fd] for fd in r]
            if not ready:  # the oldest call ran over its limit
                ready = [min(busy, key=lambda i: busy[i][1])]
            for w_i in ready:
                idx, started = busy.pop(w_i)
                t_before = time.monotonic()
                results[idx] = workers[w_i].collect(started, timeout)
                if results[idx]["outcome"] in ("hang", "memory") or "MemoryError" in results[idx]["detail"]:
                    # restarting the worker blocked this loop: do not charge that time to other calls
                    lost = time.monotonic() - t_before
                    busy = {k: (i, t + lost) for k, (i, t) in busy.items()}
                if progress is not None:
                    progress(idx, results[idx])
    finally:
        for w in workers:
            w.close()
    return results


def canonical_cases(specs: dict) -> list:
    """Every (spec, parameter, canonical bad value) case of the table, plus the specs' extra cases."""
    from fuzz_specs import kind_values

    cases = []
    for name, sp in specs.items():
        for param, kind in sp.kinds.items():
            if kind.startswith("@"):
                continue
            for value, invalid in kind_values(kind):
                cases.append((name, {param: value}, invalid, None))
        for ex in sp.extra:
            param, value, invalid = ex[:3]
            match = ex[3] if len(ex) > 3 else None
            overrides = dict(value) if param == "*" else {param: value}
            cases.append((name, overrides, invalid, match))
    return cases


if __name__ == "__main__":  # pragma: no cover
    if "--worker" in sys.argv:
        worker_main()
