"""The app's environment reference: every variable, read from Settings and its comments."""

from __future__ import annotations

from app.core.settings import Settings
from app.core.settings_reference import environment_reference


def rows() -> dict[str, str]:
    return {
        line.split(" | ")[0].removeprefix("| "): line
        for line in environment_reference().splitlines()
    }


def test_every_setting_has_a_row() -> None:
    found = rows()
    assert all(f"`{name.upper()}`" in found for name in Settings.model_fields)


def test_types_defaults_bounds_and_the_comment_beside_the_field() -> None:
    found = rows()
    assert found["`DB_READ_TIMEOUT`"] == (
        "| `DB_READ_TIMEOUT` | integer | `3` | ≥ 1 | also bounds one statement's first answer |"
    )
    assert found["`APP_ENV`"].startswith("| `APP_ENV` | local \\| production | `local` |")
    assert "boolean, optional | unset" in found["`AUTO_MIGRATE`"]
    assert "| empty |" in found["`REDIS_URL`"]
    assert "computed: Where the embedded default keeps its SQLite file" in found["`DATA_DIR`"]


def test_a_comment_above_a_field_is_a_bold_row_before_it() -> None:
    lines = environment_reference().splitlines()
    header = lines.index("| **The source document's pool settings.** | | | | |")
    assert lines[header + 1].startswith("| `DB_POOL_SIZE` |")
