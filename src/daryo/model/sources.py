"""Where a model's numbers come from: the references an element's ``source`` text cites, looked up in the model's
``metadata.sources`` and in a ``sources.md`` beside its file (the embedded Aral model's bibliography,
``daryo/data/aral/sources.md``: a line ``- F16. citation`` a reference)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

__all__ = ["cited_tags", "cited_references", "references_beside"]

#: a reference's tag as sources cite it: letters, then digits (``F16``, ``D7``), a range of them ``F16-F18``
_TAG = re.compile(r"\b([A-Z]{1,3})(\d+)(?:\s*[-–]\s*([A-Z]{0,3})(\d+))?\b")


def cited_tags(text: str) -> list[str]:
    """The reference tags ``text`` cites in square brackets, in order, once each, ranges written out: ``19.5 km3
    [F16-F18]; 13 km3 [F14]; [D7, D20]`` cites F16, F17, F18, F14, D7 and D20.  Labels that are not references
    (``[EST]``, ``[ASSUMPTION]``) are not tags."""
    tags: list[str] = []
    for inside in re.findall(r"\[([^\[\]]*)\]", text):
        for letters, first, to_letters, last in _TAG.findall(inside):
            if last and to_letters in ("", letters) and int(first) <= int(last) <= int(first) + 50:
                found = [f"{letters}{k}" for k in range(int(first), int(last) + 1)]
            else:
                found = [f"{letters}{first}"] + ([f"{to_letters}{last}"] if last else [])
            tags += [t for t in found if t not in tags]
    return tags


def cited_references(text: str, sources: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each reference of ``sources`` (tag → its full citation) that ``text`` cites, as (tag, citation): in square
    brackets (:func:`cited_tags`; a tag ``sources`` lacks is given with an empty citation), then a tag of
    ``sources`` named outside them (``bathymetry from D25``)."""
    tags = cited_tags(text)
    tags += [t for t in dict.fromkeys(re.findall(r"\b[A-Z]{1,3}\d+\b", text)) if t in sources and t not in tags]
    return [(tag, str(sources.get(tag, ""))) for tag in tags]


def references_beside(model_file: str | Path | None) -> dict[str, str]:
    """The references of the ``sources.md`` beside ``model_file`` (tag → citation: its lines ``- TAG. citation``,
    as the embedded model's bibliography writes them); empty where there is none, or it cannot be read."""
    if not model_file:
        return {}
    try:
        text = Path(model_file).with_name("sources.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^- ([A-Z]{1,3}\d+)\. (.+)$", text, re.MULTILINE)}
