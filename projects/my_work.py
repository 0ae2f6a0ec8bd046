"""My work: the page each person opens first, and its API.

What needs the person comes from every layer: their goals due a check-in (projects),
their cards by urgency, what changed on the cards they follow and where they were
mentioned (kanban), the cards they are Accountable for that need them (raci), their
teams' red KPIs (metrics). projects cannot import the apps built on it, so each app
registers its part here in its ``AppConfig.ready()`` (as ``projects.sections`` does for
the project and card pages), and the page and the API show whatever is registered, in
order. Each part reads through its app's own rules (``CardQuerySet``, ``goal_status``,
``rag``) in a fixed number of queries, whatever the number of cards.

An item is the same plain shape for every part (what it is, why it is here, where it is
handled), so the page draws one list and the API returns one schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsboard.accounts.models import User
from opsboard.notify.models import Preference
from opsboard.tenancy.models import Membership, Organization

from .models import Goal

# How many items a group shows; the rest are a link away ("all my cards" on the board).
GROUP_LIMIT = 20


@dataclass(frozen=True)
class Item:
    """One thing that needs the person: a card, a goal, a KPI, a change, a mention or a
    project."""

    kind: str  # "card", "goal", "kpi", "change", "mention" or "project"
    id: int
    title: str
    url: str  # where it is handled
    why: str  # why it is here, in the reader's language
    where: str = ""  # the project, board or team it belongs to
    tone: str = ""  # "danger", "warning" or "": how the page marks it
    day: date | None = None  # a due date, a period
    at: datetime | None = None  # when it happened
    by: str = ""  # who did it (a change, a mention)


@dataclass
class Group:
    key: str
    title: str
    items: list[Item]
    total: int = 0  # how many there are; more than ``items`` when cut at GROUP_LIMIT

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


@dataclass
class Part:
    """One section of the page: a heading, its groups, and where to see everything."""

    key: str
    title: str
    groups: list[Group] = field(default_factory=list)
    link: str = ""  # where the whole list is
    link_label: str = ""
    note: str = ""  # a sentence under the heading: how the section decides

    @property
    def empty(self) -> bool:
        return not any(group.items for group in self.groups)


@dataclass(frozen=True)
class Ask:
    """Who is asking, and what every part reads by: the organisation's today and the
    person's horizon for "due soon"."""

    membership: Membership
    today: date
    lead_days: int
    team_ids: frozenset[int]

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def due_by(self) -> date:
        """The last day "due soon" reaches: today plus the person's lead days."""
        return self.today + timedelta(days=self.lead_days)

    def url(self, name: str, **kwargs: object) -> str:
        return reverse(name, kwargs={"org_slug": self.organization.slug, **kwargs})


@dataclass(frozen=True)
class Source:
    order: int
    key: str
    read: Callable[[Ask], Part]


_sources: list[Source] = []


def register_my_work(source: Source) -> None:
    """Add a part to My work (in ``order``); called from an app's ``ready()``."""
    if all(existing.key != source.key for existing in _sources):
        _sources.append(source)
        _sources.sort(key=lambda s: s.order)


def ask_for(membership: Membership) -> Ask:
    """The person's ask: two queries (their preference, their teams)."""
    organization = membership.organization
    preference = Preference.objects.filter(user_id=membership.user_id).first()
    lead_days = (preference or Preference()).lead_horizon(organization.reminder_lead_days)
    return Ask(
        membership=membership,
        today=organization.today(),
        lead_days=lead_days,
        team_ids=frozenset(membership.teams.values_list("pk", flat=True)),
    )


def my_work(*, membership: Membership) -> list[Part]:
    """Every registered part of the person's My work, in order."""
    ask = ask_for(membership)
    return [source.read(ask) for source in _sources]


def cut(key: str, title: str, items: list[Item]) -> Group:
    return Group(key=key, title=title, items=items[:GROUP_LIMIT], total=len(items))


# Goals -----------------------------------------------------------------------


def goals_due_check_in(*, owner: User, organization: Organization, on: date) -> QuerySet[Goal]:
    """The active goals ``owner`` owns that are due a check-in on ``on``
    (``Goal.objects.due_check_in``), the longest waiting first."""
    return (
        Goal.objects.filter(organization=organization, owner=owner)
        .due_check_in(on)
        .select_related("project")
        .order_by(F("last_checked_on").asc(nulls_first=True), "due_date", "pk")
    )


def goals_part(ask: Ask) -> Part:
    goals = list(goals_due_check_in(owner=ask.user, organization=ask.organization, on=ask.today))
    items = [
        Item(
            kind="goal",
            id=goal.pk,
            title=goal.title,
            url=ask.url("projects:goal_detail", goal_id=goal.pk) + "#check-in",
            why=(
                ngettext(
                    "Last check-in %(days)s day ago",
                    "Last check-in %(days)s days ago",
                    (ask.today - goal.last_checked_on).days,
                )
                % {"days": (ask.today - goal.last_checked_on).days}
                if goal.last_checked_on
                else _("No check-in yet")
            ),
            where=goal.project.name if goal.project else _("Organisation objective"),
            tone="warning",
            day=goal.due_date,
        )
        for goal in goals
    ]
    return Part(
        key="goals",
        title=_("Goals due a check-in"),
        groups=[cut("check_in", _("Goals due a check-in"), items)],
        link=ask.url("projects:goal_tree"),
        link_label=_("All goals"),
        note=ngettext(
            "An active goal you own is due a check-in when its last one is %(days)s day old or more.",
            "An active goal you own is due a check-in when its last one is %(days)s days old or more.",
            Goal.CHECK_IN_EVERY_DAYS,
        )
        % {"days": Goal.CHECK_IN_EVERY_DAYS},
    )
