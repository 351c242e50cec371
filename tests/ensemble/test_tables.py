"""The tables of a finished ensemble output (daryo.ensemble.tables): each worked out again by hand from the store's
annual arrays, from a path or the store opened once."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from ensemble_cases import (
    DryRiverTraces,
    FarmAndTownTraces,
    basin,
    basin_network,
    basin_run,
    load,
    not_an_ensemble,
    plant_basin,
    run,
    summaries_store,
    yaml_of_basin,
)
from scipy.stats import beta

import daryo
from daryo.cf import daryo_units
from daryo.cli import main
from daryo.ensemble import (
    EnsembleOptions,
    run_ensemble,
    seasonal_shortfall_table,
    shortfall_table,
    summary_table,
    write_summary_csv,
)
from daryo.ensemble.summary import SUMMARY_CSV_COLUMNS, check_summary_csv
from daryo.testmodels import build

#: Student's t 97.5 % quantile of 3 degrees of freedom: the margin of the 95 % interval of 4 traces
T3 = 3.182446305284263
#: of 7: with T3, the Korn–Graubard interval's factor (T7 / T3)² of a share of 4 traces × 2 years
T7 = 2.364624251592784


def test_the_tables_of_a_store_opened_once_are_those_of_its_path(tmp_path, monkeypatch):
    """Every table of an ensemble's output takes the store opened once (open_output, or xarray's own) as well as its
    path, with the same figures; daryo compare and daryo summary open each store once for all their tables (they
    opened it once a table: seven times a store for a comparison)."""
    from daryo.compare import compare_ensembles, paired_deficit_changes
    from daryo.ensemble import (
        energy_table,
        open_output,
        requirement_table,
        run_of,
        shortfall_table,
        storage_table,
        summary_table,
        water_stress_table,
    )

    _, first = run(tmp_path, "a.zarr")
    nodes, edges = basin_network()
    thirsty = [dict(n, demand=[1.6 * d for d in n["demand"]]) if n["id"] == "farm" else n for n in nodes]
    _, second = run(tmp_path, "b.nc", model=build(thirsty, edges, steps=24, allocation="cost", start="2001-10"))
    tables = [lambda o: shortfall_table(o, year=1), energy_table, lambda o: storage_table(o, year=0),
              requirement_table, water_stress_table, summary_table]
    with open_output(first) as ds, xr.open_dataset(second) as other:
        for table in tables:
            pd.testing.assert_frame_equal(table(ds), table(first))
            pd.testing.assert_frame_equal(table(other), table(second))
        assert run_of(ds) == run_of(first)
        pd.testing.assert_frame_equal(compare_ensembles(ds, other), compare_ensembles(first, second))
        pd.testing.assert_frame_equal(paired_deficit_changes(ds, other, year=1),
                                      paired_deficit_changes(first, second, year=1))
        with pytest.raises(ValueError, match=r"year 5: \S+b.nc holds run years 0 to 2"):
            storage_table(other, year=5)
    with xr.open_dataset(basin_run(tmp_path)) as results, pytest.raises(
            ValueError, match=r"\S+run.nc holds no ensemble summaries: it is not the output of an ensemble run"):
        energy_table(results)
    with pytest.raises(TypeError, match="energy_table takes the path of an ensemble's output .or the output opened"):
        energy_table(basin())
    for missing in ("gone.nc", "gone.zarr"):  # (the netCDF library's own words, from deep inside it: a review)
        with pytest.raises(FileNotFoundError, match=f"{missing}: no such file or folder .give the output of daryo "
                           "ensemble -o."):
            energy_table(tmp_path / missing)
    assert energy_table(first).attrs["units"]["winter_p5"] == "GWh per year"  # (a column's, as the other tables')
    assert shortfall_table(first).attrs["units"]["probability"] == "share of trace-years"

    opened = []
    real = xr.open_dataset

    def counted(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(xr, "open_dataset", counted)
    assert main(["compare", str(first), str(second)]) == 0
    assert sorted(opened) == ["a.zarr", "b.nc", "b.nc"]  # (b.nc also once to tell an ensemble's from a run's)
    opened.clear()
    assert main(["summary", str(first), "--csv", str(tmp_path / "s.csv")]) == 0
    assert opened == ["a.zarr", "a.zarr"]  # (its run, then every table)


def test_the_shortfall_table_lists_the_demands_short_most_often(tmp_path, capsys):
    """From the store's summaries: each short demand's country, probability of a deficit above the threshold, and
    mean and p95 deficit fraction, most often short first; ``daryo ensemble`` prints it, or that none is short."""
    from daryo.cli.ensemble_report import mean_text, percentile_text, share_text

    dry = tmp_path / "dry.yaml"  # the farm wants twice as much, and a town 2 a month
    dry.write_text(yaml_of_basin().replace("[5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                            "[10, 10, 20, 60, 110, 140, 150, 130, 80, 30, 10, 10]")
                   .replace("  - {id: sea,", "  - {id: town, type: demand, demand: 2, cost: -30}\n  - {id: sea,")
                   .replace("[dam, sea]]", "[dam, sea], [dam, town]]"))
    assert main(["ensemble", str(dry), "--traces", "6", "--years", "2", "--quiet", "--deficit-threshold", "0.05",
                 "-o", str(tmp_path / "dry.nc")]) == 0
    text = capsys.readouterr().out
    ds = load(tmp_path / "dry.nc")
    table = shortfall_table(tmp_path / "dry.nc")
    frac = ds.summary_annual_deficit_fraction
    assert list(table.index) == ["farm"]  # (the town, served first, is never short)
    row = table.loc["farm"]
    assert row["probability"] == ds.prob_deficit_above_threshold.sel(demand="farm").item() > 0
    assert row["mean"] == frac.sel(demand="farm", statistic="mean").item() > 0
    assert row["p95"] == frac.sel(demand="farm", statistic="p95").item()
    assert row["country"] == "" and table.attrs["threshold"] == 0.05
    assert "deficit above 5% of the demand" in text
    farm = next(line for line in text.splitlines() if line.startswith("  farm "))
    assert farm.split() == ["farm", *share_text(row["probability"], row["probability_low"], row["probability_high"],
                                                12).split(),
                            *mean_text(row["mean"], row["mean_low"], row["mean_high"], percent=True).split(),
                            *percentile_text(row["p95"], row["mean_low"], row["mean_high"]).split()], text
    argv = ["ensemble", str(dry), "--traces", "6", "--years", "2", "--quiet", "--deficit-threshold", "0.004", "-o",
            str(tmp_path / "small.nc")]
    assert main(argv) == 0 and "deficit above 0.4% of the demand" in capsys.readouterr().out  # (not "0%")
    assert main([*argv, "--resume"]) == 0  # a finished run: nothing to do, and the same table
    assert "nothing to resume" in (again := capsys.readouterr()).err and "  farm " in again.out
    for n, error in ((-1, ValueError), (1.5, TypeError), (True, TypeError), ("2", TypeError)):  # (1.5 and True
        with pytest.raises(error, match=f"n={n!r}: give how many demands to list"):  # listed one demand)
            shortfall_table(tmp_path / "dry.nc", n=n)  # type: ignore[arg-type]
    wet = tmp_path / "wet.yaml"
    wet.write_text(yaml_of_basin())
    assert main(["ensemble", str(wet), "--traces", "3", "--years", "2", "--quiet", "-o", str(tmp_path / "wet.nc")]) == 0
    assert shortfall_table(tmp_path / "wet.nc").empty
    assert "no demand is short in any trace-year" in capsys.readouterr().out
    assert (table.attrs["demands"], shortfall_table(tmp_path / "wet.nc").attrs["demands"]) == (2, 1)  # (town, farm)
    bare = tmp_path / "bare.yaml"  # no demands at all: said so, not that none is short
    bare.write_text("version: 1\nname: bare\ntime: {start: 2000-10, end: 2002-09}\nnodes:\n"
                    "  - {id: in, type: inflow, inflow: 10}\n  - {id: sea, type: sink}\nedges:\n  - [in, sea]\n")
    assert main(["ensemble", str(bare), "--traces", "2", "--years", "1", "--quiet", "-o", str(tmp_path / "b.nc")]) == 0
    assert shortfall_table(tmp_path / "b.nc").attrs["demands"] == 0
    assert "the model has no demands" in capsys.readouterr().out


def test_the_summary_table_holds_every_summary_of_the_store(tmp_path):
    """:func:`summary_table` (and the CSV :func:`write_summary_csv` writes) is the store's summaries, every
    indicator and element kind (here a reservoir, demands, sinks, a plant, inflows), row by row, with the units
    and countries the store gives them."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, out = run(tmp_path, "p.zarr", model=plant_basin())
    table, ds = summary_table(out), load(out)
    names = [str(v) for v in ds.data_vars if str(v).startswith("summary_")]
    assert sorted(set(table.kind)) == ["demand", "hydropower", "inflow", "reservoir", "sink", "system"]
    # (each summary's 4 statistics and its mean's interval; each share and the long-term stress with their interval;
    # the reservoirs' least storage and largest rule-curve shortfall, the sinks' least inflow)
    assert len(table) == (sum(ds[v].size * 6 // 4 for v in names)
                          + 3 * (ds["prob_deficit_above_threshold"].size + ds["prob_water_stress_level"].size
                                 + ds.sizes["system"] + ds["prob_below_target"].size
                                 + ds["prob_energy_target_missed"].size + ds["prob_winter_energy_target_missed"].size
                                 + ds.sizes["reservoir"] + ds.sizes["sink"])
                          + 2 * ds.sizes["reservoir"] + ds.sizes["sink"])
    for v in names:
        da = ds[v]
        kind = next(d for d in da.dims if d != "statistic")
        rows = table[table.indicator == v.removeprefix("summary_")]
        rows = rows[~rows.statistic.str.startswith("share_") & (rows.statistic != "long_term")]
        if not da.size:  # (an element kind the model has none of: no rows)
            assert rows.empty
            continue
        assert rows.units.iloc[0] == {"summary_annual_energy": "GWh per year", "summary_annual_deficit_fraction": "1",
                                      "summary_annual_winter_energy": "GWh per year",
                                      "summary_annual_min_storage": "hm3", "summary_annual_water_stress": "%",
                                      "summary_annual_steps_below_target": "1",
                                      "summary_annual_max_storage_shortfall": "hm3",
                                      "summary_annual_energy_target": "GWh per year",
                                      "summary_annual_energy_shortfall": "GWh per year",
                                      "summary_annual_winter_energy_shortfall": "GWh per year",
                                      "summary_annual_winter_energy_target": "GWh per year"}.get(v, "hm3 per year")
        assert (rows.units == daryo_units(da.attrs)).all() and (rows.kind == kind).all()
        got = rows.pivot(index="element", columns="statistic", values="value")
        np.testing.assert_array_equal(got.loc[ds[kind].values, list(ds.statistic.values)].values,
                                      da.transpose(kind, "statistic").values, err_msg=v)
        countries = rows.drop_duplicates("element").set_index("element").country
        assert list(countries[ds[kind].values]) == list(ds[f"{kind}_country"].values)
    share = table[table.statistic == "share_above_0.3"].set_index("element").value
    np.testing.assert_array_equal(share[ds.demand.values].values, ds["prob_deficit_above_threshold"].values)
    levels = table[table.statistic.isin(["share_no_stress", "share_low", "share_medium", "share_high",
                                         "share_critical"]) & (table.kind == "system")]
    assert list(levels.statistic) == ["share_no_stress", "share_low", "share_medium", "share_high", "share_critical"]
    np.testing.assert_array_equal(levels.value, ds["prob_water_stress_level"].values[:, 0])
    assert (levels.units == "1").all() and levels.element.iloc[0] == ds.system.values[0]
    # SDG 6.4.2's own ratio, of the mean yearly terms (an SDG statistician's review: the mean of the yearly ratios,
    # each of that year's own water, was the only figure, and differed from daryo run's)
    (long_term,) = table[table.statistic == "long_term"].itertuples()
    w, r, e = (float(ds[v].isel(system=0).mean()) for v in ("annual_withdrawal", "annual_renewable_water",
                                                             "annual_environmental_flow"))
    assert (long_term.indicator, long_term.units, long_term.element) == ("annual_water_stress", "%",
                                                                        ds.system.values[0])
    np.testing.assert_allclose(long_term.value, w / (r - min(e, r)) * 100, rtol=1e-12)
    # each row names its run (a user review: summaries of a deal and of the baseline could not be told apart)
    assert list(table.columns[-6:]) == ["model", "scenarios", "seed", "traces", "years", "description"]
    assert table[["model", "scenarios", "seed", "traces", "years"]].drop_duplicates().values.tolist() == [
        ["test", "", 5, 7, 3]]
    csv = write_summary_csv(out, tmp_path / "s.csv")
    pd.testing.assert_frame_equal(pd.read_csv(csv, keep_default_na=False, na_values={"value": [""]},
                                              float_precision="round_trip"), table,
                                  check_exact=True)  # (every digit written; NaN, the rule curves of a reservoir
    # without one, as an empty cell)
    earlier = tmp_path / "earlier.csv"  # (a summary CSV of daryo before the run's columns: replaced as one)
    earlier.write_text("indicator,units,kind,element,country,statistic,value\n")
    write_summary_csv(out, earlier)
    assert earlier.read_text() == csv.read_text()
    with pytest.raises(ValueError, match="holds no ensemble summaries"):
        summary_table(not_an_ensemble(tmp_path))


def test_the_summary_table_is_the_same_for_a_zarr_and_a_netcdf_store(tmp_path):
    """zarr lists a store's variables alphabetically and NetCDF as written: the CSV's rows came in another
    order for each."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, zarr_out = run(tmp_path, "p.zarr", model=plant_basin())
    _, nc_out = run(tmp_path, "p.nc", model=plant_basin())
    pd.testing.assert_frame_equal(summary_table(zarr_out), summary_table(nc_out), check_exact=True)


def test_a_file_that_is_no_store_is_named_and_a_summary_csv_gets_its_folders(tmp_path, monkeypatch):
    """A QA pass: summary_table of a file that is not NetCDF gave xarray's 'did not find a match in any of xarray's
    IO backends' without naming it; write_summary_csv into a missing folder said 'cannot write X: cannot write X'."""
    garbage = tmp_path / "garbage.nc"
    garbage.write_text("not NetCDF\n")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(garbage))} is not an ensemble's output: it cannot be "
                                         r"read as a NetCDF file or zarr store \(a file cut short, or of another "
                                         r"kind\?\)$"):
        summary_table(garbage)
    with pytest.raises(ValueError, match=r"the output must end in .zarr or .nc"):
        summary_table(tmp_path / "s.txt")
    _, out = run(tmp_path, "s.nc")
    target = write_summary_csv(out, tmp_path / "new" / "folder" / "s.csv")
    assert len(pd.read_csv(target)) == len(summary_table(out)) > 0
    with pytest.raises(NotADirectoryError, match=rf"^cannot write {re.escape(str(garbage))}/s.csv: "
                                                 rf"{re.escape(str(garbage))} is a file, not a folder$"):
        write_summary_csv(out, garbage / "s.csv")
    # ~ is the home folder, for the store and the CSV (a folder named '~' was made in the current one)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    run_ensemble(basin(), EnsembleOptions(traces=3, years=2, seed=5), "~/h.nc")
    assert write_summary_csv("~/h.nc", "~/h.csv") == tmp_path / "home" / "h.csv"
    assert (tmp_path / "home" / "h.nc").is_file() and not (tmp_path / "~").exists()
    assert len(summary_table("~/h.nc")) == len(pd.read_csv(tmp_path / "home" / "h.csv"))


def test_the_shortfall_table_by_hand(tmp_path):
    """Every demand with some deficit is listed (also one never above the threshold, and one exactly at it), most
    often above the threshold first, then by mean deficit; a deficit equal to the threshold does not exceed it;
    n=0 lists none (0 is allowed)."""
    table = shortfall_table(summaries_store(tmp_path / "s.nc"))
    assert list(table.index) == ["b", "a", "d", "c"]
    assert table["probability"].tolist() == pytest.approx([0.75, 0.5, 0.0, 0.0])
    assert table["mean"].tolist() == pytest.approx([0.2325, 0.45, 0.3, 0.075])
    assert table.loc["a", "country"] == "KAZ" and table.loc["b", "country"] == "UZB" and table.attrs["demands"] == 5
    assert list(shortfall_table(tmp_path / "s.nc", n=2).index) == ["b", "a"]
    none = shortfall_table(tmp_path / "s.nc", n=0)
    assert none.empty and list(none.columns) == ["country", "probability", "mean", "p95", "probability_low",
                                                 "probability_high", "mean_low", "mean_high"]


def test_a_csv_file_whose_header_only_starts_like_the_summaries_is_not_replaced(tmp_path):
    """Only a file whose header is the summary CSV's whole header is an ensemble's summaries: one of a user's
    that starts with 'indicator' (indicator,value) is refused, as is one with an extra column."""
    ours = tmp_path / "ours.csv"
    ours.write_text("indicator,units,kind,element,country,statistic,value\nx,1,demand,a,,mean,0\n")
    check_summary_csv(ours)  # (an ensemble's: may be replaced)
    for header in ("indicator,value", "indicator,units,kind,element,country,statistic,value,note"):
        theirs = tmp_path / "theirs.csv"
        theirs.write_text(f"{header}\nx,1\n")
        with pytest.raises(FileExistsError, match="is not a CSV file of an ensemble's summaries"):
            check_summary_csv(theirs)


def test_the_shortfall_table_of_another_threshold_or_of_one_run_year_is_worked_out_from_the_annual_fractions(tmp_path):
    """A review: the pooled probabilities dilute a drought's years, and another threshold meant running the
    ensemble again.  ``threshold`` and ``year`` take them from the stored annual deficit fractions; without them
    the table is the run's summaries."""
    dry = tmp_path / "dry.yaml"  # the farm wants twice as much
    dry.write_text(yaml_of_basin().replace("[5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                            "[10, 10, 20, 60, 110, 140, 150, 130, 80, 30, 10, 10]"))
    out = tmp_path / "s.nc"
    run_ensemble(daryo.load(dry), EnsembleOptions(traces=20, years=2, seed=3, deficit_threshold=0.05), out)
    ds = load(out)
    frac = ds.annual_deficit_fraction.transpose("trace", "year", "demand")
    pooled = frac.values.reshape(-1, ds.sizes["demand"])
    assert (pooled > 0.05).any() and (pooled > 0.2).sum() < (pooled > 0.05).sum()  # (the thresholds differ)
    for threshold, year, values in ((None, None, pooled), (0.2, None, pooled), (None, 1, frac.values[:, 1]),
                                    (0.2, 0, frac.values[:, 0])):
        table = shortfall_table(out, threshold=threshold, year=year)
        limit = 0.05 if threshold is None else threshold
        want = pd.DataFrame({"probability": (values > limit).mean(axis=0), "mean": values.mean(axis=0),
                             "p95": np.percentile(values, 95, axis=0)}, index=ds.demand.values.astype(str))
        want = want[(want.probability > 0) | (want["mean"] > 0)]
        got = table[["probability", "mean", "p95"]]
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_names=False, rtol=1e-12)
        assert table.attrs["threshold"] == limit and table.attrs["year"] == year
    for bad, error in (({"year": 3}, ValueError), ({"year": 1.5}, TypeError), ({"threshold": 1.0}, ValueError),
                       ({"threshold": "x"}, TypeError)):
        with pytest.raises(error):
            shortfall_table(out, **bad)


@pytest.mark.parametrize("table, dropped, what", [
    ("water_stress_table", ["summary_annual_water_stress"], "water stress"),
    ("requirement_table", ["annual_requirement_shortfall_fraction"], "flow requirements"),
    ("seasonal_shortfall_table", ["annual_winter_demand", "summary_annual_winter_demand"], "water demanded by season"),
])
def test_a_store_of_an_earlier_daryo_is_told_to_be_run_again(tmp_path, table, dropped, what):
    """A store written before an indicator was kept holds none of it: the table names the store and what to do."""
    import xarray as xr

    from daryo import ensemble

    _, out = run(tmp_path, "p.nc", model=plant_basin())
    older = tmp_path / "older.nc"
    with xr.open_dataset(out) as ds:
        ds.drop_vars(dropped).to_netcdf(older)
    with pytest.raises(ValueError, match=f"^{re.escape(str(older))} holds no {what}: it was written by an earlier "
                                         "daryo; run the ensemble again$"):
        getattr(ensemble, table)(older)


@pytest.mark.parametrize("name", ["seasons.nc", "seasons.zarr"])
def test_a_store_keeps_each_demands_winter_demand_and_the_seasons_deficits_by_hand(tmp_path, name):
    """A food-security analyst's review: a store kept each demand's winter delivery but not its winter demand, so no
    season's deficit (the growing season's, April–September, matters most for cotton) could be worked out from it.
    Four traces of daryo.testmodels.farm_and_town over two years (:class:`ensemble_cases.FarmAndTownTraces`)::

        [river] --> (j) --> [town: UZB, municipal, 10] [field: KAZ, 5] [farm: UZB, 10 in winter, 50 in summer] [sea]

    A year wants 60 of the farm in winter and 300 in summer, 60 and 60 of the town, 30 and 30 of the field.  The even
    traces (the river's own 30 a month in winter, 40 in summer) leave the farm short by 150 in summer, the odd ones
    (100 a month) by none: over the eight trace-years the farm's summer deficit is 75 on the mean (25 % of its 300),
    its 95th percentile 150; no winter is short.  UZB's demands together are short by 75 of 360 in summer
    (20.8 %), its irrigation alone by 75 of 300 (25 %)."""
    if name.endswith(".zarr"):
        pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    from daryo.testmodels import farm_and_town

    out = tmp_path / name
    run_ensemble(farm_and_town(), EnsembleOptions(traces=4, years=2, chunk_size=3), out, source=FarmAndTownTraces())
    ds = load(out)
    winter = ds["annual_winter_demand"].transpose("trace", "year", "demand")
    np.testing.assert_allclose(winter.sel(demand=["town", "field", "farm"]), np.broadcast_to([60, 30, 60], (4, 2, 3)))
    assert daryo_units(winter.attrs) == "hm3 per year" and "winter months (October-March)" in winter.attrs[
        "description"]
    np.testing.assert_allclose(ds["summary_annual_winter_demand"].sel(statistic="mean", demand="farm"), 60)
    table = seasonal_shortfall_table(out)
    assert table.index.tolist() == ["town", "field", "farm"]
    assert table["category"].tolist() == ["municipal", "irrigation", "irrigation"]
    farm = table.loc["farm"]
    np.testing.assert_allclose(farm[["winter_demand", "winter_delivered", "winter_deficit", "winter_deficit_share",
                                     "summer_demand", "summer_delivered", "summer_deficit", "summer_deficit_share",
                                     "summer_deficit_p95"]].astype(float),
                               [60, 60, 0, 0, 300, 225, 75, 25, 150], atol=1e-6)
    np.testing.assert_allclose(table.loc[["town", "field"], "summer_deficit"], 0, atol=1e-9)
    by_country = seasonal_shortfall_table(out, by="country")
    assert by_country.index.tolist() == ["KAZ", "UZB"]
    np.testing.assert_allclose(by_country.loc["UZB", ["summer_demand", "summer_deficit", "summer_deficit_share"]]
                               .astype(float), [360, 75, 75 / 360 * 100], atol=1e-6)
    irrigation = seasonal_shortfall_table(out, by="country", category="irrigation")
    np.testing.assert_allclose(irrigation.loc["UZB", ["summer_demand", "summer_deficit", "summer_deficit_share"]]
                               .astype(float), [300, 75, 25], atol=1e-6)
    assert irrigation.attrs["units"]["summer_deficit_share"] == "%"
    dry = seasonal_shortfall_table(out, category="irrigation", year=1)  # (run year 1 alone: the same years)
    assert dry.index.tolist() == ["field", "farm"]
    assert dry.loc["farm", "summer_deficit"] == pytest.approx(75) and dry.attrs["year"] == 1
    # the chance of a season short by more than the threshold (a seasonal forecaster's review: means and p95
    # only): the farm's summer is short by 150 of 300 (50 %) in the even traces' four trace-years of eight
    assert table.attrs["threshold"] == 0.3 and table.attrs["units"]["summer_probability"] == "share of trace-years"
    np.testing.assert_allclose(table["summer_probability"], [0, 0, 0.5])
    np.testing.assert_allclose(table["winter_probability"], 0)
    assert 0 < table.loc["farm", "summer_probability_low"] < 0.5 < table.loc["farm", "summer_probability_high"] < 1
    np.testing.assert_allclose(seasonal_shortfall_table(out, threshold=0.5)["summer_probability"], 0)  # (150 of
    # 300 less solver noise, 6e-9: below 50 %, not at it; a deficit exactly at its threshold is taken at threshold 0
    # in test_a_deficit_threshold_of_zero_counts_only_the_trace_years_short)
    np.testing.assert_allclose(seasonal_shortfall_table(out, threshold=0.49)["summer_probability"], [0, 0, 0.5])
    np.testing.assert_allclose(by_country.loc["UZB", "summer_probability"], 0.5)  # (150 of 360: 42 %)
    np.testing.assert_allclose(seasonal_shortfall_table(out, by="country", threshold=0.42)["summer_probability"],
                               [0, 0])
    assert dry.loc["farm", "summer_probability"] == 0.5 and dry.attrs["units"]["summer_probability"] == (
        "share of traces")
    for bad in ({"by": "season"}, {"category": "cotton"}, {"year": 2}, {"threshold": 1.0}):
        with pytest.raises(ValueError, match=r"by='season': give 'demand' or 'country'|category='cotton': give a "
                                             r"demand's category|year 2: .* holds run years 0 to 1|threshold=1.0: "
                                             r"give a fraction of the demand"):
            seasonal_shortfall_table(out, **bad)


def test_a_seasons_deficit_is_its_demand_less_its_delivery_in_a_winter_short_of_water(tmp_path):
    """A mutation-testing audit (third round): no store had a demand short in winter, so a winter demand that summed
    the winter delivery (no winter deficit ever) went unseen.  Two traces of :func:`daryo.testmodels.farm_and_town` on
    a river of 20 hm³ every month (:class:`ensemble_cases.DryRiverTraces`), a year from October: the town (10) and the
    field (5) are served first, the farm gets the other 5 of its 10 a month in winter and 50 in summer."""
    from daryo.testmodels import farm_and_town

    out = tmp_path / "dry.nc"
    run_ensemble(farm_and_town(), EnsembleOptions(traces=2, years=1), out, source=DryRiverTraces())
    ds = load(out)
    # winter (October–March, 6 months): demand 6 × 10 = 60 of the farm, delivery 6 × 5 = 30
    winter = ds["annual_winter_demand"].transpose("trace", "year", "demand").sel(demand=["town", "field", "farm"])
    np.testing.assert_allclose(winter, np.broadcast_to([60, 30, 60], (2, 1, 3)), rtol=0, atol=1e-9)
    np.testing.assert_allclose(ds["annual_winter_delivery"].sel(demand="farm"), 30, rtol=0, atol=1e-6)
    farm = seasonal_shortfall_table(out).loc["farm"]
    # winter: deficit 60 - 30 = 30, 50 % of the demand (above the threshold 0.3 in both trace-years); summer
    # (the year less the winter): demand 6 × 50 = 300, delivery 6 × 5 = 30, deficit 270, 90 %
    np.testing.assert_allclose(farm[["winter_demand", "winter_delivered", "winter_deficit", "winter_deficit_share",
                                     "winter_probability", "summer_demand", "summer_delivered", "summer_deficit",
                                     "summer_deficit_share"]].astype(float),
                               [60, 30, 30, 50, 1, 300, 30, 270, 90], rtol=0, atol=1e-5)


@pytest.fixture(scope="module")
def farm_and_town_store(tmp_path_factory):
    """An ensemble of daryo.testmodels.farm_and_town, 4 traces × 2 years of :class:`ensemble_cases.FarmAndTownTraces`
    (as test_a_store_keeps_each_demands_winter_demand_and_the_seasons_deficits_by_hand's): the farm is short by 150
    of its 360 a year (its summer's 150 of 300) in the even traces' four trace-years, no demand in the odd ones'."""
    from daryo.testmodels import farm_and_town

    out = tmp_path_factory.mktemp("farm_and_town") / "s.nc"
    run_ensemble(farm_and_town(), EnsembleOptions(traces=4, years=2, chunk_size=3), out, source=FarmAndTownTraces())
    return out


def test_a_deficit_threshold_of_zero_counts_only_the_trace_years_short(farm_and_town_store):
    """A mutation-testing audit (second round): no table was taken at a deficit threshold of 0, where a season or a
    year not short at all is short by exactly the threshold, so counting a deficit *at* the threshold as above it
    went unseen (every demand short in every trace-year).  The town and the field are never short, nor is any winter;
    the farm's summer (and year) is short in the even traces' 4 of 8 trace-years."""
    out = farm_and_town_store
    seasons = seasonal_shortfall_table(out, threshold=0.0)
    assert seasons.index.tolist() == ["town", "field", "farm"] and seasons.attrs["threshold"] == 0.0
    assert seasons["winter_probability"].tolist() == [0.0, 0.0, 0.0]
    assert seasons["summer_probability"].tolist() == [0.0, 0.0, 0.5]
    short = shortfall_table(out, threshold=0.0)  # (the town and the field, never short, are not listed)
    assert short.index.tolist() == ["farm"] and short.loc["farm", "probability"] == 0.5
    table = summary_table(out, threshold=0.0)
    above = table[table.statistic == "share_above_0.0"].set_index("element")["value"]
    assert above[["town", "field", "farm"]].tolist() == [0.0, 0.0, 0.5]


def test_a_mean_deficit_fractions_interval_in_the_summary_csv_is_a_shares(farm_and_town_store):
    """A mutation-testing audit (second round): no test checked the interval summary_table (the summary CSV) gives a
    mean deficit fraction, so Student's t interval ± t SE, which runs below 0 for a fraction near it, could have
    stood for the share's interval (Korn and Graubard's, within 0–1) unseen.  The farm's annual deficit fraction is
    150/360 = 5/12 in both years of traces 0 and 2, 0 in traces 1 and 3."""
    rows = summary_table(farm_and_town_store).set_index(["indicator", "element", "statistic"])["value"]
    farm = [rows[("annual_deficit_fraction", "farm", s)] for s in ("mean", "mean_low", "mean_high")]
    # the traces' sums 5/6, 0, 5/6, 0 over 2 years each: p = (5/3) / 8 = 5/24 = 0.2083; each differs from p × 2 =
    # 5/12 by ±5/12: SE = √(4/3 · 4 · (5/12)²) / 8 = 0.1203; p(1−p)/SE² = 11.4 trace-years, not capped at the 8
    # there are (fractions of 5/12 are not all or nothing: a Chu-Talas modeller's review, where the cap made it
    # 0.003962 to 0.753762): the Clopper–Pearson interval of 11.4 (t₇ / t₃)² trace-years, 0.011334 to 0.667163
    se = np.sqrt(4 / 3 * 4 * (5 / 12) ** 2) / 8
    assert (5 / 24) * (19 / 24) / se**2 == pytest.approx(11.4)
    size = 11.4 * (T7 / T3) ** 2
    want = [beta.ppf(0.025, 5 / 24 * size, 19 / 24 * size + 1), beta.ppf(0.975, 5 / 24 * size + 1, 19 / 24 * size)]
    assert farm == pytest.approx([5 / 24, *want], rel=1e-6) and want == pytest.approx([0.011334, 0.667163],
                                                                                       abs=1e-6)
    assert 5 / 24 - T3 * se < 0  # (not the t interval, 0.2083 ± 0.3828)


def test_the_share_of_years_a_sink_gets_less_than_a_volume_leaves_out_that_volume(farm_and_town_store):
    """A mutation-testing audit (second round): no test's sink got exactly the volume asked of sink_table's
    ``below``, so a year at it counted as below went unseen.  The sea gets 30 hm³ a year in the even traces (the
    winter's 30 a month less the 25 the demands take, 6 × 5; nothing in summer) and 660 in the odd ones (6 × 75 in
    winter, 6 × 35 in summer)."""
    from daryo.ensemble import sink_table

    sinks = sink_table(farm_and_town_store, below=30.0)
    assert sinks.loc["sea", ["mean", "least", "none", "below"]].tolist() == pytest.approx([345.0, 30.0, 0.0, 0.0])
    assert sink_table(farm_and_town_store, below=30.0001).loc["sea", "below"] == 0.5
    assert sink_table(farm_and_town_store, below=660.0).loc["sea", "below"] == 0.5


def test_the_water_stress_table_keeps_each_environmental_flow_within_the_renewable_water(tmp_path):
    """A mutation-testing audit (second round): water_stress_table says each system's environmental flow is at most
    its renewable water (SDG 6.4.2's), and its ``all`` row sums them so, but no test had a store whose flow
    requirement is above the renewable water (no store daryo writes has one: it keeps each year's at most the
    renewable water; one written by other means may); nor did a test's long-term ratio's interval take the
    environmental flows.  :func:`ensemble_cases.stress_store`: A withdraws 50 of 100 hm³ a year with 150 required
    in its river; B 60, 120, 90 and 90 (in each trace's two years) of 400, 100 required."""
    from ensemble_cases import stress_store

    from daryo.ensemble import water_stress_table

    out = stress_store(tmp_path / "stress.nc")
    for year in (None, 0):
        table = water_stress_table(out, year=year)
        # A: 100 of its 150 required counts (none of its water is left: infinite); B: 90 of 400 − 100, 30 %; both:
        # 140 of 500 − (100 + 100) = 46.7 % (not 140 of 500 − 250, 56 %)
        assert table.loc["A", ["withdrawal", "renewable", "environmental", "long_term"]].tolist() == [
            50.0, 100.0, 100.0, np.inf]
        assert table.loc["B", ["withdrawal", "renewable", "environmental", "long_term"]].tolist() == pytest.approx(
            [90.0, 400.0, 100.0, 30.0])
        assert table.loc["all", ["withdrawal", "renewable", "environmental", "long_term"]].tolist() == pytest.approx(
            [140.0, 500.0, 200.0, 140 / 300 * 100])
    # each trace-year's ratio of both: (50 + 60, 120, 90, 90) / 300 = 36.7, 56.7, 46.7, 46.7 %: low in 6 of 8
    # trace-years, medium in 2
    table = water_stress_table(out)
    assert table.loc["all", ["mean", "p5", "p95", "low", "medium"]].tolist() == pytest.approx(
        [140 / 3, 110 / 3, 170 / 3, 0.75, 0.25])
    # the long-term ratio's interval, of a ratio of means by trace: B's sums 120, 240, 180, 180 of 2 × 300 = 600
    # each, 720 of 2400 = 30 %, differ from 0.3 × 600 by −60, 60, 0, 0: SE = √(4/3 · 7200) / 2400 (not over 2 × 400,
    # the renewable water without the environmental flows); both systems' sums 220, 340, 280, 280 the same
    margin = T3 * np.sqrt(4 / 3 * 7200) / 2400 * 100
    for system, ratio in (("B", 30.0), ("all", 140 / 3)):
        assert table.loc[system, ["long_term_low", "long_term_high"]].tolist() == pytest.approx(
            [ratio - margin, ratio + margin])
    assert np.isnan(table.loc["A", "long_term_low"])


def test_energy_and_storage_tables_by_hand(tmp_path, capsys):
    """A review (a hydropower planner): an ensemble printed nothing of the plants or reservoirs, and its store kept
    no firm energy by country nor how often a reservoir is drawn down to its dead storage.  The tables, worked out
    again from the store's annual arrays; a monthly min_volume's lowest is the dead storage."""
    from daryo.cli.ensemble_report import share_text
    from daryo.compare import compare_ensembles
    from daryo.ensemble import energy_table, sink_table, storage_table

    nodes, edges = basin_network()
    nodes = [dict(n, min_volume={"monthly": [60] * 6 + [50] * 6}) if n["id"] == "dam" else
             dict(n, demand=[1.6 * d for d in n["demand"]]) if n["id"] == "farm" else n for n in nodes]
    nodes += [{"id": "p1", "type": "hydropower", "capacity": 1000, "head": 100, "efficiency": 0.9, "country": "KGZ"},
              {"id": "j", "type": "junction"},
              {"id": "p2", "type": "hydropower", "capacity": 1000, "head": 50, "efficiency": 0.9, "country": "UZB"}]
    edges = [e for e in edges if e != ["river", "sea"]] + [["river", "p1"], ["p1", "j"], ["j", "p2"], ["p2", "sea"]]
    _, out = run(tmp_path, "t.zarr", model=build(nodes, edges, steps=24, allocation="cost", start="2001-10"))
    ds = load(out)
    energy, winter = (ds[v].transpose("trace", "year", "hydropower").values.reshape(-1, 2)
                      for v in ("annual_energy", "annual_winter_energy"))
    table = energy_table(out)
    assert list(table.index) == ["p1", "p2"] and list(table["country"]) == ["KGZ", "UZB"]
    np.testing.assert_allclose(table["mean"], energy.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(table["winter_p5"], np.percentile(winter, 5, axis=0), rtol=1e-12)
    assert table.loc["p1", "mean"] == pytest.approx(2 * table.loc["p2", "mean"])  # (twice the head)
    assert table.loc["p1", "p5"] < table.loc["p1", "mean"]
    countries = energy_table(out, by="country")
    assert list(countries.index) == ["KGZ", "UZB"]
    np.testing.assert_allclose(countries["winter_mean"], winter.mean(axis=0), rtol=1e-12)
    one = energy_table(out, year=1)
    np.testing.assert_allclose(one["mean"], ds["annual_energy"].isel(year=1).mean("trace").values, rtol=1e-12)
    with pytest.raises(ValueError, match=r"year 3: \S+t.zarr holds run years 0 to 2"):
        energy_table(out, year=3)
    with pytest.raises(ValueError, match="by='basin': give 'plant' or 'country'"):
        energy_table(out, by="basin")
    storage = storage_table(out)
    lowest = ds["annual_min_storage"].sel(reservoir="dam").values.ravel()
    assert storage.loc["dam", "min_volume"] == 50
    assert storage.loc["dam", "least"] == lowest.min() and storage.loc["dam", "p5"] == np.percentile(lowest, 5)
    assert storage.loc["dam", "at_min"] == pytest.approx((lowest < 50 + 1e-4).mean())
    assert 0 < storage.loc["dam", "at_min"] < 1
    compared = compare_ensembles(out, out).set_index(["table", "element", "quantity"])["first"]
    assert compared[("plant", "p2", "energy winter, p5")] == table.loc["p2", "winter_p5"]
    assert compared[("country", "KGZ", "energy winter, p5")] == countries.loc["KGZ", "winter_p5"]
    assert compared[("reservoir", "dam", "at dead storage")] == storage.loc["dam", "at_min"] * 100
    # the reservoirs' change over the run, as daryo compare gives it of two runs (a review: an ensemble's gain drawn
    # from storage went unnoticed)
    assert compared[("reservoir", "dam", "storage at start")] == 250 == ds["reservoir_initial_volume"].item()
    end = ds["storage"].isel(time=-1).sel(reservoir="dam").values.astype(float).mean()
    assert compared[("reservoir", "dam", "change over the run, mean")] == pytest.approx(end - 250, rel=1e-12)
    assert compared[("reservoir", "all", "change over the run, mean")] == pytest.approx(end - 250, rel=1e-12)
    thirsty = [dict(n, demand=[2 * d for d in n["demand"]]) if n["id"] == "farm" else n for n in nodes]
    _, more = run(tmp_path, "more.zarr", model=build(thirsty, edges, steps=24, allocation="cost", start="2001-10"))
    drawn = compare_ensembles(out, more).set_index(["table", "element", "quantity"])
    assert drawn.loc[("reservoir", "all", "change over the run, mean"), "difference"] < 0
    assert main(["compare", str(out), str(more)]) == 0
    # (one trace of seven ends above its dead storage in the first alone: the same traces, so a draw of the rules in
    # that trace, told, with its interval, and not hidden as noise: a statistician's diff review)
    change = drawn.loc[("reservoir", "all", "change over the run, mean")]
    assert not change["within_noise"]
    assert (f"note: the second ensemble draws {-change['difference']:,.1f} hm³ more from its reservoirs than the "
            "first over the whole run") in capsys.readouterr().out
    assert main(["summary", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert next(line for line in printed if line.startswith("  KGZ (all plants)")).split()[3:] == [
        f"{v:.1f}" for v in countries.loc["KGZ", ["mean", "p5", "winter_mean", "winter_p5"]]]
    at_min = storage.loc["dam", ["at_min", "at_min_low", "at_min_high"]]
    assert next(line for line in printed if line.startswith("  dam ")).endswith(
        f"  {share_text(*at_min, storage.attrs['pairs'])}")
    # P of 0 for every demand is said to be so (a drought analyst's review: "never" was read as "no risk")
    assert "(P is 0 for every demand" not in "".join(printed) and ds["annual_deficit_fraction"].max() < 0.9
    assert main(["summary", str(out), "--deficit-threshold", "0.9"]) == 0
    assert ("  (P is 0 for every demand: none is short by more than 90% of its demand in any trace-year; in priority "
            "mode the demands of one priority") in capsys.readouterr().out
    # the water reaching the sinks (a drought analyst's review: the Aral Sea's inflow in dry years was in no table)
    sea = ds["annual_sink_inflow"].sel(sink="sea").values.ravel()
    sinks = sink_table(out)
    assert list(sinks.index) == ["sea"] and sinks.loc["sea", "least"] == sea.min()
    np.testing.assert_allclose(sinks.loc["sea", ["mean", "p5", "p50", "p95"]].astype(float),
                               [sea.mean(), *np.percentile(sea, [5, 50, 95])], rtol=1e-12)
    assert sinks.loc["sea", "none"] == (sea <= 1e-6).mean()
    np.testing.assert_allclose(sink_table(out, year=1).loc["sea", "mean"], ds["annual_sink_inflow"].sel(
        sink="sea").isel(year=1).mean().item(), rtol=1e-12)
    # the share of years below a volume (an Aral ecologist's review: "in what share of years does the delta get less
    # than X?" took xarray): per sink, or one for all; a volume that is none, or a sink not there, is refused
    middle = float(np.mean(sea))
    for below in (middle, {"sea": middle}):
        got = sink_table(out, below=below)
        assert got.loc["sea", "below"] == (sea < middle).mean() and 0 < got.loc["sea", "below"] < 1
        assert got.loc["sea", "threshold"] == middle and got.attrs["units"]["below"] == "share of trace-years"
    assert "below" not in sink_table(out).columns
    with pytest.raises(ValueError, match=r"sink_table\(below=...\): no sink 'saa' in the output \(did you mean 'sea'"):
        sink_table(out, below={"saa": 10})
    for bad in (-1, "3 km3", float("nan"), True):
        with pytest.raises(ValueError, match=r"sink_table\(below=...\): sea: .* is not a yearly volume"):
            sink_table(out, below=bad)
    sea = next(line for line in printed if line.startswith("  sea "))
    none = share_text(*sinks.loc["sea", ["none", "none_low", "none_high"]], sinks.attrs["pairs"])
    assert sea.endswith(f"  {none}") and sea.removesuffix(none).split()[-5:] == [
        f"{sinks.loc['sea', k]:.1f}" for k in ("mean", "p5", "p50", "p95", "least")]


def test_every_share_and_mean_of_the_tables_has_its_95_percent_interval_by_trace(tmp_path):
    """A statistician's review: no share or mean of an ensemble carried any sampling uncertainty, and the years of a
    trace are correlated.  Each table's shares and means have their 95 % interval by trace (the traces' sums as one
    observation each), worked out by hand for :func:`ensemble_cases.hand_store`'s 4 traces × 2 years; a share's
    kept within [0, 1], a mean of values of 0 or more at 0 or above; percentiles and extremes have none."""
    from ensemble_cases import HAND, by_trace_interval, hand_store

    from daryo.ensemble import (
        energy_table,
        energy_target_table,
        requirement_table,
        rule_curve_table,
        sink_table,
        storage_table,
        water_stress_table,
    )

    out = hand_store(tmp_path / "hand.nc")
    deficit = HAND["annual_deficit_fraction"]

    def hit(rows, test):
        return [[float(test(v)) for v in row] for row in rows]

    # (above 0.3 in 2, 1, 0 and 0 years: 3 of 8, a standard error by trace of √(4/3 · 2.75) / 8 = 0.2394; a technical
    # editor's review: the share's interval is Korn and Graubard's, the Clopper–Pearson interval of m* = p(1−p)/SE² =
    # 45/11 trace-years times (t₇ / t₃)², not 3/8 ± 3.18 × 0.2394 cut to 0–1)
    short = shortfall_table(out)
    low, high = by_trace_interval(hit(deficit, lambda v: v > 0.3), share=True)
    size = 45 / 11 * (T7 / T3) ** 2
    assert [low, high] == pytest.approx([beta.ppf(0.025, 3 / 8 * size, 5 / 8 * size + 1),
                                         beta.ppf(0.975, 3 / 8 * size + 1, 5 / 8 * size)], rel=1e-12)
    assert short.loc["demand0", "probability"] == 3 / 8 and 0.005 < low < 0.006 and 0.95 < high < 0.96
    assert short.loc["demand0", ["probability_low", "probability_high"]].tolist() == pytest.approx([low, high])
    assert short.loc["demand0", ["mean_low", "mean_high"]].tolist() == pytest.approx(
        by_trace_interval(deficit, share=True))
    assert "p95_low" not in short and short.attrs["traces"] == 4 and short.attrs["pairs"] == 8
    one = shortfall_table(out, year=0)  # (one run year: 2 of 4 traces, the usual standard error of 4 values)
    se = np.std([1, 1, 0, 0], ddof=1) / 2
    # (a fraction's mean, 0.25, takes a share's interval: p(1−p)/SE² = 0.1875 / (se / 2)² = 9 trace-years, not
    # capped at the 4 there are, as fractions of 0.5 are not all or nothing (a Chu-Talas modeller's review), (t₃ /
    # t₃)² = 1: that of 2.25 of 9; not 0.25 ± t₃ SE cut at 0)
    assert one.loc["demand0", ["mean_low", "mean_high"]].tolist() == pytest.approx(
        [beta.ppf(0.025, 2.25, 7.75), beta.ppf(0.975, 3.25, 6.75)])
    assert 0.1875 / (se / 2) ** 2 == pytest.approx(9)
    # (2 of 4: SE = √(1/3) / 2, m* = 0.25 / SE² = 3 trace-years, of 4 traces of one year: (t₃ / t₃)² = 1)
    assert one.loc["demand0", ["probability_low", "probability_high"]].tolist() == pytest.approx(
        [beta.ppf(0.025, 1.5, 2.5), beta.ppf(0.975, 2.5, 1.5)])
    assert one.attrs["pairs"] == 4
    storage = storage_table(out)  # (at dead storage in 1 of 8 trace-years)
    assert storage.loc["reservoir0", "at_min"] == 1 / 8
    assert storage.loc["reservoir0", ["at_min_low", "at_min_high"]].tolist() == pytest.approx(
        by_trace_interval(hit(HAND["annual_min_storage"], lambda v: v <= 50), share=True))
    assert storage.loc["reservoir0", ["mean_low", "mean_high"]].tolist() == pytest.approx(
        by_trace_interval(HAND["annual_min_storage"]))
    assert storage.attrs["units"]["at_min_low"] == "share of trace-years"
    sinks = sink_table(out, below=5)
    for column, rows in (("none", hit(HAND["annual_sink_inflow"], lambda v: v == 0)),
                         ("below", hit(HAND["annual_sink_inflow"], lambda v: v < 5))):
        assert sinks.loc["sink0", [f"{column}_low", f"{column}_high"]].tolist() == pytest.approx(
            by_trace_interval(rows, share=True))
    assert sinks.loc["sink0", ["mean_low", "mean_high"]].tolist() == pytest.approx(
        by_trace_interval(HAND["annual_sink_inflow"]))
    rules = rule_curve_table(out)  # (a mean of shortfalls of 0 or more: its interval kept at 0 or above)
    assert rules.loc["reservoir0", ["below_low", "below_high"]].tolist() == pytest.approx(
        by_trace_interval(hit(HAND["annual_steps_below_target"], lambda v: v > 0), share=True))
    low, high = by_trace_interval(HAND["annual_max_storage_shortfall"])
    assert low < 0 and rules.loc["reservoir0", ["shortfall_mean_low", "shortfall_mean_high"]].tolist() == (
        pytest.approx([0.0, high]))
    targets = energy_target_table(out)  # (the winter missed in 2 of 8 trace-years: above 1 % of 5)
    assert targets.loc["hydropower0", ["winter_missed", "winter_missed_low", "winter_missed_high"]].tolist() == (
        pytest.approx([0.25, *by_trace_interval(hit(HAND["annual_winter_energy_shortfall"], lambda v: v > 0.05),
                                                share=True)]))
    assert targets.loc["hydropower0", ["missed_low", "missed_high"]].tolist() == pytest.approx(
        by_trace_interval(hit(HAND["annual_energy_shortfall"], lambda v: v > 0.1), share=True))
    # a share of 1 is that of its 8 trace-years, 8 (t₇ / t₃)² of them: the low end solves h^8(t₇/t₃)² = 0.025 (not
    # the rule of three, 1 − 3/4): the requirement is short every year
    assert requirement_table(out).loc["requirement0", ["short", "short_low", "short_high"]].tolist() == (
        pytest.approx([1, 0.025 ** (1 / (8 * (T7 / T3) ** 2)), 1]))
    assert energy_table(out, by="country").loc["KGZ", ["mean_low", "mean_high"]].tolist() == [1, 1]
    # the long-term water stress, a ratio of means: 810 of 800 hm³ over the traces, whose sums 190, 220, 200, 200
    # over 200 each differ from 1.0125 × 200 by −12.5, 17.5, −2.5, −2.5
    stress = water_stress_table(out)
    se = np.sqrt(4 / 3 * (12.5**2 + 17.5**2 + 2.5**2 + 2.5**2)) / 800 * 100
    assert stress.loc["system0", "long_term"] == pytest.approx(101.25)
    assert stress.loc["system0", ["long_term_low", "long_term_high"]].tolist() == pytest.approx(
        [101.25 - T3 * se, 101.25 + T3 * se])
    assert stress.loc["system0", ["critical", "critical_low", "critical_high"]].tolist() == pytest.approx(
        [0.25, *by_trace_interval(hit(HAND["annual_withdrawal"], lambda v: v > 100), share=True)])
    assert "p50_low" not in stress and stress.attrs["units"]["critical_high"] == "share of trace-years"


def test_the_summary_csv_holds_every_figure_the_report_prints_with_its_interval_and_what_it_is(tmp_path):
    """A statistician's review: the summary CSV left out figures the report prints (the share of trace-years at
    dead storage and the least lowest storage, a sink's share with no inflow and least inflow, the largest rule
    curve shortfall, the share of winters whose energy target is missed), had no intervals, and did not say how its
    percentiles are taken nor that the water stress's mean of yearly ratios is not SDG 6.4.2's indicator
    (``long_term`` is).  Rows of the CSV's layout, with units, a description column last; worked out by hand for
    :func:`ensemble_cases.hand_store`."""
    from ensemble_cases import HAND, by_trace_interval, hand_store

    out = hand_store(tmp_path / "hand.nc")
    table = summary_table(out)
    rows = table.set_index(["indicator", "statistic"])
    assert list(table.columns) == [*SUMMARY_CSV_COLUMNS] and table.columns[-1] == "description"

    def row(indicator, statistic):
        return rows.loc[(indicator, statistic)]

    assert row("annual_min_storage", "least")[["units", "value"]].tolist() == ["hm3", 50.0]
    share = [row("annual_min_storage", f"share_at_min_volume{end}") for end in ("", "_low", "_high")]
    assert [r.units for r in share] == ["1"] * 3 and share[0].value == 1 / 8
    assert [share[1].value, share[2].value] == pytest.approx(
        by_trace_interval([[1, 0], [0, 0], [0, 0], [0, 0]], share=True))
    assert row("annual_sink_inflow", "least")[["units", "value"]].tolist() == ["hm3 per year", 0.0]
    assert row("annual_sink_inflow", "share_none").value == 1 / 8
    assert row("annual_max_storage_shortfall", "max")[["units", "value"]].tolist() == ["hm3", 7.0]
    winter = row("annual_winter_energy_shortfall", "share_winter_target_missed")
    assert winter.units == "1" and winter.value == 0.25
    assert row("annual_winter_energy_shortfall", "share_winter_target_missed_high").value == pytest.approx(
        by_trace_interval([[0, 0], [1, 0], [1, 0], [0, 0]], share=True)[1])
    assert [row("annual_sink_inflow", s).value for s in ("mean_low", "mean_high")] == pytest.approx(
        by_trace_interval(HAND["annual_sink_inflow"]))
    assert row("annual_sink_inflow", "mean_low").units == "hm3 per year"
    assert [row("annual_deficit_fraction", f"share_above_0.3{end}").value for end in ("_low", "_high")] == (
        pytest.approx(by_trace_interval([[1, 1], [1, 0], [0, 0], [0, 0]], share=True)))
    # (the share high, 6 of 8, SE = √(4/3 · 0.5² · 4) / 8: p(1−p)/SE² = 9 trace-years, of the 8 there are, times
    # (t₇ / t₃)²; its interval is Korn and Graubard's, a technical editor's review)
    size = 8 * (T7 / T3) ** 2
    assert [row("annual_water_stress", s).value for s in ("long_term", "share_high", "share_high_low")] == (
        pytest.approx([101.25, 0.75, beta.ppf(0.025, 0.75 * size, 0.25 * size + 1)]))
    # what each statistic is, in words: the percentiles' method, the water stress's two figures told apart
    described = dict(zip(rows.loc["annual_water_stress"].index, rows.loc["annual_water_stress"].description,
                         strict=True))
    assert "not SDG 6.4.2's indicator, which is long_term" in described["mean"]
    assert described["long_term"].startswith("SDG 6.4.2's water stress indicator: the mean yearly withdrawal over")
    assert "linear interpolation between the sorted values" in described["p95"]
    assert described["share_low"] == "share of the trace-years whose yearly ratio is in FAO's level low"
    assert described["share_low_high"].startswith("high end of the 95 % interval of share_low (± t standard")
    assert "Korn and Graubard" in described["share_low_high"] and "Korn" not in described["mean_low"]
    # a mean deficit fraction's interval is bounded as a share's, and says so (a statistician's diff review)
    fraction = rows.loc["annual_deficit_fraction"]
    assert "Korn and Graubard's instead" in fraction.loc["mean_high", "description"]  # (a technical editor's
    # review: a share's interval is no longer ± t SE with the rule of three at 0 and 1)
    assert (table.description != "").all()
    csv = write_summary_csv(out, tmp_path / "s.csv")
    pd.testing.assert_frame_equal(pd.read_csv(csv, keep_default_na=False, na_values={"value": [""]},
                                              float_precision="round_trip"), table, check_exact=True)
    before = tmp_path / "before.csv"  # (a summary CSV of daryo before its descriptions: replaced as one)
    before.write_text(",".join(SUMMARY_CSV_COLUMNS[:-1]) + "\n")
    write_summary_csv(out, before)
    assert before.read_text() == csv.read_text()


def test_the_extremes_of_a_column_of_nan_alone_are_nan_without_warnings(quiet_library):
    """A library user's review: the extremes were taken under ``warnings.catch_warnings`` (numpy warns of a column
    of NaN alone: a reservoir without a rule curve), which changes the warning filters that a process's threads
    share; only the columns with values are taken."""
    from daryo.ensemble.summary import _extreme

    values = np.array([[np.nan, 3.0, np.nan], [np.nan, 1.0, 2.0]])
    assert np.array_equal(_extreme(values, np.min), [np.nan, 1.0, 2.0], equal_nan=True)
    assert np.array_equal(_extreme(values, np.max), [np.nan, 3.0, 2.0], equal_nan=True)
    assert quiet_library == []


def test_a_run_year_refused_is_told_with_the_calendar_years_of_the_store():
    """A paleo-hydrologist's review: --year 1741 of a store of 500 run years from 1700 said only "holds run years 0 to
    499".  The refusal says when the run years start, and which one starts in a calendar year given for one (also for
    a store whose last run year starts past 2262-04-11, pandas' last nanosecond date, and one of N-day steps)."""
    from daryo.ensemble.tables import check_year, held_years

    with pytest.raises(ValueError, match=r"^year 1741: s\.nc holds run years 0 to 499, which start in 1700-10 to "
                                         r"2199-10; 1741-10 starts run year 41$"):
        check_year(1741, 500, "s.nc", "1700-10")
    assert held_years("s.nc", 583, "1678-10") == "s.nc holds run years 0 to 582, which start in 1678-10 to 2260-10"
    assert held_years("s.nc", 584, "1678-01") == "s.nc holds run years 0 to 583, which start in 1678-01 to 2261-01"
    assert held_years("d.nc", 3, pd.Timestamp("2000-10-05"), 2001) == (
        "d.nc holds run years 0 to 2, which start in 2000-10-05 to 2002-10-05; 2001-10-05 starts run year 1")
    assert held_years("old.nc", 2) == "old.nc holds run years 0 to 1"


def test_the_tables_over_a_range_of_run_years_pool_those_years_alone(tmp_path):
    """An actuary's review: the pooled figures mix the run's first years, whose reservoirs start above their usual
    volumes, with the later ones, and only one run year could be taken alone.  ``years`` (a slice or a range) takes
    every table over the trace-years of those run years, pooled: here run years 1 and 2 of 7 traces × 3 years, each
    figure worked out again by hand from the store's annual arrays; a range of every year is the pooled table, of
    one year that year's."""
    from daryo.ensemble import energy_table, requirement_table, sink_table, storage_table, water_stress_table

    nodes = [dict(n, demand=[1.6 * d for d in n["demand"]]) if n["id"] == "farm" else n for n in basin_network()[0]]
    nodes.append({"id": "plant", "type": "hydropower", "capacity": 1000, "head": 100, "efficiency": 0.9})
    edges = [e for e in basin_network()[1] if e != ["river", "sea"]] + [["river", "plant"], ["plant", "sea"]]
    model = build(nodes, edges, steps=24, allocation="cost", start="2001-10")  # (plant_basin's, a thirsty farm)
    _, out = run(tmp_path, "p.nc", model=model)
    ds = load(out)

    def later(name: str) -> np.ndarray:  # (trace-years of run years 1 and 2, trace by trace)
        values = ds[name].isel(year=[1, 2]).transpose("trace", "year", ...).values
        return values.reshape(-1, values.shape[-1])

    fraction = later("annual_deficit_fraction")
    assert not np.allclose(fraction.mean(axis=0), ds.annual_deficit_fraction.mean(("trace", "year")).values)
    for years in (slice(1, None), range(1, 3), slice(-2, None)):
        table = shortfall_table(out, threshold=0.05, years=years)
        by_hand = pd.Series((fraction > 0.05).mean(axis=0), index=ds.demand.values.astype(str))
        pd.testing.assert_series_equal(table["probability"].sort_index(), by_hand[table.index].sort_index(),
                                       check_names=False)
        assert table.attrs["years"] == [1, 2] and table.attrs["year"] is None and table.attrs["pairs"] == 14
        assert (table["mean_low"] <= table["mean"]).all() and (table["mean"] <= table["mean_high"]).all()
        energy = energy_table(out, years=years)
        np.testing.assert_allclose(energy["mean"], later("annual_energy").mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(energy["p5"], np.percentile(later("annual_energy"), 5, axis=0), rtol=1e-12)
        np.testing.assert_allclose(storage_table(out, years=years)["mean"], later("annual_min_storage").mean(axis=0))
        np.testing.assert_allclose(sink_table(out, years=years)["mean"], later("annual_sink_inflow").mean(axis=0))
        stress = water_stress_table(out, years=years)
        renewable, withdrawal = later("annual_renewable_water").mean(axis=0), later("annual_withdrawal").mean(axis=0)
        environmental = np.minimum(later("annual_environmental_flow").mean(axis=0), renewable)
        np.testing.assert_allclose(stress["long_term"].iloc[:len(renewable)],
                                   withdrawal / (renewable - environmental) * 100, rtol=1e-12)
    pd.testing.assert_frame_equal(requirement_table(out, years=slice(0, None)), requirement_table(out))
    pd.testing.assert_frame_equal(shortfall_table(out, years=range(3)), shortfall_table(out))
    pd.testing.assert_frame_equal(energy_table(out, years=slice(2, None)), energy_table(out, year=2))
    for bad, error, said in (({"years": slice(3, None)}, ValueError, r"selects no run year: \S+p.nc holds run "
                                                                      "years 0 to 2"),
                             ({"years": range(1, 4)}, ValueError, r"run year 3: \S+p.nc holds run years 0 to 2"),
                             ({"years": slice(1, None), "year": 1}, ValueError, "not both"),
                             ({"years": [1, 2]}, TypeError, "give a slice"),
                             ({"years": slice(0.5, None)}, TypeError, "whole run years")):
        with pytest.raises(error, match=said):
            storage_table(out, **bad)
