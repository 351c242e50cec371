"""The fast path's inner loop compiled with Numba (optional: ``pip install daryo[fast]``).

It does per scenario what :meth:`daryo.simulate.fastpath._CostSolver.solve_step` does per group of scenarios
with NumPy: evaluate the candidate basis's map, and while a slack is violated follow the cached dual simplex
pivot.  Anything the loop cannot do by itself (a basis without a map for the step, a pivot not yet worked
out, HiGHS) is handed back to Python through ``status`` and the loop is run again for those scenarios.
Without Numba the NumPy path runs; the two give the same optima (tests run both).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CacheFolderWarning

__all__ = ["available", "in_cache", "cache_folder", "cache_dir_ignored", "load", "Bank", "solve",
           "OK", "NEED_MAP", "NEED_CONST", "NEED_PIVOT", "HIGHS"]

OK, NEED_MAP, NEED_CONST, NEED_PIVOT, HIGHS = 0, 1, 2, 3, 4
_UNKNOWN, _NONE = -1, -2

# the kernels' Numba options (:mod:`daryo.simulate._aot` builds its module only for options it reproduces)
_JIT_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "fastmath": False}
_njit: Any = None


def _cache_probe() -> int:  # pragma: no cover - never called: its dispatcher only looks for a cache folder
    return 0


def _jit_with_a_cache(numba: Any) -> tuple[Any, str, str]:
    """Numba's decorator with the kernels' options.  Numba caches a compiled kernel beside its source, in
    ``NUMBA_CACHE_DIR`` or in the user's cache folder (``~/.cache``); where none of them can be written (an
    installation the user cannot write to, run without a home folder), decorating a kernel raised "cannot cache
    function …: no locator available", a traceback for every run.  There the kernels are cached in a folder of the
    user's own in the system's temporary folder (compiled once, ~1 minute), or, if that cannot be made either, not
    cached (compiled in each process).

    Numba takes a ``NUMBA_CACHE_DIR`` only where it can write a file in it: it neither reads a cache it cannot
    write (an administrator's cache, read-only for users) nor says that it goes elsewhere.  Where the folder it
    uses is not the one the user set, :data:`cache_dir_ignored` names it and one :class:`CacheFolderWarning` is
    issued (a sweep review: every user of a shared cache recompiled the kernels without a word).

    Returns
    -------
    decorator, cache_folder, cache_dir_ignored
        The decorator, the folder of the kernels' cache ("" where they are compiled without one) and the
        ``NUMBA_CACHE_DIR`` the user set where Numba ignored it ("" otherwise).
    """
    asked = str(numba.config.CACHE_DIR or "")
    decorator, probe = _decorator_and_probe(numba)
    cache_folder = str(getattr(getattr(probe, "_cache", None), "_cache_path", ""))
    ignored = asked if asked and not _inside(cache_folder, asked) else ""
    if ignored:
        warnings.warn(
            f"daryo: NUMBA_CACHE_DIR={asked} cannot be written by this user, and Numba neither reads nor writes a "
            "cache folder it cannot write, so daryo's kernels are "
            + (f"cached in {cache_folder}" if cache_folder else "compiled in each process, without a cache")
            + " (a first run compiles them, about a minute once per cache folder; give each user a writable "
            "NUMBA_CACHE_DIR, or make the shared one writable by its users, and run `python -m daryo.precompile`)",
            CacheFolderWarning, stacklevel=2)
    return decorator, cache_folder, ignored


def _inside(folder: str, parent: str) -> bool:
    """Whether ``folder`` is ``parent`` or lies in it."""
    if not folder:
        return False
    return os.path.commonpath([os.path.abspath(folder), os.path.abspath(parent)]) == os.path.abspath(parent)


def _decorator_and_probe(numba: Any) -> tuple[Any, Any]:
    """The decorator :func:`_jit_with_a_cache` uses, and a dispatcher it made (whose cache is the kernels')."""
    try:
        return numba.njit(**_JIT_OPTIONS), numba.njit(**_JIT_OPTIONS)(_cache_probe)
    except RuntimeError as exc:
        if "cannot cache" not in str(exc):
            raise
    uid = os.getuid() if hasattr(os, "getuid") else None  # (none on Windows, whose temporary folder is the user's)
    folder = Path(tempfile.gettempdir()) / ("daryo-numba-cache" + ("" if uid is None else f"-{uid}"))
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, exist_ok=True)
    if folder.is_dir() and uid in (None, folder.stat().st_uid) and os.access(folder, os.W_OK):
        numba.config.CACHE_DIR = str(folder)
        with contextlib.suppress(RuntimeError):
            return numba.njit(**_JIT_OPTIONS), numba.njit(**_JIT_OPTIONS)(_cache_probe)
    uncached = numba.njit(**{**_JIT_OPTIONS, "cache": False})
    return uncached, uncached(_cache_probe)


#: where Numba keeps the kernels' cache ("" where they are compiled without one), and the ``NUMBA_CACHE_DIR`` the
#: user set where Numba ignored it ("" otherwise): both set when the kernels are imported with Numba installed
cache_folder = ""
cache_dir_ignored = ""
try:  # pragma: no cover - depends on the environment
    import numba

    _njit, cache_folder, cache_dir_ignored = _jit_with_a_cache(numba)
except ImportError:  # pragma: no cover
    pass


def available() -> bool:
    """True when Numba is installed."""
    return _njit is not None


#: the fast path's main kernels, by the name :func:`in_cache` takes, and the name of their index in Numba's cache
_CACHED_AS = {"loop": "_kernel._loop_py", "solve_all": "_dualsimplex._solve_all_py"}


def in_cache(kernels: tuple[str, ...] = ("loop", "solve_all")) -> bool:
    """False when Numba is installed and its on-disk cache lacks one of the fast path's main ``kernels`` that a run
    calls (``loop``: the cost mode's loop and the screening maps of a ``priority`` run of many scenarios, and
    ``solve_all``: the priority mode's dual simplex, which counts as there where it is compiled ahead of time,
    :mod:`daryo.simulate._aot`; all cached in one folder): the first run that takes the fast path then compiles
    them (about a minute, once; ``python -m daryo.precompile`` does it ahead).  True otherwise, and where it cannot
    be told (kernels compiled without a cache, a Numba whose cache is laid out otherwise).  Looks for their index
    files only: compiles nothing (a CLI review: a ``priority`` run, which never compiles the cost mode's loop, was
    told of a compile at every run)."""
    if _njit is None:
        return True
    try:
        loop: Any = _loop
        folder = Path(loop._cache._cache_path)  # (Numba's own layout: <module>.<function>-<line>.<python>.nbi)
    except AttributeError:
        return True
    if "solve_all" in kernels:
        from . import _aot

        if _aot.status() == "built":
            kernels = tuple(k for k in kernels if k != "solve_all")
    return all(any(folder.glob(f"{_CACHED_AS[k]}-*.nbi")) for k in kernels)


class _Grow:
    """A growable 1-d buffer."""

    def __init__(self, dtype: type) -> None:
        self.data: np.ndarray = np.empty(1024, dtype=dtype)
        self.size = 0

    def append(self, values: np.ndarray) -> int:
        off = self.reserve(values.size)
        self.data[off: off + values.size] = values.ravel()
        return off

    def reserve(self, n: int) -> int:
        """Make room for ``n`` more entries (left to the caller to fill); returns their offset."""
        if self.size + n > self.data.size:
            new = np.empty(max(2 * self.data.size, self.size + n), dtype=self.data.dtype)
            new[: self.size] = self.data[: self.size]
            self.data = new
        off = self.size
        self.size += n
        return off


class Bank:
    """The maps of the cached bases for one cost vector, as flat arrays the compiled loop reads.

    Basis ``b`` (the cache's id) has ``nc[b]`` feasibility slacks, each an affine function ``c + w·d`` of the
    scenario data ``d``.  Slacks with identical ``w`` (common along chains of equal flows: ~80 % of them) form
    one *group*, of which only the member with the smallest constant can be the most violated, so the loop
    evaluates one slack per group; and ``w`` is ~94 % zeros, so the groups' ``w`` are stored sparse, group by
    group (``S_ptr``, ``S_idx`` (data slots), ``S_val`` at ``s_off[b]`` / ``sv_off[b]``): the loop sums each
    group's slack in a register, in the order of the dense product.  ``group[gm_off[b] + j]`` is slack ``j``'s
    group.  For bound key ``u``, ``consts(u)[b]`` points into ``C`` (the groups' smallest constants, then the
    outputs' constants) and into ``M`` (the slack holding each group's smallest constant).  The outputs' map
    (r outputs over k slots) is stored sparse the same way (``X_ptr``, ``X_idx``, ``X_val`` at ``x_off[b]`` /
    ``xv_off[b]``); pivot targets per slack at ``t_off[b]`` in ``trans``.
    """

    def __init__(self, k: int, r: int) -> None:
        self.k, self.r = k, r
        self.cap = 0
        self.has_map = np.zeros(0, np.int8)
        self.nc = np.zeros(0, np.int64)
        self.ng = np.zeros(0, np.int64)
        self.s_off = np.zeros(0, np.int64)
        self.sv_off = np.zeros(0, np.int64)
        self.gm_off = np.zeros(0, np.int64)
        self.x_off = np.zeros(0, np.int64)
        self.xv_off = np.zeros(0, np.int64)
        self.t_off = np.zeros(0, np.int64)
        self.C, self.S_val, self.X_val = _Grow(np.float64), _Grow(np.float64), _Grow(np.float64)
        self.S_ptr, self.S_idx, self.X_ptr, self.X_idx = _Grow(np.int64), _Grow(np.int64), _Grow(np.int64), _Grow(
            np.int64)
        self.group, self.M = _Grow(np.int64), _Grow(np.int64)
        self.trans = _Grow(np.int64)
        self._consts: dict[int, np.ndarray] = {}
        self._probe = np.random.default_rng(0).uniform(1.0, 2.0, k)  # hashes slacks' weights (see _map_entry)

    def _ensure(self, b: int) -> None:
        if b < self.cap:
            return
        cap = max(2 * self.cap, b + 1, 64)

        def grow(a: np.ndarray, fill: int) -> np.ndarray:
            out = np.full(cap, fill, dtype=a.dtype)
            out[: a.size] = a
            return out

        self.has_map, self.nc, self.ng = grow(self.has_map, 0), grow(self.nc, 0), grow(self.ng, 0)
        self.s_off, self.sv_off, self.gm_off = grow(self.s_off, -1), grow(self.sv_off, -1), grow(self.gm_off, -1)
        self.x_off, self.xv_off, self.t_off = grow(self.x_off, -1), grow(self.xv_off, -1), grow(self.t_off, -1)
        self._consts = {u: grow(c, -1) for u, c in self._consts.items()}
        self.cap = cap

    def consts(self, ukey: int) -> np.ndarray:
        c = self._consts.get(ukey)
        if c is None:
            c = self._consts[ukey] = np.full(self.cap, -1, dtype=np.int64)
        return c

    def has(self, b: int, ukey: int) -> bool:
        """Whether basis ``b``'s map and its constants for bound key ``ukey`` are held (or it is unusable)."""
        self._ensure(b)
        return self.has_map[b] == -1 or (self.has_map[b] == 1 and self.consts(ukey)[b] >= 0)

    def mark_unusable(self, b: int) -> None:
        """Basis ``b`` is never optimal for this bank's costs: scenarios that reach it go to HiGHS."""
        self._ensure(b)
        self.has_map[b] = -1

    def register(self, b: int, dz: np.ndarray, out: np.ndarray, chk_lo: np.ndarray, chk_hi: np.ndarray,
                 fixed: np.ndarray, lo_slot: np.ndarray, hi_slot: np.ndarray) -> None:
        """Record basis ``b``'s map from its derivative ``dz`` (N, k): the outputs ``z[out]``, then the slacks
        ``z − L`` of ``chk_lo``, ``U − z`` of ``chk_hi`` and ``L − U`` of ``fixed`` (``lo_slot`` / ``hi_slot``:
        the data slot of each position's lower / upper bound, −1: none), grouped and stored sparse."""
        self._ensure(b)
        if self.has_map[b] == 1:
            return
        group, first, s_ptr, s_idx, s_val, x_ptr, x_idx, x_val = _map_entry(
            dz, out, chk_lo, chk_hi, fixed, lo_slot, hi_slot, self._probe)
        self.nc[b], self.ng[b] = group.size, first.size
        self.s_off[b], self.sv_off[b] = self.S_ptr.append(s_ptr), self.S_idx.append(s_idx)
        self.S_val.append(s_val)
        self.x_off[b], self.xv_off[b] = self.X_ptr.append(x_ptr), self.X_idx.append(x_idx)
        self.X_val.append(x_val)
        self.gm_off[b] = self.group.append(group)
        self.t_off[b] = self.trans.append(np.full(group.size, _UNKNOWN, dtype=np.int64))
        self.has_map[b] = 1

    def register_constants(self, b: int, ukeys: np.ndarray, rows: np.ndarray) -> None:
        """Record basis ``b``'s constants for bound keys ``ukeys`` (U,): ``rows[u]`` = the outputs' values, then
        the slacks' (the map's constant row for ``ukeys[u]``; :meth:`register` first)."""
        ng = int(self.ng[b])
        width = ng + self.r
        off = self.C.reserve(ukeys.size * width)
        if self.M.reserve(ukeys.size * width) != off:  # pragma: no cover - C and M grow together
            raise AssertionError("constant rows out of step")
        _write_constants(rows, self.r, self.group.data, int(self.gm_off[b]), int(self.nc[b]), ng, self.C.data,
                         self.M.data, off)
        for u, key in enumerate(ukeys.tolist()):
            self.consts(key)[b] = off + u * width

    def set_pivot(self, b: int, slack: int, target: int) -> None:
        self._ensure(max(b, target))
        self.trans.data[self.t_off[b] + slack] = target if target >= 0 else _NONE


def _map_entry_py(dz, out, chk_lo, chk_hi, fixed, lo_slot, hi_slot, probe):  # noqa: ANN001,ANN201 # pragma: no cover
    """A basis's map for :meth:`Bank.register`: each slack's group (groups of identical weight vectors, numbered
    in the order of their first slacks) and each group's first slack; the groups' weights and the outputs'
    stored sparse group by group and output by output (pointers from 0, data slots, values)."""
    k = dz.shape[1]
    n_lo, n_hi = chk_lo.size, chk_hi.size
    nc = n_lo + n_hi + fixed.size
    w = np.zeros((nc, k))  # slack c = const + w[c]·d
    for j in range(n_lo):
        q = chk_lo[j]
        for i in range(k):
            w[j, i] = dz[q, i]
        if lo_slot[q] >= 0:
            w[j, lo_slot[q]] -= 1.0
    for j in range(n_hi):
        q = chk_hi[j]
        c = n_lo + j
        for i in range(k):
            w[c, i] = -dz[q, i]
        if hi_slot[q] >= 0:
            w[c, hi_slot[q]] += 1.0
    for j in range(fixed.size):
        q = fixed[j]
        c = n_lo + n_hi + j
        if lo_slot[q] >= 0:
            w[c, lo_slot[q]] += 1.0
        if hi_slot[q] >= 0:
            w[c, hi_slot[q]] -= 1.0
    # groups: slacks hashed by a random projection, sorted by hash, equal only if equal entry by entry
    h = w @ probe
    order = np.argsort(h, kind="mergesort")
    group = np.full(nc, -1, dtype=np.int64)
    n_groups = 0
    a = 0
    while a < nc:
        e = a + 1
        while e < nc and h[order[e]] == h[order[a]]:
            e += 1
        for p in range(a, e):  # within a run of equal hashes (by slack index): join an earlier equal slack
            c = order[p]
            for p2 in range(a, p):
                c2 = order[p2]
                if group[c2] >= 0 and np.all(w[c] == w[c2]):
                    group[c] = group[c2]
                    break
            if group[c] < 0:
                group[c] = n_groups
                n_groups += 1
        a = e
    rank = np.full(n_groups, -1, dtype=np.int64)  # renumber the groups by their first slack
    first = np.empty(n_groups, dtype=np.int64)
    g_next = 0
    for c in range(nc):
        g = group[c]
        if rank[g] < 0:
            rank[g] = g_next
            first[g_next] = c
            g_next += 1
        group[c] = rank[g]
    s_ptr, s_idx, s_val = _sparse_rows(w, first)
    x_ptr, x_idx, x_val = _sparse_rows(dz, out)
    return group, first, s_ptr, s_idx, s_val, x_ptr, x_idx, x_val


def _sparse_rows_py(a, rows):  # noqa: ANN001,ANN201 # pragma: no cover - compiled by Numba
    """Rows ``rows`` of ``a`` (·, k) stored sparse: row ``j``'s entries (data slot, value) at ``ptr[j]:ptr[j + 1]``,
    by increasing slot (the loop then sums each slack in the order of the dense product)."""
    k = a.shape[1]
    nnz = 0
    for j in range(rows.size):
        for i in range(k):
            if a[rows[j], i] != 0.0:
                nnz += 1
    ptr = np.zeros(rows.size + 1, dtype=np.int64)
    idx = np.empty(nnz, dtype=np.int64)
    val = np.empty(nnz)
    e = 0
    for j in range(rows.size):
        for i in range(k):
            v = a[rows[j], i]
            if v != 0.0:
                idx[e] = i
                val[e] = v
                e += 1
        ptr[j + 1] = e
    return ptr, idx, val


_sparse_rows = _njit(_sparse_rows_py) if _njit is not None else _sparse_rows_py
_map_entry = _njit(_map_entry_py) if _njit is not None else _map_entry_py


def solve(bank: Bank, ukey: int, idx: np.ndarray, d: np.ndarray, cand: np.ndarray, x: np.ndarray,
          status: np.ndarray, viol: np.ndarray, pivots: np.ndarray, tol: float, max_pivots: int, used: np.ndarray,
          clock: int) -> None:
    """Run the compiled loop for scenarios ``idx`` (see the module doc); fills x, status, viol, pivots, and
    ``used[b] = clock`` for each basis ``b`` that solves a scenario (``used`` must cover every basis id)."""
    if idx.size:
        bank._ensure(int(cand[idx].max()))  # every basis id the loop can meet has a slot
    _loop(idx, d, cand, bank.has_map, bank.ng, bank.s_off, bank.sv_off, bank.S_ptr.data, bank.S_idx.data,
          bank.S_val.data, bank.x_off, bank.xv_off, bank.X_ptr.data, bank.X_idx.data, bank.X_val.data,
          bank.t_off, bank.trans.data, bank.consts(ukey), bank.C.data, bank.M.data, bank.r, tol,
          max_pivots, x, status, viol, pivots, used, clock)


def load() -> None:
    """Load the compiled loop from Numba's cache now rather than inside the first step: the first compiled call
    of a process also loads Numba's type registries (~0.3 s, once)."""
    if _njit is None:  # pragma: no cover - depends on the environment
        return
    one = np.zeros(1, dtype=np.int64)
    solve(Bank(1, 1), 0, one, np.zeros((1, 2)), np.full(1, -1, dtype=np.int64), np.empty((1, 1)),
          np.empty(1, dtype=np.int8), one.copy(), one.copy(), 1e-9, 0, one.copy(), 0)


def _loop_py(idx, d, cand, has_map, ng, s_off, sv_off, S_ptr, S_idx, S_val, x_off, xv_off, X_ptr, X_idx,  # noqa: ANN001
             X_val, t_off, trans, coff, C, M, r, tol, max_piv, x, status, viol,  # noqa: ANN001
             pivots, used, clock):  # noqa: ANN001 # pragma: no cover
    for n in range(idx.size):
        s = idx[n]
        b = cand[s]
        piv = 0
        while True:
            if b < 0:
                status[s] = HIGHS
                break
            hm = has_map[b]
            if hm == 0:
                status[s] = NEED_MAP
                cand[s] = b
                break
            if hm < 0:
                status[s] = HIGHS
                break
            co = coff[b]
            if co < 0:
                status[s] = NEED_CONST
                cand[s] = b
                break
            m = ng[b]
            p0, v0 = s_off[b], sv_off[b]
            gmin = -1
            vmin = -tol
            for g in range(m):  # each group's smallest slack: constant + sparse w·d
                acc = C[co + g]
                for e in range(v0 + S_ptr[p0 + g], v0 + S_ptr[p0 + g + 1]):
                    acc += d[s, S_idx[e]] * S_val[e]
                if acc < vmin:
                    vmin = acc
                    gmin = g
            if gmin < 0:
                cx = co + m
                p0, v0 = x_off[b], xv_off[b]
                for j in range(r):
                    acc = C[cx + j]
                    for e in range(v0 + X_ptr[p0 + j], v0 + X_ptr[p0 + j + 1]):
                        acc += d[s, X_idx[e]] * X_val[e]
                    x[s, j] = acc
                status[s] = OK
                cand[s] = b
                pivots[s] = piv
                used[b] = clock
                break
            jmin = M[co + gmin]  # the slack itself
            cand[s] = b
            viol[s] = jmin
            if piv >= max_piv:
                status[s] = HIGHS
                break
            target = trans[t_off[b] + jmin]
            if target == _UNKNOWN:
                status[s] = NEED_PIVOT
                break
            if target == _NONE:
                status[s] = HIGHS
                break
            b = target
            piv += 1


def _write_constants_py(rows, r, group, g0, nc, ng, C, M, off):  # noqa: ANN001 # pragma: no cover - compiled by Numba
    """A basis's constants from ``off``, ``ng + r`` entries per row of ``rows``: in ``C`` each group's smallest
    slack constant, then the outputs' (a row = the outputs' values, then the ``nc`` slacks', slack ``j`` in group
    ``group[g0 + j]``); in ``M`` the first slack holding each group's smallest constant (then zeros)."""
    for u in range(rows.shape[0]):
        row = rows[u]
        o = off + u * (ng + r)
        for g in range(ng):
            M[o + g] = -1
        for j in range(nc):
            g = group[g0 + j]
            v = row[r + j]
            if M[o + g] < 0 or v < C[o + g]:
                C[o + g] = v
                M[o + g] = j
        for j in range(r):
            C[o + ng + j] = row[j]
            M[o + ng + j] = 0


_write_constants = _njit(_write_constants_py) if _njit is not None else _write_constants_py
_loop = _njit(_loop_py) if _njit is not None else _loop_py
