# Two commands: `make book` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2
# single-threaded BLAS/torch: deterministic numbers and no oversubscription on 2 cores
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
# chapters executed by the tests and the build run unattended: no progress bars in their outputs
export NHTOPO_STATIC := 1
# never let an inherited Agg backend strip the figures out of the book
unexport MPLBACKEND
# a kernel started by a Jupyter server carries JPY_SESSION_NAME (nhtopo_lib.notebook uses it to tell a live
# front end from nbval/the book build): never hand it on to the chapters executed by make
unexport JPY_SESSION_NAME

# The HTML is rebuilt (executing every chapter, -W --all) whenever any source it depends on changed.
BOOK_SRC   := $(wildcard book/*.md) $(wildcard nhtopo_lib/*.py) _config.yml _toc.yml references.bib
HTML_STAMP := _build/html/.complete
CHROMIUM   ?= /usr/bin/chromium
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install book book-force test test-lib test-notebooks test-browser test-lab browser-deps lab notebooks clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-build-isolation --no-deps -e .
	touch $@

install: $(STAMP)

# `jupyter-book build -W --keep-going --all .`, executing two chapters at a time (see scripts/build_book.py;
# BOOK_JOBS=1 gives the plain serial build). The wrapper also fetches MathJax and the widget manager from the
# npm registry (pinned by sha512, scripts/web_assets.py) so the book works offline, and points the
# repository/Binder buttons at REPO_URL, `repository: url:` in _config.yml, or the GitHub `origin` remote
# (no buttons when none is known).
REPO_URL ?=
$(HTML_STAMP): $(STAMP) $(BOOK_SRC) scripts/build_book.py scripts/web_assets.py
	rm -f $@
	BOOK_JOBS=$(JOBS) BOOK_REPOSITORY_URL=$(REPO_URL) $(BIN)/python scripts/build_book.py build -W --keep-going --all .
	touch $@

book: $(HTML_STAMP)
	@echo "HTML book: $(CURDIR)/_build/html/index.html"

book-force:
	rm -f $(HTML_STAMP)
	$(MAKE) book

# library tests + every chapter under nbval, then the rendered book in a real browser
# Each chapter runs once: nbval executes it and hands its outputs to the book build (conftest.py,
# scripts/build_book.py); a chapter changed in between is executed again by the build.
test: $(STAMP) browser-deps
	rm -rf _build/nbval_executed
	NBVAL_EXPORT_DIR=$(CURDIR)/_build/nbval_executed \
	  $(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax --nbval-current-env --durations=15
	BOOK_EXECUTED=$(CURDIR)/_build/nbval_executed $(MAKE) book
	$(BIN)/python -m pytest tests/browser tests/test_api_docs.py -q
	$(MAKE) test-lab

test-lib: $(STAMP)
	$(BIN)/python -m pytest tests

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax --nbval-current-env book

test-browser: $(STAMP) browser-deps book
	$(BIN)/python -m pytest tests/browser -q

# JupyterLab in a real browser: chapters open as notebooks, run without errors, the explorer slider redraws
# (its own server on a free port, settings in a temporary folder; see tests/lab/check_jupyterlab.py)
test-lab: $(STAMP) browser-deps
	$(BIN)/python -m pytest tests/lab/check_jupyterlab.py -q -s

# Read the chapters interactively: JupyterLab with the same settings as Binder (scripts/jupyter_setup.sh,
# also run by postBuild), started on the repository. Extra server options: make lab LAB_ARGS="--no-browser"
LAB_ARGS ?=
lab: $(STAMP)
	PYTHON=$(BIN)/python scripts/jupyter_setup.sh
	@echo "Double-click a chapter in book/ to open it as a notebook; Run > Run All Cells."
	env -u NHTOPO_STATIC $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

browser-deps:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser test"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Export every chapter as .ipynb (for a Colab/notebook mirror branch)
notebooks: $(STAMP)
	mkdir -p notebooks/book
	for f in book/*.md; do \
	  if head -20 $$f | grep -q kernelspec; then $(BIN)/jupytext -q --to ipynb -o notebooks/$${f%.md}.ipynb $$f; fi; \
	done
	@echo "notebooks written to $(CURDIR)/notebooks/book/"

clean:
	rm -rf _build .pytest_cache notebooks
