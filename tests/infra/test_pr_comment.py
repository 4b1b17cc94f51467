"""pr_comment.py: the comment of gm-infra diff --format markdown, assembled from its parts."""

from __future__ import annotations

from typing import Any

from infra.diff.compute import diff_plans
from infra.plan.model import Plan, PlannedResource
from infra.pr_comment import COMMENT_MARKER, CommentParts, comment_markdown
from infra.validate.model import ValidationResult

RDS = "aws:rds/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"


def plan(stack: str, **inputs_by_name: dict[str, Any]) -> Plan:
    resources = [
        PlannedResource(
            urn=f"urn:pulumi:{stack}::green-matchers::{RDS if 'db' in name else BUCKET}::{name}",
            type=RDS if "db" in name else BUCKET,
            name=name,
            custom=True,
            parent=None,
            inputs=inputs,
            dependencies=[],
            protect=False,
        )
        for name, inputs in inputs_by_name.items()
    ]
    return Plan(project="green-matchers", stack=stack, phase=1, resources=resources, outputs={})


def test_a_replaced_database_is_called_out_and_absent_parts_are_left_out() -> None:
    before = plan("phase1", gm_db={"engine": "mariadb", "dbName": "gm"})
    after = plan("phase2", gm_db={"engine": "mariadb", "dbName": "other"}, logs={})
    text = comment_markdown(CommentParts(diff_plans(before, after)))
    assert text.startswith(COMMENT_MARKER + "\n")
    assert "**1 to add, 1 to change (1 replaced), 0 to remove**" in text
    assert "> - `gm_db` (aws:rds/instance:Instance) is REPLACED" in text
    assert "`dbName`: `gm` → `other` **(forces replacement)**" in text
    for absent in ("#### Policy", "#### Cost", "#### AWS validity", "mermaid"):
        assert absent not in text


def test_no_changes_and_a_validation_part() -> None:
    same = plan("phase1", gm_db={"engine": "mariadb"})
    parts = CommentParts(
        diff_plans(same, same), validation=ValidationResult("phase1", "us-east-1", [])
    )
    text = comment_markdown(parts)
    assert "No resource changes." in text
    assert "#### AWS validity (cfn-lint, checkov, limits)" in text
