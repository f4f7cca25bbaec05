"""Count the outcomes of the fuzz suite (tests/test_fuzz_api.py) for a given copy of nhtopo_lib.

    python scripts/fuzz_report.py [--lib DIR] [--out outcomes.jsonl] [--timeout 10]

Runs the fuzz tests with assertions turned off (``NHTOPO_FUZZ_RECORD``), against the nhtopo_lib
found in ``DIR`` if given (``NHTOPO_FUZZ_LIB``; e.g. ``git archive <commit> nhtopo_lib | tar -x -C DIR``
for an older commit), else against the installed one, and prints the number of calls per outcome
for the canonical and the hypothesis corpus:

    clear       ValueError/TypeError from nhtopo_lib naming the parameter (pass)
    ok          finite result for an extreme but admissible value (pass)
    unclear     ValueError/TypeError from numpy/python, or not naming the parameter
    wrong_type  another exception type (AttributeError, IndexError, OverflowError, ...)
    nonfinite   NaN/inf in the result
    silent      a result for an invalid input
    hang        over the time limit
    memory      MemoryError or the worker killed by its memory limit
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ("clear", "ok", "unclear", "wrong_type", "nonfinite", "silent", "hang", "memory", "spec_error")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", default=None, help="folder containing the nhtopo_lib package to test")
    ap.add_argument("--out", default=None, help="keep the per-call outcomes (JSON lines) here")
    ap.add_argument("--timeout", default="10")
    ap.add_argument("-k", default=None, help="pytest -k expression (subset of functions)")
    args = ap.parse_args()
    out = Path(args.out or tempfile.mktemp(suffix=".jsonl"))
    if out.exists():
        out.unlink()
    env = dict(os.environ, NHTOPO_FUZZ_RECORD=str(out), NHTOPO_FUZZ_TIMEOUT=args.timeout)
    if args.lib:
        env["NHTOPO_FUZZ_LIB"] = os.path.abspath(args.lib)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "test_fuzz_api.py")]
    if args.k:
        cmd += ["-k", args.k]
    subprocess.run(cmd, env=env, cwd=ROOT, check=False)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    for corpus in ("canonical", "hypothesis"):
        sub = [r for r in rows if r["corpus"] == corpus]
        counts = collections.Counter(r["outcome"] for r in sub)
        n_fail = sum(v for k, v in counts.items() if k not in ("clear", "ok"))
        n_invalid = sum(1 for r in sub if r["invalid"])
        print(f"\n{corpus}: {len(sub)} calls ({n_invalid} invalid inputs), {n_fail} failing")
        for k in ORDER:
            print(f"  {k:11s} {counts.get(k, 0)}")
        by_fn = collections.Counter(r["spec"] for r in sub if r["outcome"] not in ("clear", "ok"))
        print(f"  functions with failures: {len(by_fn)} of {len({r['spec'] for r in sub})}")
    print(f"\nper-call outcomes: {out}")


if __name__ == "__main__":
    main()
