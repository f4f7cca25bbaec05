"""Counting zero-energy (edge) modes of open chains without trusting round-off.

Why this module exists
----------------------
Eigenvalues of open non-Hermitian chains are exponentially ill-conditioned
(the skin effect), so ``numpy.linalg.eigvals`` can report a "zero mode" that is
not there or miss one that is (see :mod:`nhtopo_lib.spectra`).  A count is only
called here when it is *certified*:

1. **Exact similarity.**  The open chain is replaced by
   ``S^{-1} H S`` with ``S = diag(r**j)`` (:meth:`Chain.gauge_transformed`), which
   has exactly the same spectrum for any ``r > 0``.  With ``r`` the GBZ radius
   (when the GBZ is a circle) the transformed matrix has no skin effect and is
   well conditioned; otherwise ``r`` in the middle of the GBZ's ``|z|`` range
   still removes most of the non-normality.
2. **Gershgorin certificate.**  With the numerically computed eigenvector
   matrix ``V`` and an approximate inverse ``X``, the matrix ``V^{-1} H V`` is
   enclosed entry by entry, including rigorous bounds for every floating-point
   rounding error (the standard ``gamma_n`` bounds of Higham, *Accuracy and
   Stability of Numerical Algorithms*, ch. 3, inflated by a safety factor 4),
   for the inexact inverse (``||I - X V|| < 1``) and for the rounding of the
   transformed matrix entries.  Gershgorin's theorem (a union of ``k`` discs
   disjoint from the others contains exactly ``k`` eigenvalues) then gives:
   exactly ``count`` eigenvalues with ``|E| <= zero_bound`` and all others with
   ``|E| >= bulk_gap``.
3. **High precision fallback.**  If the certificate fails (too non-normal), the
   untransformed open chain is diagonalised with rigorous ball arithmetic
   (:func:`nhtopo_lib.spectra.eigvals_certified`, python-flint); slow.

The count is *refused* (ValueError) when the margin ``bulk_gap / zero_bound``
is too small: then either ``E = 0`` (nearly) touches the bulk continuum (a gap
closing), or the chain is too short for the two edge modes to have split off
(their hybridisation decays like ``(|zeta_2mu| / |zeta_2mu+1|)**(N/2)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as _v
from .chain import Chain

__all__ = ["ZeroModeCount", "gershgorin_enclosure", "certified_zero_modes"]

_U = 2.0 ** -53


def _gamma(k: int) -> float:
    return k * _U / (1 - k * _U)


def gershgorin_enclosure(H: np.ndarray, entry_rtol: float = 0.0):
    """Rigorous eigenvalue discs of ``H_exact`` from a double-precision eigendecomposition.

    ``H`` is the floating-point matrix; the matrix whose eigenvalues are
    wanted may differ from it entrywise by ``|H_exact - H| <= entry_rtol * |H|``.

    Returns ``(centers, radii, delta)``: every connected union of ``k`` discs
    ``|E - centers[i]| <= radii[i]`` that is disjoint from the other discs
    contains exactly ``k`` eigenvalues of ``H_exact``.  ``delta`` bounds
    ``||I - X V||_inf`` (the quality of the inverse); the discs are infinite
    (certificate failed) when ``delta >= 1/2``.
    """
    H = _v.square_matrix(H, "H")
    entry_rtol = _v.check_nonneg(entry_rtol, "entry_rtol")
    _v.check_dense(H.shape[0], "H", f"matrix of shape {H.shape}", eig=True, fix="use a smaller matrix")
    n = H.shape[0]
    w, V = np.linalg.eig(H)
    try:
        X = np.linalg.inv(V)
    except np.linalg.LinAlgError:
        return w, np.full(n, np.inf), np.inf
    gam = 4.0 * _gamma(n + 4)
    aH, aV, aX = np.abs(H), np.abs(V), np.abs(X)
    HV = H @ V
    eHV = gam * (aH @ aV)
    C = X @ HV
    eC = gam * (aX @ np.abs(HV)) + aX @ eHV
    eIn = entry_rtol * (aX @ (aH @ aV)) if entry_rtol > 0 else 0.0
    F = np.eye(n) - X @ V
    eF = gam * (aX @ aV) + _U
    delta = float(np.max(np.sum(np.abs(F) + eF, axis=1)))
    if not np.isfinite(delta) or delta >= 0.5:
        return np.diag(C), np.full(n, np.inf), delta
    Ynorm = float(np.max(np.sum(np.abs(C) + eC + eIn, axis=1)))
    glob = delta / (1 - delta) * Ynorm
    off = np.abs(C)
    np.fill_diagonal(off, 0.0)
    radii = off.sum(axis=1) + np.sum(eC + eIn, axis=1) + glob
    return np.diag(C).copy(), radii, delta


def _schur_enclosure(H: np.ndarray, entry_rtol: float):
    """Schur form ``H = Q T Q^{-1} + Delta``: eigenvalues ``diag(T)`` of ``H - Delta`` and a bound on ``||Delta||_2``.

    ``Delta`` also covers ``|H_exact - H| <= entry_rtol |H|``.
    """
    import scipy.linalg as sla

    n = H.shape[0]
    T, Q = sla.schur(H, output="complex")
    gam = 4.0 * _gamma(n + 4)
    aH, aQ, aT = np.abs(H), np.abs(Q), np.abs(T)
    R = H @ Q - Q @ T
    eR = gam * (aH @ aQ + aQ @ aT)
    res = float(np.linalg.norm(np.abs(R) + eR))  # Frobenius >= 2-norm
    E = np.eye(n) - Q.conj().T @ Q
    eE = gam * (aQ.T @ aQ) + _U
    orth = float(np.linalg.norm(np.abs(E) + eE))
    if orth >= 0.5:
        return np.diag(T).copy(), np.inf
    qinv = 1.0 / np.sqrt(1.0 - orth)  # ||Q^{-1}||_2 <= (1 - ||I - Q*Q||)^{-1/2}
    d_in = entry_rtol * float(np.linalg.norm(aH)) if entry_rtol > 0 else 0.0
    return np.diag(T).copy(), res * qinv + d_in


def _circle_is_clear(H: np.ndarray, rho: float, pert: float, n_init: int = 16, max_points: int = 96) -> bool:
    """Certify ``sigma_min(H - E) > pert`` on the whole circle ``|E| = rho``.

    ``sigma_min`` is 1-Lipschitz in ``E``; it is sampled adaptively (bisecting
    arcs whose Lipschitz lower bound is not conclusive) and every sample is
    lowered by a backward-error bound of the SVD (``10 n u ||H - E||_F``).
    """
    import scipy.linalg as sla

    n = H.shape[0]
    normH = float(np.linalg.norm(H))
    eye = np.eye(n)

    def smin(phi):
        E = rho * np.exp(1j * phi)
        s = sla.svdvals(H - E * eye, check_finite=False)[-1]
        return s - 10 * n * _U * (normH + rho * np.sqrt(n))

    phis = list(np.linspace(0, 2 * np.pi, n_init + 1))
    vals = [smin(p) for p in phis[:-1]]
    vals.append(vals[0])
    count = n_init
    stack = list(range(n_init))
    intervals = [(phis[i], phis[i + 1], vals[i], vals[i + 1]) for i in range(n_init)]
    while intervals:
        a, b, sa, sb = intervals.pop()
        if min(sa, sb) <= pert:
            return False
        if min(sa, sb) - rho * (b - a) / 2 > pert:
            continue
        if count >= max_points:
            return False
        m = 0.5 * (a + b)
        sm = smin(m)
        count += 1
        intervals.append((a, m, sa, sm))
        intervals.append((m, b, sm, sb))
    del stack
    return True


def _block_schur_count(H: np.ndarray, entry_rtol: float, zero_tol: float, min_gap: float, min_margin: float,
                       abs_pert: float = 0.0):
    """Certified zero-mode count from an ordered Schur form and one singular value decomposition.

    ``H = Q T Q^{-1} + Delta`` with the eigenvalues ``|t_ii| <= zero_tol * ||H||_inf`` ordered first,
    ``T = [[T11, T12], [0, T22]]`` (``T11`` holds the ``k`` zero-mode candidates, ``T22`` the bulk), and a
    rigorous bound on ``||Delta||_2`` (:func:`_schur_enclosure`).  For ``|E| < s22 = sigma_min(T22)``
    (lowered by a backward-error bound of the SVD),
    ``||(T - E)^{-1}|| <= a11 + a22 + a11 ||T12|| a22`` with ``a22 = 1 / (s22 - |E|)`` and
    ``a11 = 1 / sigma_min(T11 - E)`` (a ``k x k`` matrix, sampled densely along a circle; ``sigma_min`` is
    1-Lipschitz in ``E``).  If ``sigma_min(T - E) > kappa(Q) ||Delta||`` on the circles ``|E| = rho1`` and
    ``rho2``, no eigenvalue of ``H - t Delta`` (``0 <= t <= 1``) crosses them, so ``H`` has exactly ``k``
    eigenvalues in ``|E| < rho1`` and none in ``rho1 <= |E| < rho2`` (Rouche-type homotopy argument).
    No per-point decomposition of the large matrix is needed.

    Returns ``(count, zero_bound, bulk_gap, centers, radii, method)`` or None if the bound is inconclusive.
    """
    import scipy.linalg as sla

    n = H.shape[0]
    thr0 = zero_tol * float(np.max(np.sum(np.abs(H), axis=1)))
    T, Q, k = sla.schur(H, output="complex", sort=lambda x: abs(x) <= thr0)
    gam = 4.0 * _gamma(n + 4)
    aH, aQ, aT = np.abs(H), np.abs(Q), np.abs(T)
    R = H @ Q - Q @ T
    res = float(np.linalg.norm(np.abs(R) + gam * (aH @ aQ + aQ @ aT)))
    Em = np.eye(n) - Q.conj().T @ Q
    orth = float(np.linalg.norm(np.abs(Em) + gam * (aQ.T @ aQ) + _U))
    if orth >= 0.5:
        return None
    d_in = entry_rtol * float(np.linalg.norm(aH)) if entry_rtol > 0 else 0.0
    delta = res / np.sqrt(1.0 - orth) + d_in + abs_pert    # ||H_exact - Q T Q^{-1}||_2
    kappa_q = np.sqrt((1.0 + orth) / (1.0 - orth))          # ||Q|| ||Q^{-1}||
    need = kappa_q * delta * (1.0 + 1e-6)
    lam = np.diag(T).copy()
    scale = max(float(np.max(np.abs(lam))), 1e-300)
    zero = np.abs(lam[:k]) <= zero_tol * scale
    if not np.all(zero):  # candidates between zero_tol * scale and zero_tol * ||H||_inf: not zero modes
        return None
    T11, T12, T22 = T[:k, :k], T[:k, k:], T[k:, k:]
    if T22.size:
        sv = sla.svdvals(T22, check_finite=False)
        s22 = float(sv[-1]) - 10 * n * _U * float(np.linalg.norm(T22))
    else:
        s22 = np.inf
    t12 = float(np.linalg.norm(T12)) * (1 + 1e-12) if T12.size else 0.0
    if not s22 > 0:
        return None

    def clear(rho: float) -> bool:
        if rho >= s22:
            return False
        a22 = 1.0 / (s22 - rho)
        if k == 0:
            return 1.0 / a22 > need
        m = 256
        phi = 2 * np.pi * np.arange(m) / m
        s11 = np.array([np.linalg.svd(T11 - rho * np.exp(1j * f) * np.eye(k), compute_uv=False)[-1] for f in phi])
        s11 = s11 * (1 - 1e-12) - 10 * k * _U * (float(np.linalg.norm(T11)) + rho * np.sqrt(k))
        lo = np.minimum(s11, np.roll(s11, -1)) - rho * np.pi / m    # Lipschitz bound between samples
        if np.any(lo <= 0):
            return False
        a11 = 1.0 / lo
        return bool(np.all(1.0 / (a11 + a22 + a11 * t12 * a22) > need))

    rho2 = 0.5 * min(s22, float(np.min(np.abs(lam[k:]))) if n > k else np.inf)
    if not np.isfinite(rho2):
        rho2 = 2 * scale
    if rho2 < min_gap * scale or not clear(rho2):
        return None
    if k == 0:
        return (0, 0.0, rho2, lam, np.zeros(n),
                f"ordered Schur form + block bound on sigma_min (no eigenvalue in |E| < {rho2:.3g})")
    rho1 = max(100 * float(np.max(np.abs(lam[:k]))), 1e-13 * scale)
    while rho1 <= 10 * zero_tol * scale and rho1 < rho2 / min_margin * 10:
        if clear(rho1):
            if rho2 / rho1 < min_margin:
                return None
            radii = np.where(np.arange(n) < k, rho1, 0.0)
            return (k, rho1, rho2, lam, radii,
                    f"ordered Schur form + block bound on sigma_min on |E| = {rho1:.3g}, {rho2:.3g} (Rouche)")
        rho1 *= 10.0
    return None


@dataclass
class ZeroModeCount:
    """A certified count of eigenvalues near ``E = 0`` of an open chain.

    ``count`` eigenvalues satisfy ``|E| <= zero_bound`` and every other
    eigenvalue has ``|E| >= bulk_gap`` (rigorously, see the module docstring).
    ``margin = bulk_gap / zero_bound``.  ``centers``/``radii`` are the
    enclosing discs of all eigenvalues; ``method`` says how they were obtained.
    """

    count: int
    n_cells: int
    zero_bound: float
    bulk_gap: float
    margin: float
    method: str
    gauge_radius: float
    centers: np.ndarray
    radii: np.ndarray

    @property
    def eigenvalues(self) -> np.ndarray:
        """Midpoints of the eigenvalue enclosures, sorted by (Re, Im)."""
        c = self.centers
        return c[np.lexsort((c.imag, c.real))]


def _decide(centers, radii, zero_tol, min_gap, min_margin, scale):
    mag = np.abs(centers)
    Z = mag <= zero_tol * scale
    zero_bound = float(np.max(mag[Z] + radii[Z])) if np.any(Z) else 0.0
    bulk = ~Z
    bulk_gap = float(np.min(mag[bulk] - radii[bulk])) if np.any(bulk) else np.inf
    margin = bulk_gap / zero_bound if zero_bound > 0 else np.inf
    callable_ = (bulk_gap >= min_gap * scale) and (zero_bound <= 10 * zero_tol * scale) and \
        (margin >= min_margin) and np.all(np.isfinite(radii))
    return int(np.sum(Z)), zero_bound, bulk_gap, margin, bool(callable_)


def certified_zero_modes(chain: Chain, n_cells: int, *, zero_tol: float = 1e-6, min_gap: float = 1e-3,
                         min_margin: float = 1e3, gauge_radius: float | None = None,
                         high_precision: bool = True, max_hp_cells: int = 60,
                         abs_pert: float = 0.0) -> ZeroModeCount:
    """Certified number of eigenvalues of the open chain near ``E = 0``.

    Parameters
    ----------
    chain
        Any chain (``H_OBC[j, j+n] = T_n``).
    n_cells
        Number of unit cells of the open chain.
    zero_tol
        Eigenvalues with ``|E| <= zero_tol * scale`` are zero-mode candidates
        (``scale`` = largest ``|E|``).
    min_gap
        The other eigenvalues must be certified to satisfy
        ``|E| >= min_gap * scale``; otherwise ``E = 0`` is (nearly) on the bulk
        continuum and no count is called.
    min_margin
        Required ratio ``bulk_gap / zero_bound``.
    gauge_radius
        ``r`` of the similarity ``diag(r**j)``; default: the GBZ radius if the
        GBZ is a circle, else ``sqrt(min|z| max|z|)`` over the GBZ
        (:func:`nhtopo_lib.gbz.solve_gbz`).
    high_precision
        Fall back to rigorous python-flint eigenvalues of the untransformed
        matrix when the double-precision certificate fails (only for
        ``n_cells <= max_hp_cells``: ~45 s at 200x200).
    abs_pert
        A bound on ``||H_exact - H||_2`` for the open-chain matrix ``H`` of the
        transformed ``chain`` (after ``diag(r**j)``), for callers that pass a
        rounded transform of the chain whose count they want (e.g. a chain
        rotated to off-diagonal form); it enlarges the perturbation of the
        Schur certificates, and the Gershgorin and high-precision tiers are
        skipped when it is non-zero.

    Raises
    ------
    ValueError
        When no certified count with the requested margin is possible; the
        message reports the bulk gap and zero-mode bound that were reached.
    """
    from .gbz import solve_gbz

    chain = _v.check_chain(chain, "chain")
    N = _v.check_int(n_cells, "n_cells", lo=2)
    _v.check_dense(N * chain.nbands, "n_cells", N, eig=True, fix="use fewer cells")
    zero_tol = _v.check_tol(zero_tol, "zero_tol")
    min_gap = _v.check_tol(min_gap, "min_gap")
    if zero_tol >= min_gap:
        raise ValueError(f"zero_tol={zero_tol:g} must be smaller than min_gap={min_gap:g}: zero modes lie below "
                         "zero_tol * scale, the bulk above min_gap * scale")
    min_margin = _v.check_positive(min_margin, "min_margin")
    if gauge_radius is not None:
        gauge_radius = _v.check_positive(gauge_radius, "gauge_radius")
        if abs(np.log(gauge_radius)) * max(chain.reach, 1) > 100:
            raise ValueError(f"gauge_radius={gauge_radius:g} is too far from 1: the transformed hoppings r**n T_n span "
                             "more than 1e43 and the double-precision certificate cannot work; use the GBZ radius "
                             "(gauge_radius=None)")
    max_hp_cells = _v.check_int(max_hp_cells, "max_hp_cells", lo=0)
    rng_r = (1.0, 1.0)
    if gauge_radius is None:
        try:
            g = solve_gbz(chain)
            lo, hi = g.radius_range
            rng_r = (lo, hi)
            gauge_radius = float(np.median(np.abs(g.all_z))) if g.is_circle() else float(np.sqrt(lo * hi))
        except ValueError:
            gauge_radius = 1.0
    r = float(gauge_radius)
    if not (r > 0 and np.isfinite(r)):
        raise ValueError("gauge_radius must be positive and finite")
    gauged = chain.gauge_transformed(r) if r != 1.0 else chain
    H = gauged.obc_matrix(N)
    entry_rtol = (4 + 2 * chain.reach) * _U if r != 1.0 else 0.0
    sim = f"similarity diag(r^j), r={r:.6g}, " if r != 1.0 else "no similarity needed (r = 1), "
    zb, bg, margin, ok = np.nan, np.nan, np.nan, False
    radii = np.full(H.shape[0], np.inf)
    # tier 1: ordered Schur form and one SVD of its bulk block (needs no eigenvectors of the bulk)
    abs_pert = float(abs_pert)
    if not (abs_pert >= 0 and np.isfinite(abs_pert)):
        raise ValueError("abs_pert must be a finite non-negative number")
    blk = _block_schur_count(H, entry_rtol, zero_tol, min_gap, min_margin, abs_pert)
    if blk is not None:
        count, zb, bg, centers, radii, how = blk
        scale = max(float(np.max(np.abs(centers))), 1e-300)
        margin = bg / zb if zb > 0 else np.inf
        ok = True
        method = sim + how
    elif abs_pert == 0:
        # tier 2: full eigendecomposition + Gershgorin discs
        centers, radii, delta = gershgorin_enclosure(H, entry_rtol)
        scale = max(float(np.max(np.abs(centers))), 1e-300)
        count, zb, bg, margin, ok = _decide(centers, radii, zero_tol, min_gap, min_margin, scale)
        method = sim + "double precision + Gershgorin certificate"
    if not ok:
        # tier 3: Schur form + sigma_min of the full matrix sampled on two circles around E = 0 (slow)
        lam, pert = _schur_enclosure(H, entry_rtol)
        pert += abs_pert
        if np.isfinite(pert):
            scale = max(float(np.max(np.abs(lam))), 1e-300)
            mag = np.abs(lam)
            Zc = mag <= zero_tol * scale
            bulk_min = float(np.min(mag[~Zc])) if np.any(~Zc) else np.inf
            rho2 = 0.5 * bulk_min if np.isfinite(bulk_min) else 2 * scale
            rho1 = min(max(100 * float(np.max(mag[Zc])) if np.any(Zc) else 0.0, 1e-9 * scale),
                       zero_tol * scale)
            clear2 = rho2 >= min_gap * scale and _circle_is_clear(H, rho2, pert)
            clear1 = (not np.any(Zc)) or (rho1 < rho2 and _circle_is_clear(H, rho1, pert))
            if clear1 and clear2:
                count = int(np.sum(Zc))
                zb = rho1 if count else 0.0
                bg = rho2
                margin = bg / zb if zb > 0 else np.inf
                ok = margin >= min_margin and bg >= min_gap * scale
                centers = lam
                radii = np.where(Zc, rho1, 0.0)
                method = sim + (f"Schur form + certified sigma_min on the circles |E| = {rho1:.3g}, {rho2:.3g} "
                                "(Rouche)")
    gap_closed = np.isfinite(bg) and bg < min_gap * scale and np.all(np.isfinite(radii))
    if not ok and high_precision and abs_pert == 0 and N <= max_hp_cells and not gap_closed:
        from .spectra import eigvals_certified, recommended_bits

        rho = max(rng_r[1] / min(r, 1.0) if r < 1 else rng_r[1], 1.0 / rng_r[0], r, 1 / r, 1.0001)
        bits = recommended_bits(N, min(rho, 1e30))
        if bits > 1024 or N * chain.nbands > _v.MAX_FLINT_ROWS:  # too slow to be worth it: refused below
            raise ValueError(f"cannot certify the number of zero modes at n_cells={N}: the double-precision "
                             f"certificates failed and the high-precision fallback would need {bits} bits on "
                             f"{N * chain.nbands} rows; the chain is too non-normal at this length -- use a "
                             "gauge_radius closer to the GBZ radius or fewer cells")
        try:
            mids, rads = eigvals_certified(chain.obc_matrix(N), bits)
        except ValueError:  # eigenvalues not isolated at this precision: no certificate from this tier
            mids = None
        if mids is not None:
            centers, radii = mids, rads
            scale = max(float(np.max(np.abs(centers))), 1e-300)
            count, zb, bg, margin, ok = _decide(centers, radii, zero_tol, min_gap, min_margin, scale)
            method = f"python-flint certified eigenvalues at {bits} bits"
    if not ok:
        est = np.sort(np.abs(np.linalg.eigvals(H)))
        if np.isfinite(zb) and np.isfinite(bg):
            what = (f"certified: eigenvalues near 0 bounded by {zb:.3g}, the rest by |E| >= {bg:.3g} "
                    f"(margin {margin:.3g} < {min_margin:g} or gap < {min_gap:g}*scale)")
        else:
            what = "the certificates failed (the transformed matrix is too non-normal at this length)"
        raise ValueError(
            f"cannot certify the number of zero modes at n_cells={N}: {what}; uncertified double-precision "
            f"estimate of the smallest |E|: {', '.join(f'{v:.2g}' for v in est[:4])} (scale {scale:.3g}). "
            "Either E = 0 (nearly) touches the bulk continuum (gap closing) or the edge modes have not split "
            "off at this length: increase n_cells")
    return ZeroModeCount(count=count, n_cells=N, zero_bound=zb, bulk_gap=bg, margin=margin, method=method,
                         gauge_radius=r, centers=centers, radii=radii)
