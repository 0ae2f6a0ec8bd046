"""Organisations and teams now live in the tenancy app: the keys point there.

State only: the tables did not move (``projects_organization``, ``projects_team``),
so the columns and their database constraints stay exactly as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0006_kpi_builtin_names_data'),
        ('tenancy', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='kpi',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kpis', to='tenancy.organization', verbose_name='organisation'),
                ),
                migrations.AlterField(
                    model_name='kpi',
                    name='team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='kpis', to='tenancy.team', verbose_name='team'),
                ),
                migrations.AlterField(
                    model_name='pulseanswer',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.organization', verbose_name='organisation'),
                ),
                migrations.AlterField(
                    model_name='pulseanswer',
                    name='team',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pulse_answers', to='tenancy.team', verbose_name='team rated'),
                ),
                migrations.AlterField(
                    model_name='retrospective',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.organization', verbose_name='organisation'),
                ),
                migrations.AlterField(
                    model_name='retrospective',
                    name='team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='retrospectives', to='tenancy.team', verbose_name='team'),
                ),
            ],
        ),
    ]
