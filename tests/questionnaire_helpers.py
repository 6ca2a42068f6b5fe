"""Filling a questionnaire workbook as a ministry would (openpyxl), for the tests of the
commands, the API and the admin."""

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
