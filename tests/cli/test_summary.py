"""The summary ``daryo run`` prints (:mod:`daryo.cli.summary`)."""

import daryo
from daryo.cli import summary
from daryo.cli.summary import format_summary
from daryo.testmodels import farm_and_town


def test_the_run_summary_lists_the_demands_short_the_largest_share_first(monkeypatch):
    """A large-network modeller's review: the run's summary pooled a country's 336 off-takes and named none of those
    short.  daryo.testmodels.farm_and_town's farm is short by 150 of 360 a year (41.7 %), in the 6 summer months
    of the 12 it asks for water in; with a drier river (14 a month) the farm gets nothing and the town and the
    field, of one priority, 14 of their 15 a month (each short by 1/15): the farm first; at most DEMANDS_SHOWN are
    listed."""
    model = farm_and_town()
    printed = format_summary(model, daryo.run(model))
    block = printed[printed.index("demands short"):].splitlines()
    assert block[0] == ("demands short (1 of 3; hm³/yr; share: of its demand; steps short: of the steps it asked "
                        "for water in):")
    assert block[1].split() == ["demand", "demand", "delivered", "deficit", "share", "steps", "short"]
    assert block[2].split() == ["farm", "360.0", "210.0", "150.0", "41.7", "%", "50.0", "%"]
    assert not block[3].strip()
    assert "demands short" not in format_summary(farm_and_town([100.0] * 12), daryo.run(farm_and_town([100.0] * 12)))
    dry = farm_and_town([14.0] * 12)
    monkeypatch.setattr(summary, "DEMANDS_SHOWN", 1)
    block = format_summary(dry, daryo.run(dry))
    block = block[block.index("demands short"):].splitlines()
    assert block[0].startswith("demands short (3 of 3, the 1 with the largest share shown; hm³/yr;"), block[0]
    assert block[2].split()[:2] == ["farm", "360.0"] and block[2].split()[4:] == ["100.0", "%", "100.0", "%"]
    assert not block[3].strip()


def _two_projections(n: int = 2):
    """daryo.testmodels.farm_and_town with its river as ``n`` named scenarios: "ssp245" the usual river (the farm
    short 150 a year, 30 reaching the sea in winter), "ssp585" 14 a month (the farm gets nothing, short 360; the
    town and the field share 14 of their 15 a month: short 8 and 4 a year; 168 delivered); more: ssp245 again."""
    from daryo.testmodels import FARM_AND_TOWN_RIVER, build

    river = {"monthly": [FARM_AND_TOWN_RIVER, [14.0] * 12] + [FARM_AND_TOWN_RIVER] * (n - 2),
             "scenarios": ["ssp245", "ssp585"] + [f"copy{i}" for i in range(n - 2)]}
    return build([{"id": "river", "type": "inflow", "inflow": river}, {"id": "j", "type": "junction"},
                  {"id": "town", "type": "demand", "demand": 10, "category": "municipal", "priority": 1,
                   "country": "UZB"},
                  {"id": "field", "type": "demand", "demand": 5, "priority": 1, "country": "KAZ"},
                  {"id": "farm", "type": "demand", "demand": {"monthly": [10.0] * 3 + [50.0] * 6 + [10.0] * 3},
                   "priority": 2, "country": "UZB"},
                  {"id": "sea", "type": "sink"}],
                 [["river", "j"], ["j", "town"], ["j", "field"], ["j", "farm"], ["j", "sea"]], steps=12,
                 start="2001-10")


def test_the_run_summary_gives_the_main_figures_by_scenario():
    """A climate-services review: a run of two projections printed only values pooled over them (Uzbekistan's
    winter deficit 748 hm³, 262 and 1,586 by projection).  Here UZB is short 150 a year in ssp245 and 368 in
    ssp585 (259 pooled)."""
    model = _two_projections()
    printed = format_summary(model, daryo.run(model))
    block = printed[printed.index("by scenario"):].splitlines()
    assert block[0] == ("by scenario (the tables above pool the scenarios; hm³/yr; "
                        "daryo.indicators.scenario_summary(ds)):")
    assert block[1].split() == ["scenario", "deficit", "KAZ", "deficit", "UZB", "deficit", "delivered", "sink",
                                "inflow"]
    assert block[2].split() == ["ssp245", "0.0", "150.0", "150.0", "390.0", "30.0"]
    assert block[3].split() == ["ssp585", "4.0", "368.0", "372.0", "168.0", "0.0"]
    assert not block[4].strip()
    one = farm_and_town()
    assert "by scenario" not in format_summary(one, daryo.run(one))


def test_the_run_summary_gives_the_spread_of_many_scenarios_in_one_line(monkeypatch):
    """More scenarios than a screen holds: the least and the most of each figure, in one line."""
    monkeypatch.setattr(summary, "SCENARIOS_SHOWN", 2)
    model = _two_projections(3)
    printed = format_summary(model, daryo.run(model))
    assert ("\nspread over the 3 scenarios (least to most; hm³/yr; each scenario's: "
            "daryo.indicators.scenario_summary(ds)): deficit 150.0 to 372.0; delivered 168.0 to 390.0; sink inflow "
            "0.0 to 30.0\n") in printed
    assert "by scenario" not in printed
