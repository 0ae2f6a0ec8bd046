"""Every page's <title> is text: a tag put inside a title block shows up as words in the tab.

The URL conf is walked as a Demo Ops manager, so a new page is covered the day it is added.
"""

from __future__ import annotations

import re

from django.urls import reverse

from metrics.models import Kpi
from opsboard.accounts.models import User
from tests.test_isolation import demo_objects, routes_with_objects
from tests.urlwalk import all_routes

TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def titles(client, urls: list[str]) -> dict[str, str]:
    found = {}
    for url in urls:
        response = client.get(url)
        page = response.content.decode() if response["Content-Type"].startswith("text/html") else ""
        if response.status_code in (200, 404) and "<html" in page:  # pages, not htmx fragments
            match = TITLE.search(page)
            assert match, f"{url} has no <title>"
            found[url] = match.group(1)
    return found


def test_no_page_has_a_tag_in_its_title(demo: None, client) -> None:
    objects = demo_objects()
    client.force_login(User.objects.get(email="manager@demo.opsboard.test"))
    urls = [
        reverse(route.name, kwargs={name: objects[name] for name in route.kwargs})
        for route in routes_with_objects()
    ]
    urls += [
        reverse(route.name)
        for route in all_routes()
        if not route.kwargs
        and not route.name.startswith("admin:")
        and route.name != "accounts:logout"
    ]
    urls += ["/admin/", "/there-is-nothing-here/"]
    found = titles(client, urls)
    assert len(found) >= 40, sorted(found)
    tagged = {url: title for url, title in found.items() if "<" in title or "\n" in title}
    assert not tagged, tagged
    kpi = reverse(
        "metrics:kpi_detail", kwargs={"org_slug": "demo-ops", "kpi_id": objects["kpi_id"]}
    )
    assert found[kpi].startswith(Kpi.objects.get(pk=objects["kpi_id"]).display_name + " · ")
