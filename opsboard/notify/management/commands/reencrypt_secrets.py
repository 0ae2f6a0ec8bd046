"""Encrypt the stored secrets again with the first of FIELD_ENCRYPTION_KEYS (key rotation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opsboard.accounts.two_factor import two_factor_secrets_reencrypt
from opsboard.encryption import encrypted_fields_reencrypt


class Command(BaseCommand):
    help = (
        "Encrypt every stored secret (chat webhook addresses and signing secrets, the"
        " two-factor sign-in secrets) again"
        " with the first key of FIELD_ENCRYPTION_KEYS. To rotate: put a new key first,"
        " restart the web, worker and beat, run this, then remove the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model, count in encrypted_fields_reencrypt().items():
            self.stdout.write(f"{model}: {count} rows encrypted with the first key.")
        count = two_factor_secrets_reencrypt()
        self.stdout.write(f"mfa.Authenticator: {count} rows encrypted with the first key.")
