"""Tests of nhtopo_lib.msr: Majorana stars, band/star tracking, star windings, Zak phases, edge counts.

Ground truth comes from closed forms (spin-coherent states, the 2x2 Jordan family), from the exact
sub-chain edge criterion and from the open-chain spectrum -- never from the routine under test.
"""

import numpy as np
import pytest

import nhtopo_lib as nl
from nhtopo_lib import msr
from nhtopo_lib.models import multiband_nn_chain as mc
from nhtopo_lib.models import pt_three_band_chain as pt

RNG = np.random.default_rng(7)


# ----------------------------------------------------------------------------- stars
@pytest.mark.parametrize("J", [2, 3, 4, 5])
def test_stars_do_not_move_under_phase_or_normalisation(J):
    psi = RNG.normal(size=(20, J)) + 1j * RNG.normal(size=(20, J))
    th, ph = nl.majorana_stars(psi)
    c = 3.7 * np.exp(1.234j)
    th2, ph2 = nl.majorana_stars(c * psi)
    x1, x2 = nl.stars_to_xyz(th, ph), nl.stars_to_xyz(th2, ph2)
    # stars are unordered: compare as sets via the optimal matching
    from scipy.optimize import linear_sum_assignment

    for a, b in zip(x1, x2):
        cost = np.linalg.norm(a[:, None] - b[None, :], axis=-1)
        r, cc = linear_sum_assignment(cost)
        assert cost[r, cc].max() < 1e-9


@pytest.mark.parametrize("J", [2, 3, 5])
def test_spin_coherent_state_has_all_stars_at_its_direction(J):
    from math import comb

    S2 = J - 1
    theta, phi = 1.1, -2.3
    a, b = np.cos(theta / 2), np.exp(1j * phi) * np.sin(theta / 2)
    psi = np.array([np.sqrt(comb(S2, k)) * a ** (S2 - k) * b ** k for k in range(J)])
    th, ph = nl.majorana_stars(psi)
    # a root of multiplicity 2S is only accurate to eps^(1/2S)
    tol = 10 * np.finfo(float).eps ** (1 / S2)
    assert np.allclose(th, theta, atol=tol) and np.allclose(ph, phi, atol=tol)
    # the all-up state: every star at the north pole
    up = np.zeros(J)
    up[0] = 1
    th, ph = nl.majorana_stars(up)
    assert np.all(th == 0) and np.all(np.isnan(ph))


def test_vanishing_leading_coefficient_puts_stars_at_the_south_pole():
    th, ph = nl.majorana_stars([0.0, 1.0, 2.0])
    assert np.sum(th == np.pi) == 1 and np.isnan(ph[th == np.pi]).all()
    assert np.all(np.isfinite(ph[th < np.pi]))
    th, ph = nl.majorana_stars([0.0, 0.0, 0.0, 1.0])
    assert np.all(th == np.pi) and np.all(np.isnan(ph))
    # continuity: a tiny but non-zero first component gives a star next to the south pole
    th_eps, _ = nl.majorana_stars([1e-9, 1.0, 2.0])
    assert np.isclose(np.max(th_eps), np.pi, atol=1e-8)


def test_product_of_stars_is_psi_J_over_psi_1():
    psi = RNG.normal(size=(50, 4)) + 1j * RNG.normal(size=(50, 4))
    th, ph = nl.majorana_stars(psi)
    lhs = np.exp(1j * ph.sum(axis=1))
    rhs = psi[:, -1] / psi[:, 0]
    assert np.allclose(lhs, rhs / np.abs(rhs))


def test_star_refusals():
    with pytest.raises(ValueError, match="zero vector"):
        nl.majorana_stars([0, 0, 0])
    with pytest.raises(ValueError, match="NaN"):
        nl.majorana_stars([1, np.nan, 0])
    with pytest.raises(ValueError, match="J >= 2"):
        nl.majorana_stars([1.0])


# ----------------------------------------------------------------------------- 2x2 Jordan family
U = np.array([[1, 0.4 + 0.3j], [0.2 - 0.5j, 1]])
UI = np.linalg.inv(U)


def jordan_blocks(s: dict) -> dict:
    """H(beta) = U [[0, 1], [s(beta), 0]] U^-1: an EP (Jordan block) wherever s = 0."""
    keys = set(s) | {0}
    return {n: U @ np.array([[0, 1.0 if n == 0 else 0.0], [s.get(n, 0.0), 0]]) @ UI for n in keys}


def test_tracking_through_a_jordan_block_ep():
    # s = beta - 1: the eigenvalues +-sqrt(beta - 1) coalesce (Jordan block) at k = 0.
    # Right eigenvectors U (1, E): prod_n psi_2/psi_1 = (U21^2 - U22^2 s)/(U11^2 - U12^2 s), whose
    # zero s = -0.21 - 0.2i lies inside the circle s = e^{ik} - 1 and whose pole lies outside: W = 1.
    blocks = jordan_blocks({0: -1.0, 1: 1.0})
    sw = msr.star_windings(blocks, 0.0, k0=1.0)
    assert sw.total == 1
    assert sw.exceptional, "the EP at k = 0 must be detected"
    k_ep = np.array([k for k, _ in sw.exceptional]) % (2 * np.pi)
    assert np.min(np.minimum(k_ep, 2 * np.pi - k_ep)) < 1e-6
    # per-band values are integers summing to the total (ordered exchange closes the bands)
    assert np.allclose(sw.per_band, np.rint(sw.per_band)) and sw.per_band.sum() == 1
    # the Zak phase is undefined at the EP
    z = nl.biorthogonal_zak_phases(blocks, 0.0, k0=1.0)
    assert np.all(np.isnan(z))
    with pytest.raises(ValueError, match="exceptional"):
        nl.biorthogonal_zak_phases(blocks, 0.0, k0=1.0, on_ep="raise")


def test_braiding_bands_close_after_two_periods():
    # s = beta: E = +-e^{ik/2} exchange after one period (the EP at beta = 0 is encircled).
    # Over two periods E circles once: winding of (U21 + U22 E)/(U11 + U12 E) = 1 (zero inside).
    blocks = jordan_blocks({1: 1.0})
    sw = msr.star_windings(blocks, 0.0)
    assert sw.cycles == [(0, 1)] and sw.cycle_totals == [1] and sw.total == 1
    assert np.allclose(sw.per_band, 0.5)
    assert nl.summed_winding(blocks, 0.0) == 1
    with pytest.raises(ValueError, match="braid"):
        nl.msr_windings(blocks, kappa=0.0)


# ----------------------------------------------------------------------------- regression table (§8)
SQ2 = np.sqrt(2.0)
ROWS = {
    # id: (chain, kappa, per-band windings or None (labelling-dependent, EPs), W, #isolated)
    "T0": (mc([0.5, 1], [0.5, 1], [0, 0]), 0.0, [1, 1], 2, 2),
    "T1": (pt(1, 0.5, 2), 0.0, [0, 0, 0], 0, 0),
    "T2": (pt(1, 1.3, 2), 0.0, [2, 0, 2], 4, 4),
    "T2'": (pt(1, 3, 2), 0.0, None, 4, 4),
    "T3": (pt(1, SQ2, 2), 0.0, None, 4, 4),
    "T4a": (pt(1, 2, 2), 0.0, None, 4, 4),
    "T4b": (pt(2, 1.5, 2), 0.0, None, 0, 0),
    "T4c": (pt(2, 2.5, 2), 0.0, None, 4, 4),
    "T4d": (pt(0.5, 1, 2), 0.0, [1, 0, 1], 2, 2),
    "T5": (mc([1.2, 1.2, 1.3], [1 / 1.2, 1 / 1.2, 1.3], [2, 0, -2]), -np.log(1.44), [2, 0, 2], 4, 4),
    "T6": (mc([0.3, 0.2, 1.625, 1.875], [0.3, 0.2, 1.04, 1.2], [-0.6, 1.7, 1.0, 2.0]), -2 * np.log(1.25),
           [1, 1, 1, 0], 3, 3),
    "T7": (mc([0.5] * 5, [0.5] * 5, [1, 1, 0, -1, -1]), 0.0, [1, 1, 0, 1, 1], 4, 4),
    "T8": (mc([0.5, 1, 1, 0.5, 1], [0.5, 1, 1, 0.5, 1], [1, 0.5, 0, -0.5, -1]), 0.0, None, 4, 4),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_regression_rows(name):
    chain, kappa, per, W, n_iso = ROWS[name]
    assert np.isclose(nl.non_bloch_kappa(chain), kappa, atol=1e-12)
    w = nl.msr_windings(chain.blocks)          # kappa=None: derived from the GBZ
    assert sum(w) == W
    if per is not None:
        assert w == per
    # independent: the exact sub-chain edge criterion and the open-chain spectrum
    assert nl.subchain_edge_count(chain) == W
    assert nl.isolated_edge_count(chain.blocks) == n_iso


def test_pt_rows_closed_form_and_coalescence():
    for t, t3 in [(1, 0.5), (1, 1.3), (1, 3), (2, 1.5), (2, 2.5), (0.5, 1)]:
        assert nl.pt_three_band_summed_winding(t, t3, 2.0) == nl.summed_winding(pt(t, t3, 2.0))
    es = nl.isolated_edge_states(pt(1, 1.3, 2), n_cells=40, certify=True)
    assert es.certified and es.count == 4 and es.multiplicities == [2, 2]
    assert np.allclose(sorted(np.mean(c).imag for c in es.clusters), [-1, 1], atol=1e-6)
    assert min(es.overlaps) > 0.9999           # the two members of a pair have parallel eigenvectors
    # the edge energies of T4c: +-sqrt(3) +- i (left: +i, right: -i)
    es = nl.isolated_edge_states(pt(2, 2.5, 2), certify=True)
    expected = np.array([s * np.sqrt(3) + u * 1j for s in (1, -1) for u in (1, -1)])
    assert es.certified and es.count == 4
    assert max(np.min(np.abs(expected - e)) for e in es.energies) < 1e-6


def test_skin_effect_needs_the_non_bloch_shift():
    chain_t5 = ROWS["T5"][0]
    chain_t6 = ROWS["T6"][0]
    assert nl.summed_winding(chain_t5, 0.0) == 2        # naive Bloch winding: wrong
    assert nl.summed_winding(chain_t6, 0.0) == 4        # naive Bloch winding: wrong
    assert nl.summed_winding(chain_t6, None) == 3
    # the closed-form GBZ radius agrees with the general GBZ solver
    assert np.isclose(np.exp(-nl.non_bloch_kappa(chain_t6)), nl.gbz_circle_radius(chain_t6), rtol=1e-8)
    # H(k + i kappa) is the Bloch matrix of the gauge-transformed chain
    k = np.linspace(0, 2 * np.pi, 7)
    kap = nl.non_bloch_kappa(chain_t5)
    assert np.allclose(nl.non_bloch_bloch(chain_t5, k, kap),
                       chain_t5.gauge_transformed(np.exp(-kap)).bloch_k(k))


def test_zak_phases():
    z1 = nl.biorthogonal_zak_phases(pt(1, 0.5, 2), gauge="last") / np.pi
    assert np.isclose(z1.sum(), 0, atol=1e-6)
    chain = pt(1, 1.3, 2)
    z = nl.biorthogonal_zak_phases(chain) / np.pi
    assert np.allclose(z, [0.172, 0, -0.172], atol=2e-3)
    zl = nl.biorthogonal_zak_phases(chain, gauge="last")
    zf = nl.biorthogonal_zak_phases(chain, gauge="first")
    assert np.isclose(zl.sum() / np.pi, 4, atol=1e-6)
    w = np.array(nl.msr_windings(chain, kappa=0.0))
    assert np.allclose(zl - zf, 2 * np.pi * w, atol=1e-6)   # gauge change = 2 pi x star winding
    # the four-band odd case: an even summed Zak phase, an odd number of edge states
    t6, kap6 = ROWS["T6"][0], ROWS["T6"][1]
    z6 = nl.biorthogonal_zak_phases(t6, kap6, gauge="last") / np.pi
    assert np.isclose(z6.sum(), 2, atol=1e-3)     # discrete product: O(1/M^2) from exact
    # EP rows: undefined
    assert np.all(np.isnan(nl.biorthogonal_zak_phases(pt(1, SQ2, 2))))


def test_star_tracking_fig4_exchange():
    tr = nl.track_bands(pt(1, 1.3, 2), 0.0, stars=True)
    st = nl.track_stars(tr, 0)
    assert st.periods == 2 and st.pole_crossings == 0
    assert np.allclose(st.star_windings, [2, 2], atol=1e-9)   # each star gains 4 pi in two periods
    assert np.isclose(st.winding / st.periods, 2)             # = W_0 per period (Vieta check)


def test_batch_phase_diagram_against_closed_form():
    t = np.linspace(0.13, 2.9, 9)
    t3 = np.linspace(0.11, 2.95, 8)
    T, T3 = np.meshgrid(t, t3)
    g = 2.0
    par = np.stack(np.broadcast_arrays(T, T, T3), -1)
    gam = np.stack(np.broadcast_arrays(g + 0 * T, 0 * T, -g + 0 * T), -1)
    W = nl.nn_chain_summed_windings(par, par, gam)
    assert np.array_equal(W, nl.pt_three_band_summed_winding(T, T3, g))
    # non-Bloch shift per point: the T5 chain and its symmetrised twin give the same winding
    tr = np.array([[1.2, 1.2, 1.3], [1.0, 1.0, 1.3]])
    tl = np.array([[1 / 1.2, 1 / 1.2, 1.3], [1.0, 1.0, 1.3]])
    gm = np.array([[2, 0, -2], [2, 0, -2]])
    assert list(nl.nn_chain_summed_windings(tr, tl, gm, kappa=[-np.log(1.44), 0.0])) == [4, 4]


# ----------------------------------------------------------------------------- refusals
def test_refusals():
    with pytest.raises(ValueError, match="square"):
        nl.msr_windings({0: np.zeros((2, 3))})
    with pytest.raises(ValueError, match="NaN"):
        nl.msr_windings({0: [[0, np.nan], [1, 0]], 1: np.eye(2)})
    with pytest.raises(ValueError, match="J >= 2"):
        nl.msr_windings({0: 1.0, 1: 0.5})
    with pytest.raises(ValueError, match="2x2"):
        nl.msr_windings({0: np.eye(2), 1: np.eye(3)})
    with pytest.raises(ValueError, match="finite"):
        nl.msr_windings(pt(1, 1.3, 2), kappa=np.nan)
    # exactly on a transition a star sits on a pole
    with pytest.raises(ValueError, match="pole"):
        nl.msr_windings(pt(1, 1, 2), kappa=0.0)
    with pytest.raises(ValueError, match="pole"):
        nl.summed_winding(pt(2, 2, 2), 0.0)


def test_non_circular_gbz_is_refused_with_advice():
    chain = nl.nh_ssh_yao_wang(1.1, 4 / 3, 1.0, t3=0.5)
    with pytest.raises(ValueError, match="not a circle.*kappa"):
        nl.msr_windings(chain.blocks)
    with pytest.raises(ValueError, match="not a circle"):
        nl.non_bloch_kappa(chain)


def test_edge_count_refuses_undecidable_lengths():
    # |beta_L| = t^2 / (t3 |E|) = 0.9: localisation length ~ 10 cells, not converged at 8 vs 16 cells
    with pytest.raises(ValueError, match="increase n_cells"):
        nl.isolated_edge_states(pt(1, 1 / 0.9, 2), n_cells=8)
    assert nl.isolated_edge_states(pt(1, 1 / 0.9, 2), n_cells=120).count == 4
