"""Reads for organisations, teams, people and invitations, each scoped to the person asking.

The ``*_get_for_user`` helpers take the requester's membership (resolved from
the organisation in the address) and answer 404 for anything outside it.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, Count, Model, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from opsboard.accounts.models import User
from opsboard.compiled import Compiled

from .models import (
    CompanyDay,
    IdentityProvider,
    Invitation,
    Membership,
    Organization,
    Team,
    hash_token,
)


def membership_get_for_user(*, user: User, org_slug: str) -> Membership:
    """The user's membership of the organisation at ``org_slug``; 404 when they have none."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Membership.objects.select_related("organization", "user"),
        organization__slug=org_slug,
        user=user,
    )


def memberships_for_user(*, user: User | int) -> QuerySet[Membership]:
    """The person's (or the person with that id's) memberships, by organisation name."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def _columns(model: type[Model], path: str = "") -> list[str]:
    return [path + field.attname for field in model._meta.concrete_fields]


# A membership's columns, its organisation's and its person's, in one row.
_MEMBERSHIP, _ORGANIZATION, _PERSON = (
    _columns(Membership),
    _columns(Organization, "organization__"),
    _columns(User, "user__"),
)
_MEMBERSHIPS_WITH_PERSON = Compiled(
    lambda user_id: memberships_for_user(user=user_id).values_list(
        *_MEMBERSHIP, *_ORGANIZATION, *_PERSON
    ),
    user_id=-(2**62) + 1,
)


def memberships_with_person(*, user_id: int) -> list[Membership]:
    """The person's memberships in the order of ``memberships_for_user``, each with its
    organisation and the person (the same instance on each), in one query: on every
    request to an organisation's address, so compiled once (``opsboard.compiled``)."""
    organization_at, person_at = len(_MEMBERSHIP), len(_MEMBERSHIP) + len(_ORGANIZATION)
    memberships, person = [], None
    for row in _MEMBERSHIPS_WITH_PERSON.rows(user_id=user_id):
        membership = Membership.from_db(DEFAULT_DB_ALIAS, None, row[:organization_at])
        membership.organization = Organization.from_db(
            DEFAULT_DB_ALIAS, None, row[organization_at:person_at]
        )
        person = person or User.from_db(DEFAULT_DB_ALIAS, None, row[person_at:])
        membership.user = person
        memberships.append(membership)
    return memberships


def team_get_for_user(*, membership: Membership, team_id: int) -> Team:
    return get_object_or_404(
        Team.objects.select_related("lead"),
        organization_id=membership.organization_id,
        pk=team_id,
    )


def member_get_for_user(*, membership: Membership, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organization").prefetch_related("teams"),
        organization_id=membership.organization_id,
        pk=membership_id,
    )


def invitation_get_for_user(*, membership: Membership, invitation_id: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("organization"),
        organization_id=membership.organization_id,
        pk=invitation_id,
    )


def company_day_get_for_user(*, membership: Membership, company_day_id: int) -> CompanyDay:
    return get_object_or_404(
        CompanyDay, organization_id=membership.organization_id, pk=company_day_id
    )


def company_days_for_organization(*, organization: Organization, year: int) -> QuerySet[CompanyDay]:
    return CompanyDay.objects.filter(organization=organization, date__year=year).order_by("date")


def invitation_get_by_token(*, token: str) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("organization", "invited_by").prefetch_related("teams"),
        token_hash=hash_token(token),
    )


def teams_for_organization(*, organization: Organization) -> QuerySet[Team]:
    return (
        Team.objects.filter(organization=organization)
        .select_related("lead")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("name")
    )


def people_for_organization(
    *, organization: Organization, team: Team | None = None
) -> QuerySet[Membership]:
    """The organisation's people (a team's), by name; ``projects.filters.MemberFilter``
    narrows them by role and search."""
    people = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("user__full_name", "user__email")
    )
    if team is not None:
        people = people.filter(teams=team)
    return people


SUGGESTED = 8  # people an "@" suggestion lists


def people_suggest(*, organization: Organization, query: str) -> list[dict[str, object]]:
    """The organisation's active people whose name, email address or the pinyin of their
    Chinese name (full, or initials: "zs", "zhangsan" for 张三) match what was typed after
    "@", best first: a name starting with it, then a pinyin or an address starting with it,
    then anything containing it. One query, at most ``SUGGESTED`` rows, whatever the size
    of the organisation."""
    typed = query.strip().lstrip("@").strip()[:50]
    people = Membership.objects.filter(organization=organization, user__is_active=True)
    if typed:
        letters = typed.lower().replace(" ", "")
        people = people.filter(
            Q(user__full_name__icontains=typed)
            | Q(user__email__istartswith=typed)
            | Q(user__name_pinyin__contains=letters)
        ).annotate(
            rank=Case(
                When(user__full_name__istartswith=typed, then=Value(0)),
                When(user__name_pinyin__startswith=letters, then=Value(1)),
                When(user__name_pinyin__contains=" " + letters, then=Value(1)),
                When(user__email__istartswith=typed, then=Value(1)),
                default=Value(2),
            )
        )
    else:
        people = people.annotate(rank=Value(0))
    rows = people.order_by("rank", "user__full_name", "user__email").values_list(
        "pk", "user_id", "user__full_name", "user__email"
    )[:SUGGESTED]
    return [
        {
            "id": user_id,
            "membership": membership_id,
            "name": (full_name or "").strip() or email,
            "email": email,
            "initials": User(full_name=full_name, email=email).initials,
        }
        for membership_id, user_id, full_name, email in rows
    ]


def open_invitations_for_organization(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-created_at")
    )


def role_counts(*, organization: Organization) -> dict[str, int]:
    rows = (
        Membership.objects.filter(organization=organization)
        .values("role")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["role"]: row["count"] for row in rows}


def identity_providers_for_organization(
    *, organization: Organization
) -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(organization=organization).order_by("name", "pk")


def identity_provider_get_for_user(
    *, membership: Membership, identity_provider_id: int
) -> IdentityProvider:
    return get_object_or_404(
        IdentityProvider, organization=membership.organization, pk=identity_provider_id
    )


def identity_provider_by_provider_id(provider_id: str) -> IdentityProvider | None:
    """The active provider allauth knows as ``provider_id`` ("idp<pk>"), else None."""
    number = provider_id.removeprefix("idp")
    if not provider_id.startswith("idp") or not number.isdigit():
        return None
    return (
        IdentityProvider.objects.active()
        .select_related("organization")
        .filter(pk=int(number))
        .first()
    )


def identity_providers_signing_in(**narrowing: Any) -> QuerySet[IdentityProvider]:
    """The active providers, narrowed as ``JoiningRulesQuerySet.narrowed`` says."""
    return (
        IdentityProvider.objects.active()
        .narrowed(**narrowing)
        .select_related("organization")
        .order_by("organization__name", "name", "pk")
    )
