"""A team's lead sets up a request type with more questions than the page's spare rows, by
the keyboard: "Add a question" adds a numbered row and puts the focus in it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from intake.models import RequestType
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in
from tests.intake.requesting import make_intake

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lead_adds_questions_beyond_the_spare_rows(page, tenant: Tenant) -> None:
    intake = make_intake(tenant)
    sign_in(page, intake.lead.user.email)
    page.goto("/o/acme/request-types/new/")
    page.locator("#id_name").fill("Complaint escalation")
    page.locator("#id_column").select_option(str(intake.landing.pk))
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(2)
    labels = ["Order number", "Channel", "What happened", "Severity"]
    for number, label in enumerate(labels):
        if number >= 2:
            page.get_by_role("button", name="Add a question").focus()
            page.keyboard.press("Enter")
            expect(questions).to_have_count(number + 1)
            expect(questions.nth(number).locator("legend")).to_have_text(f"Question {number + 1}")
            expect(questions.nth(number).get_by_label("Question", exact=True)).to_be_focused()
        questions.nth(number).get_by_label("Question", exact=True).fill(label)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request types")
    saved = RequestType.objects.get(name="Complaint escalation")
    assert list(saved.fields.values_list("label", flat=True)) == labels
