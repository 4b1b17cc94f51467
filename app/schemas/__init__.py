"""API request and response bodies (pydantic); ORM tables live in ``app.models``."""
