"""Mentions and followed cards' activity as direct messages, for a person who chose them
and whom the organisation's connected app knows: a mention at once, the activity at the
pace the person chose for it (a message each, or one an hour or a day), once each, with
the link back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from kanban.activity import BUNDLE, plan_activity_bundles, send_activity_bundles
from kanban.mentions import mention_text
from kanban.services import card_follow_set, card_move, comment_add
from opsboard.notify.models import (
    ActivityEmail,
    Channel,
    ConnectedApp,
    Notification,
    Preference,
)
from opsboard.notify.services import direct_identities_look_up
from tests.conftest import Tenant
from tests.direct_servers import APP_ID, SECRET, DirectServer
from tests.kanban.conftest import BoardSetup

HOUR = datetime(2026, 11, 18, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def card(tenant: Tenant, kanban: BoardSetup):
    return kanban.add(tenant, "Churn analysis")


@pytest.fixture
def member_in_feishu(tenant: Tenant, direct_server: DirectServer):
    member = tenant.member.user
    direct_server.people[member.email] = "ou_member"
    app = ConnectedApp.objects.create(
        organization=tenant.organization, service="feishu", app_id=APP_ID, app_secret=SECRET
    )
    direct_identities_look_up(app_id=app.pk)
    return member


def card_of(message) -> dict:
    return json.loads(message.body["content"])


def test_a_mention_arrives_as_a_card_with_the_quote_and_the_link(
    tenant: Tenant, card, member_in_feishu, direct_server, django_capture_on_commit_callbacks
) -> None:
    member = member_in_feishu
    Preference.objects.create(user=member, email=True, direct_message=True)
    body = f"Can you check the numbers, {mention_text(member.pk, member.full_name)}?"
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_add(actor=tenant.lead, card=card, body=body)
    [message] = direct_server.messages
    content = card_of(message)
    assert "mentioned you in a comment on “Churn analysis”" in content["header"]["title"]["content"]
    markdown = content["elements"][0]["content"]
    assert f"> Can you check the numbers, @{member.full_name}?" in markdown
    [button] = content["elements"][1]["actions"]
    assert button["url"].endswith(f"#comment-{comment.pk}")
    assert len(mail.outbox) == 1  # and the email: the person chose both
    # One row in the person's notifications, not two.
    assert Notification.objects.shown_in_app().filter(recipient=member).count() == 1
    assert Notification.objects.filter(recipient=member, channel=Channel.DIRECT).count() == 1


def test_a_followed_cards_change_arrives_at_once_when_chosen(
    tenant: Tenant,
    kanban: BoardSetup,
    card,
    member_in_feishu,
    direct_server,
    django_capture_on_commit_callbacks,
) -> None:
    member = member_in_feishu
    Preference.objects.create(
        user=member, email=False, direct_message=True, activity_email=ActivityEmail.IMMEDIATELY
    )
    card_follow_set(actor=tenant.member, card=card, following=True)
    with django_capture_on_commit_callbacks(execute=True):
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
    [message] = direct_server.messages
    assert "moved “Churn analysis” from" in card_of(message)["header"]["title"]["content"]
    assert mail.outbox == []


def test_bundled_activity_is_one_message_an_hour_beside_the_email(
    tenant: Tenant,
    kanban: BoardSetup,
    card,
    member_in_feishu,
    direct_server,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
) -> None:
    member = member_in_feishu
    Preference.objects.create(user=member, direct_message=True)  # hourly, the default
    card_follow_set(actor=tenant.member, card=card, following=True)
    with time_machine.travel(HOUR, tick=False), django_capture_on_commit_callbacks(execute=True):
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
        comment_add(actor=tenant.lead, card=card, body="Numbers are [in](http://x.test)")
    assert direct_server.messages == [] and mail.outbox == []  # not at once

    later = HOUR + timedelta(hours=1)
    # The rows, the preferences, whom apps know, the bundles sent, the comments and the
    # history rows they are about.
    with django_assert_num_queries(6):
        planned = plan_activity_bundles(now=later)
    assert [(b.by_email, b.by_direct, b.count) for b in planned] == [(True, True, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        send_activity_bundles(now=later)
        send_activity_bundles(now=later)  # the scan again: nothing more
    [message] = direct_server.messages
    content = card_of(message)
    assert "2 changes on cards you follow" in content["header"]["title"]["content"]
    markdown = content["elements"][0]["content"]
    assert "[Churn analysis](" in markdown and "?card=" in markdown
    assert "moved “Churn analysis” from" in markdown and "commented on" in markdown
    assert "](http://x.test)" not in markdown  # people's text stays text
    assert len(mail.outbox) == 1
    # One email and one message for the hour; the message is not in the app's list.
    bundle_rows = Notification.objects.filter(recipient=member, kind=BUNDLE)
    assert sorted(bundle_rows.values_list("channel", flat=True)) == [
        Channel.DIRECT,
        Channel.EMAIL,
    ]
    assert not Notification.objects.shown_in_app().filter(channel=Channel.DIRECT).exists()

    # Without email, the message alone.
    Preference.objects.filter(user=member).update(email=False)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        comment_add(actor=tenant.lead, card=card, body="Second look")
    with django_capture_on_commit_callbacks(execute=True):
        send_activity_bundles(now=later + timedelta(hours=1))
    assert len(direct_server.messages) == 2 and len(mail.outbox) == 1


def test_no_message_for_who_did_not_choose_it(
    tenant: Tenant, card, member_in_feishu, direct_server, django_capture_on_commit_callbacks
) -> None:
    member = member_in_feishu
    body = f"{mention_text(member.pk, member.full_name)} see this"
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(actor=tenant.lead, card=card, body=body)
    assert direct_server.messages == []
    assert len(mail.outbox) == 1
