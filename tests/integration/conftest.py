from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone

from kanban.services import CardInput, card_create
from opsboard.accounts.models import User
from opsboard.tenancy.models import Role
from tests.conftest import Tenant
from tests.factories import MembershipFactory, ProjectFactory
from tests.integration.processes import SmtpServer, free_port


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def people_with_a_card_due_today(tenant: Tenant, count: int) -> list[User]:
    """``count`` members of the tenant's team, each the assignee of a card due today."""
    board = ProjectFactory(organization=tenant.organization, teams=[tenant.team]).boards.get()
    people = []
    for n in range(count):
        person = MembershipFactory(
            organization=tenant.organization, role=Role.MEMBER, teams=[tenant.team]
        ).user
        card_create(
            actor=tenant.lead,
            board=board,
            data=CardInput(title=f"Report {n}", assignee=person, due_date=timezone.localdate()),
        )
        people.append(person)
    return people
