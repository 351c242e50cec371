"""Progress of a run: a bar on a terminal, parseable lines in logs."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import IO

import numpy as np


class ProgressReporter:
    """Progress of a run: a bar on a terminal, quiet parseable lines otherwise (at most one per
    ``interval`` seconds), e.g. ``progress traces=250/1000 steps=150000/600000 rate=52000/s elapsed=3s eta=9s``.

    ``traces`` counts the traces of finished chunks; ``steps`` also the steps of a chunk under way, where the
    chunks run in this process (:meth:`steps`), so that a run of one long chunk shows its progress too.  The rate
    and the time left are those since the first progress seen: the time before it (loading, starting workers,
    Numba compiling the kernels for their first use, a minute or more) is no measure of the steps (a CLI review: a
    first run's line said ``rate=1/s eta=20013s`` for a run of minutes); until a second progress is seen the time
    left is ``?``.

    Progress is a log, not the run's result: a stream that is closed, or that cannot be written (a log reader gone:
    a broken pipe), ends the reporting, not the run (an automation review: an ensemble whose ``2>`` reader
    restarted was abandoned, exit 141, and one started with its standard error closed failed without a word)."""

    #: the least time between two redraws of the bar on a terminal, in seconds
    TTY_INTERVAL = 0.2

    def __init__(self, traces: int, steps_per_trace: int, stream: IO[str] | None = None, interval: float = 5.0,
                 tty: bool | None = None):
        self.total, self.per_trace = traces, steps_per_trace
        self.stream: IO[str] | None = stream if stream is not None else sys.stderr  # (None: fd 2 closed)
        self.tty = bool(self.stream is not None and self.stream.isatty()) if tty is None else tty
        self.interval, self.done, self.t0, self._last = interval, 0, time.perf_counter(), -1e9
        self._skipped = 0
        self._under_way: dict[int, int] = {}  # steps done of each chunk under way, by chunk
        self._first: tuple[float, int] | None = None  # (when, steps done) at the first progress seen

    def skip(self, traces: int) -> None:
        """Traces found done (resume): counted as done, not in the rate."""
        self.done += traces
        self._skipped += traces

    def update(self, traces: int, chunk: int | None = None) -> None:
        """``traces`` more done: those of a finished chunk (``chunk``: its number, whose steps under way they
        replace)."""
        self.done += traces
        if chunk is not None:
            self._under_way.pop(chunk, None)
        self._maybe_emit(final=self.done >= self.total)

    def steps(self, chunk: int, done: int) -> None:
        """``done`` steps (over its traces) of chunk ``chunk``, under way, are done."""
        self._under_way[chunk] = done
        self._maybe_emit()

    def note(self, text: str) -> None:
        """Say something about the run that is not its progress (a cluster with no workers yet), on a line of its
        own (in a log: ``note: TEXT``)."""
        self._write(("\r\033[K" if self.tty else "note: ") + text + "\n")

    def _maybe_emit(self, final: bool = False) -> None:
        now = time.perf_counter()
        if self._first is None:  # (the first progress: the rate is measured from here)
            self._first = (now, self._steps_done())
        if final or now - self._last >= (self.TTY_INTERVAL if self.tty else self.interval):
            self._last = now
            self._emit(now)

    def assembling(self, output: Path) -> None:
        """Say that every chunk is done and the output is being written (which takes a while at scale)."""
        line = f"writing {output}" if self.tty else f"progress writing={_quoted(output)}"
        self._write(line + "\n")

    def written(self, output: Path) -> None:
        """Say, in a log, that the output is whole: ``progress done=PATH elapsed=Ns``, the last progress line (an
        ensemble user's review: a parser of the log's progress lines never saw the run end, which only the
        report on standard output said).  On a terminal the report says it."""
        if not self.tty:
            self._write(f"progress done={_quoted(output)} elapsed={time.perf_counter() - self.t0:.0f}s\n")

    def _write(self, text: str) -> None:
        """Write ``text`` and flush; a stream that cannot be written ends the reporting (see the class doc)."""
        if self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # (a broken pipe, a closed file: the run goes on without its log)
            self.stream = None

    def _steps_done(self) -> int:
        """Steps done: of finished chunks' traces (those found done included) and of chunks under way."""
        return self.done * self.per_trace + sum(self._under_way.values())

    def _emit(self, now: float) -> None:
        el = max(now - self.t0, 1e-9)
        steps, total = self._steps_done(), self.total * self.per_trace
        assert self._first is not None  # (set by _maybe_emit, its only caller, before it calls this)
        since, before = self._first
        if steps > before and now > since:  # (steps since the first progress, over the time since)
            rate = (steps - before) / (now - since)
        else:  # (one progress seen: the run's mean so far, and no time left told but at the end)
            rate = (steps - self._skipped * self.per_trace) / el
        left = 0.0 if steps >= total else (total - steps) / rate if steps > before and rate > 0 else float("nan")
        if self.tty:
            w = 30
            fill = int(w * steps / max(total, 1))
            eta = _hms(left) if np.isfinite(left) else "?"
            self._write(f"\r[{'#' * fill}{'.' * (w - fill)}] {self.done:,}/{self.total:,} traces  "
                        f"{steps:,}/{total:,} steps  {rate:,.0f} steps/s  left {eta}   "
                        + ("\n" if self.done >= self.total else ""))
        else:
            eta = f"{left:.0f}s" if np.isfinite(left) else "?"
            self._write(f"progress traces={self.done}/{self.total} steps={steps}/{total} "
                        f"rate={rate:.0f}/s elapsed={el:.0f}s eta={eta}\n")


def _quoted(output: Path) -> str:
    """A path as a log's ``key=value`` line gives it: quoted as a JSON string where it holds spaces, quotes or
    ``=``, so that the line still parses."""
    text = str(output)
    return json.dumps(text, ensure_ascii=False) if any(c.isspace() or c in "\"'=" for c in text) else text


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


