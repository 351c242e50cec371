"""The tables ``daryo run`` prints and ``summary.csv`` (:mod:`daryo.results.tables`): every printed table in the
file, with the figures printed."""

import pandas as pd
import pytest

import daryo
from daryo.cli import summary as printer
from daryo.cli.summary import format_summary
from daryo.model import model_from_dict

#: the monthly inflow of river a, January first: 30 hm³ in October–March, 12 in April–September
RIVER = [30.0] * 3 + [12.0] * 6 + [30.0] * 3


def _two_systems(start: str = "2001-10", end: str = "2002-09", river: object = None) -> daryo.Model:
    """Uzbekistan on two river systems, Kazakhstan on one, monthly from ``start`` to ``end``::

        amu: [a: 30 Oct–Mar, 12 Apr–Sep] --> (j) --> [town: UZB, municipal, 10, p1]
                                              |----> [farm: UZB, irrigation, 30, p3]
                                              \\----> (river) --> [sea]      env: 5 at river, p2, UZB

        syr: [b: 10] --> <dam: KAZ, V0 = 40, max 100, target 40 (p2)> --> (k) --> [mill: UZB, industrial, 12, p1]
                                                                            \\--> [orchard: KAZ, irrigation, 5, p3]

    A winter month: the town takes 10, env 5 (to the sea), the farm the other 15 of its 30.  A summer month: the
    town 10, env the other 2 (short 3), the farm nothing.  On the syr the mill takes the river's 10 and 2 from the
    dam, which ends each month 2 lower (38, 36, … 16: short of its target by 2, 4, … 24); the target (p2) keeps the
    rest from the orchard (p3), which gets nothing.  ``river``: a's inflow (default :data:`RIVER`)."""
    return model_from_dict({
        "version": 1, "name": "two systems", "time": {"start": start, "end": end, "step": "month"},
        "metadata": {"basins": {"amu": ["a"], "syr": ["b"]}},
        "nodes": [{"id": "a", "type": "inflow", "inflow": river or {"monthly": RIVER}},
                  {"id": "j", "type": "junction"},
                  {"id": "town", "type": "demand", "demand": 10, "category": "municipal", "priority": 1,
                   "country": "UZB"},
                  {"id": "farm", "type": "demand", "demand": 30, "category": "irrigation", "priority": 3,
                   "country": "UZB"},
                  {"id": "river", "type": "junction"},
                  {"id": "env", "type": "flow_requirement", "at": "river", "flow": 5, "priority": 2, "country": "UZB"},
                  {"id": "sea", "type": "sink"},
                  {"id": "b", "type": "inflow", "inflow": 10},
                  {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 40, "target_volume": 40,
                   "target_priority": 2, "country": "KAZ"},
                  {"id": "k", "type": "junction"},
                  {"id": "mill", "type": "demand", "demand": 12, "category": "industrial", "priority": 1,
                   "country": "UZB"},
                  {"id": "orchard", "type": "demand", "demand": 5, "category": "irrigation", "priority": 3,
                   "country": "KAZ"}],
        "edges": [["a", "j"], ["j", "town"], ["j", "farm"], ["j", "river"], ["river", "sea"],
                  ["b", "dam"], ["dam", "k"], ["k", "mill"], ["k", "orchard"]]})


def _run(model, tmp_path):
    """The ``summary.csv`` a run of ``model`` writes with its CSV files, and the summary it prints."""
    results = daryo.run(model)
    results.to_csv(tmp_path, model=model)
    summary = pd.read_csv(tmp_path / "summary.csv", keep_default_na=False, na_values={"value": [""]})
    return summary, format_summary(model, results)


def _rows(summary, table):
    """The rows of ``table`` in ``summary.csv``, in order: (element, country, quantity, season, value, units)."""
    rows = summary[summary["table"] == table]
    return list(zip(rows["element"], rows["country"], rows["quantity"], rows["season"], rows["value"], rows["units"],
                    strict=True))


def _expect(element, country, season, units, **values):
    """The rows of one element: a row per quantity (``name=value`` or ``name=(value, season, units)``)."""
    return [(element, country, q, *((v[1], v[0], v[2]) if isinstance(v, tuple) else (season, v, units)))
            for q, v in values.items()]


def _same(got, want):
    """Rows of :func:`_rows` equal to ``want``, the values to the 9 significant digits the CSV file writes."""
    assert [r[:4] + r[5:] for r in got] == [w[:4] + w[5:] for w in want]
    assert [r[4] for r in got] == pytest.approx([w[4] for w in want], rel=1e-8, abs=1e-9)


def _printed(printed, heading):
    """The rows of the printed block that starts with ``heading``, each split into its cells (" %" dropped)."""
    block = printed[printed.index(f"\n{heading}") + 1:].split("\n\n")[0].splitlines()
    return [line.replace(" %", "").split() for line in block[2:]]


def _printed_values(summary, table, element, quantities, country=None):
    """The values of ``summary.csv`` of one element (and ``country``), quantity (and season: None, any) after
    quantity, as the printed cells show them (one decimal)."""
    rows = summary[(summary["table"] == table) & (summary["element"] == element)]
    if country is not None:
        rows = rows[rows["country"] == country]
    cells = []
    for quantity, season in quantities:
        pick = rows[(rows["quantity"] == quantity) & ((rows["season"] == season) if season else True)]
        assert len(pick) == 1, pick
        cells.append(f"{pick['value'].iloc[0]:.1f}")
    return cells


def test_summary_csv_holds_every_table_daryo_run_prints_in_the_order_printed(tmp_path):
    """A documentation tester's review: summary.csv is "the tables daryo run prints as one long table", but held
    four of them (country, plant, sink, river system); the irrigation by country, the demands short, the countries on
    several river systems, the flow requirements and the reservoirs, printed too, were not in it.  A year of
    :func:`_two_systems` (hm³/yr):

    - irrigation: UZB's farm 360 demanded (30 a month), 90 delivered (15 in each winter month), short 270 (75 %;
      winter 90 of 180, 50 %; summer 100 %); KAZ's orchard 60, none delivered (100 %);
    - demands short: the orchard (100 %) before the farm (75 %), each short in all its 12 steps;
    - UZB by system: amu 480 demanded (town 120, farm 360), 210 delivered, 270 short (56.25 %); syr 144, all
      delivered;
    - env: 60 required, 42 met (6 × 5 + 6 × 2), 18 short, in 6 of 12 steps (50 %);
    - dam: 40 at the start, 16 at the end (−24), lowest 16; short of its target 40 by 2, 4, … 24 (mean 13) at all
      12 steps' ends.
    """
    summary, printed = _run(_two_systems(), tmp_path)
    assert list(dict.fromkeys(summary["table"])) == ["country", "irrigation", "demand", "country_system", "sink",
                                                      "flow_requirement", "reservoir", "water_stress"]
    water = "hm3 per year"
    _same(_rows(summary, "irrigation"), [
        *_expect("KAZ", "KAZ", "year", water, demanded=60.0, delivered=0.0, deficit=60.0,
                 deficit_share=(100.0, "year", "%")),
        ("KAZ", "KAZ", "deficit_share", "winter", 100.0, "%"), ("KAZ", "KAZ", "deficit_share", "summer", 100.0, "%"),
        *_expect("UZB", "UZB", "year", water, demanded=360.0, delivered=90.0, deficit=270.0,
                 deficit_share=(75.0, "year", "%")),
        ("UZB", "UZB", "deficit_share", "winter", 50.0, "%"), ("UZB", "UZB", "deficit_share", "summer", 100.0, "%")])
    _same(_rows(summary, "demand"), [
        *_expect("orchard", "KAZ", "year", water, demanded=60.0, delivered=0.0, deficit=60.0,
                 deficit_share=(100.0, "year", "%"), steps_short=(100.0, "year", "%")),
        *_expect("farm", "UZB", "year", water, demanded=360.0, delivered=90.0, deficit=270.0,
                 deficit_share=(75.0, "year", "%"), steps_short=(100.0, "year", "%"))])
    _same(_rows(summary, "country_system"), [
        *_expect("amu", "UZB", "year", water, demanded=480.0, delivered=210.0, deficit=270.0,
                 deficit_share=(56.25, "year", "%")),
        *_expect("syr", "UZB", "year", water, demanded=144.0, delivered=144.0, deficit=0.0,
                 deficit_share=(0.0, "year", "%"))])
    _same(_rows(summary, "flow_requirement"), _expect("env", "UZB", "year", water, required=60.0, met=42.0,
                                                      short=18.0, steps_short=(50.0, "year", "%")))
    _same(_rows(summary, "reservoir"), _expect("dam", "KAZ", "run", "hm3", start=40.0, end=16.0, change=-24.0,
                                               lowest=16.0, short_of_target=13.0, steps_short=(100.0, "run", "%")))
    _agrees_with_the_print(summary, printed)


def _agrees_with_the_print(summary, printed):
    """Each printed row of the irrigation, demands short, countries by system, flow requirements and reservoirs is
    ``summary.csv``'s (to the one decimal printed), and only those rows are in it."""
    irrigation = _printed(printed, "irrigation by country")
    assert [r[0] for r in irrigation] == list(dict.fromkeys(summary.loc[summary["table"] == "irrigation", "element"]))
    for row in irrigation:
        assert row[1:] == _printed_values(summary, "irrigation", row[0], [
            ("demanded", None), ("delivered", None), ("deficit", None), ("deficit_share", "year"),
            ("deficit_share", "winter"), ("deficit_share", "summer")])
    demands = _printed(printed, "demands short")
    assert [r[0] for r in demands] == list(dict.fromkeys(summary.loc[summary["table"] == "demand", "element"]))
    for row in demands:
        assert row[1:] == _printed_values(summary, "demand", row[0], [
            (q, None) for q in ("demanded", "delivered", "deficit", "deficit_share", "steps_short")])
    systems = _printed(printed, "countries on several river systems")
    assert len(systems) == len(summary[(summary["table"] == "country_system") & (summary["quantity"] == "deficit")])
    for row in systems:
        assert row[2:] == _printed_values(summary, "country_system", row[1], [
            (q, None) for q in ("demanded", "delivered", "deficit", "deficit_share")], country=row[0])
    for row in _printed(printed, "flow requirements"):
        assert row[2:] == _printed_values(summary, "flow_requirement", row[0], [
            (q, None) for q in ("required", "met", "short", "steps_short")])
    for row in _printed(printed, "reservoir storage"):
        assert row[1:] == _printed_values(summary, "reservoir", row[0], [
            (q, None) for q in ("start", "end", "change", "lowest", "short_of_target", "steps_short")])


def test_a_short_runs_rows_are_its_totals_as_printed(tmp_path):
    """A documentation tester's review (summary.csv without the irrigation, demands short, countries by system,
    flow requirements and reservoirs printed): a run shorter than a year prints its totals ("hm³ in the run"), and
    so must the file.  February to April 2002 of :func:`_two_systems` (two winter months, one summer month):

    - UZB's farm 90 demanded, 30 delivered (15 + 15 + 0), short 60 (66.7 %; winter 30 of 60, 50 %; summer 100 %);
      KAZ's orchard 15, none delivered;
    - UZB by system: amu 120 demanded (town 30, farm 90), 60 delivered (30 + 30), 60 short (50 %); syr 36;
    - env: 15 required, 12 met (5 + 5 + 2), 3 short, in 1 of 3 steps;
    - dam: 40 to 34 (−6), lowest 34, short of its target by 2, 4, 6 (mean 4) at all 3 steps' ends.

    October to December 2001 reaches no summer: no summer share (printed "–")."""
    summary, printed = _run(_two_systems("2002-02", "2002-04"), tmp_path)
    run = "hm3 in the run"
    _same(_rows(summary, "irrigation"), [
        *_expect("KAZ", "KAZ", "year", run, demanded=15.0, delivered=0.0, deficit=15.0,
                 deficit_share=(100.0, "year", "%")),
        ("KAZ", "KAZ", "deficit_share", "winter", 100.0, "%"), ("KAZ", "KAZ", "deficit_share", "summer", 100.0, "%"),
        *_expect("UZB", "UZB", "year", run, demanded=90.0, delivered=30.0, deficit=60.0,
                 deficit_share=(200 / 3, "year", "%")),
        ("UZB", "UZB", "deficit_share", "winter", 50.0, "%"), ("UZB", "UZB", "deficit_share", "summer", 100.0, "%")])
    _same(_rows(summary, "demand"), [
        *_expect("orchard", "KAZ", "year", run, demanded=15.0, delivered=0.0, deficit=15.0,
                 deficit_share=(100.0, "year", "%"), steps_short=(100.0, "year", "%")),
        *_expect("farm", "UZB", "year", run, demanded=90.0, delivered=30.0, deficit=60.0,
                 deficit_share=(200 / 3, "year", "%"), steps_short=(100.0, "year", "%"))])
    _same(_rows(summary, "country_system"), [
        *_expect("amu", "UZB", "year", run, demanded=120.0, delivered=60.0, deficit=60.0,
                 deficit_share=(50.0, "year", "%")),
        *_expect("syr", "UZB", "year", run, demanded=36.0, delivered=36.0, deficit=0.0,
                 deficit_share=(0.0, "year", "%"))])
    _same(_rows(summary, "flow_requirement"), _expect("env", "UZB", "year", run, required=15.0, met=12.0, short=3.0,
                                                      steps_short=(100 / 3, "year", "%")))
    _same(_rows(summary, "reservoir"), _expect("dam", "KAZ", "run", "hm3", start=40.0, end=34.0, change=-6.0,
                                               lowest=34.0, short_of_target=4.0, steps_short=(100.0, "run", "%")))
    _agrees_with_the_print(summary, printed)
    winter, printed = _run(_two_systems("2001-10", "2001-12"), tmp_path / "winter")
    assert ("UZB", "UZB", "deficit_share", "winter", 50.0, "%") in _rows(winter, "irrigation")
    assert not any(r[3] == "summer" for r in _rows(winter, "irrigation"))
    assert _printed(printed, "irrigation by country")[1][-1] == "–"


def test_summary_csv_has_every_demand_short_and_each_scenarios_figures(tmp_path, monkeypatch):
    """A documentation tester's review (summary.csv without the tables by scenario and of the demands short): a
    file has every demand short, not the first DEMANDS_SHOWN printed; a run of two scenarios has the figures
    printed by scenario.  :func:`_two_systems` with river a as two scenarios, "norm" (:data:`RIVER`) and "dry" (12
    a month all year: the farm gets nothing, env 2 a month, 24 to the sea).  norm: UZB short 270 (the farm), KAZ 60
    (the orchard), 330 in all; delivered 354 (town 120, farm 90, mill 144); the sea 42.  dry: UZB 360, KAZ 60, 420;
    delivered 264; the sea 24.  One scenario: no rows by scenario."""
    monkeypatch.setattr(printer, "DEMANDS_SHOWN", 1)
    river = {"monthly": [RIVER, [12.0] * 12], "scenarios": ["norm", "dry"]}
    summary, printed = _run(_two_systems(river=river), tmp_path)
    assert list(dict.fromkeys(summary["table"]))[:3] == ["country", "scenario", "irrigation"]
    water = "hm3 per year"
    _same(_rows(summary, "scenario"), [
        ("norm", "KAZ", "deficit", "year", 60.0, water), ("norm", "UZB", "deficit", "year", 270.0, water),
        *_expect("norm", "", "year", water, deficit=330.0, delivered=354.0, sink_inflow=42.0),
        ("dry", "KAZ", "deficit", "year", 60.0, water), ("dry", "UZB", "deficit", "year", 360.0, water),
        *_expect("dry", "", "year", water, deficit=420.0, delivered=264.0, sink_inflow=24.0)])
    for row in _printed(printed, "by scenario"):  # (its columns: deficit KAZ, deficit UZB, deficit, delivered, sink)
        rows = summary[(summary["table"] == "scenario") & (summary["element"] == row[0])]
        assert row[1:] == [f"{v:.1f}" for v in rows["value"]]
    assert [r[0] for r in _printed(printed, "demands short")] == ["orchard"]  # (DEMANDS_SHOWN: 1)
    assert list(dict.fromkeys(summary.loc[summary["table"] == "demand", "element"])) == ["orchard", "farm"]
    one, _ = _run(_two_systems(), tmp_path / "one")
    assert "scenario" not in set(one["table"])


def test_the_table_by_scenario_of_a_short_run_says_its_figures_are_the_runs_totals():
    """A reread of the change: scenario_table's units said "hm3 per year" of a run shorter than a year, whose
    figures are its totals (summary.csv said "hm3 in the run").  February to April 2002 of :func:`_two_systems`,
    river a as two scenarios: norm's delivered water 30 (the town) + 15 + 15 + 0 (the farm) + 36 (the mill) = 96 in
    the run."""
    from daryo.results.tables import scenario_table

    river = {"monthly": [RIVER, [12.0] * 12], "scenarios": ["norm", "dry"]}
    table = scenario_table(daryo.run(_two_systems("2002-02", "2002-04", river=river)).dataset)
    assert table.loc["norm", "delivered"] == pytest.approx(96.0)
    assert set(table.attrs["units"].values()) == {"hm3 in the run"}
    assert list(table.attrs["units"]) == list(table.columns)


def test_each_canals_water_taken_lost_and_passed_on_by_season_by_hand(tmp_path):
    """An Afghan water-ministry planner's review: "how much does the Qosh Tepa canal take, how much is lost on the
    way, and in which season" was in no table of daryo run, nor in summary.csv.  A year of
    :func:`daryo.testmodels.canal_with_losses`::

        [river: 50] --> (j) --> {ditch: AFG, loss 10 %} --> [fields: 9 a month Oct–Mar, 27 Apr–Sep]
                         \\----> [sea]

    the ditch takes 10 a month in winter and 30 in summer: 240 a year (winter 60, summer 180), loses 24 (10 %) and
    passes on 216, what the fields get and what leaves its tail by its edge (the engine's balance)."""
    from daryo.compare import compare_runs
    from daryo.results.tables import canal_table
    from daryo.testmodels import canal_with_losses

    model = canal_with_losses()
    results = daryo.run(model)
    ds = results.dataset
    table = canal_table(ds)
    assert list(table.index) == ["ditch"] and table.loc["ditch", "country"] == "AFG"
    got = table.loc["ditch", ["taken", "lost", "passed_on", "winter", "summer"]].astype(float)
    assert list(got) == pytest.approx([240.0, 24.0, 216.0, 60.0, 180.0], abs=1e-9)
    assert got["taken"] == pytest.approx(got["lost"] + got["passed_on"], abs=1e-9)  # (mass balance)
    assert got["winter"] + got["summer"] == pytest.approx(got["taken"], abs=1e-9)
    tail = float(ds["edge_flow"].sel(edge=ds["edge_from"] == "ditch").sum())  # (what leaves it by its edges)
    assert got["passed_on"] == pytest.approx(tail, abs=1e-9)
    assert got["passed_on"] == pytest.approx(float(ds["delivery"].sel(demand="fields").sum()), abs=1e-9)
    compared = compare_runs(ds, ds).set_index(["table", "element", "quantity"])["first"]  # (daryo compare's rows)
    assert [compared[("canal", "ditch", q)] for q in ("taken", "lost")] == [got["taken"], got["lost"]]

    summary, printed = _run(model, tmp_path)
    assert list(dict.fromkeys(summary["table"])) == ["country", "sink", "canal", "water_stress"]
    water = "hm3 per year"
    _same(_rows(summary, "canal"), [
        *_expect("ditch", "AFG", "year", water, taken=240.0, lost=24.0, passed_on=216.0),
        ("ditch", "AFG", "taken", "winter", 60.0, water), ("ditch", "AFG", "taken", "summer", 180.0, water)])
    (row,) = _printed(printed, "canals")
    assert row == ["ditch", "AFG", "240.0", "24.0", "216.0", "60.0", "180.0"]
    assert row[2:] == _printed_values(summary, "canal", "ditch", [
        ("taken", "year"), ("lost", None), ("passed_on", None), ("taken", "winter"), ("taken", "summer")])


def test_a_short_runs_canal_table_is_its_totals_and_a_season_it_does_not_reach_is_left_out(tmp_path):
    """A run shorter than a year prints its totals, as the other tables do.  February to April 2002 of
    :func:`daryo.testmodels.canal_with_losses`: the ditch takes 10 + 10 (winter) + 30 (April) = 50, loses 5 and
    passes on 45.  October to December 2001 reaches no summer: taken 30 (all winter), lost 3, passed on 27, the
    summer printed "–" and without a row in summary.csv."""
    from daryo.testmodels import canal_with_losses

    summary, printed = _run(canal_with_losses("2002-02", 3), tmp_path)
    run = "hm3 in the run"
    _same(_rows(summary, "canal"), [
        *_expect("ditch", "AFG", "year", run, taken=50.0, lost=5.0, passed_on=45.0),
        ("ditch", "AFG", "taken", "winter", 20.0, run), ("ditch", "AFG", "taken", "summer", 30.0, run)])
    assert "\ncanals (hm³ in the run; " in printed
    assert _printed(printed, "canals") == [["ditch", "AFG", "50.0", "5.0", "45.0", "20.0", "30.0"]]
    summary, printed = _run(canal_with_losses("2001-10", 3), tmp_path / "winter")
    _same(_rows(summary, "canal"), [
        *_expect("ditch", "AFG", "year", run, taken=30.0, lost=3.0, passed_on=27.0),
        ("ditch", "AFG", "taken", "winter", 30.0, run)])
    assert _printed(printed, "canals") == [["ditch", "AFG", "30.0", "3.0", "27.0", "30.0", "–"]]


def test_a_model_without_canals_has_no_canal_table(tmp_path):
    """No canal: no table printed, none in summary.csv, an empty :func:`daryo.results.tables.canal_table`."""
    from daryo.results.tables import canal_table

    model = _two_systems()
    summary, printed = _run(model, tmp_path)
    assert "canal" not in set(summary["table"]) and "\ncanals (" not in printed
    table = canal_table(daryo.run(model).dataset)
    assert table.empty and list(table.columns) == ["country", "taken", "lost", "passed_on", "winter", "summer"]


def test_the_binding_constraints_table_counts_the_steps_at_each_bound_as_printed(tmp_path):
    """daryo.testmodels.quota_and_outflow: the quota binds at its max_flow in 1 of the 4 steps, the outflow at its
    min_flow in 2; summary.csv has the printed counts (units ``steps``) and shares (``%``), season ``run``, after
    the reservoirs' rows; a model none of whose constraints bind has no rows (nor a printed table)."""
    from dataclasses import replace

    from daryo.model.types import Constraint
    from daryo.testmodels import quota_and_outflow

    model = quota_and_outflow()
    summary, printed = _run(model, tmp_path)
    rows = summary[summary["table"] == "constraint"]
    assert rows[["element", "quantity", "season", "value", "units"]].values.tolist() == [
        ["quota", "steps_at_min", "run", 0.0, "steps"], ["quota", "steps_at_max", "run", 1.0, "steps"],
        ["quota", "steps_binding", "run", 25.0, "%"], ["outflow", "steps_at_min", "run", 2.0, "steps"],
        ["outflow", "steps_at_max", "run", 0.0, "steps"], ["outflow", "steps_binding", "run", 50.0, "%"]]
    assert (rows["country"] == "").all()
    assert "constraints binding" in printed
    loose = replace(model, constraints=(Constraint("quota", "flow_sum", {"nodes": {"farmA": 1.0, "farmB": 1.0},
                                                                         "max_flow": 1000.0}),))
    summary, printed = _run(loose, tmp_path / "loose")
    assert summary[summary["table"] == "constraint"].empty
    assert "constraints binding" not in printed



def test_summary_csv_has_what_each_reservoir_evaporated_as_printed(tmp_path):
    """A Chu-Talas modeller's review (no table said what a reservoir evaporated): a dam of 2 km² at every level and
    500 mm a month loses 1 hm³ a month, 12 hm³ a year (season ``year``, per year as the printed column), the pond
    beside it nothing::

        [river: 10] --> <dam: V0 = 80, area 2 km², 500 mm> --> [farm: 12]     <pond: V0 = 10>
    """
    model = model_from_dict({
        "version": 1, "name": "dam", "time": {"start": "2000-10", "end": "2001-09"},
        "nodes": [{"id": "river", "type": "inflow", "inflow": 10},
                  {"id": "dam", "type": "reservoir", "max_volume": 200, "initial_volume": 80, "evaporation": 500,
                   "level_table": {"volume": [0, 200], "level": [0, 100], "area": [2, 2]}, "country": "KGZ"},
                  {"id": "pond", "type": "reservoir", "max_volume": 100, "initial_volume": 10, "country": "KGZ"},
                  {"id": "farm", "type": "demand", "demand": 12}],
        "edges": [["river", "dam"], ["dam", "farm"]]})
    summary, printed = _run(model, tmp_path)
    _same(_rows(summary, "reservoir"), [
        *_expect("dam", "KGZ", "run", "hm3", start=80.0, end=44.0, change=-36.0, lowest=44.0,
                 evaporation=(12.0, "year", "hm3 per year")),
        *_expect("pond", "KGZ", "run", "hm3", start=10.0, end=10.0, change=0.0, lowest=10.0,
                 evaporation=(0.0, "year", "hm3 per year"))])
    for row in _printed(printed, "reservoir storage"):
        assert row[1:] == _printed_values(summary, "reservoir", row[0], [
            (q, None) for q in ("start", "end", "change", "lowest", "evaporation")])
