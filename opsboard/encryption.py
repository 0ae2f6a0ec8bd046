"""Secrets at rest: model fields stored encrypted with keys from the environment.

``FIELD_ENCRYPTION_KEYS`` lists Fernet keys (cryptography's MultiFernet): the first
encrypts, every one decrypts, so a key is rotated by putting a new one first,
running ``manage.py reencrypt_secrets`` and then dropping the old one. A copy of
the database alone holds only ciphertext.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

KEYS_HELP = (
    "FIELD_ENCRYPTION_KEYS must hold one or more Fernet keys, comma-separated (the first "
    "encrypts, all decrypt). Make one with: python -c 'from cryptography.fernet import "
    "Fernet; print(Fernet.generate_key().decode())'"
)


@lru_cache(maxsize=4)
def multi_fernet(keys: Sequence[str]) -> MultiFernet:
    """The MultiFernet of ``keys`` (a tuple), or ImproperlyConfigured saying how to fix them."""
    if not keys:
        raise ImproperlyConfigured(KEYS_HELP)
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"{KEYS_HELP} ({error})") from error


def _fernet() -> MultiFernet:
    return multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        # Never show the stored value: fail loudly, naming the likely cause.
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted: FIELD_ENCRYPTION_KEYS lacks the key "
            "it was encrypted with."
        ) from error


class EncryptedCharField(models.CharField):
    """A CharField whose value is stored encrypted; code and forms see the plain text.

    ``max_length`` limits the plain text a person types (forms and ``full_clean``
    check it); the column is ``text``, wide enough for any ciphertext. An empty
    value is stored empty. The ciphertext differs at each save, so the field
    cannot be searched: only ``isnull`` lookups are allowed.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value) if value else value

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


def encrypted_fields_reencrypt() -> dict[str, int]:
    """Encrypt every stored encrypted value again with the first key; rows per model.

    Each model's rows are locked while they are read and written back, so a save
    at the same moment waits instead of being overwritten with the old value.
    """
    counts: dict[str, int] = {}
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedCharField)
        ]
        if not names:
            continue
        with transaction.atomic():
            rows = model._base_manager.select_for_update().order_by("pk").values("pk", *names)
            for row in rows:
                pk = row.pop("pk")
                model._base_manager.filter(pk=pk).update(**row)
            counts[model._meta.label] = len(rows)
    return counts
