"""What daryo does not read from a Pywr model is refused with one message that names every item and its
place; so are broken references, missing files and malformed JSON."""

from __future__ import annotations

import json

import pytest

import daryo
from daryo.pywr import convert_pywr_document

TS = {"start": "2001-01-01", "end": "2001-12-31", "timestep": "M"}


def load(tmp_path, doc, name="model.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path)
    return str(err.value)


def test_every_unsupported_type_is_listed_with_its_place(tmp_path):
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 3.0},
                     {"name": "licence", "type": "annualvirtualstorage", "nodes": ["in"], "max_volume": 10},
                     {"name": "out", "type": "output", "cost": -1.0, "pump_power": 3,
                      "max_flow": {"type": "rbfprofile", "days_of_year": [1], "values": [1.0]}}],
           "edges": [["in", "out"]],
           "parameters": {"hp": {"type": "HydropowerTargetParameter", "node": "out"},
                          "ok": {"type": "constant", "value": 1.0}},
           "recorders": {"energy": {"type": "HydropowerRecorder", "node": "out"},
                         "flows": {"type": "NumpyArrayNodeRecorder", "node": "out"}}}
    msg = load(tmp_path, doc)
    assert msg.startswith("5 problems in the model:")
    for line in ("nodes[licence]: unsupported node type 'annualvirtualstorage'",
                 "nodes[out]: unsupported key(s) pump_power for a Pywr output node",
                 "nodes[out].max_flow: unsupported parameter type 'rbfprofile'",
                 "parameters[hp]: unsupported parameter type 'HydropowerTargetParameter'",
                 "recorders[energy]: unsupported recorder type 'HydropowerRecorder'"):
        assert line in msg
    assert "flows" not in msg  # a recorder that only reports results is accepted (and ignored)


def test_broken_references_are_named(tmp_path):
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": "no_such_parameter"},
                     {"name": "dam", "type": "storage", "max_volume": 10.0, "initial_volume": 5.0},
                     {"name": "out", "type": "output", "cost": "curve"}],
           "edges": [["in", "dam"], ["dam", "out"], ["dam", "nowhere"]],
           "parameters": {"curve": {"type": "controlcurve", "storage_node": "in", "control_curves": [0.5],
                                    "values": [1.0, 2.0]},
                          "agg": {"type": "aggregated", "agg_func": "sum", "parameters": ["ghost", 1.0]}},
           "recorders": {"r": {"type": "totalflownode", "node": "phantom"}}}
    msg = load(tmp_path, doc)
    for line in ("nodes[in].max_flow: names parameter 'no_such_parameter', which is not defined in the model's "
                 "parameters",
                 "edges[2]: 'nowhere' is not a node of the model",
                 "parameters[curve]: storage_node 'in' is not a storage node of the model",
                 "parameters[agg].parameters[0]: names parameter 'ghost', which is not defined",
                 "recorders[r]: node 'phantom' is not a node of the model"):
        assert line in msg


def test_missing_csv_is_named(tmp_path):
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
                                        {"name": "out", "type": "output"}],
           "edges": [["in", "out"]],
           "parameters": {"flows": {"type": "dataframe", "url": "data/flows.csv", "index_col": "date",
                                    "parse_dates": True}}}
    msg = load(tmp_path, doc)
    assert f"parameters[flows]: CSV file 'data/flows.csv' not found (looked for {tmp_path / 'data' / 'flows.csv'})" \
        in msg


def test_csv_that_does_not_cover_the_run_is_named(tmp_path):
    (tmp_path / "flows.csv").write_text("date,q\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
                                        {"name": "out", "type": "output"}],
           "edges": [["in", "out"]],
           "parameters": {"flows": {"type": "dataframe", "url": "flows.csv", "index_col": "date",
                                    "parse_dates": True}}}
    (tmp_path / "model.json").write_text(json.dumps(doc))  # loads; the run finds the missing dates
    with pytest.raises(daryo.ModelError, match=r"parameters\[flows\]: the file has no value for 2001-04-01"):
        daryo.run(daryo.load(tmp_path / "model.json"))


def test_malformed_json_gives_line_and_column(tmp_path):
    msg = load(tmp_path, '{"timestepper": {"start": "2001-01-01",}, "nodes": []}')
    assert "model.json: line 1, column 40: malformed JSON: Expecting property name enclosed in double quotes" in msg


def test_missing_and_malformed_includes_are_named(tmp_path):
    (tmp_path / "bad.json").write_text('{"nodes": [}')
    doc = {"timestepper": TS, "includes": ["gone.json", "bad.json"],
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0}, {"name": "out", "type": "output"}],
           "edges": [["in", "out"]]}
    msg = load(tmp_path, doc)
    assert msg.startswith("2 problems in the model:")
    assert f"model.json: includes: included file 'gone.json' not found (looked for {tmp_path / 'gone.json'})" in msg
    assert f"{tmp_path / 'bad.json'}: line 1, column 12: malformed JSON: Expecting value" in msg


def test_unsupported_timestep_and_scenario_slices(tmp_path):
    doc = {"timestepper": {**TS, "timestep": "W"}, "scenarios": [{"name": "s", "size": 4, "slice": [0, 2]}],
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0}, {"name": "out", "type": "output"}],
           "edges": [["in", "out"]]}
    msg = load(tmp_path, doc)
    assert "timestepper.timestep: unsupported timestep 'W'; use a number of days, 'ND' or 'M'" in msg
    assert "scenarios[s]: unsupported key(s) slice (scenario slices and combinations are not supported)" in msg


def test_aggregated_node_over_a_compound_node_is_refused():
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 5.0},
                     {"name": "gauge", "type": "rivergauge", "mrf": 1.0, "mrf_cost": -5.0},
                     {"name": "out", "type": "output", "cost": -1.0},
                     {"name": "agg", "type": "aggregatednode", "nodes": ["gauge"], "max_flow": 2.0}],
           "edges": [["in", "gauge"], ["gauge", "out"]]}
    with pytest.raises(daryo.ModelError, match=r"nodes\[agg\]\.nodes: 'gauge' is a rivergauge node, which has no "
                                                r"flow of its own in Pywr's LP"):
        convert_pywr_document(doc)
