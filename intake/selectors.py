"""Reads for requests: the types a person may send or set up, the requests a person may
see, and the access helpers that answer 404 for anything else.

Who sees a request: its requester, the members of the team it was sent to, and the
organisation's owners and ops managers. Anyone else of the organisation gets 404, as a
person of another organisation does, so a request page never shows what was asked of
another team."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from kanban.models import Board, Column, Comment
from opsboard.tenancy.models import Membership, Team

from .models import Rating, Request, RequestField, RequestState, RequestType
from .services import may_manage_types


def team_ids_of(membership: Membership) -> list[int]:
    return list(membership.teams.values_list("pk", flat=True))


def visible_requests(membership: Membership) -> QuerySet[Request]:
    """The requests of the organisation the person may read."""
    requests = Request.objects.filter(organization_id=membership.organization_id)
    if membership.can_manage:
        return requests
    return requests.filter(
        Q(requester_id=membership.user_id) | Q(team__memberships=membership)
    ).distinct()


def requests_for_user(*, membership: Membership, scope: str = "") -> QuerySet[Request]:
    """The person's requests: ``mine`` (those they sent), ``teams`` (those sent to their
    teams), or both (any other ``scope``), newest first, with what a list shows."""
    if scope == "mine":
        requests = Request.objects.filter(
            organization_id=membership.organization_id, requester_id=membership.user_id
        )
    elif scope == "teams":
        requests = Request.objects.filter(
            organization_id=membership.organization_id, team__memberships=membership
        )
    else:
        requests = Request.objects.filter(
            Q(requester_id=membership.user_id) | Q(team__memberships=membership),
            organization_id=membership.organization_id,
        ).distinct()
    return requests.select_related(
        "request_type", "team", "requester", "card__board", "card__column"
    ).order_by("-submitted_at", "-pk")


def request_get_for_user(*, membership: Membership, request_id: int) -> Request:
    """A request the person may read, with its card, type and team (else 404)."""
    request = get_object_or_404(
        visible_requests(membership).select_related(
            "request_type",
            "team",
            "requester",
            "card__board__project",
            "card__column",
            "rating",
        ),
        pk=request_id,
    )
    request.organization = membership.organization
    return request


def request_conversation(request: Request) -> list[Comment]:
    """The card's comments, oldest first: the conversation between requester and team."""
    return list(request.card.comments.select_related("author").order_by("created_at", "pk"))


def request_answers(request: Request) -> list[tuple[RequestField, object]]:
    """Each question of the type that was answered, with its answer (for a file, the
    attachment's id), in the form's order."""
    answers = request.answers or {}
    return [
        (question, answers[str(question.pk)])
        for question in request.request_type.fields.all()
        if str(question.pk) in answers
    ]


def teams_taking_requests(*, membership: Membership) -> list[Team]:
    """The organisation's teams with request types that accept requests, each with
    ``taking``: those types in their order."""
    taking = RequestType.objects.filter(accepting=True).order_by("position", "pk")
    return list(
        Team.objects.filter(
            organization_id=membership.organization_id, request_types__accepting=True
        )
        .distinct()
        .order_by("name")
        .prefetch_related(Prefetch("request_types", queryset=taking, to_attr="taking"))
    )


def request_type_get_for_user(*, membership: Membership, type_id: int) -> RequestType:
    """A request type of the organisation, with its form (else 404)."""
    request_type = get_object_or_404(
        RequestType.objects.select_related("team", "board", "column").prefetch_related("fields"),
        organization_id=membership.organization_id,
        pk=type_id,
    )
    request_type.team.organization = membership.organization
    return request_type


def request_types_for_organization(*, membership: Membership) -> QuerySet[RequestType]:
    return (
        RequestType.objects.filter(organization_id=membership.organization_id)
        .select_related("team", "board", "column", "responsible", "accountable")
        .prefetch_related("fields")
        .order_by("team__name", "position", "pk")
    )


def teams_managed(*, membership: Membership) -> QuerySet[Team]:
    """The teams whose request types the person sets up."""
    teams = Team.objects.filter(organization_id=membership.organization_id)
    if membership.can_manage:
        return teams
    return teams.filter(lead_id=membership.user_id)


def request_types_managed(*, membership: Membership) -> list[RequestType]:
    """The types the person sets up, by team and in each team's order."""
    return [
        each
        for each in request_types_for_organization(membership=membership)
        if may_manage_types(membership, each.team)
    ]


def landing_columns(*, organization_id: int, team: Team | None = None) -> QuerySet[Column]:
    """Where requests may land: the open columns of the open boards of the projects the
    team takes part in (any team's, without one), by project, board and position."""
    boards = Board.objects.open().filter(organization_id=organization_id)
    if team is not None:
        boards = boards.filter(project__teams=team)
    return (
        Column.objects.open()
        .filter(board__in=boards)
        .select_related("board__project")
        .order_by("board__project__name", "board__name", "board_id", "position")
    )


def ratings_for_user(*, membership: Membership) -> QuerySet[Rating]:
    """The ratings of the requests the person may read."""
    return (
        Rating.objects.filter(request__in=visible_requests(membership).values("pk"))
        .select_related("request__card", "request__team", "rated_by")
        .order_by("-rated_at", "-pk")
    )


OPEN_STATES = (RequestState.OPEN, RequestState.WAITING)
