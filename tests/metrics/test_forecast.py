"""The forecast of a project's remaining work: the closed-form case, reproducibility, too
little history, the working calendar, the at-risk rule, the page, the API and the CSV."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kanban.models import Card
from metrics.forecast import (
    MIN_DONE,
    PERCENTS,
    History,
    forecasts_for,
    project_forecast,
    simulate_days,
)
from metrics.retrospectives.report import Subject, report_for
from opsboard.tenancy.services import company_day_add
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup, board_setup
from tests.reading import read_as_translated, visible_text

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Monday; the history runs from the project's start, Monday 12 October (after the
# National Day holidays), to Friday 27 November: seven weeks, 35 working days.
NOW = datetime(2026, 11, 30, 10, tzinfo=ZONE)
TODAY = NOW.date()
START = date(2026, 10, 12)


@pytest.fixture(autouse=True)
def _at_now() -> Iterator[None]:
    cache.clear()  # forecasts are kept under their inputs' digest
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def kanban(tenant: Tenant) -> BoardSetup:
    setup = board_setup(tenant, name="Churn")
    setup.project.start_date = START
    setup.project.due_date = date(2026, 12, 31)
    setup.project.save()
    return setup


def working_days(first: date, last: date) -> list[date]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5]


def finish(kanban: BoardSetup, per_day: dict[date, int]) -> None:
    """Cards done on each day, at 3 p.m. in the organisation's time zone."""
    Card.objects.bulk_create(
        Card(
            board=kanban.board,
            column=kanban.done,
            title=f"done {day} {n}",
            done_at=datetime.combine(day, datetime.min.time(), tzinfo=ZONE) + timedelta(hours=15),
        )
        for day, cards in per_day.items()
        for n in range(cards)
    )


def leave(kanban: BoardSetup, remaining: int) -> None:
    Card.objects.bulk_create(
        Card(board=kanban.board, column=kanban.todo, title=f"to do {n}") for n in range(remaining)
    )


def steady(kanban: BoardSetup, per_day: int, remaining: int) -> None:
    finish(kanban, dict.fromkeys(working_days(START, date(2026, 11, 27)), per_day))
    leave(kanban, remaining)


def test_constant_throughput_gives_the_known_working_day(kanban: BoardSetup) -> None:
    # Two cards a working day, 20 left: ten working days after Monday 30 November.
    steady(kanban, 2, 20)
    forecast = project_forecast(kanban.project)
    assert len(forecast.history.days) == 35
    assert set(forecast.history.done) == {2}
    assert forecast.working_days == dict.fromkeys(PERCENTS, 10)
    assert forecast.dates == dict.fromkeys(PERCENTS, date(2026, 12, 14))
    assert not forecast.at_risk
    # By Friday 4 December (four working days after today), exactly 8 cards in every run.
    assert forecast.cards_by(date(2026, 12, 4)) == dict.fromkeys(PERCENTS, 8)


def test_a_company_day_off_moves_the_dates_and_gives_no_throughput(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    steady(kanban, 2, 20)
    company_day_add(actor=tenant.manager, day=date(2026, 12, 2), working=False, reason="Offsite")
    company_day_add(actor=tenant.manager, day=date(2026, 11, 11), working=False, reason="Retreat")
    # A card done on a Saturday counts on the Friday before it.
    finish(kanban, {date(2026, 11, 21): 1})
    tenant.organization.refresh_from_db()
    kanban.project.organization = tenant.organization
    forecast = project_forecast(kanban.project)
    assert date(2026, 11, 11) not in forecast.history.days
    assert len(forecast.history.days) == 34
    done = dict(zip(forecast.history.days, forecast.history.done, strict=True))
    assert done[date(2026, 11, 20)] == 3
    # Ten working days, the Wednesday off skipped: Tuesday 15 December at the latest.
    assert forecast.dates[95] == date(2026, 12, 15)


def test_the_same_data_gives_the_same_answer_and_other_seeds_vary(kanban: BoardSetup) -> None:
    days = working_days(START, date(2026, 11, 27))
    finish(kanban, {day: (0, 1, 3, 0, 5, 2, 1)[n % 7] for n, day in enumerate(days)})
    leave(kanban, 60)
    first = project_forecast(kanban.project)
    cache.clear()
    again = project_forecast(kanban.project)
    assert first.working_days == again.working_days
    assert first.cards_by(date(2026, 12, 31)) == again.cards_by(date(2026, 12, 31))
    assert first.working_days[50] <= first.working_days[85] <= first.working_days[95]
    assert first.working_days[50] < first.working_days[95]
    spread = {
        tuple(simulate_days(first.history.done, 60, seed=str(seed), runs=200)[100:101])
        for seed in range(20)
    }
    assert len(spread) > 1


def test_the_seed_is_a_digest_of_the_inputs() -> None:
    history = History(project_id=1, today=TODAY, days=(TODAY,), done=(2,), remaining=4)
    same = History(project_id=1, today=TODAY, days=(TODAY,), done=(2,), remaining=4)
    other = History(project_id=1, today=TODAY, days=(TODAY,), done=(2,), remaining=5)
    assert history.digest == same.digest != other.digest


def test_too_little_history_says_so_and_gives_no_dates(kanban: BoardSetup) -> None:
    finish(kanban, {date(2026, 11, 20): MIN_DONE - 1})
    leave(kanban, 10)
    forecast = project_forecast(kanban.project)
    assert not forecast.enough and not forecast.at_risk
    assert forecast.working_days == {}
    assert forecast.summary.startswith("Too little history to forecast: 4 cards done in the last 8")


def test_a_young_project_has_too_few_working_days(kanban: BoardSetup) -> None:
    kanban.project.start_date = date(2026, 11, 23)
    kanban.project.save()
    finish(kanban, dict.fromkeys(working_days(date(2026, 11, 23), date(2026, 11, 27)), 3))
    leave(kanban, 10)
    forecast = project_forecast(kanban.project)
    assert len(forecast.history.days) == 5 and forecast.history.done_total == 15
    assert not forecast.enough


def test_a_project_is_at_risk_when_its_85_percent_date_is_after_its_due_date(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    steady(kanban, 2, 20)
    kanban.project.due_date = date(2026, 12, 11)  # the work ends on the 14th
    kanban.project.save()
    forecast = project_forecast(kanban.project)
    assert forecast.at_risk
    assert forecast.summary == (
        "At risk: with 85% chance the remaining cards are done by Dec 14,"
        " after the due date Dec 11."
    )
    kanban.project.due_date = date(2026, 12, 14)
    kanban.project.save()
    assert not project_forecast(kanban.project).at_risk


def test_nothing_left_is_no_risk(kanban: BoardSetup) -> None:
    steady(kanban, 2, 0)
    forecast = project_forecast(kanban.project)
    assert not forecast.at_risk and forecast.summary == "Every card of this project is done."


@pytest.mark.parametrize("projects", [1, 6])
def test_many_projects_take_two_queries(
    tenant: Tenant, django_assert_num_queries, projects: int
) -> None:
    made = [board_setup(tenant, name=f"P{n}") for n in range(projects)]
    for setup in made:
        setup.project.start_date = START
        setup.project.save()
        steady(setup, 1, 5)
    company_day_add(actor=tenant.manager, day=date(2026, 12, 2), working=False, reason="Offsite")
    tenant.organization.refresh_from_db()
    forecasts_for([s.project for s in made], organization=tenant.organization)  # calendar kept
    with django_assert_num_queries(2):
        forecasts = forecasts_for([s.project for s in made], organization=tenant.organization)
    assert all(f.working_days == dict.fromkeys(PERCENTS, 5) for f in forecasts.values())


def test_the_project_page_shows_the_forecast_against_the_due_date(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    steady(kanban, 2, 20)
    kanban.project.due_date = date(2026, 12, 11)
    kanban.project.save()
    client.force_login(tenant.member.user)
    url = reverse("projects:project_detail", args=[tenant.organization.slug, kanban.project.pk])
    english = client.get(url).text
    assert '<h2 id="forecast-heading">Forecast</h2>' in english
    assert "At risk: with 85% chance the remaining cards are done by Dec 14" in english
    assert "after the due date Dec 11." in english
    assert '<th scope="row">85%</th>' in english
    assert "replayed 10,000 times over the working calendar" in english
    chinese = client.get(url, headers={"accept-language": "zh-hans"}).text
    assert "完成预测" in chinese and "12月14日" in chinese and "At risk" not in chinese
    assert read_as_translated(visible_text(chinese)) == []


@pytest.mark.parametrize("cards", [5, 60])
def test_the_project_page_and_the_dashboard_take_the_same_queries_for_5_and_60_cards(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries, cards: int
) -> None:
    steady(kanban, 1, cards)
    client.force_login(tenant.member.user)
    page = reverse("projects:project_detail", args=[tenant.organization.slug, kanban.project.pk])
    dashboard = reverse("projects:dashboard", args=[tenant.organization.slug])
    client.get(page)
    with django_assert_num_queries(PAGE_QUERIES) as taken:
        assert client.get(page).status_code == 200
    # The forecast's own: the history and the remaining cards.
    assert sum('"done_at"' in query["sql"] for query in taken.captured_queries) == 2
    with django_assert_num_queries(DASHBOARD_QUERIES):
        text = client.get(dashboard).text
    assert "85% likely done by" in text


PAGE_QUERIES = 9
DASHBOARD_QUERIES = 10


def test_the_api_and_the_csv_give_the_numbers_and_404_for_another_organisation(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries
) -> None:
    steady(kanban, 2, 20)
    client.force_login(tenant.member.user)
    url = reverse(
        "metrics_api:project_forecast", args=[tenant.organization.slug, kanban.project.pk]
    )
    client.get(url)
    # The person with their membership, the project, its teams, the history, the remaining cards.
    with django_assert_num_queries(API_QUERIES):
        answer = client.get(url + "?by=2026-12-04").json()
    assert answer["enough_history"] and not answer["at_risk"]
    assert answer["remaining"] == 20 and answer["by"] == "2026-12-04"
    assert len(answer["throughput"]) == 35
    assert answer["throughput"][0] == {"day": "2026-10-12", "cards": 2}
    assert answer["likely"] == [
        {"percent": p, "working_days": 10, "date": "2026-12-14", "cards": 8} for p in PERCENTS
    ]
    bad = client.get(url + "?by=someday")
    assert bad.status_code == 400 and "by" in bad.json()
    csv = client.get(
        reverse("metrics:project_forecast_csv", args=[tenant.organization.slug, kanban.project.pk])
    )
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "2026-10-12,2\r\n" in text and "85%,10,2026-12-14,46\r\n" in text
    client.force_login(other_tenant.member.user)
    other = reverse(
        "metrics_api:project_forecast", args=[other_tenant.organization.slug, kanban.project.pk]
    )
    assert client.get(other).status_code == 404
    other_csv = reverse(
        "metrics:project_forecast_csv", args=[other_tenant.organization.slug, kanban.project.pk]
    )
    assert client.get(other_csv).status_code == 404
    assert "/forecast/" in client.get("/api/schema/").text


API_QUERIES = 5


def test_the_retrospective_keeps_where_the_remaining_work_stood_at_the_months_end(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    finish(kanban, dict.fromkeys(working_days(START, date(2026, 11, 30)), 2))
    leave(kanban, 20)
    kanban.project.due_date = date(2026, 12, 11)
    kanban.project.save()
    # Built on 2 December: the forecast runs from the month's end, Tuesday 1 December.
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=ZONE), tick=False):
        report = report_for(Subject.of(kanban.project), date(2026, 11, 1))
        # From Tuesday 1 December, ten working days at two cards a day.
        item = next(problem for problem in report.problems if problem["kind"] == "forecast")
        assert item == {
            "kind": "forecast",
            "at_risk": True,
            "remaining": 20,
            "due": "2026-12-11",
            "p50": "2026-12-15",
            "p85": "2026-12-15",
            "p95": "2026-12-15",
        }
        context = {"item": item, "current_organization": tenant.organization}
        english = render_to_string("metrics/retrospective_item.html", context)
        assert (
            "The remaining work is at risk: 85% likely done by Dec 15, after the due date Dec 11"
            in english
        )
        with translation.override("zh-hans"):
            chinese = render_to_string("metrics/retrospective_item.html", context)
        assert "剩余工作有风险：有 85% 的把握在12月15日前完成，晚于截止日期12月11日" in chinese
        assert "月末剩余 20 张卡片" in chinese
        kanban.project.due_date = date(2026, 12, 31)
        kanban.project.save()
        report = report_for(Subject.of(kanban.project), date(2026, 11, 1))
        assert [h["at_risk"] for h in report.highlights if h["kind"] == "forecast"] == [False]
