"""The KPI import holds every row to the database's limits in the preview, so the import
that follows it cannot fail; and a huge file is refused after reading only its first rows."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from metrics.computations import period_start
from metrics.imports import MAX_ROWS, MAX_UNPACKED_BYTES, read_rows
from metrics.models import Frequency, Kpi, Measurement, Source
from tests.conftest import Tenant


@pytest.fixture
def churn(tenant: Tenant) -> Kpi:
    return Kpi.objects.create(
        organization=tenant.organization, name="Customer churn", source=Source.MANUAL,
        frequency=Frequency.WEEKLY, target=17, amber_threshold=18, red_threshold=19.5,
    )  # fmt: skip


def last_monday() -> str:
    week = period_start(Frequency.WEEKLY, timezone.localdate()) - timedelta(weeks=1)
    return week.isoformat()


def weeks_ago(count: int) -> str:
    return (
        period_start(Frequency.WEEKLY, timezone.localdate()) - timedelta(weeks=count)
    ).isoformat()


def post(client, content: bytes, name: str):
    return client.post(
        reverse("metrics:kpi_import", args=["acme"]),
        {"file": SimpleUploadedFile(name, content), "action": "preview"},
    )


def test_values_beyond_the_columns_get_their_reason_and_the_import_saves_the_rest(
    tenant: Tenant, churn: Kpi, client
) -> None:
    lines = [
        "kpi,period,value,note",
        f"Customer churn,{weeks_ago(1)},12345678901234567890,too many digits",
        f"Customer churn,{weeks_ago(2)},1.23456,too many decimals",
        f"Customer churn,{weeks_ago(3)},1,{'x' * 301}",
        f"Customer churn,{weeks_ago(4)},1,a\x00b",
        f"Customer\x00 churn,{weeks_ago(5)},1,",
        # At the limits: 14 digits before the point and 4 after, a note of 300 characters.
        f"Customer churn,{weeks_ago(6)},-99999999999999.9999,{'y' * 300}",
    ]
    client.force_login(tenant.member.user)
    preview = post(client, "\n".join(lines).encode(), "values.csv")
    assert preview.status_code == 200
    errors = {row.line: row.error for row in preview.context["rows"]}
    assert errors == {
        2: "Ensure that there are no more than 18 digits in total.",
        3: "Ensure that there are no more than 4 decimal places.",
        4: "Ensure this value has at most 300 characters (it has 301).",
        5: "The row holds a NUL character, which no text may contain.",
        6: "The row holds a NUL character, which no text may contain.",
        7: "",
    }
    for error in filter(None, errors.values()):
        assert error in preview.text
    assert not Measurement.objects.exists()

    imported = client.post(reverse("metrics:kpi_import", args=["acme"]), {"action": "import"})
    assert imported.status_code == 302
    saved = Measurement.objects.get()
    assert (saved.value, saved.note) == (Decimal("-99999999999999.9999"), "y" * 300)


def test_an_excel_float_is_read_as_excel_shows_it(tenant: Tenant, churn: Kpi, client) -> None:
    book = Workbook()
    book.active.append(["kpi", "period", "value"])
    book.active.append(["Customer churn", last_monday(), 0.1 + 0.2])
    content = io.BytesIO()
    book.save(content)
    client.force_login(tenant.member.user)
    [row] = post(client, content.getvalue(), "values.xlsx").context["rows"]
    assert (row.error, row.value) == ("", Decimal("0.3"))


class CountingUpload(io.BytesIO):
    """An upload that counts the bytes taken from it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        self.taken += len(data)
        return data


ROWS = 200_000


def big_csv(kpi: Kpi) -> bytes:
    row = f"{kpi.pk},{last_monday()},1,\n"
    return ("kpi,period,value,note\n" + row * ROWS).encode()


def workbook_with(sheet_rows: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook whose first sheet gets the given row XML after its header, written
    directly (openpyxl would take a minute to write 200,000 rows)."""
    book = Workbook()
    book.active.append(["kpi", "period", "value", "note"])
    small = io.BytesIO()
    book.save(small)
    big = io.BytesIO()
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                # As Excel writes it, the sheet states its size up front.
                data = data.replace(b'ref="A1:D1"', f'ref="A1:D{ROWS + 1}"'.encode())
                data = data.replace(b"</row></sheetData>", b"</row>" + sheet_rows + b"</sheetData>")
            out.writestr(item, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return big.getvalue()


def big_xlsx(kpi: Kpi) -> bytes:
    row = '<row r="{n}"><c r="A{n}"><v>' + str(kpi.pk) + "</v></c></row>"
    return workbook_with("".join(row.format(n=n) for n in range(2, ROWS + 2)).encode())


@pytest.mark.parametrize(("make", "name"), [(big_csv, "big.csv"), (big_xlsx, "big.xlsx")])
def test_a_huge_file_is_refused_at_the_limit_after_reading_only_its_start(
    tenant: Tenant, churn: Kpi, make, name
) -> None:
    upload = CountingUpload(make(churn))
    size = len(upload.getvalue())
    with pytest.raises(ValidationError) as refused:
        read_rows(organization=tenant.organization, upload=upload, name=name)
    assert refused.value.messages == [f"At most {MAX_ROWS} rows at a time."]
    # MAX_ROWS is 2.5 % of the rows; allow for read-ahead buffers, not for reading it all.
    assert upload.taken < size / 10, (upload.taken, size)


def test_a_huge_workbook_under_the_size_limit_is_refused_on_the_page(
    tenant: Tenant, churn: Kpi, client
) -> None:
    content = big_xlsx(churn)
    assert len(content) < 2 * 1024 * 1024
    client.force_login(tenant.member.user)
    response = post(client, content, "big.xlsx")
    assert response.status_code == 400
    assert f"At most {MAX_ROWS} rows at a time." in response.text


def test_a_file_over_two_megabytes_is_refused(tenant: Tenant, churn: Kpi, client) -> None:
    client.force_login(tenant.member.user)
    response = post(client, big_csv(churn), "big.csv")
    assert response.status_code == 400
    assert "The file is larger than 2 MB." in response.text
    assert not Measurement.objects.exists()


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_opened(
    tenant: Tenant, churn: Kpi
) -> None:
    upload = CountingUpload(workbook_with(b"", {"xl/media/padding.bin": bytes(MAX_UNPACKED_BYTES)}))
    with pytest.raises(ValidationError) as refused:
        read_rows(organization=tenant.organization, upload=upload, name="padded.xlsx")
    assert refused.value.messages == [
        f"The workbook holds more than {MAX_ROWS} rows' worth of data."
    ]
    assert upload.taken < len(upload.getvalue())  # the zip's directory only
