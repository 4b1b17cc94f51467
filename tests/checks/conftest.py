"""The four phases' plans, shared with the infrastructure tests."""

from tests.infra.conftest import plans

__all__ = ["plans"]
