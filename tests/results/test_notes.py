"""The advice printed after a run (daryo.results.notes): what a run's results suggest its model does not mean."""

import dataclasses

import numpy as np
import xarray as xr

import daryo
from daryo.basins.aral import load_aral_model
from daryo.model import Series
from daryo.results import advice
from daryo.testmodels import build


def test_advice_names_eight_dry_demands_and_counts_the_rest():
    """In cost mode, of 11 demands 10 got no water though they asked for some: the advice names the first 8 and
    says how many more (it listed 8 as if they were all)."""


    ids = [f"d{i}" for i in range(11)]
    got = np.zeros((1, 2, 11))
    got[0, :, 10] = 1.0  # d10 got water
    ds = xr.Dataset({"delivery": (("scenario", "time", "demand"), got),
                     "deficit": (("scenario", "time", "demand"), 1.0 - got)},
                    coords={"demand": ids}, attrs={"allocation": "cost"})
    (text,) = advice(ds)
    assert text.startswith("demands d0, d1, d2, d3, d4, d5, d6, d7 and 2 more got no water in the whole run though "
                           "they asked for some")
    assert advice(ds.assign_attrs(allocation="priority")) == []


def test_advice_names_a_plant_that_generated_nothing_in_cost_mode():
    """A user review: in cost mode a run-of-river plant beside a bypass of the same cost got no water in a whole run,
    and nothing said so.  Here the bypass pays 1 a hm³ and the plant nothing: the note names the plant; with the
    plant paying 2 it takes the water and there is no note."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "weir", "type": "junction"},
             {"id": "plant", "type": "hydropower", "head": 100, "capacity": 10000},
             {"id": "bypass", "type": "reach", "cost": -1}, {"id": "sea", "type": "sink"}]
    edges = [["in", "weir"], ["weir", "plant"], ["weir", "bypass"], ["plant", "sea"], ["bypass", "sea"]]
    ds = daryo.run(build(nodes, edges, steps=2, allocation="cost")).dataset
    (text,) = advice(ds)
    assert text.startswith("plant plant generated nothing in the whole run: in cost mode water takes the turbines "
                           "only where no other way costs less")
    nodes[2]["cost"] = -2
    ds = daryo.run(build(nodes, edges, steps=2, allocation="cost")).dataset
    assert float(ds.energy.sum()) > 0 and advice(ds) == []


def test_advice_names_requirements_of_no_cost_and_targets_short_in_cost_mode(tmp_path, capsys):
    """A hydro-economic modeller's review: in cost mode the run's tables showed a flow requirement (no cost) short
    as a priority run's would be, and nothing said that nothing enforced it.  Inflow 10 into a dam of 50 whose
    water is worth 1 a hm³, a town of 8 that pays 5: the town gets 8, the dam keeps the rest (52, then 54) and the
    e-flow of 5 at the sea gets nothing, nor is the dam's rule curve of 80 held: both named.  An e-flow worth 10 a
    hm³ gets its 5 (the town still 8) and is not named.  ``daryo run`` says the run allocates by costs."""
    from daryo.cli import main

    nodes = [{"id": "in", "type": "inflow", "inflow": 10},
             {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 50, "target_volume": 80,
              "cost": -1},
             {"id": "town", "type": "demand", "demand": 8, "cost": -5}, {"id": "sea", "type": "sink"},
             {"id": "eflow", "type": "flow_requirement", "at": "sea", "flow": 5}]
    edges = [["in", "dam"], ["dam", "town"], ["dam", "sea"]]
    model = build(nodes, edges, steps=2, allocation="cost")
    ds = daryo.run(model).dataset
    np.testing.assert_allclose(ds.requirement_met.values.ravel(), [0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(ds.storage.values.ravel(), [52.0, 54.0], atol=1e-9)
    (text,) = advice(ds, model)
    assert text == ("allocation: cost, where the costs alone allocate: flow requirement eflow, rule curve of dam were "
                    "short in some step, and nothing enforced them (cost mode reads no priority or target: what they "
                    "lack is what the costs left); to protect them, give a negative cost on the requirement (a benefit "
                    "per hm³ met), larger than the uses it competes with (SDG 6.4.2's water stress counts its "
                    "environmental flow as protected all the same); a negative cost on the reservoir (a value per hm³ "
                    "stored); or use allocation: priority")
    # without the model, whose costs say which requirements the costs weighed, only the rule curve (a diff review)
    assert advice(ds)[0].startswith("allocation: cost, where the costs alone allocate: rule curve of dam was short in "
                                    "some step, and nothing enforced it")
    nodes[4]["cost"] = -10
    nodes[1].pop("target_volume")
    priced = build(nodes, edges, steps=2, allocation="cost")
    ds = daryo.run(priced).dataset
    np.testing.assert_allclose(ds.requirement_met.values.ravel(), [5.0, 5.0], atol=1e-9)
    np.testing.assert_allclose(ds.delivery.values.ravel(), [8.0, 8.0], atol=1e-9)
    assert advice(ds, priced) == []
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\nname: m\ntime: {start: 2001-01, end: 2001-02}\nallocation: cost\nnodes:\n"
                    "  - {id: in, type: inflow, inflow: 10}\n  - {id: town, type: demand, demand: 8, cost: -5}\n"
                    "  - {id: sea, type: sink}\nedges: [[in, town], [in, sea]]\n")
    assert main(["run", str(path)]) == 0
    assert "\nallocation: cost (one least-cost LP per step: the costs alone allocate; priorities and targets are not " \
           "enforced, and a deficit is what the costs chose to leave)\n" in capsys.readouterr().out


def test_advice_names_an_inflow_without_series_or_cost_that_supplied_water_bound_for_a_sink_in_priority_mode():
    """A review: a pumped supply (an inflow with a max_flow and no series) pumped its whole 40 hm³ a month through a
    drought's winter while the water went on to the terminal lake, and nothing said why.  Here the sea values water
    (cost −1) and the pump costs nothing: 40 a month are pumped, and min(40, what reached the sea) each month, 405
    hm³ in the year, may have gone on to the sea.  With a pumping cost above the sea's value it pumps only for the
    farm, and there is no note; nor without the model."""
    flow = [30, 25, 20, 20, 25, 40, 70, 90, 80, 60, 45, 35]
    farm = [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]
    nodes = [{"id": "river", "type": "inflow", "inflow": flow}, {"id": "pump", "type": "inflow", "max_flow": 40},
             {"id": "j", "type": "junction"}, {"id": "farm", "type": "demand", "demand": farm},
             {"id": "sea", "type": "sink", "cost": -1}]
    edges = [["river", "j"], ["pump", "j"], ["j", "farm"], ["j", "sea"]]
    model = build(nodes, edges, steps=12, start="2001-10")
    ds = daryo.run(model).dataset
    assert ds.node_flow.sel(node="pump").values.tolist() == [[40.0] * 12]
    sea = np.array(flow) + 40 - np.array(farm)
    (text,) = advice(ds, model)
    assert np.minimum(sea, 40).sum() == 405
    assert text == ("inflow pump has no inflow series and no cost: in priority mode what it supplies, up to max_flow, "
                    "is left to the costs, and it supplied water while water reached the sinks (up to 405.0 hm³/yr of "
                    "it may have gone on to them); give it a cost (what a hm³ costs to pump, say: below the other "
                    "supplies' costs where it is to be preferred to them) so that the allocation takes only what it "
                    "needs")
    assert advice(ds) == []
    nodes[1]["cost"] = 2
    priced = build(nodes, edges, steps=12, start="2001-10")
    ds = daryo.run(priced).dataset
    assert ds.node_flow.sel(node="pump").sum() < 40 * 12 and advice(ds, priced) == []
    # a pump that feeds a town alone, beside a river to the sea, sends nothing to it: no note (a review)
    apart = build([{"id": "pump", "type": "inflow", "max_flow": 50}, {"id": "town", "type": "demand", "demand": 10},
                   {"id": "river", "type": "inflow", "inflow": 100}, {"id": "sea", "type": "sink"}],
                  [["pump", "town"], ["river", "sea"]], steps=12, start="2001-10")
    ds = daryo.run(apart).dataset
    assert float(ds.node_flow.sel(node="pump").sum()) == 120 and advice(ds, apart) == []


def test_advice_names_a_reservoir_that_spilled_below_its_maximum_volume():
    """A WEAP user's review: a reservoir's outlet held to 5 hm³ a step by an operating rule, and a spill_to, released
    the town's 20 a step, 15 of it as "spill" while the reservoir drew down from 50 to 20 of its 100 hm³, and
    nothing said so.  By hand: 10 flow in, 5 pass the outlet, 15 spill, so 40, 30, 20 at the steps' ends.  A full
    reservoir's spill (the water above its maximum) is no note; nor is a reservoir without spill_to, whose rule
    holds (the town gets 5)."""
    def model(initial, spill=True, town=20, inflow=10):
        res = {"id": "res", "type": "reservoir", "max_volume": 100, "initial_volume": initial}
        nodes = [{"id": "river", "type": "inflow", "inflow": inflow}, res | ({"spill_to": "j"} if spill else {}),
                 {"id": "j", "type": "junction"}, {"id": "town", "type": "demand", "demand": town},
                 {"id": "sea", "type": "sink"}]
        edges = [["river", "res"], {"from": "res", "to": "j", "max_flow": 5}, ["j", "town"], ["j", "sea"]]
        return build(nodes, edges, steps=3, start="2001-10")

    ds = daryo.run(model(50)).dataset
    assert ds.spill.values.ravel().tolist() == [15.0] * 3 and ds.storage.values.ravel().tolist() == [40, 30, 20]
    (text,) = advice(ds)
    assert text.startswith("reservoir res spilled while below its maximum volume (or the month's flood_control_max), "
                           "in 3 steps (the first, in the step from 2001-10-01: 15.0 hm³ spilled, ending at 40.0 hm³ "
                           "where it could hold 100.0 hm³): the spill edge of "
                           "spill_to is not limited to the water above the maximum volume")
    assert text.endswith("where the outlets' limits must hold, leave out spill_to (a step whose water the reservoir "
                         "then can neither hold nor pass is infeasible, and says so)")
    full = daryo.run(model(100, town=5)).dataset
    assert full.spill.values.ravel().tolist() == [5.0] * 3 and advice(full) == []
    held = daryo.run(model(50, spill=False)).dataset
    np.testing.assert_allclose(held.delivery.values.ravel(), 5.0, rtol=1e-9)
    assert advice(held) == []
    # a reservoir held at its flood-control limit spills the rest, below its maximum: no note given the model, which
    # has the limit (a diff review)
    flood = _with_attrs(model(60, town=5), "res", flood_control_max=Series.constant(60.0))
    ds = daryo.run(flood).dataset
    assert ds.storage.values.ravel().tolist() == [60.0] * 3 and ds.spill.values.ravel().tolist() == [5.0] * 3
    assert advice(ds, flood) == [] and advice(ds)[0].startswith("reservoir res spilled while below")
    # below the month's flood-control limit (a verifier's review: any limit turned the note off), of each scenario
    # (a diff review): October's 35 holds the first's 40 back (a spill of the water above it: no note), November's
    # 90 not; the second's limit is 95 in every month
    reserve = model(50, inflow={"values": [[10] * 3, [10] * 3]})
    october, november = np.full(12, 95.0), np.full(12, 95.0)
    october[9], november[10] = 35.0, 90.0
    reserve = _with_attrs(reserve, "res", flood_control_max=Series("monthly", np.stack([np.minimum(october, november),
                                                                                       np.full(12, 95.0)])))
    ds = daryo.run(reserve).dataset
    assert ds.storage.values[:, :, 0].tolist() == [[35.0, 25.0, 15.0], [40.0, 30.0, 20.0]]
    (text,) = advice(ds, reserve)
    assert ("in 5 steps (the first, in the step from 2001-11-01 of scenario 0: 15.0 hm³ spilled, ending at 25.0 hm³ "
            "where it could hold 90.0 hm³)") in text
    # of several scenarios, the note names the scenario of the first (a diff review: it could be any scenario's):
    # from full, the first spills only the water above the maximum, the second draws the reservoir down
    two = daryo.run(model(100, inflow={"values": [[20] * 3, [10] * 3]})).dataset
    assert two.storage.values[:, :, 0].tolist() == [[100.0] * 3, [90.0, 80.0, 70.0]]
    assert "in 3 steps (the first, in the step from 2001-10-01 of scenario 1: 15.0 hm³ spilled" in advice(two)[0]


def test_advice_notes_a_run_started_after_the_models_start_at_the_models_volumes():
    """A review (a basin organisation planning the season from April): RunOptions(start=) started the reservoirs at
    the model's initial volumes, which are of the model's start, with no word."""
    model = daryo.load(daryo.demo_model_path())
    late = daryo.run(model, daryo.RunOptions(start="2003-04", years=1, scenarios=1)).dataset
    assert float(late.storage.isel(time=0, scenario=0).max()) > 8000  # (the model's 9,000 hm³ less April's release)
    (note,) = advice(late, model)
    assert note.startswith("the run starts in 2003-04, after the model's start (2000-10), and its reservoirs "
                           "(big_dam) start at the model's initial volumes")
    assert advice(daryo.run(model, daryo.RunOptions(years=1, scenarios=1)).dataset, model) == []
    assert advice(late) == []  # (without the model: its start is not known)


def test_advice_notes_a_run_started_before_the_models_start_at_the_models_volumes(tmp_path):
    """A Python developer's review: a model of monthly values runs from any date, and one started ten years before
    the file's start (1990-04 against 2000-10) began at the volumes of 2000-10 with no word."""
    path = tmp_path / "small.yaml"
    path.write_text("""\
version: 1
time: {start: 2000-10, end: 2002-09}
nodes:
  - {id: src, type: inflow, inflow: {monthly: [10, 9, 9, 12, 25, 45, 60, 55, 35, 20, 14, 11], unit: m3/s}}
  - {id: res, type: reservoir, max_volume: 500, min_volume: 10, initial_volume: 200}
  - {id: farm, type: demand, demand: 30 m3/s, priority: 1}
  - {id: sea, type: sink}
edges: [[src, res], [res, farm], [res, sea]]
""")
    model = daryo.load(path)
    early = daryo.run(model, daryo.RunOptions(start="1990-04", years=1)).dataset
    (note,) = advice(early, model)
    assert note.startswith("the run starts in 1990-04, before the model's start (2000-10), and its reservoirs (res) "
                           "start at the model's initial volumes, which are of 2000-10"), note
    assert advice(daryo.run(model).dataset, model) == []


def test_the_late_start_note_reads_the_runs_own_start_and_the_volumes_set(tmp_path):
    """A diff review: results cut to later steps (``ds.isel(time=...)``) were told they started late at the model's
    volumes, and a reservoir whose volume an overlay set was still told to be set."""
    model = daryo.load(daryo.demo_model_path())
    whole = daryo.run(model, daryo.RunOptions(years=2, scenarios=1)).dataset
    assert whole.attrs["run_start"] == "2000-10-01"
    assert advice(whole.isel(time=slice(12, None)), model) == []  # (the run itself started at the model's start)
    today = tmp_path / "today.yaml"
    today.write_text("title: today\nchanges:\n  - set: {big_dam: {initial_volume: 8 km3}}\n")
    set_model = daryo.load(daryo.demo_model_path(), scenarios=[str(today)])
    late = daryo.run(set_model, daryo.RunOptions(start="2003-04", years=1, scenarios=1)).dataset
    assert late.attrs["run_start"] == "2003-04-01" and advice(late, set_model) == []


def test_the_late_start_note_counts_a_library_overlays_volume_as_the_models():
    """A second diff review: rogun-full's 9.0 km³ (a library overlay's, of 1 October as the model's) was left out of
    the late start's note, which the embedded model's October caveat lists."""
    model = daryo.load(scenarios=["rogun-full"], years=1)
    late = daryo.run(model, daryo.RunOptions(start="2000-12", end="2001-09")).dataset
    (note,) = [n for n in advice(late, model) if n.startswith("the run starts")]
    assert "(toktogul, andijan, kairakkum, charvak and 5 more)" in note  # (9 reservoirs, rogun among them)


def _with_attrs(model, node_id, **attrs):
    """``model`` with node ``node_id``'s attributes changed: a new model, as a loaded one is read-only."""
    nodes = tuple(dataclasses.replace(n, attrs={**n.attrs, **attrs}) if n.id == node_id else n for n in model.nodes)
    return dataclasses.replace(model, nodes=nodes)


def test_advice_says_where_a_drought_of_named_years_falls_in_the_runs_dates():
    """A data officer's review: drought-2000-2001 puts its two years in the run's first two, on the default start
    October 2000 to September 2002, which the results label hydrological years 2001 and 2002: a chart by year read
    the drought a year late, as if the run were the record.  The note gives the run years, their dates and their
    labels; a run started in April has a first run year of six months."""
    model = daryo.load(None, scenarios=["drought-2000-2001"], years=3)
    ds = daryo.run(model).dataset
    assert ("drought-2000-2001 changes run years 1 and 2: 2000-10 to 2002-09, hydrological years 2001 and 2002 of "
            "the results (each labelled by the year it ends in): the run's dates, not those of the years on record "
            "whose factors it takes") in advice(ds, model)
    april = load_aral_model(scenarios=["drought-2000-2001"], start="2001-04", years=2)
    notes = advice(daryo.run(april).dataset, april)
    assert any(n.startswith("drought-2000-2001 changes run years 1 and 2: 2001-04 to 2002-09, hydrological years "
                            "2001 and 2002 of the results") for n in notes), notes
    plain = daryo.load(None, years=1)
    assert not any("changes run year" in n for n in advice(daryo.run(plain).dataset, plain))
    # years apart: the months of each (a diff review: one span from the first to the last took in year 2)
    apart = daryo.load(None, scenarios=[{"name": "odd", "changes": [{"scale_inflows": {"factor": 0.5,
                                                                                       "years": [4, 1, 3]}}]}], years=4)
    notes = advice(daryo.run(apart).dataset, apart)
    assert any(n.startswith("odd changes run years 1, 3 and 4: 2000-10 to 2001-09 and 2002-10 to 2004-09, "
                            "hydrological years 2001, 2003 and 2004 of the results") for n in notes), notes


def test_a_model_changed_in_python_says_its_caveats_and_notes_are_of_the_model_as_loaded():
    """A rolling-horizon review: a model whose Toktogul initial volume was replaced with dataclasses.replace (the
    chain of runs carrying each one's end volume on) kept the caveat naming the volume it was loaded with (13.0
    km³, of 1 October), and the note on a late start said its reservoirs started at the model's volumes: the
    results stated volumes the run did not use.  The caveats end saying they are the loaded model's, and the note
    says it cannot tell a volume changed since; a model not changed says neither."""
    m = load_aral_model(start="2003-04", end="2003-09")
    m2 = dataclasses.replace(m, nodes=tuple(dataclasses.replace(n, attrs={**n.attrs, "initial_volume": 4000.0})
                                            if n.id == "toktogul" else n for n in m.nodes))
    ds = daryo.run(m2).dataset
    assert float(ds.storage_start.isel(scenario=0, time=0).sel(reservoir="toktogul")) == 4000.0
    assert ds.attrs["caveats"].splitlines()[-1].startswith("The caveats above are those of the model as loaded from ")
    assert "changed in Python since" in ds.attrs["caveats"].splitlines()[-1]
    assert "changed in Python since" not in daryo.run(m).dataset.attrs["caveats"]
    full = load_aral_model(years=2)
    late = dataclasses.replace(full, nodes=tuple(dataclasses.replace(n, attrs={**n.attrs, "initial_volume": 4000.0})
                                                 if n.id == "toktogul" else n for n in full.nodes))
    (note,) = [n for n in advice(daryo.run(late, daryo.RunOptions(start="2001-03", years=1)).dataset, late)
               if n.startswith("the run starts")]
    assert "which are of 2000-10 (unless changed in Python since the model was loaded" in note
    (plain,) = [n for n in advice(daryo.run(full, daryo.RunOptions(start="2001-03", years=1)).dataset, full)
                if n.startswith("the run starts")]
    assert "unless changed in Python" not in plain
