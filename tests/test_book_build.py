"""The build wrapper: repository buttons from one setting, offline web assets pinned by hash."""
import importlib.util
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bb = _load("build_book")
wa = _load("web_assets")


@pytest.mark.parametrize("remote, url", [
    ("https://github.com/alice/nh-book.git", "https://github.com/alice/nh-book"),
    ("https://github.com/alice/nh-book", "https://github.com/alice/nh-book"),
    ("git@github.com:alice/nh.book.git", "https://github.com/alice/nh.book"),
    ("ssh://git@github.com/alice/nh-book.git\n", "https://github.com/alice/nh-book"),
    ("https://gitlab.com/alice/nh-book.git", None),
    ("/srv/git/nh-book", None),
    ("https://github.com/OWNER/REPO", None),
    ("", None),
])
def test_github_url_forms(remote, url):
    assert bb.github_url(remote) == url


def test_repository_url_precedence(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:bob/book.git"],
                   check=True)
    assert bb.repository_url("", environ={}, cwd=tmp_path) == "https://github.com/bob/book"
    assert bb.repository_url("https://github.com/cfg/book", environ={}, cwd=tmp_path) == \
        "https://github.com/cfg/book"
    env = {"BOOK_REPOSITORY_URL": "https://github.com/env/book"}
    assert bb.repository_url("https://github.com/cfg/book", environ=env, cwd=tmp_path) == \
        "https://github.com/env/book"
    with pytest.raises(SystemExit, match="not a GitHub repository URL"):
        bb.repository_url("https://example.org/x", environ={}, cwd=tmp_path)
    plain = tmp_path / "plain"
    plain.mkdir()
    subprocess.run(["git", "init", "-q", str(plain)], check=True)
    assert bb.repository_url("", environ={}, cwd=plain) is None


def test_buttons_dropped_without_url_and_kept_with_it():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    none = bb.apply_repository(cfg, None)
    assert none["repository"]["url"] == "" and none["html"]["use_repository_button"] is False
    assert "binderhub_url" not in none["launch_buttons"]
    some = bb.apply_repository(cfg, "https://github.com/alice/nh-book")
    assert some["repository"]["url"] == "https://github.com/alice/nh-book"
    assert some["html"]["use_repository_button"] is True
    assert some["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert some["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert cfg["repository"]["url"] == "", "the committed configuration must not name a placeholder"


def test_web_assets_are_pinned_and_configured():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert cfg["html_extra_path"] == ["_build/web_assets"]
    assert not cfg["mathjax_path"].startswith("http")
    assert all(not k.startswith("http") for k in cfg["nb_ipywidgets_js"])
    assert cfg["nb_render_markdown_format"] == "myst"
    for spec, (integrity, mapping) in wa.PACKAGES.items():
        assert "@" in spec.lstrip("@") and integrity.startswith("sha512-") and mapping
    targets = [t for _, m in wa.PACKAGES.values() for t in m.values()]
    assert "mathjax/" in targets and "widgets/" in targets
    assert cfg["mathjax_path"] == "../mathjax/tex-mml-chtml.js"


def test_integrity_is_checked():
    assert wa._integrity(b"abc").startswith("sha512-")
    assert wa._integrity(b"abc") != wa._integrity(b"abd")


_CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A chapter

```{code-cell} ipython3
x = 6 * 7
print(x)
```

Some text.

```{code-cell} ipython3
:tags: [remove-cell]

assert x == 42
```
"""


def _executed(source_rel, sources, text="42\n"):
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"nhtopo_source": source_rel})
    for i, src in enumerate(sources, start=1):
        cell = nbformat.v4.new_code_cell(src, execution_count=i)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if i == 1 else []
        nb.cells.append(cell)
    return nb


def test_chapters_executed_by_nbval_reach_the_build_cache(tmp_path):
    """make test hands nbval's outputs to the build; a chapter whose code changed is executed again."""
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    (tmp_path / "book").mkdir()
    src = tmp_path / "book" / "ch.md"
    src.write_text(_CHAPTER, encoding="utf8")
    other = tmp_path / "book" / "other.md"
    other.write_text(_CHAPTER.replace("6 * 7", "7 * 6"), encoding="utf8")
    export = tmp_path / "export"
    export.mkdir()
    code = ["x = 6 * 7\nprint(x)", "assert x == 42"]
    nbformat.write(_executed("book/ch.md", code), str(export / "book__ch.md.ipynb"))
    nbformat.write(_executed("book/other.md", code), str(export / "book__other.md.ipynb"))  # stale copy
    nbformat.write(_executed("", code), str(export / "unknown.ipynb"))
    cache_dir = bb._import_executed(str(export), cache_dir=tmp_path / "cache", root=tmp_path)
    assert cache_dir == tmp_path / "cache"
    cache = get_cache(str(cache_dir))
    # the build reads the chapter exactly like this and must find nbval's outputs under its hash
    nb = read_myst_markdown_notebook(src.read_text(encoding="utf8"), add_source_map=True, path=src)
    _, merged = cache.merge_match_into_notebook(nb)
    first = [c for c in merged.cells if c.cell_type == "code"][0]
    assert first.outputs[0]["text"] == "42\n"
    stale = read_myst_markdown_notebook(other.read_text(encoding="utf8"), add_source_map=True, path=other)
    with pytest.raises(KeyError):
        cache.match_cache_notebook(stale)
    assert len(cache.list_cache_records()) == 1
    assert bb._import_executed("", cache_dir=tmp_path / "c2", root=tmp_path) is None
