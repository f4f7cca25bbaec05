"""Fetch the JavaScript the HTML book serves itself: MathJax and the widget manager.

The built book must typeset formulas and show the static widgets without the
internet, so MathJax 3 and the Jupyter widget HTML manager (with require.js)
are served from the build instead of a CDN.  They come from the npm registry,
pinned by version *and* by the registry's sha512 integrity (``PACKAGES``), and
are unpacked into ``_build/web_assets/``; ``_config.yml`` copies that folder
into the HTML root (``html_extra_path``) and points ``mathjax_path`` and
``nb_ipywidgets_js`` at it.  Nothing is committed to the repository.

Usage (the Makefile and ``scripts/build_book.py`` call it)::

    python scripts/web_assets.py [--force]

Needs ``npm`` (Node.js) on the PATH; only ``npm pack`` is used, which downloads
the package tarballs without installing any dependencies.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "_build" / "web_assets"
STAMP = DEST / ".complete"

#: package spec -> (registry sha512 integrity, {path inside the tarball: destination folder/file})
PACKAGES: dict[str, tuple[str, dict[str, str]]] = {
    "mathjax@3.2.2": (
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        {"package/es5/": "mathjax/", "package/LICENSE": "mathjax/LICENSE"},
    ),
    "requirejs@2.3.8": (
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        {"package/require.js": "widgets/require.js"},
    ),
    "@jupyter-widgets/html-manager@1.0.6": (
        "sha512-+Mn+Ra8wyIHrYaUpfmf9A3dsLkt/NuwzPQN8sthdxBD35VV5cOJbpmgMhNR27n/rmP3mKyEe0PWCJrtZrXTXDQ==",
        {"package/dist/": "widgets/"},
    ),
}


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _unpack(data: bytes, mapping: dict[str, str]) -> int:
    count = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or member.name.endswith(".map"):
                continue
            for prefix, target in mapping.items():
                if member.name == prefix or (prefix.endswith("/") and member.name.startswith(prefix)):
                    rel = member.name[len(prefix):] if prefix.endswith("/") else ""
                    out = DEST / target / rel if rel else DEST / target
                    if ".." in Path(rel).parts:
                        raise RuntimeError(f"unsafe path in tarball: {member.name}")
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(tar.extractfile(member).read())
                    count += 1
    return count


def ensure(force: bool = False) -> Path:
    """Download, verify and unpack the pinned packages unless already done."""
    if STAMP.exists() and not force and json.loads(STAMP.read_text()) == sorted(PACKAGES):
        return DEST
    if shutil.which("npm") is None:
        raise SystemExit("web_assets: npm (Node.js) is needed to fetch MathJax and the widget manager "
                         "for the offline book; install Node.js, or run `npm pack` for "
                         + ", ".join(PACKAGES) + " by hand")
    shutil.rmtree(DEST, ignore_errors=True)
    DEST.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for spec, (integrity, mapping) in PACKAGES.items():
            out = subprocess.run(["npm", "pack", "--json", "--silent", spec], cwd=tmp, check=True,
                                 capture_output=True, text=True)
            filename = json.loads(out.stdout)[0]["filename"]
            data = (Path(tmp) / filename).read_bytes()
            got = _integrity(data)
            if got != integrity:
                raise SystemExit(f"web_assets: {spec} has integrity {got}, expected {integrity}")
            n = _unpack(data, mapping)
            print(f"web_assets: {spec}: {n} files -> {DEST.relative_to(ROOT)}")
    STAMP.write_text(json.dumps(sorted(PACKAGES)))
    return DEST


if __name__ == "__main__":
    ensure(force="--force" in sys.argv[1:])
