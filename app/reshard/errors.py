"""The one error a reshard raises for bad input or a fault: a message and what to do next."""

from __future__ import annotations


class ReshardError(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
