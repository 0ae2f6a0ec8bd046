"""A team that works elsewhere than its organisation: its managers choose its time zone on
the team's form, where its working hours and response times are read."""

from __future__ import annotations

from django.urls import reverse

from opsboard.tenancy.models import Team
from tests.conftest import Tenant


def test_a_manager_gives_a_team_its_own_time_zone(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    url = reverse("projects:team_edit", args=["acme", tenant.team.pk])
    page = client.get(url)
    assert '<option value="" selected>The organisation&#x27;s (Asia/Shanghai)</option>' in page.text
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in page.text

    client.post(url, {"name": "Product", "timezone": "Europe/Berlin"})
    tenant.team.refresh_from_db()
    assert (tenant.team.timezone, tenant.team.zone.key) == ("Europe/Berlin", "Europe/Berlin")
    assert '<option value="Europe/Berlin" selected>' in client.get(url).text

    client.post(url, {"name": "Product", "timezone": ""})
    tenant.team.refresh_from_db()
    assert (tenant.team.timezone, tenant.team.zone.key) == ("", "Asia/Shanghai")


def test_a_time_zone_not_offered_is_refused(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    response = client.post(
        reverse("projects:team_create", args=["acme"]), {"name": "Berlin", "timezone": "Mars/Base"}
    )
    assert response.status_code == 200
    assert "Select a valid choice. Mars/Base is not one of the available choices." in response.text
    assert not Team.objects.filter(name="Berlin").exists()
