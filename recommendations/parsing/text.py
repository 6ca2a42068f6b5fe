"""Line-level clean-up of extracted text: Markdown, page artefacts, footnotes, joining."""

import re
from collections.abc import Callable
from dataclasses import dataclass

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# Full-width punctuation and circled/parenthesised numerals used in UN Chinese texts.
CJK_PUNCT = (
    "，。；：、！？“”‘’《》〈〉（）【】〔〕「」『』—…－・\u3220-\u3229\u2474-\u2487\uff08\uff09"
)
_WIDE = f"{CJK}{CJK_PUNCT}"

SENTENCE_END = "。；：:;！？!?"

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_MD_ESCAPE = re.compile(r"\\+([\\*_\[\]()#.`>+\-!|])")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_SUP_TAG = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.IGNORECASE)
_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT = re.compile(f"[{_SUPERSCRIPT_DIGITS}]+")
_SUPERSCRIPT_MAP = str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789")

# A footnote body at the start of a line: "1 text", "* text", "<sup>2</sup> text", "³ text".
_MD_FOOTNOTE_LINE = re.compile(
    rf"^\s*(?:<sup>\s*(\d{{1,3}})\s*</sup>|([{_SUPERSCRIPT_DIGITS}]{{1,3}})|(\\\*{{1,3}}))\s*(\S.*)$"
    # An asterisk footnote that holds a document symbol ("* E/CN.15/2019/1。").
    r"|^\s*(\*{1,3})\s+([A-Z][A-Z0-9.]*(?:/[A-Z0-9.]+){2,}[。.]?)\s*$",
    re.IGNORECASE,
)
# A footnote's first line: its number and text, or (as `pdftotext -layout` sets it)
# the number alone on its line with the text on the lines below.
_PDF_FOOTNOTE_LINE = re.compile(r"^\s*(\d{1,3}|\*{1,3})(?:\s+(\S.*))?$")
# A footnote line that ends so is the footnote's last line.
_FOOTNOTE_END = ("。", ")", "）", ".")
_SEPARATOR = re.compile(r"^\s*(?:_{5,}|—{4,}|-{10,})\s*$")
_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")
# Page furniture, the one definition (the PDF layer, the text clean-up and the cover
# reader use it): running heads and footers hold a document symbol, a page number
# ("4/22", "18", "- 3 -") and a job number ("25-06905", "V.19-01234 (C)",
# "GE.25-06441", "25-11710 (E) 180825"), alone or together on one line; the cover adds
# the bar code ("*2511710*") and "Please recycle".
SYMBOL = r"[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.]+)+(?:\s*[-–—]\s*[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.]+)+)*"
_PAGE = r"(?:\d{1,4}\s*/\s*\d{1,4}|\d{1,4}|-\s*\d{1,4}\s*-)"
_JOB = r"(?:[A-Z]{1,2}\.)?\d{2}-\d{4,6}[A-Z]?(?:\s*\([A-Z]\))?(?:\s+\d{6})?"
_BARCODE = r"\*\d{5,}[A-Z]?\*"
_RECYCLE = r"(?i:Please\s+recycle|Prière\s+de\s+recycler|Sírvase\s+reciclar)|请回收"
FOLIO_TOKEN = rf"(?:{_PAGE}|{_JOB}|{_BARCODE}|{_RECYCLE})"
FURNITURE_TOKEN = rf"(?:{SYMBOL}|{FOLIO_TOKEN})"
PAGE_FURNITURE = re.compile(rf"^\s*(?:{FURNITURE_TOKEN}\s*)+$")
FOLIO = re.compile(rf"^\s*(?:{FOLIO_TOKEN}\s*)+$")  # furniture other than a symbol
SYMBOL_LINE = re.compile(r"^\s*[A-Z][A-Z0-9.]*(?:/[A-Z0-9.]+){2,}(?:-[A-Z0-9./]+)?\s*$")


@dataclass(frozen=True)
class Footnote:
    label: str  # "1", "*", "**"
    text: str
    line: int  # 1-based line of the footnote body


@dataclass
class CleanText:
    """Lines after clean-up; index i holds source line i+1 ("" for removed lines)."""

    lines: list[str]
    footnotes: list[Footnote]
    is_markdown: bool
    running_head: str | None = None  # a symbol repeated at the head of pages


def is_markdown(text: str) -> bool:
    return bool(
        re.search(r"^\s{0,3}#{1,6}\s", text, re.MULTILINE)
        or _SUP_TAG.search(text)
        or _MD_LINK.search(text)
        or re.search(r"\\\*", text)
    )


def clean(text: str) -> CleanText:
    markdown = is_markdown(text)
    lines = [line.rstrip() for line in text.split("\n")]
    footnotes: list[Footnote] = []
    _remove_markdown_footnotes(lines, footnotes)
    _remove_pdf_footnote_blocks(lines, footnotes)
    for index, line in enumerate(lines):
        line = _SUP_TAG.sub("", line)
        line = _SUPERSCRIPT.sub("", line)
        line = _MD_HEADING.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_BOLD.sub(r"\2", line)
        line = _MD_ESCAPE.sub(r"\1", line)
        lines[index] = line
    running_head = _remove_page_artefacts(lines)
    return CleanText(
        lines=lines, footnotes=footnotes, is_markdown=markdown, running_head=running_head
    )


def _remove_markdown_footnotes(lines: list[str], footnotes: list[Footnote]) -> None:
    for index, line in enumerate(lines):
        match = _MD_FOOTNOTE_LINE.match(line)
        if not match:
            continue
        label = match.group(1) or (match.group(2) or "").translate(_SUPERSCRIPT_MAP)
        if match.group(3) or match.group(5):
            label = (match.group(3) or match.group(5)).replace("\\", "")
        body = match.group(4) or match.group(6)
        footnotes.append(Footnote(label=label, text=body.strip(), line=index + 1))
        lines[index] = ""


def _remove_pdf_footnote_blocks(lines: list[str], footnotes: list[Footnote]) -> None:
    """Remove separator lines and the footnote bodies under them, then their markers."""
    index = 0
    while index < len(lines):
        if not _SEPARATOR.match(lines[index]):
            index += 1
            continue
        separator = index
        lines[index] = ""
        index += 1
        current: list[str] | None = None
        block: list[tuple[str, list[str], int]] = []
        while index < len(lines):
            line = lines[index]
            if not line.strip():
                index += 1
                continue
            match = _PDF_FOOTNOTE_LINE.match(line)
            if match and _next_footnote_label(block, match.group(1)):
                current = [match.group(2).strip()] if match.group(2) else []
                block.append((match.group(1), current, index + 1))
                lines[index] = ""
            elif current is not None and (
                not current or not current[-1].rstrip().endswith(_FOOTNOTE_END)
            ):
                current.append(line.strip())
                lines[index] = ""
            else:
                break
            index += 1
        for label, parts, line_number in block:
            footnotes.append(Footnote(label=label, text=join_lines(parts), line=line_number))
            if label.isdigit():
                _remove_marker(lines, label, before=separator)


def _next_footnote_label(block: list[tuple[str, list[str], int]], label: str) -> bool:
    """A footnote label continues the block's sequence (1, 2, 3 … or *, **, ***)."""
    if not block:
        return True
    previous = block[-1][0]
    if label.isdigit() and previous.isdigit():
        return int(label) == int(previous) + 1
    return label.startswith("*") and previous.startswith("*") and len(label) == len(previous) + 1


def _remove_marker(lines: list[str], number: str, *, before: int) -> None:
    """Delete the footnote marker glued to a word, closest above the footnote block.

    In Chinese text the number follows a character or a closing mark; in Latin text
    it is glued to a word ("countries.88") or follows punctuation ("priorities; 93").
    """
    marker = re.compile(
        rf"(?:(?<=[a-z.,;:”’)])|(?<=[.,;:”’)] )){number}(?![0-9])(?=\s|$)"
        "|"
        rf"(?<=[{CJK}》”」）)\]]) ?{number}(?![0-9.．])"
        rf"(?! ?[年月日项个号条款届次名%％万亿])(?=(?: ?[{CJK}“《（(])|\s*$)"
    )
    for index in range(before - 1, max(-1, before - 120), -1):
        matches = list(marker.finditer(lines[index]))
        if matches:
            hit = matches[-1]
            lines[index] = lines[index][: hit.start()] + lines[index][hit.end() :]
            return


def _remove_page_artefacts(lines: list[str]) -> str | None:
    """Blank out page numbers, job numbers, link residue and running heads (a symbol
    line repeated on several pages); return the running head's symbol, if any."""
    symbol_counts: dict[str, int] = {}
    for line in lines:
        if SYMBOL_LINE.match(line):
            key = line.strip()
            symbol_counts[key] = symbol_counts.get(key, 0) + 1
    for index, line in enumerate(lines):
        if not line.strip() or (
            _URL_LINE.match(line)
            or FOLIO.match(line)
            or (SYMBOL_LINE.match(line) and symbol_counts[line.strip()] > 1)
        ):
            lines[index] = ""
    repeated = [(count, symbol) for symbol, count in symbol_counts.items() if count > 1]
    return max(repeated)[1] if repeated else None


_SPACE_BETWEEN_WIDE = re.compile(f"(?<=[{_WIDE}])[ \t\u3000]+(?=[{_WIDE}])")
_SPACES = re.compile(r"\s+")


def blocks(
    lines: list[str], clean: Callable[[str], str] | None = None
) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines as (index of the first, the lines cleaned)."""
    clean = clean or normalise
    found: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for index, line in enumerate(lines):
        text = clean(line)
        if text:
            if not current:
                start = index
            current.append(text)
        elif current:
            found.append((start, current))
            current = []
    if current:
        found.append((start, current))
    return found


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Collapse white space; no space between two Chinese characters or punctuation marks."""
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BETWEEN_WIDE.sub("", text)


_CJK_CHAR = re.compile(f"[{CJK}]")


def _needs_space(left: str, right: str) -> bool:
    """Whether the line break between two characters stood for a space.

    Latin words are separated by spaces; UN Chinese texts also set numbers apart from
    Chinese characters ("2016 年", "指标 3.3"), a space that PDF extraction loses at a
    line break.
    """
    if left.isascii() and left.isalnum() and right.isascii() and right.isalnum():
        return True
    digit_left = left.isascii() and left.isdigit()
    digit_right = right.isascii() and right.isdigit()
    return (digit_left and bool(_CJK_CHAR.match(right))) or (
        digit_right and bool(_CJK_CHAR.match(left))
    )


def join_wrapped(parts: list[str], glue: Callable[[str, str], str]) -> str:
    """Join wrapped lines, blank ones skipped; glue(text so far, next line) returns the
    text so far with what stands between the two (a space, nothing, a mended hyphen)."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out:
            out = glue(out, part)
        out += part
    return out


def _glue(out: str, part: str) -> str:
    return out + " " if _needs_space(out[-1], part[0]) else out


def join_lines(parts: list[str]) -> str:
    """Join wrapped lines: no space inside Chinese text, one between words and numbers."""
    return normalise(join_wrapped(parts, _glue))
