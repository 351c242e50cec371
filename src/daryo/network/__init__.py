"""Compile a validated model into arrays: the LP structure and per-step parameter tables."""

from .compile import compile_network
from .compiled import CompiledNetwork

__all__ = ["CompiledNetwork", "compile_network"]
