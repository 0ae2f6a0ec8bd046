"""What can be found: each app registers its kinds of object here in its
AppConfig.ready() (kanban its cards, projects its projects, goals and people, metrics
its KPIs and retrospectives), as it registers the sections of a page, so the search
knows them without importing any app above the platform.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Expression, Model
from django.utils.functional import Promise

# The weights of the fields, from the title (A) to what counts least (D).
TITLE, MAIN, DETAIL, OTHER = "A", "B", "C", "D"


@dataclass(frozen=True)
class Field:
    """A piece of an object's text: ``name`` says which (its label is the kind's)."""

    name: str
    text: str
    weight: str = MAIN


@dataclass(frozen=True)
class Document:
    """What the index holds of one object."""

    organization_id: int
    object_id: int
    title: str
    fields: Sequence[Field]


@dataclass(frozen=True)
class Shown:
    """What a result says of its object beside the title and the snippet, read when it is
    shown: where it is, its address, and marks such as "Archived" or "Done"."""

    url: str
    title: str | None = None  # in the reader's language, when the stored one is not
    context: str = ""
    marks: Sequence[Promise | str] = ()


@dataclass(frozen=True)
class SearchKind:
    """A kind of object the search finds.

    ``documents(ids)`` reads the documents of those objects (an id it does not answer is
    gone, and leaves the index); ``model`` the kind's model, whose every id a rebuild reads
    (``all_ids``);
    ``shown(organization, ids)`` what each found object shows, in one query; ``states``
    the narrower choices of the kind (a card open or done), each a condition on
    ``OuterRef("object_id")`` given the organisation.
    """

    key: str
    label: Promise  # plural: "Cards"
    order: int
    documents: Callable[[Sequence[int]], Iterable[Document]]
    model: type[Model]
    shown: Callable[[Any, Sequence[int]], dict[int, Shown]]
    field_labels: dict[str, Promise]
    states: dict[str, tuple[Promise, Callable[[Any], Expression]]] = field(default_factory=dict)

    def all_ids(self) -> Iterable[int]:
        return self.model._default_manager.order_by("pk").values_list("pk", flat=True)


_kinds: dict[str, SearchKind] = {}


def register_kind(kind: SearchKind) -> None:
    _kinds[kind.key] = kind


def kinds() -> list[SearchKind]:
    """Every registered kind, in the order results are grouped when they rank alike."""
    return sorted(_kinds.values(), key=lambda kind: kind.order)


def kind_named(key: str) -> SearchKind | None:
    return _kinds.get(key)
