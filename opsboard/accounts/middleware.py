from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from .models import zone


class UserPreferencesMiddleware:
    """Use the signed-in person's own language and time zone where they chose one.

    Runs after LocaleMiddleware (which follows the cookie and the browser) and
    after authentication, so a saved preference wins on every device.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            if user.timezone:
                timezone.activate(zone(user.timezone, settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
