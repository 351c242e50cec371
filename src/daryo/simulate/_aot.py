"""Kernels compiled ahead of time, so that a process's first run does not wait for Numba to start.

The first call of a Numba-compiled function in a process initialises Numba's typing and lowering registries
(0.16–0.37 s on the project's machine, whatever the function) and then loads the function from Numba's cache.
A run of few scenarios of a ``priority``-mode model (the embedded default's ``daryo run``) calls one compiled
kernel, the dual simplex's, and takes ~0.3 s in all: that start-up would nearly double it.

``python -m daryo.simulate._aot`` (run by :mod:`daryo.precompile`, which ``make`` runs) compiles the kernels in
:data:`EXPORTS` with :mod:`numba.pycc` (pending deprecation in Numba, still shipped) into an extension module
beside this file, which needs no Numba at run time.  Its name carries two digests: of the source it is built
from (the kernels' modules, :mod:`daryo.simulate._kernel` with their Numba options, and this file), and of the
platform (the NumPy and Numba versions and the CPU, for which it is built).  A kernel edited since, or another
platform, finds no module of its name, and :func:`kernel` returns the Numba-compiled function until the module
is rebuilt.

A function compiled ahead of time does not check its arguments (a float32 array where it expects float64 is
read as garbage), and it holds the GIL, which Numba's kernels release.  So :func:`kernel` checks each call's
arguments, and hands a call that does not match the exported signature exactly, or that comes from a thread
other than the main one, to the Numba-compiled function.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.machinery
import importlib.util
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = ["EXPORTS", "kernel", "module_name", "status", "build", "main"]

_HERE = Path(__file__).resolve().parent
_MAIN = threading.main_thread()

# name -> (the module holding its Python source, the function, its argument types in Numba's notation: a
# contiguous array "f8[::1]", "i1[:,::1]"; an array of any layout "f8[:,:]"; a scalar "i8", "f8")
EXPORTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "solve_all": ("daryo.simulate._dualsimplex", "_solve_all_py", (
        "i8[::1]", "f8[:,::1]", "f8[:,:]", "i1[:,::1]", "f8[::1]", "f8[:,:]", "i8[::1]", "i8", "f8", "f8", "i8",
        "i8[::1]", "i8[::1]", "f8[::1]", "i8[::1]", "i8[::1]", "i8[::1]", "f8[::1]", "i8", "f8[:,::1]", "i1[::1]",
        "f8[:,::1]", "i8[::1]")),
}

_DTYPES: dict[str, np.dtype] = {"i1": np.dtype(np.int8), "i8": np.dtype(np.int64), "f8": np.dtype(np.float64),
                                "b1": np.dtype(np.bool_)}
_SCALARS: dict[str, tuple[type, ...]] = {"i8": (int, np.int64), "f8": (float, np.float64)}
_TYPE = re.compile(r"^(i1|i8|f8|b1)(?:\[([:, 1]+)\])?$")
_MODULE = re.compile(r"^_aot_([0-9a-f]{12})_([0-9a-f]{12})$")  # the digests of the source and of the platform
_PYCC_OPTIONS = {"cache", "nogil", "fastmath"}  # Numba options whose kernels pycc reproduces (fastmath off)


class _Arg(NamedTuple):
    """One argument's type: an array's dtype, dimensions and whether it must be C-contiguous; or a scalar's
    accepted Python and NumPy types (``ndim`` 0)."""

    dtype: np.dtype
    ndim: int
    contiguous: bool
    scalar: tuple[type, ...] = ()


def _parse(code: str) -> _Arg:
    m = _TYPE.match(code)
    dims = m.group(2).replace(" ", "").split(",") if m and m.group(2) else []
    if m is None or not (dims or m.group(1) in _SCALARS):
        raise ValueError(f"argument type {code!r}: use an array of i1, i8, f8 or b1 such as f8[:,::1], or a "
                         "scalar i8 or f8")
    return _Arg(_DTYPES[m.group(1)], len(dims), bool(dims) and dims[-1] == "::1", _SCALARS.get(m.group(1), ()))


def _fits(args: tuple[Any, ...], spec: tuple[_Arg, ...]) -> bool:
    """True when ``args`` are exactly of the types ``spec`` (arrays: an ``np.ndarray``, not a subclass, of the
    dtype and dimensions, writeable, aligned, C-contiguous where required; scalars: exactly a Python or NumPy
    int64 or float64, not a bool)."""
    if len(args) != len(spec):
        return False
    for a, (dtype, ndim, contiguous, scalar) in zip(args, spec, strict=True):
        if ndim:  # (``is`` first: most arrays share NumPy's own dtype objects, and ``==`` takes ~0.5 µs)
            if type(a) is not np.ndarray or a.ndim != ndim or not (a.dtype is dtype or a.dtype == dtype):
                return False
            flags = a.flags
            if not (flags.writeable and flags.aligned) or (contiguous and not flags.c_contiguous):
                return False
        elif type(a) not in scalar:
            return False
    return True


class _Checked:
    """A kernel compiled ahead of time (``aot``), called from the main thread when the arguments fit its
    signature, else ``jit``."""

    def __init__(self, aot: Callable[..., Any], jit: Callable[..., Any], spec: tuple[_Arg, ...]) -> None:
        self.aot, self.jit, self.spec = aot, jit, spec

    def __call__(self, *args: Any) -> Any:
        fits = threading.current_thread() is _MAIN and _fits(args, self.spec)
        return (self.aot if fits else self.jit)(*args)


def _sources() -> list[Path]:
    """The files the module is built from: the exported kernels' modules, :mod:`daryo.simulate._kernel` (their
    Numba options) and this file."""
    modules = {module for module, _, _ in EXPORTS.values()} | {"daryo.simulate._kernel"}
    found = (importlib.util.find_spec(module) for module in modules)
    return sorted({Path(spec.origin) for spec in found if spec and spec.origin} | {Path(__file__).resolve()})


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.hexdigest()[:12]


def _platform() -> str:
    """The digest of the NumPy and Numba versions and the host CPU (name and features)."""
    import llvmlite.binding as llvm
    import numba

    return _digest(f"numpy {np.__version__} numba {numba.__version__} cpu {llvm.get_host_cpu_name()} "
                   f"{llvm.get_host_cpu_features().flatten()}".encode())


def module_name() -> str:
    """The compiled module's name for the current source and platform (``_aot_<source>_<platform>``)."""
    return f"_aot_{_digest(*(path.read_bytes() for path in _sources()))}_{_platform()}"


def _import(name: str) -> Any:
    return importlib.import_module(f"{__package__}.{name}")


def _load() -> Any:
    """The module for the current source and platform, or None (not built, or a digest that cannot be had:
    llvmlite cannot read some CPUs' features)."""
    try:
        return _import(module_name())
    except Exception:  # noqa: BLE001 - any failure leaves the Numba-compiled kernels in use
        return None


def kernel(name: str, jit: Callable[..., Any]) -> Callable[..., Any]:
    """The kernel ``name`` of :data:`EXPORTS`: compiled ahead of time if the module for the current source and
    platform has been built (with each call checked, see the module doc), else ``jit``."""
    module = _load()
    if module is None:
        return jit
    return _Checked(getattr(module, name), jit, tuple(_parse(code) for code in EXPORTS[name][2]))


def status() -> str:
    """``"built"`` when the module for the current source and platform exists, else ``"not built"``."""
    return "built" if _load() is not None else "not built"


def build() -> Path:
    """Compile :data:`EXPORTS` into this package's folder and remove the modules this platform built from
    other source; returns the module's path.  The module is written in a temporary folder and moved into place,
    so an interrupted build leaves no module behind.  Needs Numba, setuptools and a C compiler; ~15–25 s.

    Raises
    ------
    RuntimeError
        If the kernels' Numba options (:data:`daryo.simulate._kernel._JIT_OPTIONS`) are not ones pycc
        reproduces: the precompiled kernel would not give the Numba kernel's results.
    """
    from numba.pycc import CC

    from ._kernel import _JIT_OPTIONS

    if set(_JIT_OPTIONS) - _PYCC_OPTIONS or _JIT_OPTIONS.get("fastmath"):
        raise RuntimeError(f"the kernels' Numba options {_JIT_OPTIONS} are not what numba.pycc compiles with "
                           f"(it reproduces {sorted(_PYCC_OPTIONS)} with fastmath off)")
    name = module_name()
    with tempfile.TemporaryDirectory(dir=_HERE, prefix=".aot-build-") as tmp:
        cc = CC(name)
        cc.output_dir = tmp
        cc.target_cpu = "host"  # as Numba's JIT: the module is built on the machine that runs it
        for export, (module, function, args) in EXPORTS.items():
            for code in args:
                _parse(code)
            fn = getattr(importlib.import_module(module), function)
            cc.export(export, f"void({', '.join(args)})")(fn)
        cc.compile()
        built = next(Path(tmp).glob(f"{name}.*"))
        target = _HERE / built.name
        os.replace(built, target)
    _remove_superseded(_HERE, name)
    return target


def _remove_superseded(folder: Path, name: str) -> None:
    """Remove the modules in ``folder`` built for the platform of module ``name`` from other source (those of
    other platforms stay: an installation may be shared by machines of other CPUs)."""
    m = _MODULE.match(name)
    assert m is not None
    source, platform = m.groups()
    for old in folder.iterdir():
        stem, dot, suffix = old.name.partition(".")
        other = _MODULE.match(stem)
        if other and other.group(2) == platform and other.group(1) != source \
                and f"{dot}{suffix}" in importlib.machinery.EXTENSION_SUFFIXES:
            old.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m daryo.simulate._aot``: build the module unless the current one exists.  A build that fails
    says why on stderr and returns 0: daryo then uses the kernels Numba compiles (``make test`` fails the test
    of the module's results instead)."""
    argparse.ArgumentParser(prog="python -m daryo.simulate._aot",
                            description="Compile daryo's dual simplex ahead of time.").parse_args(argv)
    if status() == "built":
        print(f"daryo: the precompiled kernels are up to date ({module_name()})")
        return 0
    t0 = time.perf_counter()
    try:
        path = build()  # (numba.pycc's notice of its pending deprecation: hidden by Python's default filters)
    except Exception as e:  # noqa: BLE001 - any failure leaves the Numba-compiled kernels in use
        print(f"daryo: could not precompile the kernels ({type(e).__name__}: {e}); a process's first run of a "
              f"priority-mode model will wait for Numba to compile or load them instead (same results)",
              file=sys.stderr)
        return 0
    print(f"daryo: precompiled the kernels in {time.perf_counter() - t0:.0f} s: {path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
