from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import hypothesis
import pytest
import redis
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from kanban.models import Board, Card
from kanban.services import CardInput, card_create
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import Project
from tests.clock import pinned_moment
from tests.factories import MembershipFactory, OrganizationFactory, ProjectFactory, TeamFactory

pytest_plugins = ["tests.chat_server", "tests.direct_servers", "tests.sso"]

# Property tests judge results, never speed: a busy machine (CI's two cores, or other
# work beside the tests) must not fail them by how slowly inputs are made or checked.
hypothesis.settings.register_profile(
    "opsboard", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("opsboard")


@pytest.fixture(autouse=True)
def _pinned_clock() -> Iterator[None]:
    """Every test runs at the moment tests/clock.py names, never at today's date."""
    moment = pinned_moment()
    if moment is None:
        yield
        return
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's language: a request in Chinese leaves its thread in Chinese."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploaded files (attachments, the demo's too) go to a folder of the test's own, never
    into the checkout's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@dataclass
class Tenant:
    organization: Organization
    team: Team
    owner: Membership
    manager: Membership
    lead: Membership
    member: Membership
    viewer: Membership

    def membership(self, role: str) -> Membership:
        return getattr(self, role)


def make_tenant(slug: str) -> Tenant:
    organization = OrganizationFactory(slug=slug, name=slug.replace("-", " ").title())
    team = TeamFactory(organization=organization, name="Product")
    people = {
        role: MembershipFactory(organization=organization, role=role, teams=[team])
        for role in Role.values
    }
    team.lead = people["lead"].user
    team.save()
    return Tenant(organization=organization, team=team, **people)


@pytest.fixture
def tenant(db: None) -> Tenant:
    return make_tenant("acme")


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    return make_tenant("rival")


@pytest.fixture
def client_for(client: Client) -> Callable[[User], Client]:
    """A test client signed in as the given user."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


@dataclass
class RaciSetup:
    """A project of two teams with three cards on its board, for RACI tests."""

    project: Project
    board: Board
    product: Team
    engineering: Team
    cards: list[Card]


@pytest.fixture
def raci(tenant: Tenant) -> RaciSetup:
    engineering = TeamFactory(organization=tenant.organization, name="Engineering")
    tenant.lead.teams.add(engineering)
    project = ProjectFactory(
        organization=tenant.organization, name="Churn", teams=[tenant.team, engineering]
    )
    board = project.boards.get()
    cards = [
        card_create(actor=tenant.lead, board=board, data=CardInput(title=f"Task {n}"))
        for n in range(3)
    ]
    return RaciSetup(project, board, tenant.team, engineering, cards)


@pytest.fixture
def demo(db: None) -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def queued_tasks(settings) -> None:
    """Send tasks to the broker (emptied first) for a worker, instead of running them in
    the test process. Celery reads the live Django settings: overriding one is enough."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    settings.CELERY_TASK_ALWAYS_EAGER = False
