from pathlib import Path

from daryo.model.docs import BEGIN, END, component_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "model-format.md"


def test_model_format_reference_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    generated = text[text.index(BEGIN): text.index(END) + len(END)]
    assert generated == component_reference(), "run: python -m daryo.model.docs docs/model-format.md"
