"""The session report as a Word document (python-docx), from plain data.

`write_docx(data, path)` takes a SessionReport (the coverage selector's results and the
annex rows, already read) and writes the document in the active language (the caller
activates it: every string goes through gettext). No database access, no figure
computed here: the paragraphs and tables show the figures as the selectors gave them.

Word, not a picture of one: the cover's title is "Title", section headings "Heading 1"
("I.", "II." … in the text, as UN reports number them), the numbered paragraphs "List
Number" (Word's own numbering, one list through the whole document, so that it stays
continuous when staff add or remove paragraphs), the tables "Table Grid" with a header
row repeated on each page, the captions "Caption". Every style carries a Latin font
and an East Asian font (w:eastAsia), so that Chinese renders in Word and LibreOffice;
the footer holds a PAGE field.
"""

import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import dateformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from recommendations.reports import charts
from recommendations.selectors.coverage import is_neglected

LATIN_FONT = "Times New Roman"
# SimSun is what UN documents in Chinese are set in; Word and LibreOffice substitute an
# installed Chinese font (Microsoft YaHei, WenQuanYi …) for it when it is missing.
EAST_ASIAN_FONT = "SimSun"
STATUS_CODES = ["not_started", "in_progress", "implemented", "not_implemented", "not_applicable"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
CHINESE_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


@dataclass(frozen=True)
class Part:
    """The figures of one scope: coverage_by_theme's result. A report on several
    reports has one part per report, each with a heading (the report's symbol)."""

    coverage: dict[str, Any]
    no_follow_up: int  # recommendations no member state reported on
    heading: str | None = None


@dataclass(frozen=True)
class SessionReport:
    language: str  # "en" or "zh"
    as_of: datetime.date
    body_code: str | None
    body_name: str | None
    session_name: str | None
    session_date: datetime.date | None
    agenda: list[Any]  # selectors.session_report.AgendaItem
    reports: list[str]  # the symbols asked for; empty: every report in scope
    parts: list[Part]
    status_labels: dict[str, str]
    annex: list[Any]  # selectors.session_report.AnnexRow
    annex_total: int  # recommendations in scope (the annex shows at most annex_limit)
    annex_limit: int | None = None
    charts: bool = True


# Numbers, dates, names --------------------------------------------------------------


def number(value: int) -> str:
    """An integer with thousands separators: 1,234 (in both languages)."""
    return f"{value:,}"


def pct(value: float) -> str:
    """A percentage as the selectors give it (one decimal): 33.3."""
    return f"{value:.1f}"


def per_cent(value: float) -> str:
    # Translators: a percentage in running text; keep %(value)s.
    return _("%(value)s per cent") % {"value": pct(value)}


def long_date(value: datetime.date) -> str:
    # Translators: a Django date format (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date):
    # "31 January 2026"; in Chinese "Y年n月j日".
    return dateformat.format(value, _("j F Y"))


def _chinese(data: SessionReport) -> bool:
    return data.language.startswith("zh")


def _name(data: SessionReport, row: dict) -> str:
    return row["name_zh"] if _chinese(data) else row["name_en"]


def _section_number(data: SessionReport, index: int) -> str:
    return f"{(CHINESE_NUMERALS if _chinese(data) else ROMAN)[index]}."


def _annex_number(data: SessionReport, index: int) -> str:
    # Translators: the heading of an annex: "Annex I", "Annex II".
    return _("Annex %(number)s") % {
        "number": (CHINESE_NUMERALS if _chinese(data) else ROMAN)[index]
    }


# Styles -------------------------------------------------------------------------------


def _set_fonts(rpr, *, east_asian_language: str | None) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    if east_asian_language:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), east_asian_language)


def _setup_styles(document, data: SessionReport) -> None:
    language = "zh-CN" if _chinese(data) else None
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, east_asian_language=language)
    for style in document.styles:
        element = style.element.find(qn("w:rPr"))
        if element is not None and element.find(qn("w:rFonts")) is not None:
            _set_fonts(element, east_asian_language=language)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5 if _chinese(data) else 10)
    _set_fonts(normal.element.get_or_add_rPr(), east_asian_language=language)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Heading 1", 12), ("Heading 2", 11), ("Title", 16), ("Subtitle", 12)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = name != "Subtitle"
        style.font.italic = False
        _set_fonts(style.element.get_or_add_rPr(), east_asian_language=language)
    document.styles["List Number"].paragraph_format.space_after = Pt(6)
    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(2.5))
        section.top_margin = section.bottom_margin = Cm(2.5)
        _page_number_footer(section)


def _table_text_style(document):
    """ "Table Text": Normal, smaller and without space after, for table cells."""
    style = document.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(8)
    style.paragraph_format.space_after = Pt(0)
    return style


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE …) in a run: begin, instruction, separate, result, end."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _page_number_footer(section) -> None:
    section.footer.is_linked_to_previous = False
    paragraph = section.footer.paragraphs[0]
    paragraph.text = ""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, " PAGE ", "1")


# Building blocks ----------------------------------------------------------------------


class _Writer:
    def __init__(self, data: SessionReport) -> None:
        self.data = data
        self.document = Document()
        _setup_styles(self.document, data)
        self.sections = 0
        self.tables = 0
        self.figures = 0
        self.deadline_table: dict[int, int] = {}  # a part's index -> its table of deadlines
        self.cell_style = _table_text_style(self.document)

    def heading(self, title: str) -> None:
        number = _section_number(self.data, self.sections)
        self.sections += 1
        self.document.add_heading(f"{number}\t{title}", level=1)

    def paragraph(self, text: str) -> None:
        """A numbered paragraph (1., 2. … through the whole document)."""
        self.document.add_paragraph(text, style="List Number")

    def plain(self, text: str, *, style: str | None = None, bold: bool = False, align=None):
        paragraph = self.document.add_paragraph(style=style)
        paragraph.add_run(text).bold = bold or None
        if align is not None:
            paragraph.alignment = align
        return paragraph

    def caption(self, kind: str, title: str) -> None:
        if kind == "table":
            self.tables += 1
            # Translators: a table's number in its caption: "Table 1".
            label = _("Table %(number)s") % {"number": self.tables}
        else:
            self.figures += 1
            # Translators: a chart's number in its caption: "Figure I".
            label = _("Figure %(number)s") % {"number": ROMAN[self.figures - 1]}
        paragraph = self.document.add_paragraph(style="Caption")
        paragraph.add_run(label).bold = True
        paragraph.add_run().add_break()
        paragraph.add_run(title)
        paragraph.paragraph_format.keep_with_next = True

    def table(
        self, headers: list[str], rows: Iterable[list[str]], *, widths=None, width=16.0
    ) -> None:
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        table.autofit = False
        for cell, text in zip(header.cells, headers, strict=True):
            cell.paragraphs[0]._p.style = self.cell_style.style_id
            cell.paragraphs[0].add_run(text).bold = True
        if widths is None:
            widths = column_widths(headers, width)
        for column, size in zip(table.columns, widths, strict=True):
            column.width = Cm(size)
        for tc, size in zip(header._tr.tc_lst, widths, strict=True):
            tc.width = Cm(size)
        twips = [int(Cm(size).twips) for size in widths]
        for values in rows:
            table._tbl.append(_row(values, twips, self.cell_style.style_id))
        self.document.add_paragraph()

    def picture(self, png: bytes) -> None:
        self.document.add_picture(io.BytesIO(png), width=Cm(16))
        self.document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def landscape(self) -> None:
        section = self.document.add_section()
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        _page_number_footer(section)


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _row(values: list[str], twips: list[int], style_id: str):
    """A table row (w:tr) of plain text cells, numbers right-aligned, parsed from XML in
    one go: python-docx's row and cell objects cost milliseconds per cell, too much for
    an annex of hundreds of rows."""
    cells = []
    for index, (text, width) in enumerate(zip(values, twips, strict=True)):
        align = '<w:jc w:val="right"/>' if index and _numeric(text) else ""
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr>'
            f'<w:pStyle w:val="{style_id}"/>{align}</w:pPr><w:r><w:t xml:space="preserve">'
            f"{escape(text.translate(_CONTROL))}</w:t></w:r></w:p></w:tc>"
        )
    return parse_xml(f"<w:tr {nsdecls('w')}>{''.join(cells)}</w:tr>")


# Bold 8-point Times: at most about 0.2 cm a Latin letter, 0.3 cm a Chinese character; a
# cell's margins about 0.45 cm.
_LETTER_CM, _HAN_CM, _PADDING_CM, _MIN_CM, _FIRST_MIN_CM = 0.2, 0.3, 0.45, 1.2, 2.6


def _longest_word_cm(text: str) -> float:
    """The width a header needs: its longest Latin word unbroken, or (Chinese breaks
    between any two characters) half its characters, so that it takes two lines."""
    widths = [len(word) * _LETTER_CM for word in text.split() if word.isascii()]
    if not text.isascii():
        widths.append(-(-len(text) // 2) * _HAN_CM)
    return max(widths, default=0.0)


def column_widths(headers: list[str], total: float) -> list[float]:
    """Column widths (cm) summing to `total`: each figure column as wide as its header's
    longest word (no word is broken inside, "Recommen|dations"), the first column (the
    names) the rest."""
    figures = [max(_MIN_CM, _longest_word_cm(text) + _PADDING_CM) for text in headers[1:]]
    first = total - sum(figures)
    if first < _FIRST_MIN_CM:  # too many columns: all narrower alike
        scale = (total - _FIRST_MIN_CM) / sum(figures)
        figures = [size * scale for size in figures]
        first = _FIRST_MIN_CM
    return [first, *figures]


def _numeric(text: str) -> bool:
    """A figure (right-aligned), or the dash standing for none."""
    return text == "—" or (bool(text) and text.replace(",", "").replace(".", "").isdigit())


def _parts(data: SessionReport) -> list[tuple[Part, Callable[[str], str]]]:
    """Each part with a function that prefixes its sentences with the part's heading
    when there are several."""
    several = len(data.parts) > 1
    colon = "：" if _chinese(data) else ": "  # punctuation, not words: nothing to translate
    return [
        (
            part,
            (lambda text, h=part.heading: f"{h}{colon}{text}") if several else (lambda text: text),
        )
        for part in data.parts
    ]


# The document -------------------------------------------------------------------------


def build(data: SessionReport):
    """The python-docx Document of the session report."""
    writer = _Writer(data)
    _cover(writer, data)
    _introduction(writer, data)
    _by_theme(writer, data)
    _states(writer, data)
    _verified(writer, data)
    _overdue(writer, data)
    _no_follow_up(writer, data)
    _conclusion(writer, data)
    _annex_recommendations(writer, data)
    _annex_states(writer, data)
    return writer.document


def write_docx(data: SessionReport, path: Path) -> None:
    build(data).save(str(path))


def _body(data: SessionReport) -> str:
    # Translators: how the report names the governing body when none is chosen.
    return data.body_name or _("the governing bodies")


def _cover(w: _Writer, data: SessionReport) -> None:
    w.plain(_body(data), bold=True)
    if data.session_name:
        w.plain(data.session_name)
    if data.session_date:
        # Translators: the cover's line under the session's name.
        w.plain(_("Beginning %(date)s") % {"date": long_date(data.session_date)})
    for item in data.agenda:
        # Translators: the cover's agenda line: "Item 3 of the provisional agenda".
        w.plain(_("Item %(item)s of the provisional agenda") % {"item": item.item})
        if item.title:
            w.plain(item.title, bold=True)
    w.plain("")
    w.plain(
        # Translators: the report's title; %(body)s is the governing body's name.
        _("Implementation of the recommendations addressed to the %(body)s")
        % {"body": _body(data)},
        style="Title",
    )
    w.plain(_("Report of the Secretariat"), style="Subtitle")
    w.plain(long_date(data.as_of))
    w.document.add_heading(_("Summary"), level=1)
    for part, prefix in _parts(data):
        total = part.coverage["total"]
        follow_ups = sum(total["status_counts"].values())
        w.plain(
            prefix(
                _(
                    "The present report reviews the implementation of the recommendations "
                    "as at %(date)s. Recommendations: %(recommendations)s; reported on by "
                    "at least one Member State: %(covered)s (%(coverage)s); Member States "
                    "reporting: %(states)s. Follow-ups reported: %(follow_ups)s, of which "
                    "implemented: %(implemented)s (verified by the Secretariat: "
                    "%(verified)s). Overdue recommendations: %(overdue)s; recommendations "
                    "with no follow-up at all: %(no_follow_up)s."
                )
                % {
                    "recommendations": number(total["recommendations"]),
                    "date": long_date(data.as_of),
                    "covered": number(total["covered"]),
                    "coverage": per_cent(total["coverage_pct"]),
                    "states": number(total["states_reporting"]),
                    "follow_ups": number(follow_ups),
                    "implemented": number(total["status_counts"]["implemented"]),
                    "verified": number(total["verified_implemented"]),
                    "overdue": number(total["overdue"]),
                    "no_follow_up": number(part.no_follow_up),
                }
            )
        )
    w.page_break()


def _introduction(w: _Writer, data: SessionReport) -> None:
    w.heading(_("Introduction"))
    w.paragraph(
        _(
            "The present report informs the %(body)s of the implementation of the "
            "recommendations addressed to it, as recorded by the Secretariat as at %(date)s. "
            "Withdrawn recommendations are not counted."
        )
        % {"body": _body(data), "date": long_date(data.as_of)}
    )
    if data.reports:
        w.paragraph(
            _("It covers the recommendations of the following reports: %(reports)s.")
            % {"reports": get_text_list(data.reports, _("and"))}
        )
    w.paragraph(
        _(
            "A recommendation is covered when at least one Member State has reported on it. "
            "Implementation reported by a Member State is counted as claimed until the "
            "Secretariat has verified it. A recommendation is open until a Member State "
            "reports a final status on it (implemented, not implemented or not applicable), "
            "and overdue when it is open after its due date."
        )
    )


def _theme_rows(part: Part) -> list[dict]:
    """The theme rows and the "No theme" row that hold recommendations."""
    rows = [*part.coverage["themes"], part.coverage["unthemed"]]
    return [row for row in rows if row["recommendations"]]


def _by_theme(w: _Writer, data: SessionReport) -> None:
    w.heading(_("Coverage and implementation by theme"))
    for part, prefix in _parts(data):
        total = part.coverage["total"]
        w.paragraph(
            prefix(
                _(
                    "Member States reported on %(covered)s of the %(recommendations)s "
                    "recommendations (%(coverage)s). Of the %(follow_ups)s follow-ups "
                    "reported, %(implemented)s report implementation (%(implemented_pct)s)."
                )
                % {
                    "covered": number(total["covered"]),
                    "recommendations": number(total["recommendations"]),
                    "coverage": per_cent(total["coverage_pct"]),
                    "follow_ups": number(sum(total["status_counts"].values())),
                    "implemented": number(total["status_counts"]["implemented"]),
                    "implemented_pct": per_cent(total["implemented_pct"]),
                }
            )
        )
        for row in _theme_rows(part):
            w.paragraph(
                prefix(
                    _(
                        "%(theme)s: %(covered)s of %(recommendations)s recommendations "
                        "covered (%(coverage)s); %(implemented)s of %(follow_ups)s follow-ups "
                        "report implementation (%(implemented_pct)s)."
                    )
                    % {
                        "theme": _name(data, row),
                        "covered": number(row["covered"]),
                        "recommendations": number(row["recommendations"]),
                        "coverage": per_cent(row["coverage_pct"]),
                        "implemented": number(row["status_counts"]["implemented"]),
                        "follow_ups": number(sum(row["status_counts"].values())),
                        "implemented_pct": per_cent(row["implemented_pct"]),
                    }
                )
            )
    for index, (part, prefix) in enumerate(_parts(data)):
        rows = [*part.coverage["themes"], part.coverage["unthemed"], part.coverage["total"]]
        # Two tables of figures by theme, each narrow enough for a portrait page with no
        # header word broken inside.
        w.caption("table", prefix(_("Coverage by theme")))
        w.table(
            [
                _("Theme"),
                _("Recommendations"),
                _("Covered"),
                _("Coverage (%)"),
                _("States reporting"),
            ],
            (
                [
                    _name(data, row),
                    number(row["recommendations"]),
                    number(row["covered"]),
                    pct(row["coverage_pct"]),
                    number(row["states_reporting"]),
                ]
                for row in rows
            ),
        )
        w.caption("table", prefix(_("Implementation and deadlines by theme")))
        w.deadline_table[index] = w.tables
        w.table(
            [
                _("Theme"),
                _("Implemented (%)"),
                _("Verified"),
                _("Claimed, not verified"),
                _("Overdue"),
                _("Median age of open (days)"),
            ],
            (
                [
                    _name(data, row),
                    pct(row["implemented_pct"]),
                    number(row["verified_implemented"]),
                    number(row["unverified_implemented"]),
                    number(row["overdue"]),
                    "—" if row["median_age_open"] is None else number(row["median_age_open"]),
                ]
                for row in rows
            ),
        )
        w.caption("table", prefix(_("Follow-ups by status and theme")))
        w.table(
            [_("Theme"), *(data.status_labels[s] for s in STATUS_CODES), _("Total")],
            (
                [
                    _name(data, row),
                    *(number(row["status_counts"][s]) for s in STATUS_CODES),
                    number(sum(row["status_counts"].values())),
                ]
                for row in rows
            ),
        )
        if data.charts:
            themes = part.coverage["themes"]
            names = {row["code"]: _name(data, row) for row in themes}
            w.caption("figure", prefix(_("Coverage by theme (per cent of recommendations)")))
            w.picture(charts.coverage_png(themes, names, _("Coverage (%)")))
            w.caption("figure", prefix(_("Follow-ups by status and theme")))
            w.picture(
                charts.status_png(themes, names, data.status_labels, _("Follow-ups reported"))
            )


def _states(w: _Writer, data: SessionReport) -> None:
    w.heading(_("Reporting by Member States"))
    for part, prefix in _parts(data):
        total = part.coverage["total"]
        count = total["states_reporting"]
        w.paragraph(
            prefix(
                ngettext(
                    "%(count)s Member State reported on at least one recommendation.",
                    "%(count)s Member States reported on at least one recommendation.",
                    count,
                )
                % {"count": number(count)}
            )
        )
    w.paragraph(
        _(
            "Annex II gives, for each Member State, the share of each theme's "
            "recommendations on which it reported, and the recommendations past their due "
            "date that it has not closed."
        )
    )


def _verified(w: _Writer, data: SessionReport) -> None:
    w.heading(_("Verified and claimed implementation"))
    for part, prefix in _parts(data):
        total = part.coverage["total"]
        w.paragraph(
            prefix(
                _(
                    "Member States reported %(implemented)s follow-ups as implemented: "
                    "%(verified)s verified by the Secretariat and %(claimed)s claims awaiting "
                    "verification."
                )
                % {
                    "implemented": number(total["status_counts"]["implemented"]),
                    "verified": number(total["verified_implemented"]),
                    "claimed": number(total["unverified_implemented"]),
                }
            )
        )


def _overdue(w: _Writer, data: SessionReport) -> None:
    w.heading(_("Overdue recommendations"))
    for index, (part, prefix) in enumerate(_parts(data)):
        total = part.coverage["total"]
        text = ngettext(
            "As at %(date)s, %(overdue)s recommendation was overdue: its due date had "
            "passed and no Member State had reported a final status on it.",
            "As at %(date)s, %(overdue)s recommendations were overdue: their due date had "
            "passed and no Member State had reported a final status on them.",
            total["overdue"],
        ) % {"date": long_date(data.as_of), "overdue": number(total["overdue"])}
        if total["median_age_open"] is not None:
            text += " " + _("Open recommendations were a median of %(age)s days old.") % {
                "age": number(total["median_age_open"])
            }
        w.paragraph(prefix(text))
        rows = [row for row in _theme_rows(part) if row["overdue"]]
        if rows:
            most = max(rows, key=lambda row: row["overdue"])
            w.paragraph(
                prefix(
                    _(
                        "The theme with the most overdue recommendations is %(theme)s "
                        "(%(overdue)s); table %(table)s gives them by theme."
                    )
                    % {
                        "theme": _name(data, most),
                        "overdue": number(most["overdue"]),
                        "table": w.deadline_table[index],
                    }
                )
            )


def _no_follow_up(w: _Writer, data: SessionReport) -> None:
    w.heading(_("Recommendations with no follow-up"))
    for part, prefix in _parts(data):
        total = part.coverage["total"]
        w.paragraph(
            prefix(
                _(
                    "No Member State had reported on %(count)s of the %(recommendations)s "
                    "recommendations."
                )
                % {
                    "count": number(part.no_follow_up),
                    "recommendations": number(total["recommendations"]),
                }
            )
        )
        neglected = [_name(data, row) for row in _theme_rows(part) if is_neglected(row)]
        if neglected:
            w.paragraph(
                prefix(
                    _("No follow-up at all was reported under %(themes)s.")
                    % {"themes": get_text_list(neglected, _("and"))}
                )
            )


def _conclusion(w: _Writer, data: SessionReport) -> None:
    w.heading(_("Conclusion"))
    w.paragraph(
        _(
            "The %(body)s may wish to take note of the present report and to encourage "
            "Member States to report on the recommendations on which they have not yet "
            "reported, in particular those that are overdue."
        )
        % {"body": _body(data)}
    )


def _annex_recommendations(w: _Writer, data: SessionReport) -> None:
    w.landscape()
    w.document.add_heading(_annex_number(data, 0), level=1)
    w.plain(_("Recommendations and the follow-up reported"), style="Heading 2")
    if data.annex_limit is not None and data.annex_total > len(data.annex):
        w.plain(
            _(
                "The annex lists the first %(shown)s of the %(total)s recommendations, in "
                "report order; the Secretariat's tracker holds the complete list."
            )
            % {"shown": number(len(data.annex)), "total": number(data.annex_total)}
        )
    if not data.annex:
        w.plain(_("There is no recommendation in this scope."))
        return
    w.table(
        [
            _("Report"),
            _("Recommendation"),
            _("Text"),
            _("States reporting"),
            *(data.status_labels[s] for s in STATUS_CODES),
        ],
        (
            [
                row.report,
                row.label,
                row.text,
                number(row.states_reporting),
                *(number(row.status_counts[s]) for s in STATUS_CODES),
            ]
            for row in data.annex
        ),
        widths=[3.4, 1.6, 9.7, 1.6, *([1.6] * len(STATUS_CODES))],
    )


def _annex_states(w: _Writer, data: SessionReport) -> None:
    w.page_break()
    w.document.add_heading(_annex_number(data, 1), level=1)
    w.plain(_("Reporting by Member State"), style="Heading 2")
    w.plain(
        _(
            "Share of each theme's recommendations on which the Member State reported (per "
            "cent), in all themes, and the recommendations past their due date that it has "
            "not closed."
        )
    )
    for part in data.parts:
        if part.heading:
            w.plain(part.heading, style="Heading 2")
        states = part.coverage.get("states") or []
        if not states:
            w.plain(_("No Member State has reported in this scope."))
            continue
        themes = part.coverage["themes"]
        w.table(
            [
                _("Member State"),
                *(_name(data, theme) for theme in themes),
                _("All themes"),
                _("Overdue"),
            ],
            (
                [
                    _name(data, state),
                    *(pct(state["themes"][theme["code"]]) for theme in themes),
                    pct(state["total"]),
                    number(state["overdue"]),
                ]
                for state in states
            ),
            width=24.7,
        )
