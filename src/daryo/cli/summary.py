"""The summary ``daryo run`` prints: mean annual values by country and season, the sinks' inflow, the canals' water, the
run's span."""

from __future__ import annotations

import math
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # (the commands import the API when they run: ``daryo --help`` loads no numerical stack)
    import pandas as pd
    import xarray as xr

    from ..model import Model
    from ..results import Results


def _count(n: float, noun: str) -> str:
    """``n`` and the noun, plural unless ``n`` reads 1 ("1 chunk", "3 chunks"); a fraction with the digits that
    tell it from a whole ("1.001 hydrological years", not "1 hydrological years"), never in exponent form."""
    import numpy as np

    if _is_whole(n):
        text = str(round(n))
    elif not math.isfinite(n):
        text = str(n)
    else:
        whole_digits = len(str(abs(int(n))))
        text = next(t for d in range(3, 17) if float(t := np.format_float_positional(
            n, precision=max(d, whole_digits + 1), unique=False, fractional=False, trim="-")) != round(n) or d == 16)
    return f"{text} {noun}" + ("" if text == "1" else "s")


def _river_lines(ds: Any, short: bool) -> list[str]:
    """The deficit of each country that draws on several river systems, by system (its country row pools them: a
    review of an appraisal, Uzbekistan's Amu losses read diluted by its Syr demands;
    :func:`daryo.results.tables.country_system_table`); none where no country does, or the results have no
    topology.  ``short``: a run shorter than a year, whose totals are shown."""
    from ..results.tables import country_system_table

    table = country_system_table(ds)
    if table.empty:
        return []
    unit = "hm³ in the run" if short else "hm³/yr"
    w = max(len("system"), *(len(str(s)) for s in table.index.get_level_values("system"))) + 2
    lines = ["", f"countries on several river systems, by system ({unit}; deficit share: of the "
             "country's demand on that system):",
             f"  {'country':<9s}{'system':<{w}s}{'demand':>11s}{'delivered':>11s}{'deficit':>11s}{'share':>9s}"]
    for (country, system), row in zip(table.index, table.to_dict("records"), strict=True):
        share = "–" if math.isnan(row["deficit_share"]) else f"{row['deficit_share']:.1f} %"
        lines.append(f"  {country:<9s}{system:<{w}s}{_number(row['demanded'], 11)}"
                     f"{_number(row['delivered'], 11)}{_number(row['deficit'], 11)}{share:>9s}")
    return lines


#: the most scenarios whose figures a run's summary shows one by one (more: the spread of each, in one line)
SCENARIOS_SHOWN = 20


def _scenario_lines(ds: Any, short: bool) -> list[str]:
    """The main figures by scenario (:func:`daryo.indicators.scenario_summary`), as the tables above pool the
    scenarios (a climate-services review: SSP2-4.5 and SSP5-8.5 pooled, Uzbekistan's deficit 748 hm³ where it was
    262 and 1,586): a row each for 2 to :data:`SCENARIOS_SHOWN` scenarios, the least and the most of each figure
    for more (:func:`daryo.results.tables.scenario_table`); none for one scenario.  ``short``: a run shorter than a
    year, whose totals are shown."""
    from ..results.tables import scenario_table

    table = scenario_table(ds)
    if table.empty:
        return []
    n = len(table)
    unit = "hm³ in the run" if short else "hm³/yr"
    if "energy GWh" in table.columns:
        unit += f", {'GWh' if short else 'GWh/yr'} for energy"
    call = "daryo.indicators.scenario_summary(ds)"
    if n > SCENARIOS_SHOWN:
        spread = "; ".join(f"{c.replace(' GWh', '')} {table[c].min():,.1f} to {table[c].max():,.1f}"
                           for c in table.columns if not c.startswith("deficit "))
        return ["", f"spread over the {n} scenarios (least to most; {unit}; each scenario's: {call}): {spread}"]
    w = max(len("scenario"), *(len(str(s)) for s in table.index)) + 2
    heads = [c.replace(" GWh", "") for c in table.columns]
    cw = max(11, *(len(h) + 2 for h in heads))
    lines = ["", f"by scenario (the tables above pool the scenarios; {unit}; {call}):",
             f"  {'scenario':<{w}s}" + "".join(f"{h:>{cw}s}" for h in heads)]
    for name, row in table.iterrows():
        lines.append(f"  {str(name):<{w}s}" + "".join(_number(float(v), cw) for v in row))
    return lines


def _irrigation_lines(ds: Any, short: bool) -> list[str]:
    """Each country's irrigation demands alone: water demanded, delivered and short, and the deficit's share of
    that demand in the year, in winter and in summer (the growing season); none where every demand is irrigation
    (the country table is theirs) or none is.  The country table pools every use: a food-security analyst's review
    read Uzbekistan's irrigation deficit share diluted by its towns' demand, served first
    (:func:`daryo.results.tables.irrigation_table`).  ``short``: a run shorter than a year, whose totals are
    shown."""
    from ..results.tables import irrigation_table

    table = irrigation_table(ds)
    if table.empty:
        return []
    unit = "hm³ in the run" if short else "hm³/yr"
    lines = ["", f"irrigation by country ({unit}; the table above pools every use; share: the deficit's share of "
             f"the country's irrigation demand, in the {'run' if short else 'year'}, in winter and in summer):",
             f"  {'country':<9s}{'demand':>11s}{'delivered':>11s}{'deficit':>11s}{'share':>9s}{'winter':>9s}"
             f"{'summer':>9s}"]

    def share(value: float) -> str:
        return f"{'–':>9s}" if math.isnan(value) else f"{value:>7.1f} %"

    for country, row in zip(table.index, table.to_dict("records"), strict=True):
        lines.append(f"  {country:<9s}{_number(row['demanded'], 11)}{_number(row['delivered'], 11)}"
                     f"{_number(row['deficit'], 11)}{share(row['deficit_share'])}"
                     f"{share(row['winter_deficit_share'])}{share(row['summer_deficit_share'])}")
    return lines


#: how many demands short a run's summary lists, the largest share short first
DEMANDS_SHOWN = 10


def _demand_lines(ds: Any, short: bool, shown: int | None) -> list[str]:
    """The demands short in the run (:func:`daryo.results.tables.demand_table`: water demanded, delivered and short,
    the deficit's share of the demand and the share of the steps it asked for water in that it was short in, the
    largest share first), the first ``shown`` (None: all); none if no demand is short.  The country tables pool a
    country's demands: a large-network modeller's review found no word of which of 336 off-takes were short.
    ``short``: a run shorter than a year, whose totals are shown."""
    from ..results.tables import demand_table

    table = demand_table(ds)
    if table.empty:
        return []
    first = f", the {shown} with the largest share shown" if shown is not None and len(table) > shown else ""
    unit = "hm³ in the run" if short else "hm³/yr"
    lines = ["", f"demands short ({len(table)} of {table.attrs['demands']}{first}; {unit}; share: of its demand; "
             "steps short: of the steps it asked for water in):",
             f"  {'demand':<26s}{'demand':>11s}{'delivered':>11s}{'deficit':>11s}{'share':>9s}{'steps short':>13s}"]
    for name, row in table.iloc[:shown].iterrows():
        lines.append(f"  {padded(str(name), 26)}{_number(row['demanded'], 11)}{_number(row['delivered'], 11)}"
                     f"{_number(row['deficit'], 11)}{row['deficit_share']:>7.1f} %{row['steps_short']:>11.1f} %")
    return lines


def shown_width(text: str) -> int:
    """How many columns ``text`` takes on a terminal, as far as daryo's names go: its zero-width characters (a
    Persian id's zero-width non-joiner, a directional mark) and combining marks (an Arabic vowel sign) take none."""
    return sum(1 for c in text if not (unicodedata.combining(c) or unicodedata.category(c) in ("Cf", "Mn", "Me")))


def padded(text: str, width: int, align: str = "<") -> str:
    """``text`` and the spaces that fill it to ``width`` columns as shown (:func:`shown_width`), not as counted by
    ``len``, after it (``align`` "<") or before it (">"): a demand id written with a zero-width non-joiner (قوش‌تپه,
    Persian spelling) had its row one column left of the others (an Afghan water-ministry planner's review)."""
    fill = " " * max(width - shown_width(text), 0)
    return fill + text if align == ">" else text + fill


def _is_whole(n: float) -> bool:
    """Whether a count (of years, seasons…) is whole, to 1e-9 (the sums of days over year lengths that make it)."""
    return math.isfinite(n) and abs(n - round(n)) < 1e-9


def format_summary(model: Model | None, results: Results, all_demands: bool = False) -> str:
    """The run's summary, as plain text: the tables ``daryo run`` prints.  ``model``: the model run; None: as the
    results record it (``daryo summary RESULTS.nc``: its name, overlays and what its water stress needs, as its
    attributes keep them).  ``all_demands``: list every demand short, not the first :data:`DEMANDS_SHOWN`."""
    from ..indicators import coverage
    from ..results.tables import country_table, sink_table

    ds = results.dataset
    if model is not None:
        name, overlays = model.name, [str(x) for x in model.metadata.get("scenarios") or ()]
    else:
        name, overlays = str(ds.attrs.get("model", "")), [str(ds.attrs.get("scenarios") or "")] * bool(
            ds.attrs.get("scenarios"))
    short, covered = coverage(ds)  # (a run shorter than a year shows its totals)
    values = ("totals over the run, mean over the scenarios; hm³ for water, GWh for energy" if short else
              "mean annual values over the run and scenarios; hm³/yr for water, GWh/yr for energy")
    lines = [f"daryo run: {name} — {ds.sizes['scenario']} scenario(s), "
             f"{_span(ds)}", *([f"scenario overlays (in order): {', '.join(overlays)}"] if overlays else []),
             *([f"hydrology: {ds.attrs['hydrology']}"] if ds.attrs.get("hydrology") else []),
             *(["allocation: cost (one least-cost LP per step: the costs alone allocate; priorities and targets are "
                "not enforced, and a deficit is what the costs chose to leave)"]
               if ds.attrs.get("allocation") == "cost" else []),
             values, "winter = October–March, summer = April–September", *_part_years(ds, covered, short), ""]
    table = country_table(ds)  # (a short run's: a season's total over the seasons covered)
    if not table.empty:
        lines.append(_table(table))
    lines += _scenario_lines(ds, short)
    lines += _irrigation_lines(ds, short)
    lines += _demand_lines(ds, short, None if all_demands else DEMANDS_SHOWN)
    lines += _river_lines(ds, short)
    if "sink_inflow" in ds:
        lines += ["", f"inflow to terminal sinks ({'hm³ in the run' if short else 'hm³/yr'}):"]
        for sink, v in sink_table(ds).items():
            lines.append(f"  {sink:<28s} {_number(v, 12)}")
    lines += _canal_lines(ds, short)
    lines += _requirement_lines(ds, short)
    lines += _plant_lines(ds, short)
    lines += _reservoir_lines(ds, short)
    lines += _constraint_lines(ds)
    lines += _stress_lines(ds, model, short)
    err = float(abs(ds["mass_balance_error"]).max())
    lines += ["", f"largest mass-balance error: {err:.2e} hm³ per step"]
    caveats = caveat_lines(ds)
    return "\n".join(lines + ([""] + caveats if caveats else []))


def caveat_lines(ds: Any) -> list[str]:
    """The lines of the caveats of the model that a run's results or an ensemble's store keep (its attribute
    ``caveats``, the model's ``metadata.caveats``: what its authors say a reader of its results must know); none
    where it has none."""
    caveats = str(ds.attrs.get("caveats") or "").splitlines()
    return ["caveats of the model (its metadata.caveats):", *(f"  - {c}" for c in caveats)] if caveats else []


def _canal_lines(ds: xr.Dataset, short: bool) -> list[str]:
    """Each canal's water taken at its head, lost on its way and passed on to its outlets, and what it takes in
    winter and summer (mean annual, or in the run where it is ``short``, shorter than a year:
    :func:`daryo.results.tables.canal_table`; "–" for a season the run does not reach): what a planner asks of a
    new canal (Qosh Tepa's), which no table said; none without canals."""
    from ..results.tables import canal_table

    table = canal_table(ds)
    if table.empty:
        return []
    unit = "hm³ in the run" if short else "hm³/yr"
    w = max(len("canal"), *(shown_width(str(c)) for c in table.index)) + 2
    lines = ["", f"canals ({unit}; taken: at the head; lost: on the way; passed on: to its outlets, taken − lost; "
             "winter and summer: taken in October–March and April–September):",
             f"  {'canal':<{w}s}{'country':<9s}{'taken':>10s}{'lost':>10s}{'passed on':>11s}{'winter':>10s}"
             f"{'summer':>10s}"]
    for name, row in table.iterrows():
        lines.append(f"  {padded(str(name), w)}{padded(str(row['country']), 9)}{_number(row['taken'], 10)}"
                     f"{_number(row['lost'], 10)}{_number(row['passed_on'], 11)}" + "".join(
                         f"{'–':>10s}" if math.isnan(row[season]) else _number(row[season], 10)
                         for season in ("winter", "summer")))
    return lines


def _requirement_lines(ds: xr.Dataset, short: bool) -> list[str]:
    """Each flow requirement's water required and met (mean annual, or in the run where it is ``short``, shorter
    than a year: :func:`daryo.results.tables.requirement_table`), the part not met, and the share of the steps
    (over the scenarios) it was short in; none without requirements."""
    from ..results.tables import requirement_table

    table = requirement_table(ds)
    if table.empty:
        return []
    unit = "hm³ in the run" if short else "hm³/yr"
    w = max(len("requirement"), *(shown_width(str(r)) for r in table.index)) + 2
    lines = ["", f"flow requirements ({unit}; met: the flow through the node, up to the requirement):",
             f"  {'requirement':<{w}s}{'at':<16s}{'required':>10s}{'met':>10s}{'short':>10s}{'steps short':>13s}"]
    for name, row in table.iterrows():
        lines.append(f"  {padded(str(name), w)}{padded(str(row['at']), 16)}{_number(row['required'], 10)}"
                     f"{_number(row['met'], 10)}{_number(row['short'], 10)}{row['steps_short']:>11.1f} %")
    return lines


def _plant_lines(ds: xr.Dataset, short: bool) -> list[str]:
    """Each hydropower plant's energy in winter and summer, and the part of its energy target not generated (mean
    annual GWh, or in the run where it is ``short``, shorter than a year: :func:`daryo.results.tables.plant_table`'s
    totals; "–" for a plant with no target); none without plants."""
    from ..results.tables import plant_table

    table = plant_table(ds)
    if table.empty:
        return []
    targets = "short_of_target" in table.columns
    head = f"  {'plant':<22s}{'country':<9s}{'winter':>10s}{'summer':>10s}"
    of_target = ("; short of target: the energy target not generated, summed over the steps short of it, not the "
                 "energy a change loses (the winter and summer columns give that)") if targets else ""
    lines = ["", f"hydropower by plant ({'GWh in the run' if short else 'GWh/yr'}; winter = October–March{of_target}):",
             head + (f"{'short of target':>17s}" if targets else "")]
    for plant, row in table.iterrows():
        cells = f"  {plant:<22s}{row['country']:<9s}" + "".join(
            f"{'–':>10s}" if math.isnan(row[season]) else _number(row[season], 10) for season in ("winter", "summer"))
        if targets:
            of = row["short_of_target"]
            cells += f"{'–':>17s}" if math.isnan(of) else _number(of, 17)
        lines.append(cells)
    return lines


def _reservoir_lines(ds: xr.Dataset, short: bool) -> list[str]:
    """Each reservoir's volume at the run's start and end and the change (mean over the scenarios: water taken
    from storage is not new water), and its lowest, at the start or a step's end; where some reservoir evaporates,
    what each evaporated (mean annual, or in the run where it is ``short``, shorter than a year); with rule curves,
    what the volume at the steps' ends lacked of the target (mean over the steps and scenarios) and the share of the
    steps short ("–" for a reservoir with no target): :func:`daryo.results.tables.reservoir_table`; none without
    reservoirs."""
    from ..results.tables import reservoir_table

    table = reservoir_table(ds)
    if table.empty:
        return []
    targets = "short_of_target" in table.columns
    evaporated = "evaporated" in table.columns
    w = max(len("reservoir"), *(shown_width(str(r)) for r in table.index)) + 2
    of_target = ("; short of target: what a step's end volume lacked of the target_volume, mean over the steps and "
                 "scenarios, and the share of the steps short of it") if targets else ""
    lost = (f"; evaporated: {'hm³ in the run' if short else 'hm³/yr'}, mean over the scenarios" if evaporated
            else "")
    columns = ("start", "end", "change", "lowest", *(("evaporated",) if evaporated else ()))
    lines = ["", "reservoir storage (hm³; start and end of the run, mean over the scenarios; lowest: at the start "
             f"or a step's end, in any scenario{lost}{of_target}):",
             f"  {'reservoir':<{w}s}" + "".join(f"{c:>10s}" for c in columns[:4])
             + (f"{'evaporated':>12s}" if evaporated else "")
             + (f"{'short of target':>17s}{'steps short':>13s}" if targets else "")]
    for name, row in table.iterrows():
        cells = f"  {padded(str(name), w)}" + "".join(_number(row[c], 10) for c in columns[:4])
        cells += _number(row["evaporated"], 12) if evaporated else ""
        if targets:
            cells += (f"{'–':>17s}{'–':>13s}" if math.isnan(row["short_of_target"])
                      else f"{_number(row['short_of_target'], 17)}{row['steps_short']:>11.1f} %")
        lines.append(cells)
    return lines


def _constraint_lines(ds: xr.Dataset) -> list[str]:
    """A line for each ``flow_sum`` constraint that binds in some step, at a bound (a quota that may have held
    deliveries back, which the demands' deficits alone do not tell; or one at what its demands want, met in full):
    the steps at its min_flow and at its max_flow, over the scenarios' steps
    (:func:`daryo.results.tables.constraint_table`); none where none binds."""
    from ..results.tables import constraint_table

    table = constraint_table(ds)
    if table.empty:
        return []
    of = int(table["of"].iloc[0])
    over = f", over {ds.sizes['scenario']} scenarios" if ds.sizes.get("scenario", 1) > 1 else ""
    w = max(len("constraint"), *(shown_width(str(c)) for c in table.index)) + 2
    lines = ["", f"constraints binding (flow_sum at a bound, to 1e-6 hm³; steps of {of}{over}; a quota at what its "
                 "demands want binds where they are met in full: read it with their deficits):",
             f"  {'constraint':<{w}s}{'at min_flow':>12s}{'at max_flow':>12s}{'binding':>10s}  nodes"]
    for name, row in table.iterrows():
        lines.append(f"  {padded(str(name), w)}{row['at_min']:>12d}{row['at_max']:>12d}{row['steps_binding']:>8.1f} %"
                     f"  {row['nodes']}")
    return lines


def _stress_lines(ds: xr.Dataset, model: Model | None, short: bool) -> list[str]:
    """The water stress block: each river system's withdrawal, renewable water and environmental requirement (mean
    annual, or in the run where it is ``short``, shorter than a year: :func:`daryo.results.tables.stress_table`'s
    totals) and SDG 6.4.2's ratio of them; none for a network that takes no water, and a note instead where an
    inflow's supply is the allocation's choice (:func:`daryo.results.tables.stress_notes`: of ``model``, or as the
    results record it)."""
    from ..results.tables import stress_notes, stress_table
    from ..sdg import EarlierResultsError

    try:
        table = stress_table(ds, model, check_known=False)  # (where the renewable water is not known: whether any is
        # taken)
    except EarlierResultsError as exc:  # (results of an earlier daryo: a note in its place, the rest printed)
        return ["", stress_not_shown(str(exc).split(": ", 1)[-1])]
    if not (table["withdrawal"] > 0).any():
        return []
    unknown, drawn = stress_notes(ds, model)
    if unknown:  # (a Pywr input: what it supplied is what the allocation took)
        return ["", stress_not_shown(unknown)]
    unit = "hm³ in the run" if short else "hm³/yr"
    rows = ["", f"water stress by river system (SDG 6.4.2's ratio: withdrawal / (renewable − environmental); {unit}):",
            f"  {'system':<20s}{'withdrawal':>12s}{'renewable':>12s}{'environmental':>14s}{'stress':>10s}"]
    for name, r in table.iterrows():
        rows.append(f"  {str(name):<20s}{_number(r['withdrawal'], 12)}{_number(r['renewable'], 12)}"
                    f"{_number(r['environmental'], 14)}{stress_text(r['stress'])}  {r['level']}".rstrip())
    rows.append("  (the model's surface water by river system, not a country's statistics; environmental: the least "
                "water the rivers must keep for the model's flow requirements, with the losses on the way)")
    none_left = table[[math.isinf(v) for v in table["stress"]]]
    if len(none_left):  # (what "none left" means, where a system has it: an SDG methodology review found a system
        # without renewable water or flow requirements told that the requirements take all of its water)
        why = ("the environmental flow requirements take all of the system's renewable water"
               if (none_left["environmental"] > 0).all() else
               "the system's inflows supply no renewable water in the run"
               if (none_left["environmental"] <= 0).all() else
               "the environmental flow requirements take all of the system's renewable water, or it has none")
        rows.append(f"  ({NONE_LEFT}: {why}, so the ratio has no finite value and is critical whatever is withdrawn)")
    if short:  # (a spreadsheet analyst's review: a summer's 104 % read "critical" as if of a year)
        rows.append("  (a run shorter than a year: the ratio of its months alone, which FAO's levels, set for a "
                    "year's withdrawal and water, do not grade as they grade a year's)")
    if not (table["environmental"] > 0).any():
        rows.append(f"  {_no_environmental_flow(ds)}")
    if drawn:  # (a WEAP user's review: a groundwater source hid the whole table)
        rows.append(f"  ({drawn})")
    return rows


def _no_environmental_flow(ds: xr.Dataset) -> str:
    """Why the water stress counts no environmental flow: the model has no flow requirement on a river, or its
    requirements are obligations (``purpose: obligation``: flows owed downstream), which SDG 6.4.2 does not count (a
    Chu-Talas modeller's review: a model whose one requirement was a treaty's share at a border was told it had
    none, "add one")."""
    from ..errors import listed

    instead = "daryo.sdg.water_stress(ds, environmental=0.3) a share of the renewable water"
    purposes = [str(p) for p in ds["requirement_purpose"].values] if "requirement_purpose" in ds.coords else []
    owed = [str(r) for r, p in zip(ds["requirement"].values, purposes, strict=True) if p == "obligation"] \
        if purposes else []
    if not owed:
        return ("no environmental flow: the model has no flow requirement on a river (add one, or give "
                f"{instead})")
    which = f"flow requirement {owed[0]!r} is an obligation" if len(owed) == 1 else \
        f"flow requirements {listed([repr(r) for r in owed], 4)} are obligations"
    all_owed = len(owed) == len(purposes)
    return (f"no environmental flow: the model's {which} (purpose: obligation, a flow owed downstream), not "
            f"{'an environmental flow' if len(owed) == 1 else 'environmental flows'}, and SDG 6.4.2 does not count "
            f"{'it' if len(owed) == 1 else 'them'} as environmental flow; "
            + ("" if all_owed else "its other requirements are on no river; ")
            + f"add a flow requirement of purpose: environmental on a river, or give {instead}")


def stress_not_shown(why: str) -> str:
    """The line that says why a water stress is not shown."""
    return f"water stress (SDG 6.4.2's ratio) not shown: {why}"


#: a water stress where nothing is left of the renewable water after the environmental flows (infinite)
NONE_LEFT = "none left"


def stress_text(stress: float) -> str:
    """A stress in a column of 10: "–" where there is neither water nor withdrawal, "none left" where nothing is
    left after the environmental flows (an Afghan planner's review: "no water" beside 35 km³ of renewable water read
    as a contradiction); one decimal, or more where one would show the bound of a level the stress
    is not on (100.04 %, critical, not "100.0 %": :func:`stress_digits`)."""
    if math.isnan(stress):
        return f"{'–':>10s}"
    if math.isinf(stress):
        return f"{NONE_LEFT:>10s}"
    return f"{stress_digits(stress):>8s} %"


def stress_digits(stress: float) -> str:
    """A finite stress (%) with one decimal, or more where one would show the bound of one of FAO's levels the
    stress is not on: "99.96" (high), "100.04" (critical), not "100.0"; at most four, rounded to the side of the
    bound the stress is on."""
    from ..sdg import STRESS_LEVELS

    bounds = {bound for bound, _ in STRESS_LEVELS}
    for digits in range(1, 5):
        text = f"{stress:.{digits}f}"
        if float(text) not in bounds or float(text) == stress:
            return text
    rounded = (math.floor if float(text) > stress else math.ceil)(stress * 1e4) / 1e4  # (to the side it is on)
    return f"{rounded:.4f}"


def _number(value: float, width: int) -> str:
    """``value`` right-aligned in ``width`` characters with one decimal, or in scientific notation where that
    would not leave a space before it (a model's 1e30 ran its columns together); a value that one decimal shows as
    0.0 but is not 0 with three significant digits (a village's demand of 0.003 hm³ read 0.0, as if it asked for
    nothing: a numerical analyst's review)."""
    text = f"{value:{width}.1f}"
    if value != 0.0 and float(text) == 0.0:
        return f"{value:{width}.3g}"
    return text if text.startswith(" ") else f"{value:{width}.3e}"


def _part_years(ds, covered: dict[str, float], short: bool) -> list[str]:  # type: ignore[no-untyped-def]
    """A line saying what part of hydrological years and seasons the run covers, and how its totals are shown:
    made annual (a longer run), or as they are (``short``: less than a year); none for whole years."""
    import pandas as pd

    if all(_is_whole(v) for v in covered.values()):
        return []
    t = pd.DatetimeIndex(ds["time"].values)
    last = t[-1] + pd.Timedelta(days=float(ds["days"].values[-1]) - 1) if "days" in ds.coords else t[-1]
    how = ("its totals are shown as they are, not made annual" if short else
           "its totals are scaled to whole years and seasons (a part covered counts its share of one; a year is the "
           "sum of its seasons' means)")
    monthly = str(ds.attrs.get("time_step", "month")) == "month"  # (a BWO planner's review: dekads from the 11th)
    first, end = ((f"{t[0]:%B %Y}", f"{last:%B %Y}") if monthly
                  else (f"{t[0].day} {t[0]:%B %Y}", f"{last.day} {last:%B %Y}"))
    return [f"the run, {first} to {end}, covers {_count(covered['year'], 'hydrological year')} "
            f"({_count(covered['winter'], 'winter')}, {_count(covered['summer'], 'summer')}): {how}"]


def _span(ds) -> str:  # type: ignore[no-untyped-def]
    """The run's steps and span: months for monthly steps (``24 steps, 2000-10 to 2002-09``), days for N-day ones
    (``114 steps of 7 days, 2000-04-15 to 2002-06-21``: the last step's last day)."""
    import pandas as pd

    from ..timeaxis import StepKind, dekad_days, step_label_days, step_label_kind

    t = pd.DatetimeIndex(ds["time"].values)
    days = step_label_days(ds.attrs.get("time_step", "month"))
    steps = _count(len(t), "step")
    if step_label_kind(ds.attrs.get("time_step", "month")) is StepKind.DEKAD:
        last = t[-1] + pd.Timedelta(days=float(dekad_days(t[-1:])[0]) - 1)
        return f"{_count(len(t), 'dekad')}, {t[0]:%Y-%m-%d} to {last:%Y-%m-%d}"
    if days is None:
        return f"{steps}, {t[0]:%Y-%m} to {t[-1]:%Y-%m}"
    last = t[-1] + pd.Timedelta(days=days - 1)
    return f"{steps} of {_count(days, 'day')}, {t[0]:%Y-%m-%d} to {last:%Y-%m-%d}"


def _table(frame: pd.DataFrame) -> str:
    """The country table: a column pair (winter, summer) per quantity the frame has; a season the run does not
    reach shows "–"."""
    f = frame.copy()
    f.columns = [c.replace(" GWh", "") for c in f.columns]
    groups = [("demand", "demanded"), ("delivered", "delivery"), ("deficit", "deficit"), ("energy GWh", "energy")]
    shown = [(g, key) for g, key in groups if f"{key} winter" in f.columns or f"{key} summer" in f.columns]
    rows = [f"{'country':<8s}" + "".join(f"{g:>22s}" for g, _ in shown),
            f"{'':<8s}" + "".join(f"{'winter':>11s}{'summer':>11s}" for _ in shown)]

    def cell(row: pd.Series, column: str) -> str:
        return _number(row[column], 11) if column in row.index else f"{'–':>11s}"

    for country, row in f.iterrows():
        rows.append(f"{country:<8s}" + "".join(cell(row, f"{key} winter") + cell(row, f"{key} summer")
                                               for _, key in shown))
    return "\n".join(rows)
