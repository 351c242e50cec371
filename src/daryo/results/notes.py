"""The notes printed after a run (``note:`` on standard error): what its results suggest its model does not mean,
though the run is not wrong."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import listed
from ..model import Model, Series
from ..model.series import is_nonzero
from ..model.topology import reached_from
from ..units import is_number
from .dataset import SHORTFALL_NOISE, shortfall


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
    (:func:`daryo.scenarios.years_beyond`), and a named year's hydrology likewise
    (:func:`daryo.scenarios.named_hydrology_beyond`), an
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
    return notes + ([note for note in (_late_start(ds, model), _named_hydrology_note(ds, model)) if note]
                    + _overlay_notes(ds, model) if model is not None else [])


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
        ids = ds[dim].values[(lack > SHORTFALL_NOISE).any(axis=axes)].astype(str)  # (results before 2026-12-04
        # keep the solver's noise in their shortfalls: a diff review)
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
    from ..scenarios.overlay import volume_set_by_user

    own = model.time.start
    kept = [n.id for n in model.nodes if n.type == "reservoir" and not volume_set_by_user(model.origins, n.id)]
    if first == own or not kept:
        return ""
    changed = (" (unless changed in Python since the model was loaded, which the note cannot tell: the model was "
               "changed with dataclasses.replace)") if model.changed_in_code else ""
    return (f"the run starts in {first:%Y-%m}, {'after' if first > own else 'before'} the model's start "
            f"({own:%Y-%m}), and its reservoirs "
            f"({listed(kept, 4)}) start at the model's initial volumes, which are of {own:%Y-%m}{changed}: set "
            f"those of {first:%Y-%m} with an overlay (changes: [set: {{{kept[0]}: {{initial_volume: ...}}}}]), or "
            "run from the model's start")


def _overlay_notes(ds: xr.Dataset, model: Model) -> list[str]:
    """The notes on the overlays applied to ``model``: a drought taken twice, and years the run (``ds``: its
    results, which may be of fewer years than the model: ``RunOptions(years=)``) is too short for."""
    from ..scenarios import compounded_drought, given_year_dates, recorded_overlays, years_beyond

    overlays = recorded_overlays(model.metadata, files=True)
    if not overlays:
        return []
    twice = compounded_drought(_hydrology_kind(model), overlays)
    years = _hydrological_years(ds)
    dates = given_year_dates(overlays, ds["time"].values, years) if "time" in ds.coords else []
    return ([twice] if twice else []) + years_beyond(overlays, _run_years(ds)) + dates


def _named_hydrology_note(ds: xr.Dataset, model: Model) -> str:
    """The note on the named years of the embedded model's hydrology (``--hydrology multiyear``) that the run
    (``ds``: its results) is too short for ("" if none is)."""
    from ..scenarios import named_hydrology_beyond

    return named_hydrology_beyond(_hydrology_kind(model), _run_years(ds))


def _hydrology_kind(model: Model) -> str | None:
    """The hydrology the embedded model was built with (``norm``, ``stochastic``, a named year), None for a model
    file's."""
    hydrology = model.metadata.get("hydrology")
    return str(hydrology.get("kind")) if isinstance(hydrology, dict) else None


def _hydrological_years(ds: xr.Dataset) -> np.ndarray:
    """Each step's hydrological year in a run's results ``ds`` (none without a ``hydrological_year``)."""
    return ds["hydrological_year"].values if "hydrological_year" in ds.coords else np.zeros(0)


def _run_years(ds: xr.Dataset) -> int:
    """The hydrological years a run's results ``ds`` span (0 without a ``hydrological_year``)."""
    years = _hydrological_years(ds)
    return int(years.max() - years[0]) + 1 if len(years) else 0


def _free_sources(ds: xr.Dataset, model: Model | None) -> str:
    """The note on inflows whose supply is the allocation's free choice and that supplied water while water reached
    the sinks ("" if none)."""
    if model is None or "node_flow" not in ds or "sink_inflow" not in ds:
        return ""
    free = [n.id for n in model.nodes if n.type == "inflow" and n.get("inflow") is None
            and _no_cost(n.get("cost")) and n.id in ds["node"].values]
    if not free:
        return ""
    from ..indicators import n_years

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
    steps = int(np.prod([ds["deficit"].sizes[d] for d in others]))  # (each step's noise, summed: a diff review)
    dry = [str(d) for d in ds["demand"].values[(got.values <= 0) & (short.values > SHORTFALL_NOISE * max(steps, 1))]]
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
