from django.db import migrations
from django.db.models import F

BATCH_SIZE = 1000


def bump_scores(apps, schema_editor):
    """Add 1 to every account's score, 1,000 ids at a time, in id order."""
    Account = apps.get_model("accounts", "Account")
    last_id = 0
    while True:
        batch = list(Account.objects.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:BATCH_SIZE])
        if not batch:
            break
        Account.objects.filter(id__in=batch).update(score=F("score") + 1)
        last_id = batch[-1]
        if len(batch) < BATCH_SIZE:
            break


def unbump_scores(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    Account.objects.update(score=F("score") - 1)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(bump_scores, unbump_scores),
    ]
