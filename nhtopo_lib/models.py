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

from .chain import Chain

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
]


def _check_finite(**params) -> None:
    for name, v in params.items():
        if not np.all(np.isfinite(np.asarray(v, dtype=complex))):
            raise ValueError(f"parameter {name} is NaN or inf")


def hatano_nelson(t_r: complex, t_l: complex, mu: int = 1, onsite: complex = 0.0) -> Chain:
    """Hatano--Nelson chain with hopping length ``mu`` (Hatano & Nelson 1996).

    ``H = sum_j (t_r c_{j+mu}^dagger c_j + t_l c_j^dagger c_{j+mu} + V n_j)``:
    ``t_r`` moves a particle ``mu`` sites to the right, ``t_l`` to the left.
    Bloch form ``E(k) = V + t_r e^{-i mu k} + t_l e^{+i mu k}``
    (so ``T_{-mu} = t_r``, ``T_{+mu} = t_l``).
    """
    _check_finite(t_r=t_r, t_l=t_l, onsite=onsite)
    if int(mu) != mu or mu < 1:
        raise ValueError("the hopping length mu must be a positive integer")
    return Chain({-int(mu): t_r, int(mu): t_l, 0: onsite}, name=f"Hatano-Nelson(mu={mu})")


def hatano_nelson_energy(k: ArrayLike, t_r: ArrayLike, t_l: ArrayLike, mu: int = 1) -> np.ndarray:
    """Closed form ``E(k) = t_r e^{-i mu k} + t_l e^{i mu k}``.

    ``t_r``, ``t_l`` of shape ``S`` and ``k`` of shape ``(n,)`` give shape ``S + (n,)``.
    """
    k = np.asarray(k, dtype=float)
    tr = np.asarray(t_r, dtype=complex)[..., None]
    tl = np.asarray(t_l, dtype=complex)[..., None]
    return tr * np.exp(-1j * mu * k) + tl * np.exp(1j * mu * k)


def hatano_nelson_winding(t_r: ArrayLike, t_l: ArrayLike, mu: int = 1) -> np.ndarray:
    """Exact spectral winding of the HN loop around ``E_B = 0`` (k from 0 to 2 pi).

    ``+mu`` if ``|t_l| > |t_r|`` (the ``e^{+i mu k}`` term dominates, the
    loop turns counter-clockwise), ``-mu`` if ``|t_r| > |t_l|``.  Raises
    ValueError when ``|t_r| = |t_l|`` (the loop passes through 0).
    """
    ar, al = np.abs(np.asarray(t_r)), np.abs(np.asarray(t_l))
    if np.any(ar == al):
        raise ValueError("|t_r| = |t_l|: the spectrum passes through E_B = 0 and the winding is undefined")
    return (mu * np.sign(al - ar)).astype(int)


def off_diagonal_chain(h_ab: Mapping[int, complex], h_ba: Mapping[int, complex],
                       name: str = "off-diagonal chain") -> Chain:
    """Two-band chain ``H(beta) = [[0, H_ab(beta)], [H_ba(beta), 0]]`` (sublattice form).

    ``h_ab``/``h_ba`` map powers of ``beta`` to coefficients; the ``beta**n``
    coefficient of ``H_ab`` is the real-space amplitude ``c_{A,j}^dagger c_{B,j+n}``.
    """
    _check_finite(**{f"h_ab[{k}]": v for k, v in h_ab.items()}, **{f"h_ba[{k}]": v for k, v in h_ba.items()})
    blocks: dict[int, np.ndarray] = {}
    for n, c in h_ab.items():
        blocks.setdefault(int(n), np.zeros((2, 2), complex))[0, 1] += c
    for n, c in h_ba.items():
        blocks.setdefault(int(n), np.zeros((2, 2), complex))[1, 0] += c
    if not blocks:
        raise ValueError("h_ab and h_ba are both empty")
    return Chain(blocks, name=name)


def nh_ssh_yao_wang(t1: float, gamma: float, t2: float, t3: float = 0.0) -> Chain:
    """Non-Hermitian SSH chain of Yao & Wang (PRL 121, 086803, 2018).

    Intracell hoppings ``t1 + gamma/2`` (B -> A) and ``t1 - gamma/2`` (A -> B),
    intercell ``t2`` and third-neighbour ``t3``:
    ``H_ab(beta) = t1 + gamma/2 + t2/beta + t3 beta``,
    ``H_ba(beta) = t1 - gamma/2 + t2 beta + t3/beta``.
    """
    _check_finite(t1=t1, gamma=gamma, t2=t2, t3=t3)
    return off_diagonal_chain({0: t1 + gamma / 2, -1: t2, 1: t3},
                              {0: t1 - gamma / 2, 1: t2, -1: t3},
                              name=f"NH-SSH(t1={t1}, gamma={gamma:.4g}, t2={t2})")


def nh_ssh_yao_wang_gbz_radius(t1: float, gamma: float) -> float:
    """GBZ radius ``sqrt(|(t1 - gamma/2)/(t1 + gamma/2)|)`` of the Yao--Wang chain with ``t3 = 0``."""
    if t1 + gamma / 2 == 0:
        raise ValueError("t1 + gamma/2 = 0: the GBZ degenerates")
    return float(np.sqrt(abs((t1 - gamma / 2) / (t1 + gamma / 2))))


def nh_ssh_nonreciprocal(t: float, delta: float, t_prime: float = 1.0) -> Chain:
    """NH-SSH chain of Zhang et al. (PRA 103, 012419): nonreciprocal intracell hopping.

    ``h_+(k) = t' e^{-ik} + t - delta`` (upper right) and
    ``h_-(k) = t' e^{ik} + t + delta`` (lower left).
    """
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
    _check_finite(t=t, delta=delta, t_prime=t_prime)
    k = np.asarray(k, dtype=float)
    t = np.asarray(t, dtype=float)[..., None]
    d = np.asarray(delta, dtype=float)[..., None]
    return (t_prime * np.exp(-1j * k) + t - d) * (t_prime * np.exp(1j * k) + t + d)


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
    _check_finite(t=t, delta=delta, t_prime=t_prime)
    t = np.asarray(t, dtype=float)
    d = np.asarray(delta, dtype=float)
    tp = abs(float(t_prime))
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
    _check_finite(t_prime=t_prime)
    tp = abs(float(t_prime))
    return np.array([[1.0, 1.0, -tp], [1.0, 1.0, tp], [-1.0, 1.0, -tp], [-1.0, 1.0, tp]])
