"""One-dimensional tight-binding chains given by their hopping blocks.

**Convention** (used everywhere in :mod:`nhtopo_lib`).

A chain with ``J`` orbitals per unit cell is given by blocks ``{n: T_n}``
(``J x J`` complex matrices).  ``T_n`` is the real-space block that connects
cell ``j`` to cell ``j + n`` in the sense

* open chain:  ``H_OBC[cell j, cell j+n] = T_n``, i.e. the Hamiltonian contains
  ``sum_j c_j^dagger T_n c_{j+n}`` (the amplitude for a particle to hop
  from cell ``j + n`` into cell ``j``);
* Bloch matrix: ``H(beta) = sum_n T_n beta**n`` with ``beta = exp(i k)``;
  plane waves ``psi_j = beta**j u`` solve ``H_OBC psi = E psi`` in the bulk
  exactly when ``H(beta) u = E u``.  ``k`` may be complex (``|beta| != 1``).

Example: the Hatano--Nelson chain ``sum_j (t_r c_{j+1}^dagger c_j +
t_l c_j^dagger c_{j+1})`` has ``T_{-1} = t_r`` and ``T_{+1} = t_l``, hence
``H(beta) = t_r / beta + t_l beta``, i.e. ``E(k) = t_r e^{-ik} + t_l e^{ik}``.

A flux-twisted ring of ``N`` cells obeys ``psi_{j+N} = e^{i Phi} psi_j``; its
spectrum is the union of the spectra of ``H(beta)`` over
``beta = exp(i (Phi + 2 pi m) / N)``, ``m = 0..N-1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v
from .laurent import LaurentPoly

__all__ = ["Chain", "CharPoly"]


@dataclass(frozen=True, eq=False)
class CharPoly:
    """``det(H(beta) - E) = sum_b E**b * P_b(beta)`` as exact Laurent polynomials.

    ``terms[b]`` is the Laurent polynomial in ``beta`` multiplying ``E**b``
    (``b = 0..J``).  Built symbolically from the hopping blocks, so the
    coefficients are products of hopping amplitudes, not fitted values.
    """

    terms: tuple[LaurentPoly, ...]

    @property
    def degree_in_energy(self) -> int:
        """Degree ``J`` of ``det(H(beta) - E)`` in ``E`` (the number of bands)."""
        return len(self.terms) - 1

    def at_energy(self, E: complex) -> LaurentPoly:
        """The Laurent polynomial in ``beta`` obtained at fixed energy ``E``."""
        E = _v.check_complex(E, "E")
        out = LaurentPoly([])
        with np.errstate(over="ignore", invalid="ignore"):
            powers = [complex(np.complex128(E) ** b) for b in range(len(self.terms))]
        if not all(np.isfinite(x) for x in powers):
            raise ValueError(f"E={E:.3g}: the powers E**b of det(H(beta) - E) overflow; use a smaller |E|")
        for b, p in enumerate(self.terms):
            out = out + p * powers[b]
        _v.finite_result(out.coeffs, f"det(H(beta) - E) at E={E:.3g}", "use a smaller |E|")
        return out

    def __call__(self, beta: ArrayLike, E: ArrayLike) -> np.ndarray:
        """Evaluate ``det(H(beta) - E)`` (broadcasting ``beta`` against ``E``)."""
        beta = _v.complex_array(beta, "beta")
        E = _v.complex_array(E, "E")
        _v.broadcast({"beta": beta, "E": E})
        out = sum(p(beta) * E ** b for b, p in enumerate(self.terms))
        _v.finite_result(out, "det(H(beta) - E)", "use smaller |beta|, |1/beta| or |E|")
        return out

    @property
    def beta_range(self) -> tuple[int, int]:
        """Extreme exponents ``(-p, q)`` of ``beta`` for a generic energy.

        ``p`` (``q``) is the largest negative (positive) power of ``beta``
        that appears in any ``E``-coefficient; for a generic ``E`` these are
        the extreme exponents of ``det(H(beta) - E)`` used by the GBZ
        condition ``|beta_p| = |beta_{p+1}|``.
        """
        nz = [p for p in self.terms if not p.is_zero]
        return min(p.low for p in nz), max(p.high for p in nz)


#: Longest hopping range ``|n|`` accepted by :class:`Chain` (dense arrays span the powers of beta).
MAX_REACH = 10 ** 5
#: Most orbitals per cell for the exact characteristic polynomial (Laplace expansion, ``O(J 2**J)``).
MAX_CHARPOLY_BANDS = 12


def _as_block(value: ArrayLike, J: int | None, n: int) -> np.ndarray:
    where = f"blocks[{n}]"
    arr = np.array(_v.complex_array(value, where, finite=False))
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{where}: each hopping block must be a square matrix (or a scalar for one band), "
                         f"got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{where}: a hopping block must have at least one orbital, got shape {arr.shape}")
    if J is not None and arr.shape[0] != J:
        raise ValueError(f"blocks: all hopping blocks must be {J}x{J}; {where} has shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: hopping blocks contain NaN or inf; check the model parameters")
    return arr


@dataclass(frozen=True, eq=False)
class Chain:
    """A 1D lattice with ``J`` orbitals per cell and hopping blocks ``{n: T_n}``.

    See the module docstring for the convention ``H(beta) = sum_n T_n beta**n``
    and ``H_OBC[j, j+n] = T_n``.  Scalars are accepted for one-band chains.
    Blocks that are exactly zero are dropped.
    """

    blocks: Mapping[int, ArrayLike]
    name: str = field(default="chain", compare=False)

    def __post_init__(self):
        if not isinstance(self.blocks, Mapping):
            raise TypeError(f"blocks must be a mapping {{n: T_n}} of hopping blocks, got {type(self.blocks).__name__}")
        if len(self.blocks) == 0:
            raise ValueError("blocks is empty: a chain needs a non-empty mapping {n: T_n} of hopping blocks")
        _v.check_str(self.name, "name")
        keys = [(_v.check_power(n, "blocks"), n) for n in self.blocks]
        for n, _ in keys:
            if abs(n) > MAX_REACH:
                raise ValueError(f"blocks: hopping range n={n} exceeds the limit |n| <= {MAX_REACH} "
                                 "(nhtopo_lib.chain.MAX_REACH): arrays span every power of beta up to the range")
        J = None
        clean: dict[int, np.ndarray] = {}
        for n, key in sorted(keys, key=lambda t: t[0]):
            arr = _as_block(self.blocks[key], J, n)
            J = arr.shape[0]
            if np.any(arr != 0):
                clean[n] = clean.get(n, 0) + arr
        if not clean:  # keep at least one (zero) block so J is known
            clean[0] = np.zeros((J, J), dtype=complex)
        object.__setattr__(self, "blocks", clean)

    # --------------------------------------------------------------- metadata
    @property
    def nbands(self) -> int:
        """Number of orbitals ``J`` per unit cell."""
        return next(iter(self.blocks.values())).shape[0]

    @property
    def hopping_range(self) -> tuple[int, int]:
        """``(n_min, n_max)`` over the non-zero blocks."""
        keys = list(self.blocks)
        return min(keys), max(keys)

    @property
    def reach(self) -> int:
        """Longest hop ``max |n|`` in unit cells."""
        return max(abs(n) for n in self.blocks)

    def is_hermitian(self, atol: float = 1e-12) -> bool:
        """True if ``T_{-n} = T_n^dagger`` for every ``n`` (Hermitian real-space H)."""
        atol = _v.check_nonneg(atol, "atol")
        zero = np.zeros((self.nbands, self.nbands))
        keys = set(self.blocks) | {-n for n in self.blocks}
        return all(np.allclose(self.blocks.get(-n, zero), np.conj(self.blocks.get(n, zero)).T,
                               atol=atol, rtol=0) for n in keys)

    # ------------------------------------------------------------ transforms
    def gauge_transformed(self, r: complex) -> "Chain":
        """The chain with ``H'(beta) = H(r beta)``, i.e. ``T_n -> r**n T_n``.

        For the open chain this is the similarity transform
        ``H' = S^{-1} H S`` with ``S = diag(r**j)`` (the imaginary gauge
        transformation when ``r`` is real): the OBC spectrum is unchanged,
        exactly.  Choosing ``r`` as the GBZ radius removes the skin effect.
        """
        r = _v.check_complex(r, "r")
        if r == 0:
            raise ValueError("the gauge factor r must be non-zero (got r=0)")
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            blocks = {n: T * r ** n for n, T in self.blocks.items()}
        for n, T in blocks.items():
            _v.finite_result(T, f"the gauged hopping block r**{n} T_{n} at r={r:.3g}",
                            "use a gauge factor r closer to 1")
        return Chain(blocks, name=f"{self.name} (gauged)")

    def mirrored(self) -> "Chain":
        """The spatially reversed chain, ``T_n -> T_{-n}`` (``beta -> 1/beta``)."""
        return Chain({-n: T for n, T in self.blocks.items()}, name=f"{self.name} (mirrored)")

    # ------------------------------------------------------------ Bloch forms
    def bloch(self, beta: ArrayLike) -> np.ndarray:
        """``H(beta) = sum_n T_n beta**n`` for scalar or array ``beta``.

        Returns an array of shape ``beta.shape + (J, J)``.  ``beta`` may be any
        non-zero complex number (complex momentum ``k = -i log beta``).
        """
        beta = _v.complex_array(beta, "beta")
        if self.hopping_range[0] < 0 and np.any(beta == 0):
            raise ValueError("beta = 0 is a pole of H(beta) (the chain hops to the left); pass beta != 0")
        _v.check_elements(beta.size * self.nbands ** 2, "beta", f"array of shape {beta.shape}")
        out = np.zeros(beta.shape + (self.nbands, self.nbands), dtype=complex)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            for n, T in self.blocks.items():
                out += (beta ** n)[..., None, None] * T
        _v.finite_result(out, "H(beta) at the given beta", "|beta| or |1/beta| is too large for the hopping "
                        "range; use a smaller |log|beta||")
        return out

    def bloch_k(self, k: ArrayLike) -> np.ndarray:
        """``H(k) = H(beta = e^{ik})``; complex ``k`` gives ``|beta| = e^{-Im k}``."""
        k = _v.complex_array(k, "k")
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            beta = np.exp(1j * k)
        if not np.all(np.isfinite(beta)) or np.any(beta == 0):
            raise ValueError("k: |beta| = e^{-Im k} overflows or underflows (|Im k| > ~700); use a smaller "
                             "imaginary part of k")
        return self.bloch(beta)

    def bloch_energies(self, beta: ArrayLike) -> np.ndarray:
        """Eigenvalues of ``H(beta)``, shape ``beta.shape + (J,)`` (unsorted, LAPACK order)."""
        return np.linalg.eigvals(self.bloch(beta))

    # ------------------------------------------------------- real-space forms
    def _check_cells(self, n_cells: int) -> int:
        N = _v.check_int(n_cells, "n_cells", lo=1)
        _v.check_dense(N * self.nbands, "n_cells", N, fix="use fewer cells")
        return N

    def obc_matrix(self, n_cells: int) -> np.ndarray:
        """Open-chain Hamiltonian of ``n_cells`` cells, shape ``(N J, N J)``.

        Cell ``j`` occupies rows/columns ``j*J .. j*J + J - 1``; block
        ``(j, j+n)`` is ``T_n``; hops leaving the chain are dropped.
        """
        N = self._check_cells(n_cells)
        J = self.nbands
        H = np.zeros((N * J, N * J), dtype=complex)
        for n, T in self.blocks.items():
            for j in range(max(0, -n), min(N, N - n)):
                H[j * J:(j + 1) * J, (j + n) * J:(j + n + 1) * J] += T
        return H

    def twisted_ring(self, n_cells: int, phi: float = 0.0) -> np.ndarray:
        """Ring of ``n_cells`` cells threaded by flux ``phi``: ``psi_{j+N} = e^{i phi} psi_j``.

        A hop that crosses the boundary ``w`` times (``w = floor((j+n)/N)``)
        picks up ``e^{i w phi}``.  The spectrum equals the eigenvalues of
        ``H(beta)`` at ``beta = exp(i (phi + 2 pi m)/N)``.  Requires
        ``n_cells > reach`` so that no hop wraps onto its own cell.
        """
        N = self._check_cells(n_cells)
        phi = _v.check_real(phi, "phi")
        if N <= self.reach:
            raise ValueError(f"n_cells={N} is too small: a ring needs more than {self.reach} cells for hops of "
                             f"range {self.reach}")
        J = self.nbands
        H = np.zeros((N * J, N * J), dtype=complex)
        for n, T in self.blocks.items():
            for j in range(N):
                w, jn = divmod(j + n, N)
                H[j * J:(j + 1) * J, jn * J:(jn + 1) * J] += T * np.exp(1j * w * phi)
        return H

    def pbc_matrix(self, n_cells: int) -> np.ndarray:
        """Periodic ring (``twisted_ring`` at zero flux)."""
        return self.twisted_ring(n_cells, 0.0)

    # ---------------------------------------------------- characteristic poly
    @cached_property
    def char_poly(self) -> CharPoly:
        """``det(H(beta) - E)`` as exact Laurent polynomials in ``beta`` per power of ``E``.

        Computed by Laplace expansion over the ``J x J`` matrix of Laurent
        polynomials (memoised minors, cost ``O(J 2**J)`` polynomial products).
        """
        J = self.nbands
        if J > MAX_CHARPOLY_BANDS:
            raise ValueError(f"the exact characteristic polynomial of a chain with J={J} orbitals per cell costs "
                             f"O(J 2**J) = {J * 2 ** J:.3g} polynomial products; the limit is J <= "
                             f"{MAX_CHARPOLY_BANDS} (nhtopo_lib.chain.MAX_CHARPOLY_BANDS)")
        # entries[i][j] is a list over E-powers [c0(beta), c1(beta)] of LaurentPoly
        entries = [[[LaurentPoly({n: T[i, j] for n, T in self.blocks.items()})] for j in range(J)]
                   for i in range(J)]
        for i in range(J):
            entries[i][i] = entries[i][i] + [LaurentPoly([-1.0])]

        def mul(a, b):
            out = [LaurentPoly([]) for _ in range(len(a) + len(b) - 1)]
            for ia, pa in enumerate(a):
                if pa.is_zero:
                    continue
                for ib, pb in enumerate(b):
                    out[ia + ib] = out[ia + ib] + pa * pb
            return out

        def add(a, b, sign=1):
            n = max(len(a), len(b))
            out = []
            for i in range(n):
                pa = a[i] if i < len(a) else LaurentPoly([])
                pb = b[i] if i < len(b) else LaurentPoly([])
                out.append(pa + pb * sign)
            return out

        memo: dict[tuple[int, ...], list] = {}

        def minor(cols: tuple[int, ...]):
            # determinant of rows J-len(cols) .. J-1 restricted to `cols`
            if cols in memo:
                return memo[cols]
            row = J - len(cols)
            if len(cols) == 1:
                res = entries[row][cols[0]]
            else:
                res = [LaurentPoly([])]
                for pos, c in enumerate(cols):
                    sub = minor(cols[:pos] + cols[pos + 1:])
                    res = add(res, mul(entries[row][c], sub), sign=(-1) ** pos)
            memo[cols] = res
            return res

        terms = minor(tuple(range(J)))
        terms = list(terms) + [LaurentPoly([])] * (J + 1 - len(terms))
        return CharPoly(tuple(terms[: J + 1]))

    def __repr__(self) -> str:
        lo, hi = self.hopping_range
        return f"Chain({self.name!r}, J={self.nbands}, hops {lo}..{hi})"

