"""The worker fleet's spot share can carry a max price (the seed's $0.05) as a setting."""

from __future__ import annotations

import pytest

from infra.errors import SettingsError
from infra.plan.build import record_plan
from infra.settings import settings_from_config
from tests.infra.plan_readers import ASG, by_name, get
from tests.infra.settings.test_loading import config


def test_spot_max_price_reaches_the_worker_asg() -> None:
    settings = settings_from_config("spot", config(2, workers={"spotMaxPrice": 0.05}))
    assert settings.config.workers is not None and settings.config.workers.spot_max_price == 0.05
    worker = by_name(record_plan(settings), "gm-worker-asg", ASG)
    dist = get(worker, "mixedInstancesPolicy.instancesDistribution")
    assert dist["spotMaxPrice"] == "0.05"
    assert dist["onDemandBaseCapacity"] == 1  # the base stays on demand whatever the cap


def test_no_cap_by_default(plans: dict[int, object]) -> None:
    worker = by_name(plans[2], "gm-worker-asg", ASG)  # type: ignore[arg-type]
    assert "spotMaxPrice" not in get(worker, "mixedInstancesPolicy.instancesDistribution")


@pytest.mark.parametrize("price", [0, -1, 1000])
def test_a_bad_max_price_names_the_key(price: float) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from_config("spot", config(2, workers={"spotMaxPrice": price}))
    assert "workers" in caught.value.key
    assert "0.001 to 100" in str(caught.value)
