"""How a view finds the organisation in its address and checks the person's role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsboard.accounts.two_factor import has_two_factor

from .middleware import memberships_read
from .models import Membership
from .selectors import membership_get_for_user

CURRENT_ORGANIZATION_SESSION_KEY = "current_organization"

View = Callable[..., HttpResponse]


def organization_view(view: View) -> View:
    """Resolve ``org_slug`` to the signed-in person's membership, or answer 404.

    Sets ``request.membership`` and ``request.organization``, remembers the
    organisation as the current one, and uses its time zone when the person
    has not chosen their own.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = membership_for_request(request, org_slug)
        if membership.needs_two_factor and not has_two_factor(request.user):
            return two_factor_set_up_first(request)
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization  # type: ignore[attr-defined]
        if request.session.get(CURRENT_ORGANIZATION_SESSION_KEY) != org_slug:
            request.session[CURRENT_ORGANIZATION_SESSION_KEY] = org_slug
        if not request.user.timezone:
            timezone.activate(membership.organization.zone)
        return view(request, *args, **kwargs)

    return wrapper


def two_factor_set_up_first(request: HttpRequest) -> HttpResponse:
    """Send the person to turn on two-factor sign-in, and back here afterwards."""
    messages.warning(
        request,
        _(
            "Your organisation asks its owners and ops managers to sign in with a code from an"
            " authenticator app as well. Set it up to continue."
        ),
    )
    return redirect_to_login(
        request.get_full_path(), reverse("mfa_activate_totp"), REDIRECT_FIELD_NAME
    )


def membership_for_request(request: HttpRequest, org_slug: str) -> Membership:
    """The membership of ``request.user`` in the organisation at ``org_slug``, or 404: from
    the memberships ``MembershipsMiddleware`` read with the person when they are this
    person's (all of them: none at that address is a 404), else from the database."""
    memberships = memberships_read(request)
    if memberships is None:
        return membership_get_for_user(user=request.user, org_slug=org_slug)
    for membership in memberships:
        if membership.organization.slug == org_slug:
            return membership
    raise Http404


def require_manager(membership: Membership) -> None:
    if not membership.can_manage:
        raise PermissionDenied(_("Only owners and ops managers can do this."))


def require_editor(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied(_("Viewers can look but not change anything."))


def require_lead(membership: Membership) -> None:
    if not membership.can_lead:
        raise PermissionDenied(_("Only team leads, ops managers and owners can do this."))
