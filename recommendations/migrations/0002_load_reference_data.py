from django.db import migrations

from recommendations.reference_data import load_reference_data


def forwards(apps, schema_editor):
    load_reference_data(
        apps.get_model("recommendations", "MemberState"),
        apps.get_model("recommendations", "Theme"),
        apps.get_model("recommendations", "Body"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
