"""raci listens to kanban: whoever a card is assigned to becomes Responsible."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from kanban.models import CardEvent, EventKind

from .services import raci_follow_assignee


@receiver(post_save, sender=CardEvent, dispatch_uid="raci_assignee_is_responsible")
def assignee_is_responsible(
    sender: type[CardEvent], instance: CardEvent, created: bool, **kwargs: Any
) -> None:
    if created and instance.kind == EventKind.ASSIGNED and not kwargs.get("raw"):
        raci_follow_assignee(instance.card)
