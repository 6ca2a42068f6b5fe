"""The questionnaire in LibreOffice (issue 16: "opens cleanly in LibreOffice and Excel").

`soffice --headless --convert-to` opens the exported workbook as Calc opens it and saves
it again as XLSX (and as CSV): the conversion must succeed without error output and keep
the rows, the header titles, the drop-down lists, the date check and the protection. Then
the ministry's case: a workbook filled in and saved by LibreOffice comes back and imports
with the same changes as the workbook itself (the row signatures still verify).

Slow (LibreOffice starts in 1-2 s per conversion); `make test` installs LibreOffice
(`make browser-deps`); skipped only when soffice is absent. Each run uses a private
LibreOffice profile in a temporary directory (-env:UserInstallation), never the user's.
"""

import csv
import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from recommendations.choices import ActionKind, Response, Status
from recommendations.models import Action, FollowUp
from tests.integration.shared import SEED_2017, make_follow_up, rec, snapshot
from tests.integration.test_questionnaires import NAME, export, fill, run
from tests.libreoffice import convert_file, needs_soffice

CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76,1"  # comma, quote, UTF-8, from row 1

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db,
    needs_soffice,
]


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    """A private LibreOffice user profile for this module's conversions."""
    return tmp_path_factory.mktemp("libreoffice-profile")


def convert(data: bytes, to: str, directory: Path, profile: Path) -> bytes:
    """`data` (an XLSX file) as LibreOffice converts it `to` ("xlsx", or a CSV filter)."""
    source, target = directory / "in", directory / "out"
    source.mkdir(parents=True)
    target.mkdir()
    path = source / NAME
    path.write_bytes(data)
    return convert_file(path, to, target, profile).read_bytes()


def values(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def validations(sheet) -> list[tuple]:
    """Type, range and source of each data validation; LibreOffice writes a sheet name
    without quotes when it needs none (`_lists!$A$1:$A$5`), the same reference."""
    return sorted(
        (v.type, str(v.sqref), (v.formula1 or "").replace("'", ""), v.allow_blank)
        for v in sheet.data_validations.dataValidation
    )


def style(sheet, cell):
    """What a cell typed into would look like: its own style, or its column's (Excel and
    LibreOffice give a new cell the column's style)."""
    return cell if cell.has_style else sheet.column_dimensions[cell.column_letter]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_libreoffice_opens_and_keeps_the_questionnaire(seeds, tmp_path, profile, language):
    make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS, response=Response.NOTED)
    data = export(report=SEED_2017, language=language)
    ours = load_workbook(io.BytesIO(data))
    theirs = load_workbook(io.BytesIO(convert(data, "xlsx", tmp_path, profile)))

    assert theirs.sheetnames == ours.sheetnames
    assert [s.sheet_state for s in theirs] == [s.sheet_state for s in ours]
    for mine, saved in zip(ours, theirs, strict=True):
        assert values(saved) == values(mine), mine.title  # rows, header titles, lists, meta
        assert saved.protection.sheet, mine.title
        assert validations(saved) == validations(mine), mine.title
    answers, actions = theirs.worksheets[0], theirs.worksheets[1]
    titles = [cell.value for cell in answers[1]]
    editable = {index for index, title in enumerate(titles) if title in ("Status", "Response")}
    if language == "zh":
        editable = {titles.index("状态"), titles.index("答复")}
    for index, cell in enumerate(answers[2]):
        assert cell.protection.locked is (index not in editable), titles[index]
    assert all(style(actions, cell).protection.locked is False for cell in actions[2])
    assert answers.column_dimensions["J"].hidden  # the signature column
    assert style(actions, actions["C2"]).number_format.replace("\\", "") == "yyyy-mm-dd"

    # CSV (the first sheet), UTF-8: the same header and rows as text.
    text = convert(data, CSV_UTF8, tmp_path / "csv", profile).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == titles
    assert [row[:2] for row in rows[1:]] == [list(row[:2]) for row in values(answers)[1:]]


def test_a_workbook_saved_by_libreoffice_imports_with_the_same_changes(seeds, tmp_path, profile):
    existing = make_follow_up(rec("93(c)"), "KEN", Status.NOT_STARTED)
    # A date typed as a date (a number with a date format in the file) and one typed as
    # text; formula-like text typed as text.
    as_date = (SEED_2017, "93(c)", datetime.date(2024, 11, 5), "Legislation", "=1+1", "")
    as_text = (SEED_2017, "94(b)", "2023-02-14", "Funding", "Grant", "https://example.org/g")
    filled = fill(
        export(report=SEED_2017),
        answers={"93(d)": ("Implemented", "Accepted"), "93(c)": ("In progress", "Noted")},
        actions=[as_date, as_text],
    )
    saved = convert(filled, "xlsx", tmp_path, profile)

    before = snapshot()
    expected, preview = run(filled), run(saved)
    assert snapshot() == before
    assert not preview.problems and not preview.conflicts, [str(p) for p in preview.problems]
    assert preview.changes == expected.changes
    assert preview.actions == expected.actions
    assert preview.unchanged == expected.unchanged
    assert [(a.label, a.date, a.kind) for a in preview.actions] == [
        ("93(c)", datetime.date(2024, 11, 5), ActionKind.LEGISLATION),
        ("94(b)", datetime.date(2023, 2, 14), ActionKind.FUNDING),
    ]

    result = run(saved, dry_run=False)
    assert result.applied
    created = FollowUp.objects.get(recommendation=rec("93(d)"), member_state="KEN")
    assert (created.status, created.response) == (Status.IMPLEMENTED, Response.ACCEPTED)
    existing.refresh_from_db()
    assert (existing.status, existing.response, existing.version) == (
        Status.IN_PROGRESS,
        Response.NOTED,
        2,
    )
    assert Action.objects.get(follow_up=existing).description == "=1+1"


def test_a_locked_cell_changed_in_libreoffice_is_still_refused(seeds, tmp_path, profile):
    """LibreOffice keeps the signature column as it was: a locked cell edited before the
    conversion (sheet protection lifted, as anyone can) fails its row's signature."""

    def tamper(book):
        book.worksheets[0]["C3"].value = "A different text"

    saved = convert(fill(export(report=SEED_2017), edit=tamper), "xlsx", tmp_path, profile)
    result = run(saved)
    assert {(p.sheet, p.row) for p in result.problems} == {("Recommendations", 3)}
