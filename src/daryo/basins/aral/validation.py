"""The baseline against published figures: the table of the model card (``docs/aral-basin.md``).

Regenerate it with::

    python -m daryo.basins.aral.validation               # model vs published (30 years, norm hydrology)
    python -m daryo.basins.aral.validation scenarios     # every library scenario against the baseline (10 years)
    python -m daryo.basins.aral.validation components    # the component tables of the model card
    python -m daryo.basins.aral.validation card docs/aral-basin.md   # rewrite all three tables in the card
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...api import run
from ...indicators import n_years, winter_share
from ...model import Model
from ...sdg import water_stress
from ...units import is_number
from .indicators import intake_withdrawals, natural_flow
from .model import load_aral_model

__all__ = ["national_withdrawals", "comparison_table", "scenario_table", "component_tables", "to_markdown",
           "update_card", "main"]


def _per_year(ds: xr.Dataset, da: xr.DataArray) -> float:
    return float(da.mean("scenario").sum()) / n_years(ds)


def national_withdrawals(ds: xr.Dataset, model: Model) -> pd.Series:
    """Gross withdrawal (km³/yr) by country: river intakes into demands plus canal heads, each canal's head
    flow split between its demands in proportion to what they receive."""
    types = {n.id: n.type for n in model.nodes}
    country = {n.id: n.country for n in model.nodes}
    flow = ds["edge_flow"]
    out: dict[str, float] = {}
    for e in model.edges:
        if types.get(e.target) != "demand" or types.get(e.source) == "canal":
            continue
        c = country[e.target] or "?"
        out[c] = out.get(c, 0.0) + _per_year(ds, flow.sel(edge=e.id))
    for canal in (n.id for n in model.nodes if n.type == "canal"):
        head = sum(_per_year(ds, flow.sel(edge=e.id)) for e in model.edges if e.target == canal)
        feeds = [e for e in model.edges if e.source == canal]
        got = np.array([_per_year(ds, flow.sel(edge=e.id)) for e in feeds])
        for e, g in zip(feeds, got, strict=True):
            c = country[e.target] or "?"
            out[c] = out.get(c, 0.0) + (head * g / got.sum() if got.sum() > 0 else 0.0)
    return pd.Series(out).sort_index() / 1000.0


def _intakes(ds: xr.Dataset, model: Model, season: str | None = None, river: str = "amu") -> dict[str, float]:
    w = intake_withdrawals(ds, model, river, season=season)
    assert isinstance(w, pd.Series)
    return {str(k): float(v) for k, v in w.to_dict().items()}


def comparison_table(years: int = 30) -> pd.DataFrame:
    """Model (baseline, norm hydrology, ``years`` years) against published values, one row per quantity.

    Its ``basis`` says what a row tests: ``input``, numbers the model is given (the natural flows are the inflows'
    sum; the Amu demands are the ICWC limits, Uzbekistan's its published withdrawals), so the row agrees by
    construction where water suffices; ``fitted``, a parameter set from the published figure (the Amu's channel
    losses); ``target``, a plant's energy against an energy target set from the published figure; ``result``, the
    run's own (a validation review: rows that restated inputs read as tests of the model).  Toktogul's energy is a
    ``result``: the plant runs to a 4.62 TWh/yr target, but makes more once its reservoir has filled (a hydropower
    engineer's review: the row read as the target's agreement with the published range)."""
    model = load_aral_model(years=years)
    ds = run(model).dataset
    nat = natural_flow(model)
    energy = ds["energy"]

    def gwh(plant: str) -> float:
        return _per_year(ds, energy.sel(hydropower=plant))

    amu = _intakes(ds, model)
    amu_ngs = _intakes(ds, model, "winter")
    syr = _intakes(ds, model, river="syr")
    nat_w = national_withdrawals(ds, model)
    storage = ds["storage"].mean("scenario")
    sept = ds["time"].dt.month == 9
    sink = {s: _per_year(ds, ds["sink_inflow"].sel(sink=s)) / 1000 for s in ds["sink"].values}
    evap_amu = sum(_per_year(ds, ds["evaporation"].sel(reservoir=r)) for r in ("nurek", "rogun", "tuyamuyun"))
    loss_edges = ["amu_termez->amu_kerki", "amu_kerki->tuyamuyun", "amu_lower->amu_delta"]
    amu_loss = sum(_per_year(ds, ds["edge_loss"].sel(edge=e)) for e in loss_edges)
    tjk_hydro = _per_year(ds, energy.where(ds["hydropower_country"] == "TJK", 0.0)) / 1000
    icwc = ("TJK", "TKM", "UZB")
    rows: list[tuple[str, float | str, str, str, str, str]] = [
        ("Syr Darya natural flow", nat["syr"], "37.203", "km³/yr", "F4", "input"),
        ("Amu Darya natural flow (modelled rivers)", nat["amu"], "79.28 (all rivers); 70–80 quoted", "km³/yr",
         "F4; D2, D14, D63", "input"),
        ("Aral basin natural flow", nat["total"], "116.48", "km³/yr", "F4", "input"),
        ("Toktogul HPP energy", gwh("toktogul_hpp") / 1000, "4–6 (4.4 design, 1,200 MW)", "TWh/yr", "F17, F18, D25",
         "result"),
        ("Toktogul volume on 1 October", float(storage.sel(reservoir="toktogul").where(sept).mean()) / 1000
         if bool(sept.any()) else float("nan"), "13 (target)", "km³", "F14", "result"),
        ("Nurek HPP energy", gwh("nurek_hpp") / 1000, "11.2 (design)", "TWh/yr", "F19", "target"),
        ("Rogun HPP energy (first stage)", gwh("rogun_hpp") / 1000, "1.22 (2024)", "TWh/yr", "F21", "result"),
        ("Sangtuda-1 HPP energy", gwh("sangtuda1_hpp") / 1000, "2.70–2.73 (2.69 in 2024)", "TWh/yr", "D41, F21",
         "result"),
        ("Sangtuda-2 HPP energy", gwh("sangtuda2_hpp") / 1000, "0.87 (2024)", "TWh/yr", "F21", "result"),
        ("Golovnaya HPP energy", gwh("golovnaya_hpp") / 1000, "0.9", "TWh/yr", "D42", "result"),
        ("Tajikistan hydropower (model plants)", tjk_hydro, "22.4 (all generation, 2024)", "TWh/yr", "F21", "result"),
        # (the plants' capacities are the rehabilitated ones: their energy is compared with the figures after it)
        ("Kairakkum HPP energy", gwh("kairakkum_hpp"), "850 after the 2019–25 rehabilitation (580 before)",
         "GWh/yr", "D36", "result"),
        ("Shardara HPP energy", gwh("chardara_hpp"), "537 after the 2020 upgrade (480 before)", "GWh/yr", "D37",
         "result"),
        ("Tuyamuyun HPP energy", gwh("tuyamuyun_hpp"), "571", "GWh/yr", "D39", "result"),
        ("Amu intakes, Tajikistan", amu["TJK"], "9.8 (limit 2025-26)", "km³/yr", "F41", "input"),
        ("Amu intakes, Turkmenistan", amu["TKM"], "22.0 (limit 2025-26)", "km³/yr", "F41, A4", "input"),
        ("Amu intakes, Uzbekistan", amu["UZB"], "22.0 (limit 2025-26)", "km³/yr", "F41", "input"),
        ("Amu intakes in Oct–Mar, share", 100 * sum(amu_ngs[c] for c in icwc) / sum(amu[c] for c in icwc),
         "28.6", "%", "F41", "input"),
        ("Afghan use of the Amu", amu["AFG"], "≈2", "km³/yr", "F39", "input"),
        ("Syr intakes, ICWC members (KAZ, KGZ, TJK, UZB)", sum(syr.get(c, 0.0) for c in ("KAZ", "KGZ", "TJK", "UZB")),
         "16.1 (limits 2025-26: 11.9 growing season + 4.22 winter), which the model reads as the main stem's "
         "only [ASSUMPTION]",
         "km³/yr", "F40, F42", "result"),
        ("Maktaaral (KAZ) at the Dostyk head",
         _per_year(ds, ds["edge_flow"].sel(edge="dostyk_canal->maktaaral_irr")) / 0.85 / 1000, "1.37 (limits)",
         "km³/yr", "F40, F42", "input"),
        ("Uzbekistan, all withdrawals", nat_w.get("UZB", 0.0), "≈51", "km³/yr", "F30", "input"),
        ("Turkmenistan, all withdrawals", nat_w.get("TKM", 0.0), "27.96 (2004)", "km³/yr", "F28", "result"),
        ("Kazakhstan, all withdrawals (Syr)", nat_w.get("KAZ", 0.0),
         "< 11.8 (the country's irrigation: 98 % of 12, in five southern regions, two outside the Syr basin)", "km³/yr",
         "A8", "result"),
        ("Amu reservoirs, evaporation", evap_amu / 1000, "≈1.4 (with seepage)", "km³/yr", "D24", "result"),
        ("Amu channel losses, Termez to delta", amu_loss / 1000, "6.2 (historical); 7–13 (late 1990s)", "km³/yr",
         "D24", "fitted"),
        ("Flow to the Amu delta and South Aral", sink["south_aral"], "≥ 4.2 (allocation 2025-26)", "km³/yr", "F41",
         "result"),
        ("Flow to the North Aral", sink["north_aral"],
         "≈ 2.5 (2005–24 mean: 46.6 in 19 years), ≈ 1.9 (2017–24 mean: 13.3 in 7); 2.6 (2024), 0.8 (2022)", "km³/yr",
         "A7 (none in the shared fact sheets)", "result"),
    ]
    frame = pd.DataFrame(rows, columns=["quantity", "model", "published", "unit", "source", "basis"])
    frame["model"] = [f"{v:.2f}" if isinstance(v, float) and abs(v) < 100 else f"{v:.0f}" for v in frame["model"]]
    return frame


def to_markdown(frame: pd.DataFrame) -> str:
    """The table as GitHub Markdown."""
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    return head + "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False))


def scenario_table(years: int = 10, names: list[str] | None = None) -> pd.DataFrame:
    """Key results of each library scenario (norm hydrology unless the scenario changes it), ``years`` years."""
    from ...scenarios import list_scenarios

    rows = []
    for name in [""] + (names if names is not None else [n for n, _ in list_scenarios()]):
        model = load_aral_model(scenarios=[name] if name else [], years=years)
        ds = run(model).dataset
        e = ds["energy"]

        def seas(da: xr.DataArray, s: str, ds: xr.Dataset = ds) -> float:
            share = winter_share(ds)  # (a step across 1 April or 1 October: its days' share in each season)
            return _per_year(ds, da * xr.DataArray(share if s == "winter" else 1.0 - share, dims="time"))

        amu = _intakes(ds, model)
        rows.append({
            "scenario": name or "(baseline)",
            "Toktogul GWh winter": seas(e.sel(hydropower="toktogul_hpp"), "winter"),
            "Toktogul GWh summer": seas(e.sel(hydropower="toktogul_hpp"), "summer"),
            "TJK hydro TWh": _per_year(ds, e.where(ds["hydropower_country"] == "TJK", 0.0)) / 1000,
            "deficit km³ winter": seas(ds["deficit"], "winter") / 1000,
            "deficit km³ summer": seas(ds["deficit"], "summer") / 1000,
            "Amu intakes UZB km³": amu["UZB"], "Amu intakes TKM km³": amu["TKM"], "Amu intakes TJK km³": amu["TJK"],
            "North Aral km³": _per_year(ds, ds["sink_inflow"].sel(sink="north_aral")) / 1000,
            "South Aral km³": _per_year(ds, ds["sink_inflow"].sel(sink="south_aral")) / 1000,
            "Arnasay km³": _per_year(ds, ds["sink_inflow"].sel(sink="arnasay")) / 1000,
            **{f"{b.capitalize()} stress %": v for b, v in water_stress(ds, model.metadata["basins"])["stress"].items()
               if b in ("syr", "amu")},
        })
    frame = pd.DataFrame(rows)
    for c in frame.columns[1:]:
        frame[c] = frame[c].map(lambda v, c=c: f"{v:.1f}" if c.endswith("%") else f"{v:.0f}" if abs(v) >= 100
                                else f"{v:.2f}")
    return frame


def _fmt_series(v: object) -> str:
    if isinstance(v, dict) and "monthly" in v and v.get("unit") in ("km3/step", "hm3/month", "hm3/step"):
        total = sum(v["monthly"]) * float(v.get("scale", 1.0))
        return f"{total:g} {'km³' if v['unit'] == 'km3/step' else 'hm³'}/yr in 12 monthly values"
    if is_number(v):
        return f"{v:g} hm³"
    return str(v)


def component_tables() -> str:
    """Markdown tables of every component of ``aral.yaml`` with its data and source."""
    from .model import read_base_document

    doc = read_base_document()
    nodes = doc["nodes"]
    out = []
    spec = {
        "inflow": ("Inflows (natural flow, norm)", ["inflow"]),
        "reservoir": ("Reservoirs", ["max_volume", "min_volume", "initial_volume", "spill_to", "target_priority"]),
        "hydropower": ("Hydropower plants", ["capacity", "head", "reservoir", "tailwater_level", "energy_target",
                                             "energy_priority"]),
        "canal": ("Canals", ["capacity", "loss"]),
        "demand": ("Demands", ["category", "demand", "priority", "consumptive_fraction", "return_to"]),
        "flow_requirement": ("Flow requirements", ["at", "flow", "priority"]),
        "sink": ("Sinks", []),
        "junction": ("Junctions", []),
    }
    for ctype, (title, cols) in spec.items():
        rows = [n for n in nodes if n["type"] == ctype]
        out.append(f"#### {title} ({len(rows)})\n")
        head = ["id", "country", "lat, lon", *cols, "source"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for n in rows:
            cells = [f"`{n['id']}`", n.get("country", ""), f"{n['lat']:.2f}, {n['lon']:.2f}"]
            for c in cols:
                v = n.get(c, "")
                if c == "energy_target" and isinstance(v, dict):
                    v = f"{sum(v['monthly']):g} GWh/yr"
                elif c == "inflow" and isinstance(v, dict):
                    v = f"{v['scale']:g} km³/yr"
                elif c == "demand" and isinstance(v, dict):
                    v = f"{sum(v['monthly']) * v.get('scale', 1):g} km³/yr delivered"
                elif isinstance(v, dict) or (c.endswith("volume") and isinstance(v, int | float)):
                    v = _fmt_series(v)
                cells.append(str(v))
            cells.append(str(n.get("source", "")).replace("|", "/").replace("\n", " "))
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


_MARK = "<!-- BEGIN GENERATED: python -m daryo.basins.aral.validation{arg} -->"
_END = "<!-- END GENERATED -->"


def update_card(path: str | Path) -> None:
    """Rewrite the three generated blocks of the model card (between BEGIN/END GENERATED markers)."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    blocks = {"": lambda: to_markdown(comparison_table(30)), " scenarios": lambda: to_markdown(scenario_table(10)),
              " components": component_tables}
    for arg, make in blocks.items():
        mark = _MARK.format(arg=arg)
        start = text.index(mark) + len(mark)
        end = text.index(_END, start)
        text = text[:start] + "\n" + make().strip() + "\n" + text[end:]
    p.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None, write: Callable[[str], object] = print) -> int:
    """Print a card table, ``python -m daryo.basins.aral.validation [scenarios|components] [YEARS]``, or
    regenerate the card's tables: ``python -m daryo.basins.aral.validation card docs/aral-basin.md``."""
    args = list(sys.argv[1:] if argv is None else argv)
    what = args.pop(0) if args and not args[0].isdigit() else "published"
    if what == "card":
        update_card(args[0] if args else "docs/aral-basin.md")
        return 0
    years = int(args[0]) if args else None
    if what == "scenarios":
        write(to_markdown(scenario_table(years or 10)))
    elif what == "components":
        write(component_tables())
    else:
        write(to_markdown(comparison_table(years or 30)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
