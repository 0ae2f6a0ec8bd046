"""Notify's organisation and team ids become foreign keys to the tenancy app.

Each id field is renamed to the key's name while its column stays put (an
explicit ``db_column`` for the time of the rename), then altered to the key: the
column, its values and its index stay; the database gains the constraint (and an
index on the team). Deleting an organisation or a team now deletes its chat
groups and notifications with it.
"""

import django.db.models.deletion
from django.db import migrations, models


def to_key(model_name, name, column, id_field, key_field):
    return [
        migrations.AlterField(model_name=model_name, name=column, field=id_field),
        migrations.RenameField(model_name=model_name, old_name=column, new_name=name),
        migrations.AlterField(model_name=model_name, name=name, field=key_field),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0008_drop_rows_of_deleted_organisations"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        *to_key(
            "chatwebhook",
            "organization",
            "organization_id",
            models.BigIntegerField(db_column="organization_id", db_index=True, verbose_name="organisation"),
            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="chat_webhooks", to="tenancy.organization", verbose_name="organisation"),
        ),
        *to_key(
            "chatwebhook",
            "team",
            "team_id",
            models.BigIntegerField(db_column="team_id", blank=True, null=True, verbose_name="team"),
            models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="chat_webhooks", to="tenancy.team", verbose_name="team"),
        ),
        *to_key(
            "notification",
            "organization",
            "organization_id",
            models.BigIntegerField(db_column="organization_id", blank=True, null=True, db_index=True, verbose_name="organisation"),
            models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to="tenancy.organization", verbose_name="organisation"),
        ),
    ]
