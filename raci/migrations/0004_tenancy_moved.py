"""Organisations and teams now live in the tenancy app: the keys point there.

State only: the tables did not move (``projects_organization``, ``projects_team``),
so the columns and their database constraints stay exactly as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('raci', '0003_blocked_alerts'),
        ('tenancy', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='raciassignment',
                    name='team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='raci_roles', to='tenancy.team', verbose_name='team'),
                ),
                migrations.AlterField(
                    model_name='racipolicy',
                    name='organization',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='raci_policy', to='tenancy.organization', verbose_name='organisation'),
                ),
            ],
        ),
    ]
