"""Parameter sweeps (phase diagrams) on any executor: chunked, ordered, resumable, with progress.

The expensive answers of the library are per parameter point (a certified zero-mode count, a GBZ
winding, a high-precision spectrum).  :func:`parameter_sweep` evaluates one scalar function of the
parameters over a grid (outer product of 1-D axes) or over a list of points and returns an
``xarray.DataArray`` labelled by the parameters, in grid order whatever order the work finishes in.

* **Executors.**  ``executor=None`` runs in this process.  Any :class:`concurrent.futures.Executor`
  works unchanged: a :class:`~concurrent.futures.ProcessPoolExecutor` on one machine, or a dask cluster
  through ``dask.distributed.Client(address).get_executor()`` (a ``Client`` itself is accepted too).
  Work is sent in chunks of ``chunk_size`` points, one task per chunk.
* **Refusals.**  A ``ValueError`` raised at a point (the library's way of saying "no honest number
  here") is recorded: the value is ``fill_value`` (NaN by default) and the ``refusal`` coordinate holds
  the message; successful points have ``refusal == ""``.  Any other exception is a bug and stops the
  sweep, naming the point.
* **Checkpoints.**  With ``checkpoint=path`` every finished chunk is written to a zarr store as it
  arrives (each chunk file is written atomically, the chunk's "done" flag last).  Running the same sweep
  again after an interruption -- the driver killed, a worker killed, the kernel interrupted -- loads the
  finished chunks and computes only the missing ones; the result is identical to an uninterrupted run.
  A checkpoint written by a different function (name, version or code) or for a different grid is
  refused before any work starts.
* **Progress.**  A ``tqdm`` bar (points done / total, rate, remaining time), as plain text, never a
  widget: on ``stderr`` in a terminal, and in a Jupyter kernel as *one* text output that is updated in
  place (so a saved or statically rendered notebook keeps a single line, not widget state that cannot
  run there).  By default it is off when the code runs unattended (``NHTOPO_STATIC=1``, set by the
  book build and the tests, see :func:`nhtopo_lib.notebook.static_execution`).

Only numpy is imported with the library; xarray, zarr and tqdm are imported when a sweep runs (and dask
only by the caller who creates a dask client).
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import inspect
import math
import os
import pickle
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from . import _validate as _v

__all__ = ["Sweep", "parameter_sweep"]

#: name of the coordinate holding the refusal message of every point ("" where a value was computed)
REFUSAL = "refusal"
#: dimension of a sweep over a list of points
POINT_DIM = "point"
_FORMAT = 1  # layout version of the checkpoint store
_MAX_DEFAULT_CHUNK = 256


# --------------------------------------------------------------------------- identity of a function
def _code_digest(code, h) -> None:
    """Feed a code object's bytecode, names and constants (recursively) into the hash ``h``."""
    h.update(code.co_code)
    h.update(repr((code.co_names, code.co_varnames, code.co_freevars, code.co_argcount,
                   code.co_kwonlyargcount)).encode())
    for c in code.co_consts:
        if inspect.iscode(c):
            _code_digest(c, h)
        else:
            h.update(repr(c).encode())


def _function_identity(func: Callable) -> tuple[str, str, Any]:
    """(qualified name, fingerprint of the code and bound arguments, the innermost function)."""
    h = hashlib.sha256()
    f, bound = func, []
    while isinstance(f, functools.partial):
        kw = sorted(f.keywords.items())
        bound.append((f.args, kw))
        f = f.func
    target = f
    if not (inspect.isfunction(f) or inspect.isbuiltin(f) or inspect.ismethod(f)) and callable(f):
        target = type(f).__call__  # a callable object: its class's __call__ and its pickled state
        h.update(pickle.dumps(f, protocol=4))
    if inspect.ismethod(target):
        h.update(pickle.dumps(target.__self__, protocol=4))
        target = target.__func__
    name = f"{getattr(f, '__module__', None) or type(f).__module__}." \
           f"{getattr(f, '__qualname__', None) or type(f).__qualname__}"
    try:
        src = inspect.getsource(target)
        h.update(b"src:" + inspect.cleandoc(src).encode())
    except (OSError, TypeError):
        code = getattr(target, "__code__", None)
        if code is not None:
            _code_digest(code, h)
        else:
            h.update(name.encode())
    if bound:
        h.update(pickle.dumps(bound, protocol=4))
        name = "functools.partial(" + name + ", ...)"
    return name, h.hexdigest()[:16], f


def _default_version(inner: Any) -> str:
    mod = getattr(inner, "__module__", None) or type(inner).__module__
    top = sys.modules.get((mod or "").split(".")[0])
    version = getattr(top, "__version__", None) if top is not None and mod != "__main__" else None
    return str(version) if version is not None else "unspecified"


# --------------------------------------------------------------------------- parameters
def _axis(name: str, values: ArrayLike, *, grid: bool) -> NDArray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        what = "a scalar" if arr.ndim == 0 else f"an array of shape {arr.shape}"
        raise ValueError(f"parameter {name!r}: expected a 1-D sequence of values, got {what}; fix a "
                         "parameter with functools.partial(func, name=value) or give a one-element list")
    if arr.size == 0:
        raise ValueError(f"parameter {name!r} has no values: the sweep would be empty")
    if arr.dtype.kind not in "biufcU":
        raise ValueError(f"parameter {name!r}: values must be numbers or strings (dtype {arr.dtype})")
    if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError(f"parameter {name!r} contains NaN or inf")
    if grid and np.unique(arr).size != arr.size:
        raise ValueError(f"grid axis {name!r} has repeated values: its labels would be ambiguous")
    return arr


def _check_names(names: Sequence[str], reserved: tuple[str, ...]) -> None:
    for n in names:
        if not isinstance(n, str) or not n.isidentifier():
            raise ValueError(f"parameter names must be Python identifiers (keyword arguments of the "
                             f"function), got {n!r}")
        if n in reserved:
            raise ValueError(f"parameter name {n!r} is reserved by the sweep; rename it")


def _normalise_points(points: Any) -> dict[str, NDArray]:
    if isinstance(points, Mapping):
        cols = dict(points)
    elif isinstance(points, Sequence) and not isinstance(points, str):
        if len(points) == 0:
            raise ValueError("points is empty: the sweep would be empty")
        if not all(isinstance(p, Mapping) for p in points):
            raise ValueError("points must be a mapping {name: values} or a list of mappings {name: value}")
        keys = list(points[0].keys())
        for i, p in enumerate(points):
            if set(p.keys()) != set(keys):
                raise ValueError(f"points[{i}] has parameters {sorted(p.keys())} but points[0] has "
                                 f"{sorted(keys)}: every point must give the same parameters")
        cols = {k: [p[k] for p in points] for k in keys}
    else:
        raise ValueError("points must be a mapping {name: values} or a list of mappings {name: value}")
    if not cols:
        raise ValueError("points gives no parameters")
    out = {k: _axis(k, v, grid=False) for k, v in cols.items()}
    lengths = {k: v.size for k, v in out.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"points: the parameters have different numbers of values {lengths}; each "
                         "point needs one value of every parameter")
    return out


def _as_executor(executor: Any) -> cf.Executor | None:
    if executor is None or isinstance(executor, cf.Executor):
        return executor
    if callable(getattr(executor, "get_executor", None)):  # a dask.distributed.Client
        return executor.get_executor()
    raise TypeError(f"executor must be None (run here), a concurrent.futures.Executor (e.g. "
                    f"ProcessPoolExecutor(), dask Client(...).get_executor()) or a dask Client, "
                    f"got {type(executor).__name__}")


# --------------------------------------------------------------------------- progress
class _NotebookLine:
    """File-like target for tqdm inside a Jupyter kernel: one text/plain output, updated in place.

    tqdm writes ``"\\r" + bar``; only the latest bar is kept, through IPython's display-update
    mechanism, so the notebook file holds the final bar only (no stream of carriage returns, no widget).
    """

    def __init__(self) -> None:
        from IPython.display import Pretty, display

        self._pretty = Pretty
        self._handle = display(Pretty(""), display_id=True)

    def write(self, s: str) -> int:
        parts = [p for p in s.replace("\n", "\r").split("\r") if p.strip()]
        if parts and self._handle is not None:
            self._handle.update(self._pretty(parts[-1].rstrip()))
        return len(s)

    def flush(self) -> None:
        pass


def _in_jupyter_kernel() -> bool:
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


def _progress_bar(progress: bool | None, total: int, initial: int, desc: str):
    """A plain-text tqdm bar, or None; ``progress=None`` means "unless running unattended"."""
    if progress is None:
        from .notebook import static_execution

        progress = not static_execution()
    if not progress:
        return None
    from tqdm import tqdm  # the plain-text bar, never tqdm.auto's widget

    target = _NotebookLine() if _in_jupyter_kernel() else sys.stderr
    return tqdm(total=total, initial=initial, desc=desc, unit="point", ncols=80, mininterval=1.0,
                file=target, leave=True)


# --------------------------------------------------------------------------- work on one chunk
def _convert(value: Any, dtype: np.dtype, point: dict) -> Any:
    arr = np.asarray(value)
    if arr.ndim != 0 or not np.can_cast(arr.dtype, dtype, "same_kind"):
        raise TypeError(f"the function returned {value!r} (type {type(value).__name__}) at {point}; a sweep "
                        f"stores one number of dtype {dtype} per point: return a scalar of that kind, or "
                        "pass dtype=...")
    return arr.astype(dtype)[()]


def _run_chunk(func: Callable, names: tuple[str, ...], columns: list[list], dtype: np.dtype,
               fill: Any) -> tuple[NDArray, list[str]]:
    """Evaluate ``func`` at the points of one chunk (runs on a worker)."""
    m = len(columns[0]) if columns else 0
    values = np.empty(m, dtype=dtype)
    refusals = [""] * m
    for i in range(m):
        point = {n: col[i] for n, col in zip(names, columns)}
        try:
            v = func(**point)
        except ValueError as exc:
            msg = str(exc) or "(no message)"
            if type(exc) is not ValueError:
                msg = f"{type(exc).__name__}: {msg}"
            values[i], refusals[i] = fill, msg
            continue
        except Exception as exc:
            exc.add_note(f"raised by the swept function at {point}")
            raise
        values[i] = _convert(v, dtype, point)
    return values, refusals


# --------------------------------------------------------------------------- checkpoint store
class _Store:
    """Flat zarr store: value, refusal (chunked like the sweep), done flags (one file per chunk)."""

    def __init__(self, path: Path, meta: dict, coords: dict[str, NDArray], n: int, chunk: int,
                 n_chunks: int, dtype: np.dtype, fill: Any):
        import zarr

        self.path = path
        if _is_store(path):
            g = zarr.open_group(str(path), mode="r+")
        else:
            g = zarr.open_group(str(path), mode="w")
            for name, arr in coords.items():
                a = g.create_array(f"coord_{name}", shape=arr.shape, chunks=arr.shape,
                                   dtype=str if arr.dtype.kind == "U" else arr.dtype)
                a[:] = arr
            g.create_array("value", shape=(n,), chunks=(chunk,), dtype=dtype, fill_value=_canonical(fill))
            g.create_array(REFUSAL, shape=(n,), chunks=(chunk,), dtype=str, fill_value="")
            g.create_array("done", shape=(n_chunks,), chunks=(1,), dtype="u1", fill_value=0)
            g.attrs.update({"nhtopo_sweep": meta})  # written last: a store without it is incomplete
        self.group = g
        self.value, self.refusal, self.done_flags = g["value"], g[REFUSAL], g["done"]

    @staticmethod
    def read_meta(path: Path) -> tuple[dict, Any]:
        import zarr

        try:
            g = zarr.open_group(str(path), mode="r")
            meta = g.attrs["nhtopo_sweep"]
        except Exception as exc:  # not a zarr group, or one without our attributes
            raise ValueError(f"checkpoint {str(path)!r} exists but is not a sweep checkpoint ({exc}); "
                             "choose a new path or delete it") from None
        return dict(meta), g

    def done(self) -> NDArray:
        return np.asarray(self.done_flags[:], dtype=bool)

    def load(self) -> tuple[NDArray, NDArray]:
        return self.value[:], np.asarray(self.refusal[:], dtype=object)

    def write(self, k: int, sl: slice, values: NDArray, refusals: list[str]) -> None:
        self.value[sl] = values
        self.refusal[sl] = np.array(refusals, dtype=str)
        self.done_flags[k] = 1  # only now does the chunk count as finished


def _is_store(path: Path) -> bool:
    """True if ``path`` exists and is not an empty directory (which a new checkpoint may use)."""
    return path.exists() and not (path.is_dir() and not any(path.iterdir()))


def _canonical(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


# --------------------------------------------------------------------------- the sweep
class Sweep:
    """A parameter sweep, validated and tied to its checkpoint before any work is done.

    Use :func:`parameter_sweep` for the one-call form; this class is for inspecting a checkpoint
    (:attr:`pending_points`) before or after running.

    Parameters
    ----------
    func
        Picklable function called as ``func(**{name: value, ...})`` for every point; it returns one
        number (or raises ``ValueError`` to refuse the point).  Define it with ``def`` at module level
        (or in the notebook); bind fixed arguments with :func:`functools.partial`.
    grid
        ``{name: 1-D values}``: every combination (outer product), in C order; the result has one
        dimension per name, in this order.
    points
        Instead of ``grid``: a list of points, as ``{name: values}`` with equal lengths or as a list of
        ``{name: value}`` mappings; the result has the dimension ``"point"``.
    chunk_size
        Points per task (and per checkpoint write).  Default: about 1/64 of the points, at most 256;
        with an existing checkpoint, the checkpoint's chunk size.
    checkpoint
        Path of a zarr store (a directory) for resumable sweeps; created if missing.
    version
        Version string of ``func`` stored with the results; default: ``__version__`` of the package
        ``func`` comes from (e.g. ``nhtopo_lib``), or ``"unspecified"``.
    dtype
        dtype of the stored values (numeric); default float64.
    fill_value
        Value stored at refused points; default NaN (required for integer or bool ``dtype``).
    name
        Name of the result array; default the function's name.

    Raises
    ------
    ValueError
        Non-picklable ``func``; a function that does not accept the parameter names; an empty grid;
        non-1-D, non-finite or repeated grid values; points with different numbers of values or
        parameters; a checkpoint that belongs to another function, version or grid (or is not a sweep
        checkpoint), or a ``chunk_size``/``dtype`` that differs from the checkpoint's; a ``chunk_size``
        that is not a positive integer; a ``dtype`` that numpy does not know or that is not numeric.
    TypeError
        ``func`` not callable; a non-numeric ``chunk_size``; a ``checkpoint`` that is not a path; a ``name``
        that is not a string.
    """

    def __init__(self, func: Callable[..., Any], grid: Mapping[str, ArrayLike] | None = None, *,
                 points: Mapping[str, ArrayLike] | Sequence[Mapping[str, Any]] | None = None,
                 chunk_size: int | None = None, checkpoint: str | os.PathLike | None = None,
                 version: str | None = None, dtype: DTypeLike = float, fill_value: Any = None,
                 name: str | None = None):
        if not callable(func):
            raise TypeError(f"func must be callable, got {type(func).__name__}")
        try:
            pickle.dumps(func)
        except Exception as exc:
            raise ValueError(f"func {getattr(func, '__qualname__', func)!r} cannot be pickled ({exc}), so it "
                             "cannot be sent to worker processes: define it with `def` at module level (or in "
                             "the notebook), not as a lambda or nested function, and bind fixed arguments "
                             "with functools.partial") from None
        # ---- parameters
        if (grid is None) == (points is None):
            raise ValueError("give exactly one of grid={name: values} (all combinations) or points=... "
                             "(a list of points)")
        if grid is not None:
            if not isinstance(grid, Mapping):
                raise ValueError("grid must be a mapping {name: 1-D values}")
            if len(grid) == 0:
                raise ValueError("grid has no parameters: the sweep would be empty")
            _check_names(list(grid), (REFUSAL,))
            coords = {k: _axis(k, v, grid=True) for k, v in grid.items()}
            self.dims = tuple(coords)
            self.shape = tuple(a.size for a in coords.values())
            self.mode = "grid"
        else:
            coords = _normalise_points(points)
            _check_names(list(coords), (REFUSAL, POINT_DIM))
            self.dims = (POINT_DIM,)
            self.shape = (next(iter(coords.values())).size,)
            self.mode = "points"
        self.coords = coords
        self.names = tuple(coords)
        self.n_points = int(np.prod(self.shape))
        # ---- does func take these keyword arguments?
        try:
            sig = inspect.signature(func)
        except (TypeError, ValueError):
            sig = None
        if sig is not None:
            try:
                sig.bind(**{k: _canonical(v[0]) for k, v in coords.items()})
            except TypeError as exc:
                raise ValueError(f"func cannot be called with the parameters {list(self.names)} as keyword "
                                 f"arguments ({exc}); the grid names must match the function's parameters"
                                 ) from None
        # ---- values
        try:
            self.dtype = np.dtype(dtype)
        except (TypeError, ValueError):
            raise ValueError(f"dtype must be a numeric numpy dtype (e.g. float, int, complex, bool), got "
                             f"{dtype!r}") from None
        if self.dtype.kind not in "biufc":
            raise ValueError(f"dtype must be numeric (bool, int, float or complex), got {self.dtype}")
        if fill_value is None:
            if self.dtype.kind not in "fc":
                raise ValueError(f"dtype {self.dtype} has no NaN: pass fill_value=... for refused points")
            fill_value = np.nan
        if not np.can_cast(np.asarray(fill_value).dtype, self.dtype, "same_kind"):
            raise ValueError(f"fill_value {fill_value!r} does not fit dtype {self.dtype}")
        self.fill_value = self.dtype.type(fill_value)
        self.func = func
        self.function, self.fingerprint, inner = _function_identity(func)
        self.version = str(version) if version is not None else _default_version(inner)
        self.name = name or getattr(inner, "__name__", None) or type(inner).__name__
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string (or None for the function's name), got {type(name).__name__}")
        # ---- chunks
        if chunk_size is not None:
            chunk_size = _v.check_int(chunk_size, "chunk_size", lo=1, fix="the number of points per task")
        if checkpoint is not None and not isinstance(checkpoint, (str, os.PathLike)):
            raise TypeError(f"checkpoint must be a path (str or os.PathLike) of a zarr store, or None, got "
                            f"{type(checkpoint).__name__}")
        self.checkpoint = Path(checkpoint) if checkpoint is not None else None
        meta = None
        if self.checkpoint is not None and _is_store(self.checkpoint):
            meta, group = _Store.read_meta(self.checkpoint)
            self._check_checkpoint(meta, group, chunk_size)
            chunk_size = int(meta["chunk_size"])
        self.chunk_size = int(chunk_size) if chunk_size is not None else \
            max(1, min(_MAX_DEFAULT_CHUNK, math.ceil(self.n_points / 64)))
        self.n_chunks = math.ceil(self.n_points / self.chunk_size)
        self._store = None
        if self.checkpoint is not None and meta is not None:
            self._store = _Store(self.checkpoint, meta, coords, self.n_points, self.chunk_size,
                                 self.n_chunks, self.dtype, self.fill_value)

    # ---------------------------------------------------------------- checkpoint identity
    def _meta(self) -> dict:
        return {"format": _FORMAT, "function": self.function, "function_version": self.version,
                "function_fingerprint": self.fingerprint, "mode": self.mode, "dims": list(self.dims),
                "names": list(self.names), "shape": list(self.shape), "chunk_size": self.chunk_size,
                "dtype": self.dtype.str, "fill_value": repr(_canonical(self.fill_value))}

    def _check_checkpoint(self, meta: dict, group: Any, chunk_size: int | None) -> None:
        where = f"checkpoint {str(self.checkpoint)!r}"
        fix = "; delete it or choose another checkpoint path"
        if meta.get("format") != _FORMAT:
            raise ValueError(f"{where} has layout version {meta.get('format')}, expected {_FORMAT}{fix}")
        if meta["function"] != self.function:
            raise ValueError(f"{where} holds results of {meta['function']}, not of {self.function}{fix}")
        if meta["function_version"] != self.version:
            raise ValueError(f"{where} holds results of {self.function} version {meta['function_version']}, "
                             f"not version {self.version}{fix}")
        if meta["function_fingerprint"] != self.fingerprint:
            raise ValueError(f"{where} was written by a different definition of {self.function} (its code "
                             f"or bound arguments changed){fix}")
        if meta["mode"] != self.mode or meta["names"] != list(self.names) or \
                meta["shape"] != list(self.shape):
            raise ValueError(f"{where} is for a {meta['mode']} over {meta['names']} of shape "
                             f"{tuple(meta['shape'])}, not a {self.mode} over {list(self.names)} of shape "
                             f"{self.shape}{fix}")
        for k, arr in self.coords.items():
            stored = group[f"coord_{k}"][:]
            if stored.dtype.kind == "T":
                stored = np.asarray(stored, dtype=str)
            if stored.shape != arr.shape or not np.array_equal(stored, arr):
                raise ValueError(f"{where} was computed for other values of the parameter {k!r}{fix}")
        if meta["dtype"] != self.dtype.str or meta["fill_value"] != repr(_canonical(self.fill_value)):
            raise ValueError(f"{where} stores dtype {meta['dtype']} with fill {meta['fill_value']}, not "
                             f"{self.dtype.str} with fill {_canonical(self.fill_value)!r}{fix}")
        if chunk_size is not None and int(chunk_size) != int(meta["chunk_size"]):
            raise ValueError(f"{where} uses chunk_size={meta['chunk_size']}, not {chunk_size}: omit chunk_size "
                             f"to resume with the checkpoint's chunks{fix}")

    # ---------------------------------------------------------------- bookkeeping
    def _chunk_slice(self, k: int) -> slice:
        return slice(k * self.chunk_size, min((k + 1) * self.chunk_size, self.n_points))

    def _columns(self, sl: slice) -> list[list]:
        idx = np.unravel_index(np.arange(sl.start, sl.stop), self.shape) if self.mode == "grid" else \
            (np.arange(sl.start, sl.stop),) * len(self.names)
        return [self.coords[n][i].tolist() for n, i in zip(self.names, idx)]

    @property
    def pending_points(self) -> int:
        """Number of points not yet stored in the checkpoint (all points without a checkpoint)."""
        if self._store is None:
            return self.n_points
        done = self._store.done()
        return int(sum(self._chunk_slice(k).stop - self._chunk_slice(k).start
                       for k in np.flatnonzero(~done)))

    def _result(self, values: NDArray, refusals: NDArray):
        import xarray as xr

        ref = np.asarray([str(r) for r in refusals], dtype=str).reshape(self.shape)
        if self.mode == "grid":
            coords: dict[str, Any] = {k: v for k, v in self.coords.items()}
        else:
            coords = {k: (POINT_DIM, v) for k, v in self.coords.items()}
        coords[REFUSAL] = (self.dims, ref)
        attrs = {"function": self.function, "function_version": self.version,
                 "function_fingerprint": self.fingerprint, "n_points": self.n_points,
                 "n_refused": int(np.count_nonzero(ref != ""))}
        return xr.DataArray(values.reshape(self.shape), dims=self.dims, coords=coords, name=self.name,
                            attrs=attrs)

    # ---------------------------------------------------------------- run
    def run(self, executor: Any = None, *, progress: bool | None = None):
        """Compute the missing chunks and return the full labelled result.

        Parameters
        ----------
        executor
            ``None`` (run in this process), any :class:`concurrent.futures.Executor`, or a
            ``dask.distributed.Client`` (its ``get_executor()`` is used).  Not shut down here.
        progress
            Show a plain-text tqdm bar (points done / total, rate, remaining time): on stderr, or
            as one text output updated in place in a Jupyter kernel.  ``None`` (default): shown
            unless ``NHTOPO_STATIC=1`` (unattended book build and tests).

        Returns
        -------
        xarray.DataArray
            Values in grid order with one coordinate per parameter, the ``refusal`` coordinate
            (message of the ``ValueError`` at refused points, ``""`` elsewhere) and the attributes
            ``function``, ``function_version``, ``function_fingerprint``, ``n_points``, ``n_refused``.

        Raises
        ------
        Exception
            Whatever a point raised other than ``ValueError`` (with a note naming the point), or an
            executor failure (e.g. ``BrokenProcessPool`` when a worker process dies); chunks finished
            before are kept in the checkpoint, and running again resumes from them.
        """
        if progress is not None:
            progress = _v.check_bool(progress, "progress")
        ex = _as_executor(executor)
        values = np.full(self.n_points, self.fill_value, dtype=self.dtype)
        refusals = np.full(self.n_points, "", dtype=object)
        done = np.zeros(self.n_chunks, dtype=bool)
        if self.checkpoint is not None:
            if self._store is None:
                self._store = _Store(self.checkpoint, self._meta(), self.coords, self.n_points,
                                     self.chunk_size, self.n_chunks, self.dtype, self.fill_value)
            done = self._store.done()
            if done.any():
                v, r = self._store.load()
                for k in np.flatnonzero(done):
                    sl = self._chunk_slice(k)
                    values[sl], refusals[sl] = v[sl], r[sl]
        todo = [int(k) for k in np.flatnonzero(~done)]
        initial = self.n_points - sum(self._chunk_slice(k).stop - self._chunk_slice(k).start for k in todo)
        bar = _progress_bar(progress, self.n_points, initial, self.name)

        def finish(k: int, out: tuple[NDArray, list[str]]) -> None:
            sl = self._chunk_slice(k)
            vals, refs = out
            values[sl] = vals
            refusals[sl] = refs
            if self._store is not None:
                self._store.write(k, sl, vals, refs)
            if bar is not None:
                bar.update(sl.stop - sl.start)

        args = (self.names,)
        try:
            if ex is None:
                for k in todo:
                    finish(k, _run_chunk(self.func, *args, self._columns(self._chunk_slice(k)), self.dtype,
                                         self.fill_value))
            else:
                futures = {ex.submit(_run_chunk, self.func, *args, self._columns(self._chunk_slice(k)),
                                     self.dtype, self.fill_value): k for k in todo}
                try:
                    for fut in cf.as_completed(futures):
                        finish(futures[fut], fut.result())
                except BaseException:
                    for fut in futures:
                        fut.cancel()
                    raise
        except BaseException as exc:
            if self._store is not None:
                exc.add_note(f"sweep interrupted: {int(self._store.done().sum())} of {self.n_chunks} chunks are "
                             f"saved in {str(self.checkpoint)!r}; run the same sweep again to compute only the "
                             "rest")
            raise
        finally:
            if bar is not None:
                bar.close()
        return self._result(values, refusals)


def parameter_sweep(func: Callable[..., Any], grid: Mapping[str, ArrayLike] | None = None, *,
                    points: Mapping[str, ArrayLike] | Sequence[Mapping[str, Any]] | None = None,
                    executor: Any = None, chunk_size: int | None = None,
                    checkpoint: str | os.PathLike | None = None, progress: bool | None = None,
                    version: str | None = None, dtype: DTypeLike = float, fill_value: Any = None,
                    name: str | None = None):
    """Evaluate ``func`` over a grid (or a list of points) and return a labelled ``xarray.DataArray``.

    ``parameter_sweep(f, {"a": a_values, "b": b_values})`` calls ``f(a=..., b=...)`` at every
    combination and returns an array of dims ``("a", "b")`` in grid order (C order: the last name
    varies fastest), whatever order the executor finishes the chunks in.  Points where ``f`` raises
    ``ValueError`` get ``fill_value`` (NaN) and the message in the ``refusal`` coordinate.

    All arguments are those of :class:`Sweep` (validation, checkpoint) and :meth:`Sweep.run`
    (``executor``, ``progress``); bad input raises ``ValueError`` before any work starts.

    Examples
    --------
    On a local process pool (``f`` a picklable function of ``a`` and ``b``):

    >>> from concurrent.futures import ProcessPoolExecutor
    >>> grid = {"a": np.linspace(0, 1, 50), "b": [1, 2, 3]}
    >>> with ProcessPoolExecutor(2) as pool:  # doctest: +SKIP
    ...     da = parameter_sweep(f, grid, executor=pool, checkpoint="f_sweep.zarr")

    On a Dask cluster, only the executor changes:

    >>> from dask.distributed import Client  # doctest: +SKIP
    >>> with Client("tcp://scheduler:8786") as client:  # doctest: +SKIP
    ...     da = parameter_sweep(f, grid, executor=client.get_executor())
    """
    sw = Sweep(func, grid, points=points, chunk_size=chunk_size, checkpoint=checkpoint, version=version,
               dtype=dtype, fill_value=fill_value, name=name)
    return sw.run(executor, progress=progress)
