"""The embedded Aral model's sources, shipped with it (``daryo/data/aral/sources.md``).

A release engineer's review: the model files and their caveats cite ``[F23]``, ``[D65]`` and ``docs/aral-basin.md``
(hydrology.yaml even a path of the build machine), none of which an installation with pip has.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from daryo.basins.aral import aral_model_path
from daryo.basins.aral.sources import card_sources, sources_path

ROOT = Path(__file__).parents[2]

#: the tags of a source: F (the shared fact sheet), D (its detailed companion), A (added for this model)
_TAG = re.compile(r"\b([FDA])(\d+)(?:\s*[-–]\s*(?:\1)?(\d+))?\b")


def cited_tags(text: str) -> set[str]:
    """The source tags a text cites (``F23``; a range ``D17-19`` or ``F40-F42`` gives each tag of it)."""
    tags: set[str] = set()
    for kind, first, last in _TAG.findall(text):
        tags.update(f"{kind}{n}" for n in range(int(first), int(last or first) + 1))
    return tags


def listed_tags(sources: str) -> set[str]:
    """The source tags a list of sources (``sources.md``) holds: those that begin an item, ``- F23. …``, and
    those withdrawn, ``- (A5 withdrawn: …)``."""
    return {f"{kind}{n}" for kind, n in re.findall(r"^- \(?([FDA])(\d+)[. ]", sources, re.MULTILINE)}


def test_a_tag_range_cites_each_source_of_it():
    assert cited_tags("[D17-19], [F40-F42]; F7 and [D section 5.1], A<n>") == {
        "D17", "D18", "D19", "F40", "F41", "F42", "F7"}


def test_every_source_the_shipped_model_files_cite_is_in_the_shipped_list():
    folder = aral_model_path().parent
    listed = listed_tags(sources_path().read_text(encoding="utf-8"))
    assert {"F23", "D65", "A7"} <= listed
    files = sorted(folder.rglob("*.yaml"))
    assert {"aral.yaml", "hydrology.yaml", "icwc.yaml"} <= {f.name for f in files}
    missing = {f.name: sorted(cited_tags(f.read_text(encoding="utf-8")) - listed) for f in files}
    assert {name: tags for name, tags in missing.items() if tags} == {}
    assert not any("/work/" in f.read_text(encoding="utf-8") for f in files)  # (no path of the build machine)


def test_the_shipped_list_is_the_model_cards_and_is_package_data():
    card = (ROOT / "docs" / "aral-basin.md").read_text(encoding="utf-8")
    assert sources_path().read_text(encoding="utf-8") == card_sources(card), (
        "src/daryo/data/aral/sources.md is out of date: python -m daryo.basins.aral.sources docs/aral-basin.md")
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["daryo"]
    shipped = {p for g in globs for p in (ROOT / "src" / "daryo").glob(g)}
    assert (ROOT / "src" / "daryo" / "data" / "aral" / "sources.md") in shipped
