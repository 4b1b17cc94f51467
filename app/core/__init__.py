"""Settings, database engines, cache, sessions, security and metrics."""
