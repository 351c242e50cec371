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
    ``interval`` seconds), e.g. ``progress traces=250/1000 steps=150000/600000 rate=52000/s elapsed=3s eta=9s``."""

    def __init__(self, traces: int, steps_per_trace: int, stream: IO[str] | None = None, interval: float = 5.0,
                 tty: bool | None = None):
        self.total, self.per_trace = traces, steps_per_trace
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval, self.done, self.t0, self._last = interval, 0, time.perf_counter(), -1e9
        self._skipped = 0

    def skip(self, traces: int) -> None:
        """Traces found done (resume): counted as done, not in the rate."""
        self.done += traces
        self._skipped += traces

    def update(self, traces: int) -> None:
        self.done += traces
        now = time.perf_counter()
        if self.tty or now - self._last >= self.interval or self.done >= self.total:
            self._last = now
            self._emit(now)

    def assembling(self, output: Path) -> None:
        """Say that every chunk is done and the output is being written (which takes a while at scale)."""
        # (in a log, a path with spaces or quotes is quoted as a JSON string, so that key=value lines still parse)
        text = str(output)
        quoted = json.dumps(text, ensure_ascii=False) if any(c.isspace() or c in "\"'=" for c in text) else text
        line = f"writing {output}" if self.tty else f"progress writing={quoted}"
        self.stream.write(line + "\n")
        self.stream.flush()

    def _emit(self, now: float) -> None:
        el = max(now - self.t0, 1e-9)
        rate = (self.done - self._skipped) * self.per_trace / el
        left = (self.total - self.done) * self.per_trace / rate if rate > 0 else float("nan")
        steps, total = self.done * self.per_trace, self.total * self.per_trace
        if self.tty:
            w = 30
            fill = int(w * self.done / max(self.total, 1))
            eta = _hms(left) if np.isfinite(left) else "?"
            self.stream.write(f"\r[{'#' * fill}{'.' * (w - fill)}] {self.done:,}/{self.total:,} traces  "
                              f"{steps:,}/{total:,} steps  {rate:,.0f} steps/s  left {eta}   ")
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            eta = f"{left:.0f}s" if np.isfinite(left) else "?"
            self.stream.write(f"progress traces={self.done}/{self.total} steps={steps}/{total} "
                              f"rate={rate:.0f}/s elapsed={el:.0f}s eta={eta}\n")
        self.stream.flush()


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


