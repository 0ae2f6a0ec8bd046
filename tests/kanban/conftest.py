from __future__ import annotations

from dataclasses import dataclass

import pytest

from kanban.models import Board, Card, Column, ColumnKind
from kanban.services import CardInput, card_create
from projects.models import Project
from tests.conftest import Tenant
from tests.factories import ProjectFactory


@dataclass
class BoardSetup:
    project: Project
    board: Board
    todo: Column
    doing: Column
    done: Column

    def add(self, tenant: Tenant, title: str, column: Column | None = None, **fields) -> Card:
        return card_create(
            actor=tenant.lead,
            board=self.board,
            column=column or self.todo,
            data=CardInput(title=title, **fields),
        )

    def titles(self, column: Column) -> list[str]:
        return list(
            column.cards.filter(archived_at__isnull=True)
            .order_by("rank")
            .values_list("title", flat=True)
        )


def board_setup(tenant: Tenant, *, name: str) -> BoardSetup:
    """A project's board, made as the product makes every board, and its three columns."""
    project = ProjectFactory(organization=tenant.organization, name=name, teams=[tenant.team])
    board = project.boards.get()
    columns = {column.kind: column for column in board.columns.all()}
    return BoardSetup(
        project,
        board,
        columns[ColumnKind.TODO],
        columns[ColumnKind.DOING],
        columns[ColumnKind.DONE],
    )


@pytest.fixture
def kanban(tenant: Tenant) -> BoardSetup:
    return board_setup(tenant, name="Churn")
