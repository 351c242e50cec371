"""Error types raised for bad input.

Every input problem is collected as a :class:`Problem` (file, place, message) and raised together as one
:class:`ModelError`, so that a user sees every problem at once instead of fixing them one run at a time.
"""

from __future__ import annotations

import difflib
import re
import reprlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Problem", "ModelError", "CacheFolderWarning",
           "StepError", "InfeasibleStepError", "UnboundedStepError", "SolverFailedError",
           "as_ascii", "characters_named", "did_you_mean", "differences_named", "hidden_characters_named", "kind_of",
           "in_words", "listed", "look_alike", "look_alikes_named", "looks_the_same", "merge_conflict",
           "merge_conflict_lines", "name_as_read", "printable",
           "read_as", "short_text", "terminal_control", "with_article", "written"]


class CacheFolderWarning(UserWarning):
    """Numba keeps daryo's compiled kernels elsewhere than the ``NUMBA_CACHE_DIR`` the user set: a folder this
    user cannot write, which Numba does not read either (issued once per process, by
    :mod:`daryo.simulate._kernel`)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a model file.

    Parameters
    ----------
    file
        The file the problem is in (model file or a CSV it references); "" when not tied to a file.
    place
        Where in the file: a node id and attribute (``nodes[toktogul].max_volume``), or a line number.
    message
        What is wrong and what to change.
    code
        What kind of problem it is, for a caller that adds advice to some kinds ("" for most; see
        :data:`daryo.model.series.MISSING_DATES`).

    Attributes
    ----------
    line
        The line of ``file`` that ``place`` names, as a number (8 for ``nodes[farm].demand (line 8)``, 3 for
        ``line 3, column 5``, the first for ``nodes[d1] (lines 39, 40)``): where the loader knows it, for a service
        that marks the line in an editor; None where the place names no line of ``file`` (a model built in code, a
        file's whole, a row of a CSV file the model names, which the place gives as ``q.csv line 5``).
    """

    file: str
    place: str
    message: str
    code: str = ""

    @property
    def line(self) -> int | None:
        """The line of ``file`` that ``place`` names (None: none).  Read from the place, where the loader writes it,
        so that a problem moved to another place (an overlay's change that set the value) never keeps a line of
        the place it left."""
        found = _PLACE_LINE.search(self.place)
        return int(found[1] or found[2]) if found else None

    def __str__(self) -> str:
        """The problem as one line, ``file: place: message``, its control characters escaped (:func:`printable`):
        a place or message quotes the model file's text (an id, a key, a value), which a terminal would act on."""
        where = ": ".join(printable(p) for p in (self.file, self.place) if p)
        message = printable(self.message, keep="\n")
        return f"{where}: {message}" if where else message


#: a place's line, as the loader writes it: after the place (``nodes[farm].demand (line 8)``; the first of several:
#: ``nodes[d11_3_1] (lines 3984, 4009)``, an id used twice), or as the place (``line 3, column 5``: a file that cannot
#: be read as YAML or JSON)
_PLACE_LINE = re.compile(r" \(lines? (\d+)[,)]|^line (\d+)\b")


#: the control characters (Unicode's category Cc: C0, DEL and C1) but tab
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # (and the bidirectional overrides)


def terminal_control(text: str, allowed: str = "") -> str | None:
    """The first character of ``text`` a terminal would act on instead of showing, or that reorders the text after
    it as shown (a control character but a tab, or a bidirectional override: the characters :func:`printable`
    escapes), other than those in ``allowed`` (``"\\n"``: line breaks too); None if none."""
    return next((m[0] for m in _CONTROL.finditer(text) if m[0] not in allowed), None)


def printable(text: str, keep: str = "") -> str:
    """``text`` with its control characters written as escapes, for a message that quotes a file's text.

    A terminal acts on control characters instead of showing them: ``ESC [2J`` clears it, ``ESC ]0;…BEL``
    retitles it, ``ESC [8m`` hides what follows; a key, an id or a value written with one in a model file would
    do so when daryo names it in a message.

    Parameters
    ----------
    text
        The text, as the message would show it.
    keep
        Control characters to leave as they are (``"\\n"`` for a message of several lines); tabs are always kept.

    Returns
    -------
    str
        ``text`` with each other control character as ``\\xNN`` (``nodes[src\\x1b[41m]``).
    """
    return _CONTROL.sub(lambda m: m[0] if m[0] in keep else f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                        else f"\\u{ord(m[0]):04x}", text)


def listed(ids: Sequence[str], shown: int) -> str:
    """The first ``shown`` of ``ids`` for a message, joined by commas, and how many more there are ("a, b and 3
    more")."""
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


#: a line that git writes around the sides of a merge conflict it leaves to be resolved: ``<<<<<<< HEAD``,
#: ``||||||| base`` (the common ancestor's side, with ``merge.conflictStyle diff3``), ``=======`` and
#: ``>>>>>>> branch``, each at the start of its line
_CONFLICT_MARKER = re.compile(r"^(?:(?:<{7}|>{7}|\|{7})(?:[ \t][^\n]*)?|={7}[ \t]*)\r?$", re.MULTILINE)


def merge_conflict_lines(text: str, first: int = 1) -> list[int]:
    """The lines of ``text`` that are git's markers of an unresolved merge conflict (``<<<<<<<``, ``|||||||``,
    ``=======``, ``>>>>>>>`` at a line's start: :data:`_CONFLICT_MARKER`), numbered from ``first``.

    A file merged with a conflict left in it was told as YAML's "could not find expected ':'" at the marker, or,
    inside a list written [...] over several lines, read with ``<<<<<<< HEAD`` and ``=======`` as its items without a
    word (a team's review).  A YAML or JSON file holds no such line where its text is valid, but as part of a text
    over several lines (a description), where a line so written is no one's intent."""
    if not any(c * 7 in text for c in "<=>|" if c in text):  # (a fast look first, a character at a time: most texts
        return []  # have none)
    return [text.count("\n", 0, m.start()) + first for m in _CONFLICT_MARKER.finditer(text)]


def merge_conflict(lines: Sequence[int]) -> str:
    """What to say of a file with git's markers of an unresolved merge conflict at ``lines``
    (:func:`merge_conflict_lines`), at the first of them: ``an unresolved merge conflict (git's <<<<<<< / ======= /
    >>>>>>> markers, at lines 51, 53 and 55): keep one side and delete the markers``."""
    numbers = [str(n) for n in lines]
    at = ("" if len(numbers) == 1 else f", at lines {', '.join(numbers[:-1])} and {numbers[-1]}"
          if len(numbers) <= ALL_PLACES_UP_TO else f", at lines {listed(numbers, PLACES_SHOWN)}")
    return (f"an unresolved merge conflict (git's <<<<<<< / ======= / >>>>>>> markers{at}): keep one side and delete "
            "the markers")


def percent_text(fraction: float) -> str:
    """A fraction as a percentage for a message, to 15 digits (0.3 is "30%", not "30.000000000000004%")."""
    return f"{fraction * 100:.15g}%"


def short_text(value: object, width: int = 40) -> str:
    """``value`` as text for a message, cut to ``width`` characters (a 300-digit number, a long list); a list or
    mapping is written only as far as it shows (YAML aliases can make one of billions of values)."""
    if isinstance(value, (list, tuple, dict)):
        short = reprlib.Repr()
        short.maxlevel, short.maxlist, short.maxtuple, short.maxdict, short.maxstring = 3, 8, 8, 4, width
        text = short.repr(value)
    else:
        text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def kind_of(value: object, syntax: str = "yaml") -> str:
    """What a value of the wrong kind is, for messages: "a mapping", "a list", "the text 'abc'", "the number 5",
    "the boolean False", "nothing (None; …)" (as YAML read it); of a JSON file (``syntax`` "json"), its booleans and
    null as JSON writes them: "the boolean false", "nothing (null)"."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return f"the text '{short_text(value)}'"
    if isinstance(value, bool | int | float):
        return f"the {'boolean' if isinstance(value, bool) else 'number'} {written(value, syntax)}"
    if value is None:
        return "nothing (null)" if syntax == "json" else "nothing (None; null in YAML: a key with no value)"
    return f"'{short_text(value)}'"


def written(value: object, syntax: str = "yaml") -> str:
    """``value`` as :func:`short_text` writes it for a message, but of a JSON file (``syntax`` "json") a boolean or
    null as the file writes it, ``true``, ``false``, ``null`` (not Python's ``True``: a review by an engineer who
    writes JSON models)."""
    if syntax == "json" and (isinstance(value, bool) or value is None):
        return "null" if value is None else str(value).lower()
    return short_text(value)


def read_as(value: object, syntax: str = "yaml") -> str:
    """How a message says what a file's value of the wrong kind is: "YAML read it as the number 3" (YAML reads
    ``3``, ``yes`` or ``~`` as other than text, as its writer may not have meant), and of a JSON file (``syntax``
    "json"), whose writer wrote the kind, "the file gives the number 3"."""
    if syntax == "json":
        return f"the file gives {kind_of(value, syntax)}"
    return f"YAML read it as {kind_of(value, syntax)}"


def with_article(noun: str) -> str:
    """``noun`` with its indefinite article, for messages.

    Parameters
    ----------
    noun
        A component, parameter or dimension name (lower case): "reservoir", "inflow", "energy".

    Returns
    -------
    str
        "a reservoir", "an inflow", "an energy": "an" before a vowel letter (so not for "unit" or "one").
    """
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def did_you_mean(word: object, choices: Iterable[object]) -> str:
    """A hint naming the choice closest to a misspelt ``word``, for messages.

    Parameters
    ----------
    word
        The name given (anything: only text gets a hint).
    choices
        The names it could have meant (those that are not text are left out).

    Returns
    -------
    str
        `` (did you mean 'x'?)`` when exactly one choice is the closest and :mod:`difflib`'s ratio to it is at
        least 0.65 ('reservior' → 'reservoir', 'mian_canal' → 'main_canal', 'see' → 'sea'); "" when none is that
        close, or when several are equally close ('node10' among node11 and node12), where naming one would mislead.
        A choice that is the word but for characters that look alike (a Cyrillic 'с' for a Latin 'c', an Arabic
        'ي' for a Persian 'ی') or show as nothing (a zero-width space, a right-to-left mark) is the hint whatever the
        others' ratios ('main_canal_2' among main_canal_1, main_сanal_2 and main_canal_3), and those characters
        are named with their code points (:func:`look_alike`, :data:`_SAME_LETTERS`), where the hint would look
        identical to the word; so are apostrophes of other code points (:data:`_APOSTROPHES`: Uzbek Latin's ʻ and
        ʼ, a word processor's ‘ and ’) and a letter written as two code points, a base letter and a combining mark
        (Unicode's decomposed form, NFD), where the other is written with the one code point of both (NFC).
    """
    if not isinstance(word, str) or not word:
        return ""
    texts = [c for c in choices if isinstance(c, str) and c != word]
    folded, plain = _folded(word), word.isascii()
    # (two ASCII names are never the same folded: the fold leaves ASCII as it is)
    same = [c for c in texts if not (plain and c.isascii()) and _folded(c) == folded]
    if len(same) == 1:
        return f" (did you mean '{same[0]}'?{_look_alike_note(word, same[0])})"
    matcher = difflib.SequenceMatcher(b=word)
    scores: dict[str, float] = {}
    for c in texts:
        matcher.set_seq1(c)
        # (the quick ratios bound the ratio from above: a choice below 0.65 by them can be neither the hint
        # nor tie with it; without them `daryo validate` of a model of 3,200 nodes and 1,000 problems took
        # 16 s, with them 4 s)
        if matcher.real_quick_ratio() >= 0.65 and matcher.quick_ratio() >= 0.65:
            scores[c] = matcher.ratio()
    best = max(scores.values(), default=0.0)
    closest = [c for c, r in scores.items() if r == best]
    if best >= 0.65 and len(closest) == 1:
        return f" (did you mean '{closest[0]}'?{_look_alike_note(word, closest[0])})"
    return ""  # (not a note on the word alone: callers read a hint as a sign that the word is a misspelling)


#: the Cyrillic and Greek letters (and the full-width punctuation of East Asian keyboards) that look like a Latin
#: letter (or ASCII punctuation), with that letter: typed on a Russian keyboard layout, or pasted from a document, they
#: make an id, a unit or a key that reads as the right one and is not (a hydro-informatics lecturer's review: 'МW'
#: with a Cyrillic М was an "unknown unit 'МW'", and 'fаrms_kaz' with a Cyrillic а got "did you mean 'farms_kaz'?")
_LOOK_ALIKES = dict(zip(
    "АВЕЅІЈКМНОРСТХУаеѕіјорсхуԁһӏԛԝ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιρνκ" "：，；＿－",
    "ABESIJKMHOPCTXYaesijopcxydhlqw" "ABEZHIKMNOPTYXaoipvk" ":,;_-", strict=True))

#: the characters that show as a space or as nothing: no-break spaces (U+00A0 of a word processor's "5 km3", U+202F),
#: the typographic spaces, the full-width space, the zero-width ones (U+200B-U+200D, U+2060, the byte-order mark), the
#: soft hyphen, and the directional marks (U+200E LEFT-TO-RIGHT MARK, U+200F RIGHT-TO-LEFT MARK, U+061C ARABIC LETTER
#: MARK) that text pasted from a Persian or Arabic document or web page carries (an Afghan water-ministry planner's
#: review: a CSV cell '\u200f150' was "'150' is not a finite number", the mark unseen)
_INVISIBLE_CHARS = "\u00a0\u00ad\u061c" + "".join(map(chr, range(0x2000, 0x2010))) + "\u202f\u205f\u2060\u3000\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")

#: the Arabic letters that Persian (Dari) writes with another code point of the same shape, with Persian's: an Arabic
#: keyboard layout, or a Windows-1256 export, writes kaf (U+0643) for keheh (U+06A9) and yeh (U+064A) or alef maksura
#: (U+0649) for Farsi yeh (U+06CC), which look alike in the middle or at the end of a word (an Afghan water-ministry
#: planner's review: an edge to 'جوزجاني' was told "did you mean 'جوزجانی'?" and nothing of what differs).  Not heh
#: (U+0647) and teh marbuta (U+0629): those are different letters.
_SAME_LETTERS = dict(zip("\u0643\u064a\u0649", "\u06a9\u06cc\u06cc", strict=True))

#: the apostrophes of one look: ASCII's, the modifier letters of Uzbek Latin (U+02BB MODIFIER LETTER TURNED COMMA of
#: oʻ and gʻ, U+02BC MODIFIER LETTER APOSTROPHE) and the quotation marks a word processor puts for them (U+2018,
#: U+2019); a Tashkent ministry analyst's review: an overlay's 'gʻalla_sugʼorish' for a node 'gʻalla_sugʻorish' was told
#: "did you mean 'gʻalla_sugʻorish'?" and nothing of what differs
_APOSTROPHES = "'\u02bb\u02bc\u2018\u2019"

#: a name as :func:`did_you_mean` compares it to a word that may look identical: its look-alike letters as the ASCII
#: ones, its Arabic letters as the Persian ones of the same shape, its apostrophes as ASCII's, its zero-width
#: characters dropped, other spaces plain
_FOLDED = str.maketrans({**_LOOK_ALIKES, **_SAME_LETTERS, **dict.fromkeys(_APOSTROPHES[1:], "'"),
                         **{c: "" if unicodedata.category(c) == "Cf" else " " for c in _INVISIBLE_CHARS}})


def _folded(text: str) -> str:
    """``text`` as :func:`did_you_mean` compares it: composed (NFC: a letter and its combining mark written as two code
    points, NFD, are the one code point of both) and folded (:data:`_FOLDED`)."""
    return unicodedata.normalize("NFC", text).translate(_FOLDED)


def looks_the_same(one: str, other: str) -> bool:
    """Whether two names may be taken for one another on screen though they are not the same name: the same once
    composed (NFC), stripped of spaces around them, and with their case, their look-alike letters (a Cyrillic 'с' for
    a Latin 'c', :data:`_LOOK_ALIKES`), Arabic and Persian letters of one shape, apostrophes and invisible characters
    folded; but not the same once only composed and stripped (``'Сухой'`` and ``'сухой'``, ``'cухой'`` with a Latin c
    and ``'сухой'``; not ``'сухой'`` and ``' сухой'``, which are one name)."""
    one, other = name_as_read(one), name_as_read(other)
    # (case folded after the look-alikes, for a Latin 'B' and a Cyrillic 'В'; and before, for a Cyrillic 'В' and 'в',
    # where 'В' alone is a look-alike of 'B')
    return one != other and any(fold(one) == fold(other) for fold in (
        lambda t: t.translate(_FOLDED).casefold(), lambda t: t.casefold().translate(_FOLDED)))


def name_as_read(name: object) -> str:
    """A name as daryo reads it (a CSV column's, in its file's header and where a model names it): composed
    (Unicode's NFC: a letter and its combining mark written as two code points, NFD, are the one code point of both)
    and stripped of the spaces around it (a header written ``date, dry, wet``).  Names that differ only so are one
    name (a Tashkent ministry analyst's review: a colleague's file with the same names written NFD, or with a space
    after each comma of its header, was paired with another by position, its wet trace with the other's dry)."""
    return unicodedata.normalize("NFC", str(name)).strip()


def in_words(items: Sequence[str]) -> str:
    """``items`` listed for a sentence: "a", "a and b", "a, b and c"."""
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else items[0]


def differences_named(one: str, other: str, shown: int = 3) -> str:
    """Where ``one`` and ``other`` differ, the characters of each there named with their code points, for a message
    about two texts that look alike: ``'Сухой' holds 'С' (U+0421 CYRILLIC CAPITAL LETTER ES) where 'сухой' holds
    'с' (U+0441 CYRILLIC SMALL LETTER ES)``; "" if they are the same.

    Parameters
    ----------
    one, other
        The two texts, as they are written (not composed: a combining mark one holds apart is named).
    shown
        How many places where they differ to name at most (in the order of ``one``).

    Returns
    -------
    str
        One clause a place, joined by semicolons; a place where one holds characters and the other none says
        ``holds nothing``.
    """
    ops = [op for op in difflib.SequenceMatcher(None, one, other, autojunk=False).get_opcodes() if op[0] != "equal"]
    parts = [f"'{one}' holds {characters_named(one[i1:i2]) or 'nothing'} where '{other}' holds "
             f"{characters_named(other[j1:j2]) or 'nothing'}" for _, i1, i2, j1, j2 in ops[:shown]]
    return "; ".join(parts)

#: the zero-width non-joiner: ordinary Persian spelling (می‌شود, قوش‌تپه), which keeps two letters apart unjoined
_ZWNJ = "\u200c"


def look_alike(char: str) -> bool:
    """Whether ``char`` looks like an ASCII letter, punctuation or space and is not one: a Cyrillic or Greek letter
    of a Latin one's shape (:data:`_LOOK_ALIKES`), or a no-break, typographic or zero-width space."""
    return char in _LOOK_ALIKES or _INVISIBLE.fullmatch(char) is not None


def look_alikes_named(text: str, shown: int = 3) -> str:
    """The characters of ``text`` that look like ASCII ones and are not (:func:`look_alike`), each named with its
    code point, for a message; "" if it has none.

    Parameters
    ----------
    text
        An id, a unit, a line of a file.
    shown
        How many distinct characters to name at most.

    Returns
    -------
    str
        ``'М' (U+041C CYRILLIC CAPITAL LETTER EM)``, several joined by commas; a space is shown as ``' '``, a
        zero-width one as ``''``.
    """
    return characters_named([c for c in text if look_alike(c)], shown)


def characters_named(chars: Iterable[str], shown: int = 3) -> str:
    """The first ``shown`` distinct characters of ``chars`` named with their code points, for a message, as
    :func:`look_alikes_named` names them; a combining mark is shown on a dotted circle (``'◌̆' (U+0306 COMBINING
    BREVE)``), as Unicode's charts show one, not on the quote before it."""
    found = list(dict.fromkeys(chars))[:shown]
    return ", ".join(f"'{_shown(c)}' (U+{ord(c):04X} {unicodedata.name(c, '?')})" for c in found)


def _shown(char: str) -> str:
    """How :func:`characters_named` shows a character: one that shows as nothing as nothing, a combining mark on a
    dotted circle (U+25CC)."""
    if unicodedata.category(char) == "Cf":
        return ""
    return f"\u25cc{char}" if unicodedata.combining(char) else char


def as_ascii(text: str) -> str:
    """``text`` with each look-alike character (:func:`look_alike`) as the ASCII one it looks like, its zero-width
    characters dropped and its other spaces as plain ones: what was meant, most likely."""
    return _INVISIBLE.sub(lambda m: "" if unicodedata.category(m[0]) == "Cf" else " ",
                          "".join(_LOOK_ALIKES.get(c, c) for c in text))


def _look_alike_note(word: str, meant: str) -> str:
    """What makes ``word`` other than ``meant``, which it may look identical to, named with code points ("" if
    nothing of the kind): a letter one writes as two code points, a base letter and a combining mark (Unicode's
    decomposed form, NFD), and the other as one (NFC; the note then names nothing else, as nothing else differs);
    their Arabic and Persian letters of one shape (:data:`_SAME_LETTERS`), their apostrophes of other code points
    (:data:`_APOSTROPHES`), a zero-width non-joiner one is written with and the other without, and the look-alike
    characters of the one that the other does not hold (the word's, or the choice's: a node whose own id was typed
    with a Cyrillic letter)."""
    composed = unicodedata.normalize("NFC", word), unicodedata.normalize("NFC", meant)
    if composed[0] == composed[1]:  # (not the decomposed letter as its base letter, a look-alike: a Tashkent
        # ministry analyst's review, 'Сўх_дарё' written NFD was told it "holds 'у' (U+0443 CYRILLIC SMALL LETTER U)")
        return (f" {differences_named(word, meant)}: the same letters, written as a letter and a separate combining "
                "mark (Unicode's decomposed form, NFD) and as one code point (NFC)")
    word, meant = composed
    notes = []
    letters = [[c for c in one if c in _PAIRED and c not in other] for one, other in ((word, meant), (meant, word))]
    if all(letters):
        notes.append(f"'{word}' holds {characters_named(letters[0])} where '{meant}' holds "
                     f"{characters_named(letters[1])}: Arabic and Persian letters that look alike and are not the same")
    marks = [(word[i1:i2], meant[j1:j2]) for op, i1, i2, j1, j2
             in difflib.SequenceMatcher(None, word, meant, autojunk=False).get_opcodes()
             if op == "replace" and set(word[i1:i2] + meant[j1:j2]) <= set(_APOSTROPHES)]
    if marks:
        notes.append(f"'{word}' holds {characters_named(''.join(a for a, _ in marks))} where '{meant}' holds "
                     f"{characters_named(''.join(b for _, b in marks))}: apostrophes that look alike and are not the "
                     "same")
    for one, other in ((word, meant), (meant, word)):
        if _ZWNJ in one and _ZWNJ not in other:
            notes.append(f"'{one}' is written with a zero-width non-joiner (U+200C) and '{other}' without one")
    for one, other in ((word, meant), (meant, word)):
        if held := _holds(one, [c for c in one if c not in other and c != _ZWNJ]):
            notes.append(held)
            break
    return "".join(f" {n}" for n in notes[:1]) + "".join(f"; {n}" for n in notes[1:])


#: the letters of :data:`_SAME_LETTERS`, Arabic and Persian
_PAIRED = frozenset(_SAME_LETTERS) | frozenset(_SAME_LETTERS.values())


def _holds(text: str, chars: Iterable[str]) -> str:
    """``'text' holds`` the characters of ``chars`` that look like ASCII ones or show as nothing (:func:`look_alike`),
    named, and which of the two they do; "" if none."""
    odd = [c for c in chars if look_alike(c)]
    if not odd:
        return ""
    hidden = {unicodedata.category(c) == "Cf" for c in odd}
    which = ("which shows as nothing" if hidden == {True} else "which looks like an ASCII character and is not"
             if hidden == {False} else "which look like ASCII characters or show as nothing")
    return f"'{text}' holds {characters_named(odd)}, {which}"


def hidden_characters_named(text: str) -> str:
    """A note for a message quoting ``text`` (a CSV cell, a date) that holds characters that show as nothing or look
    like ASCII ones and are not (:func:`look_alike`): `` ('‏150' holds '' (U+200F RIGHT-TO-LEFT MARK), which shows as
    nothing: remove it)``, ``: retype it in ASCII`` for a look-alike letter; "" if it has none.

    A Cyrillic or Greek letter of a Latin one's shape is named only in a word that holds ASCII letters or digits
    too (``'1а5'``, ``'2О20-10-01'``): a word of such letters alone is text of its language (a Russian month
    ``'окт.20'``, a units row's ``'ед. изм.'``: a Tashkent ministry analyst's review), which retyping cannot make a
    number or a date."""
    mixed = {i for m in re.finditer(r"\w+", text) if re.search("[A-Za-z0-9]", m[0]) for i in range(m.start(), m.end())}
    odd = [c for i, c in enumerate(text) if look_alike(c) and (not c.isalpha() or i in mixed)]
    held = _holds(text, odd)
    fix = "remove it" if all(unicodedata.category(c) == "Cf" for c in odd) else "retype it in ASCII"
    return f" ({held}: {fix})" if held else ""


_E = TypeVar("_E", bound=BaseException)


class ModelError(ValueError):
    """Invalid model input; ``problems`` lists every problem found.

    Parameters
    ----------
    problems
        The problems, each with its file and place.
    note
        Advice that applies to them all, written after the list ("" for none): how the command that loaded the
        model reads the file, say.
    subject
        What the problems are in, for the first line (``1 problem in the model:``): the scenarios asked for, say,
        where none of the model's files is at fault.
    """

    def __init__(self, problems: list[Problem] | Problem, note: str = "", *, subject: str = "in the model"):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        self.note, self.subject = note, subject
        lines = _grouped_lines(self.problems)
        text = _head(self.problems, len(lines), subject) + "\n".join(f"  - {line}" for line in lines)
        super().__init__(f"{text}\n{note}" if note else text)

    def __reduce__(self) -> tuple:
        """Pickled as its message and attributes (its constructor takes its problems, not its message): a model's
        error crosses from a worker process whole (a sweep's review: unpickling it failed, which broke a process
        pool's every future or hung a ``multiprocessing.Pool``); ``copy.copy`` and ``copy.deepcopy`` work so too."""
        return rebuilt_error, (type(self), self.args, dict(self.__dict__))


#: how many places a line of problems alike names before "and N more", where there are more than
#: :data:`ALL_PLACES_UP_TO` (up to that many, every one: a diff review found "and 3 more" in a file of six)
PLACES_SHOWN = 3
ALL_PLACES_UP_TO = 6


def _head(problems: Sequence[Problem], lines: int, subject: str) -> str:
    """The first line of an error of ``problems`` said on ``lines`` lines, with its line break: how many problems
    there are, each one once (the same problem found twice, at one place, is one), and where problems alike share a
    line, on how many lines ("7 problems in the model (6 lines: problems alike share a line):": a team's review
    counted 6 lines under "7 problems in the model:")."""
    n = len(set(problems))
    head = f"{'1 problem' if n == 1 else f'{n} problems'} {subject}"
    if lines < n:
        head += f" ({lines} line{'s' if lines > 1 else ''}: problems alike share a line)"
    return f"{head}:\n"


def _grouped_lines(problems: Sequence[Problem]) -> list[str]:
    """One line per problem, but problems alike — the same file and message at several places, as every node that
    reads a shared CSV column of a bad file is told of it (a large-network modeller's review: one missing row of a
    demands CSV gave 141 identical lines) — are one line naming their places (the first :data:`PLACES_SHOWN` and
    how many more, where there are more than :data:`ALL_PLACES_UP_TO`), in the order of their first."""
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.message), []).append(p)
    lines = []
    for (file, message), alike in groups.items():
        if len(alike) == 1:
            lines.append(str(alike[0]))
            continue
        named = list(dict.fromkeys(p.place for p in alike if p.place))
        places = listed(named, len(named) if len(named) <= ALL_PLACES_UP_TO else PLACES_SHOWN)
        lines.append(str(Problem(file, places, message)))
    return lines


#: what is wrong with a path that is a symbolic link loop (Python's own words: "Symlink loop from …")
LINK_LOOP = "it is a symbolic link that leads back to itself (a loop of links)"

#: why a file named with characters the file system's encoding cannot hold cannot be looked for (LC_ALL=C with
#: Python's UTF-8 mode off: a Russian-speaking analyst's review), and what to set
UNENCODABLE_NAME = ("its name has characters the file system's encoding here cannot hold (set PYTHONUTF8=1, or a "
                    "UTF-8 locale: LC_ALL=C.UTF-8)")


class StepError(RuntimeError):
    """The allocation LP of one step has no optimal solution (the base of the three errors below).

    Attributes
    ----------
    step, time, scenario
        Which step (index and date) and scenario failed.
    """

    def __init__(self, step: int, time: str, scenario: str, message: str):
        self.step, self.time, self.scenario = step, time, scenario
        super().__init__(message)

    def __reduce__(self) -> tuple:
        """Pickled as its message and attributes (a subclass's constructor takes other arguments than its message):
        a chunk's error crosses from a Dask worker whole."""
        return rebuilt_error, (type(self), self.args, dict(self.__dict__))

    def in_trace(self, trace: str) -> StepError:
        """The same error of an ensemble's trace: its message names ``trace`` (``trace 8: its inflows …``) where it
        named the chunk's scenario, whose name is the trace's number and whose date is the run's, which say neither
        that it is a trace nor where its inflows come from (a numerical analyst's review)."""
        text = str(self).replace(f", scenario {self.scenario}", f", {trace}", 1)
        return rebuilt_error(type(self), (text,), dict(self.__dict__))


def rebuilt_error(cls: type[_E], args: tuple, attributes: dict) -> _E:
    """An exception of class ``cls`` with message ``args`` and ``attributes``, its constructor not called: how an
    error whose constructor does not take its message is unpickled (its ``__reduce__``)."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(attributes)
    return error


class InfeasibleStepError(StepError):
    """The allocation LP of one step has no solution: bounds conflict.

    Attributes
    ----------
    step, time, scenario
        Which step (index and date) and scenario failed.
    components
        The ids of the components whose bounds conflict (an irreducible set where it could be found).
    """

    def __init__(self, step: int, time: str, scenario: str, components: list[str], detail: str = ""):
        self.components = components
        comps = ", ".join(components) if components else "(could not be isolated)"
        msg = (
            f"the allocation problem is infeasible at step {step} ({time}), scenario {scenario}: "
            f"the bounds of these components conflict: {comps}."
        )
        if detail:
            msg += f" {detail}"
        msg += " Relax a minimum (min_flow, min_volume, fixed inflow) or raise a maximum on one of them."
        super().__init__(step, time, scenario, msg)


class UnboundedStepError(StepError):
    """The allocation LP of one step is unbounded: its costs reward moving water without limit."""

    def __init__(self, step: int, time: str, scenario: str, detail: str = ""):
        super().__init__(step, time, scenario, (
            f"the allocation problem is unbounded at step {step} ({time}), scenario {scenario}: the costs reward "
            "moving water without limit, e.g. round a loop of edges and nodes whose costs add up to less than zero. "
            "Give every loop a total cost of zero or more, or bound one of its flows (max_flow)."
            + (f" {detail}" if detail else "")))


class SolverFailedError(StepError):
    """The LP solver could not solve one step's allocation LP (neither an answer nor a proof of infeasibility)."""

    def __init__(self, step: int, time: str, scenario: str, status: str):
        self.status = status
        super().__init__(step, time, scenario, (
            f"the solver could not solve the allocation problem at step {step} ({time}), scenario {scenario} "
            f"(status: {status}). This usually comes from numbers of very different sizes in one model (e.g. "
            "volumes in m3 next to km3, or costs of 1e9 next to 1e-3): express volumes in hm3 and keep costs "
            "within a few orders of magnitude."))
