"""How the organisation pages scale with the number of people.

Seeds an organisation with 10, 100 and 1,000 people in a throwaway test
database (PostgreSQL from DATABASE_URL, default 127.0.0.1), then times the
dashboard, people and teams pages through Django's test client and counts
their queries.

    .venv/bin/python bench/org_pages.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsboard.settings.test")

import warnings

import django

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from opsboard.accounts.models import User  # noqa: E402
from projects.models import Membership, Organization, Role, Team  # noqa: E402

SIZES = [10, 100, 1000]
TEAMS = 20
RUNS = 15
PAGES = {"dashboard": "/o/{slug}/", "people": "/o/{slug}/people/", "teams": "/o/{slug}/teams/"}


def seed(size: int) -> User:
    organization = Organization.objects.create(name=f"Bench {size}", slug=f"bench-{size}")
    teams = Team.objects.bulk_create(
        Team(organization=organization, name=f"Team {n}") for n in range(TEAMS)
    )
    users = User.objects.bulk_create(
        User(email=f"p{n}@bench{size}.test", full_name=f"Person {n}") for n in range(size)
    )
    memberships = Membership.objects.bulk_create(
        Membership(
            organization=organization, user=user, role=Role.MANAGER if n == 0 else Role.MEMBER
        )
        for n, user in enumerate(users)
    )
    Membership.teams.through.objects.bulk_create(
        Membership.teams.through(membership_id=membership.pk, team_id=teams[n % TEAMS].pk)
        for n, membership in enumerate(memberships)
    )
    return users[0]


def measure(client: Client, url: str) -> tuple[int, float]:
    client.get(url)
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries), statistics.median(timings)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{'people':>7} {'page':<10} {'queries':>7} {'median ms':>10}")
        for size in SIZES:
            manager = seed(size)
            client = Client()
            client.force_login(manager)
            for name, pattern in PAGES.items():
                queries, median = measure(client, pattern.format(slug=f"bench-{size}"))
                print(f"{size:>7} {name:<10} {queries:>7} {median:>10.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
