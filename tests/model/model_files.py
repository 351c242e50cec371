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
