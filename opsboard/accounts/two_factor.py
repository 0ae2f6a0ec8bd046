"""Two-factor sign-in (django-allauth's MFA): whether a person has it, and checking a code."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db import transaction

from opsboard import encryption

from .models import User


def has_two_factor(user: User) -> bool:
    """Whether ``user`` signs in with a code from an authenticator app as well."""
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def two_factor_code_check(*, user: User, code: str) -> Authenticator | None:
    """The authenticator of ``user``'s that ``code`` is good for (the app's code of the
    moment, or an unused recovery code), else None. Either works once: a code seen
    again, or a recovery code used, is refused."""
    authenticators = Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).order_by("-type")  # "totp" first: a recovery code is spent only when it is one
    for authenticator in authenticators:
        if authenticator.wrap().validate_code(code):
            return authenticator
    return None


# The parts of an authenticator's data that allauth stores through the adapter's encrypt():
# the app's secret, and the seed the recovery codes are made from.
ENCRYPTED_PARTS = {Authenticator.Type.TOTP: "secret", Authenticator.Type.RECOVERY_CODES: "seed"}


def two_factor_secrets_reencrypt() -> int:
    """Encrypt every authenticator's secret again with the first key (key rotation, as
    ``opsboard.encryption.encrypted_fields_reencrypt`` does for the encrypted fields);
    the rows are locked while they are read and written back. Returns how many."""
    with transaction.atomic():
        authenticators = list(
            Authenticator.objects.select_for_update()
            .filter(type__in=list(ENCRYPTED_PARTS))
            .order_by("pk")
        )
        for authenticator in authenticators:
            part = ENCRYPTED_PARTS[authenticator.type]
            authenticator.data[part] = encryption.encrypt(
                encryption.decrypt(authenticator.data[part])
            )
            authenticator.save(update_fields=["data"])
    return len(authenticators)
