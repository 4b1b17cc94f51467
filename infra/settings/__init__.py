"""Settings: a stack's config merged over its phase profile, validated once.

``models`` holds the sections (one per component) and their constrained field types,
``validators`` the reusable constraints, ``rules`` the checks across sections and
``loading`` the merge and the one-line errors. Import from here.
"""

from infra.settings.loading import PROFILES_FILE, phase_profiles, settings_from_config
from infra.settings.models import (
    PHASES,
    PROJECT,
    SERVICE_NAMES,
    CacheSettings,
    Capacity,
    CdnSettings,
    DatabaseSettings,
    FleetSettings,
    NetworkSettings,
    Settings,
    StackConfig,
    StackTags,
    WorkerSettings,
)

__all__ = [
    "PHASES",
    "PROFILES_FILE",
    "PROJECT",
    "SERVICE_NAMES",
    "CacheSettings",
    "Capacity",
    "CdnSettings",
    "DatabaseSettings",
    "FleetSettings",
    "NetworkSettings",
    "Settings",
    "StackConfig",
    "StackTags",
    "WorkerSettings",
    "phase_profiles",
    "settings_from_config",
]
