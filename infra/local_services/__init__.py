"""Real local processes for ``gm-infra app stack``: MariaDB, Redis, the app, nginx."""
