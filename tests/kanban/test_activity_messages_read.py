"""The emails of following and mentions read as written, in Chinese and in English: each
kind of change told at once, a mention, and an hourly bundle."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest
import time_machine
from django.core import mail

from kanban.activity import send_activity_bundles
from kanban.mentions import mention_text
from kanban.services import CardInput, card_create, card_move, card_update, comment_add
from opsboard.notify.models import ActivityEmail, Preference
from opsboard.tenancy.models import Role
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ProjectFactory,
    TeamFactory,
    UserFactory,
)
from tests.notify.test_messages_read_as_written import (
    assert_email_reads_as_chinese,
    assert_email_reads_as_english,
)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_activity_and_mention_emails_read_as_written(
    language: str, django_capture_on_commit_callbacks
) -> None:
    organization = OrganizationFactory(
        slug="shuang11", name="双十一事业部", timezone="Asia/Shanghai", language=language
    )
    xiaoming = UserFactory(full_name="王小明", email="xiaoming@example.test", language=language)
    na = UserFactory(full_name="李娜", email="na@example.test", language=language)
    hourly = UserFactory(full_name="张伟", email="wei@example.test", language=language)
    team = TeamFactory(organization=organization, name="仓储组", lead=xiaoming)
    lead = MembershipFactory(organization=organization, user=xiaoming, role=Role.LEAD, teams=[team])
    MembershipFactory(organization=organization, user=na, role=Role.MEMBER, teams=[team])
    MembershipFactory(organization=organization, user=hourly, role=Role.MEMBER, teams=[team])
    Preference.objects.create(user=na, activity_email=ActivityEmail.IMMEDIATELY)
    project = ProjectFactory(organization=organization, name="双十一备货", teams=[team])
    board = project.boards.get()
    columns = {column.kind: column for column in board.columns.all()}
    capture = django_capture_on_commit_callbacks

    with time_machine.travel(datetime(2026, 11, 18, 10, 5, tzinfo=SHANGHAI), tick=False):
        card = card_create(
            actor=lead, board=board, data=CardInput(title="核对备货清单", assignee=na)
        )
        from kanban.services import card_follow_set

        card_follow_set(actor=organization.memberships.get(user=hourly), card=card, following=True)
        with capture(execute=True):
            card_move(actor=lead, card=card, column=columns["doing"])
            card_update(
                actor=lead,
                card=card,
                data=CardInput(title=card.title, assignee=na, due_date=date(2026, 12, 5)),
            )
            card_update(
                actor=lead,
                card=card,
                data=CardInput(
                    title=card.title,
                    assignee=na,
                    due_date=date(2026, 12, 6),
                    blocked=True,
                    blocked_reason="等待法务审核",
                ),
            )
            card_update(
                actor=lead,
                card=card,
                data=CardInput(title=card.title, assignee=na, due_date=None),
            )
            comment_add(actor=lead, card=card, body="库存数据已更新。")
            comment_add(actor=lead, card=card, body=f"{mention_text(hourly.pk, '张伟')}，请看一下")
            card_move(actor=lead, card=card, column=columns["done"])
    with capture(execute=True):
        send_activity_bundles(now=datetime(2026, 11, 18, 11, 1, tzinfo=SHANGHAI))

    to_na = [message for message in mail.outbox if message.to == [na.email]]
    to_hourly = [message for message in mail.outbox if message.to == [hourly.email]]
    # Moved, due set, due changed, blocked, unblocked, due removed, two comments, done.
    assert len(to_na) == 9
    assert len(to_hourly) == 2  # the mention at once, and the hour's bundle
    check = (
        assert_email_reads_as_chinese if language == "zh-hans" else assert_email_reads_as_english
    )
    for message in mail.outbox:
        check(message)
    subjects = " ".join(message.subject for message in mail.outbox)
    if language == "zh-hans":
        assert "王小明把「核对备货清单」从「待办」移到「进行中」" in subjects
        assert "王小明在「核对备货清单」的评论中提及了你" in subjects
        assert "你关注的卡片有 " in subjects
        bundle = next(m for m in to_hourly if "动态" in m.subject)
        assert "王小明完成了「核对备货清单」" in bundle.body
    else:
        assert "王小明 moved “核对备货清单” from To do to In progress" in subjects
        assert "王小明 changed the due date of “核对备货清单” from Dec 5 to Dec 6" in subjects
