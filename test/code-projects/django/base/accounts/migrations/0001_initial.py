from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Account",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.TextField()),
                ("score", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "accounts",
            },
        ),
        # Django 3.2 keeps field defaults in Python only (db_default came in 5.0): give the column
        # the database default 0 the other tools' projects have, so rows inserted in SQL get it too.
        migrations.RunSQL(
            "ALTER TABLE accounts ALTER COLUMN score SET DEFAULT 0",
            reverse_sql="ALTER TABLE accounts ALTER COLUMN score DROP DEFAULT",
        ),
    ]
