"""The session report (issue 18): the Word document's figures read back with python-docx
equal the coverage selector's, its paragraphs are numbered through, both languages
render, the command refuses bad input and writes nothing, the coverage page downloads
it, and LibreOffice converts it to PDF (slow)."""

import datetime
import io
import re
import subprocess
from io import StringIO
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command

from recommendations.choices import Status
from recommendations.models import Body, Report
from recommendations.reports import libreoffice
from recommendations.selectors.coverage import coverage_by_theme, coverage_rows
from recommendations.selectors.session_report import annex_rows, without_follow_up
from recommendations.services.deadlines import body_session_create
from recommendations.services.session_report import session_report_bytes, session_report_data
from tests.integration.shared import SEED_2017, make_follow_up, make_user, rec
from tests.integration.test_admin_words import catalogue
from tests.libreoffice import convert_file, needs_soffice

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 1, 31)
BODY = "CCPCJ"
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.fixture
def world(seeds, staff):
    """Follow-ups on recommendations addressed to CCPCJ and CND: verified and claimed
    implementation, other statuses, several states; a CCPCJ session after AS_OF."""
    for label, iso3, status, verified in [
        ("93(a)", "KEN", Status.IMPLEMENTED, True),
        ("93(b)", "KEN", Status.IMPLEMENTED, False),
        ("93(b)", "BOL", Status.IN_PROGRESS, False),
        ("94(a)", "CHN", Status.NOT_STARTED, False),
        ("99(c)", "KEN", Status.NOT_IMPLEMENTED, False),
        ("95(a)", "FRA", Status.NOT_APPLICABLE, False),
    ]:
        make_follow_up(rec(label), iso3, status, verified_by=staff if verified else None)
    # A past session makes the reports overdue; the next one is the report's session.
    for name, start in [
        ("第三十四届会议", AS_OF.replace(year=2025, month=5)),
        ("第三十五届会议", AS_OF.replace(month=5)),
    ]:
        body_session_create(
            data={"body": Body.objects.get(code=BODY), "name": name, "start_date": start},
            user=staff,
            via="admin",
        )
    return staff


def document(language="en", **kwargs) -> docx.Document:
    arguments = {
        "body": Body.objects.get(code=BODY),
        "as_of": AS_OF,
        "language": language,
        "charts": False,
        **kwargs,
    }
    data = session_report_data(**arguments)
    return docx.Document(io.BytesIO(session_report_bytes(data)))


def numbers(text: str) -> list[float]:
    for date in ("31 January 2026", "2026年1月31日"):
        text = text.replace(date, "")
    return [float(n.replace(",", "")) for n in NUMBER.findall(text)]


def numbered(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == "List Number"]


def table_values(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def cell_number(text: str):
    return None if text == "—" else float(text.replace(",", ""))


def test_every_figure_is_the_coverage_selectors(world):
    doc = document()
    expected = coverage_by_theme(body=BODY, include_states=True, today=AS_OF)
    total = expected["total"]
    rows = coverage_rows(expected)

    # Tables 1 and 2: each theme, "No theme" and the total, every column (coverage, then
    # implementation and deadlines), side by side.
    coverage_table, deadline_table = table_values(doc.tables[0]), table_values(doc.tables[1])
    assert [line[0] for line in coverage_table] == [line[0] for line in deadline_table]
    theme_table = [a + b[1:] for a, b in zip(coverage_table, deadline_table, strict=True)]
    assert theme_table[0][0] == "Theme"
    assert [line[0] for line in theme_table[1:]] == [row["name_en"] for row in rows]
    for line, row in zip(theme_table[1:], rows, strict=True):
        assert [cell_number(cell) for cell in line[1:]] == [
            row["recommendations"],
            row["covered"],
            row["coverage_pct"],
            row["states_reporting"],
            row["implemented_pct"],
            row["verified_implemented"],
            row["unverified_implemented"],
            row["overdue"],
            row["median_age_open"],
        ]
    # Table 3: follow-ups by status.
    for line, row in zip(table_values(doc.tables[2])[1:], rows, strict=True):
        counts = [row["status_counts"][s] for s in Status.values]
        assert [cell_number(cell) for cell in line[1:]] == [*counts, sum(counts)]

    paragraphs = numbered(doc)
    follow_ups = sum(total["status_counts"].values())
    implemented = total["status_counts"]["implemented"]
    by_theme = next(p for p in paragraphs if p.startswith("Member States reported on"))
    assert numbers(by_theme) == [
        total["covered"],
        total["recommendations"],
        total["coverage_pct"],
        follow_ups,
        implemented,
        total["implemented_pct"],
    ]
    for row in [*expected["themes"], expected["unthemed"]]:
        found = [p for p in paragraphs if p.startswith(row["name_en"] + ":")]
        if not row["recommendations"]:
            assert not found
            continue
        assert numbers(found[0]) == [
            row["covered"],
            row["recommendations"],
            row["coverage_pct"],
            row["status_counts"]["implemented"],
            sum(row["status_counts"].values()),
            row["implemented_pct"],
        ]
    states = next(p for p in paragraphs if "reported on at least one recommendation" in p)
    assert numbers(states) == [total["states_reporting"]]
    verified = next(p for p in paragraphs if "follow-ups as implemented" in p)
    assert numbers(verified) == [
        implemented,
        total["verified_implemented"],
        total["unverified_implemented"],
    ]
    overdue = next(p for p in paragraphs if p.startswith("As at"))
    assert numbers(overdue) == [total["overdue"], total["median_age_open"]]
    assert total["overdue"] > 0
    nothing = next(p for p in paragraphs if p.startswith("No Member State had reported"))
    assert numbers(nothing) == [without_follow_up(total), total["recommendations"]]

    summary = next(p.text for p in doc.paragraphs if p.text.startswith("The present report"))
    assert numbers(summary) == [
        total["recommendations"],
        total["covered"],
        total["coverage_pct"],
        total["states_reporting"],
        follow_ups,
        implemented,
        total["verified_implemented"],
        total["overdue"],
        without_follow_up(total),
    ]

    # Annex I: every recommendation in scope; its figures add up to the total row.
    annex = table_values(doc.tables[3])
    assert len(annex) - 1 == total["recommendations"]
    states_column = [int(line[3]) for line in annex[1:]]
    assert sum(1 for n in states_column if n == 0) == without_follow_up(total)
    assert sum(states_column) == follow_ups
    for index, status in enumerate(Status.values):
        assert sum(int(line[4 + index]) for line in annex[1:]) == total["status_counts"][status]

    # Annex II: each member state's shares and overdue.
    state_table = table_values(doc.tables[4])
    assert [line[0] for line in state_table[1:]] == [s["name_en"] for s in expected["states"]]
    for line, state in zip(state_table[1:], expected["states"], strict=True):
        assert [cell_number(cell) for cell in line[1:]] == [
            *(state["themes"][theme["code"]] for theme in expected["themes"]),
            state["total"],
            state["overdue"],
        ]


def test_annex_rows_add_up_to_the_coverage_selectors_total(world):
    for scope in ({}, {"body": "CND"}, {"member_state": "KEN"}, {"updated_from": AS_OF}):
        total = coverage_by_theme(**scope, include_states=False)["total"]
        rows = annex_rows(**scope)
        assert len(rows) == total["recommendations"]
        assert sum(1 for row in rows if row.states_reporting) == total["covered"]
        for status in Status.values:
            assert sum(row.status_counts[status] for row in rows) == total["status_counts"][status]
    assert len(annex_rows(limit=3)) == 3


def test_the_document_is_real_word(world):
    doc = document()
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    sections = [h for h in headings if "\t" in h]
    assert [h.split("\t")[0] for h in sections] == ["I.", "II.", "III.", "IV.", "V.", "VI.", "VII."]
    assert sections[0] == "I.\tIntroduction"
    assert "Annex I" in headings and "Annex II" in headings
    # Paragraph numbering: Word's own list, one list through the document (no paragraph
    # restarts or overrides it), so that it stays continuous across the sections.
    body = doc.element.body
    items = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert len(items) >= 10
    assert all(p._p.pPr is None or p._p.pPr.numPr is None for p in items)
    assert doc.styles["List Number"].element.pPr.numPr is not None
    # Tables styled, the header row repeated; fonts with an East Asian face; page numbers.
    assert {t.style.name for t in doc.tables} == {"Table Grid"}
    assert all(
        t.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None for t in doc.tables
    )
    fonts = doc.styles["Normal"].element.rPr.find(docx.oxml.ns.qn("w:rFonts"))
    assert fonts.get(docx.oxml.ns.qn("w:eastAsia")) == "SimSun"
    for section in doc.sections:
        footer = section.footer._element.xml
        assert "PAGE" in footer and "fldChar" in footer
    assert body is not None
    # The cover: body, session, agenda item, title, "Report of the Secretariat", date.
    cover = [p.text for p in doc.paragraphs[:12]]
    assert cover[0] == "Commission on Crime Prevention and Criminal Justice"
    assert "第三十五届会议" in cover
    assert "Beginning 31 May 2026" in cover
    assert (
        "Item 6 of the provisional agenda" in cover
        or "Item 3(a) of the provisional agenda" in cover
    )
    assert "Report of the Secretariat" in cover
    assert "31 January 2026" in cover


def test_charts_are_pictures(world):
    doc = document(charts=True)
    assert len(doc.inline_shapes) == 2
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert any(c.startswith("Figure I\n") for c in captions)


def test_chinese_renders_with_no_untranslated_string(world):
    doc = document("zh")
    texts = [p.text for p in doc.paragraphs]
    texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    text = "\n".join(texts)
    assert "预防犯罪和刑事司法委员会" in text  # the body's Chinese name
    # Every English msgid the document shows must be translated in the catalogue: no
    # Latin word is left once the data's own codes (symbols, file names) are removed.
    for symbol in Report.objects.values_list("symbol", flat=True):
        text = text.replace(symbol, "")
    leftovers = sorted(set(re.findall(r"[A-Za-z]{3,}", text)))
    untranslated = {msgid for msgid, msgstr in catalogue() if not msgstr}
    assert not leftovers, (leftovers, "untranslated msgids in the catalogue:", len(untranslated))


def test_several_reports_have_a_part_each(world):
    reports = list(Report.objects.filter(recommendations__bodies__code=BODY).distinct())
    assert len(reports) >= 2
    doc = document(reports=reports)
    paragraphs = numbered(doc)
    for report in reports:
        expected = coverage_by_theme(report=report, body=BODY, today=AS_OF)["total"]
        line = next(p for p in paragraphs if p.startswith(f"{report.symbol}: Member States"))
        assert numbers(line.split(": ", 1)[1])[:2] == [
            expected["covered"],
            expected["recommendations"],
        ]


# The command ---------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("session_report", *args, stdout=out)
    return out.getvalue()


def test_command_writes_the_docx_with_the_annex_capped(world, tmp_path):
    output = tmp_path / "report.docx"
    printed = run(
        "--body", "ccpcj", "--as-of", "2026-01-31", "--annex-limit", "2", "--output", str(output)
    )
    assert "Wrote" in printed
    doc = docx.Document(str(output))
    assert len(doc.tables[3].rows) == 3
    total = coverage_by_theme(body=BODY)["total"]["recommendations"]
    assert any(
        p.text.startswith(f"The annex lists the first 2 of the {total} recommendations")
        for p in doc.paragraphs
    )
    assert list(tmp_path.iterdir()) == [output]  # no temporary file left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--body", "NOPE"], "--body: unknown body code 'NOPE'"),
        (["--body", "CND", "--report", "X/1"], "--report: no report with symbol 'X/1'"),
        (["--body", "CND", "--as-of", "31/01/2026"], "--as-of: expected a date as YYYY-MM-DD"),
        (["--body", "CND", "--annex-limit", "-1"], "--annex-limit"),
    ],
)
def test_command_refuses_bad_input(world, tmp_path, args, message):
    output = tmp_path / "report.docx"
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args, "--output", str(output))
    assert not list(tmp_path.iterdir())


def test_command_refuses_an_output_it_cannot_write(world, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("--body", "CND", "--output", str(tmp_path / "missing" / "r.docx"))
    with pytest.raises(CommandError, match="is a directory"):
        run("--body", "CND", "--output", str(tmp_path))
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if not (locked / "x").parent.stat().st_mode & 0o200 and __import__("os").geteuid() != 0:
        with pytest.raises(CommandError, match="not writable"):
            run("--body", "CND", "--output", str(locked / "r.docx"))


def test_pdf_without_libreoffice_is_a_clear_message(world, tmp_path, monkeypatch):
    monkeypatch.setattr(libreoffice, "soffice", lambda: None)
    with pytest.raises(CommandError, match="needs LibreOffice, which is not installed"):
        run("--body", "CND", "--format", "pdf", "--output", str(tmp_path / "r.pdf"))
    assert not list(tmp_path.iterdir())


# The coverage page ---------------------------------------------------------------------


def test_coverage_page_offers_the_download_for_the_scope(world, client):
    report = Report.objects.get(symbol=SEED_2017)
    page = client.get("/coverage/", {"report": report.pk, "body": "CND"}).content.decode()
    assert 'id="session-report-form"' in page
    assert 'action="/coverage/session-report/"' in page
    assert f'name="report" value="{report.pk}"' in page
    assert '<option value="CND" selected>' in page
    chinese = client.get("/coverage/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="zh" selected>' in chinese


def test_download_returns_the_docx(world, client):
    response = client.get(
        "/coverage/session-report/", {"body": BODY, "as_of": "2026-01-31", "language": "en"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="session-report-CCPCJ-2026-01-31-en.docx"' in response["Content-Disposition"]
    doc = docx.Document(io.BytesIO(response.content))
    expected = coverage_by_theme(body=BODY, today=AS_OF)["total"]
    assert table_values(doc.tables[0])[-1][1] == str(expected["recommendations"])
    assert len(doc.tables[3].rows) - 1 == expected["recommendations"]


def test_download_needs_a_body_and_staff(world, client):
    assert client.get("/coverage/session-report/", {"as_of": "2026-01-31"}).status_code == 400
    client.force_login(make_user("visitor", perms=()))
    assert client.get("/coverage/session-report/", {"body": BODY}).status_code == 403
    client.logout()
    assert client.get("/coverage/session-report/", {"body": BODY}).status_code == 302


# LibreOffice ---------------------------------------------------------------------------


@pytest.mark.slow
@needs_soffice
@pytest.mark.parametrize("language", ["en", "zh"])
def test_libreoffice_converts_it_to_pdf(world, tmp_path, language):
    output = tmp_path / "report.pdf"
    run(
        "--body",
        BODY,
        "--as-of",
        "2026-01-31",
        "--language",
        language,
        "--format",
        "pdf",
        "--output",
        str(output),
    )
    assert output.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(output), "-"], capture_output=True, text=True, check=True
    ).stdout
    if language == "en":
        for heading in (
            "Report of the Secretariat",
            "Summary",
            "Introduction",
            "Coverage and implementation by theme",
            "Overdue recommendations",
            "Annex I",
            "Annex II",
        ):
            assert heading in text, heading
    else:
        assert "预防犯罪和刑事司法委员会" in text
    # The paragraph numbers LibreOffice draws run 1, 2, 3 … without a gap.
    drawn = [int(n) for n in re.findall(r"^\s{0,6}(\d{1,3})\.\s+", text, flags=re.MULTILINE)]
    assert drawn[: len(drawn)] and drawn == list(range(1, len(drawn) + 1))


@pytest.mark.slow
@needs_soffice
def test_libreoffice_opens_the_docx_without_repair(world, tmp_path):
    source = tmp_path / "report.docx"
    source.write_bytes(
        session_report_bytes(
            session_report_data(body=Body.objects.get(code=BODY), as_of=AS_OF, language="zh")
        )
    )
    out = tmp_path / "out"
    out.mkdir()
    saved = convert_file(source, "docx", out, tmp_path / "profile")
    doc = docx.Document(str(saved))
    assert [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")][:1]
    assert Path(saved).stat().st_size > 0


def test_table_columns_are_as_wide_as_their_headers_longest_word():
    """No header word broken inside ("Recommen|dations") on a portrait page; Chinese
    headers take two lines; the widths add up to the page's."""
    from recommendations.reports.document import column_widths

    english = ["Theme", "Recommendations", "Covered", "Coverage (%)", "States reporting"]
    widths = column_widths(english, 16.0)
    assert round(sum(widths), 6) == 16.0
    assert widths[1] > widths[2] and widths[0] >= 2.6  # the longest word, the names
    chinese = column_widths(["主题", "建议", "已覆盖", "未结建议年龄中位数（天）"], 16.0)
    assert chinese[3] > chinese[2] >= chinese[1] and round(sum(chinese), 6) == 16.0
    crowded = column_widths(["Theme", *(["Recommendations"] * 12)], 16.0)
    assert crowded[0] == 2.6 and round(sum(crowded), 6) == 16.0  # all narrower alike
