from pathlib import Path

import pytest

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


def test_the_generator_has_a_help_and_says_what_is_wrong_with_a_file(tmp_path, monkeypatch, capsys):
    """A technical editor's review: ``python -m daryo.model.docs --help`` took ``--help`` for the file to rewrite
    and printed a traceback.  It prints its usage; a missing file, a folder, a file without the generated section
    or not in UTF-8 is one line on stderr naming the file and what is wrong, exit 1; a copy of the page is
    rewritten, exit 0."""
    from daryo.model.docs import main

    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m daryo.model.docs [-h] [file]") and "docs/model-format.md" in out
    (tmp_path / "notes.md").write_text("# notes\n", encoding="utf-8")
    (tmp_path / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "ends_first.md").write_text(f"{END}\n{BEGIN}\n", encoding="utf-8")
    copy = "(give docs/model-format.md, or a copy of it)"
    for name, problem in [
            ("missing.md", "no such file (run from the repository root, or give the path of docs/model-format.md)"),
            (".", "a folder, not a file (give the path of docs/model-format.md)"),
            ("notes.md", f"no generated section to rewrite: the file has no {BEGIN} {copy}"),
            ("ends_first.md", f"no generated section to rewrite: the file has no {END} after {BEGIN} {copy}"),
            ("latin1.md", "not a UTF-8 text file (byte 3: unexpected end of data)")]:
        assert main([str(tmp_path / name)]) == 1
        captured = capsys.readouterr()
        assert captured.err == f"python -m daryo.model.docs: error: {tmp_path / name}: {problem}\n"
        assert captured.out == ""
    page = tmp_path / "model-format.md"
    page.write_text(DOC.read_text(encoding="utf-8").replace("### `demand`", "### `demands`"), encoding="utf-8")
    assert main([str(page)]) == 0 and capsys.readouterr().out == f"{page}: updated\n"
    assert page.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # (the default is the repository's page, from its root)
    assert main([]) == 1 and "docs/model-format.md: no such file" in capsys.readouterr().err


def test_the_complete_model_of_the_format_page_is_its_example_file_and_runs(tmp_path):
    """A hydro-informatics lecturer's review: the page's opening example was a fragment (a `...` line, a node named
    and not there, a CSV file not given), which a lab could not start from.  The page opens with a whole model, the
    file docs/examples/lab-basin.yaml, which loads with no caution and runs: with inflows above every demand in every
    month (90 m3/s in April against 35 m3/s of demands), each demand gets all it asks (the town's 5 m3/s is
    5 × 86,400 × 31 / 1e6 = 13.392 hm³ in October), and the rest reaches the lake."""
    import daryo
    from daryo.model.cautions import cautions

    example = DOC.parent / "examples" / "lab-basin.yaml"
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## A complete model to start from")
    block = text[text.index("```yaml\n", start) + len("```yaml\n"):text.index("```\n", text.index("```yaml\n", start))]
    assert block == example.read_text(encoding="utf-8")
    model = daryo.load(example)
    assert cautions(model) == []
    ds = daryo.run(model).dataset
    assert float(abs(ds.deficit).max()) < 1e-6
    assert float(ds.delivery.sel(demand="town").values[0, 0]) == pytest.approx(13.392)
    assert float(ds.sink_inflow.sum()) > 0 and float(abs(ds.mass_balance_error).max()) < 1e-6
