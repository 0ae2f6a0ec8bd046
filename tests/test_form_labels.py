"""Every label on the form pages names one control: its ``for`` is an id found once on the page.

A group of checkboxes (teams, labels, reminder days) is named by a legend, not by a label
pointing nowhere.
"""

from __future__ import annotations

import re
from collections import Counter

from django.urls import reverse

from kanban.models import Card
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership
from projects.models import Goal


def label_problems(html: str) -> list[str]:
    ids = Counter(re.findall(r'\sid="([^"]*)"', html))
    problems = [f"id {name!r} used {count} times" for name, count in ids.items() if count > 1]
    for target in re.findall(r'<label[^>]*\sfor="([^"]*)"', html):
        if not ids.get(target):
            problems.append(f"label for {target!r} names no control")
    return problems


def test_form_pages_label_every_control_once(demo: None, client) -> None:
    client.force_login(User.objects.get(email="manager@demo.opsboard.test"))
    org = "demo-ops"
    card = Card.objects.filter(board__organization__slug=org, labels__isnull=False).first()
    member = Membership.objects.get(organization__slug=org, user__email="member@demo.opsboard.test")
    goal = Goal.objects.filter(organization__slug=org, state="active").first()
    pages = [
        reverse("notify:preferences"),
        reverse("accounts:profile"),
        reverse("projects:invitation_create", args=[org]),
        reverse("projects:member_detail", args=[org, member.pk]),
        reverse("projects:goal_detail", args=[org, goal.pk]),
        reverse("kanban:card_edit", args=[org, card.pk]),
    ]
    found = {}
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        found[address] = label_problems(response.text)
    assert not {address: listed for address, listed in found.items() if listed}
