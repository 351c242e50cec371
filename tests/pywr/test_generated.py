"""Conformance with Pywr on generated models: random small networks of every supported simple and compound
node type (inputs, catchments, links, rivers, storages with control-curve costs, river gauges, piecewise
links, loss links, break links, delay nodes, an aggregated-node licence), monthly profiles and scenarios.
Each is run in Pywr (GLPK edge solver) and in daryo; flows and volumes agree to 1e-6 relative.

All costs are distinct random reals, so the LP optimum of every step is unique (with a tie two correct
engines may return different, equally cheap, allocations); every node can spill to an ``excess`` output so
that every step is feasible.  Water entering a delay node costs nothing in Pywr, so a model has at most one
(two would be equally cheap places to put surplus water).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pywr.model", reason="Pywr is the peer engine (pip install pywr)")

from pywr_harness import assert_same_as_pywr, pywr_doc, write_model  # noqa: E402

KINDS = ("link", "river", "storage", "curve_storage", "rivergauge", "piecewiselink", "losslink", "breaklink",
         "delaynode")


def _profile(rng: np.random.Generator, lo: float, hi: float) -> dict:
    return {"type": "monthlyprofile", "values": [round(float(v), 4) for v in rng.uniform(lo, hi, 12)]}


def _cost(rng: np.random.Generator, lo: float = -5.0, hi: float = 5.0) -> float:
    return round(float(rng.uniform(lo, hi)), 6)


def _node(kind: str, name: str, rng: np.random.Generator, params: dict) -> dict:
    if kind in ("link", "river", "breaklink"):
        node = {"name": name, "type": kind, "cost": _cost(rng)}
        if rng.random() < 0.5:
            node["max_flow"] = round(float(rng.uniform(2, 12)), 4)
        return node
    if kind == "storage":
        vmax = round(float(rng.uniform(50, 300)), 3)
        return {"name": name, "type": "storage", "max_volume": vmax, "min_volume": round(vmax * 0.1, 3),
                "initial_volume_pc": round(float(rng.uniform(0.2, 0.9)), 3), "cost": _cost(rng, -20, -1)}
    if kind == "curve_storage":
        params[f"{name} curve"] = {"type": "controlcurve", "storage_node": name,
                                   "control_curves": [round(float(rng.uniform(0.5, 0.9)), 3), _profile(rng, 0.2, 0.45)],
                                   "values": [_cost(rng, -2, 2), _cost(rng, -15, -5), _cost(rng, -40, -20)]}
        vmax = round(float(rng.uniform(50, 300)), 3)
        return {"name": name, "type": "storage", "max_volume": vmax, "initial_volume": round(vmax * 0.6, 3),
                "cost": f"{name} curve"}
    if kind == "rivergauge":
        return {"name": name, "type": "rivergauge", "mrf": round(float(rng.uniform(1, 5)), 4),
                "mrf_cost": _cost(rng, -30, -10), "cost": _cost(rng)}
    if kind == "piecewiselink":
        return {"name": name, "type": "piecewiselink", "nsteps": 2,
                "max_flows": [round(float(rng.uniform(1, 4)), 4), None], "costs": [_cost(rng, -8, 0), _cost(rng)]}
    if kind == "losslink":
        return {"name": name, "type": "losslink", "loss_factor": round(float(rng.uniform(0.05, 0.3)), 4),
                "cost": _cost(rng)}
    if kind == "delaynode":
        return {"name": name, "type": "delaynode", "timesteps": int(rng.integers(1, 3)),
                "initial_flow": round(float(rng.uniform(0, 2)), 4)}
    raise AssertionError(kind)


def generated_model(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    params: dict = {}
    nodes = [{"name": "in0", "type": "input", "min_flow": "in0 flow", "max_flow": "in0 flow"},
             {"name": "in1", "type": "catchment", "flow": _profile(rng, 1, 15)}]
    params["in0 flow"] = _profile(rng, 2, 20)
    middle = [f"n{i}" for i in range(int(rng.integers(3, 7)))]
    delays = 0
    for name in middle:
        kind = str(rng.choice(KINDS))
        if kind == "delaynode":  # water entering a delay costs nothing: two delays would tie
            delays += 1
            kind = kind if delays == 1 else "link"
        nodes.append(_node(kind, name, rng, params))
    outs = [f"out{i}" for i in range(int(rng.integers(2, 4)))]
    scenarios = None
    for i, o in enumerate(outs):
        if i == 0 and rng.random() < 0.5:  # demand varying by scenario
            scenarios = [{"name": "demand", "size": 2}]
            params[f"{o} demand"] = {"type": "constantscenario", "scenario": "demand",
                                     "values": [round(float(v), 4) for v in rng.uniform(1, 10, 2)]}
        else:
            params[f"{o} demand"] = _profile(rng, 1, 10)
        nodes.append({"name": o, "type": "output", "max_flow": f"{o} demand", "cost": _cost(rng, -60, -10)})
    nodes.append({"name": "excess", "type": "output", "cost": _cost(rng, 1, 3)})
    order = ["in0", "in1"] + middle
    edges = set()
    for i, name in enumerate(order):
        if i >= 2:  # an upstream node for every non-input
            edges.add((order[int(rng.integers(0, i))], name))
        later = [n for n in order[max(i + 1, 2):]] + outs
        edges.add((name, later[int(rng.integers(0, len(later)))]))
        if rng.random() < 0.5:
            edges.add((name, later[int(rng.integers(0, len(later)))]))
        edges.add((name, "excess"))
    for o in outs:
        if not any(e[1] == o for e in edges):
            edges.add((order[int(rng.integers(0, len(order)))], o))
    links = [n["name"] for n in nodes if n["type"] in ("link", "river")]
    if len(links) >= 2 and rng.random() < 0.7:
        nodes.append({"name": "licence", "type": "aggregatednode", "nodes": links[:2],
                      "max_flow": round(float(rng.uniform(3, 10)), 4)})
    return pywr_doc(nodes, [list(e) for e in sorted(edges)], params, start="2001-01-01", end="2001-12-31",
                    scenarios=scenarios)


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("seed", range(16))
def test_generated_model_agrees_with_pywr(seed, tmp_path):
    path = write_model(tmp_path / f"seed{seed}", generated_model(seed))
    assert_same_as_pywr(path)
