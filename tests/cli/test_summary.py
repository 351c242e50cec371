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
