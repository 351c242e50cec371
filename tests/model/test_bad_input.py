"""Every kind of bad input gives one clear ModelError naming the file, the place and the fix."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from model_files import load_problems, write_model

import daryo
from daryo.cli import main
from daryo.errors import InfeasibleStepError, ModelError, Problem
from daryo.model.documents import read_document
from daryo.model.series import MISSING_DATES
from daryo.network import compile_network

GOOD = """\
version: 1
name: t
time: {start: 2001-01, end: 2001-03, step: month}
nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: d, type: demand, demand: 5}
  - {id: sea, type: sink}
edges:
  - [src, d]
  - [src, sea]
"""


def test_good_model_loads(tmp_path):
    m = daryo.load(write_model(tmp_path, GOOD))
    assert [n.id for n in m.nodes] == ["src", "d", "sea"]


def test_malformed_yaml_names_the_line(tmp_path):
    p = write_model(tmp_path, GOOD.replace("nodes:", "nodes: [oops"))
    (msg,) = load_problems(p)
    assert str(p) in msg and "line" in msg and "malformed YAML" in msg


@pytest.mark.parametrize("old, new, message", [
    ("inflow: 10}", 'inflow: 10, name: "Src}', "line 5, column 47: malformed YAML: a quoted text starting here is "
                                               "never closed (its closing quote is missing)"),
    ("[src, d]", "[src, d", "line 10, column 5: malformed YAML: did not find expected ',' or ']' (in the [...] "
                            "opened at line 9, column 5: is its closing bracket missing?)"),
])
def test_an_unclosed_quote_or_bracket_is_named_where_it_opens(tmp_path, old, new, message):
    """An unclosed quote was reported at the end of the file ("found unexpected end of stream")."""
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace(old, new, 1)))
    assert msg.endswith(message), msg


@pytest.mark.parametrize("body", ["nodes:\n\t- {id: a, type: sink}\n",
                                  "nodes:\n  - id: a\n    type: sink\n\tcost: 1\n"])
def test_a_tab_in_yaml_is_named(tmp_path, body):
    """libyaml says "found character that cannot start any token" of a tab: the message says it is one."""
    (msg,) = load_problems(write_model(tmp_path, body))
    what = msg.split("malformed YAML: ", 1)[1]
    assert what.count("tab") == 1, msg


def test_malformed_json(tmp_path):
    p = write_model(tmp_path, '{"version": 1, "nodes": [}', "m.json")
    (msg,) = load_problems(p)
    assert "malformed JSON" in msg and "line 1" in msg


def test_read_document_lines_dates_and_plain_dicts(tmp_path):
    p = write_model(tmp_path, "a: 2001-01-01\nb:\n  c: 1\n")
    doc = read_document(p)
    assert doc == {"a": "2001-01-01", "b": {"c": 1}} and doc.line == 1 and doc["b"].line == 3
    plain = read_document(p, lines=False)
    assert plain == doc and type(plain) is dict and type(plain["b"]) is dict
    assert read_document(write_model(tmp_path, '{"a": [1, 2]}', "d.json")) == {"a": [1, 2]}


def test_read_document_missing_and_undecodable_files(tmp_path):
    with pytest.raises(ModelError) as err:
        read_document(tmp_path / "none.yaml")
    assert [str(p) for p in err.value.problems] == [f"{tmp_path / 'none.yaml'}: file not found"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: S\xe9rdarya\n")
    with pytest.raises(ModelError, match=r"latin.yaml: cannot be read: not UTF-8 text \(byte 0xe9 at line 1, column 8: "
                                         r"byte 7 of the file\); a YAML or JSON file must be UTF-8: save it as UTF-8"):
        read_document(latin)
    results = tmp_path / "results.nc"  # (the decoder's own words, not what the file is)
    results.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(ModelError, match="results.nc: is a NetCDF file \\(results\\?\\), not a YAML or JSON file"):
        read_document(results)
    with pytest.raises(ModelError, match=f"{tmp_path}: is a folder, not a YAML or JSON file"):
        read_document(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_model_path_that_is_no_regular_file_is_refused_before_it_is_read(tmp_path):
    """A named pipe blocked the read for ever; /dev/zero was read until memory ran out (CLI fuzz)."""
    import threading

    pipe = tmp_path / "m.yaml"
    os.mkfifo(pipe)
    # a read of the pipe (the defect) ends when a writer comes and goes: then this test fails rather than hangs
    unblock = threading.Timer(10.0, lambda: os.close(os.open(pipe, os.O_WRONLY)))
    unblock.daemon = True
    unblock.start()
    for path in (pipe, Path("/dev/zero")):
        if path.exists():
            with pytest.raises(ModelError, match="is not a regular file \\(a named pipe, a device or a socket\\)"):
                read_document(path)
    unblock.cancel()


@pytest.mark.parametrize("name", ["m.yaml", "m.json"])
def test_an_integer_of_more_digits_than_python_converts_is_too_large_a_number(tmp_path, name):
    """Above 4,300 digits Python's int() refuses to convert (a traceback); 400 digits were already refused."""
    huge = "9" * 5000
    if name.endswith(".json"):
        doc = ('{"version": 1, "name": "t", "time": {"start": "2001-01", "end": "2001-03"}, "nodes": [{"id": "src", '
               f'"type": "inflow", "inflow": {huge}}}, {{"id": "sea", "type": "sink"}}], "edges": [["src", "sea"]]}}')
    else:
        doc = GOOD.replace("inflow: 10}", f"inflow: {huge}}}")
    (msg,) = load_problems(write_model(tmp_path, doc, name))
    assert "nodes[src].inflow" in msg and "'999999999" in msg and "is too large a number" in msg


def test_a_document_path_holding_a_nul_is_said_so():
    """An overlay or include named with a NUL was "ValueError: embedded null byte" (CLI fuzz)."""
    with pytest.raises(ModelError, match=r"'a\\x00b.yaml': is not a file name: it holds a NUL character"):
        read_document(Path("a\0b.yaml"))


def test_an_integer_of_more_digits_than_python_converts_is_refused_wherever_it_is(tmp_path):
    """A review: in a Pywr file's metadata, which the converter copies, it crashed `daryo convert -o x.yaml` and
    was written as 10**400 to `-o x.json`; it is now refused as the document is read, wherever it is."""
    path = tmp_path / "p.json"
    path.write_text('{"metadata": {"note": ' + "9" * 5000 + '}, "nodes": [{"name": "a", "flow": 1}]}')
    with pytest.raises(ModelError, match=r"p.json: metadata.note \(line 1\): '9999.*' is too large a number"):
        read_document(path)


def test_a_csv_name_with_a_nul_or_a_link_loop_is_a_problem_of_its_place(tmp_path):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("inflow: 10}", 'inflow: {csv: "a\\0b.csv"}}')))
    assert "nodes[src].inflow" in msg and "holds a NUL character" in msg
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: loop.csv}}")))
    assert "nodes[src].inflow" in msg and "symbolic link that leads back to itself" in msg


@pytest.mark.parametrize("old, new, message", [
    ("name: t", 'name: "demo\\e[2J"', "name (line 2): holds a control character ('\\x1b'), which a terminal would"),
    ("name: t", 'name: t\ndescription: "one\\rtwo"', "description (line 3): holds a control character ('\\r')"),
    ("name: t", "name: !!binary aGVsbG8=", "name (line 2): must be text, not binary data (!!binary)"),
    ("name: t", "name: !!set {a, b}", "name (line 2): must be text, not a set (!!set)"),
    ("{id: src, type: inflow, inflow: 10}", "{id: src, type: inflow, inflow: 10, lat: 4100 %}",
     "nodes[src].lat (line 5): '%' is a unit of fraction, but an angle is expected; use one of: deg, degrees, °"),
])
def test_a_models_title_and_coordinates_are_what_they_say(tmp_path, old, new, message):
    """CLI fuzz: an escape sequence in the name cleared the terminal of `daryo run` and `info`; binary data and
    sets passed as text; a latitude of '4100 %' was read as 41°."""
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace(old, new)))
    assert message in msg


def test_a_description_may_hold_line_breaks_and_tabs_and_a_coordinate_degrees(tmp_path):
    doc = GOOD.replace("name: t", 'name: "t\\tu"\ndescription: "one\\n\\ttwo"').replace(
        "inflow: 10}", "inflow: 10, lat: 41.5 deg, lon: {value: 69, unit: °}}")
    model = daryo.load(write_model(tmp_path, doc))
    assert (model.name, model.description) == ("t\tu", "one\n\ttwo")
    assert (model.node("src").get("lat"), model.node("src").get("lon")) == (41.5, 69.0)


@pytest.mark.parametrize("constraint, message", [
    ("{id: lic, type: flow_sum, nodes: [d, d], max_flow: 3}",
     "constraints[lic].nodes (line 12): names 'd' twice; give each node once (a weight other than 1 in a mapping: "
     "{d: 2})"),
    ("{id: r, type: flow_ratio, nodes: [d, src, d], factors: [1, 1, 1]}",
     "constraints[r].nodes (line 12): names 'd' twice; give each node once"),
])
def test_a_constraint_naming_a_node_twice_is_refused(tmp_path, constraint, message):
    """A flow_sum's list [d, d] counted d once (weight 1), without a word (CLI fuzz)."""
    (msg,) = load_problems(write_model(tmp_path, GOOD + f"constraints:\n  - {constraint}\n"))
    assert message in msg


def test_an_evaporation_of_more_than_ten_metres_a_step_is_refused(tmp_path):
    """1e308 mm passed validation, and the run printed NumPy's overflow warning (CLI fuzz)."""
    doc = GOOD.replace("{id: d, type: demand, demand: 5}", (
        "{id: d, type: reservoir, max_volume: 100, evaporation: 10001, "
        "level_table: {volume: [0, 100], level: [0, 10], area: [0, 5]}}"))
    (msg,) = load_problems(write_model(tmp_path, doc))
    assert "nodes[d].evaporation (line 6): 10001 mm of evaporation in one step: more than 10,000 mm" in msg


@pytest.mark.parametrize("node, message", [
    ("{id: d, type: demand, demand: 1e308}", "nodes[d].demand (line 6): is 1e+308 hm³/step: a number larger than 1e30"),
    ("{id: d, type: demand, demand: 5, cost: {values: [5, -2e31, 5]}}", "nodes[d].cost (line 6): is -2e+31 at step 2"),
    ("{id: d, type: demand, demand: 5, cost: 1e31}", "nodes[d].cost (line 6): is 1e+31: a number larger than 1e30"),
    ("{id: d, type: demand, demand: 5, min_flow: 2e30}", "nodes[d].min_flow (line 6): is 2e+30 hm³/step: a number "
                                                         "larger than 1e30 is no amount a model means"),
    ("{id: d, type: sink, max_flow: 2e30}", "nodes[d].max_flow (line 6): is 2e+30 hm³/step: a number larger than 1e30 "
                                            "is no amount a model means (for no upper bound, leave the maximum out)"),
])
def test_a_number_larger_than_any_amount_is_refused(tmp_path, node, message):
    """Demands, capacities and energy targets of 1e308 passed validation: the run printed NumPy's overflow warnings
    and an ensemble's float32 store turned the demand into inf, so that its summary said no demand was short (a
    re-fuzz).  Only a maximum is told how to say "no bound" (a review)."""
    (msg,) = [m for m in load_problems(write_model(tmp_path, GOOD.replace("{id: d, type: demand, demand: 5}", node)))
              if "no amount" in m]  # (a min_flow of 2e30 is above the demand, too)
    assert message in msg
    assert ("leave the maximum out" in msg) == ("max_flow" in node)


def test_a_fraction_or_angle_beyond_1e30_is_one_problem_its_own_range(tmp_path):
    """A loss or a latitude of 1e31 was reported twice, by the magnitude check and by its own range (a review)."""
    doc = GOOD.replace("{id: d, type: demand, demand: 5}", "{id: d, type: demand, demand: 5, lat: 1e31}")
    (msg,) = load_problems(write_model(tmp_path, doc))
    assert "nodes[d].lat" in msg and "no amount" not in msg


def test_1e20_read_as_no_bound_and_1e30_are_still_valid(tmp_path):
    """Pywr's idiom for "no bound" (a converted output's demand) and 1e30, the largest number taken, pass."""
    doc = GOOD.replace("{id: d, type: demand, demand: 5}", "{id: d, type: demand, demand: 1e20}")
    model = daryo.load(write_model(tmp_path, doc.replace("inflow: 10", "inflow: 1e30")))
    assert model.node("d").get("demand").values[0] == 1e20


def test_a_scale_on_a_single_number_multiplies_it_and_is_checked(tmp_path):
    """A re-fuzz: capacity {value: 50, scale: 0.01} ran as 50 MW, and scale: abc, [1] or an unknown key passed."""
    doc = GOOD.replace("{id: d, type: demand, demand: 5}", "{id: d, type: reservoir, max_volume: 2000, "
                       "initial_volume: {value: 2, unit: km3, scale: 0.5}}")
    assert daryo.load(write_model(tmp_path, doc)).node("d").get("initial_volume") == 1000.0
    for bad, message in (("scale: abc", "scale 'abc' is not a number; give a number or a percentage (0.5, or 50 %)"),
                         ("scale: [1]", "scale '[1]' is not a number"), ("factor: 2", "unknown key 'factor'")):
        (msg,) = load_problems(write_model(tmp_path, doc.replace("scale: 0.5", bad)))
        assert "nodes[d].initial_volume (line 6)" in msg and message in msg, msg


@pytest.mark.parametrize("scale", ["50 %", "50%", "'۵۰ %'"])
def test_a_scale_may_be_a_percentage_as_an_overlays_factor_may(tmp_path, scale):
    """A Chu-Talas modeller's review: a flow requirement of half a river's flow, ``{parameter: formed, scale: 50 %}``,
    was refused with a bare "is not a number", where an overlay's ``factor: 50 %`` is 0.5.  A scale of a number, of
    12 monthly values and of a parameter reads 50 % as 0.5."""
    doc = GOOD.replace("{id: d, type: demand, demand: 5}", "{id: d, type: reservoir, max_volume: 2000, "
                       f"initial_volume: {{value: 2, unit: km3, scale: {scale}}}}}")
    assert daryo.load(write_model(tmp_path, doc)).node("d").get("initial_volume") == 1000.0
    doc = GOOD.replace("demand: 5}", f"demand: {{monthly: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], scale: {scale}}}}}")
    assert daryo.load(write_model(tmp_path, doc)).node("d").get("demand").values.tolist() == [[2.0] * 12]
    doc = GOOD.replace("demand: 5}", f"demand: {{parameter: q, scale: {scale}}}}}") + (
        "parameters:\n  q: {type: constant, value: 4}\n")
    assert daryo.load(write_model(tmp_path, doc)).node("d").get("demand").factor == 0.5


def test_unknown_component_type(tmp_path):
    p = write_model(tmp_path, GOOD.replace("type: sink", "type: sinc"))
    (msg,) = load_problems(p)
    assert "nodes[sea]" in msg and "unknown component type 'sinc' (did you mean 'sink'?); use one of" in msg
    p = write_model(tmp_path, GOOD.replace("type: sink", "name: the sea"))  # (it said "unknown ... type 'None'")
    (msg,) = load_problems(p)
    assert "nodes[sea]" in msg and "missing 'type'; use one of" in msg


def test_unknown_attribute_lists_allowed(tmp_path):
    p = write_model(tmp_path, GOOD.replace("demand: 5}", "demand: 5, priorty: 2}"))
    (msg,) = load_problems(p)
    assert "nodes[d].priorty (line 6): unknown attribute 'priorty' for a demand (did you mean 'priority'?); allowed: "\
        in msg


@pytest.mark.parametrize("old, new, message", [
    ("[src, sea]", "[src, se]", "edges[1] (src -> se) (line 10): 'to' names 'se', which is not a node (did you mean "
     "'sea'?) (dangling edge)"),
    ("demand: 5}", "demand: 5, return_to: see}", "nodes[d].return_to (line 6): names 'see', which is not a node (did "
     "you mean 'sea'?)"),
    ("demand: 5}", "demand: 5, return_to: ocean}", "nodes[d].return_to (line 6): names 'ocean', which is not a node"),
])
def test_a_misspelt_name_gets_the_nearest_one(tmp_path, old, new, message):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace(old, new)))
    assert msg.endswith(message), msg


def test_a_duplicate_node_id_names_the_lines_of_each(tmp_path):
    text = GOOD.replace("  - {id: sea, type: sink}\n", "  - {id: sea, type: sink}\n  - {id: sea, type: sink}\n")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("nodes[sea] (lines 7, 8): the id 'sea' is used by 2 nodes; ids must be unique")


def test_a_demand_without_an_incoming_edge_is_a_problem(tmp_path):
    """It was valid, and ran short of its whole demand in every step."""
    text = GOOD.replace("  - [src, d]\n", "")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("nodes[d] (line 6): a demand needs an incoming edge from the node it takes its water from")


def test_a_quoted_whole_number_is_called_text(tmp_path):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: 5, priority: '4'}")))
    assert msg.endswith("nodes[d].priority (line 6): '4' must be a whole number from 1 to 1,000,000,000 (it is "
                        "text: write the number without quotes)")
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: 5, priority: 'high'}")))
    assert msg.endswith("'high' must be a whole number from 1 to 1,000,000,000")


@pytest.mark.parametrize("old, new, message", [
    ("  - {id: d, type: demand, demand: 5}\n", "  - id: d\n    type: demand\n     demand: 5\n",
     "mapping values are not allowed"),
    ("  - {id: sea, type: sink}\n", " - {id: sea, type: sink}\n", "did not find expected key"),
    ("  - {id: d, type: demand, demand: 5}\n", "  - id: d\n    type: demand\n  demand: 5\n",
     "did not find expected '-' indicator"),
])
def test_a_line_indented_wrongly_gets_a_hint(tmp_path, old, new, message):
    """PyYAML's own words said nothing of indentation."""
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace(old, new)))
    assert message in msg and "(check the indentation and the quoting of this line and the one above" in msg, msg


@pytest.mark.parametrize("inflow, message", [
    ("'14,000'", "nodes[src].inflow (line 5): '14,000' has a comma, a decimal or a thousands separator: write "
                 "decimals with a point ('14.000') and numbers without a thousands separator ('14000')"),  # (it was
    # "unknown unit ',000'"; a Russian-speaking analyst's review: as a decimal comma, 14000 was 1000 times too large)
    ("'14,000,000'", "nodes[src].inflow (line 5): '14,000,000' has a thousands separator: write the number without "
                     "it ('14000000')"),
    ("'0,885'", "nodes[src].inflow (line 5): '0,885' has a decimal comma: write decimals with a point ('0.885')"),
    ("'19,5 km3'", "nodes[src].inflow (line 5): '19,5 km3' has a decimal comma: write decimals with a point "
                   "('19.5 km3')"),  # (it was "unknown unit ',5 km3'")
    ("'19,500 km3'", "nodes[src].inflow (line 5): '19,500 km3' has a comma, a decimal or a thousands separator: "
                     "write decimals with a point ('19.500 km3') and numbers without a thousands separator ('19500 "
                     "km3')"),
    ("'1,234.5 m3/s'", "nodes[src].inflow (line 5): '1,234.5 m3/s' has a thousands separator: write the number "
                       "without it ('1234.5 m3/s')"),  # (with its unit: a diff review)
    ("14,000 m3/s", "nodes[src].000 m3/s (line 5): unknown attribute '000 m3/s' for an inflow; allowed: name, "
                    "country, lat, lon, description, source, cost, inflow, min_flow, max_flow; a comma inside {...} "
                    "ends a value there: write decimals with a point and numbers without a thousands separator "
                    "(19.5 or 19500, not 19,500)"),
    ("14,500", "nodes[src].500 (line 5): unknown attribute '500' for an inflow; allowed: name, country, lat, lon, "
               "description, source, cost, inflow, min_flow, max_flow; a comma inside {...} ends a value there: "
               "write decimals with a point and numbers without a thousands separator (19.5 or 19500, not "
               "19,500)"),  # (a number key had no hint)
    # (a diff review: in flow style YAML splits the number before daryo sees it, and a decimal comma was given the
    # thousands' advice)
    ("19,5 km3", "nodes[src].5 km3 (line 5): unknown attribute '5 km3' for an inflow; allowed: name, country, lat, "
                 "lon, description, source, cost, inflow, min_flow, max_flow; a comma inside {...} ends a value "
                 "there: write decimals with a point (19.5, not 19,5)"),
    ("{value: 19,5, unit: km3}", "nodes[src].inflow (line 5): unknown key '5' in a series; use one of: column, "
                                 "columns, csv, monthly, scale, scenarios, source, unit, value, values; a comma "
                                 "inside {...} ends a value there: write decimals with a point (19.5, not 19,5)"),

    # (a Tashkent ministry analyst's review: a space as the thousands separator, plain or no-break, was "unknown unit
    # '200' for a flow")
    ("1 200", "nodes[src].inflow (line 5): '1 200' looks like a number with a thousands separator (a space): write "
              "it without one ('1200')"),
    ("1\u00a0200 m3/s", "nodes[src].inflow (line 5): '1\u00a0200 m3/s' looks like a number with a thousands separator "
                        "(a no-break space, U+00A0): write it without one ('1200 m3/s')"),
    ("'-2 000 000,5 m3'", "nodes[src].inflow (line 5): '-2 000 000,5 m3' looks like a number with a thousands "
                          "separator (a space): write it without one, and decimals with a point ('-2000000.5 m3')"),
    ("[1 200, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]", "nodes[src].inflow (line 5): must be a list of numbers, or a list of "
     "equally long lists of numbers (one per scenario trace); item [0] is the text '1 200', not a number ('1 200' "
     "looks like a number with a thousands separator (a space): write it without one ('1200'))"),
])
def test_a_number_with_a_thousands_separator_is_named_as_such(tmp_path, inflow, message):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("inflow: 10}", f"inflow: {inflow}}}")))
    assert msg.endswith(message), msg


_SPLIT = ("; a comma inside [...] ends a value there, so a decimal written with a comma ({}) reads as two values: "
          "write decimals with a point ({})")


@pytest.mark.parametrize("inflow, message", [
    ("[" + ", ".join(f"{m},5" for m in range(10, 22)) + "]",
     "a plain list is 12 monthly values (January first; or one such list per trace), got 24" + _SPLIT.format("10,5",
                                                                                                      "10.5")),
    ("{monthly: [" + ", ".join(f"{m},5" for m in range(10, 22)) + "], unit: m3/s}",
     "monthly values must be 12 (January to December), got 24" + _SPLIT.format("10,5", "10.5")),
    ("{monthly: [[" + ", ".join(["1,5", *["2"] * 11]) + "], [" + ", ".join(["1", "5", *["2"] * 11]) + "]]}",
     "monthly values must be 12 (January to December), got 13" + _SPLIT.format("10,5", "10.5")),
    ("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13.5]", "a plain list is 12 monthly values (January first; or one such "
     "list per trace), got 13; give one value per step as {values: [...]}"),  # (a decimal: no comma split it)
    ("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", "a plain list is 12 monthly values (January first; or one such list per "
     "trace), got 11; give one value per step as {values: [...]}"),  # (fewer: no comma split it)
], ids=["plain-pairs", "monthly-pairs", "traces-some", "a-decimal", "fewer"])
def test_monthly_values_written_with_decimal_commas_say_so(tmp_path, inflow, message):
    """A Tashkent ministry analyst's review: ``monthly: [10,5, 9,5, …]`` (12 values, decimal commas) was "must be 12
    (January to December), got 24", no word of decimal commas."""
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("inflow: 10}", f"inflow: {inflow}}}")))
    assert msg.endswith(f"nodes[src].inflow (line 5): {message}"), msg


def test_an_item_of_a_block_list_with_a_decimal_comma_or_thousands_spaces_says_so(tmp_path):
    """In block style YAML reads ``- 10,5`` as the text '10,5' (in flow style it splits it): the item is told to be a
    decimal comma, as a single value is, not only "the text '10,5', not a number"."""
    block = "\n".join(f"      - {v}" for v in ["10,5", "1 200", *["1"] * 10])
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("{id: src, type: inflow, inflow: 10}",
                                                               f"id: src\n    type: inflow\n    inflow:\n{block}")))
    assert msg.endswith("nodes[src].inflow (line 7): must be a list of numbers, or a list of equally long lists of "
                        "numbers (one per scenario trace); item [0] is the text '10,5', not a number ('10,5' has a "
                        "decimal comma: write decimals with a point ('10.5'))"), msg


def test_dangling_and_duplicate_edges_reported_together(tmp_path):
    p = write_model(tmp_path, GOOD + "  - [src, nowhere]\n  - [src, d]\n")
    msgs = load_problems(p)
    assert len(msgs) == 2
    assert any("edges[2] (src -> nowhere) (line 11): 'to' names 'nowhere', which is not a node (dangling edge)" in m
               for m in msgs)  # (an edge written [from, to] had no line)
    assert any("duplicate edge src -> d" in m for m in msgs)


@pytest.mark.parametrize("edge, message", [
    ("src -> sea", "edges[1] (line 10): an edge must be [from, to] or a mapping with 'from' and 'to' (write it "
                   "[src, sea])"),
    ("src, sea", "edges[1] (line 10): an edge must be [from, to] or a mapping with 'from' and 'to' (write it "
                 "[src, sea])"),
    ("[src, sea, 3]", "edges[1] (line 10): an edge must be [from, to] or a mapping with 'from' and 'to'"),
    ("{from: src}", "edges[1] (line 10): an edge must be [from, to] or a mapping with 'from' and 'to'"),
    # (a large-network modeller's review: a misspelt end had no hint, where a node's attributes have one)
    ("{form: src, to: sea}", "edges[1] (line 10): an edge must be [from, to] or a mapping with 'from' and 'to': its "
                             "key 'form' (did you mean 'from'?)"),
    ("{from: src, too: sea}", "edges[1] (line 10): an edge must be [from, to] or a mapping with 'from' and 'to': its "
                              "key 'too' (did you mean 'to'?)"),
    ("{from: src, to: sea, max_flw: 5}", "edges[1] (src -> sea).max_flw (line 10): unknown edge attribute 'max_flw' "
                                         "(did you mean 'max_flow'?); allowed: from, to, id, min_flow, max_flow, "
                                         "loss, cost"),
])
def test_an_edge_of_another_shape_is_named_by_its_line_alone(tmp_path, edge, message):
    """An edge written as text had no line, and the nodes it joins were also reported as unconnected."""
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("  - [src, sea]", f"  - {edge}")))
    assert msg.endswith(message), msg


def test_a_node_an_unread_edge_names_is_not_also_called_unconnected(tmp_path):
    text = GOOD.replace("  - {id: sea, type: sink}", "  - {id: sea, type: sink}\n  - {id: j, type: junction}")
    text = text.replace("  - [src, sea]", "  - [src, j]\n  - j to sea")
    (msg,) = load_problems(write_model(tmp_path, text))  # (not also: a junction needs an outgoing edge)
    assert msg.endswith("edges[2] (line 12): an edge must be [from, to] or a mapping with 'from' and 'to'"), msg


def test_a_node_or_constraint_written_as_text_is_named_by_its_line(tmp_path):
    msgs = load_problems(write_model(tmp_path, GOOD.replace("nodes:\n", "nodes:\n  - city\n")
                                     + "constraints:\n  - total\n"))
    assert [m.split(": ", 1)[1] for m in msgs] == [
        "nodes[0] (line 5): a node must be a mapping with id and type",
        "constraints[0] (line 13): a constraint must be a mapping with 'id' and 'type'"]


def test_a_basin_of_the_metadata_names_nodes_of_the_model(tmp_path):
    """metadata.basins was read only by an overlay's change that named the basin: a misspelt id in it went unseen,
    and the change silently left that river alone."""
    text = GOOD.replace("nodes:\n", "metadata:\n  basins:\n    north: [src,\n      srcc, 3]\n    south: src\n"
                        "nodes:\n")
    msgs = load_problems(write_model(tmp_path, text))
    assert [m.split(": ", 1)[1] for m in msgs] == [
        "metadata.basins.north[1] (line 7): 'srcc' is not a node of the model (did you mean 'src'?)",
        "metadata.basins.north[2] (line 7): must be the id of an inflow, not the number 3",
        "metadata.basins.south (line 8): must be a list of inflow ids, not the text 'src'"]
    msgs = load_problems(write_model(tmp_path, GOOD.replace("nodes:\n", "metadata: {basins: [src]}\nnodes:\n")))
    assert [m.split(": ", 1)[1] for m in msgs] == [
        "metadata.basins (line 4): must be a mapping of basin names to lists of inflow ids (e.g. basins: {north: "
        "[up, side]}), not a list"]


def test_negative_capacity(tmp_path):
    p = write_model(tmp_path, GOOD.replace("demand: 5}", "demand: -5}"))
    (msg,) = load_problems(p)
    assert "nodes[d].demand" in msg and "is negative (-5 hm³/step)" in msg


@pytest.mark.parametrize("node, shown", [
    ("{id: c, type: canal, capacity: -50 m3/s}", "nodes[c].capacity (line 7): is negative (-4.32 hm³/day = -50 m³/s)"),
    ("{id: c, type: canal, capacity: -50}", "nodes[c].capacity (line 7): is negative (-50 hm³/step)"),
    ("{id: c, type: reservoir, max_volume: -2 km3}", "nodes[c].max_volume (line 7): is negative (-2000 hm³)"),
    ("{id: c, type: reservoir, max_volume: 100, evaporation: -5}", "nodes[c].evaporation (line 7): is negative "
     "(-5 mm)"),
    ("{id: c, type: hydropower, capacity: 10 MW, head: 5, energy_target: -1 TWh}", "nodes[c].energy_target (line 7): "
     "is negative (-1000 GWh)"),
])
def test_a_negative_value_is_shown_with_its_unit(tmp_path, node, shown):
    """A canal's capacity of -50 m3/s was shown as 'is negative (-4.32)': hm³ per day, without a unit."""
    text = GOOD.replace("  - {id: sea, type: sink}", f"  - {node}\n  - {{id: sea, type: sink}}")
    msgs = load_problems(write_model(tmp_path, text.replace("  - [src, sea]", "  - [src, c]\n  - [c, sea]")))
    assert any(shown + "; it must be ≥ 0" in m for m in msgs), msgs


@pytest.mark.parametrize("demand, csv, where", [
    ("{csv: d.csv, columns: '*'}", "date,wet,dry\n2001-01-01,1,2\n2001-02-01,3,-0.5\n2001-03-01,1,2\n",
     "(-0.5 hm³/step on 2001-02-01 in column 'dry' of {dir}/d.csv)"),
    ("{csv: d.csv, column: q}", "date,q\n2001-01-01,1\n2001-02-01,1\n2001-03-01,-2\n",
     "(-2 hm³/step on 2001-03-01 of {dir}/d.csv)"),
    ("{values: [1, -3, 4]}", None, "(-3 hm³/step at step 2)"),
    ("{values: [[1, 2, 4], [1, 2, -4]]}", None, "(-4 hm³/step at step 3 in trace 2)"),
    ("{monthly: [1, 1, -7, 1, 1, 1, 1, 1, 1, 1, 1, 1]}", None, "(-7 hm³/step in March)"),
])
def test_a_negative_value_in_a_series_is_shown_with_where_it_is(tmp_path, demand, csv, where):
    """A negative value in a CSV series named neither its date nor its column."""
    if csv:
        (tmp_path / "d.csv").write_text(csv)
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", f"demand: {demand}}}")))
    assert msg.endswith(f"nodes[d].demand (line 6): is negative {where.format(dir=tmp_path)}; it must be ≥ 0"), msg


def test_min_greater_than_max(tmp_path):
    text = GOOD.replace("  - {id: sea, type: sink}",
                        "  - {id: r, type: reach, min_flow: 8, max_flow: 3}\n  - {id: sea, type: sink}")
    text = text.replace("  - [src, sea]", "  - [src, r]\n  - [r, sea]")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert "nodes[r].min_flow" in msg and "min_flow (8 hm³/step) is greater than max_flow (3 hm³/step)" in msg


def test_missing_csv(tmp_path):
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = load_problems(p)
    assert "nodes[src].inflow" in msg and "CSV file 'flows.csv' not found" in msg


def test_csv_missing_column(tmp_path):
    (tmp_path / "flows.csv").write_text("date,b\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = load_problems(p)
    assert "has no column 'a'" in msg and "its columns are: 'date', 'b'" in msg


def test_csv_bad_number_names_line_and_column(tmp_path):
    (tmp_path / "flows.csv").write_text("date,a\n2001-01-01,1\n2001-02-01,x\n2001-03-01,3\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = load_problems(p)
    assert "flows.csv line 3, column 'a'" in msg and "'x' is not a finite number" in msg


def test_an_unreadable_csv_is_told_so_without_python_s_error_number(tmp_path, monkeypatch):
    """"cannot be read: [Errno 13] Permission denied: '/…/flows.csv'", the path said twice (a file-safety pass; the
    tests run as root, who may read any file, so the denial is made here)."""
    (tmp_path / "flows.csv").write_text("date,a\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pd, "read_csv", denied)
    (msg,) = load_problems(p)
    assert msg.endswith("nodes[src].inflow (line 5): CSV file 'flows.csv' cannot be read: Permission denied"), msg


@pytest.mark.parametrize("first", ["2001-01-01,5,6", "01/01/2001,5,6"])
def test_a_csv_without_a_header_line_is_told_so(tmp_path, first):
    """The first row was read as the header: its date went missing, its values became the columns' names."""
    (tmp_path / "flows.csv").write_text(f"{first}\n2001-02-01,2,3\n2001-03-01,3,4\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, columns: '*'}}"))
    (msg,) = load_problems(p)
    assert f"flows.csv line 1: the first line '{first}' is data, not a header: the file needs a header line naming " \
           "its columns first (date, then a name for each value column)" in msg, msg


@pytest.mark.parametrize("header", ["2001-01-31 end,a", "2000.5,a"])
def test_a_csv_whose_first_column_is_named_like_a_date_but_is_no_date_reads(tmp_path, header):
    """A header cell that only starts like a date is a name, not data (a review)."""
    date_col = header.split(",")[0]
    (tmp_path / "flows.csv").write_text(f"{header}\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    assert daryo.load(p).nodes[0].attrs["inflow"] is not None, date_col


def test_a_csv_value_column_without_a_name_is_refused(tmp_path):
    """It ran, as a trace named 'Unnamed: 2' (pandas' name for it)."""
    (tmp_path / "flows.csv").write_text("date,a,\n2001-01-01,1,2\n2001-02-01,2,3\n2001-03-01,3,4\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, columns: '*'}}"))
    (msg,) = load_problems(p)
    assert "flows.csv line 1: column 3 of the header has no name; give each value column a name" in msg, msg


def test_csv_duplicate_date_names_its_line(tmp_path):
    (tmp_path / "flows.csv").write_text("date,a\n2001-01-01,1\n2001-02-01,2\n2001-02-01,3\n2001-03-01,4\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = load_problems(p)  # placed at the CSV's line, and saying what read the file
    assert msg.endswith(f"{tmp_path / 'flows.csv'} line 4: date 2001-02-01 appears more than once (first on line 3) "
                        "(read for nodes[src].inflow (line 5))")


def test_csv_empty_cell_is_called_empty(tmp_path):
    (tmp_path / "flows.csv").write_text("date,a\n2001-01-01,1\n2001-02-01,\n2001-03-01,3\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = load_problems(p)
    assert f"{tmp_path / 'flows.csv'} line 3, column 'a': the cell is empty (or NA); give a number" in msg
    assert "nan" not in msg


def test_csv_too_short_for_the_run(tmp_path):
    """The place is in the model file (with its line), the CSV file is named in the message: it was placed in the
    CSV file at the model file's line ('flows.csv: nodes[src].inflow (line 5)')."""
    (tmp_path / "flows.csv").write_text("date,a\n2001-01-01,1\n2001-02-01,2\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    with pytest.raises(ModelError) as info:
        daryo.load(p)
    (problem,) = info.value.problems
    assert (problem.file, problem.place, problem.code) == (str(p), "nodes[src].inflow (line 5)", MISSING_DATES)
    assert problem.message.startswith(f"CSV file '{tmp_path / 'flows.csv'}' has no value for 2001-03-01 (1 of the "
                                      "run's 3 step dates are missing); it covers 2001-01-01 to 2001-02-01")


def test_csv_too_short_for_a_longer_run_names_the_csv_in_the_message(tmp_path):
    """Found as the longer run starts: the problem is placed in the model file, as when it is loaded (the file
    was left out: 'nodes[src].inflow (line 5): CSV file …'), and the message names the CSV file."""
    (tmp_path / "flows.csv").write_text("date,a\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    with pytest.raises(ModelError) as info:
        daryo.run(daryo.load(p), daryo.RunOptions(end="2001-04"))
    (problem,) = info.value.problems
    assert (problem.file, problem.place, problem.code) == (str(p), "nodes[src].inflow (line 5)", MISSING_DATES)
    assert problem.message.startswith(f"CSV file '{tmp_path / 'flows.csv'}' has no value for 2001-04-01")


def test_series_of_wrong_length(tmp_path):
    p = write_model(tmp_path, GOOD.replace("demand: 5}", "demand: {values: [1, 2]}}"))
    (msg,) = load_problems(p)
    assert f"{p}: nodes[d].demand (line 6): the series has 2 values but the time span has 3 monthly steps" in msg


# ------------------------------------------------------------- series against the time axis, all problems at once
def test_every_series_that_does_not_fit_the_run_is_reported_together(tmp_path):
    """Resolved at compile time, series stopped at the first: only nodes[d].demand was reported."""
    (tmp_path / "gap.csv").write_text("date,q\n2001-01-01,1\n2001-03-01,3\n")
    text = GOOD.replace("demand: 5}", "demand: {values: [1, 2]}}").replace("inflow: 10}", "inflow: {csv: gap.csv}}")
    p = write_model(tmp_path, text)
    assert [m.split(": ", 2)[1:] for m in load_problems(p)] == [
        ["nodes[src].inflow (line 5)", f"CSV file '{tmp_path / 'gap.csv'}' has no value for 2001-02-01 (1 of the "
         "run's 3 step dates are missing); it covers 2001-01-01 to 2001-03-01. Extend the CSV or shorten the run."],
        ["nodes[d].demand (line 6)", "the series has 2 values but the time span has 3 monthly steps, 2001-01-01 to "
         "2001-03-31; give one value per step or use a CSV with dates"]]


def test_a_csv_gap_is_reported_with_the_other_problems_of_the_model(tmp_path):
    (tmp_path / "gap.csv").write_text("date,q\n2001-01-01,1\n2001-03-01,3\n")
    text = GOOD.replace("inflow: 10}", "inflow: {csv: gap.csv}, colour: red}").replace(
        "  - {id: sea, type: sink}", "  - {id: dam, type: reservoir, max_volume: -5}\n  - {id: sea, type: sink}")
    msgs = load_problems(write_model(tmp_path, text.replace("  - [src, sea]", "  - [src, dam]\n  - [dam, sea]")))
    assert len(msgs) == 3
    assert any("nodes[src].colour" in m and "unknown attribute 'colour'" in m for m in msgs)
    assert any("nodes[dam].max_volume" in m and "is negative" in m for m in msgs)
    assert any("nodes[src].inflow" in m and "has no value for 2001-02-01" in m for m in msgs)


def test_a_series_length_is_reported_with_a_scenario_column_count(tmp_path):
    (tmp_path / "two.csv").write_text("date,a,b\n2001-01-01,1,2\n2001-02-01,1,2\n2001-03-01,1,2\n")
    text = GOOD.replace("inflow: 10}", "inflow: {csv: two.csv, columns: '*'}}").replace(
        "demand: 5}", "demand: {values: [[1, 2], [1, 2], [1, 2]]}}")
    msgs = load_problems(write_model(tmp_path, text))
    assert len(msgs) == 2
    assert any("different numbers of scenario columns" in m for m in msgs)
    assert any("nodes[d].demand" in m and "has 2 values but the time span has 3 monthly steps" in m for m in msgs)


def test_a_csv_series_with_gaps_and_rows_between_steps_gives_both_problems_once(tmp_path):
    """Both ways a CSV does not fit the steps, once, though min_flow is also compared with max_flow."""
    (tmp_path / "odd.csv").write_text("date,q\n2001-01-01,1\n2001-01-15,1\n2001-03-01,3\n")
    text = GOOD.replace("demand: 5}", "demand: 5, min_flow: {csv: odd.csv}}")
    msgs = load_problems(write_model(tmp_path, text))
    assert len(msgs) == 2 and all("nodes[d].min_flow (line 6): CSV file" in m for m in msgs)
    assert "has no value for 2001-02-01" in msgs[0] and "has rows between the run's step starts" in msgs[1]


def test_non_finite_numbers(tmp_path):
    p = write_model(tmp_path, GOOD.replace("demand: 5}", "demand: .nan}"))
    (msg,) = load_problems(p)
    assert "nodes[d].demand" in msg and "not a finite number" in msg


def test_wrong_unit_dimension(tmp_path):
    p = write_model(tmp_path, GOOD.replace("demand: 5}", "demand: 5 MW}"))
    (msg,) = load_problems(p)
    assert "'MW' is a unit of power, but a flow is expected" in msg


def test_missing_version(tmp_path):
    p = write_model(tmp_path, GOOD.replace("version: 1\n", ""))
    (msg,) = load_problems(p)
    assert "missing 'version'" in msg


def test_many_problems_listed_at_once(tmp_path):
    text = GOOD.replace("type: sink", "type: sinc").replace("demand: 5}", "demand: -1}") + "  - [a, b]\n"
    assert len(load_problems(write_model(tmp_path, text))) >= 4


def test_infeasible_step_names_step_scenario_and_components(tmp_path):
    text = GOOD.replace("demand: 5}", "demand: 50, min_flow: 20}")
    model = daryo.load(write_model(tmp_path, text))
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(model)
    err = info.value
    assert err.step == 0 and err.time == "2001-01-01" and err.scenario == "0"
    assert "d" in err.components and "src" in err.components
    assert "infeasible at step 0 (2001-01-01), scenario 0" in str(err)
    # the minimum named first: in a network the conflict holds every component between the water and it (a QA pass)
    assert "Of these, d has a minimum: check it first. Relax a minimum" in str(err)


@pytest.mark.parametrize("allocation", ["priority", "cost"])
@pytest.mark.parametrize("nodes, edges, hint", [
    ("  - {id: d, type: demand, demand: 5}\n", "  - [src, d]\n", True),  # 10 in, 5 wanted, no sink
    ("  - {id: c, type: canal, capacity: 4}\n  - {id: d, type: demand, demand: 50}\n",
     "  - [src, c]\n  - [c, d]\n", True),
    ("  - {id: d, type: demand, demand: 50, min_flow: 20}\n  - {id: sea, type: sink}\n",
     "  - [src, d]\n  - [src, sea]\n", False),  # too little water: a minimum, not water with nowhere to go
    ("  - {id: d, type: demand, demand: 50, min_flow: 20}\n", "  - [src, d]\n", False),
])
def test_an_infeasible_step_of_water_with_nowhere_to_go_says_so(tmp_path, allocation, nodes, edges, hint):
    """An inflow whose only way out is a demand smaller than it passes validation; the infeasible step said only
    that the bounds of the inflow, the edge and the demand conflict."""
    text = (f"version: 1\nname: t\nallocation: {allocation}\ntime: {{start: 2001-01, end: 2001-03}}\nnodes:\n"
            f"  - {{id: src, type: inflow, inflow: 10}}\n{nodes}edges:\n{edges}")
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(daryo.load(write_model(tmp_path, text)))
    assert ("The water of src has nowhere to go: give it a way to a sink (a demand takes no more than its "
            "demand, a canal no more than its capacity)." in str(info.value)) == hint, str(info.value)


@pytest.mark.parametrize("allocation", ["priority", "cost"])
@pytest.mark.parametrize("spill, hint", [
    ("", "r would have to hold more than its max_volume: the water it cannot pass on has nowhere to go; r has no "
         "spill_to: give it one (the node the overflow goes to, on a way to a sink)."),
    (", spill_to: j", "r would have to hold more than its max_volume: the water it cannot pass on has nowhere to go: "
                      "its releases and spill end where no more is taken (a demand takes no more than its demand, a "
                      "canal no more than its capacity); give the water a way to a sink."),
])
def test_a_full_reservoir_whose_water_has_nowhere_to_go_is_not_said_to_be_held_by_its_minimum(tmp_path, allocation,
                                                                                              spill, hint):
    """A review (a new user's first model): a full reservoir without spill_to, or spilling to a junction that only
    feeds a demand, made the step infeasible, and the message said "r has a minimum: check it first"."""
    text = (f"version: 1\nname: t\nallocation: {allocation}\ntime: {{start: 2001-01, end: 2001-03}}\nnodes:\n"
            "  - {id: q, type: inflow, inflow: 100}\n"
            f"  - {{id: r, type: reservoir, max_volume: 50, min_volume: 10, initial_volume: 50{spill}}}\n"
            "  - {id: j, type: junction}\n  - {id: d, type: demand, demand: 10}\n"
            "edges: [[q, r], [r, j], [j, d]]\n")
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(daryo.load(write_model(tmp_path, text)))
    assert hint in str(info.value) and "has a minimum" not in str(info.value), str(info.value)
    assert "r" in info.value.components
    # room to hold the water: a minimum too high for the water is still named as a minimum
    low = text.replace("max_volume: 50, min_volume: 10, initial_volume: 50", "max_volume: 5000, min_volume: 4000, "
                       "initial_volume: 4000").replace("inflow: 100", "inflow: 0")
    low = low.replace("demand: 10}", "demand: 10, min_flow: 10}")
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(daryo.load(write_model(tmp_path, low)))
    assert "would have to hold more" not in str(info.value) and "d, r have minimums" in str(info.value), str(info.value)


def test_water_a_run_of_river_plant_cannot_pass_is_said_to_be_held_by_its_capacity(tmp_path):
    """A review: a river through a run-of-river plant smaller than the river was infeasible, and the message named
    demands and canals as what holds water, not the plant's capacity, nor the bypass the model lacks."""
    text = ("version: 1\nname: t\ntime: {start: 2001-01, end: 2001-03}\nnodes:\n"
            "  - {id: src, type: inflow, inflow: 1000}\n  - {id: plant, type: hydropower, capacity: 1, head: 10}\n"
            "  - {id: sea, type: sink}\nedges:\n  - [src, plant]\n  - [plant, sea]\n")
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(daryo.load(write_model(tmp_path, text)))
    assert ("The water of src has nowhere to go: give it a way to a sink (a demand takes no more than its demand, a "
            "canal no more than its capacity; plant passes no more than its turbines take at its capacity and the "
            "step's head: give the river a way past (an edge that bypasses the plant, its spill))." in str(info.value)
            ), str(info.value)
    # a plant whose turbines take more than the river brings is not what holds it (a review): a demand of 5 is
    big = text.replace("capacity: 1,", "capacity: 100000,").replace("{id: sea, type: sink}", "{id: sea, type: demand, "
                                                                     "demand: 5}")
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(daryo.load(write_model(tmp_path, big)))
    assert "has nowhere to go" in str(info.value) and "plant passes" not in str(info.value), str(info.value)


def test_csv_without_value_columns_for_a_dataframe_parameter(tmp_path):
    (tmp_path / "only_dates.csv").write_text("date\n2001-01-01\n2001-02-01\n2001-03-01\n")
    text = GOOD.replace("nodes:", "parameters:\n  flow: {type: dataframe, csv: only_dates.csv}\nnodes:")
    text = text.replace("inflow: 10}", "inflow: {parameter: flow}}")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert "only_dates.csv" in msg and "needs a date column and at least one value column" in msg


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_csv_separated_by_semicolons_or_tabs_is_named_so(tmp_path, sep, name):
    """A spreadsheet saved with semicolons (European locales) or tabs reads as one column: say why."""
    (tmp_path / "flows.csv").write_text(f"date{sep}wet\n2001-01-01{sep}100,5\n2001-02-01{sep}90\n2001-03-01{sep}80\n")
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv}}")))
    assert "nodes[src].inflow" in msg and "needs a date column and at least one value column" in msg
    assert f"its header 'date{sep}wet'".replace("\t", "\\t") in msg and f"separated by {name}" in msg
    if sep == "\t":
        assert "daryo reads values separated by commas, with a point for decimals (save the file as comma-separated " \
               "CSV; where a spreadsheet writes 75,2, set its decimal separator to a point first)" in msg
    else:  # (a Tashkent ministry analyst's review: saved "as comma-separated CSV", Russian-locale Excel writes ';')
        assert msg.endswith(
            "daryo reads values separated by commas, with a point for decimals (Excel separates a CSV file's values "
            "by the list separator of Windows' region settings, a semicolon where decimals are written with a comma: "
            "set the decimal symbol to '.' and the list separator to ',' there (Region, Additional settings) and save "
            "it again, or in a text editor replace the decimal commas by points, then ';' by ',')"), msg


def test_a_csv_of_semicolons_and_decimal_commas_that_pandas_cannot_split_is_named_so(tmp_path):
    """Semicolons between values and commas in them (a European spreadsheet's CSV): whole numbers first, then
    decimals, which pandas reads as a row of more fields than those before it."""
    (tmp_path / "flows.csv").write_text("date;wet;dry\n2001-01-01;100;90\n2001-02-01;100,5;90,5\n")
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv}}")))
    assert "nodes[src].inflow" in msg and "line 3: 3 fields where the lines before it have 1" in msg
    assert "its header 'date;wet;dry' is separated by semicolons: daryo reads values separated by commas" in msg


def test_series_scale_that_is_not_a_number(tmp_path):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {value: 10, scale: x}}")))
    assert "nodes[src].inflow" in msg and "scale 'x' is not a number" in msg


# ------------------------------------------------------------------------ malformed parts, never a traceback
def test_nodes_that_are_not_a_list(tmp_path):
    text = GOOD.split("nodes:")[0] + "nodes: 5\n"
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("nodes (line 4): must be a list of nodes, not the number 5"), msg
    (msg,) = load_problems(write_model(tmp_path, GOOD.split("nodes:")[0] + "nodes:\n"))
    assert msg.endswith("nodes (line 4): missing or empty; a model needs a list of nodes"), msg


def test_nodes_written_as_a_mapping_are_named_as_such_without_dangling_edges(tmp_path):
    """Nodes written as a mapping were "missing or empty", and every edge's ends then "not a node"."""
    text = GOOD.replace("  - {id: src, type: inflow, inflow: 10}\n  - {id: d, type: demand, demand: 5}\n"
                        "  - {id: sea, type: sink}", "  src: {type: inflow, inflow: 10}\n  sea: {type: sink}")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("nodes (line 4): must be a list of nodes (- {id: ..., type: ...} on a line each), not a "
                        "mapping"), msg


def test_one_edge_not_in_a_list_of_edges_gets_the_list_to_write(tmp_path):
    text = GOOD.split("edges:")[0] + "edges: [src, d]\n"
    (msg,) = load_problems(write_model(tmp_path, text))  # (not also: edges[0] and edges[1] are not edges)
    assert msg.endswith("edges (line 8): must be a list of edges, each [from, to]: write [[src, d]] (or a line "
                        "'- [src, d]' under edges:)"), msg
    (msg,) = load_problems(write_model(tmp_path, GOOD.split("edges:")[0] + "edges: {src: d}\n"))
    assert msg.endswith("edges (line 8): must be a list of [from, to] pairs or mappings, not a mapping"), msg


def test_a_top_level_key_is_named_by_its_line(tmp_path):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("edges:", "edgs: []\nedges:")))
    assert msg.endswith("edgs (line 8): unknown top-level key 'edgs'; allowed: allocation, constraints, "
                        "description, edges, extensions, metadata, name, nodes, parameters, scenarios, time, "
                        "version"), msg


@pytest.mark.parametrize("key", ["metadata", "extensions"])
def test_metadata_and_extensions_that_are_not_mappings(tmp_path, key):
    (msg,) = load_problems(write_model(tmp_path, GOOD + f"{key}: [1, 2]\n"))
    assert f"{key}" in msg and "must be a mapping" in msg and "'[1, 2]'" in msg


def test_monthly_attribute_with_values_that_are_not_a_list(tmp_path):
    text = GOOD.replace("  - {id: sea, type: sink}", "  - {id: dam, type: reservoir, max_volume: 100, "
                        "evaporation: {values: 5}}\n  - {id: sea, type: sink}")
    (msg,) = load_problems(write_model(tmp_path, text + "  - [src, dam]\n"))
    assert "nodes[dam].evaporation" in msg and "takes a constant or exactly 12 monthly values" in msg
    assert "got '5'" in msg


MONTHLY_KEYS = "monthly, scale, scenarios, source, unit, value"


def test_a_monthly_attribute_names_only_the_keys_it_takes(tmp_path):
    """A MODSIM user's review: ``target_volume: {parameter: tgt}`` was told "unknown key 'parameter' in a series;
    use one of: column, columns, csv, monthly, …, values", keys the attribute then refuses ("takes a constant or
    exactly 12 monthly values").  An attribute of a constant or 12 monthly values names the keys it takes, and says
    that it takes no parameter; other series still name all theirs.  (``target_volume`` takes a parameter, values per
    step and a CSV series since; ``flood_control_max`` is such an attribute.)"""
    for target, message in (
            ("{parameter: tgt}", "takes a constant or exactly 12 monthly values (January first), not a parameter; "
                                 f"give them as a number, a list of 12, or a mapping with: {MONTHLY_KEYS}"),
            ("{parameter: tgt, unit: km3}", "not a parameter; give them as a number, a list of 12, or a mapping with: "
                                            f"{MONTHLY_KEYS}"),
            ("{monthly: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], unti: km3}",
             f"unknown key 'unti' in a constant or 12 monthly values (January first); use one of: {MONTHLY_KEYS}"),
            ("{column: a}", f"unknown key 'column' in a constant or 12 monthly values (January first); use one of: "
                            f"{MONTHLY_KEYS}"),
            ("{unit: km3}", "a series mapping needs one of: value, monthly"),
            ("{csv: t.csv, column: a}", "takes a constant or 12 monthly values, not a CSV series"),
            ("{values: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]}", "takes a constant or exactly 12 monthly values "
             "(January first), not values per step ({values: …}, got 12 values); write the 12 as a list or as "
             "{monthly: […]}")):
        text = GOOD.replace("version: 1\n", "version: 1\nparameters: {tgt: {type: constant, value: 5}}\n").replace(
            "  - {id: sea, type: sink}", f"  - {{id: dam, type: reservoir, max_volume: 100, target_volume: "
            f"{target}}}\n  - {{id: sea, type: sink}}")
        (msg,) = load_problems(write_model(tmp_path, text.replace("target_volume", "flood_control_max")
                                           + "  - [src, dam]\n  - [dam, sea]\n"))
        assert "nodes[dam].flood_control_max (line 8): " in msg and msg.endswith(message), msg
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: {foo: 1}}")))
    assert msg.endswith("unknown key 'foo' in a series; use one of: column, columns, csv, monthly, scale, "
                        "scenarios, source, unit, value, values"), msg


@pytest.mark.parametrize("units,expected", [
    ("km3", "level_table.units (line 7): 'km3' is not a mapping; give the unit of each list"),
    ("{volume: 5}", "level_table.units.volume (line 7): '5' is not a unit"),
    ("{volume: MW}", "level_table.units.volume (line 7): 'MW' is a unit of power, but a volume is expected"),
])
def test_level_table_units_that_are_not_units(tmp_path, units, expected):
    msg = _dam_problem(tmp_path, f"{{volume: [0, 100], level: [0, 10], units: {units}}}")
    assert "nodes[dam]." + expected in msg


def _dam_problem(tmp_path, table: str) -> str:
    """The one problem of the model GOOD with a reservoir ``dam`` (line 7) whose level_table is ``table``."""
    text = GOOD.replace("  - {id: sea, type: sink}", "  - {id: dam, type: reservoir, max_volume: 100, level_table: "
                        f"{table}}}\n  - {{id: sea, type: sink}}")
    (msg,) = load_problems(write_model(tmp_path, text + "  - [src, dam]\n"))
    return msg


def test_level_table_list_that_is_not_numbers(tmp_path):
    msg = _dam_problem(tmp_path, "{volume: [0, 100], level: [0, x]}")
    assert "nodes[dam].level_table.level (line 7): must be a list of numbers, not '[0, 'x']'" in msg


@pytest.mark.parametrize("table, key", [("{volume: null, level: [0, 10]}", "volume"),
                                        ("{volume: [0, 100], area: null}", "area"),
                                        ("{volume: [0, 100], level: null}", "level")])
def test_level_table_list_with_no_value(tmp_path, table, key):
    """A list written with no value is a problem, not a traceback (volume) or left out (level, area)."""
    msg = _dam_problem(tmp_path, table)
    assert f"nodes[dam].level_table.{key} (line 7): has no value; give one, or leave the key out" in msg


@pytest.mark.parametrize("value", ["1" + "0" * 400, "{value: 1" + "0" * 400 + "}", "[1" + "0" * 400 + ", 1, 1]"])
def test_integer_too_large_for_a_float(tmp_path, value):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", f"demand: {value}}}")))
    assert "nodes[d].demand" in msg and len(msg) < 300
    assert "too large a number" in msg or "must be a list of numbers" in msg


@pytest.mark.parametrize("value", ["{value: 5, unit: 5}", "{values: [1, 2, 3], unit: [hm3]}"])
def test_unit_that_is_not_text(tmp_path, value):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", f"demand: {value}}}")))
    assert "nodes[d].demand" in msg and "is not a unit; give a unit of flow as text" in msg


def test_unit_in_the_value_and_in_unit_is_refused(tmp_path):
    text = GOOD.replace("  - {id: sea, type: sink}", "  - {id: dam, type: reservoir, "
                        "max_volume: {value: \"14 km3\", unit: hm3}}\n  - {id: sea, type: sink}")
    (msg,) = load_problems(write_model(tmp_path, text + "  - [src, dam]\n"))
    assert "nodes[dam].max_volume" in msg
    assert "'14 km3' names its unit and unit: 'hm3' names another; give the unit once" in msg
    assert "{value: 14, unit: hm3}" in msg
    # a number without a unit takes unit:'s
    ok = daryo.load(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: {value: \"2\", unit: km3}}")))
    assert ok.node("d").get("demand").values[0] == 2000.0
    # the same unit named twice (in any spelling) is no conflict
    same = daryo.load(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: {value: \"2 km3\", unit: km³}}")))
    assert same.node("d").get("demand").values[0] == 2000.0


# ----------------------------------------------------------------------------- N-day steps and months
TEN_DAYS = GOOD.replace("time: {start: 2001-01, end: 2001-03, step: month}",
                        "time: {start: 2001-01, end: 2001-03, step: {days: 10}}")


@pytest.mark.parametrize("value", ["30 hm3/month", "{value: 30, unit: hm3/month}", "{values: [1, 2], unit: MCM/month}"])
def test_per_month_units_are_refused_with_n_day_steps_but_in_12_monthly_values(tmp_path, value):
    (msg,) = load_problems(write_model(tmp_path, TEN_DAYS.replace("demand: 5}", f"demand: {value}}}")))
    assert "nodes[d].demand" in msg and "is an amount per calendar month, but this model has 10-day steps" in msg
    assert "give 12 monthly values in it ({monthly: [...], unit: " in msg
    assert "or the amount per step (e.g. '30 hm3') or a rate" in msg


@pytest.mark.parametrize("step, want", [
    # (31 days of January: 310 hm3 a month is 10 a day; February 280 over 28 days, March 620 over 31)
    ("dekad", [100, 100, 110, 100, 100, 80, 200, 200, 220]),
    ("{days: 10}", [100, 100, 100, 10 + 90, 100, 90 + 20, 200, 200, 200]),  # (31 Jan–9 Feb; 20 Feb–1 Mar)
    ("month", [310, 280, 620])])
def test_twelve_monthly_amounts_in_hm3_per_month_are_spread_over_the_days_of_shorter_steps(tmp_path, step, want):
    """A BWO planner's review of dekads: monthly limits in hm³ per month, as the ICWC gives them, could not be
    written at dekads (hm3/month refused, '310 hm3' taken whole by each dekad).  12 monthly values in hm3/month
    are each month's total, spread over its days, as evaporation depths are: by hand, the days of each step times
    its month's total over the month's days."""
    text = TEN_DAYS.replace("step: {days: 10}", f"step: {step}").replace(
        "demand: 5}", "demand: {monthly: [310, 280, 620, 0, 0, 0, 0, 0, 0, 0, 0, 0], unit: hm3/month}}")
    model = daryo.load(write_model(tmp_path, text))
    got = model.node("d").get("demand").resolve(model.time.axis())[0]
    np.testing.assert_allclose(got, want[: got.size], rtol=1e-12)


@pytest.mark.parametrize("unit, per_day", [("hm3/day", 1.0), ("m3/s", 0.0864)])
def test_twelve_monthly_rates_take_each_day_at_its_month_s_rate_over_n_day_steps(tmp_path, unit, per_day):
    """A weekly modeller's review: a 10-day step across a month's end took its start month's rate for all its days,
    so a month's high rate ran on into the next (a demand's winter water doubled on 7-day steps).  Each day now
    takes its month's rate: by hand, 31 Jan–9 Feb is 1 day at January's 1 and 9 at February's 2, 20 Feb–1 Mar 9
    days at 2 and 1 at March's 6.  Steps within one month are their rate times 10, as before, to the bit."""
    text = TEN_DAYS.replace("demand: 5}", f"demand: {{monthly: [1, 2, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0], unit: {unit}}}}}")
    model = daryo.load(write_model(tmp_path, text))
    got = model.node("d").get("demand").resolve(model.time.axis())[0]
    want = np.array([10, 10, 10, 1 + 18, 20, 18 + 6, 60, 60, 60]) * per_day
    np.testing.assert_allclose(got, want, rtol=1e-12)
    within = np.array([0, 1, 2, 4, 6, 7, 8])
    np.testing.assert_array_equal(got[within], np.array([1, 1, 1, 2, 6, 6, 6]) * per_day * 10.0)
    total = daryo.load(write_model(tmp_path, text.replace("step: {days: 10}", "step: {days: 1}"), "daily.yaml"))
    daily = total.node("d").get("demand").resolve(total.time.axis())[0]
    np.testing.assert_allclose(got.sum(), daily[: got.size * 10].sum(), rtol=1e-12)  # (the same 90 days' water)


def test_a_monthlyprofile_parameter_keeps_pywr_s_rule_over_n_day_steps(tmp_path):
    """A monthlyprofile parameter (Pywr's type, as an imported Pywr model has) takes the value of the month a step
    starts in, as Pywr does, rates or not: the 10-day step of 31 January is January's 1 hm³ a day for 10 days."""
    text = TEN_DAYS.replace("nodes:", "parameters:\n  q: {type: monthlyprofile, values: [1, 2, 6, 0, 0, 0, 0, 0, 0, 0, "
                            "0, 0]}\nnodes:").replace("demand: 5}", "demand: {parameter: q, unit: hm3/day}}")
    ds = daryo.run(daryo.load(write_model(tmp_path, text))).dataset
    np.testing.assert_allclose(ds.demanded.isel(scenario=0).squeeze().values[:6], [10, 10, 10, 10, 20, 20])


def test_per_month_unit_of_a_parameter_reference_is_refused_with_n_day_steps(tmp_path):
    text = TEN_DAYS.replace("nodes:", "parameters:\n  q: {type: constant, value: 30}\nnodes:")
    text = text.replace("demand: 5}", "demand: {parameter: q, unit: hm3/month}}")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert "nodes[d].demand" in msg and "'hm3/month' is an amount per calendar month" in msg


def test_per_month_units_are_per_step_on_monthly_steps(tmp_path):
    m = daryo.load(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: 30 hm3/month}")))
    np.testing.assert_array_equal(m.node("d").get("demand").resolve(m.time.axis()), [[30.0, 30.0, 30.0]])


def test_month_end_covers_the_month_with_n_day_steps(tmp_path):
    """end: 2001-03 runs through 31 March with 10-day steps, as with monthly steps (it stopped on 1 March)."""
    m = daryo.load(write_model(tmp_path, TEN_DAYS.replace("inflow: 10}", "inflow: 1 hm3/day}")))
    axis = m.time.axis()
    assert m.time.end == pd.Timestamp("2001-03-31")
    assert axis.n_steps == 9 and axis.starts[-1] == pd.Timestamp("2001-03-22")
    assert axis.end > pd.Timestamp("2001-03-31")
    monthly = daryo.load(write_model(tmp_path, GOOD, "monthly.yaml")).time.axis()
    assert monthly.n_steps == 3 and monthly.end == pd.Timestamp("2001-04-01")


def test_evaporation_months_are_spread_over_n_day_steps(tmp_path):
    """12 evaporation depths are each month's total: a 10-day step takes its days' share, not the month's."""
    res = ("  - {id: dam, type: reservoir, max_volume: 1000, initial_volume: 500, "
           "evaporation: [310, 280, 310, 0, 0, 0, 0, 0, 0, 0, 0, 0], "
           "level_table: {volume: [0, 1000], level: [0, 100], area: [100, 100]}}\n  - {id: sea, type: sink}")
    text = TEN_DAYS.replace("  - {id: sea, type: sink}", res)
    text = text.replace("  - [src, sea]", "  - [src, dam]\n  - [dam, sea]")
    ds = daryo.run(daryo.load(write_model(tmp_path, text))).dataset
    # 310 mm in January = 10 mm a day, 280 mm in February = 10 mm a day; × 100 km² × 1e-3 = 1 hm³ a day
    np.testing.assert_allclose(ds.evaporation.isel(scenario=0, reservoir=0).values, [10.0] * 9)
    monthly = daryo.run(daryo.load(write_model(tmp_path, text.replace("step: {days: 10}", "step: month"), "mo.yaml")))
    np.testing.assert_allclose(monthly.dataset.evaporation.isel(scenario=0, reservoir=0).values, [31.0, 28.0, 31.0])


def test_evaporation_months_are_spread_over_dekads(tmp_path):
    """The dekads brief: 12 evaporation depths are each month's total, which its dekads share by their days (January's
    third dekad 11 of its 31 days, February's 8 of 28), as N-day steps do; and 12 monthly rates take each dekad's
    days."""
    res = ("  - {id: dam, type: reservoir, max_volume: 1000, initial_volume: 500, "
           "evaporation: [310, 280, 310, 0, 0, 0, 0, 0, 0, 0, 0, 0], "
           "level_table: {volume: [0, 1000], level: [0, 100], area: [100, 100]}}\n  - {id: sea, type: sink}")
    text = DEKADS.replace("  - {id: sea, type: sink}", res).replace("  - [src, sea]", "  - [src, dam]\n  - [dam, sea]")
    text = text.replace("demand: 5}", "demand: {monthly: [1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0], unit: hm3/day}}")
    ds = daryo.run(daryo.load(write_model(tmp_path, text))).dataset
    days = np.array([10, 10, 11, 10, 10, 8, 10, 10, 11])
    # 310 mm in January = 10 mm a day, 280 mm in February = 10 mm a day; × 100 km² × 1e-3 = 1 hm³ a day
    np.testing.assert_allclose(ds.evaporation.isel(scenario=0, reservoir=0).values, days)
    np.testing.assert_allclose(ds.demanded.isel(scenario=0, demand=0).values, np.repeat([1, 2, 3], 3) * days)


# ------------------------------------------------------------------------------- CSV series rows per step
def test_csv_series_with_rows_between_the_steps_is_refused(tmp_path):
    days = pd.date_range("2001-01-01", "2001-03-31", freq="D")
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "q": 100.0}).to_csv(tmp_path / "daily.csv", index=False)
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: daily.csv, column: q}}"))
    (msg,) = load_problems(p)
    assert f"{p}: nodes[src].inflow (line 5): CSV file '{tmp_path / 'daily.csv'}' has rows between" in msg
    assert "rows between the run's step starts (87 of its rows within the run, the first dated 2001-01-02)" in msg
    assert "one row per step, dated at the step's start (the 1st of each month)" in msg and "'dataframe'" in msg


def test_csv_series_rows_outside_the_run_are_fine(tmp_path):
    months = pd.date_range("2000-01-01", "2002-12-01", freq="MS")
    pd.DataFrame({"date": months.strftime("%Y-%m-%d"), "q": range(len(months))}).to_csv(tmp_path / "m.csv",
                                                                                     index=False)
    model = daryo.load(write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: m.csv, column: q}}")))
    np.testing.assert_array_equal(model.node("src").get("inflow").resolve(model.time.axis()), [[12, 13, 14]])


def test_scenario_dimensions_too_large_to_hold_are_refused(tmp_path):
    """10^5 × 10^9 combinations once hung while the loader listed them."""
    text = GOOD.replace("nodes:", "scenarios:\n  - {name: a, size: 100000}\n  - {name: b, size: 1000000000}\nnodes:")
    with pytest.raises(ModelError) as err:
        daryo.load(write_model(tmp_path, text))
    (problem,) = err.value.problems
    assert problem.place == "scenarios" and "100,000,000,000,000 scenarios" in problem.message


def test_energy_targets_take_rates_and_amounts_per_step_or_month(tmp_path):
    """31 GWh a month as a rate (1 GWh/day) is 10 GWh in a 10-day step; a plain GWh is per step; GWh/month is
    per step of a monthly model and refused with N-day steps, as hm3/month is."""
    plant = ("  - {id: p, type: hydropower, capacity: 1000, head: 100, energy_target: TARGET}\n"
             "  - {id: sea2, type: sink}\n")

    def target(text: str, step: str) -> np.ndarray:
        t = GOOD.replace("step: month}", f"step: {step}}}").replace("nodes:\n", "nodes:\n" + plant.replace(
            "TARGET", text)).replace("edges:\n", "edges:\n  - [src, p]\n  - [p, sea2]\n")
        m = daryo.load(write_model(tmp_path, t))
        return m.node("p").get("energy_target").resolve(m.time.axis())[0]

    np.testing.assert_allclose(target("1 GWh/day", "{days: 10}"), 10.0)
    np.testing.assert_allclose(target("365.25 GWh/yr", "month"), [31, 28, 31])
    np.testing.assert_allclose(target("1.461 TWh/yr", "{days: 10}"), 40.0)
    np.testing.assert_allclose(target("30 GWh", "{days: 10}"), 30.0)
    np.testing.assert_allclose(target("30 GWh/month", "month"), 30.0)
    with pytest.raises(daryo.ModelError, match="'GWh/month' is an amount per calendar month, but this model has "
                       "10-day steps; give 12 monthly values in it .* or the amount per step \\(e.g. '30 GWh'\\) or "
                       "a rate"):
        target("{value: 30, unit: GWh/month}", "{days: 10}")


@pytest.mark.parametrize("time, step", [
    ("{start: 2000-10, end: 2400-09}", "its steps must"),  # past 2262, pandas' last nanosecond date
    ("{start: 1600-10, end: 1601-09}", "its steps must"),  # a tree-ring reconstruction, before 1677
    ("{start: 2000-10, end: 2250-09, step: {days: 36525}}", "its steps (of 36525 days) must"),  # its last step
])
def test_a_time_span_outside_the_dates_an_axis_holds_is_a_problem(tmp_path, time, step):
    p = write_model(tmp_path, GOOD.replace("{start: 2001-01, end: 2001-03, step: month}", time))
    (msg,) = load_problems(p)
    assert str(p) in msg and "time (line 3)" in msg
    assert f"lies outside the dates a time axis can hold: {step} lie between 1678-01-01 and 2261-12-31" in msg


@pytest.mark.parametrize("time, message", [
    ('{start: 2001-01, end: "", step: month}', "time.end (line 3): '' is not a date of the form YYYY-MM or YYYY-MM-DD"),
    ("{start: NaT, end: 2001-03, step: month}", "time.start (line 3): 'NaT' is not a date of the form"),
    ("{start: 2001-01, end: nan, step: month}", "time.end (line 3): 'nan' is not a date of the form"),
    ('{start: 2001-01, end: "2001-03-31T00:00:00+05:00", step: month}', "time.end (line 3): '2001-03-31T00:00:00+05:00'"
     " is not a date of the form"),
    # forms pandas reads, differently by the separator (01/02 month first, 02.01 day first): no longer guessed
    ("{start: 01/02/2001, end: 2001-03}", "time.start (line 3): '01/02/2001' is not a date of the form YYYY-MM or "
     "YYYY-MM-DD"),
    ("{start: 02.01.2001, end: 2001-03}", "time.start (line 3): '02.01.2001' is not a date of the form"),
    ("{start: 2001-01, end: 03.2001}", "time.end (line 3): '3.2001' is not a date of the form YYYY-MM or YYYY-MM-DD "
     "but a number (a date written with a dot, 09.2020, is read as the number 9.202): write it as YYYY-MM, e.g. "
     "2020-09"),
    ("{start: 2001, end: 2001-03}", "time.start (line 3): '2001' is not a date of the form YYYY-MM or YYYY-MM-DD (a "
     "year alone: give its month, e.g. 2001-10 to start with the hydrological year 2001/02, October–September, or "
     "2001-01 with the calendar year)"),  # (it was 1 January)
    ("{start: Jan 2001, end: 2001-03}", "time.start (line 3): 'Jan 2001' is not a date of the form"),
    ("{start: 2001-02-30, end: 2001-03}", "time.start (line 3): '2001-02-30' is not a date: day is out of range for "
     "month"),
    ("{start: 2001-01-01T12:00, end: 2001-03}", "time.start (line 3): '2001-01-01T12:00' is not a date of the form"),
    ("{start: 2001-01-15, end: 2001-03}", "time.start (line 3): 2001-01-15 is not a month's first day, where monthly "
     "steps start: give 2001-01 (or an N-day step, step: {days: N})"),  # (it was moved to 2001-01-01)
    ("{end: 2001-03}", "time (line 3): missing start; give a month (YYYY-MM) or a date (YYYY-MM-DD)"),
])
def test_a_time_that_is_no_date_is_a_problem(tmp_path, time, message):
    p = write_model(tmp_path, GOOD.replace("{start: 2001-01, end: 2001-03, step: month}", time))
    (msg,) = load_problems(p)
    assert msg == f"{p}: {message}" or msg.startswith(f"{p}: {message}"), msg
    with pytest.raises(ValueError, match="start='nan' is not a date"):
        daryo.run(daryo.load(write_model(tmp_path, GOOD)), daryo.RunOptions(start="nan"))


def test_a_ten_day_run_may_start_on_any_day_and_a_date_may_be_a_yaml_date(tmp_path):
    p = write_model(tmp_path, GOOD.replace("{start: 2001-01, end: 2001-03, step: month}",
                                           "{start: 2001-01-15, end: 2001-03, step: {days: 10}}"))
    assert daryo.load(p).time.start == pd.Timestamp("2001-01-15")
    p = write_model(tmp_path, GOOD.replace("{start: 2001-01, end: 2001-03, step: month}",
                                           "{start: 2001-01-01, end: 2001-03-31}"))  # (YAML dates)
    assert daryo.load(p).time.axis().n_steps == 3


@pytest.mark.parametrize("inflow", ["{value: 1e308, unit: hm3/day}",
                                    "{monthly: [1.0e+308, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], unit: hm3/day}"])
def test_a_rate_too_large_over_a_step_is_a_problem_at_its_place(tmp_path, inflow):
    """1e308 hm³ a day is a number, but not over a 31-day step: a problem naming the series, where NumPy's
    overflow warnings and an unlimited flow were (now the check of magnitudes above 1e30 names it first)."""
    import warnings

    from daryo.network import compile_network

    p = write_model(tmp_path, GOOD.replace("inflow: 10}", f"inflow: {inflow}}}"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no overflow warning on the way)
        with pytest.raises(ModelError) as err:
            compile_network(daryo.load(p))
    assert f"{p}: nodes[src].inflow (line 5): is 1e+308 hm³/day" in str(err.value)
    assert ": a number larger than 1e30 is no amount a model means" in str(err.value)


def test_a_run_of_more_years_than_an_axis_holds_is_refused_plainly(tmp_path):
    from daryo.basins.aral import load_aral_model

    m = daryo.load(write_model(tmp_path, GOOD))
    with pytest.raises(ValueError, match="1000 years from 2001-01-01 run past 2261-12-31"):
        daryo.run(m, daryo.RunOptions(years=1000))
    with pytest.raises(ValueError, match="the run from 2001-01-01 to 2299-12-31 lies outside"):
        m.with_time(end="2299-12")
    with pytest.raises(ValueError, match="300 years from 2000-10 run past 2261-12-31"):
        load_aral_model(years=300)


def test_numbers_too_large_once_in_the_models_units_are_problems(tmp_path):
    (tmp_path / "q.csv").write_text("date,q\n2001-01-01,1e307\n2001-02-01,1\n2001-03-01,1\n")
    p = write_model(tmp_path, GOOD.replace("{id: src, type: inflow, inflow: 10}",
                                           "{id: src, type: inflow, inflow: 1.0e308 km3}\n"
                                           "  - {id: s2, type: inflow, inflow: {value: 1.0e+300, scale: 1.0e+10}}\n"
                                           "  - {id: s3, type: inflow, inflow: {csv: q.csv, unit: km3}}")
                       .replace("  - [src, sea]", "  - [src, sea]\n  - [s2, sea]\n  - [s3, sea]"))
    msgs = load_problems(p)
    assert len(msgs) == 3
    assert "nodes[src].inflow (line 5): '1e+308' km3 is too large a number in the model's units" in msgs[0]
    assert "nodes[s2].inflow (line 6): the value times scale 1e+10 is too large a number" in msgs[1]
    assert "nodes[s3].inflow (line 7): values of" in msgs[2] and "q.csv become too large" in msgs[2]


def test_places_countries_and_names_of_the_wrong_kind_are_problems(tmp_path):
    p = write_model(tmp_path, GOOD.replace("name: t", "name: [1, 2]").replace(
        "{id: src, type: inflow, inflow: 10}", "{id: src, type: inflow, inflow: 10, lat: 241.9, country: Kyrgyzstan}")
        .replace("{id: sea, type: sink}", "{id: sea, type: sink, lon: -190, lat: -90, country: KAZ}"))
    msgs = load_problems(p)
    assert len(msgs) == 4
    assert any("name (line 2): must be text, not '[1, 2]'" in m for m in msgs)
    assert any("nodes[src].lat (line 5): must be decimal degrees from -90 to 90" in m for m in msgs)
    assert any("nodes[src].country (line 5): 'Kyrgyzstan' is not an ISO 3166 alpha-3 code" in m for m in msgs)
    assert any("nodes[sea].lon (line 7): must be decimal degrees from -180 to 180" in m for m in msgs)


def test_a_plain_list_is_twelve_monthly_values_and_per_step_values_fit_the_steps(tmp_path):
    """A plain list of another length was read as values per step, and per-step values beyond the model's steps
    were dropped: both silently."""
    for demand, shown in [("[5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]", "a plain list is 12 monthly values (January first; "
                           "or one such list per trace), got 11; give one value per step as {values: [...]}"),
                          ("{values: [1, 2, 3, 4]}", "the series has 4 values but the model has 3 steps")]:
        p = write_model(tmp_path, GOOD.replace("demand: 5}", f"demand: {demand}}}"))
        (msg,) = load_problems(p)
        assert "nodes[d].demand (line 6)" in msg and shown in msg
    for fine in ("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]", "[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "
                 "[2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]", "{values: [1, 2, 3]}"):
        daryo.load(write_model(tmp_path, GOOD.replace("demand: 5}", f"demand: {fine}}}")))


def test_evaporation_without_areas_is_a_problem(tmp_path):
    """Evaporation is depth × area: without a level table's areas the depth was silently ignored."""
    res = "{id: d, type: reservoir, max_volume: 100, evaporation: [10, 10, 20, 40, 80, 120, 150, 140, 90, 50, 20, 10]"
    p = write_model(tmp_path, GOOD.replace("{id: d, type: demand, demand: 5}", res + "}"))
    (msg,) = load_problems(p)
    assert "nodes[d].evaporation (line 6)" in msg and "has no level_table with an area column" in msg
    daryo.load(write_model(tmp_path, GOOD.replace(  # with areas: fine
        "{id: d, type: demand, demand: 5}", res + ", level_table: {volume: [0, 100], level: [10, 20], area: [1, 5]}}")))


HEAD = "version: 1\nname: t\ntime: {start: 2001-01, end: 2001-03, step: month}\n"


@pytest.mark.parametrize("node, place", [
    ("{id: d, type: demand, demand: }", "nodes[d].demand"),  # it was an unlimited demand: deficits of inf
    ("{id: d, type: demand, demand: 5, return_to: null}", "nodes[d].return_to"),
])
def test_an_attribute_with_no_value_is_a_problem(tmp_path, node, place):
    text = HEAD + f"nodes:\n  - {{id: src, type: inflow, inflow: 10}}\n  - {node}\n  - {{id: sea, type: sink}}\n" \
        "edges: [[src, d], [src, sea]]\n"
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith(f"{place} (line 6): has no value; give one, or leave the key out")


def test_blank_required_attributes_of_a_delay_and_a_requirement_are_problems_not_tracebacks(tmp_path):
    """``steps:`` and ``at:`` left blank were tracebacks when the model was compiled (int(None), KeyError)."""
    text = HEAD + """nodes:
  - {id: src, type: inflow, inflow: 10}
  - id: dl
    type: delay
    steps:
  - {id: fr, type: flow_requirement, at: , flow: 5}
  - {id: sea, type: sink}
edges: [[src, dl], [dl, sea]]
"""
    msgs = load_problems(write_model(tmp_path, text))
    assert [m.split("m.yaml: ")[1] for m in msgs] == [
        "nodes[dl].steps (line 8): has no value; give one, or leave the key out",  # (block style: the key's line)
        "nodes[fr].at (line 9): has no value; give one, or leave the key out"]


def test_ids_yaml_reads_as_booleans_or_numbers_are_named_as_such(tmp_path):
    text = HEAD + "nodes:\n  - {id: no, type: inflow, inflow: 10}\n  - {id: 7, type: sink}\nedges: [[no, 7]]\n"
    msgs = [m.split("m.yaml: ")[1] for m in load_problems(write_model(tmp_path, text))]
    assert msgs[:2] == [
        "nodes[0] (line 5): 'id' must be a node id (text), but YAML read it as the boolean False; put the id in "
        "quotes",
        "nodes[1] (line 6): 'id' must be a node id (text), but YAML read it as the number 7; put the id in quotes"]
    assert msgs[2].startswith("edges[0] (line 7): 'from' must be a node id (text), but YAML read it as the boolean "
                              "False")  # (the line of a [from, to] list was lost)
    # a node named by an attribute (a review: ``return_to: no`` was "must be the id of a node", with no hint)
    text = HEAD + ("nodes:\n  - {id: src, type: inflow, inflow: 10}\n  - {id: d, type: demand, demand: 5, "
                   "return_to: no}\n  - {id: sea, type: sink}\nedges: [[src, d], [src, sea]]\n")
    assert [m.split("m.yaml: ")[1] for m in load_problems(write_model(tmp_path, text))] == [
        "nodes[d].return_to (line 6): must be the id of a node (text), but YAML read it as the boolean False; put "
        "the id in quotes (for none, leave the key out)"]


@pytest.mark.parametrize("name, text, place, what", [
    ("deep.yaml", "a: " + "[" * 400 + "]" * 400 + "\n", "", "lists or mappings nested more than 100 levels deep"),
    ("deep.json", '{"a": ' + "[" * 100000 + "]" * 100000 + "}", "", "nested more than 100 levels deep"),
    ("bomb.yaml", "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
     + "".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)),
     "x6", "holds more than 10,000,000 values once its YAML aliases are expanded"),
    ("surrogate.json", '{"version": 1, "name": "\\ud800"}', "name", "holds a lone surrogate escape"),
])
def test_documents_daryo_cannot_take_are_one_problem_not_a_traceback(tmp_path, name, text, place, what):
    """Deep nesting was a RecursionError; a 740-byte alias bomb filled the memory; a lone surrogate was a
    UnicodeEncodeError when the summary was printed."""
    p = tmp_path / name
    p.write_text(text)
    with pytest.raises(ModelError) as info:
        read_document(p)
    (problem,) = info.value.problems
    assert (problem.file, problem.place) == (str(p), place) and what in problem.message


def test_a_flow_requirement_takes_no_edges(tmp_path):
    """Water sent to a flow requirement vanished: a mass-balance error of 5 hm³ a step, and a run that passed."""
    text = HEAD + """nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: fr, type: flow_requirement, at: sea, flow: 5}
  - {id: sea, type: sink}
edges: [[src, fr], [fr, sea], [src, sea]]
"""
    msgs = load_problems(write_model(tmp_path, text))
    assert len(msgs) == 2 and all("'fr' is a flow_requirement, which measures the flow through its `at` node and "
                                  "takes no edges" in m for m in msgs)


def test_a_return_upstream_of_the_demands_own_intake_is_a_problem(tmp_path):
    """10 hm³ a step met a demand of 100 that consumes 10 %: its 90 % returned above its intake and was delivered
    again, and again, within the step."""
    text = HEAD + """nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: j, type: junction}
  - {id: d, type: demand, demand: 100, consumptive_fraction: 0.1, return_to: j}
  - {id: sea, type: sink}
edges: [[src, j], [j, d], [j, sea]]
"""
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("nodes[d].return_to (line 7): 'j' is upstream of the demand's intake from 'j': its return "
                        "flow could be delivered to it again in the same step, and again, so that the demand is met "
                        "with a fraction of the water it is said to get; name a node downstream of its intakes")


@pytest.mark.parametrize("loop", [
    """  - {id: d, type: demand, demand: 100, consumptive_fraction: 0.2, return_to: k}
  - {id: k, type: junction}
  - {id: e, type: demand, demand: 100, consumptive_fraction: 0.2, return_to: j}
edges: [[src, j], [j, d], [j, sea], [k, e], [k, sea]]
""", """  - {id: d, type: demand, demand: 100, consumptive_fraction: 0.5, return_to: r}
  - {id: r, type: reservoir, max_volume: 10, initial_volume: 10, spill_to: j}
edges: [[src, j], [j, d], [j, sea], [r, sea]]
"""], ids=["through-another-demands-return", "through-a-spill"])
def test_a_return_that_comes_back_to_the_intake_another_way_is_a_problem(tmp_path, loop):
    """The loop was looked for along edges only: a return into another demand's intake, whose return came back
    above the first (180 hm³ delivered from 50), or into a reservoir spilling above the intake, passed."""
    text = HEAD + """nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: j, type: junction}
  - {id: sea, type: sink}
""" + loop
    first = load_problems(write_model(tmp_path, text))[0]
    assert "nodes[d].return_to (line 8):" in first and "is upstream of the demand's intake from 'j'" in first


def test_a_return_below_the_intake_or_behind_a_delay_is_fine(tmp_path):
    text = HEAD + """nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: j, type: junction}
  - {id: d, type: demand, demand: 100, consumptive_fraction: 0.1, return_to: k}
  - {id: k, type: junction}
  - {id: lag, type: delay, steps: 1}
  - {id: e, type: demand, demand: 100, consumptive_fraction: 0.1, return_to: lag}
  - {id: sea, type: sink}
edges: [[src, j], [j, d], [j, k], [k, lag], [lag, j], [k, e], [k, sea]]
"""
    daryo.load(write_model(tmp_path, text))


def test_non_finite_constraint_weights_are_a_problem(tmp_path):
    """A NaN weight gave NaN flows everywhere, with exit code 0."""
    text = HEAD + """nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: a, type: reach}
  - {id: b, type: reach}
  - {id: sea, type: sink}
edges: [[src, a], [src, b], [a, sea], [b, sea]]
constraints:
  - {id: lic, type: flow_sum, nodes: {a: .nan, b: 1}, max_flow: 5}
"""
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("constraints[lic].nodes (line 11): must be a list of node ids or a mapping of node id to a "
                        "finite weight")


@pytest.mark.parametrize("rows, message", [
    ("2001-01-01T00:00+05:00,1\n2001-02-01T00:00+05:00,2\n2001-03-01T00:00+05:00,3\n",
     "line 2: '2001-01-01T00:00+05:00' in column 'date' has a time zone; give a date without one"),
    ("2001-01-01T00:00+05:00,1\n2001-02-01T00:00+06:00,2\n2001-03-01T00:00+06:00,3\n",
     "line 2: '2001-01-01T00:00+05:00' in column 'date' has a time zone; give a date without one"),
    ("2001,1\n2002,2\n", "line 2: '2001' in column 'date' is a number, not a date: give dates as YYYY-MM-DD"),
    # (a Tashkent ministry analyst's review: a month and its year, 10.2020, was quoted back as pandas read it, '10.202')
    ("\n10.2020,1\n11.2020,2\n", "line 3: '10.2020' in column 'date' is a number, not a date: give dates as "
     "YYYY-MM-DD ('10.2020', a month and its year, is written 2020-10-01)"),
    ("1.50,1\n2.50,2\n", "line 2: '1.50' in column 'date' is a number, not a date: give dates as YYYY-MM-DD"),
])
def test_csv_dates_with_a_time_zone_or_as_numbers_are_problems(tmp_path, rows, message):
    """Time-zone dates were a TypeError when compared with the run's (mixed zones: a ValueError); year numbers
    were read as nanoseconds after 1970."""
    (tmp_path / "q.csv").write_text("date,q\n" + rows)
    text = HEAD + """nodes:
  - {id: src, type: inflow, inflow: {csv: q.csv, column: q}}
  - {id: sea, type: sink}
edges: [[src, sea]]
"""
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith(f"q.csv {message} (read for nodes[src].inflow (line 5))")


@pytest.mark.parametrize("attribute, message", [
    ("{csv: adir}", "CSV file 'adir' is a folder"),
    ("{csv: null}", "csv must be the name of a CSV file, not None"),
    ("{value: 5, scale: .nan}", "scale nan is not finite"),  # (it was called "too large a number")
    ("{monthly: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], values: [50, 50, 50]}",
     "a series gives one of value, monthly, values or csv, not monthly and values"),  # (monthly won, silently)
])
def test_series_that_name_a_folder_or_no_file_or_give_two_kinds_of_values_are_problems(tmp_path, attribute, message):
    (tmp_path / "adir").mkdir()
    text = (HEAD + "nodes:\n  - {id: src, type: inflow, inflow: 10}\n"
            f"  - {{id: d, type: demand, demand: {attribute}}}\nedges: [[src, d]]\n")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.split("m.yaml: ")[1].startswith(f"nodes[d].demand (line 6): {message}")


@pytest.mark.parametrize("time, table, message", [
    ("{start: 2001-01, end: 2001-03, stpe: {days: 7}}", "{volume: [0, 100], level: [0, 10]}",
     "time (line 2): unknown key(s) stpe; time takes start, end and step"),
    ("{start: 2001-01, end: 2001-03, step: {days: 7, months: 1}}", "{volume: [0, 100], level: [0, 10]}",
     "time.step (line 2): '{'days': 7, 'months': 1}' is not a step: a step mapping has only 'days'"),
    ("{start: now, end: 2030-03}", "{volume: [0, 100], level: [0, 10]}",
     "time.start (line 2): 'now' is not a date: give YYYY-MM or YYYY-MM-DD"),
    ("{start: 2001-01, end: 2001-03}", "{volume: [0, 100], levle: [0, 10]}",
     "nodes[r].level_table (line 5): unknown key(s) levle; a level table takes volume, level, area and units"),
    ("{start: 2001-01, end: 2001-03}", "{volume: [0, 100]}",
     "nodes[r].level_table (line 5): a level table needs 'volume' (hm³) and 'level' (m) and/or 'area' (km²)"),
    ("{start: 2001-01, end: 2001-03}", "{volume: [0, 100], level: [0, 10], units: {lvl: ft}}",
     "nodes[r].level_table.units (line 5): unknown key(s) lvl; give the units of volume, level and area"),
])
def test_typos_in_the_time_and_level_table_keys_are_problems(tmp_path, time, table, message):
    """They were dropped silently: monthly steps for a weekly model, a table without its levels, a start that
    was the clock's."""
    text = f"version: 1\ntime: {time}\nnodes:\n  - {{id: src, type: inflow, inflow: 10}}\n" \
        f"  - {{id: r, type: reservoir, max_volume: 100, level_table: {table}}}\n  - {{id: sea, type: sink}}\n" \
        "edges: [[src, r], [r, sea]]\n"
    msgs = load_problems(write_model(tmp_path, text))
    assert any(m.split("m.yaml: ")[1].startswith(message) for m in msgs), msgs


@pytest.mark.parametrize("reference", ["{parameter: x}", "{parameter: x, unit: m3/s}"])
def test_a_negative_value_through_a_parameter_is_named_not_an_infeasible_step(tmp_path, reference):
    """A demand of −5 written as a number is refused on loading; through a parameter it passed, and the run
    reported an infeasible step that blamed the demand's minimum.  Read in other units (m3/s: −13.4 hm3 in
    January, −12.1 in February) it is still named by its own value, not by a number and a step not in the file."""
    text = HEAD + f"""parameters:
  x: -5
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: d, type: demand, demand: {reference}}}
  - {{id: sea, type: sink}}
edges: [[src, d], [src, sea]]
"""
    with pytest.raises(ModelError) as info:
        daryo.run(daryo.load(write_model(tmp_path, text)))
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.endswith("nodes[d].demand (line 8): parameter 'x' gives -5, a negative flow or volume; it must be ≥ 0")


@pytest.mark.parametrize("x, gives", [
    ("{type: constantscenario, scenario: s, values: [5, -5, 0]}", "-5 in scenario 1"),
    ("{type: constantscenario, scenario: s, values: [-5, -5, -5]}", "-5"),
    ("{type: monthlyprofile, values: [5, -1, -5, 5, 5, 5, 5, 5, 5, 5, 5, 5]}", "-5 at the step starting 2001-03-01"),
    ("{type: aggregated, agg_func: sum, parameters: [m, c]}", "-3 at the step starting 2001-02-01 (scenario 2)"),
])
def test_a_negative_value_of_a_varying_parameter_says_where(tmp_path, x, gives):
    """A static parameter that varies by step or by scenario is named with the step and the scenario where its
    value is lowest (the message gave only the value, which is not in the file)."""
    text = HEAD + f"""scenarios:
  - {{name: s, size: 3}}
parameters:
  x: {x}
  m: {{type: monthlyprofile, values: [5, -2, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5]}}
  c: {{type: constantscenario, scenario: s, values: [1, 1, -1]}}
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: d, type: demand, demand: {{parameter: x}}}}
  - {{id: sea, type: sink}}
edges: [[src, d], [src, sea]]
"""
    with pytest.raises(ModelError) as info:
        daryo.run(daryo.load(write_model(tmp_path, text)))
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.endswith(f"nodes[d].demand (line 12): parameter 'x' gives {gives}, a negative flow or volume; it must "
                        "be ≥ 0")


@pytest.mark.parametrize("x, reference, gives", [
    ("{type: constant, value: 1e308}", "{parameter: x}", "1e+308"),
    ("1e300", "{parameter: x, scale: 1e10}", "more than 1.8e308"),
    ("{type: monthlyprofile, values: [5, 5, -2e31, 5, 5, 5, 5, 5, 5, 5, 5, 5]}", "{parameter: x}",
     "-2e+31 at the step starting 2001-03-01"),
])
def test_a_value_larger_than_any_amount_through_a_parameter_is_named(tmp_path, x, reference, gives):
    """A demand of 1e308 written as a number is refused on loading; through a parameter (or a reference's scale)
    it passed, and the run printed NumPy's overflow warnings and a summary of inf (a re-fuzz)."""
    import warnings

    text = HEAD + f"""parameters:
  x: {x}
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: d, type: demand, demand: {reference}}}
  - {{id: sea, type: sink}}
edges: [[src, d], [src, sea]]
"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ModelError) as info:
            daryo.run(daryo.load(write_model(tmp_path, text)))
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.endswith(f"nodes[d].demand (line 8): parameter 'x' gives {gives} (its value times the reference's "
                        "unit and scale): a number larger than 1e30 is no amount a model means")


def test_a_rate_through_a_parameter_is_held_to_the_limit_per_day_as_written_out(tmp_path):
    """1e29 hm³/day passes written out, and was refused through a parameter, compared over a 31-day step
    (3.1e30: a review): a parameter's value is checked as validation checks the number, per day."""
    from daryo.network import compile_network

    def model(x: str) -> daryo.Model:
        return daryo.load(write_model(tmp_path, HEAD + f"""parameters:
  x: {x}
nodes:
  - {{id: src, type: inflow, inflow: 10}}
  - {{id: d, type: demand, demand: {{parameter: x, unit: hm3/day}}}}
  - {{id: sea, type: sink}}
edges: [[src, d], [src, sea]]
"""))

    compile_network(model("1e29"))
    with pytest.raises(ModelError) as info:
        compile_network(model("2e30"))
    assert str(info.value).endswith("nodes[d].demand (line 8): parameter 'x' gives 2e+30 a day (its value times the "
                                    "reference's unit and scale): a number larger than 1e30 is no amount a model means")


def _below_the_curve(value: str, inflow: str = "0", initial: int = 60) -> str:
    """A model whose demand d is 10 while reservoir r is above half full and ``value`` below (parameter x)."""
    return HEAD + f"""parameters:
  x: {{type: controlcurve, reservoir: r, control_curves: [0.5], values: [10, {value}]}}
nodes:
  - {{id: src, type: inflow, inflow: {inflow}}}
  - {{id: r, type: reservoir, max_volume: 100, initial_volume: {initial}}}
  - {{id: d, type: demand, demand: {{parameter: x}}}}
  - {{id: sea, type: sink}}
edges: [[src, r], [r, d], [r, sea]]
"""


def test_a_negative_value_of_a_state_dependent_parameter_is_named_when_the_run_meets_it(tmp_path):
    """... and likewise when the parameter depends on a reservoir's state, found only as the run goes."""
    text = _below_the_curve("-5")
    with pytest.raises(ModelError) as info:  # 60 → 50 → 40: below the curve from the third step
        daryo.run(daryo.load(write_model(tmp_path, text)))
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.endswith("nodes[d].demand (line 9): parameter 'x' gives -5 at the step starting 2001-03-01 (scenario "
                        "0), a negative flow or volume; it must be ≥ 0")


@pytest.mark.parametrize("method", ["plain", "fast"])
def test_a_state_dependent_value_larger_than_any_amount_is_named_when_the_run_meets_it(tmp_path, method):
    """A control curve giving 1e308 below it ran with NumPy's overflow warnings and a summary of inf, as a static
    parameter's value did before it was refused (a review)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ModelError) as info:  # 60 → 50 → 40: below the curve from the third step
            daryo.run(daryo.load(write_model(tmp_path, _below_the_curve("1e308"))), daryo.RunOptions(method=method))
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.endswith("nodes[d].demand (line 9): parameter 'x' gives 1e+308 at the step starting 2001-03-01 "
                        "(scenario 0): a number larger than 1e30 is no amount a model means")
    daryo.run(daryo.load(write_model(tmp_path, _below_the_curve("1e20"))), daryo.RunOptions(method=method))


def test_the_scenario_whose_parameter_goes_negative_is_named(tmp_path):
    """Only the dry trace falls below the curve, in the second step; the message names it by its column."""
    (tmp_path / "q.csv").write_text("date,wet,dry\n2001-01-01,10,0\n2001-02-01,10,0\n2001-03-01,10,0\n")
    text = _below_the_curve("-5", inflow="{csv: q.csv}", initial=55)
    with pytest.raises(ModelError) as info:  # dry: 55 → 45, below the curve; wet: 55 → 55
        daryo.run(daryo.load(write_model(tmp_path, text)), daryo.RunOptions(scenarios=2))
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.endswith("parameter 'x' gives -5 at the step starting 2001-02-01 (scenario dry), a negative flow or "
                        "volume; it must be ≥ 0")


def test_a_negative_dead_volume_from_a_state_dependent_parameter_is_named(tmp_path):
    """A reservoir's min_volume is a volume bound like the others: below zero it made water from nothing (storage
    went to −50 hm³ with no inflow)."""
    text = HEAD + """parameters:
  x: {type: controlcurve, reservoir: r, control_curves: [0.5], values: [10, -50]}
nodes:
  - {id: src, type: inflow, inflow: 0}
  - {id: r, type: reservoir, max_volume: 100, initial_volume: 60, min_volume: {parameter: x}}
  - {id: d, type: demand, demand: 40}
  - {id: sea, type: sink}
edges: [[src, r], [r, d], [r, sea]]
"""
    with pytest.raises(ModelError) as info:  # 60 → 20: below the curve from the second step
        daryo.run(daryo.load(write_model(tmp_path, text)))
    (msg,) = [str(p) for p in info.value.problems]
    assert msg.endswith("nodes[r].min_volume (line 8): parameter 'x' gives -50 at the step starting 2001-02-01 "
                        "(scenario 0), a negative flow or volume; it must be ≥ 0")


def test_a_state_dependent_bound_of_exactly_zero_is_no_problem(tmp_path):
    """Zero is the lowest bound allowed ("release nothing below the curve"), not a negative one.  (A model with
    parameters takes the plain path: the fast path does not know them.)"""
    text = _below_the_curve("0")
    ds = daryo.run(daryo.load(write_model(tmp_path, text))).dataset
    np.testing.assert_allclose(ds.delivery.sel(demand="d").values[0], [10, 10, 0], atol=1e-8)


@pytest.mark.parametrize("gap", ["-5", "{type: controlcurve, reservoir: r, control_curves: [0.5], values: [10, -5]}"],
                         ids=["fixed", "state-dependent"])
def test_a_negative_constraint_bound_through_a_parameter_is_allowed(tmp_path, gap):
    """A flow_sum's bounds may be negative (up − down ≤ −5: down gets 5 more than up); the checks above refused
    them when a parameter gave them."""
    text = HEAD + f"""parameters:
  gap: {gap}
nodes:
  - {{id: src, type: inflow, inflow: 20}}
  - {{id: r, type: reservoir, max_volume: 100, initial_volume: 40}}
  - {{id: up, type: demand, demand: 30}}
  - {{id: down, type: demand, demand: 30}}
  - {{id: sea, type: sink}}
edges: [[src, r], [r, up], [r, down], [r, sea]]
constraints:
  - {{id: balance, type: flow_sum, nodes: {{up: 1, down: -1}}, max_flow: {{parameter: gap}}}}
"""
    ds = daryo.run(daryo.load(write_model(tmp_path, text))).dataset
    got = ds["delivery"].isel(scenario=0, time=0)
    assert float(got.sel(demand="down") - got.sel(demand="up")) == pytest.approx(5.0, abs=1e-6)


def test_an_initial_proportion_outside_0_to_1_is_a_problem(tmp_path):
    text = HEAD + """nodes:
  - {id: src, type: inflow, inflow: 10}
  - {id: r, type: reservoir, max_volume: 100, initial_proportion: 2}
  - {id: sea, type: sink}
edges: [[src, r], [r, sea]]
"""
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("nodes[r].initial_proportion (line 6): must be a fraction between 0 and 1, not 2; a "
                        "percentage is written with its sign (2 % = 0.02)")  # (a user review: efficiency: 85)


@pytest.mark.parametrize("factors, place, message", [
    ("[0, 0]", "constraints[r].factors (line 12)", "every factor is 0, which constrains nothing"),
    ("[1, -2]", "constraints[r].factors[1] (line 12)", "is negative (-2); a flow ratio's factors must be ≥ 0"),
])
def test_flow_ratio_factors_that_say_nothing_or_are_negative(tmp_path, factors, place, message):
    """[0, 0] ran as no constraint at all (both demands served in full) and [1, -2] as an infeasible one."""
    text = GOOD + f"constraints:\n  - {{id: r, type: flow_ratio, nodes: [d, sea], factors: {factors}}}\n"
    (msg,) = load_problems(write_model(tmp_path, text))
    assert f"{place}: {message}" in msg


def test_a_unit_on_a_flow_ratios_factor_is_named_as_what_the_attribute_is(tmp_path):
    """A Chu-Talas modeller's review: ``factors: [50 %, 50 %]`` was told "'%' given for a dimensionless cost", of an
    attribute that is no cost.  A factor is a pure number; a cost's message is as it was."""
    text = GOOD + "constraints:\n  - {id: r, type: flow_ratio, nodes: [d, sea], factors: [50 %, 50 %]}\n"
    assert load_problems(write_model(tmp_path, text)) == [
        f"{tmp_path / 'm.yaml'}: constraints[r].factors[{k}] (line 12): '%' given for a flow_ratio's factor, a pure "
        "number: only the factors' ratios count (50 % and 50 % are 1 and 1, 60 % and 40 % are 3 and 2 or 0.6 and "
        "0.4); write the number without a unit" for k in (0, 1)]
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: 5, cost: 5 %}")))
    assert msg.endswith("nodes[d].cost (line 6): '%' given for a dimensionless cost"), msg


def test_a_flow_sum_with_no_bound_is_refused(tmp_path):
    """A flow_sum with neither min_flow nor max_flow was taken without a word, though it constrains nothing (a
    documentation audit; a flow_ratio whose factors are all 0 is refused for that reason)."""
    text = GOOD + "constraints:\n  - {id: licence, type: flow_sum, nodes: [d, sea]}\n"
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("constraints[licence] (line 12): has neither min_flow nor max_flow, so it constrains "
                        "nothing; give one (or leave the constraint out)")
    daryo.load(write_model(tmp_path, text.replace("sea]}", "sea], max_flow: 8}")))


def _ratio_by(factors: str, x: str) -> str:
    """Two demands of 10 from reservoir r, split by a flow ratio with ``factors`` (parameter x is ``x``)."""
    return HEAD + f"""parameters:
  x: {x}
nodes:
  - {{id: src, type: inflow, inflow: 0}}
  - {{id: r, type: reservoir, max_volume: 100, initial_volume: 60}}
  - {{id: a, type: demand, demand: 10}}
  - {{id: b, type: demand, demand: 10}}
  - {{id: sea, type: sink}}
edges: [[src, r], [r, a], [r, b], [r, sea]]
constraints:
  - {{id: split, type: flow_ratio, nodes: [a, b], factors: {factors}}}
"""


_FALLS = "{type: controlcurve, reservoir: r, control_curves: [0.5], values: [2, -1]}"


@pytest.mark.parametrize("factors, x, message", [
    ("[1, {parameter: x}]", "-2", "parameter 'x' gives -2, a negative factor"),
    ("[{parameter: x}, 1]", "-2", "parameter 'x' gives -2, a negative factor"),
    ("[1, {parameter: x}]", "{type: monthlyprofile, values: [1, 1, -2, 1, 1, 1, 1, 1, 1, 1, 1, -1]}",
     "parameter 'x' gives -2 at the step starting 2001-03-01, a negative factor"),
    ("[1, {parameter: x}]", _FALLS, "parameter 'x' gives -1 at the step starting 2001-02-01 (scenario 0), a negative "
     "factor"),
    ("[{parameter: x}, 1]", _FALLS, "parameter 'x' gives -1 at the step starting 2001-02-01 (scenario 0), a negative "
     "factor"),
])
def test_a_negative_flow_ratio_factor_through_a_parameter_is_named(tmp_path, factors, x, message):
    """Factors written as numbers are checked on loading; through a parameter a negative one ran without a word:
    ``−2 a = b`` holds only at a = b = 0, so neither demand got water (the curve: 60 → 45, below it from step 2)."""
    with pytest.raises(ModelError) as info:
        daryo.run(daryo.load(write_model(tmp_path, _ratio_by(factors, x))))
    (msg,) = [str(p) for p in info.value.problems]
    assert "constraints[split].factors" in msg and msg.endswith(f"{message}; a flow ratio's factors must be ≥ 0")


def test_a_flow_ratio_factor_through_a_state_dependent_parameter_splits_the_flow(tmp_path):
    """Above the curve a : b = 1 : 2 (5 and 10 of the demands of 10), below it 1 : 1 (10 and 10)."""
    text = _ratio_by("[1, {parameter: x}]", "{type: controlcurve, reservoir: r, control_curves: [0.5], values: [2, 1]}")
    ds = daryo.run(daryo.load(write_model(tmp_path, text))).dataset
    got = ds["delivery"].isel(scenario=0).sel(demand=["a", "b"]).values
    np.testing.assert_allclose(got, [[5.0, 10.0], [10.0, 10.0], [10.0, 10.0]], atol=1e-9)


@pytest.mark.parametrize("node, place, shown", [
    ("{id: d, type: demand, demand: 5, source: [1, 2]}", "nodes[d].source (line 6)", "'[1, 2]'"),
    ("{id: d, type: demand, demand: 5, name: {a: 1}}", "nodes[d].name (line 6)", "'{'a': 1}'"),
])
def test_text_attributes_given_lists_or_mappings(tmp_path, node, place, shown):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("{id: d, type: demand, demand: 5}", node)))
    assert f"{place}: must be text, not {shown}" in msg


@pytest.mark.parametrize("demand", ["{value: 5, unit: null}", "{value: 5, unit: ''}", "{monthly: [5] * 12, unit: }",
                                    "{parameter: p, unit: ''}"])
def test_a_unit_written_with_no_value_is_a_problem(tmp_path, demand):
    """It was read as the canonical unit without a word."""
    demand = demand.replace("[5] * 12", str([5] * 12))
    text = GOOD.replace("demand: 5}", f"demand: {demand}}}")
    if "parameter" in demand:
        text = text.replace("nodes:", "parameters:\n  p: {type: constant, value: 5}\nnodes:")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert "nodes[d].demand.unit (line" in msg and "has no value; give a unit, or leave the key out" in msg


@pytest.mark.parametrize("name, column", [("a", 9), ("\U0001f600 Сырдарья", 18)])
def test_a_control_character_in_yaml_is_a_problem_at_its_line_and_column(tmp_path, name, column):
    """It was PyYAML's 'in "<unicode string>", position 30', with no line; libyaml counts bytes, so text before it
    that is not ASCII moved the place."""
    path = tmp_path / "m.yaml"
    path.write_text(GOOD.replace("name: t", f'name: "{name}\x00b"'), encoding="utf-8")
    (msg,) = load_problems(path)
    assert msg == (f"{path}: line 2, column {column}: malformed YAML: the character U+0000 is not allowed in a YAML "
                   "file (a control character: is the file text?)")


@pytest.mark.parametrize("units, place", [("null", "level_table.units"), ("{volume: null}", "level_table.units.volume"),
                                          ("{volume: ''}", "level_table.units.volume")])
def test_level_table_units_written_with_no_value(tmp_path, units, place):
    """They were read as the canonical units without a word ('' as a unit of fraction, with a wrong message)."""
    msg = _dam_problem(tmp_path, f"{{volume: [0, 100], level: [0, 10], units: {units}}}")
    assert f"nodes[dam].{place} (line 7): has no value" in msg


def test_a_blank_unit_is_no_unit(tmp_path):
    """'  ' was 'a unit of fraction, but a flow is expected'."""
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: {value: 5, unit: '  '}}")))
    assert "nodes[d].demand.unit (line 6): has no value; give a unit" in msg


#: a model whose inflow is a dataframe parameter reading q.csv
FLOWS_FROM_Q_CSV = HEAD + """parameters:
  flows: {type: dataframe, csv: q.csv, index_col: date}
nodes:
  - {id: src, type: inflow, inflow: {parameter: flows}}
  - {id: sea, type: sink}
edges: [[src, sea]]
"""


def test_a_parameters_csv_problem_says_what_read_the_file(tmp_path):
    (tmp_path / "q.csv").write_text("date,q\n2001-01-01,1\n2001-02-01,x\n2001-03-01,3\n")
    text = FLOWS_FROM_Q_CSV
    (msg,) = load_problems(write_model(tmp_path, text))
    assert msg.endswith("q.csv line 3, column 'q': 'x' is not a finite number (1 such cell in the file) (read for "
                        "parameters[flows])"), msg


@pytest.mark.parametrize("rows, what", [
    ("", "the file has no rows of values"), ("2001-01-01,1\n", "the file has only 1 row of values"),
    ("2001-01-01,1\n2001-02-01,2\n", "the file has only 2 rows of values")])
def test_a_parameters_csv_of_too_few_rows_is_named_with_the_model_file(tmp_path, rows, what):
    """A parameter's file of no or too few rows had "no regular frequency", and was named as the model names it
    (q.csv: parameters[flows]: ...), without the model file."""
    (tmp_path / "q.csv").write_text("date,q\n" + rows)
    text = FLOWS_FROM_Q_CSV
    with pytest.raises(ModelError) as err:  # (found where the run's steps are known: as validate and run compile)
        compile_network(daryo.load(write_model(tmp_path, text)))
    (msg,) = [str(p) for p in err.value.problems]
    assert msg == (f"{tmp_path / 'm.yaml'}: {tmp_path / 'q.csv'}: {what}; daryo, like Pywr, needs at least 3 to tell "
                   "how often they come (daily, N-day, monthly…) (read for parameters[flows])"), msg


def test_an_overlay_that_cuts_a_demands_supply_runs_it_dry(tmp_path):
    """Closing the canal that feeds a demand is a what-if, not a mistake in the file: the demand gets nothing (the
    rule that a demand needs an incoming edge refused it, at the base file's line)."""
    (tmp_path / "close.yaml").write_text("title: canal closed\nchanges:\n  - remove_nodes: [main_canal]\n")
    model = daryo.load(daryo.demo_model_path(), scenarios=[str(tmp_path / "close.yaml")], years=1)
    ds = daryo.run(model).dataset
    assert float(ds["delivery"].sel(demand="valley_irrigation").sum()) == 0.0
    assert float(ds["deficit"].sel(demand="valley_irrigation").sum()) > 0.0


@pytest.mark.parametrize("word, choices, hint", [
    ("node10", ["node11", "node12"], ""),  # two equally close: naming one would mislead
    ("d", ["d1", "d2"], ""),
    ("see", ["sea", "src"], " (did you mean 'sea'?)"),
    ("reservior", ["reservoir", "junction"], " (did you mean 'reservoir'?)"),
    ("x", [1, 2.5, None], ""),  # (choices that are not text are left out)
    ("lake", ["city", "farm"], ""),
])
def test_did_you_mean_names_only_a_clear_nearest(word, choices, hint):
    from daryo.errors import did_you_mean

    assert did_you_mean(word, choices) == hint


def test_parameter_misspellings_and_articles(tmp_path):
    text = GOOD.replace("nodes:", "parameters:\n  p: {type: constnt, value: 5}\n  q: {type: aggregated, "
                        "agg_func: sum, parameters: [p], colour: red}\nnodes:")
    msgs = load_problems(write_model(tmp_path, text))
    assert any("unknown parameter type 'constnt' (did you mean 'constant'?)" in m for m in msgs), msgs
    assert any("unknown field 'colour' for an aggregated parameter" in m for m in msgs), msgs
    text = GOOD.replace("  - {id: sea, type: sink}\n", "  - {id: sea, type: sink}\n  - {id: h, type: hydropower, "
                        "reservoir: src, capacity: 10, tailwater_level: 0}\n")
    assert any("'src' is an inflow, not a reservoir" in m for m in load_problems(write_model(tmp_path, text)))


def test_a_parameter_with_a_problem_of_its_own_is_not_also_called_undefined(tmp_path):
    """An aggregated parameter of one that failed its own check was also told it named an undefined one."""
    text = GOOD.replace("nodes:", "parameters:\n  p: {type: constnt, value: 5}\n  q: {type: aggregated, "
                        "agg_func: sum, parameters: [p, 1]}\nnodes:").replace("demand: 5}", "demand: {parameter: q}}")
    msgs = load_problems(write_model(tmp_path, text))
    assert len(msgs) == 1 and "parameters[p]: unknown parameter type 'constnt'" in msgs[0], msgs


def test_misspelt_parameter_and_reservoir_names_get_the_nearest(tmp_path):
    text = GOOD.replace("nodes:", "parameters:\n  demand_x: 5\n  y: {type: aggregated, agg_func: sum, parameters: "
                        "[demandx]}\nnodes:").replace("demand: 5}", "demand: {parameter: demand_y}}")
    msgs = load_problems(write_model(tmp_path, text))
    assert any(m.endswith("names parameter 'demand_y', which is not defined under 'parameters' (did you mean "
                          "'demand_x'?)") for m in msgs), msgs
    assert any(m.endswith("parameters[y]: names parameter 'demandx', which is not defined (did you mean "
                          "'demand_x'?)") for m in msgs), msgs
    text = GOOD.replace("nodes:", "parameters:\n  c: {type: storage, reservoir: dams}\nnodes:\n"
                        "  - {id: dam, type: reservoir, max_volume: 10, cost: {parameter: c}}")
    text = text.replace("  - [src, sea]", "  - [src, sea]\n  - [src, dam]\n  - [dam, sea]")
    msgs = load_problems(write_model(tmp_path, text))
    assert any(m.endswith("parameters[c]: names 'dams', which is not a node (did you mean 'dam'?)") for m in msgs), msgs


def test_a_quoted_digit_that_is_no_number_gets_no_quotes_hint(tmp_path):
    (msg,) = load_problems(write_model(tmp_path, GOOD.replace("demand: 5}", "demand: 5, priority: '²'}")))
    assert msg.endswith("'²' must be a whole number from 1 to 1,000,000,000")


def test_a_model_loaded_for_fewer_years_keeps_the_lines_of_its_time(tmp_path):
    """daryo.load(path, years=Y) rewrites the span; a problem under ``time`` kept no line."""
    p = write_model(tmp_path, GOOD.replace("step: month}", "step: month, foo: 1}"))
    with pytest.raises(ModelError) as info:
        daryo.load(p, years=1)
    assert [str(x).split("m.yaml: ")[1] for x in info.value.problems] == [
        "time (line 3): unknown key(s) foo; time takes start, end and step"]


def test_an_id_with_a_control_character_is_refused():
    """A QA pass: ids 'x' and 'x\\x00' were both 'x' in the results (a duplicate label), and to_csv failed in pandas.
    Other characters, such as the zero-width non-joiner of Persian script, are ids' own."""
    from daryo.model import model_from_dict

    doc = {"version": 1, "name": "c", "time": {"start": "2001-01", "end": "2001-02"},
           "nodes": [{"id": "x", "type": "inflow", "inflow": 1.0}, {"id": "x\x00", "type": "sink"},
                     {"id": "Qo\u200csh", "type": "sink"}],
           "edges": [["x", "x\x00"], ["x", "Qo\u200csh"]]}
    with pytest.raises(ModelError) as err:
        model_from_dict(doc)
    assert [p.message for p in err.value.problems] == [
        "the id 'x\\x00' holds a control character ('\\x00'), which the results' NetCDF and CSV files drop or cut at; "
        "give an id without one"]


def test_a_csv_series_dated_at_month_ends_is_told_so_not_to_extend_the_file(tmp_path):
    """Rows at each month's end, all within the run: its step starts are missing, but the first message said so
    and to extend the CSV, which already covers the run (a QA pass); only the rows' dates are named."""
    ends = pd.date_range("2001-01-31", periods=3, freq="ME")
    pd.DataFrame({"date": ends.strftime("%Y-%m-%d"), "q": 100.0}).to_csv(tmp_path / "ends.csv", index=False)
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: ends.csv, column: q}}"))
    (msg,) = load_problems(p)
    assert ("ends.csv' has one row per step, dated at month ends (2001-01-31 for the step of 2001-01-01), "
            "but a CSV series is dated at each step's start (the 1st of each month): date each row at the start of its "
            "step, or read the file with a 'dataframe' parameter") in msg  # (a user review: "rows between the run's
    # step starts", said of a file with one row a month, baffled)
    mid = pd.date_range("2001-01-01", periods=3, freq="MS") + pd.Timedelta(days=14)
    pd.DataFrame({"date": mid.strftime("%Y-%m-%d"), "q": 100.0}).to_csv(tmp_path / "ends.csv", index=False)
    (msg,) = load_problems(p)
    assert ("has one row per step, dated within each step, not at its start (the first 2001-01-15, in the step of "
            "2001-01-01)") in msg
    assert "dataframe" not in msg  # (which refuses mid-month rows as of no regular frequency: a review)
    pd.DataFrame({"date": [*mid.strftime("%Y-%m-%d"), "2001-03-20"], "q": 100.0}).to_csv(tmp_path / "ends.csv",
                                                                                       index=False)
    (msg,) = load_problems(p)  # (two rows in March: not one a step)
    assert "has rows between the run's step starts (4 of its rows within the run, the first dated 2001-01-15)" in msg


@pytest.mark.parametrize("step, dates, told", [
    ("{days: 10}", ["2001-01-05", "2001-01-15", "2001-01-25"],
     "dated within each step, not at its start (the first 2001-01-05, in the step of 2001-01-01), but a CSV series "
     "is dated at each step's start (every 10 days from 2001-01-01): date each row at the start of its step"),
    ("{days: 1}", ["2001-01-01 12:00", "2001-01-02 12:00", "2001-01-03 12:00"],
     "dated within each step, not at its start (the first 2001-01-01 12:00, in the step of 2001-01-01), but a CSV "
     "series is dated at each step's start (every day from 2001-01-01): date each row at the start of its step"),
])
def test_a_csv_series_of_n_day_steps_dated_off_their_starts_is_told_so(tmp_path, step, dates, told):
    """A review: for N-day steps the message offered a dataframe parameter, which refuses such a file; a row's time
    of day was not shown (so its date seemed to be the step's start); "every 1 days"."""
    pd.DataFrame({"date": dates, "q": 100.0}).to_csv(tmp_path / "off.csv", index=False)
    end = "2001-01-30" if step == "{days: 10}" else "2001-01-03"
    text = GOOD.replace("{start: 2001-01, end: 2001-03, step: month}",
                        f"{{start: 2001-01-01, end: {end}, step: {step}}}")
    p = write_model(tmp_path, text.replace("inflow: 10}", "inflow: {csv: off.csv, column: q}}"))
    (msg,) = load_problems(p)
    assert msg.endswith(told)


DEKADS = GOOD.replace("step: month}", "step: dekad}")


def test_a_csv_series_of_dekads_takes_a_row_at_each_dekad_s_start(tmp_path):
    """The dekads brief: a CSV series of a dekad model has a row at each dekad's start (the 1st, 11th and 21st), and
    a rate in it gives each dekad its own days' volume (January's third dekad has 11 days, February's 8)."""
    starts = ["2001-01-01", "2001-01-11", "2001-01-21", "2001-02-01", "2001-02-11", "2001-02-21", "2001-03-01",
              "2001-03-11", "2001-03-21"]
    pd.DataFrame({"date": starts, "q": [float(i) for i in range(1, 10)]}).to_csv(tmp_path / "q.csv", index=False)
    m = daryo.load(write_model(tmp_path, DEKADS.replace("inflow: 10}", "inflow: {csv: q.csv, column: q, unit: m3/s}}")))
    axis = m.time.axis()
    assert axis.n_steps == 9 and list(axis.days) == [10, 10, 11, 10, 10, 8, 10, 10, 11]
    np.testing.assert_allclose(m.node("src").get("inflow").resolve(axis)[0],
                               0.0864 * np.arange(1, 10) * axis.days)


def test_a_csv_row_that_is_no_dekad_s_start_is_named(tmp_path):
    """The dekads brief: a row dated off the dekads' starts (2001-01-31 of a file dated every 10 days from the 1st,
    as for {days: 10}) is named with its file, its date and the dekad it lies in."""
    dates = ["2001-01-01", "2001-01-11", "2001-01-21", "2001-01-31", "2001-02-01", "2001-02-11", "2001-02-21",
             "2001-03-01", "2001-03-11", "2001-03-21"]
    pd.DataFrame({"date": dates, "q": 1.0}).to_csv(tmp_path / "q.csv", index=False)
    p = write_model(tmp_path, DEKADS.replace("inflow: 10}", "inflow: {csv: q.csv, column: q}}"))
    (msg,) = load_problems(p)
    assert msg.startswith(f"{p}: nodes[src].inflow (line 5): CSV file '{tmp_path / 'q.csv'}' has rows between the "
                          "run's step starts (1 of its rows within the run, the first dated 2001-01-31, within the "
                          "dekad of 2001-01-21), which a CSV series would skip: it takes one row per step, dated at "
                          "the step's start (the 1st, 11th and 21st of each month: dekads)")


def test_a_csv_series_of_monthly_rows_in_a_dekad_model_is_told_so_not_to_be_extended(tmp_path):
    """A BWO planner's review: a CSV of monthly limits over the whole run, read as a series at dekads, was told it
    had no value for 2001-01-11 and to "extend the CSV or shorten the run"; its rows are sparser than the steps,
    and the message says so and what to do.  A file that ends early is still told to extend it."""
    pd.DataFrame({"date": ["2001-01-01", "2001-02-01", "2001-03-01"], "q": 31.0}).to_csv(tmp_path / "m.csv",
                                                                                       index=False)
    p = write_model(tmp_path, DEKADS.replace("inflow: 10}", "inflow: {csv: m.csv, column: q}}"))
    (msg,) = load_problems(p)
    assert msg.endswith(f"CSV file '{tmp_path / 'm.csv'}' has no value for 2001-01-11 (6 of the run's 9 step dates "
                        "are missing): its rows are about 29.5 days apart, and a series has a row for each of the "
                        "model's dekads; give monthly totals as 12 values in hm3/month (or GWh/month), or read the "
                        "file through a dataframe parameter (as a rate: each step takes its mean over its days)")
    short = ["2001-01-01", "2001-01-11", "2001-01-21", "2001-02-01"]
    pd.DataFrame({"date": short, "q": 1.0}).to_csv(tmp_path / "s.csv", index=False)
    (msg,) = load_problems(write_model(tmp_path, DEKADS.replace("inflow: 10}", "inflow: {csv: s.csv, column: q}}")))
    assert msg.endswith("it covers 2001-01-01 to 2001-02-01. Extend the CSV or shorten the run.")


def test_a_dekad_model_starts_on_a_dekad_s_first_day_and_has_no_amounts_per_month(tmp_path):
    """The dekads brief: dekads start on the 1st, 11th and 21st, as monthly steps start on the 1st; and an amount
    per calendar month is refused, as on N-day steps (a dekad is not a month)."""
    (msg,) = load_problems(write_model(tmp_path, DEKADS.replace("start: 2001-01,", "start: 2001-01-05,")))
    assert msg.endswith("time.start (line 3): 2001-01-05 is not a dekad's first day, where dekads start (the 1st, "
                        "11th and 21st of a month): give 2001-01-01")
    model = daryo.load(write_model(tmp_path, DEKADS.replace("start: 2001-01,", "start: 2001-01-11,")))
    assert model.time.axis().n_steps == 8
    # and a start given in Python names the dekad's first day, as the loader does (a diff review)
    with pytest.raises(ValueError, match=r"start='2001-02-15': dekads start on the 1st, 11th or 21st of a month; "
                       "give 2001-02-11, its dekad's first day"):
        model.with_time(start="2001-02-15")
    with pytest.raises(ValueError, match=r"start='2001-01-21 06:00': steps start at midnight; give the date alone"):
        model.with_time(start="2001-01-21 06:00")
    (msg,) = load_problems(write_model(tmp_path, DEKADS.replace("demand: 5}", "demand: 30 hm3/month}")))
    assert "'hm3/month' is an amount per calendar month, but this model has dekads; give 12 monthly values" in msg
    (msg,) = load_problems(write_model(tmp_path, DEKADS.replace("step: dekad}", "step: decade}")))
    assert "'decade' is not a step (did you mean 'dekad'?); use 'month', 'dekad' or {days: N}" in msg
    # a CSV series of dekads with the step mistyped: one problem, not a second of the series against months (a BWO
    # planner's review)
    starts = ["2001-01-01", "2001-01-11", "2001-01-21", "2001-02-01", "2001-02-11", "2001-02-21", "2001-03-01",
              "2001-03-11", "2001-03-21"]
    pd.DataFrame({"date": starts, "q": 1.0}).to_csv(tmp_path / "q.csv", index=False)
    text = DEKADS.replace("inflow: 10}", "inflow: {csv: q.csv, column: q}}").replace("step: dekad}", "step: Dekad}")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert "time.step (line 3): 'Dekad' is not a step (did you mean 'dekad'?)" in msg


@pytest.mark.parametrize("caveats", ["'read me'", "[1, 2]", "['']", "{a: b}"])
def test_caveats_are_a_list_of_sentences(tmp_path, caveats):
    p = write_model(tmp_path, GOOD + f"metadata:\n  caveats: {caveats}\n")
    (msg,) = load_problems(p)
    assert "metadata.caveats (line" in msg and "must be a list of sentences (text), each a caveat that daryo run " \
        "prints with the model's results" in msg
    p = write_model(tmp_path, GOOD + "metadata:\n  caveats: [Inflows are guesses.]\n")
    assert daryo.load(p).metadata["caveats"] == ["Inflows are guesses."]


def test_caveats_hold_no_control_characters_and_are_of_a_length_a_reader_reads(tmp_path):
    """The UN Centre's security reviewer: caveats were printed as written, so that ``\\e]0;TITLE\\a`` retitled the
    terminal and ``\\e[8m`` hid the text after it; and a caveat had no length limit (daryo run prints them all, and
    every results file keeps them).  A model's name and description already refused control characters."""
    caveats = ['"\\e]0;pwned\\a Inflows are guesses."', '"\\e[8mhidden"', '"Tabs\\tand line\\nbreaks are fine."',
               "B" * 2001]
    p = write_model(tmp_path, GOOD + "metadata:\n  caveats:\n" + "".join(f"    - {c}\n" for c in caveats))
    first = len(GOOD.splitlines()) + 3
    control = "which a terminal would act on when daryo run prints the caveat; give text without one"
    assert [m.split("m.yaml: ")[1] for m in load_problems(p)] == [
        f"metadata.caveats[0] (line {first}): holds a control character ('\\x1b'), {control}",
        f"metadata.caveats[1] (line {first + 1}): holds a control character ('\\x1b'), {control}",
        f"metadata.caveats[3] (line {first + 3}): is 2,001 characters long, more than the 2,000 a caveat may have "
        "(daryo run prints it, and every results file keeps it); say it in fewer words, and point to a document "
        "for the rest"]
    p = write_model(tmp_path, GOOD + "metadata:\n  caveats:\n" + f"    - {'C' * 1500}\n" * 14)
    assert [m.split("m.yaml: ")[1] for m in load_problems(p)] == [
        f"metadata.caveats (line {first - 1}): the 14 caveats are 21,000 characters in all, more than the 20,000 a "
        "model's caveats (its scenario overlays' with them) may have: daryo run prints them all, and every results "
        "file keeps them; keep the few a reader must know"]
    p = write_model(tmp_path, GOOD + "metadata:\n  caveats:\n" + f"    - {'C' * 2000}\n" * 10)
    assert len(daryo.load(p).metadata["caveats"]) == 10


def test_messages_that_quote_the_file_escape_its_control_characters(tmp_path, capsys):
    """The UN Centre's security reviewer: messages quoted ids, keys and values with the escape sequences the file
    gave them (``nodes[src\\e[41m]``, ``unknown attribute '\\e[2Jbadkey'``, ``unknown component type
    'sink\\e[31m'``), which the terminal acted on (a red background, a cleared screen).  Each control character a
    problem quotes is written as an escape, \\x1b."""
    text = GOOD.replace("{id: src,", '{id: "src\\e[41m",').replace("[src, d]", '["src\\e[41m", d]').replace(
        "[src, sea]", '["src\\e[41m", sea]').replace("demand: 5}", 'demand: 5, "\\e[2Jbadkey": 1}').replace(
        "type: sink}", 'type: "sink\\e[31m"}')
    p = write_model(tmp_path, text)
    assert main(["validate", str(p)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "nodes[src\\x1b[41m] (line 5): the id 'src\\x1b[41m' holds a control character ('\\x1b')" in err
    assert "nodes[d].\\x1b[2Jbadkey (line 6): unknown attribute '\\x1b[2Jbadkey' for a demand" in err
    assert "nodes[sea] (line 7): unknown component type 'sink\\x1b[31m'" in err
    assert str(ModelError(Problem("m.yaml", "", "a\nb\tc\x07\x9b"))).endswith("m.yaml: a\nb\tc\\x07\\x9b")
    # a bidirectional override, which shows the text after it backwards ("gnp.exe" as "exe.png": a diff review)
    assert str(ModelError(Problem("m.yaml", "", "x\u202egnp.exe"))).endswith("m.yaml: x\\u202egnp.exe")


def test_a_delays_release_is_not_called_a_minimum(tmp_path):
    """A delay's release is fixed by what entered it earlier (here its initial flow), as an inflow's is: an
    infeasible step does not say the delay has a minimum to check (a review), and says why its water cannot leave
    (a QA pass of the allocation)."""
    text = ("version: 1\nallocation: cost\ntime: {start: 2000-10, end: 2000-12}\nnodes:\n"
            "  - {id: src, type: inflow, inflow: 0}\n  - {id: lag, type: delay, steps: 1, initial_flow: 10}\n"
            "  - {id: farm, type: demand, demand: 4, cost: -1}\nedges: [[src, lag], [lag, farm]]\n")
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(daryo.load(write_model(tmp_path, text)))
    assert "lag" in info.value.components and "minimum:" not in str(info.value)
    assert "What leaves a delay now (lag: its initial_flow, the water on its way when the run starts) must leave, " \
        "but its outlets cannot take it all: a delay belongs on a reach the water must take" in str(info.value)


def test_water_that_could_not_leave_a_delay_is_held_out_of_it_and_the_step_says_so(tmp_path):
    """What enters a delay is held to what its outlets take when it leaves (the farm's 4): an inflow of 10 whose
    only way is the delay has nowhere to go at once, where it arrives, not a step later where it leaves (the message
    blamed the delay's release, a step after the cause)."""
    text = ("version: 1\nallocation: cost\ntime: {start: 2000-10, end: 2000-12}\nnodes:\n"
            "  - {id: src, type: inflow, inflow: {values: [10, 0, 0]}}\n  - {id: lag, type: delay, steps: 1}\n"
            "  - {id: farm, type: demand, demand: 4, cost: -1}\nedges: [[src, lag], [lag, farm]]\n")
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(daryo.load(write_model(tmp_path, text)))
    assert info.value.step == 0
    assert "The water of src has nowhere to go: what enters lag is held to what its outlets take when it leaves " \
        "('farm' (a demand: it takes no more than its demand))" in str(info.value)


@pytest.mark.parametrize("dimension, problem", [
    ("{name: clim, size: 0}", "size '0' must be a whole number ≥ 1"),
    ("{name: clim, size: '2'}", "size '2' must be a whole number ≥ 1"),
    ("{name: clim, size: 2, names: [a]}", "names must be a list of 2 names, one per member"),
])
def test_a_scenario_dimension_refused_is_not_also_undeclared(tmp_path, dimension, problem):
    """A parameter naming a scenario dimension refused for a problem of its own was also reported as naming one
    "which is not declared under scenarios:", though it is (a fuzz of the Pywr import)."""
    path = write_model(tmp_path, HEAD + f"scenarios: [{dimension}]\n"
                       "parameters:\n  q: {type: constantscenario, scenario: clim, values: [1, 2]}\n"
                       "nodes:\n  - {id: src, type: inflow, inflow: {parameter: q}}\n  - {id: sea, type: sink}\n"
                       "edges: [[src, sea]]\n")
    assert [p.split(": ", 2)[1:] for p in load_problems(path)] == [["scenarios[0] (line 4)", problem]]


@pytest.mark.parametrize("content, where, message", [
    (b"date,a\n2001-01-01,1\n2001-02-01,88\x005\n2001-03-01,3\n", "nodes[src].inflow (line 5)",
     "CSV file 'flows.csv' cannot be read: line 3, column 'a': the cell holds a NUL byte (0x00), which no CSV text "
     "has: the file is binary or damaged data"),
    (b'date,a\n2001-01-01,1\n2001-02-01,"2\n2001-03-01,3\n', "nodes[src].inflow (line 5)",
     'CSV file \'flows.csv\' cannot be read: line 3: the quote (") that opens a value on this line is never closed: '
     "the rest of the file would be read as that one value; close the quote, or remove it"),
    (b"date,a\n2001-01-01,1,7\n2001-02-01,2\n2001-03-01,3\n", "{csv} line 2",
     "3 fields where the header (line 1) has 2; give each line one value per column of the header (a value holding "
     "the separator needs quotes) (read for nodes[src].inflow (line 5))"),
    (b"date,a\n2001-01-01,1\n2001-02-01,2\n9999-01-01,3\n", "nodes[src].inflow (line 5)",
     "CSV file '{csv}' has no value for 2001-03-01 (1 of the run's 3 step dates are missing); it covers 2001-01-01 "
     "to 2001-02-01. Extend the CSV or shorten the run. The file's row dated outside the dates pandas, and so daryo, "
     "can hold (1677-09-22 to 2262-04-11) was left out: it is '9999-01-01', line 4."),
    (b"date,a\n2001-01-01,1\n,2\n2001-03-01,3\n", "{csv} line 3, column 'date'",
     "the date cell is empty (or NA); give a date, YYYY-MM-DD (read for nodes[src].inflow (line 5))"),
], ids=["nul-byte", "unclosed-quote", "extra-field", "year-9999", "empty-date"])
def test_a_damaged_csv_is_told_by_validate_with_its_line(tmp_path, capsys, content, where, message):
    """What a fuzz of the command line found: a NUL byte cut a value short (88 read for '88<NUL>5', exit 0); an
    unclosed quote was pandas' 'EOF inside string starting at row 2'; a first row of 3 fields against 2 was
    "'1' in column 'date' is a number"; year 9999 and an empty date were "not a date" ('nan') (year 9999 is now
    left out, and named where the run misses the date it stands for)."""
    from daryo.cli import main

    (tmp_path / "flows.csv").write_bytes(content)
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    assert main(["validate", str(p)]) == 1
    err = capsys.readouterr().err
    csv = tmp_path / "flows.csv"
    assert f"1 problem in the model:\n  - {p}: {where.format(csv=csv)}: {message.format(csv=csv)}\n" in err, err
    assert "Traceback" not in err


def test_constraint_weights_and_factors_larger_than_any_amount_are_refused(tmp_path):
    """A flow_sum weight of 1e308 or a flow_ratio factor of 1e31 written out ended in a solver error, while the
    same factor through a parameter got the 1e30 limit's message (a regression fuzz)."""
    text = GOOD + ("constraints:\n  - {id: s, type: flow_sum, nodes: {d: 1e308, sea: 1}, max_flow: 3}\n"
                   "  - {id: r, type: flow_ratio, nodes: [d, sea], factors: [1, 1e31]}\n")
    assert load_problems(write_model(tmp_path, text)) == [
        f"{tmp_path / 'm.yaml'}: constraints[s].nodes (line 12): holds 1e+308: a number larger than 1e30 is no amount "
        "a model means",
        f"{tmp_path / 'm.yaml'}: constraints[r].factors[1] (line 13): holds 1e+31: a number larger than 1e30 is no "
        "amount a model means"]


def test_inline_traces_may_be_named_once_each(tmp_path):
    """``scenarios`` names the traces of inline lists (what an overlay writes for a CSV file's columns it changed):
    one distinct name a list; a CSV series takes its names from its columns, a constant has one trace."""
    base = ("version: 1\nname: t\ntime: {start: 2001-01, end: 2001-02}\nnodes:\n  - {id: src, type: inflow, inflow: "
            "INFLOW}\n  - {id: sea, type: sink}\nedges: [[src, sea]]\n")
    two = "{values: [[1, 2], [3, 4]], scenarios: [wet, dry]}"
    named = daryo.load(write_model(tmp_path, base.replace("INFLOW", two)))
    assert named.scenario_names == ("wet", "dry")
    for inflow, why in (("{values: [[1, 2], [3, 4]], scenarios: [wet]}",
                         "scenarios names 1 trace(s), but the series has 2"),
                        ("{values: [[1, 2], [3, 4]], scenarios: [wet, wet]}", "scenarios names a trace twice (wet)"),
                        ("{values: [[1, 2], [3, 4]], scenarios: wet}", "scenarios must be a list of names"),
                        ("{csv: a.csv, columns: '*', scenarios: [a, b]}", "a CSV series takes its traces' names from "
                         "its columns: leave scenarios out"),
                        ("{value: 3, scenarios: [a]}", "a constant has one trace: leave scenarios out")):
        (msg,) = load_problems(write_model(tmp_path, base.replace("INFLOW", inflow)))
        assert "nodes[src].inflow" in msg and why in msg, msg


@pytest.mark.skipif(os.name == "nt", reason="Windows reads a backslash as a folder separator: the file is found")
def test_a_csv_path_written_with_backslashes_is_told_to_use_slashes(tmp_path):
    """A hydro-informatics lecturer's review: `csv: data\\inflow.csv`, as Windows Explorer writes a path, was "not
    found" on the lab's Linux machines, with no word of why.  The problem says to write the folders with /."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "inflow.csv").write_text("date,q\n2001-01-01,1\n")
    path = write_model(tmp_path, HEAD + "nodes:\n  - {id: src, type: inflow, inflow: {csv: data\\inflow.csv, "
                                        "column: q}}\n  - {id: sea, type: sink}\nedges: [[src, sea]]\n")
    (problem,) = load_problems(path)
    looked = tmp_path / "data\\inflow.csv"  # (a file name with a backslash in it, off Windows)
    assert problem.endswith(f"CSV file 'data\\inflow.csv' not found (looked for {looked}); write the folders of a "
                            "path with / (data/inflow.csv), as on every system"), problem


def test_csv_rows_out_of_order_are_said_to_cover_their_earliest_to_their_latest_date(tmp_path):
    """A Chu-Talas modeller's review: a file whose rows were not in date order was said to cover "2004-02-01 to
    2004-01-01", its first and last rows."""
    (tmp_path / "flows.csv").write_text("date,a\n2001-02-01,2\n2001-01-01,1\n")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = load_problems(p)
    assert "has no value for 2001-03-01 (1 of the run's 3 step dates are missing); it covers 2001-01-01 to " \
           "2001-02-01. Extend the CSV" in msg


@pytest.mark.parametrize("dates", [("01.01.01", "01.02.01", "01.03.01"), ("1.1.01", "1.2.01", "1.3.01")])
def test_csv_dates_with_two_digit_years_are_refused(tmp_path, dates):
    """A Chu-Talas modeller's review: a 1965-1995 record dated 01.10.65 was read from 2065-10-01 (pandas puts a
    two-digit year within 50 years of the day the file is read), told as "it covers 2065-10-01 to 1995-09-01".  Here
    the years read right today, and are refused all the same: the first such row is named.  (Dates whose order of
    day and month no date of the file tells, 1/1/01, are refused for that first.)"""
    rows = "".join(f"{d},{k}\n" for k, d in enumerate(dates, 1))
    (tmp_path / "flows.csv").write_text(f"date,a\n{rows}")
    p = write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = load_problems(p)
    short = next(k for k, d in enumerate(dates) if not d.endswith("2001"))
    assert f"{tmp_path / 'flows.csv'} line {short + 2}: '{dates[short]}' in column 'date' writes its year in two " \
           "digits" in msg
    assert "write years in four digits" in msg


def test_a_csv_of_four_digit_years_written_day_first_with_dots_is_read(tmp_path):
    (tmp_path / "flows.csv").write_text("date,a\n01.01.2001,1\n01.02.2001,2\n01.03.2001,3\n")
    m = daryo.load(write_model(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}")))
    assert daryo.run(m).dataset["node_flow"].sel(node="src").values.ravel().tolist() == [1.0, 2.0, 3.0]


def test_an_inflow_parameter_of_a_node_whose_csv_cannot_be_read_is_not_also_told_the_node_has_no_series(tmp_path):
    """A Chu-Talas modeller's review: after "CSV ... cannot be read", a parameter reading the node's inflow was told
    "'src' has no inflow series", which it has."""
    text = GOOD.replace("inflow: 10}", "inflow: {csv: missing.csv, column: a}}") + (
        "parameters:\n  q: {type: inflow, node: src}\n")
    text = text.replace("demand: 5}", "demand: {parameter: q}}")
    (msg,) = load_problems(write_model(tmp_path, text))
    assert "missing.csv" in msg and "has no inflow series" not in msg
