"""kanban listens to projects: every new project gets its board. And a deleted attachment's
file leaves storage once the deletion commits, however the row went (the service, the
admin, a card or an organisation deleted with everything on it)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from projects.models import Project

from .models import Attachment
from .services import board_create

logger = logging.getLogger(__name__)


@receiver(post_save, sender=Project, dispatch_uid="kanban_board_for_new_project")
def create_board_for_new_project(
    sender: type[Project], instance: Project, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        board_create(project=instance)


@receiver(post_delete, sender=Attachment, dispatch_uid="kanban_attachment_file_removed")
def remove_file_after_commit(sender: type[Attachment], instance: Attachment, **kwargs: Any) -> None:
    storage = instance.file.storage
    keys = [key for key in (instance.file.name, instance.preview.name) if key]

    def remove() -> None:
        for key in keys:
            try:
                storage.delete(key)
            except Exception:  # the row is gone either way: say what stayed behind
                logger.exception("Could not remove the attachment file %s from storage", key)

    if keys:
        transaction.on_commit(remove)
