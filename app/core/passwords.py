"""Refuse passwords that attackers try first.

The list is the 10,000 most common leaked passwords as shipped inside the ``zxcvbn``
package (its ``passwords`` frequency list, ranked by how often each appeared in leaks),
so nothing is downloaded and the check works offline.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

COMMON_PASSWORDS_CHECKED = 10_000
# zxcvbn's estimate: score 2 means at least 10^6 guesses, out of reach of an online attack
# that the login throttle holds to a few hundred tries a day per account.
MIN_ZXCVBN_SCORE = 2
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters are scored


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


def too_guessable(password: str, *, user_inputs: list[str] | None = None) -> bool:
    """True for a password zxcvbn guesses in under a million tries: repeats
    (``aaaaaaaa``, ``ababab``), sequences (``abcdefgh``, ``123456789012``), keyboard walks
    (``asdfghjkl;``), doubled words (``passwordpassword``), blanks, and the account's own
    e-mail given in ``user_inputs``. zxcvbn ships with the package and runs offline."""
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=user_inputs or [])
    return int(result["score"]) < MIN_ZXCVBN_SCORE
