r"""Shared by the ensemble tests: a small basin model and the run, load and compare helpers.

The model is a small ``cost``-mode basin (so chunks run on the fast path)::

    [up: 4 traces] --> <dam: 50..400> --> (river) --> [farm: monthly demand]
                                            |  \--> [city: 8]
    [creek] -------------------------------/    \--> [sea]
"""

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from daryo.ensemble import ANNUAL_INDICATORS, EnsembleOptions, run_ensemble, summarise
from daryo.testmodels import build

YEARS = 3


def basin(allocation: str = "cost"):
    return build(*basin_network(), steps=24, allocation=allocation, start="2001-10")


def basin_network() -> tuple[list[dict], list[list[str]]]:
    """The nodes and edges of :func:`basin`."""
    rng = np.random.default_rng(42)
    season = 1.0 + 0.9 * np.sin(2 * np.pi * (np.arange(24) - 2) / 12)
    up = (40 * season[None, :] * rng.lognormal(0, 0.3, (4, 24))).round(3)
    nodes = [
        {"id": "up", "type": "inflow", "inflow": {"values": up.tolist()}},
        {"id": "creek", "type": "inflow", "inflow": {"monthly": [3, 3, 4, 6, 9, 12, 10, 8, 6, 4, 3, 3]}},
        {"id": "dam", "type": "reservoir", "max_volume": 400, "min_volume": 50, "initial_volume": 250,
         "cost": -2.0},
        {"id": "river", "type": "junction"},
        {"id": "farm", "type": "demand", "demand": [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5], "cost": -50.0},
        {"id": "city", "type": "demand", "demand": 8, "cost": -90.0, "category": "municipal"},
        {"id": "sea", "type": "sink", "cost": 1.0},
    ]
    edges = [["up", "dam"], ["dam", "river"], ["creek", "river"], ["river", "farm"], ["river", "city"],
             ["river", "sea"]]
    return nodes, edges


def run(tmp_path: Path, name: str, **kw):
    opts = {"traces": 7, "years": YEARS, "seed": 5, "chunk_size": 3, **kw.pop("options", {})}
    out = tmp_path / name
    r = run_ensemble(kw.pop("model", basin()), EnsembleOptions(**opts), out, **kw)
    return r, out


def load(path: Path) -> xr.Dataset:
    engine = "zarr" if path.suffix == ".zarr" else None
    with xr.open_dataset(path, engine=engine) as ds:
        return ds.load()


def assert_identical(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)


def assert_nan_fill(path: Path, names) -> None:
    """That each of the variables ``names`` of the NetCDF store at ``path`` declares ``_FillValue`` NaN of its own
    type, as netCDF-C reads it (a C reader's missing value: a hydromet data manager's audit)."""
    import netCDF4

    with netCDF4.Dataset(path) as nc:
        for name in names:
            fill = nc[name].getncattr("_FillValue") if "_FillValue" in nc[name].ncattrs() else None
            assert fill is not None and np.isnan(fill) and fill.dtype == nc[name].dtype, (name, fill)


def daryo_load(path):
    import daryo

    return daryo.load(path)


def yaml_of_basin() -> str:
    return """
version: 1
name: cli-basin
allocation: cost
time: {start: 2001-10, end: 2003-09, step: month}
nodes:
  - {id: up, type: inflow, inflow: [30, 25, 20, 20, 25, 40, 70, 90, 80, 60, 45, 35]}
  - {id: dam, type: reservoir, max_volume: 300, min_volume: 20, initial_volume: 150, cost: -1}
  - {id: farm, type: demand, demand: [5, 5, 10, 30, 55, 70, 75, 65, 40, 15, 5, 5], cost: -20}
  - {id: sea, type: sink, cost: 1}
edges: [[up, dam], [dam, farm], [dam, sea]]
"""


def plant_basin():
    """:func:`basin` with a run-of-river plant (fixed head 100 m, efficiency 0.9, 1000 MW) on the way to the sea::

        (river) --> {plant} --> [sea]

    so every step's turbine flow is the sea's inflow (the capacity passes ~3000 hm³ a month: it never binds)."""
    nodes, edges = basin_network()
    nodes = [*nodes, {"id": "plant", "type": "hydropower", "capacity": 1000, "head": 100, "efficiency": 0.9}]
    edges = [e for e in edges if e != ["river", "sea"]] + [["river", "plant"], ["plant", "sea"]]
    return build(nodes, edges, steps=24, allocation="cost", start="2001-10")


def basin_run(tmp_path: Path) -> Path:
    """A ``daryo run`` result of :func:`basin` (a NetCDF file with no ensemble summaries)."""
    import daryo

    path = tmp_path / "run.nc"
    daryo.run(basin()).to_netcdf(path)
    return path


def not_an_ensemble(tmp_path: Path) -> Path:
    """A NetCDF file that is no ensemble's output."""
    path = tmp_path / "plain.nc"
    xr.Dataset({"x": ("t", [1.0])}).to_netcdf(path)
    return path


#: each demand's annual deficit fractions in (trace, run year) pairs of summaries_store
FRACTIONS = {
    "a": [0.9, 0.9, 0.0, 0.0],      # above 0.3 in 2 of 4 pairs, mean 0.45
    "b": [0.31, 0.31, 0.31, 0.0],   # above 0.3 in 3 of 4 pairs, mean 0.2325
    "c": [0.1, 0.2, 0.0, 0.0],      # short, never above 0.3: probability 0, mean 0.075
    "d": [0.3, 0.3, 0.3, 0.3],      # exactly at 0.3: not above it, mean 0.3
    "e": [0.0, 0.0, 0.0, 0.0],      # never short
}


def summaries_store(path, threshold=0.3):
    """A NetCDF file holding the summaries of two parts of one trace each (2 run years)."""
    ids = list(FRACTIONS)
    frac = np.array([FRACTIONS[k] for k in ids]).T.reshape(2, 2, len(ids))  # (trace, year, demand)
    sizes = {"demand": len(ids), "reservoir": 1, "sink": 1, "hydropower": 1, "inflow": 1, "requirement": 1,
             "system": 1}
    coords = {}
    for kind in sizes:
        coords[kind] = ids if kind == "demand" else [f"{kind}0"]
        coords[f"{kind}_country"] = (kind, ["KAZ", "UZB", "KAZ", "TJK", "UZB"] if kind == "demand" else [""])
    parts = []
    for t in range(2):
        part = {k: np.ones((1, 2, sizes[dim])) for k, dim in ANNUAL_INDICATORS.items()}
        part["annual_deficit_fraction"] = frac[t:t + 1]
        parts.append(part)
    summarise(parts, coords, threshold=threshold).to_netcdf(path)
    return path


#: the constant monthly inflow of each trace of rule_curve_basin's source (trace i: RULE_CURVE_INFLOWS[i % 3])
RULE_CURVE_INFLOWS = (5.0, 0.0, 20.0)


def rule_curve_basin(allocation: str = "cost"):
    """A reservoir whose rule curve (target_volume 80 of max_volume 100) it cannot hold while it fills, and one
    without a rule curve below it (two years from January)::

        [up] --> <Токтогул: 50 of 100, target 80> --> <pond: 5 of 10> --> [sea]

    Its traces (:class:`RuleCurveTraces`) bring 5, 0 or 20 hm³ a month: the dam ends its first 5 steps below the
    target (by 25, 20, 15, 10, 5), every step (by 30) or its first step (by 10)."""
    nodes = [{"id": "up", "type": "inflow", "inflow": 5},
             {"id": "dam", "type": "reservoir", "name": "Токтогул", "max_volume": 100, "initial_volume": 50,
              "target_volume": 80},
             {"id": "pond", "type": "reservoir", "max_volume": 10, "initial_volume": 5},
             {"id": "sea", "type": "sink"}]
    return build(nodes, [["up", "dam"], ["dam", "pond"], ["pond", "sea"]], steps=24, allocation=allocation)


class RuleCurveTraces:
    """:func:`rule_curve_basin`'s trace source: trace i brings RULE_CURVE_INFLOWS[i % 3] hm³ every month."""

    def __call__(self, seed, indices, years, axis):
        flows = np.array([RULE_CURVE_INFLOWS[int(i) % 3] for i in indices])
        return {"up": np.repeat(flows[:, None], axis.n_steps, axis=1)}

    def describe(self):
        return "constant inflows (5, 0, 20 hm3 a month)"


#: the monthly inflows of each trace of energy_target_basin's source (trace i: ENERGY_TARGET_INFLOWS[i % 4]), hm³ in
#: the months January to December
ENERGY_TARGET_INFLOWS = ([5.0] * 12, [20.0] * 3 + [0.0] * 6 + [20.0] * 3, [9.95] * 12, [20.0] * 12)
#: GWh a hm³ through energy_target_basin's plant makes (ρ g H η: 100 m, 0.9)
GWH_A_HM3 = 9.81e9 / 3.6e12 * 100 * 0.9


def energy_target_basin(allocation: str = "cost"):
    """A plant whose energy target (10 hm³'s worth a month, 2.4525 GWh) its river cannot always meet, a reservoir
    below it and a plant without a target below that (two years from January)::

        [up] --> {Нурек ГЭС: 100 m, 0.9, target 2.4525 GWh} --> <dam: 5 of 10> --> {mill: 10 m} --> [sea]

    Its traces (:class:`EnergyTargetTraces`) bring 5 hm³ a month (short by half the target every month), 20 in
    October–March and none in April–September (short by the whole target in the summer), 9.95 (short by 0.5 % of
    it) or 20 (never short)."""
    nodes = [{"id": "up", "type": "inflow", "inflow": 5},
             {"id": "plant", "type": "hydropower", "name": "Нурек ГЭС", "capacity": 1000, "head": 100,
              "efficiency": 0.9, "energy_target": 10 * GWH_A_HM3},
             {"id": "dam", "type": "reservoir", "max_volume": 10, "initial_volume": 5},
             {"id": "mill", "type": "hydropower", "capacity": 1000, "head": 10},
             {"id": "sea", "type": "sink"}]
    edges = [["up", "plant"], ["plant", "dam"], ["dam", "mill"], ["mill", "sea"]]
    return build(nodes, edges, steps=24, allocation=allocation)


class EnergyTargetTraces:
    """:func:`energy_target_basin`'s trace source: trace i brings ENERGY_TARGET_INFLOWS[i % 4] every year."""

    def __call__(self, seed, indices, years, axis):
        flows = np.array([ENERGY_TARGET_INFLOWS[int(i) % 4] for i in indices])
        return {"up": np.tile(flows, (1, -(-axis.n_steps // 12)))[:, :axis.n_steps]}

    def describe(self):
        return "monthly inflows of 5, 20 in winter only, 9.95 or 20 hm3"


class FarmAndTownTraces:
    """:func:`daryo.testmodels.farm_and_town`'s trace source: even traces bring its river's own 30 hm³ a month in
    October–March and 40 in April–September (the farm short by 25 a month in summer), odd ones 100 a month (no
    demand short)."""

    def __call__(self, seed, indices, years, axis):
        from daryo.testmodels import FARM_AND_TOWN_RIVER

        month = axis.starts.month.to_numpy() - 1
        own = np.asarray(FARM_AND_TOWN_RIVER)[month]
        return {"river": np.stack([own if int(i) % 2 == 0 else np.full(axis.n_steps, 100.0) for i in indices])}

    def describe(self):
        return "the river's own months, or 100 hm3 a month"


class DryRiverTraces:
    """:func:`daryo.testmodels.farm_and_town`'s trace source of a dry river: 20 hm³ every month in every trace (the
    town and the field take 15, the farm gets the other 5: short by 5 a month in winter, 45 in summer)."""

    def __call__(self, seed, indices, years, axis):
        return {"river": np.full((len(indices), axis.n_steps), 20.0)}

    def describe(self):
        return "20 hm3 a month"


#: the annual values of hand_store, (trace, run year) of 4 traces × 2 years
HAND = {
    "annual_deficit_fraction": [[0.5, 0.5], [0.5, 0.0], [0.0, 0.0], [0.0, 0.0]],  # above 0.3: 2, 1, 0, 0 of 2
    "annual_min_storage": [[50.0, 80.0], [80.0, 80.0], [80.0, 80.0], [80.0, 80.0]],  # at min_volume 50: 1 of 8
    "annual_sink_inflow": [[0.0, 10.0], [10.0, 10.0], [10.0, 20.0], [10.0, 10.0]],  # none: 1 of 8
    "annual_withdrawal": [[90.0, 100.0], [100.0, 120.0], [95.0, 105.0], [100.0, 100.0]],  # of 100 a year: 101.25 %
    "annual_renewable_water": [[100.0] * 2] * 4,
    "annual_environmental_flow": [[0.0] * 2] * 4,
    "annual_steps_below_target": [[2.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
    "annual_max_storage_shortfall": [[7.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],  # largest: 7
    "annual_energy_target": [[10.0] * 2] * 4,
    "annual_energy_shortfall": [[5.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],  # missed: 1 of 8
    "annual_winter_energy_target": [[5.0] * 2] * 4,
    "annual_winter_energy_shortfall": [[0.0, 0.0], [5.0, 0.0], [5.0, 0.0], [0.0, 0.0]],  # missed: 2 of 8
}


def hand_store(path):
    """A NetCDF store of 4 traces × 2 run years, one element of each kind, whose annual values are :data:`HAND`
    (others 1; the water stress the withdrawal over the renewable water, %), with their summaries, as an ensemble
    writes them, and its reservoir's min_volume, 50."""
    from daryo.ensemble import ANNUAL_INDICATORS

    kinds = sorted(set(ANNUAL_INDICATORS.values()))
    coords = {}
    for kind in kinds:
        coords[kind] = [f"{kind}0"]
        coords[f"{kind}_country"] = (kind, ["KGZ"])
    part = {k: np.ones((4, 2, 1)) for k in ANNUAL_INDICATORS}
    part |= {k: np.array(v, dtype=float)[:, :, None] for k, v in HAND.items()}
    part["annual_water_stress"] = part["annual_withdrawal"] / part["annual_renewable_water"] * 100
    return _write_store(path, part, coords, "hand")


def _write_store(path, part, coords, model):
    """Write at ``path`` the store of one part's annual arrays ``part`` (4 traces × 2 run years) with their
    summaries, as an ensemble writes them, its reservoir's min_volume 50; ``model``: its name."""
    from daryo.ensemble import ANNUAL_INDICATORS, summarise

    ds = summarise([part], coords, threshold=0.3)
    ds = ds.assign({k: (("trace", "year", dim), part[k]) for k, dim in ANNUAL_INDICATORS.items()})
    ds = ds.assign_coords(reservoir_min_volume=("reservoir", [50.0]), requirement_at=("requirement", ["sink0"]),
                          trace=np.arange(4), year=[0, 1])
    ds.attrs.update(model=model, scenarios="", seed=1, traces=4, years=2)
    ds.to_netcdf(path)
    return path


#: the yearly terms (hm³) of stress_store's river systems A and B, each trace's in both its run years: A's flow
#: requirement above its renewable water, as no store daryo writes has it (each year's is kept at most the renewable
#: water), B's withdrawal other in each trace
STRESS = {"A": {"annual_withdrawal": [50.0] * 4, "annual_renewable_water": [100.0] * 4,
                "annual_environmental_flow": [150.0] * 4},
          "B": {"annual_withdrawal": [60.0, 120.0, 90.0, 90.0], "annual_renewable_water": [400.0] * 4,
                "annual_environmental_flow": [100.0] * 4}}


def stress_store(path):
    """A NetCDF store of 4 traces × 2 run years of two river systems whose yearly withdrawal, renewable water and
    environmental flow are :data:`STRESS` (each year's water stress SDG 6.4.2's ratio of them, the environmental
    flow at most the renewable water: A's infinite), one element of each other kind (annual values 1), with their
    summaries, as an ensemble writes them."""
    from daryo.ensemble import ANNUAL_INDICATORS
    from daryo.sdg import stress_ratio

    coords = {}
    for kind in sorted(set(ANNUAL_INDICATORS.values())):
        coords[kind] = list(STRESS) if kind == "system" else [f"{kind}0"]
        coords[f"{kind}_country"] = (kind, ["KGZ"] * len(coords[kind]))
    part = {k: np.ones((4, 2, len(coords[dim]))) for k, dim in ANNUAL_INDICATORS.items()}
    for name in ("annual_withdrawal", "annual_renewable_water", "annual_environmental_flow"):
        part[name] = np.array([[[STRESS[s][name][t]] * 2 for s in STRESS] for t in range(4)]).transpose(0, 2, 1)
    part["annual_water_stress"] = stress_ratio(part["annual_withdrawal"], part["annual_renewable_water"],
                                               part["annual_environmental_flow"])
    return _write_store(path, part, coords, "stress")


def by_trace_interval(rows, share=False):
    """The 95 % interval of the mean of ``rows`` (a list per trace of its years' values) by trace, worked out by
    hand: the traces' sums ``s``, years ``w``, ``p = Σs / Σw``, ``SE = √(n/(n−1) Σ(s − p w)²) / Σw``, ``p ± t SE``
    with t Student's 97.5 % quantile of n − 1 degrees of freedom; a share's the Korn–Graubard interval (a technical
    editor's review), the Clopper–Pearson interval of ``m* = p(1−p)/SE²`` trace-years (of 0/1 values at most the
    ``m`` there are; ``m`` at 0 or 1), times ``(t_{m−1} / t_{n−1})²``; of fractions with no spread, ``p`` itself."""
    from scipy.stats import beta, t

    sums, years = np.array([sum(r) for r in rows], dtype=float), np.array([len(r) for r in rows], dtype=float)
    p, n, m = sums.sum() / years.sum(), len(rows), years.sum()
    se = np.sqrt(n / (n - 1) * ((sums - p * years) ** 2).sum()) / years.sum()
    if share:
        events = all(v in (0, 1) for r in rows for v in r)
        if se == 0 and not events and 0 < p < 1:
            return p, p
        effective = m if p in (0, 1) or se == 0 else min(p * (1 - p) / se**2, m if events else np.inf)
        size = effective * (t.ppf(0.975, m - 1) / t.ppf(0.975, n - 1)) ** 2
        x = p * size
        return (beta.ppf(0.025, x, size - x + 1) if x > 0 else 0.0,
                beta.ppf(0.975, x + 1, size - x) if p < 1 else 1.0)
    margin = t.ppf(0.975, n - 1) * se  # (Student's t of n − 1 degrees of freedom)
    return p - margin, p + margin


#: the monthly inflows (hm³, October to September) of the three scenario columns of columns_basin's CSV file, in its
#: two years: a climate service's projections, named by their columns
COLUMNS = {"wet": ([20.0] * 12, [20.0] * 12),
           "средний": ([6.0] * 12, [6.0] * 12),
           "dry_ssp585": ([4.0] * 6 + [16.0] * 6, [12.0] * 12)}
#: the farm's delivery in each run year of each column: it wants 10 hm³ a month and gets the month's inflow up to that
#: (wet: 12 × 10; средний: 12 × 6; dry_ssp585: 6 × 4 + 6 × 10, then 12 × 10)
COLUMN_DELIVERIES = {"wet": [120.0, 120.0], "средний": [72.0, 72.0], "dry_ssp585": [84.0, 120.0]}


def columns_basin(folder: Path, start: str = "2001-10", months: int = 24) -> Path:
    r"""A model file whose inflow reads the three projections of :data:`COLUMNS` from a CSV file's columns
    (``columns: "*"``, in hm³ a month), two years from October 2001 (or the first ``months`` of them, from
    ``start``; its file and CSV written in ``folder``)::

        [up: wet | средний | dry_ssp585] --> [farm: 10 a month]
                                         \--> [sea]
    """
    dates = pd.date_range(f"{start}-01", periods=months, freq="MS")
    table = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"),
                          **{name: [*a, *b][:months] for name, (a, b) in COLUMNS.items()}})
    table.to_csv(folder / "node_up.csv", index=False)
    path = folder / "columns.yaml"
    path.write_text(f"""
version: 1
name: columns-basin
allocation: cost
time: {{start: {start}, end: {dates[-1]:%Y-%m}, step: month}}
nodes:
  - {{id: up, type: inflow, inflow: {{csv: node_up.csv, columns: "*", unit: hm3/month}}}}
  - {{id: farm, type: demand, demand: 10, cost: -20}}
  - {{id: sea, type: sink, cost: 1}}
edges: [[up, farm], [up, sea]]
""", encoding="utf-8")
    return path


#: a forecast's members of the Vakhsh's inflow from April 2027 (hm³ a month, the same each month: a year's volume
#: is 12 times it), which :func:`forecast_overlays` gives the embedded model
FORECAST_MEMBERS = {"m01": 300.0, "m02": 500.0, "m03": 800.0}


def forecast_overlays(folder: Path) -> tuple[Path, Path]:
    """Two overlays of the embedded model (written in ``folder``), as a seasonal forecaster plans from today's state:
    ``today.yaml``, Nurek's volume of 1 April 2027, and ``fcst.yaml``, the Vakhsh's inflow as the columns of a CSV
    file, a forecast member each (:data:`FORECAST_MEMBERS`, twelve months from April 2027)."""
    dates = pd.date_range("2027-04-01", periods=12, freq="MS").strftime("%Y-%m-%d")
    csv = folder / "vakhsh_in.csv"
    pd.DataFrame({"date": dates, **{m: [v] * 12 for m, v in FORECAST_MEMBERS.items()}}).to_csv(csv, index=False)
    today, forecast = folder / "today.yaml", folder / "fcst.yaml"
    today.write_text("changes:\n  - set: {nurek: {initial_volume: 7.5 km3}}\n", encoding="utf-8")
    forecast.write_text(f"changes:\n  - set: {{vakhsh_in: {{inflow: {{csv: {csv}, columns: \"*\", unit: hm3}}}}}}\n",
                        encoding="utf-8")
    return today, forecast


def dry_years_model(tmp_path: Path, columns: dict[str, float]) -> Path:
    """``m.yaml`` in ``tmp_path``, a river whose monthly inflow (October 2000 to September 2002) is each of
    ``columns`` (a trace each, in ``inflow.csv``), into a farm of 20 a month (priority 1) and a lake whose flow
    requirement of 50 a month (priority 2) the dry traces cannot meet; returns its path."""
    import pandas as pd

    months = pd.date_range("2000-10-01", periods=24, freq="MS")
    pd.DataFrame({"date": months.strftime("%Y-%m-%d"), **columns}).to_csv(tmp_path / "inflow.csv", index=False)
    path = tmp_path / "m.yaml"
    path.write_text("""version: 1
name: dry-years
time: {start: 2000-10, end: 2002-09, step: month}
nodes:
  - {id: up, type: inflow, inflow: {csv: inflow.csv, columns: "*", unit: hm3}}
  - {id: farm, type: demand, demand: 20, priority: 1, consumptive_fraction: 1.0}
  - {id: ef, type: flow_requirement, at: lake, flow: 50, priority: 2}
  - {id: lake, type: sink}
edges: [[up, farm], [up, lake]]
""")
    return path
