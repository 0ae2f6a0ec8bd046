"""The process map in a browser: drawn with no script, the bottleneck labelled, and on paper
the map fits the page's width and the download links stay off it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from projects.management.commands.seed_demo import DEMO_PASSWORD
from projects.models import Project
from tests.e2e.test_sign_in_and_language import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_map_shows_without_script_and_prints_at_the_pages_width(
    demo: None, browser, live_server
) -> None:
    board = Project.objects.get(
        organization__slug="demo-ops", name="Reduce customer churn"
    ).boards.get()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, "lead@demo.opsboard.test", DEMO_PASSWORD)
        page.wait_for_url(re.compile(r"/o/demo-ops/"))
        page.goto(reverse("metrics:board_flow", args=["demo-ops", board.pk]))
        drawing = page.get_by_role("img", name="Process map of " + board.name)
        assert drawing.is_visible()
        assert drawing.locator("g.pm-bottleneck text", has_text="Bottleneck").is_visible()
        # On screen at its own size, on a page wider than it (text stays the size it was set).
        assert drawing.bounding_box()["width"] == pytest.approx(
            int(drawing.get_attribute("width")), abs=1
        )

        page.emulate_media(media="print")
        page.set_viewport_size({"width": 700, "height": 1000})  # about A4's printable width
        assert drawing.is_visible()
        assert drawing.bounding_box()["width"] <= 700
        assert not page.get_by_role("link", name="PNG image").is_visible()
        # The table beside it prints whole: its last column is on the page.
        last = page.locator(".flow-columns th").filter(has_text="Time waiting")
        assert last.bounding_box()["x"] + last.bounding_box()["width"] <= 700
    finally:
        context.close()
