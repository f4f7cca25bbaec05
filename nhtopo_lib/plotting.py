"""Recurring figures: complex-plane spectra and loops, phase diagrams, training curves.

Every function draws on a given matplotlib ``Axes`` (created by the caller) and
labels its axes, so notebooks only add titles and captions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as _v

if TYPE_CHECKING:  # annotations only; matplotlib is imported by the caller
    from matplotlib.axes import Axes

    from .chain import Chain
    from .msr import EdgeStates
    from .polezero import SublatticeReport

__all__ = [
    "plot_spectrum",
    "plot_loop",
    "plot_phase_diagram",
    "plot_training_curves",
    "label_complex_axes",
    "plot_m_sphere",
    "plot_domain_coloring",
    "plot_middle_real_parts",
    "plot_sublattice_figure",
    "plot_star_tracks",
    "plot_edge_spectrum",
    "plot_class_probabilities",
]


#: Most samples per band that :func:`plot_edge_spectrum` draws (a figure needs a few hundred).
MAX_PLOT_SAMPLES = 10 ** 5


def _check_ax(ax) -> None:
    if not (hasattr(ax, "plot") and hasattr(ax, "set_xlabel")):
        raise TypeError(f"ax must be a matplotlib Axes (e.g. from plt.subplots()), got {type(ax).__name__}")


def _plot_data(x, name: str, dtype=complex) -> np.ndarray:
    """Numbers to plot: NaN is allowed (matplotlib leaves a gap), inf is not."""
    arr = (_v.complex_array if dtype is complex else _v.real_array)(x, name, finite=False)
    if np.any(np.isinf(arr)):
        raise ValueError(f"{name} contains inf; matplotlib cannot place it (use NaN for a gap)")
    return arr


def label_complex_axes(ax: Axes, quantity: str = "E") -> None:
    """Label ``ax`` as the complex plane of ``quantity`` and use equal aspect."""
    _check_ax(ax)
    _v.check_str(quantity, "quantity")
    ax.set_xlabel(rf"Re ${quantity}$")
    ax.set_ylabel(rf"Im ${quantity}$")
    ax.set_aspect("equal", adjustable="box")


def plot_spectrum(ax: Axes, E: ArrayLike, *, label: str | None = None, quantity: str = "E",
                  s: float = 12, **kwargs: Any):
    """Scatter eigenvalues ``E`` in the complex plane."""
    _check_ax(ax)
    E = _plot_data(E, "E").ravel()
    s = _v.check_positive(s, "s")
    kwargs.setdefault("zorder", 3)
    art = ax.scatter(E.real, E.imag, s=s, label=label, **kwargs)
    label_complex_axes(ax, quantity)
    return art


def plot_loop(ax: Axes, z: ArrayLike, *, base: complex | None = 0.0, n_arrows: int = 4,
              label: str | None = None, quantity: str = "E", color: str | None = None, **kwargs: Any):
    """Draw a closed sampled curve with arrows showing its orientation.

    Arrows are placed at ``n_arrows`` evenly spaced samples and point along
    the direction of increasing parameter (e.g. increasing ``k``).  The base
    point, if given, is marked with a black ``x``.
    """
    _check_ax(ax)
    z = _plot_data(z, "z").ravel()
    n_arrows = _v.check_int(n_arrows, "n_arrows", lo=0, hi=10 ** 4)
    if base is not None:
        base = _v.check_complex(base, "base")
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


def plot_phase_diagram(ax: Axes, x: ArrayLike, y: ArrayLike, values: ArrayLike, *,
                       xlabel: str, ylabel: str, cbar_label: str = "winding number",
                       levels: Sequence[float] | None = None, cmap: str = "coolwarm",
                       colorbar: bool = True, **kwargs: Any):
    """Colour map of an invariant on a regular ``(x, y)`` grid.

    ``values`` has shape ``(len(y), len(x))``.  Discrete values are shown with
    a discrete colour bar whose ticks are the distinct values present (or
    ``levels``).
    """
    _check_ax(ax)
    x, y = _v.real_array(x, "x"), _v.real_array(y, "y")
    v = _plot_data(values, "values", float)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"x and y must be 1D grids, got shapes {x.shape} and {y.shape}")
    if v.shape != (len(y), len(x)):
        raise ValueError(f"values must have shape (len(y), len(x)) = {(len(y), len(x))}, got {v.shape}")
    ticks = np.unique(v[np.isfinite(v)]) if levels is None else _v.real_array(levels, "levels", ndim=1, min_size=1)
    if len(ticks) == 0:
        raise ValueError("values contains no finite value to colour")
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


def plot_training_curves(ax: Axes, histories: Mapping[str, Mapping[str, Sequence[float]]], *,
                         ylabel: str = "loss", log: bool = True):
    """Training/validation loss against epoch for several models.

    ``histories`` maps a model name to ``{"train": [...], "val": [...]}``.
    """
    _check_ax(ax)
    if not isinstance(histories, Mapping) or any(not isinstance(h, Mapping) for h in histories.values()):
        raise TypeError("histories must map model names to {'train': [...], 'val': [...]} mappings")
    for name, h in histories.items():
        for key, style in (("train", "-"), ("val", "--")):
            if key in h and len(h[key]):
                ax.plot(np.arange(1, len(h[key]) + 1), h[key], style, label=f"{name} ({key})")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.legend()


# --------------------------------------------------------------------------- sublattice / GBZ figures
def _sphere_xyz(M, name: str = "M"):
    from .polezero import m_sphere

    M = _v.complex_array(M, name, finite=False)
    undefined = np.isnan(M) & ~np.isinf(M)
    if M.ndim == 1 and np.any(undefined):   # undefined ratios on a curve: leave them out of the drawing
        M = M[~undefined]
    return m_sphere(M)


def plot_m_sphere(ax: Axes, curves: Sequence[ArrayLike], *, labels: Sequence[str] | None = None,
                  colors: Sequence[str] | None = None, points: Mapping[str, complex] | None = None,
                  point_color: str = "k", extra_points: ArrayLike | None = None,
                  extra_label: str | None = None, elev: float = 18, azim: float = -60):
    """Images of ``M`` values on the Riemann sphere (Eqs. 21-23 of Zhong et al.), on a 3D ``ax``.

    ``curves``: closed curves of ``M`` (e.g. the two sub-GBZ loops); ``points``:
    labelled values of ``M`` (e.g. ``{"N": M_inf, "S": M_zero}``), joined by their
    axis; ``extra_points``: further ``M`` values (e.g. branch-point images).
    ``M = inf`` is the north pole ``Z = +1``, ``M = 0`` the south pole.
    """
    if not hasattr(ax, "plot_wireframe"):
        raise TypeError("ax must be a 3D matplotlib Axes (projection='3d')")
    if isinstance(curves, (str, bytes)) or not hasattr(curves, "__iter__"):
        raise TypeError(f"curves must be a sequence of arrays of M values, got {type(curves).__name__}")
    u = np.linspace(0, 2 * np.pi, 37)
    v = np.linspace(0, np.pi, 19)
    xs = np.outer(np.cos(u), np.sin(v))
    ys = np.outer(np.sin(u), np.sin(v))
    zs = np.outer(np.ones_like(u), np.cos(v))
    ax.plot_wireframe(xs, ys, zs, color="0.8", lw=0.4, rstride=2, cstride=2)
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(t), np.sin(t), 0 * t, color="0.55", lw=0.8, ls="--")
    colors = colors or [f"C{i}" for i in range(len(curves))]
    for i, M in enumerate(curves):
        P = _sphere_xyz(M, "curves")
        P = np.vstack([P, P[:1]])
        ax.plot(P[:, 0], P[:, 1], P[:, 2], color=colors[i % len(colors)], lw=1.8,
                label=labels[i] if labels else None)
    if points:
        xyz = {k: _sphere_xyz(v, "points") for k, v in points.items()}
        ks = list(xyz)
        if len(ks) == 2:
            a, b = xyz[ks[0]], xyz[ks[1]]
            ax.plot([a[0], b[0]], [a[1], b[1]], [a[2], b[2]], color=point_color, lw=1.0)
        for k, p in xyz.items():
            ax.scatter([p[0]], [p[1]], [p[2]], color=point_color, s=30, depthshade=False)
            ax.text(p[0] * 1.15, p[1] * 1.15, p[2] * 1.15, k, fontsize=11, fontweight="bold")
    if extra_points is not None and len(np.atleast_1d(extra_points)):
        P = _sphere_xyz(np.atleast_1d(extra_points), "extra_points")
        ax.scatter(P[:, 0], P[:, 1], P[:, 2], color="red", s=22, depthshade=False, label=extra_label)
    ax.set_xlabel("X", labelpad=-8)
    ax.set_ylabel("Y", labelpad=-8)
    ax.set_zlabel("Z", labelpad=-8)
    ax.tick_params(pad=-3, labelsize=8)
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_zlim(-1, 1)
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(elev=elev, azim=azim)
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, 0, 1])
    ax.set_zticks([-1, 0, 1])


def plot_domain_coloring(ax: Axes, f: Callable[[np.ndarray], np.ndarray], extent: Sequence[float], *,
                         zeros: ArrayLike = (), poles: ArrayLike = (),
                         loops: Sequence[ArrayLike] = (), highlight: ArrayLike | None = None,
                         highlight_labels: Sequence[str] | None = None, n: int = 400,
                         unit_circle: bool = True, colorbar: bool = True, quantity: str = r"\arg M^2"):
    """Domain colouring of ``arg f(z)`` on the ``z``-plane, with zeros (○), poles (×) and loops.

    Hue encodes the phase (cyclic colour map), brightness steps mark
    ``log2|f|`` (so a zero or pole of order ``k`` is a point where the hue
    cycles ``k`` times).  ``loops`` (e.g. the GBZ) are drawn in black, the unit
    circle (Brillouin zone) dashed.  ``highlight`` marks the points that enter
    the pole-zero count (optionally labelled).
    """
    _check_ax(ax)
    f = _v.check_callable(f, "f")
    ext = _v.real_array(extent, "extent", ndim=1)
    if ext.shape != (4,) or not (ext[0] < ext[1] and ext[2] < ext[3]):
        raise ValueError(f"extent must be (x0, x1, y0, y1) with x0 < x1 and y0 < y1, got {extent!r}")
    x0, x1, y0, y1 = (float(e) for e in ext)
    n = _v.check_size(n, "n", lo=2, cap=4000, cost=lambda m: f"an {m} x {m} image", fix="400 pixels suffice")
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    Z = X + 1j * Y
    with np.errstate(all="ignore"):
        F = f(Z)
    ph = np.angle(F)
    lg = np.log2(np.abs(F))
    shade = 0.72 + 0.28 * np.mod(lg, 1.0)
    import matplotlib as mpl

    rgb = mpl.colormaps["hsv"]((ph + np.pi) / (2 * np.pi))[..., :3] * shade[..., None]
    rgb[~np.isfinite(F)] = 1.0
    ax.imshow(rgb, extent=(x0, x1, y0, y1), origin="lower", interpolation="bilinear")
    if colorbar:
        sm = mpl.cm.ScalarMappable(cmap="hsv", norm=mpl.colors.Normalize(-np.pi, np.pi))
        cb = ax.figure.colorbar(sm, ax=ax, fraction=0.046, pad=0.02)
        cb.set_ticks([-np.pi, 0, np.pi])
        cb.set_ticklabels([r"$-\pi$", "0", r"$\pi$"])
        cb.set_label(rf"${quantity}$")
    if unit_circle:
        t = np.linspace(0, 2 * np.pi, 300)
        ax.plot(np.cos(t), np.sin(t), color="0.25", ls="--", lw=0.9, label="BZ $|z|=1$")
    for i, L in enumerate(loops):
        L = np.asarray(L)
        L = np.concatenate([L, L[:1]])
        ax.plot(L.real, L.imag, color="k", lw=1.6, label="GBZ" if i == 0 else None)
    zeros, poles = np.atleast_1d(zeros), np.atleast_1d(poles)
    if zeros.size:
        ax.plot(zeros.real, zeros.imag, "o", mfc="none", mec="w", mew=1.8, ms=8, label="zeros of $M^2$")
    if poles.size:
        ax.plot(poles.real, poles.imag, "x", color="k", mew=2.0, ms=8, label="poles of $M^2$")
    if highlight is not None and len(np.atleast_1d(highlight)):
        h = np.atleast_1d(highlight)
        ax.plot(h.real, h.imag, "s", mfc="none", mec="yellow", mew=1.2, ms=13, label=r"first $2\mu$ points")
        if highlight_labels is not None:
            for zz, lab in zip(h, highlight_labels):
                ax.annotate(lab, (zz.real, zz.imag), xytext=(6, 6), textcoords="offset points", color="k",
                            fontsize=10, fontweight="bold",
                            bbox=dict(boxstyle="round,pad=0.1", fc="w", ec="none", alpha=0.7))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("Re $z$")
    ax.set_ylabel("Im $z$")
    ax.set_aspect("equal")


def plot_middle_real_parts(ax: Axes, E: ArrayLike, *, n_mid: int = 40, zero_mask: ArrayLike | None = None):
    """``Re E`` against index for the middle ``n_mid`` eigenvalues sorted by ``Re E`` (panel d)."""
    _check_ax(ax)
    E = _plot_data(E, "E").ravel()
    n_mid = _v.check_int(n_mid, "n_mid", lo=1)
    if zero_mask is not None and np.shape(zero_mask) != E.shape:
        raise ValueError(f"zero_mask must have one entry per eigenvalue (shape {E.shape}), got {np.shape(zero_mask)}")
    o = np.argsort(E.real, kind="stable")
    n = len(E)
    lo = max(0, n // 2 - n_mid // 2)
    idx = o[lo: lo + n_mid]
    ii = np.arange(lo + 1, lo + 1 + len(idx))
    zm = np.zeros(n, bool) if zero_mask is None else np.asarray(zero_mask, bool)
    ax.plot(ii[~zm[idx]], E.real[idx][~zm[idx]], "o", ms=4, color="C0", label="bulk")
    if np.any(zm[idx]):
        ax.plot(ii[zm[idx]], E.real[idx][zm[idx]], "o", ms=7, color="C3", label="zero modes")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xlabel("index (sorted by Re $E$)")
    ax.set_ylabel("Re $E$")
    ax.legend(loc="upper left", fontsize=8)


def plot_sublattice_figure(report: SublatticeReport, *, title: str = "", extent: Sequence[float] | None = None,
                           n_mid: int = 40, sphere_view: tuple[float, float] = (18, -60)):
    """Four panels as in Zhong et al., in a 2x2 grid: (a) OBC spectrum, (b) M-sphere, (c) arg M^2,
    (d) middle Re E.

    ``report`` is a :class:`nhtopo_lib.polezero.SublatticeReport`.  Returns the figure.
    """
    import matplotlib.pyplot as plt

    from .polezero import SublatticeReport

    if not isinstance(report, SublatticeReport):
        raise TypeError(f"report must be a SublatticeReport (from sublattice_report), got {type(report).__name__}")
    n_mid = _v.check_int(n_mid, "n_mid", lo=1)
    fig = plt.figure(figsize=(8.8, 8.2), layout="constrained")
    gs = fig.add_gridspec(2, 2)
    ax_a = fig.add_subplot(gs[0, 0])
    ax_b = fig.add_subplot(gs[0, 1], projection="3d")
    ax_c = fig.add_subplot(gs[1, 0])
    ax_d = fig.add_subplot(gs[1, 1])
    zm = report.zm
    E = zm.centers
    zmask = np.abs(E) <= max(zm.zero_bound, 1e-300)
    cont = np.concatenate([sg[1] for sg in report.sub_gbz])
    ax_a.plot(cont.real, cont.imag, ".", ms=1.2, color="0.6", label="OBC continuum (GBZ)")
    ax_a.plot(E.real[~zmask], E.imag[~zmask], "o", ms=3, color="C0", label=f"OBC, N={zm.n_cells}")
    if np.any(zmask):
        ax_a.plot(E.real[zmask], E.imag[zmask], "o", ms=7, color="C3", label=f"{zm.count} zero modes")
    ax_a.set_xlabel("Re $E$")
    ax_a.set_ylabel("Im $E$")
    allE = np.concatenate([E, cont])
    wx = float(np.ptp(allE.real)) or 1.0
    wy = float(np.ptp(allE.imag))
    if wy < 0.25 * wx:  # (nearly) real spectrum: do not squash the panel
        cy = float(np.mean(allE.imag))
        ax_a.set_ylim(cy - 0.35 * wx, cy + 0.35 * wx)
    else:
        ax_a.set_aspect("equal", adjustable="datalim")
    ax_a.legend(loc="upper right", fontsize=8)
    ax_a.set_title("(a) OBC spectrum")
    form = report.form
    curves = [sg[2] for sg in report.sub_gbz]
    if report.off_diagonal:
        pts = {"N": complex(np.inf), "S": 0j}
        extra = None
    else:
        pts = {"N": form.M_inf, "S": form.M_zero}
        extra = report.general.M[np.isfinite(report.general.M)]
    plot_m_sphere(ax_b, curves, labels=[r"sub-GBZ $E=+\sqrt{Q}$", r"sub-GBZ $E=-\sqrt{Q}$"],
                  points=pts, extra_points=extra, extra_label="branch-point images" if extra is not None else None,
                  elev=sphere_view[0], azim=sphere_view[1])
    ax_b.set_title(f"(b) $M$-sphere, $W_{{gbz}}={report.W_gbz:+d}$")
    ax_b.legend(loc="upper left", fontsize=8)
    pz = report.pz
    from .laurent import LaurentPoly

    ab, ba = LaurentPoly(form.h_ab), LaurentPoly(form.h_ba)
    gl = report.gw.loop
    pts2 = pz.points
    if extent is None:
        R = 1.25 * max(np.max(np.abs(gl)), np.max(np.abs(pts2)) if pts2.size else 0, 1.0)
        extent = (-R, R, -R, R)
    zeros = np.concatenate([pz.roots_ab, np.zeros(max(pz.order_at_origin, 0))])
    poles = np.concatenate([pz.roots_ba, np.zeros(max(-pz.order_at_origin, 0))])
    if report.off_diagonal:
        labels = [("zero" if k == "zero" else "pole") for k in pz.kinds]
        labels = None
    else:
        labels = ["S" if lab == "0" else ("N" if lab == "inf" else "N+S") for lab in report.general.labels]
    plot_domain_coloring(ax_c, lambda z: ab(z) / ba(z), extent, zeros=zeros, poles=poles, loops=[gl],
                         highlight=report.general.roots if not report.off_diagonal else pts2,
                         highlight_labels=labels,
                         quantity=r"\arg M^2" if report.off_diagonal else r"\arg M'^2")
    ax_c.legend(loc="lower left", fontsize=8, framealpha=0.8)
    ax_c.set_title(f"(c) poles/zeros, $W_{{pz}}={report.W_pz:+d}$")
    plot_middle_real_parts(ax_d, E, n_mid=n_mid, zero_mask=zmask)
    ax_d.set_title(f"(d) middle {n_mid} eigenvalues")
    if title:
        fig.suptitle(title)
    return fig


def plot_star_tracks(ax: Axes, stars: Sequence[ArrayLike], *, colors: Sequence[str] | None = None,
                     labels: Sequence[str] | None = None, elev: float = 22, azim: float = -55,
                     ms: float = 1.6) -> None:
    """Majorana stars on the Bloch sphere (a 3D ``ax``), one colour per band.

    ``stars[b]`` holds unit vectors of shape ``(..., 3)`` (e.g. ``stars_to_xyz(theta, phi)`` of one
    band over a ``k`` grid, shape ``(L, J - 1, 3)``); they are drawn as small dots so that stars
    exchanging or passing near a pole leave no spurious connecting lines.  The dashed vertical line
    is the ``z`` axis: a star winding counts how often the stars of a band go around it.  North pole
    ``(0, 0, 1)`` = first component (``m = +S``).
    """
    if not hasattr(ax, "plot_wireframe"):
        raise TypeError("ax must be a 3D matplotlib Axes (projection='3d')")
    if isinstance(stars, (str, bytes)) or not hasattr(stars, "__iter__"):
        raise TypeError(f"stars must be a sequence of (..., 3) arrays, one per band, got {type(stars).__name__}")
    stars = [_plot_data(P, "stars", float) for P in stars]
    if any(P.size % 3 or (P.ndim and P.shape[-1] != 3) for P in stars):
        raise ValueError("stars: every entry must hold unit vectors of shape (..., 3)")
    u = np.linspace(0, 2 * np.pi, 37)
    v = np.linspace(0, np.pi, 19)
    ax.plot_wireframe(np.outer(np.cos(u), np.sin(v)), np.outer(np.sin(u), np.sin(v)),
                      np.outer(np.ones_like(u), np.cos(v)), color="0.85", lw=0.4, rstride=2, cstride=2)
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(t), np.sin(t), 0 * t, color="0.6", lw=0.7, ls=":")
    ax.plot([0, 0], [0, 0], [-1.15, 1.15], color="k", lw=0.9, ls="--")
    colors = colors or [f"C{i}" for i in range(len(stars))]
    for i, P in enumerate(stars):
        P = np.asarray(P, dtype=float).reshape(-1, 3)
        ax.plot(P[:, 0], P[:, 1], P[:, 2], ".", color=colors[i % len(colors)], ms=ms,
                label=labels[i] if labels else None)
    ax.set_xlabel("x", labelpad=-8)
    ax.set_ylabel("y", labelpad=-8)
    ax.set_zlabel("z", labelpad=-8)
    ax.tick_params(pad=-3, labelsize=8.5)
    for setter in (ax.set_xlim, ax.set_ylim, ax.set_zlim):
        setter(-1.05, 1.05)
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, 0, 1])
    ax.set_zticks([-1, 0, 1])
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(elev=elev, azim=azim)


def plot_edge_spectrum(ax: Axes, chain: Chain, edges: EdgeStates, *, kappa: float = 0.0,
                       title: str = "", pbc: bool = True, n_k: int = 600) -> None:
    """Bloch bands, non-Bloch bands and the open-chain spectrum with its isolated edge states.

    Grey dots: the periodic bands ``H(k)`` (only when ``kappa != 0`` and ``pbc``); blue dots: the
    bands ``H(k + i kappa)`` (the non-Bloch bands; the periodic ones when ``kappa == 0``); black: the
    open-chain spectrum stored in ``edges`` (an :class:`nhtopo_lib.msr.EdgeStates`); red
    circles: the isolated edge states it counted.  ``chain`` must be the chain given to
    :func:`nhtopo_lib.isolated_edge_states`; ``n_k`` (2 to :data:`MAX_PLOT_SAMPLES`) momenta
    sample each band.
    """
    from .msr import EdgeStates, non_bloch_bloch

    _check_ax(ax)
    chain = _v.check_chain(chain, "chain")
    if not isinstance(edges, EdgeStates):
        raise TypeError(f"edges must be an EdgeStates (from nhtopo_lib.isolated_edge_states), got "
                        f"{type(edges).__name__}")
    n_bands = np.shape(edges.continuum)[-1] if np.ndim(edges.continuum) == 2 else None
    if n_bands is not None and n_bands != chain.nbands:
        raise ValueError(f"edges was computed for a chain with {n_bands} bands but chain has {chain.nbands}; pass "
                         "the chain given to isolated_edge_states")
    kappa = _v.check_real(kappa, "kappa")
    _v.check_str(title, "title")
    pbc = _v.check_bool(pbc, "pbc")
    n_k = _v.check_size(n_k, "n_k", lo=2, cap=MAX_PLOT_SAMPLES, fix="a few hundred samples draw smooth bands")
    kk = np.linspace(0, 2 * np.pi, n_k)
    if pbc and kappa != 0.0:
        Ep = np.linalg.eigvals(chain.bloch_k(kk)).ravel()   # one legend entry for all bands
        ax.plot(Ep.real, Ep.imag, ".", color="0.7", ms=1.5, label="PBC bands $H(k)$")
    En = np.linalg.eigvals(non_bloch_bloch(chain, kk, kappa)).ravel()
    lab = "bands $H(k+i\\kappa)$" if kappa != 0.0 else "PBC bands $H(k)$"
    ax.plot(En.real, En.imag, ".", color="C0", ms=1.5, label=lab)
    plot_spectrum(ax, edges.spectrum, label=f"OBC, {edges.n_cells[1]} cells", color="k", s=5)
    if edges.count:
        ax.scatter(edges.energies.real, edges.energies.imag, s=70, facecolors="none", edgecolors="C3",
                   linewidths=1.5, label=f"isolated ({edges.count})", zorder=5)
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8, markerscale=3)


def plot_class_probabilities(ax: Axes, x: ArrayLike, probs: ArrayLike, names: Sequence[str], *,
                             crossings: Sequence[Any] = (), exact: Sequence[float] = (),
                             colors: Sequence[str] | None = None, xlabel: str = "position along the cut",
                             legend_kw: Mapping[str, Any] | None = None, ms: float = 3.0):
    """Class probabilities along a one-dimensional cut, with predicted and exact transitions.

    Parameters
    ----------
    ax : matplotlib Axes to draw on.
    x : positions along the cut, shape ``(n,)``.
    probs : class probabilities, shape ``(n, len(names))`` (e.g. a classifier's softmax output).
    names : legend label of every class, in the column order of ``probs``.
    crossings : predicted transitions, objects with attributes ``x`` and ``left`` (the class
        dominant on their left), e.g. :class:`nhtopo_lib.transitions.Crossing`; each is marked by a
        black cross on the curve of class ``left``, at ``x`` (linear interpolation of that curve).
    exact : true transition points, drawn as dotted vertical lines.
    colors : one colour per class (default: the colour cycle).
    xlabel : label of the horizontal axis.
    legend_kw : keyword arguments of ``ax.legend`` (default ``{"fontsize": 8}``); each class and
        each kind of transition appears once.

    Returns
    -------
    The legend.
    """
    _check_ax(ax)
    x = _v.real_array(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must be one-dimensional, got shape {x.shape}")
    P = _v.real_array(probs, "probs")
    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a sequence of class labels (e.g. a list of strings), got "
                        f"{type(names).__name__} {names!r:.60}")
    if len(names) == 0:
        raise ValueError("names is empty: give one label per class (column of probs)")
    if P.ndim != 2 or P.shape != (len(x), len(names)):
        raise ValueError(f"probs must have shape (len(x), len(names)) = {(len(x), len(names))}, "
                         f"got {P.shape}; pass one column per class name")
    if P.size and (P.min() < -1e-6 or P.max() > 1 + 1e-6):
        raise ValueError(f"probs must be probabilities in [0, 1] (e.g. softmax outputs, not logits), got values in "
                         f"[{P.min():.3g}, {P.max():.3g}]")
    if isinstance(crossings, (str, bytes)) or not isinstance(crossings, Iterable):
        raise TypeError(f"crossings must be a sequence of transitions (e.g. from probability_crossings), got "
                        f"{type(crossings).__name__}")
    crossings = list(crossings)
    marks = []
    for i, cr in enumerate(crossings):
        if not (hasattr(cr, "x") and hasattr(cr, "left")):
            raise TypeError(f"crossings[{i}] must have attributes x and left (a transitions.Crossing), got "
                            f"{type(cr).__name__}")
        marks.append((_v.check_real(cr.x, f"crossings[{i}].x"),
                      _v.check_int(cr.left, f"crossings[{i}].left", lo=0, hi=len(names) - 1,
                                   fix="left is the index of a class (column of probs)")))
    exact = _v.real_array(exact, "exact").ravel()
    if colors is not None and (isinstance(colors, (str, bytes)) or not isinstance(colors, Iterable)):
        raise TypeError(f"colors must be a sequence of colours, one per class (not a single string), got "
                        f"{type(colors).__name__} {colors!r:.60}")
    colors = list(colors) if colors is not None else [f"C{i}" for i in range(len(names))]
    if len(colors) < len(names):
        raise ValueError(f"colors has {len(colors)} entries for {len(names)} classes; give one per class")
    _v.check_str(xlabel, "xlabel")
    if legend_kw is not None and not isinstance(legend_kw, Mapping):
        raise TypeError(f"legend_kw must be a mapping of ax.legend keyword arguments (or None), got "
                        f"{type(legend_kw).__name__}")
    ms = _v.check_positive(ms, "ms", fix="a marker size in points, e.g. 3")
    order = np.argsort(x, kind="stable")
    for c, (name, col) in enumerate(zip(names, colors)):
        ax.plot(x[order], P[order, c], ".-", ms=ms, lw=0.8, color=col, label=name)
    for x0 in exact:
        ax.axvline(x0, color="0.5", lw=0.9, ls=":")
    for cx, left in marks:
        y = np.interp(cx, x[order], P[order, left])
        ax.plot([cx], [y], "kx", ms=8, mew=2)
    if len(crossings):
        ax.plot([], [], "kx", ms=8, mew=2, label="predicted transitions")
    if len(exact):
        ax.plot([], [], color="0.5", lw=0.9, ls=":", label="exact transitions")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("class probability")
    ax.set_ylim(-0.04, 1.04)
    return ax.legend(**({"fontsize": 8} if legend_kw is None else dict(legend_kw)))
