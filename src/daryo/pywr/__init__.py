"""Read Pywr v1 JSON models: convert them to daryo model documents that give Pywr's results.

``daryo.load("model.json")`` recognises a Pywr document and converts it in memory;
``daryo convert model.json -o model.yaml`` writes the daryo model file.  See ``docs/pywr.md``.
"""

from .convert import FLOW_UNIT, IGNORED_RECORDERS, SUPPORTED_NODES, convert_pywr_document
from .parameters import SUPPORTED_PARAMETERS
from .write import write_daryo_model

__all__ = ["convert_pywr_document", "write_daryo_model", "SUPPORTED_NODES", "SUPPORTED_PARAMETERS",
           "IGNORED_RECORDERS", "FLOW_UNIT"]
