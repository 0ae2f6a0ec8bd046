"""The demo organisation's pages a person opens, by name: the walk the page tests take."""

from __future__ import annotations

from django.urls import reverse

from intake.models import Request, RequestType
from kanban.models import Card
from metrics.models import Kpi
from projects.models import Goal, Project


def demo_pages(*, managers: bool = True) -> dict[str, str]:
    """The pages, with the organisation's settings only ``managers`` open."""
    project = Project.objects.get(organization__slug="demo-ops", name="Reduce customer churn")
    board = project.boards.get()
    blocked = Card.objects.filter(board=board, blocked=True).first()
    assert blocked, "the demo board has a blocked card"
    goal = Goal.objects.get(organization__slug="demo-ops", project=project, state="active")
    with_files = Card.objects.filter(board=board, attachments__comment__isnull=False).first()
    assert with_files, "the demo board has a card with a file on a comment"
    kpi = Kpi.objects.filter(organization__slug="demo-ops").first()
    complaint = RequestType.objects.get(organization__slug="demo-ops", name="Complaint escalation")
    waiting = Request.objects.get(organization__slug="demo-ops", state="waiting")
    org = {"org_slug": "demo-ops"}
    settings = {
        "working calendar": reverse("projects:organization_calendar", kwargs=org),
        "single sign-on": reverse("projects:single_sign_on", kwargs=org),
    }
    return {
        "my work": reverse("projects:my_work", kwargs=org),
        "dashboard": reverse("projects:dashboard", kwargs=org),
        "projects": reverse("projects:project_list", kwargs=org),
        "project": reverse("projects:project_detail", kwargs={**org, "project_id": project.pk}),
        "goal tree": reverse("projects:goal_tree", kwargs=org),
        "goal": reverse("projects:goal_detail", kwargs={**org, "goal_id": goal.pk}),
        "board": reverse("kanban:board_detail", kwargs={**org, "board_id": board.pk}),
        "card": reverse("kanban:card_detail", kwargs={**org, "card_id": blocked.pk}),
        "card with files": reverse("kanban:card_detail", kwargs={**org, "card_id": with_files.pk}),
        "standup": reverse("kanban:board_standup", kwargs={**org, "board_id": board.pk}),
        "board flow": reverse("metrics:board_flow", kwargs={**org, "board_id": board.pk}),
        "raci": reverse("raci:matrix", kwargs={**org, "project_id": project.pk}),
        "kpis": reverse("metrics:dashboard", kwargs=org),
        "kpi": reverse("metrics:kpi_detail", kwargs={**org, "kpi_id": kpi.pk}),
        "retrospective": reverse(
            "metrics:retrospective_detail",
            kwargs={**org, "retro_id": project.retrospectives.get().pk},
        ),
        "people": reverse("projects:people_list", kwargs=org),
        "search": reverse("search:search", kwargs=org) + "?q=churn",
        "teams": reverse("projects:team_list", kwargs=org),
        "notifications": reverse("notify:list"),
        "preferences": reverse("notify:preferences"),
        "profile": reverse("accounts:profile"),
        "requests": reverse("intake:request_list", kwargs=org),
        "new request": reverse("intake:request_new", kwargs=org),
        "request form": reverse("intake:request_send", kwargs={**org, "type_id": complaint.pk}),
        "request": reverse("intake:request_detail", kwargs={**org, "request_id": waiting.pk}),
        "request card": reverse("kanban:card_detail", kwargs={**org, "card_id": waiting.card_id}),
        "request types": reverse("intake:type_list", kwargs=org),
        "request type": reverse("intake:type_edit", kwargs={**org, "type_id": complaint.pk}),
        **(settings if managers else {}),
    }
