"""Build the book with Jupyter Book 1.x, executing the chapters two at a time.

``jupyter-book build`` reads (and therefore executes) the notebooks one after the
other.  Its Sphinx back end can read documents in parallel processes, but the
command line does not expose the job count, and Sphinx batches documents into
``nproc`` fixed chunks (alphabetically), which leaves one worker idle while the
other runs most chapters.  This wrapper

* passes ``jobs`` (default 2, env ``BOOK_JOBS``) to Jupyter Book's own
  ``build_sphinx`` and
* gives every document its own chunk, notebooks first, so the two workers pull
  chapters from a shared queue (greedy list scheduling).

``sphinx_multitoc_numbering`` (always loaded by sphinx-external-toc) does not
declare itself parallel-safe, which makes Sphinx fall back to a serial read
with a warning (fatal under ``-W``).  It only replaces the section-numbering
routine that runs after reading, on the merged environment, and keeps no
per-document state, so we declare it parallel-safe.

Everything else -- configuration, ``-W --keep-going --all``, execution with
``nb_execution_raise_on_error`` -- is exactly ``jupyter-book build``; the
arguments are passed through unchanged.  Usage::

    python scripts/build_book.py build -W --keep-going --all .
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import jupyter_book.cli.main as jb_main
import jupyter_book.sphinx as jb_sphinx
import sphinx.builders


def _is_notebook(docname: str) -> bool:
    path = Path(f"{docname}.md")
    return path.exists() and "kernelspec:" in path.read_text(encoding="utf-8")[:3000]


def one_document_per_chunk(docnames, nproc, maxbatch=10):
    order = sorted(docnames, key=lambda d: (not _is_notebook(d), d))
    return [[d] for d in order]


def _declare_multitoc_parallel_safe() -> None:
    import sphinx_multitoc_numbering as smn

    original = smn.setup

    def setup(app):
        original(app)
        return {"version": smn.__version__, "parallel_read_safe": True, "parallel_write_safe": True}

    smn.setup = setup


def main() -> int:
    jobs = int(os.environ.get("BOOK_JOBS", "2"))
    if jobs > 1:
        _declare_multitoc_parallel_safe()
        sphinx.builders.make_chunks = one_document_per_chunk
        jb_sphinx.build_sphinx = functools.partial(jb_sphinx.build_sphinx, jobs=jobs)
    return jb_main.main()


if __name__ == "__main__":
    sys.exit(main())
