"""``gm-infra render nginx|userdata|scripts``: the templates in ``templates/``, rendered, and
what a stack hands to its machines.

Examples::

    gm-infra render nginx --server 10.0.1.10:8000:3 --server 10.0.1.11:8000:3 --out nginx.conf
    gm-infra render nginx --kind proxy --json
    gm-infra render userdata --role api --phase 2 | shellcheck -
    gm-infra render scripts --phase 3 --out machines/
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.commands.options import PhaseOption, StackOption, out_option
from infra.errors import BadInputError
from infra.stack_files import DEFAULT_REGION

if TYPE_CHECKING:  # jinja2 and the settings load when a command renders, not for --help
    from infra.render import nginx

render_app = typer.Typer(
    help="Render the nginx configs, the EC2 user data and what a stack hands its machines.",
    no_args_is_help=True,
)

OutOption = Annotated[Path | None, out_option()]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]


class RenderFormat(StrEnum):
    text = "text"
    json = "json"


RenderFormatOption = Annotated[
    RenderFormat,
    typer.Option(
        "--format", "-f", help="text: what is rendered; json: one object with it and facts."
    ),
]


def register(root: typer.Typer) -> None:
    """Mount ``render`` on the gm-infra root."""
    root.add_typer(render_app, name="render")


def emit(text: str, facts: dict[str, object], out: Path | None, as_json: bool) -> None:
    """Write ``text`` to ``out`` or stdout; with ``--json`` print the facts (and the text)."""
    if out is not None:
        try:
            out.write_text(text)
        except OSError as error:
            raise BadInputError(f"cannot write {out}: {error.strerror}", "check the path") from None
    if as_json:
        body = {**facts, "bytes": len(text.encode()), "out": str(out) if out else None}
        if out is None:
            body["text"] = text
        typer.echo(json.dumps(body, indent=2))
    elif out is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"wrote {out} ({len(text.encode())} bytes)", err=True)


def tls_files(cert: Path | None, key: Path | None) -> nginx.Tls | None:
    """Both files or neither; they must exist. Only the paths go into the config."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise BadInputError(
            "--tls-cert and --tls-key go together", "give both files, or neither for plain HTTP"
        )
    for flag, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not path.is_file():
            raise BadInputError(f"{flag} {path}: no such file", "give the path of a PEM file")
    from infra.render import nginx

    return nginx.Tls(str(cert.resolve()), str(key.resolve()))


@render_app.command("nginx")
def render_nginx(
    server: Annotated[
        list[str] | None,
        typer.Option("--server", help="Upstream HOST:PORT[:WEIGHT]; repeat it."),
    ] = None,
    kind: Annotated[
        str, typer.Option(help="lb: the load balancer; proxy: the proxy on each instance.")
    ] = "lb",
    listen: Annotated[
        str | None, typer.Option(help="PORT or HOST:PORT (default 80 for lb, 8000 for proxy).")
    ] = None,
    server_name: Annotated[str, typer.Option(help="nginx server_name.")] = "_",
    tls_cert: Annotated[Path | None, typer.Option(help="PEM certificate: adds TLS.")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key for --tls-cert.")] = None,
    tls_listen: Annotated[str, typer.Option(help="PORT or HOST:PORT for TLS.")] = "443",
    runtime_dir: Annotated[
        Path | None,
        typer.Option(help="Keep pid, logs and temp files here (unprivileged or test runs)."),
    ] = None,
    out: OutOption = None,
    as_json: JsonOption = False,
    output_format: RenderFormatOption = RenderFormat.text,
) -> None:
    """A complete nginx.conf: the least_conn load balancer, or (--kind proxy) the instance proxy.

    Example: gm-infra render nginx --server 127.0.0.1:8001 --server 127.0.0.1:8002:2
    """
    from infra.render import nginx

    if kind not in nginx.KINDS:
        raise BadInputError(f"--kind {kind!r} is not one of lb, proxy", "use --kind lb or proxy")
    specs = list(server or nginx.DEFAULT_SERVERS[kind])
    if not specs:
        raise BadInputError("no upstream server", "add --server HOST:PORT[:WEIGHT], repeatable")
    try:
        servers = tuple(nginx.parse_server(spec) for spec in specs)
        options = nginx.NginxOptions(
            kind=kind,
            servers=servers,
            listen=listen or "",
            tls=tls_files(tls_cert, tls_key),
            tls_listen=tls_listen,
            server_name=server_name,
            runtime_dir=str(runtime_dir.resolve()) if runtime_dir else None,
        )
        text = nginx.render_nginx(options)
    except ValueError as error:
        raise BadInputError(str(error), "servers are HOST:PORT or HOST:PORT:WEIGHT") from None
    facts: dict[str, object] = {
        "kind": kind,
        "servers": [{"address": s.address, "weight": s.weight} for s in servers],
        "tls": options.tls is not None,
    }
    emit(text, facts, out, as_json or output_format is RenderFormat.json)


@render_app.command("userdata")
def render_userdata(
    role: Annotated[str, typer.Option(help="api, worker or service.")],
    phase: Annotated[int, typer.Option(help="The growth phase, 1 to 4.")],
    service: Annotated[
        str | None, typer.Option(help="The phase 4 service, for --role service.")
    ] = None,
    region: Annotated[str, typer.Option(help="AWS region.")] = DEFAULT_REGION,
    artifact_bucket: Annotated[str | None, typer.Option(help="S3 bucket of the artifact.")] = None,
    artifact_key: Annotated[str | None, typer.Option(help="S3 key of the app tar.gz.")] = None,
    out: OutOption = None,
    as_json: JsonOption = False,
    output_format: RenderFormatOption = RenderFormat.text,
) -> None:
    """The EC2 user data (a bash script) with placeholder hosts and ARNs.

    The stacks render the same script with their real values. Example:
    gm-infra render userdata --role api --phase 2 | shellcheck -
    """
    from infra.render import userdata
    from infra.render.examples import example_context

    if role not in userdata.ROLES:
        raise BadInputError(f"--role {role!r} is not one of api, worker, service", None)
    if phase not in userdata.PHASES:
        raise BadInputError(f"--phase {phase} is not one of 1, 2, 3, 4", None)
    if role == "worker" and phase == 1:
        raise BadInputError(
            "phase 1 has no worker instances", "in phase 1 the api instance runs the Celery worker"
        )
    if role == "service" and (phase != 4 or not service):
        raise BadInputError(
            "--role service needs --phase 4 and --service NAME", "e.g. --service matching"
        )
    if service and role != "service":
        raise BadInputError("--service goes with --role service only", None)
    overrides = {
        "artifact_bucket": artifact_bucket,
        "artifact_key": artifact_key,
    }
    try:
        ctx = example_context(
            role,
            phase,
            service,
            region,
            **{name: value for name, value in overrides.items() if value is not None},
        )
        text = userdata.render_userdata(ctx)
    except ValueError as error:
        raise BadInputError(str(error), "see gm-infra render userdata --help") from None
    facts: dict[str, object] = {
        "role": role,
        "phase": phase,
        "service": service,
        "limit": userdata.USERDATA_LIMIT,
        "units": list(userdata.units_for(ctx)),
        "files": sorted(userdata.extract_files(text)),
    }
    emit(text, facts, out, as_json or output_format is RenderFormat.json)


@render_app.command("ci-role")
def render_ci_role(
    repository: Annotated[
        str, typer.Option("--repository", help="The GitHub repository, OWNER/NAME.")
    ],
    account: Annotated[str, typer.Option("--account", help="The AWS account id (12 digits).")],
    environment: Annotated[
        str,
        typer.Option("--environment", help="The GitHub environment the preview job runs in."),
    ] = "pulumi-preview",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write trust.json and guard.json into this folder."),
    ] = None,
    as_json: JsonOption = False,
    output_format: RenderFormatOption = RenderFormat.text,
) -> None:
    """The pulumi-preview job's AWS role: its trust policy and its guard policy.

    Create the role with the trust policy, attach AWS's ReadOnlyAccess and put the guard
    policy inline (it denies secret values, SSM parameters, kms:Decrypt and iam:PassRole).
    The trust admits only GitHub's OIDC tokens of this repository's environment, so a run
    gets credentials only after the environment's required reviewers approve it.

    Example: gm-infra render ci-role --repository acme/infra --account 123456789012 --out ci/
    """
    from infra.render.ci_role import READ_ONLY, guard_policy, trust_policy

    documents = {
        "trust.json": trust_policy(account, repository, environment),
        "guard.json": guard_policy(),
    }
    if out is not None:
        if not out.is_dir():
            raise BadInputError(f"--out {out} is not a folder", "create it first")
        for name, text in documents.items():
            emit(text + "\n", {}, out / name, False)
    if as_json or output_format is RenderFormat.json:
        body = {name: json.loads(text) for name, text in documents.items()}
        typer.echo(json.dumps({"ok": True, **body, "managed": [READ_ONLY]}, indent=2))
    elif out is None:
        for name, text in documents.items():
            typer.echo(f"# {name}\n{text}")
        typer.echo(f"# attach: {READ_ONLY}")


@render_app.command("scripts")
def render_scripts(
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write the files in.")],
    phase: PhaseOption = None,
    stack: StackOption = None,
    as_json: JsonOption = False,
    output_format: RenderFormatOption = RenderFormat.text,
) -> None:
    """Write exactly what the stack hands to its machines, read from its offline plan.

    Per fleet (its Role tag): user-data (decoded), boot.json, units/*.service; gm-boot once;
    from phase 3 the SSM Run Command scripts ssm/reshard-run.sh and ssm/reshard-status.sh,
    sent to the fleet that holds every shard's URL; manifest.json says which goes where.
    gm-boot's env step runs off-instance: python DIR/gm-boot env --boot-json
    DIR/api/boot.json --secrets secrets.json --etc DIR/etc.

    Example: gm-infra render scripts --phase 3 --out machines/
    """
    from infra.paths import stacks_dir
    from infra.plan import build
    from infra.plan.load import plan_for_target
    from infra.remote.machine_files import machine_files, write_machine_files

    if stack is not None and phase is None:  # where gm-infra phase keeps it (GM_INFRA_STACKS_DIR)
        plan = build.plan_for_stack(stack, stacks_dir(None))
    else:
        plan = plan_for_target(phase, stack)
    found = machine_files(plan)
    written = write_machine_files(found, out)
    if as_json or output_format is RenderFormat.json:
        body = {**found.manifest(), "out": str(out), "files": sorted(found.files)}
        typer.echo(json.dumps(body, indent=2))
        return
    for path in written:
        typer.echo(str(path))
    typer.echo(f"wrote {len(written)} files for phase {found.phase} under {out}", err=True)
