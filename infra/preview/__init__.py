"""``gm-infra preview``: the whole pull-request comment, each side of each phase planned once."""
