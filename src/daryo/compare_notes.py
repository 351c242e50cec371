"""What to know before reading a comparison (:mod:`daryo.compare`): the notes its tables carry in
``attrs["notes"]``, which ``daryo compare`` prints -- runs of other spans or hydrology, ensembles that do or do not
share their traces, water drawn from storage (of ensembles, beyond its sampling noise), demands that differ (each
deficit is of its own side's demand), percentiles of independent samples, rows only one side has, an overlay whose
years the means dilute."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import percent_text

if TYPE_CHECKING:  # (daryo compare's module imports this one at the command line's start: the libraries when used)
    import pandas as pd
    import xarray as xr

#: the smallest difference a comparison's notes count (daryo compare prints its values to one decimal)
UNCHANGED = 0.05


def run_notes(first: xr.Dataset, second: xr.Dataset, table: pd.DataFrame) -> list[str]:
    """The notes on two runs' comparison ``table`` (:func:`daryo.compare.compare_runs` of ``first`` and ``second``):
    runs of other spans, scenario traces or hydrology; a run that draws more water from its reservoirs (or keeps
    more in them) over the run; demands that differ (:func:`demand_note`); rows only one run has; an overlay that
    changes given run years only; runs of models changed in Python (``model_changed_in_code``), of different model
    files (their ``model_sha256``), or of one whose data files differ (``network_sha256``); or, where their
    ``network_sha256`` are equal, that they computed from the same inputs (their differences are the solver's).  The
    inputs are told apart by their digests and the files' names, not their folders: a rerun from another folder is
    read as one made in place."""
    spans = [_span(ds) for ds in (first, second)]
    notes = []
    if spans[0] != spans[1]:
        notes.append(_spans_note(first, second, table))
    if steps := _steps_note([str(ds.attrs.get("time_step") or "") for ds in (first, second)], "runs"):
        notes.append(steps)
    if note := _changed_in_code_note(first, second):
        notes.append(note)
    digests = [str(ds.attrs.get("model_sha256") or "") for ds in (first, second)]
    if all(digests) and digests[0] != digests[1]:  # (a WEAP user's review: both were labelled by the model's name)
        files = [str(ds.attrs.get("model_file") or "") for ds in (first, second)]
        if files[0] and files[0] == files[1]:  # (a verifier's review: one file, edited between the runs)
            notes.append(f"the model file {files[0]} differs between the runs (edited, or another copy at that "
                         "path): their differences are of its changes as much as of the overlays")
        else:
            notes.append("the runs are of different model files" + (f" ({files[0]} and {files[1]})" if all(files)
                                                                     else "")
                         + ": their differences are of the files' changes as much as of the overlays")
    same = _same_inputs(first.attrs, second.attrs, "network_sha256")  # (what each computed from, by its digest)
    if not same and _without_folders(first.attrs.get("hydrology")) != _without_folders(second.attrs.get("hydrology")):
        # (a reproducibility review: a rerun from another folder, whose overlay reads its CSV there, was said to
        # have different hydrology: the attribute names the files by their full paths)
        notes.append("the runs have different hydrology: their differences are of the water as much as of the "
                     "rules")
    elif spans[0] == spans[1] and (note := _other_inputs(first.attrs, second.attrs)):  # (other spans: other time
        notes.append(note)  # axes)
    if same and spans[0] == spans[1] and not steps:
        notes.append(_same_inputs_note(first.attrs, second.attrs, table, "runs", "network_sha256"))
    if spans[0] == spans[1] and (d := drawn_from_storage(table)):  # (a deal's gain may be water taken from storage;
        # runs of other spans differ in what they have time to refill)
        notes.append(storage_note(d, "run", "their volume at its end less their volume at its start; not a year's"))
    if note := demand_note(table, "runs"):
        notes.append(note)
    notes += _runs_one_sided_rows(first, second, table)
    import numpy as np

    runs = [(str(ds.attrs.get("scenarios") or ""), int(np.unique(ds["hydrological_year"].values).size)
             if "hydrological_year" in ds.coords else 0) for ds in (first, second)]
    starts = {int(str(ds["time"].values[0])[5:7]) for ds in (first, second) if ds.sizes.get("time")}
    if starts - {10}:  # (a run from April: --years N counts twelve months from the start, not hydrological years)
        advice = ("an overlay's years are hydrological years, October to September, and the runs do not both start "
                  "in October: select those months from both runs' results and compare them, in Python "
                  "ds.sel(time=slice(...))")
    else:
        advice = "both run again with --years N, N the last year it changes; years=N in Python"
    return notes + _diluted_years(runs, advice)


def units_of_both(first: str, second: str) -> str:
    """The units of a comparison's row whose two values are in other units (a run shorter than a year's totals
    beside another's mean annual values): ``hm3 in the run (first), hm3 per year (second)``."""
    return f"{first} (first), {second} (second)"


def units_differ(units: pd.Series) -> pd.Series:
    """Whether each row's two values are in other units (its ``units``, :func:`units_of_both`)."""
    return units.astype(str).str.endswith(" (second)")


def _spans_note(first: xr.Dataset, second: xr.Dataset, table: pd.DataFrame) -> str:
    """The note on two runs of different spans or numbers of scenarios, saying what is compared: their mean annual
    values; of two runs shorter than a year, their totals; of one such run and a longer one, not their water and
    energy (its totals and the other's mean annual values, set side by side without a difference: a review, the
    note said their mean annual values were compared while none was), their shares, stresses and reservoirs'
    volumes all the same."""
    from .indicators import coverage

    spans = [_span(ds) for ds in (first, second)]
    other = [spans[0][:2] != spans[1][:2], spans[0][2] != spans[1][2]]
    what = " and ".join(w for w, differ in zip(("cover different spans", f"have different numbers of scenario "
                                                f"traces ({spans[0][2]} and {spans[1][2]})"), other, strict=True)
                        if differ)
    short = [coverage(ds)[0] for ds in (first, second)]
    if not any(short):
        return f"the runs {what}; their mean annual values are compared all the same"
    if all(short):
        return (f"the runs {what}; both are shorter than a year, so their values are their totals (in the run), "
                "compared all the same" + (": a difference is partly of the spans, their lengths and seasons"
                                           if other[0] else ""))
    which, longer = ("first", "second") if short[0] else ("second", "first")
    apart = int(units_differ(table["units"]).sum())
    return (f"the runs {what}, and the {which} is shorter than a year: its water and energy are its totals (hm³ "
            f"and GWh in the run), the {longer}'s mean annual values (per year), so {'their' if apart > 1 else 'its'} "
            f"{_rows(apart)} are set side by side without a difference (–; the units of each name both); shares, "
            "water stresses and reservoirs' volumes are compared all the same.  Run both over one span to compare "
            "their totals, or both over a year or more to compare their mean annual values")


def _runs_one_sided_rows(first: xr.Dataset, second: xr.Dataset, table: pd.DataFrame) -> list[str]:
    """Notes on the rows of two runs' comparison that only one has: of elements only one has (a node an overlay
    adds), and of quantities one run has for elements both have (a season the other does not reach, an energy
    target only one model has), each counted apart (a review: a run of April to September against a year's had
    every row of an element both have, set apart by its units, counted as of "elements only one has")."""
    alone = table[table["first"].isna() | table["second"].isna()]
    if not len(alone):
        return []
    kept = {side: {(kind, element) for kind, element, value in zip(table["table"], table["element"], table[side],
                                                                    strict=True) if value == value}
            for side in ("first", "second")}
    shared = [(kind, element) in kept["first"] and (kind, element) in kept["second"]
              for kind, element in zip(alone["table"], alone["element"], strict=True)]
    elements = alone[[not s for s in shared]]
    notes = []
    if len(elements):
        why = "elements only one has, such as a node an overlay adds"
        if (elements["table"] == "system").any() and not all(ds.attrs.get("basins") for ds in (first, second)):
            why += ("; or river systems named differently: results written before 2026-12-06 do not record the "
                    "model's basins (run them again)")
        notes.append(f"{_rows(len(elements))} only one run has: {why}")
    quantities = alone[shared]
    if len(quantities):
        names = sorted(set(quantities["quantity"]))
        seasonal = any(q.endswith((" winter", " summer")) for q in names)
        reasons = [("a season one run does not reach (winter is October to March, summer April to September)"
                if seasonal else ""),
               ("what one run's model or results have and the other's lack (an energy target or a rule curve an "
                "overlay adds, the water demanded that results of an earlier daryo do not keep)"
                if any(not q.endswith((" winter", " summer")) for q in names) else "")]
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        notes.append(f"{_rows(len(quantities))} of elements both runs have {'are' if len(quantities) > 1 else 'is'} "
                     f"of one run only ({shown}): "
                     + "; or ".join(w for w in reasons if w))
    return notes


def _changed_in_code_note(first: xr.Dataset, second: xr.Dataset) -> str:
    """The note on runs of which one or both are of a model changed in Python after it was read from its file
    (``model_changed_in_code``; their ``model_sha256`` is empty, since the file's digest is not theirs); "" where
    neither is (a researcher's review: such a run was compared as the shipped file's, and a data file blamed)."""
    changed = [str(ds.attrs.get("model_changed_in_code") or "") == "yes" for ds in (first, second)]
    if not any(changed):
        return ""
    which = "both runs' models were" if all(changed) else f"the {'first' if changed[0] else 'second'} run's model was"
    return (f"{which} changed in Python after being read from the model file (model_changed_in_code): their "
            "differences are of those changes as much as of the overlays")


def _steps_note(steps: list[str], what: str) -> str:
    """The note on two runs (or ensembles: ``what``) of different time steps (their ``time_step`` labels; "" where
    one has none or they are the same)."""
    if not all(steps) or steps[0] == steps[1]:  # (a daily model's reviewer: 1-day and 10-day runs compared silently)
        return ""
    shown = ["1 day" if step == "1 days" else "dekads" if step == "dekad" else step for step in steps]
    why = ("N-day steps' years of 360 or 370 days, a month's values other than rates taken by the month a step "
           "starts in"
           if any(step.endswith(" days") for step in steps)
           else "12 monthly amounts per step, not rates, taken by each of a month's dekads")
    return (f"the {what} have different time steps ({shown[0]} and {shown[1]}): their differences are of the steps "
            f"({why}) as much as of the overlays")


def _other_inputs(first: Mapping[str, Any], second: Mapping[str, Any], what: str = "runs",
                  model: str = "model_sha256", network: str = "network_sha256") -> str:
    """A note on two runs (or ensembles: ``what``; their attributes, or :func:`daryo.ensemble.run_of`'s) of one model
    file (its digest, ``model``), of the same overlays (by their names: a rerun from another folder names them by
    other paths) and hydrology, over one span, whose inputs differ all the same (their ``network``, a digest of
    everything a run computed from): a data file the model reads, such as an inflow's CSV, changed between them
    (their ``data_files``' digests differ), or else an overlay of the same name holds other changes (a mapping given
    in Python, which has no file; a sweep review: two such overlays named alike were blamed on a file), or an overlay
    file changed, or another daryo compiled the model; "" where nothing says so, or the runs are of models made in
    Python (no model file to compare).  The model file, the overlays and the data files are compared by what
    identifies them, not by their folders (a reproducibility review: a reader's copy of an overlay with one number
    changed, run in another folder, was compared without a word)."""
    same = (str(first.get(model) or "") == str(second.get(model) or "") and bool(first.get(model))
            and overlay_names(first.get("scenarios")) == overlay_names(second.get("scenarios")))
    digests = [str(run.get(network) or "") for run in (first, second)]
    if not (same and all(digests) and digests[0] != digests[1]):
        return ""
    versions = [str(run.get("daryo") or "?") for run in (first, second)]
    other_daryo = (f", or the daryo that made them (versions {versions[0]} and {versions[1]})"
                   if versions[0] != versions[1] else "")
    files = [_data_file_digests(run.get("data_files")) for run in (first, second)]
    labels = [x.strip() for x in str(first.get("scenarios") or "").split(",") if x.strip()]
    their = "network_sha256" if network == "network_sha256" else f"{network} attribute"
    if None in files or files[0] != files[1] or not labels:  # (an inflow's CSV edited between two runs: no word)
        return (f"the {what} are of the same model file and overlays, yet what they computed from differs (their "
                f"{their}): a data file the model reads, such as an inflow's CSV, or an overlay file changed "
                "between them" + other_daryo + ": their differences are of its changes as much as of the overlays")
    overlay_files = [x for x in labels if Path(x).suffix.lower() in (".yaml", ".yml", ".json")]
    named = [x for x in labels if x not in overlay_files]
    causes = ([f"an overlay of the same name in both holds other changes (of {', '.join(named)}: an overlay given in "
               "Python as a mapping has no file, and results record its name only; give each variant a name of its "
               "own)"] if named else [])
    causes += (["an overlay file of the same name differs (edited, or another file of that name)"] if overlay_files
               else [])
    return (f"the {what} are of the same model file, data files and overlay names, yet what they computed from "
            f"differs (their {their}): " + ", or ".join(causes) + other_daryo
            + ": their differences are of those changes")


def _same_inputs(first: Mapping[str, Any], second: Mapping[str, Any], network: str) -> bool:
    """Whether two runs (or ensembles) computed from the same inputs: their digests of everything they computed
    from (``network``) are recorded and equal, wherever their files were."""
    digests = [str(run.get(network) or "") for run in (first, second)]
    return all(digests) and digests[0] == digests[1]


def _same_inputs_note(first: Mapping[str, Any], second: Mapping[str, Any], table: pd.DataFrame, what: str,
                      digests: str) -> str:
    """The note on two runs (or ensembles: ``what``) that computed from the same inputs, as their ``digests`` say
    (a reproducibility review: a faithful rerun in another folder got no word that it was one): what differs
    between them can be of the daryo or solver that computed them alone, and how many of the ``table``'s rows
    change by :data:`UNCHANGED` or more."""
    made = [f"{label} {first.get(key) or '?'} and {second.get(key) or '?'}"
            for key, label in (("daryo", "daryo"), ("solver_method", "solver methods"))
            if str(first.get(key) or "") != str(second.get(key) or "")]
    changed = int((table["difference"].abs() >= UNCHANGED).sum())  # (NaN, of rows only one has, is not)
    return (f"the {what} computed from the same inputs (their {digests} are equal: the same model, data files and "
            "overlays, wherever their files are): a difference between them is the solver's alone"
            + (f" ({'; '.join(made)})" if made else "")
            + (f", and {_rows(changed)} change{'s' if changed == 1 else ''} by {UNCHANGED:g} or more" if changed
               else f", and none changes by {UNCHANGED:g} or more"))


def overlay_names(scenarios: object) -> list[str]:
    """The overlays a run's or an ensemble's ``scenarios`` attribute names (separated by ``", "``), in order, each
    by the name of its file without its folder (an overlay given as a mapping by its name): a rerun from another
    folder names the same overlays."""
    return [re.split(r"[\\/]", x.strip())[-1] for x in str(scenarios or "").split(",") if x.strip()]


def _data_file_digests(text: object) -> list[tuple[str, str]] | None:
    """A run's data files (its ``data_files``: a line ``SHA256  PATH`` for each, as ``sha256sum`` writes them), as
    their digests and file names without their folders, sorted; None where it records none (an earlier daryo)."""
    if text is None:
        return None
    files = []
    for line in str(text).splitlines():
        digest, _, path = line.lstrip("\\").partition("  ")
        if digest:
            files.append((digest, re.split(r"[\\/]", path)[-1]))
    return sorted(files)


def _without_folders(text: object) -> str:
    """A run's ``hydrology`` with the folders of the files it names left out (``... set by the overlay
    /abs/fcst.yaml to series of its file /abs/fc/vakhsh_in.csv``: ``fcst.yaml``, ``vakhsh_in.csv``), so that a
    rerun from another folder reads the same."""
    return re.sub(r"(?:[A-Za-z]:)?(?:[^\s,;]*[\\/])+(?=[^\s,;\\/])", "", str(text or ""))


def nested_note(nested: Mapping[str, int], first: Mapping[str, Any], second: Mapping[str, Any]) -> str:
    """The note on two ensembles of one seed that hold some of the same traces (``nested``:
    :func:`daryo.compare.nested_traces`' ``{"traces": n, "years": y}``; ``first``, ``second``: their runs): how many
    they share, that their differences are then not those of two independent samples (an actuary's review: they were
    told "two independent samples: their traces differ"), and, for other run lengths, that they include the run
    length's (the first years' warm-up)."""
    n, y = nested["traces"], nested["years"]
    traces, years = (sorted(int(run[k]) for run in (first, second)) for k in ("traces", "years"))
    if years[0] == years[1]:
        shared = (f"share {n} traces (the same seed and years: the first {n} of the {traces[1]} traces of "
                  "the one are those of the other, their trace_digest the same)")
    else:
        of = f"{n} traces" if traces[0] == traces[1] else f"first {n} traces"
        first_years = "the first run year" if y == 1 else f"the first {y} run years"
        shared = (f"share {first_years} of their {of} (the same seed: the {y}-year traces are "
                  f"{first_years.replace(' run ', ' ')} of the {years[1]}-year ones, their annual_inflow the same)")
    text = (f"the ensembles {shared}: their differences are not of two independent samples, though their margins "
            "are taken as if they were (they then overstate the noise of the difference, which comes from the "
            "traces and years one has and the other lacks)")
    if years[0] != years[1]:
        text += (", and include the run length's: where a run's first years differ from its later ones (a "
                 "warm-up), the pooled figures change with --years (daryo summary STORE --year A:B takes a range "
                 "of run years of each, daryo compare --year Y one run year of both)")
    return text + "; give both the same --traces and --years to compare the rules alone, trace-year by trace-year"


def ensemble_notes(table: pd.DataFrame) -> list[str]:
    """The notes on two ensembles' comparison ``table`` (:func:`daryo.compare.compare_ensembles`, whose ``attrs``
    hold both runs, whether they share their traces and the run year compared): whether they share their traces,
    other thresholds, rows only one has, water drawn from storage (beyond its sampling noise, where the table gives
    it: ``se``), demands that differ (:func:`demand_note`), the percentiles of two ensembles of other traces, which
    have no interval and may jump at an atom (``attrs["atoms"]``), an overlay whose years the means dilute; of one
    model file, overlays of the same names and the same seed, traces and years, whether what they computed from
    differs all the same (their ``network``: :func:`_other_inputs`) or is the same, with the same traces
    (``attrs["same_traces"]``), so that their differences are the solver's alone."""
    first, second = table.attrs["first"], table.attrs["second"]
    notes = []
    if first["model"] != second["model"]:
        notes.append(f"the ensembles are of other models ({first['model']}, {second['model']}): their elements are "
                     "compared by name only")
    if table.attrs["paired"] and first["model_text"] == second["model_text"]:
        notes.append("the ensembles share their traces (the same model, seed, traces and years): their differences "
                     "are of the rules and overlays, trace-year by trace-year")
    elif table.attrs["paired"]:
        notes.append("the ensembles share their traces (the same seed, traces and years, and the same inflows in "
                     "every trace): their differences are of the two model files and their overlays, trace-year by "
                     "trace-year")
    elif all(first[k] == second[k] for k in ("seed", "traces", "years")) and table.attrs.get("same_traces") is False:
        notes.append("the ensembles have other traces (the same seed, traces and years, drawn from other inflows: "
                     "their trace_digest differ): their differences include the hydrology's")  # (a reproducibility
        # review: two of overlays of the same names, one of them edited, were said to share their traces)
    elif table.attrs.get("nested"):
        notes.append(nested_note(table.attrs["nested"], first, second))
    elif all(first[k] == second[k] for k in ("seed", "traces", "years")):
        notes.append("the ensembles have other traces (the same seed, traces and years, drawn from other inflows, "
                     "or from stores of a daryo before 2026-12-06's, which keep no digest of their traces): their "
                     "differences include the hydrology's")
    else:
        notes.append("the ensembles have other traces (seed, traces, years or the inflows they are drawn from): their "
                     "differences include the sampling of the hydrology; give both the same --seed, --traces and "
                     "--years to compare the rules alone")
    if note := _steps_note([str(first.get("time_step") or ""), str(second.get("time_step") or "")], "ensembles"):
        notes.append(note)  # (a BWO planner's review: a monthly and a dekad ensemble compared without a word)
    if all(first.get(k) == second.get(k) for k in ("seed", "traces", "years", "start", "time_step")):
        if note := _other_inputs(first, second, "ensembles", "model_text", "network"):  # (a reproducibility
            notes.append(note)  # review: an overlay edited between two ensembles of its path was not told)
        elif table.attrs.get("same_traces") and _same_inputs(first, second, "network"):
            notes.append(_same_inputs_note(first, second, table, "ensembles", "network and trace_digest"))
    starts = [str(run.get("start") or "") for run in (first, second)]  # (YYYY-MM: the 1st; or YYYY-MM-DD)
    days = [s if len(s) > 7 else f"{s}-01" for s in starts]
    if all(starts) and days[0] != days[1]:  # (a diff review; a BWO planner's, of dekads from the 1st and the 21st)
        other = "in other months" if all(d.endswith("-01") for d in days) else "on other days"
        notes.append(f"the ensembles start {other} ({first['start']} and {second['start']}): their run years "
                     "are other twelve-month spans, so a year's statistics, and its winter and summer, are of other "
                     "months")
    if first["threshold"] != second["threshold"]:
        notes.append(f"the deficit thresholds differ ({percent_text(first['threshold'])} and "
                     f"{percent_text(second['threshold'])}): both shares above threshold are taken at the first's, "
                     "from the stored years")
    notes += _one_sided_rows(table)
    if first["years"] == second["years"] and (d := drawn_from_storage(table)):  # (a review: the drawdown a run's
        # comparison notes was not said of ensembles)
        row = _storage_draw_row(table)  # (its noise as daryo.compare_noise.with_noise took it)
        if not bool(row.get("within_noise", False)):  # (a statistician's review: a draw of two seeds' sampling
            # noise, z ≈ −1, was given a physical reason; of the same traces it is the rules'; no standard error: told)
            se, margin = float(row.get("se", float("nan"))), float(row.get("margin95", float("nan")))
            notes.append(storage_note(d, "ensemble", "the mean over the traces of their volume at its end less "
                                      "their volume at its start" + (f"; ± {margin:,.1f} hm³ at 95 %, a standard "
                                                                     f"error of {se:,.1f} by trace" if se == se
                                                                     else "")))
    if note := demand_note(table, "ensembles"):
        notes.append(note)
    if note := _percentile_note(table):
        notes.append(note)
    if table.attrs.get("year") is not None:  # (the statistics of one run year: nothing diluted)
        return notes
    months = {int(str(run.get("start") or "")[5:7] or 10) for run in (first, second)}
    years_are = overlay_years_in_store(months.pop() if len(months) == 1 else 0)
    return notes + _diluted_years([(first["scenarios"], first["years"]), (second["scenarios"], second["years"])],
                                  f"daryo compare A B --year Y, Y counted from 0: {years_are}; year=Y in Python")


def overlay_years_in_store(first_month: int) -> str:
    """How an overlay's run years (hydrological years, October to September, from the run's first) fall in a
    store's years (twelve months each from the run's start, counted from 0), for a run that starts in
    ``first_month`` (0: runs of different starts, one of them not October): from October, year 1 is Y = 0; from
    another month, year 1 (to the first September) is in Y = 0 and year k > 1 spans Y = k − 2 and k − 1 (an
    ensemble user's review: from April, "year 1 is Y = 0" held for year 1 alone)."""
    import calendar

    if first_month == 10:
        return "an overlay's run year 1 is Y = 0"
    start = f"the run starts in {calendar.month_name[first_month]}, so " if first_month else "from a start other " \
        "than October, "
    return (f"{start}an overlay's run year 1, to the first September, is in Y = 0 and its run year k > 1, October to "
            "September, spans Y = k - 2 and k - 1")


#: the rows of a comparison of ensembles that only elements with an energy target or a rule curve have
_TARGET_QUANTITIES = {"target shortfall", "target missed", "energy target", "winter target missed",
                      "below rule curve", "steps below rule curve, mean"}


def _one_sided_rows(table: pd.DataFrame) -> list[str]:
    """Notes on the rows of two ensembles' comparison that only one has: of elements only one has (a node an
    overlay adds or removes), or of quantities one store does not keep for elements both have."""
    import numpy as np

    from .compare import RESERVOIR_TOTALS

    alone = table[table["first"].isna() | table["second"].isna()]
    per_system = (alone["table"] == "country") & alone["element"].str.contains(" ", regex=False)  # ("UZB amu")
    split = alone[per_system]
    alone = alone[~per_system]
    kept = {side: {(kind, element) for kind, element, value in zip(table["table"], table["element"], table[side],
                                                                    strict=True) if value == value}
            for side in ("first", "second")}
    shared = np.array([(kind, element) in kept["first"] and (kind, element) in kept["second"]
                       or (kind == "reservoir" and element in RESERVOIR_TOTALS)  # (the reservoirs' total)
                       for kind, element in zip(alone["table"], alone["element"], strict=True)], dtype=bool)
    notes = []
    if len(split):
        notes.append(f"{_rows(len(split))} of a country per river system (such as {split['element'].iloc[0]!r}) only "
                     "one ensemble has: the other's store was written by a daryo before 2026-12-06's, which kept no "
                     "demand_system, or the country draws on several river systems in one ensemble only (an overlay "
                     "adds its demands on another river)")
    if (~shared).any():  # (rogun-absent's reservoir, say)
        notes.append(f"{_rows(int((~shared).sum()))} only one ensemble has: elements only one has, such as a node an "
                     "overlay adds or removes")
    found = set(alone["quantity"].to_numpy()[shared])
    seasonal = found & {"delivered winter", "delivered summer", "demanded winter", "demanded summer"}
    targets = found & _TARGET_QUANTITIES
    if targets:  # (a Tajik utility planner's review: Rogun's target, of rogun-full only, was "a store of before")
        notes.append(f"{'; '.join(repr(q) for q in sorted(targets))}: of one ensemble only, for elements both have: "
                     "the element has an energy target or a rule curve in one model only (an overlay's), or the "
                     "other's store was written by a daryo before 2026-12-06's, which kept none")
    if found - seasonal - targets:
        quantities = "; ".join(repr(q) for q in sorted(found - seasonal - targets))
        notes.append(f"{quantities}: of one ensemble only, for elements both have: the other's store keeps no storage "
                     "series (--series none) or was written by a daryo before 2026-12-06's, which kept no reservoir "
                     "volumes at the start nor min_volume")
    if seasonal:
        lacking = " nor ".join(f"water {q} by season (annual_winter_{'delivery' if q == 'delivered' else 'demand'})"
                               for q in ("delivered", "demanded") if any(s.startswith(q) for s in seasonal))
        notes.append(f"{'; '.join(repr(q) for q in sorted(seasonal))}: of one ensemble only: the other's store was "
                     f"written by an earlier daryo, which kept no {lacking}")
    return notes


def _storage_change_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of all reservoirs' change of water over the run (of two ensembles, its mean over the traces): the
    total's is the last, as it follows the reservoirs' rows (a reservoir may be named "all")."""
    from .compare import RESERVOIR_TOTALS

    rows = table[(table["table"] == "reservoir") & table["element"].isin(RESERVOIR_TOTALS)]
    return rows[rows["quantity"].isin(("change over the run", "change over the run, mean"))]


def _storage_draw_row(table: pd.DataFrame) -> pd.Series:
    """The row :func:`drawn_from_storage` reads (empty where the table has none)."""
    rows = _storage_change_rows(table)
    return rows.iloc[-1] if len(rows) else pd.Series(dtype=object)


def _percentile_note(table: pd.DataFrame) -> str:
    """The note on a comparison of two ensembles of other traces whose table has percentile rows (p5, p95): they
    have no interval, and jump where many trace-years share one value (``attrs["atoms"]``: the rows found near
    one, :func:`daryo.compare_noise.percentiles_on_atoms`); "" where the ensembles share their traces."""
    if table.attrs.get("paired") or "se" not in table:
        return ""
    percentile = table["quantity"].str.contains(r"\bp\d+\b", regex=True)
    if not percentile.any():
        return ""
    note = ("percentiles (p5, p95) have no interval and are left out of the noise test: those of two independent "
            "samples jump where many trace-years share one value (an atom, such as a reservoir's dead storage or a "
            "demand's zero deficit), as the share at it crosses the percentile")
    atoms = table.attrs.get("atoms") or []
    if not atoms:
        return note
    shown = "; ".join(f"{kind} {element} {quantity}" for kind, element, quantity in atoms[:3])
    more = f" and {len(atoms) - 3} more" if len(atoms) > 3 else ""
    return (f"{note}: {_rows(len(atoms))} {'sit' if len(atoms) > 1 else 'sits'} near one ({shown}{more}), whose "
            "difference may be such a jump; compare the shares at it (at dead storage, share above threshold)")


def demand_note(table: pd.DataFrame, what: str) -> str:
    """The note on two runs' or ensembles' (``what``) comparison ``table`` whose demands' water demanded differs by
    :data:`UNCHANGED` or more (an overlay that scales a demand, say), naming the three that differ most: each
    deficit is of its own run's demand, so that a demand cut shows as a smaller deficit (a seasonal forecaster's
    review: a zone whose demand an overlay cut by a tenth read "better in 46 % of years" while it got less water);
    "" where none differs (an element only one has is told apart)."""
    rows = table[(table["table"] == "demand") & (table["quantity"] == "demanded")]
    rows = rows[rows["difference"].abs() >= UNCHANGED]  # (NaN, an element only one has, is not)
    if not len(rows):
        return ""
    rows = rows.iloc[rows["difference"].abs().to_numpy().argsort(kind="stable")[::-1]]
    units = {"hm3 per year": "hm³/yr", "hm3 in the run": "hm³ in the run"}
    shown = "; ".join(f"{element} {first:,.1f} → {second:,.1f} {units.get(unit, unit)}, {d:+,.1f}"
                      for element, first, second, unit, d in zip(*(rows[c].head(3) for c in (
                          "element", "first", "second", "units", "difference")), strict=True))
    more = f"; {len(rows) - 3} more" if len(rows) > 3 else ""
    deficits = ("each deficit and deficit share" if what == "runs" else "each deficit, deficit share and share above "
                "threshold" + (", and the trace-years a demand is worse or better in," if table.attrs.get("paired")
                               else ""))
    return (f"the demands differ between the {what} ({shown}{more}): {deficits} is taken against its own "
            f"{what.removesuffix('s')}'s demand, so a smaller one may be less water wanted, not more delivered: read "
            "it beside the water delivered")


def storage_note(d: float, what: str, change: str) -> str:
    """The note on the water the second ``what`` (run, ensemble) draws from its reservoirs over the run (``d`` < 0)
    or keeps in them, more than the first: ``change`` says how it is counted."""
    return (f"the second {what} {'draws' if d < 0 else 'keeps'} {abs(d):,.1f} hm³ more {'from' if d < 0 else 'in'} "
            f"its reservoirs than the first over the whole run ({change}): "
            + ("part of what it delivers or passes on comes from storage, which years after the run would have to "
               "refill" if d < 0 else "water held back, not delivered or passed on, in the run"))


def drawn_from_storage(table: pd.DataFrame) -> float:
    """The difference (second − first) of the water all reservoirs gain over the run (of two ensembles, its mean over
    the traces), where it is at least 0.5 % of the larger run's water stored at the start (0.0 otherwise, and
    without reservoirs)."""
    from .compare import RESERVOIR_TOTALS

    change = _storage_change_rows(table)["difference"]
    rows = table[(table["table"] == "reservoir") & table["element"].isin(RESERVOIR_TOTALS)]
    start = rows[rows["quantity"] == "storage at start"][["first", "second"]]
    if not len(change) or not len(start):
        return 0.0
    d = float(change.iloc[-1])  # (the total follows the reservoirs' rows: a reservoir may be named "all")
    return d if abs(d) >= max(UNCHANGED, 0.005 * float(start.max(axis=1).iloc[-1])) else 0.0


def _diluted_years(runs: Sequence[tuple[str, int]], advice: str) -> list[str]:
    """A note where a run's overlays (each run's, as its attributes name them, and its number of run years) change
    some of its run years only (a drought): the means over every year dilute them, which ``advice`` says how to
    avoid.  None for an overlay that changes every year of the run (a drought of three years in a run of three)."""
    from .scenarios import diluting_overlays

    limited = sorted({name for text, years in runs
                      for name in diluting_overlays([n.strip() for n in text.split(",") if n.strip()], years)})
    if not limited:
        return []
    return [f"{', '.join(limited)} change{'s' if len(limited) == 1 else ''} given run years only: the means over "
            f"every year of the runs dilute {'it' if len(limited) == 1 else 'them'}; compare those years alone "
            f"({advice})"]


def _span(ds: xr.Dataset) -> tuple[Any, ...]:
    """A run's first and last day and its number of scenarios: two runs of other spans are compared all the same.
    The last day is its last step's (start and ``days``), so that runs of one span in other steps, months and
    dekads, have the same (a diff review: their last steps' starts differ)."""
    import numpy as np

    time = ds["time"].values
    if not len(time):
        return None, None, ds.sizes["scenario"]
    last = time[-1]
    if "days" in ds.coords:
        last = last + np.timedelta64(int(ds["days"].values[-1]) - 1, "D")
    return time[0], last, ds.sizes["scenario"]


def _rows(n: int) -> str:
    """``n`` rows ("1 row", "3 rows")."""
    return f"{n} row{'' if n == 1 else 's'}"
