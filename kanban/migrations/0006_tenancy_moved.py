"""Organisations and teams now live in the tenancy app: the keys point there.

State only: the tables did not move (``projects_organization``, ``projects_team``),
so the columns and their database constraints stay exactly as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kanban', '0005_builtin_names_data'),
        ('tenancy', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='board',
                    name='organization',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='boards', to='tenancy.organization', verbose_name='organisation'),
                ),
                migrations.AlterField(
                    model_name='card',
                    name='team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cards', to='tenancy.team', verbose_name='team'),
                ),
            ],
        ),
    ]
