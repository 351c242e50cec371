"""What a run's results were made from, as their attributes record it: daryo's and the other packages' versions,
the model file and its data files, the scenario overlays applied, the hydrology and the model's caveats."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Mapping
from pathlib import Path

from .._files import overlay_label, printable_path
from ..model import Model
from ..model.datafiles import data_files_text


def caveats(model: Model) -> dict[str, str]:
    """The model's ``metadata.caveats`` as a results attribute, ``caveats``: one per line (none if it has none), so
    that a results file carries what its reader must know of the model.  Those of a model changed in Python after
    it was loaded (:attr:`Model.changed_in_code <daryo.model.Model.changed_in_code>`) are the loaded model's, which
    the change may have made untrue: a last line says so (a rolling-horizon review: a model whose reservoirs'
    initial volumes were replaced kept a caveat naming the volumes it was loaded with)."""
    found = [str(c) for c in model.metadata.get("caveats") or []]
    if found and model.changed_in_code:
        found.append(f"The caveats above are those of the model as loaded from {model.path or 'its text'}; it was "
                     "changed in Python since (dataclasses.replace), and what they say of what was changed (its "
                     "initial volumes, say) may not hold.")
    return {"caveats": "\n".join(found)} if found else {}


def water_stress_notes(model: Model) -> dict[str, str]:
    """What a reader of the results' water stress (SDG 6.4.2) must know of the model's inflows, as attributes, so
    that results read back tell it without the model (``daryo summary RESULTS.nc``): ``water_stress_not_known``,
    why it is not known where an inflow supplies what the allocation takes
    (:func:`daryo.sdg.unknown_renewable_water`), and ``water_stress_note``, how such inflows beside rivers are
    counted (:func:`daryo.sdg.drawn_supply_note`); each "" where it does not apply (so that results of a daryo that
    did not record them are told apart: :func:`daryo.results.tables.stress_notes`)."""
    from ..sdg import drawn_supply_note, unknown_renewable_water

    return {"water_stress_not_known": unknown_renewable_water(model), "water_stress_note": drawn_supply_note(model)}


def provenance(model: Model) -> dict[str, str]:
    """What a run's results were made from, as attributes: daryo's version and build (:func:`daryo_build`: the
    version is the same for every commit), the model file, the scenario overlays
    applied to it, its hydrology (the embedded model's kind, traces and seed) and, where the model names them, its
    basins (``metadata.basins`` as JSON, which names the river systems of the water stress of the results read
    back: :func:`daryo.sdg.water_stress`).  ``data_files`` lists the data files the model read, a line
    ``SHA256  PATH`` for each, the path as the model file writes it (:func:`~daryo.model.datafiles.data_files_text`:
    ``sha256sum -c`` in the model's folder checks them).  A model read from a file and then changed in Python
    (:attr:`Model.changed_in_code <daryo.model.Model.changed_in_code>`) is recorded with ``model_changed_in_code``
    ``yes`` and no ``model_sha256``: the file's digest is not the model's.  (The results also record
    ``network_sha256``, a digest of everything the run computed from: the model's data files, overlays and
    hydrology as they were read, which the model file's digest does not cover.)"""
    from .. import __version__

    hydrology, basins = model.metadata.get("hydrology"), model.metadata.get("basins")
    changed = model.changed_in_code  # (its file's digest is not the model's: compare blamed the data files)
    return {"daryo": __version__, "build": daryo_build(), "model_file": recorded_model_file(model),
            "model_sha256": "" if changed else model.file_sha256,
            **({"model_changed_in_code": "yes"} if changed else {}),
            "data_files": data_files_text(model.data_files),
            "scenarios": applied_overlays(model),
            "overlay_files": data_files_text(overlay_digests(model)),
            "hydrology": hydrology_text(hydrology) if isinstance(hydrology, Mapping) else "",
            "software": software_versions(),
            **({"basins": json.dumps({str(k): [str(n) for n in v] for k, v in basins.items()},
                                    ensure_ascii=False)}
               if isinstance(basins, Mapping) and all(isinstance(v, list) for v in basins.values()) else {})}


#: the keys of ``metadata.hydrology`` that say where inflows came from, not what the hydrology is
_SOURCE_KEYS = ("inflow_csv", "inflow_csv_nodes", "other_inflows", "overlay_inflows", "kept_inflows")


def hydrology_text(hydrology: Mapping[str, object]) -> str:
    """The embedded model's hydrology (its ``metadata.hydrology``) as results record it (``hydrology``): ``kind norm,
    traces 1, seed 0``; for a model given its own series (``inflow_csv``), ``kind own series: FILE``, and, where the
    file names only some inflows, which, and the model's hydrology that the others keep (a climate-services review:
    a run of a CSV of projections was labelled ``kind norm``).  Where scenario overlays gave some inflows series of
    their own (``set`` of a node's ``inflow``: ``overlay_inflows``), which inflows keep the hydrology, and which
    each overlay set, to the series of which of its files (a seasonal forecaster's review: a run of a forecast's
    CSV files, every inflow set by an overlay, was labelled ``kind norm``): ``kind norm, traces 1, seed 0 for
    naryn_in, ...; vakhsh_in set by the overlay /abs/fcst.yaml to series of its file /abs/fc/vakhsh_in.csv``."""
    own = {k: v for k, v in hydrology.items() if k not in _SOURCE_KEYS}
    overlaid = hydrology.get("overlay_inflows")
    if isinstance(overlaid, Mapping) and overlaid:
        return _overlaid_text(hydrology, overlaid, own)
    if "inflow_csv" not in hydrology:
        return ", ".join(f"{k} {v}" for k, v in own.items())
    label = f"kind own series: {hydrology['inflow_csv']}"
    others, named = hydrology.get("other_inflows") or [], hydrology.get("inflow_csv_nodes") or []
    if not (isinstance(others, list) and others and isinstance(named, list)):
        return label
    return f"{label} for {', '.join(map(str, named))}; the other {len(others)} inflows {_kept_text(own)}"


def _kept_text(own: Mapping[str, object]) -> str:
    """The hydrology that inflows not given own series keep, as :func:`hydrology_text` says it: its kind (and a
    stochastic one's traces and seed)."""
    return ", ".join(f"{k} {v}" for k, v in own.items() if k == "kind" or own.get("kind") == "stochastic")


def _overlaid_text(hydrology: Mapping[str, object], overlaid: Mapping[object, object],
                   own: Mapping[str, object]) -> str:
    """:func:`hydrology_text` of a model some of whose hydrology's inflows overlays set (``overlaid``: each node's
    ``{overlay, csv}``): the inflows that keep the hydrology (or the ``inflow_csv``), then each overlay's."""
    listed = {k: [str(n) for n in v] if isinstance(v := hydrology.get(k), list) else []
              for k in ("kept_inflows", "inflow_csv_nodes")}
    kept = listed["kept_inflows"]
    named = ", ".join(f"{k} {v}" for k, v in own.items())
    parts = []
    if "inflow_csv" in hydrology:
        csv_nodes = set(listed["inflow_csv_nodes"])
        mine, others = [n for n in kept if n in csv_nodes], [n for n in kept if n not in csv_nodes]
        parts += [f"kind own series: {hydrology['inflow_csv']} for {', '.join(mine)}"] if mine else []
        parts += [f"{_kept_text(own)} for {', '.join(others)}"] if others else []
        named += f", or its own series {hydrology['inflow_csv']}"
    elif kept:
        parts.append(f"{named} for {', '.join(kept)}")
    by_overlay: dict[str, dict[str, str]] = {}  # overlay -> each node it set -> its CSV file ("": none)
    for nid, source in overlaid.items():
        given = source if isinstance(source, Mapping) else {}
        by_overlay.setdefault(str(given.get("overlay", "")), {})[str(nid)] = str(given.get("csv") or "")
    for label, nodes in by_overlay.items():
        who = "every inflow" if not kept and len(by_overlay) == 1 else ", ".join(nodes)
        parts.append(f"{who} set by the overlay {label} to {_overlay_series(nodes)}")
    return "; ".join(parts + ([] if kept else [f"none keeps the model's hydrology, {named}"]))


def _overlay_series(nodes: Mapping[str, str]) -> str:
    """What an overlay set inflows ``nodes`` (each node's CSV file, "" for none) to: ``series of its files A, B``,
    ``values given in it``, or both, naming the inflows given values."""
    files = list(dict.fromkeys(f for f in nodes.values() if f))
    given = [nid for nid, f in nodes.items() if not f]
    of_files = f"series of its file{'s' if len(files) > 1 else ''} {', '.join(files)}"
    if not given:
        return of_files
    return f"{of_files} and values given in it ({', '.join(given)})" if files else "values given in it"


def solver_method(requested: str, fallback: str | None) -> dict[str, str]:
    """The path that solved a run's LPs, as attributes: ``solver_method``, ``fast`` or ``plain``, and
    ``solver_method_choice``, the method asked for (:class:`~daryo.simulate.RunOptions`' ``method``) and what it
    chose: ``auto: the fast path``, or ``auto: the plain path, the fast path not taking <fallback>`` where it does not
    apply (``fallback``: :func:`~daryo.simulate.fastpath.fast_path_unsupported`'s reason).  Where costs tie (``cost``
    mode) the two paths may return different optima, so results of one network (one ``network_sha256``) may differ
    by the path alone (a numerical analyst's review: nothing said which path had run)."""
    if requested == "plain":
        return {"solver_method": "plain", "solver_method_choice": "plain: the plain path, as asked"}
    if fallback:
        return {"solver_method": "plain",
                "solver_method_choice": f"{requested}: the plain path, the fast path not taking {fallback}"}
    return {"solver_method": "fast", "solver_method_choice": f"{requested}: the fast path"}


def recorded_model_file(model: Model) -> str:
    """The model file as results record it: a file shipped with daryo by its place in the package
    (``daryo/data/aral/aral.yaml``, the same on every machine, with no user's folder in a file that is shared), any
    other by its full path, as it was when the model was read (:attr:`~daryo.model.Model.resolved_path`: the
    current folder may have changed since); "" for a model made in Python."""
    if not model.path:
        return ""
    path, package = Path(model.resolved_path or model.path).resolve(), Path(__file__).resolve().parents[1]
    return f"daryo/{path.relative_to(package).as_posix()}" if path.is_relative_to(package) else printable_path(path)


def applied_overlays(model: Model) -> str:
    """The scenario overlays applied to ``model``, in order, as results record them: a library overlay by its
    name, an overlay file by its full path (as it was found when it was applied), separated by commas."""
    return ", ".join(overlay_labels(model))


def overlay_labels(model: Model) -> list[str]:
    """The scenario overlays applied to ``model``, in order, each as :func:`applied_overlays` names it."""
    names, files = _overlays_of(model)
    return [overlay_label(name, file) for name, file in zip(names, files, strict=True)]


def overlay_digests(model: Model) -> tuple[tuple[str, str], ...]:
    """The overlay files applied to ``model`` and their SHA-256 digests as applied, (path, digest) each, as
    results record them (``overlay_files``, lines as ``data_files``'s: ``sha256sum -c`` checks them); overlays given
    in Python, and those applied by a daryo that kept no digests, are left out.  (A journal's review: results named
    each overlay by its full path only, so a reader could not check that an archived overlay is the one used.)"""
    _, files = _overlays_of(model)
    digests = model.metadata.get("scenario_sha256")
    digests = [str(d) for d in digests] if isinstance(digests, list | tuple) else []
    digests = [""] * (len(files) - len(digests)) + digests[-len(files):] if files else []
    return tuple((file, digest) for file, digest in zip(files, digests, strict=True) if digest)


def _overlays_of(model: Model) -> tuple[list[str], list[str]]:
    """The overlays applied to ``model``, in order: their names as given, and their files as found when applied
    (an older document's metadata, without the files: the names again)."""
    names, files = ([str(x) for x in v] if isinstance(v := model.metadata.get(k), list | tuple) else []
                    for k in ("scenarios", "scenario_files"))  # (a model file's own metadata may hold anything)
    return names, files if len(files) == len(names) else names


@functools.cache
def software_versions() -> str:
    """The versions of the packages a run's numbers come from, as results and stores record them (``software``).

    Returns
    -------
    str
        ``numpy 2.4.0, scipy ..., highspy ..., numba ..., pandas ..., xarray ...``: those installed (read once a
        process: reading the packages' metadata took ~7 % of a small run).
    """
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("numpy", "scipy", "highspy", "numba", "pandas", "xarray"):
        with contextlib.suppress(PackageNotFoundError):
            found.append(f"{name} {version(name)}")
    return ", ".join(found)


@functools.cache
def daryo_build() -> str:
    """An identity of the daryo build that runs: the first 12 hexadecimal digits of a SHA-256 digest of its
    package's Python source files (their paths within it and their bytes), computed once a process (a few ms).
    The version, 0.1.0, is the same for every commit (a compat review: two builds whose ensembles' parts meant other
    things were told apart by nothing); this tells any two builds apart that differ in their code, without git or a
    network (an installed wheel has no git).  ``unknown`` where the files cannot be read (a zip import)."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    try:
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return "unknown"
    return digest.hexdigest()[:12]
