"""A card's history reads as sentences, each with its actor in it, in Chinese as in English."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from kanban.models import Card, ColumnKind
from kanban.services import (
    CardInput,
    card_archive,
    card_assign,
    card_create,
    card_move,
    card_update,
)
from tests.conftest import Tenant
from tests.factories import ProjectFactory

# The history writes a due date without its year in the year it is read: the sentences
# below are read in 2026, whatever moment the suite runs at.
READ_IN_2026 = time_machine.travel(datetime(2026, 11, 18, 10, tzinfo=UTC), tick=False)

NAMES = {"zh-hans": ("张三", "李四"), "en": ("Zhang San", "Li Si")}
REASON = {"zh-hans": "等待 SDK 评审", "en": "Waiting for the SDK review"}


def card_with_history(tenant: Tenant, language: str) -> Card:
    """A card that was created, moved, blocked, unblocked, assigned, given a due date and a
    new one, archived and restored, all by the team lead."""
    actor, assignee = NAMES[language]
    tenant.lead.user.full_name = actor
    tenant.lead.user.language = language
    tenant.lead.user.save()
    tenant.member.user.full_name = assignee
    tenant.member.user.save()
    # The board's columns are named in the organisation's language when it is made.
    tenant.organization.language = language
    tenant.organization.save()
    board = ProjectFactory(organization=tenant.organization, teams=[tenant.team]).boards.get()
    columns = {column.kind: column for column in board.columns.all()}

    card = card_create(
        actor=tenant.lead, board=board, column=columns[ColumnKind.TODO], data=CardInput("Events")
    )
    card_move(actor=tenant.lead, card=card, column=columns[ColumnKind.DOING])
    blocked = CardInput("Events", blocked=True, blocked_reason=REASON[language])
    card_update(actor=tenant.lead, card=card, data=blocked)
    card_update(actor=tenant.lead, card=card, data=CardInput("Events"))
    card_assign(actor=tenant.lead, card=card, assignee=tenant.member.user)
    for due in (date(2026, 12, 1), date(2026, 12, 8)):
        data = CardInput("Events", assignee=tenant.member.user, due_date=due)
        card_update(actor=tenant.lead, card=card, data=data)
    card_archive(actor=tenant.lead, card=card)
    card_archive(actor=tenant.lead, card=card, archived=False)
    return card


def history_lines(client, tenant: Tenant, card: Card) -> list[str]:
    client.force_login(tenant.lead.user)
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    history = page.split('<ol class="history">', 1)[1].split("</ol>", 1)[0]
    return [
        " ".join(re.sub(r"<small.*?</small>|<[^>]+>", " ", item).split())
        for item in history.split("<li>")[1:]
    ]


@READ_IN_2026
def test_the_history_reads_as_chinese_sentences(tenant: Tenant, client) -> None:
    card = card_with_history(tenant, "zh-hans")
    lines = history_lines(client, tenant, card)
    assert lines == [
        "张三 恢复了卡片",
        "张三 归档了卡片",
        "张三 将截止日期从12月1日改为12月8日",
        "张三 将截止日期设为12月1日",
        "张三 将卡片指派给李四",
        "张三 解除了卡片的受阻状态",
        "张三 将卡片标记为受阻：等待 SDK 评审",
        "张三 把卡片从「待办」移到「进行中」",
        "张三 创建了卡片",
    ]
    # The field labels that once stood in for the verbs are gone from the history.
    assert not [line for line in lines if "创建时间" in line or "归档时间" in line]


@READ_IN_2026
def test_the_history_reads_as_english_sentences(tenant: Tenant, client) -> None:
    card = card_with_history(tenant, "en")
    assert history_lines(client, tenant, card) == [
        "Zhang San restored the card",
        "Zhang San archived the card",
        "Zhang San changed the due date from Dec 1 to Dec 8",
        "Zhang San set the due date to Dec 1",
        "Zhang San assigned the card to Li Si",
        "Zhang San unblocked the card",
        "Zhang San marked the card as blocked: Waiting for the SDK review",
        "Zhang San moved the card from To do to In progress",
        "Zhang San created the card",
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["已删除用户 移除了截止日期", "已删除用户 移除了卡片的经办人"]),
        ("en", ["Someone removed the due date", "Someone removed the card's assignee"]),
    ],
)
def test_a_removed_assignee_or_due_date_and_a_deleted_actor(
    tenant: Tenant, client, language: str, expected: list[str]
) -> None:
    card = card_with_history(tenant, language)
    card_update(actor=tenant.manager, card=card, data=CardInput("Events"))
    tenant.manager.user.delete()
    assert history_lines(client, tenant, card)[:2] == expected
