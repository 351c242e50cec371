"""SDG 6.4.2's water stress by river system, worked out by hand on a network of two rivers."""

from __future__ import annotations

import numpy as np
import pytest

import daryo
from daryo.sdg import stress_level, water_stress
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


def test_names_two_systems_would_share_are_told_apart(two_rivers):
    _, ds = two_rivers
    table = water_stress(ds, {"basin": ["in", "in2"]})  # (one basin's inflows in two systems)
    assert table.index.tolist() == ["basin (in)", "basin (in2)", "all"]


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
    with pytest.raises(ValueError, match="flow requirements but not the node each is on .'requirement_at'"):
        water_stress(ds.drop_vars("requirement_at"))
