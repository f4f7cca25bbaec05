"""Recurring figures: complex-plane spectra and loops, phase diagrams, training curves.

Every function draws on a given matplotlib ``Axes`` (created by the caller) and
labels its axes, so notebooks only add titles and captions.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "plot_spectrum",
    "plot_loop",
    "plot_phase_diagram",
    "plot_training_curves",
    "label_complex_axes",
]


def label_complex_axes(ax, quantity: str = "E") -> None:
    """Label ``ax`` as the complex plane of ``quantity`` and use equal aspect."""
    ax.set_xlabel(rf"Re ${quantity}$")
    ax.set_ylabel(rf"Im ${quantity}$")
    ax.set_aspect("equal", adjustable="box")


def plot_spectrum(ax, E: ArrayLike, *, label: str | None = None, quantity: str = "E",
                  s: float = 12, **kwargs):
    """Scatter eigenvalues ``E`` in the complex plane."""
    E = np.asarray(E, dtype=complex).ravel()
    kwargs.setdefault("zorder", 3)
    art = ax.scatter(E.real, E.imag, s=s, label=label, **kwargs)
    label_complex_axes(ax, quantity)
    return art


def plot_loop(ax, z: ArrayLike, *, base: complex | None = 0.0, n_arrows: int = 4,
              label: str | None = None, quantity: str = "E", color=None, **kwargs):
    """Draw a closed sampled curve with arrows showing its orientation.

    Arrows are placed at ``n_arrows`` evenly spaced samples and point along
    the direction of increasing parameter (e.g. increasing ``k``).  The base
    point, if given, is marked with a black ``x``.
    """
    z = np.asarray(z, dtype=complex).ravel()
    (line,) = ax.plot(z.real, z.imag, label=label, color=color, **kwargs)
    c = line.get_color()
    n = len(z)
    for i in np.linspace(0, n - 1, n_arrows, endpoint=False).astype(int):
        j = min(i + 1, n - 1)
        if j == i:
            continue
        ax.annotate("", xy=(z[j].real, z[j].imag), xytext=(z[i].real, z[i].imag),
                    arrowprops=dict(arrowstyle="-|>", color=c, lw=1.4, mutation_scale=14))
    if base is not None:
        ax.plot([np.real(base)], [np.imag(base)], "kx", ms=8, mew=2)
    label_complex_axes(ax, quantity)
    return line


def plot_phase_diagram(ax, x: ArrayLike, y: ArrayLike, values: ArrayLike, *,
                       xlabel: str, ylabel: str, cbar_label: str = "winding number",
                       levels: Sequence[float] | None = None, cmap: str = "coolwarm",
                       colorbar: bool = True, **kwargs):
    """Colour map of an invariant on a regular ``(x, y)`` grid.

    ``values`` has shape ``(len(y), len(x))``.  Discrete values are shown with
    a discrete colour bar whose ticks are the distinct values present (or
    ``levels``).
    """
    x, y, v = np.asarray(x), np.asarray(y), np.asarray(values, dtype=float)
    if v.shape != (len(y), len(x)):
        raise ValueError(f"values must have shape (len(y), len(x)) = {(len(y), len(x))}, got {v.shape}")
    ticks = np.unique(v[np.isfinite(v)]) if levels is None else np.asarray(levels, dtype=float)
    import matplotlib as mpl

    if len(ticks) <= 12:
        step = np.min(np.diff(ticks)) if len(ticks) > 1 else 1.0
        bounds = np.concatenate([ticks - step / 2, [ticks[-1] + step / 2]])
        norm = mpl.colors.BoundaryNorm(bounds, mpl.colormaps[cmap].N)
    else:
        norm = None
    mesh = ax.pcolormesh(x, y, v, cmap=cmap, norm=norm, shading="nearest", **kwargs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if colorbar:
        cb = ax.figure.colorbar(mesh, ax=ax, label=cbar_label)
        if len(ticks) <= 12:
            cb.set_ticks(ticks)
    return mesh


def plot_training_curves(ax, histories: Mapping[str, Mapping[str, Sequence[float]]], *,
                         ylabel: str = "loss", log: bool = True):
    """Training/validation loss against epoch for several models.

    ``histories`` maps a model name to ``{"train": [...], "val": [...]}``.
    """
    for name, h in histories.items():
        for key, style in (("train", "-"), ("val", "--")):
            if key in h and len(h[key]):
                ax.plot(np.arange(1, len(h[key]) + 1), h[key], style, label=f"{name} ({key})")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.legend()
