"""Theme keywords per language in the database, filled in from data/themes.json; secretariat
staff may add themes and change them (names, keywords) in the admin."""

from django.db import migrations, models

from recommendations.reference_data import load_themes
from recommendations.roles import sync_roles


def forwards(apps, schema_editor):
    load_themes(apps.get_model("recommendations", "Theme"))
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0006_roles_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="theme",
            name="keywords",
            field=models.JSONField(blank=True, default=dict, verbose_name="keywords"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
