"""A digest of a compiled network: what a simulation computes from, to tell two runs' inputs apart."""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .compiled import CompiledNetwork

__all__ = ["network_digest"]

#: attributes that only say where something was written, for messages (the model file's path as typed, a data
#: file's full path, a place in a file): the same model read from another folder or path has the same digest
_FOR_MESSAGES = frozenset({"file", "path", "model_file", "place", "origin"})


def network_digest(net: CompiledNetwork) -> str:
    """A SHA-256 digest of a compiled network's arrays, tables and bookkeeping (everything a simulation reads but
    the model object and the time axis, which the arrays and the manifest's steps cover)."""
    h = hashlib.sha256()
    seen: set[int] = set()  # objects fed already (a reference back to one is fed as a mark)

    def feed(v: Any) -> None:
        if isinstance(v, (list, tuple, dict)) or is_dataclass(v) or hasattr(v, "__dict__"):
            if id(v) in seen:
                h.update(b"<seen>")
                return
            seen.add(id(v))
        if isinstance(v, np.ndarray):
            h.update(f"a{v.dtype.str}{v.shape}".encode())
            h.update(np.ascontiguousarray(v).tobytes() if v.dtype != object else repr(v.tolist()).encode())
        elif sp.issparse(v):
            c = sp.csc_matrix(v)
            for a in (c.indptr, c.indices, c.data, np.array(c.shape)):
                feed(a)
        elif is_dataclass(v) and not isinstance(v, type):
            h.update(type(v).__name__.encode())
            for f in fields(v):
                if f.name not in ("model", "axis") and f.name not in _FOR_MESSAGES:
                    h.update(f.name.encode())
                    feed(getattr(v, f.name))
        elif isinstance(v, (list, tuple)):
            h.update(f"[{len(v)}".encode())
            for x in v:
                feed(x)
        elif isinstance(v, set | frozenset):
            feed(sorted(v, key=repr))
        elif isinstance(v, dict):
            h.update(f"{{{len(v)}".encode())
            for k in sorted(v, key=repr):
                feed(k)
                feed(v[k])
        elif v is None or isinstance(v, (str, int, float, bool, np.generic)):
            h.update(repr(v).encode())
        elif isinstance(v, (pd.DataFrame, pd.Series, pd.Index)):  # (parameters' data files)
            frame = v.to_frame() if isinstance(v, (pd.Series, pd.Index)) else v
            for a in (frame.to_numpy(), frame.index.to_numpy(), frame.columns.to_numpy()):
                feed(a)
        elif hasattr(v, "__dict__"):  # other objects (parameters' definitions): by their state
            h.update(type(v).__name__.encode())
            feed(dict(sorted((k, x) for k, x in vars(v).items() if k not in _FOR_MESSAGES)))
        else:  # (what has no plain state, a weak reference…: its type only)
            h.update(type(v).__name__.encode())

    feed(net)
    return h.hexdigest()
