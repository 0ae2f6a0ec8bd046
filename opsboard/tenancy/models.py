"""The tenant: organisations, their teams, people's memberships and roles, and invitations.

The models moved here from ``projects`` without their tables: each keeps its
``projects_*`` table (``db_table``), so rows and foreign keys stayed as they were.
"""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from opsboard.accounts.models import User
from opsboard.accounts.models import zone as zone_named
from opsboard.encryption import EncryptedCharField


class Role(models.TextChoices):
    """What a person may do in one organisation, from most to least."""

    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Ops manager")
    LEAD = "lead", _("Team lead")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK = {Role.OWNER: 4, Role.MANAGER: 3, Role.LEAD: 2, Role.MEMBER: 1, Role.VIEWER: 0}


class Organization(models.Model):
    """The tenant: everything else belongs to exactly one organisation."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("short name"),
        max_length=60,
        unique=True,
        help_text=_(
            "Used in addresses, e.g. /o/demo-ops/. Lower-case letters, digits and hyphens."
        ),
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Used for emails to people who have not chosen a language."),
    )
    reminder_lead_days = models.PositiveSmallIntegerField(
        _("reminder lead time (days)"),
        default=3,
        validators=[MaxValueValidator(30)],
        help_text=_("How many days before a due date people are reminded."),
    )
    # When the jobs send: an organisation tunes its own here; the beat schedules
    # that run the jobs are global and for superusers only.
    reminder_hour = models.PositiveSmallIntegerField(
        _("reminder hour"),
        default=8,
        validators=[MaxValueValidator(23)],
        help_text=_(
            "Reminders and the weekly digest go out from this hour, in each person's time zone"
            " (else the organisation's). People may choose their own hour."
        ),
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest day"),
        default=0,
        choices=list(WEEKDAYS.items()),
        help_text=_("The day the digest of the week before goes out."),
    )
    retrospective_working_day = models.PositiveSmallIntegerField(
        _("retrospective day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "Last month's retrospectives are built at 07:00 on this working day of the month"
            " (1 = the first, Monday to Friday)."
        ),
    )
    two_factor_for_managers = models.BooleanField(
        _("two-factor sign-in for owners and ops managers"),
        default=False,
        # Rows written by code that does not know the column (older migrations' models).
        db_default=False,
        help_text=_(
            "Owners and ops managers sign in with a code from an authenticator app as well."
            " Whoever has not set one up is asked to before any page of the organisation."
        ),
    )
    # The working calendar (opsboard/tenancy/calendar.py): which weekdays and hours are
    # worked, whose public holidays apply, and whether reminders count working days.
    working_weekdays = models.CharField(
        _("working days of the week"),
        max_length=20,
        default="0,1,2,3,4",
        db_default="0,1,2,3,4",
        help_text=_("0 is Monday, 6 is Sunday: 0,1,2,3,4 for Monday to Friday."),
    )
    work_starts = models.TimeField(_("working hours start"), default=time(9), db_default=time(9))
    work_ends = models.TimeField(_("working hours end"), default=time(18), db_default=time(18))
    holiday_region = models.CharField(
        _("public holidays of"),
        max_length=10,
        default="CN",
        db_default="CN",
        help_text=_("The country or region whose public holidays the organisation keeps."),
    )
    reminders_count_working_days = models.BooleanField(
        _("count reminder lead days in working days"),
        default=False,
        db_default=False,
        help_text=_(
            "Three days before a due date then means three working days, and no reminders"
            " are sent on public holidays and company days off."
        ),
    )
    single_sign_on_required = models.BooleanField(
        _("members sign in only through single sign-on"),
        default=False,
        db_default=False,
        help_text=_(
            "Members sign in through one of the organisation's identity providers, not with a"
            " password. Owners keep their password as a way back in."
        ),
    )
    # Bumped whenever the calendar changes, so the years cached for the organisation are
    # read again (calendar.py).
    calendar_revision = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        db_table = "projects_organization"
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The organisation's time zone (UTC when the stored name is unknown)."""
        return zone_named(self.timezone, "UTC")

    def day_of(self, moment: datetime) -> date:
        """The calendar day ``moment`` falls on in the organisation's time zone."""
        return moment.astimezone(self.zone).date()

    def language_for(self, user: User) -> str:
        """The language ``user`` reads messages from this organisation in: their own, else its."""
        return user.language or self.language

    def timezone_for(self, user: User) -> str:
        """The time zone ``user``'s messages from this organisation are dated in."""
        return user.timezone or self.timezone

    def today(self) -> date:
        """Today in the organisation's time zone: the day overdue and due dates are read against."""
        return self.day_of(django_timezone.now())

    def working_weekday_set(self) -> set[int]:
        return {int(part) for part in self.working_weekdays.split(",") if part.strip().isdigit()}


class CompanyDay(models.Model):
    """A day the organisation's managers set apart from its calendar: a company day off
    (a team-building day) or an extra working day, with the reason people will read."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="company_days",
        verbose_name=_("organisation"),
    )
    date = models.DateField(_("date"))
    working = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked: an extra working day. Not ticked: a company day off."),
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("company day")
        verbose_name_plural = _("company days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "date"], name="tenancy_companyday_one_per_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


class Team(models.Model):
    """A department taking part in cross-team work, e.g. Product or Logistics."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="teams", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("team lead"),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_(
            "Where the team works, if not in the organisation's time zone: its working hours"
            " and response times are read there."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        db_table = "projects_team"
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="projects_team_name_unique_in_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The team's time zone: its own, else its organisation's."""
        return zone_named(self.timezone or self.organization.timezone, "UTC")


class Membership(models.Model):
    """A person's place in an organisation: their role and their teams."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    teams = models.ManyToManyField(
        Team, blank=True, related_name="memberships", verbose_name=_("teams")
    )
    created_at = models.DateTimeField(_("joined"), default=django_timezone.now, editable=False)

    class Meta:
        db_table = "projects_membership"
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="projects_membership_one_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    @property
    def role_rank(self) -> int:
        return ROLE_RANK[Role(self.role)]

    @property
    def can_edit(self) -> bool:
        """Anyone but a viewer may change the work itself."""
        return self.role != Role.VIEWER

    @property
    def can_lead(self) -> bool:
        return self.role_rank >= ROLE_RANK[Role.LEAD]

    @property
    def can_manage(self) -> bool:
        """Owners and ops managers run the organisation: settings, teams, people."""
        return self.role_rank >= ROLE_RANK[Role.MANAGER]

    @property
    def needs_two_factor(self) -> bool:
        """Whether the organisation asks this person for two-factor sign-in: it does of its
        owners and ops managers when it says so (``two_factor_for_managers``)."""
        return self.can_manage and self.organization.two_factor_for_managers

    def can_assign_role(self, role: str) -> bool:
        """The owner rule: managers grant and take away roles, but only an owner makes or unmakes owners.

        Services, the role choices of the forms, the People page and the admin all ask this.
        """
        return self.can_manage and (role != Role.OWNER or self.role == Role.OWNER)

    def can_change(self, member: Membership) -> bool:
        """May change ``member``'s role and teams, or remove them: take away the role they hold."""
        return self.can_assign_role(member.role)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(models.Model):
    """An emailed invitation to join an organisation with a role and teams.

    Only a hash of the token is stored: the token itself lives in the email.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    teams = models.ManyToManyField(Team, blank=True, related_name="+", verbose_name=_("teams"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=django_timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        db_table = "projects_invitation"
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="projects_invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    def is_for(self, user: User) -> bool:
        """Whether ``user`` is the person invited: the same email address, in any case."""
        return user.email.lower() == self.email.lower()

    def invitee_has_account(self) -> bool:
        return User.objects.filter(email__iexact=self.email).exists()

    def status_at(self, moment: datetime) -> InvitationStatus:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= moment:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def status(self) -> InvitationStatus:
        return self.status_at(django_timezone.now())


class JoiningRulesQuerySet(models.QuerySet):
    """The ways of signing in of one kind, narrowed as a sign-in page asks."""

    def narrowed(
        self,
        *,
        user: object | None = None,
        organization_slug: str | None = None,
        email_domain: str | None = None,
    ) -> JoiningRulesQuerySet:
        """Of the organisations ``user`` belongs to (the ones they may link), of one
        organisation (its sign-in page), or naming an email domain; all when not narrowed."""
        found = self
        if user is not None:
            found = found.filter(organization__memberships__user=user)
        if organization_slug is not None:
            found = found.filter(organization__slug=organization_slug)
        if email_domain is not None:
            found = found.claiming_domain(email_domain)
        return found

    def claiming_domain(self, domain: str) -> JoiningRulesQuerySet:
        """Those that name ``domain`` among their allowed email domains, as
        ``JoiningRules.domain_list`` reads them (one that allows any domain is found by its
        organisation's sign-in page only)."""
        domain = domain.strip().lower().lstrip("@")
        if not domain:
            return self.none()
        return self.filter(email_domains__iregex=rf"(^|[,;])\s*@?{re.escape(domain)}\s*($|[,;])")


class JoiningRules(models.Model):
    """Whom a way of signing in lets in and how they join: an identity provider's, or an
    organisation's connected app's. Someone it vouches for has a verified email address
    in one of ``email_domains`` (any, when empty)."""

    # Each kind names its organisation and itself (on its sign-in button).
    organization: models.ForeignKey[Organization, Organization]
    name: str

    email_domains = models.CharField(
        _("allowed email domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. example.com, example.cn. Empty: any domain."),
    )
    default_role = models.CharField(
        _("role of people who join"),
        max_length=10,
        choices=[(role.value, role.label) for role in Role if role != Role.OWNER],
        default=Role.MEMBER,
    )
    default_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team of people who join"),
    )
    allow_joining = models.BooleanField(
        _("people may join through it"),
        default=False,
        help_text=_(
            "Someone the provider vouches for who is not yet a member joins the organisation"
            " with the role above. Not ticked: only members sign in through it."
        ),
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.default_team and self.default_team.organization_id != self.organization_id:
            raise ValidationError({"default_team": _("Choose one of the organisation's teams.")})

    def domain_list(self) -> list[str]:
        return [
            part.strip().lower().lstrip("@")
            for part in self.email_domains.replace(";", ",").split(",")
            if part.strip()
        ]

    def vouches_for_email(self, email: str) -> bool:
        domains = self.domain_list()
        return not domains or email.rsplit("@", 1)[-1].lower() in domains

    def vouches_for_tenant(self, claims: dict[str, object]) -> bool:
        """Whether the person is of the company it lets in (``claims``: what it said of them)."""
        return True


class IdentityProviderQuerySet(JoiningRulesQuerySet):
    def active(self) -> IdentityProviderQuerySet:
        return self.filter(active=True)


class IdentityProvider(JoiningRules):
    """An OpenID Connect provider (Keycloak, Authing, Azure AD, Okta…) people of the
    organisation sign in through; ``opsboard.tenancy.single_sign_on`` hands it to allauth.

    The provider vouches for a person when their email address is verified, in one of
    ``email_domains`` (any, when empty) and, when ``tenant_id`` is set, its ``tenant_claim``
    carries that value."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="identity_providers",
        verbose_name=_("organisation"),
    )
    name = models.CharField(
        _("name"),
        max_length=60,
        help_text=_('Shown on the sign-in button: "Sign in with <name>".'),
    )
    server_url = models.URLField(
        _("issuer URL"),
        help_text=_(
            "The provider's address, where /.well-known/openid-configuration is found,"
            " e.g. https://sso.example.com/realms/ops."
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret = EncryptedCharField(_("client secret"), max_length=500)
    tenant_claim = models.CharField(
        _("tenant claim"),
        max_length=60,
        blank=True,
        default="tid",
        help_text=_("The claim that names the provider's tenant, e.g. tid."),
    )
    tenant_id = models.CharField(
        _("tenant ID"),
        max_length=200,
        blank=True,
        help_text=_("Only people of this tenant are let in. Empty: any tenant."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    objects = IdentityProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def provider_id(self) -> str:
        """allauth's name for it: in its addresses and on the accounts linked through it."""
        return f"idp{self.pk}"

    def vouches_for_tenant(self, claims: dict[str, object]) -> bool:
        if not self.tenant_id:
            return True
        return str(claims.get(self.tenant_claim or "tid", "")) == self.tenant_id
