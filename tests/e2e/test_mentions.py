"""@ in a comment from the keyboard: type, arrow to a person found by pinyin initials,
Enter, post; the comment shows the mention as a link, and following is one button."""

from __future__ import annotations

import re

import pytest

from kanban.models import Comment, Mention
from kanban.services import CardInput, card_create
from tests.conftest import Tenant
from tests.e2e.test_accessibility import axe_problems
from tests.e2e.test_sign_in_and_language import sign_in
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(browser, live_server):
    # axe is added to the page as a script: the test's browser lets it past the CSP.
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_mention_from_the_keyboard_and_follow(page, tenant: Tenant) -> None:
    for name, email in (("张三", "zhangsan@example.test"), ("张珊珊", "shanshan@example.test")):
        MembershipFactory(
            organization=tenant.organization, user=UserFactory(full_name=name, email=email)
        )
    project = ProjectFactory(organization=tenant.organization, teams=[tenant.team])
    card = card_create(
        actor=tenant.lead, board=project.boards.get(), data=CardInput(title="Churn analysis")
    )
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/cards/{card.pk}/")

    box = page.locator("textarea#id_body")
    box.focus()
    page.keyboard.type("Please check @zs")
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    options = listbox.get_by_role("option")
    assert options.all_inner_texts()[0].startswith("张三")
    assert options.nth(0).get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    page.keyboard.press("ArrowDown")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    # The list and the text area that drives it (a card without RACI roles has an empty
    # list of them, which axe's definition-list rule reports: not this test's business).
    rules = [
        "aria-allowed-attr",
        "aria-allowed-role",
        "aria-required-children",
        "aria-required-parent",
        "aria-valid-attr-value",
        "aria-input-field-name",
        "color-contrast",
        "label",
    ]
    assert axe_problems(page, rules) == []
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert listbox.is_hidden()
    value = box.input_value()
    assert re.fullmatch(r"Please check @\[张三\]\(user:\d+\) ", value), value

    # Escape closes the list and leaves the text as typed.
    page.keyboard.type("and @zss")
    listbox.wait_for()
    page.keyboard.press("Escape")
    assert listbox.is_hidden()
    assert box.input_value().endswith("and @zss")
    page.get_by_role("button", name="Comment").focus()  # past the comment's file field
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#comments$"))

    comment = Comment.objects.get(card=card)
    assert Mention.objects.get(comment=comment).user.full_name == "张三"
    link = page.locator(f"#comment-{comment.pk} a.mention")
    assert link.inner_text() == "@张三"

    # Commenting made the member a follower; they stop, then follow again.
    following = card.followers.filter(user=tenant.member.user, following=True)
    assert following.exists()
    page.get_by_role("button", name=re.compile("Stop following")).click()
    page.get_by_role("button", name="Follow", exact=True).click()
    page.get_by_role("button", name=re.compile("Stop following")).wait_for()
    assert following.exists()
