"""An email's HTML part says which language it is written in and is titled with its subject."""

from __future__ import annotations

import re
from html import escape

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import Role
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
