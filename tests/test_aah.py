"""Non-Hermitian AAH ring: exact flux coefficients, flux windings, base energy, phase boundary."""
import numpy as np
import pytest

import nhtopo_lib as nl
from nhtopo_lib import aah
from nhtopo_lib.tridiagonal import (
    FluxCoefficients,
    ring_flux_coefficients,
    ring_matrix,
    symmetric_tridiagonal_eigvals_select,
    tridiagonal_eigvals,
)

RNG = np.random.default_rng(20240605)


def random_ring(L, rng, scale=1.0):
    c = lambda: scale * (rng.normal(size=L) + 1j * rng.normal(size=L))  # noqa: E731
    return c(), c(), c()


def dense_coefficients(d, u, lo, E, flux_sign):
    """(c0, c+, c-) from three dense determinants at Phi = 0, pi/2, pi."""
    L = len(d)
    det = [np.linalg.det(ring_matrix(d, u, lo, p, flux_sign=flux_sign) - E * np.eye(L))
           for p in (0.0, np.pi / 2, np.pi)]
    c0 = 0.5 * (det[0] + det[2])
    s = 0.5 * (det[0] - det[2])            # c+ + c-
    dif = (det[1] - c0) / 1j               # c+ - c-
    return np.array([c0, 0.5 * (s + dif), 0.5 * (s - dif)])


def coeff_values(co):
    return co.phase * np.exp(co.log_abs)


# ------------------------------------------------------------- fast coefficients vs dense
@pytest.mark.parametrize("flux_sign", [1, -1])
@pytest.mark.parametrize("L", [3, 4, 7, 12])
def test_generic_ring_coefficients_match_dense_determinants(L, flux_sign):
    for _ in range(5):
        d, u, lo = random_ring(L, RNG)
        E = complex(RNG.normal(), RNG.normal())
        co = ring_flux_coefficients(d, u, lo, E, flux_sign=flux_sign)
        ref = dense_coefficients(d, u, lo, E, flux_sign)
        assert np.allclose(coeff_values(co), ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
        # and the determinant itself at random fluxes, in slogdet format
        phi = RNG.uniform(0, 2 * np.pi, 4)
        ph, lg = co.log_det(phi)
        for k, p in enumerate(phi):
            s, l_ref = np.linalg.slogdet(ring_matrix(d, u, lo, p, flux_sign=flux_sign) - E * np.eye(L))
            assert abs(lg[k] - l_ref) < 1e-9 and abs(ph[k] - s) < 1e-9


@pytest.mark.parametrize("flux_sign", [1, -1])
def test_aah_coefficients_match_dense_small_rings_complex_h(flux_sign):
    for L, beta in [(5, 3 / 5), (8, 5 / 8), (13, 8 / 13)]:
        for _ in range(4):
            V1, V2, alpha, h = RNG.uniform(0, 4), RNG.uniform(0, 2), RNG.uniform(0, 0.6), RNG.uniform(0, 2)
            E = complex(RNG.normal(), RNG.normal())
            co = aah.aah_flux_coefficients(V1, V2, alpha, h, E, L=L, beta=beta, flux_sign=flux_sign)
            tau = aah.aah_hoppings(V2, L=L, beta=beta)
            d = aah.aah_potential(V1, h, L=L, beta=beta)
            ref = dense_coefficients(d, tau * np.exp(alpha), tau * np.exp(-alpha), E, flux_sign)
            assert np.allclose(coeff_values(co), ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
            # the dense reference matrix is the same model
            H = aah.aah_ring_matrix(V1, V2, alpha, h, 0.7, L=L, beta=beta, flux_sign=flux_sign)
            assert np.allclose(H, ring_matrix(d, tau * np.exp(alpha), tau * np.exp(-alpha), 0.7,
                                              flux_sign=flux_sign))


def test_aah_matrix_follows_eq15_layout():
    L, V1, V2, alpha, h, phi = 89, 1.3, 0.4, 0.3, 0.5, 0.9
    tau = aah.aah_hoppings(V2)
    H = aah.aah_ring_matrix(V1, V2, alpha, h, phi, flux_sign=+1)
    j = np.arange(1, L + 1)
    assert np.allclose(np.diag(H), V1 * np.cos(2 * np.pi * j * 55 / 89 + 1j * h))
    assert np.allclose(np.diag(H, 1), tau[:-1] * np.exp(alpha))        # t^(l)_j above the diagonal
    assert np.allclose(np.diag(H, -1), tau[:-1] * np.exp(-alpha))      # t^(r)_j below
    assert np.isclose(H[0, -1], tau[-1] * np.exp(-alpha) * np.exp(-1j * phi))   # t^(r)_L e^{-i Phi}
    assert np.isclose(H[-1, 0], tau[-1] * np.exp(alpha) * np.exp(1j * phi))     # t^(l)_L e^{+i Phi}


@pytest.mark.parametrize("flux_sign", [1, -1])
def test_aah_full_size_values_match_slogdet(flux_sign):
    for _ in range(3):
        V1, V2, alpha, h = RNG.uniform(0, 4), RNG.uniform(0, 2), RNG.uniform(0, 2), RNG.uniform(0, 2)
        E = complex(RNG.normal(), 0.2 * RNG.normal())
        co = aah.aah_flux_coefficients(V1, V2, alpha, h, E, flux_sign=flux_sign)
        ph_ref, lg_ref = aah.aah_dense_flux_curve(V1, V2, alpha, h, E, 8, flux_sign=flux_sign)
        ph, lg = co.log_det(2 * np.pi * np.arange(9) / 8)
        assert np.allclose(lg, lg_ref, atol=1e-9, rtol=0)
        assert np.allclose(ph, ph_ref, atol=1e-9)
        assert np.allclose(co.unit_curve(8), ph_ref, atol=1e-9)


def test_alpha_broadcast_reuses_c0():
    V1, V2 = np.array([[0.5], [2.5]]), np.array([[0.3], [1.4]])
    alphas = np.array([[0.1, 0.7, 1.9]])
    E = np.array([[0.2], [0.9]])
    co = aah.aah_flux_coefficients(V1, V2, alphas, 0.4, E)
    assert co.shape == (2, 3)
    for i in range(2):
        for k in range(3):
            one = aah.aah_flux_coefficients(V1[i, 0], V2[i, 0], alphas[0, k], 0.4, E[i, 0])
            assert np.allclose(co.log_abs[i, k], one.log_abs) and np.allclose(co.phase[i, k], one.phase)


# ------------------------------------------------------------- label rule vs direct count
def direct_winding(d, u, lo, E, flux_sign, n=1024):
    L = len(d)
    phis = 2 * np.pi * np.arange(n + 1) / n
    vals = np.array([np.linalg.det(ring_matrix(d, u, lo, p, flux_sign=flux_sign) - E * np.eye(L)) for p in phis])
    return nl.winding_number(vals, endpoint=True)


@pytest.mark.parametrize("flux_sign", [1, -1])
def test_root_rule_equals_finely_sampled_winding_generic_rings(flux_sign):
    seen = set()
    for _ in range(40):
        L = int(RNG.integers(3, 9))
        d, u, lo = random_ring(L, RNG)
        u *= RNG.uniform(0.3, 2.0)          # vary which cyclic product dominates
        E = complex(RNG.normal(), RNG.normal())
        w = ring_flux_coefficients(d, u, lo, E, flux_sign=flux_sign).winding()
        assert w == direct_winding(d, u, lo, E, flux_sign)
        seen.add(w)
    assert seen == {-1, 0, 1}


@pytest.mark.parametrize("flux_sign", [1, -1])
def test_root_rule_equals_sampled_winding_aah(flux_sign):
    L, beta = 13, 8 / 13
    seen = set()
    for _ in range(30):
        V1, V2, alpha, h = RNG.uniform(0, 3), RNG.uniform(0, 2), RNG.uniform(0.02, 1.5), RNG.uniform(0, 1.5)
        E = aah.aah_base_energy(V1, V2, h, L=L, beta=beta) + 0.05 * RNG.normal()
        co = aah.aah_flux_coefficients(V1, V2, alpha, h, E, L=L, beta=beta, flux_sign=flux_sign)
        tau = aah.aah_hoppings(V2, L=L, beta=beta)
        d = aah.aah_potential(V1, h, L=L, beta=beta)
        w = co.winding()
        assert w == direct_winding(d, tau * np.exp(alpha), tau * np.exp(-alpha), E, flux_sign)
        seen.add(w)
    assert seen == {0, flux_sign}       # the sign of the non-zero winding is the flux convention


def test_sign_convention_eq15_plus_paper_minus():
    # deep in the extended phase: Eq. (15) as printed gives +1, the paper's convention -1
    V1, V2, alpha, h = 0.5, 0.3, 0.6, 0.0
    E = aah.aah_base_energy(V1, V2, h)
    assert aah.aah_flux_coefficients(V1, V2, alpha, h, E, flux_sign=+1).winding() == 1
    assert aah.aah_flux_coefficients(V1, V2, alpha, h, E, flux_sign=-1).winding() == -1
    assert aah.aah_analytic_winding(V1, V2, alpha, h, flux_sign=+1) == 1
    assert aah.aah_analytic_winding(V1, V2, alpha, h) == -1


# ------------------------------------------------------------- log scaling
@pytest.mark.parametrize("L", [89, 377, 1000])
def test_log_scaling_no_overflow_large_rings(L):
    V1, V2, alpha, h = 3.9, 1.9, 2.0, 2.0
    beta = 0.6180339887498949
    tau = aah.aah_hoppings(V2, L=L, beta=beta)
    with np.errstate(over="ignore"):
        naive = np.prod(tau * np.exp(alpha))
    if L >= 377:
        assert not np.isfinite(naive)      # the naive product overflows
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # no overflow/NaN in the fast route
        co = aah.aah_flux_coefficients(V1, V2, alpha, h, 0.3, L=L, beta=beta)
        w = co.winding()
        u = co.unit_curve(32)
    assert np.all(np.isfinite(co.log_abs)) and co.log_scale > 700 * (L >= 377)
    assert w in (-1, 0) and np.allclose(np.abs(u), 1)
    # compare with slogdet of the dense matrix (which also works in log scale)
    phi = 1.1
    s, lg = np.linalg.slogdet(aah.aah_ring_matrix(V1, V2, alpha, h, phi, L=L, beta=beta) - 0.3 * np.eye(L))
    ph, lg_fast = co.log_det(phi)
    assert abs(lg_fast - lg) < 1e-8 * max(1.0, abs(lg)) and abs(ph - s) < 1e-7


# ------------------------------------------------------------- refusals
def test_refuses_nan_and_bad_parameters():
    with pytest.raises(ValueError, match="NaN"):
        aah.aah_flux_coefficients(np.nan, 0.5, 0.3, 0.0, 0.0)
    with pytest.raises(ValueError, match="NaN"):
        aah.aah_flux_coefficients(1.0, 0.5, 0.3, 0.0, np.nan)
    with pytest.raises(ValueError, match="NaN"):
        aah.aah_base_energy(1.0, np.inf, 0.0)
    with pytest.raises(ValueError, match="flux_sign"):
        aah.aah_flux_coefficients(1.0, 0.5, 0.3, 0.0, 0.0, flux_sign=2)
    with pytest.raises(ValueError, match="L >= 3"):
        aah.aah_flux_coefficients(1.0, 0.5, 0.3, 0.0, 0.0, L=2, beta=0.5)
    with pytest.raises(ValueError, match="positive"):
        aah.aah_hoppings(0.5, t=-1.0)
    with pytest.raises(ValueError, match="alpha >= 0"):
        aah.aah_phase_boundary(0.5, -0.1, 0.0)
    with pytest.raises(ValueError, match="rule"):
        aah.aah_base_energy(1.0, 0.5, 0.0, rule="median")
    with pytest.raises(ValueError, match="n_phi"):
        aah.aah_flux_coefficients(1.0, 0.5, 0.3, 0.0, 0.0).unit_curve(2)
    with pytest.raises(ValueError, match="L >= 3"):
        ring_flux_coefficients([1.0, 2.0], [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="identically"):
        FluxCoefficients(np.full(3, -np.inf), np.ones(3))


def test_refuses_base_energy_on_the_flux_spectrum():
    V1, V2, alpha, h, phi0 = 1.2, 0.4, 0.3, 0.5, 0.8
    ev = np.linalg.eigvals(aah.aah_ring_matrix(V1, V2, alpha, h, phi0))
    E = ev[np.argmin(np.abs(ev))]          # an eigenvalue of H3(phi0): det vanishes at a real flux
    co = aah.aah_flux_coefficients(V1, V2, alpha, h, E)
    assert co.margin() < 1e-8
    with pytest.raises(ValueError, match="lies on the spectrum"):
        co.winding()
    assert np.isnan(co.winding(on_unresolved="nan"))
    # a batch: only the bad one is NaN
    batch = aah.aah_flux_coefficients([V1, V1], V2, alpha, h, [E, E + 5.0])
    out = batch.winding(on_unresolved="nan")
    assert np.isnan(out[0]) and out[1] == 0
    # the sampled curve through zero is refused too
    co0 = aah.aah_flux_coefficients(V1, V2, alpha, h, np.linalg.eigvals(aah.aah_ring_matrix(V1, V2, alpha, h, 0.0))[3])
    with pytest.raises(ValueError, match="pass through 0"):
        co0.unit_curve(32)


def test_vanishing_bond_cuts_the_ring():
    # V2 = t makes one tau_j vanish for beta = 55/89: the flux disappears, w = 0
    tau = aah.aah_hoppings(1.0)
    assert np.min(np.abs(tau)) < 1e-12
    co = aah.aah_flux_coefficients(0.5, 1.0, 1.0, 0.0, aah.aah_base_energy(0.5, 1.0, 0.0))
    assert co.winding() == 0


# ------------------------------------------------------------- phase boundary
def test_boundary_limits():
    a = np.linspace(0, 2, 11)
    h = np.linspace(-2, 2, 11)
    A, Hh = np.meshgrid(a, h)
    assert np.allclose(aah.aah_phase_boundary(0.0, A, Hh), 2 * np.exp(A - np.abs(Hh)))     # V2 = 0
    v2 = np.linspace(0, 2, 41)
    assert np.allclose(aah.aah_phase_boundary(v2, 0.0, 0.0), np.maximum(2.0, 2 * v2))       # alpha = h = 0
    # continuous at V2 = t, and gamma_h = alpha on the boundary
    assert np.isclose(aah.aah_phase_boundary(1 - 1e-12, 0.7, 0.3), aah.aah_phase_boundary(1 + 1e-12, 0.7, 0.3))
    for v in (0.0, 0.4, 0.99, 1.3, 1.9):
        for al in (0.1, 0.9, 1.8):
            for hh in (0.0, 1.1):
                v1c = aah.aah_phase_boundary(v, al, hh)
                assert np.isclose(aah.aah_lyapunov_exponent(v1c, v, hh), al)
    assert aah.aah_lyapunov_exponent(1.0, 1.5, 0.0) == 0.0            # critical region: a < 2 V2
    with pytest.raises(ValueError, match="exactly on the phase boundary"):
        aah.aah_analytic_winding(2.0, 0.0, 0.0, 0.0)


def test_exact_labels_follow_the_boundary_away_from_it():
    # cell-centred grid (avoids V2 = 1, where a bond vanishes), points farther than 0.15 from V1_c
    v1, v2 = np.meshgrid(0.05 + 0.2 * np.arange(20), 0.05 + 0.2 * np.arange(10), indexing="ij")
    for h in (0.0, 1.2):
        E = aah.aah_base_energy(v1, v2, h)
        for alpha in (0.15, 0.95):
            w = aah.aah_flux_coefficients(v1, v2, alpha, h, E).winding()
            far = np.abs(v1 - aah.aah_phase_boundary(v2, alpha, h)) > 0.15
            truth = aah.aah_analytic_winding(v1, v2, alpha, h)
            assert np.array_equal(w[far], truth[far])
            assert 0 < np.mean(truth == -1) < 1


# ------------------------------------------------------------- base energy and eigenvalues
def test_base_energy_fast_equals_dense_and_is_alpha_independent():
    V1 = np.array([0.3, 1.7, 3.6, 2.2])
    V2 = np.array([0.2, 1.4, 0.9, 1.9])
    for h in (0.0, 0.8):
        fast = aah.aah_base_energy(V1, V2, h)
        dense = aah.aah_base_energy(V1, V2, h, method="dense")
        assert np.allclose(fast, dense, atol=1e-10) and np.all(fast.imag == 0)
    # the open-chain spectrum of the non-reciprocal chain does not depend on alpha (gauge)
    L, beta, V1s, V2s, hs = 21, 13 / 21, 1.1, 0.6, 0.7
    ev = aah.aah_obc_eigvals(V1s, V2s, hs, L=L, beta=beta)
    H = aah.aah_ring_matrix(V1s, V2s, 0.4, hs, L=L, beta=beta)
    H[0, -1] = H[-1, 0] = 0
    dense = np.linalg.eigvals(H)
    assert np.allclose(np.sort_complex(ev), np.sort_complex(dense), atol=1e-9)
    assert np.allclose(aah.aah_base_energy(0.5, 0.3, 0.0, rule="zero"), 0.0)


def test_base_energy_rule_avoids_degenerate_pairs():
    # localised, h = 0: reflection-symmetric doublets; E_B must not sit inside one
    V1, V2 = 3.95, 0.25
    ev = aah.aah_obc_eigvals(V1, V2, 0.0).real
    E = aah.aah_base_energy(V1, V2, 0.0).real
    gap = np.min(np.abs(ev - E))
    assert gap > 1e-2                       # a typical distance, not a doublet splitting
    ring_mid = aah.aah_base_energy(V1, V2, 0.0, rule="ring-mid").real
    ring_ev = np.linalg.eigvalsh(aah.aah_ring_matrix(V1, V2, 0.0, 0.0).real)
    assert np.min(np.abs(ring_ev - ring_mid)) < 1e-5   # the reference's midpoint falls inside a doublet


def test_tridiagonal_solvers_against_dense():
    for n in (3, 6, 30, 89):
        d = RNG.normal(size=(6, n)) + 1j * RNG.normal(size=(6, n))
        e2 = RNG.normal(size=(6, n - 1)) + 1j * RNG.normal(size=(6, n - 1))
        assert np.allclose(tridiagonal_eigvals(d, e2), tridiagonal_eigvals(d, e2, method="dense"), atol=1e-8)
        assert np.allclose(tridiagonal_eigvals(d, e2, method="ql"), tridiagonal_eigvals(d, e2, method="dense"),
                           atol=1e-8)
        dr, er = RNG.normal(size=(4, n)), RNG.uniform(0.1, 1, size=(4, n - 1))
        full = np.linalg.eigvalsh(np.stack([np.diag(a) + np.diag(b, 1) + np.diag(b, -1) for a, b in zip(dr, er)]))
        assert np.allclose(tridiagonal_eigvals(dr, er ** 2), full, atol=1e-12)
        lo, hi = max(0, n // 2 - 1), min(n - 1, n // 2 + 1)
        assert np.allclose(symmetric_tridiagonal_eigvals_select(dr, er, lo, hi), full[:, lo:hi + 1], atol=1e-12)
    with pytest.raises(ValueError, match="one shorter"):
        tridiagonal_eigvals(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="NaN"):
        tridiagonal_eigvals(np.array([1.0, np.nan, 2.0]), np.ones(2))


def test_lyapunov_estimate_and_flux_curves():
    V1, V2, h = np.array([0.6, 3.6]), np.array([0.3, 0.3]), 0.5
    E = aah.aah_base_energy(V1, V2, h)
    g = aah.aah_lyapunov_estimate(V1, V2, h, E)
    g_exact = aah.aah_lyapunov_exponent(V1, V2, h)
    assert abs(g[0]) < 0.05 and g_exact[0] == 0          # extended
    assert abs(g[1] - g_exact[1]) < 0.1 and g_exact[1] > 0.5   # localised
    u, w, EB = aah.aah_flux_curves(V1[:, None], V2[:, None], np.array([[0.3, 1.2]]), h, base_energy=E[:, None])
    assert u.shape == (2, 2, 33) and np.allclose(np.abs(u), 1) and np.allclose(u[..., 0], u[..., -1])
    # w != 0 iff gamma_L(E_B) < alpha (|c_+| negligible here)
    assert np.array_equal(w != 0, g[:, None] < np.array([[0.3, 1.2]]))
    # the sampled curve has the same discrete winding (well resolved here)
    assert np.array_equal(nl.winding_number(u, endpoint=True, on_unresolved="nan"), w)
