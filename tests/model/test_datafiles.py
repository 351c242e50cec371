"""A model's data files: confined to the model file's folder on request (``daryo.load(path, confine=True)``), and
recorded, each with its SHA-256 digest, with the model and in its results.

The network of every model here::

    src (inflow, CSV) --> city (demand 5 hm3)
        \\--> sea (sink)
"""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

import daryo
from daryo.model.datafiles import data_files_text

#: the CSV inflow of the models: 10 hm3 in January, 20 in February
FLOWS = "date,q\n2001-01-01,10\n2001-02-01,20\n"
FRAME = FLOWS + "2001-03-01,30\n"  # (a dataframe parameter tells its rows' frequency from 3 or more)
SECRET = "date,secret_token_abc123\n2001-01-01,1\n2001-02-01,1\n"


def _model_text(series: str) -> str:
    return f"""version: 1
time: {{start: 2001-01, end: 2001-02}}
parameters:
  flows: {{type: dataframe, csv: frame.csv, column: q}}
nodes:
  - {{id: src, type: inflow, inflow: {series}}}
  - {{id: city, type: demand, demand: 5, priority: 1}}
  - {{id: sea, type: sink}}
edges: [[src, city], [src, sea]]
"""


@pytest.fixture
def folders(tmp_path):
    """``models/`` (the model's folder, with q.csv and frame.csv) beside ``other/`` (another user's, with a
    secret)."""
    models, other = tmp_path / "models", tmp_path / "other"
    models.mkdir()
    other.mkdir()
    (models / "q.csv").write_text(FLOWS)
    (models / "frame.csv").write_text(FRAME)
    (other / "secret.csv").write_text(SECRET)
    return models, other


def _write(models, series: str, name: str = "model.yaml"):
    path = models / name
    path.write_text(_model_text(series))
    return path


def test_a_path_out_of_the_model_s_folder_is_refused_unread_when_confined(folders):
    """The UN Centre's security reviewer: ``inflow: {csv: ../other/secret.csv}`` read another user's file, and the
    error listed its columns ("its columns are: 'date', 'secret_token_abc123'").  Confined, the path is refused
    with the model file, the place and the path, and the file is not read: its columns are not told."""
    models, other = folders
    path = _write(models, "{csv: ../other/secret.csv, column: x}")
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path)  # (the default: read, as before)
    assert "secret_token_abc123" in str(err.value)
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path, confine=True)
    msg = str(err.value)
    assert msg.startswith("1 problem in the model:")
    assert (f"{path}: nodes[src].inflow (line 6): CSV file '../other/secret.csv' leads outside the model file's "
            "folder") in msg
    assert "secret_token_abc123" not in msg and "not read" in msg
    absolute = _write(models, f"{{csv: {other / 'secret.csv'}, column: x}}", "absolute.yaml")
    with pytest.raises(daryo.ModelError, match="leads outside the model file's folder") as err:
        daryo.load(absolute, confine=True)
    assert "secret_token_abc123" not in str(err.value)


def test_a_symbolic_link_out_of_the_model_s_folder_is_refused_when_confined(folders):
    """The UN Centre's security reviewer: a link in the model's folder (``inflow.csv -> ../other/secret.csv``)
    is followed; confined, where it leads decides, and it leads out."""
    models, other = folders
    os.symlink(other / "secret.csv", models / "inflow.csv")
    path = _write(models, "{csv: inflow.csv, column: x}")
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path, confine=True)
    assert "nodes[src].inflow (line 6): CSV file 'inflow.csv' leads outside" in str(err.value)
    assert "secret_token_abc123" not in str(err.value)
    os.symlink(models / "q.csv", models / "same.csv")  # (a link that stays inside is read)
    inside = _write(models, "{csv: same.csv, column: q}", "inside.yaml")
    assert [name for name, _ in daryo.load(inside, confine=True).data_files] == ["frame.csv", "same.csv"]


def test_a_dataframe_parameter_out_of_the_folder_is_refused_when_confined(folders):
    """The UN Centre's security reviewer: ``dataframe`` parameters read files as CSV series do."""
    models, _ = folders
    path = models / "model.yaml"
    path.write_text(_model_text("{csv: q.csv, column: q}").replace("csv: frame.csv", "csv: ../other/secret.csv"))
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path, confine=True)
    assert "parameters[flows]: CSV file '../other/secret.csv' leads outside the model file's folder" in str(err.value)
    assert "secret_token_abc123" not in str(err.value)


def test_the_files_read_are_recorded_with_their_digests_in_the_results(folders):
    """The UN Centre's security reviewer: nothing recorded what a model read.  Confined, a file inside is read (the
    run takes January's 10 hm3 and February's 20: the city gets 5 of each, the sea the rest), and the results'
    ``data_files`` name each file as written with the SHA-256 of its bytes, as ``sha256sum`` writes them."""
    models, _ = folders
    (models / "data").mkdir()
    (models / "data" / "q.csv").write_text(FLOWS.replace(",20", ",30"))
    path = _write(models, "{csv: data/q.csv, column: q}")
    model = daryo.load(path, confine=True)
    digest = hashlib.sha256(FLOWS.replace(",20", ",30").encode()).hexdigest()
    frame = hashlib.sha256(FRAME.encode()).hexdigest()
    assert model.data_files == (("frame.csv", frame), ("data/q.csv", digest))
    ds = daryo.run(model).dataset
    np.testing.assert_allclose(ds["sink_inflow"].sel(sink="sea").values[0], [5.0, 25.0])
    assert ds.attrs["data_files"] == f"{frame}  frame.csv\n{digest}  data/q.csv"
    assert daryo.run(daryo.load(_write(models, "3", "plain.yaml"))).dataset.attrs["data_files"] == (
        f"{frame}  frame.csv")


def test_the_shipped_demo_records_its_inflow_and_odd_names_are_escaped_as_sha256sum_does():
    """The UN Centre's security reviewer: the record is the one ``sha256sum -c`` checks in the model's folder."""
    demo = daryo.demo_model_path()
    digest = hashlib.sha256((demo.parent / "upper_inflow.csv").read_bytes()).hexdigest()
    assert daryo.run(daryo.load(demo)).dataset.attrs["data_files"] == f"{digest}  upper_inflow.csv"
    assert data_files_text((("a\nb.csv", "ab"), ("c\\d.csv", "cd"), ("e.csv", "ef"))) == (
        "\\ab  a\\nb.csv\n\\cd  c\\\\d.csv\nef  e.csv")


@pytest.mark.parametrize("confine", [False, True])
def test_a_pywr_tables_url_that_is_a_loop_of_links_is_a_problem_at_its_place(tmp_path, confine):
    """A diff review: a Pywr table whose ``url`` is a loop of symbolic links raised a RuntimeError ("Symlink loop
    from ..."), confined or not, where a daryo CSV series and a Pywr include are told so at their place."""
    import json

    (tmp_path / "loop2.csv").symlink_to("loop1.csv")
    (tmp_path / "loop1.csv").symlink_to("loop2.csv")
    doc = {"timestepper": {"start": "2001-01-01", "end": "2001-12-31", "timestep": "M"},
           "nodes": [{"name": "in", "type": "catchment", "flow": "flow"},
                     {"name": "out", "type": "output", "max_flow": 3, "cost": -1.0},
                     {"name": "spill", "type": "output"}],
           "edges": [["in", "out"], ["in", "spill"]],
           "tables": {"t": {"url": "loop1.csv", "index_col": "date", "parse_dates": True}},
           "parameters": {"flow": {"type": "dataframe", "table": "t", "column": "inflow"}}}
    (tmp_path / "model.json").write_text(json.dumps(doc))
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(tmp_path / "model.json", confine=confine)
    assert str(err.value).endswith("model.json: parameters[flow]: CSV file 'loop1.csv' cannot be read: it is a "
                                   "symbolic link that leads back to itself (a loop of links)"), str(err.value)
