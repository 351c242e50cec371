"""A model's read-only parts: its elements' attributes refuse a change in place and say how to make one."""

import pytest

import daryo
from daryo.model.frozen import FrozenAttrs


def test_a_change_of_attrs_in_place_says_to_make_a_new_model():
    """A sweep review: ``node.attrs["initial_volume"] = ...`` gave Python's bare "'FrozenAttrs' object does not
    support item assignment", with no word of the dataclasses.replace route that the metadata's refusal gives."""
    attrs = daryo.load(None, years=1).node("toktogul").attrs
    way = (r"a model's attributes are read-only .*: a change in place would change every model made from it, "
           r"unchecked; make a new node and model with it, dataclasses\.replace\(node, attrs=\{\*\*node\.attrs, "
           r"'initial_volume': value\}\) and dataclasses\.replace\(model, nodes=\.\.\.\), which daryo\.run checks "
           r"\(values in Python are numbers in daryo's canonical units: hm³, hm³ per step, MW, GWh, \.\.\.\)")
    with pytest.raises(TypeError, match=way):
        attrs["initial_volume"] = 12000.0  # type: ignore[index]
    with pytest.raises(TypeError, match=way):
        del attrs["initial_volume"]  # type: ignore[attr-defined]
    for change in (lambda: attrs.update(x=1), lambda: attrs.pop("x"), lambda: attrs.setdefault("x", 1),
                   attrs.clear, attrs.popitem):
        with pytest.raises(TypeError, match="a model's attributes are read-only"):
            change()
    assert FrozenAttrs({"a": 1}) == {"a": 1} and attrs["initial_volume"] != 12000.0
