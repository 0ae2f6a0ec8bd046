from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup, board_setup


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """An empty cache before and after: a board's history is kept for the day, and each
    test builds its own."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kanban(tenant: Tenant) -> BoardSetup:
    return board_setup(tenant, name="Churn")
