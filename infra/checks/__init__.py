"""Reading the live stack around a promotion: preflight, quotas, verify, rightsize and the
``gm-infra metrics`` numbers. (The promotion's plan-diff gate is in ``infra/promotion/gate.py``.)"""
