"""Laurent polynomial arithmetic and root-based windings."""
import numpy as np
import pytest

from nhtopo_lib import LaurentPoly, certified_roots


def test_arithmetic_and_trimming():
    p = LaurentPoly({-1: 2.0, 0: 0.0, 2: 1.0})
    assert (p.low, p.high) == (-1, 2)
    q = LaurentPoly([0, 0, 3.0], low=-2)  # leading zeros trimmed -> 3 z^0
    assert (q.low, q.high) == (0, 0)
    prod = p * LaurentPoly({1: 1.0, -1: 1.0})
    assert prod.to_dict() == {-2: 2, 0: 2, 1: 1, 3: 1}
    assert (p - p).is_zero
    assert (p ** 3).allclose(p * p * p)
    z = 0.3 + 0.8j
    assert np.isclose((p + 2)(z), p(z) + 2)
    assert np.isclose(p.reversed()(z), p(1 / z))
    assert np.isclose(p.scaled(0.5)(z), p(0.5 * z))
    assert np.isclose(p.derivative()(z), -2 / z ** 2 + 2 * z)


def test_order_at_zero_and_pole_evaluation():
    p = LaurentPoly({-2: 1.0, 1: 1.0})
    assert p.order_at_zero == -2
    with pytest.raises(ValueError, match="pole"):
        p(0.0)
    with pytest.raises(ValueError, match="NaN"):
        LaurentPoly([1.0, np.nan])


def test_roots_numpy_and_flint_agree():
    rng = np.random.default_rng(0)
    c = rng.normal(size=7) + 1j * rng.normal(size=7)
    p = LaurentPoly(c, low=-3)
    r1 = p.roots()
    r2 = p.roots(method="flint")
    assert len(r1) == 6
    assert np.allclose(np.sort_complex(r1), np.sort_complex(r2), atol=1e-10)
    assert np.allclose(p(r1), 0, atol=1e-9)
    mids, rads = certified_roots(c, prec=128)
    assert np.allclose(np.sort_complex(mids), np.sort_complex(r1), atol=1e-10)
    assert np.all(rads < 1e-20)


def test_winding_on_circle_counts_roots_minus_pole_order():
    # (z - 0.5)(z - 2)/z^2 : one root inside |z|=1, pole of order 2 -> winding -1
    p = LaurentPoly([1.0, -2.5, 1.0], low=-2)
    assert p.winding_on_circle(1.0) == -1
    assert p.winding_on_circle(3.0) == 0
    assert p.winding_on_circle(0.1) == -2
    with pytest.raises(ValueError, match="on the circle"):
        p.winding_on_circle(0.5)


def test_certified_roots_refuse_repeated_root():
    with pytest.raises(ValueError, match="repeated root"):
        certified_roots([1.0, -2.0, 1.0])  # (z - 1)^2
