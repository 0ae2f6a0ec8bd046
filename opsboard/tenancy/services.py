"""Writes for organisations, teams, memberships and invitations.

Each function checks the rules a person would expect (who may grant which
role, an organisation always keeps an owner, teams and people belong to the
same organisation) and raises ``ValidationError`` with a message to show.
"""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsboard.accounts.models import User
from opsboard.notify.emails import send_email

from .access import require_manager
from .calendar import supported_regions
from .day_lists import ListedDay
from .models import (
    CompanyDay,
    IdentityProvider,
    Invitation,
    InvitationStatus,
    JoiningRules,
    Membership,
    Organization,
    Role,
    Team,
    hash_token,
)


def check_teams(organization: Organization, teams: Iterable[Team]) -> list[Team]:
    """The teams as a list; refused unless every one is of ``organization``."""
    teams = list(teams)
    if any(team.organization_id != organization.pk for team in teams):
        raise ValidationError({"teams": _("Choose teams of this organisation.")})
    return teams


@transaction.atomic
def organization_create(
    *,
    owner: User,
    name: str,
    slug: str,
    timezone_name: str = "UTC",
    language: str = "en",
    reminder_lead_days: int = 3,
    two_factor_for_managers: bool = False,
) -> Organization:
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("That short name is taken. Choose another.")})
    organization = Organization.objects.create(
        name=name,
        slug=slug,
        timezone=timezone_name,
        language=language,
        reminder_lead_days=reminder_lead_days,
        two_factor_for_managers=two_factor_for_managers,
    )
    Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    return organization


@transaction.atomic
def organization_update(
    *,
    actor: Membership,
    name: str,
    timezone_name: str,
    language: str,
    reminder_lead_days: int,
    reminder_hour: int | None = None,
    digest_weekday: int | None = None,
    retrospective_working_day: int | None = None,
    two_factor_for_managers: bool | None = None,
) -> Organization:
    """Change the organisation's settings; the job times and the two-factor rule left out
    (None) stay as they are."""
    require_manager(actor)
    organization = actor.organization
    organization.name = name
    organization.timezone = timezone_name
    organization.language = language
    organization.reminder_lead_days = reminder_lead_days
    if reminder_hour is not None:
        organization.reminder_hour = reminder_hour
    if digest_weekday is not None:
        organization.digest_weekday = digest_weekday
    if retrospective_working_day is not None:
        organization.retrospective_working_day = retrospective_working_day
    if two_factor_for_managers is not None:
        organization.two_factor_for_managers = two_factor_for_managers
    organization.full_clean()
    organization.save()
    return organization


def _check_lead(organization: Organization, lead: User | None) -> Membership | None:
    if lead is None:
        return None
    lead_membership = Membership.objects.filter(organization=organization, user=lead).first()
    if lead_membership is None:
        raise ValidationError({"lead": _("The team lead must be a member of the organisation.")})
    return lead_membership


def _check_team_name(organization: Organization, name: str, team: Team | None = None) -> None:
    clash = Team.objects.filter(organization=organization, name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": _("A team with this name already exists.")})


@transaction.atomic
def team_create(
    *,
    actor: Membership,
    name: str,
    description: str = "",
    lead: User | None = None,
    timezone: str = "",
) -> Team:
    require_manager(actor)
    organization = actor.organization
    _check_team_name(organization, name)
    _check_team_timezone(timezone)
    lead_membership = _check_lead(organization, lead)
    team = Team.objects.create(
        organization=organization, name=name, description=description, lead=lead, timezone=timezone
    )
    if lead_membership is not None:
        lead_membership.teams.add(team)
    return team


def _check_team_timezone(timezone: str) -> None:
    if timezone and timezone not in zoneinfo.available_timezones():
        raise ValidationError({"timezone": _("Choose a time zone from the list.")})


@transaction.atomic
def team_update(
    *,
    actor: Membership,
    team: Team,
    name: str,
    description: str,
    lead: User | None,
    timezone: str | None = None,
) -> Team:
    """Change the team; ``timezone`` None keeps its time zone, "" makes it the organisation's."""
    require_manager(actor)
    _check_team_name(team.organization, name, team)
    lead_membership = _check_lead(team.organization, lead)
    team.name = name
    team.description = description
    team.lead = lead
    if timezone is not None:
        _check_team_timezone(timezone)
        team.timezone = timezone
    team.save()
    if lead_membership is not None:
        # A team's lead is always one of its members.
        lead_membership.teams.add(team)
    return team


@transaction.atomic
def team_delete(*, actor: Membership, team: Team) -> None:
    """Delete the team; its chat groups go with it (their key to the team cascades)."""
    require_manager(actor)
    team.delete()


# Said by the service and by the People page, which offers no form for an owner to a manager.
ONLY_AN_OWNER_CHANGES_AN_OWNER = gettext_lazy("Only an owner can change another owner.")


def membership_check_change(
    *, actor: Membership | None, member: Membership, role: str | None
) -> None:
    """The owner rule for one change: ``member`` to ``role``, or removed when ``role`` is None."""
    membership_check_changes(actor=actor, changes=[(member, role)])


def membership_check_changes(
    *, actor: Membership | None, changes: Sequence[tuple[Membership, str | None]]
) -> None:
    """The owner rule for changes saved together in one organisation: each member as it is
    now, to its new role, or removed when the role is None.

    1. ``actor`` may change each member (``Membership.can_change``): PermissionDenied if not.
    2. ``actor`` may grant each role (``Membership.can_assign_role``).
    3. The organisation keeps an owner: its last owners neither step down nor leave.

    ``actor`` None is a superuser in the admin, who skips 1 and 2. The organisation's owners
    are locked (by primary key) for 3, so two requests at once cannot leave none: call this
    inside the transaction that saves the changes.
    """
    if not changes:
        return
    if actor is not None:
        require_manager(actor)
        for member, role in changes:
            if not actor.can_change(member):
                raise PermissionDenied(ONLY_AN_OWNER_CHANGES_AN_OWNER)
            if role is not None and not actor.can_assign_role(role):
                raise ValidationError({"role": _("Only an owner can make someone an owner.")})
    owners = set(
        Membership.objects.select_for_update()
        .filter(organization_id=changes[0][0].organization_id, role=Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for member, role in changes:
        if role == Role.OWNER:
            owners.add(member.pk)
        else:
            owners.discard(member.pk)
    unmade = [role for member, role in changes if member.role == Role.OWNER and role != Role.OWNER]
    if unmade and not owners:
        message = _("An organisation needs at least one owner.")
        raise ValidationError(message if unmade == [None] else {"role": message})


@transaction.atomic
def membership_update(
    *, actor: Membership, member: Membership, role: str, teams: Iterable[Team]
) -> Membership:
    membership_check_change(actor=actor, member=member, role=role)
    teams = check_teams(member.organization, teams)
    member.role = role
    member.save(update_fields=["role"])
    member.teams.set(teams)
    # Someone who leaves a team stops leading it.
    Team.objects.filter(organization=member.organization, lead=member.user).exclude(
        pk__in=[team.pk for team in teams]
    ).update(lead=None)
    return member


@transaction.atomic
def membership_remove(*, actor: Membership, member: Membership) -> None:
    membership_check_change(actor=actor, member=member, role=None)
    Team.objects.filter(organization=member.organization, lead=member.user).update(lead=None)
    member.delete()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def invitation_create(
    *, actor: Membership, email: str, role: str, teams: Iterable[Team]
) -> Invitation:
    require_manager(actor)
    organization = actor.organization
    email = User.objects.normalize_email(email)
    if not actor.can_assign_role(role):
        raise ValidationError({"role": _("Only an owner can invite an owner.")})
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    teams = check_teams(organization, teams)
    # Inviting the same address again replaces the earlier, unanswered invitation.
    now = timezone.now()
    Invitation.objects.filter(
        organization=organization,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    token = _new_token()
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor.user,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.teams.set(teams)
    _enqueue_invitation_email(invitation, token)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: Membership, invitation: Invitation) -> Invitation:
    """Send a fresh link; the old one stops working."""
    require_manager(actor)
    if invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        raise ValidationError(_("This invitation was already answered or revoked."))
    token = _new_token()
    now = timezone.now()
    invitation.token_hash = hash_token(token)
    invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at"])
    _enqueue_invitation_email(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    require_manager(actor)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _enqueue_invitation_email(invitation: Invitation, token: str) -> None:
    from .tasks import send_invitation_email

    # The token travels in the task message because only its hash is stored.
    send_invitation_email.delay_on_commit(invitation.pk, token)


def invitation_email_send(*, invitation_id: int, token: str) -> bool:
    """Email the invitation link, unless it was answered or replaced meanwhile."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(pk=invitation_id, token_hash=hash_token(token))
        .first()
    )
    if invitation is None or invitation.status != InvitationStatus.PENDING:
        return False
    existing_user = User.objects.filter(email__iexact=invitation.email).first()
    language = (existing_user.language if existing_user else "") or invitation.organization.language
    timezone_name = (
        existing_user.timezone if existing_user else ""
    ) or invitation.organization.timezone
    send_email(
        template="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "organization": invitation.organization,
            "inviter": invitation.invited_by,
            "role_label": Role(invitation.role).label,
            "accept_url": settings.SITE_URL + reverse("invitation_accept", args=[token]),
        },
        language=language,
        timezone_name=timezone_name,
    )
    return True


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation as invited. The invitation works once, before it expires."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."))
    status = invitation.status
    if status == InvitationStatus.ACCEPTED:
        raise ValidationError(_("This invitation was already used."))
    if status == InvitationStatus.REVOKED:
        raise ValidationError(_("This invitation was withdrawn."))
    if status == InvitationStatus.EXPIRED:
        raise ValidationError(_("This invitation has expired."))
    if not invitation.is_for(user):
        raise ValidationError(_("This invitation was sent to another email address."))
    membership, _created = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    membership.teams.add(*invitation.teams.all())
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept_as_new_user(
    *, token: str, email: str, full_name: str, password: str
) -> tuple[User, Membership]:
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this email already exists. Sign in to accept."))
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    return user, invitation_accept(token=token, user=user)


# The working calendar ---------------------------------------------------------------


def organization_calendar_changed(organization: Organization) -> None:
    """The cached years of the organisation's calendar are read again (calendar.py)."""
    Organization.objects.filter(pk=organization.pk).update(
        calendar_revision=F("calendar_revision") + 1
    )
    organization.refresh_from_db(fields=["calendar_revision"])


@transaction.atomic
def organization_calendar_update(
    *,
    actor: Membership,
    working_weekdays: Sequence[int],
    work_starts: time,
    work_ends: time,
    holiday_region: str,
    reminders_count_working_days: bool,
) -> Organization:
    """Change which weekdays and hours the organisation works and whose holidays it keeps."""
    require_manager(actor)
    organization = actor.organization
    errors = {}
    if not working_weekdays:
        errors["working_weekdays"] = _("Choose at least one working day of the week.")
    if work_ends <= work_starts:
        errors["work_ends"] = _("Working hours must end after they start.")
    if holiday_region not in supported_regions():
        errors["holiday_region"] = _("Choose a country or region from the list.")
    if errors:
        raise ValidationError(errors)
    organization.working_weekdays = ",".join(str(day) for day in sorted(set(working_weekdays)))
    organization.work_starts = work_starts
    organization.work_ends = work_ends
    organization.holiday_region = holiday_region
    organization.reminders_count_working_days = reminders_count_working_days
    organization.full_clean()
    organization.save()
    organization_calendar_changed(organization)
    return organization


@transaction.atomic
def company_day_add(*, actor: Membership, day: date, working: bool, reason: str) -> CompanyDay:
    """Set a day apart from the calendar: a company day off, or an extra working day."""
    require_manager(actor)
    organization = actor.organization
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so people know what the day is.")})
    if CompanyDay.objects.filter(organization=organization, date=day).exists():
        raise ValidationError({"date": _("This day is already set apart. Remove it first.")})
    company_day = CompanyDay(
        organization=organization, date=day, working=working, reason=reason, created_by=actor.user
    )
    company_day.full_clean()
    company_day.save()
    organization_calendar_changed(organization)
    return company_day


@transaction.atomic
def company_days_import(*, actor: Membership, days: Sequence[ListedDay]) -> int:
    """Set apart every listed day at once (a year's announced schedule, say), replacing the
    company days already on those dates. Returns how many it replaced."""
    require_manager(actor)
    organization = actor.organization
    dates = [day.date for day in days]
    replaced = CompanyDay.objects.filter(organization=organization, date__in=dates).delete()[0]
    CompanyDay.objects.bulk_create(
        CompanyDay(
            organization=organization,
            date=day.date,
            working=day.working,
            reason=day.reason,
            created_by=actor.user,
        )
        for day in days
    )
    organization_calendar_changed(organization)
    return replaced


@transaction.atomic
def company_day_remove(*, actor: Membership, company_day: CompanyDay) -> None:
    require_manager(actor)
    if company_day.organization_id != actor.organization_id:
        raise PermissionDenied
    company_day.delete()
    organization_calendar_changed(actor.organization)


# Single sign-on ------------------------------------------------------------------------

IDENTITY_PROVIDER_FIELDS = (
    "name",
    "server_url",
    "client_id",
    "client_secret",
    "email_domains",
    "tenant_claim",
    "tenant_id",
    "default_role",
    "default_team",
    "allow_joining",
    "active",
)


@transaction.atomic
def identity_provider_save(
    *, actor: Membership, identity_provider: IdentityProvider | None = None, **fields: object
) -> IdentityProvider:
    """Add an identity provider to the actor's organisation, or change one of its own. An
    empty ``client_secret`` on a change keeps the stored one (it is never shown back)."""
    require_manager(actor)
    if identity_provider is None:
        identity_provider = IdentityProvider(organization=actor.organization)
    elif identity_provider.organization_id != actor.organization_id:
        raise PermissionDenied
    for name in IDENTITY_PROVIDER_FIELDS:
        if name not in fields:
            continue
        if name == "client_secret" and not fields[name] and identity_provider.pk:
            continue
        setattr(identity_provider, name, fields[name])
    identity_provider.full_clean()
    identity_provider.save()
    return identity_provider


@transaction.atomic
def identity_provider_delete(*, actor: Membership, identity_provider: IdentityProvider) -> None:
    require_manager(actor)
    if identity_provider.organization_id != actor.organization_id:
        raise PermissionDenied
    identity_provider.delete()
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    if organization.single_sign_on_required and not organization.identity_providers.active():
        # Nobody but the owners could sign in any more.
        organization.single_sign_on_required = False
        organization.save(update_fields=["single_sign_on_required"])


@transaction.atomic
def organization_single_sign_on_require(*, actor: Membership, required: bool) -> Organization:
    """Whether the organisation's members sign in only through its identity providers."""
    require_manager(actor)
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    if required and not organization.identity_providers.active().exists():
        raise ValidationError(
            _("Add an active identity provider first: members would have no way to sign in.")
        )
    organization.single_sign_on_required = required
    organization.save(update_fields=["single_sign_on_required"])
    return organization


def single_sign_on_join(*, identity_provider: JoiningRules, user: User) -> Membership:
    """``user``, whom ``identity_provider`` vouched for, joins its organisation with its
    default role (the caller has checked the provider lets people join)."""
    if not identity_provider.allow_joining:
        raise PermissionDenied
    membership, _created = Membership.objects.get_or_create(
        organization=identity_provider.organization,
        user=user,
        defaults={"role": identity_provider.default_role},
    )
    if identity_provider.default_team_id:
        membership.teams.add(identity_provider.default_team_id)
    return membership
