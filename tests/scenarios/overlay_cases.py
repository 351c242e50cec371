"""Small models and overlays the scenario tests share."""

from __future__ import annotations

import daryo
from daryo.model import model_from_dict
from daryo.scenarios import apply_scenarios

#: the Aral Sea basin model's library of overlays
LIBRARY = {"icwc", "soviet-protocol", "energy-mode", "irrigation-mode", "rogun-absent", "rogun-stage1", "rogun-full",
           "qosh-tepa-4.5", "qosh-tepa-10", "drought-2000-2001", "drought-2008", "drought-2021", "drought-multiyear",
           "climate-2050", "climate-2050-peak"}


def find_node(doc, nid):
    """The node ``nid`` of a model document."""
    return next(n for n in doc["nodes"] if n["id"] == nid)


def rate_model(tmp_path, changes, time=None, inflow=None):
    """A one-inflow model (Oct 2003 - Sep 2005: February 2004 has 29 days, February 2005 28) and one overlay."""
    doc = {"version": 1, "name": "t", "time": time or {"start": "2003-10", "end": "2005-09", "step": "month"},
           "nodes": [{"id": "in", "type": "inflow",
                      "inflow": inflow or {"monthly": [100.0 + m for m in range(12)], "unit": "m3/s"}},
                     {"id": "sea", "type": "sink"}],
           "edges": [["in", "sea"]]}
    overlay = tmp_path / "ov.yaml"
    overlay.write_text(f"title: t\nchanges:\n{changes}")
    model = model_from_dict(apply_scenarios(doc, [str(overlay)]))
    axis = model.time.axis()
    return model.node("in").attrs["inflow"].resolve(axis)[0], axis


def small_doc(demand="20 m3/s"):
    return {"version": 1, "name": "s", "time": {"start": "2000-10", "end": "2001-09"},
            "nodes": [{"id": "src", "type": "inflow", "inflow": {"monthly": [50.0] * 12, "unit": "hm3"}},
                      {"id": "town", "type": "demand", "demand": demand}],
            "edges": [["src", "town"]]}


VALUES = "{values: [" + ", ".join(str(v) for v in range(1, 25)) + "]}"


SMALL = ("version: 1\ntime: {start: 2000-10, end: 2002-09}\nnodes:\n"
         "  - {id: up, type: inflow, inflow: " + VALUES + "}\n  - {id: riv, type: junction}\n"
         "  - {id: farm, type: demand, demand: 5}\n  - {id: sea, type: sink}\n"
         "edges: [[up, riv], [riv, farm], [riv, sea]]\n")


def overlaid_farm(tmp_path, changes: str, parameters: str = ""):
    """A river, a farm and the sea for 2000 (m.yaml, with ``parameters``), loaded with an overlay of ``changes``
    (o.yaml); the model and the overlay's path."""
    (tmp_path / "m.yaml").write_text(
        "version: 1\nname: m\ntime: {start: 2000-01, end: 2000-12, step: month}\n" + parameters +
        "nodes:\n  - {id: river, type: inflow, inflow: 10}\n  - {id: farm, type: demand, demand: 3}\n"
        "  - {id: sea, type: sink}\nedges: [[river, farm], [river, sea]]\n")
    overlay = tmp_path / "o.yaml"
    overlay.write_text(f"changes:\n{changes}\n")
    return daryo.load(tmp_path / "m.yaml", scenarios=[str(overlay)]), overlay


def two_demands_doc():
    """A source, two demands (a town of category municipal, a farm that gives none: irrigation, the default) and
    an edge with a maximum flow."""
    return {"version": 1, "name": "s", "time": {"start": "2000-10", "end": "2001-09"},
            "nodes": [{"id": "src", "type": "inflow", "inflow": 50},
                      {"id": "town", "type": "demand", "demand": 10, "category": "municipal"},
                      {"id": "farm", "type": "demand", "demand": {"monthly": [4.0] * 12, "scale": 2.0}}],
            "edges": [{"from": "src", "to": "town", "max_flow": 8}, ["src", "farm"]]}


def write_overlay(tmp_path, change):
    path = tmp_path / "o.yaml"
    path.write_text(f"title: o\nchanges:\n  - {change}\n")
    return str(path)


def shifted_inflow(tmp_path, change, time, inflow):
    doc = {"version": 1, "name": "t", "time": time, "nodes": [{"id": "in", "type": "inflow", "inflow": inflow},
                                                              {"id": "sea", "type": "sink"}], "edges": [["in", "sea"]]}
    model = model_from_dict(apply_scenarios(doc, [write_overlay(tmp_path, change)]))
    return model.node("in").attrs["inflow"].resolve(model.time.axis())[0]
