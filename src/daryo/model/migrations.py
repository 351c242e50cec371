"""Model-file schema versions and the migration from each older one to the current one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CURRENT_VERSION", "migrate"]

CURRENT_VERSION = 1

# version N -> function turning a version-N document into a version-(N+1) document
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring a parsed model document to :data:`CURRENT_VERSION`; raise ``ValueError`` if impossible."""
    version = doc.get("version")
    if version is None:
        if "changes" in doc and "nodes" not in doc:  # (an overlay given where a model goes)
            raise ValueError("missing 'version': this is a scenario overlay (title and changes), not a model; apply "
                             "it to a model with --scenario (in Python daryo.load(model, scenarios=[...]))")
        raise ValueError(f"missing 'version'; this daryo reads model files of version {CURRENT_VERSION}")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"'{version}' is not a schema version (a whole number, currently {CURRENT_VERSION})")
    if version > CURRENT_VERSION:
        raise ValueError(f"version {version} is newer than this daryo reads ({CURRENT_VERSION}); upgrade daryo")
    while version < CURRENT_VERSION:
        doc = _MIGRATIONS[version](doc)
        version += 1
        doc["version"] = version
    return doc
