# Two commands set everything up on a fresh machine:
#   make run   - create .venv, install daryo (with Numba and the ensembles' Dask and zarr), precompile its
#                kernels, run the embedded default model and print its summary
#   make test  - create .venv, install daryo with test extras, precompile, run the whole test suite
# Precompiling (python -m daryo.precompile, ~50 s once, ~3 s after; it needs a C compiler) builds the dual
# simplex ahead of time, which spares each process Numba's start-up at its first run, and puts every other
# kernel in Numba's cache, so that no run compiles one; if the build fails, daryo compiles the kernel with Numba
# and make test fails the one test of the precompiled kernel's results (DARYO_REQUIRE_AOT).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[fast,ensemble]"
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
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

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info src/daryo/simulate/_aot_*.so src/daryo/simulate/.aot-build-*
