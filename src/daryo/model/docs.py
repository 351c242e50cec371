"""Generate the component reference of ``docs/model-format.md`` from the component tables.

    python -m daryo.model.docs docs/model-format.md   # rewrites the generated section in place
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..parameters import PARAMETER_TYPES
from ..units import CANONICAL_UNITS
from .components import COMMON_ATTRIBUTES, COMPONENT_TYPES, CONSTRAINT_TYPES, EDGE_ATTRIBUTES, Attribute

__all__ = ["component_reference", "update_file", "BEGIN", "END"]

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
    """Replace the generated section of ``path``; return True if the file changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + component_reference() + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover
    changed = update_file(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/model-format.md"))
    print("updated" if changed else "up to date")
