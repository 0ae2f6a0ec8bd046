"""Computed KPIs named as the product names them become built-ins.

A KPI whose name is its source's built-in name, or the source's own label, in
English or Chinese (the demo's "On-time completion rate", a manager's 吞吐量)
keeps its name empty from now on and shows the built-in name in each reader's
language. Names anybody typed otherwise stay.

The names are written out here as they were at this migration, not read from
the translation catalogue, which may change later.
"""

from django.db import migrations
from django.db.models import Q

# source: (built-in name in English, in Chinese), then the other names the product used
KPI_NAMES = {
    "on_time_rate": ("On-time completion rate", "任务按时完成率"),
    "throughput": (
        "Throughput",
        "吞吐量",
        "Throughput (cards done per week)",
        "吞吐量（每周完成卡片数）",
    ),
    "cycle_time_median": (
        "Cycle time (median)",
        "周期时间（中位数）",
        "Cycle time, median (days)",
        "周期时间中位数（天）",
    ),
    "cycle_time_p85": (
        "Cycle time (85th percentile)",
        "周期时间（第 85 百分位）",
        "Cycle time, 85th percentile (days)",
        "周期时间第 85 百分位（天）",
    ),
    "lead_time_median": (
        "Lead time (median)",
        "前置时间（中位数）",
        "Lead time, median (days)",
        "前置时间中位数（天）",
    ),
    "overdue_open": ("Open overdue cards", "未完成的逾期卡片"),
    "wip": ("Work in progress", "在制品数量"),
    "blocked": ("Blocked cards", "受阻卡片"),
    "blocked_days": ("Blocked days", "受阻天数"),
    "goal_progress": ("Goal progress", "目标进展"),
    "pulse_satisfaction": (
        "Cross-team satisfaction",
        "跨团队协作满意度",
        "Cross-team satisfaction (pulse, 1-5)",
        "跨团队协作满意度（脉搏调查，1-5）",
    ),
    "pulse_nps": (
        "NPS of working with other teams",
        "与其他团队协作的 NPS",
        "NPS of working with the team (pulse)",
        "与该团队协作的 NPS（脉搏调查）",
    ),
}


def kpis_to_builtins(apps, schema_editor):
    Kpi = apps.get_model("metrics", "Kpi")
    for source, names in KPI_NAMES.items():
        named = Q()
        for name in names:
            named |= Q(name__iexact=name)
        Kpi.objects.filter(named, source=source).update(name="")


def kpis_from_builtins(apps, schema_editor):
    """Name each built-in KPI in its organisation's language."""
    Kpi = apps.get_model("metrics", "Kpi")
    for source, names in KPI_NAMES.items():
        builtins = Kpi.objects.filter(source=source, name="")
        builtins.filter(organization__language__startswith="zh").update(name=names[1])
        builtins.update(name=names[0])


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0005_kpi_builtin_names"),
        ("projects", "0004_schedule_editors_lose_beat_permissions"),
    ]

    operations = [
        migrations.RunPython(kpis_to_builtins, kpis_from_builtins),
    ]
