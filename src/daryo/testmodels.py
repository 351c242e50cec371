"""Small reference models as code, shared by the tests and the documentation.

Each function returns a validated :class:`~daryo.model.Model`; its docstring draws the network and
gives the allocation that is worked out by hand in the tests.
"""

from __future__ import annotations

from typing import Any

from .model import Model, model_from_dict

__all__ = ["build", "chain_of_demands", "shared_shortage", "two_priorities", "max_min_fairness",
           "reservoir_evaporation", "rule_curve_shortfall", "hydropower_fixed_head", "losses_and_returns",
           "farm_and_town", "canal_with_losses", "quota_and_outflow"]


def build(nodes: list[dict[str, Any]], edges: list[Any], *, steps: int = 1, allocation: str = "priority",
          start: str = "2001-01") -> Model:
    """A model from node and edge lists, monthly steps from ``start``; flows in hm³ per step."""
    end = f"{int(start[:4]) + (int(start[5:7]) - 1 + steps - 1) // 12}-{(int(start[5:7]) - 1 + steps - 1) % 12 + 1:02d}"
    doc = {"version": 1, "name": "test", "time": {"start": start, "end": end, "step": "month"},
           "allocation": allocation, "nodes": nodes, "edges": edges}
    return model_from_dict(doc)


def chain_of_demands(reaches: int = 8, scenarios: int = 8, steps: int = 24, seed: int = 1) -> Model:
    """A river through ``reaches`` junctions, each with a random tributary and a demand, every demand at priority 1
    with a random monthly profile; short in about a third of its scenario-steps::

        [in] --> (n0) --> (n1) --> … --> (n7) --> [sea]
                 ^  \\      ^  \\
              [t0]  [d0] [t1]  [d1]  …

    Inflows: ``in`` 10–60 hm³ per step, each ``t_i`` 0–8, drawn per trace and step; demands 2–12 hm³ a month.  A
    priority stage's optimal basis holds the coverage column and the whole chain: peeling leaves one bump of
    15–31 rows, which the dual simplex takes apart by a spike (:func:`daryo.simulate._dualsimplex._spike`).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    nodes: list[dict[str, Any]] = [{"id": "in", "type": "inflow",
                                    "inflow": {"values": rng.uniform(10, 60, (scenarios, steps)).round(3).tolist()}}]
    edges, prev = [], "in"
    for i in range(reaches):
        nodes += [{"id": f"n{i}", "type": "junction"},
                  {"id": f"t{i}", "type": "inflow",
                   "inflow": {"values": rng.uniform(0, 8, (scenarios, steps)).round(3).tolist()}},
                  {"id": f"d{i}", "type": "demand", "demand": rng.uniform(2, 12, 12).round(3).tolist(), "priority": 1,
                   "cost": -(i + 1) / 100}]
        edges += [[prev, f"n{i}"], [f"t{i}", f"n{i}"], [f"n{i}", f"d{i}"]]
        prev = f"n{i}"
    nodes.append({"id": "sea", "type": "sink"})
    edges.append([prev, "sea"])
    return build(nodes, edges, steps=steps)


def shared_shortage() -> Model:
    """Two demands of one priority share a shortage::

        [in: 60] --> (j) --> [A: demand 50]
                      \\---> [B: demand 70]

    60 hm³ for 120 wanted: both get 50 % (A 25, B 35).
    """
    return build(
        [{"id": "in", "type": "inflow", "inflow": 60}, {"id": "j", "type": "junction"},
         {"id": "A", "type": "demand", "demand": 50, "priority": 1},
         {"id": "B", "type": "demand", "demand": 70, "priority": 1},
         {"id": "out", "type": "sink"}],
        [["in", "j"], ["j", "A"], ["j", "B"], ["j", "out"]],
    )


def two_priorities() -> Model:
    """A downstream priority-1 demand is served before an upstream priority-2 one::

        [in: 100] --> (up) --> [U: demand 80, priority 2]
                        |
                        v
                      (down) --> [D: demand 70, priority 1]
                        |
                        v
                      [sea]

    D gets 70; U gets the remaining 30; the sea gets 0.
    """
    return build(
        [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "up", "type": "junction"},
         {"id": "U", "type": "demand", "demand": 80, "priority": 2}, {"id": "down", "type": "junction"},
         {"id": "D", "type": "demand", "demand": 70, "priority": 1}, {"id": "sea", "type": "sink"}],
        [["in", "up"], ["up", "U"], ["up", "down"], ["down", "D"], ["down", "sea"]],
    )


def max_min_fairness() -> Model:
    """Equal coverage is max–min fair: a demand held back by its own limit does not hold back others::

        [s1: 40] --> (j1) --> [A: 40]
                       \\---> [B: 40]
        [s2: 10] --> (j2) --> [C: 40]

    C can get at most 25 %, but A and B share 40 hm³ and get 50 % each (20, 20), not 25 %.
    """
    return build(
        [{"id": "s1", "type": "inflow", "inflow": 40}, {"id": "s2", "type": "inflow", "inflow": 10},
         {"id": "j1", "type": "junction"}, {"id": "j2", "type": "junction"},
         {"id": "A", "type": "demand", "demand": 40}, {"id": "B", "type": "demand", "demand": 40},
         {"id": "C", "type": "demand", "demand": 40}],
        [["s1", "j1"], ["j1", "A"], ["j1", "B"], ["s2", "j2"], ["j2", "C"]],
    )


def reservoir_evaporation() -> Model:
    """A reservoir with evaporation and a release demand, two steps::

        [in: 10] --> <res: V0 = 100, area 2 km² flat, evaporation 500 mm> --> [d: demand 30] ; spill -> [sea]

    Step 1: evaporation = 500 mm × 2 km² × 1e-3 = 1 hm³; V = 100 + 10 − 1 − 30 = 79.
    Step 2: V = 79 + 10 − 1 − 30 = 58.
    """
    return build(
        [{"id": "in", "type": "inflow", "inflow": 10},
         {"id": "res", "type": "reservoir", "max_volume": 200, "min_volume": 0, "initial_volume": 100,
          "level_table": {"volume": [0, 200], "level": [0, 10], "area": [2, 2]}, "evaporation": 500,
          "spill_to": "sea"},
         {"id": "d", "type": "demand", "demand": 30}, {"id": "sea", "type": "sink"}],
        [["in", "res"], ["res", "d"]], steps=2,
    )


def rule_curve_shortfall(allocation: str = "priority") -> Model:
    """A reservoir's monthly rule curve (priority 2) between a senior town and a junior farm, November to January,
    beside a pond without one::

        [in: 30] --> <dam: V0 = 50, max 100, target Nov 80, Dec 30, Jan 10 (p2)> --> [town: 40, p1]
                                                                               \\--> [farm: 100, p3]
        [side: 5] --> <pond: V0 = 10, max 100, no target>

    November: 50 + 30 = 80; the town takes 40 and the target (80) holds the other 40, so the farm gets nothing and
    the dam ends at 40, 40 short of its target.  December: 40 + 30 − 40 = 30, held for the target of 30 (none
    short; the farm gets nothing).  January: 30 + 30 − 40 = 20, of which the target keeps 10 and the farm takes 10
    (none short).  The pond fills by 5 a month: 15, 20, 25.  ``allocation``: the model's (``cost``: the allocation
    leaves the target to the costs, of which the model has none).
    """
    curve = [10.0] + [50.0] * 9 + [80.0, 30.0]  # (January first)
    return build(
        [{"id": "in", "type": "inflow", "inflow": 30},
         {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 50, "target_volume": curve,
          "target_priority": 2},
         {"id": "town", "type": "demand", "demand": 40, "priority": 1},
         {"id": "farm", "type": "demand", "demand": 100, "priority": 3},
         {"id": "side", "type": "inflow", "inflow": 5},
         {"id": "pond", "type": "reservoir", "max_volume": 100, "initial_volume": 10}],
        [["in", "dam"], ["dam", "town"], ["dam", "farm"], ["side", "pond"]], steps=3, allocation=allocation,
        start="2001-11",
    )


def hydropower_fixed_head() -> Model:
    """Run-of-river plant with a fixed head::

        [in: 100 hm³] --> {plant: 100 m head, η 0.9, 1000 MW} --> [sea]

    Energy = 2.725e-3 GWh/(hm³·m) × 100 hm³ × 100 m × 0.9 = 24.525 GWh (January, 31 days: the
    capacity allows 744 GWh, so it does not bind).
    """
    return build(
        [{"id": "in", "type": "inflow", "inflow": 100},
         {"id": "plant", "type": "hydropower", "capacity": 1000, "head": 100, "efficiency": 0.9},
         {"id": "sea", "type": "sink"}],
        [["in", "plant"], ["plant", "sea"]],
    )


def plant_with_bypass(inflow: Any, steps: int, **plant: Any) -> Model:
    """A run-of-river plant of 10 MW at 100 m head (efficiency 0.9; ``plant``: more of its attributes, an
    ``energy_target``), ``steps`` months from October 2001, the river's water it cannot take going round it::

        [up: inflow] --> {hpp: 10 MW, 100 m} --> [sea]
             \\--------------------------------> [sea]

    With the capacity binding (500 hm³ a month), 10 MW × 744, 720 and 744 h: 7.44, 7.2 and 7.44 GWh in October to
    December.
    """
    nodes = [{"id": "up", "type": "inflow", "inflow": inflow},
             {"id": "hpp", "type": "hydropower", "capacity": 10, "head": 100, "efficiency": 0.9, **plant},
             {"id": "sea", "type": "sink"}]
    return build(nodes, [["up", "hpp"], ["hpp", "sea"], ["up", "sea"]], steps=steps, start="2001-10")


#: a Persian id written with a zero-width non-joiner (قوش‌تپه, Qosh Tepa, as Persian spells it)
QOSH_TEPA = "\u0642\u0648\u0634\u200c\u062a\u067e\u0647"


def zwnj_demands_yaml() -> str:
    """A model file's text: two demands of 10 a month, one named :data:`QOSH_TEPA` and ``farm``, of one priority, on
    a river of 10 a month, for 2001 (each gets 5: short 60 of 120 a year, 50 %)."""
    return ("version: 1\nname: x\ntime: {start: 2001-01, end: 2001-12}\nnodes:\n"
            "  - {id: river, type: inflow, inflow: 10}\n"
            f"  - {{id: {QOSH_TEPA}, type: demand, demand: 10}}\n"
            "  - {id: farm, type: demand, demand: 10}\n"
            f"edges:\n  - [river, {QOSH_TEPA}]\n  - [river, farm]\n")


def losses_and_returns() -> Model:
    """Reach loss and demand return flow::

        [in: 100] --> (reach: loss 10 %) --> (j) --> [irr: demand 50, consumes 60 %] --(40 %)--> (ret)
                                              \\--------------------------------------------> (ret) --> [sea]

    90 arrives at j; irr takes 50 and returns 20 to ret; 40 goes on to ret; the sea gets 60.
    Loss 10, consumption 30: 100 = 10 + 30 + 60.
    """
    return build(
        [{"id": "in", "type": "inflow", "inflow": 100}, {"id": "reach", "type": "reach", "loss": 0.1},
         {"id": "j", "type": "junction"},
         {"id": "irr", "type": "demand", "demand": 50, "consumptive_fraction": 0.6, "return_to": "ret"},
         {"id": "ret", "type": "junction"}, {"id": "sea", "type": "sink"}],
        [["in", "reach"], ["reach", "j"], ["j", "irr"], ["j", "ret"], ["ret", "sea"]],
    )


def canal_with_losses(start: str = "2001-10", steps: int = 12, canal: str = "ditch") -> Model:
    """A canal (``canal``: its id) losing 10 % of what it takes, feeding Afghanistan's fields, ``steps`` months from
    ``start``::

        [river: 50] --> (j) --> {ditch: canal, AFG, loss 10 %, capacity 40} --> [fields: AFG, 9 a month in
                         |                                                         October–March, 27 in April–September]
                         \\----> [sea]

    The ditch takes what the fields need over its loss: 10 a month in winter (loses 1, passes on 9), 30 in summer
    (loses 3, passes on 27); the sea gets the rest of the river's 50.  A year from October: taken 240 (winter 60,
    summer 180), lost 24, passed on 216, all delivered."""
    fields = {"monthly": [9.0] * 3 + [27.0] * 6 + [9.0] * 3}  # (January first)
    return build(
        [{"id": "river", "type": "inflow", "inflow": 50}, {"id": "j", "type": "junction"},
         {"id": canal, "type": "canal", "loss": 0.1, "capacity": 40, "country": "AFG"},
         {"id": "fields", "type": "demand", "demand": fields, "country": "AFG"},
         {"id": "sea", "type": "sink"}],
        [["river", "j"], ["j", canal], [canal, "fields"], ["j", "sea"]], steps=steps, start=start)


def two_rivers_two_countries(kaz: str = "KAZ") -> Model:
    """Two rivers of 10 hm³ a month over a year: on A, KAZ's farm wants 12 (short 2 a month); on B, KAZ's town 5
    and UZB's field 3 (both met).  KAZ draws on both rivers, UZB on one; the model's basins name them A and B.
    ``kaz``: the first country's code ("": none)."""
    doc = {"version": 1, "name": "two rivers", "time": {"start": "2001-10", "end": "2002-09", "step": "month"},
           "metadata": {"basins": {"A": ["a"], "B": ["b"]}},
           "nodes": [{"id": "a", "type": "inflow", "inflow": 10}, {"id": "b", "type": "inflow", "inflow": 10},
                     {"id": "farm", "type": "demand", "demand": 12, **({"country": kaz} if kaz else {})},
                     {"id": "town", "type": "demand", "demand": 5, **({"country": kaz} if kaz else {})},
                     {"id": "field", "type": "demand", "demand": 3, "country": "UZB"},
                     {"id": "sea_a", "type": "sink"}, {"id": "sea_b", "type": "sink"}],
           "edges": [["a", "farm"], ["a", "sea_a"], ["b", "town"], ["b", "field"], ["b", "sea_b"]]}
    return model_from_dict(doc)


#: the monthly inflow of :func:`farm_and_town`'s river, January first: 30 hm³ in October–March, 40 in April–September
FARM_AND_TOWN_RIVER = [30.0] * 3 + [40.0] * 6 + [30.0] * 3


def farm_and_town(river: list[float] | None = None, allocation: str = "priority") -> Model:
    """Uzbekistan's farm and town and Kazakhstan's field on one river, over a year from October::

        [river] --> (j) --> [town:  UZB, municipal,  10 a month, priority 1]
                     | \\--> [field: KAZ, irrigation,  5 a month, priority 1]
                     | \\--> [farm:  UZB, irrigation, 10 a month in October–March, 50 in April–September, priority 2]
                     \\----> [sea]

    With ``river`` (12 monthly inflows, January first) :data:`FARM_AND_TOWN_RIVER`, 30 hm³ a month in winter and 40
    in summer: in winter every demand is met (25 of 30); in summer the town and the field take 15 and the farm gets
    the other 25 of its 50, short 25 a month.  So UZB's irrigation (the farm) is short by 150 of 360 a year (41.7 %;
    none of its 60 in winter, 50 % of its 300 in summer), but all of UZB's demands (480) by 31.25 %: the town's
    water, served first, dilutes the farm's deficit.  KAZ's field is never short.  ``allocation: cost`` gives the
    same allocation (the town's and the field's costs before the farm's)."""
    return build(
        [{"id": "river", "type": "inflow", "inflow": {"monthly": list(river or FARM_AND_TOWN_RIVER)}},
         {"id": "j", "type": "junction"},
         {"id": "town", "type": "demand", "demand": 10, "category": "municipal", "priority": 1, "country": "UZB",
          "cost": -100},
         {"id": "field", "type": "demand", "demand": 5, "priority": 1, "country": "KAZ", "cost": -100},
         {"id": "farm", "type": "demand", "demand": {"monthly": [10.0] * 3 + [50.0] * 6 + [10.0] * 3},
          "priority": 2, "country": "UZB", "cost": -10},
         {"id": "sea", "type": "sink"}],
        [["river", "j"], ["j", "town"], ["j", "field"], ["j", "farm"], ["j", "sea"]],
        steps=12, allocation=allocation, start="2001-10")


def quota_and_outflow(inflow: list[Any] | None = None) -> Model:
    """A country's quota on its two farms' intakes and a least outflow to the sea, over four months from January::

        [in: 100, 60, 40, 150] --> (j) --> [farmA: UZB, demand 40, priority 1]
                                    | \\--> [farmB: UZB, demand 30, priority 1]
                                    \\----> [sea]

        quota:   flow_sum farmA + farmB <= 50 (80 in April)
        outflow: flow_sum sea >= 20

    Worked by hand: in January 100 hm³ would meet both farms (70) but the quota holds them to 50 (binds at its
    max_flow; the sea gets 50); in February the sea's 20 leaves 40 for the farms (the outflow binds at its min_flow,
    the quota not); in March 20 and 20 (the outflow binds); in April the farms take their 70 under the quota of 80
    and the sea 80: neither binds.  The farms, of one priority, share what they get in proportion to their demands
    (4:3: 28.57 and 21.43 in January).  ``inflow``: the inflow's values instead (a list per trace for several)."""
    return model_from_dict({
        "version": 1, "name": "quota_and_outflow", "time": {"start": "2001-01", "end": "2001-04", "step": "month"},
        "nodes": [{"id": "in", "type": "inflow", "inflow": {"values": inflow or [100.0, 60.0, 40.0, 150.0]}},
                  {"id": "j", "type": "junction"},
                  {"id": "farmA", "type": "demand", "demand": 40, "priority": 1, "country": "UZB", "cost": -10},
                  {"id": "farmB", "type": "demand", "demand": 30, "priority": 1, "country": "UZB", "cost": -10},
                  {"id": "sea", "type": "sink"}],
        "edges": [["in", "j"], ["j", "farmA"], ["j", "farmB"], ["j", "sea"]],
        "constraints": [{"id": "quota", "type": "flow_sum", "nodes": ["farmA", "farmB"],
                         "max_flow": {"monthly": [50.0, 50.0, 50.0, 80.0] + [50.0] * 8}},
                        {"id": "outflow", "type": "flow_sum", "nodes": ["sea"], "min_flow": 20}]})
