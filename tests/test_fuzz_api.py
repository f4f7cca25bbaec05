"""Fuzz the public API with bad input: a clear error naming the parameter, or a finite result.

Every public function, method and class of nhtopo_lib is listed in ``tests/fuzz_specs.py`` with a
valid call and the kind of each parameter.  Two corpora of bad calls are run, each call in a worker
process under a time limit (``NHTOPO_FUZZ_TIMEOUT`` seconds, default 10) and a memory limit
(``tests/fuzz_harness.py``):

* the *canonical* corpus: every parameter with every canonical bad value of its kind (NaN, inf,
  strings, None, non-integers, out-of-range numbers, empty/ragged/wrong-shape arrays, mappings
  with bad keys or values, huge sizes, ...), run on two workers;
* a *hypothesis* corpus (derandomised, ``NHTOPO_FUZZ_EXAMPLES`` examples per function, default 6):
  values generated from the same kinds (random out-of-range numbers, random strings, random bad
  mappings and arrays).

A call passes if it raises ValueError/TypeError *inside nhtopo_lib* with a message that names the
parameter (or, for ill-posed problems, the documented reason), or -- for merely extreme inputs such
as 1e300 or a size of 10**7 -- returns a finite result within the time limit.  It fails on any
other exception type, on an error raised from inside numpy/python, on a message that does not name
the parameter, on NaN/inf in the result, on a result for an invalid input, and on a time-out.

``NHTOPO_FUZZ_RECORD=path`` turns the assertions off and appends every outcome to ``path`` (JSON
lines); ``NHTOPO_FUZZ_LIB=dir`` runs the workers against the copy of nhtopo_lib in ``dir``.  This
is how ``scripts/fuzz_report.py`` measures older versions of the library.
"""

from __future__ import annotations

import json
import math
import os
import string
from collections import defaultdict

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz_harness import FAIL, Worker, canonical_cases, run_cases  # noqa: E402
from fuzz_specs import SPECS  # noqa: E402

TIMEOUT = float(os.environ.get("NHTOPO_FUZZ_TIMEOUT", "10"))
EXAMPLES = int(os.environ.get("NHTOPO_FUZZ_EXAMPLES", "6"))
RECORD = os.environ.get("NHTOPO_FUZZ_RECORD")
NAMES = sorted(SPECS)


def _env():
    env = dict(os.environ)
    lib = os.environ.get("NHTOPO_FUZZ_LIB")
    if lib:
        env["PYTHONPATH"] = os.path.abspath(lib) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _record(corpus: str, case, res) -> None:
    with open(RECORD, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"corpus": corpus, "spec": case[0], "overrides": repr(case[1])[:200],
                             "invalid": case[2], **res}) + "\n")


def _report(items) -> str:
    return "\n".join(f"  {c[0]}({', '.join(f'{k}={v!r:.60}' for k, v in c[1].items())}): "
                     f"{r['outcome']} -- {r['detail'][:240]}" for c, r in items)


# ----------------------------------------------------------------------------- canonical corpus
@pytest.fixture(scope="module")
def canonical(request):
    selected = {item.callspec.params["name"] for item in request.session.items
                if getattr(item, "originalname", None) == "test_canonical_bad_inputs" and hasattr(item, "callspec")}
    cases = canonical_cases({n: SPECS[n] for n in NAMES if n in selected})
    res = run_cases(cases, n_workers=2, timeout=TIMEOUT, env=_env())
    by_spec = defaultdict(list)
    for c, r in zip(cases, res):
        by_spec[c[0]].append((c, r))
        if RECORD:
            _record("canonical", c, r)
    return by_spec


@pytest.mark.parametrize("name", NAMES)
def test_canonical_bad_inputs(name, canonical):
    """Every canonical bad value of every fuzzed parameter of ``name`` gets a clear refusal."""
    bad = [(c, r) for c, r in canonical[name] if r["outcome"] in FAIL or r["outcome"] == "spec_error"]
    if RECORD:
        return
    assert not bad, f"{len(bad)} of {len(canonical[name])} bad calls of {name} were not refused cleanly:\n" \
        + _report(bad)


# ----------------------------------------------------------------------------- hypothesis corpus
_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .-", min_size=1, max_size=6)
_NONFINITE = st.sampled_from([math.nan, math.inf, -math.inf])
_JUNK = st.one_of(_TEXT.map(lambda s: s + "_x"), st.none(), st.lists(st.none(), min_size=1, max_size=2))


def _inv(strategy):
    return strategy.map(lambda v: (v, True))


def _finite(**kw):
    return st.floats(allow_nan=False, allow_infinity=False, **kw)


def _nonint_float():
    return _finite(min_value=-1e6, max_value=1e6).filter(lambda x: x != int(x))


def kind_strategy(kind: str):
    """(value, invalid) pairs generated for a parameter kind (see tests/fuzz_specs.py)."""
    if kind.endswith("?"):            # optional parameter: None is valid, so it is not generated
        return kind_strategy(kind[:-1]).filter(lambda t: t[0] is not None)
    alias = {"chainm": "chain", "chain2": "chain", "module": "model", "opencurve": "curve", "mat2": "matrix"}
    if kind in alias:
        return kind_strategy(alias[kind])
    if kind == "pmap0":
        return kind_strategy("pmap").filter(lambda t: t[0] != {})
    bad_scalar = st.one_of(_NONFINITE, _JUNK)
    if kind == "cplxarr_inf":         # inf is a valid value here (the north pole of the M-sphere), NaN is not
        arr = st.lists(st.one_of(_finite(min_value=-10, max_value=10), st.just(math.nan)), min_size=1, max_size=6) \
            .filter(lambda v: any(math.isnan(x) for x in v))
        return _inv(st.one_of(arr, st.just(math.nan), _JUNK))
    if kind == "realarr_nan":         # NaN is a valid value here (an azimuth at a pole), inf is not
        arr = st.lists(st.one_of(_finite(min_value=-10, max_value=10), st.sampled_from([math.inf, -math.inf])),
                       min_size=1, max_size=6).filter(lambda v: any(math.isinf(x) for x in v))
        return _inv(st.one_of(arr, _JUNK))
    if kind in ("real", "cplx"):
        return st.one_of(_inv(bad_scalar), _finite(min_value=1e150).map(lambda v: (v, False)),
                         _finite(max_value=-1e150).map(lambda v: (v, False)))
    if kind in ("realarr", "cplxarr", "curve"):
        arr = st.lists(st.one_of(_finite(min_value=-10, max_value=10), _NONFINITE), min_size=1, max_size=6) \
            .filter(lambda v: not all(math.isfinite(x) for x in v))
        return _inv(st.one_of(arr, bad_scalar, st.lists(_TEXT, min_size=1, max_size=3)))
    if kind == "pos":
        return _inv(st.one_of(_finite(max_value=0.0), bad_scalar))
    if kind == "nonneg":
        return _inv(st.one_of(_finite(max_value=-1e-300), bad_scalar))
    if kind == "tol":
        return _inv(st.one_of(_finite(max_value=0.0), _finite(min_value=1.0), bad_scalar))
    if kind == "frac":
        return _inv(st.one_of(_finite(max_value=-1e-9), _finite(min_value=1.0 + 1e-9), bad_scalar))
    if kind == "step":
        return _inv(st.one_of(_finite(max_value=0.0), _finite(min_value=math.pi), bad_scalar))
    if kind.startswith("int:") or kind.startswith("size:") or kind == "seed":
        parts = [int(p) for p in kind.split(":")[1:]] if ":" in kind else [0]
        lo = parts[0]
        options = [st.integers(max_value=lo - 1), _nonint_float(), bad_scalar]
        if len(parts) > 1:
            options.append(st.integers(min_value=parts[1] + 1))
        if kind.startswith("size:"):
            options.append(st.integers(min_value=10 ** 11, max_value=2 ** 62))
        return _inv(st.one_of(*options))
    if kind == "choice":
        return _inv(st.one_of(_TEXT.map(lambda s: s + "_x"), st.none(), st.integers(-5, 5).map(lambda i: i + 17)))
    if kind in ("callable", "model"):
        return _inv(st.one_of(_TEXT, st.none(), st.integers(), _finite()))
    if kind in ("rng", "rng?"):
        base = [_TEXT, st.integers(), _finite()]
        if kind == "rng":
            base.append(st.none())
        return _inv(st.one_of(*base))
    if kind in ("chain", "chain2", "pmap"):
        bad_key = st.dictionaries(st.one_of(_nonint_float(), _TEXT, _NONFINITE), _finite(min_value=-2, max_value=2),
                                  min_size=1, max_size=3)
        bad_val = st.dictionaries(st.integers(-3, 3), st.one_of(_NONFINITE, _TEXT), min_size=1, max_size=3)
        return _inv(st.one_of(bad_key, bad_val, st.none(), _TEXT, st.integers(), st.just({})))
    if kind == "matrix":
        nan_m = st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(st.one_of(_finite(min_value=-2, max_value=2),
                                                                                  _NONFINITE), min_size=n, max_size=n),
                                                             min_size=n, max_size=n)) \
            .filter(lambda m: not all(math.isfinite(x) for row in m for x in row))
        nonsq = st.tuples(st.integers(1, 4), st.integers(1, 4)).filter(lambda t: t[0] != t[1]) \
            .map(lambda t: [[0.5] * t[1]] * t[0])
        return _inv(st.one_of(nan_m, nonsq, bad_scalar))
    if kind == "configs":
        shapes = st.lists(st.integers(0, 4), min_size=1, max_size=4).filter(
            lambda s: len(s) != 3 or s[-1] != 2 or 0 in s).map(lambda s: __import__("numpy").zeros(s))
        return _inv(st.one_of(shapes, bad_scalar))
    if kind.startswith("intseq"):
        parts = kind.split(":")
        lo = int(parts[1]) if len(parts) > 1 else 1
        bad_el = st.one_of(st.integers(max_value=lo - 1), _nonint_float(), _NONFINITE, _TEXT)
        options = [st.lists(bad_el, min_size=1, max_size=3), st.none(), st.integers()]
        if not (len(parts) > 2 and parts[2] == "e"):
            options.append(st.just([]))
        return _inv(st.one_of(*options))
    if kind == "range2":
        rev = st.tuples(_finite(min_value=0.1, max_value=5), _finite(min_value=0, max_value=5)) \
            .filter(lambda t: t[1] <= t[0])
        return _inv(st.one_of(rev, st.tuples(_NONFINITE, _finite()), st.tuples(_finite(max_value=-1e-6),
                                                                               _finite(min_value=1)),
                              st.none(), _TEXT))
    if kind == "bool":
        return _inv(st.one_of(_TEXT, st.none(), st.integers(2, 5)))
    if kind == "plotarr":
        return _inv(st.one_of(st.lists(st.sampled_from([math.inf, -math.inf]), min_size=1, max_size=3), _JUNK,
                              st.lists(_TEXT, min_size=1, max_size=3)))
    if kind == "anyint":
        return _inv(st.one_of(_nonint_float(), bad_scalar))
    raise KeyError(kind)


def _fuzzable(name: str) -> list[str]:
    return [p for p, k in SPECS[name].kinds.items() if not k.startswith("@")]


@pytest.fixture(scope="module")
def worker():
    w = Worker(_env())
    yield w
    w.close()


HYP_NAMES = [n for n in NAMES if _fuzzable(n)]


@pytest.mark.parametrize("name", HYP_NAMES)
def test_hypothesis_bad_inputs(name, worker):
    """Hypothesis-generated bad values of every kind, one parameter at a time."""
    sp = SPECS[name]
    params = _fuzzable(name)

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        param = data.draw(st.sampled_from(params), label="param")
        value, invalid = data.draw(kind_strategy(sp.kinds[param]), label="value")
        case = (name, {param: value}, invalid, None)
        res = worker.call(case, TIMEOUT)
        if RECORD:
            _record("hypothesis", case, res)
            return
        assert res["outcome"] not in FAIL and res["outcome"] != "spec_error", _report([(case, res)])

    run()


def hypothesis_cases(specs: dict, n: int) -> list:  # pragma: no cover - used by scripts/fuzz_report.py
    """Not used: the report script runs this test module with NHTOPO_FUZZ_RECORD instead."""
    raise NotImplementedError


# ----------------------------------------------------------------------------- coverage of the table
#: Public names that are not fuzzed, and why: result containers (returned by the library, not built from
#: user input), functions without parameters, and routines whose refusals are unit-tested because a valid
#: call trains networks (too slow for the time limit of every fuzz call).
NOT_FUZZED = {
    "nh_dirac_phase_boundaries": "no parameters",
    "machine_fingerprint": "no parameters", "static_execution": "no parameters",
    "widgets_are_live": "no parameters", "explorer_note": "no parameters",
    "learn_transition": "trains networks; its argument checks are tested in tests/test_validation.py",
    "plot_sublattice_figure": "needs a full SublatticeReport; only its type is checked",
    "TrainingResult": "result container", "StarTracks": "result container", "StarWindings": "result container",
    "EdgeStates": "result container", "SublatticeForm": "result container", "PoleZeroResult": "result container",
    "GBZWindingResult": "result container", "GeneralSublatticeResult": "result container",
    "SublatticeReport": "result container", "ThresholdSets": "result container", "Crossing": "result container",
    "TransitionRun": "result container", "ZeroModeCount": "result container",
}


def test_every_public_function_and_class_is_in_the_fuzz_table():
    """A new public function or class must get an entry in tests/fuzz_specs.py (or a reason in NOT_FUZZED)."""
    import importlib
    import inspect
    from pathlib import Path

    covered = {name.split(".")[1] if name.startswith("learning.") else name.split(".")[0] for name in SPECS}
    missing = []
    for path in sorted((Path(__file__).resolve().parents[1] / "nhtopo_lib").glob("*.py")):
        if path.stem.startswith("_"):
            continue
        mod = importlib.import_module(f"nhtopo_lib.{path.stem}")
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if getattr(obj, "__module__", None) != mod.__name__:
                continue
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and name not in covered and name not in NOT_FUZZED:
                missing.append(f"{path.stem}.{name}")
    assert not missing, "public names without a fuzz spec in tests/fuzz_specs.py: " + ", ".join(missing)
