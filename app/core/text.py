"""Unicode rules for text that people type: one normal form, no invisible characters.

Pure functions; ``app.schemas.text`` wraps them as pydantic types.
"""

from __future__ import annotations

import hashlib
import unicodedata

# Control (Cc), format (Cf: zero-width joiners, bidi overrides, soft hyphen), private use
# (Co), lone surrogates (Cs) and line/paragraph separators (Zl, Zp).
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
MULTILINE_ALLOWED = frozenset({"\n", "\t"})


class BadText(ValueError):
    """The text holds a character the field does not allow."""


def normalise(value: str, *, multiline: bool = False) -> str:
    """NFKC, then refuse control and invisible characters and spaces other than U+0020.

    NFKC folds compatibility forms (full-width letters, ligatures, no-break spaces) into
    their ordinary characters, so look-alike spellings of one name become one string.
    ``multiline`` text (descriptions) may also hold newlines and tabs; CRLF becomes LF.
    """
    if multiline:
        value = value.replace("\r\n", "\n")
    value = unicodedata.normalize("NFKC", value)
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    for position, char in enumerate(value):
        if char in allowed:
            continue
        category = unicodedata.category(char)
        if category in FORBIDDEN_CATEGORIES or (category == "Zs" and char != " "):
            raise BadText(
                f"character U+{ord(char):04X} at position {position} is not allowed "
                f"(control, invisible or unusual space characters, category {category})"
            )
    return value


def name_key(name: str) -> str:
    """The form under which two names count as the same: NFKC, casefolded, accents
    stripped, only letters and digits kept (so "ACME, Inc.", "acme inc" and "Ácme Inc"
    share one key). Returned as a SHA-256 hex digest so the column has a fixed size."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    kept = "".join(c for c in decomposed if unicodedata.category(c)[0] in ("L", "N"))
    return hashlib.sha256(unicodedata.normalize("NFKC", kept).encode()).hexdigest()


def has_letters_or_digits(name: str) -> bool:
    return any(unicodedata.category(c)[0] in ("L", "N") for c in name)
