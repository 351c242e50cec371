"""Agreement with Pywr (the peer engine) on generated networks.

The same random network and inflows are built as a Pywr v1 JSON document (run by Pywr itself) and as a
daryo ``allocation: cost`` model (built here directly, not through daryo's Pywr importer).  All costs are
distinct random reals, so the LP optimum of every step is unique and two correct engines must agree:
node flows and storage volumes to 1e-6 relative at every step.
"""

import numpy as np
import pytest

import daryo
from daryo.testmodels import build

pywr_model = pytest.importorskip("pywr.model", reason="Pywr is the peer engine (pip install pywr)")

STEPS = 12


def _random_network(seed: int):
    rng = np.random.default_rng(seed)
    n_link, n_store, n_out = rng.integers(2, 6), rng.integers(0, 3), rng.integers(2, 5)
    order = [f"in{i}" for i in range(2)] + [f"link{i}" for i in range(n_link)] + [
        f"store{i}" for i in range(n_store)]
    rng.shuffle(order[2:])
    outs = [f"out{i}" for i in range(n_out)]
    edges = set()
    for i, name in enumerate(order):  # each non-input gets an upstream node; each node a downstream one
        if i >= 2:
            edges.add((order[rng.integers(0, i)], name))
        later = [n for n in order[i + 1:] if not n.startswith("in")] + outs
        edges.add((name, later[rng.integers(0, len(later))]))
        if rng.random() < 0.5:
            edges.add((name, later[rng.integers(0, len(later))]))
        edges.add((name, "excess"))
    for o in outs:
        if not any(e[1] == o for e in edges):
            edges.add((order[rng.integers(0, len(order))], o))
    spec = {
        "inflow": {f"in{i}": rng.uniform(0.5, 10.0, 12).round(4) for i in range(2)},
        "link": {f"link{i}": (rng.uniform(-5, 5), rng.uniform(2, 12) if rng.random() < 0.6 else None)
                 for i in range(n_link)},
        "store": {f"store{i}": (rng.uniform(-30, -1), rng.uniform(50, 400)) for i in range(n_store)},
        "out": {o: (rng.uniform(-100, -10), rng.uniform(1, 8, 12).round(4)) for o in outs},
        "excess_cost": rng.uniform(1, 3),
        "edges": sorted(edges),
    }
    return spec


def _pywr_document(spec) -> dict:
    nodes, params = [], {}
    for name, flows in spec["inflow"].items():
        params[f"{name}_flow"] = {"type": "monthlyprofile", "values": list(flows)}
        nodes.append({"name": name, "type": "input", "min_flow": f"{name}_flow", "max_flow": f"{name}_flow"})
    for name, (cost, cap) in spec["link"].items():
        node = {"name": name, "type": "link", "cost": cost}
        if cap is not None:
            node["max_flow"] = cap
        nodes.append(node)
    for name, (cost, vmax) in spec["store"].items():
        nodes.append({"name": name, "type": "storage", "max_volume": vmax, "min_volume": 0.0,
                      "initial_volume": vmax / 2, "cost": cost})
    for name, (cost, demand) in spec["out"].items():
        params[f"{name}_demand"] = {"type": "monthlyprofile", "values": list(demand)}
        nodes.append({"name": name, "type": "output", "max_flow": f"{name}_demand", "cost": cost})
    nodes.append({"name": "excess", "type": "output", "cost": spec["excess_cost"]})
    recorders = {f"rec_{n['name']}": {"type": "numpyarraystoragerecorder" if n["type"] == "storage"
                                      else "numpyarraynoderecorder", "node": n["name"]} for n in nodes}
    return {"metadata": {"title": "generated", "minimum_version": "1.31"},
            "timestepper": {"start": "2001-01-01", "end": "2001-12-31", "timestep": "M"},
            "nodes": nodes, "edges": [list(e) for e in spec["edges"]], "parameters": params,
            "recorders": recorders}


def _daryo_model(spec):
    nodes = []
    for name, flows in spec["inflow"].items():
        nodes.append({"id": name, "type": "inflow", "inflow": {"monthly": list(flows), "unit": "hm3/day"}})
    for name, (cost, cap) in spec["link"].items():
        node = {"id": name, "type": "reach", "cost": cost}
        if cap is not None:
            node["max_flow"] = f"{cap} hm3/day"
        nodes.append(node)
    for name, (cost, vmax) in spec["store"].items():
        nodes.append({"id": name, "type": "reservoir", "max_volume": vmax, "initial_volume": vmax / 2,
                      "cost": cost})
    for name, (cost, demand) in spec["out"].items():
        nodes.append({"id": name, "type": "demand", "demand": {"monthly": list(demand), "unit": "hm3/day"},
                      "cost": cost})
    nodes.append({"id": "excess", "type": "sink", "cost": spec["excess_cost"]})
    return build(nodes, [list(e) for e in spec["edges"]], steps=STEPS, allocation="cost")


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("seed", range(12))
def test_generated_network_agrees_with_pywr(seed):
    spec = _random_network(seed)
    pm = pywr_model.Model.load(_pywr_document(spec))
    pm.run()
    ds = daryo.run(_daryo_model(spec)).dataset.isel(scenario=0)
    days = ds.days.values
    for rec in pm.recorders:
        node = rec.node.name
        pywr_values = np.asarray(rec.data)[:, 0]
        if node.startswith("store"):
            ours = ds.storage.sel(reservoir=node).values
        else:
            ours = ds.node_flow.sel(node=node).values / days  # hm³ per step -> hm³/day, Pywr's unit
        np.testing.assert_allclose(ours, pywr_values, rtol=1e-6, atol=1e-6 * max(1.0, np.abs(pywr_values).max()),
                                   err_msg=f"seed {seed}, node {node}")
