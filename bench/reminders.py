"""How the 15-minute reminder scan scales with the number of cards.

Seeds one organisation of 200 people with 10,000, 100,000 and 1,000,000
cards (inserted in SQL): 85% done, 5% without a due date, the open rest due
from 60 days ago to 60 days ahead, each assigned, one in ten with a team as
Accountable. Prints for each the planning time (median of 5), its queries,
how many people and cards it bundled, and PostgreSQL's plan for the card
query, which must use the partial index on due dates of open cards; then the
whole job once (scan, claim, enqueue on Redis db 11, with two chat groups)
and once more for the same moment, which must claim nothing.

    .venv/bin/python bench/reminders.py
"""

from __future__ import annotations

import statistics
import time
import zoneinfo
from datetime import datetime

import redis
from common import throwaway_database
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from kanban.models import Card
from opsboard.accounts.models import User
from opsboard.notify.models import ChatWebhook, Notification
from projects.models import Membership, Organization, Project, Role, Team
from raci.reminders import due_cards, plan_reminders, send_deadline_reminders

SIZES = [10_000, 100_000, 1_000_000]
RUNS = 5
QUEUE = "redis://127.0.0.1:6379/11"  # emptied before and after
NOW = datetime(2026, 11, 24, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def seed(size: int) -> Organization:
    organization = Organization.objects.create(
        name=f"Bench {size}", slug=f"bench-{size}", timezone="Asia/Shanghai"
    )
    team = Team.objects.create(organization=organization, name="Operations")
    people = User.objects.bulk_create(
        User(email=f"p{n}@bench{size}.test", full_name=f"Person {n}") for n in range(200)
    )
    memberships = Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.MEMBER) for user in people
    )
    team.memberships.set(memberships[:10])
    project = Project.objects.create(
        organization=organization, name="Project", start_date=NOW.date(), due_date=NOW.date()
    )
    board = project.boards.get()
    todo, _doing, done = board.columns.order_by("position")
    first_person = people[0].pk
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO kanban_card (board_id, column_id, rank, title, description, assignee_id,
                due_date, priority, blocked, blocked_reason, done_at, created_at, updated_at)
            SELECT %(board)s, CASE WHEN n %% 20 < 17 THEN %(done)s ELSE %(todo)s END, n,
                'Card ' || n, '', %(first)s + n %% 200,
                CASE WHEN n %% 20 = 19 THEN NULL ELSE %(today)s::date + (n %% 121 - 60) END,
                2, false, '', CASE WHEN n %% 20 < 17 THEN now() END, now(), now()
            FROM generate_series(1, %(size)s) AS n
            """,
            {
                "board": board.pk,
                "done": done.pk,
                "todo": todo.pk,
                "first": first_person,
                "today": NOW.date(),
                "size": size,
            },
        )
        cursor.execute(
            """
            INSERT INTO raci_raciassignment (card_id, role, team_id, created_at)
            SELECT id, 'A', %s, now() FROM kanban_card WHERE board_id = %s AND id %% 10 = 0
            """,
            [team.pk, board.pk],
        )
        cursor.execute("ANALYZE kanban_card; ANALYZE raci_raciassignment")
    return organization


def main() -> None:
    with throwaway_database():
        print(
            f"{'cards':>10} {'open due':>9} {'median ms':>10} {'queries':>8} {'people':>7} {'cards bundled':>14}"
        )
        for size in SIZES:
            organization = seed(size)
            timings = []
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    planned = plan_reminders(now=NOW)
                    timings.append((time.perf_counter() - start) * 1000)
            bundled = sum(reminder.count for reminder in planned)
            open_due = len(due_cards(organization, organization.day_of(NOW)))
            print(
                f"{size:>10,} {open_due:>9,} {statistics.median(timings):>10.0f}"
                f" {len(queries):>8} {len(planned):>7} {bundled:>14,}"
            )
            card_query = Card.objects.filter(board__organization=organization).due_by(
                organization.day_of(NOW)
            )
            plan = card_query.order_by().explain(analyze=True)
            print("\n".join("    " + line for line in plan.splitlines()))
            send_and_send_again(organization)
            # The next size's organisation is measured alone.
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE kanban_card CASCADE")


def send_and_send_again(organization: Organization) -> None:
    """The whole job: scan, claim the ledger rows and enqueue the deliveries on a real Redis,
    with a chat group for the team and one for the organisation; then the same moment again."""
    for team_id in (None, organization.teams.get().pk):
        ChatWebhook.objects.create(
            organization_id=organization.pk,
            team_id=team_id,
            name="Group",
            provider="slack",
            url="https://hooks.slack.com/services/T0/B0/bench",
        )
    broker = redis.Redis.from_url(QUEUE)
    broker.flushdb()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=QUEUE):
        for label in ("send", "again"):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                sent = send_deadline_reminders(now=NOW)
                elapsed = (time.perf_counter() - start) * 1000
            print(
                f"    {label}: {elapsed:,.0f} ms, {len(queries)} queries, {len(sent)} claimed,"
                f" {broker.llen('celery')} deliveries queued"
            )
    broker.flushdb()
    Notification.objects.filter(organization_id=organization.pk).delete()


if __name__ == "__main__":
    main()
