"""Model definition: component tables, file loading, validation."""

from .components import COMPONENT_TYPES, Attribute, ComponentType
from .loader import load_model, model_from_dict
from .series import LevelTable, Series
from .types import Edge, Model, Node, TimeSpec

__all__ = ["COMPONENT_TYPES", "Attribute", "ComponentType", "load_model", "model_from_dict", "LevelTable",
           "Series", "Edge", "Model", "Node", "TimeSpec"]
