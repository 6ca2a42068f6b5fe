"""The governing bodies English UN reports address (Security Council, Human Rights
Council, the Executive Boards, functional commissions…), from data/bodies.json."""

from django.db import migrations

from recommendations.reference_data import load_bodies


def forwards(apps, schema_editor):
    load_bodies(apps.get_model("recommendations", "Body"))


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0007_theme_keywords"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
