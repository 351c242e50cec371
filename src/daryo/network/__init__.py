"""Compile a validated model into arrays: the LP structure and per-step parameter tables."""

from .compile import CompiledNetwork, compile_network

__all__ = ["CompiledNetwork", "compile_network"]
