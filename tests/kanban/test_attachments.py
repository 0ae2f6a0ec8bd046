"""Files on cards and comments: what is kept, what is refused (and then nothing is
stored), who gets them, and the card page's queries."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from kanban import attachments
from kanban.models import Attachment, CardEvent, Comment, EventKind
from kanban.services import attachment_add, comment_add
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup
from tests.kanban.files import ELF, PDF, WINDOWS_EXE, png, png_bytes, upload


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [Path(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


def upload_url(tenant: Tenant, card_id: int) -> str:
    return reverse("kanban:attachment_upload", args=[tenant.organization.slug, card_id])


def test_a_pasted_screenshot_is_kept_under_a_random_key_and_shown_on_the_card(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Churn chart")
    client.force_login(tenant.member.user)
    response = client.post(upload_url(tenant, card.pk), {"files": [png("chart.png", 64, 48)]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("chart.png", "image/png")
    assert (attachment.width, attachment.height) == (64, 48)
    assert attachment.size == len(png_bytes(64, 48))
    assert attachment.uploaded_by == tenant.member.user
    assert attachment.organization == tenant.organization
    assert "chart" not in attachment.file.name
    assert attachment.file.name.startswith(f"attachments/{tenant.organization.pk}/")
    assert [path.name for path in stored_files()] == [attachment.file.name.rsplit("/", 1)[1]]
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    preview = reverse("kanban:attachment_preview", args=["acme", attachment.pk])
    assert f'<img src="{preview}" alt="chart.png" width="64" height="48"' in page
    assert CardEvent.objects.filter(card=card, kind=EventKind.FILE_ADDED).get().new_value == (
        "chart.png"
    )
    assert "attached “chart.png”" in page


def test_files_go_with_a_comment_or_not_at_all(tenant: Tenant, kanban: BoardSetup, client) -> None:
    card = kanban.add(tenant, "Survey")
    client.force_login(tenant.member.user)
    url = reverse("kanban:card_comment", args=["acme", card.pk])
    response = client.post(url, {"body": "Results attached", "files": [upload("survey.pdf", PDF)]})
    assert response.status_code == 302
    comment = Comment.objects.get()
    attachment = Attachment.objects.get()
    assert (attachment.comment, attachment.card, attachment.name) == (comment, card, "survey.pdf")
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    comments = page.split('id="comments"', 1)[1]
    assert reverse("kanban:attachment_file", args=["acme", attachment.pk]) in comments

    # A refused file: no comment either, and the page says why by the field.
    response = client.post(url, {"body": "Another", "files": [upload("tool.png", ELF)]})
    assert response.status_code == 400
    assert "“tool.png” is a kind of file that cannot be attached" in response.text
    assert Comment.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert len(stored_files()) == 1


def test_a_file_over_the_limit_is_refused_while_it_arrives(
    tenant: Tenant, kanban: BoardSetup, client, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 10_000
    card = kanban.add(tenant, "Export")
    client.force_login(tenant.member.user)
    big = upload("export.csv", b"month,count\n" + b"2026-01,1\n" * 2000)
    response = client.post(upload_url(tenant, card.pk), {"files": [big]})
    assert response.status_code == 400
    assert "“export.csv” is larger than 9.8\xa0KB, the most a file may be." in response.text
    assert not Attachment.objects.exists()
    assert stored_files() == []
    # From the page's script: the files section again, with the reason.
    big.seek(0)
    response = client.post(
        upload_url(tenant, card.pk), {"files": [big]}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 400
    assert response.text.lstrip().startswith('<section id="attachments"')
    assert "is larger than" in response.text
    # The same file within the limit is kept.
    settings.ATTACHMENT_MAX_BYTES = 100_000
    big.seek(0)
    assert client.post(upload_url(tenant, card.pk), {"files": [big]}).status_code == 302
    assert Attachment.objects.get().content_type == "text/csv"


def test_the_size_limit_drops_a_file_at_the_first_chunk_past_it(settings) -> None:
    """Nothing past the limit is handed on to be kept (in memory or a temporary file)."""
    settings.ATTACHMENT_MAX_BYTES = 100
    handler = attachments.SizeLimitHandler()
    handler.new_file("files", "big.bin", "application/octet-stream", None)
    assert handler.receive_data_chunk(b"x" * 64, 0) == b"x" * 64
    with pytest.raises(attachments.SkipFile):
        handler.receive_data_chunk(b"x" * 64, 64)
    assert handler.too_large == ["big.bin"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "holiday.png",
            ELF,
            "is a kind of file that cannot be attached (application/x-executable)",
        ),
        ("report.png", WINDOWS_EXE, "is a kind of file that cannot be attached"),
        ("page.html", b"<html><script>alert(1)</script></html>", "is not a kind of file"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "is not a kind of file"),
        ("notes.txt", b"text\x00with a NUL", "is not a kind of file"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "could not be read as an image"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_files_of_other_kinds_are_refused_and_nothing_is_stored(
    tenant: Tenant, kanban: BoardSetup, name: str, content: bytes, reason: str
) -> None:
    card = kanban.add(tenant, "Card")
    with pytest.raises(ValidationError) as refused:
        attachment_add(actor=tenant.member, card=card, files=[upload(name, content)])
    assert reason in " ".join(refused.value.messages)
    assert f"“{name}”" in " ".join(refused.value.messages)
    assert not Attachment.objects.exists()
    assert not CardEvent.objects.filter(kind=EventKind.FILE_ADDED).exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("name", "content", "kept_as", "content_type"),
    [
        (
            "数据 导出.csv",
            "月份,流失\n2026-01,412\n".encode("gb18030"),
            "数据 导出.csv",
            "text/csv",
        ),
        ("notes.md", "# Notes\nUTF-8 ✓\n".encode(), "notes.md", "text/plain"),
        ("photo.exe", png_bytes(), "photo.exe.png", "image/png"),
        ("scan", PDF, "scan.pdf", "application/pdf"),
    ],
)
def test_the_kind_comes_from_the_content_and_the_name_follows_it(
    tenant: Tenant, kanban: BoardSetup, name: str, content: bytes, kept_as: str, content_type: str
) -> None:
    card = kanban.add(tenant, "Card")
    (attachment,) = attachment_add(actor=tenant.member, card=card, files=[upload(name, content)])
    assert (attachment.name, attachment.content_type) == (kept_as, content_type)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\王小明\\Desktop\\季度报告.pdf", "季度报告.pdf"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("bell\x07and\x00nul\r\n.txt", "bellandnul.txt"),
        ("  ..hidden   name .txt", "hidden name .txt"),
        ('a<b>:"c"|d?*.txt', "a_b___c__d__.txt"),
        ("\x00\x01", "file"),
        ("流" * 300 + ".pdf", "流" * 196 + ".pdf"),
    ],
)
def test_names_lose_paths_and_control_characters_and_keep_chinese(given: str, kept: str) -> None:
    assert attachments.clean_name(given) == kept
    assert len(attachments.clean_name(given)) <= Attachment._meta.get_field("name").max_length


def test_a_name_with_a_path_and_control_characters_is_kept_clean(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    card = kanban.add(tenant, "Card")
    file = upload("x.pdf", PDF)
    file._name = "..\\..\\季度\x1b[31m报告\u202e.pdf"  # as a client could send it
    (attachment,) = attachment_add(actor=tenant.member, card=card, files=[file])
    assert attachment.name == "季度[31m报告.pdf"
    assert "季度" not in attachment.file.name


def test_the_organisations_quota_refuses_what_does_not_fit(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client, settings
) -> None:
    card = kanban.add(tenant, "Card")
    first = png_bytes(40, 30)
    settings.ATTACHMENT_QUOTA_BYTES = len(first) + 100
    attachment_add(actor=tenant.member, card=card, files=[upload("one.png", first)])
    # Another organisation's files do not count against this one's.
    other_card = board_for(other_tenant)
    attachment_add(actor=other_tenant.member, card=other_card, files=[upload("o.png", first)])
    client.force_login(tenant.member.user)
    response = client.post(upload_url(tenant, card.pk), {"files": [upload("two.pdf", PDF * 2)]})
    assert response.status_code == 400
    assert "“two.pdf” (" in response.text
    assert "does not fit: this organisation&#x27;s files take" in response.text
    assert Attachment.objects.filter(organization=tenant.organization).count() == 1
    assert len(stored_files()) == 2  # the two kept, not the refused one
    # Within what is left, it fits.
    (small,) = attachment_add(actor=tenant.member, card=card, files=[upload("n.txt", b"ok")])
    assert small.size == 2


def board_for(tenant: Tenant):
    from tests.kanban.conftest import board_setup

    return board_setup(tenant, name="Other").add(tenant, "Theirs")


def test_another_organisations_card_and_files_are_404_and_nothing_is_stored(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Ours")
    (attachment,) = attachment_add(actor=tenant.member, card=card, files=[png()])
    client.force_login(other_tenant.owner.user)
    for slug in ("acme", "rival"):
        response = client.post(
            reverse("kanban:attachment_upload", args=[slug, card.pk]), {"files": [png()]}
        )
        assert response.status_code == 404
        for name in ("attachment_file", "attachment_preview"):
            assert (
                client.get(reverse(f"kanban:{name}", args=[slug, attachment.pk])).status_code == 404
            )
        response = client.post(reverse("kanban:attachment_delete", args=[slug, attachment.pk]))
        assert response.status_code == 404
    assert Attachment.objects.count() == 1
    assert len(stored_files()) == 1


def test_files_are_served_to_members_as_downloads_and_images_alone_inline(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Card")
    (image,) = attachment_add(actor=tenant.member, card=card, files=[png("截图 1.png")])
    (pdf,) = attachment_add(actor=tenant.member, card=card, files=[upload("季度报告.pdf", PDF)])
    client.force_login(tenant.viewer.user)  # anyone of the organisation may read them
    response = client.get(reverse("kanban:attachment_file", args=["acme", pdf.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")
    assert "gzip" not in response.get("Content-Encoding", "")
    response = client.get(reverse("kanban:attachment_preview", args=["acme", image.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    # A PDF is never shown in the page: its scripts would run with the site's cookies.
    assert (
        client.get(reverse("kanban:attachment_preview", args=["acme", pdf.pk])).status_code == 404
    )
    client.logout()
    response = client.get(reverse("kanban:attachment_file", args=["acme", pdf.pk]))
    assert response.status_code == 302  # to sign in


def test_removing_a_file_notes_it_in_the_history_and_clears_storage_after_commit(
    tenant: Tenant, kanban: BoardSetup, client, django_capture_on_commit_callbacks
) -> None:
    card = kanban.add(tenant, "Card")
    (attachment,) = attachment_add(actor=tenant.lead, card=card, files=[upload("plan.pdf", PDF)])
    url = reverse("kanban:attachment_delete", args=["acme", attachment.pk])
    client.force_login(tenant.viewer.user)
    assert client.post(url).status_code == 403
    assert Attachment.objects.exists()
    client.force_login(tenant.member.user)  # not the uploader, but may edit the card
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
        assert len(stored_files()) == 1  # until the change commits
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files() == []
    event = CardEvent.objects.get(card=card, kind=EventKind.FILE_REMOVED)
    assert (event.actor, event.old_value) == (tenant.member.user, "plan.pdf")
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    assert "removed the file “plan.pdf”" in page


def test_an_archived_card_takes_no_files(tenant: Tenant, kanban: BoardSetup) -> None:
    from kanban.services import card_archive

    card = card_archive(actor=tenant.lead, card=kanban.add(tenant, "Old"))
    with pytest.raises(ValidationError, match="archived"):
        attachment_add(actor=tenant.member, card=card, files=[png()])
    assert stored_files() == []


def test_a_comment_of_another_card_is_refused(tenant: Tenant, kanban: BoardSetup) -> None:
    card, other = kanban.add(tenant, "One"), kanban.add(tenant, "Two")
    comment = comment_add(actor=tenant.member, card=other, body="Hello")
    with pytest.raises(ValidationError):
        attachment_add(actor=tenant.member, card=card, files=[png()], comment=comment)
    assert stored_files() == []


@pytest.mark.parametrize("files", [1, 20])
def test_the_card_page_reads_its_files_in_one_query_however_many(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries, files: int
) -> None:
    card = kanban.add(tenant, "Card")
    comment = comment_add(actor=tenant.member, card=card, body="Screens")
    for n in range(files):
        attachment_add(
            actor=tenant.member,
            card=card,
            files=[png(f"s{n}.png")],
            comment=comment if n % 2 else None,
        )
    client.force_login(tenant.member.user)
    url = reverse("kanban:card_detail", args=["acme", card.pk])
    client.get(url)
    with django_assert_num_queries(CARD_PAGE_QUERIES):
        page = client.get(url).text
    assert page.count('class="attachment"') == files


# The person with their memberships (the session is in the cache), the card with its board,
# column and people, its history, its files (one query, with who uploaded each, the
# comments' files among them), the RACI section (roles, policy, load, people and teams),
# the request section (whether the card is a request), the retrospective actions, the
# unread notifications, the checklist, the comments, the labels and the board's columns;
# for following, when the reader looked (and whether they follow) and who follows (+1 for
# the people mentioned, when the texts mention any).
CARD_PAGE_QUERIES = 18


def test_uploads_still_need_the_csrf_token(tenant: Tenant, kanban: BoardSetup) -> None:
    """The upload views read the token after the size limit is in place, not never."""
    from django.test import Client

    card = kanban.add(tenant, "Card")
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant.member.user)
    for url, data in (
        (upload_url(tenant, card.pk), {"files": [png()]}),
        (reverse("kanban:card_comment", args=["acme", card.pk]), {"body": "x", "files": [png()]}),
    ):
        assert client.post(url, data).status_code == 403
    assert not Attachment.objects.exists()
    assert not Comment.objects.exists()
    assert stored_files() == []


def test_the_admin_lists_a_cards_files_without_a_storage_address(
    tenant: Tenant, kanban: BoardSetup, client, admin_user
) -> None:
    card = kanban.add(tenant, "Card")
    (attachment,) = attachment_add(actor=tenant.member, card=card, files=[png("chart.png")])
    client.force_login(admin_user)
    page = client.get(reverse("admin:kanban_card_change", args=[card.pk])).text
    assert "chart.png" in page
    assert attachment.file.name not in page


def jpeg_bytes(width: int, height: int, *, orientation: int | None = None) -> bytes:
    """A photo as a phone takes it: stored sideways, with EXIF saying how to turn it."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def test_a_large_photo_is_shown_by_a_preview_and_opens_whole(
    tenant: Tenant, kanban: BoardSetup, client, django_capture_on_commit_callbacks
) -> None:
    card = kanban.add(tenant, "Dock photos")
    photo = jpeg_bytes(2000, 1500, orientation=6)  # turned a quarter: 1500 wide, 2000 high
    (attachment,) = attachment_add(
        actor=tenant.member, card=card, files=[upload("dock.jpg", photo, "image/jpeg")]
    )
    assert attachment.preview.name and attachment.preview.name != attachment.file.name
    assert len(stored_files()) == 2
    client.force_login(tenant.viewer.user)
    url = reverse("kanban:attachment_preview", args=["acme", attachment.pk])
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    assert f'<img src="{url}"' in page and f'href="{url}?full"' in page

    shown = client.get(url)
    assert shown["Content-Type"] == "image/webp"
    body = b"".join(shown.streaming_content)
    assert len(body) < len(photo) / 4
    with Image.open(io.BytesIO(body)) as preview:
        assert preview.size == (480, attachments.PREVIEW_SIDE)  # upright, at most 640 high
    whole = client.get(url, {"full": ""})
    assert whole["Content-Type"] == "image/jpeg"
    assert b"".join(whole.streaming_content) == photo

    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(tenant.member.user)
        client.post(reverse("kanban:attachment_delete", args=["acme", attachment.pk]))
    assert stored_files() == []


def test_small_images_and_gifs_are_shown_as_they_are(tenant: Tenant, kanban: BoardSetup) -> None:
    card = kanban.add(tenant, "Icons")
    gif = io.BytesIO()
    Image.new("P", (1200, 900)).save(gif, "GIF")
    small, moving = attachment_add(
        actor=tenant.member,
        card=card,
        files=[png("icon.png", 64, 48), upload("loop.gif", gif.getvalue(), "image/gif")],
    )
    assert not small.preview and not moving.preview
    assert len(stored_files()) == 2


def test_a_refused_upload_leaves_no_preview_behind(
    tenant: Tenant, kanban: BoardSetup, settings
) -> None:
    card = kanban.add(tenant, "Dock photos")
    settings.ATTACHMENT_QUOTA_BYTES = 1000
    with pytest.raises(ValidationError):
        attachment_add(
            actor=tenant.member,
            card=card,
            files=[upload("dock.jpg", jpeg_bytes(1600, 1200), "image/jpeg")],
        )
    assert stored_files() == []
