"""The changes of inflows -- ``scale_inflows``, ``shift_peak``, ``named_years`` -- applied to a model document's series
or, by :func:`transform_inflows`, to an ensemble's inflow arrays; and the run's span they work on."""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelError, Problem, did_you_mean, in_words, kind_of, short_text
from ..timeaxis import (
    FIRST_DATE,
    LAST_DATE,
    StepKind,
    TimeAxis,
    parse_date,
    parse_end,
    span_problem,
    step_days,
    step_kind,
    years_span,
)
from ..units import UnitError, is_number, is_per_month, is_whole, no_unit_given, parse_quantity, unit_factor
from ._document import _axis, _ChangeAt, _hydro_year_index, _nodes
from .overlay import _INFLOW_OPS, Overlay, OverlaySpec, load_overlay, overlay_names

_MONTH_DAYS = 365.25 / 12  # days in a month of a shift_peak on N-day steps


def document_steps(doc: Mapping[str, Any]) -> int | None:
    """The number of steps of a model document's own span (None if its time cannot be read: the loader says why)."""
    try:
        return _axis(doc).n_steps
    except (ValueError, TypeError, OverflowError):
        return None


def with_years(doc: Mapping[str, Any], years: int) -> dict[str, Any]:
    """A copy of a model document whose run lasts ``years`` whole years from its start, as
    :meth:`daryo.Model.with_time` counts them, for overlays to change the inflows of those years.  A document
    whose own time cannot be read (its start, step or end: ``end: 2000-13``, ``end: now``, no end) is returned as it
    is, for the loader to report, as ``daryo validate`` does (an input fuzzer's review: ``--years`` ran such a file).

    Raises
    ------
    TypeError
        If ``years`` is not a whole number.
    ValueError
        If ``years`` is below 1, or the years run past the dates a time axis can hold
        (:func:`~daryo.timeaxis.years_problem`).
    """
    if not is_whole(years):  # (as daryo.load checks them)
        raise TypeError(f"years={years!r}: give a whole number of years")
    if years < 1:
        raise ValueError(f"years {years}: a run lasts at least 1 year")
    out = copy.copy(doc) if isinstance(doc, dict) else dict(doc)  # (a file's mapping keeps its keys' lines)
    t = doc.get("time")
    if not isinstance(t, Mapping):
        return out
    try:
        start, end = parse_date(t.get("start")), parse_end(t.get("end"))
        kind, days = step_kind(t.get("step", "month")), step_days(t.get("step", "month"))
    except (ValueError, TypeError, OverflowError):
        return out
    if end < start or span_problem(start, end, days) is not None:
        return out
    _, end = years_span(start, years, kind)
    out["time"] = copy.copy(t)  # (the file's mapping, which keeps its lines for messages)
    out["time"]["end"] = f"{end:%Y-%m-%d}"
    return out


def _inflow_targets(doc: Mapping[str, Any], arg: Mapping[str, Any], at: _ChangeAt, strict: bool = False
                    ) -> tuple[list[str], list[Problem]]:
    """The inflow nodes a change selects (``nodes`` or ``basin``), and problems.  ``strict`` (a change applied to
    a model, not to generated traces, which leave some inflows out): a basin that lists no node, a node that is not
    in the model (and no change removed) or that is not an inflow, is a problem too.  A basin whose nodes earlier
    changes removed selects none, and changes nothing."""
    meta = doc.get("metadata")
    basins = meta.get("basins") if isinstance(meta, Mapping) else None
    basins = basins if isinstance(basins, Mapping) else {}
    nodes = _nodes(doc)
    if "nodes" in arg:
        ids = list(arg["nodes"])
        bad = [i for i in ids if i not in nodes or nodes[i].get("type") != "inflow"]
        inflows = [i for i, n in nodes.items() if n.get("type") == "inflow"]
        return [i for i in ids if i not in bad], [at.problem(f"'{i}' is not an inflow of the model"
                                                             f"{at.not_found(i, inflows)}", f".nodes.{i}") for i in bad]
    basin = arg.get("basin", "all")
    if basin == "all":
        return [i for i, n in nodes.items() if n.get("type") == "inflow"], []
    if basin not in basins:
        return [], [at.problem(f"unknown basin '{basin}'; the model's metadata.basins has: "
                               f"{', '.join(map(str, basins)) or '(none)'}", ".basin")]
    if not isinstance(basins[basin], list | tuple):
        return [], [at.problem(f"the model's metadata.basins.{basin} must be a list of inflow ids", ".basin")]
    ids = [i for i in basins[basin] if isinstance(i, str) and i in nodes]
    if not strict:
        return ids, []
    if not basins[basin]:
        return [], [at.problem(f"the model's metadata.basins.{basin} lists no node, so this change would change "
                               "nothing", ".basin")]
    missing = [i for i in basins[basin] if not (isinstance(i, str) and (i in nodes or i in at.removed))]
    others = [i for i in ids if nodes[i].get("type") != "inflow"]
    problems = [at.problem(f"the model's metadata.basins.{basin} lists {i!r}, which is not in the model"
                           f"{did_you_mean(str(i), nodes)}", ".basin") for i in missing]
    if others:
        problems.append(at.problem(f"the model's metadata.basins.{basin} lists {', '.join(repr(i) for i in others)}, "
                                   f"which {'is' if len(others) == 1 else 'are'} not an inflow", ".basin"))
    return ([], problems) if problems else (ids, [])


# A rate unit of a 12-monthly inflow series, as written, and its factor to hm³/day
_Rate = tuple[str, float]


def _series_to_array(spec: Any, axis: TimeAxis) -> tuple[np.ndarray, bool, _Rate | None] | None:
    """An inflow series as (array, periodic, rate); None if it is not one a scenario can change.

    Per-step values become (S, T) hm³ per step (a rate times each step's real number of days).  12 monthly
    values become (S, 12), January first: hm³ per step, or, for a rate unit (m³/s, km3/yr, ...), numbers in that
    same unit with ``rate`` = (unit, factor to hm³/day) -- a monthly rate has no fixed volume (February holds 28
    or 29 days of it), so it stays a rate until :func:`_expand` multiplies it by the steps' days, as the loader
    does.

    Raises
    ------
    ValueError
        If per-step values are fewer than the run's steps.
    """
    if isinstance(spec, list):  # a plain list: 12 monthly values (or one such list per trace), in hm³ per step
        spec = {"monthly": spec}
    if not isinstance(spec, Mapping) or not ("monthly" in spec or "values" in spec):
        return None
    try:
        factor, is_rate = unit_factor(spec.get("unit"), "flow")
        scale = float(spec.get("scale", 1.0))
        arr = np.atleast_2d(np.asarray(spec["monthly"] if "monthly" in spec else spec["values"], dtype=float))
    except (UnitError, ValueError, TypeError):
        return None
    if arr.ndim != 2 or arr.shape[1] == 0:
        return None
    if "monthly" in spec:
        if arr.shape[1] != 12:
            return None
        if is_rate:
            return arr * scale, True, (str(spec["unit"]), factor)
        if not axis.monthly and is_per_month(spec.get("unit")):  # (months' totals, over their days as the loader
            from ..model.series import Series  # spreads them: a diff review)

            return Series("monthly", arr * (factor * scale), per_month=True).resolve(axis), False, None
        return arr * (factor * scale), True, None
    if arr.shape[1] < axis.n_steps:
        raise ValueError(f"the inflow has {arr.shape[1]} values but the run has {axis.n_steps} steps")
    arr = arr[:, : axis.n_steps] * (factor * scale)  # the loader ignores values past the run's end
    if is_rate:
        arr = arr * axis.days[None, :]
    return arr, False, None


def _array_to_series(arr: np.ndarray, periodic: bool, rate: _Rate | None = None) -> dict[str, Any]:
    """The series of :func:`_series_to_array`'s array: a periodic rate in its own unit, the rest in hm³ per step
    (``hm3/step``, which monthly and N-day models read alike), to 12 significant digits (not decimal places: an
    inflow of 4.2e-7 km³/yr, rounded to 6 places, became 0)."""
    rows = [[float(f"{x:.12g}") for x in r] for r in np.atleast_2d(arr)]
    unit = rate[0] if periodic and rate is not None else "hm3/step"
    return {"monthly" if periodic else "values": rows[0] if len(rows) == 1 else rows, "unit": unit}


def _expand(arr: np.ndarray, periodic: bool, axis: TimeAxis, rate: _Rate | None = None) -> np.ndarray:
    """(S, T) hm³ per step: a 12-monthly cycle repeated over the steps; a rate as the loader resolves it
    (:meth:`daryo.model.series.Series.resolve`: over N-day steps each day at its month's rate; a diff review found
    a change of some years put the start month's rate back on every step across a month's end)."""
    if not periodic:
        return arr
    if rate is None:
        return arr[:, axis.month - 1]
    from ..model.series import Series

    return Series("monthly", arr * rate[1], is_rate=True).resolve(axis)


def _plain(value: Any) -> Any:
    """``value`` with its mappings and lists as plain dicts and lists (a document's own keep their lines)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _scaled_reference(spec: Any, op: str, arg: Mapping[str, Any]) -> dict[str, Any] | None:
    """An inflow read from a CSV file or a parameter, scaled by a ``scale_inflows`` of one factor for every month
    and year: the reference with its ``scale`` times the factor (None where that is not the change: another
    change, one of some months or years only, or another kind of inflow)."""
    factor = arg.get("factor")
    if not (op == "scale_inflows" and isinstance(spec, Mapping) and ("csv" in spec or "parameter" in spec)
            and is_number(factor) and is_number(spec.get("scale", 1.0)) and arg.get("months") is None
            and arg.get("years") is None):
        return None
    return {**_plain(spec), "scale": float(spec.get("scale", 1.0)) * float(factor)}


def _constant_as_monthly(spec: Any) -> Any:
    """A constant inflow (a number, hm³ per step, a quantity such as ``"50 m3/s"``, or ``{value: 50, unit: …}``)
    as 12 equal monthly values in its unit, which the inflow changes take; any other inflow as it is."""
    if is_number(spec) and not isinstance(spec, bool):
        return {"monthly": [float(spec)] * 12}
    if isinstance(spec, Mapping) and is_number(spec.get("value")) and not isinstance(spec["value"], bool) and not (
            {"monthly", "values", "csv", "parameter"} & set(spec)):
        return {**{k: v for k, v in _plain(spec).items() if k != "value"}, "monthly": [float(spec["value"])] * 12}
    if isinstance(spec, str):
        try:
            q = parse_quantity(spec)
        except UnitError:
            return spec
        return {"monthly": [q.value] * 12, **({"unit": q.unit} if q.unit else {})}
    return spec


@dataclass(frozen=True)
class _Shifted:
    """An inflow that a ``shift_peak`` moved: the series it wrote (``series``, the very object: a change of the
    inflow since replaces it), the series before the shift (``before``: array, periodic, rate) and the months it
    was moved by.  A later ``shift_peak`` of it moves ``before`` by the sum, and a ``scale_inflows`` of one factor
    between them, which a shift commutes with, scales ``before`` too.  (A metamorphic review: a fraction of a month
    blends two neighbouring months, so two shifts of half a month applied in turn smoothed the cycle, its peak 9 %
    lower than one shift of a month, where the docs say that two shifts add.)"""

    series: Any
    before: tuple[np.ndarray, bool, _Rate | None]
    months: float


def _shifted_before(at: _ChangeAt, nid: str, now: Any) -> _Shifted | None:
    """The :class:`_Shifted` of inflow ``nid``, whose series is ``now``, where a ``shift_peak`` wrote that very
    series (no change of it since); None otherwise."""
    state = at.shifted.get(nid)
    return state if isinstance(state, _Shifted) and state.series is now else None


def _constant_factor(op: str, arg: Mapping[str, Any]) -> float | None:
    """The factor of a ``scale_inflows`` of one factor for every month and year (which commutes with a shift); None
    for any other change."""
    if op != "scale_inflows" or arg.get("months") is not None or arg.get("years") is not None:
        return None
    return float(arg.get("factor", 1.0))


def _inflow_op(doc: dict, arg: Mapping[str, Any], at: _ChangeAt, op: str) -> list[Problem]:
    ids, problems = _inflow_targets(doc, arg, at, strict=True)
    try:
        axis = _axis(doc)
    except (ValueError, TypeError, OverflowError):
        return problems + [at.problem("the model's time.start and time.end must be dates to change inflows")]
    if axis.n_steps == 0:
        return problems + [at.problem("the model's time.end is before its time.start: there are no inflows to change")]
    if (outside := _years_outside(op, arg, axis)) is not None:
        return problems + [at.problem(outside)]
    nodes = _nodes(doc)
    if op == "named_years":
        ids = _named_year_nodes(ids, arg, at, problems)
    for nid in ids:
        if nodes[nid].get("inflow") is None:  # (a supply between min_flow and max_flow: no series to change; one a
            # basin or all the inflows select is left as it is, one named is a problem)
            if "nodes" in arg:
                problems.append(at.problem(f"'{nid}' has no inflow series (it supplies what the allocation takes, "
                                           "between its min_flow and max_flow), so the scenario cannot change it; "
                                           "leave it out of nodes, or change its max_flow with a set change",
                                           f" ({nid})"))
            continue
        spec = _constant_as_monthly(nodes[nid].get("inflow"))
        if (scaled := _scaled_reference(spec, op, arg)) is not None:  # (the loader reads it, scaled)
            nodes[nid]["inflow"] = scaled
            continue
        if isinstance(spec, Mapping) and "csv" in spec and at.read_inflow is not None:  # (read once: its values)
            try:
                values, names = at.read_inflow(spec, nid, axis)
            except ModelError:  # (the loader reports the file's problems, with the model's others and their lines,
                continue  # or at the overlay's change that set the file)
            spec = {"values": values.tolist(), "unit": "hm3/step", **({"scenarios": list(names)} if names else {})}
        names = spec.get("scenarios") if isinstance(spec, Mapping) else None  # (the traces' names: a CSV's columns)
        if (not axis.monthly and isinstance(spec, Mapping) and is_per_month(spec.get("unit"))
                and "monthly" not in spec):  # (a value or values per step in it: the loader refuses them)
            problems.append(at.problem(f"the inflow of '{nid}' is in {spec['unit']}, a volume per calendar month, "
                                       f"but the model has {axis.steps_text()}, so the scenario cannot change it; "
                                       "give 12 monthly values in it, or the inflow per step or as a rate",
                                       f" ({nid})"))
            continue
        if isinstance(spec, Mapping) and "unit" in spec and no_unit_given(spec["unit"]):  # (it was rewritten as hm3
            # per step, so the model file's problem went unreported)
            problems.append(at.problem(f"the inflow of '{nid}' has a unit with no value; give a unit, or leave the "
                                       "key out for the canonical one", f" ({nid})"))
            continue
        try:
            got = _series_to_array(spec, axis)
        except ValueError as exc:
            problems.append(at.problem(f"{exc}, so the scenario cannot change it", f" ({nid})"))
            continue
        if got is None:
            reference = isinstance(spec, Mapping) and ("csv" in spec or "parameter" in spec)
            problems.append(at.problem(
                f"the inflow of '{nid}' is not a constant, 12 monthly or per-step values in a flow unit, so the "
                "scenario cannot change it" + (f"; an inflow {_given_by(spec)} takes only scale_inflows of one "
                                               "factor for every month and year" if reference else ""), f" ({nid})"))
            continue
        arr, periodic, rate = got
        this = arg
        earlier = _shifted_before(at, nid, nodes[nid].get("inflow"))
        at.shifted.pop(nid, None)
        if op == "shift_peak":
            if earlier is not None:  # (moved by a shift_peak, with at most a factor since: the two add)
                arr, periodic, rate = earlier.before
                this = {**arg, "months": earlier.months + float(arg.get("months", 1.0))}
            elif _months_on_n_days(spec, axis):  # (a cycle of months' volumes moves as a cycle: each month keeps
                # its volume on N-day steps, as on months; a units review)
                arr, periodic, rate = _monthly_amounts(spec)
        try:
            with np.errstate(over="ignore"):  # (an overflow gives inf, which the loader reports)
                new, still_periodic = _transform(arr, periodic, op, this, axis, nid, doc, rate)
        except (KeyError, ValueError) as exc:
            problems.append(at.problem(str(exc).strip("'\"")))
            return problems
        nodes[nid]["inflow"] = _array_to_series(new, still_periodic, rate)
        if op == "shift_peak":
            at.shifted[nid] = _Shifted(nodes[nid]["inflow"], (arr, periodic, rate), float(this.get("months", 1.0)))
        elif earlier is not None and (factor := _constant_factor(op, arg)) is not None and still_periodic == periodic:
            before, was_periodic, was_rate = earlier.before  # (a factor between two shifts: theirs too)
            at.shifted[nid] = _Shifted(nodes[nid]["inflow"], (before * factor, was_periodic, was_rate),
                                       earlier.months)
        if isinstance(names, list) and len(names) == new.shape[0] > 1:  # (the traces keep their names)
            nodes[nid]["inflow"]["scenarios"] = list(names)
    return problems


def _months_on_n_days(spec: Any, axis: TimeAxis) -> bool:
    """Whether ``spec`` is 12 monthly volumes per calendar month (``hm3/month``) on a run of other steps than
    months, which a ``shift_peak`` moves as a cycle of months (:func:`_monthly_amounts`)."""
    return (not axis.monthly and isinstance(spec, Mapping) and "monthly" in spec and is_per_month(spec.get("unit"))
            and np.shape(spec["monthly"])[-1:] == (12,))


def _monthly_amounts(spec: Mapping[str, Any]) -> tuple[np.ndarray, bool, _Rate]:
    """:func:`_series_to_array`'s (array, periodic, rate) of 12 monthly volumes per calendar month (checked by
    :func:`_months_on_n_days`): the volumes in their unit, a cycle, with their unit as its ``rate``, so that the
    series written back is 12 monthly values in that unit, which the loader spreads over each month's days."""
    arr = np.atleast_2d(np.asarray(spec["monthly"], dtype=float)) * float(spec.get("scale", 1.0))
    return arr, True, (str(spec["unit"]), float("nan"))


def _given_by(spec: Mapping[str, Any]) -> str:
    """How an inflow the changes cannot change is given: by a parameter, or by a CSV file that is not read here
    (overlays applied to a document, not to a model file's)."""
    return "given by a parameter" if "parameter" in spec else "read from a CSV file"


#: the attributes of an inflow node whose change replaces a generated trace (its inflow, or what the node is)
_INFLOW_ATTRIBUTES = ("inflow", "type")


def replaced_inflows(names: Sequence[OverlaySpec], library: str | Path | None = None) -> tuple[set[str], set[str]]:
    """The nodes whose inflow overlays ``names`` replace, and those they remove.

    Returns
    -------
    tuple of two sets
        The ids of nodes given a new inflow (``set`` of their ``inflow`` or ``type``, or added by ``add_nodes``),
        and of nodes removed (and not added again).  An ensemble that generates the
        inflows of a model's headwaters keeps the model's own series (as the overlays made it) for the first,
        and has none for the second.
    """
    replaced: set[str] = set()
    removed: set[str] = set()
    for name in overlay_names(names):
        try:
            ov = load_overlay(name, library)
        except ModelError:  # (a name the model's metadata keeps from an overlay applied elsewhere, say)
            continue
        for change in ov.changes:
            op, arg = next(iter(change.items()))
            if op == "set" and isinstance(arg, Mapping):
                replaced |= {str(k) for k, v in arg.items()
                             if isinstance(v, Mapping) and any(a in v for a in _INFLOW_ATTRIBUTES)}
            elif op == "add_nodes" and isinstance(arg, list):
                added = {str(n.get("id")) for n in arg if isinstance(n, Mapping)}
                replaced |= added
                removed -= added
            elif op == "remove_nodes" and isinstance(arg, str | list):
                removed |= {str(n) for n in ([arg] if isinstance(arg, str) else arg)}
                replaced -= removed
    return replaced, removed


def inflow_changing(names: Sequence[OverlaySpec], library: str | Path | None = None) -> list[str]:
    """The overlays among ``names`` that change inflows (``scale_inflows``, ``shift_peak``, ``named_years``), in
    order: those whose changes an ensemble's generated traces take (a Tajik utility planner's review: the traces
    were said to carry "the inflow changes of rogun-full", which changes none)."""
    return [str(name) for name in overlay_names(names)  # (an overlay that cannot be read is left out, as there)
            if any(op in _INFLOW_OPS for _, _, op, _ in _overlay_changes((name,), library))]


def year_limited_changes(names: Sequence[OverlaySpec], library: str | Path | None = None) -> list[Problem]:
    """The inflow changes among overlays ``names`` that change given run years only (``scale_inflows`` with
    ``years``, ``named_years``), each as a :class:`Problem` at its place, saying why an ensemble that resamples a
    model's own years cannot take it."""
    return [Problem(ov.file, f"changes[{i}].{op}", "changes given years of the run, but an ensemble of this model "
                    "resamples whole years of the model's own inflows, so the changed years would land in random run "
                    "years; drop its years to change every year")
            for ov, i, op, arg in _overlay_changes(names, library) if _changes_given_years(op, arg)]


def _overlay_changes(names: Sequence[OverlaySpec], library: str | Path | None,
                     skip: tuple[type[Exception], ...] = (ModelError,)
                     ) -> Iterator[tuple[Overlay, int, str, Any]]:
    """Each change of the overlays ``names`` that can be read: the overlay, the change's position and its operation
    and argument.  An overlay whose reading raises one of ``skip`` is left out (a name the model's metadata keeps
    from an overlay applied elsewhere; with ``OSError``, a file gone since the run)."""
    for name in overlay_names(names):
        try:
            ov = load_overlay(name, library)
        except skip:
            continue
        for i, change in enumerate(ov.changes):
            op, arg = next(iter(change.items()))
            yield ov, i, op, arg


def years_beyond(names: Sequence[OverlaySpec], axis: TimeAxis | int, library: str | Path | None = None) -> list[str]:
    """Sentences for the changes among overlays ``names`` that change given run years (``scale_inflows`` with
    ``years``, ``named_years``) some of which are after the last hydrological year of a run on ``axis`` (its time
    axis, or its number of hydrological years): those years are not changed (a drought of three years in a run of
    one is one year of it)."""
    if isinstance(axis, int):
        n_years = axis
    else:
        n_years = int(_hydro_year_index(axis).max()) + 1 if axis.n_steps else 0
    told = []
    for ov, _, op, arg in _overlay_changes(names, library):
        asked = _given_years(op, arg) if _changes_given_years(op, arg) else []
        # (none in the run: refused as the overlay is applied, unless the run is shortened after)
        if left := _left_out(asked, n_years):
            told.append(f"{Path(ov.file).stem} changes run year{'s' if len(asked) > 1 else ''} "
                        f"{_year_list(asked)}{left}")
    return told


def _left_out(asked: Sequence[int], n_years: int) -> str:
    """``, and the run has N hydrological years: year(s) … of it is/are left out`` where some of the run years
    ``asked`` are after the run's ``n_years`` ("" where none is)."""
    beyond = [y for y in asked if y > n_years]
    if not beyond:
        return ""
    left = (("that year is not in it" if len(asked) == 1 else "none of them is in it") if len(beyond) == len(asked)
            else f"year{'s' if len(beyond) > 1 else ''} {_year_list(beyond)} of it "
                 f"{'are' if len(beyond) > 1 else 'is'} left out")
    return f", and the run has {n_years} hydrological year{'s' if n_years != 1 else ''}: {left}"


#: what reading an overlay recorded by a run may raise, now that the run is over (a file gone since)
_GONE = (ModelError, OSError)


def compounded_drought(hydrology: str | None, overlays: Sequence[OverlaySpec], library: str | Path | None = None
                       ) -> str:
    """A note where a named year's hydrology (``hydrology``: that year first, then the norm) meets an overlay among
    ``overlays`` that multiplies the first years' inflows by a named year's factors (``named_years``, of any named
    year) again: drier than any year on record ("" if none does; an overlay that cannot be read is left out).

    Parameters
    ----------
    hydrology
        The hydrology the model was built with (its ``metadata.hydrology.kind``: ``norm``, ``stochastic`` or a
        named year of the hydrology's statistics, ``2021``…).
    overlays
        The overlays applied, by name or path.
    """
    from ..hydrology import load_spec

    if hydrology is None or hydrology not in load_spec().named_years:
        return ""
    again = list(dict.fromkeys(Path(ov.file).stem for ov, _, op, _ in _overlay_changes(overlays, library, _GONE)
                               if op == "named_years"))  # (each overlay once, in order)
    if not again:
        return ""
    return (f"the hydrology {hydrology} (--hydrology) starts the run with its named year(s), and {', '.join(again)} "
            f"multipl{'ies' if len(again) == 1 else 'y'} the first years' inflows by a named year's factors again: "
            "drier than any year on record; for the drought on its own, leave out --hydrology (the norm; "
            "hydrology=\"norm\" in Python)")


def named_hydrology_beyond(hydrology: str | None, n_years: int) -> str:
    """A sentence where the named years of the embedded model's hydrology ``hydrology`` (its
    ``metadata.hydrology.kind``: ``2000-2001``, ``multiyear``…, from the run's first hydrological year) run past
    the ``n_years`` hydrological years of a run: those years are left out, as :func:`years_beyond` says of an
    overlay's ("" where none is, or for another hydrology).  A CLI review: ``daryo run --hydrology multiyear
    --years 1`` dropped years 2 and 3 of it without a word, where the overlay drought-multiyear said so."""
    asked = _given_years("named_years", {"name": hydrology}) if hydrology else []
    left = _left_out(asked, n_years)
    return f"the hydrology {hydrology} (--hydrology) sets run years {_year_list(asked)}{left}" if left else ""


def diluting_overlays(names: Sequence[OverlaySpec], n_years: int, library: str | Path | None = None) -> list[str]:
    """The overlays among ``names`` (by their file's stem, sorted) that change some but not all of the first
    ``n_years`` run years (``scale_inflows`` with ``years``, ``named_years``: a drought), whose effect the means over
    a run of ``n_years`` years dilute; an overlay that cannot be read now (gone since the run) is left out."""
    run = set(range(1, n_years + 1))
    return sorted({Path(ov.file).stem for ov, _, op, arg in _overlay_changes(names, library, _GONE)
                   if _changes_given_years(op, arg) and not run <= set(_given_years(op, arg))})


def given_year_dates(names: Sequence[OverlaySpec], starts: Sequence[Any] | np.ndarray,
                     hydrological_year: Sequence[int] | np.ndarray, library: str | Path | None = None) -> list[str]:
    """Where the run puts the years that the overlays among ``names`` change by number (``named_years``: a
    drought's years; ``scale_inflows`` with ``years``): a line per such overlay naming its run years, their dates
    and their hydrological years, so that a chart by year does not read a drought "2000-2001" put in the run's
    first two years (October 2000 to September 2002 on the default start) as years 2001 and 2002 of the record.

    Parameters
    ----------
    names
        The overlays applied, by name or path (one that cannot be read now is left out).
    starts, hydrological_year
        The run's step starts (``YYYY-MM`` text or dates) and each step's hydrological year (labelled by the year
        it ends in), as the results' ``time`` and ``hydrological_year``.
    library
        The scenario library (None: the embedded model's).

    Returns
    -------
    list of str
        ``"drought-2000-2001 changes run years 1 and 2: 2000-10 to 2002-09, hydrological years 2001 and 2002 of the
        results (…)"``; none for overlays of no such change, or whose years the run does not reach.
    """
    hy = np.asarray(hydrological_year, dtype=np.int64)
    if not hy.size:
        return []
    month = [str(np.datetime64(t, "M")) for t in starts]
    index = hy - hy[0]
    lines: dict[str, str] = {}
    for ov, _, op, arg in _overlay_changes(names, library, _GONE):
        if not _changes_given_years(op, arg):
            continue
        years = [y for y in _given_years(op, arg) if 1 <= y <= int(index.max()) + 1]
        name = Path(ov.file).stem
        if not years or name in lines:
            continue
        spans = []  # (the months of each run of consecutive years: years 1 and 3 are not the months between)
        for first, last in _consecutive(years):
            steps = np.flatnonzero((index >= first - 1) & (index <= last - 1))
            spans.append(f"{month[steps[0]]} to {month[steps[-1]]}")
        labels = [int(hy[0]) + y - 1 for y in years]
        several = "s" if len(years) > 1 else ""
        lines[name] = (f"{name} changes run year{several} {_year_list(years)}: {in_words(spans)}, hydrological "
                       f"year{several} {_year_list(labels)} of the results (each labelled by the year it ends in): "
                       "the run's dates, not those of the years on record whose factors it takes")
    return list(lines.values())


def _consecutive(years: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted distinct ``years`` as runs of consecutive ones, (first, last) each: [1, 2, 4] -> [(1, 2), (4, 4)]."""
    runs: list[tuple[int, int]] = []
    for y in sorted(set(years)):
        if runs and y == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


def _given_years(op: str, arg: Mapping[str, Any]) -> list[int]:
    """The run years (1 for the first) a change of given years changes, in order."""
    if op == "scale_inflows":
        return sorted({int(y) for y in arg["years"]})
    from ..hydrology import load_spec

    first, spec = int(arg.get("first_year", 1)), load_spec()
    return list(range(first, first + len(spec.named_years.get(str(arg.get("name")), ()))))


def _year_list(years: list[int]) -> str:
    """Years as a run ("1 to 3") where they follow each other, else listed ("1, 4, 6"; "2 and 3")."""
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]} to {years[-1]}"
    return ", ".join(map(str, years[:-1])) + f" and {years[-1]}" if len(years) > 1 else str(years[0])


def _changes_given_years(op: str, arg: Any) -> bool:
    """Whether a change changes given run years only (``scale_inflows`` with ``years``, ``named_years``)."""
    return op == "named_years" or (op == "scale_inflows" and isinstance(arg, Mapping) and arg.get("years") is not None)


def _years_outside(op: str, arg: Mapping[str, Any], axis: TimeAxis) -> str | None:
    """Why a change of given years changes none of the hydrological years of the run on ``axis`` (None: it
    changes some).  One whose years run past the run's end changes those in it (a run shortened with --years
    keeps its first years)."""
    n_years = int(_hydro_year_index(axis).max()) + 1
    span = f"the run has {n_years} hydrological year{'s' if n_years != 1 else ''}"
    more = "or run more years (--years; in Python daryo.load(..., years=Y))"
    if op == "scale_inflows" and arg.get("years") is not None and not any(1 <= y <= n_years for y in arg["years"]):
        return (f"years {', '.join(map(str, arg['years']))} are none of the run's years ({span}), so it would change "
                f"nothing; give years from 1 (the first) to the last, {more}")
    if op == "named_years" and int(arg.get("first_year", 1)) > n_years:
        return (f"first_year {arg['first_year']} is after the run's last year ({span}), so it would change "
                f"nothing; give a first_year from 1 to the last, {more}")
    return None


def _named_year_nodes(ids: list[str], arg: Mapping[str, Any], at: _ChangeAt, problems: list[Problem]) -> list[str]:
    """The inflows among ``ids`` that have named-year factors (the hydrology table's headwaters).  A node named
    in ``arg["nodes"]`` without them is a problem; so is a basin (or all) with none of them; the other inflows of
    a basin (laterals, returns) are left as they are."""
    from ..hydrology import load_spec

    known = set(load_spec().ids)
    named = "nodes" in arg
    for nid in [i for i in ids if i not in known] if named else []:
        problems.append(at.problem(f"'{nid}' has no named-year factors: they are given for the headwaters of daryo's "
                                   "hydrology table (the Aral basin's)", f" ({nid})"))
    have = [i for i in ids if i in known]
    if not have and not named:
        problems.append(at.problem("none of the inflows it selects has named-year factors: they are given for the "
                                   "headwaters of daryo's hydrology table (the Aral basin's)"))
    return have


def _transform(arr: np.ndarray, periodic: bool, op: str, arg: Mapping[str, Any], axis: TimeAxis, nid: str,
               doc: Mapping[str, Any], rate: _Rate | None = None) -> tuple[np.ndarray, bool]:
    """The changed (array, periodic) of :func:`_series_to_array`'s (array, periodic, rate).  A result that stays
    periodic is in the input's unit (a rate stays a rate: shifting a cycle of rates moves the flow, and each month
    keeps its own days); a per-step result is hm³ per step."""
    if op == "shift_peak":
        months = float(arg.get("months", 1.0))
        if periodic:  # months of a 12-month cycle
            return _shift(arr, months, wrap=True), True
        # monthly steps by months, dekads by three a month; N-day steps by the same time (a month is a twelfth
        # of a year of 365.25 days, as in km3/yr).  Each whole hydrological year wraps within itself: its seasonal
        # cycle moves and its total stays (the traces are annual volumes times a seasonal cycle)
        steps = {StepKind.MONTH: months, StepKind.DEKAD: 3 * months}.get(
            axis.kind, months * _MONTH_DAYS / (axis.step_days or 1))
        return _shift_within_years(arr, steps, axis), False
    if op == "scale_inflows":
        f = _scale_factors(arg, axis)
        if periodic and arg.get("years") is None:
            monthly = np.asarray(arg.get("months") or [1.0] * 12, dtype=float)
            return arr * float(arg.get("factor", 1.0)) * monthly[None, :], True
        return _expand(arr, periodic, axis, rate) * f[None, :], False
    # named_years (for the headwaters of the hydrology table: _named_year_nodes)
    from ..hydrology import load_spec, named_year_factors

    spec = load_spec()
    hy = _hydro_year_index(axis)
    fac = named_year_factors(spec, str(arg.get("name")), int(hy.max()) + 1, int(arg.get("first_year", 1)))
    return _expand(arr, periodic, axis, rate) * fac[spec.index(nid)][hy][None, :], False


def _scale_factors(arg: Mapping[str, Any], axis: TimeAxis) -> np.ndarray:
    """Per-step factor of a ``scale_inflows`` change."""
    f = np.full(axis.n_steps, float(arg.get("factor", 1.0)))
    months = arg.get("months")
    if months is not None:  # 12 factors, January first (checked by load_overlay)
        f = f * np.asarray(months, dtype=float)[axis.month - 1]
    years = arg.get("years")
    if years is not None:
        hy = _hydro_year_index(axis) + 1
        f = np.where(np.isin(hy, list(years)), f, 1.0)
    return f


def _shift(arr: np.ndarray, steps: float, wrap: bool) -> np.ndarray:
    """Move a (S, T) series ``steps`` steps earlier; ``wrap`` for a 12-month cycle, otherwise the first or last step
    repeats past the ends.  A fraction of a step is linear between the whole-step shifts, which is exact for
    volumes per step: with the flow constant within each step, the interval one step long that starts a fraction
    ``a`` into step k holds (1 - a) of step k's volume and ``a`` of step k + 1's."""
    n = int(np.floor(steps))
    a = steps - n
    T = arr.shape[1]

    def take(k: int) -> np.ndarray:
        idx = np.arange(T) + k
        idx = idx % T if wrap else np.clip(idx, 0, T - 1)
        return arr[:, idx]

    return (1 - a) * take(n) + a * take(n + 1)


def _shift_within_years(arr: np.ndarray, steps: float, axis: TimeAxis) -> np.ndarray:
    """:func:`_shift` of per-step values, wrapping within each whole hydrological year of the run (12 monthly
    steps, 36 dekads, or N-day steps holding at least 365 - N days: a year of N-day steps starts with the first step
    that begins in it), so that each year's cycle moves and its total is kept.  A part year at either end of the run
    does not wrap: it takes the flow of the steps that follow it, and the last step repeats past the end."""
    out = _shift(arr, steps, wrap=False)
    hy = _hydro_year_index(axis)
    days = np.asarray(axis.days, dtype=float)
    for y in np.unique(hy):
        idx = np.flatnonzero(hy == y)
        whole = (days[idx].sum() >= 365 - axis.step_days if axis.step_days is not None else
                 len(idx) == (12 if axis.monthly else 36))
        if whole:
            out[:, idx] = _shift(arr[:, idx], steps, wrap=True)
    return out


def _make_inflow_op(op: str):  # type: ignore[no-untyped-def]
    def apply(doc: dict, arg: Any, at: _ChangeAt) -> list[Problem]:
        return _inflow_op(doc, arg, at, op)

    return apply


def _inflow_arrays(inflows: Any) -> dict[str, np.ndarray]:
    """Copies of :func:`transform_inflows`'s inflow arrays as floats, once they are known to be (trace, step)
    arrays of one length (a TypeError or ValueError that names the inflow, not NumPy's own)."""
    if not isinstance(inflows, Mapping):
        raise TypeError(f"inflows: give a mapping of inflow ids to (trace, step) arrays, not {kind_of(inflows)}")
    out: dict[str, np.ndarray] = {}
    for k, v in inflows.items():
        if not isinstance(k, str):
            raise TypeError(f"inflows: the keys are inflow ids as text, not {kind_of(k)}")
        try:
            out[k] = np.array(v, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"inflows[{k!r}]: give numbers in a (trace, step) array, not {kind_of(v)}") from None
        if out[k].ndim != 2 or 0 in out[k].shape:
            raise ValueError(f"inflows[{k!r}] is shaped {out[k].shape}: give a (trace, step) array of at least one "
                             "trace and one step (one trace is shaped (1, steps))")
    lengths = {a.shape[1] for a in out.values()}
    if len(lengths) > 1:
        raise ValueError("the inflow arrays cover different numbers of steps: "
                         + ", ".join(f"{k}: {a.shape[1]}" for k, a in out.items()))
    return out


def _first_month(start: Any) -> pd.Timestamp:
    """:func:`transform_inflows`'s ``start``, the first day of a month given as text or a timestamp."""
    if not isinstance(start, (str, pd.Timestamp, datetime.date, np.datetime64)):
        raise TypeError(f"start={short_text(start)}: give the first month as text (YYYY-MM) or a date")
    not_a_date = ValueError(f"start={start!r}: not a date; give the first month as YYYY-MM")
    if isinstance(start, str) and not re.search(r"\d{4}", start):  # (pandas 3 reads "October" as 0001-10-01)
        raise not_a_date
    try:
        s = pd.Timestamp(start)
        plain = s is not pd.NaT and s.tz is None
        first = s.to_period("M").to_timestamp() if plain else s
    except ValueError:
        raise not_a_date from None
    if s is pd.NaT:
        raise not_a_date
    if not plain:  # (a month's first day in a time zone is not one of the run's dates)
        raise ValueError(f"start={start!r}: give the first month without a time zone (YYYY-MM)")
    if s != first:
        raise ValueError(f"start={start!r}: the inflows' monthly steps start on a month's first day; give YYYY-MM")
    return s


def _monthly_span(start: Any, n_steps: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first days of the first and last of ``n_steps`` monthly steps from ``start`` (:func:`_first_month`),
    checked to lie within the dates a time axis holds before the date arithmetic, which pandas 2 refuses past
    them and pandas 3 does not."""
    s = _first_month(start)
    last_year = (s.year * 12 + s.month - 1 + n_steps - 1) // 12
    if s < FIRST_DATE or last_year > LAST_DATE.year:
        raise ValueError(f"start={start!r}: {n_steps} monthly steps from it lie outside the dates a time axis can "
                         f"hold: they must lie between {FIRST_DATE:%Y-%m-%d} and {LAST_DATE:%Y-%m-%d}")
    return s, s + pd.DateOffset(months=n_steps - 1)


def transform_inflows(inflows: Mapping[str, np.ndarray], names: Sequence[OverlaySpec], start: str | pd.Timestamp,
                      basins: Mapping[str, Sequence[str]], library: str | Path | None = None) -> dict[str, np.ndarray]:
    """Apply the inflow changes of overlays to inflow arrays (other changes are ignored).

    A change naming inflows that are not among ``inflows`` leaves them alone: they keep the model's own series,
    which the same overlays change when the model is built (and where a name that is no inflow is reported).

    Parameters
    ----------
    inflows
        Per inflow node, hm³ per month shaped (trace, step), monthly steps from ``start``.
    names
        Overlay names or paths, applied in order.
    start
        Date of the first step.
    basins
        Inflow ids per basin (the model's ``metadata.basins``).

    Returns
    -------
    dict
        The changed arrays (new arrays; the inputs are not modified).

    Raises
    ------
    TypeError
        If ``basins`` is not a mapping of names to lists of ids (one id alone, as text, is not a list), ``inflows``
        not a mapping of arrays of numbers, or ``start`` neither text nor a date.
    ValueError
        If an inflow array is not (trace, step), they differ in length, ``start`` is not a month's first day, or
        the steps from it lie outside the dates a time axis can hold.
    ModelError
        If an overlay's change cannot be applied to the arrays.
    """
    if not isinstance(basins, Mapping):
        raise TypeError(f"basins: give a mapping of basin names to lists of inflow ids, not {kind_of(basins)}")
    for name, ids in basins.items():
        if isinstance(ids, str) or not isinstance(ids, Sequence):  # (text was read letter by letter: no match)
            raise TypeError(f"basins[{name!r}]: give a list of inflow ids, not {kind_of(ids)}")
    out = _inflow_arrays(inflows)
    if not out:
        return out
    s, end = _monthly_span(start, next(iter(out.values())).shape[1])
    axis = TimeAxis.from_range(s, end)
    doc = {"time": {"start": f"{s:%Y-%m}", "end": f"{end:%Y-%m}"},
           "metadata": {"basins": {name: list(ids) for name, ids in basins.items()}},
           "nodes": [{"id": k, "type": "inflow"} for k in out]}
    problems: list[Problem] = []
    shifted: dict[str, tuple[np.ndarray, float]] = {}  # each inflow a shift_peak moved last: before it, the months
    for overlay in overlay_names(names):
        ov = load_overlay(overlay, library)
        for i, change in enumerate(ov.changes):
            op, arg = next(iter(change.items()))
            if op not in _INFLOW_OPS:
                continue
            if isinstance(arg.get("nodes"), list):  # the other inflows keep the model's series (changed with it)
                arg = {**arg, "nodes": [nid for nid in arg["nodes"] if nid in out]}
            at = _ChangeAt(ov.file, f"changes[{i}].{op}")
            if (outside := _years_outside(op, arg, axis)) is not None:
                problems.append(at.problem(outside))
                continue
            ids, probs = _inflow_targets(doc, arg, at)
            problems += probs
            if op == "named_years":
                ids = _named_year_nodes(ids, arg, at, problems)
            for nid in ids:
                before, moved = shifted.pop(nid, (out[nid], 0.0))
                if op != "shift_peak":
                    out[nid], _ = _transform(out[nid], False, op, arg, axis, nid, doc)
                    if moved and (factor := _constant_factor(op, arg)) is not None:  # (a shift commutes with it)
                        shifted[nid] = (before * factor, moved)
                    continue
                # (two shift_peaks in turn add: each moves the series as it was before the first, by their sum)
                months = moved + float(arg.get("months", 1.0))
                out[nid], _ = _transform(before, False, op, {**arg, "months": months}, axis, nid, doc)
                shifted[nid] = (before, months)
    if problems:
        raise ModelError(problems)
    return out
