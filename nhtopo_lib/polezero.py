"""Edge-state invariants of sublattice-symmetric two-band chains: GBZ winding vs poles and zeros.

Reference: J. Zhong, H. Wang, S. Fan, arXiv:2410.11257 ("Pole and zero edge state
invariant for 1D non-Hermitian sublattice symmetry"); equation numbers below
are theirs.  Conventions of :mod:`nhtopo_lib.chain`: ``z = beta = e^{ik}``,
``H(z) = sum_n T_n z**n``, real-space block from cell ``j`` to cell ``j + n`` is the
``z**n`` coefficient.

Off-diagonal (sublattice) form, ``Gamma = sigma_z``::

    H(z) = [[0, H_ab(z)], [H_ba(z), 0]],   E**2 = H_ab H_ba = Q(z),
    M(z) = v1 / v2 = H_ab / E = E / H_ba,  M**2 = H_ab / H_ba          (Eqs. 5, 7, 15)

* ``W_gbz`` (Eq. 8): winding number of ``M**2`` along one sub-GBZ loop, the
  loop run counter-clockwise.  Here: :func:`gbz_invariant`.
* ``W_pz`` (Eq. 9): zeros minus poles of ``M**2`` among the first ``2 mu``
  points sorted by ``|z|`` (``mu = max(m, n)``, ``m``/``n`` the largest negative
  powers of ``H_ab``/``H_ba``), ``z = 0`` counted with its order.  **Erratum
  (Eq. 20 printed with the exponent reversed):** near ``z = 0``,
  ``M**2 ~ z**(n - m)``, so ``m > n`` gives a *pole* of order ``m - n`` at the
  origin.  Here: :func:`pole_zero_invariant`.
* ``W_gbz = W_pz`` (Eq. 10) and ``|W|`` = number of zero-energy edge states
  (both ends).  Sign: with these conventions the SSH chain with
  ``t1 < t2`` (``H_ab = t1 + t2/z``) has ``W = -2``.

General sublattice symmetry (Eqs. 25-28): ``Gamma = d_Gamma . sigma`` with a real
unit vector.  **Erratum:** the ``U`` printed in Eq. (25) satisfies
``Gamma = U sigma_z U^{-1}``, so the off-diagonal form is ``U^{-1} H U``
(:func:`sublattice_form`).  ``M`` then takes only two values at the roots of
``Q = -det H`` (the branch points), ``M_0`` (where the rotated ``H_ab`` vanishes)
and ``M_inf`` (where ``H_ba`` vanishes), antipodal on the ``M``-sphere
(``M_0 conj(M_inf) = -1``); ``W = #(M = M_0) - #(M = M_inf)`` (Eq. 28).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from . import _validate as _v
from .chain import Chain
from .laurent import LaurentPoly
from .models import off_diagonal_chain
from .winding import winding_number

__all__ = [
    "SublatticeForm",
    "sublattice_form",
    "PoleZeroResult",
    "pole_zero_data",
    "pole_zero_invariant",
    "pole_zero_invariant_batch",
    "GBZWindingResult",
    "gbz_winding_data",
    "gbz_invariant",
    "m2_winding_on_loop",
    "GeneralSublatticeResult",
    "general_sublattice_invariant",
    "kernel_ratio",
    "eigvec_ratio",
    "m_sphere",
    "zero_mode_count",
    "zero_mode_data",
    "SublatticeReport",
    "sublattice_report",
    "report_table",
    "PAULI",
]

PAULI = {
    "0": np.eye(2, dtype=complex),
    "x": np.array([[0, 1], [1, 0]], dtype=complex),
    "y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "z": np.array([[1, 0], [0, -1]], dtype=complex),
}


# --------------------------------------------------------------------------- input handling
def _laurent(h: Mapping[int, complex], name: str) -> LaurentPoly:
    if isinstance(h, LaurentPoly):
        return h
    clean = _v.check_power_mapping(h, name, allow_empty=True)
    p = LaurentPoly(clean)
    if p.is_zero:
        raise ValueError(f"{name} vanishes identically: M^2 = H_ab/H_ba is 0 or infinite everywhere "
                         "(a zero-energy flat band), so the invariants are undefined")
    return p


def _off_diagonal_input(h_ab, h_ba):
    """``(H_ab, H_ba, frame)`` as Laurent polynomials from mappings or from a 2-band Chain."""
    if isinstance(h_ab, Chain):
        if h_ba is not None:
            raise ValueError("pass either (h_ab, h_ba) mappings or a single two-band Chain as h_ab (then h_ba=None)")
        if h_ab.nbands != 2:
            raise ValueError(f"h_ab: a Chain passed as h_ab must have two bands, got {h_ab.nbands}")
        sf = sublattice_form(h_ab)
        return _laurent(sf.h_ab, "h_ab (rotated)"), _laurent(sf.h_ba, "h_ba (rotated)"), sf
    if h_ba is None:
        raise ValueError("h_ba is missing: pass both off-diagonal entries as mappings (or a two-band Chain as h_ab)")
    return _laurent(h_ab, "h_ab"), _laurent(h_ba, "h_ba"), None


# --------------------------------------------------------------------------- sublattice form
@dataclass
class SublatticeForm:
    """A two-band chain rotated to off-diagonal form, ``H' = U^{-1} H U``.

    ``d_gamma`` is the real unit vector with ``Gamma = d_gamma . sigma``
    (``Gamma H(z) Gamma = -H(z)``); its sign is fixed so that the first
    non-zero of ``(d_z, d_y, d_x)`` is positive (flipping it swaps
    ``H'_ab <-> H'_ba`` and flips the sign of ``W``).  ``U`` is Eq. (25) with
    ``theta_gamma, phi_gamma`` the polar angles of ``d_gamma``.
    ``M_zero`` / ``M_inf`` are the values of ``M = v1/v2`` (original frame) of
    ``U (0, 1)`` and ``U (1, 0)``: the images of the rotated frame's zeros and
    poles of ``M'`` (the paper's antipodal points ``M_S``, ``M_N``).
    ``unique`` is False when more than one ``Gamma`` exists.
    """

    d_gamma: np.ndarray
    theta_gamma: float
    phi_gamma: float
    U: np.ndarray
    h_ab: dict
    h_ba: dict
    M_zero: complex
    M_inf: complex
    unique: bool
    residual: float

    @property
    def gamma(self) -> np.ndarray:
        """The ``2 x 2`` sublattice operator ``Gamma = d_gamma . sigma``."""
        d = self.d_gamma
        return d[0] * PAULI["x"] + d[1] * PAULI["y"] + d[2] * PAULI["z"]


def _d_vectors(chain: Chain):
    """``d_o`` and ``(d_x, d_y, d_z)`` of every hopping block ``T_n = d_o 1 + d . sigma``."""
    ns = sorted(chain.blocks)
    do = np.array([(chain.blocks[n][0, 0] + chain.blocks[n][1, 1]) / 2 for n in ns])
    d = np.array([[(T[0, 1] + T[1, 0]) / 2, 1j * (T[0, 1] - T[1, 0]) / 2, (T[0, 0] - T[1, 1]) / 2]
                  for T in (chain.blocks[n] for n in ns)])
    return ns, do, d


def sublattice_form(chain: Chain, rtol: float = 1e-10) -> SublatticeForm:
    """Find ``Gamma = d . sigma`` with ``Gamma H(z) Gamma = -H(z)`` and rotate ``H`` to off-diagonal form.

    A unitary Hermitian ``2 x 2`` ``Gamma`` that anticommutes with ``H`` must be
    ``d . sigma`` with a real unit vector ``d`` (``+-1`` would force ``H = 0``).
    It exists iff every block has ``d_o = 0`` and ``d`` (complex) orthogonal to a
    common real direction: the null vector of the stacked real and imaginary
    parts of all ``d``-vectors (SVD).

    Raises
    ------
    ValueError
        ``"no sublattice symmetry ..."`` when no such ``Gamma`` exists (for
        instance the printed Eq. (32) model of the paper, or a chain that only
        has the non-Hermitian chiral symmetry ``Gamma H^dagger Gamma = -H`` of
        Kawabata et al.), or when the chain is not two-band.
    """
    chain = _v.check_chain(chain, "chain")
    rtol = _v.check_tol(rtol, "rtol")
    if chain.nbands != 2:
        raise ValueError(f"chain: sublattice_form needs a two-band chain, got {chain.nbands} bands")
    ns, do, d = _d_vectors(chain)
    scale = max(float(np.max(np.abs(d))) if d.size else 0.0, float(np.max(np.abs(do))), 1e-300)
    A = np.vstack([d.real, d.imag])
    _, s, vt = np.linalg.svd(A)
    s_full = np.concatenate([s, np.zeros(3 - len(s))])
    dg = vt[-1].real
    anti = float(np.max(np.abs(d @ dg))) if d.size else 0.0
    do_max = float(np.max(np.abs(do)))
    resid = max(anti, do_max) / scale
    if resid > rtol:
        reason = []
        if do_max > rtol * scale:
            reason.append(f"the identity component d_0 of H is non-zero (max |d_0| = {do_max:.3g})")
        if anti > rtol * scale:
            reason.append(f"the d-vectors of the hopping blocks span all three directions (smallest "
                          f"singular value {s_full[-1]:.3g} of the stacked Re/Im d-vectors)")
        raise ValueError("no sublattice symmetry: no Gamma = d.sigma with a real unit vector d satisfies "
                         "Gamma H(z) Gamma^-1 = -H(z) for all z, because " + " and ".join(reason) +
                         ". The sublattice (pole-zero / GBZ) invariants are undefined for this chain; note "
                         "that the non-Hermitian chiral symmetry Gamma H^dagger Gamma^-1 = -H (Kawabata et al.) "
                         "is not enough")
    unique = bool(s_full[-2] > rtol * scale)
    # sign convention: first non-zero of (d_z, d_y, d_x) positive
    for comp in (2, 1, 0):
        if abs(dg[comp]) > 1e-12:
            if dg[comp] < 0:
                dg = -dg
            break
    dg = dg / np.linalg.norm(dg)
    th = float(np.arccos(np.clip(dg[2], -1, 1)))
    ph = float(np.arctan2(dg[1], dg[0])) if np.hypot(dg[0], dg[1]) > 1e-15 else 0.0
    c, sn = np.cos(th / 2), np.sin(th / 2)
    U = np.array([[c, -np.exp(-1j * ph) * sn], [np.exp(1j * ph) * sn, c]])
    Ui = U.conj().T
    hab, hba = {}, {}
    bscale = max(float(np.max(np.abs(T))) for T in chain.blocks.values())
    for n, T in chain.blocks.items():
        Tp = Ui @ T @ U
        if max(abs(Tp[0, 0]), abs(Tp[1, 1])) > 1e-9 * bscale:  # pragma: no cover - guarded by the SVD test
            raise RuntimeError("internal error: rotated block is not off-diagonal")
        for dct, val in ((hab, Tp[0, 1]), (hba, Tp[1, 0])):
            if abs(val) > 1e-14 * bscale:
                dct[int(n)] = complex(val)
    M_zero = U[0, 1] / U[1, 1] if abs(U[1, 1]) > 0 else complex(np.inf)
    M_inf = U[0, 0] / U[1, 0] if abs(U[1, 0]) > 1e-15 else complex(np.inf)
    return SublatticeForm(d_gamma=dg, theta_gamma=th, phi_gamma=ph, U=U, h_ab=hab, h_ba=hba,
                          M_zero=complex(M_zero), M_inf=complex(M_inf), unique=unique, residual=resid)


# --------------------------------------------------------------------------- pole-zero
@dataclass
class PoleZeroResult:
    """Everything behind ``W_pz`` (Eq. 9).

    ``points``/``kinds`` are the first ``2 mu`` poles and zeros of ``M**2``
    sorted by ``|z|`` (``z = 0`` repeated ``|order_at_origin|`` times);
    ``gap = (|zeta_2mu|, |zeta_2mu+1|)`` are the moduli on either side of the
    cut (the ``E = 0`` root gap; equal moduli = gap closing, refused).
    ``limit`` is empty for ordinary chains; for chains whose ``Q = H_ab H_ba``
    is one-sided it names the degenerate limit (GBZ radius -> 0 or infinity,
    or flat bands), where ``gap`` is ``(0, |zeta_1|)`` or ``(|zeta_p|, inf)``.
    """

    W: int
    m: int
    n: int
    mu: int
    p: int
    q: int
    order_at_origin: int
    points: np.ndarray
    kinds: list
    gap: tuple
    roots_ab: np.ndarray
    roots_ba: np.ndarray
    sublattice: SublatticeForm | None = field(default=None, repr=False)
    limit: str = ""

    @property
    def gap_ratio(self) -> float:
        """``|zeta_2mu+1| / |zeta_2mu|``: how far ``E = 0`` is from a gap closing (1 = closing)."""
        return self.gap[1] / self.gap[0] if self.gap[0] > 0 else np.inf


def pole_zero_data(h_ab: Chain | Mapping[int, complex] | LaurentPoly,
                   h_ba: Mapping[int, complex] | LaurentPoly | None = None, *,
                   tie_rtol: float = 1e-9) -> PoleZeroResult:
    """``W_pz`` with its ingredients; see :func:`pole_zero_invariant`."""
    tie_rtol = _v.check_tol(tie_rtol, "tie_rtol")
    ab, ba, sf = _off_diagonal_input(h_ab, h_ba)
    a_lo, b_lo = ab.low, ba.low
    m, n = max(0, -a_lo), max(0, -b_lo)
    mu = max(m, n)
    p = -(a_lo + b_lo)
    q = ab.high + ba.high
    _refuse_collapsed_continuum(p, q)
    ra, rb = ab.roots(), ba.roots()
    allr = np.concatenate([ra, rb])
    lab = np.concatenate([np.ones(len(ra), int), -np.ones(len(rb), int)])
    mod = np.abs(allr)
    o = np.argsort(mod, kind="stable")
    allr, lab, mod = allr[o], lab[o], mod[o]
    # one-sided Q (p = 0 or q = 0): the GBZ has shrunk to z = 0 or grown to infinity; the cut then lies
    # below (above) every root and the count is the limit of Eq. (9)
    lo_r = float(mod[p - 1]) if p > 0 else 0.0
    hi_r = float(mod[p]) if len(mod) > p else np.inf
    if 0 < p < len(mod) and hi_r - lo_r <= 1e-6 * hi_r:
        # near tie: decide with certified roots
        ra, rb = ab.roots(method="flint"), ba.roots(method="flint")
        allr = np.concatenate([ra, rb])
        lab = np.concatenate([np.ones(len(ra), int), -np.ones(len(rb), int)])
        mod = np.abs(allr)
        o = np.argsort(mod, kind="stable")
        allr, lab, mod = allr[o], lab[o], mod[o]
        lo_r, hi_r = float(mod[p - 1]), float(mod[p])
        if hi_r - lo_r <= tie_rtol * hi_r:
            raise ValueError(f"gap closing: the {p}-th and {p + 1}-th roots of Q = H_ab H_ba have equal modulus "
                             f"({lo_r:.12g} vs {hi_r:.12g}), so E = 0 lies on the OBC continuum and the "
                             "invariant is undefined (a topological phase transition)")
    ord0 = a_lo - b_lo
    W = int(ord0 + np.sum(lab[:p]))
    pts = np.concatenate([np.zeros(abs(ord0), complex), allr[:p]])
    kinds = (["zero" if ord0 > 0 else "pole"] * abs(ord0)) + ["zero" if x > 0 else "pole" for x in lab[:p]]
    return PoleZeroResult(W=W, m=m, n=n, mu=mu, p=p, q=q, order_at_origin=ord0, points=pts, kinds=kinds,
                          gap=(lo_r, hi_r), roots_ab=ra, roots_ba=rb, sublattice=sf, limit=_gbz_limit(p, q))


def _gbz_limit(p: int, q: int) -> str:
    """Which degenerate limit a chain with ``Q = H_ab H_ba`` of exponents ``-p .. q`` is in ('' if none)."""
    if p == 0 and q == 0:
        return "flat bands: Q is a constant, E = +-sqrt(Q) (fully dimerised chain)"
    if p == 0:
        return "GBZ radius -> 0: Q has no negative powers of z (one-sided hopping, extreme skin effect)"
    if q == 0:
        return "GBZ radius -> infinity: Q has no positive powers of z (one-sided hopping, extreme skin effect)"
    return ""


def _refuse_collapsed_continuum(p: int, q: int) -> None:
    """Refuse chains whose ``Q = H_ab H_ba`` vanishes at ``z = 0`` or ``z = infinity`` (exponents ``-p .. q``).

    Then ``Q`` has only positive (``p < 0``) or only negative (``q < 0``) powers of ``z``: the GBZ
    shrinks to ``z = 0`` (grows to infinity), where ``E**2 = Q = 0``, so the open chain's continuum
    collapses onto ``E = 0`` (e.g. a nilpotent chain, whose whole spectrum is ``E = 0``).  Zero modes are
    then not isolated from the bulk and have no count.
    """
    if p < 0 or q < 0:
        where = "z = 0" if p < 0 else "z = infinity"
        raise ValueError(f"Q = H_ab H_ba has only {'positive' if p < 0 else 'negative'} powers of z (exponents "
                         f"{-p}..{q}), so Q vanishes at {where}, where the GBZ of this one-sided chain collapses: "
                         "the open chain's continuum is E = 0 (for instance a nilpotent chain whose whole spectrum "
                         "is E = 0), zero modes are not isolated from the bulk and the invariant is undefined")


def pole_zero_invariant(h_ab: Chain | Mapping[int, complex] | LaurentPoly,
                        h_ba: Mapping[int, complex] | LaurentPoly | None = None) -> int:
    """Signed pole-zero invariant ``W_pz`` (Eq. 9); ``|W_pz|`` = number of zero-energy edge states.

    Parameters
    ----------
    h_ab, h_ba
        Mappings ``{power of z: coefficient}`` of the upper-right entry
        ``H_ab(z)`` and lower-left entry ``H_ba(z)`` of the off-diagonal Bloch
        matrix; the ``z**n`` coefficient is the real-space block from cell
        ``j`` to cell ``j + n`` (as in :func:`nhtopo_lib.off_diagonal_chain`).
        Alternatively a two-band :class:`Chain` as ``h_ab`` (``h_ba=None``): it
        is rotated to off-diagonal form first (:func:`sublattice_form`; refused
        if it has no sublattice symmetry).

    Returns
    -------
    int
        ``#zeros - #poles`` of ``M**2 = H_ab/H_ba`` among the ``2 mu`` points of
        smallest modulus (roots of ``z**(2 mu) Q``), ``z = 0`` counted with its
        order ``n - m`` (zero if positive, pole if negative).  No GBZ needed.

    Notes
    -----
    Degenerate (one-sided) chains are answered by the limit of Eq. (9):
    when ``Q = H_ab H_ba`` has no negative powers of ``z`` (``p = 0``) the GBZ
    shrinks to ``z = 0`` and ``W_pz`` is the order of ``M**2`` at the origin;
    when it has no positive powers (``q = 0``) the GBZ grows to infinity and
    all roots of ``Q`` count.  This covers the fully dimerised limits
    (``Q`` constant, flat bands ``E = +-sqrt(Q)``), one-way ``H_ab`` or
    ``H_ba`` (e.g. the NH-SSH chain at its exceptional point) and
    block-triangular chains (``W = 0``).

    Raises
    ------
    ValueError
        NaN/inf coefficients, a vanishing ``H_ab`` or ``H_ba``, chains whose
        ``Q`` has only positive (or only negative) powers of ``z`` (the
        continuum collapses onto ``E = 0``, e.g. nilpotent chains: no isolated
        zero modes), no sublattice symmetry (Chain input), or a gap closing
        (``|zeta_2mu| = |zeta_2mu+1|``, decided with certified roots).
    """
    return pole_zero_data(h_ab, h_ba).W


def pole_zero_invariant_batch(ab_coeffs: np.ndarray, ba_coeffs: np.ndarray, ab_low: int, ba_low: int,
                              *, tie_rtol: float = 1e-6) -> np.ndarray:
    """``W_pz`` for many models at once (e.g. a phase diagram), vectorised.

    ``ab_coeffs[k]`` lists the coefficients of ``z**ab_low, z**(ab_low+1), ...``
    of ``H_ab`` for model ``k`` (same for ``ba``).  Rows whose extreme
    coefficients vanish, or whose ``p``-th and ``(p+1)``-th roots nearly tie
    (relative gap between ``1e-10`` and ``tie_rtol``), are recomputed one by
    one with :func:`pole_zero_data` (certified roots).  Gap closings (``E = 0``
    on the OBC continuum: ties to ``1e-10``, or refused by
    :func:`pole_zero_data`) are returned as NaN.
    """
    from .gbz import poly_roots_batch

    A = np.atleast_2d(_v.complex_array(ab_coeffs, "ab_coeffs"))
    B = np.atleast_2d(_v.complex_array(ba_coeffs, "ba_coeffs"))
    for name, X in (("ab_coeffs", A), ("ba_coeffs", B)):
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"{name} must have shape (n_models, n_coefficients) with n_models, n_coefficients >= 1, "
                             f"got {X.shape}")
    if A.shape[0] != B.shape[0]:
        raise ValueError("ab_coeffs and ba_coeffs must have the same number of rows")
    ab_low = _v.check_int(ab_low, "ab_low", lo=-10 ** 6, hi=10 ** 6)
    ba_low = _v.check_int(ba_low, "ba_low", lo=-10 ** 6, hi=10 ** 6)
    tie_rtol = _v.check_tol(tie_rtol, "tie_rtol")
    n = A.shape[0]
    p = -(ab_low + ba_low)
    ord0 = ab_low - ba_low
    out = np.full(n, np.nan)
    regular = (A[:, 0] != 0) & (A[:, -1] != 0) & (B[:, 0] != 0) & (B[:, -1] != 0)
    if p > 0 and (ab_low + A.shape[1] - 1) + (ba_low + B.shape[1] - 1) > 0 and np.any(regular):
        ra = poly_roots_batch(A[regular]) if A.shape[1] > 1 else np.zeros((int(regular.sum()), 0))
        rb = poly_roots_batch(B[regular]) if B.shape[1] > 1 else np.zeros((int(regular.sum()), 0))
        r = np.concatenate([ra, rb], axis=1)
        lab = np.concatenate([np.ones(ra.shape[1]), -np.ones(rb.shape[1])])
        o = np.argsort(np.abs(r), axis=1, kind="stable")
        mods = np.take_along_axis(np.abs(r), o, axis=1)
        labs = lab[o]
        W = ord0 + labs[:, :p].sum(axis=1)
        rel = (mods[:, p] - mods[:, p - 1]) / mods[:, p]
        closed = rel <= 1e-10  # tie to double precision (e.g. a complex-conjugate pair straddling the cut)
        near = (rel <= tie_rtol) & ~closed  # decide these with certified roots
        out[regular] = np.where(closed | near, np.nan, W)
        regular_idx = np.flatnonzero(regular)
        redo = np.concatenate([regular_idx[near], np.flatnonzero(~regular)])
    else:
        redo = np.arange(n)
    for k in redo:
        ha = {ab_low + i: c for i, c in enumerate(A[k]) if c != 0}
        hb = {ba_low + i: c for i, c in enumerate(B[k]) if c != 0}
        try:
            out[k] = pole_zero_data(ha, hb).W
        except ValueError:
            out[k] = np.nan
    return out


# --------------------------------------------------------------------------- GBZ winding
def m2_winding_on_loop(z_loop: np.ndarray, h_ab: Chain | Mapping[int, complex] | LaurentPoly,
                       h_ba: Mapping[int, complex] | LaurentPoly | None = None, *,
                       max_step: float = np.pi / 2) -> int:
    """Winding number of ``M**2 = H_ab / H_ba`` along a sampled closed loop (Eq. 8).

    The loop ``z_loop`` is taken as closed (last point joined to the first) and
    counter-clockwise.  Refuses (ValueError) when a phase step exceeds
    ``max_step`` ("sample more points") or when the loop passes through a
    zero or pole of ``M**2`` (gap closing).
    """
    ab, ba, _ = _off_diagonal_input(h_ab, h_ba)
    max_step = _v.check_max_step(max_step)
    z = _v.complex_array(z_loop, "z_loop", finite=False)
    if z.ndim != 1 or z.size < 3:
        raise ValueError("z_loop must be a 1D array of at least 3 points; sample more points")
    if not np.all(np.isfinite(z)):
        raise ValueError("z_loop contains NaN or inf")
    if np.any(z == 0):
        raise ValueError("z_loop passes through z = 0, a pole of H(z): a GBZ loop never does")
    a, b = ab(z), ba(z)
    sa = np.sum(np.abs(ab.coeffs)) * np.max(np.abs(z)) ** max(ab.high, 0) / np.min(np.abs(z)) ** max(-ab.low, 0)
    sb = np.sum(np.abs(ba.coeffs)) * np.max(np.abs(z)) ** max(ba.high, 0) / np.min(np.abs(z)) ** max(-ba.low, 0)
    if np.min(np.abs(a)) <= 1e-10 * sa or np.min(np.abs(b)) <= 1e-10 * sb:
        raise ValueError("gap closing: the loop passes through a zero or pole of M^2 (E = 0 on the OBC "
                         "continuum), so the winding is undefined")
    # phases of H_ab and H_ba separately avoid overflow in the ratio
    return int(winding_number(a, 0.0, endpoint=False, max_step=max_step)
               - winding_number(b, 0.0, endpoint=False, max_step=max_step))


@dataclass
class GBZWindingResult:
    """``W_gbz`` (Eq. 8) with the GBZ it was computed on.

    For a chain whose ``Q = H_ab H_ba`` is one-sided the GBZ degenerates to ``z = 0`` or
    ``z = infinity`` (``limit`` names the case): then ``gbz`` is None and ``loop`` is a circle
    inside (outside) every zero and pole of ``M**2`` other than ``z = 0``, on which the winding
    equals its limit.  ``loop_windings`` lists the winding along every distinct GBZ loop (main loop
    and extra pieces, each with ``D`` on its left); ``W`` is their sum.
    """

    W: int
    gbz: object
    loop: np.ndarray
    n_points: int
    windings_ab_ba: tuple
    sublattice: SublatticeForm | None = field(default=None, repr=False)
    loop_index: int = 0
    limit: str = ""
    loop_windings: list = field(default_factory=list)


def gbz_winding_data(h_ab: Chain | Mapping[int, complex] | LaurentPoly,
                     h_ba: Mapping[int, complex] | LaurentPoly | None = None, *, points_per_loop: int = 600,
                     max_refinements: int = 3,
                     max_step: float = np.pi / 2) -> GBZWindingResult:
    """``W_gbz`` from the GBZ (see :func:`gbz_invariant`), refining the loop up to ``max_refinements`` times."""
    from .gbz import solve_gbz

    ab, ba, sf = _off_diagonal_input(h_ab, h_ba)
    ppl = _v.check_size(points_per_loop, "points_per_loop", lo=16, cap=10 ** 5,
                       fix="a few thousand points resolve any loop of the book")
    max_refinements = _v.check_int(max_refinements, "max_refinements", lo=0, hi=20)
    if ppl * 2 ** max_refinements > 10 ** 6:
        raise ValueError(f"points_per_loop={ppl} with max_refinements={max_refinements} may ask for "
                         f"{ppl * 2 ** max_refinements} points per loop (doubled at each refinement), above the "
                         "limit of 10**6; lower max_refinements or points_per_loop")
    max_step = _v.check_max_step(max_step)
    p, q = -(ab.low + ba.low), ab.high + ba.high
    _refuse_collapsed_continuum(p, q)
    if p == 0 or q == 0:
        # one-sided Q: the GBZ is the limit of circles |z| = rho -> 0 (p = 0) or -> infinity (q = 0); M^2 has
        # no zero or pole between such a circle and the limit, so its winding there is the limit of Eq. (8)
        roots = np.abs(np.concatenate([ab.roots(), ba.roots()]))
        if p == 0:
            rho = 0.25 * float(roots.min()) if roots.size else 1.0
        else:
            rho = 4.0 * float(roots.max()) if roots.size else 1.0
        n_pts = max(ppl, 64)
        z = rho * np.exp(2j * np.pi * np.arange(n_pts) / n_pts)
        W = m2_winding_on_loop(z, ab, ba, max_step=max_step)
        wab = (winding_number(ab(z), 0.0, endpoint=False, max_step=max_step),
               winding_number(ba(z), 0.0, endpoint=False, max_step=max_step))
        return GBZWindingResult(W=W, gbz=None, loop=z, n_points=n_pts, windings_ab_ba=wab, sublattice=sf,
                                loop_index=0, limit=_gbz_limit(p, q), loop_windings=[W])
    # decide a gap closing from the E = 0 root gap first (cheap and exact): tracing the GBZ near a gap
    # closing is slow and can only end in a refusal
    try:
        pole_zero_data(ab, ba)
    except ValueError as exc:
        if "gap closing" in str(exc):
            raise ValueError(f"{exc}; W_gbz is undefined there (decided from the roots of Q = H_ab H_ba, before "
                             "tracing the GBZ)") from None
    chain = off_diagonal_chain(ab.to_dict(), ba.to_dict())
    last_err = None
    z = np.zeros(0)
    for _ in range(int(max_refinements) + 1):
        try:
            g = solve_gbz(chain, points_per_loop=ppl)
        except ValueError as exc:
            raise ValueError(f"the GBZ could not be computed for this chain ({exc}); use pole_zero_invariant, "
                             "which needs no GBZ") from None
        main = g.main_loops
        if not main:  # pragma: no cover - solve_gbz refuses GBZs without a main loop
            raise ValueError("no GBZ loop winds around z = 0; the GBZ computation failed for this chain")
        try:
            # Eq. (8) along the boundary of D (the GBZ): the main loop, which winds around z = 0, plus the small
            # extra pieces that junctions of the OBC spectrum can attach to it; each is run with D on its left,
            # so the total counts the zeros minus poles of M^2 in D (argument principle).  A loop traced twice
            # is counted once.
            loops = _distinct_curves(g.loops)
            wind = []
            for zl in loops:
                w = m2_winding_on_loop(zl, ab, ba, max_step=max_step)
                if w != 0:  # the orientation matters only for loops around zeros or poles of M^2
                    w = w if _orient_d_left(chain, zl) is zl else -w
                wind.append(w)
            W = int(sum(wind))
            li = main[0]
            z = g.loops[li]
            wab = (winding_number(ab(z), 0.0, endpoint=False, max_step=max_step),
                   winding_number(ba(z), 0.0, endpoint=False, max_step=max_step))
            return GBZWindingResult(W=W, gbz=g, loop=z, n_points=len(z), windings_ab_ba=wab, sublattice=sf,
                                    loop_index=li, loop_windings=wind)
        except ValueError as exc:
            if "sample more points" not in str(exc):
                raise
            last_err = exc
            ppl *= 2
    raise ValueError(f"the GBZ loop is under-resolved for the winding of M^2 even with {len(z)} points "
                     f"({last_err}); a zero or pole of M^2 lies very close to the GBZ (near a gap closing): "
                     "sample more points (points_per_loop) or move away from the transition")


def _distinct_curves(loops: list) -> list:
    """The loops as curves in the ``z``-plane, each listed once.

    A loop is a repeat of an earlier one when it has about the same length and every point of it lies on
    the earlier loop's polygon (within 5 % of that loop's median step); a small extra piece attached near
    the main loop is kept.
    """
    out = []
    for z in loops:
        zc = np.concatenate([z, z[:1]])
        length = float(np.sum(np.abs(np.diff(zc))))
        dup = False
        for w in out:
            wc = np.concatenate([w, w[:1]])
            seg = np.diff(wc)
            wlen = float(np.sum(np.abs(seg)))
            if abs(length - wlen) > 0.1 * wlen:
                continue
            a = wc[:-1]
            L2 = np.where(np.abs(seg) > 0, np.abs(seg) ** 2, 1.0)
            t = np.clip(np.real((z[:, None] - a[None, :]) * np.conj(seg)[None, :]) / L2, 0.0, 1.0)
            d = np.min(np.abs(z[:, None] - (a + t * seg)[None, :]), axis=1)
            if np.all(d <= 0.05 * float(np.median(np.abs(seg)))):
                dup = True
                break
        if not dup:
            out.append(z)
    return out


def _orient_d_left(chain: Chain, z: np.ndarray) -> np.ndarray:
    """Return the closed loop ``z`` run with the region ``D`` (:func:`nhtopo_lib.gbz.gbz_region_mask`) on its left.

    Probed at 15 points spread along the loop: just left of the curve a point must lie in ``D``, just right
    of it outside.  The conclusive probes vote; without an 80 % majority (thin pieces next to junctions)
    the orientation of :func:`nhtopo_lib.gbz.solve_gbz` (``D`` on the left by construction) is kept.
    """
    from .gbz import gbz_region_mask

    n = len(z)
    idx = np.unique(np.linspace(0, n - 1, 15).astype(int))
    t = z[(idx + 1) % n] - z[idx - 1]
    ok = np.abs(t) > 0
    idx, t = idx[ok], t[ok]
    h = 1e-4 * np.maximum(np.abs(z[idx]), 1e-12) * 1j * t / np.abs(t)
    left = gbz_region_mask(chain, z[idx] + h)
    right = gbz_region_mask(chain, z[idx] - h)
    keep, flip = int(np.sum(left & ~right)), int(np.sum(right & ~left))
    if keep >= 0.8 * (keep + flip) and keep > 0:
        return z
    if flip >= 0.8 * (keep + flip) and flip > 0:
        return z[::-1]
    return z


def gbz_invariant(h_ab: Chain | Mapping[int, complex] | LaurentPoly,
                  h_ba: Mapping[int, complex] | LaurentPoly | None = None, *, points_per_loop: int = 600,
                  max_refinements: int = 3) -> int:
    """Signed GBZ invariant ``W_gbz`` (Eq. 8): winding of ``M**2 = H_ab/H_ba`` along the GBZ.

    The GBZ is computed from ``det(H(z) - E) = E**2 - H_ab H_ba`` by
    :func:`nhtopo_lib.gbz.solve_gbz` (both sub-GBZ copies ``E = +-sqrt(Q)``
    share its loops in the ``z``-plane and ``M**2`` is single valued on them).
    The GBZ is the boundary of the region ``D`` (``z`` among the ``p``
    innermost roots at its own energy): usually one loop around ``z = 0``, run
    counter-clockwise; junctions of the OBC spectrum can attach small extra
    pieces, which are included, each run with ``D`` on its left.  The winding
    is summed from sampled phase steps, which must all stay below ``pi/2``;
    the loops are refined up to ``max_refinements`` times and the call is
    refused if they still are not resolved.  Equals
    :func:`pole_zero_invariant` (Eq. 10).

    Degenerate chains: when ``Q = H_ab H_ba`` has no negative (no positive)
    powers of ``z`` the GBZ shrinks to ``z = 0`` (grows to infinity, the
    extreme skin effect of one-way hopping), and ``W_gbz`` is the limit of the
    winding along circles ``|z| = rho`` as ``rho -> 0`` (``-> infinity``),
    evaluated on a circle inside (outside) every other zero and pole of
    ``M**2``.  When ``Q`` has only positive (only negative) powers the
    continuum collapses onto ``E = 0`` and the call is refused.

    Inputs and refusals as in :func:`pole_zero_invariant`, plus: loops that
    cannot be resolved (a zero or pole of ``M**2`` very close to the GBZ) and
    GBZs that cannot be computed.
    """
    return gbz_winding_data(h_ab, h_ba, points_per_loop=points_per_loop, max_refinements=max_refinements).W


# --------------------------------------------------------------------------- general form
def m_sphere(M: np.ndarray) -> np.ndarray:
    """Stereographic image ``(X, Y, Z)`` of ``M`` on the Riemann sphere (Eqs. 21-23); shape ``M.shape + (3,)``.

    ``M = inf`` maps to the north pole ``(0, 0, 1)``, ``M = 0`` to the south
    pole.  (This is the Bloch sphere of ``(M, 1)`` reflected ``Y -> -Y``.)
    """
    M = _v.complex_array(M, "M", finite=False)
    if np.any(np.isnan(M) & ~np.isinf(M)):
        raise ValueError("M contains NaN (an undefined eigenvector ratio); only finite values and inf (the "
                         "north pole) have an image on the sphere")
    out = np.empty(M.shape + (3,))
    with np.errstate(over="ignore"):
        inf = np.isinf(M) | ~np.isfinite(np.abs(M) ** 2)   # |M| beyond ~1e154: the north pole to double precision
    Mf = np.where(inf, 0, M)
    a2 = np.abs(Mf) ** 2
    out[..., 0] = 2 * Mf.real / (1 + a2)
    out[..., 1] = 2 * Mf.imag / (1 + a2)
    out[..., 2] = (a2 - 1) / (a2 + 1)
    out[inf] = (0.0, 0.0, 1.0)
    return out


def eigvec_ratio(chain: Chain, z: np.ndarray, E: np.ndarray) -> np.ndarray:
    """``M = v1/v2`` of the right eigenvector of ``H(z)`` with eigenvalue ``E`` (Eq. 7), vectorised.

    Uses whichever of the two equivalent forms of Eq. (7) has the larger
    denominator; returns ``inf`` where ``v2 = 0``.
    """
    chain = _v.check_chain(chain, "chain")
    if chain.nbands != 2:
        raise ValueError(f"chain: eigvec_ratio needs a two-band chain, got {chain.nbands} bands")
    z, E = _v.broadcast({"z": _v.complex_array(z, "z"), "E": _v.complex_array(E, "E")})
    H = chain.bloch(z)
    n1, d1 = H[..., 0, 1], E - H[..., 0, 0]
    n2, d2 = E - H[..., 1, 1], H[..., 1, 0]
    use1 = np.abs(d1) * (np.abs(n2) + np.abs(d2)) >= np.abs(d2) * (np.abs(n1) + np.abs(d1))
    with np.errstate(divide="ignore", invalid="ignore"):
        M = np.where(use1, n1 / d1, n2 / d2)
    return M


def kernel_ratio(A: np.ndarray) -> complex:
    """``v1/v2`` of the (right) null vector of a singular ``2x2`` matrix (smallest singular vector)."""
    A = _v.square_matrix(A, "A")
    if A.shape != (2, 2):
        raise ValueError(f"A must be a 2x2 matrix, got shape {A.shape}")
    _, _, vh = np.linalg.svd(A)
    v = vh[-1].conj()
    return complex(v[0] / v[1]) if abs(v[1]) > 1e-14 * abs(v[0]) else complex(np.inf)


@dataclass
class GeneralSublatticeResult:
    """Eq. (28) for a two-band chain in general (not off-diagonal) sublattice form.

    ``roots``: the ``2 mu`` smallest roots of ``z**(2 mu) Q(z)`` (``Q = -det H``);
    ``M``: ``v1/v2`` of the kernel of ``H(z0)`` (of the lowest block at
    ``z0 = 0``); ``labels``: ``"0"`` (``M = M_zero``), ``"inf"``
    (``M = M_inf``) or ``"common"`` (``H(z0) = 0``: one of each, cancelling);
    ``W = #"0" - #"inf"`` (Eq. 28 with ``M_N = M_zero``; equals ``W_pz`` of the
    rotated chain).  ``branch_points``: all non-zero roots of ``Q``;
    ``sphere_zero``/``sphere_inf``: the antipodal images of ``M_zero``,
    ``M_inf`` on the ``M``-sphere (Eqs. 21-23).
    """

    W: int
    W_rotated: int
    roots: np.ndarray
    M: np.ndarray
    labels: list
    branch_points: np.ndarray
    form: SublatticeForm
    sphere_zero: np.ndarray
    sphere_inf: np.ndarray
    Q: LaurentPoly


def general_sublattice_invariant(chain: Chain, *, cluster_tol: float = 1e-6) -> GeneralSublatticeResult:
    """Eqs. (25)-(28): the invariant of a sublattice-symmetric chain not in off-diagonal form.

    Finds ``Gamma`` (or raises ``ValueError("no sublattice symmetry ...")``),
    computes the branch points ``Q(z) = 0``, evaluates ``M`` at the ``2 mu``
    smallest roots of ``z**(2 mu) Q`` from kernels (Eq. 7 is ``0/0`` there),
    checks that the values form the antipodal pair ``M_zero``, ``M_inf``
    (``M_zero conj(M_inf) = -1``) and returns ``W = #M_zero - #M_inf``,
    together with ``W_pz`` of the rotated off-diagonal chain as a cross-check.
    """
    chain = _v.check_chain(chain, "chain")
    cluster_tol = _v.check_tol(cluster_tol, "cluster_tol")
    sf = sublattice_form(chain)
    Q = -chain.char_poly.terms[0]  # det(H - E) = E^2 + det H when d_0 = 0
    lo = chain.hopping_range[0]
    mu = max(0, -lo)
    p = -Q.low
    _refuse_collapsed_continuum(p, Q.high)  # p = 0 or Q.high = 0: the degenerate limits, answered below
    nz_roots = Q.roots()
    n_origin = 2 * mu - p
    if n_origin < 0:  # pragma: no cover - p <= 2 mu always
        raise RuntimeError("internal error: more than 2 mu roots inside the cut")
    if 0 < p < len(nz_roots) and abs(abs(nz_roots[p]) - abs(nz_roots[p - 1])) <= 1e-9 * abs(nz_roots[p]):
        raise ValueError("gap closing: the roots of Q at positions 2mu and 2mu+1 have equal modulus "
                         "(E = 0 on the OBC continuum); the invariant is undefined")
    roots = np.concatenate([np.zeros(n_origin, complex), nz_roots[:p]])
    Ms, labels = [], []
    sz, si = m_sphere(sf.M_zero), m_sphere(sf.M_inf)
    scale = max(float(np.max(np.abs(T))) for T in chain.blocks.values())
    for z0 in roots:
        A = chain.blocks[lo] if z0 == 0 else chain.bloch(z0)
        sv = np.linalg.svd(A, compute_uv=False)
        if sv[0] <= 1e-8 * scale * max(1.0, abs(z0)) ** chain.reach:
            Ms.append(complex(np.nan))
            labels.append("common")
            continue
        M = kernel_ratio(A)
        x = m_sphere(M)
        d0, di = np.linalg.norm(x - sz), np.linalg.norm(x - si)
        if min(d0, di) > cluster_tol ** 0.5:
            raise ValueError(f"M = {M:.6g} at the branch point z = {z0:.6g} is neither M_zero = {sf.M_zero:.6g} "
                             f"nor M_inf = {sf.M_inf:.6g}: the M values do not form an antipodal pair")
        Ms.append(M)
        labels.append("0" if d0 < di else "inf")
    W = labels.count("0") - labels.count("inf")
    W_rot = pole_zero_invariant(sf.h_ab, sf.h_ba)
    return GeneralSublatticeResult(W=W, W_rotated=W_rot, roots=roots, M=np.array(Ms), labels=labels,
                                   branch_points=nz_roots, form=sf, sphere_zero=sz, sphere_inf=si, Q=Q)


# --------------------------------------------------------------------------- zero modes
_GAUGE_AT_CUT = True

def zero_mode_data(h_ab: Chain | Mapping[int, complex] | LaurentPoly,
                   h_ba: Mapping[int, complex] | LaurentPoly | None = None, n_cells: int = 100,
                   **kwargs: Any):
    """Certified zero-mode count of the open chain (see :func:`nhtopo_lib.zeromodes.certified_zero_modes`)."""
    from .zeromodes import certified_zero_modes

    n_cells = _v.check_int(n_cells, "n_cells", lo=2)
    _v.check_dense(2 * n_cells, "n_cells", n_cells, eig=True, fix="use fewer cells")
    ab = ba = None
    errs: dict = {}
    if isinstance(h_ab, Chain):
        if h_ba is not None:
            raise ValueError("pass either (h_ab, h_ba) mappings or a single Chain")
        if h_ab.nbands != 2:
            raise ValueError(f"h_ab: a Chain passed as h_ab must have two bands, got {h_ab.nbands}")
        sf = sublattice_form(h_ab)  # refuses chains without sublattice symmetry
        chain = h_ab
        # count on the off-diagonal form U^-1 T_n U, with a bound on its rounding (and on the dropped
        # diagonal residue) per block, so that the sublattices can be balanced below
        ab, ba = _laurent(sf.h_ab, "H_ab (rotated)"), _laurent(sf.h_ba, "H_ba (rotated)")
        Ui = np.linalg.inv(sf.U)
        u_err = float(np.linalg.norm(sf.U.conj().T @ sf.U - np.eye(2)))
        for n, T in chain.blocks.items():
            Tp = Ui @ T @ sf.U
            kept = np.array([[0, sf.h_ab.get(n, 0)], [sf.h_ba.get(n, 0), 0]])
            errs[n] = (float(np.linalg.norm(Tp - kept)) + (16 * 2.0 ** -53 + 4 * u_err) * float(np.linalg.norm(T))
                       * float(np.linalg.norm(Ui)) * float(np.linalg.norm(sf.U)))
    else:
        ab, ba, _ = _off_diagonal_input(h_ab, h_ba)
        chain = off_diagonal_chain(ab.to_dict(), ba.to_dict())
    # is the chain long enough for edge modes to exist at all?  Zero modes decay into the bulk with the
    # moduli of the roots of Q on either side of the E = 0 root gap; their hybridisation falls like
    # (|zeta_2mu| / |zeta_2mu+1|)**(N/2).  Demand a factor >= 1e3 (this uses only |roots|, not the invariant).
    Q = ab * ba  # = -det H(z), without the rounding noise of a rotated chain's determinant
    p, q = -Q.low, Q.high
    _refuse_collapsed_continuum(p, q)
    mods = np.sort(np.abs(Q.roots()))
    if p == 0 and q == 0:      # Q constant: flat bands +-sqrt(Q), any similarity will do
        r_cut, ratio = 1.0, np.inf
    elif p == 0:               # GBZ radius -> 0: a similarity well inside every root of Q
        r_cut, ratio = float(2.0 ** np.floor(np.log2(0.25 * mods[0]))), np.inf
    elif q == 0:               # GBZ radius -> infinity
        r_cut, ratio = float(2.0 ** np.ceil(np.log2(4.0 * mods[-1]))), np.inf
    else:
        ratio = mods[p] / mods[p - 1]
        r_cut = float(np.sqrt(mods[p] * mods[p - 1]))
    if ratio - 1 <= 1e-9:
        raise ValueError("gap closing: E = 0 lies on the OBC continuum (|zeta_2mu| = |zeta_2mu+1|); "
                         "no zero-mode count can be called")
    if np.isfinite(ratio):
        n_min = int(np.ceil(2 * np.log(1e3) / np.log(ratio)))
        if int(n_cells) < n_min:
            raise ValueError(f"cannot certify a zero-mode count at n_cells={int(n_cells)}: edge modes decay by only "
                             f"a factor {ratio:.4g} per two cells, so their hybridisation is not yet small; "
                             f"use n_cells >= {n_min}")
    if kwargs.get("gauge_radius") is None and (not np.isfinite(ratio) or _GAUGE_AT_CUT):
        # the similarity diag(r^j) with r inside the E = 0 root gap of Q: E = 0 then has zero winding
        # around the transformed Bloch spectrum, the zero modes decay from both ends and no GBZ is needed
        kwargs["gauge_radius"] = r_cut
        if ab is not None:
            # balance the two sublattices by the exact similarity diag(1, s) per cell (s a power of two):
            # after diag(r^j) the entries H_ab(r z), H_ba(r z) can differ by many orders of magnitude
            na = float(np.sum(np.abs(ab.coeffs) * r_cut ** np.arange(ab.low, ab.high + 1)))
            nb = float(np.sum(np.abs(ba.coeffs) * r_cut ** np.arange(ba.low, ba.high + 1)))
            sb = float(2.0 ** np.round(0.5 * np.log2(nb / na)))
            if sb != 1.0 or errs:
                chain = off_diagonal_chain({k: v * sb for k, v in ab.to_dict().items()},
                                           {k: v / sb for k, v in ba.to_dict().items()})
            if errs:
                kwargs["abs_pert"] = float(sum(e * r_cut ** n * max(sb, 1 / sb) for n, e in errs.items()))
    return certified_zero_modes(chain, n_cells, **kwargs)


def zero_mode_count(h_ab: Chain | Mapping[int, complex] | LaurentPoly,
                    h_ba: Mapping[int, complex] | LaurentPoly | None = None, n_cells: int = 100) -> int:
    """Certified number of zero-energy modes of the open chain of ``n_cells`` cells (``|W|`` of the bulk).

    The open chain (``2 n_cells`` sites, block ``(j, j+n)`` = ``z**n``
    coefficient) is transformed by the exact similarity ``diag(r**j)`` with
    ``r`` from the GBZ, diagonalised in double precision and certified by a
    Gershgorin argument with rigorous rounding-error bounds; rigorous
    high-precision arithmetic is the fallback for small chains.  Returns the
    number of eigenvalues with ``|E| <= 1e-6 * max|E|``.

    Raises
    ------
    ValueError
        Input errors as in :func:`pole_zero_invariant`, or when the bulk-gap
        margin is too small to call a count (``E = 0`` near the continuum,
        or ``n_cells`` too small for the edge modes to separate).
    """
    return zero_mode_data(h_ab, h_ba, n_cells).count


# --------------------------------------------------------------------------- report
@dataclass
class SublatticeReport:
    """Everything the book shows for one sublattice-symmetric two-band chain.

    ``form``: the rotation to off-diagonal form; ``pz``: ``W_pz`` (rotated
    frame); ``gw``: ``W_gbz`` and the GBZ; ``general``: Eq. (28) from the
    branch points; ``zm``: certified OBC zero-mode count; ``sub_gbz``: list of
    ``(z, E, M)`` arrays on the two sub-GBZ loops (``M`` in the original frame).
    """

    chain: Chain
    form: SublatticeForm
    pz: PoleZeroResult
    gw: GBZWindingResult
    general: GeneralSublatticeResult
    zm: object
    sub_gbz: list

    @property
    def W_pz(self) -> int:
        """The pole-zero invariant ``W_pz`` (Eq. 9)."""
        return self.pz.W

    @property
    def W_gbz(self) -> int:
        """The GBZ invariant ``W_gbz`` (Eq. 8)."""
        return self.gw.W

    @property
    def edge_count(self) -> int:
        """Certified number of zero modes of the open chain."""
        return self.zm.count

    @property
    def gbz(self):
        """The :class:`nhtopo_lib.gbz.GBZ` on which ``W_gbz`` was computed."""
        return self.gw.gbz

    @property
    def off_diagonal(self) -> bool:
        """True if the chain was already in off-diagonal form (``U`` is the identity)."""
        return bool(np.allclose(self.form.U, np.eye(2)))


def sublattice_report(chain: Chain, n_cells: int = 100, *, points_per_loop: int = 600) -> SublatticeReport:
    """Compute ``W_pz``, ``W_gbz``, Eq. (28), the certified zero-mode count and the sub-GBZ ``M`` curves."""
    from .zeromodes import certified_zero_modes

    chain = _v.check_chain(chain, "chain")
    n_cells = _v.check_int(n_cells, "n_cells", lo=2)
    _v.check_dense(chain.nbands * n_cells, "n_cells", n_cells, eig=True, fix="use fewer cells")
    points_per_loop = _v.check_size(points_per_loop, "points_per_loop", lo=16, cap=10 ** 5)
    form = sublattice_form(chain)
    pz = pole_zero_data(form.h_ab, form.h_ba)
    pz.sublattice = form
    gw = gbz_winding_data(form.h_ab, form.h_ba, points_per_loop=points_per_loop)
    gw.sublattice = form
    general = general_sublattice_invariant(chain)
    g = gw.gbz
    sub = []
    if g is None:  # one-sided Q: the GBZ has degenerated to z = 0 or infinity (no sub-GBZ curves)
        zm = zero_mode_data(chain, None, n_cells)
        return SublatticeReport(chain=chain, form=form, pz=pz, gw=gw, general=general, zm=zm, sub_gbz=sub)
    lo, hi = g.radius_range
    r = float(np.median(np.abs(g.all_z))) if g.is_circle() else float(np.sqrt(lo * hi))
    zm = certified_zero_modes(chain, n_cells, gauge_radius=r)
    z = g.loops[gw.loop_index]
    E = g.energies(gw.loop_index)
    for c in range(E.shape[1]):
        sub.append((z, E[:, c], eigvec_ratio(chain, z, E[:, c])))
    return SublatticeReport(chain=chain, form=form, pz=pz, gw=gw, general=general, zm=zm, sub_gbz=sub)


#: column titles of :func:`report_table` (MyST math; no bare ``|`` so that they fit a pipe table)
REPORT_TABLE_HEADER = ("case", "$\\mu$", "$p,q$", "first $2\\mu$ points: $\\lvert z\\rvert$ (type)", "gap",
                       "$W_{\\rm pz}$", "$W_{\\rm gbz}$", "edges", "GBZ $\\lvert z\\rvert$", "residual")


def report_table(reports: Mapping[str, SublatticeReport]) -> tuple[tuple[str, ...], list[list[str]]]:
    """Header and rows of the regression table of the pole-zero chapter, one row per report.

    Columns: hopping range ``mu``; exponent range ``p, q`` of ``det[H - E]``; the first ``2 mu``
    zeros/poles of ``M^2`` (off-diagonal form) or the first ``2 mu`` roots of ``z^(2 mu) Q`` with their
    eigenvector ratio ``M`` (general form), as ``|z| (type)``; the gap ``(|zeta_2mu|, |zeta_2mu+1|)``;
    both invariants; the certified zero-mode count; the GBZ modulus range and its residual.
    ``reports`` maps a row label to a :class:`SublatticeReport`.
    """
    if not isinstance(reports, Mapping):
        raise TypeError(f"reports must be a mapping {{row label: SublatticeReport}}, got {type(reports).__name__}")
    for name, rep in reports.items():
        if not isinstance(name, str):
            raise TypeError(f"reports: row labels must be strings, got {type(name).__name__} {name!r:.40}")
        if not isinstance(rep, SublatticeReport):
            raise TypeError(f"reports[{name!r}] must be a SublatticeReport (from sublattice_report), "
                            f"got {type(rep).__name__}")
    rows = []
    for name, rep in reports.items():
        if rep.off_diagonal:
            pts = ", ".join(f"{abs(z):.3g} ({k})" for z, k in zip(rep.pz.points, rep.pz.kinds))
            gap = rep.pz.gap
        else:
            pts = ", ".join(f"{abs(z):.3g} (M={m.imag:+.4f}i)" for z, m in zip(rep.general.roots, rep.general.M))
            bp = np.abs(rep.general.branch_points)
            gap = (bp[-rep.general.Q.low - 1], bp[-rep.general.Q.low])
        lo, hi = rep.gbz.radius_range
        rr = f"{lo:.4f}" if hi - lo < 1e-9 else f"[{lo:.3f}, {hi:.3f}]"
        rows.append([name, str(rep.pz.mu), f"{rep.gbz.p}, {rep.gbz.q}", pts, f"({gap[0]:.3f}, {gap[1]:.3f})",
                     f"{rep.W_pz:+d}", f"{rep.W_gbz:+d}", str(rep.edge_count), rr, f"{rep.gbz.residual:.0e}"])
    return REPORT_TABLE_HEADER, rows
