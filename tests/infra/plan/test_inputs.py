"""plan/inputs.py: the one reader of plan inputs, with the conversions its callers rely on."""

from __future__ import annotations

import pytest

from infra.plan.inputs import as_bool, as_int, as_list, integer, lookup

INPUTS = {
    "metadataOptions": [{"httpTokens": "required"}],
    "conditions": [{"pathPattern": {"values": ["/api/*"]}}, {"hostHeader": "x"}],
    "healthCheck": {"path": "/health", "enabled": None},
}


def test_lookup_walks_dicts_looks_through_one_item_lists_and_indexes_by_number() -> None:
    assert lookup(INPUTS, "metadataOptions.httpTokens") == "required"
    assert lookup(INPUTS, "conditions.0.pathPattern.values") == ["/api/*"]
    assert lookup(INPUTS, "conditions.1.hostHeader") == "x"
    assert lookup(INPUTS, "healthCheck.path") == "/health"


def test_lookup_gives_the_default_when_a_step_is_missing() -> None:
    assert lookup(INPUTS, "conditions.2.hostHeader") is None
    assert lookup(INPUTS, "conditions.hostHeader", "none") == "none"  # two items: ambiguous
    assert lookup(INPUTS, "healthCheck.port", 80) == 80
    assert lookup(INPUTS, "healthCheck.enabled", True) is None  # present, null: not defaulted


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("true", True), ("TRUE", True), (False, False), ("false", False),
     ("yes", False), (None, False), ("", False), (1, True), (0, False)],
)  # fmt: skip
def test_as_bool(value: object, expected: bool) -> None:
    assert as_bool(value) is expected


def test_integer_takes_ints_floats_and_numeric_strings_and_refuses_the_rest() -> None:
    assert [integer(v) for v in (3, 3.9, "3", "3.0", True)] == [3, 3, 3, 3, 1]
    assert integer("12345678901234567890") == 12345678901234567890  # no float rounding
    with pytest.raises(ValueError):
        integer("three")
    with pytest.raises(TypeError):
        integer(None)


def test_as_int_falls_back_to_the_default() -> None:
    assert as_int("443") == 443
    assert as_int(None) == 0
    assert as_int("unknown", -1) == -1
    assert as_int(float("inf"), 7) == 7


def test_as_list() -> None:
    assert as_list(None) == []
    assert as_list("sg-1") == ["sg-1"]
    assert as_list(("a", "b")) == ["a", "b"]
