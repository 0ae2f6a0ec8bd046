# The people Responsible or Accountable for the cards that already exist follow them.

from django.db import migrations

FOLLOW_RESPONSIBLE_AND_ACCOUNTABLE = [
    "INSERT INTO kanban_cardfollower (card_id, user_id, following, reason, since)"
    f" SELECT card_id, user_id, TRUE, '{reason}', created_at FROM raci_raciassignment"
    f" WHERE user_id IS NOT NULL AND role = '{role}' ON CONFLICT DO NOTHING"
    for role, reason in (("A", "accountable"), ("R", "responsible"))
]


class Migration(migrations.Migration):
    dependencies = [
        ("raci", "0004_tenancy_moved"),
        ("kanban", "0009_followers_and_mentions"),
    ]

    operations = [
        migrations.RunSQL(FOLLOW_RESPONSIBLE_AND_ACCOUNTABLE, migrations.RunSQL.noop),
    ]
