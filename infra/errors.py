"""Errors a user can cause: shown as one line plus a hint, never as a traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_EXTERNAL = 3
EXIT_INTERRUPTED = 130


class GmError(Exception):
    """A known failure with a message for people and an exit code for machines."""

    exit_code: int = EXIT_BAD_INPUT

    def __init__(self, message: str, hint: str | None = None, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code


class BadInputError(GmError):
    """The user asked for something that is not allowed (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class SettingsError(BadInputError):
    """A stack setting is invalid; names the key, the value and what is allowed."""

    def __init__(self, key: str, value: object, allowed: str, hint: str | None = None):
        super().__init__(f"{key}={value!r} is not allowed: {allowed}", hint)
        self.key = key
        self.value = value
        self.allowed = allowed


class CheckFailedError(GmError):
    """A check ran and failed: a policy violation, an unhealthy target (exit 1)."""

    exit_code = EXIT_CHECK_FAILED


class ExternalError(GmError):
    """Something outside gm-infra failed (AWS, the emulator, git, a subprocess): exit 3."""

    exit_code = EXIT_EXTERNAL
