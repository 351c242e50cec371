"""The parts folder: resuming an interrupted run, damaged and half-written parts, write errors."""

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from ensemble_cases import assert_identical, basin, daryo_load, load, run, yaml_of_basin

from daryo.cli import main
from daryo.ensemble import EnsembleOptions, run_ensemble
from daryo.ensemble.parts import _FORMAT, _Parts


def test_a_resume_after_the_record_of_inflows_changed_is_refused(tmp_path):
    """A year of the model's own inflows that the first trace does not draw changed between the interruption and
    the resume: the resume mixed chunks of the old record with chunks of the new (the run's identity covered the
    first trace only); now the record is part of it."""
    from ensemble_cases import YEARS, basin_network

    from daryo.ensemble import ResampledTraces
    from daryo.testmodels import build

    src, years, _ = ResampledTraces.from_model(basin())._draws(5, 0, YEARS, 2, 4)
    trace, year = next((t, y) for t in range(4) for y in range(2) if (t, y) not in set(zip(src, years, strict=True)))
    nodes, edges = basin_network()
    up = [list(row) for row in nodes[0]["inflow"]["values"]]
    up[trace][12 * year + 5] *= 2  # (a March of a source year the first trace does not draw)
    changed = build([{**nodes[0], "inflow": {"values": up}}, *nodes[1:]], edges, steps=24, start="2001-10")
    run(tmp_path, "cut.nc", stop_after=1)
    with pytest.raises(ValueError, match=r"another run \(the model's record of inflows differs\)"):
        run(tmp_path, "cut.nc", resume=True, model=changed)


def test_a_refused_resume_tells_a_changed_model_file_from_a_changed_data_file(tmp_path):
    """Both were "the model or its data files differ"."""
    model = tmp_path / "basin.yaml"
    text = yaml_of_basin().replace("demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5],", "demand: {csv: farm.csv},")
    (tmp_path / "farm.csv").write_text("date,value\n" + "".join(f"{d:%Y-%m-%d},8\n" for d in
                                                              pd.date_range("2001-10-01", periods=36, freq="MS")))
    assert text != yaml_of_basin()
    model.write_text(text)
    run(tmp_path, "cut.nc", model=daryo_load(model), stop_after=1)
    model.write_text(text.replace("demand: {csv: farm.csv},", "demand: {csv: farm.csv, scale: 1.5},"))
    with pytest.raises(ValueError, match=r"another run \(the model file's text differs\)"):
        run(tmp_path, "cut.nc", model=daryo_load(model), resume=True)
    model.write_text(text)
    (tmp_path / "farm.csv").write_text((tmp_path / "farm.csv").read_text().replace(",8\n", ",9\n", 1))
    with pytest.raises(ValueError, match=r"another run \(the model's data files or overlays differ\)"):
        run(tmp_path, "cut.nc", model=daryo_load(model), resume=True)


def test_resume_after_an_interrupted_run(tmp_path):
    _, whole = run(tmp_path, "whole.nc")
    r, out = run(tmp_path, "cut.nc", stop_after=1)
    assert not out.exists() and (tmp_path / "cut.nc.parts").is_dir()
    with pytest.raises(FileExistsError):
        run(tmp_path, "cut.nc")
    # the seed changes the first trace, and with it the network's digest, which is named only where nothing else
    # explains it (the message named the network as if the user had changed the model)
    with pytest.raises(ValueError, match=r"another run \(seed differs: 5 there, 6 here\)"):
        run(tmp_path, "cut.nc", resume=True, options={"seed": 6})
    with pytest.raises(ValueError, match=r"another run \(the model or its data files differ\)"):
        run(tmp_path, "cut.nc", resume=True, model=basin("priority"))
    with pytest.raises(ValueError, match="in chunks of 3 traces, not 4; pass --chunk-size 3"):
        run(tmp_path, "cut.nc", resume=True, options={"chunk_size": 4})
    # the chunk size and something else: the chunk size alone would not resume it
    with pytest.raises(ValueError, match=r"another run \(seed, chunk_size differ: seed: 5 there, 6 here\)") as err:
        run(tmp_path, "cut.nc", resume=True, options={"chunk_size": 4, "seed": 6})
    assert "--chunk-size" not in str(err.value)
    manifest = tmp_path / "cut.nc.parts" / "manifest.json"
    kept = manifest.read_bytes()
    manifest.write_text(kept.decode().replace(f'"format": {_FORMAT}', '"format": 2'))  # parts of an earlier daryo
    with pytest.raises(ValueError, match="holds parts of format 2, written by another version of daryo; this one "
                                         f"writes format {_FORMAT}: delete it"):
        run(tmp_path, "cut.nc", resume=True)
    # parts of format 15: their environmental flows capped at each year's water, their N-day winters counted by the
    # step's start (a compat review: a resume mixed them with today's, long-term stress 66.7 % against 85.7 %)
    manifest.write_text(kept.decode().replace(f'"format": {_FORMAT}', '"format": 15'))
    with pytest.raises(ValueError, match="holds parts of format 15, written by another version of daryo"):
        run(tmp_path, "cut.nc", resume=True)
    for broken in (b"{not json", b"[1, 2]"):
        manifest.write_bytes(broken)
        with pytest.raises(ValueError, match="has no readable manifest"):
            run(tmp_path, "cut.nc", resume=True)
    manifest.write_bytes(kept)
    r, out = run(tmp_path, "cut.nc", resume=True)
    assert r.chunks_skipped == 1 and not (tmp_path / "cut.nc.parts").exists()
    assert r.traces_computed == 4  # 7 traces in chunks of 3: the first chunk was done
    assert_identical(load(out), load(whole))


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_a_resume_may_take_another_deficit_threshold(tmp_path, suffix):
    """A user review: a resume with another deficit threshold was refused as "another run", though the threshold
    changes only the summaries, so another threshold's summaries needed the whole run again.  An unfinished run
    resumed with it, and a finished one (its probabilities taken again in place), hold what a run with that
    threshold writes; only the history says how."""
    if suffix == ".zarr":
        pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    dry = tmp_path / "dry.yaml"  # (the farm wants twice as much: short in some trace-years)
    dry.write_text(yaml_of_basin().replace("[5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                            "[10, 10, 20, 60, 110, 140, 150, 130, 80, 30, 10, 10]"))
    model = daryo_load(dry)
    low = {"deficit_threshold": 0.05}
    _, other = run(tmp_path, f"other{suffix}", options=low, model=model)
    run(tmp_path, f"cut{suffix}", stop_after=1, model=model)
    _, cut = run(tmp_path, f"cut{suffix}", resume=True, options=low, model=model)
    _, done = run(tmp_path, f"done{suffix}", model=model)
    before = load(done)
    r, _ = run(tmp_path, f"done{suffix}", resume=True, options=low, model=model)
    assert r.finished and r.threshold_changed and r.traces_computed == 0
    expected = load(other)
    assert (before.prob_deficit_above_threshold != expected.prob_deficit_above_threshold).any()  # (a change to see)
    for out in (cut, done):
        got = load(out)
        assert_identical(got, expected)
        for name in ("prob_deficit_above_threshold", "summary_annual_deficit_fraction"):
            assert got[name].attrs == expected[name].attrs, name
        history = got.attrs.pop("history")
        store_id = got.attrs.pop("store_id")  # (each store's own: a store changed is another)
        expected_attrs = dict(expected.attrs)
        expected_attrs.pop("history")
        assert store_id not in (expected_attrs.pop("store_id"), before.attrs["store_id"])
        assert got.attrs == expected_attrs and got.attrs["deficit_threshold"] == 0.05
    assert "prob_deficit_above_threshold taken again with deficit_threshold 0.05" in history.splitlines()[-1]
    r, _ = run(tmp_path, f"done{suffix}", resume=True, options=low, model=model)
    assert r.finished and not r.threshold_changed
    with pytest.raises(ValueError, match=r"another run \(seed differs: 5 there, 6 here\)"):  # (anything else: refused)
        run(tmp_path, f"done{suffix}", resume=True, options={**low, "seed": 6}, model=model)


def test_a_resume_that_gives_no_threshold_keeps_the_runs_own(tmp_path, capsys):
    """A diff review: a plain ``--resume`` of a finished run of threshold 0.1 took its probabilities again with the
    default 0.3, in place; and an unfinished one's manifest was rewritten so."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    argv = ["ensemble", str(model), "--traces", "4", "--years", "2", "--seed", "1", "--chunk-size", "2", "--quiet"]
    done = tmp_path / "done.nc"
    assert main([*argv, "--deficit-threshold", "0.1", "-o", str(done)]) == 0
    before = done.read_bytes()
    capsys.readouterr()
    assert main([*argv, "-o", str(done), "--resume"]) == 0
    assert capsys.readouterr().err.startswith(f"nothing to resume: {done} holds this run's results already\n")
    assert done.read_bytes() == before
    run(tmp_path, "cut.nc", stop_after=1, options={"deficit_threshold": 0.1})
    r, cut = run(tmp_path, "cut.nc", resume=True, options={"deficit_threshold": None})
    assert r.deficit_threshold == 0.1 and load(cut).attrs["deficit_threshold"] == 0.1
    r, _ = run(tmp_path, "fresh.nc", options={"deficit_threshold": None})
    assert r.deficit_threshold == 0.3 and load(tmp_path / "fresh.nc").attrs["deficit_threshold"] == 0.3


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_taking_the_threshold_again_replaces_the_store_whole_or_leaves_it(tmp_path, suffix, monkeypatch):
    """A diff review: the store was changed in place, its only copy: a failure half-way left it inconsistent, and a
    reader holding the .nc file open made it fail ("NetCDF: HDF error").  Now a changed copy replaces it.  A reread of
    the change: the netCDF library's RuntimeError escaped unwrapped, though the README says a file that cannot be
    written raises an OSError."""
    import netCDF4

    import daryo.ensemble.store as store

    if suffix == ".zarr":
        pytest.importorskip("zarr", reason="zarr is an optional extra (pip install daryo[ensemble])")
    _, out = run(tmp_path, f"s{suffix}")
    kept = load(out)

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_set_threshold", fail)
    with pytest.raises(OSError, match=f"cannot write {out}: .*No space left on device.*; it is left as it was"):
        run(tmp_path, f"s{suffix}", resume=True, options={"deficit_threshold": 0.05})

    def library_error(*args):  # (the netCDF library's own error: a RuntimeError, which no documented except caught)
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(store, "_set_threshold", library_error)
    with pytest.raises(OSError, match=f"^cannot write {out}: NetCDF: HDF error; it is left as it was$"):
        run(tmp_path, f"s{suffix}", resume=True, options={"deficit_threshold": 0.05})  # (no free space: a verifier)
    monkeypatch.undo()
    assert load(out).attrs == kept.attrs and sorted(p.name for p in tmp_path.iterdir()) == [f"s{suffix}"]
    held = netCDF4.Dataset(out) if suffix == ".nc" else None  # (a notebook that holds the store open)
    try:
        r, _ = run(tmp_path, f"s{suffix}", resume=True, options={"deficit_threshold": 0.05})
    finally:
        if held is not None:
            assert held.getncattr("deficit_threshold") == 0.3  # (the file it holds is the one it opened)
            held.close()
    assert r.threshold_changed and load(out).attrs["deficit_threshold"] == 0.05
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"s{suffix}"]


def test_resume_removes_the_temporary_file_of_a_writer_killed_mid_write(tmp_path):
    """A worker killed while it wrote a part (the run stopped, the cluster closed) leaves ``atomic_write``'s
    temporary file: up to ~100 MB at scale, which a resume deletes."""
    _, out = run(tmp_path, "cut.nc", stop_after=1)
    parts = _Parts(out)
    left = parts.dir / ".chunk-00001.npz.k1ll3d"
    left.write_bytes(b"half a part")
    assert parts.start(json.loads(parts.manifest_path().read_text()), resume=True) == {0}
    assert not left.exists() and parts.path(0).exists()


def test_a_part_that_cannot_be_written_is_named(tmp_path, monkeypatch):
    """A full disk is reported with no file name (and a read-only folder with the temporary file's): the error
    names the part, or the manifest (the disk fills while the file is written)."""
    import daryo.ensemble.parts
    from daryo._files import atomic_write

    def full(f):
        raise OSError(28, "No space left on device")

    def full_for(prefix):
        def write(path, fill):
            atomic_write(path, full if path.name.startswith(prefix) else fill)
        return write

    for prefix, name in (("manifest", "manifest.json"), ("chunk-00000", "chunk-00000.npz")):
        monkeypatch.setattr(daryo.ensemble.parts, "atomic_write", full_for(prefix))
        with pytest.raises(OSError, match=rf"^cannot write \S*{prefix}\.nc\.parts/{name}: No space left on device"):
            run(tmp_path, f"{prefix}.nc")
    assert not (tmp_path / "manifest.nc.parts").exists()  # (a folder without a manifest: no run to resume)


def test_a_part_that_cannot_be_written_says_the_finished_chunks_are_kept(tmp_path, monkeypatch, capsys):
    """A trainer's review (a small quota on a shared server): a full disk (or a folder made read-only) while a chunk
    was written said only "cannot write small/r.zarr.parts/chunk-00003.npz: No space left on device", though the
    chunks before it were kept: it says so, and how to go on, as Ctrl-C does."""
    import daryo.ensemble.parts
    from daryo._files import NamedOSError, atomic_write

    def refuse(f):
        raise refusal

    def failing(path, fill):  # (the disk fills, or the folder is made read-only, while the part is written)
        atomic_write(path, refuse if path.name == "chunk-00002.npz" else fill)

    monkeypatch.setattr(daryo.ensemble.parts, "atomic_write", failing)
    model, out = tmp_path / "basin.yaml", tmp_path / "r.nc"
    model.write_text(yaml_of_basin())
    command = ["ensemble", str(model), "--traces", "7", "--years", "2", "--chunk-size", "3", "--quiet", "-o", str(out)]
    refusal = OSError(28, "No space left on device")
    assert main(command) == 1
    assert re.fullmatch(re.escape(f"daryo: error: cannot write {out}.parts/chunk-00002.npz: No space left on device")
                        + r"( \(\S+ \S+ free on its disk\))?" + re.escape(
                            f"; the 2 finished chunks are kept in {out}.parts: run again with --resume (resume=True in "
                            "Python) once there is room, which computes only the rest"),
                        capsys.readouterr().err.splitlines()[-1])
    refusal = NamedOSError(13, f"cannot write {out}.parts/chunk-00002.npz: Permission denied")
    assert main([*command, "--resume"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"daryo: error: cannot write {out}.parts/chunk-00002.npz: Permission denied; the 2 finished chunks are kept "
        f"in {out}.parts: "
        f"run again with --resume (resume=True in Python) once it can be written, which computes only the rest")
    monkeypatch.undo()
    assert main([*command, "--resume"]) == 0
    assert "7 traces × 2 years of cli-basin" in capsys.readouterr().out and out.is_file()


def test_resume_recomputes_a_damaged_part_and_accepts_the_model_by_another_path(tmp_path, monkeypatch):
    """A part file damaged after it was written (truncated) is computed again, not read into a traceback; the
    same model file named by another path (relative, from another folder) is the same run."""
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin())
    opts = EnsembleOptions(traces=7, years=2, seed=1, chunk_size=3)
    run_ensemble(daryo_load(model), opts, tmp_path / "whole.nc")
    run_ensemble(daryo_load(model), opts, tmp_path / "cut.nc", stop_after=2)
    part = tmp_path / "cut.nc.parts" / "chunk-00000.npz"
    part.write_bytes(part.read_bytes()[:100])
    monkeypatch.chdir(tmp_path)
    r = run_ensemble(daryo_load(Path("basin.yaml")), opts, Path("cut.nc"), resume=True)
    assert (r.chunks_skipped, r.traces_computed) == (1, 4)  # chunk 0 again (3 traces) and chunk 2 (1 trace)
    assert_identical(load(tmp_path / "cut.nc"), load(tmp_path / "whole.nc"))


def test_a_copy_of_a_part_in_the_folder_is_not_a_part(tmp_path, capsys):
    """An input fuzzer's review: a copy a file manager made of a part (``chunk-00000 (1).npz``) or another file
    named like one made ``--resume`` fail with "invalid literal for int() with base 10", and the unfinished run's
    message counted it as a finished chunk.  Such files are not parts: the run resumes and gives the same store."""
    _, whole = run(tmp_path, "whole.nc")
    _, out = run(tmp_path, "cut.nc", stop_after=1)
    folder = tmp_path / "cut.nc.parts"
    for name in ("chunk-00000 (1).npz", "chunk-x.npz", "chunk-0.npz"):
        (folder / name).write_bytes((folder / "chunk-00000.npz").read_bytes())
    assert main(["summary", str(out)]) == 1
    assert "(1 finished chunk in" in capsys.readouterr().err
    assert _Parts(out).done() == {0}
    r, _ = run(tmp_path, "cut.nc", resume=True)
    assert r.chunks_skipped == 1
    assert_identical(load(out), load(whole))


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_a_part_changed_or_taken_from_another_run_is_named(tmp_path, suffix):
    """A QA review: a part whose arrays were cut, or one copied from another chunk, stopped the resumed run's
    assembly with xarray's "conflicting sizes for dimension 'trace'", which named no file.  The error names the
    part and what to do; the parts are kept, and once that part is deleted the resume gives the whole run."""
    import numpy as np

    _, whole = run(tmp_path, f"whole{suffix}")
    _, out = run(tmp_path, f"cut{suffix}", stop_after=2)
    folder = tmp_path / f"cut{suffix}.parts"
    part = folder / "chunk-00001.npz"
    with np.load(part) as z:
        arrays = dict(z)
    key = next(k for k, v in arrays.items() if not k.startswith("_") and k != "trace" and np.ndim(v) == 3)
    cases = {"copied": {**arrays, "trace": arrays["trace"] - 3},  # chunk 0's traces
             "cut": {**arrays, key: arrays[key][:, :-1]},  # a step fewer
             "missing": {k: v for k, v in arrays.items() if k != key}}
    expected = {"copied": "it holds traces 0-2 where chunk 1 has traces 3-5", "cut": "conflicting sizes",
                "missing": f"'{key}' is missing"}
    for case, changed in cases.items():
        np.savez(part, **changed)
        with pytest.raises(OSError) as caught:
            run(tmp_path, f"cut{suffix}", resume=True)
        err = str(caught.value)
        assert err.startswith(f"{part} is not a part of this run ("), (case, err)
        assert expected[case] in err and err.endswith(
            "; delete it and run again with --resume (resume=True in Python) to recompute it"), (case, err)
        assert sorted(p.name for p in folder.glob("chunk-*.npz")) == [  # (the resume computed chunk 2, and kept it)
            "chunk-00000.npz", "chunk-00001.npz", "chunk-00002.npz"]
    part.unlink()
    r, _ = run(tmp_path, f"cut{suffix}", resume=True)
    assert (r.chunks_skipped, r.traces_computed) == (2, 3)
    assert_identical(load(out), load(whole))


def test_resume_refuses_a_run_whose_data_changed(tmp_path):
    model = tmp_path / "basin.yaml"
    model.write_text(yaml_of_basin().replace("demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5]",
                                              "demand: {csv: farm.csv}"))
    (tmp_path / "farm.csv").write_text("date,q\n" + "\n".join(
        f"{d:%Y-%m-%d},{10 + i % 12}" for i, d in enumerate(pd.date_range("2001-10", periods=24, freq="MS"))))
    out = tmp_path / "d.nc"
    opts = EnsembleOptions(traces=5, years=2, seed=1, chunk_size=2)
    run_ensemble(daryo_load(model), opts, out, stop_after=1)
    run_ensemble(daryo_load(model), opts, out, stop_after=1, resume=True)  # the same run: resumed
    (tmp_path / "farm.csv").write_text((tmp_path / "farm.csv").read_text().replace(",10\n", ",11\n"))
    with pytest.raises(ValueError, match="another run"):  # the model file is the same, its data file is not
        run_ensemble(daryo_load(model), opts, out, resume=True)


def test_a_run_going_on_the_same_output_is_refused(tmp_path):
    """A second run on an output whose run was still going recomputed the same chunks and failed on a part that
    the first had removed, with the advice to delete it.  Now a run holds a lock on its parts folder (``flock``:
    released by the system however the run ends, so a killed run's lock never blocks a resume)."""
    import fcntl
    import socket

    _, whole = run(tmp_path, "whole.nc")
    lock, seen = tmp_path / "cut.nc.parts" / "lock", []

    def held() -> bool:
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(fd)

    class Watch:  # (a progress reporter that looks at the lock as the chunks finish)
        def skip(self, traces):
            pass

        def update(self, traces):
            seen.append((lock.read_text(), held()))

        def assembling(self, output):
            pass

    run(tmp_path, "cut.nc", stop_after=1, progress=Watch())
    me, host = os.getpid(), socket.gethostname()
    assert seen == [(f"{me} {host}", True)] and not held()  # held while it ran, released when it stopped
    other = os.open(lock, os.O_RDWR)  # another run, still going (a lock from another open file conflicts)
    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        with pytest.raises(FileExistsError, match=rf"another run \(process {me} on {host}\) is writing "
                                                  r".*cut.nc.parts; wait for it to end"):
            run(tmp_path, "cut.nc", resume=True)
        with pytest.raises(FileExistsError, match="another run"):  # (not told to pass --resume)
            run(tmp_path, "cut.nc")
    finally:
        os.close(other)  # it ends, or is killed: the system releases its lock either way
    r, out = run(tmp_path, "cut.nc", resume=True)
    assert r.chunks_skipped == 1 and not (tmp_path / "cut.nc.parts").exists()
    assert_identical(load(out), load(whole))



def test_a_second_user_on_one_output_is_told_whose_run_holds_it(tmp_path, monkeypatch):
    """A trainer's review (a workshop on one shared server): the second of two users on one output got "Permission
    denied: 't.zarr.parts/lock'", not whose run was going, as the lock file was made 0644 (so that a group could
    never resume a colleague's run, even with umask 002).  It is made 0666 less the umask; one this user may only
    read is locked through a read-only descriptor (the run then resumes, once the other has ended); and where it
    cannot be opened at all, the message says whose run holds the folder.  (The tests run as root, who may open
    anything: the system's answers are given here.)"""
    import fcntl
    import socket

    old = os.umask(0o002)
    try:
        _, out = run(tmp_path, "t.nc", stop_after=1)
    finally:
        os.umask(old)
    lock = tmp_path / "t.nc.parts" / "lock"
    assert lock.stat().st_mode & 0o777 == 0o664
    real_open, refused = os.open, {os.O_RDWR}

    def open_as_another_user(path, flags, *args, **kwargs):
        if Path(path) == lock and any(flags & f == f for f in refused):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    other = real_open(lock, os.O_RDWR)  # its owner's run, still going
    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    monkeypatch.setattr(os, "open", open_as_another_user)
    try:
        with pytest.raises(FileExistsError, match=rf"^another run \(process {os.getpid()} on "
                                                  rf"{socket.gethostname()}\) is writing {lock.parent}; wait for it "
                                                  "to end$"):
            run(tmp_path, "t.nc", resume=True)
        refused.add(os.O_RDONLY)  # (0: any flags)
        monkeypatch.setattr(os, "geteuid", lambda: 4321)  # (the folder is root's: a colleague's)
        with pytest.raises(PermissionError, match=rf"^\[Errno 13\] {lock.parent} holds the run of user root, whose "
                                                  r"lock file you may not open \(Permission denied\): ask root to "
                                                  "finish it, or give another output name$"):
            run(tmp_path, "t.nc", resume=True)
    finally:
        os.close(other)
    refused.discard(os.O_RDONLY)
    r, _ = run(tmp_path, "t.nc", resume=True)  # (its lock taken read-only: the colleague's run, resumed)
    assert r.chunks_skipped == 1 and not lock.parent.exists()

def test_a_failed_start_keeps_the_parts_its_workers_wrote(tmp_path, monkeypatch):
    """Local workers write their parts themselves: when a run's first chunk to report fails, another may be on
    disk already.  A failed fresh start removes its parts folder only if it holds no part (nothing already
    written is lost); the run then resumes from that part."""
    import daryo.ensemble.run
    from daryo.ensemble.chunks import run_chunk

    _, whole = run(tmp_path, "whole.nc")
    out = tmp_path / "w.nc"

    def a_worker_wrote_one_then_another_failed(jobs, on_steps=None):
        _Parts(out).write(run_chunk(jobs[1]))  # (as a local worker writes its part, before its receipt is taken)
        raise RuntimeError("chunk 0 failed")
        yield  # (a generator, as the executors are)

    monkeypatch.setattr(daryo.ensemble.run, "_serial", a_worker_wrote_one_then_another_failed)
    with pytest.raises(RuntimeError, match="chunk 0 failed"):
        run(tmp_path, "w.nc")
    assert sorted(p.name for p in (tmp_path / "w.nc.parts").glob("chunk-*")) == ["chunk-00001.npz"]
    monkeypatch.undo()
    r, out = run(tmp_path, "w.nc", resume=True)
    assert r.chunks_skipped == 1 and r.traces_computed == 4
    assert_identical(load(out), load(whole))


def test_what_differs_names_each_entry_once_in_words():
    """Another model read as "model, model_file, the model file differ" (a QA pass)."""
    from daryo.ensemble.parts import what_differs

    assert what_differs(["model", "model_file", "model_text", "network"]) == (
        "the model's name, the model file's path, the model file's text differ")
    assert what_differs(["scenarios", "source"]) == "the scenario overlays, the source of the traces differ"
    # a review: "seed differs" without the two seeds; an option's values follow, an overlay's names too
    old, new = {"seed": 3, "years": 30, "scenarios": ""}, {"seed": 4, "years": 20, "scenarios": "rogun-full"}
    assert what_differs(["seed"], True, old, new) == "seed differs: 3 there, 4 here"
    assert what_differs(["scenarios", "seed", "years"], True, old, new) == (
        "the scenario overlays, seed, years differ: the scenario overlays: none there, 'rogun-full' here; seed: 3 "
        "there, 4 here; years: 30 there, 20 here")
    assert what_differs(["series"], True, {"series": "storage energy"}, {"series": ""}) == (
        "series differs: 'storage,energy' there, none here")  # (as --series takes them)
    assert what_differs(["model_text", "network"], True, old, new) == "the model file's text differs"


def test_a_refused_resume_names_an_entry_only_the_folders_run_had(tmp_path):
    """A parts folder whose manifest has an entry this run's lacks (a run of another version of the same format,
    say) is refused naming that entry, not "the model's data files or overlays differ", which would send the user
    to look at files that did not change."""
    run(tmp_path, "cut.nc", stop_after=1)
    path = _Parts(tmp_path / "cut.nc").manifest_path()
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**manifest, "extra_entry": 1}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"belongs to another run \(extra_entry differs\); delete it to start again"):
        run(tmp_path, "cut.nc", resume=True)


def test_an_ensemble_of_the_models_columns_resumes_and_another_naming_of_them_is_another_run(tmp_path):
    """A climate-services scientist's review (their projections as an ensemble's traces, ModelColumns): a run cut
    short resumes with the same results and names; the same columns renamed in the CSV file (the same inflows: the
    record's digest is the same) are another run, whose parts would give the store two namings."""
    from ensemble_cases import columns_basin

    from daryo.ensemble import ModelColumns

    path = columns_basin(tmp_path)
    model = daryo_load(path)
    source = ModelColumns.from_model(model)
    opts = EnsembleOptions(traces=3, years=2, chunk_size=1)
    run_ensemble(model, opts, tmp_path / "whole.nc", source=source)
    run_ensemble(model, opts, tmp_path / "cut.nc", source=source, stop_after=1)
    csv = tmp_path / "node_up.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("wet", "humid", 1), encoding="utf-8")
    renamed = daryo_load(path)
    with pytest.raises(ValueError, match=r"another run \(the list of the traces' names differs\)"):
        run_ensemble(renamed, opts, tmp_path / "cut.nc", source=ModelColumns.from_model(renamed), resume=True)
    csv.write_text(text, encoding="utf-8")
    r = run_ensemble(model, opts, tmp_path / "cut.nc", source=source, resume=True)
    assert (r.chunks_skipped, r.traces_computed) == (1, 2)
    whole, cut = load(tmp_path / "whole.nc"), load(tmp_path / "cut.nc")
    assert_identical(cut, whole)
    assert cut["trace_name"].values.tolist() == ["wet", "средний", "dry_ssp585"]


def test_the_builds_that_ran_a_run_are_recorded_and_not_compared(tmp_path):
    """A compat review: the store's ``daryo`` attribute is 0.1.0 for every commit, so that parts of two builds mixed
    by a resume could not be told from the store.  The manifest and the store record the build (a digest of the
    package's source, :func:`daryo.results.provenance.daryo_build`); a resume by another build of the same parts'
    format is accepted (the format says what the parts mean) and the store names both builds, the earlier first; a
    finished run resumed by another build is left as it is."""
    from daryo.results.provenance import daryo_build

    this = daryo_build()
    assert re.fullmatch(r"[0-9a-f]{12}", this)
    _, whole = run(tmp_path, "whole.nc")
    assert load(whole).attrs["build"] == this
    _, out = run(tmp_path, "cut.nc", stop_after=1)
    manifest = out.parent / "cut.nc.parts" / "manifest.json"
    held = json.loads(manifest.read_text())
    assert held["build"] == this
    manifest.write_text(json.dumps(held | {"build": "0123456789ab"}))  # (the parts of another build)
    run(tmp_path, "cut.nc", resume=True)
    assert load(out).attrs["build"] == f"0123456789ab {this}"
    assert_identical(load(out), load(whole))
    before = out.stat().st_mtime_ns
    run(tmp_path, "cut.nc", resume=True)  # (finished: its builds are not this one's alone, and it is left)
    assert out.stat().st_mtime_ns == before
