"""Constructors for the models used in the book.

Every constructor returns a :class:`~nhtopo_lib.chain.Chain` in the library
convention ``H(beta) = sum_n T_n beta**n``, ``H_OBC[j, j+n] = T_n``,
``beta = e^{ik}``.  Closed-form dispersions are provided beside them so that
notebooks and tests can compare the chain against an independent formula.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v
from .chain import MAX_REACH, Chain

__all__ = [
    "hatano_nelson",
    "hatano_nelson_energy",
    "hatano_nelson_winding",
    "off_diagonal_chain",
    "nh_ssh_yao_wang",
    "nh_ssh_yao_wang_gbz_radius",
    "nh_ssh_nonreciprocal",
    "nh_ssh_energy_squared",
    "nh_ssh_interband_winding",
    "nh_ssh_phase_boundaries",
    "multiband_nn_chain",
    "pt_three_band_chain",
    "pt_three_band_ep_region",
    "pt_three_band_ep_boundaries",
    "pt_three_band_edge_energies",
    "pt_three_band_summed_winding",
    "multiband_nn_bloch",
]


def _check_finite(**params) -> None:
    """Scalar model amplitudes: finite complex numbers (ValueError/TypeError naming the parameter)."""
    for name, v in params.items():
        _v.check_complex(v, name)


def _check_real(**params) -> None:
    """Scalar real model parameters."""
    for name, v in params.items():
        _v.check_real(v, name)


def _check_mu(mu) -> int:
    return _v.check_size(mu, "mu", lo=1, cap=MAX_REACH,
                        cost=lambda m: "the chain's arrays span every power of beta up to the hopping length",
                        fix="use a shorter hopping length")


def hatano_nelson(t_r: complex, t_l: complex, mu: int = 1, onsite: complex = 0.0) -> Chain:
    """Hatano--Nelson chain with hopping length ``mu`` (Hatano & Nelson 1996).

    ``H = sum_j (t_r c_{j+mu}^dagger c_j + t_l c_j^dagger c_{j+mu} + V n_j)``:
    ``t_r`` moves a particle ``mu`` sites to the right, ``t_l`` to the left.
    Bloch form ``E(k) = V + t_r e^{-i mu k} + t_l e^{+i mu k}``
    (so ``T_{-mu} = t_r``, ``T_{+mu} = t_l``).
    """
    _check_finite(t_r=t_r, t_l=t_l, onsite=onsite)
    mu = _check_mu(mu)
    return Chain({-mu: t_r, mu: t_l, 0: onsite}, name=f"Hatano-Nelson(mu={mu})")


def hatano_nelson_energy(k: ArrayLike, t_r: ArrayLike, t_l: ArrayLike, mu: int = 1) -> np.ndarray:
    """Closed form ``E(k) = t_r e^{-i mu k} + t_l e^{i mu k}``.

    ``t_r``, ``t_l`` of shape ``S`` and ``k`` of shape ``(n,)`` give shape ``S + (n,)``.
    """
    k = _v.real_array(k, "k")
    tr, tl = _v.broadcast({"t_r": _v.complex_array(t_r, "t_r"), "t_l": _v.complex_array(t_l, "t_l")})
    mu = _check_mu(mu)
    _v.check_elements(tr.size * k.size, "k", f"array of {k.size} momenta for {tr.size} amplitude pairs")
    with np.errstate(over="ignore", invalid="ignore"):
        out = tr[..., None] * np.exp(-1j * mu * k) + tl[..., None] * np.exp(1j * mu * k)
    _v.finite_result(out, "E(k)", "t_r and t_l are too large (overflow); rescale them")
    return out


def hatano_nelson_winding(t_r: ArrayLike, t_l: ArrayLike, mu: int = 1) -> np.ndarray:
    """Exact spectral winding of the HN loop around ``E_B = 0`` (k from 0 to 2 pi).

    ``+mu`` if ``|t_l| > |t_r|`` (the ``e^{+i mu k}`` term dominates, the
    loop turns counter-clockwise), ``-mu`` if ``|t_r| > |t_l|``.  Raises
    ValueError when ``|t_r| = |t_l|`` (the loop passes through 0).
    """
    tr, tl = _v.broadcast({"t_r": _v.complex_array(t_r, "t_r"), "t_l": _v.complex_array(t_l, "t_l")})
    mu = _check_mu(mu)
    ar, al = np.abs(tr), np.abs(tl)
    if np.any(ar == al):
        raise ValueError("|t_r| = |t_l|: the spectrum passes through E_B = 0 and the winding is undefined")
    return (mu * np.sign(al - ar)).astype(int)


def off_diagonal_chain(h_ab: Mapping[int, complex], h_ba: Mapping[int, complex],
                       name: str = "off-diagonal chain") -> Chain:
    """Two-band chain ``H(beta) = [[0, H_ab(beta)], [H_ba(beta), 0]]`` (sublattice form).

    ``h_ab``/``h_ba`` map powers of ``beta`` to coefficients; the ``beta**n``
    coefficient of ``H_ab`` is the real-space amplitude ``c_{A,j}^dagger c_{B,j+n}``.
    """
    h_ab = _v.check_power_mapping(h_ab, "h_ab", allow_empty=True)
    h_ba = _v.check_power_mapping(h_ba, "h_ba", allow_empty=True)
    _v.check_str(name, "name")
    blocks: dict[int, np.ndarray] = {}
    for n, c in h_ab.items():
        blocks.setdefault(n, np.zeros((2, 2), complex))[0, 1] += c
    for n, c in h_ba.items():
        blocks.setdefault(n, np.zeros((2, 2), complex))[1, 0] += c
    if not blocks:
        raise ValueError("h_ab and h_ba are both empty: pass at least one {power: coefficient} entry")
    return Chain(blocks, name=name)


def nh_ssh_yao_wang(t1: float, gamma: float, t2: float, t3: float = 0.0) -> Chain:
    """Non-Hermitian SSH chain of Yao & Wang (PRL 121, 086803, 2018).

    Intracell hoppings ``t1 + gamma/2`` (B -> A) and ``t1 - gamma/2`` (A -> B),
    intercell ``t2`` and third-neighbour ``t3``:
    ``H_ab(beta) = t1 + gamma/2 + t2/beta + t3 beta``,
    ``H_ba(beta) = t1 - gamma/2 + t2 beta + t3/beta``.
    """
    _check_real(t1=t1, gamma=gamma, t2=t2, t3=t3)
    return off_diagonal_chain({0: t1 + gamma / 2, -1: t2, 1: t3},
                              {0: t1 - gamma / 2, 1: t2, -1: t3},
                              name=f"NH-SSH(t1={t1}, gamma={gamma:.4g}, t2={t2})")


def nh_ssh_yao_wang_gbz_radius(t1: float, gamma: float) -> float:
    """GBZ radius ``sqrt(|(t1 - gamma/2)/(t1 + gamma/2)|)`` of the Yao--Wang chain with ``t3 = 0``."""
    t1, gamma = _v.check_real(t1, "t1"), _v.check_real(gamma, "gamma")
    if t1 + gamma / 2 == 0:
        raise ValueError("t1 + gamma/2 = 0: the GBZ degenerates")
    with np.errstate(over="ignore", invalid="ignore"):
        r = float(np.sqrt(abs((t1 - gamma / 2) / (t1 + gamma / 2))))
    if not (np.isfinite(r) and r > 0):
        raise ValueError(f"t1={t1:g}, gamma={gamma:g}: the GBZ radius is 0 or infinite (t1 = gamma/2, or overflow); "
                         "the GBZ degenerates")
    return r


def nh_ssh_nonreciprocal(t: float, delta: float, t_prime: float = 1.0) -> Chain:
    """NH-SSH chain of Zhang et al. (PRA 103, 012419): nonreciprocal intracell hopping.

    ``h_+(k) = t' e^{-ik} + t - delta`` (upper right) and
    ``h_-(k) = t' e^{ik} + t + delta`` (lower left).
    """
    _check_real(t=t, delta=delta, t_prime=t_prime)
    return off_diagonal_chain({0: t - delta, -1: t_prime}, {0: t + delta, 1: t_prime},
                              name=f"NH-SSH(t={t}, delta={delta})")


def nh_ssh_energy_squared(k: ArrayLike, t: ArrayLike, delta: ArrayLike,
                          t_prime: float = 1.0) -> np.ndarray:
    """``E_+^2(k) = h_+(k) h_-(k)`` of :func:`nh_ssh_nonreciprocal` (Zhang et al. 2021, Eq. 8).

    ``h_+ = t' e^{-ik} + t - delta``, ``h_- = t' e^{ik} + t + delta``; for
    ``t' = 1`` this is ``1 + t^2 - delta^2 + 2 t cos k - 2 i delta sin k``.
    ``t``, ``delta`` of (broadcast) shape ``S`` and ``k`` of shape ``(n,)`` give
    shape ``S + (n,)``.  Raises ValueError on NaN/inf parameters.
    """
    k = _v.real_array(k, "k")
    t, d = _v.broadcast({"t": _v.real_array(t, "t"), "delta": _v.real_array(delta, "delta")})
    t_prime = _v.check_real(t_prime, "t_prime")
    _v.check_elements(t.size * k.size, "k", f"array of {k.size} momenta for {t.size} parameter points")
    t, d = t[..., None], d[..., None]
    with np.errstate(over="ignore", invalid="ignore"):
        out = (t_prime * np.exp(-1j * k) + t - d) * (t_prime * np.exp(1j * k) + t + d)
    _v.finite_result(out, "E_+^2(k)", "the parameters are too large (overflow); rescale them")
    return out


def nh_ssh_interband_winding(t: ArrayLike, delta: ArrayLike, t_prime: float = 1.0,
                             *, boundary_tol: float = 1e-12) -> np.ndarray:
    """Exact inter-band winding ``w_pm`` of the nonreciprocal NH-SSH chain.

    ``w_pm = (1/4pi) oint dk d arg E_+^2 = (nu(h_-) + nu(h_+)) / 2`` with
    ``nu(h_-) = +1`` if ``|t + delta| < |t'|`` (the circle ``t' e^{ik} + t + delta``
    encloses 0 counter-clockwise) and ``nu(h_+) = -1`` if ``|t - delta| < |t'|``,
    i.e. ``w_pm = [Theta(|t'| - |t + delta|) - Theta(|t'| - |t - delta|)] / 2``
    in ``{0, +1/2, -1/2}`` (k from 0 to 2 pi, counter-clockwise positive).

    Raises ValueError for NaN/inf input and for points on a phase boundary
    ``|t +- delta| = |t'|`` (within ``boundary_tol``), where the gap closes at
    ``E = 0`` and the winding is undefined.  Returns a float array (a float for
    scalar input).
    """
    t, d = _v.broadcast({"t": _v.real_array(t, "t"), "delta": _v.real_array(delta, "delta")})
    tp = abs(_v.check_real(t_prime, "t_prime"))
    boundary_tol = _v.check_tol(boundary_tol, "boundary_tol")
    if tp == 0:
        raise ValueError("t_prime = 0 decouples the cells; the inter-band winding is trivially 0 "
                         "and the phase diagram degenerates -- use t_prime != 0")
    a, b = np.abs(t + d), np.abs(t - d)
    on = (np.abs(a - tp) <= boundary_tol * tp) | (np.abs(b - tp) <= boundary_tol * tp)
    if np.any(on):
        raise ValueError(f"{int(np.sum(on))} parameter point(s) lie on a phase boundary |t +- delta| = "
                         "|t'|: E_+^2(k) passes through 0 and the winding is undefined; move off the line")
    w = 0.5 * ((a < tp).astype(float) - (b < tp).astype(float))
    return float(w) if w.ndim == 0 else w


def nh_ssh_phase_boundaries(t_prime: float = 1.0) -> np.ndarray:
    """The four phase-boundary lines of the nonreciprocal NH-SSH chain in the ``(delta, t)`` plane.

    Rows ``(A, B, C)`` of ``A delta + B t + C = 0`` (the form of Zhang et al.,
    Eq. 12): ``t + delta = +-|t'|`` and ``t - delta = +-|t'|``.  Crossing any of
    them changes ``w_pm`` by 1/2.  Use with
    :func:`nhtopo_lib.transitions.distance_to_lines` (points given as
    ``(delta, t)``).
    """
    tp = abs(_v.check_real(t_prime, "t_prime"))
    return np.array([[1.0, 1.0, -tp], [1.0, 1.0, tp], [-1.0, 1.0, -tp], [-1.0, 1.0, tp]])


# --------------------------------------------------------------------------- sublattice models
# Models of Zhong, Wang & Fan, arXiv:2410.11257 (pole-zero invariant), in the library convention
# (the z**n coefficient is the real-space block from cell j to cell j + n).


def off_diagonal_entries(chain: Chain) -> tuple[dict, dict]:
    """``(h_ab, h_ba)`` mappings ``{n: coefficient}`` of a two-band chain in off-diagonal form.

    Raises ValueError if a diagonal entry is non-zero (use
    :func:`nhtopo_lib.polezero.sublattice_form` to rotate a chain with a general
    sublattice symmetry first).
    """
    chain = _v.check_chain(chain, "chain")
    if chain.nbands != 2:
        raise ValueError(f"chain: off_diagonal_entries needs a two-band chain, got {chain.nbands} band(s)")
    if any(abs(T[0, 0]) > 0 or abs(T[1, 1]) > 0 for T in chain.blocks.values()):
        raise ValueError("the chain is not in off-diagonal form (non-zero diagonal entries); rotate it with "
                         "nhtopo_lib.sublattice_form first")
    hab = {n: complex(T[0, 1]) for n, T in chain.blocks.items() if T[0, 1] != 0}
    hba = {n: complex(T[1, 0]) for n, T in chain.blocks.items() if T[1, 0] != 0}
    return hab, hba


def nh_ssh_general(t1: float, t2: float, t3: float, gamma1: float, gamma2: float, gamma3: float) -> Chain:
    """Generalised non-Hermitian SSH chain (Zhong et al., Figs. 3-4).

    ``H_ab = t1 + gamma1/2 - (gamma2/2 - t2)/z + (gamma3/2 + t3) z``,
    ``H_ba = t1 - gamma1/2 + (gamma2/2 + t2) z - (gamma3/2 - t3)/z``.
    With ``gamma2 = gamma3 = 0`` it is the Yao--Wang chain with third-neighbour hopping ``t3``.
    """
    _check_real(t1=t1, t2=t2, t3=t3, gamma1=gamma1, gamma2=gamma2, gamma3=gamma3)
    return off_diagonal_chain({0: t1 + gamma1 / 2, -1: -(gamma2 / 2 - t2), 1: gamma3 / 2 + t3},
                              {0: t1 - gamma1 / 2, 1: gamma2 / 2 + t2, -1: -(gamma3 / 2 - t3)},
                              name=f"NH-SSH(t1={t1}, gamma1={gamma1})")


def long_range_sublattice(t1: complex, t1p: complex, t2: complex, t2p: complex, v: complex, u: complex) -> Chain:
    """Longer-range sublattice chain with ``mu = 3`` (Zhong et al., Figs. 5-6).

    ``H_ab = t1 + t1p/z + v/z**2 + u z**3``, ``H_ba = t2 + t2p z + v z**2 + u/z**3``.
    """
    _check_finite(t1=t1, t1p=t1p, t2=t2, t2p=t2p, v=v, u=u)
    return off_diagonal_chain({0: t1, -1: t1p, -2: v, 3: u}, {0: t2, 1: t2p, 2: v, -3: u},
                              name="long-range sublattice chain")


def chen_chang_kao_nh(t0: float, t1: float, t2: float, g1: float, g2: float) -> Chain:
    """Non-Hermitian version of the Chen--Chang--Kao chain with winding up to 4 (Zhong et al., Fig. 7).

    ``H_ab = t0 + (t1 + g1)/z + (t2 + g2)/z**2``, ``H_ba = t0 + (t1 - g1) z + (t2 - g2) z**2``.
    """
    _check_real(t0=t0, t1=t1, t2=t2, g1=g1, g2=g2)
    return off_diagonal_chain({0: t0, -1: t1 + g1, -2: t2 + g2}, {0: t0, 1: t1 - g1, 2: t2 - g2},
                              name="NH Chen-Chang-Kao chain")


def _creutz_blocks(t1: float, t2: float) -> dict:
    # H_Creutz(z) = [[ i t2/(2z) - i t2 z/2, t1 + t2/(2z) + t2 z/2 ], [same, -(...)]]   (Eq. 30)
    return {-1: np.array([[1j * t2 / 2, t2 / 2], [t2 / 2, -1j * t2 / 2]]),
            0: np.array([[0, t1], [t1, 0]], dtype=complex),
            1: np.array([[-1j * t2 / 2, t2 / 2], [t2 / 2, 1j * t2 / 2]])}


def ssh_creutz(a: float, b: float, t1: float, t2: float) -> Chain:
    """``a H_SSH + b H_Creutz`` (Zhong et al., Eqs. 29-31, Figs. 8-9): Hermitian, sublattice symmetric
    with ``Gamma`` along ``(0, -b, a)`` -- not in off-diagonal form."""
    _check_real(a=a, b=b, t1=t1, t2=t2)
    ssh = {-1: np.array([[0, t2], [0, 0]], dtype=complex), 0: np.array([[0, t1], [t1, 0]], dtype=complex),
           1: np.array([[0, 0], [t2, 0]], dtype=complex)}
    cr = _creutz_blocks(t1, t2)
    return Chain({n: a * ssh[n] + b * cr[n] for n in (-1, 0, 1)}, name=f"SSH-Creutz(a={a}, b={b}, t1={t1})")


def nh_ssh_creutz(a: float, b: float, t1: float, t2: float, gamma: float, *, printed: bool = False) -> Chain:
    """Non-Hermitian SSH--Creutz mixture ``a H_nhSSH + b H_nhCreutz`` (Zhong et al., Eqs. 32-33, Figs. 10-11).

    ``H_nhSSH``: ``H_ab = t1 + gamma/2 + t2/z``, ``H_ba = t1 - gamma/2 + t2 z``.

    ``printed=True`` uses Eq. (32) exactly as printed, with the loss
    ``-i(t2 + gamma)/(2z)`` in the diagonal ``1/z`` hopping: that chain is **not**
    sublattice symmetric (no ``Gamma`` exists; erratum).  ``printed=False``
    (default) is a *reconstructed* fix (not verified against the paper): the
    loss moves to the sites, diagonal ``-+ (i t2/(2z) - i t2 z/2 + i gamma/2)``,
    i.e. ``d_z = -(t2 sin k + i gamma/2)``, which is sublattice symmetric with
    ``Gamma`` along ``(0, b, a)``.
    """
    _check_real(a=a, b=b, t1=t1, t2=t2, gamma=gamma)
    ssh = {-1: np.array([[0, t2], [0, 0]], dtype=complex),
           0: np.array([[0, t1 + gamma / 2], [t1 - gamma / 2, 0]], dtype=complex),
           1: np.array([[0, 0], [t2, 0]], dtype=complex)}
    if printed:
        cr = {-1: np.array([[-1j * (t2 + gamma) / 2, t2 / 2], [t2 / 2, 1j * (t2 + gamma) / 2]]),
              0: np.array([[0, t1], [t1, 0]], dtype=complex),
              1: np.array([[1j * t2 / 2, t2 / 2], [t2 / 2, -1j * t2 / 2]])}
    else:
        cr = {-1: np.array([[-1j * t2 / 2, t2 / 2], [t2 / 2, 1j * t2 / 2]]),
              0: np.array([[-1j * gamma / 2, t1], [t1, 1j * gamma / 2]]),
              1: np.array([[1j * t2 / 2, t2 / 2], [t2 / 2, -1j * t2 / 2]])}
    tag = "printed Eq. 32" if printed else "reconstructed fix"
    return Chain({n: a * ssh[n] + b * cr[n] for n in (-1, 0, 1)},
                 name=f"nhSSH-Creutz({tag}, t1={t1}, gamma={gamma})")


# --------------------------------------------------------------------------- multiband chains (MSR)
# Nearest-neighbour multiband chain of Teo, Li, Zhang & Gong, arXiv:2002.07490 (Majorana's stellar
# representation).  The paper's equations are not available to us: the model below is a reconstruction
# (see the chapter "Majorana's stellar representation"), and so are the closed forms of the PT-symmetric
# three-band family.


def multiband_nn_chain(t_right: ArrayLike, t_left: ArrayLike, gamma: ArrayLike,
                       name: str | None = None) -> Chain:
    """Chain of ``J`` sites per cell with non-reciprocal nearest-neighbour hopping and gain/loss.

    Reconstruction of Eq. (1) of Teo et al. (2020):
    ``H = sum_n sum_j [t_right[j] c_{n,j+1}^dagger c_{n,j} + t_left[j] c_{n,j}^dagger c_{n,j+1}
    + i gamma[j] c_{n,j}^dagger c_{n,j}]`` with ``c_{n,J+1} = c_{n+1,1}``: bonds ``1..J-1`` lie inside
    the cell, bond ``J`` (site ``J`` of cell ``n`` to site 1 of cell ``n+1``) is the only inter-cell
    bond.  ``t_right[j]`` moves a particle to the right, ``t_left[j]`` to the left (reciprocal:
    ``t_left = t_right``); ``gamma`` is real for gain/loss (complex values are accepted).

    In the library convention (``H(beta) = sum_n T_n beta**n``, ``beta = e^{ik}``) the Bloch matrix
    is tridiagonal with ``H[j+1, j] = t_right[j]``, ``H[j, j+1] = t_left[j]``, ``H[j, j] = i gamma[j]``
    and the corner entries ``H[0, J-1] = t_right[J-1] / beta`` (``T_{-1}``) and
    ``H[J-1, 0] = t_left[J-1] beta`` (``T_{+1}``): the "periodic" gauge, ``H(k + 2 pi) = H(k)``.
    ``J = 2`` is the SSH-type chain with both corners.  Raises ValueError for mismatched lengths,
    ``J < 2`` or NaN/inf entries.
    """
    tr = np.atleast_1d(_v.complex_array(t_right, "t_right"))
    tl = np.atleast_1d(_v.complex_array(t_left, "t_left"))
    g = np.atleast_1d(_v.complex_array(gamma, "gamma"))
    if name is not None:
        _v.check_str(name, "name")
    if tr.ndim != 1 or tr.shape != tl.shape or tr.shape != g.shape:
        raise ValueError(f"t_right, t_left and gamma must be 1D sequences of equal length J (one entry per "
                         f"site/bond), got shapes {tr.shape}, {tl.shape}, {g.shape}")
    J = tr.size
    if J < 2:
        raise ValueError(f"t_right, t_left, gamma: a multiband chain needs J >= 2 sites per cell, got J = {J}")
    T0 = np.diag(1j * g)
    for j in range(J - 1):
        T0[j + 1, j] += tr[j]
        T0[j, j + 1] += tl[j]
    Tm = np.zeros((J, J), dtype=complex)
    Tp = np.zeros((J, J), dtype=complex)
    Tm[0, J - 1] = tr[J - 1]
    Tp[J - 1, 0] = tl[J - 1]
    return Chain({-1: Tm, 0: T0, 1: Tp}, name=name or f"multiband NN chain (J={J})")


def pt_three_band_chain(t: float, t3: float, gamma: float) -> Chain:
    """PT-symmetric three-band member of :func:`multiband_nn_chain` (reconstructed family).

    ``t_right = t_left = (t, t, t3)``, ``gamma = (gamma, 0, -gamma)``:
    ``H(k) = [[i gamma, t, t3 e^{-ik}], [t, 0, t], [t3 e^{ik}, t, -i gamma]]``.  This is our
    reconstruction of the model of Figs. 2, 5 and 7 of Teo et al. (2020), inferred from the prose
    (not verified against the paper).  Characteristic polynomial
    ``E^3 + (gamma^2 - 2 t^2 - t3^2) E - 2 t^2 t3 cos k``.
    """
    _check_real(t=t, t3=t3, gamma=gamma)
    return multiband_nn_chain([t, t, t3], [t, t, t3], [gamma, 0.0, -gamma],
                              name=f"PT three-band chain (t={t:g}, t3={t3:g}, gamma={gamma:g})")


def pt_three_band_ep_region(t: ArrayLike, t3: ArrayLike, gamma: ArrayLike) -> np.ndarray:
    """True where the Bloch bands of :func:`pt_three_band_chain` have exceptional points at real ``k``.

    From the double-root condition of ``E^3 + p E - 2 t^2 t3 cos k`` (``p = gamma^2 - 2t^2 - t3^2``):
    with ``A = 2 t^2 + t3^2 - gamma^2`` an EP exists for some real ``k`` iff ``A >= 0`` and
    ``A^3 <= 27 t^4 t3^2`` (reconstruction of Eqs. (20)-(21) of Teo et al.).  Broadcasts.
    """
    t, t3, g = _v.broadcast({"t": _v.real_array(t, "t"), "t3": _v.real_array(t3, "t3"),
                            "gamma": _v.real_array(gamma, "gamma")})
    A = 2 * t ** 2 + t3 ** 2 - g ** 2
    return (A >= 0) & (A ** 3 <= 27 * t ** 4 * t3 ** 2)


def pt_three_band_ep_boundaries(t: ArrayLike, gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The EP boundary curves (reconstructed Eq. (10)) as ``t3(t)`` at fixed ``gamma``.

    Returns ``(ellipse, lower, upper)``, arrays shaped like ``t`` (NaN where a branch does not
    exist): the ellipse ``2 t^2 + t3^2 = gamma^2`` and the two "almost straight lines" given by the
    real roots ``t3 > 0`` of ``(2 t^2 + t3^2 - gamma^2)^3 = 27 t^4 t3^2`` with
    ``2 t^2 + t3^2 >= gamma^2`` (asymptotically ``t3 ~ t -+ sqrt(3) gamma / 2``).
    """
    t = np.atleast_1d(_v.real_array(t, "t"))
    gamma = _v.check_real(gamma, "gamma")
    if abs(gamma) > 1e75 or np.any(np.abs(t) > 1e75):
        raise ValueError("t or gamma above 1e75: the boundary cubic (degree 6 in t) overflows; rescale the parameters")
    g2 = gamma ** 2
    ell = np.sqrt(np.where(g2 - 2 * t ** 2 >= 0, g2 - 2 * t ** 2, np.nan))
    lower = np.full(t.shape, np.nan)
    upper = np.full(t.shape, np.nan)
    for i, ti in enumerate(t.ravel()):
        # cubic in u = t3^2: (u + c)^3 - 27 t^4 u = 0 with c = 2 t^2 - gamma^2
        c = 2 * ti ** 2 - g2
        roots = np.roots([1.0, 3 * c, 3 * c ** 2 - 27 * ti ** 4, c ** 3])
        u = np.sort(roots[(np.abs(roots.imag) < 1e-9 * (1 + np.abs(roots.real))) & (roots.real > 0)].real)
        u = u[u + c >= -1e-12]
        if u.size >= 2:
            lower.flat[i], upper.flat[i] = np.sqrt(u[0]), np.sqrt(u[-1])
        elif u.size == 1:
            upper.flat[i] = np.sqrt(u[0])
    return ell, lower, upper


def pt_three_band_edge_energies(t: ArrayLike, gamma: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Candidate left-edge energies ``E_pm = i gamma/2 +- sqrt(t^2 - gamma^2/4)`` of :func:`pt_three_band_chain`.

    They are the eigenvalues of the two-site sub-chain (sites 1, 2) at the left end; the right-edge
    candidates are their complex conjugates (PT image).  At ``gamma = 2 t`` the two coalesce at
    ``E = i t`` (an exceptional point of the sub-chain: a two-fold coalescent edge state).
    """
    t, g = _v.broadcast({"t": _v.real_array(t, "t"), "gamma": _v.real_array(gamma, "gamma")})
    t, g = t.astype(complex), g.astype(complex)
    with np.errstate(over="ignore", invalid="ignore"):
        root = np.sqrt(t ** 2 - g ** 2 / 4)
    _v.finite_result(root, "sqrt(t^2 - gamma^2/4)", "t and gamma are too large (overflow); rescale them")
    return 1j * g / 2 + root, 1j * g / 2 - root


def pt_three_band_summed_winding(t: ArrayLike, t3: ArrayLike, gamma: ArrayLike) -> np.ndarray:
    """Closed-form isolated-edge count of :func:`pt_three_band_chain` in the long-chain limit.

    A left-edge candidate ``E`` (:func:`pt_three_band_edge_energies`) is a true edge state iff its
    decay factor ``|beta_L| = t^2 / (|t3| |E|)`` is below 1; every left state has a right-edge PT
    partner, so the count is ``2 [Theta(|E_+| > t^2/|t3|) + Theta(|E_-| > t^2/|t3|)]``
    (a two-fold coalescent pair at ``gamma = 2t`` counts twice).  By Eq. (8) this equals the summed
    star winding.  This criterion is our derivation (not from the paper) and is used only as an
    independent cross-check.  Returns an int array (scalar for scalar input).
    """
    t_, t3_, g_ = _v.broadcast({"t": _v.real_array(t, "t"), "t3": _v.real_array(t3, "t3"),
                               "gamma": _v.real_array(gamma, "gamma")})
    if np.any(t3_ == 0):
        raise ValueError("t3 = 0 decouples the cells (no inter-cell bond): the long-chain edge count is undefined; "
                         "pass t3 != 0")
    Ep, Em = pt_three_band_edge_energies(t_, g_)
    with np.errstate(over="ignore"):
        thr = t_ ** 2 / np.abs(t3_)
    _v.finite_result(thr, "t^2/|t3|", "t is too large or |t3| too small (overflow); rescale them")
    w = 2 * ((np.abs(Ep) > thr).astype(int) + (np.abs(Em) > thr).astype(int))
    return int(w) if np.ndim(w) == 0 else w


def multiband_nn_bloch(t_right: ArrayLike, t_left: ArrayLike, gamma: ArrayLike, beta: ArrayLike) -> np.ndarray:
    """Vectorised Bloch matrices ``H(beta)`` of :func:`multiband_nn_chain` for many parameter sets.

    ``t_right``, ``t_left``, ``gamma`` have shape ``P + (J,)`` (broadcast together), ``beta`` has
    shape ``(L,)``; the result has shape ``P + (L, J, J)`` and equals
    ``multiband_nn_chain(...).bloch(beta)`` for every parameter set.
    """
    tr, tl, g = _v.broadcast({"t_right": _v.complex_array(t_right, "t_right"),
                             "t_left": _v.complex_array(t_left, "t_left"), "gamma": _v.complex_array(gamma, "gamma")})
    beta = np.atleast_1d(_v.complex_array(beta, "beta"))
    if beta.ndim != 1:
        raise ValueError("beta must be a 1D array of momenta points")
    if np.any(beta == 0):
        raise ValueError("beta = 0 is a pole of H(beta) (the t_right corner hops to the left); pass beta != 0")
    J = tr.shape[-1] if tr.ndim else 0
    if J < 2:
        raise ValueError(f"t_right, t_left, gamma: a multiband chain needs J >= 2 sites per cell (last axis), got {J}")
    _v.check_elements(tr.size * beta.size * J, "beta", f"{beta.size} momenta for {tr.size // J} chains of J={J}")
    P = tr.shape[:-1]
    H = np.zeros(P + (beta.size, J, J), dtype=complex)
    j = np.arange(J)
    H[..., j, j] = 1j * g[..., None, :]
    for a in range(J - 1):
        H[..., a + 1, a] += tr[..., None, a]
        H[..., a, a + 1] += tl[..., None, a]
    with np.errstate(over="ignore", invalid="ignore"):
        H[..., 0, J - 1] += tr[..., None, J - 1] / beta
        H[..., J - 1, 0] += tl[..., None, J - 1] * beta
    _v.finite_result(H, "H(beta)", "|beta| or |1/beta| is too large (overflow)")
    return H
