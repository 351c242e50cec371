"""Writing the files a command is given (:mod:`daryo._files`)."""

import errno
import io
import re
from pathlib import Path

import pytest

import daryo._files
from daryo._files import NamedOSError, atomic_write
from daryo.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "pywr_model.json"


def fill_disk(monkeypatch) -> None:
    """Make every write through :func:`atomic_write` fail as on a full disk: an OSError that names no file."""
    real_fdopen = daryo._files.os.fdopen

    class Full(io.RawIOBase):
        def __init__(self, f):
            self.f = f

        def writable(self):
            return True

        def write(self, b):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            self.f.close()
            super().close()

    monkeypatch.setattr(daryo._files.os, "fdopen", lambda fd, *a, **kw: Full(real_fdopen(fd, *a, **kw)))


def test_an_error_of_atomic_write_names_the_file(tmp_path, monkeypatch):
    """A full disk's error names no file: atomic_write's names the file it writes, and leaves no temporary file."""
    fill_disk(monkeypatch)
    out = tmp_path / "x.csv"
    with pytest.raises(NamedOSError) as caught:
        atomic_write(out, lambda f: f.write(b"a,b\n"))
    assert caught.value.errno == errno.ENOSPC and list(tmp_path.iterdir()) == []
    assert re.fullmatch(rf"cannot write {out}: No space left on device \(.* free on its disk\)",
                        str(caught.value)), caught.value


def test_the_commands_that_write_through_atomic_write_name_the_file_on_a_full_disk(tmp_path, capsys, monkeypatch):
    """An operations review: on a full disk ``daryo compare --csv``, ``daryo convert -o`` and ``daryo summary
    --csv`` said only "daryo: error: No space left on device", not which file (``daryo run -o`` names it)."""
    a, b = tmp_path / "a.nc", tmp_path / "b.nc"
    assert main(["run", "--years", "1", "-o", str(a)]) == 0
    assert main(["run", "--years", "1", "--scenario", "drought-2008", "-o", str(b)]) == 0
    fill_disk(monkeypatch)
    capsys.readouterr()
    out = tmp_path / "out"
    out.mkdir()
    for command, written in ((["compare", str(a), str(b), "--csv"], out / "c.csv"),
                             (["convert", str(EXAMPLE), "-o"], out / "m.yaml"),
                             (["summary", str(a), "--csv"], out / "s.csv")):
        assert main([*command, str(written)]) == 1, command
        assert capsys.readouterr().err.splitlines()[-1].startswith(
            f"daryo: error: cannot write {written}: No space left on device ("), command
    assert list(out.iterdir()) == []


def test_a_killed_writers_temporary_files_are_removed_by_the_next_run(tmp_path):
    """An operations review: ``daryo run -o`` killed by SIGKILL while it wrote left its hidden temporary file
    (``.r.nc.XXXXXXXX``, of full size) and its CSV folder's, which no later run removed: 53 MB after ten killed runs.
    They are named after their host and process (``.r.nc.tmp-<host>-<pid>-…``); the next writer of the same
    output removes this host's whose process is gone, and leaves a live process's and another host's."""
    import os

    from daryo._files import _host

    here = _host()
    dead = [tmp_path / f".r.nc.tmp-{here}-999999999-ab12", tmp_path / "csv" / f".daryo-csv.tmp-{here}-999999999-x_1"]
    kept = [tmp_path / f".r.nc.tmp-{here}-{os.getpid()}-cd34", tmp_path / ".r.nc.tmp-other.host-999999999-ef56",
            tmp_path / "csv" / ".daryo-csv.tmp-other-host-999999999-zz"]
    for path in dead + kept:
        path.parent.mkdir(exist_ok=True)
        if path.name.startswith(".daryo-csv."):
            path.mkdir()
            (path / "delivery.csv").write_text("x\n")
        else:
            path.write_bytes(b"\x00" * 1000)
    assert main(["run", str(EXAMPLE), "-o", str(tmp_path / "r.nc"), "--csv", str(tmp_path / "csv")]) == 0
    assert [p for p in dead if p.exists()] == [] and all(p.exists() for p in kept)
    assert not [p for p in tmp_path.rglob(f"*tmp-{here}-{os.getpid()}-*") if p not in kept]  # (its own: moved in)
