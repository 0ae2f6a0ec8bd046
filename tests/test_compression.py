"""Answers are gzipped when the client accepts it, with Django's BREACH defences, and
never where gzip would hold events back or a secret is shown (opsboard/compression.py).

tests/test_production_build.py checks the same under the production settings."""

from __future__ import annotations

import gzip
import re

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from opsboard.compression import GZipMiddleware, uncompressed
from tests.conftest import Tenant

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
SIGN_IN = "/accounts/sign-in/"


def csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


@pytest.mark.django_db
def test_a_page_is_gzipped_only_for_a_client_that_accepts_it(client: Client) -> None:
    compressed = client.get(SIGN_IN, headers=GZIP)
    plain = client.get(SIGN_IN)
    assert compressed["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain
    assert compressed["Vary"] == plain["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert b"<form" in gzip.decompress(compressed.content)


@pytest.mark.django_db
def test_no_two_answers_repeat_the_token_or_the_length(client: Client) -> None:
    """BREACH guesses a secret from how the compressed length changes: Django masks the
    CSRF token afresh in every answer and pads every compressed one by 0-99 random bytes."""
    answers = [client.get(SIGN_IN, headers=GZIP).content for _ in range(8)]
    assert len({csrf_token(gzip.decompress(answer)) for answer in answers}) == 8
    assert len({len(answer) for answer in answers}) > 1


def test_server_sent_events_are_never_held_back_by_gzip() -> None:
    request = RequestFactory().get("/events/", headers=GZIP)
    stream = StreamingHttpResponse(
        iter([b"data: one\n\n", b"data: two\n\n"]), content_type="text/event-stream"
    )
    response = GZipMiddleware(lambda request: stream)(request)
    assert "Content-Encoding" not in response
    assert next(iter(response.streaming_content)) == b"data: one\n\n"


def test_a_view_marked_uncompressed_is_sent_as_it_is() -> None:
    @uncompressed
    def secret(request: object) -> HttpResponse:
        return HttpResponse(b"secret " * 100)

    request = RequestFactory().get("/secret/", headers=GZIP)
    response = GZipMiddleware(secret)(request)
    assert "Content-Encoding" not in response
    assert response.content == b"secret " * 100


@pytest.mark.django_db
def test_the_page_showing_a_new_api_key_is_not_compressed(tenant: Tenant, client_for) -> None:
    client = client_for(tenant.member.user)
    page = client.post(reverse("accounts:api_token"), {"action": "create"}, headers=GZIP)
    assert page.status_code == 200 and "Content-Encoding" not in page
    assert b'<code id="api-key">opsb_' in page.content
