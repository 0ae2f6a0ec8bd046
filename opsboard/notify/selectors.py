"""Reads for chat groups, scoped to the person asking."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from opsboard.tenancy.models import Membership, Team

from .models import ChatWebhook, Notification


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
