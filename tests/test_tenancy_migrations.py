"""The tenant's models moved from projects to opsboard.tenancy without copying a row.

A database filled under the old schema keeps every row, id and key through the
move, permissions granted on the moved models keep working, notify's bare ids
become keys (dropping only the rows of organisations already gone), and
migrating back gives the old schema its rows again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kanban.models import Board
from opsboard.accounts.models import User
from opsboard.notify.models import ChatWebhook, Notification
from opsboard.tenancy.models import Invitation, Membership, Organization, Team
from projects.models import Goal, Project
from raci.models import RaciPolicy

# The newest migrations of each app before the move.
BEFORE = [
    ("projects", "0004_schedule_editors_lose_beat_permissions"),
    ("kanban", "0005_builtin_names_data"),
    ("raci", "0003_blocked_alerts"),
    ("metrics", "0006_kpi_builtin_names_data"),
    ("notify", "0007_encrypt_chat_webhook_secrets"),
]


def migrate_back():
    """Unapply the tenancy app and all built on it; return the models as they stood before."""
    MigrationExecutor(connection).migrate([("tenancy", None)])
    return MigrationExecutor(connection).loader.project_state(BEFORE).apps


def migrate_to_the_end() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_schema(transactional_db: None) -> Iterator[object]:
    yield migrate_back()
    migrate_to_the_end()


def test_rows_keep_their_ids_and_keys_across_the_move_and_back(old_schema) -> None:
    apps = old_schema
    OldUser = apps.get_model("accounts", "User")
    OldOrganization = apps.get_model("projects", "Organization")
    OldTeam = apps.get_model("projects", "Team")
    OldMembership = apps.get_model("projects", "Membership")
    OldInvitation = apps.get_model("projects", "Invitation")
    OldProject = apps.get_model("projects", "Project")
    OldGoal = apps.get_model("projects", "Goal")
    OldBoard = apps.get_model("kanban", "Board")
    OldPolicy = apps.get_model("raci", "RaciPolicy")
    OldContentType = apps.get_model("contenttypes", "ContentType")
    OldPermission = apps.get_model("auth", "Permission")
    OldGroup = apps.get_model("auth", "Group")
    OldWebhook = apps.get_model("notify", "ChatWebhook")
    OldNotification = apps.get_model("notify", "Notification")

    # Ids that are not 1, so a row recreated instead of kept would show.
    OldOrganization.objects.create(name="Gone", slug="gone").delete()
    organization = OldOrganization.objects.create(
        name="Acme", slug="acme", timezone="Asia/Shanghai"
    )
    other = OldOrganization.objects.create(name="Other", slug="other")
    person = OldUser.objects.create(email="lead@acme.test", full_name="Li Lead")
    team = OldTeam.objects.create(organization=organization, name="Product", lead=person)
    membership = OldMembership.objects.create(organization=organization, user=person, role="lead")
    membership.teams.add(team)
    invitation = OldInvitation.objects.create(
        organization=organization,
        email="new@acme.test",
        role="member",
        token_hash="h" * 64,
        invited_by=person,
        expires_at=timezone.now() + timedelta(days=7),
    )
    invitation.teams.add(team)
    project = OldProject.objects.create(
        organization=organization, name="Churn", start_date=date(2026, 11, 1),
        due_date=date(2026, 12, 31),
    )  # fmt: skip
    project.teams.add(team)
    goal = OldGoal.objects.create(organization=organization, project=project, team=team, title="G")
    board = OldBoard.objects.create(organization=organization, project=project, name="B")
    OldPolicy.objects.create(organization=other)
    # A permission granted on the old model, as a superuser may have given a group.
    old_type, _ = OldContentType.objects.get_or_create(app_label="projects", model="team")
    change_team, _ = OldPermission.objects.get_or_create(
        content_type=old_type, codename="change_team", defaults={"name": "Can change team"}
    )
    editors = OldGroup.objects.create(name="Team editors")
    editors.permissions.add(change_team)
    hook = {"provider": "slack", "url": "https://hooks.slack.com/services/T/B/x"}
    team_group = OldWebhook.objects.create(
        organization_id=organization.pk, team_id=team.pk, name="Product", **hook
    )
    whole = OldWebhook.objects.create(organization_id=other.pk, name="Everyone", **hook)
    gone = other.pk + 100
    OldWebhook.objects.create(organization_id=gone, name="Left behind", **hook)
    OldWebhook.objects.create(
        organization_id=organization.pk, team_id=team.pk + 100, name="Team gone", **hook
    )
    posted = OldNotification.objects.create(
        kind="chat_test", subject_key="s", period="p", webhook=team_group,
        organization_id=organization.pk, title="t", body="b",
    )  # fmt: skip
    OldNotification.objects.create(
        kind="k", subject_key="s", period="p", recipient=person, organization_id=gone,
        title="t", body="b",
    )  # fmt: skip

    migrate_to_the_end()

    moved = Organization.objects.get(pk=organization.pk)
    assert (moved.slug, moved.timezone) == ("acme", "Asia/Shanghai")
    assert Team.objects.get(pk=team.pk).organization == moved
    assert Team.objects.get(pk=team.pk).lead_id == person.pk
    assert list(Membership.objects.get(pk=membership.pk).teams.all()) == [Team.objects.get()]
    assert Invitation.objects.get(pk=invitation.pk).teams.get().pk == team.pk
    assert Project.objects.get(pk=project.pk).teams.get().pk == team.pk
    assert Goal.objects.get(pk=goal.pk).team.organization == moved
    assert Board.objects.get(pk=board.pk).organization == moved
    assert RaciPolicy.objects.get().organization.slug == "other"
    assert User.objects.get(pk=person.pk).memberships.get().organization == moved
    # The same content type, renamed: the group's permission now reads tenancy.change_team.
    assert ContentType.objects.get_for_model(Team).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="projects", model="team").exists()
    assert Group.objects.get(name="Team editors").permissions.get() == Permission.objects.get(
        content_type__app_label="tenancy", codename="change_team"
    )
    assert ChatWebhook.objects.get(pk=team_group.pk).team == Team.objects.get(pk=team.pk)
    assert ChatWebhook.objects.get(pk=team_group.pk).organization == moved
    assert ChatWebhook.objects.get(pk=whole.pk).organization.slug == "other"
    assert set(ChatWebhook.objects.values_list("name", flat=True)) == {"Product", "Everyone"}
    assert Notification.objects.get().pk == posted.pk
    assert Notification.objects.get().organization == moved
    # New rows continue the old sequences.
    assert Organization.objects.create(name="New", slug="new").pk > other.pk

    apps = migrate_back()
    assert apps.get_model("projects", "Team").objects.get(pk=team.pk).organization.slug == "acme"
    assert apps.get_model("projects", "Membership").objects.get(pk=membership.pk).teams.count() == 1
    assert apps.get_model("notify", "ChatWebhook").objects.get(pk=team_group.pk).team_id == team.pk
    assert apps.get_model("contenttypes", "ContentType").objects.get(pk=old_type.pk).app_label == (
        "projects"
    )
