"""checkov on the exported template, offline and quiet, as a subprocess of its own venv.

checkov 3.3 pins boto3==1.35.49, networkx<2.7 and packaging<24, which would downgrade the
project's boto3 (1.44), networkx (3.6) and packaging (26); so it lives in its own virtualenv
(``.venv-checkov``, made by ``scripts/setup.sh``) and runs as a subprocess. Offline it would
print tracebacks from a call home: ``BC_SKIP_MAPPING`` and ``--skip-download`` stop the
calls, and its stderr is captured (shown only if it fails).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.children import track
from infra.errors import BadInputError, GmError
from infra.export.cloudformation import Export
from infra.project import INSTALL_ROOT
from infra.validate.model import ERROR, Finding

INSTALL_HINT = (
    "install it in its own venv: python3 -m venv .venv-checkov && "
    ".venv-checkov/bin/pip install 'checkov==3.3.30' (scripts/setup.sh does this), "
    "or set GM_CHECKOV to a checkov executable"
)
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",  # no download of the guideline/severity mapping
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "BC_API_KEY": "",
    "CHECKOV_NO_OUTPUT": "",
    "LOG_LEVEL": "ERROR",
}


def find_checkov() -> Path | None:
    """``$GM_CHECKOV``, then the repository's ``.venv-checkov``, then the venv, then PATH."""
    configured = os.environ.get("GM_CHECKOV")
    candidates = [Path(configured)] if configured else []
    candidates += [
        INSTALL_ROOT / ".venv-checkov" / "bin" / "checkov",
        Path(sys.executable).parent / "checkov",
    ]
    on_path = shutil.which("checkov")
    if on_path:
        candidates.append(Path(on_path))
    return next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


@dataclass
class CheckovRun:
    """A started checkov process over one or more templates; ``findings`` waits for it."""

    process: subprocess.Popen[str]
    workdir: tempfile.TemporaryDirectory[str]
    exports: list[Export]

    def findings(self, timeout_s: float = 600.0) -> list[list[Finding]]:
        """The findings of each template, in the order the exports were given."""
        try:
            stdout, stderr = self.process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise GmError(f"checkov took over {timeout_s:.0f} s and was stopped") from None
        finally:
            self.workdir.cleanup()
        try:
            report = json.loads(stdout) if stdout.strip() else {}
        except json.JSONDecodeError:
            last = (stderr.strip().splitlines() or ["no output"])[-1]
            raise GmError(
                f"checkov gave no report (exit {self.process.returncode}): {last}"
            ) from None
        return split_report(report, self.exports)


def template_name(number: int) -> str:
    return f"template{number}.json"


# How gm-infra runs checkov on CloudFormation, offline and quiet, with a JSON report.
OPTIONS = (
    "--framework",
    "cloudformation",
    "--skip-download",
    "--quiet",
    "--compact",
    "--output",
    "json",
)


def start_checkov(exports: Sequence[Export]) -> CheckovRun:
    """One checkov process over every template: its start-up (seconds of imports) is paid
    once, and a folder of four templates takes little longer than the largest alone."""
    executable = find_checkov()
    if executable is None:
        raise BadInputError("checkov is not installed", INSTALL_HINT)
    workdir = tempfile.TemporaryDirectory(prefix="gm-checkov-")
    for number, export in enumerate(exports):
        (Path(workdir.name) / template_name(number)).write_text(export.to_json())
    env = {**os.environ, **OFFLINE_ENV}
    command = [str(executable), "--directory", workdir.name, *OPTIONS]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=workdir.name,
        start_new_session=True,  # its own group: an interrupt stops checkov and its workers
    )
    track(process)
    return CheckovRun(process, workdir, list(exports))


def checkov_version(executable: Path) -> str:
    """checkov's version from the metadata of the venv it lives in (reading it is instant;
    ``checkov --version`` takes seconds), else what ``--version`` prints."""
    venv = executable.parent.parent
    for info in sorted(venv.glob("lib/python*/site-packages/checkov-*.dist-info")):
        return info.name.removeprefix("checkov-").removesuffix(".dist-info")
    result = subprocess.run(
        [str(executable), "--version"],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE_ENV},
        check=False,
    )
    version = result.stdout.strip().splitlines()[-1:] if result.returncode == 0 else []
    if not version:
        raise GmError(f"{executable} --version failed (exit {result.returncode})")
    return f"{version[0]} ({executable.resolve()})"


def split_report(report: dict | list, exports: Sequence[Export]) -> list[list[Finding]]:
    """checkov's failed checks per template (its ``file_path`` names the template)."""
    reports = report if isinstance(report, list) else [report]
    by_file: dict[str, list[dict]] = {}
    for one in reports:
        for failed in one.get("results", {}).get("failed_checks", []):
            name = Path(str(failed.get("file_path", ""))).name
            by_file.setdefault(name, []).append(failed)
    known = {template_name(n) for n in range(len(exports))}
    if unknown := sorted(set(by_file) - known):
        raise GmError(f"checkov reported on files it was not given: {', '.join(unknown)}")
    return [
        parse_failed(by_file.get(template_name(number), []), export)
        for number, export in enumerate(exports)
    ]


def parse_failed(failed_checks: list[dict], export: Export) -> list[Finding]:
    """checkov's failed checks on one template, mapped to Plan URNs through the logical id's
    Metadata."""
    findings = []
    for failed in failed_checks:
        _, _, logical = str(failed.get("resource", "")).partition(".")
        urn, name, typ = export.identity(logical)
        findings.append(
            Finding(
                tool="checkov",
                rule=str(failed.get("check_id")),
                urn=urn,
                name=name,
                type=typ,
                # Offline, checkov has no severities: a failed check is an error to fix
                # or waive with a reason.
                severity=ERROR,
                message=str(failed.get("check_name", "")),
            )
        )
    return findings
