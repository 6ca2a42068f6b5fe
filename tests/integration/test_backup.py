"""backup_db / restore_db round trip on the database the suite runs on."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import FollowUp, MemberState, Recommendation, Report
from recommendations.services import follow_ups as services

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_and_restore_round_trip(tmp_path, reference_data):
    call_command("import_seeds", stdout=StringIO())
    follow_up = services.follow_up_create(
        recommendation=Recommendation.objects.get(label="93(b)"),
        member_state=MemberState.objects.get(iso3="KEN"),
        user=None,
        status="in_progress",
    )
    backup = tmp_path / "backups" / "tracker.backup"
    out = StringIO()
    call_command("backup_db", str(backup), stdout=out)
    assert backup.is_file() and backup.stat().st_size > 0
    assert str(backup) in out.getvalue()

    # Changes after the backup …
    follow_up.delete()
    Report.objects.filter(symbol__startswith="004").update(title="changed")
    assert not FollowUp.objects.exists()

    # … are undone by the restore.
    call_command("restore_db", str(backup), "--yes", stdout=StringIO())
    restored = FollowUp.objects.get()
    assert (restored.member_state_id, restored.status) == ("KEN", "in_progress")
    assert Report.objects.get(symbol__startswith="004").title != "changed"
    assert Recommendation.objects.count() == 39
    assert MemberState.objects.count() == 193


def test_restore_refuses_without_confirmation_or_a_real_backup(tmp_path, reference_data):
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_bytes(b"this is not a database")
    with pytest.raises(CommandError, match="add --yes"):
        call_command("restore_db", str(bogus))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore_db", str(tmp_path / "missing"), "--yes")
    with pytest.raises(CommandError):
        call_command("restore_db", str(bogus), "--yes")
    assert MemberState.objects.count() == 193  # nothing was touched
