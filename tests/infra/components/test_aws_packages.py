"""pulumi_aws loaded one resource module at a time: the same Plan, none of it loaded whole."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from infra.components.aws_packages import module_file_stem
from infra.plan.model import Plan
from infra.project import INSTALL_ROOT

# Records the phase-4 plan in a fresh interpreter; with WHOLE, every service package the
# program uses is imported whole first, as plain pulumi_aws does (install() then skips them).
SCRIPT = textwrap.dedent(
    """
    import json, sys
    import pulumi_aws
    if sys.argv[1] == "whole":
        for service in sys.argv[2:]:
            getattr(pulumi_aws, service)._utilities  # the lazy module runs its __init__
    from infra.components import aws_packages
    from infra.plan.build import record_plan
    from infra.stack_files import settings_for_phase
    plan = record_plan(settings_for_phase(4))
    full_loads = aws_packages.full_loads()
    partial = sorted(
        name.removeprefix("pulumi_aws.") for name, module in sys.modules.items()
        if isinstance(module, aws_packages.PartialPackage) and len(name.split(".")) == 2
    )
    loaded = sum(1 for name in sys.modules if name.startswith("pulumi_aws."))
    try:
        pulumi_aws.sns.NoSuchResource
        missing = "found"
    except AttributeError as error:
        missing = str(error)
    print(json.dumps({
        "plan": plan.to_json(), "partial": partial, "loaded": loaded,
        "full_loads": full_loads, "missing": missing,
        "full_loads_after": aws_packages.full_loads(),
        "used": sorted(s for s in partial if pulumi_aws.__dict__[s].__dict__.keys() - {
            "__name__", "__doc__", "__package__", "__loader__", "__spec__", "__path__",
            "__file__"}),
    }))
    """
)


def _record(mode: str, services: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode, *services],
        cwd=INSTALL_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def partial() -> dict[str, object]:
    return _record("partial", [])


def test_class_names_map_to_pulumis_module_files() -> None:
    assert module_file_stem("Vpc") == "vpc"
    assert module_file_stem("SecurityGroupIngressRule") == "security_group_ingress_rule"
    assert module_file_stem("BucketObjectv2") == "bucket_objectv2"
    assert module_file_stem("ServiceNetworkVpcAssociation") == "service_network_vpc_association"


def test_the_program_loads_no_service_package_whole(partial: dict[str, object]) -> None:
    assert partial["full_loads"] == []
    assert isinstance(partial["used"], list) and {"ec2", "rds", "lb"} <= set(partial["used"])
    # ec2 alone is ~180 resource modules when its __init__ runs; the program uses a dozen
    assert isinstance(partial["loaded"], int) and partial["loaded"] < 450


def test_an_unknown_name_loads_the_whole_package_then_is_an_attribute_error(
    partial: dict[str, object],
) -> None:
    assert "has no attribute 'NoSuchResource'" in str(partial["missing"])
    assert partial["full_loads_after"] == ["pulumi_aws.sns.NoSuchResource"]


def test_the_plan_is_byte_identical_to_one_with_whole_packages(
    partial: dict[str, object],
) -> None:
    used = partial["used"]
    assert isinstance(used, list)
    whole = _record("whole", used)
    assert whole["used"] == []  # nothing was left partial: the comparison means something
    assert whole["plan"] == partial["plan"]
    assert len(Plan.from_dict(json.loads(str(partial["plan"]))).resources) > 300
