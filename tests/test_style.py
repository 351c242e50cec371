"""The code style that STYLE.md asks for is checked by the suite: ruff (lint) and mypy (types)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_ruff_is_clean():
    r = subprocess.run([_tool("ruff"), "check", "src", "tests", "benchmarks"], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_is_clean():
    r = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


_IMPORT_EACH = """
import importlib, pkgutil, sys
import daryo
names = sorted(m.name for m in pkgutil.walk_packages(daryo.__path__, "daryo.") if m.name != "daryo.__main__")
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "daryo" or m.startswith("daryo.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(names))
print("\\n".join(failed))
"""


def test_every_module_imports_first():
    """Each module of the package imports as the first of daryo's (``import daryo.parameters`` alone was a
    circular-import error, hidden in the suite by the modules other tests had imported before)."""
    r = subprocess.run([sys.executable, "-c", _IMPORT_EACH], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    count, *failed = r.stdout.strip().split("\n")
    assert int(count) > 30 and failed == [], failed
