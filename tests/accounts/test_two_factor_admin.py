"""The admin: ops managers see who of their people has two-factor sign-in; allauth's other
records stay with superusers."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from opsboard.accounts.models import User
from tests.accounts.two_factor import turn_on_two_factor


@pytest.fixture
def manager(demo: None) -> User:
    return User.objects.get(email="manager@demo.opsboard.test")


def test_a_manager_sees_only_their_peoples_authenticators(manager: User, client) -> None:
    member = User.objects.get(email="member@demo.opsboard.test")
    stranger = User.objects.get(email="other@other.opsboard.test")
    turn_on_two_factor(member)
    secret, _ = turn_on_two_factor(stranger)
    client.force_login(manager)
    page = client.get(reverse("admin:mfa_authenticator_changelist"))
    assert page.status_code == 200
    assert "member@demo.opsboard.test" in page.text
    assert "other@other.opsboard.test" not in page.text
    theirs = Authenticator.objects.filter(user=stranger).first()
    assert (
        client.get(reverse("admin:mfa_authenticator_change", args=[theirs.pk])).status_code == 302
    )
    mine = Authenticator.objects.filter(user=member, type="totp").get()
    detail = client.get(reverse("admin:mfa_authenticator_change", args=[mine.pk])).text
    assert secret not in detail and "secret" not in detail
    # Looking only: a manager removes nobody's.
    client.post(reverse("admin:mfa_authenticator_delete", args=[mine.pk]), {"post": "yes"})
    assert Authenticator.objects.filter(pk=mine.pk).exists()


def test_allauths_other_records_are_for_superusers(manager: User, client) -> None:
    client.force_login(manager)
    for name in (
        "account_emailaddress",
        "socialaccount_socialapp",
        "socialaccount_socialaccount",
        "socialaccount_socialtoken",
    ):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name
    admin = User.objects.create_superuser("root@example.test", "x-long-password-1")
    client.force_login(admin)
    assert client.get(reverse("admin:socialaccount_socialapp_changelist")).status_code == 200
