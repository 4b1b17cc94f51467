"""``gm-infra phase N``: the promotion step runner, its history and its rollback."""
