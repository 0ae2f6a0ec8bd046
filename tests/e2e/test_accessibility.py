"""axe-core on every main page, with the demo data, in English and in Simplified Chinese.

The demo has what makes pages hard to read: blocked cards, RACI warnings, goals at risk,
amber KPIs. One browser context per language visits the pages in turn.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from opsboard.accounts.models import User
from projects.management.commands.seed_demo import DEMO_PASSWORD
from tests.demo_pages import demo_pages

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "axe" / "axe.min.js"
MANAGER = "manager@demo.opsboard.test"
# Moderate rules the issue names are held to as well: headings do not skip a level.
ALSO_REQUIRED = {"heading-order"}


DUPLICATE_IDS = """() => {
    const seen = new Map();
    for (const element of document.querySelectorAll("[id]")) {
        seen.set(element.id, (seen.get(element.id) || 0) + 1);
    }
    return [...seen].filter(([, count]) => count > 1).map(([id]) => id);
}"""


def axe_problems(page, rules: list[str] | None = None) -> list[str]:
    """Serious and critical axe violations, and ids used twice (axe 4 no longer checks those)."""
    if page.evaluate("typeof axe") != "object":
        page.add_script_tag(path=str(AXE))
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    violations = page.evaluate(
        "async (options) => (await axe.run(document, options)).violations", options
    )
    duplicates = [] if rules else page.evaluate(DUPLICATE_IDS)
    return [f"duplicate id: {', '.join(duplicates)}"] * bool(duplicates) + [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(
            " ".join(node["target"]) + " " + node["failureSummary"].splitlines()[-1].strip()
            for node in violation["nodes"][:5]
        )
        for violation in violations
        if violation["impact"] in {"serious", "critical"} or violation["id"] in ALSO_REQUIRED
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_main_pages_have_no_serious_accessibility_problems(
    browser, live_server, demo: None, language: str
) -> None:
    User.objects.filter(email=MANAGER).update(language=language)
    pages = demo_pages()
    context = browser.new_context(
        # axe goes in as a script tag, which the site's CSP refuses; the policy has
        # its own walk in test_content_security_policy.py.
        bypass_csp=True,
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB" if language == "en" else "zh-CN",
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        found: dict[str, list[str]] = {}

        page.goto(reverse("accounts:login"))
        assert page.locator("html").get_attribute("lang") == language
        found["sign-in"] = axe_problems(page)
        page.locator("input[name=username], input[type=email]").first.fill(MANAGER)
        page.locator("input[type=password]").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/o/demo-ops/"))

        for name, address in pages.items():
            answer = page.goto(address)
            assert answer.ok, f"{name}: {address} answered {answer.status}"
            assert page.locator("html").get_attribute("lang") == language
            found[name] = axe_problems(page)

        # On a phone, wide tables scroll sideways: the keyboard must reach them too.
        page.set_viewport_size({"width": 390, "height": 844})
        for name, address in pages.items():
            page.goto(address)
            found[f"{name} on a phone"] = axe_problems(page, ["scrollable-region-focusable"])
    finally:
        context.close()
    problems = {name: listed for name, listed in found.items() if listed}
    assert not problems, "\n".join(
        f"{name}:\n  " + "\n  ".join(listed) for name, listed in problems.items()
    )
