"""Writes for organisations, teams, memberships and invitations.

Each function checks the rules a person would expect (who may grant which
role, an organisation always keeps an owner, teams and people belong to the
same organisation) and raises ``ValidationError`` with a message to show.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from opsboard.accounts.models import User
from opsboard.notify.emails import send_email
from opsboard.notify.models import ChatWebhook, Notification
from opsboard.notify.services import TransientDeliveryError, chat_claim, notification_deliver

from .access import require_lead, require_manager
from .goals import smart_check
from .models import (
    CLOSED_GOAL_STATES,
    CheckIn,
    Direction,
    Goal,
    GoalState,
    Invitation,
    InvitationStatus,
    Membership,
    Organization,
    Project,
    ProjectStatus,
    Role,
    Team,
    Unit,
    hash_token,
)


def _check_teams(organization: Organization, teams: Iterable[Team]) -> list[Team]:
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
) -> Organization:
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("That short name is taken. Choose another.")})
    organization = Organization.objects.create(
        name=name,
        slug=slug,
        timezone=timezone_name,
        language=language,
        reminder_lead_days=reminder_lead_days,
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
) -> Organization:
    """Change the organisation's settings; the job times left out (None) stay as they are."""
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
    *, actor: Membership, name: str, description: str = "", lead: User | None = None
) -> Team:
    require_manager(actor)
    organization = actor.organization
    _check_team_name(organization, name)
    lead_membership = _check_lead(organization, lead)
    team = Team.objects.create(
        organization=organization, name=name, description=description, lead=lead
    )
    if lead_membership is not None:
        lead_membership.teams.add(team)
    return team


@transaction.atomic
def team_update(
    *, actor: Membership, team: Team, name: str, description: str, lead: User | None
) -> Team:
    require_manager(actor)
    _check_team_name(team.organization, name, team)
    lead_membership = _check_lead(team.organization, lead)
    team.name = name
    team.description = description
    team.lead = lead
    team.save()
    if lead_membership is not None:
        # A team's lead is always one of its members.
        lead_membership.teams.add(team)
    return team


@transaction.atomic
def team_delete(*, actor: Membership, team: Team) -> None:
    require_manager(actor)
    ChatWebhook.objects.filter(organization_id=team.organization_id, team_id=team.pk).delete()
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
    teams = _check_teams(member.organization, teams)
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
    teams = _check_teams(organization, teams)
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
    if user.email.lower() != invitation.email.lower():
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


# Projects and goals --------------------------------------------------------


def may_edit_project(actor: Membership, project: Project) -> bool:
    return (
        actor.can_manage or (actor.can_lead and actor.can_edit) or project.owner_id == actor.user_id
    )


def may_edit_goal(actor: Membership, goal: Goal) -> bool:
    if goal.project_id is None:
        return actor.can_manage
    return may_edit_project(actor, goal.project) or (
        actor.can_edit and goal.owner_id == actor.user_id
    )


def _require_goal_editor(actor: Membership, goal: Goal) -> None:
    if not may_edit_goal(actor, goal):
        raise PermissionDenied(
            _("Only the goal's owner, the project's leads and ops managers can change it.")
        )


def _check_members(organization: Organization, **people: User | None) -> None:
    for field, person in people.items():
        if (
            person is not None
            and not Membership.objects.filter(organization=organization, user=person).exists()
        ):
            raise ValidationError({field: _("Choose a member of this organisation.")})


def _check_dates(start: date | None, due: date | None, *, field: str = "due_date") -> None:
    if start and due and due < start:
        raise ValidationError({field: _("The due date is before the start.")})


@dataclass
class ProjectInput:
    name: str
    description: str
    teams: list[Team]
    owner: User | None
    start_date: date
    due_date: date
    status: str = ProjectStatus.PLANNED


def _apply_project(project: Project, data: ProjectInput) -> Project:
    _check_dates(data.start_date, data.due_date)
    if not data.teams:
        raise ValidationError({"teams": _("Choose at least one participating team.")})
    teams = _check_teams(project.organization, data.teams)
    _check_members(project.organization, owner=data.owner)
    project.name = data.name
    project.description = data.description
    project.owner = data.owner
    project.start_date = data.start_date
    project.due_date = data.due_date
    project.status = data.status
    project.save()
    project.teams.set(teams)
    return project


@transaction.atomic
def project_create(*, actor: Membership, data: ProjectInput) -> Project:
    require_lead(actor)
    return _apply_project(Project(organization=actor.organization), data)


@transaction.atomic
def project_update(*, actor: Membership, project: Project, data: ProjectInput) -> Project:
    if not may_edit_project(actor, project):
        raise PermissionDenied(
            _("Only the project's owner, team leads and ops managers can change it.")
        )
    return _apply_project(project, data)


@dataclass
class GoalInput:
    """The fields a person writes; everything else about a goal is derived."""

    title: str
    baseline: Decimal
    target: Decimal
    statement: str = ""
    metric_name: str = ""
    unit: str = Unit.PERCENT
    direction: str = Direction.INCREASE
    target_high: Decimal | None = None
    decimals: int = 0
    confidence: int | None = None
    resources_note: str = ""
    parent: Goal | None = None
    team: Team | None = None
    owner: User | None = None
    start_date: date | None = None
    due_date: date | None = None

    def apply_to(self, goal: Goal) -> Goal:
        for field in GOAL_INPUT_FIELDS:
            setattr(goal, field, getattr(self, field))
        return goal


GOAL_INPUT_FIELDS = [f.name for f in fields(GoalInput)]


def _check_percentages(unit: str, **values: Decimal | None) -> None:
    if unit != Unit.PERCENT:
        return
    wrong = [
        field for field, value in values.items() if value is not None and not 0 <= value <= 100
    ]
    if wrong:
        raise ValidationError(
            {field: _("A percentage must be between 0 and 100.") for field in wrong}
        )


def _validate_goal(goal: Goal) -> None:
    """The hard rules: what cannot be saved even as a draft."""
    _check_dates(goal.start_date, goal.due_date)
    _check_percentages(
        goal.unit, baseline=goal.baseline, target=goal.target, target_high=goal.target_high
    )
    if (
        goal.direction == Direction.RANGE
        and goal.target_high is not None
        and goal.target_high < goal.target
    ):
        raise ValidationError(
            {"target_high": _("The upper end of the range is below its lower end.")}
        )
    if goal.team_id and goal.team.organization_id != goal.organization_id:
        raise ValidationError({"team": _("Choose teams of this organisation.")})
    _check_members(goal.organization, owner=goal.owner)
    parent = goal.parent
    if parent is not None:
        if parent.organization_id != goal.organization_id:
            raise ValidationError({"parent": _("Choose an objective of this organisation.")})
        node: Goal | None = parent
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            if goal.pk and node.pk == goal.pk:
                raise ValidationError(
                    {"parent": _("A goal cannot serve itself or one of the goals that serve it.")}
                )
            seen.add(node.pk)
            node = node.parent


@transaction.atomic
def goal_create(*, actor: Membership, project: Project | None, data: GoalInput) -> Goal:
    if project is None:
        require_manager(actor)
    elif not may_edit_project(actor, project):
        raise PermissionDenied(
            _("Only the project's owner, team leads and ops managers can add goals.")
        )
    goal = data.apply_to(
        Goal(organization=actor.organization, project=project, created_by=actor.user)
    )
    _validate_goal(goal)
    goal.save()
    return goal


@transaction.atomic
def goal_update(*, actor: Membership, goal: Goal, data: GoalInput) -> Goal:
    _require_goal_editor(actor, goal)
    data.apply_to(goal)
    _validate_goal(goal)
    goal.save()
    return goal


@transaction.atomic
def goal_activate(*, actor: Membership, goal: Goal) -> Goal:
    """Make a draft live. Refused while any SMART criterion fails."""
    _require_goal_editor(actor, goal)
    if goal.state != GoalState.DRAFT:
        raise ValidationError(_("Only a draft can be made active."))
    check = smart_check(goal, today=timezone.localdate())
    if not check.passes:
        raise ValidationError([f"{failure.label}: {failure.message}" for failure in check.failures])
    goal.state = GoalState.ACTIVE
    goal.save(update_fields=["state", "updated_at"])
    return goal


@transaction.atomic
def goal_close(*, actor: Membership, goal: Goal, state: str, note: str) -> Goal:
    _require_goal_editor(actor, goal)
    if state not in CLOSED_GOAL_STATES:
        raise ValidationError({"state": _("Choose how the goal ended.")})
    if goal.is_closed:
        raise ValidationError(_("This goal is already closed."))
    if goal.state == GoalState.DRAFT and state != GoalState.DROPPED:
        raise ValidationError({"state": _("A draft can only be dropped.")})
    if not note.strip():
        raise ValidationError(
            {"note": _("Write a closing note: what happened, and what was learned.")}
        )
    goal.state = state
    goal.closing_note = note.strip()
    goal.closed_at = timezone.now()
    goal.save(update_fields=["state", "closing_note", "closed_at", "updated_at"])
    return goal


@transaction.atomic
def goal_reopen(*, actor: Membership, goal: Goal) -> Goal:
    _require_goal_editor(actor, goal)
    if not goal.is_closed:
        raise ValidationError(_("This goal is not closed."))
    goal.state = GoalState.ACTIVE if goal.state != GoalState.DROPPED else GoalState.DRAFT
    goal.closed_at = None
    goal.save(update_fields=["state", "closed_at", "updated_at"])
    return goal


@transaction.atomic
def check_in_create(
    *,
    actor: Membership,
    goal: Goal,
    value: Decimal,
    checked_on: date,
    confidence: int | None = None,
    note: str = "",
) -> CheckIn:
    if not actor.can_edit:
        raise PermissionDenied(_("Viewers can look but not change anything."))
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if goal.state == GoalState.DRAFT:
        raise ValidationError(_("Make the goal active before checking in."))
    if goal.is_closed:
        raise ValidationError(
            _("This goal is closed (%(state)s): it takes no more check-ins.")
            % {"state": GoalState(goal.state).label}
        )
    _check_percentages(goal.unit, value=value)
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("The date is in the future.")})
    return CheckIn.objects.create(
        goal=goal,
        value=value,
        confidence=confidence,
        note=note.strip(),
        checked_on=checked_on,
        author=actor.user,
    )


def _check_may_configure(actor: Membership, team_id: int | None) -> None:
    """Managers set up any chat group; a team lead only their own teams' groups."""
    require_lead(actor)
    if actor.can_manage:
        return
    if team_id is None or not actor.teams.filter(pk=team_id).exists():
        raise PermissionDenied(_("Only ops managers can set up chat groups for other teams."))


@transaction.atomic
def chat_webhook_save(*, actor: Membership, webhook: ChatWebhook) -> ChatWebhook:
    """Save a chat group's webhook as its form left it, if the person may."""
    if webhook.pk:
        before = ChatWebhook.objects.get(pk=webhook.pk)
        _check_may_configure(actor, before.team_id)
    _check_may_configure(actor, webhook.team_id)
    webhook.organization_id = actor.organization_id
    webhook.save()
    return webhook


def chat_webhook_delete(*, actor: Membership, webhook: ChatWebhook) -> None:
    _check_may_configure(actor, webhook.team_id)
    webhook.delete()


def chat_webhook_test(*, actor: Membership, webhook: ChatWebhook) -> Notification:
    """Post a test message now, through the ledger, and return its row as it ended."""
    _check_may_configure(actor, webhook.team_id)
    organization = actor.organization
    with translation.override(organization.language):
        # Titled as every post is, so the group sees whose bot this is.
        title = pgettext(
            "a chat group's test post: product, organisation",
            "[%(product)s] %(organization)s · connected",
        ) % {"product": settings.PRODUCT_NAME, "organization": organization.name}
        text = _(
            "%(group)s will get %(organization)s's deadline reminders here every day from %(hour)02d:00."
        ) % {
            "group": webhook.name,
            "organization": organization.name,
            "hour": webhook.hour,
        }
    notification = chat_claim(
        kind="chat_test",
        subject_key=f"webhook:{webhook.pk}",
        webhook=webhook,
        period=timezone.now().strftime("%Y%m%d%H%M%S%f"),  # each test its own row
        title=title,
        markdown=text,
    )
    with contextlib.suppress(TransientDeliveryError):  # recorded on the row: the page says so
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    return notification
