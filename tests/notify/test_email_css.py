"""The emails' CSS is written once, with classes, in the ``<style>`` block of
``templates/emails/base-body.html``, and every email arrives with it inline: Gmail drops
a ``<style>`` block and Outlook ignores most of one."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from metrics.models import Retrospective
from metrics.retrospectives.notifications import KIND_FINAL, notify
from opsboard.accounts.models import User
from opsboard.notify.emails import render_email
from opsboard.notify.models import Channel, Notification
from tests.metrics.test_computed_kpis import SHANGHAI

pytestmark = pytest.mark.django_db

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
# A trend bar's height is the figure it draws, not a look: it stays the one style attribute.
BAR_HEIGHT = 'style="height:{{ bar.height }}px;line-height:{{ bar.height }}px;"'


class Elements(HTMLParser):
    """Each element's tag, classes and style declarations, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, list[str], dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        style = {}
        for declaration in (attributes.get("style") or "").split(";"):
            name, _, value = declaration.partition(":")
            if name.strip():
                style[name.strip()] = value.strip()
        self.found.append((tag, (attributes.get("class") or "").split(), style))


def stylesheet_classes() -> set[str]:
    [sheet] = re.findall(r"<style>(.*?)</style>", (EMAILS / "base-body.html").read_text(), re.S)
    return set(re.findall(r"\.([a-z][\w-]*)", sheet))


def test_no_email_template_writes_a_style_attribute() -> None:
    written = {
        str(template.relative_to(EMAILS)): template.read_text()
        .replace(BAR_HEIGHT, "")
        .count("style=")
        for template in EMAILS.rglob("*.html")
    }
    assert written and not {name: count for name, count in written.items() if count}


def every_email(client) -> dict[str, list[str]]:
    """The HTML of each kind of email, from the demo: digests, reminders, a retrospective,
    a password reset and an invitation."""
    # A Wednesday's demo, then the Monday after: digests and reminders have things to say.
    with time_machine.travel(datetime(2026, 11, 25, 10, tzinfo=SHANGHAI), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
    monday = datetime(2026, 11, 30, 9, tzinfo=SHANGHAI)
    with time_machine.travel(monday, tick=False):
        call_command("send_weekly_digests", now=monday.isoformat(), stdout=io.StringIO())
        call_command("send_deadline_reminders", now=monday.isoformat(), stdout=io.StringIO())
        notify(Retrospective.objects.get(), kind=KIND_FINAL)
    emails: dict[str, list[str]] = {}
    for kind, html in Notification.objects.filter(channel=Channel.EMAIL).values_list(
        "kind", "body_html"
    ):
        emails.setdefault(kind, []).append(html)
    manager = User.objects.get(email="manager@demo.opsboard.test")
    client.post(reverse("accounts:password_reset"), {"email": manager.email})
    emails["password-reset"] = [message.alternatives[0][0] for message in mail.outbox]
    _subject, _text, html = render_email(
        template="invitation",
        context={
            "invitation": SimpleNamespace(expires_at=monday + timedelta(days=7)),
            "organization": manager.memberships.get().organization,
            "inviter": manager,
            "role_label": "Member",
            "accept_url": "https://opsboard.example/invitations/token/",
        },
    )
    emails["invitation"] = [html]
    return emails


def test_every_email_arrives_with_its_css_inline(client) -> None:
    emails = every_email(client)
    kinds = {"weekly_digest", "deadline_reminder", KIND_FINAL, "password-reset", "invitation"}
    assert kinds <= {kind for kind, pages in emails.items() if pages}, sorted(emails)
    defined = stylesheet_classes()
    for kind, pages in emails.items():
        for html in pages:
            assert "<style" not in html, kind
            elements = Elements(html).found
            for tag, classes, style in elements:
                # A class the sheet does not know would be a look lost on the way.
                assert set(classes) <= defined, (kind, tag, classes)
                assert style or not classes, (kind, tag, classes)
            [masthead] = [style for _tag, classes, style in elements if "masthead" in classes]
            assert masthead["color"] == "#0b5cad" and masthead["font-size"] == "18px", kind
            [body] = [style for tag, _classes, style in elements if tag == "body"]
            assert body["background"] == "#f4f6f8", kind
    bars = [
        style
        for html in emails["weekly_digest"]
        for _t, c, style in Elements(html).found
        if "bar" in c
    ]
    # The bar's own height stays beside the rules of .bar.
    assert bars and all(bar["width"] == "5px" and bar["height"].endswith("px") for bar in bars)
