"""Reads for chat groups and connected apps, scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Team

from .direct import DirectService
from .models import ChatWebhook, ConnectedApp, DirectIdentity, Notification


def chat_teams_for(*, membership: Membership) -> QuerySet[Team]:
    """Teams whose chat groups the person may set up: all for managers, their own for leads."""
    teams = Team.objects.filter(organization_id=membership.organization_id).order_by("name")
    if membership.can_manage:
        return teams
    if membership.can_lead:
        return teams.filter(memberships=membership)
    return teams.none()


def chat_webhooks_for(*, membership: Membership) -> QuerySet[ChatWebhook]:
    webhooks = ChatWebhook.objects.filter(organization_id=membership.organization_id)
    if membership.can_manage:
        return webhooks
    return webhooks.filter(team_id__in=chat_teams_for(membership=membership).values("pk"))


def chat_webhook_get_for_user(*, membership: Membership, webhook_id: int) -> ChatWebhook:
    return get_object_or_404(chat_webhooks_for(membership=membership), pk=webhook_id)


def last_chat_posts(webhook_ids: list[int]) -> dict[int, Notification]:
    """Each webhook's latest ledger row, in one query.

    A subquery rather than PostgreSQL's DISTINCT ON, so it runs on SQLite (``make run``) too.
    """
    newest = (
        Notification.objects.filter(webhook_id=OuterRef("webhook_id"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    latest = Notification.objects.filter(webhook_id__in=webhook_ids, pk=Subquery(newest))
    return {notification.webhook_id: notification for notification in latest}


def connected_apps_for(*, membership: Membership) -> QuerySet[ConnectedApp]:
    """The organisation's connected apps, for its managers; none for anyone else."""
    if not membership.can_manage:
        return ConnectedApp.objects.none()
    return ConnectedApp.objects.filter(organization_id=membership.organization_id)


def connected_app_get_for_user(*, membership: Membership, app_id: int) -> ConnectedApp:
    return get_object_or_404(connected_apps_for(membership=membership), pk=app_id)


def connected_app_by_provider_id(provider_id: str) -> ConnectedApp | None:
    """The app allauth knows as ``provider_id`` ("feishu<pk>"…) if people may sign in with it."""
    service = provider_id.rstrip("0123456789")
    number = provider_id.removeprefix(service)
    if service not in DirectService.values or not number.isdigit():
        return None
    return (
        ConnectedApp.objects.signing_in()
        .select_related("organization")
        .filter(service=service, pk=int(number))
        .first()
    )


def connected_apps_signing_in(**narrowing: Any) -> QuerySet[ConnectedApp]:
    """The apps people sign in with, narrowed as ``JoiningRulesQuerySet.narrowed`` says."""
    return (
        ConnectedApp.objects.signing_in()
        .narrowed(**narrowing)
        .select_related("organization")
        .order_by("organization__name", "service", "pk")
    )


@dataclass
class DirectStatus:
    """How a person stands with one of their organisations' connected apps."""

    organization: Organization
    app: ConnectedApp
    identity: DirectIdentity | None  # None: not asked yet

    @property
    def known(self) -> bool:
        return self.identity is not None and self.identity.known


def direct_status_for(*, user: User) -> list[DirectStatus]:
    """Each active connected app of the person's organisations, with what it knows of them."""
    apps = list(
        ConnectedApp.objects.filter(active=True, organization__memberships__user=user)
        .select_related("organization")
        .order_by("organization__name", "created_at")
    )
    identities = {
        identity.app_id: identity
        for identity in DirectIdentity.objects.filter(user=user, app__in=apps)
    }
    return [DirectStatus(app.organization, app, identities.get(app.pk)) for app in apps]
