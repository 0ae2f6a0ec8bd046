from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from kanban.models import Board, Card
from kanban.services import CardInput, card_create, comment_add
from opsboard.search.services import index_rebuild
from projects.models import Project
from tests.conftest import Tenant
from tests.factories import ProjectFactory


@dataclass
class Place:
    tenant: Tenant
    project: Project
    board: Board

    def card(self, title: str, description: str = "", comments: tuple[str, ...] = ()) -> Card:
        card = card_create(
            actor=self.tenant.lead,
            board=self.board,
            data=CardInput(title=title, description=description),
        )
        for body in comments:
            comment_add(actor=self.tenant.lead, card=card, body=body)
        return card


@pytest.fixture
def place(tenant: Tenant) -> Place:
    project = ProjectFactory(organization=tenant.organization, name="Churn programme")
    return Place(tenant, project, project.boards.get())


@pytest.fixture
def rival_place(other_tenant: Tenant) -> Place:
    project = ProjectFactory(organization=other_tenant.organization, name="Rival project")
    return Place(other_tenant, project, project.boards.get())


@pytest.fixture
def indexed() -> Callable[[], None]:
    """Write the index from what the test made (its changes never commit)."""
    return lambda: index_rebuild() and None
