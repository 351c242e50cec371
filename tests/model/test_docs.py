from pathlib import Path

from daryo.model.docs import BEGIN, END, component_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "model-format.md"


def test_model_format_reference_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    generated = text[text.index(BEGIN): text.index(END) + len(END)]
    assert generated == component_reference(), "run: python -m daryo.model.docs docs/model-format.md"


def test_the_reference_of_a_demands_priority_says_how_the_engine_shares_a_shortage(tmp_path):
    """A MODSIM user's review: the demand's `priority` in the reference said equal priorities "share a shortage in
    proportion to their demands (each gets the same fraction)", but the allocation is max–min fair, as *Allocation
    semantics* says: a demand held back by its own limit gets less, and the others share the rest::

        src (50) -> j -> canal (capacity 10) -> a (40)
                      '-> b (45)

    a gets 10 (a quarter), b the other 40 (8/9), not the same fraction (5/17 each: 11.8 and 13.2)."""
    import numpy as np

    import daryo

    path = tmp_path / "m.yaml"
    path.write_text("""\
version: 1
time: {start: 2001-01, end: 2001-01}
nodes:
  - {id: src, type: inflow, inflow: 50}
  - {id: j, type: junction}
  - {id: canal, type: canal, capacity: 10}
  - {id: a, type: demand, demand: 40}
  - {id: b, type: demand, demand: 45}
edges: [[src, j], [j, canal], [canal, a], [j, b]]
""")
    delivery = daryo.run(daryo.load(path)).dataset.delivery
    np.testing.assert_allclose(delivery.sel(demand=["a", "b"]).values.ravel(), [10.0, 40.0], atol=1e-6)
    demand = component_reference().split("### `demand`")[1].split("###")[0]
    (line,) = [row for row in demand.splitlines() if row.startswith("| `priority`")]
    assert "in proportion" not in line
    assert ("demands of one priority share a shortage max–min fairly: each gets the same fraction of its demand, "
            "except one held back by its own limit (a canal's capacity, a source of its own), which gets less while "
            "the others share the rest") in line
