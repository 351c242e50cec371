import numpy as np
import pytest

from daryo.units import (
    UnitError,
    ascii_number,
    is_number,
    is_per_month,
    is_too_large,
    is_whole,
    number_in_text,
    parse_quantity,
    unit_factor,
)


@pytest.mark.parametrize("unit,dim,factor,rate", [
    ("km3", "volume", 1000.0, False), ("Mm3", "volume", 1.0, False), ("hm³", "volume", 1.0, False),
    ("m3/s", "flow", 0.0864, True), ("hm3/day", "flow", 1.0, True), ("km3/yr", "flow", 1000 / 365.25, True),
    ("TWh", "energy", 1000.0, False), ("GW", "power", 1000.0, False), ("%", "fraction", 0.01, False),
    ("ha", "area", 0.01, False), ("m2", "area", 1e-6, False),
    # 1 MWh = 1e-3 GWh; a year is 365.25 days, written /yr, /year or /a
    ("MWh/day", "energy", 1e-3, True), ("km3/year", "flow", 1000 / 365.25, True),
    ("km3/a", "flow", 1000 / 365.25, True), ("TWh/a", "energy", 1000 / 365.25, True),
    ("m3", "volume", 1e-6, False), ("MWh", "energy", 1e-3, False), ("GWh", "energy", 1.0, False),
    ("mm3", "volume", 1.0, False), ("km2", "area", 1.0, False),
    # an annual licence in hm3 (Mm3, MCM) a year (a QA pass found only km3/yr)
    ("hm3/yr", "flow", 1 / 365.25, True), ("Mm3/year", "flow", 1 / 365.25, True), ("MCM/yr", "flow", 1 / 365.25, True),
    # a spring's or a small canal's litres a second, m3 a day; m3/sec (the modeller's review)
    ("l/s", "flow", 0.0864e-3, True), ("L/s", "flow", 0.0864e-3, True), ("m3/day", "flow", 1e-6, True),
    ("m3/sec", "flow", 0.0864, True),
    # the SI's negative powers, a caret and cumecs (a review: each was "unknown unit" with no hint)
    ("m3 s-1", "flow", 0.0864, True), ("m^3/s", "flow", 0.0864, True), ("cumecs", "flow", 0.0864, True),
    ("hm3 d-1", "flow", 1.0, True), ("km3 yr-1", "flow", 1000 / 365.25, True), ("km3 a-1", "flow", 1000 / 365.25, True),
])
def test_unit_factors(unit, dim, factor, rate):
    f, r = unit_factor(unit, dim)
    assert f == pytest.approx(factor) and r is rate


def test_volume_for_a_flow_means_per_step():
    assert unit_factor("hm3", "flow") == (1.0, False)
    assert unit_factor("km3", "flow") == (1000.0, False)
    assert unit_factor("km3/step", "flow") == (1000.0, False)  # per step: not multiplied by the step's days
    assert unit_factor("hm3/step", "flow") == (1.0, False)


def test_a_depth_may_be_given_in_metres():
    """A review: ``evaporation: 1.2 m`` was refused as "'m' is a unit of length, but a depth is expected"."""
    assert unit_factor("m", "depth") == (1000.0, False)
    assert unit_factor("mm", "depth") == (1.0, False)
    assert unit_factor("m", "length") == (1.0, False)
    with pytest.raises(UnitError, match=r"unknown unit 'km' for a depth; use one of: mm, m$"):
        unit_factor("km", "depth")


def test_wrong_dimension_is_refused_with_choices():
    with pytest.raises(UnitError, match="'MW' is a unit of power, but a volume is expected; use one of"):
        unit_factor("MW", "volume")


def test_parse_quantity():
    q = parse_quantity("19.5 km3")
    assert q.value == 19.5 and q.unit == "km3"
    q = parse_quantity("1e-3 km3")  # (a negative exponent, as in 2.5e-3)
    assert q.value == 1e-3 and q.unit == "km3"
    assert parse_quantity("2.5E+2 hm3").value == 250.0
    assert parse_quantity("1e3").unit is None
    with pytest.raises(UnitError):
        parse_quantity("lots")


def test_is_number():
    assert is_number(1) and is_number(2.5) and is_number(np.float64(3.0))
    assert not is_number(True) and not is_number("1") and not is_number(None) and not is_number([1])


def test_a_unit_that_is_not_text_is_a_unit_error():
    with pytest.raises(UnitError, match="'5' is not a unit; give a unit of volume as text, e.g. 'km3'"):
        unit_factor(5, "volume")  # type: ignore[arg-type]
    with pytest.raises(UnitError, match=r"'\['hm3'\]' is not a unit"):
        unit_factor(["hm3"], "flow")  # type: ignore[arg-type]


def test_integers_too_large_for_a_float_are_not_numbers():
    assert is_number(10**300) and not is_number(10**400) and not is_number(-(10**400))
    assert is_too_large(10**400) and not is_too_large(10**300) and not is_too_large(1e308) and not is_too_large(True)


def test_per_month_units():
    assert is_per_month("hm3/month") and is_per_month("MCM/month") and is_per_month(" hm³/month")
    assert not is_per_month("hm3") and not is_per_month("hm3/day") and not is_per_month(None)
    assert not is_per_month(5) and not is_per_month("km3/month")  # unknown: unit_factor says so


def test_messages_list_units_as_they_are_written():
    """The list gave the lower-case keys units are read by ('gw, mw'; 'mm3', which reads as cubic millimetres)."""
    with pytest.raises(UnitError, match=r"unknown unit 'kW' for a power; use one of: GW, MW$"):
        unit_factor("kW", "power")
    with pytest.raises(UnitError, match=r"unknown unit 'hm4' for a volume; use one of: hm3, km3, m3, Mm3 \(also "
                                        r"written MCM or mln.m3 for Mm3\)$"):
        unit_factor("hm4", "volume")  # (the aliases the docs give were left out: a docs sweep)
    with pytest.raises(UnitError, match=r"for a flow; use one of: hm3/d, .*, L/s, .*Mm3/yr, or a volume per step: hm3, "
                                        r"km3, m3, Mm3 \(also written MCM or mln.m3 for Mm3, /a or /year for /yr, /sec "
                                        r"for /s, m3 s-1 or cumecs for m3/s, m\^3 for m3\)$"):
        unit_factor("m3/min", "flow")  # (a volume per step, which a flow takes, was left out: a new user)
    assert unit_factor("MCM/a", "flow") == unit_factor("Mm3/yr", "flow")
    with pytest.raises(UnitError, match=r"use one of: GWh, GWh/day, GWh/month, GWh/step, GWh/yr, MWh, MWh/day, TWh, "
                                        r"TWh/yr$"):
        unit_factor("kWh", "energy")


def test_messages_take_the_right_article():
    """'GW' given for an energy target read "but a energy is expected"."""
    with pytest.raises(UnitError, match="'GW' is a unit of power, but an energy is expected; use one of: .*GWh"):
        unit_factor("GW", "energy")
    with pytest.raises(UnitError, match="unknown unit 'acre' for an area; use one of"):
        unit_factor("acre", "area")


def test_a_unit_for_a_cost_or_a_count_is_refused():
    with pytest.raises(UnitError, match="'km3' given for a dimensionless cost"):
        unit_factor("km3", "cost")
    assert unit_factor("-", "count") == unit_factor(None, "cost") == (1.0, False)


@pytest.mark.parametrize("unit,dim,factor,rate", [
    # energy rates are kept as GWh/day and multiplied by the step's days, as flow rates are; a year is 365.25 days
    ("GWh/day", "energy", 1.0, True), ("GWh/yr", "energy", 1 / 365.25, True), ("GWh/year", "energy", 1 / 365.25, True),
    ("GWh/step", "energy", 1.0, False), ("GWh/month", "energy", 1.0, False),
])
def test_energy_rate_factors(unit, dim, factor, rate):
    f, r = unit_factor(unit, dim)
    assert f == pytest.approx(factor, rel=1e-12) and r is rate


def test_a_bool_is_not_a_whole_number():
    assert is_whole(3) and not is_whole(True) and not is_whole(False) and not is_whole(2.0)


def test_model_format_lists_every_unit_the_loader_accepts():
    """A technical editor's review: docs/model-format.md's units table showed `GWh/step` but none of the flows per
    step the embedded model writes (`km3/step`, `hm3/step`).  Its table of every unit lists each unit of
    :func:`daryo.units.accepted_units` in its quantity's row, and no unit the loader refuses there."""
    import re
    from pathlib import Path

    from daryo.units import accepted_units

    text = (Path(__file__).resolve().parents[1] / "docs" / "model-format.md").read_text(encoding="utf-8")
    table = text[text.index("| quantity (canonical unit) | units |"):].split("\n\n", 1)[0]
    rows = {line.split("|")[1].strip(): line.split("|")[2] for line in table.splitlines()[2:]}
    dimension = {"volume (hm³)": "volume", "flow (hm³ per step)": "flow", "power (MW)": "power",
                 "energy (GWh per step)": "energy", "evaporation depth (mm)": "depth", "area (km²)": "area",
                 "level, head (m)": "length", "fraction": "fraction", "map coordinate (°)": "angle", "cost": "cost"}
    assert sorted(rows) == sorted(dimension)
    for label, dim in dimension.items():
        listed = re.findall(r"`([^`]+)`", rows[label])
        assert set(accepted_units(dim)) <= set(listed), (label, set(accepted_units(dim)) - set(listed))
        for unit in listed:
            unit_factor(unit, dim)  # (raises UnitError for a unit the loader refuses)


def test_mm3_a_month_reads_as_mcm_a_month():
    """A hydro-informatics lecturer's review: `5 MCM/month` was read, `5 Mm3/month` refused as an unknown unit,
    although `Mm3`, `Mm3/day` and `Mm3/yr` are read.  (Units are read whatever their case, so `mm3/month` is Mm3 a
    month too, as `mm3` is Mm3: no water is counted in cubic millimetres.)"""
    assert unit_factor("Mm3/month", "flow") == unit_factor("MCM/month", "flow") == (1.0, False)
    assert is_per_month("Mm3/month")


@pytest.mark.parametrize("unit, dimension, named", [
    ("\u041cW", "power", "'\u041c' (U+041C CYRILLIC CAPITAL LETTER EM): retype it in ASCII ('MW')"),
    ("\u043a\u043c3", "volume", "'\u043a' (U+043A CYRILLIC SMALL LETTER KA), "
                                  "'\u043c' (U+043C CYRILLIC SMALL LETTER EM): retype it in ASCII ('km3')"),
    ("km3\u200b", "volume", "'' (U+200B ZERO WIDTH SPACE): retype it in ASCII ('km3')"),
    # (an Afghan water-ministry planner's review: a right-to-left mark, pasted from a Persian document, unnamed)
    ("m3/s\u200f", "flow", "'' (U+200F RIGHT-TO-LEFT MARK): retype it in ASCII ('m3/s')"),
    ("\u0433\u0430", "area", "'\u0433' (U+0433 CYRILLIC SMALL LETTER GHE), "
                               "'\u0430' (U+0430 CYRILLIC SMALL LETTER A): retype it in ASCII ('ha')"),  # (Russian)
    ("\u043c3/\u0441\u0443\u0442", "flow", "'\u043c' (U+043C CYRILLIC SMALL LETTER EM), "
                                         "'\u0441' (U+0441 CYRILLIC SMALL LETTER ES), "
                                         "'\u0443' (U+0443 CYRILLIC SMALL LETTER U): units are written in Latin "
                                         "letters"),
])
def test_a_unit_with_a_letter_that_is_not_latin_names_it(unit, dimension, named):
    """A hydro-informatics lecturer's review: `300 МW` with a Cyrillic М (a Russian keyboard layout) was "unknown unit
    'МW'", which reads as MW on screen.  The character is named with its code point, and the unit it was meant as."""
    with pytest.raises(UnitError) as info:
        unit_factor(unit, dimension)
    assert f" (it holds {named}); use one of: " in str(info.value)


@pytest.mark.parametrize(("written", "ascii"), [
    ("۱۲٫۵ m3/s", "12.5 m3/s"), ("١٢٫٥ m3/s", "12.5 m3/s"), ("12٫5 m3/s", "12.5 m3/s"), ("1٬150.5", "1150.5"),
    ("۱٬۲۳۴٬۵۶۷٫۸۹ hm3", "1234567.89 hm3"), ("۲۵ %", "25 %"), ("-۳", "-3"), ("٫۵", ".5"), ("19.5 km3", "19.5 km3"),
    ("۱,۵", "1,5"),  # (an ASCII comma is left for parse_quantity to refuse)
    ("\u22120.5 hm3", "-0.5 hm3"), ("\u2212۳", "-3"), ("\uff0d2", "-2"), ("\ufe631e3", "-1e3"), ("۲۵٪", "25%"),
    ("25 ٪", "25 %"),  # (the minus sign and Arabic percent of word processors, PDFs and Persian spreadsheets)
])
def test_numbers_in_persian_or_arabic_indic_digits_are_read_as_their_ascii_spelling(written, ascii):
    """An Afghan water-ministry planner's review: one rule for numbers written in Persian or Arabic-Indic digits,
    with the Arabic separators (٫ a decimal point, ٬ a thousands separator), wherever daryo reads a number from
    text; the values are exactly those of the ASCII spelling."""
    assert ascii_number(written) == ascii
    if "," not in ascii:
        assert parse_quantity(written) == parse_quantity(ascii)


def test_number_in_text():
    """An Afghan water-ministry planner's review: ``[۰, ۲۰]`` reads as text in YAML; such a text is the number of
    its ASCII spelling, an int where that is one (as YAML reads it), and an ASCII text stays text."""
    assert number_in_text("۲۰") == 20 and isinstance(number_in_text("۲۰"), int)
    assert number_in_text("۰٫۵") == 0.5 and number_in_text(" ١٬٠٠٠ ") == 1000
    assert number_in_text("\u22122") == -2 and number_in_text("\u22120.25") == -0.25  # (a minus sign: YAML's text)
    assert number_in_text("20") is number_in_text("۲۰ m3") is number_in_text(20) is number_in_text("کابل") is None
    with pytest.raises(UnitError, match=r"^'۲0' mixes ASCII and Persian digits in one number: write each number "
                       r"in the digits of one script$"):
        number_in_text("۲0")


def test_the_dimension_of_a_unit_whatever_the_quantity():
    """:func:`daryo.units.unit_dimension` reads a unit as :func:`unit_factor` does, of any quantity; ``-`` and text
    of no unit are none."""
    from daryo.units import unit_dimension

    assert [unit_dimension(u) for u in ("m3/s", "km³", "MW", "%", "cumecs", "GWh/day", "mm", "-", "", "Naryn", 3)] == [
        "flow", "volume", "power", "fraction", "flow", "energy", "depth", None, None, None, None]
