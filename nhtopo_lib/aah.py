"""The non-Hermitian generalized Aubry--Andre--Harper (AAH) ring and its flux winding.

Model (Zhang et al., PRA 103, 012419 (2021), Eqs. (13)-(17); Tang et al., PRA 103,
033325 (2021)), sites ``j = 1 .. L``:

    H3 = sum_j ( t^(r)_j c_{j+1}^dagger c_j + t^(l)_j c_j^dagger c_{j+1} + Delta_j n_j ),
    t^(r)_j = tau_j e^{-alpha},  t^(l)_j = tau_j e^{+alpha},  tau_j = t + V2 cos[2 pi (j + 1/2) beta],
    Delta_j = V1 cos(2 pi j beta + i h),

with ``t = 1``, ``L = 89`` and ``beta = 55/89`` by default.  Matrix form (1-based, as
Eq. (15)): ``H[j, j] = Delta_j``, ``H[j, j+1] = t^(l)_j``, ``H[j+1, j] = t^(r)_j``; on the
ring the seam entries carry the flux,

    H[L, 1] = t^(l)_L e^{+i s Phi},   H[1, L] = t^(r)_L e^{-i s Phi},   s = flux_sign.

**Flux sign convention.**  ``flux_sign = +1`` is Eq. (15) exactly as printed; then the
winding below is ``+1`` in the delocalised phase (``alpha > 0``).  The paper reports
``w_Phi = -1`` there, so its code must have had the opposite sign; this module's
default ``flux_sign = -1`` reproduces the paper's labels ``w_Phi in {0, -1}``.

**Flux winding** (Eq. (16)): ``w_Phi`` = winding of ``det[H3(Phi) - E_B]`` around 0 as
``Phi: 0 -> 2 pi``, counter-clockwise positive.  Because the flux sits only on the two
seam entries, ``det[H3(Phi) - E] = c0 + c_plus e^{i Phi} + c_minus e^{-i Phi}`` exactly,
with ``c0`` independent of ``alpha`` and of ``Phi`` and
``|c_plus / c_minus| = e^{2 L alpha}`` (see :mod:`nhtopo_lib.tridiagonal`).  The
winding is read from the roots of ``c_plus z^2 + c0 z + c_minus`` -- no sampling -- and
the network's input curve (the det values at ``n_phi + 1`` fluxes, projected onto the
unit circle) is generated from the same three numbers.

**Base energy** (not stated in the paper): :func:`aah_base_energy`, see its docstring.

**Phase boundary** (closed form from the Lyapunov exponent; derived in the project's
technical reference, checked numerically): the states are extended and ``w_Phi != 0``
iff ``alpha > gamma_h``, i.e. iff ``V1 < V1_c`` with::

    V1_c e^{|h|} = 2 t cosh(alpha) + 2 sqrt(t^2 - V2^2) sinh(alpha)   (|V2| <= t),
    V1_c e^{|h|} = 2 |V2| cosh(alpha)                               (|V2| >= t).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v
from .tridiagonal import (
    FluxCoefficients,
    ring_flux_coefficients,
    ring_matrix,
    symmetric_tridiagonal_eigvals_select,
    tridiagonal_eigvals,
)

__all__ = [
    "AAH_L",
    "AAH_BETA",
    "aah_hoppings",
    "aah_potential",
    "aah_ring_matrix",
    "aah_obc_eigvals",
    "aah_flux_coefficients",
    "aah_base_energy",
    "aah_lyapunov_exponent",
    "aah_phase_boundary",
    "aah_analytic_winding",
    "aah_dense_flux_curve",
    "aah_lyapunov_estimate",
    "aah_flux_curves",
]

#: Number of sites of the ring used in the paper (the Fibonacci number F_11).
AAH_L = 89
#: Rational approximant F_10 / F_11 of the inverse golden mean used in the paper.
AAH_BETA = 55 / 89


def _check_params(**kw) -> list[np.ndarray]:
    """Real model parameters (arrays allowed): finite, numeric; returns them as float arrays."""
    return [_real_param(v, name) for name, v in kw.items()]


def _real_param(v, name: str) -> np.ndarray:
    arr = _v.real_array(v, name, finite=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"parameter {name} is NaN or inf")
    limit = 700.0 if name in ("h", "alpha", "phi") else 1e100
    if np.any(np.abs(arr) > limit):
        raise ValueError(f"parameter {name} has |{name}| > {limit:g}: the ring's entries or determinants overflow "
                         "double precision; rescale the parameters")
    return arr


#: Largest ring / chain accepted (O(L) recursions; dense or O(L^2) routines have lower limits).
MAX_L = 10 ** 6


def _check_lattice(L: int, beta: float, t: float, *, cap: int = MAX_L,
                   cost: str = "memory and time grow with L for every configuration") -> int:
    L = _v.check_int(L, "L", lo=3, fix="the ring needs an integer number of sites L >= 3")
    if L > cap:
        raise ValueError(f"L={L} is too large ({cost}); the limit here is L <= {cap}; the paper's ring has "
                         f"L = {AAH_L} sites")
    beta = _v.check_real(beta, "beta")
    if abs(beta) > 1e15:
        raise ValueError(f"beta={beta:g}: cos(2 pi j beta) has no significant digits for |beta| > 1e15; reduce beta "
                         "modulo 1 (only its fractional part matters)")
    t = _v.check_real(t, "t")
    if t > 1e100:
        raise ValueError(f"t={t:g} is too large: the ring's determinants overflow; rescale the hoppings")
    if t <= 0:
        raise ValueError(f"t={t:g}: the uniform hopping t must be positive (the paper's t > 0)")
    return L


def aah_hoppings(V2: ArrayLike, *, L: int = AAH_L, beta: float = AAH_BETA, t: float = 1.0) -> np.ndarray:
    """``tau_j = t + V2 cos[2 pi (j + 1/2) beta]`` for ``j = 1 .. L`` (``tau_L`` crosses the seam).

    ``V2`` of shape ``S`` gives shape ``S + (L,)``.
    """
    (V2,) = _check_params(V2=V2)
    L = _check_lattice(L, beta, t)
    _v.check_elements(float(V2.size) * L, "L", L, itemsize=8)
    j = np.arange(1, L + 1)
    return t + V2[..., None] * np.cos(2 * np.pi * (j + 0.5) * beta)


def aah_potential(V1: ArrayLike, h: ArrayLike, *, L: int = AAH_L, beta: float = AAH_BETA) -> np.ndarray:
    """``Delta_j = V1 cos(2 pi j beta + i h)`` for ``j = 1 .. L`` (complex for ``h != 0``)."""
    V1, h = _check_params(V1=V1, h=h)
    L = _check_lattice(L, beta, 1.0)
    _v.broadcast({"V1": V1, "h": h})
    _v.check_elements(float(np.broadcast(V1, h).size) * L, "L", L)
    j = np.arange(1, L + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        out = V1[..., None] * np.cos(2 * np.pi * j * beta + 1j * h[..., None])
    _v.finite_result(out, "Delta_j = V1 cos(2 pi j beta + i h)", "|h| is too large (cosh(h) overflows); use |h| < ~700")
    return out


def aah_ring_matrix(V1: float, V2: float, alpha: float, h: float, phi: float = 0.0, *,
                    L: int = AAH_L, beta: float = AAH_BETA, t: float = 1.0,
                    flux_sign: int = -1) -> np.ndarray:
    """Dense ``L x L`` matrix ``H3(Phi)`` of one configuration (reference implementation).

    ``flux_sign=+1`` is Eq. (15) as printed, ``-1`` (default) gives the paper's
    ``w_Phi = -1`` in the extended phase; see the module docstring.
    """
    for name, val in (("V1", V1), ("V2", V2), ("alpha", alpha), ("h", h), ("phi", phi)):
        _v.check_real(val, name)
    _v.check_choice(flux_sign, "flux_sign", (1, -1))
    L = _check_lattice(L, beta, t)
    _v.check_dense(L, "L", L, fix="use a smaller ring (the dense matrix is a reference implementation)")
    tau = aah_hoppings(V2, L=L, beta=beta, t=t)
    diag = aah_potential(V1, h, L=L, beta=beta)
    with np.errstate(over="ignore", invalid="ignore"):
        up, lo = tau * np.exp(alpha), tau * np.exp(-alpha)
    _v.finite_result(np.concatenate([up, lo]), "the hoppings tau_j e^{+-alpha}",
                     "|alpha| is too large (e^alpha overflows); use |alpha| < ~700")
    return ring_matrix(diag, up, lo, phi, flux_sign=flux_sign)


def aah_obc_eigvals(V1: ArrayLike, V2: ArrayLike, h: ArrayLike, *, L: int = AAH_L,
                    beta: float = AAH_BETA, t: float = 1.0, method: str = "auto") -> np.ndarray:
    """Eigenvalues of the *open* chain (sites ``1..L``, no seam bond), sorted by real part.

    The imaginary gauge transformation ``psi_j -> e^{alpha j} psi_j`` maps the open
    non-reciprocal chain exactly onto the reciprocal one (hoppings ``tau_j``), so these
    eigenvalues do not depend on ``alpha``.  Only the products ``t^(r)_j t^(l)_j =
    tau_j^2`` enter.  ``method`` is passed to :func:`nhtopo_lib.tridiagonal.tridiagonal_eigvals`
    (``"auto"``: LAPACK bisection for ``h = 0``, where the chain is real symmetric;
    compiled complex QL otherwise).  Broadcasts over the parameters: shape ``S + (L,)``.
    """
    V1, V2, h = _v.broadcast(dict(zip(("V1", "V2", "h"), _check_params(V1=V1, V2=V2, h=h))))
    _v.check_choice(method, "method", ("auto", "ql", "dense"))
    L = _check_lattice(L, beta, t, cap=20000, cost="O(L^2) operations per open chain for all its eigenvalues")
    if float(V1.size) * L * L > 1e11:
        raise ValueError(f"L={L}: {V1.size} open chains of {L} sites cost O(L^2) each, above the limit of 1e11 "
                         "operations; use fewer configurations or a smaller L")
    diag = aah_potential(V1, h, L=L, beta=beta)
    if np.all(h == 0):
        diag = diag.real.astype(complex)      # exact: cos(x + 0i) is real
    tau = aah_hoppings(V2, L=L, beta=beta, t=t)
    return tridiagonal_eigvals(diag, tau[..., :-1] ** 2, method=method)


def aah_base_energy(V1: ArrayLike, V2: ArrayLike, h: ArrayLike, *, rule: str = "median-gap",
                    L: int = AAH_L, beta: float = AAH_BETA, t: float = 1.0,
                    method: str = "auto") -> np.ndarray:
    """Base energy ``E_B`` of the flux winding (the paper does not state it).

    Rules
    -----
    ``"median-gap"`` (default, ours)
        Sort the open-chain spectrum (:func:`aah_obc_eigvals`; independent of ``alpha``)
        by real part, take the median eigenvalue ``E_m`` (``m = L // 2``) and the one of
        its two neighbours that is *farther* from it, and return the real part of their
        midpoint.  Reasons: (i) ``E_B`` must sit inside the spectrum, where the Lyapunov
        exponent takes its spectral value (``E_B = 0`` often lies in a wide gap, because
        ``V2`` breaks ``E -> -E``); (ii) at ``h = 0`` the ring has the reflection symmetry
        ``j -> L - j``, so localised states come in nearly degenerate pairs, and a midpoint
        *inside* such a pair is exponentially close to the spectrum -- taking the wider of
        the two central spacings avoids it; (iii) for ``h != 0`` reflection combined with
        complex conjugation keeps the ring spectrum symmetric about the real axis, so the
        real axis is the natural place for ``E_B``.  Depends on ``(V1, V2, h)`` only.
    ``"ring-mid"``
        The technical reference's suggestion: ``(E_m + E_{m+1}) / 2`` (0-based, ``m = L // 2``;
        ``E_44, E_45`` for ``L = 89``) of the reciprocal
        (``alpha = 0``) ring at ``Phi = 0``, sorted by real part (dense ``O(L^3)``
        eigenvalues; for comparison only).
    ``"zero"``
        ``E_B = 0``.

    Returns complex array of the broadcast shape of ``V1, V2, h``.
    """
    _v.check_choice(rule, "rule", ("median-gap", "ring-mid", "zero"))
    _v.check_choice(method, "method", ("auto", "ql", "dense"))
    V1, V2, h = _v.broadcast(dict(zip(("V1", "V2", "h"), _check_params(V1=V1, V2=V2, h=h))))
    L = _check_lattice(L, beta, t, cap=20000, cost="up to O(L^2) operations per configuration")
    if rule == "ring-mid":
        _v.check_dense(L, "L", L, eig=True, fix="use rule='median-gap'")
        if float(V1.size) * L ** 3 > 1e12:
            raise ValueError(f"rule='ring-mid' diagonalises {V1.size} dense {L} x {L} rings (O(L^3) each), above the "
                             "limit of 1e12 operations; use rule='median-gap'")
    if rule == "zero":
        return np.zeros(V1.shape, dtype=complex)
    if rule == "ring-mid":
        def ring_eigs(a, b, c):
            H = aah_ring_matrix(a, b, 0.0, c, 0.0, L=L, beta=beta, t=t)
            # h = 0: the reciprocal ring at Phi = 0 is real symmetric
            return np.linalg.eigvalsh(H.real).astype(complex) if c == 0 else np.linalg.eigvals(H)

        flat = [ring_eigs(a, b, c) for a, b, c in zip(V1.ravel(), V2.ravel(), h.ravel())]
        ev = np.array(flat).reshape(V1.shape + (L,))
        ev = np.take_along_axis(ev, np.argsort(ev.real, axis=-1, kind="stable"), axis=-1)
        m = L // 2
        return 0.5 * (ev[..., m] + ev[..., m + 1])
    m = L // 2
    central = np.empty(V1.shape + (3,), dtype=complex)
    real = (h == 0)
    if np.any(real) and method == "auto":
        # h = 0: real symmetric open chain -> three eigenvalues by Sturm bisection
        central[real] = symmetric_tridiagonal_eigvals_select(
            aah_potential(V1[real], h[real], L=L, beta=beta).real,
            aah_hoppings(V2[real], L=L, beta=beta, t=t)[..., :-1], m - 1, m + 1)
    else:
        real = np.zeros(V1.shape, dtype=bool)
    if np.any(~real):
        ev = aah_obc_eigvals(V1[~real], V2[~real], h[~real], L=L, beta=beta, t=t, method=method)
        central[~real] = ev[..., m - 1:m + 2]
    lo, em, hi = central[..., 0], central[..., 1], central[..., 2]
    nb = np.where(np.abs(hi - em) >= np.abs(em - lo), hi, lo)
    return (0.5 * (em + nb)).real.astype(complex)


def aah_flux_coefficients(V1: ArrayLike, V2: ArrayLike, alpha: ArrayLike, h: ArrayLike,
                          energy: ArrayLike, *, L: int = AAH_L, beta: float = AAH_BETA,
                          t: float = 1.0, flux_sign: int = -1) -> FluxCoefficients:
    """Exact ``det[H3(Phi) - E] = c0 + c_plus e^{i Phi} + c_minus e^{-i Phi}`` for many configurations.

    ``c0`` (an ``O(L)`` transfer recursion) is computed once on the broadcast shape of
    ``(V1, V2, h, energy)`` -- it does not depend on ``alpha`` --, and
    ``c_+- = (-1)^{L+1} prod_j tau_j e^{+-s L alpha}`` are then broadcast against
    ``alpha``.  So ``V1, V2, h, energy`` of shape ``(N, 1)`` and ``alpha`` of shape
    ``(1, A)`` give ``N x A`` configurations at the cost of ``N``.  Log-polar output: no
    overflow for any ``L`` or ``alpha``.
    """
    V1, V2, alpha, h = _check_params(V1=V1, V2=V2, alpha=alpha, h=h)
    E = _v.complex_array(energy, "energy")
    _v.check_choice(flux_sign, "flux_sign", (1, -1))
    L = _check_lattice(L, beta, t)
    V1, V2, h, E = _v.broadcast({"V1": V1, "V2": V2, "h": h, "energy": E})
    try:
        np.broadcast_shapes(V1.shape, alpha.shape)
    except ValueError:
        raise ValueError(f"alpha of shape {alpha.shape} does not broadcast against V1, V2, h, energy "
                         f"(shape {V1.shape})") from None
    tau = aah_hoppings(V2, L=L, beta=beta, t=t)
    diag = aah_potential(V1, h, L=L, beta=beta)
    base = ring_flux_coefficients(diag, tau, tau, E, flux_sign=flux_sign)   # alpha = 0
    alpha = np.asarray(alpha, dtype=float)
    shape = np.broadcast_shapes(base.shape, alpha.shape)
    log_abs = np.broadcast_to(base.log_abs, shape + (3,)).copy()
    phase = np.broadcast_to(base.phase, shape + (3,)).copy()
    # upper = tau e^{+alpha} (t^(l)), lower = tau e^{-alpha} (t^(r)); c_plus = prod upper for s = +1
    shift = flux_sign * L * np.broadcast_to(alpha, shape)
    log_abs[..., 1] += shift
    log_abs[..., 2] -= shift
    return FluxCoefficients(log_abs, phase)


def aah_lyapunov_exponent(V1: ArrayLike, V2: ArrayLike, h: ArrayLike, t: float = 1.0) -> np.ndarray:
    """Closed-form Lyapunov exponent ``gamma_h`` of the reciprocal model on its spectrum.

    ``gamma_h = max{ ln[(a + sqrt(a^2 - 4 V2^2)) / (2 c)], 0 }`` with ``a = V1 e^{|h|}``,
    ``c = t + sqrt(t^2 - V2^2)`` for ``|V2| <= t`` and ``c = |V2|`` otherwise, and
    ``gamma_h = 0`` if ``a < 2|V2|``.
    """
    V1, V2, h = _v.broadcast(dict(zip(("V1", "V2", "h"), _check_params(V1=V1, V2=V2, h=h))))
    t = _v.check_positive(t, "t", fix="the paper's t > 0")
    with np.errstate(over="ignore", invalid="ignore"):
        a = np.abs(V1) * np.exp(np.abs(h))
    _v.finite_result(a, "V1 e^{|h|}", "|h| or |V1| is too large (overflow)")
    v2 = np.abs(V2)
    c = np.where(v2 <= t, t + np.sqrt(np.maximum(t * t - v2 * v2, 0.0)), v2)
    root = np.sqrt(np.maximum(a * a - 4 * v2 * v2, 0.0))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        g = np.log((a + root) / (2 * c))
    out = np.where(a < 2 * v2, 0.0, np.maximum(g, 0.0))
    _v.finite_result(out, "the Lyapunov exponent", "the parameters are too large (overflow)")
    return out


def aah_phase_boundary(V2: ArrayLike, alpha: ArrayLike, h: ArrayLike, t: float = 1.0) -> np.ndarray:
    """Critical ``V1_c(V2; alpha, h)``: extended and ``w_Phi != 0`` for ``V1 < V1_c``, localised above.

    ``V1_c = e^{-|h|} [2 t cosh(alpha) + 2 sqrt(t^2 - V2^2) sinh(alpha)]`` for ``|V2| <= t``,
    ``V1_c = 2 |V2| cosh(alpha) e^{-|h|}`` for ``|V2| >= t`` (obtained by setting
    :func:`aah_lyapunov_exponent` equal to ``alpha``).  Requires ``alpha >= 0``.
    """
    V2, alpha, h = _v.broadcast(dict(zip(("V2", "alpha", "h"), _check_params(V2=V2, alpha=alpha, h=h))))
    if np.any(alpha < 0):
        raise ValueError("the boundary formula is written for alpha >= 0 (use |alpha|: the model "
                         "with -alpha is the mirror image)")
    t = _v.check_positive(t, "t", fix="the paper's t > 0")
    v2 = np.abs(V2)
    with np.errstate(over="ignore", invalid="ignore"):
        c = np.where(v2 <= t, 2 * t * np.cosh(alpha) + 2 * np.sqrt(np.maximum(t * t - v2 * v2, 0.0)) * np.sinh(alpha),
                     2 * v2 * np.cosh(alpha))
        out = c * np.exp(-np.abs(h))
    _v.finite_result(out, "the critical V1_c", "alpha or V2 is too large (cosh(alpha) overflows for alpha > ~700)")
    return out


def aah_analytic_winding(V1: ArrayLike, V2: ArrayLike, alpha: ArrayLike, h: ArrayLike, *,
                         t: float = 1.0, flux_sign: int = -1) -> np.ndarray:
    """Thermodynamic-limit label from the closed-form boundary (no finite-size effects).

    ``w = flux_sign * sign(alpha)`` for ``V1 < V1_c`` (extended phase) and 0 above the
    boundary; with the default ``flux_sign = -1`` and ``alpha > 0`` this is the paper's
    ``{-1, 0}``.  ValueError exactly on the boundary, where the label is undefined.
    """
    _v.check_choice(flux_sign, "flux_sign", (1, -1))
    V1c = aah_phase_boundary(V2, alpha, h, t)
    (V1,) = _check_params(V1=V1)
    _v.broadcast({"V1": V1, "V2/alpha/h": V1c})
    if np.any(V1 == V1c):
        raise ValueError("a configuration lies exactly on the phase boundary: the label is undefined")
    s = flux_sign * np.sign(np.asarray(alpha, float)).astype(np.int64)
    return np.where(V1 < V1c, s, 0).astype(np.int64)


def aah_dense_flux_curve(V1: float, V2: float, alpha: float, h: float, energy: complex, n_phi: int = 32, *,
                         L: int = AAH_L, beta: float = AAH_BETA, t: float = 1.0,
                         flux_sign: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Reference route: ``numpy.linalg.slogdet`` of ``H3(Phi_n) - E`` at ``n_phi + 1`` fluxes.

    Returns ``(phase, log|det|)`` at ``Phi_n = 2 pi n / n_phi``, ``n = 0..n_phi`` (one
    dense ``O(L^3)`` determinant per flux; the phases are the network input).
    """
    energy = _v.check_complex(energy, "energy")
    n_phi = _v.check_size(n_phi, "n_phi", lo=3, cap=10 ** 5, fix="a few dozen fluxes suffice")
    L = _check_lattice(L, beta, t)
    _v.check_dense(L, "L", L, eig=True, fix="use aah_flux_curves (O(L), exact) for long rings")
    if float(n_phi + 1) * L ** 3 > 1e12:
        raise ValueError(f"n_phi={n_phi}: {n_phi + 1} dense determinants of {L} x {L} matrices exceed the limit of "
                         "1e12 operations; use fewer fluxes or aah_flux_curves")
    phis = 2 * np.pi * np.arange(n_phi + 1) / n_phi
    mats = np.stack([aah_ring_matrix(V1, V2, alpha, h, p, L=L, beta=beta, t=t, flux_sign=flux_sign)
                     for p in phis])
    mats -= energy * np.eye(L)
    sign, logabs = np.linalg.slogdet(mats)
    return sign, logabs


def aah_lyapunov_estimate(V1: ArrayLike, V2: ArrayLike, h: ArrayLike, energy: ArrayLike, *,
                          L: int = AAH_L, beta: float = AAH_BETA, t: float = 1.0) -> np.ndarray:
    """Finite-ring Lyapunov exponent ``gamma_L(E) = [ln|c0(E)| - sum_j ln|tau_j|] / L``.

    ``c0`` is the flux-independent part of ``det[H3(Phi) - E]`` (it does not depend on
    ``alpha``).  Since ``|c_+-| = |prod tau_j| e^{+-L alpha}``, the flux winding is non-zero
    essentially iff ``gamma_L(E_B) < |alpha|`` (exactly: see
    :meth:`~nhtopo_lib.tridiagonal.FluxCoefficients.winding`).  For ``L -> infinity`` and
    ``E`` on the spectrum this tends to :func:`aah_lyapunov_exponent` (Thouless formula).
    """
    co = aah_flux_coefficients(V1, V2, 0.0, h, energy, L=L, beta=beta, t=t)
    out = (co.log_abs[..., 0] - co.log_abs[..., 1]) / L
    if not np.all(np.isfinite(out)):
        raise ValueError("energy is an eigenvalue of the flux-independent part c0 (log|c0| = -inf): the Lyapunov "
                         "estimate is undefined there; move the energy")
    return out


def aah_flux_curves(V1: ArrayLike, V2: ArrayLike, alpha: ArrayLike, h: ArrayLike, *, n_phi: int = 32,
                    base_energy: ArrayLike | None = None, L: int = AAH_L, beta: float = AAH_BETA,
                    t: float = 1.0, flux_sign: int = -1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Network inputs and exact labels for many configurations (the fast route).

    Returns ``(u, w, E_B)``: the unit-modulus curves ``u_n = det[H3(Phi_n) - E_B] / |...|``
    at ``Phi_n = 2 pi n / n_phi``, ``n = 0..n_phi`` (complex, broadcast shape ``+ (n_phi + 1,)``),
    the exact flux windings (int; from the roots, not from the samples) and the base
    energies used (:func:`aah_base_energy` with the default rule unless given).  As in
    :func:`aah_flux_coefficients`, pass ``alpha`` on its own axis to reuse ``E_B`` and
    ``c0`` for several ``alpha``.  Raises ValueError if ``E_B`` lies on the spectrum of
    ``H3(Phi)`` for a real flux.
    """
    n_phi = _v.check_size(n_phi, "n_phi", lo=3, cap=_v.MAX_SAMPLES, fix="a few dozen fluxes suffice")
    if base_energy is None:
        base_energy = aah_base_energy(V1, V2, h, L=L, beta=beta, t=t)
    else:
        base_energy = _v.complex_array(base_energy, "base_energy")
    co = aah_flux_coefficients(V1, V2, alpha, h, base_energy, L=L, beta=beta, t=t, flux_sign=flux_sign)
    w = co.winding()
    return co.unit_curve(n_phi), np.asarray(w), np.asarray(base_energy)
