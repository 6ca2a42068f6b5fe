"""The questionnaire as one CSV file, for states that prefer it: writing and reading, no
database.

The same columns as the workbook's answers sheet (its titles, in English or Chinese, the
same per-row signature), with the member state first and one new action per row at the
end. To record several actions on one recommendation, repeat its row with the same
status and response (or leave them empty): a repeated row adds its action only.

What the workbook keeps in its hidden identity sheet, a CSV file keeps in its rows: each
row names its state, covered by the row's signature; the language is the language of the
header's titles. Reading goes by the titles, not the positions, so columns moved in a
spreadsheet program still read; a comma, semicolon or tab separator is recognised (Excel
writes semicolons in some locales). UTF-8 with a byte order mark is written (Excel then
reads Chinese correctly) and UTF-8 with or without it is read; anything else gets a
message saying how to save it. Text starting with a formula character is written with
a leading apostrophe (a spreadsheet shows it as text, never runs it) and read back
without it.
"""

import csv
import hmac
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from recommendations import tabular
from recommendations.questionnaires.workbook import (
    ACTION_COLUMNS,
    ANSWER_COLUMNS,
    LANGUAGES,
    AnswerRow,
    Column,
    Problem,
    ReadAction,
    ReadAnswer,
    ReadWorkbook,
    WorkbookRefused,
    answer_values,
    check_size,
    choice_code,
    normal_text,
    not_a_date,
    parse_date,
    parse_version,
    row_signature,
    tampered_row,
)

BOM = "\ufeff"
SEPARATORS = ",;\t"
STATE = Column("state", "State", "国家", 8)
# A new action's columns, titled apart from the answer's ("New action: Date").
ACTION_KEYS = ("date", "kind", "description", "evidence_url")
CSV_ACTION_COLUMNS = [
    Column(column.key, f"New action: {column.en}", f"新行动：{column.zh}", column.width)
    for column in ACTION_COLUMNS
    if column.key in ACTION_KEYS
]
# The file's columns, declared once from the workbook's: writer and reader read this.
CSV_COLUMNS = [STATE, *ANSWER_COLUMNS, *CSV_ACTION_COLUMNS]
REQUIRED = {column.key for column in (STATE, *ANSWER_COLUMNS) if column.key != "earlier_answer"}
ACTION_OF = {column.key: f"action_{column.key}" for column in CSV_ACTION_COLUMNS}


def _titles(language: str) -> dict[str, str]:
    """Column title (casefolded) -> key; the action columns' keys are prefixed."""
    titles = {}
    for column in CSV_COLUMNS:
        key = ACTION_OF[column.key] if column in CSV_ACTION_COLUMNS else column.key
        titles[column.title(language).casefold()] = key
    return titles


TITLES = {language: _titles(language) for language in LANGUAGES}


def looks_like_csv(data: bytes, name: str) -> bool:
    """A CSV questionnaire by its name or its first bytes (never a ZIP, which XLSX is)."""
    if data[:2] == b"PK":
        return False
    if name.lower().endswith(".csv") or data.startswith(BOM.encode()):
        return True
    head = data[:2000].decode("utf-8", errors="ignore").casefold()
    return any(STATE.title(language).casefold() in head for language in LANGUAGES)


@dataclass
class ReadCsv(ReadWorkbook):
    """A read CSV questionnaire: problems are placed by file name, row and column title."""

    name: str = ""

    def sheet(self, key: str) -> str:
        return self.name

    def column(self, key: str, *, actions: bool = False) -> str:
        columns = CSV_ACTION_COLUMNS if actions else ANSWER_COLUMNS
        return next(column for column in columns if column.key == key).title(self.language)


def _formula_like(text: str) -> bool:
    """Starts, after any apostrophes, with a character a spreadsheet reads as a formula."""
    bare = text.lstrip("'")
    return tabular.neutralise(bare) != bare


def _text(value) -> str:
    """A cell as written: formula-like text behind an apostrophe (one more when the text
    itself starts with one, so that reading gives back exactly the text); None empty."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if _formula_like(text) else text


def write_csv(*, state: str, language: str, rows: list[AnswerRow]) -> bytes:
    """The questionnaire as CSV bytes (UTF-8 with BOM, RFC 4180, CRLF)."""
    output = io.StringIO()
    output.write(BOM)
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([column.title(language) for column in CSV_COLUMNS])
    for item in rows:
        values = answer_values(state, item)
        values["state"] = state
        writer.writerow(
            [_text(values.get(column.key)) for column in [STATE, *ANSWER_COLUMNS]]
            + [""] * len(CSV_ACTION_COLUMNS)
        )
    return output.getvalue().encode("utf-8")


def _refuse(name: str, message: str, row: int | None = None) -> WorkbookRefused:
    return WorkbookRefused(Problem(name, row, "", message))


def _decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(
            name,
            _(
                "The file is not UTF-8 text (byte %(position)s): save it as “CSV UTF-8” "
                "(Excel: Save As › CSV UTF-8; LibreOffice: character set Unicode (UTF-8))."
            )
            % {"position": error.start + 1},
        ) from None
    if "\x00" in text:
        raise _refuse(name, _("The file is not a CSV file (it holds NUL characters)."))
    return text


def _records(text: str, name: str) -> list[list[str]]:
    first_line = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=SEPARATORS)
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter)
    try:
        return list(reader)
    except csv.Error as error:
        raise _refuse(
            name,
            _("Line %(line)s cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": error},
        ) from None


def _header(titles: list[str], name: str) -> tuple[str, dict[str, int]]:
    """The file's language and each known column's position, found by title."""
    cleaned = [normal_text(title).casefold() for title in titles]
    for language in LANGUAGES:
        known = TITLES[language]
        positions = {known[title]: index for index, title in enumerate(cleaned) if title in known}
        if "report" in positions:
            missing = [
                column.title(language)
                for column in (STATE, *ANSWER_COLUMNS)
                if column.key in REQUIRED and column.key not in positions
            ]
            if missing:
                raise _refuse(
                    name,
                    _("The column(s) %(columns)s are missing from the first row.")
                    % {"columns": ", ".join(missing)},
                    row=1,
                )
            return language, positions
    raise _refuse(
        name,
        _(
            "The first row does not hold the questionnaire's column titles (Report, Label, "
            "Status, …): this is not a questionnaire exported by the tracker."
        ),
        row=1,
    )


def _restore(value: str) -> str:
    """A cell as read: the apostrophe written before formula-like text taken away."""
    return value[1:] if value[:1] == "'" and _formula_like(value[1:]) else value


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, str]


def read_csv(
    data: bytes,
    *,
    name: str,
    max_bytes: int,
    status_codes,
    response_codes,
    kind_codes,
) -> ReadWorkbook:
    """The answers and actions of a returned CSV questionnaire and every problem in them
    (the same as read_workbook returns for a workbook)."""
    check_size(data, name=name, max_bytes=max_bytes)
    records = _records(_decode(data, name), name)
    if not records:
        raise _refuse(name, _("The file is empty."))
    language, positions = _header(records[0], name)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        values = {
            key: _restore(normal_text(record[index])) if index < len(record) else ""
            for key, index in positions.items()
        }
        rows.append(_Row(number, values))
    if not rows:
        raise _refuse(name, _("The file has no rows below its titles."))
    state = rows[0].values["state"].upper()
    result = ReadCsv(name=name, state=state, language=language, exported_at="")
    firsts: dict[tuple[str, str], ReadAnswer] = {}
    for row in rows:
        answer = _answer(result, row, status_codes, response_codes)
        if answer is None:
            continue
        key = (answer.report, answer.label)
        first = firsts.get(key)
        repeated = first is not None and (
            (answer.status, answer.response) in {("", ""), (first.status, first.response)}
        )
        if first is None:
            firsts[key] = answer
        if not repeated:
            result.answers.append(answer)  # a second, different answer: a problem later
        _action(result, row, answer, kind_codes)
    return result


def _answer(result: ReadCsv, row: _Row, status_codes, response_codes) -> ReadAnswer | None:
    values = dict(row.values)
    values["version"] = parse_version(values["version"])
    row_state = values["state"].upper()
    if row_state != result.state:
        result.problems.append(
            Problem(
                result.name,
                row.number,
                STATE.title(result.language),
                _(
                    "This row belongs to the questionnaire of another member state "
                    "(%(row_state)s, the file's first row is %(state)s): the row is refused."
                )
                % {"row_state": row_state, "state": result.state},
            )
        )
        return None
    if not hmac.compare_digest(values["signature"], row_signature(result.state, values)):
        result.problems.append(Problem(result.name, row.number, "", tampered_row()))
        return None
    status = choice_code(result, row.number, "status", values["status"], status_codes)
    response = choice_code(result, row.number, "response", values["response"], response_codes)
    if status is None or response is None:
        return None
    return ReadAnswer(
        row.number, values["report"], values["label"], values["version"], status, response
    )


def _action(result: ReadCsv, row: _Row, answer: ReadAnswer, kind_codes) -> None:
    values = {key: row.values.get(ACTION_OF[key], "") for key in ACTION_KEYS}
    if not any(values.values()):
        return
    date = parse_date(values["date"])
    if date is None:
        result.problems.append(
            Problem(
                result.name,
                row.number,
                result.column("date", actions=True),
                not_a_date(values["date"]),
            )
        )
    kind = choice_code(result, row.number, "kind", values["kind"] or "—", kind_codes, actions=True)
    if date is None or kind is None:
        return
    result.actions.append(
        ReadAction(
            row.number,
            answer.report,
            answer.label,
            date,
            kind,
            values["description"],
            values["evidence_url"],
        )
    )
