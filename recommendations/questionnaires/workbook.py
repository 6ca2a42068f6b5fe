"""The questionnaire workbook's format: writing it and reading it back, with no database.

Why a module of its own: the layout (sheets, columns, titles, drop-downs, protection, the
signature) and the safety checks of an uploaded file are rules about a file, testable on
bytes alone (tests/unit/test_questionnaire_workbook.py). The service
(questionnaires/services.py) reads the database, calls this module, and writes through the
follow-up services. The only Django pieces used here are gettext (messages) and
salted_hmac (the signature, keyed by SECRET_KEY).

Sheets: the answers (one row per recommendation; status and response editable), new
actions (all editable), a read-me in Chinese and English, and two hidden sheets: the
drop-down lists and the workbook's identity (state, language, export time, format
version, signed). Each answer row carries, in a hidden column, an HMAC over the state and
every locked cell of the row (report, label, text, themes, last action, version): a
locked cell changed, a row copied from another state's workbook, a version edited, all
fail the check on import. Protection in Excel is a convenience; the HMAC is the check.
"""

import copy
import datetime
import functools
import hashlib
import hmac
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

# openpyxl is imported where a workbook is written or read, not with this module: it
# imports numpy and Pillow when they are installed (they are, for the session report's
# charts), which the processes that import this module for other reasons (the admin, the
# API, every management command) should not pay for in time and memory.

FORMAT_VERSION = "1"
SIGNATURE_SALT = "recommendations.questionnaire"
LANGUAGES = ("en", "zh")

ANSWERS = "answers"
ACTIONS = "actions"
README = "readme"
LISTS = "lists"
META = "meta"
# Sheet titles per language (data: the workbook's own texts, not the site's).
SHEET_TITLES = {
    ANSWERS: {"en": "Recommendations", "zh": "建议"},
    ACTIONS: {"en": "New actions", "zh": "新行动"},
    README: {"en": "Read me", "zh": "说明"},
    LISTS: {"en": "_lists", "zh": "_lists"},
    META: {"en": "_meta", "zh": "_meta"},
}


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    zh: str
    width: int
    editable: bool = False
    signed: bool = True  # part of the row's signature (every locked cell is)

    def title(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


# The answers sheet's columns, declared once: the writer, the reader and the signature
# all read this list. The hidden signature column comes last.
ANSWER_COLUMNS = [
    Column("report", "Report", "报告", 14),
    Column("label", "Label", "编号", 9),
    Column("text", "Recommendation", "建议", 70),
    Column("themes", "Themes", "主题", 24),
    Column("last_action", "Last action", "最近行动", 30),
    Column("version", "Version", "版本", 8),
    Column("status", "Status", "状态", 18, editable=True, signed=False),
    Column("response", "Response", "答复", 20, editable=True, signed=False),
    Column("earlier_answer", "Your earlier answer", "您之前的答复", 28, signed=False),
    Column("signature", "Signature", "签名", 10, signed=False),
]
ACTION_COLUMNS = [
    Column("report", "Report", "报告", 14, editable=True),
    Column("label", "Label", "编号", 9, editable=True),
    Column("date", "Date", "日期", 12, editable=True),
    Column("kind", "Kind", "类型", 24, editable=True),
    Column("description", "Description", "说明", 60, editable=True),
    Column("evidence_url", "Evidence link", "证据链接", 40, editable=True),
]
ANSWER_INDEX = {column.key: index for index, column in enumerate(ANSWER_COLUMNS)}
ACTION_INDEX = {column.key: index for index, column in enumerate(ACTION_COLUMNS)}
SIGNED_KEYS = [column.key for column in ANSWER_COLUMNS if column.signed]

README_LINES = [
    "本问卷列出贵国需要后续落实的建议。请在“建议”表中只填写“状态”和“答复”两列"
    "（从下拉列表中选择），在“新行动”表中每行填写一项新行动（报告、编号、日期、类型、说明、证据链接）。",
    "请勿修改其他单元格、删除行或更改工作表：退回时会逐行核对签名，被修改的行将被拒绝。",
    "不得使用公式；日期须在1945年10月24日至今天之间。",
    "This questionnaire lists the recommendations your State follows up. In the "
    '"Recommendations" sheet fill in only the "Status" and "Response" columns (choose '
    'from the drop-down lists); in "New actions" add one action per row (report, label, '
    "date, kind, description, evidence link).",
    "Do not change other cells, delete rows or rename sheets: each row is checked against "
    "its signature when the workbook comes back, and a changed row is refused.",
    "No formulas; dates between 24 October 1945 and today.",
]

MEBIBYTE = 1024 * 1024


def tampered_row() -> str:
    return _(
        "A locked cell of this row (report, label, text, themes, last action or version) "
        "was changed, or the row comes from another workbook: the row is refused."
    )


def not_a_date(value: str) -> str:
    return _("“%(value)s” is not a date (write it as YYYY-MM-DD).") % {"value": value}


def _not_xlsx() -> str:
    return _("The file is not an Excel workbook (XLSX).")


@dataclass(frozen=True)
class AnswerRow:
    """One recommendation as written to the workbook (and, read back, as the ministry
    left it: status and response are then the labels or codes they chose)."""

    report: str
    label: str
    text: str
    themes: str
    last_action: str
    version: int | None
    status: str
    response: str
    earlier_answer: str = ""


@dataclass(frozen=True)
class ReadAnswer:
    row: int  # the sheet's row number
    report: str
    label: str
    version: int | None
    status: str  # a status code, "" when left empty
    response: str  # a response code, "" when left empty


@dataclass(frozen=True)
class ReadAction:
    row: int
    report: str
    label: str
    date: datetime.date | None
    kind: str
    description: str
    evidence_url: str


@dataclass(frozen=True)
class Problem:
    """Something wrong in the workbook, where it is: sheet title, row number, column title."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        place = {"sheet": self.sheet, "row": self.row, "column": self.column}
        if self.row is not None and self.column:
            where = _("%(sheet)s, row %(row)s, column %(column)s") % place
        elif self.row is not None:
            where = _("%(sheet)s, row %(row)s") % place
        else:
            where = self.sheet
        return f"{where}: {self.message}"


@dataclass
class ReadWorkbook:
    state: str
    language: str
    exported_at: str
    answers: list[ReadAnswer] = field(default_factory=list)
    actions: list[ReadAction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def sheet(self, key: str) -> str:
        return SHEET_TITLES[key][self.language]

    def column(self, key: str, *, actions: bool = False) -> str:
        columns = ACTION_COLUMNS if actions else ANSWER_COLUMNS
        index = (ACTION_INDEX if actions else ANSWER_INDEX)[key]
        return columns[index].title(self.language)


class WorkbookRefused(Exception):
    """The file cannot be read as a questionnaire at all (not XLSX, too big, a formula,
    an identity that fails its signature): nothing is written."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _sign(parts: Iterable[str]) -> str:
    """HMAC-SHA256 as django.utils.crypto.salted_hmac computes it (the key derived from
    the salt and SECRET_KEY), the key derived once rather than for every row."""
    value = "\x1f".join(normal_text(part) for part in parts)
    return hmac.new(_signing_key(settings.SECRET_KEY), value.encode(), hashlib.sha256).hexdigest()[
        :32
    ]


@functools.lru_cache(maxsize=4)
def _signing_key(secret: str) -> bytes:
    return hashlib.sha256((SIGNATURE_SALT + secret).encode()).digest()


def normal_text(value) -> str:
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").strip()


def row_signature(state: str, values: dict) -> str:
    return _sign([state, *(values.get(key) for key in SIGNED_KEYS)])


def _as_text(cell, value) -> None:
    """Store a value as text, whatever it looks like ("=HYPERLINK(…)" stays text)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


# ---------------------------------------------------------------- writing


def write_workbook(
    *,
    state: str,
    state_name: str,
    language: str,
    exported_at: datetime.datetime,
    rows: list[AnswerRow],
    status_labels: list[str],
    response_labels: list[str],
    kind_labels: list[str],
) -> bytes:
    """The questionnaire as XLSX bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    answers = book.active
    answers.title = SHEET_TITLES[ANSWERS][language]
    actions = book.create_sheet(SHEET_TITLES[ACTIONS][language])
    readme = book.create_sheet(SHEET_TITLES[README][language])
    lists = book.create_sheet(SHEET_TITLES[LISTS][language])
    meta = book.create_sheet(SHEET_TITLES[META][language])
    lists.sheet_state = "hidden"
    meta.sheet_state = "hidden"

    for index, values in enumerate((status_labels, response_labels, kind_labels), start=1):
        for row, label in enumerate(values, start=1):
            _as_text(lists.cell(row=row, column=index), label)
    lists.protection.sheet = True

    identity = {
        "format": FORMAT_VERSION,
        "state": state,
        "language": language,
        "exported_at": exported_at.isoformat(timespec="seconds"),
    }
    for row, (key, value) in enumerate(identity.items(), start=1):
        meta.cell(row=row, column=1, value=key)
        _as_text(meta.cell(row=row, column=2), value)
    meta.cell(row=len(identity) + 1, column=1, value="signature")
    meta.cell(row=len(identity) + 1, column=2, value=_sign(identity.values()))
    meta.protection.sheet = True

    _header(answers, ANSWER_COLUMNS, language)
    unlocked = Protection(locked=False)
    styles = _Styles()
    for number, item in enumerate(rows, start=2):
        values = answer_values(state, item)
        for index, column in enumerate(ANSWER_COLUMNS, start=1):
            value = values[column.key]
            if value in (None, "") and not column.editable:
                continue  # an empty locked cell need not be written: absent reads as empty
            cell = answers.cell(row=number, column=index)
            _as_text(cell, value)
            if column.editable:
                styles.apply(cell, "editable", protection=unlocked)
            if column.key == "text":
                styles.apply(cell, "text", alignment=Alignment(wrap_text=True, vertical="top"))
    last = max(len(rows) + 1, 2)
    _drop_down(answers, "status", LISTS, 1, len(status_labels), last, language, blank=True)
    _drop_down(answers, "response", LISTS, 2, len(response_labels), last, language, blank=True)
    answers.column_dimensions[get_column_letter(ANSWER_INDEX["signature"] + 1)].hidden = True
    answers.freeze_panes = "C2"
    answers.protection.sheet = True

    _header(actions, ACTION_COLUMNS, language)
    # Editable through the columns' style, not through empty cells made in advance: Excel
    # and LibreOffice give a new cell its column's style (unlocked, the date format), so
    # there is no row limit and no thousands of empty styled cells to write and read back.
    # The header cells keep their own (locked) style.
    action_rows = max(200, len(rows))  # the rows the drop-down and date checks cover
    for index in range(1, len(ACTION_COLUMNS) + 1):
        actions.column_dimensions[get_column_letter(index)].protection = unlocked
    date_column = get_column_letter(ACTION_INDEX["date"] + 1)
    actions.column_dimensions[date_column].number_format = "yyyy-mm-dd"
    dates = DataValidation(
        type="date",
        operator="between",
        formula1="DATE(1945,10,24)",
        formula2="TODAY()",
        allow_blank=True,
        showErrorMessage=True,
    )
    dates.error = "1945-10-24 … today / 1945年10月24日至今天"
    dates.add(f"{date_column}2:{date_column}{action_rows + 1}")
    actions.add_data_validation(dates)
    _drop_down(actions, "kind", LISTS, 3, len(kind_labels), action_rows + 1, language, blank=True)
    actions.protection.sheet = True

    readme.column_dimensions["A"].width = 120
    _as_text(readme.cell(row=1, column=1), f"{state_name} ({state})")
    readme.cell(row=1, column=1).font = Font(bold=True)
    for row, line in enumerate(README_LINES, start=3):
        _as_text(readme.cell(row=row, column=1), line)
        readme.cell(row=row, column=1).alignment = Alignment(wrap_text=True)
    readme.protection.sheet = True

    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


class _Styles:
    """Each kind of styled cell is styled once; the others copy its style array, as
    openpyxl's documentation copies styles (cell._style): thousands of cells cost no
    more than one lookup in the workbook's style tables each."""

    def __init__(self) -> None:
        self._arrays: dict[str, object] = {}

    def apply(self, cell, kind: str, **attributes) -> None:
        array = self._arrays.get(kind)
        if array is None:
            for name, value in attributes.items():
                setattr(cell, name, value)
            self._arrays[kind] = copy.copy(cell._style)
        else:
            cell._style = copy.copy(array)


def answer_values(state: str, item: AnswerRow) -> dict:
    """A row's cells by column key, its signature included (both formats write these)."""
    values = {column.key: getattr(item, column.key, None) for column in ANSWER_COLUMNS}
    values["signature"] = row_signature(state, values)
    return values


def _header(sheet, columns: list[Column], language: str) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title(language))
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width


def _drop_down(sheet, key, lists_key, list_column, count, last_row, language, *, blank):
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = ACTION_INDEX if sheet.title == SHEET_TITLES[ACTIONS][language] else ANSWER_INDEX
    letter = get_column_letter(columns[key] + 1)
    source = get_column_letter(list_column)
    lists_title = SHEET_TITLES[lists_key][language]
    validation = DataValidation(
        type="list",
        formula1=f"'{lists_title}'!${source}$1:${source}${max(count, 1)}",
        allow_blank=blank,
        showErrorMessage=True,
    )
    validation.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(validation)


# ---------------------------------------------------------------- reading


def check_size(data: bytes, *, name: str, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise WorkbookRefused(
            Problem(
                name,
                None,
                "",
                _("The file is larger than the limit of %(limit)s MB.")
                % {"limit": _megabytes(max_bytes)},
            )
        )


def check_archive(data: bytes, *, name: str, max_bytes: int, max_uncompressed: int) -> None:
    """Refuse what openpyxl should never open: too big, not a zip, a zip bomb. The
    uncompressed sizes are read from the zip's directory, nothing is inflated."""
    where = Problem(name, None, "", "")
    check_size(data, name=name, max_bytes=max_bytes)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookRefused(_replace(where, _not_xlsx())) from None
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused(_replace(where, _not_xlsx()))
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed:
        raise WorkbookRefused(
            _replace(
                where,
                _(
                    "The workbook would take more than %(limit)s MB once uncompressed "
                    "(%(size)s MB): refused as a possible zip bomb."
                )
                % {"limit": _megabytes(max_uncompressed), "size": _megabytes(total)},
            )
        )


def _megabytes(value: int) -> str:
    return f"{value / MEBIBYTE:.0f}" if value >= MEBIBYTE else f"{value / MEBIBYTE:.2f}"


def _replace(problem: Problem, message: str) -> Problem:
    return Problem(problem.sheet, problem.row, problem.column, message)


def read_workbook(
    data: bytes,
    *,
    name: str,
    max_bytes: int,
    max_uncompressed: int,
    status_codes: Callable[[str], str | None],
    response_codes: Callable[[str], str | None],
    kind_codes: Callable[[str], str | None],
) -> ReadWorkbook:
    """The answers and actions of a returned questionnaire, and every problem found in
    them. `*_codes(text)` give the code a label (in either language) or code stands for,
    None when it stands for none. Raises WorkbookRefused when the file cannot be read as
    a questionnaire at all."""
    check_archive(data, name=name, max_bytes=max_bytes, max_uncompressed=max_uncompressed)
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise WorkbookRefused(Problem(name, None, "", _not_xlsx())) from None
    try:
        sheets = {sheet.title: [list(row) for row in sheet.iter_rows()] for sheet in book}
    finally:
        book.close()
    _refuse_formulas(sheets)

    identity = _identity(sheets, name)
    result = ReadWorkbook(
        state=identity["state"],
        language=identity["language"],
        exported_at=identity["exported_at"],
    )
    answers_title = result.sheet(ANSWERS)
    actions_title = result.sheet(ACTIONS)
    for title in (answers_title, actions_title):
        if title not in sheets:
            raise WorkbookRefused(
                Problem(name, None, "", _("The sheet %(sheet)s is missing.") % {"sheet": title})
            )
    _read_answers(result, sheets[answers_title], status_codes, response_codes)
    _read_actions(result, sheets[actions_title], kind_codes)
    return result


def _refuse_formulas(sheets: dict) -> None:
    for title, rows in sheets.items():
        for row in rows:
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise WorkbookRefused(
                        Problem(
                            title,
                            cell.row,
                            cell.column_letter,
                            _("Cell %(cell)s holds a formula: formulas are not accepted.")
                            % {"cell": f"{cell.column_letter}{cell.row}"},
                        )
                    )


def _identity(sheets: dict, name: str) -> dict:
    rows = sheets.get(SHEET_TITLES[META]["en"]) or []
    values = {}
    for row in rows:
        if len(row) >= 2 and row[0].value:
            values[str(row[0].value)] = normal_text(row[1].value)
    keys = ("format", "state", "language", "exported_at")
    signature = values.get("signature", "")
    expected = _sign(values.get(key, "") for key in keys)
    if not signature or not hmac.compare_digest(signature, expected):
        raise WorkbookRefused(
            Problem(
                name,
                None,
                "",
                _(
                    "This is not a questionnaire exported by the tracker, or its identity "
                    "(state, language, export time) was changed."
                ),
            )
        )
    if values["format"] != FORMAT_VERSION or values["language"] not in LANGUAGES:
        raise WorkbookRefused(
            Problem(name, None, "", _("This questionnaire's format is not supported."))
        )
    return values


def _cell(row: list, index: int):
    if index >= len(row):
        return None
    return row[index].value


def _text(row: list, index: int) -> str:
    return normal_text(_cell(row, index))


def parse_version(value) -> int | None:
    text = normal_text(value)
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        return -1  # cannot be right: the signature check reports the row


def _read_answers(result: ReadWorkbook, rows: list, status_codes, response_codes) -> None:
    sheet = result.sheet(ANSWERS)
    for row in rows[1:]:
        if not any(_cell(row, index) not in (None, "") for index in range(len(ANSWER_COLUMNS))):
            continue
        number = row[0].row
        values = {key: _text(row, index) for key, index in ANSWER_INDEX.items()}
        values["version"] = parse_version(_cell(row, ANSWER_INDEX["version"]))
        signature = values["signature"]
        if not hmac.compare_digest(signature, row_signature(result.state, values)):
            result.problems.append(Problem(sheet, number, "", tampered_row()))
            continue
        status = choice_code(result, number, "status", values["status"], status_codes)
        response = choice_code(result, number, "response", values["response"], response_codes)
        if status is None or response is None:
            continue
        result.answers.append(
            ReadAnswer(
                number, values["report"], values["label"], values["version"], status, response
            )
        )


def choice_code(result, number, key, value, codes, *, actions=False) -> str | None:
    """The code `value` (a label or code from a drop-down) stands for; "" when empty;
    None, with a problem recorded, when it is not in the list."""
    if not value:
        return ""
    code = codes(value)
    if code:
        return code
    messages = {
        "status": _("“%(value)s” is not one of the statuses in the list."),
        "response": _("“%(value)s” is not one of the responses in the list."),
        "kind": _("“%(value)s” is not one of the kinds in the list."),
    }
    sheet = result.sheet(ACTIONS if actions else ANSWERS)
    column = result.column(key, actions=actions)
    result.problems.append(Problem(sheet, number, column, messages[key] % {"value": value}))
    return None


def _read_actions(result: ReadWorkbook, rows: list, kind_codes) -> None:
    sheet = result.sheet(ACTIONS)
    for row in rows[1:]:
        if not any(_cell(row, index) not in (None, "") for index in range(len(ACTION_COLUMNS))):
            continue
        number = row[0].row
        values = {key: _text(row, index) for key, index in ACTION_INDEX.items()}
        raw_date = _cell(row, ACTION_INDEX["date"])
        date = parse_date(raw_date)
        if date is None:
            result.problems.append(
                Problem(
                    sheet,
                    number,
                    result.column("date", actions=True),
                    not_a_date(normal_text(raw_date)),
                )
            )
        kind = choice_code(result, number, "kind", values["kind"] or "—", kind_codes, actions=True)
        if date is None or kind is None:
            continue
        result.actions.append(
            ReadAction(
                number,
                values["report"],
                values["label"],
                date,
                kind,
                values["description"],
                values["evidence_url"],
            )
        )


def parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(normal_text(value))
    except ValueError:
        return None
