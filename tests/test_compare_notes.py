"""The notes of a comparison (``daryo.compare_notes``) on what two runs or ensembles computed from: told by the
inputs' digests and names, not by their folders (a reproducibility review: a reader's rerun in another folder, of
copies of the author's model file and overlays, was read as of other inputs, and one number changed in an overlay
went unsaid)."""

from __future__ import annotations

from pathlib import Path

import daryo
from daryo.compare import compare_ensembles, compare_runs
from daryo.compare_notes import _without_folders, overlay_names

#: a river, a town and a farm, one year of months::
#:
#:     [river: its CSV's flow] --> [town: 4, priority 1]
#:                         \\---> [farm: 8, priority 2]
#:                          \\--> [sea]
BASIN = """version: 1
name: reader
time: {start: 2000-10, end: 2002-09}
nodes:
  - {id: river, type: inflow, inflow: {csv: river.csv, column: flow}}
  - {id: town, type: demand, demand: 4, country: UZB}
  - {id: farm, type: demand, demand: 8, priority: 2, country: KAZ}
  - {id: sea, type: sink}
edges: [[river, town], [river, farm], [river, sea]]
"""

RIVER = "date,flow\n" + "".join(f"{y}-{m:02d},{10 + m % 3}\n" for y in (2000, 2001, 2002) for m in range(1, 13))

#: an overlay that cuts the farm's demand, and one that makes the river drier
CUT = "title: a cut\nchanges:\n  - scale_demands: {nodes: [farm], factor: 60 %}\n"
DRY = "title: dry\nchanges:\n  - scale_inflows: {nodes: [river], factor: 80 %}\n"


def _folder(root: Path, name: str, cut: str = CUT, dry: str = DRY) -> Path:
    """A folder of the model file, its CSV and the two overlays (the author's, or a reader's copies)."""
    folder = root / name
    folder.mkdir()
    (folder / "basin.yaml").write_text(BASIN)
    (folder / "river.csv").write_text(RIVER)
    (folder / "cut.yaml").write_text(cut)
    (folder / "dry.yaml").write_text(dry)
    return folder


def _run(folder: Path) -> daryo.Results:
    return daryo.run(daryo.load(folder / "basin.yaml", scenarios=[str(folder / "cut.yaml")]))


def test_a_readers_overlay_of_one_number_changed_in_another_folder_is_told(tmp_path):
    """The author's run and a reader's, of copies of the model file, its CSV and the overlay in another folder, one
    of the overlay's numbers changed (60 % to 60.0001 %): told as an edit in place is (their network_sha256), though
    no row changes by 0.05."""
    author = _run(_folder(tmp_path, "author")).dataset
    edited = _run(_folder(tmp_path, "reader", cut=CUT.replace("60 %", "60.0001 %"))).dataset
    assert author.attrs["scenarios"] != edited.attrs["scenarios"]
    assert author.attrs["network_sha256"] != edited.attrs["network_sha256"]
    notes = compare_runs(author, edited).attrs["notes"]
    assert ("the runs are of the same model file, data files and overlay names, yet what they computed from differs "
            "(their network_sha256): an overlay file of the same name differs (edited, or another file of that "
            "name): their differences are of those changes") in notes
    assert not [n for n in notes if "same inputs" in n]


def test_a_faithful_rerun_in_another_folder_is_said_to_be_of_the_same_inputs(tmp_path):
    """A reader's rerun of the author's copies in another folder (equal network_sha256): said to be of the same
    inputs, so that what differs is the solver's (none here); a rerun of a data file edited has no such note."""
    author = _run(_folder(tmp_path, "author")).dataset
    reader_folder = _folder(tmp_path, "reader")
    reader = _run(reader_folder).dataset
    assert author.attrs["network_sha256"] == reader.attrs["network_sha256"]
    notes = compare_runs(author, reader).attrs["notes"]
    assert notes == ["the runs computed from the same inputs (their network_sha256 are equal: the same model, data "
                     "files and overlays, wherever their files are): a difference between them is the solver's alone, "
                     "and none changes by 0.05 or more"]
    (reader_folder / "river.csv").write_text(RIVER.replace(",10\n", ",3\n"))
    wetter = _run(reader_folder).dataset
    notes = compare_runs(author, wetter).attrs["notes"]
    assert not [n for n in notes if "same inputs" in n]
    assert [n for n in notes if n.startswith("the runs are of the same model file and overlays, yet what they "
                                             "computed from differs (their network_sha256): a data file")]


def test_hydrology_named_by_its_files_in_other_folders_is_not_other_hydrology(tmp_path):
    """A reproducibility review: the embedded model with a forecast overlay reading its CSV, run by the author and by
    a reader in another folder (equal network_sha256), was said to have "different hydrology": the results'
    hydrology names the files by their full paths."""
    runs = []
    for name in ("author", "reader"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "naryn.csv").write_text("date,naryn\n" + "".join(f"2000-{m:02d},{900 + m}\n" for m in (10, 11, 12))
                                          + "".join(f"2001-{m:02d},{800 + m}\n" for m in range(1, 10)))
        (folder / "naryn-fc.yaml").write_text(f"title: Naryn forecast\nchanges:\n  - set:\n      naryn_in: {{inflow: "
                                              f"{{csv: {folder / 'naryn.csv'}, column: naryn, unit: hm3}}}}\n")
        model = daryo.load(None, years=1, scenarios=[str(folder / "naryn-fc.yaml")])
        runs.append(daryo.run(model).dataset)
    assert runs[0].attrs["hydrology"] != runs[1].attrs["hydrology"]
    assert runs[0].attrs["network_sha256"] == runs[1].attrs["network_sha256"]
    notes = compare_runs(*runs).attrs["notes"]
    assert not [n for n in notes if "different hydrology" in n]
    assert [n for n in notes if n.startswith("the runs computed from the same inputs")]


def test_files_are_named_without_their_folders():
    text = ("kind norm, traces 1, seed 0 for kara_darya_in; naryn_in set by the overlay /a/b/naryn-fc.yaml to series "
            "of its file C:\\data\\fc\\naryn.csv")
    assert _without_folders(text) == ("kind norm, traces 1, seed 0 for kara_darya_in; naryn_in set by the overlay "
                                      "naryn-fc.yaml to series of its file naryn.csv")
    assert overlay_names("/a/syr-dry.yaml, icwc, b\\toktogul-low.yaml") == ["syr-dry.yaml", "icwc",
                                                                             "toktogul-low.yaml"]


def _ensemble(folder: Path, overlays: tuple[str, ...], name: str = "ens.nc") -> Path:
    from daryo.ensemble import EnsembleOptions, run_ensemble

    model = daryo.load(folder / "basin.yaml", scenarios=[str(folder / o) for o in overlays])
    run_ensemble(model, EnsembleOptions(traces=3, years=2, seed=5), folder / name)
    return folder / name


def test_ensembles_of_an_overlay_edited_or_copied_are_told_by_their_digests(tmp_path):
    """Ensembles of one folder, an overlay edited between them (the farm's cut, not the inflows: their traces the
    same): said to share their traces, and what they computed from to differ (their network).  A reader's faithful
    rerun in another folder: of the same inputs and traces."""
    author = _folder(tmp_path, "author")
    stores = [_ensemble(author, ("cut.yaml",), "a.nc")]
    (author / "cut.yaml").write_text(CUT.replace("60 %", "70 %"))
    stores.append(_ensemble(author, ("cut.yaml",), "b.nc"))
    table = compare_ensembles(*stores)
    assert ("the ensembles are of the same model file, data files and overlay names, yet what they computed from "
            "differs (their network attribute): an overlay file of the same name differs (edited, or another file "
            "of that name): their differences are of those changes") in table.attrs["notes"]
    assert table.attrs["paired"] and table.attrs["same_traces"]
    (author / "cut.yaml").write_text(CUT)
    dry = _ensemble(author, ("cut.yaml", "dry.yaml"), "dry.nc")
    reader = _folder(tmp_path, "reader")
    same = _ensemble(reader, ("cut.yaml", "dry.yaml"))
    table = compare_ensembles(dry, same)
    assert ("the ensembles computed from the same inputs (their network and trace_digest are equal: the same model, "
            "data files and overlays, wherever their files are): a difference between them is the solver's alone, "
            "and none changes by 0.05 or more") in table.attrs["notes"]
    assert table.attrs["paired"] and table.attrs["same_traces"]


def test_ensembles_of_an_inflow_overlay_changed_in_another_folder_are_paired_and_the_change_said(tmp_path):
    """A reproducibility review (reader3): the author's ensemble of the embedded model and a reader's, of a copy of
    the drought overlay in another folder with its factor changed (60 % to 60.0001 %), were said to share their
    traces with no word of the change.  They are drawn alike (one seed, one model): their differences are paired,
    trace-year by trace-year, as those of two overlays of other names are (a diff review: unpaired, they were
    hidden in a noise four times as large), and a note says that what they computed from differs."""
    from daryo.ensemble import EnsembleOptions, run_ensemble

    stores = []
    for name, factor in (("author", "60 %"), ("reader", "60.0001 %")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "syr-dry.yaml").write_text(f"title: dry\nchanges:\n  - scale_inflows: {{basin: syr, factor: "
                                             f"{factor}, years: [1]}}\n")
        run_ensemble(daryo.load(None, scenarios=[str(folder / "syr-dry.yaml")]),
                     EnsembleOptions(traces=2, years=1, seed=7), folder / "ens.nc")
        stores.append(folder / "ens.nc")
    table = compare_ensembles(*stores)
    notes = table.attrs["notes"]
    assert table.attrs["paired"] and [n for n in notes if n.startswith("the ensembles share their traces")]
    assert [n for n in notes if n.startswith("the ensembles are of the same model file, data files and overlay names, "
                                             "yet what they computed from differs (their network attribute)")]
