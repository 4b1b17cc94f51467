"""Green Matchers infrastructure: the Pulumi program, its Plan and the gm-infra commands."""
