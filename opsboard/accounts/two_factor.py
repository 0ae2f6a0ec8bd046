"""Two-factor sign-in (django-allauth's MFA): whether a person has it, and checking a code."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

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
