"""Unicode rules for text that people type: no invisible characters, one normal form for names.

Pure functions; ``app.schemas.text`` wraps them as pydantic types.
"""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from functools import lru_cache

# Control (Cc), format (Cf: zero-width joiners, bidi overrides, soft hyphen), private use
# (Co), lone surrogates (Cs), line/paragraph separators (Zl, Zp), and spaces other than
# the ordinary U+0020 (no-break, ideographic, en/em spaces...).
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
MULTILINE_ALLOWED = frozenset({"\n", "\t"})


class BadText(ValueError):
    """The text holds a character the field does not allow."""


def forbidden(char: str) -> bool:
    category = unicodedata.category(char)
    return category in FORBIDDEN_CATEGORIES or (category == "Zs" and char != " ")


def check_characters(value: str, *, multiline: bool = False) -> None:
    """Raise BadText naming the first forbidden character. ``multiline`` text
    (descriptions, letters) may also hold newlines and tabs."""
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    for position, char in enumerate(value):
        if char not in allowed and forbidden(char):
            raise BadText(
                f"character U+{ord(char):04X} at position {position} is not allowed "
                f"(control, invisible or unusual space characters, category "
                f"{unicodedata.category(char)})"
            )


@lru_cache(maxsize=1)
def forbidden_ranges() -> tuple[tuple[int, int], ...]:
    """The forbidden code points as ranges, from this Python's Unicode database (so the
    published schema and the check agree). About 0.25 s, once per process."""
    ranges: list[tuple[int, int]] = []
    start = previous = -1
    for code in range(sys.maxunicode + 1):
        if forbidden(chr(code)):
            if start < 0:
                start = code
            previous = code
        elif start >= 0:
            ranges.append((start, previous))
            start = -1
    if start >= 0:
        ranges.append((start, previous))
    return tuple(ranges)


def _escape(code: int) -> str:
    return f"\\u{code:04x}"


def forbidden_class(*, multiline: bool = False) -> str:
    """The forbidden characters of the Basic Multilingual Plane, surrogates aside, as the
    inside of a regex character class written with ``\\uXXXX`` escapes.

    That is the part every regex dialect reads alike: JSON Schema's (ECMA-262) sees a
    character beyond U+FFFF as two surrogates and has no ``\\U`` escape, Python's sees
    one code point. The check itself (``check_characters``) covers every plane and
    lone surrogates, and its message names the character.
    """
    parts: list[str] = []
    for low, high in forbidden_ranges():
        if low > 0xFFFF:
            break
        if low <= 0xD800 <= high:  # leave the surrogates out of the pattern
            low = max(low, 0xE000)
        split = multiline and low <= 0x0A <= high  # \t and \n are allowed: split around them
        pieces = [(low, 0x08), (0x0B, high)] if split else [(low, high)]
        for a, b in pieces:
            parts.append(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}")
    return "".join(parts)


def nfkc(value: str) -> str:
    """NFKC folds compatibility forms (full-width letters, ligatures, superscripts) into
    ordinary characters, so look-alike spellings of one name become one string."""
    return unicodedata.normalize("NFKC", value)


@lru_cache(maxsize=1)
def _ascii_look_alikes() -> dict[str, str]:
    """Each non-ASCII character that Unicode's confusables data (UTS #39, as shipped by
    the ``confusable-homoglyphs`` package) lists as looking like one ASCII letter or
    digit, mapped to it: Cyrillic small ie (U+0435) to "e", Greek capital eta (U+0397) to
    "H", and so on."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[str, str] = {}
    for char, look_alikes in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        for look_alike in look_alikes:
            shape = look_alike["c"]
            if len(shape) == 1 and shape.isascii() and shape.isalnum():
                table[char] = shape
                break
    return table


# Digits that stand in for the letters they look like ("Heli0s", "App1e").
DIGIT_LOOK_ALIKES = str.maketrans({"0": "o", "1": "l"})


def _fold_look_alikes(text: str) -> str:
    table = _ascii_look_alikes()
    return "".join(table.get(char, char) for char in text)


def name_key(name: str) -> str:
    """The form under which two names count as the same: NFKC, look-alike letters of other
    scripts replaced by the ASCII ones they imitate, casefolded, accents stripped, only
    letters and digits kept, 0 and 1 read as o and l (so "ACME, Inc.", "acme inc",
    "Ácme Inc", "Acme Inc" spelled with a Cyrillic A and "Acme 1nc" share one key).
    Returned as a SHA-256 hex digest so the column has a fixed size."""
    # Before casefolding (Greek capital eta looks like H, its lower case like n) and after
    # it (casefolding may produce another look-alike).
    folded = _fold_look_alikes(_fold_look_alikes(nfkc(name)).casefold()).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    kept = "".join(c for c in decomposed if unicodedata.category(c)[0] in ("L", "N"))
    return hashlib.sha256(nfkc(kept).translate(DIGIT_LOOK_ALIKES).encode()).hexdigest()


def has_letters_or_digits(name: str) -> bool:
    return any(unicodedata.category(c)[0] in ("L", "N") for c in name)
