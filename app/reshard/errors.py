"""The one error a reshard raises for bad input or a fault: a message and what to do next."""

from __future__ import annotations


class ReshardError(Exception):
    """``fault`` is False for bad input (nothing was changed) and True when a run stopped
    part-way (a database stopped answering, a verification failed): the map says where it
    stopped, and a rerun or a rollback continues from there."""

    def __init__(self, message: str, hint: str = "", *, fault: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.fault = fault
