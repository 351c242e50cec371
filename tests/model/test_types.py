"""The validated model's elements: a node's defaults come from its component type."""

from dataclasses import replace

import numpy as np
import pytest

import daryo
from daryo.ensemble.run import network_digest
from daryo.model.components import component_type
from daryo.model.types import Node
from daryo.network import compile_network
from daryo.simulate import RunOptions


def test_a_node_without_its_defaults_takes_its_component_types():
    """A loaded node has every default; one made in Python takes the component table's (the engine's own
    fallbacks, written again in the compiler, said 'other' for a demand's category where the table says
    'irrigation')."""
    demand = Node("farm", "demand", {"demand": 5.0})
    assert demand.value("category") == "irrigation" and demand.value("priority") == 1
    assert demand.value("demand") == 5.0 and demand.value("country") is None
    plant = Node("plant", "hydropower", {})
    assert plant.value("efficiency") == 0.9 and plant.value("energy_priority") == 5
    assert plant.value("capacity") is None  # (required: no default)
    assert component_type("hydropower").attribute("capacity").required
    with pytest.raises(KeyError, match="a demand node has no attribute 'capacity'"):
        demand.value("capacity")


def test_a_model_of_nodes_without_their_defaults_compiles_as_the_loaded_one():
    model = daryo.load(daryo.demo_model_path())
    bare = []
    for n in model.nodes:
        ctype = component_type(n.type)
        kept = {k: v for k, v in n.attrs.items()
                if not (isinstance(v, (int, float, str)) and v == ctype.attribute(k).default)}
        bare.append(replace(n, attrs=kept))
    assert sum(len(a.attrs) for a in bare) < sum(len(n.attrs) for n in model.nodes)  # (defaults were dropped)
    made_model = replace(model, nodes=tuple(bare))
    loaded, made = compile_network(model), compile_network(made_model)
    assert network_digest(made) == network_digest(loaded)
    np.testing.assert_array_equal(made.hp_efficiency, loaded.hp_efficiency)
    options = RunOptions(scenarios=1, years=1)
    a, b = daryo.run(model, options).dataset, daryo.run(made_model, options).dataset
    assert list(b["demand_category"].values) == list(a["demand_category"].values)
    assert list(b["demand_priority"].values) == list(a["demand_priority"].values)


#: a river, a dam with a level table and a farm whose demand varies by month (arrays in a series and a table)
_DAM_AND_FARM = """\
version: 1
name: dam and farm
time: {start: 2000-10, end: 2001-09}
nodes:
  - {id: up, type: inflow, inflow: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]}
  - {id: dam, type: reservoir, max_volume: 100, initial_volume: 50,
     level_table: {volume: [0, 100], level: [400, 420], area: [0, 5]}}
  - {id: farm, type: demand, demand: [1, 1, 1, 1, 1, 1, 8, 8, 8, 1, 1, 1]}
  - {id: sea, type: sink}
edges: [[up, dam], [dam, farm], [dam, sea]]
"""


def test_a_loaded_model_cannot_be_changed_in_place_nor_through_a_copy():
    """A researcher's review: a loaded model, said to be immutable, had plain dicts of attributes and writeable
    arrays, shared by every model made from it with dataclasses.replace: ``m2.node(...).attrs["demand"].values *=
    1.2`` changed the loaded model's next run (in a sensitivity loop, compounding run after run), and a
    copy.deepcopy kept ``validated`` while its efficiency was set to NaN, which then ran.  Attributes are read-only
    mappings, a model's arrays read-only; a copy is the model itself; a change is a new model (replace)."""
    import copy
    import pickle

    model = daryo.load_text(_DAM_AND_FARM, "m.yaml")
    before = daryo.run(model).dataset["delivery"].sel(demand="farm").values.copy()
    farm, dam = model.node("farm"), model.node("dam")
    with pytest.raises(TypeError):
        farm.attrs["demand"] = 2.0  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        farm.attrs["demand"].values[...] *= 1.2
    table = dam.attrs["level_table"]
    assert not any(a.flags.writeable for a in (table.volume, table.level, table.area))
    copied = replace(model, nodes=tuple(replace(n, attrs=dict(n.attrs)) for n in model.nodes))
    with pytest.raises(ValueError, match="read-only"):
        copied.node("farm").attrs["demand"].values[...] *= 1.2
    assert copy.deepcopy(model) is model and copy.copy(model) is model and copy.deepcopy(farm) is farm
    with pytest.raises(TypeError):
        copy.deepcopy(model).node("dam").attrs["initial_volume"] = float("nan")  # type: ignore[index]
    sent = pickle.loads(pickle.dumps(model))  # (as a worker process receives it: read-only again)
    assert not sent.node("farm").attrs["demand"].values.flags.writeable
    assert sent.node("farm").attrs == dict(sent.node("farm").attrs) and sent.validated
    np.testing.assert_array_equal(daryo.run(model).dataset["delivery"].sel(demand="farm").values, before)
    # the way to change a value: a new model, checked before it runs
    more = replace(model, nodes=tuple(replace(n, attrs={**n.attrs, "demand": 2.0}) if n.id == "farm" else n
                                      for n in model.nodes))
    assert float(daryo.run(more).dataset["delivery"].sel(demand="farm").sum()) == pytest.approx(24.0)
    assert model.node("farm").attrs["demand"].values.sum() == 8 * 3 + 9


def test_a_loaded_model_changed_in_python_says_so_in_its_problems():
    """A researcher's review: a value set in Python after loading was reported as the shipped file's
    (``…/aral.yaml: nodes[toktogul_hpp].efficiency: must be a fraction…``), pointing at a file that holds no such
    value.  A model changed with dataclasses.replace is named as changed in Python; one built in code as such."""
    model = daryo.load_text(_DAM_AND_FARM, "m.yaml")
    assert not model.changed_in_code and model.source() == "<model built in code>"  # (loaded from text: no path)
    bad = replace(model, nodes=tuple(replace(n, attrs={**n.attrs, "initial_volume": 150.0}) if n.id == "dam" else n
                                     for n in model.nodes))
    assert bad.changed_in_code
    with pytest.raises(daryo.ModelError) as err:
        daryo.run(bad)
    assert ("<model read from a text>, as changed in Python: nodes[dam].initial_volume (line 6): initial volume "
            "150 hm³ exceeds max_volume 100 hm³") in str(err.value)
    assert not replace(model, file_sha256="").changed_in_code  # (no file, no text: built in code)


def test_freezing_an_elements_attributes_leaves_the_callers_containers_and_arrays_theirs():
    """A diff review: the arrays in a dict or list of the attributes given to a node were replaced in the caller's
    own containers by read-only views, and an array in a tuple was made read-only itself."""
    from daryo.model.frozen import FrozenAttrs

    table, in_tuple, in_list = np.arange(3.0), np.arange(2.0), np.ones(2)
    inner, listed = {"t": table}, [in_list, 1.0]
    attrs = FrozenAttrs({"inner": inner, "listed": listed, "pair": (in_tuple, "x")})
    assert inner["t"] is table and listed[0] is in_list  # (the caller's containers: as they were)
    assert table.flags.writeable and in_tuple.flags.writeable and in_list.flags.writeable
    for frozen in (attrs["inner"]["t"], attrs["listed"][0], attrs["pair"][0]):
        with pytest.raises(ValueError, match="read-only"):
            frozen[0] = 5.0
    table[0] = 7.0  # (the caller's array stays theirs: the attributes hold a view of it)
    assert attrs["inner"]["t"][0] == 7.0 and attrs["pair"][1] == "x" and attrs["listed"][1] == 1.0


_TWO_RIVERS = """version: 1
time: {start: 2001-01, end: 2001-12}
metadata:
  caveats: [The inflows are guesses.]
  basins: {north: [up], south: [side]}
  sources: {up: {name: a gauge, years: [1990, 2000]}}
nodes:
  - {id: up, type: inflow, inflow: 10}
  - {id: side, type: inflow, inflow: 6}
  - {id: farm, type: demand, demand: 3, country: UZB}
  - {id: town, type: demand, demand: 2, country: UZB}
  - {id: north_sea, type: sink}
  - {id: south_sea, type: sink}
edges: [[up, farm], [up, north_sea], [side, town], [side, south_sea]]
"""


def test_a_loaded_models_metadata_cannot_be_changed_in_place():
    """A library user's review: ``model.metadata`` was a plain dict, so ``metadata["caveats"].append(...)`` and
    ``metadata["basins"] = {...}`` after loading changed the next run's caveats and water stress systems, while the
    results recorded the file's digest and no ``model_changed_in_code``.  Metadata is read-only at any depth; it
    still dumps as YAML and JSON, and a model written back with it loads the same; replace makes a new model::

        [up] --> [farm]        [side] --> [town]        basins: north [up], south [side]
          |                      |
          +--> (north_sea)       +--> (south_sea)
    """
    import copy
    import json
    import pickle

    import yaml

    from daryo.sdg import water_stress

    model = daryo.load_text(_TWO_RIVERS, "m.yaml")
    first = daryo.run(model).dataset
    edits = [lambda: model.metadata["caveats"].append("Edited in place after loading."),
             lambda: model.metadata.__setitem__("basins", {"only_north": model.metadata["basins"]["north"]}),
             lambda: model.metadata["basins"]["north"].append("side"), lambda: model.metadata["basins"].pop("south"),
             lambda: model.metadata["sources"]["up"]["years"].sort(reverse=True),
             lambda: model.metadata["sources"]["up"].update(name="x"), lambda: model.metadata.clear()]
    for edit in edits:
        with pytest.raises(TypeError, match="a model's metadata is read-only"):
            edit()
    assert model.metadata == {"caveats": ["The inflows are guesses."], "basins": {"north": ["up"], "south": ["side"]},
                              "sources": {"up": {"name": "a gauge", "years": [1990, 2000]}}}
    second = daryo.run(model).dataset
    assert second.attrs["caveats"] == first.attrs["caveats"] == "The inflows are guesses."
    assert "model_changed_in_code" not in second.attrs
    assert water_stress(second).index.tolist() == water_stress(first).index.tolist() == ["north", "south", "all"]
    assert pickle.loads(pickle.dumps(model)).metadata == model.metadata
    with pytest.raises(TypeError):
        pickle.loads(pickle.dumps(model)).metadata["caveats"].append("x")
    # written back (YAML, JSON), it loads the same
    doc = yaml.safe_load(_TWO_RIVERS)
    for text, name in ((yaml.safe_dump({**doc, "metadata": model.metadata}), "again.yaml"),
                       (yaml.dump({**doc, "metadata": model.metadata}), "again.yaml"),
                       (json.dumps({**doc, "metadata": model.metadata}), "again.json")):
        again = daryo.load_text(text, name)
        assert again.metadata == model.metadata and isinstance(again.metadata["basins"]["north"], list)
        assert network_digest(compile_network(again)) == network_digest(compile_network(model))
    # a change is a new model, recorded as changed in Python (copy.deepcopy: plain data to change)
    thawed = copy.deepcopy(model.metadata)
    thawed["caveats"].append("Edited.")
    assert type(thawed) is dict and type(thawed["sources"]["up"]["years"]) is list
    edited = replace(model, metadata=thawed)
    with pytest.raises(TypeError):
        edited.metadata["caveats"].append("x")
    ds = daryo.run(edited).dataset
    assert ds.attrs["caveats"].splitlines()[:2] == ["The inflows are guesses.", "Edited."]
    assert ds.attrs["model_changed_in_code"] == "yes"
    assert model.metadata["caveats"] == ["The inflows are guesses."]


def test_freezing_a_models_metadata_leaves_the_callers_containers_theirs():
    """A library user's review (metadata read-only at any depth): the metadata given to a model made in Python is
    frozen in copies; the caller's dicts, lists and arrays stay theirs to change."""
    given = {"caveats": ["a"], "nested": {"table": np.arange(3.0), "pair": ([1], "x")}}
    model = replace(daryo.load_text(_TWO_RIVERS, "m.yaml"), metadata=given)
    given["caveats"].append("b")
    given["nested"]["table"][0] = 7.0
    assert model.metadata["caveats"] == ["a"] and model.metadata["nested"]["table"][0] == 7.0  # (a view)
    with pytest.raises(ValueError, match="read-only"):
        model.metadata["nested"]["table"][0] = 5.0
    with pytest.raises(TypeError):
        model.metadata["nested"]["pair"][0].append(2)
    assert isinstance(model.metadata["caveats"], list) and isinstance(model.metadata["nested"], dict)


def test_a_run_of_n_day_steps_starts_on_the_models_grid():
    """A rolling-horizon review: half-year windows of a 10-day model (RunOptions(start="2001-04-01")) drew a grid
    of their own from each start, so that the last step of one window overlapped the next one's first: the chain
    counted 760 days for 730, and 3.7 % more inflow, without a word.  A start off the model's grid is refused,
    naming the steps on either side; windows started on it chain to the whole run's days."""
    from daryo.model import model_from_dict

    model = model_from_dict({
        "version": 1, "name": "nday", "time": {"start": "2000-10-01", "end": "2002-09-30", "step": {"days": 10}},
        "nodes": [{"id": "river", "type": "inflow", "inflow": "1 hm3/day"}, {"id": "sea", "type": "sink"}],
        "edges": [["river", "sea"]]})
    with pytest.raises(ValueError, match=r"start='2001-04-01': the model's 10-day steps start on 2000-10-01 and every "
                                         r"10 days from it; give 2001-03-30 or 2001-04-09"):
        daryo.run(model, RunOptions(start="2001-04-01"))
    whole = daryo.run(model).dataset
    first = daryo.run(model, RunOptions(end="2001-03-31")).dataset
    nxt = str(first.time.values[-1] + np.timedelta64(10, "D"))[:10]
    second = daryo.run(model, RunOptions(start=nxt)).dataset
    assert float(first.days.sum() + second.days.sum()) == float(whole.days.sum())
    assert float(first.sink_inflow.sum() + second.sink_inflow.sum()) == pytest.approx(float(whole.sink_inflow.sum()))


def test_a_run_of_n_day_steps_starts_on_the_grid_of_a_model_centuries_long():
    """A start given as a nanosecond pandas Timestamp (as ``axis.starts`` holds them) 521 years into a 10-day model
    from 1678: the days from the model's start to it, and the per-step series' offset, overflowed pandas'
    Timedelta ("Result is too large for pandas.Timedelta").  Counted in days, the grid is checked and the series
    shifted."""
    import pandas as pd

    from daryo.model import model_from_dict

    steps = 21_294  # 1678-10-01 to 2261-09-30 in 10-day steps
    model = model_from_dict({
        "version": 1, "name": "nday", "time": {"start": "1678-10-01", "end": "2261-09-30", "step": {"days": 10}},
        "nodes": [{"id": "river", "type": "inflow", "inflow": {"values": [float(k) for k in range(steps)],
                                                                 "unit": "hm3"}},
                  {"id": "sea", "type": "sink"}],
        "edges": [["river", "sea"]]})
    with pytest.raises(ValueError, match=r"10-day steps start on 1678-10-01 and every 10 days from it; give "
                                         r"2199-12-29 or 2200-01-08"):
        model.with_time(start=pd.Timestamp("2200-01-01").as_unit("ns"), years=1)
    late = model.with_time(start=pd.Timestamp("2200-01-08").as_unit("ns"), years=1)
    offset = 190_390 // 10  # days from 1678-10-01 to 2200-01-08, in steps
    ds = daryo.run(late).dataset
    np.testing.assert_allclose(ds.node_flow.sel(node="river").isel(scenario=0)[:3], [offset, offset + 1, offset + 2])
