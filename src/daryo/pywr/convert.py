"""A Pywr v1 JSON model as a daryo model document (``version: 1``, ``allocation: cost``).

How Pywr's content maps to daryo (see ``docs/pywr.md``):

- ``input``/``catchment``/``discharge`` → ``inflow``; ``output`` → ``demand`` (with a maximum and a cost that may be
  negative) or ``sink``;
  ``link``/``river``/``breaklink`` → ``reach``; ``storage``/``reservoir`` → ``reservoir`` (its cost on the
  end-of-step volume is Pywr's storage cost); ``delaynode`` → ``delay`` carrying the rate;
- compound nodes are expanded as Pywr builds them, into daryo nodes with Pywr's sub-node names:
  ``piecewiselink``/``rivergauge`` → an entry reach named after the node, one reach per sublink with its
  maximum flow and cost, and an exit junction ``NAME Sub Output`` (a gauge's MRF, where not 0, also a
  ``flow_requirement`` ``NAME MRF`` on it); ``multisplitlink``/``riversplit``/
  ``riversplitwithgauge`` → the same plus one junction ``NAME Extra i`` per extra slot and a ``flow_ratio``
  constraint for the factors; ``losslink`` → a reach ``NAME Gross`` whose loss fraction gives Pywr's net loss,
  feeding the reach ``NAME`` (bounds and cost on the net flow); ``aggregatednode`` → ``flow_sum`` and
  ``flow_ratio`` constraints;
- flows (Mm³/day in Pywr) get the unit ``hm3/day`` and so are multiplied by each step's days; volumes (Mm³)
  and costs are kept as they are.

Everything else is refused with one :class:`~daryo.errors.ModelError` listing every unsupported node type,
parameter type, recorder type and key, each with its place (``nodes[NAME]``, ``parameters[NAME]``,
``recorders[NAME]``).
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ModelError, Problem, did_you_mean, kind_of, short_text
from ..model.datafiles import DataFileRefused, DataFiles
from ..model.documents import read_document
from ..model.loader import is_pywr_document
from ..timeaxis import MAX_STEP_DAYS, parse_date
from ..units import is_number, is_too_large
from .parameters import (
    UNSUPPORTED_NODES,
    UNSUPPORTED_NOTE,
    ParameterConverter,
    file_name_problem,
    json_value,
    keys_with_hints,
    not_a_number,
    pywr_type,
)

__all__ = ["convert_pywr_document", "SUPPORTED_NODES", "IGNORED_RECORDERS", "FLOW_UNIT", "CONVERTED_FROM"]

#: A converted model's ``metadata.converted_from``
CONVERTED_FROM = "Pywr v1 JSON"

FLOW_UNIT = "hm3/day"  # Pywr flows are rates per day; Pywr's volumes are Mm³ = hm³
#: the caveat of every converted model (a units auditor's review: a Pywr model written in Ml and Ml/d ran with
#: results labelled hm³, and nothing a reader of them sees said that the unit was assumed)
UNITS_CAVEAT = ("A Pywr model file gives no units daryo can read: daryo reads its flows as hm³ (Mm³) a day and its "
                "volumes as hm³, "
                "and labels its results so; a model written in other units (Ml and Ml/d, say) gives its numbers in "
                "them, under labels that say hm³ (docs/pywr.md)")

_DRAWING = {"name", "type", "comment", "position", "color", "visible", "tags"}
_STORAGE = "max_volume min_volume initial_volume initial_volume_pc cost level area inputs outputs"
_PIECEWISE_IGNORED = "min_flow max_flow cost"  # kept by Pywr on the compound node, which is not in its LP
_STORAGE_KINDS = ("storage", "reservoir")
#: Pywr node types that have no slots: Pywr refuses an edge that names one at either end (compound nodes ignore
#: a slot named where an edge enters them)
_SLOTLESS = frozenset("input output link river catchment discharge".split())
#: Pywr node types whose one exit an edge leaves by whatever slot it names (Pywr ignores it)
_ONE_EXIT = frozenset("piecewiselink rivergauge losslink delaynode breaklink".split())
#: keys a compound node keeps where its LP does not see them (ignored), which Pywr takes only as a number on these
#: node types (a parameter fails there: "must be real number"); a delay node loads them as parameters
_IGNORED_NUMBERS = {t: _PIECEWISE_IGNORED.split() for t in ("piecewiselink", "multisplitlink", "riversplit")}
_IGNORED_NUMBERS["rivergauge"] = ["min_flow", "max_flow"]

#: Pywr node types that daryo reads, with the keys each accepts (besides name, type, comment, position…)
SUPPORTED_NODES: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "input": "min_flow max_flow cost conversion_factor",
    "output": "min_flow max_flow cost",
    "link": "min_flow max_flow cost",
    "river": "min_flow max_flow cost",
    "catchment": "flow cost",
    "discharge": "flow cost",
    "storage": _STORAGE,
    "reservoir": _STORAGE + " control_curve above_curve_cost",
    "rivergauge": "mrf mrf_cost cost min_flow max_flow",
    "piecewiselink": "nsteps max_flows costs " + _PIECEWISE_IGNORED,
    "multisplitlink": "nsteps max_flows costs extra_slots slot_names factors " + _PIECEWISE_IGNORED,
    "riversplit": "nsteps max_flows costs slot_names factors " + _PIECEWISE_IGNORED,
    "riversplitwithgauge": "mrf mrf_cost cost slot_names factors min_flow max_flow",
    "losslink": "loss_factor loss_factor_type min_flow max_flow cost",
    "breaklink": "min_flow max_flow cost",
    "delaynode": "timesteps days initial_flow " + _PIECEWISE_IGNORED,
    "aggregatednode": "nodes min_flow max_flow factors flow_weights",
}.items()}

#: Pywr recorders that only report results: accepted and ignored (daryo's results Dataset has the flows and
#: volumes they are computed from)
IGNORED_RECORDERS = frozenset("""
numpyarraynode numpyarraystorage numpyarraylevel numpyarrayarea numpyarrayparameter numpyarrayindexparameter
numpyarraynodedeficit numpyarraynodesuppliedratio numpyarraynodecurtailmentratio numpyarraynodecost
numpyarraynormalisedstorage numpyarraydailyprofileparameter totalflownode totaldeficitnode meanflownode
meanparameter totalparameter minimumvolumestorage minimumthresholdvolumestorage deficitfrequencynode
aggregated flowdurationcurve seasonalflowdurationcurve storagedurationcurve annualtotalflow node storage
parameter indexparameter csv tables
""".split())

_TOP_LEVEL = {"metadata", "timestepper", "scenarios", "nodes", "edges", "parameters", "recorders", "tables",
              "solver", "includes"}

#: what an unsupported top-level key of Pywr's is, where its name does not say
_TOP_LEVEL_REFUSED = {"bisection": " (the search of Pywr's BisectionSearchModel, which runs the model many times to "
                      "find a parameter's largest feasible value: daryo runs a model once)"}


def _whole(v: Any) -> Any:
    """``v`` as an int where it is a float of a whole value (Pywr takes ``days: 2.0``), else as it is."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


#: the Pywr keys of a gauge's two bands' maximum and cost (its MRF band, the rest)
_GAUGE_KEYS = (("mrf", "mrf_cost"), ("max_flow", "cost"))
#: the most sublinks of a split link without max_flows or costs (bands alike, which only a fuzz gives by the million)
_MAX_BANDS = 1_000


@dataclass
class _Node:
    """A Pywr node converted: its daryo nodes, internal edges, constraints and where edges attach."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[list[str]] = field(default_factory=list)
    constraints: list[dict[str, Any]] = field(default_factory=list)
    entry: str | None = None  # daryo node that edges into this node reach (None: cannot receive)
    exits: dict[Any, str] = field(default_factory=dict)  # from_slot -> daryo node (None: the default)
    kind: str = ""


@dataclass
class _Origin:
    """Where the items of a document merged from ``includes`` come from: the included file of each named item
    (by section and name; the main file's are not listed) and the file and own index of each edge."""

    named: dict[tuple[str, str], str] = field(default_factory=dict)
    edges: list[tuple[str, int]] = field(default_factory=list)

    def place(self, file: str, place: str) -> tuple[str, str]:
        """The file and place in it of a problem at ``place`` of the merged document (``file``: the main one)."""
        m = re.match(r"(nodes|parameters|recorders)\[([^\]]*)\]", place)
        if m:
            return self.named.get((m[1], m[2]), file), place
        m = re.match(r"edges\[(\d+)\]", place)
        if m and int(m[1]) < len(self.edges):
            own_file, j = self.edges[int(m[1])]
            return own_file, f"edges[{j}]{place[m.end():]}"
        return file, place


class _Converter:
    def __init__(self, doc: Mapping[str, Any], path: Path | None, origin: _Origin | None = None,
                 files: DataFiles | None = None):
        self.path = path
        self.file = str(path) if path else "<pywr model>"
        self.origin = origin or _Origin()
        self.files = files or _data_files(path)
        self.base_dir = self.files.base_dir or Path(".")
        self.problems: list[Problem] = []
        self.nodes_unread = False  # (nodes not a list: edges are not read, each would name a node not found)
        self.places: dict[str, str] = {}  # the Pywr place of attributes daryo names otherwise or made of parts
        self.caveats: list[str] = []  # what a reader of the results must know of the conversion
        doc = dict(doc)
        for key in ("metadata", "parameters", "recorders", "tables"):
            if doc.get(key) is not None and not isinstance(doc[key], Mapping):
                self.add(key, f"needs a mapping (JSON object), got {kind_of(doc[key])}")
                doc[key] = {}
        self.doc = doc
        nodes: list[Any] = doc["nodes"] if isinstance(doc.get("nodes"), list) else []
        self.raw = {n["name"]: n for n in nodes if isinstance(n, Mapping) and isinstance(n.get("name"), str)}
        # the document's edges that leave and that enter each node: the most slots of it they can use
        ends = [e for e in doc["edges"] if isinstance(e, list) and len(e) >= 2] if isinstance(
            doc.get("edges"), list) else []
        self.leaving = Counter(e[0] for e in ends if isinstance(e[0], str))
        self.entering = Counter(e[1] for e in ends if isinstance(e[1], str))
        self.types = {k: str(n.get("type", "")).lower() for k, n in self.raw.items()}
        scen = doc["scenarios"] if isinstance(doc.get("scenarios"), list) else []
        self.params = ParameterConverter(
            doc.get("parameters") or {}, doc.get("tables") or {}, self.base_dir,
            {k for k, t in self.types.items() if t in _STORAGE_KINDS},
            {str(s.get("name")) for s in scen if isinstance(s, Mapping)}, self.add, files=self.files)
        ts = doc.get("timestepper")
        # Pywr reads daily profiles on a period's day of the year, which for a month is its last day
        self.params.last_day = isinstance(ts, Mapping) and ts.get("timestep") in ("M", "1M")

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(*self.origin.place(self.file, place), message))

    # ------------------------------------------------------------------------------------ document
    def run(self) -> dict[str, Any]:
        doc = self.doc
        for key in doc:
            if key in _TOP_LEVEL or key == "scenario_combinations":  # (that one is named below)
                continue
            # Pywr ignores a key it does not read (the Pywr editor's "pywr_editor" layout, notes of one's own), and
            # so does daryo, but for a misspelling of one of its keys that the document lacks, a stray daryo
            # "version" and the refused ones
            hint = did_you_mean(str(key), sorted(_TOP_LEVEL - set(doc)))
            if hint or key == "version" or key in _TOP_LEVEL_REFUSED:
                self.add(str(key), f"unsupported top-level key '{key}'{_TOP_LEVEL_REFUSED.get(str(key), hint)}")
        time = self.timestepper(doc.get("timestepper"))
        scenarios = self.scenarios(doc.get("scenarios"))
        converted = self.nodes(doc.get("nodes"))
        edges = self.edges(doc.get("edges"), converted)
        for name, data in (doc.get("parameters") or {}).items():  # Pywr loads every parameter, used or not
            self.params.convert(str(name), data, f"parameters[{name}]")
        self.recorders(doc.get("recorders") or {})
        self.caveats.append(UNITS_CAVEAT)
        if self.problems:
            raise ModelError([*self.problems, *self._parameter_problems()])
        meta = dict(doc.get("metadata") or {})
        if isinstance(meta.get("caveats"), str):  # (Pywr's metadata is free-form; daryo's caveats are a list)
            meta["caveats"] = [meta["caveats"]]
        if self.caveats and isinstance(meta.get("caveats") or [], list):  # (other caveats: the loader's problem)
            meta["caveats"] = [*(meta.get("caveats") or []), *self.caveats]
        out: dict[str, Any] = {
            "version": 1,
            "name": str(meta.get("title") or (self.path.stem if self.path else "pywr model")),
            "description": str(meta.get("description") or ""),
            "allocation": "cost",
            "time": time,
        }
        if scenarios:
            out["scenarios"] = scenarios
        if self.params.out:
            out["parameters"] = self.params.out
        out["nodes"] = _unfed_links_empty([n for c in converted.values() for n in c.nodes], edges)
        out["edges"] = edges
        constraints = [k for c in converted.values() for k in c.constraints]
        if constraints:
            out["constraints"] = constraints
        out["metadata"] = {**meta, "converted_from": CONVERTED_FROM}
        inline = {f"parameters[{k}]": v for k, v in self.params.inline_places.items()}
        return PywrDocument(out, places={**self.places, **inline})

    def _edge_solver(self) -> bool:
        """Whether the document asks for Pywr's edge solver (``"solver": {"name": "glpk-edge"}``)."""
        solver = self.doc.get("solver")
        name = solver.get("name") if isinstance(solver, Mapping) else solver
        return isinstance(name, str) and name.lower() == "glpk-edge"

    def _parameter_problems(self) -> list[Problem]:
        """The problems daryo's loader would find in the parameters converted (a monthly profile of three values),
        which the conversion's own problems would hide until fixed, as its error comes before the loader; placed as
        the Pywr file has them, and none at the very place a conversion problem is at."""
        from ..model.places import relocated
        from ..parameters.parse import parse_parameters

        checks = _ParameterChecks(self.file)
        parse_parameters(self.params.out, checks)
        inline = {f"parameters[{k}]": v for k, v in self.params.inline_places.items()}
        found = [Problem(*self.origin.place(self.file, p.place), p.message)
                 for p in relocated(checks.problems, self.file, {**self.places, **inline}, {})]
        known = {(p.file, p.place) for p in self.problems}
        return [p for p in found if (p.file, p.place) not in known]

    def timestepper(self, ts: Any) -> dict[str, Any]:
        if ts is not None and not isinstance(ts, Mapping):
            self.add("timestepper", "must be a mapping with start, end and timestep (e.g. {\"start\": "
                     "\"2001-01-01\", \"end\": \"2001-12-31\", \"timestep\": 1})")
            return {}
        keys = ("start", "end", "timestep")
        given = ts or {}
        misspelt = {str(k): did_you_mean(str(k), [x for x in keys if x not in given]) for k in given if k not in keys}
        for key, hint in misspelt.items():  # (Pywr ignores other keys; a misspelt one ran as a daily model)
            if hint:
                self.add(f"timestepper.{key}", f"unknown key '{key}'{hint}")
        if ts is None or "start" not in ts or "end" not in ts:
            self.add("timestepper", "needs start and end")
            return {}
        if "timestep" not in ts:
            if not any(misspelt.values()):
                self.add("timestepper", "needs timestep: a number of days (1, 7, \"7D\") or \"M\" (months), as Pywr "
                         "does (it refuses a timestepper without one)")
            return {}
        step = ts["timestep"]
        out: dict[str, Any] = {}
        for key in ("start", "end"):  # as Pywr reads them: "2001-06" is the 1st of June (daryo: its last day)
            if not isinstance(ts[key], str):  # (Pywr reads a number as nanoseconds after 1970)
                self.add(f"timestepper.{key}", f"{json_value(ts[key])} is not a date: give it as text, "
                         "\"YYYY-MM-DD\"")
                continue
            try:
                out[key] = f"{parse_date(ts[key], any_form=True):%Y-%m-%d}"
            except ValueError as exc:
                self.add(f"timestepper.{key}", f"{exc} (give YYYY-MM-DD)")
        if len(out) < 2:
            return {}
        days = _step_days(step)
        if step in ("M", "1M"):
            out["step"] = "month"
            out["start"] = out["start"][:8] + "01"  # Pywr's first step is the month that holds its start
        elif days is not None and days > MAX_STEP_DAYS:
            shown = short_text(step) if isinstance(step, int) else f"'{short_text(step)}'"
            self.add("timestepper.timestep", f"{shown}: a step of more than {MAX_STEP_DAYS} days (100 years) is not "
                     f"supported; give a number of days from 1 to {MAX_STEP_DAYS} (7, \"7D\") or \"M\" (months)")
        elif days is not None:
            out["step"] = {"days": days}
        else:
            self.add("timestepper.timestep", f"unsupported timestep '{step}'; use a number of days, 'ND' or 'M'")
        return out

    def scenarios(self, spec: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if spec is not None and not isinstance(spec, list):  # (text would be read a character at a time)
            self.add("scenarios", f"must be a list of scenarios, each a mapping with a name and a size, not "
                     f"{kind_of(spec)}")
            spec = []
        for i, s in enumerate(spec or []):
            place = f"scenarios[{s.get('name', i) if isinstance(s, Mapping) else i}]"
            if not isinstance(s, Mapping) or not isinstance(s.get("name"), str):
                self.add(place, "a scenario needs a name and a size")
                continue
            known = ("name", "size", "ensemble_names", "comment")
            unknown = sorted(set(s) - set(known))
            misspelt = [k for k in unknown if k != "slice"]  # ("ensemble_name" was said to be a slice)
            if misspelt:
                self.add(place, f"unsupported key(s) {keys_with_hints(misspelt, known)}")
            if "slice" in unknown:
                self.add(place, "unsupported key(s) slice (scenario slices are not supported: every member runs)")
            if "size" not in s:  # (Pywr: KeyError 'size')
                self.add(place, "a scenario needs a size (its number of members)")
                continue
            item: dict[str, Any] = {"name": s["name"], "size": s["size"]}
            names = s.get("ensemble_names")
            if names and not isinstance(names, list):
                self.add(f"{place}.ensemble_names", f"must be a list of names, one per member, not {kind_of(names)}")
            elif names:
                item["names"] = [str(n) for n in names]
            out.append(item)
        if "scenario_combinations" in self.doc:
            self.add("scenario_combinations", "user-defined scenario combinations are not supported")
        return out

    def recorders(self, spec: Mapping[str, Any]) -> None:
        for name, rec in spec.items():
            place = f"recorders[{name}]"
            rtype = pywr_type(rec.get("type") if isinstance(rec, Mapping) else None,
                              dict.fromkeys(IGNORED_RECORDERS))
            if rtype is None:
                given = rec.get("type") if isinstance(rec, Mapping) else None
                self.add(place, "missing 'type'" if given is None else f"unsupported recorder type '{given}'")
                continue
            for key in ("node", "storage_node"):
                if key in rec and not isinstance(rec[key], str):
                    self.add(f"{place}.{key}", f"needs a node name, got {json_value(rec[key])}")
                elif key in rec and rec[key] not in self.raw:
                    self.add(place, f"{key} '{rec[key]}' is not a node of the model{did_you_mean(rec[key], self.raw)}")
            for n in rec.get("nodes", []) if isinstance(rec.get("nodes"), list) else []:
                if isinstance(n, list) and len(n) == 2 and isinstance(n[0], str):  # a tables recorder's [where, node]
                    n = n[1]
                if not isinstance(n, str) or n not in self.raw:
                    self.add(place, f"node '{n}' is not a node of the model{did_you_mean(n, self.raw)}")
            refs = [rec["parameter"]] if isinstance(rec.get("parameter"), str) else []
            refs += [p for p in rec.get("parameters", []) if isinstance(p, str)] if isinstance(
                rec.get("parameters"), list) else []
            for p in refs:
                self.params.ensure(p, place)
            for r in rec.get("recorders", []) if isinstance(rec.get("recorders"), list) else []:
                if isinstance(r, str) and r not in spec:
                    self.add(place, f"recorder '{r}' is not defined{did_you_mean(r, spec)}")
            if rtype in ("csv", "tables"):  # (the recorders that write files: a workflow may wait for them)
                url = f" to {rec['url']}" if isinstance(rec.get("url"), str) else ""
                self.caveats.append(f"Pywr recorder '{name}' ({rec.get('type')}){url} is not run: daryo writes its "
                                    "results with `daryo run MODEL -o results.nc --csv DIR` (or Results.save)")

    # --------------------------------------------------------------------------------------- nodes
    def nodes(self, spec: Any) -> dict[str, _Node]:
        out: dict[str, _Node] = {}
        if spec is not None and not isinstance(spec, list):
            self.add("nodes", f"must be a list of nodes, each a mapping with a name and a type, not {kind_of(spec)}")
            self.nodes_unread = True
            return out
        if not spec:
            self.add("nodes", "missing or empty")
            return out
        for i, raw in enumerate(spec):
            if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
                self.add(f"nodes[{i}]", "a node needs a name and a type")
                continue
            name, place = raw["name"], f"nodes[{raw['name']}]"
            if name in out:
                self.add(place, "the name is used by more than one node")
                continue
            ntype = str(raw.get("type", "")).lower()
            if raw.get("type") is None:
                self.add(place, "missing 'type'; a node needs a name and a type")
                continue
            if ntype not in SUPPORTED_NODES:
                hint = UNSUPPORTED_NOTE if ntype in UNSUPPORTED_NODES else did_you_mean(ntype, SUPPORTED_NODES)
                self.add(place, f"unsupported node type '{raw.get('type')}'{hint}")
                continue
            unknown = sorted(set(raw) - SUPPORTED_NODES[ntype] - _DRAWING)
            if unknown:  # reported; the rest is still converted so that every problem is listed at once
                self.add(place, f"unsupported key(s) {keys_with_hints(unknown, SUPPORTED_NODES[ntype])} for a Pywr "
                         f"{ntype} node")
            self._check_ignored(ntype, raw, place)
            c = getattr(self, f"_n_{ntype}")(name, raw, place)
            c.kind = ntype
            out[name] = c
        return out

    def _check_ignored(self, ntype: str, raw: Mapping, place: str) -> None:
        """Refuse in the keys a compound node ignores what Pywr refuses there: anything but a number or null on the
        node types of :data:`_IGNORED_NUMBERS`, a parameter name that is not defined on a delay node."""
        for key in _IGNORED_NUMBERS.get(ntype, ()):
            v = raw.get(key)
            if v is not None and not isinstance(v, int | float):  # (true is a number to Pywr too)
                self.add(f"{place}.{key}", f"is {kind_of(v)}; Pywr takes only a number here (and ignores it: it sits "
                         f"on the {ntype} node, which is not in the LP) and refuses a parameter; leave it out")
        if ntype == "delaynode":
            for key in _PIECEWISE_IGNORED.split():
                if isinstance(v := raw.get(key), str):
                    self.params.ensure(v, f"{place}.{key}")

    def flow(self, v: Any, place: str, name: str) -> Any:
        return self.params.value(v, place, name, FLOW_UNIT)

    def plain(self, v: Any, place: str, name: str) -> Any:
        return self.params.value(v, place, name)

    def _attrs(self, raw: Mapping, name: str, place: str, **keys: str) -> dict[str, Any]:
        """daryo attributes from Pywr keys: ``keys`` maps daryo name -> 'flow:PYWRKEY' or 'plain:PYWRKEY'."""
        out = {}
        for daryo_key, spec in keys.items():
            how, key = spec.split(":")
            if raw.get(key) is None or (key == "max_flow" and raw[key] == math.inf):  # (Pywr's default: unlimited)
                continue
            v = (self.flow if how == "flow" else self.plain)(raw[key], f"{place}.{key}", f"{name}.{key}")
            if v is not None:
                out[daryo_key] = v
                if daryo_key != key:  # (a problem found at daryo's name is named at Pywr's)
                    self.places[f"nodes[{name}].{daryo_key}"] = f"{place}.{key}"
        return out

    def _n_input(self, name: str, raw: Mapping, place: str) -> _Node:
        if raw.get("conversion_factor", 1.0) != 1.0:
            self.add(f"{place}.conversion_factor", "is only used across domains, which are not supported")
        node: dict[str, Any] = {"id": name, "type": "inflow"}
        if raw.get("min_flow") is not None and raw.get("min_flow") == raw.get("max_flow"):
            node.update(self._attrs(raw, name, place, inflow="flow:max_flow", cost="plain:cost"))
        else:
            node.update(self._attrs(raw, name, place, min_flow="flow:min_flow", max_flow="flow:max_flow",
                                    cost="plain:cost"))
            if "max_flow" not in raw or raw["max_flow"] is None:  # Pywr's default maximum is unlimited
                node.pop("max_flow", None)
        return _Node([node], exits={None: name})

    def _n_catchment(self, name: str, raw: Mapping, place: str) -> _Node:
        node = {"id": name, "type": "inflow", **self._attrs(raw, name, place, inflow="flow:flow", cost="plain:cost")}
        node.setdefault("inflow", 0.0)
        return _Node([node], exits={None: name})

    _n_discharge = _n_catchment

    def _n_output(self, name: str, raw: Mapping, place: str) -> _Node:
        attrs = self._attrs(raw, name, place, min_flow="flow:min_flow", max_flow="flow:max_flow", cost="plain:cost")
        if "max_flow" in attrs and self._attracts(raw.get("cost")):
            attrs["demand"] = attrs.pop("max_flow")
            self.places[f"nodes[{name}].demand"] = f"{place}.max_flow"
            node = {"id": name, "type": "demand", **attrs}
        else:
            node = {"id": name, "type": "sink", **attrs}
        return _Node([node], entry=name)

    def _attracts(self, cost: Any) -> bool:
        """Whether an output's ``cost`` may draw water to it, which makes the output a demand (Pywr's usual
        demand: a maximum and a negative cost); a cost known to be 0 or more (or none) takes only water that has
        nowhere else to go, so such an output is a sink with a maximum, not a demand falling short of it."""
        if cost is None:
            return False
        value = self.params.constant_number(cost)
        return value is None or value < 0.0

    def _n_link(self, name: str, raw: Mapping, place: str) -> _Node:
        node = {"id": name, "type": "reach", **self._attrs(raw, name, place, min_flow="flow:min_flow",
                                                            max_flow="flow:max_flow", cost="plain:cost")}
        return _Node([node], entry=name, exits={None: name})

    _n_river = _n_link
    _n_breaklink = _n_link  # a zero-volume storage feeding a link: the same LP as a link

    def _n_storage(self, name: str, raw: Mapping, place: str) -> _Node:
        node: dict[str, Any] = {"id": name, "type": "reservoir"}
        node.update(self._attrs(raw, name, place, max_volume="plain:max_volume", min_volume="plain:min_volume",
                                cost="plain:cost"))
        node.setdefault("max_volume", 0.0)
        vmax = self.params.constant_number(raw.get("max_volume", 0.0))
        v0, pc0 = raw.get("initial_volume"), raw.get("initial_volume_pc")
        v0 = self.params.constant_number(v0) if v0 is not None else None
        pc0 = self.params.constant_number(pc0) if pc0 is not None else None
        unread = [k for k, v in (("initial_volume", v0), ("initial_volume_pc", pc0)) if raw.get(k) is not None
                  and v is None] + (["max_volume"] if "max_volume" in raw and raw["max_volume"] is None else [])
        for key in unread:  # (a number written as text, say: not a value Pywr can start from)
            self.add(f"{place}.{key}", not_a_number(raw[key]) if is_too_large(raw[key]) else (
                f"{json_value(raw[key])} is not a number (nor a table value or a constant parameter)"))
        if unread:
            return _Node([node], entry=name, exits={None: name})
        if vmax is not None:  # Pywr: the proportion wins when both are given
            if pc0 is None and v0 is None:
                self.add(place, "needs initial_volume or initial_volume_pc")
            node["initial_volume"] = pc0 * vmax if pc0 is not None else v0
            if pc0 is not None:
                self.places[f"nodes[{name}].initial_volume"] = f"{place}.initial_volume_pc"
        else:
            if v0 is None or pc0 is None:
                self.add(place, "max_volume is a parameter, so Pywr needs both initial_volume and "
                         "initial_volume_pc")
            node.update({"initial_volume": v0, "initial_proportion": pc0, "above_max": "hold"})
            self.places[f"nodes[{name}].initial_proportion"] = f"{place}.initial_volume_pc"
        return _Node([node], entry=name, exits={None: name})

    def _n_reservoir(self, name: str, raw: Mapping, place: str) -> _Node:
        c = self._n_storage(name, raw, place)
        if raw.get("cost") is not None and (raw.get("above_curve_cost") is not None or "control_curve" in raw):
            given = " and ".join(k for k in ("above_curve_cost", "control_curve") if k in raw and raw[k] is not None)
            self.caveats.append(f"Pywr reservoir '{name}' gives cost and {given}: Pywr uses the cost and ignores the "
                                f"{given} (a control curve's cost only replaces a reservoir's cost that is not given), "
                                "and so does daryo; to have the curve, leave cost out")
        if raw.get("above_curve_cost") is not None and raw.get("cost") is None:
            # Pywr: cost = control curve (default 100 %) with [above_curve_cost, 0] (a given `cost` replaces it)
            above = raw["above_curve_cost"]
            if not is_number(above):
                self.add(f"{place}.above_curve_cost", f"must be a number (a cost per unit stored above the curve), "
                         f"got {kind_of(above)}")
                return c
            level = raw.get("control_curve")
            if is_number(level) and not 0.0 <= float(level) <= 1.0:
                self.add(f"{place}.control_curve", f"{float(level):g} is not a proportion full: give one from 0 to 1 "
                         "(0.7 for 70 %)")
                return c
            # (a number, none for Pywr's 100 %; or, with its evident meaning where Pywr 1.31 refuses it, a parameter:
            # docs/pywr.md)
            curve = self.params.child(1.0 if level is None else level, f"{place}.control_curve",
                                      f"{name}.control_curve")
            if curve is None:
                return c
            pname = f"{name}.cost"
            self.params.out[pname] = {"type": "controlcurve", "reservoir": name, "control_curves": [curve],
                                      "values": [float(above), 0.0]}
            c.nodes[0]["cost"] = {"parameter": pname}
        return c

    def _piecewise(self, name: str, raw: Mapping, place: str, nsteps: int, max_flows: list, costs: list,
                   extra: int = 0, slot_names: list | None = None, factors: list | None = None,
                   keys: tuple[tuple[str, str], ...] = ()) -> _Node:
        """Pywr's PiecewiseLink/MultiSplitLink: entry reach NAME -> sublinks -> junction NAME Sub Output; extra
        sublinks also feed junction NAME Extra i (slot i+1); factors tie the last plain sublink and the extras.
        ``keys``: the Pywr keys of the first sublinks' maximum and cost where the node has keys of its own (a
        gauge's ``mrf``, ``mrf_cost`` and ``cost``), not ``max_flows`` and ``costs`` lists."""
        n_all = nsteps + extra
        max_flows = list(max_flows) + [None] * (n_all - len(max_flows))
        costs = list(costs) + [0.0] * (n_all - len(costs))
        sub_out = f"{name} Sub Output"
        c = _Node([{"id": name, "type": "reach"}], entry=name)
        for i in range(n_all):
            sid = f"{name} Sublink {i}"
            node: dict[str, Any] = {"id": sid, "type": "reach"}
            flow_key, cost_key = keys[i] if i < len(keys) else (f"max_flows[{i}]", f"costs[{i}]")
            mf = self.flow(max_flows[i], f"{place}.{flow_key}", f"{name}.{flow_key}")
            cost = self.plain(costs[i], f"{place}.{cost_key}", f"{name}.{cost_key}")
            self.places.update({f"nodes[{sid}].max_flow": f"{place}.{flow_key}",
                                f"nodes[{sid}].cost": f"{place}.{cost_key}"})
            if mf is not None:
                node["max_flow"] = mf
            if cost is not None:
                node["cost"] = cost
            c.nodes.append(node)
            c.edges += [[name, sid], [sid, sub_out]]
        c.nodes.append({"id": sub_out, "type": "junction"})
        if slot_names is not None and not (isinstance(slot_names, list) and all(
                isinstance(n, (str, int)) and not isinstance(n, bool) for n in slot_names)):
            self.add(f"{place}.slot_names", "needs a list of slot names (text or whole numbers)")
            return c
        names = list(slot_names) if slot_names is not None else list(range(extra + 1))
        if len(names) != extra + 1:
            self.add(f"{place}.slot_names", f"needs {extra + 1} names (one per slot)")
            return c
        if len(set(names)) < len(names):  # (a problem; the node is still built, so its edges are read)
            twice = next(n for i, n in enumerate(names) if n in names[:i])
            self.add(f"{place}.slot_names", f"{twice!r} names two slots; each slot needs a name of its own")
        c.exits[names[0]] = sub_out
        if extra == 0:
            c.exits[None] = sub_out
        for i in range(extra):
            jid = f"{name} Extra {i}"
            c.nodes.append({"id": jid, "type": "junction"})
            c.edges.append([f"{name} Sublink {nsteps + i}", jid])
            c.exits[names[i + 1]] = jid
        if factors is not None:
            if not isinstance(factors, list):
                self.add(f"{place}.factors", f"must be a list of {extra + 1} factors (one per slot), not "
                         f"{kind_of(factors)}")
                return c
            if len(factors) != extra + 1:
                self.add(f"{place}.factors", f"needs {extra + 1} factors (one per slot)")
                return c
            if not self._nonnegative(factors, f"{place}.factors"):
                return c
            pairs = [(f"{name} Sublink {nsteps - 1 + k}", f) for k, f in enumerate(factors) if f is not None]
            if len(pairs) >= 2:
                c.constraints.append({"id": f"{name} factors", "type": "flow_ratio", "nodes": [n for n, _ in pairs],
                                      "factors": [self.plain(f, f"{place}.factors", f"{name}.factors")
                                                  for _, f in pairs]})
        return c

    def _nonnegative(self, factors: list, place: str) -> bool:
        """False (a problem at ``place``) if a constant among ``factors`` is negative: flows in proportion to
        factors of both signs would run backwards (Pywr refuses them too)."""
        values = [self.params.constant_number(f) for f in factors if f is not None]
        bad = [v for v in values if v is not None and v < 0.0]
        if bad:
            self.add(place, f"{bad[0]:g} is negative: flows are split in proportion to factors of 0 or more")
        return not bad

    def _int(self, raw: Mapping, key: str, place: str, default: int | None = None) -> int | None:
        """A node's whole number ≥ 1 under ``key`` (``default`` where it has none); None after a problem."""
        v = raw.get(key, default)
        if v is None:
            self.add(*((f"{place}.{key}", "is null; give a whole number ≥ 1") if key in raw else
                       (place, f"missing '{key}' (a whole number ≥ 1)")))
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            self.add(f"{place}.{key}", f"'{v}' must be a whole number ≥ 1")
            return None
        return v

    def _nsteps(self, raw: Mapping, place: str, extra: int = 0, default: int | None = None) -> int | None:
        """A piecewise node's ``nsteps`` (``default`` where it has none), its bands besides ``extra`` split
        ones, bounded before any is built: the ``max_flows`` and ``costs`` lists have a value per band, and
        without them every band is alike (no maximum flow, cost 0): a piecewise link's bands are then built as the
        one band they amount to, a split's as given up to :data:`_MAX_BANDS` sublinks (Pywr runs both); None after
        a problem."""
        n = self._int(raw, "nsteps", place, default)
        if n is None:
            return None
        lists = [len(raw[k]) for k in ("max_flows", "costs") if isinstance(raw.get(k), list)]
        if not lists:  # (bands alike, of no maximum and cost 0)
            if not extra:  # (parallel, they carry what one of them carries)
                return 1
            if n + extra <= _MAX_BANDS:  # (a split's, built as given, as Pywr runs them)
                return n
            self.add(f"{place}.nsteps", f"{short_text(n)} bands and {extra} extra slot(s) make more than "
                     f"{_MAX_BANDS:,} sublinks, without max_flows or costs to tell them apart; give fewer")
            return None
        if n + extra <= (most := max(lists)):
            return n
        split = f" and {extra} extra slot(s)" if extra else ""
        self.add(f"{place}.nsteps", f"{short_text(n)} bands{split} make {short_text(n + extra)} sublinks, but "
                 f"max_flows and costs give at most {most} values; give a value per sublink")
        return None

    def _lists(self, raw: Mapping, place: str, n: int | None) -> tuple[list, list]:
        """A node's ``max_flows`` and ``costs``, a value for each of its ``n`` sublinks (None: its number not
        known, a problem added already: lists of one, unchecked)."""
        out = []
        for key, default in (("max_flows", None), ("costs", 0.0)):
            if n is None:
                out.append([default])
                continue
            v = raw.get(key, [default] * n)
            if not isinstance(v, list) or len(v) != n:
                self.add(f"{place}.{key}", f"needs a list of {n} values (one per sublink, extra slots included)")
                v = [default] * n
            out.append(v)
        return out[0], out[1]

    def _n_piecewiselink(self, name: str, raw: Mapping, place: str) -> _Node:
        n = self._nsteps(raw, place)
        max_flows, costs = self._lists(raw, place, n)
        return self._piecewise(name, raw, place, n or 1, max_flows, costs)

    def _n_rivergauge(self, name: str, raw: Mapping, place: str) -> _Node:
        return self._gauged(name, raw, place, self._piecewise(
            name, raw, place, 2, [raw.get("mrf", 0.0), None], [raw.get("mrf_cost", 0.0), raw.get("cost", 0.0)],
            keys=_GAUGE_KEYS))

    def _gauged(self, name: str, raw: Mapping, place: str, c: _Node) -> _Node:
        """A gauge's node ``c`` with its minimum residual flow, where it has one, as a ``flow_requirement``
        ``NAME MRF`` on the gauge: in cost mode it changes no flow (only the costs do, as in Pywr), but the
        results report what it asked for and got, and SDG 6.4.2 counts it as an environmental flow.  (A negative
        MRF is the MRF band's problem, told once.)"""
        mrf = c.nodes[1].get("max_flow")  # (the MRF band's maximum: the MRF converted, None where there is none)
        value = self.params.constant_number(raw.get("mrf"))
        if mrf is not None and (value is None or value > 0.0):
            c.nodes.append({"id": f"{name} MRF", "type": "flow_requirement", "at": name, "flow": mrf})
            self.places[f"nodes[{name} MRF].flow"] = f"{place}.mrf"
        return c

    def _n_multisplitlink(self, name: str, raw: Mapping, place: str) -> _Node:
        # Pywr sets max_flows and costs after building all nsteps + extra_slots sublinks: one value each
        extra = self._int(raw, "extra_slots", place, 1)
        if extra is not None and self._too_many_slots(name, "extra_slots", extra + 1, max(2, self.leaving[name])):
            extra = None
        n = self._nsteps(raw, place, extra or 1)
        max_flows, costs = self._lists(raw, place, None if n is None or extra is None else n + extra)
        return self._piecewise(name, raw, place, n or 1, max_flows, costs, extra or 1, raw.get("slot_names"),
                               raw.get("factors"))

    def _n_riversplit(self, name: str, raw: Mapping, place: str) -> _Node:
        factors = raw.get("factors")
        if not isinstance(factors, list) or len(factors) < 2:
            self.add(f"{place}.factors", "needs a list of at least two factors")
            factors = [1.0, 1.0]
        n = self._nsteps(raw, place, len(factors) - 1, 1)
        max_flows, costs = self._lists(raw, place, None if n is None else n + len(factors) - 1)
        return self._piecewise(name, raw, place, n or 1, max_flows, costs, len(factors) - 1, raw.get("slot_names"),
                               factors)

    def _n_riversplitwithgauge(self, name: str, raw: Mapping, place: str) -> _Node:
        factors = raw.get("factors")
        if not isinstance(factors, list) or len(factors) < 2:
            self.add(f"{place}.factors", "needs a list of at least two factors")
            factors = [1.0, 1.0]
        return self._gauged(name, raw, place, self._piecewise(
            name, raw, place, 2, [raw.get("mrf", 0.0), None], [raw.get("mrf_cost", 0.0), raw.get("cost", 0.0)],
            len(factors) - 1, raw.get("slot_names"), factors, keys=_GAUGE_KEYS))

    def _n_losslink(self, name: str, raw: Mapping, place: str) -> _Node:
        """gross -> net (bounds and cost) plus a loss that Pywr sends to an internal output: ``loss = L × net``
        (net type) or ``L × gross`` (gross type)."""
        gross = f"{name} Gross"
        net = {"id": name, "type": "reach", **self._attrs(raw, name, place, min_flow="flow:min_flow",
                                                           max_flow="flow:max_flow", cost="plain:cost")}
        kind = raw.get("loss_factor_type", "net")
        factor = raw.get("loss_factor", 0.0)
        if kind not in ("net", "gross"):
            self.add(f"{place}.loss_factor_type", f"'{kind}' must be 'net' or 'gross'")
        c = _Node([{"id": gross, "type": "reach"}, net], [[gross, name]], entry=gross, exits={None: name})
        value = self.params.constant_number(factor)
        if value is not None and (math.isnan(value) or math.isinf(value) and kind == "gross"):  # (Pywr's GLPK
            # stops on both: "NaN detected in matrix coefficient")
            self.add(f"{place}.loss_factor", f"is {'not a number (NaN)' if math.isnan(value) else 'infinite'}: give "
                     f"a loss factor of 0 or more{'' if math.isnan(value) else ' (a gross one up to 1: all lost)'}")
            return c
        if value is not None and value < 0.0:
            self.add(f"{place}.loss_factor", f"{value:g} is negative: a loss factor is 0 or more")
            return c
        if value is not None:  # a constant: a loss fraction of the gross flow (an infinite factor loses it all)
            fraction = 1.0 if math.isinf(value) else value / (1.0 + value) if kind == "net" else value
            if fraction >= 1.0:  # all is lost: Pywr closes the net link
                net["max_flow"] = 0.0
                c.nodes.append({"id": f"{name} Output", "type": "sink"})
                c.edges.append([gross, f"{name} Output"])
            elif fraction > 0.0:
                c.nodes[0]["loss"] = fraction
            return c
        if kind == "gross":
            self.add(f"{place}.loss_factor", "Pywr needs a constant loss factor with loss_factor_type gross")
            return c
        loss = f"{name} Output"  # a varying factor: Pywr's own structure, output = factor × net
        c.nodes.append({"id": loss, "type": "sink"})
        c.edges.append([gross, loss])
        c.constraints.append({"id": f"{name} loss", "type": "flow_ratio", "nodes": [name, loss],
                              "factors": [1.0, self.plain(factor, f"{place}.loss_factor", f"{name}.loss_factor")]})
        return c

    def _n_delaynode(self, name: str, raw: Mapping, place: str) -> _Node:
        steps = _whole(raw.get("timesteps", 0) or 0)
        days = _whole(raw.get("days", 0) or 0)
        for key, v in (("timesteps", steps), ("days", days)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:  # (text, a fraction: a traceback below)
                self.add(f"{place}.{key}", f"'{short_text(v)}' must be a whole number ≥ 1")
                steps, days = 1, 0
        if days:
            width = _step_days((self.doc.get("timestepper") or {}).get("timestep", 1))
            if width is None or days % width:
                self.add(f"{place}.days", "a delay in days needs fixed steps that divide it; give timesteps")
                steps = 1
            else:
                steps = days // width
        if not isinstance(steps, int) or steps < 1:
            self.add(place, "needs timesteps (or days) of at least one step")
            steps = 1
        node: dict[str, Any] = {"id": name, "type": "delay", "steps": steps, "carry": "rate"}
        init = raw.get("initial_flow", 0.0)
        if not is_number(init):
            self.add(f"{place}.initial_flow", "must be a number (Pywr uses one value for every scenario)")
        elif init:
            node["initial_flow"] = {"value": float(init), "unit": FLOW_UNIT}
        return _Node([node], entry=name, exits={None: name})

    def _n_aggregatednode(self, name: str, raw: Mapping, place: str) -> _Node:
        return _Node()  # constraints are built once every node is known (see `aggregated`)

    def aggregated(self, name: str, raw: Mapping, converted: Mapping[str, _Node], edges: list[list[str]]) -> None:
        """Pywr's aggregated node: Σ w × flow within [min_flow, max_flow] (default [0, ∞)), flows in proportion to
        the factors.  A member's flow is its daryo node's flow, so members must be simple nodes."""
        place = f"nodes[{name}]"
        members = raw.get("nodes")
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            self.add(f"{place}.nodes", "needs a list of node names")
            return
        ok = True
        for m in members:
            kind = self.types.get(m)
            if kind is None:
                self.add(f"{place}.nodes", f"'{m}' is not a node of the model{did_you_mean(m, self.types)}")
                ok = False
            elif kind not in ("input", "output", "link", "river", "catchment", "discharge"):
                self.add(f"{place}.nodes", f"'{m}' is a {kind} node, which has no flow of its own in Pywr's LP "
                         "(Pywr refuses it in an aggregated node); put a plain link on its route and list that "
                         "instead")
                ok = False
        outputs = {m for m in members if self.types.get(m) == "output"}
        for a, b in edges:
            if a in members and b in outputs:
                self.add(place, f"'{a}' feeds '{b}' directly; Pywr counts that edge once in the aggregated sum, "
                         "which daryo does not reproduce")
                ok = False
        in_series = _on_one_route(members, edges, self.types)
        if in_series and not self._edge_solver():  # (Pywr's two solvers disagree: a caveat, not a refusal, as one of
            self.caveats.append(  # them is reproduced)
                f"Pywr aggregated node '{name}' has members on one route ({', '.join(in_series)}): daryo counts a "
                "route's flow once per member it passes, as Pywr's glpk-edge solver does; Pywr's default glpk solver "
                "counts it otherwise (once, allowing more flow; with factors, it fails) (daryo's docs/pywr.md, "
                "Aggregated nodes)")
        if not ok:
            return
        c = converted[name]
        weights = raw.get("flow_weights") or [1.0] * len(members)
        if not isinstance(weights, list) or len(weights) != len(members) or not all(is_number(w) for w in weights):
            self.add(f"{place}.flow_weights", "needs a list of numbers, one per node")
            return
        lo, hi = raw.get("min_flow", 0.0), raw.get("max_flow")
        item: dict[str, Any] = {"id": name, "type": "flow_sum",  # Pywr always has this row (default [0, ∞))
                                "nodes": {m: float(w) for m, w in zip(members, weights, strict=True)}}
        if lo is not None:
            item["min_flow"] = self.flow(lo, f"{place}.min_flow", f"{name}.min_flow")
        if hi is not None:
            item["max_flow"] = self.flow(hi, f"{place}.max_flow", f"{name}.max_flow")
        if lo is not None or hi is not None:  # (both null: Pywr's row (-∞, ∞) constrains nothing)
            c.constraints.append(item)
        factors = raw.get("factors")
        if factors is not None:
            if not isinstance(factors, list) or len(factors) != len(members):
                self.add(f"{place}.factors", "needs one factor per node")
                return
            if not self._nonnegative(factors, f"{place}.factors"):
                return
            c.constraints.append({"id": f"{name} factors", "type": "flow_ratio", "nodes": list(members),
                                  "factors": [self.plain(f, f"{place}.factors[{i}]", f"{name}.factors[{i}]")
                                              for i, f in enumerate(factors)]})

    # --------------------------------------------------------------------------------------- edges
    def edges(self, spec: Any, converted: dict[str, _Node]) -> list[list[str]]:
        out: list[list[str]] = [e for c in converted.values() for e in c.edges]
        user: list[list[str]] = []
        slot_counts = self._storage_slot_counts(converted)
        slots_used: set[tuple[str, bool, int]] = set()  # (storage, leaving, slot) of the edges read
        refused: set[str] = set()  # storages at an edge refused
        if not isinstance(spec, list):
            self.add("edges", "must be a list of [from, to] pairs")
            return out
        if self.nodes_unread:  # (every edge would name a node "not found")
            return out
        for i, e in enumerate(spec):
            read = self._edge(f"edges[{i}]", e, converted, slot_counts, slots_used)
            if read is None:  # (a storage at a refused edge: which of its slots it would use is not known)
                refused.update(x for x in (e[:2] if isinstance(e, list) else ()) if isinstance(x, str)
                               and x in slot_counts)
                continue
            user.append(read[0])
            if read[1] not in out:
                out.append(read[1])
        for name, c in converted.items():
            if c.kind == "aggregatednode":
                self.aggregated(name, self.raw[name], converted, user)
        for name, counts in slot_counts.items():
            for leaving, key in ((True, "inputs"), (False, "outputs")):
                idle = [k for k in range(counts[leaving]) if (name, leaving, k) not in slots_used]
                if counts[leaving] > 1 and idle and name not in refused:
                    self.add(f"nodes[{name}].{key}", (
                        f"no edge {'leaves' if leaving else 'enters'} by slot {', '.join(map(str, idle))} of its "
                        f"{counts[leaving]}, which Pywr refuses (a slot on no route from an input to an output)"))
        return out

    def _edge(self, place: str, e: Any, converted: dict[str, _Node], slot_counts: dict[str, dict[bool, int]],
              slots_used: set[tuple[str, bool, int]]) -> tuple[list[str], list[str]] | None:
        """One edge of the document: its [from, to] as written and as daryo's edge (None: refused, the problem
        added); the storage slots it uses are added to ``slots_used``."""
        if not isinstance(e, list) or len(e) not in (2, 4):
            self.add(place, "an edge is [from, to] or [from, to, from_slot, to_slot]")
            return None
        a, b = e[0], e[1]
        if not isinstance(a, str) or not isinstance(b, str):
            self.add(place, "an edge's first two items are node names")
            return None
        # the slots Pywr reads: a from_slot unless the node has one exit, a to_slot on a storage or a node without
        # slots (compound nodes ignore it)
        src_kind, dst_kind = (converted[x].kind if x in converted else "" for x in (a, b))
        slot = e[2] if len(e) == 4 and src_kind not in _ONE_EXIT else None
        to_slot = e[3] if len(e) == 4 and (dst_kind in _SLOTLESS or dst_kind in _STORAGE_KINDS) else None
        if any(x is not None and (isinstance(x, bool) or not isinstance(x, (str, int))) for x in (slot, to_slot)):
            self.add(place, "an edge's slots are names or whole numbers (or null)")
            return None
        bad = [x for x in (a, b) if x not in self.raw]
        for x in bad:
            self.add(place, f"'{x}' is not a node of the model{did_you_mean(x, self.raw)}")
        if bad or a not in converted or b not in converted:
            return None
        src, dst = converted[a], converted[b]
        if src.kind == "aggregatednode" or dst.kind == "aggregatednode":
            self.add(place, "an aggregatednode cannot be connected (it only constrains other nodes)")
            return None
        if not src.exits:
            self.add(place, f"'{a}' is a Pywr {src.kind} node, which cannot have downstream connections")
            return None
        if dst.entry is None:
            self.add(place, f"'{b}' is a Pywr {dst.kind} node, which cannot have upstream connections")
            return None
        if to_slot is not None and dst.kind in _SLOTLESS:
            self.add(place, f"'{b}' has no slot {to_slot!r}; a Pywr {dst.kind} node has no slots")
            return None
        ends = [(a, slot, True)] * (a in slot_counts) + [(b, to_slot, False)] * (b in slot_counts)
        problem = next((p for name, k, leaving in ends
                        if (p := _storage_slot_problem(name, k, leaving, slot_counts[name]))), None)
        if problem:
            self.add(place, problem)
            return None
        slots_used.update((name, leaving, 0 if k is None else int(k) % slot_counts[name][leaving])
                          for name, k, leaving in ends)
        key = slot  # (a name as Pywr finds it: by equality, so '0' is not slot 0)
        if key not in src.exits and src.kind in _STORAGE_KINDS:
            key = None  # storage slots are all the same reservoir
        if key not in src.exits:
            slots = [repr(k) for k in src.exits if k is not None]
            self.add(place, f"'{a}' has no slot {slot!r}; " + (f"its slots are {', '.join(slots)}" if slots else
                                                                f"a Pywr {src.kind} node has no slots"))
            return None
        return [a, b], [src.exits[key], dst.entry]

    def _storage_slot_counts(self, converted: Mapping[str, _Node]) -> dict[str, dict[bool, int]]:
        """Each Pywr storage's number of slots by which water leaves it (``inputs``, key True) and enters it
        (``outputs``, key False), 1 each unless given; a count that is no whole number ≥ 0 is a problem (and
        the storage is left out: its edges are not checked against it)."""
        counts = {}
        for name, c in converted.items():
            if c.kind not in _STORAGE_KINDS:
                continue
            given = {leaving: self.raw[name].get(key, 1) for leaving, key in ((True, "inputs"), (False, "outputs"))}
            bad = [(leaving, v) for leaving, v in given.items() if isinstance(v, bool) or not isinstance(v, int)
                   or v < 0]
            for leaving, v in bad:
                self.add(f"nodes[{name}].{'inputs' if leaving else 'outputs'}",
                         f"{v!r} must be a whole number ≥ 0 (the number of the storage's slots)")
            if bad:
                continue
            over = [self._too_many_slots(name, key, given[leaving], max(1, (self.leaving if leaving else
                                                                             self.entering)[name]), leaving)
                    for leaving, key in ((True, "inputs"), (False, "outputs"))]
            if not any(over):
                counts[name] = given
        return counts

    def _too_many_slots(self, name: str, key: str, slots: int, most: int, leaving: bool = True) -> bool:
        """Whether node ``name``'s ``slots`` (given by its ``key``) are more than the ``most`` that the
        document's edges leaving it (``leaving``) or entering it can use, a slot each (a problem at
        ``nodes[name].key``): Pywr refuses a slot that no edge uses, and the count is checked before any slot
        is built."""
        if slots <= most:
            return False
        edges = (self.leaving if leaving else self.entering)[name]
        extra = key == "extra_slots"  # (a split has one slot besides its extra ones)
        given = (f"{short_text(slots - 1)} extra slots make {short_text(slots)} slots" if extra else
                 f"{short_text(slots)} slots")
        self.add(f"nodes[{name}].{key}", f"{given}, but {edges} edge(s) of the model {'leave' if leaving else 'enter'} "
                 f"'{name}': each slot needs an edge of its own (Pywr refuses a slot on no route); give at most "
                 f"{most - 1 if extra else most}")
        return True


def _storage_slot_problem(name: str, slot: Any, leaving: bool, counts: Mapping[bool, int]) -> str | None:
    """What is wrong with an edge leaving (or entering) Pywr storage ``name`` by ``slot``, as Pywr would refuse
    it (None: nothing).  A Pywr storage has ``inputs`` slots by which water leaves it and ``outputs`` by which
    it enters, numbered from 0 (and, as Python's list indices, from -1 back); with more than one, an edge names
    its slot.  All its slots are the one daryo reservoir."""
    key, n = ("inputs" if leaving else "outputs"), counts[leaving]
    side, end = ("leave", "from_slot") if leaving else ("enter", "to_slot")
    if n == 0:
        return (f"'{name}' has {key}: 0, so no water can {side} it (a Pywr storage's {key} are the slots water "
                f"{side}s it by); Pywr refuses this edge")
    if slot is None:
        return None if n == 1 else (f"'{name}' has {n} slots ({key}: {n}): the edge names one as its {end} (0 to "
                                    f"{n - 1})")
    if isinstance(slot, bool) or not isinstance(slot, int) or not -n <= slot < n:
        return f"'{name}' has no slot {slot!r}; its slots ({key}: {n}) are numbered 0 to {n - 1}"
    return None


def _step_days(step: Any) -> int | None:
    """Days per step of a Pywr timestep given in days (``7``, ``"7D"``, ``"D"``); None otherwise.  Text of more
    digits than the longest step has is read as one day more than it (not converted: Python converts no more
    than 4,300 digits)."""
    if isinstance(step, int) and not isinstance(step, bool) and step > 0:
        return step
    if isinstance(step, str) and step.upper().endswith("D") and (step[:-1].isdecimal() or len(step) == 1):
        digits = step[:-1].lstrip("0") if len(step) > 1 else "1"  # ("7d" too: pandas reads the unit in either
        if len(digits) > len(str(MAX_STEP_DAYS)):  # case, and so does Pywr)
            return MAX_STEP_DAYS + 1
        return int(digits or 0) or None
    return None


def _data_files(path: Path | None) -> DataFiles:
    """The rules of a Pywr document's data files where none are given: any file, relative to its file's folder."""
    return DataFiles(path.parent if path else Path("."))


def _merge_includes(doc: dict[str, Any], path: Path | None, problems: list[Problem], files: DataFiles | None = None
                    ) -> tuple[dict[str, Any], _Origin]:
    """Pywr's JSON ``includes``: lists are extended and mappings updated with the included documents; and where
    each merged node, parameter, recorder and edge comes from.

    An included file's own ``includes`` join the list, as in Pywr, and are resolved, like every include,
    against the main file's folder (``files``' rules: one outside it, loaded confined, is refused unread).  A file
    included twice (or a cycle) is refused; each one read is recorded in ``files``.
    """
    files = files or _data_files(path)
    file = str(path or "")
    includes = doc.pop("includes", None)
    origin = _Origin()
    main_edges = doc.get("edges")
    origin.edges = [(file, i) for i in range(len(main_edges))] if isinstance(main_edges, list) else []
    if includes is None:
        return doc, origin
    if not isinstance(includes, list):
        problems.append(Problem(file, "includes", "needs a list of file names"))
        return doc, origin
    queue: list[Any] = list(includes)
    seen: set[Path] = set()
    while queue:
        inc = queue.pop(0)
        if not isinstance(inc, str):
            problems.append(Problem(file, "includes", f"'{inc}' is not a file name"))
            continue
        if (problem := file_name_problem(inc)) is not None:
            problems.append(Problem(file, "includes", problem))
            continue
        if Path(inc).suffix.lower() != ".json":
            problems.append(Problem(file, "includes", f"'{inc}': only JSON includes are supported"))
            continue
        try:
            found = files.locate(inc)
        except DataFileRefused as exc:
            problems.append(Problem(file, "includes", f"included file {exc}"))
            continue
        p = (files.base_dir or Path(".")) / inc  # (as written, for messages)
        if not found.is_file():
            problems.append(Problem(file, "includes", f"included file '{inc}' not found (looked for {p})"))
            continue
        if found in seen:
            problems.append(Problem(file, "includes", f"'{inc}' is included more than once (or includes itself)"))
            continue
        seen.add(found)
        try:
            data = read_document(p)
        except ModelError as exc:
            problems.extend(exc.problems)
            continue
        files.record(inc, found)
        if not isinstance(data, dict):
            problems.append(Problem(str(p), "", "an included file must be a JSON object"))
            continue
        for key, value in data.items():
            if key == "includes":
                if isinstance(value, list):
                    queue.extend(value)  # Pywr extends the list it is reading
                else:
                    problems.append(Problem(str(p), "includes", "needs a list of file names"))
            elif isinstance(value, list) and isinstance(doc.get(key, []), list):
                doc.setdefault(key, []).extend(value)
                if key == "edges":
                    origin.edges += [(str(p), j) for j in range(len(value))]
                elif key == "nodes":
                    origin.named.update({("nodes", n["name"]): str(p) for n in value
                                         if isinstance(n, Mapping) and isinstance(n.get("name"), str)})
            elif isinstance(value, dict) and isinstance(doc.get(key, {}), dict):
                doc.setdefault(key, {}).update(value)
                origin.named.update({(str(key), str(name)): str(p) for name in value})
            elif isinstance(value, (list, dict)):
                problems.append(Problem(str(p), str(key), f"{kind_of(value)} cannot be merged into the "
                                                          f"main file's value, {kind_of(doc[key])}"))
            else:
                problems.append(Problem(str(p), str(key), "an included key needs a list or a mapping "
                                                          f"(got {json_value(value)})"))
    return doc, origin


def _unfed_links_empty(nodes: list[dict[str, Any]], edges: list[list[str]]) -> list[dict[str, Any]]:
    """The nodes, with a link that no edge feeds (Pywr runs it at no flow; a daryo reach needs an incoming edge)
    made an inflow of 0 that keeps its id and outgoing edges; one with a minimum flow stays a reach, which is
    refused, as Pywr cannot run it either."""
    fed = {b for _, b in edges}
    return [{"id": n["id"], "type": "inflow", "inflow": 0.0,
             "description": "a Pywr link that no edge feeds: it carries no water"}
            if n.get("type") == "reach" and n["id"] not in fed and not n.get("min_flow") else n for n in nodes]


#: the Pywr node types a route ends at
_ROUTE_ENDS = ("storage", "reservoir", "breaklink", "delaynode")


def _on_one_route(members: list[str], edges: list[list[str]], types: Mapping[str, str]) -> list[str]:
    """Pairs "a → b" of members of an aggregated node where a route from ``a`` reaches ``b`` (through other nodes
    too; a route ends at a storage, and at a break link or delay node, which Pywr makes of a storage or an output
    and an input)."""
    below: dict[str, list[str]] = {}
    for a, b in edges:
        below.setdefault(a, []).append(b)
    pairs = []
    for a in members:
        seen, todo = {a}, list(below.get(a, []))
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in members:
                pairs.append(f"{a} → {n}")
            if types.get(n) not in _ROUTE_ENDS:
                todo.extend(below.get(n, []))
    return pairs


class _ParameterChecks:
    """The context of a parse of converted parameters: it keeps their problems and reads no CSV file (the
    conversion has read and checked those)."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(self.file, place, message))

    def read_csv(self, name: str, place: str) -> None:
        return None


class PywrDocument(dict):
    """A daryo model document converted from a Pywr one, which keeps the Pywr places of what it made of a Pywr
    item (``places``: a parameter made of an inline definition, ``"parameters[demand.max_flow]"`` →
    ``"nodes[demand].max_flow"``; a piecewise link's band, ``"nodes[link Sublink 0].max_flow"`` →
    ``"nodes[link].max_flows[0]"``), so that a problem found in it names them as the Pywr file has them."""

    def __init__(self, doc: Mapping[str, Any], places: Mapping[str, str]):
        super().__init__(doc)
        self.places = dict(places)


def convert_pywr_document(doc: Mapping[str, Any], path: str | Path | None = None, *,
                          data_files: DataFiles | None = None) -> dict[str, Any]:
    """The daryo model document (``version: 1``) equivalent to a Pywr v1 JSON document.

    Parameters
    ----------
    doc
        The parsed Pywr JSON document.
    path
        The file it was read from: relative file names (CSV data, includes) are resolved against its folder and
        messages name it.
    data_files
        Where its data files and includes may be read from instead, and whether they must stay in that folder
        (:class:`~daryo.model.datafiles.DataFiles`); each file read is recorded there.

    Raises
    ------
    ModelError
        Listing every unsupported node type, parameter type, recorder type or key, every broken reference and
        every missing file, each with its place (``nodes[NAME]``, ``parameters[NAME]``, ``recorders[NAME]``…);
        or one problem if ``doc`` is not a Pywr document but a daryo one (:func:`daryo.model.loader.is_pywr_document`).
    """
    p = Path(path) if path is not None else None
    if doc is None:  # (an empty YAML file)
        raise ModelError(Problem(str(p or "<pywr model>"), "", "the file is empty: there is nothing to convert"))
    if not is_pywr_document(doc):
        raise ModelError(Problem(str(p or "<pywr model>"), "", "this file is read as a daryo model, not a Pywr JSON "
                                 "model (which has a 'timestepper' and nodes with 'name'): there is nothing to "
                                 "convert (daryo reads it as it is)"))
    problems: list[Problem] = []
    files = data_files or _data_files(p)
    data, origin = _merge_includes(copy.deepcopy(dict(doc)), p, problems, files)
    conv = _Converter(data, p, origin, files)
    conv.problems.extend(problems)
    return conv.run()

