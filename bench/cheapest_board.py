"""The reference the page benchmarks are held against: the cheapest board Django can serve.

One query reads a board's cards as values, one template loop draws them, and nothing
else happens: no access check, no context processors, no cache. A benchmark routes it
beside the site's own pages (``ROOT_URLCONF = "cheapest_board"``) and times it
alternately with the page it measures, so both see the same machine at the same moment.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from kanban.models import Card

URL = "/bench/cheapest-board/{board_id}/"

BOARD = engines["django"].from_string(
    "<!doctype html><title>Board</title><ul>{% for id, title, column, assignee, due in cards %}"
    '<li id="card-{{ id }}"><a href="/cards/{{ id }}/">{{ title }}</a> {{ column }}'
    " {{ assignee }} {{ due|date:'Y-m-d' }}</li>{% endfor %}</ul>"
)


def cheapest_board(request: HttpRequest, board_id: int) -> HttpResponse:
    cards = Card.objects.filter(board_id=board_id).values_list(
        "pk", "title", "column__name", "assignee__full_name", "due_date"
    )
    return HttpResponse(BOARD.render({"cards": cards}))


urlpatterns = [
    path("bench/cheapest-board/<int:board_id>/", cheapest_board),
    path("", include("opsboard.urls")),
]
