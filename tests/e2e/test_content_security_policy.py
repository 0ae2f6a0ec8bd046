"""The main pages work in Chromium under the Content-Security-Policy, with no violation.

A violation is caught twice: Chromium's console message ("Refused to ...") and the
page's own ``securitypolicyviolation`` event, recorded by a script the browser
injects before any of the page's own (init scripts are not subject to the policy).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from metrics.models import Kpi
from opsboard.tenancy.models import Team
from projects.management.commands.seed_demo import DEMO_PASSWORD
from projects.models import Goal, Project
from tests.e2e.test_sign_in_and_language import sign_in
from tests.production import policy_directive

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def test_main_pages_work_with_no_policy_violation(demo: None, page) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    violations: list[str] = []

    def visit(url: str) -> None:
        response = page.goto(url)
        assert response.status == 200, url
        policy = response.headers["content-security-policy"]
        assert policy_directive(policy, "script-src") == ["'self'"]
        page.wait_for_load_state("load")
        violations.extend(f"{url}: {v}" for v in page.evaluate("window.__cspViolations"))

    project = Project.objects.get(organization__slug="demo-ops", name="Reduce customer churn")
    board = project.boards.get()
    slug = {"org_slug": "demo-ops"}
    sign_in(page, "lead@demo.opsboard.test", DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/o/demo-ops/$"))

    visit(reverse("projects:dashboard", kwargs=slug))

    visit(reverse("kanban:board_detail", kwargs={**slug, "board_id": board.pk}))
    # The board's htmx poll goes out and is answered.
    with page.expect_response(lambda r: "/changes/" in r.url, timeout=10_000) as poll:
        pass
    assert poll.value.status in (200, 204)

    visit(reverse("kanban:board_standup", kwargs={**slug, "board_id": board.pk}))

    visit(reverse("raci:matrix", kwargs={**slug, "project_id": project.pk}))
    assert page.locator("table").first.is_visible()

    visit(reverse("metrics:dashboard", kwargs=slug))
    for chart in ("chart-flow", "chart-cycle", "chart-throughput"):
        page.wait_for_function(f"() => document.getElementById('{chart}').chart !== undefined")

    kpi = Kpi.objects.filter(organization__slug="demo-ops").first()
    visit(reverse("metrics:kpi_detail", kwargs={**slug, "kpi_id": kpi.pk}))
    page.wait_for_function("() => document.getElementById('chart-trend').chart !== undefined")
    assert page.title().startswith(kpi.display_name + " · ")

    goal = Goal.objects.get(organization__slug="demo-ops", project=project, state="active")
    visit(reverse("projects:goal_detail", kwargs={**slug, "goal_id": goal.pk}))
    assert page.get_by_role("heading", name=goal.title).first.is_visible()

    retro = project.retrospectives.get()
    visit(reverse("metrics:retrospective_detail", kwargs={**slug, "retro_id": retro.pk}))
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()

    # The digest preview shows the email itself in its frame, styled by its own attributes.
    visit(reverse("metrics:digest_preview", kwargs=slug))
    digest = page.frame_locator("iframe.digest-preview")
    digest.get_by_text("Opsboard", exact=True).wait_for()
    assert digest.locator("table").first.is_visible()

    # The goal form checks SMART as one types, over htmx.
    visit(reverse("projects:project_goal_create", kwargs={**slug, "project_id": project.pk}))
    with page.expect_response(lambda r: "/smart-check/" in r.url) as check:
        page.get_by_label("Title").fill("Cut churn by 15%")
    assert check.value.status == 200

    # Swagger UI draws the API from the schema.
    visit("/api/docs/")
    page.locator(".opblock").first.wait_for()

    refused = [
        text for text in console if "Content Security Policy" in text or "Refused to" in text
    ]
    assert not refused, refused
    assert not violations, violations


def test_confirmations_and_the_admin_work_under_the_policy(demo: None, page) -> None:
    """The confirm questions moved from inline handlers to site.js; the admin has no inline script."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    team = Team.objects.get(organization__slug="demo-ops", name__startswith="Product")
    sign_in(page, "manager@demo.opsboard.test", DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/o/demo-ops/$"))
    team_url = reverse("projects:team_detail", kwargs={"org_slug": "demo-ops", "team_id": team.pk})
    page.goto(team_url)

    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Delete", exact=True).click()
    page.wait_for_timeout(300)
    assert questions == ["Delete this team? People stay in the organisation."]
    assert Team.objects.filter(pk=team.pk).exists()
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Delete", exact=True).click()
    page.wait_for_url(lambda url: not url.endswith(team_url))
    assert not Team.objects.filter(pk=team.pk).exists()

    for url in ("/admin/", "/admin/projects/project/", "/admin/projects/project/add/"):
        response = page.goto(url)
        assert response.status == 200, url
        assert "content-security-policy" in response.headers
        page.wait_for_load_state("load")
    refused = [
        text for text in console if "Content Security Policy" in text or "Refused to" in text
    ]
    assert not refused, refused
