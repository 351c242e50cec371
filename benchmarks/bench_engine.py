"""Time the engine on a generated 20-node basin: 30 years monthly × N scenarios, plain and fast path.

    python benchmarks/bench_engine.py [--scenarios 100] [--years 30] [--mode priority|cost]
                                      [--method plain|fast|both]

Prints, for each method, the wall time of compile + simulate + results and the rate in scenario-years per
second; with ``--method both`` also the largest difference between the two paths' deliveries and storages
(the optimum of this basin is unique in deliveries; see tests/simulate/test_fastpath.py).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from daryo.model import model_from_dict
from daryo.network import compile_network
from daryo.results import build_dataset
from daryo.simulate import simulate
from daryo.simulate.fastpath import FastStats, simulate_fast


def twenty_node_document(scenarios: int, years: int, mode: str, seed: int = 1) -> dict:
    """A 20-node tree basin: 3 headwaters with reservoirs and plants, 8 demands, a reach, a canal, a sea."""
    rng = np.random.default_rng(seed)
    steps = 12 * years
    shape = np.array([0.4, 0.35, 0.35, 0.5, 0.9, 1.7, 2.3, 2.4, 1.9, 1.2, 0.6, 0.45])
    nodes, edges = [], []
    for k in range(3):
        annual = np.exp(rng.normal(0, 0.2, (scenarios, years)))
        flow = (np.repeat(annual, 12, axis=1) * np.tile(shape, years) * 100 * (k + 1)).round(3)
        nodes += [
            {"id": f"head{k}", "type": "inflow", "inflow": {"values": flow.tolist(), "unit": "m3/s"}},
            {"id": f"res{k}", "type": "reservoir", "max_volume": 3000 * (k + 1), "min_volume": 500,
             "initial_volume": 2000 * (k + 1), "spill_to": f"riv{k}", "cost": -1 - k,
             "level_table": {"volume": [0, 3000 * (k + 1)], "level": [100, 180], "area": [10, 60]},
             "evaporation": [5, 10, 20, 40, 80, 120, 150, 140, 100, 50, 20, 10]},
            {"id": f"plant{k}", "type": "hydropower", "capacity": 300, "reservoir": f"res{k}",
             "tailwater_level": 90, "cost": -0.5},
            {"id": f"riv{k}", "type": "junction"},
        ]
        edges += [[f"head{k}", f"res{k}"], [f"res{k}", f"plant{k}"], [f"plant{k}", f"riv{k}"]]
    nodes += [{"id": "main", "type": "reach", "loss": 0.05}, {"id": "canal", "type": "canal",
              "capacity": "150 m3/s", "loss": 0.1}, {"id": "sea", "type": "sink"}]
    edges += [["riv0", "main"], ["riv1", "main"], ["riv2", "canal"], ["riv2", "main"], ["main", "sea"]]
    irrigation = [0, 0, 5, 30, 80, 130, 150, 130, 80, 20, 0, 0]
    for d in range(5):
        at = ["riv0", "riv1", "canal", "main", "main"][d]
        nodes.append({"id": f"irr{d}", "type": "demand", "priority": 1 + d % 2, "cost": -50 + d,
                      "demand": {"monthly": [v * (1 + 0.3 * d) for v in irrigation], "unit": "m3/s"},
                      "consumptive_fraction": 0.7, "return_to": "main" if at != "main" else None})
        edges.append([at, f"irr{d}"])
    nodes = [{k: v for k, v in n.items() if v is not None} for n in nodes]
    return {"version": 1, "name": "twenty", "allocation": mode,
            "time": {"start": "2000-10", "end": f"{2000 + years}-09", "step": "month"},
            "nodes": nodes, "edges": edges, "_steps": steps}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", type=int, default=100)
    p.add_argument("--years", type=int, default=30)
    p.add_argument("--mode", choices=["priority", "cost"], default="priority")
    p.add_argument("--method", choices=["plain", "fast", "both"], default="both")
    a = p.parse_args()
    doc = twenty_node_document(a.scenarios, a.years, a.mode)
    doc.pop("_steps")
    sy = a.scenarios * a.years
    outs = {}
    for method in (["plain", "fast"] if a.method == "both" else [a.method]):
        t0 = time.perf_counter()
        model = model_from_dict(doc)
        net = compile_network(model)
        t1 = time.perf_counter()
        stats = FastStats()
        out = simulate(net) if method == "plain" else simulate_fast(net, stats=stats)
        t2 = time.perf_counter()
        build_dataset(net, out)
        t3 = time.perf_counter()
        outs[method] = (net, out)
        if len(outs) == 1:
            print(f"nodes {len(model.nodes)}, LP {net.lp.n_rows} rows x {net.lp.n_cols} cols, mode {a.mode}")
        print(f"{method:5s}: load+compile {t1 - t0:.2f} s, simulate {t2 - t1:.2f} s, results {t3 - t2:.2f} s; "
              f"{sy} scenario-years in {t3 - t0:.2f} s = {sy / (t3 - t0):,.0f} scenario-years/s")
        if method == "fast":
            print(f"       {stats.summary()}")
    if len(outs) == 2:
        (net, plain), (_, fast) = outs["plain"], outs["fast"]
        cols = np.concatenate([net.demand_col, net.res_col])
        diff = float(np.abs(fast.x[:, :, cols] - plain.x[:, :, cols]).max())
        print(f"largest difference of deliveries and storages, fast vs plain: {diff:.2e} hm3")


if __name__ == "__main__":
    main()
