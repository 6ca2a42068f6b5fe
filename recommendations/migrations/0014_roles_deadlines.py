from django.db import migrations

from recommendations.roles import sync_roles


def forwards(apps, schema_editor):
    """The Secretariat role keeps the sessions of the bodies, sets reports' due dates and
    reads the e-mails and reminders sent."""
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0013_deadlines_and_reminders")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
