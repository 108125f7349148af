# kapdesk — developer and IT tasks. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format bench soak wheel-check clean desktop-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## Set everything up and start the app on its bundled knowledge base. First checks that
## Qt's X11 plugin has its system libraries: installs them as root, else prints the fix.
run: $(STAMP)
	$(BIN)/python packaging/check_desktop.py
	$(BIN)/kapdesk gui

## Report (never fail) whether Qt's X11 plugin has its system libraries (CI runs this).
desktop-check: $(STAMP)
	$(BIN)/python packaging/check_desktop.py --report

## Set everything up and run the whole test suite (headless) and the linter.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Performance figures as JSON (never assertions). The package's bytecode is compiled
## first, as an installed kapdesk (wheel, bundle) has it: with PYTHONDONTWRITEBYTECODE
## set, a source tree would otherwise compile every module on every start.
bench: $(STAMP)
	$(BIN)/python -m compileall -q kapdesk > /dev/null
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run.py

## Long robustness runs (not in CI): the clinic profile killed 300 times mid-save, and
## FUZZ cases per CLI entry point (exit-code counts appended to fuzz-report.jsonl).
FUZZ ?= 2000
soak: $(STAMP)
	KAPDESK_SOAK_KILLS=300 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/cli/test_hardening.py -k kill_loop
	KAPDESK_FUZZ_EXAMPLES=$(FUZZ) KAPDESK_FUZZ_REPORT=fuzz-report.jsonl QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/cli/test_fuzz.py

## Build the wheel, install it (not editable) in a fresh venv and use it from another directory.
wheel-check: $(STAMP)
	bash packaging/wheel_check.sh

## Build the offline desktop bundle dist/kapdesk/ in a clean venv, then smoke-test it (slow; not in CI).
.PHONY: package
package: $(STAMP)
	bash packaging/build.sh
	bash packaging/smoke.sh

clean:
	rm -rf build dist .pytest_cache .ruff_cache
