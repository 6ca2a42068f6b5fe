"""The questionnaire round trip on the seeds: export a state's workbook, fill it with
openpyxl as a ministry would, preview, apply; conflicts; every refused file."""

import datetime
import io
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from recommendations.choices import ActionKind, Response, Status
from recommendations.models import Action, FollowUp, MemberState, Recommendation
from recommendations.questionnaires.services import (
    WorkbookRefused,
    conflicts_export,
    questionnaire_export,
    questionnaire_import,
)
from recommendations.services import follow_ups as follow_up_services
from tests.integration.shared import SEED_2017, make_follow_up, rec, snapshot, state
from tests.questionnaire_helpers import fill

pytestmark = pytest.mark.django_db

NAME = "kenya.xlsx"
VIA = "questionnaire kenya.xlsx"


def export(iso3="KEN", **kwargs) -> bytes:
    return questionnaire_export(member_state=state(iso3), **kwargs)


def run(data, **kwargs):
    kwargs.setdefault("user", None)
    kwargs.setdefault("name", NAME)
    return questionnaire_import(data=data, **kwargs)


def test_export_rows_titles_locks_and_drop_downs(seeds):
    make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS, response=Response.NOTED)
    Recommendation.objects.filter(report__symbol=SEED_2017, label="99(c)").update(is_withdrawn=True)
    book = load_workbook(io.BytesIO(export(report=SEED_2017)))
    assert book.sheetnames == ["Recommendations", "New actions", "Read me", "_lists", "_meta"]
    assert book["_lists"].sheet_state == "hidden" and book["_meta"].sheet_state == "hidden"
    sheet = book["Recommendations"]
    titles = [cell.value for cell in sheet[1]]
    assert titles[:8] == [
        "Report", "Label", "Recommendation", "Themes", "Last action", "Version", "Status",
        "Response",
    ]  # fmt: skip
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "99(c)" not in rows  # withdrawn
    assert (
        len(rows)
        == Recommendation.objects.filter(report__symbol=SEED_2017, is_withdrawn=False).count()
    )
    row = rows["93(b)"]
    assert row[titles.index("Version")] == 1
    assert row[titles.index("Status")] == "In progress"
    assert row[titles.index("Response")] == "Noted"
    assert rows["93(a)"][titles.index("Version")] is None
    assert sheet.protection.sheet
    assert sheet.cell(row=2, column=titles.index("Status") + 1).protection.locked is False
    assert sheet.cell(row=2, column=titles.index("Label") + 1).protection.locked is True
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert lists == ["'_lists'!$A$1:$A$5", "'_lists'!$B$1:$B$3"]
    assert [c.value for c in book["_lists"]["A"]][:5] == [str(label) for label in Status.labels]
    actions = book["New actions"]
    kinds = {v.type for v in actions.data_validations.dataValidation}
    assert kinds == {"date", "list"}
    assert "本问卷" in book["Read me"]["A3"].value
    assert "This questionnaire" in book["Read me"]["A6"].value


def test_export_in_chinese(seeds):
    make_follow_up(rec("93(b)"), "KEN", Status.IMPLEMENTED)
    book = load_workbook(io.BytesIO(export(language="zh", report=SEED_2017)))
    sheet = book["建议"]
    titles = [cell.value for cell in sheet[1]]
    assert titles[:3] == ["报告", "编号", "建议"] and "状态" in titles and "版本" in titles
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["93(b)"][titles.index("状态")] == "已执行"
    assert [c.value for c in book["_lists"]["B"]][:3] == ["接受", "注意到", "审议中"]


def test_round_trip_preview_then_apply(seeds):
    existing = make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    data = fill(
        export(report=SEED_2017),
        answers={"93(a)": ("Implemented", "Accepted"), "93(b)": ("Not applicable", "Noted")},
        actions=[
            (SEED_2017, "93(b)", datetime.date(2025, 3, 1), "Legislation", "=cmd|' /C calc'!A0",
             "https://example.org/law"),
            (SEED_2017, "94(a)", "2024-06-30", "Funding", "Budget line", ""),
        ],
    )  # fmt: skip
    before = snapshot()
    preview = run(data)
    assert snapshot() == before and not preview.applied
    assert not preview.problems and not preview.conflicts
    changes = {change.label: change for change in preview.changes}
    assert changes["93(a)"].created and changes["93(a)"].status_to == Status.IMPLEMENTED
    assert (changes["93(b)"].status_from, changes["93(b)"].status_to) == (
        Status.IN_PROGRESS,
        Status.NOT_APPLICABLE,
    )
    assert [(a.label, a.kind) for a in preview.actions] == [
        ("93(b)", ActionKind.LEGISLATION),
        ("94(a)", ActionKind.FUNDING),
    ]
    active = Recommendation.objects.filter(report__symbol=SEED_2017, is_withdrawn=False)
    assert len(preview.unchanged) == active.count() - 2

    result = run(data, dry_run=False)
    assert result.applied
    created = FollowUp.objects.get(recommendation=rec("93(a)"), member_state="KEN")
    assert (created.status, created.response) == (Status.IMPLEMENTED, Response.ACCEPTED)
    assert created.verified_at is None  # a claim: the command's user cannot verify
    existing.refresh_from_db()
    assert (existing.status, existing.response, existing.version) == (
        Status.NOT_APPLICABLE,
        Response.NOTED,
        2,
    )
    last = existing.history.order_by("-history_date").first()
    assert last.history_change_reason == VIA and last.history_user is None
    assert created.history.first().history_change_reason == VIA
    action = Action.objects.get(follow_up=existing)
    assert action.description == "=cmd|' /C calc'!A0"  # formula-like text, kept as text
    assert action.history.first().history_change_reason == VIA
    # A follow-up was created for the action on 94(a), which had none.
    assert FollowUp.objects.get(recommendation=rec("94(a)"), member_state="KEN").actions.count()

    # The same workbook again: the answers are now stale but equal (unchanged), the
    # actions already recorded: nothing new.
    again = run(data, dry_run=False)
    assert not again.changes and not again.conflicts
    assert all(action.already_recorded for action in again.actions)
    assert Action.objects.count() == 2


def test_wrong_values_are_problems_and_nothing_is_written(seeds):
    future = timezone.localdate() + datetime.timedelta(days=2)

    def tamper(book):
        sheet = book.worksheets[0]
        sheet["C3"].value = "A different text"  # locked: the recommendation's text

    data = fill(
        export(report=SEED_2017),
        answers={"93(a)": ("Done", ""), "93(d)": ("Implemented", "Maybe"),
                 "93(e)": ("In progress", "")},
        actions=[
            (SEED_2017, "93(e)", future, "Funding", "Later", ""),
            (SEED_2017, "93(e)", "1945-10-23", "Funding", "Before the UN", ""),
            (SEED_2017, "999(z)", "2024-01-01", "Funding", "Nowhere", ""),
            (SEED_2017, "93(e)", "yesterday", "Whatever", "Bad date and kind", ""),
            (SEED_2017, "93(e)", "2024-01-01", "Funding", "", "not a link"),
        ],
        edit=tamper,
    )  # fmt: skip
    before = snapshot()
    result = run(data, dry_run=False)
    assert not result.applied and snapshot() == before
    found = {(p.sheet, p.row, p.column) for p in result.problems}
    assert ("Recommendations", 2, "Status") in found  # 93(a): "Done"
    assert ("Recommendations", 3, "") in found  # 93(b): its text was changed
    assert ("Recommendations", 5, "Response") in found  # 93(d): "Maybe"
    assert ("New actions", 2, "Date") in found  # in the future
    assert ("New actions", 3, "Date") in found  # before 24 October 1945
    assert ("New actions", 4, "Label") in found  # unknown
    assert {("New actions", 5, "Date"), ("New actions", 5, "Kind")} <= found
    assert {("New actions", 6, "Description"), ("New actions", 6, "Evidence link")} <= found
    messages = " ".join(str(p) for p in result.problems)
    assert "“Done” is not one of the statuses" in messages
    assert "999(z)" in messages and "in the future" in messages and "1945" in messages


def test_withdrawn_since_the_export(seeds):
    data = fill(export(report=SEED_2017), answers={"93(c)": ("In progress", "")})
    Recommendation.objects.filter(report__symbol=SEED_2017, label="93(c)").update(is_withdrawn=True)
    result = run(data, dry_run=False)
    assert not result.applied
    [problem] = result.problems
    assert (problem.row, problem.column) == (4, "Label") and "withdrawn" in problem.message
    assert not FollowUp.objects.filter(member_state="KEN").exists()


def test_a_change_since_the_export_is_a_conflict(seeds, staff):
    changed = make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    data = export(report=SEED_2017)
    follow_up_services.follow_up_update(
        follow_up=changed, data={"status": Status.NOT_IMPLEMENTED}, user=staff, via="admin"
    )
    # A follow-up created since, for a row exported without one.
    make_follow_up(rec("93(c)"), "KEN", Status.IN_PROGRESS, user=staff)
    data = fill(
        data,
        answers={
            "93(a)": ("In progress", ""),
            "93(b)": ("Implemented", ""),
            "93(c)": ("Not started", ""),
        },
    )
    result = run(data, dry_run=False)
    assert not result.applied and not result.problems
    conflicts = {conflict.label: conflict for conflict in result.conflicts}
    assert set(conflicts) == {"93(b)", "93(c)"}
    conflict = conflicts["93(b)"]
    assert (conflict.their_status, conflict.current_status) == (
        Status.IMPLEMENTED,
        Status.NOT_IMPLEMENTED,
    )
    assert (conflict.exported_version, conflict.current_version) == (1, 2)
    assert conflict.changed_by == "officer" and conflict.changed_via == "admin"
    assert conflicts["93(c)"].exported_version is None
    assert not FollowUp.objects.filter(recommendation=rec("93(a)")).exists()

    # The rest applied, the conflicts kept as they are.
    result = run(data, dry_run=False, skip_conflicts=True)
    assert result.applied and [c.label for c in result.changes] == ["93(a)"]
    changed.refresh_from_db()
    assert (changed.status, changed.version) == (Status.NOT_IMPLEMENTED, 2)

    # The conflicts as a new workbook: current values, their answer beside them.
    settle = conflicts_export(result, member_state=state("KEN"))
    sheet = load_workbook(io.BytesIO(settle)).worksheets[0]
    titles = [cell.value for cell in sheet[1]]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"93(b)", "93(c)"}
    row = rows["93(b)"]
    assert row[titles.index("Status")] == "Not implemented" and row[titles.index("Version")] == 2
    assert row[titles.index("Your earlier answer")] == "Implemented"
    settled = run(fill(settle, answers={"93(b)": ("Implemented", "")}), dry_run=False)
    assert settled.applied and [c.label for c in settled.changes] == ["93(b)"]


def test_commands(seeds, tmp_path):
    make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    path = tmp_path / "kenya.xlsx"
    call_command("questionnaire_export", "--state", "ken", "--report", SEED_2017,
                 "--output", str(path), stdout=StringIO())  # fmt: skip
    path.write_bytes(fill(path.read_bytes(), answers={"93(b)": ("Implemented", "Accepted")}))
    out = StringIO()
    call_command("questionnaire_import", str(path), "--dry-run", stdout=out)
    assert "93(b) changed: status in_progress → implemented" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert FollowUp.objects.get(recommendation=rec("93(b)")).version == 1

    follow_up = FollowUp.objects.get(recommendation=rec("93(b)"))
    follow_up_services.follow_up_update(
        follow_up=follow_up, data={"response": Response.NOTED}, user=None, via="api"
    )
    out = StringIO()
    settle = tmp_path / "settle.xlsx"
    with pytest.raises(CommandError, match="1 conflict"):
        call_command("questionnaire_import", str(path), "--conflicts-output", str(settle),
                     stdout=out)  # fmt: skip
    assert "CONFLICT Recommendations row 3" in out.getvalue() and settle.exists()
    out = StringIO()
    call_command("questionnaire_import", str(path), "--skip-conflicts", stdout=out)
    assert "Applied: 0 row(s) changed" in out.getvalue()

    with pytest.raises(CommandError, match="no member state"):
        call_command("questionnaire_export", "--state", "XXX", "--output", str(path))


def _zip(entries: dict) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in entries.items():
            archive.writestr(name, value)
    return output.getvalue()


def test_bad_files_are_refused_and_write_nothing(seeds, settings, tmp_path):
    data = export(report=SEED_2017)
    before = snapshot()

    def refused(content, match, **kwargs):
        with pytest.raises(WorkbookRefused, match=match) as caught:
            run(content, dry_run=False, **kwargs)
        assert snapshot() == before
        return caught.value.problem

    refused(b"Label,Status\n93(a),Implemented\n", "not an Excel workbook")
    refused(_zip({"a.txt": "x"}), "not an Excel workbook")
    bomb = _zip({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "0" * (2 * 1024 * 1024)})
    limits = settings.QUESTIONNAIRE_MAX_BYTES, settings.QUESTIONNAIRE_MAX_UNCOMPRESSED_BYTES
    settings.QUESTIONNAIRE_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    refused(bomb, "more than 1 MB once uncompressed")
    settings.QUESTIONNAIRE_MAX_BYTES = 1000
    refused(data, "larger than the limit of 0.00 MB")
    settings.QUESTIONNAIRE_MAX_BYTES, settings.QUESTIONNAIRE_MAX_UNCOMPRESSED_BYTES = limits

    def formula(book):
        book.worksheets[0]["G2"].value = "=1+1"

    problem = refused(fill(data, edit=formula), "Cell G2 holds a formula")
    assert (problem.sheet, problem.row, problem.column) == ("Recommendations", 2, "G")

    def other_state(book):
        book["_meta"]["B2"].value = "TZA"

    refused(fill(data, edit=other_state), "identity")
    refused(data, "another member state", member_state=state("CHN"))

    # A row copied from another state's workbook fails its signature.
    china = load_workbook(io.BytesIO(export("CHN", report=SEED_2017))).worksheets[0]

    def copy_row(book):
        for column in range(1, 11):
            book.worksheets[0].cell(row=2, column=column).value = china.cell(
                row=2, column=column
            ).value

    result = run(fill(data, answers={"93(b)": ("In progress", "")}, edit=copy_row),
                 dry_run=False)  # fmt: skip
    assert not result.applied and [p.row for p in result.problems] == [2]
    assert snapshot() == before

    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match=r"bad\.xlsx: bad\.xlsx: .*not an Excel workbook"):
        call_command("questionnaire_import", str(path), stdout=StringIO())
    assert MemberState.objects.filter(iso3="KEN").exists()


def test_a_follow_up_deleted_since_is_a_conflict(seeds, staff):
    gone = make_follow_up(rec("93(d)"), "KEN", Status.IN_PROGRESS)
    data = fill(export(report=SEED_2017), answers={"93(d)": ("Implemented", "")})
    follow_up_services.follow_up_delete(follow_up=gone, user=staff, via="admin")
    result = run(data, dry_run=False)
    [conflict] = result.conflicts
    assert (conflict.exported_version, conflict.current_version) == (1, None)
    assert (conflict.current_status, conflict.changed_by) == ("", "officer")
    assert not result.applied and not FollowUp.objects.exists()


def test_export_queries_do_not_grow_with_rows(seeds, django_assert_max_num_queries):
    for label in ("93(a)", "93(b)", "94(a)"):
        make_follow_up(rec(label), "KEN")
    kenya = state("KEN")
    # recommendations, their texts, their themes, the follow-ups (last action inside)
    with django_assert_max_num_queries(4):
        questionnaire_export(member_state=kenya)


def test_chinese_round_trip(seeds):
    data = export(language="zh", report=SEED_2017)
    book = load_workbook(io.BytesIO(data))
    funding = book["_lists"].cell(row=list(ActionKind.values).index("funding") + 1, column=3)

    def answer(book):
        sheet = book["建议"]
        titles = [cell.value for cell in sheet[1]]
        sheet.cell(row=2, column=titles.index("状态") + 1).value = "已执行"
        sheet.cell(row=2, column=titles.index("答复") + 1).value = "接受"
        book["新行动"].cell(row=2, column=1).value = SEED_2017
        book["新行动"].cell(row=2, column=2).value = "93(a)"
        book["新行动"].cell(row=2, column=3).value = datetime.date(2025, 1, 2)
        book["新行动"].cell(row=2, column=4).value = funding.value
        book["新行动"].cell(row=2, column=5).value = "预算"

    result = run(fill(data, edit=answer), dry_run=False)
    assert result.applied and not result.problems
    follow_up = FollowUp.objects.get(recommendation=rec("93(a)"), member_state="KEN")
    assert (follow_up.status, follow_up.response) == (Status.IMPLEMENTED, Response.ACCEPTED)
    assert follow_up.actions.get().kind == ActionKind.FUNDING


def test_first_follow_ups_in_one_insert_and_one_created_meanwhile_is_a_conflict(
    seeds, monkeypatch, django_assert_max_num_queries
):
    """New follow-ups are written together; when another writer creates one of them
    between the import's read and its write, that row is a conflict, the rest applied."""
    import recommendations.questionnaires.services as questionnaire_services

    data = fill(
        export(report=SEED_2017),
        answers={label: ("In progress", "") for label in ("93(a)", "93(b)", "93(c)", "94(a)")},
    )
    make_follow_up(rec("93(b)"), "KEN", Status.NOT_IMPLEMENTED)  # someone else, meanwhile
    real = questionnaire_services.follow_ups_of

    def read_before_it(member_state, ids):  # what the import read before that write
        found = real(member_state, ids)
        return {pk: row for pk, row in found.items() if row.recommendation.label != "93(b)"}

    monkeypatch.setattr(questionnaire_services, "follow_ups_of", read_before_it)
    result = run(data, dry_run=False, skip_conflicts=True)
    assert result.applied
    assert [c.label for c in result.conflicts] == ["93(b)"]
    assert result.conflicts[0].current_status == Status.NOT_IMPLEMENTED
    assert sorted(c.label for c in result.changes) == ["93(a)", "93(c)", "94(a)"]
    kenya = FollowUp.objects.filter(member_state="KEN")
    assert dict(kenya.values_list("recommendation__label", "status")) == {
        "93(a)": Status.IN_PROGRESS,
        "93(b)": Status.NOT_IMPLEMENTED,
        "93(c)": Status.IN_PROGRESS,
        "94(a)": Status.IN_PROGRESS,
    }
    assert FollowUp.history.filter(history_change_reason=VIA).count() == 3

    monkeypatch.setattr(questionnaire_services, "follow_ups_of", real)
    FollowUp.objects.filter(member_state="KEN").delete()
    # Without a race: one INSERT of the follow-ups and one of their history, whatever
    # their number (the query count does not depend on the rows answered).
    labels = Recommendation.objects.filter(report__symbol=SEED_2017, is_withdrawn=False)
    answers = {label: ("In progress", "") for label in labels.values_list("label", flat=True)}
    every_row = fill(export(report=SEED_2017), answers=answers)
    # The coverage figures add a fixed six: their new version, the recommendations'
    # follow-up counts, their keys (recommendations, bodies, theme links) and one upsert of
    # the sums.
    with django_assert_max_num_queries(21):
        assert len(run(every_row, dry_run=False).changes) == len(answers) > 30


def test_a_follow_up_changed_between_the_imports_read_and_its_write_is_a_conflict(
    seeds, staff, monkeypatch
):
    import recommendations.questionnaires.services as questionnaire_services

    for label in ("93(a)", "93(b)"):
        make_follow_up(rec(label), "KEN", Status.IN_PROGRESS)
    data = fill(
        export(report=SEED_2017),
        answers={"93(a)": ("Implemented", ""), "93(b)": ("Not applicable", "")},
    )
    real = questionnaire_services.follow_ups_of

    def read_then_someone_writes(member_state, ids, **kwargs):
        found = real(member_state, ids, **kwargs)
        other = FollowUp.objects.get(recommendation=rec("93(b)"), member_state="KEN")
        follow_up_services.follow_up_update(
            follow_up=other, data={"status": Status.NOT_IMPLEMENTED}, user=staff
        )
        return found

    monkeypatch.setattr(questionnaire_services, "follow_ups_of", read_then_someone_writes)
    result = run(data, dry_run=False, skip_conflicts=True)
    assert result.applied and [c.label for c in result.changes] == ["93(a)"]
    assert [(c.label, c.current_status, c.their_status) for c in result.conflicts] == [
        ("93(b)", Status.NOT_IMPLEMENTED, Status.NOT_APPLICABLE)
    ]
    statuses = dict(
        FollowUp.objects.filter(member_state="KEN").values_list("recommendation__label", "status")
    )
    assert statuses == {"93(a)": Status.IMPLEMENTED, "93(b)": Status.NOT_IMPLEMENTED}
    assert FollowUp.history.filter(history_change_reason=VIA).count() == 1
