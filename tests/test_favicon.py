"""Browsers ask every page for an icon; none of them gets a 404."""

from __future__ import annotations

from django.template.loader import render_to_string


def test_favicon_ico_leads_to_the_site_icon(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]


def test_the_admin_and_error_pages_name_the_icon(admin_client) -> None:
    assert '<link rel="icon" href="/static/favicon.svg"' in admin_client.get("/admin/").text
    assert '<link rel="icon" href="/static/favicon.svg"' in admin_client.get("/nothing/").text
    assert '<link rel="icon" href="/favicon.ico">' in render_to_string("500.html")
