"""Structure of a report: sections, numbered paragraphs, lettered items, theme headings."""

import re
from dataclasses import dataclass, field

from .errors import ParseError
from .metadata import BODY_CODES, parse_metadata
from .model import ParsedRecommendation, ParsedReport, ThemeAssignment
from .sdg import extract_sdg_targets
from .text import CJK, SENTENCE_END, clean, join_lines, normalise
from .themes import Taxonomy

_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_SECTION = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.{0,60}?)\s*$")
_PARAGRAPH = re.compile(r"^\s*(\d{1,3})\s*[.．](?!\d)\s*(.*)$")
_ITEM = re.compile(r"^\s*[（(]([a-z])[)）]\s*(.*)$")
_LETTER_HEADING = re.compile(r"^\s*[A-Z]\s*[.．]\s*(\S.{0,40})$")
_SECTION_END = re.compile(r"^\s*(?:注|附注|尾注|附件[一二三四五六七八九十]*|Annex(?:es)?)\s*$")
_INNER_PUNCT = re.compile(r"[，。；：:;,！？!?]")
_CONNECTOR = re.compile(r"^(?:因此|此外|另外|最后|为此|鉴此|鉴于上述情况|有鉴于此)[，,]\s*")
_RECOMMENDING = re.compile(
    r"不妨|似[还亦也]?宜|谨建议|建议|促请|吁请|敦促|鼓励|请会员国|请各会员国|应考虑"
)
_CHAPEAU = re.compile(r"(?:以下|下列)(?:各项)?建议[。：:]?$")
_ADDRESSEE = re.compile(
    r"^(.*?(?:不妨|似[还亦也]?宜|谨建议|建议|促请|吁请|敦促|鼓励)(?:考虑)?(?:请|鼓励|促请|吁请)?(?:各?会员国)?)"
)
_RECOMMENDATION_TITLES = ("建议", "结论")
_MAX_PARAGRAPH_GAP = 3
_MIN_CJK = 30


def _numeral(text: str) -> int:
    """一 … 九十九 to an int."""
    if text.startswith("十"):
        text = "一" + text
    if "十" in text:
        tens, _, units = text.partition("十")
        return _NUMERALS.get(tens, 0) * 10 + _NUMERALS.get(units, 0)
    return _NUMERALS.get(text, 0)


@dataclass
class _Item:
    letter: str
    line: int
    lines: list[str] = field(default_factory=list)


@dataclass
class _Paragraph:
    number: int
    line: int
    heading: str
    lines: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)

    def add(self, text: str) -> None:
        (self.items[-1].lines if self.items else self.lines).append(text)


@dataclass
class _Section:
    number: int
    title: str
    line: int
    end: int | None = None


@dataclass
class _Scan:
    sections: list[_Section] = field(default_factory=list)
    paragraphs: list[_Paragraph] = field(default_factory=list)
    headings: dict[int, str] = field(default_factory=dict)


def _next_content(lines: list[str], index: int) -> str:
    for line in lines[index + 1 :]:
        if line.strip():
            return line
    return ""


def _is_short_title(text: str) -> bool:
    compact = normalise(text)
    return 0 < len(compact) <= 40 and not _INNER_PUNCT.search(compact)


def _scan(lines: list[str]) -> _Scan:
    scan = _Scan()
    paragraph: _Paragraph | None = None
    heading = ""
    last_number = 0
    previous = ""  # the previous non-blank line, as written

    def starts_paragraph(text: str) -> bool:
        match = _PARAGRAPH.match(text)
        return bool(match) and last_number < int(match.group(1)) <= last_number + _MAX_PARAGRAPH_GAP

    for index, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        section = _SECTION.match(text)
        expected_section = scan.sections[-1].number + 1 if scan.sections else None
        if section and (expected_section is None or _numeral(section.group(1)) == expected_section):
            if scan.sections and scan.sections[-1].end is None:
                scan.sections[-1].end = index
            scan.sections.append(
                _Section(_numeral(section.group(1)), normalise(section.group(2)), index + 1)
            )
            paragraph, heading = None, ""
        elif _SECTION_END.match(text):
            if scan.sections and scan.sections[-1].end is None:
                scan.sections[-1].end = index
            paragraph = None
        elif starts_paragraph(text):
            match = _PARAGRAPH.match(text)
            last_number = int(match.group(1))
            paragraph = _Paragraph(last_number, index + 1, heading, [match.group(2)])
            scan.paragraphs.append(paragraph)
        elif (
            paragraph is not None
            and (item := _ITEM.match(text))
            and item.group(1) == chr(ord("a") + len(paragraph.items))
        ):
            paragraph.items.append(_Item(item.group(1), index + 1, [item.group(2)]))
        elif (letter := _LETTER_HEADING.match(text)) and _is_short_title(letter.group(1)):
            heading = normalise(letter.group(1))
            scan.headings[index + 1] = heading
            paragraph = None
        elif (
            _is_short_title(text)
            and (not previous or previous.rstrip()[-1] in SENTENCE_END or _SECTION.match(previous))
            and starts_paragraph(_next_content(lines, index).strip())
        ):
            heading = normalise(text)
            scan.headings[index + 1] = heading
            paragraph = None
        elif paragraph is not None:
            paragraph.add(text)
        previous = text
    return scan


def _recommendation_section(scan: _Scan) -> _Section | None:
    for wanted in _RECOMMENDATION_TITLES:
        matching = [section for section in scan.sections if wanted in section.title]
        if matching:
            return matching[-1]
    return None


def _lead_clause(text: str) -> str:
    return re.split(r"[，。；：:,;]", _CONNECTOR.sub("", text), maxsplit=1)[0]


def _addressee_bodies(addressee: str, report_bodies: list[str]) -> tuple[str, ...]:
    compact = addressee.replace(" ", "")
    codes = [code for name, code in BODY_CODES.items() if name in compact]
    if not codes and "委员会" in compact:
        commissions = [code for code in report_bodies if code in {"CND", "CCPCJ"}]
        codes = commissions if ("各委员会" in compact or len(commissions) == 1) else []
    return tuple(dict.fromkeys(codes))


def parse_report(text: str, *, taxonomy: Taxonomy | None = None) -> ParsedReport:
    """Parse the text of a UN report (extracted from PDF, or Markdown)."""
    taxonomy = taxonomy or Taxonomy.load()
    cleaned = clean(text)
    lines = cleaned.lines
    cjk = len(re.findall(f"[{CJK}]", text))
    if cjk < _MIN_CJK:
        raise ParseError(f"only {cjk} Chinese characters: expected the Chinese text of a UN report")
    scan = _scan(lines)
    if not scan.paragraphs:
        raise ParseError(
            "no numbered paragraphs ('1.', '2.' …) found: this does not look like a UN report"
        )
    header_end = scan.sections[0].line - 1 if scan.sections else scan.paragraphs[0].line - 1
    metadata = parse_metadata(
        lines[:header_end], cleaned.footnotes, is_markdown=cleaned.is_markdown
    )
    section = _recommendation_section(scan)
    if section is None:
        return ParsedReport(metadata=metadata, section_title=None)

    report_bodies = [body.code for body in metadata.bodies if body.code]
    end = section.end if section.end is not None else len(lines)
    recommendations: list[ParsedRecommendation] = []
    for paragraph in scan.paragraphs:
        if not section.line <= paragraph.line <= end:
            continue
        lead = join_lines(paragraph.lines)
        if not _RECOMMENDING.search(_lead_clause(lead)):
            continue  # a conclusion that only describes
        if not paragraph.items and _CHAPEAU.search(lead):
            continue  # introduces the recommendations that follow
        if paragraph.items:
            addressee = lead.rstrip("：: ")
            parts = [(item.letter, join_lines(item.lines), item.line) for item in paragraph.items]
        else:
            match = _ADDRESSEE.match(_CONNECTOR.sub("", lead))
            addressee = match.group(1) if match else ""
            parts = [("", lead, paragraph.line)]
        bodies = _addressee_bodies(addressee, report_bodies)
        heading_theme = taxonomy.for_heading(paragraph.heading) if paragraph.heading else None
        for letter, body_text, line_number in parts:
            if heading_theme:
                themes = (ThemeAssignment(heading_theme, "heading"),)
            else:
                themes = tuple(
                    ThemeAssignment(code, "rule") for code in taxonomy.by_keywords(body_text)
                )
            recommendations.append(
                ParsedRecommendation(
                    paragraph=str(paragraph.number),
                    item=letter,
                    text=body_text,
                    addressee=addressee,
                    heading=paragraph.heading,
                    position=len(recommendations) + 1,
                    line=line_number,
                    themes=themes,
                    sdg_targets=extract_sdg_targets(body_text),
                    bodies=bodies,
                )
            )
    return ParsedReport(
        metadata=metadata,
        recommendations=tuple(recommendations),
        section_title=section.title,
    )
