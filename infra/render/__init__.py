"""Rendering of the templates in ``templates/`` (nginx configs, EC2 user data)."""
