from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from opsboard.notify.emails import send_email

from .models import User, timezone_choices


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("The email address or the password is wrong. Check both and try again."),
        "inactive": _("This account is inactive."),
    }


class OpsboardPasswordResetForm(PasswordResetForm):
    """Send the reset link through the one email module, in the person's language."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        send_email(
            template="password-reset",
            to=[to_email],
            context=context,
            language=user.language or None,
            timezone_name=user.timezone or None,
        )


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
    """The address a sign-in attempt is for, as django-axes counts failures by it."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get("username") if source else None
    return User.objects.normalize_email(username) if username else None
