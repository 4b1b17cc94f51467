"""References generated from the code, kept in the READMEs between marker comments.

``gm-infra docs --write`` regenerates them; ``tests/infra/docs`` fails when they drift.
"""
