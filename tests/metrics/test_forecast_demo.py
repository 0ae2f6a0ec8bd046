"""The demo tells the forecast's story: the churn project's remaining work will likely be
done after its due date, its page says so, and the manager's digest and the owner's My work
list it at risk; the supply-chain project has too little history to forecast."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from metrics.digest import OrganizationWeek, week_of
from opsboard.notify.emails import render_email
from opsboard.tenancy.models import Membership
from projects.models import Project
from tests.reading import message_text, read_as_translated


@pytest.mark.parametrize("moment", ["2026-11-18 10:00 +0800", "2027-03-01 08:30 +0800"])
def test_the_demos_churn_project_is_at_risk_on_its_page_in_the_digest_and_my_work(
    db: None, client, moment: str
) -> None:
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        manager = Membership.objects.select_related("organization", "user").get(
            organization__slug="demo-ops", user__email="manager@demo.opsboard.test"
        )
        churn = Project.objects.get(organization__slug="demo-ops", name="Reduce customer churn")
        cost = Project.objects.get(organization__slug="demo-ops", name="Cut supply-chain cost")

        client.force_login(manager.user)
        page = client.get(reverse("projects:project_detail", args=["demo-ops", churn.pk])).text
        assert "At risk: with 85% chance the remaining cards are done by" in page
        assert "after the due date" in page
        quiet = client.get(reverse("projects:project_detail", args=["demo-ops", cost.pk])).text
        assert "Too little history to forecast" in quiet
        overview = client.get(reverse("projects:dashboard", args=["demo-ops"])).text
        assert "At risk: 85% likely done by" in overview

        today = manager.organization.today()
        digest = OrganizationWeek(manager.organization, week_of(today), today=today).digest_for(
            manager
        )
        assert [forecast.project for forecast in digest.at_risk] == [churn]
        for language in ("en", "zh-hans"):
            _subject, text, html = render_email(
                template="weekly-digest",
                context=digest.context(),
                language=language,
                timezone_name=manager.organization.timezone,
            )
            if language == "en":
                assert "Project forecasts (1 at risk)" in text
                assert "Reduce customer churn: At risk: with 85% chance" in text
                assert ">At risk</strong>" in html
            else:
                assert "项目完成预测（1 个有风险）" in text and "有风险：有 85% 的把握" in text
                assert read_as_translated(message_text(text), between_words=True) == []

        client.force_login(churn.owner)
        my_work = client.get(reverse("projects:my_work", args=["demo-ops"])).text
        assert "My projects at risk" in my_work and "Reduce customer churn" in my_work
