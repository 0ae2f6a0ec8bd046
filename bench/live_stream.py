"""Server-sent events for open boards: what the standup storm measures polling against.

Not part of the site. ``bench/urls.py`` serves ``board_stream`` beside the site's
URLs and, when ``BENCH_STREAMS`` is set, calls ``install()``, so the board's writes
publish their new revision on a Redis channel once they commit. A stream checks access once, as the changes
endpoint does, then waits on its board's channel and sends each new revision the
part of the shared answer its reader does not have (``kanban.live.changes``, the
same answer a poll gets), or tells it to fetch the whole board. A stream holds a
thread for as long as the board is open, so gunicorn runs threaded for it
(``standup_storm.py --transport sse``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from functools import wraps

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import translation
from django.views.decorators.http import require_safe

from kanban import live, selectors, services
from opsboard.tenancy.access import organization_view

KEEPALIVE_SECONDS = 15
DRAWING_SECONDS = 1


def _channel(board_id: int) -> str:
    return f"bench:board:{board_id}"


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])


def install() -> None:
    """Publish "<revision> <layout>" on the board's channel after each commit that bumps it."""
    touch = services._touch
    if getattr(touch, "publishes", False):
        return
    publisher = _redis()

    @wraps(touch)
    def publishing(board, *cards, layout=False):
        revision = touch(board, *cards, layout=layout)
        board_id = getattr(board, "pk", board)
        transaction.on_commit(
            lambda: publisher.publish(_channel(board_id), f"{revision} {int(layout)}")
        )
        return revision

    publishing.publishes = True
    services._touch = publishing


def _wait_for_one_drawing(request: HttpRequest, board) -> None:
    """Every stream of the board hears a revision at once: let one of them (or the
    mover's answer) draw the shared answer while the others wait for it in the cache."""
    key = live._answer_key(request, board, None)
    deadline = time.monotonic() + DRAWING_SECONDS
    while (
        cache.get(key) is None
        and not cache.add(f"{key}:drawing", 1, DRAWING_SECONDS)
        and time.monotonic() < deadline
    ):
        time.sleep(0.02)


@organization_view
@require_safe
def board_stream(request: HttpRequest, board_id: int) -> StreamingHttpResponse:
    board = selectors.board_get_for_user(membership=request.membership, board_id=board_id)
    since = live.parse_revision(request.GET.get("since")) or board.revision
    language = translation.get_language()
    subscription = _redis().pubsub(ignore_subscribe_messages=True)
    subscription.subscribe(_channel(board.pk))
    # The stream needs no database until something changes: let the connection go.
    connection.close()

    def events() -> Iterator[str]:
        nonlocal since
        try:
            yield f"retry: 3000\nevent: revision\ndata: {since}\n\n"
            while True:
                message = subscription.get_message(timeout=KEEPALIVE_SECONDS)
                if message is None:
                    yield ": still here\n\n"
                    continue
                revision, layout = (int(part) for part in message["data"].split())
                if revision <= since:
                    continue
                board.revision = revision
                if layout:
                    board.layout_revision = revision
                with translation.override(language):
                    _wait_for_one_drawing(request, board)
                    answer = live.changes(request, board, since)
                connection.close()  # a stream holds no database connection while it waits
                if answer is None:
                    yield f"event: board\ndata: {revision}\n\n"
                else:
                    yield f"data: {json.dumps(answer)}\n\n"
                since = revision
        finally:
            subscription.close()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response
