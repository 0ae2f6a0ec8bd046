"""How the organisation pages scale with the number of people.

Seeds an organisation with 10, 100 and 1,000 people in a throwaway test
database, then times the dashboard, people and teams pages through Django's
test client and counts their queries.

    .venv/bin/python bench/org_pages.py
"""

from __future__ import annotations

from common import Client, measure, throwaway_database

from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team

SIZES = [10, 100, 1000]
TEAMS = 20
PAGES = {
    "my work": "/o/{slug}/",
    "dashboard": "/o/{slug}/overview/",
    "people": "/o/{slug}/people/",
    "teams": "/o/{slug}/teams/",
}


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


def main() -> None:
    with throwaway_database():
        print(f"{'people':>7} {'page':<10} {'queries':>7} {'median ms':>10}")
        for size in SIZES:
            client = Client()
            client.force_login(seed(size))
            for name, pattern in PAGES.items():
                queries, median = measure(client, pattern.format(slug=f"bench-{size}"))
                print(f"{size:>7} {name:<10} {queries:>7} {median:>10.1f}")


if __name__ == "__main__":
    main()
