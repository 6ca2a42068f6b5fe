"""Bytes to text: PDF (its text layer), or text in UTF-8 (with or without BOM), UTF-16
or GB18030 with LF, CRLF or CR line ends. The format is read from the content, never
from the file name."""

import codecs
from dataclasses import dataclass

from .errors import ParseError
from .pdf import read_pdf

# A PDF file starts with "%PDF-" within its first kilobyte (ISO 32000-1, 7.5.2).
_PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Source:
    text: str
    format: str  # "pdf" or "text" (Markdown is told apart later, from the text)
    running_head: str | None = None  # a PDF's symbol printed at the head of its pages


def is_pdf(data: bytes) -> bool:
    return _PDF_MAGIC in data[:1024]


def read_source(data: bytes) -> Source:
    """The text of a report file, whatever its format. Raises ParseError."""
    if is_pdf(data):
        pdf = read_pdf(data)
        return Source(pdf.text, "pdf", pdf.running_head)
    return Source(decode_report(data), "text")


_CONTROL_ALLOWED = {"\n", "\r", "\t", "\f"}


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for c in text if ord(c) < 32 and c not in _CONTROL_ALLOWED)
    return controls > max(2, len(text) // 200)


def _decode_utf16(data: bytes) -> str | None:
    for encoding, bom in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseError(f"invalid UTF-16 data at byte {exc.start}", line=None) from None
    if len(data) >= 4 and len(data) % 2 == 0:
        even_zeros = data[0::2].count(0)
        odd_zeros = data[1::2].count(0)
        half = len(data) // 2
        # ASCII newlines and spaces leave one zero byte in each UTF-16 unit.
        for encoding, zeros in (("utf-16-le", odd_zeros), ("utf-16-be", even_zeros)):
            if zeros > half // 10 and (even_zeros + odd_zeros) <= half + 1:
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                if not _looks_binary(text):
                    return text
    return None


def decode_report(data: bytes) -> str:
    """Decode a report file. Raises ParseError with a clear reason when it cannot."""
    if not data.strip():
        raise ParseError("the file is empty")
    if is_pdf(data):
        raise ParseError("this is a PDF file: read it with read_source()")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        text = _decode_utf8(data)
    else:
        text = _decode_utf16(data)
        if text is None:
            nul = data.find(b"\x00")
            if nul >= 0:
                raise ParseError(
                    "binary data (NUL byte): expected a text file in UTF-8, UTF-16 or GB18030",
                    line=_line_of(data, nul),
                )
            text = _decode_utf8_or_gb18030(data)
    text = text.lstrip("\ufeff")
    if _looks_binary(text):
        raise ParseError("binary data: expected a text file in UTF-8, UTF-16 or GB18030")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


def _decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"undecodable bytes: invalid UTF-8 at byte {exc.start}",
            line=_line_of(data, exc.start),
        ) from None


def _decode_utf8_or_gb18030(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # Mostly valid UTF-8 with a few bad bytes is a damaged UTF-8 file, not GB18030.
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    cjk = sum(1 for c in lenient if _is_cjk(c))
    if cjk >= 10 and bad <= max(3, len(lenient) // 100):
        raise ParseError(
            f"undecodable bytes: invalid UTF-8 at byte {first_bad}",
            line=_line_of(data, first_bad),
        )
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"undecodable bytes at byte {exc.start}: expected UTF-8, UTF-16 or GB18030",
            line=_line_of(data, exc.start),
        ) from None
