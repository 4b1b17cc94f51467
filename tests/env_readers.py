"""Two readers of one env file, as the machines read it: systemd's ``EnvironmentFile=`` and sh.

``systemd_env`` follows the rules systemd.exec(5) documents for ``EnvironmentFile=``
(written here from the documentation; systemd offers no command that prints what it parsed
without a running manager): ``#`` and ``;`` start comment lines; leading whitespace is
dropped; an unquoted value keeps interior whitespace and literal quotes, a backslash keeps
the next character and one at the end of a line joins the next; ``'...'`` is verbatim; in
``"..."`` a backslash before one of ``"\\`$`` gives that character, before a newline joins
lines, and before anything else stays. Quoted and unquoted parts may follow each other.

``sh_env`` sources the file with ``dash`` (what SSM's ``AWS-RunShellScript`` runs) under
``set -a`` and returns the environment it then exports.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.system_tools import require

WHITESPACE = " \t\r"
SH_ESCAPES = '"\\`$'


def systemd_env(text: str) -> dict[str, str]:
    """NAME -> value as ``EnvironmentFile=`` reads ``text``."""
    found: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in WHITESPACE + "\n":
            i += 1
        if i >= n:
            break
        if text[i] in "#;":  # a comment to the end of the line
            while i < n and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
            continue
        start = i
        while i < n and text[i] not in "=\n":
            i += 1
        if i >= n or text[i] == "\n":  # no '=': ignored
            continue
        name = text[start:i].rstrip(WHITESPACE)
        i += 1
        value, i = _value(text, i)
        found[name] = value
    return found


def _value(text: str, i: int) -> tuple[str, int]:
    """The value starting at ``i`` and the index after its line."""
    n = len(text)
    out: list[str] = []
    trailing: int | None = None  # where unquoted trailing whitespace starts in ``out``
    unquoted = False  # inside an unquoted word: quotes are literal from here on
    while i < n and not unquoted and text[i] in WHITESPACE:
        i += 1
    while i < n:
        c = text[i]
        if c == "\n":
            i += 1
            break
        if not unquoted and c == "'":
            end = text.index("'", i + 1) if "'" in text[i + 1 :] else n
            out.append(text[i + 1 : end])
            i = end + 1
            trailing = None
            while i < n and text[i] in WHITESPACE:
                i += 1
            continue
        if not unquoted and c == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    if nxt in SH_ESCAPES:
                        out.append(nxt)
                    elif nxt != "\n":
                        out.append("\\" + nxt)
                    i += 2
                    continue
                out.append(text[i])
                i += 1
            i += 1
            trailing = None
            while i < n and text[i] in WHITESPACE:
                i += 1
            continue
        if c == "\\":
            if i + 1 < n and text[i + 1] != "\n":
                out.append(text[i + 1])
            unquoted = True
            trailing = None
            i += 2
            continue
        unquoted = True
        if c in WHITESPACE:
            if trailing is None:
                trailing = len(out)
        else:
            trailing = None
        out.append(c)
        i += 1
    if trailing is not None:
        out = out[:trailing]
    return "".join(out), i


def sh_env(env_file: Path) -> dict[str, str]:
    """NAME -> value after ``set -a; . FILE`` in dash, from an empty environment."""
    dash = require("dash")
    done = subprocess.run(
        [dash, "-c", 'set -a; . "$1"; exec env -0', "sh", str(env_file)],
        capture_output=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    pairs = (item.split(b"=", 1) for item in done.stdout.split(b"\0") if b"=" in item)
    exported = {k.decode(): v.decode() for k, v in pairs}
    for name in ("PATH", "PWD", "OLDPWD", "SHLVL", "_"):
        exported.pop(name, None)
    return exported
