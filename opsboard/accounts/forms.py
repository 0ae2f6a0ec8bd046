from __future__ import annotations

from typing import Any

from allauth.account.fields import SetPasswordField
from allauth.account.forms import (
    ChangePasswordForm,
    LoginForm,
    PasswordVerificationMixin,
    ReauthenticateForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
    SetPasswordForm,
)
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as MfaReauthenticateForm
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.recovery_codes.forms import GenerateRecoveryCodesForm
from allauth.mfa.totp.forms import ActivateTOTPForm, DeactivateTOTPForm
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import User, timezone_choices
from .two_factor import two_factor_code_check


def speak_opsboard(form: forms.Form, labels: dict[str, Any]) -> None:
    """Name ``form``'s fields in Opsboard's words: a label each, no placeholder standing in
    for it, and no help text of allauth's (the pages carry their own links)."""
    for name, label in labels.items():
        field = form.fields[name]
        field.label = label
        field.widget.attrs.pop("placeholder", None)
        if not isinstance(field, SetPasswordField):
            field.help_text = ""


class SamePasswordTwice:
    """The check of allauth's forms that ask for a new password twice, in Opsboard's words."""

    def clean(self) -> dict[str, Any]:
        cleaned = super(PasswordVerificationMixin, self).clean()  # type: ignore[misc]
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))  # type: ignore[attr-defined]
        return cleaned


class SignInForm(LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(self, {"login": _("Email"), "password": _("Password")})
        self.fields["login"].widget.attrs.update({"autofocus": True, "autocomplete": "email"})


class PasswordResetForm(ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(self, {"email": _("Email")})


class NewPasswordForm(SamePasswordTwice, ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(self, {"password1": _("New password"), "password2": _("Password again")})


class PasswordChangeForm(SamePasswordTwice, ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(
            self,
            {
                "oldpassword": _("Current password"),
                "password1": _("New password"),
                "password2": _("Password again"),
            },
        )


class PasswordSetForm(SamePasswordTwice, SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(self, {"password1": _("Password"), "password2": _("Password again")})


class ConfirmPasswordForm(ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(self, {"password": _("Password")})


CODE_HELP = _("The six digits your authenticator app shows now, or one of your recovery codes.")


def code_field_attrs() -> dict[str, str]:
    return {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": "autofocus"}


class TwoFactorCodeForm(AuthenticateForm):
    """The second step of signing in: a code from the app, or a recovery code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(self, {"code": _("Code")})
        self.fields["code"].help_text = CODE_HELP
        self.fields["code"].widget.attrs.update(code_field_attrs())


class TwoFactorConfirmForm(MfaReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(self, {"code": _("Code")})
        self.fields["code"].help_text = CODE_HELP
        self.fields["code"].widget.attrs.update(code_field_attrs())


class TurnOnTwoFactorForm(ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_opsboard(self, {"code": _("Code from the app")})
        self.fields["code"].help_text = _("The six digits the app shows for Opsboard now.")
        self.fields["code"].widget.attrs.update(code_field_attrs())


class TurnOffTwoFactorForm(DeactivateTOTPForm):
    """Turning two-factor sign-in off asks for a code, so a session left open is not enough."""

    code = forms.CharField(
        label=_("Code from the app"),
        help_text=CODE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # allauth's view binds the form to nothing on GET, to show at once why it may not be
        # turned off: the code is asked for only once the form is sent.
        if not self.data:
            self.fields["code"].required = False

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not self.data or not code:
            return code
        clear_rate_limit = check_rate_limit(self.authenticator.user)
        self.confirmed_with = two_factor_code_check(user=self.authenticator.user, code=code)
        if self.confirmed_with is None:
            raise get_mfa_adapter().validation_error("incorrect_code")
        clear_rate_limit()
        return code


class NewRecoveryCodesForm(GenerateRecoveryCodesForm):
    pass


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Leave empty to use the organisation's time zone."),
    )

    class Meta:
        model = User
        fields = ["full_name", "mobile", "timezone", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [("", _("Organisation's time zone")), *timezone_choices()]
        self.fields["language"].choices = [
            ("", _("Follow the browser")),
            *self.fields["language"].choices[1:],
        ]


class SetPasswordAndNameForm(forms.Form):
    """Create an account while accepting an invitation."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            try:
                password_validation.validate_password(
                    password1, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def throttle_key(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """The address a sign-in attempt is for, as django-axes counts failures by it: allauth
    authenticates with ``email``, the sign-in form sends it as ``login``."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    address = None
    if source:
        address = source.get("email") or source.get("login") or source.get("username")
    return User.objects.normalize_email(address) if address else None


class SingleSignOnFindForm(forms.Form):
    """The work email address whose domain finds its organisation's single sign-on."""

    email = forms.EmailField(
        label=_("Work email address"),
        help_text=_("Only its domain is used, to find your organisation's sign-in."),
    )

    @property
    def domain(self) -> str:
        return self.cleaned_data["email"].rsplit("@", 1)[-1].lower()
