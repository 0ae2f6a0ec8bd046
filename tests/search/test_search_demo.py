"""Done when: on a fresh demo the lead finds a card by two Chinese characters of a comment."""

from __future__ import annotations

import io

import time_machine
from django.core.management import call_command
from django.urls import reverse

from opsboard.accounts.models import User


def test_the_lead_finds_a_demo_card_by_two_characters_of_its_comment(
    db: None, client, django_capture_on_commit_callbacks
) -> None:
    with (
        time_machine.travel("2026-11-18 10:00 +0800", tick=False),
        django_capture_on_commit_callbacks(execute=True),  # the index is written on commit
    ):
        call_command("seed_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(email="lead@demo.opsboard.test"))
    page = client.get(reverse("search:search", args=["demo-ops"]), {"q": "折扣"})
    assert page.status_code == 200
    titles = page.content.decode().split('class="search-hit-title">')[1:]
    assert len(titles) == 1 and titles[0].startswith("Survey: why customers leave</a>")
    assert "<mark>折扣</mark>" in page.content.decode()  # why it matched: the comment
