"""How long the request KPIs take to read over two years of requests.

Seeds ``response_clocks``' organisation (100,000 requests to one team, three clocks each)
and spreads it over two years: each request sent on one of the last 730 days, its clocks
moved with it; those older than a month answered, planned and resolved (one in five
resolutions late), and a quarter of them rated. Then, taking turns with a bare reference
(one SQL aggregate over the clocks decided in the same four weeks), the dashboard's table
for four weeks by team and request type (``request_figures_by_team``), the organisation's
KPI for a week and a request type's KPI for a week (``request_figures``): queries, median
and 95th percentile, and the ratio to the reference; and PostgreSQL's plan of the clocks'
read, which should take the decided moments' index rather than every clock.

    .venv/bin/python bench/request_kpis.py [--without-index]

``--without-index`` drops that index after seeding, to see what it saves.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from board_flow import alternately, print_ratios
from common import throwaway_database
from django.db import connection
from response_clocks import NOW, REQUESTS, seed

from intake.models import RequestType
from metrics.requests import clocks_decided, request_figures, request_figures_by_team
from metrics.scopes import Scope

DAYS = 730
RUNS = 15

REFERENCE = """
SELECT kind, count(*), count(*) FILTER (WHERE on_time AND breached_at IS NULL)
FROM intake_responseclock
WHERE COALESCE(breached_at, stopped_at, CASE WHEN running_since IS NOT NULL THEN due_at END)
      >= %(begin)s
  AND COALESCE(breached_at, stopped_at, CASE WHEN running_since IS NOT NULL THEN due_at END)
      < %(until)s
GROUP BY kind
"""


def spread() -> None:
    """Each request and its clocks moved back by (id mod 730) days; the old ones closed."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE intake_request SET submitted_at = submitted_at - interval '1 day' * (id %% %(days)s);
            UPDATE intake_responseclock AS c SET
                started_at = c.started_at - shift, running_since = c.running_since - shift,
                warn_at = c.warn_at - shift, due_at = c.due_at - shift,
                stopped_at = c.stopped_at - shift
            FROM (SELECT id, interval '1 day' * (id %% %(days)s) AS shift FROM intake_request) AS r
            WHERE c.request_id = r.id;
            UPDATE intake_responseclock SET
                running_since = NULL, stopped_at = due_at - interval '1 hour',
                stopped_by = CASE kind WHEN 'resolution' THEN 'done' WHEN 'plan' THEN 'plan'
                             ELSE 'reply' END,
                on_time = true, warn_at = NULL
            WHERE running_since IS NOT NULL AND due_at < %(now)s - interval '30 days';
            UPDATE intake_responseclock SET on_time = false, breached_at = due_at,
                stopped_at = due_at + interval '1 day'
            WHERE kind = 'resolution' AND request_id %% 5 = 0 AND stopped_at IS NOT NULL;
            INSERT INTO intake_rating (request_id, rated_by_id, score, comment, rated_at)
            SELECT id, requester_id, 1 + id %% 5, '', submitted_at + interval '5 days'
            FROM intake_request WHERE id %% 4 = 0 AND submitted_at < %(now)s - interval '5 days';
            """,
            {"days": DAYS, "now": NOW},
        )
        # As autovacuum would have by then: the moved rows' old versions gone.
        cursor.execute("VACUUM ANALYZE intake_request, intake_responseclock, intake_rating")


def main() -> None:
    with throwaway_database():
        started = time.perf_counter()
        organization = seed()
        spread()
        if "--without-index" in sys.argv:
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX intake_clock_decided")
        print(
            f"seeded {REQUESTS:,} requests over {DAYS} days in {time.perf_counter() - started:.0f} s"
        )
        scope = Scope(organization)
        one_type = Scope(organization, request_type_id=RequestType.objects.get().pk)
        month, week = NOW - timedelta(days=28), NOW - timedelta(days=7)

        def reference() -> None:
            with connection.cursor() as cursor:
                cursor.execute(REFERENCE, {"begin": month, "until": NOW})
                cursor.fetchall()

        reference_name = "reference: one SQL aggregate"
        rows = alternately(
            {
                "dashboard table, 4 weeks": (
                    lambda: request_figures_by_team(scope.requests(), month, NOW),
                    None,
                ),
                "organisation's KPI, a week": (
                    lambda: request_figures(scope.requests(), week, NOW),
                    None,
                ),
                "a request type's KPI, a week": (
                    lambda: request_figures(one_type.requests(), week, NOW),
                    None,
                ),
                reference_name: (reference, None),
            },
            runs=RUNS,
        )
        print_ratios(rows, reference_name)
        figures = request_figures(scope.requests(), month, NOW)
        print(
            f"decided in the 4 weeks: {figures.first_responses:,} first responses,"
            f" {figures.resolutions:,} resolutions; {figures.ratings:,} ratings"
        )
        print("EXPLAIN (the clocks decided in 4 weeks):")
        clocks = clocks_decided(scope.requests(), month, NOW).order_by().values("kind")
        plan = clocks.explain(analyze=True)
        print("\n".join("    " + line for line in plan.splitlines()))


if __name__ == "__main__":
    main()
