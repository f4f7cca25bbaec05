"""Winding numbers: values, conventions, vectorisation and refusals."""
import numpy as np
import pytest

import nhtopo_lib as nl


def circle(w, n, center=0.0, r=1.0, endpoint=True):
    t = np.linspace(0, 2 * np.pi, n + 1 if endpoint else n, endpoint=endpoint)
    return center + r * np.exp(1j * w * t)


def test_wrap_phase_range():
    x = np.array([-np.pi, np.pi, 3 * np.pi, -3 * np.pi + 1e-3, 0.0, 7.0])
    y = nl.wrap_phase(x)
    assert np.all((y > -np.pi) & (y <= np.pi))
    assert np.allclose(np.exp(1j * y), np.exp(1j * x))
    assert y[0] == np.pi


@pytest.mark.parametrize("w", [-3, -1, 0, 1, 2, 5])
def test_circle_windings_with_and_without_repeated_endpoint(w):
    n = 64
    if w == 0:
        z = circle(1, n, center=3.0)  # does not enclose 0
    else:
        z = circle(w, n)
    assert nl.winding_number(z) == w
    assert nl.winding_number(z, endpoint=True) == w
    assert nl.winding_number(z[:-1], endpoint=False) == w
    assert nl.winding_number(z[:-1]) == w  # auto-detects the missing repeat


def test_base_point_shift_and_orientation():
    z = circle(1, 40, center=2.0)
    assert nl.winding_number(z, base=2.0 + 0.1j) == 1
    assert nl.winding_number(z[::-1], base=2.0) == -1
    assert nl.winding_number(z, base=0.0) == 0


def test_vectorised_many_curves_and_per_curve_base():
    rng = np.random.default_rng(0)
    w_true = rng.integers(-4, 5, size=1000)
    t = np.linspace(0, 2 * np.pi, 65)
    z = np.exp(1j * w_true[:, None] * t) * (1 + 0.3 * np.cos(t))
    assert np.array_equal(nl.winding_number(z), w_true)
    bases = np.where(w_true > 0, 0.0, 10.0)
    assert np.array_equal(nl.winding_number(z, base=bases), np.where(w_true > 0, w_true, 0))
    # along another axis
    assert np.array_equal(nl.winding_number(z.T, axis=0), w_true)


def test_refuses_under_resolved_curve():
    z = circle(5, 12)  # 12 samples for 5 turns: steps of 150 degrees
    with pytest.raises(ValueError, match="sample more points"):
        nl.winding_number(z)
    # the silent failure we protect against: 7 turns on 12 samples, true steps of 210 degrees
    # wrap to -150 degrees and the plain wrapped sum gives -5 instead of 7
    z = circle(7, 12)
    naive = np.sum(nl.wrap_phase(np.diff(np.angle(z)))) / (2 * np.pi)
    assert round(naive) == -5
    with pytest.raises(ValueError, match="sample more points"):
        nl.winding_number(z)
    # a bound close to pi cannot see it: the step limit is what makes the refusal possible
    assert nl.winding_number(z, max_step=3.0) == -5


def test_refuses_base_on_curve_nan_and_bad_options():
    z = circle(1, 50)
    with pytest.raises(ValueError, match="lies on"):
        nl.winding_number(z, base=1.0)
    with pytest.raises(ValueError, match="NaN"):
        nl.winding_number(np.array([1, np.nan, 1j, 1]))
    with pytest.raises(ValueError, match="max_step"):
        nl.winding_number(z, max_step=4.0)
    with pytest.raises(ValueError, match="at least 3"):
        nl.winding_number([1, 1j])
    with pytest.raises(ValueError, match="endpoint=True"):
        nl.winding_number(z[:-1], endpoint=True)


def test_nan_mode_flags_only_bad_curves():
    good = circle(1, 64)
    bad = circle(6, 64)[::4]  # 17 points for 6 turns
    bad = np.concatenate([bad, np.full(64 + 1 - bad.size, bad[-1])])  # same length, repeated end
    out = nl.winding_number(np.stack([good, bad]), on_unresolved="nan")
    assert out[0] == 1 and np.isnan(out[1])


def test_adaptive_winding_refines_and_refuses():
    w, t, vals = nl.adaptive_winding(lambda t: np.exp(9j * t), n_init=16, return_samples=True)
    assert w == 9 and t.size > 17
    with pytest.raises(ValueError, match="on the curve"):
        nl.adaptive_winding(lambda t: np.exp(1j * t) - 1.0)
    with pytest.raises(ValueError, match="NaN"):
        nl.adaptive_winding(lambda t: np.full(t.shape, np.nan + 0j))


def test_det_winding_sampled_and_roots_agree_on_random_chains():
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(30):
        J = int(rng.integers(1, 4))
        c = nl.Chain({n: rng.normal(size=(J, J)) + 1j * rng.normal(size=(J, J)) for n in (-2, -1, 0, 1)})
        EB = rng.normal() + 1j * rng.normal()
        r = float(rng.uniform(0.5, 1.5))
        try:
            w_roots = nl.det_winding_roots(c, EB, radius=r)
        except ValueError:
            continue
        assert nl.det_winding(c, EB, radius=r) == w_roots
        checked += 1
    assert checked >= 25


def test_det_winding_hatano_nelson_and_refusal_on_spectrum():
    c = nl.hatano_nelson(0.4, 1.0, mu=2)
    assert nl.det_winding(c, 0.0) == 2
    assert nl.det_winding_roots(c, 0.0, method="flint") == 2
    assert nl.det_winding(c, 5.0) == 0
    on_spec = c.bloch_k(0.3)[0, 0]
    with pytest.raises(ValueError):
        nl.det_winding(c, on_spec)
    with pytest.raises(ValueError, match="on the circle"):
        nl.det_winding_roots(c, on_spec)
