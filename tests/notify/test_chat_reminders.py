"""Chat groups hear of their team's deadlines once a day, at their hour, in the organisation's language."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest

from kanban.models import Card
from kanban.services import CardInput, card_create
from opsboard.dates import day
from opsboard.notify.chat import Provider
from opsboard.notify.models import Channel, ChatWebhook, Notification, Status
from raci.reminders import plan_reminders, send_deadline_reminders
from raci.services import raci_set
from tests.chat_server import ChatServer
from tests.conftest import RaciSetup, Tenant

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def cards(tenant: Tenant, raci: RaciSetup) -> dict[str, Card]:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()

    def card(title: str, due: date, team=None) -> Card:
        return card_create(
            actor=tenant.lead,
            board=raci.board,
            data=CardInput(title=title, assignee=tenant.member.user, due_date=due, team=team),
        )

    made = {
        "product in three days": card("product in three days", date(2026, 11, 27), raci.product),
        "product in two days": card("product in two days", date(2026, 11, 26), raci.product),
        "engineering today": card("engineering today", date(2026, 11, 24), raci.engineering),
        "no team, R engineering": card("no team, R engineering", date(2026, 11, 27)),
        "product overdue": card("product overdue", date(2026, 11, 23), raci.product),
    }
    raci_set(
        actor=tenant.lead,
        card=made["no team, R engineering"],
        role="R",
        team=raci.engineering,
    )
    return made


def group(tenant: Tenant, server: ChatServer, team=None, **fields) -> ChatWebhook:
    return ChatWebhook.objects.create(
        organization_id=tenant.organization.pk,
        team_id=team.pk if team else None,
        name=f"{team.name if team else 'Everyone'} group",
        provider=fields.pop("provider", Provider.SLACK),
        url=server.url(f"/services/T0/B0/{team.pk if team else 'all'}-hook"),
        **fields,
    )


def posted(server: ChatServer, team) -> str:
    [text] = [r.body["text"] for r in server.received if r.path.endswith(f"/{team}-hook")]
    return text


def test_each_team_group_gets_its_cards_once_at_its_hour(
    tenant: Tenant, raci: RaciSetup, cards, chat_server, django_capture_on_commit_callbacks
) -> None:
    group(tenant, chat_server, raci.product)
    group(tenant, chat_server, raci.engineering, hour=10)
    group(tenant, chat_server)
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=at(24, 9))
    assert {r.path for r in chat_server.received} == {
        "/services/T0/B0/all-hook",
        f"/services/T0/B0/{raci.product.pk}-hook",
    }
    product = posted(chat_server, raci.product.pk)
    # The lead day and the overdue card, not the card two days out; nobody else's.
    # Its own title: the product, the team and the day, not an email subject.
    assert product.startswith(
        f"*[Opsboard] Product · Deadline reminder for {day(date(2026, 11, 24))}*\n*Due soon*\n- <http://"
    )
    assert "product in three days" in product and "due in 3 days" in product
    assert "*Overdue*" in product and "product overdue" in product and "1 day overdue" in product
    assert "product in two days" not in product and "engineering" not in product
    everyone = posted(chat_server, "all")
    for title in ("product in three days", "engineering today", "no team, R engineering"):
        assert title in everyone

    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=at(24, 10))  # engineering's hour
        send_deadline_reminders(now=at(24, 11))  # nothing new for anyone
    engineering = posted(chat_server, raci.engineering.pk)
    assert "engineering today" in engineering and "due today" in engineering
    assert "no team, R engineering" in engineering  # Responsible as a team
    assert "product" not in engineering
    assert len(chat_server.received) == 3
    assert set(
        Notification.objects.filter(channel=Channel.CHAT).values_list("status", flat=True)
    ) == {Status.SENT}


def test_the_post_speaks_the_organisations_language(
    tenant: Tenant, raci: RaciSetup, cards, chat_server, django_capture_on_commit_callbacks
) -> None:
    tenant.organization.language = "zh-hans"
    tenant.organization.save()
    group(tenant, chat_server, raci.product, provider=Provider.SLACK)
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=at(24))
    text = posted(chat_server, raci.product.pk)
    assert "逾期" in text and "3 天后到期" in text


def test_no_post_when_the_group_has_nothing_or_is_off(
    tenant: Tenant, raci: RaciSetup, chat_server, django_capture_on_commit_callbacks
) -> None:
    card_create(
        actor=tenant.lead,
        board=raci.board,
        data=CardInput(title="far away", due_date=date(2026, 12, 20), team=raci.product),
    )
    group(tenant, chat_server, raci.product)
    group(tenant, chat_server, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=at(24))
    assert chat_server.received == []


def test_a_group_in_the_plan_and_the_dry_run(
    tenant: Tenant, raci: RaciSetup, cards, chat_server
) -> None:
    webhook = group(tenant, chat_server, raci.product)
    [post] = [r for r in plan_reminders(now=at(24)) if r.webhook is not None]
    assert post.webhook == webhook and post.recipient is None
    assert [c.title for c, _days in post.cards] == ["product in three days"]
    assert not Notification.objects.exists()


def test_planning_with_chat_groups_takes_one_more_query(
    tenant: Tenant, raci: RaciSetup, cards, chat_server, django_assert_num_queries
) -> None:
    group(tenant, chat_server, raci.product)
    group(tenant, chat_server)
    # The 13 of planning without chat groups (test_overdue_escalations), plus the R teams.
    with django_assert_num_queries(14):
        plan_reminders(now=at(24))


def test_a_second_run_plans_nothing_for_those_already_sent(
    tenant: Tenant, raci: RaciSetup, cards, chat_server, django_capture_on_commit_callbacks
) -> None:
    group(tenant, chat_server, raci.product)
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_deadline_reminders(now=at(24, 9))
    # The member (due soon), the project's owner (overdue) and the group.
    assert len(sent) == 3
    assert plan_reminders(now=at(24, 12)) == []
    # A new day: the member's cards are due in 1 and 2 days.
    assert tenant.member.user in {r.recipient for r in plan_reminders(now=at(25, 9))}


def test_a_group_post_lists_the_first_fifteen_of_a_kind_then_how_many_more(
    tenant: Tenant, raci: RaciSetup, chat_server, django_capture_on_commit_callbacks
) -> None:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    for n in range(20):
        card_create(
            actor=tenant.lead,
            board=raci.board,
            data=CardInput(
                title=f"audit {n:02d}",
                assignee=tenant.member.user,
                due_date=date(2026, 11, 27),
                team=raci.product,
            ),
        )
    group(tenant, chat_server, raci.product)
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=at(24))
    text = posted(chat_server, raci.product.pk)
    assert text.startswith(
        f"*[Opsboard] Product · Deadline reminder for {day(date(2026, 11, 24))}*"
    )
    assert text.count("audit ") == 15 and text.rstrip().endswith("- …and 5 more")
    email = Notification.objects.get(recipient=tenant.member.user)
    assert email.body.count("audit ") == 20
