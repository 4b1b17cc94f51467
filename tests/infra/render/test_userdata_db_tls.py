"""The boot script builds the CA file the database URLs point at, before it writes them."""

from __future__ import annotations

from infra.render.userdata import RDS_CA_BUNDLE_URL, boot_config, render_userdata
from tests.infra.factories import context


def test_boot_script_writes_the_ca_file_the_urls_name() -> None:
    ctx = context("api", 3, None)
    script = render_userdata(ctx)
    ca_file = boot_config(ctx)["db"]["ca_file"]
    assert RDS_CA_BUNDLE_URL in script
    assert 'put "$GM/db-ca.pem"' in script and ca_file.endswith("/db-ca.pem")
    assert script.index('put "$GM/db-ca.pem"') < script.index('gm-boot" write-env')
