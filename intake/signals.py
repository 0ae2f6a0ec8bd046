"""intake listens to kanban: what happens on a request's card moves its response clocks
(``intake.clocks``). Kanban writes a history row for every move, assignment and due date,
and a comment row for every comment; nothing here runs for the kinds that move no clock."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from kanban.models import CardEvent, Comment, EventKind

from .clocks import clocks_card_moved, clocks_comment_added, clocks_plan_changed


@receiver(post_save, sender=Comment, dispatch_uid="intake_clocks_comment")
def comment_moves_clocks(
    sender: type[Comment], instance: Comment, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        clocks_comment_added(
            card_id=instance.card_id, author_id=instance.author_id, at=instance.created_at
        )


@receiver(post_save, sender=CardEvent, dispatch_uid="intake_clocks_card_event")
def card_event_moves_clocks(
    sender: type[CardEvent], instance: CardEvent, created: bool, **kwargs: Any
) -> None:
    if not created or kwargs.get("raw"):
        return
    if instance.kind in (EventKind.ASSIGNED, EventKind.DUE_CHANGED):
        clocks_plan_changed(card=instance.card, at=instance.at)
    elif instance.kind == EventKind.MOVED:
        clocks_card_moved(
            card_id=instance.card_id,
            from_kind=instance.from_kind,
            to_kind=instance.to_kind,
            at=instance.at,
        )
