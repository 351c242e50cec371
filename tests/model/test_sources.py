"""Where a model's numbers come from: the tags an element's source cites, and their references."""

from daryo.model.sources import cited_references, cited_tags, references_beside


def test_cited_tags_are_read_in_brackets_ranges_written_out_labels_left_out():
    text = "19.5 km3 total [F16-F18]; 13 km3 [F14]; [D7, D20]; [F14]; [EST]; 900 m [ASSUMPTION]; [A2–A3]"
    assert cited_tags(text) == ["F16", "F17", "F18", "F14", "D7", "D20", "A2", "A3"]
    assert cited_tags("no tags") == [] and cited_tags("[F3-D5]") == ["F3", "D5"]  # (no range across letters)
    assert cited_tags("[ICWC2021], [F2]") == ["F2"]  # (a word's end is no tag: it was 'CWC2021', a diff review)


def test_cited_references_take_tags_outside_brackets_only_where_the_sources_have_them(tmp_path):
    sources = {"F16": "OOSKAnews (2014)", "D25": "Wikipedia, Toktogul Dam"}
    assert cited_references("5.5 km3 [F16, F99]; bathymetry from D25, not SSP2 [EST]", sources) == [
        ("F16", "OOSKAnews (2014)"), ("F99", ""), ("D25", "Wikipedia, Toktogul Dam")]


def test_references_beside_a_model_file_are_its_sources_md_lines(tmp_path):
    (tmp_path / "sources.md").write_text("# Sources\n\n- F1. First, 2001. https://a.example\n- D12. Second\n"
                                         "not - F2. a reference\n")
    assert references_beside(tmp_path / "m.yaml") == {"F1": "First, 2001. https://a.example", "D12": "Second"}
    assert references_beside(tmp_path / "none" / "m.yaml") == {} and references_beside(None) == {}
