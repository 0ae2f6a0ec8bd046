"""Whose work a figure is about: the scope of a KPI, of a dashboard or of a retrospective."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.db.models import QuerySet

from intake.models import Request
from kanban.models import Card, CardQuerySet
from opsboard.tenancy.models import Organization


@dataclass(frozen=True)
class Scope:
    """An organisation's work, narrowed to a team, a project or a goal (none of them: all of it).

    The team, project and goal are held by id, as a KPI stores them, so a KPI hands its
    scope over without loading them; the organisation gives the time zone days are read in.
    """

    organization: Organization
    team_id: int | None = None
    project_id: int | None = None
    goal_id: int | None = None
    request_type_id: int | None = None  # narrows the requests only

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return self.organization.zone

    def cards(self) -> CardQuerySet:
        """The scope's cards, archived and done ones included: a team's on any board of
        the organisation, a project's on its boards, a goal's wherever they are."""
        cards = Card.objects.filter(board__organization_id=self.organization.pk)
        if self.team_id:
            cards = cards.filter(team_id=self.team_id)
        if self.project_id:
            cards = cards.filter(board__project_id=self.project_id)
        if self.goal_id:
            cards = cards.filter(goal_id=self.goal_id)
        return cards

    def requests(self) -> QuerySet[Request]:
        """The requests other people sent the scope: a team's (the team asked), those on a
        project's boards, those whose card serves a goal; the organisation's, all of them;
        of one request type, when the scope names one."""
        requests = Request.objects.filter(organization_id=self.organization.pk)
        if self.team_id:
            requests = requests.filter(team_id=self.team_id)
        if self.project_id:
            requests = requests.filter(card__board__project_id=self.project_id)
        if self.goal_id:
            requests = requests.filter(card__goal_id=self.goal_id)
        if self.request_type_id:
            requests = requests.filter(request_type_id=self.request_type_id)
        return requests
