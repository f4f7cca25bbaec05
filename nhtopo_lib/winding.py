"""Winding numbers of sampled closed curves, refusing when they are not resolved.

**Conventions.**

* ``wrap_phase`` maps angles into ``(-pi, pi]``.
* The discrete winding of samples ``z_0 .. z_L`` around a base point ``b`` is
  ``(1/2pi) * sum_n wrap(arg(z_n - b) - arg(z_{n-1} - b))``; it is an exact
  integer whenever every true phase increment between neighbours is smaller
  than ``pi`` in magnitude.  Positive = counter-clockwise.
* Loops in the complex ``beta`` plane run counter-clockwise, i.e. ``k`` from
  0 to 2 pi for ``beta = r e^{ik}``.

Why refuse: with too few samples a fast-turning curve is silently miscounted
(a step of true size ``2 pi - eps`` wraps to ``-eps``).  We cannot know the true
increments from the samples alone, so every routine here demands that all
wrapped steps stay below ``max_step`` (default ``pi/2``, a factor 2 of
safety) and raises ``ValueError("... sample more points ...")`` otherwise.
Curves known to have monotone phase (e.g. the Hatano--Nelson ellipse) are
exact up to steps just below ``pi``; pass a larger ``max_step`` for those.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from .chain import Chain

__all__ = [
    "wrap_phase",
    "phase_steps",
    "winding_number",
    "adaptive_winding",
    "det_winding",
    "det_winding_roots",
    "DEFAULT_MAX_STEP",
]

DEFAULT_MAX_STEP = np.pi / 2


def wrap_phase(x: ArrayLike) -> np.ndarray:
    """Map angles into ``(-pi, pi]`` (``-pi`` itself maps to ``+pi``)."""
    return np.pi - np.mod(np.pi - np.asarray(x, dtype=float), 2 * np.pi)


def _prepare(z: ArrayLike, base: ArrayLike, endpoint: bool | None, axis: int,
             rtol_on_curve: float):
    z = np.moveaxis(np.asarray(z, dtype=complex), axis, -1)
    if z.shape[-1] < 3:
        raise ValueError("a closed curve needs at least 3 sample points; sample more points")
    if not np.all(np.isfinite(z)):
        raise ValueError("the curve contains NaN or inf values; fix the input before computing a winding")
    base = np.asarray(base, dtype=complex)
    if not np.all(np.isfinite(base)):
        raise ValueError("the base point is NaN or inf")
    d = z - base[..., None]
    mag = np.abs(d)
    scale = mag.max(axis=-1)
    if np.any(scale == 0):
        raise ValueError("the curve is a single point at the base point; winding undefined")
    on_curve = mag.min(axis=-1) <= rtol_on_curve * scale
    closing_gap = np.abs(d[..., -1] - d[..., 0])
    repeated = closing_gap <= 1e-12 * scale
    if endpoint is True and not np.all(closing_gap <= 1e-8 * scale):
        raise ValueError("endpoint=True says the last sample repeats the first, but they differ; "
                         "pass endpoint=False to close the curve automatically")
    if endpoint is True:
        repeated = np.ones_like(repeated)
    elif endpoint is False:
        repeated = np.zeros_like(repeated)
    return d, on_curve, repeated


def phase_steps(z: ArrayLike, base: ArrayLike = 0.0, *, endpoint: bool | None = None,
                axis: int = -1) -> np.ndarray:
    """Wrapped phase increments along a closed sampled curve.

    ``endpoint=True``: the last sample repeats the first (``L+1`` points give
    ``L`` steps); ``False``: the closing step ``z_{L} -> z_0`` is appended;
    ``None``: detect a repeated end point per curve.  For a detected repeat
    the closing step is zero, so the output always has the input's length
    minus one plus one closing step (``L+1`` points -> ``L+1`` steps, the last
    being 0 for repeated ends).
    """
    d, _, repeated = _prepare(z, base, endpoint, axis, rtol_on_curve=0.0)
    ph = np.angle(d)
    steps = wrap_phase(np.diff(ph, axis=-1))
    closing = wrap_phase(ph[..., 0] - ph[..., -1])
    closing = np.where(repeated, 0.0, closing)
    return np.concatenate([steps, closing[..., None]], axis=-1)


def winding_number(z: ArrayLike, base: ArrayLike = 0.0, *, endpoint: bool | None = None,
                   max_step: float = DEFAULT_MAX_STEP, axis: int = -1,
                   on_unresolved: str = "raise", rtol_on_curve: float = 1e-9):
    """Winding number of one or many sampled closed curves around ``base``.

    Parameters
    ----------
    z
        Complex samples; the curve runs along ``axis``.  Extra leading axes are
        independent curves (vectorised: 10^5 curves of 33 points take ~10 ms).
    base
        Base point (scalar, or one per curve).
    endpoint
        Whether the last sample repeats the first (see :func:`phase_steps`).
    max_step
        Largest admissible wrapped phase step (radians, ``< pi``).
    on_unresolved
        ``"raise"`` (default): ValueError if any curve has a step above
        ``max_step`` or passes through ``base``.  ``"nan"``: return a float
        array with NaN for those curves instead.
    rtol_on_curve
        A sample closer to ``base`` than ``rtol_on_curve * max|z - base|``
        counts as the base point lying on the curve.

    Returns
    -------
    int for a single curve, otherwise an integer array (float with NaN when
    ``on_unresolved="nan"``).  Counter-clockwise is positive.
    """
    if not (0 < max_step < np.pi):
        raise ValueError("max_step must lie in (0, pi): a step of pi or more is ambiguous")
    if on_unresolved not in ("raise", "nan"):
        raise ValueError("on_unresolved must be 'raise' or 'nan'")
    d, on_curve, repeated = _prepare(z, base, endpoint, axis, rtol_on_curve)
    ph = np.angle(d)
    steps = wrap_phase(np.diff(ph, axis=-1))
    closing = np.where(repeated, 0.0, wrap_phase(ph[..., 0] - ph[..., -1]))
    biggest = np.maximum(np.abs(steps).max(axis=-1), np.abs(closing))
    coarse = biggest > max_step
    total = (steps.sum(axis=-1) + closing) / (2 * np.pi)
    w = np.rint(total)
    bad = coarse | on_curve
    if np.any((np.abs(total - w) > 1e-6) & ~bad):  # pragma: no cover - mathematically impossible
        raise RuntimeError("internal error: wrapped phase sum is not an integer multiple of 2 pi")
    if np.any(bad) and on_unresolved == "raise":
        n_bad, n_all = int(np.sum(bad)), int(np.size(bad))
        if np.any(on_curve):
            raise ValueError(f"the base point lies on (or within {rtol_on_curve:g} relative distance "
                             f"of) {int(np.sum(on_curve))} of {n_all} curve(s): the winding is undefined; "
                             "move the base point off the curve/spectrum")
        raise ValueError(f"{n_bad} of {n_all} curve(s) are under-resolved: a phase step of "
                         f"{float(np.max(biggest[coarse])):.3f} rad exceeds max_step={max_step:.3f}; "
                         "sample more points along the loop")
    if np.ndim(w) == 0:
        if bad:
            return float("nan")
        return int(w)
    if on_unresolved == "nan":
        out = w.astype(float)
        out[bad] = np.nan
        return out
    return w.astype(np.int64)


def adaptive_winding(f: Callable[[np.ndarray], np.ndarray], base: complex = 0.0, *,
                     t_range: tuple[float, float] = (0.0, 2 * np.pi), n_init: int = 64,
                     max_step: float = np.pi / 4, max_points: int = 2 ** 16,
                     return_samples: bool = False):
    """Winding of the closed curve ``t -> f(t)`` (``f(t_end) = f(t_start)``) around ``base``.

    Starts from ``n_init`` uniform samples and bisects every interval whose
    wrapped phase step exceeds ``max_step`` until all steps are below it.
    Raises ValueError if ``f`` returns NaN, if the base point lies on the
    curve, or if ``max_points`` samples do not resolve it ("sample more points"
    cannot help when the curve passes through the base point).

    ``n_init`` must be large enough that the curve cannot make a full extra
    turn between two initial samples: no sampling scheme can detect aliasing
    (e.g. ``e^{9it}`` sampled at 8 points looks exactly like ``e^{it}``).

    ``f`` must accept a 1D float array of parameters and return complex values.
    """
    t0, t1 = map(float, t_range)
    t = np.linspace(t0, t1, int(n_init) + 1)
    vals = np.asarray(f(t), dtype=complex) - base
    while True:
        if not np.all(np.isfinite(vals)):
            raise ValueError("the function returned NaN or inf on the loop")
        mag = np.abs(vals)
        if mag.min() <= 1e-12 * mag.max():
            raise ValueError("the base point lies on the curve (|f - base| vanishes at a sample); "
                             "the winding is undefined there")
        steps = wrap_phase(np.diff(np.angle(vals)))
        coarse = np.abs(steps) > max_step
        if not coarse.any():
            break
        if t.size + coarse.sum() > max_points:
            raise ValueError(f"could not resolve the loop with {max_points} samples "
                             f"(largest step {np.abs(steps).max():.3f} rad): the base point is "
                             "extremely close to the curve; sample more points or move the base point")
        idx = np.flatnonzero(coarse)
        mids = 0.5 * (t[idx] + t[idx + 1])
        new_vals = np.asarray(f(mids), dtype=complex) - base
        t = np.insert(t, idx + 1, mids)
        vals = np.insert(vals, idx + 1, new_vals)
    w = int(np.rint(steps.sum() / (2 * np.pi)))
    if return_samples:
        return w, t, vals + base
    return w


def det_winding(chain: Chain, base_energy: complex, *, radius: float = 1.0, n_init: int = 64,
                max_step: float = np.pi / 4) -> int:
    """Winding of ``det(H(beta) - E_B)`` as ``beta = r e^{ik}`` goes once around (k: 0 -> 2 pi).

    For one band this is the spectral (point-gap) winding of ``E(k)`` around
    ``E_B``; for ``J`` bands it is the sum of the band windings.  The loop is
    sampled with ``numpy.linalg.det`` and refined adaptively
    (:func:`adaptive_winding`).  Raises ValueError when ``E_B`` lies on the
    spectrum of ``H`` on the loop.  Cross-check: :func:`det_winding_roots`.
    """
    if radius <= 0:
        raise ValueError("the loop radius must be positive")
    J = chain.nbands
    eye = np.eye(J)

    def f(k):
        return np.linalg.det(chain.bloch(radius * np.exp(1j * k)) - base_energy * eye)

    return adaptive_winding(f, 0.0, n_init=n_init, max_step=max_step)


def det_winding_roots(chain: Chain, base_energy: complex, *, radius: float = 1.0,
                      method: str = "numpy") -> int:
    """The same winding as :func:`det_winding`, by the argument principle.

    ``det(H(beta) - E_B)`` is an exact Laurent polynomial in ``beta``
    (:attr:`Chain.char_poly`); its winding on ``|beta| = r`` is the number of
    its roots inside the circle plus its order at ``beta = 0``.  No sampling
    is involved, so this is an independent check.  ``method="flint"`` uses
    certified roots.  Raises ValueError if a root lies on the circle
    (``E_B`` on the spectrum).
    """
    poly = chain.char_poly.at_energy(base_energy)
    if poly.is_zero:
        raise ValueError("det(H(beta) - E_B) vanishes identically: E_B is a flat band")
    return poly.winding_on_circle(radius, method=method)
