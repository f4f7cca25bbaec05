"""Let nbval collect the jupytext text notebooks (MyST .md) in book/.

nbval only collects ``*.ipynb``; this hook reads the MyST notebooks through
jupytext so that ``pytest --nbval-lax`` executes every chapter in place (kernel
cwd = book/).  Output comparison is impossible for text notebooks (they carry no
stored outputs), so chapters check their results with ``assert`` cells.
"""
from pathlib import Path

try:
    import jupytext
    from nbval.plugin import IPyNbFile
except ImportError:  # pragma: no cover
    IPyNbFile = None

BOOK = Path(__file__).parent / "book"


def _is_text_notebook(path: Path) -> bool:
    if path.suffix not in {".md", ".py"} or BOOK not in path.parents:
        return False
    head = path.read_text(encoding="utf-8")[:3000]
    return head.lstrip("# ").startswith("---") and "kernelspec:" in head


if IPyNbFile is not None:

    class JupytextNotebook(IPyNbFile):
        def collect(self):  # nbval's collect() calls nbformat.read(path): read via jupytext instead
            import nbformat

            real_read = nbformat.read
            nbformat.read = lambda fp, as_version=4, **kw: jupytext.read(fp)
            try:
                yield from super().collect()
            finally:
                nbformat.read = real_read


def pytest_collect_file(file_path, parent):
    opt = parent.config.option
    if IPyNbFile is None or not (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)):
        return None
    if _is_text_notebook(file_path):
        return JupytextNotebook.from_parent(parent, path=file_path)
    return None


# --------------------------------------------------------------------------- hand-off to the book build
# With NBVAL_EXPORT_DIR set (``make test`` does), every chapter whose cells all ran without error under
# nbval is written there as an executed notebook (the outputs nbval received from the kernel).
# scripts/build_book.py then puts them into the book's execution cache, so ``make test`` executes each
# chapter once: nbval checks it, the book build renders the same outputs.  A chapter that is not exported,
# or whose code changed since, is simply executed again by the build.
import os  # noqa: E402

import pytest  # noqa: E402

_EXPORT = os.environ.get("NBVAL_EXPORT_DIR", "")


def _notebook_of(item):
    parent = getattr(item, "parent", None)
    return parent if IPyNbFile is not None and isinstance(parent, IPyNbFile) else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    nb = _notebook_of(item) if _EXPORT else None
    if nb is None:
        return
    record = nb.__dict__.setdefault("_nhtopo_outputs", {})
    if outcome.excinfo is not None:
        nb.__dict__["_nhtopo_failed"] = True
    else:
        record[item.cell_num] = list(item.test_outputs or [])


def pytest_runtest_teardown(item, nextitem):
    nb = _notebook_of(item) if _EXPORT else None
    if nb is None or (nextitem is not None and _notebook_of(nextitem) is nb):
        return
    outputs = nb.__dict__.get("_nhtopo_outputs", {})
    if nb.__dict__.get("_nhtopo_failed"):
        return
    import jupytext
    import nbformat

    executed = jupytext.read(str(nb.path))
    code = [c for c in executed.cells if c.cell_type == "code"]
    if len(outputs) != len(code):
        return  # some cells were skipped or deselected: nothing trustworthy to hand on
    for count, (cell, key) in enumerate(zip(code, sorted(outputs)), start=1):
        cell.execution_count = count
        cell.outputs = []
        for out in outputs[key]:
            out = nbformat.from_dict(dict(out))
            if out.get("output_type") == "execute_result":
                out["execution_count"] = count
            cell.outputs.append(out)
    target = Path(_EXPORT) / (nb.path.relative_to(BOOK.parent).as_posix().replace("/", "__") + ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    executed.metadata["nhtopo_source"] = nb.path.relative_to(BOOK.parent).as_posix()
    nbformat.write(executed, str(target))
