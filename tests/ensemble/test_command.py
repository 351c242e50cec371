"""The ``daryo ensemble`` command: output, progress, exit codes and messages, scenario overlays, resume."""

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from ensemble_cases import (
    GWH_A_HM3,
    EnergyTargetTraces,
    RuleCurveTraces,
    assert_identical,
    by_trace_interval,
    daryo_load,
    dry_years_model,
    energy_target_basin,
    load,
    rule_curve_basin,
    yaml_of_basin,
)

from daryo.cli import main
from daryo.ensemble import EnsembleOptions, run_ensemble
from daryo.sdg import stress_level


def test_cli_ensemble(tmp_path, capsys):
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "cli.nc"
    argv = ["ensemble", str(model), "--traces", "5", "--years", "2", "--seed", "1", "-o", str(out), "--chunk-size", "2"]
    assert main(argv) == 0
    cap = capsys.readouterr()
    assert "scenario-years/s" in cap.out and out.exists()
    # (an Aral ecologist's review: nothing said whether the traces were generated or the model's years resampled)
    assert "\ninflows: years resampled from the model's own inflows, log-normal perturbation 0.1\n" in cap.out
    lines = [ln for ln in cap.err.splitlines() if ln.startswith("progress ")]
    assert len(lines) >= 3 and re.fullmatch(r"progress traces=5/5 steps=120/120 rate=\d+/s elapsed=\d+s eta=\d+s",
                                            lines[-3])
    assert lines[-2] == f"progress writing={out}"  # every chunk done; the output takes a while at scale
    # (an ensemble user's review: a parser of the log's progress never saw the end, which only stdout said; nor, a
    # diff review, where --resume found the run finished)
    assert re.fullmatch(rf"progress done={re.escape(str(out))} elapsed=\d+s", lines[-1])
    assert main([*argv, "--resume"]) == 0
    said = capsys.readouterr().err.strip().splitlines()  # (then the message that there was nothing to resume)
    assert re.fullmatch(rf"progress done={re.escape(str(out))} elapsed=\d+s", said[-2])
    assert said[-1] == f"nothing to resume: {out} holds this run's results already"
    (tmp_path / "cli.nc.parts").mkdir()  # (no manifest: see test_resume_and_parts_folders_give_advice_that_works)
    assert main(argv) == 1
    assert "cli.nc.parts is the folder of an unfinished run but has no readable manifest of it; delete it to start " \
           "again" in capsys.readouterr().err
    assert main(["ensemble", "--traces", "0", "--years", "2", "-o", str(out)]) == 2


def test_cli_ensemble_method_plain_runs_the_plain_path(tmp_path, capsys):
    """daryo run had --method, daryo ensemble not (EnsembleOptions(fast=False) only in Python): --method plain
    runs every chunk by the plain path and says so, with the fast path's numbers (to solver noise); it is part of
    the run's identity, named when a resume differs in it."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    fast, plain = tmp_path / "f.nc", tmp_path / "p.nc"
    base = ["ensemble", str(model), "--traces", "5", "--years", "2", "--chunk-size", "2", "--quiet"]
    assert main([*base, "-o", str(fast)]) == 0
    assert "solver (the first of the 3 chunks computed): fast path" in capsys.readouterr().out
    assert main([*base, "-o", str(plain), "--method", "plain"]) == 0
    assert "solver (the first of the 3 chunks computed): plain path (fast path switched off)" in \
        capsys.readouterr().out
    with xr.open_dataset(fast) as f, xr.open_dataset(plain) as p:
        np.testing.assert_allclose(p["storage"], f["storage"], rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(p["deficit"], f["deficit"], rtol=1e-9, atol=1e-6)
    again = tmp_path / "a.nc"
    run_ensemble(daryo_load(model), EnsembleOptions(traces=5, years=2, chunk_size=2), again, stop_after=1)
    assert main([*base, "-o", str(again), "--method", "plain", "--resume"]) == 1
    assert "(the method (--method: plain or fast) differs)" in capsys.readouterr().err


def test_cli_ensemble_errors_and_exit_codes(tmp_path, capsys):
    """Usage errors exit 2 and name the option; a model or run that cannot be done exits 1."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = str(tmp_path / "e.nc")
    base = ["ensemble", str(model), "--traces", "5", "--years", "2", "-o", out, "--chunk-size", "2", "--quiet"]
    assert main(base + ["--seed", "-1"]) == 2
    assert "--seed -1" in capsys.readouterr().err
    for bad in ("-1", "5", "nan"):  # every probability came out 0 with nan
        assert main(base + ["--deficit-threshold", bad]) == 2
        assert f"--deficit-threshold: '{bad}': give a fraction" in capsys.readouterr().err
    with pytest.raises(ValueError, match="deficit threshold 1.5"):
        run_ensemble(daryo_load(None), EnsembleOptions(traces=1, years=1, deficit_threshold=1.5), tmp_path / "x.nc")
    # a malformed scheduler address: at once (Dask's client took a minute, then printed a traceback), and an empty
    # one is no address (it ran on a local cluster)
    for address, why in (("foo", "missing port number in 'foo'"), ("", "the address is empty"),
                         ("http://x:8787", "http:// is not a scheme Dask's schedulers listen on"),
                         ("tcp://x:99999", r"port 99999 is not a port number \(1 to 65535\)")):
        assert main(base + ["--scheduler", address]) == 2
        assert re.search(f"--scheduler {address!r}: {why}.*; give the address", capsys.readouterr().err)
        with pytest.raises(ValueError, match=f"scheduler {address!r}: {why}"):
            run_ensemble(daryo_load(None), EnsembleOptions(traces=1, years=1), tmp_path / "x.nc", scheduler=address)
    assert main(base + ["--scheduler", "inproc://10.0.0.1/1/2"]) == 2  # (it failed after a minute, with a traceback)
    assert "an inproc:// scheduler lives inside the Python process that started it" in capsys.readouterr().err
    assert not (tmp_path / "x.nc.parts").exists()
    assert main([*base[:6], "-o", str(tmp_path / "e.txt")]) == 2
    assert "must end in .zarr or .nc" in capsys.readouterr().err
    assert main([*base[:6], "-o", " "]) == 2  # a blank name, quoted (it showed as nothing)
    assert "daryo: error: ' ': the output must end in .zarr or .nc" in capsys.readouterr().err
    assert main([*base[:6], "-o", ""]) == 2  # (it was named '.', the name Python gives an empty path)
    assert "-o '': give a name such as results.zarr" in capsys.readouterr().err
    # a model with no inflow series to resample
    dry = tmp_path / "dry.yaml"
    dry.write_text(yaml_of_basin().replace("  - {id: up, type: inflow, inflow: [30, 25, 20, 20, 25, 40, 70, 90, 80, "
                                            "60, 45, 35]}\n", "").replace("[up, dam], ", ""))
    assert main(["ensemble", str(dry), *base[2:]]) == 1
    err = capsys.readouterr().err
    assert err.startswith("daryo: error:") and "no inflow node" in err and "Traceback" not in err
    # a model whose demand has traces of its own
    traced = tmp_path / "traced.yaml"
    traced.write_text(yaml_of_basin().replace("demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                               "demand: {values: [" + str([5] * 24) + ", " + str([6] * 24) + "]}"))
    assert main(["ensemble", str(traced), *base[2:]]) == 1
    assert "traces of its own" in capsys.readouterr().err
    # a model whose parameters follow scenarios of its own (a numpy error once)
    own = tmp_path / "own.yaml"
    own.write_text(yaml_of_basin().replace("nodes:", "scenarios:\n  - {name: wet, size: 2}\nnodes:", 1))
    assert main(["ensemble", str(own), *base[2:]]) == 1
    assert "scenarios of its own (wet: 2)" in capsys.readouterr().err
    # resuming another run's parts
    run_ensemble(daryo_load(model), EnsembleOptions(traces=5, years=2, seed=9, chunk_size=2), out, stop_after=1)
    assert main(base + ["--resume"]) == 1
    assert "cannot resume" in (err := capsys.readouterr().err) and "(seed differs: 9 there, 0 here)" in err, err
    # a run still writing the output: the output cannot be used now (exit 1), not a usage error (it was 2)
    import fcntl
    import os

    lock = os.open(tmp_path / "e.nc.parts" / "lock", os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        assert main(base + ["--resume"]) == 1
        assert "is writing" in capsys.readouterr().err
    finally:
        os.close(lock)
    assert main(base[:-1] + ["--workers", "-1"]) == 2
    assert "--workers must be 0 (in this process) or more" in capsys.readouterr().err
    # more local workers than cores: refused before anything starts (1,000 hung, deaf to Ctrl-C, starting them)
    from daryo.ensemble.executors import machine_cores

    assert main(base[:-1] + ["--workers", str(machine_cores() + 1)]) == 2
    assert f"give at most {machine_cores()}, or --scheduler" in capsys.readouterr().err


def test_cli_ensemble_workers_0_runs_in_this_process(tmp_path, capsys, monkeypatch):
    import daryo.ensemble.run as run_module

    def no_dask(*args, **kwargs):
        raise AssertionError("a Dask cluster was started")

    monkeypatch.setattr(run_module, "_dask", no_dask)
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "w0.nc"
    assert main(["ensemble", str(model), "--traces", "3", "--years", "2", "-o", str(out), "--workers", "0",
                 "--quiet"]) == 0
    assert out.exists()


def test_cli_ensemble_of_an_overlay_adding_a_quota_holds_it_in_every_trace(tmp_path, capsys):
    """A treaty analyst's review: a country's quota could be run as an ensemble only as a copy of the model's file,
    which the ensemble's generated hydrology does not drive.  An overlay adds it (add_parameters, add_constraints):
    Turkmenistan's three Amu intakes take 17.6 km3 a year, shaped by the season (a pattern of sum 1), in each trace
    (the canal's node flow is its intake; a demand's is 85 % of its intake, weighed 1/0.85).  The model, its
    parameters aligned to the run's steps, is still the file's: its results did not say it was changed in Python."""
    season = [0.030, 0.040, 0.065, 0.080, 0.110, 0.145, 0.165, 0.140, 0.075, 0.060, 0.050, 0.040]
    w = 1 / 0.85
    quota = tmp_path / "quota.yaml"
    quota.write_text(f"title: TKM quota\nchanges:\n  - add_parameters: {{season: {{type: monthlyprofile, values: "
                     f"{season}}}}}\n  - add_constraints: [{{id: tkm_quota, type: flow_sum, nodes: {{karakum_canal: 1, "
                     f"tkm_lebap_irr: {w!r}, tkm_dashoguz_irr: {w!r}}}, max_flow: {{parameter: season, unit: km3, "
                     "scale: 17.6}}]\n")
    out = tmp_path / "q.nc"
    assert main(["ensemble", "--traces", "2", "--years", "1", "--quiet", "--scenario", str(quota), "--series",
                 "edge_flow", "-o", str(out)]) == 0
    ds = load(out)
    taken = ds.edge_flow.sel(edge=["amu_kerki->karakum_canal", "amu_kerki->tkm_lebap_irr",
                                   "amu_lower->tkm_dashoguz_irr"]).sum("edge")
    assert taken.sizes == {"trace": 2, "time": 12}
    np.testing.assert_allclose(taken.sum("time").values, [17_600, 17_600], rtol=1e-6)
    np.testing.assert_allclose(taken.values, [[17_600 * season[m - 1] for m in ds.time.dt.month.values]] * 2,
                               rtol=1e-6)
    assert ds.attrs["scenarios"] == str(quota) and "model_changed_in_code" not in ds.attrs
    assert "changed in Python" not in ds.attrs["caveats"]


def test_cli_ensemble_applies_scenario_overlays(tmp_path, capsys):
    """``--scenario`` (repeatable) runs the ensemble of the model with the overlays, as the Python API does, and
    records them; an unknown one is an input error that writes nothing."""
    import daryo

    argv = ["ensemble", "--traces", "2", "--years", "1", "--seed", "3", "--quiet"]
    changed = tmp_path / "changed.nc"
    assert main([*argv, "--scenario", "climate-2050", "--scenario", "qosh-tepa-10", "-o", str(changed)]) == 0
    api = tmp_path / "api.nc"
    model = daryo.load(None, scenarios=["climate-2050", "qosh-tepa-10"])
    run_ensemble(model, EnsembleOptions(traces=2, years=1, seed=3), api)
    base = tmp_path / "base.nc"
    assert main([*argv, "-o", str(base)]) == 0
    assert_identical(load(changed), load(api))
    assert not np.array_equal(load(changed)["delivery"].values, load(base)["delivery"].values)
    assert load(changed).attrs["scenarios"] == "climate-2050, qosh-tepa-10" and load(base).attrs["scenarios"] == ""
    assert "note:" not in capsys.readouterr().out  # (no overlay of given years)
    # a drought acts on its years only, which P pools with the others: a note says how to read a year's own (a
    # review found a drought's 90 % in its second year read as 4 %)
    drought = tmp_path / "drought.nc"
    two = ["ensemble", "--traces", "2", "--years", "2", "--seed", "3", "--quiet"]
    assert main([*two, "--deficit-threshold", "0.25", "--scenario", "drought-2021", "-o", str(drought)]) == 0
    assert capsys.readouterr().out.endswith(
        "note: drought-2021 changes given run years only, and P pools every trace-year, those years with the others; "
        f"each run year's own P is (xarray.open_dataset({str(drought)!r}).annual_deficit_fraction > 0.25)"
        f".mean(\"trace\"), and run year Y's table daryo.ensemble.shortfall_table({str(drought)!r}, year=Y), Y "
        f"counted from 0 as the store's year (an overlay's run year 1 is Y = 0); every table of run year Y: daryo "
        f"summary {drought} --year Y\n")
    april = tmp_path / "april.nc"  # (an ensemble user's review: from April, run year 2 spans two store years)
    assert main([*two, "--start", "2026-04", "--scenario", "drought-2021", "-o", str(april)]) == 0
    assert ("Y counted from 0 as the store's year (the run starts in April, so an overlay's run year 1, to the first "
            "September, is in Y = 0 and its run year k > 1, October to September, spans Y = k - 2 and k - 1); every "
            "table") in capsys.readouterr().out
    # from April two years span three hydrological years, of which drought-2000-2001 changes two (a diff review:
    # the note was left out, the overlay taken to change both of the run's years)
    assert main([*two, "--start", "2026-04", "--scenario", "drought-2000-2001", "-o", str(tmp_path / "a2.nc")]) == 0
    assert "note: drought-2000-2001 changes given run years only" in capsys.readouterr().out
    assert main([*argv, "--scenario", "drought-2021", "-o", str(tmp_path / "one.nc")]) == 0  # (its one year is the
    assert "note:" not in capsys.readouterr().out  # run's one year: nothing pooled with it)
    from daryo.compare import compare_ensembles  # (nor diluted in a comparison; over two years it is)

    assert not [n for n in compare_ensembles(base, tmp_path / "one.nc").attrs["notes"] if "given run years" in n]
    assert [n for n in compare_ensembles(drought, drought).attrs["notes"] if "drought-2021 changes given run" in n]
    assert main([*argv, "--scenario", "nope", "-o", str(tmp_path / "nope.nc")]) == 1
    assert "scenario 'nope': unknown scenario" in capsys.readouterr().err
    assert not list(tmp_path.glob("nope.nc*"))


def test_cli_series_chooses_the_monthly_series_stored(tmp_path, capsys):
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    argv = ["ensemble", str(model), "--traces", "3", "--years", "1", "--quiet"]
    assert main([*argv, "--series", "none", "-o", str(tmp_path / "none.nc")]) == 0
    assert main([*argv, "--series", " storage, demanded ", "-o", str(tmp_path / "two.nc")]) == 0
    none, two = load(tmp_path / "none.nc"), load(tmp_path / "two.nc")
    assert not [v for v in none.data_vars if "time" in none[v].dims] and "annual_delivery" in none
    assert sorted(v for v in two.data_vars if "time" in two[v].dims) == ["demanded", "storage"]
    capsys.readouterr()
    for bad, said in (("storage,turbine", "'turbine' is not a series an ensemble stores (did you mean "
                                          "'turbine_flow'?)"), (",", "give the names of the series to store")):
        assert main([*argv, "--series", bad, "-o", str(tmp_path / "bad.nc")]) == 2
        assert said in capsys.readouterr().err
    assert not (tmp_path / "bad.nc").exists()


def test_cli_rate_counts_only_the_traces_computed_now(tmp_path, capsys):
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "e.nc"
    run_ensemble(daryo_load(model), EnsembleOptions(traces=5, years=2, seed=1, chunk_size=2), out, stop_after=2)
    argv = ["ensemble", str(model), "--traces", "5", "--years", "2", "--seed", "1", "-o", str(out),
            "--chunk-size", "2", "--quiet", "--resume"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "1 trace computed now" in text and "3 chunks, 2 resumed" in text, text


def test_cli_ensemble_summary_csv(tmp_path, capsys):
    """``--summary-csv`` writes the store's summaries as a long table (a row per indicator, element and
    statistic), also on a resume that finds the run finished; a target that is the output, a folder, or a file
    other than an earlier summary is refused before any work.  (A review found a finished run of a model with
    caveats, as the Aral model has, refused as "another run (caveats differs)".)"""
    import pandas as pd

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin() + "metadata: {caveats: [Illustrative numbers., Not calibrated.]}\n")
    out, csv = tmp_path / "s.nc", tmp_path / "s.csv"
    base = ["ensemble", str(model), "--traces", "5", "--years", "2", "-o", str(out), "--chunk-size", "2", "--quiet"]
    for target, code, message in (("", 2, "--summary-csv '': give a name such as summaries.csv"),
                                  (str(out), 2, "-o and --summary-csv are both"),
                                  (f"{out}.parts", 2, "is the name of the folder that keeps the run's finished "
                                                      "chunks"),
                                  (str(tmp_path), 2, f"--summary-csv {tmp_path} is a folder: give a file name"),
                                  (str(model), 1, "is not a CSV file of an ensemble's summaries; it is not replaced")):
        assert main(base + ["--summary-csv", target]) == code
        assert message in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "s.nc.parts").exists() and "version: 1" in model.read_text()
    assert main(base + ["--summary-csv", str(csv), "--resume"]) == 0  # nothing to resume: a fresh run
    said = capsys.readouterr()  # (a message, on stderr, as the README has them: a CLI review)
    assert f"no unfinished run of {out} to resume: starting it\n" in said.err and "no unfinished" not in said.out
    assert f"summaries written to {csv}" in said.out
    table, ds = pd.read_csv(csv), load(out)
    farm = table[(table.element == "farm") & (table.indicator == "annual_deficit_fraction")].set_index("statistic")
    summary = ds["summary_annual_deficit_fraction"].sel(demand="farm")
    assert list(farm.index) == ["mean", "p5", "p50", "p95", "mean_low", "mean_high", "share_above_0.3",
                                "share_above_0.3_low", "share_above_0.3_high"]
    np.testing.assert_allclose(farm.value[:4], summary.values, rtol=1e-12)
    assert farm.value["share_above_0.3"] == pytest.approx(float(ds["prob_deficit_above_threshold"].sel(demand="farm")))
    csv.unlink()
    assert main(base + ["--resume", "--summary-csv", str(csv)]) == 0  # finished: nothing to do but the CSV
    said = capsys.readouterr()  # (messages, on stderr: a CLI review)
    assert "no unfinished run" not in said.err and "nothing to resume" not in said.out
    assert f"nothing to resume: {out} holds this run's results already\n" in said.err
    assert pd.read_csv(csv).equals(table) and ds.attrs["caveats"] == "Illustrative numbers.\nNot calibrated."
    assert main(base + ["--summary-csv", str(csv), "--seed", "4"]) == 0  # (a review: replaced without a word)
    assert f"note: {csv} holds an ensemble's summaries; this run replaces them when it ends" in capsys.readouterr().err
    assert set(pd.read_csv(csv).seed) == {4}


def test_the_summary_csv_is_written_before_the_report_is_printed(tmp_path, capsys, monkeypatch):
    """A CLI review: ``daryo ensemble … --summary-csv s.csv | head -1`` (unbuffered) ended at the report's second
    line, exit 141, and s.csv, written after four lines, never was; ``daryo run`` saves before it prints.  With a
    standard output whose reader is gone at once, daryo ensemble (of a run, or a finished one found by --resume)
    and daryo summary write the CSV, then end quietly."""
    import sys

    import pandas as pd

    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out, csv = tmp_path / "s.nc", tmp_path / "s.csv"
    argv = ["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(out), "--quiet", "--summary-csv"]
    monkeypatch.setattr(sys, "stdout", Closed())
    assert main([*argv, str(csv)]) == 141
    assert main([*argv, str(tmp_path / "again.csv"), "--resume"]) == 141
    assert main(["summary", str(out), "--csv", str(tmp_path / "summary.csv")]) == 141
    monkeypatch.undo()
    assert capsys.readouterr().err == f"nothing to resume: {out} holds this run's results already\n"
    table = pd.read_csv(csv)
    assert len(table) and all(pd.read_csv(tmp_path / name).equals(table) for name in ("again.csv", "summary.csv"))


def test_cli_ensemble_summary_csv_that_cannot_be_written(tmp_path, capsys, monkeypatch):
    """A summary CSV that cannot be written (a full disk) is an error naming it, and says the results are whole."""
    import daryo.ensemble.summary

    def full(path, write):
        raise OSError(28, "No space left on device")

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out, csv = tmp_path / "f.nc", tmp_path / "f.csv"
    monkeypatch.setattr(daryo.ensemble.summary, "atomic_write", full)
    assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(out), "--quiet",
                 "--summary-csv", str(csv)]) == 1
    assert f"cannot write {csv}: No space left on device; the results are in {out}" in capsys.readouterr().err
    assert out.exists() and not csv.exists()


def test_cli_ensemble_interrupted_after_its_results_were_written_says_so(tmp_path, capsys, monkeypatch):
    """Ctrl-C while the finished run's report is printed: exit 130, and the message says the results are whole
    (it said only "interrupted", as if the run had been undone)."""
    import daryo.cli._process
    import daryo.cli.ensemble_report

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "i.nc"
    monkeypatch.setattr(daryo.cli.ensemble_report, "_print_shortfalls", interrupted)
    assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(out), "--quiet"]) == 130
    assert f"interrupted; the results had already been written to {out}" in capsys.readouterr().err
    assert out.exists() and not (tmp_path / "i.nc.parts").exists()

    def terminated(*args, **kwargs):  # (SIGTERM said only "terminated": an interruption fuzz)
        raise daryo.cli._process._Terminated

    monkeypatch.setattr(daryo.cli.ensemble_report, "_print_shortfalls", terminated)
    assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(out), "--quiet"]) == 143
    assert f"terminated; the results had already been written to {out}" in capsys.readouterr().err


def test_cli_ensemble_an_import_cut_short_by_ctrl_c_is_an_interruption(tmp_path, capsys, monkeypatch):
    """An ImportError caused by Ctrl-C inside the run (a lazy import of a compiled module cut short) was taken for
    a missing extra: "daryo: error: initialization failed", exit 2."""
    def cut_short(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise ImportError("initialization failed") from exc

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    monkeypatch.setattr("daryo.ensemble.run_ensemble", cut_short)
    assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(tmp_path / "c.nc")]) == 130
    assert capsys.readouterr().err.strip().endswith("interrupted")


def test_an_ensemble_records_an_overlay_file_by_its_full_path_as_a_run_does(tmp_path, monkeypatch):
    """A run recorded './dry.yaml' as its full path, an ensemble as 'dry.yaml' alone, which does not say where it
    is (a formats review)."""
    (tmp_path / "dry.yaml").write_text("changes: [{scale_demands: {countries: [UZB], factor: 0.9}}]\n")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "e.nc"
    assert main(["ensemble", "--traces", "1", "--years", "1", "--quiet", "--scenario", "./dry.yaml",
                 "--scenario", "icwc", "-o", str(out)]) == 0
    assert load(out).attrs["scenarios"] == f"{tmp_path.resolve() / 'dry.yaml'}, icwc"


def test_a_threshold_of_many_digits_is_named_whole(tmp_path, capsys):
    """The summaries' label and the store's description gave the threshold to 6 digits (``%g``): with every
    trace-year's deficit fraction 0.146590018291997, the CSV said "share_above_0.14659: 0", though all of them are
    above 0.14659 (an independent check of the summaries); 0.3 stays 0.3 and 30% (not 30.000000000000004%)."""
    import pandas as pd

    model = tmp_path / "basin.yaml"  # (a farm always short of water, for the table of short demands)
    model.write_text(yaml_of_basin().replace("demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]", "demand: 500"))
    for threshold, label, percent in (("0.146590018291997", "share_above_0.146590018291997",
                                       "above 14.6590018291997% "),
                                      ("0.3", "share_above_0.3", "above 30% of")):
        out, csv = tmp_path / f"{threshold}.nc", tmp_path / f"{threshold}.csv"
        assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(out), "--summary-csv",
                     str(csv), "--deficit-threshold", threshold]) == 0
        assert percent in capsys.readouterr().out
        assert label in set(pd.read_csv(csv).statistic)
        assert f"exceeds {threshold} of the demand" in load(out)["prob_deficit_above_threshold"].attrs["description"]


def test_resume_and_parts_folders_give_advice_that_works(tmp_path, capsys):
    """A finished run resumed without its --chunk-size was "the results of another run (chunk_size differs); run
    without --resume to replace them" (an unfinished one takes its parts' chunk size); a parts folder without a
    manifest (a run killed as it made it) said "pass --resume", which then said "delete it" (an interruption fuzz)."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "done.nc"
    base = ["ensemble", str(model), "--traces", "4", "--years", "1", "-o", str(out), "--quiet"]
    assert main([*base, "--chunk-size", "2"]) == 0
    capsys.readouterr()
    assert main([*base, "--resume"]) == 0
    assert f"nothing to resume: {out} holds this run's results already" in capsys.readouterr().err
    empty = tmp_path / "new.nc.parts"
    empty.mkdir()
    assert main([*base[:-3], "-o", str(tmp_path / "new.nc"), "--quiet"]) == 1
    assert f"{empty} is the folder of an unfinished run but has no readable manifest of it; delete it to start " \
           "again" in capsys.readouterr().err


def test_the_ensemble_prints_each_river_systems_water_stress_as_the_store_holds_it(tmp_path, capsys):
    """The distribution of the yearly water stress (SDG 6.4.2) over the trace-years, one row per river system,
    read from the store's summaries: its percentiles and the shares of the high and critical levels, which are
    the store's yearly ratios counted by hand."""
    from daryo.cli.ensemble_report import share_text, stress_level_text
    from daryo.ensemble import water_stress_table

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "cli.nc"
    assert main(["ensemble", str(model), "--traces", "6", "--years", "2", "--seed", "1", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = printed[printed.index("water stress by river system"):].splitlines()
    assert rows[3].split() == ["system", "long-term", "level", "p5", "median", "p95", "high", "critical"]
    table, ds = water_stress_table(out), load(out)
    stress = ds.annual_water_stress.values.reshape(-1, ds.sizes["system"])
    (name,) = table.index
    np.testing.assert_allclose(table.loc[name, ["p5", "p50", "p95"]].astype(float),
                               np.percentile(stress[:, 0], [5, 50, 95]))
    assert table.loc[name, "high"] == ((stress[:, 0] >= 75) & (stress[:, 0] <= 100)).mean()
    assert table.loc[name, "critical"] == (stress[:, 0] > 100).mean()
    # the long-term ratio: of the mean yearly terms, as SDG 6.4.2 takes renewable water (a long-term mean)
    w, r, e = (float(ds[v].mean()) for v in ("annual_withdrawal", "annual_renewable_water",
                                              "annual_environmental_flow"))
    np.testing.assert_allclose(table.loc[name, ["withdrawal", "renewable", "environmental", "long_term"]].astype(float),
                               [w, r, e, w / (r - e) * 100], rtol=1e-12)
    assert abs(table.loc[name, "long_term"] - table.loc[name, "mean"]) > 0.01  # (not the mean of the yearly ratios)
    row = table.loc[name]
    assert stress_level_text(*row[["long_term", "long_term_low", "long_term_high"]]) == stress_level(row["long_term"])
    cells = [f"{row['long_term']:.1f}", "%", stress_level(row["long_term"])]
    cells += [x for v in row[["p5", "p50", "p95"]] for x in (f"{v:.1f}", "%")]
    cells += [x for k in ("high", "critical") for x in share_text(row[k], row[f"{k}_low"], row[f"{k}_high"],
                                                                    12).split()]
    assert rows[4].startswith(f"  {name} ") and rows[4][len(name) + 2:].split() == cells
    assert 0 < stress.min() and (ds.annual_withdrawal > 0).all()


def test_the_river_systems_together_are_a_last_row_as_daryo_run_gives_them(tmp_path, capsys):
    """A user review: ``daryo run`` gives the Aral model's Syr, Amu and ``all``, an ensemble only the Syr and the
    Amu.  ``all`` is each trace-year's summed withdrawal over the summed renewable water less the summed
    environmental flows, counted here by hand from the store's yearly terms."""
    from daryo.ensemble import summary_table, water_stress_table

    out = tmp_path / "aral.nc"
    assert main(["ensemble", "--traces", "3", "--years", "2", "--seed", "2", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = printed[printed.index("water stress by river system"):].splitlines()[4:7]
    assert [r.split()[0] for r in rows] == ["syr", "amu", "all"]
    table, ds = water_stress_table(out), load(out)
    assert list(table.index) == ["syr", "amu", "all"]
    assert table.loc["all", "country"] == "AFG KAZ KGZ TJK TKM UZB"
    w, r, e = (ds[v].sum("system").values.ravel() for v in ("annual_withdrawal", "annual_renewable_water",
                                                             "annual_environmental_flow"))
    stress = w / (r - e) * 100
    assert 80 < stress.min() and stress.max() < 130
    np.testing.assert_allclose(table.loc["all", ["mean", "p5", "p50", "p95"]].astype(float),
                               [stress.mean(), *np.percentile(stress, [5, 50, 95])], rtol=1e-12)
    assert table.loc["all", "critical"] == (stress > 100).mean()
    assert table.loc["all", "high"] == ((stress >= 75) & (stress <= 100)).mean()
    np.testing.assert_allclose(table.loc["all", ["withdrawal", "renewable", "environmental", "long_term"]]
                               .astype(float), [w.mean(), r.mean(), e.mean(), w.mean() / (r.mean() - e.mean()) * 100],
                               rtol=1e-12)
    # one run year's traces alone (a review: a drought's year had only the pooled figures)
    year = water_stress_table(out, year=1)
    one = ds.isel(year=1)
    amu = (one["annual_water_stress"].sel(system="amu").values)
    np.testing.assert_allclose(year.loc["amu", ["mean", "p5", "p50", "p95"]].astype(float),
                               [amu.mean(), *np.percentile(amu, [5, 50, 95])], rtol=1e-12)
    w1, r1, e1 = (one[v].sel(system="amu").values.mean() for v in ("annual_withdrawal", "annual_renewable_water",
                                                                    "annual_environmental_flow"))
    assert year.loc["amu", "long_term"] == pytest.approx(w1 / (r1 - e1) * 100, rel=1e-12)
    sums = [one[v].sum("system").values for v in ("annual_withdrawal", "annual_renewable_water",
                                                   "annual_environmental_flow")]
    assert year.loc["all", "p50"] == pytest.approx(np.median(sums[0] / (sums[1] - sums[2]) * 100), rel=1e-12)
    with pytest.raises(ValueError, match=r"year 2: \S+ holds run years 0 to 1"):
        water_stress_table(out, year=2)
    # the summary CSV has them too (a review: the printed all row was in no file)
    rows = summary_table(out)
    rows = rows[(rows.indicator == "annual_water_stress") & (rows.element == "all")].set_index("statistic")
    assert rows.loc["p50", "units"] == "%" and rows.loc["share_critical", "units"] == "1"
    assert rows.loc["p50", "country"] == "AFG KAZ KGZ TJK TKM UZB"
    np.testing.assert_allclose(rows.loc[["mean", "p5", "p50", "p95", "long_term", "share_high", "share_critical"],
                                        "value"].astype(float),
                               table.loc["all", ["mean", "p5", "p50", "p95", "long_term", "high", "critical"]]
                               .astype(float), rtol=1e-12)


def test_the_long_term_stress_of_years_too_dry_for_the_flow_requirements_is_daryo_runs(tmp_path, capsys):
    """An SDG methodology review: the store kept each year's environmental flow at most that year's renewable water,
    so where dry years had less water than the flow requirements take, the long-term ratio's mean environmental
    flow was too low and the ratio too (270.9 % against ``daryo run``'s 707.8 % on the same three columns).  The
    ensemble of a model's columns gives ``daryo run``'s terms and ratio; each year's ratio is of its own water."""
    from daryo.ensemble import water_stress_table
    from daryo.sdg import water_stress

    dry_years_model(tmp_path, {"wet": 120.0, "mid": 70.0, "dry": 30.0})
    assert main(["run", str(tmp_path / "m.yaml"), "-o", str(tmp_path / "r.nc")]) == 0
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        ran = water_stress(ds.load())
    out = tmp_path / "e.nc"
    assert main(["ensemble", str(tmp_path / "m.yaml"), "--hydrology", "columns", "--quiet", "-o", str(out)]) == 0
    capsys.readouterr()
    (system,) = ran.index
    table = water_stress_table(out)
    w, r, e = 240.0, 12 * (120 + 70 + 30) / 3, 600.0  # hm³/yr: the dry column's 360 is below the 600 required
    np.testing.assert_allclose(ran.loc[system, ["withdrawal", "renewable", "environmental", "stress"]].astype(float),
                               [w, r, e, w / (r - e) * 100], rtol=1e-9)
    np.testing.assert_allclose(table.loc[system, ["withdrawal", "renewable", "environmental", "long_term"]]
                               .astype(float), [w, r, e, w / (r - e) * 100], rtol=1e-9)
    assert table.loc[system, "long_term_low"] >= 0  # (a ratio's interval, not below 0)
    yearly = load(out)["annual_water_stress"].sel(system=system).values  # traces wet, mid, dry: each of its own water
    np.testing.assert_allclose(yearly[:2], [[w / (1440 - e) * 100] * 2, [w / (840 - e) * 100] * 2], rtol=1e-9)
    assert np.isinf(yearly[2]).all()  # (none left after the flow requirements)


def test_a_report_of_one_run_year_gives_its_dates(tmp_path, capsys):
    """A weekly modeller's review: ``daryo summary ens.nc --year 1`` said "run year 1" and GWh/yr, but not that
    a run year of 7-day steps from 1 October 2001 is 7 October 2002 to 5 October 2003, 52 steps (364 days)."""
    weeks = pd.date_range("2001-10-01", periods=3 * 53, freq="7D")
    pd.DataFrame({"date": weeks.strftime("%Y-%m-%d"), "a": 7.0, "b": 14.0}).to_csv(tmp_path / "inflow.csv",
                                                                                 index=False)
    (tmp_path / "m.yaml").write_text("""version: 1
name: weekly
time: {start: 2001-10-01, end: 2004-09-30, step: {days: 7}}
nodes:
  - {id: up, type: inflow, inflow: {csv: inflow.csv, columns: "*", unit: hm3}}
  - {id: farm, type: demand, demand: 3, priority: 1}
  - {id: lake, type: sink}
edges: [[up, farm], [up, lake]]
""")
    out = tmp_path / "e.nc"
    assert main(["ensemble", str(tmp_path / "m.yaml"), "--hydrology", "columns", "--quiet", "-o", str(out)]) == 0
    capsys.readouterr()
    ds = load(out)
    assert ds["year_days"].values.tolist() == [371, 364, 364]  # (steps that start in each run year: 53, 52, 52)
    for year, line in ((0, "run year 0: 2001-10-01 to 2002-10-06 (371 days)"),
                       (1, "run year 1: 2002-10-07 to 2003-10-05 (364 days)")):
        assert main(["summary", str(out), "--year", str(year)]) == 0
        assert capsys.readouterr().out.splitlines()[1] == line
    assert main(["summary", str(out)]) == 0
    printed = capsys.readouterr().out
    assert not any(row.startswith("run year") for row in printed.splitlines())
    # an actuary's review: the first run years (a warm-up) could not be left out, --year took one year only; a range
    # of them, a Python slice, pools their trace-years alone (every year: the pooled report; one year: that year's)
    assert main(["summary", str(out), "--year", "1:"]) == 0
    later = capsys.readouterr().out.splitlines()
    assert later[1] == "run years 1 to 2: 2002-10-07 to 2004-10-03 (2 years)"
    assert any(row.endswith("in any trace-year of run years 1 to 2") or "trace-year of run years 1 to 2 (" in row
               for row in later)
    for every, same in ((["--year", "0:"], []), (["--year", "2:3"], ["--year", "2"]), (["--year=-1:"],
                                                                                   ["--year", "2"])):
        assert main(["summary", str(out), *every]) == 0
        shown = capsys.readouterr().out
        assert main(["summary", str(out), *same]) == 0
        assert shown == capsys.readouterr().out
    for bad, said in ((["--year", "3:"], f"--year 3: holds no run year: {out} holds run years 0 to 2"),
                      (["--year", "1:x"], "give a run year (0 for the first) or a range of them as a Python slice"),
                      (["--year", "1:", "--csv", str(tmp_path / "s.csv")], "leave out --year")):
        assert main(["summary", str(out), *bad]) == 2
        assert said in capsys.readouterr().err
    # a compat review: a store of parts' format 15 or below may count a week across 1 April or 1 October in the
    # season it starts in (daryo before 2026-12-07): its report says so where it gives winters (the plants' tables)
    from daryo.cli.ensemble_report import winter_words

    assert winter_words(out) == "October–March"
    older = tmp_path / "older.nc"
    ds.attrs["format"] = np.int32(15)
    ds.to_netcdf(older)
    assert winter_words(older) == (
        f"October–March; {older}, of parts' format 15 and 7-day steps, may count a step across 1 April or 1 October "
        "wholly in the season it starts in, as daryo did before 2026-12-07; run the ensemble again for each day in its "
        "own season")


def test_the_ensemble_says_how_the_flow_requirements_fared_as_the_store_holds_them(tmp_path, capsys):
    """A review (a new basin's modeller): an ensemble kept and said nothing of the environmental flows.  Per
    requirement, the mean water required and met a year, the share of trace-years short and the annual share not
    met, counted here by hand from the store's yearly values."""
    from daryo.cli.ensemble_report import _print_shortfalls, mean_text, percentile_text, share_text
    from daryo.ensemble import requirement_table, shortfall_table, summary_table

    out = tmp_path / "aral.nc"
    assert main(["ensemble", "--traces", "8", "--years", "3", "--seed", "1", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = printed[printed.index("flow requirements over the trace-years"):].splitlines()
    table, ds = requirement_table(out), load(out)
    assert list(table.index) == ["north_aral_eflow", "lower_amu_sanitary", "amu_delta_eflow"]
    assert table["at"].tolist() == ["north_aral", "amu_lower", "south_aral"]
    required, met = (ds[v].transpose("trace", "year", "requirement").values.reshape(24, 3)
                     for v in ("annual_required", "annual_requirement_met"))
    short = np.where(required > 0, (required - met) / required, 0.0)
    short = np.where(short < 1e-6, 0.0, short)
    np.testing.assert_allclose(table[["required", "met"]].values.T, [required.mean(axis=0), met.mean(axis=0)],
                               rtol=1e-12)
    np.testing.assert_allclose(table["short"], (short > 0).mean(axis=0))
    np.testing.assert_allclose(table["mean"], short.mean(axis=0), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(table["p95"], np.percentile(short, 95, axis=0), rtol=1e-9, atol=1e-15)
    assert table.loc["amu_delta_eflow", "short"] > 0  # (the delta's flow, of a low priority, is short in dry years)
    assert rows[1].split() == ["requirement", "at", "required", "met", "short", "mean", "p95"]
    row = table.loc["amu_delta_eflow"]
    assert rows[4].split() == ["amu_delta_eflow", "south_aral", f"{row['required']:.1f}", f"{row['met']:.1f}",
                               *share_text(row["short"], row["short_low"], row["short_high"], 24).split(),
                               *mean_text(row["mean"], row["mean_low"], row["mean_high"], percent=True).split(),
                               *percentile_text(row["p95"], row["mean_low"], row["mean_high"]).split()]
    # the caveats of the model last, as daryo run prints them (a review: a brief made of ensembles had none)
    caveats = ds.attrs["caveats"].splitlines()
    assert len(caveats) >= 3 and printed.splitlines()[-len(caveats) - 1:] == [
        "caveats of the model (its metadata.caveats):", *(f"  - {c}" for c in caveats)]
    assert main(["summary", str(out), "--year", "1"]) == 0
    assert capsys.readouterr().out.endswith("\n".join(f"  - {c}" for c in caveats) + "\n")
    demands = shortfall_table(out)  # (a review: only the first 10 demands were ever listed)
    _print_shortfalls(out, shown=4)
    assert f"({len(demands)}; the first 4 shown, --all: every one)" in capsys.readouterr().out
    assert main(["summary", str(out), "--all"]) == 0
    listed = capsys.readouterr().out.splitlines()
    head = next(i for i, line in enumerate(listed) if line.startswith("demands short in some trace-year"))
    assert [line.split()[0] for line in listed[head + 2:head + 2 + len(demands)]] == list(demands.index)
    year = requirement_table(out, year=1)  # (one run year's traces: daryo summary --year 1)
    one = [v.reshape(8, 3, 3)[:, 1] for v in (required, met, short)]
    np.testing.assert_allclose(year[["required", "met"]].values.T, [one[0].mean(axis=0), one[1].mean(axis=0)],
                               rtol=1e-12)
    np.testing.assert_allclose(year["short"], (one[2] > 0).mean(axis=0))
    np.testing.assert_allclose(year["p95"], np.percentile(one[2], 95, axis=0), rtol=1e-9, atol=1e-15)
    summary = summary_table(out)
    assert set(summary[summary.kind == "requirement"].indicator) == {
        "annual_required", "annual_requirement_met", "annual_requirement_shortfall_fraction"}
    share = summary[summary.statistic == "share_short"].set_index("element")["value"]
    np.testing.assert_allclose(share[table.index].values, table["short"].values)


def test_an_overlay_of_given_years_sees_the_ensembles_years_not_the_model_files(tmp_path, capsys):
    """A review: ``--years 32`` with a drought in year 32 was refused ("the run has 30 hydrological years", the
    embedded model file's span), and ``--years 2`` with one in year 31 said 30 years, not 2.  The drought halves
    the Amu Darya's headwaters in run year 31 (counted from 0) of every trace."""
    overlay = tmp_path / "late.yaml"
    overlay.write_text("title: late drought\nchanges:\n  - scale_inflows: {basin: amu, factor: 0.5, years: [32]}\n")
    base = ["ensemble", "--traces", "2", "--seed", "3", "--quiet"]
    assert main([*base, "--years", "32", "-o", str(tmp_path / "a.nc")]) == 0
    assert main([*base, "--years", "32", "--scenario", str(overlay), "-o", str(tmp_path / "b.nc")]) == 0
    a, b = load(tmp_path / "a.nc"), load(tmp_path / "b.nc")
    amu = daryo_load(None).metadata["basins"]["amu"]  # (the Amu Darya's headwaters of the embedded model)
    assert len(amu) > 3 and set(amu) < set(a.inflow.values)
    ratio = b.annual_inflow.sel(inflow=amu) / a.annual_inflow.sel(inflow=amu)
    np.testing.assert_allclose(ratio.isel(year=31), 0.5, rtol=1e-12)
    np.testing.assert_allclose(ratio.isel(year=slice(0, 31)), 1.0, rtol=1e-12)
    capsys.readouterr()
    assert main([*base, "--years", "2", "--scenario", str(overlay), "-o", str(tmp_path / "c.nc")]) == 1
    assert "years 32 are none of the run's years (the run has 2 hydrological years)" in capsys.readouterr().err


def test_an_ensemble_on_dask_workers_stopped_says_a_chunk_under_way_may_be_kept_too(tmp_path):
    """An ensemble user's review: after a double Ctrl-C of a run with --workers it said 6 finished chunks were kept,
    and 8 were: the workers write their chunks themselves, and two finished after it was said.  With workers it says
    so; a run in this process (whose chunks it writes itself) does not."""
    from daryo.cli.commands import _kept_chunks

    folder = tmp_path / "s.nc.parts"
    folder.mkdir()
    assert _kept_chunks(tmp_path / "s.nc", workers=True).startswith(
        "; no chunk had finished, so none is kept; a chunk a Dask worker was finishing may be kept too: the same "
        "command with --resume starts it again")
    (folder / "chunk-00001.npz").write_bytes(b"")  # (damaged: not a part, computed again)
    with zipfile.ZipFile(folder / "chunk-00000.npz", "w"):  # (a part, written whole)
        pass
    assert _kept_chunks(tmp_path / "s.nc", workers=True) == (
        f"; the 1 finished chunk is kept in {folder}; a chunk a Dask worker was finishing may be kept too: the same "
        "command with --resume computes only the rest")
    assert "Dask" not in _kept_chunks(tmp_path / "s.nc")


@pytest.mark.parametrize("signal", ["interrupted", "terminated"])
def test_an_ensemble_stopped_mid_run_says_which_chunks_are_kept_and_how_to_go_on(tmp_path, capsys, monkeypatch,
                                                                                  signal):
    """A review: Ctrl-C (or SIGTERM) during the run said only "interrupted"; the finished chunks are kept, and the
    same command with --resume computes the rest, which gives the results of an uninterrupted run."""
    import daryo.cli._process
    import daryo.ensemble.progress

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "s.nc"
    argv = ["ensemble", str(model), "--traces", "6", "--years", "2", "--chunk-size", "2", "-o", str(out)]
    update = daryo.ensemble.progress.ProgressReporter.update

    def stop_after_two(self, traces, chunk=None):
        update(self, traces, chunk)
        if self.done >= 4:
            raise KeyboardInterrupt if signal == "interrupted" else daryo.cli._process._Terminated

    monkeypatch.setattr(daryo.ensemble.progress.ProgressReporter, "update", stop_after_two)
    assert main(argv) == (130 if signal == "interrupted" else 143)
    err = capsys.readouterr().err
    assert f"{signal}; the 2 finished chunks are kept in {tmp_path / 's.nc.parts'}: the same command with --resume " \
           "computes only the rest" in err
    monkeypatch.undo()
    assert main([*argv, "--resume"]) == 0 and main([*argv[:-1], str(tmp_path / "whole.nc")]) == 0
    assert_identical(load(out), load(tmp_path / "whole.nc"))
    # stopped before any chunk is done (one chunk of every trace, the default for few): it says none is kept, and
    # how a run keeps more (an IT engineer's review: it said only 'terminated')
    def stop_at_once(self, traces, chunk=None):
        raise KeyboardInterrupt if signal == "interrupted" else daryo.cli._process._Terminated

    monkeypatch.setattr(daryo.ensemble.progress.ProgressReporter, "update", stop_at_once)
    assert main([*argv[:argv.index("--chunk-size")], "-o", str(tmp_path / "one.nc")]) == (
        130 if signal == "interrupted" else 143)
    assert capsys.readouterr().err.strip().endswith(
        f"{signal}; no chunk had finished, so none is kept: the same command with --resume starts it again (or delete "
        f"{tmp_path / 'one.nc.parts'}); a chunk is kept once it is done, and a smaller --chunk-size keeps more of a "
        "run cut short")
    monkeypatch.undo()  # (and so it does)
    assert main([*argv[:argv.index("--chunk-size")], "-o", str(tmp_path / "one.nc"), "--resume"]) == 0


ODD = """
version: 1
name: odd
allocation: cost
time: {start: 2001-10, end: 2003-09, step: month}
metadata: {basins: {upper: [up], dry: [dry]}}
nodes:
  - {id: up, type: inflow, inflow: [30, 25, 20, 20, 25, 40, 70, 90, 80, 60, 45, 35]}
  - {id: dam, type: reservoir, max_volume: 300, min_volume: 20, initial_volume: 150, cost: -1}
  - {id: farm, type: demand, demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5], cost: -20}
  - {id: sea, type: sink, cost: 1}
  - {id: dry, type: inflow, inflow: 0}
  - {id: sea2, type: sink, cost: 1}
edges: [[up, dam], [dam, farm], [dam, sea], [dry, sea2]]
"""


def test_the_ensembles_water_stress_block_shows_what_daryo_run_shows(tmp_path, capsys):
    """A review: the ensemble printed a row for a river system with neither water nor withdrawal (its stress NaN
    in every trace-year, whose summaries also warned "Mean of empty slice"), a block for a network that withdraws
    nothing, and its figures for inflows that supply what the allocation takes; ``daryo run`` prints none of
    these.  The store keeps every system, NaN where there is no stress, and says why a stress means nothing."""
    import warnings

    from daryo.ensemble import water_stress_table

    model = tmp_path / "odd.yaml"
    model.write_text(ODD)
    out = tmp_path / "odd.nc"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["ensemble", str(model), "--traces", "4", "--years", "2", "-o", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    rows = printed[printed.index("water stress by river system"):].splitlines()[4:]
    assert [r.split()[0] for r in rows] == ["upper"]
    table = water_stress_table(out)
    assert list(table.index) == ["upper", "dry", "all"]
    assert table.loc["dry", ["withdrawal", "renewable"]].tolist() == [0, 0]
    assert table.loc["all"].drop("country").tolist() == table.loc["upper"].drop("country").tolist()
    assert np.isnan(table.loc["dry", "p50"]) and table.loc["dry", ["no stress", "critical"]].tolist() == [0, 0]
    assert "caveat" not in table.attrs
    # nothing withdrawn: no block; an inflow the allocation draws: the note instead, and the store's caveat
    none = tmp_path / "none.yaml"
    none.write_text(ODD.replace(", [dam, farm]", "").replace("  - {id: farm", "  # - {id: farm"))
    assert main(["ensemble", str(none), "--traces", "2", "--years", "1", "-o", str(tmp_path / "n.nc"), "--quiet"]) == 0
    assert "water stress" not in capsys.readouterr().out
    drawn = tmp_path / "drawn.yaml"
    drawn.write_text(ODD.replace("{id: dry, type: inflow, inflow: 0}", "{id: dry, type: inflow, max_flow: 5}"))
    out = tmp_path / "d.nc"
    assert main(["ensemble", str(drawn), "--traces", "2", "--years", "1", "-o", str(out), "--quiet"]) == 0
    why = "inflow dry supplies what the allocation takes between min_flow and max_flow, not a given inflow, so the " \
          "renewable water is not known (dry's supply would count as far as it was drawn were its water to meet " \
          "that of an inflow with a series, as a return flow of what it feeds to the river; or give it a series, " \
          "its recharge)"
    assert f"water stress (SDG 6.4.2's ratio) not shown: {why}" in capsys.readouterr().out
    assert water_stress_table(out).attrs["caveat"] == why
    ds = load(out)
    for name in ("annual_water_stress", "annual_renewable_water", "summary_annual_water_stress",
                 "prob_water_stress_level"):
        assert ds[name].attrs["caveat"] == why, name
    assert "caveat" not in ds["annual_delivery"].attrs


def test_an_ensemble_that_replaces_an_earlier_ones_results_says_so_as_it_starts(tmp_path, capsys):
    """A review: a 200-trace store was replaced by a 5-trace run of the same output without a word; the run now
    names what it replaces as it starts (a resume, which continues the same run, does not)."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "x.nc"
    base = ["ensemble", str(model), "--years", "2", "--quiet", "-o", str(out)]
    assert main([*base, "--traces", "4", "--seed", "1"]) == 0
    assert "note:" not in capsys.readouterr().err
    assert main([*base, "--traces", "3", "--seed", "7"]) == 0
    assert (f"note: {out} holds the results of 4 traces × 2 years of cli-basin, seed 1; this run replaces them when "
            "it ends (give another -o to keep them)") in capsys.readouterr().err
    assert load(out).sizes["trace"] == 3
    assert main([*base, "--traces", "3", "--seed", "7", "--resume"]) == 0
    assert "note:" not in capsys.readouterr().err
    # one trace of one year, in the singular (a CLI review: "2 traces × 1 years")
    assert main(["ensemble", str(model), "--years", "1", "--quiet", "-o", str(out), "--traces", "1"]) == 0
    assert main([*base, "--traces", "2"]) == 0
    assert f"note: {out} holds the results of 1 trace × 1 year of cli-basin, seed 0; this run" in \
        capsys.readouterr().err


def test_an_overlay_of_given_years_on_a_model_whose_years_are_resampled_is_refused_for_what_it_is(tmp_path, capsys):
    """A review: with --years beyond the model file's span, such an overlay was refused for inflow values or CSV
    dates missing past the span, with a note that the series must cover it, which they did; an ensemble that
    resamples the model's own years refuses the overlay itself, whatever --years."""
    model = tmp_path / "basin.yaml"  # (its inflow one value per step of its two years, as a record is)
    monthly = "[30, 25, 20, 20, 25, 40, 70, 90, 80, 60, 45, 35]"
    model.write_text(yaml_of_basin().replace(f"inflow: {monthly}", "inflow: {values: " + str(
        [30, 25, 20, 20, 25, 40, 70, 90, 80, 60, 45, 35] * 2) + "}"))
    assert "values: [30, 25" in model.read_text()
    overlay = tmp_path / "dry.yaml"
    overlay.write_text("title: dry\nchanges:\n  - scale_inflows: {nodes: [up], factor: 0.5, years: [2]}\n")
    for years in ("2", "5"):
        argv = ["ensemble", str(model), "--traces", "2", "--years", years, "--scenario", str(overlay), "--quiet",
                "-o", str(tmp_path / f"y{years}.nc")]
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "changes given years of the run, but an ensemble of this model resamples whole years" in err, err
        assert "missing" not in err and "values but the run has" not in err


def test_daryo_summary_reads_a_store_and_prints_what_its_run_printed(tmp_path, capsys):
    """A review (an analyst reading a colleague's store on a read-only disk): the summary CSV and tables could be
    had only from daryo ensemble, which wants write access to the store and every flag of its run.  daryo summary
    reads the store alone: it prints the tables the run printed and writes the same CSV; --year and
    --deficit-threshold list the demands by one run year's or another threshold's figures (shortfall_table's)."""
    import hashlib

    import pandas as pd

    from daryo.ensemble import shortfall_table

    model = tmp_path / "basin.yaml"  # (the farm's demand doubled: short in most years)
    model.write_text(yaml_of_basin().replace("[5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                             "[10, 10, 20, 60, 110, 140, 150, 130, 80, 30, 10, 10]"))
    out, csv, again = tmp_path / "s.zarr", tmp_path / "s.csv", tmp_path / "again.csv"
    assert main(["ensemble", str(model), "--traces", "6", "--years", "2", "--seed", "3", "-o", str(out),
                 "--summary-csv", str(csv), "--quiet"]) == 0
    ran = capsys.readouterr().out.splitlines()

    def digest():
        return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())).hexdigest()

    before = digest()
    assert main(["summary", str(out), "--csv", str(again)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == f"ensemble: 6 traces × 2 years of cli-basin, seed 3 ({out})"
    assert said[1] == f"summaries written to {again}"
    assert said[2:] == ran[ran.index(f"summaries written to {csv}") + 1:]  # (the tables the run printed)
    assert pd.read_csv(again).equals(pd.read_csv(csv)) and digest() == before  # (the store only read)
    assert main(["summary", str(out), "--year", "1", "--deficit-threshold", "5%"]) == 0
    said = capsys.readouterr().out.splitlines()
    want = shortfall_table(out, threshold=0.05, year=1)
    assert said[1] == "run year 1: 2002-10-01 to 2003-09-30 (365 days)"  # (its dates: a weekly modeller's review)
    assert said[2].startswith(f"demands short in some trace in run year 1 ({len(want)}), by P, the share of traces "
                              "with a deficit above 5% of the demand")
    assert any(line.startswith("water stress by river system (SDG 6.4.2's ratio: withdrawal / (renewable − "
                               "environmental)) over the traces in run year 1:") for line in said)  # (a review: the
    # pooled tables were read as year 1's; now every table is year 1's)
    assert "reservoirs' lowest storage in each year over the traces in run year 1 (hm³; at dead storage: the share " \
           "of the traces in run year 1 it is drawn down to its min_volume, in brackets: the 95 % interval, by " \
           "trace):" in said
    first = said[4].split()
    # (6 of 6 traces: Korn and Graubard's interval of 6 trace-years, whose low end solves l⁶ = 0.025, not the rule of
    # three's 1 − 3/6: a technical editor's review)
    assert first[0] == want.index[0] and first[1:5] == ["6", "of", "6", "(54–100"]
    assert round(0.025 ** (1 / 6) * 100) == 54
    for argv, code, message in (
            ([str(tmp_path / "none.zarr")], 1, "none.zarr: no such file or folder (give the output of daryo "
                                               "ensemble -o, or of daryo run -o)"),
            ([str(model)], 1, "basin.yaml is not an ensemble's output"),
            ([str(out), "--year", "2"], 2, f"--year 2: {out} holds run years 0 to 1"),
            ([str(out), "--year", "-1"], 2, "--year -1: give a run year, 0 for the first"),
            ([str(out), "--deficit-threshold", "30"], 2, "--deficit-threshold: '30': give a fraction of the demand"),
            ([str(out), "--csv", str(model)], 1, "is not a CSV file of an ensemble's summaries; it is not replaced"),
            ([str(out), "--year", "1", "--csv", str(again)], 2, "--csv writes the store's own summaries, over all run "
                                                                "years: leave out --year")):  # (a review: they were
        # written all the same, as if of that year)
        assert main(["summary", *argv]) == code
        assert message in capsys.readouterr().err, argv
    assert "version: 1" in model.read_text()
    # another threshold's CSV (a data officer's review: refused, so a read-only store's CSV at 10% could not be had)
    other = tmp_path / "ten.csv"
    assert main(["summary", str(out), "--csv", str(other), "--deficit-threshold", "10%"]) == 0
    capsys.readouterr()
    run, ten = pd.read_csv(csv), pd.read_csv(other)
    shares = ten["statistic"].str.startswith("share_above_")
    assert set(ten.loc[shares, "statistic"]) == {"share_above_0.1", "share_above_0.1_low", "share_above_0.1_high"}
    p = ten[ten["statistic"] == "share_above_0.1"].set_index("element")["value"]
    want = shortfall_table(out, threshold=0.1)
    assert (p[want.index] == want["probability"]).all() and (p > 0).any()
    assert set(run.loc[run["statistic"].str.startswith("share_above_"), "statistic"]) == {
        "share_above_0.3", "share_above_0.3_low", "share_above_0.3_high"}
    kept = ~ten["statistic"].str.startswith("share_above_")  # (every other row as the run's)
    pd.testing.assert_frame_equal(ten[kept].reset_index(drop=True),
                                  run[~run["statistic"].str.startswith("share_above_")].reset_index(drop=True))
    assert digest() == before
    from daryo.ensemble import summary_table

    with pytest.raises(ValueError, match=r"threshold=1\.5: give a fraction of the demand, at least 0 and below 1"):
        summary_table(out, threshold=1.5)
    # a store of its summaries alone (no annual arrays): another threshold's or one year's figures cannot be had,
    # and it is said (a diff review: an internal error with --csv; "no demand is short" and NumPy's warnings without)
    bare = tmp_path / "bare.nc"
    with xr.open_zarr(out) as ds:
        ds[[v for v in ds.data_vars if not str(v).startswith("annual_")]].load().to_netcdf(bare)
    for call in (lambda: summary_table(bare, threshold=0.1), lambda: shortfall_table(bare, threshold=0.1),
                 lambda: shortfall_table(bare, year=1)):
        with pytest.raises(ValueError, match=r"bare.nc keeps no annual deficit fractions \(a store of its summaries "
                                             r"alone\)"):
            call()
    assert len(shortfall_table(bare))  # (its own figures)
    for argv in (["--csv", str(tmp_path / "b.csv"), "--deficit-threshold", "0.1"], ["--deficit-threshold", "0.1"]):
        assert main(["summary", str(bare), *argv]) == 1
        err = capsys.readouterr().err
        assert "bare.nc keeps no annual deficit fractions" in err and "internal error" not in err, err


def test_a_summary_csv_that_names_a_folder_is_refused_naming_the_option(tmp_path, capsys):
    """A CLI review: ``daryo summary --csv sums/`` (a trailing separator, as ``daryo run --csv DIR/`` has it) wrote
    a file named sums, where ``daryo run -o x/`` is refused; an existing folder was an error of its own words (exit
    1).  Both are usage errors naming the option, of daryo ensemble --summary-csv too, before any work."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "s.nc"
    run_ensemble(daryo_load(model), EnsembleOptions(traces=2, years=1), out)
    (tmp_path / "folder").mkdir()
    for target, said in ((f"{tmp_path}/sums/", f"--csv {tmp_path}/sums/: names a folder; give a CSV file name, such "
                                               "as summaries.csv"),
                         (str(tmp_path / "folder"), f"--csv {tmp_path / 'folder'} is a folder: give a file name, such "
                                                    f"as {tmp_path / 'folder' / 'summaries.csv'}")):
        assert main(["summary", str(out), "--csv", target]) == 2
        assert said in capsys.readouterr().err
        assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(tmp_path / "e.nc"),
                     "--summary-csv", target, "--quiet"]) == 2
        assert f"--summary-{said[2:]}" in capsys.readouterr().err
    assert not (tmp_path / "sums").exists() and not (tmp_path / "e.nc").exists()
    assert not any((tmp_path / "folder").iterdir())


def test_a_deficit_threshold_may_be_a_percentage(tmp_path, capsys):
    """A review: --deficit-threshold 30% was argparse's bare "invalid float value"; it is 0.3."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "p.nc"
    assert main(["ensemble", str(model), "--traces", "3", "--years", "2", "-o", str(out), "--quiet",
                 "--deficit-threshold", "25%"]) == 0
    capsys.readouterr()
    assert load(out)["prob_deficit_above_threshold"].attrs["threshold"] == 0.25
    assert main(["ensemble", str(model), "--traces", "3", "--years", "2", "-o", str(out), "--quiet",
                 "--deficit-threshold", "a lot"]) == 2
    assert "invalid fraction: 'a lot' (give a number such as 0.3, or 30%)" in capsys.readouterr().err


def test_daryo_summary_takes_every_store_daryo_ensemble_writes_and_only_reads_it(tmp_path, capsys):
    """A diff review: a .nc4 store was refused, a --csv inside a zarr store was written there, an empty folder got
    zarr's words, and a store that does not record its run gave a traceback."""
    import xarray as xr

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    nc4, zarr = tmp_path / "e.nc4", tmp_path / "e.zarr"
    for out in (nc4, zarr):
        assert main(["ensemble", str(model), "--traces", "2", "--years", "1", "-o", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["summary", str(nc4)]) == 0
    assert capsys.readouterr().out.startswith(f"ensemble: 2 traces × 1 year of cli-basin, seed 0 ({nc4})")
    (tmp_path / "empty.zarr").mkdir()
    bare = tmp_path / "bare.nc"
    with xr.open_dataset(nc4) as ds:
        old = ds.load()
    old.attrs = {k: v for k, v in old.attrs.items() if k not in ("seed", "traces", "years")}
    old.to_netcdf(bare)
    for argv, code, message in (
            ([str(zarr), "--csv", str(zarr / "x.csv")], 2, f"is inside the store {zarr}, which daryo summary only "
                                                           "reads"),
            ([str(tmp_path / "empty.zarr")], 1, "empty.zarr is not an ensemble's output: a folder that holds no "
                                                "zarr store"),
            ([str(bare)], 1, "does not record its run (its seed, traces and years): it was written by an earlier "
                             "daryo")):
        assert main(["summary", *argv]) == code
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert not (zarr / "x.csv").exists()


def test_an_ensemble_of_the_embedded_model_starts_in_a_given_month(tmp_path, capsys):
    """A review (a basin organisation planning the season from April): daryo run took --start, daryo ensemble did
    not; its traces are generated from the month given, the reservoirs' 1 October volumes are said to be so."""
    out = tmp_path / "april.nc"
    assert main(["ensemble", "--start", "2026-04", "--traces", "2", "--years", "1", "--quiet", "--scenario",
                 "climate-2050", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "The run starts in April 2026, not on 1 October" in said and "rogun 1.1 km3" in said  # (all in km3)
    # its overlays named (a README walkthrough: climate-2050, then with no caveats, was nowhere in the output)
    assert "ensemble: 2 traces × 1 year of aral-sea-basin + climate-2050 in " in said
    with xr.open_dataset(out) as ds:
        assert str(ds.time.values[0])[:7] == "2026-04" and ds.sizes["time"] == 12
    # a resume with another start is told so (a diff review: 'the model's data files or overlays differ')
    assert main(["ensemble", "--traces", "2", "--years", "1", "--quiet", "--resume", "--scenario", "climate-2050",
                 "-o", str(out)]) == 1
    assert "another run (the start differs: '2026-04' there, '2000-10' here)" in capsys.readouterr().err
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    assert main(["ensemble", str(model), "--start", "2026-04", "--traces", "2", "--years", "1", "-o",
                 str(tmp_path / "file.nc")]) == 2
    assert "--start 2026-04: applies to the embedded model only" in capsys.readouterr().err


def test_hydrology_stochastic_is_the_embedded_models_default_as_daryo_run_names_it(tmp_path, capsys):
    """A CLI review: ``daryo ensemble --hydrology stochastic`` was refused ("choose from 'columns'"), though the
    generator is the embedded model's default and ``daryo run --hydrology stochastic`` the documented way.  It runs
    the default's run (a resume of one finds it done); a model file whose years are resampled is refused it."""
    out = tmp_path / "gen.nc"
    base = ["ensemble", "--traces", "2", "--years", "1", "--seed", "3", "--quiet", "-o", str(out)]
    assert main(base) == 0
    capsys.readouterr()
    assert main([*base, "--hydrology", "stochastic", "--resume"]) == 0
    assert f"nothing to resume: {out} holds this run's results already" in capsys.readouterr().err
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    assert main(["ensemble", str(model), "--hydrology", "stochastic", *base[1:-1], str(tmp_path / "file.nc")]) == 2
    assert (f"--hydrology stochastic: the hydrology generator is the embedded model's (and a copy's of its file that "
            f"keeps its headwaters' inflows), not {model}'s: leave --hydrology out") in capsys.readouterr().err
    assert not (tmp_path / "file.nc").exists()
    assert main(["ensemble", "--help"]) == 0
    assert "stochastic (the default for the embedded model" in " ".join(capsys.readouterr().out.split())


def test_the_help_and_the_readme_say_that_a_model_file_needs_traces_and_years(tmp_path, capsys):
    """A journal's artifact evaluator: ``daryo ensemble MODEL`` needs ``--years``, but its ``--help`` read as if only
    the embedded model's run needed it ("the embedded model's run needs it"), and the README's section on ensembles
    of one's own models did not say it either.  Both now say when the two are needed, as the command does."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = str(tmp_path / "x.nc")
    assert main(["ensemble", str(model), "--traces", "2", "-o", out, "--quiet"]) == 2
    assert "--years is needed (only --hydrology columns takes the traces and years from the model" in \
        capsys.readouterr().err
    assert main(["ensemble", "--help"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "--traces N number of traces: needed, except with --hydrology columns (at most" in said
    assert ("--years Y years per trace from the model's start: needed, except with --hydrology columns and a model "
            "file (at most, and by default, the whole years of the file's time; the embedded model needs it with "
            "--hydrology columns too)") in said
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8").split())
    assert ("`daryo ensemble MODEL` takes a model of your own too, with `--traces` and `--years` as for the embedded "
            "model: both are needed") in readme


def test_the_report_gives_the_reservoirs_rule_curves_and_an_older_store_none(tmp_path, capsys):
    """A drought-risk analyst's review: the report said nothing of the reservoirs' rule curves.  ``daryo summary``
    gives the dam's (:func:`ensemble_cases.rule_curve_basin`: 8 of 12 trace-years with some step below its target,
    5 steps a year on average, a year's largest shortfall 95/6 hm³ on average, 30 at most), none for the pond
    without a rule curve; a store of an earlier daryo, which kept no rule curves, is reported without them."""
    out = tmp_path / "rc.nc"
    run_ensemble(rule_curve_basin(), EnsembleOptions(traces=6, years=2, chunk_size=4), out, source=RuleCurveTraces())
    capsys.readouterr()
    assert main(["summary", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("reservoirs' rule curves"))
    # (8 of 12 with an interval by trace: the traces of 5, 0 and 20 hm³ a month below it in their first, both and
    # their first years)
    low, high = by_trace_interval([[1, 0], [1, 1], [1, 0]] * 2, share=True)
    assert lines[at + 2].split() == ["dam", "8", "of", "12", f"({low * 100:.0f}–{high * 100:.0f}", "%)", "5.00", "12.0",
                                     "15.8", "30.0", "30.0"]
    assert not lines[at + 3].startswith("  pond")
    older = tmp_path / "older.nc"
    new = ("annual_steps_below_target", "annual_max_storage_shortfall", "summary_annual_steps_below_target",
           "summary_annual_max_storage_shortfall", "prob_below_target")
    with xr.open_dataset(out) as ds:
        ds.load().drop_vars(list(new)).to_netcdf(older)
    assert main(["summary", str(older)]) == 0
    said = capsys.readouterr().out
    assert "reservoirs' lowest storage" in said and "rule curves" not in said


def test_an_overlay_of_the_embedded_model_needs_to_cover_the_run_only(tmp_path, capsys):
    """A Tashkent ministry analyst's review: an overlay giving two years of the Naryn's own inflows ran with
    ``daryo run --years 2`` and with ``daryo ensemble --years 2 --start 2000-10``, but ``daryo ensemble --years 2``
    (the same start, by default) was refused for the 30 years of the embedded model's default span, with a note on
    resampling a model file's span, which the embedded model's generated traces do not do."""
    months = pd.date_range("2000-10-01", periods=24, freq="MS")
    (tmp_path / "naryn.csv").write_text("date,naryn_in\n" + "".join(f"{d:%Y-%m-%d},{300 + i}\n"
                                                                      for i, d in enumerate(months)))
    overlay = tmp_path / "own.yaml"
    overlay.write_text("changes:\n  - set:\n      naryn_in: {inflow: {csv: %s, column: naryn_in, unit: m3/s}}\n"
                       % (tmp_path / "naryn.csv"))
    runs = [tmp_path / "default.zarr", tmp_path / "given.zarr"]
    two = ["ensemble", "--traces", "2", "--years", "2", "--quiet", "--scenario", str(overlay)]
    assert main([*two, "-o", str(runs[0])]) == 0
    assert main([*two, "--start", "2000-10", "-o", str(runs[1])]) == 0
    capsys.readouterr()
    with xr.open_zarr(runs[0]) as a, xr.open_zarr(runs[1]) as b:
        assert a.drop_attrs().identical(b.drop_attrs())
    assert main([*two[:4], "3", *two[5:], "-o", str(tmp_path / "three.zarr")]) == 1  # (past its two years)
    err = capsys.readouterr().err
    assert "has no value for 2002-10-01" in err and "resamples" not in err


@pytest.mark.parametrize("start, words", [
    ("2001-10", "winter = October–March;"),
    ("2001-06", "winter = October–March;"),
    ("2001-01", "winter = the October–March months of each run year (its years start in January: January–March of "
                "one winter and October–December of the next);"),
    ("2001-11", "winter = the October–March months of each run year (its years start in November: November–March of "
                "one winter and October of the next);")])
def test_the_winter_of_a_run_year_from_another_start_is_said_to_be_of_two_winters(tmp_path, capsys, start, words):
    """A hydropower engineer's review: from a January start, the report's "winter = October–March" and its firm winter
    energy summed January–March of one winter and October–December of the next, unsaid."""
    out = tmp_path / "e.nc"
    assert main(["ensemble", "--traces", "2", "--years", "1", "--start", start, "-o", str(out)]) == 0
    assert f"hydropower over the trace-years (GWh/yr; {words} p5:" in capsys.readouterr().out


@pytest.mark.parametrize("stderr", ["broken", "closed"])
def test_an_ensemble_whose_log_cannot_be_written_runs_to_its_end(tmp_path, capsys, monkeypatch, stderr):
    """An automation review: an ensemble whose standard error's reader went away (``2> >(head -1)``, a log shipper
    restarted) was abandoned at its next progress line, exit 141, its chunks in a parts folder that then failed the
    next night's run; one started with standard error closed (``2>&-``) failed without a word.  Progress is a log:
    the run goes on without it, and a parts folder left in the way is an input error (1), not a usage error (2)."""
    import sys

    class Broken:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

        def isatty(self):
            return False

    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    out = tmp_path / "e.nc"
    monkeypatch.setattr(sys, "stderr", Broken() if stderr == "broken" else None)
    assert main(["ensemble", str(model), "--traces", "4", "--years", "1", "--chunk-size", "2", "-o", str(out)]) == 0
    monkeypatch.undo()
    assert out.exists() and not (tmp_path / "e.nc.parts").exists()
    assert "results and summaries written to" in capsys.readouterr().out
    (tmp_path / "again.nc.parts").mkdir()
    assert main(["ensemble", str(model), "--traces", "4", "--years", "1", "-o", str(tmp_path / "again.nc"),
                 "--quiet"]) == 1
    assert "again.nc.parts is the folder of an unfinished run" in capsys.readouterr().err


@pytest.mark.parametrize("first, words", [
    ("2000-10-01", "October–March"), ("2001-04-11", "October–March"),
    ("2000-10-21", "the October–March steps of each run year (its years start on 21 October: from then to March of "
                   "one winter, and from 1 October to 20 October of the next)"),
    ("2001-01-11", "the October–March steps of each run year (its years start on 11 January: from then to March of "
                   "one winter, and from 1 October to 10 January of the next)"),
    # (a run of N-day steps from 29 February: placed in 2001/02, the day was out of range: a reread of the change)
    ("2000-02-29", "the October–March steps of each run year (its years start on 29 February: from then to March of "
                   "one winter, and from 1 October to 28 February of the next)")])
def test_the_winter_of_run_years_of_dekads_from_another_day_is_said_to_be_of_two_winters(first, words):
    """A BWO planner's review: a dekad ensemble from 21 October was told "winter = October–March", where each run year
    holds 21 October to March of one winter and 1 to 20 October of the next."""
    from daryo.cli.ensemble_report import winter_words

    ds = xr.Dataset(coords={"year": [0, 1], "year_start": ("year", pd.to_datetime([first, first]))})
    assert winter_words(ds) == words


def test_the_report_gives_the_plants_energy_targets_and_an_older_store_none(tmp_path, capsys):
    """A hydropower engineer's review: the report gave each plant's energy and nothing of its target.  ``daryo
    summary`` gives the plant's (:func:`ensemble_cases.energy_target_basin`, in GWh: a target of 120 hm³'s worth a
    year, 29.43; a mean shortfall of 30.15 hm³'s worth, 7.39, 60's at the 95th percentile, 14.7; 8 of 16
    trace-years missed; a mean winter shortfall of 7.575 hm³'s worth, 1.86), none for the mill without a target; a
    store of an earlier daryo, which kept no energy targets, is reported without them."""
    out = tmp_path / "et.nc"
    run_ensemble(energy_target_basin(), EnsembleOptions(traces=8, years=2, chunk_size=3), out,
                 source=EnergyTargetTraces())
    capsys.readouterr()
    assert main(["summary", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("hydropower energy targets"))
    # (a Tajik utility planner's review: "missed" was said to be a year "below 99 % of the target", where a year is
    # missed whose months short of it sum to more than 1 % of it, months above it making up for none)
    assert ("shortfall: the target not generated, summed over the steps short of it (steps above it do not make up "
            "for them), mean and p95; missed: the share of the trace-years whose shortfall is above 1 % of the "
            "target") in lines[at] and "below 99 %" not in lines[at]
    # (and the winters missed, a quarter: only the trace of 5 hm³ a month is short by more than 1 % of the winter's
    # 60 hm³'s worth; the planner's review: the deal's question is the winter's)
    # (8 of 16 trace-years missed, by the traces of 5 hm³ a month and 20 in winter only, 2 of 8 traces: each trace
    # misses both its years or neither, so the interval is that of 8 traces; 4 of 16 winters)
    low, high = by_trace_interval([[1, 1], [1, 1], [0, 0], [0, 0]] * 2, share=True)
    winter = by_trace_interval([[1, 1], [0, 0], [0, 0], [0, 0]] * 2, share=True)
    assert lines[at + 2].split() == ["plant", f"{120 * GWH_A_HM3:.1f}", f"{30.15 * GWH_A_HM3:.1f}",
                                     f"{60 * GWH_A_HM3:.1f}", "8", "of", "16", f"({low * 100:.0f}–{high * 100:.0f}",
                                     "%)",
                                     f"{7.575 * GWH_A_HM3:.1f}", "4", "of", "16",
                                     f"({winter[0] * 100:.0f}–{winter[1] * 100:.0f}", "%)"]
    assert lines[at + 2].split()[1:4] == ["29.4", "7.4", "14.7"]
    assert not lines[at + 3].startswith("  mill")
    older = tmp_path / "older.nc"
    new = ("annual_energy_target", "annual_energy_shortfall", "annual_winter_energy_shortfall",
           "summary_annual_energy_target", "summary_annual_energy_shortfall",
           "summary_annual_winter_energy_shortfall", "prob_energy_target_missed", "annual_winter_energy_target",
           "summary_annual_winter_energy_target", "prob_winter_energy_target_missed")
    with xr.open_dataset(out) as ds:
        ds.load().drop_vars(list(new)).to_netcdf(older)
    assert main(["summary", str(older)]) == 0
    said = capsys.readouterr().out
    assert "hydropower over" in said and "energy targets" not in said
    with xr.open_dataset(out) as ds:  # (of the store's summaries: the same quarter of the winters)
        assert float(ds["prob_winter_energy_target_missed"].sel(hydropower="plant")) == pytest.approx(0.25)


def test_two_ensembles_compare_their_rule_curves_and_energy_targets(tmp_path):
    """What the stores keep of rule curves and energy targets is compared too (a helper's time box left it out):
    the dam of :func:`ensemble_cases.rule_curve_basin` below its rule curve in 8 of 12 trace-years, 5 steps a year;
    the plant of :func:`ensemble_cases.energy_target_basin` missing its target in half the trace-years; a store of
    an earlier daryo, with none of them, gives no such rows.  (The plant's model has no demand: its comparison
    failed on reshaping the demands' fractions, of size 0.)"""
    from daryo.compare import compare_ensembles

    rc, et = tmp_path / "rc.nc", tmp_path / "et.nc"
    run_ensemble(rule_curve_basin(), EnsembleOptions(traces=6, years=2, chunk_size=4), rc, source=RuleCurveTraces())
    run_ensemble(energy_target_basin(), EnsembleOptions(traces=8, years=2, chunk_size=3), et,
                 source=EnergyTargetTraces())
    rows = compare_ensembles(rc, rc).set_index(["table", "element", "quantity"])
    assert rows.loc[("reservoir", "dam", "below rule curve"), "first"] == pytest.approx(800 / 12)
    assert rows.loc[("reservoir", "dam", "steps below rule curve, mean"), "first"] == pytest.approx(5.0)
    assert ("reservoir", "pond", "below rule curve") not in rows.index
    rows = compare_ensembles(et, et).set_index(["table", "element", "quantity"])
    assert rows.loc[("plant", "plant", "target missed"), "first"] == pytest.approx(50.0)
    assert rows.loc[("plant", "plant", "target shortfall"), "first"] == pytest.approx(30.15 * GWH_A_HM3)
    assert rows.loc[("plant", "plant", "energy target"), "first"] == pytest.approx(120 * GWH_A_HM3)
    assert rows.loc[("plant", "plant", "winter target missed"), "first"] == pytest.approx(25.0)
    # the same plant without a target: its target rows are of one ensemble, and said to be so for that reason (a
    # Tajik utility planner's review: "a store of a daryo before 2026-12-06's")
    from dataclasses import replace

    model = energy_target_basin()
    bare = replace(model, nodes=tuple(replace(n, attrs={k: v for k, v in n.attrs.items() if k != "energy_target"})
                                      for n in model.nodes))
    none = tmp_path / "none.nc"
    run_ensemble(bare, EnsembleOptions(traces=8, years=2, chunk_size=3), none, source=EnergyTargetTraces())
    notes = compare_ensembles(et, none).attrs["notes"]
    said = ("'energy target'; 'target missed'; 'target shortfall'; 'winter target missed': of one ensemble only, for "
            "elements both have: the element has an energy target or a rule curve in one model only")
    assert any(n.startswith(said) for n in notes), notes
    older = tmp_path / "older.nc"
    with xr.open_dataset(rc) as ds:
        ds.load().drop_vars(["annual_steps_below_target", "annual_max_storage_shortfall",
                             "summary_annual_steps_below_target", "summary_annual_max_storage_shortfall",
                             "prob_below_target"]).to_netcdf(older)
    assert not [q for q in compare_ensembles(older, older)["quantity"] if "rule curve" in q]


def test_the_report_prints_shares_to_the_digits_their_interval_supports(tmp_path, capsys):
    """A statistician's review: shares were printed to 0.01 % with no sampling uncertainty ("at dead storage
    0.05%" was 3 of 6,000 trace-years, "missed 50.00%" 10 of 20 traces, a share below 1/20,000 read "0.00%" like
    never), and a long-term water stress within its interval of a level's bound was given a level as if sure.
    Shares are printed with their 95 % interval by trace, to two significant digits of its half-width, a count
    where it is of fewer than 10 trace-years; a level on the line is said to be."""
    from ensemble_cases import HAND, hand_store

    from daryo.cli.ensemble_report import mean_text, percentile_text, share_text, stress_level_text

    assert share_text(0.5408, 0.5232, 0.5584, 6000) == "54.1 % (52.3–55.8)"  # (Nurek's target missed)
    # a percentile of fractions (a demand's p95 deficit) to the digits of its row's mean, " %" as every share (a
    # review: "33.5 % (26.5–41.0)" beside "33.45%" of a deficit of 33.45 % in every trace-year; "2.16 % (1.35–3.28)"
    # beside "9.23%")
    assert (mean_text(0.3345, 0.265, 0.41, percent=True), percentile_text(0.3345, 0.265, 0.41)) == (
        "33.5 % (26.5–41.0)", "33.5 %")
    assert (percentile_text(0.0923, 0.0135, 0.0328), percentile_text(0.095, 0.015, 0.035)) == ("9.23 %", "9.5 %")
    assert percentile_text(0.1, float("nan"), float("nan")) == "10.0 %" and percentile_text(float("nan"), 0, 1) == "–"
    assert share_text(3 / 6000, 0.0, 0.0011, 6000) == "3 of 6,000 (0–0.11 %)"  # (Toktogul at dead storage)
    assert share_text(0.5, 0.2747, 0.7253, 20) == "50 % (27–73)"  # (10 of 20 traces in one run year)
    assert share_text(1 / 30000, 0.0, 0.0001) == "0.003 % (0–0.01)"  # (not "0.00%")
    assert share_text(0.9999, 0.9995, 1.0, 20000).startswith("99.99 % (")  # (not "100.00%")
    assert share_text(0.25, float("nan"), float("nan")) == "25.0 %" and share_text(float("nan"), 0, 1) == "–"
    # a bound is given the interval's digits, and 0 or 100 where it rounds to them (a paleo-hydrologist's review:
    # "1 of 900 (0.000000–2.2 %)", "55 % (0.0003–99.99998)")
    assert share_text(1 / 900, 2.8e-9, 0.022, 900) == "1 of 900 (0–2.2 %)"
    assert share_text(0.55, 3e-6, 0.9999998, 20) == "55 % (0–100)"
    assert stress_level_text(100.5, 98.6, 103.0) == "critical (interval 98.6–103.0 %: on the line)"
    assert stress_level_text(107.9, 107.5, 108.3) == "critical"
    # an interval over several levels' bounds names them (an SDG methodology review: it was "on the line")
    assert stress_level_text(89.0, 7.8, 170.1) == "high (interval 7.8–170.1 %: no stress to critical)"
    out = hand_store(tmp_path / "hand.nc")
    assert main(["summary", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()

    def row(start):
        return next(line for line in lines if line.startswith(start))

    # 4 traces × 2 years: the demand above 30 % in 3 of 8 trace-years, its mean deficit fraction 0.1875; the
    # reservoir at dead storage, the sink with none and the dam below its rule curve in 1 of 8, the plant's winter
    # missed in 2 of 8.  Each share's interval is Korn and Graubard's (a technical editor's review; it was ± t₃ SE,
    # cut to 0–100 %, 0–57, 0–52 and 0–71 %): the Clopper–Pearson interval of p(1−p)/SE² trace-years (at most 8 of
    # 0/1 values; the mean deficit fraction's not capped: a Chu-Talas modeller's review) times (t₇ / t₃)², of 45/11,
    # 10.6 (not capped at 8), 7 and 8 (9) trace-years
    assert [round(by_trace_interval(rows, share=True)[1], 2) for rows in (
        [[1, 1], [1, 0], [0, 0], [0, 0]], HAND["annual_deficit_fraction"], [[1, 0], [0, 0], [0, 0], [0, 0]],
        [[0, 0], [1, 0], [1, 0], [0, 0]])] == [0.96, 0.67, 0.73, 0.78]
    # (its p95, 0.5, to the digits of its mean, whose interval is 1–67 %: a review, "33.5 % (26.5–41.0)" beside
    # "33.45%" printed one number two ways)
    assert row("  demand0 ").split()[2:] == ["3", "of", "8", "(1–96", "%)", "19", "%", "(1–67)", "50", "%"]
    assert row("  reservoir0  KGZ        76.2").endswith("  1 of 8 (0.01–73 %)")
    assert row("  sink0 ").endswith("  1 of 8 (0.01–73 %)")
    plant = row("  hydropower0  KGZ          10.0").split()
    assert plant[-11:] == ["1", "of", "8", "(0.01–73", "%)", "1.2", "2", "of", "8", "(1–78", "%)"]
    # the long-term stress, 101.25 % with an interval of 91.2 to 111.3 %: critical, but on the line
    assert row("  system0 ").split()[:9] == ["system0", "101.2", "%", "critical", "(interval", "91.2–111.3", "%:",
                                            "on", "the"]
    assert not re.search(r"(?<![0-9])0\.00 ?%", "\n".join(lines))  # (no share of 0.00 %)


def test_an_ensembles_infeasible_step_names_the_trace_and_the_record_year_it_drew(tmp_path, capsys):
    """A numerical analyst's review: an ensemble's infeasible step said "at step 9 (2001-07-01), scenario 1", the run's
    date and the chunk's scenario, though it is a trace whose inflows of that year were drawn from a year of the
    model's own record.  A record of three years, dry (0.5 hm³) in July 2001 only, below a reach's min_flow of 5::

        river (record.csv) ─► r (min_flow 5) ─┬─► farm (3)
                                              └─► sea

    fails in a trace whose run year drew the record's year from 2000-10-01, and the message says so."""
    rows = ["date,flow"] + [f"{2000 + (9 + k) // 12}-{(9 + k) % 12 + 1:02d}-01,{0.5 if k == 9 else 20.0}"
                            for k in range(36)]
    (tmp_path / "record.csv").write_text("\n".join(rows) + "\n")
    model = tmp_path / "ensinf.yaml"
    model.write_text("version: 1\nname: ensinf\ntime: {start: 2000-10, end: 2003-09, step: month}\nnodes:\n"
                     "  - {id: river, type: inflow, inflow: {csv: record.csv, column: flow}}\n"
                     "  - {id: r, type: reach, min_flow: 5}\n  - {id: farm, type: demand, demand: 3, priority: 1}\n"
                     "  - {id: sea, type: sink}\nedges: [[river, r], [r, farm], [r, sea]]\n")
    assert main(["ensemble", str(model), "--traces", "30", "--years", "3", "-o", str(tmp_path / "e.nc"),
                 "--quiet"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"infeasible at step (9|21|33) \(200[123]-07-01\), trace \d+ of seed 0 \(its run year takes the "
                     r"model's own inflows of the year from 2000-10-01, × [0-9.]+\): the bounds", err), err
    assert "scenario" not in err


def test_an_ensemble_of_the_models_scenario_columns_runs_them_as_they_are_and_names_them(tmp_path, capsys):
    """A climate-services scientist's review: their model reads 10 bias-corrected runoff projections as scenario
    columns; ``daryo ensemble`` resampled random (column, year) pairs of all of them, perturbed (mixing SSPs), its
    advice pointed away from what they had done on purpose, and ``daryo summary`` and ``daryo compare`` said "seed
    0" of a store whose traces had no names.  ``--hydrology columns`` runs each column as it is (the farm's
    deliveries computed by hand), as many traces as columns and the model's years by default, the same in one chunk
    as in two, resumed too; the store, the run's report and the headers name the columns."""
    from ensemble_cases import COLUMN_DELIVERIES, columns_basin

    from daryo.ensemble import ModelColumns

    path = columns_basin(tmp_path)
    names = ["wet", "средний", "dry_ssp585"]
    described = "the model's own 3 scenario columns, unchanged: wet, средний, dry_ssp585"
    stores = {}
    for chunk in (2, 3):  # (two chunks, 2 + 1 traces, and one of 3, in this process)
        stores[chunk] = out = tmp_path / f"c{chunk}.nc"
        assert main(["ensemble", str(path), "--hydrology", "columns", "-o", str(out), "--chunk-size", str(chunk),
                     "--workers", "0", "--quiet"]) == 0
        said = capsys.readouterr().out.splitlines()
        assert said[0].startswith("ensemble: 3 traces × 2 years of columns-basin in ") and said[1] == \
            f"inflows: {described}"
        assert f"{-(-3 // chunk)} chunk" in said[0]
    two, one = load(stores[2]), load(stores[3])
    for ds in (two, one):
        assert ds["trace_name"].values.tolist() == names
        np.testing.assert_allclose(ds["annual_delivery"].sel(demand="farm").values,
                                   [COLUMN_DELIVERIES[n] for n in names], rtol=1e-9)
    for v in one.data_vars:  # (the same LP optima: equal to the solver's precision)
        np.testing.assert_allclose(two[v].values, one[v].values, rtol=1e-6, atol=1e-4, err_msg=v)
    # a run cut short after its first chunk resumes (its manifest is the command's)
    model = daryo_load(path)
    run_ensemble(model, EnsembleOptions(traces=3, years=2, chunk_size=1), tmp_path / "cut.nc",
                 source=ModelColumns.from_model(model), stop_after=1)
    assert main(["ensemble", str(path), "--hydrology", "columns", "-o", str(tmp_path / "cut.nc"), "--chunk-size",
                 "1", "--resume", "--quiet"]) == 0
    assert "3 chunks, 1 resumed" in capsys.readouterr().out
    assert load(tmp_path / "cut.nc")["trace_name"].values.tolist() == names
    # daryo summary's and daryo compare's headers name the columns, not a seed
    assert main(["summary", str(stores[2])]) == 0
    assert capsys.readouterr().out.splitlines()[0] == \
        f"ensemble: 3 traces × 2 years of columns-basin, {described} ({stores[2]})"
    resampled = tmp_path / "resampled.nc"
    assert main(["ensemble", str(path), "--traces", "3", "--years", "2", "-o", str(resampled), "--quiet"]) == 0
    assert ("inflows: years resampled from the model's own inflows, log-normal perturbation 0.1 (the inflows of up "
            "have 3 scenario columns, whose years resampling mixes: daryo ensemble --hydrology columns "
            "(daryo.ensemble.ModelColumns) runs them as they are, a trace each)") in capsys.readouterr().out
    assert main(["compare", str(resampled), str(stores[2])]) == 0
    said = capsys.readouterr().out
    assert f"  first:  columns-basin ({resampled}; 3 traces × 2 years, seed 0; deficit threshold 30%)" in said
    assert f"  second: columns-basin ({stores[2]}; 3 traces × 2 years, {described}; deficit threshold 30%)" in said
    # at most the model's columns and years; no seed; only --hydrology columns takes them from the model
    out = str(tmp_path / "x.nc")
    for argv, code, message in (
            (["--traces", "4"], 2, "--traces 4: the model has 3 scenario columns (wet, средний, dry_ssp585), a "
                                   "trace each: give at most 3, or leave --traces out for every column"),
            (["--years", "3"], 2, "--years 3: the model's time, 2001-10-01 to 2003-09-30, holds 2 whole years, "
                                  "which its scenario columns span: give at most 2, or leave --years out"),
            (["--seed", "1"], 2, "--seed 1: --hydrology columns runs the model's own scenario columns as they are, "
                                 "with no random draws"),
            (["--hydrology", "rows"], 2, "argument --hydrology: invalid choice: 'rows' (choose from 'stochastic', "
                                         "'columns')")):
        assert main(["ensemble", str(path), "--hydrology", "columns", *argv, "-o", out, "--quiet"]) == code
        assert message in capsys.readouterr().err, argv
    assert main(["ensemble", str(path), "--years", "2", "-o", out, "--quiet"]) == 2
    assert "--traces is needed (only --hydrology columns takes the traces and years from the model" in \
        capsys.readouterr().err
    # (the embedded model: one trace, unless an overlay gives it columns; its run is --years long)
    assert main(["ensemble", "--hydrology", "columns", "--years", "1", "-o", out, "--quiet"]) == 1
    assert "--hydrology columns: the embedded model's inflows are one trace" in capsys.readouterr().err
    assert not (tmp_path / "x.nc").exists()


def test_the_embedded_model_from_today_runs_its_overlays_forecast_members_as_python_does(tmp_path, capsys):
    """A seasonal forecaster's review (BWO Amu Darya): the embedded model from April 2027, with an overlay of
    today's volumes and one that sets an inflow to a CSV file's columns (a forecast member each), ran as an
    ensemble of those columns in Python, but ``daryo ensemble --hydrology columns --start 2027-04`` refused it,
    saying the embedded model had no scenario columns.  It runs them now, a trace each, as Python does (the Vakhsh's
    year is 12 times its member's monthly volume); where a refusal remains, it says what to do."""
    from ensemble_cases import FORECAST_MEMBERS, forecast_overlays

    from daryo.basins.aral import load_aral_model
    from daryo.ensemble import ModelColumns

    today, forecast = forecast_overlays(tmp_path)
    out = tmp_path / "e.nc"
    plan = ["--start", "2027-04", "--scenario", str(today), "--scenario", str(forecast)]
    assert main(["ensemble", "--hydrology", "columns", "--years", "1", *plan, "-o", str(out), "--quiet"]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith(f"ensemble: 3 traces × 1 year of aral-sea-basin + {today} + {forecast} in ")
    assert said[1] == ("inflows: the model's own 3 scenario columns, unchanged (of the inflows vakhsh_in; naryn_in, "
                       "kara_darya_in, fergana_lateral, chirchik_in, chirchik_lateral, arys_keles_in and 7 more one "
                       "series each, the same in every trace): m01, m02, m03")  # (a verifier's review)
    ds = load(out)
    assert ds["trace_name"].values.tolist() == list(FORECAST_MEMBERS)
    np.testing.assert_allclose(ds["annual_inflow"].sel(inflow="vakhsh_in").values[:, 0],
                               [12 * v for v in FORECAST_MEMBERS.values()], rtol=1e-9)
    model = load_aral_model(scenarios=[str(today), str(forecast)], start="2027-04", years=1)
    run_ensemble(model, EnsembleOptions(traces=3, years=1), tmp_path / "py.nc", source=ModelColumns.from_model(model))
    python = load(tmp_path / "py.nc")
    for v in ds.data_vars:
        np.testing.assert_allclose(ds[v].values, python[v].values, rtol=1e-9, atol=1e-6, err_msg=v)
    # the refusals left: true, and each says what to do
    x = str(tmp_path / "x.nc")
    assert main(["ensemble", "--hydrology", "columns", *plan, "-o", x, "--quiet"]) == 2
    assert "--years is needed with the embedded model's --hydrology columns: its run is --years long from --start" \
        in capsys.readouterr().err
    assert main(["ensemble", "--hydrology", "columns", "--years", "1", *plan[:4], "-o", x, "--quiet"]) == 1
    assert ("--hydrology columns: the embedded model's inflows are one trace (no --scenario overlay gives an inflow "
            "several scenario columns): give an overlay that sets inflows to a CSV file's columns") in \
        capsys.readouterr().err
    assert main(["ensemble", "--hydrology", "columns", "--years", "2", *plan, "-o", x, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "vakhsh_in.csv' has no value for 2028-04-01" in err and err.rstrip().endswith(
        "note: daryo ensemble --hydrology columns runs the embedded model from --start 2027-04 for --years 2, and "
        "takes the columns of its overlays' series over every month of that: give the --start and --years they "
        "cover, or extend them.")
    assert not (tmp_path / "x.nc").exists()


def test_forecast_members_of_an_overlay_say_how_to_run_them_as_the_traces(tmp_path, capsys):
    """A seasonal forecaster's review (BWO Amu Darya): an ensemble of the embedded model whose overlay gives an
    inflow a forecast's members as columns, without --hydrology columns, said only "ensembles vary the inflows only;
    vakhsh_in.inflow has 3 traces of its own", no word of how to run them: it says so now."""
    from ensemble_cases import forecast_overlays

    today, forecast = forecast_overlays(tmp_path)
    assert main(["ensemble", "--traces", "3", "--years", "1", "--start", "2027-04", "--scenario", str(today),
                 "--scenario", str(forecast), "-o", str(tmp_path / "e.nc"), "--quiet"]) == 1
    assert ("daryo: error: ensembles vary the inflows only; vakhsh_in.inflow has 3 traces of its own, which this "
            "ensemble's trace source does not replace: run the model's own scenario columns as the traces, a trace "
            "each, with daryo ensemble --hydrology columns (daryo.ensemble.ModelColumns in Python), or give "
            "vakhsh_in an inflow of one trace") in capsys.readouterr().err


def test_an_ensemble_of_columns_notes_the_months_after_its_last_whole_year(tmp_path, capsys):
    """A seasonal forecaster's review (BWO Amu Darya): a model file of 18 months of forecast columns ran 12 with
    ``--hydrology columns``, its report saying "1 year", with no word of the 6 months left out.  An ensemble runs
    whole years (its indicators are annual): a note names the months left out and how to run them; a file of whole
    years, or a shorter --years asked for, has none."""
    from ensemble_cases import COLUMN_DELIVERIES, columns_basin

    path = columns_basin(tmp_path, start="2027-04", months=18)
    out = tmp_path / "e.nc"
    for years in ([], ["--years", "1"]):
        assert main(["ensemble", str(path), "--hydrology", "columns", *years, "-o", str(out), "--quiet"]) == 0
        cap = capsys.readouterr()
        assert cap.out.startswith("ensemble: 3 traces × 1 year of columns-basin in ")
        assert (f"note: an ensemble runs whole years: the model's time, 2027-04-01 to 2028-09-30, holds 1 whole "
                f"year, so this run ends on 2028-03-31 and leaves out its last 6 months, 2028-04 to 2028-09; `daryo "
                f"run {path}` runs every step of its columns, as scenarios, or extend its time and series to "
                "2029-03-31 for an ensemble of 2 years") in cap.err.splitlines()
    ds = load(out)
    assert ds.sizes["time"] == 12  # (the farm's first year: the columns' first twelve months)
    np.testing.assert_allclose(ds["annual_delivery"].sel(demand="farm").values[:, 0],
                               [COLUMN_DELIVERIES[n][0] for n in ds["trace_name"].values], rtol=1e-9)
    assert main(["run", str(path), "-o", str(tmp_path / "r.nc")]) == 0  # (as the note says: all 18 months)
    capsys.readouterr()
    assert load(tmp_path / "r.nc").sizes["time"] == 18
    whole = tmp_path / "whole"
    whole.mkdir()
    two = columns_basin(whole, start="2027-04", months=24)
    for years in ([], ["--years", "1"]):
        assert main(["ensemble", str(two), "--hydrology", "columns", *years, "-o", str(whole / "e.nc"), "--quiet"]) \
            == 0
        assert "note: an ensemble runs whole years" not in capsys.readouterr().err


def test_the_note_on_months_after_the_last_whole_year_of_2261_offers_no_year_past_it(capsys):
    """Columns from October 1678 to December 2261 hold 583 whole years: the note on the 3 months after them
    computed the 584th year's end, 2262-09-30, past pandas' nanosecond timestamps ("Cannot cast 2262-10-01 … to
    unit='ns'"); and no model can be extended to it, so the note does not offer it."""
    from daryo.cli.commands import _say_steps_left_out
    from daryo.testmodels import build

    steps = 583 * 12 + 3
    model = build([{"id": "up", "type": "inflow", "inflow": {"values": [[1.0] * steps, [2.0] * steps]}},
                   {"id": "sea", "type": "sink"}], [["up", "sea"]], steps=steps, start="1678-10")
    _say_steps_left_out(model, 583, "paleo.yaml", [])
    assert capsys.readouterr().err == (
        "note: an ensemble runs whole years: the model's time, 1678-10-01 to 2261-12-31, holds 583 whole years, so "
        "this run ends on 2261-09-30 and leaves out its last 3 months, 2261-10 to 2261-12; `daryo run paleo.yaml` "
        "runs every step of its columns, as scenarios\n")
