"""Done when: on a fresh demo, the lead signs in and My work tells what needs them today,
in English and in Chinese: two overdue cards, one blocked for days, a question from a
Product member, a goal due a check-in and a red KPI, each linked to where it is handled."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from kanban.models import Card
from metrics.models import Kpi
from metrics.selectors import tiles
from metrics.services import Rag
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership
from projects.models import Goal
from projects.my_work import my_work
from tests.reading import read_as_translated, visible_text

# Any moment will do: the demo is built around the moment it is seeded at.
MOMENTS = ["2026-11-18 10:00 +0800", "2027-03-01 08:30 +0800"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_leads_my_work_tells_the_demos_story(db: None, client, moment: str) -> None:
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        lead = Membership.objects.select_related("organization", "user").get(
            organization__slug="demo-ops", user__email="lead@demo.opsboard.test"
        )
        organization = lead.organization
        today = organization.today()
        parts = {part.key: part for part in my_work(membership=lead)}

        accountable = parts["accountable"].groups[0].items
        overdue = [item for item in accountable if "overdue" in item.why]
        assert len(overdue) == 2
        assert all(Card.objects.get(pk=item.id).is_overdue(today) for item in overdue)
        blocked = [item for item in accountable if item.why.startswith("blocked")]
        assert len(blocked) == 1
        card = Card.objects.get(pk=blocked[0].id)
        assert (today - organization.day_of(card.blocked_at)).days >= 2

        (mention,) = parts["mentions"].groups[0].items
        author = User.objects.get(full_name=mention.by)
        assert author.memberships.get(organization=organization).teams.filter(
            name__startswith="Product"
        )

        (goal,) = parts["goals"].groups[0].items
        assert Goal.objects.filter(owner=lead.user).due_check_in(today).get().pk == goal.id

        red = {item.title for item in parts["kpis"].groups[0].items}
        kpis = list(Kpi.objects.filter(organization=organization))
        assert red and red <= {
            t.kpi.display_name for t in tiles(kpis, today=today) if t.rag == Rag.RED
        }

        # The page says it all, and every item links to where it is handled.
        client.force_login(lead.user)
        page = client.get(reverse("projects:my_work", args=["demo-ops"])).text
        for item in [*overdue, *blocked, mention, goal, *parts["kpis"].groups[0].items]:
            assert f'href="{item.url}"' in page
            assert client.get(item.url.split("#")[0]).status_code == 200

        client.cookies["django_language"] = "zh-hans"
        chinese = client.get(reverse("projects:my_work", args=["demo-ops"])).text
        assert "我的工作" in chinese and "已逾期 " in chinese and "红灯 KPI" in chinese
        assert read_as_translated(visible_text(chinese)) == []
