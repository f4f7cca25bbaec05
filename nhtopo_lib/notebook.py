"""One call to set up a chapter notebook: seeds, print options, figure style."""

from __future__ import annotations

import os
import random
import sys

import numpy as np

__all__ = ["init_notebook", "BOOK_STYLE"]

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
    import matplotlib as mpl

    mpl.rcParams.update(BOOK_STYLE)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    return np.random.default_rng(seed)
