"""Done when (issue 16), in a real browser on a fresh demo, in English and in Chinese: the
lead signs in and sees what needs them today, finds a card by two Chinese characters of
its comment, mentions a Product member there and attaches a screenshot by pasting it; the
member gets one email, sees the mention in their My work, and opens the card from the
email's link straight into the panel beside the board."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from kanban.models import Attachment, Card, Comment, Mention
from opsboard.accounts.models import User
from tests.e2e.test_attachments import FILES_EVENT
from tests.e2e.test_sign_in_and_language import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "opsboard-demo"
# Words of the page in each language, as its readers see them.
WORDS = {
    "en": {"my_work": "My work", "comment": "Comment", "in_comment": "In a comment"},
    "zh-hans": {"my_work": "我的工作", "comment": "评论", "in_comment": "评论中"},
}


@pytest.fixture
def browser_context(browser, live_server):
    contexts = []

    def new(**options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_leads_first_day_on_the_demo(browser_context, live_server, language: str) -> None:
    words = WORDS[language]
    # The demo is built around the moment it is seeded at; the clock then runs on.
    with time_machine.travel("2026-11-18 10:00 +0800", tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        User.objects.filter(email__endswith="@demo.opsboard.test").update(language=language)
        lead = User.objects.get(email="lead@demo.opsboard.test")
        member = User.objects.get(email="member@demo.opsboard.test")  # Zhang Wei 张伟, Product
        mail.outbox.clear()

        page = browser_context().new_page()
        sign_in(page, lead.email, DEMO_PASSWORD)
        page.wait_for_url(re.compile(r"/o/demo-ops/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(words["my_work"])
        for part in ("accountable", "mentions", "goals", "kpis"):
            expect(page.locator(f"#{part} .work-item").first).to_be_visible()

        # "/" reaches the search; two characters of a comment find the card.
        page.locator("h1").click()
        page.keyboard.press("/")
        page.keyboard.type("折扣")
        page.keyboard.press("Enter")
        hit = page.locator(".search-hit").filter(has_text="Survey: why customers leave")
        expect(hit).to_contain_text(words["in_comment"])
        expect(hit.locator("mark").first).to_have_text("折扣")
        hit.get_by_role("link", name=re.compile("Survey: why customers leave")).click()
        page.wait_for_url(re.compile(r"/o/demo-ops/cards/\d+/$"))
        card = Card.objects.get(title="Survey: why customers leave")

        # A comment that mentions the Product member, with a pasted screenshot.
        box = page.locator("textarea#id_body")
        box.focus()
        page.keyboard.type("@zw")
        option = page.get_by_role("listbox").get_by_role("option", name=re.compile("张伟"))
        expect(option).to_be_visible()
        page.keyboard.press("Enter")
        page.keyboard.type("could Product price the discount plan? See the chart.")
        page.evaluate(FILES_EVENT, ["#id_body", "paste", "image.png"])
        page.get_by_role("button", name=words["comment"], exact=True).click()
        page.wait_for_url(re.compile(r"#comments$"))
        comment = Comment.objects.filter(card=card, author=lead).get()
        expect(page.locator(f"#comment-{comment.pk} a.mention")).to_have_text("@Zhang Wei 张伟")
        expect(page.locator(f"#comment-{comment.pk} .attachment-preview img")).to_be_visible()
        assert Mention.objects.filter(comment=comment, user=member).count() == 1
        assert Attachment.objects.filter(comment=comment).count() == 1

        # One email to the member, with a link to the comment beside its board.
        to_member = [message for message in mail.outbox if member.email in message.to]
        assert len(to_member) == 1, [message.subject for message in to_member]
        link = re.search(
            rf"{re.escape(settings.SITE_URL)}(/o/demo-ops/boards/\d+/\?card={card.pk}#comment-{comment.pk})",
            to_member[0].body,
        )
        assert link, to_member[0].body

        # The member sees the mention in their My work, and the email's link opens the
        # card in the panel over its board.
        theirs = browser_context().new_page()
        sign_in(theirs, member.email, DEMO_PASSWORD)
        theirs.wait_for_url(re.compile(r"/o/demo-ops/$"))
        expect(theirs.locator("#mentions .work-item").first).to_contain_text(
            "Survey: why customers leave"
        )
        theirs.goto(link.group(1))
        panel = theirs.locator("#card-panel")
        expect(panel).to_be_visible()
        expect(panel.locator("#card-title")).to_have_text("Survey: why customers leave")
        expect(panel.locator(f"#comment-{comment.pk}")).to_contain_text("discount plan")
        assert theirs.evaluate("document.getElementById('card-panel').matches(':modal')")
        expect(theirs.locator("#board")).to_be_attached()
