"""Majorana's stellar representation (MSR) of multiband Bloch states and the winding of the stars.

Reference: W. X. Teo, L. Li, X. Zhang and J. Gong, Phys. Rev. B 101, 205309 (2020),
arXiv:2002.07490.  The equations of that paper were not available to us; the formulas below are
reconstructions (standard MSR, checked numerically), and the docstrings say so where it matters.

**Stars of a state.**  A ``J``-component vector ``psi`` is read as a spin ``S = (J - 1)/2`` with
``C_{S-k} = psi[k]`` (component 1 is ``m = +S``).  Its ``2S = J - 1`` Majorana stars are the roots of

    P(x) = sum_{k=0}^{2S} (-1)**k * sqrt(binom(2S, k)) * psi[k] * x**(2S - k),

mapped to the unit sphere by the inverse stereographic projection ``x = tan(theta/2) e^{i phi}``,
i.e. the star at ``(sin theta cos phi, sin theta sin phi, cos theta)``.  The all-up state
``(1, 0, ..., 0)`` has every star at the north pole.  A vanishing leading coefficient
(``psi[0] = 0``) sends a root to ``x = infinity``: that star sits at the **south pole**
(``theta = pi``) and is put there explicitly; a vanishing last component (``psi[J-1] = 0``) gives a
star at the north pole.  ``phi`` is undefined (NaN) at either pole.  Multiplying ``psi`` by any
non-zero complex number rescales ``P`` and moves no star, so stars need no gauge fixing.
Vieta's formula gives ``prod_i x_i = psi[J-1] / psi[0]``: the *sum* of the azimuths of a band's
stars is ``arg(psi_J / psi_1)`` modulo ``2 pi``.

**Momentum and the non-Bloch shift.**  Bands are computed from ``H(k + i kappa)``, i.e. the Bloch
matrix of :mod:`nhtopo_lib.chain` at ``beta = e^{i(k + i kappa)} = e^{-kappa} e^{ik}``; ``kappa = 0``
is the Brillouin zone.  When the generalized Brillouin zone (GBZ) is the circle ``|beta| = r`` the
non-Bloch shift is ``kappa = -ln r`` (:func:`non_bloch_kappa`), the convention of
:func:`nhtopo_lib.gbz.gbz_circle_radius`; ``H(k + i kappa)`` is then the Bloch matrix of
``chain.gauge_transformed(r)``, whose open chain is exactly similar to the original one.

**Star winding** (reconstruction of Eq. (7)): ``W_n = (1/2pi) sum_i oint dk d phi_{n,i}/dk``, the
total azimuthal winding of the stars of band ``n`` as ``k`` runs from 0 to ``2 pi`` (counter-
clockwise positive), and the summed winding ``W = sum_n W_n`` (Eq. (8)), which counts the isolated
edge states of the open chain, an ``m``-fold coalescent edge state counting ``m`` times.  By Vieta,
``W_n`` is the winding of ``psi_{n,J}(k) / psi_{n,1}(k)``; the library computes it that way and
cross-checks it against star-by-star tracking.

**Band labels.**  Bands are followed in ``k`` by continuation (optimal assignment of eigenvalues and
right eigenvectors between neighbouring momenta, with adaptive bisection where they move fast),
never by sorting.  At the start point ``k0`` (default 0) they are numbered by increasing
``Im E``, ties (equal ``Im E`` up to ``1e-9`` of the energy scale) broken by increasing ``Re E``.
At an exceptional point (EP) the continuation is ambiguous by nature (the coalescing energies *and*
eigenvectors coincide); there the coalescing bands are matched in the same ``(Im E, Re E)`` order
on both sides of the EP (an "ordered exchange", continuous because the states coincide at the EP).
Per-band windings therefore depend on a labelling rule at EPs; only their sum does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import comb
from typing import Any, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v
from .chain import Chain
from .winding import wrap_phase

__all__ = [
    "majorana_polynomial",
    "majorana_stars",
    "stars_to_xyz",
    "as_chain",
    "non_bloch_kappa",
    "non_bloch_bloch",
    "BandTracks",
    "track_bands",
    "StarTracks",
    "track_stars",
    "StarWindings",
    "star_windings",
    "msr_windings",
    "summed_winding",
    "summed_winding_batch",
    "nn_chain_summed_windings",
    "biorthogonal_zak_phases",
    "EdgeStates",
    "isolated_edge_states",
    "isolated_edge_count",
    "subchain_edge_count",
]

_TWO_PI = 2.0 * np.pi


# ----------------------------------------------------------------------------- Majorana stars
def _check_states(psi: ArrayLike) -> np.ndarray:
    psi = _v.complex_array(psi, "psi", finite=False)
    if psi.ndim == 0:
        raise ValueError("psi: a state needs at least 2 components (got a scalar)")
    if psi.shape[-1] < 2:
        raise ValueError(f"psi: a state needs J >= 2 components to have Majorana stars, got J = {psi.shape[-1]}")
    if psi.size == 0:
        raise ValueError(f"psi is empty (shape {psi.shape}): pass at least one state")
    if not np.all(np.isfinite(psi)):
        raise ValueError("psi: the state contains NaN or inf; fix the eigenvectors before computing stars")
    if np.any(np.max(np.abs(psi), axis=-1) == 0):
        raise ValueError("psi: the zero vector has no Majorana stars (a state must be non-zero)")
    return psi


def majorana_polynomial(psi: ArrayLike) -> np.ndarray:
    """Coefficients of the Majorana polynomial ``P(x)``, highest power first.

    ``coeffs[..., k] = (-1)**k sqrt(binom(2S, k)) psi[..., k]`` multiplies ``x**(2S - k)``
    (``2S = J - 1``).  Equivalent to the form ``sum_k (-1)^k C_{S-k} x^{2S-k} / sqrt((2S-k)! k!)``
    up to the constant factor ``sqrt((2S)!)``.
    """
    psi = _check_states(psi)
    J = psi.shape[-1]
    w = np.array([(-1) ** k * np.sqrt(comb(J - 1, k)) for k in range(J)])
    return psi * w


def majorana_stars(psi: ArrayLike, *, tol: float = 1e-13) -> tuple[np.ndarray, np.ndarray]:
    """Majorana stars ``(theta, phi)`` of one or many ``J``-component states.

    Parameters
    ----------
    psi
        Array of shape ``(..., J)``; the last axis holds the components (component 1 = ``m = +S``).
    tol
        A leading coefficient with ``|psi[0]| <= tol * max_k |coeff_k|`` counts as zero: each such
        vanishing coefficient puts one star exactly at the south pole (``theta = pi``).

    Returns
    -------
    theta, phi
        Arrays of shape ``(..., J - 1)``: polar angle in ``[0, pi]`` and azimuth in ``(-pi, pi]``
        of every star (stars unordered).  ``phi`` is NaN for stars exactly at a pole.

    Raises
    ------
    ValueError
        For NaN/inf input, the zero vector or ``J < 2``.
    """
    tol = _v.check_tol(tol, "tol")
    from .gbz import poly_roots_batch

    c = majorana_polynomial(psi)
    shape = c.shape[:-1]
    J = c.shape[-1]
    flat = c.reshape(-1, J)
    scale = np.max(np.abs(flat), axis=1, keepdims=True)
    flat = np.where(np.abs(flat) <= tol * scale, 0.0, flat)  # exact zeros: explicit poles
    x = poly_roots_batch(flat[:, ::-1])  # lowest power first; lost leading roots -> inf
    x = x.reshape(shape + (J - 1,))
    inf = ~np.isfinite(x)
    ax = np.where(inf, 0.0, np.abs(x))
    theta = np.where(inf, np.pi, 2.0 * np.arctan(ax))
    phi = np.where(inf | (ax == 0), np.nan, np.angle(np.where(inf, 1.0, x)))
    return theta, phi


def stars_to_xyz(theta: ArrayLike, phi: ArrayLike) -> np.ndarray:
    """Unit vectors ``(sin theta cos phi, sin theta sin phi, cos theta)``; shape ``theta.shape + (3,)``.

    A NaN azimuth (star at a pole) is harmless: ``sin theta = 0`` there.
    """
    theta = _v.real_array(theta, "theta")
    phi = _v.real_array(phi, "phi", finite=False)
    if np.any(np.isinf(phi)):
        raise ValueError("phi contains inf; azimuths must be finite (NaN marks a star at a pole)")
    theta, phi = _v.broadcast({"theta": theta, "phi": phi})
    phi = np.nan_to_num(phi, nan=0.0)
    s = np.sin(theta)
    return np.stack([s * np.cos(phi), s * np.sin(phi), np.cos(theta)], axis=-1)


# ----------------------------------------------------------------------------- chains and kappa
def as_chain(blocks: Chain | Mapping[int, ArrayLike]) -> Chain:
    """A :class:`~nhtopo_lib.chain.Chain` from a chain or a mapping ``{n: T_n}`` of ``J x J`` blocks.

    Raises ValueError (from :class:`Chain`) for non-square blocks, blocks of different sizes, NaN or
    non-integer hopping ranges, and here for one-band chains (no stars).
    """
    return _as_chain_arg(blocks, "blocks")


def _as_chain_arg(x, name: str) -> Chain:
    chain = _v.check_chain(x, name)
    if chain.nbands < 2:
        raise ValueError(f"{name}: Majorana stars need J >= 2 bands; this chain has one band per cell")
    return chain


def _nn_form(chain: Chain):
    """``(t_right, t_left, onsite)`` if ``chain`` has the :func:`~nhtopo_lib.models.multiband_nn_chain` form.

    That is: blocks ``-1, 0, 1`` only, a tridiagonal cell ``T_0`` and a single inter-cell bond
    ``T_{-1}[0, J-1]``, ``T_{+1}[J-1, 0]``; then the open chain is tridiagonal in site order.
    Returns None otherwise.
    """
    J = chain.nbands
    if set(chain.blocks) - {-1, 0, 1}:
        return None
    z = np.zeros((J, J), complex)
    T0, Tm, Tp = (chain.blocks.get(n, z) for n in (0, -1, 1))
    mask = np.zeros((J, J), bool)
    mask[0, J - 1] = True
    if J == 2:  # both corners of a 2x2 block are "inter-cell" entries
        if np.any(Tm[~mask] != 0) or np.any(Tp[~mask.T] != 0):
            return None
    elif np.any(Tm[~mask] != 0) or np.any(Tp[~mask.T] != 0) or np.any(np.triu(T0, 2) != 0) \
            or np.any(np.tril(T0, -2) != 0):
        return None
    tR = np.array([T0[j + 1, j] for j in range(J - 1)] + [Tm[0, J - 1]])
    tL = np.array([T0[j, j + 1] for j in range(J - 1)] + [Tp[J - 1, 0]])
    return tR, tL, np.diag(T0).copy()


def _single_loop_gbz_radius(chain: Chain) -> float | None:
    """Exact GBZ radius when ``det(H(beta) - E) = a/beta + Q(E) + b beta`` with constant ``a, b``.

    Then the two roots ``beta_1 beta_2 = a/b`` have equal moduli on the GBZ, ``r = sqrt|a/b|``
    (every nearest-neighbour chain with a single inter-cell bond has this form).  None otherwise.
    """
    terms = chain.char_poly.terms
    for p in terms[1:]:
        if not p.is_zero and (p.low != 0 or p.high != 0):
            return None
    p0 = terms[0]
    if p0.is_zero or p0.low != -1 or p0.high != 1:
        return None
    a, b = complex(p0.coeffs[0]), complex(p0.coeffs[-1])
    if a == 0 or b == 0:
        return None
    return float(np.sqrt(abs(a / b)))


def non_bloch_kappa(chain: Chain | Mapping[int, ArrayLike]) -> float:
    """The non-Bloch shift ``kappa = -ln r`` of a chain whose GBZ is the circle ``|beta| = r``.

    ``H(k + i kappa)`` (Bloch matrix at ``beta = e^{-kappa} e^{ik}``) then reproduces the continuum
    of the long open chain.  For characteristic polynomials of the form ``a/beta + Q(E) + b beta``
    (nearest-neighbour multiband chains with one inter-cell bond) ``r = sqrt|a/b|`` exactly;
    otherwise :func:`nhtopo_lib.gbz.gbz_circle_radius` solves the GBZ.

    Raises
    ------
    ValueError
        If the GBZ is not a circle: no single ``kappa`` exists.  The message says what to do.
    """
    chain = _v.check_chain(chain, "chain")
    r = _single_loop_gbz_radius(chain)
    if r is None:
        from .gbz import gbz_circle_radius

        try:
            r = gbz_circle_radius(chain)
        except ValueError as exc:
            raise ValueError(f"cannot derive a single non-Bloch shift kappa: {exc}. The MSR winding needs "
                             "H(k + i kappa) on a circular GBZ; pass kappa=<number> explicitly only if you "
                             "know the right deformation, or study the chain on its GBZ loops "
                             "(nhtopo_lib.solve_gbz) instead") from None
    return float(-np.log(r))


def non_bloch_bloch(chain: Chain, k: ArrayLike, kappa: float = 0.0) -> np.ndarray:
    """``H(k + i kappa)``: the Bloch matrix at ``beta = e^{-kappa} e^{ik}``, shape ``k.shape + (J, J)``."""
    chain = _v.check_chain(chain, "chain")
    k = _v.real_array(k, "k")
    r = _radius_of(kappa)
    return chain.bloch(r * np.exp(1j * k))


def _radius_of(kappa) -> float:
    kappa = _v.check_real(kappa, "kappa")
    with np.errstate(over="ignore", under="ignore"):
        r = float(np.exp(-kappa))
    if not (np.isfinite(r) and r > 0):
        raise ValueError(f"kappa={kappa:g}: e^(-kappa) overflows or underflows; |kappa| must stay below ~700")
    return r


def _resolve_kappa(chain: Chain, kappa) -> float:
    if kappa is None:
        return non_bloch_kappa(chain)
    kappa = _v.check_real(kappa, "kappa", fix="or None to derive it from the GBZ")
    _radius_of(kappa)
    return kappa


# ----------------------------------------------------------------------------- band tracking
def _eig_normalised(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    E, V = np.linalg.eig(H)
    V = V / np.linalg.norm(V, axis=-2, keepdims=True)
    return E, V


def _tolerant_order(E: np.ndarray, scale: float, rtol: float = 1e-9) -> np.ndarray:
    """Indices ordering ``E`` by increasing Im, ties within ``rtol*scale`` broken by increasing Re."""
    order = np.argsort(E.imag, kind="stable")
    tol = rtol * scale
    out = []
    i = 0
    while i < len(order):
        j = i + 1
        while j < len(order) and E.imag[order[j]] - E.imag[order[j - 1]] <= tol:
            j += 1
        group = order[i:j]
        out.extend(group[np.argsort(E.real[group], kind="stable")])
        i = j
    return np.array(out, dtype=int)


def _ratio(V: np.ndarray) -> np.ndarray:
    """``psi_J conj(psi_1)`` per eigenvector column (phase = arg(psi_J/psi_1), gauge invariant)."""
    return V[..., -1, :] * np.conj(V[..., 0, :])


def _clusters(E: np.ndarray, pairs: set) -> list[list[int]]:
    parent = list(range(len(E)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in range(len(E)):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def _star_match(ta, pa, tb, pb):
    """Match two star sets (Hungarian on chordal distance); returns (perm, max distance)."""
    from scipy.optimize import linear_sum_assignment

    xa, xb = stars_to_xyz(ta, pa), stars_to_xyz(tb, pb)
    cost = np.linalg.norm(xa[:, None, :] - xb[None, :, :], axis=-1)
    r, c = linear_sum_assignment(cost)
    perm = np.empty(len(r), dtype=int)
    perm[r] = c
    return perm, cost


@dataclass
class BandTracks:
    """Bands of ``H(k + i kappa)`` followed continuously over one period ``k0 .. k0 + 2 pi``.

    Attributes
    ----------
    k
        Increasing momenta (adaptive grid), ``k[0] = k0``, ``k[-1] = k0 + 2 pi``.
    energies
        ``(L, J)``: ``energies[i, n]`` is band ``n`` at ``k[i]`` (continuation labels).
    vectors
        ``(L, J, J)``: ``vectors[i, :, n]`` its unit-norm right eigenvector (arbitrary phase).
    monodromy
        Band ``n`` arrives at ``k0 + 2 pi`` as band ``monodromy[n]`` of ``k0``; the identity unless
        the bands braid.
    exceptional
        ``[(k, labels), ...]``: momenta (to ``k_resolution``) where the continuation met an EP-like
        coalescence of the listed bands and used the ordered exchange (module docstring).
    critical
        Momenta where a band's ``psi_1`` or ``psi_J`` vanishes (a star on a pole, a transition):
        windings are undefined there.
    kappa
        The non-Bloch shift used.
    min_separation
        Smallest distance between two band energies over the grid (small: near an EP).
    """

    k: np.ndarray
    energies: np.ndarray
    vectors: np.ndarray
    monodromy: tuple
    exceptional: list = field(default_factory=list)
    critical: list = field(default_factory=list)
    kappa: float = 0.0
    min_separation: float = np.inf

    @property
    def nbands(self) -> int:
        """Number of bands ``J``."""
        return self.energies.shape[1]

    def cycles(self) -> list[tuple[int, ...]]:
        """Cycles of :attr:`monodromy` (each band in exactly one; length 1 = band closes on itself)."""
        seen, out = set(), []
        for n in range(self.nbands):
            if n in seen:
                continue
            cyc, m = [], n
            while m not in seen:
                seen.add(m)
                cyc.append(m)
                m = self.monodromy[m]
            out.append(tuple(cyc))
        return out

    def band_phase_changes(self) -> np.ndarray:
        """``(1/2pi) x`` change of ``arg(psi_J/psi_1)`` of every band over the tracked period."""
        rho = _ratio(self.vectors)
        return np.sum(wrap_phase(np.diff(np.angle(rho), axis=0)), axis=0) / _TWO_PI


def _judge_batch(Ea, Va, Eb, Vb, scale, max_phase_step):
    """Vectorised band matching on many intervals at once (``J <= 6``): ``(perm, status)`` as in ``judge``.

    ``perm[m]`` is the assignment minimising ``sum_n |E_a - E_b| / scale + (1 - |<v_a|v_b>|)`` over all
    permutations; ``status`` is 0 (clear-cut and small phase steps), 1 (the chosen partner is not at least
    twice as close as any other candidate) or 2 (a band's ``arg(psi_J/psi_1)`` steps by more than
    ``max_phase_step``).
    """
    from itertools import permutations

    M, J = Ea.shape
    dE = np.abs(Ea[:, :, None] - Eb[:, None, :]) / scale
    ov = np.abs(np.einsum("min,mik->mnk", Va.conj(), Vb))
    cost = dE + (1.0 - np.minimum(ov, 1.0))                       # (M, J, J)
    perms = np.array(list(permutations(range(J))))                 # (P, J)
    total = cost[:, np.arange(J)[None, :], perms].sum(axis=-1)     # (M, P)
    perm = perms[np.argmin(total, axis=1)]                         # (M, J)
    rows = np.arange(M)[:, None]
    chosen = cost[rows, np.arange(J)[None, :], perm]
    other = cost.copy()
    other[rows, np.arange(J)[None, :], perm] = np.inf
    second = np.minimum(other.min(axis=2), np.take_along_axis(other.min(axis=1), perm, axis=1))
    status = np.zeros(M, dtype=int)
    status[np.any((chosen > 0.5 * second) & (chosen > 1e-12), axis=1)] = 1
    ra = _ratio(Va)
    rb = np.take_along_axis(_ratio(Vb), perm, axis=1)
    step = np.abs(wrap_phase(np.angle(rb) - np.angle(ra)))
    status[(status == 0) & np.any(step > max_phase_step, axis=1)] = 2
    return perm, status


def track_bands(chain: Chain | Mapping[int, ArrayLike], kappa: float | None = 0.0, *, k0: float = 0.0,
                n_init: int = 128, max_phase_step: float = np.pi / 4, stars: bool = False,
                max_star_step: float = 0.25, k_resolution: float = 1e-10,
                max_points: int = 200_000) -> BandTracks:
    """Follow the bands of ``H(k + i kappa)`` by continuation over ``k in [k0, k0 + 2 pi]``.

    Algorithm: eigenpairs on a uniform grid of ``n_init`` intervals; on every interval the bands
    are matched by an optimal assignment (Hungarian) of the cost
    ``|E_a - E_b| / scale + (1 - |<v_a|v_b>|)``.  An interval is bisected while (i) the matching is
    not clear-cut (the chosen partner is not at least twice as close as any other candidate), (ii)
    a band's ``arg(psi_J/psi_1)`` jumps by more than ``max_phase_step`` or (iii, if ``stars``) a
    Majorana star moves by more than ``max_star_step`` (chordal distance) or its azimuth by more than
    ``max_phase_step``.  An interval shorter than ``k_resolution`` that still fails (i) holds an
    exceptional point: the coalescing bands are matched in ``(Im E, Re E)`` order on both sides
    (recorded in ``exceptional``).  One that still fails (ii) has a star on a pole (recorded in
    ``critical``).  Bands are numbered at ``k0`` by increasing ``Im E``, ties by ``Re E``.

    ``kappa=None`` derives the non-Bloch shift from the GBZ (:func:`non_bloch_kappa`).  Raises
    ValueError when ``max_points`` samples do not suffice.
    """
    from scipy.optimize import linear_sum_assignment

    chain = _as_chain_arg(chain, "chain")
    k0 = _v.check_real(k0, "k0")
    if abs(k0) > 1e4:
        raise ValueError(f"k0={k0:g} is too large: the momenta k0 .. k0 + 2 pi would not be resolved in double "
                         "precision; reduce k0 modulo 2 pi")
    max_points = _v.check_size(max_points, "max_points", lo=4, cap=10 ** 7,
                               cost=lambda n: "every momentum stores J eigenpairs",
                               fix="the default 200000 resolves every chain of the book")
    n_init = _v.check_size(n_init, "n_init", lo=2, cap=max_points,
                           fix="n_init must not exceed max_points")
    max_phase_step = _v.check_max_step(max_phase_step, "max_phase_step")
    if 2 * np.pi / max_phase_step > max_points:
        raise ValueError(f"max_phase_step={max_phase_step:.3g} needs more than 2 pi / max_phase_step = "
                         f"{2 * np.pi / max_phase_step:.3g} momenta for a single winding, above max_points={max_points}; "
                         "use a larger max_phase_step (the default pi/4 is safe)")
    max_star_step = _v.check_positive(max_star_step, "max_star_step")
    k_resolution = _v.check_real(k_resolution, "k_resolution", lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    kappa = _resolve_kappa(chain, kappa)
    J = chain.nbands
    r = np.exp(-kappa)

    def eig_at(ks):
        return _eig_normalised(chain.bloch(r * np.exp(1j * np.asarray(ks, dtype=float))))

    k = np.linspace(k0, k0 + _TWO_PI, int(n_init) + 1)
    E, V = eig_at(k)
    scale = max(float(np.max(np.abs(E))), float(np.max(np.abs(chain.bloch(r)))), 1e-300)
    # start point: avoid an (almost) degenerate k0, where the initial labels would be arbitrary
    sep0 = np.min(np.where(np.eye(J, dtype=bool), np.inf, np.abs(E[0][:, None] - E[0][None, :])))
    if sep0 < 1e-6 * scale:
        raise ValueError(f"the bands are (nearly) degenerate at the start point k0 = {k0:g} (separation "
                         f"{sep0:.2g}); pass another k0 to track_bands")

    def stars_of(Vcols):
        th, ph = majorana_stars(np.swapaxes(Vcols, -1, -2))  # (J bands, J-1 stars)
        return th, ph

    def judge(Ea, Va, Eb, Vb):
        """Return (perm, status) with status 0 ok, 1 ambiguous, 2 phase/star step too large."""
        dE = np.abs(Ea[:, None] - Eb[None, :]) / scale
        ov = np.abs(np.einsum("in,im->nm", Va.conj(), Vb))
        cost = dE + (1.0 - np.minimum(ov, 1.0))
        rr, cc = linear_sum_assignment(cost)
        perm = np.empty(J, dtype=int)
        perm[rr] = cc
        chosen = cost[np.arange(J), perm]
        other = cost.copy()
        other[np.arange(J), perm] = np.inf
        second = np.minimum(other.min(axis=1), other.min(axis=0)[perm])
        if np.any((chosen > 0.5 * second) & (chosen > 1e-12)):
            return perm, 1
        ra, rb = _ratio(Va), _ratio(Vb)[perm]
        step = np.abs(wrap_phase(np.angle(rb) - np.angle(ra)))
        if np.any(step > max_phase_step):
            return perm, 2
        if stars:
            tha, pha = stars_of(Va)
            thb, phb = stars_of(Vb[:, perm])
            for n in range(J):
                sp, sc = _star_match(tha[n], pha[n], thb[n], phb[n])
                if np.max(sc[np.arange(J - 1), sp]) > max_star_step:
                    return perm, 2
                dphi = wrap_phase(phb[n][sp] - pha[n])
                if np.any(np.nan_to_num(np.abs(dphi)) > max_phase_step):
                    return perm, 2
        return perm, 0

    # ---- adaptive refinement (local criteria only); a vectorised first pass settles the clear-cut intervals
    ks, Es, Vs = list(k), list(E), list(V)
    final = []
    if stars or J > 6:
        pending = list(range(len(ks) - 1))
    else:
        perm0, st0 = _judge_batch(E[:-1], V[:-1], E[1:], V[1:], scale, max_phase_step)
        for i in np.flatnonzero(st0 == 0):
            final.append((ks[i], ks[i + 1], Es[i], Vs[i], Es[i + 1], Vs[i + 1], perm0[i], 0))
        pending = [int(i) for i in np.flatnonzero(st0 != 0)]
    intervals = [(ks[i], ks[i + 1], Es[i], Vs[i], Es[i + 1], Vs[i + 1]) for i in pending]
    while intervals:
        todo, mids = [], []
        for iv in intervals:
            a, b, Ea, Va, Eb, Vb = iv
            perm, st = judge(Ea, Va, Eb, Vb)
            if st == 0 or (b - a) < k_resolution:
                final.append((a, b, Ea, Va, Eb, Vb, perm, st))
            else:
                todo.append(iv)
                mids.append(0.5 * (a + b))
        if not todo:
            break
        if len(final) + 2 * len(todo) > max_points:
            raise ValueError(f"could not resolve the bands with {max_points} momenta (fast motion or many "
                             "near-degeneracies); increase max_points or n_init")
        Em, Vm = eig_at(np.array(mids))
        intervals = []
        for iv, km, e, v in zip(todo, mids, Em, Vm):
            a, b, Ea, Va, Eb, Vb = iv
            intervals.append((a, km, Ea, Va, e, v))
            intervals.append((km, b, e, v, Eb, Vb))
    final.sort(key=lambda t: t[0])

    # ---- sequential labelling (continuation), ordered exchange at EP-like intervals
    L = len(final) + 1
    kk = np.array([final[0][0]] + [f[1] for f in final])
    Eraw = np.array([final[0][2]] + [f[4] for f in final])
    Vraw = np.array([final[0][3]] + [f[5] for f in final])
    labs = np.empty((L, J), dtype=int)
    lab = _tolerant_order(final[0][2], scale)
    labs[0] = lab
    exceptional, critical = [], []
    for i, (a, b, Ea, Va, Eb, Vb, perm, st) in enumerate(final):
        if st == 0:
            lab = perm[lab]
            labs[i + 1] = lab
            continue
        new = perm[lab]
        if st == 1:
            # EP-like: clusters of bands whose assignment is ambiguous, matched in (Im, Re) order
            dE = np.abs(Ea[:, None] - Eb[None, :])
            near = set()
            for n in range(J):
                for m in range(J):
                    if m != perm[n] and dE[n, m] <= 2.0 * dE[n, perm[n]] + 1e-12 * scale:
                        near.add((n, int(np.flatnonzero(perm == m)[0])))
            for cl in _clusters(Ea, near):
                cl = np.array(cl)
                oa = cl[_tolerant_order(Ea[cl], scale)]
                targets = perm[cl]
                ob = targets[_tolerant_order(Eb[targets], scale)]
                fixed = perm.copy()
                fixed[oa] = ob
                perm = fixed
            new = perm[lab]
            bands = tuple(sorted({int(np.flatnonzero(lab == c)[0]) for c in
                                  {x for pair in near for x in pair}}))
            exceptional.append((0.5 * (a + b), bands))
        elif st == 2:
            critical.append(0.5 * (a + b))
        lab = new
        labs[i + 1] = lab
    EE = np.take_along_axis(Eraw, labs, axis=1)
    VV = np.take_along_axis(Vraw, labs[:, None, :], axis=2)
    d = np.abs(EE[:, :, None] - EE[:, None, :])
    d[:, np.arange(J), np.arange(J)] = np.inf
    min_sep = float(d.min())
    # monodromy: match the end point (k0 + 2 pi) to the start point (same matrix)
    dE = np.abs(EE[-1][:, None] - EE[0][None, :]) / scale
    ov = np.abs(np.einsum("in,im->nm", VV[-1].conj(), VV[0]))
    rr, cc = linear_sum_assignment(dE + (1.0 - np.minimum(ov, 1.0)))
    mono = np.empty(J, dtype=int)
    mono[rr] = cc
    return BandTracks(k=kk, energies=EE, vectors=VV, monodromy=tuple(int(x) for x in mono),
                      exceptional=exceptional, critical=critical, kappa=kappa, min_separation=min_sep)


# ----------------------------------------------------------------------------- stars along k
@dataclass
class StarTracks:
    """Majorana stars of one band path followed continuously over ``periods`` Brillouin zones.

    ``k`` (length ``L``) runs from ``k0`` to ``k0 + 2 pi periods``; ``theta``, ``phi`` have shape
    ``(L, J - 1)`` with stars matched between neighbouring momenta (optimal assignment of chordal
    distances); ``phi_unwrapped`` accumulates the wrapped azimuth steps (NaN-free: a step through a
    pole counts as 0 and is reported in ``pole_crossings``).  ``bands`` lists the band labels visited
    in successive periods (length ``periods``).  ``winding`` is the total azimuthal winding of all
    stars divided by ``2 pi``.
    """

    k: np.ndarray
    theta: np.ndarray
    phi: np.ndarray
    phi_unwrapped: np.ndarray
    bands: tuple
    periods: int
    winding: float
    pole_crossings: int = 0

    @property
    def xyz(self) -> np.ndarray:
        """Star positions on the unit sphere, shape ``(L, J - 1, 3)``."""
        return stars_to_xyz(self.theta, self.phi)

    @property
    def star_windings(self) -> np.ndarray:
        """Azimuthal winding of each individual star over the tracked periods (units of ``2 pi``)."""
        return (self.phi_unwrapped[-1] - self.phi_unwrapped[0]) / _TWO_PI


def track_stars(tracks: BandTracks, band: int, *, periods: int | None = None) -> StarTracks:
    """Follow the stars of ``band`` through as many periods as needed for them to close.

    The stars of a band may be permuted after one period (they exchange), and the band itself may
    arrive as another band (:attr:`BandTracks.monodromy`).  By periodicity of ``H(k)`` the data of
    one period suffice: period ``q`` uses the stars of band ``monodromy^q(band)``.  ``periods=None``
    continues until both the band and every star have returned to their start.  Use a
    :class:`BandTracks` computed with ``stars=True`` for well-resolved star steps.
    """
    if not isinstance(tracks, BandTracks):
        raise TypeError(f"tracks must be a BandTracks (from track_bands), got {type(tracks).__name__}")
    J = tracks.nbands
    band = _v.check_int(band, "band", lo=0, hi=J - 1)
    if periods is not None:
        periods = _v.check_int(periods, "periods", lo=1)
        if periods * len(tracks.k) > 2 * 10 ** 5:
            raise ValueError(f"periods={periods} with {len(tracks.k)} momenta per period asks for "
                             f"{periods * len(tracks.k)} star matchings, above the limit of 2e5; the stars close "
                             f"after at most {2 * int(np.prod(range(1, J + 1))) * J} periods (periods=None finds it)")
    th1, ph1 = majorana_stars(np.swapaxes(tracks.vectors, -1, -2))  # (L, J, J-1)
    L1 = len(tracks.k)
    ks, TH, PH, UW = [], [], [], []
    cur = band
    prev = None
    unw = np.zeros(J - 1)
    visited = []
    pole_steps = 0
    q = 0
    max_periods = periods if periods is not None else 2 * np.prod(range(1, J + 1)) * J
    while q < max_periods:
        visited.append(cur)
        for i in range(L1):
            if q > 0 and i == 0:
                continue  # the end of the previous period is this start point
            t, p = th1[i, cur], ph1[i, cur]
            if prev is None:
                order = np.arange(J - 1)
            else:
                order, _ = _star_match(prev[0], prev[1], t, p)
                # order maps previous slot -> new star index
            t, p = t[order], p[order]
            if prev is not None:
                step = wrap_phase(p - prev[1])
                bad = ~np.isfinite(step)
                pole_steps += int(np.sum(bad))
                unw = unw + np.where(bad, 0.0, step)
            ks.append(tracks.k[i] + _TWO_PI * q)
            TH.append(t)
            PH.append(p)
            UW.append(unw.copy())
            prev = (t, p)
        q += 1
        cur = tracks.monodromy[cur]
        if periods is None and cur == band:
            # stars must also be back in their original slots
            t0, p0 = TH[0], PH[0]
            perm, cost = _star_match(t0, p0, prev[0], prev[1])
            if np.all(perm == np.arange(J - 1)) and np.max(cost[np.arange(J - 1), perm]) < 1e-6:
                break
    UW = np.array(UW)
    PH = np.array(PH)
    phi0 = np.nan_to_num(PH[0])
    unwrapped = UW + phi0
    return StarTracks(k=np.array(ks), theta=np.array(TH), phi=PH, phi_unwrapped=unwrapped,
                      bands=tuple(visited), periods=q, winding=float(np.sum(UW[-1]) / _TWO_PI),
                      pole_crossings=pole_steps)


# ----------------------------------------------------------------------------- windings
@dataclass
class StarWindings:
    """Result of :func:`star_windings`.

    ``per_band[n]`` is the star winding of band ``n`` (labels of :func:`track_bands`), an integer
    for every band that closes on itself; ``cycles`` the braid cycles of the monodromy with their
    integer totals ``cycle_totals`` (a cycle of ``c`` bands closes after ``c`` periods);
    ``total`` the summed winding (Eq. (8)); ``exceptional`` the EP crossings met on the way.
    """

    per_band: np.ndarray
    total: int
    cycles: list
    cycle_totals: list
    exceptional: list
    kappa: float
    tracks: BandTracks


def _raise_if_touching(tracks: BandTracks, min_overlap: float = 0.99) -> None:
    """Refuse band touchings that are not exceptional points (degenerate bands with distinct eigenvectors).

    At an EP the coalescing bands share their eigenvector and the ordered exchange continues them
    continuously; at a diabolic touching (e.g. a Hermitian band touching, or a unit cell that is a
    multiple of a smaller one) the eigenvectors stay independent and the star windings are undefined.
    """
    if not tracks.exceptional:
        return
    scale = max(float(np.max(np.abs(tracks.energies))), 1e-300)
    for kmid, bands in tracks.exceptional:
        i = int(np.clip(np.searchsorted(tracks.k, kmid) - 1, 0, len(tracks.k) - 2))
        for j in (i, i + 1):
            E, Vv = tracks.energies[j], tracks.vectors[j]
            for ia, a in enumerate(bands):
                for b in bands[ia + 1:]:
                    if abs(E[a] - E[b]) <= 1e-4 * scale and abs(np.vdot(Vv[:, a], Vv[:, b])) < min_overlap:
                        raise ValueError(f"bands {a} and {b} touch at k = {kmid:.6g} with independent eigenvectors "
                                         "(a band touching, not an exceptional point): the star windings are "
                                         "undefined there -- the parameters sit on a transition, or the unit cell "
                                         "is a multiple of a smaller one; move the parameters or use the smaller cell")


def _raise_if_critical(tracks: BandTracks) -> None:
    if tracks.critical:
        ks = ", ".join(f"{x:.6g}" for x in tracks.critical[:4])
        raise ValueError(f"a Majorana star sits on a pole (psi_1 or psi_J of a band vanishes) at k = {ks}: the "
                         "parameters lie on a transition where the star winding is undefined; move them "
                         "slightly off the transition")


def star_windings(chain: Chain | Mapping[int, ArrayLike], kappa: float | None = 0.0, *,
                  tracks: BandTracks | None = None, **track_kwargs: Any) -> StarWindings:
    """Per-band star windings (Eq. (7)) and their sum (Eq. (8)) from continuation-tracked bands.

    ``W_n`` is computed as the winding of ``psi_{n,J}/psi_{n,1}`` along the tracked band (equal to
    the total azimuthal winding of its stars by Vieta's formula).  Bands that braid (monodromy not
    the identity) are reported per braid cycle; ``per_band`` then holds the cycle total divided by
    the cycle length (not an integer in general).  Raises ValueError at a transition (a star on a
    pole), where the winding is undefined.
    """
    chain = _as_chain_arg(chain, "chain")
    if tracks is None:
        tracks = track_bands(chain, kappa, **track_kwargs)
    elif not isinstance(tracks, BandTracks):
        raise TypeError(f"tracks must be None or a BandTracks (from track_bands), got {type(tracks).__name__}")
    _raise_if_critical(tracks)
    _raise_if_touching(tracks)
    ch = tracks.band_phase_changes()
    cycles = tracks.cycles()
    per = np.empty(tracks.nbands)
    totals = []
    for cyc in cycles:
        tot = float(np.sum(ch[list(cyc)]))
        it = int(np.rint(tot))
        if abs(tot - it) > 1e-6:  # pragma: no cover - the cycle closes, so this is an integer
            raise RuntimeError(f"internal error: cycle winding {tot} is not an integer")
        totals.append(it)
        for n in cyc:
            per[n] = it / len(cyc) if len(cyc) > 1 else it
    total = int(sum(totals))
    return StarWindings(per_band=per, total=total, cycles=cycles, cycle_totals=totals,
                        exceptional=tracks.exceptional, kappa=tracks.kappa, tracks=tracks)


def msr_windings(blocks: Chain | Mapping[int, ArrayLike], kappa: float | None = None) -> list[int]:
    """Star winding of every band of ``H(k + i kappa)`` (Eq. (7)); their sum counts isolated edge states.

    Parameters
    ----------
    blocks
        Mapping ``{n: T_n}`` of ``J x J`` hopping blocks (array-likes) in the library convention
        ``H(beta) = sum_n T_n beta**n``, ``H_OBC[j, j+n] = T_n`` (or a :class:`Chain`).
    kappa
        Non-Bloch shift: the bands of ``H(k + i kappa)``, i.e. of the Bloch matrix at
        ``beta = e^{i(k + i kappa)} = e^{-kappa} e^{ik}``.  ``None`` (default) derives it from the
        GBZ, ``kappa = -ln r`` for a circular GBZ ``|beta| = r`` (:func:`non_bloch_kappa`); a number
        overrides it (``kappa=0``: the Bloch Hamiltonian on the Brillouin zone).

    Returns
    -------
    list of int
        ``W_n`` for ``n = 0..J-1``.  Band labels: bands numbered at ``k = 0`` by increasing
        ``Im E`` (ties by ``Re E``) and followed by continuation (module docstring).  For separable
        bands this labelling is unique and so is every ``W_n``.  With exceptional points the
        continuation uses the ordered exchange at each EP; another (equally continuous) exchange
        would redistribute the windings among the coalescing bands, so **only the sum is
        labelling-independent**.  Exactly at an EP momentum the coalescing bands share one
        eigenvector, hence the same stars; the winding integrals are unaffected by this single point.
        If bands braid (they do not close after one period even with the ordered exchange), each
        band of a braid cycle of length ``c`` with total winding ``T`` gets ``T / c``, which must be
        an integer here.

    Raises
    ------
    ValueError
        For bad blocks (shape, NaN), a non-circular GBZ with ``kappa=None``, a transition point
        (a star on a pole: winding undefined) or a braid whose winding does not split into integers
        (use :func:`star_windings` for the cycle totals).
    """
    res = star_windings(_as_chain_arg(blocks, "blocks"), kappa)
    out = []
    for n, w in enumerate(res.per_band):
        if abs(w - round(w)) > 1e-9:
            cyc = next(c for c in res.cycles if n in c)
            raise ValueError(f"bands {cyc} braid (they close only after {len(cyc)} periods) with total star "
                             f"winding {res.cycle_totals[res.cycles.index(cyc)]}, which does not split into "
                             "integer per-band windings; use star_windings(...) for the cycle totals or "
                             "summed_winding(...) for the sum")
        out.append(int(round(w)))
    return out


def summed_winding(blocks: Chain | Mapping[int, ArrayLike], kappa: float | None = 0.0,
                   **track_kwargs: Any) -> int:
    """Summed star winding ``W = sum_n W_n`` (Eq. (8)), independent of how bands are labelled.

    Computed from continuation-tracked bands (:func:`star_windings`), which checks every band's
    ``psi_J/psi_1`` separately.  (The label-free winding of ``prod_n psi_{n,J}/psi_{n,1}`` is *not*
    safe on its own: when two stars cross poles at the same momentum -- e.g. PT-partner edge
    states entering the continuum together -- their two phase jumps of ``pi`` add up to an
    invisible ``2 pi``.)  ``kappa=None`` derives the non-Bloch shift from the GBZ.  Raises ValueError
    at a transition (a star on a pole).
    """
    return star_windings(_as_chain_arg(blocks, "blocks"), kappa, **track_kwargs).total


def summed_winding_batch(bloch: ArrayLike, *, max_step: float = np.pi / 2) -> np.ndarray:
    """Summed star windings of many sampled loops at once (vectorised, for phase diagrams).

    ``bloch`` has shape ``(..., L, J, J)``: ``H(k_l + i kappa)`` on ``L`` equally spaced momenta of one
    period (end point excluded).  On every step ``k_l -> k_{l+1}`` the bands are matched by the
    permutation minimising ``sum_n |E_n(k_l) - E_{p(n)}(k_{l+1})|`` (all ``J!`` permutations are
    tried, vectorised; intended for ``J <= 6``) and each band's ``arg(psi_J/psi_1)`` step is wrapped;
    the summed winding is the total over bands and steps divided by ``2 pi``.  The result does not
    depend on the matching at exceptional points (the coalescing states have nearly equal stars
    there), only the sum over bands is returned.  Returns a float array of shape ``...`` with NaN
    where some band's step exceeds ``max_step`` (under-resolved, or a star on/near a pole:
    a transition).  Recompute NaN points with :func:`star_windings` or a finer ``L``.
    """
    from itertools import permutations

    H = _v.complex_array(bloch, "bloch", finite=False)
    if H.ndim < 3 or H.shape[-1] != H.shape[-2]:
        raise ValueError(f"bloch must have shape (..., L, J, J), got {H.shape}")
    if H.shape[-3] < 3:
        raise ValueError("bloch: need at least 3 momenta per loop; sample more points")
    if not np.all(np.isfinite(H)):
        raise ValueError("bloch contains NaN or inf")
    max_step = _v.check_max_step(max_step)
    J = H.shape[-1]
    if J < 2 or J > 6:
        raise ValueError(f"bloch has J={J} bands: summed_winding_batch tries all J! band matchings and supports "
                         "2 <= J <= 6; use summed_winding (continuation tracking) for other J")
    _v.check_elements(H.size / J * np.prod(range(1, J + 1)), "bloch", f"array of shape {H.shape}", itemsize=8,
                      fix="evaluate fewer parameter points per call")
    E, V = _eig_normalised(H)
    ph = np.angle(_ratio(V))                                   # (..., L, J)
    zero = np.abs(_ratio(V)) == 0
    En, phn = np.roll(E, -1, axis=-2), np.roll(ph, -1, axis=-2)
    perms = np.array(list(permutations(range(J))))             # (P, J)
    cost = np.stack([np.sum(np.abs(E - En[..., p]), axis=-1) for p in perms], axis=-1)
    best = perms[np.argmin(cost, axis=-1)]                     # (..., L, J)
    steps = wrap_phase(np.take_along_axis(phn, best, axis=-1) - ph)
    total = np.sum(steps, axis=(-1, -2)) / _TWO_PI
    bad = (np.max(np.abs(steps), axis=(-1, -2)) > max_step) | np.any(zero, axis=(-1, -2))
    w = np.rint(total)
    return np.where(bad, np.nan, w)


def nn_chain_summed_windings(t_right: ArrayLike, t_left: ArrayLike, gamma: ArrayLike,
                             kappa: ArrayLike = 0.0, *, levels: Sequence[int] = (32, 128, 512),
                             track: bool = True) -> np.ndarray:
    """Summed star windings of many :func:`~nhtopo_lib.models.multiband_nn_chain` parameter sets.

    ``t_right``, ``t_left``, ``gamma`` have shape ``P + (J,)`` (broadcast), ``kappa`` broadcasts to
    ``P``.  Every point is first evaluated with :func:`summed_winding_batch` on ``levels[0]`` momenta;
    the points it cannot resolve are recomputed on ``levels[1]``, ``levels[2]``, ... momenta, and the
    rest (near transitions) by adaptive band tracking (:func:`summed_winding`) if ``track`` is true.
    Returns a float array of shape ``P``: integers, NaN where unresolved (``track=False``) or where
    the point is (numerically) on a transition.
    """
    from .models import multiband_nn_bloch, multiband_nn_chain

    tr, tl, g = _v.broadcast({"t_right": _v.complex_array(t_right, "t_right"),
                              "t_left": _v.complex_array(t_left, "t_left"), "gamma": _v.complex_array(gamma, "gamma")})
    if tr.ndim == 0 or tr.shape[-1] < 2:
        raise ValueError(f"t_right, t_left, gamma must have shape P + (J,) with J >= 2, got {tr.shape}")
    P = tr.shape[:-1]
    kap = _v.real_array(kappa, "kappa")
    try:
        kap = np.broadcast_to(kap, P)
    except ValueError:
        raise ValueError(f"kappa of shape {kap.shape} does not broadcast to the parameter shape {P}") from None
    if np.any(np.abs(kap) > 700):
        raise ValueError("kappa: e^(+-kappa) overflows for |kappa| > ~700")
    if isinstance(levels, (str, bytes)) or not hasattr(levels, "__iter__"):
        raise TypeError(f"levels must be a sequence of momentum counts, got {type(levels).__name__}")
    levels = tuple(_v.check_size(L, "levels", lo=3, cap=10 ** 5) for L in levels)
    if not levels:
        raise ValueError("levels is empty: pass at least one number of momenta, e.g. (32, 128, 512)")
    if P == ():  # a single parameter set: evaluate it as a batch of one
        return nn_chain_summed_windings(tr[None], tl[None], g[None], kap[None], levels=levels, track=track)[0]
    out = np.full(P, np.nan)
    todo = np.ones(P, dtype=bool)
    for L in levels:
        if not np.any(todo):
            break
        idx = np.nonzero(todo)
        k = np.linspace(0, _TWO_PI, int(L), endpoint=False)
        beta = np.exp(1j * k)
        H = multiband_nn_bloch(tr[idx], tl[idx], g[idx], beta)
        # non-Bloch: beta -> e^{-kappa} beta, i.e. scale T_{-1} by e^{kappa} and T_{+1} by e^{-kappa}
        kk = kap[idx]
        if np.any(kk != 0):
            J = tr.shape[-1]
            H[..., 0, J - 1] *= np.exp(kk)[:, None]
            H[..., J - 1, 0] *= np.exp(-kk)[:, None]
        w = summed_winding_batch(H)
        out[idx] = w
        todo[idx] = np.isnan(w)
    if track and np.any(todo):
        for ii in zip(*np.nonzero(todo)):
            ch = multiband_nn_chain(tr[ii], tl[ii], g[ii])
            try:
                out[ii] = summed_winding(ch, float(kap[ii]))
            except ValueError:
                out[ii] = np.nan
    return out


# ----------------------------------------------------------------------------- Zak phase
def biorthogonal_zak_phases(blocks: Chain | Mapping[int, ArrayLike], kappa: float | None = 0.0, *,
                            gauge: str | None = None, tracks: BandTracks | None = None,
                            on_ep: str = "nan", **track_kwargs: Any) -> np.ndarray:
    """Biorthogonal Zak phases ``Z_n`` of the bands of ``H(k + i kappa)`` (reconstructed Eqs. (3)-(4)).

    Discrete form on the tracked momenta ``k_0 < ... < k_M = k_0 + 2 pi``:
    ``Z_n = -Im ln prod_j <L_n(k_j)|R_n(k_{j+1})>`` with biorthonormal left eigenvectors
    (``<L_m|R_n> = delta_mn``) and ``R_n(k_M) = R_n(k_0)``.

    ``gauge=None``: the gauge-invariant product, returned modulo ``2 pi`` in ``(-pi, pi]``.
    ``gauge="last"`` (or ``"first"``): right eigenvectors fixed with ``psi_J`` (``psi_1``) real and
    positive, and the small per-step phases summed without reduction; the sum over bands in the
    ``"last"`` gauge is the integer multiple of ``pi`` that the paper quotes for separable bands
    (a reconstruction: the paper's gauge is not known).  The two gauges differ by exactly
    ``2 pi W_n``.

    At an EP the Hamiltonian is not diagonalisable and ``Z_n`` is undefined: every band involved in
    an EP crossing or a braid gets NaN (``on_ep="nan"``) or a ValueError (``on_ep="raise"``).
    """
    chain = _as_chain_arg(blocks, "blocks")
    _v.check_choice(on_ep, "on_ep", ("nan", "raise"))
    _v.check_choice(gauge, "gauge", (None, "last", "first"))
    if tracks is not None and not isinstance(tracks, BandTracks):
        raise TypeError(f"tracks must be None or a BandTracks (from track_bands), got {type(tracks).__name__}")
    if tracks is None:
        tracks = track_bands(chain, kappa, **track_kwargs)
    J = tracks.nbands
    bad = set()
    for _, bands in tracks.exceptional:
        bad.update(bands)
    for cyc in tracks.cycles():
        if len(cyc) > 1:
            bad.update(cyc)
    if bad and on_ep == "raise":
        raise ValueError(f"bands {sorted(bad)} pass through exceptional points (or braid): the Hamiltonian is "
                         "not diagonalisable there and their Zak phases are undefined; use the star winding")
    R = tracks.vectors.copy()
    if gauge is not None:
        comp = R[:, -1, :] if gauge == "last" else R[:, 0, :]
        if np.min(np.abs(comp)) < 1e-12:
            raise ValueError(f"the gauge '{gauge}' needs a component that never vanishes, but it does (a star "
                             "on a pole); use gauge=None")
        R = R * (np.abs(comp) / comp)[:, None, :]
    Lh = np.linalg.inv(R)  # rows: <L_n| with <L_m|R_n> = delta
    prods = np.einsum("inj,ijn->in", Lh[:-1], R[1:])  # <L_n(k_i)|R_n(k_{i+1})>
    # closing: R at k_M must be the start vector (same gauge rule) -- already R[-1] ~ R[0] up to phase
    # replace the last factor by <L(k_{M-1})|R(k_0)> so that the loop closes exactly
    prods[-1] = np.einsum("nj,jn->n", Lh[-2], R[0])
    if gauge is None:
        Z = -np.angle(np.prod(prods / np.abs(prods), axis=0))
    else:
        Z = -np.sum(np.angle(prods), axis=0)
    Z = Z.astype(float)
    for n in bad:
        Z[n] = np.nan
    return Z


# ----------------------------------------------------------------------------- edge states
@dataclass
class EdgeStates:
    """Isolated eigenvalues of a long open chain (result of :func:`isolated_edge_states`).

    Attributes
    ----------
    count
        Number of isolated eigenvalues (a ``m``-fold coalescent edge state, split into ``m`` nearby
        eigenvalues at finite length, counts ``m`` times).
    energies
        The isolated eigenvalues at the longest length used.
    clusters
        Groups of isolated eigenvalues closer to each other than ``cluster_tol`` (coalescent
        states), as arrays of energies.
    distances
        Distance of each isolated eigenvalue to the continuum drawn in the energy plane.
    spectrum
        The whole open-chain spectrum at the longest length.
    continuum
        The continuum as polylines, one per column (NaN-padded, a NaN breaks a polyline): the bands
        ``E_n(k + i kappa)`` from ``k = 0`` to ``2 pi`` followed by optimal matching, shape ``(L, J)``,
        or one closed curve per sub-GBZ loop when the GBZ is not a circle.
    n_cells, kappa, method, certified
        Lengths used (those at which the count was decided), non-Bloch shift (NaN for a non-circular
        GBZ), how the eigenvalues were obtained, and whether the count is certified (Gershgorin discs,
        see :func:`isolated_edge_states`).
    overlaps
        For every cluster, the smallest ``|<v_a|v_b>|`` between unit right eigenvectors of its
        members at the shorter length: close to 1 for a coalescent state (the eigenvectors become
        parallel, an exceptional point of the open chain), small for merely degenerate states such
        as a pair of zero modes at opposite ends.
    root_gaps
        ``gamma(E) = ln(|beta_{p+1}| / |beta_p|)`` of each isolated eigenvalue (about the inverse of its
        localisation length in cells; zero on the continuum).
    """

    count: int
    energies: np.ndarray
    clusters: list
    distances: np.ndarray
    spectrum: np.ndarray
    continuum: np.ndarray
    n_cells: tuple
    kappa: float
    method: str
    certified: bool = False
    radii: np.ndarray | None = None
    overlaps: list = field(default_factory=list)
    root_gaps: np.ndarray | None = None

    @property
    def multiplicities(self) -> list[int]:
        """Size of every cluster of nearly coincident isolated eigenvalues (``m`` of Eq. (8))."""
        return [len(c) for c in self.clusters]


def _match_steps(E: np.ndarray) -> np.ndarray:
    """Permutations ``perm[i]`` matching row ``i`` of ``E`` (shape ``(L, J)``) to row ``i + 1``.

    ``E[i + 1, perm[i, n]]`` continues ``E[i, n]``: the assignment minimising the summed distance
    (all permutations, vectorised, for ``J <= 6``; the Hungarian algorithm otherwise).
    """
    L, J = E.shape
    a, b = E[:-1], E[1:]
    if J == 1:
        return np.zeros((L - 1, 1), dtype=int)
    if J <= 6:
        from itertools import permutations

        perms = np.array(list(permutations(range(J))))          # (P, J)
        cost = np.abs(a[:, None, :] - b[:, perms]).sum(axis=-1)  # (L-1, P)
        return perms[np.argmin(cost, axis=1)]
    from scipy.optimize import linear_sum_assignment

    out = np.empty((L - 1, J), dtype=int)
    for i in range(L - 1):
        r, c = linear_sum_assignment(np.abs(a[i][:, None] - b[i][None, :]))
        out[i, r] = c
    return out


def _follow(E: np.ndarray) -> np.ndarray:
    """Reorder the columns of ``E`` (shape ``(L, J)``) row by row so that every column is a continuous band."""
    perm = _match_steps(E)
    out = np.empty_like(E)
    col = np.arange(E.shape[1])
    out[0] = E[0]
    for i in range(E.shape[0] - 1):
        col = perm[i][col]
        out[i + 1] = E[i + 1, col]
    return out


def _band_polylines(chain: Chain, kappa: float, n_k: int = 256, max_rounds: int = 8,
                    max_ratio: float = 8.0) -> np.ndarray:
    """The continuum as matched bands: ``E_n(k + i kappa)`` at ``L`` momenta from 0 to 2 pi (both ends).

    Returns ``(L, J)``; column ``n`` is band ``n`` followed by optimal matching between neighbouring
    momenta, an *open* polyline (band ``n`` at ``k = 2 pi`` may arrive on another band's start: the
    polylines are never closed by a chord).  Momenta are bisected where a band step exceeds
    ``max_ratio`` times the median step (fast motion near exceptional points).
    """
    r = float(np.exp(-kappa))
    k = np.linspace(0.0, _TWO_PI, int(n_k) + 1)
    E = np.linalg.eigvals(chain.bloch(r * np.exp(1j * k)))
    for _ in range(max_rounds):
        B = _follow(E)
        step = np.max(np.abs(np.diff(B, axis=0)), axis=1)
        pos = step[step > 0]
        if pos.size == 0:
            return B
        bad = np.flatnonzero(step > max_ratio * np.median(pos))
        if bad.size == 0:
            return B
        km = 0.5 * (k[bad] + k[bad + 1])
        Em = np.linalg.eigvals(chain.bloch(r * np.exp(1j * km)))
        k = np.concatenate([k, km])
        E = np.concatenate([E, Em])
        o = np.argsort(k, kind="stable")
        k, E = k[o], E[o]
    return _follow(E)


def _split_long_segments(curves: list, max_ratio: float = 50.0) -> np.ndarray:
    """Pack open polylines into a NaN-padded ``(L, n)`` array, cutting segments longer than ``max_ratio`` x median.

    A NaN row separates the pieces of a cut polyline, so no segment joins unrelated samples.
    """
    steps = np.concatenate([np.abs(np.diff(c)) for c in curves if len(c) > 1] or [np.zeros(1)])
    pos = steps[steps > 0]
    lim = max_ratio * float(np.median(pos)) if pos.size else np.inf
    pieces = []
    for c in curves:
        c = np.asarray(c, dtype=complex)
        if len(c) > 1:
            cut = np.flatnonzero(np.abs(np.diff(c)) > lim)
            c = np.insert(c, cut + 1, np.nan) if cut.size else c
        pieces.append(c)
    L = max(len(c) for c in pieces)
    out = np.full((L, len(pieces)), np.nan + 0j)
    for j, c in enumerate(pieces):
        out[: len(c), j] = c
    return out


def _gbz_polylines(g) -> np.ndarray:
    """The continuum of a (non-circular) GBZ as one closed polyline per sub-GBZ loop (NaN-padded columns)."""
    curves = []
    for i in range(len(g.loops)):
        for _, E in g.sub_gbz_loops(i):
            curves.append(np.concatenate([E, E[:1]]))
    return _split_long_segments(curves)


def _distance_to_curves(z: np.ndarray, curves: np.ndarray) -> np.ndarray:
    """Distance of points ``z`` to the polylines ``curves[:, n]`` (segments between consecutive rows).

    Columns are open polylines; NaN entries break a polyline (no segment touches them).
    """
    z = np.asarray(z, dtype=complex).ravel()
    if z.size == 0:
        return np.zeros(0)
    curves = np.asarray(curves, dtype=complex)
    curves = curves.reshape(len(curves), -1)
    a = curves[:-1].ravel()
    b = curves[1:].ravel()
    ok = np.isfinite(a) & np.isfinite(b)
    pts = curves[np.isfinite(curves)]
    a, b = a[ok], b[ok]
    if a.size == 0:
        return np.min(np.abs(z[:, None] - pts[None, :]), axis=1)
    ab = b - a
    L2 = np.abs(ab) ** 2
    L2 = np.where(L2 > 0, L2, 1.0)
    out = np.empty(z.size)
    for i in range(0, z.size, 32):
        zi = z[i:i + 32, None]
        t = np.clip(np.real((zi - a) * np.conj(ab)) / L2, 0.0, 1.0)
        out[i:i + 32] = np.min(np.abs(zi - (a + t * ab)), axis=1)
    return out


def _cluster_values(E: np.ndarray, tol: float) -> list:
    """The values of :func:`_cluster_indices`'s clusters, sorted by the (Im, Re) of their centroids."""
    out = [E[g] for g in _cluster_indices(E, tol)]
    return sorted(out, key=lambda c: (float(np.mean(c).imag), float(np.mean(c).real)))


def _gershgorin_count(H: np.ndarray, candidates: np.ndarray, entry_rtol: float, enclosure=None):
    """Certified number of eigenvalues of ``H`` in the Gershgorin components around ``candidates``.

    Returns ``(count, radii)`` or ``(None, radii)`` if the certificate fails (a component mixes
    candidates and other eigenvalues, or the discs are unbounded).
    """
    from .zeromodes import gershgorin_enclosure

    centers, rad, _ = gershgorin_enclosure(H, entry_rtol) if enclosure is None else enclosure
    if not np.all(np.isfinite(rad)):
        return None, rad
    n = centers.size
    order = np.argsort(centers.real)
    pairs = set()
    rmax = float(rad.max())
    for ii in range(n):
        a = order[ii]
        for jj in range(ii + 1, n):
            b = order[jj]
            if centers.real[b] - centers.real[a] > rad[a] + rmax:
                break
            if abs(centers[a] - centers[b]) <= rad[a] + rad[b]:
                pairs.add((int(a), int(b)))
    comps = _clusters(centers, pairs)
    member = {i for g in comps for i in g}
    comps += [[i] for i in range(n) if i not in member]
    # which discs are candidate eigenvalues (nearest centre to each candidate)
    from scipy.optimize import linear_sum_assignment

    is_cand = np.zeros(n, dtype=bool)
    if candidates.size:
        _, cols = linear_sum_assignment(np.abs(candidates[:, None] - centers[None, :]))
        is_cand[cols] = True
    count = 0
    for comp in comps:
        comp = np.array(comp)
        if np.all(is_cand[comp]):
            count += comp.size
        elif np.any(is_cand[comp]):
            return None, rad
    return count, rad


def _classify_isolated(E1, g1, E2, g2, N1, N2, scale, gamma_min, converge_tol, cluster_tol):
    """Split the eigenvalues ``E2`` of the ``N2``-cell chain into edge states, bulk states and undecided ones.

    ``g1``, ``g2`` are the root gaps ``gamma(E)`` of the spectra ``E1`` (``N1`` cells) and ``E2``.
    ``x = N2 gamma`` of an eigenvalue and ``y = N1 gamma`` of its nearest eigenvalue at ``N1`` cells
    give the growth exponent ``lam = ln(x / y) / ln(N2 / N1)``: 1 for an edge state (``gamma``
    independent of the length), 0 for a bulk state (``gamma ~ 1/N``).  Returns boolean masks
    ``(edge, undecided)`` over ``E2``.
    """
    x = N2 * g2
    j = np.empty(E2.size, dtype=int)
    for a in range(0, E2.size, 256):
        j[a:a + 256] = np.argmin(np.abs(E2[a:a + 256, None] - E1[None, :]), axis=1)
    y = N1 * g1[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(y > 0, np.log(np.where(x > 0, x, 1e-300) / np.where(y > 0, y, 1.0)), np.inf) \
            / np.log(N2 / N1)
    lam = np.where(x > 0, lam, -np.inf)
    edge = (y >= gamma_min) & (lam >= 0.8)
    bulk = (x < 0.5) | ((x < gamma_min) & (lam < 0.8)) | (lam < 0.55)
    undecided = ~edge & ~bulk
    # an edge state's energy converges with the length (its hybridisation with the far end falls like
    # exp(-N gamma)); a cluster of nearly coincident edge eigenvalues (a split coalescent state) is compared
    # through its centroid, which converges like the state itself
    idx = np.flatnonzero(edge)
    for c in _cluster_indices(E2[idx], cluster_tol * scale):
        members = idx[c]
        c2 = np.mean(E2[members])
        near = np.argsort(np.abs(E1 - c2))[: members.size]
        tol = max(converge_tol, 10.0 * float(np.exp(-np.min(y[members])))) * scale
        if abs(np.mean(E1[near]) - c2) > tol:
            edge[members] = False
            undecided[members] = True
    # an edge state about to split off (localisation length comparable to the chain) is still a bulk-like
    # eigenvalue, but the largest root gap among the bulk states then grows with the length, while for
    # pure bulk spectra max(N gamma) is length independent (measured: growth exponent <= 0.09 on 66 random
    # chains without edge states of localisation length > 20 cells)
    bulk = ~edge & ~undecided
    emerging = None
    if np.any(bulk):
        k2 = int(np.argmax(np.where(bulk, x, -np.inf)))
        x2 = float(x[k2])
        keep1 = np.ones(E1.size, bool)
        keep1[j[edge | undecided]] = False  # the edge states themselves at the shorter length
        x1 = float(np.max(N1 * g1[keep1])) if np.any(keep1) else 0.0
        if x2 >= 0.3 and (x1 <= 0 or np.log(x2 / x1) / np.log(N2 / N1) > 0.1):
            emerging = (complex(E2[k2]), x1, x2)
    return edge, undecided, emerging


def _cluster_indices(E: np.ndarray, tol: float) -> list:
    if E.size == 0:
        return []
    pairs = {(i, j) for i in range(E.size) for j in range(i + 1, E.size) if abs(E[i] - E[j]) <= tol}
    groups = _clusters(E, pairs)
    in_group = {i for g in groups for i in g}
    return [np.array(g) for g in groups] + [np.array([i]) for i in range(E.size) if i not in in_group]


def isolated_edge_states(blocks: Chain | Mapping[int, ArrayLike], *, n_cells: int = 60,
                         n_long: int | None = None, kappa: float | None = None, gamma_min: float = 8.0,
                         converge_tol: float = 1e-6, cluster_tol: float = 1e-3, max_cells: int | None = None,
                         certify: bool = False, bits: int | None = None) -> EdgeStates:
    """Eigenvalues of the long open chain isolated from the continuum: the edge states.

    **Definition.**  Let ``beta_1, ..., beta_{p+q}`` be the roots of ``det(H(beta) - E) = 0`` ordered
    by modulus (``-p``, ``q``: extreme powers of ``beta``).  The continuum of the infinitely long open
    chain is the set of ``E`` with ``|beta_p(E)| = |beta_{p+1}(E)|``; the root gap
    ``gamma(E) = ln(|beta_{p+1}(E)| / |beta_p(E)|)`` (:func:`nhtopo_lib.gbz.beta_root_gap`) measures how
    far ``E`` is from it.  An eigenvalue ``E_N`` of the ``N``-cell open chain is an *isolated edge
    state* if it converges, as ``N`` grows, to an energy with ``gamma > 0``; equivalently its
    ``gamma(E_N)`` tends to a positive constant (about the inverse localisation length), while
    every bulk eigenvalue has ``gamma(E_N) = O(1/N)`` and tends to the continuum.  Each eigenvalue
    counts once, so an ``m``-fold coalescent edge state, which splits into ``m`` nearly equal
    eigenvalues at finite length, counts ``m`` times (Eq. (8)).

    **Test at two lengths.**  The open chain is diagonalised at ``N = n_cells`` and ``N2 = n_long``
    (default ``2 N``) cells.  For each eigenvalue of the longer chain, ``x = N2 gamma(E)`` is compared
    with ``y = N gamma`` of the nearest eigenvalue of the shorter chain through the growth exponent
    ``lam = ln(x/y) / ln(N2/N)`` (1 for an edge state, 0 for a bulk state).  Edge state: ``y >= gamma_min``
    (split off already at the shorter length) and ``lam >= 0.8`` and the energy (for a cluster of nearly
    coincident eigenvalues, closer than ``cluster_tol`` times the spectral scale: its centroid) agrees
    between the two lengths within ``max(converge_tol, 10 exp(-y))`` times the scale (the hybridisation
    with the far end falls like ``exp(-N gamma)``).  Bulk state: ``x < 0.5`` (a localisation
    length beyond ``4 N2``), or ``x < gamma_min`` and ``lam < 0.8``, or ``lam < 0.55``.  Anything else
    is undecided.  An edge state about to split off the continuum shows up as growth of the largest
    ``N gamma`` among the bulk states (for bulk states alone it does not depend on the length): a
    growth exponent above 0.1 (with ``N2 gamma >= 0.3``) also counts as undecided.  Undecided lengths
    are doubled (up to ``max_cells``, default ``2 N2``) and the test repeated; if the count is still
    undecided, ValueError ("count not converged at this length").
    Measured on 100 random multiband chains at 60/120 and 30/60 cells: bulk eigenvalues have
    ``lam <= 0.83`` (almost all ``|lam| < 0.4``) and ``x < 8``; converged edge states ``lam = 1.00``.
    An edge state whose localisation length is much longer than the chain (right at a transition)
    leaves no trace in the spectrum and is counted as bulk: near transitions increase ``n_cells``.

    **The continuum in energy.**  For reference and plots the continuum is also drawn in the energy
    plane (:attr:`EdgeStates.continuum`): the bands of ``H(k + i kappa)`` followed by optimal matching
    from ``k = 0`` to ``2 pi`` (``kappa=None`` takes the non-Bloch shift of a circular GBZ), or one
    closed curve per sub-GBZ loop when the GBZ is not a circle; every curve is an open polyline, never
    a chord between unrelated eigenvalues.  :attr:`EdgeStates.distances` are the distances of the
    edge states to it.  The count itself uses ``gamma`` only, which needs no sampling.

    **Precision.**  Skin-effect spectra are exponentially ill-conditioned, so when the GBZ is the circle
    ``|beta| = r`` the exactly similar chain ``chain.gauge_transformed(r)`` is diagonalised (double
    precision is then accurate); otherwise python-flint high precision (``bits``, default
    :func:`nhtopo_lib.spectra.recommended_bits`) is used on the chain transformed by the exact
    power-of-two similarity closest to the middle of the GBZ's radius range.

    ``certify=True`` (circular GBZ only) encloses every eigenvalue of the open chain in a rigorous
    Gershgorin disc (:func:`nhtopo_lib.zeromodes.gershgorin_enclosure`, which bounds all rounding
    errors of the double-precision eigendecomposition and of the similarity transform) and
    certifies that the disc components around the isolated eigenvalues hold exactly ``count``
    eigenvalues and no other eigenvalue.  Near-coalescent pairs split exponentially with the length
    and make the eigenvector matrix ill-conditioned, so the certificate is tried at ``N``,
    ``N // 2`` and ``N // 4`` cells (as long as the isolated eigenvalues agree with the
    long chain to ``1e-3`` of the scale), with rigorous python-flint enclosures as a fallback for
    matrices of at most 150 rows.  ``certified`` reports the outcome and ``method`` the length used.

    Raises ValueError if the count is undecidable up to ``max_cells`` cells (an edge state not yet
    split off from the bulk: the chain is too short or the parameters are near a transition), for
    chains that hop only one way, and for invalid lengths.
    """
    chain = _as_chain_arg(blocks, "blocks")
    N = _v.check_int(n_cells, "n_cells", lo=4)
    N2 = 2 * N if n_long is None else _v.check_int(n_long, "n_long", lo=6)
    if N2 < 1.5 * N:
        raise ValueError(f"n_long={N2} must be at least 1.5 n_cells (n_cells={N}; default 2 n_cells): the test "
                         "compares how the root gap of every eigenvalue scales between the two lengths")
    if n_long is not None:
        _v.check_dense(N2 * chain.nbands, "n_long", N2, eig=True, fix="use fewer cells")
    n_max = 2 * N2 if max_cells is None else _v.check_int(max_cells, "max_cells", lo=N2)
    _v.check_dense(n_max * chain.nbands, "max_cells" if max_cells is not None else "n_cells",
                   n_max if max_cells is not None else N, eig=True, fix="use fewer cells")
    if kappa is not None:
        kappa = _v.check_real(kappa, "kappa")
        _radius_of(kappa)
    gamma_min = _v.check_real(gamma_min, "gamma_min", lo=0.1, lo_open=True, hi=1e6,
                              fix="the default 8 asks edge states to decay over at most N/8 cells")
    for name, val in (("converge_tol", converge_tol), ("cluster_tol", cluster_tol)):
        _v.check_tol(val, name)
    if bits is not None:
        bits = _v.check_bits(bits, "bits")
    circle = True
    if kappa is None:
        try:
            kappa = non_bloch_kappa(chain)
        except ValueError:
            circle = False
    if circle:
        kappa = float(kappa)
        r = float(np.exp(-kappa))
        gauged = chain.gauge_transformed(r) if r != 1.0 else chain
        cont = _band_polylines(chain, kappa)

        def spectrum(n):
            return np.linalg.eigvals(gauged.obc_matrix(n))

        method = ("exact similarity diag(r^j) with the GBZ radius r = %.6g, double precision" % r
                  if r != 1.0 else "no skin effect (kappa = 0), double precision")
    else:
        from .gbz import solve_gbz
        from .spectra import eigvals, recommended_bits

        if N2 * chain.nbands > _v.MAX_FLINT_ROWS:
            raise ValueError(f"the GBZ of this chain is not a circle, so the open chain needs arbitrary precision; "
                             f"n_cells={N} (n_long={N2}) gives {N2 * chain.nbands} rows, above the limit of "
                             f"{_v.MAX_FLINT_ROWS} (nhtopo_lib._validate.MAX_FLINT_ROWS): use fewer cells")
        g = solve_gbz(chain)
        lo, hi = g.radius_range
        cont = _gbz_polylines(g)
        r2 = float(2.0 ** np.round(np.log2(np.sqrt(lo * hi))))  # exact similarity in binary arithmetic
        gauged = chain.gauge_transformed(r2) if r2 != 1.0 else chain
        rho = max(hi / r2, r2 / lo, 1.0 + 1e-3)

        def spectrum(n):
            return eigvals(gauged.obc_matrix(n), bits=bits or recommended_bits(n, rho))

        kappa = float("nan")
        method = ("GBZ not a circle: python-flint high precision on the chain after the exact similarity "
                  f"diag(2^(j m)), 2^m = {r2:g}")
    from .gbz import beta_root_gap

    cache: dict = {}

    def data(n):
        if n not in cache:
            E = spectrum(n)
            cache[n] = (E, beta_root_gap(gauged, E))
        return cache[n]

    Na, Nb = N, N2
    while True:
        (E1, g1), (E2, g2) = data(Na), data(Nb)
        scale = max(float(np.max(np.abs(E2))), float(np.nanmax(np.abs(cont))), 1e-300)
        edge, undecided, emerging = _classify_isolated(E1, g1, E2, g2, Na, Nb, scale, gamma_min, converge_tol,
                                                       cluster_tol)
        if not np.any(undecided) and emerging is None:
            break
        if 2 * Nb > n_max:
            if np.any(undecided):
                bad = E2[undecided]
                worst = bad[np.argmax(g2[undecided])]
                what = (f"{bad.size} eigenvalue(s) of the {Nb}-cell chain, e.g. E = {worst:.6g} with root gap "
                        f"gamma = {float(np.max(g2[undecided])):.3g}, are neither converged edge states nor bulk "
                        f"states at {Na}/{Nb} cells")
            else:
                what = (f"the largest root gap among the bulk-like eigenvalues grows with the length (N gamma = "
                        f"{emerging[1]:.3g} at {Na} cells, {emerging[2]:.3g} at {Nb} cells, near E = "
                        f"{emerging[0]:.6g}): an edge state is splitting off the continuum")
            raise ValueError(f"count not converged at this length: {what} (an edge state with a long localisation "
                             "length, near a transition); increase n_cells or max_cells")
        Na, Nb = Nb, 2 * Nb
    iso = E2[edge]
    gam = g2[edge]
    o = np.lexsort((iso.real, iso.imag))
    iso, gam = iso[o], gam[o]
    dist = _distance_to_curves(iso, cont)
    if (Na, Nb) != (N, N2):
        method += f"; undecided at {N}/{N2} cells, decided at {Na}/{Nb} cells"
    certified = False
    radii = None
    if certify and circle:
        from scipy.optimize import linear_sum_assignment

        from .zeromodes import gershgorin_enclosure

        entry_rtol = (4 + 2 * chain.reach) * 2.0 ** -53 if r != 1.0 else 0.0
        how = "no certificate"
        # near-coalescent pairs split exponentially with the length and make the eigenvector matrix
        # ill-conditioned: try shorter chains (the edge states must still be converged there)
        for nc in sorted({Na, max(Na // 2, 8), max(Na // 4, 8)}, reverse=True):
            H = gauged.obc_matrix(nc)
            encl = gershgorin_enclosure(H, entry_rtol)
            spec = encl[0]
            if iso.size:
                rr, cc = linear_sum_assignment(np.abs(iso[:, None] - spec[None, :]))
                if np.max(np.abs(iso[rr] - spec[cc])) > 1e-3 * scale:
                    break  # not converged at this length: shorter chains will not do better
                cand = spec[cc]
            else:
                cand = np.zeros(0, dtype=complex)
            cnt, radii = _gershgorin_count(H, cand, entry_rtol, encl)
            how = f"Gershgorin discs at {nc} cells"
            if cnt is None and H.shape[0] <= 150:
                from .spectra import eigvals_certified

                try:
                    mids, rads = eigvals_certified(H, 128)
                    tol = max(1e-6 * scale, 1e3 * float(rads.max()))
                    cnt = int(sum(np.min(np.abs(cand - m)) <= tol for m in mids)) if cand.size else 0
                    radii = rads
                    how = f"python-flint certified eigenvalues (128 bits) at {nc} cells"
                except ValueError:
                    cnt = None
            if cnt is not None:
                certified = cnt == iso.size
                break
        method += f"; certificate ({how}) " + ("passed" if certified else "failed")
    clusters = _cluster_values(iso, cluster_tol * scale)
    overlaps = []
    if any(len(c) > 1 for c in clusters) and circle:
        w, V = _eig_normalised(gauged.obc_matrix(Na))
        for c in clusters:
            idx = [int(np.argmin(np.abs(w - e))) for e in c]
            ov = np.abs(V[:, idx].conj().T @ V[:, idx])
            overlaps.append(float(np.min(ov)) if len(idx) > 1 else 1.0)
    return EdgeStates(count=int(iso.size), energies=iso, clusters=clusters, distances=dist, spectrum=E2,
                      continuum=cont, n_cells=(Na, Nb), kappa=kappa, method=method, certified=certified,
                      radii=radii, overlaps=overlaps, root_gaps=gam)


def isolated_edge_count(blocks: Chain | Mapping[int, ArrayLike]) -> int:
    """Number of isolated edge states of the long open chain, ``m``-fold coalescent ones counted ``m`` times.

    ``blocks`` maps ``n`` to the ``J x J`` hopping block ``T_n`` (``H_OBC[j, j+n] = T_n``), or is a
    :class:`Chain`.  Uses :func:`isolated_edge_states` with its defaults (60 and 120 cells, 240 when
    some eigenvalue is undecided; the exact GBZ similarity when the GBZ is a circle, high precision
    otherwise); an eigenvalue is an isolated edge state when its root gap
    ``gamma(E) = ln(|beta_{p+1}| / |beta_p|)`` stays finite as the chain grows (see there).  Raises
    ValueError when the count has not converged (near a transition: use :func:`isolated_edge_states`
    with a larger ``n_cells``).
    """
    return isolated_edge_states(blocks).count


def subchain_edge_count(blocks: Chain | Mapping[int, ArrayLike], kappa: float | None = None,
                        *, tol: float = 1e-9) -> int:
    """Exact long-chain edge count of a nearest-neighbour multiband chain (sub-chain criterion).

    Only for chains of the form of :func:`nhtopo_lib.models.multiband_nn_chain` (tridiagonal cell,
    one inter-cell bond ``T_{-1}[0, J-1] = t_R``, ``T_{+1}[J-1, 0] = t_L``).  An edge state at the left
    end of the half-infinite chain has energy ``E`` equal to an eigenvalue of the open sub-chain of
    sites ``1..J-1`` and decays with ``beta_L = -prod_{j<J} tR_j / (t_L D_{2..J-1}(E))``; it is a
    true edge state iff ``|beta_L| < e^{-kappa}``.  Right edge: eigenvalues of sites ``2..J`` with
    ``beta_R = -t_R D_{2..J-1}(E) / prod_{j<J} tL_j`` and ``|beta_R| > e^{-kappa}``.  Eigenvalues are
    counted with algebraic multiplicity (an EP of the sub-chain is a coalescent edge state).  This
    criterion is our derivation (not from the paper), an independent check of Eq. (8).
    Raises ValueError for other chains or when ``|beta| = e^{-kappa}`` within ``tol`` (transition).
    """
    chain = _as_chain_arg(blocks, "blocks")
    tol = _v.check_tol(tol, "tol")
    J = chain.nbands
    form = _nn_form(chain)
    if form is None:
        raise ValueError("subchain_edge_count needs the multiband_nn_chain form (blocks -1, 0, 1; tridiagonal "
                         "cell; one inter-cell bond from site J to site 1)")
    kappa = _resolve_kappa(chain, kappa)
    tR, tL, _ = form
    T0 = chain.blocks.get(0, np.zeros((J, J), complex))
    if np.any(tR == 0) or np.any(tL == 0):
        raise ValueError("subchain_edge_count needs non-zero hoppings")
    r = np.exp(-kappa)

    def D(E, a, b):  # det(E - H0[a:b, a:b]) (0-based, half-open)
        if b <= a:
            return np.ones_like(E)
        return np.array([np.linalg.det(e * np.eye(b - a) - T0[a:b, a:b]) for e in np.atleast_1d(E)])

    left = np.linalg.eigvals(T0[: J - 1, : J - 1])
    right = np.linalg.eigvals(T0[1:, 1:])
    bl = -np.prod(tR[: J - 1]) / (tL[J - 1] * D(left, 1, J - 1))
    br = -tR[J - 1] * D(right, 1, J - 1) / np.prod(tL[: J - 1])
    if np.any(np.abs(np.abs(bl) - r) <= tol * r) or np.any(np.abs(np.abs(br) - r) <= tol * r):
        raise ValueError("an edge-state candidate has |beta| = e^{-kappa}: the parameters sit on a transition")
    return int(np.sum(np.abs(bl) < r) + np.sum(np.abs(br) > r))
