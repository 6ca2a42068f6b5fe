"""Filling a questionnaire as a ministry would, the workbook (openpyxl) or the CSV file,
for the tests of the commands, the API and the admin."""

import csv
import io

from openpyxl import load_workbook


def fill(data: bytes, answers=(), actions=(), edit=None) -> bytes:
    """The workbook as a ministry returns it: answers {label: (status, response)} by the
    column titles, action rows appended, `edit(book)` for anything else."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    titles = [cell.value for cell in sheet[1]]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    for label, (status, response) in dict(answers).items():
        rows[label][titles.index("Status")].value = status
        rows[label][titles.index("Response")].value = response
    for number, values in enumerate(actions, start=2):
        for column, value in enumerate(values, start=1):
            cell = book.worksheets[1].cell(row=number, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed as text ('=… in Excel), not a formula
    if edit:
        edit(book)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def fill_csv(data: bytes, answers=(), actions=(), delimiter=",") -> bytes:
    """The CSV as a ministry returns it: answers {label: (status, response)} and actions
    {label: (date, kind, description)} written under the column titles (a second action
    on a label repeats its row)."""
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    at = {title: index for index, title in enumerate(header)}
    by_label = {row[at["Label"]]: row for row in rows}
    for label, (status, response) in dict(answers).items():
        by_label[label][at["Status"]] = status
        by_label[label][at["Response"]] = response
    for label, date, kind, description in actions:
        row = by_label[label]
        if row[at["New action: Date"]]:
            row = list(row)
            rows.append(row)
        row[at["New action: Date"]] = date
        row[at["New action: Kind"]] = kind
        row[at["New action: Description"]] = description
    output = io.StringIO()
    csv.writer(output, delimiter=delimiter).writerows([header, *rows])
    return ("\ufeff" + output.getvalue()).encode()
