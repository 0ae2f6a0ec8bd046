"""Projects, goals and people in the organisation's search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from opsboard.accounts.models import User
from opsboard.search.kinds import DETAIL, MAIN, TITLE, Document, Field, SearchKind, Shown
from opsboard.search.services import documents_refresh_on_commit
from opsboard.tenancy.models import Membership, Organization, Role

from .models import Goal, GoalState, Project, ProjectStatus


def _address(name: str, organization: Organization, **ids: int) -> str:
    return reverse(name, kwargs={"org_slug": organization.slug, **ids})


# Projects --------------------------------------------------------------------------


def project_documents(ids: Sequence[int]) -> list[Document]:
    return [
        Document(
            organization_id=organization_id,
            object_id=pk,
            title=name,
            fields=[Field("name", name, TITLE), Field("description", description, MAIN)],
        )
        for pk, organization_id, name, description in Project.objects.filter(
            pk__in=ids
        ).values_list("pk", "organization_id", "name", "description")
    ]


def project_shown(organization: Organization, ids: Sequence[int]) -> dict[int, Shown]:
    rows = Project.objects.filter(pk__in=ids, organization=organization).values_list(
        "pk", "status", "owner__full_name", "owner__email"
    )
    return {
        pk: Shown(
            url=_address("projects:project_detail", organization, project_id=pk),
            context=_("Owner: %(owner)s") % {"owner": full_name or email} if email else "",
            marks=[] if status == ProjectStatus.ACTIVE else [ProjectStatus(status).label],
        )
        for pk, status, full_name, email in rows
    }


PROJECTS = SearchKind(
    key="project",
    label=gettext_lazy("Projects"),
    order=30,
    documents=project_documents,
    model=Project,
    shown=project_shown,
    field_labels={"description": pgettext_lazy("where a search matched", "In the description")},
)


# Goals -----------------------------------------------------------------------------


def goal_documents(ids: Sequence[int]) -> list[Document]:
    rows = Goal.objects.filter(pk__in=ids).values_list(
        "pk", "organization_id", "title", "statement", "metric_name", "resources_note",
        "closing_note",
    )  # fmt: skip
    return [
        Document(
            organization_id=organization_id,
            object_id=pk,
            title=title,
            fields=[
                Field("title", title, TITLE),
                Field("statement", statement, MAIN),
                Field("metric", metric, MAIN),
                Field("resources", resources, DETAIL),
                Field("closing_note", closing, DETAIL),
            ],
        )
        for pk, organization_id, title, statement, metric, resources, closing in rows
    ]


def goal_shown(organization: Organization, ids: Sequence[int]) -> dict[int, Shown]:
    rows = Goal.objects.filter(pk__in=ids, organization=organization).values_list(
        "pk", "project__name", "state"
    )
    return {
        pk: Shown(
            url=_address("projects:goal_detail", organization, goal_id=pk),
            context=project or _("Organisation objective"),
            marks=[] if state == GoalState.ACTIVE else [GoalState(state).label],
        )
        for pk, project, state in rows
    }


GOALS = SearchKind(
    key="goal",
    label=gettext_lazy("Goals"),
    order=20,
    documents=goal_documents,
    model=Goal,
    shown=goal_shown,
    field_labels={
        "statement": pgettext_lazy("where a search matched", "In what changes, for whom"),
        "metric": pgettext_lazy("where a search matched", "In the metric"),
        "resources": pgettext_lazy("where a search matched", "In resources and constraints"),
        "closing_note": pgettext_lazy("where a search matched", "In the closing note"),
    },
)


# People: a person is found in each organisation they are a member of -------------------


def person_documents(ids: Sequence[int]) -> list[Document]:
    rows = Membership.objects.filter(pk__in=ids).values_list(
        "pk", "organization_id", "user__full_name", "user__email"
    )
    return [
        Document(
            organization_id=organization_id,
            object_id=pk,
            title=full_name.strip() or email,
            fields=[Field("name", full_name, TITLE), Field("email", email, MAIN)],
        )
        for pk, organization_id, full_name, email in rows
    ]


def person_shown(organization: Organization, ids: Sequence[int]) -> dict[int, Shown]:
    rows = Membership.objects.filter(pk__in=ids, organization=organization).values_list(
        "pk", "role"
    )
    return {
        pk: Shown(
            url=_address("projects:member_detail", organization, membership_id=pk),
            context=str(Role(role).label),
        )
        for pk, role in rows
    }


PEOPLE = SearchKind(
    key="person",
    label=gettext_lazy("People"),
    order=50,
    documents=person_documents,
    model=Membership,
    shown=person_shown,
    field_labels={"email": pgettext_lazy("where a search matched", "In the email address")},
)

KINDS = [PROJECTS, GOALS, PEOPLE]


# Keeping the documents -------------------------------------------------------------------

PERSON_FIELDS = frozenset({"full_name", "email"})


def _changed(key: str) -> Any:
    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        if not kwargs.get("raw"):
            documents_refresh_on_commit(key, [instance.pk])

    return receiver


def user_saved(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw") or (update_fields is not None and not PERSON_FIELDS & update_fields):
        return
    user_id = instance.pk
    documents_refresh_on_commit(
        PEOPLE.key,
        lambda: Membership.objects.filter(user_id=user_id).values_list("pk", flat=True),
    )


_receivers = {key: _changed(key) for key in ("project", "goal", "person")}


def connect() -> None:
    for key, model in (("project", Project), ("goal", Goal), ("person", Membership)):
        post_save.connect(_receivers[key], sender=model, dispatch_uid=f"search_{key}_saved")
        post_delete.connect(_receivers[key], sender=model, dispatch_uid=f"search_{key}_deleted")
    post_save.connect(user_saved, sender=User, dispatch_uid="search_user_saved")
