"""Helpers of the model tests: write a model file, and the problems loading it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

import daryo
from daryo.errors import ModelError


def write_model(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    """Write ``text`` to ``tmp_path / name``; returns the path."""
    p = tmp_path / name
    p.write_text(text)
    return p


def load_problems(path: Path) -> list[str]:
    """The problems (as text) that loading ``path`` reports; fails the test if it loads."""
    with pytest.raises(ModelError) as info:
        daryo.load(path)
    return [str(p) for p in info.value.problems]


#: the first lines of a small model file: a year of months from January 2001
HEAD = """\
version: 1
time: {start: 2001-01, end: 2001-12}
"""


def load_body(tmp_path: Path, body: str) -> daryo.Model:
    """Load a model of :data:`HEAD` and ``body`` written to ``tmp_path / "m.yaml"``."""
    return daryo.load(write_model(tmp_path, HEAD + body))


def dam_and_plant(plant: str) -> str:
    """A dam (levels 400–420 m) and a plant on it with the attributes ``plant``, the 6th line of the file."""
    return f"""\
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: dam, type: reservoir, max_volume: 100, level_table: {{volume: [0, 100], level: [400, 420]}}}}
  - {{id: plant, type: hydropower, capacity: 30 MW, reservoir: dam, {plant}}}
  - {{id: sea, type: sink}}
edges: [[src, dam], [dam, plant], [plant, sea]]
"""
