"""Reusable constraints for settings fields, used as ``Annotated[int, Between(...)]``.

Each constraint carries ``allowed``: the one sentence a ``SettingsError`` shows after the
key and value, and what the README's settings reference prints for the field. The reference
reads the same objects, so the documented range is the enforced one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema


class Constraint:
    """A check on one value that fails with ``allowed`` as the message."""

    allowed: str

    def accepts(self, value: Any) -> bool:
        raise NotImplementedError

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # After the type's own validation, so a constraint only ever sees an int, str, ...
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def _check(self, value: Any) -> Any:
        if not self.accepts(value):
            raise ValueError(self.allowed)
        return value


@dataclass(frozen=True)
class Between(Constraint):
    """A closed range, ``low <= value <= high``."""

    low: float
    high: float
    allowed: str

    def accepts(self, value: Any) -> bool:
        return bool(self.low <= value <= self.high)


@dataclass(frozen=True)
class Matches(Constraint):
    """The whole value matches ``pattern``."""

    pattern: str
    allowed: str

    def accepts(self, value: Any) -> bool:
        return re.fullmatch(self.pattern, value) is not None


@dataclass(frozen=True)
class OneOf(Constraint):
    """One of a few names, with a message that says what each one does."""

    choices: tuple[str, ...]
    allowed: str

    def accepts(self, value: Any) -> bool:
        return value in self.choices


@dataclass(frozen=True)
class Satisfies(Constraint):
    """Anything a predicate accepts; for the few checks that are not a range or a pattern."""

    predicate: Callable[[Any], bool]
    allowed: str

    def accepts(self, value: Any) -> bool:
        return self.predicate(value)


class KeyedError(ValueError):
    """A cross-field error that names its own key inside the section (``minSize``)."""

    def __init__(self, key: str, value: object, allowed: str):
        super().__init__(allowed)
        self.key = key
        self.value = value
        self.allowed = allowed
