from __future__ import annotations

import ipaddress

import pytest

from infra.cidr import subnet_cidrs


@pytest.mark.parametrize("az_count", [2, 3, 6])
def test_subnets_are_inside_the_vpc_and_never_overlap(az_count: int) -> None:
    public, private = subnet_cidrs("10.0.0.0/16", az_count)
    blocks = [ipaddress.ip_network(b) for b in public + private]
    assert len(public) == len(private) == az_count
    vpc = ipaddress.ip_network("10.0.0.0/16")
    assert all(b.subnet_of(vpc) for b in blocks)
    assert all(not a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_private_blocks_do_not_move_when_azs_are_added() -> None:
    _, two = subnet_cidrs("10.0.0.0/16", 2)
    _, three = subnet_cidrs("10.0.0.0/16", 3)
    assert three[:2] == two
