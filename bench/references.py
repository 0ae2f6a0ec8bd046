"""What the HTTP benchmarks measure Opsboard against (served only by ``bench/settings.py``).

- ``cheapest_board``: the cheapest board Django can serve. The cards the board
  shows (open, in open columns, done ones from the last two weeks, as
  ``kanban.selectors.board_view`` shows them) read with their column, assignee,
  team and labels in ONE query as plain rows, and drawn in ONE template loop
  with what a card tile shows: the title with its link, labels, the assignee's
  initials, the due date, the priority and the team.
- ``one_row``: TechEmpower's "single query" test: one ORM get, answered as JSON.
- ``server_timing``: a middleware that reports the server's time for every
  answer in a ``Server-Timing`` header, so a benchmark can tell server time
  from the time on the wire.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import Q
from django.db.models.functions import JSONObject, Left, Upper
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from kanban.models import Card, Priority
from kanban.selectors import DONE_SHOWN_DAYS


def cheapest_board(request: HttpRequest, org_slug: str, board_id: int) -> HttpResponse:
    cards = (
        Card.objects.shown()
        .filter(board_id=board_id, board__project__organization__slug=org_slug)
        .exclude(done_at__lt=timezone.now() - timedelta(days=DONE_SHOWN_DAYS))
        .order_by("column__position", "rank")
        .values(
            "pk",
            "title",
            "column_id",
            "column__name",
            "column__kind",
            "due_date",
            "done_at",
            "priority",
            "blocked",
            "blocked_reason",
            "assignee__full_name",
            "team__name",
        )
        .annotate(
            initials=Upper(Left("assignee__full_name", 1)),
            label_list=JSONBAgg(
                JSONObject(name="labels__name", color="labels__color"),
                filter=Q(labels__isnull=False),
                order_by="labels__name",
                default=[],
            ),
        )
    )
    return render(
        request,
        "bench/cheapest_board.html",
        {
            "cards": cards,
            "today": timezone.localdate(),
            "card_url": f"/o/{org_slug}/cards/",
            "high": Priority.HIGH.label,
            "urgent": Priority.URGENT.label,
        },
    )


def one_row(request: HttpRequest, card_id: int) -> JsonResponse:
    card = get_object_or_404(Card, pk=card_id)
    return JsonResponse({"id": card.pk, "title": card.title, "column": card.column_id})


def server_timing(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
        return response

    return middleware
