"""One call to set up a chapter notebook (seeds, print options, figure style), and the note an
explorer cell prints where its sliders cannot move (nbval, the static book)."""

from __future__ import annotations

import os
import random
import sys

import numpy as np

__all__ = ["init_notebook", "BOOK_STYLE", "EXPLORER_NOTE", "widgets_are_live", "explorer_note"]

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
      (which would otherwise silently drop every figure from the book).
    """
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
    import matplotlib as mpl

    mpl.rcParams.update(BOOK_STYLE)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    return np.random.default_rng(seed)


#: The one line an explorer cell prints when its sliders cannot move (at most 95 characters).
EXPLORER_NOTE = "Sliders move only in a live notebook: open this chapter in JupyterLab (make lab) or on Binder."


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
