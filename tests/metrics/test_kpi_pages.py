"""RAG colours, recording values by hand, the dashboard, the cards behind a number, the nightly job."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from kanban.models import Card, CardEvent, EventKind
from metrics import selectors
from metrics.computations import compute
from metrics.models import Frequency, Kpi, Measurement, Source
from metrics.services import Rag, rag
from projects.models import Direction
from tests.conftest import Tenant
from tests.factories import ProjectFactory, TeamFactory
from tests.metrics.test_computed_kpis import SHANGHAI, at


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=SHANGHAI), tick=False):
        yield


def manual_kpi(tenant: Tenant, **fields) -> Kpi:
    values = {
        "organization": tenant.organization,
        "name": "Customer churn",
        "source": Source.MANUAL,
        "direction": Direction.DECREASE,
        "target": 17,
        "amber_threshold": 18,
        "red_threshold": 19.5,
    }
    values.update(fields)
    return Kpi.objects.create(**values)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("16", Rag.GREEN),
        ("18", Rag.GREEN),
        ("18.01", Rag.AMBER),
        ("19.5", Rag.AMBER),
        ("19.51", Rag.RED),
    ],
)
def test_rag_for_lower_is_better(tenant: Tenant, value: str, expected: str) -> None:
    assert rag(manual_kpi(tenant), Decimal(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("95", Rag.GREEN),
        ("90", Rag.GREEN),
        ("89.9", Rag.AMBER),
        ("75", Rag.AMBER),
        ("74.9", Rag.RED),
    ],
)
def test_rag_for_higher_is_better(tenant: Tenant, value: str, expected: str) -> None:
    kpi = manual_kpi(
        tenant, direction=Direction.INCREASE, target=90, amber_threshold=90, red_threshold=75
    )
    assert rag(kpi, Decimal(value)) == expected
    assert rag(kpi, None) is None


def test_recording_churn_updates_the_tile_and_trend(tenant: Tenant, client) -> None:
    kpi = manual_kpi(tenant)
    Measurement.objects.create(kpi=kpi, period_start=date(2026, 11, 16), value=Decimal("19.1"))
    client.force_login(tenant.member.user)
    url = reverse("metrics:kpi_record", args=["acme", kpi.pk])
    response = client.post(url, {"period": "2026-11-23", "value": "18.4"})
    assert response.status_code == 302
    tile = client.get(reverse("metrics:dashboard", args=["acme"])).context["tiles"][0]
    assert tile.value == Decimal("18.4")
    assert tile.previous == Decimal("19.1")
    assert tile.change == Decimal("-0.7")
    assert tile.rag == Rag.AMBER
    assert tile.sparkline
    # The same period again: the value is replaced, with a message, never a second row.
    response = client.post(url, {"period": "2026-11-23", "value": "18.2"}, follow=True)
    assert "it is now 18.2" in response.text
    assert Measurement.objects.filter(kpi=kpi, period_start=date(2026, 11, 23)).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "2026-11-23", "value": "lots"}, "Enter a number."),
        (
            {"period": "2026-11-25", "value": "18"},
            "A weekly KPI takes the Monday a week starts on.",
        ),
        ({"period": "2026-11-30", "value": "18"}, "The period has not started yet."),
    ],
)
def test_bad_values_are_refused(tenant: Tenant, client, data, message) -> None:
    kpi = manual_kpi(tenant)
    client.force_login(tenant.member.user)
    response = client.post(reverse("metrics:kpi_record", args=["acme", kpi.pk]), data)
    assert response.status_code == 400
    assert message in response.text
    assert not Measurement.objects.exists()


def test_monthly_kpis_take_the_first_of_the_month(tenant: Tenant, client) -> None:
    kpi = manual_kpi(tenant, frequency=Frequency.MONTHLY)
    client.force_login(tenant.member.user)
    response = client.post(
        reverse("metrics:kpi_record", args=["acme", kpi.pk]), {"period": "2026-11-09", "value": "3"}
    )
    assert "A monthly KPI takes the first day of a month." in response.text
    client.post(
        reverse("metrics:kpi_record", args=["acme", kpi.pk]), {"period": "2026-11-01", "value": "3"}
    )
    assert Measurement.objects.get(kpi=kpi).period_start == date(2026, 11, 1)


def test_a_click_on_the_on_time_rate_lists_exactly_the_late_cards(tenant: Tenant, client) -> None:
    board = ProjectFactory(organization=tenant.organization).boards.get()
    done = board.columns.get(kind="done")
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    for title, done_at, due in (
        ("early", at(17), date(2026, 11, 18)),
        ("late", at(19, 0, 30), date(2026, 11, 18)),
        ("very late", at(21), date(2026, 11, 10)),
    ):
        Card.objects.create(
            board=board,
            column=done,
            title=title,
            created_at=at(1),
            started_at=at(2),
            done_at=done_at,
            due_date=due,
        )
    kpi = Kpi.objects.create(
        organization=tenant.organization,
        name="On-time",
        source=Source.ON_TIME_RATE,
        target=90,
        amber_threshold=90,
        red_threshold=75,
    )
    client.force_login(tenant.lead.user)
    page = client.get(
        reverse("metrics:kpi_detail", args=["acme", kpi.pk]), {"period": "2026-11-16"}
    )
    late = page.context["drilldown"].late
    assert sorted(card.title for card in late) == ["late", "very late"]
    assert page.context["tile"].previous == Decimal("33.3333")  # 1 of 3 on time


def test_nightly_job_stores_last_week_once(tenant: Tenant) -> None:
    board = ProjectFactory(organization=tenant.organization).boards.get()
    Card.objects.create(
        board=board,
        column=board.columns.get(kind="done"),
        title="x",
        created_at=at(16),
        done_at=at(17),
    )
    kpi = Kpi.objects.create(
        organization=tenant.organization,
        name="Throughput",
        source=Source.THROUGHPUT,
        target=5,
        amber_threshold=4,
        red_threshold=2,
    )
    out = io.StringIO()
    call_command("record_kpis", stdout=out)
    call_command("record_kpis", "--now", "2026-11-24", stdout=out)
    assert list(Measurement.objects.filter(kpi=kpi).values_list("period_start", "value")) == [
        (date(2026, 11, 16), Decimal(1))
    ]
    assert "Recorded 1 KPI values." in out.getvalue()


def test_only_managers_define_kpis(tenant: Tenant, client) -> None:
    client.force_login(tenant.lead.user)
    assert client.get(reverse("metrics:kpi_create", args=["acme"])).status_code == 403
    client.force_login(tenant.manager.user)
    response = client.post(
        reverse("metrics:kpi_create", args=["acme"]),
        {"name": "NPS", "source": "manual", "unit": "score", "direction": "increase", "decimals": 0, "target": 40,
         "amber_threshold": 30, "red_threshold": 35, "frequency": "monthly", "position": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Order them from good to bad" in response.text
    assert not Kpi.objects.exists()


@pytest.mark.parametrize("cards", [3, 60])
def test_dashboard_queries_do_not_grow_with_cards(
    tenant: Tenant, client, django_assert_num_queries, cards: int
) -> None:
    board = ProjectFactory(organization=tenant.organization).boards.get()
    done = board.columns.get(kind="done")
    Card.objects.bulk_create(
        Card(
            board=board,
            column=done,
            title=f"c{n}",
            created_at=at(1),
            started_at=at(2),
            done_at=at(17),
            due_date=date(2026, 11, 18),
        )
        for n in range(cards)
    )
    for source in (
        Source.ON_TIME_RATE,
        Source.THROUGHPUT,
        Source.CYCLE_TIME_MEDIAN,
        Source.CYCLE_TIME_P85,
        Source.LEAD_TIME_MEDIAN,
        Source.OVERDUE_OPEN,
        Source.WORK_IN_PROGRESS,
        Source.BLOCKED,
        Source.MANUAL,
    ):
        Kpi.objects.create(
            organization=tenant.organization,
            name=source,
            source=source,
            target=1,
            amber_threshold=1,
            red_threshold=1,
        )
    client.force_login(tenant.manager.user)
    url = reverse("metrics:dashboard", args=["acme"])
    client.get(url)  # the session
    cache.clear()
    with django_assert_num_queries(FIRST_READ_QUERIES):
        client.get(url)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = client.get(url)
    # The cycle-time table links each card to its page.
    card = Card.objects.filter(board=board).latest("pk")
    link = reverse("kanban:card_detail", args=["acme", card.pk])
    assert f'<a href="{link}">{card.title}</a>' in page.text


# The person with their membership and the organisations of the switcher (one query,
# opsboard.tenancy.middleware); the KPIs; the flow's running day, the cycle times, the running
# week's throughput; the stored values; the running week's eight computed figures in two
# queries (those of the work done together, the snapshot counts together); the unread
# notifications and the filter's choices (teams, projects). The same for one computed KPI of
# each kind or several: it was 15 for four of them and would have been 19 for these eight,
# each figure a query of its own (and 13 while the person, the membership and the
# switcher's organisations were three queries); the requests between teams of the last four
# weeks (their clocks decided, their ratings: two, whatever their number).
DASHBOARD_QUERIES = 13
# The first read of a day (the cache emptied; the finished weeks' values were stored by
# the read before): those above, the session, and what is then kept for the day: the
# flow's finished days (two queries, whatever their number), the cycle times of the cards
# done before today and the finished weeks' throughput.
FIRST_READ_QUERIES = DASHBOARD_QUERIES + 5


def test_teams_side_by_side(tenant: Tenant, client) -> None:
    finance = TeamFactory(organization=tenant.organization, name="Finance")
    board = ProjectFactory(organization=tenant.organization).boards.get()
    done = board.columns.get(kind="done")
    for team, count in ((tenant.team, 3), (finance, 1)):
        for n in range(count):
            Card.objects.create(
                board=board,
                column=done,
                team=team,
                title=f"{team.name} {n}",
                created_at=at(20),
                started_at=at(20),
                done_at=at(23, 10),
            )
    Kpi.objects.create(
        organization=tenant.organization,
        name="Throughput",
        source=Source.THROUGHPUT,
        target=3,
        amber_threshold=3,
        red_threshold=2,
    )
    client.force_login(tenant.viewer.user)
    page = client.get(reverse("metrics:team_comparison", args=["acme"]))
    rows = {row.team.name: row for row in page.context["rows"]}
    throughput = {name: row.cells[1] for name, row in rows.items()}
    assert throughput["Product"][1] == 3 and throughput["Product"][3] == Rag.GREEN
    assert throughput["Finance"][1] == 1 and throughput["Finance"][3] == Rag.RED


def test_dashboard_for_an_earlier_period(tenant: Tenant, client) -> None:
    kpi = manual_kpi(tenant)
    Measurement.objects.create(kpi=kpi, period_start=date(2026, 11, 2), value=Decimal("19.5"))
    Measurement.objects.create(kpi=kpi, period_start=date(2026, 11, 9), value=Decimal("19.2"))
    Measurement.objects.create(kpi=kpi, period_start=date(2026, 11, 16), value=Decimal("18.7"))
    client.force_login(tenant.viewer.user)
    [tile] = client.get(reverse("metrics:dashboard", args=["acme"]), {"day": "2026-11-11"}).context[
        "tiles"
    ]
    assert (tile.period, tile.value, tile.previous) == (
        date(2026, 11, 9),
        Decimal("19.2"),
        Decimal("19.5"),
    )
    assert tile.series[-1] == (date(2026, 11, 9), Decimal("19.2"))


@pytest.mark.parametrize(
    ("blocked_then", "blocked_now"), [(True, False), (False, True)], ids=["then", "now"]
)
def test_the_blocked_cards_of_a_past_week_are_those_blocked_then(
    tenant: Tenant, client, blocked_then: bool, blocked_now: bool
) -> None:
    """The tile and the list behind it read one rule, the card's history: a card blocked
    last week and unblocked since is listed for last week; one blocked since is not."""
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    board = ProjectFactory(organization=tenant.organization).boards.get()
    card = Card.objects.create(
        board=board,
        column=board.columns.get(kind="doing"),
        title="waiting for the vendor",
        created_at=at(2),
        started_at=at(3),
        blocked=blocked_now,
        blocked_at=at(23, 10) if blocked_now else None,
    )
    history = [(EventKind.BLOCKED, at(18)), (EventKind.UNBLOCKED, at(23, 9))]
    if blocked_now:
        history = [(EventKind.BLOCKED, at(23, 10))]
    for kind, moment in history:
        CardEvent.objects.create(card=card, board=board, kind=kind, at=moment)
    kpi = Kpi.objects.create(
        organization=tenant.organization,
        source=Source.BLOCKED,
        target=0,
        amber_threshold=0,
        red_threshold=2,
    )
    client.force_login(tenant.lead.user)
    page = client.get(
        reverse("metrics:kpi_detail", args=["acme", kpi.pk]), {"period": "2026-11-16"}
    )
    counted = page.context["drilldown"].counted
    assert compute(kpi, date(2026, 11, 16)) == (1 if blocked_then else 0)
    assert [c.title for c in counted] == (["waiting for the vendor"] if blocked_then else [])
    # This week, as of now, the other way round.
    assert compute(kpi, date(2026, 11, 23)) == (1 if blocked_now else 0)
    now = selectors.cards_behind(kpi, date(2026, 11, 23))
    assert [c.title for c in now.counted] == (["waiting for the vendor"] if blocked_now else [])


def test_the_dashboards_filter_bar_follows_its_choices(tenant: Tenant, client) -> None:
    """The filter bar is drawn once per what it shows: a renamed team is a new bar."""
    client.force_login(tenant.manager.user)
    url = reverse("metrics:dashboard", args=["acme"])
    assert f">{tenant.team.name}</option>" in client.get(url).text
    tenant.team.name = "Renamed team"
    tenant.team.save()
    page = client.get(url, {"team": tenant.team.pk})
    assert f'<option value="{tenant.team.pk}" selected>Renamed team</option>' in page.text
    assert "Select a valid choice" in client.get(url, {"team": 10**9}).text
