"""The RACI matrix of a project, the problems on it, and who hears about a card."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from kanban.models import Board, Card, CardQuerySet, Column
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Team
from projects.models import Project

from .models import RaciAssignment, RaciRole
from .rules import ERRORS, Context, Problem, ProblemKind, Role, card_problems
from .services import policy_for


@dataclass(frozen=True)
class Holder:
    """A column of the matrix: a person or a team."""

    key: str  # "user:5" or "team:2"
    name: str
    user_id: int | None = None
    team_id: int | None = None


class MatrixCard(NamedTuple):
    """A card as the matrix shows it, read as values: the page only displays it, and 300
    model instances (with their column, goal and assignee) cost more than the rest of it."""

    pk: int
    title: str
    column: Column
    goal_title: str  # "" without a goal
    is_unfinished: bool


@dataclass
class Row:
    card: MatrixCard
    roles: dict[str, str]  # holder key -> role letter
    problems: list[Problem]

    def role_of(self, holder: Holder) -> str:
        return self.roles.get(holder.key, "")

    @property
    def has_error(self) -> bool:
        return any(p.is_error for p in self.problems)


@dataclass
class Group:
    title: str
    rows: list[Row] = field(default_factory=list)


class Place(NamedTuple):
    """A card row's place in the table: its card, and the title of the group it is in."""

    card_id: int
    group: str


@dataclass
class Matrix:
    project: Project
    teams: list[tuple[Team, list[Holder]]]  # each team's own column first, then its people
    holders: list[Holder]
    groups: list[Group]  # the rows read, in their groups: every row, or a part's
    summary: list[tuple[ProblemKind, int, list[int]]]  # kind, rows with it, their card ids
    places: list[Place]  # every card row of the table, in order, read or not

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]


@dataclass
class MatrixFilters:
    team_id: int | None = None
    column_id: int | None = None
    goal_id: int | None = None
    problems_only: bool = False
    group_by: str = "column"  # or "goal"


def project_get_for_raci(*, membership: Membership, project_id: int) -> Project:
    return get_object_or_404(
        Project.objects.select_related("organization").prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("name"))
        ),
        organization_id=membership.organization_id,
        pk=project_id,
    )


def _holders(project: Project) -> list[tuple[Team, list[Holder]]]:
    """Each of the project's teams (by name), then its people: each person once, under the
    first of their teams by name. One query, of the people alone."""
    teams = list(project.teams.all())
    position = {team.pk: n for n, team in enumerate(teams)}
    people = (
        User.objects.filter(
            memberships__organization_id=project.organization_id,
            memberships__teams__in=list(position),
        )
        .annotate(team_id=F("memberships__teams"))
        .only("full_name", "email")
        .order_by("full_name", "email", "pk")
    )
    users: dict[int, User] = {}  # in the query's order: by name
    first_team: dict[int, int] = {}
    for user in people:
        users.setdefault(user.pk, user)
        if user.pk not in first_team or position[user.team_id] < position[first_team[user.pk]]:
            first_team[user.pk] = user.team_id
    by_team: dict[int, list[Holder]] = defaultdict(list)
    for user_id, user in users.items():
        by_team[first_team[user_id]].append(
            Holder(f"user:{user_id}", user.display_name, user_id=user_id)
        )
    return [
        (team, [Holder(f"team:{team.pk}", team.name, team_id=team.pk), *by_team[team.pk]])
        for team in teams
    ]


def rule_context(
    organization: Organization,
    project: Project | None,
    *,
    accountable: AbstractSet[int] | None = None,
) -> Context:
    """Everything the rules need besides each card's roles, in a fixed number of queries.
    The rules ask about people only where they are Accountable: with ``accountable`` (user
    ids), only what concerns those people is read (for a few cards of many)."""
    policy = policy_for(organization)
    counted = RaciAssignment.objects.filter(
        role=RaciRole.ACCOUNTABLE,
        user__isnull=False,
        card__in=Card.objects.filter(board__organization=organization).unfinished(),
    )
    memberships = Membership.objects.filter(organization=organization)
    if accountable is not None:
        counted = counted.filter(user__in=sorted(accountable))
        memberships = memberships.filter(user__in=sorted(accountable))
    accountable_counts = dict(counted.values_list("user").annotate(n=Count("pk")).order_by())
    memberships = memberships.values_list("user_id", "teams", "user__full_name", "user__email")
    teams_of_user: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for user_id, team_id, full_name, email in memberships:
        if team_id:
            teams_of_user[user_id].add(team_id)
        names[user_id] = full_name or email
    # project.teams.all(): the teams project_get_for_raci read already, where it did.
    project_team_ids = (
        frozenset(team.pk for team in project.teams.all()) if project else frozenset()
    )
    return Context(
        consulted_limit=policy.consulted_limit,
        accountable_limit=policy.accountable_limit,
        project_team_ids=project_team_ids,
        teams_of_user={user: frozenset(ids) for user, ids in teams_of_user.items()},
        accountable_counts=accountable_counts,
        names=names,
    )


def _roles_by_card(card_ids: list[int]) -> dict[int, list[Role]]:
    roles: dict[int, list[Role]] = defaultdict(list)
    # No ordering: the default one (by card) joins the cards and their columns to sort.
    for card_id, role, user_id, team_id in (
        RaciAssignment.objects.filter(card_id__in=card_ids)
        .order_by()
        .values_list("card_id", "role", "user_id", "team_id")
    ):
        roles[card_id].append(Role(role, user_id, team_id))
    return roles


def project_cards(project: Project) -> QuerySet[Card]:
    return (
        Card.objects.shown()
        .filter(board__project=project)
        .select_related("column", "goal", "assignee", "board")
        .order_by("board_id", "column__position", "rank")
    )


def _shown(project: Project, filters: MatrixFilters) -> QuerySet[Card]:
    """The project's cards the filters keep, in the board's order (the problems aside)."""
    shown = project_cards(project)
    if filters.team_id is not None:
        shown = shown.filter(team_id=filters.team_id)
    if filters.column_id is not None:
        shown = shown.filter(column_id=filters.column_id)
    if filters.goal_id is not None:
        shown = shown.filter(goal_id=filters.goal_id)
    return shown


def _rows(project: Project, cards: list[MatrixCard], *, part: bool) -> list[Row]:
    """The rows of ``cards``: their roles, and their problems as the rules say. For a
    ``part`` of the matrix, the rules' context is read for these cards' Accountables alone."""
    roles = _roles_by_card([card.pk for card in cards])
    accountable = {
        role.user_id
        for card_roles in roles.values()
        for role in card_roles
        if role.role == RaciRole.ACCOUNTABLE and role.user_id is not None
    }
    context = rule_context(project.organization, project, accountable=accountable if part else None)
    rows = []
    for card in cards:
        card_roles = roles.get(card.pk, [])
        rows.append(
            Row(
                card=card,
                roles={
                    f"user:{r.user_id}" if r.user_id else f"team:{r.team_id}": r.role
                    for r in card_roles
                },
                problems=card_problems(card_roles, context, is_open=card.is_unfinished),
            )
        )
    return rows


def _summary(rows: list[Row]) -> list[tuple[ProblemKind, int, list[int]]]:
    """Each kind of problem the rows have (errors first), how many rows have it, and which
    (in the board's order)."""
    counts: Counter[ProblemKind] = Counter()
    where: dict[ProblemKind, list[int]] = defaultdict(list)
    for row in rows:
        for kind in {problem.kind for problem in row.problems}:
            counts[kind] += 1
            where[kind].append(row.card.pk)
    summary = [(kind, counts[kind], where[kind]) for kind in ProblemKind if counts[kind]]
    summary.sort(key=lambda item: item[0] not in ERRORS)
    return summary


def matrix(*, project: Project, filters: MatrixFilters, part: slice | None = None) -> Matrix:
    """The project's matrix: cards down the side, teams and their people across.

    With ``part`` (a slice of the table's card rows, as a chunk of the page asks), only those
    rows are checked: every card is read as values (the table's order needs every card's
    group), but which are unfinished, the roles and the rules' context only for the part's
    cards. The problems filter needs every card's problems to know which rows there are, so
    with it every row is checked (and the part kept). A part has no summary."""
    teams = _holders(project)
    holders = [holder for _team, team_holders in teams for holder in team_holders]
    shown = _shown(project, filters)
    columns = {column.pk: column for column in Column.objects.filter(board__project=project)}
    # Each column's name once: display_name translates the built-in ones.
    column_names = {pk: column.display_name for pk, column in columns.items()}

    def group_of(column_id: int, goal_title: str | None) -> str:
        return (goal_title or "") if filters.group_by == "goal" else column_names[column_id]

    def grouped(places: Iterable[Place]) -> list[Place]:
        """The table's order: groups in the order their first card comes, each card in its
        group in the board's order."""
        groups: dict[str, list[Place]] = {}
        for place in places:
            groups.setdefault(place.group, []).append(place)
        return [place for group in groups.values() for place in group]

    # Every card as values, in the board's order: a part of the table needs every card's
    # group to know which cards it holds.
    values = list(shown.values_list("pk", "title", "column_id", "goal__title"))
    alone = part is not None and not filters.problems_only
    if alone:
        places = grouped(
            Place(pk, group_of(column_id, goal_title))
            for pk, _title, column_id, goal_title in values
        )
        wanted = {place.card_id for place in places[part]}
        values = [value for value in values if value[0] in wanted]
        read = shown.filter(pk__in=sorted(wanted))
    else:
        read = shown
    # Which of them are unfinished, as CardQuerySet.unfinished says (an EXISTS per row
    # instead took the planner 20 ms at 300 cards).
    unfinished = set(read.unfinished().values_list("pk", flat=True))
    cards = [
        MatrixCard(pk, title, columns[column_id], goal_title or "", pk in unfinished)
        for pk, title, column_id, goal_title in values
    ]
    rows = _rows(project, cards, part=alone)
    summary: list[tuple[ProblemKind, int, list[int]]] = []
    if not alone:
        if filters.problems_only:
            rows = [row for row in rows if row.problems]
        if part is None:
            summary = _summary(rows)
        places = grouped(
            Place(row.card.pk, group_of(row.card.column.pk, row.card.goal_title)) for row in rows
        )
    by_card = {row.card.pk: row for row in rows}
    rows = [
        by_card[place.card_id]
        for place in (places if part is None else places[part])
        if place.card_id in by_card
    ]

    groups: dict[str, Group] = {}
    row_group = {place.card_id: place.group for place in places}
    for row in rows:
        title = row_group[row.card.pk]
        groups.setdefault(title, Group(title)).rows.append(row)

    return Matrix(
        project=project,
        teams=teams,
        holders=holders,
        groups=list(groups.values()),
        summary=summary,
        places=places,
    )


def card_raci(card: Card) -> tuple[list[RaciAssignment], list[Problem]]:
    """A card's roles and problems, for its page."""
    assignments = list(card.raci.select_related("user", "team").order_by("role"))
    project = card.board.project
    problems = card_problems(
        [Role(a.role, a.user_id, a.team_id) for a in assignments],
        rule_context(card.board.organization, project),
        is_open=card.is_unfinished,
    )
    return assignments, problems


def boards_with_matrix(*, organization: Organization) -> QuerySet[Board]:
    return Board.objects.open().filter(organization=organization).select_related("project")


# Routing -------------------------------------------------------------------


class Occasion:
    """Why Opsboard wants to tell someone about a card."""

    REMINDER = "reminder"  # before the due date: the Responsible
    OVERDUE = "overdue"  # past the due date: the Accountable
    BLOCKED = "blocked"  # blocked too long: the Accountable
    DONE = "done"  # finished: the Informed
    INPUT = "input"  # a question: the Consulted


ROLE_FOR_OCCASION = {
    Occasion.REMINDER: RaciRole.RESPONSIBLE,
    Occasion.OVERDUE: RaciRole.ACCOUNTABLE,
    Occasion.BLOCKED: RaciRole.ACCOUNTABLE,
    Occasion.DONE: RaciRole.INFORMED,
    Occasion.INPUT: RaciRole.CONSULTED,
}
# Escalations fall back to the project's owner when nobody is Accountable.
ESCALATIONS = frozenset({Occasion.OVERDUE, Occasion.BLOCKED})


def holders_by_card(
    cards: QuerySet[Card], *, organization_id: int, role: str
) -> dict[int, set[int]]:
    """Card id -> ids of the active people in ``role`` on each card: people in it, and members of
    teams in it, in two queries however many cards."""
    people: dict[int, set[int]] = defaultdict(set)
    teams: dict[int, set[int]] = defaultdict(set)
    for card_id, user_id, team_id in (
        RaciAssignment.objects.filter(card__in=cards.values("pk"), role=role)
        .filter(Q(user__isnull=True) | Q(user__is_active=True))
        .values_list("card_id", "user_id", "team_id")
    ):
        if user_id:
            people[card_id].add(user_id)
        else:
            teams[team_id].add(card_id)
    if teams:
        for team_id, user_id in Membership.objects.filter(
            organization_id=organization_id, teams__in=list(teams), user__is_active=True
        ).values_list("teams", "user_id"):
            for card_id in teams[team_id]:
                people[card_id].add(user_id)
    return people


def routable(cards: CardQuerySet) -> CardQuerySet:
    """``cards`` with what the routing's fallbacks read besides the assignee: the project's owner
    (``project_owner_id``)."""
    return cards.annotate(project_owner_id=F("board__project__owner_id"))


class Route(NamedTuple):
    """Whom one card's message goes to: user ids (the caller keeps the active ones), and
    whether it is a reminder of an unowned card (nobody Responsible, nobody assigned), told
    instead to the Accountable, else the project's owner. (A tuple: the scan makes one or
    two for each of thousands of cards.)"""

    people: AbstractSet[int]
    unowned: bool = False


NOBODY: frozenset[int] = frozenset()


class Routing:
    """Who hears about each of ``cards`` on an occasion: the one home of the fallbacks.

    Reminders go to the Responsible, else the assignee; with neither, the card is unowned and
    the reminder is escalated. Escalations (overdue, blocked too long) go to the Accountable,
    else the project's owner. Completion goes to the Informed, a request for input to the
    Consulted, with no fallback. A team in a role means its active members.

    The holders of a role are read for all of ``cards`` at once (``holders_by_card``), when
    first asked, so routing many cards costs the same few queries as routing one. The cards
    routed must come from ``routable(cards)``.
    """

    def __init__(self, cards: QuerySet[Card], *, organization_id: int) -> None:
        self.cards = cards
        self.organization_id = organization_id
        self._holders: dict[str, dict[int, set[int]]] = {}

    def holders(self, role: str) -> dict[int, set[int]]:
        """Card id -> the active people in ``role``, read once per role."""
        if role not in self._holders:
            self._holders[role] = holders_by_card(
                self.cards, organization_id=self.organization_id, role=role
            )
        return self._holders[role]

    def route(self, card: Card, occasion: str) -> Route:
        """Whom ``card``'s message for ``occasion`` goes to."""
        found = self.holders(ROLE_FOR_OCCASION[occasion]).get(card.pk)
        if found:
            return Route(found)
        if occasion == Occasion.REMINDER:
            if card.assignee_id:
                return Route({card.assignee_id})
            return Route(self.route(card, Occasion.OVERDUE).people, unowned=True)
        if occasion in ESCALATIONS and card.project_owner_id:
            return Route({card.project_owner_id})
        return Route(NOBODY)


def recipients(*, card: Card, occasion: str) -> list[User]:
    """Who must hear about ``card`` for ``occasion`` (see ``Routing``): active people only,
    each once, by name."""
    one = Card.objects.filter(pk=card.pk)
    route = Routing(one, organization_id=card.board.organization_id).route(
        routable(one).get(), occasion
    )
    return list(
        User.objects.filter(pk__in=route.people, is_active=True).order_by("full_name", "email")
    )
