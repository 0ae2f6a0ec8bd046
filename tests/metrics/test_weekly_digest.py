"""The weekly KPI digest: Monday morning, once per person and week, with the week's story."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kanban.models import Card
from metrics.digest import plan_digests, send_weekly_digests, week_of
from metrics.models import Kpi, Measurement, Source
from opsboard.accounts.models import User
from opsboard.dates import day_range, day_weekday
from opsboard.notify.models import Notification, Preference
from opsboard.notify.subscriptions import unsubscribe_url, user_for_token
from projects.models import Direction
from tests.conftest import Tenant
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MembershipFactory,
    ProjectFactory,
    TeamFactory,
)
from tests.metrics.test_computed_kpis import SHANGHAI

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)  # reports the week of 16 November


def kpi(tenant: Tenant, name: str, team, **fields) -> Kpi:
    values = {
        "organization": tenant.organization,
        "name": name,
        "team": team,
        "source": Source.MANUAL,
        "direction": Direction.DECREASE,
        "target": 17,
        "amber_threshold": 18,
        "red_threshold": 19.5,
    }
    return Kpi.objects.create(**values | fields)


@pytest.fixture
def week(tenant: Tenant) -> dict[str, object]:
    """The week of 16 November 2026 in Shanghai, its cards made the Monday before it began
    (a card made later would not have been open, or overdue, in that week)."""
    with time_machine.travel(datetime(2026, 11, 9, 9, tzinfo=SHANGHAI), tick=False):
        return _week(tenant)


def _week(tenant: Tenant) -> dict[str, object]:
    organization = tenant.organization
    organization.timezone = "Asia/Shanghai"
    organization.save()
    finance = TeamFactory(organization=organization, name="Finance")
    churn = kpi(tenant, "Customer churn", tenant.team)
    Measurement.objects.create(kpi=churn, period_start=date(2026, 11, 9), value=Decimal("19.0"))
    Measurement.objects.create(kpi=churn, period_start=date(2026, 11, 16), value=Decimal("18.5"))
    cost = kpi(tenant, "Supplier cost", finance, target=100, amber_threshold=100, red_threshold=110)
    Measurement.objects.create(kpi=cost, period_start=date(2026, 11, 16), value=Decimal("120"))
    kpi(
        tenant,
        "Cards finished",
        tenant.team,
        source=Source.THROUGHPUT,
        direction=Direction.INCREASE,
        decimals=0,
        unit="count",
        target=3,
        amber_threshold=3,
        red_threshold=1,
    )
    board = ProjectFactory(organization=organization, teams=[tenant.team]).boards.get()
    done, todo = board.columns.get(kind="done"), board.columns.get(kind="todo")

    def card(title: str, **fields) -> Card:
        return Card.objects.create(
            board=board,
            column=done if fields.get("done_at") else todo,
            title=title,
            team=tenant.team,
            **fields,
        )

    card("Ship the <b>report</b>", done_at=datetime(2026, 11, 18, 15, tzinfo=SHANGHAI))
    card("Fix the export", done_at=datetime(2026, 11, 12, 15, tzinfo=SHANGHAI))  # a week before
    card("Vendor contract", due_date=date(2026, 11, 20))
    card("Customs papers", blocked=True, blocked_reason="Waiting for legal")
    goal = GoalFactory(organization=organization, team=tenant.team, title="Churn below 17%")
    CheckInFactory(goal=goal, value=Decimal("20.5"), checked_on=date(2026, 11, 20))
    return {"churn": churn, "cost": cost, "goal": goal}


def digests_sent() -> dict[str, mail.EmailMessage]:
    return {message.to[0]: message for message in mail.outbox}


def test_monday_morning_each_lead_and_manager_gets_the_weeks_story_once(
    tenant: Tenant, week, django_capture_on_commit_callbacks
) -> None:
    assert send_weekly_digests(now=MONDAY.replace(hour=7)) == []  # before 8 in Shanghai
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_weekly_digests(now=MONDAY)
    people = {digest.membership.user for digest in sent}
    assert people == {tenant.owner.user, tenant.manager.user, tenant.lead.user}
    lead = digests_sent()[tenant.lead.user.email]
    # Sent on the Monday, it tells the week just ended and names it: "Nov 16 – Nov 22"
    # (with the year when the suite runs in another year).
    week = day_range(date(2026, 11, 16), date(2026, 11, 22))
    assert lead.subject == (
        f"[Opsboard] Weekly KPI digest · Acme · Last week ({week})"
        ": every KPI in the green or amber, 1 card overdue"
    )
    assert f"Here is last week at Acme ({week})." in lead.body
    assert (
        "- Customer churn · Product: 18.5% (target 17.0%, amber), vs the week before −0.5 percentage points"
        in lead.body
    )
    assert "- Cards finished · Product: 1 (target 3, amber), vs the week before ±0" in lead.body
    assert "Supplier cost" not in lead.body  # Finance is not the lead's
    assert "- Churn below 17%: At risk, 0% done, 18% expected by now" in lead.body
    assert "Overdue: 1 card\n- Vendor contract (" in lead.body
    assert f"due {day_weekday(date(2026, 11, 20))}" in lead.body
    assert "Blocked: 1 card\n- Customs papers" in lead.body and "Waiting for legal" in lead.body
    assert "Finished last week: 1 card\n- Ship the <b>report</b>" in lead.body  # text: as typed
    assert "this week" not in lead.body.lower()
    assert "Fix the export" not in lead.body
    html = lead.alternatives[0][0]
    assert "Ship the &lt;b&gt;report&lt;/b&gt;" in html and "<b>report" not in html
    # The link is signed with the second it was made in, so it is checked by whom it names.
    header = re.fullmatch(
        r"<(.+/notifications/digest/([^/]+)/)>", lead.extra_headers["List-Unsubscribe"]
    )
    assert header[1].startswith(settings.SITE_URL)
    assert user_for_token(header[2]) == tenant.lead.user
    assert lead.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    manager = digests_sent()[tenant.manager.user.email]
    assert "Supplier cost · Finance: 120.0% (target 100.0%, red)" in manager.body
    assert manager.subject.endswith("1 KPI in the red, 1 card overdue")

    # The same hour again, later that day, on Tuesday: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        for hour in (9, 15):
            assert send_weekly_digests(now=MONDAY.replace(hour=hour)) == []
        assert send_weekly_digests(now=MONDAY.replace(day=24)) == []
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(kind="weekly_digest", period="2026-W47").count() == 3


def test_the_figures_match_the_kpi_dashboard_of_that_week(tenant: Tenant, week, client_for) -> None:
    [digest] = [d for d in plan_digests(now=MONDAY) if d.membership == tenant.lead]
    client = client_for(tenant.lead.user)
    with time_machine.travel(datetime(2026, 11, 22, 20, tzinfo=SHANGHAI), tick=False):
        page = client.get(reverse("metrics:dashboard", args=["acme"])).content.decode()
    for tile in digest.rows:
        assert f"{tile.value:.1f}" in page or f"{tile.value:.0f}" in page


def test_a_missed_monday_is_sent_later_in_the_week_and_the_next_week_is_new(
    tenant: Tenant, week, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert len(send_weekly_digests(now=MONDAY.replace(day=25))) == 3  # Wednesday
        assert len(send_weekly_digests(now=MONDAY.replace(day=30))) == 3  # the Monday after
    assert set(Notification.objects.values_list("period", flat=True)) == {"2026-W47", "2026-W48"}


def test_language_hour_and_subscriptions(
    tenant: Tenant, week, django_capture_on_commit_callbacks
) -> None:
    lead = tenant.lead.user
    lead.language, lead.timezone = "zh-hans", "Europe/Berlin"
    lead.save()
    Preference.objects.create(user=tenant.member.user, weekly_digest=True)  # a member opts in
    Preference.objects.create(user=tenant.owner.user, weekly_digest=False)  # an owner opts out
    Preference.objects.create(user=tenant.manager.user, reminder_hour=10)
    planned = {d.membership.user for d in plan_digests(now=MONDAY)}
    # 09:00 in Shanghai is 02:00 in Berlin: the lead's Monday hour has not come yet.
    assert planned == {tenant.member.user}
    later = datetime(2026, 11, 23, 10, tzinfo=SHANGHAI)
    assert tenant.manager.user in {d.membership.user for d in plan_digests(now=later)}
    berlin_morning = datetime(2026, 11, 23, 16, tzinfo=SHANGHAI)  # 09:00 in Berlin
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_weekly_digests(now=berlin_morning)
    assert tenant.lead.user in {d.membership.user for d in sent}
    [message] = [m for m in mail.outbox if m.to == [lead.email]]
    with translation.override("zh-hans"):
        week = day_range(date(2026, 11, 16), date(2026, 11, 22))  # 11月16日—11月22日
    assert message.subject == (
        f"【Opsboard】KPI 周报｜Acme｜上周（{week}）：所有 KPI 都是绿灯或黄灯，1 张卡片逾期"
    )
    assert (
        "- Customer churn · Product：18.5%（目标值 17.0%，黄灯），较前一周 −0.5 个百分点"
        in message.body
    )
    assert "上周完成：1 张卡片" in message.body and "本周" not in message.body


def test_no_kpi_of_theirs_no_digest(tenant: Tenant) -> None:
    other_team = TeamFactory(organization=tenant.organization, name="Legal")
    kpi(tenant, "Contracts reviewed", other_team)
    assert {d.membership.user for d in plan_digests(now=MONDAY)} == {
        tenant.owner.user,
        tenant.manager.user,
    }


def test_one_click_unsubscribe_and_back(tenant: Tenant, week, client) -> None:
    url = unsubscribe_url(tenant.lead.user).removeprefix("http://127.0.0.1:8000")
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert not Preference.objects.filter(user=tenant.lead.user).exists()  # a GET changes nothing
    # The mail client's one-click POST (RFC 8058), no session, no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert "will get no more weekly digests" in response.content.decode()
    assert Preference.objects.get(user=tenant.lead.user).weekly_digest is False
    assert tenant.lead.user not in {d.membership.user for d in plan_digests(now=MONDAY)}
    client.post(url, {"action": "subscribe"})
    assert Preference.objects.get(user=tenant.lead.user).weekly_digest is True
    assert client.get(url[:-5] + "xxxx/").status_code == 404


def test_the_settings_page_subscribes_and_unsubscribes(tenant: Tenant, client_for) -> None:
    client = client_for(tenant.member.user)
    data = {"email": "on", "reminder_hour": 8, "weekly_digest": "true"}
    assert client.post(reverse("notify:preferences"), data).status_code == 302
    assert Preference.objects.get(user=tenant.member.user).weekly_digest is True
    client.post(reverse("notify:preferences"), data | {"weekly_digest": "unknown"})
    assert Preference.objects.get(user=tenant.member.user).weekly_digest is None


def test_the_preview_page_and_the_api(
    tenant: Tenant, week, client_for, django_assert_num_queries
) -> None:
    client = client_for(tenant.lead.user)
    url = reverse("metrics:digest_preview", args=["acme"])
    with time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=SHANGHAI), tick=False):
        page = client.get(url).content.decode()
        data = client.get(reverse("metrics_api:digest_preview", args=["acme"])).json()
    assert "Customer churn" in page and "srcdoc=" in page and "Supplier cost" not in page
    # The email goes into the attribute escaped, whole: its first quote would end it.
    # (css-inline writes the doctype as <!DOCTYPE html>; HTML reads it in any case.)
    srcdoc = re.search(r'srcdoc="([^"]*)"', page).group(1)
    assert srcdoc.lower().startswith("&lt;!doctype html&gt;")
    assert srcdoc.rstrip().endswith("&lt;/html&gt;")
    assert data["week_start"] == "2026-11-16" and data["subscribed"] is True
    assert [row["name"] for row in data["kpis"]] == ["Cards finished", "Customer churn"]
    assert (
        data["overdue"]["count"] == 0
    )  # not yet overdue on the 20th at noon... it is due that day
    assert data["finished"]["cards"][0]["title"] == "Ship the <b>report</b>"
    legal = TeamFactory(organization=tenant.organization, name="Legal")
    newcomer = MembershipFactory(organization=tenant.organization, role="lead", teams=[legal])
    response = client_for(newcomer.user).get(reverse("metrics_api:digest_preview", args=["acme"]))
    assert response.status_code == 204


def test_the_command_and_its_dry_run(tenant: Tenant, week) -> None:
    out = io.StringIO()
    call_command("send_weekly_digests", now=MONDAY.isoformat(), dry_run=True, stdout=out)
    assert f"{tenant.lead.user.email} (acme, 2026-W47): 2 KPIs, 1 goals at risk" in out.getvalue()
    assert out.getvalue().endswith("3 digests would send.\n")
    assert not Notification.objects.exists() and not mail.outbox


def test_planning_takes_the_same_queries_for_3_and_23_recipients(
    tenant: Tenant, week, django_assert_num_queries
) -> None:
    # Planned on the Monday: the first planning stores the finished weeks' figures of the
    # computed KPI (read from then on, as the nightly job's); the count is of the plans after.
    with time_machine.travel(MONDAY, tick=False):
        plan_digests(now=MONDAY)
        # 13, three for the open projects' forecasts (the projects, their history and remaining
        # cards) and two for the week's requests between teams (their clocks, their ratings).
        with django_assert_num_queries(18) as few:
            assert len(plan_digests(now=MONDAY)) == 3
        for _n in range(20):
            MembershipFactory(organization=tenant.organization, role="lead", teams=[tenant.team])
        with django_assert_num_queries(len(few)):
            assert len(plan_digests(now=MONDAY)) == 23


def test_the_demo_leads_digest_matches_the_dashboard_and_unsubscribes(
    demo: None, client, django_capture_on_commit_callbacks
) -> None:
    """The issue's "done when": --now on a Monday morning, as a new user would try it."""
    monday = week_of(datetime.now(SHANGHAI).date())
    now = datetime.combine(monday, time(9), tzinfo=SHANGHAI)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_weekly_digests", now=now.isoformat(), stdout=out)
    assert "lead@demo.opsboard.test (demo-ops," in out.getvalue()
    [message] = [m for m in mail.outbox if m.to == ["lead@demo.opsboard.test"]]
    lead = User.objects.get(email="lead@demo.opsboard.test")
    client.force_login(lead)
    # The dashboard of the week the digest tells, as it stood at that week's end.
    sunday = monday - timedelta(days=1)
    # Read in the digest's Chinese: the built-in KPIs are named in the reader's language.
    with time_machine.travel(now, tick=False):
        dashboard = client.get(
            reverse("metrics:dashboard", args=["demo-ops"]),
            {"day": sunday.isoformat()},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        ).content.decode()
    rows = re.findall(r"^- (.+?)：(.+?)（目标值", message.body, flags=re.MULTILINE)
    assert len(rows) >= 3
    for name, value in rows:
        number = re.match(r"[−-]?[\d.,]+|—", value)[0]
        tile = rf'<small>{re.escape(name)}</small>\s*<strong class="kpi-value">{re.escape(number)}'
        assert re.search(tile, dashboard), (name, value)
    unsubscribe = re.search(r"(/notifications/digest/[^/\s]+/)", message.body)[1]
    client.logout()
    client.post(unsubscribe)
    assert Preference.objects.get(user=lead).weekly_digest is False


def test_one_button_on_the_preview_subscribes_and_unsubscribes(
    tenant: Tenant, week, client_for
) -> None:
    client = client_for(tenant.member.user)
    preview = reverse("metrics:digest_preview", args=["acme"])
    assert 'value="subscribe"' in client.get(preview).content.decode()
    toggle = reverse("notify:digest_subscription")
    response = client.post(toggle, {"action": "subscribe", "next": preview})
    assert response.url == preview
    assert Preference.objects.get(user=tenant.member.user).weekly_digest is True
    assert tenant.member.user in {d.membership.user for d in plan_digests(now=MONDAY)}
    assert 'value="unsubscribe"' in client.get(preview).content.decode()
    response = client.post(toggle, {"action": "unsubscribe", "next": "https://evil.example/"})
    assert response.url == reverse("notify:preferences")
    assert Preference.objects.get(user=tenant.member.user).weekly_digest is False
    assert client.get(toggle).status_code == 405
