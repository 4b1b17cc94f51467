"""Commands run on the stack's own instances through SSM Run Command (real AWS only)."""
