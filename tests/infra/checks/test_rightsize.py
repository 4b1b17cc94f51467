from infra.checks.rightsize import (
    CpuStats,
    Suggestion,
    hourly_stats,
    neighbour,
    section_changes,
    suggest,
    verdict,
)
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


def _s(target: str, verdict: str, current: str = "db.r6g.large") -> Suggestion:
    suggested = {"up": neighbour(current, 1), "down": neighbour(current, -1)}.get(verdict)
    return Suggestion("rds", target, current, suggested, verdict, 50.0, 60.0, 24)  # type: ignore[arg-type]


def test_a_section_moves_only_when_its_instances_agree() -> None:
    logical = {name: name for name in ("gm-db", "gm-db-replica-1", "gm-db-shard-1")}
    one_hot = section_changes(
        [_s("gm-db", "up"), _s("gm-db-replica-1", "keep"), _s("gm-db-shard-1", "keep")], logical
    )
    assert [(c.section, c.suggested) for c in one_hot] == [("database", "db.r6g.xlarge")]
    assert "gm-db averaged over 80%" in one_hot[0].reason
    split = section_changes([_s("gm-db", "up"), _s("gm-db-replica-1", "down")], logical)
    assert split[0].suggested is None and "disagree" in split[0].reason
    partly_idle = section_changes([_s("gm-db", "down"), _s("gm-db-replica-1", "keep")], logical)
    assert (
        partly_idle[0].suggested is None and "gm-db-replica-1 did not idle" in partly_idle[0].reason
    )
    big = "db.r6g.xlarge"
    all_idle = section_changes(
        [_s("gm-db", "down", big), _s("gm-db-replica-1", "down", big)], logical
    )
    assert all_idle[0].suggested == "db.r6g.large"
    at_the_end = section_changes([_s("gm-db", "down", "db.t3.micro")], {"gm-db": "gm-db"})
    assert at_the_end[0].suggested is None and "end of its family" in at_the_end[0].reason
    assert section_changes([_s("gm-cache", "up")], {"gm-cache": "gm-cache"}) == []
