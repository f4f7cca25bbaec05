"""Shared argument checks for the public functions of :mod:`nhtopo_lib`.

Every public function checks its arguments here, at the boundary, so that bad input gets a
``ValueError`` (bad value) or ``TypeError`` (wrong kind of object) whose message names the
parameter, says what was wrong and how to fix it -- never a silent wrong number, NaN, a hang or an
error from deep inside numpy.  The helpers return the cleaned value (``float``, ``int``, array, ...)
so a function can write ``n = check_int(n, "n_cells", lo=1)``.

Size caps.  Dense matrices and sample counts grow without bound if a size parameter is mistyped
(``n_cells=10**7`` asks for a 1.4 PiB matrix).  :func:`check_size` and :func:`check_dense` refuse
sizes above a documented cap with the cost of the request and the cap; the caps are module
constants (``MAX_DENSE_BYTES``, ``MAX_EIG_ROWS``, ...) that a user with a large machine may raise.
Two more limits live with the data they protect: ``nhtopo_lib.chain.MAX_REACH`` (longest hopping range of
a chain, default ``10**5``) and ``nhtopo_lib.chain.MAX_CHARPOLY_BANDS`` (most orbitals per cell for the
exact characteristic polynomial, default 12), and ``nhtopo_lib.laurent.MAX_SPAN`` (widest range of powers of
a Laurent polynomial, default ``10**7``).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Iterable, Mapping

import numpy as np

# the check helpers are used by the library only; the size limits are public (a user may raise them)
__all__ = ["MAX_DENSE_BYTES", "MAX_EIG_ROWS", "MAX_FLINT_ROWS", "MAX_BITS", "MAX_SAMPLES"]

#: Largest dense matrix (or array) a public function will allocate, in bytes (4 GiB).
MAX_DENSE_BYTES = 4 * 2 ** 30
#: Largest dense non-symmetric eigenproblem (rows) solved in double precision (about a minute).
MAX_EIG_ROWS = 4096
#: Largest matrix (rows) diagonalised with python-flint arbitrary precision (about a minute at 128 bits).
MAX_FLINT_ROWS = 400
#: Largest working precision (bits) accepted for python-flint computations.
MAX_BITS = 2 ** 16
#: Largest number of samples along one curve / loop / grid.
MAX_SAMPLES = 2 ** 22


# --------------------------------------------------------------------------- formatting
def fmt_bytes(n: float) -> str:
    """``1.4 PiB``-style size of ``n`` bytes."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if n < 1024 or unit == "EiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} EiB"  # pragma: no cover


def _show(x: Any) -> str:
    s = repr(x)
    return s if len(s) <= 60 else s[:57] + "..."


def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


# --------------------------------------------------------------------------- scalars
def check_real(x: Any, name: str, *, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, hi_open: bool = False, fix: str = "") -> float:
    """A finite real number (``lo``/``hi``: optional bounds, ``*_open``: strict)."""
    if _is_bool(x) or isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {_show(x)}")
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        if complex(x).imag != 0:
            raise ValueError(f"{name} must be real, got the complex value {_show(x)}")
        x = complex(x).real
    if not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {_show(x)}")
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{name} is NaN or inf (got {v}); pass a finite number" + (f"; {fix}" if fix else ""))
    if lo is not None and (v < lo or (lo_open and v == lo)):
        op = ">" if lo_open else ">="
        raise ValueError(f"{name}={v:g} is out of range: {name} must be {op} {lo:g}" + (f"; {fix}" if fix else ""))
    if hi is not None and (v > hi or (hi_open and v == hi)):
        op = "<" if hi_open else "<="
        raise ValueError(f"{name}={v:g} is out of range: {name} must be {op} {hi:g}" + (f"; {fix}" if fix else ""))
    return v


def check_positive(x: Any, name: str, *, fix: str = "") -> float:
    """A finite real number ``> 0`` (radii, tolerances, widths)."""
    return check_real(x, name, lo=0.0, lo_open=True, fix=fix)


def check_nonneg(x: Any, name: str, *, fix: str = "") -> float:
    """A finite real number ``>= 0``."""
    return check_real(x, name, lo=0.0, fix=fix)


def check_tol(x: Any, name: str, *, hi: float = 1.0) -> float:
    """A relative tolerance in ``(0, hi)``."""
    return check_real(x, name, lo=0.0, hi=hi, lo_open=True, hi_open=True,
                      fix="a relative tolerance such as 1e-9")


def check_fraction(x: Any, name: str, *, lo_open: bool = False, hi_open: bool = False) -> float:
    """A number in the unit interval (open or closed at either end)."""
    return check_real(x, name, lo=0.0, hi=1.0, lo_open=lo_open, hi_open=hi_open)


def check_max_step(x: Any, name: str = "max_step") -> float:
    """An admissible wrapped phase step in ``(0, pi)``."""
    return check_real(x, name, lo=0.0, hi=math.pi, lo_open=True, hi_open=True,
                      fix="a step of pi or more is ambiguous; use e.g. pi/2")


def check_complex(x: Any, name: str) -> complex:
    """A finite complex number."""
    if _is_bool(x) or isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a (complex) number, got {type(x).__name__} {_show(x)}")
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if not isinstance(x, numbers.Complex):
        raise TypeError(f"{name} must be a (complex) number, got {type(x).__name__} {_show(x)}")
    v = complex(x)
    if not (math.isfinite(v.real) and math.isfinite(v.imag)):
        raise ValueError(f"{name} is NaN or inf (got {v}); pass a finite number")
    return v


def check_int(x: Any, name: str, *, lo: int | None = None, hi: int | None = None, fix: str = "") -> int:
    """An integer (integral floats such as ``3.0`` are accepted) within ``[lo, hi]``."""
    what = {1: "a positive integer", 0: "a non-negative integer"}.get(lo, "an integer")
    if _is_bool(x) or isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be {what}, got {type(x).__name__} {_show(x)}")
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, numbers.Integral):
        v = int(x)
    elif isinstance(x, numbers.Real):
        f = float(x)
        if not math.isfinite(f) or f != int(f):
            raise ValueError(f"{name} must be {what}, got {_show(x)}" + (f"; {fix}" if fix else ""))
        v = int(f)
    else:
        raise TypeError(f"{name} must be {what}, got {type(x).__name__} {_show(x)}")
    if lo is not None and v < lo:
        rng = f">= {lo}" if lo not in (0, 1) else what
        raise ValueError(f"{name}={v} is out of range: {name} must be {rng}" + (f"; {fix}" if fix else ""))
    if hi is not None and v > hi:
        raise ValueError(f"{name}={v} is out of range: {name} must be <= {hi}" + (f"; {fix}" if fix else ""))
    return v


def check_size(x: Any, name: str, *, lo: int = 1, cap: int, cost: Callable[[int], str] | None = None,
               fix: str = "") -> int:
    """A size/count: an integer ``>= lo`` and ``<= cap``; above the cap the message gives ``cost(n)``."""
    v = check_int(x, name, lo=lo, fix=fix)
    if v > cap:
        what = f" ({cost(v)})" if cost is not None else ""
        raise ValueError(f"{name}={v} is too large{what}; the limit is {name} <= {cap}"
                         + (f": {fix}" if fix else ""))
    return v


def check_dense(rows: int, name: str, value: int, *, cols: int | None = None, itemsize: int = 16,
                eig: bool = False, fix: str = "use a smaller size") -> None:
    """Refuse a dense ``rows x cols`` array above :data:`MAX_DENSE_BYTES` (and an eigenproblem above
    :data:`MAX_EIG_ROWS` rows when ``eig``); the message names the parameter ``name=value``."""
    cols = rows if cols is None else cols
    need = float(rows) * float(cols) * itemsize
    if need > MAX_DENSE_BYTES:
        raise ValueError(f"{name}={value} needs a dense {rows} x {cols} array of {fmt_bytes(need)}, above the "
                         f"limit of {fmt_bytes(MAX_DENSE_BYTES)} (nhtopo_lib._validate.MAX_DENSE_BYTES); {fix}")
    if eig and rows > MAX_EIG_ROWS:
        raise ValueError(f"{name}={value} asks for the eigenvalues of a dense {rows} x {rows} matrix "
                         f"(O(n^3), about {1e-9 * 10 * rows ** 3 / 60:.3g} min), above the limit of "
                         f"{MAX_EIG_ROWS} rows (nhtopo_lib._validate.MAX_EIG_ROWS); {fix}")


def check_elements(n_elements: float, name: str, value: Any, *, itemsize: int = 16, fix: str = "") -> None:
    """Refuse an output of ``n_elements`` items above :data:`MAX_DENSE_BYTES`."""
    need = float(n_elements) * itemsize
    if need > MAX_DENSE_BYTES:
        raise ValueError(f"{name}={_show(value)} needs {fmt_bytes(need)} of memory, above the limit of "
                         f"{fmt_bytes(MAX_DENSE_BYTES)} (nhtopo_lib._validate.MAX_DENSE_BYTES)"
                         + (f"; {fix}" if fix else "; use smaller inputs"))


def check_bits(x: Any, name: str = "bits", *, lo: int = 53) -> int:
    """A working precision in bits, ``lo <= bits <= MAX_BITS``."""
    return check_size(x, name, lo=lo, cap=MAX_BITS,
                      cost=lambda b: "arbitrary-precision arithmetic slows down roughly like bits^1.6",
                      fix="a few hundred to a few thousand bits suffice for every chain in the book")


def check_bool(x: Any, name: str) -> bool:
    """A boolean (Python or numpy)."""
    if not _is_bool(x):
        raise TypeError(f"{name} must be True or False, got {type(x).__name__} {_show(x)}")
    return bool(x)


def check_choice(x: Any, name: str, options: Iterable[Any]) -> Any:
    """One of ``options`` (compared with ``==``; strings are case sensitive)."""
    opts = tuple(options)
    if any(x is o for o in opts):
        ok = True
    elif isinstance(x, str):
        ok = any(isinstance(o, str) and x == o for o in opts)
    elif isinstance(x, numbers.Number) and not _is_bool(x):
        ok = any(isinstance(o, numbers.Number) and not _is_bool(o) and x == o for o in opts)
    else:
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in opts)}; got {_show(x)}")
    return x


def check_callable(f: Any, name: str) -> Callable:
    """A callable object."""
    if not callable(f):
        raise TypeError(f"{name} must be callable (a function), got {type(f).__name__} {_show(f)}")
    return f


def check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def check_str(x: Any, name: str) -> str:
    """A string."""
    if not isinstance(x, str):
        raise TypeError(f"{name} must be a string, got {type(x).__name__} {_show(x)}")
    return x


# --------------------------------------------------------------------------- arrays
def _as_array(x: Any, name: str, dtype) -> np.ndarray:
    if x is None or isinstance(x, (str, bytes)) or _is_bool(x):
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(x).__name__} {_show(x)}")
    if isinstance(x, Mapping):
        raise TypeError(f"{name} must be a number or an array of numbers, got a mapping")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(f"{name} is not a rectangular array of numbers ({exc})") from None
    if arr.dtype.kind in "USV":
        raise TypeError(f"{name} must contain numbers, not strings: got {_show(x)}")
    if arr.dtype == object:
        flat = arr.ravel()
        if any(v is None or isinstance(v, (str, bytes)) for v in flat[:10 ** 6]):
            raise TypeError(f"{name} must contain numbers only (found None or a string), got {_show(x)}")
        try:
            arr = np.asarray(x, dtype=dtype)
        except (ValueError, TypeError):
            raise TypeError(f"{name} must contain numbers only, got {_show(x)}") from None
    if arr.dtype.kind == "b":
        arr = arr.astype(dtype)
    if dtype is float and arr.dtype.kind == "c":
        if np.any(arr.imag != 0):
            raise ValueError(f"{name} must be real, got complex values")
        arr = arr.real
    try:
        return np.asarray(arr, dtype=dtype)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must contain numbers only, got {_show(x)}") from None


def _check_shape(arr: np.ndarray, name: str, ndim, min_size: int, last) -> None:
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must be {' or '.join(f'{d}-dimensional' for d in allowed)}, "
                             f"got shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must contain at least {min_size} value(s), got {arr.size} (shape {arr.shape})")
    if last is not None and (arr.ndim == 0 or arr.shape[-1] != last):
        raise ValueError(f"{name} must have shape (..., {last}), got {arr.shape}")


def real_array(x: Any, name: str, *, ndim=None, min_size: int = 0, last: int | None = None,
               finite: bool = True) -> np.ndarray:
    """A float array (finite unless ``finite=False``) with optional shape requirements."""
    arr = _as_array(x, name, float)
    _check_shape(arr, name, ndim, min_size, last)
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; pass finite values")
    return arr


def complex_array(x: Any, name: str, *, ndim=None, min_size: int = 0, last: int | None = None,
                  finite: bool = True) -> np.ndarray:
    """A complex array (finite unless ``finite=False``) with optional shape requirements."""
    if type(x) is np.ndarray and x.dtype.kind in "fc" and ndim is None and not min_size and last is None:
        arr = x.astype(complex, copy=False)          # fast path for arrays passed between library routines
        if finite and not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or inf; pass finite values")
        return arr
    arr = _as_array(x, name, complex)
    _check_shape(arr, name, ndim, min_size, last)
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; pass finite values")
    return arr


def square_matrix(x: Any, name: str, *, min_rows: int = 1) -> np.ndarray:
    """A finite complex square matrix."""
    H = complex_array(x, name, finite=False)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {H.shape}")
    if H.shape[0] < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} row(s), got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError(f"{name} contains NaN or inf; check the model parameters")
    return H


def broadcast(names_values: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """``np.broadcast_arrays`` with a message naming the parameters whose shapes do not fit."""
    try:
        return list(np.broadcast_arrays(*names_values.values()))
    except ValueError:
        shapes = ", ".join(f"{k}: {np.shape(v)}" for k, v in names_values.items())
        raise ValueError(f"the shapes of {', '.join(names_values)} do not broadcast together ({shapes}); "
                         "pass arrays of equal or broadcastable shapes") from None


def finite_params(**params: Any) -> None:
    """Every parameter is a number or array of numbers without NaN/inf (model amplitudes)."""
    for name, v in params.items():
        complex_array(v, name)


def finite_result(x: Any, what: str, fix: str) -> None:
    """Refuse a computed result that overflowed (inf/NaN produced from finite input)."""
    if not np.all(np.isfinite(np.asarray(x))):
        raise ValueError(f"{what} overflowed to inf/NaN in double precision; {fix}")


# --------------------------------------------------------------------------- chains and mappings
def check_chain(x: Any, name: str = "chain"):
    """A :class:`~nhtopo_lib.chain.Chain`, or a mapping ``{n: T_n}`` turned into one."""
    from .chain import Chain

    if isinstance(x, Chain):
        return x
    if isinstance(x, Mapping):
        try:
            return Chain(x)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"{name}: {exc}") from None
    raise TypeError(f"{name} must be a nhtopo_lib.Chain or a mapping {{n: T_n}} of hopping blocks, "
                    f"got {type(x).__name__} {_show(x)}")


def check_power(k: Any, name: str) -> int:
    """An integer power (a hopping range, the exponent of ``z``)."""
    if _is_bool(k) or not isinstance(k, numbers.Real):
        raise TypeError(f"{name}: powers must be integers, got {type(k).__name__} {_show(k)}")
    f = float(k)
    if not math.isfinite(f) or f != int(f):
        raise ValueError(f"{name}: powers must be integers, got {_show(k)}")
    return int(f)


def check_power_mapping(h: Any, name: str, *, allow_empty: bool = False) -> dict[int, complex]:
    """A mapping ``{integer power: finite complex coefficient}`` (duplicate keys such as 1 and 1.0 add)."""
    if not isinstance(h, Mapping):
        raise TypeError(f"{name} must be a mapping {{power of z: coefficient}}, got {type(h).__name__} {_show(h)}")
    if not h and not allow_empty:
        raise ValueError(f"{name} is empty: pass at least one {{power: coefficient}} entry")
    out: dict[int, complex] = {}
    for k, v in h.items():
        p = check_power(k, name)
        c = check_complex(v, f"{name}[{k!r}]")
        out[p] = out.get(p, 0) + c
    return out


def check_powers(seq: Any, name: str, *, lo: int = 1, distinct: bool = True, cap: int = 10 ** 6) -> tuple[int, ...]:
    """A non-empty sequence of integers ``>= lo`` (distinct unless told otherwise)."""
    if isinstance(seq, (str, bytes, Mapping)) or seq is None or not isinstance(seq, Iterable):
        raise TypeError(f"{name} must be a sequence of integers, got {type(seq).__name__} {_show(seq)}")
    vals = tuple(check_int(p, name, lo=lo, hi=cap) for p in seq)
    if not vals:
        raise ValueError(f"{name} is empty: pass at least one integer")
    if distinct and len(set(vals)) != len(vals):
        raise ValueError(f"{name} must hold distinct integers, got {vals}")
    return vals
