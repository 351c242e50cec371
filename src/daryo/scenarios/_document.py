"""The model document as the overlays' changes see it: its nodes and edges by id, where a change is, and the run's
time axis."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean
from ..timeaxis import StepKind, TimeAxis, step_days, step_kind


def _is_name(v: Any) -> bool:
    """An id, basin, country or category: non-empty text."""
    return isinstance(v, str) and bool(v.strip())


def _edge_parts(e: Any) -> tuple[Any, Any] | None:
    """The two ends of an edge as a model or an overlay writes it -- [from, to], 'from->to' or
    {from: ..., to: ..., ...} -- as given, or None if it is none of these."""
    if isinstance(e, Mapping):
        return (e["from"], e["to"]) if "from" in e and "to" in e else None
    if isinstance(e, list | tuple) and len(e) == 2:
        return e[0], e[1]
    if isinstance(e, str) and "->" in e:
        a, b = e.split("->", 1)
        return a.strip(), b.strip()
    return None


def _edge_ends(e: Any) -> tuple[str, str] | None:
    """(from, to) of an edge an overlay gives, or None unless both ends are node ids."""
    parts = _edge_parts(e)
    return parts if parts is not None and _is_name(parts[0]) and _is_name(parts[1]) else None


def _value(doc: dict, key: str, kind: type) -> Any:
    """``doc[key]``, created empty (``kind()``) if it is missing or null."""
    if doc.get(key) is None:
        doc[key] = kind()
    return doc[key]


def _nodes(doc: Mapping[str, Any]) -> dict[str, Any]:
    nodes = doc.get("nodes")
    return {str(n.get("id")): n for n in nodes if isinstance(n, Mapping)} if isinstance(nodes, list) else {}


def _edge_key(e: Any) -> tuple[str, str] | None:
    """(from, to) of an edge of the model's document, as text."""
    parts = _edge_parts(e)
    return None if parts is None else (str(parts[0]), str(parts[1]))


def _edge_hint(key: str, edges: list[Any]) -> str:
    """`` (did you mean 'a->b'?)`` for an edge ``key`` ('a->b') that is not among ``edges``, if one is closest;
    `` (the model's edge runs b->a)`` if it is one of them the other way round."""
    keys = [f"{k[0]}->{k[1]}" for k in map(_edge_key, edges) if k]
    ends = key.split("->", 1)
    if len(ends) == 2 and f"{ends[1]}->{ends[0]}" in keys:
        return f" (the model's edge runs {ends[1]}->{ends[0]})"
    return did_you_mean(key, keys)


#: reads an inflow that a model gives by a CSV file: (its series as the file gives it, the node's id, the run's time
#: axis) -> ((traces, steps) hm³ per step, the traces' names or None); raises daryo.ModelError with the series' problems
InflowReader = Callable[[Any, str, TimeAxis], tuple[np.ndarray, "tuple[str, ...] | None"]]


@dataclass(frozen=True)
class _ChangeAt:
    """Where a change is (its overlay ``file`` and ``place``, ``changes[2].set``), and the nodes the changes before it
    ``removed`` (by id: the overlay file and change that removed each), so that a change naming one says so;
    ``shifted``, shared by the changes of one application of overlays, holds each inflow a ``shift_peak`` moved
    (:func:`daryo.scenarios.inflows._inflow_op`)."""

    file: str
    place: str
    removed: Mapping[str, str] = dataclasses.field(default_factory=dict)
    read_inflow: InflowReader | None = None
    shifted: dict[str, Any] = dataclasses.field(default_factory=dict)

    def problem(self, message: str, where: str = "") -> Problem:
        """A problem of this change, at ``where`` within it (``.nodes.city``, ``[2]``, `` (city)``)."""
        return Problem(self.file, self.place + where, message)

    def not_found(self, nid: str, choices: Iterable[str]) -> str:
        """The end of a message that ``nid`` is not found: which change removed it, or the closest of
        ``choices``."""
        return f" (removed by {self.removed[nid]})" if nid in self.removed else did_you_mean(nid, choices)

    def edge_not_found(self, key: str, edges: list[Any]) -> str:
        """The end of a message that edge ``key`` ('a->b') is not found: which change removed an end of it, or the
        closest edge."""
        ends = [e for e in key.split("->", 1) if e in self.removed]
        return (f" (node '{ends[0]}' was removed by {self.removed[ends[0]]})" if ends else _edge_hint(key, edges))


def _axis(doc: Mapping[str, Any]) -> TimeAxis:
    """The run's time axis, as the loader builds it (calendar months, dekads or fixed N-day steps)."""
    t = doc.get("time")
    t = t if isinstance(t, Mapping) else {}
    try:
        days, kind = step_days(t.get("step", "month")), step_kind(t.get("step", "month"))
    except ValueError:  # the loader reports it
        days, kind = None, StepKind.MONTH
    # the end as text, which from_range reads as the loader does ("2001-09": the month's last day)
    return TimeAxis.from_range(pd.Timestamp(str(t.get("start"))), str(t.get("end")), days,
                               kind is StepKind.DEKAD)


def _hydro_year_index(axis: TimeAxis) -> np.ndarray:
    """0-based index of the hydrological year of each step, counted from the run's first step."""
    hy = np.asarray(axis.hydrological_year)
    return hy - hy[0]
