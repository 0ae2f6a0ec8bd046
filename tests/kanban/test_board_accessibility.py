"""The board reads well: headings in order with or without swimlanes, labels in legible text."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kanban.services import CardInput, card_update, label_create
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup


def board_page(kanban: BoardSetup, client, **query) -> str:
    url = reverse("kanban:board_detail", args=["acme", kanban.board.pk])
    return client.get(url, query).text


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


def test_column_headings_follow_the_page_heading_without_swimlanes(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    kanban.add(tenant, "Segment users", assignee=tenant.member.user)
    client.force_login(tenant.member.user)
    levels = heading_levels(board_page(kanban, client))
    assert levels == [1, 2, 2, 2]


def test_column_headings_sit_under_their_swimlane(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    kanban.add(tenant, "Segment users", assignee=tenant.member.user)
    kanban.add(tenant, "Instrument events", assignee=tenant.lead.user)
    client.force_login(tenant.member.user)
    levels = heading_levels(board_page(kanban, client, lanes="assignee"))
    assert levels == [1, 2, 3, 3, 3, 2, 3, 3, 3]


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        ("#975a00", "#ffffff"),  # the demo's amber
        ("#0172ad", "#ffffff"),
        ("#ffd60a", "#000000"),  # yellow: white would be unreadable
        ("#b26a00", "#000000"),  # white on it is 4.2:1, black 5:1
    ],
)
def test_a_label_is_written_in_the_colour_that_reads_on_it(
    tenant: Tenant, kanban: BoardSetup, client, colour: str, text: str
) -> None:
    label = label_create(actor=tenant.lead, board=kanban.board, name="experiment", color=colour)
    card = kanban.add(tenant, "Try a new onboarding email")
    card_update(actor=tenant.lead, card=card, data=CardInput(title=card.title, labels=[label]))
    client.force_login(tenant.member.user)
    # White text is the chip's own; black is asked for.
    style = f"--label:{colour}" + (";--label-text:#000" if text == "#000000" else "")
    assert f'style="{style}"' in board_page(kanban, client)
