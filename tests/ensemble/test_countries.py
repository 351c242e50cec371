"""Each country's water over an ensemble's trace-years, worked out by hand on a store of 4 traces × 2 run years (a
Turkmen analyst's review: ``daryo ensemble`` printed no country's water)."""

import numpy as np
import pytest
from ensemble_cases import _write_store

from daryo.cli import main
from daryo.ensemble.countries import country_shortfall_table

#: two demands of KAZ (a, b) and one of UZB (c): what each wants and gets, (trace, run year)
DEMAND = {"a": [[10.0, 10.0]] * 4, "b": [[30.0, 30.0]] * 4, "c": [[20.0, 20.0]] * 4}
DELIVERY = {"a": [[10.0, 0.0], [10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            "b": [[10.0, 30.0], [30.0, 30.0], [30.0, 30.0], [30.0, 30.0]],
            "c": [[20.0, 20.0], [20.0, 20.0], [20.0, 20.0], [20.0, 20.0 - 1e-8]]}  # (c's: solver noise alone)


def _store(path):
    from daryo.ensemble import ANNUAL_INDICATORS

    coords, part = {}, {}
    for kind in sorted(set(ANNUAL_INDICATORS.values())):
        coords[kind] = list(DEMAND) if kind == "demand" else [f"{kind}0"]
        coords[f"{kind}_country"] = (kind, ["KAZ", "KAZ", "UZB"] if kind == "demand" else ["KGZ"])
    for k, dim in ANNUAL_INDICATORS.items():
        part[k] = np.ones((4, 2, len(coords[dim])))
    part["annual_demand"] = np.stack([np.array(DEMAND[d]) for d in DEMAND], axis=2)
    part["annual_delivery"] = np.stack([np.array(DELIVERY[d]) for d in DELIVERY], axis=2)
    part["annual_deficit_fraction"] = 1 - part["annual_delivery"] / part["annual_demand"]
    return _write_store(path, part, coords, "countries")


def test_a_countrys_water_is_its_demands_summed_in_each_trace_year(tmp_path):
    """KAZ wants 40 a year; in trace 0 it gets 20 of it in year 0 (b short by 20) and 30 in year 1 (a short by 10):
    a deficit of 30 over 8 trace-years, 3.75 a year, a share of 30 / 320; above 30 % of its demand (12) in one
    trace-year (20), so P = 1/8.  UZB's deficit of 1e-8 is solver noise: none."""
    table = country_shortfall_table(_store(tmp_path / "s.nc"))
    assert list(table.index) == ["KAZ", "UZB"]
    kaz, uzb = table.loc["KAZ"], table.loc["UZB"]
    assert (kaz["demand"], kaz["deficit"]) == pytest.approx((40.0, 3.75))
    assert kaz["deficit_share"] == pytest.approx(30 / 320) and kaz["probability"] == pytest.approx(1 / 8)
    assert kaz["p95"] == pytest.approx(np.percentile([0.5, 0.25] + [0.0] * 6, 95))
    assert kaz["deficit_share_low"] < 30 / 320 < kaz["deficit_share_high"]
    assert 0 < kaz["probability_low"] < 1 / 8 < kaz["probability_high"] < 1
    assert (uzb["deficit"], uzb["deficit_share"], uzb["probability"]) == (0.0, 0.0, 0.0)
    assert uzb["deficit_share_low"] == 0.0 and 0.0 < uzb["deficit_share_high"] < 0.6  # (0 of 8 trace-years, 4 traces)
    assert table.attrs["pairs"] == 8 and table.attrs["threshold"] == 0.3


def test_one_run_years_figures_and_another_threshold(tmp_path):
    store = _store(tmp_path / "s.nc")
    year1 = country_shortfall_table(store, year=1)  # (trace 0's a short by 10 of KAZ's 40: 25 %)
    assert year1.loc["KAZ", "deficit"] == pytest.approx(2.5) and year1.loc["KAZ", "probability"] == 0.0
    lower = country_shortfall_table(store, threshold=0.2, year=1)
    assert lower.loc["KAZ", "probability"] == pytest.approx(1 / 4) and lower.attrs["year"] == 1
    with pytest.raises(ValueError, match="threshold=1"):
        country_shortfall_table(store, threshold=1)


def test_the_report_prints_each_countrys_water(tmp_path, capsys):
    assert main(["summary", str(_store(tmp_path / "s.nc"))]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = next(k for k, line in enumerate(lines) if line.startswith("water by country over the trace-years"))
    assert lines[head + 1].split() == ["country", "demand", "deficit", "share", "P", "p95"]
    assert lines[head + 2].split()[:5] == ["KAZ", "40.0", "3.8", "9", "%"]  # (9.4 %, to its interval's digits)
    assert lines[head + 3].split()[:3] == ["UZB", "20.0", "0.0"]


def test_a_model_without_demands_has_no_country_rows_and_the_report_none(tmp_path, capsys):
    bare = tmp_path / "bare.yaml"
    bare.write_text("version: 1\nname: bare\ntime: {start: 2000-10, end: 2002-09}\nnodes:\n"
                    "  - {id: in, type: inflow, inflow: 10}\n  - {id: sea, type: sink}\nedges:\n  - [in, sea]\n")
    assert main(["ensemble", str(bare), "--traces", "2", "--years", "1", "--quiet", "-o", str(tmp_path / "b.nc")]) == 0
    assert country_shortfall_table(tmp_path / "b.nc").empty
    assert "water by country" not in capsys.readouterr().out


def test_a_range_of_run_years_pools_those_years_alone(tmp_path):
    store = _store(tmp_path / "s.nc")
    ranged = country_shortfall_table(store, years=slice(1, None))
    assert ranged.loc["KAZ", "deficit"] == pytest.approx(2.5) and ranged.attrs["years"] == [1]
    assert ranged.equals(country_shortfall_table(store, year=1))
    with pytest.raises(ValueError, match="year=1 and years="):
        country_shortfall_table(store, year=1, years=range(0, 2))
