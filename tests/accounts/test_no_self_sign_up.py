"""People join through their organisation's invitation: there is no sign-up of one's own."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from opsboard.accounts.models import User


def test_the_sign_up_page_says_how_to_join_and_makes_no_account(db) -> None:
    client = Client()
    page = client.get(reverse("account_signup"))
    assert "ask an ops manager of yours to invite you" in page.text
    client.post(
        reverse("account_signup"),
        {
            "email": "walk-in@example.test",
            "password1": "s3cret-enough!",
            "password2": "s3cret-enough!",
        },
    )
    assert not User.objects.filter(email="walk-in@example.test").exists()
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_offers_no_sign_up(db) -> None:
    page = Client().get(reverse("accounts:login")).text
    assert reverse("account_signup") not in page
    assert "Ask an ops manager of your organisation to invite you." in page
