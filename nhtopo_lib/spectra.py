"""Eigenvalues in honest precision.

Open non-Hermitian chains with the skin effect are exponentially
ill-conditioned: the eigenvector condition number of an ``N``-cell chain
grows like ``rho**N`` (``rho`` = ratio of the GBZ radius to 1, or its
inverse).  Double-precision LAPACK then returns eigenvalues that are wrong by
``~1e-16 * rho**N`` -- for the non-Hermitian SSH chain at 100 cells the
zero-mode energy comes out ``2.1e-6`` instead of ``3.7e-7``, with no warning.

Three honest options, in order of preference:

1. **Exact similarity transform** (no cost): when the GBZ is a circle of
   radius ``r``, ``Chain.gauge_transformed(r)`` has the same OBC spectrum
   exactly and is well conditioned -> double precision is fine.
2. **High precision** ``eigvals(H, bits=...)`` with python-flint
   (``acb_mat.eig``).  ``certified=True`` returns rigorous enclosures
   (slower: ~45 s for a 200x200 matrix at 256 bits on this 2-core machine);
   the default uses flint's fast approximate solver (~7 s at 128 bits).
3. :func:`converged_eigvals` -- high precision at two precisions, accepted
   only when they agree.  This is the documented way to choose the
   precision when nothing is known about the conditioning:
   ``bits >= 53 + N * |log2 rho|`` plus a margin is the rule of thumb.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v
from .chain import Chain

__all__ = [
    "eigvals",
    "eigvals_certified",
    "converged_eigvals",
    "obc_spectrum",
    "hermitian_eigvalsh",
    "check_hermitian",
    "recommended_bits",
    "smallest_magnitude",
    "spectrum_distance",
]


def _square(H: ArrayLike, name: str = "H") -> np.ndarray:
    return _v.square_matrix(H, name)


def _check_flint_size(H: np.ndarray, bits: int) -> None:
    n = H.shape[0]
    if n > _v.MAX_FLINT_ROWS:
        raise ValueError(f"H has {n} rows: arbitrary-precision eigenvalues ({bits} bits) cost O(n^3) multiprecision "
                         f"operations (about {7 * (n / 200) ** 3 * max(bits, 128) / 128:.3g} s); the limit is "
                         f"{_v.MAX_FLINT_ROWS} rows (nhtopo_lib._validate.MAX_FLINT_ROWS): use a shorter chain or an "
                         "exact gauge transform with double precision")


def check_hermitian(H: ArrayLike, atol: float = 1e-12) -> None:
    """Raise ValueError unless ``H`` is Hermitian to ``atol`` (relative to its norm)."""
    atol = _v.check_nonneg(atol, "atol")
    H = _square(H)
    scale = max(1.0, float(np.max(np.abs(H))))
    dev = float(np.max(np.abs(H - H.conj().T))) if H.size else 0.0
    if dev > atol * scale:
        raise ValueError(f"this routine is for Hermitian matrices only, but |H - H^dagger| = {dev:.3g}; "
                         "use eigvals(H) (optionally with bits=...) for non-Hermitian matrices")


def hermitian_eigvalsh(H: ArrayLike) -> np.ndarray:
    """Real eigenvalues of a Hermitian matrix (ascending); refuses non-Hermitian input."""
    H = _square(H)
    check_hermitian(H)
    _v.check_dense(H.shape[0], "H", f"matrix of shape {H.shape}", eig=True, fix="use a smaller matrix")
    return np.linalg.eigvalsh(H)


def _to_acb_mat(H: np.ndarray):
    import flint

    return flint.acb_mat([[flint.acb(float(x.real), float(x.imag)) for x in row] for row in H])


def eigvals(H: ArrayLike, *, bits: int | None = None, certified: bool = False) -> np.ndarray:
    """Eigenvalues of a square complex matrix, sorted by (real, imag).

    ``bits=None``: LAPACK double precision.  ``bits=b``: python-flint at ``b``
    bits of working precision (the double entries are taken as exact binary
    numbers), rounded back to complex128.  ``certified=True`` (needs ``bits``)
    uses rigorous enclosures and raises ValueError if the precision is too low
    to isolate the eigenvalues.
    """
    H = _square(H)
    if bits is None:
        if certified:
            raise ValueError("certified=True needs a precision: pass bits=128 or more")
        _v.check_dense(H.shape[0], "H", f"matrix of shape {H.shape}", eig=True, fix="use a smaller matrix")
        ev = np.linalg.eigvals(H)
    elif certified:
        ev, _ = eigvals_certified(H, bits)
    else:
        import flint

        bits = _v.check_bits(bits, "bits")
        _check_flint_size(H, bits)
        old = flint.ctx.prec
        try:
            flint.ctx.prec = int(bits)
            E = _to_acb_mat(H).eig(algorithm="approx")
            ev = np.array([complex(float(e.real.mid()), float(e.imag.mid())) for e in E])
        finally:
            flint.ctx.prec = old
    return ev[np.lexsort((ev.imag, ev.real))]


def eigvals_certified(H: ArrayLike, bits: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Rigorous eigenvalue enclosures ``(midpoints, radii)`` via ``acb_mat.eig``.

    Raises ValueError with advice when the eigenvalues cannot be isolated at
    this precision (ill-conditioned or (nearly) degenerate).
    """
    import flint

    H = _square(H)
    bits = _v.check_bits(bits, "bits")
    _check_flint_size(H, bits)
    old = flint.ctx.prec
    try:
        flint.ctx.prec = int(bits)
        try:
            E = _to_acb_mat(H).eig()
        except ValueError as exc:
            raise ValueError(f"could not isolate the eigenvalues at {bits} bits ({exc}); "
                             "increase bits, or use an exact gauge transform") from None
        mids = np.array([complex(float(e.real.mid()), float(e.imag.mid())) for e in E])
        rads = np.array([float(e.rad()) for e in E])
    finally:
        flint.ctx.prec = old
    return mids, rads


def spectrum_distance(a: ArrayLike, b: ArrayLike) -> float:
    """Largest distance between two spectra after pairing their eigenvalues optimally.

    The eigenvalues of ``a`` and ``b`` (same length, any order) are paired by the assignment that
    minimises the total distance (Hungarian algorithm); the result is the largest ``|a_i - b_j|``
    over the pairs.  Use it to compare spectra of the same matrix from two methods (e.g. double
    precision vs python-flint).  Raises ValueError for different lengths or non-finite values.
    """
    from scipy.optimize import linear_sum_assignment

    a = _v.complex_array(a, "a", finite=False).ravel()
    b = _v.complex_array(b, "b", finite=False).ravel()
    if a.size != b.size:
        raise ValueError(f"spectra of different lengths ({a.size} and {b.size}) cannot be paired; "
                         "compare spectra of the same matrix")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("a spectrum (a or b) contains NaN or inf; recompute it (e.g. with higher precision)")
    _v.check_dense(a.size, "a", f"spectrum of {a.size} values", itemsize=8,
                  fix="the optimal pairing needs an n x n cost matrix; compare fewer eigenvalues")
    cost = np.abs(a[:, None] - b[None, :])
    r, c = linear_sum_assignment(cost)
    return float(cost[r, c].max()) if len(r) else 0.0


_match_distance = spectrum_distance


def converged_eigvals(H: ArrayLike, bits: tuple[int, int] = (128, 192), tol: float = 1e-12
                      ) -> np.ndarray:
    """High-precision eigenvalues accepted only if two precisions agree.

    Computes at ``bits[0]`` and ``bits[1]`` (flint approximate solver), pairs
    the two lists optimally and requires every pair to agree within
    ``tol * max(1, |E|max)``.  Raises ValueError ("increase bits") otherwise.
    """
    if isinstance(bits, (str, bytes)) or not hasattr(bits, "__len__") or len(bits) != 2:
        raise TypeError(f"bits must be a pair (lower, higher) of precisions in bits, got {bits!r}")
    lo, hi = _v.check_bits(bits[0], "bits[0]"), _v.check_bits(bits[1], "bits[1]")
    tol = _v.check_positive(tol, "tol")
    if not hi > lo:
        raise ValueError(f"bits={bits!r} must be (lower, higher) with higher > lower")
    a = eigvals(H, bits=lo)
    b = eigvals(H, bits=hi)
    scale = max(1.0, float(np.max(np.abs(b))))
    dist = _match_distance(a, b)
    if dist > tol * scale:
        raise ValueError(f"eigenvalues changed by {dist:.3g} between {lo} and {hi} bits: "
                         "the precision is insufficient, increase bits")
    return b


def recommended_bits(n_cells: int, skin_radius: float, margin: int = 64) -> int:
    """Rule-of-thumb working precision for an ``n_cells`` chain with skin radius ``r``.

    The OBC eigenvector condition number grows like ``max(r, 1/r)**n_cells``,
    which eats ``n_cells * |log2 r|`` bits; add 53 for the result and a margin.
    Rounded up to a multiple of 64.
    """
    n_cells = _v.check_int(n_cells, "n_cells", lo=1)
    skin_radius = _v.check_positive(skin_radius, "skin_radius")
    margin = _v.check_int(margin, "margin", lo=0)
    need = 53 + n_cells * abs(np.log2(skin_radius)) + margin
    if not np.isfinite(need) or need > _v.MAX_BITS:
        raise ValueError(f"n_cells={n_cells} with skin_radius={skin_radius:g} needs {need:.3g} bits, above the limit of "
                         f"{_v.MAX_BITS} (nhtopo_lib._validate.MAX_BITS): use an exact gauge transform "
                         "(Chain.gauge_transformed) with double precision instead")
    return int(64 * np.ceil(need / 64))


def obc_spectrum(chain: Chain, n_cells: int, *, bits: int | None = None,
                 gauge_radius: float | None = None, certified: bool = False) -> np.ndarray:
    """Eigenvalues of the open chain of ``n_cells`` cells.

    ``gauge_radius=r`` diagonalises the exactly similar matrix of
    ``chain.gauge_transformed(r)`` (same spectrum, better conditioned);
    ``bits`` switches to high precision (see :func:`eigvals`).
    """
    chain = _v.check_chain(chain, "chain")
    n_cells = _v.check_int(n_cells, "n_cells", lo=1)
    rows = n_cells * chain.nbands
    if bits is None:
        _v.check_dense(rows, "n_cells", n_cells, eig=True, fix="use fewer cells")
    else:
        bits = _v.check_bits(bits, "bits")
        if rows > _v.MAX_FLINT_ROWS:
            raise ValueError(f"n_cells={n_cells} gives a {rows} x {rows} matrix, above the limit of "
                             f"{_v.MAX_FLINT_ROWS} rows for arbitrary precision (nhtopo_lib._validate.MAX_FLINT_ROWS); "
                             "use fewer cells, or gauge_radius with double precision")
    if gauge_radius is not None:
        gauge_radius = _v.check_positive(gauge_radius, "gauge_radius")
        chain = chain.gauge_transformed(gauge_radius)
    return eigvals(chain.obc_matrix(n_cells), bits=bits, certified=certified)


def smallest_magnitude(E: ArrayLike, k: int = 2) -> np.ndarray:
    """The ``k`` eigenvalues of smallest modulus (zero-mode candidates), by modulus."""
    E = _v.complex_array(E, "E").ravel()
    k = _v.check_int(k, "k", lo=1)
    return E[np.argsort(np.abs(E), kind="stable")[:k]]
