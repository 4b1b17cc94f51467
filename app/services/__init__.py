"""Data access and domain logic; keyword-only functions taking a session."""
