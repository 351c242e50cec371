"""Read-only parts of a model: the mapping of an element's attributes, its metadata and the arrays a model holds.

A loaded model is shared: by every run of it, and by every model made from it with :func:`dataclasses.replace`
(which copies no attribute's value).  An attribute changed in place (``series.values *= 1.2`` in a sensitivity
loop) would change them all, unchecked, and compound from run to run; so a model's attributes are a
:class:`FrozenAttrs` and its arrays read-only, and such a change raises instead (a ``TypeError`` for the mapping,
NumPy's "assignment destination is read-only" for an array).  A value is changed by making a new model:
``dataclasses.replace(node, attrs={**node.attrs, "efficiency": 0.6})``, which :func:`daryo.run` checks.

A model's ``metadata`` (free-form: caveats, the river systems of the water stress, the overlays applied) is read-only
at any depth (:func:`frozen_data`): its mappings a :class:`FrozenDict`, its lists a :class:`FrozenList`.  They are a
``dict`` and a ``list`` that refuse a change (a ``TypeError``), not mappings of their own as attributes are, so that
what reads metadata as a file's data reads it as before: ``isinstance(v, list)``, ``== ["a caveat"]``,
``json.dumps``, and YAML's dumpers (``yaml.safe_dump``, ``yaml.dump``), which are told here to write them as a
mapping and a list (PyYAML finds a representer by the exact type).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NoReturn

import numpy as np
import yaml

from .series import Series

__all__ = ["FrozenAttrs", "FrozenDict", "FrozenList", "freeze_arrays", "frozen_data"]


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

    def __setitem__(self, key: str, value: Any) -> NoReturn:
        # (a sweep review: Python's own "'FrozenAttrs' object does not support item assignment" gave no way on)
        _refuse_attrs_change(f"{key!r}", "value")

    def __delitem__(self, key: str) -> NoReturn:
        _refuse_attrs_change(f"{key!r}", "value")

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_attrs_change("'KEY'", "value")

    pop = popitem = setdefault = clear = update

    def __repr__(self) -> str:
        return repr(self._items)

    def __reduce__(self) -> tuple[type[FrozenAttrs], tuple[dict[str, Any]]]:
        return FrozenAttrs, (self._items,)

    def __copy__(self) -> FrozenAttrs:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenAttrs:
        return self


def _refuse_attrs_change(key: str, value: str) -> NoReturn:
    """Refuse a change of a :class:`FrozenAttrs` in place (a ``TypeError`` that says how to change it)."""
    raise TypeError(f"a model's attributes are read-only (a node's, edge's or constraint's attrs, its parameters): a "
                    "change in place would change every model made from it, unchecked; make a new node and model "
                    f"with it, dataclasses.replace(node, attrs={{**node.attrs, {key}: {value}}}) and "
                    "dataclasses.replace(model, nodes=...), which daryo.run checks (values in Python are numbers in "
                    "daryo's canonical units: hm³, hm³ per step, MW, GWh, ...)")


def frozen_data(value: Any) -> Any:
    """``value`` (free-form data: a model's ``metadata``) read-only at any depth: each mapping a :class:`FrozenDict`,
    each list a :class:`FrozenList`, each tuple's and set's items so (a set a ``frozenset``), and arrays read-only
    as :func:`freeze_arrays` makes them.  The caller's containers and arrays are left as they are (the frozen ones
    are copies, and views of the arrays); a value already frozen is returned as it is."""
    if isinstance(value, FrozenDict | FrozenList | str | int | float | bool | type(None)):
        return value
    if isinstance(value, Mapping):
        return FrozenDict(value)
    if isinstance(value, list):
        return FrozenList(value)
    if type(value) is tuple:
        return tuple(frozen_data(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(frozen_data(v) for v in value)
    return _frozen(value, set())


def _refused(what: str) -> Callable[..., NoReturn]:
    """A method of a dict or a list that would change it, refused (a ``TypeError`` that says how to change it)."""
    def refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"a model's metadata is read-only, each {what} in it too: a change in place would change "
                        "every model made from it, unchecked; make a new model with other metadata, "
                        "dataclasses.replace(model, metadata={**model.metadata, 'caveats': [...]})")
    return refuse


class FrozenDict(dict):  # type: ignore[type-arg]
    """A ``dict`` that cannot be changed (``d[k] = v``, ``del``, ``update``, ``|=``, ... raise a ``TypeError``), its
    values read-only too (:func:`frozen_data`): a mapping of a model's metadata.  It reads, compares, copies
    (``dict(d)``, ``{**d, "k": v}``, ``d.copy()``) and dumps (JSON, YAML) as a dict; :func:`copy.deepcopy` gives
    plain data to change (dicts and lists at every depth), of which to make new metadata; pickled, it is made
    again, read-only."""

    __slots__ = ()

    def __init__(self, items: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = ()) -> None:
        super().__init__((k, frozen_data(v)) for k, v in dict(items).items())

    __setitem__ = __delitem__ = __ior__ = _refused("mapping")
    clear = pop = popitem = setdefault = update = _refused("mapping")

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[Any, Any]]]:
        return FrozenDict, (dict(self),)

    def __copy__(self) -> dict[Any, Any]:  # (as d.copy(): a plain dict of the same items)
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:  # (plain data to change: new metadata is made
        # of it; an overlay recorded in metadata is read again from such a copy)
        out: dict[Any, Any] = {}
        memo[id(self)] = out
        out.update((copy.deepcopy(k, memo), copy.deepcopy(v, memo)) for k, v in self.items())
        return out


class FrozenList(list):  # type: ignore[type-arg]
    """A ``list`` that cannot be changed (``append``, ``extend``, ``l[i] = v``, ``+=``, ``sort``, ... raise a
    ``TypeError``), its items read-only too (:func:`frozen_data`): a list of a model's metadata.  It reads, compares
    (``== ["a caveat"]``), copies (``list(l)``, ``l + [x]``, ``l.copy()``: a plain list) and dumps (JSON, YAML) as a
    list; :func:`copy.deepcopy` gives plain data to change, as a :class:`FrozenDict`'s; pickled, it is made again,
    read-only."""

    __slots__ = ()

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(frozen_data(v) for v in items)

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refused("list")
    append = extend = insert = pop = remove = clear = sort = reverse = _refused("list")

    def __reduce__(self) -> tuple[type[FrozenList], tuple[list[Any]]]:
        return FrozenList, (list(self),)

    def __copy__(self) -> list[Any]:  # (as l.copy(): a plain list of the same items)
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:  # (plain data to change, as a FrozenDict's)
        out: list[Any] = []
        memo[id(self)] = out
        out.extend(copy.deepcopy(v, memo) for v in self)
        return out


def _dumped_as_plain_data() -> None:
    """Tell YAML's dumpers (``yaml.safe_dump``, ``yaml.dump``, their C-accelerated ones and daryo's own, which share
    these two tables) to write a :class:`FrozenDict` as a mapping and a :class:`FrozenList` as a list, as they wrote
    the plain dict and list a model's metadata was: they find a representer by the exact type, and refused these.
    Done once, as this module is imported: it adds these two types and changes nothing else's writing."""
    for representer in (yaml.representer.SafeRepresenter, yaml.representer.Representer):
        representer.add_representer(FrozenDict, representer.represent_dict)
        representer.add_representer(FrozenList, representer.represent_list)


_dumped_as_plain_data()
