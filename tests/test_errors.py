"""Problems are listed together, each with its file and place; problems alike are one line."""

import unicodedata

import pytest

import daryo
from daryo.errors import ModelError, Problem


def test_problems_alike_at_many_places_are_one_line_naming_the_first_places(tmp_path):
    """A large-network modeller's review: one missing row of a demands CSV read by 141 demands gave 141 lines alike
    but for the node.  The problem is one line, naming the first three places and how many more; the others keep
    their own lines, and ``problems`` keeps each."""
    ids = [f"d{k}" for k in range(8)]
    rows = [f"2001-{m:02d}-01," + ",".join("1" for _ in ids) for m in range(1, 13) if m != 7]
    (tmp_path / "demands.csv").write_text("date," + ",".join(ids) + "\n" + "\n".join(rows) + "\n")
    nodes = "".join(f"  - {{id: {d}, type: demand, demand: {{csv: demands.csv, column: {d}, unit: hm3}}}}\n"
                    for d in ids)
    (tmp_path / "m.yaml").write_text(
        "version: 1\ntime: {start: 2001-01, end: 2001-12}\nnodes:\n  - {id: src, type: inflow, inflow: 10}\n"
        + nodes + "  - {id: sea, type: sink, capacity: -1}\n"
        + "edges: [" + ", ".join(f"[src, {d}]" for d in ids) + ", [src, sea]]\n")
    with pytest.raises(ModelError) as info:
        daryo.load(tmp_path / "m.yaml")
    lines = str(info.value).splitlines()
    assert lines[0] == "9 problems in the model (2 lines: problems alike share a line):", lines
    alike = [line for line in lines if "has no value for 2001-07-01" in line]
    assert len(alike) == 1, lines
    assert alike[0].startswith(f"  - {tmp_path / 'm.yaml'}: nodes[d0].demand (line 5), nodes[d1].demand (line 6), "
                               "nodes[d2].demand (line 7) and 5 more: CSV file"), alike[0]
    assert len(lines) == 3 and "capacity" in lines[1], lines
    assert len(info.value.problems) == 9
    few = ModelError([Problem("m.yaml", f"nodes[r{k}].loss", "must be a fraction") for k in range(6)])
    assert str(few).splitlines()[1] == ("  - m.yaml: nodes[r0].loss, nodes[r1].loss, nodes[r2].loss, nodes[r3].loss, "
                                        "nodes[r4].loss, nodes[r5].loss: must be a fraction")  # (six: every one)


def test_one_problem_or_problems_at_one_place_read_as_before():
    """The same problem found twice at one place is one problem, said and counted once."""
    err = ModelError([Problem("m.yaml", "nodes[a].x", "wrong"), Problem("m.yaml", "nodes[a].x", "wrong"),
                      Problem("m.yaml", "", "no time")])
    assert str(err) == "2 problems in the model:\n  - m.yaml: nodes[a].x: wrong\n  - m.yaml: no time"
    assert str(ModelError(Problem("", "", "alone"))) == "1 problem in the model:\n  - alone"
    twice = ModelError([Problem("m.yaml", "edges[1]", "dangling")] * 2, subject="in the scenarios asked for")
    assert str(twice) == "1 problem in the scenarios asked for:\n  - m.yaml: edges[1]: dangling"


def test_the_count_of_problems_says_the_lines_they_are_on_where_problems_alike_share_one():
    """A team's review: "7 problems in the model" was followed by 6 lines, two dangling edges to one missing node
    said on one line.  The count is of the problems, and says the lines they are on where fewer."""
    err = ModelError([Problem("m.yaml", "metadata.basins.kok[0] (line 11)", "'upper_kok' is not a node"),
                      Problem("m.yaml", "edges[14] (line 103)", "'to' names 'salt_lake_sink', which is not a node"),
                      Problem("m.yaml", "edges[15] (line 104)", "'to' names 'salt_lake_sink', which is not a node"),
                      Problem("m.yaml", "edges[15] (line 104)", "duplicate edge")])
    lines = str(err).splitlines()
    assert lines[0] == "4 problems in the model (3 lines: problems alike share a line):", lines
    assert len(lines) == 4 and lines[2] == ("  - m.yaml: edges[14] (line 103), edges[15] (line 104): 'to' names "
                                            "'salt_lake_sink', which is not a node"), lines
    alike = ModelError([Problem("m.yaml", f"nodes[d{k}].demand", "no value for 2001-07-01") for k in range(3)])
    assert str(alike).splitlines()[0] == "3 problems in the model (1 line: problems alike share a line):"
    assert len(err.problems) == 4  # (each problem kept, for a caller)


def test_a_step_error_told_of_a_trace_keeps_its_class_and_attributes_and_pickles_whole():
    """A numerical analyst's review: an ensemble's infeasible step named the chunk's "scenario 8", not the trace.  The
    error told of a trace names it instead, and crosses from a Dask worker (pickled) whole."""
    import pickle

    from daryo.errors import InfeasibleStepError

    exc = InfeasibleStepError(9, "2001-07-01", "8", ["r"], "Of these, r has a minimum.")
    told = exc.in_trace("trace 8 of seed 0")
    assert isinstance(told, InfeasibleStepError)
    assert str(told).startswith("the allocation problem is infeasible at step 9 (2001-07-01), trace 8 of seed 0: the "
                                "bounds of these components conflict: r.")
    again = pickle.loads(pickle.dumps(told))
    assert type(again) is InfeasibleStepError and str(again) == str(told)
    assert (again.step, again.time, again.scenario, again.components) == (9, "2001-07-01", "8", ["r"])


def test_a_model_error_and_a_parameter_error_pickle_and_copy_whole():
    """A parameter sweep's review: a ModelError raised in a worker process could not be unpickled ("'str' object has
    no attribute 'file'": its constructor was given its message as its problems), which broke every future of a
    ProcessPoolExecutor and hung a multiprocessing.Pool; copy.copy and copy.deepcopy failed so too.  It crosses
    whole, with its problems, note and subject; a parameter's error keeps its scenario and step."""
    import copy
    import pickle

    from daryo.parameters.base import ParameterValueError

    err = ModelError([Problem("m.yaml", "nodes[a].x (line 4)", "wrong"), Problem("m.yaml", "", "no time")],
                     note="note: read so", subject="in the scenarios asked for")
    for again in (pickle.loads(pickle.dumps(err)), copy.copy(err), copy.deepcopy(err)):
        assert type(again) is ModelError and str(again) == str(err)
        assert (again.problems, again.note, again.subject) == (err.problems, err.note, err.subject)
        assert again.problems[0].line == 4
    value = pickle.loads(pickle.dumps(ParameterValueError("index 5 beyond the list", scenario=3, step=7)))
    assert (str(value), value.scenario, value.step) == ("index 5 beyond the list", 3, 7)


def test_a_model_error_raised_in_a_worker_process_reaches_the_caller():
    """The same review's case: a bad overlay in one variant of a sweep, run in a spawned worker process."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        future = pool.submit(daryo.load_text, "version: 1\nname: m\nnodes: []\n", name="bad.yaml")
        with pytest.raises(ModelError) as info:
            future.result(timeout=120)
    assert info.value.problems and all(p.file == "bad.yaml" for p in info.value.problems)


def test_a_hint_that_looks_identical_to_the_word_names_the_character_that_differs():
    """A hydro-informatics lecturer's review: an edge to 'fаrms_kaz' (a Cyrillic а) was told "did you mean
    'farms_kaz'?", identical on screen.  The character that differs is named with its code point, the word's or the
    hint's; a plain typo's hint is as before."""
    from daryo.errors import did_you_mean

    assert did_you_mean("f\u0430rms_kaz", ["farms_kaz", "farms_uzb", "town"]) == (
        " (did you mean 'farms_kaz'? 'f\u0430rms_kaz' holds '\u0430' (U+0430 CYRILLIC SMALL LETTER A), which looks "
        "like an ASCII character and is not)")
    assert did_you_mean("frams_kaz", ["farms_kaz", "town"]) == " (did you mean 'farms_kaz'?)"
    assert did_you_mean("farms_kaz", ["f\u0430rms_kaz", "town"]) == (  # (the node's own id typed so)
        " (did you mean 'f\u0430rms_kaz'? 'f\u0430rms_kaz' holds '\u0430' (U+0430 CYRILLIC SMALL LETTER A), which "
        "looks like an ASCII character and is not)")
    assert did_you_mean("farms_kaz\u200b", ["farms_kaz", "town"]) == (
        " (did you mean 'farms_kaz'? 'farms_kaz\u200b' holds '' (U+200B ZERO WIDTH SPACE), which shows as nothing)")
    toktogul = "\u0422\u043e\u043a\u0442\u043e\u0433\u0443\u043b"  # (Cyrillic ids: a typo, no look-alike)
    assert did_you_mean(toktogul[:-1] + "\u043f", [toktogul]) == f" (did you mean '{toktogul}'?)"



def test_a_look_alike_id_among_ids_numbered_in_series_is_the_hint():
    """A JSON-generating engineer's review: nodes main_canal_1, main_сanal_2 (a Cyrillic с) and main_canal_3, and an
    edge to main_canal_2, got no hint at all (the three ids are equally close to it) and nothing naming U+0441.  The
    id that is the word but for look-alike or invisible characters is the hint, whatever the others' ratios, even
    where difflib's ratio is below the hint's 0.65 (a two-letter id)."""
    from daryo.errors import did_you_mean

    assert did_you_mean("main_canal_2", ["main_canal_1", "main_\u0441anal_2", "main_canal_3"]) == (
        " (did you mean 'main_\u0441anal_2'? 'main_\u0441anal_2' holds '\u0441' (U+0441 CYRILLIC SMALL LETTER ES), "
        "which looks like an ASCII character and is not)")
    assert did_you_mean("\u0430b", ["ab", "cd"]) == (
        " (did you mean 'ab'? '\u0430b' holds '\u0430' (U+0430 CYRILLIC SMALL LETTER A), which looks like an ASCII "
        "character and is not)")
    assert did_you_mean("main_canal_2", ["main_canal_1", "main_canal_3"]) == ""  # (a plain tie: no hint, as before)


def test_arabic_and_persian_letters_of_one_shape_are_named_in_the_hint():
    """An Afghan water-ministry planner's review: Windows-1256 exports write Arabic kaf and yeh (U+0643, U+064A) where
    Persian has keheh and Farsi yeh (U+06A9, U+06CC); an edge to 'جوزجاني' for a node 'جوزجانی' was told "did you
    mean 'جوزجانی'?" and nothing of the letter that differs.  Both are named; the id wins over ids that tie with it.
    Heh and teh marbuta (ه, ة) are other letters: only difflib's hint, no note."""
    from daryo.errors import did_you_mean

    jowzjani = "\u062c\u0648\u0632\u062c\u0627\u0646"
    assert did_you_mean(jowzjani + "\u064a", [jowzjani + "\u06cc"]) == (
        f" (did you mean '{jowzjani}\u06cc'? '{jowzjani}\u064a' holds '\u064a' (U+064A ARABIC LETTER YEH) where "
        f"'{jowzjani}\u06cc' holds '\u06cc' (U+06CC ARABIC LETTER FARSI YEH): Arabic and Persian letters that look "
        "alike and are not the same)")
    kokcha, arabic = "\u06a9\u0648\u06a9\u0686\u0647", "\u0643\u0648\u0643\u0686\u0647"
    assert did_you_mean(kokcha, [arabic, kokcha[:-1] + "\u0627", kokcha[:-1] + "\u0648"]) == (
        f" (did you mean '{arabic}'? '{kokcha}' holds '\u06a9' (U+06A9 ARABIC LETTER KEHEH) where '{arabic}' holds "
        "'\u0643' (U+0643 ARABIC LETTER KAF): Arabic and Persian letters that look alike and are not the same)")
    assert did_you_mean("\u0645\u0648\u0633\u0649", ["\u0645\u0648\u0633\u06cc"]).endswith(
        "holds '\u0649' (U+0649 ARABIC LETTER ALEF MAKSURA) where '\u0645\u0648\u0633\u06cc' holds '\u06cc' "
        "(U+06CC ARABIC LETTER FARSI YEH): Arabic and Persian letters that look alike and are not the same)")
    assert did_you_mean("\u0628\u0644\u062e\u0629", ["\u0628\u0644\u062e\u0647"]) == (
        " (did you mean '\u0628\u0644\u062e\u0647'?)")


def test_directional_marks_and_the_zero_width_non_joiner_are_told_as_what_they_are():
    """An Afghan water-ministry planner's review: a node 'farm' with a right-to-left mark (text pasted from a Persian
    document) was told "did you mean 'farm‏'?", identical on screen; and an edge to 'قوشتپه' for a node 'قوش‌تپه'
    (Persian spelling, with a zero-width non-joiner) was told the ZWNJ "looks like an ASCII character".  The marks
    (U+200E, U+200F, U+061C) are named as showing as nothing; the ZWNJ as written in one and not in the other."""
    from daryo.errors import did_you_mean, hidden_characters_named

    for mark, name in (("\u200f", "RIGHT-TO-LEFT MARK"), ("\u200e", "LEFT-TO-RIGHT MARK"),
                       ("\u061c", "ARABIC LETTER MARK")):
        assert did_you_mean("farm", [f"farm{mark}", "town"]) == (
            f" (did you mean 'farm{mark}'? 'farm{mark}' holds '' (U+{ord(mark):04X} {name}), which shows as nothing)")
    qosh, plain = "\u0642\u0648\u0634\u200c\u062a\u067e\u0647", "\u0642\u0648\u0634\u062a\u067e\u0647"
    assert did_you_mean(plain, [qosh, "town"]) == (
        f" (did you mean '{qosh}'? '{qosh}' is written with a zero-width non-joiner (U+200C) and '{plain}' without "
        "one)")
    assert hidden_characters_named("\u200f150") == (
        " ('\u200f150' holds '' (U+200F RIGHT-TO-LEFT MARK), which shows as nothing: remove it)")
    assert hidden_characters_named("1\u04305") == (
        " ('1\u04305' holds '\u0430' (U+0430 CYRILLIC SMALL LETTER A), which looks like an ASCII character and is not: "
        "retype it in ASCII)")
    assert hidden_characters_named("150") == ""


def test_a_problem_gives_the_line_its_place_names(tmp_path):
    """A backend developer's review: a service that marks the line of a problem in an editor had to read it out of
    the place's text (``'nodes[farm].demand (line 6)'``).  ``Problem.line`` gives it, where the loader knows it: a
    model's value, a file that is not YAML, an overlay's change; None for a row of a CSV file the model names (a
    line of another file than ``file``) and for a model built in code."""
    (tmp_path / "q.csv").write_text("date,q\n2000-10-01,1\n2000-11-01,x\n")
    model = ("version: 1\nname: x\ntime: {start: 2000-10, end: 2001-09}\nnodes:\n"
             "  - {id: a, type: inflow, inflow: {csv: q.csv, column: q}}\n"
             "  - {id: farm, type: demand, demand: -3}\nedges:\n  - [a, farm]\n")
    with pytest.raises(ModelError) as info:
        daryo.load_text(model, base_dir=tmp_path)
    assert [(p.file, p.place, p.line) for p in info.value.problems] == [
        ("upload.yaml", f"{tmp_path / 'q.csv'} line 3, column 'q'", None),
        ("upload.yaml", "nodes[farm].demand (line 6)", 6)]
    with pytest.raises(ModelError) as info:
        daryo.load_text("version: 1\nname: x\n  bad: [\n")
    assert [(p.place, p.line) for p in info.value.problems] == [("line 3, column 6", 3)]
    (tmp_path / "dry.yaml").write_text("title: dry\nchanges:\n  - scale_inflows:\n      factor: -2\n")
    with pytest.raises(ModelError) as info:
        daryo.load(daryo.demo_model_path(), scenarios=[str(tmp_path / "dry.yaml")])
    assert [(p.file, p.line) for p in info.value.problems] == [(str(tmp_path / "dry.yaml"), 4)]
    assert Problem("m.yaml", "nodes[farm].demand", "is negative").line is None
    assert Problem("", "edges[3] (river -> farm).max_flow (line 12)", "is negative").line == 12
    # (a JSON-generating engineer's review: an id used twice names both its lines, and ``line`` was None)
    assert Problem("m.json", "nodes[d11_3_1] (lines 3984, 4009)", "the id 'd11_3_1' is used by 2 nodes").line == 3984


def test_ids_that_differ_in_apostrophes_or_in_unicode_form_name_what_differs():
    """A Tashkent ministry analyst's review: an overlay's 'gʻalla_sugʼorish' (U+02BB, then U+02BC) for a node
    'gʻalla_sugʻorish' was told "did you mean 'gʻalla_sugʻorish'?" and nothing of the apostrophes; and 'Кўкон'
    written NFD ('у' and U+0306 COMBINING BREVE) for 'Кўкон' was told it "holds 'у' (U+0443 CYRILLIC SMALL LETTER
    U), which looks like an ASCII character", the mark that differs never named."""
    from daryo.errors import did_you_mean

    node = "g\u02bballa_sug\u02bborish"
    for wrong, named in (("\u02bc", "'\u02bc' (U+02BC MODIFIER LETTER APOSTROPHE)"),
                         ("\u2019", "'\u2019' (U+2019 RIGHT SINGLE QUOTATION MARK)"), ("'", "''' (U+0027 APOSTROPHE)")):
        word = node.replace("\u02bbo", wrong + "o")
        assert did_you_mean(word, [node, "Chirchiq"]) == (
            f" (did you mean '{node}'? '{word}' holds {named} where '{node}' holds '\u02bb' (U+02BB MODIFIER LETTER "
            "TURNED COMMA): apostrophes that look alike and are not the same)")
    kokon = "\u041a\u045e\u043a\u043e\u043d"
    nfd = unicodedata.normalize("NFD", kokon)
    assert nfd == "\u041a\u0443\u0306\u043a\u043e\u043d"
    assert did_you_mean(nfd, [kokon, "\u043a\u045e\u043b"]) == (
        f" (did you mean '{kokon}'? '{nfd}' holds '\u0443' (U+0443 CYRILLIC SMALL LETTER U), '\u25cc\u0306' (U+0306 "
        f"COMBINING BREVE) where '{kokon}' holds '\u045e' (U+045E CYRILLIC SMALL LETTER SHORT U): the same letters, "
        "written as a letter and a separate combining mark (Unicode's decomposed form, NFD) and as one code point "
        "(NFC))")


def test_names_that_look_the_same_and_what_differs_in_them():
    """Scenario columns of two files are matched by name (:func:`daryo.model.loader`): names one composed and
    stripped are one name; names that differ only in case or in look-alike letters look the same and are not."""
    from daryo.errors import differences_named, looks_the_same

    dry = "\u0441\u0443\u0445\u043e\u0439"
    assert looks_the_same("\u0421\u0443\u0445\u043e\u0439", dry) and looks_the_same("c\u0443\u0445\u043e\u0439", dry)
    assert looks_the_same("B\u043b", "\u0412\u043b") and looks_the_same("\u0412\u043b", "\u0432\u043b")
    assert not looks_the_same(f" {dry}", dry) and not looks_the_same(unicodedata.normalize("NFD", "\u0439"), "\u0439")
    assert not looks_the_same("wet", "dry") and not looks_the_same(dry, dry)
    assert differences_named("c\u0443\u0445\u043e\u0439", dry) == (
        "'c\u0443\u0445\u043e\u0439' holds 'c' (U+0063 LATIN SMALL LETTER C) where '\u0441\u0443\u0445\u043e\u0439' "
        "holds '\u0441' (U+0441 CYRILLIC SMALL LETTER ES)")
    assert differences_named("ab", "a") == "'ab' holds 'b' (U+0062 LATIN SMALL LETTER B) where 'a' holds nothing"
    assert differences_named("a", "a") == ""


def test_a_word_of_cyrillic_letters_alone_is_no_look_alike():
    """A Tashkent ministry analyst's review: a Russian month in a date cell ('окт.20') and a units row ('ед. изм.')
    were told to "retype it in ASCII", which cannot help.  Look-alike letters are named where a word mixes them with
    ASCII letters or digits; marks that show as nothing and look-alike punctuation, wherever they are."""
    from daryo.errors import hidden_characters_named

    for text in ("\u043e\u043a\u0442.20", "\u0435\u0434. \u0438\u0437\u043c.", "\u0421\u0443\u0445"):
        assert hidden_characters_named(text) == ""
    assert hidden_characters_named("\u200f\u043e\u043a\u0442") == (
        " ('\u200f\u043e\u043a\u0442' holds '' (U+200F RIGHT-TO-LEFT MARK), which shows as nothing: remove it)")
    assert hidden_characters_named("\u041cW") == (
        " ('\u041cW' holds '\u041c' (U+041C CYRILLIC CAPITAL LETTER EM), which looks like an ASCII character and is "
        "not: retype it in ASCII)")
    assert hidden_characters_named("10\uff0c5") == (
        " ('10\uff0c5' holds '\uff0c' (U+FF0C FULLWIDTH COMMA), which looks like an ASCII character and is not: "
        "retype it in ASCII)")
