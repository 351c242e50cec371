"""Units: parse quantities and convert them, once, to daryo's canonical units.

Canonical units
---------------
volume      hm³ (= million m³ = Mm³)
flow        hm³ per step; rates (m³/s, hm³/day) are kept as hm³/day and multiplied by the step length;
            ``hm3/month`` is hm³ per step of a monthly model (N-day and dekad models take it in 12 monthly
            values only, each month's total spread over its days: see :func:`is_per_month`)
power       MW
energy      GWh (per step); rates (GWh/day, TWh/yr) are kept as GWh/day and multiplied by the step length;
            ``GWh/month`` is GWh per step of a monthly model (as ``hm3/month`` on other steps)
depth       mm (evaporation)
area        km²
level/head  m
fraction    dimensionless (0–1); "%" is accepted
cost        dimensionless (per hm³ per step)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np

from .errors import as_ascii, characters_named, look_alike, with_article

__all__ = ["Dimension", "UnitError", "parse_quantity", "unit_factor", "is_number", "is_whole", "is_too_large",
           "is_per_month", "unit_dimension", "unit_as_latin", "ascii_number", "number_in_text", "PLAIN_NUMBER",
           "no_unit_given", "accepted_units",
           "FLOW_RATE_UNITS", "SECONDS_PER_DAY", "GWH_PER_HM3_M", "CANONICAL_UNITS", "MAX_MAGNITUDE", "too_large_text",
           "SPACE_GROUPED", "THOUSANDS_SPACES", "comma_split_hint", "split_decimals_hint", "miswritten_number",
           "percent_as_fraction"]

SECONDS_PER_DAY = 86_400.0
#: energy (GWh) from 1 hm³ falling 1 m at 100 % efficiency: ρ g · 1e6 m³ · 1 m / 3.6e12 J/GWh
GWH_PER_HM3_M = 1000.0 * 9.81 * 1e6 / 3.6e12

#: the largest magnitude a number of a model may have, in canonical units: more is no amount of water, energy or
#: money, and would overflow the results' sums and their float32 store (whose largest number is 3.4e38)
MAX_MAGNITUDE = 1e30


def too_large_text() -> str:
    """What a problem says of a number larger in magnitude than :data:`MAX_MAGNITUDE`."""
    return f"a number larger than {MAX_MAGNITUDE:.0e} is no amount a model means".replace("e+", "e")

# unit -> (dimension, factor to canonical, is_rate).  For flows, is_rate=True means the canonical
# value is hm³/day and must be multiplied by the step length in days.
_UNITS: dict[str, tuple[str, float, bool]] = {
    # volume
    "hm3": ("volume", 1.0, False),
    "mm3": ("volume", 1.0, False),  # million m³ written Mm3 (lower-cased)
    "km3": ("volume", 1000.0, False),
    "m3": ("volume", 1e-6, False),
    # flow per step
    "hm3/step": ("flow", 1.0, False),
    "hm3/month": ("flow", 1.0, False),
    "mm3/month": ("flow", 1.0, False),  # (as MCM/month reads: a lecturer's review found Mm3/month refused)
    "km3/step": ("flow", 1000.0, False),
    # flow rates
    "m3/s": ("flow", SECONDS_PER_DAY / 1e6, True),
    "l/s": ("flow", SECONDS_PER_DAY / 1e9, True),  # (a spring's, a well's, a small canal's)
    "m3/day": ("flow", 1e-6, True),
    "hm3/day": ("flow", 1.0, True),
    "mm3/day": ("flow", 1.0, True),
    "hm3/d": ("flow", 1.0, True),
    "km3/yr": ("flow", 1000.0 / 365.25, True),
    "hm3/yr": ("flow", 1.0 / 365.25, True),
    "mm3/yr": ("flow", 1.0 / 365.25, True),
    # power / energy
    "mw": ("power", 1.0, False),
    "gw": ("power", 1000.0, False),
    "gwh": ("energy", 1.0, False),
    "twh": ("energy", 1000.0, False),
    "mwh": ("energy", 1e-3, False),
    # energy per step, and energy rates (kept as GWh/day and multiplied by the step length, as flow rates)
    "gwh/step": ("energy", 1.0, False),
    "gwh/month": ("energy", 1.0, False),
    "gwh/day": ("energy", 1.0, True),
    "mwh/day": ("energy", 1e-3, True),
    "gwh/yr": ("energy", 1.0 / 365.25, True),
    "twh/yr": ("energy", 1000.0 / 365.25, True),
    # depth, area, length
    "mm": ("depth", 1.0, False),
    "km2": ("area", 1.0, False),
    "ha": ("area", 0.01, False),
    "m2": ("area", 1e-6, False),
    "m": ("length", 1.0, False),
    # angle (map coordinates)
    "deg": ("angle", 1.0, False),
    "degrees": ("angle", 1.0, False),
    "°": ("angle", 1.0, False),
    # dimensionless
    "": ("fraction", 1.0, False),
    "-": ("fraction", 1.0, False),
    "%": ("fraction", 0.01, False),
    "fraction": ("fraction", 1.0, False),
}

_EXAMPLE = {"volume": "'km3'", "flow": "'m3/s' or 'hm3'", "power": "'MW'", "energy": "'GWh'", "depth": "'mm'",
            "area": "'km2'", "length": "'m'", "fraction": "'%'", "angle": "'deg'"}

FLOW_RATE_UNITS = sorted(u for u, (d, _, r) in _UNITS.items() if d == "flow" and r)

#: each dimension's canonical unit as documents and messages write it
CANONICAL_UNITS = {"volume": "hm³", "flow": "hm³/step", "power": "MW", "energy": "GWh", "depth": "mm", "area": "km²",
                   "length": "m", "fraction": "–", "cost": "–", "angle": "°"}

Dimension = str  # one of: volume flow power energy depth area length fraction angle cost count


class UnitError(ValueError):
    """A unit is unknown or of the wrong dimension."""


def no_unit_given(unit: object) -> bool:
    """Whether a unit written as ``unit`` says nothing: no value (``unit:``, ``unit: null``) or blank text, which
    must not be read as the canonical unit (a key left out is)."""
    return unit is None or (isinstance(unit, str) and not unit.strip())


def is_whole(v: object) -> TypeGuard[int]:
    """Whether ``v`` is a whole number given as one: a Python or NumPy integer, not a bool (nor a float such as
    2.0, or text such as '2', which callers would otherwise convert and so misread 1.5 as 1)."""
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def is_number(v: object) -> TypeGuard[int | float]:
    """Whether ``v`` is a plain number as read from YAML or JSON: an int or a float, not a bool.

    Parameters
    ----------
    v
        Any value.

    Returns
    -------
    bool
        True for ints and floats (NumPy's included: a model built in code), False for bools, for ints too large to
        be a float (beyond ±1.8·10³⁰⁸, e.g. a 400-digit integer) and anything else.
    """
    if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.integer | np.floating):
        return False
    if isinstance(v, int | np.integer):
        try:
            float(v)
        except OverflowError:
            return False
    return True


def is_too_large(v: object) -> bool:
    """Whether ``v`` is an int too large to be a float (which :func:`is_number` does not count as a number)."""
    return isinstance(v, int) and not isinstance(v, bool) and not is_number(v)


def _normalise(unit: str) -> str:
    u = unit.strip().lower().replace("³", "3").replace("²", "2").replace(" ", "").replace("^", "")
    u = u.replace("mcm", "hm3").replace("mln.m3", "hm3").replace("/a", "/yr").replace("/year", "/yr")
    u = "m3/s" if u == "cumecs" else u
    # the negative powers of the SI's style: m3 s-1, hm3 d-1, km3 yr-1 (or a-1)
    u = re.sub(r"(?<=\D|3)(s|d|day|yr|a)-1$", lambda m: "/" + {"d": "day", "a": "yr"}.get(m[1], m[1]), u)
    return u.replace("/sec", "/s")


def unit_factor(unit: str | None, dimension: Dimension) -> tuple[float, bool]:
    """Return (factor to canonical, is_rate) for ``unit`` in ``dimension``.

    ``None`` means the canonical unit. ``is_rate`` is only ever True for flows given as rates.

    Raises
    ------
    UnitError
        If ``unit`` is not a string (or None), is unknown, or is of another dimension.
    """
    if dimension in ("cost", "count"):
        if unit not in (None, "", "-"):
            raise UnitError(f"'{unit}' given for a dimensionless {dimension}")
        return 1.0, False
    if unit is None:
        return 1.0, False
    if not isinstance(unit, str):
        example = _EXAMPLE.get(dimension)
        raise UnitError(f"'{unit}' is not a unit; give a unit of {dimension} as text"
                        + (f", e.g. {example}" if example else ""))
    key = _normalise(unit)
    if key not in _UNITS:
        raise UnitError(f"unknown unit '{unit}' for {with_article(dimension)}{_not_ascii(unit)}; use one of: "
                        f"{_known(dimension)}")
    dim, factor, is_rate = _UNITS[key]
    if dimension == "flow" and dim == "volume":  # a volume given for a flow is a volume per step
        return factor, False
    if dimension == "depth" and dim == "length":  # (a depth is a length, given in metres: evaporation, say)
        return factor * 1000.0, False
    if dim != dimension:
        raise UnitError(f"'{unit}' is a unit of {dim}, but {with_article(dimension)} is expected; use one of: "
                        f"{_known(dimension)}")
    return factor, is_rate


def _not_ascii(unit: str) -> str:
    """What in an unknown ``unit`` is not the ASCII it may look like: its Cyrillic or Greek letters and its no-break
    or zero-width spaces, named with their code points, and the unit it reads as in ASCII where that is known (a
    hydro-informatics lecturer's review: 'МW' with a Cyrillic М was "unknown unit 'МW'", identical to MW on screen);
    "" if it has none."""
    named = characters_named(c for c in unit if look_alike(c) or (c.isalpha() and not c.isascii()))
    if not named:
        return ""
    meant = [m for m in (as_ascii(unit), as_ascii(unit.translate(_RUSSIAN))) if _normalise(m) in _UNITS]
    fix = f": retype it in ASCII ('{meant[0].strip()}')" if meant else ": units are written in Latin letters"
    return f" (it holds {named}{fix})"


#: the Cyrillic letters of the units' Russian abbreviations (км3, м3/с, л/с) as the Latin ones of daryo's units
_RUSSIAN = str.maketrans("кКмМсСлЛгГ", "kkmMssllhh")


def accepted_units(dimension: Dimension) -> list[str]:
    """The units of ``dimension`` that the loader accepts, as documents write them.

    Parameters
    ----------
    dimension
        ``volume``, ``flow``, ``power``, ``energy``, ``depth``, ``area``, ``length``, ``fraction`` or ``angle``.

    Returns
    -------
    list of str
        The units in alphabetical order, written as people write them (``MW``, ``GWh``, ``Mm3``, ``L/s``: units
        are read whatever their case), without the aliases :func:`unit_factor` also reads (``MCM``, ``/year``,
        ``m3 s-1``, ``cumecs``) and without the units of other dimensions it takes (a volume for a flow, metres
        for a depth).  Empty for a dimension of no units.
    """
    return sorted((_shown(u) for u, (d, _, _r) in _UNITS.items() if d == dimension and u), key=str.lower)


def _known(dimension: str) -> str:
    """The units of ``dimension``, for messages, as they are written (``MW``, ``GWh``, ``Mm3``: units are read
    whatever their case, and kept in lower case)."""
    def units(dim: str) -> str:
        return ", ".join(accepted_units(dim))

    if dimension == "flow":  # (a volume given for a flow is a volume per step)
        return f"{units('flow')}, or a volume per step: {units('volume')}{_ALIASES}"
    if dimension == "depth":  # (a depth is a length)
        return f"{units('depth')}, {units('length')}"
    return units(dimension) + (" (also written MCM or mln.m3 for Mm3)" if dimension == "volume" else "")


_ALIASES = (" (also written MCM or mln.m3 for Mm3, /a or /year for /yr, /sec for /s, m3 s-1 or cumecs for m3/s, "
            "m^3 for m3)")


def _shown(key: str) -> str:
    key = re.sub(r"^([gmt])w", lambda m: f"{m.group(1).upper()}W", key)  # gwh -> GWh, mw -> MW
    key = re.sub(r"^l/", "L/", key)  # (litres)
    return re.sub(r"^mm3", "Mm3", key)  # (million m3, not mm3: hm3)


def is_per_month(unit: object) -> bool:
    """Whether ``unit`` is an amount per calendar month (``hm3/month``, ``GWh/month``): per step on monthly
    steps, but no amount per step on N-day steps or dekads, which take it only in 12 monthly values (each month's
    total, spread over its days; the loader refuses the rest)."""
    if not isinstance(unit, str):
        return False
    key = _normalise(unit)
    return key in _UNITS and key.endswith("/month")


def unit_dimension(unit: object) -> Dimension | None:
    """The dimension of ``unit`` as :func:`unit_factor` reads it, whatever the quantity: ``'m3/s'`` flow, ``'km³'``
    volume, ``'MW'`` power, ``'%'`` fraction; None for text that is no unit daryo reads, and for ``''`` and ``'-'``,
    which say there is none.

    Parameters
    ----------
    unit
        A unit as written (a CSV column's name states one after it: ``Q [m3/s]``).

    Returns
    -------
    str or None
        ``volume``, ``flow``, ``power``, ``energy``, ``depth``, ``area``, ``length``, ``angle`` or ``fraction``; or
        None.
    """
    if not isinstance(unit, str):
        return None
    key = _normalise(unit)
    return _UNITS[key][0] if key in _UNITS and key not in ("", "-") else None


def unit_as_latin(unit: str) -> str | None:
    """``unit`` as daryo reads it where it does (as written, or in Latin letters where it is written with look-alike
    Cyrillic or Greek letters, or in Russian's: ``м3/с`` is ``m3/s``); None where neither is a unit daryo reads."""
    for text in (unit, as_ascii(unit), as_ascii(unit.translate(_RUSSIAN))):
        if unit_dimension(text) is not None:
            return text
    return None


#: the digits of each script a number may be written in, by the name messages give it
_DIGITS = {"ASCII": "0123456789", "Persian": "۰۱۲۳۴۵۶۷۸۹", "Arabic-Indic": "٠١٢٣٤٥٦٧٨٩"}
#: Persian (U+06F0–06F9) and Arabic-Indic (U+0660–0669) digits, and the Arabic decimal separator (٫, U+066B), in
#: ASCII; the Arabic thousands separator (٬, U+066C) is left for :func:`ascii_number` to check and remove
_TO_ASCII = str.maketrans(_DIGITS["Persian"] + _DIGITS["Arabic-Indic"] + "٫", _DIGITS["ASCII"] * 2 + ".")
#: signs that word processors, PDFs and Unicode-aware spreadsheets write for ASCII's: the minus sign (U+2212), the
#: small and full-width hyphen-minus (U+FE63, U+FF0D) and the Arabic percent sign (٪, U+066A)
_SIGNS = str.maketrans("\u2212\ufe63\uff0d\u066a", "---%")
#: a number's digits and separators as written, in any of the scripts (what one number may not mix)
_NUMERAL = re.compile(r"(?:[0-9۰-۹٠-٩]|٫(?=[0-9۰-۹٠-٩]))[0-9۰-۹٠-٩٫٬.,]*")
#: a number grouped by Arabic thousands separators, once in ASCII digits
_ARABIC_GROUPED = re.compile(r"[0-9]{1,3}(?:٬[0-9]{3})+(?:\.[0-9]*)?")
#: a plain number, as YAML and JSON write one (and a quoted one holds)
PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def ascii_number(text: str) -> str:
    """``text`` with its numbers in ASCII: Persian (۰–۹) and Arabic-Indic (٠–٩) digits as the digits they are, the
    Arabic decimal separator (٫) as a point and the Arabic thousands separator (٬) left out, as Excel writes
    numbers in Afghanistan and Iran (``'۱۲٫۵ m3/s'`` is ``'12.5 m3/s'``, ``'1٬150.5'`` is ``'1150.5'``); the minus
    sign (−, U+2212) that word processors and PDFs write, and its small and full-width forms, as a hyphen-minus, and
    the Arabic percent sign (٪) as ``%`` (``'−0.5'`` is ``'-0.5'``, ``'۲۵٪'`` is ``'25%'``).

    The one rule by which daryo reads numbers written as text: quantities, series values, scales and factors of
    model files and overlays, and the cells of CSV files.  An ASCII comma is left as it is (a decimal comma or a
    thousands separator, which the callers refuse: which one is meant is a guess); the Arabic separators are not.

    Parameters
    ----------
    text
        A number, or a number with a unit, as text.

    Returns
    -------
    str
        ``text`` with every number in ASCII digits (``text`` itself where it is all ASCII).

    Raises
    ------
    UnitError
        If one number mixes the digits of two scripts (``'۱5'``), or its Arabic thousands separators do not
        separate groups of three digits (``'1٬50'``); the message says so.
    """
    if text.isascii():
        return text

    def in_ascii(found: re.Match[str]) -> str:
        written = found.group()
        part = f" ('{written}')" if written != text.strip() else ""
        scripts = [name for name, digits in _DIGITS.items() if any(c in digits for c in written)]
        if len(scripts) > 1:
            raise UnitError(f"'{text}' mixes {' and '.join(scripts)} digits in one number{part}: write each number in "
                            "the digits of one script")
        plain = written.translate(_TO_ASCII)
        if "٬" not in plain:
            return plain
        if not _ARABIC_GROUPED.fullmatch(plain):
            raise UnitError(f"'{text}' has an Arabic thousands separator (٬) that does not separate groups of three "
                            f"digits{part}: write the number without it, and decimals with ٫ or a point")
        return plain.replace("٬", "")

    return _NUMERAL.sub(in_ascii, text.translate(_SIGNS))


def number_in_text(value: object) -> int | float | None:
    """The number a text written in Persian or Arabic-Indic digits, or with the Arabic separators, is (``'۲۰'`` is
    20, ``'۰٫۵'`` 0.5, as YAML reads its ASCII spelling: a whole number an int); None for any other value.

    YAML reads ``۲۰`` as text, and JSON can write such a number only as text: where a model file gives a number,
    such a text is read as the number its ASCII spelling is (:func:`ascii_number`).  A text in ASCII digits is
    not read (None): YAML and JSON read it as a number unless it was quoted, and a quoted number stays text.

    Raises
    ------
    UnitError
        As :func:`ascii_number`: a number that mixes the digits of two scripts, or is wrongly grouped.
    """
    if not isinstance(value, str) or value.isascii():
        return None
    plain = ascii_number(value).strip()
    if plain.isascii() and PLAIN_NUMBER.fullmatch(plain):
        return int(plain) if plain.lstrip("+-").isdigit() else float(plain)
    return None


_GROUPED = re.compile(r"^\s*([-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?)(?![\d,])")
#: the spaces that Russian and other locales write between thousands (``1 200``: Excel a no-break one), by the name
#: messages give them
THOUSANDS_SPACES = {" ": "a space", "\u00a0": "a no-break space, U+00A0", "\u202f": "a narrow no-break space, U+202F",
                    "\u2009": "a thin space, U+2009"}
#: a number grouped by those spaces, with decimals after a point or a comma or none
SPACE_GROUPED = re.compile(rf"^\s*([-+]?\d{{1,3}}(?:[{''.join(THOUSANDS_SPACES)}]\d{{3}})+)(?:[.,](\d+))?(?![\d.,])")
_DECIMAL_COMMA = re.compile(r"^\s*([-+]?\d+),(\d+)(?![\d,.])")
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def comma_split_hint(key: object) -> str:
    """A hint for a key that is the tail of a number a comma split in YAML's flow style (``{inflow: 14,000 m3/s}``
    reads a key "000 m3/s", ``{demand: 0,885}`` a key 885, ``{inflow: 19,5 km3}`` a key "5 km3"): a decimal comma
    where the tail's digits are not a group of three, either reading where they are ("" for another key)."""
    if isinstance(key, bool) or not isinstance(key, str | int | float):
        return ""
    text = str(key)
    digits = len(text) - len(text.lstrip("0123456789"))
    if not digits:
        return ""
    if digits != 3:  # (a Russian-speaking analyst's review: "0,885"'s advice was the thousands', 1000 times off)
        return "; a comma inside {...} ends a value there: write decimals with a point (19.5, not 19,5)"
    return ("; a comma inside {...} ends a value there: write decimals with a point and numbers without a thousands "
            "separator (19.5 or 19500, not 19,500)")


def split_decimals_hint(items: object, expected: int) -> str:
    """A hint for a list of more whole numbers than the ``expected`` count (12 monthly values, say), where decimals
    written with a comma were split: YAML's flow style and JSON end a value at a comma, so ``[10,5, 9,5, …]`` reads
    as 10, 5, 9, 5 (a Tashkent ministry analyst's review: 12 monthly values so written were "must be 12, got 24",
    nothing of commas).  "" for a list of another kind or length (a number with decimals, or fewer items, cannot
    come of it).

    Parameters
    ----------
    items
        The list as the file gives it.
    expected
        How many values it should hold.

    Returns
    -------
    str
        ``; a comma inside [...] ends a value there …``, its example the list's first two items where it holds
        twice as many as expected (pairs, each a decimal comma split), else 10,5.
    """
    if not (isinstance(items, list) and len(items) > expected and all(is_whole(x) for x in items)):
        return ""
    example = f"{items[0]},{items[1]}" if len(items) == 2 * expected and is_whole(items[1]) and items[1] >= 0 \
        else "10,5"
    return (f"; a comma inside [...] ends a value there, so a decimal written with a comma ({example}) reads as two "
            f"values: write decimals with a point ({example.replace(',', '.')})")


def miswritten_number(value: object) -> str:
    """What :func:`parse_quantity` says of a text that is a number written as daryo does not read one: with a
    decimal comma (``'10,5'``, as a block-style YAML list or mapping gives it: ``factor: 0,8`` is text), or a
    thousands separator (``'1 200'``, ``'14,000'``); "" for any other value."""
    if not isinstance(value, str):
        return ""
    try:
        parse_quantity(value)
    except UnitError as exc:
        return str(exc) if "separator" in str(exc) or "decimal comma" in str(exc) else ""
    return ""


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None


def percent_as_fraction(value: object) -> float | None:
    """A percentage written as text (``"50 %"``, ``'۵۰ %'``, ``"-5%"``) as the fraction it is (0.5); None for
    anything else: a model's ``scale`` and an overlay's ``factor`` take one."""
    if not isinstance(value, str) or not value.strip().endswith("%"):
        return None
    try:
        quantity = parse_quantity(value)
    except UnitError:
        return None
    return quantity.value / 100.0 if quantity.unit == "%" else None


def parse_quantity(written: str) -> Quantity:
    """Split ``"19.5 km3"`` into ``Quantity(19.5, "km3")``; raise ``UnitError`` if it is not a number.  Its number
    may be written in Persian or Arabic-Indic digits, with the Arabic separators (:func:`ascii_number`)."""
    text = ascii_number(written)
    if spaced := SPACE_GROUPED.match(text):  # ("1 200 km3" read as 1 and a unit "200 km3")
        whole, rest = re.sub(r"\D", "", spaced.group(1)), text[spaced.end():].rstrip()
        whole = ("-" if spaced.group(1).startswith("-") else "") + whole
        separator = THOUSANDS_SPACES[next(c for c in spaced.group(1) if c in THOUSANDS_SPACES)]
        decimals = f", and decimals with a point ('{whole}.{spaced.group(2)}{rest}')" if spaced.group(2) else \
            f" ('{whole}{rest}')"
        raise UnitError(f"'{written}' looks like a number with a thousands separator ({separator}): write it without "
                        f"one{decimals}")
    grouped = _GROUPED.match(text)
    decimal = _DECIMAL_COMMA.match(text)
    if decimal and (not grouped or decimal.group(1).lstrip("+-") == "0"):  # ("19,5 km3", "0,885": a decimal comma,
        # as Russian and other locales write it)
        fixed = f"{decimal.group(1)}.{decimal.group(2)}" + text[decimal.end():]
        raise UnitError(f"'{written}' has a decimal comma: write decimals with a point ('{fixed.strip()}')")
    if grouped and decimal and "." not in grouped.group(1) and grouped.group(1).count(",") == 1:  # ("19,500")
        whole, rest = grouped.group(1), text[grouped.end():].rstrip()
        raise UnitError(f"'{written}' has a comma, a decimal or a thousands separator: write decimals with a point "
                        f"('{whole.replace(',', '.')}{rest}') and numbers without a thousands separator "
                        f"('{whole.replace(',', '')}{rest}')")
    if grouped:  # ("14,000,000" read as 14 and a unit ",000,000")
        raise UnitError(f"'{written}' has a thousands separator: write the number without it "
                        f"('{grouped.group(1).replace(',', '')}{text[grouped.end():].rstrip()}')")
    m = _QUANTITY.match(text)
    if not m:
        raise UnitError(f"'{written}' is not a number with a unit (e.g. '19.5 km3', '120 m3/s')")
    return Quantity(float(m.group(1)), m.group(2) or None)
