"""String types for API input: no invisible characters, sized to their columns, names NFKC.

Each type checks the raw input against exactly what its JSON schema says (length and a
``pattern`` that leaves out the forbidden characters), then normalises what passed:
surrounding spaces are stripped; names and e-mails are NFKC-normalised (e-mails also
lower-cased). So a request the schema calls valid is accepted and one it calls invalid
is refused (schemathesis checks both).

Column sizes on MariaDB (utf8mb4): ``VARCHAR(n)`` holds n characters, ``TEXT`` holds
65,535 bytes. A character takes at most 4 bytes, so a TEXT field accepts at most
16,383 characters: every string the schema admits fits its column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from app.core.text import BadText, check_characters, forbidden_class, invisible, nfkc, visible_text

TEXT_COLUMN_BYTES = 65_535
UTF8MB4_MAX_BYTES_PER_CHAR = 4
TEXT_COLUMN_CHARS = TEXT_COLUMN_BYTES // UTF8MB4_MAX_BYTES_PER_CHAR  # 16,383
VARCHAR_CHARS = 255
EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

_LINE = forbidden_class()
_LINES = forbidden_class(multiline=True)
LINE_PATTERN = f"^[^{_LINE}]*$"
LINES_PATTERN = f"^[^{_LINES}]*$"
EMAIL_PATTERN = rf"^[^{_LINE}@\s]+@[^{_LINE}@\s]+\.[^{_LINE}@\s]+$"


def _characters(*, multiline: bool) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, str):  # other types: strict str validation names the type
            try:
                check_characters(value, multiline=multiline)
            except BadText as error:
                raise ValueError(str(error)) from None
        return value

    return check


INVISIBLE_ONLY = "must not be blank (only spaces or invisible characters)"


def _stripped(value: str) -> str:
    """May be empty; but text that shows nothing is refused."""
    if value.strip() and not visible_text(value):
        raise ValueError(INVISIBLE_ONLY)
    return value.strip()


def _not_blank(value: str) -> str:
    if not visible_text(value):
        raise ValueError(INVISIBLE_ONLY)
    return value.strip()


def _name(value: str) -> str:
    normal = nfkc(value).strip()
    if not visible_text(normal):
        raise ValueError(INVISIBLE_ONLY)
    if len(normal) > VARCHAR_CHARS:
        raise ValueError(f"longer than {VARCHAR_CHARS} characters after Unicode normalisation")
    return normal


def _email(value: str) -> str:
    hidden = next((c for c in value if invisible(c)), None)
    if hidden is not None:
        raise ValueError(
            f"an e-mail address must not hold the invisible character U+{ord(hidden):04X}"
        )
    normal = nfkc(value).strip().lower()
    if len(normal) > VARCHAR_CHARS or not re.fullmatch(EMAIL_SHAPE, normal):
        raise ValueError("not a valid e-mail address after Unicode normalisation")
    return normal


OneLine = BeforeValidator(_characters(multiline=False))
MultiLine = BeforeValidator(_characters(multiline=True))


def _pattern(pattern: str) -> Any:
    return Field(json_schema_extra={"pattern": pattern})


# A VARCHAR(255) column: one line that is not blank, stripped.
Text255 = Annotated[
    str,
    StringConstraints(min_length=1, max_length=VARCHAR_CHARS),
    OneLine,
    AfterValidator(_not_blank),
    _pattern(LINE_PATTERN),
]
# A name that must not be confused with another: as Text255, then NFKC.
Name255 = Annotated[
    str,
    StringConstraints(min_length=1, max_length=VARCHAR_CHARS),
    OneLine,
    AfterValidator(_name),
    _pattern(LINE_PATTERN),
]
# A TEXT column: several lines, at most TEXT_COLUMN_CHARS characters.
LongText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TEXT_COLUMN_CHARS),
    MultiLine,
    AfterValidator(_not_blank),
    _pattern(LINES_PATTERN),
]


# A cover letter (VARCHAR(2000): 2,000 characters), may be empty.
CoverLetter = Annotated[
    str,
    StringConstraints(max_length=2000),
    MultiLine,
    AfterValidator(_stripped),
    _pattern(LINES_PATTERN),
]
# What a person writes to be matched: several lines, not blank.
QueryText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=5000),
    MultiLine,
    AfterValidator(_not_blank),
    _pattern(LINES_PATTERN),
]


Email = Annotated[
    str,
    StringConstraints(min_length=3, max_length=VARCHAR_CHARS, pattern=EMAIL_SHAPE),
    OneLine,
    AfterValidator(_email),
    _pattern(EMAIL_PATTERN),
]
# Passwords are kept as typed, but must be encodable (no lone surrogates).
PASSWORD_PATTERN = r"^[^\ud800-\udfff]*$"
