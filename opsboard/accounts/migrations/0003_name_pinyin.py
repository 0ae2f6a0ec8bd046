# The pinyin of each Chinese full name, for "@" suggestions (opsboard.accounts.names.pinyin_key).

from django.db import migrations, models


def fill_pinyin(apps, schema_editor):
    from opsboard.accounts.names import pinyin_key

    User = apps.get_model("accounts", "User")
    changed = []
    for user in User.objects.exclude(full_name="").only("pk", "full_name").iterator():
        key = pinyin_key(user.full_name)
        if key:
            user.name_pinyin = key
            changed.append(user)
    User.objects.bulk_update(changed, ["name_pinyin"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="name_pinyin",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fill_pinyin, migrations.RunPython.noop),
    ]
