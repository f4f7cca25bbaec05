"""nhtopo_lib.learning: the winding networks that count by construction (AntisymmetricWindingCNN and the
reversal-symmetric comparison): exact structural properties, determinism, refusals, persistence."""
from pathlib import Path

import numpy as np
import pytest
import torch

import nhtopo_lib.learning as ml

SHIPPED = Path(__file__).resolve().parents[1] / "book" / "data" / "winding_cnn_general.pt"
SYMMETRIES = [dict(), dict(rotations=4, reflection=True), dict(rotations=3)]


def random_curves(rng, n, P, closed=True):
    th = rng.uniform(0, 2 * np.pi, (n, P))
    if closed:
        th[:, -1] = th[:, 0]
    return ml.unit_modulus_features(np.exp(1j * th))


def net(seed=0, **kw):
    return ml.init_weights(ml.AntisymmetricWindingCNN(32, kernels=kw.pop("kernels", 16), **kw), seed)


@pytest.fixture(scope="module")
def small_hn():
    return ml.hatano_nelson_dataset([1, 2], 400, seed=5), ml.hatano_nelson_dataset([1, 2], 100, seed=6)


@pytest.mark.parametrize("sym", SYMMETRIES)
def test_step_rule_is_antisymmetric_for_random_pairs(sym):
    rng = np.random.default_rng(0)
    m = net(1, **sym)
    uv = random_curves(rng, 2000, 2, closed=False)                 # random (u, v) pairs
    g = ml.predict(m, uv)
    g_swapped = ml.predict(m, uv[:, ::-1].copy())
    assert np.max(np.abs(g)) > 0.01                                 # not trivially zero
    assert np.max(np.abs(g + g_swapped)) < 1e-6
    # whole curves: reversing the orientation flips the sign of the output
    x = random_curves(rng, 200, 33)
    assert np.max(np.abs(ml.predict(m, x) + ml.predict(m, x[:, ::-1].copy()))) < 1e-5
    # the output is the sum of the step contributions
    steps = m.step_contributions(ml.cnn_input(x)).detach().numpy()
    assert steps.shape == (200, 32)
    assert np.allclose(steps.sum(axis=1), ml.predict(m, x), atol=1e-5)


@pytest.mark.parametrize("sym", SYMMETRIES)
def test_constant_loop_gives_exactly_zero(sym):
    m = net(2, **sym)
    phis = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    for P in (2, 33, 129):
        still = ml.unit_modulus_features(np.exp(1j * phis)[:, None] * np.ones(P))
        assert np.all(ml.predict(m, still) == 0.0)
    # repeated points add nothing: doubling every sample leaves the output unchanged (to rounding)
    x = random_curves(np.random.default_rng(3), 100, 17)
    assert np.allclose(ml.predict(m, np.repeat(x, 2, axis=1)), ml.predict(m, x), atol=1e-5)


def test_direction_dependent_offsets_telescope():
    # kernels that see only the first point of a pair: h(u, v) = c(u), so g = c(u) - c(v), a pure offset
    m = net(4)
    with torch.no_grad():
        m.conv1.weight[:, :, 1, :] = 0.0
        m.conv1.bias.uniform_(-0.5, 0.5, generator=torch.Generator().manual_seed(0))
    rng = np.random.default_rng(4)
    closed, open_ = random_curves(rng, 300, 33), random_curves(rng, 300, 33, closed=False)
    assert np.max(np.abs(ml.predict(m, closed))) < 1e-5            # telescopes around every closed loop
    assert np.max(np.abs(ml.predict(m, open_))) > 0.01              # but not along open curves


def test_rotation_and_reflection_symmetry():
    rng = np.random.default_rng(5)
    th = rng.uniform(0, 2 * np.pi, (200, 33))
    th[:, -1] = th[:, 0]
    feats = {name: ml.unit_modulus_features(z) for name, z in
             [("x", np.exp(1j * th)), ("rot", np.exp(1j * (th + np.pi / 2))), ("conj", np.exp(-1j * th))]}
    sym = net(6, rotations=4, reflection=True)
    out = {k: ml.predict(sym, v) for k, v in feats.items()}
    assert np.max(np.abs(out["rot"] - out["x"])) < 1e-5            # invariant under a quarter turn
    assert np.max(np.abs(out["conj"] + out["x"])) < 1e-5           # conjugation reverses the winding
    plain = net(6)
    out = {k: ml.predict(plain, v) for k, v in feats.items()}
    assert np.max(np.abs(out["rot"] - out["x"])) > 1e-2            # no such symmetry without averaging


def test_parameter_counts():
    assert ml.count_parameters(ml.AntisymmetricWindingCNN(32)) == 192          # 32 * (4 + 1) + 32
    assert ml.count_parameters(ml.AntisymmetricWindingCNN(32, kernels=8, rotations=4, reflection=True)) == 48
    assert ml.count_parameters(ml.AntisymmetricWindingCNN(64)) == 192          # independent of L
    assert ml.count_parameters(ml.ReversalSymmetricCNN(32)) == 262             # the paper's CNN


def test_group_has_the_advertised_elements():
    m = ml.AntisymmetricWindingCNN(kernels=2, rotations=4, reflection=True)
    mats, signs = m.group_matrices.numpy(), m.group_signs.numpy()
    assert mats.shape == (8, 4, 4) and sorted(signs.tolist()) == [-1.0] * 4 + [1.0] * 4
    for q, s in zip(mats[:, :2, :2], signs):
        assert np.allclose(q @ q.T, np.eye(2), atol=1e-6) and np.isclose(np.linalg.det(q), s)
    assert "group_matrices" not in m.state_dict()                  # derived, not stored


@pytest.mark.parametrize("sym", [dict(), dict(rotations=4, reflection=True)])
def test_same_seed_same_weights_and_engines_agree(small_hn, sym):
    train, val = small_hn
    weights = {}
    for key, seed, engine in [("a", 3, "fast"), ("b", 3, "fast"), ("c", 4, "fast"), ("auto", 3, "autograd")]:
        m = ml.AntisymmetricWindingCNN(32, kernels=8, **sym)
        ml.train(m, train.x, train.y, val.x, val.y,
                 ml.TrainingConfig(max_epochs=3, batch_size=32, lr=3e-3, seed=seed, engine=engine, progress=False))
        weights[key] = torch.cat([p.detach().reshape(-1) for p in m.parameters()])
    assert torch.equal(weights["a"], weights["b"])                  # same seed: identical weights
    assert not torch.allclose(weights["a"], weights["c"])
    assert torch.allclose(weights["a"], weights["auto"], atol=2e-5)  # hand-written backward = autograd


def test_training_lowers_the_loss(small_hn):
    train, val = small_hn
    m = ml.AntisymmetricWindingCNN(32, kernels=16)
    res = ml.train(m, train.x, train.y, val.x, val.y,
                   ml.TrainingConfig(max_epochs=8, batch_size=32, lr=3e-3, seed=0, progress=False))
    assert res.history["val"][-1] < 0.5 * res.history["val"][0]
    # a reversal-symmetric paper CNN trains through the generic (autograd) engine
    r = ml.ReversalSymmetricCNN(32)
    res = ml.train(r, train.x, train.y, val.x, val.y,
                   ml.TrainingConfig(max_epochs=2, batch_size=64, seed=0, progress=False))
    assert res.epochs_run == 2
    x = train.x[:20]
    assert np.allclose(ml.predict(r, x), -ml.predict(r, x[:, ::-1].copy()), atol=1e-5)
    const = ml.unit_modulus_features(np.exp(0.3j) * np.ones((3, 33)))
    assert np.all(ml.predict(r, const) == 0.0)


def test_refusals():
    m = net(0)
    good = random_curves(np.random.default_rng(0), 4, 33)
    with pytest.raises(ValueError, match="shape"):
        m(torch.from_numpy(good))                                   # channel axis missing
    with pytest.raises(ValueError, match="shape"):
        m(torch.zeros(4, 1, 33, 3))
    with pytest.raises(ValueError, match="P >= 2"):
        m(torch.ones(4, 1, 1, 2) / np.sqrt(2))
    bad = good.copy()
    bad[1, 5, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        m(torch.from_numpy(bad)[:, None])
    with pytest.raises(ValueError, match="NaN"):
        ml.predict(m, bad)
    raw = 2.5 * good                                                # not normalised
    with pytest.raises(ValueError, match="unit circle"):
        ml.predict(m, raw)
    with pytest.raises(TypeError):
        m(good)                                                     # numpy, not a tensor
    with pytest.raises(ValueError, match="kernels"):
        ml.AntisymmetricWindingCNN(kernels=0)
    with pytest.raises(TypeError, match="rotations"):
        ml.AntisymmetricWindingCNN(rotations=2.5)
    with pytest.raises(TypeError, match="reflection"):
        ml.AntisymmetricWindingCNN(reflection="yes")
    with pytest.raises(ValueError, match="loss='mse'"):
        ml.train(m, good, np.zeros(4, dtype=int), good, np.zeros(4, dtype=int),
                 ml.TrainingConfig(loss="ce_bits", max_epochs=1, progress=False))


def test_save_load_round_trip_and_step_probes(tmp_path):
    m = net(7, rotations=2, reflection=True)
    path = ml.save_model(m, tmp_path / "anti.pt", note="test", torch=torch.__version__, acc=np.float64(0.5))
    back, meta = ml.load_model(path)                # str/float subclasses in the metadata load back as plain types
    assert type(back) is ml.AntisymmetricWindingCNN and back.config == m.config
    assert meta == {"note": "test", "torch": str(torch.__version__), "acc": 0.5} and type(meta["torch"]) is str
    x = random_curves(np.random.default_rng(8), 50, 65)             # any number of points
    assert np.array_equal(ml.predict(back, x), ml.predict(m, x))
    # the probes of the step rule: a step's contribution is the output for the two-point curve
    dth = np.array([-3.0, -0.5, 0.0, 1.0, 3.1])
    resp = ml.pair_step_response(m, dth, n_directions=8)
    assert resp.shape == (8, 5) and np.all(resp[:, 2] == 0.0)
    th = 2 * np.pi * np.arange(8) / 8
    u = np.exp(1j * th)
    pair = ml.unit_modulus_features(np.stack([u, u * np.exp(1j)], axis=1))
    assert np.allclose(resp[:, 3], ml.predict(m, pair), atol=1e-6)
    err = ml.antipodal_step_error(m, [0.01, 0.1, 1.0])
    assert err.shape == (3,) and np.all((err >= 0) & np.isfinite(err))


@pytest.mark.skipif(not SHIPPED.exists(), reason="weights not shipped")
def test_shipped_general_weights_load_and_count():
    model, meta = ml.load_model(SHIPPED)
    assert type(model) is ml.AntisymmetricWindingCNN and ml.count_parameters(model) == meta["parameters"]
    val = ml.hatano_nelson_dataset([1, 2, 3], meta["n_val_per_mu"], seed=meta["val_seed"])
    mse = float(np.mean((ml.predict(model, val.x) - val.y) ** 2))
    assert abs(mse - meta["val_mse"]) < 1e-6 * max(1.0, meta["val_mse"])
    # a winding it never saw, at a number of points it never saw, and a loop that does not wind
    d = ml.hatano_nelson_dataset([6], 400, seed=9, L=64)
    assert np.mean(ml.predicted_winding(ml.predict(model, d.x)) == d.y) > 0.98
    z = 2.0 + np.exp(2j * np.pi * np.arange(33) / 32)              # a circle that does not enclose 0
    x, w = ml.encode_curves(z[None])
    assert w.tolist() == [0] and ml.predicted_winding(ml.predict(model, x)).tolist() == [0]


def test_machine_fingerprint_is_stable_and_names_the_flags():
    a, b = ml.machine_fingerprint(), ml.machine_fingerprint()
    assert isinstance(a, str) and a == b and a
    if Path("/proc/cpuinfo").exists():
        assert ", flags " in a and len(a.rsplit(" ", 1)[1]) == 10
