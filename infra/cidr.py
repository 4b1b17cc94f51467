"""Subnet arithmetic for the VPC: pure, so tests can call it without the engine."""

from __future__ import annotations

import ipaddress


def subnet_cidrs(vpc_cidr: str, az_count: int) -> tuple[list[str], list[str]]:
    """Public and private subnet blocks, one of each per AZ, none overlapping.

    The VPC is cut into 16 equal blocks: public subnets take the first ones, private
    subnets start half-way, so either side can grow to 8 AZs without renumbering.
    """
    network = ipaddress.ip_network(vpc_cidr, strict=True)
    if az_count < 1 or az_count > 8:
        raise ValueError(f"az_count must be 1-8, got {az_count}")
    blocks = list(network.subnets(prefixlen_diff=4))
    public = [str(b) for b in blocks[:az_count]]
    private = [str(b) for b in blocks[8 : 8 + az_count]]
    return public, private
