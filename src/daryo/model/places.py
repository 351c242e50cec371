"""Where a file has what a model's place names, for messages.

A model made from a converted Pywr document names its attributes as daryo does (a Pywr output's ``max_flow`` is
a demand node's ``demand``), and a model made with overlays holds values the overlays' changes set.  A problem
found in such a model, when it is read or later when it is run, is named where its user wrote the value: the
Pywr file's place (``nodes[farm].max_flow``) or the overlay's change (``drought.yaml: changes[2].set.farm.demand``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace

from ..errors import ModelError, Problem
from .types import Model

__all__ = ["origin_file", "problems_relocated", "relocated"]


@contextmanager
def problems_relocated(model: Model) -> Iterator[None]:
    """A context in which a :class:`~daryo.ModelError` about ``model`` (found when it is compiled or run) is
    raised with its problems named where the model's user wrote what they are about (:func:`relocated`)."""
    try:
        yield
    except ModelError as exc:
        if not (model.pywr_places or model.origins):
            raise
        raise ModelError(relocated(exc.problems, str(model.path or ""), model.pywr_places, model.origins),
                         note=exc.note) from None


def relocated(problems: Iterable[Problem], file: str, pywr_places: Mapping[str, str],
              origins: Mapping[str, tuple[str, str]]) -> list[Problem]:
    """``problems`` named where their user wrote what they are about.

    Parameters
    ----------
    problems
        Problems found in a model (or its document) read from ``file``.
    file
        The name problems of the model itself carry; others (a data file's, say) are left as they are.
    pywr_places
        A converted Pywr document's places: a place of the daryo document → the Pywr file's place of the item
        it was made of (see :class:`daryo.pywr.convert.PywrDocument`).
    origins
        A place of an overlaid model → the overlay file and its change that set it (see
        :func:`daryo.scenarios.overlaid_document`).

    Returns
    -------
    list of Problem
        The problems, each at the overlay change or Pywr place of what it is about where one is known.
    """
    out = [_at_origin(p, origins) if p.file == file else p for p in problems]
    return [_at_pywr_place(p, pywr_places) for p in out]


def _at_origin(problem: Problem, origins: Mapping[str, tuple[str, str]]) -> Problem:
    """``problem`` placed at the overlay change that set what it is about, where one did (``origins``: a place of
    the model, ``nodes[farm].demand`` or ``edges[*] (river -> farm).max_flow`` whatever the edge's index, → the
    overlay file and change, ``changes[2].set.farm.demand``)."""
    if not origins:
        return problem
    place = re.sub(r"^edges\[\d+\] \(", "edges[*] (", problem.place)
    head = place.split(" (line", 1)[0]
    found = [k for k in origins if head == k or head.startswith((f"{k}.", f"{k}["))]
    if not found:
        return problem
    key = max(found, key=len)  # (a value set on a node an overlay added: the set, not the add)
    file, where = origins[key]
    rest = re.sub(r"^ \(line \d+\)", "", place[len(key):])  # (the base file's line of a node using a parameter
    # the overlay set)
    return replace(problem, file=file, place=where + rest)


def origin_file(place: str, origins: Mapping[str, tuple[str, str]]) -> str | None:
    """The overlay file whose change set the value at ``place`` of an overlaid model (as :func:`relocated` names
    it), or None if none did."""
    moved = _at_origin(Problem("", place, ""), origins)
    return moved.file if moved.file else None


def _at_pywr_place(problem: Problem, places: Mapping[str, str]) -> Problem:
    """``problem`` placed as the Pywr file has it, where it is at something the conversion made of a Pywr item."""
    head = problem.place.split(" (line", 1)[0]
    for daryo_place, pywr_place in places.items():
        if head == daryo_place or head.startswith((f"{daryo_place}.", f"{daryo_place}[")):
            return replace(problem, place=pywr_place + problem.place[len(daryo_place):])
    return problem
