"""Answers are gzipped by the app, with the BREACH defences Django gives (README.md, Deploying).

Django's GZipMiddleware pads every compressed answer with a random number of
bytes (the "Heal the BREACH" mitigation) and the CSRF token in every page is
masked afresh for each answer, so neither its length nor the token repeats from
one answer to the next. Two kinds of answer are let through uncompressed:

- server-sent events: gzip holds bytes back until its buffer fills, so events
  would arrive late or never;
- a view wrapped in ``uncompressed``: a page that shows a long-lived secret
  (an API key on creation), where there is nothing to gain and a secret to guard.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware

UNCOMPRESSED = "_opsboard_uncompressed"
P = ParamSpec("P")


def uncompressed(
    view: Callable[P, HttpResponseBase],
) -> Callable[P, HttpResponseBase]:
    """Never gzip this view's answers: they carry a secret an attacker could probe for."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        response = view(*args, **kwargs)
        setattr(response, UNCOMPRESSED, True)
        return response

    return wrapped


class GZipMiddleware(DjangoGZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, UNCOMPRESSED, False) or response.get("Content-Type", "").startswith(
            "text/event-stream"
        ):
            return response
        return super().process_response(request, response)
