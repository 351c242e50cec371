"""Attribute values of a model file, read into canonical units (hm³, hm³ per step, MW, GWh): numbers with units,
series (constant, 12 monthly, per step, from a CSV file), references to parameters and level tables.

Every problem is added to the :class:`LoadContext` of the file being read, with its place; none is raised.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import (
    UNENCODABLE_NAME,
    ModelError,
    Problem,
    did_you_mean,
    kind_of,
    listed,
    read_as,
    with_article,
    written,
)
from ..errors import short_text as _short
from ..parameters import ParameterRef
from ..timeaxis import TimeAxis
from ..units import (
    CANONICAL_UNITS,
    PLAIN_NUMBER,
    UnitError,
    comma_split_hint,
    is_number,
    is_per_month,
    is_too_large,
    is_whole,
    miswritten_number,
    no_unit_given,
    number_in_text,
    parse_quantity,
    percent_as_fraction,
    split_decimals_hint,
    unit_dimension,
    unit_factor,
)
from .components import COMPONENT_TYPES, Attribute
from .csvseries import CsvReadError, csv_columns, csv_problems_for, read_csv_file, read_csv_series, unit_in_name
from .datafiles import DataFileRefused, DataFiles
from .documents import escapes_read
from .series import LevelTable, Series

# an attribute written with no value (``demand:`` and nothing after it, or ``null``)
_NO_VALUE = "has no value; give one, or leave the key out"


class LoadContext:
    """What reading one model file gathers: its problems (file, place, message), the CSV files it read (each read
    once), the names of its parameters, its step length, and what of its nodes and edges could not be read (so that
    later checks do not report the same mistake again).

    ``syntax`` is the file's, "yaml" or "json", and ``origins`` where the values overlays set came from (see
    :func:`daryo.scenarios.overlaid_document`), for the words of messages about a value (:meth:`syntax_at`).
    """

    def __init__(self, file: str, base_dir: Path | DataFiles, syntax: str = "yaml",
                 origins: Mapping[str, tuple[str, str]] | None = None):
        self.file = file
        self.syntax = syntax
        self.origins = origins or {}
        self.files = base_dir if isinstance(base_dir, DataFiles) else DataFiles(base_dir)  # (where, and those read)
        self.problems: list[Problem] = []
        self._csv_cache: dict[Path, pd.DataFrame | None] = {}
        self.parameter_names: set[str] = set()
        self.not_months: str | None = None  # the model's steps if not calendar months ("10-day steps", "dekads")
        self.unread_edge_names: set[str] = set()  # the words of edges that could not be read
        self.nodes_unread = False  # 'nodes' is not a list: edges are not checked against its (no) nodes
        self.unread_attributes: set[tuple[str, str]] = set()  # (node id, attribute) given but not read: a problem

    def add(self, place: str, message: str) -> None:
        """Record a problem at ``place`` of the file."""
        self.problems.append(Problem(self.file, place, message))

    def syntax_at(self, place: str) -> str:
        """The syntax, "yaml" or "json", of the file that gives the value at ``place``: the model file's, or, for a
        value an overlay set, the overlay file's (by its suffix: one given in Python is worded as YAML)."""
        from .places import origin_file  # local import: places imports the model's types

        file = origin_file(place, self.origins) if self.origins else None
        if file is None:
            return self.syntax
        return "json" if Path(file).suffix.lower() == ".json" else "yaml"

    def read_csv(self, name: str, place: str) -> tuple[pd.DataFrame, str] | None:
        """The table of CSV file ``name`` (relative to the model file's folder) and its resolved path, read once per
        file and recorded (:class:`~daryo.model.datafiles.DataFiles`); None after a problem at ``place`` (not found, a
        folder, unreadable, or one the model may not read: outside its folder, loaded confined)."""
        if "\0" in name:  # (no file name holds one; the system refuses it)
            self.add(place, f"CSV file name {name!r} holds a NUL character (\\0): no file has such a name")
            return None
        try:
            path = self.files.locate(name)
        except DataFileRefused as exc:  # (not opened: neither its being there nor its columns are told; a loop of
            self.add(place, f"CSV file {exc}")  # symbolic links too)
            return None
        except UnicodeEncodeError:  # (a name the file system's encoding cannot hold: LC_ALL=C with UTF-8 mode off)
            self.add(place, f"CSV file {name!r} cannot be looked for: {UNENCODABLE_NAME}")
            return None
        if path in self._csv_cache:
            df = self._csv_cache[path]
            if df is not None:  # (another name of a file read: recorded under each name the model writes)
                self.files.record(name, path)
            return (df, str(path)) if df is not None else None
        df = None
        if path.is_dir():
            self.add(place, f"CSV file '{name}' is a folder ({path})")
        elif not path.exists():
            self.add(place, self._not_found(name, path, place))
        elif not path.is_file():
            self.add(place, f"CSV file '{name}' is not a regular file ({path})")
        else:
            try:
                df = read_csv_file(path)
            except CsvReadError as exc:
                self.add(place, f"CSV file '{name}' cannot be read: {exc}")
        self._csv_cache[path] = df
        if df is not None:
            self.files.record(name, path)
        return (df, str(path)) if df is not None else None

    def _not_found(self, name: str, path: Path, place: str) -> str:
        """What to say of CSV file ``name``, named at ``place``, that is not at ``path``: a name that holds what
        the escapes of a double-quoted text are read as (a Windows path, ``"D:\\new\\a.csv"``), a path with
        backslashes, or one an overlay gave, which is found relative to the model's folder, not the overlay's."""
        if escaped := escapes_read(name, self.syntax_at(place)):
            return f"CSV file {escaped[0]} not found: {escaped[1]}"
        slash = "; write the folders of a path with / (data/inflow.csv), as on every system" if "\\" in name else ""
        return f"CSV file '{name}' not found (looked for {path}){slash}{self._overlay_note(name, place)}"

    def _overlay_note(self, name: str, place: str) -> str:
        """For a relative path that an overlay gave at ``place`` (None of a model's own): that it is found relative
        to the model file's folder, not the overlay's (docs/model-format.md, *Scenario overlays*), the file of that
        name beside the overlay where there is one, and how to name it; "" for another path."""
        from .places import origin_file  # local import: places imports the model's types

        overlay = origin_file(place, self.origins) if self.origins else None
        if overlay is None or Path(name).is_absolute():
            return ""
        beside = Path(overlay).absolute().parent / name
        rule = "; a file an overlay names is found relative to the model file's folder, not the overlay's"
        try:
            there = beside.is_file()
        except (OSError, ValueError):
            there = False
        if there:
            return f"{rule}: give the full path of the one beside the overlay, csv: '{beside}'"
        return f"{rule}: give the file's full path"


#: The largest whole number an attribute (a priority, a delay's steps) can be
_MAX_INT = 1_000_000_000


_LINE = re.compile(r" \(line \d+\)$")


def _inner(place: str, sub: str) -> str:
    """The place of part ``sub`` (``.key`` or ``[i]``) of the value at ``place``, its line kept at the end."""
    m = _LINE.search(place)
    return place[: m.start()] + sub + m.group() if m else place + sub


def _finite(values: np.ndarray, ctx: LoadContext, place: str) -> bool:
    if not np.all(np.isfinite(values)):
        ctx.add(place, "contains non-finite numbers (NaN or infinity); give finite values")
        return False
    return True


def _same_unit(a: str, b: Any, attr: Attribute) -> bool:
    """Whether two spellings name the same unit for ``attr`` (``m3/s`` and ``m³/s``…); unknown ones are not."""
    if a == b:
        return True
    if attr.dimension is None:
        return False
    try:
        return unit_factor(a, attr.dimension) == unit_factor(b, attr.dimension)
    except UnitError:
        return False


def _number(value: Any, attr: Attribute, ctx: LoadContext, place: str) -> tuple[float, bool] | None:
    """A scalar in canonical units, and whether it is a per-day rate."""
    unit: str | None = None
    if _empty_unit(value, ctx, place):
        return None
    if isinstance(value, Mapping) and "value" in value:
        unit, value = value.get("unit"), value["value"]
    if isinstance(value, str):
        try:
            q = parse_quantity(value)
        except UnitError as exc:
            ctx.add(place, str(exc))
            return None
        if q.unit is not None and unit is not None and not _same_unit(q.unit, unit, attr):
            ctx.add(place, f"'{value}' names its unit and unit: '{unit}' names another; give the unit once, as "
                    f"'{value}' or as {{value: {q.value:g}, unit: {unit}}}")
            return None
        value, unit = q.value, q.unit if unit is None else unit
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):  # (a 0-d NumPy array or
        value = value.item()  # xarray DataArray, as selecting one value of results gives: a rolling-horizon review
        # carrying an end volume on was told "'8523.67' is not a number")
    if is_too_large(value):
        ctx.add(place, f"'{_short(value)}' is too large a number (more than 1.8e308)")
        return None
    if not is_number(value):
        ctx.add(place, f"'{_short(value)}' is not a number")
        return None
    if not math.isfinite(value):
        ctx.add(place, "is not a finite number")
        return None
    got = _unit_factor(unit, attr.dimension or "cost", ctx, place, attr=attr)
    if got is None:
        return None
    canonical = float(value) * got[0]
    if not math.isfinite(canonical):  # (1e308 km3 is 1e311 hm3)
        ctx.add(place, f"'{_short(value)}' {unit} is too large a number in the model's units (more than 1.8e308)")
        return None
    return canonical, got[1]


_NO_UNIT = "has no value; give a unit, or leave the key out for the canonical one"


def _empty_unit(value: Any, ctx: LoadContext, place: str) -> bool:
    """Whether ``value`` (a mapping) writes ``unit`` with no value (``unit:``, ``unit: null`` or ``''``), which
    read as the canonical unit without a word; reported at ``place``."""
    if isinstance(value, Mapping) and "unit" in value and no_unit_given(value["unit"]):
        ctx.add(_inner(place, ".unit"), _NO_UNIT)
        return True
    return False


#: what a unit given for an attribute that is a pure number (no dimension) says of it, by the attribute's name
_PURE_NUMBERS = {
    "factors": ("a flow_ratio's factor, a pure number: only the factors' ratios count (50 % and 50 % are 1 and 1, "
                "60 % and 40 % are 3 and 2 or 0.6 and 0.4)"),
}


def _unit_factor(unit: Any, dimension: str, ctx: LoadContext, place: str, months: bool = False,
                 attr: Attribute | None = None) -> tuple[float, bool] | None:
    """:func:`~daryo.units.unit_factor`, with a problem at ``place`` instead of an exception: an unknown unit,
    one of another dimension, or an amount per month (``hm3/month``) in a model of N-day steps or dekads, but of
    12 monthly values (``months``: each month's total, which such steps take by their days).  A unit given for an
    ``attr`` that is a pure number (no dimension: a flow_ratio's factors) is named as what the attribute is (a
    Chu-Talas modeller's review: ``factors: [50 %, 50 %]`` was told "'%' given for a dimensionless cost")."""
    try:
        factor, is_rate = unit_factor(unit, dimension)
    except UnitError as exc:
        if attr is not None and attr.dimension is None and attr.name in _PURE_NUMBERS:
            ctx.add(place, f"'{unit}' given for {_PURE_NUMBERS[attr.name]}; write the number without a unit")
        else:
            ctx.add(place, str(exc))
        return None
    if ctx.not_months is not None and is_per_month(unit) and not months:
        example = ("(e.g. '30 GWh') or a rate (e.g. '2 GWh/day', '1.5 TWh/yr')" if dimension == "energy" else
                   "(e.g. '30 hm3') or a rate (e.g. '1 hm3/day', '12 m3/s')")
        ctx.add(place, f"'{unit}' is an amount per calendar month, but this model has {ctx.not_months}; give 12 "
                f"monthly values in it ({{monthly: [...], unit: {unit}}}: each step takes its days' part of its "
                f"month's), or the amount per step {example}")
        return None
    return factor, is_rate


def _parse_value(value: Any, attr: Attribute, ctx: LoadContext, place: str) -> Any:
    kind = attr.kind
    if value is None:
        return None
    if kind == "text":
        if isinstance(value, Mapping | list):
            ctx.add(place, f"must be text, not '{_short(value)}'")
            return None
        return str(value)
    if kind == "node":
        if not isinstance(value, str):
            read = (f" (text), but {read_as(value, ctx.syntax_at(place))}; put the id in quotes"
                    if isinstance(value, bool | int | float) else f", not '{_short(value)}'")
            if value is False:  # (``return_to: no`` means no return more often than a node named "no")
                read += " (for none, leave the key out)"
            ctx.add(place, f"must be the id of a node{read}")
            return None
        return value
    if kind == "int":
        try:
            value = _in_ascii(value)
        except UnitError as exc:
            ctx.add(place, str(exc))
            return None
        if not is_whole(value) or not 1 <= value <= _MAX_INT:
            quoted = " (it is text: write the number without quotes)" if isinstance(value, str) and (
                re.fullmatch(r"[+-]?[0-9]+", value.strip())) else ""
            ctx.add(place, f"'{written(value, ctx.syntax_at(place))}' must be a whole number from 1 to {_MAX_INT:,}"
                    f"{quoted}")
            return None
        return int(value)
    if kind == "choice":
        if value not in attr.choices:
            ctx.add(place, f"'{value}' is not one of: {', '.join(attr.choices)}")
            return None
        return value
    if kind == "scalar":
        scale = 1.0
        if isinstance(value, Mapping) and "value" in value:  # (a scale here was left unread, and ignored)
            unknown = [k for k in value if k not in ("value", "unit", "scale", "source")]
            if unknown:
                ctx.add(place, f"unknown key '{_short(unknown[0])}'; a number is written {{value: …, unit: …}}, "
                        "with scale: … to multiply it")
                return None
            given = _scale(value, ctx, place)
            if given is None:
                return None
            scale = given
        r = _number(value, attr, ctx, place)
        if r is None:
            return None
        if r[1]:
            ctx.add(place, "a rate unit is not allowed here; give a volume per step")
            return None
        if not math.isfinite(scaled := r[0] * scale):
            ctx.add(place, f"the value times scale {scale:g} is too large a number (more than 1.8e308)")
            return None
        return scaled
    if kind == "table":
        return _parse_table(value, ctx, place)
    if kind == "series" and isinstance(value, Mapping) and "parameter" in value:
        return _parse_parameter_ref(value, attr, ctx, place)
    return _parse_series(value, attr, ctx, place, monthly_only=(kind == "monthly"))


def _scale(value: Mapping, ctx: LoadContext, place: str) -> float | None:
    """The ``scale`` of a value written as a mapping (1 without one), a percentage (``50 %``) as the factor it is
    (0.5), as an overlay's ``factor`` reads one (a Chu-Talas modeller's review: ``scale: 50 %`` was refused with a
    bare "is not a number"); None after a problem (not a finite number)."""
    scale = value.get("scale", 1.0)
    try:
        scale = _in_ascii(scale)
    except UnitError as exc:
        ctx.add(place, f"scale: {exc}")
        return None
    fraction = percent_as_fraction(scale)
    scale = scale if fraction is None else fraction
    if not is_number(scale) or not math.isfinite(scale):
        ctx.add(place, f"scale '{_short(scale)}' is not a number; give a number or a percentage (0.5, or 50 %)"
                if not is_number(scale) else f"scale {scale} is not finite")
        return None
    return float(scale)


def _parse_parameter_ref(value: Mapping, attr: Attribute, ctx: LoadContext, place: str) -> ParameterRef | None:
    """``{parameter: NAME, unit: …, scale: …}``: the parameter's value in ``unit`` (default canonical)."""
    unknown = set(value) - {"parameter", "unit", "scale"}
    if unknown:
        ctx.add(place, f"unknown key(s) {', '.join(sorted(map(str, unknown)))} in a parameter reference; use "
                "parameter, unit, scale")
        return None
    name = value["parameter"]
    if not isinstance(name, str) or name not in ctx.parameter_names:
        ctx.add(place, f"names parameter '{name}', which is not defined under 'parameters'"
                f"{did_you_mean(name, ctx.parameter_names)}")
        return None
    if _empty_unit(value, ctx, place):
        return None
    got = _unit_factor(value.get("unit"), attr.dimension or "cost", ctx, place, attr=attr)
    if got is None:
        return None
    factor, is_rate = got
    scale = _scale(value, ctx, place)
    if scale is None:
        return None
    return ParameterRef(name, factor * scale, is_rate, place)


#: the keys of a series written as a mapping: those of every series, and those of a series per step or from a CSV
#: file, which an attribute of a constant or 12 monthly values (kind ``monthly``) does not take
_SERIES_KEYS = frozenset({"unit", "value", "monthly", "scale", "source", "scenarios"})
_STEP_SERIES_KEYS = frozenset({"values", "csv", "column", "columns"})


def _unknown_series_key(value: Mapping, ctx: LoadContext, place: str, monthly_only: bool) -> bool:
    """Whether the series mapping ``value`` has a key it cannot take (reported at ``place``, with the keys it can:
    for an attribute of a constant or 12 monthly values, ``monthly_only``, not those of a series per step or from
    a CSV file, and a parameter is named as such).  ``values`` and a ``csv`` with its columns are left to the
    messages that say what such an attribute takes instead."""
    known = _SERIES_KEYS if monthly_only else _SERIES_KEYS | _STEP_SERIES_KEYS
    told_later = {"values", "csv", "column", "columns"} if monthly_only and "csv" in value else {"values"}
    for k in value:
        if k in known or (monthly_only and k in told_later):
            continue
        keys = ", ".join(sorted(known))
        if not monthly_only:
            ctx.add(place, f"unknown key '{k}' in a series; use one of: {keys}{comma_split_hint(k)}")
        elif k == "parameter":
            ctx.add(place, "takes a constant or exactly 12 monthly values (January first), not a parameter; give "
                    f"them as a number, a list of 12, or a mapping with: {keys}")
        else:
            ctx.add(place, f"unknown key '{k}' in a constant or 12 monthly values (January first); use one of: "
                    f"{keys}{comma_split_hint(k)}")
        return True
    return False


def _parse_series(value: Any, attr: Attribute, ctx: LoadContext, place: str, monthly_only: bool
                  ) -> Series | None:
    dimension = attr.dimension or "cost"
    if _empty_unit(value, ctx, place):
        return None
    unit = value.get("unit") if isinstance(value, Mapping) else None
    # (12 monthly values in hm3/month or GWh/month are months' totals: a BWO planner's review of dekads)
    months = isinstance(value, Mapping) and "monthly" in value
    got = _unit_factor(unit, dimension, ctx, place, months, attr)
    if got is None:
        return None
    factor, is_rate = got
    names: tuple[str, ...] | None = None  # (of inline traces: scenarios: [wet, dry])
    if isinstance(value, Mapping):
        if _unknown_series_key(value, ctx, place, monthly_only):
            return None
        scale = _scale(value, ctx, place)
        if scale is None:
            return None
        given = [k for k in ("value", "monthly", "values", "csv") if k in value]
        if len(given) > 1:  # (one of them would win, silently)
            ctx.add(place, f"a series gives one of value, monthly, values or csv, not {' and '.join(given)}")
            return None
        factor *= scale
        if "scenarios" in value:
            names = _trace_names(value, ctx, place)
            if names is None:
                return None
        if "monthly" in value:
            value = {"_monthly": value["monthly"]}
        elif "values" in value:
            value = {"_steps": value["values"]}
        elif "csv" in value:
            if monthly_only:
                ctx.add(place, "takes a constant or 12 monthly values, not a CSV series")
                return None
            return _parse_csv_series(value, (factor, is_rate), (unit, dimension, scale), ctx, place)
        elif "value" in value:
            r = _number(value, attr, ctx, place)
            if r is None:
                return None
            if not math.isfinite(r[0] * scale):
                ctx.add(place, f"the value times scale {scale:g} is too large a number (more than 1.8e308)")
                return None
            return Series.constant(r[0] * scale, r[1], origin=(ctx.file, place))
        else:
            ctx.add(place, "a series mapping needs one of: value, monthly" + ("" if monthly_only else
                                                                            ", values, csv"))
            return None
    if is_number(value) or is_too_large(value) or isinstance(value, str):
        r = _number(value, attr, ctx, place)
        return None if r is None else Series.constant(r[0], r[1], origin=(ctx.file, place))
    plain = isinstance(value, list)  # (12 monthly values: another length is a typo, most likely)
    if plain:
        value = {"_monthly": value}
    if isinstance(value, Mapping) and ("_monthly" in value or "_steps" in value):
        monthly = "_monthly" in value
        raw = value.get("_monthly", value.get("_steps"))
        if monthly_only and not monthly:
            got_n = f"{len(raw)} values" if isinstance(raw, list) else f"'{_short(raw)}'"
            ctx.add(place, f"takes a constant or exactly 12 monthly values (January first), not values per step "
                    f"({{values: …}}, got {got_n}); write the 12 as a list or as {{monthly: […]}}")
            return None
        try:
            arr = _numeric_rows(raw)
        except UnitError as exc:
            ctx.add(place, str(exc))
            return None
        if arr is None:
            ctx.add(place, "must be a list of numbers, or a list of equally long lists of numbers (one per "
                    f"scenario trace){_first_not_number(raw)}")
            return None
        if monthly and arr.shape[1] != 12:
            split = split_decimals_hint(raw[0] if arr.shape[0] > 1 else raw, 12)  # (10,5 read as 10 and 5)
            ctx.add(place, f"a plain list is 12 monthly values (January first; or one such list per trace), got "
                    f"{arr.shape[1]}{split or '; give one value per step as {values: [...]}'}" if plain else
                    f"monthly values must be 12 (January to December), got {arr.shape[1]}{split}")
            return None
        with np.errstate(over="ignore"):  # (an overflow is reported as a non-finite value)
            arr = arr * factor
        if not _finite(arr, ctx, place):
            return None
        if names is not None and len(names) != arr.shape[0]:
            ctx.add(place, f"scenarios names {len(names)} trace(s), but the series has {arr.shape[0]}: give a name "
                    "for each list of values")
            return None
        # 12 evaporation depths, or amounts per month (hm3/month, GWh/month), are each month's total, spread over
        # the days of N-day steps and dekads
        return Series("monthly" if monthly else "steps", arr, is_rate, origin=(ctx.file, place),
                      per_month=monthly and (dimension == "depth" or is_per_month(unit)),
                      scenarios=names if arr.shape[0] > 1 else None)
    ctx.add(place, f"'{written(value, ctx.syntax_at(place))}' is not a value: give a number, '120 m3/s', 12 monthly "
            "values or {csv: …}")
    return None


def _trace_names(value: Mapping, ctx: LoadContext, place: str) -> tuple[str, ...] | None:
    """The names of a series' traces given by its ``scenarios`` key (None after a problem at ``place``): distinct
    names, one per list of inline values; a CSV series takes its names from its columns."""
    raw = value["scenarios"]
    if "csv" in value:
        ctx.add(place, "a CSV series takes its traces' names from its columns: leave scenarios out")
        return None
    if "value" in value:
        ctx.add(place, "a constant has one trace: leave scenarios out")
        return None
    if not isinstance(raw, list) or not raw or not all(isinstance(n, str | int) and str(n).strip() for n in raw):
        ctx.add(place, f"scenarios must be a list of names, one per list of values, not '{_short(raw)}'")
        return None
    names = tuple(str(n) for n in raw)
    if len(set(names)) != len(names):
        ctx.add(place, f"scenarios names a trace twice ({', '.join(sorted({n for n in names if names.count(n) > 1}))})")
        return None
    return names


def read_flow_series(value: Any, base_dir: Path | DataFiles, file: str, place: str, axis: TimeAxis
                     ) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """A flow series of a model file (a constant, 12 monthly values, values per step or a CSV file, as an inflow
    gives it) on a run's time axis: what a scenario overlay changes, once read.

    Parameters
    ----------
    value
        The series as the model file gives it.
    base_dir
        The model file's folder (where its CSV files are), or where its data files may be read from
        (:class:`~daryo.model.datafiles.DataFiles`: a model loaded confined to its folder).
    file, place
        The model file and the place of the series in it, for the messages.
    axis
        The run's time axis.

    Returns
    -------
    values : numpy.ndarray
        (traces, steps), hm³ per step.
    names : tuple of str or None
        The traces' names (a CSV file's columns), or None.

    Raises
    ------
    ModelError
        With every problem of the series, each at ``place`` of ``file``.
    """
    ctx = LoadContext(file, base_dir)
    ctx.not_months = None if axis.monthly else axis.steps_text()
    attribute = COMPONENT_TYPES["inflow"].attribute("inflow")
    assert attribute is not None
    series = _parse_series(value, attribute, ctx, place, monthly_only=False)
    if series is None or ctx.problems:
        raise ModelError(ctx.problems)
    return series.resolve(axis), series.scenarios


def _in_ascii(value: Any) -> Any:
    """``value``, or the number it is where it is a number written as text in Persian or Arabic-Indic digits or
    with the Arabic separators (``'۰٫۵'``: :func:`~daryo.units.number_in_text`), as YAML reads ``۲۰``.

    Raises
    ------
    UnitError
        If it is such a text whose number mixes the digits of two scripts, or is wrongly grouped.
    """
    number = number_in_text(value)
    return value if number is None else number


def _numeric_rows(raw: Any) -> np.ndarray | None:
    """A list of numbers as shape (1, N), or a list of equally long lists as (S, N); None if neither.  A NumPy
    array of real numbers, of one or two dimensions, is read as that list (a document made in Python); numbers
    written in Persian or Arabic-Indic digits are read as numbers (:func:`_in_ascii`, whose ``UnitError`` this
    raises)."""
    if isinstance(raw, np.ndarray) and raw.ndim in (1, 2) and raw.size and raw.dtype.kind in "iuf":
        raw = raw.tolist()
    if not isinstance(raw, list) or not raw:
        return None
    raw = [[_in_ascii(x) for x in r] if isinstance(r, list) else _in_ascii(r) for r in raw]
    if all(is_number(x) for x in raw):
        return np.asarray(raw, dtype=float)[None, :]
    if all(isinstance(r, list) and r and all(is_number(x) for x in r) for r in raw) and len(
            {len(r) for r in raw}) == 1:
        return np.asarray(raw, dtype=float)
    return None


def _first_not_number(raw: Any) -> str:
    """Which item of a list of values (or of its lists) is first not a number, and what it is, for a message (""
    if ``raw`` is no list, or its items are numbers: its lists differ in length)."""
    if not isinstance(raw, list):
        return ""
    nested = bool(raw) and all(isinstance(r, list) for r in raw)
    items = ((f"[{i}][{j}]", x) for i, r in enumerate(raw) for j, x in enumerate(r)) if nested else (
        (f"[{i}]", x) for i, x in enumerate(raw))
    for sub, x in items:
        if not is_number(_in_ascii(x)):
            quoted = " (text: write the number without quotes)" if isinstance(x, str) and x.strip() and (
                PLAIN_NUMBER.fullmatch(x.strip())) else ""
            what = "too large a number (more than 1.8e308)" if is_too_large(x) else f"{kind_of(x)}, not a number"
            return f"; item {sub} is {what}{quoted or _in_parentheses(miswritten_number(x))}"
    return ""


def _in_parentheses(text: str) -> str:
    """`` (text)`` for a note after a message; "" for no text."""
    return f" ({text})" if text else ""


def _parse_csv_series(spec: Mapping, conversion: tuple[float, bool], read_in: tuple[Any, str, float],
                      ctx: LoadContext, place: str) -> Series | None:
    """A CSV series: its columns' values in canonical units (``conversion``: the factor, scale included, and whether
    it is a rate), read in the unit ``read_in`` says (the series' ``unit`` as written, None for none, the attribute's
    dimension and the ``scale``), which a column's name that states its unit must agree with
    (:func:`_header_unit_problem`); None after a problem at ``place``."""
    factor, is_rate = conversion
    if not isinstance(spec["csv"], str) or not spec["csv"]:
        ctx.add(place, f"csv must be the name of a CSV file, not {_short(spec['csv'])}")
        return None
    got = ctx.read_csv(spec["csv"], place)
    if got is None:
        return None
    df, fname = got
    try:
        cols = csv_columns(spec)
    except ValueError as exc:
        ctx.add(place, str(exc))
        return None
    read = read_csv_series(df, fname, str(spec["csv"]), place, csv_problems_for(place, ctx.add), columns=cols,
                           dots_day_first=True)
    if read is None:
        return None
    stated = _header_unit_problem(read.columns, str(spec["csv"]), read_in, ctx.not_months is not None)
    if stated:
        ctx.add(place, stated)
        return None
    with np.errstate(over="ignore"):  # (reported below)
        values = read.values.T * factor
    if not np.all(np.isfinite(values)):
        ctx.add(place, f"values of {fname} become too large in the model's units (more than 1.8e308)")
        return None
    return Series("dated", values, is_rate, dates=read.dates,
                  scenarios=tuple(read.columns) if len(read.columns) > 1 else None, origin=(ctx.file, place),
                  csv=fname, left_out=read.left_out)


def _header_unit_problem(columns: list[str], csv: str, read_in: tuple[Any, str, float], not_months: bool) -> str:
    """What is wrong where the value columns of CSV file ``csv`` state a unit in their names (``Q [m3/s]``,
    ``naryn (m3/s)``: :func:`~daryo.model.csvseries.unit_in_name`) that is not the one the series reads them in
    (``read_in``: its ``unit`` as written, None for none, the attribute's dimension and the ``scale``); "" where
    none states one, or they state that unit.

    A units auditor's review: ``{csv: f.csv, column: "Q [m3/s]"}``, given no unit, read 400 m³/s as 400 hm³ a
    month, and validate said the model was valid, as a value with two units (``{value: "14 km3", unit: hm3}``) is
    not.  A stated unit agrees where it converts alike (``m³/s`` and ``m3/s``; ``hm3`` and the canonical hm³ per
    step), also once scaled (``unit: hm3/day, scale: 0.0864`` reads m³/s); an amount per month (``hm3/month``) is
    an amount per step on monthly steps alone (``not_months``: the model's steps are not months).  Names without
    brackets (``naryn_m3s``) state nothing here.
    """
    unit, dimension, scale = read_in
    stated = [(c, u) for c in columns if (u := unit_in_name(c)) is not None]
    if not stated:
        return ""
    read = unit_factor(unit, dimension)  # (checked before the file was read)
    where = f"CSV '{csv}'"
    if len({_unit_key(u, dimension) for _, u in stated}) > 1:
        named = listed([f"'{c}'" for c, _ in stated], 4)
        return (f"{where}: columns {named} state different units, and a series reads all its columns in one unit; "
                "give them in one unit (and read each column as a series of its own, or convert its values)")
    column, written = stated[0]
    also = f" (and {len(stated) - 1} more column{'s' if len(stated) > 2 else ''})" if len(stated) > 1 else ""
    try:
        if header_unit_agrees(written, dimension, ((read[0], read[1]), (read[0] * scale, read[1])),
                              is_per_month(unit), not_months):
            return ""
    except UnitError:  # (a unit of another quantity: MW for a flow)
        return (f"{where}: column '{column}'{also} states its unit, {written}, a unit of "
                f"{unit_dimension(written)}, not of {with_article(dimension)}: is it the column meant?")
    if not_months and is_per_month(written):  # (which the series cannot be given: a diff reread)
        return (f"{where}: column '{column}'{also} states its unit, {written}, an amount per calendar month, which a "
                "CSV series of a model of other steps than months cannot be read in; convert its values to a rate "
                f"(their unit per day, or m3/s) and give that unit with the csv")
    as_read = f"{unit}" if unit is not None else f"{CANONICAL_UNITS[dimension]} (no unit given: the default)"
    as_read += f" times scale {scale:g}" if scale != 1 else ""
    return (f"{where}: column '{column}'{also} states its unit, {written}, but the series reads its values in "
            f"{as_read}; give unit: {written} with the csv, or, if the values are in "
            f"{unit if unit is not None else CANONICAL_UNITS[dimension]}, take the unit out of the column's name")


def header_unit_agrees(written: str, dimension: str, conversions: Iterable[tuple[float, bool]], per_month: bool,
                       not_months: bool) -> bool:
    """Whether the unit ``written`` that a CSV column's name states (:func:`~daryo.model.csvseries.unit_in_name`)
    reads its values as one of ``conversions`` does (each a factor to the canonical unit and whether it is a rate:
    the series' unit, scaled or not, or a parameter reference's); ``per_month``: the unit read in is an amount per
    calendar month, which is an amount per step on monthly steps alone (``not_months``: the model's are not).

    Raises
    ------
    UnitError
        If ``written`` is not a unit of ``dimension`` (MW for a flow).
    """
    own = unit_factor(written, dimension)
    same_step = not not_months or is_per_month(written) == per_month
    return same_step and any(own[1] == rate and math.isclose(own[0], f, rel_tol=1e-9) for f, rate in conversions)


def _unit_key(unit: str, dimension: str) -> tuple[float, bool, bool] | str:
    """What tells two units apart for :func:`_header_unit_problem`: their conversion and whether they are an amount
    per month, or (a unit of another quantity) the unit itself."""
    try:
        factor, is_rate = unit_factor(unit, dimension)
    except UnitError:
        return unit.strip().lower()
    return round(factor, 12), is_rate, is_per_month(unit)


def _parse_table(value: Any, ctx: LoadContext, place: str) -> LevelTable | None:
    keys = ("csv",) if isinstance(value, Mapping) and "csv" in value else ("volume", "level", "area", "units")
    unknown = [str(k) for k in value if k not in keys] if isinstance(value, Mapping) else []
    if unknown:
        ctx.add(place, f"unknown key(s) {', '.join(unknown)}; a level table takes " + (
            "csv alone (its columns volume, level, area)" if keys == ("csv",) else "volume, level, area and units"))
        return None
    if isinstance(value, Mapping) and "csv" in value:
        got = ctx.read_csv(str(value["csv"]), place)
        if got is None:
            return None
        value = {k: got[0][k].tolist() for k in ("volume", "level", "area") if k in got[0].columns}
    if not isinstance(value, Mapping) or "volume" not in value or not ({"level", "area"} & set(value)):
        ctx.add(place, "a level table needs 'volume' (hm³) and 'level' (m) and/or 'area' (km²) lists")
        return None
    units = value.get("units", {})
    if "units" in value and units is None:
        ctx.add(_inner(place, ".units"), _NO_VALUE)
        return None
    if not isinstance(units, Mapping):
        ctx.add(_inner(place, ".units"), f"'{_short(units)}' is not a mapping; give the unit of each list, e.g. "
                "units: {volume: km3, level: m, area: ha}")
        return None
    if unknown := [str(k) for k in units if k not in ("volume", "level", "area")]:
        ctx.add(_inner(place, ".units"),
                f"unknown key(s) {', '.join(unknown)}; give the units of volume, level and area")
        return None
    arrays: dict[str, np.ndarray | None] = {}
    for key, dim in (("volume", "volume"), ("level", "length"), ("area", "area")):
        if key not in value:
            arrays[key] = None
            continue
        raw = value[key]
        if raw is None:
            ctx.add(_inner(place, f".{key}"), _NO_VALUE)
            return None
        given = units.get(key)
        if key in units and no_unit_given(given):
            ctx.add(_inner(place, f".units.{key}"), _NO_UNIT)
            return None
        try:
            factor, _ = unit_factor(given, dim)
        except UnitError as exc:
            ctx.add(_inner(place, f".units.{key}"), str(exc))
            return None
        try:
            rows = _numeric_rows(raw)
        except UnitError as exc:
            ctx.add(_inner(place, f".{key}"), str(exc))
            return None
        if rows is None or rows.shape[0] != 1:
            ctx.add(_inner(place, f".{key}"), f"must be a list of numbers, not '{_short(raw)}'")
            return None
        arrays[key] = rows[0] * factor
    vol = arrays["volume"]
    assert vol is not None
    for key, arr in arrays.items():
        if arr is None:
            continue
        if arr.shape != vol.shape:
            ctx.add(_inner(place, f".{key}"), f"has {arr.size} values but volume has {vol.size}")
            return None
        if not _finite(arr, ctx, _inner(place, f".{key}")):
            return None
    if vol.size < 2 or np.any(np.diff(vol) <= 0):
        ctx.add(_inner(place, ".volume"), "needs at least 2 strictly increasing volumes")
        return None
    return LevelTable(vol, arrays["level"], arrays["area"])
