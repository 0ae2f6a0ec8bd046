"""Sign in, sign out and reset a forgotten password through allauth, the email over real SMTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Tenant
from tests.factories import PASSWORD
from tests.integration.processes import SmtpServer, free_port

SIGN_IN = "/accounts/sign-in/"


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    yield server
    server.stop()


def parts(message: Message) -> tuple[str, str]:
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
    return text, html


def test_forgotten_password_reset_over_smtp_then_sign_in_and_out(
    tenant: Tenant, smtp: SmtpServer, settings
) -> None:
    user = tenant.lead.user
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": user.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert "Check your email" in client.get(response["Location"]).text

    [message] = smtp.mailbox.messages
    assert message["To"] == user.email
    assert message["Subject"] == "[Opsboard] Reset your password"
    text, html = parts(message)
    link = re.search(rf"{re.escape(settings.SITE_URL)}/accounts/password-reset/\S+/\S+/", text)
    assert link, text
    assert f'href="{link.group(0)}"' in html

    page = client.get(link.group(0).removeprefix(settings.SITE_URL), follow=True)
    assert "Choose a new password" in page.text
    form_url = page.redirect_chain[-1][0]
    assert "set-password" in form_url  # the key leaves the address bar (and the Referer)
    mismatch = client.post(form_url, {"password1": "brand-new-42-secret", "password2": "other"})
    assert mismatch.status_code == 200
    assert "field-error" in mismatch.text
    done = client.post(
        form_url, {"password1": "brand-new-42-secret", "password2": "brand-new-42-secret"}
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert "Your new password is set." in client.get(done["Location"]).text

    old = client.post(SIGN_IN, {"login": user.email, "password": PASSWORD})
    assert "The email address or the password is wrong." in old.text
    response = client.post(SIGN_IN, {"login": user.email, "password": "brand-new-42-secret"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session

    # Signing out: a page asks when opened, the button does it.
    assert "Sign out of Opsboard on this device?" in client.get(reverse("accounts:logout")).text
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_an_unknown_address_gets_no_email(db, smtp: SmtpServer) -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert smtp.mailbox.messages == []


def test_a_malformed_address_is_a_field_error(db, smtp: SmtpServer) -> None:
    response = Client().post(reverse("accounts:password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert 'class="field-error" id="id_email_error"' in response.text
    assert smtp.mailbox.messages == []
