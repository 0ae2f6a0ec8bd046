"""The cards of a board as a reader narrows them: one FilterSet for the board page's filter
bar and the API's card list, with the same parameter names and the same answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, ModelChoiceFilter

from opsboard.accounts.models import User
from opsboard.filters import FlagFilter, PageFilterSet, PersonFilter
from opsboard.tenancy.models import Team
from projects.forms import members_of
from projects.models import Goal

from .models import Board, Card, CardQuerySet, Column, Label


class CardFilter(PageFilterSet):
    """``assignee`` (a member, by id or email), ``team``, ``label``, ``goal`` (ids), ``due``
    (``overdue``: unfinished and due before the organisation's today; ``week``: unfinished
    and due from today to Sunday), ``mine`` (assigned to the reader); the API also takes
    ``column`` (an id) and ``archived`` (``1``/``true``: archived cards instead of open ones).
    The board page shows every column and never archived cards, so it has no such fields."""

    assignee = PersonFilter(
        label=_("Assignee"), queryset=User.objects.none(), empty_label=_("Anyone")
    )
    team = ModelChoiceFilter(
        label=_("Team"), queryset=Team.objects.none(), empty_label=_("All teams")
    )
    label = ModelChoiceFilter(
        field_name="labels",
        label=_("Label"),
        queryset=Label.objects.none(),
        empty_label=_("Any label"),
    )
    goal = ModelChoiceFilter(
        label=_("Goal"), queryset=Goal.objects.none(), empty_label=_("Any goal")
    )
    due = ChoiceFilter(
        label=_("Due"),
        choices=[("overdue", _("Overdue")), ("week", _("This week"))],
        empty_label=_("Any time"),
        method="filter_due",
    )
    mine = FlagFilter(label=_("Only mine"), method="filter_mine")
    column = ModelChoiceFilter(label=_("Column"), queryset=Column.objects.none())
    # Only the API has it (see PAGE_LEAVES_OUT): the help is the API documentation's.
    archived = FlagFilter(
        label=_("Archived"),
        method="filter_archived",
        help_text="`1` or `true`: the archived cards instead of the open ones",
    )

    PAGE_LEAVES_OUT = ("column", "archived")

    class Meta:
        model = Card
        fields: list[str] = []

    def __init__(self, *args: Any, board: Board | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.board = board
        if board is None:  # the schema generator's
            return
        choices = {
            "assignee": members_of(board.organization),
            "team": board.project.teams.order_by("name"),
            "label": board.labels.all(),
            "goal": Goal.objects.filter(project=board.project).order_by("title"),
            "column": board.columns.all(),
        }
        for name, queryset in choices.items():
            if name in self.filters:
                self.filters[name].queryset = queryset

    def filter_due(self, cards: CardQuerySet, name: str, value: str) -> CardQuerySet:
        today = self.board.organization.today()
        if value == "overdue":
            return cards.overdue(today)
        sunday = today + timedelta(days=6 - today.weekday())
        return cards.due_by(sunday).filter(due_date__gte=today)

    def filter_mine(self, cards: CardQuerySet, name: str, value: bool) -> CardQuerySet:
        return cards.filter(assignee=self.request.user) if value else cards

    @classmethod
    def unfiltered(cls, cards: CardQuerySet) -> CardQuerySet:
        return cards.open()  # no ``archived``: the open cards

    def filter_archived(self, cards: CardQuerySet, name: str, value: bool) -> CardQuerySet:
        return cards.archived() if value else self.unfiltered(cards)
