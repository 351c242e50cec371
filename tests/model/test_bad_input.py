"""Every kind of bad input gives one clear ModelError naming the file, the place and the fix."""

from pathlib import Path

import pytest

import daryo
from daryo.errors import InfeasibleStepError, ModelError
from daryo.model.loader import read_document

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


def _write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _problems(path: Path) -> list[str]:
    with pytest.raises(ModelError) as info:
        daryo.load(path)
    return [str(p) for p in info.value.problems]


def test_good_model_loads(tmp_path):
    m = daryo.load(_write(tmp_path, GOOD))
    assert [n.id for n in m.nodes] == ["src", "d", "sea"]


def test_malformed_yaml_names_the_line(tmp_path):
    p = _write(tmp_path, GOOD.replace("nodes:", "nodes: [oops"))
    (msg,) = _problems(p)
    assert str(p) in msg and "line" in msg and "malformed YAML" in msg


def test_malformed_json(tmp_path):
    p = _write(tmp_path, '{"version": 1, "nodes": [}', "m.json")
    (msg,) = _problems(p)
    assert "malformed JSON" in msg and "line 1" in msg


def test_read_document_lines_dates_and_plain_dicts(tmp_path):
    p = _write(tmp_path, "a: 2001-01-01\nb:\n  c: 1\n")
    doc = read_document(p)
    assert doc == {"a": "2001-01-01", "b": {"c": 1}} and doc.line == 1 and doc["b"].line == 3
    plain = read_document(p, lines=False)
    assert plain == doc and type(plain) is dict and type(plain["b"]) is dict
    assert read_document(_write(tmp_path, '{"a": [1, 2]}', "d.json")) == {"a": [1, 2]}


def test_read_document_missing_and_undecodable_files(tmp_path):
    with pytest.raises(ModelError) as err:
        read_document(tmp_path / "none.yaml")
    assert [str(p) for p in err.value.problems] == [f"{tmp_path / 'none.yaml'}: file not found"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: S\xe9rdarya\n")
    with pytest.raises(ModelError, match="latin.yaml: cannot be read: 'utf-8' codec can't decode"):
        read_document(latin)


def test_unknown_component_type(tmp_path):
    p = _write(tmp_path, GOOD.replace("type: sink", "type: sinc"))
    (msg,) = _problems(p)
    assert "nodes[sea]" in msg and "unknown component type 'sinc'" in msg and "use one of" in msg


def test_unknown_attribute_lists_allowed(tmp_path):
    p = _write(tmp_path, GOOD.replace("demand: 5}", "demand: 5, priorty: 2}"))
    (msg,) = _problems(p)
    assert "nodes[d].priorty" in msg and "unknown attribute 'priorty'" in msg and "priority" in msg
    assert "line 6" in msg


def test_dangling_and_duplicate_edges_reported_together(tmp_path):
    p = _write(tmp_path, GOOD + "  - [src, nowhere]\n  - [src, d]\n")
    msgs = _problems(p)
    assert len(msgs) == 2
    assert any("'to' names 'nowhere', which is not a node (dangling edge)" in m for m in msgs)
    assert any("duplicate edge src -> d" in m for m in msgs)


def test_negative_capacity(tmp_path):
    p = _write(tmp_path, GOOD.replace("demand: 5}", "demand: -5}"))
    (msg,) = _problems(p)
    assert "nodes[d].demand" in msg and "is negative (-5)" in msg


def test_min_greater_than_max(tmp_path):
    text = GOOD.replace("  - {id: sea, type: sink}",
                        "  - {id: r, type: reach, min_flow: 8, max_flow: 3}\n  - {id: sea, type: sink}")
    text = text.replace("  - [src, sea]", "  - [src, r]\n  - [r, sea]")
    (msg,) = _problems(_write(tmp_path, text))
    assert "nodes[r].min_flow" in msg and "min_flow (8) is greater than max_flow (3)" in msg


def test_missing_csv(tmp_path):
    p = _write(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = _problems(p)
    assert "nodes[src].inflow" in msg and "CSV file 'flows.csv' not found" in msg


def test_csv_missing_column(tmp_path):
    (tmp_path / "flows.csv").write_text("date,b\n2001-01-01,1\n2001-02-01,2\n2001-03-01,3\n")
    p = _write(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = _problems(p)
    assert "has no column 'a'" in msg and "its columns are: date, b" in msg


def test_csv_bad_number_names_line_and_column(tmp_path):
    (tmp_path / "flows.csv").write_text("date,a\n2001-01-01,1\n2001-02-01,x\n2001-03-01,3\n")
    p = _write(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    (msg,) = _problems(p)
    assert "flows.csv line 3, column 'a'" in msg and "'x' is not a finite number" in msg


def test_csv_too_short_for_the_run(tmp_path):
    (tmp_path / "flows.csv").write_text("date,a\n2001-01-01,1\n2001-02-01,2\n")
    p = _write(tmp_path, GOOD.replace("inflow: 10}", "inflow: {csv: flows.csv, column: a}}"))
    model = daryo.load(p)
    with pytest.raises(ModelError) as info:
        daryo.run(model)
    msg = str(info.value.problems[0])
    assert "flows.csv" in msg and "no value for 2001-03-01" in msg


def test_series_of_wrong_length(tmp_path):
    p = _write(tmp_path, GOOD.replace("demand: 5}", "demand: {values: [1, 2]}}"))
    model = daryo.load(p)
    with pytest.raises(ModelError) as info:
        daryo.run(model)
    msg = str(info.value.problems[0])
    assert "nodes[d].demand" in msg and "has 2 values but the run has 3 steps" in msg


def test_non_finite_numbers(tmp_path):
    p = _write(tmp_path, GOOD.replace("demand: 5}", "demand: .nan}"))
    (msg,) = _problems(p)
    assert "nodes[d].demand" in msg and "not a finite number" in msg


def test_wrong_unit_dimension(tmp_path):
    p = _write(tmp_path, GOOD.replace("demand: 5}", "demand: 5 MW}"))
    (msg,) = _problems(p)
    assert "'MW' is a unit of power, but a flow is expected" in msg


def test_missing_version(tmp_path):
    p = _write(tmp_path, GOOD.replace("version: 1\n", ""))
    (msg,) = _problems(p)
    assert "missing 'version'" in msg


def test_many_problems_listed_at_once(tmp_path):
    text = GOOD.replace("type: sink", "type: sinc").replace("demand: 5}", "demand: -1}") + "  - [a, b]\n"
    assert len(_problems(_write(tmp_path, text))) >= 4


def test_infeasible_step_names_step_scenario_and_components(tmp_path):
    text = GOOD.replace("demand: 5}", "demand: 50, min_flow: 20}")
    model = daryo.load(_write(tmp_path, text))
    with pytest.raises(InfeasibleStepError) as info:
        daryo.run(model)
    err = info.value
    assert err.step == 0 and err.time == "2001-01-01" and err.scenario == "0"
    assert "d" in err.components and "src" in err.components
    assert "infeasible at step 0 (2001-01-01), scenario 0" in str(err)


def test_csv_without_value_columns_for_a_dataframe_parameter(tmp_path):
    (tmp_path / "only_dates.csv").write_text("date\n2001-01-01\n2001-02-01\n2001-03-01\n")
    text = GOOD.replace("nodes:", "parameters:\n  flow: {type: dataframe, csv: only_dates.csv}\nnodes:")
    text = text.replace("inflow: 10}", "inflow: {parameter: flow}}")
    (msg,) = _problems(_write(tmp_path, text))
    assert "only_dates.csv" in msg and "needs a date column and at least one value column" in msg


def test_series_scale_that_is_not_a_number(tmp_path):
    (msg,) = _problems(_write(tmp_path, GOOD.replace("inflow: 10}", "inflow: {value: 10, scale: x}}")))
    assert "nodes[src].inflow" in msg and "scale 'x' is not a number" in msg
