"""Learning phase transitions from deep phases: distance to the phase boundaries, threshold splits, crossings.

The workflow of Zhang et al. (PRA 103, 012419 (2021), Secs. III and V):

1. Sample model parameters; compute the Euclidean distance ``s`` of every
   point to the nearest *straight-line* phase boundary ``A x + B y + C = 0``
   (:func:`distance_to_lines`, Eq. 12 of the paper).
2. Points with ``s >= T`` ("deep in a phase") form the training and
   validation sets; points with ``s < T`` ("near a transition", never seen in
   training) form test set I (:func:`threshold_split`,
   :func:`sample_threshold_sets`).
3. A classifier trained on the deep phases is evaluated along a 1D cut
   through the phase diagram (test set II); the predicted transitions are the
   points where the class-probability curves cross
   (:func:`probability_crossings`).

Everything here is model-independent: the model supplies the boundary lines
(e.g. :func:`nhtopo_lib.models.nh_ssh_phase_boundaries`,
:func:`nhtopo_lib.exceptional.nh_dirac_phase_boundaries`) and a sampler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v

if TYPE_CHECKING:  # annotation only: importing learning pulls in torch
    from .learning import TrainingConfig

__all__ = [
    "distance_to_lines",
    "ThresholdSets",
    "threshold_split",
    "sample_threshold_sets",
    "Crossing",
    "probability_crossings",
    "TransitionRun",
    "learn_transition",
    "nh_ssh_configurations",
    "nh_dirac_configurations",
    "NH_SSH_CLASSES",
    "NH_DIRAC_CLASSES",
]

#: Class order of the NH-SSH classifier (P1, P2, P3 of the paper): ``w_pm = 0, +1/2, -1/2``.
NH_SSH_CLASSES = (0.0, 0.5, -0.5)
#: Class order of the Dirac classifier: ``w_pm = 0, +1/2``.
NH_DIRAC_CLASSES = (0.0, 0.5)


def nh_ssh_configurations(points: ArrayLike, L: int = 32, *, t_prime: float = 1.0,
                          max_step: float = 0.99 * np.pi) -> tuple[np.ndarray, np.ndarray]:
    """Network input and exact labels of the nonreciprocal NH-SSH chain for points ``(delta, t)``.

    Input: ``E_+^2(k_n)``, ``k_n = 2 pi n / L`` (``n = 0..L``, end point repeated),
    projected onto the unit circle, float32 ``(N, L+1, 2)``
    (:func:`nhtopo_lib.learning.encode_curves`).  Labels: the closed form
    :func:`nhtopo_lib.models.nh_ssh_interband_winding`.  Every label is checked
    against half the discrete winding of the very samples fed to the network
    (all phase steps must stay below ``max_step``; for even ``L`` they stay
    below pi, because the sampled k grid contains 0 and pi where the factors
    come closest to the origin); a disagreement raises RuntimeError.
    """
    from . import learning as lrn
    from .models import nh_ssh_energy_squared, nh_ssh_interband_winding

    p = np.atleast_2d(_v.real_array(points, "points"))
    if p.ndim != 2 or p.shape[-1] != 2 or len(p) == 0:
        raise ValueError(f"points must have shape (N, 2) with columns (delta, t) and N >= 1, got {p.shape}")
    L = _v.check_size(L, "L", lo=2, cap=10 ** 6, fix="the networks of the book use L = 32")
    t_prime = _v.check_real(t_prime, "t_prime")
    max_step = _v.check_max_step(max_step)
    _v.check_elements(float(len(p)) * (L + 1) * 4, "points", f"{len(p)} points with L = {L}")
    d, t = p[:, 0], p[:, 1]
    w = nh_ssh_interband_winding(t, d, t_prime)
    k = 2 * np.pi * np.arange(int(L) + 1) / int(L)
    x, w_disc = lrn.encode_curves(nh_ssh_energy_squared(k, t, d, t_prime), max_step=max_step)
    if not np.array_equal(np.asarray(w_disc) / 2, np.atleast_1d(w)):  # pragma: no cover
        raise RuntimeError("the discrete winding of E_+^2 disagrees with the closed form; please report")
    return x, np.atleast_1d(w)


def nh_dirac_configurations(points: ArrayLike, rng: np.random.Generator, L: int = 32, *,
                            delta_m: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Network input and exact labels of the 2D NH Dirac model for points ``(m, kappa)``, ``kappa = (kappa, 0)``.

    Input: the branch-tracked ``Delta E = E_+ - E_-`` on the loop of
    :func:`nhtopo_lib.exceptional.nh_dirac_loops` (``L + 1`` points, clockwise
    around ``k_+`` or a random circle without EPs), projected onto the unit
    circle, float32 ``(N, L+1, 2)``.  Labels: ``w = 1/2`` with EPs, 0 without
    (:func:`nhtopo_lib.exceptional.nh_dirac_interband_winding`), checked against
    the discrete winding of ``f = E_+^2`` on the same samples (halved) and the
    phase advance of the tracked ``Delta E``; a disagreement raises RuntimeError.
    """
    from . import learning as lrn
    from .exceptional import (branch_tracked_gap, nh_dirac_f, nh_dirac_interband_winding, nh_dirac_loops,
                              open_phase_winding)
    from .winding import winding_number

    p = np.atleast_2d(_v.real_array(points, "points"))
    if p.ndim != 2 or p.shape[-1] != 2 or len(p) == 0:
        raise ValueError(f"points must have shape (N, 2) with columns (m, kappa) and N >= 1, got {p.shape}")
    rng = _v.check_rng(rng)
    L = _v.check_size(L, "L", lo=3, cap=10 ** 6, fix="the networks of the book use L = 32")
    delta_m = _v.check_real(delta_m, "delta_m")
    _v.check_elements(float(len(p)) * (L + 1) * 8, "points", f"{len(p)} points with L = {L}")
    m, kap = p[:, 0], p[:, 1]
    w = np.atleast_1d(nh_dirac_interband_winding(m, kap))
    k, _ = nh_dirac_loops(m, kap, L, delta_m=delta_m, rng=rng)
    f = nh_dirac_f(k[..., 0], k[..., 1], m[:, None], kap[:, None], 0.0, delta_m)
    w_f = winding_number(f, endpoint=True, max_step=0.99 * np.pi) / 2
    dE = branch_tracked_gap(f)
    w_dE = open_phase_winding(dE, max_step=0.99 * np.pi / 2)
    if not (np.array_equal(w_f, w) and np.allclose(w_dE, w, atol=1e-9)):  # pragma: no cover
        raise RuntimeError("the discrete winding on the loop disagrees with the exact label; please report")
    return lrn.unit_modulus_features(dE), w


def distance_to_lines(points: ArrayLike, lines: ArrayLike) -> np.ndarray:
    """Distance ``s = min_l |A_l x + B_l y + C_l| / sqrt(A_l^2 + B_l^2)`` of points to a set of lines.

    ``points``: shape ``(..., 2)`` with columns ``(x, y)`` in the coordinates of
    the line equations; ``lines``: shape ``(n_lines, 3)`` rows ``(A, B, C)``.
    Raises ValueError on NaN/inf and on degenerate lines (``A = B = 0``).
    """
    p = _v.real_array(points, "points", finite=False)
    ln = np.atleast_2d(_v.real_array(lines, "lines", finite=False))
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2) = (x, y), got {p.shape}")
    if ln.ndim != 2 or ln.shape[1] != 3 or len(ln) == 0:
        raise ValueError("lines must have shape (n_lines, 3): rows (A, B, C) of A x + B y + C = 0")
    if not np.all(np.isfinite(p)):
        raise ValueError("points contain NaN or inf; pass finite parameters")
    if not np.all(np.isfinite(ln)):
        raise ValueError("line coefficients contain NaN or inf")
    norm = np.hypot(ln[:, 0], ln[:, 1])
    if np.any(norm == 0):
        raise ValueError("lines: a line with A = B = 0 is not a line; check the boundary coefficients")
    d = np.abs(p[..., None, 0] * ln[:, 0] + p[..., None, 1] * ln[:, 1] + ln[:, 2]) / norm
    return d.min(axis=-1)


@dataclass(frozen=True)
class ThresholdSets:
    """Parameter sets of a threshold split: ``train``/``val`` have ``s >= T``, ``test`` has ``s < T``.

    Each is an array of shape ``(n, 2)`` of parameter points; ``s_*`` are their
    distances to the boundaries; ``n_drawn`` counts all draws made (including
    surplus ones that were not needed) and ``frac_near`` is the fraction of all
    draws that had ``s < T``.
    """

    T: float
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    s_train: np.ndarray
    s_val: np.ndarray
    s_test: np.ndarray
    n_drawn: int
    frac_near: float


def _check_T(T: float) -> float:
    return _v.check_real(T, "T", lo=0.0, fix="the distance threshold T must be finite and >= 0")


def threshold_split(s: ArrayLike, T: float, *, val_fraction: float = 0.2,
                    rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split one sample by its distances ``s``: indices ``(train, val, test)``.

    ``test`` = all indices with ``s < T`` (test set I); the indices with
    ``s >= T`` are shuffled (with ``rng``) and the first ``val_fraction`` of
    them become the validation set.  This is the paper's fixed-sample reading:
    ~3.6e4 uniform draws at T = 0.2 give ~2.4e4 / 6e3 / 6e3.
    """
    s = _v.real_array(s, "s", finite=False)
    T = _check_T(T)
    if rng is not None:
        _v.check_rng(rng)
    val_fraction = _v.check_real(val_fraction, "val_fraction", lo=0.0, hi=1.0, hi_open=True)
    if s.ndim != 1:
        raise ValueError("s must be one-dimensional (one distance per configuration)")
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError("distances must be finite and non-negative (NaN in s?)")
    if not 0 <= val_fraction < 1:
        raise ValueError("val_fraction must lie in [0, 1)")
    rng = np.random.default_rng(0) if rng is None else rng
    far = np.flatnonzero(s >= T)
    near = np.flatnonzero(s < T)
    far = far[rng.permutation(len(far))]
    n_val = int(round(val_fraction * len(far)))
    return np.sort(far[n_val:]), np.sort(far[:n_val]), near


def sample_threshold_sets(sampler: Callable[[np.random.Generator, int], np.ndarray],
                          distance: Callable[[np.ndarray], np.ndarray], T: float, *,
                          n_train: int, n_val: int, n_test: int, rng: np.random.Generator,
                          batch: int = 20000, max_draws: int = 10 ** 7) -> ThresholdSets:
    """Draw parameters until there are ``n_train + n_val`` points with ``s >= T`` and ``n_test`` with ``s < T``.

    ``sampler(rng, n)`` returns ``n`` parameter points (shape ``(n, 2)``),
    ``distance(points)`` their distances to the phase boundaries.  Keeping the
    set sizes fixed for every ``T`` (rather than the number of draws) makes
    runs at different thresholds equally expensive and equally well trained.
    Raises ValueError if ``max_draws`` uniform draws do not fill the sets
    (e.g. ``T`` larger than any distance in the sampled box).
    """
    sampler = _v.check_callable(sampler, "sampler")
    distance = _v.check_callable(distance, "distance")
    T = _check_T(T)
    n_train, n_val, n_test = (_v.check_size(n, name, lo=0, cap=10 ** 8) for name, n in
                              (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)))
    rng = _v.check_rng(rng)
    batch = _v.check_size(batch, "batch", lo=1, cap=10 ** 6)
    max_draws = _v.check_size(max_draws, "max_draws", lo=1, cap=10 ** 10)
    need_far, need_near = n_train + n_val, n_test
    far, near, drawn = [], [], 0
    got_far = got_near = 0
    while got_far < need_far or got_near < need_near:
        if drawn >= max_draws:
            raise ValueError(f"{drawn} draws gave only {got_far}/{need_far} points with s >= T and "
                             f"{got_near}/{need_near} with s < T; lower T or enlarge the sampled region")
        try:
            p = np.asarray(sampler(rng, batch), dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"sampler(rng, {batch}) did not return numbers: {exc}") from None
        if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] != 2:
            raise ValueError(f"sampler(rng, n) must return an array of shape (n, 2) with n >= 1 points, got {p.shape}")
        drawn += len(p)
        try:
            s = np.asarray(distance(p), dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"distance(points) did not return numbers: {exc}") from None
        if s.shape != (len(p),):
            raise ValueError(f"distance(points) must return one distance per point (shape ({len(p)},)), "
                             f"got {s.shape}")
        if not np.all(np.isfinite(s)):
            raise ValueError("the distance function returned NaN/inf")
        f, n_ = s >= T, s < T
        far.append((p[f], s[f]))
        near.append((p[n_], s[n_]))
        got_far += int(f.sum())
        got_near += int(n_.sum())
    pf = np.concatenate([a for a, _ in far])[:need_far]
    sf = np.concatenate([b for _, b in far])[:need_far]
    pn = np.concatenate([a for a, _ in near])[:need_near]
    sn = np.concatenate([b for _, b in near])[:need_near]
    return ThresholdSets(T=T, train=pf[:n_train], val=pf[n_train:], test=pn,
                         s_train=sf[:n_train], s_val=sf[n_train:], s_test=sn, n_drawn=drawn,
                         frac_near=got_near / drawn)


@dataclass(frozen=True)
class Crossing:
    """A predicted transition along a 1D cut.

    ``x``: interpolated crossing point of ``P[left]`` and ``P[right]``;
    ``left``/``right``: the dominant classes on either side;
    ``n_sign_changes``: how many times ``P[left] - P[right]`` changed sign in
    the window (1 for a clean crossing; more means noise, and ``x`` is their
    mean).
    """

    x: float
    left: int
    right: int
    n_sign_changes: int


def _runs(labels: np.ndarray) -> list[list[int]]:
    """Run-length encoding as [label, start, stop) lists."""
    runs: list[list[int]] = []
    for i, c in enumerate(labels):
        if runs and runs[-1][0] == c:
            runs[-1][2] = i + 1
        else:
            runs.append([int(c), i, i + 1])
    return runs


def probability_crossings(x: ArrayLike, probs: ArrayLike, *, min_run: int = 3,
                          smooth: int = 1) -> list[Crossing]:
    """Transitions along a 1D cut from class-probability curves.

    ``x``: shape ``(n,)`` positions along the cut (any order; sorted
    internally); ``probs``: shape ``(n, n_classes)`` class probabilities.

    1. Optionally smooth each curve with a centred moving average of ``smooth``
       points (odd; 1 = none).
    2. Take the dominant class (argmax) at every point and merge runs shorter
       than ``min_run`` points into their neighbours (isolated noisy flips do
       not count as phases).
    3. Between two consecutive runs with dominant classes ``a`` (left) and
       ``b`` (right), look at ``d = P_a - P_b`` from the middle of the left run
       to the middle of the right run; each sign change is located by linear
       interpolation and the crossing is their mean.

    Returns the crossings in increasing ``x``.  Raises ValueError for NaN,
    mismatched shapes, or fewer than 2 points.
    """
    x = _v.real_array(x, "x", finite=False)
    P = _v.real_array(probs, "probs", finite=False)
    if x.ndim != 1 or P.ndim != 2 or len(x) != len(P):
        raise ValueError(f"x must have shape (n,) and probs (n, n_classes); got {x.shape} and {P.shape}")
    if len(x) < 2:
        raise ValueError("need at least 2 points along the cut")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(P))):
        raise ValueError("x or probs contain NaN/inf; evaluate the classifier on finite inputs")
    smooth = _v.check_int(smooth, "smooth", lo=1, hi=10 ** 6)
    if smooth % 2 == 0:
        raise ValueError(f"smooth={smooth} must be an odd positive integer")
    min_run = _v.check_int(min_run, "min_run", lo=1)
    order = np.argsort(x, kind="stable")
    x, P = x[order], P[order]
    if smooth > 1:
        h = smooth // 2
        Pp = np.pad(P, ((h, h), (0, 0)), mode="edge")
        ker = np.ones(smooth) / smooth
        P = np.stack([np.convolve(Pp[:, c], ker, mode="valid") for c in range(P.shape[1])], -1)
    runs = _runs(np.argmax(P, axis=1))
    # merge short runs: repeatedly absorb the shortest run below min_run into its longer neighbour
    while len(runs) > 1:
        lengths = [r[2] - r[1] for r in runs]
        i = int(np.argmin(lengths))
        if lengths[i] >= min_run:
            break
        if i == 0:
            j = 1
        elif i == len(runs) - 1:
            j = i - 1
        else:
            j = i - 1 if lengths[i - 1] >= lengths[i + 1] else i + 1
        lo, hi = min(i, j), max(i, j)
        merged = [runs[j][0], runs[lo][1], runs[hi][2]]
        runs[lo:hi + 1] = [merged]
        # neighbours with the same label fuse
        k = 0
        while k < len(runs) - 1:
            if runs[k][0] == runs[k + 1][0]:
                runs[k:k + 2] = [[runs[k][0], runs[k][1], runs[k + 1][2]]]
            else:
                k += 1
    out: list[Crossing] = []
    for r0, r1 in zip(runs[:-1], runs[1:]):
        a, b = r0[0], r1[0]
        i0 = (r0[1] + r0[2] - 1) // 2
        i1 = (r1[1] + r1[2] - 1) // 2 + 1
        xs, d = x[i0:i1 + 1], P[i0:i1 + 1, a] - P[i0:i1 + 1, b]
        roots = []
        for j in range(len(d) - 1):
            if d[j] == 0:
                roots.append(xs[j])
            elif d[j] * d[j + 1] < 0:
                roots.append(xs[j] + (xs[j + 1] - xs[j]) * d[j] / (d[j] - d[j + 1]))
        if not roots:  # pragma: no cover - d > 0 at the left run's middle and < 0 at the right one's
            roots = [0.5 * (x[r0[2] - 1] + x[r1[1]])]
        out.append(Crossing(x=float(np.mean(roots)), left=a, right=b, n_sign_changes=len(roots)))
    return out


# =============================================================== the learning experiment
@dataclass
class TransitionRun:
    """Result of :func:`learn_transition` for one threshold ``T``.

    ``acc_test1`` / ``acc_test2``: accuracy of the (ensemble-averaged)
    prediction on test set I (``s < T``) and along the cut (test set II);
    ``acc_test1_by_class``: test-I accuracy per true label value;
    ``members``: one dict per trained network (``seed``, ``acc_test1``,
    ``acc_test2``, ``train_acc``, ``epochs``, ``best_epoch``, ``best_val_loss``,
    ``seconds``, ``restarted_from``);
    ``probs_test2``: mean class probabilities along the cut, shape ``(n, C)``
    in the order of ``classes``; ``crossings``: :func:`probability_crossings`
    of those curves; ``histories``: loss histories of the members;
    ``seconds``: wall-clock time of the whole run.
    """

    T: float
    classes: tuple[float, ...]
    sizes: dict[str, int]
    acc_test1: float
    acc_test2: float
    acc_test1_by_class: dict[float, float]
    members: list[dict]
    probs_test2: np.ndarray
    cut_x: np.ndarray
    crossings: list[Crossing]
    histories: list[dict]
    seconds: float
    models: list


def learn_transition(encode: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], sets: ThresholdSets,
                     cut_params: ArrayLike, cut_x: ArrayLike, classes: Sequence[float], *,
                     seeds: Sequence[int] = (1,), config: TrainingConfig | None = None,
                     L: int = 32, refit_below: float = 0.99, max_restarts: int = 3,
                     min_run: int = 3, desc: str = "") -> TransitionRun:
    """Train the paper's CNN classifier on the deep phases of ``sets`` and locate the transitions.

    ``encode(params)`` turns parameter points ``(n, 2)`` into network input
    ``(n, L+1, 2)`` (unit-modulus curves) and *exact* label values ``(n,)``.
    One :class:`nhtopo_lib.learning.WindingCNN` classifier is trained per seed
    (:func:`nhtopo_lib.learning.train` with ``config``, cross-entropy in bits)
    on ``sets.train`` with validation ``sets.val``; the class probabilities of
    the members are averaged (a single seed = the paper's procedure).  The
    averaged network is evaluated on test set I (``sets.test``, never seen)
    and along the cut ``cut_params`` (test set II, positions ``cut_x``), where
    :func:`probability_crossings` gives the predicted transitions.

    A member that cannot even fit its training data (training accuracy below
    ``refit_below``, the "dead ReLU" failure of this narrow network: the
    one-channel bottleneck after the second convolution is stuck at zero) is
    retrained with a new seed (``seed + 1000 * attempt``, at most
    ``max_restarts`` times); this uses training data only and is recorded in
    ``members``.
    """
    import time

    from . import learning as lrn

    t0 = time.perf_counter()
    encode = _v.check_callable(encode, "encode")
    if not isinstance(sets, ThresholdSets):
        raise TypeError(f"sets must be a ThresholdSets (from sample_threshold_sets), got {type(sets).__name__}")
    classes = tuple(float(c) for c in _v.real_array(classes, "classes", ndim=1, min_size=2))
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes must be distinct, got {classes}")
    cut_params = _v.real_array(cut_params, "cut_params")
    cut_x = _v.real_array(cut_x, "cut_x", ndim=1)
    if cut_params.ndim == 0 or len(cut_params) != len(cut_x):
        raise ValueError("cut_params and cut_x must have the same length")
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a sequence of integers, got {type(seeds).__name__}")
    seeds = [_v.check_int(sd, "seeds", lo=0) for sd in seeds]
    if not seeds:
        raise ValueError("need at least one seed")
    L = _v.check_size(L, "L", lo=2, cap=10 ** 6)
    refit_below = _v.check_fraction(refit_below, "refit_below")
    max_restarts = _v.check_int(max_restarts, "max_restarts", lo=0, hi=1000)
    min_run = _v.check_int(min_run, "min_run", lo=1)
    _v.check_str(desc, "desc")
    if config is not None and not isinstance(config, lrn.TrainingConfig):
        raise TypeError(f"config must be a TrainingConfig or None, got {type(config).__name__}")
    xtr, wtr = encode(sets.train)
    xv, wv = encode(sets.val)
    xte, wte = encode(sets.test)
    x2, w2 = encode(cut_params)
    ytr, yv = lrn.class_indices(wtr, classes), lrn.class_indices(wv, classes)
    yte, y2 = lrn.class_indices(wte, classes), lrn.class_indices(w2, classes)
    base = config or lrn.TrainingConfig(loss="ce_bits")
    if base.loss != "ce_bits":
        raise ValueError("learn_transition trains classifiers: use TrainingConfig(loss='ce_bits')")
    members, models, histories, P1, P2 = [], [], [], [], []
    for seed in seeds:
        attempt, s = 0, int(seed)
        while True:
            model = lrn.WindingCNN.classifier(len(classes), L=L)
            cfg = lrn.TrainingConfig(**{**base.__dict__, "seed": s,
                                        "desc": f"{desc} seed {s}".strip()})
            res = lrn.train(model, xtr, ytr, xv, yv, cfg)
            train_acc = float(np.mean(lrn.predicted_class(lrn.predict(model, xtr)) == ytr))
            if train_acc >= refit_below or attempt >= max_restarts:
                break
            attempt += 1
            s = int(seed) + 1000 * attempt
        p1, p2 = lrn.predict(model, xte), lrn.predict(model, x2)
        members.append({"seed": s, "restarted_from": int(seed) if s != seed else None,
                        "train_acc": train_acc,
                        "acc_test1": float(np.mean(p1.argmax(1) == yte)),
                        "acc_test2": float(np.mean(p2.argmax(1) == y2)),
                        "epochs": res.epochs_run, "best_epoch": res.best_epoch,
                        "best_val_loss": res.best_val_loss,
                        "seconds": res.seconds})
        models.append(model)
        histories.append(res.history)
        P1.append(p1)
        P2.append(p2)
    p1, p2 = np.mean(P1, axis=0), np.mean(P2, axis=0)
    by_class = lrn.accuracy_by_label(np.asarray(classes)[p1.argmax(1)], wte)
    return TransitionRun(
        T=sets.T, classes=classes,
        sizes={"train": len(ytr), "val": len(yv), "test1": len(yte), "test2": len(y2)},
        acc_test1=float(np.mean(p1.argmax(1) == yte)), acc_test2=float(np.mean(p2.argmax(1) == y2)),
        acc_test1_by_class=by_class, members=members, probs_test2=p2, cut_x=cut_x,
        crossings=probability_crossings(cut_x, p2, min_run=min_run), histories=histories,
        seconds=time.perf_counter() - t0, models=models)
