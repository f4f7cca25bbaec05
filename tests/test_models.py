"""Model constructors against their closed forms."""
import numpy as np
import pytest

import nhtopo_lib as nl


def test_hn_winding_closed_form_matches_sampled_winding():
    rng = np.random.default_rng(1)
    n = 2000
    tr = rng.uniform(0, 1, n) * np.exp(2j * np.pi * rng.uniform(size=n))
    tl = rng.uniform(0, 1, n) * np.exp(2j * np.pi * rng.uniform(size=n))
    for mu in (1, 2, 3):
        k = 2 * np.pi * np.arange(401) / 400  # finely sampled, so the default max_step holds
        w = nl.winding_number(nl.hatano_nelson_energy(k, tr, tl, mu), on_unresolved="nan")
        ok = np.isfinite(w)
        assert ok.mean() > 0.95
        assert np.array_equal(w[ok], nl.hatano_nelson_winding(tr, tl, mu)[ok])


def test_hn_winding_sign_convention():
    # |t_l| > |t_r|: e^{+ik} dominates -> counter-clockwise -> +1
    assert nl.hatano_nelson_winding(0.2, 1.0) == 1
    assert nl.hatano_nelson_winding(1.0, 0.2, mu=3) == -3
    with pytest.raises(ValueError, match="undefined"):
        nl.hatano_nelson_winding(1.0, -1.0)


def test_yao_wang_gbz_radius_gives_hermitian_like_bloch_product():
    t1, g, t2 = 1.1, 4 / 3, 1.0
    r = nl.nh_ssh_yao_wang_gbz_radius(t1, g)
    assert np.isclose(r, np.sqrt((t1 - g / 2) / (t1 + g / 2)))
    # on |beta| = r the two off-diagonal entries have equal modulus pattern: E^2 = H_ab H_ba is the
    # product of two conjugate-symmetric factors, so the gauged chain's E^2(k) traces a real segment
    gauged = nl.nh_ssh_yao_wang(t1, g, t2).gauge_transformed(r)
    k = np.linspace(0, 2 * np.pi, 50)
    H = gauged.bloch_k(k)
    E2 = H[:, 0, 1] * H[:, 1, 0]
    assert np.max(np.abs(E2.imag)) < 1e-12


def test_off_diagonal_chain_and_nonreciprocal_ssh():
    c = nl.nh_ssh_nonreciprocal(t=0.5, delta=0.3)
    k = 0.37
    H = c.bloch_k(k)
    assert np.isclose(H[0, 1], np.exp(-1j * k) + 0.5 - 0.3)
    assert np.isclose(H[1, 0], np.exp(1j * k) + 0.5 + 0.3)
    assert H[0, 0] == 0 and H[1, 1] == 0
    with pytest.raises(ValueError, match="NaN"):
        nl.off_diagonal_chain({0: np.nan}, {0: 1.0})
    with pytest.raises(ValueError, match="positive integer"):
        nl.hatano_nelson(1, 1, mu=0)
