"""An ensemble's output opened and checked (daryo.ensemble.output): a store copied in part or damaged is named as
such, not read as missing values."""

import re

import numpy as np
import pytest
from ensemble_cases import dry_years_model, load, run

from daryo.cli import main
from daryo.ensemble.parts import _FORMAT


def test_a_zarr_store_missing_chunk_files_is_refused_as_incomplete(tmp_path, capsys):
    """A QA review: a store copied in part (a variable's chunk files missing) was read with NaN where they were,
    which the statistics left out: "no demand is short in any trace".  It is refused, naming what it lacks; a store
    without its consolidated metadata is read all the same, without zarr's warning."""
    import shutil
    import warnings

    from daryo.ensemble import shortfall_table

    _, out = run(tmp_path, "t.zarr")
    whole = shortfall_table(out, threshold=0.1)
    copy = tmp_path / "copy.zarr"
    shutil.copytree(out, copy)
    (copy / ".zmetadata").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert shortfall_table(copy, threshold=0.1).equals(whole)
    stress = sorted((copy / "annual_water_stress").glob("[0-9]*"))[-1]  # (a diff review: it was not checked)
    data = stress.read_bytes()
    stress.unlink()
    with pytest.raises(ValueError, match=re.escape(f"{copy} is incomplete: annual_water_stress (only 2 of its 3 "
                                                   "chunk files are there) lacks data (a copy or download cut "
                                                   "short?)")):
        shortfall_table(copy, threshold=0.1)
    stress.write_bytes(data)
    for chunk in (copy / "annual_deficit_fraction").glob("[0-9]*"):
        chunk.unlink()
    with pytest.raises(ValueError, match=re.escape(f"{copy} is incomplete: annual_deficit_fraction (only 0 of its 3 "
                                                   "chunk files are there) lacks data")):
        shortfall_table(copy, threshold=0.1)
    assert main(["summary", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "is incomplete: annual_deficit_fraction" in err and "Traceback" not in err
    # a chunk file cut short (a diff review: blosc's RuntimeError as a traceback)
    shutil.rmtree(copy)
    shutil.copytree(out, copy)
    first = sorted((copy / "annual_deficit_fraction").glob("[0-9]*"))[0]
    first.write_bytes(first.read_bytes()[:10])
    assert main(["summary", str(copy), "--year", "0"]) == 1
    err = capsys.readouterr().err
    assert f"{copy} is damaged: annual_deficit_fraction (chunk 0.0.0) cannot be read (" in err
    # compared with an intact store, opened after it: the damaged one is named (a diff review: the other was)
    for pair in ([copy, out], [out, copy]):
        assert main(["compare", *map(str, pair), "--year", "0"]) == 1
        err = capsys.readouterr().err
        assert f"{copy} is damaged: annual_deficit_fraction (chunk 0.0.0)" in err and str(out) + " is" not in err


def test_stores_with_no_stress_in_a_chunk_are_whole_and_damage_of_other_kinds_is_told(tmp_path, capsys):
    """A third diff review: a store whose water stress is NaN throughout (an environmental flow above all the
    water, nothing withdrawn), whose chunks zarr does not write, was refused as incomplete at the end of its own
    run; a withdrawal of solver noise where no water is left read as critical stress; a damaged NetCDF store, a
    zarr store of format 3 missing a chunk and a chunk of another array's size were a traceback or silent (a
    damaged NetCDF store's variable is named as a zarr store's chunk is: tried by hand)."""
    import shutil
    import warnings

    from daryo.sdg import stress_ratio

    model = tmp_path / "ns.yaml"
    model.write_text("version: 1\nname: ns\ntime: {start: 2001-10, end: 2003-09}\nnodes:\n"
                     "  - {id: river, type: inflow, inflow: 10}\n  - {id: sea, type: sink}\n"
                     "  - {id: efr, type: flow_requirement, at: sea, flow: 20}\nedges: [[river, sea]]\n")
    out = tmp_path / "ns.zarr"
    assert main(["ensemble", str(model), "--traces", "4", "--years", "2", "--quiet", "-o", str(out)]) == 0
    assert not list((out / "annual_water_stress").glob("[0-9]*")) and main(["summary", str(out)]) == 0
    assert np.isnan(stress_ratio(np.array([1.2e-8, 0.0]), np.zeros(2), np.zeros(2))).all()
    assert np.isinf(stress_ratio(np.array([1e-3]), np.zeros(1), np.zeros(1))).all()
    capsys.readouterr()
    _, whole = run(tmp_path, "t.zarr")
    v3 = tmp_path / "v3.zarr"  # (zarr's format 3, as a user may write the store again)
    again = load(whole)
    for variable in again.variables.values():
        variable.encoding = {}
    with warnings.catch_warnings():  # (zarr's own, on text arrays in its format 3)
        warnings.simplefilter("ignore")
        again.to_zarr(v3, zarr_format=3, consolidated=False)
    chunk = next(f for f in (v3 / "annual_deficit_fraction" / "c").rglob("*") if f.is_file())
    chunk.unlink()
    assert main(["summary", str(v3), "--year", "0"]) == 1
    assert "is incomplete: annual_deficit_fraction (only" in capsys.readouterr().err
    wrong = tmp_path / "wrong.zarr"  # (a chunk of another array copied over one)
    shutil.copytree(whole, wrong)
    small = sorted((wrong / "summary_annual_withdrawal").glob("[0-9]*"))[0]
    shutil.copyfile(small, sorted((wrong / "annual_deficit_fraction").glob("[0-9]*"))[0])
    assert main(["summary", str(wrong), "--year", "0"]) == 1
    err = capsys.readouterr().err
    assert f"{wrong} is damaged: annual_deficit_fraction (chunk 0.0.0) cannot be read" in err and "Traceback" not in err


def test_the_output_of_an_unfinished_run_is_said_to_be_unfinished(tmp_path, capsys):
    """A trainer's review: ``daryo summary X.zarr`` (and ``daryo compare``) of an interrupted run, whose output does
    not exist but whose ``X.zarr.parts`` does, said "no such file or folder (give the output of daryo ensemble -o)":
    the run is said to be unfinished, with its finished chunks, and how to finish it."""
    from daryo.ensemble import open_output

    _, done = run(tmp_path, "done.zarr")
    _, out = run(tmp_path, "cut.zarr", stop_after=2)
    said = (f"{out} is not written yet: its ensemble run is unfinished (2 finished chunks in {out}.parts); finish it "
            "with the same daryo ensemble command and --resume (resume=True in Python)")
    with pytest.raises(FileNotFoundError, match=f"^{re.escape(said)}$"), open_output(out):
        pass
    assert main(["summary", str(out)]) == 1
    assert capsys.readouterr().err == f"daryo: error: {said}\n"
    for pair in ([str(done), str(out)], [str(out), str(out)]):  # (one ensemble's output, or neither, found)
        assert main(["compare", *pair]) == 1
        assert capsys.readouterr().err == f"daryo: error: {said}\n"
    # a compat review: an unfinished run of an earlier daryo was to be finished "with --resume", which then refused
    # its parts (of format 2)
    manifest = out.parent / "cut.zarr.parts" / "manifest.json"
    manifest.write_text(re.sub(r'"format": \d+', '"format": 2', manifest.read_text()))
    assert main(["summary", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"daryo: error: {out} is not written yet: its ensemble run is unfinished (2 finished chunks in {out}.parts), "
        f"and its parts are of format 2, written by another version of daryo, which this one (format {_FORMAT}) "
        "cannot resume: delete that folder and run the ensemble again\n")
    assert main(["summary", str(tmp_path / "none.zarr")]) == 1  # (no run at all: as it was)
    assert "none.zarr: no such file or folder (give the output of daryo ensemble -o, or of daryo run -o)" in (
        capsys.readouterr().err)


def test_a_zarr_store_without_consolidated_metadata_is_read_without_changes_of_the_warning_filters(tmp_path,
                                                                                                    quiet_library):
    """A library user's review: a store was opened under ``warnings.catch_warnings`` (zarr's advice on a store
    without consolidated metadata), which changes the warning filters that a process's threads share; daryo tells
    xarray whether the store has them instead, and reads it the same."""
    import shutil

    from daryo.ensemble import shortfall_table

    _, out = run(tmp_path, "t.zarr")
    whole = shortfall_table(out, threshold=0.1)
    copy = tmp_path / "copy.zarr"
    shutil.copytree(out, copy)
    (copy / ".zmetadata").unlink()
    assert shortfall_table(copy, threshold=0.1).equals(whole)
    assert quiet_library == []


def test_a_zarr_store_open_in_this_process_is_not_replaced_by_another_run(tmp_path):
    """A web-app integrator's review: a request read a store (``open_output``, several tables) while another request
    ran an ensemble to the same output, which daryo replaced (two renames): the reader's next tables came from the
    new store under the old one's attributes (or "cannot reshape array"), since xarray reads a zarr store's chunks
    by their paths.  A run (or a threshold taken again) now refuses to replace a store open in this process, its
    chunks kept to finish it once the store is closed, and the reader reads the first store throughout."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    import threading

    from daryo.ensemble import open_output, shortfall_table, storage_table

    _, out = run(tmp_path, "s.zarr", options={"seed": 1})
    first = (shortfall_table(out, threshold=0.1), storage_table(out))
    failed: list[BaseException] = []

    def other_request(**options):  # (the other request, run to its end while the store is open)
        try:
            run(tmp_path, "s.zarr", **options)
        except Exception as exc:  # noqa: BLE001  (told below)
            failed.append(exc)

    with open_output(out) as ds:
        assert shortfall_table(ds, threshold=0.1).equals(first[0])
        for options in ({"options": {"seed": 1, "deficit_threshold": 0.05}, "resume": True}, {"options": {"seed": 2}}):
            writer = threading.Thread(target=other_request, kwargs=options)
            writer.start()
            writer.join()
        assert storage_table(ds).equals(first[1]) and ds.attrs["seed"] == 1
    said = (f"cannot replace {out} (it is open in this process (daryo.ensemble.open_output, or an ensemble table "
            "reading it), whose reads would come from the new store under the old one's attributes: close it first)")
    assert [str(e) for e in failed] == [f"{said}; it is left as it was", f"{said}; the finished chunks are kept in "
                                        f"{out}.parts: run again with --resume (resume=True in Python) once it can be "
                                        "replaced"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zarr", "s.zarr.parts"]  # (no temporary store left)
    run(tmp_path, "s.zarr", options={"seed": 2}, resume=True)  # (closed: replaced)
    assert load(out).attrs["seed"] == 2


def test_a_zarr_store_replaced_by_another_process_while_open_is_told_not_read(tmp_path):
    """The same review: a store replaced by another process (which this one cannot stop) while it is open here is
    told by each table given it and as ``open_output``'s block ends (a value read in the block itself may be the
    new store's), not read as the new store's figures under the old one's attributes, nor as "cannot reshape
    array ..." where the new store has another number of traces."""
    pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    from daryo.ensemble import StoreReplacedError, open_output, shortfall_table, storage_table

    _, out = run(tmp_path, "s.zarr", options={"seed": 1})
    _, same_size = run(tmp_path, "same.zarr", options={"seed": 2})
    _, larger = run(tmp_path, "larger.zarr", options={"seed": 2, "traces": 11, "chunk_size": 4})
    said = f"^{re.escape(str(out))} was replaced by another run \\(or removed\\) since it was opened: "
    for k, new in enumerate((same_size, larger)):
        with pytest.raises(StoreReplacedError, match=said + "what was read from it may mix the two runs' "
                                                            "figures; open it again$"):
            with open_output(out) as ds:
                shortfall_table(ds)
                out.rename(tmp_path / f"aside{k}.zarr")  # (as another process's run replaces it: two renames)
                new.rename(out)
                with pytest.raises(StoreReplacedError, match=said):
                    storage_table(ds)
                ds["annual_deficit_fraction"].values  # noqa: B018  (a read of the block's own: told as it ends)
        out.rename(new)
        (tmp_path / f"aside{k}.zarr").rename(out)
    with open_output(out) as ds:  # (a store left alone: read as it was)
        assert ds.attrs["seed"] == 1 and storage_table(ds).equals(storage_table(out))


def _older(path, out, drop=(), format_=2, capped=False):
    """A copy at ``out`` of the store ``path`` as an earlier daryo wrote it: without the variables ``drop``, of
    parts' format ``format_``, and, where ``capped``, each year's environmental flow at most its renewable water."""
    import xarray as xr

    ds = load(path).drop_vars(list(drop))
    if capped:
        ds["annual_environmental_flow"] = np.minimum(ds["annual_environmental_flow"], ds["annual_renewable_water"])
    ds.attrs["format"] = np.int32(format_)
    if out.suffix == ".zarr":
        ds.to_zarr(out, mode="w", zarr_format=2, consolidated=True)
    else:
        ds.to_netcdf(out)
    assert isinstance(ds, xr.Dataset)
    return out


#: what a store of 2026-12-03 (parts' format 2) did not keep that today's tables read
_NOT_KEPT_ON_3_DECEMBER = ("annual_winter_energy", "summary_annual_winter_energy", "annual_water_stress",
                           "summary_annual_water_stress", "prob_water_stress_level", "annual_required",
                           "annual_requirement_met", "annual_requirement_shortfall_fraction",
                           "summary_annual_requirement_shortfall_fraction", "summary_annual_required",
                           "summary_annual_requirement_met")


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_a_store_of_an_earlier_daryo_is_told_so_by_every_table_that_lacks_something(tmp_path, capsys, suffix):
    """A compat review: ``daryo summary`` of a store of 2026-12-03 printed the demands, then "internal error:
    KeyError: No variable named 'annual_winter_energy'", and ``daryo compare``, ``energy_table`` and
    ``compare_ensembles`` raised the same KeyError.  Whatever a table reads that the store lacks is an
    EarlierStoreError naming the file, the variable and the store's format; the report leaves such tables out with
    a note and gives the others."""
    from daryo.compare import compare_ensembles
    from daryo.ensemble import EarlierStoreError, energy_table, requirement_table
    from daryo.ensemble.parts import _FORMAT

    _, new = run(tmp_path, "new" + suffix)
    old = _older(new, tmp_path / ("old" + suffix), [v for v in _NOT_KEPT_ON_3_DECEMBER if v in load(new)])
    told = re.escape(f"{old} holds no annual_winter_energy: it was written by an earlier daryo (parts' format 2; "
                     f"this one writes {_FORMAT}), which did not keep it; run the ensemble again")
    with pytest.raises(EarlierStoreError, match=told):
        energy_table(old)
    with pytest.raises(EarlierStoreError, match=told):
        compare_ensembles(new, old)
    with pytest.raises(EarlierStoreError, match=re.escape(f"{old} holds no flow requirements")):
        requirement_table(old)
    capsys.readouterr()
    for extra in ([], ["--year", "0"], ["--deficit-threshold", "0.1"]):
        assert main(["summary", str(old), *extra]) == 0
        out, err = capsys.readouterr()
        assert "internal error" not in err and err == ""
        assert "reservoirs' lowest storage" in out and "water reaching the sinks" in out  # (the tables it can give)
        assert f"(a table not shown: {old} holds no annual_winter_energy" in out
        assert f"(a table not shown: {old} holds no water stress" in out
    assert main(["summary", str(old), "--csv", str(tmp_path / "s.csv")]) == 0
    assert (tmp_path / "s.csv").is_file()
    assert main(["compare", str(old), str(new)]) == 1
    assert f"daryo: error: {old} holds no annual_winter_energy" in capsys.readouterr().err


def test_a_store_of_environmental_flows_capped_at_each_year_s_water_gives_no_long_term_stress(tmp_path, capsys):
    """A compat review: stores written before parts' format 16 hold each year's environmental flow at most that
    year's renewable water; read as if stored as required, the dry-years model's long-term water stress was 66.7 %
    "medium" against 85.7 % "high".  Such a store (format 15, a year's flow equal to its water) is told so; one of
    format 15 whose flows exceed a year's water (written since, uncapped) and today's are read; the report leaves
    the water stress out with a note."""

    from daryo.ensemble import EarlierStoreError, water_stress_table

    dry_years_model(tmp_path, {"wet": 120.0, "dry": 30.0})
    new = tmp_path / "e.nc"
    assert main(["ensemble", str(tmp_path / "m.yaml"), "--hydrology", "columns", "--quiet", "-o", str(new)]) == 0
    today = water_stress_table(new)  # renewable (1440 + 360) / 2, environmental 600: 240 / 300
    np.testing.assert_allclose(today["long_term"].iloc[0], 240 / (900 - 600) * 100, rtol=1e-9)
    uncapped = water_stress_table(_older(new, tmp_path / "15.nc", format_=15))
    np.testing.assert_allclose(uncapped["long_term"], today["long_term"], rtol=1e-12)
    capped = _older(new, tmp_path / "capped.nc", format_=15, capped=True)
    with pytest.raises(EarlierStoreError, match=re.escape(
            f"{capped} gives no long-term water stress: it was written by an earlier daryo (parts' format 15; this "
            "one writes 16), which stored each year's environmental flow at most that year's renewable water")):
        water_stress_table(capped)
    capsys.readouterr()
    assert main(["summary", str(capped)]) == 0
    out = capsys.readouterr().out
    assert f"(a table not shown: {capped} gives no long-term water stress" in out and "run the ensemble again" in out
    assert "water stress by river system" not in out
