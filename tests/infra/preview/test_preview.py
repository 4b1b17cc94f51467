"""gm-infra preview's parts: targets, decoded user-data diffs, sections, whole-block fitting."""

from __future__ import annotations

import base64
import re

import pytest

from infra.cost.tables import load_prices, load_usage
from infra.errors import BadInputError
from infra.preview.blocks import Block, code, details
from infra.preview.build import Preview, comment_markdown
from infra.preview.compare import Compared, compare_target
from infra.preview.fit import fit
from infra.preview.targets import Target, parse_targets
from infra.preview.userdata import decode_script
from infra.render.examples import example_context
from infra.render.userdata import render_userdata
from tests.infra.factories import compliant, plan_of, res

LT = "aws:ec2/launchTemplate:LaunchTemplate"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_targets_default_to_the_affected_stacks_and_refuse_bad_lists() -> None:
    assert parse_targets(None, None) is None  # the stacks the change deploys
    profiles = [t.label for t in parse_targets("all", None) or []]
    assert profiles == [f"profile phase {n}" for n in (1, 2, 3, 4)]  # never a stack's name
    assert [t.label for t in parse_targets(None, "prod,staging")] == ["prod", "staging"]
    for phases, stacks in (("1,5", None), ("1,,2", None), ("2,2", None), ("1", "prod")):
        with pytest.raises(BadInputError):
            parse_targets(phases, stacks)


def test_user_data_is_decoded_through_base64_and_the_packed_heredocs() -> None:
    script = render_userdata(example_context("api", 2))
    decoded = decode_script(b64(script))
    assert decoded.startswith("#!/bin/bash")
    # gm-boot is embedded gzip + base64: the decoded script shows its Python source.
    assert "# (decoded here from gzip + base64)" in decoded
    assert "def main" in decoded
    assert decode_script("not base64 at all!") == "not base64 at all!\n"


def _compared(before_script: str, after_script: str) -> Compared:
    base = compliant()
    old = plan_of(*base.values(), res(LT, "gm-boot-lt", {"userData": b64(before_script)}))
    new = plan_of(*base.values(), res(LT, "gm-boot-lt", {"userData": b64(after_script)}))
    labels = ("origin/main@abc1234", "HEAD@def5678")
    return compare_target(Target("stack", "test"), old, new, labels, load_prices(), load_usage)


def test_a_user_data_change_shows_as_a_script_diff() -> None:
    c = _compared("#!/bin/bash\necho one\necho two\n", "#!/bin/bash\necho one\necho three\n")
    text = comment_markdown(Preview("origin/main@abc1234", "HEAD@def5678", [c]))
    assert "## Infrastructure preview: `origin/main@abc1234` → `HEAD@def5678`" in text
    assert "`userData`: the boot script changed (diff below)" in text
    assert "-echo two\n+echo three\n" in text
    assert "--- origin/main@abc1234/gm-boot-lt" in text
    assert "```diff" in text
    assert "```mermaid" in text  # a changed target has its diagram


def test_nothing_changed_is_one_line_without_tables_or_diagram() -> None:
    c = _compared("echo same\n", "echo same\n")
    text = comment_markdown(Preview("main@abc1234", "HEAD@def5678", [c]))
    assert "- **`test`**: no changes · monthly cost" in text
    assert "|---" not in text and "mermaid" not in text and "<details>" not in text


def _balanced(text: str) -> bool:
    opened = text.count("<details>")
    fences = re.findall(r"^(`{3,})", text, re.M)
    return opened == text.count("</details>") and len(fences) % 2 == 0


def test_the_limit_drops_whole_blocks_and_says_which() -> None:
    big = "x" * 30_000
    blocks = [
        Block("headline", "", "## head\n"),
        Block("summary", "phase2", "### phase2\n"),
        Block("changed resources", "phase2", details("Changed", "- a\n" * 10)),
        Block("user-data diff", "phase2: gm-api-lt", details("User data", code("diff", big))),
        Block("diagram", "phase2", details("Diagram", code("mermaid", big))),
        Block("policy", "phase2", "#### Policy\n"),
    ]
    text = fit(blocks, limit=40_000)
    assert len(text) <= 40_000
    assert _balanced(text)
    assert "### phase2" in text and "Changed" in text and "#### Policy" in text
    assert "mermaid" not in text.split("[!NOTE]")[0]  # the diagram went first
    assert "Left out" in text and "diagram (phase2)" in text
    tight = fit(blocks, limit=5_000)
    assert len(tight) <= 5_000 and _balanced(tight)
    assert "user-data diff (phase2: gm-api-lt)" in tight


def test_a_fence_inside_a_script_does_not_close_the_code_block() -> None:
    block = code("diff", "+echo '```'\n")
    assert block.startswith("````diff\n") and block.rstrip().endswith("````")


def test_a_changed_target_is_validated_and_a_failure_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.preview import build

    # Our AWS limits only: cfn-lint and checkov over a whole phase are tests/infra/validate's.
    monkeypatch.setattr("infra.validate.run.available_judges", lambda: ["gm-limits"])
    base = compliant()
    labels = ("origin/main@abc1234", "HEAD@def5678")
    tg = "aws:lb/targetGroup:TargetGroup"
    old = plan_of(*base.values(), res(tg, "gm-tg", {"name": "gm-api", "port": 8000}))
    new = plan_of(*base.values(), res(tg, "gm-tg", {"name": "g" * 40, "port": 8000}))
    changed = compare_target(Target("stack", "a"), old, new, labels, load_prices(), load_usage)
    same = compare_target(Target("stack", "b"), old, old, labels, load_prices(), load_usage)
    results = build._with_validation([changed, same], lambda _msg: None)
    assert results[1].validation is None  # unchanged: not judged again
    verdict = results[0].validation
    assert verdict is not None and not verdict.passed
    assert any(f.name == "gm-tg" and not f.waived for f in verdict.findings)
    preview = Preview(*labels, results)
    assert not preview.validation_ok
    text = comment_markdown(preview)
    assert "validation FAILED" in text and "**Validation failed**" in text
    assert preview.to_dict()["targets"][0]["validation"]["passed"] is False
