"""Before notify's organisation and team ids become foreign keys: drop the rows whose
organisation or team is gone.

They were left behind when an organisation was deleted (and, before the team's
clean-up, a team): a foreign key cannot hold them, and the cascade the key now
brings would have deleted them. Its own migration, so these deletes are committed
before 0008 adds the constraints (PostgreSQL refuses to alter a table with
deferred checks pending).
"""

from django.db import migrations


def drop_orphans(apps, schema_editor):
    ChatWebhook = apps.get_model("notify", "ChatWebhook")
    Notification = apps.get_model("notify", "Notification")
    organizations = apps.get_model("tenancy", "Organization").objects.values("pk")
    teams = apps.get_model("tenancy", "Team").objects.values("pk")
    ChatWebhook.objects.exclude(organization_id__in=organizations).delete()
    ChatWebhook.objects.filter(team_id__isnull=False).exclude(team_id__in=teams).delete()
    Notification.objects.filter(organization_id__isnull=False).exclude(
        organization_id__in=organizations
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0007_encrypt_chat_webhook_secrets"),
        ("tenancy", "0001_initial"),
    ]

    operations = [migrations.RunPython(drop_orphans, migrations.RunPython.noop)]
