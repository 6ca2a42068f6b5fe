"""Structure of a report: sections, numbered paragraphs, lettered items, headings.

The scanner is shared by every language; what differs (numerals, section words,
recommending formulas) comes from the report's language profile (languages/).

Labels: "57" is paragraph 57; "62(a)" item (a) of paragraph 62; "29/2(b)" item (b)
under the second unnumbered sub-heading of paragraph 29 (lettering that restarts
under sub-headings); "4.2" point 2 of "Recommendation 4" in an evaluation report.
"""

import re
from dataclasses import dataclass, field, replace

from .decoding import read_source
from .errors import ParseError
from .languages import LanguageProfile, detect_language, get_profile
from .model import ParsedRecommendation, ParsedReport, ThemeAssignment
from .sdg import extract_sdg_targets
from .text import clean
from .themes import Taxonomy

_PARAGRAPH = re.compile(r"^\s*(\d{1,3})\s*[.．](?!\d)\s*(.*)$")
_ITEM = re.compile(r"^\s*[（(]([a-z])[)）]\s*(.*)$")
_POINT = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s+(\S.*)$")
_ROMAN_ITEM = re.compile(r"^\s*[（(]([ivx]{1,5})[)）]")
_MAX_PARAGRAPH_GAP = 3
_MAX_LETTER_SKIP = 2


@dataclass
class _Item:
    letter: str
    line: int
    group: int = 0
    lines: list[str] = field(default_factory=list)


@dataclass
class _Paragraph:
    number: str
    line: int
    heading: str
    lines: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    is_block: bool = False  # "Recommendation 4." in an evaluation report
    closed: bool = False  # after a block's "Management response"

    def add(self, text: str) -> None:
        if not self.closed:
            (self.items[-1].lines if self.items else self.lines).append(text)

    def current_group_items(self) -> list[_Item]:
        group = len(self.groups)
        return [item for item in self.items if item.group == group]


@dataclass
class _Section:
    number: int
    title: str
    line: int
    end: int | None = None
    is_annex: bool = False


@dataclass
class _Scan:
    sections: list[_Section] = field(default_factory=list)
    paragraphs: list[_Paragraph] = field(default_factory=list)


class _Scanner:
    """One pass over the cleaned lines, building sections, paragraphs and items."""

    def __init__(self, lines: list[str], profile: LanguageProfile) -> None:
        self.lines = lines
        self.profile = profile
        self.scan = _Scan()
        self.paragraph: _Paragraph | None = None
        self.heading = ""
        self.last_number = 0
        self.previous = ""  # the previous non-blank line
        self.blank_before = True
        self.contents = self._table_of_contents()
        self.skip_until = -1

    # -- helpers -------------------------------------------------------------------
    def _next_content(self, index: int) -> tuple[int, str]:
        for look in range(index + 1, len(self.lines)):
            if self.lines[look].strip():
                return look, self.lines[look].strip()
        return len(self.lines), ""

    def _heading_block(self, index: int) -> tuple[str, int]:
        """A heading and its wrapped continuation lines (up to a blank line)."""
        parts = [self.lines[index].strip()]
        last = index
        while len(parts) < self.profile.heading_lines and last + 1 < len(self.lines):
            following = self.lines[last + 1].strip()
            if not following or self._starts_structure(following):
                break
            after = self.lines[last + 2].strip() if last + 2 < len(self.lines) else ""
            if after and not self._starts_structure(after):
                break  # a heading is followed by space or by the text's structure
            if len(following) > self.profile.max_title_length:
                break
            parts.append(following)
            last += 1
        return self.profile.join_lines(parts), last

    def _starts_structure(self, text: str) -> bool:
        return bool(
            _PARAGRAPH.match(text)
            or _ITEM.match(text)
            or self.profile.section.match(text)
            or (self.profile.block and self.profile.block.match(text))
        )

    def _is_title(self, text: str) -> bool:
        profile = self.profile
        compact = profile.normalise(text)
        if not 0 < len(compact) <= profile.max_title_length:
            return False
        if compact[-1] in profile.sentence_end or compact[-1] in ",，、":
            return False
        return bool(profile.title.search(compact))

    def _table_of_contents(self) -> set[int]:
        """Lines of a table of contents: headings with dot leaders or a page number."""
        profile = self.profile
        entries: set[int] = set()
        headings: list[tuple[int, str]] = []
        for index, line in enumerate(self.lines):
            text = line.strip()
            if text and (profile.section.match(text) or profile.annex.match(text)):
                headings.append((index, text))
        for index, text in headings:
            suffix = profile.table_of_contents.search(text)
            if not suffix:
                continue
            if re.search(r"\.\s?\.\s?\.\s?\.", text):
                entries.add(index)
                continue
            key = text[: suffix.start()].strip()[:40]
            if any(
                later > index and other.startswith(key) and other != text
                for later, other in headings
            ):
                entries.add(index)
        return entries

    def _starts_paragraph(self, text: str) -> re.Match | None:
        match = _PARAGRAPH.match(text)
        if match and self.last_number < int(match.group(1)) <= (
            self.last_number + _MAX_PARAGRAPH_GAP
        ):
            return match
        return None

    def _close_section(self, index: int) -> None:
        if self.scan.sections and self.scan.sections[-1].end is None:
            self.scan.sections[-1].end = index

    def _open_section(self, number: int, title: str, line: int, *, is_annex: bool) -> None:
        self._close_section(line - 1)
        self.scan.sections.append(_Section(number, title, line, is_annex=is_annex))
        self.paragraph, self.heading = None, ""
        if is_annex or number == 1:
            self.last_number = 0  # an annexed report numbers its paragraphs afresh

    # -- items -----------------------------------------------------------------------
    def _roman_point(self, index: int, letter: str) -> bool:
        """Whether "(i)" (or "(v)", "(x)") opens nested points rather than a letter."""
        if letter not in "ivx":
            return False
        for look in range(index + 1, min(index + 40, len(self.lines))):
            text = self.lines[look].strip()
            if not text:
                continue
            roman = _ROMAN_ITEM.match(text)
            if roman and len(roman.group(1)) > 1:
                return True  # "(ii)" follows
            if _ITEM.match(text) or _PARAGRAPH.match(text):
                return False
        return False

    def _accepts_item(self, index: int, letter: str) -> bool:
        paragraph = self.paragraph
        current = paragraph.current_group_items()
        expected = chr(ord(current[-1].letter) + 1) if current else "a"
        if letter == expected:
            return not (letter == "i" and self._roman_point(index, letter) and not current)
        if current and 0 < ord(letter) - ord(expected) <= _MAX_LETTER_SKIP:
            # A letter is missing in the source ("(b)" then "(d)"): the item is still
            # its own item, never folded into the one before it.
            return not self._roman_point(index, letter)
        return False

    # -- the pass --------------------------------------------------------------------
    def run(self) -> _Scan:
        for index, line in enumerate(self.lines):
            text = line.strip()
            if not text:
                self.blank_before = True
                continue
            if index > self.skip_until:
                self._line(index, text)
            self.previous = text
            self.blank_before = False
        return self.scan

    def _line(self, index: int, text: str) -> None:
        profile = self.profile
        section = profile.section.match(text)
        if section and index not in self.contents:
            number = profile.section_number(section.group(1))
            expected = self.scan.sections[-1].number + 1 if self.scan.sections else None
            if number and (expected is None or number in (expected, 1)):
                title, last = self._heading_block(index)
                title = (profile.section.match(title) or section).group(2)
                self._open_section(number, profile.normalise(title), index + 1, is_annex=False)
                self.skip_until = last
                return
        annex = profile.annex.match(text)
        if annex and index not in self.contents and (self.blank_before or not self.previous):
            title, last = self._heading_block(index)
            annex = profile.annex.match(title) or annex
            self._open_section(
                0, profile.normalise(annex.group("title") or ""), index + 1, is_annex=True
            )
            self.skip_until = last
            return
        if profile.section_end.match(text):
            self._close_section(index)
            self.paragraph = None
            return
        if profile.block and (block := profile.block.match(text)):
            number = block.group(1)
            self.paragraph = _Paragraph(number, index + 1, self.heading, is_block=True)
            if block.group(2):
                self.paragraph.lines.append(block.group(2))
            self.scan.paragraphs.append(self.paragraph)
            return
        paragraph = self.paragraph
        if paragraph is not None and paragraph.is_block:
            if profile.block_end and profile.block_end.match(text):
                paragraph.closed = True
                return
            point = _POINT.match(text)
            if point and point.group(1) == paragraph.number and not paragraph.closed:
                paragraph.items.append(_Item(point.group(2), index + 1, 0, [point.group(3)]))
                return
            if paragraph.closed:
                return
        if match := self._starts_paragraph(text):
            self.last_number = int(match.group(1))
            self.paragraph = _Paragraph(match.group(1), index + 1, self.heading, [match.group(2)])
            self.scan.paragraphs.append(self.paragraph)
            return
        if paragraph is not None and not paragraph.is_block and (item := _ITEM.match(text)):
            letter = item.group(1)
            if self._accepts_item(index, letter):
                group = len(paragraph.groups)
                paragraph.items.append(_Item(letter, index + 1, group, [item.group(2)]))
                return
        if (letter := profile.letter_heading.match(text)) and self._is_title(letter.group(1)):
            title, last = self._heading_block(index)
            heading = profile.letter_heading.match(title) or letter
            self.heading = profile.normalise(heading.group(1))
            self.paragraph = None
            self.skip_until = last
            return
        if self._is_title(text) and (self.blank_before or not profile.headings_need_space):
            title, last = self._heading_block(index)
            _, following = self._next_content(last)
            item = _ITEM.match(following)
            if (
                paragraph is not None
                and item
                and item.group(1) == "a"
                and (
                    paragraph.items
                    or (paragraph.lines and paragraph.lines[-1].rstrip().endswith((":", "：", ".")))
                )
            ):
                # An unnumbered sub-heading inside a paragraph; lettering restarts under it.
                paragraph.groups.append(profile.normalise(title))
                self.skip_until = last
                return
            previous_ends = (
                not self.previous
                or self.previous.rstrip()[-1] in (profile.sentence_end)
                or bool(profile.section.match(self.previous))
            )
            if previous_ends and self._starts_paragraph(following):
                self.heading = profile.normalise(title)
                self.paragraph = None
                self.skip_until = last
                return
        if paragraph is not None:
            paragraph.add(text)


def _join_bare_labels(lines: list[str], profile: LanguageProfile) -> list[str]:
    """ "I." / "Introduction", "1." / "The present report…": a number set alone on its
    line (as plain `pdftotext` prints a tabbed heading or paragraph) joins its text."""
    lines = list(lines)
    for index, line in enumerate(lines):
        label = line.strip()
        if not label or len(label) > 8:
            continue
        bare_section = profile.section.match(f"{label} X") and not profile.section.match(label)
        bare_paragraph = (match := _PARAGRAPH.match(label)) and not match.group(2)
        bare_item = (item := _ITEM.match(label)) and not item.group(2)
        if not (bare_section or bare_paragraph or bare_item):
            continue
        for look in range(index + 1, min(index + 4, len(lines))):
            following = lines[look].strip()
            if not following:
                continue
            if not _PARAGRAPH.match(following) and not _ITEM.match(following):
                lines[index] = f"{label} {following}"
                lines[look] = ""
            break
    return lines


def _recommendation_section(
    scan: _Scan, profile: LanguageProfile
) -> tuple[_Section | None, _Section | None]:
    """The section holding the report's recommendations, and one that was set aside."""
    excluded = [s for s in scan.sections if profile.excluded_titles.search(s.title)]
    candidates = [s for s in scan.sections if s not in excluded]
    for wanted in profile.recommendation_titles:
        matching = [section for section in candidates if wanted.search(section.title)]
        if matching:
            return matching[-1], None
    return None, (excluded[-1] if excluded else None)


def _has_signal(text: str, profile: LanguageProfile) -> bool:
    return bool(profile.recommending.search(profile.recommending_scope(text)))


def parse_report(
    text: str,
    *,
    taxonomy: Taxonomy | None = None,
    language: str | None = None,
    source_format: str | None = None,
    running_head: str | None = None,
) -> ParsedReport:
    """Parse the text of a UN report (extracted from PDF, or Markdown).

    The report's symbol is the one its cover page states, else the symbol printed at
    the head of its pages (running_head, as the PDF layer found it, or a symbol line
    repeated in the text); else None and the caller names the report by its file.
    """
    taxonomy = taxonomy or Taxonomy.load()
    profile = get_profile(language) if language else detect_language(text)
    if profile is None:
        raise ParseError(
            "no text in a supported language (Chinese or English) found: "
            "expected the text of a UN report"
        )
    cleaned = clean(text)
    lines = cleaned.lines
    scan = _Scanner(_join_bare_labels(lines, profile), profile).run()
    if not scan.paragraphs:
        raise ParseError(
            "no numbered paragraphs ('1.', '2.' …) found: this does not look like a UN report"
        )
    first_structure = min(
        [*[s.line for s in scan.sections if not s.is_annex][:1], scan.paragraphs[0].line]
    )
    metadata = profile.read_cover(
        lines[: first_structure - 1], cleaned.footnotes, cleaned.is_markdown
    )
    metadata = replace(
        metadata,
        symbol=metadata.symbol or running_head or cleaned.running_head,
        language=profile.code,
        source_format=source_format or ("markdown" if cleaned.is_markdown else "pdf-text"),
    )
    section, set_aside = _recommendation_section(scan, profile)
    if section is None:
        notes = ()
        if set_aside is not None:
            notes = (
                f"section «{set_aside.title}» holds decisions or recommendations of other "
                "bodies, not the report's own",
            )
        return ParsedReport(metadata=metadata, section_title=None, notes=notes)

    report_bodies = [body.code for body in metadata.bodies if body.code]
    end = section.end if section.end is not None else len(lines)
    recommendations: list[ParsedRecommendation] = []
    seen: set[str] = set()
    repeated: list[str] = []
    operative = 0
    for paragraph in scan.paragraphs:
        if not section.line <= paragraph.line <= end:
            continue
        lead = profile.join_lines(paragraph.lines)
        parts = _parts(paragraph, lead, profile)
        if parts is None:
            if profile.operative and profile.operative.match(lead):
                operative += 1
            continue
        addressee, items = parts
        bodies = profile.addressed_bodies(addressee, report_bodies)
        heading_theme = taxonomy.for_heading(paragraph.heading) if paragraph.heading else None
        for number, letter, body_text, line_number, heading, is_point in items:
            label = ParsedRecommendation.make_label(number, letter, is_point=is_point)
            if label in seen:
                # A label comes once: a repeat (a block heading printed again, a list
                # restarted without a sub-heading) is not a new recommendation.
                repeated.append(f"{label} (line {line_number})")
                continue
            seen.add(label)
            if heading_theme:
                themes = (ThemeAssignment(heading_theme, "heading"),)
            else:
                themes = tuple(
                    ThemeAssignment(code, "rule")
                    for code in taxonomy.by_keywords(body_text, language=profile.code)
                )
            recommendations.append(
                ParsedRecommendation(
                    paragraph=number,
                    item=letter,
                    text=body_text,
                    addressee=addressee,
                    heading=heading,
                    position=len(recommendations) + 1,
                    line=line_number,
                    themes=themes,
                    sdg_targets=extract_sdg_targets(body_text),
                    bodies=bodies,
                    is_point=is_point,
                )
            )
    notes: tuple[str, ...] = ()
    if operative and not recommendations:
        notes = (
            f"section «{section.title}» holds {operative} operative paragraphs of adopted "
            "resolutions, not recommendations",
        )
    if repeated:
        notes += (f"labels given again, read once: {', '.join(repeated)}",)
    return ParsedReport(
        metadata=metadata,
        recommendations=tuple(recommendations),
        section_title=section.title,
        notes=notes,
    )


def _parts(paragraph: _Paragraph, lead: str, profile: LanguageProfile):
    """(addressee, [(paragraph, item, text, line, heading, is_point)…]), or None."""
    join = profile.join_lines
    if paragraph.is_block:
        if paragraph.items:
            items = [
                (
                    paragraph.number,
                    item.letter,
                    join(item.lines),
                    item.line,
                    paragraph.heading,
                    True,
                )
                for item in paragraph.items
            ]
            return lead.rstrip(" :："), items
        if not lead:
            return None
        return "", [(paragraph.number, "", lead, paragraph.line, paragraph.heading, False)]
    if profile.operative and profile.operative.match(lead):
        return None  # an adopted resolution's operative paragraph
    item_texts = [join(item.lines) for item in paragraph.items]
    signal = _has_signal(lead, profile) or (
        profile.items_carry_signal and any(_has_signal(text, profile) for text in item_texts)
    )
    if not signal:
        return None  # a conclusion that only describes
    if not paragraph.items:
        if profile.chapeau.search(lead):
            return None  # introduces the recommendations that follow
        addressee = profile.addressee(lead)
        return addressee, [(paragraph.number, "", lead, paragraph.line, paragraph.heading, False)]
    items = []
    for item, text in zip(paragraph.items, item_texts, strict=True):
        number = paragraph.number
        heading = paragraph.heading
        if paragraph.groups:
            number = f"{paragraph.number}/{max(item.group, 1)}"
            heading = paragraph.groups[item.group - 1] if item.group else heading
        items.append((number, item.letter, text, item.line, heading, False))
    return profile.chapeau_addressee(lead), items


def parse_source(data: bytes, *, taxonomy: Taxonomy | None = None) -> ParsedReport:
    """Parse a report file's bytes: PDF, text or Markdown, recognised from the content."""
    source = read_source(data)
    return parse_report(
        source.text,
        taxonomy=taxonomy,
        source_format="pdf" if source.format == "pdf" else None,
        running_head=source.running_head,
    )
