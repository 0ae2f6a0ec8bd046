"""Columns and labels named as the product named them become built-ins.

A board's first columns were named once, in the organisation's language
(To do / In progress / Done or 待办 / 进行中 / 已完成), and the demo's labels in
English. Those rows now keep their name empty and say which built-in they are,
so every reader sees them in their own language. Names anybody typed stay.

The names are written out here as they were at this migration, not read from
the translation catalogue, which may change later.
"""

from django.db import migrations
from django.db.models import Q

# kind: the names the product gave a column of that kind (English, Chinese)
COLUMN_NAMES = {
    "todo": ("To do", "待办"),
    "doing": ("In progress", "进行中"),
    "done": ("Done", "已完成"),
}

# built-in label: its names (English, Chinese)
LABEL_NAMES = {
    "bug": ("bug", "缺陷"),
    "feature": ("feature", "功能"),
    "data": ("data", "数据"),
    "research": ("research", "调研"),
    "experiment": ("experiment", "实验"),
    "performance": ("performance", "性能"),
    "report": ("report", "报告"),
}


def _named(names):
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    return query


def _in_language(names, language):
    """The name the product gave in ``language``: Chinese for zh-*, else English."""
    return names[1] if (language or "").startswith("zh") else names[0]


def columns_to_builtins(apps, schema_editor):
    Column = apps.get_model("kanban", "Column")
    for kind, names in COLUMN_NAMES.items():
        Column.objects.filter(_named(names), kind=kind).update(name="")


def columns_from_builtins(apps, schema_editor):
    """Name each built-in column in its organisation's language, as boards were made."""
    Column = apps.get_model("kanban", "Column")
    for kind, names in COLUMN_NAMES.items():
        builtins = Column.objects.filter(kind=kind, name="")
        builtins.filter(board__organization__language__startswith="zh").update(name=names[1])
        builtins.update(name=names[0])


def labels_to_builtins(apps, schema_editor):
    Label = apps.get_model("kanban", "Label")
    for builtin, names in LABEL_NAMES.items():
        boards = set(Label.objects.filter(builtin=builtin).values_list("board_id", flat=True))
        for label in Label.objects.filter(_named(names), builtin="").order_by("pk"):
            if label.board_id in boards:
                continue  # "bug" and "缺陷" both on one board: the second stays as typed
            boards.add(label.board_id)
            label.name, label.builtin = "", builtin
            label.save(update_fields=["name", "builtin"])


def labels_from_builtins(apps, schema_editor):
    """Name each built-in label in its organisation's language, or in the other one when
    the board has a label of that name already."""
    Label = apps.get_model("kanban", "Label")
    for label in Label.objects.exclude(builtin="").select_related("board__organization"):
        names = LABEL_NAMES[label.builtin]
        first = _in_language(names, label.board.organization.language)
        candidates = [first, *(name for name in names if name != first), f"{first} ({label.builtin})"]
        taken = {
            name.casefold()
            for name in Label.objects.filter(board_id=label.board_id)
            .exclude(pk=label.pk)
            .values_list("name", flat=True)
        }
        label.name = next((name for name in candidates if name.casefold() not in taken), first)
        label.builtin = ""
        label.save(update_fields=["name", "builtin"])


class Migration(migrations.Migration):
    dependencies = [
        ("kanban", "0004_builtin_names"),
        ("projects", "0004_schedule_editors_lose_beat_permissions"),
    ]

    operations = [
        migrations.RunPython(columns_to_builtins, columns_from_builtins),
        migrations.RunPython(labels_to_builtins, labels_from_builtins),
    ]
