"""Mentions and followed cards' activity as direct messages, for a person who chose them
and whom the organisation's connected app knows: at once, once each, with the link back."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from kanban.mentions import mention_text
from kanban.services import card_follow_set, card_move, comment_add
from opsboard.notify.models import Channel, ConnectedApp, Notification, Preference
from opsboard.notify.services import direct_identities_look_up
from tests.conftest import Tenant
from tests.direct_servers import APP_ID, SECRET, DirectServer
from tests.kanban.conftest import BoardSetup


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


def test_a_followed_cards_change_arrives_at_once_even_when_email_is_bundled(
    tenant: Tenant,
    kanban: BoardSetup,
    card,
    member_in_feishu,
    direct_server,
    django_capture_on_commit_callbacks,
) -> None:
    member = member_in_feishu
    Preference.objects.create(user=member, direct_message=True)  # email hourly, the default
    card_follow_set(actor=tenant.member, card=card, following=True)
    with django_capture_on_commit_callbacks(execute=True):
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
    [message] = direct_server.messages
    assert "moved “Churn analysis” from" in card_of(message)["header"]["title"]["content"]
    assert mail.outbox == []


def test_no_message_for_who_did_not_choose_it(
    tenant: Tenant, card, member_in_feishu, direct_server, django_capture_on_commit_callbacks
) -> None:
    member = member_in_feishu
    body = f"{mention_text(member.pk, member.full_name)} see this"
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(actor=tenant.lead, card=card, body=body)
    assert direct_server.messages == []
    assert len(mail.outbox) == 1
