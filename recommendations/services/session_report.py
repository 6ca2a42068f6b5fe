"""The session report: the secretariat's report to a governing body on the implementation
of its recommendations, as a Word document (or PDF through LibreOffice).

Reads every figure from the coverage selector (coverage_by_theme, one call per report
when several are asked for: its scope is one report or all) and the annex rows from
selectors/session_report.py, then hands plain data to the writer
(reports/document.py). The command `session_report` and the coverage page's download
call it. The file is written to a temporary file beside the output and renamed into
place, so that a failure leaves no half-written file behind.
"""

import datetime
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from django.utils import translation

from recommendations.choices import Status
from recommendations.models import Body, Report
from recommendations.reports import libreoffice
from recommendations.reports.document import Part, SessionReport, build
from recommendations.selectors.coverage import coverage_by_theme
from recommendations.selectors.session_report import (
    agenda_items,
    annex_rows,
    next_session,
    without_follow_up,
)

FORMATS = ("docx", "pdf")
LANGUAGES = {"en": "en", "zh": "zh-hans"}  # --language → the Django language activated
DEFAULT_ANNEX_LIMIT = 500
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SessionReportError(Exception):
    """Bad input or a failed conversion, in words for the person who asked."""


def session_report_data(
    *,
    body: Body | None,
    reports: Sequence[Report] = (),
    as_of: datetime.date,
    language: str = "en",
    annex_limit: int | None = DEFAULT_ANNEX_LIMIT,
    updated_from: datetime.date | None = None,
    updated_to: datetime.date | None = None,
    member_state: str | None = None,
    charts: bool = True,
) -> SessionReport:
    """What the document shows: the coverage figures (one part per report when several
    are given), the session and agenda item, the annex rows. Overdue counts as at
    `as_of`."""
    body_code = body.code if body is not None else None
    period = {
        "body": body_code,
        "updated_from": updated_from,
        "updated_to": updated_to,
        "member_state": member_state,
    }
    scopes: list[tuple[str | None, Report | None]] = (
        [(report.symbol, report) for report in reports]
        if len(reports) > 1
        else [(None, reports[0] if reports else None)]
    )
    parts, annex = [], []
    for heading, report in scopes:
        coverage = coverage_by_theme(report=report, **period, include_states=True, today=as_of)
        parts.append(Part(coverage, without_follow_up(coverage["total"]), heading))
        left = None if annex_limit is None else annex_limit - len(annex)
        if left is None or left > 0:
            annex += annex_rows(report=report, **period, language=language, limit=left)
    session = next_session(body_code=body_code, as_of=as_of) if body_code else None
    chinese = language == "zh"
    with translation.override(LANGUAGES[language]):
        status_labels = {code: str(label) for code, label in Status.choices}
    return SessionReport(
        language=language,
        as_of=as_of,
        body_code=body_code,
        body_name=None if body is None else (body.name_zh if chinese else body.name_en),
        session_name=session.name if session else None,
        session_date=session.start_date if session else None,
        agenda=(
            agenda_items(body_code=body_code, report_ids=[r.pk for r in reports] or None)
            if body_code
            else []
        ),
        reports=[report.symbol for report in reports],
        parts=parts,
        status_labels=status_labels,
        annex=annex,
        annex_total=sum(part.coverage["total"]["recommendations"] for part in parts),
        annex_limit=annex_limit,
        charts=charts,
    )


def session_report_docx(data: SessionReport, target) -> None:
    """Writes the document to `target` (a path or a binary file) in its language."""
    with translation.override(LANGUAGES[data.language]):
        build(data).save(target)


def session_report_bytes(data: SessionReport) -> bytes:
    """The DOCX file's bytes (for a download)."""
    buffer = io.BytesIO()
    session_report_docx(data, buffer)
    return buffer.getvalue()


def check_output(output: Path, output_format: str) -> None:
    """Refuses, before any work, an output the report cannot be written to."""
    if output_format not in FORMATS:
        raise SessionReportError(f"--format: expected one of {', '.join(FORMATS)}")
    directory = output.parent
    if not directory.is_dir():
        raise SessionReportError(f"--output: the directory {directory} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise SessionReportError(f"--output: the directory {directory} is not writable")
    if output.is_dir():
        raise SessionReportError(f"--output: {output} is a directory; expected a file name")
    if output_format == "pdf" and libreoffice.soffice() is None:
        raise SessionReportError(
            "--format pdf needs LibreOffice, which is not installed (no soffice on PATH); "
            "on Debian: apt-get install libreoffice-writer-nogui. --format docx needs "
            "nothing more."
        )


def session_report_write(data: SessionReport, *, output: Path, output_format: str = "docx") -> Path:
    """Writes the report to `output` (DOCX, or PDF converted by LibreOffice) through a
    temporary file renamed into place; nothing is left behind on failure."""
    output = Path(output)
    check_output(output, output_format)
    with tempfile.TemporaryDirectory(prefix=".session-report-", dir=output.parent) as work:
        docx = Path(work) / "session-report.docx"
        session_report_docx(data, docx)
        result = docx
        if output_format == "pdf":
            pdf_dir = Path(work) / "pdf"
            pdf_dir.mkdir()
            try:
                result = libreoffice.convert(docx, "pdf", pdf_dir).path
            except libreoffice.LibreOfficeError as error:
                raise SessionReportError(str(error)) from None
        os.replace(result, output)
    return output
