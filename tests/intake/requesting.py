"""A team that takes requests, for the request tests: User Operations with a project, its
board and a "Data pull" type whose form asks one of each kind of question; Product (the
acme tenant's team) sends them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from intake.models import FieldKind, Request, RequestType
from intake.services import (
    FieldInput,
    RequestTypeInput,
    field_key,
    request_submit,
    request_type_create,
)
from kanban.models import Board, Column
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import Project
from tests.conftest import Tenant
from tests.factories import MembershipFactory, ProjectFactory, TeamFactory


@dataclass
class Intake:
    team: Team  # User Operations: takes the requests
    lead: Membership  # its lead
    analyst: Membership  # one of its members, Responsible for data pulls
    board: Board
    landing: Column
    data_pull: RequestType

    def key(self, label: str) -> str:
        """The answer's name of the data pull's question ``label``."""
        return field_key(self.data_pull.fields.get(label=label))


QUESTIONS = [
    FieldInput(label="Which data", kind=FieldKind.TEXT, required=True),
    FieldInput(label="Why", kind=FieldKind.LONG_TEXT),
    FieldInput(label="Rows", kind=FieldKind.NUMBER),
    FieldInput(label="Needed by", kind=FieldKind.DATE),
    FieldInput(label="Format", kind=FieldKind.CHOICE, required=True, choices=["CSV", "Excel"]),
    FieldInput(label="Sample", kind=FieldKind.FILE),
]


def make_intake(tenant: Tenant) -> Intake:
    organization = tenant.organization
    team = TeamFactory(organization=organization, name="User Operations")
    lead = MembershipFactory(organization=organization, role=Role.LEAD, teams=[team])
    team.lead = lead.user
    team.save()
    analyst = MembershipFactory(organization=organization, role=Role.MEMBER, teams=[team])
    project = ProjectFactory(organization=organization, name="Data desk", teams=[team])
    board = project.boards.get()
    landing = board.columns.order_by("position").first()
    data_pull = request_type_create(
        actor=lead,
        data=RequestTypeInput(
            team=team,
            name="Data pull",
            board=board,
            column=landing,
            first_response_minutes=120,
            plan_minutes=24 * 60,
            responsible=analyst.user,
            accountable=lead.user,
        ),
        fields=QUESTIONS,
    )
    return Intake(team, lead, analyst, board, landing, data_pull)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def route_objects(organization: Organization) -> dict[str, int]:
    """A request type and a request of ``organization`` for the tests that walk every URL
    (``type_id``, ``request_id``): the organisation's own (the demo's) when it has some, else
    made on the board of a project a team of it takes part in."""
    sent = Request.objects.filter(organization=organization).order_by("pk").first()
    if sent is None:
        project = Project.objects.filter(organization=organization, teams__isnull=False).first()
        team = project.teams.order_by("pk").first()
        board = project.boards.order_by("pk").first()
        request_type = RequestType.objects.filter(organization=organization).first()
        request_type = request_type or RequestType.objects.create(
            organization=organization,
            team=team,
            name="Data pull",
            board=board,
            column=board.columns.order_by("position").first(),
        )
        requester = (
            Membership.objects.filter(organization=organization, role=Role.MEMBER)
            .order_by("pk")
            .first()
        )
        sent = request_submit(
            actor=requester, request_type=request_type, title="Churned users", answers={}
        )
    return {"type_id": sent.request_type_id, "request_id": sent.pk}
