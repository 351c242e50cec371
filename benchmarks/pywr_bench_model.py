"""The bench's Pywr JSON document as a daryo ``allocation: cost`` model, without daryo's Pywr importer.

Only the subset that ``pywr_syrdarya_like.py --pywr-json`` writes is understood: ``input`` nodes whose
min/max flow is one ``dataframe`` parameter (a CSV with a ``date`` column and one column per scenario),
``storage`` nodes with constant volumes and cost, ``link`` nodes with cost and constant ``max_flow``,
``output`` nodes with cost and a ``monthlyprofile`` (or no) ``max_flow``.  Pywr's flows are rates in
Mm³/day (= hm³/day); daryo's columns are hm³ per step, which scales every step's objective by the step's
days and leaves its optimum unchanged.

When daryo's own Pywr importer is available, ``load_bench_model`` uses it (``daryo.load``) and this
converter only as a fallback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from daryo.model import Model, model_from_dict

__all__ = ["bench_document", "load_bench_model"]


def bench_document(path: str | Path) -> dict[str, Any]:
    """A daryo model document equivalent to the bench's Pywr JSON ``path``."""
    path = Path(path)
    doc = json.loads(path.read_text())
    params = doc.get("parameters", {})

    def series(ref: Any) -> Any:
        if ref is None:
            return None
        if isinstance(ref, int | float):
            return {"value": float(ref), "unit": "hm3/day"}
        p = params[ref]
        if p["type"] == "monthlyprofile":
            return {"monthly": list(p["values"]), "unit": "hm3/day"}
        if p["type"] == "dataframe":
            return {"csv": p["url"], "unit": "hm3/day"}
        raise ValueError(f"parameter {ref}: type {p['type']} is not handled by this converter")

    nodes = []
    for n in doc["nodes"]:
        name, kind, cost = n["name"], n["type"], float(n.get("cost", 0.0))
        if kind == "input":
            nodes.append({"id": name, "type": "inflow", "inflow": series(n["max_flow"])})
        elif kind == "storage":
            nodes.append({"id": name, "type": "reservoir", "max_volume": n["max_volume"],
                          "min_volume": n.get("min_volume", 0.0), "initial_volume": n["initial_volume"],
                          "cost": cost})
        elif kind == "link":
            node = {"id": name, "type": "reach", "cost": cost}
            if n.get("max_flow") is not None:
                node["max_flow"] = series(n["max_flow"])
            nodes.append(node)
        elif kind == "output":
            if n.get("max_flow") is None:
                nodes.append({"id": name, "type": "sink", "cost": cost})
            else:
                nodes.append({"id": name, "type": "demand", "demand": series(n["max_flow"]), "cost": cost})
        else:
            raise ValueError(f"node {name}: type {kind} is not handled by this converter")
    ts = doc["timestepper"]
    return {"version": 1, "name": doc.get("metadata", {}).get("title", path.stem), "allocation": "cost",
            "time": {"start": ts["start"][:7], "end": ts["end"][:7], "step": "month"},
            "nodes": nodes, "edges": [list(e) for e in doc["edges"]],
            "metadata": {"checksum": doc.get("metadata", {}).get("checksum", {})}}


def load_bench_model(path: str | Path, prefer_importer: bool = True) -> tuple[Model, str]:
    """The bench model and how it was read: with ``daryo.load`` (its Pywr importer), or with this module's
    independent converter (``prefer_importer=False``, a cross-check of the importer)."""
    path = Path(path)
    if prefer_importer:
        import daryo

        return daryo.load(path), "daryo.load (Pywr importer)"
    return model_from_dict(bench_document(path), base_dir=path.parent, file=str(path), path=path), \
        "bench converter (benchmarks/pywr_bench_model.py)"
