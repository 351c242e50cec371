# Two commands set everything up on a fresh machine:
#   make run   - create .venv, install daryo (with Numba and the ensembles' Dask and zarr), precompile its
#                kernels, run the embedded default model and print its summary
#   make test  - create .venv, install daryo with test extras, precompile, run the whole test suite
# Precompiling (python -m daryo.precompile, 1-2.5 minutes once, ~3 s after; it needs a C compiler) builds the dual
# simplex ahead of time, which spares each process Numba's start-up at its first run, and puts every other
# kernel in Numba's cache, so that no run compiles one; if the build fails, daryo compiles the kernel with Numba
# and make test fails the one test of the precompiled kernel's results (DARYO_REQUIRE_AOT).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# the versions the tests last passed with (see its header); `make CONSTRAINTS= ...` installs without them
CONSTRAINTS ?= constraints.txt
PIN    := $(if $(CONSTRAINTS),-c $(CONSTRAINTS))

.PHONY: run test lint bench clean constraints

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(None if sys.version_info >= (3, 11) else "daryo needs Python 3.11 or newer, and $(PYTHON) is " + sys.version.split()[0] + ": give another, e.g. make PYTHON=python3.11 run")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(BIN)/python -m pip install --quiet $(PIN) -e ".[fast,ensemble]"
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(BIN)/python -m pip install --quiet $(PIN) -e ".[test]"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/python -m daryo.precompile
	$(BIN)/daryo run

test: $(VENV)/.installed-test
	$(BIN)/python -m daryo.precompile
	DARYO_REQUIRE_AOT=1 $(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_pywr.py

# the newest releases within pyproject.toml's ranges, installed in a scratch environment, written as the pins
constraints:
	rm -rf build/constraints-venv
	$(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/python -m pip install --quiet --upgrade pip
	build/constraints-venv/bin/python -m pip install --quiet -e ".[test]"
	{ sed -n '/^# /p' constraints.txt; \
	  echo "#= frozen on $$(date -u +%F) with $$(build/constraints-venv/bin/python -c 'import platform as p; print("Python", p.python_version(), "on", p.machine(), p.system())')"; \
	  build/constraints-venv/bin/python -m pip freeze --all --exclude-editable | grep -v '^pip=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf build/constraints-venv

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info src/daryo/simulate/_aot_*.so src/daryo/simulate/.aot-build-*
