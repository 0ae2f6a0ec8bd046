"""The admin panel: ops managers see and edit only their own organisations."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from kanban.models import Card
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Team
from projects.models import Goal, Project
from tests.factories import GoalFactory, ProjectFactory


@pytest.fixture
def manager(demo: None) -> User:
    return User.objects.get(email="manager@demo.opsboard.test")


def test_manager_lists_only_their_organisation(manager: User, client) -> None:
    client.force_login(manager)
    for model in ("organization", "team", "membership"):
        response = client.get(reverse(f"admin:tenancy_{model}_changelist"))
        assert response.status_code == 200, model
        assert "Other Co" not in response.text, model
        assert "other@other.opsboard.test" not in response.text, model
    response = client.get(reverse("admin:tenancy_membership_changelist"))
    assert "member@demo.opsboard.test" in response.text


def test_manager_cannot_open_or_edit_another_organisation(manager: User, client) -> None:
    client.force_login(manager)
    other = Organization.objects.get(slug="other-co")
    other_team = Team.objects.get(organization=other)
    for url in (
        reverse("admin:tenancy_organization_change", args=[other.pk]),
        reverse("admin:tenancy_team_change", args=[other_team.pk]),
        reverse("admin:tenancy_team_delete", args=[other_team.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("admin:index")
    client.post(
        reverse("admin:tenancy_team_change", args=[other_team.pk]),
        {"name": "Hijacked", "organization": other.pk},
    )
    other_team.refresh_from_db()
    assert other_team.name == "Operations"


def test_manager_edits_a_team_of_their_organisation(manager: User, client) -> None:
    client.force_login(manager)
    team = Team.objects.get(organization__slug="demo-ops", name__startswith="Finance")
    url = reverse("admin:tenancy_team_change", args=[team.pk])
    response = client.get(url)
    assert response.status_code == 200
    # Only their organisation is offered.
    assert "Other Co" not in response.text
    response = client.post(
        url,
        {
            "organization": team.organization_id,
            "name": "Finance 财务部",
            "description": "Money",
            "lead": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    team.refresh_from_db()
    assert team.description == "Money"


def test_manager_cannot_move_a_record_into_another_organisation(manager: User, client) -> None:
    client.force_login(manager)
    team = Team.objects.get(organization__slug="demo-ops", name__startswith="Finance")
    other = Organization.objects.get(slug="other-co")
    response = client.post(
        reverse("admin:tenancy_team_change", args=[team.pk]),
        {"organization": other.pk, "name": team.name, "description": "", "lead": ""},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    team.refresh_from_db()
    assert team.organization.slug == "demo-ops"


def test_people_search_offers_only_their_people(manager: User, client) -> None:
    client.force_login(manager)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "tenancy", "model_name": "membership", "field_name": "user", "term": "o"},
    )
    assert response.status_code == 200
    emails = {row["text"] for row in response.json()["results"]}
    assert "Olivia Other" not in emails
    assert any("Zhang Wei" in email for email in emails)


def test_member_without_staff_cannot_enter(demo: None, client) -> None:
    client.force_login(User.objects.get(email="member@demo.opsboard.test"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_staff_who_manages_nothing_sees_no_records(demo: None, client) -> None:
    viewer = User.objects.get(email="viewer@demo.opsboard.test")
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)
    assert client.get(reverse("admin:tenancy_membership_changelist")).status_code == 403


def test_superuser_sees_everything(demo: None, client) -> None:
    client.force_login(User.objects.create_superuser("root@example.test", "a-long-root-password"))
    response = client.get(reverse("admin:tenancy_membership_changelist"))
    assert "Olivia Other" in response.text
    assert "Zhang Wei" in response.text
    assert Membership.objects.count() == len(response.context["cl"].result_list)


def test_the_worker_schedules_are_for_superusers_only(manager: User, client) -> None:
    """They are global: one organisation's manager would stop every organisation's jobs."""
    task = PeriodicTask.objects.create(
        name="send-weekly-digests",
        task="metrics.tasks.send_weekly_digests",
        interval=IntervalSchedule.objects.create(every=15, period=IntervalSchedule.MINUTES),
    )
    # Even with every permission on them, from a group as the demo once gave.
    editors = Group.objects.create(name="Schedule editors")
    editors.permissions.set(Permission.objects.filter(content_type__app_label="django_celery_beat"))
    manager.groups.add(editors)
    pages = [
        reverse("admin:django_celery_beat_periodictask_changelist"),
        reverse("admin:django_celery_beat_periodictask_add"),
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]),
        reverse("admin:django_celery_beat_crontabschedule_changelist"),
        reverse("admin:django_celery_beat_intervalschedule_add"),
    ]
    client.force_login(manager)
    for page in pages:
        assert client.get(page).status_code == 403, page
    response = client.post(
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]),
        {"name": task.name, "task": task.task, "enabled": ""},
    )
    assert response.status_code == 403
    assert PeriodicTask.objects.get(pk=task.pk).enabled
    assert "django_celery_beat" not in client.get(reverse("admin:index")).text

    client.force_login(User.objects.create_superuser("root@example.test", "a-long-root-password"))
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_the_demo_gives_nobody_the_schedules_and_the_migration_takes_them_back(
    demo: None,
) -> None:
    assert not Permission.objects.filter(
        content_type__app_label="django_celery_beat", group__isnull=False
    ).exists()

    editors = Group.objects.create(name="Schedule editors")
    editors.permissions.set(Permission.objects.filter(content_type__app_label="django_celery_beat"))
    other = Group.objects.create(name="Auditors")
    other.permissions.set(Permission.objects.filter(codename="view_periodictask"))
    migration = import_module("projects.migrations.0004_schedule_editors_lose_beat_permissions")
    migration.remove_beat_permissions(django_apps, None)
    assert not Group.objects.filter(name="Schedule editors").exists()
    assert other.permissions.count() == 1  # another group is a superuser's choice


def test_manager_sees_their_projects_and_goals_with_check_ins(manager: User, client) -> None:
    other = Organization.objects.get(slug="other-co")
    foreign = GoalFactory(organization=other, title="Other Co secret goal")
    client.force_login(manager)
    response = client.get(reverse("admin:projects_goal_changelist"))
    assert response.status_code == 200
    assert "Cut monthly churn from 20% to 17%" in response.text
    assert "Other Co secret goal" not in response.text
    churn = Goal.objects.get(title="Cut monthly churn from 20% to 17%")
    page = client.get(reverse("admin:projects_goal_change", args=[churn.pk]))
    assert page.status_code == 200
    assert "Joint analysis done" in page.text  # a check-in inline
    assert client.get(reverse("admin:projects_goal_change", args=[foreign.pk])).status_code == 302
    assert "Reduce customer churn" in client.get(reverse("admin:projects_project_changelist")).text
    assert Project.objects.filter(organization=other).count() == 0


def test_manager_sees_their_boards_and_cards(manager: User, client) -> None:
    other = Organization.objects.get(slug="other-co")
    other_board = ProjectFactory(organization=other).boards.get()
    client.force_login(manager)
    page = client.get(reverse("admin:kanban_card_changelist"), {"q": "churn"})
    assert page.status_code == 200
    assert "Weekly churn report to the leads" in page.text
    assert (
        client.get(reverse("admin:kanban_board_change", args=[other_board.pk])).status_code == 302
    )
    card = Card.objects.get(title="Weekly churn report to the leads")
    page = client.get(reverse("admin:kanban_card_change", args=[card.pk]))
    assert "Pull this week" in page.text  # checklist inline
