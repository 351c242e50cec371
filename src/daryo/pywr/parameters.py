"""Pywr parameters and values as daryo parameters.

Each supported Pywr parameter type becomes the daryo parameter type of the same meaning
(:mod:`daryo.parameters`); inline definitions become named parameters; values read from ``tables`` or files
(``{"table": …, "index": …}``) are read here and written as numbers.  Pywr's type names are matched as Pywr
matches them: case-insensitive, with or without the ``parameter`` suffix.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UNENCODABLE_NAME, did_you_mean, short_text
from ..model.csvseries import CsvReadError, parse_dates, read_csv_file
from ..model.datafiles import DataFileRefused, DataFiles
from ..model.documents import escapes_read
from ..units import is_number, is_too_large

__all__ = ["ParameterConverter", "SUPPORTED_PARAMETERS", "pywr_type"]

#: Pywr parameter types that daryo reads, with the keys each accepts (besides type, name, comment)
SUPPORTED_PARAMETERS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "constant": "value values url table index column index_col parse_dates scale offset lower_bounds "
                "upper_bounds is_variable",
    "constantscenario": "scenario values url table index column index_col parse_dates",
    "monthlyprofile": "values url table index column index_col parse_dates interp_day lower_bounds upper_bounds "
                      "is_variable",
    "dailyprofile": "values url table index column index_col parse_dates",
    "dataframe": "url table column index_col parse_dates dayfirst scenario timestep_offset checksum",
    "aggregated": "parameters agg_func",
    "max": "parameter threshold",
    "min": "parameter threshold",
    "negative": "parameter",
    "negativemax": "parameter threshold",
    "negativemin": "parameter threshold",
    "offset": "parameter offset lower_bounds upper_bounds is_variable",
    "division": "numerator denominator",
    "indexedarray": "index_parameter params parameters",
    "controlcurve": "storage_node control_curve control_curves values parameters variable_indices upper_bounds "
                    "lower_bounds is_variable",
    "controlcurveindex": "storage_node control_curves",
    "controlcurveinterpolated": "storage_node control_curve control_curves values parameters",
    "storage": "storage_node use_proportional_volume",
    "interpolatedvolume": "node volumes values interp_kwargs",
    "storagethreshold": "storage_node threshold values predicate ratchet",
    "parameterthreshold": "parameter threshold values predicate ratchet",
}.items()}

def _json_text(value: Any) -> str:
    """A value as the JSON file writes it, for messages (null, not Python's None; text in quotes)."""
    return f"'{short_text(value)}'" if isinstance(value, str) else short_text(json_value(value))


def json_value(value: Any) -> str:
    """A value as JSON writes it, for messages: its text as it is (a Cyrillic name, not \\u escapes: a review)."""
    return json.dumps(value, default=str, ensure_ascii=False)


def not_a_number(value: Any) -> str:
    """Why ``value``, read where a number is needed, is none, for messages: an integer too large to be a float
    (a 400-digit one) is said to be so; anything else is "not a number".

    Parameters
    ----------
    value
        The value as the JSON file gives it.

    Returns
    -------
    str
        ``"'9999…' is too large a number (more than 1.8e308)"`` or ``"'abc' is not a number"``.
    """
    if is_too_large(value):
        return f"'{short_text(value)}' is too large a number (more than 1.8e308)"
    return f"{_json_text(value)} is not a number"


#: Pywr's index parameters among those daryo reads (their value is a whole number, an index)
_INDEX_TYPES = frozenset({"controlcurveindex", "storagethreshold", "parameterthreshold"})

_PREDICATES = {"LT": "LT", "<": "LT", "GT": "GT", ">": "GT", "EQ": "EQ", "=": "EQ", "LE": "LE", "<=": "LE",
               "GE": "GE", ">=": "GE"}

_COMMON = {"type", "name", "comment", "tags"}
_VALUE_KEYS = ("values", "url", "table")

#: Keys of a data reference (a table, or a parameter's ``url``/``table``) that Pywr reads itself; it passes the
#: others to pandas' reader, and so does daryo (``sep``, ``header``, ``skiprows``, ``dayfirst``, ...).
_DATA_KEYS = frozenset("url table filetype column index indexes checksum comment key data".split()) | _COMMON
#: Reading options that daryo's ``dataframe`` parameter, which reads its CSV with pandas' defaults, can accept:
#: the values that are those defaults
_DEFAULT_READ: dict[str, tuple[Any, ...]] = {"sep": (",",), "delimiter": (",",), "header": (0, "infer"),
                                             "skiprows": (None, 0), "dayfirst": (False,)}


def _one_char(v: Any) -> bool:
    return isinstance(v, str) and len(v) == 1


def _label(v: Any) -> bool:
    """A column's name or number as JSON gives it."""
    return isinstance(v, str | int | float) and not isinstance(v, bool)


def _labels(v: Any) -> bool:
    return isinstance(v, list) and all(_label(x) for x in v)


def _row(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


#: the compressions pandas reads
_COMPRESSIONS = frozenset({"infer", "gzip", "bz2", "zip", "xz", "zstd", "tar"})


_SEPARATOR = (r"one character, or \s+ (any run of spaces and tabs): a longer one is a regular expression, which "
              "pandas reads with its slow Python reader, and a crafted one takes hours on a line of the file")


#: Reading options of a Pywr table (or of a parameter's own ``url``) that daryo passes to pandas' CSV reader:
#: those Pywr's models and documentation use, each with what its value must be.  Pywr passes any key to
#: pandas; daryo refuses the others (``engine``, ``iterator``, ``chunksize``, ``converters``, ``memory_map``…),
#: which read a file otherwise than as one table (an iterator of chunks, not a table), or slowly: a separator
#: of more than one character is a regular expression, read by pandas' Python engine, and a crafted one
#: (``(a|a)+b``) can take hours on one line.
_READ_OPTIONS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "index_col": (lambda v: v is None or v is False or _label(v) or _labels(v),
                  "a column's name or number, a list of them, or false"),
    "parse_dates": (lambda v: isinstance(v, bool) or _labels(v), "true, false or a list of columns"),
    "dayfirst": (lambda v: isinstance(v, bool), "true or false"),
    "sep": (lambda v: _one_char(v) or v == r"\s+", _SEPARATOR),
    "delimiter": (lambda v: _one_char(v) or v == r"\s+", _SEPARATOR),
    "delim_whitespace": (lambda v: isinstance(v, bool), "true or false"),
    "header": (lambda v: v is None or v == "infer" or _row(v) or (_labels(v) and all(_row(x) for x in v)),
               "a row number, a list of them, or null"),
    "names": (_labels, "a list of column names"),
    "skiprows": (lambda v: v is None or _row(v) or (isinstance(v, list) and all(_row(x) for x in v)),
                 "a number of rows, or a list of row numbers"),
    "nrows": (lambda v: v is None or _row(v), "a number of rows"),
    "usecols": (lambda v: v is None or _labels(v), "a list of column names or numbers"),
    "na_values": (lambda v: v is None or _label(v) or _labels(v), "a value, or a list of values, read as missing"),
    "keep_default_na": (lambda v: isinstance(v, bool), "true or false"),
    "true_values": (_labels, "a list of values"),
    "false_values": (_labels, "a list of values"),
    "decimal": (_one_char, "one character"),
    "thousands": (lambda v: v is None or _one_char(v), "one character, or null"),
    "quotechar": (_one_char, "one character"),
    "escapechar": (lambda v: v is None or _one_char(v), "one character, or null"),
    "doublequote": (lambda v: isinstance(v, bool), "true or false"),
    "quoting": (lambda v: v in (0, 1, 2, 3) and not isinstance(v, bool), "0, 1, 2 or 3 (csv.QUOTE_*)"),
    "skipinitialspace": (lambda v: isinstance(v, bool), "true or false"),
    "skip_blank_lines": (lambda v: isinstance(v, bool), "true or false"),
    "encoding": (lambda v: v is None or (isinstance(v, str) and 0 < len(v) <= 40), "an encoding's name (utf-8)"),
    "compression": (lambda v: v is None or v in _COMPRESSIONS, f"one of {', '.join(sorted(_COMPRESSIONS))} or null"),
    "dtype": (lambda v: isinstance(v, str) or (isinstance(v, Mapping) and all(isinstance(x, str) for x in v.values())),
              "a type's name, or a mapping of columns to types' names"),
    "date_format": (lambda v: v is None or isinstance(v, str), "a date format (%Y-%m-%d)"),
    "engine": (lambda v: v == "c", "\"c\", pandas' own reader (its Python reader is slow, and reads a separator of "
               "several characters as a regular expression)"),
}


def _read_option_problem(key: str, value: Any) -> str | None:
    """Why daryo does not pass the reading option ``key: value`` of a Pywr table to pandas; None if it does.

    Parameters
    ----------
    key, value
        The option as the table (or the parameter's own ``url``) gives it.

    Returns
    -------
    str or None
        ``"sep '(a|a)+b' must be one character, or \\s+ …"``, or that ``key`` is no option daryo reads, with
        those it reads.
    """
    if key not in _READ_OPTIONS:
        return (f"'{short_text(key)}' is not a reading option daryo passes to pandas"
                f"{did_you_mean(key, _READ_OPTIONS)} (it reads a table's CSV with the options Pywr's models use, "
                "listed in docs/pywr.md); remove it")
    check, what = _READ_OPTIONS[key]
    if check(value):
        return None
    return f"{key} {_json_text(value)} must be {what}"



def file_name_problem(name: str) -> str | None:
    """What makes ``name`` no file name (a NUL character, which the system refuses in a path); None if nothing.

    Parameters
    ----------
    name
        A file name as the Pywr document gives it (a ``url``, an include).

    Returns
    -------
    str or None
        The problem, naming the name with the NUL shown as ``\\x00``.
    """
    if "\0" in name:
        return f"{short_text(repr(name), 80)} is not a file name: it holds a NUL character (\\u0000 in JSON)"
    try:
        os.fsencode(name)
    except UnicodeEncodeError:
        return f"{short_text(repr(name), 80)} cannot be looked for: {UNENCODABLE_NAME}"
    return None


#: Pywr's parameter types that daryo does not support (docs/pywr.md, *Not supported*): named as such, with no
#: "did you mean" a supported type of a near name, which would work otherwise
UNSUPPORTED_PARAMETERS = frozenset(
    "nodethreshold recorderthreshold currentyearthreshold currentordinaldaythreshold multiplethresholdindex "
    "multiplethresholdparameterindex flow flowdelay rollingmeanflownode deficit weeklyprofile scenariomonthlyprofile "
    "scenariodailyprofile scenarioweeklyprofile rbfprofile uniformdrawdownprofile annualharmonicseries tablesarray "
    "arrayindexed arrayindexedscenario arrayindexedscenariomonthlyfactors interpolated interpolatedflow "
    "interpolatedquadrature piecewiseintegral discountfactor polynomial1d aggregatedindex "
    "constantscenarioindex scenariowrapper controlcurvepiecewiseinterpolated weightedaverageprofile "
    "annuallicense timesteplicense storagelicense annualexponentiallicense annualhyperbolalicense "  # (Pywr's spelling)
    "hydropowertarget polynomial2dstorage scaledprofile binarystep rectifier logistic function "
    "othermodelparametervalue othermodelnodeflow othermodelnodestorage othermodelindexparametervalueindex".split())
#: Pywr's node types that daryo does not support
UNSUPPORTED_NODES = frozenset(
    "virtualstorage annualvirtualstorage monthlyvirtualstorage seasonalvirtualstorage rollingvirtualstorage "
    "aggregatedstorage keatingaquifer".split())
#: what an unsupported Pywr type is told instead of a near name
UNSUPPORTED_NOTE = ": a Pywr type daryo does not support (docs/pywr.md, Not supported)"


def keys_with_hints(unknown: list[str], known: Iterable[str]) -> str:
    """The unknown keys, each with the known one it may misspell ("valuse (did you mean 'values'?)")."""
    known = list(known)
    return ", ".join(f"{k}{did_you_mean(k, known)}" for k in unknown)


def pywr_type(name: Any, known: Mapping[str, Any]) -> str | None:
    """Pywr's lookup of a type name: lower case, then with the suffix ``parameter``/``recorder`` added or
    removed (``ConstantParameter``, ``constant`` and ``constantparameter`` are the same type)."""
    if not isinstance(name, str):
        return None
    key = name.lower()
    for suffix in ("parameter", "recorder"):
        if key.endswith(suffix) and key[: -len(suffix)] in known:
            return key[: -len(suffix)]
    return key if key in known else None


class ParameterConverter:
    """Converts the Pywr parameters that a model uses; collects problems through ``add``.

    Parameters
    ----------
    pywr_params
        The Pywr document's ``parameters`` section.
    tables
        Its ``tables`` section.
    base_dir
        Folder that relative file names are resolved against.
    storage_nodes
        Names of the Pywr storage nodes (control curves and volume parameters must name one).
    scenarios
        Names of the Pywr scenarios.
    add
        ``add(place, message)`` records a problem.
    files
        Where data files may be read from, instead of ``base_dir`` (a model loaded confined to its folder), and the
        record of those read (:class:`~daryo.model.datafiles.DataFiles`).
    """

    def __init__(self, pywr_params: Mapping[str, Any], tables: Mapping[str, Any], base_dir: Path,
                 storage_nodes: set[str], scenarios: set[str], add: Callable[[str, str], None], *,
                 files: DataFiles | None = None):
        self.pywr, self.tables, self.base_dir = pywr_params, tables, base_dir
        self.files = files or DataFiles(base_dir)
        self.storage_nodes, self.scenarios, self.add = storage_nodes, scenarios, add
        self.out: dict[str, Any] = {}
        self.last_day = False  # profiles take the value of a step's last day (Pywr's monthly steps)
        self._busy: set[str] = set()
        self._failed: set[str] = set()  # reported once, then left out
        self._inline_at: dict[str, str] = {}  # the place of each named inline parameter (the first, for a name)
        self.inline_places: dict[str, str] = {}  # the Pywr place of each unnamed inline parameter, by its name
        # CSV files read, by path and reading options (the reason, for a file that cannot be read)
        self._frames: dict[tuple[Path, str], pd.DataFrame | str] = {}

    # ------------------------------------------------------------------------------ attribute values
    def value(self, v: Any, place: str, name: str, unit: str | None = None) -> Any:
        """A node attribute: a number, a reference to a (possibly inline) parameter, or a value looked up in
        a table.  ``unit`` (e.g. ``hm3/day`` for flows) is attached to numbers and references."""
        if v is None:
            return None
        if is_number(v):
            return {"value": float(v), "unit": unit} if unit else float(v)
        if isinstance(v, str):
            if not self.ensure(v, place):
                return None
            return {"parameter": v, "unit": unit} if unit else {"parameter": v}
        if isinstance(v, Mapping) and "type" not in v:
            number = self.lookup(v, place)
            return None if number is None else self.value(number, place, name, unit)
        if isinstance(v, Mapping):
            pname = self._inline(v, place, name)
            if pname is None:
                return None
            return {"parameter": pname, "unit": unit} if unit else {"parameter": pname}
        self.add(place, not_a_number(v) if is_too_large(v) else f"'{short_text(v)}' is not a value: give a number, a "
                 "parameter name or a parameter definition")
        return None

    def _inline(self, v: Mapping, place: str, name: str) -> str | None:
        """Convert the inline parameter definition ``v`` at ``place``; its name (``v``'s own, or one made from
        ``name`` for an unnamed one), or None if a parameter of the document or another inline one has that name
        (Pywr refuses two parameters of one name)."""
        given = v.get("name")
        if not given:
            pname = self._inline_name(name)
            self.inline_places[pname] = place
        else:
            pname = str(given)
            first = self._inline_at.setdefault(pname, place)
            if pname in self.pywr or first != place:
                other = f"parameters[{pname}]" if pname in self.pywr else first
                self.add(place, f"an inline parameter named '{pname}', as is the parameter at {other}: Pywr "
                         "refuses two parameters of one name; rename one of them")
                return None
        self.convert(pname, v, place)
        return pname

    def _inline_name(self, name: str) -> str:
        """The name for an unnamed inline parameter at ``name`` (``NODE.ATTRIBUTE``…): ``name`` itself unless the
        document defines a parameter of that name (which Pywr keeps apart), then ``name_inline``, ``name_inline2``…"""
        if name not in self.pywr:
            return name
        candidates = (f"{name}_inline{'' if i == 1 else i}" for i in itertools.count(1))
        return next(c for c in candidates if c not in self.pywr)

    def constant_number(self, v: Any) -> float | None:
        """The value of ``v`` if it is a constant (a number, a table value or a ``constant`` parameter)."""
        if is_number(v):
            return float(v)
        data = self.pywr.get(v) if isinstance(v, str) else v
        if not isinstance(data, Mapping):
            return None
        if "type" not in data:
            return self.lookup(data, "", quiet=True)
        if pywr_type(data.get("type"), SUPPORTED_PARAMETERS) != "constant":
            return None
        return self._constant_value(data, "", quiet=True)

    # ------------------------------------------------------------------------------------ parameters
    def ensure(self, name: str, place: str) -> bool:
        """Convert the named Pywr parameter (once); False if it does not exist."""
        if name in self.out or name in self._busy:
            return True
        if name in self._failed:
            return False
        if name not in self.pywr:
            self.add(place, f"names parameter '{name}', which is not defined in the model's parameters"
                     f"{did_you_mean(name, self.pywr)}")
            return False
        self.convert(name, self.pywr[name], f"parameters[{name}]")
        return True

    def convert(self, name: str, data: Any, place: str) -> None:
        if name in self.out or name in self._busy or name in self._failed:
            return
        self._failed.add(name)  # until converted
        if is_number(data):
            self.add(place, "a named parameter cannot be a plain number (Pywr refuses it too); use "
                     "{\"type\": \"constant\", \"value\": …}")
            return
        if not isinstance(data, Mapping) or "type" not in data:
            self.add(place, "a parameter must be a mapping with a 'type'")
            return
        ptype = pywr_type(data["type"], SUPPORTED_PARAMETERS)
        if ptype is None:
            given = str(data["type"]).lower()
            hint = (UNSUPPORTED_NOTE if given.removesuffix("parameter") in UNSUPPORTED_PARAMETERS else  # (no near
                    # name that works otherwise: weeklyprofile is not a dailyprofile)
                    did_you_mean(given, [*SUPPORTED_PARAMETERS, *(f"{t}parameter" for t in SUPPORTED_PARAMETERS)]))
            self.add(place, f"unsupported parameter type '{data['type']}'{hint}")
            return
        url = data.get("url")
        if isinstance(url, str) and not _is_csv(url, data):  # (before its reader's keys, which Excel and HDF5 files
            # need: a review was first told to drop sheet_name, then that the file must be CSV)
            self.add(place, f"'{url}': only CSV files are supported (convert Excel/HDF5 data to CSV)")
            return
        unknown = sorted(set(data) - SUPPORTED_PARAMETERS[ptype] - _COMMON)
        if unknown:
            self.add(place, f"unsupported key(s) {keys_with_hints(unknown, SUPPORTED_PARAMETERS[ptype] | _COMMON)} "
                     f"for a Pywr {ptype} parameter")
            return
        self._busy.add(name)
        try:
            out = getattr(self, f"_p_{ptype}")(name, data, place)
        finally:
            self._busy.discard(name)
        if out is not None:
            self.out[name] = out
            self._failed.discard(name)

    def child(self, v: Any, place: str, name: str) -> Any:
        """An input of a parameter: a number, a parameter name, or an inline definition (named ``name``)."""
        if is_number(v):
            return float(v)
        if isinstance(v, str):
            return v if self.ensure(v, place) else None
        if isinstance(v, Mapping) and "type" not in v:
            return self.lookup(v, place)
        if isinstance(v, Mapping):
            pname = self._inline(v, place, name)
            return pname if pname is not None and (pname in self.out or pname in self._busy) else None
        self.add(place, not_a_number(v) if is_too_large(v) else f"'{short_text(v)}' is not a parameter: give a "
                 "number, a name or a definition")
        return None

    def children(self, vs: Any, place: str, name: str) -> list[Any] | None:
        if not isinstance(vs, list):
            self.add(place, "must be a list")
            return None
        kids = [self.child(v, f"{place}[{i}]", f"{name}[{i}]") for i, v in enumerate(vs)]
        return None if any(k is None for k in kids) else kids

    def _storage(self, data: Mapping, key: str, place: str) -> str | None:
        node = data.get(key)
        if not isinstance(node, str) or node not in self.storage_nodes:
            self.add(place, f"{key} '{node}' is not a storage node of the model")
            return None
        return str(node)

    def _curves(self, data: Mapping, name: str, place: str) -> list[Any] | None:
        if "control_curves" in data:
            return self.children(data["control_curves"], f"{place}.control_curves", f"{name}.control_curves")
        if "control_curve" in data:
            kid = self.child(data["control_curve"], f"{place}.control_curve", f"{name}.control_curve")
            return None if kid is None else [kid]
        self.add(place, "needs control_curves")
        return None

    # one method per type: Pywr definition -> daryo definition (None after a problem)
    def _p_constant(self, name: str, d: Mapping, place: str) -> dict | None:
        v = self._constant_value(d, place)
        return None if v is None else {"type": "constant", "value": v}

    def _constant_value(self, d: Mapping, place: str, quiet: bool = False) -> float | None:
        if "value" in d:
            v = d["value"]
        elif "values" in d and is_number(d["values"]):  # (Pywr reads a constant's number from 'values' too)
            v = d["values"]
        else:
            v = self.lookup(d, place, quiet=quiet)
            if v is None:  # the lookup has said why
                return None
        if not is_number(v):
            if not quiet:
                self.add(place, f"value {not_a_number(v)}")
            return None
        for key in ("scale", "offset"):
            if key in d and not is_number(d[key]):
                if not quiet:
                    self.add(f"{place}.{key}", not_a_number(d[key]))
                return None
        return float(v) * float(d.get("scale", 1.0)) + float(d.get("offset", 0.0))

    def _p_constantscenario(self, name: str, d: Mapping, place: str) -> dict | None:
        values = self.values(d, place)
        if values is None or not self._scenario(d.get("scenario"), place):
            return None
        return {"type": "constantscenario", "scenario": d["scenario"], "values": values}

    def _p_monthlyprofile(self, name: str, d: Mapping, place: str) -> dict | None:
        values = self.values(d, place)
        if values is None:
            return None
        out: dict[str, Any] = {"type": "monthlyprofile", "values": values}
        if d.get("interp_day") is not None:
            out["interp_day"] = d["interp_day"]
            if self.last_day:
                out["day"] = "last"
        return out

    def _p_dailyprofile(self, name: str, d: Mapping, place: str) -> dict | None:
        values = self.values(d, place)
        if values is None:
            return None
        return {"type": "dailyprofile", "values": values, **({"day": "last"} if self.last_day else {})}

    def _p_dataframe(self, name: str, d: Mapping, place: str) -> dict | None:
        spec = self._with_table(d, place)
        if spec is None:
            return None
        url = spec.get("url")
        if not isinstance(url, str):
            self.add(place, "needs a 'url' (a CSV file) or a 'table'; embedded data is not supported")
            return None
        if not self._csv_file(url, spec, place):
            return None
        options = self._read_options(d, spec, place)
        if options is None:
            return None
        extra = {k: v for k, v in options.items()
                 if k not in SUPPORTED_PARAMETERS["dataframe"] and v not in _DEFAULT_READ.get(k, ())}
        if extra:  # daryo's dataframe parameter reads the file itself, with pandas' defaults
            self.add(place, f"table '{d.get('table')}' sets {', '.join(f'{k}={v!r}' for k, v in extra.items())}: "
                     "a dataframe parameter's CSV is read with pandas' defaults (comma-separated, one header "
                     "row, no rows skipped); rewrite the file so, or remove the option")
            return None
        dayfirst = spec.get("dayfirst", False)  # (False: N/N/YYYY month first, as pandas reads it for Pywr)
        if not isinstance(dayfirst, bool):
            self.add(place, f"dayfirst {dayfirst!r} must be true or false")
            return None
        out: dict[str, Any] = {"type": "dataframe", "csv": url, "dayfirst": dayfirst}
        index_col = spec.get("index_col")
        if isinstance(index_col, int) and not isinstance(index_col, bool):
            cols = self._header(url)
            if cols is not None:  # (a file that cannot be read is reported where the model reads it)
                if not -len(cols) <= index_col < len(cols):
                    self.add(place, f"index_col {index_col} is not a column of CSV file '{url}', which has "
                             f"{len(cols)}: {', '.join(cols)}")
                    return None
                out["index_col"] = cols[index_col]
        elif isinstance(index_col, str):
            out["index_col"] = index_col
        elif index_col is not None:
            self.add(place, f"index_col {index_col!r} is not supported: give the date column's name or number")
            return None
        if spec.get("column") is not None:
            out["columns"] = [str(spec["column"])]
        if spec.get("scenario") is not None:
            if not self._scenario(spec["scenario"], place):
                return None
            out["scenario"] = spec["scenario"]
        if spec.get("timestep_offset"):
            offset = spec["timestep_offset"]
            if not is_number(offset) or not float(offset).is_integer():
                self.add(f"{place}.timestep_offset", f"'{offset}' is not a whole number of steps")
                return None
            out["timestep_offset"] = int(offset)
        weekly = self._weekly(url, out.get("index_col"), dayfirst)
        if weekly:
            self.add(place, f"CSV file '{url}' has weekly dates ({weekly}): Pywr reads each row as the week ending "
                     "on its date, daryo as the 7 days starting on it; give the file daily rows instead")
            return None
        return out

    def _weekly(self, url: str, index_col: str | None, dayfirst: bool) -> str | None:
        """The file's weekly frequency (``W-MON``…) if its dates are weekly, as pandas infers it; else None
        (also when the dates cannot be read: the model reports that when it reads the file)."""
        try:
            frame = read_csv_file(self.files.locate(url))
            col = index_col if index_col is not None else "date" if "date" in frame.columns else frame.columns[0]
            dates = pd.DatetimeIndex(parse_dates(frame[col], dayfirst))
            freq = pd.infer_freq(dates) if len(dates) >= 3 else None
        except (CsvReadError, DataFileRefused, KeyError, IndexError, ValueError, TypeError):
            return None
        return freq if isinstance(freq, str) and freq.startswith("W") else None

    def _p_aggregated(self, name: str, d: Mapping, place: str) -> dict | None:
        func = str(d.get("agg_func", "")).lower()
        if func not in ("sum", "min", "max", "mean", "product", "median"):
            self.add(place, f"agg_func '{d.get('agg_func')}' is not supported (sum, min, max, mean, product, "
                     "median)")
            return None
        kids = self.children(d.get("parameters"), f"{place}.parameters", f"{name}.parameters")
        return None if kids is None else {"type": "aggregated", "agg_func": func, "parameters": kids}

    def _unary(self, kind: str, name: str, d: Mapping, place: str, extra: str | None) -> dict | None:
        kid = self.child(d.get("parameter"), f"{place}.parameter", f"{name}.parameter")
        if kid is None:
            return None
        out: dict[str, Any] = {"type": kind, "parameter": kid}
        if extra and d.get(extra) is not None:
            if not is_number(d[extra]):
                self.add(f"{place}.{extra}", not_a_number(d[extra]))
                return None
            out[extra] = float(d[extra])
        return out

    def _p_max(self, name: str, d: Mapping, place: str) -> dict | None:
        return self._unary("max", name, d, place, "threshold")

    def _p_min(self, name: str, d: Mapping, place: str) -> dict | None:
        return self._unary("min", name, d, place, "threshold")

    def _p_negative(self, name: str, d: Mapping, place: str) -> dict | None:
        return self._unary("negative", name, d, place, None)

    def _p_negativemax(self, name: str, d: Mapping, place: str) -> dict | None:
        return self._unary("negativemax", name, d, place, "threshold")

    def _p_negativemin(self, name: str, d: Mapping, place: str) -> dict | None:
        return self._unary("negativemin", name, d, place, "threshold")

    def _p_offset(self, name: str, d: Mapping, place: str) -> dict | None:
        return self._unary("offset", name, d, place, "offset")

    def _p_division(self, name: str, d: Mapping, place: str) -> dict | None:
        num = self.child(d.get("numerator"), f"{place}.numerator", f"{name}.numerator")
        den = self.child(d.get("denominator"), f"{place}.denominator", f"{name}.denominator")
        return None if num is None or den is None else {"type": "division", "numerator": num, "denominator": den}

    def _p_indexedarray(self, name: str, d: Mapping, place: str) -> dict | None:
        idx = self.child(d.get("index_parameter"), f"{place}.index_parameter", f"{name}.index_parameter")
        key = "params" if "params" in d else "parameters"
        kids = self.children(d.get(key), f"{place}.{key}", f"{name}.{key}")
        if isinstance(idx, str) and idx in self.out and self.out[idx].get("type") not in _INDEX_TYPES:
            self.add(f"{place}.index_parameter", f"'{idx}' is a {self.out[idx].get('type')} parameter, not an index "
                     f"parameter ({', '.join(sorted(_INDEX_TYPES))}), which Pywr requires here")
            return None
        if isinstance(idx, str) and "values" in self.out.get(idx, {}):  # Pywr indexes by a threshold's index,
            index_only = {k: v for k, v in self.out[idx].items() if k != "values"}  # not by its values
            idx = f"{idx}.index"
            self.out[idx] = index_only
        return None if idx is None or kids is None else {"type": "indexedarray", "index_parameter": idx,
                                                         "parameters": kids}

    def _p_controlcurve(self, name: str, d: Mapping, place: str) -> dict | None:
        res, curves = self._storage(d, "storage_node", place), self._curves(d, name, place)
        if res is None or curves is None:
            return None
        if "parameters" in d:
            values = self.children(d["parameters"], f"{place}.parameters", f"{name}.parameters")
        elif any(k in d for k in _VALUE_KEYS):
            values = self.values(d, place)
        else:  # Pywr's default: 0, 1, 2, …
            values = [float(i) for i in range(len(curves) + 1)]
        if values is None:
            return None
        return {"type": "controlcurve", "reservoir": res, "control_curves": curves, "values": values}

    def _p_controlcurveindex(self, name: str, d: Mapping, place: str) -> dict | None:
        res, curves = self._storage(d, "storage_node", place), self._curves(d, name, place)
        if res is None or curves is None:
            return None
        return {"type": "controlcurveindex", "reservoir": res, "control_curves": curves}

    def _p_controlcurveinterpolated(self, name: str, d: Mapping, place: str) -> dict | None:
        res, curves = self._storage(d, "storage_node", place), self._curves(d, name, place)
        if res is None or curves is None:
            return None
        if "parameters" in d:
            values = self.children(d["parameters"], f"{place}.parameters", f"{name}.parameters")
        else:
            values = self.values(d, place)
        if values is None:
            return None
        return {"type": "controlcurveinterpolated", "reservoir": res, "control_curves": curves, "values": values}

    def _p_storage(self, name: str, d: Mapping, place: str) -> dict | None:
        res = self._storage(d, "storage_node", place)
        if res is None:
            return None
        return {"type": "storage", "reservoir": res, "proportional": bool(d.get("use_proportional_volume", False))}

    def _p_interpolatedvolume(self, name: str, d: Mapping, place: str) -> dict | None:
        res = self._storage(d, "node", place)
        xs = self._numbers(d.get("volumes"), f"{place}.volumes")
        ys = self._numbers(d.get("values"), f"{place}.values")
        if res is None or xs is None or ys is None:
            return None
        if len(xs) == len(ys):  # (Pywr's interp1d sorts its points by volume; a volume given twice is refused)
            order = sorted(range(len(xs)), key=xs.__getitem__)
            xs, ys = [xs[i] for i in order], [ys[i] for i in order]
        out: dict[str, Any] = {"type": "interpolatedvolume", "reservoir": res, "volumes": xs, "values": ys}
        if not isinstance(d.get("interp_kwargs") or {}, Mapping):
            self.add(f"{place}.interp_kwargs", "needs a mapping of keyword arguments")
            return None
        kw = dict(d.get("interp_kwargs") or {})
        if kw.pop("kind", "linear") != "linear":
            self.add(f"{place}.interp_kwargs", "only linear interpolation (kind: linear) is supported")
            return None
        fill = kw.pop("fill_value", None)
        bounds_error = kw.pop("bounds_error", True)
        if kw:
            self.add(f"{place}.interp_kwargs", f"unsupported key(s) {', '.join(sorted(kw))}")
            return None
        if fill == "extrapolate":
            out["outside"] = "extrapolate"
        elif not bounds_error:
            pair = fill if isinstance(fill, list | tuple) else [fill, fill]
            if len(pair) != 2 or not all(is_number(p) for p in pair):
                self.add(f"{place}.interp_kwargs", "bounds_error false needs a numeric fill_value (or "
                         "'extrapolate'); NaN values cannot be used")
                return None
            out["outside"], out["fill"] = "fill", [float(p) for p in pair]
        return out

    def _threshold(self, kind: str, name: str, d: Mapping, place: str) -> dict | None:
        if d.get("ratchet"):
            self.add(f"{place}.ratchet", "ratchet thresholds (which stay triggered) are not supported")
            return None
        predicate = _PREDICATES.get(str(d.get("predicate", "LT")).upper())
        if predicate is None:
            self.add(f"{place}.predicate", f"'{d.get('predicate')}' is not one of LT, GT, EQ, LE, GE")
            return None
        threshold = self.child(d.get("threshold"), f"{place}.threshold", f"{name}.threshold")
        if threshold is None:
            return None
        out: dict[str, Any] = {"type": kind, "threshold": threshold, "predicate": predicate}
        if d.get("values") is not None:
            values = self._numbers(d["values"], f"{place}.values")
            if values is None:
                return None
            out["values"] = values
        return out

    def _p_storagethreshold(self, name: str, d: Mapping, place: str) -> dict | None:
        res, out = self._storage(d, "storage_node", place), self._threshold("storagethreshold", name, d, place)
        return None if res is None or out is None else {**out, "reservoir": res}

    def _p_parameterthreshold(self, name: str, d: Mapping, place: str) -> dict | None:
        kid = self.child(d.get("parameter"), f"{place}.parameter", f"{name}.parameter")
        out = self._threshold("parameterthreshold", name, d, place)
        return None if kid is None or out is None else {**out, "parameter": kid}

    # ---------------------------------------------------------------------------------------- values
    def _scenario(self, s: Any, place: str) -> bool:
        if not isinstance(s, str) or s not in self.scenarios:
            self.add(place, f"scenario '{s}' is not declared in the model's scenarios")
            return False
        return True

    def _numbers(self, v: Any, place: str) -> list[float] | None:
        if isinstance(v, Mapping):
            got = self._load_values(v, place)
            return None if got is None else [float(x) for x in np.atleast_1d(got)]
        if isinstance(v, list) and all(is_number(x) for x in v):
            return [float(x) for x in v]
        self.add(place, "must be a list of numbers (or a table/url reference)")
        return None

    def values(self, d: Mapping, place: str) -> list[float] | None:
        """Pywr's ``load_parameter_values``: inline ``values`` or values read from a table or file."""
        if "values" in d:
            return self._numbers(d["values"], f"{place}.values")
        got = self._load_values(d, place)
        return None if got is None else [float(x) for x in np.atleast_1d(got)]

    def lookup(self, d: Mapping, place: str, quiet: bool = False) -> float | None:
        """A single number from a table or file (``{"table": t, "index": i, "column": c}``)."""
        got = self._load_values(d, place, quiet)
        if got is None:
            return None
        arr = np.atleast_1d(got)
        if arr.size != 1:
            if not quiet:
                self.add(place, f"the table lookup gives {arr.size} values where one number is needed")
            return None
        return float(arr[0])

    def _with_table(self, d: Mapping, place: str, quiet: bool = False) -> dict | None:
        """The parameter's data spec with its ``table`` (from the model's ``tables``) merged in; None if the
        table is not defined."""
        spec = {k: v for k, v in d.items() if k != "table"}
        if "table" not in d:
            return spec
        table = self.tables.get(d["table"]) if isinstance(d["table"], str) else None
        if not isinstance(table, Mapping):
            if not quiet:
                defined = isinstance(d["table"], str) and d["table"] in self.tables
                self.add(place, f"table '{d['table']}' " + ("in the model's tables is not a mapping (url and reading "
                                                             "options)" if defined else
                                                             "is not defined in the model's tables"))
            return None
        return {**table, **spec}

    def _load_values(self, d: Mapping, place: str, quiet: bool = False) -> np.ndarray | None:
        spec = self._with_table(d, place, quiet)
        if spec is None:
            return None
        url = spec.get("url")
        if not isinstance(url, str):
            if not quiet:
                self.add(place, "needs 'values', a 'table' or a 'url'")
            return None
        options = self._read_options(d, spec, place, quiet)
        df = None if options is None else self._read(url, spec, options, place, quiet)
        if df is None:
            return None
        where = f"table '{d['table']}'" if "table" in d else f"'{url}'"
        for key, labels, what in (("column", df.columns, "column"), ("index", df.index, "row")):
            if spec.get(key) is not None and _key(spec[key], labels) not in labels:
                if not quiet:
                    hint = did_you_mean(str(spec[key]), [str(x) for x in labels])
                    self.add(place, f"{where} has no {what} {_json_text(spec[key])}{hint}; its {what}s are: "
                             f"{short_text(', '.join(map(str, labels)), 200)}")
                return None
        try:
            if spec.get("column") is not None:
                df = df[_key(spec["column"], df.columns)]
            if spec.get("index") is not None:
                df = df.loc[_key(spec["index"], df.index)]
            return np.squeeze(np.asarray(getattr(df, "values", df), dtype=float))
        except (KeyError, ValueError, TypeError) as exc:
            if not quiet:
                self.add(place, f"'{url}': cannot select column {spec.get('column')!r} / index "
                         f"{spec.get('index')!r}: {exc}")
            return None

    def _read_options(self, d: Mapping, spec: Mapping, place: str, quiet: bool = False) -> dict[str, Any] | None:
        """The options of pandas' reader for the data that ``d`` refers to (``spec``: ``d`` merged with its
        table), as Pywr passes them: the keys of the table and of an inline reference (one without a type) that
        Pywr does not read itself, and of a parameter's own keys ``index_col`` and ``parse_dates``.  None after
        an option daryo does not pass on (:func:`_read_option_problem`), each said at ``place``."""
        skip = _DATA_KEYS | (set(d) - {"index_col", "parse_dates"} if "type" in d else set())
        options = {str(k): v for k, v in spec.items() if k not in skip}
        problems = [why for k, v in options.items() if (why := _read_option_problem(k, v)) is not None]
        if problems and not quiet:
            where = (f"table '{short_text(d['table'])}'" if "table" in d
                     else f"the reading of '{short_text(spec.get('url'))}'")
            for why in problems:
                self.add(place, f"{where}: {why}")
        return None if problems else options

    def _csv_file(self, url: str, spec: Mapping, place: str, quiet: bool = False) -> bool:
        """Whether ``url`` is a CSV file that exists (as Pywr reads it: by its ``filetype``, else by its name);
        says why not."""
        if not _is_csv(url, spec):
            if not quiet:
                self.add(place, f"'{url}': only CSV files are supported (convert Excel/HDF5 data to CSV)")
            return False
        if (problem := file_name_problem(url)) is not None:  # (pathlib raises on it)
            if not quiet:
                self.add(place, problem)
            return False
        try:
            path = self.files.locate(url)
        except DataFileRefused as exc:  # (not opened: neither its being there nor its columns are told)
            if not quiet:
                self.add(place, f"CSV file {exc}")
            return False
        if not path.is_file():
            if not quiet:  # (a Windows path whose backslashes JSON read as escapes: "C:\\new\\q.csv")
                escaped = escapes_read(url, "json")
                self.add(place, f"CSV file {escaped[0]} not found: {escaped[1]}" if escaped else
                         f"CSV file '{url}' not found (looked for {path})")
            return False
        return True

    def _read(self, url: str, spec: Mapping, options: dict[str, Any], place: str, quiet: bool
              ) -> pd.DataFrame | None:
        """The file ``url`` read with pandas' ``options`` (shared by the references that read it alike); None
        after a problem."""
        if not self._csv_file(url, spec, place, quiet):
            return None
        path = self.files.locate(url)  # (allowed: _csv_file said so)
        key = (path, repr(sorted(options.items())))
        if key not in self._frames:  # callers only select from the frame, so it can be shared
            try:
                self._frames[key] = read_csv_file(path, **options)
            except CsvReadError as exc:
                self._frames[key] = str(exc)
        frame = self._frames[key]
        if isinstance(frame, str):
            if not quiet:
                self.add(place, f"CSV file '{url}' cannot be read: {frame}")
            return None
        self.files.record(url, path)
        return frame

    def _header(self, url: str) -> list[str] | None:
        """The column names of the CSV file ``url``; None if it cannot be read."""
        try:
            return [str(c) for c in read_csv_file(self.files.locate(url), nrows=0).columns]
        except (CsvReadError, DataFileRefused):
            return None


def _key(k: Any, labels: Any) -> Any:
    """A row or column label as given in JSON, matched against labels that pandas may have read as numbers; a
    list is a label of several levels (a tuple, as Pywr reads it)."""
    if isinstance(k, list):
        k = tuple(k)
    if k in labels:
        return k
    for label in labels:
        if str(label) == str(k):
            return label
    return k


def _is_csv(url: str, spec: Mapping) -> bool:
    """Whether Pywr reads ``url`` as a CSV file: by its ``filetype`` in ``spec``, else by its name (any ``.gz``)."""
    return url.lower().endswith((".csv", ".gz")) and spec.get("filetype", "csv") == "csv"
