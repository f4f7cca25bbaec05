"""The API reference page covers the whole library, and the public API is documented and typed.

Readers call ``nhtopo_lib`` from their own code and look it up on ``book/api.md`` (Sphinx autodoc).
autodoc silently drops members without a docstring, and a missing module is simply absent from
the page, so both are checked here:

* every module file ``nhtopo_lib/<name>.py`` (except ``__init__``) has an
  ``.. automodule:: nhtopo_lib.<name>`` directive in ``book/api.md``;
* every public function and class of every module has a non-empty docstring (public = listed in
  the module's ``__all__``, or, for a module without ``__all__``, defined in that module with a
  name not starting with ``_``); so do the public methods and properties those classes define;
* every parameter of a public function (and of a public method) carries a type annotation.

Failures list *every* offender at once (``module.name: what is missing``), so one run shows the
whole to-do list.  There is no skip list.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "nhtopo_lib"
API_PAGE = ROOT / "book" / "api.md"

MODULES = sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__")


def _public_names(mod) -> list[str]:
    if hasattr(mod, "__all__"):
        return list(mod.__all__)
    return [n for n, obj in vars(mod).items()
            if not n.startswith("_") and getattr(obj, "__module__", None) == mod.__name__]


def _has_own_docstring(obj) -> bool:
    doc = obj.__doc__
    if not doc or not doc.strip():
        return False
    if inspect.isclass(obj) and obj.__dict__.get("__doc__") is None:
        return False  # inherited from a base class, not written for this class
    if inspect.isclass(obj) and hasattr(obj, "__dataclass_fields__") and \
            re.fullmatch(rf"{re.escape(obj.__name__)}\(.*\)", doc.strip(), flags=re.S):
        return False  # the signature that @dataclass puts in place of a missing docstring
    return True


def _unannotated_params(func) -> list[str]:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return []
    params = list(sig.parameters.values())
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    return [p.name for p in params if p.annotation is inspect.Parameter.empty]


def _own_members(cls):
    """Public methods and properties defined in the class body itself (not inherited, not generated)."""
    for name, attr in cls.__dict__.items():
        if name.startswith("_"):
            continue
        if isinstance(attr, (staticmethod, classmethod)):
            attr = attr.__func__
        if isinstance(attr, property):
            yield name, attr.fget, "property"
        elif hasattr(attr, "func") and type(attr).__name__ == "cached_property":
            yield name, attr.func, "property"
        elif inspect.isfunction(attr):
            yield name, attr, "method"


def _collect_problems() -> tuple[list[str], list[str]]:
    missing_doc, missing_ann = [], []
    for modname in MODULES:
        mod = importlib.import_module(f"nhtopo_lib.{modname}")
        if not (mod.__doc__ or "").strip():
            missing_doc.append(f"nhtopo_lib.{modname}: module docstring")
        for name in _public_names(mod):
            qual = f"nhtopo_lib.{modname}.{name}"
            if not hasattr(mod, name):
                missing_doc.append(f"{qual}: listed in __all__ but not defined")
                continue
            obj = getattr(mod, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # constants (documented with #: comments where needed)
            if not _has_own_docstring(obj):
                missing_doc.append(f"{qual}: docstring")
            if inspect.isfunction(obj):
                bad = _unannotated_params(obj)
                if bad:
                    missing_ann.append(f"{qual}: parameter(s) {', '.join(bad)} without a type annotation")
            else:
                if obj.__module__ != mod.__name__:
                    continue  # re-exported class: checked in its own module
                for mname, func, kind in _own_members(obj):
                    if not (func.__doc__ or "").strip():
                        missing_doc.append(f"{qual}.{mname}: {kind} docstring")
                    if kind == "method":
                        bad = _unannotated_params(func)
                        if bad:
                            missing_ann.append(f"{qual}.{mname}: parameter(s) {', '.join(bad)} without a "
                                               "type annotation")
    return missing_doc, missing_ann


@pytest.fixture(scope="module")
def problems():
    return _collect_problems()


def test_every_module_is_on_the_api_page():
    text = API_PAGE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. automodule:: nhtopo_lib\.(\w+)\s*$", text, flags=re.M))
    missing = [m for m in MODULES if m not in documented]
    assert not missing, ("modules without an `.. automodule:: nhtopo_lib.<name>` section in book/api.md: "
                         + ", ".join(missing))
    stale = sorted(documented - set(MODULES))
    assert not stale, "book/api.md documents modules that no longer exist: " + ", ".join(stale)


def test_public_functions_and_classes_have_docstrings(problems):
    missing_doc, _ = problems
    assert not missing_doc, "missing docstrings (autodoc would drop these):\n  " + "\n  ".join(missing_doc)


def test_public_function_parameters_are_annotated(problems):
    _, missing_ann = problems
    assert not missing_ann, "missing type annotations:\n  " + "\n  ".join(missing_ann)


def test_the_checker_catches_what_it_should():
    """The helpers above must flag an undocumented function, a bare dataclass and a missing annotation."""
    from dataclasses import dataclass

    def undocumented(x: int) -> int:
        return x

    def unannotated(x, y: int = 0):
        """Has a docstring."""
        return x

    @dataclass
    class Bare:
        a: int

    class Child(Bare):
        pass

    assert not _has_own_docstring(undocumented)
    assert not _has_own_docstring(Bare)
    assert not _has_own_docstring(Child)
    assert _has_own_docstring(unannotated)
    assert _unannotated_params(unannotated) == ["x"]
    assert _unannotated_params(undocumented) == []
