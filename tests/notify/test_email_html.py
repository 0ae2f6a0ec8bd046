"""An email's HTML part says which language it is written in and is titled with its subject."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from kanban.models import relative_luminance
from opsboard.tenancy.models import Role
from tests.conftest import Tenant


def html_language_and_title(message) -> tuple[str, str]:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return (
        re.search(r'<html lang="([^"]*)">', html)[1],
        re.search(r"<title>(.*?)</title>", html, re.DOTALL)[1],
    )


@pytest.mark.parametrize(("language", "word"), [("en", "password"), ("zh-hans", "密码")])
def test_password_reset_email_in_the_persons_language(
    tenant: Tenant, client, language: str, word: str
) -> None:
    user = tenant.member.user
    user.language = language
    user.save()
    # The request itself is in English: the email follows the person, and so does its lang.
    client.post(
        reverse("accounts:password_reset"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE="en"
    )
    [message] = mail.outbox
    assert word in message.subject.lower()
    assert word in message.body.lower()
    assert html_language_and_title(message) == (language, escape(message.subject))


def test_invitation_in_the_organisations_chinese_from_an_english_request(
    tenant: Tenant, client, django_capture_on_commit_callbacks
) -> None:
    tenant.organization.language = "zh-hans"
    tenant.organization.save()
    client.force_login(tenant.manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:invitation_create", args=[tenant.organization.slug]),
            {"email": "newcomer@example.test", "role": Role.MEMBER, "teams": [tenant.team.pk]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    [message] = mail.outbox
    assert "邀请" in message.subject and "邀请" in message.body
    assert html_language_and_title(message) == ("zh-hans", escape(message.subject))


def test_email_text_colours_read_on_white() -> None:
    """Text colours written into the email templates reach 4.5:1 on the white page
    (white text sits on the blue button, which is checked the other way round)."""
    templates = Path(settings.BASE_DIR) / "templates" / "emails"
    white = relative_luminance("#ffffff")
    too_light = {}
    for template in templates.glob("*.html"):
        # "color:" alone, not "background-color:" or "border-color:"; may be chosen by a tag.
        for value in re.findall(r"(?<![-\w])color:([^;\"]*)", template.read_text()):
            for colour in re.findall(r"#[0-9a-fA-F]{6}", value):
                if colour.lower() == "#ffffff":
                    continue
                ratio = (white + 0.05) / (relative_luminance(colour) + 0.05)
                if ratio < 4.5:
                    too_light[f"{template.name} {colour}"] = round(ratio, 2)
    assert not too_light
