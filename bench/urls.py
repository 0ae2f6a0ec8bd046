"""The site's URLs, and the references the HTTP benchmarks measure it against."""

from __future__ import annotations

import os

from django.urls import path

from bench import live_stream, references
from opsboard.urls import urlpatterns as site

# Only the storm's server-sent events run publishes each revision (standup_storm.py).
if os.environ.get("BENCH_STREAMS"):
    live_stream.install()

urlpatterns = [
    path(
        "bench/o/<slug:org_slug>/boards/<int:board_id>/",
        references.cheapest_board,
        name="bench_cheapest_board",
    ),
    path("bench/one-row/<int:card_id>/", references.one_row, name="bench_one_row"),
    path(
        "bench/o/<slug:org_slug>/boards/<int:board_id>/stream/",
        live_stream.board_stream,
        name="bench_board_stream",
    ),
    *site,
]
