"""The questionnaire workbook's format on bytes alone: written, read back, signed, and
refused before openpyxl opens it when it is not a workbook, too big or a zip bomb."""

import datetime
import io
import zipfile

import pytest
from openpyxl import load_workbook

from recommendations.questionnaires import workbook
from recommendations.questionnaires.workbook import AnswerRow, WorkbookRefused

LIMITS = {"max_bytes": 5 * workbook.MEBIBYTE, "max_uncompressed": 50 * workbook.MEBIBYTE}
STATUSES = {"not started": "not_started", "implemented": "implemented"}
RESPONSES = {"accepted": "accepted"}
KINDS = {"funding": "funding"}


def finder(known):
    return lambda text: known.get(text.casefold())


def written(rows, state="KEN", language="en") -> bytes:
    return workbook.write_workbook(
        state=state,
        state_name="Kenya",
        language=language,
        exported_at=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        rows=rows,
        status_labels=["Not started", "Implemented"],
        response_labels=["Accepted"],
        kind_labels=["Funding"],
    )


def read(data: bytes, **limits):
    return workbook.read_workbook(
        data,
        name="q.xlsx",
        **{**LIMITS, **limits},
        status_codes=finder(STATUSES),
        response_codes=finder(RESPONSES),
        kind_codes=finder(KINDS),
    )


ROW = AnswerRow("A/1", "1(a)", '=HYPERLINK("x")', "Theme", "", 3, "Not started", "")


def edited(data: bytes, edit) -> bytes:
    book = load_workbook(io.BytesIO(data))
    edit(book)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def test_written_and_read_back():
    result = read(written([ROW, AnswerRow("A/1", "2", "Text", "", "", None, "", "")]))
    assert (result.state, result.language) == ("KEN", "en")
    assert result.exported_at == "2026-01-02T03:04:05+00:00"
    assert not result.problems
    first, second = result.answers
    assert (first.report, first.label, first.version, first.status) == (
        "A/1",
        "1(a)",
        3,
        "not_started",
    )
    assert (second.version, second.status, second.response) == (None, "", "")


def test_formula_like_text_is_written_as_text():
    book = load_workbook(io.BytesIO(written([ROW])))
    cell = book.worksheets[0]["C2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")'


def test_each_locked_cell_is_signed():
    data = written([ROW])
    for column in "ABCDEF":

        def change(book, column=column):
            book.worksheets[0][f"{column}2"].value = "7"

        result = read(edited(data, change))
        assert [(p.row, p.column) for p in result.problems] == [(2, "")], column
    # Another state's signature does not fit this workbook.
    other = load_workbook(io.BytesIO(written([ROW], state="CHN"))).worksheets[0]["J2"].value
    result = read(edited(data, lambda book: setattr(book.worksheets[0]["J2"], "value", other)))
    assert [p.row for p in result.problems] == [2]


def test_actions_dates_and_kinds():
    def fill(book):
        sheet = book.worksheets[1]
        sheet.append(["A/1", "1(a)", datetime.datetime(2024, 5, 6), "Funding", "Money", ""])
        sheet.append(["A/1", "1(a)", "2024-05-07", "funding", "More", ""])
        sheet.append(["A/1", "1(a)", "May", "Gift", "Bad", ""])

    result = read(edited(written([ROW]), fill))
    # append() writes after the formatted empty rows; only filled rows count.
    assert [a.date for a in result.actions] == [
        datetime.date(2024, 5, 6),
        datetime.date(2024, 5, 7),
    ]
    assert [(p.sheet, p.column) for p in result.problems] == [
        ("New actions", "Date"),
        ("New actions", "Kind"),
    ]


def test_chinese_workbook_titles():
    book = load_workbook(io.BytesIO(written([ROW], language="zh")))
    assert book.sheetnames[:3] == ["建议", "新行动", "说明"]
    assert [c.value for c in book["建议"][1]][:2] == ["报告", "编号"]
    assert read(written([ROW], language="zh")).language == "zh"


def _zip(entries) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in entries.items():
            archive.writestr(name, value)
    return output.getvalue()


@pytest.mark.parametrize(
    ("data", "limits", "message"),
    [
        (b"PK\x03\x04 broken", {}, "not an Excel workbook"),
        (b"%PDF-1.7", {}, "not an Excel workbook"),
        (_zip({"word/document.xml": "x"}), {}, "not an Excel workbook"),
        (b"x" * 2048, {"max_bytes": 1024}, "larger than the limit"),
        (
            _zip({"[Content_Types].xml": "", "xl/workbook.xml": " " * 3_000_000}),
            {"max_uncompressed": 2 * workbook.MEBIBYTE},
            "zip bomb",
        ),
    ],
)
def test_refused_before_opening(data, limits, message):
    with pytest.raises(WorkbookRefused, match=message):
        read(data, **limits)


def test_identity_must_be_signed():
    def other(book):
        book["_meta"]["B3"].value = "zh"

    with pytest.raises(WorkbookRefused, match="identity"):
        read(edited(written([ROW]), other))
