"""Sections that higher apps add to the project page (the board, the RACI matrix, KPIs).

projects cannot import the apps built on it; they register here instead, in
their AppConfig.ready(), and the project page shows whatever is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from .models import Project


@dataclass(frozen=True)
class ProjectSection:
    order: int
    template: str
    context: Callable[[HttpRequest, Project], dict[str, Any]]


_sections: list[ProjectSection] = []


def register_project_section(section: ProjectSection) -> None:
    if section not in _sections:
        _sections.append(section)
        _sections.sort(key=lambda s: s.order)


def project_sections(request: HttpRequest, project: Project) -> list[tuple[str, dict[str, Any]]]:
    return [(section.template, section.context(request, project)) for section in _sections]
