"""The reusable constraints: each refuses with its own sentence and lets good values through."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from infra.settings.validators import Between, Matches, OneOf, Satisfies


class Sample(BaseModel):
    size: Annotated[int, Between(0, 500, "a size from 0 to 500")] = 1
    price: Annotated[float, Between(0.001, 100, "a price from 0.001 to 100")] | None = None
    ami: Annotated[str, Matches(r"ami-[0-9a-f]{8,17}", "an AMI id")] = "ami-01234567"
    mode: Annotated[str, OneOf(("a", "b"), "a or b")] = "a"
    even: Annotated[int, Satisfies(lambda n: n % 2 == 0, "an even number")] = 0


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("size", 501, "a size from 0 to 500"),
        ("size", -1, "a size from 0 to 500"),
        ("price", 0, "a price from 0.001 to 100"),
        ("ami", "ami-0123", "an AMI id"),
        ("ami", "xami-01234567", "an AMI id"),  # the whole value must match
        ("mode", "c", "a or b"),
        ("even", 3, "an even number"),
    ],
)
def test_a_bad_value_fails_with_the_constraints_sentence(
    field: str, value: object, allowed: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate({field: value})
    error = caught.value.errors()[0]
    assert error["loc"] == (field,)
    assert error["msg"] == f"Value error, {allowed}"


def test_bounds_are_inclusive_and_unset_skips_the_check() -> None:
    assert Sample.model_validate({"size": 500, "price": 100}).size == 500
    assert Sample.model_validate({"size": 0, "price": None}).price is None


def test_the_type_is_checked_before_the_constraint() -> None:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate({"size": "many"})
    assert caught.value.errors()[0]["type"] == "int_parsing"
