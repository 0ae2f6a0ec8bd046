"""Organisations, teams, memberships and invitations left for the tenancy app.

State only, and last: the tenancy app declared the same tables first
(``tenancy/0001_initial``), every key to them was pointed there (here and in
kanban, raci and metrics), and only then are the models dropped from projects'
state. No table, row or constraint changes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0004_schedule_editors_lose_beat_permissions"),
        ("tenancy", "0001_initial"),
        ("kanban", "0006_tenancy_moved"),
        ("metrics", "0007_tenancy_moved"),
        ("raci", "0004_tenancy_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="project",
                    name="organization",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="projects", to="tenancy.organization", verbose_name="organisation"),
                ),
                migrations.AlterField(
                    model_name="project",
                    name="teams",
                    field=models.ManyToManyField(related_name="projects", to="tenancy.team", verbose_name="participating teams"),
                ),
                migrations.AlterField(
                    model_name="goal",
                    name="organization",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="goals", to="tenancy.organization", verbose_name="organisation"),
                ),
                migrations.AlterField(
                    model_name="goal",
                    name="team",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="goals", to="tenancy.team", verbose_name="team"),
                ),
                migrations.DeleteModel(name="Invitation"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="Team"),
                migrations.DeleteModel(name="Organization"),
            ],
        ),
    ]
