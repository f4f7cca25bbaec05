"""nhtopo_lib.learning: data and labels, architectures, training engine, refusals, persistence."""
import numpy as np
import pytest
import torch

import nhtopo_lib as nl
import nhtopo_lib.learning as ml


def octagon(w=1, L=8, base=0.0, r=1.0):
    k = 2 * np.pi * np.arange(L + 1) / L
    return base + r * np.exp(1j * w * k)


# ------------------------------------------------------------------- data and labels
def test_encode_hand_computed_square_and_octagon():
    z = np.array([2, 2j, -2, -2j, 2], dtype=complex)         # a square around 0, once counter-clockwise
    x, w = ml.encode_curves(z[None], max_step=np.pi / 2 + 1e-9)
    assert w.tolist() == [1]
    assert np.allclose(x[0], [[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], atol=1e-7)
    x, w = ml.encode_curves(np.stack([octagon(1), octagon(-1), octagon(1, base=3.0), octagon(2, L=16)[:9]]),
                            max_step=np.pi / 2 + 1e-9)
    assert w.tolist() == [1, -1, 0, 1]   # last: e^{2ik} for k in [0, pi] closes after one turn
    assert x.dtype == np.float32 and x.shape == (4, 9, 2)
    assert np.allclose(np.hypot(x[..., 0], x[..., 1]), 1.0, atol=1e-6)


def test_unit_modulus_features_shift_base():
    z = np.array([[3 + 1j, 2 + 2j, 1 + 1j, 2 + 0j, 3 + 1j]])
    x = ml.unit_modulus_features(z, base=2 + 1j)
    assert np.allclose(x[0], [[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], atol=1e-7)


def test_hatano_nelson_hand_cases_and_closed_form():
    # |t_l| > |t_r|: counter-clockwise mu times
    k = 2 * np.pi * np.arange(33) / 32
    for mu, tr, tl, w in [(1, 0.5, 1.0, 1), (2, 1.0, 0.5j, -2), (5, 0.3 * np.exp(1j), -0.9, 5)]:
        x, wd = ml.encode_curves(nl.hatano_nelson_energy(k, tr, tl, mu)[None], max_step=ml.HN_MAX_STEP)
        assert wd.tolist() == [w]
        assert nl.hatano_nelson_winding(tr, tl, mu) == w
    rng = np.random.default_rng(1)
    d = ml.hatano_nelson_configurations(3, 500, rng)
    assert d.x.shape == (500, 33, 2) and set(np.unique(d.y)) == {-3.0, 3.0}
    assert np.array_equal(d.y, nl.hatano_nelson_winding(d.meta["t_r"], d.meta["t_l"], 3))
    # the stored features are the normalised closed-form curve, and the library winding agrees
    E = nl.hatano_nelson_energy(k, d.meta["t_r"], d.meta["t_l"], 3)
    assert np.allclose(d.x[..., 0] + 1j * d.x[..., 1], E / np.abs(E), atol=1e-6)
    assert np.array_equal(nl.winding_number(E, max_step=ml.HN_MAX_STEP), d.y.astype(int))
    # the terms of the discrete formula sum to 2 pi w
    assert np.allclose(ml.exact_phase_steps(d.x).sum(axis=1), 2 * np.pi * d.y, atol=1e-4)


def test_dataset_balance_and_reproducibility():
    a = ml.hatano_nelson_dataset([1, 2, 3], 1000, seed=7)
    b = ml.hatano_nelson_dataset([1, 2, 3], 1000, seed=7)
    c = ml.hatano_nelson_dataset([1, 2, 3], 1000, seed=8)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)
    vals, counts = np.unique(a.y, return_counts=True)
    assert vals.tolist() == [-3, -2, -1, 1, 2, 3] and set(counts) == {500}
    p1, p2 = ml.split_configurations(a, [2000, 1000], seed=0)
    assert len(p1) == 2000 and len(p2) == 1000
    both = np.concatenate([p1.meta["t_r"], p2.meta["t_r"]])
    assert len(np.unique(both)) == 3000                         # disjoint
    with pytest.raises(ValueError):
        ml.split_configurations(a, [2000, 1001], seed=0)


def test_near_gap_oversampling_and_aspect_ratio():
    assert np.allclose(ml.hatano_nelson_aspect_ratio([1.0, 0.5j, 1.0], [3.0, 0.5, 0.0]), [0.5, 0.0, 1.0])
    plain = ml.hatano_nelson_dataset([1, 2], 1000, seed=3)
    near = ml.hatano_nelson_dataset([1, 2], 1000, seed=3, near_gap_fraction=0.5)
    assert np.isclose(plain.meta["aspect_ratio"].min(), 0, atol=0.01)
    f_plain = np.mean(plain.meta["aspect_ratio"] < 0.1)
    f_near = np.mean(near.meta["aspect_ratio"] < 0.1)
    assert 0.12 < f_plain < 0.26 and f_near >= 0.5
    assert set(np.unique(near.y, return_counts=True)[1]) == {500}
    with pytest.raises(ValueError):
        ml.hatano_nelson_dataset([1], 10, seed=0, near_gap_fraction=1.5)


def test_laurent_windings_match_library_and_sampling():
    rng = np.random.default_rng(3)
    c = rng.normal(size=(200, 7)) + 1j * rng.normal(size=(200, 7))
    w = ml.laurent_windings(c, low=-3)
    ref = [nl.LaurentPoly(list(ci), low=-3).winding_on_circle() for ci in c]
    assert np.array_equal(w, ref)
    d = ml.laurent_band_configurations(60, np.random.default_rng(0), powers=(1, 2, 3))
    for i in range(60):                                         # independent: adaptive sampling of E(k)
        tr, tl = d.meta["t_r"][i], d.meta["t_l"][i]

        def E(k, tr=tr, tl=tl):
            return sum(tr[j] * np.exp(-1j * mu * k) + tl[j] * np.exp(1j * mu * k) for j, mu in enumerate((1, 2, 3)))

        assert nl.adaptive_winding(E, n_init=256) == d.y[i]
    resolved = d.meta["resolved"]
    assert np.array_equal(d.meta["w_discrete"][resolved], d.y[resolved])


def test_class_indices():
    assert ml.class_indices([0, 0.5, -0.5, 0.5], (0, 0.5, -0.5)).tolist() == [0, 1, 2, 1]
    with pytest.raises(ValueError, match="not among the classes"):
        ml.class_indices([1.0], (0, 0.5, -0.5))


# ------------------------------------------------------------------------ refusals
def test_refusals_of_bad_curves():
    with pytest.raises(ValueError, match="NaN"):
        ml.encode_curves(np.array([[1, 1j, np.nan, -1j, 1]]))
    with pytest.raises(ValueError, match="NaN"):
        ml.unit_modulus_features(np.array([1, np.inf]))
    with pytest.raises(ValueError, match="sample more points"):       # steps of 3 pi/4 > pi/2
        ml.encode_curves(octagon(3)[None])
    with pytest.raises(ValueError, match="base point"):
        ml.encode_curves(octagon(1, base=1.0)[None])                  # passes through 0
    with pytest.raises(ValueError, match="endpoint"):
        ml.encode_curves(octagon(1)[None, :-1] * np.exp(0.1j))         # last point does not repeat the first
    with pytest.raises(ValueError, match="under-resolved"):
        ml.hatano_nelson_configurations(16, 10, np.random.default_rng(0), L=32)
    x, w = ml.encode_curves(octagon(3)[None], on_unresolved="nan")
    assert np.isnan(w[0])


def test_refusals_of_bad_network_input():
    cnn, fcnn = ml.WindingCNN(), ml.WindingFCNN()
    bad = np.zeros((3, 33, 2), dtype=np.float32)
    bad[1, 4, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ml.cnn_input(bad)
    with pytest.raises(ValueError, match="NaN"):
        ml.predict(cnn, bad)
    with pytest.raises(ValueError, match="NaN"):
        ml.predict(fcnn, torch.from_numpy(bad.reshape(3, -1)))
    with pytest.raises(ValueError, match="built for L = 32"):
        cnn(torch.zeros(2, 1, 17, 2))
    with pytest.raises(ValueError, match="shape"):
        fcnn(torch.zeros(2, 64))
    with pytest.raises(ValueError, match="NaN"):
        ml.train(cnn, np.zeros((4, 33, 2)), [1, 1, np.nan, 1], np.zeros((2, 33, 2)), [1, 1],
                 ml.TrainingConfig(max_epochs=1, progress=False))
    with pytest.raises(ValueError, match="class indices"):
        ml.train(ml.WindingCNN.classifier(2), np.zeros((2, 33, 2)), [0.5, 0.0], np.zeros((2, 33, 2)),
                 [0, 1], ml.TrainingConfig(loss="ce_bits", max_epochs=1, progress=False))


# ----------------------------------------------------------------------- networks
def test_parameter_counts_of_the_paper():
    assert ml.count_parameters(ml.WindingCNN(32)) == 262
    assert ml.count_parameters(ml.WindingFCNN(32)) == 2213
    assert ml.count_parameters(ml.WindingCNN.classifier(3, 32)) == 772
    assert ml.count_parameters(ml.WindingCNN.classifier(2, 32)) == 755


def test_cnn_is_the_convolution_of_the_paper():
    torch.manual_seed(0)
    m = ml.init_weights(ml.WindingCNN(), seed=0)
    d = ml.hatano_nelson_dataset([2], 50, seed=0)
    x = ml.cnn_input(d.x)
    ref = torch.relu(m.conv2(torch.relu(m.conv1(x))))               # nn.Conv2d, shape (B, 1, 32, 1)
    assert ref.shape == (50, 1, 32, 1)
    assert torch.allclose(ref.flatten(1), m.conv_activations(x), atol=1e-6)
    assert torch.allclose(m(x), m.fc2(torch.relu(m.fc1(ref.flatten(1)))).squeeze(-1), atol=1e-6)
    # the FCNN sees the same numbers, flattened row by row
    xf = ml.fcnn_input(d.x)
    assert xf.shape == (50, 66) and torch.equal(xf.reshape(50, 33, 2), x[:, 0])


def test_init_is_xavier_normal_with_zero_bias():
    m = ml.init_weights(ml.WindingFCNN(), seed=0)
    first = m.net[0]
    assert torch.all(first.bias == 0)
    std = float(first.weight.detach().std())
    assert abs(std - np.sqrt(2.0 / (66 + 32))) < 0.02


# ----------------------------------------------------------------------- training
@pytest.fixture(scope="module")
def small_data():
    return ml.hatano_nelson_dataset([1, 2], 400, seed=0), ml.hatano_nelson_dataset([1, 2], 100, seed=1)


def _flat(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def test_same_seed_same_weights_and_engines_agree(small_data):
    tr, va = small_data
    nets = []
    for seed, engine in [(3, "fast"), (3, "fast"), (3, "autograd"), (4, "fast")]:
        m = ml.WindingCNN()
        ml.train(m, tr.x, tr.y, va.x, va.y, ml.TrainingConfig(max_epochs=2, seed=seed, engine=engine,
                                                              progress=False))
        nets.append(_flat(m))
    assert torch.equal(nets[0], nets[1])                      # same seed: identical weights
    assert torch.allclose(nets[0], nets[2], atol=1e-5)        # hand-written backward == autograd
    assert not torch.allclose(nets[0], nets[3])               # another seed: other weights
    lin = []
    for engine in ("fast", "autograd"):                      # the linear-hidden-layer variant as well
        m = ml.WindingCNN(hidden_relu=False)
        ml.train(m, tr.x, tr.y, va.x, va.y, ml.TrainingConfig(max_epochs=1, seed=0, engine=engine, progress=False))
        lin.append(_flat(m))
    assert torch.allclose(lin[0], lin[1], atol=1e-5)
    f1, f2 = ml.WindingFCNN(), ml.WindingFCNN()
    for m, engine in [(f1, "fast"), (f2, "autograd")]:
        ml.train(m, tr.x, tr.y, va.x, va.y, ml.TrainingConfig(max_epochs=2, seed=0, engine=engine, progress=False))
    assert torch.allclose(_flat(f1), _flat(f2), atol=1e-5)


def test_classifier_training_engines_agree_and_loss_in_bits(small_data):
    tr, va = small_data
    yt, yv = (tr.y > 0).astype(int), (va.y > 0).astype(int)
    out = []
    for engine in ("fast", "autograd"):
        m = ml.WindingCNN.classifier(2)
        r = ml.train(m, tr.x, yt, va.x, yv, ml.TrainingConfig(loss="ce_bits", max_epochs=2, engine=engine,
                                                              progress=False))
        out.append((_flat(m), r))
    assert torch.allclose(out[0][0], out[1][0], atol=1e-5)
    # before learning anything a 2-class network is near 1 bit of cross-entropy
    m = ml.init_weights(ml.WindingCNN.classifier(2), 0)
    p = ml.predict(m, va.x)
    ce_bits = -np.mean(np.log2(p[np.arange(len(yv)), yv]))
    assert 0.5 < ce_bits < 2.0
    assert np.allclose(p.sum(axis=1), 1.0)


def test_training_learns_restores_best_and_stops_early(small_data):
    tr, va = small_data
    m = ml.WindingCNN()
    r = ml.train(m, tr.x, tr.y, va.x, va.y, ml.TrainingConfig(max_epochs=25, early_stopping_patience=3,
                                                              batch_size=32, progress=False))
    assert len(r.history["train"]) == len(r.history["val"]) == r.epochs_run
    assert r.history["val"][r.best_epoch - 1] == r.best_val_loss == min(r.history["val"])
    assert r.history["train"][-1] < r.history["train"][0]
    w_tilde = ml.predict(m, va.x)
    val_mse = float(np.mean((w_tilde - va.y) ** 2))
    assert abs(val_mse - r.best_val_loss) < 1e-4               # the best weights were restored
    assert r.stopped_early == (r.epochs_run < 25)


def test_cosine_schedule_and_config_refusals(small_data):
    tr, va = small_data
    r = ml.train(ml.WindingFCNN(), tr.x, tr.y, va.x, va.y,
                 ml.TrainingConfig(max_epochs=4, lr_schedule="cosine", early_stopping_patience=100, progress=False))
    lr = r.history["lr"]
    assert lr[0] == 1e-3 and all(a > b for a, b in zip(lr, lr[1:]))
    for bad in [dict(loss="l1"), dict(lr_schedule="step"), dict(engine="jit"), dict(batch_size=0)]:
        with pytest.raises(ValueError):
            ml.TrainingConfig(**bad)


def test_save_load_round_trip(tmp_path, small_data):
    tr, va = small_data
    for m in (ml.init_weights(ml.WindingCNN(), 1), ml.init_weights(ml.WindingFCNN(), 1),
              ml.init_weights(ml.WindingCNN(hidden_relu=False), 1),
              ml.init_weights(ml.WindingCNN.classifier(3), 1)):
        path = ml.save_model(m, tmp_path / "net.pt", note="test", accuracy=0.5)
        m2, meta = ml.load_model(path)
        assert type(m2) is type(m) and meta == {"note": "test", "accuracy": 0.5}
        assert np.array_equal(ml.predict(m, va.x), ml.predict(m2, va.x))
    with pytest.raises(ValueError):
        ml.save_model(torch.nn.Linear(2, 2), tmp_path / "x.pt")


# --------------------------------------------------------------------- evaluation
def test_evaluation_helpers():
    pred = np.array([1, 1, -1, 2, -2, 3])
    true = np.array([1, -1, -1, 2, 2, 3])
    assert ml.accuracy_by_label(pred, true) == {-1.0: 0.5, 1.0: 1.0, 2.0: 0.5, 3.0: 1.0}
    assert ml.accuracy_by_abs_label(pred, true) == {1.0: 2 / 3, 2.0: 0.5, 3.0: 1.0}
    assert ml.predicted_winding([0.49, 0.51, -2.6]).tolist() == [0, 1, -3]
    dens = ml.prediction_density([0.9, 1.1, 1.05, 2.0], [1, 1, 1, 2], bins=np.linspace(0, 3, 7))
    assert np.isclose(dens[1.0].sum(), 1.0) and np.isclose(dens[2.0].sum(), 1.0)
    x = np.linspace(-1, 1, 50)
    s, c, r2 = ml.linear_fit(x, 3 * x + 1)
    assert np.isclose(s, 3) and np.isclose(c, 1) and np.isclose(r2, 1)
    assert ml.linear_fit(x, np.cos(40 * x))[2] < 0.2


def test_sum_readout_equals_network_for_uniform_dense_layer(small_data):
    _, va = small_data
    m = ml.init_weights(ml.WindingCNN(), 2)
    with torch.no_grad():
        m.fc1.weight[:] = torch.tensor([[0.3], [-0.2]])         # rows of equal weights
        m.fc1.bias[:] = torch.tensor([0.5, 2.0])
    assert np.allclose(ml.sum_readout_predict(m, va.x), ml.predict(m, va.x), atol=1e-5)
    # and it accepts curves with another number of points
    d64 = ml.hatano_nelson_dataset([1], 10, seed=0, L=64)
    assert ml.sum_readout_predict(m, d64.x).shape == (10,)
    assert ml.conv_activations(m, d64.x).shape == (10, 64)


def test_plateau_schedule_matches_torch():
    from nhtopo_lib.learning import _PlateauSchedule

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=1e-3)
    ref = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=3)
    ours, lr = _PlateauSchedule(0.1, 3), 1e-3
    losses = [1.0, 0.9, 0.95, 0.9, 0.9, 0.91, 0.9, 0.89999, 0.92, 0.93, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    for v in losses:
        ref.step(v)
        lr = ours.step(v, lr)
        assert np.isclose(lr, opt.param_groups[0]["lr"], rtol=1e-12)
    assert lr < 1e-4


def test_amplitude_phases_choices():
    rng_args = dict(size=2000, modulus_range=(0.0, 1.0))
    z_u = ml.sample_complex_amplitudes(np.random.default_rng(7), **rng_args)
    z_r = ml.sample_complex_amplitudes(np.random.default_rng(7), phases="real", **rng_args)
    z_p = ml.sample_complex_amplitudes(np.random.default_rng(7), phases="positive", **rng_args)
    assert np.allclose(np.abs(z_u), np.abs(z_r)) and np.allclose(np.abs(z_u), np.abs(z_p))
    assert np.all(z_p.imag == 0) and np.all(z_p.real > 0)
    assert np.all(z_r.imag == 0) and 0.4 < np.mean(z_r.real < 0) < 0.6
    assert np.ptp(np.angle(z_u)) > 6.0
    with pytest.raises(ValueError, match="phases"):
        ml.sample_complex_amplitudes(np.random.default_rng(0), 3, phases="imaginary")
    # labels of real-amplitude data still follow the closed form sign(|t_l| - |t_r|) * mu
    d = ml.hatano_nelson_dataset([2, 3], 200, seed=3, phases="real")
    tr, tl = d.meta["t_r"], d.meta["t_l"]
    assert np.all(tr.imag == 0) and np.all(tl.imag == 0)
    assert np.array_equal(d.y, np.sign(np.abs(tl) - np.abs(tr)) * d.meta["mu"])
    # real amplitudes: every ellipse starts on the real axis (E(0) = t_r + t_l is real)
    assert np.allclose(d.x[:, 0, 1], 0.0, atol=1e-7)


def test_ramp_limited_windings_hand_case_and_limits():
    # a three-step loop with angles 0, 2.9, 5.8 (w = 1): two steps of 2.9 rad, deficit pi - 2.9
    ang = np.array([0.0, 2.9, 5.8, 2 * np.pi])
    x = np.stack([np.cos(ang), np.sin(ang)], -1)[None].astype(np.float32)
    assert np.isclose(ml.ramp_limited_windings(x, 1e-3)[0], 1.0, atol=1e-6)      # below every deficit: exact
    dfc = np.pi - 2.9
    expected = (2 * 2.9 * dfc / 0.5 + (2 * np.pi - 5.8)) / (2 * np.pi)         # both big steps on the ramp
    assert np.isclose(ml.ramp_limited_windings(x, 0.5)[0], expected, atol=1e-6)
    assert round(expected) == 1 and round(ml.ramp_limited_windings(x, 1.5)[0]) == 0
    with pytest.raises(ValueError, match="width"):
        ml.ramp_limited_windings(x, 0.0)


def test_pair_step_response_is_the_networks_sum_over_steps():
    m = ml.init_weights(ml.WindingCNN(hidden_relu=False), 4)
    with torch.no_grad():
        m.fc1.weight[:] = torch.tensor([[0.3], [-0.2]])              # uniform rows: omega_n = omega
        m.fc1.bias[:] = torch.tensor([0.5, 2.0])
    L = 32
    k = 2 * np.pi * np.arange(L + 1) / L
    circle = ml.unit_modulus_features(np.exp(1j * k)[None])            # steps 2 pi/32 from directions 2 pi n/32
    resp = ml.pair_step_response(m, [2 * np.pi / L], n_directions=L)
    bias = float((m.fc2.weight @ m.fc1.bias + m.fc2.bias).detach())
    assert np.isclose(resp.sum() + bias, ml.predict(m, circle)[0], atol=1e-4)
    assert ml.pair_step_response(m, [-1.0, 0.0, 3.0], n_directions=5).shape == (5, 3)
    with pytest.raises(ValueError, match="linear hidden layer"):
        ml.pair_step_response(ml.WindingCNN(), [0.1])
    with pytest.raises(ValueError, match="inside"):
        ml.pair_step_response(m, [np.pi])


def test_antipodal_step_error_range_and_refusals():
    m = ml.init_weights(ml.WindingCNN(hidden_relu=False), 5)
    e = ml.antipodal_step_error(m, [1e-3, 0.1, 1.0], n_directions=24)
    assert e.shape == (3,) and np.all(np.isfinite(e))
    # an untrained network cannot resolve a step 1e-3 short of pi: the error is close to 1/2 of a winding
    # up to its (small, random) slope; the exact rule would give 0
    assert abs(e[0] - 0.5) < 0.1
    with pytest.raises(ValueError, match="deficits"):
        ml.antipodal_step_error(m, [0.0])


def test_shipped_long_training_weights_load():
    """book/data/hn_cnn_long.pt (scripts/hn_train_long.py) is the 262-parameter variant with its recipe."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "book" / "data" / "hn_cnn_long.pt"
    model, meta = ml.load_model(path)
    assert isinstance(model, ml.WindingCNN) and ml.count_parameters(model) == 262
    assert model.config["hidden_relu"] is False and model.task == "regression"
    assert meta["recipe"]["epochs"] >= 1000 and meta["recipe"]["lr_schedule"] == "cosine"
    assert meta["val_mse"] < 0.05 and meta["seconds"] > 0
    # the weights give windings: a clean circle of winding -2 and one of +3 are counted right
    k = 2 * np.pi * np.arange(33) / 32
    x = ml.unit_modulus_features(np.stack([np.exp(-2j * k), 0.3 * np.exp(3j * k + 0.4)]))
    assert ml.predicted_winding(ml.predict(model, x)).tolist() == [-2, 3]


def test_step_error_windings_hand_case():
    ang = np.array([0.0, 2.9, 5.8, 2 * np.pi])          # steps 2.9, 2.9, 0.483: w = 1, deficits 0.2416
    x = np.stack([np.cos(ang), np.sin(ang)], -1)[None].astype(np.float32)
    d, e = np.array([0.1, 1.0]), np.array([0.4, 0.0])
    # at d = 0.2416 the profile interpolates in log d: 0.4 * (1 - log(2.416) / log(10)); step 0.483 has
    # deficit 2.66 > 1, hence no error
    err = 0.4 * (1 - np.log(0.2416 / 0.1) / np.log(10))
    assert np.isclose(ml.step_error_windings(x, d, e)[0], 1.0 - 2 * err, atol=1e-4)
    assert np.isclose(ml.step_error_windings(x, d, 0 * e)[0], 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="increasing"):
        ml.step_error_windings(x, d[::-1], e)


def test_direction_dependent_fit_recovers_a_direction_dependent_rule():
    rng = np.random.default_rng(0)
    th, d = rng.uniform(-np.pi, np.pi, 4000), rng.uniform(-3, 3, 4000)
    a = 0.3 * np.cos(th) + (1 + 0.2 * np.sin(2 * th)) * d
    assert ml.direction_dependent_fit(th, d, a, harmonics=2) == pytest.approx(1.0, abs=1e-10)
    _, _, r2_plain = ml.linear_fit(d, a)
    assert r2_plain < 0.99
    with pytest.raises(ValueError, match="one shape"):
        ml.direction_dependent_fit(th, d[:10], a)
    with pytest.raises(ValueError, match="finite"):
        ml.direction_dependent_fit(th, d, np.where(th > 0, np.nan, a))


def test_paper_sets_and_networks_are_reproducible():
    tr, va, te = ml.hatano_nelson_paper_sets(test_mus=(1, 4), n_train_per_mu=60, n_val_per_mu=30,
                                             n_test_per_sign=10)
    assert len(tr) == 180 and len(va) == 90 and sorted(te) == [1, 4] and len(te[4]) == 20
    assert set(np.abs(te[4].y)) == {4.0} and set(np.abs(tr.y)) == {1.0, 2.0, 3.0}
    tr2, _, _ = ml.hatano_nelson_paper_sets(test_mus=(1,), n_train_per_mu=60, n_val_per_mu=30,
                                            n_test_per_sign=10)
    assert np.array_equal(tr.x, tr2.x)
    names = ml.HN_PAPER_NETWORKS[1:]
    nets, res = ml.train_paper_networks(tr, va, names, max_epochs=2, seed=3)
    nets2, _ = ml.train_paper_networks(tr, va, names, max_epochs=2, seed=3)
    for n in names:
        assert res[n].epochs_run == 2
        assert np.array_equal(ml.predict(nets[n], te[1].x), ml.predict(nets2[n], te[1].x))
    assert not nets[names[0]].config["hidden_relu"]
    with pytest.raises(ValueError, match="unknown network"):
        ml.train_paper_networks(tr, va, ["CNN2"])
