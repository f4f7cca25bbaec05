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
