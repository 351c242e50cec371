"""Invariants on generated networks (Hypothesis): mass conservation, bounds, priorities, equal coverage."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import daryo
from daryo.testmodels import build

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def general_networks(draw):
    """A random DAG: inflows, junctions, reaches with losses, reservoirs, demands with returns, sinks."""
    n_mid = draw(st.integers(2, 6))
    n_dem = draw(st.integers(1, 4))
    steps = draw(st.integers(1, 4))
    flows = st.floats(0.0, 100.0, allow_nan=False)
    nodes = [{"id": "in0", "type": "inflow", "inflow": draw(st.lists(flows, min_size=12, max_size=12))},
             {"id": "in1", "type": "inflow", "inflow": draw(flows)}]
    mids = []
    for i in range(n_mid):
        kind = draw(st.sampled_from(["junction", "reach", "reservoir"]))
        node = {"id": f"m{i}", "type": kind}
        if kind == "reach":
            node["loss"] = draw(st.floats(0.0, 0.5))
        if kind == "reservoir":
            vmax = draw(st.floats(10.0, 300.0))
            node.update(max_volume=vmax, min_volume=draw(st.floats(0.0, 0.3)) * vmax,
                        initial_volume=draw(st.floats(0.3, 1.0)) * vmax,
                        level_table={"volume": [0, vmax], "level": [0, 50], "area": [1, 5]},
                        evaporation=draw(st.floats(0.0, 300.0)))
        mids.append(node)
    nodes += mids
    edges = [["in0", "m0"], ["in1", draw(st.sampled_from([m["id"] for m in mids]))]]
    for i in range(1, n_mid):
        edges.append([f"m{draw(st.integers(0, i - 1))}", f"m{i}"])
    for i in range(n_dem):
        ret = draw(st.sampled_from([None] + [m["id"] for m in mids]))
        at = draw(st.integers(0, n_mid - 1))
        node = {"id": f"d{i}", "type": "demand", "demand": draw(flows), "priority": draw(st.integers(1, 3)),
                "consumptive_fraction": draw(st.floats(0.2, 1.0))}
        if ret is not None and int(ret[1:]) > at:
            node["return_to"] = ret
        nodes.append(node)
        edges.append([f"m{at}", f"d{i}"])
    nodes.append({"id": "sea", "type": "sink"})
    for m in mids:  # every mid node can pass water on to the sea (keeps fixed inflows feasible)
        edges.append([m["id"], "sea"])
        if m["type"] == "reservoir":
            m["spill_to"] = "sea"
    edges = [list(e) for e in dict.fromkeys(tuple(e) for e in edges) if e[0] != e[1]]
    return build(nodes, edges, steps=steps)


@SETTINGS
@given(general_networks())
def test_mass_is_conserved_and_bounds_hold(model):
    ds = daryo.run(model).dataset
    scale = max(1.0, float(np.abs(ds.node_flow).max()))
    assert float(np.abs(ds.mass_balance_error).max()) <= 1e-9 * scale
    assert float(ds.max_node_balance_error.max()) <= 1e-9 * scale
    tol = 1e-7 * scale
    assert float((ds.delivery - ds.demanded).max()) <= tol
    assert float(ds.delivery.min()) >= -tol
    assert float(ds.edge_flow.min()) >= -tol
    if "storage" in ds:
        for r in ds.reservoir.values:
            node = model.node(str(r))
            vmax = float(node.get("max_volume").values.max())
            assert float(ds.storage.sel(reservoir=r).max()) <= vmax + tol
            vmin = float(node.get("min_volume").values.max())
            # the dead volume holds unless evaporation alone drew the reservoir below it
            below = ds.storage.sel(reservoir=r) < vmin - tol
            start_below = (ds.storage_start.sel(reservoir=r) - ds.evaporation.sel(reservoir=r)) < vmin + tol
            assert bool((~below | start_below).all())


@st.composite
def chain_networks(draw):
    """A single river with all water entering at the top: every demand can reach every drop::

        [in] --> <res?> --> (j0) --> (j1) --> ... --> (jK) --> [sea]
                              |        |               |
                             [d]      [d]             [d]
    """
    k = draw(st.integers(1, 4))
    n_dem = draw(st.integers(2, 6))
    nodes = [{"id": "in", "type": "inflow", "inflow": draw(st.floats(0.0, 200.0))}]
    edges = []
    top = "in"
    if draw(st.booleans()):
        nodes.append({"id": "res", "type": "reservoir", "max_volume": 100.0,
                      "initial_volume": draw(st.floats(0.0, 100.0))})
        edges.append(["in", "res"])
        top = "res"
    for i in range(k):
        nodes.append({"id": f"j{i}", "type": "junction"})
        edges.append([top if i == 0 else f"j{i - 1}", f"j{i}"])
    for i in range(n_dem):
        nodes.append({"id": f"d{i}", "type": "demand", "demand": draw(st.floats(1.0, 100.0)),
                      "priority": draw(st.integers(1, 3))})
        edges.append([f"j{draw(st.integers(0, k - 1))}", f"d{i}"])
    nodes.append({"id": "sea", "type": "sink"})
    edges.append([f"j{k - 1}", "sea"])
    return build(nodes, edges)


@SETTINGS
@given(chain_networks())
def test_priorities_and_equal_coverage_on_a_shared_river(model):
    ds = daryo.run(model).dataset.isel(scenario=0, time=0)
    prio = ds.demand_priority.values
    wanted, got = ds.demanded.values, ds.delivery.values
    coverage = got / wanted
    for p in np.unique(prio):
        same = prio == p
        short = same & (wanted - got > 1e-7)
        if short.any():
            # a shortage at priority p: nothing of lower priority is served ...
            assert np.all(got[prio > p] <= 1e-7)
            # ... and everyone at p has the same coverage
            assert np.ptp(coverage[same]) <= 1e-7
