"""The validated model: plain, immutable data. Runs never modify it."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ModelError, Problem
from ..timeaxis import StepKind, TimeAxis, days_between, parse_end, span_problem, step_start, years_span
from ..units import is_whole
from .components import component_type
from .frozen import FrozenAttrs, frozen_data
from .series import Series

__all__ = ["Node", "Edge", "Constraint", "TimeSpec", "Model"]


class _Element:
    """What nodes, edges and constraints share: attribute access and their place in the file."""

    attrs: Mapping[str, Any]
    place: str
    line: int | None
    key_lines: Mapping[str, int]

    def __post_init__(self) -> None:  # (read-only, with their arrays: a change in place would change every model
        # made from this one with dataclasses.replace, unchecked)
        object.__setattr__(self, "attrs", FrozenAttrs.of(self.attrs))

    def __copy__(self) -> _Element:  # (immutable: a copy is itself)
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Element:
        return self

    def get(self, name: str, default: Any = None) -> Any:
        v = self.attrs.get(name)
        return default if v is None else v

    def at(self, attribute: str | None = None) -> str:
        """Where the element (or one of its attributes: the line of its key, in block style) is in its file, for
        messages."""
        if not attribute:
            return f"{self.place} (line {self.line})" if self.line else self.place
        line = self.key_lines.get(attribute.split(".")[0]) or self.line
        return f"{self.place}.{attribute} (line {line})" if line else f"{self.place}.{attribute}"


@dataclass(frozen=True)
class Node(_Element):
    """A network node: its id, component type and parsed attributes (canonical units)."""

    id: str
    type: str
    attrs: Mapping[str, Any]
    place: str = ""
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # the line of each attribute's key

    @property
    def country(self) -> str | None:
        return self.attrs.get("country")

    def value(self, name: str) -> Any:
        """Attribute ``name``, or its component type's default where the node has none (a loaded model's nodes
        have every default; a node made in Python may not): the one place defaults are written is
        :mod:`daryo.model.components`."""
        v = self.attrs.get(name)
        if v is not None:
            return v
        ctype = component_type(self.type)
        attribute = ctype.attribute(name) if ctype is not None else None
        if attribute is None:
            raise KeyError(f"a {self.type} node has no attribute '{name}'")
        return None if attribute.required else attribute.default

    @property
    def spill_edge_id(self) -> str | None:
        """The id of the edge a reservoir's ``spill_to`` makes (None: none), as results name it."""
        target = self.attrs.get("spill_to")
        return f"{self.id}->{target} (spill)" if target else None


@dataclass(frozen=True)
class Edge(_Element):
    """A directed connection ``source -> target`` with optional bounds, loss and cost."""

    id: str
    source: str
    target: str
    attrs: Mapping[str, Any] = field(default_factory=dict)
    place: str = ""
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # the line of each attribute's key


@dataclass(frozen=True)
class Constraint(_Element):
    """A generic linear constraint on node flows (see ``CONSTRAINT_TYPES``): its id, kind and parsed
    attributes."""

    id: str
    type: str
    attrs: Mapping[str, Any]
    place: str = ""
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # the line of each attribute's key


@dataclass(frozen=True)
class TimeSpec:
    start: pd.Timestamp
    end: pd.Timestamp
    step_days: int | None = None  # None: calendar steps, months or (with dekads) dekads
    dekads: bool = False

    @property
    def kind(self) -> StepKind:
        """Whether the steps are calendar months, dekads or N days."""
        return StepKind.of(self.step_days, self.dekads)

    def axis(self) -> TimeAxis:
        return TimeAxis.from_range(self.start, self.end, self.step_days, self.dekads)


@dataclass(frozen=True)
class Model:
    """A complete, validated daryo model.

    Attributes
    ----------
    name, description
        Identification.
    time
        Default time span and step.
    allocation
        ``priority`` (demands by priority, equal coverage within one) or ``cost`` (costs only, as Pywr).
    nodes, edges
        The network.
    scenario_names
        Names of the hydrology/demand traces (from multi-column CSV series), or a single ``"0"``.
    path
        The file the model was read from (None for models built in code).
    metadata
        The file's ``metadata`` (free-form: ``basins``, the river systems of the water stress; ``caveats``;
        ``sources``; ``scenarios``, the overlays applied, in order).
    extensions
        The file's ``extensions``: what other tools keep in it, which daryo carries but does not read.
    parameters
        Named parameters (:mod:`daryo.parameters`) that attributes reference.
    constraints
        Generic linear constraints on node flows.
    scenario_dims
        Declared scenario dimensions; the scenarios are their product.
    file_sha256
        A SHA-256 digest of the file at ``path`` when the model was read from it ("" for models built in code),
        which results record.
    data_files
        The data files the model read (CSV series and tables, a Pywr model's data and includes), in the order first
        read: each path as the file writes it and a SHA-256 digest of its bytes as read; results record them
        (``data_files``).
    resolved_path
        ``path`` as a full path, resolved when the model was made (read): the file that results record
        (:func:`~daryo.results.provenance.recorded_model_file`) whatever the current folder is by then (a notebook's
        ``%cd``, a service's ``os.chdir``: a relative ``path`` named another file, or none); messages name ``path``
        as given.  Not compared.
    pywr_places, origins
        For messages only (not compared): where the file has what the model's places name, for a model read
        from a Pywr file (``nodes[farm].demand`` → ``nodes[farm].max_flow``) or with overlays (a place → the
        overlay file and change that set it); see :func:`daryo.model.places.relocated`.
    validated
        Whether the loader made the model and checked it (:func:`daryo.model.model_from_dict`): a model built in
        code, or changed with :func:`dataclasses.replace` (which makes a copy that is not), is not, and
        :func:`daryo.run` checks it first.  A loaded model so changed is no longer what its file holds
        (:attr:`changed_in_code`).

    A model is immutable: its elements' ``attrs`` and its ``parameters`` are read-only mappings
    (:class:`~daryo.model.frozen.FrozenAttrs`), its ``metadata`` and ``extensions`` read-only at any depth (each
    mapping and list in them a dict and a list that refuse a change: :func:`~daryo.model.frozen.frozen_data`), and
    every array it holds (of series, tables, curves, parameters) is read-only, so that a change in place raises
    rather than changing, unchecked, every model made from this one.
    A copy (:func:`copy.copy`, :func:`copy.deepcopy`) is the model itself.
    """

    name: str
    time: TimeSpec
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    allocation: str = "priority"
    description: str = ""
    scenario_names: tuple[str, ...] = ("0",)
    path: Path | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    extensions: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    constraints: tuple[Constraint, ...] = ()
    scenario_dims: tuple[Any, ...] = ()
    file_sha256: str = ""
    data_files: tuple[tuple[str, str], ...] = ()
    resolved_path: Path | None = field(default=None, compare=False, repr=False)
    pywr_places: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    origins: Mapping[str, tuple[str, str]] = field(default_factory=dict, compare=False, repr=False)
    validated: bool = field(default=False, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:  # (its nodes' attributes are read-only; its parameters' arrays too)
        if self.path is not None and self.resolved_path is None:  # (a copy made with replace keeps its model's)
            with contextlib.suppress(OSError):  # (the current folder deleted: the path as given)
                object.__setattr__(self, "resolved_path", Path(self.path).resolve())
        object.__setattr__(self, "parameters", FrozenAttrs.of(self.parameters))
        for key in ("metadata", "extensions"):  # (a library user's review: metadata["caveats"].append(...) changed
            # the caveats and water stress systems of the next run, recorded as the shipped file's)
            object.__setattr__(self, key, frozen_data(getattr(self, key)))

    def __copy__(self) -> Model:  # (immutable: a copy is itself, still checked if it was; copy.deepcopy kept
        # validated=True on a copy whose attributes could then be changed unchecked)
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Model:
        return self

    @property
    def changed_in_code(self) -> bool:
        """Whether the model was read from a file (or a text) and then changed in Python, with
        :func:`dataclasses.replace`, so that it is not what the file holds: its problems, and its results, say so
        (:meth:`source`)."""
        return not self.validated and bool(self.path or self.file_sha256)

    def source(self) -> str:
        """What the model's problems are reported under: its file; the file ``, as changed in Python`` for a model
        changed since it was read (:attr:`changed_in_code`); ``<model built in code>`` for one made in Python."""
        if not self.changed_in_code:
            return str(self.path or "<model built in code>")
        return f"{self.path or '<model read from a text>'}, as changed in Python"

    @property
    def n_scenarios(self) -> int:
        """The number of scenario traces (``len(scenario_names)``)."""
        return len(self.scenario_names)

    def scenario_name(self, s: int) -> str:
        """A scenario's name, for messages.

        Parameters
        ----------
        s
            The scenario's position.

        Returns
        -------
        str
            Its name, or its position where the model names fewer scenarios.
        """
        return self.scenario_names[s] if s < len(self.scenario_names) else str(s)

    def node(self, node_id: str) -> Node:
        """The node of id ``node_id``.

        Raises
        ------
        KeyError
            If the model has no such node.
        """
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def nodes_of(self, *types: str) -> list[Node]:
        """The nodes of the given component types (``model.nodes_of("demand", "sink")``), in file order."""
        return [n for n in self.nodes if n.type in types]

    def countries(self) -> list[str]:
        """The countries the nodes name (ISO 3166-1 alpha-3 codes), sorted."""
        return sorted({c for n in self.nodes if (c := n.country)})

    def with_time(self, start: str | None = None, end: str | None = None, years: int | None = None
                  ) -> Model:
        """A copy with another time span (``years`` counts whole years from the start).

        Series given as one value per step (``{values: [...]}``) belong to the model's own steps: a later start
        drops the values of the steps before it.

        Raises
        ------
        ModelError
            If a series given per step has no value for the new start (it is before the model's start).
        ValueError
            If the new span lies outside the dates a time axis can hold (:func:`~daryo.timeaxis.span_problem`),
            ends before it starts, or is given by both ``end`` and ``years``; if ``years`` is below 1, or ``start``
            is not a date or not the start of one of the model's steps (monthly steps: a month's first day; dekads:
            the 1st, 11th or 21st; N-day steps: a whole number of steps from the model's start).
        TypeError
            If ``years`` is not a whole number.
        """
        if end and years is not None:
            raise ValueError(f"end={end!r} and years={years!r}: give one of them")
        if years is not None and not is_whole(years):
            raise TypeError(f"years={years!r}: give a whole number of years")
        if years is not None and years < 1:
            raise ValueError(f"years={years}: a run lasts at least 1 year")
        try:
            s = pd.Timestamp(start) if start else self.time.start
        except (ValueError, TypeError):
            raise ValueError(f"start={start!r} is not a date; give YYYY-MM or YYYY-MM-DD") from None
        if s != s.normalize():  # (a diff review: "give 2001-01-21" was said of 2001-01-21 06:00)
            raise ValueError(f"start={start!r}: steps start at midnight; give the date alone, YYYY-MM-DD")
        if self.time.kind is StepKind.MONTH and s != step_start(s, StepKind.MONTH):  # (was moved to the 1st silently)
            raise ValueError(f"start={start!r}: monthly steps start on a month's first day; give YYYY-MM")
        if self.time.kind is StepKind.DEKAD and s != step_start(s, StepKind.DEKAD):
            raise ValueError(f"start={start!r}: dekads start on the 1st, 11th or 21st of a month; give "
                             f"{step_start(s, StepKind.DEKAD):%Y-%m-%d}, its dekad's first day")
        if self.time.step_days is not None and (rest := days_between(self.time.start, s) % self.time.step_days):
            # (a start off the model's grid of N-day steps drew another grid: a chain of runs counted the days
            # between them twice, a rolling-horizon review)
            before = s - pd.Timedelta(days=rest)
            raise ValueError(f"start={start!r}: the model's {self.time.step_days}-day steps start on "
                             f"{self.time.start:%Y-%m-%d} and every {self.time.step_days} days from it; give "
                             f"{before:%Y-%m-%d} or {before + pd.Timedelta(days=self.time.step_days):%Y-%m-%d}")
        if years is not None:
            s, e = years_span(s, years, self.time.kind)
        else:
            e = parse_end(end) if end else self.time.end
        if e < s:
            raise ValueError(f"the run would end ({e:%Y-%m-%d}) before it starts ({s:%Y-%m-%d})")
        if (why := span_problem(s, e, self.time.step_days)) is not None:
            raise ValueError(why)
        limited = self.metadata.get("changes_of_given_years")  # (recorded as the overlays were applied)
        if s > self.time.start and isinstance(limited, list) and limited:  # (they would be left out, or shifted)
            raise ValueError(f"the model was loaded with an overlay that changes given run years "
                             f"({'; '.join(map(str, limited))}), counted from the model's start, "
                             f"{self.time.start:%Y-%m}; a run from {s:%Y-%m} would not have those years as they "
                             "were changed: run from the model's start (RunOptions(years=...)), or load a model file "
                             "whose time starts at the run's start")
        model = replace(self, time=replace(self.time, start=s, end=e))
        model = model._series_from(self.time.start) if s != self.time.start else model
        object.__setattr__(model, "validated", self.validated)  # (a span its series were checked to cover)
        return model

    def checked_copy(self, **changes: Any) -> Model:
        """This model with ``changes`` made by daryo itself (``dataclasses.replace``'s keywords), still checked as
        this one is: a copy made with ``replace`` alone is taken as a model changed in Python
        (:attr:`changed_in_code`), whose results say its caveats may not hold and record no digest of its file."""
        out = replace(self, **changes)
        object.__setattr__(out, "validated", self.validated)  # (frozen)
        return out

    def _file(self) -> str:
        return str(self.path) if self.path else ""

    def _series_from(self, old_start: pd.Timestamp) -> Model:
        """The model with its per-step series starting at its (new) start instead of ``old_start``."""
        def is_per_step(v: Any) -> bool:
            return isinstance(v, Series) and v.kind == "steps"

        per_step = [(el, key) for el in (*self.nodes, *self.edges, *self.constraints) for key, v in el.attrs.items()
                    if is_per_step(v) or (isinstance(v, list) and any(is_per_step(x) for x in v))]
        if not per_step:
            return self
        new = self.time.start
        if self.time.kind is StepKind.MONTH:
            offset = (new.year - old_start.year) * 12 + new.month - old_start.month
        elif self.time.step_days is None:  # dekads (the loader and with_span start them at a dekad's start)
            offset = TimeAxis.from_range(old_start, new, None, True).n_steps - 1
        else:
            offset = days_between(old_start, new) // self.time.step_days  # (on the grid: with_time refuses others)
        if offset < 0:
            el, key = per_step[0]
            raise ModelError(Problem(self._file(), el.at(key), (
                f"the run starts {new:%Y-%m-%d}, before the model's start ({old_start:%Y-%m-%d}), but this series "
                "gives one value per step from the model's start: start the run at or after it")))

        def shift(v: Any) -> Any:
            if isinstance(v, list):
                return [shift(x) for x in v]
            return replace(v, values=v.values[:, offset:]) if is_per_step(v) else v

        def shifted(el: Any) -> Any:
            return replace(el, attrs={k: shift(v) for k, v in el.attrs.items()})

        return replace(self, nodes=tuple(shifted(n) for n in self.nodes), edges=tuple(shifted(e) for e in self.edges),
                       constraints=tuple(shifted(c) for c in self.constraints))

    def series(self) -> list[tuple[str, str, Series]]:
        """Every time series in the model as (element id, attribute, series)."""
        out = [(n.id, k, v) for n in self.nodes for k, v in n.attrs.items() if isinstance(v, Series)]
        out += [(e.id, k, v) for e in self.edges for k, v in e.attrs.items() if isinstance(v, Series)]
        return out
