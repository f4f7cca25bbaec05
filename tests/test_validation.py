"""The reproducers of issue 14: bad input never yields a number, a hang or a deep numpy error.

Each case was found by feeding bad values to the public API; before the shared argument checks
(``nhtopo_lib/_validate.py``) it hung, returned a wrong/NaN number or raised the wrong exception.
Refusals must be ValueError/TypeError with a message naming the parameter, and fast (every call
here is timed).  The broader, generated corpus is tests/test_fuzz_api.py.
"""
import time

import numpy as np
import pytest

import nhtopo_lib as nl
import nhtopo_lib.learning as ml


def refuse(exc, match, fn, *args, limit=5.0, **kwargs):
    """Call ``fn`` and require a quick ``exc`` whose message matches ``match``."""
    t0 = time.perf_counter()
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)
    assert time.perf_counter() - t0 < limit, f"{fn.__name__} took {time.perf_counter() - t0:.1f} s to refuse"


def _sampler(rng, n):
    return rng.uniform(-2, 2, size=(n, 2))


def _dist(p):
    return nl.distance_to_lines(p, nl.nh_ssh_phase_boundaries())


# ----------------------------------------------------------------------------- hangs, unbounded work
@pytest.mark.parametrize("ratio", [0, -1, np.nan, 1e-300])
def test_rejection_sampling_cannot_loop_forever(ratio):
    rng = np.random.default_rng(0)
    refuse(ValueError, "max_aspect_ratio", ml.hatano_nelson_configurations, 1, 4, rng, max_aspect_ratio=ratio)
    refuse(ValueError, "near_gap_ratio", ml.hatano_nelson_dataset, [1], 4, 0, near_gap_fraction=0.5,
           near_gap_ratio=ratio)


def test_sample_threshold_sets_refuses_empty_batches():
    rng = np.random.default_rng(0)
    refuse(ValueError, "batch", nl.sample_threshold_sets, _sampler, _dist, 0.2, n_train=5, n_val=2, n_test=2,
           rng=rng, batch=0)
    refuse(ValueError, "sampler", nl.sample_threshold_sets, lambda r, n: np.zeros((0, 2)), _dist, 0.2, n_train=5,
           n_val=2, n_test=2, rng=rng)


def test_size_caps_refuse_fast_with_the_cost():
    hn = nl.hatano_nelson(0.5, 1.0)
    ssh = nl.nh_ssh_yao_wang(1.1, 4 / 3, 1.0)
    hab, hba = {0: 1.1 + 2 / 3, -1: 1.0}, {0: 1.1 - 2 / 3, 1: 1.0}
    refuse(ValueError, r"n_cells=10000000 needs .*PiB", hn.obc_matrix, 10 ** 7)
    refuse(ValueError, "points_per_loop", nl.gbz_invariant, hab, hba, points_per_loop=10 ** 7)
    refuse(ValueError, "n_theta", nl.solve_gbz, ssh, n_theta=10 ** 7)
    refuse(ValueError, "n_init", nl.track_bands, nl.pt_three_band_chain(1.0, 1.3, 2.0), n_init=10 ** 7)
    refuse(ValueError, "L=10000000", nl.aah_obc_eigvals, 0.5, 0.3, 0.1, L=10 ** 7)
    refuse(ValueError, "n_cells", nl.zero_mode_count, hab, hba, n_cells=10 ** 7)
    refuse(ValueError, "max_refinements", nl.gbz_invariant, hab, hba, max_refinements=40)


def test_gap_closing_is_refused_from_the_root_gap_before_tracing_a_gbz():
    refuse(ValueError, "gap closing", nl.gbz_invariant, {1: 1.15, -2: 0.82, -1: 0.82}, {2: -0.7, -2: 0.82},
           limit=3.0)
    refuse(ValueError, "gap closing", nl.pole_zero_invariant, {1: 1.15, -2: 0.82, -1: 0.82}, {2: -0.7, -2: 0.82})


def test_summed_winding_batch_enforces_at_most_six_bands():
    J = 8
    H = nl.multiband_nn_bloch(np.ones(J), 0.5 * np.ones(J), np.zeros(J), np.exp(2j * np.pi * np.arange(8) / 8))
    refuse(ValueError, "J=8", nl.summed_winding_batch, H)


# ----------------------------------------------------------------------------- silent wrong answers
@pytest.mark.parametrize("mu", [1, 7, 31, 63, 64, 100])
def test_det_winding_does_not_alias(mu):
    """The exact winding of the Hatano--Nelson loop is +mu for |t_l| > |t_r| (argument principle: independent)."""
    hn = nl.hatano_nelson(0.5, 1.0, mu=mu)
    assert nl.det_winding_roots(hn, 0.0) == mu
    assert nl.det_winding(hn, 0.0) == mu
    assert nl.det_winding(nl.hatano_nelson(1.0, 0.5, mu=mu), 0.0) == -mu


def test_det_winding_and_adaptive_winding_refuse_what_they_cannot_resolve():
    hn = nl.hatano_nelson(0.5, 1.0)
    refuse(ValueError, "n_init", nl.det_winding, hn, 0.0, n_init=1)
    refuse(ValueError, "max_step", nl.adaptive_winding, lambda t: np.exp(3j * t), max_step=10, n_init=4)
    refuse(ValueError, "n_init", nl.adaptive_winding, lambda t: np.exp(3j * t), n_init=2)
    refuse(ValueError, "closed", nl.adaptive_winding, lambda t: np.exp(0.5j * t))
    refuse(ValueError, "t_range", nl.adaptive_winding, lambda t: np.exp(1j * t), t_range=(0, 0))
    # a correctly sampled curve still works, including a fast one started from few points
    assert nl.adaptive_winding(lambda t: np.exp(3j * t), n_init=4) == 3


def test_det_winding_matches_roots_on_multiband_chains_with_long_hops():
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(12):
        J = int(rng.integers(1, 4))
        c = nl.Chain({n: rng.normal(size=(J, J)) + 1j * rng.normal(size=(J, J)) for n in (-5, -1, 0, 3)})
        EB = complex(rng.normal(), rng.normal())
        try:
            w = nl.det_winding_roots(c, EB)
        except ValueError:
            continue
        assert nl.det_winding(c, EB) == w
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("call", [
    lambda: nl.off_diagonal_chain({1.5: 1, -1: 2}, {0: 1, 1: 2}),
    lambda: nl.LaurentPoly([1.0, 2.0], low=1.5),
    lambda: ml.laurent_band_configurations(4, np.random.default_rng(0), powers=(1.5,)),
    lambda: ml.hatano_nelson_configurations(1.5, 4, np.random.default_rng(0)),
    lambda: nl.Chain({1.5: 1.0, 0: 0.5}),
])
def test_non_integer_powers_are_refused(call):
    with pytest.raises((ValueError, TypeError), match="integer"):
        call()


@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e300])
def test_hatano_nelson_winding_refuses_non_finite_and_huge_parameters(bad):
    if np.isfinite(bad):
        with pytest.raises(ValueError, match="mu"):
            nl.hatano_nelson_winding(0.5, 1.0, mu=bad)
        return
    with pytest.raises(ValueError, match="t_r"):
        nl.hatano_nelson_winding(bad, 1.0)
    with pytest.raises(ValueError, match="mu"):
        nl.hatano_nelson_winding(0.5, 1.0, mu=bad)


@pytest.mark.parametrize("call, name", [
    (lambda: nl.aah_phase_boundary(0.5, 0.5, 0.0, t=np.nan), "t"),
    (lambda: nl.aah_analytic_winding(np.nan, 0.3, 0.2, 0.0), "V1"),
    (lambda: nl.pt_three_band_summed_winding(np.nan, 0.5, 0.3), "t"),
    (lambda: nl.m_sphere(np.nan), "M"),
    (lambda: nl.isolated_edge_states(nl.pt_three_band_chain(1.0, 1.3, 2.0), gamma_min=np.nan), "gamma_min"),
    (lambda: nl.check_hermitian(np.eye(2), atol=np.nan), "atol"),
    (lambda: nl.recommended_bits(-1000, 0.5), "n_cells"),
    (lambda: nl.certified_roots([0, 0, 0]), "coeffs"),
    (lambda: ml.TrainingConfig(lr=np.nan), "lr"),
    (lambda: ml.TrainingConfig(lr=-1), "lr"),
    (lambda: nl.hatano_nelson(1, 1, mu=2).bloch(1e200), "beta"),
    (lambda: nl.aah_ring_matrix(0.5, 0.3, 1e300, 0.0), "alpha"),
])
def test_nan_and_overflow_no_longer_pass_through(call, name):
    with pytest.raises(ValueError) as info:
        call()
    assert name in str(info.value)


def test_m_sphere_keeps_its_documented_poles():
    assert np.allclose(nl.m_sphere(np.inf), [0, 0, 1]) and np.allclose(nl.m_sphere(0.0), [0, 0, -1])


def test_summed_winding_refuses_an_unresolvable_k0():
    refuse(ValueError, "k0", nl.summed_winding, nl.pt_three_band_chain(1.0, 1.3, 2.0), -1.0, k0=1e17)


def test_band_touching_is_not_taken_for_an_exceptional_point():
    """A Hermitian chain with a doubled unit cell: its bands touch at k = pi with independent eigenvectors.

    The isolated-edge count (open chains, independent) is 0, the sub-chain criterion refuses the point;
    the star windings must refuse too instead of returning [1, 0, 0, 1].
    """
    ch = nl.multiband_nn_chain([1, 0.3, 1, 0.3], [1, 0.3, 1, 0.3], [0] * 4)
    assert nl.isolated_edge_count(ch) == 0
    with pytest.raises(ValueError, match="transition"):
        nl.subchain_edge_count(ch, 0.0)
    refuse(ValueError, "touch", nl.msr_windings, ch, 0.0)
    refuse(ValueError, "touch", nl.summed_winding, ch, 0.0)


def test_exceptional_points_still_pass():
    """Genuine EPs (coalescing eigenvectors) keep the ordered exchange: the chapter's EP chain."""
    ch = nl.pt_three_band_chain(1.0, np.sqrt(2.0), 2.0)
    tr = nl.track_bands(ch, 0.0)
    assert tr.exceptional
    assert nl.summed_winding(ch, 0.0) == nl.pt_three_band_summed_winding(1.0, np.sqrt(2.0), 2.0)


# ----------------------------------------------------------------------------- wrong exception type / message
@pytest.mark.parametrize("call, name", [
    (lambda: nl.det_winding(None, 0.0), "chain"),
    (lambda: nl.obc_spectrum(None, 10), "chain"),
    (lambda: nl.certified_zero_modes(None, 10), "chain"),
    (lambda: nl.off_diagonal_chain(None, {0: 1}), "h_ab"),
    (lambda: nl.Chain({"1": 1, 0: 0.5}), "blocks"),
    (lambda: nl.solve_gbz("chain"), "chain"),
])
def test_wrong_types_get_a_type_error_naming_the_parameter(call, name):
    with pytest.raises(TypeError) as info:
        call()
    assert name in str(info.value)


def test_mappings_are_accepted_where_a_chain_is_expected():
    blocks = {-1: 0.5, 1: 1.0}
    assert nl.det_winding(blocks, 0.0) == nl.det_winding(nl.Chain(blocks), 0.0) == 1
    refuse(ValueError, "no GBZ", nl.solve_gbz, {0: np.eye(2)})


@pytest.mark.parametrize("call, name", [
    (lambda: nl.hatano_nelson(0.5, 1.0).obc_matrix(np.inf), "n_cells"),
    (lambda: nl.gbz_invariant({0: 0.5, -1: 1}, {0: 0.5, 1: 1}, max_refinements=-1), "max_refinements"),
    (lambda: nl.pole_zero_invariant_batch([], [], 0, 0), "ab_coeffs"),
    (lambda: ml.laurent_windings([], -1), "coeffs"),
    (lambda: nl.track_bands(nl.pt_three_band_chain(1.0, 1.3, 2.0), n_init=0), "n_init"),
    (lambda: nl.hatano_nelson(0.5, 1.0, mu=np.inf), "mu"),
])
def test_bad_sizes_and_empty_inputs_get_a_value_error(call, name):
    with pytest.raises(ValueError) as info:
        call()
    assert name in str(info.value)


def test_training_refuses_empty_sets_bad_labels_and_divergence(tmp_path):
    data = ml.hatano_nelson_configurations(1, 16, np.random.default_rng(0), L=8)
    cfg = ml.TrainingConfig(max_epochs=2, progress=False, batch_size=4)
    net = ml.WindingCNN(8, kernels=4)
    with pytest.raises(ValueError, match="non-empty"):
        ml.train(net, data.x[:0], data.y[:0], data.x, data.y, cfg)
    with pytest.raises(ValueError, match="train_y"):
        ml.train(net, data.x, data.y[:3], data.x, data.y, cfg)
    with pytest.raises(ValueError, match="train_x"):
        ml.train(net, data.x[:, :5], data.y, data.x, data.y, cfg)
    clf = ml.WindingCNN.classifier(2, L=8)
    with pytest.raises(ValueError, match="class indices"):
        ml.train(clf, data.x, np.full(16, 5), data.x, np.zeros(16, int),
                 ml.TrainingConfig(loss="ce_bits", max_epochs=1, progress=False))
    with pytest.raises(ValueError, match="diverged"):
        ml.train(net, data.x, data.y, data.x, data.y,
                 ml.TrainingConfig(max_epochs=5, progress=False, lr=1e30, batch_size=4))
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match="path"):
        ml.load_model(garbage)
    with pytest.raises(ValueError, match="path"):
        ml.load_model(tmp_path / "missing.pt")


def test_valid_inputs_are_unchanged_by_the_checks():
    """Integral floats and numpy integers stay accepted, as before."""
    hn = nl.hatano_nelson(0.5, 1.0, mu=np.int64(2))
    assert hn.obc_matrix(4.0).shape == (4, 4)
    assert nl.hatano_nelson_winding(np.array([0.5, 2.0]), 1.0, mu=3).tolist() == [3, -3]


def test_learn_transition_checks_its_arguments_before_training():
    sets = nl.sample_threshold_sets(_sampler, _dist, 0.2, n_train=8, n_val=4, n_test=4,
                                    rng=np.random.default_rng(0), batch=100)
    cut = np.column_stack([np.zeros(5), np.linspace(-1.7, 1.7, 5)])
    from nhtopo_lib.transitions import learn_transition, nh_ssh_configurations

    ok = dict(encode=nh_ssh_configurations, sets=sets, cut_params=cut, cut_x=cut[:, 1], classes=(0.0, 0.5, -0.5))
    for bad, name in [(dict(sets="x"), "sets"), (dict(classes=(0.0,)), "classes"), (dict(classes=(0.0, 0.0)), "classes"),
                      (dict(seeds=[-1]), "seeds"), (dict(seeds=[]), "seed"), (dict(L=1), "L"),
                      (dict(refit_below=np.nan), "refit_below"), (dict(max_restarts=-1), "max_restarts"),
                      (dict(cut_x=cut[:3, 1]), "cut_x"), (dict(encode=None), "encode"),
                      (dict(config="x"), "config")]:
        with pytest.raises((ValueError, TypeError)) as info:
            learn_transition(**{**ok, **bad})
        assert name in str(info.value), (bad, str(info.value))
