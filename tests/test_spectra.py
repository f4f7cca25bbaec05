"""Honest-precision spectra, including the skin-effect precision trap."""
import time

import numpy as np
import pytest

import nhtopo_lib as nl

T1, GAMMA, T2, NCELLS = 1.1, 4 / 3, 1.0, 100


def test_hermitian_only_routine_refuses_non_hermitian():
    H = nl.hatano_nelson(1.0, 0.5).obc_matrix(5)
    with pytest.raises(ValueError, match="Hermitian matrices only"):
        nl.hermitian_eigvalsh(H)
    Hh = nl.hatano_nelson(1.0, 1.0).obc_matrix(5)
    assert np.allclose(nl.hermitian_eigvalsh(Hh), 2 * np.cos(np.pi * np.arange(5, 0, -1) / 6))


def test_eigvals_refuses_bad_input():
    with pytest.raises(ValueError, match="square"):
        nl.eigvals(np.ones((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        nl.eigvals(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="needs a precision"):
        nl.eigvals(np.eye(2), certified=True)


def test_hatano_nelson_obc_spectrum_is_real_segment_in_high_precision():
    # exact OBC eigenvalues 2 sqrt(t_r t_l) cos(pi m/(N+1)); double precision fails at N = 60
    tr, tl, N = 1.0, 0.25, 60
    exact = np.sort(2 * np.sqrt(tr * tl) * np.cos(np.pi * np.arange(1, N + 1) / (N + 1)))
    H = nl.hatano_nelson(tr, tl).obc_matrix(N)
    double = nl.eigvals(H)
    assert np.max(np.abs(double.imag)) > 1e-2  # the trap: spurious complex eigenvalues
    assert np.max(np.abs(double - exact)) > 1e-2
    hp = nl.eigvals(H, bits=192)
    assert np.max(np.abs(hp - exact)) < 1e-12
    gauged = nl.obc_spectrum(nl.hatano_nelson(tr, tl), N, gauge_radius=np.sqrt(tr / tl))
    assert np.max(np.abs(gauged - exact)) < 1e-12


def test_certified_enclosures_contain_gauge_value():
    ssh = nl.nh_ssh_yao_wang(T1, GAMMA, T2)
    H = ssh.obc_matrix(20)
    mids, rads = nl.eigvals_certified(H, 256)
    assert np.all(rads < 1e-40)
    ref = nl.obc_spectrum(ssh, 20, gauge_radius=nl.nh_ssh_yao_wang_gbz_radius(T1, GAMMA))
    d = np.abs(np.sort_complex(mids)[:, None] - ref[None, :]).min(axis=1)
    assert np.max(d) < 1e-12
    with pytest.raises(ValueError, match="increase bits"):
        nl.eigvals_certified(ssh.obc_matrix(60), 64)


@pytest.mark.slow
def test_precision_trap_nh_ssh_100_cells():
    """NH-SSH, 100 cells: zero modes |E| = 3.7e-7 (256 bits) but numpy says 2.1e-6."""
    ssh = nl.nh_ssh_yao_wang(T1, GAMMA, T2)
    H = ssh.obc_matrix(NCELLS)
    e_double = np.abs(nl.smallest_magnitude(nl.eigvals(H), 2))
    t0 = time.perf_counter()
    e_hp = np.abs(nl.smallest_magnitude(nl.eigvals(H, bits=256), 2))
    elapsed = time.perf_counter() - t0
    e_gauge = np.abs(nl.smallest_magnitude(
        nl.obc_spectrum(ssh, NCELLS, gauge_radius=nl.nh_ssh_yao_wang_gbz_radius(T1, GAMMA)), 2))
    assert np.allclose(e_hp, 3.7057e-7, rtol=1e-3)
    assert np.allclose(e_double, 2.07e-6, rtol=2e-2)  # numpy is wrong by a factor ~5.6
    assert np.allclose(e_gauge, e_hp, rtol=1e-8)      # exact transform agrees with 256 bits
    assert elapsed < 120


def test_converged_eigvals_accepts_and_refuses():
    ssh = nl.nh_ssh_yao_wang(T1, GAMMA, T2)
    ev = nl.converged_eigvals(ssh.obc_matrix(15), bits=(96, 160))
    ref = nl.obc_spectrum(ssh, 15, gauge_radius=nl.nh_ssh_yao_wang_gbz_radius(T1, GAMMA))
    assert np.allclose(np.sort_complex(ev), np.sort_complex(ref), atol=1e-12)
    with pytest.raises(ValueError, match="increase bits"):
        nl.converged_eigvals(ssh.obc_matrix(60), bits=(53, 64), tol=1e-14)


def test_recommended_bits_rule():
    assert nl.recommended_bits(100, 1.0) == 128
    assert nl.recommended_bits(100, 0.495) >= 192
    with pytest.raises(ValueError):
        nl.recommended_bits(10, 0.0)


def test_spectrum_distance_pairs_optimally_and_refuses_bad_input():
    a = np.array([0.0, 1.0, 2.0 + 1j])
    b = np.array([2.0 + 1.001j, 0.002, 1.0])  # same values, shuffled and perturbed
    assert abs(nl.spectrum_distance(a, b) - 0.002) < 1e-12
    with pytest.raises(ValueError, match="different lengths"):
        nl.spectrum_distance(a, b[:2])
    with pytest.raises(ValueError, match="NaN"):
        nl.spectrum_distance(a, np.array([0.0, np.nan, 1.0]))
