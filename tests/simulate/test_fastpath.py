"""The fast path (all scenarios at once) equals the plain per-step HiGHS path.

``cost`` mode: generated networks with distinct random costs (so every step's optimum is unique) and
several inflow traces are run both ways; flows, storages and the bounds used must agree to 1e-9.  The
runs include steps where the optimal basis changes (dual simplex pivots and HiGHS), primal-degenerate
steps (an inflow exactly equal to what can be taken) and infeasible steps (the same error as the plain
path, for the same step and scenario).

``priority`` mode (:mod:`daryo.simulate.fastpriority`): generated networks with demands of several priorities
(some equal), reservoir targets, a flow requirement and a plant whose energy target shares a priority with a
demand (its requirement varies by scenario with the head), dry and wet traces (shortages in some
scenario-steps but not others) are run both ways.  Why the answers are unique, so that the two paths must
agree: coverage per priority is max–min fair, hence unique, and every node and edge has a small distinct
cost, so the final LP (the model's costs with every delivery held) has a unique optimum.  The columns
left out are those no cost makes unique: the coverage fractions ``t``, the met parts of reservoir and
energy targets.  The tolerance is 1e-9 relative to the largest value: the engine holds fixed deliveries
1e-9 hm³ below their served value, and where the plain path's screening succeeds while the fast path goes
through the stages (or the two fix requirements in a different order), deliveries differ by that much.
The embedded Aral model has exact ties (equal storage values, alternative routes of equal cost), so its
trajectories may legitimately differ; it is checked step by step from the fast path's own states:
deliveries and the final objective must be the plain path's.
"""

import json

import numpy as np
import pytest

import daryo
from daryo.api import demo_model_path
from daryo.errors import InfeasibleStepError, SolverFailedError, UnboundedStepError
from daryo.model import model_from_dict
from daryo.network import compile_network
from daryo.simulate import _dualsimplex as dsx
from daryo.simulate import _kernel, simulate
from daryo.simulate.engine import _solve_scenario, _StepState, carried_volume
from daryo.simulate.fastpath import (
    FastOptions,
    FastStats,
    FastStepper,
    _largest_lp_rows,
    _Layout,
    dense_bytes,
    fast_path_unsupported,
    simulate_fast,
)
from daryo.solver import HighsSolver
from daryo.testmodels import build, chain_of_demands, shared_shortage

STEPS = 36


def random_network(seed: int, scenarios: int = 6, steps: int = STEPS, physics: bool = False, scale: float = 1.0
                   ) -> dict:
    """A random river DAG: two inflows (one trace per scenario), reaches with costs and capacities,
    reservoirs (optionally with level tables, evaporation and a hydropower plant), demands with monthly
    profiles and an ``excess`` sink; every node and edge cost distinct (so no two routes tie).  Its volumes and
    flows are ``scale`` times those drawn (not with ``physics``, whose tables and plant are of one size)."""
    rng = np.random.default_rng(seed)
    costs = iter(rng.permutation(np.linspace(-300.0, -1.0, 200)) + rng.uniform(0, 0.1, 200))
    n_mid = int(rng.integers(3, 7))
    season = 1.0 + 0.8 * np.sin(2 * np.pi * np.arange(steps) / 12.0)
    nodes = []
    for i in range(2):
        flows = rng.uniform(5, 60) * season[None, :] * rng.lognormal(0, 0.4, (scenarios, steps))
        nodes.append({"id": f"in{i}", "type": "inflow", "inflow": {"values": (flows.round(4) * scale).tolist()}})
    mids = []
    for i in range(n_mid):
        kind = "reservoir" if i < 2 or rng.random() < 0.25 else "reach"
        node: dict = {"id": f"m{i}", "type": kind, "cost": float(next(costs)) / 10}
        if kind == "reservoir":
            vmax = float(rng.uniform(100, 600)) * scale
            node.update(max_volume=vmax, min_volume=0.1 * vmax, initial_volume=float(rng.uniform(0.2, 0.9)) * vmax)
            if physics:
                node.update(level_table={"volume": [0, vmax], "level": [100, 160], "area": [2, 9]},
                            evaporation=[20, 30, 60, 90, 120, 150, 160, 150, 110, 70, 40, 20])
        mids.append(node)
    nodes += mids
    edges = [["in0", "m0"], ["in1", f"m{int(rng.integers(0, n_mid))}"]]
    for i in range(1, n_mid):  # some links between mid nodes have a capacity (every mid node can spill)
        link = {"from": f"m{int(rng.integers(0, i))}", "to": f"m{i}"}
        if rng.random() < 0.5:
            link["max_flow"] = float(rng.uniform(10, 80)) * scale
        edges.append(link)
    for d in range(int(rng.integers(2, 5))):
        profile = (rng.uniform(5, 40) * (1.2 - np.cos(2 * np.pi * np.arange(12) / 12))).round(3)
        demand = (profile * scale).tolist()
        nodes.append({"id": f"d{d}", "type": "demand", "demand": demand, "cost": float(next(costs))})
        edges.append([f"m{int(rng.integers(0, n_mid))}", f"d{d}"])
    if physics:
        nodes.append({"id": "plant", "type": "hydropower", "capacity": 8.0, "reservoir": "m0",
                      "tailwater_level": 90, "cost": float(next(costs)) / 100})
        edges += [["m0", "plant"], ["plant", "excess"]]
    nodes.append({"id": "excess", "type": "sink", "cost": float(rng.uniform(1, 3))})
    for m in mids:
        edges.append([m["id"], "excess"])
    seen, unique = set(), []
    edge_costs = iter(rng.permutation(np.linspace(0.001, 0.05, 100)))  # distinct: no two routes cost the same
    for e in edges:
        link = dict(e) if isinstance(e, dict) else {"from": e[0], "to": e[1]}
        key = (link["from"], link["to"])
        if key not in seen:
            seen.add(key)
            unique.append({**link, "cost": float(next(edge_costs))})
    return {"nodes": nodes, "edges": unique, "steps": steps}


def compiled(spec: dict):
    return compile_network(build(spec["nodes"], spec["edges"], steps=spec["steps"], allocation="cost"))


def assert_same(fast, plain):
    scale = max(1.0, float(np.abs(plain.x).max()))
    np.testing.assert_allclose(fast.x, plain.x, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(fast.volume_start, plain.volume_start, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(fast.evaporation, plain.evaporation, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_array_equal(fast.volume_min, plain.volume_min)
    np.testing.assert_array_equal(fast.volume_max, plain.volume_max)
    np.testing.assert_allclose(fast.head, plain.head, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(np.isinf(fast.col_upper), np.isinf(plain.col_upper))
    finite = np.isfinite(plain.col_upper)
    np.testing.assert_allclose(fast.col_upper[finite], plain.col_upper[finite], rtol=1e-12, atol=1e-12)
    assert np.abs(fast.balance_residual).max() < 1e-9 * scale


def same_step_error(net, error: type, kernel: str = "auto"):
    """Both paths raise ``error`` with the same message; returns the plain path's."""
    with pytest.raises(error) as plain:
        simulate(net)
    with pytest.raises(error) as fast:
        simulate_fast(net, FastOptions(kernel=kernel))
    assert str(fast.value) == str(plain.value)
    assert (fast.value.step, fast.value.scenario) == (plain.value.step, plain.value.scenario)
    return plain.value


KERNELS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    not _kernel.available(), reason="Numba is an optional extra (pip install daryo[fast])"))]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("seed", range(8))
def test_fast_path_equals_plain_path(seed, kernel):
    net = compiled(random_network(seed))
    stats = FastStats()
    assert_same(simulate_fast(net, FastOptions(kernel=kernel), stats=stats), simulate(net))
    assert stats.fallback_reason is None and stats.pairs == net.n_scenarios * net.axis.n_steps


@pytest.mark.parametrize("seed", [0, 2, 25])
def test_fast_path_equals_plain_path_over_longer_runs(seed):
    """Eight traces over five years of the networks where, before every edge had its own cost, equally cheap
    routes let the two paths differ."""
    net = compiled(random_network(seed, scenarios=8, steps=60))
    assert_same(simulate_fast(net), simulate(net))


@pytest.mark.parametrize("seed", range(8))
def test_fast_path_equals_plain_path_at_a_millionth_of_the_size(seed):
    """Flows of ~10⁻⁵ hm³: HiGHS kept bounds and reduced costs to its default 10⁻⁷, so the plain path left
    bounds broken by up to ~10⁻⁷ (a negative storage) and differed from the fast path's 10⁻⁹."""
    spec = random_network(seed, scale=1e-6)
    assert max(max(n["demand"]) for n in spec["nodes"] if n["type"] == "demand") < 1e-4
    net = compiled(spec)
    assert_same(simulate_fast(net), simulate(net))


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("seed", range(3))
def test_fast_path_with_evaporation_and_head_dependent_turbines(seed, kernel):
    net = compiled(random_network(100 + seed, physics=True))
    assert fast_path_unsupported(net) is None
    assert_same(simulate_fast(net, FastOptions(kernel=kernel)), simulate(net))


@pytest.mark.parametrize("kernel", KERNELS)
def test_basis_changes_are_followed_by_pivots_and_highs(kernel):
    """Seasonal demands and random inflows move the optimum between bases every few steps: the run must
    take dual simplex pivots, and HiGHS only where no pivot chain led to an optimal basis."""
    net = compiled(random_network(3, scenarios=12, steps=48))
    stats = FastStats()
    assert_same(simulate_fast(net, FastOptions(kernel=kernel), stats=stats), simulate(net))
    assert stats.by_pivots > 0 and stats.by_own_basis > 0 and stats.by_highs >= 1
    assert stats.by_own_basis + stats.by_pivots > stats.by_highs


@pytest.mark.skipif(not _kernel.available(), reason="Numba is an optional extra (pip install daryo[fast])")
def test_bases_that_solve_scenarios_in_the_compiled_loop_count_as_used(monkeypatch):
    """The cache drops its least recently used bases: a basis that keeps solving scenarios inside the compiled
    loop (never looked up from Python) must count as used at that step."""
    net = compiled(random_network(3, scenarios=12, steps=48))
    stepper = FastStepper(net, options=FastOptions(kernel="numba"))
    solved: dict[int, set[int]] = {}
    real = _kernel.solve

    def spy(bank, ukey, idx, d, cand, x, status, viol, pivots, tol, max_pivots, used, clock):
        real(bank, ukey, idx, d, cand, x, status, viol, pivots, tol, max_pivots, used, clock)
        solved.setdefault(clock, set()).update(cand[idx[status[idx] == _kernel.OK]].tolist())

    monkeypatch.setattr(_kernel, "solve", spy)
    stepper.run(lambda rec: None)
    last = net.axis.n_steps - 1
    assert solved[last]
    assert all(stepper.cost.cache.used[b] == last for b in solved[last])


@pytest.mark.parametrize("max_bases", [1, 3, 10])
def test_the_cache_holds_at_most_max_bases(max_bases):
    """The cache drops its least recently used bases beyond ``max_bases`` (a quarter at a time, but at least
    down to ``max_bases``: with fewer than four bases a quarter is none, and ``max_bases`` 1–3 used not to
    bound it), with the same results."""
    net = compiled(random_network(3, scenarios=12, steps=48))
    stepper = FastStepper(net, options=FastOptions(max_bases=max_bases))
    sizes: list[int] = []
    stepper.run(lambda rec: sizes.append(len(stepper.cost.cache.bases)))
    assert max(sizes) <= max_bases and stepper.stats.by_highs > 0
    assert_same(simulate_fast(net, FastOptions(max_bases=max_bases)), simulate(net))


@pytest.mark.skipif(not _kernel.available(), reason="the compiled loop needs Numba")
@pytest.mark.parametrize("priority", [False, True], ids=["cost", "priority-screening"])
def test_constants_for_every_bound_key_at_once_or_one_at_a_time(priority, monkeypatch):
    """A new basis's map gets its constants for all the run's bound keys (the months of the generated networks'
    demand profiles) in one call, or, beyond ``max_bound_keys``, one key at a time as the steps meet it (the loop
    then hands back bases without their step's constants): the same results to the bit, both the plain path's."""
    if priority:
        net = priority_compiled(random_priority_network(2))
    else:
        net = compiled(random_network(101, scenarios=12, steps=48, physics=True))
    plain = simulate(net)
    keys = np.unique(_Layout(net).bound_key).size
    assert keys > 1
    handed_back = []
    real = _kernel.solve

    def spy(bank, ukey, idx, *rest):
        real(bank, ukey, idx, *rest)
        status = rest[3]
        handed_back.append(int(np.count_nonzero(status[idx] == _kernel.NEED_CONST)))

    monkeypatch.setattr(_kernel, "solve", spy)
    runs = {}
    for limit in (keys, keys - 1):
        handed_back.clear()
        runs[limit] = simulate_fast(net, FastOptions(max_bound_keys=limit, screening_maps_from=1))
        assert (sum(handed_back) > 0) == (limit < keys)
    np.testing.assert_array_equal(runs[keys].x, runs[keys - 1].x)
    np.testing.assert_array_equal(runs[keys].volume_start, runs[keys - 1].volume_start)
    if priority:
        assert_same_priority(runs[keys], plain, net)
    else:
        assert_same(runs[keys], plain)


@pytest.mark.parametrize("kernel", KERNELS)
def test_degenerate_steps(kernel):
    """An inflow exactly equal to the demand it serves, then exactly the reservoir's room: basic variables
    sit at their bounds (primal degeneracy); any optimal basis gives the same (unique) allocation::

        [in] --> <res: 0..100, V0 = 100> --> [d: demand 30] ; res --> [sea]
    """
    inflow = [[30.0, 30.0, 0.0, 30.0, 60.0, 30.0], [30.0, 0.0, 30.0, 30.0, 30.0, 0.0]]
    nodes = [{"id": "in", "type": "inflow", "inflow": {"values": inflow}},
             {"id": "res", "type": "reservoir", "max_volume": 100, "initial_volume": 100, "cost": -1.0},
             {"id": "d", "type": "demand", "demand": 30, "cost": -10.0},
             {"id": "sea", "type": "sink", "cost": 0.5}]
    net = compile_network(build(nodes, [["in", "res"], ["res", "d"], ["res", "sea"]], steps=6, allocation="cost"))
    fast, plain = simulate_fast(net, FastOptions(kernel=kernel)), simulate(net)
    assert_same(fast, plain)
    d = net.node_col[net.node_ids.index("d")]
    np.testing.assert_allclose(fast.x[:, :, d], 30.0)


@pytest.mark.parametrize("kernel", KERNELS)
def test_infeasible_step_raises_the_plain_paths_error(kernel):
    """A must-take (min_flow 40) above what scenario 1 has in step 2: the same error, same step, same
    scenario, same components."""
    inflow = [[50.0, 50.0, 50.0, 50.0], [50.0, 50.0, 20.0, 50.0], [10.0, 50.0, 50.0, 50.0]]
    nodes = [{"id": "in", "type": "inflow", "inflow": {"values": inflow}},
             {"id": "j", "type": "junction"},
             {"id": "must", "type": "demand", "demand": 45, "min_flow": 40, "cost": -5.0},
             {"id": "sea", "type": "sink", "cost": 1.0}]
    model = build(nodes, [["in", "j"], ["j", "must"], ["j", "sea"]], steps=4, allocation="cost")
    net = compile_network(model, n_scenarios=2)  # scenario 2 is infeasible at step 0 but not run
    error = same_step_error(net, InfeasibleStepError, kernel)
    assert (error.step, error.scenario) == (2, "1")



@pytest.mark.parametrize("mode", ["cost", "priority"])
@pytest.mark.parametrize("kernel", KERNELS)
def test_a_minimum_above_the_heads_turbine_cap_is_infeasible_as_on_the_plain_path(mode, kernel):
    """Scenario 0 must release 60 through a plant whose head (500 m) caps the turbine at ~36.4 in step 2: the
    plain path's error, even though the plant's minimum and maximum flow are the same per-scenario series (the
    fast path once shared their data slot, so the cap moved the minimum down too)."""
    flow = [[20.0, 20.0, 60.0], [20.0, 25.0, 20.0]]
    nodes = [{"id": "in", "type": "inflow", "inflow": 100},
             {"id": "plant", "type": "hydropower", "capacity": 60.0, "head": 500, "min_flow": {"values": flow},
              "max_flow": {"values": flow}},
             {"id": "sea", "type": "sink"}]
    net = compile_network(build(nodes, [["in", "plant"], ["in", "sea"], ["plant", "sea"]], steps=3, allocation=mode))
    error = same_step_error(net, InfeasibleStepError, kernel)
    assert (error.step, error.scenario) == (2, "0")


@pytest.mark.parametrize("mode", ["cost", "priority"])
def test_a_large_penalty_does_not_hide_small_cost_differences(mode):
    """Two routes whose costs differ by 5e-4 and swap every month, next to a 1e6 penalty (unmet demand in cost
    mode, a costly spill in priority mode): the fast path takes the cheaper route every month, as the plain
    path does (its optimality tolerance once grew with the largest cost, to 1e-3 here)."""
    eps = 5e-4
    odd = [eps if m % 2 == 0 else 0.0 for m in range(12)]
    even = [0.0 if m % 2 == 0 else eps for m in range(12)]
    nodes = [{"id": "in", "type": "inflow", "inflow": {"values": [[40.0] * 4, [30.0] * 4]}},
             {"id": "j", "type": "junction"},
             {"id": "a", "type": "reach", "cost": odd}, {"id": "b", "type": "reach", "cost": even},
             {"id": "D", "type": "demand", "demand": 50, **({"cost": -1e6} if mode == "cost" else {"priority": 1})},
             {"id": "sea", "type": "sink", "cost": 0.0 if mode == "cost" else 1e6}]
    edges = [["in", "j"], ["j", "a"], ["j", "b"], ["a", "D"], ["b", "D"], ["j", "sea"]]
    net = compile_network(build(nodes, edges, steps=4, allocation=mode))
    fast, plain = simulate_fast(net), simulate(net)
    a, b = (net.node_col[net.node_ids.index(i)] for i in ("a", "b"))
    supply = np.array([[40.0] * 4, [30.0] * 4])
    np.testing.assert_allclose(plain.x[:, :, a], supply * [0, 1, 0, 1], atol=1e-9)
    np.testing.assert_allclose(fast.x[:, :, a], plain.x[:, :, a], atol=1e-9)
    np.testing.assert_allclose(fast.x[:, :, b], plain.x[:, :, b], atol=1e-9)


@pytest.mark.parametrize("kernel", KERNELS)
def test_an_unbounded_step_is_reported_as_unbounded(kernel):
    """A loop j1 -> j2 -> j1 through a reach with cost -1 rewards circulating water without limit: both paths
    say so (it was reported as an infeasible step, with the advice to relax a minimum)."""
    nodes = [{"id": "in", "type": "inflow", "inflow": 10}, {"id": "j1", "type": "junction"},
             {"id": "j2", "type": "reach", "cost": -1.0}, {"id": "sea", "type": "sink"}]
    net = compile_network(build(nodes, [["in", "j1"], ["j1", "j2"], ["j2", "j1"], ["j1", "sea"]], steps=2,
                                allocation="cost"))
    error = same_step_error(net, UnboundedStepError, kernel)
    assert "unbounded at step 0" in str(error) and "loop" in str(error)


def test_a_solver_failure_is_not_called_infeasible(monkeypatch):
    """A solve that ends without an answer or a proof raises SolverFailedError, naming the step and scenario."""
    from daryo.solver import HighsSolver, LPSolution, SolveStatus

    def fail(self):
        return LPSolution(SolveStatus.ERROR, np.full(self.n_cols, np.nan), np.full(self.n_rows, np.nan), np.nan, 0)

    monkeypatch.setattr(HighsSolver, "solve", fail)
    with pytest.raises(SolverFailedError, match=r"could not solve .* at step 0 \(2001-01-01\), scenario 0 "
                       r"\(status: error\)"):
        simulate(compile_network(build([{"id": "in", "type": "inflow", "inflow": 10}, {"id": "sea", "type": "sink"}],
                                       [["in", "sea"]], steps=2, allocation="cost")))

# ------------------------------------------------------------------------------------------- priority mode
def random_priority_network(seed: int, scenarios: int = 6, steps: int = STEPS) -> dict:
    """A random priority-mode river (see the module doc)::

        [in0], [in1] --> <m0: reservoir, level table, target> --> [plant: energy target, priority 2]
                         <m1: reservoir, target> , (reaches/junctions) --> [d0..dk: priorities 1-3] ; [sea]
                         [eflow: flow requirement at the last mid node]
    """
    rng = np.random.default_rng(seed)
    costs = iter(rng.permutation(np.linspace(-0.5, 0.5, 400)) + rng.uniform(0, 1e-3, 400))
    season = 1.0 + 0.8 * np.sin(2 * np.pi * np.arange(steps) / 12.0)
    wet = rng.lognormal(0.3, 0.5, (scenarios, 1)) * rng.lognormal(0, 0.3, (scenarios, steps))
    nodes = [{"id": f"in{i}", "type": "inflow", "cost": float(next(costs)),
              "inflow": {"values": (rng.uniform(10, 40) * season[None, :] * wet).round(4).tolist()}} for i in range(2)]
    n_mid = int(rng.integers(3, 6))
    mids = []
    for i in range(n_mid):
        kind = "reservoir" if i < 2 else ("reach" if rng.random() < 0.6 else "junction")
        node: dict = {"id": f"m{i}", "type": kind, "cost": float(next(costs))}
        if kind == "reservoir":
            vmax = float(rng.uniform(100, 400))
            node.update(max_volume=vmax, min_volume=0.1 * vmax, initial_volume=float(rng.uniform(0.3, 0.9)) * vmax,
                        target_volume=(vmax * rng.uniform(0.15, 0.5, 12)).round(2).tolist(),
                        target_priority=int(rng.integers(2, 5)), spill_to="sea")
            if i == 0:
                node.update(level_table={"volume": [0, vmax], "level": [100, 160], "area": [2, 9]},
                            evaporation=[20, 30, 60, 90, 120, 150, 160, 150, 110, 70, 40, 20])
        mids.append(node)
    nodes += mids
    edges: list = [["in0", "m0"], ["in1", f"m{int(rng.integers(0, n_mid))}"]]
    for i in range(1, n_mid):
        link = {"from": f"m{int(rng.integers(0, i))}", "to": f"m{i}", "cost": float(next(costs))}
        if rng.random() < 0.4:
            link["max_flow"] = float(rng.uniform(15, 60))
        edges.append(link)
    nodes.append({"id": "plant", "type": "hydropower", "capacity": 6.0, "reservoir": "m0", "tailwater_level": 90,
                  "energy_target": (rng.uniform(0.2, 0.8) * np.ones(12)).round(3).tolist(), "energy_priority": 2,
                  "cost": float(next(costs))})
    edges += [{"from": "m0", "to": "plant", "cost": float(next(costs))},
              {"from": "plant", "to": f"m{n_mid - 1}", "cost": float(next(costs))}]
    n_dem = int(rng.integers(3, 6))
    prios = [1, 2] + [int(rng.integers(1, 4)) for _ in range(n_dem - 2)]
    for d in range(n_dem):
        profile = (rng.uniform(5, 30) * (1.2 - np.cos(2 * np.pi * np.arange(12) / 12))).round(3)
        profile[rng.integers(0, 12)] = 0.0  # a month without demand
        dem: dict = {"id": f"d{d}", "type": "demand", "priority": prios[d], "cost": float(next(costs))}
        if d == 2:  # a demand with its own trace per scenario
            dem["demand"] = {"values": (np.tile(profile, steps // 12 + 1)[:steps][None, :]
                                        * rng.uniform(0.7, 1.3, (scenarios, 1))).round(3).tolist()}
        else:
            dem["demand"] = profile.tolist()
        returns = rng.random() < 0.4
        intake = int(rng.integers(0, n_mid))
        if returns and intake < n_mid - 1:  # (returned to its own intake, the water would go round and round)
            dem.update(consumptive_fraction=0.6, return_to=f"m{n_mid - 1}")
        nodes.append(dem)
        edges.append({"from": f"m{intake}", "to": f"d{d}", "cost": float(next(costs))})
    nodes.append({"id": "eflow", "type": "flow_requirement", "at": f"m{n_mid - 1}", "flow": float(rng.uniform(3, 15)),
                  "priority": int(rng.integers(1, 4)), "cost": float(next(costs))})
    nodes.append({"id": "sea", "type": "sink", "cost": float(next(costs))})
    edges += [{"from": m["id"], "to": "sea", "cost": float(next(costs))} for m in mids if m["type"] != "reservoir"]
    seen, unique = set(), []
    for e in edges:
        key = (e["from"], e["to"]) if isinstance(e, dict) else tuple(e)
        if key not in seen and key[0] != key[1]:
            seen.add(key)
            unique.append(e)
    return {"nodes": nodes, "edges": unique, "steps": steps}


def priority_compiled(spec: dict):
    return compile_network(build(spec["nodes"], spec["edges"], steps=spec["steps"], allocation="priority"))


def unique_columns(net) -> np.ndarray:
    """Columns whose optimum is unique in a priority-mode run (see the module doc)."""
    aux = {int(c) for c in net.priority_col} | {int(c) for c in net.hp_energy_col if c >= 0}
    aux |= {j for j, name in enumerate(net.lp.col_names) if name.startswith("h[")}
    return np.array([j for j in range(net.lp.n_cols) if j not in aux])


def assert_same_priority(fast, plain, net):
    cols = unique_columns(net)
    scale = max(1.0, float(np.abs(plain.x[:, :, cols]).max()))
    np.testing.assert_allclose(fast.x[:, :, cols], plain.x[:, :, cols], rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(fast.volume_start, plain.volume_start, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_array_equal(fast.volume_min, plain.volume_min)
    np.testing.assert_array_equal(fast.volume_max, plain.volume_max)
    np.testing.assert_allclose(fast.head, plain.head, rtol=1e-9, atol=1e-9)
    finite = np.isfinite(plain.col_upper)
    np.testing.assert_array_equal(finite, np.isfinite(fast.col_upper))
    np.testing.assert_allclose(fast.col_upper[finite], plain.col_upper[finite], rtol=1e-9, atol=1e-9 * scale)
    assert np.abs(fast.balance_residual).max() < 1e-9 * scale


@pytest.mark.parametrize("maps", [True, False], ids=["screening-maps", "dual-simplex-only"])
@pytest.mark.parametrize("seed", range(6))
def test_priority_mode_equals_plain_path(seed, maps):
    """Both ways of screening a block: cached bases' maps first (runs with many scenarios), or the dual simplex
    alone (runs with few)."""
    net = priority_compiled(random_priority_network(seed))
    assert fast_path_unsupported(net) is None
    stats = FastStats()
    options = FastOptions(screening_maps_from=1 if maps else net.n_scenarios + 1)
    assert_same_priority(simulate_fast(net, options, stats=stats), simulate(net), net)
    pr = stats.priority
    assert pr is not None and stats.fallback_reason is None
    assert pr.screened > 0 and pr.staged > 0 and pr.plain == 0  # shortages in some scenario-steps, not all
    assert (0 < pr.by_map <= pr.screened) if maps else pr.by_map == 0  # maps: checked optimal, no LP
    assert stats.pairs == net.n_scenarios * net.axis.n_steps
    assert pr.highs < pr.lps / 10  # HiGHS only to find bases


def test_a_dead_volume_met_by_the_volumes_bound_takes_no_lp_and_one_short_takes_its_own():
    """An evaporating reservoir's dead volume is the first priority level, and a shortage at priority 1 stages
    every step.  From a full reservoir the end volume's bound meets the dead volume: the first step's stages skip
    its level (the later ones start at the short level 1), two LPs a step.  From the dead volume, evaporation
    takes the bound below it: the first step solves its level too (the inflow makes it up).  Both as the plain
    path."""
    def model(start: float):
        return build([
            {"id": "in", "type": "inflow", "inflow": 10.0},
            {"id": "res", "type": "reservoir", "max_volume": 100.0, "min_volume": 20.0, "initial_volume": start,
             "level_table": {"volume": [0.0, 100.0], "level": [0.0, 10.0], "area": [10.0, 10.0]},
             "evaporation": 200.0},
            {"id": "d", "type": "demand", "demand": 500.0},
        ], [["in", "res"], ["res", "d"]], steps=3)

    for start, skipped, lps in ((100.0, 1, 6), (20.0, 0, 7)):
        net = compile_network(model(start))
        assert net.req_floor_col.tolist() == [-1, int(net.res_col[0])]  # (the demand's, then the dead volume's)
        stats = FastStats()
        assert_same_priority(simulate_fast(net, stats=stats), simulate(net), net)
        pr = stats.priority
        assert pr is not None and pr.staged == 3 and pr.plain == 0
        assert (pr.skipped, pr.lps) == (skipped, lps), pr.summary()


def test_a_requirement_that_falls_to_zero_keeps_its_stages_basis_a_valid_start():
    """Two demands share a shortage at priority 1 each step; one of them asks for nothing every other month.  Its
    coverage row, held at its bound in the stage's optimal basis of a month it asks, is idle the next month: the
    dual simplex starts from that basis all the same, so HiGHS is needed only for the first basis of each LP
    (the screening, the stage and the final one), where it was needed again each month the demand fell to
    zero.  The results are the plain path's."""
    net = compile_network(build([
        {"id": "in", "type": "inflow", "inflow": 10.0},
        {"id": "d1", "type": "demand", "demand": [15.0, 0.0] * 6},
        {"id": "d2", "type": "demand", "demand": 15.0},
        {"id": "sea", "type": "sink"},
    ], [["in", "d1"], ["in", "d2"], ["in", "sea"]], steps=12, allocation="priority"))
    stats = FastStats()
    assert_same_priority(simulate_fast(net, stats=stats), simulate(net), net)
    pr = stats.priority
    assert pr is not None and pr.staged == 12 and pr.plain == 0
    assert (pr.highs, pr.lps) == (3, 24), pr.summary()


def test_levels_after_the_last_short_one_are_held_in_full_without_their_stages():
    """One river's first demand (priority 1) is short every month; the second (priority 2) has its own inflow and
    is met, but in month 6, when it asks for more than that inflow.  After the first month, the levels after the
    last short one are held in full in the final solve: two LPs a month (the level-1 stage, the final solve)
    instead of three.  In month 6 that final solve is infeasible, and the level-2 stage runs after all; month 7,
    with level 2 short the month before, takes its three LPs again.  The screening LPs are infeasible (not
    counted).  The results are the plain path's."""
    asks = [5.0] * 12
    asks[6] = 20.0
    net = compile_network(build([
        {"id": "in1", "type": "inflow", "inflow": 10.0},
        {"id": "in2", "type": "inflow", "inflow": 10.0},
        {"id": "j", "type": "junction"},
        {"id": "d1", "type": "demand", "demand": 15.0, "priority": 1},
        {"id": "d2", "type": "demand", "demand": asks, "priority": 2},
        {"id": "sea", "type": "sink"},
    ], [["in1", "d1"], ["in1", "j"], ["in2", "j"], ["j", "d2"], ["j", "sea"]], steps=12, allocation="priority"))
    stats = FastStats()
    assert_same_priority(simulate_fast(net, stats=stats), simulate(net), net)
    pr = stats.priority
    assert pr is not None and pr.staged == 12 and pr.plain == 0
    assert (pr.tails, pr.lps) == (9, 3 + 5 * 2 + 3 + 3 + 4 * 2), pr.summary()  # (months 0, 1–5, 6, 7, 8–11)


def test_a_level_short_below_the_remembered_start_restarts_the_stages_one_level_lower():
    """Three demands on one river, priorities 1 to 3; the third is short every month, the second only in month 6,
    when it asks for more than the river has.  From month 1 the stages start at the level short the month before
    (the third): one stage and the final solve.  In month 6 that start's stage is infeasible (the second level
    cannot be held in full), and the stages restart one level lower, at the second, which is short: its stage,
    the third's and the final solve, where starting again from the first level took its stage too.  Month 7
    starts at the second level (short the month before), month 8 at the third.  Infeasible LPs are not counted.
    The results are the plain path's."""
    asks = [3.0] * 12
    asks[6] = 20.0
    net = compile_network(build([
        {"id": "in", "type": "inflow", "inflow": 10.0},
        {"id": "j", "type": "junction"},
        {"id": "d1", "type": "demand", "demand": 3.0, "priority": 1},
        {"id": "d2", "type": "demand", "demand": asks, "priority": 2},
        {"id": "d3", "type": "demand", "demand": 15.0, "priority": 3},
        {"id": "sea", "type": "sink"},
    ], [["in", "j"], ["j", "d1"], ["j", "d2"], ["j", "d3"], ["j", "sea"]], steps=12, allocation="priority"))
    stats = FastStats()
    out = simulate_fast(net, stats=stats)
    assert_same_priority(out, simulate(net), net)
    assert out.x[0, 6, net.demand_col[1]] == pytest.approx(7.0)  # the second demand short in month 6
    pr = stats.priority
    assert pr is not None and pr.staged == 12 and pr.plain == 0
    assert pr.lps == 3 + 5 * 2 + 3 + 3 + 4 * 2, pr.summary()  # (months 0, 1–5, 6, 7, 8–11)


@pytest.mark.parametrize("kernel", KERNELS)
def test_stage_bases_with_a_large_bump_give_the_plain_paths_results(kernel, monkeypatch):
    """Along a chain of demands sharing one priority, a stage's basis peels to a bump of 15–31 rows, which the dual
    simplex takes apart by a spike (its algebra and LPs are tested in ``test_dualsimplex.py``), with pivots from
    there: the results are the plain path's.  (Without Numba's kernel the spikes are counted.)"""
    spikes = []
    if kernel == "numpy":  # (the pure-Python loop looks ``_spike`` up at each call)
        spike = dsx._spike
        monkeypatch.setattr(dsx, "_spike", lambda *a: spikes.append(spike(*a)) or spikes[-1])
    net = compile_network(chain_of_demands())
    stats = FastStats()
    assert_same_priority(simulate_fast(net, FastOptions(kernel=kernel), stats=stats), simulate(net), net)
    pr = stats.priority
    assert pr is not None and pr.plain == 0 and pr.staged > 40 and pr.pivots > 100, pr.summary()
    assert kernel != "numpy" or sum(i >= 0 for i in spikes) > 20, spikes


def test_a_large_networks_lps_take_more_pivots_than_a_small_ones(monkeypatch):
    """A review of large networks (generated trees of 200–2,000 nodes): a fixed limit of 30 dual simplex pivots
    sent a large LP's stages to HiGHS (406 of 1,101 LPs a year at 1,000 nodes), which made the fast path slower
    than the plain one.  The limit is a tenth of the LP's rows (at least 30): along a chain of 150 demands sharing
    a priority (752 rows, 75 pivots) the stages that need more than 30 pivots get them, and the results are the
    plain path's."""
    assert FastOptions().pivots_for(83) == 30 and FastOptions().pivots_for(752) == 75
    assert FastOptions(max_pivots=30).pivots_for(752) == 30
    most = [0]
    solve = dsx.solve

    def spy(st, idx, *args):
        solve(st, idx, *args)
        pivots = args[13]
        most[0] = max([most[0], *pivots[idx].tolist()])

    monkeypatch.setattr(dsx, "solve", spy)
    net = compile_network(chain_of_demands(reaches=150, scenarios=3, steps=12))
    assert net.lp.n_rows == 752
    stats = FastStats()
    assert_same_priority(simulate_fast(net, stats=stats), simulate(net), net)
    pr = stats.priority
    assert pr is not None and pr.plain == 0 and pr.staged > 20, pr.summary()
    assert 30 < most[0] <= 75
    assert pr.highs < pr.lps / 20, pr.summary()


def test_a_network_too_large_for_the_fast_paths_dense_arrays_runs_on_the_plain_path():
    """The security reviewer: a valid model of 20,000 inflow–demand pairs (a 60,001-row LP) failed with MemoryError
    from the fast path's m × m factorisation workspace.  Its size is worked out before anything is allocated; above
    ``max_dense_bytes`` the network runs on the plain path (the same results), and the stats say why.  Forced here
    by a limit below a chain of 150 demands' workspace (752 rows: 8 × 752² bytes)."""
    net = compile_network(chain_of_demands(reaches=150, scenarios=2, steps=6))
    assert dense_bytes(net) == 8 * 752**2
    assert fast_path_unsupported(net) is None and fast_path_unsupported(net, 8 * 752**2) is None
    reason = fast_path_unsupported(net, 8 * 752**2 - 1)
    assert reason is not None and "752 rows" in reason and "GB" in reason
    stats = FastStats()
    out = simulate_fast(net, FastOptions(max_dense_bytes=8 * 752**2 - 1), stats)
    assert stats.fallback_reason == reason and stats.summary() == f"plain path ({reason})"
    plain = simulate(net)
    for name in ("x", "volume_start", "col_upper", "balance_residual"):
        np.testing.assert_array_equal(getattr(out, name), getattr(plain, name))
    with pytest.raises(ValueError, match="752 rows"):
        FastStepper(net, options=FastOptions(max_dense_bytes=1000))


def test_the_largest_lp_of_independent_basins_is_a_block():
    """In ``priority`` mode each block (an independent basin) is its own LP: the factorisation's workspace is sized
    by the largest block's rows, not the network's."""
    net = priority_compiled(basins(random_priority_network(0, steps=3), random_priority_network(1, steps=3)))
    rows = sorted(int(np.count_nonzero(net.row_block == b)) for b in np.unique(net.row_block))
    assert len(rows) == 3 and rows[0] < rows[1] < rows[2] < net.lp.n_rows  # (the free river, then the two basins)
    assert _largest_lp_rows(net) == rows[2]
    one = priority_compiled(random_priority_network(0, steps=3))
    assert _largest_lp_rows(one) == one.lp.n_rows


def test_priority_screening_maps_with_a_small_cache():
    """With a cache of a few bases, bases are dropped while scenarios still start from them: those scenarios are
    screened by the dual simplex again (or go through the stages), with the same results."""
    net = priority_compiled(random_priority_network(4))
    stats = FastStats()
    options = FastOptions(screening_maps_from=1, max_bases=2)
    assert_same_priority(simulate_fast(net, options, stats=stats), simulate(net), net)
    assert stats.priority is not None and stats.priority.by_map > 0 and stats.priority.plain == 0


def test_screening_layout_holds_requirements_at_their_full_value():
    """A block's screening LP, as the basis cache sees it (``_Layout.restrict``): each scenario's bounds are the
    step's, with every requirement's lower bound raised to its upper one; the other data slots are the
    network's."""
    net = priority_compiled(random_priority_network(2))
    lay = _Layout(net)
    pos = np.arange(lay.N)
    part = lay.restrict(pos, net.lp.A, net.req_col)
    volume = np.broadcast_to(net.res_initial, (net.n_scenarios, net.res_initial.shape[1]))
    for t in (0, 5):
        lo, hi = lay.shared(net, t)
        d, _, _ = lay.scenario_data(net, t, volume, lo, hi)
        L, U = lay.all_bounds(lo, hi, d)
        L[:, net.req_col] = U[:, net.req_col]
        for s in range(net.n_scenarios):
            Ls, Us = part.full_bounds(*part.shared(net, t), d[s])
            np.testing.assert_array_equal(Ls, L[s])
            np.testing.assert_array_equal(Us, U[s])
        np.testing.assert_array_equal(part.costs(net, t), lay.costs(net, t))


def basins(*specs: dict, free_river: bool = True) -> dict:
    """Independent random priority rivers in one model (ids prefixed a_, b_, …) and, with ``free_river``, a
    river without requirements ([z_in] --> [z_sea]): the network's blocks."""
    refs = ("reservoir", "spill_to", "return_to", "at")
    nodes, edges = [], []
    for k, spec in enumerate(specs):
        pre = f"{'abcdefgh'[k]}_"
        for n in spec["nodes"]:
            nodes.append({**n, "id": pre + n["id"], **{r: pre + n[r] for r in refs if r in n}})
        for e in spec["edges"]:
            edges.append({**e, "from": pre + e["from"], "to": pre + e["to"]} if isinstance(e, dict)
                         else [pre + e[0], pre + e[1]])
    if free_river:
        nodes += [{"id": "z_in", "type": "inflow", "inflow": 7.5}, {"id": "z_sea", "type": "sink", "cost": 0.25}]
        edges.append(["z_in", "z_sea"])
    return {"nodes": nodes, "edges": edges, "steps": specs[0]["steps"]}


@pytest.mark.parametrize("seed", range(3))
def test_independent_basins_are_allocated_as_if_alone(seed):
    """Two random rivers in one model are two blocks, each with its own coverage column per priority level:
    the plain path allocates each as if it were alone (a shortage in one does not hold the other's requirements
    at its coverage, nor send a river with water enough through the stages, whose holds 1e-9 below the full
    requirement drifted into its storage), and the fast path, which solves each block as its own LPs, gives the
    same."""
    a, b = random_priority_network(seed, steps=24), random_priority_network(seed + 40, steps=24)
    net = priority_compiled(basins(a, b))
    req_blocks = np.unique(net.col_block[net.req_col])
    assert req_blocks.size == 2 and np.unique(net.col_block).size == 3  # and the free river
    assert np.array_equal(net.col_block[net.req_tcol], net.col_block[net.req_col])
    assert np.array_equal(net.row_block[net.req_row], net.col_block[net.req_col])
    shared = set(net.req_priority[net.col_block[net.req_col] == 0]) & set(net.req_priority[net.col_block[net.req_col]
                                                                                               == 1])
    assert shared and all(np.count_nonzero(net.priority_col_level == np.searchsorted(net.priority_levels, p)) == 2
                          for p in shared)
    plain = simulate(net)
    for pre, spec in (("a_", a), ("b_", b)):
        alone_net = priority_compiled(spec)
        alone = simulate(alone_net)
        cols = [net.node_col[net.node_ids.index(pre + i)] for i in alone_net.node_ids]
        scale = max(1.0, float(np.abs(alone.x).max()))
        np.testing.assert_allclose(plain.x[:, :, cols], alone.x[:, :, alone_net.node_col], rtol=1e-9,
                                   atol=1e-9 * scale)
    for maps_from in (1, net.n_scenarios + 1):  # each block's screening by cached bases' maps, or not
        stats = FastStats()
        assert_same_priority(simulate_fast(net, FastOptions(screening_maps_from=maps_from), stats), plain, net)
        pr = stats.priority
        assert pr is not None and pr.staged > 0 and pr.plain == 0 and (pr.by_map > 0) == (maps_from == 1)


def test_priority_mode_pure_python_loop():
    """The dual simplex as plain Python (``kernel="numpy"``: no Numba) gives the same answers."""
    net = priority_compiled(random_priority_network(3, scenarios=3, steps=12))
    assert_same_priority(simulate_fast(net, FastOptions(kernel="numpy")), simulate(net), net)


def test_priority_mode_on_the_demo_model():
    """The three-country demo basin, all five traces, three years: whole trajectories agree."""
    model = daryo.load(demo_model_path()).with_time(years=3)
    net = compile_network(model)
    stats = FastStats()
    assert_same_priority(simulate_fast(net, stats=stats), simulate(net), net)
    assert stats.priority is not None and stats.priority.staged > 0 and stats.priority.plain == 0


def test_priority_mode_on_the_aral_model():
    """The embedded Aral model (``daryo.load()``) with four stochastic traces, two years, checked step by step
    from the fast path's states (its optimum has ties, see the module doc): the plain path's deliveries and
    objective."""
    from daryo.basins.aral import load_aral_model

    net = compile_network(load_aral_model(hydrology="stochastic", traces=4, years=2, seed=3))
    stats = FastStats()
    fast = simulate_fast(net, stats=stats)
    assert stats.priority is not None and stats.priority.staged > 0
    state, solver = _StepState(net), HighsSolver(net.lp)
    for t in range(net.axis.n_steps):
        state.prepare(net, t, fast.volume_start[:, t])
        for s in range(net.n_scenarios):
            sol = _solve_scenario(solver, net, state, s)
            x = fast.x[s, t]
            np.testing.assert_allclose(x[net.demand_col], sol.x[net.demand_col], rtol=1e-9, atol=1e-6)
            c = state.cost[s]
            assert abs(c @ x - c @ sol.x) < 1e-7 * max(1.0, abs(c @ sol.x))
    assert np.abs(fast.balance_residual).max() < 1e-6


def test_priority_mode_infeasible_step_raises_the_plain_paths_error():
    """A must-take demand (min_flow 40) above what scenario 1 has in step 2: the same error as the plain
    path, same step, same scenario."""
    inflow = [[60.0, 60.0, 60.0, 60.0], [60.0, 60.0, 20.0, 60.0]]
    nodes = [{"id": "in", "type": "inflow", "inflow": {"values": inflow}},
             {"id": "j", "type": "junction"},
             {"id": "must", "type": "demand", "demand": 45, "min_flow": 40, "priority": 2},
             {"id": "other", "type": "demand", "demand": 30, "priority": 1},
             {"id": "sea", "type": "sink"}]
    net = compile_network(build(nodes, [["in", "j"], ["j", "must"], ["j", "other"], ["j", "sea"]], steps=4))
    error = same_step_error(net, InfeasibleStepError)
    assert (error.step, error.scenario) == (2, "1")


def test_priority_mode_without_numba_runs_on_the_plain_path(monkeypatch):
    net = compile_network(shared_shortage())
    assert fast_path_unsupported(net) is None
    monkeypatch.setattr(_kernel, "available", lambda: False)
    assert "Numba" in (fast_path_unsupported(net) or "")
    stats = FastStats()
    np.testing.assert_allclose(simulate_fast(net, stats=stats).x, simulate(net).x)
    assert stats.fallback_reason


def test_scenario_data_mirrors_the_engines_step_preparation_in_priority_mode():
    net = priority_compiled(random_priority_network(4))
    lay, state = _Layout(net), _StepState(net)
    rng = np.random.default_rng(1)
    n = lay.n
    for t in range(net.axis.n_steps):
        volume = rng.uniform(0.0, 1.0, (net.n_scenarios, len(net.res_ids))) * 400
        state.prepare(net, t, volume)
        lo, hi = lay.shared(net, t)
        d, _, _ = lay.scenario_data(net, t, volume, lo, hi)
        L, U = lay.all_bounds(lo, hi, d)
        np.testing.assert_array_equal(L[:, :n], state.col_lo)
        np.testing.assert_array_equal(U[:, :n], state.col_hi)
        np.testing.assert_array_equal(L[:, n:], state.row_lo)
        np.testing.assert_array_equal(U[:, n:], state.row_hi)


def test_scenario_data_mirrors_the_engines_step_preparation():
    """The fast path's per-scenario bounds are those of ``_StepState.prepare`` at every step."""
    net = compiled(random_network(7, physics=True))
    lay, state = _Layout(net), _StepState(net)
    rng = np.random.default_rng(0)
    n = lay.n
    for t in range(net.axis.n_steps):
        volume = rng.uniform(0.0, 1.0, (net.n_scenarios, len(net.res_ids))) * 600
        evap, head = state.prepare(net, t, volume)
        lo, hi = lay.shared(net, t)
        d, evap2, head2 = lay.scenario_data(net, t, volume, lo, hi)
        np.testing.assert_array_equal(evap, evap2)
        np.testing.assert_array_equal(head, head2)
        for s in range(net.n_scenarios):
            full_lo, full_hi = lay.full_bounds(lo, hi, d[s])
            np.testing.assert_array_equal(full_lo[:n], state.col_lo[s])
            np.testing.assert_array_equal(full_hi[:n], state.col_hi[s])
            np.testing.assert_array_equal(full_lo[n:], state.row_lo[s])
            np.testing.assert_array_equal(full_hi[n:], state.row_hi[s])


def test_recording_a_subset_of_columns_gives_the_same_values():
    net = compiled(random_network(5))
    plain = simulate(net)
    cols = np.asarray(net.demand_col)
    got = np.empty((net.n_scenarios, net.axis.n_steps, cols.size))

    def record(rec):
        got[:, rec.t] = rec.x

    FastStepper(net, columns=cols).run(record)
    np.testing.assert_allclose(got, plain.x[:, :, cols], rtol=1e-9, atol=1e-9 * max(1.0, np.abs(plain.x).max()))


# shrunk from a differential fuzz of the two paths (2026-12-05): a reservoir the fast path left at -1e-9 hm³
# (basic variables are accepted within 1e-9 of their bounds), which carried into the next step asked an empty
# reservoir for 1e-9 hm³: an infeasible step where the plain path ran on
_CARRIED_BELOW_EMPTY = json.loads("""
    {"version": 1, "name": "fuzz357", "time": {"start": "2001-01", "end": "2001-12", "step": "month"}, "allocation":
    "priority", "nodes": [{"id": "m0", "type": "reservoir", "max_volume": 5848.980884355448}, {"id": "m1", "type":
    "reservoir", "max_volume": 23575.09580548243, "initial_volume": 10597.324260679296}, {"id": "m2", "type":
    "junction"}, {"id": "t2", "type": "inflow", "inflow": {"values": [[357.74864450714, 671.197700735448,
    978.773933786203, 497.557452531653, 814.771907615459, 599.589661227172, 627.111529569872, 269.120951154072,
    251.261683061013, 197.667172489916, 204.795179551341, 186.812270336232]]}}, {"id": "m3", "type": "reach",
    "loss": 0.5}, {"id": "m4", "type": "reach"}, {"id": "m5", "type": "junction", "cost": -1.0}, {"id": "t5",
    "type": "inflow", "inflow": {"values": [[2473.275463928251, 9248.230641329857, 3327.161381173664,
    5758.371365108689, 5677.613698716551, 1733.921755106329, 4648.666678255162, 2764.727834462146,
    1407.043859050362, 425.662194031444, 1357.161897587556, 2325.905298803086]]}}, {"id": "sea", "type": "sink"},
    {"id": "d0", "type": "demand", "demand": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5821.820808762259, 0.0, 0.0, 0.0,
    1818.928563789202, 0.0]}, {"id": "d1", "type": "demand", "demand": [240.303821041902, 94.614959796461,
    1592.429917010286, 3630.287044490806, 3213.052057571037, 2245.760844915567, 5300.919517287868,
    7309.486046985428, 1299.302201640362, 622.333958494414, 2746.047793249978, 1240.368504042786]}, {"id": "d2",
    "type": "demand", "demand": [31.392691147147, 129.490038767557, 1727.92509364357, 1080.284652807622,
    6731.147589726224, 0.0, 5198.959841124652, 1497.411539177852, 0.0, 2992.905867809824, 242.375141483426,
    599.695055930224]}, {"id": "eflow", "type": "flow_requirement", "at": "sea", "flow": 1393.1451637627827}],
    "edges": [{"from": "m0", "to": "m1"}, {"from": "m0", "to": "sea"}, {"from": "t2", "to": "m2"}, {"from": "m2",
    "to": "m3"}, {"from": "m2", "to": "sea"}, {"from": "m3", "to": "m4"}, {"from": "m4", "to": "m5"}, {"from": "t5",
    "to": "m5"}, {"from": "m5", "to": "sea"}, {"from": "m3", "to": "d0"}, {"from": "m1", "to": "d1"}, {"from": "m3",
    "to": "d2"}], "constraints": []}
""")

# two lossless reaches under caps and one losing 8 % to one demand, and a cost of 1000 on an idle edge: with the
# reduced-cost tolerance relative to the largest cost (1e-7 here), the fast path took the lossy route, whose
# tie-break (1e-6 per hm³ lost: 8e-8 per hm³) it could not see
_LOSSY_ROUTE = json.loads("""
    {"version": 1, "name": "loss", "time": {"start": "2001-01", "end": "2002-12", "step": "month"}, "allocation":
    "priority", "nodes": [{"id": "in", "type": "inflow", "inflow": {"values": [[71.133, 117.624, 28.084, 80.736,
    57.649, 100.19, 37.453, 107.164, 74.394, 110.222, 67.715, 63.05, 98.895, 118.415, 56.973, 116.893, 112.903,
    37.769, 80.885, 90.486, 114.28, 86.566, 33.34, 69.787]]}}, {"id": "j", "type": "junction"}, {"id": "sea",
    "type": "sink"}, {"id": "D0", "type": "demand", "demand": [18.589, 23.927, 22.544, 27.088, 20.214, 7.389,
    38.624, 25.031, 6.278, 11.873, 37.965, 38.555]}, {"id": "R0", "type": "reach", "max_flow": {"values": [30.71,
    21.74, 0.0, 20.1, 29.98, 0.0, 0.0, 58.19, 12.85, 5.31, 37.42, 0.0, 0.0, 11.03, 0.0, 7.96, 49.95, 14.43, 0.0,
    13.75, 35.36, 25.98, 57.83, 21.85]}}, {"id": "R2", "type": "reach", "loss": 0.08}, {"id": "R3", "type": "reach",
    "max_flow": {"values": [59.24, 0.0, 12.75, 12.58, 0.91, 5.74, 0.0, 2.22, 28.14, 12.36, 38.93, 0.0, 33.96, 42.42,
    2.55, 6.12, 0.0, 0.0, 1.34, 45.17, 0.0, 46.04, 0.0, 25.17]}}, {"id": "idle", "type": "inflow", "inflow": 0.0}],
    "edges": [{"from": "in", "to": "j"}, {"from": "j", "to": "sea"}, {"from": "j", "to": "R0"}, {"from": "R0", "to":
    "D0"}, {"from": "j", "to": "R2"}, {"from": "R2", "to": "D0"}, {"from": "j", "to": "R3"}, {"from": "R3", "to":
    "D0"}, {"from": "idle", "to": "sea", "cost": 1000.0}]}
""")


def test_a_volume_roundoff_left_below_empty_is_carried_as_empty():
    net = compile_network(model_from_dict(_CARRIED_BELOW_EMPTY))
    plain, fast = simulate(net), simulate_fast(net)  # (the fast path's step 11 was infeasible)
    assert_same_priority(fast, plain, net)
    assert fast.volume_start.min() == 0.0 and plain.volume_start.min() == 0.0
    np.testing.assert_array_equal(carried_volume(np.array([[-1e-9, 0.0, 5.0]])), [[0.0, 0.0, 5.0]])


def test_the_route_that_loses_less_is_taken_beside_a_large_cost():
    net = compile_network(model_from_dict(_LOSSY_ROUTE))
    col = {i: net.node_col[net.node_ids.index(i)] for i in ("R0", "R2", "R3", "D0")}
    doc = {n["id"]: n for n in _LOSSY_ROUTE["nodes"]}
    demand = np.resize(doc["D0"]["demand"], net.axis.n_steps)
    inflow = np.asarray(doc["in"]["inflow"]["values"][0])
    lossless = np.asarray(doc["R0"]["max_flow"]["values"]) + np.asarray(doc["R3"]["max_flow"]["values"])
    # the lossless reaches first, then the lossy one carries what they cannot, grossed up by its loss, as far as
    # the inflow goes (it is short in 3 of the 24 months)
    first = np.minimum.reduce([lossless, inflow, demand])
    lossy = np.minimum((demand - first) / 0.92, inflow - first)
    assert 0 < np.count_nonzero(first + 0.92 * lossy < demand) < net.axis.n_steps
    for out in (simulate(net), simulate_fast(net)):
        np.testing.assert_allclose(out.x[0, :, col["D0"]], first + 0.92 * lossy, atol=1e-8)
        np.testing.assert_allclose(out.x[0, :, col["R2"]], lossy, atol=1e-8)


@pytest.mark.parametrize("head", [1.0, 1e-6, 1e-7])
def test_a_huge_energy_requirement_does_not_hold_back_a_demand_of_its_priority(head):
    """A plant's energy target at a head near zero asks for ~4e9 hm³ (1e-6 m) and more: a demand of the same
    priority with water of its own still gets all of it (it was fixed at what the stage gave it, 0, or the
    coverage column's coefficient for it fell below HiGHS's smallest and was dropped)."""
    net = compile_network(build([
        {"id": "up", "type": "inflow", "inflow": 10.0},
        {"id": "plant", "type": "hydropower", "capacity": 100.0, "head": head, "efficiency": 0.9,
         "energy_target": 10.0, "energy_priority": 1},
        {"id": "own", "type": "inflow", "inflow": 30.0},
        {"id": "dB", "type": "demand", "demand": 20.0, "priority": 1},
        {"id": "sea", "type": "sink"},
    ], [["up", "plant"], ["plant", "sea"], ["own", "dB"], ["own", "sea"]], steps=3))
    dB = net.node_col[net.node_ids.index("dB")]
    for out in (simulate(net), simulate_fast(net)):
        np.testing.assert_allclose(out.x[0, :, dB], 20.0, atol=1e-8)


def test_a_plant_of_a_drained_reservoir_does_not_hold_back_a_demand_of_its_priority():
    """A reservoir drained through its plant to the engine's 1e-9 hm³ hold: a head of 5e-11 m, whose energy
    target asks ~4e13 hm³; the demand of the same priority gets its 20 every step (it got 0, on both paths)."""
    net = compile_network(build([
        {"id": "in", "type": "inflow", "inflow": 0.0},
        {"id": "res", "type": "reservoir", "max_volume": 1000.0, "initial_volume": 60.0,
         "level_table": {"volume": [0, 1000], "level": [100, 150], "area": [1, 10]}},
        {"id": "plant", "type": "hydropower", "capacity": 1e6, "reservoir": "res", "tailwater_level": 100.0,
         "efficiency": 0.9, "energy_target": 5.0, "energy_priority": 1},
        {"id": "k", "type": "junction"},
        {"id": "in2", "type": "inflow", "inflow": 30.0},
        {"id": "dB", "type": "demand", "demand": 20.0, "priority": 1},
        {"id": "sea", "type": "sink"},
    ], [["in", "res"], ["res", "plant"], ["plant", "k"], ["in2", "k"], ["k", "dB"], ["k", "sea"]], steps=12))
    dB = net.node_col[net.node_ids.index("dB")]
    for out in (simulate(net), simulate_fast(net)):
        assert out.head[0, 1:, 0].max() < 1e-9  # (drained in the first step)
        np.testing.assert_allclose(out.x[0, :, dB], 20.0, atol=1e-8)


HELD_LP_FOUND_INFEASIBLE = """\
version: 1
time: {start: 2001-01, end: 2001-03}
nodes:
  - {id: in2, type: inflow, inflow: 39.79}
  - {id: rea4, type: reach}
  - {id: hyd5, type: hydropower, capacity: 21.0186, efficiency: 0.707, head: 143.8625, energy_target: 10.3877,
     energy_priority: 1, max_turbine_flow: 19.77}
  - {id: can6, type: canal, capacity: 28.7114, loss: 0.15}
  - {id: hyd8, type: hydropower, capacity: 452.5774, head: 175.8194}
  - {id: jun9, type: junction}
  - {id: hyd10, type: hydropower, capacity: 102.201, head: 61.9631, energy_target: 11.8493}
  - {id: rea11, type: reach}
  - {id: jun12, type: junction}
  - {id: sea3, type: sink}
  - {id: d14, type: demand, demand: 7.68}
  - {id: d20, type: demand, priority: 3, demand: {values: [5.0303, 8.4, 17.6061]}, consumptive_fraction: 0.3,
     return_to: sea3}
  - {id: d21, type: demand, demand: {values: [5.0599, 8.4493, 17.7095]}}
  - {id: d22, type: demand, priority: 3, demand: 3.87}
  - {id: d23, type: demand, priority: 2, demand: 1.01}
  - {id: d24, type: demand, priority: 3, demand: {values: [5.5568, 9.2791, 19.4487]}}
  - {id: fr26, type: flow_requirement, at: jun9, flow: 10.45}
edges: [[in2, rea4], [rea4, hyd5], [rea4, can6], [hyd5, hyd8], [can6, jun9], [hyd5, hyd10], [in2, rea11],
        [can6, rea11], [rea4, jun12], [rea4, sea3], [jun9, sea3], [hyd10, sea3], [rea11, sea3], [jun12, sea3],
        [hyd8, d14], [jun9, d20], [rea11, d21], {from: jun12, to: d22, loss: 0.1}, {from: in2, to: d23, loss: 0.1},
        [hyd10, d24]]
"""


def test_a_held_lp_that_a_warm_start_finds_infeasible_is_solved_again_before_its_holds_are_lowered(tmp_path):
    """In March HiGHS, warm-started, called a held LP of the plain path infeasible that is feasible (solved from
    scratch, it is), and the plain path lowered the holds by 1e-6 hm³: three demands got 1e-6 hm³ less than on the
    fast path, which went to the sea (a differential fuzz: a quarter of a model's scenario-steps did so)."""
    path = tmp_path / "m.yaml"
    path.write_text(HELD_LP_FOUND_INFEASIBLE)
    model = daryo.load(path)
    plain, fast = (daryo.run(model, daryo.RunOptions(method=m)).dataset for m in ("plain", "fast"))
    np.testing.assert_allclose(plain.delivery, fast.delivery, rtol=0, atol=5e-9)
    np.testing.assert_allclose(plain.sink_inflow, fast.sink_inflow, rtol=0, atol=5e-9)


@pytest.mark.parametrize("seed", [52, 211, 311, 560, 799, 960])
def test_priority_mode_equals_plain_path_with_requirements_of_very_different_sizes(seed):
    """Generated networks where one demand is 1e7 to 1e11 hm³ (seeds ≡ 0 mod 4) or some are 1e-8 to 1e-5 hm³ beside
    ones of tens (≡ 3): a stage holds a requirement whose dual is not noise beside the largest dual (a tiny
    demand's ~5e6 left ~3e-9 on a plant's energy target, which was held at its first share) and gives it a share
    of the coverage's price (a huge demand's is ~1e-7).  The paths disagreed by up to 124 hm³ in a step (a
    reviewer's fuzz of 1,000 such networks: 65 disagreements before, none above the 1e-6 hm³ relaxation of holds
    now, where HiGHS solves the plain path)."""
    rng = np.random.default_rng(1000 + seed)
    spec = random_priority_network(seed, scenarios=3, steps=12)
    demands = [n for n in spec["nodes"] if n["type"] == "demand"]
    if seed % 4 == 0:
        demands[rng.integers(len(demands))]["demand"] = float(10 ** rng.uniform(7, 11))
    else:
        for d in demands:
            d["demand"] = float(rng.uniform(1e-8, 1e-5)) if rng.random() < 0.5 else d.get("demand")
    net = priority_compiled(spec)
    assert_same_priority(simulate_fast(net), simulate(net), net)


def test_the_kernels_a_run_calls_follow_its_mode_and_size():
    """What the command line's note on a first compile looks for (a CLI review: a priority run was told of the
    cost mode's loop, which it never calls): the dual simplex for a priority run of few scenarios, the loop too
    where the screening maps run, the loop alone in cost mode."""
    from daryo.simulate.fastpath import FastOptions

    options = FastOptions()
    assert options.kernels_for("priority", 1) == ("solve_all",)
    assert options.kernels_for("priority", options.screening_maps_from) == ("loop", "solve_all")
    assert options.kernels_for("cost", 1) == ("loop",)
