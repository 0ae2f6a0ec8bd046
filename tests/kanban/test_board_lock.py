"""One lock per board: changes of one board at once queue on its row, never deadlock, and
each reads what the one before it left (threads on PostgreSQL, each its own connection)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kanban.models import Card, CardEvent, Column, EventKind
from kanban.services import (
    CardInput,
    card_create,
    card_move,
    card_update,
    checklist_add,
    checklist_toggle,
    column_archive,
    column_create,
    comment_add,
)
from raci.models import RaciRole
from raci.services import raci_set
from tests.admin_pages import change_page_data
from tests.concurrency import in_lockstep
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10


def refused(change: Callable[[], object]) -> Callable[[], str]:
    """``change`` as a step that says whether it went through or was refused."""

    def step() -> str:
        try:
            change()
        except ValidationError:
            return "refused"
        return "done"

    return step


def test_a_card_moved_edited_commented_and_ticked_at_once_keeps_every_change(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    card = kanban.add(tenant, "Analyse churn")
    item = checklist_add(actor=tenant.lead, card=card, text="Pull the numbers")
    # One person drags the card back and forth while another edits it (which saves the
    # whole card) and a third comments and ticks its checklist, every step at once.
    columns = [kanban.doing, kanban.todo] * (ROUNDS // 2)
    in_lockstep(
        [partial(card_move, actor=tenant.member, card=card, column=c) for c in columns],
        [
            partial(
                card_update,
                actor=tenant.lead,
                card=card,
                data=CardInput(title=f"Analyse churn, take {n}"),
            )
            for n in range(ROUNDS)
        ],
        [
            partial(comment_add, actor=tenant.owner, card=card, body=f"Note {n}")
            if n % 2
            else partial(checklist_toggle, actor=tenant.owner, item=item)
            for n in range(ROUNDS)
        ],
    )
    card.refresh_from_db()
    # The edits read the card after the moves before them: none put it back.
    assert (card.column, card.title) == (kanban.todo, f"Analyse churn, take {ROUNDS - 1}")
    assert card.comments.count() == ROUNDS // 2
    assert CardEvent.objects.filter(card=card, kind=EventKind.MOVED).count() == ROUNDS
    kanban.board.refresh_from_db()
    assert card.revision <= kanban.board.revision


def test_a_raci_assignment_and_a_move_of_the_same_card_at_once_do_not_deadlock(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    card = kanban.add(tenant, "Analyse churn")
    person = tenant.member.user
    # Making someone Responsible assigns the unassigned card (card_assign): the new role's
    # row holds a share lock on its card while the assignment waits for the board.
    roles = [RaciRole.RESPONSIBLE, ""] * (ROUNDS // 2)
    columns = [kanban.doing, kanban.todo] * (ROUNDS // 2)
    in_lockstep(
        [partial(card_move, actor=tenant.lead, card=card, column=c) for c in columns],
        [
            partial(
                raci_set, actor=tenant.owner, card=Card.objects.get(pk=card.pk), role=r, user=person
            )
            for r in roles
        ],
    )
    card.refresh_from_db()
    assert card.column == kanban.todo
    assert CardEvent.objects.filter(card=card, kind=EventKind.MOVED).count() == ROUNDS


def test_a_card_made_and_one_moved_into_the_last_place_at_once_get_one_in(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    Column.objects.filter(pk=kanban.doing.pk).update(wip_limit=1, wip_hard=True)
    kanban.doing.refresh_from_db()
    outcomes = []
    for n in range(ROUNDS):
        moving = kanban.add(tenant, f"moving {n}")
        outcome = in_lockstep(
            [
                refused(
                    partial(
                        card_create,
                        actor=tenant.lead,
                        board=kanban.board,
                        column=kanban.doing,
                        data=CardInput(title=f"made {n}"),
                    )
                )
            ],
            [refused(partial(card_move, actor=tenant.member, card=moving, column=kanban.doing))],
        )
        outcomes.append(sorted(outcome))
        assert Card.objects.open().filter(column=kanban.doing).count() == 1
        Card.objects.filter(column=kanban.doing).update(archived_at=kanban.board.created_at)
    assert outcomes == [["done", "refused"]] * ROUNDS


def test_cards_dropped_at_the_bottom_of_a_column_at_once_keep_a_whole_order(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    kanban.add(tenant, "already in progress", column=kanban.doing)
    cards = [kanban.add(tenant, f"card {n}") for n in range(3)]
    # Three people drop their cards at the bottom of the same column at once, then back.
    columns = [kanban.doing, kanban.todo] * (ROUNDS // 2)
    in_lockstep(
        *(
            [partial(card_move, actor=tenant.member, card=card, column=c) for c in columns]
            for card in cards
        )
    )
    for column in (kanban.todo, kanban.doing):
        ranks = list(Card.objects.open().filter(column=column).values_list("rank", flat=True))
        assert len(ranks) == len(set(ranks)), ranks
    assert Card.objects.filter(column=kanban.todo).count() == 3


def test_a_column_archived_while_a_card_moves_into_it_never_keeps_the_card(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    card = kanban.add(tenant, "Analyse churn")
    columns = [
        column_create(actor=tenant.lead, board=kanban.board, name=f"Review {n}", kind="doing")
        for n in range(ROUNDS)
    ]
    outcomes = in_lockstep(
        [
            refused(partial(card_move, actor=tenant.member, card=card, column=column))
            for column in columns
        ],
        [refused(partial(column_archive, actor=tenant.lead, column=column)) for column in columns],
    )
    card.refresh_from_db()
    assert card.column.archived_at is None
    for column in Column.objects.filter(pk__in=[c.pk for c in columns]):
        assert column.archived_at is None or not column.cards.exists()
    # Each round one of the two went through and the other was refused.
    assert sorted(outcomes).count("done") == ROUNDS


def test_a_card_saved_in_the_admin_while_it_moves_stays_moved(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    card = kanban.add(tenant, "Analyse churn")
    manager = tenant.manager.user
    manager.is_staff = True
    manager.save()
    admin = Client()
    admin.force_login(manager)
    url = reverse("admin:kanban_card_change", args=[card.pk])
    page = change_page_data(admin, url)  # read before the moves, as a person would

    def save_in_the_admin(title: str) -> None:
        assert admin.post(url, {**page, "title": title}).status_code == 302

    columns = [kanban.doing, kanban.todo, kanban.done] * 3
    in_lockstep(
        [partial(card_move, actor=tenant.member, card=card, column=c) for c in columns],
        [partial(save_in_the_admin, f"Analyse churn, take {n}") for n in range(len(columns))],
    )
    card.refresh_from_db()
    # The admin's page showed the card in To do: saving it put nothing back.
    assert (card.column, card.title) == (kanban.done, "Analyse churn, take 8")
    assert card.done_at is not None
