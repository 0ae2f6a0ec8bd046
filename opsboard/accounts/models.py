from __future__ import annotations

import hashlib
import re
import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from .names import initials, pinyin_key

MOBILE = re.compile(r"^\+?[0-9]{7,15}$")


def normalize_mobile(value: str) -> str:
    """A mobile number without spaces, dashes or brackets: +8613800138000."""
    return re.sub(r"[\s\-()]", "", value or "")


def validate_mobile(value: str) -> None:
    if value and not MOBILE.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a mobile number of 7 to 15 digits, with + and the country code if abroad.")
        )


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def zone(name: str, fallback: str) -> zoneinfo.ZoneInfo:
    """The time zone ``name``, else ``fallback`` (empty or unknown names happen in old rows)."""
    try:
        return zoneinfo.ZoneInfo(name or fallback)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(fallback)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Addresses are compared without regard to case everywhere in Opsboard.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=self.normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    # The pinyin of a Chinese full name, kept with it (``save``), for "@" suggestions.
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False, db_default="")
    # Optional: lets a connected Feishu, DingTalk or WeCom app find the person by it.
    mobile = models.CharField(
        _("mobile number"),
        max_length=20,
        blank=True,
        # Rows written by code that predates the column (older migrations' models) too.
        db_default="",
        validators=[validate_mobile],
        help_text=_(
            "Optional, e.g. +86 138 0013 8000: your organisation's chat app finds you by it."
        ),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Leave empty to use the organisation's time zone."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow the browser."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can sign in to the admin panel."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=django_timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = User.objects.normalize_email(self.email)
        self.mobile = normalize_mobile(self.mobile)

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_pinyin = pinyin_key(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """Who this is in a list of people: the full name, else the email address."""
        return self.full_name.strip() or self.email

    @property
    def addressed_as(self) -> str:
        """The name a greeting uses: the full name as written (王小明, "Wang Xiaoming"),
        never a part of it and never the email address; "" when the person gave no
        name, and the greeting then goes without one ("你好：", "Hello,")."""
        return self.full_name.strip()

    @property
    def initials(self) -> str:
        """The avatar's letters: 小明 for 王小明, "WX" for "Wang Xiaoming", else the
        first letter of the email address (see ``names.initials``)."""
        return initials(self.full_name) or self.email[:1].upper() or "?"

    def get_full_name(self) -> str:
        return self.full_name.strip()

    def get_short_name(self) -> str:
        """The full name as written, as ``addressed_as``: a name has no "first name"
        to split off (王小明 has no space; "Wang Xiaoming" puts the family first)."""
        return self.addressed_as


class ApiKey(models.Model):
    """A key that scripts send as ``Authorization: Token <key>`` to reach the API as a person.

    Only the key's SHA-256 hash is stored (it is looked up by it), and its first
    characters to recognise it by; the key itself is shown once, when it is made.
    A key of 256 random bits needs no salt nor slow hash: nothing can guess it.
    """

    # Marks our keys, so secret scanners and people can tell them apart.
    KEY_START = "opsb_"
    SHOWN_LENGTH = 12

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("person"),
    )
    prefix = models.CharField(_("starts with"), max_length=SHOWN_LENGTH)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
