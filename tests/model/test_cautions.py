"""Valid models that may not mean what their authors think are noted by cautions, each a sentence naming the file,
the place and what the model does (:func:`daryo.model.cautions.cautions`), printed by ``daryo validate``,
``daryo run`` and ``daryo ensemble``; the model still runs."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from model_files import HEAD, dam_and_plant, load_body

import daryo


def test_cautions_name_a_plant_with_levels_above_sea_and_no_tailwater_and_an_unlimited_source(tmp_path, capsys):
    """A review (a modeller of her own basin): a plant on a reservoir whose levels are in m a.s.l., given no
    tailwater level, made 3.5 TWh/yr where 0.9 was right (a head of 1,770 m), and an inflow node left without its
    series supplied whatever the allocation asked; both models are valid, and nothing was said before the run."""
    from daryo.cli import main
    from daryo.model.cautions import cautions

    body = dam_and_plant("efficiency: 0.9").replace("{id: src, type: inflow, inflow: 10}", "{id: src, type: inflow}")
    model = load_body(tmp_path, body)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[plant] (line 6): tailwater_level 0 m: the head is the level of "
        "reservoir 'dam' above 0 m, up to 420 m, higher than any dam's (~300 m); if its levels are in m above sea "
        "level, give the plant's tailwater_level (m a.s.l.), or its energy is overstated",
        f"{tmp_path / 'm.yaml'}: nodes[src] (line 4): no inflow or max_flow: an unlimited source, which supplies "
        "whatever the demands it reaches ask of it (a cost only keeps it from sending water on to the sinks); give "
        "its inflow series, or the most it can supply as max_flow"]
    for fixed in (body.replace("efficiency: 0.9", "tailwater_level: 380").replace("type: inflow}", "type: inflow, "
                                                                                  "inflow: 10}"),
                  body.replace("level: [400, 420]", "level: [100, 120]").replace("type: inflow}", "type: inflow, "
                                                                                 "max_flow: 10}"),
                  body.replace("efficiency: 0.9", "head: 20").replace(", level_table: {volume: [0, 100], level: "
                                                                      "[400, 420]}", "").replace(
                      "type: inflow}", "type: inflow, max_flow: 20, cost: 2}")):
        assert cautions(load_body(tmp_path, fixed)) == []
    assert main(["validate", str(tmp_path / "m.yaml")]) == 0  # (the last, fixed)
    assert "note:" not in capsys.readouterr().err
    (tmp_path / "m.yaml").write_text(HEAD + body)
    for command in (["validate"], ["run"]):
        assert main([*command, str(tmp_path / "m.yaml")]) == 0
        err = capsys.readouterr().err
        assert "note: " + cautions(model)[0] in err.splitlines() and "nodes[src] (line 4): no inflow" in err


def test_a_country_code_iso_has_not_assigned_is_a_caution_with_the_code_it_may_be_a_typo_of(tmp_path, capsys):
    """A QA review: ``country: UZK`` (for UZB) passed validation, and every table by country showed a country UZK
    beside UZB, splitting Uzbekistan's demand.  A valid model still (a code of one's own is allowed: XAA-XZZ), with
    a caution naming the nodes and the model's code it is likely a typo of."""
    from daryo.cli import main
    from daryo.model.cautions import cautions
    from daryo.model.countries import ISO_3166_ALPHA_3, is_country_code

    assert len(ISO_3166_ALPHA_3) == 249 and {"AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"} <= ISO_3166_ALPHA_3
    assert is_country_code("XKX") and is_country_code("XAR") and not is_country_code("UZK")
    text = (Path(daryo.demo_model_path()).read_text().replace("country: UZB", "country: UZK", 2))
    folder = tmp_path / "demo"
    shutil.copytree(Path(daryo.demo_model_path()).parent, folder)
    (folder / "demo.yaml").write_text(text)
    model = daryo.load(folder / "demo.yaml")
    uzk = [n.id for n in model.nodes if n.country == "UZK"]
    (note,) = cautions(model)
    assert note.startswith(f"{folder / 'demo.yaml'}: nodes[{uzk[0]}].country (line ")
    assert note.endswith(f"'UZK' (and {uzk[1]}) is not an ISO 3166-1 alpha-3 code (did you mean 'UZB'?): the tables "
                         "by country show it as a country of its own; give the country's code, or one ISO leaves to "
                         "its users (XAA-XZZ) for a region of your own")
    assert main(["validate", str(folder / "demo.yaml")]) == 0
    assert f"note: {note}" in capsys.readouterr().err
    assert cautions(daryo.load(daryo.demo_model_path())) == []


@pytest.mark.parametrize("code, noted", [("QMA", False), ("QZZ", False), ("QLZ", True)])
def test_a_country_code_iso_leaves_to_its_users_from_qma_on_is_no_caution(tmp_path, code, noted):
    """A mutation-testing audit (third round): ISO 3166-1 leaves QMA-QZZ to its users (as AAA-AAZ, XAA-XZZ and
    ZZA-ZZZ), but no test took a code of QM, so a pattern from QN on (QMA-QMZ cautioned as typos) went unseen.  A
    demand of country QMA or QZZ gets no caution; QLZ, just before them (neither assigned nor left to users), does."""
    from daryo.model.cautions import cautions
    from daryo.model.countries import is_country_code

    assert is_country_code(code) is not noted
    body = f"""\
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: farm, type: demand, demand: 3, country: {code}}}
  - {{id: sea, type: sink}}
edges: [[src, farm], [src, sea]]
"""
    notes = cautions(load_body(tmp_path, body))
    assert notes == ([f"{tmp_path / 'm.yaml'}: nodes[farm].country (line 5): '{code}' is not an ISO 3166-1 alpha-3 "
                      "code: the tables by country show it as a country of its own; give the country's code, or one "
                      "ISO leaves to its users (XAA-XZZ) for a region of your own"] if noted else [])


def test_a_reservoir_that_starts_below_its_dead_volume_is_a_caution_and_fills_before_every_priority(tmp_path):
    """A MODSIM user's review: 50 hm³ a month into a junction feeding a demand of 40 (priority 1) and a reservoir
    starting empty with a dead volume of 100: the demand got nothing for two months (the dead volume is a
    requirement before every priority), and nothing said so.  A new reservoir's filling is legitimate, so a
    caution, naming the reservoir; in its units (km³), and against the least of a monthly min_volume in the run::

        src -> j -> farm (priority 1, 40)
               '-> pond (min 100, initial 0) -> sea
    """
    from daryo.model.cautions import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: j, type: junction}
  - {id: farm, type: demand, demand: 40, priority: 1}
  - {id: pond, type: reservoir, max_volume: 500, min_volume: 100, initial_volume: 0}
  - {id: sea, type: sink}
edges: [[src, j], [j, farm], [j, pond], [pond, sea]]
"""
    model = load_body(tmp_path, body)
    assert daryo.run(model).dataset.delivery.sel(demand="farm").values.ravel()[:3].tolist() == [0.0, 0.0, 40.0]
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[pond].initial_volume (line 7): 0 hm³, below min_volume (100 hm³): in "
        "priority mode a reservoir refills its dead volume before every priority (priority 0): it takes the water "
        "that can reach it, even from senior demands that are not downstream of it, until it holds 100 hm³; if it "
        "is not meant to fill first (a new reservoir's filling may be), start it at its min_volume or above"]
    in_km3 = body.replace("min_volume: 100, initial_volume: 0", "min_volume: 0.1 km3, initial_volume: 0.05 km3")
    assert "50 hm³, below min_volume (100 hm³)" in cautions(load_body(tmp_path, in_km3))[0]
    monthly = body.replace("min_volume: 100", "min_volume: [100, 90, 100, 100, 100, 100, 100, 100, 100, 100, 100, "
                           "100]")
    assert "0 hm³, below min_volume (90 hm³, its least in the run)" in cautions(load_body(tmp_path, monthly))[0]
    for fine in (body.replace("initial_volume: 0", "initial_volume: 100"),
                 monthly.replace("90, 100", "0, 100"),  # (no dead volume to fill in February: not a requirement)
                 "allocation: cost\n" + body.replace(", priority: 1", ""),
                 # (a run's end volume carried on, 1e-9 below: solver noise, not a start below it; a rolling-horizon
                 # review was told "200 hm³, below min_volume (200 hm³)")
                 body.replace("initial_volume: 0", "initial_volume: 99.999999999")):
        assert cautions(load_body(tmp_path, fine)) == []


def test_an_initial_proportion_that_disagrees_with_the_initial_volume_is_a_caution(tmp_path):
    """A rolling-horizon review: an overlay carried a run's end volume on as initial_volume (1,451 of 3,000 hm³:
    0.48 full) and left the model's initial_proportion (0.533, a converted Pywr model's); the control curve read
    the stale proportion in the first step and delivered 300 where rationing (below half full) gave 60, without a
    word.  Both given and disagreeing with max_volume: a caution at initial_proportion; alike, or one of them: none."""
    from daryo.model.cautions import cautions

    body = """\
parameters:
  rationing: {type: controlcurve, reservoir: dam, control_curves: [0.5], values: [300, 60]}
nodes:
  - {id: river, type: inflow, inflow: 100}
  - {id: dam, type: reservoir, max_volume: 3000, min_volume: 100, initial_volume: 1451, initial_proportion: 0.5333}
  - {id: farms, type: demand, priority: 2, demand: {parameter: rationing}}
  - {id: lake, type: sink}
edges: [[river, dam], [dam, farms], [dam, lake]]
"""
    (note,) = cautions(load_body(tmp_path, body))
    assert note.startswith(f"{tmp_path / 'm.yaml'}: nodes[dam].initial_proportion (line ")
    assert ("0.5333, but initial_volume 1451 hm³ is 0.4837 of max_volume 3000 hm³: control curves read the "
            "proportion in the first step") in note
    for fine in (body.replace("0.5333", "0.48366666666666666"), body.replace(", initial_proportion: 0.5333", "")):
        assert cautions(load_body(tmp_path, fine)) == []


def test_a_demands_cost_in_priority_mode_and_a_priority_in_cost_mode_are_cautions(tmp_path):
    """A MODSIM user's review: the seniority of two demands written as costs (-49990 for the senior, -49000 for the
    junior) in priority mode, the default: 50 hm³ for two demands of 40 was shared equally (25 each, the costs
    choosing only among routes with every delivery held), without a word.  In cost mode the costs allocate (40 and
    10) and a priority, which it does not read, is the caution::

        src -> senior (40), junior (40), sea
    """
    from daryo.model.cautions import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: senior, type: demand, demand: 40, cost: -49990}
  - {id: junior, type: demand, demand: 40, cost: -49000}
  - {id: sea, type: sink}
edges: [[src, senior], [src, junior], [src, sea]]
"""
    model = load_body(tmp_path, body)
    np.testing.assert_allclose(daryo.run(model).dataset.delivery.values[0, 0], [25.0, 25.0], atol=1e-6)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[senior].cost (line 5): a cost on a demand (also on 'junior'), which in "
        "priority mode does not change what the demand gets: the priorities rank the deliveries (1 is served first; "
        "demands of one priority share a shortage, max–min fairly), and the costs are minimised only after, with "
        "every delivery held, to choose among routes that deliver the same; to serve one demand before another, "
        "give it a smaller priority number (or use allocation: cost, where the costs allocate)"]
    costs = "allocation: cost\n" + body.replace("-49000}", "-49000, priority: 1}").replace(
        "demand: 40, cost: -49990}", "demand: 40, cost: -49990, priority: 2}")
    model = load_body(tmp_path, costs)
    np.testing.assert_allclose(daryo.run(model).dataset.delivery.values[0, 0], [40.0, 10.0], atol=1e-6)  # (the
    # costs, not the priorities)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[senior].priority (line 6): a priority (also on 'junior'), which cost mode does "
        "not read: one solve minimises the model's costs alone, so give the element a negative cost instead (a "
        "benefit per hm³: of a demand, per hm³ delivered; of a flow requirement, met; of a reservoir, stored; of a "
        "plant, through its turbines; the more negative, the sooner it is served), or use allocation: priority, where "
        "the priorities rank them"]
    # a cost of 0, said in so many words, changes nothing in priority mode either: no caution (a diff review)
    zero = body.replace("cost: -49990}", "cost: 0}").replace(", cost: -49000}", "}")
    assert cautions(load_body(tmp_path, zero)) == []
    target = costs.replace(", priority: 1}", "}").replace(", priority: 2}", "}").replace(
        "  - {id: sea, type: sink}", "  - {id: sea, type: sink}\n  - {id: dam, type: reservoir, max_volume: 10, "
        "target_volume: 5, target_priority: 2}").replace("[src, sea]]", "[src, sea], [src, dam], [dam, sea]]")
    (note,) = cautions(load_body(tmp_path, target))
    assert "nodes[dam].target_priority (line 9): a priority, which cost mode does not read" in note
    for fine in (body.replace(", cost: -49990", ", priority: 1").replace(", cost: -49000", ", priority: 2"),
                 "allocation: cost\n" + body):
        assert cautions(load_body(tmp_path, fine)) == []


def test_a_demand_that_returns_to_a_node_but_consumes_all_it_gets_is_a_caution(tmp_path):
    """A MODSIM user's review: a demand given a ``return_to`` but no ``consumptive_fraction`` (1 by default)
    returned nothing, its return flow silently 0.  A caution at its ``return_to``; none where some of it returns in
    a step of the run, or where it returns nowhere::

        src -> farm (20, returns to 'river')
           '-> river -> sea
    """
    from daryo.model.cautions import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: farm, type: demand, demand: 20, return_to: river}
  - {id: river, type: reach}
  - {id: sea, type: sink}
edges: [[src, farm], [src, river], [river, sea]]
"""
    model = load_body(tmp_path, body)
    assert float(daryo.run(model).dataset.sink_inflow.values[0, 0, 0]) == pytest.approx(30.0)  # (none returned)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[farm].return_to (line 5): 'river' never receives anything: the demand's "
        "consumptive_fraction is 1 (the default), so it consumes all it gets and returns nothing; give the fraction "
        "it consumes (0.6: 40 % of what it gets returns to 'river'), or leave out return_to"]
    given = body.replace("return_to: river}", "return_to: river, consumptive_fraction: [1, 1, 1, 1, 1, 1, 1, 1, 1, "
                         "1, 1, 1]}")
    assert "consumptive_fraction is 1, so it consumes all" in cautions(load_body(tmp_path, given))[0]
    for fine in (body.replace("return_to: river}", "return_to: river, consumptive_fraction: 0.6}"),
                 given.replace("1, 1]}", "1, 0.9]}"),  # (in December some returns)
                 body.replace(", return_to: river}", "}")):
        assert cautions(load_body(tmp_path, fine)) == []


def test_a_flow_requirement_at_a_demand_is_a_caution(tmp_path):
    """A MODSIM user's review: an environmental flow put at a demand (the node a reservoir's release went to) was
    met by the demand's delivery, the river below given nothing, without a word.  A caution at its ``at``; none
    for a requirement at a sink::

        src (50) -> farm (demand 20, priority 2)
              '---> sea;  e-flow of 30 at farm (priority 1)
    """
    from daryo.model.cautions import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: farm, type: demand, demand: 20, priority: 2}
  - {id: sea, type: sink}
  - {id: eflow, type: flow_requirement, at: farm, flow: 30, priority: 1}
edges: [[src, farm], [src, sea]]
"""
    model = load_body(tmp_path, body)
    ds = daryo.run(model).dataset
    assert float(ds.requirement_met.values[0, 0, 0]) == pytest.approx(20.0)  # (the farm's delivery, its demand)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[eflow].at (line 7): 'farm' is a demand: the requirement is met by the water "
        "delivered to it, at the requirement's priority (1), not by a flow in the river; for a flow in the river, put "
        "it at a reach or sink the river flows through (below the last diversion), and for a delivery the demand "
        "must get, its min_flow or priority say so"]
    assert cautions(load_body(tmp_path, body.replace("at: farm", "at: sea"))) == []


def test_a_plant_whose_tailwater_lies_above_its_reservoirs_dead_volume_is_a_caution(tmp_path):
    """A hydropower engineer's review: a reservoir of 300 hm³ at 30 m (tailwater 25 m, 250 hm³) whose only outlet is
    a plant ended January empty, 350 hm³ through the turbines, 250 of them "uphill", its energy reckoned at the
    start head of 5 m, where the docs said it keeps what it holds below the tailwater as dead volume.  A caution at
    the plant's tailwater_level; none where min_volume holds the tailwater's volume::

        src (50) -> res (0-1000 hm³, levels 0-100 m) -> hp (100 MW, tailwater 25 m, target 100 GWh) -> out
    """
    from daryo.model.cautions import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: res, type: reservoir, max_volume: 1000, initial_volume: 300,
     level_table: {volume: [0, 1000], level: [0, 100], area: [0, 10]}}
  - {id: hp, type: hydropower, capacity: 100 MW, reservoir: res, tailwater_level: 25, energy_target: 100 GWh}
  - {id: out, type: sink}
edges: [[src, res], [res, hp], [hp, out]]
"""
    model = load_body(tmp_path, body)
    ds = daryo.run(model).dataset
    assert float(ds.storage.values[0, 0, 0]) < 250 - 1  # (drawn below the tailwater's 250 hm³ in January)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[hp].tailwater_level (line 7): 25 m, the level of 250 hm³ in reservoir 'res', "
        "above the level of its dead volume (0 hm³): a step that starts above the tailwater can draw the reservoir "
        "below it through the plant, with the step's energy reckoned at its start head (only a step that starts at "
        "or below it passes no water); if the plant cannot draw it lower, give the reservoir a min_volume of 250 "
        "hm³ or more"]
    held = body.replace("initial_volume: 300,", "initial_volume: 300, min_volume: 250,")
    assert cautions(load_body(tmp_path, held)) == []


def test_monthly_amounts_per_step_in_a_model_of_day_steps_are_a_caution(tmp_path):
    """A daily model's reviewer: an energy target of 12 monthly values in GWh, as the demo model writes its targets,
    is an amount per step, so in a model of 1-day steps every day asked the month's whole target (90 GWh a day, ten
    times what a 364 MW plant gives), and the plant drained its reservoir without a word.  A caution names it; a
    monthly rate (GWh/day, m3/s) and monthly steps have none."""
    from daryo.model.cautions import cautions

    body = """\
version: 1
name: et-daily
time: {start: 2011-01-01, end: 2011-02-28, step: {days: 1}}
nodes:
  - {id: river, type: inflow, inflow: 400 m3/s}
  - {id: dam, type: reservoir, max_volume: 18.6 km3, initial_volume: 14 km3, spill_to: out,
     level_table: {volume: [0, 6600, 18600], level: [440, 470, 485], area: [0, 900, 1850]}}
  - {id: hpp, type: hydropower, capacity: 364 MW, reservoir: dam, tailwater_level: 440,
     energy_target: {monthly: [90, 80, 85, 80, 80, 75, 80, 85, 80, 85, 85, 90], unit: UNIT}}
  - {id: town, type: demand, demand: {monthly: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], unit: hm3}}
  - {id: out, type: sink}
edges: [[river, dam], [dam, hpp], [hpp, out], [river, town]]
constraints:  # (a licence of 3 hm3 a month; a diff review: constraints were not looked at)
  - {id: lic, type: flow_sum, nodes: [town], max_flow: {monthly: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], unit: hm3}}
"""
    path = tmp_path / "m.yaml"
    path.write_text(body.replace("UNIT", "GWh"))
    assert cautions(daryo.load(path)) == [
        f"{path}: nodes[hpp].energy_target (line 9): 12 monthly values of an amount per step, not a rate (also "
        "town.demand, lic.max_flow), in a model of 1-day steps: each day takes the value of its month, so a month's "
        "total written here is taken once a day; give the months' totals in hm3/month or GWh/month ({monthly: "
        "[...], unit: hm3/month}: each step takes its days' part of its month's), or as a rate (their unit per day: "
        "hm3/day, GWh/day; or m3/s)"]
    path.write_text(body.replace("UNIT", "GWh/day").replace("unit: hm3}", "unit: m3/s}"))
    assert cautions(daryo.load(path)) == []
    path.write_text(body.replace("UNIT", "GWh").replace("step: {days: 1}", "step: {days: 30}"))
    assert cautions(daryo.load(path)) == []  # (a step of about a month takes about its month's amount)
    path.write_text(body.replace("UNIT", "GWh").replace("step: {days: 1}", "step: month").replace(
        "2011-01-01, end: 2011-02-28", "2011-01, end: 2011-02"))
    assert cautions(daryo.load(path)) == []


def test_monthly_amounts_per_step_in_a_model_of_dekads_are_a_caution(tmp_path):
    """The dekads brief: in a model of dekads, 12 monthly values of an amount per step give each dekad its month's
    whole amount (three times the month's), as on N-day steps: the same caution names them; monthly rates have
    none."""
    from daryo.model.cautions import cautions

    body = """\
version: 1
name: et-dekads
time: {start: 2011-01-01, end: 2011-02-28, step: dekad}
nodes:
  - {id: river, type: inflow, inflow: 400 m3/s}
  - {id: town, type: demand, demand: {monthly: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], unit: UNIT}}
  - {id: out, type: sink}
edges: [[river, town], [river, out]]
"""
    path = tmp_path / "m.yaml"
    path.write_text(body.replace("UNIT", "hm3"))
    assert cautions(daryo.load(path)) == [
        f"{path}: nodes[town].demand (line 6): 12 monthly values of an amount per step, not a rate, in a model of "
        "dekads: each dekad takes the value of its month, so a month's total written here is taken once a dekad; "
        "give the months' totals in hm3/month or GWh/month ({monthly: [...], unit: hm3/month}: each step takes its "
        "days' part of its month's), or as a rate (their unit per day: hm3/day, GWh/day; or m3/s)"]
    path.write_text(body.replace("UNIT", "hm3/day"))
    assert cautions(daryo.load(path)) == []
    path.write_text(body.replace("UNIT", "hm3/month"))  # (months' totals, spread over days: a BWO planner's review)
    assert cautions(daryo.load(path)) == []


def test_amounts_read_from_a_file_of_other_rows_than_the_steps_are_a_caution(tmp_path):
    """A BWO planner's review of dekads: monthly limits in hm³ read through a dataframe parameter gave each dekad
    the month's whole (2,610 hm³ demanded in a year of 870 of limits), without a word.  A caution where an amount
    per step is read from a file whose rows are longer (or shorter) than the steps; none for a rate, nor for rows
    of the steps' own length."""
    import pandas as pd

    from daryo.model.cautions import cautions

    months = pd.date_range("2000-10-01", periods=12, freq="MS")
    (tmp_path / "limits.csv").write_text("date,canal\n" + "".join(f"{d:%Y-%m-%d},{v}\n" for d, v in zip(
        months, [40, 0, 0, 0, 0, 0, 0, 120, 200, 240, 170, 100], strict=True)))
    body = """\
version: 1
name: limits
time: {start: 2000-10-01, end: 2001-09, step: dekad}
parameters:
  lim: {type: dataframe, csv: limits.csv, index_col: date, column: canal}
nodes:
  - {id: river, type: inflow, inflow: 500 m3/s}
  - {id: farm, type: demand, demand: {parameter: lim, unit: UNIT}}
  - {id: sea, type: sink}
edges: [[river, farm], [river, sea]]
"""
    path = tmp_path / "m.yaml"
    path.write_text(body.replace("UNIT", "hm3"))
    model = daryo.load(path)
    demanded = float(daryo.run(model).dataset["demanded"].sum())
    assert demanded == pytest.approx(3 * 870)  # (each dekad its month's whole: what the caution is about)
    assert cautions(model) == [
        f"{path}: nodes[farm].demand (line 8): an amount per step, not a rate, read from parameter 'lim', whose "
        "values are about 31 days apart, in a model of dekads: a step takes the mean of its rows' values (of a "
        "longer row, its value whole), which is right for a rate, not for an amount per row (a month's total is "
        "taken by each of its steps, days' amounts are averaged, not summed); give the unit as a rate (hm3/day, "
        "m3/s; GWh/day), or the values per step"]
    path.write_text(body.replace("UNIT", "hm3/day"))
    assert cautions(daryo.load(path)) == []
    # the same through another parameter, or as a monthly profile of amounts (a diff review: only a direct
    # reference to the file was seen)
    for extra, ref, read in (("  agg: {type: max, parameter: lim, threshold: 0}\n", "agg", "'lim' (through 'agg')"),
                             ("  mp: {type: monthlyprofile, values: [40, 0, 0, 0, 0, 0, 0, 120, 200, 240, 170, 100]}\n",
                              "mp", "'mp'")):
        text = body.replace("UNIT", "hm3").replace("nodes:\n", extra + "nodes:\n", 1).replace("{parameter: lim,",
                                                                                              f"{{parameter: {ref},")
        path.write_text(text)
        (note,) = cautions(daryo.load(path))
        assert f"an amount per step, not a rate, read from parameter {read}, whose values are about" in note
    path.write_text(body.replace("UNIT", "hm3").replace("start: 2000-10-01, end: 2001-09, step: dekad",
                                                        "start: 2000-10, end: 2001-09"))
    assert cautions(daryo.load(path)) == []


def test_a_loop_of_water_within_a_step_is_a_caution_naming_it(tmp_path):
    """A large-network modeller's review: a reversed edge of a generated file ([r2, r0] for [r0, r2]) closed a loop
    of reaches, which validated and ran with no word; the same loop through a flow requirement is refused with the
    hint that an edge may be written the wrong way round.  Now a caution names it, once per loop; a loop through a
    delay is water in later steps, no loop within one."""
    from daryo.model.cautions import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: r0, type: reach}
  - {id: r1, type: reach}
  - {id: r2, type: reach}
  - {id: sea, type: sink}
edges: [[src, r0], [r0, r1], [r1, r2], [r2, r0], [r2, sea]]
"""
    (note,) = cautions(load_body(tmp_path, body))
    assert note == (f"{tmp_path / 'm.yaml'}: nodes[r0] (line 5): is on a loop of water within a step (edges[1] "
                    "(r0 -> r1) (line 9); edges[2] (r1 -> r2) (line 9); edges[3] (r2 -> r0) (line 9)): water in a "
                    "river network flows one way; "
                    "is an edge written the wrong way round, or a spill sent upstream? (A loop the model means is "
                    "left to its costs; water pumped back up must pass a delay.)"), note
    assert cautions(load_body(tmp_path, body.replace("[r2, r0], ", ""))) == []
    delayed = body.replace("  - {id: r1, type: reach}", "  - {id: r1, type: delay, steps: 1}")
    assert cautions(load_body(tmp_path, delayed)) == []


def test_an_irrigation_demand_written_october_first_is_a_caution(tmp_path):
    """A hydro-informatics lecturer's review: a student's irrigation demand written October first (the hydrological
    year, as the embedded model's hydrology tables run) was accepted without a word, its growing season three months
    late.  An irrigation demand (the default category) with most of its year's volume in October-March is a caution;
    a January-first one, and a town's winter water, are not::

        src -> farm (monthly, m3/s)
           '-> sea
    """
    from daryo.model.cautions import cautions

    october_first = "[20, 0, 0, 0, 0, 0, 20, 100, 200, 250, 220, 120]"  # (October ... September)
    body = f"""\
nodes:
  - {{id: src, type: inflow, inflow: 5000}}
  - {{id: farm, type: demand, demand: {{monthly: {october_first}, unit: m3/s}}}}
  - {{id: sea, type: sink}}
edges: [[src, farm], [src, sea]]
"""
    # (in m3/s, by each month's days: Oct-Mar 250+220+120+20 = 610 of 930 a month, ~66 %)
    assert cautions(load_body(tmp_path, body)) == [
        f"{tmp_path / 'm.yaml'}: nodes[farm].demand (line 5): an irrigation demand with most of its water in winter "
        "(66% of the year's in October–March): monthly lists are January first; is it written October first? (if the "
        "demand is a winter one, leaching say, this is no fault)"]
    january_first = "[0, 0, 0, 20, 100, 200, 250, 220, 120, 20, 0, 0]"
    for fine in (body.replace(october_first, january_first),
                 body.replace("unit: m3/s}}", "unit: m3/s}, category: municipal}")):
        assert cautions(load_body(tmp_path, fine)) == []
    irrigation = body.replace("unit: m3/s}}", "unit: m3/s}, category: irrigation}")
    assert "most of its water in winter (66%" in cautions(load_body(tmp_path, irrigation))[0]
    # (the embedded model: its demands January first; its hydrology tables, October first, are no demand's list)
    assert cautions(daryo.load()) == []


def test_a_model_with_inflows_and_no_sink_is_a_caution(tmp_path):
    """A hydro-informatics lecturer's review: ``daryo validate`` passed a model without a sink, whose run was then
    infeasible ("give the water a way to a sink").  A caution, at its first inflow: a model whose demands take all
    its water runs (here, 10 hm³ a month into a demand of 20)::

        src (10) -> farm (20)
    """
    from daryo.model.cautions import cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: farm, type: demand, demand: 20}
edges: [[src, farm]]
"""
    model = load_body(tmp_path, body)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[src] (line 4): the model has inflows and no sink: water that no demand consumes "
        "and no reservoir keeps has nowhere to go, and a step with more of it than that is infeasible; add a node of "
        "type: sink where the river ends (a sea, a lake, the basin's outlet), with an edge to it from the last node "
        "of the river"]
    assert float(daryo.run(model).dataset.delivery.values[0, 0, 0]) == pytest.approx(10.0)  # (it runs)
    with_sink = body.replace("edges: [[src, farm]]", "  - {id: sea, type: sink}\nedges: [[src, farm], [src, sea]]")
    assert cautions(load_body(tmp_path, with_sink)) == []


def test_scenario_columns_paired_by_position_are_a_caution(tmp_path):
    """A Tashkent ministry analyst's review: scenario columns that share no name are paired by position without a
    word (as documented: ``inflow_1, inflow_2`` with ``demand_1, demand_2``), which is right only if both files list
    the same scenarios in the same order.  A caution names both series, their files and the pairs; series matched
    by name (here in another order) get none::

        src (wet 100, dry 10) -> farm (d1 5, d2 50)
                              -> sea
    """
    from daryo.model.cautions import cautions

    months = [f"2001-{m:02d}-01" for m in range(1, 13)]
    (tmp_path / "q.csv").write_text("date,wet,dry\n" + "".join(f"{d},100,10\n" for d in months))
    (tmp_path / "d.csv").write_text("date,d1,d2\n" + "".join(f"{d},5,50\n" for d in months))
    body = """\
nodes:
  - {id: src, type: inflow, inflow: {csv: q.csv, columns: "*"}}
  - {id: farm, type: demand, demand: {csv: d.csv, columns: "*"}}
  - {id: sea, type: sink}
edges: [[src, farm], [src, sea]]
"""
    model = load_body(tmp_path, body)
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[farm].demand (line 5): its scenario columns (d1, d2), of {tmp_path / 'd.csv'}, "
        f"share no name with src.inflow's (wet, dry), of {tmp_path / 'q.csv'}, so they are paired by position: d1 "
        "with wet, d2 with dry; if they are not the same scenarios in the same order, give the columns of the same "
        "scenarios the same names (they are then paired by name)"]
    assert daryo.run(model).dataset.delivery.sel(demand="farm").values.tolist() == [[5.0] * 12, [10.0] * 12]
    (tmp_path / "d.csv").write_text("date,dry,wet\n" + "".join(f"{d},5,50\n" for d in months))
    assert cautions(load_body(tmp_path, body)) == []


_EVAPORATING = """\
version: 1
time: {{start: 2001-01-01, end: 2001-12-31, step: {step}}}
nodes:
  - {{id: src, type: inflow, inflow: 10 m3/s}}
  - {{id: dam, type: reservoir, max_volume: 100, level_table: {{volume: [0, 100], area: [0, 10]}},
     evaporation: {evaporation}}}
  - {{id: sea, type: sink}}
edges: [[src, dam], [dam, sea]]
"""


@pytest.mark.parametrize(("step", "per_year"), [("dekad", "3,600"), ("{days: 10}", "3,652"), ("{days: 7}", "5,218")])
def test_a_constant_evaporation_depth_on_steps_other_than_months_is_a_caution(tmp_path, step, per_year):
    """A units auditor's review: ``evaporation: 100`` is a depth per step, documented so: 1,200 mm a year on
    months, 3,600 on dekads, so a model moved from months to dekads tripled its evaporation without a word.  On
    steps other than months a constant depth is noted, with the year's depth it makes and how to give 12 monthly
    depths (which are each month's, shared by its days); on months, or given so, it is not."""
    from daryo.model.cautions import cautions

    path = tmp_path / "m.yaml"
    path.write_text(_EVAPORATING.format(step=step, evaporation="100"))
    assert cautions(daryo.load(path)) == [
        f"{path}: nodes[dam].evaporation (line 6): 100 mm, a constant depth, evaporates each step: on "
        f"{'dekads' if step == 'dekad' else step[7:-1] + '-day steps'} about {per_year} mm a year (1,200 on monthly "
        "steps); if 100 mm is a month's depth, give 12 monthly depths, [100, 100, …] or {monthly: [...], unit: mm}, "
        "January first: each month's is shared by its days"]
    for step_, evaporation in ((step, "[" + ", ".join(["100"] * 12) + "]"), (step, "{monthly: [" + ", ".join(
            ["0.1"] * 12) + "], unit: m}"), (step, "0"), ("month", "100"), ("month", "0.1 m"),
            ("{days: 30}", "100")):  # (30 days: 1,218 mm a year, within 5 % of 1,200: a diff reread)
        path.write_text(_EVAPORATING.format(step=step_, evaporation=evaporation))
        assert cautions(daryo.load(path)) == [], (step_, evaporation)


@pytest.mark.parametrize(("written", "said"), [
    ("0.9 %", "0.009 (0.9 %), a low overall efficiency (turbine × generator: most plants' are 0.8–0.95): the energy "
     "of the water through its turbines is cut in proportion; if 0.9 is meant (90 %), write 0.9 or 90 % (0.9 % is "
     "0.009)"),
    ("0.2", "0.2 (20 %), a low overall efficiency (turbine × generator: most plants' are 0.8–0.95): the energy of the "
     "water through its turbines is cut in proportion; if 90 % is meant, write 90 % or 0.9"),
])
def test_a_plant_efficiency_below_0_3_is_a_caution(tmp_path, written, said):
    """A units auditor's review: ``efficiency: 0.9 %`` (0.009) was taken without a word, the plant's energy a
    hundredth of its own, while ``efficiency: 90`` is refused with a hint.  An efficiency below 0.3 is noted with
    what was read and what is likely meant; 0.3 and up (an old plant's 0.6, 85 %) is not."""
    from daryo.model.cautions import cautions

    body = dam_and_plant(f"tailwater_level: 380, efficiency: {written}")
    assert cautions(load_body(tmp_path, body)) == [f"{tmp_path / 'm.yaml'}: nodes[plant].efficiency (line 6): {said}"]
    for fine in ("0.3", "0.6", "85 %", "0.9"):
        assert cautions(load_body(tmp_path, dam_and_plant(f"tailwater_level: 380, efficiency: {fine}"))) == [], fine


@pytest.mark.parametrize(("unit", "read_in"), [
    (None, "hm³/step (no unit given: the default)"), ("hm3/day", "hm³/day"), ("m3/s", None), ("cumecs", None)])
def test_a_dataframe_column_whose_name_states_another_unit_than_its_reference_is_a_caution(tmp_path, unit, read_in):
    """A diff reread: a CSV series' column ``flow (m3/s)`` read in another unit is refused, but the same column read
    through a ``dataframe`` parameter (``{parameter: q}``, no unit) read 400 m³/s as 400 hm³ a month, validate
    saying "valid".  Each place that reads such a column in another unit is noted (a parameter may be read in
    several units); the same unit, written otherwise, is not."""
    from daryo.model.cautions import cautions

    (tmp_path / "q.csv").write_text("date,flow (m3/s),level [m]\n2001-01-01,400,5\n2001-02-01,400,5\n")
    reference = "{parameter: q" + (f", unit: {unit}" if unit else "") + "}"
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\ntime: {start: 2001-01, end: 2001-02}\nparameters:\n"
                    "  q: {type: dataframe, csv: q.csv, index_col: date, column: flow (m3/s)}\nnodes:\n"
                    f"  - {{id: src, type: inflow, inflow: {reference}}}\n  - {{id: sea, type: sink}}\n"
                    "edges: [[src, sea]]\n")
    expected = [] if read_in is None else [
        f"{path}: nodes[src].inflow (line 6): reads parameter 'q', whose column 'flow (m3/s)' states its unit, m3/s, "
        f"in {read_in}; give unit: m3/s with {{parameter: q}}, or, if the values are in the unit it reads them in, "
        "take the unit out of the column's name"]
    assert cautions(daryo.load(path)) == expected


def test_a_level_table_whose_volumes_and_areas_disagree_is_a_caution_naming_the_likely_unit(tmp_path, capsys):
    """A Chu-Talas modeller's review: a level table's areas written in ha with no ``units: {area: ha}``
    (800-2,500 read as km² beside volumes of 470 hm³) evaporated a hundred times the water, without a word.  The
    volume between two rows is about their mean area × the level's rise::

        volume  0 -- 100 -- 300 -- 470 hm³ ;  level 1680 -- 1700 -- 1725 -- 1740 m
        area    0 --   8 --  18 --  25 km²   :  4×20 + 13×25 + 21.5×15 = 727.5 hm³ (470: 0.65 of it)
        area in ha (×100):                     72,750 hm³ (470: 1/155 of it)

    The embedded Aral model's and the demo's tables (within 0.7-1.3 of it) have no such caution."""
    from daryo.cli import main
    from daryo.model.cautions import LEVEL_TABLE_FACTOR, cautions

    body = """\
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: dam, type: reservoir, max_volume: 470, initial_volume: 300, evaporation: 100, spill_to: sea,
     level_table: {volume: [0, 100, 300, 470], level: [1680, 1700, 1725, 1740], area: AREA}}
  - {id: sea, type: sink}
edges: [[src, dam]]
"""
    model = load_body(tmp_path, body.replace("AREA", "[0, 800, 1800, 2500]"))
    assert cautions(model) == [
        f"{tmp_path / 'm.yaml'}: nodes[dam].level_table (line 6): its volumes rise by 470 hm³ from its first row to "
        "its last, 1/155 of its areas × its levels' rise (72,750 hm³: each pair of rows' mean area in km² × their "
        "level's rise in m): a reservoir's volume grows by about its area × its level's rise, so a column is likely "
        "in another unit than the table reads (volume hm³, level m, area km²): the areas in ha (give units: {area: "
        "ha}) or the levels in cm (give them in m); its evaporation (depth × area) and its plants' head follow the "
        "table as read"]
    for area in ("[0, 800, 1800, 2500], units: {area: ha}", "[0, 8, 18, 25]"):
        assert cautions(load_body(tmp_path, body.replace("AREA", area))) == []
    volumes_in_m3 = body.replace("AREA", "[0, 8, 18, 25]").replace("[0, 100, 300, 470]", "[0, 1e8, 3e8, 4.7e8]")
    assert "the volumes in m³ (give units: {volume: m3})" in "".join(
        cautions(load_body(tmp_path, volumes_in_m3.replace("max_volume: 470", "max_volume: 4.7e8"))))
    assert main(["validate", str(tmp_path / "m.yaml")]) == 0
    assert "note: " in capsys.readouterr().err
    for path in (daryo.default_model_path(), daryo.demo_model_path()):
        assert not [c for c in cautions(daryo.load(path)) if "level_table" in c]
    assert LEVEL_TABLE_FACTOR == 5
