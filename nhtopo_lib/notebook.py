"""One call to set up a chapter notebook (seeds, print options, figure style), the figure formatter
that records text sizes, table and progress helpers, and the note an explorer cell prints where its
sliders cannot move (nbval, the static book)."""

from __future__ import annotations

import os
import random
import sys

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imported for annotations only (keeps `import nhtopo_lib` light)
    from IPython.display import Markdown
    from matplotlib.figure import Figure
    from tqdm import tqdm

__all__ = ["init_notebook", "BOOK_STYLE", "figure_min_text_px", "FIGURE_TEXT_KEY", "MIN_FONT_PT",
           "STATIC_ENV", "static_execution", "progress_bar", "markdown_table", "pct", "EXPLORER_NOTE",
           "widgets_are_live", "explorer_note"]

#: environment variable set (to "1") by the book build and the test run: the chapter executes without a
#: reader watching, so progress bars stay silent (they would be left as widgets or text in the page)
STATIC_ENV = "NHTOPO_STATIC"

#: PNG text chunk in which the book's figure formatter records the smallest text height (pixels at the
#: image's natural size); the browser check of the rendered book scales it to the displayed size.
FIGURE_TEXT_KEY = "nhtopo:min-text-px"
#: smallest font size (points) a book figure should use
MIN_FONT_PT = 8.0

#: Shared matplotlib style for every figure in the book.
BOOK_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "figure.figsize": (6.4, 4.0),
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
}


def static_execution() -> bool:
    """True when the chapter runs unattended (book build, nbval): ``NHTOPO_STATIC=1`` is set."""
    return os.environ.get(STATIC_ENV, "") == "1"


def progress_bar(iterable: Iterable | None = None, **kwargs: Any) -> "tqdm":
    """A ``tqdm.auto`` progress bar that is silent when :func:`static_execution` is true.

    In JupyterLab it is the usual widget bar; in a terminal a text bar; in the book
    build and under nbval it draws nothing (no widget or text remnants in the page).
    Keyword arguments go to ``tqdm`` (``disable`` given explicitly wins; it must be True,
    False or None).  ``iterable`` must be iterable, or None for a bar updated by hand.
    """
    from tqdm.auto import tqdm

    from . import _validate as _v

    if iterable is not None:
        try:
            iter(iterable)
        except TypeError:
            raise TypeError(f"iterable must be an iterable (or None for a manually updated bar), "
                            f"got {type(iterable).__name__}") from None
    if kwargs.get("disable") is not None:
        _v.check_bool(kwargs["disable"], "disable")
    kwargs.setdefault("disable", static_execution())
    return tqdm(iterable, **kwargs)


def pct(x: float, digits: int = 1) -> str:
    """A fraction as a percentage string without the sign: ``pct(0.9876) == '98.8'``.

    ``digits`` (0 to 20) decimals are shown; ``x`` must be a finite real number.
    """
    from . import _validate as _v

    x = _v.check_real(x, "x", fix="a fraction such as 0.5 (an undefined accuracy has no percentage)")
    digits = _v.check_int(digits, "digits", lo=0, hi=20, fix="a double has about 16 significant digits")
    _v.finite_result(100 * x, f"pct(x={x:g})", "pass a fraction, not an already huge number")
    return f"{100 * x:.{digits}f}"


def markdown_table(header: Sequence[object], rows: Iterable[Sequence[object]], *,
                   align: str | None = None) -> "Markdown":
    """An ``IPython.display.Markdown`` pipe table (the book renders Markdown outputs with MyST).

    ``header``: column titles; ``rows``: sequences of cells (converted with ``str``);
    ``align``: optional string of ``l``/``c``/``r`` per column (default: the first column
    left-aligned, the others right-aligned).  A bare ``|`` inside a
    cell would split it, so it is refused: write ``\\vert`` in math instead.  The header
    must have at least one column and every row as many cells as the header.
    """
    from IPython.display import Markdown

    from . import _validate as _v

    def cells(x, name: str) -> list[str]:
        if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
            raise TypeError(f"{name} must be a sequence of cells (e.g. a list), got {type(x).__name__} {x!r:.60}")
        return [str(c) for c in x]

    header = cells(header, "header")
    if not header:
        raise ValueError("header is empty: give at least one column title")
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
        raise TypeError(f"rows must be a sequence of rows (lists of cells), got {type(rows).__name__} {rows!r:.60}")
    body = [cells(row, f"rows[{i}]") for i, row in enumerate(rows)]
    for i, row in enumerate(body):
        if len(row) != len(header):
            raise ValueError(f"rows[{i}] has {len(row)} cells but the header has {len(header)}: {row}")
    for name, line in [("header", header)] + [(f"rows[{i}]", row) for i, row in enumerate(body)]:
        if any("|" in c for c in line):
            raise ValueError(f"a table cell of {name} contains '|', which would split the cell; use \\vert in math")
    if align is None:
        align = "l" + "r" * (len(header) - 1)
    _v.check_str(align, "align")
    if len(align) != len(header) or set(align) - set("lcr"):
        raise ValueError(f"align={align!r} needs one of 'l', 'c', 'r' per column ({len(header)} columns)")
    rule = {"l": ":---", "c": ":---:", "r": "---:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule[a] for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return Markdown("\n".join(lines))


def _visible_texts(artist, out: list) -> list:
    """Collect the visible, non-empty Text artists under ``artist``, skipping hidden subtrees."""
    from matplotlib.axes import Axes
    from matplotlib.text import Text

    if not artist.get_visible():
        return out
    if isinstance(artist, Text):
        if artist.get_text().strip():
            out.append(artist)
        return out
    children = artist.get_children()
    if isinstance(artist, Axes) and not artist.axison:
        children = [c for c in children if c not in (getattr(artist, "xaxis", None),
                                                      getattr(artist, "yaxis", None),
                                                      getattr(artist, "zaxis", None))]
    for child in children:
        _visible_texts(child, out)
    return out


def figure_min_text_px(fig: "Figure", dpi: float | None = None) -> float:
    """Height in pixels of the smallest visible text of a drawn figure, at ``dpi`` (default: ``fig.dpi``).

    The figure is drawn first (so tick labels exist); only visible, non-empty text
    is counted (hidden axes, empty tick labels and invisible artists are skipped).
    Returns ``inf`` for a figure without text.
    """
    from matplotlib.figure import Figure

    from . import _validate as _v

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure (e.g. from plt.subplots()), got {type(fig).__name__}")
    if dpi is not None:
        dpi = _v.check_positive(dpi, "dpi", fix="dots per inch, e.g. 100")
    fig.canvas.draw()
    dpi = float(fig.dpi if dpi is None else dpi)
    sizes = [t.get_fontsize() for t in _visible_texts(fig, [])]
    return min(sizes) * dpi / 72.0 if sizes else float("inf")


def _png_with_text_record(fig):
    """IPython PNG formatter: the usual inline PNG plus the smallest text height in its metadata."""
    from IPython.core.pylabtools import print_figure

    if not fig.axes and not fig.lines:
        return None
    px = figure_min_text_px(fig)
    meta = {FIGURE_TEXT_KEY: f"{px:.2f}"} if px != float("inf") else {}
    return print_figure(fig, fmt="png", base64=True, bbox_inches="tight", metadata=meta)


def init_notebook(seed: int = 0, *, threads: int | None = 1) -> np.random.Generator:
    """Prepare a chapter: seeds, print options, plotting style; returns a seeded RNG.

    * seeds Python's ``random``, NumPy's legacy global RNG and (if installed
      and already imported or importable cheaply) torch, and returns
      ``np.random.default_rng(seed)`` for explicit use;
    * ``threads``: number of torch intra-op threads (1 keeps results
      bit-reproducible on any machine; ``None`` leaves the default).
      BLAS threads are controlled by OMP/OPENBLAS/MKL_NUM_THREADS, which must
      be set before NumPy is imported (the Makefile does this for tests);
    * applies :data:`BOOK_STYLE` and, inside IPython/Jupyter, selects the
      inline backend even if ``MPLBACKEND=Agg`` is set in the environment
      (which would otherwise silently drop every figure from the book);
    * inside IPython, figures are shown as PNGs that record their smallest text
      height (:func:`figure_min_text_px`) under :data:`FIGURE_TEXT_KEY`, which
      the book's browser check turns into the text height a reader sees.
    """
    from . import _validate as _v

    seed = _v.check_int(seed, "seed", lo=0, hi=2 ** 32 - 1, fix="numpy's legacy seed must lie in [0, 2**32 - 1]")
    if threads is not None:
        threads = _v.check_int(threads, "threads", lo=1, hi=4096)
    random.seed(seed)
    np.random.seed(seed)
    np.set_printoptions(precision=4, suppress=True, linewidth=110)
    if "torch" in sys.modules:
        import torch

        torch.manual_seed(seed)
        if threads is not None:
            torch.set_num_threads(threads)
    try:
        from IPython import get_ipython

        ip = get_ipython()
    except ImportError:  # pragma: no cover
        ip = None
    if ip is not None:
        ip.run_line_magic("matplotlib", "inline")
        from matplotlib.figure import Figure

        ip.display_formatter.formatters["image/png"].for_type(Figure, _png_with_text_record)
    import matplotlib as mpl

    mpl.rcParams.update(BOOK_STYLE)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    return np.random.default_rng(seed)


#: The one line an explorer cell prints when its sliders cannot move (fits the book's column).
EXPLORER_NOTE = "Sliders need a live Python kernel: run this page in JupyterLab (make lab) or on Binder."


def widgets_are_live() -> bool:
    """Whether this kernel serves an interactive Jupyter front end, where ipywidgets sliders work.

    A Jupyter server (JupyterLab, Notebook 7, Binder) starts the kernel of an open notebook with the
    environment variable ``JPY_SESSION_NAME`` set to the notebook's path; the executors that run a
    chapter without a front end -- nbval in ``make test`` and the static book build (both through
    ``jupyter_client``) -- do not set it (the Makefile also unexports it).  Outside IPython (a plain
    script) there are no widgets at all.

    Returns
    -------
    bool
        True inside an IPython kernel that a Jupyter server started for an open document.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    if ip is None or getattr(ip, "kernel", None) is None:
        return False
    return bool(os.environ.get("JPY_SESSION_NAME"))


def explorer_note() -> None:
    """Print one line saying where the sliders work, unless they work here.

    Call it in an explorer cell, next to ``widgets.interact(...)``.  In JupyterLab (``make lab``) or
    on Binder it prints nothing and the sliders redraw the figure; under nbval and in the static
    HTML book, where a slider has no kernel to talk to, it prints :data:`EXPLORER_NOTE`.
    Returns None, so it adds no ``Out[]`` when it is the last line of a cell.
    """
    if not widgets_are_live():
        print(EXPLORER_NOTE)
