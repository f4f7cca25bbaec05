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

Two settings are resolved here before Jupyter Book reads ``_config.yml``:

* the repository URL behind the repository and Binder buttons (see
  :func:`repository_url`); when none is known the buttons are left out instead
  of pointing at a placeholder;
* the offline JavaScript (MathJax, widget manager) is fetched from the npm
  registry into ``_build/web_assets`` if it is not there yet
  (``scripts/web_assets.py``);
* with ``BOOK_EXECUTED=<folder>`` (set by ``make test``), the chapters that nbval
  has just executed (``conftest.py`` writes them there) are put into a fresh
  execution cache and the build renders their outputs instead of executing them
  a second time; a chapter whose code cells differ from its source is executed
  as usual (see :func:`_import_executed`).

Everything else -- configuration, ``-W --keep-going --all``, execution with
``nb_execution_raise_on_error`` -- is exactly ``jupyter-book build``; the
arguments are passed through unchanged.  Usage::

    python scripts/build_book.py build -W --keep-going --all .
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_GITHUB = re.compile(r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
                     r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$")


def github_url(remote: str) -> str | None:
    """``https://github.com/owner/repo`` for a GitHub remote URL (https or ssh form), else None."""
    m = _GITHUB.match(remote.strip())
    if not m or m["owner"].upper() == "OWNER" or m["repo"].upper() == "REPO":
        return None
    return f"https://github.com/{m['owner']}/{m['repo']}"


def repository_url(configured: str = "", environ: dict | None = None, cwd: Path = ROOT) -> str | None:
    """The book's repository URL, from the first of these that gives a GitHub URL.

    1. the environment variable ``BOOK_REPOSITORY_URL`` (``make book REPO_URL=...``);
    2. ``repository: url:`` in ``_config.yml``;
    3. ``git remote get-url origin`` of the checkout.

    Returns None when none of them is a GitHub repository URL.
    """
    environ = os.environ if environ is None else environ
    for candidate in (environ.get("BOOK_REPOSITORY_URL", ""), configured or ""):
        if candidate.strip():
            url = github_url(candidate)
            if url is None:
                raise SystemExit(f"build_book: repository URL {candidate!r} is not a GitHub repository URL "
                                 "(https://github.com/<owner>/<repo>); fix it or leave it empty")
            return url
    try:
        remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=cwd, capture_output=True,
                                text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return github_url(remote) if remote else None


def apply_repository(user_yaml: dict, url: str | None) -> dict:
    """Point the repository/launch buttons at ``url``, or drop them when it is None."""
    yml = dict(user_yaml)
    repo = dict(yml.get("repository") or {})
    html = dict(yml.get("html") or {})
    launch = dict(yml.get("launch_buttons") or {})
    if url:
        repo["url"] = url
        html["use_repository_button"] = True
    else:
        repo["url"] = ""
        for key in ("use_repository_button", "use_edit_page_button", "use_issues_button"):
            html[key] = False
        for key in ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url", "thebe"):
            launch.pop(key, None)
    yml.update(repository=repo, html=html, launch_buttons=launch)
    return yml


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


def _import_executed(folder: str, cache_dir: Path | None = None, root: Path = ROOT) -> Path | None:
    """Put the chapters executed by nbval (``make test``: NBVAL_EXPORT_DIR) into a fresh execution cache.

    Each exported notebook is matched to its MyST source read exactly as myst-nb reads it: same code
    cells in the same order, or it is skipped (and the build executes that chapter itself).  Returns the
    cache folder, or None when ``folder`` is empty or holds nothing usable (the build then executes every
    chapter as configured in ``_config.yml``).
    """
    if not folder or not Path(folder).is_dir():
        return None
    import shutil

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook

    cache_dir = cache_dir or root / "_build" / ".jupyter_cache_nbval"
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache = get_cache(str(cache_dir))
    used, skipped = 0, []
    for path in sorted(Path(folder).glob("*.ipynb")):
        executed = nbformat.read(str(path), as_version=4)
        source = root / executed.metadata.get("nhtopo_source", "")
        if not executed.metadata.get("nhtopo_source") or not source.is_file():
            skipped.append(path.name)
            continue
        nb = read_myst_markdown_notebook(source.read_text(encoding="utf8"), add_source_map=True,
                                         path=source)
        mine = [c for c in nb.cells if c.cell_type == "code"]
        theirs = [c for c in executed.cells if c.cell_type == "code"]
        if [c.source for c in mine] != [c.source for c in theirs]:
            skipped.append(path.name)
            continue
        for a, b in zip(mine, theirs):
            a.outputs, a.execution_count = b.outputs, b.execution_count
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(source)), check_validity=False, overwrite=True)
        used += 1
    print(f"build_book: {used} chapters executed by nbval taken from {folder}"
          + (f"; executing again: {', '.join(skipped)}" if skipped else ""))
    return cache_dir if used else None


def _install_repository_hook() -> None:
    import jupyter_book.config as jb_config

    original = jb_config.yaml_to_sphinx
    user = jb_config.yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    url = repository_url((user.get("repository") or {}).get("url", ""))
    print(f"build_book: repository buttons -> {url or 'none (no GitHub repository URL is known)'}")

    cache = _import_executed(os.environ.get("BOOK_EXECUTED", ""))

    def yaml_to_sphinx(yaml: dict):
        # applied to Jupyter Book's defaults and to _config.yml alike, so neither can leave a
        # placeholder repository behind
        yaml = apply_repository(yaml, url)
        if cache:
            yaml = dict(yaml, execute=dict(yaml.get("execute") or {}, execute_notebooks="cache",
                                           cache=str(cache)))
        return original(yaml)

    jb_config.yaml_to_sphinx = yaml_to_sphinx


def main() -> int:
    # the chapters run unattended: progress bars stay silent (nhtopo_lib.notebook.progress_bar)
    os.environ.setdefault("NHTOPO_STATIC", "1")
    sys.path.insert(0, str(ROOT / "scripts"))
    import web_assets

    web_assets.ensure()
    import jupyter_book.cli.main as jb_main
    import jupyter_book.sphinx as jb_sphinx
    import sphinx.builders

    _install_repository_hook()
    jobs = int(os.environ.get("BOOK_JOBS", "2"))
    if jobs > 1:
        _declare_multitoc_parallel_safe()
        sphinx.builders.make_chunks = one_document_per_chunk
        jb_sphinx.build_sphinx = functools.partial(jb_sphinx.build_sphinx, jobs=jobs)
    return jb_main.main()


if __name__ == "__main__":
    sys.exit(main())
