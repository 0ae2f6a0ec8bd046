from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from tests.conftest import Tenant
from tests.factories import PASSWORD

SIGN_IN = "/accounts/sign-in/"


def test_sign_in_with_the_right_password_opens_the_dashboard(tenant: Tenant, client) -> None:
    response = client.post(
        SIGN_IN, {"login": tenant.member.user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:my_work", args=["acme"])
    assert "Acme" in response.text


def test_wrong_password_shows_an_error(tenant: Tenant, client) -> None:
    response = client.post(SIGN_IN, {"login": tenant.member.user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "The email address or the password is wrong." in response.text
    assert "_auth_user_id" not in client.session


def test_repeated_failures_are_throttled(tenant: Tenant, client) -> None:
    email = tenant.member.user.email
    for _ in range(4):
        assert client.post(SIGN_IN, {"login": email, "password": "wrong"}).status_code == 200
    response = client.post(SIGN_IN, {"login": email, "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    # Even the right password is refused while locked out.
    response = client.post(SIGN_IN, {"login": email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same place is not affected.
    response = client.post(SIGN_IN, {"login": tenant.viewer.user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_pages_ask_to_sign_in(tenant: Tenant, client) -> None:
    response = client.get(reverse("projects:dashboard", args=["acme"]))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_sign_out(tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(tenant: Tenant, client) -> None:
    user = tenant.member.user
    user.language = "zh-hans"
    user.save()
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [user.email]
    html = message.alternatives[0][0]
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/\S+/", message.body).group(0)
    assert link in html
    assert "密码" in message.subject

    path = "/" + link.split("/", 3)[3]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"password1": "brand-new-secret-42", "password2": "brand-new-secret-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-secret-42")
    # The link works once.
    response = client.get(path, follow=True)
    assert "not valid any more" in response.text or "不再有效" in response.text


def test_password_reset_for_an_unknown_address_says_the_same(db, client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []
