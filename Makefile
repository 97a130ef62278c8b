# The handbook's two set-up commands: `make serve` (the site on http://127.0.0.1:8000) and `make test`.
# Both create .venv, install the project with its docs and test extras, and make sure clang is there;
# make test also makes sure Chromium is there, for the browser tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Material and gen-files print MkDocs-2 notices on every start; they are not about this project.
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true

.PHONY: serve docs test drift system system-test clean

# --dirty: a save re-renders the pages it affects (the handbook's hook adds pages whose snippets changed), not the
# whole site; a dirty build is not strict. `make docs` and `make test` build everything, strictly.
serve: system $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload --dirty --no-strict

docs: system $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

test: system-test $(STAMP)
	$(BIN)/python -m pytest

# make drift TINYGRAD=0.13.0 (a version, a git ref of tinygrad or a path): the site built and its names checked against that tinygrad in a
# venv of its own; report.md and report.json per page in .cache/drift/<version>/. site/, .cache/exec and .venv are not touched.
drift: system $(STAMP)
	$(BIN)/python scripts/drift.py "$(TINYGRAD)"

system:
	@scripts/ensure_system.sh python3-venv clang

system-test:
	@scripts/ensure_system.sh python3-venv clang chromium

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[docs,test]'
	@touch $@

clean:
	rm -rf $(VENV) site .cache
