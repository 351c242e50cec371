"""Overlay files: the library lists and finds them, and their changes' arguments are checked before anything is
applied."""

from __future__ import annotations

import re

import numpy as np
import pytest
from overlay_cases import LIBRARY, small_doc

import daryo
from daryo.api import demo_model_path
from daryo.basins.aral import read_base_document
from daryo.cli import main
from daryo.errors import ModelError
from daryo.scenarios import apply_scenarios, list_scenarios, load_overlay, scenario_groups, transform_inflows


def test_library_lists_every_scenario_with_a_title():
    listed = dict(list_scenarios())
    assert LIBRARY <= set(listed)
    assert list(listed) == sorted(listed)  # by name: climate-2050 before climate-2050-peak (sorted by file name, after)
    assert all(listed[n] for n in LIBRARY)
    groups = scenario_groups()
    assert list(groups) == list(listed)
    assert {n for n, g in groups.items() if g == "drought"} == {n for n in LIBRARY if n.startswith("drought")}
    assert all(groups[n] == load_overlay(n).group for n in listed)


def test_unknown_name_is_refused_with_the_available_names():
    with pytest.raises(ModelError, match="unknown scenario.*qosh-tepa-10"):
        apply_scenarios(read_base_document(), ["qosh-tepa-11"])


def test_malformed_overlay_gives_one_problem_with_file_and_line(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("title: broken\nchanges:\n  - set: {toktogul: {max_volume: 1 km3}\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(read_base_document(), [str(bad)])
    (problem,) = err.value.problems
    assert problem.file == str(bad) and problem.place.startswith("line 4, column ")
    assert str(problem).startswith(f"{bad}: line 4, column ") and "malformed YAML: " in str(problem)
    assert "expected ',' or '}'" in str(problem)  # (libyaml: "did not find expected …"; PyYAML: "expected …")
    assert "\n" not in str(problem)


def test_an_empty_overlay_file_is_refused(tmp_path):
    """An empty file was an overlay changing nothing, taken without a word."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ModelError, match=f"{empty}: the overlay file is empty: give its title and changes"):
        apply_scenarios(read_base_document(), [str(empty)])


def test_overlay_changes_are_plain_data(tmp_path):
    """Mappings of an overlay carry no line numbers, which would name lines of the overlay in the model's
    messages; dates stay strings as in model files."""
    ov = tmp_path / "plain.yaml"
    ov.write_text("title: p\nchanges:\n  - set: {toktogul: {note: 2001-01-01}}\n")
    (change,) = load_overlay(str(ov)).changes
    assert type(change) is dict and type(change["set"]["toktogul"]) is dict
    assert change["set"]["toktogul"]["note"] == "2001-01-01"


@pytest.mark.parametrize("change, place, message", [
    ("set: [town]", "set", "give {node_id"),
    ("set: {town: 5}", "set.town", "give {attribute: value"),
    ("set: {town: {id: city}}", "set.town.id", "the id cannot be changed"),
    ('set_edges: {"src->town": 5}', "set_edges.src->town", "give {attribute: value, ...} (null removes an "
                                                            "attribute), not 5"),
    ("set_edges: {src: {max_flow: 1}}", "set_edges.src", "name the edge as 'from->to'"),
    ('set_edges: {"src->town": {from: town}}', "set_edges.src->town.from", "an edge's ends cannot be changed: "
     "remove the edge (remove_edges) and add another (add_edges)"),
    ("add_nodes: {id: x, type: sink}", "add_nodes", "give a list of nodes"),
    ("add_nodes: [5]", "add_nodes[0]", "a node is a mapping"),
    ("add_nodes: [{type: sink}]", "add_nodes[0]", "a node needs an id"),
    ("add_nodes: [{id: no, type: sink}]", "add_nodes[0]",
     "a node needs an id (text), but YAML read it as the boolean False; put the id in quotes"),
    ("add_nodes: [{id: 7, type: sink}]", "add_nodes[0]",
     "a node needs an id (text), but YAML read it as the number 7; put the id in quotes"),
    ("remove_nodes: 5", "remove_nodes", "give a node id or a list of node ids, not 5"),
    ("remove_nodes: [[town]]", "remove_nodes[0]", "['town'] is not a node id"),
    ("add_edges: 5", "add_edges", "give a list of edges"),
    ("add_edges: [[src]]", "add_edges[0]", "an edge is [from, to]"),
    ("remove_edges: 5", "remove_edges", "give a list of edges, e.g. [[from, to], ...], not 5"),
    ("remove_edges: [5]", "remove_edges[0]", "an edge is [from, to], 'from->to' or {from: ..., to: ...}"),
    ("scale_demands: {factor: lots}", "scale_demands.factor",
     "give a number of 0 or more (or a percentage: 90 %), not 'lots'"),
    ("scale_demands: {factor: '1e3'}", "scale_demands.factor",
     "give a number of 0 or more (or a percentage: 90 %), not '1e3' (text: write the number without quotes)"),
    ("scale_demands: {factor: '1.5'}", "scale_demands.factor",
     "give a number of 0 or more (or a percentage: 90 %), not '1.5' (text: write the number without quotes)"),
    ("scale_demands: {factor: -1}", "scale_demands.factor", "give a number of 0 or more"),
    ("scale_demands: 1.2", "scale_demands", "give a mapping of options"),
    ("scale_demands: {nodes: [town]}", "scale_demands", "give the factor"),
    ("scale_demands: {factor: 1.2, nodes: town}", "scale_demands.nodes", "give a list of node ids"),
    ("scale_demands: {factor: 1.2, nodes: []}", "scale_demands.nodes", "give a list of node ids"),
    # a typo must not scale every demand
    ("scale_demands: {factor: 1.2, node: [town]}", "scale_demands.node", "unknown option; use: factor, months, nodes"),
    ("scale_demands: {factor: 1.2, countries: UZB}", "scale_demands.countries", "give a list of country codes"),
    ("scale_demands: {factor: 1.2, nodes: [town], countries: [UZB]}", "scale_demands", "not both"),
    ("scale_inflows: {factor: [1]}", "scale_inflows.factor", "give a number of 0 or more"),
    ("scale_inflows: {months: [1, 2]}", "scale_inflows.months", "give 12 factors"),
    ("scale_inflows: {factor: 0.9, years: 5}", "scale_inflows.years", "give a list of the run's hydrological years"),
    ("scale_inflows: {nodes: 5, factor: 0.9}", "scale_inflows.nodes", "give a list of node ids"),
    ("scale_inflows: {basin: [amu], factor: 0.9}", "scale_inflows.basin", "give a basin"),
    ("scale_inflows: {basin: amu, nodes: [src], factor: 0.9}", "scale_inflows", "give nodes or basin, not both"),
    ("shift_peak: {months: soon}", "shift_peak.months", "give a number of months from -12 to 12"),
    ("shift_peak: {months: 400}", "shift_peak.months", "give a number of months from -12 to 12"),
    ("shift_peak: [1]", "shift_peak", "give a mapping of options"),
    ("named_years: {first_year: 1}", "named_years", "give the name of a named year"),
    ("named_years: {name: '2021', first_year: 0}", "named_years.first_year", "1 for the first"),
    ("scale_inflows: {factor: 0.5, years: []}", "scale_inflows.years", "give a list of the run's hydrological years"),
    # (a Tashkent ministry analyst's review: a decimal comma was "scale_inflows.8: unknown option", or "not '0,8'"
    # with no word of the comma)
    ("scale_inflows: {factor: 0,8}", "scale_inflows.8", "unknown option; use: nodes, basin, factor, months, years; "
     "a comma inside {...} ends a value there: write decimals with a point (19.5, not 19,5)"),
    ("scale_demands:\n      factor: 0,8", "scale_demands.factor", "give a number of 0 or more (or a percentage: "
     "90 %), not '0,8'; '0,8' has a decimal comma: write decimals with a point ('0.8')"),
    ("scale_inflows: {months: [1, 1, 1, 1, 1, 0,5, 0,5, 0,5, 1, 1, 1, 1]}", "scale_inflows.months", "give 12 factors "
     "of 0 or more, January first, not [1, 1, 1, 1, 1, 0, 5, 0, 5, 0, 5, 1, 1, 1, 1]; a comma inside [...] ends a "
     "value there, so a decimal written with a comma (10,5) reads as two values: write decimals with a point "
     "(10.5)"),
])
def test_bad_change_arguments_are_problems_of_the_overlay(tmp_path, change, place, message):
    """Every change type checks its arguments' types: a problem naming the overlay file and the change, not a
    Python exception from deep inside the change."""
    overlay = tmp_path / "bad.yaml"
    overlay.write_text(f"title: bad\nchanges:\n  - set: {{town: {{priority: 2}}}}\n  - {change}\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(small_doc(), [str(overlay)])
    (problem,) = err.value.problems
    assert problem.file == str(overlay) and problem.place == f"changes[1].{place}"
    assert message in problem.message
    if change.split(":")[0] in ("scale_inflows", "shift_peak", "named_years"):  # the ensemble path checks too
        with pytest.raises(ModelError, match=re.escape(message)):
            transform_inflows({"src": np.ones((1, 12))}, [str(overlay)], "2000-10", {})


def test_a_factor_may_be_a_percentage_as_in_model_files(tmp_path):
    """A review: ``scale_demands: {factor: 90 %}`` was refused, though model files take ``%``."""
    overlay = tmp_path / "pct.yaml"
    overlay.write_text("title: pct\nchanges:\n  - scale_demands: {factor: 90 %}\n"
                       "  - scale_inflows: {months: [100 %, 100 %, 100 %, 100 %, 100 %, 50 %, 1, 1, 1, 1, 1, 1]}\n")
    scale, inflows = load_overlay(str(overlay)).changes
    assert scale == {"scale_demands": {"factor": 0.9}}
    assert inflows == {"scale_inflows": {"months": [1.0] * 5 + [0.5] + [1] * 6}}
    overlay.write_text("title: pct\nchanges:\n  - scale_demands: {factor: -10 %}\n")  # (named as it was written)
    with pytest.raises(ModelError, match=re.escape("give a number of 0 or more (or a percentage: 90 %), not "
                                                   "'-10 %'")):
        load_overlay(str(overlay))


def test_a_factor_in_persian_or_arabic_indic_digits_reads_as_its_ascii_twin(tmp_path):
    """An Afghan water-ministry planner's review: an overlay's factor written in Persian digits with the Arabic
    decimal separator (``'۰٫۹'``, as Excel writes 0.9 in Kabul) was refused as not a number."""
    overlay = tmp_path / "fa.yaml"
    overlay.write_text("title: fa\nchanges:\n  - scale_demands: {factor: '۰٫۹'}\n"
                       "  - scale_inflows: {months: [۱, ١, ۱, '۱', ۱, '۹۰ %', 1, 1, 1, 1, 1, ۰٫۵]}\n", encoding="utf-8")
    scale, inflows = load_overlay(str(overlay)).changes
    assert scale == {"scale_demands": {"factor": 0.9}}
    assert inflows == {"scale_inflows": {"months": [1] * 5 + [0.9] + [1] * 5 + [0.5]}}


def test_a_factor_above_ten_is_refused_as_a_percentage_without_its_sign(tmp_path):
    """A review (a basin organisation's forecast at 85 % of the norm): ``factor: 85`` passed daryo validate, and the
    run failed with an infeasible step that blamed the network."""
    overlay = tmp_path / "pf.yaml"
    overlay.write_text("title: pf\nchanges:\n  - scale_inflows: {factor: 85, years: [1]}\n"
                       "  - scale_demands: {factor: 10}\n"  # (ten times: taken)
                       "  - scale_inflows: {months: [1, 1, 1, 1, 1, 1, 90, 1, 1, 1, 1, 50]}\n")
    with pytest.raises(ModelError) as err:
        load_overlay(str(overlay))
    assert [(p.place, p.message) for p in err.value.problems] == [
        ("changes[0].scale_inflows.factor", "a factor of 85 multiplies by 85: for 85 % write '85 %'; factors above 10 "
                                            "are refused as percentages without their sign (scale in two changes for "
                                            "more)"),
        ("changes[2].scale_inflows.months[6] (July)", "a factor of 90 multiplies by 90: for 90 % write '90 %'; "
                                                      "factors above 10 are refused as percentages without their sign "
                                                      "(scale in two changes for more)"),
        ("changes[2].scale_inflows.months[11] (December)", "a factor of 50 multiplies by 50: for 50 % write '50 %'; "
                                                           "factors above 10 are refused as percentages without their "
                                                           "sign (scale in two changes for more)")]
    overlay.write_text("title: pf\nchanges:\n  - scale_demands: {factor: 1.0e+300}\n")  # (no percentage)
    with pytest.raises(ModelError, match=re.escape("changes[0].scale_demands.factor: a factor of 1e+300 is far beyond "
                                                   "any change of a river or a demand: give one of at most 10")):
        load_overlay(str(overlay))
    overlay.write_text("title: pf\nchanges:\n  - scale_demands: {factor: 1500 %}\n")  # (a diff review: 'for 15 %')
    with pytest.raises(ModelError, match=re.escape("changes[0].scale_demands.factor: 1500 % is a factor of 15, above "
                                                   "10: give at most 1000 %")):
        load_overlay(str(overlay))
    overlay.write_text("title: pf\nchanges:\n  - scale_inflows: {factor: 85 %, years: [1]}\n")
    assert load_overlay(str(overlay)).changes == ({"scale_inflows": {"factor": 0.85, "years": [1]}},)


def test_a_folder_named_as_a_scenario_file_is_said_to_be_one(tmp_path):
    folder = tmp_path / "dry.yaml"
    folder.mkdir()
    with pytest.raises(ModelError) as err:
        load_overlay(str(folder))
    assert [str(p) for p in err.value.problems] == [f"{folder}: is a folder, not a scenario file"]


def test_a_model_given_as_an_overlay_is_named_a_model_and_a_missing_one_where_it_was_looked_for(tmp_path,
                                                                                                monkeypatch):
    """A review (a new basin's modeller): a model given as a scenario was refused with a line per key of the model
    ("version: unknown key…"), and a relative path not found said only "scenario file not found"."""
    model = tmp_path / "basin.yaml"
    model.write_text(demo_model_path().read_text(encoding="utf-8"))
    with pytest.raises(ModelError) as info:
        load_overlay(str(model))
    assert [p.message for p in info.value.problems] == [
        "this is a model (it has version and nodes), not a scenario overlay (title and changes): give it as the "
        "model (daryo run FILE), and as a scenario an overlay of changes to it"]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError) as info:
        load_overlay("nothere.yaml")
    assert [p.message for p in info.value.problems] == [
        f"scenario file not found (looked for {tmp_path / 'nothere.yaml'}: a path given for a scenario is read from "
        "the current folder)"]


def test_an_overlay_s_title_must_be_text(tmp_path):
    overlay = tmp_path / "ov.yaml"
    overlay.write_text("title: []\nchanges: []\n")
    with pytest.raises(ModelError) as err:
        apply_scenarios(small_doc(), [str(overlay)])
    (problem,) = err.value.problems
    assert (problem.place, problem.message) == ("title", "must be text, not '[]'")  # (as a model file's)


def test_an_overlays_caveats_follow_the_models_and_its_results_keep_them(tmp_path):
    """A user review: the deal rogun-full + qosh-tepa-10 showed Tajik winter energy up by 3 TWh with no word that
    Rogun then stays at its dead volume; an overlay now says what a reader of its results must know."""
    overlay = tmp_path / "ov.yaml"
    overlay.write_text("title: t\ncaveats: [Read the town's deficit as a bound.]\nchanges: []\n")
    one = tmp_path / "one.yaml"
    one.write_text("title: t\ncaveats: |\n  One\n  sentence.\nchanges: []\n")  # (one line each, as results keep them)
    doc = {**small_doc(), "metadata": {"caveats": ["The model's own."]}}
    got = apply_scenarios(doc, [str(overlay), str(one)])["metadata"]["caveats"]
    assert got == ["The model's own.", f"{overlay}: Read the town's deficit as a bound.", f"{one}: One sentence."]
    assert apply_scenarios(small_doc(), [str(overlay)])["metadata"]["caveats"] == [
        f"{overlay}: Read the town's deficit as a bound."]
    model = daryo.load(None, scenarios=["rogun-full", "qosh-tepa-10"], years=1)
    found = model.metadata["caveats"]
    assert found[-3].startswith("rogun-full: Rogun is drawn down to its 3.0 km3 dead volume every winter")
    assert found[-2].startswith("qosh-tepa-10: The canal's 650 m3/s caps June's intake")
    assert found[-1].startswith("qosh-tepa-10: Who loses the canal's water, and in which months, follows from the")
    ds = daryo.run(model).dataset
    assert ds.attrs["caveats"].splitlines() == found
    for bad in ("[1, 2]", "{a: b}", "['']"):
        overlay.write_text(f"title: t\ncaveats: {bad}\nchanges: []\n")
        with pytest.raises(ModelError) as err:
            apply_scenarios(small_doc(), [str(overlay)])
        (problem,) = err.value.problems
        assert problem.place == "caveats" and problem.message.startswith("must be a list of sentences"), bad


def test_a_folder_given_as_an_overlay_is_named_as_a_folder(tmp_path, monkeypatch):
    """It was an 'unknown scenario' (the name has no .yaml suffix); a library name beside a folder of that name
    stays the library's overlay."""
    with pytest.raises(ModelError, match=r"is a folder, not a scenario file"):
        load_overlay(str(tmp_path))
    (tmp_path / "icwc").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_overlay("icwc").name == "icwc"
    # a bare name that is no library scenario but is a folder or another file here: the message says what it is
    (tmp_path / "dry").mkdir()
    (tmp_path / "wet.txt").write_text("title: wet\nchanges: []\n")
    for name, said in (("dry", "'dry' here is a folder, not a scenario file"),
                       ("wet.txt", "the file 'wet.txt' here is not read as an overlay, whose name ends in .yaml, "
                        ".yml or .json")):
        with pytest.raises(ModelError) as err:
            load_overlay(name)
        assert str(err.value.problems[0]).endswith(
            f"or, for any model, a path to an overlay file (.yaml or .json); {said}"), err.value


def test_one_overlay_name_alone_is_one_overlay_not_its_letters():
    """apply_scenarios(doc, "climate-2050") read 'c', 'l', ...; year_limited_changes("drought-2008") found none."""
    from daryo.basins.aral import load_aral_model, read_base_document
    from daryo.scenarios import year_limited_changes

    doc = read_base_document()
    assert apply_scenarios(doc, "climate-2050") == apply_scenarios(doc, ["climate-2050"])
    assert load_aral_model("climate-2050", years=1).metadata["scenarios"] == ["climate-2050"]
    assert year_limited_changes("drought-2008") == year_limited_changes(["drought-2008"]) != []
    with pytest.raises(TypeError, match=r"scenarios=5: give overlay names, paths or mappings"):
        apply_scenarios(doc, 5)


def test_a_library_given_as_text_is_a_folder_and_a_missing_one_is_named(tmp_path):
    """A QA pass: list_scenarios("/some/dir") failed with 'str' object has no attribute 'glob'; a missing folder
    listed nothing."""
    (tmp_path / "wet.yaml").write_text("title: Wet\nchanges: []\n")
    assert list_scenarios(str(tmp_path)) == [("wet", "Wet")]
    assert load_overlay("wet", str(tmp_path)).name == "wet"
    with pytest.raises(ValueError, match=r"library '.*nowhere': no such folder"):
        list_scenarios(tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"library '.*wet.yaml': not a folder"):
        list_scenarios(tmp_path / "wet.yaml")
    assert load_overlay(str(tmp_path / "wet.yaml"), tmp_path / "nowhere").name == str(tmp_path / "wet.yaml")  # (a


def test_a_change_that_is_empty_is_named_as_changing_nothing(tmp_path):
    """remove_nodes: [], set: {}, set: {farm: {}} and the like passed without a word, though scale_inflows with
    nodes: [] was refused (a QA pass of the overlays): an empty change is a list left unfinished, or a mistake."""
    changes = ["remove_nodes: []", "add_nodes: []", "add_edges: []", "remove_edges: []", "set: {}",
               "set: {farm: {}}", "set_edges: {}", "set_edges: {riv->farm: {}}"]
    (tmp_path / "empty.yaml").write_text("title: e\nchanges:\n" + "".join(f"  - {c}\n" for c in changes))
    with pytest.raises(ModelError) as err:
        load_overlay(str(tmp_path / "empty.yaml"))
    assert [p.place for p in err.value.problems] == [
        "changes[0].remove_nodes", "changes[1].add_nodes", "changes[2].add_edges", "changes[3].remove_edges",
        "changes[4].set", "changes[5].set.farm", "changes[6].set_edges", "changes[7].set_edges.riv->farm"]
    assert all(p.message.startswith("changes nothing (it is empty); give ") for p in err.value.problems)


def test_an_empty_scenario_name_is_not_called_a_folder():
    """'' is Path('.'), the current folder: "'' here is a folder, not a scenario file" (a QA pass)."""
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[""])
    (problem,) = err.value.problems
    assert problem.place == "scenario ''" and problem.message.endswith(
        "or, for any model, a path to an overlay file (.yaml or .json)")


@pytest.mark.parametrize("args, message", [
    ((None,), "a scenario is a library scenario's name or a path to an overlay file, not nothing"),
    ((3,), "a scenario is a library scenario's name or a path to an overlay file, not the number 3"),
    (("icwc", 3), r"library: give the folder of a scenario library \(a path\), not the number 3")])
def test_load_overlay_names_an_argument_of_the_wrong_kind(args, message):
    """pathlib's "expected str, bytes or os.PathLike object, not int" from deep inside (a fuzz of the Python API)."""
    with pytest.raises(TypeError, match=message):
        load_overlay(*args)


def test_a_malformed_overlay_of_a_library_is_a_problem_of_the_scenarios_not_of_the_model(tmp_path):
    """Listing a library with a malformed file said "1 problem in the model:" (a review)."""
    (tmp_path / "bad.yaml").write_text("title: [unclosed\n")
    with pytest.raises(ModelError) as info:
        list_scenarios(tmp_path)
    assert str(info.value).startswith("1 problem in the scenarios asked for:\n")


def test_an_overlays_caveats_are_the_same_whatever_path_names_it(tmp_path, monkeypatch):
    """A review (a consortium's economist): the same overlay given as deal.yaml and by its full path made caveats of
    two texts, so `daryo compare` listed its caveat as the first run's only and as the second's only."""
    deal = tmp_path / "deal.yaml"
    deal.write_text("title: deal\ncaveats: [Kyrgyzstan's winter energy is not compensated.]\nchanges: []\n")
    monkeypatch.chdir(tmp_path)
    near, far = (daryo.load(daryo.demo_model_path(), scenarios=[p]).metadata["caveats"]
                 for p in ("deal.yaml", str(deal)))
    assert near == far and near[-1] == f"{deal.resolve()}: Kyrgyzstan's winter energy is not compensated."
    (own,) = [c for c in daryo.load(scenarios=["rogun-full"]).metadata["caveats"] if "rogun-full" in c]
    assert own.startswith("rogun-full: ")  # (a library overlay by its name)


def test_an_overlays_line_is_found_for_ids_with_dots_digits_or_symbols(tmp_path):
    """A diff review: an id '²' (a digit to str.isdigit, not to int) crashed the line's search, which replaced the
    problem with a traceback; an id with a dot, or of digits, or a key that is not text, got the wrong line."""
    overlay = tmp_path / "ids.yaml"
    overlay.write_text("title: t\nchanges:\n"
                       "  - remove_nodes: [city, '²']\n"  # line 3
                       "  - set:\n      town.2: {demand: 3}\n"  # line 5
                       "  - add_nodes:\n      - {id: c1, type: junction}\n      - {id: '0', type: demand, demand: -1}\n"
                       "  - set:\n      1: {demand: 3}\n")  # line 10
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(overlay)])
    lines = {p.place.split(" (line")[0]: p.place for p in err.value.problems}
    assert lines["changes[0].remove_nodes.²"].endswith("(line 3)")
    assert lines["changes[1].set.town.2"].endswith("(line 5)")
    assert lines["changes[2].add_nodes[0].demand"].endswith("(line 8)")  # (the item of id '0', not item 0)
    assert lines["changes[3].set.1"].endswith("(line 10)")
    # an item named by its position, where an earlier one's id is that number; a dotted key beside a shorter one;
    # a key YAML reads as another type (a second diff review)
    overlay.write_text("title: t\nchanges:\n  - add_nodes:\n      - {id: '1', type: junction}\n"
                       "      - {id: 0, type: junction}\n")  # line 5
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(overlay)])
    assert [p.place for p in err.value.problems] == ["changes[0].add_nodes[1] (line 5)"]
    overlay.write_text("title: t\nchanges:\n  - set:\n      city: {demand: 3}\n      city.2: {demand: 3}\n"
                       "      true: {demand: 3}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(overlay)])
    assert [p.place for p in err.value.problems] == ["changes[0].set.city.2 (line 5)", "changes[0].set.True (line 6)"]


def test_an_overlay_given_as_a_mapping_is_applied_as_a_files_content():
    """A researcher's review: a sensitivity loop had to write an overlay file per run.  A mapping is an overlay
    file's content, applied alike, recorded by its name; the mapping is copied, and an unknown key refused."""
    given = {"name": "town+50", "title": "t", "changes": [{"scale_demands": {"nodes": ["town"], "factor": 1.5}}]}
    out = apply_scenarios(small_doc(demand=20), [given])
    assert next(n for n in out["nodes"] if n["id"] == "town")["demand"] == 30
    assert out["metadata"]["scenarios"] == ["town+50"] and out["metadata"]["scenario_files"] == ["town+50"]
    assert given["changes"][0]["scale_demands"]["factor"] == 1.5
    with pytest.raises(ModelError, match=re.escape("overlay[0]: titel: unknown key; use: caveats, changes, ")):
        apply_scenarios(small_doc(), {"titel": "t", "changes": []})
    with pytest.raises(ModelError, match="town[+]50: two overlays given in Python have this name, or one is "
                                               "given twice"):
        apply_scenarios(small_doc(), [given, given])


def test_overlays_given_in_python_are_told_apart_by_their_names():
    """A diff review: two different mappings of one name were refused as one overlay "asked for twice", and a mapping
    named as a library scenario was taken beside it, results recording "drought-2008, drought-2008"."""

    def uzb(factor, name):
        return {"name": name, "changes": [{"scale_demands": {"countries": ["UZB"], "factor": factor}}]}

    with pytest.raises(daryo.ModelError, match="uzb: two overlays given in Python have this name, or one is given "
                                               "twice: give each its own name"):
        daryo.load(None, scenarios=[uzb(1.1, "uzb"), uzb(0.9, "uzb")], years=1)
    with pytest.raises(daryo.ModelError, match="drought-2008: name: 'drought-2008' is the name of a scenario of the "
                                               "library: give yours another name"):
        daryo.load(None, scenarios=["drought-2008", uzb(1.1, "drought-2008")], years=1)
    model = daryo.load(None, scenarios=["drought-2008", uzb(1.1, "uzb+10"), uzb(0.9, "uzb-10")], years=1)
    assert model.metadata["scenarios"] == ["drought-2008", "uzb+10", "uzb-10"]


# a river of 10 hm³ a month, a town that takes 4 of it first, the sea the rest (a JSON model, as a database writes)
#
#   river (10) --> town (demand 4, priority 1)
#        \-------> sea
JSON_MODEL = ('{"version": 1, "name": "j", "time": {"start": "2001-01", "end": "2001-03", "step": "month"},\n'
              ' "nodes": [{"id": "river", "type": "inflow", "inflow": 10},\n'
              '           {"id": "town", "type": "demand", "demand": 4, "priority": 1},\n'
              '           {"id": "sea", "type": "sink"}],\n'
              ' "edges": [["river", "town"], ["river", "sea"]]}\n')


def test_an_overlay_file_in_json_is_read_as_json_model_files_are(tmp_path):
    """A review by an engineer who writes JSON models and overlays from a database: `--scenario ov.json` was an
    "unknown scenario ... whose name ends in .yaml or .yml", while JSON model files were read."""
    (tmp_path / "m.json").write_text(JSON_MODEL)
    dry = tmp_path / "dry.json"
    dry.write_text('{"title": "dry", "changes": [{"scale_inflows": {"factor": 0.8}}]}')
    model = daryo.load(tmp_path / "m.json", scenarios=[str(dry)])
    assert model.metadata["scenarios"] == [str(dry)]  # (a file by its full path, as a YAML overlay's)
    assert load_overlay(str(dry)).title == "dry"
    ds = daryo.run(model).dataset
    # river 10 × 0.8 = 8 a month: the town takes its 4, the sea the other 4
    np.testing.assert_allclose(ds["delivery"].sel(demand="town").values.ravel(), 4.0)
    np.testing.assert_allclose(ds["sink_inflow"].sel(sink="sea").values.ravel(), 4.0)


def test_a_json_overlays_problems_name_their_lines_and_its_syntax_errors_are_jsons(tmp_path):
    """The same review: a JSON overlay's problems name their lines as a YAML one's do, and a malformed one is told
    by the JSON reader of model files (its line and column), as a problem of the scenarios asked for."""
    (tmp_path / "m.json").write_text(JSON_MODEL)
    ov = tmp_path / "ov.json"
    ov.write_text('{"title": "t",\n "changes": [\n  {"set": {"town": {"demand": -4}}},\n'
                  '  {"scale_demands": {"factor": -1}}]}\n')
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.json", scenarios=[str(ov)])
    assert [str(p) for p in err.value.problems] == [
        f"{ov}: changes[1].scale_demands.factor (line 4): give a number of 0 or more (or a percentage: 90 %), not -1"]
    ov.write_text('{"title": "t",\n "changes": [\n  {"set": {"town": {"demand": -4}}}]}\n')
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.json", scenarios=[str(ov)])
    (problem,) = err.value.problems
    assert (problem.file, problem.place) == (str(ov), "changes[0].set.town.demand (line 3)")
    ov.write_text('{"title": "t",\n "changes": [}\n')
    with pytest.raises(ModelError) as err:
        load_overlay(str(ov))
    assert str(err.value).startswith("1 problem in the scenarios asked for:\n")
    assert str(err.value.problems[0]).startswith(f"{ov}: line 2, column 14: malformed JSON: ")


def test_a_library_lists_and_finds_its_json_overlays_and_refuses_one_name_twice(tmp_path):
    """The same review: any overlay listing takes JSON overlay files beside YAML ones; a name of two files (dry.yaml
    and dry.json) is refused, naming both, rather than one of them taken by a rule no one reads."""
    (tmp_path / "wet.yaml").write_text("title: Wet\nchanges: []\n")
    (tmp_path / "dry.json").write_text('{"title": "Dry", "group": "d", "changes": []}')
    (tmp_path / "notes.txt").write_text("not an overlay")
    assert list_scenarios(tmp_path) == [("dry", "Dry"), ("wet", "Wet")]
    assert scenario_groups(tmp_path) == {"dry": "d", "wet": ""}
    assert load_overlay("dry", tmp_path).file == str(tmp_path / "dry.json")
    (tmp_path / "dry.yaml").write_text("title: Dry again\nchanges: []\n")
    for call in (lambda: list_scenarios(tmp_path), lambda: load_overlay("wet", tmp_path)):
        with pytest.raises(ModelError) as err:
            call()
        assert str(err.value.problems[0]) == (f"{tmp_path / 'dry.yaml'}: the library has two overlays named 'dry', "
                                              "dry.json and dry.yaml: remove or rename one")


def test_a_json_overlays_values_of_the_wrong_kind_are_worded_as_json(tmp_path):
    """The review of JSON overlays: a node id written as a number in a JSON overlay was "YAML read it as the number
    3", and `true` was 'True'; a value a JSON overlay sets on a YAML model is worded as the overlay's, a YAML
    overlay's on a JSON model as YAML's."""
    (tmp_path / "m.json").write_text(JSON_MODEL)
    ov = tmp_path / "ov.json"
    ov.write_text('{"changes": [{"add_nodes": [{"id": 3, "type": "sink"}]}]}')
    with pytest.raises(ModelError) as err:
        load_overlay(str(ov))
    assert [str(p) for p in err.value.problems] == [
        f"{ov}: changes[0].add_nodes[0]: a node needs an id (text), but the file gives the number 3; put "
        "the id in quotes"]
    ov.write_text('{"changes": [{"set": {"city": {"priority": true}}}]}')
    with pytest.raises(ModelError) as err:
        daryo.load(demo_model_path(), scenarios=[str(ov)])  # (a YAML model)
    assert [str(p) for p in err.value.problems] == [
        f"{ov}: changes[0].set.city.priority (line 1): 'true' must be a whole number from 1 to 1,000,000,000"]
    yaml_ov = tmp_path / "ov.yaml"
    yaml_ov.write_text("changes:\n  - set: {town: {priority: yes}}\n")
    with pytest.raises(ModelError) as err:
        daryo.load(tmp_path / "m.json", scenarios=[str(yaml_ov)])
    assert [str(p) for p in err.value.problems] == [
        f"{yaml_ov}: changes[0].set.town.priority (line 2): 'True' must be a whole number from 1 to 1,000,000,000"]


def test_a_change_written_twice_in_one_overlay_is_refused_naming_both_lines(tmp_path, capsys):
    """A team's review: a drought's ``scale_inflows: {basin: kok, factor: 85 %}`` pasted twice (or kept from both
    sides of a merge) passed ``daryo validate`` and took 72.25 % of the river, not 85 %; ``scale_demands`` twice
    alike.  A change the same as one before it, its kind and its arguments (a percentage as its factor; a mapping's
    keys in any order), is refused at both lines, as an overlay asked for twice is."""
    overlay = tmp_path / "dry.yaml"
    overlay.write_text("title: dry\nchanges:\n  - scale_inflows: {basin: all, factor: 85 %}\n"
                       "  - scale_demands: {factor: 0.9, category: irrigation}\n"
                       "  - scale_inflows: {factor: 0.85, basin: all}\n"
                       "  - scale_demands: {category: irrigation, factor: 90 %}\n"
                       "  - set: {town: {demand: 6}}\n  - shift_peak: {months: 1}\n"
                       "  - set:\n      town: {demand: 6}\n  - shift_peak: {months: 1}\n")
    with pytest.raises(ModelError) as err:
        load_overlay(str(overlay))
    assert [str(p) for p in err.value.problems] == [
        f"{overlay}: changes[2].scale_inflows (line 5): the same change as changes[0] (line 3): it would apply twice "
        "(its factor 0.85 would multiply again: 0.85 × 0.85 = 0.7225); delete one",
        f"{overlay}: changes[3].scale_demands (line 6): the same change as changes[1] (line 4): it would apply twice "
        "(its factor 0.9 would multiply again: 0.9 × 0.9 = 0.81); delete one",
        f"{overlay}: changes[7].shift_peak (line 11): the same change as changes[5] (line 8): it would apply twice "
        "(the seasonal cycle would shift twice as far); delete one"]  # (a set again after others: below)
    assert main(["validate", str(demo_model_path()), "--scenario", str(overlay)]) == 1  # (a problem of the overlay,
    assert "3 problems in the scenarios asked for:\n" in capsys.readouterr().err  # not of the model)
    pasted = [{"set": {"town": {"demand": 6}}}, {"set": {"town": {"demand": 6}}}]
    with pytest.raises(ModelError, match=re.escape("changes[1].set: the same change as changes[0]: it would apply "
                                                   "twice; delete one")):
        apply_scenarios(small_doc(), [{"name": "pasted", "changes": pasted}])
    again = [{"remove_nodes": ["town"]}, {"add_nodes": [{"id": "town", "type": "demand", "demand": 5}]},
             {"add_edges": [["src", "town"]]}]
    out = apply_scenarios(small_doc(), [{"name": "again", "changes": again + again}])  # (a node removed, added
    assert next(n for n in out["nodes"] if n["id"] == "town")["demand"] == 5  # back, removed and added back again)
    given = {"name": "twice", "changes": [{"scale_demands": {"factor": 0.9}}, {"scale_demands": {"factor": 0.9}}]}
    with pytest.raises(ModelError, match=re.escape("twice: changes[1].scale_demands: the same change as changes[0]: "
                                                   "it would apply twice (its factor 0.9")):
        apply_scenarios(small_doc(), [given])


def test_a_change_repeated_with_meaning_is_applied(tmp_path):
    """A diff review: two scalings of 10 (the way to scale by 100 that the message refusing a factor of 100
    advises) were refused as a repeat, and so was a value set back after another (KGZ, UZB, KGZ), whose order
    matters: both are applied."""
    ten = {"scale_demands": {"nodes": ["town"], "factor": 10}}
    out = apply_scenarios(small_doc(), [{"name": "x100", "changes": [ten, ten]}])
    assert next(n for n in out["nodes"] if n["id"] == "town")["demand"] == "2000.0 m3/s"  # (20 m3/s × 100)
    back = [{"set": {"town": {"country": c}}} for c in ("KGZ", "UZB", "KGZ")]
    out = apply_scenarios(small_doc(), [{"name": "back", "changes": back}])
    assert next(n for n in out["nodes"] if n["id"] == "town")["country"] == "KGZ"


def test_two_changes_of_one_thing_that_differ_are_each_applied_in_order(tmp_path):
    """Two factors of one thing multiply (a drought on top of a climate's share), and a value set twice is the later
    one: changes that differ are each meant, and are kept."""
    overlay = tmp_path / "both.yaml"
    overlay.write_text("title: both\nchanges:\n  - scale_demands: {nodes: [town], factor: 90 %}\n"
                       "  - scale_demands: {nodes: [town], factor: 50 %}\n  - set: {town: {priority: 2}}\n"
                       "  - set: {town: {priority: 3}}\n")
    out = apply_scenarios(small_doc(demand=20), [str(overlay)])
    town = next(n for n in out["nodes"] if n["id"] == "town")
    assert town["demand"] == pytest.approx(9) and town["priority"] == 3
