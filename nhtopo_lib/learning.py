"""Neural networks that learn spectral winding numbers (shared by the machine-learning chapters).

The set-up follows Zhang et al., Phys. Rev. A 103, 012419 (2021), whose convolutional
network is the one Zhang, Shen & Zhai (PRL 120, 066401, 2018) used for Hermitian
windings.  Everything here is deliberately small and explicit; the code is ours.

**Data conventions.**

* A *configuration* is a closed complex curve ``z(k_n)`` sampled at ``L + 1`` points
  ``k_n = 2 pi n / L``, ``n = 0..L`` -- **both ends included**, so ``z_L = z_0``.  It is
  normalised point by point onto the unit circle around the base point ``b``:
  ``u_n = (z_n - b) / |z_n - b|`` and stored as ``d(n) = [Re u_n, Im u_n]``, a float32
  array of shape ``(N, L + 1, 2)``.  Only the phases survive, which is all the winding
  depends on.
* CNN input: ``(N, 1, L + 1, 2)`` (a one-channel "image", rows = ``k``); FCNN input:
  ``(N, 2 (L + 1))`` flattened row by row (``Re u_0, Im u_0, Re u_1, ...``).
* Labels come from exact formulas or independent algorithms (closed forms, the
  discrete winding formula with its refusal of under-resolved loops, roots of Laurent
  polynomials) -- never from a network.
* Windings count counter-clockwise as positive (see :mod:`nhtopo_lib.winding`).

**Networks** (paper architecture; parameter counts for ``L = 32``):

* :class:`WindingCNN` -- ``Conv2d(1 -> 32, 2x2)`` + ReLU, ``Conv2d(32 -> 1, 1x1)`` + ReLU,
  flatten to the ``L`` activations ``a_n``, ``Linear(L -> hidden)`` + ReLU,
  ``Linear(hidden -> n_out)``.  Regression (``hidden=2, n_out=1``): 262 parameters;
  classifiers (``hidden=16``): 772 (3 classes) / 755 (2 classes).  No padding: the
  2x2 kernel slides over the ``L`` neighbour pairs ``(u_{n-1}, u_n)``, exactly the
  ``L`` terms of the discrete winding formula.
* :class:`WindingFCNN` -- ``2(L+1) -> 32 -> 2 -> 1`` with ReLU (2213 parameters).

Training (:func:`train`) follows Appendix A of the paper: Xavier-normal weights, zero
biases, Adam (lr 1e-3), ``ReduceLROnPlateau`` (x0.1, patience 20) on the validation
loss, L2 strength 1e-4 (Adam ``weight_decay``), early stopping with best-weights
restore, mini-batches of 64; MSE for regression, cross-entropy in bits
(``CE / ln 2``) for classification.  Runs are deterministic for a given seed (one
torch thread by default).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike
from torch import nn

from . import _validate as _v
from .chain import MAX_REACH
from .models import hatano_nelson_energy, hatano_nelson_winding
from .winding import DEFAULT_MAX_STEP, winding_number, wrap_phase

__all__ = [
    "Configurations",
    "unit_modulus_features",
    "encode_curves",
    "cnn_input",
    "fcnn_input",
    "sample_complex_amplitudes",
    "hatano_nelson_aspect_ratio",
    "hatano_nelson_configurations",
    "hatano_nelson_dataset",
    "laurent_band_curves",
    "laurent_band_configurations",
    "laurent_windings",
    "split_configurations",
    "class_indices",
    "WindingCNN",
    "WindingFCNN",
    "AntisymmetricWindingCNN",
    "ReversalSymmetricCNN",
    "UNIT_MODULUS_TOL",
    "count_parameters",
    "init_weights",
    "TrainingConfig",
    "TrainingResult",
    "train",
    "train_antisymmetric_cnn",
    "machine_fingerprint",
    "predict",
    "predicted_winding",
    "predicted_class",
    "conv_activations",
    "exact_phase_steps",
    "accuracy_by_label",
    "accuracy_by_abs_label",
    "prediction_density",
    "linear_fit",
    "direction_dependent_fit",
    "zero_step_activation",
    "sum_readout_predict",
    "pair_step_response",
    "antipodal_step_error",
    "ramp_limited_windings",
    "step_error_windings",
    "AMPLITUDE_PHASES",
    "save_model",
    "load_model",
    "HN_MAX_STEP",
    "HN_PAPER_NETWORKS",
    "hatano_nelson_paper_sets",
    "paper_training_config",
    "train_paper_networks",
]

#: Largest admissible wrapped phase step for curves whose phase is *monotone* in ``k``
#: (Hatano--Nelson ellipses): for them every step below pi is counted correctly, so the
#: generic safety margin (``pi/2``) is not needed.  Steps within ``1e-6`` of pi are refused.
HN_MAX_STEP = np.pi - 1e-6


# ====================================================================== data
@dataclass
class Configurations:
    """A labelled set of configurations.

    Attributes
    ----------
    x
        float32 array ``(N, L + 1, 2)``: the unit-modulus curves ``[Re u_n, Im u_n]``.
    y
        ``(N,)`` labels (winding numbers as floats, or class values).
    meta
        Per-configuration extra arrays (model parameters, hopping range ``mu``, ...),
        each of length ``N``.
    """

    x: np.ndarray
    y: np.ndarray
    meta: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self):
        self.x = _v.real_array(self.x, "x").astype(np.float32)
        self.y = _label_array(self.y, "y")   # labels may be NaN (unresolved curves)
        if self.x.ndim != 3 or self.x.shape[-1] != 2:
            raise ValueError(f"x must have shape (N, L+1, 2), got {self.x.shape}")
        if self.y.ndim != 1:
            raise ValueError(f"y must be one-dimensional (one label per configuration), got shape {self.y.shape}")
        if not isinstance(self.meta, dict):
            raise TypeError(f"meta must be a dict of per-configuration arrays, got {type(self.meta).__name__}")
        if len(self.y) != len(self.x):
            raise ValueError(f"x has {len(self.x)} configurations but y has {len(self.y)} labels")
        for key, v in self.meta.items():
            if len(v) != len(self.x):
                raise ValueError(f"meta[{key!r}] has length {len(v)}, expected {len(self.x)}")

    def __len__(self) -> int:
        return len(self.x)

    @property
    def L(self) -> int:
        """Number of steps ``L`` (the curve has ``L + 1`` points)."""
        return self.x.shape[1] - 1

    def subset(self, idx: ArrayLike) -> "Configurations":
        """The configurations selected by an index array or boolean mask."""
        idx = _index_array(idx, len(self), "idx")
        return Configurations(self.x[idx], self.y[idx], {k: v[idx] for k, v in self.meta.items()})

    @staticmethod
    def concatenate(parts: Sequence["Configurations"]) -> "Configurations":
        """Join several sets (their ``meta`` keys must agree)."""
        if isinstance(parts, (str, bytes)) or not hasattr(parts, "__iter__"):
            raise TypeError(f"parts must be a sequence of Configurations, got {type(parts).__name__}")
        parts = list(parts)
        if any(not isinstance(p, Configurations) for p in parts):
            raise TypeError("parts must contain Configurations only")
        if not parts:
            raise ValueError("parts is empty: nothing to concatenate")
        keys = set(parts[0].meta)
        if any(set(p.meta) != keys for p in parts):
            raise ValueError("the parts carry different meta keys")
        return Configurations(np.concatenate([p.x for p in parts]), np.concatenate([p.y for p in parts]),
                              {k: np.concatenate([p.meta[k] for p in parts]) for k in keys})

    def shuffled(self, seed: int) -> "Configurations":
        """A copy in a seeded random order."""
        seed = _check_seed(seed)
        return self.subset(np.random.default_rng(seed).permutation(len(self)))


def _label_array(y, name: str) -> np.ndarray:
    """Labels as an array: integer labels stay integers (class indices), anything else must be real numbers."""
    if torch.is_tensor(y):
        y = y.detach().cpu().numpy()
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(f"{name} must be an array of labels, got {type(y).__name__}")
    if isinstance(y, np.ndarray) and y.dtype.kind in "iub":
        return y
    if not isinstance(y, np.ndarray):
        flat = np.ravel(np.asarray(y, dtype=object))
        if flat.size and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in flat):
            return np.asarray(y)
    return _v.real_array(y, name, finite=False)


def _check_seed(seed, name: str = "seed") -> int:
    return _v.check_int(seed, name, lo=0, fix="seeds are non-negative integers")


def _index_array(idx, n: int, name: str) -> np.ndarray:
    """An integer index array within ``-n .. n-1`` or a boolean mask of length ``n``."""
    if isinstance(idx, (str, bytes)) or idx is None:
        raise TypeError(f"{name} must be an index array or a boolean mask, got {type(idx).__name__}")
    arr = np.asarray(idx)
    if arr.dtype.kind == "b":
        if arr.shape != (n,):
            raise ValueError(f"{name}: a boolean mask must have shape ({n},), got {arr.shape}")
        return arr
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must contain integer indices (or be a boolean mask), got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.max() >= n or arr.min() < -n):
        raise ValueError(f"{name}: indices must lie in {-n}..{n - 1} for {n} configurations")
    return arr


def _check_range2(r, name: str = "modulus_range") -> tuple[float, float]:
    if isinstance(r, (str, bytes)) or not hasattr(r, "__len__") or len(r) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {r!r}")
    lo, hi = _v.check_real(r[0], f"{name}[0]"), _v.check_real(r[1], f"{name}[1]")
    if not (0 <= lo < hi):
        raise ValueError(f"{name}=({lo:g}, {hi:g}) must satisfy 0 <= low < high")
    return lo, hi


def _check_L(L, name: str = "L", lo: int = 2) -> int:
    return _v.check_size(L, name, lo=lo, cap=10 ** 6, cost=lambda n: "each curve is stored with L + 1 points",
                         fix="the networks of the book use L = 32")


def _check_count(n, name: str, per_item: float, lo: int = 0) -> int:
    n = _v.check_int(n, name, lo=lo)
    _v.check_elements(float(n) * per_item, name, n, itemsize=1)
    return n


def _check_module(model, name: str = "model") -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module (e.g. WindingCNN), got {type(model).__name__}")
    return model


def _check_cnn(model, name: str = "model") -> "WindingCNN":
    if not isinstance(model, WindingCNN):
        raise TypeError(f"{name} must be a WindingCNN, got {type(model).__name__}")
    return model


def unit_modulus_features(z: ArrayLike, base: complex = 0.0) -> np.ndarray:
    """Project sampled curves onto the unit circle around ``base``: ``(..., P) -> (..., P, 2)`` float32.

    Raises ValueError for NaN/inf samples or a sample exactly at the base point (its
    direction is undefined).  No other checks: use :func:`encode_curves` for curves that
    are to be labelled.
    """
    z = _v.complex_array(z, "z", finite=False)
    base = _v.check_complex(base, "base")
    if not np.all(np.isfinite(z)):
        raise ValueError("z: the curves contain NaN or inf values; fix the input before encoding it")
    with np.errstate(over="ignore", invalid="ignore"):
        d = z - base
    if not np.all(np.isfinite(d)):
        raise ValueError("z - base overflows; rescale the curves (z) and the base point (base)")
    mag = np.abs(d)
    if not np.all(np.isfinite(mag)):
        raise ValueError("z: |z - base| overflows; rescale the curves")
    if np.any(mag == 0):
        raise ValueError("z: a sample lies exactly on the base point: its direction (and the winding) "
                         "is undefined; move the base point or drop that curve")
    u = d / mag
    return np.stack([u.real, u.imag], axis=-1).astype(np.float32)


def encode_curves(z: ArrayLike, base: complex = 0.0, *, max_step: float = DEFAULT_MAX_STEP,
                  on_unresolved: str = "raise") -> tuple[np.ndarray, np.ndarray]:
    """Validate, label and encode closed curves sampled at ``L + 1`` points (both ends included).

    Parameters
    ----------
    z
        ``(N, L + 1)`` complex samples with ``z[:, L] == z[:, 0]`` (a repeated end point).
    base
        Base point of the winding (the paper's ``E_B``).
    max_step
        Largest admissible wrapped phase step between neighbours (see
        :func:`nhtopo_lib.winding_number`).  The default ``pi/2`` is safe for any curve;
        curves with monotone phase may use :data:`HN_MAX_STEP`.
    on_unresolved
        ``"raise"``: ValueError for under-resolved curves or curves through the base
        point; ``"nan"``: their label is NaN (the caller drops or redraws them).

    Returns
    -------
    (features, winding): float32 ``(N, L + 1, 2)`` and the exact discrete winding
    ``(1/2pi) sum_n wrap(theta_n - theta_{n-1})`` (int array, or float with NaN).
    """
    z = _v.complex_array(z, "z", finite=False)
    base = _v.check_complex(base, "base")
    max_step = _v.check_max_step(max_step)
    _v.check_choice(on_unresolved, "on_unresolved", ("raise", "nan"))
    if z.ndim == 1:
        z = z[None]
    if z.ndim != 2:
        raise ValueError(f"z must have shape (N, L+1), got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("z: the curves contain NaN or inf values; fix the input before encoding it")
    w = winding_number(z, base, endpoint=True, max_step=max_step, on_unresolved=on_unresolved)
    ok = np.isfinite(np.asarray(w, dtype=float))
    x = np.zeros(z.shape + (2,), dtype=np.float32)
    if np.any(ok):
        x[ok] = unit_modulus_features(z[ok], base)
    return x, np.asarray(w)


def _check_features(x, name: str = "x") -> np.ndarray:
    x = _v.real_array(x, name, finite=False).astype(np.float32)
    if x.ndim != 3 or x.shape[-1] != 2:
        raise ValueError(f"{name}: configurations must have shape (N, L+1, 2), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: the configurations contain NaN or inf; they cannot be fed to a network")
    return x


def cnn_input(x: ArrayLike) -> torch.Tensor:
    """``(N, L + 1, 2)`` configurations -> float32 tensor ``(N, 1, L + 1, 2)`` for :class:`WindingCNN`."""
    return torch.from_numpy(np.ascontiguousarray(_check_features(x)))[:, None]


def fcnn_input(x: ArrayLike) -> torch.Tensor:
    """``(N, L + 1, 2)`` configurations -> float32 tensor ``(N, 2(L + 1))`` (row-major flattening)."""
    x = _check_features(x)
    return torch.from_numpy(np.ascontiguousarray(x.reshape(len(x), -1)))


AMPLITUDE_PHASES = ("uniform", "real", "positive")


def sample_complex_amplitudes(rng: np.random.Generator, size: int | tuple[int, ...], *,
                              modulus_range: tuple[float, float] = (0.0, 1.0),
                              phases: str = "uniform") -> np.ndarray:
    """Random amplitudes ``rho e^{i phi}`` with ``rho ~ U(modulus_range)``.

    ``phases``: ``"uniform"`` (default) ``phi ~ U(0, 2 pi)``; ``"real"`` ``phi`` in ``{0, pi}``
    with equal probability (real amplitudes of random sign); ``"positive"`` ``phi = 0``.
    The same random numbers are drawn in every case, so the moduli agree between the
    three choices for the same generator state.  For the Hatano--Nelson band the phases of
    ``t_r, t_l`` rotate the ellipse and shift where the ``k`` grid starts on it; real
    amplitudes give axis-aligned ellipses that all start on the real axis.
    """
    rng = _v.check_rng(rng)
    lo, hi = _check_range2(modulus_range)
    _v.check_choice(phases, "phases", AMPLITUDE_PHASES)
    many = isinstance(size, (tuple, list, np.ndarray))
    dims = tuple(_v.check_int(d, "size", lo=0) for d in (size if many else (size,)))
    _v.check_elements(float(np.prod([float(d) for d in dims])) * 3, "size", size, itemsize=16)
    size = dims if many else dims[0]
    rho = rng.uniform(lo, hi, size)
    u = rng.uniform(0.0, 1.0, size)
    if phases == "uniform":
        return rho * np.exp(2j * np.pi * u)
    if phases == "real":
        return (rho * np.where(u < 0.5, 1.0, -1.0)).astype(complex)
    return rho.astype(complex)


def _k_grid(L: int) -> np.ndarray:
    if int(L) != L or L < 2:
        raise ValueError("L must be an integer >= 2")
    return 2 * np.pi * np.arange(int(L) + 1) / int(L)


def hatano_nelson_aspect_ratio(t_r: ArrayLike, t_l: ArrayLike) -> np.ndarray:
    """Minor-to-major axis ratio ``| |t_l| - |t_r| | / (|t_l| + |t_r|)`` of the Hatano--Nelson ellipse.

    It measures the distance to the gap closing: 0 when ``|t_r| = |t_l|`` (the loop collapses
    onto a segment through ``E_B = 0`` and the winding is undefined), 1 for a circle.  It
    depends only on the shape, like the unit-modulus input.
    """
    tr, tl = _v.broadcast({"t_r": _v.complex_array(t_r, "t_r"), "t_l": _v.complex_array(t_l, "t_l")})
    ar, al = np.abs(tr), np.abs(tl)
    if np.any(ar + al == 0):
        raise ValueError("t_r = t_l = 0: the ellipse collapses to a point and its aspect ratio is undefined")
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.abs(al - ar) / (al + ar)
    _v.finite_result(out, "the aspect ratio", "t_r and t_l are too large (overflow); rescale them")
    return out


def _check_acceptance(ratio: float, modulus_range: tuple[float, float], name: str) -> None:
    acc = _near_gap_acceptance(ratio, modulus_range)
    if acc < 1e-4:
        raise ValueError(f"{name}={ratio:g} accepts a fraction {acc:.2g} of the drawn amplitude pairs: rejection "
                         "sampling would (nearly) never finish; use a ratio of at least ~1e-3")


@functools.lru_cache(maxsize=64)
def _near_gap_acceptance(ratio: float, modulus_range: tuple[float, float]) -> float:
    """Fraction of amplitude pairs with aspect ratio below ``ratio`` (Monte Carlo with a private generator)."""
    g = np.random.default_rng(12345)
    lo, hi = modulus_range
    a, b = g.uniform(lo, hi, 200_000), g.uniform(lo, hi, 200_000)
    with np.errstate(invalid="ignore", divide="ignore"):
        asp = np.abs(a - b) / (a + b)
    return float(np.mean(asp < ratio))


def hatano_nelson_configurations(mu: int, n: int, rng: np.random.Generator, *, L: int = 32,
                                 sign: int | None = None,
                                 modulus_range: tuple[float, float] = (0.0, 1.0),
                                 max_aspect_ratio: float | None = None,
                                 phases: str = "uniform") -> Configurations:
    """``n`` labelled Hatano--Nelson configurations with hopping length ``mu``.

    ``E(k) = t_r e^{-i mu k} + t_l e^{i mu k}`` at ``k_n = 2 pi n / L``, ``n = 0..L``, base
    energy 0, with ``t_r, t_l`` drawn by :func:`sample_complex_amplitudes`.  ``sign=+1``
    (``-1``) keeps only ``w = +mu`` (``-mu``) by ordering each drawn pair (this leaves
    the distribution of the ellipse shapes unchanged); ``None`` keeps the random sign.
    ``max_aspect_ratio``: keep only ellipses with :func:`hatano_nelson_aspect_ratio` below
    it (rejection sampling; used to oversample curves close to the gap closing).
    ``phases``: how the phases of ``t_r, t_l`` are drawn (see :func:`sample_complex_amplitudes`;
    the paper does not say, the default is uniform).

    The label is the closed form :func:`nhtopo_lib.hatano_nelson_winding`; it is
    cross-checked against the discrete winding formula of the sampled curve (exact for
    ``L > 2 mu`` because the phase of the ellipse is monotone).  Curves with a phase step
    within ``1e-6`` of pi, or with ``|t_r| = |t_l|``, are redrawn (a negligible fraction).

    Raises ValueError for ``2 mu >= L``: the ellipse is then under-resolved and the
    discrete formula aliases (e.g. ``mu = 17, L = 32`` looks like ``-15``).
    """
    mu = _v.check_size(mu, "mu", lo=1, cap=MAX_REACH)
    L = _check_L(L)
    n = _check_count(n, "n", per_item=(L + 1) * 100)
    rng = _v.check_rng(rng)
    modulus_range = _check_range2(modulus_range)
    _v.check_choice(phases, "phases", AMPLITUDE_PHASES)
    if max_aspect_ratio is not None:
        max_aspect_ratio = _v.check_real(max_aspect_ratio, "max_aspect_ratio", lo=0.0, lo_open=True)
        _check_acceptance(max_aspect_ratio, modulus_range, "max_aspect_ratio")
    if 2 * mu >= L:
        raise ValueError(f"mu = {mu} is under-resolved with L = {L} points per loop (need L > 2 mu); "
                         "sample more points")
    _v.check_choice(sign, "sign", (None, 1, -1))
    k = _k_grid(L)
    xs, trs, tls = [], [], []
    have = 0
    rounds = 0
    while have < n:
        rounds += 1
        if rounds > 10 ** 6:  # pragma: no cover - excluded by the acceptance check above
            raise ValueError("hatano_nelson_configurations: rejection sampling did not finish; raise max_aspect_ratio")
        m = n - have
        tr = sample_complex_amplitudes(rng, m, modulus_range=modulus_range, phases=phases)
        tl = sample_complex_amplitudes(rng, m, modulus_range=modulus_range, phases=phases)
        if sign is not None:  # w = +mu needs |t_l| > |t_r|
            swap = (np.abs(tl) - np.abs(tr)) * sign < 0
            tr, tl = np.where(swap, tl, tr), np.where(swap, tr, tl)
        keep = np.abs(tr) != np.abs(tl)
        if max_aspect_ratio is not None:
            keep &= hatano_nelson_aspect_ratio(tr, tl) < max_aspect_ratio
        tr, tl = tr[keep], tl[keep]
        x, w_disc = encode_curves(hatano_nelson_energy(k, tr, tl, mu), max_step=HN_MAX_STEP,
                                  on_unresolved="nan")
        ok = np.isfinite(w_disc.astype(float))
        w_exact = hatano_nelson_winding(tr[ok], tl[ok], mu)
        if not np.array_equal(w_exact, w_disc[ok].astype(int)):  # pragma: no cover - exact for L > 2 mu
            raise RuntimeError("discrete winding disagrees with the closed form; please report")
        xs.append(x[ok])
        trs.append(tr[ok])
        tls.append(tl[ok])
        have += int(ok.sum())
    tr, tl = np.concatenate(trs)[:n], np.concatenate(tls)[:n]
    y = hatano_nelson_winding(tr, tl, mu).astype(float)
    return Configurations(np.concatenate(xs)[:n], y,
                          {"mu": np.full(n, mu), "t_r": tr, "t_l": tl,
                           "aspect_ratio": hatano_nelson_aspect_ratio(tr, tl)})


def hatano_nelson_dataset(mus: Sequence[int], n_per_mu: int, seed: int, *, L: int = 32,
                          balanced_signs: bool = True,
                          modulus_range: tuple[float, float] = (0.0, 1.0),
                          near_gap_fraction: float = 0.0, near_gap_ratio: float = 0.1,
                          phases: str = "uniform") -> Configurations:
    """Hatano--Nelson configurations, ``n_per_mu`` for each ``mu`` in ``mus``, shuffled.

    ``balanced_signs=True`` gives exactly half ``w = +mu`` and half ``w = -mu`` for every
    ``mu`` (the paper's 1:1:1 split over ``|w|``); otherwise the sign is random.
    ``near_gap_fraction``: this fraction of every ``(mu, sign)`` group is drawn with
    aspect ratio below ``near_gap_ratio`` (close to the gap closing ``|t_r| = |t_l|``), the
    rest from the plain distribution -- an oversampling of the hard cases (ours; the
    paper does not state its sampling).  ``phases``: phases of the amplitudes
    (:func:`sample_complex_amplitudes`).  Reproducible: the same ``seed`` gives the same set.
    """
    near_gap_fraction = _v.check_fraction(near_gap_fraction, "near_gap_fraction")
    near_gap_ratio = _v.check_real(near_gap_ratio, "near_gap_ratio", lo=0.0, lo_open=True)
    mus = _v.check_powers(mus, "mus", lo=1, distinct=False, cap=MAX_REACH)
    seed = _check_seed(seed)
    L = _check_L(L)
    n_per_mu = _check_count(n_per_mu, "n_per_mu", per_item=(L + 1) * 100 * len(mus), lo=1)
    modulus_range = _check_range2(modulus_range)
    _v.check_choice(phases, "phases", AMPLITUDE_PHASES)
    if near_gap_fraction > 0:
        _check_acceptance(near_gap_ratio, modulus_range, "near_gap_ratio")
    rng = np.random.default_rng(seed)
    parts = []
    signs = (+1, -1) if balanced_signs else (None,)
    for mu in mus:
        for j, sign in enumerate(signs):
            n = int(n_per_mu) // len(signs) + (int(n_per_mu) % len(signs) if j == 0 else 0)
            n_near = int(round(near_gap_fraction * n))
            if n_near:
                parts.append(hatano_nelson_configurations(mu, n_near, rng, L=L, sign=sign,
                                                          modulus_range=modulus_range,
                                                          max_aspect_ratio=near_gap_ratio, phases=phases))
            if n - n_near:
                parts.append(hatano_nelson_configurations(mu, n - n_near, rng, L=L, sign=sign,
                                                          modulus_range=modulus_range, phases=phases))
    return Configurations.concatenate(parts).shuffled(seed + 1)


def laurent_band_curves(t_r: ArrayLike, t_l: ArrayLike, powers: Sequence[int], L: int) -> np.ndarray:
    """``E(k) = sum_j (t_r[:, j] e^{-i mu_j k} + t_l[:, j] e^{i mu_j k})`` at ``k_n = 2 pi n/L``, ``n = 0..L``.

    ``t_r``, ``t_l``: ``(N, len(powers))`` complex.  Returns ``(N, L + 1)``.
    """
    t_r = np.atleast_2d(_v.complex_array(t_r, "t_r"))
    t_l = np.atleast_2d(_v.complex_array(t_l, "t_l"))
    mus = np.asarray(_v.check_powers(powers, "powers", lo=1, cap=MAX_REACH), dtype=int)
    L = _check_L(L)
    if t_r.ndim != 2 or t_r.shape != t_l.shape or t_r.shape[1] != len(mus):
        raise ValueError(f"t_r and t_l must both have shape (N, len(powers)) = (N, {len(mus)}), got {t_r.shape} "
                         f"and {t_l.shape}")
    _v.check_elements(float(t_r.shape[0]) * (L + 1), "L", L, fix="use fewer curves or points")
    k = _k_grid(L)
    phase = np.exp(1j * mus[:, None] * k[None, :])          # (M, L+1)
    return t_r @ phase.conj() + t_l @ phase


def laurent_band_configurations(n: int, rng: np.random.Generator, *, powers: Sequence[int] = (1, 2, 3),
                                L: int = 32, modulus_range: tuple[float, float] = (0.0, 1.0),
                                max_step: float = np.pi - 1e-6) -> Configurations:
    """Single-band curves with several hopping ranges and their exact windings.

    ``E(k) = sum_{mu in powers} (t_{r,mu} e^{-i mu k} + t_{l,mu} e^{i mu k})`` with every
    amplitude drawn by :func:`sample_complex_amplitudes`; base energy 0.

    **Labels.** ``y`` is the *exact* winding of the continuous loop: the argument principle applied to
    the Laurent polynomial ``E(beta) = sum (t_r beta^-mu + t_l beta^mu)`` (roots inside the
    unit circle minus the pole order, :func:`laurent_windings`) -- no sampling involved.  ``meta["w_discrete"]`` is the discrete winding formula applied
    to the ``L + 1`` samples the network sees (NaN where a step exceeds ``max_step``),
    ``meta["resolved"]`` marks the curves on which the two agree (only those can be
    predicted from the samples at all), ``meta["max_abs_step"]`` the largest phase step.
    """
    powers = _v.check_powers(powers, "powers", lo=1, cap=MAX_REACH)
    L = _check_L(L)
    n = _check_count(n, "n", per_item=(L + 1) * 16 * 4 + 64 * len(powers))
    rng = _v.check_rng(rng)
    modulus_range = _check_range2(modulus_range)
    max_step = _v.check_max_step(max_step)
    M = len(powers)
    t_r = sample_complex_amplitudes(rng, (n, M), modulus_range=modulus_range)
    t_l = sample_complex_amplitudes(rng, (n, M), modulus_range=modulus_range)
    z = laurent_band_curves(t_r, t_l, powers, L)
    x, w_disc = encode_curves(z, max_step=max_step, on_unresolved="nan")
    top = max(powers)
    coeffs = np.zeros((n, 2 * top + 1), dtype=complex)          # powers -top .. top
    for j, mu in enumerate(powers):
        coeffs[:, top - mu] = t_r[:, j]
        coeffs[:, top + mu] = t_l[:, j]
    w_exact = laurent_windings(coeffs, low=-top)
    steps = np.abs(wrap_phase(np.diff(np.angle(z), axis=-1))).max(axis=-1)
    w_disc = w_disc.astype(float)
    return Configurations(x, w_exact, {"w_discrete": w_disc, "resolved": w_disc == w_exact,
                                       "max_abs_step": steps, "t_r": t_r, "t_l": t_l})


def laurent_windings(coeffs: ArrayLike, low: int, *, radius: float = 1.0, rtol: float = 1e-9) -> np.ndarray:
    """Exact windings of many Laurent polynomials ``P_i(z) = sum_j coeffs[i, j] z**(low + j)`` on ``|z| = radius``.

    Argument principle, vectorised: ``#{roots of z**(-low) P_i inside} + low`` with the roots
    from batched companion matrices (the same rule as
    :meth:`nhtopo_lib.LaurentPoly.winding_on_circle`, which the tests use as a reference).
    The leading coefficient ``coeffs[:, -1]`` must be non-zero.  Returns float windings;
    NaN where a root lies within ``rtol * radius`` of the circle (curve through the base
    point).
    """
    c = np.atleast_2d(_v.complex_array(coeffs, "coeffs", finite=False))
    if c.ndim != 2 or c.shape[0] == 0 or c.shape[1] == 0:
        raise ValueError(f"coeffs must have shape (n_polynomials, n_coefficients) with both >= 1, got {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError("coeffs: the coefficients contain NaN or inf")
    low = _v.check_int(low, "low")
    radius = _v.check_positive(radius, "radius")
    rtol = _v.check_tol(rtol, "rtol")
    if c.shape[1] - 1 > _v.MAX_EIG_ROWS:
        raise ValueError(f"coeffs: degree {c.shape[1] - 1} is above the limit {_v.MAX_EIG_ROWS} for companion-matrix "
                         "roots (nhtopo_lib._validate.MAX_EIG_ROWS)")
    _v.check_elements(float(c.shape[0]) * (c.shape[1] - 1) ** 2, "coeffs", f"array of shape {c.shape}")
    if np.any(c[:, -1] == 0):
        raise ValueError("the leading coefficient must be non-zero for every polynomial")
    N, D = c.shape
    if D < 2:
        return np.full(N, float(low))
    deg = D - 1
    comp = np.zeros((N, deg, deg), dtype=complex)
    comp[:, 0, :] = -c[:, -2::-1] / c[:, -1:]                   # companion matrix, first row
    if deg > 1:
        comp[:, np.arange(1, deg), np.arange(deg - 1)] = 1.0
    r = np.abs(np.linalg.eigvals(comp))
    w = (r < radius).sum(axis=1).astype(float) + low
    w[np.any(np.abs(r - radius) <= rtol * radius, axis=1)] = np.nan
    return w


def split_configurations(data: Configurations, sizes: Sequence[int], seed: int) -> list[Configurations]:
    """Seeded random split into disjoint parts of the given sizes (their sum may not exceed ``len``)."""
    if not isinstance(data, Configurations):
        raise TypeError(f"data must be a Configurations, got {type(data).__name__}")
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"sizes must be a sequence of part sizes, got {type(sizes).__name__}")
    sizes = [_v.check_int(s, "sizes", lo=0) for s in sizes]
    seed = _check_seed(seed)
    if any(s < 0 for s in sizes) or sum(sizes) > len(data):
        raise ValueError(f"cannot split {len(data)} configurations into parts of sizes {sizes}")
    perm = np.random.default_rng(seed).permutation(len(data))
    out, start = [], 0
    for s in sizes:
        out.append(data.subset(perm[start:start + s]))
        start += s
    return out


def class_indices(values: ArrayLike, classes: Sequence[float]) -> np.ndarray:
    """Map label values (e.g. windings ``0, +1/2, -1/2``) to class indices ``0..C-1``.

    Raises ValueError for a value not in ``classes`` (compared with tolerance 1e-9).
    """
    v = np.atleast_1d(_v.real_array(values, "values", finite=False))
    if v.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {v.shape}")
    if isinstance(classes, (str, bytes)) or classes is None:
        raise TypeError(f"classes must be a sequence of label values, got {type(classes).__name__}")
    c = _v.real_array(classes, "classes", ndim=1, min_size=1)
    if len(np.unique(c)) != len(c):
        raise ValueError(f"classes must be distinct, got {list(c)}")
    match = np.abs(v[:, None] - c[None, :]) < 1e-9
    if not np.all(match.any(axis=1)):
        bad = np.unique(v[~match.any(axis=1)])
        raise ValueError(f"label values {bad} are not among the classes {list(c)}")
    return match.argmax(axis=1)


# ================================================================== networks
class WindingCNN(nn.Module):
    """The convolutional network of Zhang et al. (2021) for ``(B, 1, L + 1, 2)`` inputs.

    ``conv1``: 32 kernels of size 2x2 (no padding) see one neighbour pair
    ``(u_{n-1}, u_n)`` each -- one phase step ``Delta theta(n)``; ``conv2``: a 1x1
    convolution mixing the 32 channels into one; ReLU after both.  The flattened result
    ``a_n`` (``n = 1..L``) goes through ``Linear(L -> hidden)`` + ReLU and
    ``Linear(hidden -> n_out)``.  ``n_out = 1``: linear regression output ``w~`` (shape
    ``(B,)``); ``n_out > 1``: logits ``(B, n_out)`` (softmax probabilities from
    :func:`predict`).  ``hidden_relu=False`` (ours, not the paper's) makes the dense
    hidden layer linear -- same parameter count; the Hatano--Nelson chapter shows that
    the ReLU there saturates the regression output at the largest trained ``|w|`` on one
    side.

    The 2x2 convolution is evaluated as the mathematically identical matrix product
    over neighbour pairs (faster on CPUs for these tiny shapes; equality with
    ``nn.Conv2d`` is tested).
    """

    def __init__(self, L: int = 32, *, kernels: int = 32, hidden: int = 2, n_out: int = 1,
                 hidden_relu: bool = True):
        L = _v.check_size(L, "L", lo=1, cap=10 ** 6)
        kernels = _v.check_size(kernels, "kernels", lo=1, cap=4096)
        hidden = _v.check_size(hidden, "hidden", lo=1, cap=10 ** 5)
        n_out = _v.check_size(n_out, "n_out", lo=1, cap=10 ** 5)
        _v.check_elements(float(L) * hidden + float(hidden) * n_out, "hidden", hidden, itemsize=4,
                          fix="use fewer hidden neurons")
        hidden_relu = _v.check_bool(hidden_relu, "hidden_relu")
        super().__init__()
        self.config = {"L": int(L), "kernels": int(kernels), "hidden": int(hidden), "n_out": int(n_out),
                       "hidden_relu": bool(hidden_relu)}
        self.L = int(L)
        self.conv1 = nn.Conv2d(1, kernels, kernel_size=(2, 2))
        self.conv2 = nn.Conv2d(kernels, 1, kernel_size=(1, 1))
        self.fc1 = nn.Linear(self.L, hidden)
        self.fc2 = nn.Linear(hidden, n_out)

    @classmethod
    def classifier(cls, n_classes: int, L: int = 32) -> "WindingCNN":
        """The paper's classifier variant: dense layer of 16 neurons, ``n_classes`` outputs."""
        n_classes = _v.check_size(n_classes, "n_classes", lo=2, cap=10 ** 5, fix="a classifier needs >= 2 classes")
        return cls(L, hidden=16, n_out=n_classes)

    @property
    def task(self) -> str:
        """``"regression"`` (one output, the winding) or ``"classification"`` (one logit per class)."""
        return "regression" if self.config["n_out"] == 1 else "classification"

    def _check(self, x: torch.Tensor, L: int | None = None) -> None:
        L = self.L if L is None else L
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[3] != 2:
            raise ValueError(f"WindingCNN expects input of shape (B, 1, L+1, 2), got {tuple(x.shape)}")
        if x.shape[2] != L + 1:
            raise ValueError(f"this network was built for L = {self.L} ({self.L + 1} points per curve) but got "
                             f"{x.shape[2]} points; resample the curve or use sum_readout_predict")

    def conv_activations(self, x: torch.Tensor) -> torch.Tensor:
        """The activations ``a_n`` after both convolutions (and their ReLUs): ``(B, P - 1)``.

        Works for any number ``P`` of points (the convolutions are local); only the dense
        layers fix ``L``.
        """
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[3] != 2 or x.shape[2] < 2:
            raise ValueError(f"expected input of shape (B, 1, P, 2) with P >= 2, got {tuple(x.shape)}")
        B, P = x.shape[0], x.shape[2]
        pairs = x.reshape(B, 2 * P).unfold(1, 4, 2)                     # (B, P-1, 4) = 2x2 patches
        k = self.conv1.weight.shape[0]
        h = F.relu(torch.matmul(pairs, self.conv1.weight.reshape(k, 4).t()) + self.conv1.bias)
        a = torch.matmul(h, self.conv2.weight.reshape(1, k).t()).squeeze(-1) + self.conv2.bias
        return F.relu(a)

    def dense(self, a: torch.Tensor) -> torch.Tensor:
        """The dense head applied to the activations ``a`` ``(B, L)``."""
        h = self.fc1(a)
        out = self.fc2(F.relu(h) if self.config["hidden_relu"] else h)
        return out.squeeze(-1) if self.config["n_out"] == 1 else out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Network output for a batch ``(B, 1, L + 1, 2)``: ``(B,)`` windings or ``(B, C)`` logits."""
        self._check(x)
        return self.dense(self.conv_activations(x))


class WindingFCNN(nn.Module):
    """Fully connected network ``2(L+1) -> hidden[0] -> hidden[1] -> ... -> n_out`` with ReLU.

    Default ``hidden=(32, 2), n_out=1``: the paper's FCNN (2213 parameters for L = 32).
    Input ``(B, 2(L+1))`` (see :func:`fcnn_input`).
    """

    def __init__(self, L: int = 32, *, hidden: Sequence[int] = (32, 2), n_out: int = 1):
        L = _v.check_size(L, "L", lo=1, cap=10 ** 6)
        if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
            raise TypeError(f"hidden must be a sequence of layer widths, got {type(hidden).__name__}")
        hidden = tuple(_v.check_size(h, "hidden", lo=1, cap=10 ** 5) for h in hidden)
        n_out = _v.check_size(n_out, "n_out", lo=1, cap=10 ** 5)
        sizes_ = [2 * (L + 1), *hidden, n_out]
        _v.check_elements(sum(float(a) * b for a, b in zip(sizes_[:-1], sizes_[1:])), "hidden", hidden, itemsize=4,
                          fix="use narrower layers")
        super().__init__()
        self.config = {"L": int(L), "hidden": tuple(int(h) for h in hidden), "n_out": int(n_out)}
        self.L = int(L)
        sizes = [2 * (self.L + 1), *self.config["hidden"], int(n_out)]
        layers: list[nn.Module] = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers)

    @property
    def task(self) -> str:
        """``"regression"`` (one output, the winding) or ``"classification"`` (one logit per class)."""
        return "regression" if self.config["n_out"] == 1 else "classification"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Network output for flattened curves ``(B, 2 (L + 1))``: ``(B,)`` windings or ``(B, C)`` logits."""
        if x.ndim != 2 or x.shape[1] != 2 * (self.L + 1):
            raise ValueError(f"WindingFCNN expects input of shape (B, {2 * (self.L + 1)}), got {tuple(x.shape)}")
        out = self.net(x)
        return out.squeeze(-1) if self.config["n_out"] == 1 else out


# ===================================================== networks that count by construction (ours)
def _symmetry_group(rotations: int, reflection: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Matrices acting on a neighbour pair ``[Re u, Im u, Re v, Im v]`` and the sign each gives the winding.

    ``rotations`` equally spaced rotations of the plane, each optionally followed by the
    reflection ``Im -> -Im`` (complex conjugation), which reverses the orientation: sign -1.
    """
    mats, signs = [], []
    for j in range(rotations):
        c, s = math.cos(2 * math.pi * j / rotations), math.sin(2 * math.pi * j / rotations)
        rot = np.array([[c, -s], [s, c]])
        for flip in ((1.0, -1.0) if reflection else (1.0,)):
            q = np.diag([1.0, flip]) @ rot
            m = np.zeros((4, 4))
            m[:2, :2] = q
            m[2:, 2:] = q
            mats.append(m)
            signs.append(flip)
    return torch.tensor(np.array(mats), dtype=torch.float32), torch.tensor(signs, dtype=torch.float32)


#: Largest allowed deviation of an input point's modulus from 1 (float32 rounding of
#: ``unit_modulus_features`` is ~1e-7).
UNIT_MODULUS_TOL = 1e-3
#: Largest number of rotations of :class:`AntisymmetricWindingCNN` (each one multiplies the arithmetic).
MAX_ROTATIONS = 1024
#: Largest ``gain`` of :class:`AntisymmetricWindingCNN` (float32 arithmetic; the book uses 30).
MAX_GAIN = 1e6

class AntisymmetricWindingCNN(nn.Module):
    """A CNN of the paper's kind whose step rule is antisymmetric by construction (ours).

    The input is the paper's: unit-modulus curves ``(B, 1, P, 2)``, ``P >= 2`` points
    ``u_0 .. u_{P-1}`` (for a closed curve sampled at ``L + 1`` points ``P = L + 1`` and
    ``u_L = u_0``).  Each neighbour pair ``(u, v) = (u_{n-1}, u_n)`` goes through a local
    kernel -- ``conv1``: ``kernels`` filters of size 2x2 with bias and ReLU, ``conv2``: a
    1x1 convolution to one channel without bias -- giving ``h(u, v)``.  The contribution of
    the step is the antisymmetric part

        ``g(u, v) = h(u, v) - h(v, u)``,

    and the output is the plain sum ``w~ = sum_n g(u_{n-1}, u_n)`` (no dense layer, no
    bias).  Consequences, exact up to float rounding:

    * ``g(u, u) = 0``: a constant "loop" gives ``w~ = 0`` and repeated points add nothing;
    * any part of ``h`` of the form ``c(u)`` or ``c(v)`` -- a direction-dependent offset --
      enters ``g`` as ``c(u_{n-1}) - c(u_n)`` and telescopes to zero around a closed curve;
    * reversing the curve reverses the sign of ``w~``;
    * the sum has no fixed width, so the same weights apply to curves with any number of
      points ``P`` (the readout is what makes that possible; the paper's dense layer fixes
      ``P = L + 1``).

    Optional symmetrisation over the directions (exact for a discrete group only):
    ``rotations = R`` averages ``g`` over the ``R`` rotations of the plane by ``2 pi j / R``
    applied to both points; ``reflection=True`` adds complex conjugation, under which the
    contribution changes sign.  This costs ``R`` (``2R``) times the arithmetic and no
    parameters.

    ``gain`` (ours) rescales the part of each kernel that is symmetric in the two points:
    writing the 2x2 kernel as ``W_u u + W_v v + b``, the network uses
    ``gain [(W_u + W_v)/2 . (u + v) + b] + (W_u - W_v)/2 . (u - v)``.  It is still a linear
    function of the 2x2 patch (the same function class for every gain); only the scale at
    which training moves the symmetric part changes.  That part decides, through the
    direction of ``u + v``, on which side of ``+-pi`` a step lies, and a sharp decision
    needs it large: ``|u + v| = 2 cos(Delta theta / 2)`` vanishes at the antipode.

    ``L`` is the number of steps of the training curves; it is stored for reference only
    (the network accepts any ``P``).  Limits: ``L <= 10**6``, ``kernels <= 4096``,
    ``rotations <= MAX_ROTATIONS`` (1024), ``0 < gain <= MAX_GAIN`` (1e6).
    Parameters: ``6 * kernels`` (192 for 32 kernels).
    The output ``(B,)`` is the winding estimate ``w~`` (counter-clockwise positive);
    :func:`predicted_winding` rounds it.
    """

    def __init__(self, L: int = 32, *, kernels: int = 32, rotations: int = 1, reflection: bool = False,
                 gain: float = 1.0):
        super().__init__()
        if isinstance(gain, bool) or not isinstance(gain, (int, float, np.integer, np.floating)):
            raise TypeError(f"gain must be a number, got {type(gain).__name__}")
        if not (np.isfinite(gain) and gain > 0):
            raise ValueError(f"gain must be a positive finite number, got {gain}")
        if gain > MAX_GAIN:
            raise ValueError(f"gain={gain:g} is too large: the scaled kernels overflow float32 (and the output becomes "
                             f"NaN) long before; the limit is gain <= {MAX_GAIN:g} (the book uses 30)")
        caps = {"L": (10 ** 6, "L is the number of steps of the training curves (the book uses 32)"),
                "kernels": (4096, "the book uses 32 kernels"),
                "rotations": (MAX_ROTATIONS, "every rotation multiplies the arithmetic; a few (4 or 8) suffice")}
        for name, val in (("L", L), ("kernels", kernels), ("rotations", rotations)):
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)):
                raise TypeError(f"{name} must be an integer, got {type(val).__name__}")
            _v.check_size(val, name, lo=1, cap=caps[name][0], fix=caps[name][1])
        if not isinstance(reflection, (bool, np.bool_)):
            raise TypeError(f"reflection must be True or False, got {type(reflection).__name__}")
        self.config = {"L": int(L), "kernels": int(kernels), "rotations": int(rotations),
                       "reflection": bool(reflection), "gain": float(gain)}
        self.L = int(L)
        self.conv1 = nn.Conv2d(1, int(kernels), kernel_size=(2, 2))
        self.conv2 = nn.Conv2d(int(kernels), 1, kernel_size=(1, 1), bias=False)
        mats, signs = _symmetry_group(int(rotations), bool(reflection))
        self.register_buffer("group_matrices", mats, persistent=False)
        self.register_buffer("group_signs", signs, persistent=False)

    @property
    def task(self) -> str:
        """Always ``"regression"``: the output is the winding estimate."""
        return "regression"

    def effective_kernels(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The kernel bank after symmetrisation: weights ``(G K, 4)``, biases ``(G K,)`` and
        readout weights ``(G K,)`` (``G`` group elements; ``G = 1`` without symmetrisation)."""
        k = self.conv1.weight.shape[0]
        w = self.conv1.weight.reshape(k, 4)
        g = self.group_matrices.shape[0]
        w_eff = torch.einsum("kc,gcd->gkd", w, self.group_matrices).reshape(g * k, 4)
        b_eff = self.conv1.bias.repeat(g)
        c = self.conv2.weight.reshape(k)
        c_eff = (self.group_signs[:, None] * c[None, :] / g).reshape(g * k)
        return w_eff, b_eff, c_eff

    def check_input(self, x: torch.Tensor) -> None:
        """Raise ValueError unless ``x`` is a finite unit-modulus batch ``(B, 1, P, 2)``, ``P >= 2``."""
        if not torch.is_tensor(x):
            raise TypeError(f"expected a torch tensor (B, 1, P, 2), got {type(x).__name__}; "
                            "use nhtopo_lib.learning.cnn_input or predict")
        if x.ndim != 4 or x.shape[1] != 1 or x.shape[3] != 2 or x.shape[2] < 2:
            raise ValueError(f"AntisymmetricWindingCNN expects input of shape (B, 1, P, 2) with P >= 2 points "
                             f"per curve, got {tuple(x.shape)}")
        if not torch.isfinite(x).all():
            raise ValueError("the input contains NaN or inf; it cannot be fed to a network")
        dev = (x.double().pow(2).sum(-1).sqrt() - 1.0).abs()
        if dev.numel() and float(dev.max()) > UNIT_MODULUS_TOL:
            raise ValueError(f"every point must lie on the unit circle (|u_n| = 1), but a modulus deviates by "
                             f"{float(dev.max()):.3g}; normalise the curve first with encode_curves or "
                             "unit_modulus_features")

    def sum_difference_kernels(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """The symmetrised bank split into its action on ``a = u + v`` and on ``d = u - v``.

        A kernel ``W = [W_u, W_v]`` with bias ``b`` gives ``S + T`` with
        ``S = gain [(W_u + W_v)/2 . a + b]`` and ``T = (W_u - W_v)/2 . d``; swapping ``u`` and
        ``v`` leaves ``S`` unchanged and flips ``T``.  (With ``gain = 1`` this is
        ``W_u u + W_v v + b``; see the class docstring for ``gain``.)  Returns
        ``(W_s (G K, 2), b_s (G K,), W_t (G K, 2), c (G K,))`` with ``S = W_s a + b_s``,
        ``T = W_t d``.
        """
        w_eff, b_eff, c_eff = self.effective_kernels()
        gain = self.config["gain"]
        w_s = 0.5 * gain * (w_eff[:, :2] + w_eff[:, 2:])
        w_t = 0.5 * (w_eff[:, :2] - w_eff[:, 2:])
        return w_s, gain * b_eff, w_t, c_eff

    def step_contributions(self, x: torch.Tensor) -> torch.Tensor:
        """The contribution ``g(u_{n-1}, u_n)`` of every step, ``(B, P - 1)``, in winding units.

        Evaluated as ``g = sum_k c_k [ReLU(S_k + T_k) - ReLU(S_k - T_k)]`` (see
        :meth:`sum_difference_kernels`), which equals ``h(u, v) - h(v, u)``.  For ``u = v``
        the difference ``d`` is exactly zero, so ``T = 0`` and ``g = 0`` exactly, not just
        to rounding.
        """
        self.check_input(x)
        a = x[:, 0, :-1] + x[:, 0, 1:]                                        # (B, P-1, 2)
        d = x[:, 0, :-1] - x[:, 0, 1:]
        w_s, b, w_t, c = self.sum_difference_kernels()
        S = torch.matmul(a, w_s.t()) + b
        T = torch.matmul(d, w_t.t())
        return (F.relu(S + T) - F.relu(S - T)) @ c

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Winding estimate ``w~ = sum_n g(u_{n-1}, u_n)`` for a batch ``(B, 1, P, 2)``: shape ``(B,)``."""
        return self.step_contributions(x).sum(-1)


class ReversalSymmetricCNN(nn.Module):
    """The paper's CNN made odd under reversing the curve (ours; a comparison for
    :class:`AntisymmetricWindingCNN`).

    ``w~(u_0..u_L) = [f(u_0..u_L) - f(u_L..u_0)] / 2`` with ``f`` a :class:`WindingCNN`
    (linear two-neuron layer by default).  A constant curve gives exactly 0 and reversal
    flips the sign, but direction-dependent offsets cancel only as far as the dense
    weights are uniform, and the dense layer fixes the number of points to ``L + 1``.
    Same parameters as ``f`` (262 for ``L = 32``).
    """

    def __init__(self, L: int = 32, *, kernels: int = 32, hidden: int = 2, hidden_relu: bool = False):
        super().__init__()
        hidden_relu = _v.check_bool(hidden_relu, "hidden_relu")
        self.net = WindingCNN(L, kernels=kernels, hidden=hidden, n_out=1, hidden_relu=hidden_relu)
        self.config = {"L": int(L), "kernels": int(kernels), "hidden": int(hidden),
                       "hidden_relu": bool(hidden_relu)}
        self.L = int(L)

    @property
    def task(self) -> str:
        """Always ``"regression"``."""
        return "regression"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Winding estimate for a batch ``(B, 1, L + 1, 2)``: shape ``(B,)``."""
        return 0.5 * (self.net(x) - self.net(torch.flip(x, dims=[2])))


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    _check_module(model)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def init_weights(model: nn.Module, seed: int) -> nn.Module:
    """Xavier-normal weights and zero biases for every Conv2d/Linear layer, from ``seed`` (in place)."""
    _check_module(model)
    g = torch.Generator().manual_seed(_check_seed(seed))
    for mod in model.modules():
        if isinstance(mod, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_normal_(mod.weight, generator=g)
            if mod.bias is not None:
                nn.init.zeros_(mod.bias)
    return model


def _model_input(model: nn.Module, x, name: str = "x") -> torch.Tensor:
    """Accept configurations ``(N, L+1, 2)`` (numpy or nested lists) or a ready tensor; check for NaN and shape."""
    _check_module(model)
    if isinstance(x, Configurations):
        x = x.x
    if not torch.is_tensor(x):
        if x is None or isinstance(x, (str, bytes)):
            raise TypeError(f"{name}: pass configurations as a numpy array (N, L+1, 2), a Configurations or a "
                            f"tensor, got {type(x).__name__}")
        arr = _check_features(x, name)
        L = getattr(model, "L", None)
        if L is not None and arr.shape[1] != L + 1 and isinstance(model, (WindingCNN, WindingFCNN)):
            raise ValueError(f"{name}: this network was built for L = {L} ({L + 1} points per curve) but got "
                             f"{arr.shape[1]} points; resample the curves or use sum_readout_predict")
        return torch.from_numpy(np.ascontiguousarray(arr.reshape(len(arr), -1))) if isinstance(model, WindingFCNN) \
            else torch.from_numpy(np.ascontiguousarray(arr))[:, None]
    if not torch.isfinite(x).all():
        raise ValueError(f"{name}: the input contains NaN or inf; it cannot be fed to a network")
    return x.float()


# ================================================================== training
@dataclass
class TrainingConfig:
    """Settings of :func:`train` (defaults: Appendix A of Zhang et al. 2021, plus our unstated choices).

    ``loss``: ``"mse"`` (regression) or ``"ce_bits"`` (cross-entropy with log base 2).
    ``max_epochs`` and ``early_stopping_patience`` are not stated in the paper (our choice).
    ``engine``: ``"fast"`` (hand-written backward pass and Adam for :class:`WindingCNN` /
    :class:`WindingFCNN`, the same arithmetic as autograd + ``torch.optim.Adam`` but ~4x
    fewer tensor operations per step, which is what limits these tiny networks on a CPU)
    or ``"autograd"`` (plain PyTorch; used for any other model).
    ``lr_schedule``: ``"plateau"`` (the paper: ``ReduceLROnPlateau(factor, patience)`` on
    the validation loss) or ``"cosine"`` (ours: cosine decay from ``lr`` to ``lr * lr_factor**2``
    over ``max_epochs``; a comparison, not the paper's setting).
    """

    loss: str = "mse"
    max_epochs: int = 200
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    lr_schedule: str = "plateau"
    lr_factor: float = 0.1
    lr_patience: int = 20
    early_stopping_patience: int = 40
    seed: int = 0
    init: bool = True
    threads: int | None = 1
    engine: str = "fast"
    progress: bool = True
    desc: str = "training"

    def __post_init__(self):
        _v.check_choice(self.engine, "engine", ("fast", "autograd"))
        _v.check_choice(self.loss, "loss", ("mse", "ce_bits"))
        _v.check_choice(self.lr_schedule, "lr_schedule", ("plateau", "cosine"))
        self.max_epochs = _v.check_size(self.max_epochs, "max_epochs", lo=1, cap=10 ** 7)
        self.batch_size = _v.check_size(self.batch_size, "batch_size", lo=1, cap=10 ** 8)
        self.lr = _v.check_positive(self.lr, "lr", fix="a learning rate such as 1e-3")
        self.weight_decay = _v.check_nonneg(self.weight_decay, "weight_decay")
        self.lr_factor = _v.check_real(self.lr_factor, "lr_factor", lo=0.0, hi=1.0, lo_open=True, hi_open=True)
        self.lr_patience = _v.check_int(self.lr_patience, "lr_patience", lo=0)
        self.early_stopping_patience = _v.check_int(self.early_stopping_patience, "early_stopping_patience", lo=1)
        self.seed = _check_seed(self.seed)
        if self.threads is not None:
            self.threads = _v.check_int(self.threads, "threads", lo=1, hi=4096)
        _v.check_str(self.desc, "desc")
        self.init = _v.check_bool(self.init, "init")
        self.progress = _v.check_bool(self.progress, "progress")


@dataclass
class TrainingResult:
    """What :func:`train` returns: per-epoch ``history`` (``train``, ``val`` losses, ``lr``),
    the epoch (1-based) whose weights were restored, its validation loss, the number of
    epochs run, wall-clock seconds and whether early stopping ended the run."""

    history: dict[str, list[float]]
    best_epoch: int
    best_val_loss: float
    epochs_run: int
    seconds: float
    stopped_early: bool


def _loss_fn(kind: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    if kind == "mse":
        return F.mse_loss
    ln2 = math.log(2.0)
    return lambda logits, target: F.cross_entropy(logits, target) / ln2


def _targets(y, loss: str, name: str = "y", n_out: int | None = None) -> torch.Tensor:
    y = _label_array(y, name)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one label per configuration), got shape {y.shape}")
    if loss == "mse":
        if y.dtype.kind == "c" or not np.all(np.isfinite(y.astype(float))):
            raise ValueError(f"{name}: the labels contain NaN (or are complex); drop unlabelled configurations "
                             "before training")
        return torch.as_tensor(y.astype(np.float32), dtype=torch.float32)
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name}: classification targets must be integer class indices (see class_indices)")
    if y.size and (y.min() < 0 or (n_out is not None and y.max() >= n_out)):
        raise ValueError(f"{name}: class indices must lie in 0..{'C-1' if n_out is None else n_out - 1} "
                         "(one per output of the network)")
    return torch.as_tensor(y, dtype=torch.long)


def _probe(model: nn.Module, x: torch.Tensor, name: str) -> None:
    """One forward pass (eval mode, no gradient): a model that cannot take this input fails here, clearly."""
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    except RuntimeError as exc:
        raise ValueError(f"model cannot process {name} of shape {tuple(x.shape)} ({str(exc)[:200]}); check that the "
                         "network was built for these configurations") from None


def _eval_loss(model, x, y, loss_fn, chunk: int = 8192) -> float:
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(y), chunk):
            total += float(loss_fn(model(x[i:i + chunk]), y[i:i + chunk])) * len(y[i:i + chunk])
    return total / len(y)


class _PlateauSchedule:
    """``torch.optim.lr_scheduler.ReduceLROnPlateau`` with its defaults (mode ``min``, relative
    threshold 1e-4, no cooldown, ``min_lr`` 0), re-implemented so that the fast engine needs no
    ``torch.optim`` (whose first import costs seconds)."""

    def __init__(self, factor: float, patience: int, threshold: float = 1e-4, eps: float = 1e-8):
        self.factor, self.patience, self.threshold, self.eps = factor, patience, threshold, eps
        self.best, self.bad = math.inf, 0

    def step(self, metric: float, lr: float) -> float:
        if metric < self.best * (1 - self.threshold):
            self.best, self.bad = metric, 0
        else:
            self.bad += 1
        if self.bad > self.patience:
            self.bad = 0
            new = lr * self.factor
            if lr - new > self.eps:
                return new
        return lr


class _AutogradStepper:
    """One optimisation step with autograd and ``torch.optim.Adam`` (any model)."""

    def __init__(self, model: nn.Module, lr: float, weight_decay: float, loss_fn):
        self.model, self.loss_fn = model, loss_fn
        self.opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)

    @property
    def lr(self) -> float:
        return self.opt.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        for group in self.opt.param_groups:
            group["lr"] = value

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def step(self, xb: torch.Tensor, yb: torch.Tensor) -> float:
        loss = self.loss_fn(self.model(xb), yb)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return float(loss.detach())


def _adam_update(st) -> None:
    """One Adam step on ``st.flat`` from ``st.grad`` (as ``torch.optim.Adam``), shared by the fast steppers.

    ``st`` holds the flat parameters and gradient, the moments ``m``/``v``, the hyper-parameters ``lr``,
    ``b1``, ``b2``, ``wd``, ``eps`` and the step counters; torch's fused kernel is used when available.
    """
    if st._fused is not None:
        st._steps += 1                                              # the kernel expects the new step count
        st._fused([st.flat], [st.grad], [st.m], [st.v], [], [st._steps], lr=st.lr,
                  beta1=st.b1, beta2=st.b2, weight_decay=st.wd, eps=st.eps,
                  amsgrad=False, maximize=False)
        return
    st.t += 1
    grad = st.grad
    if st.wd:
        grad.add_(st.flat, alpha=st.wd)
    st.m.lerp_(grad, 1 - st.b1)
    st.v.mul_(st.b2).addcmul_(grad, grad, value=1 - st.b2)
    denom = (st.v.sqrt() / math.sqrt(1 - st.b2 ** st.t)).add_(st.eps)
    st.flat.addcdiv_(st.m, denom, value=-st.lr / (1 - st.b1 ** st.t))


class _FastStepper:
    """Hand-written forward/backward pass and Adam update for WindingCNN / WindingFCNN.

    Both networks are chains of affine maps and ReLUs acting on the rows of a matrix (the
    2x2 convolution is an affine map of each neighbour pair, the 1x1 convolution one of
    the 32 channels at each position), so the gradient is a few matrix products.  All
    parameters live in one flat buffer (the module's parameters become views of it), so
    Adam -- with L2 added to the gradient as ``torch.optim.Adam(weight_decay=)`` does --
    is a single call of torch's fused CPU Adam kernel.  The update rule is that of
    autograd plus ``torch.optim.Adam``; the tests check that both engines agree to
    rounding.
    """

    def __init__(self, model: nn.Module, lr: float, weight_decay: float, loss_kind: str,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.model, self.lr, self.loss_kind = model, float(lr), loss_kind
        self.wd, (self.b1, self.b2), self.eps = float(weight_decay), betas, eps
        params = list(model.parameters())
        with torch.no_grad():
            self.flat = torch.cat([p.detach().reshape(-1) for p in params]).contiguous()
        self.grad = torch.zeros_like(self.flat)
        self.m = torch.zeros_like(self.flat)
        self.v = torch.zeros_like(self.flat)
        self.t = 0
        # torch's fused CPU Adam kernel: one call instead of ~7 vector operations per step (same update
        # rule; the unfused fallback below is used if this private API is missing)
        self._fused = getattr(torch, "_fused_adam_", None)
        self._steps = torch.zeros(())
        offsets, off = {}, 0
        for p in params:
            offsets[id(p)] = (off, p.numel())
            p.data = self.flat[off:off + p.numel()].view_as(p)
            off += p.numel()

        def views(weight: torch.Tensor, bias: torch.Tensor, shape: tuple[int, int]):
            ow, nw = offsets[id(weight)]
            ob, nb = offsets[id(bias)]
            return (self.flat[ow:ow + nw].view(shape), self.flat[ob:ob + nb],
                    self.grad[ow:ow + nw].view(shape), self.grad[ob:ob + nb])

        if isinstance(model, WindingCNN):
            k = model.conv1.weight.shape[0]
            self.layers = [views(model.conv1.weight, model.conv1.bias, (k, 4)) + (True,),
                           views(model.conv2.weight, model.conv2.bias, (1, k)) + (True,),
                           views(model.fc1.weight, model.fc1.bias, tuple(model.fc1.weight.shape))
                           + (model.config["hidden_relu"],),
                           views(model.fc2.weight, model.fc2.bias, tuple(model.fc2.weight.shape)) + (False,)]
            self.reshape_after = 1                                    # (B L, 1) -> (B, L)
        elif isinstance(model, WindingFCNN):
            lin = [mod for mod in model.net if isinstance(mod, nn.Linear)]
            self.layers = [views(m.weight, m.bias, tuple(m.weight.shape)) + (i < len(lin) - 1,)
                           for i, m in enumerate(lin)]
            self.reshape_after = -1
        else:  # pragma: no cover - guarded by train()
            raise ValueError("the fast engine supports WindingCNN and WindingFCNN only")
        self._ln2 = math.log(2.0)

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """CNN inputs become their neighbour pairs ``(N, L, 4)`` once, so batches need no copy."""
        if isinstance(self.model, WindingCNN):
            N, P = x.shape[0], x.shape[2]
            return x.reshape(N, 2 * P).unfold(1, 4, 2).contiguous()
        return x

    def step(self, xb: torch.Tensor, yb: torch.Tensor) -> float:
        B = xb.shape[0]
        h = xb.reshape(-1, xb.shape[-1])
        inputs, outputs = [], []
        for i, (W, b, _, _, relu) in enumerate(self.layers):     # forward
            inputs.append(h)
            z = torch.addmm(b, h, W.t())
            if relu:
                z.relu_()
            outputs.append(z)
            h = z.view(B, -1) if i == self.reshape_after else z
        if self.loss_kind == "mse":
            d = h[:, 0] - yb
            loss = float(d.pow(2).mean())
            g = d.mul_(2.0 / B).unsqueeze(1)
        else:
            logp = torch.log_softmax(h, dim=1)
            loss = -float(logp.gather(1, yb[:, None]).mean()) / self._ln2
            g = logp.exp_()
            g[torch.arange(B), yb] -= 1.0
            g.mul_(1.0 / (B * self._ln2))
        for i in range(len(self.layers) - 1, -1, -1):             # backward
            W, _, gW, gb, relu = self.layers[i]
            z = outputs[i]
            g = g.reshape(z.shape)
            if relu:
                g = torch.ops.aten.threshold_backward(g, z, 0)
            torch.mm(g.t(), inputs[i], out=gW)
            torch.sum(g, 0, out=gb)
            if i > 0:
                g = g.mm(W)
        _adam_update(self)
        return loss


class _AntisymmetricStepper:
    """Hand-written forward/backward pass and Adam update for :class:`AntisymmetricWindingCNN`.

    Every neighbour pair is stored once as ``[u + v, u - v]`` (``prepare``).  A step
    evaluates ``S = W_s (u + v) + b``, ``T = W_t (u - v)`` for the symmetrised kernel bank,
    ``w~ = sum_n c . [ReLU(S + T) - ReLU(S - T)]``, and back-propagates the MSE; gradients of
    the symmetrised bank are folded back onto the shared weights
    (``dL/dW = sum_g dL/dW_g M_g^T``).  The same update rule as autograd plus
    ``torch.optim.Adam`` (L2 added to the gradient); the tests check that both engines agree
    to rounding.
    """

    def __init__(self, model: "AntisymmetricWindingCNN", lr: float, weight_decay: float, loss_kind: str,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        if loss_kind != "mse":
            raise ValueError("AntisymmetricWindingCNN is a regression network: train it with loss='mse'")
        self.model, self.lr = model, float(lr)
        self.wd, (self.b1, self.b2), self.eps = float(weight_decay), betas, eps
        params = [model.conv1.weight, model.conv1.bias, model.conv2.weight]
        with torch.no_grad():
            self.flat = torch.cat([p.detach().reshape(-1) for p in params]).contiguous()
        self.grad = torch.zeros_like(self.flat)
        self.m = torch.zeros_like(self.flat)
        self.v = torch.zeros_like(self.flat)
        self._steps = torch.zeros(())
        self._fused = getattr(torch, "_fused_adam_", None)
        self.t = 0
        off = 0
        for p in params:
            p.data = self.flat[off:off + p.numel()].view_as(p)
            off += p.numel()
        k = model.conv1.weight.shape[0]
        self.k = k
        self.W = self.flat[:4 * k].view(k, 4)
        self.b = self.flat[4 * k:5 * k]
        self.c = self.flat[5 * k:6 * k]
        self.gW = self.grad[:4 * k].view(k, 4)
        self.gb = self.grad[4 * k:5 * k]
        self.gc = self.grad[5 * k:6 * k]
        self.M = model.group_matrices
        self.s = model.group_signs
        self.G = self.M.shape[0]
        self.gain = float(model.config["gain"])

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """Curves ``(N, 1, P, 2)`` -> ``[u + v, u - v]`` of every neighbour pair, ``(N, P - 1, 4)``."""
        u, v = x[:, 0, :-1], x[:, 0, 1:]
        return torch.cat([u + v, u - v], dim=-1).contiguous()

    def step(self, xb: torch.Tensor, yb: torch.Tensor) -> float:
        B, S_len = xb.shape[0], xb.shape[1]
        G, k = self.G, self.k
        X = xb.reshape(-1, 4)
        a, d = X[:, :2], X[:, 2:]
        if G == 1:
            w_eff, b_eff, c_eff = self.W, self.b, self.c
        else:
            w_eff = torch.einsum("kc,gcd->gkd", self.W, self.M).reshape(G * k, 4)
            b_eff = self.b.repeat(G)
            c_eff = (self.s[:, None] * self.c[None, :] / G).reshape(G * k)
        gain = self.gain
        w_s = (0.5 * gain) * (w_eff[:, :2] + w_eff[:, 2:])
        w_t = 0.5 * (w_eff[:, :2] - w_eff[:, 2:])
        S = torch.addmm(gain * b_eff, a, w_s.t())                            # (rows, G k)
        T = a.new_empty(S.shape)
        torch.mm(d, w_t.t(), out=T)
        z1 = (S + T).relu_()
        z2 = (S - T).relu_()
        zd = z1 - z2
        out = torch.mv(zd, c_eff).view(B, S_len).sum(-1)
        dev = out - yb
        loss = float(dev.pow(2).mean())
        gg = dev.mul_(2.0 / B)[:, None].expand(B, S_len).reshape(-1)        # dL/dg of every step
        gc_eff = torch.mv(zd.t(), gg)
        outer = torch.outer(gg, c_eff)
        g1 = torch.ops.aten.threshold_backward(outer, z1, 0)
        g2 = torch.ops.aten.threshold_backward(outer, z2, 0)                # dL/dz2 = -outer
        gS = g1 - g2
        gT = g1 + g2
        gws = gS.t().mm(a).mul_(gain)
        gwt = gT.t().mm(d)
        gw_eff = 0.5 * torch.cat([gws + gwt, gws - gwt], dim=1)             # (G k, 4): d/dW_u, d/dW_v
        gb_eff = gS.sum(0).mul_(gain)
        if G == 1:
            self.gW.copy_(gw_eff)
            self.gb.copy_(gb_eff)
            self.gc.copy_(gc_eff)
        else:
            self.gW.copy_(torch.einsum("gkd,gcd->kc", gw_eff.view(G, k, 4), self.M))
            self.gb.copy_(gb_eff.view(G, k).sum(0))
            self.gc.copy_((gc_eff.view(G, k) * self.s[:, None]).sum(0) / G)
        _adam_update(self)
        return loss


def train(model: nn.Module, train_x: ArrayLike | torch.Tensor, train_y: ArrayLike | torch.Tensor,
          val_x: ArrayLike | torch.Tensor, val_y: ArrayLike | torch.Tensor,
          config: TrainingConfig | None = None) -> TrainingResult:
    """Train ``model`` in place; restore the weights of the best validation epoch.

    ``train_x``/``val_x``: configurations ``(N, L+1, 2)`` (numpy; converted to the model's
    input shape) or ready tensors.  ``train_y``/``val_y``: windings (regression) or class
    indices (classification).  With ``config.init`` the weights are first reset by
    :func:`init_weights` with ``config.seed``; mini-batch order uses the same seed, so
    the same seed gives identical weights (with ``threads=1``).

    Each epoch: shuffled mini-batches (Adam, L2 via ``weight_decay``), then the full
    validation loss, the LR schedule step and the early-stopping check (no improvement
    for ``early_stopping_patience`` epochs ends the run).  The reported training loss is
    the mean mini-batch loss of the epoch (without the L2 term).
    """
    _check_module(model)
    if config is not None and not isinstance(config, TrainingConfig):
        raise TypeError(f"config must be a TrainingConfig or None, got {type(config).__name__}")
    cfg = config or TrainingConfig()
    n_out = getattr(model, "config", {}).get("n_out") if isinstance(getattr(model, "config", None), dict) else None
    xt, xv = _model_input(model, train_x, "train_x"), _model_input(model, val_x, "val_x")
    yt = _targets(train_y, cfg.loss, "train_y", n_out)
    yv = _targets(val_y, cfg.loss, "val_y", n_out)
    if len(xt) != len(yt):
        raise ValueError(f"train_x has {len(xt)} configurations but train_y has {len(yt)} labels")
    if len(xv) != len(yv):
        raise ValueError(f"val_x has {len(xv)} configurations but val_y has {len(yv)} labels")
    if len(yt) == 0 or len(yv) == 0:
        raise ValueError(f"the training set (train_x: {len(yt)}) and the validation set (val_x: {len(yv)}) must "
                         "both be non-empty")
    if cfg.loss == "mse" and n_out not in (None, 1):
        raise ValueError(f"loss='mse' needs a regression network with one output, the model has n_out={n_out}")
    if cfg.loss == "ce_bits" and n_out == 1:
        raise ValueError("loss='ce_bits' needs a classifier (n_out >= 2); this model has one output")
    if cfg.threads is not None:
        torch.set_num_threads(int(cfg.threads))
    if cfg.init:
        init_weights(model, cfg.seed)
    _probe(model, xt[:1], "train_x")
    loss_fn = _loss_fn(cfg.loss)
    sched = _PlateauSchedule(cfg.lr_factor, cfg.lr_patience) if cfg.lr_schedule == "plateau" else None
    fast = cfg.engine == "fast" and type(model) in (WindingCNN, WindingFCNN)
    if isinstance(model, (AntisymmetricWindingCNN, ReversalSymmetricCNN)) and cfg.loss != "mse":
        raise ValueError(f"{type(model).__name__} is a regression network: train it with loss='mse'")
    if cfg.engine == "fast" and type(model) is AntisymmetricWindingCNN:
        stepper = _AntisymmetricStepper(model, cfg.lr, cfg.weight_decay, cfg.loss)
    else:
        stepper = (_FastStepper(model, cfg.lr, cfg.weight_decay, cfg.loss) if fast
                   else _AutogradStepper(model, cfg.lr, cfg.weight_decay, loss_fn))
    xt_prepared = stepper.prepare(xt)
    gen = torch.Generator().manual_seed(int(cfg.seed) + 1)
    history: dict[str, list[float]] = {"train": [], "val": [], "lr": []}
    best_val, best_epoch, best_state, since_best = math.inf, 0, None, 0
    n, bs = len(yt), int(cfg.batch_size)
    bar = None
    if cfg.progress:
        from .notebook import progress_bar

        bar = progress_bar(total=cfg.max_epochs, desc=cfg.desc, unit="epoch", mininterval=5.0, leave=True)
    t0 = time.perf_counter()
    stopped = False
    try:
        for epoch in range(1, cfg.max_epochs + 1):
            model.train()
            perm = torch.randperm(n, generator=gen)
            xs, ys = xt_prepared[perm], yt[perm]
            running = 0.0
            for i in range(0, n, bs):
                yb = ys[i:i + bs]
                running += stepper.step(xs[i:i + bs], yb) * len(yb)
            model.eval()
            val = _eval_loss(model, xv, yv, loss_fn)
            if not (math.isfinite(running) and math.isfinite(val)):
                raise ValueError(f"training diverged: the loss became NaN/inf in epoch {epoch} (lr={cfg.lr:g}, "
                                 f"weight_decay={cfg.weight_decay:g}); lower the learning rate (lr) or the weight "
                                 "decay")
            history["train"].append(running / n)
            history["val"].append(val)
            history["lr"].append(stepper.lr)
            if sched is not None:
                stepper.lr = sched.step(val, stepper.lr)
            else:                                  # cosine decay to lr * lr_factor**2 at max_epochs
                lo = cfg.lr * cfg.lr_factor ** 2
                stepper.lr = lo + 0.5 * (cfg.lr - lo) * (1 + math.cos(math.pi * epoch / cfg.max_epochs))
            if val < best_val:
                best_val, best_epoch, since_best = val, epoch, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                since_best += 1
            if bar is not None:
                bar.update(1)
                bar.set_postfix(train=f"{running / n:.3g}", val=f"{val:.3g}", refresh=False)
            if since_best >= cfg.early_stopping_patience:
                stopped = True
                break
    finally:
        if bar is not None:
            bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return TrainingResult(history, best_epoch, best_val, len(history["val"]),
                          time.perf_counter() - t0, stopped)


def machine_fingerprint() -> str:
    """The processor model and a short hash of its feature flags, e.g. ``"AMD EPYC, flags 63e8722a4d"``.

    Training runs are bit-reproducible for a given seed only on the same kind of processor
    (its SIMD instruction set decides the rounding of the matrix products); store this with
    the weights (:func:`save_model` metadata) and compare before expecting bit-identical
    retraining.  Falls back to :func:`platform.processor` where ``/proc/cpuinfo`` is missing.
    """
    try:
        info = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    name = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), "unknown")
    flags = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("flags")), "")
    return f"{name}, flags {hashlib.sha1(flags.encode()).hexdigest()[:10]}"


def _check_sets(train_set, val_set) -> None:
    for name, data in (("train_set", train_set), ("val_set", val_set)):
        if not isinstance(data, Configurations):
            raise TypeError(f"{name} must be a Configurations (e.g. from hatano_nelson_dataset), "
                            f"got {type(data).__name__}")


def train_antisymmetric_cnn(train_set: Configurations, val_set: Configurations, *, kernels: int = 32,
                            gain: float = 30.0, rotations: int = 1, reflection: bool = False,
                            epochs: int = 100, batch_size: int = 256, lr: float = 3e-3, lr_factor: float = 0.1,
                            weight_decay: float = 0.0, seed: int = 0,
                            progress: bool = False) -> tuple[AntisymmetricWindingCNN, TrainingResult, dict]:
    """Build and train an :class:`AntisymmetricWindingCNN` with our recipe (ours, not the paper's).

    Mean squared error on the winding, Adam with a cosine decay of the learning rate from
    ``lr`` to ``lr * lr_factor**2`` over ``epochs`` epochs, mini-batches of ``batch_size``,
    L2 strength ``weight_decay``, no early stopping (the weights of the best validation
    epoch are restored, as in :func:`train`), Xavier-normal initial weights from ``seed``,
    one torch thread (bit-reproducible for a given seed on a given machine).

    Parameters
    ----------
    train_set, val_set
        Labelled unit-modulus curves (:class:`Configurations`), e.g. from
        :func:`hatano_nelson_dataset`.  The sets may have any (common or not) number of
        points per curve.
    kernels, gain, rotations, reflection
        Architecture (see :class:`AntisymmetricWindingCNN`).
    epochs, batch_size, lr, lr_factor, weight_decay, seed
        Training settings (see :class:`TrainingConfig`).
    progress
        Show a progress bar.

    Returns
    -------
    (model, result, recipe): the trained network (eval mode), the :class:`TrainingResult`
    and a JSON-ready dict of every setting above, to store with :func:`save_model`.
    """
    _check_sets(train_set, val_set)
    epochs = _v.check_size(epochs, "epochs", lo=1, cap=10 ** 7, fix="the book trains for 100 epochs")
    batch_size = _v.check_size(batch_size, "batch_size", lo=1, cap=10 ** 8)
    lr = _v.check_positive(lr, "lr", fix="a learning rate such as 3e-3")
    lr_factor = _v.check_real(lr_factor, "lr_factor", lo=0.0, hi=1.0, lo_open=True, hi_open=True,
                              fix="the final learning rate is lr * lr_factor**2")
    weight_decay = _v.check_nonneg(weight_decay, "weight_decay")
    seed = _check_seed(seed)
    progress = _v.check_bool(progress, "progress")
    model = AntisymmetricWindingCNN(train_set.L, kernels=kernels, rotations=rotations, reflection=reflection,
                                    gain=gain)
    recipe = {"kernels": int(kernels), "gain": float(gain), "rotations": int(rotations),
              "reflection": bool(reflection), "epochs": int(epochs), "batch_size": int(batch_size),
              "lr": float(lr), "lr_factor": float(lr_factor), "weight_decay": float(weight_decay),
              "seed": int(seed), "lr_schedule": "cosine", "loss": "mse"}
    cfg = TrainingConfig(loss="mse", max_epochs=int(epochs), batch_size=int(batch_size), lr=float(lr),
                         weight_decay=float(weight_decay), lr_schedule="cosine", lr_factor=float(lr_factor),
                         early_stopping_patience=int(epochs) + 1, seed=int(seed), threads=1,
                         progress=progress, desc="antisymmetric CNN")
    result = train(model, train_set.x, train_set.y, val_set.x, val_set.y, cfg)
    return model, result, recipe


# ================================================================ evaluation
def predict(model: nn.Module, x: ArrayLike | torch.Tensor, *, chunk: int = 8192) -> np.ndarray:
    """Network output for configurations ``x``: ``w~`` ``(N,)`` for regression, softmax
    probabilities ``(N, C)`` for classification."""
    chunk = _v.check_size(chunk, "chunk", lo=1, cap=10 ** 8)
    xt = _model_input(model, x)
    if len(xt):
        _probe(model, xt[:1], "x")
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(xt), chunk):
            out = model(xt[i:i + chunk])
            if out.ndim == 2:
                out = torch.softmax(out, dim=1)
            outs.append(out.numpy().astype(float))
    return np.concatenate(outs) if outs else np.zeros(0)


def predicted_winding(w_tilde: ArrayLike) -> np.ndarray:
    """The paper's rule for the regression network: the integer nearest to ``w~``."""
    w = _v.real_array(w_tilde, "w_tilde")
    if np.any(np.abs(w) > 2 ** 62):
        raise ValueError("w_tilde is too large to round to a 64-bit integer")
    return np.rint(w).astype(int)


def predicted_class(probabilities: ArrayLike) -> np.ndarray:
    """Index of the most probable class."""
    p = _v.real_array(probabilities, "probabilities")
    if p.ndim != 2 or p.shape[1] == 0:
        raise ValueError(f"probabilities must have shape (N, n_classes), got {p.shape}")
    return p.argmax(axis=1)


def conv_activations(model: WindingCNN, x: ArrayLike | torch.Tensor) -> np.ndarray:
    """The activations ``a_n`` after the two convolutions, ``(N, L)`` (paper's Fig. 3c)."""
    if not isinstance(model, WindingCNN):
        raise TypeError(f"model: conv_activations needs a WindingCNN, got {type(model).__name__}")
    if isinstance(x, Configurations):
        x = x.x
    if torch.is_tensor(x):
        xt = _model_input(model, x)
    else:   # any number of points: the convolutions are local (see WindingCNN.conv_activations)
        xt = torch.from_numpy(np.ascontiguousarray(_check_features(x)))[:, None]
    with torch.no_grad():
        return model.conv_activations(xt).numpy().astype(float)


def exact_phase_steps(x: ArrayLike) -> np.ndarray:
    """Exact phase steps ``Delta theta(n) = wrap(theta_n - theta_{n-1})``, ``n = 1..L``, of
    configurations ``(N, L+1, 2)`` (the terms of the discrete winding formula)."""
    x = _check_features(x.x if isinstance(x, Configurations) else x)
    theta = np.arctan2(x[..., 1].astype(float), x[..., 0].astype(float))
    return wrap_phase(np.diff(theta, axis=-1))


def accuracy_by_label(predicted: ArrayLike, true: ArrayLike) -> dict[float, float]:
    """Fraction of correct predictions for every distinct true label (a dict label -> accuracy)."""
    p, t = _v.real_array(predicted, "predicted"), _v.real_array(true, "true")
    if p.shape != t.shape:
        raise ValueError("predicted and true labels have different shapes")
    return {float(v): float(np.mean(p[t == v] == v)) for v in np.unique(t)}


def accuracy_by_abs_label(predicted: ArrayLike, true: ArrayLike) -> dict[float, float]:
    """Accuracy grouped by ``|label|`` (e.g. ``w = +-3`` together, as in the paper's Table I)."""
    p, t = _v.real_array(predicted, "predicted"), _v.real_array(true, "true")
    if p.shape != t.shape:
        raise ValueError("predicted and true labels have different shapes")
    return {float(v): float(np.mean(p[np.abs(t) == v] == t[np.abs(t) == v])) for v in np.unique(np.abs(t))}


def prediction_density(values: ArrayLike, labels: ArrayLike, bins: ArrayLike) -> dict[float, np.ndarray]:
    """Normalised histogram (probability per bin, summing to 1) of ``values`` for each label."""
    v, lab = _v.real_array(values, "values"), _v.real_array(labels, "labels")
    if v.shape != lab.shape:
        raise ValueError(f"values and labels must have the same shape, got {v.shape} and {lab.shape}")
    b = _v.real_array(bins, "bins")
    if b.ndim == 0:
        bins = _v.check_size(b[()], "bins", lo=1, cap=10 ** 6)
    elif b.ndim != 1 or b.size < 2 or np.any(np.diff(b) <= 0):
        raise ValueError("bins must be a number of bins or an increasing 1D array of at least 2 edges")
    out = {}
    for c in np.unique(lab):
        h, _ = np.histogram(v[lab == c], bins=bins)
        out[float(c)] = h / max(1, int(np.sum(lab == c)))
    return out


def linear_fit(x: ArrayLike, y: ArrayLike) -> tuple[float, float, float]:
    """Least-squares line ``y = slope x + intercept`` and its coefficient of determination R^2."""
    x, y = _v.real_array(x, "x").ravel(), _v.real_array(y, "y").ravel()
    if x.size < 2 or x.size != y.size:
        raise ValueError("x and y must be equally long arrays with at least two points")
    if np.all(x == x[0]):
        raise ValueError("x is constant: the slope of a line through the points is undefined")
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    ss_tot = np.sum((y - y.mean()) ** 2)
    r2 = 1.0 - np.sum(resid ** 2) / ss_tot if ss_tot > 0 else float("nan")
    return float(slope), float(intercept), float(r2)


def direction_dependent_fit(theta: ArrayLike, dtheta: ArrayLike, activation: ArrayLike, *,
                            harmonics: int = 3) -> float:
    """R^2 of the fit ``a = c0(theta) + c1(theta) * dtheta`` with ``c0, c1`` truncated Fourier series.

    ``theta``: absolute direction of the first point of each pair; ``dtheta``: the exact
    phase step of the pair; ``activation``: the network's per-step activation (all of one
    shape).  ``c0`` and ``c1`` each have a constant and ``harmonics`` cosine/sine pairs
    (least squares).  Compared with :func:`linear_fit` (constant ``c0, c1``) it measures how
    much of a CNN's per-step activation depends on the direction of the pair.
    """
    th, d, a = (_v.real_array(v, name).ravel()
                for v, name in ((theta, "theta"), (dtheta, "dtheta"), (activation, "activation")))
    if not (th.shape == d.shape == a.shape) or th.size == 0:
        raise ValueError(f"theta, dtheta and activation must be non-empty arrays of one shape, got sizes "
                         f"{th.size}, {d.size}, {a.size}")
    harmonics = _v.check_int(harmonics, "harmonics", lo=0)
    n_coef = 2 * (2 * harmonics + 1)
    if n_coef >= th.size:
        raise ValueError(f"harmonics={harmonics} gives {n_coef} fit coefficients for only {th.size} samples: the "
                         "fit would interpolate (R^2 = 1 whatever the rule); use fewer harmonics or more samples")
    _v.check_elements(float(n_coef) * th.size, "harmonics", harmonics, itemsize=8,
                      fix="use fewer harmonics or fewer samples")
    basis = [np.ones_like(th)] + [f(j * th) for j in range(1, int(harmonics) + 1) for f in (np.cos, np.sin)]
    design = np.stack(basis + [b * d for b in basis], axis=-1)
    coef, *_ = np.linalg.lstsq(design, a, rcond=None)
    var = a.var()
    if var == 0:
        raise ValueError("the activation is constant: R^2 is undefined")
    r2 = float(1.0 - (a - design @ coef).var() / var)
    _v.finite_result(r2, "R^2 of the fit", "rescale the activation to moderate values")
    return r2


def zero_step_activation(model: WindingCNN, n_angles: int = 720) -> float:
    """Mean activation ``a`` of a pair of identical points (``Delta theta = 0``), averaged over the angle."""
    _check_cnn(model)
    n_angles = _v.check_size(n_angles, "n_angles", lo=1, cap=10 ** 6)
    th = 2 * np.pi * np.arange(n_angles) / n_angles
    u = np.stack([np.cos(th), np.sin(th)], -1)
    x = np.stack([u, u], axis=1).astype(np.float32)             # (n_angles, 2, 2): two equal points
    return float(conv_activations(model, x).mean())


def sum_readout_predict(model: WindingCNN, x: ArrayLike | torch.Tensor) -> np.ndarray:
    """Regression output of a trained L-point CNN applied to curves with a different number of points (ours).

    The convolutions are local and work for any length ``L'``; only ``fc1`` has fixed
    width ``L``.  This readout replaces every row of ``fc1`` by its mean weight applied to
    the sum of the ``L'`` activations, after removing the ``(L' - L)`` extra zero-step
    offsets: ``h = ReLU(mean(W_j) (sum_n a_n - (L' - L) a_0) + b_j)``, where ``a_0`` is
    :func:`zero_step_activation`.  It is exact for a network whose ``a_n`` is linear in
    the phase step and whose ``fc1`` rows are uniform -- the mechanism the chapter
    tests; it is not the paper's network.
    """
    _check_cnn(model)
    if model.config["n_out"] != 1:
        raise ValueError("model: sum_readout_predict needs a regression WindingCNN (one output)")
    x = _check_features(x.x if isinstance(x, Configurations) else x)
    a = conv_activations(model, x)                                # (N, L')
    a0 = zero_step_activation(model)
    W = model.fc1.weight.detach().numpy().astype(float)
    b = model.fc1.bias.detach().numpy().astype(float)
    s = a.sum(axis=1) - (a.shape[1] - model.L) * a0
    h = s[:, None] * W.mean(axis=1)[None, :] + b[None, :]
    if model.config["hidden_relu"]:
        h = np.maximum(0.0, h)
    return h @ model.fc2.weight.detach().numpy().astype(float).ravel() + float(model.fc2.bias.detach())


def _probe_pairs(dtheta: ArrayLike, n_directions: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Pairs ``(e^{i theta}, e^{i(theta + Delta theta)})`` over ``n_directions`` directions, ``(n d, 2, 2)``."""
    d = _v.real_array(dtheta, "dtheta", finite=False).ravel()
    if not np.all(np.isfinite(d)) or np.any(np.abs(d) >= np.pi):
        raise ValueError("dtheta must be finite and inside (-pi, pi)")
    n_directions = _v.check_size(n_directions, "n_directions", lo=1, cap=10 ** 6)
    _v.check_elements(float(n_directions) * max(d.size, 1) * 8, "n_directions", n_directions)
    th = 2 * np.pi * np.arange(n_directions) / n_directions
    t1 = np.repeat(th, d.size)
    t2 = t1 + np.tile(d, n_directions)
    x = np.stack([np.stack([np.cos(t1), np.sin(t1)], -1), np.stack([np.cos(t2), np.sin(t2)], -1)], axis=1)
    return x.astype(np.float32), (n_directions, d.size)


def pair_step_response(model: WindingCNN | AntisymmetricWindingCNN, dtheta: ArrayLike,
                       n_directions: int = 72) -> np.ndarray:
    """What one phase step contributes to the output of a regression CNN with a linear head, in winding units.

    For every ``Delta theta`` in ``dtheta`` (radians, in ``(-pi, pi)``) and ``n_directions``
    equally spaced directions ``theta`` the pair ``(e^{i theta}, e^{i(theta + Delta theta)})``
    is fed to the convolutions and its activation multiplied by the mean effective readout
    weight ``omega = mean_n (W_2 W_1)_n`` -- the network's output is ``sum_n omega_n a_n + b``,
    and the dense weights are close to uniform.  An exact local rule would give
    ``Delta theta / 2 pi`` plus a constant.  Returns ``(n_directions, len(dtheta))``.

    Raises ValueError for a classifier or a ReLU head (``hidden_relu=True``), where the
    output is not a weighted sum of the ``a_n``.

    For an :class:`AntisymmetricWindingCNN` the contribution of a step is exactly its
    ``g(u, v)`` (the network's output for the two-point curve ``(u, v)``), with ``g(u, u) = 0``.
    """
    if isinstance(model, AntisymmetricWindingCNN):
        x, shape = _probe_pairs(dtheta, n_directions)
        with torch.no_grad():
            return model(cnn_input(x)).double().numpy().reshape(shape)
    _check_cnn(model)
    if model.config["n_out"] != 1 or model.config["hidden_relu"]:
        raise ValueError("model: pair_step_response needs a regression WindingCNN with a linear hidden layer "
                         "(hidden_relu=False); with the ReLU head the output is not a sum over steps")
    x, shape = _probe_pairs(dtheta, n_directions)
    a = conv_activations(model, x).reshape(shape)
    omega = (model.fc2.weight.detach().double() @ model.fc1.weight.detach().double()).numpy().ravel().mean()
    return omega * a


def antipodal_step_error(model: WindingCNN | AntisymmetricWindingCNN, deficits: ArrayLike,
                         n_directions: int = 360) -> np.ndarray:
    """Mean error of a regression CNN's step rule for steps close to ``+-pi``, in winding units (ours).

    For each deficit ``d`` in ``deficits`` (radians, ``0 < d < pi``) the steps
    ``Delta theta = +-(pi - d)`` are probed with :func:`pair_step_response` over
    ``n_directions`` directions; the zero-step response (averaged over directions) is
    subtracted and the exact contribution ``Delta theta / 2 pi`` compared with.  Returns
    the mean absolute error of the direction-averaged response, averaged over the two
    signs: about ``1/2`` where the network cannot tell ``+(pi - d)`` from ``-(pi - d)``,
    about 0 where it resolves the step.  Same requirements as :func:`pair_step_response`.
    """
    if not isinstance(model, AntisymmetricWindingCNN):
        _check_cnn(model)
    d = _v.real_array(deficits, "deficits", finite=False).ravel()
    if np.any(~np.isfinite(d)) or np.any(d <= 0) or np.any(d >= np.pi):
        raise ValueError("deficits must lie in (0, pi)")
    steps = np.concatenate([np.pi - d, -(np.pi - d), [0.0]])
    r = pair_step_response(model, steps, n_directions).mean(axis=0)
    err = r[:-1] - r[-1] - steps[:-1] / (2 * np.pi)
    return 0.5 * (np.abs(err[:d.size]) + np.abs(err[d.size:]))


def step_error_windings(x: ArrayLike, deficits: ArrayLike, errors: ArrayLike) -> np.ndarray:
    """Windings of configurations ``(N, L+1, 2)`` counted with a given error of the step rule near ``+-pi`` (ours).

    Every exact step ``Delta theta`` with deficit ``d = pi - |Delta theta|`` contributes
    ``Delta theta / 2 pi - sign(Delta theta) e(d)``, where ``e`` interpolates the profile
    ``(deficits, errors)`` linearly in ``log d`` -- e.g. a network's profile from
    :func:`antipodal_step_error` -- with ``e = errors[0]`` below the smallest deficit and
    ``e = 0`` above the largest.  The error pulls a step's contribution towards 0, as a
    continuous rule does near the antipode.  Returns the (unrounded) sums ``(N,)``: the
    prediction of the accuracy a network would have if its only flaw were this profile.
    """
    d0 = _v.real_array(deficits, "deficits").ravel()
    e0 = _v.real_array(errors, "errors", finite=False).ravel()
    if d0.size < 2 or np.any(d0 <= 0) or np.any(np.diff(d0) <= 0):
        raise ValueError("deficits must be positive and increasing (at least 2 of them)")
    if d0.shape != e0.shape:
        raise ValueError(f"errors must hold one error per deficit ({d0.size}), got {e0.size}")
    if not np.all(np.isfinite(e0)):
        raise ValueError("errors contain NaN or inf")
    st = exact_phase_steps(x)
    d = np.maximum(np.pi - np.abs(st), 1e-300)
    e = np.interp(np.log(d), np.log(d0), e0, left=e0[0], right=0.0)
    return np.sum(st / (2 * np.pi) - np.sign(st) * e, axis=-1)


def ramp_limited_windings(x: ArrayLike, width: float) -> np.ndarray:
    """Windings of configurations ``(N, L+1, 2)`` counted by an idealised but continuous local rule (ours).

    The exact rule adds ``Delta theta / 2 pi`` per step, which jumps from ``+1/2`` to
    ``-1/2`` where a step passes through ``+-pi`` (antipodal neighbours).  No network built
    from continuous activations can jump, so it must err on a band around the antipode.
    This rule is exact except for steps within ``width`` of ``+-pi``: a step
    ``|Delta theta| = pi - d`` with ``d < width`` contributes ``(Delta theta / 2 pi)(d / width)``,
    a linear ramp through 0 at the antipode.  Returns the (unrounded) sums ``(N,)``;
    comparing their rounded values with the labels tells how sharp a network's step
    response has to be for a given accuracy.
    """
    width = _v.check_positive(width, "width", fix="width must be a positive number of radians")
    st = exact_phase_steps(x)
    d = np.pi - np.abs(st)
    return np.sum(np.where(d < width, st * (d / width), st), axis=-1) / (2 * np.pi)


# ============================================================== persistence
_CLASSES = {"WindingCNN": WindingCNN, "WindingFCNN": WindingFCNN,
            "AntisymmetricWindingCNN": AntisymmetricWindingCNN, "ReversalSymmetricCNN": ReversalSymmetricCNN}


def save_model(model: nn.Module, path: str | Path, **metadata: Any) -> Path:
    """Save architecture, weights and JSON-like ``metadata`` to ``path`` (a torch file)."""
    _check_module(model)
    name = type(model).__name__
    if name not in _CLASSES:
        raise ValueError(f"model: can only save {sorted(_CLASSES)}, not {name}")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    if not Path(path).parent.is_dir():
        raise ValueError(f"path={str(path)!r}: the folder {str(Path(path).parent)!r} does not exist")
    try:
        json.dumps(metadata)
    except TypeError as err:
        raise ValueError(f"metadata must be JSON-like (str, numbers, lists, dicts) so that load_model can "
                         f"read it back safely: {err}; convert the value, e.g. with str()") from None
    # a JSON round trip turns subclasses of str/float (e.g. torch.__version__, numpy floats) into the plain
    # types that load_model's weights-only unpickler accepts
    metadata = json.loads(json.dumps(metadata))
    path = Path(path)
    cfg = {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.config.items()}
    torch.save({"class": name, "config": cfg, "state_dict": model.state_dict(),
                "metadata": dict(metadata)}, path)
    return path


def load_model(path: str | Path) -> tuple[nn.Module, dict]:
    """Rebuild a model saved by :func:`save_model`; returns ``(model, metadata)`` (eval mode)."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    if not Path(path).is_file():
        raise ValueError(f"path={str(path)!r} does not exist (or is not a file)")
    try:
        blob = torch.load(Path(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling/format error means: not our file
        raise ValueError(f"path={str(path)!r} is not a model saved by nhtopo_lib.learning.save_model "
                         f"({type(exc).__name__}: {str(exc)[:200]})") from None
    cls = _CLASSES.get(blob.get("class")) if isinstance(blob, dict) else None
    if cls is None or not isinstance(blob.get("config"), dict) or "state_dict" not in blob:
        raise ValueError(f"path={str(path)!r} is not a model saved by nhtopo_lib.learning.save_model")
    cfg = dict(blob["config"])
    L = cfg.pop("L")
    try:
        model = cls(L, **cfg)
        model.load_state_dict(blob["state_dict"])
    except (TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(f"path={str(path)!r}: the stored architecture or weights are inconsistent "
                         f"({type(exc).__name__}: {str(exc)[:200]})") from None
    model.eval()
    return model, blob["metadata"]


# ====================================================================== the paper's Hatano-Nelson experiment
#: The three networks of the Hatano--Nelson experiment, by the names the book uses: the paper's CNN,
#: our variant with a linear two-neuron layer, and the paper's FCNN.
HN_PAPER_NETWORKS = ("CNN", "CNN, linear 2-neuron layer (ours)", "FCNN")


def hatano_nelson_paper_sets(*, L: int = 32, test_mus: Sequence[int] = range(1, 8),
                             n_train_per_mu: int = 20_000, n_val_per_mu: int = 1_334,
                             n_test_per_sign: int = 4_000, seeds: tuple[int, int, int] = (101, 202, 303),
                             ) -> tuple[Configurations, Configurations, dict[int, Configurations]]:
    """The data of the Hatano--Nelson experiment (Zhang et al. 2021, Sec. II) at the paper's scale.

    Training: ``n_train_per_mu`` configurations for each ``|w| = mu`` in 1, 2, 3 (6e4 in all);
    validation: ``n_val_per_mu`` per ``mu`` (the paper's 4e3, 1:1:1); test: for every
    ``mu`` in ``test_mus`` a separate set of ``n_test_per_sign`` configurations per sign of ``w``.
    Signs are balanced exactly and amplitudes have uniform phases
    (:func:`hatano_nelson_dataset`).  ``seeds = (train, validation, test)``; the test set
    of ``mu`` uses ``seeds[2] + mu``.  Every book page that needs these sets calls this
    function, so they are identical everywhere.
    """
    L = _check_L(L)
    if L <= 6:
        raise ValueError(f"L={L} is too small: the training windings |w| <= 3 need L > 6 points per loop "
                         "(the paper uses L = 32)")
    test_mus = _v.check_powers(test_mus, "test_mus", lo=1, distinct=False, cap=MAX_REACH)
    if 2 * max(test_mus) >= L:
        raise ValueError(f"test_mus contains mu = {max(test_mus)}, under-resolved with L = {L} points per loop "
                         "(need L > 2 mu); use larger L or smaller test_mus")
    n_train_per_mu = _check_count(n_train_per_mu, "n_train_per_mu", per_item=(L + 1) * 100 * 3, lo=1)
    n_val_per_mu = _check_count(n_val_per_mu, "n_val_per_mu", per_item=(L + 1) * 100 * 3, lo=1)
    n_test_per_sign = _check_count(n_test_per_sign, "n_test_per_sign", per_item=(L + 1) * 100 * 2, lo=1)
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__len__") or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a tuple (train, validation, test) of three seeds, got {type(seeds).__name__}")
    if len(seeds) != 3:
        raise ValueError(f"seeds must hold three seeds (train, validation, test), got {len(seeds)}")
    train_seed, val_seed, test_seed = (_check_seed(s_, "seeds") for s_ in seeds)
    train_set = hatano_nelson_dataset([1, 2, 3], n_train_per_mu, seed=train_seed, L=L)
    val_set = hatano_nelson_dataset([1, 2, 3], n_val_per_mu, seed=val_seed, L=L)
    tests = {int(mu): hatano_nelson_dataset([int(mu)], 2 * n_test_per_sign, seed=test_seed + int(mu), L=L)
             for mu in test_mus}
    return train_set, val_set, tests


def paper_training_config(desc: str = "training", *, max_epochs: int = 70, seed: int = 0) -> TrainingConfig:
    """The paper's training settings (its Appendix A) with the book's stopping choices.

    MSE loss, Adam with learning rate 1e-3 and L2 strength 1e-4, ``ReduceLROnPlateau``
    (factor 0.1 after 20 epochs without improvement), batch 64; early stopping with
    patience 40 (ours) and at most ``max_epochs`` epochs (ours; the paper gives neither).
    """
    return TrainingConfig(loss="mse", max_epochs=max_epochs, batch_size=64, lr=1e-3, weight_decay=1e-4,
                          lr_schedule="plateau", lr_factor=0.1, lr_patience=20,
                          early_stopping_patience=40, seed=seed, desc=desc)


def train_paper_networks(train_set: Configurations, val_set: Configurations,
                         names: Sequence[str] = HN_PAPER_NETWORKS, *, max_epochs: int = 70,
                         seed: int = 0) -> tuple[dict[str, nn.Module], dict[str, TrainingResult]]:
    """Build and train the networks of :data:`HN_PAPER_NETWORKS` named in ``names``.

    Each network is initialised and trained with :func:`paper_training_config` and the same
    ``seed``, so with one torch thread the result is bit-identical wherever it is called
    (the book's pages retrain instead of passing weights between notebooks).
    Returns ``(networks, results)``, both keyed by name.
    """
    _check_sets(train_set, val_set)
    if isinstance(names, (str, bytes)) or not hasattr(names, "__iter__"):
        raise TypeError(f"names must be a sequence of network names from {list(HN_PAPER_NETWORKS)}, "
                        f"got {type(names).__name__} {names!r:.60}")
    names = list(names)
    if not names:
        raise ValueError(f"names is empty: choose at least one of {list(HN_PAPER_NETWORKS)}")
    unknown = [n for n in names if not isinstance(n, str) or n not in HN_PAPER_NETWORKS]
    if unknown:
        raise ValueError(f"names: unknown network name(s) {unknown}; choose from {list(HN_PAPER_NETWORKS)}")
    max_epochs = _v.check_size(max_epochs, "max_epochs", lo=1, cap=10 ** 7, fix="the book trains for 70 epochs")
    seed = _check_seed(seed)
    L = train_set.L
    build = {"CNN": lambda: WindingCNN(L), "CNN, linear 2-neuron layer (ours)":
             lambda: WindingCNN(L, hidden_relu=False), "FCNN": lambda: WindingFCNN(L)}
    nets, results = {}, {}
    for name in names:
        nets[name] = build[name]()
        results[name] = train(nets[name], train_set.x, train_set.y, val_set.x, val_set.y,
                              paper_training_config(name, max_epochs=max_epochs, seed=seed))
    return nets, results
