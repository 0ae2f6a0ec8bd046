"""Where work waits: time in each column from hand-built histories, the bottleneck rule,
aging work (the board's badge, the standup), the service level expectation and the API."""

from __future__ import annotations

import io
import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kanban.models import Board, Card, CardEvent, Column, ColumnKind, EventKind
from metrics.board_flow import (
    QUEUE_RULE,
    WAIT_RULE,
    board_flow,
    percentile,
    read_history,
)
from opsboard.tenancy.models import Membership
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup

pytestmark = pytest.mark.usefixtures("fresh_cache")

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = 86400.0
# Monday 2 November 2026 is the first day of the histories; "now" is a Friday.
NOW = datetime(2026, 11, 20, 12, tzinfo=ZONE)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=ZONE)


@pytest.fixture
def review(kanban: BoardSetup) -> Column:
    """A queue between in progress and done: To do, In progress, Review, Done."""
    kanban.done.position = 3
    kanban.done.save()
    return Column.objects.create(
        board=kanban.board, name="Review", kind=ColumnKind.TODO, position=2
    )


def history(kanban: BoardSetup, title: str, *steps: tuple[str, datetime, Column | None]) -> Card:
    """A card and its events: ("made", at, column), ("move", at, column), ("block", at, None),
    ("unblock", at, None); its column, started and done follow from them, as card_move sets them."""
    kinds = {"made": EventKind.CREATED, "move": EventKind.MOVED}
    column, started, done = None, None, None
    for _step, moment, to in steps:
        if to is not None:
            column = to
            if to.kind != ColumnKind.TODO and started is None:
                started = moment
            done = moment if to.kind == ColumnKind.DONE else None
    blocked = [step for step, _moment, _to in steps if step in ("block", "unblock")]
    card = Card.objects.create(
        board=kanban.board,
        column=column,
        title=title,
        created_at=steps[0][1],
        started_at=started,
        done_at=done,
        blocked=bool(blocked) and blocked[-1] == "block",
    )
    CardEvent.objects.bulk_create(
        CardEvent(
            card=card,
            board=kanban.board,
            at=moment,
            kind=kinds.get(step) or (EventKind.BLOCKED if step == "block" else EventKind.UNBLOCKED),
            to_column=to,
            to_kind=to.kind if to else "",
        )
        for step, moment, to in steps
    )
    return card


def figures(columns: list, name: str):
    [column] = [column for column in columns if column.name == name]
    return column


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([0.25, 2, 5], 85) == pytest.approx(4.1)
    assert percentile([], 85) is None


def test_time_in_each_column_from_hand_built_histories(
    tenant: Tenant, kanban: BoardSetup, review: Column
) -> None:
    todo, doing, done = kanban.todo, kanban.doing, kanban.done
    history(  # went back a column: twice in progress, twice in review
        kanban,
        "went back",
        ("made", at(2), todo),
        ("move", at(3), doing),
        ("move", at(4), review),
        ("move", at(5), doing),
        ("move", at(6), review),
        ("move", at(7), done),
    )
    history(  # blocked from Friday evening to Monday morning, in progress
        kanban,
        "blocked over the weekend",
        ("made", at(2), todo),
        ("move", at(5), doing),
        ("block", at(6, 18), None),
        ("unblock", at(9), None),
        ("move", at(10), done),
    )
    history(  # done the day it started
        kanban,
        "same day",
        ("made", at(10), todo),
        ("move", at(10, 10), doing),
        ("move", at(10, 16), done),
    )
    history(kanban, "still going", ("made", at(12), todo), ("move", at(13, 12), doing))

    found = read_history(kanban.board, now=NOW)

    in_progress = figures(found.columns, "In progress")
    assert sorted(in_progress.times) == [0.25 * DAY, 2 * DAY, 5 * DAY]
    assert in_progress.median_days == 2.0
    assert in_progress.p85_days == 4.1
    # Blocked from Friday 18:00 to Monday 09:00: 2 days 15 hours; the rest is in the column:
    # 2 + (5 - 2.625) + 0.25 + 7 (the open card, up to now).
    assert in_progress.blocked == 2.625 * DAY
    assert in_progress.in_column == 11.625 * DAY
    assert (in_progress.arrived, in_progress.left) == (5, 4)
    assert figures(found.columns, "Review").times == [2 * DAY]
    assert sorted(figures(found.columns, "To do").times) == [DAY / 24, DAY, 1.125 * DAY, 3 * DAY]
    assert not figures(found.columns, "To do").is_step
    # Waiting: blocked 2.625 days and 2 days in the review queue, of 16.25 in the steps.
    assert found.waiting_share == pytest.approx(4.625 / 16.25)
    assert found.waiting_percent == 28
    assert sorted(found.cycle_times) == [0.25 * DAY, 4 * DAY, 5 * DAY]
    # Three cards are too few for percentiles anyone should act on.
    assert found.sle_days is None
    assert found.limits() == {}
    assert found.bottleneck is None
    assert "Too little history" in found.no_bottleneck


def through(kanban: BoardSetup, review: Column, n: int, doing_days: float, review_days: float):
    start = at(2) + timedelta(hours=n)
    return history(
        kanban,
        f"card {n}",
        ("made", start, kanban.todo),
        ("move", start + timedelta(hours=1), kanban.doing),
        ("move", start + timedelta(hours=1, days=doing_days), review),
        ("move", start + timedelta(hours=1, days=doing_days + review_days), kanban.done),
    )


def test_the_bottleneck_is_where_work_waits_longest(
    tenant: Tenant, kanban: BoardSetup, review: Column
) -> None:
    for n, (doing_days, review_days) in enumerate([(1, 3), (1, 4), (2, 5), (1, 4), (2, 6)]):
        through(kanban, review, n, doing_days, review_days)

    found = read_history(kanban.board, now=NOW)

    assert found.bottleneck is not None
    assert found.bottleneck.rule == WAIT_RULE
    assert found.bottleneck.column_id == review.pk
    assert found.bottleneck.reason == (
        "Work waits longest here: cards spend a median of 4.0 days in it (85% leave within "
        "5.4 days), against 1.0 days in In progress, the next slowest step."
    )
    with translation.override("zh-hans"):
        reason = read_history(kanban.board, now=NOW).bottleneck.reason
    assert "4.0" in reason and "进行中" in reason and "Work" not in reason


def test_a_growing_queue_is_the_bottleneck_before_the_longest_wait(
    tenant: Tenant, kanban: BoardSetup, review: Column
) -> None:
    for n in range(5):  # In progress is slow, but work flows through it
        through(kanban, review, n, 4, 0.5)
    for n in range(5):  # review fills up this week and nothing leaves it
        history(
            kanban,
            f"waiting for review {n}",
            ("made", at(14), kanban.todo),
            ("move", at(15), kanban.doing),
            ("move", at(17 + n % 3), review),
        )

    found = read_history(kanban.board, now=NOW)

    assert found.bottleneck.rule == QUEUE_RULE
    assert found.bottleneck.name == "Review"
    assert found.bottleneck.reason == (
        "Its queue is growing: 10 cards came in over the last 28 days and 5 left."
    )


def aging_board(kanban: BoardSetup) -> tuple[Card, Card, Card]:
    """Six cards done after 1 to 6 days in progress; in progress now, one for ten days (old)
    and one for a day (young); one waiting in the backlog for weeks (not work in progress)."""
    for n in range(1, 7):
        history(
            kanban,
            f"done in {n}",
            ("made", at(2), kanban.todo),
            ("move", at(3), kanban.doing),
            ("move", at(3) + timedelta(days=n), kanban.done),
        )
    old = history(
        kanban, "old one", ("made", at(9), kanban.todo), ("move", at(10, 12), kanban.doing)
    )
    young = history(
        kanban, "young one", ("made", at(19), kanban.todo), ("move", at(19, 12), kanban.doing)
    )
    waiting = history(kanban, "not started", ("made", at(2), kanban.todo))
    return old, young, waiting


def test_aging_cards_and_the_service_level_expectation(tenant: Tenant, kanban: BoardSetup) -> None:
    aging_board(kanban)
    with time_machine.travel(NOW, tick=False):
        flow = board_flow(kanban.board)
    # Cycle times of 1 to 6 days: the 85th percentile is 5.25 days, so 6 days.
    assert flow.history.sle_days == 6
    assert flow.expectation == "85% of cards finish within 6 days."
    assert flow.history.limits() == {kanban.doing.pk: timedelta(days=5.25)}
    # The backlog is not work in progress: only the two cards in progress are aged.
    assert [(card.title, card.age_days, card.aging, card.at_risk) for card in flow.cards] == [
        ("old one", 10.0, True, True),
        ("young one", 1.0, False, False),
    ]
    assert [card.title for card in flow.aging] == ["old one"]


def test_the_board_shows_the_badge_and_the_expectation_and_the_standup_lists_aging_cards(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    old, young, _waiting = aging_board(kanban)
    blocked = history(
        kanban,
        "blocked one",
        ("made", at(9), kanban.todo),
        ("move", at(10), kanban.doing),
        ("block", at(18), None),
    )
    Card.objects.filter(pk__in=[old.pk, young.pk, blocked.pk]).update(assignee=tenant.member.user)
    client.force_login(tenant.member.user)
    with time_machine.travel(NOW, tick=False):
        page = client.get(
            reverse("kanban:board_detail", args=[tenant.organization.slug, kanban.board.pk])
        ).text
        standup = client.get(
            reverse("kanban:board_standup", args=[tenant.organization.slug, kanban.board.pk])
        ).text
    assert "85% of cards finish within 6 days." in page
    tiles = {
        title: page[page.index(title) :].split("</li>")[0] for title in ("old one", "young one")
    }
    assert ">Aging</span>" in tiles["old one"]
    assert "Aging" not in tiles["young one"]
    # Blocked first, then aging (the blocked card is old too, but listed once, as blocked).
    lists = standup[standup.index("<h3>Blocked</h3>") :]
    assert lists.index("blocked one") < lists.index("<h3>Aging</h3>") < lists.index("old one")
    aging_list = lists[lists.index("<h3>Aging</h3>") :].split("</ul>")[0]
    assert "old one" in aging_list
    assert "blocked one" not in aging_list and "young one" not in aging_list


def test_the_flow_page_in_both_languages(tenant: Tenant, kanban: BoardSetup, client) -> None:
    aging_board(kanban)
    client.force_login(tenant.member.user)
    url = reverse("metrics:board_flow", args=[tenant.organization.slug, kanban.board.pk])
    with time_machine.travel(NOW, tick=False):
        english = client.get(url).text
        client.cookies["django_language"] = "zh-hans"
        tenant.member.user.language = "zh-hans"
        tenant.member.user.save()
        chinese = client.get(url, headers={"accept-language": "zh-hans"}).text
    assert "Work waits longest here" in english
    assert "<circle" in english and 'class="dot aging"' in english
    assert "old one" in english[english.index("Cards at risk") :]
    assert "85% of cards finish within 6 days." in english
    assert "Work waits longest here" not in chinese
    assert "85% 的卡片在 6 天内完成。" in chinese and "工作在这里等得最久" in chinese


@pytest.mark.parametrize("cards", [3, 30])
def test_the_history_and_the_page_take_a_fixed_number_of_queries(
    tenant: Tenant,
    kanban: BoardSetup,
    review: Column,
    client,
    django_assert_num_queries,
    cards: int,
) -> None:
    for n in range(cards):
        through(kanban, review, n, 1 + n % 3, 2)
    history(kanban, "open", ("made", at(12), kanban.todo), ("move", at(13), kanban.doing))
    # The columns, the cards done in the window, the events.
    with django_assert_num_queries(3):
        read_history(kanban.board, now=NOW)
    client.force_login(tenant.member.user)
    url = reverse("metrics:board_flow", args=[tenant.organization.slug, kanban.board.pk])
    with time_machine.travel(NOW, tick=False):
        client.get(url)
        # The person with their memberships, the board, the open cards' ages, the cards per
        # column (the process map) and the unread count; the history is kept for the day.
        with django_assert_num_queries(5):
            assert client.get(url).status_code == 200


def test_the_api_gives_the_figures_and_404_for_another_organisation(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
) -> None:
    aging_board(kanban)
    client.force_login(tenant.member.user)
    url = reverse("metrics_api:board_flow", args=[tenant.organization.slug, kanban.board.pk])
    with time_machine.travel(NOW, tick=False):
        answer = client.get(url).json()
    assert answer["sle_days"] == 6
    assert answer["sle"] == "85% of cards finish within 6 days."
    in_progress = next(c for c in answer["columns"] if c["id"] == kanban.doing.pk)
    assert (in_progress["cards"], in_progress["median_days"], in_progress["p85_days"]) == (
        6,
        3.5,
        5.2,
    )
    assert answer["bottleneck"]["column"] == kanban.doing.pk
    assert answer["bottleneck"]["rule"] == "wait"
    assert [(c["title"], c["aging"]) for c in answer["cards"]] == [
        ("old one", True),
        ("young one", False),
    ]
    client.force_login(other_tenant.member.user)
    other = reverse(
        "metrics_api:board_flow", args=[other_tenant.organization.slug, kanban.board.pk]
    )
    assert client.get(other).status_code == 404
    assert "/flow/" in client.get("/api/schema/").text


@pytest.mark.parametrize("moment", ["2026-11-18 10:00 +0800", "2026-11-30 00:30 +0800"])
def test_the_demos_churn_board_names_its_bottleneck_and_three_aging_cards(
    db: None, client, moment: str
) -> None:
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        lead = Membership.objects.select_related("organization", "user").get(
            organization__slug="demo-ops", user__email="lead@demo.opsboard.test"
        )
        board = Board.objects.get(
            organization=lead.organization, project__name="Reduce customer churn"
        )
        board.organization = lead.organization
        flow = board_flow(board)
        assert flow.history.bottleneck is not None
        assert flow.history.bottleneck.name == "In progress"
        assert flow.history.bottleneck.reason.startswith("Its queue is growing")
        assert sorted(card.title for card in flow.aging) == [
            "Data pipeline for churn features",
            "Instrument cancellation events",
            "Pause-subscription option",
        ]
        client.force_login(lead.user)
        page = client.get(reverse("kanban:board_detail", args=["demo-ops", board.pk])).text
        assert page.count(">Aging</span>") == 3
        assert "85% of cards finish within 9 days." in page
        flow_page = client.get(reverse("metrics:board_flow", args=["demo-ops", board.pk])).text
        assert "Its queue is growing" in flow_page
