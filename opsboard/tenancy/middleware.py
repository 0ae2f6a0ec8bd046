"""The signed-in person and their memberships, read in one query on an organisation's pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

from .models import Membership
from .selectors import memberships_with_person

# Where an address names an organisation (opsboard/urls.py): its pages under /o/<slug>/ and
# its API under /api/v1/organizations/<slug>/.
ORGANIZATION_ADDRESS = re.compile(r"/(?:o|api/v1/organizations)/[^/]+/")


def memberships_read(request: HttpRequest) -> list[Membership] | None:
    """The person's memberships as ``MembershipsMiddleware`` read them with the person, or
    None where it did not (another address, or a session it left to Django)."""
    read = getattr(request, "memberships", None)
    return read if read and read[0].user_id == request.user.pk else None


class MembershipsMiddleware:
    """On an organisation's address, read the person and their memberships (with the
    organisations) in one query.

    Django reads the person when first asked, ``organization_view`` their membership
    and the navigation their organisations: three queries on every page, two on an
    open board's poll. Here one query reads the memberships with the person, and the
    person is handed to Django's ``AuthenticationMiddleware`` only when the session
    passes the checks ``django.contrib.auth.get_user`` makes: a ``ModelBackend`` named
    in the settings, a person it lets sign in, and the session's hash of their
    password equal to theirs. Anything else (a person without memberships, a hash from
    an old password or secret key, another backend) is left to Django, which reads
    the person and flushes a session that no longer holds. Elsewhere the person alone is
    what a request needs, and Django's own query for them is the cheaper one. Goes after
    ``AuthenticationMiddleware`` and before anything that asks for ``request.user``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if ORGANIZATION_ADDRESS.match(request.path_info):
            self.read_for(request)
        return self.get_response(request)

    def read_for(self, request: HttpRequest) -> None:
        user_id = request.session.get(SESSION_KEY)
        backend_path = request.session.get(BACKEND_SESSION_KEY)
        if user_id is not None and backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            if isinstance(backend, ModelBackend):
                self.read(request, backend, user_id)

    @staticmethod
    def read(request: HttpRequest, backend: ModelBackend, user_id: str) -> None:
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return
        memberships = memberships_with_person(user_id=user_id)
        if not memberships:
            return
        user = memberships[0].user
        session_hash = request.session.get(HASH_SESSION_KEY)
        if not (
            backend.user_can_authenticate(user)
            and session_hash
            and constant_time_compare(session_hash, user.get_session_auth_hash())
        ):
            return
        # What AuthenticationMiddleware's lazy request.user returns when it is asked.
        request._cached_user = user  # type: ignore[attr-defined]
        request.memberships = memberships  # type: ignore[attr-defined]
