"""Search in a real browser: "/" reaches the box from any page, the results follow the
typing, and a card is found by two Chinese characters from one of its comments."""

from __future__ import annotations

import re

import pytest

from kanban.services import CardInput, card_create, comment_add
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_slash_finds_a_card_by_two_chinese_characters_of_a_comment(page, tenant: Tenant) -> None:
    project = ProjectFactory(
        organization=tenant.organization, name="Reduce churn", teams=[tenant.team]
    )
    card = card_create(
        actor=tenant.lead, board=project.boards.get(), data=CardInput(title="Exit interviews")
    )
    comment_add(actor=tenant.member, card=card, body="上个月的用户流失主要来自价格调整")
    sign_in(page, tenant.lead.user.email)
    page.wait_for_url(re.compile(r"/o/acme/$"))

    page.goto("/o/acme/projects/")
    box = page.get_by_role("searchbox", name="Search this organisation (press /)")
    assert not box.evaluate("element => element === document.activeElement")
    page.locator("body").press("/")
    assert box.evaluate("element => element === document.activeElement")
    assert box.input_value() == ""  # the slash focuses, it is not typed
    box.fill("流失")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/o/acme/search/\?q="))
    result = page.locator(".search-hit").filter(has_text="Exit interviews")
    result.wait_for()
    assert "In a comment" in result.inner_text()
    assert result.locator("mark").first.inner_text() == "流失"

    # On the results page "/" reaches its own box, and the results follow the typing.
    page.locator("h1").click()
    page.keyboard.press("/")
    own = page.get_by_role("searchbox", name=re.compile("Search cards, goals"))
    assert own.evaluate("element => element === document.activeElement")
    # A word no person's name begins with: the tenant's names are random, and one may be Price.
    own.fill("invoice")
    page.get_by_text("Nothing found for “invoice”.").wait_for()
    own.fill("exit")
    page.locator(".search-hit").filter(has_text="Exit interviews").wait_for()
    assert "q=exit" in page.url

    # In a text field "/" is a slash.
    own.fill("a")
    own.press("/")
    assert own.input_value() == "a/"
