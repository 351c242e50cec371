"""How the loader reads a model file's text: a key written twice in one mapping (YAML) or object (JSON) is a
problem naming the file, the line and the key, not a silent "the last one wins"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from model_files import load_problems, write_model

import daryo
from daryo.cli import main
from daryo.errors import ModelError
from daryo.model.documents import read_document

HEAD = "version: 1\nname: t\ntime: {start: 2001-01, end: 2001-03, step: month}\n"
NODES = "nodes:\n  - {id: src, type: inflow, inflow: 10}\n  - {id: sea, type: sink}\n"
EDGES = "edges:\n  - [src, sea]\n"


@pytest.mark.parametrize("body, where", [
    (NODES + "  - {id: x, type: demand, demand: 5, priority: 2, priority: 3}\n" + EDGES + "  - [src, x]\n",
     "line 7, column 51: key 'priority' appears twice in this mapping (first at line 7, column 38)"),  # flow style
    (NODES + EDGES + "nodes:\n  - {id: y, type: sink}\n",
     "line 9, column 1: key 'nodes' appears twice in this mapping (first at line 4, column 1)"),  # top level
    (NODES + "  - id: x\n    type: demand\n    demand: 5\n    demand: 6\n" + EDGES + "  - [src, x]\n",
     "line 10, column 5: key 'demand' appears twice in this mapping (first at line 9, column 5)"),  # block style
], ids=["in-a-node", "top-level", "block-mapping"])
def test_a_key_twice_in_a_mapping_is_refused_with_its_lines(tmp_path, body, where):
    path = write_model(tmp_path, HEAD + body)
    assert load_problems(path) == [f"{path}: {where}"]


@pytest.mark.parametrize("lines", [True, False])
def test_an_undefined_yaml_alias_is_named(tmp_path, lines):
    """A review: libyaml's "found undefined alias" did not say which alias, in a file of many; the alias and the
    anchor it needs are named."""
    path = write_model(tmp_path, "evap: &evaporation [1, 2]\nx: {evaporation: *evap}\n")
    with pytest.raises(ModelError) as info:
        read_document(path, lines=lines)
    assert str(info.value.problems[0]) == (
        f"{path}: line 2, column 18: malformed YAML: found undefined alias *evap: an alias repeats a value marked "
        "with an anchor (&evap) above it in the same file, and none is (a misspelt name, or an anchor in another "
        "file?)")
    path.write_text("evap: &evaporation [1, 2]\nx: {evaporation: *evaporaton}\n")  # (a misspelt alias)
    with pytest.raises(ModelError) as info:
        read_document(path, lines=lines)
    assert str(info.value.problems[0]).endswith("(a misspelt name, or an anchor in another file?) (did you mean "
                                                "'evaporation'?)")


def test_merge_keys_are_not_duplicates(tmp_path):
    """A key of a mapping overrides one merged into it (``<<: *anchor``): that is YAML, not a repeated key."""
    path = write_model(tmp_path, "base: &b {type: demand, demand: 5, priority: 1}\nx: {<<: *b, priority: 2}\n")
    assert read_document(path)["x"] == {"type": "demand", "demand": 5, "priority": 2}


def test_documents_read_without_lines_refuse_repeated_keys_too(tmp_path):
    """Scenario overlays are read as plain dicts (``lines=False``): the same check applies."""
    path = write_model(tmp_path, "set:\n  town.demand: 3\n  town.demand: 4\n", "overlay.yaml")
    with pytest.raises(ModelError) as info:
        read_document(path, lines=False)
    assert str(info.value.problems[0]) == (f"{path}: line 3, column 3: key 'town.demand' appears twice in this "
                                           "mapping (first at line 2, column 3)")


def _json_model(node_x: str) -> str:
    return ('{"version": 1, "time": {"start": "2001-01", "end": "2001-03", "step": "month"},\n'
            ' "nodes": [{"id": "src", "type": "inflow", "inflow": 10, "description": "a \\"{[\\" b"},\n'
            f'           {node_x}],\n'
            ' "edges": [["src", "x"]]}\n')


def test_a_key_twice_in_a_json_object_is_refused_with_its_line(tmp_path):
    """The place is found past brackets and quotes inside strings and the same key in other objects."""
    path = write_model(tmp_path, _json_model('{"id": "x", "type": "demand", "demand": {"value": 5, "unit": "hm3"}, '
                                        '"priority": 2, "priority": 3}'), "m.json")
    assert load_problems(path) == [f"{path}: line 3, column 96: key 'priority' appears twice in this object (first at "
                               "line 3, column 81)"]


def test_json_without_repeated_keys_loads(tmp_path):
    path = write_model(tmp_path, _json_model('{"id": "x", "type": "demand", "demand": {"value": 5, "unit": "hm3"}}'),
                  "m.json")
    assert [n.id for n in daryo.load(path).nodes] == ["src", "x"]


def test_yaml_is_parsed_by_libyaml_where_pyyaml_has_it():
    """libyaml parses the embedded model's files ~8× faster than PyYAML's Python parser (0.02 s against 0.17 s);
    the other tests of this file hold its lines and problems to those the Python parser gave."""
    import yaml

    from daryo.model import documents

    if not yaml.__with_libyaml__:
        pytest.skip("this PyYAML has no libyaml")
    assert issubclass(documents._LineLoader, yaml.CSafeLoader) and issubclass(documents._PlainLoader, yaml.CSafeLoader)


@pytest.mark.parametrize("lines", [True, False])
def test_numbers_in_exponent_form_are_numbers_as_in_json(tmp_path, lines):
    """YAML 1.1 reads 1e3 (and 1.0e3) as text, which a factor of an overlay refused with a hint to write 1.0e3,
    itself text; numbers are now read as YAML 1.2 and JSON read them.  A word stays a word."""
    path = tmp_path / "n.yaml"
    path.write_text("[1e3, 1.0e3, 1.0e+3, -2.5E-3, .5e2, 1_000e3, 1e, e3, 12, 3.5, '1e3']\n")
    assert read_document(path, lines=lines) == [1000.0, 1000.0, 1000.0, -0.0025, 50.0, 1e6, "1e", "e3", 12, 3.5, "1e3"]
    import yaml

    assert yaml.safe_load("1e3") == "1e3"  # (PyYAML's own loader is left as it is)


@pytest.mark.parametrize("name", ["m.json", "m.yaml"])
def test_a_byte_order_mark_is_read_as_no_text(tmp_path, name):
    """A UTF-8 byte-order mark (Windows editors write one) was refused in JSON ("malformed JSON: Unexpected UTF-8
    BOM") while YAML accepted it."""
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + _json_model('{"id": "x", "type": "sink"}').encode())
    assert [n.id for n in daryo.load(path).nodes] == ["src", "x"]


def test_a_problem_with_an_attribute_written_in_block_style_names_the_attributes_line(tmp_path):
    """It named the node's first line, several lines above."""
    path = write_model(tmp_path, HEAD + """nodes:
  - id: src
    type: inflow
    inflow: 10
  - id: dam
    type: reservoir
    max_volume: 100
    initial_volume: 150
    colour: blue
  - {id: sea, type: sink}
edges:
  - [src, dam]
  - {from: dam, to: sea,
     max_flow: -3}
""")
    assert [p.split("m.yaml: ")[1].split(":")[0] for p in load_problems(path)] == [
        "nodes[dam].colour (line 12)", "edges[1] (dam -> sea).max_flow (line 17)",
        "nodes[dam].initial_volume (line 11)"]
    # a value that cannot be read (its unit), and a constraint's attributes
    path = write_model(tmp_path, HEAD + """nodes:
  - {id: src, type: inflow, inflow: 10}
  - id: town
    type: demand
    demand: 5 furlongs
  - {id: sea, type: sink}
edges: [[src, town], [src, sea]]
constraints:
  - id: c
    type: flow_sum
    nodes: [town, sea]
    min_flow: 10
    max_flow: 5
""")
    assert [p.split("m.yaml: ")[1].split(":")[0] for p in load_problems(path)] == [
        "nodes[town].demand (line 8)", "constraints[c].min_flow (line 15)"]


def test_a_problem_in_a_json_model_names_its_line_as_in_yaml(tmp_path):
    """A carried review item: a JSON model's problems named the place (nodes[town].demand) but no line, where the
    same model in YAML named it."""
    path = write_model(tmp_path, """{"version": 1, "name": "t",
 "time": {"start": "2001-01", "end": "2001-03", "step": "month"},
 "nodes": [
   {"id": "src", "type": "inflow", "inflow": 10},
   {"id": "dam", "type": "reservoir", "max_volume": 100,
    "initial_volume": 150, "colour": "blue"},
   {"id": "sea", "type": "sink"}],
 "edges": [["src", "dam"],
           {"from": "dam", "to": "sea",
            "max_flow": -3}]}
""", "m.json")
    assert [p.split("m.json: ")[1].split(":")[0] for p in load_problems(path)] == [
        "nodes[dam].colour (line 6)", "edges[1] (dam -> sea).max_flow (line 10)",
        "nodes[dam].initial_volume (line 6)"]


def test_json_objects_and_arrays_remember_the_lines_of_their_keys_and_items(tmp_path):
    """The lines follow the text's tokens: strings holding brackets, braces, colons and escaped quotes, numbers
    in every form JSON (and Python's json: NaN, -Infinity) writes, literals and nested arrays; the document is
    the one read without lines."""
    text = r"""{"a": [1,
  -2.5e-3, "x]:{", NaN,
  -Infinity, [true,
    null], {"k\\\"": {}}],
 "b":
   "s:\"[", "c": false}"""
    path = write_model(tmp_path, text, "d.json")
    doc = read_document(path)
    assert repr(doc) == repr(json.loads(text))  # (NaN is not equal to itself)
    assert (doc.line, doc.key_lines) == (1, {"a": 1, "b": 5, "c": 6})
    assert (doc["a"].line, doc["a"].item_lines) == (1, [1, 2, 2, 2, 3, 3, 4])
    assert (doc["a"][5].line, doc["a"][5].item_lines) == (3, [3, 4])
    assert (doc["a"][6].line, doc["a"][6].key_lines) == (4, {'k\\"': 4})
    assert (doc["a"][6]['k\\"'].line, doc["b"]) == (4, 's:"[')
    assert type(read_document(path, lines=False)) is dict


def test_a_file_read_as_pywr_by_its_node_names_says_so_first(tmp_path):
    """Without a ``version`` and with nodes named Pywr's way, a file is read as Pywr; its problems were only
    Pywr's ("unsupported node type 'inflow'"), which did not say why."""
    path = write_model(tmp_path, "time: {start: 2001-01, end: 2001-03}\nnodes:\n  - {name: src, type: inflow}\n")
    problems = load_problems(path)
    assert problems[0] == (f"{path}: read as a Pywr model, since it has no 'version' and its nodes have a 'name' "
                           "and no 'id': a daryo model file starts with 'version: 1' and gives each node an 'id'")
    assert f"{path}: nodes[src]: unsupported node type 'inflow'" in problems[1:]


def test_a_key_twice_in_a_pywr_document_is_refused(tmp_path):
    doc = ('{"timestepper": {"start": "2001-01-01", "end": "2001-02-28", "timestep": "M"},\n'
           ' "nodes": [{"name": "in", "type": "input", "max_flow": 1}, {"name": "sea", "type": "output"}],\n'
           ' "edges": [["in", "sea"]],\n "edges": []}\n')
    json.loads(doc)  # (which Python's json reads, keeping the last)
    path = write_model(tmp_path, doc, "pywr.json")
    assert load_problems(path) == [f"{path}: line 4, column 2: key 'edges' appears twice in this object (first at "
                               "line 3, column 2)"]


def test_the_command_gives_one_line_and_no_traceback(tmp_path, capsys):
    path = write_model(tmp_path, HEAD + NODES + EDGES + "edges: []\n")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: line 9, column 1: key 'edges' appears twice in this mapping (first at line 7" in err
    assert "Traceback" not in err and err.startswith("1 problem in the model:")


def test_a_csv_series_naming_both_column_and_columns_is_refused(tmp_path):
    (tmp_path / "q.csv").write_text("date,a,b\n2001-01-01,1,2\n2001-02-01,1,2\n2001-03-01,1,2\n")
    path = write_model(tmp_path, HEAD + "nodes:\n  - {id: src, type: inflow, inflow: {csv: q.csv, columns: '*', "
                       "column: a}}\n  - {id: sea, type: sink}\n" + EDGES)
    (problem,) = load_problems(path)
    assert problem.startswith(f"{path}: nodes[src].inflow") and "gives both column: 'a' and columns: '*'" in problem


@pytest.mark.parametrize("inflow, expected", [
    ("{value: 5, scale: 2}", [10, 10, 10]),
    ("{values: [1, 2, 3], scale: 2}", [2, 4, 6]),
    ("{monthly: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], scale: 2}", [2, 4, 6]),  # January to March
    ("{csv: q.csv, column: q, scale: 2}", [2, 4, 6]),
    ("{values: [1, 2, 3], unit: km3, scale: 2}", [2000, 4000, 6000]),  # 1 km³ = 1000 hm³
    ("{value: 1, unit: m3/s, scale: 2}", [5.3568, 4.8384, 5.3568]),  # 2 x 0.0864 hm³/day x 31, 28, 31 days
], ids=["value", "values", "monthly", "csv", "values-km3", "value-m3/s"])
def test_a_series_scale_multiplies_its_values(tmp_path, inflow, expected):
    """A series mapping's ``scale`` multiplies whatever it gives, after its unit (hand-computed hm³ per step)."""
    (tmp_path / "q.csv").write_text("date,q\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    path = write_model(tmp_path, HEAD + f"nodes:\n  - {{id: src, type: inflow, inflow: {inflow}}}\n"
                       "  - {id: sea, type: sink}\n" + EDGES)
    ds = daryo.run(daryo.load(path)).dataset
    assert ds.sink_inflow.sel(sink="sea").values.ravel() == pytest.approx(expected, rel=1e-12)


def test_a_model_built_in_code_takes_numpy_numbers():
    """NumPy integers and float32 (a model made from arrays) were refused as "'5' is not a value: give a number",
    a priority of np.int64(2) as "'2' must be a whole number"; np.float64 and the text "5" were taken."""
    import numpy as np

    from daryo.model import model_from_dict

    doc = {"version": 1, "name": "np", "time": {"start": "2001-01", "end": "2001-03"},
           "nodes": [{"id": "a", "type": "inflow", "inflow": np.int64(5)},
                     {"id": "d", "type": "demand", "demand": np.float32(3.5), "priority": np.int64(2)},
                     {"id": "e", "type": "demand", "demand": {"values": [np.int64(1), np.int64(2), np.int32(3)]}},
                     {"id": "s", "type": "sink"}],
           "edges": [["a", "d"], ["a", "e"], ["a", "s"]]}
    model = model_from_dict(doc)
    assert type(model.node("d").get("priority")) is int
    delivery = daryo.run(model).dataset.delivery.sel(scenario=model.scenario_names[0])
    # 5 hm3 a step: e (priority 1) served first, d takes the rest of its 3.5
    np.testing.assert_allclose(delivery.sel(demand="e"), [1, 2, 3], atol=1e-8)
    np.testing.assert_allclose(delivery.sel(demand="d"), [3.5, 3, 2], atol=1e-8)
    with pytest.raises(ModelError, match=r"nodes\[d\]\.priority: 'True' must be a whole number"):
        model_from_dict({**doc, "nodes": [*doc["nodes"][:1], {**doc["nodes"][1], "priority": np.bool_(True)},
                                          *doc["nodes"][2:]]})


def test_a_model_built_in_code_takes_tuples_numpy_versions_and_days_and_paths(tmp_path):
    """A Python document's nodes as a tuple were refused as "must be a list of nodes, not a list", version
    np.int64(1) as "'1' is not a schema version", step {days: np.int64(10)} as not a step, a CSV named by a Path
    as "csv must be the name of a CSV file, not q.csv"; base_dir=None gave os.fspath's TypeError."""
    import numpy as np

    from daryo.model import model_from_dict

    (tmp_path / "q.csv").write_text("date,q\n2001-01-01,1\n2001-01-11,2\n2001-01-21,3\n")
    doc = {"version": np.int64(1), "name": "py", "time": {"start": "2001-01-01", "end": "2001-01-21",
                                                         "step": {"days": np.int64(10)}},
           "nodes": ({"id": "a", "type": "inflow", "inflow": {"csv": Path("q.csv"), "column": "q"}},
                     {"id": "s", "type": "sink"}),
           "edges": (("a", "s"),)}
    model = model_from_dict(doc, base_dir=tmp_path)
    assert model.time.axis().n_steps == 3
    np.testing.assert_allclose(daryo.run(model).dataset.sink_inflow.sel(sink="s").values.ravel(), [1, 2, 3])
    with pytest.raises(TypeError, match="base_dir=None: give the folder the document's relative file paths are read"):
        model_from_dict(doc, base_dir=None)
    from pathlib import PurePosixPath

    assert model_from_dict(doc, base_dir=PurePosixPath(tmp_path)).time.axis().n_steps == 3  # (any os.PathLike)


def test_numpy_arrays_as_a_series_values_or_monthly_values_are_read_as_lists():
    """model_from_dict's docstring says a series' ``values`` may be a NumPy array, but one was refused as "must be
    a list of numbers" (``monthly`` too; a fuzz of the Python API)."""
    import numpy as np

    from daryo.model import model_from_dict

    def demand(series: dict) -> np.ndarray:
        doc = {"version": 1, "time": {"start": "2001-01", "end": "2001-12"},
               "nodes": [{"id": "a", "type": "inflow", "inflow": 50}, {"id": "d", "type": "demand", "demand": series}],
               "edges": [["a", "d"]]}
        return model_from_dict(doc).node("d").get("demand").values

    assert demand({"values": np.arange(12.0)}).tolist() == [list(map(float, range(12)))]
    assert demand({"monthly": np.ones((2, 12), dtype=np.int64)}).shape == (2, 12)


def test_numbers_with_a_leading_zero_are_decimal_and_with_colons_text(tmp_path):
    """A QA review: ``demand: 010`` was read as 8 (YAML 1.1's octal) without a word, ``[010, 015, 030]`` as 8, 13,
    24; and ``lat: 41:30`` as 2,490 (base 60).  As YAML 1.2 and JSON read them: 10, and text, which the attribute
    refuses."""
    path = tmp_path / "m.yaml"
    path.write_text("version: 1\nname: o\ntime: {start: 2000-01, end: 2000-12}\nnodes:\n"
                    "  - {id: src, type: inflow, inflow: 100}\n"
                    "  - {id: town, type: demand, demand: [010, 015, 030, 08, 09, 1, 1, 1, 1, 1, 1, 007]}\n"
                    "  - {id: sea, type: sink}\nedges: [[src, town], [src, sea]]\n")
    ds = daryo.run(daryo.load(path)).dataset
    assert ds["delivery"].values.ravel().tolist() == [10, 15, 30, 8, 9] + [1] * 6 + [7]
    for sexagesimal in ("41:30", "41:30.5"):  # (a diff review: 41:30.5 was still 2,490.5)
        path.write_text(path.read_text().replace("type: demand, demand:", f"type: demand, lat: {sexagesimal}, demand:"))
        with pytest.raises(daryo.ModelError, match=r"nodes\[town\]\.lat \(line 6\): unknown unit"):
            daryo.load(path)
        path.write_text(path.read_text().replace(f"lat: {sexagesimal}, ", ""))


@pytest.mark.parametrize("name", ["big.yaml", "big.json"])
def test_a_document_larger_than_daryo_parses_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch, name):
    """The UN Centre's security reviewer: a YAML list of 24 MB took 4.7 GB of memory and 110 s before its 10
    million values were refused.  A document larger than MAX_DOCUMENT_BYTES (16 MB) is refused by its size, before a
    byte of it is read (the file here is sparse: 20 MB made at once)."""
    p = tmp_path / name
    with open(p, "wb") as f:
        f.write(b"nodes: [")
        f.truncate(20_000_000)
    monkeypatch.setattr(Path, "read_text", lambda *a, **kw: pytest.fail("the document was read"))
    with pytest.raises(ModelError) as info:
        read_document(p)
    assert [str(problem) for problem in info.value.problems] == [
        f"{p}: is 20,000,000 bytes, more than the 16,000,000 (16 MB) daryo parses as one YAML or JSON document (a "
        "large national model is a few MB); give long series as CSV files"]


def test_a_long_text_named_again_and_again_by_yaml_aliases_is_refused(tmp_path, capsys):
    """The UN Centre's security reviewer: a text of 100,000 characters named 2,000 times by an alias in the caveats
    (a file of 108 KB) was valid, and ``daryo run -o`` took 1.9 GB and wrote 200 MB of caveats to the terminal and
    the results: each text counted as one value, whatever its length.  The characters of text are counted, aliases
    expanded, as the values are."""
    text = HEAD + NODES + EDGES + (f"metadata:\n  big: &s \"{'A' * 100_000}\"\n"
                                   f"  caveats: [{', '.join(['*s'] * 2000)}]\n")
    path = write_model(tmp_path, text)
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert len(out) + len(err) < 1000
    assert (f"1 problem in the model:\n  - {path}: metadata.caveats: holds more than 16,000,000 characters of text "
            "once its YAML aliases are expanded") in err


def test_a_document_under_the_size_cap_without_aliases_is_not_refused_for_its_text():
    """A diff review: 150,000 nodes with a description (a 14 MB file, under the 16 MB cap, of no alias) were refused
    as 'more than 10,000,000 characters of text once its YAML aliases are expanded'.  The cap on characters is the
    cap on bytes, which only aliases can pass."""
    from daryo.model.documents import MAX_DOCUMENT_BYTES, _document_problem

    doc = {"nodes": [{"id": f"reach_{i:07d}", "type": "reach", "description": "x" * 60} for i in range(150_000)]}
    assert 10_000_000 < 150_000 * 84 < MAX_DOCUMENT_BYTES and _document_problem(doc) is None


LAB_MODEL = """\
version: 1
time: {start: 2001-01, end: 2001-12}
nodes:
  - id: river
    type: inflow
    inflow: 10
  - id: town
    type: demand
    demand: 5
    priority: 1
  - id: lake
    type: sink
edges:
  - [river, town]
  - [river, lake]
"""


@pytest.mark.parametrize("key, place", [("    priority: 1\n", "line 10, column 5"), ("edges:\n", "line 13, column 1")])
def test_a_key_without_its_colon_is_told_at_its_own_line(tmp_path, key, place):
    """A hydro-informatics lecturer's review: the commonest typo of a lab, a key without its ':', was told on the line
    below (`priority 1`) or at the end of the file (`edges`), "could not find expected ':'", with no hint.  The key's
    own line is named, with the fix."""
    path = write_model(tmp_path, LAB_MODEL.replace(key, key.replace(":", "", 1)))
    with pytest.raises(ModelError) as info:
        read_document(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: {place}: malformed YAML: could not find expected ':' (a key without its ':'? write `key: value`)"]


def test_no_break_spaces_that_break_the_yaml_are_named(tmp_path):
    """A hydro-informatics lecturer's review: a line indented with no-break spaces (pasted from a document) was
    "mapping values are not allowed", the line looking rightly indented.  The character is named, with its code
    point and line."""
    path = write_model(tmp_path, LAB_MODEL.replace("    demand: 5", "\u00a0 \u00a0 demand: 5"))
    with pytest.raises(ModelError) as info:
        read_document(path)
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{path}: line 10, column 13: malformed YAML: mapping values are not allowed")
    assert str(problem).endswith("(line 9 holds '\u00a0' (U+00A0 NO-BREAK SPACE): not the ASCII it looks like; "
                                 "retype it)")


def test_a_cyrillic_text_line_is_not_named_as_look_alikes(tmp_path):
    """Russian text on a line near a YAML error is no look-alike: only a Cyrillic letter within a Latin word is."""
    from daryo.model.documents import _look_alikes_on

    assert _look_alikes_on("description: Токтогул\n", [0]) == ""
    assert _look_alikes_on("tyре: sink\n", [0]) == (" (line 1 holds 'р' (U+0440 CYRILLIC SMALL LETTER ER), 'е' (U+0435 "
                                                    "CYRILLIC SMALL LETTER IE): not the ASCII it looks like; retype "
                                                    "it)")


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"])
def test_a_utf16_file_is_told_to_be_saved_as_utf8(tmp_path, bom):
    """A hydro-informatics lecturer's review: a model saved by Notepad as 'Unicode' (UTF-16) was "not UTF-8 text
    (byte 0xff at position 0)".  Its byte-order mark tells what it is and how to save it."""
    path = tmp_path / "m.yaml"
    codec = "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
    path.write_bytes(bom + LAB_MODEL.encode(codec))
    with pytest.raises(ModelError) as info:
        read_document(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: cannot be read: it is UTF-16 text (Notepad's 'Unicode'), not UTF-8: save it as UTF-8 (Notepad: "
        "File > Save as, Encoding: UTF-8)"]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_byte_that_is_not_utf8_is_told_with_its_line(tmp_path, bom):
    """A hydro-informatics lecturer's review: a description in Windows-1251 was "byte 0xcb at position 40", which a
    student had to count to.  The line and column are named (after a UTF-8 byte-order mark too)."""
    path = tmp_path / "m.yaml"
    path.write_bytes(bom + b"version: 1\nname: lab\ndescription: " + "Лаб".encode("cp1251") + b"\n")
    with pytest.raises(ModelError) as info:
        read_document(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: cannot be read: not UTF-8 text (byte 0xcb at line 3, column 14: byte {34 + len(bom)} of the file); "
        "a YAML or JSON file must be UTF-8: it reads as Windows-1251 (Cyrillic: 'description: Лаб'), as files of "
        "Central Asia's offices often are: save it as UTF-8 (iconv -f WINDOWS-1251 -t UTF-8 m.yaml > m_utf8.yaml; "
        "or in Notepad: Save as, Encoding: UTF-8)"]


@pytest.mark.parametrize("text, told", [
    ('{"version": 1,\n "nodes": [1, 2,\n ]}', "line 3, column 2: malformed JSON: Expecting value (JSON allows no "
     "trailing comma: remove the ',' at line 2, column 16, before the ']')"),
    ('{"version": 1,}', "line 1, column 15: malformed JSON: Expecting property name enclosed in double quotes (JSON "
     "allows no trailing comma: remove the ',' at line 1, column 14, before the '}')"),
    ('{"version": 1 /* the first */}', "line 1, column 15: malformed JSON: Expecting ',' delimiter (JSON has no "
     "comments: remove the comment starting here)"),
    ('// a model\n{"version": 1}', "line 1, column 1: malformed JSON: Expecting value (JSON has no comments: remove "
     "the comment starting here)"),
    ('{"name": "a\tb"}', "line 1, column 12: malformed JSON: a tab inside a string, which JSON does not take as it "
     "is: a tab or newline inside a string must be written \\t or \\n"),
    ('{"name": "a\x01b"}', "line 1, column 12: malformed JSON: the control character U+0001 inside a string, which "
     "JSON does not take as it is: a tab or newline inside a string must be written \\t or \\n; this one, \\u0001"),
    ("{'version': 1}", "line 1, column 2: malformed JSON: Expecting property name enclosed in double quotes (JSON "
     "writes text in double quotes (\"...\"), not single ones)"),
    ('{version: 1}', "line 1, column 2: malformed JSON: Expecting property name enclosed in double quotes (a key of "
     "a JSON object is text in double quotes: \"version\")"),
], ids=["trailing-comma-array", "trailing-comma-object", "block-comment", "line-comment", "tab", "control",
        "single-quotes", "bare-key"])
def test_a_json_syntax_error_says_what_the_mistake_is_where_the_text_tells_it(tmp_path, text, told):
    """A review by an engineer who writes JSON models from a database: Python's messages passed through as they are,
    a trailing comma "Expecting value", a comment "Expecting ',' delimiter", a tab in a string the truncated
    "Invalid control character at"."""
    path = write_model(tmp_path, text, "m.json")
    assert load_problems(path) == [f"{path}: {told}"]


#: the lab model with its river's inflow read from a CSV file named ``{path}`` (as the file writes it, quotes and all)
CSV_INFLOW = LAB_MODEL.replace("inflow: 10", "inflow: {csv: {path}, column: q}")


@pytest.mark.parametrize("loader", ["libyaml", "python"])
def test_a_windows_path_in_double_quotes_is_told_to_be_written_in_single_quotes(tmp_path, monkeypatch, loader):
    """A Tashkent ministry analyst's review: ``csv: "C:\\Users\\Аналитик\\…"`` was "malformed YAML: did not find
    expected hexdecimal number" (``\\U`` starts a character's code in double quotes), nothing of backslashes."""
    from daryo.model import documents

    if loader == "python":  # (PyYAML's own parser words it otherwise: "expected escape sequence of 8 hexadecimal…")
        monkeypatch.setattr(documents, "_LineLoader", documents.yaml.SafeLoader)
    path = write_model(tmp_path, CSV_INFLOW.replace("{path}", '"C:\\Users\\Аналитик\\приток.csv"'))
    with pytest.raises(ModelError) as info:
        read_document(path)
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{path}: line 6, column 24: malformed YAML: ")
    assert str(problem).endswith(
        "(inside double quotes a backslash starts an escape, \\n a line break, \\U a character's code: write a Windows "
        "path in single quotes, 'C:\\Users\\Аналитик\\приток.csv', or with forward slashes, C:/Users/…)")


@pytest.mark.parametrize("name, syntax, told", [
    ('"D:\\new\\bassein\\a.csv"', "yaml", "CSV file \"D:\\new\\bassein\\a.csv\" not found: inside double quotes a "
     "backslash starts an escape, and YAML read \\n, \\b and \\a as a line break, a backspace and a bell; write the "
     "path in single quotes, 'D:\\new\\bassein\\a.csv', or with forward slashes, \"D:/new/bassein/a.csv\""),
    ('"C:\\temp\\new.csv"', "json", "CSV file \"C:\\temp\\new.csv\" not found: inside double quotes a backslash "
     "starts an escape, and JSON read \\t and \\n as a tab and a line break; write the path with each backslash "
     "doubled, \"C:\\\\temp\\\\new.csv\", or with forward slashes, \"C:/temp/new.csv\""),
], ids=["yaml", "json"])
def test_a_file_name_read_with_escapes_names_them_and_holds_no_control_character(tmp_path, name, syntax, told):
    """The same review: ``"D:\\new\\bassein\\a.csv"`` (valid escapes: a line break, a backspace and a bell) was
    "CSV file 'D:⏎ew\\x08assein\\x07.csv' not found", a raw line break in the message.  The name is quoted as the file
    writes it, with what its escapes were read as and how to write it."""
    if syntax == "json":
        path = write_model(tmp_path, json.dumps({
            "version": 1, "time": {"start": "2001-01", "end": "2001-12"},
            "nodes": [{"id": "river", "type": "inflow", "inflow": {"csv": json.loads(name), "column": "q"}},
                      {"id": "lake", "type": "sink"}], "edges": [["river", "lake"]]}), "m.json")
    else:
        path = write_model(tmp_path, CSV_INFLOW.replace("{path}", name))
    (problem,) = load_problems(path)
    assert problem.endswith(told)
    assert "\n" not in problem and "\x08" not in problem


@pytest.mark.parametrize("text, told", [
    ('{"csv": "C:\\data\\q.csv"}', "line 1, column 12: malformed JSON: Invalid \\escape (inside a JSON string a "
     "backslash starts an escape, \\n a line break: write each backslash of a Windows path doubled, "
     "\"C:\\\\Users\\\\…\", or use forward slashes, \"C:/Users/…\")"),
])
def test_a_backslash_that_starts_no_json_escape_is_told_how_to_write_a_path(tmp_path, text, told):
    """The JSON twin of the double-quoted YAML path: Python's "Invalid \\escape" alone."""
    path = write_model(tmp_path, text, "m.json")
    assert load_problems(path) == [f"{path}: {told}"]


#: what daryo says of git's markers of a merge conflict left in a file
CONFLICT = ("an unresolved merge conflict (git's <<<<<<< / ======= / >>>>>>> markers{at}): keep one side and delete "
            "the markers")


@pytest.mark.parametrize("old, new, at", [
    ("    demand: 5\n", "<<<<<<< HEAD\n    demand: 5\n=======\n    demand: 7\n>>>>>>> alice\n",
     "line 9: {}, at lines 9, 11 and 13"),  # (as git leaves a value both sides changed)
    ("    priority: 1\n", "    priority: 1\n    cost: [1, 1, 1, 1, 1, 1,\n<<<<<<< HEAD\n      1, 1, 1,\n"
     "||||||| base\n      2, 2, 2,\n=======\n      3, 3, 3,\n>>>>>>> bob\n      1, 1, 1]\n",
     "line 12: {}, at lines 12, 14, 16 and 18"),  # (inside [...]: read as its items without a word)
    ("  - [river, lake]\n", "=======\r\n  - [river, lake]\r\n", "line 15: {}"),  # (a marker left alone)
], ids=["value", "flow-list-diff3", "separator-alone"])
def test_git_s_merge_conflict_markers_are_named_before_the_yaml_is_read(tmp_path, old, new, at):
    """A team's review: a model merged with a conflict left in it was told "could not find expected ':' (a key
    without its ':'?)", at the marker; inside a list written [...] over several lines, ``<<<<<<< HEAD`` and
    ``=======`` were read as two of its items, without a word.  The markers are named, with the fix."""
    path = write_model(tmp_path, LAB_MODEL.replace(old, new, 1))
    for lines in (True, False):
        with pytest.raises(ModelError) as info:
            read_document(path, lines=lines)
        place, _, more = at.partition(": {}")
        assert [str(p) for p in info.value.problems] == [f"{path}: {place}: {CONFLICT.format(at=more)}"]


def test_git_s_markers_are_named_in_json_and_overlays_and_texts_and_only_at_a_line_s_start(tmp_path, capsys):
    """A JSON model, an overlay (its problem one of the scenarios asked for) and a text given to ``daryo.load_text``
    are read alike; ``=======`` inside a line, or a longer row of ``=`` in a description, is no marker."""
    model = tmp_path / "m.json"
    model.write_text('{"version": 1,\n<<<<<<< HEAD\n "name": "a",\n=======\n "name": "b",\n>>>>>>> main\n}\n')
    assert load_problems(model) == [f"{model}: line 2: {CONFLICT.format(at=', at lines 2, 4 and 6')}"]
    overlay = tmp_path / "o.yaml"
    overlay.write_text("title: t\nchanges:\n<<<<<<< HEAD\n  - set: {town: {demand: 6}}\n=======\n"
                       "  - set: {town: {demand: 7}}\n>>>>>>> alice\n")
    model = write_model(tmp_path, LAB_MODEL)
    assert main(["validate", str(model), "--scenario", str(overlay)]) == 1
    assert capsys.readouterr().err == (f"1 problem in the scenarios asked for:\n  - {overlay}: line 3: "
                                       f"{CONFLICT.format(at=', at lines 3, 5 and 7')}\n")
    with pytest.raises(ModelError, match=r"^1 problem in the model:\n  - <text>: line 1: an unresolved merge"):
        daryo.load_text(">>>>>>> alice\n" + LAB_MODEL, "<text>")
    fine = LAB_MODEL.replace("version: 1\n", "version: 1\ndescription: |\n  a == b; x ======= y\n  =========\n"
                             "  =======\n", 1)
    assert read_document(write_model(tmp_path, fine))["description"].startswith("a == b; x ======= y\n")
