"""The command line, tested in-process through daryo.cli.main."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

import daryo
import daryo.basins.aral
from daryo import ModelError, demo_model_path
from daryo.cli import main

DEMO = str(demo_model_path())


def test_run_default_is_the_aral_basin(capsys):
    assert main(["run", "--years", "2"]) == 0
    out = capsys.readouterr().out
    assert "daryo run: aral-sea-basin — 1 scenario(s), 24 steps, 2000-10 to 2002-09" in out
    for country in ("AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"):
        assert f"\n{country} " in out
    assert "inflow to terminal sinks" in out and "north_aral" in out and "south_aral" in out
    assert "largest mass-balance error" in out
    assert "scaled to whole years" not in out  # (whole hydrological years: nothing is scaled)
    # the model's caveats, after the summary (a user review: the North Aral's 6.7 km³/yr was printed without one)
    caveats = out[out.index("caveats of the model (its metadata.caveats):"):].splitlines()
    assert len(caveats) == 7 and caveats[1].startswith("  - The model over-supplies the North Aral: its baseline")
    assert "11.1 km3 ICWC planned by 1 April 2024 [F44]" in caveats[2]  # (a review: the winter regime's harm)
    assert caveats[6].startswith("  - The months of the Amu Darya's shortages follow from the model's rules")
    assert caveats[4].startswith("  - The Syr Darya's water stress (SDG 6.4.2) is on the line between high and")
    assert caveats[5].startswith("  - Winter hydropower energy is slightly high and summer energy low")


def test_the_run_header_gives_the_days_of_n_day_steps(tmp_path, capsys):
    """A run of 7-day steps from 15 April said "2000-04 to 2002-06", as if it were of months (a units audit)."""
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: weekly\ntime: {start: 2000-04-15, end: 2002-06-20, step: {days: 7}}\nnodes:\n"
        "  - {id: a, type: inflow, inflow: 30 m3/s}\n  - {id: sea, type: sink}\nedges: [[a, sea]]\n")
    assert main(["run", str(tmp_path / "m.yaml")]) == 0
    assert "1 scenario(s), 114 steps of 7 days, 2000-04-15 to 2002-06-21" in capsys.readouterr().out
    one_day = "{start: 2000-04-15, end: 2000-04-15, step: {days: 1}}"  # ("1 steps of 1 days": a review)
    (tmp_path / "one.yaml").write_text((tmp_path / "m.yaml").read_text().replace(
        "{start: 2000-04-15, end: 2002-06-20, step: {days: 7}}", one_day))
    assert main(["run", str(tmp_path / "one.yaml")]) == 0
    assert "1 scenario(s), 1 step of 1 day, 2000-04-15 to 2000-04-15" in capsys.readouterr().out
    # the line on the years covered ends where the header does, with the last step's last day (a review: "the run,
    # January 2000 to December 2001" under a header ending 2002-01-04)
    (tmp_path / "new_year.yaml").write_text((tmp_path / "m.yaml").read_text().replace(
        "start: 2000-04-15, end: 2002-06-20", "start: 2000-01-01, end: 2001-12-29"))
    assert main(["run", str(tmp_path / "new_year.yaml")]) == 0
    out = capsys.readouterr().out
    assert "105 steps of 7 days, 2000-01-01 to 2002-01-04" in out
    assert "the run, 1 January 2000 to 4 January 2002," in out  # (days: its steps are not months)


def test_a_dekad_model_runs_from_the_command_line(tmp_path, capsys):
    """The dekads brief: ``daryo run`` of a model of dekads says its steps are dekads, to the last one's last day,
    and writes results labelled so, whose volumes are each dekad's (30 m3/s: 2.592 hm³ a day)."""
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: dekads\ntime: {start: 2001-01, end: 2001-12, step: dekad}\nnodes:\n"
        "  - {id: a, type: inflow, inflow: 30 m3/s}\n  - {id: sea, type: sink}\nedges: [[a, sea]]\n")
    assert main(["run", str(tmp_path / "m.yaml"), "-o", str(tmp_path / "out.nc")]) == 0
    assert "1 scenario(s), 36 dekads, 2001-01-01 to 2001-12-31" in capsys.readouterr().out
    with xr.open_dataset(tmp_path / "out.nc") as ds:
        assert ds.attrs["time_step"] == "dekad" and ds.sizes["time"] == 36
        assert float(ds.sink_inflow.sum()) == pytest.approx(365 * 2.592)


def test_the_water_stress_block_prints_no_nan_and_says_when_the_renewable_water_is_not_known(tmp_path, capsys):
    """A review: a river whose requirement exceeded its water printed "nan %", and made the "all" row infinite;
    a Pywr input's supply is what the allocation takes, so its river read 100 % critical."""
    model = tmp_path / "two.yaml"
    model.write_text("version: 1\nname: two\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                     "  - {id: dry, type: inflow, inflow: 10}\n  - {id: lake, type: sink}\n"
                     "  - {id: keep, type: flow_requirement, at: lake, flow: 20}\n"
                     "  - {id: wet, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: 5}\n"
                     "  - {id: sea, type: sink}\nedges: [[dry, lake], [wet, town], [wet, sea]]\n")
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("water stress by river system"):].splitlines()[2:5]
    assert [row.split()[:3] + row.split()[-3:] for row in rows] == [
        ["system", "of", "dry", "120.0", "120.0", "–"], ["system", "of", "wet", "50.0", "%", "medium"],
        ["all", "60.0", "240.0", "50.0", "%", "medium"]], rows  # (the dry river's requirement: at most its water)
    model.write_text(model.read_text().replace("{id: wet, type: inflow, inflow: 10}",
                                               "{id: wet, type: inflow, max_flow: 10, cost: -1}"))
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    assert ("\nwater stress (SDG 6.4.2's ratio) not shown: inflow wet supplies what the allocation takes between "
            "min_flow and max_flow, not a given inflow, so the renewable water is not known (wet's supply would count "
            "as far as it was drawn were its water to meet that of an inflow with a series, as a return flow of what "
            "it feeds to the river; or give it a series, its recharge)\n") in out


def test_the_water_stress_block_says_what_its_figures_are_and_where_no_environmental_flow_is_counted(tmp_path,
                                                                                                     capsys):
    """A review (an SDG statistician): the block gave no word that its figures are the model's surface water by
    river system, and a model without flow requirements (a converted Pywr model) showed 0 environmental flow as
    if that were a finding."""
    model = tmp_path / "one.yaml"
    model.write_text("version: 1\nname: one\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                     "  - {id: wet, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: 5}\n"
                     "  - {id: sea, type: sink}\nedges: [[wet, town], [wet, sea]]\n")
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("water stress by river system"):].splitlines()
    assert rows[3:5] == [
        "  (the model's surface water by river system, not a country's statistics; environmental: the least water "
        "the rivers must keep for the model's flow requirements, with the losses on the way)",
        "  no environmental flow: the model has no flow requirement on a river (add one, or give "
        "daryo.sdg.water_stress(ds, environmental=0.3) a share of the renewable water)"]
    model.write_text(model.read_text().replace("edges:", "  - {id: keep, type: flow_requirement, at: sea, flow: 1}\n"
                                                         "edges:"))
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("water stress by river system"):].splitlines()
    assert rows[3].startswith("  (the model's surface water") and not rows[4].strip()


def test_a_model_whose_flow_requirements_are_obligations_is_told_so_not_that_it_has_none(tmp_path, capsys):
    """A Chu-Talas modeller's review: a model whose one flow requirement was a treaty's share at a border
    (``purpose: obligation``, which SDG 6.4.2 does not count as environmental flow) was told "the model has no flow
    requirement on a river (add one…)"."""
    model = tmp_path / "one.yaml"
    text = ("version: 1\nname: one\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
            "  - {id: wet, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: 5}\n"
            "  - {id: border, type: junction}\n  - {id: sea, type: sink}\n"
            "  - {id: share, type: flow_requirement, at: border, flow: 2, purpose: obligation}\n"
            "edges: [[wet, town], [wet, border], [border, sea]]\n")
    model.write_text(text)
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("water stress by river system"):].splitlines()
    assert rows[4] == (
        "  no environmental flow: the model's flow requirement 'share' is an obligation (purpose: obligation, a flow "
        "owed downstream), not an environmental flow, and SDG 6.4.2 does not count it as environmental flow; add a "
        "flow requirement of purpose: environmental on a river, or give daryo.sdg.water_stress(ds, "
        "environmental=0.3) a share of the renewable water")
    model.write_text(text.replace("edges:", "  - {id: share2, type: flow_requirement, at: border, flow: 1, "
                                            "purpose: obligation}\nedges:"))
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    assert "the model's flow requirements 'share', 'share2' are obligations (purpose: obligation, a flow owed " \
           "downstream), not environmental flows, and SDG 6.4.2 does not count them as environmental flow; add" in out
    model.write_text(text.replace("purpose: obligation", "purpose: environmental"))
    assert main(["run", str(model)]) == 0
    assert "no environmental flow" not in capsys.readouterr().out


def test_the_run_says_how_much_of_each_flow_requirement_was_met(tmp_path, capsys):
    """A review (a new basin's modeller): an environmental flow met in 48 % of some months showed nowhere in the
    summary.  Here 10 a month come in, a demand of priority 1 takes 8, and the sea's requirement of priority 2
    asks 5 in January–June and 1 in the other months: it gets 2 a month, so 12 + 6 of 30 + 6, short in 6 of the
    12 months."""
    model = tmp_path / "eflow.yaml"
    model.write_text("version: 1\nname: eflow\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                     "  - {id: wet, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: 8}\n"
                     "  - {id: sea, type: sink}\n"
                     "  - {id: keep, type: flow_requirement, at: sea, priority: 2, "
                     "flow: {monthly: [5, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1, 1]}}\n"
                     "edges: [[wet, town], [wet, sea]]\n")
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("flow requirements (hm³/yr; met: the flow through the node, up to the requirement):"):
               ].splitlines()
    assert rows[1].split() == ["requirement", "at", "required", "met", "short", "steps", "short"]
    assert rows[2].split() == ["keep", "sea", "36.0", "18.0", "18.0", "50.0", "%"]
    assert not rows[3].strip()


def test_the_run_says_what_it_took_from_its_reservoirs(tmp_path, capsys):
    """A dam of 80 gives a farm of 12 from an inflow of 10 a month: it ends the year at 56, 24 lower, its lowest;
    water taken from storage is not new water, and the summary said nothing of it."""
    model = tmp_path / "dam.yaml"
    model.write_text("version: 1\nname: dam\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                     "  - {id: river, type: inflow, inflow: 10}\n"
                     "  - {id: dam, type: reservoir, max_volume: 100, initial_volume: 80}\n"
                     "  - {id: farm, type: demand, demand: 12}\n  - {id: sea, type: sink}\n"
                     "edges: [[river, dam], [dam, farm], [dam, sea]]\n")
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("reservoir storage (hm³; start and end of the run, mean over the scenarios; lowest: at the "
                         "start or a step's end, in any scenario):"):].splitlines()
    assert rows[1].split() == ["reservoir", "start", "end", "change", "lowest"]
    assert rows[2].split() == ["dam", "80.0", "56.0", "-24.0", "56.0"]
    assert not rows[3].strip()


def test_the_run_says_what_each_reservoir_evaporated(tmp_path, capsys):
    """A Chu-Talas modeller's review: a level table's areas in ha, read as km², evaporated a hundred times the water,
    and no table of the run said how much a reservoir lost.  A dam of 2 km² at every level, 500 mm a month::

        [river: 10] --> <dam: V0 = 80, area 2 km², 500 mm> --> [farm: 12]
        pond (no evaporation)

    loses 500 mm × 2 km² = 1 hm³ a month, 12 hm³ in the year (3 in a run of three months); the pond nothing.  A
    model whose reservoirs do not evaporate has no such column."""
    model = tmp_path / "dam.yaml"
    text = ("version: 1\nname: dam\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
            "  - {id: river, type: inflow, inflow: 10}\n"
            "  - {id: dam, type: reservoir, max_volume: 200, initial_volume: 80, evaporation: 500,\n"
            "     level_table: {volume: [0, 200], level: [0, 100], area: [2, 2]}}\n"
            "  - {id: pond, type: reservoir, max_volume: 100, initial_volume: 10}\n"
            "  - {id: farm, type: demand, demand: 12}\n  - {id: sea, type: sink}\n"
            "edges: [[river, dam], [dam, farm], [dam, sea]]\n")
    heading = ("reservoir storage (hm³; start and end of the run, mean over the scenarios; lowest: at the start or a "
               "step's end, in any scenario; evaporated: UNIT, mean over the scenarios):")
    for end, unit, lost, volume in (("2001-09", "hm³/yr", "12.0", "44.0"), ("2000-12", "hm³ in the run", "3.0",
                                                                              "71.0")):
        model.write_text(text.replace("2001-09", end))
        assert main(["run", str(model)]) == 0
        out = capsys.readouterr().out
        rows = out[out.index(heading.replace("UNIT", unit)):].splitlines()
        assert rows[1].split() == ["reservoir", "start", "end", "change", "lowest", "evaporated"]
        assert rows[2].split() == ["dam", "80.0", volume, f"{float(volume) - 80:.1f}", volume, lost]
        assert rows[3].split() == ["pond", "10.0", "10.0", "0.0", "10.0", "0.0"]
    model.write_text(text.replace("evaporation: 500", "evaporation: 0"))
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    assert "evaporated" not in out and "reservoir  " in out


def test_the_run_says_how_far_each_reservoir_ended_below_its_rule_curve(tmp_path, capsys):
    """A MODSIM user's review: `daryo run` said nothing of storage targets, where it gives each plant's energy target
    not generated.  A dam of 50 with 30 flowing in and a town of 40 ahead of its rule curve of 80 ends the months at
    40, 30 and 20 (targets 80, 20, 10): 40 short in the first, 0 after, 13.3 hm³ on the mean and one month in three;
    a reservoir without a rule curve shows "–"."""
    model = tmp_path / "dam.yaml"
    model.write_text("version: 1\nname: dam\ntime: {start: 2001-01, end: 2001-03}\nnodes:\n"
                     "  - {id: river, type: inflow, inflow: 30}\n"
                     "  - {id: dam, type: reservoir, max_volume: 100, initial_volume: 50, target_priority: 2,\n"
                     "     target_volume: [80, 20, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]}\n"
                     "  - {id: pond, type: reservoir, max_volume: 100, initial_volume: 10}\n"
                     "  - {id: town, type: demand, demand: 40, priority: 1}\n"
                     "edges: [[river, dam], [dam, town], [river, pond]]\n")
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("reservoir storage (hm³; start and end of the run, mean over the scenarios; lowest: at the "
                         "start or a step's end, in any scenario; short of target: what a step's end volume lacked "
                         "of the target_volume, mean over the steps and scenarios, and the share of the steps short "
                         "of it):"):].splitlines()
    assert rows[1].split() == ["reservoir", "start", "end", "change", "lowest", "short", "of", "target", "steps",
                               "short"]
    assert rows[2].split() == ["dam", "50.0", "20.0", "-30.0", "20.0", "13.3", "33.3", "%"]
    assert rows[3].split() == ["pond", "10.0", "10.0", "0.0", "10.0", "–", "–"]


@pytest.mark.parametrize(("stress", "text"), [
    (12.34, "12.3 %"), (99.96, "99.96 %"), (100.04, "100.04 %"), (100.0, "100.0 %"), (25.0, "25.0 %"),
    (24.999, "24.999 %"), (99.999999, "99.9999 %"), (100.0000001, "100.0001 %"), (float("inf"), "none left")])
def test_a_stress_is_never_shown_as_the_bound_of_a_level_it_is_not_on(stress, text):
    """A review: 100.04 % (critical) and 99.96 % (high) were both shown as "100.0 %"."""
    from daryo.cli.summary import stress_text

    assert stress_text(stress).strip() == text and len(stress_text(stress)) == 10


def test_a_stress_with_nothing_left_after_the_environmental_flows_says_so(tmp_path, capsys):
    """An Afghan planner's review: a flow requirement above the river's whole water printed the river's stress as
    "no water" beside its renewable water (35 km³), and daryo compare showed "inf": it reads "none left", and a
    note says what that is."""
    model = tmp_path / "m.yaml"
    model.write_text("version: 1\nname: m\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                     "  - {id: wet, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: 5, priority: 1}\n"
                     "  - {id: keep, type: flow_requirement, at: sea, flow: 20, priority: 2}\n"
                     "  - {id: sea, type: sink}\nedges: [[wet, town], [wet, sea]]\n")
    assert main(["run", str(model), "-o", str(tmp_path / "a.nc")]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("water stress by river system"):].splitlines()
    assert rows[2].split()[-3:] == ["none", "left", "critical"], rows
    assert ("  (none left: the environmental flow requirements take all of the system's renewable water, so the ratio "
            "has no finite value and is critical whatever is withdrawn)") in rows
    assert main(["run", str(model), "-o", str(tmp_path / "b.nc")]) == 0
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "a.nc"), str(tmp_path / "b.nc"), "--all"]) == 0
    out = capsys.readouterr().out
    stress = [row for row in out.splitlines() if "stress" in row and "none left" in row]
    assert stress and not re.search(r"\binf\b", out), out


def test_a_system_without_renewable_water_is_not_told_its_flow_requirements_take_it(tmp_path, capsys):
    """An SDG methodology review: a system whose inflows supply nothing (its demand fed from storage), without a flow
    requirement, was told "the environmental flow requirements take all of the system's renewable water", and on
    the next line that it has no flow requirement."""
    rows = _stress_block(tmp_path, capsys, "  - {id: up, type: inflow, inflow: 0}\n"
                         "  - {id: res, type: reservoir, max_volume: 500, initial_volume: 400}\n"
                         "  - {id: farm, type: demand, demand: 10, priority: 1}\n  - {id: lake, type: sink}\n"
                         "edges: [[up, res], [res, farm], [res, lake]]\n")
    assert rows[2].split()[-3:] == ["none", "left", "critical"], rows
    assert ("  (none left: the system's inflows supply no renewable water in the run, so the ratio has no finite "
            "value and is critical whatever is withdrawn)") in rows
    assert not any("flow requirements take" in row for row in rows)


def _stress_block(tmp_path: Path, capsys, nodes_and_edges: str) -> list[str]:
    """The lines of ``daryo run``'s water stress block for a one-year model of ``nodes_and_edges`` (YAML lines)."""
    model = tmp_path / "m.yaml"
    model.write_text("version: 1\nname: m\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n" + nodes_and_edges)
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    return out[out.index("water stress by river system"):].splitlines()


def test_a_named_years_hydrology_longer_than_the_run_says_which_years_are_left_out(capsys):
    """A CLI review: ``daryo run --hydrology multiyear --years 1`` dropped years 2 and 3 of the named sequence without
    a word, where the overlay drought-multiyear with --years 1 notes "years 2 and 3 of it are left out"; so did the
    Python API's advice.  A run as long as the sequence has no note."""
    import daryo
    from daryo.basins.aral import load_aral_model
    from daryo.results import advice

    assert main(["run", "--years", "1", "--hydrology", "multiyear"]) == 0
    assert capsys.readouterr().err == ("note: the hydrology multiyear (--hydrology) sets run years 1 to 3, and the "
                                       "run has 1 hydrological year: years 2 and 3 of it are left out\n")
    assert main(["run", "--years", "1", "--hydrology", "2000-2001"]) == 0
    assert capsys.readouterr().err == ("note: the hydrology 2000-2001 (--hydrology) sets run years 1 and 2, and the "
                                       "run has 1 hydrological year: year 2 of it is left out\n")
    model = load_aral_model(hydrology="multiyear", years=3)
    assert advice(daryo.run(model, daryo.RunOptions(years=2)).dataset, model) == [
        "the hydrology multiyear (--hydrology) sets run years 1 to 3, and the run has 2 hydrological years: year 3 "
        "of it is left out"]
    assert advice(daryo.run(model).dataset, model) == []


def test_the_run_header_names_the_hydrology_and_warns_of_a_drought_taken_twice(capsys):
    assert main(["run", "--years", "1", "--hydrology", "2021"]) == 0
    captured = capsys.readouterr()
    assert "\nhydrology: kind 2021, traces 1, seed 0\n" in captured.out and not captured.err
    assert main(["run", "--years", "1", "--hydrology", "2021", "--scenario", "drought-2021"]) == 0
    note = ("the hydrology 2021 (--hydrology) starts the run with its named year(s), and drought-2021 multiplies the "
            "first years' inflows by a named year's factors again: drier than any year on record; for the drought on "
            "its own, leave out --hydrology (the norm; hydrology=\"norm\" in Python)")
    dates = ("drought-2021 changes run year 1: 2000-10 to 2001-09, hydrological year 2001 of the results (each "
             "labelled by the year it ends in): the run's dates, not those of the years on record whose factors it "
             "takes")  # (a data officer's review: a chart by year read a drought as the record's year)
    assert capsys.readouterr().err == f"note: {note}\nnote: {dates}\n"
    assert main(["run", "--years", "1", "--scenario", "drought-2021", "--scenario", "qosh-tepa-10"]) == 0
    assert capsys.readouterr().err == f"note: {dates}\n"
    # the Python API gives the same note (a review: it was the command line's alone)
    from daryo.basins.aral import load_aral_model
    from daryo.results import advice

    model = load_aral_model(scenarios=["drought-2021"], hydrology="2021", years=1)
    assert advice(daryo.run(model).dataset, model) == [note, dates]


def test_run_demo_file_prints_summary(capsys):
    assert main(["run", DEMO, "--scenarios", "1", "--years", "2"]) == 0
    out = capsys.readouterr().out
    assert "daryo run: demo-basin — 1 scenario(s), 24 steps" in out
    assert "UZB" in out and "KGZ" in out and "lake" in out
    # the water stress of its one river system, as daryo.sdg.water_stress gives it
    from daryo.sdg import water_stress

    lines = out.splitlines()
    head = lines.index("water stress by river system (SDG 6.4.2's ratio: withdrawal / (renewable − environmental); "
                       "hm³/yr):")
    assert lines[head + 2].startswith("  system of upper_river ") and lines[head + 2].endswith(" %  medium")
    cells = [float(c) for c in lines[head + 2].split()[3:7]]
    model = daryo.load(DEMO).with_time(years=2)
    (row,) = water_stress(daryo.run(model, daryo.RunOptions(scenarios=1)).dataset).itertuples()
    assert cells == pytest.approx([row.withdrawal, row.renewable, row.environmental, row.stress], abs=0.051)
    assert 50 < row.stress < 75 and lines[head + 3].startswith("  (the model's surface water")  # (one system)


def test_a_run_of_summer_months_shows_its_summer_and_no_winter(tmp_path, capsys):
    text = Path(DEMO).read_text(encoding="utf-8")
    start = text.index("time:")
    line = text[start: text.index("\n", start)]
    model = tmp_path / "summer.yaml"
    model.write_text(text.replace(line, "time: {start: 2001-04, end: 2001-06, step: month}"), encoding="utf-8")
    for csv in Path(DEMO).parent.glob("*.csv"):
        (tmp_path / csv.name).write_bytes(csv.read_bytes())
    assert main(["run", str(model), "--scenarios", "1"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("UZB "))
    cells = row.split()[1:]
    assert len(cells) == 8 and cells[0::2] == ["–"] * 4  # winter: no value; summer: the values
    assert float(cells[1]) > 0 and float(cells[3]) > 0
    # April–June: 91 of the summer's 183 days, 91 of the hydrological year's 365 (2000-10 to 2001-09)
    assert ("the run, April 2001 to June 2001, covers 0.249 hydrological years (0 winters, 0.497 summers): its "
            "totals are shown as they are, not made annual") in out
    # (a user review: a run of less than a year showed its totals scaled to whole seasons, which described no
    # real one): the totals of the three months, as the results hold them
    assert "totals over the run, mean over the scenarios; hm³ for water, GWh for energy" in out
    ds = daryo.run(daryo.load(model), daryo.RunOptions(scenarios=1)).dataset
    uzb = ds.demand_country == "UZB"
    assert float(cells[1]) == pytest.approx(float(ds.demanded.where(uzb).sum()), abs=0.06)
    assert float(cells[3]) == pytest.approx(float(ds.delivery.where(uzb).sum()), abs=0.06)
    lake = next(line for line in out.splitlines() if line.strip().startswith("lake"))
    assert "inflow to terminal sinks (hm³ in the run):" in out
    assert float(lake.split()[1]) == pytest.approx(float(ds.sink_inflow.sel(sink="lake").sum()), abs=0.06)


def test_the_summary_tells_a_calendar_year_from_a_hydrological_one(tmp_path, capsys):
    """January to December 2004 is parts of two hydrological years: 274/366 of 2003–04 (a leap year) and 92/365
    of 2004–05, 1.0007 years; its winter months 91/183 + 92/182 = 1.0028 winters; its summer one whole.  The line
    said "covers 1 hydrological years (1 winters, 1 summers)", as if the run were a whole one."""
    model = tmp_path / "calendar.yaml"
    model.write_text("version: 1\nname: calendar\ntime: {start: 2004-01, end: 2004-12}\nnodes:\n"
                     "  - {id: src, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: 3}\n"
                     "  - {id: sea, type: sink}\nedges:\n  - [src, town]\n  - [src, sea]\n", encoding="utf-8")
    assert main(["run", str(model)]) == 0
    assert ("the run, January 2004 to December 2004, covers 1.001 hydrological years (1.003 winters, 1 summer): "
            "its totals are scaled") in capsys.readouterr().out
    # 2003 covers 0.9993 hydrological years (2003-04 is a leap year), and is a year too: annual means, not totals
    # (a review found it printed as a run shorter than a year)
    model.write_text(model.read_text(encoding="utf-8").replace("2004-01, end: 2004-12", "2003-01, end: 2003-12"),
                     encoding="utf-8")
    assert main(["run", str(model)]) == 0
    out = capsys.readouterr().out
    assert "covers 0.999 hydrological years" in out and "its totals are scaled to whole years" in out
    assert "mean annual values over the run and scenarios; hm³/yr" in out

@pytest.mark.parametrize(("n", "text"), [(3, "3 chunks"), (1, "1 chunk"), (1.0007, "1.001 chunks"),
                                         (0.249, "0.249 chunks"), (1234.25, "1234.2 chunks"),
                                         (0.0001, "0.0001 chunks"), (float("nan"), "nan chunks")])
def test_a_count_shows_a_fraction_without_an_exponent(n, text):
    """A review found "1.23e+03 hydrological years" for 1234.25 and a ValueError for NaN."""
    from daryo.cli.summary import _count

    assert _count(n, "chunk") == text


def test_the_summary_table_keeps_its_columns_apart_for_huge_numbers(tmp_path, capsys):
    """A demand of 1e12 hm³ a month printed 6000000000000.0 and ran into the next column."""
    model = tmp_path / "huge.yaml"
    model.write_text("version: 1\nname: huge\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                     "  - {id: src, type: inflow, inflow: 5.0e11}\n"
                     "  - {id: town, type: demand, demand: 1.0e12, country: UZB}\n  - {id: sea, type: sink}\n"
                     "edges: [[src, town], [src, sea]]\n")
    assert main(["run", str(model)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("UZB "))
    cells = row.split()[1:]
    assert len(cells) == 6 and all(re.fullmatch(r"\d\.\d{3}e\+\d\d|0\.0", c) for c in cells), row


@pytest.mark.parametrize("argv, usage", [
    (["scenarios", "foo"], "usage: daryo scenarios [-h]\n"),
    (["run", "--bogus"], "usage: daryo run [-h] [-o OUTPUT]"),
    (["info", DEMO, "extra"], "usage: daryo info [-h] [--nodes] [--node ID] [--confine] [model]\n"),  # (validate:
    # several)
])
def test_an_unknown_argument_is_shown_with_its_commands_usage(argv, usage, capsys):
    """argparse showed the top-level usage ("daryo [-h] COMMAND ...") for a command's unknown argument."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(usage), err
    assert f"daryo {argv[0]}: error: unrecognized arguments: {argv[-1]}\n" in err


@pytest.mark.parametrize("argv, said", [
    (["ensemble", "--traces", "50", "--years", "2", "--trace", "3", "-o", "x.nc"],
     "unrecognized arguments: --trace (did you mean --traces? options are not abbreviated)"),
    (["ensemble", "--see", "2", "--traces", "1", "--years", "1", "-o", "x.nc"],
     "unrecognized arguments: --see (did you mean --seed? options are not abbreviated)"),
    (["run", DEMO, "--yeras", "3"], "unrecognized arguments: --yeras 3 (did you mean --years?)"),
    (["ensemble", "--trace", "5", "--years", "1", "-o", "x.nc"],  # (a docs review: said only that --traces is
     "unrecognized arguments: --trace (did you mean --traces? options are not abbreviated)"),  # required)
    (["run", DEMO, "--bogus"], "unrecognized arguments: --bogus\n"),
    (["run", "--scenario", "20"], "--scenario 20: a scenario overlay is a name from `daryo scenarios` or an overlay "
     "file (.yaml or .json); for 20 traces, use --scenarios 20 --hydrology stochastic"),
    (["ensemble", "--scenario", "5", "--traces", "3", "--years", "1", "-o", "x.nc"], "for 5 traces, use --traces 5"),
])
def test_options_are_not_abbreviated_and_a_near_miss_is_named(argv, said, capsys, tmp_path, monkeypatch):
    """A user review: ``--trace 3`` beside ``--traces 50`` ran 3 traces without a word (argparse takes an
    abbreviation), ``--see 2`` set the seed; and ``--scenario 20`` (meant for ``--scenarios``) was looked up as an
    overlay."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said.replace("\\n", "\n") in err, err


@pytest.mark.parametrize("command", ["run", "ensemble"])
def test_the_help_says_which_method_is_the_default_and_what_run_csv_writes(command, capsys):
    """A CLI review: ``--method``'s help, "auto or fast (...; the default)", read as if both were the default; and
    ``daryo run --csv``'s help did not name summary.csv, which it writes."""
    assert main([command, "--help"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "how each step's LPs are solved: auto (the default) or fast (the vectorised fast path where it applies, " \
           "else the plain path), or plain (" in said
    if command == "run":
        assert ("and summary.csv, every table printed (by country, scenario, irrigation, demand short, country on "
                "several river systems, sink, canal, flow requirement, plant, reservoir and river system) as one long "
                "table") in said


@pytest.mark.parametrize("argv, said", [
    (["ensemble", "--scenarios", "5", "--years", "1", "-o", "x.nc"],
     "unrecognized arguments: --scenarios (did you mean --traces? daryo ensemble's traces are daryo run's "
     "--scenarios)"),
    (["ensemble", "--scenarios=5", "--traces", "2", "--years", "1", "-o", "x.nc"], "--scenarios=5 (did you mean "
     "--traces? daryo ensemble's traces are daryo run's --scenarios)"),
    (["run", DEMO, "--traces", "5"], "unrecognized arguments: --traces 5 (did you mean --scenarios? daryo run's "
     "scenario traces are daryo ensemble's --traces)"),
    (["run", DEMO, "--trace", "5"], "--trace 5 (did you mean --scenarios? daryo run's scenario traces are daryo "
     "ensemble's --traces)"),
    (["ensemble", "--scen", "5", "--years", "1", "-o", "x.nc"],  # (the start of its own option: that one)
     "--scen (did you mean --scenario? options are not abbreviated)"),
])
def test_the_number_of_traces_given_by_the_other_commands_option_is_told_its_own(argv, said, capsys, tmp_path,
                                                                                 monkeypatch):
    """A CLI review: ``daryo ensemble --scenarios 5`` (daryo run's number of traces) was told "did you mean
    --scenario?", an overlay, and ``daryo run --traces 5`` (daryo ensemble's) had no hint."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert said in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_the_run_of_the_qosh_tepa_canal_says_what_it_takes_loses_and_passes_on_by_season(tmp_path, capsys):
    """An Afghan water-ministry planner's review: no table of daryo run said how much the Qosh Tepa canal takes, how
    much is lost on the way, and in which season.  A year of the embedded model with qosh-tepa-10: the canal takes
    ~9,985 hm³ (its header: 10 km³ less June's cap), 1,400 of it in winter (14 % of the Afghan pattern in
    October–March), loses 25 % on the way and passes on the rest; summary.csv has the same rows."""
    import pandas as pd

    assert main(["run", "--scenario", "qosh-tepa-10", "--years", "1", "--csv", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.index("inflow to terminal sinks (hm³/yr):") < out.index("\ncanals (hm³/yr; taken: at the head; ")
    block = out[out.index("\ncanals (") + 1:].split("\n\n")[0].splitlines()
    assert block[1].split() == ["canal", "country", "taken", "lost", "passed", "on", "winter", "summer"]
    rows = {line.split()[0]: line.split()[1:] for line in block[2:]}
    assert {"qosh_tepa_canal", "karakum_canal"} <= set(rows)
    country, *numbers = rows["qosh_tepa_canal"]
    taken, lost, passed_on, winter, summer = map(float, numbers)
    assert country == "AFG" and 9900 < taken < 10000 and winter == 1400.0
    assert lost == pytest.approx(0.25 * taken, abs=0.1) and taken == pytest.approx(lost + passed_on, abs=0.1)
    assert taken == pytest.approx(winter + summer, abs=0.1)
    summary = pd.read_csv(tmp_path / "summary.csv", keep_default_na=False)
    canal = summary[(summary["table"] == "canal") & (summary["element"] == "qosh_tepa_canal")]
    assert list(zip(canal["quantity"], canal["season"], strict=True)) == [
        ("taken", "year"), ("lost", "year"), ("passed_on", "year"), ("taken", "winter"), ("taken", "summer")]
    assert [f"{v:.1f}" for v in canal["value"]] == numbers and set(canal["country"]) == {"AFG"}


def test_scenarios_listed_and_combined(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "qosh-tepa-10" in out and "climate-2050" in out and "energy-mode" in out
    assert "at most one of each group" in out.splitlines()[0]
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()[2:]}  # name: group
    assert rows["rogun-full"] == rows["rogun-absent"] == "rogun" and rows["icwc"] == rows["energy-mode"] == "regime"
    assert main(["run", "--scenario", "qosh-tepa-10", "--scenario", "climate-2050", "--years", "1"]) == 0
    assert "scenario overlays (in order): qosh-tepa-10, climate-2050\n" in capsys.readouterr().out
    # --scenarios (how many traces) given an overlay's name (a review): the flag meant is named
    assert main(["run", "--scenarios", "qosh-tepa-10"]) == 2
    assert capsys.readouterr().err.endswith(
        "argument --scenarios: invalid number of scenario traces: 'qosh-tepa-10'; to apply the scenario overlay "
        "'qosh-tepa-10', use --scenario qosh-tepa-10\n")
    assert main(["run", "--scenario", "no-such-scenario", "--years", "1"]) == 1
    assert "unknown scenario; use one of the embedded Aral Sea basin model's library: climate-2050" \
        in capsys.readouterr().err
    assert main(["run", "--scenario", "climate2050", "--years", "1"]) == 1
    assert "unknown scenario (did you mean 'climate-2050'?); use one of the embedded" in capsys.readouterr().err


def test_an_unknown_scenario_of_another_model_is_not_told_to_use_the_aral_models_library(capsys, tmp_path):
    """For the demo model, `--scenario foo` listed the Aral model's scenarios as if they were its own (a user
    review); the message says whose they are and that any model takes an overlay file."""
    assert main(["run", str(demo_model_path()), "--scenario", "foo", "--years", "1"]) == 1
    err = capsys.readouterr().err
    assert "scenario 'foo': unknown scenario; use one of the embedded Aral Sea basin model's library: climate-2050" \
        in err and "or, for any model, a path to an overlay file (.yaml or .json)" in err, err
    assert err.startswith("1 problem in the scenarios asked for:\n"), err  # (not "in the model": no file is at fault)
    (tmp_path / "bad.yaml").write_text("changes:\n  - scale_demands: {factor: -1}\n")  # (its own problem, too)
    assert main(["run", str(demo_model_path()), "--scenario", str(tmp_path / "bad.yaml"), "--years", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("1 problem in the scenarios asked for:\n"), err
    assert main(["run", str(demo_model_path()), "--scenario", "missing.yaml", "--years", "1"]) == 1
    assert capsys.readouterr().err.startswith("1 problem in the scenarios asked for:\n  - missing.yaml: scenario file "
                                              "not found")


def test_a_file_run_for_more_years_than_it_has_takes_its_overlays_over_the_run(one_year_and_a_dry_second, capsys):
    """The overlay halves the second year of a one-year file run for two years: (12 × 10 + 12 × 5) / 2 = 90 hm³
    a year reach the sea (it used to fail: the overlay had made 12 values per step of the file's one year)."""
    path, dry = one_year_and_a_dry_second
    run = ["run", path, "--scenario", dry, "--years"]
    assert main([*run, "2"]) == 0
    assert re.search(r"sea +90\.0\n", capsys.readouterr().out)
    assert main([*run, "300"]) == 2
    assert "--years 300: 300 years from 2000-10-01 run past 2261-12-31" in capsys.readouterr().err


def test_stochastic_hydrology_needs_its_flag(capsys):
    assert main(["run", "--scenarios", "3", "--years", "1"]) == 2
    assert "needs --hydrology stochastic" in capsys.readouterr().err
    assert main(["run", "--hydrology", "stochastic", "--scenarios", "0", "--years", "1"]) == 2
    assert "--scenarios 0: must be at least 1" in capsys.readouterr().err
    assert main(["run", "--hydrology", "stochastic", "--scenarios", "2", "--years", "1", "--seed", "-1"]) == 2
    assert "--seed -1" in capsys.readouterr().err
    assert main(["run", "--hydrology", "stochastic", "--scenarios", "2", "--years", "1", "--seed", "3"]) == 0
    assert "2 scenario(s)" in capsys.readouterr().out


def test_a_seed_that_would_be_ignored_is_a_usage_error(capsys):
    """--seed draws the embedded model's stochastic traces: with a model file or another hydrology it did
    nothing, without a word."""
    assert main(["run", DEMO, "--years", "1", "--seed", "5"]) == 2
    assert "--seed applies to the embedded model only" in capsys.readouterr().err
    assert main(["run", "--years", "1", "--seed", "5"]) == 2
    assert "--seed needs --hydrology stochastic (the norm hydrology has no random draws)" in capsys.readouterr().err


def test_an_empty_hydrology_is_a_usage_error(capsys):
    """--hydrology '' ran the norm hydrology, and with a model file was ignored (a QA pass)."""
    assert main(["run", "--years", "1", "--hydrology", ""]) == 2
    assert "--hydrology '': use one of norm, stochastic" in capsys.readouterr().err
    assert main(["run", DEMO, "--years", "1", "--hydrology", ""]) == 2
    assert "--hydrology applies to the embedded model only" in capsys.readouterr().err


def test_run_writes_netcdf_and_csv(tmp_path, capsys):
    nc, csv = tmp_path / "r.nc", tmp_path / "csv"
    assert main(["run", DEMO, "--scenarios", "2", "--years", "1", "-o", str(nc), "--csv", f"{csv}/"]) == 0
    assert f"CSV files written to {csv}/\n" in capsys.readouterr().out  # (it was csv//)
    ds = xr.open_dataset(nc, engine="netcdf4")
    assert ds.sizes["scenario"] == 2 and ds.sizes["time"] == 12
    assert ds["storage"].attrs["units"] == "hm3"
    frame = pd.read_csv(csv / "delivery.csv", index_col=[0, 1])
    assert list(frame.columns) == ["city", "valley_irrigation", "delta_irrigation"]
    assert frame.shape[0] == 24
    assert float(frame["city"].iloc[0]) == pytest.approx(float(ds["delivery"].isel(scenario=0, time=0)
                                                               .sel(demand="city")))


def test_unwritable_csv_folder_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "csv"
    blocker.write_text("a file where the CSV folder should go")
    assert main(["run", DEMO, "--scenarios", "1", "--years", "1", "--csv", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("daryo: error:") and str(blocker) in err and "Traceback" not in err
    assert blocker.read_text() == "a file where the CSV folder should go"


def test_validate_strict_takes_notes_as_problems_for_ci(tmp_path, capsys):
    """A team's review: notes (what a valid model may not mean, such as an unlimited source) never changed the exit
    code, so a CI job could not fail on one.  With --strict a note is a problem: exit 1, said once after them; a
    model without notes passes; of several files, how many have notes."""
    noted = tmp_path / "noted.yaml"
    noted.write_text("version: 1\nname: t\ntime: {start: 2001-01, end: 2001-03}\nnodes:\n  - {id: src, type: inflow}\n"
                     "  - {id: d, type: demand, demand: 5}\n  - {id: sea, type: sink}\nedges: [[src, d], [src, sea]]\n")
    clean = tmp_path / "clean.yaml"
    clean.write_text(noted.read_text().replace("{id: src, type: inflow}", "{id: src, type: inflow, inflow: 10}"))
    assert main(["validate", str(noted)]) == 0
    assert "no inflow or max_flow" in capsys.readouterr().err
    assert main(["validate", str(noted), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "no inflow or max_flow" in err and err.endswith("daryo: error: 1 note above, which --strict takes as "
                                                           "problems\n")
    assert main(["validate", str(clean), "--strict"]) == 0 and capsys.readouterr().err == ""
    assert main(["validate", str(clean), str(noted), str(noted), "--strict"]) == 1
    captured = capsys.readouterr()
    assert "3 of 3 model files valid" in captured.out
    assert captured.err.endswith("daryo: error: 2 of the 3 model files have notes, which --strict takes as "
                                 "problems\n")


def test_validate_json_gives_each_files_problems_with_their_lines_and_its_notes(tmp_path, capsys):
    """A team keeping a model in git: a CI job or an editor had to parse daryo validate's lines of text to mark a
    problem's line.  ``--json`` prints one document: each file's problems (file, place, line, message) and notes,
    whether it is valid, and the exit code as without it (--strict: notes fail)."""
    import json

    noted = tmp_path / "noted.yaml"
    noted.write_text("version: 1\nname: t\ntime: {start: 2001-01, end: 2001-03}\nnodes:\n  - {id: src, type: inflow}\n"
                     "  - {id: d, type: demand, demand: 5}\n  - {id: sea, type: sink}\nedges: [[src, d], [src, sea]]\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(noted.read_text().replace("demand: 5}", "demand: -5}").replace("[src, sea]", "[src, nowhere]"))
    assert main(["validate", str(noted), str(bad), "--json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert captured.err == "" and doc["valid"] is False and doc["strict"] is False
    first, second = doc["files"]
    assert first["file"] == str(noted) and first["valid"] is True and first["problems"] == []
    assert (first["model"], first["nodes"], first["edges"], first["scenario_traces"]) == ("t", 3, 2, 1)
    assert len(first["notes"]) == 1 and "no inflow or max_flow" in first["notes"][0]
    assert second["file"] == str(bad) and second["valid"] is False and second["notes"] == []
    assert {p["line"] for p in second["problems"]} == {6, 8} and all(p["file"] == str(bad) for p in second["problems"])
    assert any("nowhere" in p["message"] for p in second["problems"])
    assert any(p["place"].startswith("nodes[d].demand") for p in second["problems"])
    assert main(["validate", str(noted), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main(["validate", str(noted), "--json", "--strict"]) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False


def test_info_of_a_node_gives_its_attributes_and_the_full_references_of_its_source(capsys):
    """A journal's review: a reader quoting Toktogul's capacity had to open aral.yaml and the model card's
    bibliography; daryo info --node gives the plant's attributes, its source text and each reference it cites, from
    the sources.md beside the embedded model."""
    assert main(["info", "--node", "toktogul_hpp"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("node toktogul_hpp: hydropower, KGZ") and "\n  capacity " in out and " MW\n" in out
    assert "source: 1,200 MW as built, 1,440 MW after the 2025 rehabilitation [F18]" in out
    assert "\nreferences:\n  F18. Fergana Media (2025), Toktogul reconstruction completed, 1,440 MW." in out
    example = Path(__file__).parents[2] / "docs" / "examples" / "pywr_model.json"
    assert main(["info", str(example), "--node", "town"]) == 0  # (a parameter's value: it printed a repr)
    assert "  demand                parameter town.max_flow\n" in capsys.readouterr().out
    assert main(["info", "--node", "toktogul_hp"]) == 1
    err = capsys.readouterr().err
    assert "the model aral-sea-basin has no node 'toktogul_hp' (did you mean 'toktogul_hpp'?)" in err


def test_info_of_a_node_gives_months_totals_as_an_amount_a_month(tmp_path, capsys):
    """A units auditor's review: ``{monthly: [31, 28, …], unit: hm3/month}`` was printed "31, 28, … hm³/step a
    month"; months' totals are hm³ (or GWh, or mm of evaporation) a month, an amount per step hm³/step."""
    (tmp_path / "m.yaml").write_text(
        "version: 1\ntime: {start: 2001-01, end: 2001-12}\nnodes:\n"
        "  - {id: src, type: inflow, inflow: {monthly: [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], "
        "unit: hm3/month}}\n"
        "  - {id: dam, type: reservoir, max_volume: 100, level_table: {volume: [0, 100], area: [0, 10]}, "
        "evaporation: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\n"
        "  - {id: town, type: demand, demand: {monthly: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2], unit: hm3}}\n"
        "  - {id: sea, type: sink}\nedges: [[src, dam], [dam, town], [dam, sea]]\n")
    assert main(["info", str(tmp_path / "m.yaml"), "--node", "src"]) == 0
    assert ("  inflow    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 hm³ a month (12 monthly values, January "
            "first)\n") in capsys.readouterr().out
    assert main(["info", str(tmp_path / "m.yaml"), "--node", "dam"]) == 0
    assert "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 mm a month (12 monthly values" in capsys.readouterr().out
    assert main(["info", str(tmp_path / "m.yaml"), "--node", "town"]) == 0  # (amounts per step, as written)
    assert "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2 hm³/step (12 monthly values" in capsys.readouterr().out


def test_validate_and_info(capsys):
    assert main(["validate", DEMO]) == 0
    assert "valid (12 nodes, 10 edges, 5 scenario trace(s))" in capsys.readouterr().out
    assert main(["info", DEMO]) == 0
    out = capsys.readouterr().out
    assert "reservoir" in out and "countries: KAZ, KGZ, UZB" in out and "360 monthly steps" in out
    assert main(["info"]) == 0
    assert "countries: AFG, KAZ, KGZ, TJK, TKM, UZB" in capsys.readouterr().out
    # every node, in the model's order (a review: a new user found no list of the nodes)
    assert main(["info", DEMO, "--nodes"]) == 0
    rows = capsys.readouterr().out.split("\n\n", 1)[1].splitlines()
    model = daryo.load(DEMO)
    assert rows[0].split() == ["id", "type", "country", "name"] and len(rows) == 1 + len(model.nodes)
    first = model.nodes[0]
    assert rows[1].split()[:3] == [first.id, first.type, first.country]


def test_info_counts_the_spill_edges_a_run_adds(tmp_path, capsys):
    """A technical editor's review: ``daryo info`` said "edges: 98" for the embedded model, whose results have 106
    edges: the 8 others are the spill edges that reservoirs' ``spill_to`` adds.  Here one of two reservoirs spills::

        river --> dam --> town        dam ~~spill~~> sea        river --> pond --> town
    """
    text = ("version: 1\nname: spills\ntime: {start: 2001-01, end: 2001-02, step: month}\nnodes:\n"
            "  - {id: river, type: inflow, inflow: 60}\n"
            "  - {id: dam, type: reservoir, max_volume: 100, initial_volume: 50, spill_to: sea}\n"
            "  - {id: pond, type: reservoir, max_volume: 30, initial_volume: 5}\n"
            "  - {id: town, type: demand, demand: 10}\n  - {id: sea, type: sink}\n"
            "edges: [[river, dam], [dam, town], [river, pond], [pond, town]]\n")
    (tmp_path / "m.yaml").write_text(text)
    assert main(["info", str(tmp_path / "m.yaml")]) == 0
    assert "\nedges: 4 (and 1 spill edge that a reservoir's spill_to adds, in a run's results too: 5 in all)\n" in (
        capsys.readouterr().out)
    assert daryo.run(daryo.load(tmp_path / "m.yaml")).dataset.sizes["edge"] == 5
    (tmp_path / "m.yaml").write_text(text.replace(", spill_to: sea", ""))
    assert main(["info", str(tmp_path / "m.yaml")]) == 0
    assert "\nedges: 4\n" in capsys.readouterr().out
    assert main(["info"]) == 0
    assert "\nedges: 98 (and 8 spill edges that reservoirs' spill_to adds, in a run's results too: 106 in all)\n" in (
        capsys.readouterr().out)


def test_invalid_model_exit_1_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nnodes: [\n")
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "malformed YAML" in err and "bad.yaml" in err and "Traceback" not in err


def test_a_path_that_is_a_loop_of_links_is_said_so(tmp_path, capsys):
    """Path.resolve() raised RuntimeError ("Symlink loop from …") for every output path and convert's input, and a
    looping overlay was "not found" (CLI fuzz)."""
    for name in ("o.nc", "c", "e.zarr", "s.csv", "p.json", "v.yaml"):
        (tmp_path / name).symlink_to(tmp_path / name)
    loop = "it is a symbolic link that leads back to itself (a loop of links)"
    for argv in (["run", DEMO, "--years", "1", "-o", str(tmp_path / "o.nc")],
                 ["run", DEMO, "--years", "1", "--csv", str(tmp_path / "c")],
                 ["ensemble", DEMO, "--traces", "2", "--years", "1", "-o", str(tmp_path / "e.zarr"), "--quiet"],
                 ["ensemble", DEMO, "--traces", "2", "--years", "1", "-o", str(tmp_path / "r.zarr"), "--quiet",
                  "--summary-csv", str(tmp_path / "s.csv")],
                 ["convert", str(tmp_path / "p.json"), "-o", str(tmp_path / "p.yaml")],
                 ["run", DEMO, "--years", "1", "--scenario", str(tmp_path / "v.yaml")]):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert loop in err and "Traceback" not in err, (argv, err)
    if hasattr(os, "mkfifo"):  # (an overlay that is a named pipe was "not found")
        os.mkfifo(tmp_path / "pipe.yaml")
        assert main(["validate", DEMO, "--scenario", str(tmp_path / "pipe.yaml")]) == 1
        assert "is not a regular file (a named pipe, a device or a socket)" in capsys.readouterr().err


def test_validate_checks_what_only_the_run_would_find(tmp_path, capsys):
    """A series shorter than the run is reported by validate, not only by run."""
    short = tmp_path / "short.yaml"
    short.write_text("version: 1\ntime: {start: 2000-10, end: 2002-09, step: month}\n"
                     "nodes:\n  - {id: src, type: inflow, inflow: {values: [1, 2, 3]}}\n"
                     "  - {id: town, type: demand, demand: 5}\nedges:\n  - [src, town]\n")
    assert main(["validate", str(short)]) == 1
    err = capsys.readouterr().err
    assert "nodes[src].inflow" in err and "3 values but the time span has 24 monthly steps" in err


def test_validate_applies_overlays(tmp_path, capsys):
    """validate took no --scenario: an overlay's problems showed only when a run was started."""
    overlay = tmp_path / "town.yaml"
    overlay.write_text("changes:\n  - add_nodes: [{id: town2, type: demand, demand: 3, return_to: nowhere}]\n"
                       "  - add_edges: [[river_mid, town2]]\n")
    assert main(["validate", DEMO, "--scenario", str(overlay)]) == 1
    assert ("town.yaml: changes[0].add_nodes: nodes[town2].return_to (line 2): names 'nowhere', which is not in the "
            "model after this scenario") in capsys.readouterr().err
    overlay.write_text(overlay.read_text().replace("nowhere", "river_low"))
    assert main(["validate", DEMO, "--scenario", str(overlay)]) == 0
    assert f"with {overlay}: valid (13 nodes, 11 edges, 5 scenario trace(s))" in capsys.readouterr().out


def test_validate_checks_the_constraints_and_parameters_an_overlay_adds(tmp_path, capsys):
    """add_constraints and add_parameters are checked by validate --scenario as by a run, at the overlay's lines."""
    overlay = tmp_path / "quota.yaml"
    overlay.write_text("changes:\n  - add_parameters: {cap: 4}\n  - add_constraints:\n"
                       "      - {id: lic, type: flow_sum, nodes: [city, valley_irigation],\n"
                       "         max_flow: {parameter: cap}}\n")
    assert main(["validate", DEMO, "--scenario", str(overlay)]) == 1
    assert ("quota.yaml: changes[1].add_constraints: constraints[lic].nodes (line 4): names 'valley_irigation', which "
            "is not in the model after this scenario (did you mean 'valley_irrigation'?)") in capsys.readouterr().err
    overlay.write_text(overlay.read_text().replace("irigation", "irrigation"))
    assert main(["validate", DEMO, "--scenario", str(overlay)]) == 0
    assert f"with {overlay}: valid" in capsys.readouterr().out


def test_an_overlays_problems_name_their_lines(tmp_path, capsys):
    """The issue: an overlay's problems named the change (``changes[1].set.city.demand``) but not its line, which
    a model file's problems give; in a long overlay of block-style changes the line is what an editor goes to."""
    overlay = tmp_path / "long.yaml"
    overlay.write_text("title: several problems\n"  # line 1
                       "changes:\n"
                       "  - scale_demands:\n"
                       "      countries: [UZB]\n"
                       "      factor: 0.9\n"  # line 5
                       "  - set:\n"
                       "      city:\n"
                       "        demand: -3\n"  # line 8: a value the loader finds wrong
                       "  - remove_edges:\n"
                       "      - [river_mid, city]\n"  # line 10
                       "      - [river_mid, nowhere]\n"  # line 11: an edge the model lacks
                       "  - add_nodes:\n"
                       "      - id: town2\n"  # line 13
                       "        type: demand\n"
                       "        demand: 3\n"
                       "        return_to: ghost\n")  # line 16: a reference the model lacks
    assert main(["validate", DEMO, "--scenario", str(overlay)]) == 1
    err = capsys.readouterr().err
    for wanted in ("long.yaml: changes[1].set.city.demand (line 8): ",
                   "long.yaml: changes[2].remove_edges[1] (line 11): ",
                   "long.yaml: changes[3].add_nodes: nodes[town2].return_to (line 16): "):
        assert wanted in err, err
    with pytest.raises(ModelError) as raised:  # the Python API's message is the command's
        daryo.load(DEMO, scenarios=str(overlay))
    assert str(raised.value) in err
    # a problem of the overlay file's structure, and of the embedded model's overlays (no model file named)
    overlay.write_text("title: t\nchanges:\n  - set:\n      toktogul:\n        max_volume: -5\n  - sett: {}\n")
    assert main(["run", "--scenario", str(overlay), "--years", "1"]) == 1
    assert "long.yaml: changes[1] (line 6): 'sett' is not a change" in capsys.readouterr().err
    overlay.write_text("title: t\nchanges:\n  - set:\n      toktogul:\n        max_volume: -5\n")
    with pytest.raises(ModelError, match=re.escape("long.yaml: changes[0].set.toktogul.max_volume (line 5): is neg")):
        daryo.basins.aral.load_aral_model(scenarios=[str(overlay)], years=1)
    # the model file's own problems keep their own lines, once
    bad_model = tmp_path / "m.yaml"
    bad_model.write_text(Path(DEMO).read_text().replace("max_volume: 14 km3", "max_volume: -14 km3"))
    (tmp_path / "upper_inflow.csv").write_text((Path(DEMO).parent / "upper_inflow.csv").read_text())
    overlay.write_text("title: t\nchanges:\n  - scale_demands: {countries: [UZB], factor: 0.9}\n")
    assert main(["validate", str(bad_model), "--scenario", str(overlay)]) == 1
    err = capsys.readouterr().err
    assert re.search(r"m\.yaml[^:]*: nodes\[big_dam\]\.max_volume \(line 26\): ", err), err
    assert err.count("(line") == err.count("\n  - "), err  # (one line each)


def test_validate_checks_the_embedded_model_by_default_and_an_overlay_given_as_a_model_is_named_so(tmp_path, capsys):
    """A review: `daryo validate --scenario deal.yaml` was a usage error (run takes the embedded model by default),
    and `daryo run deal.yaml` said only "missing 'version'" for an overlay given where a model goes."""
    deal = tmp_path / "deal.yaml"
    deal.write_text("title: deal\nchanges:\n  - scale_inflows: {basin: syr, factor: 0.9}\n")
    assert main(["validate", "--scenario", str(deal)]) == 0
    assert capsys.readouterr().out.startswith(f"the embedded model (aral-sea-basin) with {deal}: valid (83 nodes")
    assert main(["run", str(deal)]) == 1
    assert ("deal.yaml: version: missing 'version': this is a scenario overlay (title and changes), not a model; "
            "apply it to a model with --scenario") in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert main(["frobnicate"]) == 2
    assert main(["run", DEMO, "--scenarios", "99"]) == 2
    assert "the model has 5 scenario trace(s)" in capsys.readouterr().err
    assert main(["run", "--years", "-1"]) == 2
    assert "--years must be at least 1" in capsys.readouterr().err


def test_failed_run_leaves_existing_output_untouched(tmp_path, capsys):
    out = tmp_path / "r.nc"
    assert main(["run", str(DEMO), "--years", "1", "-o", str(out)]) == 0  # an earlier run's results
    earlier = out.read_bytes()
    capsys.readouterr()
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\ntime: {start: 2001-01, end: 2001-02}\n"
                   "nodes:\n  - {id: a, type: inflow, inflow: 10}\n"
                   "  - {id: d, type: demand, demand: 20, min_flow: 15}\n  - {id: sea, type: sink}\n"
                   "edges:\n  - [a, d]\n  - [a, sea]\n")  # (a sink: no caution is printed before the error)
    assert main(["run", str(bad), "-o", str(out)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {bad}: the allocation problem is infeasible at step 0 ")
    assert out.read_bytes() == earlier


def test_run_refuses_to_replace_what_is_not_a_runs_results(tmp_path, capsys):
    """-o the model file itself, or any file that is not a run's results: refused before the run, kept."""
    model = tmp_path / "demo.yaml"
    model.write_bytes(Path(DEMO).read_bytes())
    for csv in Path(DEMO).parent.glob("*.csv"):
        (tmp_path / csv.name).write_bytes(csv.read_bytes())
    notes = tmp_path / "notes.nc"
    notes.write_text("important")
    assert main(["run", str(model), "--years", "1", "-o", str(model)]) == 2
    assert "must end in .nc" in capsys.readouterr().err
    assert main(["run", str(model), "--years", "1", "-o", str(tmp_path / "r.zarr")]) == 2
    assert "must end in .nc" in capsys.readouterr().err
    assert main(["run", str(model), "--years", "1", "-o", str(notes)]) == 1
    cap = capsys.readouterr()
    assert "notes.nc exists and is not the results of a daryo run; it is not replaced" in cap.err
    assert "daryo run:" not in cap.out  # refused before the run (which prints its summary first)
    assert model.read_bytes() == Path(DEMO).read_bytes() and notes.read_text() == "important"
    assert not (tmp_path / "r.zarr").exists()


def test_an_unbounded_model_is_a_one_line_error(tmp_path, capsys):
    loop = tmp_path / "loop.yaml"
    loop.write_text("version: 1\nname: x\ntime: {start: 2001-01, end: 2001-02}\nallocation: cost\n"
                    "nodes:\n  - {id: a, type: inflow, inflow: 10}\n  - {id: j, type: junction}\n"
                    "  - {id: r, type: reach, cost: -1}\n  - {id: sea, type: sink}\n"
                    "edges:\n  - [a, j]\n  - [j, r]\n  - [r, j]\n  - [j, sea]\n")
    assert main(["run", str(loop)]) == 1
    err = capsys.readouterr().err
    assert "unbounded at step 0" in err and "Traceback" not in err and "no bound" not in err


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_maximum_the_solver_reads_as_no_bound_is_named(tmp_path, capsys, method):
    """A Pywr model's ``max_flow: 5e18`` (meant as "unbounded"), times a month's 31 days, is 1.55e20 hm³, which
    HiGHS reads as no bound: the step was "unbounded ... round a loop", though the model has neither a loop nor
    an unbounded flow (Pywr runs it; a fuzz of the Pywr import)."""
    model = tmp_path / "big.json"
    model.write_text('{"timestepper": {"start": "2001-01-01", "end": "2001-02-28", "timestep": "M"}, "nodes": ['
                     '{"name": "in", "type": "input", "max_flow": 5e18}, {"name": "out", "type": "output", '
                     '"cost": -1}], "edges": [["in", "out"]]}')
    import daryo
    from daryo.errors import UnboundedStepError
    from daryo.simulate import RunOptions

    with pytest.raises(UnboundedStepError) as err:
        daryo.run(daryo.load(model), RunOptions(method=method))
    assert "unbounded at step 0" in str(err.value) and "The maximum of in (1.55e+20 hm³ this step) is so large " \
           "that the solver reads it as no bound (1e20 hm³ or more): give a smaller one." in str(err.value)
    assert main(["run", str(model)]) == 1 and "reads it as no bound" in capsys.readouterr().err


def _refuse_to_run(monkeypatch):
    """Make any simulation fail the test: output targets must be checked before it."""
    import daryo.api

    def no_run(*args, **kwargs):
        raise AssertionError("simulated before checking the output targets")

    monkeypatch.setattr(daryo.api, "run", no_run)


def test_bad_output_targets_are_refused_before_the_run(tmp_path, capsys, monkeypatch):
    prev = tmp_path / "prev.nc"
    assert main(["run", DEMO, "--scenarios", "1", "--years", "1", "-o", str(prev)]) == 0
    before = prev.read_bytes()
    capsys.readouterr()
    _refuse_to_run(monkeypatch)
    blocker = tmp_path / "notadir"
    blocker.write_text("keep")
    assert main(["run", DEMO, "--scenarios", "1", "--years", "3", "-o", str(prev), "--csv", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("daryo: error:") and "notadir" in err and "not a folder" in err
    assert prev.read_bytes() == before and blocker.read_text() == "keep"
    folder = tmp_path / "folder.nc"
    folder.mkdir()
    assert main(["run", DEMO, "--scenarios", "1", "--years", "1", "-o", str(folder)]) == 1
    assert "is a folder" in capsys.readouterr().err
    assert main(["run", DEMO, "--years", "1", "-o", str(tmp_path / "no" / "r.nc")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["run", DEMO, "--years", "1", "-o", str(blocker / "r.nc")]) == 2  # blocker is a file
    assert "notadir is a file, not a folder" in capsys.readouterr().err
    assert main(["run", DEMO, "--years", "1", "-o", str(prev), "--csv", str(prev)]) == 2
    # an empty name was ignored (nothing written, exit 0); "sub.nc/" wrote a file sub.nc
    for argv, message in ((["-o", ""], "-o '': give a file name"), (["--csv", ""], "--csv '': give a folder name"),
                          (["-o", f"{tmp_path}/sub.nc/"], f"-o {tmp_path}/sub.nc/: names a folder"),
                          (["-o", f"{tmp_path}/.nc"], f"{tmp_path}/.nc: give the file a name before its suffix")):
        assert main(["run", DEMO, "--years", "1", *argv]) == 2
        assert message in capsys.readouterr().err
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        assert main(["run", DEMO, "--years", "1", "-o", str(locked / "r.nc")]) == 1
        assert "not writable" in capsys.readouterr().err
    csv = tmp_path / "csv"  # a folder where a result's CSV file goes: refused before the run, not after it
    (csv / "storage.csv").mkdir(parents=True)
    assert main(["run", DEMO, "--years", "1", "--csv", str(csv)]) == 1
    assert f"is a folder, so the result cannot be written there: '{csv}/storage.csv'" in capsys.readouterr().err


def test_file_names_that_are_not_utf8_are_refused_for_netcdf_and_escaped_in_its_attributes(tmp_path, capsys,
                                                                                           monkeypatch):
    """A Latin-1 file name (``r\\xe9sultat.nc`` on an old share) crashed ``run -o`` and ``ensemble -o`` in the
    netCDF library after the whole run, and so did a model or overlay with such a name, written into the results'
    attributes (a re-fuzz).  An output name is refused before the run; a model's name is written with escapes."""
    folder = tmp_path / os.fsdecode(b"d\xe9j\xe0")
    try:
        folder.mkdir()
    except OSError:  # (a file system that takes only UTF-8 names, as some do)
        pytest.skip("this file system refuses names that are not UTF-8")
    model = folder / os.fsdecode(b"mod\xe8le.yaml")
    model.write_text(Path(DEMO).read_text())
    (folder / "upper_inflow.csv").write_bytes((Path(DEMO).parent / "upper_inflow.csv").read_bytes())
    out = tmp_path / "r.nc"
    assert main(["run", str(model), "--years", "1", "--scenarios", "1", "-o", str(out)]) == 0
    with xr.open_dataset(out) as ds:
        assert ds.attrs["model_file"] == f"{tmp_path}/d\\xe9j\\xe0/mod\\xe8le.yaml"
    capsys.readouterr()
    _refuse_to_run(monkeypatch)
    link = tmp_path / "link"  # (a folder of UTF-8 name that leads into one that is not: written through, a review)
    link.symlink_to(folder)
    for command in (["run", DEMO, "--years", "1"], ["ensemble", DEMO, "--traces", "1", "--years", "1"]):
        for target in (tmp_path / os.fsdecode(b"r\xe9sultat.nc"), folder / "r.nc", link / "r.nc"):
            assert main([*command, "-o", str(target)]) == 2
            err = capsys.readouterr().err
            assert "the netCDF library takes only file names in UTF-8" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([folder.name, "link", "r.nc"])


def test_a_deleted_current_folder_is_named_as_the_cause(tmp_path, capsys, monkeypatch):
    """The working folder removed by another shell: relative paths gave only "daryo: error: No such file or
    directory" (a re-fuzz)."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    said = "the current folder no longer exists (it was deleted or moved), so no relative path can be found"
    assert main(["run", DEMO, "--years", "1", "--scenarios", "1", "-o", "out.nc"]) == 1
    assert capsys.readouterr().err == f"daryo: error: {said}: change to a folder that exists, or give absolute paths\n"
    assert main(["validate", "demo.yaml"]) == 1
    assert f"demo.yaml: file not found: {said}" in capsys.readouterr().err
    assert main(["validate", DEMO, "--scenario", "dry.yaml"]) == 1  # (an overlay: a review)
    assert f"dry.yaml: scenario file not found: {said}" in capsys.readouterr().err
    assert main(["validate", DEMO]) == 0  # (absolute paths need no current folder)


def test_a_file_that_cannot_be_made_is_named_as_the_user_gave_it(tmp_path, capsys, monkeypatch):
    """A folder that will not take a new file (one of /proc, or read-only: the user may be root) is reported
    with the output's name, not the temporary file's, and without Python's "[Errno N]"."""
    import tempfile

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", f"{tmp_path}/.r.nc.x1y2z3")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    out = tmp_path / "r.nc"
    assert main(["run", DEMO, "--years", "1", "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"daryo: error: cannot write {out}: Permission denied\n"
    assert main(["run", DEMO, "--years", "1", "--csv", str(tmp_path / "c")]) == 1
    assert capsys.readouterr().err == f"daryo: error: cannot write CSV files into {tmp_path / 'c'}: Permission denied\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_netcdf_and_csv_are_written_all_or_nothing(tmp_path, capsys, monkeypatch):
    """A failure writing the CSV files leaves an existing NetCDF file as it was (it is moved into place only
    when both are written)."""
    import pandas as pd

    prev = tmp_path / "prev.nc"
    assert main(["run", DEMO, "--scenarios", "1", "--years", "1", "-o", str(prev)]) == 0
    before = prev.read_bytes()

    def failing(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", failing)
    assert main(["run", DEMO, "--scenarios", "1", "--years", "2", "-o", str(prev), "--csv",
                 str(tmp_path / "csv")]) == 1
    assert "disk full" in capsys.readouterr().err
    assert prev.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prev.nc"]


def test_a_netcdf_file_that_cannot_be_written_is_a_message_naming_it(tmp_path, capsys, monkeypatch):
    """The netCDF library reports a full disk as ``RuntimeError: NetCDF: HDF error``: a message naming the file
    (exit 1), not a traceback; the earlier file is kept and no temporary file is left."""
    prev = tmp_path / "prev.nc"
    assert main(["run", DEMO, "--scenarios", "1", "--years", "1", "-o", str(prev)]) == 0
    before = prev.read_bytes()
    capsys.readouterr()

    def full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"CDF")
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    assert main(["run", DEMO, "--scenarios", "1", "--years", "2", "-o", str(prev)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"daryo: error: cannot write {prev}: NetCDF: HDF error (") and err.endswith(" free on its "
                                                                                                 "disk)\n"), err
    assert prev.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prev.nc"]


def test_a_closed_output_pipe_ends_quietly(tmp_path, capsys, monkeypatch):
    """``daryo info model | head -5``: no error message when the reader goes away (exit 141, as for SIGPIPE)."""

    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["info", DEMO]) == 141
    assert capsys.readouterr().err == ""
    monkeypatch.undo()
    # and as a process whose standard output is a pipe nobody reads
    read, write = os.pipe()
    os.close(read)
    daryo = Path(sys.executable).parent / "daryo"
    proc = subprocess.run([str(daryo), "info", DEMO], stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write)
    assert (proc.returncode, proc.stderr) == (141, "")


def test_results_are_written_even_when_the_reader_of_the_summary_has_gone(tmp_path):
    """``daryo run … -o r.nc | head -1``: the results are saved before the summary is printed, so a reader that
    goes away (with unbuffered output, at the first line) does not cost them."""
    read, write = os.pipe()
    os.close(read)
    daryo = Path(sys.executable).parent / "daryo"
    out = tmp_path / "r.nc"
    proc = subprocess.run([str(daryo), "run", DEMO, "--scenarios", "1", "--years", "1", "-o", str(out), "--csv",
                           str(tmp_path / "csv")], stdout=write, stderr=subprocess.PIPE, text=True, timeout=300,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    os.close(write)
    assert (proc.returncode, proc.stderr) == (141, "")
    assert xr.open_dataset(out).sizes["time"] == 12 and (tmp_path / "csv" / "delivery.csv").is_file()


def test_an_ascii_standard_output_gets_escapes_not_a_traceback(tmp_path):
    """Standard output and error whose encoding is ASCII (``LC_ALL=C`` with no locale coercion, some cron and CI
    set-ups): the summary's ``hm³`` and a problem's ``≥`` crashed the command with a UnicodeEncodeError (a
    re-fuzz); they are written as their plain stand-ins (``hm3``, ``>=``: a Tashkent analyst's review, whose Windows
    console read ``hm\\xb3/yr``), and letters it cannot show as escapes."""
    daryo = Path(sys.executable).parent / "daryo"
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([str(daryo), "run", DEMO, "--scenarios", "1", "--years", "1"], capture_output=True,
                          timeout=300, env=env)
    assert proc.returncode == 0 and b"hm3 per step" in proc.stdout and b"Traceback" not in proc.stderr
    assert b"hm3/yr" in proc.stdout and b"\\x" not in proc.stdout and b"\\u" not in proc.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ntime: {start: 2001-01, end: 2001-12}\nnodes:\n  - {id: a, type: inflow, inflow: 5}\n"
                   "  - {id: d, type: demand, demand: -1}\nedges: [[a, d]]\n")
    proc = subprocess.run([str(daryo), "validate", str(bad)], capture_output=True, timeout=300, env=env)
    assert proc.returncode == 1 and b"it must be >= 0" in proc.stderr and b"Traceback" not in proc.stderr
    cyrillic = tmp_path / "cyr.yaml"  # (a name's letters the console cannot show are escaped, not dropped)
    dry = "\u0441\u0443\u0445"
    cyrillic.write_text(bad.read_text().replace("id: d,", f"id: {dry},").replace("[a, d]", f"[a, {dry}]"),
                        encoding="utf-8")
    proc = subprocess.run([str(daryo), "validate", str(cyrillic)], capture_output=True, timeout=300, env=env)
    assert proc.returncode == 1 and b"nodes[\\u0441\\u0443\\u0445].demand" in proc.stderr, proc.stderr
    latin = tmp_path / os.fsdecode(b"m\xe9.yaml")  # (a file name's bytes that are not UTF-8 are written as they are,
    # as Python writes them on its own: a regression fuzz)
    latin.write_text(bad.read_text().replace("demand: -1", "demand: 1"))
    for encoding in ("ascii", "utf-8"):
        proc = subprocess.run([str(daryo), "validate", str(latin)], capture_output=True, timeout=300,
                              env={**env, "PYTHONIOENCODING": encoding})
        assert proc.returncode == 0 and b"m\xe9.yaml: valid" in proc.stdout, proc


def test_main_called_from_python_leaves_the_streams_error_handlers_as_they_were():
    """main set the process's stdout and stderr to escape what they cannot encode and never set them back (a
    review): called from Python, it now leaves them as they were."""
    import io

    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        assert main(["info", DEMO]) == 0
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    assert (out.errors, err.errors) == ("strict", "strict")
    out.flush()
    assert b"model: demo-basin" in out.buffer.getvalue()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_full_or_closed_standard_output_is_a_message(unbuffered):
    """Standard output on a full disk: a message that says so, exit 1 (no traceback, no "Exception ignored" at
    exit, whether output is buffered or not).  Started with standard output closed: nothing to print to, exit
    0."""
    daryo = Path(sys.executable).parent / "daryo"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | (
        {"PYTHONUNBUFFERED": unbuffered} if unbuffered else {})
    with open("/dev/full", "w") as full:
        proc = subprocess.run([str(daryo), "info", DEMO], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=120, env=env)
    assert (proc.returncode, proc.stderr) == (1, "daryo: error: cannot write to standard output: No space left on "
                                                 "device\n")
    proc = subprocess.run(f'"{daryo}" info "{DEMO}" >&-', shell=True, stderr=subprocess.PIPE, text=True,
                          timeout=120, env=env)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_sigterm_ends_a_command_in_order(monkeypatch, capsys):
    """SIGTERM is raised where the command is (so that temporary files are removed on the way out): exit 143,
    and the handler of before is back."""
    import signal
    import time

    from daryo import api

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # (the handler raises before this ends)

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(api, "run", killed)
    assert main(["run", DEMO, "--years", "1"]) == 143
    assert capsys.readouterr().err.strip().endswith("terminated")
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_logout_ends_a_command_as_sigterm_does(monkeypatch, capsys, tmp_path):
    """A trainer's review: SIGHUP (a participant's logout) ended daryo run -o with exit 129 and no word, leaving
    its hidden temporary files of full size (the NetCDF file and the CSV folder being written) in the participant's
    folder, which no later run removes.  SIGHUP is raised where the command is, as SIGTERM: the files are removed on
    the way out, "hung up", exit 129, and the handler of before is back; where it is ignored (nohup) it stays
    so."""
    import signal
    import time

    from daryo import results

    real = results.Results.save

    def hung_up(self, *args, **kwargs):  # (while the files are being written)
        def write(*a, **k):
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(0.2)  # (held until the write is done, as SIGTERM: raised between writes, not inside one)
        monkeypatch.setattr(xr.Dataset, "to_netcdf", write)
        return real(self, *args, **kwargs)

    before = signal.getsignal(signal.SIGHUP)
    monkeypatch.setattr(results.Results, "save", hung_up)
    assert main(["run", DEMO, "--years", "1", "-o", str(tmp_path / "r.nc"), "--csv", str(tmp_path / "csv")]) == 129
    assert capsys.readouterr().err.strip().endswith("hung up")  # (an operations review read "terminated")
    assert signal.getsignal(signal.SIGHUP) == before
    assert [p.name for p in tmp_path.rglob("*")] == []  # (nothing left behind: not the output, not a hidden file)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        monkeypatch.setattr(results.Results, "save", real)
        monkeypatch.undo()
        assert main(["run", DEMO, "--years", "1"]) == 0 and signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)


def test_ctrl_c_inside_a_compiled_call_is_an_interruption_not_a_traceback(monkeypatch, capsys):
    """A KeyboardInterrupt raised while Numba's compiled code runs surfaces as a SystemError ("returned a result
    with an exception set") whose context is the interrupt: exit 130, "interrupted".  Other SystemErrors are
    not hidden: they are internal errors."""
    from daryo import api

    def interrupted(*args, **kwargs):
        message = "CPUDispatcher(<function _map_entry_py>) returned a result with an exception set"
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise SystemError(message)  # noqa: B904 (as Numba raises it: the interrupt is its context)

    monkeypatch.setattr(api, "run", interrupted)
    assert main(["run", DEMO, "--years", "1"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"

    def broken(*args, **kwargs):
        raise SystemError("something else")

    monkeypatch.setattr(api, "run", broken)
    assert main(["run", DEMO, "--years", "1"]) == 1
    assert capsys.readouterr().err.startswith("daryo: internal error: SystemError: something else\n")


def test_ctrl_c_inside_an_import_is_an_interruption_not_a_traceback(monkeypatch, capsys):
    """A Ctrl-C inside the import of a compiled module surfaces as its ImportError ("initialization failed", of
    HiGHS's; an interruption fuzz): exit 130, "interrupted", not a traceback.  Other ImportErrors are not hidden:
    they are internal errors."""
    from daryo import api

    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise ImportError("initialization failed") from exc

    monkeypatch.setattr(api, "run", interrupted)
    assert main(["run", DEMO, "--years", "1"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"

    def broken(*args, **kwargs):
        raise ImportError("no module named nowhere")

    monkeypatch.setattr(api, "run", broken)
    assert main(["run", DEMO, "--years", "1"]) == 1
    assert capsys.readouterr().err.startswith("daryo: internal error: ImportError: no module named nowhere\n")


def test_an_unexpected_error_is_one_line_and_the_traceback_is_there_on_request(monkeypatch, capsys):
    """A security review: an error no command expects (an AttributeError, a MemoryError) printed Python's traceback,
    with the installation's paths, and exit 1.  It is one line naming the error, and one telling how to see the
    traceback (DARYO_TRACEBACK=1), which then comes before it; exit 1, as the README gives for errors."""
    from daryo import api

    def broken(*args, **kwargs):
        raise AttributeError("'NoneType' object has no attribute 'nodes'")

    monkeypatch.setattr(api, "run", broken)
    monkeypatch.delenv("DARYO_TRACEBACK", raising=False)
    assert main(["run", DEMO, "--years", "1"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "daryo: internal error: AttributeError: 'NoneType' object has no attribute 'nodes'",
        "daryo: this is a bug in daryo; run again with DARYO_TRACEBACK=1 to see its traceback, and include it in a "
        "report"]
    for off in ("", "0"):
        monkeypatch.setenv("DARYO_TRACEBACK", off)
        assert main(["run", DEMO, "--years", "1"]) == 1
        assert "Traceback" not in capsys.readouterr().err
    monkeypatch.setenv("DARYO_TRACEBACK", "1")
    assert main(["run", DEMO, "--years", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Traceback (most recent call last):" and "in broken" in "\n".join(err)
    assert err[-1] == "daryo: internal error: AttributeError: 'NoneType' object has no attribute 'nodes'"

    def bare(*args, **kwargs):  # (no message: its type alone)
        raise KeyError

    monkeypatch.delenv("DARYO_TRACEBACK")
    monkeypatch.setattr(api, "run", bare)
    assert main(["run", DEMO, "--years", "1"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "daryo: internal error: KeyError"

    def leaves(*args, **kwargs):  # (an exit or Ctrl-C is not an error: left as they were)
        raise SystemExit(3)

    monkeypatch.setattr(api, "run", leaves)
    with pytest.raises(SystemExit):
        main(["run", DEMO, "--years", "1"])


def test_memory_run_out_is_a_message_that_says_what_to_run_instead(tmp_path, monkeypatch, capsys):
    """A security review: a run that passed the memory check and then ran out (NumPy's MemoryError, "Unable to
    allocate 488 MiB") printed a 24-line traceback.  It is a message with NumPy's size and what to do instead, for
    a run (fewer scenarios or years, or an ensemble) and for an ensemble (smaller chunks, fewer workers)."""
    import daryo.ensemble
    from daryo import api

    def too_large(*args, **kwargs):  # (NumPy's _ArrayMemoryError is a MemoryError, with this message)
        raise MemoryError("Unable to allocate 488. MiB for an array with shape (150, 213301, 2) and data type float64")

    monkeypatch.delenv("DARYO_TRACEBACK", raising=False)
    monkeypatch.setattr(api, "run", too_large)
    assert main(["run", DEMO, "--years", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["daryo: error: out of memory (Unable to allocate 488. MiB for an array with shape (150, 213301, 2) "
                   "and data type float64): run fewer scenarios or years, or run an ensemble (daryo ensemble), which "
                   "writes its results to disk as it goes"]
    monkeypatch.setattr(daryo.ensemble, "run_ensemble", too_large)
    assert main(["ensemble", DEMO, "--traces", "2", "--years", "1", "--quiet", "-o", str(tmp_path / "e.nc")]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "daryo: error: out of memory (Unable to allocate 488. MiB for an array with shape (150, 213301, 2) and data "
        "type float64): give a smaller --chunk-size (each chunk's traces are held in memory), or fewer --workers "
        "(each holds a chunk)")


@pytest.mark.parametrize("command", [["run", DEMO, "--years", "1"], ["ensemble", DEMO, "--traces", "1", "--years",
                                                                      "1", "-o", "never.nc"]])
def test_ctrl_c_during_the_imports_stops_the_command_after_them(monkeypatch, capsys, command):
    """Ctrl-C is held back while a run's libraries are imported and raised after them: one inside an import that
    another module made optional was taken for the module's absence, and the run went on to exit 0 (an
    interruption fuzz, 3 of ~270 early signals)."""
    import importlib
    import signal

    from daryo import cli

    imported, real = [], importlib.import_module

    def import_module(name):
        imported.append(name)
        signal.raise_signal(signal.SIGINT)  # (held: the import goes on)
        return real(name)

    monkeypatch.setattr(cli.importlib, "import_module", import_module)
    monkeypatch.setattr(cli, "_cmd_run", lambda args: pytest.fail("the command ran"))
    monkeypatch.setattr(cli, "_cmd_ensemble", lambda args: pytest.fail("the command ran"))
    assert main(command) == 130
    assert capsys.readouterr().err.strip() == "interrupted"
    assert imported[0] == ("daryo.ensemble" if command[0] == "ensemble" else "daryo.api")  # (others import too)


def test_version(capsys):
    from daryo import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"daryo {__version__}\n"


def test_python_dash_m_daryo_is_the_command():
    out = subprocess.run([sys.executable, "-m", "daryo", "info", DEMO], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "model: demo-basin" in out.stdout


@pytest.mark.parametrize(("argv", "loaded", "not_loaded"), [
    (["--help"], [], ["numpy", "pandas", "scipy", "xarray", "numba", "highspy", "daryo.api"]),
    (["validate", DEMO], ["pandas", "scipy.sparse", "daryo.network"], ["xarray", "numba"]),
    (["run", DEMO, "--years", "1"], ["xarray", "numba"], []),
])
def test_a_command_loads_only_the_libraries_it_needs(argv, loaded, not_loaded):
    """``daryo --help`` loads no numerical library, ``validate`` neither xarray nor Numba; a run loads both."""
    code = ("import sys; from daryo.cli import main; code = main(sys.argv[1:]); "
            "print(' '.join(m for m in sys.modules if not m.startswith('_'))); sys.exit(code)")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False, timeout=300)
    assert out.returncode == 0, out.stderr
    modules = set(out.stdout.splitlines()[-1].split())
    assert set(loaded) <= modules and not set(not_loaded) & modules


# ------------------------------------------------------------------------------------------- convert
PYWR = ('{"metadata": {"title": "tiny"},\n'
        ' "timestepper": {"start": "2001-01-01", "end": "2001-12-31", "timestep": "M"},\n'
        ' "nodes": [{"name": "in", "type": "input", "min_flow": 3.0, "max_flow": 3.0},\n'
        '           {"name": "town", "type": "output", "max_flow": 2.0, "cost": -10},\n'
        '           {"name": "sea", "type": "output"}],\n'
        ' "edges": [["in", "town"], ["in", "sea"]]}\n')


def test_a_pywr_models_caveat_given_as_text_is_one_caveat(tmp_path, capsys):
    """Pywr's metadata is free-form: a caveat written as text (not a list) is one caveat, not a refused file (a
    review)."""
    src = tmp_path / "pywr.json"
    src.write_text(PYWR.replace('"title": "tiny"', '"title": "tiny", "caveats": "Demo only"'))
    assert main(["run", str(src)]) == 0
    assert "caveats of the model (its metadata.caveats):\n  - Demo only" in capsys.readouterr().out


def _pywr_file(tmp_path: Path) -> Path:
    src = tmp_path / "pywr.json"
    src.write_text(PYWR)
    return src


def test_convert_s_command_to_run_the_result_quotes_a_path_with_spaces(tmp_path, capsys):
    """"(run it with: daryo run /…/sp ace/conv.json)": pasted, the command failed (a file-safety pass)."""
    out = tmp_path / "sp ace" / "çonv.json"
    out.parent.mkdir()
    assert main(["convert", str(_pywr_file(tmp_path)), "-o", str(out)]) == 0
    assert f"(run it with: daryo run '{out}')" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["model.json", "model.yaml", "model.yml"])
def test_convert_writes_the_format_of_the_suffix_and_the_file_runs(tmp_path, capsys, name):
    import json

    import yaml

    import daryo

    src, out = _pywr_file(tmp_path), tmp_path / name
    assert main(["convert", str(src), "-o", str(out)]) == 0
    assert f"(run it with: daryo run {out})" in capsys.readouterr().out
    text = out.read_text()
    doc = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    assert doc["version"] == 1 and doc["allocation"] == "cost"
    if not name.endswith(".json"):
        assert text.startswith("# daryo model converted from the Pywr model pywr.json")
    assert main(["run", str(out)]) == 0
    assert "daryo run: tiny" in capsys.readouterr().out
    a, b = (daryo.run(daryo.load(p)).dataset for p in (src, out))
    xr.testing.assert_equal(a.node_flow, b.node_flow)


def test_convert_refuses_other_suffixes_before_any_work(tmp_path, capsys):
    for name in ("model.txt", "model"):
        out = tmp_path / name
        assert main(["convert", str(tmp_path / "missing.json"), "-o", str(out)]) == 2  # the model is not read
        err = capsys.readouterr().err
        assert err == (f"daryo: error: cannot write a daryo model to {out}: give the output file a .yaml, .yml or "
                       ".json suffix (the format written)\n")
        assert not out.exists()
    assert main(["convert", str(tmp_path / "missing.json"), "-o", ""]) == 2  # (it was named '.')
    assert capsys.readouterr().err == "daryo: error: -o '': give a name such as model.yaml\n"


def test_convert_does_not_overwrite_the_model_it_converts(tmp_path, capsys):
    src = _pywr_file(tmp_path)
    assert main(["convert", str(src), "-o", str(src)]) == 2
    assert "is the model being converted" in capsys.readouterr().err
    assert src.read_text() == PYWR
    folder = tmp_path / "out.yaml"
    folder.mkdir()
    assert main(["convert", str(src), "-o", str(folder)]) == 1
    assert capsys.readouterr().err == (f"daryo: error: cannot write the daryo model to {folder}: it is a folder; give "
                                       "a file name\n")


def test_convert_replaces_only_an_earlier_conversion_and_in_one_step(tmp_path, capsys, monkeypatch):
    """``convert -o mine.yaml`` onto a hand-written model is refused (it was overwritten); onto an earlier
    conversion it is replaced.  The file is written under a temporary name and moved into place: a write that
    fails (a full disk) leaves the earlier file as it was, and no temporary file."""
    src = _pywr_file(tmp_path)
    mine = tmp_path / "mine.yaml"
    mine.write_text("# my own model\n")
    assert main(["convert", str(src), "-o", str(mine)]) == 1
    assert capsys.readouterr().err == (f"daryo: error: {mine} exists and is not a model converted by daryo convert; "
                                       "it is not replaced: give another output name or move it away\n")
    assert mine.read_text() == "# my own model\n"
    real_fdopen = os.fdopen

    class Full:  # a file on a disk that fills after 10 bytes
        def __init__(self, fd, mode):
            self.f = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:10])
            raise OSError(28, "No space left on device")

    for name in ("out.yaml", "out.json"):
        out = tmp_path / name
        assert main(["convert", str(src), "-o", str(out)]) == 0
        before = out.read_bytes()
        assert main(["convert", str(src), "-o", str(out)]) == 0  # an earlier conversion: replaced
        assert out.read_bytes() == before
        capsys.readouterr()

        with monkeypatch.context() as m:
            m.setattr(os, "fdopen", Full)
            assert main(["convert", str(src), "-o", str(out)]) == 1
        assert "No space left on device" in capsys.readouterr().err
        assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml", "out.json", "out.yaml", "pywr.json"]


def test_converting_a_daryo_model_is_one_problem(tmp_path, capsys):
    out = tmp_path / "x.yaml"
    assert main(["convert", DEMO, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == (f"1 problem in the model:\n  - {DEMO}: this file is read as a daryo model, not a Pywr JSON model "
                   "(which has a 'timestepper' and nodes with 'name'): there is nothing to convert (daryo reads it "
                   "as it is)\n")
    assert not out.exists()
    empty = tmp_path / "empty.yaml"  # (it was called a daryo model)
    empty.write_text("")
    assert main(["convert", str(empty), "-o", str(out)]) == 1
    assert capsys.readouterr().err == (f"1 problem in the model:\n  - {empty}: the file is empty: there is nothing to "
                                       "convert\n")
    assert not out.exists()


def test_the_embedded_model_runs_thirty_years_of_one_norm_trace_by_default(monkeypatch, capsys):
    """``daryo run`` with no options asks for the Aral model with its defaults: norm hydrology, one trace, 30 years
    from the model's start, seed 0 (a stand-in model is run instead, to keep the test short)."""
    import daryo.basins.aral
    from daryo import testmodels

    asked = []

    def fake(**kwargs):
        asked.append(kwargs)
        return testmodels.two_priorities()

    monkeypatch.setattr(daryo.basins.aral, "load_aral_model", fake)
    assert main(["run"]) == 0
    assert asked == [{"scenarios": [], "hydrology": "norm", "traces": 1, "years": 30, "seed": 0}]
    assert main(["run", "--years", "2", "--hydrology", "stochastic", "--seed", "7"]) == 0
    assert asked[1] == {"scenarios": [], "hydrology": "stochastic", "traces": 1, "years": 2, "seed": 7}


def test_a_run_whose_results_cannot_fit_in_memory_is_refused_before_any_work(monkeypatch, capsys):
    """``--scenarios 99999999999999999999`` was a traceback (OverflowError) and ten million traces ran for
    minutes towards running out of memory: results larger than the machine's memory are a usage error, before
    the traces are made (the API refuses them too, before the run)."""
    import daryo.basins.aral

    made = []
    real_load = daryo.basins.aral.load_aral_model
    monkeypatch.setattr(daryo.basins.aral, "load_aral_model", lambda **kw: made.append(kw) or real_load(**kw))
    for n in ("99999999999999999999", "10000000"):
        assert main(["run", "--hydrology", "stochastic", "--scenarios", n]) == 2
        err = capsys.readouterr().err
        assert err.startswith("daryo: error: the run's results would take about ") and "GB of memory, more than " \
            "this machine's" in err and "run fewer scenarios or years, or run an ensemble (daryo ensemble" in err
    assert all(kw.get("traces", 1) == 1 for kw in made)  # only the one-trace model, to size the results

    sysconf = os.sysconf
    monkeypatch.setattr(os, "sysconf", lambda name: 1 if name == "SC_PHYS_PAGES" else sysconf(name))  # 4 KB
    with pytest.raises(ValueError, match="would take about 0 GB of memory, more than this machine's 0 GB"):
        daryo.run(daryo.load(DEMO))


def test_a_data_problem_found_as_the_run_starts_is_invalid_input(tmp_path, capsys):
    """A ``dataframe`` parameter whose CSV ends before the run is found when the run compiles the model: invalid
    input (exit 1, the model's problem as ``validate`` gives it), not a usage error (exit 2)."""
    (tmp_path / "short.csv").write_text("date,h0\n" + "".join(f"2001-01-{d:02d},1.0\n" for d in range(1, 32)))
    model = tmp_path / "m.yaml"
    model.write_text("version: 1\nname: m\ntime: {start: 2001-01, end: 2001-03}\nparameters:\n"
                     "  p: {type: dataframe, csv: short.csv, index_col: date, columns: [h0]}\n"
                     "nodes:\n  - {id: a, type: inflow, inflow: {parameter: p, unit: hm3/day}}\n"
                     "  - {id: sea, type: sink}\nedges: [[a, sea]]\n")
    assert main(["validate", str(model)]) == 1
    problem = capsys.readouterr().err
    assert "the file has no value for" in problem
    assert main(["run", str(model)]) == 1
    assert capsys.readouterr().err == problem


def test_two_traces_need_the_stochastic_hydrology(capsys):
    """A named hydrology is one trace: already two traces of it are refused (exit 2), before anything runs."""
    assert main(["run", "--scenarios", "2", "--years", "1"]) == 2
    assert "--scenarios 2 needs --hydrology stochastic (the norm hydrology is one trace)" in capsys.readouterr().err


def test_an_ensemble_deficit_threshold_must_be_below_one(tmp_path, capsys):
    """A deficit above 100 % of the demand cannot happen: --deficit-threshold 1 is a usage error (exit 2), named,
    before any work."""
    out = tmp_path / "e.nc"
    assert main(["ensemble", DEMO, "--traces", "1", "--years", "1", "-o", str(out), "--deficit-threshold", "1"]) == 2
    assert "--deficit-threshold: '1': give a fraction of the demand, at least 0 and below 1" in capsys.readouterr().err
    assert not out.exists()
    # the value as typed (a QA review: 100% was told as 1)
    assert main(["ensemble", DEMO, "--traces", "1", "--years", "1", "-o", str(out), "--deficit-threshold",
                 "100%"]) == 2
    assert "--deficit-threshold: '100%': give a fraction of the demand" in capsys.readouterr().err


def test_an_ensemble_of_a_file_whose_series_miss_a_date_says_it_reads_the_whole_span(tmp_path, capsys):
    """An ensemble resamples the years of the file's whole span, so a CSV missing a month of its fifth year is
    refused also for --years 1 (exit 1), and the advice to shorten the run, which --years does not do there, is
    followed by what does (end the file's span earlier); nothing is written."""
    dates = pd.date_range("2001-01-01", "2005-12-01", freq="MS").delete(50)  # 2005-03 missing
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "q": 10.0}).to_csv(tmp_path / "q.csv", index=False)
    model = tmp_path / "m.yaml"
    model.write_text("version: 1\nname: t\ntime: {start: 2001-01, end: 2005-12, step: month}\n"
                     "nodes:\n  - {id: src, type: inflow, inflow: {csv: q.csv}}\n  - {id: sea, type: sink}\n"
                     "edges: [[src, sea]]\n")
    out = tmp_path / "e.nc"
    assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "has no value for 2005-03-01" in err and err.count("\n") == 3
    assert err.endswith("\nnote: daryo ensemble resamples the years of the model file's whole time span (its 'time'), "
                        "whatever --years, so its series must cover all of that span: end the span before the "
                        "missing dates, or extend the series.\n")
    assert not out.exists() and not list(tmp_path.glob("e.nc*"))
    assert main(["run", str(model), "--years", "1"]) == 0  # (a run of 1 year reads the file's first year only)
    assert main(["ensemble", DEMO, "--traces", "1", "--years", "1", "-o", str(out), "--quiet",
                 "--scenario", str(tmp_path / "none.yaml")]) == 1  # another problem: no note
    assert "note:" not in capsys.readouterr().err


def test_the_summary_reports_the_largest_mass_balance_error_by_size(tmp_path, capsys):
    """A delay carrying the rate (1 hm³/day) from February to April: 28 hm³ enter in February and 31 leave in
    March (error −3), 31 enter in March and 30 leave in April (+1).  The largest error is 3, not +1."""
    model = tmp_path / "lag.yaml"
    model.write_text("version: 1\nname: lag\ntime: {start: 2001-02, end: 2001-04}\n"
                     "nodes:\n  - {id: in, type: inflow, inflow: 1 hm3/day}\n"
                     "  - {id: lag, type: delay, steps: 1, carry: rate}\n  - {id: sea, type: sink}\n"
                     "edges:\n  - [in, lag]\n  - [lag, sea]\n")
    assert main(["run", str(model)]) == 0
    assert "largest mass-balance error: 3.00e+00 hm³ per step" in capsys.readouterr().out


def test_years_past_the_dates_an_axis_holds_are_a_usage_error(tmp_path, capsys):
    assert main(["run", DEMO, "--years", "1000"]) == 2
    assert "--years 1000: 1000 years from 2000-10-01 run past 2261-12-31" in capsys.readouterr().err
    assert main(["run", "--years", "300"]) == 2  # the embedded model
    assert "300 years from 2000-10 run past 2261-12-31" in capsys.readouterr().err
    out = tmp_path / "e.nc"
    assert main(["ensemble", DEMO, "--traces", "2", "--years", "400", "-o", str(out)]) == 2
    assert "--years 400: 400 years from 2000-10-01 run past" in capsys.readouterr().err
    assert not out.exists()


def test_the_embedded_models_span_at_the_last_date_an_axis_holds(tmp_path, capsys):
    """A paleo-hydrologist's review: ``--start 2250-10 --end 2261-10`` was refused as "years=12: 12 years from 2250-10
    run past 2261-12-31" (the whole years of hydrology it makes), though no --years was given and the run ends inside
    the range; an --end past it is said of --end (it was "Out of bounds nanosecond timestamp"), and --years past it
    say which --start runs them (the ensemble's said "years=300")."""
    from daryo.basins.aral import load_aral_model

    assert load_aral_model(start="2250-10", end="2261-10").time.axis().n_steps == 133
    assert main(["run", "--start", "2250-10", "--end", "2262-10"]) == 2
    assert capsys.readouterr().err == ("daryo: error: --end 2262-10: the run's last month lies past 2261-12-31, the "
                                       "last date a time axis can hold; end it by 2261-12\n")
    said = ("--years 300: 300 years from 2000-10 run past 2261-12-31, the last date a time axis can hold: at most "
            "261 whole years from it end by then; or start them by 1962-01 (--start 1962-01)")
    assert main(["run", "--years", "300"]) == 2
    assert capsys.readouterr().err == f"daryo: error: {said}\n"
    assert main(["ensemble", "--traces", "2", "--years", "300", "-o", str(tmp_path / "e.nc")]) == 2
    assert capsys.readouterr().err == f"daryo: error: {said}\n"
    assert main(["run", "--start", "2240-10"]) == 2  # (30 years, the default)
    assert capsys.readouterr().err.startswith("daryo: error: the default --years 30: 30 years from 2240-10 run past")
    model = tmp_path / "edge.yaml"
    model.write_text("version: 1\nname: edge\ntime: {start: 1678-01, end: 1678-12}\n"
                     "nodes:\n  - {id: in, type: inflow, inflow: 1 hm3/day}\n  - {id: sea, type: sink}\n"
                     "edges: [[in, sea]]\n")
    assert daryo.load(model).with_time(years=584).time.axis().n_steps == 584 * 12  # (to 2261-12-31)
    assert main(["run", str(model), "--end", "2262-10"]) == 2
    assert capsys.readouterr().err.startswith("daryo: error: --end 2262-10: the run from 1678-01-01 to 2262-10-31 "
                                              "lies outside the dates a time axis can hold")


@pytest.mark.parametrize("argv", [["run", ""], ["validate", " "], ["convert", "", "-o", "x.yaml"],
                                  ["ensemble", "", "--traces", "2", "--years", "1", "-o", "x.nc"]])
def test_an_empty_model_path_is_a_usage_error(argv, capsys, tmp_path, monkeypatch):
    """It was read as '.': ".: is a folder, not a YAML or JSON file" (convert), or "'': is not a file name"."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert "daryo: error: model '" in capsys.readouterr().err and not list(tmp_path.iterdir())


def test_a_cost_mode_run_in_which_no_demand_gets_water_is_told_so(tmp_path, capsys):
    """allocation: cost with no cost that makes delivering pay gives every demand nothing: valid, but almost
    surely not meant (a QA pass copied a priority model to compare the rules, as the README suggests, and got
    100 % deficits without a word); run says so on standard error.  Not where a demand gets water: by a negative
    cost, a min_flow, or a cost on the other way (a review found a note from the costs alone wrong there)."""
    body = ("version: 1\nallocation: cost\ntime: {start: 2000-10, end: 2000-12}\nnodes:\n"
            "  - {id: src, type: inflow, inflow: 10}\n  - {id: farm, type: demand, demand: 5FARM}\n"
            "  - {id: sea, type: sinkSEA}\nedges: [[src, farm], [src, sea]]\n")
    note = ("note: no demand got any water: in cost mode a demand gets water only where it can reach it and the "
            "costs make delivering pay (a negative cost on the demand: what a hm³ delivered is worth)\n")
    for farm, sea, told in (("", "", True), (", cost: -1", "", False), (", min_flow: 5", "", False),
                            ("", ", cost: 1", False)):
        path = tmp_path / "m.yaml"
        path.write_text(body.replace("FARM", farm).replace("SEA", sea))
        assert main(["run", str(path)]) == 0
        assert capsys.readouterr().err == (note if told else ""), (farm, sea)
    assert main(["run", str(demo_model_path()), "--years", "1"]) == 0 and capsys.readouterr().err == ""


def test_a_cost_mode_run_in_which_some_demands_get_no_water_names_them(tmp_path, capsys):
    """The note came only where no demand at all got water: a cost model in which one demand and the sea paid for
    water and two demands did not gave those two nothing in every step, without a word (a new user's
    walkthrough)."""
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\nallocation: cost\ntime: {start: 2000-10, end: 2000-12}\nnodes:\n"
                    "  - {id: src, type: inflow, inflow: 10}\n  - {id: up, type: demand, demand: 5, cost: -1}\n"
                    "  - {id: a, type: demand, demand: 2}\n  - {id: b, type: demand, demand: 2}\n"
                    "  - {id: sea, type: sink, cost: -0.5}\nedges: [[src, up], [src, a], [src, b], [src, sea]]\n")
    assert main(["run", str(path)]) == 0
    assert capsys.readouterr().err == (
        "note: demands a, b got no water in the whole run though they asked for some: in cost mode a demand gets "
        "water only where it can reach it and the costs make delivering pay (a negative cost on the demand: what a "
        "hm³ delivered is worth)\n")
    path.write_text(path.read_text().replace("{id: a, type: demand, demand: 2}", "{id: a, type: demand, demand: 0}"))
    assert main(["run", str(path)]) == 0
    assert "note: demand b got no water in the whole run though it asked" in capsys.readouterr().err


def test_every_argument_of_every_command_has_a_help_text():
    """`daryo validate --help` and `daryo info --help` listed their model argument without a word (a user review)."""
    import argparse

    from daryo.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    silent = [f"{name} {action.dest}" for name, sub in commands.items() for action in sub._actions
              if not action.help and not isinstance(action, argparse._HelpAction)]
    assert not silent, silent


def test_run_prints_each_plants_winter_and_summer_energy_and_what_its_target_lacked(capsys):
    """An energy planner's review: `daryo run` gave energy by country only; a winter-energy briefing needs each
    plant's winter and summer energy and its target's shortfall (none shown for a plant without a target)."""
    import daryo
    from daryo.indicators import energy_by_season

    assert main(["run"]) == 0
    out = capsys.readouterr().out
    rows = out[out.index("hydropower by plant (GWh/yr; winter = October–March; short of target"):].splitlines()
    assert rows[1].split() == ["plant", "country", "winter", "summer", "short", "of", "target"]
    ds = daryo.run(daryo.load()).dataset
    seasons = energy_by_season(ds, by="element")
    printed = {r.split()[0]: r.split()[1:] for r in rows[2:2 + ds.sizes["hydropower"]]}
    assert list(printed) == list(ds.hydropower.values)
    for plant, (country, winter, summer, short) in printed.items():
        assert country == str(ds.hydropower_country.sel(hydropower=plant).values)
        assert float(winter) == pytest.approx(seasons.loc["winter", plant], abs=0.05)
        assert float(summer) == pytest.approx(seasons.loc["summer", plant], abs=0.05)
        if float(ds.energy_target.sel(hydropower=plant).sum()) > 0:
            want = float(ds.energy_shortfall.sel(hydropower=plant).sum()) / 30
            assert float(short) == pytest.approx(want, abs=0.05)
        else:
            assert short == "–"
    assert printed["nurek_hpp"][3] != "–" and float(printed["nurek_hpp"][3]) > 0  # (a target short, by the card)


def test_run_starts_the_embedded_model_in_a_given_month(tmp_path, capsys):
    """A review (a basin organisation planning the season from April with today's volumes): the command line had no
    start month, so an overlay of April's volumes was applied to October 2000."""
    today = tmp_path / "today.yaml"
    today.write_text("title: today\nchanges:\n  - set: {nurek: {initial_volume: 6.5 km3}}\n")
    assert main(["run", "--start", "2026-04", "--years", "1", "--scenario", str(today), "-o",
                 str(tmp_path / "r.nc")]) == 0
    out = capsys.readouterr().out
    assert "12 steps, 2026-04 to 2027-03" in out
    assert "The run starts in April 2026, not on 1 October" in out and "nurek 10.3" not in out
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        assert str(ds.time.values[0])[:7] == "2026-04"
        assert float(ds.storage.sel(reservoir="nurek").isel(time=0, scenario=0)) < 7000  # (from 6,500 hm³)
    assert main(["run", DEMO, "--start", "2026-04"]) == 2
    assert "--start 2026-04: applies to the embedded model only" in capsys.readouterr().err
    assert main(["run", "--start", "2026-13", "--years", "1"]) == 2
    assert "daryo: error: --start 2026-13: '2026-13' is not a date" in capsys.readouterr().err


def test_run_ends_in_a_given_month(tmp_path, capsys):
    """A seasonal forecaster's review: a season's outlook (April to September) could be run only in Python
    (RunOptions(end=...)); --years runs whole years.  --end runs to the end of a month, of the embedded model (built
    for as many years as it takes: 2027-04 to 2028-09 is 18 months) and of a model file; with --years, or a month
    that is not a date, it is a usage error."""
    assert main(["run", "--start", "2027-04", "--end", "2027-09", "-o", str(tmp_path / "s.nc")]) == 0
    assert "6 steps, 2027-04 to 2027-09" in capsys.readouterr().out
    with xr.open_dataset(tmp_path / "s.nc") as ds:
        assert [str(t)[:7] for t in ds.time.values[[0, -1]]] == ["2027-04", "2027-09"]
    assert main(["run", "--start", "2027-04", "--end", "2028-09"]) == 0
    assert "18 steps, 2027-04 to 2028-09" in capsys.readouterr().out
    assert main(["run", DEMO, "--end", "2001-03"]) == 0
    assert "6 steps, 2000-10 to 2001-03" in capsys.readouterr().out
    assert main(["run", "--end", "2001-03", "--years", "2"]) == 2
    assert "--end 2001-03 and --years 2: give one of them" in capsys.readouterr().err
    for model in ([], [DEMO]):  # (told alike for the embedded model and a model file: a CLI review)
        assert main(["run", *model, "--end", "2001-13"]) == 2
        assert "daryo: error: --end 2001-13: '2001-13' is not a date" in capsys.readouterr().err
        assert main(["run", *model, "--end", "1999-01"]) == 2
        assert "daryo: error: --end 1999-01: the run would end" in capsys.readouterr().err
    # a season's forecast covers the season alone (a diff review: the model was built for a whole year, and the
    # forecast's CSV was asked for October to March too)
    dates = pd.date_range("2027-04-01", periods=6, freq="MS").strftime("%Y-%m-%d")
    pd.DataFrame({"date": dates, "m01": 300.0}).to_csv(tmp_path / "v.csv", index=False)
    (tmp_path / "fc.yaml").write_text(f"changes:\n  - set: {{vakhsh_in: {{inflow: {{csv: {tmp_path / 'v.csv'}, "
                                      "unit: hm3}}}\n")
    assert main(["run", "--start", "2027-04", "--end", "2027-09", "--scenario", str(tmp_path / "fc.yaml")]) == 0
    assert "6 steps, 2027-04 to 2027-09" in capsys.readouterr().out


def test_a_csv_name_the_file_systems_encoding_cannot_hold_is_a_message_not_a_traceback(tmp_path):
    """A Russian-speaking analyst's review: with UTF-8 forced off (LC_ALL=C, PYTHONUTF8=0), a model naming a CSV file
    in Cyrillic crashed with a UnicodeEncodeError traceback.  It is a problem that names the file and says what to
    set (where the system gives Python UTF-8 all the same, the model is simply valid)."""
    (tmp_path / "приток.csv").write_text("date,a\n2001-01,1\n2001-02,1\n2001-03,1\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text("version: 1\nname: t\ntime: {start: 2001-01, end: 2001-03}\nnodes:\n"
                                     "  - {id: src, type: inflow, inflow: {csv: приток.csv, column: a}}\n"
                                     "  - {id: sea, type: sink}\nedges: [[src, sea]]\n", encoding="utf-8")
    (tmp_path / "p.json").write_text(  # (and a Pywr file's dataframe: a diff review)
        '{"metadata": {"title": "t", "minimum_version": "1.0"}, "timestepper": {"start": "2001-01-01", "end": '
        '"2001-03-31", "timestep": "M"}, "nodes": [{"name": "c", "type": "catchment", "flow": {"type": "dataframe", '
        '"url": "приток.csv", "column": "a", "index_col": "date", "parse_dates": true}}, {"name": "o", "type": '
        '"output"}], "edges": [["c", "o"]]}', encoding="utf-8")
    daryo = Path(sys.executable).parent / "daryo"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    for model in ("m.yaml", "p.json"):
        proc = subprocess.run([str(daryo), "validate", model], capture_output=True, timeout=120, env=env,
                              cwd=tmp_path)
        assert b"Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode == 0 or b"cannot be looked for: its name has characters the file system's encoding" in (
            proc.stdout + proc.stderr), (proc.stdout, proc.stderr)


def test_an_output_that_is_a_named_pipe_or_standard_output_is_refused_before_any_work(tmp_path, capsys):
    """An automation review: a CSV or NetCDF target that was a named pipe (or /dev/stdout on a pipe) hung the
    command for ever, without a word, before any work: the check that it was an earlier output read it, waiting
    for a writer.  It is refused; so is ``-`` (a file or folder named "-" was written, where a script meant
    standard output)."""
    import signal

    def hung(*_):
        raise TimeoutError("the command waited on the pipe")

    run = tmp_path / "r.nc"
    assert main(["run", "--years", "1", "-o", str(run)]) == 0
    ens = tmp_path / "e.nc"
    assert main(["ensemble", "--traces", "2", "--years", "1", "-o", str(ens), "--quiet"]) == 0
    capsys.readouterr()
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        for argv in (["run", "--years", "1", "-o", str(pipe.with_suffix(".nc"))],
                     ["summary", str(ens), "--csv", str(pipe)],
                     ["summary", str(run), "--csv", str(pipe)],  # (a run's results: it waited, an operations review)
                     ["compare", str(run), str(run), "--csv", str(pipe)],
                     ["ensemble", "--traces", "2", "--years", "1", "-o", str(tmp_path / "e2.nc"), "--summary-csv",
                      str(pipe), "--quiet"]):
            if argv[0] == "run":
                os.mkfifo(argv[-1])
            assert main(argv) == 1, argv
            assert "exists and is neither a file nor a folder (a named pipe or a device); it is not written" in (
                capsys.readouterr().err), argv
        for store in (tmp_path / "p.nc", tmp_path / "p.zarr"):  # (the store read: it waited too)
            os.mkfifo(store)
            assert main(["summary", str(store)]) == 1
            assert f"{store} is neither a file nor a folder (a named pipe, a device or a socket)" in (
                capsys.readouterr().err)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    for argv, said in ((["summary", str(ens), "--csv", "-"], "--csv -: daryo writes a file there, not to standard "
                        "output"),
                       (["run", "--years", "1", "--csv", "-"], "--csv -: daryo writes CSV files into a folder, not "
                        "to standard output"),
                       (["run", "--years", "1", "-o", "-"], "-o -: daryo writes a NetCDF file, not to standard "
                        "output")):
        assert main(argv) == 2
        assert said in capsys.readouterr().err
    assert not Path("-").exists()


def test_validate_checks_several_model_files_each_on_its_own(tmp_path, capsys):
    """An automation review: a batch of users' model files could be told apart only one process a file (``daryo
    validate a.yaml b.yaml`` was a usage error).  Each file is checked as alone, its problems said with its name;
    the exit code is 1 where any has a problem, 0 where all are valid; a blank name is a usage error."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: b\ntime: {start: 2001-01, end: 2001-03, step: Dekad}\n"
                   "nodes: [{id: s, type: sink}]\nedges: []\n")
    assert main(["validate", DEMO, str(bad), str(tmp_path / "missing.yaml"), DEMO]) == 1
    cap = capsys.readouterr()
    assert cap.out.count(f"{DEMO}: valid (") == 2 and cap.out.endswith("2 of 4 model files valid\n")
    assert f"{bad}: time.step (line 3): 'Dekad' is not a step" in cap.err
    assert f"{tmp_path / 'missing.yaml'}: file not found" in cap.err
    assert main(["validate", DEMO, DEMO]) == 0
    assert capsys.readouterr().out.endswith("2 of 2 model files valid\n")
    assert main(["validate", DEMO, " "]) == 2
    assert "model ' ': give a model file's path" in capsys.readouterr().err


def test_check_is_validate(tmp_path, capsys):
    """A team's review: ``daryo check model.yaml``, which many modellers type first, was a usage error (exit 2,
    "invalid choice: 'check'").  It is ``daryo validate``, its options and exit codes too."""
    assert main(["check", DEMO]) == 0
    assert f"{DEMO}: valid (12 nodes, 10 edges, 5 scenario trace(s))" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: b\ntime: {start: 2001-01, end: 2001-03, step: Dekad}\n"
                   "nodes: [{id: s, type: sink}]\nedges: []\n")
    assert main(["check", str(bad), "--confine"]) == 1
    assert f"{bad}: time.step (line 3): 'Dekad' is not a step" in capsys.readouterr().err
    assert main(["check", DEMO, "--scenarios", "2"]) == 2  # (an option of daryo run's, named by validate's usage)
    assert "daryo validate: error: unrecognized arguments: --scenarios 2" in capsys.readouterr().err


def test_the_summary_of_a_short_dekad_run_names_its_days(tmp_path, capsys):
    """A BWO planner's review: a dekad run from 11 April to 20 May 2001 was said to run "April 2001 to May 2001",
    as if it had whole months; its first and last days are named."""
    model = tmp_path / "dekads.yaml"
    model.write_text("version: 1\nname: d\ntime: {start: 2001-04-11, end: 2001-05-20, step: dekad}\nnodes:\n"
                     "  - {id: src, type: inflow, inflow: 10 m3/s}\n  - {id: town, type: demand, demand: 3 m3/s}\n"
                     "  - {id: sea, type: sink}\nedges:\n  - [src, town]\n  - [src, sea]\n", encoding="utf-8")
    assert main(["run", str(model)]) == 0
    assert "the run, 11 April 2001 to 20 May 2001, covers 0.11 hydrological years" in capsys.readouterr().out


def test_confine_keeps_each_command_s_model_in_its_folder_and_info_lists_the_files_read(tmp_path, capsys):
    """The UN Centre's security reviewer (a batch service running users' model files): ``--confine`` on run,
    validate, ensemble and info refuses a data file outside the model file's folder, unread (its columns are not
    listed); ``daryo info`` lists the files a model read, with their SHA-256, as ``sha256sum`` writes them."""
    models = tmp_path / "models"
    models.mkdir()
    (tmp_path / "secret.csv").write_text("date,secret_token_abc123\n2001-01-01,1\n")
    (models / "q.csv").write_text("date,q\n2001-01-01,10\n2001-02-01,20\n")
    text = ("version: 1\ntime: {start: 2001-01, end: 2001-02}\n"
            "nodes:\n  - {id: src, type: inflow, inflow: {csv: CSV, column: q}}\n  - {id: sea, type: sink}\n"
            "edges: [[src, sea]]\n")
    bad, good = models / "bad.yaml", models / "good.yaml"
    bad.write_text(text.replace("CSV", "../secret.csv"))
    good.write_text(text.replace("CSV", "q.csv"))
    for command in (["run"], ["validate"], ["info"], ["ensemble", "--traces", "2", "--years", "1", "-o",
                                                       str(tmp_path / "e.zarr")]):
        assert main([*command, str(bad), "--confine"]) == 1, command
        err = capsys.readouterr().err
        assert "nodes[src].inflow (line 4): CSV file '../secret.csv' leads outside the model file's folder" in err
        assert "secret_token_abc123" not in err
    assert main(["info", str(good), "--confine"]) == 0
    digest = hashlib.sha256((models / "q.csv").read_bytes()).hexdigest()
    assert f"data files: 1\n  {digest}  q.csv\n" in capsys.readouterr().out


def test_convert_confines_a_pywr_models_data_files_to_its_folder(tmp_path, capsys):
    """A CLI review: ``daryo convert`` reads a Pywr model's data files and includes but had no ``--confine``, which
    run, validate, ensemble and info have (the README presents it for models from others).  Confined, a table and
    an include outside the model's folder are refused unread, nothing written; inside it, the model converts."""
    import json

    models, other = tmp_path / "models", tmp_path / "other"
    models.mkdir()
    other.mkdir()
    (other / "secret.csv").write_text("year,secret_token_abc123\n2021,1.0\n")
    (other / "more.json").write_text('{"parameters": {"p": {"type": "constant", "value": 1.0}}}')
    doc = {"timestepper": {"start": "2021-01-01", "end": "2021-12-31", "timestep": "M"},
           "includes": ["../other/more.json"],
           "nodes": [{"name": "in", "type": "input", "max_flow": {"type": "constant", "table": "caps",
                                                                  "index": "2021", "column": "x"}},
                     {"name": "out", "type": "output", "max_flow": "p", "cost": -1.0}],
           "edges": [["in", "out"]], "tables": {"caps": {"url": "../other/secret.csv", "index_col": 0}}}
    (models / "bad.json").write_text(json.dumps(doc))
    out = tmp_path / "out.yaml"
    assert main(["convert", str(models / "bad.json"), "-o", str(out), "--confine"]) == 1
    err = capsys.readouterr().err
    assert "includes: included file '../other/more.json' leads outside the model file's folder" in err
    assert "nodes[in].max_flow: CSV file '../other/secret.csv' leads outside the model file's folder" in err
    assert "secret_token_abc123" not in err and not out.exists()
    (models / "more.json").write_text((other / "more.json").read_text())
    (models / "caps.csv").write_text("year,x\n2021,3.0\n")
    (models / "good.json").write_text(json.dumps({**doc, "includes": ["more.json"], "tables": {"caps": {
        "url": "caps.csv", "index_col": 0}}}))
    assert main(["convert", str(models / "good.json"), "-o", str(out), "--confine"]) == 0
    assert out.is_file() and capsys.readouterr().err == ""


@pytest.mark.parametrize("cached", [False, True])
def test_a_run_says_when_numba_compiles_the_kernels_first(monkeypatch, capsys, cached):
    """A release engineer's review: after ``pip install 'daryo[fast]'`` the first ``daryo run --years 2`` took
    1 min 10 s without a word (Numba compiling the fast path's kernels), the next 5 s.  Where Numba's cache holds
    none of them the command line says so, once per run, on stderr."""
    from daryo.simulate import _kernel

    asked = []
    monkeypatch.setattr(_kernel, "in_cache", lambda kernels=(): asked.append(kernels) or cached)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # (said to a person at a terminal only)
    assert main(["run", str(demo_model_path()), "--years", "1"]) == 0
    said = ("daryo: compiling the fast path's kernels with Numba for their first use (about a minute, once; "
            "`python -m daryo.precompile` does it ahead of time)\n")
    assert capsys.readouterr().err == ("" if cached else said)
    assert asked == [("solve_all",)]  # (a priority run of one scenario: the dual simplex alone, a CLI review)
    # the plain path compiles nothing: not a word (a diff review)
    assert main(["run", str(demo_model_path()), "--years", "1", "--method", "plain"]) == 0
    assert capsys.readouterr().err == ""
    # nor to a log or a pipe, whose output would depend on the state of a cache (a subprocess test read it)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert main(["run", str(demo_model_path()), "--years", "1"]) == 0
    assert capsys.readouterr().err == ""


def _village_model(folder: Path) -> Path:
    """An irrigation demand of 10⁶ hm³ and a village of 0.001 hm³ a month at priority 1, from a river of half as
    much, for 3 months: each gets half its demand."""
    path = folder / "fairscale.yaml"
    path.write_text("version: 1\nname: fairscale\ntime: {start: 2000-10, end: 2000-12}\nnodes:\n"
                    "  - {id: river, type: inflow, inflow: 500000}\n  - {id: j, type: junction}\n"
                    "  - {id: irrigation, type: demand, demand: 1000000, priority: 1}\n"
                    "  - {id: village, type: demand, demand: 0.001, priority: 1, category: municipal}\n"
                    "  - {id: sea, type: sink}\nedges: [[river, j], [j, irrigation], [j, village], [j, sea]]\n")
    return path


@pytest.mark.parametrize("method", ["auto", "fast", "plain"])
def test_run_takes_the_method_and_its_results_say_which_path_ran(tmp_path, capsys, method):
    """A numerical analyst's review: ``daryo run`` had no option for the method, and a run's results did not say
    which path had solved them (in cost mode with tied costs the two may differ).  ``--method`` chooses it, and the
    results' ``solver_method`` (and ``solver_method_choice``) record it."""
    out = tmp_path / "r.nc"
    assert main(["run", str(_village_model(tmp_path)), "--method", method, "-o", str(out)]) == 0
    attrs = xr.open_dataset(out).attrs
    assert attrs["solver_method"] == ("plain" if method == "plain" else "fast")
    assert attrs["solver_method_choice"] == ("plain: the plain path, as asked" if method == "plain" else
                                             f"{method}: the fast path")
    capsys.readouterr()
    assert main(["run", str(_village_model(tmp_path)), "--method", "quick"]) == 2
    assert "invalid choice: 'quick'" in capsys.readouterr().err


def test_the_demands_short_table_shows_a_small_demand_with_its_digits(tmp_path, capsys):
    """A numerical analyst's review: the table of demands short printed a village's 0.003 hm³ in the run as 0.0
    (``village 0.0 0.0 0.0 50.0 % 100.0 %``), as if it had asked for nothing."""
    assert main(["run", str(_village_model(tmp_path))]) == 0
    out = capsys.readouterr().out
    village = next(line for line in out.splitlines() if line.startswith("  village"))
    assert village.split() == ["village", "0.003", "0.0015", "0.0015", "50.0", "%", "100.0", "%"]
    assert "  irrigation                  3000000.0  1500000.0  1500000.0   50.0 %      100.0 %" in out


@pytest.mark.parametrize(("signum", "code", "said"), [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "terminated"),
                                                      ("SIGHUP", 129, "hung up")])
def test_an_interrupt_a_compiled_library_swallows_ends_the_command_as_interrupted(monkeypatch, capsys, signum, code,
                                                                                   said):
    """A CLI review: Ctrl-C (or SIGTERM) during Numba's first compile is raised inside a ctypes callback, which
    prints it as "Exception ignored" and drops it; the compiler then fails ("RuntimeError: no compiled object yet"),
    and daryo reported an internal error, a bug, exit 1, after a traceback.  The signal is remembered: the command
    ends as interrupted (130) or terminated (143), and the swallowed interrupt is not printed."""
    import signal
    import types

    from daryo import cli

    def swallowing(args):
        try:
            signal.raise_signal(getattr(signal, signum))
        except BaseException as exc:  # (as ctypes does: to the unraisable hook, then the library fails)
            sys.unraisablehook(types.SimpleNamespace(exc_type=type(exc), exc_value=exc, exc_traceback=None,
                                                     err_msg="Exception ignored on calling ctypes callback function",
                                                     object=None))
        raise RuntimeError("no compiled object yet for <Library '_factor'>")

    parser_func = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_func(parser_func(), "scenarios", swallowing))
    assert main(["scenarios"]) == code
    err = capsys.readouterr().err
    assert err == f"{said}\n", err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # (restored)
    assert main(["scenarios"]) == code  # (once more: the record is the command's, not the process's)
    capsys.readouterr()


def _with_func(parser, command, func):
    """``parser`` with ``command``'s function replaced by ``func``."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.choices[command].set_defaults(func=func)
    return parser


def test_a_tilde_the_shell_left_in_an_output_path_is_the_home_folder(tmp_path, capsys, monkeypatch):
    """A trainer's review: ``-o '~/t.nc'`` or ``--output=~/t.nc`` (which the shell does not expand) was refused as
    "cannot write to ~/t.nc: .../~ does not exist", though model paths and the Python API read ``~`` as the home
    folder: so do the outputs of ``daryo run`` (and ``--csv``) and ``daryo ensemble`` (and ``--summary-csv``)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    assert main(["run", DEMO, "--years", "1", "--scenarios", "1", "--output=~/t.nc", "--csv", "~/c"]) == 0
    assert main(["ensemble", DEMO, "--traces", "2", "--years", "1", "--quiet", "-o", "~/e.nc", "--summary-csv",
                 "~/s.csv"]) == 0
    capsys.readouterr()
    assert main(["summary", "~/e.nc", "--csv", "~/s2.csv"]) == 0
    assert sorted(p.name for p in home.iterdir()) == ["c", "e.nc", "s.csv", "s2.csv", "t.nc"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]  # (no folder named "~")


@pytest.mark.parametrize(("signum", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_an_interrupt_at_the_command_line_waits_for_the_write_under_way(monkeypatch, capsys, tmp_path, signum, code):
    """A reread: the command's own SIGINT handler (set to remember an interrupt a compiled library swallows) made
    daryo._files.interrupts_between take it for a caller's own and leave Ctrl-C to strike inside a write (an
    interrupted NetCDF write holds HDF5's lock, and the command then hangs), and SIGHUP was not held at all.  Each
    is held until the write under way is done, then ends the command: its exit code, nothing left behind."""
    import signal
    import time

    from daryo import results

    real, done = results.Results.save, []

    def interrupted(self, *args, **kwargs):
        def write(*a, **k):
            os.kill(os.getpid(), getattr(signal, signum))
            time.sleep(0.2)
            done.append(True)  # (the write was not cut short)
        monkeypatch.setattr(xr.Dataset, "to_netcdf", write)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(results.Results, "save", interrupted)
    assert main(["run", DEMO, "--years", "1", "-o", str(tmp_path / "r.nc")]) == code
    said = {130: "interrupted", 143: "terminated", 129: "hung up"}[code]
    assert done == [True] and capsys.readouterr().err.strip().endswith(said)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_a_finalizer_swallows_is_not_lost_when_the_command_then_ends(monkeypatch, capsys):
    """A verifier's review: a Ctrl-C that landed while a finalizer ran (xarray's file manager's __del__) was printed
    as ignored and dropped, and the run went on to write its outputs and end with exit 0, twice in 25 tries.  The
    command still does its work (its outputs are whole), then ends as interrupted: 130, said so."""
    import types

    from daryo import cli

    def finished_despite(args):
        sys.unraisablehook(types.SimpleNamespace(exc_type=KeyboardInterrupt, exc_value=KeyboardInterrupt(),
                                                 exc_traceback=None, err_msg="Exception ignored in", object=None))
        print("done")
        return 0

    parser_func = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_func(parser_func(), "scenarios", finished_despite))
    assert main(["scenarios"]) == 130
    out, err = capsys.readouterr()
    assert out == "done\n" and err == "interrupted; the command had done its work, its outputs whole\n"


def test_validate_and_run_take_an_overlay_file_in_json(tmp_path, capsys):
    """A review by an engineer who writes JSON models and overlays from a database: `daryo validate model.json
    --scenario ov.json` was an "unknown scenario", the file "not read as an overlay, whose name ends in .yaml or
    .yml"."""
    (tmp_path / "ov.json").write_text('{"title": "dry", "changes": [{"scale_inflows": {"factor": 0.8}}]}')
    assert main(["validate", DEMO, "--scenario", str(tmp_path / "ov.json")]) == 0
    assert f"with {tmp_path / 'ov.json'}: valid" in capsys.readouterr().out
    assert main(["run", DEMO, "--scenario", str(tmp_path / "ov.json"), "--years", "1",
                 "-o", str(tmp_path / "r.nc")]) == 0
    assert f"scenario overlays (in order): {tmp_path / 'ov.json'}" in capsys.readouterr().out
