"""The questionnaire as CSV on bytes alone: written, read back by column title in either
language and with any usual separator, formula-like text kept exactly, and every file
that cannot be a questionnaire refused with a message saying why."""

import csv
import io
import re

import pytest

from recommendations.questionnaires import csvfile
from recommendations.questionnaires.workbook import AnswerRow, WorkbookRefused
from tests.unit.test_questionnaire_workbook import KINDS, RESPONSES, STATUSES, finder

ROWS = [
    AnswerRow("A/1", "1(a)", '=HYPERLINK("x")', "Theme", "", 3, "Not started", ""),
    AnswerRow("A/1", "2", "'=already quoted", "", "2025-01-02 Funding", None, "", ""),
    AnswerRow("A/1", "3", "'plain apostrophe", "Thème; 主题", "", 1, "", ""),
]


def written(rows=ROWS, state="KEN", language="en") -> bytes:
    return csvfile.write_csv(state=state, language=language, rows=rows)


def read(data: bytes, name="q.csv", max_bytes=5 * 1024 * 1024):
    return csvfile.read_csv(
        data,
        name=name,
        max_bytes=max_bytes,
        status_codes=finder(STATUSES),
        response_codes=finder(RESPONSES),
        kind_codes=finder(KINDS),
    )


def table(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def rewritten(records, delimiter=",", bom=True, encoding="utf-8") -> bytes:
    output = io.StringIO()
    csv.writer(output, delimiter=delimiter, lineterminator="\r\n").writerows(records)
    return (("\ufeff" if bom else "") + output.getvalue()).encode(encoding)


def test_written_with_bom_titles_state_and_neutralised_formulas():
    data = written()
    assert data.startswith("\ufeff".encode())
    header, first, second, third = table(data)
    assert header[:4] == ["State", "Report", "Label", "Recommendation"]
    assert header[-4:] == [
        "New action: Date",
        "New action: Kind",
        "New action: Description",
        "New action: Evidence link",
    ]
    assert first[:4] == ["KEN", "A/1", "1(a)", '\'=HYPERLINK("x")']
    assert second[3] == "''=already quoted" and third[3] == "'plain apostrophe"


def test_read_back_by_title_with_formula_like_text_exact():
    result = read(written())
    assert (result.state, result.language, result.exported_at) == ("KEN", "en", "")
    assert not result.problems
    assert [(a.label, a.version, a.status) for a in result.answers] == [
        ("1(a)", 3, "not_started"),
        ("2", None, ""),
        ("3", 1, ""),
    ]


def test_chinese_titles_semicolons_no_bom_and_moved_columns_still_read():
    header, *rows = table(written(language="zh"))
    assert header[:3] == ["国家", "报告", "编号"]
    order = list(reversed(range(len(header))))  # every column moved
    records = [[record[i] for i in order] for record in [header, *rows]]
    result = read(rewritten(records, delimiter=";", bom=False), name="q.txt")
    assert result.language == "zh" and not result.problems
    assert [a.label for a in result.answers] == ["1(a)", "2", "3"]


def test_actions_one_per_row_and_repeated_rows_add_actions_only():
    header, first, *rest = table(written())
    at = {title: index for index, title in enumerate(header)}
    first[at["Status"]] = "Implemented"
    first[at["New action: Date"]] = "2025-03-01"
    first[at["New action: Kind"]] = "Funding"
    first[at["New action: Description"]] = "=SUM(1)"
    repeat = list(first)
    repeat[at["Status"]] = ""
    repeat[at["New action: Description"]] = "Second"
    different = list(first)
    different[at["Status"]] = "Not started"
    different[at["New action: Date"]] = "01/02/2025"
    result = read(rewritten([header, first, repeat, *rest, different]))
    assert [(a.row, a.label, a.status) for a in result.answers] == [
        (2, "1(a)", "implemented"),
        (4, "2", ""),
        (5, "3", ""),
        (6, "1(a)", "not_started"),  # a second, different answer: the import reports it
    ]
    assert [(a.row, a.description, a.kind) for a in result.actions] == [
        (2, "=SUM(1)", "funding"),
        (3, "Second", "funding"),
    ]
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [
        ("q.csv", 6, "New action: Date")
    ]
    assert "YYYY-MM-DD" in result.problems[0].message


def test_a_changed_locked_cell_or_another_states_row_is_a_problem():
    header, first, second, _third = table(written())
    first[3] = "Another text"
    other = table(written(state="BOL"))[2]
    result = read(rewritten([header, first, second, other]))
    assert [a.label for a in result.answers] == ["2"]
    assert [(p.row, p.column) for p in result.problems] == [(2, ""), (4, "State")]
    assert "locked cell" in result.problems[0].message
    assert "BOL" in result.problems[1].message


@pytest.mark.parametrize(
    "data, message",
    [
        (b"Bericht,Zeile\r\n1,2\r\n", "column titles"),
        ("报告,编号\r\n".encode("gbk"), "not UTF-8 text (byte 1)"),
        (b"State,Report\x00\r\n", "NUL"),
        (b"", "empty"),
        ("\ufeffState,Report,Label\r\n".encode(), "missing"),
    ],
)
def test_files_that_are_not_questionnaires_are_refused(data, message):
    with pytest.raises(WorkbookRefused, match=re.escape(message)):
        read(data)


def test_titles_only_and_oversized_are_refused():
    header = table(written())[0]
    with pytest.raises(WorkbookRefused, match="no rows"):
        read(rewritten([header]))
    with pytest.raises(WorkbookRefused, match=r"limit of 0\.01 MB"):
        read(written() + b" " * 20000, max_bytes=10000)


def test_recognised_by_name_bom_or_title_never_a_zip():
    assert csvfile.looks_like_csv(b"anything", "Q.CSV")
    assert csvfile.looks_like_csv(written(), "q.bin")
    assert csvfile.looks_like_csv(rewritten(table(written()), bom=False), "q")
    assert not csvfile.looks_like_csv(b"PK\x03\x04 State", "q.csv")
    assert not csvfile.looks_like_csv(b"%PDF-1.7", "q.pdf")
