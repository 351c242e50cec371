"""Generate the component reference of ``docs/model-format.md`` from the component tables.

    python -m daryo.model.docs docs/model-format.md   # rewrites the generated section in place
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..parameters import PARAMETER_TYPES
from ..units import CANONICAL_UNITS
from .components import COMMON_ATTRIBUTES, COMPONENT_TYPES, CONSTRAINT_TYPES, EDGE_ATTRIBUTES, Attribute

__all__ = ["component_reference", "update_file", "main", "BEGIN", "END"]

BEGIN = "<!-- BEGIN GENERATED: python -m daryo.model.docs docs/model-format.md -->"
END = "<!-- END GENERATED -->"


def _rows(attrs: tuple[Attribute, ...]) -> list[str]:
    out = ["| attribute | kind | unit | default | description |", "|---|---|---|---|---|"]
    for a in attrs:
        default = "**required**" if a.required else ("–" if a.default is None else f"`{a.default}`")
        kind = a.kind + (f" ({', '.join(a.choices)})" if a.choices else "")
        quantity = a.kind not in ("text", "node", "int", "choice")
        unit = CANONICAL_UNITS.get(a.dimension or "", a.dimension or "") if quantity else ""
        fixed = " Fixed before the run: no state-dependent parameter." if a.fixed else ""
        out.append(f"| `{a.name}` | {kind} | {unit} | {default} | {a.description}{fixed} |")
    return out


def component_reference() -> str:
    """Markdown tables of every component type, the attributes all nodes share, and edges."""
    lines = [BEGIN, "", "### Attributes of every node", ""] + _rows(COMMON_ATTRIBUTES)
    for t in COMPONENT_TYPES.values():
        lines += ["", f"### `{t.name}`", "", t.description, ""]
        lines += _rows(t.attributes) if t.attributes else ["(no attributes beyond the common ones)"]
    lines += ["", "### Edges", "", "`[from, to]` or a mapping with `from`, `to` and:", ""] + _rows(EDGE_ATTRIBUTES)
    for t in CONSTRAINT_TYPES.values():
        lines += ["", f"### Constraint `{t.name}`", "", t.description, ""] + _rows(t.attributes)
    lines += ["", "### Parameter types", "", "| type | fields (**required**) | description |", "|---|---|---|"]
    for p in PARAMETER_TYPES.values():
        fields = ", ".join(f"**`{f.name}`**" if f.required else f"`{f.name}`" for f in p.fields)
        lines.append(f"| `{p.name}` | {fields} | {p.description} |")
    return "\n".join(lines + ["", END])


def update_file(path: Path) -> bool:
    """Replace the generated section of ``path``; return True if the file changed.

    Raises
    ------
    ValueError
        If ``path`` has no generated section: no line ``BEGIN``, or no ``END`` after it.
    OSError
        If ``path`` cannot be read or written.
    """
    text = path.read_text(encoding="utf-8")
    start = text.find(BEGIN)
    end = text.find(END, start) if start >= 0 else -1
    if end < 0:
        missing = BEGIN if start < 0 else f"{END} after {BEGIN}"
        raise ValueError(f"{path}: no generated section to rewrite: the file has no {missing} "
                         "(give docs/model-format.md, or a copy of it)")
    new = text[:start] + component_reference() + text[end + len(END):]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def _problem(path: Path, error: Exception) -> str:
    """What is wrong with ``path``, in plain words, for the command's error line."""
    if isinstance(error, FileNotFoundError):
        return f"{path}: no such file (run from the repository root, or give the path of docs/model-format.md)"
    if isinstance(error, IsADirectoryError):
        return f"{path}: a folder, not a file (give the path of docs/model-format.md)"
    if isinstance(error, UnicodeDecodeError):
        return f"{path}: not a UTF-8 text file (byte {error.start}: {error.reason})"
    if isinstance(error, OSError):
        return f"{path}: {error.strerror or error}"
    return str(error)


def main(argv: list[str] | None = None) -> int:
    """``python -m daryo.model.docs [FILE]``: rewrite the component reference of FILE (``docs/model-format.md``
    by default); 1, with a message on stderr that names the file and what is wrong, where it cannot."""
    parser = argparse.ArgumentParser(
        prog="python -m daryo.model.docs",
        description="Rewrite the component reference of docs/model-format.md (the section between its BEGIN "
                    "GENERATED and END GENERATED comments) from daryo's component tables.")
    parser.add_argument("file", nargs="?", type=Path, default=Path("docs/model-format.md"),
                        help="the Markdown file to rewrite (default: docs/model-format.md, from the repository root)")
    path = parser.parse_args(argv).file
    try:
        changed = update_file(path)
    except (OSError, ValueError) as e:  # (a UnicodeDecodeError is a ValueError)
        print(f"python -m daryo.model.docs: error: {_problem(path, e)}", file=sys.stderr)
        return 1
    print(f"{path}: updated" if changed else f"{path}: up to date")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
