"""A request to a team, for the clock and scan tests: Engineering asks Product, whose
request type has the targets asked for, from a moment the test chooses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine

from intake.clocks import start_clocks
from intake.models import ClockKind, Request, RequestType, ResponseClock
from kanban.models import Board, Column, ColumnKind
from kanban.services import CardInput, card_create
from opsboard.tenancy.models import Membership, Role, Team
from raci.models import RaciRole
from raci.services import raci_set
from tests.conftest import Tenant
from tests.factories import MembershipFactory, ProjectFactory, TeamFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str, zone: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


@dataclass
class Desk:
    """Product's request desk: its board, one request type, and who asks."""

    tenant: Tenant
    board: Board
    request_type: RequestType
    requester: Membership
    engineering: Team

    @property
    def team(self) -> Team:
        return self.tenant.team

    def column(self, kind: str) -> Column:
        return self.board.columns.get(kind=kind)

    def send(self, moment: dt.datetime, title: str = "Churn data for October") -> Request:
        """A request sent at ``moment``, its card on the board and its clocks started."""
        with time_machine.travel(moment, tick=False):
            card = card_create(
                actor=self.requester,
                board=self.board,
                column=self.request_type.column,
                data=CardInput(title=title),
            )
            request = Request.objects.create(
                organization=self.tenant.organization,
                request_type=self.request_type,
                team=self.team,
                card=card,
                requester=self.requester.user,
                answers={},
                submitted_at=moment,
            )
            start_clocks(request=request)
        return request


def desk(
    tenant: Tenant,
    *,
    first_response: int | None = 120,
    plan: int | None = 24 * 60,
    resolution: int | None = 40 * 60,
) -> Desk:
    organization = tenant.organization
    organization.timezone = "Asia/Shanghai"
    organization.save()
    engineering = TeamFactory(organization=organization, name="Engineering")
    requester = MembershipFactory(organization=organization, role=Role.MEMBER, teams=[engineering])
    board = ProjectFactory(
        organization=organization, name="Requests", teams=[tenant.team]
    ).boards.get()
    request_type = RequestType.objects.create(
        organization=organization,
        team=tenant.team,
        name="Data pull",
        board=board,
        column=board.columns.get(kind=ColumnKind.TODO),
        first_response_minutes=first_response,
        plan_minutes=plan,
        resolution_minutes=resolution,
        responsible=tenant.member.user,
        accountable=tenant.lead.user,
    )
    return Desk(tenant, board, request_type, requester, engineering)


def with_raci(desk: Desk, request: Request) -> Request:
    """The type's default RACI on the request's card (the submitting service's part)."""
    card = request.card
    raci_set(
        actor=desk.tenant.lead, card=card, role=RaciRole.RESPONSIBLE, user=desk.tenant.member.user
    )
    raci_set(
        actor=desk.tenant.lead, card=card, role=RaciRole.ACCOUNTABLE, user=desk.tenant.lead.user
    )
    return request


def clock(request: Request, kind: str) -> ResponseClock:
    return ResponseClock.objects.get(request=request, kind=kind)


FIRST, PLAN, RESOLUTION = ClockKind.FIRST_RESPONSE, ClockKind.PLAN, ClockKind.RESOLUTION
