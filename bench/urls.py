"""The site's URLs, and the references the HTTP benchmarks measure it against."""

from __future__ import annotations

from django.urls import path

from bench import references
from opsboard.urls import urlpatterns as site

urlpatterns = [
    path(
        "bench/o/<slug:org_slug>/boards/<int:board_id>/",
        references.cheapest_board,
        name="bench_cheapest_board",
    ),
    path("bench/one-row/<int:card_id>/", references.one_row, name="bench_one_row"),
    *site,
]
