"""PDF to text with pypdfium2: the printed lines of each page, without page furniture.

PDFium gives the page's text in reading order, one line per printed line, fast (a C++
library, wheels on PyPI). For each line we also ask where it sits on the page and in
which font size its characters are set; that is what tells the running head, the page
footer, the footnotes and the footnote reference numbers from the text itself, far more
reliably than patterns on plain text can:

- running heads and footers: a line in the top or bottom margin of the page that holds
  only a document symbol, a page number ("4/22", "18") or a job number ("25-06905",
  "V.19-01234", "GE.25-06441"), in any combination;
- footnotes: the block of lines set smaller than the body text at the foot of a page
  (with or without a separator rule above it);
- footnote reference numbers: digits set much smaller than the line they sit in
  (superscripts), wherever they fall;
- the cover page's boilerplate: the bar code ("*2511710*"), "Please recycle", the job
  number line ("25-11710 (E) 180825").

The result is plain text in which a blank line stands for vertical space (a new
paragraph or heading), so that the same text parser reads it as it reads text that was
extracted elsewhere. No Django here.
"""

import ctypes
import re
from collections import Counter
from dataclasses import dataclass

from .errors import ParseError
from .text import FOLIO, PAGE_FURNITURE, SYMBOL_LINE

try:  # pragma: no cover - the dependency is pinned; this only guards odd installs
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_raw
except ImportError:  # pragma: no cover
    pdfium = None
    pdfium_raw = None

MAX_PAGES = 2000
# Characters PDFium uses for a hyphen at a line end that it joined ("small\ufffescale").
_HYPHENS = {"\ufffe": "-", "\x02": "-", "\u00ad": "-"}
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st"})

_SEPARATOR = re.compile(r"^\s*[_\u2014\u2013-]{8,}\s*$")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PdfText:
    text: str
    running_head: str | None  # the document symbol printed at the head of its pages


@dataclass
class _Line:
    text: str
    start: int  # index of the first character in the page's text
    x: float = 0.0
    y: float = 0.0  # bottom of the first letter, from the bottom of the page
    x_end: float = 0.0  # right edge of the last character
    y_end: float = 0.0  # bottom of the last character (the line may have wrapped)
    size: float = 0.0  # font size of the line's body characters
    page: int = 0


def extract_pdf_text(data: bytes) -> str:
    """The text of a PDF file, page furniture and footnotes removed."""
    return read_pdf(data).text


def read_pdf(data: bytes) -> PdfText:
    """The text of a PDF file, page furniture and footnotes removed, and its running head.

    Raises ParseError for a file PDFium cannot open (damaged, encrypted) and for a PDF
    without a text layer (a scan).
    """
    if pdfium is None:  # pragma: no cover
        raise ParseError("PDF support needs the pypdfium2 package")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason:
            raise ParseError("the PDF is password-protected: save it without a password") from None
        detail = re.search(r"PDFium: ([^)]*)", str(exc))
        reason = detail.group(1).lower() if detail else "unknown error"
        raise ParseError(f"not a readable PDF, damaged or incomplete ({reason})") from None
    except Exception as exc:  # PDFium raises little else; never let it escape as a crash
        raise ParseError(f"not a readable PDF ({type(exc).__name__})") from None
    try:
        return _document_text(document)
    finally:
        document.close()


def _document_text(document) -> PdfText:
    pages = len(document)
    if pages == 0:
        raise ParseError("the PDF has no pages")
    if pages > MAX_PAGES:
        raise ParseError(f"the PDF has {pages} pages; at most {MAX_PAGES} are read")
    lines_by_page: list[list[_Line]] = []
    heights: list[float] = []
    for number in range(pages):
        try:
            page = document[number]
            textpage = page.get_textpage()
        except Exception:
            raise ParseError(f"page {number + 1} of the PDF cannot be read") from None
        _width, height = page.get_size()
        heights.append(height or 792.0)
        lines_by_page.append(_page_lines(textpage, number))
        textpage.close()
        page.close()
    if sum(len(line.text.strip()) for lines in lines_by_page for line in lines) < 50:
        raise ParseError(
            "the PDF has no text layer (a scanned document?): "
            "text recognition (OCR) is not supported; import a PDF with text"
        )
    body_size = _body_size(lines_by_page)
    out: list[str] = []
    heads: Counter[str] = Counter()
    for number, lines in enumerate(lines_by_page):
        kept = _strip_page(lines, body_size, heights[number], first_page=number == 0, heads=heads)
        if out:
            out.append("")
        previous: _Line | None = None
        for line in kept:
            if previous is not None and _gap(previous, line):
                out.append("")
            out.append(line.text)
            previous = line
    running_head = heads.most_common(1)[0][0] if heads else None
    if running_head and heads[running_head] < 2:
        running_head = None
    return PdfText("\n".join(out) + "\n", running_head)


def _page_lines(textpage, page: int) -> list[_Line]:
    count = textpage.count_chars()
    if count <= 0:
        return []
    text = textpage.get_text_range(0, count)
    # One text index per character lets us ask PDFium about any character of a line;
    # when PDFium's text does not line up with its character indices, fall back to
    # the plain text (positions and sizes unknown).
    aligned = len(text) == count
    raw = textpage.raw
    lines: list[_Line] = []
    start = 0
    for chunk in re.split(r"(\r\n|\n|\r)", text):
        if chunk in ("\r\n", "\n", "\r"):
            start += len(chunk)
            continue
        line = _Line(text=chunk, start=start, page=page)
        start += len(chunk)
        if not chunk.strip():
            continue
        if aligned:
            _measure(raw, line)
        line.text = _normalise_chars(line.text)
        previous = lines[-1] if lines else None
        if (
            previous is not None
            and line.size
            and previous.size
            and abs(line.y - previous.y_end) < min(line.size, previous.size) * 0.5
            and line.x >= previous.x_end - 1
        ):
            # The same printed line, broken by PDFium at a superscript or a text run.
            previous.text = f"{previous.text.rstrip()} {line.text.lstrip()}"
            previous.x_end, previous.y_end = line.x_end, line.y_end
            continue
        lines.append(line)
    return lines


def _measure(raw, line: _Line) -> None:
    """Position and body font size of a line; superscript digits removed."""
    text = line.text
    # Font size of the line's letters (not of a leading footnote number or bullet).
    letters = [i for i, char in enumerate(text) if char.isalpha()]
    probe = letters[len(letters) // 2] if letters else len(text.rstrip()) // 2
    line.size = pdfium_raw.FPDFText_GetFontSize(raw, line.start + probe)
    first = len(text) - len(text.lstrip())
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    probe_box = line.start + (letters[0] if letters else first)
    if pdfium_raw.FPDFText_GetCharBox(raw, probe_box, left, right, bottom, top):
        line.x, line.y = left.value, bottom.value
    last = line.start + len(text.rstrip()) - 1
    if pdfium_raw.FPDFText_GetCharBox(raw, last, left, right, bottom, top):
        line.x_end, line.y_end = right.value, bottom.value
    else:
        line.x_end, line.y_end = line.x, line.y
    if line.size <= 0:
        return
    # Superscript numbers: digits set well below the text they follow (footnote markers).
    removed = 0
    for match in _DIGITS.finditer(text):
        size = pdfium_raw.FPDFText_GetFontSize(raw, line.start + match.start())
        before = text[: match.start()].rstrip()
        reference = (
            pdfium_raw.FPDFText_GetFontSize(raw, line.start + len(before) - 1)
            if before
            else line.size
        )
        if 0 < size < reference * 0.8:
            begin, end = match.start() - removed, match.end() - removed
            line.text = line.text[:begin] + line.text[end:]
            removed += end - begin
    if removed:
        line.text = re.sub(r"[ \t]{2,}", " ", line.text)


def _normalise_chars(text: str) -> str:
    for char, replacement in _HYPHENS.items():
        text = text.replace(char, replacement)
    return text.translate(_LIGATURES).replace("\u00a0", " ").rstrip()


def _body_size(lines_by_page: list[list[_Line]]) -> float:
    """The font size most of the text is set in."""
    weights: Counter[float] = Counter()
    for lines in lines_by_page:
        for line in lines:
            if line.size > 0:
                weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _strip_page(
    lines: list[_Line], body_size: float, height: float, *, first_page: bool, heads: Counter
):
    """Drop running heads, footers, footnotes and cover boilerplate from one page."""
    top_margin, bottom_margin = height * 0.86, height * 0.12
    kept: list[_Line] = []
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if PAGE_FURNITURE.match(text) and (
            line.y == 0.0 or line.y >= top_margin or line.y <= bottom_margin
        ):
            if SYMBOL_LINE.match(text):
                heads[text.strip()] += 1
            continue
        if first_page and FOLIO.match(text):
            continue
        kept.append(line)
    if body_size <= 0:
        return kept
    return _drop_footnotes(kept, body_size, first_page=first_page)


def _drop_footnotes(lines: list[_Line], body_size: float, *, first_page: bool) -> list[_Line]:
    """Footnotes: a separator rule, or small-type lines at the foot of the page.

    PDFium gives a page's footnotes after its body text (or, for some producers, in
    the middle of it); every line set clearly smaller than the body that sits below
    the lowest body line is footnote text. The cover's starred notes ("* A/80/150.",
    the agenda's symbol) are kept for the cover reader.
    """
    small = [0 < line.size < body_size * 0.95 for line in lines]
    body_lines = [
        line for line, is_small in zip(lines, small, strict=True) if not is_small and line.size
    ]
    lowest_body = min((line.y for line in body_lines), default=None)
    kept: list[_Line] = []
    for line, is_small in zip(lines, small, strict=True):
        if _SEPARATOR.match(line.text):
            continue
        below_body = is_small and lowest_body is not None and line.y < lowest_body
        if below_body and not (first_page and line.text.lstrip().startswith("*")):
            continue
        kept.append(line)
    return kept


def _gap(previous: _Line, line: _Line) -> bool:
    """Whether more vertical space than one line's leading separates two lines."""
    if not previous.size or not line.size or line.page != previous.page:
        return False
    distance = previous.y_end - line.y
    return distance > max(previous.size, line.size) * 1.55
