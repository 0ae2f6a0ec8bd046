"""Reminders as direct messages through an organisation's Feishu, DingTalk or WeCom app,
each against its loopback server (tests/direct_servers.py): the person's deadline
reminder arrives as a personal message with links back, once; tokens are kept and
renewed once when the service says they expired; rate limits are tried again and a
permanent refusal stops and is recorded."""

from __future__ import annotations

import json
import zoneinfo
from datetime import date, datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from kanban.models import Card
from kanban.services import CardInput, card_create
from opsboard.notify import direct
from opsboard.notify.models import (
    Channel,
    ConnectedApp,
    DirectIdentity,
    LearnedBy,
    Notification,
    Preference,
    Status,
)
from opsboard.notify.services import (
    TransientDeliveryError,
    direct_identities_look_up,
    notification_deliver,
)
from raci.reminders import send_deadline_reminders
from tests.conftest import RaciSetup, Tenant
from tests.direct_servers import AGENT_ID, APP_ID, CORP_ID, SECRET, DirectServer

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SERVICES = ["feishu", "dingtalk", "wecom"]
MEMBER_ID = "u-7f3a21"


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


def connect(tenant: Tenant, service: str, **changes: object) -> ConnectedApp:
    fields = {
        "feishu": {"app_id": APP_ID},
        "dingtalk": {"app_id": APP_ID, "agent_id": AGENT_ID},
        "wecom": {"corp_id": CORP_ID, "agent_id": AGENT_ID},
    }[service]
    return ConnectedApp.objects.create(
        organization=tenant.organization,
        service=service,
        app_secret=SECRET,
        **fields | changes,
    )


@pytest.fixture
def due_card(tenant: Tenant, raci: RaciSetup) -> Card:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    return card_create(
        actor=tenant.lead,
        board=raci.board,
        data=CardInput(
            title="Churn survey [draft]", assignee=tenant.member.user, due_date=date(2026, 11, 26)
        ),
    )


def known_member(tenant: Tenant, server: DirectServer, *, email: bool, direct: bool = True):
    """The member, known to the app by mobile (DingTalk looks up by mobile only)."""
    member = tenant.member.user
    member.mobile = "+8613800138000"
    member.save()
    server.people["13800138000" if server.service != "feishu" else member.mobile] = MEMBER_ID
    Preference.objects.create(user=member, email=email, direct_message=direct)
    app = connect(tenant, server.service)
    assert direct_identities_look_up(app_id=app.pk) == 1
    identity = DirectIdentity.objects.get(user=member)
    assert (identity.external_id, identity.learned_by) == (MEMBER_ID, LearnedBy.MOBILE)
    return member


def remind(django_capture_on_commit_callbacks, now: datetime | None = None) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=now or at(24, 9))


def text_of(server: DirectServer, message) -> tuple[str, str]:
    """(everything the person reads, the link the button opens)."""
    body = message.body
    if server.service == "feishu":
        assert body["msg_type"] == "interactive"
        card = json.loads(body["content"])
        [button] = card["elements"][1]["actions"]
        return json.dumps(card, ensure_ascii=False), button["url"]
    if server.service == "dingtalk":
        assert body["agent_id"] == int(AGENT_ID)
        card = body["msg"]["action_card"]
        return card["title"] + card["markdown"], card["single_url"]
    assert body["agentid"] == int(AGENT_ID)
    content = body["markdown"]["content"]
    return content, content.rsplit("](", 1)[1].rstrip(")")


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_a_deadline_reminder_arrives_as_a_personal_message_with_links_back(
    tenant: Tenant, due_card: Card, direct_server: DirectServer, django_capture_on_commit_callbacks
) -> None:
    member = known_member(tenant, direct_server, email=False)
    remind(django_capture_on_commit_callbacks)

    [message] = direct_server.messages
    assert message.to == MEMBER_ID
    text, link = text_of(direct_server, message)
    assert "Deadline reminder for" in text
    # The card's title, its brackets made harmless to the Markdown, links to the card.
    assert f"[Churn survey (draft)]({settings.SITE_URL}/o/acme/" in text
    assert link == f"{settings.SITE_URL}/o/acme/"
    # In the app as ever; no email (the person chose direct messages only).
    rows = Notification.objects.filter(recipient=member)
    assert sorted(rows.values_list("channel", "status")) == [
        (Channel.DIRECT, Status.SENT),
        (Channel.IN_APP, Status.SENT),
    ]
    assert mail.outbox == []

    # Running the job again sends nothing more.
    remind(django_capture_on_commit_callbacks, at(24, 11))
    assert len(direct_server.messages) == 1


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_both_gets_one_email_and_one_message_and_email_gets_no_message(
    tenant: Tenant,
    raci: RaciSetup,
    due_card: Card,
    direct_server: DirectServer,
    django_capture_on_commit_callbacks,
) -> None:
    known_member(tenant, direct_server, email=True)
    # The lead is known to the app too, but chose email only.
    lead = tenant.lead.user
    direct_server.people[lead.email] = "u-lead"
    direct_server.people["13900139000"] = "u-lead"
    lead.mobile = "13900139000"
    lead.save()
    Preference.objects.create(user=lead, email=True, direct_message=False)
    direct_identities_look_up(app_id=ConnectedApp.objects.get().pk)
    assert DirectIdentity.objects.get(user=lead).external_id == "u-lead"
    card_create(
        actor=tenant.member,
        board=raci.board,
        data=CardInput(title="Lead's card", assignee=lead, due_date=date(2026, 11, 24)),
    )
    remind(django_capture_on_commit_callbacks)

    assert [message.to for message in direct_server.messages] == [MEMBER_ID]
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [tenant.member.user.email, lead.email]
    )


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_the_token_is_kept_and_renewed_once_when_it_expired(
    tenant: Tenant,
    raci: RaciSetup,
    due_card: Card,
    direct_server,
    django_capture_on_commit_callbacks,
) -> None:
    known_member(tenant, direct_server, email=False)
    assert direct_server.tokens_issued == 1  # the look-up's
    remind(django_capture_on_commit_callbacks)
    assert (direct_server.tokens_issued, len(direct_server.messages)) == (1, 1)

    # The next day: the service says the token expired; a new one, once, and the message goes.
    direct_server.expire_next = 1
    remind(django_capture_on_commit_callbacks, at(25, 9))
    assert (direct_server.tokens_issued, len(direct_server.messages)) == (2, 2)
    [row] = Notification.objects.filter(channel=Channel.DIRECT, period="2026-11-25")
    assert (row.status, row.attempts, row.error) == (Status.SENT, 1, "")


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_a_rate_limit_is_tried_again_and_a_permanent_error_stops(
    tenant: Tenant, due_card: Card, direct_server, django_capture_on_commit_callbacks
) -> None:
    known_member(tenant, direct_server, email=False)
    with django_capture_on_commit_callbacks(execute=False):
        send_deadline_reminders(now=at(24, 9))
    [row] = Notification.objects.filter(channel=Channel.DIRECT)
    direct_server.rate_limit_next = 1
    with pytest.raises(TransientDeliveryError):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    limited = {"feishu": "99991400", "dingtalk": "90018", "wecom": "45009"}
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.error.startswith(f"DirectUnavailable: {limited[direct_server.service]}: ")
    assert notification_deliver(notification_id=row.pk) == Status.SENT  # the retry
    assert notification_deliver(notification_id=row.pk) == Status.SENT  # a late copy of it
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (Status.SENT, 2, "")
    assert len(direct_server.messages) == 1

    direct_server.fail_next = 1
    remind(django_capture_on_commit_callbacks, at(25, 9))
    row = Notification.objects.get(channel=Channel.DIRECT, period="2026-11-25")
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    permanent = {"feishu": "230013", "dingtalk": "33012", "wecom": "81013"}
    assert row.error.startswith(f"DirectRejected: {permanent[direct_server.service]}: ")
    assert direct_server.sends == 3 and len(direct_server.messages) == 1


def test_a_person_the_app_does_not_know_gets_email_and_is_told_on_their_profile(
    tenant: Tenant, due_card: Card, direct_server, client_for, django_capture_on_commit_callbacks
) -> None:
    member = tenant.member.user
    Preference.objects.create(user=member, email=True, direct_message=True)
    app = connect(tenant, "feishu")
    assert direct_identities_look_up(app_id=app.pk) == 0
    assert DirectIdentity.objects.get(user=member).external_id == ""
    remind(django_capture_on_commit_callbacks)
    assert direct_server.messages == []
    assert [email.to for email in mail.outbox] == [[member.email]]

    client = client_for(member)
    profile = client.get("/accounts/profile/").content.decode()
    assert "app does not know you by your email address or mobile number" in profile
    settings_page = client.get("/notifications/settings/").content.decode()
    assert "By direct message" not in settings_page

    # Asked again only when the person's number changes: then the app knows them.
    lookups = direct_server.lookups
    direct_identities_look_up(app_id=app.pk)
    assert direct_server.lookups == lookups
    direct_server.people["+8613800138000"] = MEMBER_ID
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/profile/",
            {
                "full_name": member.full_name,
                "mobile": "+86 138-0013-8000",
                "timezone": "",
                "language": "",
            },
        )
    assert response.status_code == 302
    assert DirectIdentity.objects.get(user=member).external_id == MEMBER_ID
    settings_page = client.get("/notifications/settings/").content.decode()
    assert "By direct message in Feishu / Lark" in settings_page


def test_a_mobile_number_is_checked(tenant: Tenant, client_for) -> None:
    client = client_for(tenant.member.user)
    response = client.post(
        "/accounts/profile/", {"full_name": "", "mobile": "call me", "timezone": "", "language": ""}
    )
    assert response.status_code == 200
    assert "Enter a mobile number of 7 to 15 digits" in response.content.decode()
    tenant.member.user.refresh_from_db()
    assert tenant.member.user.mobile == ""


def test_the_token_is_kept_in_the_cache_until_shortly_before_it_expires(
    tenant: Tenant, direct_server
) -> None:
    app = connect(tenant, "feishu")
    direct_identities_look_up(app_id=app.pk)
    key = direct._token_key(app)
    assert cache.get(key) == "feishu-token-1"
    # A new secret is another key: the old token is never sent with it.
    app.app_secret = "another-secret"
    assert direct._token_key(app) != key
