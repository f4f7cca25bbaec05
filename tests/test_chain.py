"""Tests of the Chain convention, real-space matrices and the exact characteristic polynomial."""
import numpy as np
import pytest

import nhtopo_lib as nl


def random_chain(rng, J=3, hops=(-2, -1, 0, 1)):
    return nl.Chain({n: rng.normal(size=(J, J)) + 1j * rng.normal(size=(J, J)) for n in hops})


def test_hatano_nelson_bloch_matches_closed_form():
    c = nl.hatano_nelson(0.7 + 0.2j, 0.3 - 0.1j, mu=2)
    k = np.linspace(0, 2 * np.pi, 17)
    E = c.bloch_k(k)[:, 0, 0]
    assert np.allclose(E, nl.hatano_nelson_energy(k, 0.7 + 0.2j, 0.3 - 0.1j, mu=2))


def test_obc_matrix_convention_block_j_to_j_plus_n():
    # H_OBC[j, j+n] = T_n: for HN, t_l sits above the diagonal, t_r below
    c = nl.hatano_nelson(2.0, 5.0)
    H = c.obc_matrix(4)
    assert H[0, 1] == 5.0 and H[1, 0] == 2.0
    assert H[0, 3] == 0 and H[3, 0] == 0


def test_plane_wave_solves_bulk_rows():
    # psi_j = beta^j u with H(beta) u = E u solves the OBC equations away from the ends
    rng = np.random.default_rng(3)
    c = random_chain(rng)
    beta = 0.8 * np.exp(0.7j)
    E, U = np.linalg.eig(c.bloch(beta))
    N, J = 12, c.nbands
    psi = np.concatenate([beta ** j * U[:, 0] for j in range(N)])
    res = (c.obc_matrix(N) @ psi - E[0] * psi).reshape(N, J)
    lo, hi = c.hopping_range
    bulk = res[-lo: N - hi]  # rows whose hops all stay inside
    assert np.max(np.abs(bulk)) < 1e-10 * np.max(np.abs(psi))


def test_twisted_ring_spectrum_is_union_of_bloch_spectra():
    rng = np.random.default_rng(4)
    c = random_chain(rng, J=2)
    N, phi = 9, 1.3
    ev = np.sort_complex(np.linalg.eigvals(c.twisted_ring(N, phi)))
    betas = np.exp(1j * (phi + 2 * np.pi * np.arange(N)) / N)
    ref = np.sort_complex(np.linalg.eigvals(c.bloch(betas)).ravel())
    assert np.allclose(ev, ref, atol=1e-10)


def test_pbc_is_twisted_ring_at_zero_flux_and_hermitian_for_hermitian_chain():
    c = nl.nh_ssh_yao_wang(1.0, 0.0, 0.7)
    assert c.is_hermitian()
    H = c.pbc_matrix(6)
    assert np.allclose(H, H.conj().T)
    assert not nl.nh_ssh_yao_wang(1.0, 0.5, 0.7).is_hermitian()


@pytest.mark.parametrize("J", [1, 2, 3, 4])
def test_char_poly_matches_numeric_determinant(J):
    rng = np.random.default_rng(10 + J)
    c = random_chain(rng, J=J)
    cp = c.char_poly
    assert cp.degree_in_energy == J
    for _ in range(5):
        beta = rng.normal() + 1j * rng.normal()
        E = rng.normal() + 1j * rng.normal()
        ref = np.linalg.det(c.bloch(beta) - E * np.eye(J))
        assert abs(cp(beta, E) - ref) <= 1e-10 * max(1, abs(ref))


def test_char_poly_coefficients_are_exact_products():
    # HN: det(H - E) = t_r/beta + t_l beta - E, coefficients exactly the amplitudes
    c = nl.hatano_nelson(0.3 + 0.4j, 1.7)
    p0, p1 = c.char_poly.terms
    assert p0.to_dict() == {-1: 0.3 + 0.4j, 1: 1.7 + 0j}
    assert p1.to_dict() == {0: -1 + 0j}
    # Yao-Wang SSH: E^2 = H_ab H_ba exactly
    t1, g, t2 = 1.1, 4 / 3, 1.0
    ssh = nl.nh_ssh_yao_wang(t1, g, t2)
    q = ssh.char_poly.terms[0]
    assert q.coefficient(-1) == -(t1 - g / 2) * t2
    assert q.coefficient(1) == -(t1 + g / 2) * t2
    assert ssh.char_poly.beta_range == (-1, 1)


def test_gauge_transform_preserves_obc_spectrum_exactly_in_structure():
    c = nl.nh_ssh_yao_wang(1.1, 4 / 3, 1.0)
    r = 0.7
    g = c.gauge_transformed(r)
    N = 6
    S = np.diag(np.repeat(r ** np.arange(N), 2))
    assert np.allclose(g.obc_matrix(N), np.linalg.solve(S, c.obc_matrix(N) @ S))
    assert np.allclose(g.bloch(0.9), c.bloch(0.9 * r))


def test_mirror_reverses_beta():
    rng = np.random.default_rng(5)
    c = random_chain(rng)
    assert np.allclose(c.mirrored().bloch(0.6 + 0.2j), c.bloch(1 / (0.6 + 0.2j)))


@pytest.mark.parametrize("bad, msg", [
    ({}, "non-empty"),
    ({0: [[1, 2, 3]]}, "square"),
    ({0: np.eye(2), 1: np.eye(3)}, "2x2"),
    ({0: [[np.nan]]}, "NaN"),
    ({0.5: 1.0}, "integers"),
])
def test_chain_rejects_bad_blocks(bad, msg):
    with pytest.raises(ValueError, match=msg):
        nl.Chain(bad)


def test_bloch_refuses_beta_zero_and_nan():
    c = nl.hatano_nelson(1.0, 0.5)
    with pytest.raises(ValueError, match="pole"):
        c.bloch(0.0)
    with pytest.raises(ValueError, match="NaN"):
        c.bloch(np.nan)


def test_ring_needs_enough_cells():
    with pytest.raises(ValueError, match="more than 2 cells"):
        nl.hatano_nelson(1.0, 0.5, mu=2).twisted_ring(2, 0.0)
    with pytest.raises(ValueError, match="positive integer"):
        nl.hatano_nelson(1.0, 0.5).obc_matrix(0)
