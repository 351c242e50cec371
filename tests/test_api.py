"""The Python API's entry points: run options that make no run are refused, with a clear message; a run's span
follows the model's calendar."""

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import daryo
from daryo.testmodels import build, shared_shortage

DEMO = daryo.demo_model_path()


@pytest.mark.parametrize(("options", "message"), [
    ({"years": 0}, "years 0: a run lasts at least 1 year"),  # 0 once ran the model's whole span
    ({"years": -2}, "years -2: a run lasts at least 1 year"),  # a traceback from deep in the compiler
    ({"start": "2010-10", "end": "2005-09"}, r"the run would end \(2005-09-30\) before it starts \(2010-10-01\)"),
    ({"scenarios": 0}, "scenarios=0: a run takes at least 1 scenario trace"),  # (it said "the model has 1")
    ({"method": "quick"}, "method 'quick'"),
    ({"end": "2003-09", "years": 1}, "end='2003-09' and years=1: give the run's end or its years, not both"),
])
def test_run_options_that_make_no_run_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        daryo.run(daryo.load(DEMO), daryo.RunOptions(**options))


def test_one_year_runs_twelve_months():
    ds = daryo.run(daryo.load(DEMO), daryo.RunOptions(years=1, scenarios=1)).dataset
    assert ds.sizes["time"] == 12 and ds.sizes["scenario"] == 1


def test_the_demos_environmental_flow_reaches_its_lake():
    """The demo's environmental flow was measured at the junction above the delta's intake: it was met in every
    step while the delta took the water and the lake got less, in 28 of 60 months none."""
    ds = daryo.run(daryo.load(DEMO), daryo.RunOptions(years=5, scenarios=1)).dataset
    met = ds["requirement_met"].sel(requirement="eflow")
    assert float((met - ds["required"].sel(requirement="eflow")).min()) > -1e-6  # (water enough in the demo)
    assert float((ds["sink_inflow"].sel(sink="lake") - met).min()) > -1e-6


def _per_step_model():
    from daryo.model import model_from_dict

    return model_from_dict({"version": 1, "name": "v", "time": {"start": "2000-10", "end": "2002-09", "step": "month"},
                            "nodes": [{"id": "in", "type": "inflow", "inflow": {"values": list(range(1, 25))}},
                                      {"id": "sea", "type": "sink"}], "edges": [["in", "sea"]]})


def test_a_later_start_takes_the_per_step_values_of_its_steps():
    """Values given per step belong to the model's steps: a run from October 2001 gets the 13th to 24th (it got
    the 1st to 12th)."""
    ds = daryo.run(_per_step_model(), daryo.RunOptions(start="2001-10")).dataset
    assert ds.sink_inflow.sel(sink="sea").values.ravel().tolist() == list(range(13, 25))
    with pytest.raises(daryo.ModelError, match=r"nodes\[in\]\.inflow: the run starts 2000-01-01, before the model's "
                       r"start \(2000-10-01\)"):
        daryo.run(_per_step_model(), daryo.RunOptions(start="2000-01"))


def test_a_start_inside_a_month_is_refused_and_years_are_whole_months():
    """2001-03-15 was moved to 2001-03-01 without a word (as a model file's start may not be); before that, the
    end was counted from the 15th (13 steps)."""
    with pytest.raises(ValueError, match=r"start='2001-03-15': monthly steps start on a month's first day"):
        daryo.run(_per_step_model(), daryo.RunOptions(start="2001-03-15", years=1))
    ds = daryo.run(_per_step_model(), daryo.RunOptions(start="2001-03", years=1)).dataset
    assert ds.sizes["time"] == 12
    assert ds.sink_inflow.values.ravel().tolist() == list(range(6, 18))


def test_the_embedded_model_started_later_keeps_its_calendar():
    from daryo.basins.aral import load_aral_model

    model = load_aral_model(years=2)
    whole = daryo.run(model).dataset.node_flow.sel(node="naryn_in")
    later = daryo.run(model, daryo.RunOptions(start="2001-01", years=1)).dataset.node_flow.sel(node="naryn_in")
    assert later.values.ravel().tolist() == whole.sel(time=later.time).values.ravel().tolist()


def test_a_run_beyond_the_embedded_models_inflows_says_how_to_build_a_longer_one():
    """The embedded model carries inflows for the years it was built for (30 by default): a longer run is refused
    with the call that builds one (it used to blame the shipped model file's per-step series)."""
    from daryo.basins.aral import load_aral_model

    with pytest.raises(ValueError, match=r"inflows up to 2002-09 \(norm hydrology\), and the run goes on to 2005-09; "
                       r"build it .*load_aral_model\(years=\.\.\., hydrology='norm'"):
        daryo.run(load_aral_model(years=2), daryo.RunOptions(years=5))
    assert daryo.run(load_aral_model(years=2), daryo.RunOptions(years=1)).dataset.sizes["time"] == 12


def test_a_later_start_in_the_same_year_skips_the_months_before_it():
    """Values 1 to 12 per step from January 2001: a run from March 2001 starts at the 3rd value (offset 2 steps)."""
    model = build([{"id": "in", "type": "inflow", "inflow": {"values": list(range(1, 13))}},
                   {"id": "sea", "type": "sink"}], [["in", "sea"]], steps=12)
    ds = daryo.run(model, daryo.RunOptions(start="2001-03")).dataset
    assert ds.sink_inflow.sel(sink="sea").values.ravel().tolist() == list(range(3, 13))


def test_more_scenarios_than_the_model_has_traces_are_refused():
    model = shared_shortage()  # one trace
    assert model.n_scenarios == 1
    with pytest.raises(ValueError, match=r"^scenarios=3: the model has 1 scenario trace\(s\)$"):
        daryo.run(model, daryo.RunOptions(scenarios=3))


def test_run_misuse_names_the_argument_at_fault():
    model = shared_shortage()
    for options, error, message in [
        (daryo.RunOptions(scenarios=1.5), TypeError, "scenarios=1.5: give a whole number"),
        (daryo.RunOptions(scenarios=True), TypeError, "scenarios=True: give a whole number"),
        (daryo.RunOptions(years="3"), TypeError, "years='3': give a whole number"),
        (daryo.RunOptions(start="garbage"), ValueError, "start='garbage' is not a date: give YYYY-MM or YYYY-MM-DD"),
        (daryo.RunOptions(end="2001-13"), ValueError, "end='2001-13' is not a date"),
    ]:
        with pytest.raises(error, match=re.escape(message)):
            daryo.run(model, options)
    with pytest.raises(TypeError, match=re.escape("daryo.run takes a loaded model, not str: daryo.run(daryo.load(")):
        daryo.run(str(daryo.demo_model_path()))
    with pytest.raises(TypeError, match=re.escape("daryo.run's options are a daryo.RunOptions, not dict {'years': 1}")):
        daryo.run(model, {"years": 1})  # (an AttributeError from inside)


@pytest.mark.parametrize("call, message", [
    (lambda: daryo.load(123), "daryo.load takes a model file's path (or None for the embedded model), not int 123"),
    (lambda: daryo.load(DEMO, scenarios=5), "scenarios=5: give overlay names, paths or mappings"),
    (lambda: daryo.load(None, scenarios=[None]), "scenarios=[None]: give overlay names, paths or mappings"),
    (lambda: daryo.load(DEMO, years="3"), "years='3': give a whole number of years"),
    (lambda: daryo.load(DEMO, years=2.5), "years=2.5: give a whole number of years"),
    (lambda: daryo.load(DEMO, years=True), "years=True: give a whole number of years"),  # (it ran 1 year)
    (lambda: daryo.load(DEMO, confine="no"), "daryo.load: confine is True or False, not str 'no'"),
    (lambda: daryo.load_text(TEXT_MODEL, confine="false"), "daryo.load_text: confine is True or False, not str "
                                                           "'false'"),  # (read as true: confined, without a word)
    (lambda: daryo.model.load_model(DEMO, confine="no"), "confine is True or False, not str 'no'"),
])
def test_load_misuse_names_the_argument_at_fault(call, message):
    """From a QA pass: these raised Python's own TypeErrors ("'int' object is not iterable") or pandas'.  An input
    fuzzer's review: a ``confine`` flag given as text was read as true."""
    with pytest.raises(TypeError, match=re.escape(message)):
        call()


@pytest.mark.parametrize("name", ["", " "])
def test_a_text_without_a_name_is_refused(name):
    """An input fuzzer's review: ``load_text(text, name="")`` loaded, and its problems named no file
    (``- nodes[farm].priority (line 20): …``)."""
    with pytest.raises(ValueError, match=re.escape(f"daryo.load_text: name is the text's name in messages "
                                                   f"(upload.yaml), not {name!r}")):
        daryo.load_text(TEXT_MODEL, name=name)
    inline = TEXT_MODEL.replace("{csv: q.csv, column: q}", "10")
    assert [n.id for n in daryo.load_text(inline, name="u.yaml", confine=False).nodes] == ["src", "city", "sea"]


def test_one_scenario_overlay_may_be_given_alone():
    alone = daryo.load(None, scenarios="qosh-tepa-10")
    assert alone.metadata["scenarios"] == daryo.load(None, scenarios=["qosh-tepa-10"]).metadata["scenarios"]


def test_overlays_loaded_for_more_years_than_the_file_change_the_runs_years(one_year_and_a_dry_second):
    """A one-year file whose overlay halves the second year's inflow: loaded for two years, the second year brings
    5 hm³ a month.  The overlay turns the 12 monthly values into one per step of the span it sees, so the file's
    own span (12 steps) cannot be run for two years."""
    path, dry = one_year_and_a_dry_second
    model = daryo.load(path, dry, years=2)
    sea = daryo.run(model).dataset.sink_inflow.sel(sink="sea").values.ravel()
    assert sea.tolist() == [10.0] * 12 + [5.0] * 12
    with pytest.raises(daryo.ModelError, match=re.escape("years 2 are none of the run's years (the run has 1 "
                                                         "hydrological year), so it would change nothing; give years "
                                                         "from 1 (the first) to the last, or run more years (--years; "
                                                         "in Python daryo.load(..., years=Y))")):
        daryo.load(path, dry)  # (it loaded, and RunOptions(years=2) then found 12 values for 24 steps)
    with pytest.raises(ValueError, match="years 0: a run lasts at least 1 year"):
        daryo.load(path, years=0)
    assert daryo.load(path, years=3).time.end == pd.Timestamp("2003-09-30")


@pytest.mark.parametrize("path", ["", "  "])
def test_an_empty_model_path_is_not_read_as_the_current_folder(path):
    """Path('') is '.': it was reported as "'.': is a folder, not a YAML or JSON file"."""
    with pytest.raises(daryo.ModelError, match=r"is not a file name: give a model file's path"):
        daryo.load(path)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"years": 0}, ValueError, r"years=0: a run lasts at least 1 year"),  # (IndexError in the run)
    ({"years": 1.5}, TypeError, r"years=1.5: give a whole number of years"),
    ({"end": "2002-09", "years": 1}, ValueError, r"end='2002-09' and years=1: give one of them"),  # (end ignored)
    ({"start": "bogus"}, ValueError, r"start='bogus' is not a date"),
    ({"start": "2005-10", "end": "2003-09"}, ValueError, r"the run would end \(2003-09-30\) before it starts"),
])
def test_a_model_s_span_that_cannot_run_is_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        daryo.load(DEMO).with_time(**kwargs)


@pytest.mark.parametrize("n", [0, 6, 99])
def test_compile_network_takes_only_scenarios_the_model_has(n):
    """99 of the demo's 5 traces failed later in a NumPy broadcast; 0 meant all of them."""
    from daryo.network import compile_network

    with pytest.raises(ValueError, match=rf"n_scenarios={n}: the model has 5 scenario trace\(s\)"):
        compile_network(daryo.load(DEMO), n_scenarios=n)


def test_a_model_loaded_for_fewer_years_needs_its_series_only_over_them(tmp_path):
    """``daryo run MODEL --years 1`` refused a CSV missing a month of the file's fifth year, and said to shorten
    the run, which --years did not do: without overlays the file was read over its own span."""
    dates = pd.date_range("2001-01-01", "2005-12-01", freq="MS").delete(50)  # 2005-03 missing
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "q": 10.0}).to_csv(tmp_path / "q.csv", index=False)
    (tmp_path / "m.yaml").write_text("""version: 1
name: t
time: {start: 2001-01, end: 2005-12, step: month}
nodes:
  - {id: src, type: inflow, inflow: {csv: q.csv}}
  - {id: sea, type: sink}
edges: [[src, sea]]
""")
    with pytest.raises(daryo.ModelError, match=r"no value for 2005-03-01 \(1 of the run's 60 step dates"):
        daryo.load(tmp_path / "m.yaml")
    ds = daryo.run(daryo.load(tmp_path / "m.yaml", years=1)).dataset
    assert ds.sizes["time"] == 12 and float(ds["sink_inflow"].sum()) == pytest.approx(120.0)
    with pytest.raises(daryo.ModelError, match=r"no value for 2005-03-01 \(1 of the run's 60 step dates"):
        daryo.load(tmp_path / "m.yaml", years=5)


@pytest.mark.parametrize("scenarios", [(), ("one.yaml",)])
def test_a_model_loaded_for_given_years_reports_its_problems_as_without_them(tmp_path, scenarios):
    """With years (and no overlay, or one), metadata or nodes of the wrong shape were one problem without the
    file's name, said to keep a scenario from being applied, and the file's other problems went unreported."""
    (tmp_path / "one.yaml").write_text("changes: []\n")
    text = daryo.demo_model_path().read_text().replace("allocation: priority", "allocation: priority\nmetadata: [1]")
    text = text.replace("    priority: 1\n", "    priority: -1\n", 1)
    model = tmp_path / "m.yaml"
    model.write_text(text)
    (model.parent / "upper_inflow.csv").write_text((daryo.demo_model_path().parent / "upper_inflow.csv").read_text())
    with pytest.raises(daryo.ModelError) as plain:
        daryo.load(model)
    with pytest.raises(daryo.ModelError) as given_years:
        daryo.load(model, scenarios=[str(tmp_path / s) for s in scenarios], years=2)
    assert len(plain.value.problems) == 2
    assert [str(p) for p in given_years.value.problems] == [str(p) for p in plain.value.problems]


def _a_model_and_an_overlay_of_its_second_year(tmp_path):
    """A three-year model file of one inflow (5 hm³ a month) and an overlay halving its second year's inflow."""
    model = tmp_path / "m.yaml"
    model.write_text("version: 1\nname: m\ntime: {start: 2000-10, end: 2003-09, step: month}\nnodes:\n"
                     "  - {id: up, type: inflow, inflow: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]}\n"
                     "  - {id: sea, type: sink}\nedges: [[up, sea]]\n")
    overlay = tmp_path / "y2.yaml"
    overlay.write_text("changes: [{scale_inflows: {nodes: [up], factor: 0.5, years: [2]}}]\n")
    return model, overlay


def test_a_run_beyond_the_span_an_overlay_of_given_years_was_applied_to_says_to_load_for_it(tmp_path):
    """The run was refused naming the model file's line of 12 monthly values ("the series has 36 values but the
    time span has 60 monthly steps"): the overlay had made them per step for the span it was loaded with (a new
    user's walkthrough)."""
    model, overlay = _a_model_and_an_overlay_of_its_second_year(tmp_path)
    loaded = daryo.load(model, scenarios=[str(overlay)])
    text = overlay.read_text()
    overlay.unlink()  # (the check read the overlays again at run time, and passed when one had gone: a review)
    with pytest.raises(ValueError) as err:
        daryo.run(loaded, daryo.RunOptions(years=5))
    overlay.write_text(text)
    assert str(err.value) == (
        f"the model was loaded with an overlay that changes given run years ({overlay} changes[0].scale_inflows), "
        "which gives the inflows it changes per step up to 2003-09, and the run goes on to 2005-09; load the model "
        "for the run's length instead: daryo.load(path, scenarios=[...], years=...)")
    sea = daryo.run(daryo.load(model, scenarios=[str(overlay)], years=5)).dataset["sink_inflow"].sel(sink="sea")
    assert float(sea.sum()) == pytest.approx(5 * 12 * 5 - 2.5 * 12)
    assert float(daryo.run(loaded, daryo.RunOptions(years=2)).dataset["sink_inflow"].sum()) == pytest.approx(90)


def test_a_run_that_starts_after_the_start_an_overlay_of_given_years_counted_from_is_refused(tmp_path):
    """Run from a later start, a model loaded with an overlay that halves its second year's inflow gave the
    baseline's results, while its attributes named the overlay (a fuzz of the Python API)."""
    model, overlay = _a_model_and_an_overlay_of_its_second_year(tmp_path)
    loaded = daryo.load(model, scenarios=[str(overlay)])
    with pytest.raises(ValueError) as err:
        daryo.run(loaded, daryo.RunOptions(start="2001-10", years=1))
    with pytest.raises(ValueError) as direct:  # (the model shortened by hand: a regression fuzz)
        loaded.with_time(start="2001-10", years=1)
    assert str(direct.value) == str(err.value)
    assert str(err.value) == (
        f"the model was loaded with an overlay that changes given run years ({overlay} changes[0].scale_inflows), "
        "counted from the model's start, 2000-10; a run from 2001-10 would not have those years as they were "
        "changed: run from the model's start (RunOptions(years=...)), or load a model file whose time starts at "
        "the run's start")
    assert float(daryo.run(loaded, daryo.RunOptions(start="2000-10", years=2)).dataset["sink_inflow"].sum()) == (
        pytest.approx(90))


def _changed(model, node_id, **attrs):
    """``model`` with node ``node_id``'s attributes changed (as a user might with dataclasses.replace)."""
    from dataclasses import replace

    nodes = tuple(replace(n, attrs={**n.attrs, **attrs}) if n.id == node_id else n for n in model.nodes)
    return replace(model, nodes=nodes)


def test_a_model_changed_by_hand_is_checked_before_it_runs():
    """daryo.run ran any Model object as it was: an allocation or node type mistyped after loading ran silently
    wrong (cost mode delivered nothing; a 'Demand' node was dropped), a loss of NaN hung HiGHS, and others failed
    deep inside (a fuzz of the Python API).  A model the loader did not make is checked as the loader would."""
    from dataclasses import replace

    import numpy as np

    from daryo.model import Edge

    model = daryo.load(daryo.demo_model_path(), years=1)
    assert model.validated and not replace(model, name="x").validated
    cases = [
        (replace(model, allocation="Cost"), "allocation: the text 'Cost' is not an allocation mode"),
        (replace(model, nodes=tuple(replace(n, type="Demand") if n.id == "city" else n for n in model.nodes)),
         "nodes[city] (line 59): unknown component type the text 'Demand' (did you mean 'demand'?)"),
        (_changed(model, "river_mid", loss=np.nan), "nodes[river_mid].loss (line 55): is nan: not a finite number"),
        (_changed(model, "city", demand="20 m3/s"), "nodes[city].demand (line 62): is the text '20 m3/s', not a "
                                                    "number"),
        (replace(model, edges=model.edges + (Edge("x", "upper_river", "nope", {}),)), "names 'nope'"),
        (replace(model, scenario_names=()), "the model has no scenario trace"),
        (replace(model, time=None), "time: nothing (None; null in YAML: a key with no value) is not a time span"),
    ]
    for changed, said in cases:
        with pytest.raises(daryo.ModelError) as err:
            daryo.run(changed, daryo.RunOptions(scenarios=1))
        assert said in str(err.value), (said, str(err.value))
    ok = daryo.run(replace(model, name="renamed"), daryo.RunOptions(scenarios=1))  # (a sound change runs)
    assert ok.dataset.attrs["model"] == "renamed"
    daryo.run(_changed(model, "river_mid", loss=np.float32(0.1)), daryo.RunOptions(scenarios=1))  # (NumPy numbers)


def test_a_model_or_overlay_path_starting_with_a_tilde_is_in_the_home_folder(tmp_path, monkeypatch):
    """``daryo.load("~/m.yaml")`` said "file not found" for a file that exists, while every output path of the API
    reads ``~`` as a shell does (a fuzz of the Python API)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "m.yaml").write_text("version: 1\nname: m\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
                                     "  - {id: up, type: inflow, inflow: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]}\n"
                                     "  - {id: sea, type: sink}\n"
                                     "edges: [[up, sea]]\n")
    (tmp_path / "half.yaml").write_text("changes: [{scale_inflows: {nodes: [up], factor: 0.5}}]\n")
    model = daryo.load("~/m.yaml", scenarios=["~/half.yaml"])
    assert model.path == tmp_path / "m.yaml"
    assert float(daryo.run(model).dataset["sink_inflow"].sum()) == pytest.approx(30)


def test_a_model_changed_by_hand_is_checked_in_its_constraints_time_traces_and_parameter_references():
    """A regression fuzz of the check of models changed in code: a misspelt constraint type was ignored, a NaN
    weight or a flow_sum with no bound ran, a constraint on an unknown node, more scenario names than traces, a
    span ending before it starts, a reference to a missing parameter and a series of text failed deep inside."""
    from dataclasses import replace

    import numpy as np

    from daryo.model import Series
    from daryo.model.types import Constraint, TimeSpec
    from daryo.parameters import ParameterRef
    from daryo.testmodels import shared_shortage

    model = shared_shortage()  # (60 hm³ to A, demand 50, and B, 70)
    cases = [
        ({"constraints": (Constraint("c", "flow_summ", {"nodes": {"A": 1.0}, "max_flow": 5.0}),)},
         "constraints[c]: unknown constraint type the text 'flow_summ' (did you mean 'flow_sum'?)"),
        ({"constraints": (Constraint("c", "flow_sum", {"nodes": {"A": np.nan}, "max_flow": 5.0}),)},
         "constraints[c]: holds a number that is not finite or larger than 1e+30"),
        ({"constraints": (Constraint("c", "flow_sum", {"nodes": {"A": 1.0}}),)},
         "constraints[c]: has neither min_flow nor max_flow"),
        ({"constraints": (Constraint("c", "flow_sum", {"nodes": {"ZZ": 1.0}, "max_flow": 5.0}),)},
         "constraints[c].nodes: names 'ZZ', which is not a node"),
        ({"scenario_names": ("a", "b")}, None),  # (series of one trace: shared by both)
        ({"time": TimeSpec(model.time.end, model.time.start)}, "time: ends before it starts"),
    ]
    for demand, said in ((Series("constant", np.array([["x"]], dtype=object)),
                          "nodes[B].demand: holds values of NumPy kind 'object', not numbers"),
                         (ParameterRef("nope"), "nodes[B].demand: names parameter 'nope', which the model does not "
                                                "have")):
        cases.append(({"nodes": tuple(replace(n, attrs={**n.attrs, "demand": demand}) if n.id == "B" else n
                                      for n in model.nodes)}, said))
    for change, said in cases:
        changed = replace(model, **change)
        if said is None:
            daryo.run(changed)
            continue
        with pytest.raises(daryo.ModelError) as err:
            daryo.run(changed)
        assert said in str(err.value), (said, str(err.value))


def test_the_public_submodules_are_there_after_a_plain_import():
    """A user review: ``daryo.results.advice(ds)``, as the docs write it, failed after ``import daryo`` ("module
    'daryo' has no attribute 'results'. Did you mean: 'Results'?") unless a run had loaded the module; so did
    ``daryo.ensemble.summary_table`` and ``daryo.model.model_from_dict``; and, a Python developer's review,
    ``daryo.basins.aral.load_aral_model`` (README: the way to the Aral model's stochastic hydrology in Python).
    ``import daryo`` alone still loads no numerical library."""
    code = ("import sys, daryo; before = {'xarray', 'scipy', 'numba'} & set(sys.modules); "
            "print(sorted(before)); "
            "print(daryo.results.advice.__name__, daryo.ensemble.summary_table.__name__, "
            "daryo.model.model_from_dict.__name__, daryo.indicators.__name__, 'results' in dir(daryo)); "
            "print(daryo.basins.aral.load_aral_model.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[]", "advice summary_table model_from_dict daryo.indicators True",
                                       "load_aral_model"]
    with pytest.raises(AttributeError, match="module 'daryo' has no attribute 'resluts'"):
        daryo.resluts  # noqa: B018


#: a daryo model read from text: a demand of 5 hm3 and the rest to the sea, of a CSV inflow (10, then 20 hm3)::
#:
#:     src (inflow, q.csv) --> city (demand 5)
#:         \--> sea (sink)
TEXT_MODEL = """version: 1
time: {start: 2001-01, end: 2001-02}
nodes:
  - {id: src, type: inflow, inflow: {csv: q.csv, column: q}}
  - {id: city, type: demand, demand: 5, priority: 1}
  - {id: sea, type: sink}
edges: [[src, city], [src, sea]]
"""


def test_a_model_text_larger_than_a_model_file_may_be_is_refused_by_its_size(monkeypatch):
    """A text given to daryo.load_text is held to the size a model file may have (16 MB: a security review found a
    24 MB YAML list took 4.7 GB to parse), counted in bytes of UTF-8."""
    from daryo.model import documents

    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 400)
    with pytest.raises(daryo.ModelError, match=re.escape("upload.yaml: is 402 bytes, more than the 400 (0.0004 MB)")):
        daryo.load_text("#" + "д" * 200 + "\n")  # (202 characters, 402 bytes)
    with pytest.raises(daryo.ModelError, match="the model file is empty"):
        daryo.load_text("#" + "д" * 199 + "\n")  # (400 bytes: parsed, a comment alone)


def test_a_model_given_as_text_is_read_by_the_file_reader_and_its_data_from_base_dir(tmp_path):
    """A Python developer's review (a web service on daryo's API): daryo.load took a path only, and
    ``model_from_dict(yaml.safe_load(text))`` took a key written twice silently.  ``daryo.load_text`` refuses it
    with its line, reads the data files from ``base_dir`` only (none without one), confined there by default, and
    records the text's digest and the files read."""
    assert "load_text" in daryo.__all__
    (tmp_path / "q.csv").write_text("date,q\n2001-01-01,10\n2001-02-01,20\n")
    doubled = TEXT_MODEL.replace("edges:", "time: {start: 2002-01, end: 2002-02}\nedges:")
    with pytest.raises(daryo.ModelError) as err:
        daryo.load_text(doubled, name="upload.yaml", base_dir=tmp_path)
    assert str(err.value).endswith("upload.yaml: line 7, column 1: key 'time' appears twice in this mapping (first "
                                   "at line 2, column 1)")
    with pytest.raises(daryo.ModelError, match=re.escape(
            "upload.yaml: nodes[src].inflow (line 4): CSV file 'q.csv' cannot be read: the model was given as text "
            "without a folder for its data files")):
        daryo.load_text(TEXT_MODEL)  # (not read from the working folder)
    with pytest.raises(daryo.ModelError, match=re.escape("CSV file '../q.csv' leads outside the model file's")):
        (tmp_path / "sub").mkdir()
        daryo.load_text(TEXT_MODEL.replace("q.csv", "../q.csv"), base_dir=tmp_path / "sub")
    model = daryo.load_text(TEXT_MODEL, base_dir=tmp_path)
    assert model.path is None and model.file_sha256 == hashlib.sha256(TEXT_MODEL.encode()).hexdigest()
    assert model.data_files == (("q.csv", hashlib.sha256((tmp_path / "q.csv").read_bytes()).hexdigest()),)
    assert daryo.run(model).dataset["sink_inflow"].values[0, :, 0].tolist() == [5.0, 15.0]
    with pytest.raises(ValueError, match="base_dir '.*nowhere' is not a folder"):
        daryo.load_text(TEXT_MODEL, base_dir=tmp_path / "nowhere")


def test_a_pywr_document_given_as_text_runs_as_its_file_does(tmp_path):
    """A Python developer's review: ``model_from_dict`` of a Pywr document's text did not recognise it.  Given as
    text (by its name, or by its content under another name), it is converted as daryo.load converts the file: a
    catchment of 8 hm3/day, a demand of at most 3 at cost -10 and the rest to the sea."""
    doc = {"timestepper": {"start": "2001-01-01", "end": "2001-01-05", "timestep": 1},
           "nodes": [{"name": "in", "type": "catchment", "flow": "flow"},
                     {"name": "city", "type": "output", "max_flow": 3.0, "cost": -10.0},
                     {"name": "sea", "type": "output"}],
           "edges": [["in", "city"], ["in", "sea"]],
           "parameters": {"flow": {"type": "dataframe", "url": "flow.csv", "index_col": "date", "parse_dates": True,
                                   "column": "q"}}}
    (tmp_path / "flow.csv").write_text("date,q\n" + "".join(f"2001-01-0{d},{d + 7}\n" for d in range(1, 6)))
    text = json.dumps(doc)
    path = tmp_path / "model.json"
    path.write_text(text)
    from_file = daryo.run(daryo.load(path)).dataset
    for name in ("upload.json", "upload"):
        model = daryo.load_text(text, name=name, base_dir=tmp_path)
        assert [n for n, _ in model.data_files] == ["flow.csv"]
        ds = daryo.run(model).dataset
        assert ds["node_flow"].sel(node="city").values[0].tolist() == [3.0] * 5
        assert ds["node_flow"].sel(node="sea").values[0].tolist() == [5.0, 6.0, 7.0, 8.0, 9.0]
        assert ds["node_flow"].equals(from_file["node_flow"])


def test_a_run_is_refused_by_the_memory_a_ulimit_or_a_control_group_leaves_not_only_by_the_machines(monkeypatch):
    """A security review: the check compared the results with the machine's physical memory only; under ``ulimit -v
    3000000`` a run of 150 scenarios × 213,301 daily steps passed it, then died allocating 488 MiB (NumPy's
    _ArrayMemoryError, a 24-line traceback).  The least of the machine's memory, what the process's address-space
    limit leaves it and its control group's limit is the bound, and the message names which it is."""
    from daryo import _system
    from daryo.api import _gigabytes_apart

    model = daryo.load(DEMO)
    files = {"/proc/self/cgroup": "0::/\n", "/proc/self/status": "VmSize:\t  1000 kB\n"}
    monkeypatch.setattr(_system, "_read_text", lambda path: files.get(path))
    monkeypatch.setattr(_system, "_address_space_rlimit", lambda: 1_024_000 + 10**6)  # 1 MB left: 0 GB
    with pytest.raises(ValueError, match=r"^the run's results would take about 0 GB of memory, more than the 0 GB "
                                         r"this process's address-space limit \(ulimit -v\) leaves it: run fewer "
                                         r"scenarios or years, or run an ensemble"):
        daryo.run(model)
    monkeypatch.setattr(_system, "_address_space_rlimit", lambda: None)
    files["/sys/fs/cgroup/memory.max"] = "1000000\n"  # (a container of 1 MB)
    with pytest.raises(ValueError, match=r"more than the 0 GB its control group may use \(the memory limit of its "
                                         r"container or service\): run fewer"):
        daryo.run(model)
    files["/sys/fs/cgroup/memory.max"] = "max\n"
    assert daryo.run(model, daryo.RunOptions(years=1)).dataset.sizes["time"] == 12
    # (sizes that round alike get the decimals that tell them apart: "about 2 GB, more than the 2 GB" gave no reason)
    assert _gigabytes_apart(8_200_000_000, 2_950_000_000) == ("8", "3")
    assert _gigabytes_apart(2_500_000_000, 2_440_000_000) == ("2.5", "2.4")
    assert _gigabytes_apart(2_003_000_000, 2_001_000_000) == ("2.00", "2.00")  # (two decimals at most)
    assert _gigabytes_apart(400_000, 4_096) == ("0", "0")


_RIVER_AND_FARM = """\
version: 1
name: river and farm
time: {start: 2000-10, end: 2001-09}
nodes:
  - {id: up, type: inflow, inflow: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]}
  - {id: farm, type: demand, demand: 2, country: UZB}
  - {id: sea, type: sink}
edges: [[up, farm], [up, sea]]
"""


def test_the_results_of_a_model_changed_in_python_say_so_and_compare_does_not_blame_the_files(tmp_path):
    """A researcher's review: a model changed with dataclasses.replace after loading was recorded as the unchanged
    file (its ``model_sha256``), and compare_runs blamed "a data file … or an overlay file" for the difference.
    Its results record ``model_changed_in_code`` and no file digest; compare says it was changed in Python."""
    from dataclasses import replace

    path = tmp_path / "m.yaml"
    path.write_text(_RIVER_AND_FARM)
    model = daryo.load(path)
    more = replace(model, nodes=tuple(replace(n, attrs={**n.attrs, "demand": 3.0}) if n.id == "farm" else n
                                      for n in model.nodes))
    base, changed = daryo.run(model).dataset, daryo.run(more).dataset
    assert base.attrs["model_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "model_changed_in_code" not in base.attrs
    assert changed.attrs["model_changed_in_code"] == "yes" and changed.attrs["model_sha256"] == ""
    assert changed.attrs["model_file"] == base.attrs["model_file"]
    notes = daryo.compare.compare_runs(base, changed).attrs["notes"]
    assert notes[0].startswith("the second run's model was changed in Python after being read from the model file")
    assert not any("data file" in n for n in notes)
    with pytest.raises(daryo.ModelError, match=re.escape(f"{path}, as changed in Python: nodes[farm].demand")):
        daryo.run(replace(model, nodes=tuple(replace(n, attrs={**n.attrs, "demand": -1.0}) if n.id == "farm" else n
                                             for n in model.nodes)))


def test_an_overlay_may_be_given_as_a_mapping(tmp_path):
    """A researcher's review: ``daryo.load(None, scenarios=[{"changes": [...]}])`` raised "give overlay names or
    paths", so a sensitivity loop wrote a YAML overlay per run.  A mapping is an overlay file's content: applied as
    one, its problems named by its ``name`` (or ``overlay[i]``) and place, and recorded by that name."""
    path = tmp_path / "m.yaml"
    path.write_text(_RIVER_AND_FARM)
    more = {"name": "uzb+50", "changes": [{"scale_demands": {"countries": ["UZB"], "factor": 1.5}}]}
    for model in (daryo.load(path, scenarios=[more]), daryo.load_text(_RIVER_AND_FARM, scenarios=more),
                  daryo.load(path, scenarios=[{"changes": more["changes"]}])):
        ds = daryo.run(model).dataset
        assert float(ds["delivery"].sel(demand="farm").sum()) == pytest.approx(36.0)
    assert ds.attrs["scenarios"] == "overlay[0]"
    ds = daryo.run(daryo.load(path, scenarios=[more], years=1)).dataset
    assert ds.attrs["scenarios"] == "uzb+50"
    more["changes"][0]["scale_demands"]["factor"] = 9  # (the overlay was copied when given)
    with pytest.raises(daryo.ModelError) as err:
        daryo.load(path, scenarios=[more, {"changes": [{"scale_demands": {"factor": "x"}}]}])
    assert str(err.value).endswith("overlay[1]: changes[0].scale_demands.factor: give a number of 0 or more (or a "
                                   "percentage: 90 %), not 'x'")
    with pytest.raises(daryo.ModelError, match=re.escape("uzb+50: changes[0].set.farm.demand: is negative")):
        daryo.load(path, scenarios=[{"name": "uzb+50", "changes": [{"set": {"farm": {"demand": -1}}}]}])
    with pytest.raises(TypeError, match="names, paths or mappings"):
        daryo.load(path, scenarios=[3])


def test_the_readme_sensitivity_loop_runs():
    """The README's sensitivity loop (one parameter, a few values, an overlay given as a mapping per run) runs, and
    a larger demand leaves larger deficits."""
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("**A sensitivity loop.**", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    space: dict = {}
    exec(block, space)  # noqa: S102 (the README's own example)
    deficit = space["deficit"]
    assert list(deficit) == [0.9, 1.0, 1.1] and deficit[0.9] < deficit[1.1]


@pytest.mark.parametrize("method", ["auto", "fast", "plain"])
def test_a_run_where_the_fast_path_does_not_apply_says_the_plain_path_ran_and_why(method):
    """A numerical analyst's review: a run's results did not say which path had solved them, nor what ``auto``
    chose.  A reach whose loss changes by month takes the plain path whatever the method; its results say so::

        in (10) ─► r (loss 10 %, 20 % in November) ─┬─► d (5)
                                                     └─► sea
    """
    loss = {"monthly": [0.1, 0.2] + [0.1] * 10}
    m = build([{"id": "in", "type": "inflow", "inflow": 10}, {"id": "r", "type": "reach", "loss": loss},
               {"id": "d", "type": "demand", "demand": 5, "priority": 1}, {"id": "sea", "type": "sink"}],
              [["in", "r"], ["r", "d"], ["r", "sea"]], steps=2)
    attrs = daryo.run(m, daryo.RunOptions(method=method)).dataset.attrs
    assert attrs["solver_method"] == "plain"
    assert attrs["solver_method_choice"] == ("plain: the plain path, as asked" if method == "plain" else
                                             f"{method}: the plain path, the fast path not taking matrix coefficients "
                                             "that change by step (time-varying losses or consumptive fractions)")


#: a user's module, typed with ``mypy --strict``: the lines marked ``# bad`` are mistakes that mypy must report, the
#: others good use of daryo that it must not
_TYPED_USE = '''
import os
from pathlib import Path

import daryo
import daryo.ensemble


class Upload(os.PathLike[str]):
    def __fspath__(self) -> str:
        return "model.yaml"


model: daryo.Model = daryo.load(Upload())
other = daryo.load(Path("model.yaml"), years=2)
table = daryo.compare.compare_runs(Path("a.nc"), "b.nc")
shares = daryo.indicators.scenario_summary(daryo.run(model).dataset)
daryo.results.Results(table)  # bad
daryo.lod(None)  # bad
daryo.compre.compare_runs("a.nc", "b.nc")  # bad
daryo.compare.compare_runz("a.nc", "b.nc")  # bad
daryo.ensemble.summary_table(5)  # bad
quick = daryo.RunOptions(method="plain")
daryo.RunOptions(method="fastest")  # bad
'''


@pytest.mark.slow
def test_mypy_checks_what_is_reached_through_daryos_submodules(tmp_path):
    """A backend developer's review: with ``import daryo``, ``daryo.lod(None)`` and ``daryo.compre.compare_runs(...)``
    passed ``mypy --strict``: the package's ``__getattr__`` (which imports the submodules on first use) made every
    name an Any to mypy.  The submodules are declared to type checkers, and a path-like object is a path to
    ``daryo.load`` in its hints as it is at run time.  mypy, on a module of a user's, reports each mistake and no
    good line (daryo itself read as an installed package's: its own errors under --strict are not the user's).
    A library user's review: ``RunOptions(method="fastest")`` passed, refused only when the run started."""
    pytest.importorskip("mypy")
    (tmp_path / "use.py").write_text(_TYPED_USE, encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(Path(daryo.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
                          "--cache-dir", str(tmp_path / "cache"), "use.py"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=False, timeout=600)
    reported = sorted({int(line.split(":")[1]) for line in out.stdout.splitlines() if line.startswith("use.py:")})
    bad = [n for n, line in enumerate(_TYPED_USE.splitlines(), 1) if line.endswith("# bad")]
    assert reported == bad, out.stdout + out.stderr
    assert "has no attribute \"lod\"" in out.stdout and "has no attribute \"compre\"" in out.stdout


def test_each_public_submodule_is_declared_to_type_checkers():
    """Each of the submodules that ``daryo.<name>`` gives after ``import daryo`` is imported for type checkers (a
    backend developer's review: mypy took them, and any misspelt name, as Any), and none at run time."""
    import ast

    tree = ast.parse(Path(daryo.__file__).read_text(encoding="utf-8"))
    checking = next(node for node in tree.body
                    if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    declared = {alias.asname for node in checking.body if isinstance(node, ast.ImportFrom) and node.module is None
                for alias in node.names if alias.asname == alias.name}
    assert declared == set(daryo._SUBMODULES)


def test_a_models_cautions_are_given_by_the_public_api(tmp_path):
    """A library user's review: the cautions ``daryo run`` prints as ``note:`` lines (a country code that is not
    ISO 3166-1 alpha-3, …) were reachable only through ``daryo.model.cautions``, which no doc names, so a service on
    ``daryo.load`` and ``daryo.run`` ran silently what the CLI flags.  ``daryo.cautions(model)`` gives them; a model
    changed in Python is checked first, as ``daryo.run`` checks it::

        river (inflow 10) --> farm (UZB, 4)
               |-----------> town (UZK, 1)
               \\-----------> sea
    """
    from dataclasses import replace

    text = ("version: 1\ntime: {start: 2001-01, end: 2001-12}\nnodes:\n  - {id: river, type: inflow, inflow: 10}\n"
            "  - {id: farm, type: demand, demand: 4, country: UZB}\n"
            "  - {id: town, type: demand, demand: 1, country: UZK}\n  - {id: sea, type: sink}\n"
            "edges: [[river, farm], [river, town], [river, sea]]\n")
    (tmp_path / "basin.yaml").write_text(text)
    model = daryo.load(tmp_path / "basin.yaml")
    assert "cautions" in daryo.__all__
    assert daryo.cautions(model) == [
        f"{tmp_path / 'basin.yaml'}: nodes[town].country (line 6): 'UZK' is not an ISO 3166-1 alpha-3 code (did you "
        "mean 'UZB'?): the tables by country show it as a country of its own; give the country's code, or one ISO "
        "leaves to its users (XAA-XZZ) for a region of your own"]
    assert daryo.cautions(daryo.load_text(text.replace("UZK", "KAZ"))) == []
    bad = replace(model, nodes=tuple(replace(n, attrs={**n.attrs, "demand": float("nan")}) if n.id == "farm" else n
                                     for n in model.nodes))
    with pytest.raises(daryo.ModelError, match=r"as changed in Python: nodes\[farm\]\.demand"):
        daryo.cautions(bad)
    with pytest.raises(TypeError, match="daryo.cautions takes a loaded model, not str"):
        daryo.cautions(str(tmp_path / "basin.yaml"))  # type: ignore[arg-type]
