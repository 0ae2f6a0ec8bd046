"""Demo data from the apps built on projects (boards, RACI, KPIs).

``seed_demo`` lives in projects, which cannot import those apps; each
registers its part here in AppConfig.ready() and the command runs them in
order after the organisations, projects and goals exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from opsboard.tenancy.models import Organization

DemoSeeder = Callable[[Organization, date], None]

_seeders: list[tuple[int, DemoSeeder]] = []


def register_demo_seeder(order: int, seeder: DemoSeeder) -> None:
    if (order, seeder) not in _seeders:
        _seeders.append((order, seeder))
        _seeders.sort(key=lambda item: item[0])


def run_demo_seeders(organization: Organization, today: date) -> None:
    for _order, seeder in _seeders:
        seeder(organization, today)
