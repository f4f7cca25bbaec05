"""Property test over seeded random chains: every invariant agrees with an independent count or refuses
with a reason that is true (issue 13).

* two-band sublattice chains with hoppings up to three cells (off-diagonal, one-sided/degenerate, rotated to a
  general sublattice form): ``W_pz = W_gbz``, ``|W_pz|`` = certified open-chain zero-mode count;
* multiband nearest-neighbour chains (``J = 3..5``): summed star winding = sub-chain count = open-chain
  isolated-edge count.

A refusal is accepted only with its documented reason, and the reason is checked against independent data:
"gap closing" needs a tie of the ``E = 0`` root moduli of ``Q``; "continuum is E = 0" a one-sided ``Q`` that
vanishes at ``z = 0`` or infinity; "count not converged" an edge-state candidate with a localisation length
beyond the resolution of the lengths tried.  The last test prints the tallies per class (run with ``-s``).
"""
from collections import Counter

import numpy as np
import pytest
from random_chains import multiband, one_sided, rotation, two_band

import nhtopo_lib as nl
from nhtopo_lib.polezero import general_sublattice_invariant

N_TWO_BAND = 200      # random pairs from two_band (about a quarter have a one-sided Q)
N_ONE_SIDED = 60      # pairs from one_sided (six kinds of degenerate chains)
N_ROTATED = 60        # two_band pairs rotated to a general sublattice form
N_MULTIBAND = 150     # multiband_nn_chain, J = 3..5
PPL = 200             # GBZ points per loop (refined automatically where needed)
TALLY: dict = {}


def _tally(cls, key):
    TALLY.setdefault(cls, Counter())[key] += 1


def _q_data(hab, hba):
    """Extreme exponents of Q = H_ab H_ba and the modulus ratio across the E = 0 cut (inf if one-sided)."""
    Q = nl.LaurentPoly(hab) * nl.LaurentPoly(hba)
    lo, hi = Q.low, Q.high
    if lo < 0 < hi:
        mods = np.sort(np.abs(Q.roots()))
        ratio = mods[-lo] / mods[-lo - 1]
    else:
        ratio = np.inf
    return lo, hi, ratio


def _call(fn, *args, **kw):
    try:
        return "ok", fn(*args, **kw)
    except ValueError as exc:
        return "refused", str(exc)


def _check_two_band(cls, hab, hba, U=None):
    _tally(cls, "chains")
    lo, hi, ratio = _q_data(hab, hba)
    collapsed = lo > 0 or hi < 0
    if U is None:
        args = (hab, hba)
    else:
        base = nl.off_diagonal_chain(hab, hba)
        args = (nl.Chain({n: U @ T @ U.conj().T for n, T in base.blocks.items()}), None)
    pz = _call(nl.pole_zero_invariant, *args)
    if collapsed:
        assert pz[0] == "refused" and "continuum is E = 0" in pz[1]
    elif pz[0] == "refused":
        assert "gap closing" in pz[1] and ratio - 1 < 1e-6, (pz, ratio)
    else:
        assert ratio - 1 > 1e-9
    if pz[0] == "refused":
        for fn in (nl.gbz_invariant, nl.zero_mode_count):
            out = _call(fn, *args)
            assert out[0] == "refused" and (("gap closing" in out[1]) != collapsed), out
        _tally(cls, "refused: continuum is E = 0 (Q one-sided, Q = 0 at 0 or infinity)" if collapsed
               else "refused: gap closing (E = 0 root tie)")
        return
    W = pz[1]
    if U is not None:  # independent route for the rotated chain: Eq. (28) from the branch points
        r = general_sublattice_invariant(args[0])
        assert r.W == W == r.W_rotated
        assert abs(W) == abs(nl.pole_zero_invariant(hab, hba))
    gbz = _call(nl.gbz_invariant, *args, points_per_loop=PPL)
    if gbz[0] == "ok":
        assert gbz[1] == W
        _tally(cls, "W_gbz = W_pz")
    else:
        # only next to a gap closing, where a zero or pole of M^2 grazes the GBZ
        assert ratio < 1.05 and "near a gap closing" in gbz[1], (gbz, ratio)
        _tally(cls, "W_gbz refused: zero/pole of M^2 within 5 % of the GBZ")
    # certified open-chain count at a length where the edge modes have split off (hybridisation <= 1e-6)
    n_need = 20 if not np.isfinite(ratio) else int(np.ceil(2 * np.log(1e6) / np.log(ratio)))
    if n_need > 150:
        _tally(cls, "count not tried: edge modes need > 150 cells (E = 0 root ratio < 1.2)")
        return
    n_cells = max(n_need, 16)
    zm = _call(nl.zero_mode_count, *args, n_cells)
    if zm[0] == "ok":
        assert zm[1] == abs(W), (zm, W)
        _tally(cls, "certified count = |W_pz|")
    else:
        assert "cannot certify" in zm[1], zm
        _tally(cls, "count refused: certificate margin too small at this length")


@pytest.mark.parametrize("block", range(4))
def test_two_band_random(block):
    for seed in range(block, N_TWO_BAND, 4):
        hab, hba = two_band(seed)
        lo, hi, _ = _q_data(hab, hba)
        cls = "two-band off-diagonal" if lo < 0 < hi else "two-band one-sided/degenerate"
        _check_two_band(cls, hab, hba)


def test_one_sided_random():
    for seed in range(N_ONE_SIDED):
        hab, hba = one_sided(seed)
        _check_two_band("two-band one-sided/degenerate", hab, hba)


def test_rotated_random():
    for seed in range(N_ROTATED):
        hab, hba = two_band(1000 + seed)
        _check_two_band("two-band rotated (general sublattice)", hab, hba, U=rotation(seed))


def _subchain_localisation(chain):
    """Longest localisation length (cells) among the sub-chain edge candidates, edge states or not."""
    from nhtopo_lib.msr import _nn_form

    J = chain.nbands
    tR, tL, _ = _nn_form(chain)
    T0 = chain.blocks[0]
    r = np.exp(-nl.non_bloch_kappa(chain))

    def D(E):
        return np.array([np.linalg.det(e * np.eye(J - 2) - T0[1:J - 1, 1:J - 1]) for e in E])

    left, right = np.linalg.eigvals(T0[:J - 1, :J - 1]), np.linalg.eigvals(T0[1:, 1:])
    bl = np.abs(np.prod(tR[:J - 1]) / (tL[J - 1] * D(left))) / r
    br = np.abs(tR[J - 1] * D(right) / np.prod(tL[:J - 1])) / r
    return float(np.max(1 / np.abs(np.log(np.concatenate([bl, br])))))


@pytest.mark.parametrize("block", range(3))
def test_multiband_random(block):
    for seed in range(block, N_MULTIBAND, 3):
        chain = nl.multiband_nn_chain(*multiband(seed))
        truth = nl.subchain_edge_count(chain)               # exact long-chain criterion
        assert sum(nl.msr_windings(chain)) == truth         # Eq. (8), bulk side
        xi = _subchain_localisation(chain)
        _tally("multiband J=3-5", "chains")
        out = _call(lambda c: nl.isolated_edge_states(c, n_cells=24, n_long=48, max_cells=192).count, chain)
        where = "localisation <= 12 cells" if xi <= 12 else "localisation > 12 cells (near a transition)"
        if out[0] == "ok":
            assert out[1] == truth, (seed, out, truth, xi)
            _tally("multiband J=3-5", f"open-chain count = summed winding = sub-chain count [{where}]")
        else:
            # refused only with an edge-state candidate delocalised over more than a few cells
            assert "count not converged" in out[1] and xi > 4, (seed, out, xi)
            _tally("multiband J=3-5", f"count refused: not converged at 192 cells [{where}]")
        if chain.nbands <= 4:
            g = nl.solve_gbz(chain)
            assert g.is_circle(1e-6) and g.main_loops and g.residual < 1e-9
            _tally("multiband J=3-5", "GBZ closes (every J <= 4 chain)")


def test_tallies():
    """Print the per-class tallies and bound the refusal rates (runs after the tests above)."""
    for cls, c in sorted(TALLY.items()):
        print(f"\n{cls}:")
        for k, v in sorted(c.items()):
            print(f"  {v:4d}  {k}")
    if not TALLY:
        pytest.skip("run together with the property tests above")
    two = sum(c["chains"] for k, c in TALLY.items() if k.startswith("two-band"))
    assert two >= 300
    mb = TALLY["multiband J=3-5"]
    assert mb["chains"] >= N_MULTIBAND
    # away from transitions (every edge-state candidate localised within 12 cells) nothing is refused
    far = [k for k in mb if "<= 12 cells" in k]
    assert sum(mb[k] for k in far if k.startswith("count refused")) <= 0.02 * sum(mb[k] for k in far)
