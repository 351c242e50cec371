"""Changes of inflows (scale_inflows, shift_peak, named_years) on model documents and on ensembles' arrays, and the
run's span."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from overlay_cases import SMALL, VALUES, find_node, overlaid_farm, rate_model, shifted_inflow, small_doc

import daryo
from daryo.api import demo_model_path
from daryo.basins.aral import build_aral_document, read_base_document
from daryo.errors import ModelError
from daryo.model import model_from_dict
from daryo.scenarios import apply_scenarios, transform_inflows


def test_periodic_and_year_specific_inflow_changes():
    base = read_base_document()
    doc = apply_scenarios(base, ["climate-2050"])
    inflow = find_node(doc, "naryn_in")["inflow"]
    assert "monthly" in inflow  # scaling and shifting keep a 12-month cycle
    assert sum(inflow["monthly"]) == pytest.approx(0.92 * 12300, rel=1e-6)
    doc = apply_scenarios(base, ["drought-2000-2001"])
    values = np.asarray(find_node(doc, "panj_in")["inflow"]["values"])
    assert values.shape == (360,)  # 30 years of the baseline document
    years = values.reshape(30, 12).sum(axis=1) / 26190
    assert years[:3] == pytest.approx([0.60, 0.55, 1.0], rel=1e-6)


def test_transform_inflows_matches_the_document_change():
    doc = build_aral_document(hydrology="stochastic", traces=2, years=3, seed=5)
    changed = apply_scenarios(doc, ["drought-2021", "climate-2050"])
    arrays = {n["id"]: np.atleast_2d(n["inflow"]["values"]) for n in doc["nodes"] if n["type"] == "inflow"}
    got = transform_inflows(arrays, ["drought-2021", "climate-2050"], "2000-10", doc["metadata"]["basins"])
    for nid, arr in got.items():
        assert np.allclose(arr, np.atleast_2d(find_node(changed, nid)["inflow"]["values"]), rtol=1e-6)
    # basins given as any sequence of ids (tuples were refused as malformed metadata)
    as_tuples = {b: tuple(ids) for b, ids in doc["metadata"]["basins"].items()}
    again = transform_inflows(arrays, ["drought-2021", "climate-2050"], "2000-10", as_tuples)
    assert all(np.array_equal(again[k], got[k]) for k in got)


def test_named_years_without_a_first_year_start_in_the_runs_first_year(tmp_path):
    """A mutation-testing audit (third round): named_years without ``first_year`` was only taken on runs whose every
    year it changes, so a default that put the named years in the run's second year went unseen.  A Syr headwater
    (naryn_in, of the hydrology table) of 100 hm³ every month over three hydrological years from 2000-10, given
    named_years 2021 (one year, the Syr at 0.863 of its norm): 86.3 a month in the first year, 100 in the second and
    third (not 100, 86.3, 100), in a model document and in an ensemble's arrays."""
    doc = {"version": 1, "name": "t", "time": {"start": "2000-10", "end": "2003-09"},
           "nodes": [{"id": "naryn_in", "type": "inflow", "inflow": {"monthly": [100.0] * 12, "unit": "hm3"}},
                     {"id": "sea", "type": "sink"}], "edges": [["naryn_in", "sea"]]}
    overlay = tmp_path / "o.yaml"
    overlay.write_text("title: t\nchanges:\n  - named_years: {name: '2021'}\n")
    model = model_from_dict(apply_scenarios(doc, [str(overlay)]))
    flow = model.node("naryn_in").attrs["inflow"].resolve(model.time.axis())[0]
    # year 1: 100 × 0.863 = 86.3 a month, 1035.6 a year (0.863 of the norm's 1200); years 2 and 3: the norm
    want = np.repeat([86.3, 100.0, 100.0], 12)
    np.testing.assert_allclose(flow, want, rtol=1e-12)
    np.testing.assert_allclose(flow.reshape(3, 12).sum(axis=1) / 1200, [0.863, 1.0, 1.0], rtol=1e-12)
    arrays = transform_inflows({"naryn_in": np.full((1, 36), 100.0)}, [str(overlay)], "2000-10", {})
    np.testing.assert_allclose(arrays["naryn_in"][0], want, rtol=1e-12)


@pytest.mark.parametrize("changes, factors", [
    ("  - scale_inflows: {nodes: [in], factor: 0.8}\n", (0.8, 0.8)),               # keeps the 12-month cycle
    ("  - scale_inflows: {nodes: [in], factor: 0.8, years: [1]}\n", (0.8, 1.0)),    # per-step values
], ids=["cycle", "first-year"])
def test_monthly_rate_inflows_use_each_february_s_real_days(tmp_path, changes, factors):
    flow, axis = rate_model(tmp_path, changes)
    per_day = 86_400 / 1e6  # hm³ per day of 1 m³/s
    feb = np.flatnonzero(axis.month == 2)
    assert list(axis.starts[feb].year) == [2004, 2005]
    assert flow[feb[0]] == pytest.approx(101.0 * per_day * 29 * factors[0], rel=1e-9)  # leap year
    assert flow[feb[1]] == pytest.approx(101.0 * per_day * 28 * factors[1], rel=1e-9)
    # every other month too: the overlay changes the flow, not the calendar
    expected = (100.0 + axis.month - 1) * per_day * axis.days * np.where(axis.hydrological_year == 2004, *factors)
    np.testing.assert_allclose(flow, expected, rtol=1e-9)


def test_shifted_monthly_rates_keep_each_month_s_days(tmp_path):
    flow, axis = rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 1}\n")
    # February flows at March's rate (102 m³/s) for its own 29 or 28 days
    feb = np.flatnonzero(axis.month == 2)
    assert flow[feb] == pytest.approx([102.0 * 0.0864 * 29, 102.0 * 0.0864 * 28], rel=1e-9)


def test_per_step_rate_inflows_use_the_model_s_step_length(tmp_path):
    """10-day steps: a per-step rate is 10 days of flow, not a calendar month of it."""
    flow, axis = rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n",
                             time={"start": "2004-02-01", "end": "2004-03-31", "step": {"days": 10}},
                             inflow={"values": [10.0] * 6, "unit": "m3/s"})
    assert axis.n_steps == 6
    np.testing.assert_allclose(flow, 0.5 * 10.0 * 0.0864 * 10, rtol=1e-9)


def test_shift_peak_on_n_day_steps_moves_by_months_not_steps(tmp_path):
    """10-day steps: one month earlier is 365.25 / 12 = 30.44 days, 3.04 steps, not one step.  A ramp of one
    hm³ per step shows the shift exactly; a constant flow stays constant."""
    time = {"start": "2000-10-01", "end": "2001-09-30", "step": {"days": 10}}
    flow, axis = rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 1}\n", time=time,
                             inflow={"values": [float(k) for k in range(37)], "unit": "hm3"})
    assert axis.n_steps == 37
    np.testing.assert_allclose(flow[:33], np.arange(33) + 3.04375, rtol=0, atol=1e-9)
    # the run is one whole hydrological year: its first month's flow wraps to its end, and the total stays
    v, a = np.arange(37.0), 0.04375
    np.testing.assert_allclose(flow[33:], (1 - a) * v[np.arange(36, 40) % 37] + a * v[np.arange(37, 41) % 37],
                               rtol=0, atol=1e-9)
    assert flow.sum() == pytest.approx(v.sum(), rel=1e-12)
    flow, _ = rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 2.5}\n", time=time,
                          inflow={"values": [7.0] * 37, "unit": "m3/s"})
    np.testing.assert_allclose(flow, 7.0 * 0.0864 * 10, rtol=1e-9)


def test_shift_peak_on_dekads_moves_by_three_dekads_a_month(tmp_path):
    """A mutation-testing audit (third round): shift_peak's move on dekad steps (three a month) was never checked,
    so a move of one dekad a month went unseen.  A ramp of 0, 1, …, 35 hm³ over the dekads of 2000-10 to 2001-09
    (one whole hydrological year) moved a month earlier: each dekad takes the flow of the dekad three on, the
    year's first month (0, 1, 2) wrapping to its end."""
    time = {"start": "2000-10-01", "end": "2001-09-30", "step": "dekad"}
    flow, axis = rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 1}\n", time=time,
                             inflow={"values": [float(k) for k in range(36)], "unit": "hm3"})
    assert axis.n_steps == 36
    np.testing.assert_allclose(flow[:33], np.arange(3, 36), rtol=0, atol=1e-9)  # (one dekad: 1, 2, …, 33)
    np.testing.assert_allclose(flow[33:], [0, 1, 2], rtol=0, atol=1e-9)


@pytest.mark.parametrize("step, per_year", [("month", 12), ({"days": 10}, None)], ids=["monthly", "10-day"])
def test_shift_peak_keeps_each_hydrological_year_s_total(tmp_path, step, per_year):
    """A series that is a fixed seasonal cycle times a different volume each year (as the Aral traces are) keeps
    each hydrological year's total under the shift, and the cycle moves one month earlier within each year."""
    time = {"start": "2000-10-01", "end": "2003-09-30", "step": step}
    axis = model_from_dict({"version": 1, "name": "t", "time": time, "nodes": [{"id": "s", "type": "sink"}],
                            "edges": []}).time.axis()
    hy = axis.hydrological_year - axis.hydrological_year[0]
    cycle = 1.0 + np.cos(2 * np.pi * ((axis.month - 7) % 12) / 12)  # peak in July
    values = np.round(cycle * np.array([1.0, 0.6, 1.4])[hy], 3)  # the overlay writes 6 decimals
    flow, axis = rate_model(tmp_path, "  - shift_peak: {nodes: [in], months: 1}\n", time=time,
                             inflow={"values": [float(x) for x in values], "unit": "hm3"})
    for y in range(3):
        assert flow[hy == y].sum() == pytest.approx(values[hy == y].sum(), rel=1e-9)
    if per_year:  # monthly steps: exactly the next month's flow of the same year, September takes October's
        shifted = flow.reshape(3, 12)
        np.testing.assert_allclose(shifted, np.roll(values.reshape(3, 12), -1, axis=1), rtol=1e-12)
        assert list(np.argmax(shifted, axis=1)) == [8, 8, 8]  # June (October first), not July


def test_inflows_per_calendar_month_on_n_day_steps_are_refused_by_name(tmp_path):
    with pytest.raises(ModelError, match=r"ov.yaml: changes\[0\].scale_inflows \(in\): the inflow of 'in' is in "
                                         r"hm3/month, a volume per calendar month, but the model has 10-day steps"):
        rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n",
                    time={"start": "2004-02-01", "end": "2004-03-31", "step": {"days": 10}},
                    inflow={"values": [10.0] * 6, "unit": "hm3/month"})


@pytest.mark.parametrize("step", ["dekad", {"days": 10}])
def test_inflows_of_12_monthly_totals_in_hm3_per_month_are_changed_as_the_loader_spreads_them(tmp_path, step):
    """A diff review: 12 monthly totals in hm3/month, which the loader takes at dekads and N-day steps (each
    month's spread over its days), were refused by scale_inflows ("the scenario cannot change it")."""
    monthly = [310.0, 290.0, 620.0, 300, 310, 300, 310, 310, 300, 310, 300, 310]  # (2004: February of 29 days)
    time = {"start": "2004-01-01", "end": "2004-03-31", "step": step}
    base, axis = rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 1}\n", time=time,
                            inflow={"monthly": monthly, "unit": "hm3/month"})
    half, _ = rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n", time=time,
                         inflow={"monthly": monthly, "unit": "hm3/month"})
    np.testing.assert_allclose(half, 0.5 * base, rtol=1e-12)
    if step == "dekad":  # (10 hm³ a day in January and February, 20 in March)
        np.testing.assert_allclose(base / axis.days, np.where(axis.month == 3, 20.0, 10.0), rtol=1e-12)


@pytest.mark.parametrize("inflow", [
    {"monthly": [10.0] * 12, "unit": "hm3"},  # a 12-month cycle (the overlay's months index its months)
    {"values": [10.0] * 24, "unit": "hm3"},  # per-step values (the months of the run's calendar)
], ids=["cycle", "per-step"])
def test_scale_inflows_months_are_calendar_months(tmp_path, inflow):
    """``months`` gives 12 factors, January first: doubling January only doubles the Januaries."""
    months = [2] + [1] * 11
    flow, axis = rate_model(tmp_path, f"  - scale_inflows: {{nodes: [in], months: {months}}}\n", inflow=inflow)
    np.testing.assert_allclose(flow, np.where(axis.month == 1, 20.0, 10.0), rtol=1e-12)


def test_inflow_changes_take_a_plain_list_of_monthly_values(tmp_path):
    """``inflow: [12 values]`` is a documented series (hm³ per step, January first): overlays scale it as the
    mapping form, where they refused it."""
    flow, axis = rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n",
                             inflow=[float(m) for m in range(1, 13)])
    np.testing.assert_allclose(flow, 0.5 * axis.month, rtol=1e-12)


def test_inflow_changes_to_traces_leave_the_inflows_they_do_not_hold(tmp_path):
    """An ensemble's traces hold the generator's rivers; an overlay may also scale an inflow of the model that the
    generator does not make (one it adds, say).  That inflow keeps the model's series, changed when the model
    is built; the traces' own are changed, and nothing is refused (the ensemble refused what ``run`` took)."""
    overlay = tmp_path / "extra.yaml"
    overlay.write_text("title: extra\nchanges:\n  - scale_inflows: {nodes: [src, extra_in], factor: 0.5}\n")
    got = transform_inflows({"src": np.ones((1, 12))}, [str(overlay)], "2000-10", {})
    np.testing.assert_array_equal(got["src"], np.full((1, 12), 0.5))


def test_an_overflowing_inflow_change_is_one_problem_without_warnings(tmp_path):
    """A factor of 10 on an inflow of 1e308 hm³ makes it infinite: the loader's problem, without NumPy's overflow
    warning printed before it (two factors of 1e300 did, before factors above 10 were refused)."""
    import warnings

    overlay = tmp_path / "huge.yaml"
    overlay.write_text("title: huge\nchanges:\n  - set: {src: {inflow: {monthly: [1.0e+308, 1, 1, 1, 1, 1, 1, 1, 1, "
                       "1, 1, 1], unit: hm3}}}\n  - scale_inflows: {nodes: [src], factor: 10}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ModelError, match="non-finite numbers"):
            model_from_dict(apply_scenarios(small_doc(), [str(overlay)]))


@pytest.mark.parametrize("unit", [None, "", " "])
def test_an_inflow_unit_with_no_value_is_refused_by_an_overlay_that_changes_it(tmp_path, unit):
    """The overlay rewrote the series in hm3 per step, so the model file's problem (a unit with no value, read as
    the canonical one) went unreported."""
    with pytest.raises(ModelError, match=r"ov.yaml: changes\[0\].scale_inflows \(in\): the inflow of 'in' has a "
                                         r"unit with no value"):
        rate_model(tmp_path, "  - scale_inflows: {nodes: [in], factor: 0.5}\n",
                    inflow={"monthly": [10.0] * 12, "unit": unit})


def test_an_inflow_read_from_csv_or_a_parameter_or_a_constant_is_scaled_by_scale_inflows(tmp_path):
    """scale_inflows could not change an inflow read from a CSV file (most real basins keep them so) nor a parameter
    nor a constant, and the refusal said how to with a `set` change (a QA pass); a user review found that a basin of
    one's own could then not be given the library's drought.  One factor for every month and year multiplies a CSV
    file's or a parameter's scale (its other keys kept); a constant becomes 12 monthly values; a change of some
    months or years, or a shift, of a parameter is refused, saying what it takes."""
    (tmp_path / "in.csv").write_text("date,t0,q\n" + "".join(f"{d:%Y-%m-%d},0,{10 + i}\n" for i, d in enumerate(
        pd.date_range("2000-10-01", periods=12, freq="MS"))))
    (tmp_path / "m.yaml").write_text(
        "version: 1\ntime: {start: 2000-10, end: 2001-09}\n"
        "parameters:\n  p: {type: monthlyprofile, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\nnodes:\n"
        "  - {id: in, type: inflow, inflow: {csv: in.csv, column: q, unit: m3/s, scale: 2}}\n"
        "  - {id: par, type: inflow, inflow: {parameter: p, unit: hm3/day}}\n"
        "  - {id: const, type: inflow, inflow: 30 m3/s}\n  - {id: sea, type: sink}\n"
        "edges: [[in, sea], [par, sea], [const, sea]]\n")
    (tmp_path / "dry.yaml").write_text("title: dry\nchanges:\n  - scale_inflows: {factor: 0.5}\n")
    model = daryo.load(tmp_path / "m.yaml", scenarios=str(tmp_path / "dry.yaml"))
    axis = model.time.axis()
    inflow = {nid: model.node(nid).attrs["inflow"].resolve(axis)[0] for nid in ("in", "const")}
    np.testing.assert_allclose(inflow["in"], 2 * 0.5 * (10 + np.arange(12)) * 0.0864 * axis.days, rtol=1e-12)
    np.testing.assert_allclose(inflow["const"], 0.5 * 30 * 0.0864 * axis.days, rtol=1e-12)
    par = daryo.run(model).dataset.node_flow.sel(node="par").isel(scenario=0)  # (a parameter: its value in a run)
    np.testing.assert_allclose(par, 0.5 * axis.month * axis.days, rtol=1e-12)
    (tmp_path / "two.yaml").write_text("version: 1\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                                       "  - {id: Сырдарья, type: inflow, inflow: {csv: in.csv, columns: [t0, q]}}\n"
                                       "  - {id: sea, type: sink}\nedges: [[Сырдарья, sea]]\n")
    two = daryo.load(tmp_path / "two.yaml", scenarios=str(tmp_path / "dry.yaml")).node("Сырдарья").attrs["inflow"]
    np.testing.assert_allclose(two.resolve(axis)[:, 0], [0.0, 5.0])
    for change in ("shift_peak: {nodes: [par], months: 1}", "scale_inflows: {nodes: [par], factor: 0.5, years: [1]}",
                   "scale_inflows: {nodes: [par], months: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5]}"):
        (tmp_path / "no.yaml").write_text(f"title: s\nchanges:\n  - {change}\n")
        with pytest.raises(ModelError) as err:  # (a CSV file's: read and changed, since 2026-12-05; next test)
            daryo.load(tmp_path / "m.yaml", scenarios=str(tmp_path / "no.yaml"))
        assert str(err.value).endswith("so the scenario cannot change it; an inflow given by a parameter takes only "
                                       "scale_inflows of one factor for every month and year"), err.value
    (tmp_path / "mapping.yaml").write_text(  # (a constant written as a mapping; a review)
        (tmp_path / "m.yaml").read_text().replace("inflow: 30 m3/s", "inflow: {value: 15, unit: m3/s, scale: 2}"))
    as_mapping = daryo.load(tmp_path / "mapping.yaml", scenarios=str(tmp_path / "dry.yaml")).node("const")
    np.testing.assert_allclose(as_mapping.attrs["inflow"].resolve(axis)[0], inflow["const"], rtol=1e-12)
    (tmp_path / "shift.yaml").write_text("title: s\nchanges:\n  - shift_peak: {nodes: [const], months: 1}\n")
    shifted = daryo.load(tmp_path / "m.yaml", scenarios=str(tmp_path / "shift.yaml")).node("const").attrs["inflow"]
    np.testing.assert_allclose(shifted.resolve(axis)[0], 30 * 0.0864 * axis.days, rtol=1e-12)


def test_a_model_loaded_for_fewer_years_than_its_file_takes_the_first_of_its_values(tmp_path):
    """daryo.load(path, years=1) (and --years 1) refused a file's 24 values per step as more than the run's 12,
    though a shorter run takes the first ones (a QA pass of the overlays: it ran only where an overlay happened to
    rewrite the series)."""
    (tmp_path / "m.yaml").write_text(SMALL)
    model = daryo.load(tmp_path / "m.yaml", years=1)
    flow = daryo.run(model).dataset.node_flow.sel(node="up").isel(scenario=0)
    np.testing.assert_array_equal(flow, np.arange(1, 13))
    (tmp_path / "long.yaml").write_text(SMALL.replace("end: 2002-09", "end: 2001-09"))
    for years in (None, 1):  # (more values than the file's own steps: a typo, whatever the run's length; a review)
        with pytest.raises(ModelError, match="the series has 24 values but the model has 12 steps"):
            daryo.load(tmp_path / "long.yaml", years=years)


def test_an_overlay_on_a_model_loaded_for_fewer_years_than_its_values_changes_the_first_of_them(tmp_path):
    """A mutation-testing audit (third round): an overlay's change of per-step values longer than the run (a file of
    two years, daryo.load(years=1)) was never checked, so taking the last of the values rather than the first went
    unseen.  SMALL's inflow is 1, 2, …, 24 hm³ over 2000-10 to 2002-09; loaded for one year and halved, its 12 steps
    flow 0.5, 1, …, 6 (the last 12 halved: 6.5 to 12)."""
    (tmp_path / "m.yaml").write_text(SMALL)
    (tmp_path / "o.yaml").write_text("changes:\n  - scale_inflows: {nodes: [up], factor: 0.5}\n")
    model = daryo.load(tmp_path / "m.yaml", scenarios=[str(tmp_path / "o.yaml")], years=1)
    flow = daryo.run(model).dataset.node_flow.sel(node="up").isel(scenario=0)
    np.testing.assert_allclose(flow, 0.5 * np.arange(1, 13), rtol=1e-12)


def test_an_inflow_changed_by_an_overlay_keeps_its_small_values(tmp_path):
    """The changed series were rounded to 6 decimal places in their unit: a factor of 1 turned an inflow of
    4.2e-7 km³/yr into 0 (a QA pass of the overlays); now to 12 significant digits."""
    monthly = [0.1234567] * 11 + [4.2e-7]
    (tmp_path / "m.yaml").write_text(SMALL.replace(VALUES, f"{{monthly: {monthly}, unit: km3/yr}}"))
    (tmp_path / "one.yaml").write_text("title: one\nchanges:\n  - scale_inflows: {factor: 1}\n")
    base, same = (daryo.run(daryo.load(tmp_path / "m.yaml", scenarios=s)).dataset.node_flow.sel(node="up")
                  for s in ([], [str(tmp_path / "one.yaml")]))
    np.testing.assert_allclose(same, base, rtol=1e-11)


@pytest.mark.parametrize("basin, message", [
    ("[]", "the model's metadata.basins.b lists no node, so this change would change nothing"),
    ("[side_creek, city]", "the model's metadata.basins.b lists 'city', which is not an inflow")])
def test_a_basin_that_lists_no_node_or_a_demand_is_refused(tmp_path, basin, message):
    """A basin of no nodes changed nothing without a word, and one listing a demand called it an inflow."""
    text = demo_model_path().read_text().replace("allocation: priority",
                                                 f"allocation: priority\nmetadata: {{basins: {{b: {basin}}}}}")
    model = tmp_path / "m.yaml"
    model.write_text(text)
    (tmp_path / "upper_inflow.csv").write_text((demo_model_path().parent / "upper_inflow.csv").read_text())
    overlay = tmp_path / "dry.yaml"
    overlay.write_text("changes: [{scale_inflows: {basin: b, factor: 0.5}}]\n")
    with pytest.raises(ModelError) as err:
        daryo.load(model, scenarios=[str(overlay)])
    assert [str(p) for p in err.value.problems] == [f"{overlay}: changes[0].scale_inflows.basin (line 1): {message}"]


def test_a_basin_listing_a_node_the_model_lacks_is_refused_and_one_an_overlay_removed_is_not(tmp_path):
    """A basin whose listed node was misspelt changed the others and left that river alone without a word; telling
    it from one an earlier overlay removed (which changes nothing there, as meant) needed the removals."""
    base = demo_model_path().read_text()
    model, overlay = tmp_path / "m.yaml", tmp_path / "dry.yaml"
    (tmp_path / "upper_inflow.csv").write_text((demo_model_path().parent / "upper_inflow.csv").read_text())
    overlay.write_text("changes: [{remove_nodes: [side_creek]}, {scale_inflows: {basin: b, factor: 0.5}}]\n")
    model.write_text(base.replace("allocation: priority",
                                  "allocation: priority\nmetadata: {basins: {b: [side_creek]}}"))
    loaded = daryo.load(model, scenarios=[str(overlay)])
    assert loaded.metadata["basins"] == {"b": []}  # (the model lists only nodes it has)
    model.write_text(base.replace("allocation: priority",
                                  "allocation: priority\nmetadata: {basins: {b: [side_creek, upper_rivr]}}"))
    with pytest.raises(ModelError) as err:
        daryo.load(model, scenarios=[str(overlay)])
    assert [str(p) for p in err.value.problems] == [
        f"{overlay}: changes[1].scale_inflows.basin (line 1): the model's metadata.basins.b lists 'upper_rivr', "
        "which is not in the model (did you mean 'upper_river'?)"]


def test_a_basin_whose_inflows_an_earlier_overlay_removed_changes_nothing(tmp_path):
    """Refused for a while ("names no inflow") where an earlier overlay removed the basin's rivers (a review):
    the climate change of the removed Syr headwaters has nothing left to change."""
    gone = tmp_path / "no-syr.yaml"
    syr = read_base_document()["metadata"]["basins"]["syr"]
    gone.write_text(f"changes: [{{remove_nodes: [{', '.join(syr)}]}}]\n")
    model = daryo.load(scenarios=[str(gone), "climate-2050"], years=1)
    assert not set(syr) & {n.id for n in model.nodes}


def test_transform_inflows_refuses_a_basin_given_as_one_id_of_text():
    """{"amu": "amu_in"} was read letter by letter, so no inflow matched and the climate change changed nothing,
    without a word (a fuzz of the Python API)."""
    arrays = {"amu_in": np.ones((1, 12))}
    with pytest.raises(TypeError, match=r"basins\['amu'\]: give a list of inflow ids, not the text 'amu_in'"):
        transform_inflows(arrays, ["climate-2050"], "2000-10", {"amu": "amu_in", "syr": []})
    with pytest.raises(TypeError, match=r"basins: give a mapping of basin names to lists of inflow ids, not a list"):
        transform_inflows(arrays, ["climate-2050"], "2000-10", ["amu_in"])
    changed = transform_inflows(arrays, ["climate-2050"], "2000-10", {"amu": ["amu_in"], "syr": []})
    assert not np.array_equal(changed["amu_in"], arrays["amu_in"])


@pytest.mark.parametrize("inflows, start, error, message", [
    ({"amu_in": np.ones(12)}, "2000-10", ValueError,  # (was pandas' "tuple index out of range")
     r"inflows\['amu_in'\] is shaped \(12,\): give a \(trace, step\) array"),
    ({"amu_in": np.ones((1, 0))}, "2000-10", ValueError,  # (was NumPy's IndexError)
     r"inflows\['amu_in'\] is shaped \(1, 0\): give a \(trace, step\) array of at least one trace and one step"),
    ({5: np.ones((1, 12))}, "2000-10", TypeError, "inflows: the keys are inflow ids as text, not the number 5"),
    ({"amu_in": np.ones((1, 12))}, pd.Timestamp("2000-10-01", tz="UTC"), ValueError,
     "give the first month without a time zone"),
    ({"amu_in": np.ones((1, 12)), "syr_in": np.ones((1, 24))}, "2000-10", ValueError,
     "the inflow arrays cover different numbers of steps: amu_in: 12, syr_in: 24"),
    ({"amu_in": "abc"}, "2000-10", TypeError, r"inflows\['amu_in'\]: give numbers in a \(trace, step\) array"),
    ({"amu_in": np.ones((1, 12))}, 2000, TypeError,  # (was read as 2000 ns after 1970-01-01)
     "start=2000: give the first month as text"),
    ({"amu_in": np.ones((1, 12))}, "October", ValueError, "start='October': not a date"),
    ({"amu_in": np.ones((1, 12))}, "2261-10", ValueError,  # (was pandas' OutOfBoundsDatetime: 2262-09-01 … 'ns')
     "start='2261-10': 12 monthly steps from it lie outside the dates a time axis can hold: they must lie between "
     "1678-01-01 and 2261-12-31"),
    ({"amu_in": np.ones((1, 12))}, "2000-10-15", ValueError,  # (was moved to 2000-10 without a word)
     "start='2000-10-15': the inflows' monthly steps start on a month's first day"),
])
def test_transform_inflows_names_arrays_and_starts_it_cannot_take(inflows, start, error, message):
    """A release engineer's review: under pandas 3 "October" was taken (as 0001-10-01, which pandas 2 refused
    to turn into a month), and under either a start whose last step passes 2261 met pandas' overflow."""
    with pytest.raises(error, match=message):
        transform_inflows(inflows, ["climate-2050"], start, {"amu": ["amu_in"], "syr": ["syr_in"]})


def test_shift_peak_moves_one_month_when_no_months_are_given(tmp_path):
    time = {"start": "2000-10", "end": "2001-09", "step": "month"}
    inflow = {"values": [float(k) for k in range(12)], "unit": "hm3"}
    flow = shifted_inflow(tmp_path, "shift_peak: {nodes: [in]}", time, inflow)
    np.testing.assert_allclose(flow, [float(k) for k in range(1, 12)] + [0.0], rtol=0, atol=1e-9)


def test_a_part_year_of_eleven_months_is_not_wrapped_by_shift_peak(tmp_path):
    """Only a whole hydrological year (12 monthly steps) wraps; a run of 11 months takes the flow that follows,
    its last month repeating past the end (a year of 11 months wrapped October's flow into August)."""
    time = {"start": "2000-10", "end": "2001-08", "step": "month"}
    inflow = {"values": [float(k) for k in range(11)], "unit": "hm3"}
    flow = shifted_inflow(tmp_path, "shift_peak: {nodes: [in], months: 1}", time, inflow)
    np.testing.assert_allclose(flow, [float(k) for k in range(1, 11)] + [10.0], rtol=0, atol=1e-9)


def test_a_series_an_overlay_set_that_a_runs_span_does_not_fit_names_the_change(tmp_path):
    """A run asked to start before the model's start: a per-step series an overlay set is named at the overlay's
    change, as the other problems a run finds are (it named the model file's node)."""
    model, overlay = overlaid_farm(
        tmp_path, "  - set: {farm: {demand: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}}}")
    with pytest.raises(ModelError) as err:
        daryo.run(model, daryo.RunOptions(start="1999-01", years=1))
    assert str(err.value).startswith(f"1 problem in the model:\n  - {overlay}: changes[0].set.farm.demand: the run "
                                     "starts 1999-01-01, before the model's start (2000-01-01)")


@pytest.mark.parametrize("years, error, said", [
    (0, ValueError, "years 0: a run lasts at least 1 year"), (-1, ValueError, "years -1: a run lasts at least"),
    (True, TypeError, "years=True: give a whole number"), (1.5, TypeError, "years=1.5: give a whole number"),
    ("2", TypeError, "years='2': give a whole number"), (None, TypeError, "years=None: give a whole number"),
])
def test_with_years_refuses_what_daryo_load_refuses(years, error, said):
    """with_years is public: 0 and -1 gave a document that ends before it starts, True one year, and 1.5, '2' and
    None failed inside dateutil or the time axis (a fuzz of the Python API)."""
    from daryo.scenarios import with_years

    doc = {"version": 1, "time": {"start": "2000-10", "end": "2002-09"}}
    with pytest.raises(error, match=re.escape(said)):
        with_years(doc, years)
    assert with_years(doc, 1)["time"]["end"] == "2001-09-30"


@pytest.mark.parametrize("end, said", [
    ("2000-13", "time.end (line 4): '2000-13' is not a date: month must be in 1..12"),
    ("now", "time.end (line 4): 'now' is not a date"),
    ("1999-01", "time (line 4): end 1999-01-31 is before start 2000-10-01"),
    ("2999-01", "time (line 4): the run from 2000-10-01 to 2999-01-31 lies outside the dates"),
])
def test_a_run_of_given_years_refuses_a_file_whose_own_end_daryo_validate_refuses(tmp_path, end, said):
    """An input fuzzer's review: ``daryo run model.yaml --years 2`` (``daryo.load(path, years=2)``) ran a file
    whose ``time.end`` is not a date or not after its start, which ``daryo validate`` refuses: the years replaced
    the end before it was read.  The file's problem is now told, named at its line."""
    text = (Path(daryo.__file__).parents[2] / "docs/examples/lab-basin.yaml").read_text()
    assert text.count("end: 2005-09") == 1
    path = tmp_path / "endbad.yaml"
    path.write_text(text.replace("end: 2005-09", f"end: {end}"))
    for years in (None, 2):
        with pytest.raises(ModelError, match=re.escape(f"{path}: {said}")):
            daryo.load(path, years=years)
    path.write_text(text)
    assert daryo.load(path, years=2).time.end == pd.Timestamp("2002-09-30")


def test_overlays_change_an_inflow_read_from_a_csv_file_as_they_change_the_same_values_given_inline(tmp_path):
    """A review (a modeller of the Zarafshan): a warming's earlier peak and a drought of given years could not touch
    a gauged inflow read from a CSV file, which is how observed data comes; only one factor for every month and
    year could.  Now the overlay reads the file once, over the run's steps, and changes its values: the run is the
    one of the same values given inline, the traces keep the names of the file's columns, and a problem of the
    file is named where the model gives it.  An inflow given by a parameter still takes only one factor."""
    starts = pd.date_range("2000-10-01", periods=24, freq="MS")
    rng = np.random.default_rng(4)
    flows = np.round(20 + 15 * rng.random((24, 3)), 6)  # (as the file holds them)
    rows = "".join(f"{d:%d.%m.%Y},{a:.6f},{b:.6f},{c:.6f}\n" for d, (a, b, c) in zip(starts, flows, strict=True))
    (tmp_path / "gauge.csv").write_text("date,wet,normal,dry\n" + rows)
    text = ("version: 1\nname: gauged\ntime: {start: 2000-10, end: 2002-09}\nnodes:\n"
            "  - {id: dupuli, type: inflow, inflow: {csv: gauge.csv, columns: '*', unit: m3/s}}\n"
            "  - {id: farm, type: demand, demand: 30}\n  - {id: sea, type: sink}\n"
            "edges: [[dupuli, farm], [dupuli, sea]]\n")
    (tmp_path / "csv.yaml").write_text(text)
    days = np.array([pd.Period(d, "M").days_in_month for d in starts], dtype=float)
    inline = (flows * 0.0864 * days[:, None]).T  # (traces, steps) hm³ per step
    (tmp_path / "inline.yaml").write_text(text.replace(
        "{csv: gauge.csv, columns: '*', unit: m3/s}",
        "{values: " + repr([[float(f"{v:.12g}") for v in row] for row in inline]) + "}"))
    (tmp_path / "warm.yaml").write_text(
        "title: warm\nchanges:\n  - shift_peak: {nodes: [dupuli], months: 1}\n"
        "  - scale_inflows: {nodes: [dupuli], months: [1, 1, 1, 1.1, 1.1, 1.1, 0.9, 0.9, 0.9, 1, 1, 1]}\n"
        "  - scale_inflows: {nodes: [dupuli], factor: 0.5, years: [2]}\n")
    got = daryo.load(tmp_path / "csv.yaml", scenarios=str(tmp_path / "warm.yaml"))
    want = daryo.load(tmp_path / "inline.yaml", scenarios=str(tmp_path / "warm.yaml"))
    assert got.scenario_names == ("wet", "normal", "dry") and want.scenario_names == ("0", "1", "2")
    axis = got.time.axis()
    changed = got.node("dupuli").attrs["inflow"].resolve(axis)
    np.testing.assert_allclose(changed, want.node("dupuli").attrs["inflow"].resolve(axis), rtol=1e-11)
    assert not np.allclose(changed, inline)  # (changed: the second year halved, the cycle moved)
    ds = daryo.run(got).dataset
    np.testing.assert_allclose(ds.node_flow.sel(node="dupuli").values, changed, rtol=1e-9)
    assert list(ds.scenario.values) == ["wet", "normal", "dry"]
    # the file's problem, where the model names it: a month missing
    (tmp_path / "gauge.csv").write_text("date,wet,normal,dry\n" + "".join(rows.splitlines(True)[:20]))
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "csv.yaml", scenarios=str(tmp_path / "warm.yaml"))
    assert "nodes[dupuli].inflow (line 5): CSV file" in str(err.value) and "2002-06-01" in str(err.value), err.value
    # a parameter: still one factor only
    (tmp_path / "par.yaml").write_text(
        "version: 1\ntime: {start: 2000-10, end: 2001-09}\n"
        "parameters:\n  p: {type: monthlyprofile, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\nnodes:\n"
        "  - {id: par, type: inflow, inflow: {parameter: p, unit: hm3/day}}\n  - {id: sea, type: sink}\n"
        "edges: [[par, sea]]\n")
    (tmp_path / "shift.yaml").write_text("title: s\nchanges:\n  - shift_peak: {nodes: [par], months: 1}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "par.yaml", scenarios=str(tmp_path / "shift.yaml"))
    assert "an inflow given by a parameter takes only scale_inflows of one factor for every month and year" in str(
        err.value)


def test_a_csv_file_an_overlay_cannot_read_is_reported_once_where_it_is_given(tmp_path):
    """A review: a CSV file an overlay set and then shifted was reported twice, once against the model file, which
    does not name it; and a model file's missing CSV, with an overlay, hid the model's other problems and lost its
    line.  The loader reports the file's problems where the file is given, with the model's others."""
    (tmp_path / "m.yaml").write_text(
        "version: 1\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
        "  - {id: src, type: inflow, inflow: {csv: nope.csv, column: wet}}\n"
        "  - {id: farm, type: demand, demand: -5}\n  - {id: sea, type: sink}\nedges: [[src, farm], [src, sea]]\n")
    (tmp_path / "shift.yaml").write_text("title: s\nchanges:\n  - shift_peak: {nodes: [src], months: 1}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=str(tmp_path / "shift.yaml"))
    text = str(err.value)
    assert "nodes[src].inflow (line 4): CSV file 'nope.csv' not found" in text, text
    assert "nodes[farm].demand (line 5)" in text, text
    good = (tmp_path / "m.yaml").read_text().replace("nope.csv", "none.csv").replace("demand: -5", "demand: 5")
    (tmp_path / "g.yaml").write_text(good)
    (tmp_path / "set.yaml").write_text("title: s\nchanges:\n  - set: {src: {inflow: {csv: nope.csv, column: wet}}}\n"
                                       "  - shift_peak: {nodes: [src], months: 1}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "g.yaml", scenarios=str(tmp_path / "set.yaml"))
    assert len(err.value.problems) == 1 and ("set.yaml: changes[0].set.src.inflow (line 3): CSV file 'nope.csv' not "
                                             "found") in \
        str(err.value), err.value


def test_changes_of_given_years_past_the_runs_end_are_told(tmp_path, capsys):
    """A review: a three-year drought overlay in an ensemble of one year ran its first year only, without a word.
    The years a run is too short for are named (those in it are changed; one with none in it is refused)."""
    from daryo.cli import main
    from daryo.scenarios import years_beyond
    from daryo.timeaxis import TimeAxis

    wet = tmp_path / "wet.yaml"
    wet.write_text("title: wet years\nchanges:\n  - scale_inflows: {factor: 1.2, years: [6, 2, 4]}\n")
    axis = TimeAxis.from_range("2000-10", "2003-09")  # 3 hydrological years
    assert years_beyond(["drought-multiyear", str(wet)], axis) == [
        "wet changes run years 2, 4 and 6, and the run has 3 hydrological years: years 4 and 6 of it are left out"]
    one = TimeAxis.from_range("2000-10", "2001-09")
    assert years_beyond(["drought-multiyear"], one) == [
        "drought-multiyear changes run years 1 to 3, and the run has 1 hydrological year: years 2 and 3 of it are "
        "left out"]
    assert years_beyond(["drought-2000-2001", "rogun-full"], TimeAxis.from_range("2000-10", "2002-09")) == []
    assert main(["run", "--scenario", "drought-multiyear", "--years", "2"]) == 0
    cut = "drought-multiyear changes run years 1 to 3, and the run has 2 hydrological years: year 3 of it is left out"
    assert f"note: {cut}" in capsys.readouterr().err.splitlines()
    import daryo
    from daryo.results import advice

    model = daryo.load(None, scenarios=["drought-multiyear"], years=2)  # (the Python API too: a review)
    assert cut in advice(daryo.run(model).dataset, model)
    longer = daryo.load(None, scenarios=["drought-multiyear"], years=5)  # (the run's years, not the model's: a diff
    assert cut in advice(daryo.run(longer, daryo.RunOptions(years=2)).dataset, longer)  # review)
    assert advice(daryo.run(longer).dataset, longer) == [  # (where its years fall: a data officer's review)
        "drought-multiyear changes run years 1 to 3: 2000-10 to 2003-09, hydrological years 2001 to 2003 of the "
        "results (each labelled by the year it ends in): the run's dates, not those of the years on record whose "
        "factors it takes"]
    late = tmp_path / "late.yaml"  # (a run shortened after loading may hold none of an overlay's years)
    late.write_text("title: a wet third year\nchanges:\n  - scale_inflows: {factor: 1.2, years: [3]}\n")
    model = daryo.load(None, scenarios=[str(late)], years=3)
    assert advice(daryo.run(model, daryo.RunOptions(years=2)).dataset, model) == [
        "late changes run year 3, and the run has 2 hydrological years: that year is not in it"]
    assert main(["ensemble", "--traces", "2", "--years", "1", "--scenario", "drought-multiyear", "-o",
                 str(tmp_path / "d.nc"), "--quiet"]) == 0
    assert ("note: drought-multiyear changes run years 1 to 3, and the run has 1 hydrological year: years 2 and 3 of "
            "it are left out") in capsys.readouterr().err.splitlines()


def test_inflow_changes_of_all_inflows_leave_out_a_supply_with_no_series(tmp_path):
    """A WEAP user's review: a groundwater source (an inflow with a max_flow and no series) made every drought
    overlay of all inflows fail ("the inflow of 'well' is not a constant, ..."); it has no series to change, so
    ``basin: all``, or a basin that lists it, leaves it out.  Named in ``nodes``, it is a problem that says why."""
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: m\ntime: {start: 2000-01, end: 2000-12}\nnodes:\n  - {id: river, type: inflow, inflow: 10}\n"
        "  - {id: well, type: inflow, max_flow: 2, cost: 1}\n  - {id: farm, type: demand, demand: 3}\n"
        "  - {id: sea, type: sink}\nedges: [[river, farm], [well, farm], [river, sea]]\n")
    overlay = tmp_path / "dry.yaml"
    overlay.write_text("changes:\n  - scale_inflows: {factor: 0.1}\n")
    ds = daryo.run(daryo.load(tmp_path / "m.yaml", scenarios=[str(overlay)])).dataset
    np.testing.assert_allclose(ds.node_flow.sel(node="river").values, 1.0, rtol=1e-12)
    np.testing.assert_allclose(ds.node_flow.sel(node="well").values, 2.0, rtol=1e-9)
    (tmp_path / "m.yaml").write_text((tmp_path / "m.yaml").read_text().replace(
        "time:", "metadata: {basins: {north: [river, well]}}\ntime:"))  # (a basin listing it: a diff review)
    overlay.write_text("changes:\n  - scale_inflows: {basin: north, factor: 0.1}\n")
    ds = daryo.run(daryo.load(tmp_path / "m.yaml", scenarios=[str(overlay)])).dataset
    np.testing.assert_allclose(ds.node_flow.sel(node="river").values, 1.0, rtol=1e-12)
    overlay.write_text("changes:\n  - scale_inflows: {nodes: [river, well], factor: 0.1}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.yaml", scenarios=[str(overlay)])
    assert "'well' has no inflow series (it supplies what the allocation takes, between its min_flow and max_flow), " \
           "so the scenario cannot change it; leave it out of nodes, or change its max_flow with a set change" \
           in str(err.value)


def test_a_change_of_some_years_keeps_each_day_at_its_month_s_rate_over_n_day_steps(tmp_path):
    """A diff review: a scale_inflows of some run years turns 12 monthly rates into per-step values, and did so by
    the month each 7-day step starts in, for every step of every year, where the loader gives each day its month's
    rate: a change of factor 1 in year 2 changed year 1's inflows (the week from 30 September 2001: 151.2 hm³, the
    loader 83.808, 1 day at 250 m³/s and 6 at 120).  Now factor 1 changes nothing, and factor 2 doubles year 1."""
    model = tmp_path / "weekly.yaml"
    model.write_text("version: 1\nname: weekly\ntime: {start: 2000-10-01, end: 2002-09-30, step: {days: 7}}\n"
                     "nodes:\n  - {id: river, type: inflow, inflow: {monthly: [60, 55, 60, 90, 200, 400, 500, 450, "
                     "250, 120, 80, 70], unit: m3/s}}\n  - {id: lake, type: sink}\nedges: [[river, lake]]\n")

    def inflow(*changes):
        overlay = [{"name": "years", "changes": list(changes)}] if changes else []
        return daryo.run(daryo.load(model, scenarios=overlay)).dataset["sink_inflow"].values.ravel()

    base = inflow()
    assert base[52] == pytest.approx((250 + 6 * 120) * 0.0864, rel=1e-12)  # (30 Sep – 6 Oct 2001)
    np.testing.assert_allclose(inflow({"scale_inflows": {"nodes": ["river"], "factor": 1.0, "years": [2]}}), base,
                               rtol=1e-12)
    doubled = inflow({"scale_inflows": {"nodes": ["river"], "factor": 2.0, "years": [1]}})
    year1 = np.arange(base.size) < 53  # (the steps that start in 2000-10-01 .. 2001-09-30)
    np.testing.assert_allclose(doubled[year1], 2 * base[year1], rtol=1e-12)
    np.testing.assert_allclose(doubled[~year1], base[~year1], rtol=1e-12)


def _applied(tmp_path, overlays, time, inflow):
    """The inflow of a one-inflow model with each overlay text of ``overlays`` (a file each) applied in turn, per
    step in hm³."""
    doc = {"version": 1, "name": "t", "time": time, "nodes": [{"id": "in", "type": "inflow", "inflow": inflow},
                                                              {"id": "sea", "type": "sink"}], "edges": [["in", "sea"]]}
    files = []
    for k, changes in enumerate(overlays):
        files.append(tmp_path / f"ov{k}.yaml")
        files[-1].write_text(f"title: t\nchanges:\n{changes}")
    model = model_from_dict(apply_scenarios(doc, [str(f) for f in files]))
    return model.node("in").attrs["inflow"].resolve(model.time.axis())[0]


@pytest.mark.parametrize("inflow", [
    {"monthly": [35, 25, 22, 20, 18, 22, 40, 90, 150, 170, 130, 70], "unit": "hm3"},  # a cycle, October first
    {"values": [35, 25, 22, 20, 18, 22, 40, 90, 150, 170, 130, 70] * 2, "unit": "hm3"},  # per step
    {"monthly": [100, 102, 104, 106, 108, 110, 112, 114, 116, 118, 120, 122], "unit": "m3/s"},  # a cycle of rates
], ids=["cycle", "per-step", "rates"])
def test_two_shift_peaks_add_also_by_fractions_of_a_month(tmp_path, inflow):
    """A metamorphic review: the docs say two shift_peaks add, but a fraction of a month blends two neighbouring
    months, so two shifts of half a month applied in turn (two overlays) smoothed the cycle: its peak 155 against
    170 for one shift of a month, and +0.5 then -0.5 did not give the cycle back.  A shift_peak of an inflow that
    one moved just before now moves the series as it was before that one, by their sum; the ensemble's traces
    alike, and a factor between them (which a shift commutes with) too."""
    time = {"start": "2000-10", "end": "2002-09"}
    one = _applied(tmp_path, ["  - shift_peak: {nodes: [in], months: 1}\n"], time, inflow)
    half = "  - shift_peak: {nodes: [in], months: 0.5}\n"
    np.testing.assert_allclose(_applied(tmp_path, [half, half], time, inflow), one, rtol=1e-12)
    base = _applied(tmp_path, ["  - scale_inflows: {nodes: [in], factor: 1}\n"], time, inflow)
    back = _applied(tmp_path, [half, "  - shift_peak: {nodes: [in], months: -0.5}\n"], time, inflow)
    np.testing.assert_allclose(back, base, rtol=1e-12)
    # a factor between them, which a shift commutes with, in either order (a diff reread: blended twice)
    scale = "  - scale_inflows: {nodes: [in], factor: 2}\n"
    for scaled in ([half + scale, half], [half, half + scale]):
        np.testing.assert_allclose(_applied(tmp_path, scaled, time, inflow), 2 * one, rtol=1e-9)
    # a change of the inflow between them that is not a factor leaves each shift its own (it blends twice)
    months = "  - scale_inflows: {nodes: [in], factor: 1, months: [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}\n"
    assert not np.allclose(_applied(tmp_path, [half + months, half], time, inflow),
                           _applied(tmp_path, [months, half, half], time, inflow), rtol=1e-9)
    # the traces of an ensemble take the overlays' inflow changes as the model's series do
    traces = {"in": np.array([base, 2 * base])}  # (hm³ a month: a cycle of rates moves as volumes here)
    files = [tmp_path / "h1.yaml", tmp_path / "h2.yaml", tmp_path / "whole.yaml"]
    for f, months in zip(files, (0.5, 0.5, 1), strict=True):
        f.write_text(f"title: t\nchanges:\n  - shift_peak: {{nodes: [in], months: {months}}}\n")
    got = transform_inflows(traces, [str(f) for f in files[:2]], "2000-10-01", {})
    scaled = tmp_path / "scaled.yaml"
    scaled.write_text(f"title: t\nchanges:\n{half}{scale}")
    twice = transform_inflows(traces, [str(scaled), str(files[1])], "2000-10-01", {})
    np.testing.assert_allclose(twice["in"], 2 * got["in"], rtol=1e-12)
    whole = transform_inflows(traces, [str(files[2])], "2000-10-01", {})
    np.testing.assert_allclose(got["in"], whole["in"], rtol=1e-12)
    if "values" in inflow:  # (per-step volumes: the same as the document's)
        np.testing.assert_allclose(got["in"], np.array([one, 2 * one]), rtol=1e-12)


@pytest.mark.parametrize("step", [{"days": 1}, {"days": 10}, "dekad"])
def test_shift_peak_moves_a_cycle_of_monthly_volumes_by_whole_months_on_any_step(tmp_path, step):
    """A metamorphic review: 12 monthly volumes (hm3/month) on daily steps were turned into per-step values and
    moved by 30.44 days, so January took 104.2 hm³ where February's 100 was meant (+12 % in one month).  Such a
    cycle now moves as a cycle of months, as 12 monthly rates do: each month takes the next month's volume, over
    its own days, on every step."""
    monthly = [110, 100, 160, 400, 670, 800, 640, 310, 160, 100, 90, 80]  # January first
    time = {"start": "2001-10-01", "end": "2002-09-30", "step": step}
    flow = _applied(tmp_path, ["  - shift_peak: {nodes: [in], months: 1}\n"], time,
                    {"monthly": monthly, "unit": "hm3/month"})
    moved = _applied(tmp_path, ["  - scale_inflows: {nodes: [in], factor: 1}\n"], time,
                     {"monthly": [float(x) for x in np.roll(monthly, -1)], "unit": "hm3/month"})
    np.testing.assert_allclose(flow, moved, rtol=1e-9)  # (the overlay writes 12 significant digits)
