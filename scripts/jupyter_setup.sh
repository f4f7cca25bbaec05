#!/bin/bash
# JupyterLab settings for reading the chapters interactively. ONE script for both places:
#   * Binder runs it from postBuild (the Python on the PATH is the Binder environment's);
#   * `make lab` runs it with PYTHON=.venv/bin/python before starting JupyterLab.
#
# What it does:
#   1. checks that the pinned front-end pieces are installed in that environment:
#      JupyterLab itself, jupytext's lab extension (opens .md chapters as notebooks) and
#      ipywidgets' lab extension (@jupyter-widgets/jupyterlab-manager: live sliders);
#   2. makes "Jupytext Notebook" the default viewer of Markdown/MyST files, so a double-click
#      on book/*.md (or a Binder link ?urlpath=lab/tree/book/<chapter>.md) opens a notebook
#      instead of a text editor.
#
# The setting is written to <config dir>/labconfig/default_setting_overrides.json.  The config dir is
# the first argument, or by default <environment prefix>/etc/jupyter, a directory JupyterLab always
# reads: the user's own ~/.jupyter is left alone (settings there still take precedence).
set -euo pipefail

PY=${PYTHON:-python}
if ! "$PY" -c 'import sys' 2>/dev/null; then
  echo "jupyter_setup.sh: no Python at '$PY' (set PYTHON=/path/to/env/bin/python)" >&2
  exit 2
fi
CONFIG_DIR=${1:-$("$PY" -c 'import sys, os; print(os.path.join(sys.prefix, "etc", "jupyter"))')}

# 1. the front end and its two extensions, as installed from requirements.txt
"$PY" - <<'PYEOF' || exit 1
import json, os, sys
from importlib.metadata import PackageNotFoundError, version
try:
    lab_version = version("jupyterlab")
except PackageNotFoundError:
    sys.exit(f"jupyter_setup.sh: JupyterLab is not installed for {sys.executable} (pip install -r requirements.txt)")
from jupyter_core.paths import jupyter_path
for ext in ("jupyterlab-jupytext", "@jupyter-widgets/jupyterlab-manager"):
    found = [os.path.join(d, ext) for d in jupyter_path("labextensions")
             if os.path.isfile(os.path.join(d, ext, "package.json"))]
    if not found:
        sys.exit(f"jupyter_setup.sh: lab extension {ext} is missing (pip install -r requirements.txt)")
    meta = json.load(open(os.path.join(found[0], "package.json")))
    print(f"jupyter_setup.sh: JupyterLab {lab_version}, {ext} {meta['version']}")
PYEOF

# 2. .md / MyST files open as notebooks (jupytext's own configuration tool)
settings="$CONFIG_DIR/labconfig/default_setting_overrides.json"
"$PY" -m jupytext_config --settings-file "$settings" set-default-viewer markdown myst
echo "jupyter_setup.sh: .md chapters open as notebooks (default viewer written to $settings)"
