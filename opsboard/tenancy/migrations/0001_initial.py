"""Organisations, teams, memberships and invitations move here from ``projects``.

Only Django's idea of where the models live changes: the tables keep their
``projects_*`` names (``db_table``), so every row, id and foreign key stays as
it was; ``projects/migrations/0005_tenancy_moved_out.py`` then drops the models
from projects' state. The content types are renamed in place, so permissions
granted on these models and the admin's history keep pointing at them.
"""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = ["organization", "team", "membership", "invitation"]


def rename_content_types(old_label: str, new_label: str):
    def rename(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in MOVED:
            # None yet on a new database (content types come after the migrations).
            if not ContentType.objects.using(db).filter(app_label=new_label, model=model).exists():
                ContentType.objects.using(db).filter(app_label=old_label, model=model).update(
                    app_label=new_label
                )

    return rename


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("projects", "0004_schedule_editors_lose_beat_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Organization',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('slug', models.SlugField(help_text='Used in addresses, e.g. /o/demo-ops/. Lower-case letters, digits and hyphens.', max_length=60, unique=True, verbose_name='short name')),
                        ('timezone', models.CharField(default='UTC', max_length=64, verbose_name='time zone')),
                        ('language', models.CharField(choices=[('en', 'English'), ('zh-hans', 'Simplified Chinese')], default='en', help_text='Used for emails to people who have not chosen a language.', max_length=10, verbose_name='language')),
                        ('reminder_lead_days', models.PositiveSmallIntegerField(default=3, help_text='How many days before a due date people are reminded.', validators=[django.core.validators.MaxValueValidator(30)], verbose_name='reminder lead time (days)')),
                        ('reminder_hour', models.PositiveSmallIntegerField(default=8, help_text="Reminders and the weekly digest go out from this hour, in each person's time zone (else the organisation's). People may choose their own hour.", validators=[django.core.validators.MaxValueValidator(23)], verbose_name='reminder hour')),
                        ('digest_weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], default=0, help_text='The day the digest of the week before goes out.', verbose_name='weekly digest day')),
                        ('retrospective_working_day', models.PositiveSmallIntegerField(default=1, help_text="Last month's retrospectives are built at 07:00 on this working day of the month (1 = the first, Monday to Friday).", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)], verbose_name='retrospective day')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                    ],
                    options={
                        'verbose_name': 'organisation',
                        'verbose_name_plural': 'organisations',
                        'db_table': 'projects_organization',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Team',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created')),
                        ('lead', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='led_teams', to=settings.AUTH_USER_MODEL, verbose_name='team lead')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='teams', to='tenancy.organization', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'team',
                        'verbose_name_plural': 'teams',
                        'db_table': 'projects_team',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('owner', 'Owner'), ('manager', 'Ops manager'), ('lead', 'Team lead'), ('member', 'Member'), ('viewer', 'Viewer')], default='member', max_length=10, verbose_name='role')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='joined')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='tenancy.organization', verbose_name='organisation')),
                        ('teams', models.ManyToManyField(blank=True, related_name='memberships', to='tenancy.team', verbose_name='teams')),
                    ],
                    options={
                        'verbose_name': 'membership',
                        'verbose_name_plural': 'memberships',
                        'db_table': 'projects_membership',
                        'ordering': ['organization', 'user__email'],
                    },
                ),
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='email address')),
                        ('role', models.CharField(choices=[('owner', 'Owner'), ('manager', 'Ops manager'), ('lead', 'Team lead'), ('member', 'Member'), ('viewer', 'Viewer')], default='member', max_length=10, verbose_name='role')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='sent')),
                        ('expires_at', models.DateTimeField(verbose_name='expires')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted by')),
                        ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='tenancy.organization', verbose_name='organisation')),
                        ('teams', models.ManyToManyField(blank=True, related_name='+', to='tenancy.team', verbose_name='teams')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'db_table': 'projects_invitation',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='team',
                    constraint=models.UniqueConstraint(models.F('organization'), django.db.models.functions.text.Lower('name'), name='projects_team_name_unique_in_org'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(fields=('organization', 'user'), name='projects_membership_one_per_org'),
                ),
                migrations.AddConstraint(
                    model_name='invitation',
                    constraint=models.UniqueConstraint(models.F('organization'), django.db.models.functions.text.Lower('email'), condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True)), name='projects_invitation_one_open_per_email'),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    rename_content_types("projects", "tenancy"),
                    rename_content_types("tenancy", "projects"),
                ),
            ],
        ),
    ]
