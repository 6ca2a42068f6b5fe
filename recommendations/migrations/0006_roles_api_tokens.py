from django.db import migrations

from recommendations.roles import sync_roles


def forwards(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0005_api_tokens"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
