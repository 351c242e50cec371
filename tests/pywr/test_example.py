"""The Pywr example of the docs, ``docs/examples/pywr_model.json``, runs with the commands that docs/pywr.md and the
README give for it, to the results worked out by hand, and, with Pywr installed, to Pywr's own."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import numpy as np
import pytest

import daryo
from daryo.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "pywr_model.json"


def _commands(text: str) -> list[list[str]]:
    """The ``daryo ...`` commands of ``text`` that name the example, as argument lists (comments dropped)."""
    found = []
    for line in text.splitlines():
        line = re.sub(r"^\.venv/bin/", "", line.strip())
        if line.startswith("daryo ") and "docs/examples/pywr_model.json" in line:
            found.append(shlex.split(line.split("#", 1)[0])[1:])
    return found


def test_the_documented_commands_run_the_example(tmp_path, monkeypatch, capsys):
    """A technical editor's review: docs/pywr.md's first commands and the README's ran a ``model.json`` (a
    ``pywr_model.json``) that nobody has.  Both now name the example, and each command runs as written from the
    repository root (here a copy of its docs/examples, so that the converted files are written in tmp_path);
    so does the Python example."""
    shutil.copytree(EXAMPLE.parent, tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    guide = (ROOT / "docs" / "pywr.md").read_text(encoding="utf-8")
    commands = _commands(guide) + _commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert [c[0] for c in commands] == ["run", "validate", "convert", "convert", "run"]
    for args in commands:
        assert main(args) == 0, args
    capsys.readouterr()
    assert (tmp_path / "model.yaml").is_file() and (tmp_path / "daryo.json").is_file()
    python = guide.split("```python\n", 1)[1].split("```", 1)[0]
    assert 'daryo.load("docs/examples/pywr_model.json")' in python
    exec(compile(python, "docs/pywr.md", "exec"), {})


def test_the_example_runs_to_the_hand_worked_results():
    """The example (flows Mm³/day, volumes Mm³, 2021's months)::

        catchment --> reservoir (150 of 400, cost -1) --> town (cost -10)
                           '-------------------------> spill (cost 2)

    The town takes its demand every month (its benefit is the largest); the reservoir keeps the rest until it is
    full, and only then spills.  Net gain (catchment - town) times the month's days: 0, 0, 1 × 31, 2 × 30, 4 × 31
    = 124 (150 → 365 by May), 4 × 30 = 120 in June, of which 35 fill it to 400 and 85 spill; then 0, -3 × 31,
    -2 × 30, -1.5 × 31, -0.5 × 30, 0: it ends at 400 - 93 - 60 - 46.5 - 15 = 185.5."""
    ds = daryo.run(daryo.load(EXAMPLE)).dataset
    np.testing.assert_allclose(ds.storage.sel(reservoir="reservoir").values.ravel(),
                               [150, 150, 181, 241, 365, 400, 400, 307, 247, 200.5, 185.5, 185.5], atol=1e-9)
    np.testing.assert_allclose(ds.sink_inflow.sel(sink="spill").values.ravel(), [0] * 5 + [85] + [0] * 6, atol=1e-9)
    np.testing.assert_allclose(ds.deficit.values, 0.0, atol=1e-9)
    # the town's demand times the days: 62 + 56 + 62 + 90 + 124 + 150 + 186 + 186 + 120 + 93 + 60 + 62
    assert float(ds.delivery.sum()) == pytest.approx(1251.0)


def test_the_example_agrees_with_pywr():
    pytest.importorskip("pywr.model", reason="Pywr is the peer engine (pip install pywr)")
    from pywr_harness import assert_same_as_pywr

    theirs = assert_same_as_pywr(EXAMPLE)
    assert float(theirs["reservoir"][-1, 0]) == pytest.approx(185.5)
