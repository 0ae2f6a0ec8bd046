"""What every benchmark needs: Django set up, a throwaway database, a timer that counts queries."""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsboard.settings.test")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from opsboard.accounts.models import User  # noqa: E402
from opsboard.tenancy.models import Membership, Organization, Role  # noqa: E402
from projects.models import Project  # noqa: E402

RUNS = 15


@contextmanager
def throwaway_database() -> Iterator[None]:
    """A fresh test database (PostgreSQL from DATABASE_URL), dropped afterwards."""
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure(client: Client, url: str, runs: int = RUNS) -> tuple[int, float]:
    """(queries, median milliseconds) of ``runs`` GETs after one warm-up."""
    client.get(url)
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries), statistics.median(timings)


def big_project(*, days: int, due_in_days: int = 0) -> tuple[User, Project]:
    """The organisation "big" (Beijing time), its lead, and one project of it that started
    ``days`` ago and is due ``due_in_days`` from today (with its board)."""
    organization = Organization.objects.create(name="Big", slug="big", timezone="Asia/Shanghai")
    lead = User.objects.create(email="lead@big.test")
    Membership.objects.create(organization=organization, user=lead, role=Role.LEAD)
    now = timezone.now()
    project = Project.objects.create(
        organization=organization,
        name="Project",
        start_date=(now - timedelta(days=days)).date(),
        due_date=(now + timedelta(days=due_in_days)).date(),
        owner=lead,
    )
    return lead, project
