"""``python -m daryo.precompile`` compiles every Numba kernel of the fast path, so that no later run does."""

import subprocess
import sys
import textwrap

import pytest

from daryo import precompile
from daryo.simulate import _aot, _kernel

pytestmark = pytest.mark.skipif(not _kernel.available(), reason="needs Numba")

# in a fresh process (where nothing has been compiled yet): warm() compiles the kernels, or loads them from Numba's
# cache; after it, other runs (more traces and years on a worker thread, the embedded model on the main one)
# compile none, and the kernels they call from Python have a compiled signature (the helpers that compiled code
# calls are compiled into their callers' cached code and get none of their own)
_CHECK = textwrap.dedent("""
    import importlib, threading
    import daryo
    from daryo.simulate import _aot
    from daryo import precompile

    def dispatchers():
        for name in ("_kernel", "_basismap", "_dualsimplex"):
            module = importlib.import_module(f"daryo.simulate.{name}")
            for attr, value in vars(module).items():
                value = value.jit if isinstance(value, _aot._Checked) else value
                if hasattr(value, "py_func") and hasattr(value, "signatures"):
                    yield f"{name}.{attr}", value

    found = dict(dispatchers())
    assert len(found) >= 20, sorted(found)
    assert not [n for n, d in found.items() if d.signatures], "compiled before warm()"
    precompile.warm()
    after = {n: list(d.signatures) for n, d in found.items()}
    thread = threading.Thread(target=precompile._run_modes, args=(48, 2))
    thread.start()
    thread.join()
    daryo.run(daryo.load(), daryo.RunOptions(years=2))
    print("COMPILED", sorted(n for n, d in found.items() if list(d.signatures) != after[n]))
    print("ENTRIES", sorted(n for n, d in found.items() if n in KERNELS and not d.signatures))
""").replace("KERNELS", repr({"_kernel._loop", "_kernel._map_entry", "_kernel._write_constants",
                              "_basismap._derivative", "_basismap._reduced", "_basismap._constant_rows",
                              "_basismap._sets", "_basismap._duals", "_basismap._pivot",
                              "_dualsimplex._solve_all"}))


def test_warm_compiles_every_kernel_of_the_fast_path():
    out = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "COMPILED []" in out.stdout and "ENTRIES []" in out.stdout, out.stdout


def test_a_failed_warm_up_is_reported_and_not_fatal(monkeypatch, capsys):
    def fail() -> None:
        raise RuntimeError("no room in the cache")

    monkeypatch.setattr(precompile, "warm", fail)
    monkeypatch.setattr(_aot, "main", lambda argv: 0)  # (not this test's subject: it would build the module)
    assert precompile.main([]) == 0
    err = capsys.readouterr().err
    assert "could not compile the Numba kernels now (RuntimeError: no room in the cache)" in err


def test_warm_raises_what_its_thread_raised(monkeypatch):
    def fail() -> None:
        raise ValueError("bad model")

    monkeypatch.setattr(precompile, "_run_modes", fail)
    with pytest.raises(ValueError, match="bad model"):
        precompile.warm()


def test_without_numba_one_message_and_nothing_built():
    code = ("import sys; sys.modules['numba'] = None\n"
            "from daryo import precompile; from daryo.simulate import _aot\n"
            "_aot.build = lambda: print('BUILT')\n"
            "print('EXIT', precompile.main([]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["EXIT", "0"], out.stdout + out.stderr
    assert out.stderr == ("daryo: Numba is not installed, so there are no kernels to compile (the fast path's NumPy "
                          "kernel runs instead)\n")


def test_the_message_names_the_cache_folder_and_an_ignored_numba_cache_dir(monkeypatch, capsys):
    """A sweep review: with a read-only shared ``NUMBA_CACHE_DIR`` (an administrator's cache), which Numba skips
    without a word, this said "the Numba kernels are in Numba's cache (141 s)" and every user recompiled."""
    monkeypatch.setattr(precompile, "warm", lambda: None)
    monkeypatch.setattr(_aot, "main", lambda argv: 0)
    monkeypatch.setattr(_kernel, "cache_folder", "/tmp/daryo-numba-cache-1000/simulate_0123")
    monkeypatch.setattr(_kernel, "cache_dir_ignored", "/shared/numba")
    assert precompile.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("daryo: the Numba kernels are in Numba's cache in /tmp/daryo-numba-cache-1000/simulate_0123, "
                          "not in NUMBA_CACHE_DIR=/shared/numba, which this user cannot write (Numba neither reads "
                          "nor writes such a folder) (")
