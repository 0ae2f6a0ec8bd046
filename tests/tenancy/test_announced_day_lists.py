"""A year the holidays package does not know yet (China's 2027): managers paste or upload
the announced schedule, every wrong line is named, and nothing is kept until all are right."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsboard.tenancy.calendar import DayKind, calendar_for
from opsboard.tenancy.day_lists import parse_day_list
from opsboard.tenancy.models import CompanyDay
from tests.conftest import Tenant

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
IMPORT = reverse("projects:company_days_import", args=["acme"])
SPRING_FESTIVAL_2027 = """# 2027 春节
2027-02-06 .. 2027-02-12, off, 春节
2027-02-14，班，春节调休
2027-02-20	working	Spring Festival make-up day
"""


@pytest.fixture(autouse=True)
def _autumn_2026():
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, tzinfo=SHANGHAI), tick=False):
        yield


def test_a_list_reads_runs_chinese_words_and_any_separator() -> None:
    days = parse_day_list(SPRING_FESTIVAL_2027)
    assert [(day.date.isoformat(), day.working, day.reason) for day in days] == [
        *((f"2027-02-{n:02}", False, "春节") for n in range(6, 13)),
        ("2027-02-14", True, "春节调休"),
        ("2027-02-20", True, "Spring Festival make-up day"),
    ]


def test_every_wrong_line_is_named() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_day_list(
            "2027-02-30, off, No such day\n"
            "2027-02-06, maybe, Unsure\n"
            "2027-02-06\n"
            "2027-03-01 .. 2027-02-01, off, Backwards\n"
            "2027-01-01 .. 2027-03-01, off, Too long\n"
            "2027-05-01, off, Labour Day\n"
            "2027-05-01, working, Twice\n"
        )
    assert raised.value.messages == [
        'Line 1: "2027-02-30" is not a date written as YYYY-MM-DD.',
        'Line 2: "maybe" should say "off" or "working".',
        "Line 3: write the date, off or working, and the reason.",
        "Line 4: the run of dates ends before it starts.",
        "Line 5: a run of dates is at most 31 days.",
        "Line 7: 2027-05-01 is already on line 6.",
    ]
    with pytest.raises(ValidationError, match="no days"):
        parse_day_list("# only a comment\n\n")


def test_a_manager_adds_the_announced_days_and_the_calendar_follows(tenant: Tenant, client) -> None:
    calendar = calendar_for(tenant.organization)
    assert calendar.day(dt.date(2027, 2, 11)).working  # a Thursday the package cannot place
    assert calendar.unknown_years(dt.date(2027, 1, 1), dt.date(2027, 12, 31)) == [2027]
    CompanyDay.objects.create(
        organization=tenant.organization, date=dt.date(2027, 2, 14), reason="Outing"
    )
    client.force_login(tenant.manager.user)

    response = client.post(IMPORT, {"days": SPRING_FESTIVAL_2027})

    assert response.status_code == 302
    assert response["Location"].endswith("?year=2027")
    page = client.get(response["Location"]).content.decode()
    assert "9 days set apart (1 replaced)." in page
    assert CompanyDay.objects.filter(organization=tenant.organization).count() == 9
    tenant.organization.refresh_from_db()
    calendar = calendar_for(tenant.organization)
    thursday = calendar.day(dt.date(2027, 2, 11))
    assert (thursday.working, thursday.kind, thursday.reason) == (
        False,
        DayKind.COMPANY_OFF,
        "Company day off: 春节",
    )
    assert calendar.day(dt.date(2027, 2, 14)).kind == DayKind.COMPANY_WORKING
    assert calendar.add_working_days(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 14)


def test_a_file_in_gb18030_is_read_and_a_bad_one_keeps_nothing(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    upload = SimpleUploadedFile("2027.csv", SPRING_FESTIVAL_2027.encode("gb18030"))
    assert client.post(IMPORT, {"file": upload}).status_code == 302
    assert CompanyDay.objects.filter(reason="春节调休").exists()
    CompanyDay.objects.all().delete()

    bad = SimpleUploadedFile("2027.csv", b"2027-10-01, off, National Day\n2027-10-02, off\n")
    response = client.post(IMPORT, {"file": bad})
    assert response.status_code == 400
    assert response.context["list_form"].errors["file"] == [
        "Line 2: write the date, off or working, and the reason."
    ]
    large = SimpleUploadedFile("big.csv", b"2027-10-01, off, National Day\n" * 3000)
    response = client.post(IMPORT, {"file": large})
    assert response.context["list_form"].errors["file"] == ["The file is larger than 64 KB."]
    binary = SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x81\x00")
    response = client.post(IMPORT, {"file": binary})
    assert response.context["list_form"].errors["file"] == [
        "The file is not text (UTF-8 or GB18030)."
    ]
    response = client.post(IMPORT, {"days": "  "})
    assert response.status_code == 400
    assert response.context["list_form"].non_field_errors() == ["Paste the days or choose a file."]
    assert not CompanyDay.objects.exists()


def test_the_list_reads_in_chinese_and_only_managers_may_send_it(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    response = client.post(
        IMPORT,
        {"days": "2027-10-01, 休, 国庆\n2027-10-09, 补课, ?"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.context["list_form"].errors["days"] == ["第 2 行：「补课」应为「休」或「班」。"]
    page = client.get(
        reverse("projects:organization_calendar", args=["acme"]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "一次添加一年公布的安排" in page

    for role in ("member", "lead", "viewer"):
        client.force_login(tenant.membership(role).user)
        response = client.post(IMPORT, {"days": "2027-10-01, off, National Day"})
        assert response.status_code == 403
    assert not CompanyDay.objects.exists()
