"""Exceptional points of two-band models in two dimensions, and the 2D non-Hermitian Dirac model.

**Model** (Shen, Zhen & Fu, PRL 120, 146402 (2018); Zhang et al., PRA 103,
012419 (2021), Eq. 19)::

    H(k) = (kx + i kappa_x) sigma_x + (ky + i kappa_y) sigma_y + (m + i delta_m) sigma_z

``H(k)^2 = f(k) * 1`` with

    f(k) = (kx + i kappa_x)^2 + (ky + i kappa_y)^2 + (m + i delta_m)^2
         = k^2 - kappa^2 + m^2 - delta_m^2 + 2 i (k . kappa + m delta_m),

so ``E_pm = +- sqrt(f)``.  (The imaginary part is ``2i(k.kappa + m delta_m)``;
the printed Eq. (20) of Zhang et al. misplaces a parenthesis.)  The bands touch
at *exceptional points* (EPs) where ``f = 0``; they exist iff
``kappa > |m|`` (``kappa = |kappa|``) and sit at (Eq. 22)::

    k_pm = -(m delta_m / kappa) n
           +-  sqrt((kappa^2 - m^2)(kappa^2 + delta_m^2)) / kappa  (z x n),

``n = kappa / |kappa|``.

**Winding convention.**  The inter-band winding on a closed loop ``Gamma`` in
k-space is ``w = (1/2pi) oint d arg(E_+ - E_-) = (1/4pi) oint d arg f``,
counter-clockwise in the *energy* plane positive.  A *clockwise* loop
around ``k_+`` alone gives ``w = +1/2`` (the convention of Zhang et al.,
Fig. 6b); loops around no EP give 0.  ``E_+ - E_- = 2 sqrt(f)`` is only
defined up to a sign; along a loop it is continued continuously
(:func:`branch_tracked_gap`), and for ``w = 1/2`` it comes back with the
opposite sign: the two eigenvalues swap places.

**Loops used for the data** (:func:`nh_dirac_loops`): with EPs, a clockwise
circle around ``k_+`` of radius ``min(1, |k_+ - k_-| / 2)`` -- the paper's
unit circle would also enclose ``k_-`` once ``|k_+ - k_-| < 1`` and then give
0; without EPs, a radius-1 circle around a random centre in ``[-5, 5]^2``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v
from .winding import wrap_phase

__all__ = [
    "nh_dirac_bloch",
    "nh_dirac_f",
    "nh_dirac_exceptional_points",
    "nh_dirac_interband_winding",
    "nh_dirac_phase_boundaries",
    "nh_dirac_loops",
    "circle_loop",
    "branch_tracked_gap",
    "open_phase_winding",
    "two_band_discriminant",
    "find_exceptional_points",
]

_PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)


def _finite(**params) -> list[np.ndarray]:
    """Real model parameters (arrays allowed): numeric and finite; returned as float arrays."""
    out = []
    for name, v in params.items():
        arr = _v.real_array(v, name, finite=False)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"parameter {name} is NaN or inf; pass finite model parameters")
        out.append(arr)
    return out


def nh_dirac_bloch(kx: ArrayLike, ky: ArrayLike, m: float, kappa_x: float, kappa_y: float = 0.0,
                   delta_m: float = 1.0) -> np.ndarray:
    """Bloch matrix ``H(k)`` of the 2D non-Hermitian Dirac model, shape ``broadcast(kx, ky) + (2, 2)``."""
    kx, ky = _finite(kx=kx, ky=ky)
    m, kappa_x, kappa_y, delta_m = (_v.check_real(v, n) for v, n in ((m, "m"), (kappa_x, "kappa_x"),
                                                                       (kappa_y, "kappa_y"), (delta_m, "delta_m")))
    kx, ky = _v.broadcast({"kx": kx, "ky": ky})
    dx = (kx + 1j * kappa_x)[..., None, None]
    dy = (ky + 1j * kappa_y)[..., None, None]
    dz = complex(m, delta_m)
    return dx * _PAULI[0] + dy * _PAULI[1] + dz * _PAULI[2]


def nh_dirac_f(kx: ArrayLike, ky: ArrayLike, m: ArrayLike, kappa_x: ArrayLike, kappa_y: ArrayLike = 0.0,
               delta_m: ArrayLike = 1.0) -> np.ndarray:
    """``f(k) = E_+(k)^2 = (kx + i kappa_x)^2 + (ky + i kappa_y)^2 + (m + i delta_m)^2`` (all broadcast)."""
    kx, ky, m, kappa_x, kappa_y, delta_m = _finite(kx=kx, ky=ky, m=m, kappa_x=kappa_x, kappa_y=kappa_y,
                                                   delta_m=delta_m)
    _v.broadcast({"kx": kx, "ky": ky, "m": m, "kappa_x": kappa_x, "kappa_y": kappa_y, "delta_m": delta_m})
    with np.errstate(over="ignore", invalid="ignore"):
        out = (kx + 1j * kappa_x) ** 2 + (ky + 1j * kappa_y) ** 2 + (m + 1j * delta_m) ** 2
    _v.finite_result(out, "f(k)", "the momenta or parameters are too large (overflow); rescale them")
    return out


def nh_dirac_exceptional_points(m: ArrayLike, kappa_x: ArrayLike, kappa_y: ArrayLike = 0.0,
                                delta_m: ArrayLike = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form EPs ``(k_+, k_-)`` of Eq. (22), each of shape ``broadcast + (2,)``.

    Entries are NaN where no EP exists (``|kappa| <= |m|``).  Raises ValueError
    on NaN/inf parameters.
    """
    m, kx, ky, dm = _v.broadcast(dict(zip(("m", "kappa_x", "kappa_y", "delta_m"),
                                          _finite(m=m, kappa_x=kappa_x, kappa_y=kappa_y, delta_m=delta_m))))
    if np.any(np.abs(np.stack([m, kx, ky, dm])) > 1e150):
        raise ValueError("m, kappa_x, kappa_y, delta_m: values above 1e150 overflow the closed form; rescale them")
    kap = np.hypot(kx, ky)
    has = kap > np.abs(m)
    safe = np.where(has, kap, 1.0)
    n = np.stack([kx, ky], -1) / safe[..., None]
    zxn = np.stack([-n[..., 1], n[..., 0]], -1)
    q = np.sqrt(np.where(has, (kap ** 2 - m ** 2) * (kap ** 2 + dm ** 2), 0.0)) / safe
    centre = -(m * dm / safe)[..., None] * n
    kp = centre + q[..., None] * zxn
    km = centre - q[..., None] * zxn
    kp[~has] = np.nan
    km[~has] = np.nan
    return kp, km


def nh_dirac_interband_winding(m: ArrayLike, kappa_x: ArrayLike, kappa_y: ArrayLike = 0.0,
                               *, boundary_tol: float = 1e-12) -> np.ndarray:
    """Exact label of the loops of :func:`nh_dirac_loops`: ``1/2`` if ``|kappa| > |m|`` (EPs exist), else 0.

    With EPs the library's loop is a clockwise circle around ``k_+`` alone,
    whose winding is ``+1/2``; without EPs ``f`` has no zero anywhere, so
    every loop gives 0.  Raises ValueError on NaN/inf and on the phase
    boundary ``|kappa| = |m|`` (the two EPs merge and the label is undefined).
    """
    m, kappa_x, kappa_y = _v.broadcast(dict(zip(("m", "kappa_x", "kappa_y"),
                                               _finite(m=m, kappa_x=kappa_x, kappa_y=kappa_y))))
    boundary_tol = _v.check_tol(boundary_tol, "boundary_tol")
    m = np.abs(m)
    kap = np.hypot(kappa_x, kappa_y)
    on = np.abs(kap - m) <= boundary_tol * np.maximum(1.0, m)
    if np.any(on):
        raise ValueError(f"{int(np.sum(on))} parameter point(s) lie on the phase boundary |kappa| = |m|: "
                         "the EPs merge and the winding is undefined; move off the line")
    w = 0.5 * (kap > m).astype(float)
    return float(w) if w.ndim == 0 else w


def nh_dirac_phase_boundaries() -> np.ndarray:
    """Phase boundaries ``kappa = +-m`` in the ``(m, kappa)`` plane as rows ``(A, B, C)`` of ``A m + B kappa + C = 0``."""
    return np.array([[-1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])


def circle_loop(centre: ArrayLike, radius: ArrayLike, L: int, *, clockwise: bool = True) -> np.ndarray:
    """``L + 1`` points ``k_n`` on circles (last point = first), shape ``centre.shape[:-1] + (L+1, 2)``.

    ``k_n = centre + radius (cos phi_n, -+ sin phi_n)``, ``phi_n = 2 pi n / L``;
    the minus sign (``clockwise=True``) runs clockwise in the ``(kx, ky)`` plane.
    """
    centre = _v.real_array(centre, "centre", finite=False)
    radius = _v.real_array(radius, "radius", finite=False)
    L = _v.check_size(L, "L", lo=3, cap=_v.MAX_SAMPLES, fix="a loop needs an integer L >= 3 segments")
    if centre.ndim == 0 or centre.shape[-1] != 2:
        raise ValueError(f"centre must have shape (..., 2) = (kx, ky), got {centre.shape}")
    if np.any(~np.isfinite(centre)) or np.any(~np.isfinite(radius)) or np.any(radius <= 0):
        raise ValueError("loop centres must be finite and radii finite and positive (centre, radius)")
    try:
        shape = np.broadcast_shapes(centre.shape[:-1], radius.shape)
    except ValueError:
        raise ValueError(f"radius of shape {radius.shape} does not broadcast against the centres "
                         f"{centre.shape[:-1]}") from None
    _v.check_elements(float(np.prod(shape, dtype=float)) * (L + 1) * 2, "L", L, itemsize=8)
    phi = 2 * np.pi * np.arange(L + 1) / L
    sgn = -1.0 if clockwise else 1.0
    circ = np.stack([np.cos(phi), sgn * np.sin(phi)], -1)
    circ[-1] = circ[0]
    return centre[..., None, :] + radius[..., None, None] * circ


def nh_dirac_loops(m: ArrayLike, kappa: ArrayLike, L: int = 32, *, delta_m: float = 1.0,
                   rng: np.random.Generator | None = None, box: float = 5.0,
                   max_radius: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Loops ``Gamma`` in k-space for configurations ``(m, kappa)`` with ``kappa = (kappa, 0)``.

    Returns ``(k, radius)``: ``k`` of shape ``(N, L+1, 2)`` and the radii.  With
    EPs (``kappa > |m|``): clockwise circle around ``k_+`` of radius
    ``min(max_radius, |k_+ - k_-| / 2)``, so that ``k_-`` is never enclosed.
    Without EPs: radius ``max_radius`` around a uniformly random centre in
    ``[-box, box]^2`` (needs ``rng``).
    """
    m, kappa = (np.atleast_1d(a) for a in _finite(m=m, kappa=kappa))
    delta_m = _v.check_real(delta_m, "delta_m")
    box = _v.check_positive(box, "box")
    max_radius = _v.check_positive(max_radius, "max_radius")
    L = _v.check_size(L, "L", lo=3, cap=_v.MAX_SAMPLES, fix="a loop needs an integer L >= 3 segments")
    if rng is not None:
        _v.check_rng(rng)
    m, kappa = _v.broadcast({"m": m, "kappa": kappa})
    kp, km = nh_dirac_exceptional_points(m, kappa, 0.0, delta_m)
    has = np.isfinite(kp[..., 0])
    centre = np.empty(m.shape + (2,))
    radius = np.full(m.shape, float(max_radius))
    if np.any(has):
        centre[has] = kp[has]
        radius[has] = np.minimum(max_radius, 0.5 * np.linalg.norm(kp[has] - km[has], axis=-1))
    if np.any(~has):
        if rng is None:
            raise ValueError("configurations without EPs get random loops: pass rng=np.random.default_rng(seed)")
        centre[~has] = rng.uniform(-box, box, size=(int(np.sum(~has)), 2))
    return circle_loop(centre, radius, L, clockwise=True), radius


def branch_tracked_gap(f: ArrayLike) -> np.ndarray:
    """``Delta E = E_+ - E_- = 2 sqrt(f)`` continued continuously along the last axis.

    ``sqrt`` has a branch cut; instead of the principal branch, each sample
    takes the sign closest to the previous one (starting from the principal
    root at the first sample).  This is the analytic continuation along the
    loop as long as consecutive phases of ``f`` differ by less than ``pi``.
    Raises ValueError on NaN/inf or ``f = 0`` (an EP on the loop).
    """
    f = _v.complex_array(f, "f", finite=False)
    if f.ndim == 0 or f.shape[-1] == 0:
        raise ValueError(f"f must be an array of samples along the last axis, got shape {f.shape}")
    if not np.all(np.isfinite(f)):
        raise ValueError("f contains NaN or inf; fix the input")
    if np.any(np.abs(f) == 0):
        raise ValueError("f vanishes on the loop: the loop passes through an exceptional point; "
                         "move or shrink the loop")
    r = 2 * np.sqrt(f)
    out = np.empty_like(r)
    out[..., 0] = r[..., 0]
    for n in range(1, r.shape[-1]):
        flip = np.abs(r[..., n] - out[..., n - 1]) > np.abs(r[..., n] + out[..., n - 1])
        out[..., n] = np.where(flip, -r[..., n], r[..., n])
    return out


def open_phase_winding(z: ArrayLike, *, max_step: float = np.pi / 2) -> np.ndarray:
    """Total phase advance ``(1/2pi) sum_n wrap(arg z_n - arg z_{n-1})`` of an *open* sampled curve.

    For the branch-tracked ``Delta E`` on a closed loop this is the inter-band
    winding, a multiple of 1/2 (the curve itself need not close: ``Delta E``
    returns as ``-Delta E`` after a half winding).  Raises ValueError when a
    step exceeds ``max_step`` ("sample more points") or on NaN / zeros.
    """
    z = _v.complex_array(z, "z", finite=False)
    max_step = _v.check_max_step(max_step)
    if z.ndim == 0 or z.shape[-1] < 2:
        raise ValueError(f"z must hold at least 2 samples along the last axis, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("z: the curve contains NaN or inf values")
    if np.any(z == 0):
        raise ValueError("z: the curve passes through 0: the phase is undefined there")
    steps = wrap_phase(np.diff(np.angle(z), axis=-1))
    if np.any(np.abs(steps) > max_step):
        raise ValueError(f"a phase step of {np.abs(steps).max():.3f} rad exceeds max_step={max_step:.3f}; "
                         "sample more points along the loop")
    return steps.sum(axis=-1) / (2 * np.pi)


def two_band_discriminant(H: ArrayLike) -> np.ndarray:
    """Discriminant ``(tr H)^2 - 4 det H = (H00 - H11)^2 + 4 H01 H10`` of 2x2 matrices (last two axes).

    It vanishes exactly where the two eigenvalues coincide (EP or Hermitian-like
    degeneracy).  Computed from the matrix entries, independent of any closed
    form of the spectrum.
    """
    H = _v.complex_array(H, "H")
    if H.shape[-2:] != (2, 2):
        raise ValueError(f"H: expected 2x2 matrices, got trailing shape {H.shape[-2:]}")
    with np.errstate(over="ignore", invalid="ignore"):
        out = (H[..., 0, 0] - H[..., 1, 1]) ** 2 + 4 * H[..., 0, 1] * H[..., 1, 0]
    _v.finite_result(out, "the discriminant", "the matrix entries are too large (overflow); rescale H")
    return out


def find_exceptional_points(bloch: Callable[[float, float], np.ndarray], starts: ArrayLike, *,
                            tol: float = 1e-12, merge: float = 1e-6) -> np.ndarray:
    """Numerical EP search of a 2x2 Bloch matrix ``bloch(kx, ky)``: zeros of the discriminant.

    Solves ``Re D(k) = Im D(k) = 0`` (``D`` = :func:`two_band_discriminant`) with
    scipy's Powell hybrid method from every start point, keeps solutions with
    ``|D| < tol * (1 + |H|^2)`` and merges those closer than ``merge``.  Returns
    an array of shape ``(n_found, 2)`` sorted by ``ky`` (descending).  No
    closed form is used, so this independently checks Eq. (22).
    """
    from scipy.optimize import root

    bloch = _v.check_callable(bloch, "bloch")
    starts = np.atleast_2d(_v.real_array(starts, "starts", finite=False))
    if starts.ndim != 2 or starts.shape[-1] != 2 or not np.all(np.isfinite(starts)):
        raise ValueError("starts must be finite points (kx, ky) of shape (n, 2)")
    if len(starts) > 10 ** 5:
        raise ValueError(f"starts: {len(starts)} start points (one root search each) exceed the limit of 10**5")
    tol = _v.check_tol(tol, "tol")
    merge = _v.check_positive(merge, "merge")

    def resid(k):
        try:
            H = np.asarray(bloch(k[0], k[1]), dtype=complex)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bloch(kx, ky) failed at ({k[0]:.6g}, {k[1]:.6g}): {exc}") from None
        if H.shape != (2, 2):
            raise ValueError(f"bloch(kx, ky) must return a 2x2 matrix, got shape {H.shape}")
        d = complex(two_band_discriminant(H))
        return [d.real, d.imag]

    found: list[np.ndarray] = []
    for s in starts:
        sol = root(resid, s, method="hybr", options={"xtol": 1e-15})
        k = sol.x
        if not np.all(np.isfinite(k)):
            continue
        H = np.asarray(bloch(k[0], k[1]))
        if abs(complex(two_band_discriminant(H))) > tol * (1 + np.sum(np.abs(H) ** 2)):
            continue
        if all(np.linalg.norm(k - g) > merge for g in found):
            found.append(k)
    out = np.array(found).reshape(-1, 2)
    return out[np.argsort(-out[:, 1])] if len(out) else out
