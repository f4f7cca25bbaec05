"""Threshold workflow, analytic phase boundaries/labels, crossing finder, exceptional points."""
import numpy as np
import pytest

import nhtopo_lib as nl
from nhtopo_lib.exceptional import (
    branch_tracked_gap,
    circle_loop,
    find_exceptional_points,
    nh_dirac_bloch,
    nh_dirac_exceptional_points,
    nh_dirac_f,
    nh_dirac_interband_winding,
    nh_dirac_loops,
    nh_dirac_phase_boundaries,
    open_phase_winding,
    two_band_discriminant,
)
from nhtopo_lib.models import nh_ssh_energy_squared, nh_ssh_interband_winding, nh_ssh_phase_boundaries
from nhtopo_lib.transitions import (
    distance_to_lines,
    probability_crossings,
    sample_threshold_sets,
    threshold_split,
)

K32 = 2 * np.pi * np.arange(33) / 32


# ----------------------------------------------------------------------------- distances and splits
def test_distance_to_lines_simple_geometry():
    lines = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, -2.0]])  # x = 0 and y = 1 (scaled coefficients)
    p = np.array([[3.0, 0.5], [0.2, 5.0], [-1.0, 1.0]])
    assert np.allclose(distance_to_lines(p, lines), [0.5, 0.2, 0.0])


def test_ssh_distance_is_min_over_four_lines():
    rng = np.random.default_rng(0)
    t, d = rng.uniform(-6, 6, (2, 2000))
    s = distance_to_lines(np.stack([d, t], -1), nh_ssh_phase_boundaries())
    ref = np.min([np.abs(t + d - 1), np.abs(t + d + 1), np.abs(t - d - 1), np.abs(t - d + 1)], axis=0) / np.sqrt(2)
    assert np.allclose(s, ref)
    # fraction close to the boundaries, P(s < 0.2) ~ 0.168 for the (-6, 6)^2 box (reference note)
    assert abs((s < 0.2).mean() - 0.168) < 0.02


def test_threshold_split_partitions_by_distance():
    rng = np.random.default_rng(3)
    s = rng.uniform(0, 1, 1000)
    tr, va, te = threshold_split(s, 0.3, val_fraction=0.25, rng=rng)
    assert np.all(s[te] < 0.3) and np.all(s[tr] >= 0.3) and np.all(s[va] >= 0.3)
    allidx = np.concatenate([tr, va, te])
    assert len(np.unique(allidx)) == 1000 == len(allidx)
    assert abs(len(va) - 0.25 * (len(tr) + len(va))) <= 1


def test_sample_threshold_sets_fixed_sizes():
    rng = np.random.default_rng(1)
    lines = nh_ssh_phase_boundaries()
    sets = sample_threshold_sets(lambda r, n: r.uniform(-6, 6, (n, 2)), lambda p: distance_to_lines(p, lines),
                                 0.4, n_train=3000, n_val=500, n_test=700, rng=rng, batch=1000)
    assert sets.train.shape == (3000, 2) and sets.val.shape == (500, 2) and sets.test.shape == (700, 2)
    assert sets.s_train.min() >= 0.4 and sets.s_val.min() >= 0.4 and sets.s_test.max() < 0.4
    assert np.allclose(distance_to_lines(sets.test, lines), sets.s_test)
    assert abs(sets.frac_near - 0.326) < 0.03       # P(s < 0.4) for the uniform (-6, 6)^2 box
    with pytest.raises(ValueError, match="lower T"):
        sample_threshold_sets(lambda r, n: r.uniform(-1, 1, (n, 2)), lambda p: distance_to_lines(p, lines),
                              5.0, n_train=10, n_val=0, n_test=0, rng=rng, batch=100, max_draws=1000)


def test_threshold_refusals():
    lines = nh_ssh_phase_boundaries()
    with pytest.raises(ValueError, match="NaN"):
        distance_to_lines([[np.nan, 0.0]], lines)
    with pytest.raises(ValueError, match="not a line"):
        distance_to_lines([[0.0, 0.0]], [[0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="shape"):
        distance_to_lines([[0.0, 0.0, 0.0]], lines)
    with pytest.raises(ValueError, match="NaN"):
        threshold_split(np.array([0.1, np.nan]), 0.2)
    with pytest.raises(ValueError, match="threshold T"):
        threshold_split(np.array([0.1, 0.5]), -1.0)


# ----------------------------------------------------------------------------- NH-SSH labels
def test_ssh_exact_labels_match_discrete_winding_of_network_input():
    rng = np.random.default_rng(2)
    t, d = rng.uniform(-6, 6, (2, 50000))
    w = nh_ssh_interband_winding(t, d)
    E2 = nh_ssh_energy_squared(K32, t, d)
    # the L = 32 input itself: every phase step stays below pi (reference note, Sec. 1.2)
    wd = nl.winding_number(E2, max_step=0.99 * np.pi)
    assert np.array_equal(wd / 2, w)
    assert set(np.unique(w)) == {-0.5, 0.0, 0.5}
    # closed form of E_+^2 for t' = 1 and the library's chain
    assert np.allclose(E2[0], 1 + t[0] ** 2 - d[0] ** 2 + 2 * t[0] * np.cos(K32) - 2j * d[0] * np.sin(K32))
    H = nl.nh_ssh_nonreciprocal(t[0], d[0]).bloch_k(K32)
    assert np.allclose(H[:, 0, 1] * H[:, 1, 0], E2[0])


def test_ssh_labels_match_argument_principle():
    # independent of any sampling: det(H(beta) - 0) = -E_+^2 has winding 2 w_pm on |beta| = 1
    rng = np.random.default_rng(5)
    for t, d in rng.uniform(-3, 3, (40, 2)):
        assert nl.det_winding_roots(nl.nh_ssh_nonreciprocal(t, d), 0.0) == 2 * nh_ssh_interband_winding(t, d)


def test_ssh_cut_t_half_transitions():
    d = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    assert np.array_equal(nh_ssh_interband_winding(0.5, d), [0.0, 0.5, 0.0, -0.5, 0.0])


def test_ssh_refusals():
    with pytest.raises(ValueError, match="phase boundary"):
        nh_ssh_interband_winding(0.5, 0.5)
    with pytest.raises(ValueError, match="NaN"):
        nh_ssh_interband_winding(np.nan, 0.2)
    with pytest.raises(ValueError, match="NaN"):
        nh_ssh_energy_squared(K32, 0.1, np.inf)
    with pytest.raises(ValueError, match="t_prime"):
        nh_ssh_interband_winding(0.1, 0.2, t_prime=0.0)
    # at a boundary point the spectrum passes through the base energy: the winding routine refuses too
    with pytest.raises(ValueError, match="base point"):
        nl.winding_number(nh_ssh_energy_squared(K32, 0.5, 0.5))


# ----------------------------------------------------------------------------- crossing finder
def test_crossings_on_synthetic_logistic_curves_with_noise():
    rng = np.random.default_rng(7)
    x = np.linspace(-3, 3, 300)
    true = np.array([-1.5, -0.5, 0.5, 1.5])
    classes = [0, 1, 0, 2, 0]
    logits = np.zeros((len(x), 3))
    width = 0.08
    # piecewise: class c wins between consecutive true transitions, smooth logistic edges
    for i, c in enumerate(classes):
        lo = -np.inf if i == 0 else true[i - 1]
        hi = np.inf if i == len(true) else true[i]
        inside = 1 / (1 + np.exp(-(x - lo) / width)) * 1 / (1 + np.exp((x - hi) / width))
        logits[:, c] += 8 * inside
    logits += rng.normal(0, 0.3, logits.shape)
    P = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    # an isolated wrong prediction deep in a phase must not create a transition
    P[20] = [0.05, 0.9, 0.05]
    perm = rng.permutation(len(x))  # order of the input does not matter
    cr = probability_crossings(x[perm], P[perm], min_run=3)
    assert [c.left for c in cr] == classes[:-1] and [c.right for c in cr] == classes[1:]
    assert np.allclose([c.x for c in cr], true, atol=0.03)


def test_crossing_exact_for_linear_curves():
    x = np.linspace(0, 1, 11)
    P = np.stack([1 - x, x], -1)  # cross exactly at 0.5 (between grid points 0.5 is a grid point: shift)
    cr = probability_crossings(x + 0.013, P)
    assert len(cr) == 1 and cr[0].n_sign_changes == 1
    assert abs(cr[0].x - 0.513) < 1e-12
    # no transition at all
    assert probability_crossings(x, np.stack([np.ones(11), np.zeros(11)], -1)) == []


def test_crossing_refusals():
    with pytest.raises(ValueError, match="NaN"):
        probability_crossings([0.0, 1.0], [[0.5, np.nan], [0.2, 0.8]])
    with pytest.raises(ValueError, match="shape"):
        probability_crossings([0.0, 1.0, 2.0], [[0.5, 0.5], [0.2, 0.8]])
    with pytest.raises(ValueError, match="odd"):
        probability_crossings([0.0, 1.0], [[0.5, 0.5], [0.2, 0.8]], smooth=2)


# ----------------------------------------------------------------------------- Dirac model and EPs
def test_dirac_f_is_square_of_bloch_matrix():
    rng = np.random.default_rng(4)
    kx, ky = rng.normal(size=(2, 20))
    H = nh_dirac_bloch(kx, ky, 0.3, 1.7, -0.4, 1.0)
    f = nh_dirac_f(kx, ky, 0.3, 1.7, -0.4, 1.0)
    assert np.allclose(H @ H, f[:, None, None] * np.eye(2))
    # corrected Eq. (20): imaginary part 2 (k . kappa + m delta_m)
    assert np.allclose(f.imag, 2 * (kx * 1.7 + ky * (-0.4) + 0.3 * 1.0))
    assert np.allclose(two_band_discriminant(H), 4 * f)


@pytest.mark.parametrize("m,kx,ky,dm", [(0.7, 3.0, 0.0, 1.0), (-2.5, 3.0, 0.0, 1.0), (0.3, 1.0, -0.8, 0.6),
                                        (0.0, 0.5, 0.0, 1.0), (2.999, 3.0, 0.0, 1.0)])
def test_ep_closed_form_matches_numerical_search(m, kx, ky, dm):
    kp, km = nh_dirac_exceptional_points(m, kx, ky, dm)
    g = np.stack(np.meshgrid(np.linspace(-4, 4, 5), np.linspace(-4, 4, 5)), -1).reshape(-1, 2)
    found = find_exceptional_points(lambda a, b: nh_dirac_bloch(a, b, m, kx, ky, dm), g)
    assert len(found) == 2
    # match regardless of order
    d = min(np.abs(found - np.array([kp, km])).max(), np.abs(found - np.array([km, kp])).max())
    assert d < 1e-8
    sep = np.linalg.norm(kp - km)
    kap = np.hypot(kx, ky)
    assert np.isclose(sep, 2 * np.sqrt((kap ** 2 - m ** 2) * (kap ** 2 + dm ** 2)) / kap)


def test_no_ep_without_kappa_exceeding_mass():
    kp, km = nh_dirac_exceptional_points([3.5, -4.0], 3.0)
    assert np.all(np.isnan(kp)) and np.all(np.isnan(km))
    g = np.stack(np.meshgrid(np.linspace(-4, 4, 4), np.linspace(-4, 4, 4)), -1).reshape(-1, 2)
    assert len(find_exceptional_points(lambda a, b: nh_dirac_bloch(a, b, 3.5, 3.0), g)) == 0


def test_dirac_loop_labels_and_half_winding():
    rng = np.random.default_rng(6)
    m = rng.uniform(-6, 6, 4000)
    kap = rng.uniform(0, 6, 4000)
    k, r = nh_dirac_loops(m, kap, 32, rng=rng)
    assert k.shape == (4000, 33, 2) and np.all(r <= 1)
    f = nh_dirac_f(k[..., 0], k[..., 1], m[:, None], kap[:, None])
    w = nh_dirac_interband_winding(m, kap)
    assert np.array_equal(nl.winding_number(f, max_step=0.99 * np.pi) / 2, w)
    dE = branch_tracked_gap(f)
    assert np.allclose(dE ** 2, 4 * f)
    assert np.allclose(open_phase_winding(dE), w)
    # a half winding returns Delta E with the opposite sign: the eigenvalues swap
    half = w == 0.5
    assert np.allclose(dE[half, -1], -dE[half, 0]) and np.allclose(dE[~half, -1], dE[~half, 0])


def test_dirac_orientation_and_unit_circle_caveat():
    m, kap = 0.5, 3.0
    kp, km = nh_dirac_exceptional_points(m, kap)
    f_of = lambda loop: nh_dirac_f(loop[:, 0], loop[:, 1], m, kap)  # noqa: E731
    cw = circle_loop(kp, 1.0, 64, clockwise=True)
    ccw = circle_loop(kp, 1.0, 64, clockwise=False)
    assert nl.winding_number(f_of(cw)) == 1 and nl.winding_number(f_of(ccw)) == -1
    assert nl.winding_number(f_of(circle_loop(km, 1.0, 64))) == -1  # k_- has the opposite sign
    # near the transition a unit circle around k_+ also encloses k_-: total winding 0
    m2 = 2.99
    kp2, km2 = nh_dirac_exceptional_points(m2, kap)
    assert np.linalg.norm(kp2 - km2) < 1
    f2 = nh_dirac_f(*circle_loop(kp2, 1.0, 256).T, m2, kap)
    assert nl.winding_number(f2) == 0
    k, r = nh_dirac_loops(m2, kap, 32)
    assert np.isclose(r[0], 0.5 * np.linalg.norm(kp2 - km2))
    assert nl.winding_number(nh_dirac_f(k[0, :, 0], k[0, :, 1], m2, kap), max_step=0.99 * np.pi) == 1


def test_dirac_refusals():
    with pytest.raises(ValueError, match="phase boundary"):
        nh_dirac_interband_winding(3.0, 3.0)
    with pytest.raises(ValueError, match="NaN"):
        nh_dirac_exceptional_points(np.nan, 3.0)
    with pytest.raises(ValueError, match="rng"):
        nh_dirac_loops(5.0, 1.0)
    with pytest.raises(ValueError, match="exceptional point"):
        branch_tracked_gap(np.array([1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="sample more points"):
        open_phase_winding(np.exp(1j * np.linspace(0, 2 * np.pi, 4)))
    with pytest.raises(ValueError, match="2x2"):
        two_band_discriminant(np.eye(3))
    # a loop through an EP: the winding routine refuses (base point on the curve)
    kp, _ = nh_dirac_exceptional_points(0.5, 3.0)
    loop = circle_loop(kp + np.array([0.3, 0.0]), 0.3, 32)
    with pytest.raises(ValueError):
        nl.winding_number(nh_dirac_f(loop[:, 0], loop[:, 1], 0.5, 3.0))
    assert np.allclose(nh_dirac_phase_boundaries() @ [3.0, 3.0, 1.0], [0.0, 6.0])


# ----------------------------------------------------------------------------- data builders and the experiment
def test_configuration_builders_give_unit_modulus_inputs_and_exact_labels():
    from nhtopo_lib.transitions import nh_dirac_configurations, nh_ssh_configurations

    rng = np.random.default_rng(8)
    p = rng.uniform(-6, 6, (500, 2))
    x, w = nh_ssh_configurations(p)
    assert x.shape == (500, 33, 2) and x.dtype == np.float32
    assert np.allclose(np.hypot(x[..., 0], x[..., 1]), 1, atol=1e-6)
    assert np.array_equal(w, nh_ssh_interband_winding(p[:, 1], p[:, 0]))
    q = np.stack([rng.uniform(-6, 6, 500), rng.uniform(0, 6, 500)], -1)
    x, w = nh_dirac_configurations(q, rng)
    assert x.shape == (500, 33, 2)
    assert np.array_equal(w, nh_dirac_interband_winding(q[:, 0], q[:, 1]))
    # antiperiodic input for w = 1/2: the last point is minus the first
    half = w == 0.5
    assert np.allclose(x[half, -1], -x[half, 0], atol=1e-6) and np.allclose(x[~half, -1], x[~half, 0], atol=1e-6)
    with pytest.raises(ValueError, match="phase boundary"):
        nh_ssh_configurations([[0.5, 0.5]])


def test_learn_transition_plumbing_on_a_small_dirac_problem():
    from nhtopo_lib.learning import TrainingConfig
    from nhtopo_lib.transitions import NH_DIRAC_CLASSES, learn_transition, nh_dirac_configurations

    lines = nh_dirac_phase_boundaries()
    rng = np.random.default_rng(9)
    sets = sample_threshold_sets(lambda r, n: np.stack([r.uniform(-6, 6, n), r.uniform(0, 6, n)], -1),
                                 lambda p: distance_to_lines(p, lines), 0.5, n_train=3000, n_val=500,
                                 n_test=500, rng=rng)
    cut_m = np.linspace(-6, 6, 120)
    cut = np.stack([cut_m, np.full(120, 3.0)], -1)
    cfg = TrainingConfig(loss="ce_bits", max_epochs=12, batch_size=64, lr=4e-3, progress=False)
    run = learn_transition(lambda p: nh_dirac_configurations(p, rng), sets, cut, cut_m, NH_DIRAC_CLASSES,
                           seeds=(1, 2), config=cfg)
    assert run.sizes == {"train": 3000, "val": 500, "test1": 500, "test2": 120}
    assert len(run.members) == 2 and run.probs_test2.shape == (120, 2)
    assert np.allclose(run.probs_test2.sum(1), 1)
    # even this small network finds the two transitions at m = -3, +3 (grid spacing 0.1)
    assert [round(c.x) for c in run.crossings] == [-3, 3]
    with pytest.raises(ValueError, match="ce_bits"):
        learn_transition(lambda p: nh_dirac_configurations(p, rng), sets, cut, cut_m, NH_DIRAC_CLASSES,
                         config=TrainingConfig(loss="mse", progress=False))
