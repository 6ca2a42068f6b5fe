"""Report metadata from the cover page: title, author, bodies, sessions, agenda, dates."""

import json
import re
from datetime import date
from pathlib import Path

from .cover import MASTHEAD_MONTHS
from .model import BodySession, ReportMetadata
from .text import SYMBOL_LINE, Footnote, blocks, join_lines, normalise

# Governing bodies a UNODC report addresses, by their UN Chinese name (kept as data).
_BODIES_PATH = Path(__file__).resolve().parent.parent / "data" / "bodies.json"
BODY_CODES = {
    body["name_zh"]: body["code"] for body in json.loads(_BODIES_PATH.read_text(encoding="utf-8"))
}

_AUTHOR = re.compile(r"^(.{1,20}?)的报告$")
_SESSION = re.compile(r"^(第.{1,8}届(?:特别)?会议)$")
_DATES = re.compile(
    r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"(?:\s*至\s*(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日)?"
    r"(?:\s*[，,]\s*(\S+))?$"
)
_AGENDA = re.compile(r"^临时议程\s*(\**)\s*项目\s*(\S+)$")
_BODY_SUFFIX = re.compile(r"(委员会|缔约方会议|缔约国会议|理事会)$")
_ENGLISH_DATE = re.compile(rf"^(\d{{1,2}})\s+({'|'.join(MASTHEAD_MONTHS)})\s+(\d{{4}})$")
_MONTHS = {name: number for number, name in enumerate(MASTHEAD_MONTHS, start=1)}


def _date(year: str | None, month: str | None, day: str | None) -> date | None:
    try:
        return date(int(year), int(month), int(day))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def body_code(name: str) -> str:
    return BODY_CODES.get(normalise(name).replace(" ", ""), "")


def parse_metadata(
    header: list[str], footnotes: list[Footnote], *, is_markdown: bool
) -> ReportMetadata:
    lines = [normalise(line) for line in header]
    flat = [line.replace(" ", "") for line in lines]
    author_index = next((i for i, line in enumerate(flat) if _AUTHOR.match(line)), None)
    author = _AUTHOR.match(flat[author_index]).group(1) if author_index is not None else ""

    title = ""
    title_start = author_index if author_index is not None else len(lines)
    if author_index is not None:
        before = [block for block in blocks(header[:author_index]) if block[1]]
        if before:
            title_start, title_lines = before[-1]
            title = join_lines(title_lines)

    star_symbols = {
        note.label: note.text.rstrip("。.").strip()
        for note in footnotes
        if note.label.startswith("*") and SYMBOL_LINE.match(note.text.rstrip("。.").strip())
    }

    bodies: list[dict] = []
    document_date = None
    own_symbol = None
    index = 0
    while index < title_start:
        line, compact = lines[index], flat[index]
        if not compact:
            index += 1
            continue
        if compact in BODY_CODES or (_BODY_SUFFIX.search(compact) and len(compact) <= 40):
            bodies.append({"name": compact, "code": BODY_CODES.get(compact, "")})
        elif (match := _SESSION.match(compact)) and bodies:
            bodies[-1]["session"] = match.group(1)
        elif (match := _DATES.match(line)) and bodies:
            year, month, day, end_year, end_month, end_day, place = match.groups()
            bodies[-1]["dates"] = line.split("，")[0].split(",")[0].strip()
            bodies[-1]["start_date"] = _date(year, month, day)
            bodies[-1]["end_date"] = _date(end_year or year, end_month or month, end_day or day)
            bodies[-1]["place"] = place or ""
        elif (match := _AGENDA.match(compact)) and bodies:
            stars, item = match.groups()
            bodies[-1]["agenda_item"] = item
            bodies[-1]["agenda_symbol"] = star_symbols.get(stars, "") if stars else ""
            # The agenda item's title: the following run of lines.
            title_lines: list[str] = []
            look = index + 1
            while look < title_start and not lines[look]:
                look += 1
            while look < title_start and lines[look]:
                title_lines.append(lines[look])
                look += 1
            bodies[-1]["agenda_title"] = join_lines(title_lines)
            index = look
            continue
        elif match := _ENGLISH_DATE.match(line):
            document_date = _date(match.group(3), str(_MONTHS[match.group(2)]), match.group(1))
        elif SYMBOL_LINE.match(line) and line.strip() not in star_symbols.values():
            own_symbol = own_symbol or line.strip()
        index += 1

    with_session = [body for body in bodies if body.get("session")]
    return ReportMetadata(
        title=title,
        author=author,
        symbol=own_symbol,
        bodies=tuple(BodySession(**body) for body in (with_session or bodies)),
        document_date=document_date,
        source_format="markdown" if is_markdown else "pdf-text",
    )
