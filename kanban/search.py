"""Cards in the organisation's search: the title, the description and the comments, found
wherever the card is (archived ones too, marked so)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from opsboard.search.kinds import DETAIL, MAIN, TITLE, Document, Field, SearchKind, Shown
from opsboard.search.services import documents_refresh_on_commit
from opsboard.tenancy.models import Organization

from .models import UNFINISHED, Card, Comment
from .tiles import card_address

KIND = "card"
# A card's document holds these; a save that wrote none of them leaves it (a move, an
# assignment, an archive: the marks are read when the card is shown).
INDEXED_FIELDS = frozenset({"title", "description", "board", "board_id"})


def documents(ids: Sequence[int]) -> list[Document]:
    comments: dict[int, list[str]] = defaultdict(list)
    for card_id, body in (
        Comment.objects.filter(card_id__in=ids).order_by("card_id", "created_at", "pk")
    ).values_list("card_id", "body"):
        comments[card_id].append(body)
    return [
        Document(
            organization_id=organization_id,
            object_id=pk,
            title=title,
            fields=[
                Field("title", title, TITLE),
                Field("description", description, MAIN),
                *(Field("comment", body, DETAIL) for body in comments[pk]),
            ],
        )
        for pk, organization_id, title, description in Card.objects.filter(pk__in=ids).values_list(
            "pk", "board__organization_id", "title", "description"
        )
    ]


def shown(organization: Organization, ids: Sequence[int]) -> dict[int, Shown]:
    address = card_address(organization.slug)
    rows = Card.objects.filter(pk__in=ids, board__organization=organization).values_list(
        "pk", "board__project__name", "board__name", "done_at", "archived_at", "board__archived_at"
    )
    answer = {}
    for pk, project, board, done_at, archived_at, board_archived_at in rows:
        marks = []
        if archived_at or board_archived_at:
            marks.append(pgettext_lazy("search result", "Archived"))
        if done_at:
            marks.append(pgettext_lazy("search result", "Done"))
        where = pgettext("where a card is", "%(project)s › %(board)s") % {
            "project": project,
            "board": board,
        }
        answer[pk] = Shown(url=f"{address}{pk}/", context=where, marks=marks)
    return answer


def _open(organization: Organization) -> Any:
    return Exists(Card.objects.filter(UNFINISHED, pk=OuterRef("object_id")))


def _done(organization: Organization) -> Any:
    return Exists(Card.objects.filter(pk=OuterRef("object_id"), done_at__isnull=False))


CARDS = SearchKind(
    key=KIND,
    label=_("Cards"),
    order=10,
    documents=documents,
    model=Card,
    shown=shown,
    field_labels={
        "description": pgettext_lazy("where a search matched", "In the description"),
        "comment": pgettext_lazy("where a search matched", "In a comment"),
    },
    states={
        "open": (pgettext_lazy("cards", "Open"), _open),
        "done": (pgettext_lazy("cards", "Done"), _done),
    },
)


def card_saved(sender: Any, instance: Card, update_fields: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw") or (update_fields is not None and not INDEXED_FIELDS & update_fields):
        return
    documents_refresh_on_commit(KIND, [instance.pk])


def card_deleted(sender: Any, instance: Card, **kwargs: Any) -> None:
    documents_refresh_on_commit(KIND, [instance.pk])


def comment_changed(sender: Any, instance: Comment, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        documents_refresh_on_commit(KIND, [instance.card_id])


def connect() -> None:
    post_save.connect(card_saved, sender=Card, dispatch_uid="search_card_saved")
    post_delete.connect(card_deleted, sender=Card, dispatch_uid="search_card_deleted")
    post_save.connect(comment_changed, sender=Comment, dispatch_uid="search_comment_saved")
    post_delete.connect(comment_changed, sender=Comment, dispatch_uid="search_comment_deleted")
