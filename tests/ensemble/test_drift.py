"""Whether an ensemble's figures drift with the run year (daryo.ensemble.drift), worked out by hand, and the note the
ensemble report prints of it."""

import numpy as np
import pytest
from scipy.stats import t

from daryo.cli import main
from daryo.ensemble import EnsembleOptions, run_ensemble
from daryo.ensemble.drift import run_year_drift
from daryo.testmodels import build


class DrawDownTraces:
    """:func:`draw_down`'s trace source: trace i brings 10 + 0.1 i hm³ a month."""

    def __call__(self, seed, indices, years, axis):
        return {"up": np.stack([np.full(axis.n_steps, 10.0 + 0.1 * int(i)) for i in indices])}

    def describe(self):
        return "10 + 0.1 i hm3 a month"


def draw_down():
    """A farm that wants 12 hm³ a month of a river that brings 10 + 0.1 i (trace i), behind a dam that starts with
    60 hm³::

        [up] --> <dam: 60 of 100> --> [farm: 12 a month]
                                  \\--> [sea]

    The dam makes up the farm's 24 − 1.2 i a year for its first two years; it is empty in the third, and from the
    fourth the farm is short by (24 − 1.2 i) / 144 of its demand a year (16.7 % in trace 0 to 14.2 % in trace 3):
    a warm-up, the run's start (a full dam) in its first years' figures."""
    nodes = [{"id": "up", "type": "inflow", "inflow": 10},
             {"id": "dam", "type": "reservoir", "max_volume": 100, "initial_volume": 60},
             {"id": "farm", "type": "demand", "demand": 12, "priority": 1},
             {"id": "sea", "type": "sink"}]
    return build(nodes, [["up", "dam"], ["dam", "farm"], ["dam", "sea"]], steps=12, start="2001-10")


@pytest.fixture(scope="module")
def draw_down_store(tmp_path_factory):
    """An ensemble of :func:`draw_down`, 4 traces × 6 years, deficit threshold 10 %."""
    out = tmp_path_factory.mktemp("draw_down") / "d.nc"
    run_ensemble(draw_down(), EnsembleOptions(traces=4, years=6, deficit_threshold=0.1), out,
                 source=DrawDownTraces())
    return out


def test_the_first_run_years_are_set_against_the_last_third_paired_by_trace(draw_down_store):
    """An actuary's review: a pooled share mixed the run's first years, milder where the reservoirs start fuller,
    with no word.  The farm is never short in run years 0 and 1 (the first third) and always short by more than
    10 % in years 4 and 5 (the last third): P 0 against 1, with no noise (every trace the same), and a mean deficit
    0 against (24 − 1.8) / 144, whose standard error is that of the traces' own differences, (24 − 1.2 i) / 144."""
    table = run_year_drift(draw_down_store)
    assert table.attrs["first_year"] == [0] and table.attrs["first_third"] == [0, 1]
    assert table.attrs["last_third"] == [4, 5] and table.attrs["traces"] == 4
    rows = table.set_index(["quantity", "early_years"])
    assert sorted(rows.index) == [("P", "first third"), ("P", "first year"), ("mean deficit", "first third"),
                                  ("mean deficit", "first year")]
    for window in ("first year", "first third"):
        p, mean = rows.loc[("P", window)], rows.loc[("mean deficit", window)]
        assert (p["early"], p["late"], p["difference"], p["se"], p["drifts"]) == (0.0, 1.0, -1.0, 0.0, True)
        short = (24 - 1.2 * np.arange(4)) / 144
        assert mean["late"] == pytest.approx(short.mean(), rel=1e-6)
        assert mean["se"] == pytest.approx(short.std(ddof=1) / 2, rel=1e-6)
        assert mean["margin"] == pytest.approx(t.ppf(1 - 0.025 / 4, 3) * mean["se"], rel=1e-9)  # (4 rows tested)
        assert mean["drifts"]
    later = run_year_drift(draw_down_store, years=slice(3, None))  # (years 3 to 5: short alike)
    assert later.attrs["first_year"] == [3] and not later["drifts"].any()


def test_the_ensemble_report_says_where_its_figures_drift_with_the_run_year(draw_down_store, capsys):
    """The report (daryo ensemble's and daryo summary's) says in one note where its main figures drift, and how to
    leave the first years out; none over run years that do not drift, nor of one run year."""
    assert main(["summary", str(draw_down_store)]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: figures drift")]
    assert notes == [
        "note: figures drift with the run year, beyond their sampling noise (paired by trace; against run years "
        "4–5): farm P 0 % in run year 0 and 0 % in run years 0–1 against 100 %; farm mean deficit 0 % in run year 0 "
        "and 0 % in run years 0–1 against 15 %.  The pooled figures mix the run's first years (a warm-up, where the "
        "reservoirs start away from their usual volumes at that date; or an overlay's given years) with the later "
        f"ones, and so depend on --years: daryo summary {draw_down_store} --year 2: leaves out the first third"]
    for over in ("3:", "0"):
        assert main(["summary", str(draw_down_store), "--year", over]) == 0
        assert "note: figures drift" not in capsys.readouterr().out
    # a range's end is kept in the advice, and a range that already leaves the first years out is not told to leave
    # out more (a diff reread: --year 3: advised --year 5:, and --year 3:8 lost its end)
    assert main(["summary", str(draw_down_store), "--year", "0:5"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"daryo summary {draw_down_store} --year 1:5 leaves out the "
                                                     "first year")  # (of 5 run years: a third is one)
    assert main(["summary", str(draw_down_store), "--year", "1:"]) == 0
    note = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("note: figures drift"))
    assert note.endswith("they trend through the run (a reservoir still filling, say), so they depend on the run "
                         "years taken; give those years with any figure quoted") and "--year" not in note
