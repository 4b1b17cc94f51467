"""The region a plan was made for, read off its ARNs (the mocks build every ARN in the
stack's region), for consumers that have only the plan."""

from __future__ import annotations

import re
from collections import Counter

from infra.plan.model import Plan

ARN_REGION = re.compile(r"arn:aws:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):")


def plan_region(plan: Plan) -> str | None:
    """The commonest region in the plan's ARNs; None when it names none."""
    seen: Counter[str] = Counter()
    for resource in plan.resources:
        seen.update(ARN_REGION.findall(str(resource.inputs)))
    return seen.most_common(1)[0][0] if seen else None
