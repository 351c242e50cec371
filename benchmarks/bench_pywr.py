"""daryo and Pywr side by side on the bench's Syr-Darya-like problem, each on one core, in one invocation.

    python benchmarks/bench_pywr.py                   # 20 scenarios × 100 years (quick)
    python benchmarks/bench_pywr.py --scenarios 1000  # the issue's figure (Pywr alone takes ~35 s)

Steps:

1. ``pywr_syrdarya_like.py -n N -y Y --pywr-json DIR --no-run`` writes the problem as a Pywr JSON model;
2. Pywr runs it the bench's fastest way (``run_pywr_json.py``, glpk-edge, costs and bounds fixed once);
3. daryo runs the identical file (read by ``daryo.load``, its Pywr importer; ``--converter``: by the independent
   bench converter in ``pywr_bench_model.py``) on the fast path, recording what Pywr records (total delivered
   water, final volumes);
4. both run in child processes pinned to the same core with single-threaded BLAS; the script prints load and
   run times, scenario-years per second, the ratio, each side's peak memory, and checks daryo's checksum
   against Pywr's (1e-6 relative).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_BENCH = HERE.parents[1] / "shared" / "bench"
PYWR_ARGS = '{"set_fixed_costs_once": true, "set_fixed_flows_once": true}'
SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", "--scenarios", type=int, default=20)
    p.add_argument("-y", "--years", type=int, default=100)
    p.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH, help="folder of pywr_syrdarya_like.py")
    p.add_argument("--workdir", type=Path, help="where to write the model (default: a temporary folder)")
    p.add_argument("--cpu", type=int, default=0, help="the core both engines are pinned to")
    p.add_argument("--skip-pywr", action="store_true", help="run daryo only")
    p.add_argument("--converter", action="store_true", help="read the model with the bench converter, not daryo.load")
    p.add_argument("--daryo-child", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.daryo_child:
        print("RESULT " + json.dumps(run_daryo(a.daryo_child, a.converter)))
        return 0
    for script in ("pywr_syrdarya_like.py",) + (() if a.skip_pywr else ("run_pywr_json.py",)):
        if not (a.bench_dir / script).is_file():
            p.error(f"--bench-dir {a.bench_dir}: no {script} there; give the folder of the bench problem "
                    "(../shared/bench beside the repository)")
    if a.cpu not in os.sched_getaffinity(0):
        p.error(f"--cpu {a.cpu}: not a core this process may use ({sorted(os.sched_getaffinity(0))})")
    with tempfile.TemporaryDirectory() as tmp:
        work = a.workdir or Path(tmp)
        model = export(a.bench_dir, a.scenarios, a.years, work / f"syrdarya_n{a.scenarios}_y{a.years}")
        print(f"problem: {model} ({a.scenarios} scenarios × {a.years} years, monthly); machine: {machine()}")
        pywr_cmd = [sys.executable, "-c", _PYWR_WRAPPER, str(a.bench_dir / "run_pywr_json.py"), str(model),
                    "--solver", "glpk-edge", "--solver-args", PYWR_ARGS]
        pywr = None if a.skip_pywr else child(pywr_cmd, a.cpu)
        extra = ["--converter"] if a.converter else []
        ours = child([sys.executable, __file__, "--daryo-child", str(model), *extra], a.cpu)
    report(pywr, ours, a.scenarios, a.years)
    return 0 if pywr is None or _agree(pywr, ours) else 1


def export(bench: Path, n: int, years: int, out: Path) -> Path:
    if not (out / "model.json").exists():
        subprocess.run([sys.executable, str(bench / "pywr_syrdarya_like.py"), "-n", str(n), "-y", str(years),
                        "--pywr-json", str(out), "--no-run"], check=True, stdout=subprocess.DEVNULL)
    return out / "model.json"


def child(cmd: list[str], cpu: int) -> dict:
    env = {**os.environ, **SINGLE_THREAD, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                          preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"failed: {' '.join(cmd[:3])} …")
    out = {}
    for line in proc.stdout.splitlines():
        if line.startswith("SUMMARY "):
            out.update(json.loads(line[8:]))
        elif line.startswith("RESULT "):
            out.update(json.loads(line[7:]))
        elif line.startswith("MAXRSS "):
            out["peak_mb"] = int(line.split()[1]) / 1024
    return out


_PYWR_WRAPPER = """
import resource, runpy, sys
script = sys.argv[1]
sys.argv = sys.argv[1:]
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit:
    pass
print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run_daryo(path: Path, converter: bool) -> dict:
    """Load, compile and run the bench model on the fast path; the checksum Pywr computes."""
    import resource

    import numpy as np

    sys.path.insert(0, str(HERE))
    from pywr_bench_model import load_bench_model

    from daryo.network import compile_network
    from daryo.simulate.fastpath import FastStepper

    t0 = time.perf_counter()
    model, how = load_bench_model(path, prefer_importer=not converter)
    t1 = time.perf_counter()
    net = compile_network(model)
    spec = model.metadata.get("checksum") or json.loads(path.read_text())["metadata"]["checksum"]
    storages = [net.node_col[net.node_ids.index(n)] for n in spec["final_volume_nodes"]]
    recorded = [net.node_col[net.node_ids.index(r.removeprefix("total_"))] for r in spec["total_flow_recorders"]]
    stepper = FastStepper(net, columns=np.array(recorded, dtype=np.int64))
    t2 = time.perf_counter()
    total = np.zeros((net.n_scenarios, len(recorded)))

    def record(rec):
        total.__iadd__(rec.x)

    final = stepper.run(record)
    t3 = time.perf_counter()
    res = [int(np.flatnonzero(net.res_col == c)[0]) for c in storages]
    fs, dt = float(final[:, res].sum()), float(total.sum())
    years = net.n_scenarios * net.axis.n_steps / 12
    return {"engine": "daryo", "how": how, "load_s": t1 - t0, "setup_s": t2 - t1, "run_s": t3 - t2,
            "scen_years_per_s": years / (t3 - t2), "final_storage_sum": fs, "delivered_total": dt,
            "checksum": fs + dt, "fast_path": stepper.stats.summary(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def machine() -> str:
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        cpu = "unknown CPU"
    return f"{cpu}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"


def report(pywr: dict | None, ours: dict, n: int, years: int) -> None:
    rows = [("daryo", ours)] + ([("Pywr glpk-edge", pywr)] if pywr else [])
    print(f"{'engine':<16}{'load s':>9}{'setup s':>9}{'run s':>9}{'scen-yr/s':>12}{'peak MB':>9}  checksum")
    for name, r in rows:
        print(f"{name:<16}{r.get('load_s', r.get('median_load_s', float('nan'))):9.2f}"
              f"{r.get('setup_s', r.get('median_setup_s', 0)):9.2f}"
              f"{r.get('run_s', r.get('median_run_s', float('nan'))):9.2f}"
              f"{r.get('scen_years_per_s', r.get('median_scen_years_per_s', float('nan'))):12,.0f}"
              f"{r.get('peak_mb', float('nan')):9.0f}  {r.get('checksum', r.get('checksums', {}).get('checksum')):.4f}")
    print(f"daryo read the model with: {ours['how']}")
    print(f"daryo fast path: {ours['fast_path']}")
    if pywr:
        pr = pywr.get("median_run_s", pywr.get("run_s"))
        print(f"ratio (Pywr run time / daryo run time): {pr / ours['run_s']:.1f}x  "
              f"(target 50x; daryo {ours['scen_years_per_s']:,.0f} scenario-years/s, target 140,000)")
        print(f"checksums agree to 1e-6 relative: {_agree(pywr, ours)} "
              f"(relative difference {_rel(pywr, ours):.2e})")


def _rel(pywr: dict, ours: dict) -> float:
    ref = pywr.get("checksums", {}).get("checksum", pywr.get("checksum"))
    return abs(ours["checksum"] - ref) / abs(ref)


def _agree(pywr: dict, ours: dict) -> bool:
    return _rel(pywr, ours) <= 1e-6


if __name__ == "__main__":
    raise SystemExit(main())
