from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from opsboard.tenancy.middleware import memberships_read
from opsboard.tenancy.selectors import memberships_for_user

# The main navigation. An entry appears once its app provides the page, so the
# bar never links to something that is not there.
NAVIGATION = [
    ("my_work", _("My work"), "projects:my_work"),
    ("dashboard", _("Overview"), "projects:dashboard"),
    ("projects", _("Projects"), "projects:project_list"),
    ("goals", _("Goals"), "projects:goal_tree"),
    ("boards", _("Boards"), "kanban:board_list"),
    ("raci", _("RACI"), "raci:matrix_list"),
    ("requests", _("Requests"), "intake:request_list"),
    ("kpis", _("KPIs"), "metrics:dashboard"),
    ("teams", _("Teams"), "projects:team_list"),
    ("people", _("People"), "projects:people_list"),
]


def organization(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "organization", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context: dict[str, Any] = {
        "current_organization": current,
        "current_membership": getattr(request, "membership", None),
        "user_memberships": _memberships(request),
    }
    if current is not None:
        context["navigation"] = [
            {
                "label": label,
                "url": url,
                "active": request.path == url if key == "my_work" else request.path.startswith(url),
            }
            for key, label, url in _addresses(current.slug, get_script_prefix(), get_urlconf())
        ]
    return context


@lru_cache(maxsize=1024)
def _addresses(slug: str, prefix: str, urlconf: str | None) -> list[tuple[str, Any, str]]:
    """The navigation's entries and their addresses in an organisation: the same for every
    page of it, so reversed once per process (the labels stay lazy, in each reader's
    language)."""
    addresses = []
    for key, label, url_name in NAVIGATION:
        try:
            addresses.append((key, label, reverse(url_name, kwargs={"org_slug": slug})))
        except NoReverseMatch:
            continue
    return addresses


def _memberships(request: HttpRequest) -> Any:
    """The person's memberships: those read with them (``MembershipsMiddleware``), else
    read now."""
    return memberships_read(request) or memberships_for_user(user=request.user)
