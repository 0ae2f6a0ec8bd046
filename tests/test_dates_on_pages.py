"""Dates and changes on the pages and in the exports, as each language writes them.

A Chinese reader sees 「12月4日」 and 「12月4日（周五）」, never 「十二月 4」 or
「星期五 4 十二月」; an English one "Dec 4" and "Fri, Dec 4", never "Dec. 4" or
"12/04/2026". Exports keep ISO days whatever the language, so spreadsheets read them.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kanban.models import Board
from kanban.services import CardInput, card_create, card_update
from metrics.imports import read_rows
from metrics.models import Frequency, Kpi, Measurement, Source
from metrics.retrospectives.selectors import FigureRow
from opsboard.accounts.models import User
from projects.models import Direction
from tests.conftest import Tenant
from tests.factories import InvitationFactory, ProjectFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 1 December 2026 in Shanghai: the standup looks back to Monday 30 November
# and three days ahead to Friday 4 December.
TUESDAY = datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)
FRIDAY = date(2026, 12, 4)

# What a page must never say: Django's own month and weekday names as the
# reviewer found them, and English's abbreviations with a dot or slashes.
NOT_CHINESE = re.compile(r"[一二三四五六七八九十]+月|星期[一二三四五六日] \d|\d+ 周")
NOT_ENGLISH = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\. |\d\d/\d\d/\d{4}")


@pytest.fixture(autouse=True)
def tuesday_in_shanghai():
    with time_machine.travel(TUESDAY, tick=False):
        yield


def reader(client: Client, user: User, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def text_of(html: str) -> str:
    """The words on the page, without tags, one space between them."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def read(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return text_of(response.content.decode())


@pytest.fixture
def board(tenant: Tenant) -> Board:
    """A card due on Friday, and one blocked nine days ago (a week and two days)."""
    board = ProjectFactory(organization=tenant.organization, teams=[tenant.team]).boards.get()
    card_create(
        actor=tenant.lead,
        board=board,
        data=CardInput(title="Report to leads", assignee=tenant.lead.user, due_date=FRIDAY),
    )
    with time_machine.travel(TUESDAY - timedelta(days=9), tick=False):
        stuck = card_create(
            actor=tenant.lead,
            board=board,
            data=CardInput(title="Instrument events", assignee=tenant.member.user),
        )
        card_update(
            actor=tenant.member,
            card=stuck,
            data=CardInput(
                title=stuck.title,
                assignee=tenant.member.user,
                blocked=True,
                blocked_reason="SDK review",
            ),
        )
    return board


@pytest.mark.parametrize(
    ("language", "tile", "absent"),
    [("zh-hans", "12月4日", "十二月"), ("en", "Dec 4", "Dec. 4")],
)
def test_a_card_tile_shows_its_due_day_short(
    tenant: Tenant, board: Board, client, language: str, tile: str, absent: str
) -> None:
    page = read(
        reader(client, tenant.viewer.user, language),
        reverse("kanban:board_detail", args=["acme", board.pk]),
    )
    assert tile in page
    assert absent not in page
    assert not NOT_CHINESE.search(page) and not NOT_ENGLISH.search(page)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-hans",
            [
                "2026年12月1日 星期二 · 11月30日（周一）以来完成 · 12月4日（周五）前到期",
                "SDK review · 已受阻 9 天",
                "Report to leads 12月4日（周五）",
            ],
        ),
        (
            "en",
            [
                "Tuesday, December 1, 2026 · done since Mon, Nov 30 · due by Fri, Dec 4",
                "SDK review · for 9 days",
                "Report to leads Fri, Dec 4",
            ],
        ),
    ],
)
def test_the_standup_names_its_days_with_their_weekdays(
    tenant: Tenant, board: Board, client, language: str, expected: list[str]
) -> None:
    page = read(
        reader(client, tenant.viewer.user, language),
        reverse("kanban:board_standup", args=["acme", board.pk]),
    )
    for words in expected:
        assert words in page
    assert "星期五 4 十二月" not in page and "Friday 4 December" not in page
    assert not NOT_CHINESE.search(page) and not NOT_ENGLISH.search(page)


@pytest.mark.parametrize(
    ("language", "blocked", "due"),
    [
        ("zh-hans", "已受阻 9 天：SDK review", None),
        ("en", "Blocked for 9 days: SDK review", None),
        ("zh-hans", None, "截止日期 12月4日（周五）"),
        ("en", None, "Due date Fri, Dec 4"),
    ],
)
def test_the_card_page_counts_blocked_time_in_days(
    tenant: Tenant, board: Board, client, language: str, blocked: str | None, due: str | None
) -> None:
    title = "Instrument events" if blocked else "Report to leads"
    card = board.cards.get(title=title)
    page = read(
        reader(client, tenant.viewer.user, language),
        reverse("kanban:card_detail", args=["acme", card.pk]),
    )
    assert (blocked or due) in page
    assert "周，" not in page and "1 week" not in page
    assert not NOT_CHINESE.search(page) and not NOT_ENGLISH.search(page)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["2026年12月", "2026年11月"]),
        ("en", ["Pulse for December 2026", "November 2026"]),
    ],
)
def test_the_pulse_names_its_month(tenant: Tenant, client, language: str, expected) -> None:
    page = read(
        reader(client, tenant.member.user, language), reverse("metrics:pulse", args=["acme"])
    )
    for words in expected:
        assert words in page
    assert "十二月 2026" not in page and "十一月 2026" not in page


@pytest.fixture
def on_time_rate(tenant: Tenant) -> Kpi:
    """A percentage entered weekly: 92.0% last week, 94.0% this week."""
    kpi = Kpi.objects.create(
        organization=tenant.organization, name="On time", source=Source.MANUAL,
        frequency=Frequency.WEEKLY, direction=Direction.INCREASE,
        target=90, amber_threshold=90, red_threshold=75,
    )  # fmt: skip
    for week, value in ((date(2026, 11, 23), "92"), (date(2026, 11, 30), "94")):
        Measurement.objects.create(kpi=kpi, period_start=week, value=Decimal(value))
    return kpi


@pytest.mark.parametrize(
    ("language", "change", "week"),
    [
        ("zh-hans", "较上一周期 +2.0 个百分点", "11月30日—12月6日 94.0%"),
        ("en", "+2.0 percentage points on the period before", "Nov 30 – Dec 6 94.0%"),
    ],
)
def test_a_change_of_a_percentage_is_in_percentage_points(
    tenant: Tenant, on_time_rate: Kpi, client, language: str, change: str, week: str
) -> None:
    viewer = reader(client, tenant.viewer.user, language)
    dashboard = read(viewer, reverse("metrics:dashboard", args=["acme"]))
    assert change in dashboard
    assert "+2.0%" not in dashboard
    kpi_page = read(viewer, reverse("metrics:kpi_detail", args=["acme", on_time_rate.pk]))
    # The history names each week by its days, not by its Monday alone.
    assert week in kpi_page


@pytest.mark.parametrize(
    ("language", "points", "count"),
    [("zh-hans", "−30.0 个百分点", "+2"), ("en", "−30.0 percentage points", "+2")],
)
def test_a_retrospective_figure_changes_in_points_and_a_count_in_cards(
    language: str, points: str, count: str
) -> None:
    with translation.override(language):
        assert FigureRow("on_time_rate", 50.0, 80.0).change_text == points
        assert FigureRow("overdue", 3, 1).change_text == count
        # A change that rounds to nothing is no change.
        assert FigureRow("goal_progress", 40.01, 40.0).change_text.startswith("±0.0")


@pytest.mark.parametrize(
    ("language", "headers"), [("zh-hans", ["周期", "目标值"]), ("en", ["Period", "Target"])]
)
def test_exports_keep_iso_days_under_translated_headers(
    tenant: Tenant, on_time_rate: Kpi, client, language: str, headers: list[str]
) -> None:
    viewer = reader(client, tenant.viewer.user, language)
    response = viewer.get(
        reverse("metrics:kpi_detail", args=["acme", on_time_rate.pk]), {"format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [headers[0], "On time", headers[1]]
    assert [row[:2] for row in rows[-2:]] == [["2026-11-23", "92.0"], ["2026-11-30", "94.0"]]

    response = viewer.get(
        reverse("metrics:dashboard", args=["acme"]), {"chart": "flow", "format": "csv"}
    )
    days = [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert days[-1] == "2026-12-01"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", day) for day in days[1:])


@pytest.mark.parametrize(
    ("language", "expires"),
    [
        ("zh-CN,zh;q=0.9", "将于2026年12月8日 10:00（北京时间）过期"),
        ("en", "expires on Dec 8, 2026, 10:00 (Beijing time)"),
    ],
)
def test_the_invitation_page_names_the_zone_its_link_expires_in(
    tenant: Tenant, client, language: str, expires: str
) -> None:
    InvitationFactory(organization=tenant.organization, token="for-a-newcomer")
    response = client.get("/invitations/for-a-newcomer/", headers={"accept-language": language})
    assert expires in text_of(response.content.decode())


@pytest.mark.parametrize(
    ("language", "heading", "replaced"),
    [
        ("zh-hans", "11月30日—12月6日计入的卡片", "11月23日—11月29日"),
        ("en", "The cards behind Nov 30 – Dec 6", "The value for Nov 23 – Nov 29 was 92.0%"),
    ],
)
def test_a_kpi_names_its_weeks_by_their_days(
    tenant: Tenant, on_time_rate: Kpi, client, language: str, heading: str, replaced: str
) -> None:
    computed = Kpi.objects.create(
        organization=tenant.organization, name="On time, computed", source=Source.ON_TIME_RATE,
        frequency=Frequency.WEEKLY, target=90, amber_threshold=90, red_threshold=75,
    )  # fmt: skip
    member = reader(client, tenant.member.user, language)
    assert heading in read(member, reverse("metrics:kpi_detail", args=["acme", computed.pk]))
    response = member.post(
        reverse("metrics:kpi_record", args=["acme", on_time_rate.pk]),
        {"period": "2026-11-23", "value": "93"},
        follow=True,
    )
    assert replaced in text_of(response.content.decode())


def test_the_admin_export_of_measurements_imports_back(tenant: Tenant, on_time_rate: Kpi) -> None:
    """Its header is the import's (kpi, period, value, note), its days ISO."""
    kpi_admin = admin.site._registry[Kpi]
    with translation.override("zh-hans"):
        response = kpi_admin.export_measurements(None, Kpi.objects.filter(pk=on_time_rate.pk))
    exported = response.content.decode("utf-8-sig")
    assert exported.splitlines()[:2] == ["kpi,period,value,note", "On time,2026-11-23,92.0000,"]
    rows = read_rows(
        organization=tenant.organization, upload=io.BytesIO(exported.encode()), name="m.csv"
    )
    assert [(row.period, row.error) for row in rows] == [
        (date(2026, 11, 23), ""),
        (date(2026, 11, 30), ""),
    ]
