"""Validation reuses its work: findings cached by template content and judge version, one
checkov process for every template it has not judged, identical templates judged once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.export.cloudformation import export_plan
from infra.plan.model import Plan
from infra.validate import cache, checkov_judge, run
from infra.validate.cache import findings_key, load_findings, store_findings
from infra.validate.model import ERROR, Finding
from infra.validate.run import validate_plans
from tests.infra.factories import compliant_plan, mutate
from tests.system_tools import require_checkov

REGION = "us-east-1"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty findings cache of this test's own."""
    monkeypatch.setenv("GM_INFRA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(cache.ENV_SWITCH, raising=False)
    return tmp_path / "home" / "cache" / "findings"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Every cfn-lint run and every checkov process (with the templates it was given)."""
    calls: dict[str, list[Any]] = {"cfn-lint": [], "checkov": []}
    real_lint, real_start = run.run_cfn_lint, run.start_checkov

    def lint(export: Any, region: str) -> list[Finding]:
        calls["cfn-lint"].append(export)
        return real_lint(export, region)

    def start(exports: Any) -> Any:
        calls["checkov"].append(list(exports))
        return real_start(exports)

    monkeypatch.setattr(run, "run_cfn_lint", lint)
    monkeypatch.setattr(run, "start_checkov", start)
    return calls


def rows(results: list[Any]) -> list[list[dict[str, Any]]]:
    return [[f.to_dict() for f in r.findings] for r in results]


def test_an_unchanged_plan_is_judged_once(
    home: Path, counted: dict[str, list[Any]], phase_plans: dict[int, Plan]
) -> None:
    require_checkov()
    small = compliant_plan()
    # Two distinct templates and one repeated: one checkov process for the two.
    first = validate_plans([(small, REGION), (phase_plans[1], REGION), (small, REGION)])
    assert len(counted["checkov"]) == 1 and len(counted["checkov"][0]) == 2
    assert len(counted["cfn-lint"]) == 2  # the repeated template is not linted again
    assert {f.tool for f in first[1].findings} >= {"cfn-lint", "checkov"}
    assert rows(first)[0] == rows(first)[2]

    again = validate_plans([(small, REGION), (phase_plans[1], REGION), (small, REGION)])
    assert len(counted["checkov"]) == 1 and len(counted["cfn-lint"]) == 2  # nothing ran
    assert rows(again) == rows(first)
    cached = (
        "cfn-lint (cached)",
        "checkov (cached)",
        "parliament (cached)",
        "cloudsplaining (cached)",
    )
    assert all(all(label in r.timings for label in cached) for r in again)
    assert {"cfn-lint", "checkov", "cloudsplaining", "parliament"} <= {
        p.name for p in home.iterdir()
    }


def test_a_changed_template_is_judged_again(
    home: Path, counted: dict[str, list[Any]], phase_plans: dict[int, Plan]
) -> None:
    plan = phase_plans[1]
    validate_plans([(plan, REGION)], judges=["cfn-lint", "gm-limits"])
    changed = mutate(plan, "gm-db", {"backupRetentionPeriod": 40})
    result = validate_plans([(changed, REGION)], judges=["cfn-lint", "gm-limits"])[0]
    assert len(counted["cfn-lint"]) == 2
    assert ("E3719", "gm-db") in {(f.rule, f.name) for f in result.findings}
    # Another region is another key for cfn-lint (its schemas are per region).
    validate_plans([(plan, "eu-west-1")], judges=["cfn-lint", "gm-limits"])
    assert len(counted["cfn-lint"]) == 3


def test_the_key_covers_judge_version_region_and_every_byte() -> None:
    base = findings_key("cfn-lint", "1.58.0", '{"a": 1}', REGION)
    assert base == findings_key("cfn-lint", "1.58.0", '{"a": 1}', REGION)
    others = {
        findings_key("checkov", "1.58.0", '{"a": 1}', REGION),
        findings_key("cfn-lint", "1.59.0", '{"a": 1}', REGION),
        findings_key("cfn-lint", "1.58.0", '{"a": 1}', "eu-west-1"),
        findings_key("cfn-lint", "1.58.0", '{"a": 2}', REGION),
        # No ambiguity between where one part ends and the next begins.
        findings_key("cfn-lint", "1.58.0u", 's-east-1{"a": 1}', ""),
    }
    assert base not in others and len(others) == 5


def test_a_damaged_entry_is_a_miss_and_the_switch_turns_the_cache_off(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = Finding("checkov", "CKV_AWS_1", "urn:x", "x", "aws:s3/bucket:Bucket", ERROR, "m")
    store_findings("checkov", "k1", [finding])
    assert load_findings("checkov", "k1") == [finding]
    (home / "checkov" / "k1.json").write_text('[{"tool": "checkov"')
    assert load_findings("checkov", "k1") is None
    (home / "checkov" / "k1.json").write_text('[{"unknown": 1}]')
    assert load_findings("checkov", "k1") is None
    monkeypatch.setenv(cache.ENV_SWITCH, "0")
    store_findings("checkov", "k2", [finding])
    assert not (home / "checkov" / "k2.json").exists()
    store_findings_on = load_findings("checkov", "k1")
    assert store_findings_on is None
    assert list((home / "checkov").glob("*.tmp")) == []


def test_checkov_findings_are_split_by_the_template_that_has_them() -> None:
    one = export_plan(compliant_plan(), REGION)
    two = export_plan(mutate(compliant_plan(), "gm-db", {"storageEncrypted": False}), REGION)
    logical = next(iter(one.template["Resources"]))

    def failed(template: str, check: str) -> dict[str, str]:
        return {"check_id": check, "resource": f"X::Y.{logical}", "file_path": f"/{template}"}

    report = {
        "results": {
            "failed_checks": [
                failed("template1.json", "CKV_AWS_2"),
                failed("template0.json", "CKV_AWS_1"),
                failed("template1.json", "CKV_AWS_3"),
            ]
        }
    }
    first, second = checkov_judge.split_report(report, [one, two])
    assert [f.rule for f in first] == ["CKV_AWS_1"]
    assert [f.rule for f in second] == ["CKV_AWS_2", "CKV_AWS_3"]
    assert first[0].urn == one.urn_of(logical)
    report["results"]["failed_checks"].append(failed("other.json", "CKV_AWS_4"))
    with pytest.raises(checkov_judge.GmError, match=r"other\.json"):
        checkov_judge.split_report(report, [one, two])


def test_checkov_version_comes_from_its_venv_without_running_it(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    executable = venv / "bin" / "checkov"
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\nexit 3\n")  # would fail if it were run
    executable.chmod(0o755)
    (venv / "lib" / "python3.11" / "site-packages" / "checkov-3.3.30.dist-info").mkdir(parents=True)
    assert checkov_judge.checkov_version(executable) == "3.3.30"


def test_checkov_version_falls_back_to_asking_it(tmp_path: Path) -> None:
    executable = tmp_path / "checkov"
    executable.write_text("#!/bin/sh\necho 9.9.9\n")
    executable.chmod(0o755)
    assert checkov_judge.checkov_version(executable).startswith("9.9.9 (")
    executable.write_text("#!/bin/sh\nexit 3\n")
    with pytest.raises(checkov_judge.GmError, match="--version failed"):
        checkov_judge.checkov_version(executable)


def test_ec2_instance_types_are_kept_by_botocore_version(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.session

    from infra.validate import limits

    limits.ec2_instance_types.cache_clear()
    try:
        fresh = limits.ec2_instance_types()
        assert {"t3.medium", "m6i.large"} <= fresh and "t3.mediun" not in fresh
        [kept] = (home / "ec2-instance-types").glob("botocore-*.json")
        limits.ec2_instance_types.cache_clear()
        monkeypatch.setattr(botocore.session, "get_session", lambda: pytest.fail("model read"))
        assert limits.ec2_instance_types() == fresh  # from the cache file, not the model
        kept.write_text("[]")  # a damaged (empty) entry is a miss
        limits.ec2_instance_types.cache_clear()
        with pytest.raises(pytest.fail.Exception, match="model read"):
            limits.ec2_instance_types()
    finally:
        limits.ec2_instance_types.cache_clear()
