"""Laurent polynomials in one variable with exactly handled coefficients.

A Laurent polynomial ``P(z) = sum_{n=low}^{high} c_n z^n`` is stored as a dense
complex coefficient vector ``coeffs`` (``coeffs[i]`` multiplies ``z**(low + i)``)
plus the integer ``low``.  Arithmetic (sums, products, powers) is done on the
coefficients themselves, so a characteristic polynomial built from hopping
amplitudes carries the amplitudes' products exactly as floating-point numbers
allow -- nothing is ever fitted from samples.

**Conventions.**

* ``order_at_zero`` is ``low``: negative means a pole of that order at z = 0.
* ``roots()`` returns the *non-zero* roots, i.e. the roots of the ordinary
  polynomial ``z**(-low) * P(z)`` after removing exact zero trailing terms.
* The winding of ``P`` along the counter-clockwise circle ``|z| = r`` is
  ``#{roots with |z| < r} + low`` (argument principle).
"""

from __future__ import annotations

from numbers import Number
from typing import Iterable, Mapping

import numpy as np

from . import _validate as _v

__all__ = ["LaurentPoly", "certified_roots"]

#: Largest span ``high - low`` of the powers of a Laurent polynomial (dense coefficient storage).
MAX_SPAN = 10 ** 7


def _check_span(low: int, high: int, name: str) -> None:
    if high - low > MAX_SPAN:
        raise ValueError(f"{name}: the powers span {low}..{high}, more than the limit of {MAX_SPAN} "
                         "(nhtopo_lib.laurent.MAX_SPAN): coefficients are stored densely over the span")


class LaurentPoly:
    """A Laurent polynomial ``sum_n c_n z**n`` with complex coefficients.

    Parameters
    ----------
    coeffs
        Either a mapping ``{power: coefficient}`` or a sequence of coefficients
        starting at power ``low``.
    low
        Lowest power when ``coeffs`` is a sequence (ignored for mappings).

    Exact zero coefficients at either end are trimmed, so ``low`` and ``high``
    are the true extreme exponents.  The zero polynomial has ``coeffs == []``.
    """

    __slots__ = ("coeffs", "low")

    def __init__(self, coeffs: Mapping[int, complex] | Iterable[complex], low: int = 0):
        if isinstance(coeffs, Mapping):
            if len(coeffs) == 0:
                arr, low = np.zeros(0, dtype=complex), 0
            else:
                items = [(_v.check_power(k, "coeffs"), _v.check_complex(v, f"coeffs[{k!r}]")) for k, v in coeffs.items()]
                keys = [k for k, _ in items]
                low = min(keys)
                _check_span(low, max(keys), "coeffs")
                arr = np.zeros(max(keys) - low + 1, dtype=complex)
                for k, v in items:
                    arr[k - low] += v
        elif isinstance(coeffs, np.ndarray) and coeffs.dtype == np.complex128 and type(low) is int:
            arr = coeffs.ravel().copy()   # fast path: results of the arithmetic below (checked for NaN/inf there)
            _check_span(low, low + arr.size - 1, "coeffs")
        else:
            if isinstance(coeffs, (str, bytes)) or coeffs is None or not hasattr(coeffs, "__iter__"):
                raise TypeError(f"coeffs must be a mapping {{power: coefficient}} or a sequence of coefficients, "
                                f"got {type(coeffs).__name__}")
            arr = _v.complex_array(list(coeffs) if not isinstance(coeffs, np.ndarray) else coeffs, "coeffs",
                                  finite=False).ravel().copy()
            low = _v.check_int(low, "low")
            _check_span(low, low + arr.size - 1, "coeffs")
        if not np.all(np.isfinite(arr)):
            raise ValueError("coeffs: Laurent polynomial coefficients contain NaN or inf; "
                             "check the hopping amplitudes that built it")
        nz = np.flatnonzero(arr != 0)
        if nz.size == 0:
            self.coeffs, self.low = np.zeros(0, dtype=complex), 0
        else:
            self.coeffs = arr[nz[0]: nz[-1] + 1]
            self.low = low + int(nz[0])

    # ------------------------------------------------------------------ basics
    @property
    def high(self) -> int:
        """Highest power with a non-zero coefficient (``low - 1`` for zero)."""
        return self.low + len(self.coeffs) - 1

    @property
    def is_zero(self) -> bool:
        """True for the zero polynomial (no coefficients left after trimming)."""
        return len(self.coeffs) == 0

    @property
    def order_at_zero(self) -> int:
        """Order of z = 0: positive for a zero, negative for a pole."""
        if self.is_zero:
            raise ValueError("the zero polynomial has no order at z = 0")
        return self.low

    def to_dict(self) -> dict[int, complex]:
        """The non-zero coefficients as ``{power: coefficient}``."""
        return {self.low + i: complex(c) for i, c in enumerate(self.coeffs) if c != 0}

    def coefficient(self, n: int) -> complex:
        """Coefficient of ``beta**n`` (0 outside the stored range)."""
        n = _v.check_int(n, "n")
        i = n - self.low
        return complex(self.coeffs[i]) if 0 <= i < len(self.coeffs) else 0j

    def __repr__(self) -> str:
        terms = " + ".join(f"({c:.6g})z^{n}" for n, c in self.to_dict().items())
        return f"LaurentPoly({terms or '0'})"

    # ------------------------------------------------------------- arithmetic
    @staticmethod
    def _coerce(other) -> "LaurentPoly":
        if isinstance(other, LaurentPoly):
            return other
        if isinstance(other, Number):
            return LaurentPoly([complex(other)])
        return NotImplemented

    def __add__(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        if self.is_zero:
            return other
        if other.is_zero:
            return self
        low = min(self.low, other.low)
        high = max(self.high, other.high)
        arr = np.zeros(high - low + 1, dtype=complex)
        arr[self.low - low: self.high - low + 1] += self.coeffs
        arr[other.low - low: other.high - low + 1] += other.coeffs
        return LaurentPoly(arr, low)

    __radd__ = __add__

    def __neg__(self):
        return LaurentPoly(-self.coeffs, self.low)

    def __sub__(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        if self.is_zero or other.is_zero:
            return LaurentPoly([])
        return LaurentPoly(np.convolve(self.coeffs, other.coeffs), self.low + other.low)

    __rmul__ = __mul__

    def __pow__(self, n: int):
        n = _v.check_int(n, "n", lo=0, fix="only non-negative integer powers are supported")
        if not self.is_zero:
            _check_span(n * self.low, n * self.high, "n")
        out = LaurentPoly([1.0])
        base = self
        while n:
            if n & 1:
                out = out * base
            base = base * base
            n >>= 1
        return out

    def shift(self, k: int) -> "LaurentPoly":
        """Return ``z**k * P(z)``."""
        return LaurentPoly(self.coeffs, self.low + _v.check_int(k, "k"))

    def reversed(self) -> "LaurentPoly":
        """Return ``P(1/z)`` (maps the chain to its mirror image)."""
        return LaurentPoly(self.coeffs[::-1], -self.high)

    def scaled(self, r: complex) -> "LaurentPoly":
        """Return ``P(r z)`` (the imaginary gauge transform of the chain)."""
        r = _v.check_complex(r, "r")
        if r == 0 and self.low < 0:
            raise ValueError("r=0 sends the negative powers of P(r z) to infinity; pass r != 0")
        n = np.arange(self.low, self.high + 1)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            c = self.coeffs * np.power(r, n) if r != 0 else np.where(n == 0, self.coeffs, 0)
        _v.finite_result(c, f"the coefficients of P(r z) at r={r:.3g}", "use r closer to 1")
        return LaurentPoly(c, self.low)

    def derivative(self) -> "LaurentPoly":
        """The derivative ``dP/dbeta`` (exact, term by term)."""
        n = np.arange(self.low, self.high + 1)
        return LaurentPoly(self.coeffs * n, self.low - 1)

    def __eq__(self, other) -> bool:  # exact comparison
        other = self._coerce(other)
        if other is NotImplemented:
            return False
        return self.low == other.low and np.array_equal(self.coeffs, other.coeffs)

    def allclose(self, other: "LaurentPoly", atol: float = 1e-12) -> bool:
        """True if every coefficient of ``self - other`` is at most ``atol`` in modulus."""
        atol = _v.check_nonneg(atol, "atol")
        if not isinstance(other, (LaurentPoly, Number)) or isinstance(other, bool):
            raise TypeError(f"other must be a LaurentPoly or a number, got {type(other).__name__}")
        diff = self - other
        return diff.is_zero or bool(np.max(np.abs(diff.coeffs)) <= atol)

    # ------------------------------------------------------------- evaluation
    def __call__(self, z):
        """Evaluate at ``z`` (scalar or array, complex allowed)."""
        z = _v.complex_array(z, "z")
        if self.is_zero:
            return np.zeros_like(z)
        if self.low < 0 and np.any(z == 0):
            raise ValueError("z = 0 is a pole of P(z): it cannot be evaluated there; pass z != 0")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            poly = np.polyval(self.coeffs[::-1], z)
            out = poly * z ** self.low if self.low else poly
        _v.finite_result(out, "P(z) at the given z", "use a smaller |z| (or |1/z|)")
        return out

    # ------------------------------------------------------------------ roots
    def roots(self, method: str = "numpy", prec: int = 256) -> np.ndarray:
        """Non-zero roots of ``z**(-low) P(z)``, sorted by modulus.

        ``method="numpy"`` uses the companion matrix in double precision;
        ``method="flint"`` returns certified roots (python-flint ``acb_poly``)
        rounded to double, for polynomials whose root moduli nearly tie.
        """
        _v.check_choice(method, "method", ("numpy", "flint"))
        prec = _v.check_bits(prec, "prec")
        if self.is_zero:
            raise ValueError("the zero polynomial has no isolated roots")
        if len(self.coeffs) == 1:
            return np.zeros(0, dtype=complex)
        if method == "numpy" and len(self.coeffs) - 1 > _v.MAX_EIG_ROWS:
            raise ValueError(f"degree {len(self.coeffs) - 1} is too large for companion-matrix roots (limit "
                             f"{_v.MAX_EIG_ROWS}, nhtopo_lib._validate.MAX_EIG_ROWS)")
        if method == "numpy":
            r = np.roots(self.coeffs[::-1])
        elif method == "flint":
            r, _ = certified_roots(self.coeffs, prec=prec)
        else:
            raise ValueError(f"unknown root method {method!r}; use 'numpy' or 'flint'")
        return r[np.argsort(np.abs(r), kind="stable")]

    def winding_on_circle(self, radius: float = 1.0, method: str = "numpy",
                          rtol: float = 1e-9) -> int:
        """Winding number of ``P(z)`` along the counter-clockwise circle ``|z| = radius``.

        Computed by the argument principle from the roots:
        ``#{roots inside} + order_at_zero``.  Refuses (ValueError) when a root
        lies within ``rtol * radius`` of the circle, where the winding is not
        defined.
        """
        radius = _v.check_positive(radius, "radius")
        rtol = _v.check_tol(rtol, "rtol")
        _v.check_choice(method, "method", ("numpy", "flint"))
        r = np.abs(self.roots(method=method))
        if np.any(np.abs(r - radius) <= rtol * radius):
            raise ValueError("a root of the polynomial lies on the circle |z| = "
                             f"{radius:g}: the winding is undefined there (the base point is on the curve)")
        return int(np.sum(r < radius)) + self.low


def certified_roots(coeffs: Iterable[complex], prec: int = 256,
                    tol: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Certified roots of ``sum_i coeffs[i] z**i`` with python-flint.

    The double-precision coefficients are taken as exact binary numbers, the
    roots are isolated with ``acb_poly.roots`` at ``prec`` bits and refined to
    radius ``tol`` (default ``2**(20 - prec)``), and returned as
    ``(midpoints, radii)`` -- each true root lies in the disc of that radius.
    Raises ValueError for repeated roots (not squarefree), which cannot be
    isolated.
    """
    import flint

    if isinstance(coeffs, (str, bytes)) or coeffs is None or not hasattr(coeffs, "__iter__"):
        raise TypeError(f"coeffs must be a sequence of coefficients, got {type(coeffs).__name__}")
    c = _v.complex_array(list(coeffs) if not isinstance(coeffs, np.ndarray) else coeffs, "coeffs", ndim=1)
    prec = _v.check_bits(prec, "prec")
    if tol is not None:
        tol = _v.check_positive(tol, "tol")
    nz = np.flatnonzero(c != 0)
    if nz.size == 0:
        raise ValueError("coeffs are all zero: the zero polynomial has no isolated roots")
    c = c[: nz[-1] + 1]                       # exact zero leading coefficients: lower degree
    if c.size - 1 > _v.MAX_FLINT_ROWS * 4:
        raise ValueError(f"coeffs: degree {c.size - 1} is above the limit {_v.MAX_FLINT_ROWS * 4} for certified "
                         "root isolation (nhtopo_lib._validate.MAX_FLINT_ROWS * 4)")
    if c.size < 2:
        return np.zeros(0, dtype=complex), np.zeros(0)
    old = flint.ctx.prec
    try:
        flint.ctx.prec = int(prec)
        poly = flint.acb_poly([flint.acb(complex(x).real, complex(x).imag) for x in c])
        try:
            rts = poly.roots(tol=2.0 ** (20 - int(prec)) if tol is None else tol)
        except ValueError as exc:
            raise ValueError(f"certified root isolation failed ({exc}); the polynomial may have a "
                             "repeated root -- perturb the parameters or use method='numpy'") from None
        mids = np.array([complex(float(r.real.mid()), float(r.imag.mid())) for r in rts])
        rads = np.array([float(r.rad()) for r in rts])
    finally:
        flint.ctx.prec = old
    return mids, rads
