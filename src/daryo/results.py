"""Label a run's raw arrays as one xarray Dataset (scenario × time × element) and save it."""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import io
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from xarray.indexes import PandasIndex

from ._files import (
    CSV_FLOAT,
    NamedOSError,
    free_space_note,
    interrupts_between,
    mode_for,
    printable_path,
    refuse_netcdf_unreadable_name,
    refuse_special_file,
    refuse_write_protected,
    temp_beside,
    user_path,
    write_target,
)
from .cf import cf_dataset, netcdf_encoding, netcdf_text
from .errors import listed
from .model import Model, Node, Series
from .model.datafiles import data_files_text
from .model.series import is_nonzero
from .model.topology import reached_from
from .network import CompiledNetwork
from .network.compile import rule_curve_columns
from .network.digest import network_digest
from .simulate import SimulationOutput
from .simulate.physics import energy_gwh
from .timeaxis import TimeAxis, step_label
from .units import is_number

__all__ = ["SHORTFALL_NOISE", "Results", "advice", "build_dataset", "caveats", "check_csv_folder",
           "check_netcdf_target", "display_names", "energy_targets", "is_netcdf", "netcdf_attributes",
           "requirement_columns", "requirement_coordinates", "requirement_met", "shortfall", "software_versions",
           "storage_targets", "topology"]

_VOL = "hm3"
_FLOW = "hm3 per step"
_TITLE = "daryo results"  # the start of a run's results' title attribute
NETCDF_SUFFIXES = (".nc", ".nc4", ".netcdf")
#: the CSV file, beside a run's ``<variable>.csv`` files, that says what each holds and in which units
VARIABLES_CSV = "variables.csv"
_VARIABLES_HEADER = b"variable,units,description,columns"
#: the CSV file of the elements: a row per element (node, edge, reservoir…) with its coordinates
ELEMENTS_CSV = "elements.csv"
_ELEMENTS_HEADER = b"dimension,element"
#: the CSV file of a run's steps: each step's start and the coordinates the Dataset gives it along time
STEPS_CSV = "steps.csv"
_STEPS_HEADER = b"time,"
#: the CSV files a run writes beside its variables' files
_TABLES_CSV = (VARIABLES_CSV, ELEMENTS_CSV, STEPS_CSV)
#: the dimensions of a results Dataset that are not elements
_NOT_ELEMENTS = ("scenario", "time")


#: a shortfall (hm³ or GWh in a step) up to this is solver noise, reported as none: the allocation holds what it
#: has served in full 1e-9 below its value (see ``daryo.simulate.engine``), and LP solutions keep their bounds to
#: ~1e-9 (HiGHS's feasibility tolerance; the fast path's dual simplex likewise)
SHORTFALL_NOISE = 1e-8


def advice(ds: xr.Dataset, model: Model | None = None) -> list[str]:
    """What a run's results suggest its model does not mean (the run is not wrong).  In ``cost`` mode, where only
    the costs decide: demands that got no water in the whole run though they asked for some, as where no cost makes
    delivering pay, and hydropower plants that generated nothing, as where the turbines cost no less than a bypass.
    In ``priority`` mode, given the ``model``: inflows with no ``inflow`` series and no cost (a pumped supply
    between ``min_flow`` and ``max_flow``) that supplied water in steps when water reached the sinks, which the
    allocation is free to do where no cost says otherwise.  In either mode: reservoirs that spilled in steps they
    ended below their maximum volume (the spill edge then passed water past the limits of their outlets, as an
    operating rule's; given the ``model``, below the month's flood-control limit).  Given the ``model``, in
    either mode: overlays that change given run years some of which the run is too short for
    (:func:`daryo.scenarios.years_beyond`), an
    overlay of named years' factors on top of a named year's hydrology (:func:`daryo.scenarios.compounded_drought`),
    as ``daryo run`` notes them, and a run that starts after the model's start (``RunOptions(start=)``), whose
    reservoirs start at the model's initial volumes, of another date.

    Parameters
    ----------
    ds
        A run's results.
    model
        The model run (None: the notes that need it are left out).

    Returns
    -------
    list of str
        One sentence each (empty: none).
    """
    if ds.attrs.get("allocation") != "cost":
        notes = [note for note in (_free_sources(ds, model),) if note]
    else:
        notes = [note for note in (_dry_demands(ds), _idle_plants(ds), _unenforced(ds, model)) if note]
    notes += [note for note in (_spill_below_full(ds, model),) if note]
    return notes + ([note for note in (_late_start(ds, model),) if note] + _overlay_notes(ds, model)
                    if model is not None else [])


def _unenforced(ds: xr.Dataset, model: Model | None) -> str:
    """In ``cost`` mode, the note on the flow requirements of no cost (given the ``model``: without it, none is
    named), rule curves and energy targets short in some step: nothing enforced them, so what they lack is what the
    costs left, and what would (a hydro-economic modeller's review: the run's tables showed them short as a priority
    run's are, and SDG 6.4.2's water stress subtracted the requirements as protected flows)."""
    costs = {n.id: n.get("cost") for n in model.nodes} if model is not None else None
    named: dict[str, list[str]] = {}
    for var, dim in (("requirement_met", "requirement"), ("storage_shortfall", "reservoir"),
                     ("energy_shortfall", "hydropower")):
        if var not in ds or (dim == "requirement" and (costs is None or "required" not in ds)):
            continue
        lack = (shortfall(ds["required"].transpose(*ds[var].dims).values, ds[var].values) if dim == "requirement"
                else np.nan_to_num(ds[var].values))
        axes = tuple(i for i, d in enumerate(ds[var].dims) if d != dim)
        ids = ds[dim].values[(lack > 0).any(axis=axes)].astype(str)
        named[dim] = [i for i in ids if dim != "requirement" or not is_nonzero((costs or {}).get(i))]
    what = {"requirement": ("flow requirement", "a negative cost on the requirement (a benefit per hm³ met), larger "
                            "than the uses it competes with (SDG 6.4.2's water stress counts its environmental flow as "
                            "protected all the same)"),
            "reservoir": ("rule curve of", "a negative cost on the reservoir (a value per hm³ stored)"),
            "hydropower": ("energy target of", "a negative cost on the plant (a value per hm³ through its turbines)")}
    found = [(dim, ids) for dim, ids in named.items() if ids]
    if not found:
        return ""
    short = [f"{what[dim][0]} {i}" for dim, ids in found for i in ids]
    one = len(short) == 1
    return (f"allocation: cost, where the costs alone allocate: {listed(short, 4)} {'was' if one else 'were'} short "
            f"in some step, and nothing enforced {'it' if one else 'them'} (cost mode reads no priority or target: "
            f"what {'it lacks' if one else 'they lack'} is what the costs left); to protect "
            f"{'it' if one else 'them'}, give {'; '.join(what[dim][1] for dim, _ in found)}; or use allocation: "
            "priority")


def _late_start(ds: xr.Dataset, model: Model) -> str:
    """The note on a run that starts on another date than its model's start, after it or before it (``RunOptions(
    start=)``, where the model's series cover that date; the results' ``run_start``) with reservoirs whose initial
    volume no overlay of the user's set (a library overlay's is the model's): they start at the model's, which are
    of the model's start ("" if not so)."""
    try:
        first = pd.Timestamp(str(ds.attrs["run_start"]))
    except (KeyError, ValueError):  # (results of a daryo before 2026-12-06's)
        return ""
    from .scenarios.overlay import volume_set_by_user

    own = model.time.start
    kept = [n.id for n in model.nodes if n.type == "reservoir" and not volume_set_by_user(model.origins, n.id)]
    if first == own or not kept:
        return ""
    return (f"the run starts in {first:%Y-%m}, {'after' if first > own else 'before'} the model's start "
            f"({own:%Y-%m}), and its reservoirs "
            f"({listed(kept, 4)}) start at the model's initial volumes, which are of {own:%Y-%m}: set those of "
            f"{first:%Y-%m} with an overlay (changes: [set: {{{kept[0]}: {{initial_volume: ...}}}}]), or run from "
            "the model's start")


def _overlay_notes(ds: xr.Dataset, model: Model) -> list[str]:
    """The notes on the overlays applied to ``model``: a drought taken twice, and years the run (``ds``: its
    results, which may be of fewer years than the model: ``RunOptions(years=)``) is too short for."""
    from .scenarios import compounded_drought, years_beyond

    overlays = _overlays_of(model)[1]
    if not overlays:
        return []
    hydrology = model.metadata.get("hydrology")
    twice = compounded_drought(str(hydrology.get("kind")) if isinstance(hydrology, dict) else None, overlays)
    years = ds["hydrological_year"].values if "hydrological_year" in ds.coords else np.zeros(0)
    n_years = int(years.max() - years[0]) + 1 if len(years) else 0
    return ([twice] if twice else []) + years_beyond(overlays, n_years)


def _free_sources(ds: xr.Dataset, model: Model | None) -> str:
    """The note on inflows whose supply is the allocation's free choice and that supplied water while water reached
    the sinks ("" if none)."""
    if model is None or "node_flow" not in ds or "sink_inflow" not in ds:
        return ""
    free = [n.id for n in model.nodes if n.type == "inflow" and n.get("inflow") is None
            and _no_cost(n.get("cost")) and n.id in ds["node"].values]
    if not free:
        return ""
    from .indicators import n_years

    sinks = set(str(k) for k in ds["sink"].values)
    wasted = 0.0
    for nid in free:  # (what reached the sinks it can reach, in steps it supplied water: at most its supply)
        reached = sorted(reached_from(model, nid) & sinks)
        if reached:
            spilled = ds["sink_inflow"].sel(sink=reached).sum("sink")
            supply = ds["node_flow"].sel(node=nid)
            wasted += float(xr.where(spilled > SHORTFALL_NOISE, np.minimum(supply, spilled), 0.0).sum("time").mean())
    per_year = wasted / n_years(ds)
    if per_year <= SHORTFALL_NOISE:
        return ""
    one = len(free) == 1
    return (f"inflow{'' if one else 's'} {listed(free, 8)} {'has' if one else 'have'} no inflow series and no cost: "
            f"in priority mode what {'it supplies' if one else 'they supply'}, up to max_flow, is left to the costs, "
            f"and {'it' if one else 'they'} supplied water while water reached "
            f"the sinks (up to {per_year:,.1f} hm³/yr of it may have gone on to them); give "
            f"{'it' if one else 'them'} a cost (what a hm³ costs to pump, say: below the other supplies' costs "
            f"where {'it is' if one else 'they are'} to be preferred to them) so that the allocation takes only what "
            "it needs")


def _spill_below_full(ds: xr.Dataset, model: Model | None = None) -> str:
    """The note on reservoirs that spilled in steps they ended below their maximum volume ("" if none): the spill
    edge is not limited to the water above it, so the allocation released through it what their outlets' limits
    would have held back.  Given the ``model``, below the month's ``flood_control_max`` where the reservoir has one
    (a constant or 12 monthly values; one of another kind leaves the reservoir out: the results do not keep it)."""
    if not {"spill", "storage", "storage_max"} <= set(ds.data_vars):
        return ""
    spill, storage, full = (ds[k].transpose("reservoir", ..., "time").values.reshape(ds.sizes["reservoir"], -1)
                            for k in ("spill", "storage", "storage_max"))
    known = np.ones(len(full), dtype=bool)  # (a reservoir whose flood-control limit the note cannot read: left out)
    if model is not None:
        full = full.copy()
        months = pd.DatetimeIndex(ds["time"].values).month.to_numpy()
        for k, rid in enumerate(ds["reservoir"].values):
            limit = _flood_limit(model.node(str(rid)).get("flood_control_max"), months, spill.shape[1] // len(months))
            if limit is None:
                known[k] = False
            else:
                full[k] = np.minimum(full[k], limit)
    with np.errstate(invalid="ignore"):  # (NaN: a maximum a parameter sets, which the results do not keep)
        below = (spill > SHORTFALL_NOISE) & (storage < full - 1e-6 * np.maximum(1.0, np.abs(full)))
    below &= known[:, None]
    hit = np.flatnonzero(below.any(axis=1))
    if not len(hit):
        return ""
    ids = [str(r) for r in ds["reservoir"].values[hit]]
    first = int(np.flatnonzero(below[hit[0]])[0])  # (time last: the first scenario's steps come first)
    when = pd.Timestamp(ds["time"].values[first % ds.sizes["time"]]).date().isoformat()
    if ds.sizes.get("scenario", 1) > 1:  # (a diff review: the first could be of any scenario)
        when = f"{when} of scenario {ds['scenario'].values[first // ds.sizes['time']]}"
    steps = int(below[hit].sum())
    one = len(ids) == 1
    first_of = "" if one else ": " + ids[0]
    return (f"{'reservoir' if one else 'reservoirs'} {listed(ids, 6)} spilled while below {'its' if one else 'their'}"
            f" maximum volume (or the month's flood_control_max), in {steps:,} {'step' if steps == 1 else 'steps'} "
            f"(the first{first_of}, in the step from {when}: "
            f"{spill[hit[0], first]:,.1f} hm³ spilled, ending at {storage[hit[0], first]:,.1f} hm³ where it could hold "
            f"{full[hit[0], first]:,.1f} hm³): the spill edge of spill_to is not limited to the water above the "
            "maximum volume, so the allocation released water through it beyond the limits of the outlets (a "
            "max_flow, a plant's capacity, an operating rule), and 'spill' counts those releases.  Where the spill "
            "stands for the dam's spillway or bottom outlets, that is as meant; where the outlets' limits must hold, "
            "leave out spill_to (a step whose water the reservoir then can neither hold nor pass is infeasible, and "
            "says so)")


def _flood_limit(value: Any, months: np.ndarray, scenarios: int) -> np.ndarray | None:
    """A reservoir's ``flood_control_max`` in each scenario's steps of the calendar ``months`` (the scenarios' steps
    one after the other; inf for none), or None where it is not a constant or 12 monthly values of one trace or of
    one per scenario, which the note cannot read back."""
    if value is None:
        return np.full(months.size * scenarios, np.inf)
    if not isinstance(value, Series) or value.is_rate or value.kind not in ("constant", "monthly"):
        return None
    rows = np.asarray(value.values, dtype=float).reshape(value.values.shape[0], -1)
    if len(rows) not in (1, scenarios):
        return None
    per_step = rows[:, np.zeros(months.size, dtype=int)] if value.kind == "constant" else rows[:, months - 1]
    return np.broadcast_to(per_step, (scenarios, months.size)).reshape(-1)


def _no_cost(cost: Any) -> bool:
    """Whether a node's ``cost`` is none or 0 in every step (a parameter's is taken as a cost)."""
    if cost is None:
        return True
    if isinstance(cost, Series):
        return cost.kind == "constant" and not np.any(cost.values)
    return is_number(cost) and float(cost) == 0.0


def _dry_demands(ds: xr.Dataset) -> str:
    """The note on demands that got no water in the whole run though they asked for some ("" if none)."""
    if "delivery" not in ds or "deficit" not in ds:
        return ""
    others = [d for d in ds["delivery"].dims if d != "demand"]
    got, short = ds["delivery"].sum(others), ds["deficit"].sum(others)
    dry = [str(d) for d in ds["demand"].values[(got.values <= 0) & (short.values > 0)]]
    if not dry:
        return ""
    why = ("in cost mode a demand gets water only where it can reach it and the costs make delivering pay (a "
           "negative cost on the demand: what a hm³ delivered is worth)")
    if len(dry) == ds.sizes["demand"]:
        return f"no demand got any water: {why}"
    return (f"{'demand' if len(dry) == 1 else 'demands'} {listed(dry, 8)} got no water in the whole run though "
            f"{'it' if len(dry) == 1 else 'they'} asked for some: {why}")


def _idle_plants(ds: xr.Dataset) -> str:
    """The note on hydropower plants that generated nothing in the whole run ("" if none)."""
    if "energy" not in ds:
        return ""
    others = [d for d in ds["energy"].dims if d != "hydropower"]
    idle = [str(p) for p in ds["hydropower"].values[ds["energy"].sum(others).values <= 0]]
    if not idle:
        return ""
    one = len(idle) == 1
    return (f"{'plant' if one else 'plants'} {listed(idle, 8)} generated nothing in the whole run: in cost mode water "
            "takes the turbines only where no other way costs less, and a bypass or spill of the same cost ties "
            "with them (either may be taken); give the plant a negative cost (what a hm³ through the turbines is "
            f"worth), or check that water reaches {'it' if one else 'them'} and that {'it' if one else 'they'} may "
            "take it (max_turbine_flow, capacity, head)")


def shortfall(wanted: np.ndarray, got: np.ndarray) -> np.ndarray:
    """What was wanted and not got in each step (a demand's deficit, a flow requirement's or an energy target's
    shortfall): ``wanted − got`` where that exceeds :data:`SHORTFALL_NOISE`, else 0.

    Without the threshold, a demand met in full shows a deficit of ~1e-9 hm³ in most steps of a short year, and
    counting the months with a deficit (``deficit > 0``) counts those.

    Parameters
    ----------
    wanted, got
        Arrays of one shape, hm³ (or GWh) per step.

    Returns
    -------
    numpy.ndarray
        The shortfall, ≥ 0, in the units of ``wanted``.
    """
    gap = np.asarray(wanted, dtype=float) - got
    return np.where(gap > SHORTFALL_NOISE, gap, 0.0)


def requirement_met(required: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """The part of flow requirements met: the flow through each one's node, up to the requirement (all of it where
    the flow is short by solver noise alone, :func:`shortfall`).  In cost mode nothing values a requirement's own
    LP column, which may then sit anywhere below the requirement, so the node's flow is what counts.

    Parameters
    ----------
    required, flow
        The requirements and the flows through their nodes, hm³ per step, of the same shape.

    Returns
    -------
    numpy.ndarray
        The part met, of the same shape.
    """
    return np.where(shortfall(required, flow) > 0, flow, required)


def _releases(net: CompiledNetwork, edge_flow: np.ndarray) -> np.ndarray:
    """Each reservoir's release (S, T, R): the flows of the edges leaving it, its spill edge included."""
    leaving = np.array([[src == r for src, _ in net.edge_ends] for r in net.res_ids], dtype=float)  # (R, E)
    return edge_flow @ leaving.T


_COUNTRY = "ISO 3166-1 alpha-3 code; empty: none"
_PLACE = "approximate map position from the model file, used by no computation; NaN: none"


def _coords(net: CompiledNetwork, ids: list[str], dim: str) -> dict[str, tuple]:
    """An element dimension's coordinates, each with its description: its ids, countries and, for nodes, places;
    an edge has the ids of its ends and the country of the node it leaves (where its water is taken)."""
    model = net.model
    by_id = {n.id: n for n in model.nodes}
    if dim == "edge":
        source, target = (list(end) for end in zip(*net.edge_ends, strict=True)) if ids else ([], [])
        return {dim: (dim, list(ids), {"description": "Id of each edge: 'from->to'"}),
                "edge_from": (dim, source, {"description": "Node each edge leaves"}),
                "edge_to": (dim, target, {"description": "Node each edge enters"}),
                "edge_country": (dim, [by_id[i].country or "" for i in source],
                                 {"description": f"Country of the node each edge leaves, where its water is taken "
                                  f"({_COUNTRY})"})}
    what = "node" if dim == "node" else f"{dim} node"
    country = [(by_id[i].country or "") if i in by_id else "" for i in ids]
    out: dict[str, tuple] = {dim: (dim, list(ids), {"description": f"Id of each {what} of the model"}),
                             f"{dim}_name": display_names(model, ids, dim),
                             f"{dim}_country": (dim, country, {"description": f"Country of each {what} ({_COUNTRY})"})}
    out[f"{dim}_lat"] = (dim, [float(by_id[i].get("lat", np.nan)) if i in by_id else np.nan for i in ids],
                         {"units": "degrees_north", "description": f"Latitude: {_PLACE}"})
    out[f"{dim}_lon"] = (dim, [float(by_id[i].get("lon", np.nan)) if i in by_id else np.nan for i in ids],
                         {"units": "degrees_east", "description": f"Longitude: {_PLACE}"})
    return out


def display_names(model: Model, ids: Sequence[str], dim: str) -> tuple[str, list[str], dict[str, str]]:
    """The ``<dim>_name`` coordinate of an element dimension: each node's display name, its ``name`` in the model
    file (its id where it has none, or where ``ids`` holds one that is no node of ``model``).

    Parameters
    ----------
    model
        The model whose nodes the elements are.
    ids
        The elements' ids, in the dimension's order.
    dim
        The dimension (``node``, ``reservoir``, ``demand``...).

    Returns
    -------
    tuple
        ``(dim, names, attributes)``, as xarray takes a coordinate (its ``description`` among the attributes).
    """
    by_id = {n.id: n for n in model.nodes}
    what = "node" if dim == "node" else f"{dim} node"
    names = [str(by_id[i].get("name") or i) if i in by_id else str(i) for i in ids]
    return (dim, names, {"description": f"Display name of each {what} (its name in the model file; its id where it "
                         "has none)"})


def _return_to(net: CompiledNetwork) -> tuple:
    """The ``demand_return_to`` coordinate: the node each demand returns its water to ("": none)."""
    return ("demand", [str(net.model.node(i).get("return_to") or "") for i in net.demand_ids],
            {"description": "Node each demand's return flow goes to; empty: the return leaves the model (an "
             "unrouted return in the mass balance)"})


def _loss_fractions(net: CompiledNetwork) -> dict[str, tuple]:
    """The ``edge_loss_fraction`` and ``node_loss_fraction`` coordinates: the fraction of its flow each edge loses
    on the way, and each node (a reach or canal) of what passes it; a loss that varies
    over the run or its scenarios at its smallest value."""
    edge = np.asarray(net.edge_loss_const, dtype=float).copy()
    for k, loss in net.edge_loss_varying:
        edge[k] = float(np.min(loss))
    node = np.zeros(len(net.node_ids))
    for i, loss in net.passthrough_loss:
        node[i] = float(np.min(loss))
    varying = "; a loss that varies over the run or its scenarios: its smallest value"
    return {"edge_loss_fraction": ("edge", edge, {"units": "1", "description": "Fraction of its flow each edge "
                                                  f"loses on the way{varying}"}),
            "node_loss_fraction": ("node", node, {"units": "1", "description": "Fraction of what passes it each "
                                                  f"node loses (a reach's or canal's loss){varying}"})}


def requirement_coordinates(requirements: Sequence[Node]) -> dict[str, tuple]:
    """The coordinates of flow requirements besides their ids and countries, as results and stores have them.

    Parameters
    ----------
    requirements
        The model's flow requirement nodes, in the results' order.

    Returns
    -------
    dict
        ``requirement_at`` (the node each is on) and ``requirement_purpose`` (``environmental`` or ``obligation``),
        each as ``(dimension, values, attributes)``.
    """
    return {"requirement_at": ("requirement", [str(n.get("at")) for n in requirements],
                               {"description": "Node whose flow each requirement is on"}),
            "requirement_purpose": ("requirement", [str(n.value("purpose")) for n in requirements],
                                    {"description": "Purpose of each requirement: environmental (an environmental "
                                     "flow, which SDG 6.4.2's water stress counts) or obligation (a flow owed "
                                     "downstream, which it does not)"})}


def requirement_columns(net: CompiledNetwork) -> np.ndarray:
    """The LP columns of the nodes the network's flow requirements are on (their flow), in the model's order."""
    at = [str(net.model.node(net.node_ids[i]).get("at")) for i in net.requirement_nodes]
    return net.node_col[[net.node_ids.index(a) for a in at]].astype(np.int64)


def topology(net: CompiledNetwork) -> xr.Dataset:
    """The network's topology, as a run's results hold it (coordinates only): its nodes and their types, its
    edges and their ends, its demands and the node each returns its water to, its flow requirements and the node
    each is on.  :class:`daryo.sdg.StressAccounts` reads it.

    Parameters
    ----------
    net
        A compiled network.

    Returns
    -------
    xarray.Dataset
        Coordinates ``node``, ``node_type``, ``node_loss_fraction``, ``edge``, ``edge_from``, ``edge_to``,
        ``edge_loss_fraction``, ``demand``,
        ``demand_return_to``, ``requirement`` and ``requirement_at`` (with their countries and places), no
        variables.
    """
    coords = {**_coords(net, net.edge_ids, "edge"), **_coords(net, net.node_ids, "node"),
              "node_type": ("node", net.node_types, {"description": "Component type of each node"}),
              **_loss_fractions(net),
              **_coords(net, net.demand_ids, "demand"), "demand_return_to": _return_to(net)}
    ids = [net.node_ids[i] for i in net.requirement_nodes]
    coords.update({**_coords(net, ids, "requirement"),
                   **requirement_coordinates([net.model.node(i) for i in ids])})
    return xr.Dataset(coords=_coordinates(coords))


def step_coordinates(axis: TimeAxis) -> dict[str, tuple]:
    """The coordinates of the ``time`` dimension besides the step starts: each step's length, hydrological year
    and season (a run's results and an ensemble's store)."""
    return {"days": ("time", axis.days, {"units": "days", "description": "Length of each step"}),
            "hydrological_year": ("time", axis.hydrological_year,
                                  {"description": "Hydrological year (October-September), labelled by its end"}),
            "season": ("time", axis.season, {"description": "winter: October-March; summer: April-September"})}


#: Every variable a run's results can hold (a model has those of the kinds of nodes it has)
VARIABLES = frozenset({
    "mass_balance_error", "max_node_balance_error", "node_flow", "node_loss", "edge_flow", "edge_loss",
    "storage", "storage_start", "storage_min", "storage_max", "storage_target", "storage_shortfall", "evaporation",
    "spill", "demanded", "delivery",
    "deficit", "consumption", "return_flow", "turbine_flow", "head", "energy", "energy_target", "energy_shortfall",
    "sink_inflow", "required", "requirement_met", "delay_inflow"})


def build_dataset(net: CompiledNetwork, out: SimulationOutput) -> xr.Dataset:
    """The results Dataset of a run.

    Dimensions: ``scenario``, ``time`` (step start) and one element dimension per kind (``node``,
    ``edge``, ``reservoir``, ``demand``, ``hydropower``, ``sink``, ``requirement``).  Every variable
    carries ``units`` and ``description`` attributes.
    """
    axis, x = net.axis, out.x
    S = net.n_scenarios
    scen = list(net.model.scenario_names[:S]) if len(net.model.scenario_names) >= S else [
        str(i) for i in range(S)]
    coords: dict = {"scenario": ("scenario", scen, {"description": "Scenario (trace) of the model, by its label"}),
                    "time": ("time", axis.starts, {"description": "Start of each step"}), **step_coordinates(axis)}
    data: dict[str, tuple] = {}

    def var(name: str, dims: tuple[str, ...], values: np.ndarray, units: str, description: str) -> None:
        assert name in VARIABLES, name
        if values.dtype.kind == "f":  # -0.0 (a solver's zero) becomes 0.0, which CSV files show as 0, not -0
            values = np.add(values, 0.0, out=values if values.flags.writeable else None)
        data[name] = (dims, values, {"units": units, "description": description})

    st, se = ("scenario", "time"), ("scenario", "time", "edge")
    coords.update(_coords(net, net.edge_ids, "edge"))
    coords.update(_coords(net, net.node_ids, "node"))
    coords["node_type"] = ("node", net.node_types, {"description": "Component type of each node"})
    coords.update(_loss_fractions(net))
    edge_flow = x[:, :, net.edge_col]
    var("edge_flow", se, edge_flow, _FLOW, "Flow leaving the upstream end of each edge")
    edge_loss = edge_flow * net.edge_loss_const
    for k, loss in net.edge_loss_varying:
        edge_loss[:, :, k] = edge_flow[:, :, k] * loss
    var("edge_loss", se, edge_loss, _FLOW, "Water lost along each edge")
    node_flow = x[:, :, net.node_col]
    if net.res_ids:  # (a reservoir's column is its volume: its throughput is what leaves it, spill included)
        node_flow[:, :, [net.node_ids.index(r) for r in net.res_ids]] = _releases(net, edge_flow)
    var("node_flow", ("scenario", "time", "node"), node_flow, _FLOW,
        "Node throughput: supply of an inflow, flow through a link or plant, delivery to a demand, receipt of a "
        "sink, release of a reservoir (all that leaves it, spill included), met part of a flow requirement")
    node_loss = np.zeros_like(node_flow)
    for i, loss in net.passthrough_loss:
        node_loss[:, :, i] = node_flow[:, :, i] * loss
    var("node_loss", ("scenario", "time", "node"), node_loss, _FLOW, "Water lost in reaches and canals")

    if net.res_ids:
        coords.update(_coords(net, net.res_ids, "reservoir"))
        sr = ("scenario", "time", "reservoir")
        var("storage", sr, x[:, :, net.res_col], _VOL, "End-of-step volume")
        var("storage_start", sr, out.volume_start, _VOL, "Start-of-step volume")
        var("storage_min", sr, out.volume_min, _VOL,
            "Minimum (dead) volume of the step, min_volume: releases cannot draw the volume below it, evaporation can")
        var("storage_max", sr, out.volume_max, _VOL,
            "Maximum volume of the step, max_volume (a flood_control_max may hold the volume lower in some months): "
            "storage / storage_max is the proportion full, as control curves read it")
        var("evaporation", sr, out.evaporation, _FLOW, "Evaporation loss (depth times area at start-of-step volume)")
        spill = np.where(net.res_spill_col[None, None, :] >= 0,
                         x[:, :, np.maximum(net.res_spill_col, 0)], 0.0)
        var("spill", sr, spill, _FLOW, "Flow through the reservoir's spill edge to its spill_to node: its "
            "overflow, and any release beyond what its other outlets can pass (a plant's turbines at capacity)")
        targets = _storage_targets(net, out)
        if targets is not None:  # what the rule curves asked the reservoirs to hold at the steps' ends
            var("storage_target", sr, targets[0], _VOL,
                "Rule-curve target volume for the end of the step, as the solver was given it (target_volume: its "
                "value in the step, of its month, of the step or of a CSV series, after the scenario overlays, or a "
                "parameter's value in the step; not lowered to storage_max or a flood_control_max): met at "
                "target_priority in priority mode, left to the costs in cost mode; NaN where the reservoir has no "
                "target_volume")
            var("storage_shortfall", sr, targets[1], _VOL,
                "Target volume not held at the end of the step, storage_target - storage where positive: water "
                "short at the target's priority, or a flood_control_max below the target (none where up to "
                f"{SHORTFALL_NOISE:g} hm3: solver noise; NaN where the reservoir has no target_volume)")
    if net.demand_ids:
        coords.update(_coords(net, net.demand_ids, "demand"))
        by_id = {n.id: n for n in net.model.nodes}
        coords["demand_category"] = ("demand", [by_id[i].value("category") for i in net.demand_ids],
                                     {"description": "Category of each demand (irrigation, municipal, ...)"})
        coords["demand_priority"] = ("demand", [int(by_id[i].value("priority")) for i in net.demand_ids],
                                     {"description": "Allocation priority of each demand (1 first)"})
        coords["demand_return_to"] = _return_to(net)
        sd = ("scenario", "time", "demand")
        wanted = out.col_upper[:, :, net.demand_col]
        delivered = x[:, :, net.demand_col]
        cons = np.broadcast_to(net.demand_consumptive, delivered.shape) if net.demand_consumptive.size else 1.0
        var("demanded", sd, wanted, _FLOW, "Water wanted (the demand)")
        var("delivery", sd, delivered, _FLOW, "Water delivered")
        var("deficit", sd, shortfall(wanted, delivered), _FLOW,
            f"Demand not delivered (none where up to {SHORTFALL_NOISE:g} hm3: solver noise)")
        var("consumption", sd, delivered * cons, _FLOW, "Delivered water consumed")
        var("return_flow", sd, delivered * (1.0 - cons), _FLOW, "Delivered water returned (or lost if no return_to)")
    if net.hp_ids:
        coords.update(_coords(net, net.hp_ids, "hydropower"))
        sh = ("scenario", "time", "hydropower")
        q = x[:, :, net.hp_col]
        var("turbine_flow", sh, q, _FLOW, "Water through the turbines")
        var("head", sh, out.head, "m", "Head at the start of the step (level minus tailwater)")
        energy = energy_gwh(q, out.head, net.hp_efficiency[None, None, :])
        var("energy", sh, energy, "GWh", "Energy generated, rho g Q H eta with the start-of-step head")
        if np.any(net.hp_energy_col >= 0):  # what was wanted, which the plant's capacity at the head may cap
            target, short = energy_targets(net, energy)
            var("energy_target", sh, target.copy(), "GWh", "Energy wanted (energy_target; 0 where the plant has none)")
            var("energy_shortfall", sh, short, "GWh",
                "Energy wanted but not generated: water short at the target's priority, or more than the "
                f"capacity at the step's head allows (none where up to {SHORTFALL_NOISE:g} GWh: solver noise)")
    if net.sink_ids:
        coords.update(_coords(net, net.sink_ids, "sink"))
        var("sink_inflow", ("scenario", "time", "sink"), x[:, :, net.sink_col], _FLOW, "Water received")
    req_nodes = net.requirement_nodes
    if req_nodes.size:
        ids = [net.node_ids[i] for i in req_nodes]
        coords.update(_coords(net, ids, "requirement"))
        coords.update(requirement_coordinates([net.model.node(i) for i in ids]))
        required = out.col_upper[:, :, net.node_col[req_nodes]]
        at = requirement_columns(net)
        var("required", ("scenario", "time", "requirement"), required, _FLOW, "Required minimum flow")
        var("requirement_met", ("scenario", "time", "requirement"), requirement_met(required, x[:, :, at]), _FLOW,
            "Part of the required flow that was met: the flow through the node, up to the requirement (all of it "
            f"where the flow is short by up to {SHORTFALL_NOISE:g} hm3: solver noise)")
    if net.delay_ids:
        coords.update(_coords(net, net.delay_ids, "delay"))
        var("delay_inflow", ("scenario", "time", "delay"), x[:, :, net.delay_in_col], _FLOW,
            "Water entering each delay node (it leaves `steps` steps later)")
    var("mass_balance_error", st, _system_balance(net, out, data), _FLOW,
        "Inflow minus (storage change + evaporation + losses + consumption + unrouted returns + sink receipts "
        "+ water entering minus leaving delays)")
    var("max_node_balance_error", st, out.balance_residual, _FLOW,
        "Largest absolute residual of any node's mass-balance row")
    # fastpath: the values are NumPy arrays already (and xarray's duck-array checks would import Dask)
    variables = {k: xr.Variable(dims, np.asarray(values), attrs, fastpath=True)
                 for k, (dims, values, attrs) in data.items()}
    ds = xr.Dataset(variables, coords=_coordinates(coords))
    ds.attrs.update({"title": f"{_TITLE}: {net.model.name}", "model": net.model.name,
                     "allocation": net.mode, "time_step": step_label(axis.step_days, axis.dekads),
                     "run_start": f"{axis.start:%Y-%m-%d}",  # (a selection of later steps keeps it: results.advice)
                     "hydrological_year": "October-September, labelled by the year it ends in",
                     **provenance(net.model), "network_sha256": network_digest(net), **caveats(net.model)})
    return ds


def caveats(model: Model) -> dict[str, str]:
    """The model's ``metadata.caveats`` as a results attribute, ``caveats``: one per line (none if it has none), so
    that a results file carries what its reader must know of the model."""
    found = model.metadata.get("caveats") or []
    return {"caveats": "\n".join(str(c) for c in found)} if found else {}


def provenance(model: Model) -> dict[str, str]:
    """What a run's results were made from, as attributes: daryo's version, the model file, the scenario overlays
    applied to it, its hydrology (the embedded model's kind, traces and seed) and, where the model names them, its
    basins (``metadata.basins`` as JSON, which names the river systems of the water stress of the results read
    back: :func:`daryo.sdg.water_stress`).  ``data_files`` lists the data files the model read, a line
    ``SHA256  PATH`` for each, the path as the model file writes it (:func:`~daryo.model.datafiles.data_files_text`:
    ``sha256sum -c`` in the model's folder checks them).  (The results also record
    ``network_sha256``, a digest of everything the run computed from: the model's data files, overlays and
    hydrology as they were read, which the model file's digest does not cover.)"""
    from . import __version__

    hydrology, basins = model.metadata.get("hydrology"), model.metadata.get("basins")
    return {"daryo": __version__, "model_file": recorded_model_file(model),
            "model_sha256": model.file_sha256, "data_files": data_files_text(model.data_files),
            "scenarios": applied_overlays(model),
            "hydrology": ", ".join(f"{k} {v}" for k, v in hydrology.items()) if isinstance(hydrology, dict) else "",
            "software": software_versions(),
            **({"basins": json.dumps({str(k): [str(n) for n in v] for k, v in basins.items()},
                                    ensure_ascii=False)}
               if isinstance(basins, Mapping) and all(isinstance(v, list) for v in basins.values()) else {})}


def recorded_model_file(model: Model) -> str:
    """The model file as results record it: a file shipped with daryo by its place in the package
    (``daryo/data/aral/aral.yaml``, the same on every machine, with no user's folder in a file that is shared), any
    other by its full path; "" for a model made in Python."""
    if not model.path:
        return ""
    path, package = Path(model.path).resolve(), Path(__file__).resolve().parent
    return f"daryo/{path.relative_to(package).as_posix()}" if path.is_relative_to(package) else printable_path(path)


def applied_overlays(model: Model) -> str:
    """The scenario overlays applied to ``model``, in order, as results record them: a library overlay by its
    name, an overlay file by its full path (as it was found when it was applied), separated by commas."""
    return ", ".join(overlay_labels(model))


def overlay_labels(model: Model) -> list[str]:
    """The scenario overlays applied to ``model``, in order, each as :func:`applied_overlays` names it."""
    names, files = _overlays_of(model)
    overlay_file = (".yaml", ".yml")  # (anything else is a library scenario's name)
    return [printable_path(file) if Path(str(name)).suffix.lower() in overlay_file else str(name)
            for name, file in zip(names, files, strict=True)]


def _overlays_of(model: Model) -> tuple[list[str], list[str]]:
    """The overlays applied to ``model``, in order: their names as given, and their files as found when applied
    (an older document's metadata, without the files: the names again)."""
    names, files = ([str(x) for x in v] if isinstance(v := model.metadata.get(k), list | tuple) else []
                    for k in ("scenarios", "scenario_files"))  # (a model file's own metadata may hold anything)
    return names, files if len(files) == len(names) else names


@functools.cache
def software_versions() -> str:
    """The versions of the packages a run's numbers come from, as results and stores record them (``software``).

    Returns
    -------
    str
        ``numpy 2.4.0, scipy ..., highspy ..., numba ..., pandas ..., xarray ...``: those installed (read once a
        process: reading the packages' metadata took ~7 % of a small run).
    """
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("numpy", "scipy", "highspy", "numba", "pandas", "xarray"):
        with contextlib.suppress(PackageNotFoundError):
            found.append(f"{name} {version(name)}")
    return ", ".join(found)


def _storage_targets(net: CompiledNetwork, out: SimulationOutput) -> tuple[np.ndarray, np.ndarray] | None:
    """Each reservoir's rule-curve target in each step as the allocation used it (the upper bound of its column
    ``h_r``: :func:`daryo.network.compile.rule_curve_columns`) and what its volume at the step's end fell short of
    it (:func:`shortfall`), both (S, T, R) and NaN for a reservoir without a ``target_volume``; None where no
    reservoir has one."""
    cols = rule_curve_columns(net)
    has = cols >= 0
    if not has.any():
        return None
    return storage_targets(has, out.col_upper[:, :, cols[has]], out.x[:, :, net.res_col])


def energy_targets(net: CompiledNetwork, energy: np.ndarray, t: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The plants' energy targets and what their energy fell short of them, GWh.

    Parameters
    ----------
    net
        The compiled network: its ``hp_energy_target`` ((T, H), the same in every scenario; 0 where a plant has
        none, whose ``hp_energy_col`` is -1).
    energy
        The plants' energy, GWh: a run's (S, T, H), or step ``t``'s (S, H).
    t
        The step of ``energy`` (None: every step).

    Returns
    -------
    tuple of numpy.ndarray
        The targets (a read-only view, broadcast to ``energy``'s shape) and the shortfalls (:func:`shortfall`: none
        up to :data:`SHORTFALL_NOISE`), both 0 for a plant without a target.
    """
    target = np.broadcast_to(net.hp_energy_target if t is None else net.hp_energy_target[t], energy.shape)
    return target, shortfall(target, energy)


def storage_targets(has: np.ndarray, upper: np.ndarray, storage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reservoirs' rule-curve targets and what their end-of-step volumes fell short of them.

    Parameters
    ----------
    has
        Whether each reservoir has a rule curve (R,): ``rule_curve_columns(net) >= 0``.
    upper
        The upper bounds of the rule-curve columns of the reservoirs that have one (``(..., has.sum())``): the
        targets the allocation used.
    storage
        The reservoirs' end-of-step volumes, hm³ (``(..., R)``: a step's (S, R) or a run's (S, T, R)).

    Returns
    -------
    tuple of numpy.ndarray
        The targets and the shortfalls (:func:`shortfall`: none up to :data:`SHORTFALL_NOISE`), both shaped as
        ``storage`` and NaN for a reservoir without a rule curve.
    """
    target = np.full(storage.shape, np.nan)
    target[..., has] = upper
    return target, np.where(has, shortfall(target, storage), np.nan)


def _coordinates(coords: dict[str, tuple]) -> xr.Coordinates:
    """Coordinates from ``{name: (dims, values[, attrs])}``, the dimension coordinates with their indexes made
    here (xarray's default index creation checks for Dask arrays, which imports Dask: 0.2 s on a first run)."""
    arrays = {k: np.asarray(c[1]) for k, c in coords.items()}
    indexes = {k: PandasIndex(pd.Index(arrays[k]), k, coord_dtype=arrays[k].dtype)
               for k, c in coords.items() if c[0] == k}
    variables: dict[str, xr.Variable] = {}
    for k, c in coords.items():
        variable = xr.Variable(c[0], arrays[k], c[2] if len(c) > 2 else None, fastpath=True)
        variables.update(indexes[k].create_variables({k: variable}) if k in indexes else {k: variable})
    return xr.Coordinates(coords=variables, indexes=indexes)


def _system_balance(net: CompiledNetwork, out: SimulationOutput, data: dict) -> np.ndarray:
    x = out.x
    types = np.array(net.node_types)
    supply = x[:, :, net.node_col[types == "inflow"]].sum(axis=2)
    used = data["edge_loss"][1].sum(axis=2) + data["node_loss"][1].sum(axis=2)
    if net.res_ids:
        used = used + (x[:, :, net.res_col] - out.volume_start + out.evaporation).sum(axis=2)
    if net.sink_ids:
        used = used + x[:, :, net.sink_col].sum(axis=2)
    if net.delay_ids:  # water on its way in a delay node counts like storage, entering until it leaves
        used = used + (x[:, :, net.delay_in_col] - _delay_released_volume(net, x)).sum(axis=2)
    if net.demand_ids:
        lost_returns = data["return_flow"][1] * (~net.demand_returns)[None, None, :]
        used = used + data["consumption"][1].sum(axis=2) + lost_returns.sum(axis=2)
    return supply - used


def _delay_released_volume(net: CompiledNetwork, x: np.ndarray) -> np.ndarray:
    """The volume that entered each delay and leaves it at each step (S, T, D): what entered ``steps`` steps
    before (the initial flow before that).  A rate-carrying delay releases that rate for the step's days, which
    differs from the volume when steps differ in length: the system balance shows the difference."""
    out = x[:, :, net.delay_col].copy()
    for d, k in enumerate(net.delay_steps):
        k = int(k)
        if 0 < k < x.shape[1]:
            out[:, k:, d] = x[:, :-k, net.delay_in_col[d]]
    return out


def is_netcdf(path: Path) -> bool:
    """Whether the file ``path`` starts like a NetCDF file (NetCDF-4/HDF5 or classic CDF)."""
    with open(path, "rb") as f:
        head = f.read(8)
    return head.startswith((b"\x89HDF\r\n\x1a\n", b"CDF\x01", b"CDF\x02", b"CDF\x05"))


def netcdf_attributes(path: Path) -> dict[str, Any]:
    """The global attributes of an existing NetCDF file as Python values (empty if it cannot be read as
    NetCDF)."""
    import netCDF4

    try:
        with netCDF4.Dataset(path, "r") as nc:
            return {k: _python(nc.getncattr(k)) for k in nc.ncattrs()}
    except (OSError, ValueError):
        return {}


def _python(value: Any) -> Any:
    """A NetCDF attribute's value as Python's (NumPy scalars read back as ints, floats, strings)."""
    return value.item() if isinstance(value, np.generic) else value


def check_netcdf_target(path: str | Path) -> None:
    """Refuse a NetCDF file name for a run's results whose writing could replace anything but an earlier run's
    results: a name that does not end in ``.nc``, a folder, or an existing file that is not a NetCDF file
    ``daryo run`` wrote (a model file, its input data, anyone's other files).

    Raises
    ------
    ValueError
        If the name does not end in ``.nc`` (or ``.nc4``, ``.netcdf``), or the path is not UTF-8 text (which the
        netCDF library takes only).
    IsADirectoryError, FileExistsError
        If the target exists and is not a run's results.
    """
    p = Path(path)
    if p.name.lower() in NETCDF_SUFFIXES:  # (".nc" is a name with no suffix)
        raise ValueError(f"{p}: give the file a name before its suffix, such as results.nc")
    if p.suffix.lower() not in NETCDF_SUFFIXES:
        raise ValueError(f"{p}: a run's results are written as NetCDF, so the file name must end in .nc (or .nc4, "
                         ".netcdf; an ensemble writes .zarr too: daryo ensemble)")
    refuse_netcdf_unreadable_name(p)
    if p.is_dir():
        raise IsADirectoryError(f"cannot write results to {p}: it is a folder (give a .nc file name)")
    refuse_special_file(p)
    if p.exists() and not (is_netcdf(p) and str(netcdf_attributes(p).get("title", "")).startswith(_TITLE)):
        raise FileExistsError(f"{p} exists and is not the results of a daryo run; it is not replaced: give another "
                              "output name or move it away")
    refuse_write_protected(p)


def _check_csv_targets(paths: list[Path]) -> None:
    """Refuse to replace a file among ``paths`` that is not a CSV file of a run's results."""
    for target in paths:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder, so the result cannot be written there", str(target))
        if target.is_file() and not _is_results_csv(target):
            raise FileExistsError(f"{target} exists and is not a CSV file of a daryo run's results; it is not "
                                  "replaced: give another folder or move it away")
        refuse_write_protected(target)


def check_csv_folder(folder: str | Path) -> None:
    """Refuse, before a run, a CSV folder where a result's file (``<variable>.csv``, whichever variables the run
    will have, and ``variables.csv``) is a folder or a file other than a run's results (IsADirectoryError,
    FileExistsError)."""
    _check_csv_targets([Path(folder) / f"{name}.csv" for name in sorted(VARIABLES)]
                       + [Path(folder) / name for name in _TABLES_CSV])


def _write_table(path: Path, da: xr.DataArray, name: str) -> None:
    """One variable's CSV file: a row per scenario and step (``scenario,time``, then a column per element, or one
    named after the variable), the values to 9 significant digits.

    The file is what pandas writes (``DataFrame.to_csv(float_format="%.9g")``) of the (scenario, time) ×
    element table, written a row at a time with one format for the row: built through xarray's long table and
    formatted value by value, the CSV files of 1,000 scenarios of a 50-node model took 194 s and 4 GB of memory
    (their NetCDF file 3.6 s).  Values that are not plain floats, or missing, are left to pandas."""
    for dim in ("time", "scenario"):  # (a selection of one scenario or step: its scalar coordinate, a dimension)
        if dim not in da.dims:
            da = da.expand_dims(dim)
    da = da.transpose("scenario", "time", ...)
    values = da.values
    columns = [str(c) for c in da[da.dims[2]].values] if da.ndim == 3 else [name]
    table = values.reshape(values.shape[0] * values.shape[1], len(columns))
    times = da["time"].values
    if table.size == 0:  # (no elements, scenarios or steps: the header alone, as before; no element columns)
        header = ["scenario", "time"] if da.ndim == 3 else ["scenario", "time", name]
        path.write_text(_csv_line(header) + os.linesep, encoding="utf-8", newline="")
        return
    if table.dtype.kind != "f" or np.isnan(table).any() or np.any(times != times.astype("datetime64[D]")):
        index = pd.MultiIndex.from_product([da["scenario"].values, times], names=["scenario", "time"])
        pd.DataFrame(table, index=index, columns=columns).to_csv(path, float_format=CSV_FLOAT)
        return
    dates = np.datetime_as_string(times, unit="D")
    row = ",".join([CSV_FLOAT] * len(columns))
    end = os.linesep
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(_csv_line(["scenario", "time", *columns]) + end)
        for i, scenario in enumerate(da["scenario"].values):
            block = table[i * len(dates):(i + 1) * len(dates)]
            first = _csv_line([str(scenario), str(dates[0])]).rsplit(",", 1)[0]  # (quoted as the csv module does)
            f.write("".join(f"{first},{d},{row % tuple(r)}{end}" for d, r in zip(dates, block.tolist(),
                                                                                 strict=True)))


def _csv_line(fields: list[str]) -> str:
    """``fields`` as a line of CSV (without its end), quoted as pandas quotes them: by Python's csv module, with
    minimal quoting and the system's line end, whose rules for a field holding a line break differ by version."""
    text = io.StringIO()
    csv.writer(text, lineterminator=os.linesep).writerow(fields)
    return text.getvalue()[:-len(os.linesep)]


def _other_runs_csv(folder: Path, names: list[str]) -> list[Path]:
    """The CSV files of an earlier run's results in ``folder`` (a variable's name, a results header) that are not
    among ``names`` (this run's)."""
    if not folder.is_dir():
        return []
    return [f for f in folder.glob("*.csv")
            if f.stem in VARIABLES and f.name not in names and f.is_file() and _is_results_csv(f)]


def _remove_other_runs_csv(folder: Path, names: list[str]) -> None:
    """Remove the CSV files of an earlier run's results in ``folder`` that are not among ``names``, just written."""
    for f in _other_runs_csv(folder, names):
        f.unlink()


def _is_results_csv(path: Path) -> bool:
    """Whether ``path`` is a CSV file of a run's results: its header starts with ``scenario,time`` (or, for
    ``variables.csv`` and ``elements.csv``, is that file's)."""
    with open(path, "rb") as f:
        head = f.read(len(_VARIABLES_HEADER))
    return head.startswith(b"scenario,time") or (path.name == VARIABLES_CSV and head == _VARIABLES_HEADER) or (
        path.name == ELEMENTS_CSV and head.startswith(_ELEMENTS_HEADER)) or (
        path.name == STEPS_CSV and head.startswith(_STEPS_HEADER))


class Results:
    """The outcome of a run: a labelled :class:`xarray.Dataset` and ways to save and summarise it."""

    def __init__(self, dataset: xr.Dataset):
        if not isinstance(dataset, xr.Dataset):
            raise TypeError(f"Results takes an xarray Dataset (a run's, as daryo.run returns it in a Results), "
                            f"not {type(dataset).__name__}")
        self.dataset = dataset

    def __repr__(self) -> str:
        d = self.dataset.sizes
        return f"<daryo.Results {self.dataset.attrs.get('model', '')}: {dict(d)}>"

    def to_netcdf(self, path: str | Path) -> Path:
        """Write the Dataset to NetCDF-4; returns the path.  The file is written beside ``path`` under a
        temporary name and renamed, so a failure never leaves half a file or harms an existing one; only an
        earlier run's results are replaced, and missing folders on the way are made (see :meth:`save`)."""
        p = user_path(path, "to_netcdf", "a file")
        self.save(netcdf=p)
        return p

    def to_csv(self, directory: str | Path) -> list[Path]:
        """One CSV per variable: rows (scenario, time), one column per element; ``variables.csv``, their units and
        meaning; ``elements.csv``, each element's coordinates (type, country, an edge's ends…); returns the paths.

        The files are written into a temporary folder inside ``directory`` and then moved into it one by one
        (``os.replace``), so a failure while writing leaves ``directory`` and the files already in it as they
        were, and leaves no temporary folder behind; an earlier run's files of variables this run does not have
        are removed (see :meth:`save`).
        """
        return self.save(csv=user_path(directory, "to_csv", "a folder"))

    def save(self, netcdf: str | Path | None = None, csv: str | Path | None = None) -> list[Path]:
        """Write a NetCDF file and/or a folder of CSV files (see :meth:`to_netcdf`, :meth:`to_csv`); returns the
        CSV paths.

        Everything is written to temporary files first (the NetCDF file's beside it, the CSV files' in a folder
        inside the CSV folder, on its disk), and moved into place only when all of it has been written and no
        target is a folder: a failure leaves every existing file as it was (and no temporary file).  The files
        get the permissions a newly created file gets (``0o666`` less the umask); a replaced NetCDF file keeps its
        own.

        Only an earlier run's results are replaced (:func:`check_netcdf_target`; a CSV file whose header does
        not start with ``scenario,time`` is not replaced either).  The CSV files of an earlier run's variables
        that this run does not have (``storage.csv`` of a model with reservoirs, say) are removed, so that the
        folder holds one run's results.

        A path starting ``~`` is in the user's home folder, as a shell reads it.  Missing folders on the way to
        either target are made (:meth:`pathlib.Path.mkdir` with ``parents=True``).
        The CLI instead refuses, before the run, an output whose folder does not exist, so that a mistyped path
        does not cost a run.

        Raises
        ------
        TypeError
            If a target is not a path.
        ValueError
            If the NetCDF file's name does not end in ``.nc``, or it is the CSV folder.
        FileExistsError, IsADirectoryError
            If a target exists and is not an earlier run's results.
        """
        netcdf = None if netcdf is None else user_path(netcdf, "save", "a file (netcdf=)")
        csv = None if csv is None else user_path(csv, "save", "a folder (csv=)")
        nc_tmp: Path | None = None
        csv_tmp: Path | None = None
        made: Path | None = None  # the CSV folder, where this call makes it (removed again on failure)
        names: list[str] = []
        done = False
        if netcdf is not None:
            check_netcdf_target(netcdf)
        if csv is not None:
            if netcdf is not None and Path(netcdf).resolve() == Path(csv).resolve():
                raise ValueError(f"the NetCDF file and the CSV folder are both {csv}: give them other names")
            _check_csv_targets([Path(csv) / f"{name}.csv" for name in self.dataset.data_vars]
                               + [Path(csv) / name for name in _TABLES_CSV])
            for other in _other_runs_csv(Path(csv), [f"{name}.csv" for name in self.dataset.data_vars]
                                         + list(_TABLES_CSV)):
                refuse_write_protected(other)  # (removed once this run's files are written)
        try:
            if netcdf is not None:
                p = Path(netcdf)
                p.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = temp_beside(p)
                os.close(fd)
                nc_tmp = Path(tmp)
                try:
                    written = netcdf_text(cf_dataset(self.dataset))
                    with interrupts_between() as check:  # (Ctrl-C inside the write left HDF5 locked: a hang)
                        written.to_netcdf(nc_tmp, engine="netcdf4", encoding=netcdf_encoding(written))
                        check()
                except RuntimeError as exc:  # the netCDF library's error for a full disk: "NetCDF: HDF error"
                    raise OSError(f"cannot write {p}: {exc}{free_space_note(p)}") from exc
                os.chmod(nc_tmp, mode_for(p))
            if csv is not None:
                d = Path(csv)
                made = None if d.exists() else d
                try:
                    d.mkdir(parents=True, exist_ok=True)
                    csv_tmp = Path(tempfile.mkdtemp(prefix=".daryo-csv.", dir=d))
                except OSError as exc:
                    raise OSError(exc.errno, f"cannot write CSV files into {d}: {exc.strerror or exc}") from exc
                try:
                    names = self._write_csv(csv_tmp)
                except OSError as exc:  # (a full disk's names no file)
                    raise NamedOSError(exc.errno, f"cannot write CSV files into {d}: {exc.strerror or exc}"
                                       f"{free_space_note(d)}") from exc
            # everything written: move it into place, once every target is known to take a file
            targets = ([Path(csv) / f for f in names] if csv is not None else []) + (
                [Path(netcdf)] if netcdf is not None else [])
            for target in targets:
                if target.is_dir():
                    raise IsADirectoryError(errno.EISDIR, "is a folder, so the result cannot be written there",
                                            str(target))
            if csv is not None and csv_tmp is not None:
                d = Path(csv)
                for f in names:
                    os.replace(csv_tmp / f, d / f)
                _remove_other_runs_csv(d, names)
            if netcdf is not None and nc_tmp is not None:
                os.replace(nc_tmp, write_target(netcdf))
            done = True
        finally:
            if nc_tmp is not None and os.path.exists(nc_tmp):
                os.unlink(nc_tmp)
            if csv_tmp is not None:
                shutil.rmtree(csv_tmp, ignore_errors=True)
            if made is not None and not done:
                with contextlib.suppress(OSError):  # (only if empty)
                    made.rmdir()
        return [Path(csv) / f for f in names] if csv is not None else []

    def _write_csv(self, folder: Path) -> list[str]:
        """Write the CSV files into ``folder``; their names."""
        names = []
        for name, da in self.dataset.data_vars.items():
            _write_table(folder / f"{name}.csv", da, str(name))
            names.append(f"{name}.csv")
        self._variables_table().to_csv(folder / VARIABLES_CSV, index=False)
        self._elements_table().to_csv(folder / ELEMENTS_CSV, index=False)
        self._steps_table().to_csv(folder / STEPS_CSV, index=False, date_format="%Y-%m-%d")
        return [*names, *_TABLES_CSV]

    def _steps_table(self) -> pd.DataFrame:
        """The steps, a row each: its start (``time``) and the coordinates the Dataset gives it along time
        (``days``, ``hydrological_year``, ``season``), to group the variables' rows by."""
        ds = self.dataset
        if "time" in ds.coords and "time" not in ds.dims:  # (a selection of one step: its scalar coordinates)
            ds = ds.expand_dims("time")
            ds = ds.assign_coords({n: ("time", [c.item()]) for n, c in ds.coords.items() if c.dims == ()
                                   and n in ("days", "hydrological_year", "season")})
        table = pd.DataFrame({"time": ds["time"].values if "time" in ds.dims else []})
        for name, coord in ds.coords.items():
            if coord.dims == ("time",) and name != "time":
                table[str(name)] = coord.values
        return table

    def _elements_table(self) -> pd.DataFrame:
        """The elements, a row per element of each dimension (``node``, ``edge``, ``reservoir``…): its dimension, id
        and the coordinates the Dataset gives it, each named without its dimension (``node_type`` is ``type``,
        ``edge_from`` is ``from``); empty where a dimension has no such coordinate."""
        ds = self.dataset
        frames = []
        for dim in (str(d) for d in ds.dims if d not in _NOT_ELEMENTS):
            table = pd.DataFrame({"dimension": dim, "element": [str(v) for v in ds[dim].values]})
            for name, coord in ds.coords.items():
                if str(name).startswith(f"{dim}_") and coord.dims == (dim,):
                    table[str(name)[len(dim) + 1:]] = coord.values.astype(object)  # (an int stays one beside blanks)
            frames.append(table)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["dimension", "element"])

    def _variables_table(self) -> pd.DataFrame:
        """What each CSV file holds, a row per file: its variable, units, description and element dimension."""
        rows = [(str(name), da.attrs.get("units", ""), da.attrs.get("description", ""),
                 str(da.dims[2]) if da.ndim == 3 else "") for name, da in self.dataset.data_vars.items()]
        return pd.DataFrame(rows, columns=["variable", "units", "description", "columns"])

    def summary(self) -> pd.DataFrame:
        """Country table: mean annual demand, delivery and deficit by season, and hydropower energy by season."""
        from .indicators import country_summary

        return country_summary(self.dataset)

