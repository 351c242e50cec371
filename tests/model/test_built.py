"""A model built or changed in Python is checked before it runs: its problems say what a value there must be."""

from dataclasses import replace

import pytest

import daryo
from daryo.errors import ModelError


def _with_toktogul(model: daryo.Model, **attrs: object) -> daryo.Model:
    return replace(model, nodes=tuple(replace(n, attrs={**n.attrs, **attrs}) if n.id == "toktogul" else n
                                      for n in model.nodes))


def test_text_with_a_unit_in_code_is_refused_with_the_canonical_unit():
    """A sweep review: ``replace(node, attrs={..., "initial_volume": "12 km3"})`` was refused as "the text '12
    km3', not a number", without saying that values in Python are numbers in canonical units (hm³ ...)."""
    model = daryo.load(None, years=1)
    canonical = ("attribute values given in Python are numbers in daryo's canonical units (hm³, hm³ per step, MW, "
                 "GWh, ...), to which a model file's text with units is converted when it is read; ")
    with pytest.raises(ModelError) as refused:
        daryo.run(_with_toktogul(model, initial_volume="12 km3"))
    assert (f"nodes[toktogul].initial_volume: is the text '12 km3', not a number, a series or a parameter: "
            f"{canonical}initial_volume is in hm³ ('12 km3' is 12000 hm³)") in str(refused.value)
    with pytest.raises(ModelError) as refused:
        daryo.run(_with_toktogul(model, initial_volume="a lot"))
    assert f"is the text 'a lot', not a number, a series or a parameter: {canonical}initial_volume is in hm³\n" \
        in str(refused.value) + "\n"
