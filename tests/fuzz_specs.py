"""The public API of nhtopo_lib as a table for the fuzz tests (tests/test_fuzz_api.py).

Every entry names a public function (or method, or class), a *valid* call of it (built by
``make()`` inside the worker process, so it may create chains, generators, networks and files) and
the *kind* of every parameter that is fuzzed.  A kind says which values are invalid for that
parameter (they must be refused with a clear ValueError/TypeError naming it) and which are merely
extreme (they may be refused, or give a finite result).

Only parameters that exist in the library since the fuzz suite was written are listed, so the same
table also runs against older versions of the library (for the before/after comparison of
``scripts/fuzz_report.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import numpy as np

NAN, INF = float("nan"), float("inf")


# =========================================================================== kinds
# Each kind maps to a list of (value, invalid).  Values must be picklable (they travel to a worker
# process); strings starting with "@@" are tokens that the worker turns into objects (see resolve()).
def _int_bad(lo: int, hi: int | None = None) -> list:
    out = [(lo - 1, True), (1.5, True), (NAN, True), (INF, True), (-INF, True), ("3", True), (None, True)]
    if -1 < lo - 1:
        out.append((-1, True))
    if hi is not None:
        out.append((hi + 1, True))
    return out


def _size_bad(lo: int) -> list:
    # 10**7 may be refused or computed within the time limit; 10**12 cannot be computed at all
    return _int_bad(lo) + [(10 ** 7, False), (10 ** 12, True), (2 ** 62, True)]


_REAL = [(NAN, True), (INF, True), (-INF, True), ("1.0", True), (None, True), (1 + 1j, True),
         (1e300, False), (-1e300, False), (1e-300, False)]
_REALARR = [(NAN, True), ([1.0, NAN], True), (INF, True), ("x", True), (None, True), ([[1.0, 2.0], [3.0]], True),
            ([1 + 1j], True), (1e300, False), ([], False)]
_CPLX = [(NAN, True), (complex(NAN, 1.0), True), (complex(0, INF), True), ("x", True), (None, True),
         (1e300, False), (1e300j, False)]
_CPLXARR = [(NAN, True), ([1.0, complex(0, NAN)], True), (INF, True), ("x", True), (None, True),
            ([[1.0, 2.0], [3.0]], True), (1e300, False), ([], False)]
_POS = [(0.0, True), (-1.0, True), (-1e-300, True), (NAN, True), (INF, True), ("1", True), (None, True),
        (1e-300, False), (1e300, False)]
_GMIN = [(0.1, True), (0.0, True), (-1.0, True), (NAN, True), (INF, True), ("8", True), (None, True),
         (1e7, True), (0.5, False), (100.0, False)]
_NONNEG = [(-1.0, True), (-1e-300, True), (NAN, True), (INF, True), ("0", True), (None, True),
           (0.0, False), (1e300, False)]
_TOL = [(0.0, True), (-1e-3, True), (1.0, True), (2.0, True), (NAN, True), (INF, True), ("1e-9", True),
        (None, True), (1e-300, False), (0.999999, False)]
_FRAC = [(-0.1, True), (1.1, True), (NAN, True), (INF, True), ("0.5", True), (None, True), (0.0, False),
         (1.0, False)]
_STEP = [(0.0, True), (-1.0, True), (math.pi, True), (10.0, True), (NAN, True), (INF, True), ("1", True),
         (None, True), (1e-300, False)]
_SEED = [(NAN, True), (1.5, True), ("1", True), (None, True), (-1, True), (INF, True)]
_CHOICE = [("bogus", True), (None, True), (3, True), ("", True)]
_CALLABLE = [(None, True), (3, True), ("f", True)]
_RNG = [(None, True), (3, True), ("rng", True), ("@@legacy_rng", True)]
_RNG_OPT = [(3, True), ("rng", True), ("@@legacy_rng", True)]
_CHAIN = [(None, True), (3, True), ("chain", True), ({}, True), ({1.5: 1.0, 0: 0.5}, True),
          ({"1": 1.0, 0: 0.5}, True), ({0: NAN}, True), ({0: [[1.0, 2.0]]}, True), ([1.0, 2.0], True),
          ({0: np.eye(2), 1: np.eye(3)}, True), ({0: 1.0, 1: INF}, True), ("@@one_band", True),
          ("@@three_band", True)]
_CHAIN_ANY = [v for v in _CHAIN if v[0] not in ("@@one_band", "@@three_band")]
_CHAIN_MULTI = [v for v in _CHAIN if v[0] != "@@three_band"]          # J >= 2 bands (MSR)
_PMAP = [(None, True), ({}, True), ({1.5: 1.0, 0: 1.0}, True), ({"a": 1.0}, True), ({0: NAN}, True),
         ({0: "x"}, True), ([1.0, 2.0], True), (3, True), ({0: 1.0, INF: 1.0}, True)]
_PMAP0 = [(v, inv if v != {} else False) for v, inv in _PMAP]          # an empty entry is allowed
_MATRIX = [([[1.0, 2.0]], True), (np.zeros((2, 2, 2)), True), ([[NAN, 0.0], [0.0, 1.0]], True), ([], True),
           ("x", True), (None, True), (np.zeros((0, 0)), True), ([[INF]], True)]
_CONFIGS = [(np.zeros((2, 3)), True), (np.full((2, 9, 2), NAN), True), ([], True), ("x", True), (None, True),
            (np.zeros((2, 9, 3)), True)]
_MODEL = [(None, True), ("model", True), (3, True), ("@@linear_module", True)]
def _intseq_bad(lo: int, empty_ok: bool = False) -> list:
    return [([], not empty_ok), ([1.5], True), ([lo - 1], True), ([NAN], True), ("12", True), (None, True),
            ([lo, lo], False), ([-2], True), ([10 ** 12], True)]
_RANGE2 = [((1.0, 0.0), True), ((NAN, 1.0), True), ((0.0, INF), True), ((-1.0, 1.0), True), (None, True),
           ("ab", True), ((0.0, 1.0, 2.0), True), ((0.5, 0.5), True)]
_CURVE = [([1.0, NAN, 1j], True), ([1.0, 1j], True), ("x", True), (None, True), ([], True),
          ([[1.0, 2.0], [3.0]], True)]
_OPENCURVE = [v for v in _CURVE if v[0] != [1.0, 1j]]
_MAT2 = [v for v in _MATRIX if not (isinstance(v[0], np.ndarray) and v[0].shape == (2, 2, 2))]
_CPLXARR_INF = [(NAN, True), ([1.0, complex(NAN, 0.0)], True), (INF, False), ("x", True), (None, True),
                ([[1.0, 2.0], [3.0]], True), (1e300, False), ([], False)]
_REALARR_NAN = [(NAN, False), ([1.0, NAN], False), (INF, True), ("x", True), (None, True), ([[1.0, 2.0], [3.0]], True),
                ([1 + 1j], True)]
_MODULE = [v for v in _MODEL if v[0] != "@@linear_module"]
_BOOL = [("yes", True), (None, True), (2, True)]
# data for plots: NaN leaves a gap (allowed), inf and non-numbers are refused
_PLOTARR = [(NAN, False), ([1.0, NAN], False), (INF, True), ("x", True), (None, True), ([[1.0, 2.0], [3.0]], True),
            ({}, True)]
_ANYINT = [(1.5, True), (NAN, True), (INF, True), ("3", True), (None, True)]

KINDS: dict[str, list] = {
    "real": _REAL, "realarr": _REALARR, "cplx": _CPLX, "cplxarr": _CPLXARR, "pos": _POS, "nonneg": _NONNEG,
    "tol": _TOL, "frac": _FRAC, "step": _STEP, "seed": _SEED, "choice": _CHOICE, "callable": _CALLABLE,
    "rng": _RNG, "rng?": _RNG_OPT, "chain": _CHAIN_ANY, "chain2": _CHAIN, "pmap": _PMAP, "matrix": _MATRIX,
    "configs": _CONFIGS, "model": _MODEL, "range2": _RANGE2, "curve": _CURVE,
    "bool": _BOOL, "plotarr": _PLOTARR, "anyint": _ANYINT, "chainm": _CHAIN_MULTI, "pmap0": _PMAP0,
    "opencurve": _OPENCURVE, "mat2": _MAT2, "cplxarr_inf": _CPLXARR_INF, "realarr_nan": _REALARR_NAN,
    "module": _MODULE, "gmin": _GMIN,
}


def kind_values(kind: str) -> list:
    """Canonical (value, invalid) pairs of a kind; ``int:lo[:hi]`` and ``size:lo`` are parametrised.

    A trailing ``?`` marks an optional parameter: ``None`` is then a valid value.
    """
    if kind.endswith("?") and kind not in KINDS:
        return [(v, inv and v is not None) for v, inv in kind_values(kind[:-1])]
    if kind.startswith("int:"):
        parts = [int(p) for p in kind.split(":")[1:]]
        return _int_bad(parts[0], parts[1] if len(parts) > 1 else None)
    if kind.startswith("size:"):
        return _size_bad(int(kind.split(":")[1]))
    if kind.startswith("intseq"):
        parts = kind.split(":")
        return _intseq_bad(int(parts[1]) if len(parts) > 1 else 1, empty_ok=len(parts) > 2 and parts[2] == "e")
    return KINDS[kind]


# =========================================================================== worker-side objects
def resolve(value: Any) -> Any:
    """Turn "@@token" strings into objects (only in the worker)."""
    if not (isinstance(value, str) and value.startswith("@@")):
        return value
    import nhtopo_lib as nl

    if value == "@@legacy_rng":
        return np.random.RandomState(0)
    if value == "@@one_band":
        return nl.Chain({-1: 0.5, 1: 1.0})
    if value == "@@three_band":
        return nl.multiband_nn_chain([1.0, 0.5, 0.7], [0.8, 0.5, 0.6], [0.1, 0.0, -0.1])
    if value == "@@linear_module":
        import torch

        return torch.nn.Linear(3, 1)
    if value == "@@garbage_file":

        path = _scratch("garbage.pt")
        with open(path, "wb") as fh:
            fh.write(b"this is not a torch file")
        return path
    if value == "@@missing_file":
        return "/nonexistent/dir/model.pt"
    if value == "@@hn63":
        return nl.hatano_nelson(0.5, 1.0, mu=63)
    if value == "@@one_way":
        return nl.Chain({0: np.array([[0.0, 1.0], [0.3, 0.0]]), 1: np.array([[0.0, 0.0], [1.0, 0.0]])})
    if value == "@@msr_touching":
        return nl.multiband_nn_chain([1, 0.3, 1, 0.3], [1, 0.3, 1, 0.3], [0] * 4)
    if value == "@@open_curve":
        return _open_curve
    if value == "@@configs_array":
        return configs().x
    if value == "@@crossing_left5":
        return [nl.transitions.Crossing(x=0.5, left=5, right=0, n_sign_changes=1)]
    if value == "@@report_int_key":
        return {3: _sublattice_report()}
    if value == "@@bloch_J8":
        J = 8
        return nl.multiband_nn_bloch(np.ones(J), 0.5 * np.ones(J), np.zeros(J), np.exp(2j * np.pi * np.arange(8) / 8))
    raise KeyError(value)


def _scratch(name: str) -> str:
    """A per-worker scratch file (overwritten by every call; removed with the folder when the worker exits)."""
    import atexit
    import shutil
    import tempfile

    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = tempfile.mkdtemp(prefix="nhtopo_fuzz_")
        atexit.register(shutil.rmtree, _SCRATCH, True)
    return f"{_SCRATCH}/{name}"


_SCRATCH = None


def _open_curve(t):
    return np.exp(0.5j * np.asarray(t))


@dataclass
class Spec:
    """One public callable: ``make()`` returns ``(callable, kwargs)`` of a valid call."""

    name: str
    make: Callable[[], tuple[Callable, dict]]
    kinds: dict[str, str]
    nan_ok: bool = False          # the function documents NaN/inf in its result (e.g. "no EP" -> NaN)
    extra: list = field(default_factory=list)   # additional (param, value, invalid) cases


SPECS: dict[str, Spec] = {}


def spec(name: str, kinds: dict[str, str], *, nan_ok: bool = False, extra: list | None = None):
    """Decorator registering ``make`` under ``name``."""
    def deco(make):
        SPECS[name] = Spec(name, make, kinds, nan_ok, list(extra or []))
        return make
    return deco


# ---------------------------------------------------------------- cached valid objects
@lru_cache(None)
def _nl():
    import nhtopo_lib as nl

    return nl


def _ml():
    import nhtopo_lib.learning as ml

    return ml


def hn():
    return _nl().hatano_nelson(0.5, 1.0)


def ssh():
    return _nl().nh_ssh_yao_wang(1.1, 4 / 3, 1.0)


def ssh13():
    return _nl().nh_ssh_yao_wang(1.3, 4 / 3, 1.0)


def nn3():
    return _nl().multiband_nn_chain([1.0, 0.5, 0.7], [0.8, 0.5, 0.6], [0.1, 0.0, -0.1])


HAB, HBA = {0: 1.1 + 2 / 3, -1: 1.0}, {0: 1.1 - 2 / 3, 1: 1.0}


@lru_cache(None)
def gbz_obj():
    return _nl().solve_gbz(ssh())


@lru_cache(None)
def tracks_obj():
    return _nl().track_bands(nn3(), 0.0)


def flux():
    return _nl().aah_flux_coefficients(0.5, 0.3, 0.2, 0.0, 0.1, L=13)


def configs(n=8, L=8):
    ml = _ml()
    return ml.hatano_nelson_configurations(1, n, np.random.default_rng(0), L=L)


def cnn(L=8):
    ml = _ml()
    return ml.init_weights(ml.WindingCNN(L, kernels=4), 0)


def cnn_linear(L=8):
    ml = _ml()
    return ml.init_weights(ml.WindingCNN(L, kernels=4, hidden_relu=False), 0)


def curve(n=16, w=1):
    k = 2 * np.pi * np.arange(n + 1) / n
    return np.exp(1j * w * k)


# =========================================================================== the table
S = SPECS  # short alias

# ---------------------------------------------------------------- chain, laurent
spec("Chain", {"blocks": "chain", "name": "@skip"})(lambda: (_nl().Chain, {"blocks": {-1: 0.5, 1: 1.0}}))
spec("Chain.is_hermitian", {"atol": "nonneg"})(lambda: (hn().is_hermitian, {"atol": 1e-12}))
spec("Chain.gauge_transformed", {"r": "cplx"},
     extra=[("r", 0.0, True), ("r", 1e-300, False)])(lambda: (hn().gauge_transformed, {"r": 0.7}))
spec("Chain.bloch", {"beta": "cplxarr"},
     extra=[("beta", 0.0, True), ("beta", 1e200, False), ("beta", 1e-200, False)])(
    lambda: (_nl().hatano_nelson(1, 1, mu=2).bloch, {"beta": [1.0, 1j]}))
spec("Chain.bloch_k", {"k": "cplxarr"}, extra=[("k", -1e3j, False)])(lambda: (hn().bloch_k, {"k": [0.0, 1.0]}))
spec("Chain.bloch_energies", {"beta": "cplxarr"}, extra=[("beta", 0.0, True), ("beta", 1e200, False)])(
    lambda: (ssh().bloch_energies, {"beta": [1.0, 1j]}))
spec("Chain.obc_matrix", {"n_cells": "size:1"})(lambda: (hn().obc_matrix, {"n_cells": 5}))
spec("Chain.twisted_ring", {"n_cells": "size:2", "phi": "real"})(
    lambda: (hn().twisted_ring, {"n_cells": 5, "phi": 0.3}))
spec("Chain.pbc_matrix", {"n_cells": "size:2"})(lambda: (hn().pbc_matrix, {"n_cells": 5}))
spec("CharPoly.at_energy", {"E": "cplx"})(lambda: (ssh().char_poly.at_energy, {"E": 0.3}))
spec("LaurentPoly", {"coeffs": "@skip", "low": "anyint"},
     extra=[("coeffs", {1.5: 1.0}, True), ("coeffs", {0: NAN}, True), ("coeffs", [1.0, "x"], True),
            ("coeffs", None, True), ("coeffs", {"a": 1.0}, True)])(
    lambda: (_nl().LaurentPoly, {"coeffs": [1.0, 2.0], "low": -1}))


def _lp():
    return _nl().LaurentPoly({-1: 0.5, 1: 1.0})


spec("LaurentPoly.coefficient", {"n": "anyint"})(lambda: (_lp().coefficient, {"n": 1}))
spec("LaurentPoly.shift", {"k": "anyint"})(lambda: (_lp().shift, {"k": 2}))
spec("LaurentPoly.scaled", {"r": "cplx"}, extra=[("r", 0.0, True), ("r", 1e300, False)])(
    lambda: (_lp().scaled, {"r": 0.5}))
spec("LaurentPoly.allclose", {"other": "@skip", "atol": "nonneg"},
     extra=[("other", None, True), ("other", "x", True)])(
    lambda: (_lp().allclose, {"other": _lp(), "atol": 1e-12}))
spec("LaurentPoly.roots", {"method": "choice", "prec": "size:53"})(
    lambda: (_lp().roots, {"method": "numpy", "prec": 256}))
spec("LaurentPoly.winding_on_circle", {"radius": "pos", "method": "choice", "rtol": "tol"})(
    lambda: (_lp().winding_on_circle, {"radius": 1.0, "method": "numpy", "rtol": 1e-9}))
spec("certified_roots", {"coeffs": "cplxarr", "prec": "size:53", "tol": "pos?"},
     extra=[("coeffs", [0.0, 0.0, 0.0], True), ("coeffs", [1.0, 2.0, 0.0], False)])(
    lambda: (_nl().certified_roots, {"coeffs": [1.0, -3.0, 2.0], "prec": 128, "tol": 1e-20}))

# ---------------------------------------------------------------- models
spec("hatano_nelson", {"t_r": "cplx", "t_l": "cplx", "mu": "size:1", "onsite": "cplx"})(
    lambda: (_nl().hatano_nelson, {"t_r": 0.5, "t_l": 1.0, "mu": 1, "onsite": 0.0}))
spec("hatano_nelson_energy", {"k": "realarr", "t_r": "cplxarr", "t_l": "cplxarr", "mu": "size:1"})(
    lambda: (_nl().hatano_nelson_energy, {"k": [0.0, 1.0], "t_r": 0.5, "t_l": 1.0, "mu": 1}))
spec("hatano_nelson_winding", {"t_r": "cplxarr", "t_l": "cplxarr", "mu": "size:1"})(
    lambda: (_nl().hatano_nelson_winding, {"t_r": 0.5, "t_l": 1.0, "mu": 1}))
spec("off_diagonal_chain", {"h_ab": "pmap0", "h_ba": "pmap0"})(
    lambda: (_nl().off_diagonal_chain, {"h_ab": dict(HAB), "h_ba": dict(HBA)}))
spec("nh_ssh_yao_wang", {"t1": "real", "gamma": "real", "t2": "real", "t3": "real"})(
    lambda: (_nl().nh_ssh_yao_wang, {"t1": 1.1, "gamma": 4 / 3, "t2": 1.0, "t3": 0.0}))
spec("nh_ssh_yao_wang_gbz_radius", {"t1": "real", "gamma": "real"})(
    lambda: (_nl().nh_ssh_yao_wang_gbz_radius, {"t1": 1.1, "gamma": 4 / 3}))
spec("nh_ssh_nonreciprocal", {"t": "real", "delta": "real", "t_prime": "real"})(
    lambda: (_nl().nh_ssh_nonreciprocal, {"t": 0.5, "delta": 0.2, "t_prime": 1.0}))
spec("nh_ssh_energy_squared", {"k": "realarr", "t": "realarr", "delta": "realarr", "t_prime": "real"})(
    lambda: (_nl().nh_ssh_energy_squared, {"k": [0.0, 1.0], "t": 0.5, "delta": 0.2, "t_prime": 1.0}))
spec("nh_ssh_interband_winding", {"t": "realarr", "delta": "realarr", "t_prime": "real", "boundary_tol": "tol"})(
    lambda: (_nl().nh_ssh_interband_winding, {"t": 0.5, "delta": 0.2, "t_prime": 1.0, "boundary_tol": 1e-12}))
spec("nh_ssh_phase_boundaries", {"t_prime": "real"})(lambda: (_nl().nh_ssh_phase_boundaries, {"t_prime": 1.0}))
spec("off_diagonal_entries", {"chain": "chain2"})(lambda: (_nl().off_diagonal_entries, {"chain": ssh()}))
spec("nh_ssh_general", {p: "real" for p in ("t1", "t2", "t3", "gamma1", "gamma2", "gamma3")})(
    lambda: (_nl().nh_ssh_general, {"t1": 1.0, "t2": 1.0, "t3": 0.2, "gamma1": 0.3, "gamma2": 0.1,
                                    "gamma3": 0.0}))
spec("long_range_sublattice", {p: "cplx" for p in ("t1", "t1p", "t2", "t2p", "v", "u")})(
    lambda: (_nl().long_range_sublattice, {"t1": 1.0, "t1p": 0.5, "t2": 0.7, "t2p": 0.4, "v": 0.2, "u": 0.1}))
spec("chen_chang_kao_nh", {p: "real" for p in ("t0", "t1", "t2", "g1", "g2")})(
    lambda: (_nl().chen_chang_kao_nh, {"t0": 0.3, "t1": 1.0, "t2": 0.5, "g1": 0.1, "g2": 0.2}))
spec("ssh_creutz", {p: "real" for p in ("a", "b", "t1", "t2")})(
    lambda: (_nl().ssh_creutz, {"a": 1.0, "b": 0.5, "t1": 0.5, "t2": 1.0}))
spec("nh_ssh_creutz", {p: "real" for p in ("a", "b", "t1", "t2", "gamma")})(
    lambda: (_nl().nh_ssh_creutz, {"a": 1.0, "b": 0.5, "t1": 0.5, "t2": 1.0, "gamma": 0.2}))
spec("multiband_nn_chain", {"t_right": "cplxarr", "t_left": "cplxarr", "gamma": "cplxarr"})(
    lambda: (_nl().multiband_nn_chain, {"t_right": [1.0, 0.5], "t_left": [0.8, 0.5], "gamma": [0.1, -0.1]}))
spec("pt_three_band_chain", {"t": "real", "t3": "real", "gamma": "real"})(
    lambda: (_nl().pt_three_band_chain, {"t": 1.0, "t3": 0.5, "gamma": 0.3}))
spec("pt_three_band_ep_region", {"t": "realarr", "t3": "realarr", "gamma": "realarr"})(
    lambda: (_nl().pt_three_band_ep_region, {"t": 1.0, "t3": 0.5, "gamma": 0.3}))
spec("pt_three_band_ep_boundaries", {"t": "realarr", "gamma": "real"}, nan_ok=True)(
    lambda: (_nl().pt_three_band_ep_boundaries, {"t": [0.5, 1.0], "gamma": 0.3}))
spec("pt_three_band_edge_energies", {"t": "realarr", "gamma": "realarr"})(
    lambda: (_nl().pt_three_band_edge_energies, {"t": 1.0, "gamma": 0.3}))
spec("pt_three_band_summed_winding", {"t": "realarr", "t3": "realarr", "gamma": "realarr"},
     extra=[("t3", 0.0, True)])(
    lambda: (_nl().pt_three_band_summed_winding, {"t": 1.0, "t3": 0.5, "gamma": 0.3}))
spec("multiband_nn_bloch", {"t_right": "cplxarr", "t_left": "cplxarr", "gamma": "cplxarr", "beta": "cplxarr"},
     extra=[("beta", 0.0, True)])(
    lambda: (_nl().multiband_nn_bloch, {"t_right": [1.0, 0.5], "t_left": [0.8, 0.5], "gamma": [0.1, -0.1],
                                        "beta": [1.0, 1j]}))

# ---------------------------------------------------------------- winding
spec("wrap_phase", {"x": "realarr"})(lambda: (_nl().wrap_phase, {"x": [0.0, 4.0]}))
spec("phase_steps", {"z": "curve", "base": "cplx", "axis": "int:-1:0"})(
    lambda: (_nl().phase_steps, {"z": curve(), "base": 0.0, "axis": -1}))
spec("winding_number", {"z": "curve", "base": "cplx", "max_step": "step", "axis": "int:-1:0",
                        "on_unresolved": "choice", "rtol_on_curve": "tol"})(
    lambda: (_nl().winding_number, {"z": curve(), "base": 0.0, "max_step": np.pi / 2, "axis": -1,
                                    "on_unresolved": "raise", "rtol_on_curve": 1e-9}))


def _circle_f(t):
    return np.exp(3j * np.asarray(t))


spec("adaptive_winding", {"f": "callable", "base": "cplx", "t_range": "range2", "n_init": "size:3",
                          "max_step": "step", "max_points": "size:4"},
     extra=[("t_range", (0.0, 0.0), True), ("t_range", (0.0, 3.0), True), ("f", "@@open_curve", True)])(
    lambda: (_nl().adaptive_winding, {"f": _circle_f, "base": 0.0, "t_range": (0.0, 2 * np.pi), "n_init": 64,
                                      "max_step": np.pi / 4, "max_points": 4096}))
spec("det_winding", {"chain": "chain", "base_energy": "cplx", "radius": "pos", "n_init": "size:3",
                     "max_step": "step"},
     extra=[("chain", "@@hn63", False), ("n_init", 1, True)])(
    lambda: (_nl().det_winding, {"chain": hn(), "base_energy": 0.0, "radius": 1.0, "n_init": 64,
                                 "max_step": np.pi / 4}))
spec("det_winding_roots", {"chain": "chain", "base_energy": "cplx", "radius": "pos", "method": "choice"})(
    lambda: (_nl().det_winding_roots, {"chain": hn(), "base_energy": 0.0, "radius": 1.0, "method": "numpy"}))

# ---------------------------------------------------------------- spectra
_H = [[1.0, 0.5], [0.2, -1.0]]
_HH = [[1.0, 0.5], [0.5, -1.0]]
spec("eigvals", {"H": "matrix", "bits": "size:53?"})(lambda: (_nl().eigvals, {"H": _H, "bits": 64}))
spec("eigvals_certified", {"H": "matrix", "bits": "size:53"})(
    lambda: (_nl().eigvals_certified, {"H": _H, "bits": 128}))
spec("converged_eigvals", {"H": "matrix", "tol": "pos"},
     extra=[("bits", (192, 128), True), ("bits", (NAN, 128), True), ("bits", None, True), ("bits", (10, 20), True),
            ("bits", (128, 10 ** 9), True), ("bits", "ab", True)])(
    lambda: (_nl().converged_eigvals, {"H": _H, "bits": (128, 192), "tol": 1e-12}))
spec("obc_spectrum", {"chain": "chain", "n_cells": "size:1", "bits": "size:53?", "gauge_radius": "pos?"})(
    lambda: (_nl().obc_spectrum, {"chain": hn(), "n_cells": 6, "bits": None, "gauge_radius": None}))
spec("hermitian_eigvalsh", {"H": "matrix"})(lambda: (_nl().hermitian_eigvalsh, {"H": _HH}))
spec("check_hermitian", {"H": "matrix", "atol": "nonneg"})(lambda: (_nl().check_hermitian, {"H": _HH, "atol": 1e-12}))
spec("recommended_bits", {"n_cells": "size:1", "skin_radius": "pos", "margin": "int:0"})(
    lambda: (_nl().recommended_bits, {"n_cells": 50, "skin_radius": 0.5, "margin": 64}))
spec("smallest_magnitude", {"E": "cplxarr", "k": "int:1"})(
    lambda: (_nl().smallest_magnitude, {"E": [1.0, 0.1, -2.0], "k": 2}))
spec("spectrum_distance", {"a": "cplxarr", "b": "cplxarr"})(
    lambda: (_nl().spectrum_distance, {"a": [1.0, 2.0], "b": [2.0, 1.1]}))

# ---------------------------------------------------------------- gbz
spec("solve_gbz", {"chain": "chain", "points_per_loop": "size:16", "n_theta": "size:4", "rank_rtol": "tol",
                   "sym_rtol": "tol", "theta_min": "tol", "max_steps": "size:10"})(
    lambda: (_nl().solve_gbz, {"chain": ssh(), "points_per_loop": 100, "n_theta": 48, "rank_rtol": 1e-7,
                               "sym_rtol": 1e-13, "theta_min": 1e-4, "max_steps": 20000}))
spec("gbz_circle_radius", {"chain": "chain", "tol": "tol"})(
    lambda: (_nl().gbz_circle_radius, {"chain": ssh(), "tol": 1e-6, "points_per_loop": 100}))
spec("gbz_region_mask", {"chain": "chain", "z": "cplxarr"}, extra=[("z", 0.0, True)])(
    lambda: (_nl().gbz_region_mask, {"chain": ssh(), "z": [0.5, 1.0j]}))
spec("reduced_char_poly", {"chain": "chain", "rtol": "tol"})(
    lambda: (_nl().gbz.reduced_char_poly, {"chain": ssh(), "rtol": 1e-13}))
spec("GBZ.energies", {"i": "int:-1:0"})(lambda: (gbz_obj().energies, {"i": 0}))
spec("GBZ.sub_gbz_loops", {"i": "int:-1:0"})(lambda: (gbz_obj().sub_gbz_loops, {"i": 0}))
spec("GBZ.is_circle", {"rtol": "tol"})(lambda: (gbz_obj().is_circle, {"rtol": 1e-6}))
spec("GBZ.closed", {"i": "int:-1:0"})(lambda: (gbz_obj().closed, {"i": 0}))
spec("GBZ.max_step", {"i": "int:-1:0"})(lambda: (gbz_obj().max_step, {"i": 0}))
spec("GBZ.winding_about_origin", {"i": "int:-1:0"})(lambda: (gbz_obj().winding_about_origin, {"i": 0}))
spec("GBZ.distinct_z_loops", {"rtol": "tol"})(lambda: (gbz_obj().distinct_z_loops, {"rtol": 1e-6}))

# ---------------------------------------------------------------- pole-zero, zero modes
_CAB = {"h_ab": "pmap", "h_ba": "pmap"}
spec("sublattice_form", {"chain": "chain2", "rtol": "tol"}, nan_ok=True)(
    lambda: (_nl().sublattice_form, {"chain": ssh(), "rtol": 1e-10}))
spec("pole_zero_data", {**_CAB, "tie_rtol": "tol"})(
    lambda: (_nl().pole_zero_data, {"h_ab": dict(HAB), "h_ba": dict(HBA), "tie_rtol": 1e-9}))
spec("pole_zero_invariant", _CAB, extra=[("h_ab", "@@one_band", True), ("h_ab", "@@three_band", True)])(
    lambda: (_nl().pole_zero_invariant, {"h_ab": dict(HAB), "h_ba": dict(HBA)}))
spec("pole_zero_invariant_batch", {"ab_coeffs": "cplxarr", "ba_coeffs": "cplxarr", "ab_low": "int:-1000000:1000000",
                                   "ba_low": "int:-1000000:1000000", "tie_rtol": "tol"}, nan_ok=True,
     extra=[("ab_coeffs", np.zeros((0, 2)), True)])(
    lambda: (_nl().pole_zero_invariant_batch, {"ab_coeffs": [[1.0, 1.8]], "ba_coeffs": [[0.4, 1.0]],
                                               "ab_low": -1, "ba_low": 0, "tie_rtol": 1e-6}))
spec("gbz_winding_data", {**_CAB, "points_per_loop": "size:16", "max_refinements": "int:0:20",
                          "max_step": "step"})(
    lambda: (_nl().gbz_winding_data, {"h_ab": dict(HAB), "h_ba": dict(HBA), "points_per_loop": 200,
                                      "max_refinements": 3, "max_step": np.pi / 2}))
spec("gbz_invariant", {**_CAB, "points_per_loop": "size:16", "max_refinements": "int:0:20"},
     extra=[("*", {"h_ab": {1: 1.15, -2: 0.82, -1: 0.82}, "h_ba": {2: -0.7, -2: 0.82}}, True,
             "gap closing")])(
    lambda: (_nl().gbz_invariant, {"h_ab": dict(HAB), "h_ba": dict(HBA), "points_per_loop": 200,
                                   "max_refinements": 3}))
spec("m2_winding_on_loop", {"z_loop": "curve", **_CAB, "max_step": "step"})(
    lambda: (_nl().m2_winding_on_loop, {"z_loop": 0.7 * curve(64)[:-1], "h_ab": dict(HAB), "h_ba": dict(HBA),
                                        "max_step": np.pi / 2}))
spec("general_sublattice_invariant", {"chain": "chain2", "cluster_tol": "tol"})(
    lambda: (_nl().general_sublattice_invariant, {"chain": _nl().ssh_creutz(1.0, 0.5, 0.5, 1.0),
                                                  "cluster_tol": 1e-6}))
spec("kernel_ratio", {"A": "matrix"}, nan_ok=True)(lambda: (_nl().polezero.kernel_ratio, {"A": [[1.0, 2.0], [0.5, 1.0]]}))
spec("eigvec_ratio", {"chain": "chain2", "z": "cplxarr", "E": "cplxarr"}, nan_ok=True)(
    lambda: (_nl().eigvec_ratio, {"chain": ssh(), "z": [1.0, 1j], "E": [0.5, 0.7]}))
spec("m_sphere", {"M": "cplxarr_inf"},
     extra=[("M", complex(NAN, 0), True), ("M", [1.0, NAN], True)])(lambda: (_nl().m_sphere, {"M": [0.5, 2j]}))
spec("zero_mode_count", {**_CAB, "n_cells": "size:2"})(
    lambda: (_nl().zero_mode_count, {"h_ab": dict(HAB), "h_ba": dict(HBA), "n_cells": 60}))
spec("zero_mode_data", {**_CAB, "n_cells": "size:2"})(
    lambda: (_nl().zero_mode_data, {"h_ab": dict(HAB), "h_ba": dict(HBA), "n_cells": 60}))
# t1 = 1.3: at t1 = 1.1 (closer to the transition) the zero modes are not certified at 60 cells, so the valid
# call itself would be refused
spec("sublattice_report", {"chain": "chain2", "n_cells": "size:2", "points_per_loop": "size:16"})(
    lambda: (_nl().polezero.sublattice_report, {"chain": ssh13(), "n_cells": 60, "points_per_loop": 100}))
spec("gershgorin_enclosure", {"H": "matrix", "entry_rtol": "nonneg"})(
    lambda: (_nl().zeromodes.gershgorin_enclosure, {"H": _H, "entry_rtol": 0.0}))
spec("certified_zero_modes", {"chain": "chain", "n_cells": "size:2", "zero_tol": "tol", "min_gap": "tol",
                              "min_margin": "pos", "gauge_radius": "pos?", "max_hp_cells": "int:0"}, nan_ok=True)(
    lambda: (_nl().certified_zero_modes, {"chain": ssh(), "n_cells": 60, "zero_tol": 1e-6, "min_gap": 1e-3,
                                          "min_margin": 1e3, "gauge_radius": None, "max_hp_cells": 60}))

# ---------------------------------------------------------------- exceptional points
spec("nh_dirac_bloch", {"kx": "realarr", "ky": "realarr", "m": "real", "kappa_x": "real", "kappa_y": "real",
                        "delta_m": "real"})(
    lambda: (_nl().nh_dirac_bloch, {"kx": [0.0, 1.0], "ky": 0.5, "m": 0.3, "kappa_x": 0.5, "kappa_y": 0.0,
                                    "delta_m": 1.0}))
spec("nh_dirac_f", {"kx": "realarr", "ky": "realarr", "m": "realarr", "kappa_x": "realarr", "kappa_y": "realarr",
                    "delta_m": "realarr"})(
    lambda: (_nl().nh_dirac_f, {"kx": [0.0, 1.0], "ky": 0.5, "m": 0.3, "kappa_x": 0.5, "kappa_y": 0.0,
                                "delta_m": 1.0}))
spec("nh_dirac_exceptional_points", {"m": "realarr", "kappa_x": "realarr", "kappa_y": "realarr",
                                     "delta_m": "realarr"}, nan_ok=True)(
    lambda: (_nl().nh_dirac_exceptional_points, {"m": 0.3, "kappa_x": 0.5, "kappa_y": 0.0, "delta_m": 1.0}))
spec("nh_dirac_interband_winding", {"m": "realarr", "kappa_x": "realarr", "kappa_y": "realarr",
                                    "boundary_tol": "tol"})(
    lambda: (_nl().nh_dirac_interband_winding, {"m": 0.3, "kappa_x": 0.5, "kappa_y": 0.0, "boundary_tol": 1e-12}))
spec("nh_dirac_loops", {"m": "realarr", "kappa": "realarr", "L": "size:3", "delta_m": "real", "rng": "rng?",
                        "box": "pos", "max_radius": "pos"})(
    lambda: (_nl().nh_dirac_loops, {"m": [0.3, 0.6], "kappa": 0.5, "L": 16, "delta_m": 1.0,
                                    "rng": np.random.default_rng(0), "box": 5.0, "max_radius": 1.0}))
spec("circle_loop", {"centre": "realarr", "radius": "realarr", "L": "size:3"},
     extra=[("radius", 0.0, True), ("radius", -1.0, True), ("centre", [0.0, 1.0, 2.0], True)])(
    lambda: (_nl().circle_loop, {"centre": [0.0, 0.0], "radius": 1.0, "L": 16}))
spec("branch_tracked_gap", {"f": "opencurve"}, extra=[("f", [1.0, 0.0, 1j], True)])(
    lambda: (_nl().branch_tracked_gap, {"f": curve(16)}))
spec("open_phase_winding", {"z": "opencurve", "max_step": "step"})(
    lambda: (_nl().open_phase_winding, {"z": curve(16), "max_step": np.pi / 2}))
spec("two_band_discriminant", {"H": "mat2"})(
    lambda: (_nl().two_band_discriminant, {"H": _H}))


def _dirac_bloch(kx, ky):
    return _nl().nh_dirac_bloch(kx, ky, 0.3, 0.5)


spec("find_exceptional_points", {"bloch": "callable", "starts": "realarr", "tol": "tol", "merge": "pos"})(
    lambda: (_nl().find_exceptional_points, {"bloch": _dirac_bloch, "starts": [[0.0, 1.0]], "tol": 1e-12,
                                             "merge": 1e-6}))

# ---------------------------------------------------------------- transitions
_LINES = [[1.0, 1.0, -1.0], [-1.0, 1.0, -1.0]]
spec("distance_to_lines", {"points": "realarr", "lines": "realarr"},
     extra=[("lines", [[0.0, 0.0, 1.0]], True), ("points", [1.0, 2.0, 3.0], True)])(
    lambda: (_nl().distance_to_lines, {"points": [[0.1, 0.2]], "lines": _LINES}))
spec("threshold_split", {"s": "realarr", "T": "nonneg", "val_fraction": "frac", "rng": "rng?"},
     extra=[("val_fraction", 1.0, True), ("s", [-1.0, 1.0], True)])(
    lambda: (_nl().threshold_split, {"s": [0.1, 0.5, 0.9, 0.05], "T": 0.2, "val_fraction": 0.2,
                                     "rng": np.random.default_rng(0)}))


def _sampler(rng, n):
    return rng.uniform(-2, 2, size=(n, 2))


def _dist(p):
    return _nl().distance_to_lines(p, _LINES)


spec("sample_threshold_sets", {"sampler": "callable", "distance": "callable", "T": "nonneg",
                               "n_train": "size:0", "n_val": "size:0", "n_test": "size:0", "rng": "rng",
                               "batch": "size:1", "max_draws": "size:1"},
     extra=[("T", 100.0, True)])(
    lambda: (_nl().sample_threshold_sets, {"sampler": _sampler, "distance": _dist, "T": 0.2, "n_train": 20,
                                           "n_val": 5, "n_test": 5, "rng": np.random.default_rng(0),
                                           "batch": 100, "max_draws": 10 ** 5}))
spec("probability_crossings", {"x": "realarr", "probs": "realarr", "min_run": "int:1", "smooth": "int:1"},
     extra=[("smooth", 2, True)])(
    lambda: (_nl().probability_crossings, {"x": np.linspace(0, 1, 10),
                                           "probs": np.column_stack([np.linspace(1, 0, 10), np.linspace(0, 1, 10)]),
                                           "min_run": 2, "smooth": 1}))
spec("nh_ssh_configurations", {"points": "realarr", "L": "size:2", "t_prime": "real", "max_step": "step"})(
    lambda: (_nl().transitions.nh_ssh_configurations, {"points": [[0.2, 0.5], [1.5, 0.1]], "L": 16,
                                                       "t_prime": 1.0, "max_step": 0.99 * np.pi}))
spec("nh_dirac_configurations", {"points": "realarr", "rng": "rng", "L": "size:3", "delta_m": "real"})(
    lambda: (_nl().transitions.nh_dirac_configurations, {"points": [[0.3, 0.5], [1.0, 0.2]],
                                                         "rng": np.random.default_rng(0), "L": 32,
                                                         "delta_m": 1.0}))

# ---------------------------------------------------------------- tridiagonal, AAH
_D, _U, _LO = [0.1, 0.2, 0.3, 0.4], [1.0, 0.9, 1.1, 0.8], [0.5, 0.6, 0.4, 0.7]
spec("ring_flux_coefficients", {"diag": "cplxarr", "upper": "cplxarr", "lower": "cplxarr", "energy": "cplxarr",
                                "flux_sign": "choice"}, nan_ok=True)(
    lambda: (_nl().ring_flux_coefficients, {"diag": _D, "upper": _U, "lower": _LO, "energy": 0.05,
                                            "flux_sign": 1}))
spec("ring_matrix", {"diag": "cplxarr", "upper": "cplxarr", "lower": "cplxarr", "phi": "real",
                     "flux_sign": "choice"})(
    lambda: (_nl().ring_matrix, {"diag": _D, "upper": _U, "lower": _LO, "phi": 0.3, "flux_sign": 1}))
spec("chain_log_determinant", {"diag": "cplxarr", "upper": "cplxarr", "lower": "cplxarr", "energy": "cplxarr"},
     nan_ok=True)(
    lambda: (_nl().tridiagonal.chain_log_determinant, {"diag": _D, "upper": _U[:3], "lower": _LO[:3],
                                                       "energy": 0.05}))
spec("tridiagonal_eigvals", {"diag": "cplxarr", "coupling_products": "cplxarr", "method": "choice",
                             "sort": "choice"})(
    lambda: (_nl().tridiagonal_eigvals, {"diag": _D, "coupling_products": [0.5, 0.4, 0.3], "method": "auto",
                                         "sort": "real"}))
spec("symmetric_tridiagonal_eigvals_select", {"diag": "realarr", "offdiag": "realarr", "lo": "int:0:3",
                                              "hi": "int:0:3"})(
    lambda: (_nl().symmetric_tridiagonal_eigvals_select, {"diag": _D, "offdiag": [0.5, 0.4, 0.3], "lo": 1,
                                                          "hi": 2}))
spec("FluxCoefficients.scaled_values", {"phi": "realarr"})(lambda: (flux().scaled_values, {"phi": [0.0, 1.0]}))
spec("FluxCoefficients.log_det", {"phi": "realarr"})(lambda: (flux().log_det, {"phi": [0.0, 1.0]}))
spec("FluxCoefficients.unit_curve", {"n_phi": "size:3", "rtol": "tol"})(
    lambda: (flux().unit_curve, {"n_phi": 16, "rtol": 1e-8}))
spec("FluxCoefficients.winding", {"rtol": "tol", "on_unresolved": "choice"})(
    lambda: (flux().winding, {"rtol": 1e-8, "on_unresolved": "raise"}))
spec("FluxCoefficients", {"log_abs": "realarr", "phase": "cplxarr"})(
    lambda: (_nl().FluxCoefficients, {"log_abs": [0.0, 1.0, -1.0], "phase": [1.0, 1j, -1.0]}))

_AAH = {"L": "size:3", "beta": "real", "t": "pos"}
spec("aah_hoppings", {"V2": "realarr", **_AAH})(
    lambda: (_nl().aah_hoppings, {"V2": 0.3, "L": 13, "beta": 8 / 13, "t": 1.0}))
spec("aah_potential", {"V1": "realarr", "h": "realarr", "L": "size:3", "beta": "real"})(
    lambda: (_nl().aah_potential, {"V1": 0.5, "h": 0.1, "L": 13, "beta": 8 / 13}))
spec("aah_ring_matrix", {"V1": "real", "V2": "real", "alpha": "real", "h": "real", "phi": "real", **_AAH,
                         "flux_sign": "choice"})(
    lambda: (_nl().aah_ring_matrix, {"V1": 0.5, "V2": 0.3, "alpha": 0.2, "h": 0.1, "phi": 0.0, "L": 13,
                                     "beta": 8 / 13, "t": 1.0, "flux_sign": -1}))
spec("aah_obc_eigvals", {"V1": "realarr", "V2": "realarr", "h": "realarr", **_AAH, "method": "choice"})(
    lambda: (_nl().aah_obc_eigvals, {"V1": 0.5, "V2": 0.3, "h": 0.1, "L": 13, "beta": 8 / 13, "t": 1.0,
                                     "method": "auto"}))
spec("aah_flux_coefficients", {"V1": "realarr", "V2": "realarr", "alpha": "realarr", "h": "realarr",
                               "energy": "cplxarr", **_AAH, "flux_sign": "choice"}, nan_ok=True)(
    lambda: (_nl().aah_flux_coefficients, {"V1": 0.5, "V2": 0.3, "alpha": 0.2, "h": 0.1, "energy": 0.1,
                                           "L": 13, "beta": 8 / 13, "t": 1.0, "flux_sign": -1}))
spec("aah_base_energy", {"V1": "realarr", "V2": "realarr", "h": "realarr", "rule": "choice", **_AAH,
                         "method": "choice"})(
    lambda: (_nl().aah_base_energy, {"V1": 0.5, "V2": 0.3, "h": 0.1, "rule": "median-gap", "L": 13,
                                     "beta": 8 / 13, "t": 1.0, "method": "auto"}))
spec("aah_lyapunov_exponent", {"V1": "realarr", "V2": "realarr", "h": "realarr", "t": "pos"})(
    lambda: (_nl().aah_lyapunov_exponent, {"V1": 0.5, "V2": 0.3, "h": 0.1, "t": 1.0}))
spec("aah_phase_boundary", {"V2": "realarr", "alpha": "realarr", "h": "realarr", "t": "pos"})(
    lambda: (_nl().aah_phase_boundary, {"V2": 0.5, "alpha": 0.2, "h": 0.0, "t": 1.0}))
spec("aah_analytic_winding", {"V1": "realarr", "V2": "realarr", "alpha": "realarr", "h": "realarr", "t": "pos",
                              "flux_sign": "choice"})(
    lambda: (_nl().aah_analytic_winding, {"V1": 0.5, "V2": 0.3, "alpha": 0.2, "h": 0.1, "t": 1.0,
                                          "flux_sign": -1}))
spec("aah_dense_flux_curve", {"V1": "real", "V2": "real", "alpha": "real", "h": "real", "energy": "cplx",
                              "n_phi": "size:3", **_AAH, "flux_sign": "choice"})(
    lambda: (_nl().aah_dense_flux_curve, {"V1": 0.5, "V2": 0.3, "alpha": 0.2, "h": 0.1, "energy": 0.1,
                                          "n_phi": 8, "L": 13, "beta": 8 / 13, "t": 1.0, "flux_sign": -1}))
spec("aah_lyapunov_estimate", {"V1": "realarr", "V2": "realarr", "h": "realarr", "energy": "cplxarr", **_AAH})(
    lambda: (_nl().aah_lyapunov_estimate, {"V1": 0.5, "V2": 0.3, "h": 0.1, "energy": 0.1, "L": 13,
                                           "beta": 8 / 13, "t": 1.0}))
spec("aah_flux_curves", {"V1": "realarr", "V2": "realarr", "alpha": "realarr", "h": "realarr", "n_phi": "size:3",
                         "base_energy": "cplxarr?", **_AAH, "flux_sign": "choice"})(
    lambda: (_nl().aah_flux_curves, {"V1": 0.5, "V2": 0.3, "alpha": 0.2, "h": 0.1, "n_phi": 8,
                                     "base_energy": None, "L": 13, "beta": 8 / 13, "t": 1.0, "flux_sign": -1}))

# ---------------------------------------------------------------- MSR
spec("majorana_polynomial", {"psi": "cplxarr"}, extra=[("psi", [0.0, 0.0], True), ("psi", [1.0], True)])(
    lambda: (_nl().majorana_polynomial, {"psi": [1.0, 0.5, 0.2j]}))
spec("majorana_stars", {"psi": "cplxarr", "tol": "tol"}, nan_ok=True)(
    lambda: (_nl().majorana_stars, {"psi": [1.0, 0.5, 0.2j], "tol": 1e-13}))
spec("stars_to_xyz", {"theta": "realarr", "phi": "realarr_nan"},
     extra=[("theta", [INF], True), ("phi", [INF], True)])(
    lambda: (_nl().stars_to_xyz, {"theta": [0.5, 1.0], "phi": [0.1, 0.2]}))
spec("as_chain", {"blocks": "chainm"})(lambda: (_nl().as_chain, {"blocks": nn3()}))
spec("non_bloch_kappa", {"chain": "chain"})(lambda: (_nl().non_bloch_kappa, {"chain": nn3()}))
spec("non_bloch_bloch", {"chain": "chain", "k": "realarr", "kappa": "real"})(
    lambda: (_nl().non_bloch_bloch, {"chain": nn3(), "k": [0.0, 1.0], "kappa": 0.1}))
_TRACK = {"kappa": "real?", "k0": "real", "n_init": "size:2", "max_phase_step": "step", "max_star_step": "pos",
          "k_resolution": "pos", "max_points": "size:4"}
spec("track_bands", {"chain": "chainm", **_TRACK})(
    lambda: (_nl().track_bands, {"chain": nn3(), "kappa": 0.0, "k0": 0.0, "n_init": 64,
                                 "max_phase_step": np.pi / 4, "max_star_step": 0.25, "k_resolution": 1e-10,
                                 "max_points": 200000}))
spec("track_stars", {"tracks": "@skip", "band": "int:0:2", "periods": "int:1?"},
     extra=[("tracks", None, True), ("tracks", "x", True)])(
    lambda: (_nl().track_stars, {"tracks": tracks_obj(), "band": 0, "periods": None}))
spec("star_windings", {"chain": "chainm", "kappa": "real?"})(
    lambda: (_nl().star_windings, {"chain": nn3(), "kappa": 0.0}))
spec("msr_windings", {"blocks": "chainm", "kappa": "real?"})(
    lambda: (_nl().msr_windings, {"blocks": nn3(), "kappa": 0.0}))
spec("summed_winding", {"blocks": "chainm", "kappa": "real?"},
     extra=[("k0", 1e17, True)])(
    lambda: (_nl().summed_winding, {"blocks": nn3(), "kappa": 0.0}))
spec("summed_winding_batch", {"bloch": "cplxarr", "max_step": "step"}, nan_ok=True,
     extra=[("bloch", "@@bloch_J8", True)])(
    lambda: (_nl().summed_winding_batch, {"bloch": nn3().bloch(np.exp(2j * np.pi * np.arange(32) / 32)),
                                          "max_step": np.pi / 2}))
spec("nn_chain_summed_windings", {"t_right": "cplxarr", "t_left": "cplxarr", "gamma": "cplxarr",
                                  "kappa": "realarr", "levels": "intseq:3"}, nan_ok=True)(
    lambda: (_nl().nn_chain_summed_windings, {"t_right": [1.0, 0.5, 0.7], "t_left": [0.8, 0.5, 0.6],
                                              "gamma": [0.1, 0.0, -0.1], "kappa": 0.0, "levels": (32, 128)}))
spec("biorthogonal_zak_phases", {"blocks": "chainm", "kappa": "real?", "gauge": "choice?", "on_ep": "choice"},
     nan_ok=True)(
    lambda: (_nl().biorthogonal_zak_phases, {"blocks": nn3(), "kappa": 0.0, "gauge": None, "on_ep": "nan"}))
spec("isolated_edge_states", {"blocks": "chainm", "n_cells": "size:4", "n_long": "size:6?", "kappa": "real?",
                              "gamma_min": "gmin", "converge_tol": "tol", "cluster_tol": "tol",
                              "max_cells": "size:80?", "bits": "size:53?"},
     extra=[("n_long", 50, True), ("max_cells", 60, True)])(
    lambda: (_nl().isolated_edge_states, {"blocks": nn3(), "n_cells": 40, "n_long": None, "kappa": 0.0,
                                          "gamma_min": 8.0, "converge_tol": 1e-6, "cluster_tol": 1e-3,
                                          "max_cells": None, "bits": None}))
spec("beta_root_gap", {"chain": "chain", "E": "cplxarr"},
     extra=[("chain", "@@one_way", True, "one way")])(
    lambda: (_nl().beta_root_gap, {"chain": nn3(), "E": np.array([0.3 + 0.1j, 2.0])}))
spec("isolated_edge_count", {"blocks": "chainm"})(
    lambda: (_nl().isolated_edge_count, {"blocks": _nl().multiband_nn_chain([1.0, 0.5], [1.0, 0.5], [0, 0])}))
spec("subchain_edge_count", {"blocks": "chainm", "kappa": "real?", "tol": "tol"},
     extra=[("blocks", "@@msr_touching", True, "transition")])(
    lambda: (_nl().subchain_edge_count, {"blocks": nn3(), "kappa": 0.0, "tol": 1e-9}))
spec("msr_windings.touching", {}, extra=[("blocks", "@@msr_touching", True, "touch")])(
    lambda: (_nl().msr_windings, {"blocks": nn3()}))
spec("BandTracks.cycles", {})(lambda: (tracks_obj().cycles, {}))

# ---------------------------------------------------------------- notebook
spec("init_notebook", {"seed": "seed", "threads": "int:1:4096?"})(
    lambda: (_nl().init_notebook, {"seed": 0, "threads": 1}))

# ---------------------------------------------------------------- learning
_ML = "learning."
spec(_ML + "unit_modulus_features", {"z": "cplxarr", "base": "cplx"},
     extra=[("z", [0.0, 1.0], True)])(lambda: (_ml().unit_modulus_features, {"z": curve(8), "base": 0.0}))
spec(_ML + "encode_curves", {"z": "curve", "base": "cplx", "max_step": "step", "on_unresolved": "choice"})(
    lambda: (_ml().encode_curves, {"z": curve(8)[None], "base": 0.0, "max_step": np.pi / 2,
                                   "on_unresolved": "raise"}))
spec(_ML + "cnn_input", {"x": "configs"})(lambda: (_ml().cnn_input, {"x": configs().x}))
spec(_ML + "fcnn_input", {"x": "configs"})(lambda: (_ml().fcnn_input, {"x": configs().x}))
spec(_ML + "sample_complex_amplitudes", {"rng": "rng", "size": "size:0", "modulus_range": "range2",
                                         "phases": "choice"},
     extra=[("size", (2, -1), True), ("size", (2.5,), True), ("size", "ab", True), ("size", (10 ** 6, 10 ** 6), True)])(
    lambda: (_ml().sample_complex_amplitudes, {"rng": np.random.default_rng(0), "size": 4,
                                               "modulus_range": (0.0, 1.0), "phases": "uniform"}))
spec(_ML + "hatano_nelson_aspect_ratio", {"t_r": "cplxarr", "t_l": "cplxarr"},
     extra=[("*", {"t_r": 0.0, "t_l": 0.0}, True)])(
    lambda: (_ml().hatano_nelson_aspect_ratio, {"t_r": [0.5], "t_l": [1.0]}))
spec(_ML + "hatano_nelson_configurations", {"mu": "size:1", "n": "size:0", "rng": "rng", "L": "size:2",
                                            "sign": "choice?", "modulus_range": "range2",
                                            "max_aspect_ratio": "pos?", "phases": "choice"},
     extra=[("max_aspect_ratio", 1e-300, True), ("mu", 1.5, True)])(
    lambda: (_ml().hatano_nelson_configurations, {"mu": 1, "n": 4, "rng": np.random.default_rng(0), "L": 8,
                                                  "sign": None, "modulus_range": (0.0, 1.0),
                                                  "max_aspect_ratio": None, "phases": "uniform"}))
spec(_ML + "hatano_nelson_dataset", {"mus": "intseq", "n_per_mu": "size:1", "seed": "seed", "L": "size:2",
                                     "modulus_range": "range2", "near_gap_fraction": "frac",
                                     "near_gap_ratio": "pos", "phases": "choice"},
     extra=[("near_gap_ratio", 1e-300, True)])(
    lambda: (_ml().hatano_nelson_dataset, {"mus": [1], "n_per_mu": 4, "seed": 0, "L": 8,
                                           "modulus_range": (0.0, 1.0), "near_gap_fraction": 0.5,
                                           "near_gap_ratio": 0.1, "phases": "uniform"}))
spec(_ML + "laurent_band_curves", {"t_r": "cplxarr", "t_l": "cplxarr", "powers": "intseq", "L": "size:2"},
     extra=[("powers", (1, 1), True)])(
    lambda: (_ml().laurent_band_curves, {"t_r": [[0.5, 0.2]], "t_l": [[1.0, 0.1]], "powers": (1, 2), "L": 8}))
spec(_ML + "laurent_band_configurations", {"n": "size:0", "rng": "rng", "powers": "intseq", "L": "size:2",
                                           "modulus_range": "range2", "max_step": "step"}, nan_ok=True,
     extra=[("powers", (1, 1), True), ("powers", (1.5,), True)])(
    lambda: (_ml().laurent_band_configurations, {"n": 4, "rng": np.random.default_rng(0), "powers": (1, 2),
                                                 "L": 16, "modulus_range": (0.0, 1.0),
                                                 "max_step": np.pi - 1e-6}))
spec(_ML + "laurent_windings", {"coeffs": "cplxarr", "low": "anyint", "radius": "pos", "rtol": "tol"},
     nan_ok=True, extra=[("coeffs", np.zeros((0, 3)), True)])(
    lambda: (_ml().laurent_windings, {"coeffs": [[0.5, 0.0, 1.0]], "low": -1, "radius": 1.0, "rtol": 1e-9}))
spec(_ML + "split_configurations", {"data": "@skip", "sizes": "intseq:0:e", "seed": "seed"},
     extra=[("data", None, True), ("data", "x", True), ("sizes", [100], True)])(
    lambda: (_ml().split_configurations, {"data": configs(), "sizes": [4, 4], "seed": 0}))
spec(_ML + "class_indices", {"values": "realarr", "classes": "realarr"},
     extra=[("classes", [], True), ("values", [0.25], True)])(
    lambda: (_ml().class_indices, {"values": [0.0, 0.5], "classes": (0.0, 0.5, -0.5)}))
spec(_ML + "WindingCNN", {"L": "size:1", "kernels": "size:1", "hidden": "size:1", "n_out": "size:1"})(
    lambda: (_ml().WindingCNN, {"L": 8, "kernels": 4, "hidden": 2, "n_out": 1}))
spec(_ML + "WindingCNN.classifier", {"n_classes": "size:2", "L": "size:1"})(
    lambda: (_ml().WindingCNN.classifier, {"n_classes": 3, "L": 8}))
spec(_ML + "WindingFCNN", {"L": "size:1", "hidden": "intseq:1:e", "n_out": "size:1"})(
    lambda: (_ml().WindingFCNN, {"L": 8, "hidden": (4, 2), "n_out": 1}))
spec(_ML + "count_parameters", {"model": "module"})(lambda: (_ml().count_parameters, {"model": cnn()}))
spec(_ML + "init_weights", {"model": "module", "seed": "seed"})(lambda: (_ml().init_weights, {"model": cnn(), "seed": 0}))
spec(_ML + "TrainingConfig", {"loss": "choice", "max_epochs": "size:1", "batch_size": "size:1", "lr": "pos",
                              "weight_decay": "nonneg", "lr_schedule": "choice", "lr_factor": "tol",
                              "lr_patience": "int:0", "early_stopping_patience": "int:1", "seed": "seed",
                              "threads": "int:1:4096?", "engine": "choice"})(
    lambda: (_ml().TrainingConfig, {"loss": "mse", "max_epochs": 2, "lr": 1e-3}))


def _train_call():
    ml = _ml()
    d = configs(16)
    return ml.train, {"model": cnn(), "train_x": d.x[:12], "train_y": d.y[:12], "val_x": d.x[12:],
                      "val_y": d.y[12:], "config": ml.TrainingConfig(max_epochs=2, progress=False, batch_size=4)}


spec(_ML + "train", {"model": "model", "train_x": "configs", "train_y": "realarr", "val_x": "configs",
                     "val_y": "realarr"},
     extra=[("train_y", [1.0, 2.0], True), ("config", "x", True), ("*", {"train_x": np.zeros((0, 9, 2)), "train_y": np.zeros(0)}, True),
            ("*", {"val_x": np.zeros((0, 9, 2)), "val_y": np.zeros(0)}, True)])(_train_call)
spec(_ML + "train.classifier_labels", {}, extra=[("train_y", [0, 1, 5, 0, 1, 0, 1, 0, 1, 0, 1, 0], True),
                                                  ("train_y", [0.5] * 12, True)])(
    lambda: (_ml().train, {"model": _ml().WindingCNN.classifier(2, L=8), "train_x": configs(12).x,
                           "train_y": np.array([0, 1] * 6), "val_x": configs(4).x, "val_y": np.array([0, 1] * 2),
                           "config": _ml().TrainingConfig(loss="ce_bits", max_epochs=1, progress=False)}))
spec(_ML + "predict", {"model": "model", "x": "configs", "chunk": "size:1"})(
    lambda: (_ml().predict, {"model": cnn(), "x": configs().x, "chunk": 8192}))
spec(_ML + "predicted_winding", {"w_tilde": "realarr"})(lambda: (_ml().predicted_winding, {"w_tilde": [0.4, 1.6]}))
spec(_ML + "predicted_class", {"probabilities": "realarr"},
     extra=[("probabilities", [0.5, 0.5], True)])(
    lambda: (_ml().predicted_class, {"probabilities": [[0.2, 0.8], [0.9, 0.1]]}))
spec(_ML + "conv_activations", {"model": "model", "x": "configs"})(
    lambda: (_ml().conv_activations, {"model": cnn(), "x": configs().x}))
spec(_ML + "exact_phase_steps", {"x": "configs"})(lambda: (_ml().exact_phase_steps, {"x": configs().x}))
spec(_ML + "accuracy_by_label", {"predicted": "realarr", "true": "realarr"})(
    lambda: (_ml().accuracy_by_label, {"predicted": [1, 0], "true": [1, 1]}))
spec(_ML + "accuracy_by_abs_label", {"predicted": "realarr", "true": "realarr"})(
    lambda: (_ml().accuracy_by_abs_label, {"predicted": [1, 0], "true": [1, -1]}))
spec(_ML + "prediction_density", {"values": "realarr", "labels": "realarr", "bins": "realarr"})(
    lambda: (_ml().prediction_density, {"values": [0.1, 0.9], "labels": [0, 1], "bins": [0.0, 0.5, 1.0]}))
spec(_ML + "linear_fit", {"x": "realarr", "y": "realarr"}, extra=[("x", [1.0, 1.0, 1.0], True)])(
    lambda: (_ml().linear_fit, {"x": [0.0, 1.0, 2.0], "y": [0.1, 1.1, 1.9]}))
spec(_ML + "zero_step_activation", {"model": "model", "n_angles": "size:1"})(
    lambda: (_ml().zero_step_activation, {"model": cnn(), "n_angles": 36}))
spec(_ML + "sum_readout_predict", {"model": "model", "x": "configs"})(
    lambda: (_ml().sum_readout_predict, {"model": cnn(), "x": configs(L=16).x}))
spec(_ML + "pair_step_response", {"model": "model", "dtheta": "realarr", "n_directions": "size:1"},
     extra=[("dtheta", [4.0], True)])(
    lambda: (_ml().pair_step_response, {"model": cnn_linear(), "dtheta": [0.5, -0.5], "n_directions": 8}))
spec(_ML + "antipodal_step_error", {"model": "model", "deficits": "realarr", "n_directions": "size:1"},
     extra=[("deficits", [0.0], True)])(
    lambda: (_ml().antipodal_step_error, {"model": cnn_linear(), "deficits": [0.1, 0.5], "n_directions": 8}))
spec(_ML + "ramp_limited_windings", {"x": "configs", "width": "pos"})(
    lambda: (_ml().ramp_limited_windings, {"x": configs().x, "width": 0.1}))
spec(_ML + "step_error_windings", {"x": "configs", "deficits": "realarr", "errors": "realarr"},
     extra=[("deficits", [0.5, 0.1], True), ("errors", [0.1], True)])(
    lambda: (_ml().step_error_windings, {"x": configs().x, "deficits": [0.1, 0.5], "errors": [0.3, 0.1]}))
spec(_ML + "save_model", {"model": "model"},
     extra=[("path", None, True), ("path", 3, True), ("path", "/nonexistent/dir/x.pt", True)])(
    lambda: (_ml().save_model, {"model": cnn(), "path": _scratch("model.pt")}))
spec(_ML + "load_model", {},
     extra=[("path", "@@garbage_file", True), ("path", None, True), ("path", 3, True),
            ("path", "@@missing_file", True)])(
    lambda: (_ml().load_model, {"path": _ml().save_model(cnn(), _scratch("model.pt"))}))
spec(_ML + "Configurations", {"x": "configs", "y": "realarr"})(
    lambda: (_ml().Configurations, {"x": configs().x, "y": configs().y}))
spec(_ML + "Configurations.subset", {"idx": "@skip"},
     extra=[("idx", [100], True), ("idx", "x", True), ("idx", None, True), ("idx", [0.5], True)])(
    lambda: (configs().subset, {"idx": [0, 1]}))
spec(_ML + "Configurations.shuffled", {"seed": "seed"})(lambda: (configs().shuffled, {"seed": 0}))

# ---------------------------------------------------------------- plotting (validation of data arguments)


def _plt():
    import importlib

    return importlib.import_module("nhtopo_lib.plotting")


def _ax():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    return ax


spec("plot_spectrum", {"E": "plotarr"})(lambda: (_plt().plot_spectrum, {"ax": _ax(), "E": [1.0, 1j]}))
spec("plot_loop", {"z": "plotarr", "base": "cplx?", "n_arrows": "int:0"})(
    lambda: (_plt().plot_loop, {"ax": _ax(), "z": curve(16), "base": 0.0, "n_arrows": 4}))
spec("plot_phase_diagram", {"x": "realarr", "y": "realarr", "values": "plotarr"})(
    lambda: (_plt().plot_phase_diagram, {"ax": _ax(), "x": [0.0, 1.0], "y": [0.0, 1.0],
                                                 "values": [[0.0, 1.0], [1.0, 0.0]], "xlabel": "x",
                                                 "ylabel": "y"}))
spec("plot_middle_real_parts", {"E": "plotarr", "n_mid": "int:1"})(
    lambda: (_plt().plot_middle_real_parts, {"ax": _ax(), "E": np.linspace(-1, 1, 20), "n_mid": 10}))


def _ax3d():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot(projection="3d")


def _m2(z):
    return (1.0 + 0.5 / z) / (0.5 + z)


spec("label_complex_axes", {"quantity": "@skip"}, extra=[("ax", None, True), ("ax", "ax", True), ("quantity", 3, True)])(
    lambda: (_plt().label_complex_axes, {"ax": _ax(), "quantity": "E"}))
spec("plot_training_curves", {}, extra=[("histories", None, True), ("histories", {"net": [1.0, 2.0]}, True),
                                        ("histories", "x", True)])(
    lambda: (_plt().plot_training_curves, {"ax": _ax(), "histories": {"net": {"train": [1.0, 0.5], "val": [1.1, 0.6]}}}))
spec("plot_domain_coloring", {"f": "callable", "extent": "realarr", "n": "size:2"},
     extra=[("extent", [1.0, -1.0, -1.0, 1.0], True), ("extent", [0.0, 1.0, 0.0], True)])(
    lambda: (_plt().plot_domain_coloring, {"ax": _ax(), "f": _m2, "extent": (-2.0, 2.0, -2.0, 2.0), "n": 40,
                                           "colorbar": False}))
spec("plot_star_tracks", {}, extra=[("stars", None, True), ("stars", [[1.0, 2.0]], True), ("stars", 3, True),
                                    ("stars", [np.full((4, 3), INF)], True), ("ax", "@@linear_module", True)])(
    lambda: (_plt().plot_star_tracks, {"ax": _ax3d(), "stars": [_nl().stars_to_xyz([0.5, 1.0], [0.1, 0.2])]}))
spec("plot_m_sphere", {}, extra=[("curves", None, True), ("curves", [[1.0, NAN]], False), ("curves", 3, True),
                                 ("curves", [["x"]], True)])(
    lambda: (_plt().plot_m_sphere, {"ax": _ax3d(), "curves": [np.array([0.5, 1j, -2.0])]}))
spec("CharPoly.__call__", {"beta": "cplxarr", "E": "cplxarr"})(
    lambda: (ssh().char_poly.__call__, {"beta": [1.0, 1j], "E": 0.3}))
spec("ReducedCharPoly.z_roots", {"eps": "cplxarr"}, nan_ok=True)(
    lambda: (_nl().gbz.reduced_char_poly(ssh()).z_roots, {"eps": [0.3, 1.0]}))
spec("ReducedCharPoly.eps_roots", {"z": "cplxarr"}, nan_ok=True, extra=[("z", 0.0, True)])(
    lambda: (_nl().gbz.reduced_char_poly(ssh()).eps_roots, {"z": [0.5, 1j]}))
spec(_ML + "Configurations.concatenate", {}, extra=[("parts", None, True), ("parts", [None], True),
                                                     ("parts", [], True), ("parts", "ab", True)])(
    lambda: (_ml().Configurations.concatenate, {"parts": [configs(), configs()]}))

# ---------------------------------------------------------------- added after the first fuzz suite
# (networks that count by construction, the paper-scale helpers, notebook/table helpers, the figures of
# the MSR and transition chapters, the pole-zero report table and the parameter sweep)


@lru_cache(None)
def _tiny_hn_sets(L=8):
    """Tiny labelled Hatano--Nelson training and validation sets (8 and 4 curves of L = 8 steps)."""
    ml = _ml()
    return ml.hatano_nelson_dataset([1], 8, seed=0, L=L), ml.hatano_nelson_dataset([1], 4, seed=1, L=L)


spec(_ML + "AntisymmetricWindingCNN", {"L": "size:1", "kernels": "size:1", "rotations": "size:1",
                                       "reflection": "bool", "gain": "pos"})(
    lambda: (_ml().AntisymmetricWindingCNN, {"L": 8, "kernels": 4, "rotations": 2, "reflection": True,
                                             "gain": 30.0}))
spec(_ML + "ReversalSymmetricCNN", {"L": "size:1", "kernels": "size:1", "hidden": "size:1", "hidden_relu": "bool"})(
    lambda: (_ml().ReversalSymmetricCNN, {"L": 8, "kernels": 4, "hidden": 2, "hidden_relu": False}))
# epochs: "int:1" rather than "size:1" -- 10**7 epochs would be a legitimate request that runs for hours
spec(_ML + "train_antisymmetric_cnn", {"kernels": "size:1", "gain": "pos", "rotations": "size:1",
                                       "reflection": "bool", "epochs": "int:1", "batch_size": "size:1",
                                       "lr": "pos", "lr_factor": "tol", "weight_decay": "nonneg", "seed": "seed",
                                       "progress": "bool"},
     extra=[("train_set", None, True), ("train_set", "x", True), ("train_set", "@@configs_array", True),
            ("val_set", None, True), ("val_set", 3, True), ("epochs", 10 ** 8, True), ("epochs", 10 ** 12, True)])(
    lambda: (_ml().train_antisymmetric_cnn, {"train_set": _tiny_hn_sets()[0], "val_set": _tiny_hn_sets()[1],
                                             "kernels": 4, "gain": 30.0, "rotations": 1, "reflection": False,
                                             "epochs": 1, "batch_size": 8, "lr": 3e-3, "lr_factor": 0.1,
                                             "weight_decay": 0.0, "seed": 0, "progress": False}))
spec(_ML + "direction_dependent_fit", {"theta": "realarr", "dtheta": "realarr", "activation": "realarr",
                                       "harmonics": "int:0"},
     extra=[("theta", [0.0, 1.0], True), ("activation", np.ones(40), True), ("harmonics", 20, True),
            ("harmonics", 10 ** 12, True)])(
    lambda: (_ml().direction_dependent_fit, _ddf_args()))


def _ddf_args():
    rng = np.random.default_rng(0)
    theta = rng.uniform(0.0, 2 * np.pi, 40)
    dtheta = rng.normal(size=40)
    act = 0.3 + 0.5 * dtheta + 0.1 * np.cos(theta) + 0.01 * rng.normal(size=40)
    return {"theta": theta, "dtheta": dtheta, "activation": act, "harmonics": 3}


spec(_ML + "hatano_nelson_paper_sets", {"L": "size:2", "test_mus": "intseq", "n_train_per_mu": "size:1",
                                        "n_val_per_mu": "size:1", "n_test_per_sign": "size:1"},
     extra=[("seeds", None, True), ("seeds", (1, 2), True), ("seeds", (1.5, 2, 3), True), ("seeds", "abc", True),
            ("seeds", (-1, 2, 3), True), ("test_mus", [4], True), ("L", 6, True)])(
    lambda: (_ml().hatano_nelson_paper_sets, {"L": 8, "test_mus": (1,), "n_train_per_mu": 2, "n_val_per_mu": 2,
                                              "n_test_per_sign": 2, "seeds": (1, 2, 3)}))
spec(_ML + "paper_training_config", {"max_epochs": "size:1", "seed": "seed"},
     extra=[("desc", None, True), ("desc", 3, True)])(
    lambda: (_ml().paper_training_config, {"desc": "x", "max_epochs": 2, "seed": 0}))
# max_epochs: "int:1" (see epochs above)
spec(_ML + "train_paper_networks", {"max_epochs": "int:1", "seed": "seed"},
     extra=[("train_set", None, True), ("train_set", "x", True), ("val_set", None, True), ("val_set", 3, True),
            ("names", "CNN", True), ("names", None, True), ("names", [], True), ("names", ["bogus"], True),
            ("names", [3], True), ("max_epochs", 10 ** 8, True)])(
    lambda: (_ml().train_paper_networks, {"train_set": _tiny_hn_sets()[0], "val_set": _tiny_hn_sets()[1],
                                          "max_epochs": 1, "seed": 0}))


def _nb():
    import importlib

    return importlib.import_module("nhtopo_lib.notebook")


def _text_figure():
    """A figure with a title and tick labels, outside pyplot's registry (freed with its last reference)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.0, 1.5))
    FigureCanvasAgg(fig)
    fig.add_subplot().set_title("t", fontsize=9)
    return fig


spec("figure_min_text_px", {"dpi": "pos?"},
     extra=[("fig", None, True), ("fig", "x", True), ("fig", 3, True), ("fig", "@@linear_module", True)])(
    lambda: (_nb().figure_min_text_px, {"fig": _text_figure(), "dpi": 100.0}))
spec("progress_bar", {"disable": "bool?"}, extra=[("iterable", 3, True), ("iterable", 1.5, True)])(
    lambda: (_nb().progress_bar, {"iterable": range(3), "disable": True}))
spec("markdown_table", {"align": "choice?"},
     extra=[("header", None, True), ("header", 3, True), ("header", "ab", True), ("header", [], True),
            ("header", ["a|b", "c"], True), ("rows", None, True), ("rows", 3, True), ("rows", [["a"]], True),
            ("rows", ["ab"], True), ("rows", [["a", "b|c"]], True), ("rows", [], False)])(
    lambda: (_nb().markdown_table, {"header": ["a", "b"], "rows": [[1, 2.5], ["x", "y"]], "align": "lr"}))
spec("pct", {"x": "real", "digits": "int:0:20"}, extra=[("x", -1.7e308, True)])(
    lambda: (_nb().pct, {"x": 0.9876, "digits": 1}))


@lru_cache(None)
def _edges():
    return _nl().isolated_edge_states(nn3(), n_cells=40)


spec("plot_edge_spectrum", {"chain": "chain", "kappa": "real", "pbc": "bool", "n_k": "size:2"},
     extra=[("edges", None, True), ("edges", "x", True), ("edges", 3, True), ("ax", None, True),
            ("title", 3, True), ("title", None, True)])(
    lambda: (_plt().plot_edge_spectrum, {"ax": _ax(), "chain": nn3(), "edges": _edges(), "kappa": 0.1,
                                         "title": "t", "pbc": True, "n_k": 60}))


def _crossing(left=0):
    return _nl().transitions.Crossing(x=0.5, left=left, right=1 - left, n_sign_changes=1)


_P10 = np.column_stack([np.linspace(1, 0, 10), np.linspace(0, 1, 10)])
spec("plot_class_probabilities", {"x": "realarr", "probs": "realarr", "exact": "realarr", "ms": "pos"},
     extra=[("ax", None, True), ("names", None, True), ("names", 3, True), ("names", "ab", True),
            ("probs", 2 * _P10 - 0.5, True), ("crossings", None, True), ("crossings", [3], True),
            ("crossings", "@@crossing_left5", True), ("colors", ["C0"], True), ("colors", 3, True),
            ("colors", "rb", True), ("xlabel", 3, True), ("xlabel", None, True), ("legend_kw", "x", True),
            ("legend_kw", 3, True)])(
    lambda: (_plt().plot_class_probabilities, {"ax": _ax(), "x": np.linspace(0, 1, 10), "probs": _P10,
                                               "names": ["A", "B"], "crossings": [_crossing()], "exact": [0.5],
                                               "colors": None, "xlabel": "x", "legend_kw": None, "ms": 3.0}))


@lru_cache(None)
def _sublattice_report():
    return _nl().polezero.sublattice_report(ssh13(), 60, points_per_loop=100)


spec("report_table", {},
     extra=[("reports", None, True), ("reports", 3, True), ("reports", "x", True), ("reports", {"a": 3}, True),
            ("reports", {"a": None}, True), ("reports", [1, 2], True), ("reports", "@@report_int_key", True),
            ("reports", {}, False)])(
    lambda: (_nl().polezero.report_table, {"reports": {"SSH": _sublattice_report()}}))


def sweep_square(a):
    """A picklable function for the sweep specs (module level, so workers can import it by name)."""
    return a * a


def _sw():
    import importlib

    return importlib.import_module("nhtopo_lib.sweep")


_SWEEP_EXTRA = [
    ("grid", None, True, "exactly one"), ("grid", 3, True), ("grid", "ab", True), ("grid", {}, True),
    ("grid", {"a": [0.0, NAN]}, True, "'a'"), ("grid", {"a": []}, True, "'a'"), ("grid", {"a": "xyz"}, True, "'a'"),
    ("grid", {"a": [None, 1.0]}, True, "'a'"), ("grid", {"a": [1.0, 1.0]}, True, "'a'"),
    ("grid", {"b": [1.0]}, True), ("grid", {3: [1.0]}, True, "parameter names"),
    ("grid", {"a": np.ones((2, 2))}, True, "'a'"),
    ("*", {"grid": None, "points": {"a": [0.0, 1.0]}}, False), ("points", {"a": [0.0, 1.0]}, True, "exactly one"),
    ("*", {"grid": None, "points": []}, True, "points"), ("*", {"grid": None, "points": 3}, True, "points"),
    ("*", {"grid": None, "points": [{"a": 1.0}, {"b": 1.0}]}, True, "points"),
    ("dtype", "x", True), ("dtype", str, True), ("dtype", 3.5, True), ("*", {"dtype": int}, True, "fill_value"),
    ("*", {"dtype": int, "fill_value": 1.5}, True, "fill_value"), ("fill_value", "x", True),
    ("checkpoint", 3, True), ("checkpoint", "@@garbage_file", True), ("name", 3, True),
]
spec("Sweep", {"func": "callable", "chunk_size": "int:1?"}, extra=_SWEEP_EXTRA)(
    lambda: (_sw().Sweep, {"func": sweep_square, "grid": {"a": [0.0, 1.0, 2.0]}, "chunk_size": 2}))
spec("parameter_sweep", {"func": "callable", "chunk_size": "int:1?", "progress": "bool?"},
     extra=_SWEEP_EXTRA + [("executor", "dask", True), ("executor", 3, True)])(
    lambda: (_sw().parameter_sweep, {"func": sweep_square, "grid": {"a": [0.0, 1.0, 2.0]}, "chunk_size": 2,
                                     "progress": False}))
