"""Generalized Brillouin zone (GBZ) of any one-dimensional chain.

Physics
-------
For a chain ``H(beta) = sum_n T_n beta**n`` (see :mod:`nhtopo_lib.chain`;
``beta = e^{ik}``, here written ``z``) the characteristic polynomial
``f(z, E) = det(H(z) - E)`` is a Laurent polynomial in ``z`` with extreme
exponents ``-p`` and ``q`` (for a generic ``E``).  At fixed ``E`` it has
``p + q`` roots, ordered ``|z_1| <= ... <= |z_{p+q}|``.  The open chain's
continuum spectrum in the thermodynamic limit is the set of ``E`` with
``|z_p(E)| = |z_{p+1}(E)|`` and the GBZ is the set of those ``z_p, z_{p+1}``
(Yao & Wang 2018; Yokomizo & Murakami 2019).  For a Hermitian chain the
GBZ is the Brillouin zone ``|z| = 1``.

Algorithm (all steps vectorised, no fitting)
--------------------------------------------
1. *Energy symmetry.*  If ``f`` depends on ``E`` only through ``eps = E**s``
   (e.g. ``s = 2`` for sublattice-symmetric chains, ``f = E**2 - Q(z)``), work
   with ``eps``: this removes the trivial doubling of every solution.
2. *theta-method.*  A GBZ point ``z`` has a partner ``z w`` (``w = e^{i theta}``)
   with the same energy.  For each ``theta`` on a grid clustered near 0 and
   2 pi the candidates ``z`` are the roots of

   * one band (after step 1): ``[P(z w) - P(z)] / (w - 1) = 0`` (a polynomial;
     the division is done analytically, so it stays accurate for small theta);
   * several bands: ``det[C(z) (x) 1 - 1 (x) C(z w)^T] = 0`` with ``C`` the
     companion matrix of ``f(z, .)``, solved as a linearised polynomial
     eigenvalue problem (the roots of the resultant in ``eps``).

   Each candidate is polished by Newton's method on ``f(z, eps) = f(z w, eps) = 0``
   and kept only if ``z`` and ``z w`` are the ``p``-th and ``(p+1)``-th roots
   by modulus of ``f(., eps)``.
3. *Uniform resampling.*  For ``phi`` on a uniform grid of ``arg z`` the exact
   GBZ point on the ray is found by Newton's method in ``(|z|, theta, eps)``
   seeded from step 2 (and by continuation from the neighbouring ray).
4. *Loops.*  Points are grouped into closed loops ordered by increasing
   ``arg z`` (counter-clockwise), stitched across label swaps (where two
   loops cross, the radius order of the points on a ray swaps; the stitching
   follows each loop by continuity).  Near the branch points, where ``theta``
   goes to zero and Newton's method degenerates, the theta-method points fill
   in.
5. *Residual.*  For every returned point all roots of ``f(., eps)`` are
   recomputed independently and ``||z_p| - |z_{p+1}||`` is reported.

Non-Bloch shift convention
--------------------------
When the GBZ is a circle ``|z| = r`` the non-Bloch Hamiltonian is
``H(k + i kappa) = H(z = r e^{ik})`` with ``kappa = -ln r`` (since
``|e^{i(k + i kappa)}| = e^{-kappa}``); ``Chain.gauge_transformed(r)`` is the
open chain transformed by ``S = diag(r**j)``, an exact similarity that
removes the skin effect.  See :func:`gbz_circle_radius`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v
from .chain import Chain

__all__ = ["GBZ", "solve_gbz", "gbz_circle_radius", "gbz_region_mask", "ReducedCharPoly", "reduced_char_poly",
           "beta_root_gap"]


# --------------------------------------------------------------------------- helpers
def poly_roots_batch(coeffs: np.ndarray) -> np.ndarray:
    """Roots of many polynomials at once; ``coeffs[k]`` lists powers 0..d (lowest first).

    Returns an array of shape ``(n, d)``.  Rows whose leading coefficient is
    (numerically) zero lose roots to infinity, which are returned as ``inf``;
    vanishing trailing coefficients give exact zeros.
    """
    c = np.atleast_2d(np.asarray(coeffs, dtype=complex))
    n, d1 = c.shape
    d = d1 - 1
    if d < 1:
        return np.zeros((n, 0), dtype=complex)
    scale = np.max(np.abs(c), axis=1)
    if np.any(scale == 0):
        raise ValueError("a polynomial vanishes identically; its roots are undefined")
    lead = np.abs(c[:, -1]) / scale
    good = lead > 1e-13
    out = np.full((n, d), np.inf + 0j)
    if np.any(good):
        cg = c[good]
        a = cg[:, :-1] / cg[:, -1:]
        comp = np.zeros((cg.shape[0], d, d), dtype=complex)
        if d > 1:
            idx = np.arange(d - 1)
            comp[:, idx + 1, idx] = 1.0
        comp[:, :, -1] = -a
        out[good] = np.linalg.eigvals(comp)
    for k in np.flatnonzero(~good):  # rare: degree drop, fall back to numpy.roots
        row = c[k]
        nz = np.flatnonzero(np.abs(row) > 1e-13 * scale[k])
        r = np.roots(row[: nz[-1] + 1][::-1]) if nz[-1] > 0 else np.zeros(0)
        out[k, : len(r)] = r
    return out


def beta_root_gap(chain: Chain, E: ArrayLike) -> np.ndarray:
    """Root gap ``gamma(E) = ln(|beta_{p+1}(E)| / |beta_p(E)|)`` of ``det(H(beta) - E)`` (vectorised in ``E``).

    The ``p + q`` roots ``beta`` of ``det(H(beta) - E) = 0`` (``-p``, ``q``: extreme exponents of
    ``beta`` for a generic ``E``) are sorted by modulus, ``|beta_1| <= ... <= |beta_{p+q}|``.  The
    open chain's continuum is the set ``gamma(E) = 0`` (Yao & Wang 2018; Yokomizo & Murakami 2019),
    so ``gamma`` measures the distance of ``E`` from the continuum in the ``beta``-plane, without
    sampling any curve: a bulk eigenvalue of an ``N``-cell open chain has ``gamma = O(1/N)``, an edge
    state with localisation length ``xi`` cells has ``gamma`` of order ``1/xi`` for every ``N``.
    ``gamma`` is invariant under the similarity ``chain.gauge_transformed(r)`` (all roots scale by
    ``1/r``).  Energies where ``det(H(beta) - E)`` does not depend on ``beta`` at all (flat bands)
    get ``gamma = 0``; a root lost to ``beta = 0`` or ``infinity`` (a vanishing extreme coefficient)
    is taken as such, so ``gamma`` may be ``inf``.

    Raises ValueError for chains that hop only one way (``p = 0`` or ``q = 0``: no root pair to
    compare) and for NaN/inf energies.
    """
    chain = _v.check_chain(chain, "chain")
    E = _v.complex_array(E, "E")
    terms = chain.char_poly.terms
    nz = [t for t in terms if not t.is_zero]
    lo, hi = min(t.low for t in nz), max(t.high for t in nz)
    if lo >= 0 or hi <= 0:
        raise ValueError(f"the chain hops only one way (powers of beta in det(H - E) run from {lo} to {hi}); "
                         "the root gap |beta_p| vs |beta_p+1| is undefined")
    p = -lo
    C = np.zeros((len(terms), hi - lo + 1), dtype=complex)
    for b, t in enumerate(terms):
        if not t.is_zero:
            C[b, t.low - lo: t.high - lo + 1] = t.coeffs
    flat = E.ravel()
    out = np.zeros(flat.size)
    powers = np.arange(len(terms))
    for a in range(0, flat.size, 4096):
        e = flat[a:a + 4096]
        Ep = e[:, None] ** powers
        co = Ep @ C
        size = np.abs(Ep) @ np.abs(C)
        live = np.max(np.abs(co), axis=1) > 1e-13 * np.max(size, axis=1)
        g = np.zeros(e.size)
        if np.any(live):
            m = np.sort(np.abs(poly_roots_batch(co[live])), axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                g[live] = np.where(m[:, p] > m[:, p - 1], np.log(m[:, p] / m[:, p - 1]), 0.0)
        out[a:a + 4096] = g
    return out.reshape(E.shape)


@dataclass(frozen=True, eq=False)
class ReducedCharPoly:
    """``det(H(z) - E) = sum_b eps**b P_b(z)`` with ``eps = E**s`` (exact coefficients).

    ``coeffs[b, l + p]`` is the coefficient of ``eps**b z**l``;
    ``p``, ``q`` are the extreme exponents in ``z``; ``s`` the energy power.
    """

    coeffs: np.ndarray
    p: int
    q: int
    s: int

    @property
    def degree(self) -> int:
        """Degree ``J'`` in ``eps``."""
        return self.coeffs.shape[0] - 1

    @property
    def powers(self) -> np.ndarray:
        """The exponents ``-p .. q`` of ``z``, one per column of the coefficient table."""
        return np.arange(-self.p, self.q + 1)

    def evaluate(self, z: np.ndarray, eps: np.ndarray, derivs: bool = False):
        """``f(z, eps)`` (and ``f_z``, ``f_eps``, and the absolute-value scale) for paired arrays."""
        z, eps = _v.complex_array(z, "z"), _v.complex_array(eps, "eps")
        _v.broadcast({"z": z, "eps": eps})
        return self._evaluate(z, eps, derivs)

    def _evaluate(self, z, eps, derivs: bool = False):
        # unchecked: Newton iterates that run off to inf/NaN are filtered by the callers
        with np.errstate(all="ignore"):
            return self._evaluate_raw(np.asarray(z, dtype=complex), np.asarray(eps, dtype=complex), derivs)

    def _evaluate_raw(self, z, eps, derivs):
        ls = self.powers
        bs = np.arange(self.degree + 1)
        Z = z[..., None] ** ls
        Ep = eps[..., None] ** bs
        M = np.einsum("...b,bl->...l", Ep, self.coeffs)
        f = np.sum(M * Z, axis=-1)
        if not derivs:
            return f
        fz = np.sum(M * Z * ls / z[..., None], axis=-1)
        Mb = np.einsum("...b,bl->...l", Ep[..., :-1] * bs[1:], self.coeffs[1:]) if self.degree else 0 * M
        fe = np.sum(Mb * Z, axis=-1)
        fabs = np.sum(np.einsum("...b,bl->...l", np.abs(Ep), np.abs(self.coeffs)) * np.abs(Z), axis=-1)
        return f, fz, fe, fabs

    def z_polys(self, eps: np.ndarray) -> np.ndarray:
        """Coefficient rows (powers 0..p+q) of ``z**p f(z, eps)`` for each ``eps``."""
        eps = _v.complex_array(eps, "eps")
        eps = np.atleast_1d(np.asarray(eps, dtype=complex))
        Ep = eps[:, None] ** np.arange(self.degree + 1)
        return Ep @ self.coeffs

    def z_roots(self, eps: np.ndarray) -> np.ndarray:
        """All ``p + q`` roots in ``z`` at each ``eps``, sorted by modulus (shape ``(n, p+q)``)."""
        eps = _v.complex_array(eps, "eps")
        r = poly_roots_batch(self.z_polys(eps))
        return np.take_along_axis(r, np.argsort(np.abs(r), axis=1, kind="stable"), axis=1)

    def eps_roots(self, z: np.ndarray) -> np.ndarray:
        """The ``J'`` roots in ``eps`` of ``f(z, .)`` for each ``z`` (shape ``(n, J')``)."""
        z = _v.complex_array(z, "z")
        if self.p > 0 and np.any(z == 0):
            raise ValueError("z = 0 is a pole of the characteristic polynomial; pass z != 0")
        z = np.atleast_1d(np.asarray(z, dtype=complex))
        Z = z[:, None] ** self.powers
        c = Z @ self.coeffs.T  # (n, J'+1) coefficients in eps, lowest first
        return poly_roots_batch(c)


def reduced_char_poly(chain: Chain, rtol: float = 1e-13) -> ReducedCharPoly:
    """The characteristic polynomial of ``chain`` in ``eps = E**s`` with the largest ``s``.

    A power of ``E`` whose Laurent coefficient is below ``rtol`` times the
    largest coefficient counts as absent (rotated sublattice-symmetric chains
    carry ``~1e-17`` rounding noise in the odd powers).
    """
    chain = _v.check_chain(chain, "chain")
    rtol = _v.check_tol(rtol, "rtol", hi=1e-6)
    terms = chain.char_poly.terms
    J = len(terms) - 1
    scale = max(float(np.max(np.abs(t.coeffs))) if not t.is_zero else 0.0 for t in terms)
    present = [b for b, t in enumerate(terms)
               if not t.is_zero and float(np.max(np.abs(t.coeffs))) > rtol * scale]
    if present == [J]:
        raise ValueError("det(H(z) - E) does not depend on z: all hopping blocks vanish (flat chain); "
                         "there is no GBZ")
    s = 0
    for b in present:
        s = int(np.gcd(s, b))
    s = max(s, 1)
    lows = [terms[b].low for b in present]
    highs = [terms[b].high for b in present]
    p, q = -min(lows), max(highs)
    if p <= 0 or q <= 0:
        raise ValueError(f"the chain hops only one way (exponents of z in det(H - E) run from {-p} to {q}); "
                         "the open chain is block triangular, its spectrum is that of the on-site block, and "
                         "there is no GBZ")
    Jr = J // s
    C = np.zeros((Jr + 1, p + q + 1), dtype=complex)
    for b in present:
        t = terms[b]
        C[b // s, t.low + p: t.high + p + 1] += t.coeffs
    return ReducedCharPoly(C, p, q, s)


# --------------------------------------------------------------------------- result
@dataclass(eq=False)
class GBZ:
    """The GBZ of a chain as closed loops, plus the OBC continuum it generates.

    Attributes
    ----------
    loops
        Sub-GBZ loops: list of complex arrays of ``z``.  Each loop follows one
        band ``eps(z)`` continuously (it is stitched across the places where
        the root labels ``z_p``, ``z_{p+1}`` swap, and turns at junctions
        where three roots tie).  The GBZ is the boundary of the region
        ``D = {z : z is among the p innermost roots at its own energy}``
        (which contains a neighbourhood of ``z = 0``) and every loop runs with
        ``D`` on its left: the main loop, which winds once around ``z = 0``
        (:attr:`main_loops`), runs counter-clockwise; when it is star-shaped
        it starts at the smallest ``arg z >= 0`` and is ordered by increasing
        ``arg z``.  Occasional small extra loops bound islands (ccw) or holes
        (cw) of ``D``.  The first point is not repeated at the end (use
        :meth:`closed` for plotting).  For a two-band sublattice-symmetric
        chain the main loop carries the two sub-GBZ energies
        ``E = +-sqrt(Q)`` (see :meth:`energies`).
    loop_eps
        Per loop, ``eps = E**s`` at each point.
    loop_theta
        Per loop, the partner angle: ``z e^{i theta}`` is the other root of
        equal modulus at the same energy.
    s
        Energy power (``E**s = eps``); every ``eps`` gives ``s`` energies.
    p, q
        Extreme exponents of ``z`` in ``det(H(z) - E)`` (``-p .. q``).
    residual
        ``max ||z_p| - |z_{p+1}||`` over every returned point, recomputed from
        all roots of ``det(H(.) - E)`` (independent of how the point was found).
    star_shaped
        Per loop: ``True`` when ``arg z`` increases monotonically along it, so
        "ordered by ``arg z``" and "ordered along the curve" coincide.
    cloud_z, cloud_eps
        The theta-method seed points.
    method
        How the loops were found: ``"continuation"`` (pseudo-arclength continuation from the seeds)
        or the level-set fallback (contouring of a continuous function that vanishes exactly on the
        GBZ, used when the continuation fails; the reason is quoted).
    """

    loops: list
    loop_eps: list
    loop_theta: list
    s: int
    p: int
    q: int
    residual: float
    star_shaped: list
    cloud_z: np.ndarray = field(repr=False)
    cloud_eps: np.ndarray = field(repr=False)
    method: str = "continuation"

    def _loop_index(self, i) -> int:
        n = len(self.loops)
        return _v.check_int(i, "i", lo=-n, hi=n - 1, fix=f"the GBZ has {n} loop(s)")

    # ------------------------------------------------------------------ energies
    def energies(self, i: int = 0) -> np.ndarray:
        """Energies on loop ``i``, shape ``(n_i, s)``; each column continuous along the loop.

        The ``s`` columns are the ``s`` roots ``E`` of ``E**s = eps``; for a
        sublattice-symmetric chain (``s = 2``) they are the two sub-GBZ copies
        ``E = +-sqrt(Q(z))``.  After one turn the columns may come back
        permuted (an odd number of branch points inside the loop); see
        :meth:`sub_gbz_loops`.
        """
        i = self._loop_index(i)
        eps = np.asarray(self.loop_eps[i], dtype=complex)
        if self.s == 1:
            return eps[:, None]
        base = eps ** (1.0 / self.s)
        E = base[:, None] * np.exp(2j * np.pi * np.arange(self.s) / self.s)[None, :]
        return _stitch_columns(E)

    def sub_gbz_loops(self, i: int = 0) -> list:
        """The sub-GBZ loops on loop ``i`` as ``(z, E)`` pairs that close on themselves.

        A column of :meth:`energies` that does not return to itself after one
        turn continues on the next column (and goes round the ``z``-loop again)
        until it closes.
        """
        i = self._loop_index(i)
        z = self.loops[i]
        E = self.energies(i)
        ncol = E.shape[1]
        pred = 2 * E[-1] - E[-2] if len(E) > 2 else E[-1]
        perm = [int(np.argmin(np.abs(E[0] - pred[c]))) for c in range(ncol)]
        seen, out = set(), []
        for c in range(ncol):
            if c in seen:
                continue
            zs, Es, cc = [], [], c
            while cc not in seen:
                seen.add(cc)
                zs.append(z)
                Es.append(E[:, cc])
                cc = perm[cc]
            out.append((np.concatenate(zs), np.concatenate(Es)))
        return out

    @property
    def continuum(self) -> np.ndarray:
        """All OBC-continuum energies generated by the GBZ points (flat array)."""
        return np.concatenate([self.energies(i).ravel() for i in range(len(self.loops))])

    # ------------------------------------------------------------------ geometry
    @property
    def all_z(self) -> np.ndarray:
        """All GBZ points of all loops, concatenated (flat complex array)."""
        return np.concatenate(self.loops)

    @property
    def radius_range(self) -> tuple[float, float]:
        """``(min |z|, max |z|)`` over the GBZ."""
        a = np.abs(self.all_z)
        return float(a.min()), float(a.max())

    def is_circle(self, rtol: float = 1e-6) -> bool:
        """True when every point has the same ``|z|`` within ``rtol`` (relative)."""
        rtol = _v.check_tol(rtol, "rtol")
        lo, hi = self.radius_range
        return (hi - lo) <= rtol * hi

    def closed(self, i: int = 0) -> np.ndarray:
        """Loop ``i`` with its first point appended (for plotting)."""
        i = self._loop_index(i)
        z = self.loops[i]
        return np.concatenate([z, z[:1]])

    def max_step(self, i: int = 0) -> float:
        """Largest distance between consecutive points of loop ``i`` (closing step included)."""
        i = self._loop_index(i)
        z = self.closed(i)
        return float(np.max(np.abs(np.diff(z))))

    def winding_about_origin(self, i: int = 0) -> int:
        """How many times loop ``i`` winds counter-clockwise around ``z = 0``."""
        i = self._loop_index(i)
        z = self.closed(i)
        return int(np.rint(np.sum(np.angle(z[1:] / z[:-1])) / (2 * np.pi)))

    @property
    def main_loops(self) -> list:
        """Indices of the loops that wind once around ``z = 0`` (deformations of the Brillouin zone).

        The set ``|z_p| = |z_{p+1}|`` can also contain small closed pieces
        attached to the main loop at junction points (where three roots tie);
        they do not wind around the origin and are excluded here.
        """
        return [i for i in range(len(self.loops)) if self.winding_about_origin(i) == 1]

    def distinct_z_loops(self, rtol: float = 1e-6) -> list:
        """The loops as sets in the ``z``-plane: loops that coincide (bands sharing a curve) are listed once."""
        rtol = _v.check_tol(rtol, "rtol")
        out = []
        for z in self.loops:
            dup = False
            for w in out:
                d = np.min(np.abs(z[:, None] - w[None, :]), axis=1)
                if np.max(d) <= max(rtol, 2 * np.max(np.abs(np.diff(w)))) * (1 + np.max(np.abs(w))):
                    dup = True
                    break
            if not dup:
                out.append(z)
        return out

def _stitch_columns(E: np.ndarray) -> np.ndarray:
    """Reorder the columns of ``E`` row by row so that each column is continuous."""
    E = np.array(E, dtype=complex)
    if E.ndim == 1 or E.shape[1] == 1:
        return E.reshape(E.shape[0], -1)
    from scipy.optimize import linear_sum_assignment

    out = E.copy()
    for i in range(1, E.shape[0]):
        prev = out[i - 1]
        if i >= 2:
            prev = 2 * out[i - 1] - out[i - 2]  # linear prediction
        cost = np.abs(prev[:, None] - E[i][None, :])
        if not np.all(np.isfinite(cost)):
            out[i] = E[i]
            continue
        r, c = linear_sum_assignment(cost)
        out[i, r] = E[i, c]
    return out


# --------------------------------------------------------------------------- solver
def _theta_grid(n: int) -> np.ndarray:
    t = (np.arange(n) + 0.5) / n
    return np.pi * (1 - np.cos(np.pi * t))  # clustered near 0 and 2 pi


def _candidates_single_band(R: ReducedCharPoly, theta: np.ndarray):
    """theta-method for ``f = P1 eps + P0(z)`` (``P1`` constant)."""
    p, q = R.p, R.q
    ls = R.powers
    c0 = R.coeffs[0]
    P1 = R.coeffs[1, p]
    if np.any(np.abs(np.delete(R.coeffs[1], p)) > 0):
        raise ValueError("internal: single-band reduction expects a z-independent eps coefficient")
    th = theta[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.exp(0.5j * (ls - 1) * th) * np.sin(0.5 * ls * th) / np.sin(0.5 * th)
    coeffs = c0[None, :] * ratio
    coeffs[:, p] = 0.0  # the l = 0 term drops out exactly
    z = poly_roots_batch(coeffs)  # (n_theta, p+q) roots of z^p [P0(zw)-P0(z)]/(w-1)
    th_all = np.broadcast_to(theta[:, None], z.shape)
    ok = np.isfinite(z) & (np.abs(z) > 0)
    z, th_all = z[ok], th_all[ok]
    eps = -R._evaluate(z, np.zeros_like(z)) / P1
    return z, eps, th_all


def _candidates_multi_band(R: ReducedCharPoly, theta: np.ndarray):
    """theta-method for ``J' >= 2``: linearised eigenproblem for shared eigenvalues of C(z), C(zw)."""
    import scipy.linalg as sla

    Jr, p, q = R.degree, R.p, R.q
    lead = R.coeffs[Jr, p]
    if np.any(np.abs(np.delete(R.coeffs[Jr], p)) > 0):
        raise ValueError("internal: leading eps coefficient must be z-independent")
    # companion matrices C_l (coefficient of z^l) of the monic polynomial in eps
    d = p + q
    Cl = np.zeros((d + 1, Jr, Jr), dtype=complex)
    for li in range(d + 1):
        if Jr > 1 and li == p:
            idx = np.arange(Jr - 1)
            Cl[li, idx + 1, idx] = 1.0
        Cl[li, :, -1] = -R.coeffs[:Jr, li] / lead
    n = Jr * Jr
    eye = np.eye(Jr)
    zs, th_out = [], []
    for th in theta:
        w = np.exp(1j * th)
        A = [np.kron(Cl[k], eye) - (w ** (k - p)) * np.kron(eye, Cl[k].T) for k in range(d + 1)]
        L0 = np.zeros((n * d, n * d), dtype=complex)
        L1 = np.eye(n * d, dtype=complex)
        if d > 1:
            L0[: n * (d - 1), n:] = np.eye(n * (d - 1))
        for k in range(d):
            L0[n * (d - 1):, n * k: n * (k + 1)] = -A[k]
        L1[n * (d - 1):, n * (d - 1):] = A[d]
        ev = sla.eigvals(L0, L1)
        ev = ev[np.isfinite(ev) & (np.abs(ev) > 1e-12)]
        zs.append(ev)
        th_out.append(np.full(ev.shape, th))
    z = np.concatenate(zs)
    thv = np.concatenate(th_out)
    w = np.exp(1j * thv)
    # pair each z with the shared eigenvalue eps of f(z, .) and f(zw, .)
    e1 = R.eps_roots(z)
    e2 = R.eps_roots(z * w)
    scale = 1.0 + np.maximum(np.abs(e1).max(axis=1), np.abs(e2).max(axis=1))
    with np.errstate(invalid="ignore"):  # roots lost to infinity (inf - inf) never pair
        dist = np.abs(e1[:, :, None] - e2[:, None, :])
    i, a, b = np.nonzero(dist <= 1e-5 * scale[:, None, None])
    return z[i], e1[i, a], thv[i]


def _newton_pair(R: ReducedCharPoly, z, eps, theta, iters: int = 30):
    """Polish ``(z, eps)`` on ``f(z, eps) = f(z e^{i theta}, eps) = 0`` at fixed theta."""
    w = np.exp(1j * theta)
    z = z.astype(complex).copy()
    eps = eps.astype(complex).copy()
    for _ in range(iters):
        f1, f1z, f1e, a1 = R._evaluate(z, eps, derivs=True)
        f2, f2z, f2e, a2 = R._evaluate(z * w, eps, derivs=True)
        det = f1z * f2e - f1e * w * f2z
        with np.errstate(divide="ignore", invalid="ignore"):
            dz = (f1 * f2e - f1e * f2) / det
            de = (f1z * f2 - w * f2z * f1) / det
        bad = ~np.isfinite(dz) | ~np.isfinite(de)
        dz[bad], de[bad] = 0, 0
        z -= dz
        eps -= de
        if np.all(np.abs(dz) <= 1e-15 * np.abs(z)):
            break
    f1, _, _, a1 = R._evaluate(z, eps, derivs=True)
    f2, _, _, a2 = R._evaluate(z * w, eps, derivs=True)
    res = np.maximum(np.abs(f1) / a1, np.abs(f2) / a2)
    return z, eps, res


def _rank_check(R: ReducedCharPoly, z: np.ndarray, eps: np.ndarray, rtol: float):
    """Keep points where ``z`` is (numerically) the p-th or (p+1)-th root and they tie in modulus."""
    if z.size == 0:
        return np.zeros(0, bool), np.zeros(0)
    roots = R.z_roots(eps)
    m = np.abs(roots)
    p = R.p
    az = np.abs(z)
    ok = (np.abs(m[:, p - 1] - az) <= rtol * az) & (np.abs(m[:, p] - az) <= rtol * az)
    # z itself must be one of the two
    d = np.min(np.abs(roots[:, p - 1: p + 1] - z[:, None]), axis=1)
    ok &= d <= 1e-6 * az
    resid = np.abs(m[:, p] - m[:, p - 1])
    return ok, resid


class _Tracer:
    """Pseudo-arclength continuation of the theta-system in ``x = (Re z, Im z, theta, Re e, Im e)``.

    Equations: ``f(z, eps) = 0`` and ``D(z, theta, eps) = [f(z w, eps) - f(z, eps)] / (w - 1) = 0``
    with ``w = e^{i theta}`` and ``eps = sigma * e``.  The divided difference is a
    finite sum (``(w**l - 1)/(w - 1) = sum_j w**j``), so the system stays regular
    when ``theta -> 0`` (branch points), and the curve passes through them.
    All routines act on batches of states (shape ``(n, 5)``).
    """

    def __init__(self, R: ReducedCharPoly, sigma: float, rank_rtol: float):
        self.R = R
        self.sigma = sigma
        self.rank_rtol = rank_rtol
        ls = R.powers
        self.ls = ls
        js = np.arange(-R.p, R.q)  # exponents of w in the divided differences
        A = np.zeros((len(ls), len(js)))
        for a, l in enumerate(ls):
            if l > 0:
                A[a, (js >= 0) & (js <= l - 1)] = 1.0
            elif l < 0:
                A[a, (js >= l) & (js <= -1)] = -1.0
        self.A, self.js = A, js
        self.bs = np.arange(R.degree + 1)
        self._absC = np.abs(R.coeffs)
        self._lw = np.abs(ls) + 1.0

    # ---------------------------------------------------------------- equations
    def _prepare_scalar(self):
        C = self.R.coeffs
        self._Cl = [[complex(C[b, k]) for b in range(C.shape[0])] for k in range(C.shape[1])]
        self._aCl = [[abs(c) for c in row] for row in self._Cl]
        self._lsl = [int(v) for v in self.ls]

    def _system1(self, x, norms=None):
        """Pure-Python version of :meth:`system` for one state (no numpy overhead)."""
        import cmath

        if not hasattr(self, "_Cl"):
            self._prepare_scalar()
        p = self.R.p
        z = complex(x[0], x[1])
        e = self.sigma * complex(x[3], x[4])
        ae = abs(e)
        w = cmath.exp(1j * x[2])
        winv = 1 / w
        zi = 1 / z
        # powers z^l for l = -p..q
        zl = [0j] * len(self._lsl)
        zl[p] = 1 + 0j
        for k in range(p + 1, len(zl)):
            zl[k] = zl[k - 1] * z
        for k in range(p - 1, -1, -1):
            zl[k] = zl[k + 1] * zi
        G1 = G2 = G2t = G1z = G2z = G1e = G2e = 0j
        n1 = n2 = 0.0
        # S_l = sum_{j=0}^{l-1} w^j (l > 0), -sum_{j=l}^{-1} w^j (l < 0); dS = i sum j w^j (same sign)
        S_pos, dS_pos = [0j], [0j]
        wj = 1 + 0j
        for j in range(self.R.q):
            S_pos.append(S_pos[-1] + wj)
            dS_pos.append(dS_pos[-1] + 1j * j * wj)
            wj *= w
        S_neg, dS_neg = [0j], [0j]
        wj = winv
        for j in range(1, p + 1):
            S_neg.append(S_neg[-1] - wj)
            dS_neg.append(dS_neg[-1] + 1j * j * wj)  # -(i * (-j) w^{-j})
            wj *= winv
        for k, l in enumerate(self._lsl):
            coefs = self._Cl[k]
            M = 0j
            dM = 0j
            aM = 0.0
            for b in range(len(coefs) - 1, -1, -1):
                dM = dM * e + M if b < len(coefs) - 1 else dM
                M = M * e + coefs[b]
                aM = aM * ae + self._aCl[k][b]
            T = M * zl[k]
            D = dM * zl[k]
            if l > 0:
                S, dS = S_pos[l], dS_pos[l]
            elif l < 0:
                S, dS = S_neg[-l], dS_neg[-l]
            else:
                S = dS = 0j
            G1 += T
            G2 += T * S
            G2t += T * dS
            G1z += l * T
            G2z += l * T * S
            G1e += D
            G2e += D * S
            aT = aM * abs(zl[k])
            n1 += aT
            n2 += aT * (abs(l) + 1)
        G1z *= zi
        G2z *= zi
        G1e *= self.sigma
        G2e *= self.sigma
        if norms is None:
            norms = (np.array([n1 + 1e-300]), np.array([n2 + 1e-300]))
        m1, m2 = float(norms[0][0]), float(norms[1][0])
        g1, g2 = G1 / m1, G2 / m2
        F = np.array([[g1.real, g1.imag, g2.real, g2.imag]])
        a, b_, c = G1z / m1, G1e / m1, 0j
        d, e2, f = G2z / m2, G2e / m2, G2t / m2
        J = np.array([[[a.real, -a.imag, 0.0, b_.real, -b_.imag],
                       [a.imag, a.real, 0.0, b_.imag, b_.real],
                       [d.real, -d.imag, f.real, e2.real, -e2.imag],
                       [d.imag, d.real, f.imag, e2.imag, e2.real]]])
        return F, J, norms

    def system(self, X, norms=None):
        """Scaled residuals ``F`` (n, 4), Jacobians ``J`` (n, 4, 5) and the scales used."""
        X = np.atleast_2d(X)
        if X.shape[0] == 1:
            return self._system1(X[0], norms)
        z = X[:, 0] + 1j * X[:, 1]
        eps = self.sigma * (X[:, 3] + 1j * X[:, 4])
        zl = z[:, None] ** self.ls
        epb = eps[:, None] ** self.bs
        C = self.R.coeffs
        T = (epb @ C) * zl
        D = ((epb[:, :-1] * self.bs[1:]) @ C[1:]) * zl
        w = np.exp(1j * X[:, 2:3] * self.js)
        S = w @ self.A.T
        dS = (1j * self.js * w) @ self.A.T
        G1 = T.sum(1)
        G2 = np.sum(T * S, 1)
        G2t = np.sum(T * dS, 1)
        G1z = (T @ self.ls) / z
        G2z = np.sum(T * S * self.ls, 1) / z
        G1e = D.sum(1) * self.sigma
        G2e = np.sum(D * S, 1) * self.sigma
        if norms is None:
            aT = (np.abs(epb) @ self._absC) * np.abs(zl)
            norms = (aT.sum(1) + 1e-300, aT @ self._lw + 1e-300)
        n1, n2 = norms
        n = X.shape[0]
        F = np.empty((n, 4))
        g1, g2 = G1 / n1, G2 / n2
        F[:, 0], F[:, 1], F[:, 2], F[:, 3] = g1.real, g1.imag, g2.real, g2.imag
        J = np.zeros((n, 4, 5))
        for row, (gz, ge, gt, nn) in enumerate(((G1z, G1e, None, n1), (G2z, G2e, G2t, n2))):
            gz, ge = gz / nn, ge / nn
            r0, r1 = 2 * row, 2 * row + 1
            J[:, r0, 0], J[:, r0, 1], J[:, r1, 0], J[:, r1, 1] = gz.real, -gz.imag, gz.imag, gz.real
            J[:, r0, 3], J[:, r0, 4], J[:, r1, 3], J[:, r1, 4] = ge.real, -ge.imag, ge.imag, ge.real
            if gt is not None:
                gt = gt / nn
                J[:, r0, 2], J[:, r1, 2] = gt.real, gt.imag
        return F, J, norms

    def tangent(self, X, T_prev=None):
        """Unit tangents (n, 5); oriented along ``T_prev`` when given."""
        X = np.atleast_2d(X)
        _, J, _ = self.system(X)
        _, _, vt = np.linalg.svd(J)
        t = vt[:, -1]
        if T_prev is not None:
            t = t * np.sign(np.sum(t * np.atleast_2d(T_prev), axis=1))[:, None]
        return t

    def correct(self, Xp, T, maxit: int = 8, tol: float = 1e-12):
        """Newton on ``F(x) = 0``, ``t . (x - x_pred) = 0`` for a batch; returns (X, ok, iterations).

        Iterates until the scaled residual is below ``tol / 100`` (or the step
        stalls); ``ok`` says whether it is below ``tol``.
        """
        Xp = np.atleast_2d(Xp)
        T = np.atleast_2d(T)
        X = Xp.copy()
        cond_ok = np.ones(X.shape[0], bool)
        it = 0
        while True:
            F, J, _ = self.system(X)
            fmax = np.max(np.abs(F), axis=1)
            if it >= maxit or np.all(fmax <= 1e-2 * tol):
                break
            it += 1
            A = np.concatenate([J, T[:, None, :]], axis=1)
            b = np.concatenate([F, np.sum(T * (X - Xp), axis=1)[:, None]], axis=1)
            with np.errstate(all="ignore"):
                cond_ok = np.abs(np.linalg.det(A)) > 1e-14
                A[~cond_ok] = np.eye(5)
                b[~cond_ok] = 0.0
                dX = np.linalg.solve(A, b[..., None])[..., 0]
            dX[~np.isfinite(dX)] = 0.0
            X = X - dX
            if np.all(np.linalg.norm(dX, axis=1) <= 1e-15 * (1 + np.linalg.norm(X[:, :2], axis=1))):
                F, _, _ = self.system(X)
                fmax = np.max(np.abs(F), axis=1)
                break
        ok = np.all(np.isfinite(X), axis=1) & (fmax < tol) & cond_ok
        return X, ok, it

    # ---------------------------------------------------------------- ranks
    def root_moduli(self, X):
        X = np.atleast_2d(X)
        eps = self.sigma * (X[:, 3] + 1j * X[:, 4])
        return np.abs(self.R.z_roots(eps))

    def valid(self, X) -> np.ndarray:
        """Is ``z`` one of the pair ``z_p, z_{p+1}`` (ranks counted by modulus)?  Batched.

        The two roots nearest to ``z`` and to its partner ``z e^{i theta}`` are
        the pair itself; of the others exactly ``p - 1`` must lie inside
        ``|z|`` (ties within ``rank_rtol`` count either way, so junction
        points, where a third root ties, are accepted).
        """
        X = np.atleast_2d(X)
        eps = self.sigma * (X[:, 3] + 1j * X[:, 4])
        roots = self.R.z_roots(eps)
        z = X[:, 0] + 1j * X[:, 1]
        zw = z * np.exp(1j * X[:, 2])
        n = len(z)
        d1 = np.abs(roots - z[:, None])
        i1 = np.argmin(d1, axis=1)
        d2 = np.abs(roots - zw[:, None])
        d2[np.arange(n), i1] = np.inf
        i2 = np.argmin(d2, axis=1)
        mask = np.ones(roots.shape, bool)
        mask[np.arange(n), i1] = False
        mask[np.arange(n), i2] = False
        r = np.where(mask, np.abs(roots), np.nan)
        az = np.abs(z)
        tol = self.rank_rtol * az
        strictly_below = np.sum(r < (az - tol)[:, None], axis=1)
        below_or_tied = np.sum(r <= (az + tol)[:, None], axis=1)
        near_pair = (np.abs(roots[np.arange(n), i1] - z) <= 1e-6 * az)
        return (strictly_below <= self.R.p - 1) & (below_or_tied >= self.R.p - 1) & near_pair

    def margin(self, x) -> float:
        """Signed relative distance of the other roots from ``|z|``: positive iff ``(z, z w)`` is ``(z_p, z_{p+1})``."""
        x = np.atleast_2d(x)[0]
        z = complex(x[0], x[1])
        zw = z * np.exp(1j * x[2])
        eps = self.sigma * complex(x[3], x[4])
        roots = self.R.z_roots(np.array([eps]))[0]
        i1 = int(np.argmin(np.abs(roots - z)))
        d2 = np.abs(roots - zw)
        d2[i1] = np.inf
        i2 = int(np.argmin(d2))
        others = np.abs(np.delete(roots, [i1, i2]))
        az = abs(z)
        below = np.sort(others[others < az])
        above = np.sort(others[others >= az])
        nb = len(below)
        p = self.R.p
        if nb == p - 1:
            gaps = [az - below[-1] if nb else np.inf, above[0] - az if len(above) else np.inf]
            return float(min(gaps) / az)
        if nb > p - 1:  # too many roots inside: the offending one is the largest of them
            return float(-(az - below[p - 1]) / az)
        return float(-(above[p - 2 - nb] - az) / az)

    def partners(self, x) -> list[float]:
        """Partner angles of all roots tying in modulus with ``z`` at this energy."""
        z = complex(x[0], x[1])
        eps = self.sigma * complex(x[3], x[4])
        r = self.R.z_roots(np.array([eps]))[0]
        near = np.abs(np.abs(r) - abs(z)) <= 1e-5 * abs(z)
        return [float(np.angle(root / z)) for root in r[near] if abs(root - z) > 1e-6 * abs(z)]

    def d_on_left(self, x, t) -> bool:
        """Is the region ``D = {z : z is among the p innermost roots at its own energy}`` on the left of ``t``?

        The GBZ is the boundary of ``D``; loops are traced with ``D`` on their
        left, so the loop around the origin runs counter-clockwise.
        """
        z = complex(x[0], x[1])
        tz = complex(t[0], t[1])
        if tz == 0:
            return True
        eps0 = self.sigma * complex(x[3], x[4])
        zt = z + 1e-5 * abs(z) * 1j * tz / abs(tz)
        ev = self.R.eps_roots(np.array([zt]))[0]
        e = ev[np.argmin(np.abs(ev - eps0))]
        r = np.abs(self.R.z_roots(np.array([e]))[0])
        rank = int(np.sum(r < abs(zt) * (1 - 1e-12)))
        return rank <= self.R.p - 1

    @staticmethod
    def dist(a, b) -> float:
        d = np.array(a - b, dtype=float)
        d[..., 2] = np.angle(np.exp(1j * d[..., 2]))
        return float(np.linalg.norm(d))

    # ---------------------------------------------------------------- tracing
    def trace(self, x0, ds_max: float, de_max: float, max_steps: int):
        """Trace the closed loop through ``x0`` with coarse steps.

        Returns ``(states, breaks)``: the states along the loop (rows) and a
        boolean per segment ``i -> i+1`` that is True where the loop turns
        onto another branch at a junction (those segments have zero length
        in ``z`` and are never subdivided).
        """
        t = self.tangent(x0)[0]
        if not self.d_on_left(x0, t):
            t = -t
        pts = [x0.copy()]
        arclen = [0.0]
        breaks = []
        x = x0.copy()
        h = 0.5 * ds_max
        h_min = 1e-9 * ds_max
        steps = 0
        junctions = 0
        max_junctions = 3 * (self.R.p + self.R.q) + 6   # measured: at most 19 on random J = 4 chains
        while steps < max_steps:
            steps += 1
            xn, ok, its = self.correct(x + h * t, t, maxit=6, tol=1e-10)
            xn, ok = xn[0], bool(ok[0])
            if ok:
                dz = abs((xn[0] - x[0]) + 1j * (xn[1] - x[1]))
                de = abs((xn[3] - x[3]) + 1j * (xn[4] - x[4]))
                dth = abs(np.angle(np.exp(1j * (xn[2] - x[2]))))
                ok = dz <= ds_max and de <= de_max and dth <= 0.5
            if ok:
                tn = self.tangent(xn, t)[0]
                ok = tn @ t >= 0.9
            if not ok:
                h *= 0.5
                if h < h_min:
                    raise ValueError("GBZ continuation stalled (step size underflow); the GBZ may pass "
                                     "through a singular point of the theta-system")
                continue
            if not self.valid(xn)[0]:
                junctions += 1
                self.junction_count = getattr(self, "junction_count", 0) + 1
                if junctions > max_junctions or self.junction_count > 2 * max_junctions:
                    raise ValueError(f"the GBZ continuation passed more than {max_junctions} junctions on one loop")
                xa, xs, ts = self._through_junction(x, t, h, pts, ds_max)
                if self.dist(xa, x) > 0:
                    arclen.append(arclen[-1] + self.dist(xa, pts[-1]))
                    pts.append(xa)
                    breaks.append(False)
                arclen.append(arclen[-1])
                pts.append(xs)
                breaks.append(True)
                x, t = xs, ts
                h = min(0.25, 2 * getattr(self, "last_junction_frac", 0.25)) * ds_max
                continue
            x, t = xn, tn
            pts.append(x.copy())
            breaks.append(False)
            self._last_pts = pts
            arclen.append(arclen[-1] + self.dist(x, pts[-2]))
            # closed when the path comes back to the seed (seeds are regular points far from junctions,
            # so the return is on the same branch and matches in z, theta and eps)
            step = self.dist(x, pts[-2])
            d0 = self.dist(x, x0)
            if arclen[-1] > 8 * step and d0 < 1.5 * step + 1e-12:
                if d0 > 0.3 * step and d0 > 1e-3 * ds_max:
                    h = 0.5 * d0  # approach the seed with smaller steps
                    continue
                if d0 < 0.05 * step:
                    pts.pop()
                    breaks.pop()
                breaks.append(False)  # closing segment
                return np.array(pts), np.array(breaks, bool)
            tz, te = np.hypot(t[0], t[1]), np.hypot(t[3], t[4])
            h_cap = min(ds_max / max(tz, 1e-12), de_max / max(te, 1e-12), 0.5 / max(abs(t[2]), 1e-12))
            if its <= 2:
                h = min(2.0 * h, h_cap)
            elif its <= 3:
                h = min(1.3 * h, h_cap)
        raise ValueError(f"the GBZ loop did not close within {max_steps} continuation steps")

    def _through_junction(self, x, t, h, pts, ds_max):
        """Locate where ``z`` leaves the pair (z_p, z_{p+1}) and continue on the other partner."""
        lo, hi = 0.0, h
        xa = x
        # fast path: Newton on the junction system from the step's end points
        xb = self.correct(x + h * t, t)[0][0]
        for xs_ in (xb, x):
            zz = complex(xs_[0], xs_[1])
            ee = self.sigma * complex(xs_[3], xs_[4])
            roots = self.R.z_roots(np.array([ee]))[0]
            pair = np.argsort(np.abs(roots - zz))[:1].tolist() + \
                np.argsort(np.abs(roots - zz * np.exp(1j * xs_[2])))[:1].tolist()
            others = [k for k in range(len(roots)) if k not in pair]
            if not others:
                break
            k3 = min(others, key=lambda k: abs(abs(roots[k]) - abs(zz)))
            xj1, xj2 = self.junction_newton(xs_, float(np.angle(roots[k3] / zz)))
            if xj1 is not None and 1e-9 * ds_max < self.dist(xj1, x) <= 1.5 * self.dist(xb, x) + 1e-12 and \
                    self.valid(xj1)[0]:
                xa = xj1
                hi = lo = 0.0
                break
        for _ in range(60 if hi > 0 else 0):
            mid = 0.5 * (lo + hi)
            xm, ok, _ = self.correct(x + mid * t, t)
            if ok[0] and self.valid(xm)[0]:
                lo, xa = mid, xm[0]
            else:
                hi = mid
            if hi - lo < 1e-5 * h:  # junction_newton makes it exact
                break
        z_prev = complex(pts[-1][0], pts[-1][1]) if self.dist(pts[-1], xa) > 0 else \
            complex(pts[-2][0], pts[-2][1])
        zJ = complex(xa[0], xa[1])
        cands = []
        for th2 in self.partners(xa):
            if abs(np.angle(np.exp(1j * (th2 - xa[2])))) < 1e-6:
                continue
            xj1, xj2 = self.junction_newton(xa, th2)
            if xj1 is None:
                continue
            cands.append((xj1, xj2, self.tangent(xj2)[0]))
        best = None
        back = np.angle(z_prev - zJ)  # direction pointing back along the incoming edge
        for frac in (0.2, 0.05, 0.01, 2e-3, 4e-4, 1e-4):
            for xj1, x2, t2 in cands:
                for sgn in (1.0, -1.0):
                    xs, ok, _ = self.correct(x2 + sgn * frac * ds_max * t2, sgn * t2)
                    if not ok[0]:
                        continue
                    zs = complex(xs[0, 0], xs[0, 1])
                    if abs(zs - zJ) < 1e-3 * frac * ds_max or self.margin(xs[0]) <= 0:
                        continue
                    # keep D on the left: the outgoing edge is the first one clockwise from "back"
                    turn = np.mod(back - np.angle(zs - zJ), 2 * np.pi)
                    if turn < 1e-6:
                        continue
                    if best is None or turn < best[0]:
                        best = (turn, x2, self.tangent(x2, sgn * t2)[0], xj1, frac)
            if best is not None:
                break
        if best is None:
            raise ValueError("the GBZ continuation reached a junction of the OBC spectrum (three roots "
                             "of equal modulus) and could not find the continuing branch")
        self.last_junction_frac = best[4]
        return best[3], best[1], best[2]

    def junction_newton(self, x, th2, maxit: int = 30):
        """Solve exactly for the junction: ``f = D(theta1) = D(theta2) = 0`` (6 real equations).

        Returns the junction as two states (partner angle theta1 and theta2),
        or ``(None, None)`` if Newton's method does not converge.
        """
        u = np.array([x[0], x[1], x[2], th2, x[3], x[4]], dtype=float)
        for _ in range(maxit):
            X1 = u[[0, 1, 2, 4, 5]]
            X2 = u[[0, 1, 3, 4, 5]]
            F1, J1, _ = self.system(X1)
            F2, J2, _ = self.system(X2)
            F = np.concatenate([F1[0], F2[0, 2:]])
            J = np.zeros((6, 6))
            J[:4, [0, 1, 2, 4, 5]] = J1[0]
            J[4:, [0, 1, 3, 4, 5]] = J2[0, 2:]
            try:
                du = np.linalg.solve(J, F)
            except np.linalg.LinAlgError:
                return None, None
            u = u - du
            if not np.all(np.isfinite(u)):
                return None, None
            if np.linalg.norm(du) < 1e-15 * (1 + np.linalg.norm(u)):
                break
        X1 = u[[0, 1, 2, 4, 5]]
        X2 = u[[0, 1, 3, 4, 5]]
        F1, _, _ = self.system(X1)
        F2, _, _ = self.system(X2)
        if max(np.max(np.abs(F1)), np.max(np.abs(F2))) > 1e-12 or self.dist(X1, x) > 1e-3:
            return None, None
        return X1, X2

    def refine(self, pts, breaks, ds: float, de: float, max_rounds: int = 12):
        """Subdivide segments longer than ``ds`` in ``z`` (or ``de`` in scaled energy), batched Newton."""
        for _ in range(max_rounds):
            nxt = np.roll(pts, -1, axis=0)
            d = nxt - pts
            d[:, 2] = np.angle(np.exp(1j * d[:, 2]))
            dz = np.hypot(d[:, 0], d[:, 1])
            de_ = np.hypot(d[:, 3], d[:, 4])
            long = ((dz > ds) | (de_ > de)) & ~breaks
            if not np.any(long):
                break
            idx = np.flatnonzero(long)
            mid = pts[idx] + 0.5 * d[idx]
            tdir = d[idx] / np.linalg.norm(d[idx], axis=1)[:, None]
            xm, ok, _ = self.correct(mid, tdir)
            ok &= self.valid(xm)
            seglen = np.linalg.norm(d[idx], axis=1)
            da = np.linalg.norm(xm - pts[idx], axis=1)
            db = np.linalg.norm(xm - nxt[idx], axis=1)
            ok &= (da < seglen) & (db < seglen)  # the midpoint must lie between the end points
            new_pts, new_br = [], []
            okmap = dict(zip(idx.tolist(), zip(xm, ok)))
            for i in range(len(pts)):
                new_pts.append(pts[i])
                if i in okmap and okmap[i][1]:
                    new_br.append(False)
                    new_pts.append(okmap[i][0])
                    new_br.append(breaks[i])
                elif i in okmap:
                    # bisection failed (e.g. next to a branch point): walk the segment with small steps
                    inner = self._retrace(pts[i], nxt[i], ds, de)
                    for q in inner:
                        new_br.append(False)
                        new_pts.append(q)
                    new_br.append(breaks[i] or inner is None or len(inner) == 0)
                else:
                    new_br.append(breaks[i])
            pts, breaks = np.array(new_pts), np.array(new_br, bool)
        return pts, breaks

    def _retrace(self, xa, xb, ds, de, max_steps: int = 400):
        """Points strictly between ``xa`` and ``xb`` on the curve, walked with steps <= ``ds`` (z) / ``de``."""
        t = self.tangent(xa)[0]
        if t @ (xb - xa) < 0:
            t = -t
        x = xa.copy()
        out = []
        h = 0.5 * ds
        for _ in range(max_steps):
            if self.dist(x, xb) <= 1.5 * max(ds, h):
                return out
            xn, ok, _ = self.correct(x + h * t, t)
            xn = xn[0]
            if ok[0] and self.valid(xn)[0]:
                dz = abs(complex(xn[0] - x[0], xn[1] - x[1]))
                dee = abs(complex(xn[3] - x[3], xn[4] - x[4]))
                tn = self.tangent(xn, t)[0]
                if dz <= ds and dee <= de and tn @ t >= 0.9:
                    x, t = xn, tn
                    out.append(x.copy())
                    h = min(1.5 * h, 2 * ds)
                    continue
            h *= 0.5
            if h < 1e-9 * ds:
                return []
        return []


def _level_function(R: ReducedCharPoly, z: np.ndarray) -> np.ndarray:
    """A continuous function of ``z`` that is negative on ``D``, positive outside and zero exactly on the GBZ.

    For one band (after the ``eps = E**s`` reduction) ``g(z) = ln|z| - (ln|w_p| + ln|w_{p+1}|) / 2``,
    where ``w_1, ..., w_{p+q}`` are the roots of ``f(., eps(z))`` sorted by modulus (``z`` is one of
    them): ``g < 0`` iff ``z`` is among the ``p`` innermost roots, ``g = 0`` iff ``|z| = |w_p| = |w_{p+1}|``.
    Sorted root moduli depend continuously on ``eps``, so ``g`` is continuous.  With several bands the
    product of ``g`` over the band energies ``eps_j(z)`` is used (a symmetric, continuous function).
    """
    z = np.asarray(z, dtype=complex).ravel()
    p = R.p
    if R.degree == 1:
        eps = (-R._evaluate(z, np.zeros_like(z)) / R.coeffs[1, R.p])[:, None]
    else:
        eps = R.eps_roots(z)
    out = np.ones(z.size)
    lz = np.log(np.abs(z))
    for j in range(eps.shape[1]):
        m = np.abs(R.z_roots(eps[:, j]))
        with np.errstate(divide="ignore", invalid="ignore"):
            g = lz - 0.5 * (np.log(m[:, p - 1]) + np.log(m[:, p]))
        out *= np.clip(np.nan_to_num(g, nan=0.0, posinf=50.0, neginf=-50.0), -50.0, 50.0)
    return out


def _stitch_periodic(lines, period: float, tol: float) -> list:
    """Join contour pieces cut at ``x = 0`` / ``x = period`` (first column: the periodic coordinate)."""
    closed, open_ = [], []
    for ln in lines:
        if len(ln) < 2:
            continue
        (closed if np.allclose(ln[0], ln[-1], atol=tol) else open_).append(np.array(ln, dtype=float))

    def key(pt):
        return np.array([np.mod(pt[0], period), pt[1]])

    def same(a, b):
        d = np.abs(key(a) - key(b))
        d[0] = min(d[0], period - d[0])
        return np.all(d <= tol)

    while open_:
        cur = open_.pop()
        for _ in range(len(open_) + 2):
            if same(cur[-1], cur[0]) and len(cur) > 2:
                break
            hit = None
            for k, other in enumerate(open_):
                if same(cur[-1], other[0]):
                    hit = (k, other)
                    break
                if same(cur[-1], other[-1]):
                    hit = (k, other[::-1])
                    break
            if hit is None:
                break
            k, other = hit
            open_.pop(k)
            shift = np.round((cur[-1, 0] - other[0, 0]) / period) * period
            cur = np.concatenate([cur, other[1:] + np.array([shift, 0.0])])
        if same(cur[-1], cur[0]) and len(cur) > 3:
            closed.append(cur)
        else:
            raise ValueError("a GBZ contour line does not close (it leaves the scanned annulus)")
    return closed


def _contour_loops(R: ReducedCharPoly, tracer: "_Tracer", sigma: float, z_seed: np.ndarray, ds_max: float,
                   de_max: float, n_phi: int = 256, n_u: int = 96):
    """The GBZ as the zero level set of :func:`_level_function`, contoured on a polar grid and polished.

    An independent route to the loops (no continuation): ``log|z|`` x ``arg z`` grid around the
    radii of the seed points, marching squares (``contourpy``) for ``level = 0``, the pieces joined
    across ``arg z = 0``, every point polished by Newton's method onto the exact curve and segments
    longer than ``ds_max`` subdivided.  Returns ``[(z, eps, theta), ...]``.
    """
    import contourpy

    az = np.abs(z_seed)
    ulo, uhi = float(np.log(az.min())), float(np.log(az.max()))
    pad = 0.25 * (uhi - ulo) + 0.2
    phi = np.linspace(0.0, 2 * np.pi, n_phi + 1)
    for _ in range(4):
        u = np.linspace(ulo - pad, uhi + pad, n_u)
        Z = np.exp(u[:, None] + 1j * phi[None, :-1])
        G = _level_function(R, Z).reshape(Z.shape)
        G = np.concatenate([G, G[:, :1]], axis=1)  # exactly periodic in arg z
        edge_hit = np.any(np.sign(G[0]) != np.sign(G[0, 0])) or np.any(np.sign(G[-1]) != np.sign(G[-1, 0])) \
            or G[0, 0] >= 0 or G[-1, 0] <= 0
        if not edge_hit:
            break
        pad *= 2.0
    else:
        raise ValueError("the GBZ level set reaches the edge of the scanned annulus")
    lines = contourpy.contour_generator(phi, u, G).lines(0.0)
    du = u[1] - u[0]
    curves = _stitch_periodic(lines, 2 * np.pi, 1e-9 * max(1.0, du))
    out = []
    for c in curves:
        zc = np.exp(c[:-1, 1] + 1j * c[:-1, 0])
        if zc.size < 4:
            continue
        # energies and partner angles at the (approximate) contour points
        if R.degree == 1:
            eps = -R._evaluate(zc, np.zeros_like(zc)) / R.coeffs[1, R.p]
        else:
            ev = R.eps_roots(zc)
            gj = np.stack([np.abs(_single_g(R, zc, ev[:, j])) for j in range(ev.shape[1])], axis=1)
            eps = ev[np.arange(zc.size), np.argmin(gj, axis=1)]
        roots = R.z_roots(eps)
        i_self = np.argmin(np.abs(roots - zc[:, None]), axis=1)
        dm = np.abs(np.abs(roots) - np.abs(zc)[:, None])
        dm[np.arange(zc.size), i_self] = np.inf
        partner = roots[np.arange(zc.size), np.argmin(dm, axis=1)]
        th = np.angle(partner / zc)
        X = np.column_stack([zc.real, zc.imag, th, eps.real / sigma, eps.imag / sigma])
        nxt = np.roll(X, -1, axis=0)
        T = nxt - np.roll(X, 1, axis=0)
        T[:, 2] = np.angle(np.exp(1j * T[:, 2]))
        T /= np.maximum(np.linalg.norm(T, axis=1), 1e-300)[:, None]
        Xc, ok, _ = tracer.correct(X, T, maxit=12, tol=1e-11)
        ok &= tracer.valid(Xc)
        Xc = Xc[ok]
        if len(Xc) < 4:
            continue
        d = np.roll(Xc, -1, axis=0) - Xc
        breaks = np.abs(np.angle(np.exp(1j * d[:, 2]))) > 0.5  # partner switch: a junction
        Xc, breaks = _bisect_junctions(tracer, Xc, breaks, ds_max)
        Xc, breaks = tracer.refine(Xc, breaks, ds_max, de_max)
        pol, okp, _ = tracer.correct(Xc, tracer.tangent(Xc), maxit=6, tol=1e-13)
        Xc = np.where((okp & tracer.valid(pol))[:, None], pol, Xc)
        Xc = Xc[tracer.valid(Xc)]
        if len(Xc) < 4:
            continue
        zl = Xc[:, 0] + 1j * Xc[:, 1]
        # orientation: the region D on the left
        k = len(Xc) // 2
        t = Xc[(k + 1) % len(Xc)] - Xc[k]
        if not tracer.d_on_left(Xc[k], t):
            Xc = Xc[::-1]
            zl = zl[::-1]
        out.append((zl, sigma * (Xc[:, 3] + 1j * Xc[:, 4]), np.angle(np.exp(1j * Xc[:, 2]))))
    return out


def _bisect_junctions(tracer: "_Tracer", X: np.ndarray, breaks: np.ndarray, ds_max: float, rounds: int = 24):
    """Shorten the segments across junctions (where the partner root switches) by bisection in ``z``.

    The midpoint of a long junction segment is corrected once with the partner angle of either end;
    whichever lands on the GBZ splits the segment into a regular half and a shorter junction half.
    """
    X, breaks = X.copy(), breaks.copy()
    stuck = np.zeros(len(X), bool)
    for _ in range(rounds):
        nxt = np.roll(X, -1, axis=0)
        dz = np.hypot(nxt[:, 0] - X[:, 0], nxt[:, 1] - X[:, 1])
        idx = np.flatnonzero(breaks & (dz > ds_max) & ~stuck)
        if idx.size == 0:
            break
        new = {}
        for side in (0, 1):
            todo = [i for i in idx if i not in new]
            if not todo:
                break
            todo = np.array(todo)
            mid = 0.5 * (X[todo] + nxt[todo])
            mid[:, 2] = (X[todo] if side == 0 else nxt[todo])[:, 2]
            t = nxt[todo] - X[todo]
            t[:, 2] = 0.0
            t /= np.maximum(np.linalg.norm(t, axis=1), 1e-300)[:, None]
            xm, ok, _ = tracer.correct(mid, t, maxit=10, tol=1e-11)
            ok &= tracer.valid(xm)
            for i, x, good in zip(todo, xm, ok):
                if good and abs(x[2] - (X[i] if side == 0 else nxt[i])[2]) < 0.5:
                    new[int(i)] = (x, side)
        rows, br, st = [], [], []
        for i in range(len(X)):
            rows.append(X[i])
            if i in new:
                x, side = new[i]
                br.extend([side == 1, side == 0])  # the junction stays in the other half
                st.extend([False, False])
                rows.append(x)
            else:
                br.append(breaks[i])
                st.append(stuck[i] or (i in set(idx.tolist())))
        X, breaks, stuck = np.array(rows), np.array(br, bool), np.array(st, bool)
    return X, breaks


def _single_g(R: ReducedCharPoly, z: np.ndarray, eps: np.ndarray) -> np.ndarray:
    m = np.abs(R.z_roots(eps))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.abs(z)) - 0.5 * (np.log(m[:, R.p - 1]) + np.log(m[:, R.p]))


def _fold_repeats(z, eps, th):
    """Cut a loop that runs through the same ``(z, eps)`` curve several times down to one turn.

    A loop traced in ``(z, theta, eps)`` can close only after visiting its ``(z, eps)`` curve twice with
    different partner roots (``theta``); as a GBZ loop it is the same curve, which must be run once.
    """
    n = len(z)
    if n < 16:
        return z, eps, th
    zc, ec = np.concatenate([z, z[:1]]), np.concatenate([eps, eps[:1]])
    hz = 2.0 * float(np.max(np.abs(np.diff(zc))))
    he = 2.0 * float(np.max(np.abs(np.diff(ec)))) + 1e-12 * float(np.max(np.abs(eps)))
    back = np.flatnonzero((np.abs(z - z[0]) <= hz) & (np.abs(eps - eps[0]) <= he))
    step = float(np.max(np.abs(np.diff(zc))))
    for m in back[back >= 8]:
        if n - m < max(8, m // 4):  # the end of a single turn approaching its start, not a second turn
            break
        if abs(z[m - 1] - z[0]) > step:  # the cut would open a gap wider than the traced steps
            continue
        rest_z, rest_e = z[m:], eps[m:]
        dz = np.min(np.abs(rest_z[:, None] - z[None, :m]), axis=1)
        de = np.min(np.abs(rest_e[:, None] - eps[None, :m]), axis=1)
        if np.all(dz <= hz) and np.all(de <= he):
            return z[:m], eps[:m], th[:m]
    return z, eps, th


def _orient_and_roll(z, eps, th):
    """Keep the traced orientation (region ``D`` on the left); start star-shaped loops at the smallest arg z.

    A loop winding around the origin must run counter-clockwise (``D``
    contains a neighbourhood of ``z = 0``); it is flipped if the local test at
    the seed point said otherwise.
    """
    zc = np.concatenate([z, z[:1]])
    dphi = np.angle(zc[1:] / zc[:-1])
    wind = np.sum(dphi) / (2 * np.pi)
    if wind < -0.5:
        z, eps, th = z[::-1], eps[::-1], -th[::-1]
        dphi = -dphi[::-1]
        wind = -wind
    star = bool(np.all(dphi > 0)) and abs(wind - 1) < 1e-6
    if star:
        k = int(np.argmin(np.mod(np.angle(z), 2 * np.pi)))
        z, eps, th = np.roll(z, -k), np.roll(eps, -k), np.roll(th, -k)
    return z, eps, th, star


def solve_gbz(chain: Chain, *, points_per_loop: int = 600, n_theta: int = 96, rank_rtol: float = 1e-7,
              sym_rtol: float = 1e-13, theta_min: float = 1e-4, max_steps: int = 3000) -> GBZ:
    """The GBZ of ``chain`` (any number of bands, any hopping range).

    Parameters
    ----------
    chain
        The chain (``H(z) = sum_n T_n z**n``, ``z = beta = e^{ik}``).
    points_per_loop
        Resolution: consecutive points of a loop are at most
        ``2 pi * median|z| / points_per_loop`` apart.  Increase it when a
        quantity evaluated on the GBZ needs finer sampling (the winding
        routines refuse under-resolved loops).
    n_theta
        Number of partner angles of the theta-method that seeds the loops.
    rank_rtol
        Relative tolerance used to *decide* whether ``z`` is the ``p``-th or
        ``(p+1)``-th root (the reported residual is measured separately).
    sym_rtol
        Odd powers of ``E`` below this relative size count as absent.
    theta_min
        Points whose partner lies closer than ``theta_min`` in angle (the
        immediate neighbourhood of a branch point, where the two roots are
        nearly double and their moduli cannot be compared to better than
        ``~1e-16 / theta``) are traced through but not returned.
    max_steps
        Safety limit on continuation steps per loop.

    Returns
    -------
    GBZ
        Sub-GBZ loops, energies on them (the OBC continuum), residual.

    Raises
    ------
    ValueError
        For one-way (unidirectional) chains, flat chains or flat bands, when
        no GBZ point is found, or when the continuation fails.
    """
    chain = _v.check_chain(chain, "chain")
    points_per_loop = _v.check_size(points_per_loop, "points_per_loop", lo=16, cap=10 ** 5,
                                   cost=lambda n: "the continuation steps and the memory grow with it",
                                   fix="a few thousand points resolve any loop of the book")
    n_theta = _v.check_size(n_theta, "n_theta", lo=4, cap=4096,
                           cost=lambda n: "one polynomial eigenvalue problem per partner angle",
                           fix="the default 96 suffices; a few hundred for hard chains")
    rank_rtol = _v.check_tol(rank_rtol, "rank_rtol", hi=1e-2)
    sym_rtol = _v.check_tol(sym_rtol, "sym_rtol", hi=1e-6)
    theta_min = _v.check_tol(theta_min, "theta_min", hi=0.1)
    max_steps = _v.check_size(max_steps, "max_steps", lo=10, cap=10 ** 6,
                             cost=lambda n: "a loop that does not close would be traced that long",
                             fix="the default 20000 suffices")
    if int(points_per_loop) < 16:
        raise ValueError("points_per_loop must be at least 16")
    R = reduced_char_poly(chain, rtol=sym_rtol)
    if R.degree >= 2:
        _check_no_flat_band(R)
    R_full = R
    R, kz = _period_reduced(R)  # det(H - E) may depend on z only through w = z**kz
    theta = _theta_grid(int(n_theta))
    if R.degree == 1:
        z, eps, th = _candidates_single_band(R, theta)
    else:
        z, eps, th = _candidates_multi_band(R, theta)
        z, eps, res = _newton_pair(R, z, eps, th)
        good = res < 1e-10
        z, eps, th = z[good], eps[good], th[good]
    ok, _ = _rank_check(R, z, eps, 1e-6)
    z, eps, th = z[ok], eps[ok], th[ok]
    if z.size == 0:
        raise ValueError("no GBZ point found: the chain may be degenerate (e.g. decoupled orbitals); "
                         "try a larger n_theta")
    th = np.angle(np.exp(1j * th))
    sigma = float(max(1.0, np.max(np.abs(eps))))
    tracer = _Tracer(R, sigma, rank_rtol)
    r_typ = float(np.median(np.abs(z)))
    ds_max = 2 * np.pi * r_typ / int(points_per_loop)
    de_max = 4 * np.pi / int(points_per_loop)
    cloud = (z ** (1.0 / kz) * np.exp(2j * np.pi * np.arange(kz)[:, None] / kz)).ravel() if kz > 1 else z
    cloud_eps = np.tile(eps, kz)

    def assemble(raw, method):
        loops, loop_eps, loop_th, stars = [], [], [], []
        for zl, el, tl in raw:
            # drop the duplicated junction points and the immediate neighbourhood of branch points
            keep = np.abs(tl) >= theta_min
            keep[1:] &= np.abs(np.diff(zl)) > 1e-14 * np.abs(zl[1:])
            zl, el, tl = zl[keep], el[keep], tl[keep]
            if zl.size < 3:
                continue
            zl, el, tl = _fold_repeats(zl, el, tl)
            zc = np.concatenate([zl, zl[:1]])
            jump = float(np.max(np.abs(np.diff(zc))))
            if jump > 10 * ds_max * max(1.0, float(np.max(np.abs(zl))) / r_typ):
                raise ValueError(f"the GBZ {method} left a gap of {jump:.3g} in a loop (steps of at most "
                                 f"{ds_max:.3g} were asked for): a loop did not close")
            for zl_, el_, tl_ in _unreduce_loop(zl, el, tl, kz):
                zl_, el_, tl_, star = _orient_and_roll(zl_, el_, tl_)
                loops.append(zl_)
                loop_eps.append(el_)
                loop_th.append(tl_)
                stars.append(star)
        if not loops:
            raise ValueError(f"the GBZ {method} produced no loop")
        _, resid = _rank_check(R_full, np.concatenate(loops), np.concatenate(loop_eps), np.inf)
        g = GBZ(loops=loops, loop_eps=loop_eps, loop_theta=loop_th, s=R_full.s, p=R_full.p, q=R_full.q,
                residual=float(np.max(resid)), star_shaped=stars, cloud_z=cloud, cloud_eps=cloud_eps,
                method=method)
        if g.residual > 1e-8:
            raise ValueError(f"the GBZ {method} returned points off the GBZ (residual {g.residual:.2g})")
        if not g.main_loops:
            raise ValueError(f"the GBZ {method} found no loop winding around z = 0")
        return g

    try:
        raw = _continuation_loops(R, tracer, z, eps, th, sigma, r_typ, ds_max, de_max, max_steps)
        return assemble(raw, "continuation")
    except ValueError as exc:
        first = str(exc)
    # independent fallback: the GBZ as the zero set of a continuous function, contoured and polished
    errors = []
    for n_phi, n_u in ((256, 96), (768, 288)):
        try:
            raw = _contour_loops(R, tracer, sigma, z, ds_max, de_max, n_phi=n_phi, n_u=n_u)
            return assemble(raw, f"level-set contour on a {n_u} x {n_phi} grid (continuation failed: {first})")
        except ValueError as exc:
            errors.append(str(exc))
    raise ValueError(f"the GBZ could not be traced: continuation failed ({first}) and the level-set "
                     f"fallback failed ({'; '.join(errors)})")


def _continuation_loops(R, tracer, z, eps, th, sigma, r_typ, ds_max, de_max, max_steps):
    """Trace every loop by pseudo-arclength continuation from the theta-method seeds; ``[(z, eps, theta)]``."""
    from scipy.spatial import cKDTree

    coarse_ds, coarse_de = max(2 * np.pi * r_typ / 32, ds_max), max(4 * np.pi / 32, de_max)
    feats = np.column_stack([z.real, z.imag, eps.real / sigma, eps.imag / sigma])
    covered = np.zeros(z.size, bool)
    # seeds far from junctions and branch points first (largest gap to the other roots' moduli)
    mods = np.abs(R.z_roots(eps))
    az = np.abs(z)
    lo_gap = az - mods[:, R.p - 2] if R.p >= 2 else az
    hi_gap = mods[:, R.p + 1] - az if R.p + 1 < mods.shape[1] else np.full_like(az, np.inf)
    seed_margin = np.minimum(lo_gap, hi_gap) / az * np.minimum(np.abs(th), 1.0)
    order = np.argsort(-seed_margin)
    raw = []
    while not np.all(covered):
        i = next(int(k) for k in order if not covered[k])
        covered[i] = True
        x0 = np.array([z[i].real, z[i].imag, th[i], eps[i].real / sigma, eps[i].imag / sigma])
        x0c, okc, _ = tracer.correct(x0, np.array([0, 0, 1.0, 0, 0]))
        if not okc[0] or not tracer.valid(x0c)[0]:
            continue
        pts, breaks = tracer.trace(x0c[0], coarse_ds, coarse_de, max_steps)
        pts, breaks = tracer.refine(pts, breaks, ds_max, de_max)
        pol, okp, _ = tracer.correct(pts, tracer.tangent(pts), maxit=6, tol=1e-13)
        pts = np.where((okp & tracer.valid(pol))[:, None], pol, pts)
        zl = pts[:, 0] + 1j * pts[:, 1]
        el = sigma * (pts[:, 3] + 1j * pts[:, 4])
        tl = np.angle(np.exp(1j * pts[:, 2]))
        tree = cKDTree(np.column_stack([zl.real, zl.imag, el.real / sigma, el.imag / sigma]))
        d, _ = tree.query(feats)
        covered |= d <= 3 * max(ds_max, de_max)
        raw.append((zl, el, tl))
        if len(raw) > 4 * (R.degree + 1) * (R.p + R.q):
            raise ValueError("the GBZ continuation produced more loops than the model can have")
    return raw


def _period_reduced(R: ReducedCharPoly):
    """If only powers ``z**(k n)`` occur, rewrite the polynomial in ``w = z**k``; returns ``(R_w, k)``."""
    ls = R.powers[np.any(R.coeffs != 0, axis=0)]
    k = 0
    for l in ls:
        k = int(np.gcd(k, int(l)))
    if k <= 1:
        return R, 1
    cols = [int(i) for i in np.flatnonzero((R.powers % k) == 0)]
    return ReducedCharPoly(R.coeffs[:, cols].copy(), R.p // k, R.q // k, R.s), k


def _unreduce_loop(w, eps, th, k):
    """Map a loop in ``w = z**k`` back to the ``z``-plane (``k`` rotated copies of the k-th root)."""
    if k == 1:
        return [(w, eps, th)]
    wc = np.concatenate([w, w[:1]])
    ph = np.concatenate([[np.angle(w[0])], np.angle(w[0]) + np.cumsum(np.angle(wc[1:] / wc[:-1]))])
    z = np.abs(w) ** (1.0 / k) * np.exp(1j * ph[:-1] / k)
    turns = int(np.rint((ph[-1] - ph[0]) / (2 * np.pi)))
    if turns % k == 0:  # closes after one turn in w: k separate loops
        return [(z * np.exp(2j * np.pi * j / k), eps, th / k) for j in range(k)]
    # otherwise the copies join into longer loops
    step = np.exp(2j * np.pi * turns / k)
    out, used = [], set()
    for j in range(k):
        if j in used:
            continue
        parts, jj = [], j
        while jj not in used:
            used.add(jj)
            parts.append(z * np.exp(2j * np.pi * jj / k))
            jj = (jj + turns) % k
        n = len(parts)
        out.append((np.concatenate(parts), np.tile(eps, n), np.tile(th / k, n)))
    del step
    return out


def _check_no_flat_band(R: ReducedCharPoly) -> None:
    rng = np.random.default_rng(12345)
    zs = np.exp(rng.uniform(-0.3, 0.3, 2) + 1j * rng.uniform(0, 2 * np.pi, 2))
    e = R.eps_roots(zs)
    scale = 1 + np.abs(e).max()
    d = np.abs(e[0][:, None] - e[1][None, :])
    if np.any(d < 1e-9 * scale):
        raise ValueError("the chain has a flat (z-independent) band; the GBZ of a flat band is undefined. "
                         "Remove the decoupled orbital(s) before computing the GBZ")


# --------------------------------------------------------------------------- circle
def gbz_circle_radius(chain: Chain, tol: float = 1e-6, **solve_kwargs: Any) -> float:
    """Radius ``r`` of the GBZ when it is a circle ``|z| = r``; ValueError otherwise.

    Use this to build the non-Bloch Hamiltonian of a chain whose GBZ is a
    circle (e.g. every nearest-neighbour multiband chain with a single
    inter-cell bond, or the Yao--Wang SSH chain):

    * ``z = e^{ik}`` on the Brillouin zone becomes ``z = r e^{ik}`` on the GBZ;
    * equivalently ``H(k) -> H(k + i kappa)`` with ``kappa = -ln r``
      (``|e^{i(k + i kappa)}| = e^{-kappa} = r``); ``kappa > 0`` (``r < 1``)
      means the skin modes pile up at the left end (small ``j``) of the open
      chain in the convention ``H_OBC[j, j+n] = T_n``;
    * ``chain.gauge_transformed(r)`` has Bloch matrix ``H(r z)``: its open
      chain is exactly similar to the original one (``S = diag(r**j)``) and
      free of the skin effect, and its Brillouin zone *is* the GBZ.

    Parameters
    ----------
    chain
        Any :class:`~nhtopo_lib.chain.Chain`.
    tol
        Relative tolerance: the GBZ counts as a circle if
        ``max|z| - min|z| <= tol * max|z|`` over all of its points (every
        sub-GBZ loop must lie on the same circle).
    **solve_kwargs
        Passed to :func:`solve_gbz` (``n_theta``, ``n_phi``).

    Returns
    -------
    float
        The radius (median of ``|z|`` over the GBZ points; each point is
        accurate to the reported ``GBZ.residual``, typically ``< 1e-12``).

    Raises
    ------
    ValueError
        ``"GBZ is not a circle ..."`` with the observed ``|z|`` range, or the
        errors of :func:`solve_gbz` (one-way chains, flat bands).

    Example
    -------
    >>> ch = nh_ssh_yao_wang(1.1, 4/3, 1.0)
    >>> r = gbz_circle_radius(ch)          # 0.4953 = sqrt(|(t1-g/2)/(t1+g/2)|)
    >>> kappa = -np.log(r)                 # non-Bloch shift: H(k + i kappa)
    """
    chain = _v.check_chain(chain, "chain")
    tol = _v.check_tol(tol, "tol")
    g = solve_gbz(chain, **solve_kwargs)
    lo, hi = g.radius_range
    if hi - lo > tol * hi:
        raise ValueError(f"GBZ is not a circle: |z| ranges over [{lo:.6g}, {hi:.6g}] (relative spread "
                         f"{(hi - lo) / hi:.3g} > tol={tol:g}); use solve_gbz(chain) for the full GBZ curve "
                         "instead of a single non-Bloch shift kappa")
    return float(np.median(np.abs(g.all_z)))


def gbz_region_mask(chain: Chain, z: np.ndarray) -> np.ndarray:
    """Is ``z`` inside the GBZ?  The region ``D = {z : z is among the p innermost roots at its own energy}``.

    For a chain whose characteristic polynomial has one energy band after the
    reduction ``eps = E**s`` (e.g. every two-band sublattice-symmetric chain,
    where ``eps = E**2 = Q(z)``), each ``z`` has a single energy
    ``eps(z)``; ``z`` is in ``D`` when fewer than ``p`` of the roots of
    ``det(H(.) - E) = 0`` at that energy lie strictly inside ``|z|``.  The GBZ is
    the boundary of ``D`` (there ``z`` ties with a root of equal modulus), so
    this mask is an independent, sampling-free description of which points
    the GBZ encloses.  Vectorised over ``z`` (any shape).

    Raises ValueError for chains with several bands after the reduction.
    """
    chain = _v.check_chain(chain, "chain")
    z = _v.complex_array(z, "z")
    R = reduced_char_poly(chain)
    if R.degree != 1:
        raise ValueError("gbz_region_mask needs a single band after the E**s reduction "
                         "(e.g. a two-band sublattice-symmetric chain)")
    z = np.asarray(z, dtype=complex)
    zf = z.ravel()
    if np.any(zf == 0):
        raise ValueError("z = 0 is a pole of the characteristic polynomial; exclude it")
    eps = -R._evaluate(zf, np.zeros_like(zf)) / R.coeffs[1, R.p]
    out = np.empty(zf.shape, bool)
    for a in range(0, zf.size, 20000):
        sl = slice(a, a + 20000)
        roots = np.abs(R.z_roots(eps[sl]))
        inside = np.sum(roots < np.abs(zf[sl])[:, None] * (1 - 1e-10), axis=1)
        out[sl] = inside <= R.p - 1
    return out.reshape(z.shape)
