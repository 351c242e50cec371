"""Progress of an ensemble: parseable lines in logs."""

import io
import json
import shlex
from pathlib import Path

from daryo.ensemble import ProgressReporter


def test_a_log_names_an_output_with_spaces_in_quotes():
    """``progress writing=PATH`` in a log: a path with spaces is quoted (JSON), so that the line still parses as
    key=value pairs; a plain path is left as it is."""
    for path, shown in ((Path("runs/e.zarr"), "runs/e.zarr"), (Path("my runs/p q.zarr"), '"my runs/p q.zarr"')):
        log = io.StringIO()
        reporter = ProgressReporter(1, 12, stream=log, tty=False)
        reporter.assembling(path)
        assert log.getvalue() == f"progress writing={shown}\n"
        (pair,) = shlex.split(log.getvalue())[1:]
        key, value = pair.split("=", 1)
        assert key == "writing" and value == str(path)
        reporter.written(path)
        done, elapsed = shlex.split(log.getvalue().splitlines()[-1])[1:]
        assert done == f"done={path}" and elapsed == "elapsed=0s"
    terminal = io.StringIO()
    ProgressReporter(1, 12, stream=terminal, tty=True).written(Path("e.zarr"))  # (the report on stdout says it)
    assert terminal.getvalue() == ""
    assert json.loads('"my runs/p q.zarr"') == "my runs/p q.zarr"


def test_a_chunk_under_way_counts_its_steps_done():
    """A review: a run of one long chunk showed nothing until its end.  The steps done of chunks under way count
    in the steps and the time left (not in the traces, which are those of finished chunks); a finished chunk's
    traces replace its steps under way."""
    log = io.StringIO()
    p = ProgressReporter(4, 12, stream=log, interval=0.0, tty=False)  # 48 steps
    p.steps(0, 6)  # chunk 0 (2 traces) half done
    p.steps(1, 12)  # chunk 1 (2 traces) half done
    p.update(2, chunk=0)
    p.steps(1, 18)
    lines = log.getvalue().splitlines()
    assert [line.split()[1:3] for line in lines] == [["traces=0/4", "steps=6/48"], ["traces=0/4", "steps=18/48"],
                                                    ["traces=2/4", "steps=36/48"], ["traces=2/4", "steps=42/48"]]
    p.update(2, chunk=1)
    assert log.getvalue().splitlines()[-1].split()[1:3] == ["traces=4/4", "steps=48/48"]
    bar = io.StringIO()
    q = ProgressReporter(4, 12, stream=bar, tty=True)
    q.steps(0, 24)  # (half the steps: half the bar)
    assert bar.getvalue().startswith("\r[" + "#" * 15 + "." * 15 + "] 0/4 traces  24/48 steps")


def test_a_note_is_a_line_of_its_own():
    log, bar = io.StringIO(), io.StringIO()
    ProgressReporter(4, 12, stream=log, tty=False).note("waiting")
    ProgressReporter(4, 12, stream=bar, tty=True).note("waiting")
    assert log.getvalue() == "note: waiting\n" and bar.getvalue() == "\r\033[Kwaiting\n"


def test_a_run_in_this_process_reports_the_steps_of_its_chunk_under_way(tmp_path):
    """One chunk of 7 traces × 3 years (36 steps): a line at once, then the chunk's steps as they are done."""
    from ensemble_cases import run

    log = io.StringIO()
    run(tmp_path, "one.nc", options={"chunk_size": 7}, progress=ProgressReporter(7, 36, stream=log, interval=0.0,
                                                                                tty=False))
    steps = [int(line.split()[2].split("=")[1].split("/")[0]) for line in log.getvalue().splitlines()
             if line.startswith("progress traces=")]
    assert steps[0] == 0 and steps[-1] == 7 * 36
    assert steps[1:-1] == [7 * t for t in range(1, 37)]  # (each step of the chunk: 7 traces a step)


def test_the_rate_and_time_left_are_measured_from_the_first_progress(monkeypatch):
    """A CLI review: a first run's log said ``rate=1/s eta=20013s`` while Numba compiled the kernels for a minute
    before the first step; the run then took minutes.  The rate is measured from the first progress seen: 60 s of
    start-up, then 10 steps a second, is 10 steps/s with (1000 − 20) / 10 = 98 s left; with one progress seen the
    time left is not told (its rate would count the start-up), and at the end it is 0 (990 steps in 10 s: 99/s)."""
    import daryo.ensemble.progress as progress

    clock = iter([0.0, 60.0, 61.0, 70.0])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    log = io.StringIO()
    p = ProgressReporter(10, 100, stream=log, interval=0.0, tty=False)  # 1,000 steps, started at 0 s
    p.steps(0, 10)  # the first step's progress, after 60 s of compiling
    p.steps(0, 20)  # 10 more steps in the next second
    first, second = log.getvalue().splitlines()
    assert first.split()[3:] == ["rate=0/s", "elapsed=60s", "eta=?"]
    assert second.split()[3:] == ["rate=10/s", "elapsed=61s", "eta=98s"]
    p.update(10, chunk=0)  # (all done at 70 s)
    assert log.getvalue().splitlines()[-1].split()[1:] == ["traces=10/10", "steps=1000/1000", "rate=99/s",
                                                          "elapsed=70s", "eta=0s"]
