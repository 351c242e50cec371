"""SDG 6.4.2's water stress by river system, worked out by hand on a network of two rivers."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import daryo
from daryo.results.tables import stress_table
from daryo.sdg import stress_level, water_stress, water_stress_by_year
from daryo.testmodels import build


def _two_rivers() -> daryo.Model:
    """Two rivers that share no water, twelve monthly steps of one calendar year (one hydrological year's worth)::

        north:  [in: 100] --> (j) --> [irr: 50, consumes 60 %] --(40 %)--> (ret) --> [sea]
                               |--> (canal: loses 20 %) --> [farm: 20]      ^
                               \\-----------------------------------------> (ret)      eflow: 10 at ret
        south:  [in2: 40] --> (k) --> [town: 10]
                               \\--> [sea2]

    Withdrawal: north 50 into irr and 25 into the canal's head (20 arrive); the canal's delivery to farm is not
    counted again, nor is irr's return; south 10.  Per step: north 75 of 100 − 10, south 10 of 40.
    """
    return build(
        [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "j", "type": "junction"},
         {"id": "irr", "type": "demand", "demand": 50, "consumptive_fraction": 0.6, "return_to": "ret"},
         {"id": "canal", "type": "canal", "loss": 0.2}, {"id": "farm", "type": "demand", "demand": 20},
         {"id": "ret", "type": "junction"}, {"id": "sea", "type": "sink"},
         {"id": "eflow", "type": "flow_requirement", "at": "ret", "flow": 10},
         {"id": "in2", "type": "inflow", "inflow": 40}, {"id": "k", "type": "junction"},
         {"id": "town", "type": "demand", "demand": 10}, {"id": "sea2", "type": "sink"}],
        [["in", "j"], ["j", "irr"], ["j", "canal"], ["canal", "farm"], ["j", "ret"], ["ret", "sea"],
         ["in2", "k"], ["k", "town"], ["k", "sea2"]],
        steps=12,
    )


@pytest.fixture(scope="module")
def two_rivers() -> tuple[daryo.Model, object]:
    model = _two_rivers()
    return model, daryo.run(model).dataset


def test_stress_of_each_river_and_of_both_worked_out_by_hand(two_rivers):
    _, ds = two_rivers
    table = water_stress(ds, {"north": ["in"], "south": ["in2"]})
    assert table.index.tolist() == ["north", "south", "all"]  # (eflow, on no edge, is in the north's system)
    np.testing.assert_allclose(table["withdrawal"], [75 * 12, 10 * 12, 85 * 12], rtol=1e-9)
    np.testing.assert_allclose(table["renewable"], [1200, 480, 1680], rtol=1e-9)
    np.testing.assert_allclose(table["environmental"], [120, 0, 120], rtol=1e-9)
    np.testing.assert_allclose(table["stress"], [75 / 90 * 100, 25.0, 85 / 130 * 100], rtol=1e-9)
    assert table["level"].tolist() == ["high", "low", "medium"]  # (25 % is "low": "no stress" is below it)


def test_unnamed_systems_take_their_first_node_and_an_environmental_share_replaces_the_requirements(two_rivers):
    _, ds = two_rivers
    table = water_stress(ds, environmental=0.5)
    assert table.index.tolist() == ["system of in", "system of in2", "all"]
    np.testing.assert_allclose(table["environmental"], [600, 240, 840], rtol=1e-9)
    np.testing.assert_allclose(table["stress"], [900 / 600 * 100, 120 / 240 * 100, 1020 / 840 * 100], rtol=1e-9)
    assert table["level"].tolist() == ["critical", "medium", "critical"]


def test_results_read_back_from_netcdf_give_the_same_table(two_rivers, tmp_path):
    import xarray as xr

    _, ds = two_rivers
    daryo.Results(ds).save(netcdf=tmp_path / "r.nc")  # (CF units, string coordinates as NetCDF keeps them)
    with xr.open_dataset(tmp_path / "r.nc") as back:
        assert water_stress(back).equals(water_stress(ds))


def _stress(nodes: list[dict], edges: list, **kw: object) -> tuple[float, float, float]:
    """Withdrawal, environmental (hm³ per step: the tests' twelve steps make one year) and stress of a one-river
    model."""
    ds = daryo.run(build(nodes, edges, steps=12)).dataset
    (row,) = water_stress(ds, **kw).itertuples()
    return row.withdrawal / 12, row.environmental / 12, row.stress


def test_a_canals_water_is_withdrawn_once_at_its_head_and_what_it_brings_back_to_the_river_is_not_withdrawn():
    """A review found a canal's water counted twice where it passed a junction on its way to two farms (head and
    deliveries), and a diversion canal that gives its water back to the river counted as withdrawn."""
    river = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "r", "type": "junction"},
             {"id": "sea", "type": "sink"}]
    # river -> canal (loses 20 %) -> a junction only the canal feeds -> two farms: the head, 30 / 0.8, once
    farms = [{"id": "canal", "type": "canal", "loss": 0.2}, {"id": "split", "type": "junction"},
             {"id": "fa", "type": "demand", "demand": 10}, {"id": "fb", "type": "demand", "demand": 20}]
    got = _stress(river + farms, [["in", "r"], ["r", "canal"], ["canal", "split"], ["split", "fa"], ["split", "fb"],
                                  ["r", "sea"]])
    assert got == pytest.approx((37.5, 0.0, 37.5))
    # river -> diversion canal -> back into the river below, which a farm of 10 draws on: only the farm's 10,
    # whatever the canal carries
    back = [{"id": "canal", "type": "canal", "capacity": 70}, {"id": "below", "type": "junction"},
            {"id": "farm", "type": "demand", "demand": 10}]
    got = _stress(river + back, [["in", "r"], ["r", "canal"], ["canal", "below"], ["r", "below"],
                                 ["below", "farm"], ["below", "sea"]])
    assert got == pytest.approx((10.0, 0.0, 10.0))


def test_a_diversion_canal_that_carries_water_gives_it_back_to_the_river_unwithdrawn():
    """A mutation-testing audit: the withdrawal without what off-river works give back went unseen, as the diversion
    canal of the test above carries nothing in priority mode.  With a min_flow of 40 it carries 40 a month::

        [in: 100] --> (r) --> (canal: 40 to 70) --> (below) --> [farm: 10]
                        \\---------------------------> (below) --> [sea]
    """
    nodes = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "r", "type": "junction"},
             {"id": "sea", "type": "sink"}, {"id": "canal", "type": "canal", "capacity": 70, "min_flow": 40},
             {"id": "below", "type": "junction"}, {"id": "farm", "type": "demand", "demand": 10}]
    edges = [["in", "r"], ["r", "canal"], ["canal", "below"], ["r", "below"], ["below", "farm"], ["below", "sea"]]
    ds = daryo.run(build(nodes, edges, steps=12, start="2000-10")).dataset
    np.testing.assert_allclose(ds["node_flow"].sel(node="canal"), 40.0)
    # the canal takes 40 a month from r and gives them back at below: none withdrawn; the farm takes 10 a month,
    # 120 a year of the river's 1200: 10 % ("no stress"; the canal's 40 a month counted too, 600 and 50 %)
    table = water_stress(ds)
    assert table[["withdrawal", "renewable", "environmental", "stress"]].to_numpy().tolist() == [
        pytest.approx([120.0, 1200.0, 0.0, 10.0])]
    assert table["level"].tolist() == ["no stress"]


def test_the_terms_of_the_stress_are_means_over_the_scenarios():
    """A mutation-testing audit: water_stress's withdrawal, renewable water and environmental flow summed over the
    scenarios instead of taking their mean went unseen (its tests had one scenario).  A river of 100 hm³ a month in
    one scenario and 140 in the other, a farm of 30 and a flow requirement at a of 20 a month in the first and 40
    in the second::

        [in: 100 | 140] --> (a) --> [farm: 30]
                              \\--> [sea]        env: 20 | 40 at a
    """
    nodes = [{"id": "in", "type": "inflow", "inflow": {"values": [[100] * 12, [140] * 12]}},
             {"id": "a", "type": "junction"}, {"id": "farm", "type": "demand", "demand": 30},
             {"id": "env", "type": "flow_requirement", "at": "a", "flow": {"values": [[20] * 12, [40] * 12]}},
             {"id": "sea", "type": "sink"}]
    ds = daryo.run(build(nodes, [["in", "a"], ["a", "farm"], ["a", "sea"]], steps=12, start="2000-10")).dataset
    # withdrawal: the farm's 30 × 12 = 360 a year in both; renewable: (1200 + 1680) / 2 = 1440; environmental:
    # (240 + 480) / 2 = 360; stress 360 / (1440 − 360) = 33.3 % ("low").  Summed over the scenarios: 720, 2880
    # and 720, whose ratio is 33.3 % too (so each term is asserted); the withdrawal and renewable water summed
    # alone, 720 / (2880 − 360) = 28.6 %, the environmental flow alone, 360 / (1440 − 720) = 50 % ("medium")
    table = water_stress(ds)
    assert table[["withdrawal", "renewable", "environmental", "stress"]].to_numpy().tolist() == [
        pytest.approx([360.0, 1440.0, 360.0, 100 / 3])]
    assert table["level"].tolist() == ["low"]


@pytest.mark.parametrize(("upstream", "environmental"), [(20, 20), (30, 30)])
def test_a_requirement_counts_only_what_it_asks_beyond_the_requirement_downstream(upstream, environmental):
    """in 100 -> a -> b -> sea, a farm of 30 taking at a; requirements of ``upstream`` at a and 20 at b: the water
    that meets b's passes a (a review found the two summed, as the model card's Amu 5.0 = 0.8 + 4.2 had them)."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
             {"id": "b", "type": "junction"}, {"id": "sea", "type": "sink"},
             {"id": "farm", "type": "demand", "demand": 30},
             {"id": "up", "type": "flow_requirement", "at": "a", "flow": upstream},
             {"id": "down", "type": "flow_requirement", "at": "b", "flow": 20}]
    got = _stress(nodes, [["in", "a"], ["a", "farm"], ["a", "b"], ["b", "sea"]])
    assert got == pytest.approx((30.0, environmental, 30 / (100 - environmental) * 100))


def _req(name: str, at: str, flow: object) -> dict:
    return {"id": name, "type": "flow_requirement", "at": at, "flow": flow}


def test_requirements_on_joining_rivers_add_up_and_seasonal_ones_count_step_by_step():
    """A second review: the rule of a50b379 took the requirement of each of two joining tributaries away from the
    other's (20 + 20 upstream of 20 gave 20), and compared annual totals, so a requirement of January–June upstream
    of one of July–December gave 10 a month where 20 is needed every month."""
    tributaries = [{"id": "t1", "type": "inflow", "inflow": 50}, {"id": "t2", "type": "inflow", "inflow": 50},
                   {"id": "a", "type": "junction"}, {"id": "b", "type": "junction"}, {"id": "c", "type": "junction"},
                   {"id": "sea", "type": "sink"}, {"id": "farm", "type": "demand", "demand": 10}]
    edges = [["t1", "a"], ["t2", "b"], ["a", "c"], ["b", "c"], ["c", "farm"], ["c", "sea"]]
    for at_c, environmental in ((20, 40), (50, 50)):  # (c needs what a and b pass on, or its own if more)
        got = _stress([*tributaries, _req("ea", "a", 20), _req("eb", "b", 20), _req("ec", "c", at_c)], edges)
        assert got[1] == pytest.approx(environmental)
    loop = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
            {"id": "b", "type": "junction"}, {"id": "sea", "type": "sink"}, {"id": "c", "type": "canal", "capacity": 5},
            {"id": "dl", "type": "delay", "steps": 1}, {"id": "farm", "type": "demand", "demand": 10},
            _req("ea", "a", 20), _req("eb", "b", 20)]  # (b's water reaches a again through a delay: a loop)
    got = _stress(loop, [["in", "a"], ["a", "b"], ["b", "c"], ["c", "dl"], ["dl", "a"], ["b", "sea"], ["b", "farm"]])
    assert got[1] == pytest.approx(20.0)
    winter, summer = [20] * 6 + [0] * 6, [0] * 6 + [20] * 6
    chain = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
             {"id": "b", "type": "junction"}, {"id": "sea", "type": "sink"},
             {"id": "farm", "type": "demand", "demand": 30}]
    for down in ("b", "a"):  # (in series, and both on one node)
        got = _stress([*chain, _req("up", "a", {"monthly": winter}), _req("dn", down, {"monthly": summer})],
                      [["in", "a"], ["a", "farm"], ["a", "b"], ["b", "sea"]])
        assert got == pytest.approx((30.0, 20.0, 30 / 80 * 100))


def test_the_environmental_requirement_is_the_least_water_left_in_the_rivers_that_meets_them():
    """A third review: sharing a requirement's water equally between the branches below it made a requirement of 0
    raise the figure, a loop's figure depended on the order of the nodes, and requirements on a canal or a demand
    (whose water is withdrawn) were counted too."""
    river = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
             {"id": "x", "type": "junction"}, {"id": "sea", "type": "sink"}, {"id": "sea2", "type": "sink"},
             {"id": "farm", "type": "demand", "demand": 10}]
    split = [["in", "a"], ["a", "x"], ["x", "sea2"], ["a", "sea"], ["a", "farm"]]
    for extra, environmental in (([], 20), ([_req("ex", "x", 0)], 20), ([_req("ex", "x", 15)], 35)):
        got = _stress([*river, _req("ea", "a", 20), _req("es", "sea", 20), *extra], split)
        assert got[1] == pytest.approx(environmental), extra  # (a's 20 meets sea's; x's 15 needs its own)
    delta = [*river, _req("ea", "a", 30), _req("ex", "x", 25), _req("es", "sea", 5)]
    assert _stress(delta, split)[1] == pytest.approx(30.0)  # (the arms' 25 + 5 is the 30 above)
    # a loop through a delay, whatever the order of the nodes (the sink first, then last)
    loop = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
            {"id": "b", "type": "junction"}, {"id": "c", "type": "canal", "capacity": 5},
            {"id": "dl", "type": "delay", "steps": 1}, {"id": "farm", "type": "demand", "demand": 10},
            _req("ea", "a", 20), _req("eb", "b", 20), _req("es", "sea", 20)]
    edges = [["in", "a"], ["a", "b"], ["b", "c"], ["c", "dl"], ["dl", "a"], ["b", "sea"], ["b", "farm"]]
    sea = {"id": "sea", "type": "sink"}
    assert _stress([sea, *loop], edges)[1] == _stress([*loop, sea], edges)[1] == pytest.approx(20.0)
    # requirements on a canal and on a demand: their water is withdrawn, so not also environmental
    works = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
             {"id": "sea", "type": "sink"}, {"id": "c", "type": "canal"}, {"id": "f", "type": "demand", "demand": 30},
             _req("es", "sea", 20), _req("ec", "c", 10), _req("ef", "f", 25)]
    got = _stress(works, [["in", "a"], ["a", "c"], ["c", "f"], ["a", "sea"]])
    assert got == pytest.approx((30.0, 20.0, 30 / 80 * 100))


def test_the_environmental_requirement_counts_what_the_river_loses_on_the_way():
    """A user review: a requirement behind a lossy edge or reach needs more water left upstream than it asks (the
    Aral model's North Aral requirement, 2.4 km³/yr behind losses of 15 % and 10 %, counted 2.4, not 3.1)."""
    edge = [{"id": "src", "type": "inflow", "inflow": 100}, {"id": "j", "type": "junction"},
            {"id": "farm", "type": "demand", "demand": 60, "priority": 2}, {"id": "lake", "type": "sink"},
            _req("e", "lake", 20)]
    assert _stress(edge, [["src", "j"], ["j", "farm"], {"from": "j", "to": "lake", "loss": 0.5}]) == pytest.approx(
        (60.0, 40.0, 100.0))  # (the farm gets its 60: 40 must go down the edge that loses half)
    reach = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
             {"id": "farm", "type": "demand", "demand": 30}, {"id": "r", "type": "reach", "loss": 0.2},
             {"id": "sea", "type": "sink"}, _req("es", "sea", 20)]
    edges = [["in", "a"], ["a", "farm"], ["a", "r"], ["r", "sea"]]
    assert _stress(reach, edges)[1] == pytest.approx(25.0)  # (20 / 0.8 enters the reach)
    assert _stress([*reach, _req("er", "r", 30)], edges)[1] == pytest.approx(30.0)  # (a reach's flow: what enters)
    assert _stress([*reach, _req("er", "r", 22)], edges)[1] == pytest.approx(25.0)
    # a loss that varies over the run counts at its smallest value
    seasonal = [*reach[:3], {"id": "r", "type": "reach", "loss": {"monthly": [0.5] * 6 + [0.2] * 6}}, *reach[4:]]
    assert _stress(seasonal, edges)[1] == pytest.approx(25.0)


def test_water_back_from_off_river_works_is_subtracted_up_to_what_they_took_and_returns_are_not():
    """A second review: returns carried back by a drain canal were subtracted (30 instead of 50), and an
    off-channel reservoir that released more than it took made the withdrawal negative ("no stress")."""
    base = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
            {"id": "b", "type": "junction"}, {"id": "sea", "type": "sink"}]
    drain = [{"id": "farm", "type": "demand", "demand": 50, "consumptive_fraction": 0.6, "return_to": "drain"},
             {"id": "drain", "type": "canal"}]
    got = _stress(base + drain, [["in", "a"], ["a", "farm"], ["drain", "b"], ["a", "b"], ["b", "sea"]])
    assert got[0] == pytest.approx(50.0)
    # the drain in the works of the canal that fed the farm: the farm's return is not the canal's water given back
    fed = [{"id": "canal", "type": "canal", "capacity": 40}, {"id": "j", "type": "junction"},
           {"id": "farm", "type": "demand", "demand": 30, "consumptive_fraction": 0.6, "return_to": "drain"},
           {"id": "drain", "type": "canal"}]
    got = _stress(base + fed, [["in", "a"], ["a", "canal"], ["canal", "j"], ["j", "farm"], ["j", "drain"],
                               ["drain", "b"], ["a", "b"], ["b", "sea"]])
    assert got[0] == pytest.approx(30.0)
    offline = [{"id": "canal", "type": "canal", "capacity": 1},
               {"id": "res", "type": "reservoir", "max_volume": {"monthly": [500] + [100] * 11},
                "initial_volume": 500}, {"id": "farm", "type": "demand", "demand": 5}]
    got = _stress(base + offline, [["in", "a"], ["a", "canal"], ["canal", "res"], ["res", "b"], ["a", "b"],
                                   ["b", "farm"], ["b", "sea"]])
    assert got[0] == pytest.approx(5.0)  # (the farm's: the reservoir gave back more than its canal took)


def test_each_hydrological_year_on_its_own():
    """A review: a drought's stress was diluted by the run's other years, and a year's own took a selection by
    hand.  A river of 120 a month in a normal year and 60 in a dry one, a farm of 30 a month."""
    flows = [[120.0] * 12 + [60.0] * 12]  # (October 2000 to September 2002: hydrological years 2001 and 2002)
    model = build([{"id": "in", "type": "inflow", "inflow": {"values": flows}}, {"id": "farm", "type": "demand",
                   "demand": 30}, {"id": "sea", "type": "sink"}], [["in", "farm"], ["in", "sea"]], steps=24,
                  start="2000-10")
    ds = daryo.run(model).dataset
    table = water_stress_by_year(ds)
    assert table.index.tolist() == [(2001, "system of in"), (2002, "system of in")]
    np.testing.assert_allclose(table["stress"], [25.0, 50.0], rtol=1e-9)
    assert table["level"].tolist() == ["low", "medium"]
    assert water_stress(ds)["stress"].iloc[0] == pytest.approx(720 / 2160 * 100)  # (the run's: 33 %)
    with pytest.raises(ValueError, match="no hydrological_year over time"):
        water_stress_by_year(ds.drop_vars("hydrological_year"))


def test_a_run_shorter_than_a_year_gives_its_totals_as_daryo_run_prints_them():
    """An FAO/UN-Water methodology review: a run from April to September gave renewable water twice its summer's,
    labelled "hm3 per year", where daryo run printed the summer's totals "in the run".  A river of 120 a month in
    summer, a farm of 30 a month: 720 and 180 hm³ in the run."""
    model = build([{"id": "in", "type": "inflow", "inflow": 120.0}, {"id": "farm", "type": "demand", "demand": 30},
                   {"id": "sea", "type": "sink"}], [["in", "farm"], ["in", "sea"]], steps=6, start="2001-04")
    ds = daryo.run(model).dataset
    table = water_stress(ds)
    assert table[["withdrawal", "renewable"]].iloc[0].tolist() == pytest.approx([180.0, 720.0])
    assert table.attrs["units"]["renewable"] == table.attrs["units"]["withdrawal"] == "hm3 in the run"
    assert stress_table(ds)[["withdrawal", "renewable"]].iloc[0].tolist() == pytest.approx([180.0, 720.0])
    year = build([{"id": "in", "type": "inflow", "inflow": 120.0}, {"id": "farm", "type": "demand", "demand": 30},
                  {"id": "sea", "type": "sink"}], [["in", "farm"], ["in", "sea"]], steps=12, start="2000-10")
    assert water_stress(daryo.run(year).dataset).attrs["units"]["renewable"] == "hm3 per year"


def test_a_year_the_run_covers_in_part_is_flagged_not_passed_as_a_years():
    """The methodology review: the first year of a run from April, its summer only, gave a summer's ratio as
    hydrological year 2001's, its water doubled "per year".  A river of 120 a month in summer and 40 in winter, a
    farm of 30 a month, April 2001 to September 2002: 2001's summer, 720 and 180 hm³; 2002, 960 and 360 hm³."""
    flows = [[120.0] * 6 + [40.0] * 6 + [120.0] * 6]
    model = build([{"id": "in", "type": "inflow", "inflow": {"values": flows}}, {"id": "farm", "type": "demand",
                   "demand": 30}, {"id": "sea", "type": "sink"}], [["in", "farm"], ["in", "sea"]], steps=18,
                  start="2001-04")
    table = water_stress_by_year(daryo.run(model).dataset)
    assert table.index.tolist() == [(2001, "system of in"), (2002, "system of in")]
    assert table["partial"].tolist() == [True, False]
    np.testing.assert_allclose(table["renewable"], [720.0, 960.0], rtol=1e-9)
    np.testing.assert_allclose(table["withdrawal"], [180.0, 360.0], rtol=1e-9)


@pytest.mark.parametrize("start, end, partial", [("2000-10-01", "2003-09-30", [False, False, False]),
                                                  ("2000-10-15", "2003-09-15", [True, False, True])])
def test_whole_years_of_weekly_steps_are_not_partial(start, end, partial):
    """A weekly modeller's review: a year of 52 weeks (364 days) was flagged partial, as a run under 365 days is, and
    its water given as the part's total, not per year, beside the 53-week years' made annual.  A year is partial
    where the run starts after its 1 October or ends before the next; a whole year's water is its steps' (those that
    start in it) per year: 1 hm³ a day, 365 hm³/yr, the farm 0.25 of it."""
    from daryo.model import model_from_dict

    model = model_from_dict({"version": 1, "name": "weekly", "time": {"start": start, "end": end,
                                                                      "step": {"days": 7}},
                             "nodes": [{"id": "in", "type": "inflow", "inflow": {"value": 1, "unit": "hm3/day"}},
                                       {"id": "farm", "type": "demand", "demand": {"value": 0.25, "unit": "hm3/day"},
                                        "priority": 1},
                                       {"id": "sea", "type": "sink"}],
                             "edges": [["in", "farm"], ["in", "sea"]]})
    ds = daryo.run(model).dataset
    table = water_stress_by_year(ds)
    assert table["partial"].tolist() == partial
    whole = table[~table["partial"]]
    # (to 1e-4: a last step past 30 September counts its days as a share of a year as n_years splits it)
    np.testing.assert_allclose(whole["renewable"], 365.0, rtol=1e-4)
    np.testing.assert_allclose(whole["stress"], 25.0, rtol=1e-9)
    assert table.attrs["units"]["renewable"] == "hm3 per year (in the part covered, where partial)"
    first = ds.sel(time=ds["hydrological_year"] == 2001)
    if partial[0]:  # (the part's total: its steps' days)
        assert table["renewable"].iloc[0] == pytest.approx(float(first["days"].sum()), rel=1e-9)


def test_names_two_systems_would_share_are_told_apart(two_rivers):
    _, ds = two_rivers
    table = water_stress(ds, {"basin": ["in", "in2"]})  # (one basin's inflows in two systems)
    assert table.index.tolist() == ["basin (in)", "basin (in2)", "all"]
    table = water_stress(ds, {"all": ["in"], "b": ["in2"]})  # (a basin named "all": a review)
    assert table.index.tolist() == ["all", "b", "all systems"] and table.loc["all", "withdrawal"] == 75 * 12


@pytest.mark.parametrize("basins, error, message", [
    ("north", TypeError, "basins: give a mapping of basin names to lists of node ids .* not str"),
    (["in"], TypeError, "basins: give a mapping .* not list"),
    ({"north": "in"}, TypeError, "basins.'north'.: give a list of node ids .* not 'in'"),
    ({"north": ["inn", "x"]}, ValueError, r"basins\['north'\]: inn, x are not nodes of the results \(did you mean "
     "'in'"),
])
def test_basins_that_name_no_nodes_of_the_results_are_refused(two_rivers, basins, error, message):
    """A basin's inflows misspelt named the system silently by its first node; a name for a mapping failed deep
    inside ('str' object has no attribute 'items'): a review of the Python API."""
    from daryo.compare import compare_runs

    _, ds = two_rivers
    with pytest.raises(error, match=message):
        water_stress(ds, basins)
    with pytest.raises(error, match=message):
        compare_runs(ds, ds, basins=basins)


def test_two_runs_are_compared_with_the_basins_of_either(tmp_path):
    """An overlay that removes one of a basin's nodes: the model's basins name the second run's systems still (a diff
    review: the node only the first run has was refused as not a node of the second's results)."""
    from daryo.compare import compare_runs

    model = tmp_path / "m.yaml"
    model.write_text("version: 1\nname: t\nallocation: cost\ntime: {start: 2001-10, end: 2002-09}\n"
                     "metadata: {basins: {north: [up, side]}}\nnodes:\n"
                     "  - {id: up, type: inflow, inflow: 30}\n  - {id: side, type: inflow, inflow: 10}\n"
                     "  - {id: farm, type: demand, demand: 25, cost: -10}\n  - {id: sea, type: sink, cost: 1}\n"
                     "edges: [[up, farm], [side, farm], [up, sea], [side, sea]]\n")
    (tmp_path / "noside.yaml").write_text("title: no side\nchanges:\n  - remove_nodes: [side]\n")
    base = daryo.load(model)
    runs = [daryo.run(m).dataset for m in (base, daryo.load(model, scenarios=[str(tmp_path / "noside.yaml")]))]
    table = compare_runs(*runs, basins=base.metadata["basins"]).set_index(["table", "element", "quantity"])
    assert table.loc[("system", "north", "renewable"), "first"] == pytest.approx(40 * 12)
    assert table.loc[("system", "north", "renewable"), "second"] == pytest.approx(30 * 12)
    with pytest.raises(ValueError, match=r"basins\['north'\]: sid is not a node of the results .did you mean 'side'"):
        compare_runs(*runs, basins={"north": ["up", "sid"]})
    # a basin whose every node the second run lacks: its system keeps the first run's name, what is left of it (a
    # second diff review: the second run's system was "north" and the first's "north + south", compared with nothing)
    table = compare_runs(*runs, basins={"north": ["up"], "south": np.array(["side"])})
    systems = table[table["table"] == "system"]
    assert set(systems["element"]) == {"north + south"} and systems[["first", "second"]].notna().all(axis=None)


def test_levels_and_refusals(two_rivers):
    _, ds = two_rivers
    assert [stress_level(s) for s in (0.0, 24.9, 25.0, 74.9, 75.0, 99.9, 100.0, 100.1, np.inf)] == [
        "no stress", "no stress", "low", "medium", "high", "high", "high", "critical", "critical"]
    assert stress_level(np.nan) == ""
    for bad in (1.0, -0.1, "fraction", True):
        with pytest.raises(ValueError, match="give 'requirements' .* or a fraction of the renewable water"):
            water_stress(ds, environmental=bad)
    with pytest.raises(ValueError, match="no 'edge_flow'.*an ensemble's store does not keep them"):
        water_stress(ds.drop_vars("edge_flow"))
    with pytest.raises(TypeError, match="pass results.dataset"):
        water_stress(daryo.run(_two_rivers()))
    # results written before the requirements' nodes were (their water fell out of its river: a review)
    with pytest.raises(ValueError, match="did not keep the node each flow requirement is on .'requirement_at'"):
        water_stress(ds.drop_vars("requirement_at"))


def test_a_flow_owed_downstream_is_not_an_environmental_flow(tmp_path):
    """A WEAP user's review: a treaty's share at a border, written as a flow requirement, was counted as the river's
    environmental flow, and the water stress rose from 43 % to 71 % though no delivery changed.  in 100 -> a -> b ->
    sea, a farm of 30 at a, an environmental flow of 20 at a and a share of 40 owed at b: as environmental flows the
    least water left in the river is 40 (the share's water passes a); with the share of ``purpose: obligation``, 20.
    The results (and their NetCDF file) say each requirement's purpose."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "a", "type": "junction"},
             {"id": "b", "type": "junction"}, {"id": "sea", "type": "sink"},
             {"id": "farm", "type": "demand", "demand": 30}, _req("eco", "a", 20), _req("share", "b", 40)]
    edges = [["in", "a"], ["a", "farm"], ["a", "b"], ["b", "sea"]]
    assert _stress(nodes, edges) == pytest.approx((30.0, 40.0, 30 / 60 * 100))
    nodes[-1]["purpose"] = "obligation"
    assert _stress(nodes, edges) == pytest.approx((30.0, 20.0, 30 / 80 * 100))
    results = daryo.run(build(nodes, edges, steps=12))
    assert results.dataset["requirement_purpose"].values.tolist() == ["environmental", "obligation"]
    back = xr.open_dataset(results.to_netcdf(tmp_path / "r.nc"))
    assert back["requirement_purpose"].values.tolist() == ["environmental", "obligation"]
    assert water_stress(back)["environmental"].item() == pytest.approx(20.0 * 12)
    from daryo.ensemble import EnsembleOptions, run_ensemble  # (an ensemble's store: its yearly environmental flow)

    run_ensemble(build(nodes[:-1] + [dict(nodes[-1], purpose="obligation")], edges, steps=12),
                 EnsembleOptions(traces=2, years=1, seed=1), tmp_path / "e.nc")
    with xr.open_dataset(tmp_path / "e.nc") as ens:
        assert ens["requirement_purpose"].values.tolist() == ["environmental", "obligation"]
        np.testing.assert_allclose(ens["annual_environmental_flow"].values, 20.0 * 12, rtol=1e-9)
    nodes[-1]["purpose"] = "treaty"
    with pytest.raises(daryo.ModelError, match="purpose.*environmental, obligation"):
        build(nodes, edges, steps=12)


def test_a_pumped_source_beside_a_river_counts_as_far_as_it_was_drawn(tmp_path, capsys):
    """A WEAP user's review: one groundwater source (an inflow with a max_flow and no series) beside the river hid
    the water stress of every run and ensemble.  It counts as renewable water, and as withdrawn into the town, as
    far as it was drawn, and a note says so.  By hand, per step: the well's 5 (the cheaper supply) and the river's 5
    to the town, the farm's 30: withdrawal 40 of 100 + 5."""
    from daryo.cli import main
    from daryo.ensemble import EnsembleOptions, run_ensemble, water_stress_table
    from daryo.sdg import drawn_supply_note, unknown_renewable_water

    model = build([{"id": "river", "type": "inflow", "inflow": 100}, {"id": "j", "type": "junction"},
                   {"id": "farm", "type": "demand", "demand": 30}, {"id": "sea", "type": "sink"},
                   {"id": "well", "type": "inflow", "max_flow": 5, "cost": 1},
                   {"id": "town", "type": "demand", "demand": 10}],
                  [["river", "j"], ["j", "farm"], ["j", "sea"], ["well", "town"],
                   {"from": "j", "to": "town", "cost": 2}], steps=12)
    ds = daryo.run(model).dataset
    (row,) = water_stress(ds).itertuples()
    assert (row.withdrawal, row.renewable) == pytest.approx((40 * 12, 105 * 12))
    assert unknown_renewable_water(model) == ""
    note = drawn_supply_note(model)
    assert note.startswith("inflow well, with no inflow series, supplies what the allocation takes (a pumped source)")
    run_ensemble(model, EnsembleOptions(traces=2, years=1, seed=1), tmp_path / "e.nc")
    table = water_stress_table(tmp_path / "e.nc")
    assert table.attrs["comment"] == note and "caveat" not in table.attrs
    with xr.open_dataset(tmp_path / "e.nc") as ens:  # (the traces' river, and the well's 60 a year)
        np.testing.assert_allclose(ens["annual_inflow"].sel(inflow="well"), 60.0, rtol=1e-9)
        assert table["renewable"].item() == pytest.approx(float(ens["annual_inflow"].sum("inflow").mean()))
        assert table["withdrawal"].item() == pytest.approx(float(ens["annual_delivery"].sum("demand").mean()))
    assert main(["summary", str(tmp_path / "e.nc")]) == 0
    assert f"  ({note})" in capsys.readouterr().out.splitlines()
    pywr_like = build([{"id": "well", "type": "inflow", "max_flow": 5}, {"id": "town", "type": "demand", "demand": 10}],
                      [["well", "town"]], steps=12)  # (every inflow the allocation's choice: no stress at all)
    assert unknown_renewable_water(pywr_like).startswith("inflow well supplies") and drawn_supply_note(pywr_like) == ""
