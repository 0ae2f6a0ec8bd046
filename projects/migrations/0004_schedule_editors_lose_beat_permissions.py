"""The demo's "Schedule editors" group let an organisation's ops manager edit every
organisation's beat schedules: the schedules are global, for superusers only."""

from django.db import migrations


def remove_beat_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    beat = Permission.objects.filter(content_type__app_label="django_celery_beat")
    for group in Group.objects.filter(name="Schedule editors"):
        group.permissions.remove(*beat)
        if not group.permissions.exists():
            group.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_organization_job_times"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(remove_beat_permissions, migrations.RunPython.noop)]
