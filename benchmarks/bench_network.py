"""Time the engine on generated national canal networks of 200–2,000 nodes (or more): plain and fast path.

    python benchmarks/bench_network.py                          # 500, 1,000 and 2,000 nodes, 1 trace × 1 year
    python benchmarks/bench_network.py --nodes 1000 --years 2 --method fast

A network is a main stem of reaches to a sink (one reach per 40 nodes) with tree-shaped branches joining it: each
branch an inflow (a regional trace or a fixed seasonal one), a reservoir on every fourth (evaporation, a level
table, a rule-curve target) with a plant on every eighth (an energy target), three reaches each with a canal
off-take to one or two demands of priorities 1–3 (irrigation returning to the stem, or municipal), and a flow
requirement on every fifth; ``priority`` allocation, monthly steps from 2000-10.  The shape of a modeller's
national network, as a review measured it.

Prints, for each size and method, the wall and CPU time of the simulation alone (the network compiled before),
the fast path's summary, and with both methods the largest difference between their deliveries and storages.
Wall times on a shared machine are as good as its load; the CPU time of the process is steadier.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from daryo.model import model_from_dict
from daryo.network import compile_network
from daryo.simulate import simulate
from daryo.simulate.fastpath import FastStats, simulate_fast

_SEASON = np.array([30, 25, 22, 20, 25, 60, 120, 160, 140, 90, 50, 35], float)  # m³/s, January to December
_IRRIGATION = [0, 0, 5, 40, 110, 170, 190, 170, 100, 20, 0, 0]  # m³/s shape, January to December


def national_network(n_nodes: int, years: int = 1, traces: int = 1, seed: int = 0) -> dict:
    """The model document of a generated network of about ``n_nodes`` nodes (see the module doc)."""
    nprng = np.random.default_rng(seed)
    steps = 12 * years
    months = (np.arange(steps) + 9) % 12  # (from October)
    regions = []
    for k in range(4):  # four regional inflow traces (m³/s), each year's volume drawn per trace
        annual = np.repeat(nprng.lognormal(0, 0.2, (traces, years + 1)), 12, axis=1)[:, :steps]
        regions.append(np.round(_SEASON[months] * annual * (1 + 0.5 * k), 3))
    nodes: list[dict] = []
    edges: list[list[str]] = []
    stem = [f"main_r{i:03d}" for i in range(max(4, n_nodes // 40))]
    nodes += [{"id": r, "type": "reach", "loss": 0.01} for r in stem]
    edges += [[a, b] for a, b in zip(stem, stem[1:], strict=False)] + [[stem[-1], "aral"]]
    nodes += [{"id": "aral", "type": "sink"},
              {"id": "aral_eflow", "type": "flow_requirement", "at": "aral", "flow": "20 m3/s", "priority": 3},
              {"id": "head", "type": "inflow", "inflow": {"values": (regions[0] * 5).tolist(), "unit": "m3/s"}}]
    edges.append(["head", stem[0]])
    b = 0
    while len(nodes) < n_nodes - 8:
        nodes_b, edges_b = _branch(b, stem, regions)
        nodes += nodes_b
        edges += edges_b
        b += 1
    end = f"{2000 + (9 + steps - 1) // 12}-{(9 + steps - 1) % 12 + 1:02d}"
    return {"version": 1, "name": f"national-{n_nodes}", "time": {"start": "2000-10", "end": end, "step": "month"},
            "allocation": "priority", "nodes": nodes, "edges": edges}


def _branch(b: int, stem: list[str], regions: list[np.ndarray]) -> tuple[list[dict], list]:
    """Branch ``b``: an inflow, perhaps a reservoir and a plant, three reaches with off-takes, into the stem."""
    pre, j = f"b{b:03d}", b % len(stem)
    if b % 3 == 0:
        inflow = {"values": (regions[b % 4] * round(0.2 + 0.1 * (b % 5), 2)).tolist(), "unit": "m3/s"}
    else:
        inflow = {"monthly": [round(float(x) * (0.1 + 0.05 * (b % 4)), 2) for x in _SEASON], "unit": "m3/s"}
    nodes: list[dict] = [{"id": f"{pre}_in", "type": "inflow", "inflow": inflow}]
    edges: list[list[str]] = []
    prev = f"{pre}_in"
    if b % 4 == 0:
        res = f"{pre}_res"
        nodes.append({"id": res, "type": "reservoir", "max_volume": 500 + 100 * (b % 7), "min_volume": 50,
                      "initial_volume": 300, "evaporation": [5, 8, 20, 40, 70, 100, 120, 110, 70, 40, 15, 8],
                      "level_table": {"volume": [0, 100, 1000, 2000], "level": [100, 120, 140, 150],
                                      "area": [0, 5, 20, 30]},
                      "target_volume": 400, "target_priority": 4, "spill_to": f"{pre}_r0"})
        edges.append([prev, res])
        prev = res
        if b % 8 == 0:
            nodes.append({"id": f"{pre}_hp", "type": "hydropower", "capacity": "50 MW", "reservoir": res,
                          "tailwater_level": 90, "energy_target": "10 GWh", "energy_priority": 5})
            edges.append([res, f"{pre}_hp"])
            prev = f"{pre}_hp"
    for k in range(3):
        reach, canal = f"{pre}_r{k}", f"{pre}_c{k}"
        nodes += [{"id": reach, "type": "reach", "loss": 0.02},
                  {"id": canal, "type": "canal", "capacity": f"{20 + 5 * k} m3/s", "loss": 0.1}]
        edges += [[prev, reach], [reach, canal]]
        prev = reach
        for m in range(2 if k == 1 else 1):
            d = {"id": f"{pre}_d{k}{m}", "type": "demand", "priority": 1 + (b + k + m) % 3,
                 "demand": {"monthly": [round(x * (0.05 + 0.01 * ((b + k + m) % 5)), 2) for x in _IRRIGATION],
                            "unit": "m3/s"},
                 "consumptive_fraction": 0.7, "return_to": stem[min(j + 1, len(stem) - 1)]}
            if (b + k) % 7 == 0:  # a town: a constant demand, all of it consumed
                d.update(demand="1.5 m3/s", priority=1, consumptive_fraction=1.0)
                del d["return_to"]
            nodes.append(d)
            edges.append([canal, d["id"]])
    if b % 5 == 0:
        nodes.append({"id": f"{pre}_ef", "type": "flow_requirement", "at": f"{pre}_r2", "flow": "2 m3/s",
                      "priority": 2})
    edges.append([prev, stem[j]])
    return nodes, edges


def _timed(run):  # noqa: ANN001, ANN202
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", type=int, nargs="+", default=[500, 1000, 2000])
    p.add_argument("--years", type=int, default=1)
    p.add_argument("--traces", type=int, default=1)
    p.add_argument("--method", choices=["fast", "plain", "both"], default="both")
    args = p.parse_args(argv)
    for n in args.nodes:
        model = model_from_dict(national_network(n, args.years, args.traces))
        net = compile_network(model)
        print(f"nodes {len(model.nodes)}, LP {net.lp.n_rows} rows x {net.lp.n_cols} cols, {net.n_scenarios} "
              f"trace(s) x {args.years} year(s)", flush=True)
        runs = {}
        if args.method in ("fast", "both"):
            stats = FastStats()
            runs["fast"], wall, cpu = _timed(lambda: simulate_fast(net, stats=stats))  # noqa: B023
            print(f"  fast : wall {wall:.2f} s, CPU {cpu:.2f} s; {stats.summary()}", flush=True)
        if args.method in ("plain", "both"):
            runs["plain"], wall, cpu = _timed(lambda: simulate(net))  # noqa: B023
            print(f"  plain: wall {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
        if len(runs) == 2:
            cols = np.concatenate([net.demand_col, net.res_col])
            diff = np.abs(runs["fast"].x[:, :, cols] - runs["plain"].x[:, :, cols]).max()
            print(f"  largest difference in deliveries and storages: {diff:.2e} hm3", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
