"""Read-only parts of a model: the mapping of an element's attributes and the arrays a model holds.

A loaded model is shared: by every run of it, and by every model made from it with :func:`dataclasses.replace`
(which copies no attribute's value).  An attribute changed in place (``series.values *= 1.2`` in a sensitivity
loop) would change them all, unchecked, and compound from run to run; so a model's attributes are a
:class:`FrozenAttrs` and its arrays read-only, and such a change raises instead (a ``TypeError`` for the mapping,
NumPy's "assignment destination is read-only" for an array).  A value is changed by making a new model:
``dataclasses.replace(node, attrs={**node.attrs, "efficiency": 0.6})``, which :func:`daryo.run` checks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from .series import Series

__all__ = ["FrozenAttrs", "freeze_arrays"]


def freeze_arrays(value: Any) -> Any:
    """``value`` with every NumPy array in it read-only, at any depth: each replaced by a read-only view of it, so
    that an array the caller keeps (an ensemble's traces, a series' values given in Python) stays theirs to
    change.  Lists, tuples and dicts are copied with their arrays' views (the caller's containers are left as they
    are: a diff review); the arrays of series, level tables and other dataclasses are replaced in them.  Plain
    numbers, text and pandas objects are left as they are."""
    return _frozen(value, set())


def _frozen(v: Any, seen: set[int]) -> Any:
    """:func:`freeze_arrays` of ``v``, the dataclasses already frozen in ``seen``."""
    if isinstance(v, np.ndarray):
        return _read_only(v)
    if isinstance(v, str | int | float | bool | type(None)):
        return v
    if type(v) is Series:  # (most of a model's arrays: its one array, quickly; a loaded Aral model has ~400)
        object.__setattr__(v, "values", _read_only(v.values))
    elif type(v) in (list, tuple):
        return type(v)(_frozen(x, seen) for x in v)
    elif type(v) is dict:
        return {k: _frozen(x, seen) for k, x in v.items()}
    elif dataclasses.is_dataclass(v) and not isinstance(v, type) and id(v) not in seen:
        seen.add(id(v))
        for f in dataclasses.fields(v):
            x = getattr(v, f.name)
            frozen = _frozen(x, seen)
            if frozen is not x:
                object.__setattr__(v, f.name, frozen)  # (a frozen dataclass: the same values, read-only)
    return v


def _read_only(a: np.ndarray) -> np.ndarray:
    """``a`` itself if it is read-only, else a read-only view of it."""
    if not a.flags.writeable:
        return a
    view = a.view()
    view.flags.writeable = False
    return view


class FrozenAttrs(Mapping[str, Any]):
    """A read-only mapping (the attributes of a node, edge or constraint, a model's parameters) whose arrays are
    read-only too (:func:`freeze_arrays`).

    It reads as a ``dict`` does (``attrs["demand"]``, ``attrs.get``, ``dict(attrs)``, ``{**attrs, "efficiency":
    0.6}``) and equals a dict of the same items, but has no way to change it: ``attrs["x"] = 1`` raises a
    ``TypeError``.  A copy is itself; pickled, it is made again, read-only (a worker process's model as well).
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        seen: set[int] = set()  # (one copy of the mapping: _frozen copies each list, tuple and dict it holds)
        self._items: dict[str, Any] = {k: _frozen(v, seen) for k, v in (items or {}).items()}

    @classmethod
    def of(cls, items: Mapping[str, Any]) -> FrozenAttrs:
        """``items`` as a :class:`FrozenAttrs` (itself, if it is one)."""
        return items if isinstance(items, FrozenAttrs) else cls(items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenAttrs):
            return self._items == other._items
        return self._items == other if isinstance(other, dict) else Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]  # (as a dict's: its values may be unhashable)

    def __repr__(self) -> str:
        return repr(self._items)

    def __reduce__(self) -> tuple[type[FrozenAttrs], tuple[dict[str, Any]]]:
        return FrozenAttrs, (self._items,)

    def __copy__(self) -> FrozenAttrs:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenAttrs:
        return self
