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
        ProgressReporter(1, 12, stream=log, tty=False).assembling(path)
        assert log.getvalue() == f"progress writing={shown}\n"
        (pair,) = shlex.split(log.getvalue())[1:]
        key, value = pair.split("=", 1)
        assert key == "writing" and value == str(path)
    assert json.loads('"my runs/p q.zarr"') == "my runs/p q.zarr"
