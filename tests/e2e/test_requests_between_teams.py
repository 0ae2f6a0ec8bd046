"""Done when (issue 18), in a real browser on a fresh demo, in English and in Chinese: a
Product member sends User Operations a data request from the form; the lead sees it on
the board, its clock running beside the card; the lead's reply stops the first-response
clock; a complaint nobody answers escalates once to its Accountable and the team's chat
group; the dashboard shows the share answered on time; and the working calendar has
2026-10-01 as a holiday and Saturday 2026-10-10 as a make-up working day."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from intake.models import ClockKind, Request, ResponseClock, StopReason
from opsboard.accounts.models import User
from opsboard.notify.models import ChatWebhook
from tests.chat_server import ChatServer
from tests.e2e.test_first_day_on_the_demo import DEMO_PASSWORD, browser_context  # noqa: F401
from tests.e2e.test_sign_in_and_language import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# A Wednesday morning in Shanghai: the demo is built around it, and the clock runs on.
SEEDED = dt.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI)
WORDS = {
    "en": {
        "new": "New request",
        "title": "What do you need?",
        "send": "Send the request",
        "running": "Running",
        "met": "Stopped on time",
        "comment": "Comment",
        "requests": "Requests between teams",
    },
    "zh-hans": {
        "new": "提需求",
        "title": "你需要什么？",
        "send": "提交需求",
        "running": "计时中",
        "met": "按时完成",
        "comment": "评论",
        "requests": "跨团队需求",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_request_from_another_team_is_answered_on_time_and_a_missed_one_escalates(
    browser_context,  # noqa: F811
    live_server,
    chat_server: ChatServer,
    language: str,
) -> None:
    words = WORDS[language]
    with time_machine.travel(SEEDED, tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        User.objects.filter(email__endswith="@demo.opsboard.test").update(language=language)
        ChatWebhook.objects.filter(team__name__startswith="User").update(
            url=chat_server.url("/open-apis/bot/v2/hook/user-ops")
        )
        member = User.objects.get(email="member@demo.opsboard.test")  # 张伟, Product
        lead = User.objects.get(email="lead@demo.opsboard.test")  # User Operations' lead
        manager = User.objects.get(email="manager@demo.opsboard.test")

        # The Product member sends a data pull from the form.
        page = browser_context().new_page()
        sign_in(page, member.email, DEMO_PASSWORD)
        page.goto("/o/demo-ops/requests/new/")
        expect(page.get_by_role("heading", level=1)).to_have_text(words["new"])
        page.get_by_role("link", name="Data pull").click()
        page.get_by_label(words["title"]).fill("Refund requests by week, Q3")
        page.get_by_label("What data").fill("Refund requests, by week and by reason")
        page.get_by_label("Period").fill("2026-07-01")
        page.get_by_label("Format").select_option("Excel")
        page.get_by_label("Purpose").fill("To size the refund-policy change.")
        page.get_by_role("button", name=words["send"]).click()
        page.wait_for_url(re.compile(r"/requests/\d+/$"))
        sent = Request.objects.get(card__title="Refund requests by week, Q3")
        assert sent.requester == member
        first = ResponseClock.objects.get(request=sent, kind=ClockKind.FIRST_RESPONSE)
        assert first.running_since is not None

        # The lead finds it on the board, opens it beside the board: its clock runs.
        lead_page = browser_context().new_page()
        sign_in(lead_page, lead.email, DEMO_PASSWORD)
        lead_page.goto(f"/o/demo-ops/boards/{sent.card.board_id}/")
        lead_page.get_by_role("link", name="Refund requests by week, Q3").first.click()
        panel = lead_page.locator("#card-panel-body")
        clocks = panel.locator("table.request-clocks")
        expect(clocks.locator("tr.clock-running").first).to_contain_text(words["running"])

        # The lead's reply stops the first-response clock, on time.
        panel.get_by_label(words["comment"]).fill("We have it: the extract by Friday.")
        panel.get_by_role("button", name=words["comment"]).click()
        expect(panel.locator("tr.clock-met").first).to_contain_text(words["met"])
        first.refresh_from_db()
        assert (first.stopped_by, first.on_time) == (StopReason.REPLY, True)

        # A complaint sent now and left unanswered: at 75% of its two working hours the
        # lead (Responsible) is warned; when missed, the manager (Accountable) and the
        # team's chat group are told, once, however often the scan runs.
        page.goto("/o/demo-ops/requests/new/")
        page.get_by_role("link", name="Complaint escalation").click()
        page.get_by_label(words["title"]).fill("Order 88231: charged twice")
        page.get_by_label("Customer or order").fill("Order 88231")
        page.get_by_label("What happened").fill("The customer was charged twice for one order.")
        page.get_by_label("Severity").select_option(index=1)
        page.get_by_role("button", name=words["send"]).click()
        page.wait_for_url(re.compile(r"/requests/\d+/$"))
        complaint = Request.objects.get(card__title="Order 88231: charged twice")
        clock = ResponseClock.objects.get(request=complaint, kind=ClockKind.FIRST_RESPONSE)
        mail.outbox.clear()
        chat_server.received.clear()

    def scan_twice(at: dt.datetime) -> list[str]:
        """Who is told what the scan finds at ``at``, run twice as a retried job would."""
        mail.outbox.clear()
        with time_machine.travel(at, tick=False):
            for _scan in range(2):
                call_command("scan_response_clocks", "--now", at.isoformat(), stdout=io.StringIO())
        told = [message for message in mail.outbox if "Order 88231" in message.subject]
        return sorted(address for message in told for address in message.to)

    assert scan_twice(clock.warn_at + dt.timedelta(minutes=1)) == [lead.email]
    assert scan_twice(clock.due_at + dt.timedelta(minutes=5)) == [manager.email]
    posts = [post for post in chat_server.received if "88231" in str(post.body)]
    assert len(posts) == 1

    # The dashboard shows the share answered on time; the calendar knows the holidays.
    with time_machine.travel(clock.due_at + dt.timedelta(minutes=10), tick=True):
        manager_page = browser_context().new_page()
        sign_in(manager_page, manager.email, DEMO_PASSWORD)
        manager_page.goto("/o/demo-ops/kpis/")
        requests_part = manager_page.locator("section", has_text=words["requests"]).last
        expect(requests_part).to_contain_text("User Operations")
        expect(requests_part.locator("tbody")).to_contain_text(re.compile(r"\d+%"))
        calendar = manager_page.request.get(
            "/api/v1/organizations/demo-ops/calendar/?start=2026-10-01&end=2026-10-10"
        ).json()
    days = {day["date"]: day for day in calendar["days"]}
    assert days["2026-10-01"]["working"] is False and days["2026-10-01"]["kind"] == "holiday"
    assert days["2026-10-10"]["working"] is True and days["2026-10-10"]["kind"] == "make_up"
