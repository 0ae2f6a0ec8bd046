"""``/favicon.ico``: browsers ask for it wherever a page names no icon (JSON, files, old clients)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=60 * 60 * 24)
def favicon(request: HttpRequest) -> HttpResponse:
    # The static URL carries the file's hash in production, so it is looked up per request.
    return redirect(static("favicon.svg"))
