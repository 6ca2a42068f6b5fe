"""The CSV questionnaire on the seeds: exported, filled as a ministry would in a
spreadsheet program or a text editor, previewed, applied; conflicts settled in CSV; the
same refusals as the workbook."""

import csv
import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recommendations.choices import ActionKind, Response, Status
from recommendations.models import Action, FollowUp, Recommendation
from recommendations.questionnaires.services import (
    WorkbookRefused,
    conflicts_export,
    questionnaire_export,
    questionnaire_import,
)
from recommendations.services import follow_ups as follow_up_services
from tests.integration.shared import SEED_2017, make_follow_up, rec, snapshot, state
from tests.questionnaire_helpers import fill_csv as fill

pytestmark = pytest.mark.django_db

NAME = "kenya.csv"


def export(iso3="KEN", **kwargs) -> bytes:
    return questionnaire_export(member_state=state(iso3), file_format="csv", **kwargs)


def run(data, **kwargs):
    kwargs.setdefault("user", None)
    kwargs.setdefault("name", NAME)
    return questionnaire_import(data=data, **kwargs)


def test_round_trip_preview_then_apply(seeds):
    existing = make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    data = fill(
        export(report=SEED_2017),
        answers={"93(a)": ("Implemented", "Accepted"), "93(b)": ("not_applicable", "注意到")},
        actions=[
            ("93(b)", "2025-03-01", "Legislation", "=cmd|' /C calc'!A0"),
            ("93(b)", "2025-04-01", "Funding", "Second action, same row repeated"),
        ],
        delimiter=";",
    )
    before = snapshot()
    preview = run(data)
    assert snapshot() == before and not preview.applied
    assert preview.file_format == "csv" and not preview.problems and not preview.conflicts
    assert {(c.label, c.status_to, c.response_to) for c in preview.changes} == {
        ("93(a)", Status.IMPLEMENTED, Response.ACCEPTED),
        ("93(b)", Status.NOT_APPLICABLE, Response.NOTED),
    }
    assert [(a.label, a.kind) for a in preview.actions] == [
        ("93(b)", ActionKind.LEGISLATION),
        ("93(b)", ActionKind.FUNDING),
    ]
    active = Recommendation.objects.filter(report__symbol=SEED_2017, is_withdrawn=False)
    assert len(preview.unchanged) == active.count() - 2

    result = run(data, dry_run=False)
    assert result.applied
    existing.refresh_from_db()
    assert (existing.status, existing.version) == (Status.NOT_APPLICABLE, 2)
    last = existing.history.order_by("-history_date").first()
    assert last.history_change_reason == "questionnaire kenya.csv"
    descriptions = set(Action.objects.values_list("description", flat=True))
    assert descriptions == {"=cmd|' /C calc'!A0", "Second action, same row repeated"}


def test_export_rows_equal_the_workbooks_and_neutralise_formulas(seeds):
    header, *rows = list(csv.reader(io.StringIO(export().decode("utf-8-sig"), newline="")))
    assert header[:3] == ["State", "Report", "Label"]
    active = Recommendation.objects.filter(is_withdrawn=False)
    assert len(rows) == active.count()
    assert {row[0] for row in rows} == {"KEN"}
    assert not [cell for row in rows for cell in row if cell[:1] and cell[0] in "=+-@"]


def test_wrong_values_are_problems_and_nothing_is_written(seeds):
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    data = fill(
        export(report=SEED_2017),
        answers={"93(a)": ("Done", "")},
        actions=[("93(b)", future, "Funding", "Tomorrow")],
    )
    before = snapshot()
    result = run(data, dry_run=False)
    assert not result.applied and snapshot() == before
    assert sorted((p.sheet, p.column) for p in result.problems) == [
        (NAME, "New action: Date"),
        (NAME, "Status"),
    ]


def test_conflict_settled_in_csv(seeds, staff):
    exported = export(report=SEED_2017)
    follow_up = make_follow_up(rec("93(a)"), "KEN", Status.IN_PROGRESS)
    follow_up_services.follow_up_update(
        follow_up=follow_up, data={"status": Status.IMPLEMENTED}, user=staff, expected_version=1
    )
    result = run(fill(exported, answers={"93(a)": ("Not started", "")}), dry_run=False)
    assert not result.applied and [c.label for c in result.conflicts] == ["93(a)"]
    settle = conflicts_export(result, member_state=state("KEN"))
    header, row = list(csv.reader(io.StringIO(settle.decode("utf-8-sig"), newline="")))
    assert row[header.index("Version")] == "2"
    assert row[header.index("Your earlier answer")] == "Not started"
    assert run(fill(settle, answers={"93(a)": ("Not started", "")}), dry_run=False).applied
    assert FollowUp.objects.get(pk=follow_up.pk).status == Status.NOT_STARTED


def test_refusals_write_nothing(seeds):
    before = snapshot()
    with pytest.raises(WorkbookRefused, match="another member state"):
        run(export("BOL"), member_state=state("KEN"))
    with pytest.raises(WorkbookRefused, match="UTF-8"):
        run(export().decode("utf-8-sig").encode("utf-16"))
    assert snapshot() == before


def test_commands(seeds, tmp_path):
    target = tmp_path / "kenya.csv"
    call_command("questionnaire_export", "--state", "KEN", "--output", str(target))
    assert target.read_bytes().startswith("\ufeffState,".encode())
    filled = tmp_path / "filled.csv"
    filled.write_bytes(fill(target.read_bytes(), answers={"93(a)": ("Implemented", "")}))
    out = StringIO()
    call_command("questionnaire_import", str(filled), "--dry-run", stdout=out)
    assert "questionnaire of KEN (en)." in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\xff\xfeState")
    with pytest.raises(CommandError, match=r"broken\.csv: .*not UTF-8"):
        call_command("questionnaire_import", str(broken), stdout=StringIO())
