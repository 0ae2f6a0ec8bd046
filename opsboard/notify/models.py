"""The notification ledger and each person's notification preferences.

A Notification row is written before anything is sent, under a unique
constraint on (kind, subject key, recipient, period, channel): a job run twice,
two beats at once, or a retried task find the row taken and send nothing
more. Delivery then marks it sent or failed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from opsboard.encryption import EncryptedCharField
from opsboard.tenancy.models import JoiningRules, JoiningRulesQuerySet, Organization, Team

from .chat import Provider, mask
from .direct import DirectService


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("In the app only")
    CHAT = "chat", _("Chat group")
    # A copy of an email or in-app row, sent through the organisation's connected app.
    DIRECT = "direct", _("Direct message")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ChatWebhook(models.Model):
    """A chat group's incoming webhook: a team's, or (no team) the whole organisation's."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="chat_webhooks",
        verbose_name=_("organisation"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_webhooks",
        verbose_name=_("team"),
    )
    name = models.CharField(_("name"), max_length=100)
    provider = models.CharField(_("service"), max_length=10, choices=Provider.choices)
    # Stored encrypted (FIELD_ENCRYPTION_KEYS): the address carries the service's token.
    url = EncryptedCharField(_("webhook address"), max_length=500)
    secret = EncryptedCharField(_("signing secret"), max_length=200, blank=True)
    hour = models.PositiveSmallIntegerField(
        _("posting hour"),
        default=9,
        validators=[MaxValueValidator(23)],
        help_text=_("In the organisation's time zone."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("chat webhook")
        verbose_name_plural = _("chat webhooks")
        ordering = ["team_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"

    @property
    def masked_url(self) -> str:
        return mask(self.url)

    @property
    def masked_secret(self) -> str:
        return mask(self.secret)


class ConnectedAppQuerySet(JoiningRulesQuerySet):
    def signing_in(self) -> ConnectedAppQuerySet:
        """The apps people may sign in with now."""
        return self.filter(active=True, sign_in=True)


class ConnectedApp(JoiningRules):
    """An organisation's own Feishu, DingTalk or WeCom app, through which people who are
    known to it get their reminders as direct messages and, when ``sign_in`` is on, sign
    in (``opsboard.notify.sign_in``; the joining rules are an identity provider's)."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="connected_apps",
        verbose_name=_("organisation"),
    )
    service = models.CharField(_("service"), max_length=10, choices=DirectService.choices)
    # Feishu's App ID, DingTalk's AppKey; WeCom names its app by the corp ID and agent ID.
    app_id = models.CharField(_("app ID"), max_length=100, blank=True)
    app_secret = EncryptedCharField(_("app secret"), max_length=200)
    corp_id = models.CharField(_("corp ID"), max_length=100, blank=True)
    agent_id = models.CharField(_("agent ID"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sign_in = models.BooleanField(
        _("people may sign in with it"),
        default=False,
        help_text=_("A sign-in button for the app on the organisation's sign-in page."),
    )
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    objects = ConnectedAppQuerySet.as_manager()

    class Meta:
        verbose_name = _("connected app")
        verbose_name_plural = _("connected apps")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "service"], name="notify_one_app_per_service"
            ),
        ]

    def __str__(self) -> str:
        return self.get_service_display()

    @property
    def masked_secret(self) -> str:
        return mask(self.app_secret)

    @property
    def name(self) -> str:
        return str(self.get_service_display())

    @property
    def provider_id(self) -> str:
        """allauth's name for its sign-in: in its addresses and on the accounts linked."""
        return f"{self.service}{self.pk}"

    def vouches_for_tenant(self, claims: dict[str, object]) -> bool:
        """Only people of the app's own company: DingTalk names it (``corpId``) at sign-in;
        Feishu's and WeCom's internal apps let in no one else."""
        if self.service != DirectService.DINGTALK or not self.corp_id:
            return True
        return str(claims.get("corpId", "")) == self.corp_id


class LearnedBy(models.TextChoices):
    EMAIL = "email", _("Email address")
    MOBILE = "mobile", _("Mobile number")
    SIGN_IN = "sign_in", _("Signed in through the app")


class DirectIdentityQuerySet(models.QuerySet["DirectIdentity"]):
    def known(self) -> DirectIdentityQuerySet:
        """Those an active connected app knows: it gave their id there."""
        return self.filter(app__active=True, external_id__gt="")


class DirectIdentity(models.Model):
    """Who a person is in a connected app: their user id there, or (empty) that the app
    was asked and does not know them."""

    app = models.ForeignKey(
        ConnectedApp,
        on_delete=models.CASCADE,
        related_name="identities",
        verbose_name=_("connected app"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="direct_identities",
        verbose_name=_("person"),
    )
    external_id = models.CharField(_("user ID in the app"), max_length=100, blank=True)
    learned_by = models.CharField(
        _("learned by"), max_length=10, choices=LearnedBy.choices, blank=True
    )
    # What the app was asked with (a digest of the email address and mobile number): a
    # person who changes either is asked about again.
    asked_with = models.CharField(max_length=64, blank=True, editable=False)
    looked_up_at = models.DateTimeField(_("looked up"), default=django_timezone.now)

    objects = DirectIdentityQuerySet.as_manager()

    class Meta:
        verbose_name = _("person in a connected app")
        verbose_name_plural = _("people in connected apps")
        constraints = [
            models.UniqueConstraint(fields=["app", "user"], name="notify_one_identity_per_app"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.external_id or '?'} ({self.app})"

    @property
    def known(self) -> bool:
        return bool(self.external_id)


class NotificationQuerySet(models.QuerySet["Notification"]):
    def shown_in_app(self) -> NotificationQuerySet:
        """The rows a person's notifications list: a direct message is a copy of one of them."""
        return self.exclude(channel=Channel.DIRECT)


class Notification(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    # What it is about, e.g. "cards-due" for a day's bundle or "card:12".
    subject_key = models.CharField(_("about"), max_length=100)
    period = models.CharField(
        _("period"), max_length=20, help_text=_("e.g. the recipient's day, 2026-11-24")
    )
    # A person, or a chat group's webhook.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    webhook = models.ForeignKey(
        ChatWebhook,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("chat group"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    # The organisation it belongs to.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # Extra email headers, e.g. List-Unsubscribe.
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set while a worker sends it, so no other worker sends it at the same time;
    # only the sweep clears it for a worker that died (services.notifications_requeue_stale).
    delivering_since = models.DateTimeField(_("being sent since"), null=True, blank=True)
    # When a pending row is expected to be tried next: a sweep enqueues it again
    # once this is a few minutes past and no worker has it.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=django_timezone.now)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key", "recipient", "period", "channel"],
                name="notify_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_key", "webhook", "period"],
                condition=models.Q(webhook__isnull=False),
                name="notify_chat_once_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=True, webhook__isnull=False)
                | models.Q(recipient__isnull=False, webhook__isnull=True),
                name="notify_person_or_chat",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notify_unread"),
            # Scans of what one kind wrote lately (the activity bundles read two days').
            models.Index(fields=["kind", "created_at"], name="notify_kind_created"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="notify_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient or self.webhook} ({self.period})"


class ActivityEmail(models.TextChoices):
    """When the activity on the cards a person follows reaches them by email and by direct
    message (each as they take them). It always shows in the app at once; with neither,
    only there."""

    IMMEDIATELY = "immediately", _("At once, one for each change")
    HOURLY = "hourly", _("Bundled, at most one an hour")
    DAILY = "daily", _("Bundled, one a day at my reminder hour")


class PreferenceQuerySet(models.QuerySet["Preference"]):
    def with_direct_reach(self, organization_id: int) -> PreferenceQuerySet:
        """Each with ``direct_known``: an active connected app of the organisation knows
        the person (``Preference.direct_reach`` reads it)."""
        known = DirectIdentity.objects.known().filter(
            user_id=models.OuterRef("user_id"), app__organization_id=organization_id
        )
        return self.annotate(direct_known=models.Exists(known))


class Preference(models.Model):
    """When and how a person hears from Opsboard."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("person"),
    )
    email = models.BooleanField(_("by email"), default=True)
    reminder_hour = models.PositiveSmallIntegerField(
        _("reminder hour"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(23)],
        help_text=_("In your own time zone. Empty: the organisation's hour."),
    )
    lead_days = models.CharField(
        _("remind me this many days before"),
        max_length=40,
        blank=True,
        help_text=_("Comma-separated, e.g. 0,1,3,7. Empty: the organisation's setting."),
    )
    weekly_digest = models.BooleanField(
        _("weekly KPI digest"),
        null=True,
        blank=True,
        help_text=_("Empty: yes for team leads, ops managers and owners."),
    )
    # Hourly by default: the app shows each change at once, and a busy card does not
    # fill the inbox (Jira and Asana bundle too).
    # Reminders, escalations, mentions and followed cards' activity also (or, with
    # ``email`` off, instead) as a direct message, when a connected app knows the person.
    direct_message = models.BooleanField(_("by direct message"), default=False, db_default=False)
    activity_email = models.CharField(
        _("activity on cards I follow"),
        max_length=12,
        choices=ActivityEmail.choices,
        default=ActivityEmail.HOURLY,
        # Rows written by code that predates the column (older migrations' models) too.
        db_default=ActivityEmail.HOURLY,
        help_text=_(
            "By email and by direct message, as you take them; in your notifications at once "
            "either way. Mentions come at once."
        ),
    )
    quiet_weekdays = models.CharField(
        _("quiet days"),
        max_length=20,
        blank=True,
        help_text=_("Days without reminders: 5,6 for Saturday and Sunday."),
    )

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def direct_reach(self) -> bool:
        """Whether the person gets direct messages too: they chose them and the
        organisation's app knows them (read with ``with_direct_reach``)."""
        return self.direct_message and getattr(self, "direct_known", False)

    def hour_or(self, organization_hour: int) -> int:
        """The hour reminders and the digest go out: the person's own, else the organisation's."""
        return organization_hour if self.reminder_hour is None else self.reminder_hour

    def lead_horizon(self, organization_lead_days: int) -> int:
        """How many days ahead "due soon" reaches for the person: their furthest reminder
        day, else the organisation's lead days (as the reminders decide)."""
        days = self.lead_day_list()
        return max(days) if days else organization_lead_days

    def lead_day_list(self) -> list[int] | None:
        return (
            sorted({int(part) for part in self.lead_days.split(",") if part.strip().isdigit()})
            or None
        )

    def quiet_day_set(self) -> set[int]:
        return {int(part) for part in self.quiet_weekdays.split(",") if part.strip().isdigit()}
