"""Run one Pywr v1 JSON model in Pywr itself and in daryo, and compare them step by step.

Pywr runs with its GLPK edge solver (``glpk-edge``); a recorder is attached to every node of the document
(volumes for storages, flows for the rest).  daryo loads the same file with ``daryo.load``, which converts
it.  Flows are compared per day (daryo's are per step), volumes as they are.
"""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import numpy as np

import daryo

RTOL = 1e-6


def write_model(folder: Path, doc: dict, files: dict[str, str] | None = None, name: str = "model.json") -> Path:
    """Write ``doc`` and its data files into ``folder``; return the model path."""
    folder.mkdir(parents=True, exist_ok=True)
    for fname, text in (files or {}).items():
        (folder / fname).parent.mkdir(parents=True, exist_ok=True)
        (folder / fname).write_text(text)
    path = folder / name
    path.write_text(json.dumps(doc, indent=1))
    return path


def _document(path: Path) -> dict:
    """The Pywr document with its includes merged by Pywr itself (its nodes are the ones compared)."""
    from pywr.model import Model

    doc = json.loads(path.read_text())
    Model._load_includes(doc, str(path))
    return doc


def run_pywr(path: Path) -> dict[str, np.ndarray]:
    """Per node of the document: flows (T, S) per day, or volumes (T, S) for storages."""
    from pywr.model import Model
    from pywr.nodes import AggregatedNode, Storage
    from pywr.recorders import NumpyArrayNodeRecorder, NumpyArrayStorageRecorder

    doc = _document(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Model.load(str(path), solver="glpk-edge")
        recorders = {}
        for n in doc["nodes"]:
            node = model.nodes[n["name"]]
            if isinstance(node, AggregatedNode):
                continue
            cls = NumpyArrayStorageRecorder if isinstance(node, Storage) else NumpyArrayNodeRecorder
            recorders[n["name"]] = cls(model, node, name=f"__rec {n['name']}")
        model.run()
    return {name: np.asarray(r.data) for name, r in recorders.items()}


def run_daryo(path: Path, doc: dict | None = None) -> dict[str, np.ndarray]:
    """The same quantities from daryo (``doc``: the node list to report, default the file's)."""
    doc = doc or _document(path)
    ds = daryo.run(daryo.load(path)).dataset
    days = ds["days"].values[:, None]
    out = {}
    for n in doc["nodes"]:
        name, kind = n["name"], n["type"].lower()
        if kind == "aggregatednode":
            continue
        if kind in ("storage", "reservoir"):
            out[name] = ds.storage.sel(reservoir=name).transpose("time", "scenario").values
        else:
            out[name] = ds.node_flow.sel(node=name).transpose("time", "scenario").values / days
    # water is conserved, but for what a rate-carrying delay (Pywr's DelayNode) gains or loses when the step it
    # releases in is longer or shorter than the step the water entered in
    gained = np.zeros(ds.mass_balance_error.shape)
    model = daryo.load(path)
    for d in (ds["delay"].values.tolist() if "delay" in ds.coords else []):
        k = int(model.node(d).get("steps"))
        left = ds.node_flow.sel(node=d).transpose("scenario", "time").values
        entered = ds.delay_inflow.sel(delay=d).transpose("scenario", "time").values
        gained[:, k:] += left[:, k:] - entered[:, :-k]
    err = ds.mass_balance_error.transpose("scenario", "time").values
    assert float(np.abs(err + gained).max()) < 1e-6 * max(1.0, float(np.abs(ds.node_flow).max()))
    return out


def assert_same_as_pywr(path: Path, rtol: float = RTOL) -> dict[str, np.ndarray]:
    """Node flows and storage volumes agree with Pywr to ``rtol`` at every step and scenario."""
    theirs, ours = run_pywr(path), run_daryo(path)
    assert set(theirs) == set(ours)
    for name, ref in theirs.items():
        scale = max(1.0, float(np.abs(ref).max()))
        np.testing.assert_allclose(ours[name], ref, rtol=rtol, atol=rtol * scale,
                                   err_msg=f"{path.parent.name}: node {name}")
    return theirs


def pywr_doc(nodes: list, edges: list, parameters: dict | None = None, *, start: str = "2001-01-01",
             end: str = "2001-12-31", timestep: object = "M", scenarios: list | None = None, **extra: object
             ) -> dict:
    """A Pywr v1 document (a deep copy of the pieces given)."""
    doc = {"metadata": {"title": "conformance", "minimum_version": "1.31"},
           "timestepper": {"start": start, "end": end, "timestep": timestep},
           "nodes": copy.deepcopy(nodes), "edges": copy.deepcopy(edges), "parameters": copy.deepcopy(parameters or {})}
    if scenarios:
        doc["scenarios"] = scenarios
    doc.update(copy.deepcopy(extra))
    return doc
