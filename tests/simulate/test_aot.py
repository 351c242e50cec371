"""The kernels compiled ahead of time (:mod:`daryo.simulate._aot`) give the Numba-compiled kernels' results to
the bit, are used only for calls from the main thread that fit their signature exactly, and are not used once
their source or the platform has changed.

``make test`` builds the module first and sets ``DARYO_REQUIRE_AOT``, so there a missing module fails the test
of its results rather than skipping it.
"""

import importlib.machinery
import os
import pickle
import re
import threading
import types
import warnings

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
    frozen = np.zeros((3, 2))
    frozen.flags.writeable = False
    unaligned = np.frombuffer(bytearray(8 * 6 + 1), dtype=np.float64, count=6, offset=1).reshape(3, 2)
    assert not unaligned.flags.aligned and unaligned.flags.writeable
    for bad in (
        dict(idx=np.arange(3, dtype=np.int32)),  # dtype
        dict(L=np.zeros((3, 2), dtype=np.float32)),
        dict(L=np.zeros((3, 2), dtype=">f8")),  # byte order
        dict(L=np.zeros((2, 3)).T),  # not C-contiguous where the signature says "::1"
        dict(idx=np.arange(6)[::2]),
        dict(L=np.zeros(6)),  # dimensions
        dict(idx=[0, 1, 2]),  # not an array
        dict(L=np.ma.zeros((3, 2))),  # nor a subclass of one
        dict(L=frozen),
        dict(L=unaligned),
        dict(n=True),  # a bool is not an int64
        dict(n=np.int32(2)),
        dict(n=np.uint64(2)),
        dict(n=2.0),
        dict(n=np.zeros((), np.int64)),  # nor a 0-d array a scalar
        dict(tol=1),  # nor an int a float64
        dict(tol=np.longdouble(0.1)),
    ):
        assert not _aot._fits(_args(**bad), _SPEC), bad
    assert not _aot._fits(_args()[:-1], _SPEC)


def test_a_call_that_does_not_fit_or_comes_from_another_thread_goes_to_the_numba_kernel():
    """The precompiled function holds the GIL; Numba's releases it, so threads run their LPs in parallel."""
    calls: list[str] = []
    checked = _aot._Checked(lambda *a: calls.append("aot"), lambda *a: calls.append("jit"), _SPEC)
    checked(*_args())
    checked(*_args(L=np.zeros((3, 2), dtype=np.float32)))
    other = threading.Thread(target=checked, args=_args())
    other.start()
    other.join()
    assert calls == ["aot", "jit", "jit"]


def test_argument_types_outside_the_notation_are_refused():
    for code in ("f4", "i1", "b1", "f8[:"):
        with pytest.raises(ValueError, match=f"argument type '{re.escape(code)}'"):
            _aot._parse(code)
    assert _aot._parse("i1[:,::1]")[:3] == (np.dtype(np.int8), 2, True)
    assert _aot._parse("f8") == (np.dtype(np.float64), 0, False, (float, np.float64))


def _as_if_built(monkeypatch) -> str:
    """Make the module of the current source and platform importable (a stand-in; other names are not)."""
    built = _aot.module_name()
    stand_in = types.SimpleNamespace(solve_all=lambda *args: "precompiled")

    def load(name: str):
        if name != built:
            raise ImportError(name)
        return stand_in

    monkeypatch.setattr(_aot, "_import", load)
    assert isinstance(_aot.kernel("solve_all", print), _aot._Checked) and _aot.status() == "built"
    return built


@pytest.mark.parametrize("source", ["_dualsimplex.py", "_kernel.py", "_aot.py"])
def test_a_module_built_before_an_edit_of_its_source_is_not_used(source, monkeypatch, tmp_path):
    """The kernel's module, the module of its Numba options, and this one's: after an edit of any, the module's
    name is another, not yet built, and the Numba-compiled kernel runs."""
    built = _as_if_built(monkeypatch)
    sources = _aot._sources()
    assert sorted(p.name for p in sources) == ["_aot.py", "_dualsimplex.py", "_kernel.py"]
    edited = tmp_path / source
    edited.write_text(next(p for p in sources if p.name == source).read_text() + "\n# edited\n")
    monkeypatch.setattr(_aot, "_sources", lambda: [edited if p.name == source else p for p in sources])
    assert _aot.module_name() != built
    assert _aot.kernel("solve_all", print) is print
    assert _aot.status() == "not built"


@pytest.mark.parametrize("change", ["cpu", "cpu features", "numpy", "numba"])
def test_a_module_built_for_another_platform_is_not_used(change, monkeypatch):
    import llvmlite.binding as llvm
    import numba

    built = _as_if_built(monkeypatch)
    if change == "cpu":
        monkeypatch.setattr(llvm, "get_host_cpu_name", lambda: "another-cpu")
    elif change == "cpu features":
        features = llvm.get_host_cpu_features()
        features["avx512f"] = not features.get("avx512f", False)
        monkeypatch.setattr(llvm, "get_host_cpu_features", lambda: features)
    else:
        monkeypatch.setattr(np if change == "numpy" else numba, "__version__", "0.0.0")
    assert _aot.module_name() != built
    assert _aot.kernel("solve_all", print) is print


def test_a_platform_whose_cpu_features_cannot_be_read_uses_the_numba_kernel(monkeypatch):
    import llvmlite.binding as llvm

    _as_if_built(monkeypatch)

    def unreadable():
        raise RuntimeError("failed to get host cpu features.")

    monkeypatch.setattr(llvm, "get_host_cpu_features", unreadable)
    assert _aot.kernel("solve_all", print) is print
    assert _aot.status() == "not built"


def test_a_build_removes_only_its_platforms_modules_of_other_source(tmp_path):
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    current, old, other_platform = "_aot_aaaaaaaaaaaa_111111111111", "_aot_bbbbbbbbbbbb_111111111111", \
        "_aot_bbbbbbbbbbbb_222222222222"
    names = [f"{current}{suffix}", f"{old}{suffix}", f"{other_platform}{suffix}", "_aot_helpers.py",
             f"{old}.txt"]
    for name in names:
        (tmp_path / name).write_text("")
    _aot._remove_superseded(tmp_path, current)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n in names if n != f"{old}{suffix}")


def test_a_build_refuses_numba_options_pycc_does_not_reproduce(monkeypatch):
    monkeypatch.setitem(_kernel._JIT_OPTIONS, "fastmath", True)
    with pytest.raises(RuntimeError, match="Numba options .* are not what numba.pycc compiles with"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _aot.build()


def test_a_failed_build_warns_and_leaves_the_numba_kernels(monkeypatch, capsys):
    def fail():
        raise OSError("no C compiler")

    monkeypatch.setattr(_aot, "status", lambda: "not built")
    monkeypatch.setattr(_aot, "build", fail)
    assert _aot.main([]) == 0
    assert "could not precompile the kernels (OSError: no C compiler); a process's first run of a priority-mode " \
           "model will wait for Numba" in capsys.readouterr().err


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


def test_the_embedded_models_run_is_the_same_to_the_bit_with_the_precompiled_dual_simplex(monkeypatch):
    import daryo

    checked = _built()
    model = daryo.load(None)
    calls: list[int] = []
    aot = checked.aot
    monkeypatch.setattr(checked, "aot", lambda *a: calls.append(1) or aot(*a))
    ahead = daryo.run(model, daryo.RunOptions(scenarios=1, years=3)).dataset
    assert len(calls) > 50  # its LPs (~3 a month) by the precompiled kernel
    monkeypatch.setattr(_dualsimplex, "_solve_all", checked.jit)
    numba = daryo.run(model, daryo.RunOptions(scenarios=1, years=3)).dataset
    assert list(ahead.data_vars) == list(numba.data_vars)
    for name in ahead.data_vars:
        np.testing.assert_array_equal(ahead[name].values, numba[name].values, err_msg=name)
