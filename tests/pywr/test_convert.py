"""``daryo convert``: a Pywr JSON model written as a daryo YAML file (CSV paths rewritten relative to where it
is written) runs to the same results as the Pywr file itself."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import daryo
from daryo.cli import main

pytest.importorskip("pywr.model", reason="the conformance cases are Pywr models")

from pywr_harness import write_model  # noqa: E402
from test_conformance import CASES  # noqa: E402


@pytest.mark.parametrize("case", ["scenarios_two_dimensions", "controlcurve_parameters_and_index",
                                  "riversplitwithgauge", "delaynode_monthly", "losslink", "aggregatednode"])
def test_converted_file_runs_to_the_same_results(case, tmp_path, capsys):
    doc, files = CASES[case]()
    src = write_model(tmp_path / "pywr", doc, files)
    out = tmp_path / "elsewhere" / "model.yaml"
    out.parent.mkdir()
    assert main(["convert", str(src), "-o", str(out)]) == 0
    assert "converted to" in capsys.readouterr().out
    written = yaml.safe_load(out.read_text())
    assert written["version"] == 1 and written["allocation"] == "cost"
    for p in (written.get("parameters") or {}).values():
        if "csv" in p:
            assert p["csv"].startswith("../pywr/")
    a = daryo.run(daryo.load(src)).dataset
    b = daryo.run(daryo.load(out)).dataset
    for var in ("node_flow", "edge_flow"):
        np.testing.assert_array_equal(a[var].values, b[var].values)
    if "storage" in a:
        np.testing.assert_array_equal(a.storage.values, b.storage.values)


def test_convert_reports_problems_and_writes_nothing(tmp_path, capsys):
    src = tmp_path / "bad.json"
    src.write_text('{"timestepper": {"start": "2001-01-01", "end": "2001-02-01", "timestep": "M"}, '
                   '"nodes": [{"name": "x", "type": "keatingaquifer"}], "edges": []}')
    out = tmp_path / "out.yaml"
    assert main(["convert", str(src), "-o", str(out)]) == 1
    assert "nodes[x]: unsupported node type 'keatingaquifer'" in capsys.readouterr().err
    assert not out.exists()
