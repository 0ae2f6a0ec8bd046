"""KPIs and retrospectives in the organisation's search."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from opsboard.builtins import names_of, shown_name
from opsboard.search.kinds import DETAIL, MAIN, TITLE, Document, Field, SearchKind, Shown
from opsboard.search.services import documents_refresh_on_commit
from opsboard.tenancy.models import Organization, Team
from projects.models import Project

from .models import BUILTIN_NAMES, Kpi, Retrospective, RetrospectiveAction, RetrospectiveState

# KPIs: a computed KPI nobody renamed answers to its built-in name in every language --


def kpi_documents(ids: Sequence[int]) -> list[Document]:
    rows = Kpi.objects.filter(pk__in=ids).values_list(
        "pk", "organization_id", "name", "source", "description"
    )
    documents = []
    for pk, organization_id, name, source, description in rows:
        names = sorted(names_of(name, BUILTIN_NAMES.get(source)))
        documents.append(
            Document(
                organization_id=organization_id,
                object_id=pk,
                title=name or " / ".join(names),
                fields=[
                    *(Field("name", one, TITLE) for one in names),
                    Field("description", description, MAIN),
                ],
            )
        )
    return documents


def kpi_shown(organization: Organization, ids: Sequence[int]) -> dict[int, Shown]:
    rows = Kpi.objects.filter(pk__in=ids, organization=organization).values_list(
        "pk", "name", "source", "team__name", "project__name", "goal__title"
    )
    return {
        pk: Shown(
            url=reverse("metrics:kpi_detail", kwargs={"org_slug": organization.slug, "kpi_id": pk}),
            title=shown_name(name, BUILTIN_NAMES.get(source)),
            context=team or project or goal or _("Whole organisation"),
        )
        for pk, name, source, team, project, goal in rows
    }


KPIS = SearchKind(
    key="kpi",
    label=gettext_lazy("KPIs"),
    order=40,
    documents=kpi_documents,
    model=Kpi,
    shown=kpi_shown,
    field_labels={"description": pgettext_lazy("where a search matched", "In the description")},
)


# Retrospectives: what the team wrote, and its improvement actions ---------------------


def retrospective_documents(ids: Sequence[int]) -> list[Document]:
    actions: dict[int, list[str]] = defaultdict(list)
    for retrospective_id, title in (
        RetrospectiveAction.objects.filter(retrospective_id__in=ids).order_by("pk")
    ).values_list("retrospective_id", "title"):
        actions[retrospective_id].append(title)
    rows = Retrospective.objects.filter(pk__in=ids).values_list(
        "pk", "organization_id", "project__name", "team__name", "highlights", "problems"
    )
    return [
        Document(
            organization_id=organization_id,
            object_id=pk,
            title=project or team or "",
            fields=[
                Field("reviewed", project or team or "", TITLE),
                Field("highlights", highlights, MAIN),
                Field("problems", problems, MAIN),
                *(Field("action", title, DETAIL) for title in actions[pk]),
            ],
        )
        for pk, organization_id, project, team, highlights, problems in rows
    ]


def retrospective_shown(organization: Organization, ids: Sequence[int]) -> dict[int, Shown]:
    rows = Retrospective.objects.filter(pk__in=ids, organization=organization).values_list(
        "pk", "project__name", "team__name", "month", "state"
    )
    return {
        pk: Shown(
            url=reverse(
                "metrics:retrospective_detail",
                kwargs={"org_slug": organization.slug, "retro_id": pk},
            ),
            title=_("%(reviewed)s, %(month)s")
            % {"reviewed": project or team, "month": date_format(month, "YEAR_MONTH_FORMAT")},
            context=_("Project retrospective") if project else _("Team retrospective"),
            marks=[] if state == RetrospectiveState.FINAL else [RetrospectiveState(state).label],
        )
        for pk, project, team, month, state in rows
    }


RETROSPECTIVES = SearchKind(
    key="retrospective",
    label=gettext_lazy("Retrospectives"),
    order=60,
    documents=retrospective_documents,
    model=Retrospective,
    shown=retrospective_shown,
    field_labels={
        "highlights": pgettext_lazy("where a search matched", "In the highlights"),
        "problems": pgettext_lazy("where a search matched", "In the problems"),
        "action": pgettext_lazy("where a search matched", "In an improvement action"),
    },
)

KINDS = [KPIS, RETROSPECTIVES]


# Keeping the documents -------------------------------------------------------------------


def kpi_changed(sender: Any, instance: Kpi, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        documents_refresh_on_commit(KPIS.key, [instance.pk])


def retrospective_changed(sender: Any, instance: Retrospective, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        documents_refresh_on_commit(RETROSPECTIVES.key, [instance.pk])


def action_changed(sender: Any, instance: RetrospectiveAction, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        documents_refresh_on_commit(RETROSPECTIVES.key, [instance.retrospective_id])


def reviewed_renamed(sender: Any, instance: Project | Team, created: bool, **kwargs: Any) -> None:
    """A project's or a team's retrospectives are found by its name."""
    if created or kwargs.get("raw"):
        return
    of = {"project_id" if isinstance(instance, Project) else "team_id": instance.pk}
    documents_refresh_on_commit(
        RETROSPECTIVES.key,
        lambda: Retrospective.objects.filter(**of).values_list("pk", flat=True),
    )


def connect() -> None:
    post_save.connect(kpi_changed, sender=Kpi, dispatch_uid="search_kpi_saved")
    post_delete.connect(kpi_changed, sender=Kpi, dispatch_uid="search_kpi_deleted")
    for model, receiver in (
        (Retrospective, retrospective_changed),
        (RetrospectiveAction, action_changed),
    ):
        name = model.__name__.lower()
        post_save.connect(receiver, sender=model, dispatch_uid=f"search_{name}_saved")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"search_{name}_deleted")
    for model in (Project, Team):
        post_save.connect(
            reviewed_renamed, sender=model, dispatch_uid=f"search_{model.__name__}_renamed"
        )
