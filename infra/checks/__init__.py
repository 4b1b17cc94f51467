"""Checks around a promotion: settings, preflight, the plan-diff gate, verify, rightsize."""
