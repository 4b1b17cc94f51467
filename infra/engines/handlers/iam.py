"""IAM: roles, instance profiles, inline policies and managed-policy attachments."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from infra.engines.handlers.base import Applied, Context, Handler, same_again, tag_list
from infra.engines.state import ResourceState
from infra.plan.model import PlannedResource


def _role(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 64))
    role = ctx.client("iam").create_role(
        RoleName=name,
        AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
        Description=inputs.get("description", ""),
        Tags=tag_list(inputs),
    )["Role"]
    return Applied(
        id=name, outputs={"arn": role["Arn"], "name": name, "uniqueId": role.get("RoleId", "")}
    )


def _update_role(
    ctx: Context, res: PlannedResource, old: ResourceState, inputs: dict[str, Any]
) -> Applied:
    ctx.client("iam").update_assume_role_policy(
        RoleName=old.id, PolicyDocument=inputs["assumeRolePolicy"]
    )
    return Applied(id=old.id, outputs=old.outputs)


def _profile(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    iam = ctx.client("iam")
    name = str(inputs.get("name") or ctx.physical_name(res, 128))
    profile = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=inputs["role"])
    return Applied(id=name, outputs={"arn": profile["Arn"], "name": name})


def _delete_profile(ctx: Context, old: ResourceState) -> None:
    iam = ctx.client("iam")
    iam.remove_role_from_instance_profile(InstanceProfileName=old.id, RoleName=old.resolved["role"])
    iam.delete_instance_profile(InstanceProfileName=old.id)


def _role_policy(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    name = str(inputs.get("name") or ctx.physical_name(res, 128))
    ctx.client("iam").put_role_policy(
        RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"]
    )
    return Applied(id=f"{inputs['role']}:{name}", outputs={"name": name})


def _delete_role_policy(ctx: Context, old: ResourceState) -> None:
    role, _, name = old.id.partition(":")
    ctx.client("iam").delete_role_policy(RoleName=role, PolicyName=name)


def _attachment(ctx: Context, res: PlannedResource, inputs: dict[str, Any]) -> Applied:
    attachment_id = f"{inputs['role']}-{inputs['policyArn'].rsplit('/', 1)[-1]}"
    try:
        ctx.client("iam").attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        return Applied(
            id=attachment_id,
            emulated=False,
            note=f"the emulator does not load AWS managed policies "
            f"({inputs['policyArn']}); AWS attaches it",
        )
    return Applied(id=attachment_id)


def _detach(ctx: Context, old: ResourceState) -> None:
    if old.emulated:
        ctx.client("iam").detach_role_policy(
            RoleName=old.resolved["role"], PolicyArn=old.resolved["policyArn"]
        )


HANDLERS: dict[str, Handler] = {
    "aws:iam/role:Role": Handler(
        create=_role,
        update=_update_role,
        delete=lambda ctx, old: ctx.client("iam").delete_role(RoleName=old.id),
    ),
    "aws:iam/instanceProfile:InstanceProfile": Handler(create=_profile, delete=_delete_profile),
    "aws:iam/rolePolicy:RolePolicy": Handler(
        create=_role_policy, update=same_again(_role_policy), delete=_delete_role_policy
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Handler(
        create=_attachment, delete=_detach
    ),
}
