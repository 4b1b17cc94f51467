"""Refuse passwords that attackers try first.

The list is the 10,000 most common leaked passwords as shipped inside the ``zxcvbn``
package (its ``passwords`` frequency list, ranked by how often each appeared in leaks),
so nothing is downloaded and the check works offline.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

COMMON_PASSWORDS_CHECKED = 10_000


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_CHECKED])


def is_common(password: str) -> bool:
    """True for a listed password, compared case-insensitively after NFKC, and for one
    that is a listed password with digits or punctuation stuck on (``Password123!``)."""
    folded = unicodedata.normalize("NFKC", password).casefold()
    listed = common_passwords()
    if folded in listed:
        return True
    core = folded.strip("0123456789!@#$%^&*()-_=+.?~ ")
    return len(core) >= 4 and core in listed
