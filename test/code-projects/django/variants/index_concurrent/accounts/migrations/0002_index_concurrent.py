from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
    atomic = False

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="account",
            index=models.Index(fields=["score"], name="accounts_score_idx"),
        ),
    ]
