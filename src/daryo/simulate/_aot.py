"""Kernels compiled ahead of time, so that a process's first run does not wait for Numba to start.

The first call of a Numba-compiled function in a process initialises Numba's typing and lowering registries
(0.27–0.37 s on the project's machine, whatever the function) and then loads the function from Numba's cache.
A run of few scenarios of a ``priority``-mode model (the embedded default's ``daryo run``) calls one compiled
kernel, the dual simplex's, and takes ~0.3 s in all: that start-up would double it.

``python -m daryo.simulate._aot`` (run by ``make``) compiles the kernels in :data:`EXPORTS` with
:mod:`numba.pycc` into an extension module beside this file, which needs no Numba at run time.  Its name
carries a fingerprint of the kernels' source, this file, the NumPy and Numba versions and the CPU, so a
kernel that has been edited since is never run stale: :func:`kernel` then returns the Numba-compiled one until
the module is rebuilt.  A function compiled ahead of time does not check its arguments (a float32 array where it expects
float64 is read as garbage), so :func:`kernel` checks them at each call and hands any call that does not match
the exported signature exactly to the Numba-compiled function.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = ["EXPORTS", "kernel", "module_name", "status", "build", "main"]

_HERE = Path(__file__).resolve().parent

# name -> (the module holding its Python source, the function, its argument types in Numba's notation: a
# contiguous array "f8[::1]", "i1[:,::1]"; any layout "f8[:,:]"; a scalar "i8", "f8")
EXPORTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "solve_all": ("daryo.simulate._dualsimplex", "_solve_all_py", (
        "i8[::1]", "f8[:,::1]", "f8[:,:]", "i1[:,::1]", "f8[::1]", "f8[:,:]", "i8[::1]", "i8", "f8", "f8", "i8",
        "i8[::1]", "i8[::1]", "f8[::1]", "i8[::1]", "i8[::1]", "i8[::1]", "f8[::1]", "i8", "f8[:,::1]", "i1[::1]",
        "f8[:,::1]", "i8[::1]")),
}

_DTYPES: dict[str, np.dtype] = {"i1": np.dtype(np.int8), "i8": np.dtype(np.int64), "f8": np.dtype(np.float64),
                                "b1": np.dtype(np.bool_)}
_TYPE = re.compile(r"^(i1|i8|f8|b1)(?:\[([:, 1]+)\])?$")


class _Arg(NamedTuple):
    """One argument's type: its dtype, dimensions (0: a scalar) and whether it must be C-contiguous."""

    dtype: np.dtype
    ndim: int
    contiguous: bool


def _parse(code: str) -> _Arg:
    m = _TYPE.match(code)
    if m is None:
        raise ValueError(f"argument type {code!r}: use i1, i8, f8 or b1, as a scalar or an array such as f8[:,::1]")
    dims = m.group(2).replace(" ", "").split(",") if m.group(2) else []
    return _Arg(_DTYPES[m.group(1)], len(dims), bool(dims) and dims[-1] == "::1")


def _fits(args: tuple[Any, ...], spec: tuple[_Arg, ...]) -> bool:
    """True when ``args`` are exactly of the types ``spec`` (arrays: dtype, dimensions, contiguity, writeable and
    aligned; scalars: a Python or NumPy number of the right kind, not a bool)."""
    if len(args) != len(spec):
        return False
    for a, (dtype, ndim, contiguous) in zip(args, spec, strict=True):
        if ndim:  # (``is`` first: most arrays share NumPy's own dtype objects, and ``==`` takes ~0.5 µs)
            if type(a) is not np.ndarray or a.ndim != ndim or not (a.dtype is dtype or a.dtype == dtype):
                return False
            flags = a.flags
            if not (flags.writeable and flags.aligned) or (contiguous and not flags.c_contiguous):
                return False
        elif dtype.kind == "f":
            if not isinstance(a, (float, np.floating)):
                return False
        elif isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            return False
    return True


class _Checked:
    """A kernel compiled ahead of time (``aot``), called when the arguments fit its signature, else ``jit``."""

    def __init__(self, aot: Callable[..., Any], jit: Callable[..., Any], spec: tuple[_Arg, ...]) -> None:
        self.aot, self.jit, self.spec = aot, jit, spec

    def __call__(self, *args: Any) -> Any:
        return (self.aot if _fits(args, self.spec) else self.jit)(*args)


def fingerprint() -> str:
    """A digest of what the compiled module depends on: the exported kernels' source files, this file, the
    NumPy and Numba versions and the CPU (the module is built for the host's, so an installation shared by
    machines of other CPUs finds no module there and uses Numba's kernels)."""
    import llvmlite.binding as llvm
    import numba

    h = hashlib.sha256()
    for path in sorted({_source_file(module) for module, _, _ in EXPORTS.values()} | {Path(__file__).resolve()}):
        h.update(path.read_bytes())
    h.update(f"numpy {np.__version__} numba {numba.__version__} cpu {llvm.get_host_cpu_name()} "
             f"{llvm.get_host_cpu_features().flatten()}".encode())
    return h.hexdigest()[:16]


def _source_file(module: str) -> Path:
    return _HERE / f"{module.rsplit('.', 1)[1]}.py"


def module_name() -> str:
    """The compiled module's name for the current source (``_aot_<fingerprint>``)."""
    return f"_aot_{fingerprint()}"


def _load() -> Any:
    try:
        return importlib.import_module(f"{__package__}.{module_name()}")
    except ImportError:
        return None


def kernel(name: str, jit: Callable[..., Any]) -> Callable[..., Any]:
    """The kernel ``name`` of :data:`EXPORTS`: compiled ahead of time if the module for the current source has
    been built (with each call's arguments checked, see the module doc), else ``jit``."""
    module = _load()
    if module is None:
        return jit
    return _Checked(getattr(module, name), jit, tuple(_parse(code) for code in EXPORTS[name][2]))


def status() -> str:
    """``"built"`` when the module for the current source exists, else ``"not built"``."""
    return "built" if _load() is not None else "not built"


def build() -> Path:
    """Compile :data:`EXPORTS` into this package's folder, removing modules built from other source; returns
    the module's path.  The module is written in a temporary folder and moved into place, so an interrupted
    build leaves no module behind.  Needs Numba, setuptools and a C compiler; takes ~15–25 s."""
    from numba.pycc import CC

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
    for old in _HERE.glob("_aot_*"):
        if old.name.split(".", 1)[0] != name:
            old.unlink()
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m daryo.simulate._aot``: build the module unless the current one exists."""
    p = argparse.ArgumentParser(prog="python -m daryo.simulate._aot",
                                description="Compile daryo's dual simplex ahead of time.")
    p.add_argument("--strict", action="store_true", help="fail when the module cannot be built (default: warn; "
                                                         "daryo then uses the kernels Numba compiles)")
    a = p.parse_args(argv)
    if status() == "built":
        print(f"daryo: the precompiled kernels are up to date ({module_name()})")
        return 0
    t0 = time.perf_counter()
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numba.pycc's pending-deprecation notice
            path = build()
    except Exception as e:  # noqa: BLE001 - any failure leaves the Numba-compiled kernels in use
        print(f"daryo: could not precompile the kernels ({type(e).__name__}: {e}); daryo will compile them with "
              f"Numba at a process's first run instead", file=sys.stderr)
        return 1 if a.strict else 0
    print(f"daryo: precompiled the kernels in {time.perf_counter() - t0:.0f} s: {path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
