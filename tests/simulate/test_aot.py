"""The kernels compiled ahead of time (:mod:`daryo.simulate._aot`) give the Numba-compiled kernels' results to
the bit, are used only for calls that fit their signature exactly, and never run stale.

``make test`` builds the module first and sets ``DARYO_REQUIRE_AOT``, so there a missing module fails the test
of its results rather than skipping it.
"""

import os
import pickle

import numpy as np
import pytest
from test_fastpath import priority_compiled, random_priority_network

from daryo.simulate import _aot, _dualsimplex, _kernel
from daryo.simulate.fastpath import FastOptions, simulate_fast

pytestmark = pytest.mark.skipif(not _kernel.available(), reason="the kernels are Numba's")

_SPEC = tuple(_aot._parse(code) for code in ("i8[::1]", "f8[:,::1]", "f8[:,:]", "i8", "f8"))


def _args(**change):
    args = {"idx": np.arange(3), "L": np.zeros((3, 2)), "U": np.zeros((2, 3)).T, "n": 2, "tol": 1e-9}
    return tuple({**args, **change}.values())


def test_a_call_fits_only_with_the_exported_types():
    assert _aot._fits(_args(), _SPEC)  # U is a transposed (Fortran-ordered) array: "f8[:,:]" takes any layout
    assert _aot._fits(_args(n=np.int64(2), tol=np.float64(0.1)), _SPEC)
    assert _aot._fits(_args(L=pickle.loads(pickle.dumps(np.zeros((3, 2))))), _SPEC)  # a dtype not NumPy's own object
    for bad in (
        dict(idx=np.arange(3, dtype=np.int32)),  # dtype
        dict(L=np.zeros((3, 2), dtype=np.float32)),
        dict(L=np.zeros((2, 3)).T),  # not C-contiguous where the signature says "::1"
        dict(idx=np.arange(6)[::2]),
        dict(L=np.zeros(6)),  # dimensions
        dict(idx=[0, 1, 2]),  # not an array
        dict(n=True),  # a bool is not an int64
        dict(n=2.0),
        dict(tol=1),  # nor an int a float64
    ):
        assert not _aot._fits(_args(**bad), _SPEC), bad
    frozen = np.zeros((3, 2))
    frozen.flags.writeable = False
    assert not _aot._fits(_args(L=frozen), _SPEC)
    assert not _aot._fits(_args()[:-1], _SPEC)


def test_a_call_that_does_not_fit_goes_to_the_numba_kernel():
    calls: list[str] = []
    checked = _aot._Checked(lambda *a: calls.append("aot"), lambda *a: calls.append("jit"), _SPEC)
    checked(*_args())
    checked(*_args(L=np.zeros((3, 2), dtype=np.float32)))
    assert calls == ["aot", "jit"]


def test_argument_types_outside_the_notation_are_refused():
    with pytest.raises(ValueError, match="argument type 'f4'"):
        _aot._parse("f4")
    assert _aot._parse("i1[:,::1]") == (np.dtype(np.int8), 2, True)
    assert _aot._parse("f8") == (np.dtype(np.float64), 0, False)


def test_an_edited_kernel_is_not_run_from_a_module_built_before(monkeypatch, tmp_path):
    """The module's name follows the kernels' source: after an edit it is another module, not yet built, and
    the Numba-compiled kernel runs."""
    before = _aot.module_name()
    edited = tmp_path / "_dualsimplex.py"
    edited.write_text(_aot._source_file("daryo.simulate._dualsimplex").read_text() + "\n# edited\n")
    monkeypatch.setattr(_aot, "_source_file", lambda module: edited)
    assert _aot.module_name() != before
    jit = object()
    assert _aot.kernel("solve_all", jit) is jit  # type: ignore[arg-type]
    assert _aot.status() == "not built"


def test_a_module_built_for_another_cpu_is_not_used(monkeypatch):
    import llvmlite.binding as llvm

    before = _aot.module_name()
    monkeypatch.setattr(llvm, "get_host_cpu_name", lambda: "another-cpu")
    assert _aot.module_name() != before
    jit = object()
    assert _aot.kernel("solve_all", jit) is jit  # type: ignore[arg-type]


def test_a_failed_build_warns_and_leaves_the_numba_kernels(monkeypatch, capsys):
    def fail():
        raise OSError("no C compiler")

    monkeypatch.setattr(_aot, "status", lambda: "not built")
    monkeypatch.setattr(_aot, "build", fail)
    assert _aot.main([]) == 0
    assert "could not precompile the kernels (OSError: no C compiler); daryo will compile them with Numba" \
        in capsys.readouterr().err
    assert _aot.main(["--strict"]) == 1


def _built() -> _aot._Checked:
    if _aot.status() != "built":
        if os.environ.get("DARYO_REQUIRE_AOT"):
            pytest.fail(f"the precompiled kernels were not built ({_aot.module_name()}): make builds them")
        pytest.skip("the precompiled kernels are not built: python -m daryo.simulate._aot")
    assert isinstance(_dualsimplex._solve_all, _aot._Checked)
    return _dualsimplex._solve_all


@pytest.mark.parametrize("seed", range(3))
def test_the_precompiled_dual_simplex_gives_the_numba_kernels_results_to_the_bit(seed, monkeypatch):
    checked = _built()
    net = priority_compiled(random_priority_network(seed, scenarios=8))
    options = FastOptions(screening_maps_from=net.n_scenarios + 1)  # every LP by the dual simplex
    calls: list[str] = []
    aot, jit = checked.aot, checked.jit
    monkeypatch.setattr(checked, "aot", lambda *a: calls.append("aot") or aot(*a))
    monkeypatch.setattr(checked, "jit", lambda *a: calls.append("jit") or jit(*a))
    ahead = simulate_fast(net, options)
    assert calls and set(calls) == {"aot"}  # every LP's call fits the exported signature
    monkeypatch.setattr(_dualsimplex, "_solve_all", jit)
    numba = simulate_fast(net, options)
    for name in ("x", "volume_start", "evaporation", "head", "balance_residual"):
        np.testing.assert_array_equal(getattr(ahead, name), getattr(numba, name), err_msg=name)
