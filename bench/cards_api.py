"""The cards API reading a whole 1,000-card board, against the cheapest board Django can serve.

Seeds a board of 1,000 cards (as ``board_pages.seed`` does: three columns,
labels, assignees) in a throwaway database, then alternates, in one run and
through Django's test client with the site's middleware:

- the API: every page of ``/api/v1/organizations/<slug>/boards/<id>/cards/``,
  following ``next``, at a board's default and largest page size (500: two
  pages) and at 100 a page (ten pages, the other lists' default);
- the API as it was before it read rows (``CardOutput`` on model instances and
  a labels prefetch), defined here as a subclass of the list's view;
- the reference: a bare view defined here that reads the same cards with one
  query and renders them in one template loop (no access check, no pages).

It prints for each the median wall-clock milliseconds and the median CPU
milliseconds of this process (the client and the server, not PostgreSQL's),
which a busy machine disturbs less, the bytes per card and the queries, and the
ratios to the reference. Nothing asserts a timer.

    .venv/bin/python bench/cards_api.py
"""

from __future__ import annotations

import gzip
import os
import statistics
import time

# The throttles would refuse a benchmark's hundreds of requests a minute; they still count.
os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")

from board_pages import seed
from common import Client, throwaway_database
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response

from kanban import selectors
from kanban.apis import CardListApi, CardOutput
from kanban.models import Card

CARDS = 1000
ROUNDS = 25
PAGE_SIZES = [500, 100]

DESCRIPTIONS = [
    "Pull the **churned users** of cohort {n} and compare with last month's baseline.",
    "复盘 {n}：整理本周投诉，按响应时长分组，24 小时内给出首个方案。",
    "Check the supplier quotes for lot {n} with Procurement and Finance before Friday.",
    "用户运营第 {n} 组：导出流失用户，和产品一起确认问题清单。",
]

REFERENCE = engines["django"].from_string(
    "<ol>{% for card in cards %}"
    '<li id="card-{{ card.id }}" data-column="{{ card.column_id }}">{{ card.title }}'
    " {{ card.assignee.email }} {{ card.due_date|date:'Y-m-d' }} {{ card.priority }}</li>"
    "{% endfor %}</ol>"
)


def reference_board(request: HttpRequest, board_id: int) -> HttpResponse:
    """The cheapest board: one query, one template loop."""
    cards = (
        Card.objects.filter(board_id=board_id, archived_at__isnull=True)
        .select_related("assignee")
        .order_by("column__position", "rank")
    )
    return HttpResponse(REFERENCE.render({"cards": cards}))


class InstancesCardListApi(CardListApi):
    """The list before it read rows: a serializer over model instances, labels prefetched."""

    def get(self, request: Request, org_slug: str, board_id: int) -> Response:
        board = selectors.board_get_for_user(
            membership=self.membership(request, org_slug), board_id=board_id
        )
        cards = (
            board.cards.select_related("assignee")
            .prefetch_related("labels")
            .order_by("column__position", "rank")
        )
        return self.list_response(cards, CardOutput, board=board)


urlpatterns = [
    path("bench/reference/<int:board_id>/", reference_board),
    path(
        "bench/instances/<slug:org_slug>/boards/<int:board_id>/cards/",
        InstancesCardListApi.as_view(),
    ),
    path("", include(settings.ROOT_URLCONF)),
]


def all_pages(client: Client, url: str) -> list[HttpResponse]:
    """Every page of a list, following ``next`` as a client does."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages.append(response)
        url = response.json()["next"]
    return pages


def main() -> None:
    settings.ROOT_URLCONF = __name__
    with throwaway_database():
        lead, project = seed(CARDS)
        board = project.boards.get()
        # A line of Markdown on each card, as real cards carry (the seed gives none).
        cards = list(board.cards.all())
        for n, card in enumerate(cards):
            card.description = DESCRIPTIONS[n % len(DESCRIPTIONS)].format(n=n)
        Card.objects.bulk_update(cards, ["description"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have, for a real board's plans
        client = Client()
        client.force_login(lead)
        slug = project.organization.slug
        runs = {"reference": f"/bench/reference/{board.pk}/"}
        for size in PAGE_SIZES:
            query = f"?page_size={size}"
            runs[f"API, rows, {size}/page"] = (
                f"/api/v1/organizations/{slug}/boards/{board.pk}/cards/{query}"
            )
            runs[f"API, instances (before), {size}/page"] = (
                f"/bench/instances/{slug}/boards/{board.pk}/cards/{query}"
            )

        shapes = {}
        for name, url in runs.items():
            with CaptureQueriesContext(connection) as queries:
                pages = [client.get(url)] if name == "reference" else all_pages(client, url)
            if name != "reference":
                assert sum(len(page.json()["results"]) for page in pages) == CARDS, name
            shapes[name] = (
                len(pages),
                len(queries),
                sum(len(page.content) for page in pages),
                sum(len(gzip.compress(page.content)) for page in pages),
            )
        assert client.get(runs["API, rows, 500/page"]).json() == (
            client.get(runs["API, instances (before), 500/page"]).json()
            | {"next": client.get(runs["API, rows, 500/page"]).json()["next"]}
        ), "the two lists answer differently"

        wall: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(ROUNDS):
            for name, url in runs.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                if name == "reference":
                    client.get(url)
                else:
                    all_pages(client, url)
                wall[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((time.process_time() - start_cpu) * 1000)

        floor = statistics.median(wall["reference"])
        floor_cpu = statistics.median(cpu["reference"])
        print(f"{CARDS} cards, every page, median of {ROUNDS} rounds, alternated:")
        print(
            f"{'':<34} {'pages':>5} {'queries':>7} {'B/card':>6} {'gzip':>5} {'wall ms':>8} {'ratio':>6}"
            f" {'cpu ms':>7} {'ratio':>6}"
        )
        for name, (pages, queries, body, gzipped) in shapes.items():
            ours, ours_cpu = statistics.median(wall[name]), statistics.median(cpu[name])
            print(
                f"{name:<34} {pages:>5} {queries:>7} {body / CARDS:>6.0f} {gzipped / CARDS:>5.0f}"
                f" {ours:>8.1f}"
                f" {ours / floor:>5.2f}x {ours_cpu:>7.1f} {ours_cpu / floor_cpu:>5.2f}x"
            )


if __name__ == "__main__":
    main()
