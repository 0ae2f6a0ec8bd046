"""How django-allauth works in Opsboard: its accounts and two-factor sign-in (single
sign-on, which needs the organisations, is ``opsboard.tenancy.single_sign_on``).

People join through their organisation's invitations, never by signing themselves up;
allauth's emails go through the one email module, in the person's language; wrong
passwords are counted by django-axes alone; the two-factor secrets are stored encrypted
with the keys of every other secret (``opsboard.encryption``).
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsboard import encryption
from opsboard.notify.emails import send_email

from .models import User

# allauth's emails that Opsboard sends, by allauth's name: the one email module's template.
EMAILS = {"account/email/password_reset_key": "password-reset"}

# allauth's notices after a step, by template: Opsboard's words for the ones it shows.
# The others (signed in, signed out) are said by the page they lead to.
NOTICES = {
    "account/messages/password_changed.txt": _("Your password is changed."),
    "account/messages/password_set.txt": _("Your password is set."),
    "mfa/messages/totp_activated.txt": _("Two-factor sign-in is on."),
    "mfa/messages/totp_deactivated.txt": _("Two-factor sign-in is off."),
    "mfa/messages/recovery_codes_generated.txt": _("New recovery codes are made."),
}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "The email address or the password is wrong. Check both and try again."
        ),
        "account_inactive": _("This account is inactive."),
        "enter_current_password": _("Enter your current password."),
        "incorrect_password": _("The password is wrong."),
        "incorrect_code": _("The code is wrong or was used already. Try the next one."),
        "invalid_password_reset": _(
            "This reset link is not valid any more: it was used already or it is older than a day."
        ),
        "too_many_login_attempts": _("Too many wrong codes. Wait a few minutes and try again."),
        "rate_limited": _("Too many tries in a short time. Wait a minute and try again."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join through an invitation (projects.views.invitation_accept).
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Leave wrong passwords to django-axes, which counts them per address and client and
        answers a locked-out attempt with its own page (settings: AXES_*)."""

    def get_reset_password_from_key_url(self, key: str) -> str:
        # The link in the email is on the site's own address, as every link Opsboard mails.
        uidb36, token = key.split("-", 1)
        path = reverse("accounts:password_reset_confirm", kwargs={"uidb36": uidb36, "key": token})
        return f"{settings.SITE_URL}{path}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        template = EMAILS.get(template_prefix)
        if template is None:
            # An email Opsboard has no words for (allauth's notices are off): none is sent.
            return
        user = context.get("user")
        send_email(
            template=template,
            to=[email],
            context={key: value for key, value in context.items() if key != "request"},
            language=getattr(user, "language", "") or None,
            timezone_name=getattr(user, "timezone", "") or None,
        )

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        notice = NOTICES.get(message_template or "")
        if notice is not None:
            super().add_message(request, level, message=str(notice), extra_tags=extra_tags)


class TwoFactorAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": AccountAdapter.error_messages["incorrect_code"],
        "cannot_generate_recovery_codes": _(
            "Turn on two-factor sign-in first: recovery codes go with it."
        ),
    }

    def get_totp_issuer(self) -> str:
        return settings.PRODUCT_NAME

    def get_totp_label(self, user: User) -> str:
        return user.email

    def encrypt(self, text: str) -> str:
        return encryption.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return encryption.decrypt(encrypted_text)
