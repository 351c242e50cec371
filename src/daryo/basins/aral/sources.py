"""The sources the embedded Aral model cites, shipped with it: ``daryo/data/aral/sources.md``.

The model files tag each number with its source (``[F23]``, ``[D65]``, ``[A7]``), numbered as in the model card
(``docs/aral-basin.md``, section 10), which an installation from a package index does not have.  The file shipped
beside ``aral.yaml`` holds the card's sections 1 (how the tags read) and 10 (the sources); regenerate it from the
card after changing either::

    python -m daryo.basins.aral.sources docs/aral-basin.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .model import aral_model_path

__all__ = ["sources_path", "card_sources", "main"]

_SECTION = re.compile(r"^## (\d+)\. ", re.MULTILINE)
_HEADER = ("# Sources of the Aral Sea basin model\n\n"
           "The sources that `aral.yaml`, `hydrology.yaml` and the scenario library cite, as the model card\n"
           "(`docs/aral-basin.md` in daryo's source distribution) lists them: its sections 1 and 10.  The card's\n"
           "other sections (the assumptions, the limitations, the comparison with published figures that\n"
           "`python -m daryo.basins.aral.validation` prints) are cited by number in the model's caveats.\n"
           "Generated from the card by `python -m daryo.basins.aral.sources docs/aral-basin.md`: do not edit.\n\n")


def sources_path() -> Path:
    """Path of the shipped list of the embedded model's sources (``daryo/data/aral/sources.md``)."""
    return aral_model_path().with_name("sources.md")


def _section(card: str, number: int) -> str:
    """Section ``number`` of the model card's text (its ``## N.`` heading to the next)."""
    starts = {int(m.group(1)): m.start() for m in _SECTION.finditer(card)}
    if number not in starts:
        raise ValueError(f"the model card has no section '## {number}.'")
    later = [s for s in starts.values() if s > starts[number]]
    return card[starts[number]:min(later, default=len(card))].strip() + "\n"


def card_sources(card: str) -> str:
    """The text of ``sources.md`` from the model card's text: a header, then its sections 1 and 10."""
    return _HEADER + _section(card, 1) + "\n" + _section(card, 10)


def main(argv: list[str] | None = None) -> int:
    """``python -m daryo.basins.aral.sources CARD``: rewrite the shipped ``sources.md`` from the model card."""
    args = list(sys.argv[1:] if argv is None else argv)
    card = Path(args[0] if args else "docs/aral-basin.md")
    sources_path().write_text(card_sources(card.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
