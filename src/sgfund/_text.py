r"""Characters sgfund refuses in input, named so an officer can find them (private).

Only ASCII digits count as digits in money, dates and identifiers: Python's ``\d``, ``int()``
and ``Decimal()`` also read Arabic-Indic, full-width and other digits, which would let
a full-width ``"£1234"`` in as £1,234.00. Control characters are refused in text because
nothing an officer types holds them and spreadsheets cannot store them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ALLOWED_CONTROLS", "bad_character", "describe", "non_ascii_digit"]

# Tab, line feed and carriage return are allowed in free text (a cell may wrap lines).
ALLOWED_CONTROLS = frozenset("\t\n\r")
# C0 and C1 controls, DEL, unpaired surrogates and the two non-characters U+FFFE/U+FFFF:
# none can be written to a workbook, and surrogates cannot even be written as UTF-8.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def describe(char: str) -> str:
    """A character as an officer can look it up: ``"'x' (U+0078 LATIN SMALL LETTER X)"``."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if char.isprintable():
        return f"{char!r} ({code} {name})".replace(" )", ")")
    kind = unicodedata.category(char)
    what = {"Cc": "a control character", "Cs": "half of a surrogate pair"}.get(kind, name)
    return f"{code} ({what})" if what else code


def non_ascii_digit(text: str) -> str | None:
    """Describe the first digit in ``text`` that is not ASCII 0-9, or None."""
    if text.isascii():
        return None
    for char in text:
        if not char.isascii() and (char.isdigit() or char.isnumeric()):
            return describe(char)
    return None


def bad_character(text: str) -> str | None:
    """Describe the first control character (other than tab and line breaks) in ``text``."""
    found = _BAD.search(text)
    return None if found is None else describe(found[0])
