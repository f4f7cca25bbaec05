"""Tridiagonal chains and rings threaded by a flux: exact determinants and fast eigenvalues.

**Ring convention.**  A ring of ``L >= 3`` sites ``j = 0 .. L-1`` is described by three
arrays of length ``L`` (leading axes: independent rings, broadcast together):

* ``diag[j] = H[j, j]``;
* ``upper[j] = H[j, j+1]`` for ``j < L-1`` and ``upper[L-1] = H[L-1, 0]`` -- the amplitude
  ``c_j^dagger c_{j+1}`` that moves a particle one site to the *left*, continued across the
  seam;
* ``lower[j] = H[j+1, j]`` for ``j < L-1`` and ``lower[L-1] = H[0, L-1]`` -- the amplitude
  ``c_{j+1}^dagger c_j`` (one site to the *right*), continued across the seam.

A flux ``Phi`` enters only through the two seam entries:
``H[L-1, 0] = upper[L-1] e^{+i s Phi}`` and ``H[0, L-1] = lower[L-1] e^{-i s Phi}`` with
``s = flux_sign = +-1``.  Expanding the determinant over permutations, only the two cyclic
permutations see the seam phases, hence (exactly, for every ``E``)

    det[H(Phi) - E] = c0(E) + c_plus e^{+i Phi} + c_minus e^{-i Phi},

    c0(E)      = D_{0..L-1}(E) - upper[L-1] lower[L-1] D_{1..L-2}(E),
    c_plus     = (-1)^{L+1} prod_j upper[j]   (flux_sign = +1; for -1 it is prod lower),
    c_minus    = (-1)^{L+1} prod_j lower[j]   (flux_sign = +1; for -1 it is prod upper),

where ``D_{a..b}`` is the determinant of the open chain of sites ``a..b`` (shifted by
``-E``), obtained from the three-term recursion ``D_k = (d_k - E) D_{k-1} -
upper[k-1] lower[k-1] D_{k-2}`` in ``O(L)`` operations.  The products overflow double
precision already for ``L ~ 100`` sites, so every coefficient is kept in *log-polar*
form (``log|c|`` and the unit phase ``c/|c|``), see :class:`FluxCoefficients`.

**Winding in the flux.**  With ``z = e^{i Phi}`` the determinant is ``p(z)/z`` with the
quadratic ``p(z) = c_plus z^2 + c0 z + c_minus``, so by the argument principle its
winding around 0 as ``Phi`` goes once around (counter-clockwise positive) is::

    w_Phi = (number of roots of p inside |z| < 1) - 1   in {-1, 0, +1}.

A root *on* the unit circle means ``det[H(Phi) - E] = 0`` for a real flux: ``E`` lies on
the spectrum of the ring for some ``Phi`` and the winding is undefined (refused).

**Eigenvalues.**  :func:`tridiagonal_eigvals` computes all eigenvalues of an open
(non-periodic) tridiagonal chain from the products ``upper[j] lower[j]`` only (a diagonal
similarity does not change them): real symmetric chains go to LAPACK's bisection
(``scipy.linalg.eigvalsh_tridiagonal``); complex ones to the root-free QL algorithm of
Reinsch (EISPACK ``tqlrat``) run in complex arithmetic, compiled with numba
(``O(L^2)`` instead of the ``O(L^3)`` of a dense non-symmetric solver), with a dense
``numpy.linalg.eigvals`` fallback whenever the iteration does not converge or fails a
trace check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v

__all__ = [
    "FluxCoefficients",
    "ring_flux_coefficients",
    "ring_matrix",
    "chain_log_determinant",
    "tridiagonal_eigvals",
    "symmetric_tridiagonal_eigvals_select",
]


# ------------------------------------------------------------------ flux coefficients
@dataclass
class FluxCoefficients:
    """``det[H(Phi) - E] = c0 + c_plus e^{i Phi} + c_minus e^{-i Phi}`` in log-polar form.

    The leading axes index independent rings.  No overflow for any ring length: only
    differences of ``log_abs`` are ever exponentiated.

    Attributes
    ----------
    log_abs
        ``(..., 3)`` float: ``log|c0|, log|c_plus|, log|c_minus|`` (``-inf`` for an exact zero).
    phase
        ``(..., 3)`` complex of modulus 1: ``c/|c|`` in the same order (1 for an exact zero).
    """

    log_abs: np.ndarray
    phase: np.ndarray

    def __post_init__(self):
        self.log_abs = _v.real_array(self.log_abs, "log_abs", finite=False)
        self.phase = _v.complex_array(self.phase, "phase", finite=False)
        if self.log_abs.shape != self.phase.shape or self.log_abs.shape[-1:] != (3,):
            raise ValueError("log_abs and phase must have the same shape (..., 3)")
        if np.any(np.isnan(self.log_abs)) or np.any(self.log_abs == np.inf) or \
                not np.all(np.isfinite(self.phase)):
            raise ValueError("the flux coefficients (log_abs, phase) contain NaN or inf; check the ring parameters")
        if np.any(np.all(self.log_abs == -np.inf, axis=-1)):
            raise ValueError("det[H(Phi) - E] vanishes identically in Phi: every flux puts E on the "
                             "spectrum; the winding is undefined")

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the batch of rings."""
        return self.log_abs.shape[:-1]

    @property
    def log_scale(self) -> np.ndarray:
        """``max(log|c0|, log|c_plus|, log|c_minus|)`` per ring."""
        return self.log_abs.max(axis=-1)

    def normalised(self) -> np.ndarray:
        """``(..., 3)`` complex ``(c0, c_plus, c_minus) * exp(-log_scale)`` (largest modulus 1).

        Coefficients smaller than the largest by more than ``e^{-745}`` underflow to 0;
        this cannot change the winding (the corresponding root is 0 or infinite to
        working precision).
        """
        with np.errstate(under="ignore"):
            return self.phase * np.exp(self.log_abs - self.log_scale[..., None])

    def __getitem__(self, idx) -> "FluxCoefficients":
        return FluxCoefficients(self.log_abs[idx], self.phase[idx])

    # -- the determinant as a function of the flux
    def scaled_values(self, phi: ArrayLike) -> np.ndarray:
        """``det[H(phi) - E] * exp(-log_scale)``, shape ``self.shape + phi.shape``."""
        phi = _v.real_array(phi, "phi")
        phi = np.asarray(phi, dtype=float)
        c = self.normalised()
        ex = (slice(None),) * len(self.shape) + (None,) * phi.ndim
        z = np.exp(1j * phi)
        with np.errstate(under="ignore"):          # tiny terms underflowing to 0 are harmless
            return c[..., 0][ex] + c[..., 1][ex] * z + c[..., 2][ex] / z

    def log_det(self, phi: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``(phase, log|det|)`` of ``det[H(phi) - E]`` -- the output format of ``numpy.linalg.slogdet``."""
        phi = _v.real_array(phi, "phi")
        v = self.scaled_values(phi)
        mag = np.abs(v)
        ex = (slice(None),) * len(self.shape) + (None,) * np.ndim(phi)
        with np.errstate(divide="ignore", invalid="ignore"):
            return v / mag, np.log(mag) + self.log_scale[ex]

    def unit_curve(self, n_phi: int = 32, *, rtol: float = 1e-8) -> np.ndarray:
        """The normalised input curve ``u_n = det/|det|`` at ``Phi_n = 2 pi n / n_phi``, ``n = 0..n_phi``.

        Returns complex ``self.shape + (n_phi + 1,)`` with ``u_{n_phi} = u_0`` exactly.
        Raises ValueError if the curve passes through 0 for some real flux (a root of
        ``c_plus z^2 + c0 z + c_minus`` within ``rtol`` of the unit circle, the criterion
        of :meth:`winding`): the base energy is an eigenvalue of ``H(Phi)`` there and the
        direction of the curve is undefined.
        """
        n_phi = _v.check_size(n_phi, "n_phi", lo=3, cap=_v.MAX_SAMPLES,
                              fix="the loop needs at least 3 steps; a few dozen suffice")
        _v.check_elements(float(max(int(np.prod(self.shape)), 1)) * (n_phi + 1), "n_phi", n_phi)
        rtol = _v.check_tol(rtol, "rtol")
        bad = self.margin() < rtol
        if np.any(bad):
            raise ValueError(f"{int(np.sum(bad))} curve(s) pass through 0: the base energy is an "
                             "eigenvalue of H(Phi) for a real flux; move the base energy")
        phi = 2 * np.pi * np.arange(n_phi + 1) / n_phi
        v = self.scaled_values(phi)
        v[..., -1] = v[..., 0]                      # close the loop exactly
        mag = np.abs(v)
        if np.any(mag == 0):                        # pragma: no cover - excluded by the margin test
            raise ValueError("a sample of the curve is exactly 0; move the base energy")
        return v / mag

    # -- the exact winding
    def roots(self) -> np.ndarray:
        """The two roots of ``c_plus z^2 + c0 z + c_minus`` (``(..., 2)`` complex, ``inf`` if absent).

        Computed from the normalised coefficients with the cancellation-free form of the
        quadratic formula.  A vanishing ``c_plus`` sends one root to infinity; a vanishing
        ``c_minus`` puts one root at 0.
        """
        c = self.normalised()
        b, a, cm = c[..., 0], c[..., 1], c[..., 2]
        with np.errstate(all="ignore"):
            disc = np.sqrt(b * b - 4 * a * cm)
            sgn = np.where((np.conj(b) * disc).real >= 0, 1.0, -1.0)
            q = -0.5 * (b + sgn * disc)
            z1 = np.where(a != 0, q / a, np.inf + 0j)
            z2 = np.where(q != 0, cm / q, np.where(a != 0, 0j, np.inf + 0j))
            # a == 0 and b == 0: p = c_minus is a nonzero constant, no finite root
            lin = (a == 0)
            z_lin = np.where(b != 0, -cm / b, np.inf + 0j)
            z1 = np.where(lin, np.inf + 0j, z1)
            z2 = np.where(lin, z_lin, z2)
        return np.stack([z1, z2], axis=-1)

    def margin(self) -> np.ndarray:
        """``min_i |log|z_i||``: distance of the roots from the unit circle (0 = E on the spectrum)."""
        with np.errstate(divide="ignore"):
            return np.min(np.abs(np.log(np.abs(self.roots()))), axis=-1)

    def winding(self, *, rtol: float = 1e-8, on_unresolved: str = "raise"):
        """Exact winding of ``det[H(Phi) - E]`` around 0 as ``Phi: 0 -> 2 pi`` (no sampling).

        ``w = (#roots of c_plus z^2 + c0 z + c_minus inside |z| < 1) - 1``.  A root within
        ``|log|z|| < rtol`` of the unit circle means the base energy lies on the spectrum
        of ``H(Phi)`` for a real flux: ``on_unresolved="raise"`` (default) raises
        ValueError, ``"nan"`` returns NaN for those rings.
        """
        _v.check_choice(on_unresolved, "on_unresolved", ("raise", "nan"))
        rtol = _v.check_tol(rtol, "rtol")
        z = self.roots()
        inside = np.sum(np.abs(z) < 1.0, axis=-1)
        w = inside - 1
        bad = self.margin() < rtol
        if np.any(bad):
            if on_unresolved == "raise":
                raise ValueError(f"the base energy lies on the spectrum of H(Phi) for a real flux in "
                                 f"{int(np.sum(bad))} of {bad.size} ring(s) (a root of "
                                 "c_plus z^2 + c0 z + c_minus on |z| = 1): the winding is undefined; "
                                 "move the base energy")
            out = np.array(w, dtype=float)
            out[bad] = np.nan
            return out if out.ndim else float(out)
        return w.astype(np.int64) if np.ndim(w) else int(w)


def _logpolar(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mag = np.abs(x)
    with np.errstate(divide="ignore"):
        lg = np.log(mag)
    ph = np.where(mag > 0, x / np.where(mag > 0, mag, 1.0), 1.0 + 0j)
    return lg, ph


def _chain_det_logpolar(a: np.ndarray, prod: np.ndarray, start: int, stop: int):
    """``det`` of the open chain of sites ``start..stop-1`` (diagonal ``a``, hopping products ``prod``).

    ``a``: ``(..., L)``, ``prod[..., k] = upper[k] lower[k]`` couples sites ``k, k+1``.
    Returns ``(log|D|, phase)`` via the scaled three-term recursion.
    """
    shape = a.shape[:-1]
    d_prev = np.ones(shape, dtype=complex)       # D_{k-1}
    d_prev2 = np.zeros(shape, dtype=complex)     # D_{k-2}
    lg = np.zeros(shape)
    for k in range(start, stop):
        if k == start:
            d_new = a[..., k] * d_prev
        else:
            d_new = a[..., k] * d_prev - prod[..., k - 1] * d_prev2
        d_prev2, d_prev = d_prev, d_new
        s = np.maximum(np.abs(d_prev), np.abs(d_prev2))
        s = np.where(s > 0, s, 1.0)
        d_prev = d_prev / s
        d_prev2 = d_prev2 / s
        lg = lg + np.log(s)
    dl, dp = _logpolar(d_prev)
    return dl + lg, dp


def chain_log_determinant(diag: ArrayLike, upper: ArrayLike, lower: ArrayLike,
                          energy: ArrayLike = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``(phase, log|det|)`` of the open tridiagonal chain ``H - E`` (``slogdet`` format, no overflow).

    ``diag`` has length ``L``; ``upper``/``lower`` length ``L - 1`` (``H[j, j+1]``,
    ``H[j+1, j]``); leading axes broadcast.
    """
    d = _v.complex_array(diag, "diag", min_size=1)
    u = _v.complex_array(upper, "upper")
    lo = _v.complex_array(lower, "lower")
    E = _v.complex_array(energy, "energy")
    if d.ndim == 0 or u.ndim == 0 or lo.ndim == 0:
        raise ValueError("diag, upper and lower must be arrays with the sites along the last axis")
    if u.shape[-1] != d.shape[-1] - 1 or lo.shape[-1] != d.shape[-1] - 1:
        raise ValueError("upper and lower must be one shorter than diag")
    _, _ = _v.broadcast({"upper": u, "lower": lo})
    a = d - E[..., None]
    prod = u * lo
    a, prod = _v.broadcast({"diag/energy": a, "upper/lower": np.concatenate([prod, np.zeros(prod.shape[:-1] + (1,))], -1)})
    lg, ph = _chain_det_logpolar(a, prod, 0, a.shape[-1])
    return ph, lg


def ring_flux_coefficients(diag: ArrayLike, upper: ArrayLike, lower: ArrayLike,
                           energy: ArrayLike = 0.0, *, flux_sign: int = 1) -> FluxCoefficients:
    """Exact ``(c0, c_plus, c_minus)`` of ``det[H(Phi) - E]`` for tridiagonal rings (see module docstring).

    Parameters
    ----------
    diag, upper, lower
        ``(..., L)`` arrays in the ring convention of this module (``L >= 3``).
    energy
        Base energy ``E`` (broadcast against the leading axes).
    flux_sign
        ``+1``: ``H[L-1, 0] = upper[L-1] e^{+i Phi}``; ``-1``: ``e^{-i Phi}`` (and the
        conjugate phase on ``H[0, L-1]``).

    Cost ``O(L)`` per ring, vectorised over the leading axes; log-polar output, so no
    overflow for any ``L``.
    """
    _v.check_choice(flux_sign, "flux_sign", (1, -1))
    d = _v.complex_array(diag, "diag")
    u = _v.complex_array(upper, "upper")
    lo = _v.complex_array(lower, "lower")
    E = _v.complex_array(energy, "energy")
    if d.ndim == 0 or u.ndim == 0 or lo.ndim == 0:
        raise ValueError("diag, upper and lower must be arrays with the L >= 3 ring sites along the last axis")
    L = d.shape[-1]
    if L < 3 or u.shape[-1] != L or lo.shape[-1] != L:
        raise ValueError("a ring needs L >= 3 sites and diag, upper, lower of the same length L")
    try:
        shape = np.broadcast_shapes(d.shape[:-1], u.shape[:-1], lo.shape[:-1], E.shape)
    except ValueError:
        raise ValueError(f"the leading axes of diag {d.shape}, upper {u.shape}, lower {lo.shape} and energy "
                         f"{E.shape} do not broadcast together") from None
    _v.check_elements(float(np.prod(shape, dtype=float)) * L * 4, "diag", f"array of shape {d.shape}")
    a = d - E[..., None]
    prod = u * lo
    a, prod = np.broadcast_arrays(a, prod)
    l_full, p_full = _chain_det_logpolar(a, prod, 0, L)
    l_in, p_in = _chain_det_logpolar(a, prod, 1, L - 1)
    lx, px = _logpolar(prod[..., L - 1])
    # c0 = D_full - (u_L l_L) D_inner, combined in log-polar form
    l2 = l_in + lx
    m = np.maximum(l_full, l2)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(under="ignore"):
        c0 = p_full * np.exp(l_full - m) - px * p_in * np.exp(l2 - m)
    l0, p0 = _logpolar(c0)
    l0 = l0 + m
    sign = (-1.0) ** (L + 1)
    lu, pu = _logpolar(u)
    ll, pl = _logpolar(lo)
    lu_tot, pu_tot = lu.sum(-1), sign * np.prod(pu, axis=-1)
    ll_tot, pl_tot = ll.sum(-1), sign * np.prod(pl, axis=-1)
    if flux_sign == 1:
        lp, pp, lm, pm = lu_tot, pu_tot, ll_tot, pl_tot
    else:
        lp, pp, lm, pm = ll_tot, pl_tot, lu_tot, pu_tot
    shape = np.broadcast_shapes(l0.shape, np.shape(lp), np.shape(lm))
    log_abs = np.stack([np.broadcast_to(x, shape) for x in (l0, lp, lm)], axis=-1)
    phase = np.stack([np.broadcast_to(x, shape) for x in (p0, pp, pm)], axis=-1)
    return FluxCoefficients(log_abs, phase)


def ring_matrix(diag: ArrayLike, upper: ArrayLike, lower: ArrayLike, phi: float = 0.0, *,
                flux_sign: int = 1) -> np.ndarray:
    """Dense ``L x L`` matrix of one ring at flux ``phi`` (reference implementation for tests)."""
    _v.check_choice(flux_sign, "flux_sign", (1, -1))
    phi = _v.check_real(phi, "phi")
    d = _v.complex_array(diag, "diag")
    u = _v.complex_array(upper, "upper")
    lo = _v.complex_array(lower, "lower")
    if d.ndim != 1 or d.shape != u.shape or d.shape != lo.shape or d.size < 3:
        raise ValueError("ring_matrix builds one ring: 1D diag, upper, lower of equal length L >= 3")
    L = d.size
    _v.check_dense(L, "diag", f"array of length {L}", fix="use a shorter ring")
    H = np.diag(d)
    i = np.arange(L - 1)
    H[i, i + 1] = u[:-1]
    H[i + 1, i] = lo[:-1]
    H[L - 1, 0] = u[-1] * np.exp(1j * flux_sign * phi)
    H[0, L - 1] = lo[-1] * np.exp(-1j * flux_sign * phi)
    return H


# ------------------------------------------------------------------ eigenvalues
_TQLRAT = None


def _compiled_tqlrat():
    """Compile (once; cached on disk by numba) the complex root-free QL sweep."""
    global _TQLRAT
    if _TQLRAT is not None:
        return _TQLRAT
    from numba import njit

    @njit(cache=True, error_model="numpy")
    def _tqlrat(d, e2, maxit):  # pragma: no cover - compiled; tested through tridiagonal_eigvals
        # Reinsch's rational QL (EISPACK tqlrat) in complex arithmetic.  d: diagonal,
        # e2[i]: product of the couplings between i and i+1, e2[n-1] = 0.  In place.
        n = d.size
        eps = 2.220446049250313e-16
        f = 0j
        t = 0.0
        b = 0.0
        c = 0.0
        for l in range(n):
            j = 0
            hh = abs(d[l]) + np.sqrt(abs(e2[l]))
            if t <= hh:
                t = hh
                b = eps * t
                c = b * b
            c2 = c * c
            while True:
                m = l
                while m < n - 1 and e2[m].real * e2[m].real + e2[m].imag * e2[m].imag > c2:
                    m += 1
                if m == l:
                    break
                if j == maxit:
                    return False
                j += 1
                l1 = l + 1
                s = np.sqrt(e2[l])
                g = d[l]
                p = (d[l1] - g) / (2.0 * s)
                r = np.sqrt(p * p + 1.0)
                den = p + r if abs(p + r) >= abs(p - r) else p - r
                d[l] = s / den
                h = g - d[l]
                for i in range(l1, n):
                    d[i] -= h
                f += h
                g = d[m]
                if g == 0:
                    g = b + 0j
                h = g
                s = 0j
                for i in range(m - 1, l - 1, -1):
                    p = g * h
                    r = p + e2[i]
                    e2[i + 1] = s * r
                    rr = r.real * r.real + r.imag * r.imag
                    if rr == 0.0:
                        return False
                    ir = r.conjugate() * (1.0 / rr)
                    ei = e2[i]
                    s = ei * ir
                    d[i + 1] = h + s * (h + d[i])
                    gg = g.real * g.real + g.imag * g.imag
                    g = d[i] - ei * (g.conjugate() * (1.0 / gg))
                    if g == 0:
                        g = b + 0j
                    h = g * p * ir
                e2[l] = s * g
                d[l] = h
                if h == 0:
                    break
                if abs(e2[l]) <= abs(c / h):
                    break
                e2[l] = h * e2[l]
                if e2[l] == 0:
                    break
            d[l] = d[l] + f
        return True

    @njit(cache=True, error_model="numpy")
    def _batch(D, E2, out, ok, maxit):  # pragma: no cover - compiled
        N, n = D.shape
        d = np.empty(n, np.complex128)
        e2 = np.empty(n, np.complex128)
        for k in range(N):
            for i in range(n):
                d[i] = D[k, i]
            for i in range(n - 1):
                e2[i] = E2[k, i]
            e2[n - 1] = 0.0
            ok[k] = _tqlrat(d, e2, maxit)
            for i in range(n):
                out[k, i] = d[i]

    _TQLRAT = _batch
    return _TQLRAT


_STURM = None


def _compiled_sturm():
    """Compile (once; cached on disk) the Sturm-count bisection for real symmetric chains."""
    global _STURM
    if _STURM is not None:
        return _STURM
    from numba import njit

    @njit(cache=True)
    def _count(d, e2, x, pivmin):  # pragma: no cover - compiled
        # number of eigenvalues < x: negative pivots of the LDL^T factorisation of T - x
        n = d.size
        cnt = 0
        q = d[0] - x
        if abs(q) < pivmin:
            q = -pivmin
        if q < 0:
            cnt += 1
        for i in range(1, n):
            q = (d[i] - x) - e2[i - 1] / q
            if abs(q) < pivmin:
                q = -pivmin
            if q < 0:
                cnt += 1
        return cnt

    @njit(cache=True)
    def _select(D, E2, lo_idx, hi_idx, out):  # pragma: no cover - compiled
        N, n = D.shape
        eps = 2.220446049250313e-16
        for k in range(N):
            d = D[k]
            e2 = E2[k]
            lo = np.inf
            hi = -np.inf
            emax = 0.0
            for i in range(n):
                r = 0.0
                if i > 0:
                    r += np.sqrt(e2[i - 1])
                if i < n - 1:
                    r += np.sqrt(e2[i])
                lo = min(lo, d[i] - r)
                hi = max(hi, d[i] + r)
                if i < n - 1:
                    emax = max(emax, e2[i])
            pivmin = 1e-290 * max(1.0, emax)
            span = max(hi - lo, 1e-300)
            lo -= 2 * eps * span + pivmin
            hi += 2 * eps * span + pivmin
            for idx in range(lo_idx, hi_idx + 1):
                a = lo
                b = hi
                for _ in range(200):
                    mid = 0.5 * (a + b)
                    if b - a <= 4 * eps * max(abs(a), abs(b)) + 2 * pivmin or mid == a or mid == b:
                        break
                    if _count(d, e2, mid, pivmin) <= idx:
                        a = mid
                    else:
                        b = mid
                out[k, idx - lo_idx] = 0.5 * (a + b)

    _STURM = _select
    return _STURM


def symmetric_tridiagonal_eigvals_select(diag: ArrayLike, offdiag: ArrayLike, lo: int, hi: int) -> np.ndarray:
    """Eigenvalues number ``lo .. hi`` (0-based, ascending) of real symmetric tridiagonal chains.

    Bisection on the Sturm count (the number of negative pivots of ``T - x``), compiled
    with numba: ``O(n)`` per bisection step, about 50 steps per eigenvalue, no LAPACK call
    overhead -- much cheaper than a full diagonalisation when only a few eigenvalues
    are needed.  ``diag``: ``(..., n)`` real; ``offdiag``: ``(..., n-1)`` real.  Returns
    ``(..., hi - lo + 1)``.
    """
    d = _v.real_array(diag, "diag")
    e = _v.real_array(offdiag, "offdiag")
    if d.ndim == 0 or e.ndim == 0 or d.shape[-1] < 1 or e.shape[-1] != d.shape[-1] - 1:
        raise ValueError("offdiag must be one shorter than diag along the last axis")
    n = d.shape[-1]
    lo = _v.check_int(lo, "lo", lo=0, hi=n - 1)
    hi = _v.check_int(hi, "hi", lo=lo, hi=n - 1)
    try:
        shape = np.broadcast_shapes(d.shape[:-1], e.shape[:-1])
    except ValueError:
        raise ValueError(f"the leading axes of diag {d.shape} and offdiag {e.shape} do not broadcast") from None
    d = np.ascontiguousarray(np.broadcast_to(d, shape + (n,)).reshape(-1, n))
    e2 = np.ascontiguousarray(np.broadcast_to(e * e, shape + (n - 1,)).reshape(-1, n - 1))
    out = np.empty((len(d), hi - lo + 1))
    _compiled_sturm()(d, e2, int(lo), int(hi), out)
    return out.reshape(shape + (hi - lo + 1,))


def _dense_tridiagonal(d: np.ndarray, e2: np.ndarray) -> np.ndarray:
    H = np.zeros(d.shape + (d.shape[-1],), dtype=complex)
    n = d.shape[-1]
    i = np.arange(n)
    H[..., i, i] = d
    off = np.sqrt(e2)                      # complex symmetric form: best balanced
    H[..., i[:-1], i[:-1] + 1] = off
    H[..., i[:-1] + 1, i[:-1]] = off
    return np.linalg.eigvals(H)


def tridiagonal_eigvals(diag: ArrayLike, coupling_products: ArrayLike, *, method: str = "auto",
                        sort: str = "real") -> np.ndarray:
    """All eigenvalues of open tridiagonal chains, from the diagonal and the hopping products.

    Parameters
    ----------
    diag
        ``(..., n)`` diagonal entries.
    coupling_products
        ``(..., n-1)``: ``H[j, j+1] * H[j+1, j]`` (only these products matter: a diagonal
        similarity changes the hoppings but not the spectrum).
    method
        ``"auto"``: LAPACK bisection (``scipy.linalg.eigvalsh_tridiagonal``) when every
        chain is real symmetric (real diagonal, positive products), else the compiled
        complex root-free QL (``O(n^2)``) with a dense fallback for any chain that does not
        converge or fails the trace check; ``"ql"``: always the QL; ``"dense"``:
        ``numpy.linalg.eigvals`` of the dense matrix (``O(n^3)``, reference).
    sort
        ``"real"``: ascending real part (ties by imaginary part); ``"none"``.

    Returns
    -------
    complex array ``(..., n)``.
    """
    d = _v.complex_array(diag, "diag")
    e2 = _v.complex_array(coupling_products, "coupling_products")
    if d.ndim == 0 or e2.ndim == 0 or d.shape[-1] < 1 or e2.shape[-1] != d.shape[-1] - 1:
        raise ValueError("coupling_products must be one shorter than diag along the last axis")
    _v.check_choice(method, "method", ("auto", "ql", "dense"))
    _v.check_choice(sort, "sort", ("real", "none"))
    try:
        shape = np.broadcast_shapes(d.shape[:-1], e2.shape[:-1])
    except ValueError:
        raise ValueError(f"the leading axes of diag {d.shape} and coupling_products {e2.shape} do not broadcast") \
            from None
    n = d.shape[-1]
    batch = float(np.prod(shape, dtype=float))
    if method == "dense":
        _v.check_dense(n, "diag", f"array with {n} sites", eig=True, fix="use shorter chains or method='auto'")
    if batch * n * n > 1e11:
        raise ValueError(f"diag: {batch:.3g} chains of {n} sites cost O(n^2) each ({batch * n * n:.3g} operations), "
                         "above the limit of 1e11; split the batch or use shorter chains")
    d = np.broadcast_to(d, shape + (n,)).reshape(-1, n)
    e2 = np.broadcast_to(e2, shape + (n - 1,)).reshape(-1, n - 1)
    ev = np.empty_like(d)
    if method == "dense" or n < 3:
        ev[:] = _dense_tridiagonal(d, e2)
    else:
        real_sym = np.zeros(len(d), dtype=bool)
        if method == "auto":
            real_sym = (np.all(d.imag == 0, axis=1) & np.all(e2.imag == 0, axis=1)
                        & np.all(e2.real >= 0, axis=1))
        if np.any(real_sym):
            from scipy.linalg import eigvalsh_tridiagonal

            for k in np.flatnonzero(real_sym):
                ev[k] = eigvalsh_tridiagonal(d[k].real, np.sqrt(e2[k].real), check_finite=False)
        rest = np.flatnonzero(~real_sym)
        if rest.size:
            dr, er = np.ascontiguousarray(d[rest]), np.ascontiguousarray(e2[rest])
            out = np.empty_like(dr)
            ok = np.empty(len(dr), dtype=np.bool_)
            _compiled_tqlrat()(dr, er, out, ok, 60)
            # independent check: the sums of the eigenvalues and of their squares are traces
            scale = np.abs(dr).max(axis=1) + np.sqrt(np.abs(er).max(axis=1, initial=0.0)) + 1e-300
            tr1 = np.abs(out.sum(1) - dr.sum(1)) / (n * scale)
            tr2 = np.abs((out ** 2).sum(1) - (dr ** 2).sum(1) - 2 * er.sum(1)) / (n * scale ** 2)
            bad = ~ok | ~np.isfinite(out).all(1) | (tr1 > 1e-9) | (tr2 > 1e-9)
            if np.any(bad):
                out[bad] = _dense_tridiagonal(dr[bad], er[bad])
            ev[rest] = out
    if sort == "real":
        order = np.lexsort((ev.imag, ev.real), axis=-1)
        ev = np.take_along_axis(ev, order, axis=-1)
    return ev.reshape(shape + (n,))
