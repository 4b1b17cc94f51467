"""What the seed says to watch: one catalogue read by the dashboard, the alarms and
``gm-infra metrics``."""
