"""Attachments through the API: list, upload (multipart), read, download and remove; every
refusal a 400 that says why, with nothing stored."""

from __future__ import annotations

import pytest

from kanban.models import Attachment, CardEvent, EventKind
from kanban.services import attachment_add, comment_add
from opsboard.accounts.services import api_key_create
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup
from tests.kanban.files import ELF, PDF, png, upload
from tests.kanban.test_attachments import stored_files

API = "/api/v1/organizations/acme"


def test_upload_list_read_download_and_remove(
    tenant: Tenant, kanban: BoardSetup, client, django_capture_on_commit_callbacks
) -> None:
    card = kanban.add(tenant, "Survey")
    comment = comment_add(actor=tenant.member, card=card, body="Results")
    headers = {"Authorization": f"Token {api_key_create(user=tenant.member.user)}"}
    url = f"{API}/cards/{card.pk}/attachments/"
    response = client.post(url, {"file": png("截图.png", 20, 10)}, headers=headers)
    assert response.status_code == 201, response.json()
    image = response.json()
    assert {
        k: image[k] for k in ("card", "comment", "name", "content_type", "width", "height")
    } == {
        "card": card.pk,
        "comment": None,
        "name": "截图.png",
        "content_type": "image/png",
        "width": 20,
        "height": 10,
    }
    assert image["uploaded_by"] == tenant.member.user.email
    assert image["content_url"] == f"{API}/attachments/{image['id']}/content/"
    response = client.post(
        url, {"file": upload("survey.pdf", PDF), "comment": comment.pk}, headers=headers
    )
    assert response.status_code == 201
    assert (response.json()["comment"], response.json()["width"]) == (comment.pk, None)

    listed = client.get(url, headers=headers).json()
    assert listed["count"] == 2
    assert [a["name"] for a in listed["results"]] == ["截图.png", "survey.pdf"]
    assert client.get(f"{API}/attachments/{image['id']}/", headers=headers).json() == image

    response = client.get(image["content_url"], headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response["X-Content-Type-Options"] == "nosniff"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{API}/attachments/{image['id']}/", headers=headers)
    assert response.status_code == 204
    assert list(Attachment.objects.values_list("name", flat=True)) == ["survey.pdf"]
    assert len(stored_files()) == 1
    assert CardEvent.objects.get(kind=EventKind.FILE_REMOVED).old_value == "截图.png"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"file": upload("holiday.png", ELF)}, "“holiday.png” is a kind of file that cannot"),
        ({"file": upload("empty.pdf", b"")}, "“empty.pdf” is empty."),
        ({"file": upload("big.pdf", PDF + b"x" * 5000)}, "“big.pdf” is larger than 4.9\xa0KB"),
        ({"file": upload("quota.pdf", PDF + b"x" * 3000)}, "“quota.pdf” (3.0\xa0KB) does not fit"),
        ({}, "No file was submitted."),
        ({"file": upload("a.pdf", PDF), "comment": 999999}, "Invalid pk"),
    ],
)
def test_every_refusal_is_a_400_that_says_why_and_stores_nothing(
    tenant: Tenant, kanban: BoardSetup, client, settings, payload: dict, message: str
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 5000
    settings.ATTACHMENT_QUOTA_BYTES = 3500
    card = kanban.add(tenant, "Card")
    attachment_add(actor=tenant.member, card=card, files=[upload("first.pdf", PDF * 10)])
    client.force_login(tenant.member.user)
    response = client.post(f"{API}/cards/{card.pk}/attachments/", payload)
    assert response.status_code == 400
    field, messages = next(iter(response.json().items()))
    assert field in ("file", "comment", "detail")
    assert any(m.startswith(message) for m in messages), messages
    assert Attachment.objects.count() == 1
    assert len(stored_files()) == 1


def test_another_organisations_card_and_attachments_are_404(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Ours")
    (attachment,) = attachment_add(actor=tenant.member, card=card, files=[png()])
    client.force_login(other_tenant.owner.user)
    for slug in ("acme", "rival"):
        base = f"/api/v1/organizations/{slug}"
        assert (
            client.post(f"{base}/cards/{card.pk}/attachments/", {"file": png()}).status_code == 404
        )
        assert client.get(f"{base}/cards/{card.pk}/attachments/").status_code == 404
        for suffix in ("", "content/"):
            assert client.get(f"{base}/attachments/{attachment.pk}/{suffix}").status_code == 404
        assert client.delete(f"{base}/attachments/{attachment.pk}/").status_code == 404
    assert Attachment.objects.count() == 1
    assert len(stored_files()) == 1


@pytest.mark.parametrize("files", [1, 20])
def test_a_page_of_attachments_takes_the_same_queries_for_few_and_many(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries, files: int
) -> None:
    card = kanban.add(tenant, "Card")
    for n in range(files):
        attachment_add(actor=tenant.member, card=card, files=[png(f"{n}.png")])
    client.force_login(tenant.member.user)
    url = f"{API}/cards/{card.pk}/attachments/"
    client.get(url)
    # The person with their memberships, the card, the page of files with their uploaders
    # and the list's length.
    with django_assert_num_queries(4):
        assert len(client.get(url).json()["results"]) == files
