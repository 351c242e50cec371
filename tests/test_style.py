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


def _imports(path: Path) -> set[str]:
    """The daryo modules a source file imports, at its top or inside a function, as absolute names."""
    import ast

    module = ".".join(path.relative_to(ROOT / "src").with_suffix("").parts).removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[:len(base) - node.level + 1] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            found |= {name} | {f"{name}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "daryo" or name.startswith("daryo.")}


def test_the_stages_import_only_the_stages_before_them():
    """The data flows one way (model → compiled network → simulator → results → indicators → CLI): the model's
    modules import none of the stages after them, the numerical core (network, simulate, solver) neither the
    results, ensembles, comparisons nor the command line, and nothing but the command line imports the command line
    (a maintainer's review: nothing held this)."""
    core = ("daryo.network", "daryo.simulate", "daryo.solver")
    later = ("daryo.results", "daryo.ensemble", "daryo.compare", "daryo.compare_notes", "daryo.indicators",
             "daryo.sdg", "daryo.cli", "daryo.api")
    wrong = []
    paths = sorted((ROOT / "src" / "daryo").rglob("*.py"))
    assert len(paths) > 30  # (the tree is where the test looks)
    for path in paths:
        module = ".".join(path.relative_to(ROOT / "src").with_suffix("").parts)
        imported = _imports(path)
        if not module.startswith(("daryo.cli", "daryo.__main__")):
            wrong += [(module, name) for name in imported if name == "daryo.cli" or name.startswith("daryo.cli.")]
        if module.startswith(core):
            wrong += [(module, name) for name in imported if any(name == s or name.startswith(f"{s}.") for s in later)]
        if module.startswith("daryo.model"):  # (the model file's stage: before the compiled network and all after)
            wrong += [(module, name) for name in imported
                      if any(name == s or name.startswith(f"{s}.") for s in (*core, *later))]
    assert not wrong, wrong


def test_no_two_test_modules_share_a_name():
    """pytest imports test modules by their name alone (the folders have no __init__.py, so that helpers such as
    ensemble_cases import plainly): two test_tables.py, of results and of ensemble, stopped the whole suite at
    collection, while runs of the folders one at a time passed."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_the_package_leaves_the_process_warning_filters_alone():
    """A library user's review: daryo changed Python's warning filters, which the threads of a process share
    (``warnings.catch_warnings`` is not thread-safe before Python 3.14): four threads loading a model left every
    warning of the process silenced.  No source file of the package touches them; a warning is avoided where it
    would arise instead."""
    import re

    found = [f"{path.relative_to(ROOT)}:{i}: {line.strip()}" for path in sorted((ROOT / "src").rglob("*.py"))
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\b(catch_warnings|simplefilter|filterwarnings|resetwarnings)\b|warnings\.filters", line)]
    assert found == []
