from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from opsboard.accounts.forms import SetPasswordAndNameForm
from opsboard.filters import chosen, filtered
from opsboard.notify.chat import mask
from opsboard.tenancy import selectors as tenancy_selectors
from opsboard.tenancy import services as tenancy_services
from opsboard.tenancy.access import (
    CURRENT_ORGANIZATION_SESSION_KEY,
    organization_view,
    require_editor,
    require_lead,
    require_manager,
)
from opsboard.tenancy.calendar import DayKind, calendar_for, years_to_watch
from opsboard.tenancy.models import InvitationStatus, Organization, Role

from . import selectors, services
from .charts import goal_chart
from .filters import GoalFilter, MemberFilter, ProjectFilter
from .forms import (
    CheckInForm,
    CloseGoalForm,
    CompanyDayForm,
    CompanyDayListForm,
    GoalForm,
    IdentityProviderForm,
    InvitationForm,
    MemberForm,
    OrganizationForm,
    ProjectForm,
    SingleSignOnRequiredForm,
    TeamForm,
    WorkingCalendarForm,
)
from .goals import smart_check, status_rule
from .models import Goal, GoalState, Project, ProjectStatus
from .my_work import my_work as my_work_parts
from .sections import ProjectNote, page_sections, project_notes

FORM_PAGE = "form_page.html"
PEOPLE_PER_PAGE = 50
DASHBOARD_PROJECTS = 8

# Pages with a form: shown on GET, submitted with POST.
form_page = require_http_methods(["GET", "HEAD", "POST"])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Open the organisation the person used last, or the only one they have."""
    memberships = list(tenancy_selectors.memberships_for_user(user=request.user))
    current = request.session.get(CURRENT_ORGANIZATION_SESSION_KEY)
    for membership in memberships:
        if membership.organization.slug == current:
            return redirect("projects:my_work", org_slug=current)
    if memberships:
        return redirect("projects:my_work", org_slug=memberships[0].organization.slug)
    return render(request, "projects/no_organization.html")


@login_required
@form_page
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(
        request.POST or None, initial={"timezone": "UTC", "language": request.LANGUAGE_CODE}
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization = tenancy_services.organization_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                timezone_name=form.cleaned_data["timezone"],
                language=form.cleaned_data["language"],
                reminder_lead_days=form.cleaned_data["reminder_lead_days"],
                two_factor_for_managers=form.cleaned_data["two_factor_for_managers"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Organisation created. Invite your colleagues next."))
            return redirect("projects:my_work", org_slug=organization.slug)
    return render(
        request,
        FORM_PAGE,
        {
            "form": form,
            "title": _("New organisation"),
            "intro": _("You will be its owner. You can invite colleagues and create teams next."),
            "submit_label": _("Create organisation"),
        },
    )


@organization_view
@require_safe
def my_work(request: HttpRequest) -> HttpResponse:
    """What needs the person today, across the organisation: the page everyone lands on."""
    parts = my_work_parts(membership=request.membership)
    return render(
        request,
        "projects/my_work.html",
        {"parts": parts, "nothing": all(part.empty for part in parts)},
    )


@organization_view
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The organisation overview: its teams, people, projects and goals behind."""
    organization = request.organization
    membership = request.membership
    counts = tenancy_selectors.role_counts(organization=organization)
    context = {
        "teams": tenancy_selectors.teams_for_organization(organization=organization),
        "my_teams": membership.teams.order_by("name"),
        "people_total": sum(counts.values()),
        "role_counts": [
            (label, count) for value, label in Role.choices if (count := counts.get(value))
        ],
        "open_invitations": (
            tenancy_selectors.open_invitations_for_organization(organization=organization)
            if membership.can_manage
            else None
        ),
        "active_projects": _with_notes(
            selectors.projects_for_organization(organization=organization).filter(
                status=ProjectStatus.ACTIVE
            )[:DASHBOARD_PROJECTS],
            organization,
        ),
        "goals_behind": selectors.goals_needing_attention(
            organization=organization, on=timezone.localdate()
        ),
    }
    return render(request, "projects/dashboard.html", context)


def _with_notes(
    projects: Iterable[Project], organization: Organization
) -> list[tuple[Project, list[ProjectNote]]]:
    """Each project with the notes the apps built on projects put beside it (the forecast)."""
    projects = list(projects)
    notes = project_notes(projects, organization)
    return [(project, notes.get(project.pk, [])) for project in projects]


@organization_view
@form_page
def organization_settings(request: HttpRequest) -> HttpResponse:
    require_manager(request.membership)
    organization = request.organization
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        tenancy_services.organization_update(
            actor=request.membership,
            name=form.cleaned_data["name"],
            timezone_name=form.cleaned_data["timezone"],
            language=form.cleaned_data["language"],
            reminder_lead_days=form.cleaned_data["reminder_lead_days"],
            reminder_hour=form.cleaned_data["reminder_hour"],
            digest_weekday=form.cleaned_data["digest_weekday"],
            retrospective_working_day=form.cleaned_data["retrospective_working_day"],
            two_factor_for_managers=form.cleaned_data["two_factor_for_managers"],
        )
        messages.success(request, _("Settings saved."))
        return redirect("projects:organization_settings", org_slug=organization.slug)
    return render(
        request,
        FORM_PAGE,
        {
            "form": form,
            "title": _("Organisation settings"),
            "submit_label": _("Save"),
            "extra_links": [
                (
                    reverse("projects:organization_calendar", args=[organization.slug]),
                    _("Working calendar: working days and hours, holidays, company days off"),
                ),
                (
                    reverse("projects:single_sign_on", args=[organization.slug]),
                    _("Single sign-on: the identity providers people sign in through"),
                ),
                (
                    reverse("notify:chat_group_list", args=[organization.slug]),
                    _("Chat groups that get daily deadline posts"),
                ),
            ],
        },
    )


def _single_sign_on_page(
    request: HttpRequest,
    *,
    required_form: SingleSignOnRequiredForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = request.organization
    providers = [
        (identity_provider, mask(identity_provider.client_secret))
        for identity_provider in tenancy_selectors.identity_providers_for_organization(
            organization=organization
        )
    ]
    return render(
        request,
        "projects/single_sign_on.html",
        {
            "providers": providers,
            "required_form": required_form
            or SingleSignOnRequiredForm(
                initial={"single_sign_on_required": organization.single_sign_on_required}
            ),
        },
        status=status,
    )


@organization_view
@require_http_methods(["GET", "HEAD", "POST"])
def single_sign_on(request: HttpRequest) -> HttpResponse:
    """The organisation's identity providers, and whether members must sign in through them."""
    require_manager(request.membership)
    if request.method != "POST":
        return _single_sign_on_page(request)
    form = SingleSignOnRequiredForm(request.POST)
    if form.is_valid():
        try:
            tenancy_services.organization_single_sign_on_require(
                actor=request.membership, required=form.cleaned_data["single_sign_on_required"]
            )
        except ValidationError as error:
            form.add_error("single_sign_on_required", error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("projects:single_sign_on", org_slug=request.organization.slug)
    return _single_sign_on_page(request, required_form=form, status=400)


def _identity_provider_form_page(
    request: HttpRequest, identity_provider_id: int | None
) -> HttpResponse:
    require_manager(request.membership)
    identity_provider = (
        tenancy_selectors.identity_provider_get_for_user(
            membership=request.membership, identity_provider_id=identity_provider_id
        )
        if identity_provider_id is not None
        else None
    )
    form = IdentityProviderForm(
        request.POST or None, instance=identity_provider, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            tenancy_services.identity_provider_save(
                actor=request.membership, identity_provider=identity_provider, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Identity provider saved."))
            return redirect("projects:single_sign_on", org_slug=request.organization.slug)
    callback = request.build_absolute_uri(
        reverse("openid_connect_callback", args=[identity_provider.provider_id])
        if identity_provider
        else reverse("openid_connect_callback", args=["idp0"]).replace("idp0", "…")
    )
    return render(
        request,
        FORM_PAGE,
        {
            "form": form,
            "title": _("Edit identity provider")
            if identity_provider
            else _("New identity provider"),
            "intro": _(
                "Register Opsboard with your OpenID Connect provider (Keycloak, Authing, Azure"
                " AD, Okta…) as a confidential client whose redirect address is %(callback)s,"
                " then copy its issuer URL, client ID and client secret here."
            )
            % {"callback": callback},
            "submit_label": _("Save"),
        },
        status=400 if request.method == "POST" else 200,
    )


@organization_view
@require_http_methods(["GET", "HEAD", "POST"])
def identity_provider_create(request: HttpRequest) -> HttpResponse:
    return _identity_provider_form_page(request, None)


@organization_view
@require_http_methods(["GET", "HEAD", "POST"])
def identity_provider_edit(request: HttpRequest, identity_provider_id: int) -> HttpResponse:
    return _identity_provider_form_page(request, identity_provider_id)


@organization_view
@require_POST
def identity_provider_delete(request: HttpRequest, identity_provider_id: int) -> HttpResponse:
    require_manager(request.membership)
    identity_provider = tenancy_selectors.identity_provider_get_for_user(
        membership=request.membership, identity_provider_id=identity_provider_id
    )
    tenancy_services.identity_provider_delete(
        actor=request.membership, identity_provider=identity_provider
    )
    messages.success(
        request, _("Identity provider “%(name)s” removed.") % {"name": identity_provider.name}
    )
    return redirect("projects:single_sign_on", org_slug=request.organization.slug)


def _calendar_year(request: HttpRequest) -> int:
    """The year the calendar page shows: ``?year=``, else this year in the organisation."""
    this_year = request.organization.today().year
    year = request.GET.get("year", "")
    if year.isdigit() and abs(int(year) - this_year) <= 5:
        return int(year)
    return this_year


def _calendar_page(
    request: HttpRequest,
    *,
    form: WorkingCalendarForm | None = None,
    day_form: CompanyDayForm | None = None,
    list_form: CompanyDayListForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = request.organization
    year = _calendar_year(request)
    calendar = calendar_for(organization)
    watched = years_to_watch(organization)
    return render(
        request,
        "projects/working_calendar.html",
        {
            "form": form or WorkingCalendarForm(organization=organization),
            "day_form": day_form or CompanyDayForm(),
            "list_form": list_form or CompanyDayListForm(),
            "year": year,
            "years": range(watched[0] - 1, watched[1] + 1),
            "unknown_years": calendar.unknown_years(date(watched[0], 1, 1), date(watched[1], 1, 1)),
            "year_unknown": bool(calendar.unknown_years(date(year, 1, 1), date(year, 1, 1))),
            "holidays": [
                day
                for day in calendar.days(date(year, 1, 1), date(year, 12, 31))
                if day.kind in (DayKind.HOLIDAY, DayKind.MAKE_UP)
            ],
            "company_days": tenancy_selectors.company_days_for_organization(
                organization=organization, year=year
            ),
        },
        status=status,
    )


@organization_view
@form_page
def organization_calendar(request: HttpRequest) -> HttpResponse:
    require_manager(request.membership)
    organization = request.organization
    if request.method != "POST":
        return _calendar_page(request)
    form = WorkingCalendarForm(request.POST, organization=organization)
    if form.is_valid():
        try:
            tenancy_services.organization_calendar_update(
                actor=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Working calendar saved."))
            return redirect("projects:organization_calendar", org_slug=organization.slug)
    return _calendar_page(request, form=form, status=400)


@organization_view
@require_POST
def company_day_add(request: HttpRequest) -> HttpResponse:
    require_manager(request.membership)
    form = CompanyDayForm(request.POST)
    if form.is_valid():
        try:
            tenancy_services.company_day_add(
                actor=request.membership,
                day=form.cleaned_data["date"],
                working=form.cleaned_data["working"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Company day added."))
            day = form.cleaned_data["date"]
            return redirect(
                reverse("projects:organization_calendar", args=[request.organization.slug])
                + f"?year={day.year}"
            )
    return _calendar_page(request, day_form=form, status=400)


@organization_view
@require_POST
def company_days_import(request: HttpRequest) -> HttpResponse:
    require_manager(request.membership)
    form = CompanyDayListForm(request.POST, request.FILES)
    if not form.is_valid():
        return _calendar_page(request, list_form=form, status=400)
    days = form.cleaned_data["listed"]
    replaced = tenancy_services.company_days_import(actor=request.membership, days=days)
    messages.success(
        request,
        ngettext(
            "%(count)d day set apart (%(replaced)d replaced).",
            "%(count)d days set apart (%(replaced)d replaced).",
            len(days),
        )
        % {"count": len(days), "replaced": replaced},
    )
    return redirect(
        reverse("projects:organization_calendar", args=[request.organization.slug])
        + f"?year={days[0].date.year}"
    )


@organization_view
@require_POST
def company_day_remove(request: HttpRequest, company_day_id: int) -> HttpResponse:
    require_manager(request.membership)
    company_day = tenancy_selectors.company_day_get_for_user(
        membership=request.membership, company_day_id=company_day_id
    )
    tenancy_services.company_day_remove(actor=request.membership, company_day=company_day)
    messages.success(request, _("Company day removed."))
    return redirect(
        reverse("projects:organization_calendar", args=[request.organization.slug])
        + f"?year={company_day.date.year}"
    )


@organization_view
@require_safe
def team_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "projects/team_list.html",
        {"teams": tenancy_selectors.teams_for_organization(organization=request.organization)},
    )


@organization_view
@require_safe
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = tenancy_selectors.team_get_for_user(membership=request.membership, team_id=team_id)
    people = tenancy_selectors.people_for_organization(organization=request.organization, team=team)
    return render(
        request,
        "projects/team_detail.html",
        {"team": team, "people": people, "sections": page_sections("team", request, team)},
    )


def _team_form_page(request: HttpRequest, team_id: int | None) -> HttpResponse:
    require_manager(request.membership)
    team = (
        tenancy_selectors.team_get_for_user(membership=request.membership, team_id=team_id)
        if team_id is not None
        else None
    )
    initial = (
        {
            "name": team.name,
            "description": team.description,
            "lead": team.lead,
            "timezone": team.timezone,
        }
        if team
        else {}
    )
    form = TeamForm(request.POST or None, initial=initial, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            if team is None:
                team = tenancy_services.team_create(actor=request.membership, **form.cleaned_data)
                messages.success(request, _("Team created."))
            else:
                tenancy_services.team_update(
                    actor=request.membership, team=team, **form.cleaned_data
                )
                messages.success(request, _("Team saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(
                "projects:team_detail", org_slug=request.organization.slug, team_id=team.pk
            )
    title = _("Edit team") if team else _("New team")
    return render(request, FORM_PAGE, {"form": form, "title": title, "submit_label": _("Save")})


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
    team = tenancy_selectors.team_get_for_user(membership=request.membership, team_id=team_id)
    tenancy_services.team_delete(actor=request.membership, team=team)
    messages.success(request, _("Team “%(name)s” deleted.") % {"name": team.name})
    return redirect("projects:team_list", org_slug=request.organization.slug)


@organization_view
@require_safe
def people_suggest(request: HttpRequest) -> JsonResponse:
    """Who "@" offers as the person types (``static/js/mentions.js``): JSON, one query."""
    return JsonResponse(
        {
            "people": tenancy_selectors.people_suggest(
                organization=request.organization, query=request.GET.get("q", "")
            )
        }
    )


@organization_view
@require_safe
def people_list(request: HttpRequest) -> HttpResponse:
    members = MemberFilter(
        request.GET,
        queryset=tenancy_selectors.people_for_organization(organization=request.organization),
    )
    # A role that is not one is ignored, as the links never send one.
    people = members.qs
    chosen = members.form.cleaned_data
    invitations = (
        tenancy_selectors.open_invitations_for_organization(organization=request.organization)
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
            "selected_role": chosen.get("role", ""),
            "search": chosen.get("q", ""),
            "expired": InvitationStatus.EXPIRED,
        },
    )


@organization_view
@form_page
def member_detail(request: HttpRequest, membership_id: int) -> HttpResponse:
    member = tenancy_selectors.member_get_for_user(
        membership=request.membership, membership_id=membership_id
    )
    actor = request.membership
    form = None
    if actor.can_change(member):
        form = MemberForm(
            request.POST or None,
            actor=actor,
            initial={"role": member.role, "teams": list(member.teams.all())},
        )
    if request.method == "POST":
        require_manager(actor)
        if form is None:
            messages.error(request, tenancy_services.ONLY_AN_OWNER_CHANGES_AN_OWNER)
            return redirect(request.path)
        if form.is_valid():
            try:
                tenancy_services.membership_update(actor=actor, member=member, **form.cleaned_data)
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
    member = tenancy_selectors.member_get_for_user(
        membership=request.membership, membership_id=membership_id
    )
    require_manager(request.membership)
    try:
        tenancy_services.membership_remove(actor=request.membership, member=member)
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
            invitation = tenancy_services.invitation_create(
                actor=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("projects:people_list", org_slug=request.organization.slug)
    days = settings.INVITATION_VALID_DAYS
    return render(
        request,
        FORM_PAGE,
        {
            "form": form,
            "title": _("Invite a colleague"),
            "intro": ngettext(
                "They get an email with a link that works once, for %(days)s day.",
                "They get an email with a link that works once, for %(days)s days.",
                days,
            )
            % {"days": days},
            "submit_label": _("Send invitation"),
        },
    )


@organization_view
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = tenancy_selectors.invitation_get_for_user(
        membership=request.membership, invitation_id=invitation_id
    )
    try:
        tenancy_services.invitation_resend(actor=request.membership, invitation=invitation)
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
    invitation = tenancy_selectors.invitation_get_for_user(
        membership=request.membership, invitation_id=invitation_id
    )
    tenancy_services.invitation_revoke(actor=request.membership, invitation=invitation)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("projects:people_list", org_slug=request.organization.slug)


@form_page
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email: join, creating an account when needed."""
    invitation = tenancy_selectors.invitation_get_by_token(token=token)
    status = invitation.status
    if status != InvitationStatus.PENDING:
        return render(
            request,
            "projects/invitation_refused.html",
            {"invitation": invitation, "status": status},
            status=410,
        )
    has_account = invitation.invitee_has_account()
    context = {"invitation": invitation, "has_account": has_account}
    if request.user.is_authenticated and not invitation.is_for(request.user):
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
                membership = tenancy_services.invitation_accept(token=token, user=request.user)
            elif form is not None and form.is_valid():
                user, membership = tenancy_services.invitation_accept_as_new_user(
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
        return redirect("projects:my_work", org_slug=membership.organization.slug)
    return render(request, "projects/invitation_accept.html", context)


# Projects and goals --------------------------------------------------------


@organization_view
@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    projects = ProjectFilter(
        request.GET or None,
        queryset=selectors.projects_for_organization(organization=request.organization),
        organization=request.organization,
    )
    return render(
        request,
        "projects/project_list.html",
        {
            "projects": filtered(projects),
            "filters": projects.form,
            "may_create": request.membership.can_lead,
        },
    )


def _project_input(form: ProjectForm) -> services.ProjectInput:
    return services.ProjectInput(**{name: form.cleaned_data[name] for name in form.fields})


def _project_form_page(request: HttpRequest, project: Project | None) -> HttpResponse:
    actor = request.membership
    if project is None:
        initial = {"owner": request.user, "start_date": timezone.localdate()}
    else:
        initial = {name: getattr(project, name) for name in ProjectForm.base_fields}
        initial["teams"] = list(project.teams.all())
    form = ProjectForm(request.POST or None, initial=initial, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            if project is None:
                project = services.project_create(actor=actor, data=_project_input(form))
                messages.success(request, _("Project created. Write its goals next."))
            else:
                services.project_update(actor=actor, project=project, data=_project_input(form))
                messages.success(request, _("Project saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(
                "projects:project_detail", org_slug=request.organization.slug, project_id=project.pk
            )
    title = _("Edit project") if project else _("New project")
    return render(request, FORM_PAGE, {"form": form, "title": title, "submit_label": _("Save")})


@organization_view
@form_page
def project_create(request: HttpRequest) -> HttpResponse:
    require_lead(request.membership)
    return _project_form_page(request, None)


@organization_view
@form_page
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(membership=request.membership, project_id=project_id)
    if not services.may_edit_project(request.membership, project):
        raise PermissionDenied(
            _("Only the project's owner, team leads and ops managers can change it.")
        )
    return _project_form_page(request, project)


@organization_view
@require_safe
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_user(membership=request.membership, project_id=project_id)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "goals": selectors.goals_for_project(project=project, on=timezone.localdate()),
            "may_edit": services.may_edit_project(request.membership, project),
            "sections": page_sections("project", request, project),
        },
    )


@organization_view
@require_safe
def goal_tree(request: HttpRequest) -> HttpResponse:
    goals = GoalFilter(
        request.GET or None,
        queryset=Goal.objects.filter(organization=request.organization),
        organization=request.organization,
        page=True,
    )
    tree = selectors.goal_tree(
        organization=request.organization,
        on=timezone.localdate(),
        matching=goals.qs if chosen(goals) else None,
    )
    return render(
        request,
        "projects/goal_tree.html",
        {"tree": tree, "filters": goals.form, "may_create": request.membership.can_manage},
    )


def _goal_input(form: GoalForm) -> services.GoalInput:
    return services.GoalInput(
        **{name: form.cleaned_data.get(name) for name in services.GOAL_INPUT_FIELDS}
    )


def _unsaved_goal(
    request: HttpRequest, form: GoalForm, goal: Goal | None, project: Project | None
) -> Goal:
    """The goal as the form has it now, valid fields only, for the live SMART check."""
    draft = Goal(
        pk=goal.pk if goal else None,
        organization=request.organization,
        project=goal.project if goal else project,
        state=goal.state if goal else GoalState.DRAFT,
    )
    for name in services.GOAL_INPUT_FIELDS:
        value = form.cleaned_data.get(name)
        # A field the form could not read yet takes the model's default.
        setattr(draft, name, Goal._meta.get_field(name).get_default() if value is None else value)
    return draft


def _goal_form_page(
    request: HttpRequest, *, goal: Goal | None, project: Project | None
) -> HttpResponse:
    actor = request.membership
    initial: dict[str, object] = GoalForm.initial_from(goal) if goal else {"owner": request.user}
    if goal is None and project is not None:
        initial.update(
            {
                "start_date": max(project.start_date, timezone.localdate()),
                "due_date": project.due_date,
            }
        )
    form = GoalForm(
        request.POST or None, initial=initial, organization=request.organization, goal=goal
    )
    if request.method == "POST" and form.is_valid():
        try:
            if goal is None:
                goal = services.goal_create(actor=actor, project=project, data=_goal_input(form))
                messages.success(
                    request, _("Goal saved as a draft. Make it active once the SMART check passes.")
                )
            else:
                services.goal_update(actor=actor, goal=goal, data=_goal_input(form))
                messages.success(request, _("Goal saved."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(
                "projects:goal_detail", org_slug=request.organization.slug, goal_id=goal.pk
            )
    check = smart_check(
        _unsaved_goal(request, form, goal, project)
        if form.is_bound
        else (goal or _blank_goal(request, form, project)),
        today=timezone.localdate(),
    )
    return render(
        request,
        "projects/goal_form.html",
        {
            "form": form,
            "goal": goal,
            "project": project,
            "check": check,
            "smart_check_url": _smart_check_url(request, goal, project),
        },
    )


def _blank_goal(request: HttpRequest, form: GoalForm, project: Project | None) -> Goal:
    blank = Goal(organization=request.organization, project=project)
    for name, value in form.initial.items():
        setattr(blank, name, value)
    return blank


def _smart_check_url(request: HttpRequest, goal: Goal | None, project: Project | None) -> str:
    url = reverse("projects:goal_smart_check", kwargs={"org_slug": request.organization.slug})
    if goal is not None:
        return f"{url}?goal={goal.pk}"
    if project is not None:
        return f"{url}?project={project.pk}"
    return url


@organization_view
@form_page
def goal_create(request: HttpRequest, project_id: int | None = None) -> HttpResponse:
    project = (
        selectors.project_get_for_user(membership=request.membership, project_id=project_id)
        if project_id is not None
        else None
    )
    if project is None:
        require_manager(request.membership)
    elif not services.may_edit_project(request.membership, project):
        raise PermissionDenied(
            _("Only the project's owner, team leads and ops managers can add goals.")
        )
    return _goal_form_page(request, goal=None, project=project)


@organization_view
@form_page
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_user(membership=request.membership, goal_id=goal_id)
    if not services.may_edit_goal(request.membership, goal):
        raise PermissionDenied(
            _("Only the goal's owner, the project's leads and ops managers can change it.")
        )
    return _goal_form_page(request, goal=goal, project=goal.project)


@organization_view
@require_POST
def goal_smart_check(request: HttpRequest) -> HttpResponse:
    """The SMART panel for the goal form as it is being typed (htmx)."""
    require_editor(request.membership)
    goal = project = None
    if goal_id := request.GET.get("goal"):
        goal = selectors.goal_get_for_user(membership=request.membership, goal_id=int(goal_id))
    elif project_id := request.GET.get("project"):
        project = selectors.project_get_for_user(
            membership=request.membership, project_id=int(project_id)
        )
    form = GoalForm(request.POST, organization=request.organization, goal=goal)
    form.full_clean()
    check = smart_check(_unsaved_goal(request, form, goal, project), today=timezone.localdate())
    return render(request, "projects/goal_form.html#smart-check", {"check": check})


@organization_view
@require_safe
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_user(membership=request.membership, goal_id=goal_id)
    return _goal_page(request, goal)


def _goal_page(
    request: HttpRequest,
    goal: Goal,
    *,
    check_in_form: CheckInForm | None = None,
    close_form: CloseGoalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    check_ins = list(selectors.check_ins_for_goal(goal=goal))
    may_edit = services.may_edit_goal(request.membership, goal)
    return render(
        request,
        "projects/goal_detail.html",
        {
            "goal": goal,
            "tracked": selectors.track(goal, on=today),
            "check": smart_check(goal, today=today),
            "check_ins": check_ins,
            "chart": goal_chart(goal, check_ins, today=today),
            "children": selectors.with_latest_check_in(
                goal.children.select_related("project")
            ).order_by("title"),
            "may_edit": may_edit,
            "may_check_in": request.membership.can_edit and goal.state == GoalState.ACTIVE,
            "check_in_form": check_in_form or CheckInForm(initial={"checked_on": today}),
            "close_form": close_form or CloseGoalForm(),
            "status_rule": status_rule(),
        },
        status=status,
    )


@organization_view
@require_POST
def goal_check_in(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_get_for_user(membership=request.membership, goal_id=goal_id)
    require_editor(request.membership)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.check_in_create(actor=request.membership, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Check-in recorded."))
            return redirect(
                "projects:goal_detail", org_slug=request.organization.slug, goal_id=goal.pk
            )
    return _goal_page(request, goal, check_in_form=form, status=400)


def _goal_transition(request: HttpRequest, goal_id: int, action: str) -> HttpResponse:
    goal = selectors.goal_get_for_user(membership=request.membership, goal_id=goal_id)
    if not services.may_edit_goal(request.membership, goal):
        raise PermissionDenied(
            _("Only the goal's owner, the project's leads and ops managers can change it.")
        )
    close_form = None
    try:
        if action == "activate":
            services.goal_activate(actor=request.membership, goal=goal)
            messages.success(request, _("The goal is active. Check in its value every week."))
        elif action == "reopen":
            services.goal_reopen(actor=request.membership, goal=goal)
            messages.success(request, _("The goal is open again."))
        else:
            close_form = CloseGoalForm(request.POST)
            if not close_form.is_valid():
                return _goal_page(request, goal, close_form=close_form, status=400)
            services.goal_close(actor=request.membership, goal=goal, **close_form.cleaned_data)
            messages.success(request, _("The goal is closed."))
    except ValidationError as error:
        if close_form is not None:
            close_form.add_error(None, error)
            return _goal_page(request, goal, close_form=close_form, status=400)
        for message in error.messages:
            messages.error(request, message)
    return redirect("projects:goal_detail", org_slug=request.organization.slug, goal_id=goal.pk)


@organization_view
@require_POST
def goal_activate(request: HttpRequest, goal_id: int) -> HttpResponse:
    return _goal_transition(request, goal_id, "activate")


@organization_view
@require_POST
def goal_close(request: HttpRequest, goal_id: int) -> HttpResponse:
    return _goal_transition(request, goal_id, "close")


@organization_view
@require_POST
def goal_reopen(request: HttpRequest, goal_id: int) -> HttpResponse:
    return _goal_transition(request, goal_id, "reopen")
