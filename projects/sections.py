"""Sections that higher apps add to pages of lower ones.

projects cannot import the apps built on it, and kanban cannot import raci;
they register here instead, in their AppConfig.ready(), and the page shows
whatever is registered for it: the board on the project page, the RACI on
the card page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Section:
    order: int
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any]]


_sections: dict[str, list[Section]] = defaultdict(list)


def register_section(page: str, section: Section) -> None:
    """Show ``section`` on ``page`` ("project", "team" or "card")."""
    if section not in _sections[page]:
        _sections[page].append(section)
        _sections[page].sort(key=lambda s: s.order)


def page_sections(page: str, request: HttpRequest, obj: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(section.template, section.context(request, obj)) for section in _sections[page]]


# Notes beside projects in lists ------------------------------------------------------


@dataclass(frozen=True)
class ProjectNote:
    """A few words a higher app puts beside a project in a list, e.g. the forecast's
    "at risk"."""

    text: str
    tone: str = ""  # "danger", "warning" or ""


# Reads the notes of many projects of one organisation at once (a fixed number of
# queries), by project id: ``reader(projects, organization)``.
NoteReader = Callable[[list[Any], Any], dict[int, ProjectNote]]

_note_readers: list[NoteReader] = []


def register_project_notes(reader: NoteReader) -> None:
    """Add ``reader``'s notes beside projects in lists; called from an app's ``ready()``."""
    if reader not in _note_readers:
        _note_readers.append(reader)


def project_notes(projects: list[Any], organization: Any) -> dict[int, list[ProjectNote]]:
    """Every registered note of ``projects`` (all of ``organization``), by project id."""
    notes: dict[int, list[ProjectNote]] = defaultdict(list)
    if projects:
        for reader in _note_readers:
            for project_id, note in reader(projects, organization).items():
                notes[project_id].append(note)
    return notes
