"""Isolated edge states of open chains: root-gap criterion, matched-band continuum, refusals (issue 13).

Ground truth from exact formulas: the sub-chain criterion of nearest-neighbour multiband chains, the SSH zero
modes of a weakly coupled pair of orbitals, and the pole-zero invariant of a sublattice-symmetric chain.
"""
import numpy as np
import pytest
from random_chains import multiband

import nhtopo_lib as nl
from nhtopo_lib.msr import _band_polylines, _distance_to_curves, _gbz_polylines


def _segment_ratio(curves):
    """Longest continuum segment over the median segment (NaN entries break the polylines)."""
    c = np.asarray(curves).reshape(len(curves), -1)
    d = np.abs(np.diff(c, axis=0)).ravel()
    d = d[np.isfinite(d) & (d > 0)]
    return float(d.max() / np.median(d))


def test_hermitian_chain_with_in_gap_states_at_both_signs():
    # E -> -E* symmetric bands: LAPACK orders the eigenvalues differently at different k, and a continuum
    # joined column by column draws chords between +-Re E that pass next to the edge states at +-0.2
    chain = nl.pt_three_band_chain(0.2, 0.424, 0.0)
    es = nl.isolated_edge_states(chain, certify=True)
    assert es.count == 4 == nl.subchain_edge_count(chain) == nl.summed_winding(chain, None)
    assert es.certified
    assert np.allclose(np.sort(es.energies.real), [-0.2, -0.2, 0.2, 0.2], atol=1e-9)
    # the matched bands have no chord; the column-by-column drawing with wrap-around has
    assert _segment_ratio(es.continuum) < 10
    k = np.linspace(0, 2 * np.pi, 1536, endpoint=False)
    naive = np.linalg.eigvals(chain.bloch(np.exp(1j * k)))
    assert _segment_ratio(np.concatenate([naive, naive[:1]])) > 1000
    assert np.min(es.distances) > 0.05


def _weak_ssh_beside_a_dimer(d1=1e-4, d2=3e-4, e0=0.5):
    """Orbitals A, B: a dispersive dimer (bands near +-1, the energy scale); C, D: an SSH chain of hoppings
    d1 (inside the cell) < d2 (between cells) around e0, i.e. two nearly flat bands e0 +- |d1 + d2 e^{ik}|."""
    T0, Tm, Tp = (np.zeros((4, 4), complex) for _ in range(3))
    T0[0, 1] = T0[1, 0] = 1.0
    Tp[0, 0] = Tm[0, 0] = 0.3
    T0[2, 2] = T0[3, 3] = e0
    T0[2, 3] = T0[3, 2] = d1
    Tp[3, 2] = Tm[2, 3] = d2
    return nl.Chain({-1: Tm, 0: T0, 1: Tp})


def test_edge_states_next_to_a_nearly_flat_band_end():
    # SSH zero modes at e0, 2e-4 from the band ends e0 +- (d2 - d1): well inside any energy tolerance of
    # 1e-3 of the scale, but the root gap is ln((d2/d1)^2) = 2 ln 3 (localisation within one cell)
    es = nl.isolated_edge_states(_weak_ssh_beside_a_dimer(), kappa=0.0, certify=True)
    assert es.count == 2 and es.certified
    assert np.allclose(es.energies, 0.5, atol=1e-12)
    assert np.allclose(es.root_gaps, 2 * np.log(3.0), rtol=1e-8)
    assert np.allclose(es.distances, 2e-4, rtol=1e-6)


def test_root_gap_is_zero_on_the_continuum_and_exact_off_it():
    chain = nl.hatano_nelson(1.0, 0.5)          # E = 1/beta + 0.5 beta, roots beta_1 beta_2 = 2
    r = np.sqrt(2.0)
    k = np.linspace(0.1, 3.0, 7)
    on = r * np.exp(1j * k) * 0.5 + 1 / (r * np.exp(1j * k))   # continuum: the GBZ |beta| = sqrt(2)
    assert np.all(nl.gbz.beta_root_gap(chain, on) < 1e-10)
    E = 3.0                                      # roots of 0.5 b^2 - 3 b + 1: 3 -+ sqrt(7)
    b1, b2 = 3 - np.sqrt(7), 3 + np.sqrt(7)
    assert nl.gbz.beta_root_gap(chain, E) == pytest.approx(np.log(b2 / b1), rel=1e-12)
    with pytest.raises(ValueError, match="one way"):
        nl.gbz.beta_root_gap(nl.Chain({0: 1.0, 1: 0.5}), 0.3)


def test_non_circular_gbz_count_against_the_pole_zero_invariant():
    chain = nl.nh_ssh_yao_wang(0.5, 4 / 3, 1.0, t3=0.5)
    g = nl.solve_gbz(chain)
    assert not g.is_circle(1e-3)
    es = nl.isolated_edge_states(chain, n_cells=20)
    assert "python-flint" in es.method
    assert es.count == abs(nl.pole_zero_invariant(chain)) == 2
    assert np.allclose(es.energies, 0, atol=1e-9)


@pytest.mark.parametrize("case", ["pt", "skin", "ep", "gbz-loops", "random"])
def test_continuum_has_no_chords(case):
    """Guard: no continuum segment longer than 100 x the median segment."""
    if case == "pt":
        curves = _band_polylines(nl.pt_three_band_chain(1.0, 1.3, 2.0), 0.0)
    elif case == "skin":
        ch = nl.multiband_nn_chain([1.2, 1.2, 1.3], [1 / 1.2, 1 / 1.2, 1.3], [2.0, 0.0, -2.0])
        curves = _band_polylines(ch, nl.non_bloch_kappa(ch))
    elif case == "ep":                           # exceptional points on the Brillouin zone
        curves = _band_polylines(nl.pt_three_band_chain(1.0, np.sqrt(2.0), 2.0), 0.0)
    elif case == "gbz-loops":                    # several sub-GBZ curves, junctions, both signs of E
        curves = _gbz_polylines(nl.solve_gbz(nl.nh_ssh_yao_wang(1.1, 4 / 3, 1.0, t3=0.5)))
    else:
        curves = _band_polylines(nl.multiband_nn_chain(*multiband(31)), 0.3)
    assert _segment_ratio(curves) < 100


def test_distance_to_open_polylines_has_no_wraparound():
    # one band from 0 to 1 and another from 10j to 10j + 1: the point 5j is 5 away from both
    curves = np.array([[0, 10j], [0.5, 10j + 0.5], [1, 10j + 1]])
    assert _distance_to_curves(np.array([5j]), curves)[0] == pytest.approx(5.0)
    curves_nan = np.array([[0], [1], [np.nan], [2], [3]], dtype=complex)   # a broken polyline
    assert _distance_to_curves(np.array([1.5 + 1j]), curves_nan)[0] == pytest.approx(np.hypot(0.5, 1))


def test_refusals_say_the_count_has_not_converged():
    # |beta_L| = 0.9: localisation length ~ 10 cells, undecided at 8/16 cells
    with pytest.raises(ValueError, match="count not converged.*increase n_cells"):
        nl.isolated_edge_states(nl.pt_three_band_chain(1, 1 / 0.9, 2), n_cells=8, max_cells=16)
    # an edge state with localisation length 24 cells still inside the continuum at 24-96 cells
    chain = nl.multiband_nn_chain(*multiband(7))
    with pytest.raises(ValueError, match="count not converged"):
        nl.isolated_edge_states(chain, n_cells=24, max_cells=96)
    es = nl.isolated_edge_states(chain, n_cells=120, max_cells=240)
    assert es.count == nl.subchain_edge_count(chain) == 2
    with pytest.raises(ValueError, match="n_long"):
        nl.isolated_edge_states(chain, n_cells=20, n_long=25)
