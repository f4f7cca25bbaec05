"""Seeded random chains for the property tests (issue 13): two-band, one-sided two-band, multiband.

Every generator takes an integer seed and returns the same chain on every machine
(``numpy.random.default_rng`` with a fixed seed sequence).  Not a test module.
"""
import numpy as np


def _laurent(rng, lo_rng=(-3, 1), hi_max=3):
    lo = int(rng.integers(lo_rng[0], lo_rng[1] + 1))
    hi = int(rng.integers(max(lo, -1), hi_max + 1))
    k = int(rng.integers(1, 5))
    powers = sorted(set(rng.integers(lo, hi + 1, size=k).tolist()) | {lo, hi})
    return {int(p): complex(rng.normal(), rng.normal()) for p in powers}


def two_band(seed):
    """Random ``(h_ab, h_ba)`` with powers of ``z`` in ``[-3, 3]``; about a quarter have a one-sided ``Q``."""
    rng = np.random.default_rng([13, seed])
    return _laurent(rng), _laurent(rng)


def one_sided(seed):
    """Random pair whose ``Q = H_ab H_ba`` is one-sided; six kinds cycling with the seed.

    0: both entries one-sided in the same direction (block-triangular open chain, ``W = 0``);
    1 / 2: opposite directions, ``Q(0) != 0`` (GBZ radius -> 0) / mirror (GBZ radius -> infinity);
    3: monomials (fully dimerised, flat bands); 4: ``Q(0) = 0`` (continuum at ``E = 0``: refused);
    5: mixed shift (GBZ radius -> 0).
    """
    rng = np.random.default_rng([131, seed])
    kind = seed % 6

    def c():
        return complex(rng.normal(), rng.normal())

    if kind == 0:
        a = {k: c() for k in sorted(set(rng.integers(0, 4, size=2).tolist()) | {0})}
        b = {k: c() for k in sorted(set(rng.integers(0, 4, size=2).tolist()) | {0})}
    elif kind == 1:
        m = int(rng.integers(1, 3))
        a = {-m: c(), **{k: c() for k in rng.integers(-m + 1, 2, size=2).tolist()}}
        b = {m: c(), **{k: c() for k in rng.integers(m + 1, m + 3, size=2).tolist()}}
    elif kind == 2:
        m = int(rng.integers(1, 3))
        a = {m: c(), **{k: c() for k in rng.integers(-1, m, size=2).tolist()}}
        b = {-m: c(), **{k: c() for k in rng.integers(-m - 2, -m, size=2).tolist()}}
    elif kind == 3:
        m = int(rng.integers(-2, 3))
        a, b = {m: c()}, {-m: c()}
    elif kind == 4:
        a = {0: c(), 1: c()}
        b = {1: c(), 2: c()}
    else:
        m = int(rng.integers(0, 3))
        a = {-m: c(), -m + 1: c()}
        b = {m: c()}
    return a, b


def rotation(seed):
    """A random unitary ``U`` (Eq. (25) form) that takes an off-diagonal chain to a general sublattice form."""
    rng = np.random.default_rng([7, seed])
    th, ph = rng.uniform(0.05, np.pi - 0.05), rng.uniform(-np.pi, np.pi)
    c, s = np.cos(th / 2), np.sin(th / 2)
    return np.array([[c, -np.exp(-1j * ph) * s], [np.exp(1j * ph) * s, c]])


def multiband(seed):
    """Parameters ``(t_right, t_left, gamma)`` of a random ``multiband_nn_chain`` with ``J = 3..5``.

    Odd seeds have complex hoppings, every third seed complex ``gamma``.
    """
    rng = np.random.default_rng([17, seed])
    J = int(rng.integers(3, 6))

    def mag():
        return rng.uniform(0.2, 2.0, J) * np.exp(1j * rng.uniform(-np.pi, np.pi, J) * (seed % 2))

    tr, tl = mag(), mag()
    g = rng.normal(0, 1.0, J) + 1j * rng.normal(0, 0.5, J) * (seed % 3 == 0)
    return tr, tl, g
