"""One identity per e-mail: the canonical form that the unique index, the lookup, the login
throttle and registration all use.

Two spellings are one account exactly when their canonical forms are equal, on every
backend: the form is computed here and stored in ``users.email_canonical``, a column with
a binary collation (``utf8mb4_bin`` on MariaDB; SQLite compares bytes), so the database
compares it and never folds it its own way (MariaDB's ``utf8mb4_unicode_ci`` would fold
case and accents, SQLite nothing).

The form: NFKC (full-width and compatibility letters), Unicode case folding (``ß`` is
``ss``), then accents removed (NFD, combining marks dropped, NFC). Case and accents fold
because people type them inconsistently and because the RDS collation already treated
them as one: ``Employer@``, ``émployer@`` and ``emplõyer@`` are the same account, so a
lock on one is a lock on all. Look-alike letters of other scripts are not folded: they
are different addresses (and the RDS collation keeps them apart too).
"""

from __future__ import annotations

import unicodedata


def canonical_email(email: str) -> str:
    folded = unicodedata.normalize("NFKC", email).strip().casefold()
    bare = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)
