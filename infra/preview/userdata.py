"""``userData`` changes as a unified diff of the boot script, not of its base64.

Launch templates carry the script base64-encoded (``infra/components/fleet.py``); inside it,
large files are gzip + base64 heredocs (``infra/render/userdata.py``). Both layers are
undone here so a reviewer reads the lines that changed.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import gzip
import re
from dataclasses import dataclass

from infra.diff.model import PlanDiff
from infra.plan.model import Plan
from infra.render.userdata import EOF_MARK

USER_DATA = "userData"
PACKED = re.compile(
    rf"^(base64 -d <<'{EOF_MARK}' \| gunzip \| put (\S+) \d+)\n(.*?)^{EOF_MARK}$", re.M | re.S
)


@dataclass(frozen=True)
class ScriptDiff:
    name: str  # the launch template
    type: str
    diff: str  # unified diff text


def decode_script(value: object) -> str:
    """The script a ``userData`` value holds; anything that is not base64 is shown as is."""
    if not isinstance(value, str):
        return "" if value is None else f"{value!r}\n"
    try:
        text = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return value if value.endswith("\n") else value + "\n"
    return unpack_heredocs(text)


def unpack_heredocs(script: str) -> str:
    """Each gzip + base64 heredoc replaced by its text (marked as decoded)."""

    def readable(match: re.Match[str]) -> str:
        try:
            content = gzip.decompress(base64.b64decode(match.group(3))).decode()
        except (binascii.Error, OSError, UnicodeDecodeError):
            return match.group(0)
        return f"{match.group(1)}\n# (decoded here from gzip + base64)\n{content}{EOF_MARK}"

    return PACKED.sub(readable, script)


def script_diffs(
    diff: PlanDiff, before: Plan, after: Plan, before_label: str, after_label: str
) -> list[ScriptDiff]:
    """One unified diff per changed resource whose ``userData`` changed."""
    old = {r.urn: r for r in before.custom_resources()}  # one target at two commits: same URNs
    found = []
    for change in diff.changed:
        if not any(p.path == USER_DATA for p in change.properties):
            continue
        new_resource = next(r for r in after.custom_resources() if r.urn == change.urn)
        old_resource = old.get(change.urn)
        was = decode_script(old_resource.inputs.get(USER_DATA) if old_resource else None)
        now = decode_script(new_resource.inputs.get(USER_DATA))
        lines = difflib.unified_diff(
            was.splitlines(keepends=True),
            now.splitlines(keepends=True),
            fromfile=f"{before_label.split()[0]}/{change.name}",  # no spaces in diff headers
            tofile=f"{after_label.split()[0]}/{change.name}",
        )
        found.append(ScriptDiff(change.name, change.type, "".join(lines)))
    return found
