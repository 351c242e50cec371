"""Write a converted Pywr model as a daryo model file, YAML or JSON (``daryo convert``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .._files import atomic_write
from ..errors import ModelError
from ..model.datafiles import DataFiles
from ..model.documents import YamlDumper, read_document
from ..model.loader import model_from_dict
from ..network import compile_network
from .convert import CONVERTED_FROM, convert_pywr_document

__all__ = ["write_daryo_model", "check_output", "output_format", "OUTPUT_FORMATS"]

#: The file formats ``daryo convert`` writes, by the output's suffix (the loader reads both)
OUTPUT_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def output_format(output: str | Path) -> str:
    """The format of the daryo model file ``output``: ``"yaml"`` (``.yaml``, ``.yml``) or ``"json"`` (``.json``).

    Raises
    ------
    ValueError
        If the suffix is none of those (the message names the file and the suffixes to use).
    """
    fmt = OUTPUT_FORMATS.get(Path(output).suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot write a daryo model to {output}: give the output file a .yaml, .yml or .json "
                         "suffix (the format written)")
    return fmt


def check_output(output: str | Path) -> None:
    """Refuse an output whose writing would replace anything but an earlier conversion: a folder, or an
    existing file that is not a model ``daryo convert`` wrote (a hand-written model, anyone's other files).

    Raises
    ------
    IsADirectoryError, FileExistsError
        If the output exists and is not an earlier conversion.
    """
    out = Path(output)
    if out.is_dir():
        raise IsADirectoryError(f"cannot write the daryo model to {out}: it is a folder; give a file name")
    if out.exists() and not _is_conversion(out):
        raise FileExistsError(f"{out} exists and is not a model converted by daryo convert; it is not replaced: "
                              "give another output name or move it away")


def _is_conversion(path: Path) -> bool:
    try:
        doc = read_document(path, lines=False)
    except (ModelError, OSError, UnicodeError):
        return False
    meta = doc.get("metadata") if isinstance(doc, Mapping) else None
    return isinstance(meta, Mapping) and meta.get("converted_from") == CONVERTED_FROM


def write_daryo_model(source: str | Path, output: str | Path, *, confine: bool = False) -> Path:
    """Convert the Pywr JSON model ``source`` and write it to ``output``, as YAML or JSON by its suffix.

    CSV file names are rewritten relative to the output's folder, so the file runs from where it is written.
    The converted model is checked as ``daryo validate`` checks the Pywr file (loaded, then its network and
    series compiled over the run's steps: a value that is too large or a division by 0 found only there)
    before anything is written; it is written under a temporary name, then moved into place, so a failure
    leaves an earlier file as it was.  With ``confine``, its data files (CSV data, includes) are read only from
    ``source``'s folder or below it, symbolic links followed (:mod:`daryo.model.datafiles`: a model from others),
    as ``daryo.load(source, confine=True)`` reads them.

    Raises
    ------
    ValueError
        If ``output`` has no ``.yaml``, ``.yml`` or ``.json`` suffix (see :func:`output_format`).
    IsADirectoryError, FileExistsError
        If ``output`` exists and is not an earlier conversion (see :func:`check_output`).
    daryo.ModelError
        If the Pywr model cannot be converted or the result does not load.
    """
    src, out = Path(source), Path(output)
    fmt = output_format(out)
    check_output(out)
    files = DataFiles(src.parent, confine)
    doc = convert_pywr_document(read_document(src), src, data_files=files)
    model = model_from_dict(doc, base_dir=src.parent, file=str(src), path=src,  # raises with every problem
                            data_files=files)
    compile_network(model)  # (what only the run's steps show: `daryo validate` would refuse the file written)
    rel = _relocate(src.parent.resolve(), out.resolve().parent)
    for p in (doc.get("parameters") or {}).values():
        if isinstance(p, dict) and isinstance(p.get("csv"), str):
            p["csv"] = rel(p["csv"])
    text = _json_text(doc) if fmt == "json" else _yaml_text(doc, src)
    atomic_write(out, lambda f: f.write(text.encode("utf-8")))
    return out


def _json_text(doc: Mapping[str, Any]) -> str:
    """The document as JSON (no comments in JSON: its ``version`` key tells the loader it is a daryo model)."""
    return json.dumps(_plain(doc), indent=2, ensure_ascii=False) + "\n"


def _yaml_text(doc: Mapping[str, Any], src: Path) -> str:
    """The document as YAML, after a comment naming the Pywr source and the units."""
    header = (f"# daryo model converted from the Pywr model {src.name} (daryo convert).\n"
              "# Flows are Pywr's rates (hm3/day, multiplied by each step's days); volumes hm3; costs as in Pywr.\n")
    return header + yaml.dump(_plain(doc), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


class _Dumper(YamlDumper):
    """Block style for the document's structure, flow style for short leaves (number lists, edges, units)."""


def _is_leaf(v: Any) -> bool:
    if isinstance(v, list):
        return all(isinstance(x, str | int | float | bool) or x is None for x in v)
    return isinstance(v, dict) and len(v) <= 3 and all(isinstance(x, str | int | float) for x in v.values())


_Dumper.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=_is_leaf(v)))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(),
                                                               flow_style=_is_leaf(v)))


def _relocate(src_dir: Path, out_dir: Path):  # type: ignore[no-untyped-def]
    def rel(name: str) -> str:
        p = Path(name)
        if p.is_absolute():
            return name
        return Path(os.path.relpath(src_dir / p, out_dir)).as_posix()

    return rel


def _plain(v: Any) -> Any:
    """Plain Python containers for YAML (no tags)."""
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v
