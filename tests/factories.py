from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from opsboard.accounts.models import User
from opsboard.tenancy.models import Invitation, Membership, Organization, Role, Team, hash_token
from projects.models import CheckIn, Direction, Goal, GoalState, Project, ProjectStatus, Unit

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    timezone = "Asia/Shanghai"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        if create and extracted:
            self.teams.set(extracted)


class InvitationFactory(factory.django.DjangoModelFactory):
    """Pass ``token=...`` to know the link; only its hash is stored."""

    class Meta:
        model = Invitation
        exclude = ("token",)

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = Role.MEMBER
    token = factory.Sequence(lambda n: f"test-token-{n}")
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    invited_by = None
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    start_date = date(2026, 10, 1)
    due_date = date(2027, 3, 31)
    status = ProjectStatus.ACTIVE

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        if create and extracted:
            self.teams.set(extracted)


class GoalFactory(factory.django.DjangoModelFactory):
    """An active goal that passes the SMART check (give it a project and a parent to keep Relevant passing)."""

    class Meta:
        model = Goal

    organization = factory.SubFactory(OrganizationFactory)
    project = None
    title = factory.Sequence(lambda n: f"Goal {n}")
    statement = "Fewer paying customers leave us each month."
    metric_name = "Monthly churn"
    unit = Unit.PERCENT
    direction = Direction.DECREASE
    baseline = Decimal(20)
    target = Decimal(17)
    decimals = 1
    confidence = 4
    resources_note = "Two analysts for a quarter."
    start_date = date(2026, 11, 1)
    due_date = date(2027, 2, 28)
    state = GoalState.ACTIVE


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    goal = factory.SubFactory(GoalFactory)
    value = Decimal(19)
    checked_on = date(2026, 11, 15)


def board_of(project: Project):
    """The board every project gets when it is created."""
    return project.boards.get()
