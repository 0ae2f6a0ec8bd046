"""How long the response clocks' scan takes over 100,000 open requests.

Seeds one organisation of 200 people with 100,000 open requests to one team (cards,
requests, their RACI and three clocks each, inserted in SQL): most first responses and
plans already stopped, every resolution running, and 1% of the requests (1,000) with a
first response past 75% of its target at the moment measured, the rest far from theirs.
Then, taking turns with a bare reference (the two index reads of the same clocks, in SQL),
the scan's planning (what is due and who hears of it, ``plan_alerts``): queries, median and
95th percentile, and the ratio to the reference; PostgreSQL's plans of the two reads, which
must use the partial indexes; and the whole job once (mark, claim the ledger rows, enqueue
the deliveries on the Celery app's Redis, with the team's chat group) and once more for the same
moment, which must claim nothing. The goal: the scan <= 2 s.

    .venv/bin/python bench/response_clocks.py
"""

from __future__ import annotations

import time
import zoneinfo
from datetime import datetime, timedelta

import redis
from board_flow import alternately, print_ratios
from common import throwaway_database
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from intake.models import RequestType
from intake.notifications import clocks_missed, clocks_to_warn, plan_alerts, send_clock_alerts
from kanban.models import ColumnKind
from opsboard.accounts.models import User
from opsboard.celery import app
from opsboard.notify.models import ChatWebhook, Notification
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import Project

REQUESTS = 100_000
NEAR = 100  # one request in NEAR is past 75% of its first response's target
RUNS = 15
NOW = datetime(2026, 11, 18, 11, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))

REFERENCE = """
SELECT id FROM intake_responseclock
WHERE running_since IS NOT NULL AND warned_at IS NULL AND warn_at <= %(now)s
UNION ALL
SELECT id FROM intake_responseclock
WHERE running_since IS NOT NULL AND breached_at IS NULL AND due_at <= %(now)s
"""


def seed() -> Organization:
    organization = Organization.objects.create(name="Bench", slug="bench", timezone="Asia/Shanghai")
    team = Team.objects.create(organization=organization, name="User Operations")
    people = User.objects.bulk_create(
        User(email=f"p{n}@bench.test", full_name=f"Person {n}") for n in range(200)
    )
    memberships = Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.MEMBER) for user in people
    )
    team.memberships.set(memberships[:20])
    project = Project.objects.create(
        organization=organization, name="Requests", start_date=NOW.date(), due_date=NOW.date()
    )
    board = project.boards.get()
    todo = board.columns.get(kind=ColumnKind.TODO)
    request_type = RequestType.objects.create(
        organization=organization,
        team=team,
        name="Data pull",
        board=board,
        column=todo,
        first_response_minutes=120,
        plan_minutes=24 * 60,
        resolution_minutes=40 * 60,
    )
    first_person = people[0].pk
    values = {
        "organization": organization.pk,
        "type": request_type.pk,
        "team": team.pk,
        "board": board.pk,
        "todo": todo.pk,
        "first": first_person,
        "now": NOW,
        "size": REQUESTS,
        "near": NEAR,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO kanban_card (board_id, column_id, rank, revision, title, description,
                assignee_id, priority, blocked, blocked_reason, created_at, updated_at)
            SELECT %(board)s, %(todo)s, n, 0, 'Request ' || n, '', NULL, 2, false, '', now(), now()
            FROM generate_series(1, %(size)s) AS n
            """,
            values,
        )
        cursor.execute(
            """
            INSERT INTO intake_request (organization_id, request_type_id, team_id, card_id,
                requester_id, answers, state, submitted_at, reopened)
            SELECT %(organization)s, %(type)s, %(team)s, id, %(first)s + 20 + id %% 180, '{}',
                'open', %(now)s::timestamptz - interval '1 minute' * (id %% 20000), 0
            FROM kanban_card WHERE board_id = %(board)s
            """,
            values,
        )
        # R (one of the team's 19) and A (its lead) on every card.
        cursor.execute(
            """
            INSERT INTO raci_raciassignment (card_id, role, user_id, created_at)
            SELECT id, 'R', %(first)s + 1 + id %% 19, now() FROM kanban_card WHERE board_id = %(board)s
            UNION ALL
            SELECT id, 'A', %(first)s, now() FROM kanban_card WHERE board_id = %(board)s
            """,
            values,
        )
        # First responses: one request in NEAR past 75% now (warned within the last 10
        # minutes' worth), 70% of the rest stopped, the others far from their warning. Plans:
        # half stopped. Resolutions: all running, their moments days to weeks ahead.
        cursor.execute(
            """
            INSERT INTO intake_responseclock (request_id, kind, target_minutes, started_at,
                running_since, worked, warn_at, due_at, stopped_at, stopped_by, on_time)
            SELECT r.id, 'first_response', 120, r.submitted_at,
                CASE WHEN r.id %% %(near)s = 0 OR r.id %% 10 >= 7 THEN r.submitted_at END,
                interval '0',
                CASE WHEN r.id %% %(near)s = 0 THEN %(now)s::timestamptz - interval '10 seconds' * (r.id %% 60)
                     WHEN r.id %% 10 >= 7 THEN %(now)s::timestamptz + interval '1 hour' * (1 + r.id %% 30) END,
                CASE WHEN r.id %% %(near)s = 0 THEN %(now)s::timestamptz + interval '20 minutes'
                     WHEN r.id %% 10 >= 7 THEN %(now)s::timestamptz + interval '1 hour' * (2 + r.id %% 30) END,
                CASE WHEN r.id %% %(near)s <> 0 AND r.id %% 10 < 7 THEN r.submitted_at + interval '30 minutes' END,
                CASE WHEN r.id %% %(near)s <> 0 AND r.id %% 10 < 7 THEN 'reply' ELSE '' END,
                CASE WHEN r.id %% %(near)s <> 0 AND r.id %% 10 < 7 THEN true END
            FROM intake_request AS r WHERE r.team_id = %(team)s
            UNION ALL
            SELECT r.id, 'plan', 1440, r.submitted_at,
                CASE WHEN r.id %% 2 = 0 THEN r.submitted_at END, interval '0',
                CASE WHEN r.id %% 2 = 0 THEN %(now)s::timestamptz + interval '1 day' * (1 + r.id %% 3) END,
                CASE WHEN r.id %% 2 = 0 THEN %(now)s::timestamptz + interval '1 day' * (2 + r.id %% 3) END,
                CASE WHEN r.id %% 2 = 1 THEN r.submitted_at + interval '2 hours' END,
                CASE WHEN r.id %% 2 = 1 THEN 'plan' ELSE '' END,
                CASE WHEN r.id %% 2 = 1 THEN true END
            FROM intake_request AS r WHERE r.team_id = %(team)s
            UNION ALL
            SELECT r.id, 'resolution', 2400, r.submitted_at, r.submitted_at, interval '0',
                %(now)s::timestamptz + interval '1 day' * (3 + r.id %% 14),
                %(now)s::timestamptz + interval '1 day' * (5 + r.id %% 14), NULL, '', NULL
            FROM intake_request AS r WHERE r.team_id = %(team)s
            """,
            values,
        )
        cursor.execute(
            "ANALYZE kanban_card; ANALYZE intake_request; ANALYZE intake_responseclock;"
            " ANALYZE raci_raciassignment"
        )
    ChatWebhook.objects.create(
        organization_id=organization.pk,
        team_id=team.pk,
        name="User Operations group",
        provider="slack",
        url="https://hooks.slack.com/services/T0/B0/bench",
    )
    return organization


def main() -> None:
    with throwaway_database():
        started = time.perf_counter()
        seed()
        print(f"seeded {REQUESTS:,} open requests in {time.perf_counter() - started:.0f} s")

        def reference() -> None:
            with connection.cursor() as cursor:
                cursor.execute(REFERENCE, {"now": NOW})
                cursor.fetchall()

        reference_name = "reference: the two index reads in SQL"
        rows = alternately(
            {
                "the scan's planning (plan_alerts)": (lambda: plan_alerts(now=NOW), None),
                reference_name: (reference, None),
            },
            runs=RUNS,
        )
        print_ratios(rows, reference_name)
        print(f"due: {len(plan_alerts(now=NOW)):,} clocks")
        for label, query in (("to warn", clocks_to_warn(NOW)), ("missed", clocks_missed(NOW))):
            print(f"EXPLAIN ({label}):")
            plan = query.values("pk").explain(analyze=True)
            print("\n".join("    " + line for line in plan.splitlines()))
        send_and_send_again()


def send_and_send_again() -> None:
    """The whole job on a real Redis: mark, claim, enqueue; then the same moment again. The
    deliveries are counted on the broker the Celery app sends to, and taken off it after."""
    broker = redis.Redis.from_url(app.conf.broker_url)
    queued_before = broker.llen("celery")
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        for label in ("send", "again"):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                sent = send_clock_alerts(now=NOW)
                elapsed = (time.perf_counter() - start) * 1000
            print(
                f"    {label}: {elapsed:,.0f} ms, {len(queries)} queries, {len(sent)} clocks told,"
                f" {Notification.objects.count()} ledger rows,"
                f" {broker.llen('celery') - queued_before} deliveries queued"
            )
    # kombu pushes on the list's head: the job's deliveries are its first entries.
    broker.ltrim("celery", broker.llen("celery") - queued_before, -1)
    # The next moment, after the warnings: what is left to scan.
    later = NOW + timedelta(minutes=5)
    start = time.perf_counter()
    left = plan_alerts(now=later)
    print(f"    5 minutes later: {len(left)} due, {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
