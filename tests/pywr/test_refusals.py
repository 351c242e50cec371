"""What daryo does not read from a Pywr model is refused with one message that names every item and its
place; so are broken references, missing files and malformed JSON."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pywr_harness import assert_same_as_pywr, write_model

import daryo
from daryo.cli import main
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


def test_an_unsupported_pywr_type_is_named_as_such_not_as_a_near_supported_one(tmp_path):
    """A Pywr user's review: 'virtualstorage' got "did you mean 'storage'?", 'weeklyprofile' "did you mean
    'dailyprofile'?": types that would do something else.  A misspelt supported type still gets its hint."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": "weekly"}, {"name": "vs", "type": "virtualstorage",
                                                                            "nodes": ["in"], "max_volume": 10},
                     {"name": "out", "type": "outptu", "max_flow": "monthly"}],
           "edges": [["in", "out"]],
           "parameters": {"weekly": {"type": "WeeklyProfileParameter", "values": [1.0] * 52},
                          "monthly": {"type": "scenariomonthlyprofile", "scenario": "s", "values": [[1.0] * 12]},
                          "typo": {"type": "montlyprofile", "values": [1.0] * 12}}}
    msg = load(tmp_path, doc)
    note = ": a Pywr type daryo does not support (docs/pywr.md, Not supported)"
    for line in (f"nodes[vs]: unsupported node type 'virtualstorage'{note}",
                 f"parameters[weekly]: unsupported parameter type 'WeeklyProfileParameter'{note}",
                 f"parameters[monthly]: unsupported parameter type 'scenariomonthlyprofile'{note}",
                 "parameters[typo]: unsupported parameter type 'montlyprofile' (did you mean 'monthlyprofile'?)",
                 "nodes[out]: unsupported node type 'outptu' (did you mean 'output'?)"):
        assert line in msg, line


def test_the_unsupported_parameter_types_are_pywrs_own_names_and_every_pywr_type_is_listed_or_read():
    """A Pywr user's review: an ``annuallicense`` parameter was refused without the pointer to the docs' list of
    what daryo does not support, because the list spelt Pywr's licences the British way (``annuallicence``), which
    no Pywr file writes.  Every name in the list is one of Pywr's registered parameter types, and each of Pywr's
    types is either read or listed (but its abstract bases)."""
    parameter_registry = pytest.importorskip("pywr.parameters", reason="Pywr is a test dependency").parameter_registry

    from daryo.pywr.parameters import SUPPORTED_PARAMETERS, UNSUPPORTED_PARAMETERS

    pywr_types = {name.removesuffix("parameter") for name in parameter_registry} - {"", "index", "basecontrolcurve"}
    assert UNSUPPORTED_PARAMETERS <= pywr_types, sorted(UNSUPPORTED_PARAMETERS - pywr_types)
    assert pywr_types <= UNSUPPORTED_PARAMETERS | set(SUPPORTED_PARAMETERS), sorted(
        pywr_types - UNSUPPORTED_PARAMETERS - set(SUPPORTED_PARAMETERS))


@pytest.mark.parametrize("reservoir, expected", [
    ({"above_curve_cost": "abc"}, "nodes[res].above_curve_cost: must be a number (a cost per unit stored above the "
                                  "curve), got the text 'abc'"),
    ({"above_curve_cost": [1]}, "nodes[res].above_curve_cost: must be a number (a cost per unit stored above the "
                                "curve), got a list"),
    ({"above_curve_cost": 2.0, "control_curve": 1.5}, "nodes[res].control_curve: 1.5 is not a proportion full: give "
                                                      "one from 0 to 1 (0.7 for 70 %)"),
])
def test_a_reservoirs_curve_cost_and_level_are_checked(tmp_path, reservoir, expected):
    """A diff review: an above_curve_cost of text crashed with a traceback (float('abc')), and a control curve of 1.5
    (150 % full) was read without a word."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0},
                     {"name": "res", "type": "reservoir", "max_volume": 10.0, "initial_volume": 5.0, **reservoir},
                     {"name": "out", "type": "output"}],
           "edges": [["in", "res"], ["res", "out"]]}
    assert expected in load(tmp_path, doc)


def test_a_reservoirs_control_curve_of_null_is_pywrs_default_of_100_percent(tmp_path):
    """A diff review: ``"control_curve": null``, which Pywr reads as its default (100 %), was refused as "'None' is
    not a parameter"."""
    doc = {"metadata": {"title": "null curve", "minimum_version": "1.0"}, "timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0},
                     {"name": "res", "type": "reservoir", "max_volume": 10.0, "initial_volume": 5.0,
                      "above_curve_cost": 2.0, "control_curve": None},
                     {"name": "out", "type": "output", "max_flow": 0.5, "cost": -5}],
           "edges": [["in", "res"], ["res", "out"]]}
    path = write_model(tmp_path, doc)
    assert_same_as_pywr(path)


def test_a_pywr_files_cyrillic_text_is_quoted_as_it_is_written(tmp_path):
    """A Russian-speaking analyst's review: a storage's initial volume of "1500 млн м3" was quoted as "1500
    \\u043c\\u043b\\u043d \\u043c3" (JSON's escapes), where other messages showed the Cyrillic."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "приток", "type": "input", "max_flow": 1.0},
                     {"name": "Чарвак", "type": "storage", "max_volume": 10.0, "initial_volume": "1500 млн м3"},
                     {"name": "out", "type": "output"}],
           "edges": [["приток", "Чарвак"], ["Чарвак", "out"]]}
    msg = load(tmp_path, doc)
    assert 'nodes[Чарвак].initial_volume: "1500 млн м3" is not a number' in msg and "\\u" not in msg, msg


def test_excel_or_hdf5_data_is_told_it_must_be_csv_before_its_reader_keys(tmp_path):
    """A Pywr user's review: a dataframe of an Excel file with its ``sheet_name`` was told "unsupported key(s)
    sheet_name" first, and only once that key was dropped that the file must be CSV."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "catchment", "flow": {"type": "dataframe", "url": "flows.xlsx",
                                                                  "sheet_name": "a", "index_col": 0}},
                     {"name": "link", "type": "link", "max_flow": {"type": "dataframe", "url": "x.h5",
                                                                   "key": "flows"}},
                     {"name": "out", "type": "output"}],
           "edges": [["in", "link"], ["link", "out"]]}
    msg = load(tmp_path, doc)
    assert "nodes[in].flow: 'flows.xlsx': only CSV files are supported (convert Excel/HDF5 data to CSV)" in msg
    assert "nodes[link].max_flow: 'x.h5': only CSV files are supported (convert Excel/HDF5 data to CSV)" in msg
    assert "unsupported key" not in msg


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


def test_a_parameter_in_a_key_a_compound_node_ignores_is_refused_as_pywr_refuses_it(tmp_path):
    """Pywr takes a piecewise link's, a split's or a gauge's min_flow/max_flow/cost only as a number, which it ignores,
    and fails on a parameter ("must be real number"); daryo ran such a model, even with a parameter name that is
    not defined (a differential fuzz against Pywr).  A delay node loads them as parameters: a name must exist."""
    doc = {"timestepper": TS, "parameters": {"P": {"type": "constant", "value": 2.0}},
           "nodes": [{"name": "in", "type": "input", "max_flow": 10.0, "cost": 1.0},
                     {"name": "pw", "type": "piecewiselink", "nsteps": 2, "max_flows": [1.0, None], "costs": [-1, 1],
                      "max_flow": "no such parameter", "cost": 2.0},
                     {"name": "g", "type": "rivergauge", "mrf": 1.0, "mrf_cost": -5, "cost": "P",
                      "min_flow": {"type": "constant", "value": 2.0}},
                     {"name": "lag", "type": "delaynode", "timesteps": 1, "max_flow": "ghost", "min_flow": "P"},
                     {"name": "out", "type": "output", "cost": -10}],
           "edges": [["in", "pw"], ["pw", "g"], ["g", "lag"], ["lag", "out"]]}
    msg = load(tmp_path, doc)
    assert msg.startswith("3 problems in the model:"), msg
    for line in ("nodes[pw].max_flow: is the text 'no such parameter'; Pywr takes only a number here (and ignores "
                 "it: it sits on the piecewiselink node, which is not in the LP) and refuses a parameter; leave it out",
                 "nodes[g].min_flow: is a mapping; Pywr takes only a number here",
                 "nodes[lag].max_flow: names parameter 'ghost', which is not defined in the model's parameters"):
        assert line in msg, msg
    for node in doc["nodes"][1:3]:  # (a boolean is a number to Pywr, which loads and runs such a file; a review)
        node.update({"max_flow": True, "cost": 2.0} if node["type"] == "piecewiselink" else {"cost": 1.0})
        node.pop("min_flow", None)
    doc["nodes"][3] = {"name": "lag", "type": "delaynode", "timesteps": 1, "max_flow": "P"}
    (tmp_path / "ok.json").write_text(json.dumps(doc))
    assert daryo.load(tmp_path / "ok.json").node("pw") is not None


def test_misspelt_references_get_the_nearest_name(tmp_path):
    """A Pywr file's misspelt node, parameter or recorder names the one meant where one is clearly closest."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "inflow", "type": "input", "max_flow": "inflow_flw"},
                     {"name": "reservoir", "type": "storage", "max_volume": 10.0, "initial_volume": 5.0},
                     {"name": "town", "type": "output", "max_flow": 1.0, "cost": -10.0}],
           "edges": [["inflow", "reservoir"], ["reservoir", "twon"]],
           "parameters": {"inflow_flow": {"type": "constant", "value": 3.0}},
           "recorders": {"deliveries": {"type": "numpyarraynoderecorder", "node": "twn"},
                         "all": {"type": "aggregated", "recorders": ["deliverie"], "agg_func": "mean"},
                         # (a tables recorder's nodes may be [where, node] pairs: only the node is checked)
                         "h5": {"type": "tables", "url": "out.h5",
                                "nodes": [["/flows", "town"], ["/flows", "resrvoir"]]}}}
    msg = load(tmp_path, doc)
    assert "node '/flows'" not in msg and "['/flows', 'town']" not in msg, msg
    for line in ("nodes[inflow].max_flow: names parameter 'inflow_flw', which is not defined in the model's "
                 "parameters (did you mean 'inflow_flow'?)",
                 "edges[1]: 'twon' is not a node of the model (did you mean 'town'?)",
                 "recorders[deliveries]: node 'twn' is not a node of the model (did you mean 'town'?)",
                 "recorders[all]: recorder 'deliverie' is not defined (did you mean 'deliveries'?)",
                 "recorders[h5]: node 'resrvoir' is not a node of the model (did you mean 'reservoir'?)"):
        assert line in msg, msg


def test_misspelt_types_and_keys_get_the_nearest_name(tmp_path):
    """A review: "unsupported node type 'Lnk'" read as a limitation of daryo's, not as the typo it was."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": "flow"}, {"name": "wtw", "type": "Lnk"},
                     {"name": "res", "type": "storage", "max_volum": 10.0, "initial_volume": 5.0},
                     {"name": "out", "type": "output", "cost": -1.0, "max_flow": "cap"}],
           "edges": [["in", "res"], ["res", "out"]],
           "parameters": {"flow": {"type": "MonthlyProfile", "valuse": [1.0] * 12},
                          "cap": {"type": "ConstantParamter", "value": 2.0}}}
    msg = load(tmp_path, doc)
    for line in ("nodes[wtw]: unsupported node type 'Lnk' (did you mean 'link'?)",
                 "nodes[res]: unsupported key(s) max_volum (did you mean 'max_volume'?) for a Pywr storage node",
                 "parameters[flow]: unsupported key(s) valuse (did you mean 'values'?) for a Pywr monthlyprofile "
                 "parameter",
                 "parameters[cap]: unsupported parameter type 'ConstantParamter' (did you mean 'constantparameter'?)"):
        assert line in msg, msg


def test_a_parameters_own_problems_are_listed_with_the_conversions(tmp_path):
    """A review: a misspelt reference hid a monthly profile of three values (the loader's check, which ran only
    once the conversion succeeded), so fixing one problem revealed another; both are listed at once, each once."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": "flow"},
                     {"name": "out", "type": "output", "cost": -1.0,
                      "max_flow": {"type": "monthlyprofile", "values": [1.0, 2.0]}}],
           "edges": [["in", "out"], ["in", "ot"]],
           "parameters": {"flow": {"type": "monthlyprofile", "values": [1.0, 2.0, 3.0]},
                          "spare": {"type": "constant", "value": 1.0, "scale": "x"}}}
    msg = load(tmp_path, doc)
    assert msg.startswith("4 problems in the model:"), msg
    for line in ("edges[1]: 'ot' is not a node of the model (did you mean 'out'?)",
                 "parameters[spare].scale: 'x' is not a number",
                 "parameters[flow]: needs 12 values (January first), got 3",
                 "nodes[out].max_flow: needs 12 values (January first), got 2"):
        assert line in msg, msg
    # a node's other problem does not hide its inline parameter's (a second review)
    doc["edges"].pop()
    doc["nodes"][1]["cost"] = "nope"
    msg = load(tmp_path, doc)
    assert msg.startswith("4 problems in the model:") and "nodes[out].max_flow: needs 12 values" in msg, msg


def test_missing_csv_is_named(tmp_path):
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
                                        {"name": "out", "type": "output"}],
           "edges": [["in", "out"]],
           "parameters": {"flows": {"type": "dataframe", "url": "data/flows.csv", "index_col": "date",
                                    "parse_dates": True}}}
    msg = load(tmp_path, doc)
    assert f"parameters[flows]: CSV file 'data/flows.csv' not found (looked for {tmp_path / 'data' / 'flows.csv'})" \
        in msg



def test_a_csv_url_whose_backslashes_json_read_as_escapes_says_so(tmp_path):
    """A Windows path in JSON, ``"C:\\temp\\new.csv"``, is valid JSON holding a tab and a line break: the message
    quotes it as the file writes it (no line break of its own) and says how to write it (a Tashkent ministry
    analyst's review of the same in YAML)."""
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "input", "max_flow": "flows"},
                                        {"name": "out", "type": "output"}],
           "edges": [["in", "out"]],
           "parameters": {"flows": {"type": "dataframe", "url": "C:\temp\new.csv", "index_col": "date",
                                    "parse_dates": True}}}
    msg = load(tmp_path, doc)
    assert ('parameters[flows]: CSV file "C:\\temp\\new.csv" not found: inside double quotes a backslash starts an '
            "escape, and JSON read \\t and \\n as a tab and a line break; write the path with each backslash "
            'doubled, "C:\\\\temp\\\\new.csv", or with forward slashes, "C:/temp/new.csv"') in msg, msg
    assert "\n" not in msg.split("parameters[flows]")[1]


def test_csv_that_does_not_cover_the_run_is_named(tmp_path):
    (tmp_path / "flows.csv").write_text("date,q\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
                                        {"name": "out", "type": "output"}],
           "edges": [["in", "out"]],
           "parameters": {"flows": {"type": "dataframe", "url": "flows.csv", "index_col": "date",
                                    "parse_dates": True}}}
    (tmp_path / "model.json").write_text(json.dumps(doc))  # loads; the run finds the missing dates
    with pytest.raises(daryo.ModelError, match=r"model.json: .*flows.csv: the file has no value for 2001-04-01 .* "
                                               r"\(read for parameters\[flows\]\)"):  # (the model file was not named)
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


def test_an_included_key_of_another_kind_is_named_in_words(tmp_path):
    """A list included into the main file's mapping: the message names both kinds as the other messages do (it
    named Python's types, and since JSON objects remember their lines, their class)."""
    (tmp_path / "inc.json").write_text('{"parameters": [1, 2]}')
    doc = {"timestepper": TS, "includes": ["inc.json"], "parameters": {"p": {"type": "constant", "value": 1}},
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0}, {"name": "out", "type": "output"}],
           "edges": [["in", "out"]]}
    assert (f"{tmp_path / 'inc.json'}: parameters: a list cannot be merged into the main file's value, a mapping"
            in load(tmp_path, doc))


def test_problems_in_an_included_file_name_that_file_and_its_own_places(tmp_path):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "more.json").write_text(json.dumps({
        "nodes": [{"name": "vs", "type": "monthlyvirtualstorage", "nodes": ["a"]},
                  {"name": "x", "type": "link", "max_flow": "ghost"}],
        "edges": [["in", "x"], ["x", "nowhere"]],
        "parameters": {"p": {"type": "rbfprofile"}}}))
    doc = {"timestepper": TS, "includes": ["parts/more.json"],
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0}, {"name": "a", "type": "link"},
                     {"name": "out", "type": "output", "max_flow": "p"}],
           "edges": [["in", "a"], ["a", "out"], ["a", "gone"]]}
    msg = load(tmp_path, doc)
    more, main_file = tmp_path / "parts" / "more.json", tmp_path / "model.json"
    for line in (f"{more}: nodes[vs]: unsupported node type 'monthlyvirtualstorage'",
                 f"{more}: nodes[x].max_flow: names parameter 'ghost', which is not defined",
                 f"{more}: edges[1]: 'nowhere' is not a node of the model",  # its own second edge, not the fifth
                 f"{more}: parameters[p]: unsupported parameter type 'rbfprofile'",
                 f"{main_file}: edges[2]: 'gone' is not a node of the model"):
        assert line in msg, msg


def test_included_scalars_repeats_and_non_list_includes_are_named(tmp_path):
    (tmp_path / "a.json").write_text('{"includes": ["a.json"], "metadata": "x", "tables": 5}')
    doc = {"timestepper": TS, "includes": ["a.json"],
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0}, {"name": "out", "type": "output"}],
           "edges": [["in", "out"]]}
    msg = load(tmp_path, doc)
    assert "model.json: includes: 'a.json' is included more than once (or includes itself)" in msg
    assert f"{tmp_path / 'a.json'}: metadata: an included key needs a list or a mapping (got \"x\")" in msg
    assert f"{tmp_path / 'a.json'}: tables: an included key needs a list or a mapping (got 5)" in msg
    msg = load(tmp_path, {**doc, "includes": "a.json"})
    assert "model.json: includes: needs a list of file names" in msg


def test_unsupported_timestep_and_scenario_slices(tmp_path):
    doc = {"timestepper": {**TS, "timestep": "W"}, "scenarios": [{"name": "s", "size": 4, "slice": [0, 2]}],
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0}, {"name": "out", "type": "output"}],
           "edges": [["in", "out"]]}
    msg = load(tmp_path, doc)
    assert "timestepper.timestep: unsupported timestep 'W'; use a number of days, 'ND' or 'M'" in msg
    assert "scenarios[s]: unsupported key(s) slice (scenario slices are not supported: every member runs)" in msg


@pytest.mark.parametrize("timestepper, expected", [
    ({"start": "2001-01-01", "end": "2001-12-31", "timestpe": 7},
     "timestepper.timestpe: unknown key 'timestpe' (did you mean 'timestep'?)"),
    ({"start": "2001-01-01", "end": "2001-12-31"}, 'timestepper: needs timestep: a number of days (1, 7, "7D") or '
                                                   '"M" (months), as Pywr does (it refuses a timestepper without one)'),
])
def test_a_timestepper_without_its_timestep_is_refused_not_run_daily(tmp_path, timestepper, expected):
    """A Pywr user's review: a misspelt or missing timestep ran the model in daily steps without a word (Pywr
    refuses both: KeyError 'timestep')."""
    doc = {"timestepper": timestepper, "nodes": [{"name": "in", "type": "input", "max_flow": 1.0},
                                                 {"name": "out", "type": "output"}], "edges": [["in", "out"]]}
    msg = load(tmp_path, doc)
    assert expected in msg and msg.startswith("1 problem in the model"), msg


def test_a_misspelt_key_of_a_scenario_is_named_as_one(tmp_path):
    """A Pywr user's review: "ensemble_name" was said to be a scenario slice or combination."""
    doc = {"timestepper": TS, "scenarios": [{"name": "climate", "size": 2, "ensemble_name": ["wet", "dry"]}],
           "nodes": [{"name": "in", "type": "input", "max_flow": 1.0}, {"name": "out", "type": "output"}],
           "edges": [["in", "out"]]}
    msg = load(tmp_path, doc)
    assert "scenarios[climate]: unsupported key(s) ensemble_name (did you mean 'ensemble_names'?)\n" in msg + "\n", msg


def test_aggregated_node_over_a_compound_node_is_refused():
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 5.0},
                     {"name": "gauge", "type": "rivergauge", "mrf": 1.0, "mrf_cost": -5.0},
                     {"name": "out", "type": "output", "cost": -1.0},
                     {"name": "agg", "type": "aggregatednode", "nodes": ["gauge"], "max_flow": 2.0}],
           "edges": [["in", "gauge"], ["gauge", "out"]]}
    with pytest.raises(daryo.ModelError, match=r"nodes\[agg\]\.nodes: 'gauge' is a rivergauge node, which has no "
                                                r"flow of its own in Pywr's LP \(Pywr refuses it in an aggregated "
                                                r"node\); put a plain link on its route and list that instead"):
        convert_pywr_document(doc)


# ------------------------------------------------------------------------------------------ data files
def _flows_model(tmp_path, flows: dict, tables: dict | None = None) -> Path:
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "input", "min_flow": "flows", "max_flow": "flows"},
                                        {"name": "out", "type": "output"}],
           "edges": [["in", "out"]], "parameters": {"flows": flows}, **({"tables": tables} if tables else {})}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    return path


GZ = gzip.compress(b"date,q\n" + b"2001-01-01,1\n" * 500)


@pytest.mark.parametrize("url, content, reason", [
    ("flows.csv", b'date,q\n2001-01-01,1\n"2001-02-01,2\n',
     'line 3: the quote (") that opens a value on this line is never closed'),
    ("flows.csv", b"", "the file is empty"),
    ("flows.csv", b"date,q\n2001-01-01,\xff\n",
     "line 2: not UTF-8 text (byte 0xff); save it as UTF-8 (from Windows-1251"),
    ("flows.csv.gz", b"date,q\n", "Not a gzipped file"),
    ("flows.csv.gz", GZ[: len(GZ) // 2], "Compressed file ended before the end-of-stream marker was reached"),
], ids=["unclosed-quote", "empty", "not-utf8", "not-gzip", "truncated-gzip"])
@pytest.mark.parametrize("index_col", ["date", 0])
def test_malformed_dataframe_csv_is_one_error_naming_the_file(tmp_path, capsys, url, content, reason, index_col):
    (tmp_path / url).write_bytes(content)
    path = _flows_model(tmp_path, {"type": "dataframe", "url": url, "index_col": index_col, "parse_dates": True})
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"1 problem in the model:\n  - {path}: parameters[flows]: CSV file '{url}' cannot be read: {reason}" in err


def test_a_gzipped_csv_named_gz_is_read_as_pywr_reads_it(tmp_path):
    """Pywr reads a file whose name ends in .gz as a gzipped CSV (its Thames example's flows); daryo refused it as
    not CSV."""
    (tmp_path / "flows.gz").write_bytes(gzip.compress(b"date,q\n" + b"".join(
        f"2001-{m:02d}-01,{m}\n".encode() for m in range(1, 13))))
    path = _flows_model(tmp_path, {"type": "dataframe", "url": "flows.gz", "index_col": "date", "parse_dates": True})
    ds = daryo.run(daryo.load(path)).dataset
    days = ds["days"].values
    np.testing.assert_allclose(ds["node_flow"].sel(node="in").values[0], np.arange(1, 13) * days, rtol=1e-12)


def test_malformed_table_csv_is_one_error_naming_the_file(tmp_path):
    (tmp_path / "caps.csv").write_text('name,cap\ntown,3\n"farm,4\n')
    path = _flows_model(tmp_path, {"type": "constant", "table": "caps", "index": "town", "column": "cap"},
                        {"caps": {"url": "caps.csv", "index_col": "name"}})
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}: parameters[flows]: CSV file 'caps.csv' cannot be read: line 3: the quote (\") that opens a value on "
        "this line is never closed: the rest of the file would be read as that one value; close the quote, or remove "
        "it (read with index_col='name')"]


def test_table_reading_options_that_pandas_refuses_are_named(tmp_path):
    (tmp_path / "caps.csv").write_text("name,cap\ntown,3\n")
    path = _flows_model(tmp_path, {"type": "constant", "table": "caps", "index": "town", "column": "cap"},
                        {"caps": {"url": "caps.csv", "index_col": "id"}})
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}: parameters[flows]: CSV file 'caps.csv' cannot be read: Index id invalid (read with index_col='id')"]


_NOT_PASSED = ("is not a reading option daryo passes to pandas{} (it reads a table's CSV with the options Pywr's "
               "models use, listed in docs/pywr.md); remove it")


@pytest.mark.parametrize("table, reason", [
    ({"sep": 5}, "sep 5 must be one character, or \\s+ (any run of spaces and tabs)"),
    ({"sep": "(a|a)+b", "engine": "python"},
     "sep '(a|a)+b' must be one character, or \\s+ (any run of spaces and tabs)"),
    ({"skiprow": 1}, "'skiprow' " + _NOT_PASSED.format(" (did you mean 'skiprows'?)")),
    ({"iterator": True}, "'iterator' " + _NOT_PASSED.format("")),
    ({"chunksize": 1}, "'chunksize' " + _NOT_PASSED.format("")),
    ({"engine": "python"}, "engine 'python' must be \"c\", pandas' own reader"),
    ({"converters": {"cap": "eval"}}, "'converters' " + _NOT_PASSED.format("")),
], ids=["sep-number", "sep-regex", "misspelt", "iterator", "chunksize", "engine", "converters"])
def test_table_reading_options_daryo_does_not_pass_to_pandas_are_named(tmp_path, table, reason):
    """The UN Centre's security reviewer: a table's keys went to pandas.read_csv as they were; a regular expression
    as separator (read by pandas' Python engine) took minutes on one crafted line of 33 characters, and
    ``iterator`` or ``chunksize`` made pandas return a reader, not a table, which ended in a traceback.  Only the
    reading options Pywr's models use are passed on, each value checked; the file is not read at all."""
    (tmp_path / "caps.csv").write_text("name,cap\n" + "a" * 32 + "!\n")
    path = _flows_model(tmp_path, {"type": "constant", "table": "caps", "index": "town", "column": "cap"},
                        {"caps": {"url": "caps.csv", "index_col": "name", **table}})
    start = time.perf_counter()
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path)
    assert time.perf_counter() - start < 0.5
    messages = [str(p) for p in err.value.problems]
    assert messages[0].startswith(f"{path}: parameters[flows]: table 'caps': {reason}"), messages
    assert not any("cannot be read" in m for m in messages)


def test_an_inline_reference_s_reading_options_are_checked_too(tmp_path, capsys):
    """The UN Centre's security reviewer: the options of a parameter's own url go to pandas as a table's do."""
    (tmp_path / "caps.csv").write_text("name,cap\ntown,3\n")
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "input", "max_flow": {
        "url": "caps.csv", "index_col": "name", "index": "town", "column": "cap", "chunksize": 1}},
        {"name": "out", "type": "output"}], "edges": [["in", "out"]]}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{path}: nodes[in].max_flow: the reading of 'caps.csv': 'chunksize' {_NOT_PASSED.format('')}" in err


def test_table_reading_options_pywr_models_use_are_read(tmp_path):
    """Whitespace-separated, with a thousands separator, a skipped row and values read as missing: read as
    pandas reads them for Pywr."""
    (tmp_path / "caps.csv").write_text("a note\nname  cap\ntown  1.250\nfarm  n/a\n")
    path = _flows_model(tmp_path, {"type": "constant", "table": "caps", "index": "town", "column": "cap"},
                        {"caps": {"url": "caps.csv", "index_col": "name", "sep": "\\s+", "skiprows": 1,
                                  "thousands": ".", "na_values": ["n/a"], "engine": "c", "encoding": "utf-8"}})
    doc = json.loads(path.read_text())
    assert convert_pywr_document(doc, path)["parameters"]["flows"]["value"] == 1250.0


def test_dataframe_options_daryo_cannot_honour_are_refused(tmp_path):
    (tmp_path / "flows.csv").write_text("date;q\n2001-01-01;1\n")
    path = _flows_model(tmp_path, {"type": "dataframe", "table": "flows"},
                        {"flows": {"url": "flows.csv", "index_col": "date", "parse_dates": True, "sep": ";",
                                   "header": 0}})
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}: parameters[flows]: table 'flows' sets sep=';': a dataframe parameter's CSV is read with pandas' "
        "defaults (comma-separated, one header row, no rows skipped); rewrite the file so, or remove the option"]


@pytest.mark.parametrize("index_col, message", [
    (2, "index_col 2 is not a column of CSV file 'flows.csv', which has 2: date, q"),
    (-3, "index_col -3 is not a column of CSV file 'flows.csv', which has 2: date, q"),
    ([0], "index_col [0] is not supported: give the date column's name or number"),
])
def test_dataframe_index_col_that_names_no_column_is_refused(tmp_path, index_col, message):
    (tmp_path / "flows.csv").write_text("date,q\n2001-01-01,1\n")
    path = _flows_model(tmp_path, {"type": "dataframe", "url": "flows.csv", "index_col": index_col})
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path)
    assert [str(p) for p in err.value.problems] == [f"{path}: parameters[flows]: {message}"]


@pytest.mark.parametrize("index_col", [0, -2, "date"])
def test_dataframe_index_col_counts_from_the_end_as_pandas_does(tmp_path, index_col):
    """Of the two columns date, q: index_col 0 and -2 (the first from the end) are both the date column."""
    (tmp_path / "flows.csv").write_text("date,q\n2001-01-01,1\n")
    path = _flows_model(tmp_path, {"type": "dataframe", "url": "flows.csv", "index_col": index_col})
    doc = json.loads(path.read_text())
    assert convert_pywr_document(doc, path)["parameters"]["flows"] == {
        "type": "dataframe", "csv": "flows.csv", "dayfirst": False, "index_col": "date"}


_BASE_NODES = [{"name": "in", "type": "input", "max_flow": 20.0}, {"name": "a", "type": "link", "max_flow": 10.0},
               {"name": "use", "type": "output", "cost": -5.0}]
_DAM = {"name": "dam", "type": "storage", "max_volume": 10.0, "initial_volume": 5.0}


@pytest.mark.parametrize("extra, expected", [
    ({"parameters": {"p": {"type": "constant", "value": 3.0, "scale": "x"}}},
     "parameters[p].scale: 'x' is not a number"),
    ({"parameters": {"p": {"type": "max", "parameter": 3.0, "threshold": "x"}}},
     "parameters[p].threshold: 'x' is not a number"),
    ({"parameters": {"p": {"type": "offset", "parameter": 3.0, "offset": "x"}}},
     "parameters[p].offset: 'x' is not a number"),
    ({"parameters": {"p": {"type": "dataframe", "url": "f.csv", "index_col": "date", "parse_dates": True,
                           "timestep_offset": "x"}}},
     "parameters[p].timestep_offset: 'x' is not a whole number of steps"),
    ({"nodes": [*_BASE_NODES, _DAM], "parameters": {"p": {
        "type": "interpolatedvolume", "node": "dam", "volumes": [0, 10], "values": [0, 1], "interp_kwargs": [1]}}},
     "parameters[p].interp_kwargs: needs a mapping of keyword arguments"),
    ({"parameters": [1, 2]}, "parameters: needs a mapping (JSON object), got a list"),
    ({"recorders": [1, 2]}, "recorders: needs a mapping (JSON object), got a list"),
    ({"metadata": [1]}, "metadata: needs a mapping (JSON object), got a list"),
    ({"tables": [1]}, "tables: needs a mapping (JSON object), got a list"),
    ({"recorders": {"r": {"type": "totalflownode", "node": ["a"]}}},
     'recorders[r].node: needs a node name, got ["a"]'),
    ({"nodes": [*_BASE_NODES, {"name": "sp", "type": "riversplit", "factors": [1, 1], "slot_names": 5}]},
     "nodes[sp].slot_names: needs a list of slot names (text or whole numbers)"),
    ({"nodes": [*_BASE_NODES, {"name": "g", "type": "aggregatednode", "nodes": ["a"], "flow_weights": ["x"]}]},
     "nodes[g].flow_weights: needs a list of numbers, one per node"),
    ({"nodes": [*_BASE_NODES, {"name": "g", "type": "aggregatednode", "nodes": ["a", ["x"]]}]},
     "nodes[g].nodes: needs a list of node names"),
    ({"edges": [["in", "a", [1], None], ["a", "use"]]},
     "edges[0]: an edge's slots are names or whole numbers (or null)"),
    ({"edges": [[["in"], "a"], ["a", "use"]]}, "edges[0]: an edge's first two items are node names"),
    ({"nodes": [*_BASE_NODES, {"name": "g", "type": "aggregatednode", "nodes": ["in", "a"], "flow_weights": [2]}]},
     "nodes[g].flow_weights: needs a list of numbers, one per node"),
    ({"nodes": [*_BASE_NODES, {"name": "g", "type": "aggregatednode", "nodes": ["in", "a"], "factors": [1, -2]}]},
     "nodes[g].factors: -2 is negative: flows are split in proportion to factors of 0 or more"),
    ({"nodes": [*_BASE_NODES, {"name": "sp", "type": "riversplit", "factors": [1, -1]}]},
     "nodes[sp].factors: -1 is negative: flows are split in proportion to factors of 0 or more"),
    ({"nodes": [*_BASE_NODES, {"name": "ll", "type": "losslink", "loss_factor": -0.5}]},
     "nodes[ll].loss_factor: -0.5 is negative: a loss factor is 0 or more"),
    ({"timestepper": {**TS, "end": ""}}, "timestepper.end: '' is not a date (give YYYY-MM-DD)"),
    ({"timestepper": {**TS, "start": "2001-01-01T00:00+05:00"}},
     "timestepper.start: '2001-01-01T00:00+05:00' has a time zone; give a date without one (give YYYY-MM-DD)"),
    ({"nodes": [*_BASE_NODES, _DAM], "parameters": {"p": {"type": "storage", "storage_node": ["dam"]}}},
     "parameters[p]: storage_node '['dam']' is not a storage node of the model"),
    ({"parameters": {"p": {"type": "constantscenario", "scenario": ["s"], "values": [1.0]}}},
     "parameters[p]: scenario '['s']' is not declared in the model's scenarios"),
    ({"parameters": {"p": {"type": "constant", "table": ["t"], "index": 0}}},
     "parameters[p]: table '['t']' is not defined in the model's tables"),
])
def test_malformed_values_are_named_not_tracebacks(tmp_path, extra, expected):
    (tmp_path / "f.csv").write_text("date,v\n2001-01-01,1\n2001-02-01,2\n")
    doc = {"timestepper": TS, "nodes": _BASE_NODES, "edges": [["in", "a"], ["a", "use"]], **extra}
    msg = load(tmp_path, doc)
    assert msg == f"1 problem in the model:\n  - {tmp_path / 'model.json'}: {expected}"


def test_an_inline_parameter_with_the_name_of_another_is_refused(tmp_path):
    """Pywr refuses two parameters of one name; daryo used the first one's values for both."""
    doc = {"timestepper": TS, "nodes": [
        {"name": "in", "type": "input", "max_flow": 100.0},
        {"name": "a", "type": "output", "cost": -10, "max_flow": {"type": "constant", "name": "demand", "value": 2}},
        {"name": "b", "type": "output", "cost": -10, "max_flow": {"type": "constant", "name": "demand", "value": 7}},
        {"name": "c", "type": "output", "cost": -10, "max_flow": {"type": "constant", "name": "cap", "value": 7}}],
        "edges": [["in", "a"], ["in", "b"], ["in", "c"]], "parameters": {"cap": {"type": "constant", "value": 1}}}
    msg = load(tmp_path, doc)
    assert msg.startswith("2 problems in the model:")
    assert ("nodes[b].max_flow: an inline parameter named 'demand', as is the parameter at nodes[a].max_flow: Pywr "
            "refuses two parameters of one name; rename one of them") in msg
    assert "nodes[c].max_flow: an inline parameter named 'cap', as is the parameter at parameters[cap]" in msg


def _dataframe_model(tmp_path, csv: str, rows: list[str], end: str, start: str = "2001-01-01") -> dict:
    """A daily Pywr model whose input's max_flow is a dataframe parameter ``q`` of the CSV file ``csv`` (written
    with a header ``date,q`` and ``rows``)."""
    (tmp_path / csv).write_text("date,q\n" + "\n".join(rows))
    return {"timestepper": {"start": start, "end": end, "timestep": 1},
            "nodes": [{"name": "in", "type": "input", "max_flow": "q"}, {"name": "sea", "type": "output"}],
            "edges": [["in", "sea"]],
            "parameters": {"q": {"type": "dataframe", "url": csv, "index_col": "date", "parse_dates": True}}}


def test_weekly_data_files_are_refused(tmp_path):
    """Pywr reads a weekly row as the week ending on its date (pandas' W-MON… periods); daryo would read it as
    the week starting on it, one row off, so the importer refuses weekly files."""
    dates = pd.date_range("2000-12-25", periods=20, freq="7D")
    doc = _dataframe_model(tmp_path, "w.csv", [f"{d:%Y-%m-%d},{i}" for i, d in enumerate(dates)], "2001-03-31")
    msg = load(tmp_path, doc)
    assert ("parameters[q]: CSV file 'w.csv' has weekly dates (W-MON): Pywr reads each row as the week ending on "
            "its date, daryo as the 7 days starting on it; give the file daily rows instead") in msg
    # written day first (01/01/2001, 08/01/2001…) and said so: the check read them month first, failed on the
    # 15th, found no weekly dates, and the file was read a week off (a review)
    dates = pd.date_range("2001-01-01", periods=20, freq="7D")
    (tmp_path / "w.csv").write_text("date,q\n" + "\n".join(f"{d:%d/%m/%Y},{i}" for i, d in enumerate(dates)))
    doc["parameters"]["q"]["dayfirst"] = True
    assert "parameters[q]: CSV file 'w.csv' has weekly dates (W-MON)" in load(tmp_path, doc)


@pytest.mark.parametrize("doc", [
    {"version": 1, "time": {"start": "2001-01", "end": "2001-03"}, "nodes": [{"id": "a", "type": "inflow"}],
     "edges": []},
    {"version": 1},  # a version is what tells the loader a daryo document
    {"time": {"start": "2001-01", "end": "2001-03"}, "nodes": [{"id": "a", "type": "inflow"}]},  # no version yet
])
def test_a_daryo_model_document_is_one_problem_not_a_list_of_pywr_ones(doc):
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "basin.yaml")
    assert [str(p) for p in err.value.problems] == [
        "basin.yaml: this file is read as a daryo model, not a Pywr JSON model (which has a 'timestepper' and "
        "nodes with 'name'): there is nothing to convert (daryo reads it as it is)"]


def test_a_pywr_document_with_a_stray_version_is_still_read_as_pywr(tmp_path):
    doc = {"timestepper": TS, "version": 1, "nodes": [{"name": "in", "type": "input"}], "edges": []}
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "m.json")
    assert "version: unsupported top-level key 'version'" in str(err.value)
    assert load(tmp_path, doc) == str(err.value).replace("m.json", str(tmp_path / "model.json"))  # the loader too


def test_a_bisection_search_model_is_refused_saying_what_its_section_is():
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "input"}], "edges": [],
           "bisection": {"parameter": "demand", "lower_bound": 0, "upper_bound": 10, "error_on_infeasible": False}}
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "m.json")
    assert "m.json: bisection: unsupported top-level key 'bisection' (the search of Pywr's BisectionSearchModel, " \
           "which runs the model many times to find a parameter's largest feasible value: daryo runs a model once)" \
           in str(err.value)


def test_a_daryo_model_with_a_stray_timestepper_is_still_read_as_daryo(tmp_path):
    """A version and nodes with ids: a daryo model, whose one problem is the key it does not know (the converter
    would list seven, none of them the point)."""
    doc = {"version": 1, "timestepper": TS, "time": {"start": "2001-01", "end": "2001-03"},
           "nodes": [{"id": "in", "type": "inflow", "inflow": 1}, {"id": "sea", "type": "sink"}],
           "edges": [["in", "sea"]]}
    msg = load(tmp_path, doc)
    assert msg.startswith(f"1 problem in the model:\n  - {tmp_path / 'model.json'}: timestepper (line 1): unknown "
                          "top-level key 'timestepper'")


@pytest.mark.parametrize("text", ["[1, 2]", "null", "3"])
def test_converting_a_document_that_is_no_mapping_is_one_problem(tmp_path, capsys, text):
    src = tmp_path / "odd.json"
    src.write_text(text)
    assert main(["convert", str(src), "-o", str(tmp_path / "out.yaml")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"{src}:" in err


def test_a_pywr_model_without_its_timestepper_is_told_so(tmp_path):
    doc = {"nodes": [{"name": "in", "type": "input", "max_flow": 1}, {"name": "sea", "type": "output"}],
           "edges": [["in", "sea"]]}
    path = tmp_path / "model.json"
    assert load(tmp_path, doc) == (f"2 problems in the model:\n  - {path}: read as a Pywr model, since it has no "
                                   "'version' and its nodes have a 'name' and no 'id': a daryo model file starts "
                                   f"with 'version: 1' and gives each node an 'id'\n"
                                   f"  - {path}: timestepper: needs start and end")


def test_a_missing_type_a_slot_of_a_node_without_slots_and_a_scenario_without_size_are_named(tmp_path):
    """From a QA pass: these said "unsupported node type 'None'", "its slots are " (nothing after it) and
    "has 2 values but scenario 's' has 1 members" (a missing size was taken as 1; Pywr refuses it); scenario
    combinations were reported twice."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 3.0}, {"name": "l"},
                     {"name": "out", "type": "output", "cost": -1.0, "max_flow": "p"}],
           "edges": [["in", "out", "zz", None]],
           "scenarios": [{"name": "s"}], "scenario_combinations": [[0]],
           "parameters": {"p": {"type": "constantscenario", "scenario": "s", "values": [1.0, 2.0]}}}
    msg = load(tmp_path, doc)
    assert msg.startswith("4 problems in the model:") and msg.count("scenario_combinations") == 1, msg
    for line in ("nodes[l]: missing 'type'; a node needs a name and a type",
                 "edges[0]: 'in' has no slot 'zz'; a Pywr input node has no slots",
                 "scenarios[s]: a scenario needs a size (its number of members)"):
        assert line in msg, msg


_SLOT_EDGES = [["in", "dam"], ["dam", "town"], ["dam", "sea"]]


@pytest.mark.parametrize(("slots", "edges", "problem"), [
    ({"outputs": 0}, _SLOT_EDGES,
     "edges[0]: 'dam' has outputs: 0, so no water can enter it (a Pywr storage's outputs are the slots water "
     "enters it by); Pywr refuses this edge"),
    ({"inputs": 0}, _SLOT_EDGES, "edges[1], edges[2]: 'dam' has inputs: 0, so no water can leave it"),
    ({"inputs": 2}, _SLOT_EDGES, "edges[1], edges[2]: 'dam' has 2 slots (inputs: 2): the edge names one as its "
                                 "from_slot (0 to 1)"),
    ({"inputs": 2}, [["in", "dam"], ["dam", "town", 2, None], ["dam", "sea", 0, None]],
     "edges[1]: 'dam' has no slot 2; its slots (inputs: 2) are numbered 0 to 1"),
    ({}, [["in", "dam", None, 5], ["dam", "town"], ["dam", "sea"]],
     "edges[0]: 'dam' has no slot 5; its slots (outputs: 1) are numbered 0 to 0"),
    ({}, [["in", "dam"], ["dam", "town", "0", None], ["dam", "sea"]],
     "edges[1]: 'dam' has no slot '0'; its slots (inputs: 1) are numbered 0 to 0"),
    ({"outputs": 1.5}, _SLOT_EDGES, "nodes[dam].outputs: 1.5 must be a whole number ≥ 0 (the number of the "
                                    "storage's slots)"),
    ({"inputs": "x"}, [["in", "dam"], ["in", "town"], ["in", "sea"]], "nodes[dam].inputs: 'x' must be a whole number"),
    ({}, [["in", "dam"], ["dam", "town", None, 0], ["dam", "sea"]],
     "edges[1]: 'town' has no slot 0; a Pywr output node has no slots"),
    ({"inputs": 2}, [["in", "dam"], ["dam", "town", 0, None], ["dam", "sea", 0, None]],
     "nodes[dam].inputs: no edge leaves by slot 1 of its 2, which Pywr refuses (a slot on no route from an input "
     "to an output)"),
    ({"inputs": 2, "outputs": 1}, [["in", "dam", None, 0], ["dam", "town", 0, None], ["dam", "sea", 1, None]], None),
    ({"inputs": 2}, [["in", "dam"], ["dam", "town", -2, None], ["dam", "sea", -1, None]], None),
])
def test_a_pywr_storages_slots_are_read_as_pywr_reads_them(tmp_path, slots, edges, problem):
    """A Pywr storage has ``inputs`` slots by which water leaves it and ``outputs`` by which it enters (1 each
    unless given), numbered from 0 (and from -1 back, as Python's list indices); with more than one, an edge
    names its slot, and each is used.  daryo ran a storage with ``outputs: 0`` and an edge into it, which Pywr
    refuses (a QA pass); it refuses each of these models Pywr refuses, and reads those Pywr reads as edges of
    the one reservoir."""
    model = pytest.importorskip("pywr.model", reason="Pywr is a test dependency")
    doc = {"metadata": {"title": "slots", "minimum_version": "1.0"}, "timestepper": TS,
           "nodes": [{"name": "in", "type": "catchment", "flow": 5.0},
                     {"name": "dam", "type": "storage", "max_volume": 200, "initial_volume": 150, **slots},
                     {"name": "town", "type": "output", "max_flow": 8.0, "cost": -10},
                     {"name": "sea", "type": "output"}],
           "edges": edges}
    if problem is None:  # (the same flows and volumes as Pywr's)
        results = assert_same_as_pywr(write_model(tmp_path, doc))
        assert float(np.max(results["dam"])) > 0
        return
    with pytest.raises((RuntimeError, ValueError, IndexError, TypeError, model.ModelStructureError)):
        model.Model.load(json.loads(json.dumps(doc))).run()
    msg = load(tmp_path, doc)
    assert problem in msg and "problem" in msg.splitlines()[0], msg  # (at each edge it concerns: one line)


@pytest.mark.parametrize("edge", [["dam", "saa", 1, None], ["dam", "sea", 1.0, None]])
def test_a_storage_at_an_edge_refused_is_not_also_told_a_slot_is_idle(tmp_path, edge):
    """An edge from a storage of two slots refused for another reason (an unknown node, a slot that is no whole
    number) left its slot counted as unused: a second problem, "no edge leaves by slot 1", that was not one."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "catchment", "flow": 5.0},
                     {"name": "dam", "type": "storage", "max_volume": 200, "initial_volume": 150, "inputs": 2},
                     {"name": "town", "type": "output", "max_flow": 8.0, "cost": -10},
                     {"name": "sea", "type": "output"}],
           "edges": [["in", "dam"], ["dam", "town", 0, None], edge]}
    msg = load(tmp_path, doc)
    assert "1 problem" in msg.splitlines()[0] and "edges[2]" in msg and "no edge leaves" not in msg, msg


@pytest.mark.parametrize(("nsteps", "problem"), [
    ({}, "nodes[pw]: missing 'nsteps' (a whole number ≥ 1)"),
    ({"nsteps": 0}, "nodes[pw].nsteps: '0' must be a whole number ≥ 1"),
    ({"nsteps": None}, "nodes[pw].nsteps: is null; give a whole number ≥ 1"),
])
def test_a_piecewise_link_without_its_number_of_sublinks_is_told_so(tmp_path, nsteps, problem):
    """A QA pass on Pywr's own test models: a piecewiselink without nsteps (which Pywr refuses too) was told
    "nsteps: 'None' must be a whole number ≥ 1"."""
    doc = {"timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 3.0},
                     {"name": "pw", "type": "piecewiselink", "max_flows": [1.0, None], "costs": [-1.0, 0.0],
                      **nsteps},
                     {"name": "out", "type": "output"}],
           "edges": [["in", "pw"], ["pw", "out"]]}
    msg = load(tmp_path, doc)
    assert problem in msg and "1 problem" in msg.splitlines()[0], msg  # (not the lists, of 2 values each, too)


@pytest.mark.parametrize(("node", "slot"), [
    ({"type": "losslink", "loss_factor": 0.1}, 0),
    ({"type": "delaynode", "timesteps": 1}, 1),
    ({"type": "piecewiselink", "nsteps": 2, "max_flows": [2.0, None], "costs": [-5.0, 0.0]}, 1),
    ({"type": "rivergauge", "mrf": 1.0, "mrf_cost": -20.0}, -1),
    ({"type": "breaklink"}, "spill"),
])
def test_a_from_slot_on_a_node_of_one_exit_is_ignored_as_pywr_ignores_it(tmp_path, node, slot):
    """Pywr gives an edge leaving a piecewise, loss, delay, break link or gauge the node's one exit whatever slot
    it names; daryo refused the model ("'x' has no slot 0"), as a QA pass found."""
    doc = {"metadata": {"title": "slots", "minimum_version": "1.0"}, "timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 10.0},
                     {"name": "x", **node},
                     {"name": "out", "type": "output", "max_flow": 4.0, "cost": -10}],
           "edges": [["in", "x"], ["x", "out", slot, None]]}
    results = assert_same_as_pywr(write_model(tmp_path, doc))
    assert float(np.max(results["out"])) > 0 or node["type"] == "delaynode"  # (nothing asks water into a delay)


@pytest.mark.parametrize(("edges", "names", "problem"), [
    ([["x", "a", "0", None], ["x", "b", "1", None]], None, "edges[1]: 'x' has no slot '0'; its slots are 0, 1"),
    ([["x", "a", 0, None], ["x", "b", 1, None]], ["0", "1"], "edges[1]: 'x' has no slot 0; its slots are '0', '1'"),
    ([["x", "a", "s", None], ["x", "b", "s", None]], ["s", "s"],
     "nodes[x].slot_names: 's' names two slots; each slot needs a name of its own"),
])
def test_a_split_slot_is_found_by_its_name_as_written(tmp_path, edges, names, problem):
    """Pywr finds a split's slot by equality: '0' is not slot 0 (daryo matched them as text and ran models Pywr
    refuses); two slots of one name were told as a junction without edges."""
    pywr_model = pytest.importorskip("pywr.model", reason="Pywr is a test dependency")
    doc = {"metadata": {"title": "slots", "minimum_version": "1.0"}, "timestepper": TS,
           "nodes": [{"name": "in", "type": "input", "max_flow": 10.0},
                     {"name": "x", "type": "riversplit", "factors": [1, 2],
                      **({"slot_names": names} if names else {})},
                     {"name": "a", "type": "output", "max_flow": 4.0, "cost": -10},
                     {"name": "b", "type": "output", "max_flow": 8.0, "cost": -5}],
           "edges": [["in", "x"], *edges]}
    with pytest.raises((ValueError, pywr_model.ModelStructureError)):
        pywr_model.Model.load(json.loads(json.dumps(doc))).run()
    msg = load(tmp_path, doc)
    assert problem in msg and ("1 problem" in msg.splitlines()[0]) == (names == ["s", "s"]), msg


_LOSSY = [{"name": "in", "type": "input", "max_flow": 10.0}, {"name": "out", "type": "output", "cost": -1.0}]


@pytest.mark.parametrize("extra, said", [
    ({"loss_factor": float("nan")}, "nodes[canal].loss_factor: is not a number (NaN): give a loss factor of 0 or "
                                    "more"),
    ({"loss_factor": float("inf"), "loss_factor_type": "gross"},
     "nodes[canal].loss_factor: is infinite: give a loss factor of 0 or more (a gross one up to 1: all lost)")])
def test_a_loss_factor_pywrs_solver_stops_on_is_refused(tmp_path, extra, said):
    """A NaN loss factor (or an infinite gross one), which stops Pywr's GLPK, ran with no loss at all."""
    doc = {"timestepper": TS, "nodes": [*_LOSSY, {"name": "canal", "type": "losslink", **extra}],
           "edges": [["in", "canal"], ["canal", "out"]]}
    assert said in load(tmp_path, doc)


@pytest.mark.parametrize("start, said", [
    (2015, "timestepper.start: 2015 is not a date: give it as text, \"YYYY-MM-DD\""),
    (None, "timestepper.start: null is not a date: give it as text, \"YYYY-MM-DD\"")])
def test_a_date_that_is_not_text_is_refused(tmp_path, start, said):
    """2015 ran from 2015-01-01, where Pywr reads a number as nanoseconds after 1970."""
    doc = {"timestepper": {**TS, "start": start}, "nodes": _LOSSY, "edges": [["in", "out"]]}
    assert said in load(tmp_path, doc)


def test_an_indexed_array_indexed_by_a_parameter_that_is_no_index_is_refused(tmp_path):
    """A constant 1.7 as the index ran as index 1, where Pywr refuses it."""
    doc = {"timestepper": TS, "nodes": [{**_LOSSY[0], "max_flow": "pick"}, _LOSSY[1]], "edges": [["in", "out"]],
           "parameters": {"level": {"type": "constant", "value": 1.7},
                          "pick": {"type": "indexedarray", "index_parameter": "level", "params": [1.0, 2.0, 3.0]}}}
    msg = load(tmp_path, doc)
    assert ("parameters[pick].index_parameter: 'level' is a constant parameter, not an index parameter "
            "(controlcurveindex, parameterthreshold, storagethreshold), which Pywr requires here") in msg, msg


def test_json_nulls_and_missing_types_are_said_as_json_says_them(tmp_path):
    """"value 'None' is not a number", and a recorder without a type "unsupported recorder type 'None'"."""
    doc = {"timestepper": TS, "nodes": [{**_LOSSY[0], "max_flow": "p"}, _LOSSY[1]], "edges": [["in", "out"]],
           "parameters": {"p": {"type": "constant", "value": None}}, "recorders": {"r": {"node": "out"}}}
    msg = load(tmp_path, doc)
    assert "parameters[p]: value null is not a number" in msg and "recorders[r]: missing 'type'" in msg, msg


@pytest.mark.parametrize("text, said", [("[]", "is a list"), ("null", "is empty"), ("7", "is the number 7")])
def test_a_file_that_is_no_mapping_says_what_it_is(tmp_path, text, said):
    msg = load(tmp_path, text)
    assert f"the model file {said}; it must be a mapping (a daryo model: version, time, nodes, edges; or a Pywr " \
           "model: timestepper, nodes, edges)" in msg, msg


@pytest.mark.parametrize("ref, said", [
    ({"index": "nope", "column": "max_flow"}, "table 't' has no row 'nope'; its rows are: demand1, demand2"),
    ({"index": "demand1", "column": "max_flwo"},
     "table 't' has no column 'max_flwo' (did you mean 'max_flow'?); its columns are: max_flow, cost")])
def test_a_table_value_that_is_not_in_the_table_names_what_is(tmp_path, ref, said):
    """"cannot select column 'max_flow' / index 'nope': 'nope'" (pandas' KeyError) (a fuzzing pass)."""
    (tmp_path / "t.csv").write_text("name,max_flow,cost\ndemand1,5,-10\ndemand2,6,-8\n")
    doc = {"timestepper": TS, "nodes": [_LOSSY[0], {**_LOSSY[1], "max_flow": {"table": "t", **ref}}],
           "edges": [["in", "out"]], "tables": {"t": {"url": "t.csv", "index_col": "name"}}}
    msg = load(tmp_path, doc)
    assert f"nodes[out].max_flow: {said}" in msg, msg


@pytest.mark.parametrize("volumes, said", [
    ({"initial_volume": "35"}, "nodes[dam].initial_volume: \"35\" is not a number (nor a table value or a constant "
                               "parameter)"),
    ({"max_volume": None, "initial_volume": 5}, "nodes[dam].max_volume: null is not a number"),
])
def test_a_storage_volume_of_another_type_is_named_as_such(tmp_path, volumes, said):
    """Both were "needs initial_volume or initial_volume_pc" (or "max_volume is a parameter"), the key being
    there (a fuzzing pass)."""
    doc = {"timestepper": TS, "nodes": [_LOSSY[0], {"name": "dam", "type": "storage", "max_volume": 50,
                                                    "outputs": 0, **volumes}, _LOSSY[1]],
           "edges": [["in", "dam"], ["dam", "out"]]}
    msg = load(tmp_path, doc)
    assert said in msg, msg


@pytest.mark.parametrize("years", [None, 1])
def test_a_problem_of_an_inline_parameter_is_placed_where_the_pywr_file_has_it(tmp_path, years):
    """It was placed at the daryo parameter made of it, parameters[demand1.max_flow] (a fuzzing pass)."""
    doc = {"timestepper": {"start": "2004-01-01", "end": "2004-12-31", "timestep": 1},
           "nodes": [_LOSSY[0], {"name": "demand1", "type": "output", "cost": -1.0,
                                 "max_flow": {"type": "dailyprofile", "values": [1.0] * 365}}],
           "edges": [["in", "demand1"]]}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path, years=years)
    assert [f"{p.place}: {p.message}" for p in err.value.problems] == [
        "nodes[demand1].max_flow: needs 366 values (1 January first), got 365"]


def test_a_problem_of_a_piecewise_links_band_is_placed_where_the_pywr_file_has_it(tmp_path):
    """It was placed at the daryo node built for the band, nodes[link1 Sublink 0].max_flow (a fuzzing pass)."""
    doc = {"timestepper": TS, "nodes": [_LOSSY[0], {"name": "link1", "type": "piecewiselink", "nsteps": 2,
                                                    "costs": [-10.0, 5.0], "max_flows": [float("nan"), None]},
                                        _LOSSY[1]],
           "edges": [["in", "link1"], ["link1", "out"]]}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path)
    assert [f"{p.place}: {p.message}" for p in err.value.problems] == [
        "nodes[link1].max_flows[0]: is not a finite number"]


def test_top_level_keys_pywr_ignores_are_ignored_but_a_misspelt_one(tmp_path):
    """A model saved by the Pywr editor (its layout under ``pywr_editor``) or with a key of one's own was refused
    ("unsupported top-level key"), though Pywr runs it (a fuzz of the Pywr import); a key one letter off one of
    Pywr's is still refused, with a hint (Pywr would ignore it and run without, say, the scenarios)."""
    base = {"timestepper": TS, "nodes": [{"name": "in", "type": "input", "max_flow": 3},
                                         {"name": "out", "type": "output", "cost": -1}], "edges": [["in", "out"]]}
    doc = {**base, "pywr_editor": {"shapes": [], "schematic_size": [1000, 1000]}, "notes": "mine"}
    assert [n["id"] for n in convert_pywr_document(doc, "m.json")["nodes"]] == ["in", "out"]
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document({**base, "scenario": [{"name": "s", "size": 2}]}, "m.json")
    assert [str(p) for p in err.value.problems] == [
        "m.json: scenario: unsupported top-level key 'scenario' (did you mean 'scenarios'?)"]


def test_nodes_given_as_a_mapping_say_so_without_an_error_per_edge():
    """Nodes written as an object (name → node) were "missing or empty", and every edge then named a node not
    found (a fuzz of the Pywr import)."""
    doc = {"timestepper": TS, "nodes": {"in": {"type": "input"}, "out": {"type": "output"}},
           "edges": [["in", "out"], ["out", "in"]]}
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "m.json")
    assert [str(p) for p in err.value.problems] == [
        "m.json: nodes: must be a list of nodes, each a mapping with a name and a type, not a mapping"]


def test_a_value_a_run_finds_wrong_is_named_as_the_pywr_file_has_it(tmp_path):
    """daryo calls a Pywr output's max_flow its demand, a catchment's flow its inflow and makes initial_volume of
    initial_volume_pc: a problem found in one, when the model is read or only when it is run, names the Pywr key."""
    def model(out_max_flow, flow=10.0, storage=None):
        store = storage or {"max_volume": 100.0, "initial_volume": 50.0}
        return {"timestepper": TS, "nodes": [
            {"name": "in", "type": "catchment", "flow": flow},
            {"name": "r", "type": "storage", **store},
            {"name": "o", "type": "output", "max_flow": out_max_flow, "cost": -10},
            {"name": "sink", "type": "output"}], "edges": [["in", "r"], ["r", "o"], ["r", "sink"]]}

    def run(doc):
        path = tmp_path / "model.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(daryo.ModelError) as err:
            daryo.run(daryo.load(path))
        return str(err.value).removeprefix(f"1 problem in the model:\n  - {path}: ")

    profile = {"type": "monthlyprofile", "values": [1, 2, 3, 4, 5, -6, 7, 8, 9, 10, 11, 12]}
    assert run(model(profile)) == ("nodes[o].max_flow: parameter 'o.max_flow' gives -6 at the step starting "
                                   "2001-06-01, a negative flow or volume; it must be ≥ 0")
    assert run({**model("p"), "parameters": {"p": profile}}).startswith("nodes[o].max_flow: parameter 'p' gives -6")
    assert run(model(2.0, flow=-1.0)).startswith("nodes[in].flow: is negative (-1 hm³/day")
    assert run(model(-5.0)).startswith("nodes[o].max_flow: is negative (-5 hm³/day")
    assert run(model(2.0, storage={"max_volume": 100.0, "initial_volume_pc": 1.5})) == (
        "nodes[r].initial_volume_pc: initial volume 150 hm³ exceeds max_volume 100 hm³")
    # a state-dependent parameter, which only the simulation evaluates
    index = {"type": "indexedarray", "params": [1, 2], "index_parameter": {
        "type": "controlcurveindex", "storage_node": "r", "control_curves": [0.8, 0.6, 0.4]}}
    assert run(model(index)).startswith("nodes[o].max_flow: at the step starting 2001-01-01 (scenario 0): its index "
                                        "parameter 'o.max_flow.index_parameter' gave 2, beyond its 2 parameter(s)")


_SEA = {"name": "sea", "type": "output"}


@pytest.mark.parametrize(("node", "edges", "problem"), [
    ({"name": "res", "type": "storage", "max_volume": 10, "initial_volume": 5, "outputs": 10**6},
     [["in", "res"], ["res", "sea"]],
     "nodes[res].outputs: 1000000 slots, but 1 edge(s) of the model enter 'res': each slot needs an edge of its "
     "own (Pywr refuses a slot on no route); give at most 1"),
    ({"name": "res", "type": "storage", "max_volume": 10, "initial_volume": 5, "inputs": 3},
     [["in", "res"], ["res", "sea", 0, None], ["res", "sea", 1, None]],
     "nodes[res].inputs: 3 slots, but 2 edge(s) of the model leave 'res'"),
    ({"name": "ms", "type": "multisplitlink", "nsteps": 1, "extra_slots": 10**4},
     [["in", "ms"], ["ms", "sea", 0, None], ["ms", "sea", 1, None]],
     "nodes[ms].extra_slots: 10000 extra slots make 10001 slots, but 2 edge(s) of the model leave 'ms': each slot "
     "needs an edge of its own (Pywr refuses a slot on no route); give at most 1"),
    ({"name": "ms", "type": "multisplitlink", "nsteps": 10**6, "extra_slots": 1},
     [["in", "ms"], ["ms", "sea", 0, None], ["ms", "sea", 1, None]],
     "nodes[ms].nsteps: 1000000 bands and 1 extra slot(s) make more than 1,000 sublinks, without max_flows or costs "
     "to tell them apart; give fewer"),
    ({"name": "pw", "type": "piecewiselink", "nsteps": 10**6, "costs": [-1.0, 0.0]}, [["in", "pw"], ["pw", "sea"]],
     "nodes[pw].nsteps: 1000000 bands make 1000000 sublinks, but max_flows and costs give at most 2 values; give a "
     "value per sublink"),
])
def test_slot_and_band_counts_are_bounded_before_anything_is_built(node, edges, problem):
    """A fuzz of the command line: a storage of 10⁹ ``outputs`` ran ``validate`` for minutes (10⁷: 6 s, 0.5 GB), and
    so did a piecewise link of 10⁹ bands or a split of 10⁹ extra slots.  A slot needs an edge of its own, so the
    document's edges at the node bound its slots; a band needs its values, so the ``max_flows`` and ``costs``
    lists bound a piecewise node's bands (one where it has neither: bands alike are one band)."""
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "catchment", "flow": 1.0}, node, _SEA],
           "edges": edges}
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "m.json")
    assert len(err.value.problems) == 1 and str(err.value.problems[0]).startswith(f"m.json: {problem}"), err.value


def test_a_piecewise_link_of_many_bands_without_values_is_one_band(tmp_path):
    """Pywr runs ``nsteps: 3`` without max_flows or costs: bands alike (no maximum, cost 0), which carry what one
    band carries; daryo builds one band, so that 10⁶ of them (a fuzz) neither hang nor are refused."""
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "catchment", "flow": 1.0},
                                        {"name": "pw", "type": "piecewiselink", "nsteps": 10**6}, _SEA],
           "edges": [["in", "pw"], ["pw", "sea"]]}
    converted = convert_pywr_document(doc, "m.json")
    assert [n["id"] for n in converted["nodes"] if "Sublink" in n["id"]] == ["pw Sublink 0"]


@pytest.mark.parametrize(("extra", "node", "problem"), [
    ({"scenarios": "wet"}, {}, "scenarios: must be a list of scenarios, each a mapping with a name and a size, not "
                               "the text 'wet'"),
    ({"scenarios": {"name": "wet", "size": 2}}, {}, "scenarios: must be a list of scenarios, each a mapping with a "
                                                    "name and a size, not a mapping"),
    ({"scenarios": [{"name": "wet", "size": 3, "ensemble_names": "abc"}]}, {},
     "scenarios[wet].ensemble_names: must be a list of names, one per member, not the text 'abc'"),
    ({}, {"type": "multisplitlink", "nsteps": 1, "max_flows": [None, None], "costs": [0.0, 0.0], "factors": "12"},
     "nodes[x].factors: must be a list of 2 factors (one per slot), not the text '12'"),
])
def test_text_where_a_list_is_needed_is_one_problem_not_one_per_character(extra, node, problem):
    """A fuzz of the command line: ``"scenarios": "wet"`` was three problems, ``scenarios[0]``, ``[1]``, ``[2]`` (the
    text read a character at a time); ensemble names "abc" named the members a, b and c; a split's factors "12"
    were two factors, each a parameter name not defined."""
    x = {"name": "x", "type": "link", **node}
    nodes = [{"name": "in", "type": "catchment", "flow": 1.0}, x, _SEA, {**_SEA, "name": "b"}]
    edges = [["in", "x"], ["x", "sea", 0, None], ["x", "b", 1, None]] if node else [["in", "x"], ["x", "sea"]]
    doc = {"timestepper": TS, "nodes": nodes, "edges": edges, **extra}
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "m.json")
    assert [str(p) for p in err.value.problems] == [f"m.json: {problem}"], err.value


@pytest.mark.parametrize(("step", "said"), [
    (10**12, "1000000000000: a step of more than 36525 days (100 years) is not supported; give a number of days "
             "from 1 to 36525 (7, \"7D\") or \"M\" (months)"),
    ("36526D", "'36526D': a step of more than 36525 days"),
    ("9" * 5000 + "D", "'" + "9" * 39 + "…': a step of more than 36525 days"),
    ("\u00b2D", "unsupported timestep '\u00b2D'; use a number of days, 'ND' or 'M'"),
])
def test_a_timestep_daryo_cannot_take_is_named_in_pywrs_terms(step, said):
    """A fuzz of the command line: a timestep of 10¹² days was told with daryo's names, "time.step: '{'days': …}'
    is not a step; use 'month' or {days: N}"; "9…9D" of 5,000 digits and "²D" (a digit Python does not convert)
    were ValueError tracebacks."""
    doc = {"timestepper": {**TS, "timestep": step}, "nodes": [{"name": "in", "type": "catchment", "flow": 1.0}, _SEA],
           "edges": [["in", "sea"]]}
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "m.json")
    assert [p.place for p in err.value.problems] == ["timestepper.timestep"], err.value
    assert err.value.problems[0].message.startswith(said), err.value


@pytest.mark.parametrize(("extra", "said"), [
    ({"parameters": {"p": {"type": "dataframe", "url": "a\0b.csv", "column": "q", "index_col": 0}}},
     "parameters[p]: 'a\\x00b.csv' is not a file name: it holds a NUL character (\\u0000 in JSON)"),
    ({"parameters": {"p": {"type": "constant", "table": "t", "index": "x", "column": "q"}},
      "tables": {"t": {"url": "t\0.csv", "index_col": 0}}},
     "parameters[p]: 't\\x00.csv' is not a file name: it holds a NUL character"),
    ({"includes": ["a\0b.json"]}, "includes: 'a\\x00b.json' is not a file name: it holds a NUL character"),
])
def test_a_file_name_holding_a_nul_is_named_not_a_traceback(tmp_path, extra, said):
    """A fuzz of the command line: a ``url`` holding a NUL (``"a\\u0000b.csv"``) was a traceback, "ValueError:
    embedded null byte"; an include holding one was "not found", the NUL written out raw in the message."""
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "catchment", "flow": "p" if "parameters" in extra
                                         else 1.0}, _SEA], "edges": [["in", "sea"]], **extra}
    msg = load(tmp_path, doc)
    assert f"{tmp_path / 'model.json'}: {said}" in msg and "1 problem" in msg.splitlines()[0] and "\0" not in msg, msg


def test_an_integer_too_large_for_a_float_is_said_to_be_so():
    """A 400-digit integer (JSON reads it as a Python int, too large to be a float) was "'99…9' is not a value:
    give a number, a parameter name or a parameter definition" (all 400 digits), where a daryo file says "is too
    large a number"."""
    big = int("9" * 400)
    doc = {"timestepper": TS, "edges": [["in", "res"], ["res", "sea"]],
           "nodes": [{"name": "in", "type": "catchment", "flow": big},
                     {"name": "res", "type": "storage", "max_volume": 10.0, "initial_volume": big}, _SEA],
           "parameters": {"c": {"type": "constant", "value": big}, "o": {"type": "offset", "parameter": 1.0,
                                                                         "offset": big}}}
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "m.json")
    too_large = f"'{'9' * 39}…' is too large a number (more than 1.8e308)"
    assert sorted(str(p) for p in err.value.problems) == sorted(
        f"m.json: {place}: {said}" for place, said in [("nodes[in].flow", too_large),
                                                        ("nodes[res].initial_volume", too_large),
                                                        ("parameters[c]", f"value {too_large}"),
                                                        ("parameters[o].offset", too_large)]), err.value


@pytest.mark.parametrize(("key", "value"), [("days", "x"), ("timesteps", 2.5), ("days", True)])
def test_a_delay_of_no_whole_number_is_named_at_its_key(key, value):
    """A delay node's ``days: "x"`` was a TypeError traceback (a review of the CLI fuzz's fixes)."""
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "catchment", "flow": 1.0},
                                        {"name": "dl", "type": "delaynode", key: value}, _SEA],
           "edges": [["in", "dl"], ["dl", "sea"]]}
    with pytest.raises(daryo.ModelError) as err:
        convert_pywr_document(doc, "m.json")
    assert [str(p) for p in err.value.problems] == [f"m.json: nodes[dl].{key}: '{value}' must be a whole number ≥ 1"]


def test_a_delay_of_a_whole_number_written_as_a_float_is_taken():
    """Pywr runs ``days: 2.0`` (a review)."""
    doc = {"timestepper": TS, "nodes": [{"name": "in", "type": "catchment", "flow": 1.0},
                                        {"name": "dl", "type": "delaynode", "timesteps": 2.0}, _SEA],
           "edges": [["in", "dl"], ["dl", "sea"]]}
    (node,) = [n for n in convert_pywr_document(doc, "m.json")["nodes"] if n["id"] == "dl"]
    assert node["steps"] == 2


def test_dates_written_day_first_without_dayfirst_say_how_to_read_them(tmp_path):
    """A Pywr user's review: '13/01/2000' without "dayfirst": true was 'not a date', with no word of dayfirst
    (pandas, and so Pywr, read such a column month first)."""
    dates = pd.date_range("2000-01-01", periods=20, freq="D")
    doc = _dataframe_model(tmp_path, "q.csv", [f"{d:%d/%m/%Y},1" for d in dates], "2000-01-20", "2000-01-01")
    msg = load(tmp_path, doc)
    assert ("q.csv line 14: '13/01/2000' in column 'date' is not a date; it reads as day/month/year, which pandas "
            "(and so Pywr) reads only with \"dayfirst\": true: give that") in msg, msg
    doc["parameters"]["q"]["dayfirst"] = True
    (tmp_path / "model.json").write_text(json.dumps(doc))  # (told: read day first)
    assert daryo.load(tmp_path / "model.json").n_scenarios == 1


def test_data_and_includes_out_of_the_model_s_folder_are_refused_unread_when_confined(tmp_path):
    """The UN Centre's security reviewer: a Pywr table's ``url``, a parameter's and an include were read wherever
    they led (``(self.base_dir / url).resolve()``), and a wrong column listed the other file's columns.  Loaded
    confined, each is refused with its place and path, unread; inside the folder, each file read is recorded with
    its SHA-256 digest (the include and the table)."""
    models, other = tmp_path / "models", tmp_path / "other"
    other.mkdir()
    (other / "secret.csv").write_text("year,secret_token_abc123\n2001,1.0\n")
    (other / "more.json").write_text('{"parameters": {"p": {"type": "constant", "value": 1.0}}}')
    doc = {"timestepper": TS, "includes": ["../other/more.json"],
           "nodes": [{"name": "in", "type": "input", "max_flow": {"type": "constant", "table": "caps",
                                                                  "index": "2001", "column": "x"}},
                     {"name": "out", "type": "output", "max_flow": "p", "cost": -1.0}],
           "edges": [["in", "out"]], "tables": {"caps": {"url": "../other/secret.csv", "index_col": 0}}}
    path = write_model(models, doc)
    assert "its columns are: secret_token_abc123" in load(models, doc)  # (the default reads it, as before)
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path, confine=True)
    msg = str(err.value)
    assert f"{path}: includes: included file '../other/more.json' leads outside the model file's folder" in msg
    assert f"{path}: nodes[in].max_flow: CSV file '../other/secret.csv' leads outside the model file's folder" in msg
    assert "secret_token_abc123" not in msg
    (models / "parts").mkdir()
    (models / "parts" / "more.json").write_text((other / "more.json").read_text())
    (models / "caps.csv").write_text("year,x\n2001,3.0\n")
    inside = write_model(models, {**doc, "includes": ["parts/more.json"], "tables": {"caps": {
        "url": "caps.csv", "index_col": 0}}}, name="inside.json")
    model = daryo.load(inside, confine=True)
    read = ("parts/more.json", "caps.csv")
    assert model.data_files == tuple((n, hashlib.sha256((models / n).read_bytes()).hexdigest()) for n in read)
