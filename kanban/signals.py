"""kanban listens to projects: every new project gets its board."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from projects.models import Project

from .services import board_create


@receiver(post_save, sender=Project, dispatch_uid="kanban_board_for_new_project")
def create_board_for_new_project(
    sender: type[Project], instance: Project, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        board_create(project=instance)
