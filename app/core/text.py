"""Unicode rules for text that people type: no invisible characters, one normal form for names.

Pure functions; ``app.schemas.text`` wraps them as pydantic types.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from functools import lru_cache

# Control (Cc), format (Cf: zero-width joiners, bidi overrides, soft hyphen), private use
# (Co), lone surrogates (Cs), line/paragraph separators (Zl, Zp), and spaces other than
# the ordinary U+0020 (no-break, ideographic, en/em spaces...).
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
MULTILINE_ALLOWED = frozenset({"\n", "\t"})


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1; Python's
# unicodedata does not expose it): drawn as nothing. Most are format characters (refused
# anyway); the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) are letters (Lo) and the
# variation selectors marks, so only this list finds them.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)  # fmt: skip
# Invisible though not default-ignorable: the Braille pattern blank (a "letter-like"
# symbol that renders as a space).
INVISIBLE_OTHERS = frozenset({"\u2800"})


class BadText(ValueError):
    """The text holds a character the field does not allow."""


def noncharacter(char: str) -> bool:
    """U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+10FFFF...):
    reserved for internal use, never to be interchanged."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def invisible(char: str) -> bool:
    """Drawn as nothing: a default-ignorable code point or an invisible letter."""
    code = ord(char)
    return char in INVISIBLE_OTHERS or any(low <= code <= high for low, high in DEFAULT_IGNORABLE)


def visible_text(value: str) -> str:
    """``value`` without invisible characters and surrounding spaces: empty when the
    text shows nothing."""
    return "".join(c for c in value if not invisible(c)).strip()


def forbidden(char: str) -> bool:
    category = unicodedata.category(char)
    return (
        category in FORBIDDEN_CATEGORIES or (category == "Zs" and char != " ") or noncharacter(char)
    )


def check_characters(value: str, *, multiline: bool = False) -> None:
    """Raise BadText naming the first forbidden character. ``multiline`` text
    (descriptions, letters) may also hold newlines and tabs."""
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    for position, char in enumerate(value):
        if char not in allowed and forbidden(char):
            kind = (
                "a noncharacter"
                if noncharacter(char)
                else (
                    f"control, invisible or unusual space characters, category "
                    f"{unicodedata.category(char)}"
                )
            )
            raise BadText(
                f"character U+{ord(char):04X} at position {position} is not allowed ({kind})"
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
    """The skeleton mapping of UTS #39 towards ASCII, from Unicode's confusables data (as
    shipped by the ``confusable-homoglyphs`` package): each non-ASCII character listed as
    looking like an ASCII letter or digit, mapped to it (Cyrillic small ie U+0435 to "e",
    Greek capital eta U+0397 to "H"), and the ASCII characters that confusables.txt maps to
    a prototype: ``1`` to ``l``, ``0`` to ``O``, ``m`` to ``rn``. (The package keeps both
    directions of each pair; the prototype is the side with several sources.) Capital
    ``I`` is left to ``_capital_i``: folded to ``l`` everywhere, "TIDAL" would no longer
    be "tidal"."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[str, str] = {}
    for char, look_alikes in confusables_data.items():
        if len(char) != 1:
            continue
        if char.isascii():
            if char.isalnum() and len(look_alikes) == 1:
                target = look_alikes[0]["c"]
                several = len(confusables_data.get(target, [])) > 1
                if char != "I" and target.isascii() and target.isalnum() and several:
                    table[char] = target
            continue
        for look_alike in look_alikes:
            shape = look_alike["c"]
            if len(shape) == 1 and shape.isascii() and shape.isalnum():
                table[char] = shape
                break
    return table


# Digits that stand in for the letters they look like ("Heli0s", "App1e").
DIGIT_LOOK_ALIKES = str.maketrans({"0": "o", "1": "l"})
# ASCII sequences confusables.txt does not list but that read as one letter in most fonts
# ("Northvvind"); applied to the skeleton's lower-case letters.
SEQUENCE_LOOK_ALIKES = (("vv", "w"),)


def _fold_look_alikes(text: str) -> str:
    table = _ascii_look_alikes()
    return _capital_i("".join(table.get(char, char) for char in text))


# A capital I after a lower-case letter is a lower-case l in disguise ("HeIios SoIar");
# elsewhere (a word's start, all capitals: "Iona", "TIDAL") it is an I.
_DISGUISED_L = re.compile(r"(?<=[^\W\d_])I")


def _capital_i(text: str) -> str:
    return _DISGUISED_L.sub(lambda match: "l" if text[match.start() - 1].islower() else "I", text)


def skeleton(name: str) -> str:
    """A name's confusable skeleton (UTS #39, towards ASCII), case- and accent-free:
    invisible characters removed (default-ignorable code points, Hangul fillers, the
    Braille blank), NFKC, look-alike characters replaced by their prototypes (before and
    after case folding: Greek capital eta looks like H, its lower case like n), accents
    stripped, only letters and digits kept, 0/1 read as o/l, ``vv`` as ``w``."""
    text = visible_text(nfkc(visible_text(name)))
    for _ in range(4):  # to a fixed point (a fold can expose another look-alike)
        folded = nfkc(_fold_look_alikes(_fold_look_alikes(text).casefold()).casefold())
        if folded == text:
            break
        text = folded
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c)[0] in ("L", "N"))
    kept = visible_text(nfkc(kept)).translate(DIGIT_LOOK_ALIKES)
    for sequence, letter in SEQUENCE_LOOK_ALIKES:
        kept = kept.replace(sequence, letter)
    return kept


def name_key(name: str) -> str:
    """The form under which two names count as the same, as a SHA-256 hex digest (a fixed
    size column): the confusable skeleton, so "ACME, Inc.", "acme inc", "Ácme Inc", "Acme
    Inc" spelled with a Cyrillic A, "HeIios" (capital I) and "Cornrnon" share one key."""
    return hashlib.sha256(skeleton(name).encode()).hexdigest()


def has_letters_or_digits(name: str) -> bool:
    """At least one visible letter or digit (a Hangul filler is a letter nobody sees)."""
    return any(unicodedata.category(c)[0] in ("L", "N") for c in visible_text(name))
