# The unique (message, assignment) index serves every lookup by message: the link's own index on message is
# dropped, one index fewer for each of the ~110,000 links a cold 1M remind sweep writes. Only the index: Django's
# AlterField would also drop and re-add (and so re-validate) the foreign key, and rebuild the table on SQLite.

import django.db.models.deletion
from django.db import migrations, models

INDEX = "notify_inboxlink_message_id_99ff569e"  # the name Django gave it, on PostgreSQL and SQLite alike


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0005_webhook_subscriptions_and_work_apps'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='inboxlink',
                    name='message',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='links', to='notify.inboxmessage'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "notify_inboxlink" ("message_id")',
                ),
            ],
        ),
    ]
