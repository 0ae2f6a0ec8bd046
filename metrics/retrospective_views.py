"""Pages of the monthly retrospectives: a project's or a team's list, one retrospective,
and its review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kanban.models import Card
from projects.access import organization_view
from projects.models import Project, Team
from projects.selectors import project_get_for_user, team_get_for_user

from .forms import RetrospectiveActionForm, RetrospectiveForm
from .models import Retrospective, RetrospectiveAction
from .retrospectives import selectors, services
from .retrospectives.report import is_quiet


def _may_edit(request: HttpRequest, retrospective: Retrospective) -> bool:
    membership = request.membership
    return membership.can_edit and (not retrospective.is_final or membership.can_manage)


def _page(
    request: HttpRequest,
    retrospective: Retrospective,
    *,
    form: RetrospectiveForm | None = None,
    action_form: RetrospectiveActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    previous = selectors.previous_of(retrospective)
    may_edit = _may_edit(request, retrospective)
    return render(
        request,
        "metrics/retrospective.html",
        {
            "retro": retrospective,
            "previous": previous,
            "rows": selectors.comparison(retrospective, previous),
            "quiet": is_quiet(retrospective.figures),
            "actions": selectors.actions_of(retrospective),
            "may_edit": may_edit,
            "may_finalise": request.membership.can_lead and not retrospective.is_final,
            "may_rebuild": request.membership.can_manage,
            "form": form
            or RetrospectiveForm(
                initial={"highlights": retrospective.highlights, "problems": retrospective.problems}
            ),
            "action_form": action_form or _action_form(request, retrospective),
            **_addresses(request, retrospective.reviewed),
        },
        status=status,
    )


def _addresses(request: HttpRequest, reviewed: Project | Team) -> dict[str, str]:
    """The page of what is reviewed, and the list of its retrospectives."""
    args = [request.organization.slug, reviewed.pk]
    if isinstance(reviewed, Team):
        return {
            "reviewed_url": reverse("projects:team_detail", args=args),
            "list_url": reverse("metrics:team_retrospective_list", args=args),
        }
    return {
        "reviewed_url": reverse("projects:project_detail", args=args),
        "list_url": reverse("metrics:retrospective_list", args=args),
    }


def _action_form(
    request: HttpRequest, retrospective: Retrospective, data: Any = None
) -> RetrospectiveActionForm:
    """A team's actions ask for a board; a project's go on the project's board."""
    boards = None if retrospective.project_id else selectors.action_boards(retrospective)
    return RetrospectiveActionForm(data, organization=request.organization, boards=boards)


def _list(request: HttpRequest, reviewed: Project | Team) -> HttpResponse:
    return render(
        request,
        "metrics/retrospective_list.html",
        {
            "reviewed": reviewed,
            "retros": selectors.retrospectives_of(reviewed),
            **_addresses(request, reviewed),
        },
    )


@organization_view
@require_safe
def retrospective_list(request: HttpRequest, project_id: int) -> HttpResponse:
    return _list(
        request, project_get_for_user(membership=request.membership, project_id=project_id)
    )


@organization_view
@require_safe
def team_retrospective_list(request: HttpRequest, team_id: int) -> HttpResponse:
    return _list(request, team_get_for_user(membership=request.membership, team_id=team_id))


@organization_view
@require_safe
def retrospective_detail(request: HttpRequest, retro_id: int) -> HttpResponse:
    retrospective = selectors.retrospective_get_for_user(
        membership=request.membership, retrospective_id=retro_id
    )
    return _page(request, retrospective)


@organization_view
@require_POST
def retrospective_edit(request: HttpRequest, retro_id: int) -> HttpResponse:
    retrospective = selectors.retrospective_get_for_user(
        membership=request.membership, retrospective_id=retro_id
    )
    services.require_may_edit(request.membership, retrospective)
    form = RetrospectiveForm(request.POST)
    if not form.is_valid():
        return _page(request, retrospective, form=form, status=400)
    services.retrospective_update(
        actor=request.membership, retrospective=retrospective, **form.cleaned_data
    )
    messages.success(request, _("The review is saved."))
    return redirect(_address(retrospective))


@organization_view
@require_POST
def retrospective_action_add(request: HttpRequest, retro_id: int) -> HttpResponse:
    retrospective = selectors.retrospective_get_for_user(
        membership=request.membership, retrospective_id=retro_id
    )
    services.require_may_edit(request.membership, retrospective)
    form = _action_form(request, retrospective, request.POST)
    if form.is_valid():
        try:
            services.retrospective_action_add(
                actor=request.membership, retrospective=retrospective, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("The action is on the project's board.")
                if retrospective.project_id
                else _("The action is on the chosen board."),
            )
            return redirect(_address(retrospective) + "#actions")
    return _page(request, retrospective, action_form=form, status=400)


@organization_view
@require_POST
def retrospective_finalise(request: HttpRequest, retro_id: int) -> HttpResponse:
    retrospective = selectors.retrospective_get_for_user(
        membership=request.membership, retrospective_id=retro_id
    )
    services.retrospective_finalise(actor=request.membership, retrospective=retrospective)
    messages.success(request, _("The retrospective is final."))
    return redirect(_address(retrospective))


@organization_view
@require_POST
def retrospective_rebuild(request: HttpRequest, retro_id: int) -> HttpResponse:
    retrospective = selectors.retrospective_get_for_user(
        membership=request.membership, retrospective_id=retro_id
    )
    services.retrospective_rebuild(actor=request.membership, retrospective=retrospective)
    messages.success(
        request, _("The figures are worked out again; the review and the actions stay.")
    )
    return redirect(_address(retrospective))


def _address(retrospective: Retrospective) -> str:
    return reverse(
        "metrics:retrospective_detail",
        kwargs={"org_slug": retrospective.organization.slug, "retro_id": retrospective.pk},
    )


def retrospectives_section(request: HttpRequest, reviewed: Project | Team) -> dict[str, Any]:
    """The latest retrospectives on the project or the team page."""
    return {
        "retros": list(selectors.retrospectives_of(reviewed)[:3]),
        **_addresses(request, reviewed),
    }


def card_retrospective_section(request: HttpRequest, card: Card) -> dict[str, Any]:
    """On an action's card: the retrospective it came from."""
    action = RetrospectiveAction.objects.filter(card=card).select_related("retrospective").first()
    return {"action": action}
