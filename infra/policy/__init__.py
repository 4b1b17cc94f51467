"""Security policy over a Plan: rules as plain functions, shared by the CLI and CrossGuard."""
