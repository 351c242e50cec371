"""The shared benchmark problem (a Syr-Darya-like network written by Pywr's own exporter as a Pywr v1 JSON
model, 10 scenarios × 100 years of monthly steps) runs in daryo from that file and reproduces Pywr's reference
checksum: the sum over scenarios of the final volumes of the listed storage nodes plus the totals (Mm³) of the
listed total-flow recorders."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import daryo

BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "bench" / "syrdarya_like_pywr_n10_y100"
REFERENCE = 24874983.2800  # Pywr 1.31, glpk-edge (bench README)

pytestmark = pytest.mark.skipif(not (BENCH / "model.json").is_file(),
                                reason=f"the shared benchmark folder is not beside the repository ({BENCH})")


def checksum(ds, rule: dict, recorders: dict) -> float:
    total = float(ds.storage.isel(time=-1).sel(reservoir=rule["final_volume_nodes"]).sum())
    for name in rule["total_flow_recorders"]:
        total += float(ds.node_flow.sel(node=recorders[name]["node"]).sum())  # hm³ per step = Pywr's flow × days
    return total


def test_bench_model_matches_pywr_checksum():
    doc = json.loads((BENCH / "model.json").read_text())
    model = daryo.load(BENCH / "model.json")
    assert model.n_scenarios == 10 and model.time.axis().n_steps == 1200
    ds = daryo.run(model).dataset
    assert float(np.abs(ds.mass_balance_error).max()) < 1e-6
    got = checksum(ds, doc["metadata"]["checksum"], doc["recorders"])
    assert got == pytest.approx(REFERENCE, rel=1e-6)
