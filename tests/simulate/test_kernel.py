"""The compiled loop's bank holds each basis's map exactly as the NumPy kernel's dense ``W``.

:meth:`daryo.simulate._kernel.Bank.register` builds a basis's slacks from its derivative, groups slacks with
identical weights and stores the groups' weights and the outputs' map sparse; rebuilt dense from the bank's
arrays, they must equal :meth:`daryo.simulate._basiscache.Basis.linear_map`, and slacks share a group exactly
when their weights are equal.
"""

import os
from types import SimpleNamespace

import numpy as np
import pytest
from test_fastpath import compiled, random_network

from daryo.simulate import _kernel
from daryo.simulate._basiscache import StepContext
from daryo.simulate.fastpath import FastOptions, FastStepper

#: the note's check itself, which the suite's conftest replaces in every test (its output must not depend on it)
_IN_CACHE = _kernel.in_cache

pytestmark = pytest.mark.skipif(not _kernel.available(), reason="the bank is built by compiled code")


def _dense(ptr: np.ndarray, idx: np.ndarray, val: np.ndarray, k: int, cols: int) -> np.ndarray:
    """The (k × cols) map from its columns stored sparse (entries by increasing data slot)."""
    a = np.zeros((k, cols))
    for j in range(cols):
        rows = idx[ptr[j]: ptr[j + 1]]
        assert np.all(np.diff(rows) > 0)
        a[rows, j] = val[ptr[j]: ptr[j + 1]]
    return a


@pytest.mark.parametrize("seed", [100, 3])
def test_bank_holds_the_dense_map(seed):
    net = compiled(random_network(seed, scenarios=12, steps=48, physics=seed >= 100))
    stepper = FastStepper(net, options=FastOptions(kernel="numpy"))
    stepper.run(lambda rec: None)
    lay, out = stepper.layout, stepper._out
    assert stepper.cost is not None
    bank = _kernel.Bank(lay.k, out.size)
    cost, k, r = StepContext(net, lay, 0, 1e-9).position_costs(), lay.k, out.size
    checked = grouped = 0
    for b, basis in stepper.cost.cache.bases.items():
        fixed, _ = basis.duals(lay, cost, 1e-9)
        if fixed is None:
            fixed = np.zeros(0, dtype=np.int64)
        W = basis.linear_map(lay, out, fixed)[:k]
        bank.register(b, basis.dz, out, basis.chk_lo, basis.chk_hi, fixed, lay.lo_slot, lay.hi_slot)
        nc, ng = int(bank.nc[b]), int(bank.ng[b])
        assert nc == W.shape[1] - r
        X = _dense(bank.X_ptr.data[bank.x_off[b]:], bank.X_idx.data[bank.xv_off[b]:], bank.X_val.data[bank.xv_off[b]:],
                   k, r)
        np.testing.assert_array_equal(X, W[:, :r])
        G = _dense(bank.S_ptr.data[bank.s_off[b]:], bank.S_idx.data[bank.sv_off[b]:], bank.S_val.data[bank.sv_off[b]:],
                   k, ng)
        group = bank.group.data[bank.gm_off[b]: bank.gm_off[b] + nc]
        np.testing.assert_array_equal(G[:, group], W[:, r:])  # every slack's weights are its group's
        firsts = np.unique(group, return_index=True)[1]
        assert np.all(np.diff(firsts) > 0)  # groups are numbered by their first slack
        for g in range(ng):  # and distinct
            assert not np.any(np.all(G[:, g + 1:] == G[:, [g]], axis=0))
        grouped += nc - ng
        checked += 1
    assert checked > 10 and grouped > 0


@pytest.mark.parametrize("locators, cached", [("[c.UserProvidedCacheLocator]", "FunctionCache"), ("[]", "NullCache")])
def test_the_kernels_load_where_no_cache_folder_can_be_written(tmp_path, locators, cached):
    """Run by a user who can write neither the installation nor a home folder, importing the kernels raised
    "cannot cache function '_sparse_rows_py': no locator available" (a file-safety pass, as user nobody).  They
    are then cached in the user's own folder in the temporary folder, or, failing that, compiled uncached."""
    import subprocess
    import sys

    pytest.importorskip("numba")
    code = ("import numba, numba.core.caching as c\n"
            f"c.CacheImpl._locator_classes = {locators}  # (no folder found, as for that user)\n"
            "from daryo.simulate import _kernel\n"
            "print(numba.config.CACHE_DIR)\n"
            "print(type(_kernel._sparse_rows._cache).__name__)\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"} | {"TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    folder, kind = done.stdout.split()
    assert kind == cached
    if cached == "FunctionCache":
        assert folder == str(tmp_path / f"daryo-numba-cache-{os.getuid()}")


def test_a_numba_cache_dir_that_cannot_be_written_is_named_in_one_warning(tmp_path):
    """A sweep review: an administrator filled a shared ``NUMBA_CACHE_DIR`` that users may only read; Numba skips
    a folder it cannot write (it does not read it either) and daryo cached the kernels in the temporary folder
    instead, so every user recompiled them (54 s) without a word.  Now one warning names both folders."""
    import subprocess
    import sys

    pytest.importorskip("numba")
    (tmp_path / "file").write_text("")
    asked = tmp_path / "file" / "cache"  # (a folder no user can make, root included)
    code = ("import warnings\n"
            "warnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    from daryo.simulate import _kernel\n"
            "    _kernel._sparse_rows\n"
            "print(len(caught), caught[0].category.__name__)\n"
            "print(_kernel.cache_folder)\n"
            "print(_kernel.cache_dir_ignored)\n"
            "print(caught[0].message)\n")
    env = os.environ | {"NUMBA_CACHE_DIR": str(asked), "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    count, folder, ignored, message = done.stdout.splitlines()
    assert count == "1 CacheFolderWarning" and ignored == str(asked)
    assert folder and not folder.startswith(str(asked))
    assert message.startswith(f"daryo: NUMBA_CACHE_DIR={asked} cannot be written by this user, and Numba neither "
                              f"reads nor writes a cache folder it cannot write, so daryo's kernels are cached in "
                              f"{folder} (a first run compiles them")


def test_a_writable_numba_cache_dir_is_used_without_a_warning(tmp_path):
    import subprocess
    import sys

    pytest.importorskip("numba")
    code = ("import warnings\n"
            "warnings.simplefilter('error')\n"
            "from daryo.simulate import _kernel\n"
            "print(_kernel.cache_folder, repr(_kernel.cache_dir_ignored))\n")
    env = os.environ | {"NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    folder, note = done.stdout.split()
    assert folder.startswith(str(tmp_path)) and note == "''"


def test_in_cache_is_whether_numbas_cache_folder_holds_the_main_kernels(monkeypatch, tmp_path):
    """A release engineer's review: after ``pip install 'daryo[fast]'`` the first run compiled the kernels for over
    a minute without a word; the command line says so where Numba's cache lacks the cost mode's loop or the
    priority mode's dual simplex (an index file, ``*.nbi``, of each kernel compiled; a diff review: another
    kernel's file was taken for them), and stays quiet where it cannot tell."""
    from daryo.simulate import _aot

    monkeypatch.setattr(_kernel, "in_cache", _IN_CACHE)
    monkeypatch.setattr(_aot, "status", lambda: "not built")  # (the dual simplex not compiled ahead of time)
    cache = SimpleNamespace(_cache_path=str(tmp_path))
    monkeypatch.setattr(_kernel, "_loop", SimpleNamespace(_cache=cache))
    assert _kernel.in_cache() is False
    (tmp_path / "_basismap._peel-140.py311.nbi").write_bytes(b"")
    (tmp_path / "_kernel._loop_py-400.py311.nbi").write_bytes(b"")
    assert _kernel.in_cache() is False
    # a priority run of few scenarios calls the dual simplex alone, which the module compiled ahead of time
    # provides too (a CLI review: told of a compile at every run, for a loop it never calls)
    assert _kernel.in_cache(("loop",)) is True and _kernel.in_cache(("solve_all",)) is False
    monkeypatch.setattr(_aot, "status", lambda: "built")
    assert _kernel.in_cache(("solve_all",)) is True and _kernel.in_cache() is True
    monkeypatch.setattr(_aot, "status", lambda: "not built")
    (tmp_path / "_dualsimplex._solve_all_py-521.py311.nbi").write_bytes(b"")
    assert _kernel.in_cache() is True
    monkeypatch.setattr(_kernel, "_loop", SimpleNamespace())  # (compiled without a cache)
    assert _kernel.in_cache() is True
