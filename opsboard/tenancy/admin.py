"""The admin panel for ops managers: organisations, teams, memberships and invitations.

A staff user who owns or manages organisations sees and edits only their
records; superusers see everything. ``OrganizationScopedAdmin`` does the
scoping for every app's admin.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from opsboard.accounts.admin import UserAdmin
from opsboard.accounts.models import User

from .models import CompanyDay, Invitation, Membership, Organization, Role, Team
from .services import membership_check_changes, organization_calendar_changed

# The roles that run an organisation, as Membership.can_manage says.
MANAGING_ROLES = [role for role in Role if Membership(role=role).can_manage]


def managing_memberships(request: HttpRequest) -> dict[int, Membership]:
    """The staff user's memberships that run an organisation, by organisation id."""
    if not hasattr(request, "_managing_memberships"):
        request._managing_memberships = {  # type: ignore[attr-defined]
            membership.organization_id: membership
            for membership in Membership.objects.filter(user=request.user, role__in=MANAGING_ROLES)
        }
    return request._managing_memberships  # type: ignore[attr-defined]


def managed_organization_ids(request: HttpRequest) -> list[int]:
    return list(managing_memberships(request))


def scoped_choices(db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Offer only organisations, teams and people of the organisations the user manages."""
    if request.user.is_superuser:
        return kwargs
    ids = managed_organization_ids(request)
    if db_field.related_model is Organization:
        kwargs["queryset"] = Organization.objects.filter(pk__in=ids)
    elif db_field.related_model is Team:
        kwargs["queryset"] = Team.objects.filter(organization__in=ids)
    elif db_field.related_model is User:
        kwargs["queryset"] = User.objects.filter(memberships__organization__in=ids).distinct()
    return kwargs


class ScopedChoices:
    """Admin choices of organisations, teams and people limited to those the user manages."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return super().formfield_for_foreignkey(
            db_field, request, **scoped_choices(db_field, request, kwargs)
        )

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return super().formfield_for_manytomany(
            db_field, request, **scoped_choices(db_field, request, kwargs)
        )


class OrganizationScopedAdmin(ScopedChoices, admin.ModelAdmin):
    """Limits rows, choices and rights to the organisations the staff user manages."""

    organization_path = "organization"

    def _may_use(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or bool(managed_organization_ids(request)))
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_use(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_use(request) and self._owns(request, obj)

    has_change_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_use(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_use(request) and self._owns(request, obj)

    def _owns(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.organization_path}__in" if self.organization_path else "pk__in"
        return queryset.filter(**{lookup: managed_organization_ids(request)})


class ScopedInline(ScopedChoices, admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True


class TeamInline(ScopedInline):
    model = Team
    fields = ["name", "lead", "description"]


class MembershipAdminForm(forms.ModelForm):
    """A membership as the admin edits it, held to the owner rule the People page keeps."""

    # The staff user's managing memberships by organisation id; None for a superuser.
    actors: dict[int, Membership] | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.has_changed() and cleaned.get("role"):
            organization = cleaned.get("organization")  # the inline's rows stay where they are
            member = self.instance
            if organization is not None and member.organization_id != organization.pk:
                if member.pk is not None:
                    self.check_owner_rule([(member, None)])  # it leaves that organisation
                member = Membership(organization=organization)
            self.check_owner_rule([(member, cleaned["role"])])
        return cleaned

    def check_owner_rule(self, changes: list[tuple[Membership, str | None]]) -> None:
        try:
            check_owner_rule(self.actors, changes)
        except PermissionDenied as refusal:
            raise ValidationError(str(refusal)) from refusal


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    """The organisation page's people: the owner rule holds for the rows saved together too
    (two owners who step down at once would leave none)."""

    def clean(self) -> None:
        super().clean()
        kept = [form for form in self.forms if not self._should_delete_form(form)]
        if any(form.errors for form in kept):
            return  # each row says what is wrong with it
        changes: list[tuple[Membership, str | None]] = []
        for form in self.forms:
            # The row as it was: a valid form has already written its new role on its instance.
            before = Membership(
                pk=form.instance.pk,
                organization_id=form.instance.organization_id,
                role=form.initial.get("role") or Role.MEMBER,
            )
            if form not in kept:
                if form.instance.pk is not None:
                    changes.append((before, None))
            elif form.has_changed():
                changes.append((before, form.cleaned_data["role"]))
        try:
            check_owner_rule(self.form.actors, changes)
        except PermissionDenied as refusal:
            raise ValidationError(str(refusal)) from refusal
        except ValidationError as refusal:
            raise ValidationError(refusal.messages) from refusal


def _owner_rule_actors(request: HttpRequest) -> dict[int, Membership] | None:
    return None if request.user.is_superuser else managing_memberships(request)


def check_owner_rule(
    actors: dict[int, Membership] | None, changes: list[tuple[Membership, str | None]]
) -> None:
    """Ask ``services.membership_check_changes`` as the staff user (a role None removes).

    ``actors`` are the staff user's managing memberships by organisation (None: a superuser).
    """
    if not changes:
        return
    actor = None
    if actors is not None:
        organization_id = changes[0][0].organization_id
        # Without a managing membership there, the staff user is refused as a non-manager.
        actor = actors.get(organization_id) or Membership(
            organization_id=organization_id, role=Role.VIEWER
        )
    membership_check_changes(actor=actor, changes=changes)


class MembershipInline(ScopedInline):
    model = Membership
    form = MembershipAdminForm
    formset = MembershipInlineFormSet
    fields = ["user", "role", "teams"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["teams"]

    def get_formset(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.actors = _owner_rule_actors(request)
        return formset


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = ""
    list_display = [
        "name",
        "slug",
        "timezone",
        "language",
        "reminder_lead_days",
        "reminder_hour",
        "digest_weekday",
        "retrospective_working_day",
        "two_factor_for_managers",
        "member_count",
        "team_count",
    ]
    search_fields = ["name", "slug"]
    list_filter = ["language", "two_factor_for_managers"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamInline, MembershipInline]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        organization_calendar_changed(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships", distinct=True),
                team_total=Count("teams", distinct=True),
            )
        )

    @admin.display(description=_("people"), ordering="member_total")
    def member_count(self, organization: Organization) -> int:
        return organization.member_total  # type: ignore[attr-defined]

    @admin.display(description=_("teams"), ordering="team_total")
    def team_count(self, organization: Organization) -> int:
        return organization.team_total  # type: ignore[attr-defined]


@admin.register(Team)
class TeamAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "lead", "member_count"]
    list_filter = [("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description", "lead__email", "lead__full_name"]
    list_select_related = ["organization", "lead"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return (
            super().get_queryset(request).annotate(member_total=Count("memberships", distinct=True))
        )

    @admin.display(description=_("people"), ordering="member_total")
    def member_count(self, team: Team) -> int:
        return team.member_total  # type: ignore[attr-defined]


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    list_display = ["user", "email", "organization", "role", "team_names", "created_at"]
    list_filter = [
        "role",
        ("organization", admin.RelatedOnlyFieldListFilter),
        ("teams", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["user__email", "user__full_name", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["teams"]
    form = MembershipAdminForm

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).prefetch_related("teams")

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.actors = _owner_rule_actors(request)
        return form

    def _may_change_member(self, request: HttpRequest, obj: Membership | None) -> bool:
        """A manager sees an owner's membership but, as on the People page, cannot change it."""
        if obj is None or request.user.is_superuser:
            return True
        actor = managing_memberships(request).get(obj.organization_id)
        return actor is not None and actor.can_change(obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_change_member(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_change_member(request, obj)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        self._check_removal(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for member in queryset:
            self._check_removal(request, member)
        super().delete_queryset(request, queryset)

    def _check_removal(self, request: HttpRequest, member: Membership) -> None:
        try:
            check_owner_rule(_owner_rule_actors(request), [(member, None)])
        except ValidationError as refusal:
            raise PermissionDenied(" ".join(refusal.messages)) from refusal

    @admin.display(description=_("email address"), ordering="user__email")
    def email(self, membership: Membership) -> str:
        return membership.user.email

    @admin.display(description=_("teams"))
    def team_names(self, membership: Membership) -> str:
        return ", ".join(team.name for team in membership.teams.all())


@admin.register(Invitation)
class InvitationAdmin(OrganizationScopedAdmin):
    list_display = [
        "email",
        "organization",
        "role",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
    ]
    list_filter = ["role", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["email"]
    list_select_related = ["organization", "invited_by"]
    readonly_fields = [
        "organization",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]
    fields = [*readonly_fields, "revoked_at"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Invitations carry a secret sent by email: they are made from the People page.
        return False

    @admin.display(description=_("status"))
    def status(self, invitation: Invitation) -> str:
        return str(invitation.status.label)


@admin.register(CompanyDay)
class CompanyDayAdmin(OrganizationScopedAdmin):
    list_display = ["date", "organization", "working", "reason", "created_by"]
    list_filter = ["working", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organization", "created_by"]
    search_fields = ["reason"]
    date_hierarchy = "date"
    fields = ["organization", "date", "working", "reason"]

    def save_model(self, request: HttpRequest, obj: CompanyDay, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        organization_calendar_changed(obj.organization)

    def delete_model(self, request: HttpRequest, obj: CompanyDay) -> None:
        super().delete_model(request, obj)
        organization_calendar_changed(obj.organization)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CompanyDay]) -> None:
        organizations = {day.organization for day in queryset.select_related("organization")}
        super().delete_queryset(request, queryset)
        for organization in organizations:
            organization_calendar_changed(organization)


class PeopleLookupUserAdmin(UserAdmin):
    """Lets ops managers search the people of their organisations in the admin's pickers."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            memberships__organization__in=managed_organization_ids(request)
        ).distinct()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        return request.user.is_staff and bool(managed_organization_ids(request)) and obj is None


admin.site.unregister(User)
admin.site.register(User, PeopleLookupUserAdmin)


class SuperusersOnly:
    """django-allauth's records that stay with superusers: email addresses, single sign-on
    apps (their secrets), linked accounts and their tokens."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


# allauth's apps come before this one in INSTALLED_APPS: their admins are registered by now.
for _model in (EmailAddress, EmailConfirmation, SocialApp, SocialAccount, SocialToken):
    if admin.site.is_registered(_model):
        _allauth_admin = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(_allauth_admin.__name__, (SuperusersOnly, _allauth_admin), {})
        )


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class TwoFactorAdmin(OrganizationScopedAdmin):
    """Who of the organisation's people signs in with two-factor. Ops managers look; a
    superuser may also remove one for a person who lost their phone (they then sign in with
    their password and set it up anew). The secrets themselves are never shown."""

    organization_path = "user__memberships__organization"
    list_display = ["user", "email", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authenticator]:
        return super().get_queryset(request).select_related("user").distinct()

    @admin.display(description=_("email address"), ordering="user__email")
    def email(self, authenticator: Authenticator) -> str:
        return authenticator.user.email

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser
