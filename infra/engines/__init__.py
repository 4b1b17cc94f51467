"""Deployment engines: ``pulumi`` (Automation API, real AWS) and ``local`` (AWS emulator)."""
