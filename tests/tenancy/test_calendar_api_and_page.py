"""The working calendar through the API and the settings page: good and bad input, who may
see and change it, another organisation's 404, and the warning for a year not known."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from opsboard.tenancy.models import CompanyDay, Organization
from tests.conftest import Tenant

API = "/api/v1/organizations/acme/calendar/"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_the_api_lists_each_day_with_its_reason(tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    response = client.get(API, {"start": "2026-09-30", "end": "2026-10-10"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["region"] == "CN"
    assert body["unknown_years"] == []
    days = {day["date"]: day for day in body["days"]}
    assert len(days) == 11
    assert days["2026-10-01"] == {
        "date": "2026-10-01",
        "working": False,
        "kind": "holiday",
        "reason": "Public holiday: National Day",
        "announced": True,
    }
    assert days["2026-10-10"]["working"] is True
    assert days["2026-10-10"]["reason"] == "Make-up working day"
    assert days["2026-09-30"]["reason"] == ""

    response = client.get(
        API, {"start": "2026-10-01", "end": "2026-10-01"}, headers={"Accept-Language": "zh-hans"}
    )
    assert response.json()["days"][0]["reason"] == "法定节假日：国庆节"


def test_the_api_names_the_years_it_does_not_know(tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    body = client.get(API, {"start": "2026-12-30", "end": "2027-01-02"}).json()
    assert body["unknown_years"] == [2027]
    assert [day["announced"] for day in body["days"]] == [True, True, False, False]
    new_year = body["days"][2]
    assert (new_year["working"], new_year["kind"]) == (False, "holiday")


def test_bad_ranges_are_400_with_a_message(tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    assert client.get(API).status_code == 400
    response = client.get(API, {"start": "2026-13-01", "end": "2026-12-01"})
    assert response.status_code == 400
    assert "start" in response.json()
    response = client.get(API, {"start": "2026-10-10", "end": "2026-10-01"})
    assert response.status_code == 400
    assert response.json() == {"end": ["The end is before the start."]}
    response = client.get(API, {"start": "2026-01-01", "end": "2027-01-02"})
    assert response.status_code == 400
    assert response.json() == {"end": ["Ask for 366 days at most."]}
    assert client.get(API, {"start": "2026-01-01", "end": "2027-01-01"}).status_code == 200


def test_another_organisations_calendar_is_404(
    tenant: Tenant, other_tenant: Tenant, client
) -> None:
    client.force_login(other_tenant.owner.user)
    assert client.get(API, {"start": "2026-10-01", "end": "2026-10-02"}).status_code == 404


def page(org: Organization) -> str:
    return reverse("projects:organization_calendar", args=[org.slug])


def test_only_managers_see_the_settings_page(tenant: Tenant, client) -> None:
    for role in ("member", "lead", "viewer"):
        client.force_login(tenant.membership(role).user)
        assert client.get(page(tenant.organization)).status_code == 403
        response = client.post(
            reverse("projects:company_day_add", args=["acme"]),
            {"date": "2026-11-20", "working": "off", "reason": "Outing"},
        )
        assert response.status_code == 403
    assert not CompanyDay.objects.exists()


def test_the_page_lists_holidays_and_warns_about_next_year(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI), tick=False):
        response = client.get(page(tenant.organization))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-unknown-year="2027"' in text
    assert 'data-unknown-year="2026"' not in text
    assert "The public holidays and make-up working days of 2027 are not known yet" in text
    assert "Public holiday: National Day" in text
    assert "Make-up working day" in text

    with time_machine.travel(dt.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI), tick=False):
        response = client.get(
            page(tenant.organization), {"year": "2027"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    text = response.content.decode()
    assert "2027 年的法定节假日和调休安排尚未公布" in text
    assert "法定节假日：春节" in text


def test_managers_change_the_hours_with_field_errors(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    url = page(tenant.organization)
    response = client.post(
        url,
        {"work_starts": "18:00", "work_ends": "09:00", "holiday_region": "XX"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["working_weekdays"] == ["Choose at least one working day of the week."]
    assert form.errors["work_ends"] == ["Working hours must end after they start."]
    assert "holiday_region" in form.errors
    tenant.organization.refresh_from_db()
    assert tenant.organization.work_starts == dt.time(9)

    revision = tenant.organization.calendar_revision
    response = client.post(
        url,
        {
            "working_weekdays": ["0", "1", "2", "3", "4", "5"],
            "work_starts": "08:30",
            "work_ends": "17:30",
            "holiday_region": "HK",
            "reminders_count_working_days": "on",
        },
    )
    assert response.status_code == 302
    tenant.organization.refresh_from_db()
    assert tenant.organization.working_weekday_set() == {0, 1, 2, 3, 4, 5}
    assert tenant.organization.work_starts == dt.time(8, 30)
    assert tenant.organization.holiday_region == "HK"
    assert tenant.organization.reminders_count_working_days
    assert tenant.organization.calendar_revision == revision + 1


def test_managers_add_and_remove_company_days(tenant: Tenant, other_tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    add = reverse("projects:company_day_add", args=["acme"])
    response = client.post(add, {"date": "2026-11-20", "working": "off", "reason": " "})
    assert response.status_code == 400
    assert response.context["day_form"].errors["reason"]
    response = client.post(add, {"date": "2026-11-20", "working": "off", "reason": "Team outing"})
    assert response.status_code == 302
    response = client.post(add, {"date": "2026-11-20", "working": "working", "reason": "Again"})
    assert response.status_code == 400
    assert response.context["day_form"].non_field_errors() or response.context["day_form"].errors
    assert CompanyDay.objects.count() == 1
    day = CompanyDay.objects.get()
    assert (day.working, day.reason, day.created_by) == (False, "Team outing", tenant.manager.user)

    body = client.get(API, {"start": "2026-11-20", "end": "2026-11-20"}).json()
    assert body["days"][0]["reason"] == "Company day off: Team outing"

    rival_day = CompanyDay.objects.create(
        organization=other_tenant.organization, date=dt.date(2026, 11, 20), reason="Rival's"
    )
    remove = "projects:company_day_remove"
    assert client.post(reverse(remove, args=["acme", rival_day.pk])).status_code == 404
    assert client.post(reverse(remove, args=["acme", day.pk])).status_code == 302
    assert list(CompanyDay.objects.all()) == [rival_day]
    body = client.get(API, {"start": "2026-11-20", "end": "2026-11-20"}).json()
    assert body["days"][0]["working"] is True


def test_the_admin_shows_a_manager_only_their_organisations_days(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    ours = CompanyDay.objects.create(
        organization=tenant.organization, date=dt.date(2026, 11, 20), reason="Outing"
    )
    CompanyDay.objects.create(
        organization=other_tenant.organization, date=dt.date(2026, 11, 20), reason="Rival's"
    )
    user = tenant.manager.user
    user.is_staff = True
    user.save()
    request = RequestFactory().get("/")
    request.user = user
    admin = site._registry[CompanyDay]
    assert list(admin.get_queryset(request)) == [ours]
