from django.db import migrations, models

from onevoice.core.data_version import install_triggers, remove_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("accounts", "0003_recoverycode_totpdevice"),
        ("organization", "0001_initial"),
        ("networks", "0002_app_registrations"),
        ("planning", "0006_webhook_failing_notification"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("n", models.BigIntegerField(default=1)),
            ],
            options={"verbose_name": "data change", "verbose_name_plural": "data changes"},
        ),
        migrations.RunPython(
            lambda apps, schema_editor: install_triggers(schema_editor),
            lambda apps, schema_editor: remove_triggers(schema_editor),
        ),
    ]
