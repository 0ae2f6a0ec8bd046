from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from opsboard.accounts.forms import SetPasswordAndNameForm
from opsboard.accounts.models import User

from . import selectors, services
from .access import CURRENT_ORGANIZATION_SESSION_KEY, organization_view, require_manager
from .forms import InvitationForm, MemberForm, OrganizationForm, TeamForm
from .models import InvitationStatus, Role

PEOPLE_PER_PAGE = 50

# Pages with a form: shown on GET, submitted with POST.
form_page = require_http_methods(["GET", "HEAD", "POST"])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Open the organisation the person used last, or the only one they have."""
    memberships = list(selectors.memberships_for_user(user=request.user))
    current = request.session.get(CURRENT_ORGANIZATION_SESSION_KEY)
    for membership in memberships:
        if membership.organization.slug == current:
            return redirect("projects:dashboard", org_slug=current)
    if memberships:
        return redirect("projects:dashboard", org_slug=memberships[0].organization.slug)
    return render(request, "projects/no_organization.html")


@login_required
@form_page
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(
        request.POST or None, initial={"timezone": "UTC", "language": request.LANGUAGE_CODE}
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                timezone_name=form.cleaned_data["timezone"],
                language=form.cleaned_data["language"],
                reminder_lead_days=form.cleaned_data["reminder_lead_days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Organisation created. Invite your colleagues next."))
            return redirect("projects:dashboard", org_slug=organization.slug)
    return render(request, "projects/organization_form.html", {"form": form, "creating": True})


@organization_view
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    membership = request.membership
    counts = selectors.role_counts(organization=organization)
    context = {
        "teams": selectors.teams_for_organization(organization=organization),
        "my_teams": membership.teams.order_by("name"),
        "people_total": sum(counts.values()),
        "role_counts": [
            (label, count) for value, label in Role.choices if (count := counts.get(value))
        ],
        "open_invitations": (
            selectors.open_invitations_for_organization(organization=organization)
            if membership.can_manage
            else None
        ),
    }
    return render(request, "projects/dashboard.html", context)


@organization_view
@form_page
def organization_settings(request: HttpRequest) -> HttpResponse:
    require_manager(request.membership)
    organization = request.organization
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        services.organization_update(
            actor=request.membership,
            name=form.cleaned_data["name"],
            timezone_name=form.cleaned_data["timezone"],
            language=form.cleaned_data["language"],
            reminder_lead_days=form.cleaned_data["reminder_lead_days"],
        )
        messages.success(request, _("Settings saved."))
        return redirect("projects:organization_settings", org_slug=organization.slug)
    return render(request, "projects/organization_form.html", {"form": form, "creating": False})


@organization_view
@require_safe
def team_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "projects/team_list.html",
        {"teams": selectors.teams_for_organization(organization=request.organization)},
    )


@organization_view
@require_safe
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get_for_user(membership=request.membership, team_id=team_id)
    people = selectors.people_for_organization(organization=request.organization, team=team)
    return render(request, "projects/team_detail.html", {"team": team, "people": people})


def _team_form_page(request: HttpRequest, team_id: int | None) -> HttpResponse:
    require_manager(request.membership)
    team = (
        selectors.team_get_for_user(membership=request.membership, team_id=team_id)
        if team_id is not None
        else None
    )
    initial = (
        {"name": team.name, "description": team.description, "lead": team.lead} if team else {}
    )
    form = TeamForm(request.POST or None, initial=initial, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            if team is None:
                team = services.team_create(actor=request.membership, **form.cleaned_data)
                messages.success(request, _("Team created."))
            else:
                services.team_update(actor=request.membership, team=team, **form.cleaned_data)
                messages.success(request, _("Team saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(
                "projects:team_detail", org_slug=request.organization.slug, team_id=team.pk
            )
    return render(request, "projects/team_form.html", {"form": form, "team": team})


@organization_view
@form_page
def team_create(request: HttpRequest) -> HttpResponse:
    return _team_form_page(request, None)


@organization_view
@form_page
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    return _team_form_page(request, team_id)


@organization_view
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get_for_user(membership=request.membership, team_id=team_id)
    services.team_delete(actor=request.membership, team=team)
    messages.success(request, _("Team “%(name)s” deleted.") % {"name": team.name})
    return redirect("projects:team_list", org_slug=request.organization.slug)


@organization_view
@require_safe
def people_list(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role", "")
    search = request.GET.get("q", "").strip()
    people = selectors.people_for_organization(
        organization=request.organization,
        role=role if role in Role.values else None,
        search=search,
    )
    invitations = (
        selectors.open_invitations_for_organization(organization=request.organization)
        if request.membership.can_manage
        else None
    )
    return render(
        request,
        "projects/people_list.html",
        {
            "page": Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page")),
            "invitations": invitations,
            "roles": Role.choices,
            "selected_role": role,
            "search": search,
            "expired": InvitationStatus.EXPIRED,
        },
    )


@organization_view
@form_page
def member_detail(request: HttpRequest, membership_id: int) -> HttpResponse:
    member = selectors.member_get_for_user(
        membership=request.membership, membership_id=membership_id
    )
    actor = request.membership
    form = None
    if actor.can_manage and (member.role != Role.OWNER or actor.role == Role.OWNER):
        form = MemberForm(
            request.POST or None,
            actor=actor,
            initial={"role": member.role, "teams": list(member.teams.all())},
        )
    if request.method == "POST":
        require_manager(actor)
        if form is None:
            messages.error(request, _("Only an owner can change another owner."))
            return redirect(request.path)
        if form.is_valid():
            try:
                services.membership_update(actor=actor, member=member, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("%(name)s is saved.") % {"name": member.user.display_name}
                )
                return redirect("projects:people_list", org_slug=request.organization.slug)
    return render(request, "projects/member_detail.html", {"member": member, "form": form})


@organization_view
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    member = selectors.member_get_for_user(
        membership=request.membership, membership_id=membership_id
    )
    require_manager(request.membership)
    try:
        services.membership_remove(actor=request.membership, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(
            "projects:member_detail", org_slug=request.organization.slug, membership_id=member.pk
        )
    messages.success(
        request,
        _("%(name)s was removed from the organisation.") % {"name": member.user.display_name},
    )
    if member.user == request.user:
        return redirect("home")
    return redirect("projects:people_list", org_slug=request.organization.slug)


@organization_view
@form_page
def invitation_create(request: HttpRequest) -> HttpResponse:
    require_manager(request.membership)
    form = InvitationForm(request.POST or None, actor=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("projects:people_list", org_slug=request.organization.slug)
    return render(
        request,
        "projects/invitation_form.html",
        {"form": form, "invitation_valid_days": settings.INVITATION_VALID_DAYS},
    )


@organization_view
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_user(
        membership=request.membership, invitation_id=invitation_id
    )
    try:
        services.invitation_resend(actor=request.membership, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("A new invitation link was sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("projects:people_list", org_slug=request.organization.slug)


@organization_view
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_user(
        membership=request.membership, invitation_id=invitation_id
    )
    services.invitation_revoke(actor=request.membership, invitation=invitation)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("projects:people_list", org_slug=request.organization.slug)


@form_page
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email: join, creating an account when needed."""
    invitation = selectors.invitation_get_by_token(token=token)
    status = invitation.status
    if status != InvitationStatus.PENDING:
        return render(
            request,
            "projects/invitation_refused.html",
            {"invitation": invitation, "status": status},
            status=410,
        )
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    context = {"invitation": invitation, "has_account": has_account}
    if request.user.is_authenticated and request.user.email.lower() != invitation.email.lower():
        return render(
            request,
            "projects/invitation_accept.html",
            {**context, "wrong_account": True},
            status=403,
        )

    form = None
    if not request.user.is_authenticated and not has_account:
        form = SetPasswordAndNameForm(request.POST or None, email=invitation.email)
    context["form"] = form

    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(token=token, user=request.user)
            elif form is not None and form.is_valid():
                user, membership = services.invitation_accept_as_new_user(
                    token=token,
                    email=invitation.email,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return render(
                    request,
                    "projects/invitation_accept.html",
                    context,
                    status=400 if form is not None else 200,
                )
        except ValidationError as error:
            return render(
                request,
                "projects/invitation_refused.html",
                {"invitation": invitation, "message": " ".join(error.messages)},
                status=410,
            )
        messages.success(
            request,
            _("Welcome to %(organization)s.") % {"organization": membership.organization.name},
        )
        return redirect("projects:dashboard", org_slug=membership.organization.slug)
    return render(request, "projects/invitation_accept.html", context)
