from infra.checks.rightsize import CpuStats, hourly_stats, neighbour, suggest, verdict
from infra.emulator.endpoint import is_loopback_host


def test_ladders() -> None:
    assert neighbour("t3.medium", -1) == "t3.small"
    assert neighbour("t3.2xlarge", +1) is None
    assert neighbour("m6i.xlarge", +1) == "m6i.2xlarge"
    assert neighbour("db.t3.micro", -1) is None
    assert neighbour("db.r6g.large", +1) == "db.r6g.xlarge"
    assert neighbour("db.r6g.large", -1) is None  # no db.r6g.medium exists
    assert neighbour("m6i.large", -1) is None
    assert neighbour("cache.t3.small", -1) == "cache.t3.micro"


def test_hourly_stats_and_verdicts() -> None:
    stats = hourly_stats([{"Average": 10, "Maximum": 30}, {"Average": 20, "Maximum": 50}])
    assert stats == CpuStats(hours=2, average=15.0, peak=50.0)
    assert verdict(stats) == "down"
    assert verdict(CpuStats(1, 85.0, 99.0)) == "up"
    assert verdict(CpuStats(0, None, None)) == "no-data"
    assert suggest("asg", "g", "t3.medium", stats).suggested == "t3.small"


def test_loopback_hosts() -> None:
    assert all(is_loopback_host(h) for h in ("127.0.0.1", "127.5.0.9", "::1", "[::1]", "localhost"))
    assert not any(is_loopback_host(h) for h in ("10.0.0.1", "example.com", "0.0.0.0"))
