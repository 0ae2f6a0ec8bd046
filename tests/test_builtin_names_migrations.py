"""Existing organisations benefit: columns, labels and KPIs named as the product named
them become built-ins, and going back names them again in the organisation's language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from kanban.models import Column, Label
from metrics.models import Kpi

BEFORE = [("kanban", "0004_builtin_names"), ("metrics", "0005_kpi_builtin_names")]
AFTER = [("kanban", "0005_builtin_names_data"), ("metrics", "0006_kpi_builtin_names_data")]


def migrate(targets: list[tuple[str, str]]):
    """Migrate to ``targets``; return the models as they stand there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def migrated_back(transactional_db: None) -> Iterator[object]:
    yield migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_product_names_become_built_ins_and_come_back(migrated_back) -> None:
    apps = migrated_back
    Organization = apps.get_model("projects", "Organization")
    Project = apps.get_model("projects", "Project")
    Board = apps.get_model("kanban", "Board")
    OldColumn = apps.get_model("kanban", "Column")
    OldLabel = apps.get_model("kanban", "Label")
    OldKpi = apps.get_model("metrics", "Kpi")

    boards = {}
    for language, slug in (("zh-hans", "cn"), ("en", "en")):
        organization = Organization.objects.create(name=slug, slug=slug, language=language)
        project = Project.objects.create(
            organization=organization, name="Churn", start_date=date(2026, 11, 1),
            due_date=date(2026, 12, 31),
        )  # fmt: skip
        boards[slug] = Board.objects.create(organization=organization, project=project, name="B")
    cn, en = boards["cn"], boards["en"]
    for board, names in (
        (cn, ["待办", "进行中", "已完成"]),
        (en, ["To do", "In progress", "Done"]),
    ):
        for position, (kind, name) in enumerate(zip(["todo", "doing", "done"], names, strict=True)):
            OldColumn.objects.create(board=board, kind=kind, name=name, position=position)
    typed = OldColumn.objects.create(board=en, kind="doing", name="Peer review", position=3)
    wrong_kind = OldColumn.objects.create(board=en, kind="doing", name="Done", position=4)
    for name in ("bug", "缺陷", "Data", "supplier"):
        OldLabel.objects.create(board=cn, name=name)
    organization = cn.organization
    for name, source in (
        ("On-time completion rate", "on_time_rate"),
        ("吞吐量", "throughput"),
        ("Throughput (cards done per week)", "throughput"),
        ("Cycle time (median)", "cycle_time_median"),
        ("Churn goal progress", "goal_progress"),
        ("Throughput", "manual"),
    ):
        OldKpi.objects.create(
            organization=organization, name=name, source=source, target=1,
            amber_threshold=1, red_threshold=1,
        )  # fmt: skip

    migrate(AFTER)

    columns = Column.objects.order_by("board_id", "position")
    assert [c.name for c in columns] == ["", "", "", "", "", "", "Peer review", "Done"]
    with translation.override("en"):
        assert [c.display_name for c in columns.filter(board_id=cn.pk)] == [
            "To do", "In progress", "Done",
        ]  # fmt: skip
    labels = {(label.name, label.builtin) for label in Label.objects.filter(board_id=cn.pk)}
    # 缺陷 is the Chinese "bug": the board holds one built-in bug, the second stays as typed.
    assert labels == {("", "bug"), ("缺陷", ""), ("", "data"), ("supplier", "")}
    assert sorted(Kpi.objects.values_list("source", "name")) == [
        ("cycle_time_median", ""),
        ("goal_progress", "Churn goal progress"),
        ("manual", "Throughput"),
        ("on_time_rate", ""),
        ("throughput", ""),
        ("throughput", ""),
    ]

    apps = migrate(BEFORE)
    OldColumn = apps.get_model("kanban", "Column")
    OldLabel = apps.get_model("kanban", "Label")
    OldKpi = apps.get_model("metrics", "Kpi")
    # Named again in each organisation's language, as boards used to be made.
    assert [c.name for c in OldColumn.objects.order_by("board_id", "position")] == [
        "待办", "进行中", "已完成", "To do", "In progress", "Done", "Peer review", "Done",
    ]  # fmt: skip
    assert OldColumn.objects.get(pk=typed.pk).name == "Peer review"
    assert OldColumn.objects.get(pk=wrong_kind.pk).name == "Done"
    assert set(OldLabel.objects.values_list("name", flat=True)) == {
        "bug", "缺陷", "数据", "supplier",
    }  # fmt: skip
    assert sorted(OldKpi.objects.values_list("source", "name")) == [
        ("cycle_time_median", "周期时间（中位数）"),
        ("goal_progress", "Churn goal progress"),
        ("manual", "Throughput"),
        ("on_time_rate", "任务按时完成率"),
        ("throughput", "吞吐量"),
        ("throughput", "吞吐量"),
    ]
