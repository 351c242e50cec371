"""Evaporation and plant heads, over all reservoirs and plants at once, against the formulas per element."""

import warnings

import numpy as np

import daryo
from daryo.model.series import LevelTable
from daryo.network import compile_network
from daryo.simulate.engine import plant_heads
from daryo.simulate.physics import evaporation_hm3, turbine_flow_limit, turbine_volume


def _tables() -> list[LevelTable | None]:
    volume = np.array([0.0, 100.0, 400.0, 1000.0])
    return [
        LevelTable(volume, np.array([10.0, 20.0, 25.0, 30.0]), np.array([0.0, 5.0, 12.0, 20.0])),
        None,  # no table: no evaporation
        LevelTable(volume, np.array([1.0, 2.0, 3.0, 4.0]), None),  # levels but no areas: no evaporation
        LevelTable(volume * 2, None, np.array([1.0, 3.0, 6.0, 8.0])),
        LevelTable(volume, None, np.array([2.0, 2.0, 2.0, 2.0])),  # its depth is 0 below: no evaporation
    ]


def test_evaporation_by_hand():
    """A depth of 1,000 mm over the area at 250 hm³ (8.5 km², halfway from 5 to 12) is 8.5 hm³, and over the
    0.01 km² at 0.2 hm³ it is 0.01 hm³; never more than what is stored, and nothing from a negative volume."""
    tables = _tables()[:1]
    volume = np.array([[250.0], [0.2], [-3.0]])
    got = evaporation_hm3(volume, np.array([1000.0]), tables)
    np.testing.assert_allclose(got[:, 0], [8.5, 0.01, 0.0], rtol=1e-12)
    got = evaporation_hm3(volume, np.array([50_000.0]), tables)  # 50 m: 425 and 0.5 hm³, more than is stored
    np.testing.assert_allclose(got[:, 0], [250.0, 0.2, 0.0], rtol=1e-12)


def test_evaporation_equals_the_formula_per_reservoir_to_the_bit():
    tables = _tables()
    rng = np.random.default_rng(3)
    volume = rng.uniform(-50.0, 2500.0, size=(7, len(tables)))
    volume[0] = [0.0, 100.0, 400.0, 1000.0, 3000.0]  # on the table's points, and beyond its end
    depth = np.array([120.0, 80.0, 60.0, 2500.0, 0.0])
    got = evaporation_hm3(volume, depth, tables)
    want = np.zeros_like(volume)
    for r, table in enumerate(tables):
        if table is not None and table.area is not None and depth[r] != 0.0:
            area = np.interp(volume[:, r], table.volume, table.area)
            want[:, r] = np.clip(depth[r] * area * 1e-3, 0.0, np.maximum(volume[:, r], 0.0))
    np.testing.assert_array_equal(got, want)
    assert np.all(got[:, [1, 2, 4]] == 0.0) and np.count_nonzero(got[:, [0, 3]]) > 8


def test_plant_heads_equal_the_level_minus_tailwater_per_plant_to_the_bit():
    net = compile_network(daryo.load())
    tabled = np.flatnonzero(np.isnan(net.hp_head))
    assert tabled.size and tabled.size < len(net.hp_ids)  # the embedded model has plants of both kinds
    rng = np.random.default_rng(5)
    volume = rng.uniform(0.0, 1.2, size=(6, net.res_initial.shape[1])) * np.maximum(net.res_initial, 1.0)
    got = plant_heads(net, volume)
    for k in range(len(net.hp_ids)):
        if k in tabled:
            table = net.res_tables[net.hp_res[k]]
            level = np.interp(volume[:, net.hp_res[k]], table.volume, table.level)
            np.testing.assert_array_equal(got[:, k], np.maximum(level - net.hp_tailwater[k], 0.0))
        else:
            np.testing.assert_array_equal(got[:, k], net.hp_head[k])


def test_turbine_limits_by_hand_and_none_without_head():
    """100 MW for 30 days is 72 GWh; at 100 m and 90 % a hm³ gives 1000 kg/m³ · 9.81 m/s² · 1e6 m³ · 100 m · 0.9
    / 3.6e12 J/GWh = 0.24525 GWh, so 72 / 0.24525 = 293.58 hm³.  Without head (0 m, or not a number) no volume
    gives energy: 0, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = turbine_flow_limit(np.array([100.0, 100.0, 100.0]), 30.0, np.array([100.0, 0.0, np.nan]),
                                 np.full(3, 0.9))
        need = turbine_volume(np.array([[24.525, 5.0]]), np.array([[0.24525, 0.0]]))
    np.testing.assert_allclose(got, [72.0 / 0.24525, 0.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(need, [[100.0, 0.0]], rtol=1e-12)


def test_a_negative_net_depth_evaporates_nothing_and_adds_no_water():
    """The model refuses a negative depth (validate.check_nonnegative), but evaporation_hm3 is public: -1,000 mm
    over the 8.5 km² at 250 hm³ would be -8.5 hm³, water made from nothing; the loss is 0 (only 1,000 mm of the
    second reservoir evaporates, 8.5 hm³)."""
    table = LevelTable(np.array([0.0, 100.0, 400.0, 1000.0]), None, np.array([0.0, 5.0, 12.0, 20.0]))
    got = evaporation_hm3(np.array([[250.0, 250.0]]), np.array([-1000.0, 1000.0]), [table, table])
    np.testing.assert_allclose(got, [[0.0, 8.5]], rtol=1e-12, atol=0.0)
    assert np.all(got >= 0.0)
