"""String types for API input: NFKC-normalised, no invisible characters, sized to their columns.

Column sizes on MariaDB (utf8mb4): ``VARCHAR(n)`` holds n characters, ``TEXT`` holds
65,535 bytes. A character takes at most 4 bytes, so a TEXT field accepts at most
16,383 characters: every string the schema admits fits its column.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints

from app.core.text import BadText, normalise

TEXT_COLUMN_BYTES = 65_535
UTF8MB4_MAX_BYTES_PER_CHAR = 4
TEXT_COLUMN_CHARS = TEXT_COLUMN_BYTES // UTF8MB4_MAX_BYTES_PER_CHAR  # 16,383


def _one_line(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # strict str validation reports the wrong type
    try:
        return normalise(value)
    except BadText as error:
        raise ValueError(str(error)) from None


def _multiline(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return normalise(value, multiline=True)
    except BadText as error:
        raise ValueError(str(error)) from None


OneLine = BeforeValidator(_one_line)
MultiLine = BeforeValidator(_multiline)

# The normaliser (a before-validator) runs first; the constraints check its result.
# A VARCHAR(255) column: one line, 1-255 characters after normalising and stripping.
Text255 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), OneLine
]
OptionalText255 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255), OneLine]
# A TEXT column: several lines, at most TEXT_COLUMN_CHARS characters.
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_COLUMN_CHARS),
    MultiLine,
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=255,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
    OneLine,
]
