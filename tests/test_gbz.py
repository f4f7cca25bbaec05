"""GBZ solver: known circles, the paper's GBZ ranges, residuals, loop ordering, refusals."""
import numpy as np
import pytest

import nhtopo_lib as nl
from nhtopo_lib.gbz import reduced_char_poly


def nn_chain(tR, tL, gam):
    """Nearest-neighbour J-band chain (one inter-cell bond), as in the MSR reference."""
    J = len(tR)
    T0 = np.diag(1j * np.asarray(gam, complex))
    Tm = np.zeros((J, J), complex)
    Tp = np.zeros((J, J), complex)
    for j in range(J - 1):
        T0[j + 1, j] = tR[j]
        T0[j, j + 1] = tL[j]
    Tm[0, J - 1] = tR[J - 1]
    Tp[J - 1, 0] = tL[J - 1]
    return nl.Chain({0: T0, -1: Tm, 1: Tp})


def test_hermitian_chains_have_the_unit_circle():
    for ch in (nl.off_diagonal_chain({0: 0.5, -1: 1.0}, {0: 0.5, 1: 1.0}),
               nl.ssh_creutz(0.3, 0.7, 0.5, 1.0),
               nn_chain([1.0, 0.5, 0.8], [1.0, 0.5, 0.8], [0, 0, 0])):
        g = nl.solve_gbz(ch)
        lo, hi = g.radius_range
        assert abs(lo - 1) < 1e-12 and abs(hi - 1) < 1e-12
        assert g.residual < 1e-9
        assert nl.gbz_circle_radius(ch) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("t1,gamma", [(1.1, 4 / 3), (1.3, 4 / 3), (0.4, 1.5), (2.0, -1.0)])
def test_yao_wang_circle_radius(t1, gamma):
    ch = nl.nh_ssh_yao_wang(t1, gamma, 1.0)
    r = nl.gbz_circle_radius(ch, tol=1e-9)
    assert r == pytest.approx(np.sqrt(abs((t1 - gamma / 2) / (t1 + gamma / 2))), rel=1e-10)
    assert nl.solve_gbz(ch).residual < 1e-9


def test_circle_radius_gives_the_non_bloch_shift_of_nn_multiband_chains():
    # kappa = -ln r = (1/2) sum_j ln(tL_j / tR_j) for a nearest-neighbour chain (MSR reference, Sec. 5.4)
    tR, tL = [1.2, 1.2, 1.3], [1 / 1.2, 1 / 1.2, 1.3]
    ch = nn_chain(tR, tL, [2, 0, -2])
    r = nl.gbz_circle_radius(ch)
    assert -np.log(r) == pytest.approx(0.5 * np.sum(np.log(np.array(tL) / np.array(tR))), abs=1e-10)
    # the gauge-transformed chain has the GBZ on the unit circle
    assert nl.gbz_circle_radius(ch.gauge_transformed(r)) == pytest.approx(1.0, abs=1e-9)


def test_not_a_circle_is_refused():
    with pytest.raises(ValueError, match="GBZ is not a circle"):
        nl.gbz_circle_radius(nl.nh_ssh_general(1, 1, 3, 2, 1, 1))


@pytest.mark.parametrize("name,chain,lo,hi", [
    ("fig3", nl.nh_ssh_general(1, 1, 3, 2, 1, 1), 0.788, 0.956),
    ("fig4", nl.nh_ssh_general(8, 1, 3, 2, 1, 1), 0.793, 0.902),
    ("fig5", nl.long_range_sublattice(.5 + .5j, 2, .5 - .2j, 2, .5, .3), 0.953, 0.999),
    ("fig7", nl.chen_chang_kao_nh(5, 10, 15, 1, 1), 0.970, 1.020),
    ("fig11", nl.nh_ssh_creutz(.3, .7, 1.5, 1, .7), 0.826, 0.899),
    ("fig10 printed", nl.nh_ssh_creutz(.3, .7, .5, 1, .7, printed=True), 0.575, 1.848),
])
def test_gbz_radius_ranges_of_the_paper(name, chain, lo, hi):
    g = nl.solve_gbz(chain)
    a, b = g.radius_range
    assert abs(a - lo) < 1e-3 and abs(b - hi) < 1e-3, (name, a, b)
    assert g.residual < 1e-9
    assert len(g.main_loops) >= 1


def test_loops_are_ordered_by_arg_and_closed():
    g = nl.solve_gbz(nl.nh_ssh_general(1, 1, 3, 2, 1, 1))
    assert g.star_shaped == [True]
    z = g.loops[0]
    a = np.mod(np.angle(z), 2 * np.pi)
    assert np.all(np.diff(a) > 0)  # increasing arg z, starting at the smallest arg >= 0
    assert g.winding_about_origin(0) == 1
    assert g.max_step(0) < 2 * np.pi * 1.0 / 600 * 1.01  # resolution promised by points_per_loop
    # the junctions (three roots of equal modulus) are corners of this GBZ: |z| max is attained there
    assert g.radius_range[1] == pytest.approx(0.95628, abs=1e-5)


def test_gbz_with_a_fold_is_traced_through():
    g = nl.solve_gbz(nl.long_range_sublattice(.5 + .5j, 2, .5 - .2j, 2, .5, .3))
    i = g.main_loops[0]
    assert not g.star_shaped[i]  # a ray from 0 crosses it three times near arg z = 250 deg
    assert g.winding_about_origin(i) == 1
    assert g.max_step(i) < 0.02


def test_continuum_matches_large_open_chain():
    ch = nl.nh_ssh_general(1, 1, 3, 2, 1, 1)
    g = nl.solve_gbz(ch)
    cont = g.continuum
    E = nl.certified_zero_modes(ch, 120).centers
    bulk = E[np.abs(E) > 1e-3]
    d = np.min(np.abs(bulk[:, None] - cont[None, :]), axis=1)
    assert np.max(d) < 0.05  # every OBC eigenvalue sits on the GBZ continuum (finite-size spread)


def test_energy_symmetry_reduction_and_sub_gbz_loops():
    ch = nl.nh_ssh_general(1, 1, 3, 2, 1, 1)
    R = reduced_char_poly(ch)
    assert (R.s, R.p, R.q) == (2, 2, 2)
    g = nl.solve_gbz(ch)
    subs = g.sub_gbz_loops(0)
    # Q winds zero times along the GBZ (it encloses p zeros and a pole of order p),
    # so E = +-sqrt(Q) close separately: two sub-GBZ loops
    assert len(subs) == 2
    z, E = subs[0]
    Q = ch.char_poly.terms[0]  # det H = -Q
    assert np.allclose(E ** 2, -Q(z), atol=1e-9)
    # the printed Eq. (32) chain is traceless (spectrum symmetric under E -> -E) though not sublattice
    # symmetric; an on-site energy on one sublattice removes the E -> -E symmetry
    assert reduced_char_poly(nl.nh_ssh_creutz(.3, .7, .5, 1, .7, printed=True)).s == 2
    onsite = nl.Chain({**nl.nh_ssh_yao_wang(1.1, 4 / 3, 1.0).blocks, 0: np.array([[0.3, 1.1 + 2 / 3], [1.1 - 2 / 3, 0]])})
    assert reduced_char_poly(onsite).s == 1


def test_refusals():
    with pytest.raises(ValueError, match="one way"):
        nl.solve_gbz(nl.off_diagonal_chain({0: 1.0, 1: 0.5}, {0: 1.0, 1: 0.3}))
    flat = nl.Chain({0: np.diag([1.0, 0.0]), 1: np.diag([0.5, 0.0]), -1: np.diag([0.2, 0.0])})
    with pytest.raises(ValueError, match="flat"):
        nl.solve_gbz(flat)
    with pytest.raises(ValueError, match="NaN"):
        nl.solve_gbz(nl.Chain({0: np.nan, 1: 1.0}))
    with pytest.raises(ValueError, match="tol"):
        nl.gbz_circle_radius(nl.nh_ssh_yao_wang(1.1, 4 / 3, 1.0), tol=0)


# ----------------------------------------------------------------------------- chains the continuation cannot close
# Random range-3 chains (tests/random_chains.py) on which the pseudo-arclength continuation fails (loops that pass
# dozens of junctions, points off the GBZ) and the W = 6 chain found by the hypothesis search of the rotated
# property test; the level-set fallback closes them.
W6_AB = {-2: -0.4665630235069118 + 0.35856736328189126j, 3: -0.13128448540512738 + 2.161102673314074j}
W6_BA = {-3: -1.1239318426138887 + 0.7555242854374709j, -2: 0.05318158680311532 + 0.5034996210145716j,
         3: 1.0801975626906244 - 0.4949474111570862j}


@pytest.mark.parametrize("case", ["seed2", "seed51", "seed83", "seed85", "W6"])
def test_gbz_closes_on_hard_range3_chains(case):
    from random_chains import two_band

    hab, hba = (W6_AB, W6_BA) if case == "W6" else two_band(int(case[4:]))
    g = nl.solve_gbz(nl.off_diagonal_chain(hab, hba), points_per_loop=200)
    assert g.main_loops and g.residual < 1e-9
    assert max(g.max_step(i) for i in g.main_loops) < 0.1
    # the GBZ is the boundary of D: grid points inside the traced loops are exactly the points of D
    x = np.linspace(-2.5, 2.5, 121)
    Z = (x[None, :] + 1j * x[:, None]).ravel()
    Z = Z[np.abs(Z) > 1e-6]
    from matplotlib.path import Path

    inside = np.zeros(Z.size, bool)
    for z in g.loops:
        inside ^= Path(np.column_stack([z.real, z.imag])).contains_points(np.column_stack([Z.real, Z.imag]))
    assert np.mean(inside != nl.gbz_region_mask(nl.off_diagonal_chain(hab, hba), Z)) < 0.005
    assert nl.gbz_invariant(hab, hba, points_per_loop=200) == nl.pole_zero_invariant(hab, hba)


def test_level_set_fallback_reproduces_the_continuation():
    from nhtopo_lib import gbz as G

    chain = nl.off_diagonal_chain({0: 2, -1: .5, 1: 3.5}, {1: 1.5, -1: 2.5})   # Fig. 3 of Zhong et al.
    g = nl.solve_gbz(chain)
    assert g.method == "continuation"
    R = G.reduced_char_poly(chain)
    z, eps, th = G._candidates_single_band(R, G._theta_grid(96))
    ok, _ = G._rank_check(R, z, eps, 1e-6)
    sigma = float(max(1.0, np.max(np.abs(eps[ok]))))
    tracer = G._Tracer(R, sigma, 1e-7)
    loops = G._contour_loops(R, tracer, sigma, z[ok], 0.01, 0.02)
    assert len(loops) == len(g.loops) == 1
    zc = loops[0][0]
    ref = g.loops[0]
    assert np.max(np.min(np.abs(zc[:, None] - ref[None, :]), axis=1)) < 0.01     # same curve
    assert np.max(G._rank_check(R, zc, loops[0][1], np.inf)[1]) < 1e-9           # on the GBZ
