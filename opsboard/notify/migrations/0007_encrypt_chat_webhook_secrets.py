# Chat webhook addresses and signing secrets stored encrypted (FIELD_ENCRYPTION_KEYS).
# The columns widen to text first, the rows are encrypted (decrypted on the way
# back) while the fields are still plain, then the fields become encrypted ones.

from django.db import migrations, models

import opsboard.encryption


def _convert(apps, convert):
    ChatWebhook = apps.get_model("notify", "ChatWebhook")
    for pk, url, secret in ChatWebhook.objects.values_list("pk", "url", "secret"):
        ChatWebhook.objects.filter(pk=pk).update(
            url=convert(url) if url else url, secret=convert(secret) if secret else secret
        )


def encrypt_rows(apps, schema_editor):
    _convert(apps, opsboard.encryption.encrypt)


def decrypt_rows(apps, schema_editor):
    _convert(apps, opsboard.encryption.decrypt)


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0006_reminder_hour_from_organization'),
    ]

    operations = [
        migrations.AlterField(
            model_name='chatwebhook',
            name='url',
            field=models.TextField(verbose_name='webhook address'),
        ),
        migrations.AlterField(
            model_name='chatwebhook',
            name='secret',
            field=models.TextField(blank=True, verbose_name='signing secret'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AlterField(
            model_name='chatwebhook',
            name='url',
            field=opsboard.encryption.EncryptedCharField(max_length=500, verbose_name='webhook address'),
        ),
        migrations.AlterField(
            model_name='chatwebhook',
            name='secret',
            field=opsboard.encryption.EncryptedCharField(blank=True, max_length=200, verbose_name='signing secret'),
        ),
    ]
