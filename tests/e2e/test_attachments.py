"""Files in a real browser: paste a screenshot into a comment and see it after the upload;
drop a file on the card page and see it listed without leaving the page."""

from __future__ import annotations

import re

import pytest

from kanban.models import Attachment
from kanban.services import CardInput, card_create
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)

# A PNG drawn in the page and handed over as the browser hands over a clipboard's or a
# drag's files: a DataTransfer holding a File.
FILES_EVENT = """async ([selector, type, name]) => {
  const canvas = document.createElement("canvas");
  canvas.width = 48; canvas.height = 32;
  const context = canvas.getContext("2d");
  context.fillStyle = "#0172ad"; context.fillRect(0, 0, 48, 32);
  const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
  const transfer = new DataTransfer();
  transfer.items.add(new File([blob], name, { type: "image/png" }));
  const target = document.querySelector(selector);
  const event = type === "paste"
    ? new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true })
    : new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
}"""


@pytest.fixture
def card(tenant: Tenant):
    project = ProjectFactory(organization=tenant.organization, name="Churn", teams=[tenant.team])
    return card_create(
        actor=tenant.lead, board=project.boards.get(), data=CardInput(title="Weekly churn report")
    )


def test_paste_a_screenshot_into_a_comment_and_see_it_after_the_upload(
    page, tenant: Tenant, card
) -> None:
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/cards/{card.pk}/")
    box = page.locator("#id_body")
    box.fill("Churn this week, see the chart")
    box.focus()
    page.evaluate(FILES_EVENT, ["#id_body", "paste", "image.png"])
    chosen = page.locator(".comment-form input[type=file]")
    assert chosen.evaluate("input => Array.from(input.files).map(file => file.name)")[0].startswith(
        "screenshot-"
    )
    page.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url(re.compile(r"#comments$"))
    image = page.locator(".comment .attachment-preview img")
    image.scroll_into_view_if_needed()
    # Shown from the server's copy: loaded, at the size it was pasted.
    page.wait_for_function(
        "() => { const img = document.querySelector('.comment .attachment-preview img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    assert image.evaluate("img => img.naturalWidth") == 48
    attachment = Attachment.objects.get()
    assert attachment.comment is not None
    assert (attachment.width, attachment.height) == (48, 32)
    assert re.fullmatch(r"screenshot-\d{8}-\d{6}\.png", attachment.name)


def test_drop_a_file_on_the_card_page_and_it_is_listed_without_leaving_it(
    page, tenant: Tenant, card
) -> None:
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/cards/{card.pk}/")
    url = page.url
    page.evaluate(FILES_EVENT, ["#checklist", "dragover", "chart.png"])
    assert "drop-target" in page.locator("#attachments").get_attribute("class")
    page.evaluate(FILES_EVENT, ["#checklist", "drop", "chart.png"])
    page.locator("#attachments .attachment", has_text="chart.png").wait_for()
    assert page.url == url
    assert "drop-target" not in page.locator("#attachments").get_attribute("class")
    assert Attachment.objects.get().comment is None
    # Pasting anywhere but the comment box attaches to the card at once, too.
    page.locator("body").click()
    page.evaluate(FILES_EVENT, ["body", "paste", "image.png"])
    page.locator("#attachments .attachment", has_text="screenshot-").wait_for()
    assert Attachment.objects.count() == 2
