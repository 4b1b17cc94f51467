"""Pulumi entry point (``main: infra/`` in Pulumi.yaml): settings -> program -> exports."""

from __future__ import annotations

import pulumi

from infra.errors import SettingsError
from infra.program import build
from infra.settings import settings_from_config
from infra.settings_source import engine_config

try:
    outputs = build(settings_from_config(pulumi.get_stack(), engine_config()))
except SettingsError as error:
    # One line, no traceback; build refuses bad settings before declaring anything.
    raise pulumi.RunError(error.message) from None

for key, value in outputs.items():
    pulumi.export(key, value)
