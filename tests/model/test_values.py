"""Attribute values of a model file read into the model's units (hm³, km², m): here, level tables."""

import numpy as np
import pytest

import daryo
from daryo.model import model_from_dict


@pytest.mark.parametrize(("table", "units"), [
    ({"volume": [0, 2000], "level": [100, 200], "area": [0, 10000]}, {"area": "ha"}),
    ({"volume": [0, 2], "level": [100, 200], "area": [0, 10000]}, {"volume": "km3", "area": "ha"}),
    ({"volume": [0, 2], "level": [100, 200], "area": [0, 100]}, {"volume": "km3"}),
])
def test_a_level_tables_columns_are_read_in_their_units(table, units):
    """::

        [in: 10] --> (dam: 1,000 of 2,000 hm³, evaporation 100 mm) --> [sea]

    A mutation-testing review: no test would have seen a level table's ``units`` ignored.  The table's volumes
    0 and 2,000 hm³ (or 0 and 2 km3) and areas 0 and 10,000 ha (or 0 and 100 km²) are read as 0 and 2,000 hm³
    and 0 and 100 km²; half full, the dam's area is 50 km², so 100 mm evaporates 50 km² × 0.1 m = 5 hm³ in
    January (areas read as km² would give 500 hm³)."""
    model = model_from_dict({
        "version": 1, "name": "table_units", "time": {"start": "2001-01", "end": "2001-01"},
        "nodes": [{"id": "in", "type": "inflow", "inflow": 10},
                  {"id": "dam", "type": "reservoir", "max_volume": 2000, "initial_volume": 1000,
                   "level_table": {**table, "units": units}, "evaporation": 100},
                  {"id": "sea", "type": "sink"}],
        "edges": [["in", "dam"], ["dam", "sea"]]})
    read = model.node("dam").get("level_table")
    np.testing.assert_array_equal(read.volume, [0.0, 2000.0])
    np.testing.assert_array_equal(read.level, [100.0, 200.0])
    np.testing.assert_allclose(read.area, [0.0, 100.0], rtol=1e-12)
    ds = daryo.run(model).dataset.isel(scenario=0, time=0)
    assert float(ds.evaporation.sel(reservoir="dam")) == pytest.approx(5.0, rel=1e-12)
    assert float(abs(ds.mass_balance_error)) < 1e-9
