"""What a stack hands to its machines, as files: ``gm-infra render scripts``.

Read from the Plan (what the program registers, so what ``pulumi up`` sends), never
re-rendered: each launch template's ``userData`` decoded, the files its script embeds
(``boot.json``, the systemd units, ``gm-boot``), and every script SSM Run Command sends
(``infra/remote/reshard.py``), with the fleet each one goes to.

Layout (``DIR`` relative)::

    <fleet>/user-data           the boot script cloud-init runs (plain text, no base64)
    <fleet>/boot.json           what gm-boot reads on the instance (ARNs and hosts only)
    <fleet>/units/<name>        the systemd units the script installs
    gm-boot                     the instance helper (one copy: every fleet embeds the same)
    ssm/reshard-run.sh          from phase 3: the reshard, as AWS-RunShellScript runs it
    ssm/reshard-status.sh       from phase 3: the shard map's status
    manifest.json               the fleets, and which fleet each SSM script is sent to

``<fleet>`` is the launch template's ``Role`` tag (``api``, ``worker``, ``service-auth``...).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from infra.errors import BadInputError
from infra.phases import SHARDED_PHASE
from infra.plan.model import Plan, PlannedResource
from infra.plan.types import tokens as t
from infra.remote.reshard import reshard_role, reshard_script
from infra.render.userdata import ETC, GM, UNIT_DIR, extract_files

BOOT_JSON = f"{ETC}/boot.json"
GM_BOOT = f"{GM}/bin/gm-boot"


@dataclass(frozen=True)
class SsmScript:
    name: str  # ssm/<name>.sh
    fleet: str  # the Role tag of the group it is sent to
    text: str


@dataclass
class MachineFiles:
    phase: int
    files: dict[str, str] = field(default_factory=dict)  # relative path -> text
    fleets: dict[str, dict[str, Any]] = field(default_factory=dict)
    ssm: list[SsmScript] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "fleets": self.fleets,
            "ssm": {s.name: {"file": f"ssm/{s.name}.sh", "fleet": s.fleet} for s in self.ssm},
        }


def fleet_of(template: PlannedResource) -> str:
    """The ``Role`` tag the launch template gives its instances."""
    tags = template.inputs.get("tags") or {}
    role = tags.get("Role") if isinstance(tags, Mapping) else None
    if not isinstance(role, str) or not role:
        raise BadInputError(f"launch template {template.name} has no Role tag", None)
    return role


def decoded_userdata(template: PlannedResource) -> str:
    value = template.inputs.get("userData")
    try:
        return base64.b64decode(str(value), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadInputError(
            f"launch template {template.name}'s userData is not base64 text", None
        ) from None


def machine_files(plan: Plan) -> MachineFiles:
    """Every file, by its path under the output folder."""
    found = MachineFiles(plan.phase)
    helpers: set[str] = set()
    templates = [r for r in plan.custom_resources() if r.type == t.LAUNCH_TEMPLATE]
    for template in sorted(templates, key=lambda r: r.name):
        fleet = fleet_of(template)
        script = decoded_userdata(template)
        embedded = extract_files(script)
        found.files[f"{fleet}/user-data"] = script
        found.files[f"{fleet}/boot.json"] = embedded[BOOT_JSON]
        units = sorted(PurePosixPath(p).name for p in embedded if p.startswith(UNIT_DIR + "/"))
        for unit in units:
            found.files[f"{fleet}/units/{unit}"] = embedded[f"{UNIT_DIR}/{unit}"]
        helpers.add(embedded[GM_BOOT])
        found.fleets[fleet] = {
            "launch_template": template.name,
            "user_data_bytes": len(script.encode()),
            "units": units,
        }
    if len(helpers) > 1:  # one helper, whatever the fleet: a difference is a program bug
        raise BadInputError("the fleets embed different gm-boot helpers", None)
    if helpers:
        found.files["gm-boot"] = helpers.pop()
    if plan.phase >= SHARDED_PHASE:
        host = reshard_role(plan.phase)
        if host not in found.fleets:
            raise BadInputError(f"phase {plan.phase} has no {host} fleet to reshard on", None)
        shards = len(json.loads(found.files[f"{host}/boot.json"])["shards"])
        run, status = reshard_script(shards, "run"), reshard_script(0, "status")
        found.ssm.append(SsmScript("reshard-run", host, "\n".join(run) + "\n"))
        found.ssm.append(SsmScript("reshard-status", host, "\n".join(status) + "\n"))
    for ssm in found.ssm:
        found.files[f"ssm/{ssm.name}.sh"] = ssm.text
    found.files["manifest.json"] = json.dumps(found.manifest(), indent=2, sort_keys=True) + "\n"
    return found


EXECUTABLE = ("gm-boot", "user-data", ".sh")


def write_machine_files(found: MachineFiles, out: Path) -> list[Path]:
    """Write every file under ``out`` (created if missing); scripts are made executable."""
    written = []
    for relative, text in sorted(found.files.items()):
        path = out / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            if relative.endswith(EXECUTABLE):
                path.chmod(0o755)
        except OSError as error:
            raise BadInputError(
                f"cannot write {path}: {error.strerror}", "give --out a folder you can write"
            ) from None
        written.append(path)
    return written
