"""The cover page of a UN document in a Latin-script language: symbol, date, bodies, title.

A UN document opens the same way in English, French and Spanish:

    United Nations                                      A/80/188    <- masthead: the symbol
    General Assembly                    Distr.: General             <- issuing organ(s)
                                        17 July 2025                <- the document's date
                                        Original: English
    Eightieth session                                               <- session block: the
    Item 72 (b) of the provisional agenda*                             body addressed, its
    Promotion and protection of human rights ...                       session, dates, place,
                                                                       agenda item and title
    Promotion and protection of human rights in the context of      <- title
    climate change
    Note by the Secretary-General                                   <- author
    * A/80/150.                                                     <- the agenda's symbol

Everything that depends on the language (month names, "Distr.", "session", "Item ... of
the provisional agenda", "Report of the ...") is held in a CoverWords instance, so that
another language is another instance (see languages/en/cover.py), not more code.

The reader takes the text as PDFium gives it (one printed line per line, in the order of
the content stream: the masthead may come after the summary) and as `pdftotext -layout`
gives it (two columns side by side on one line, split here on runs of three spaces), and
gives the same metadata for both. It never raises: what it cannot read stays empty.
No Django here.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from .model import BodySession, ReportMetadata
from .text import FURNITURE_TOKEN, SYMBOL, blocks

# The masthead ("Distr.: General", its date, "Original:") is printed in English in
# every language version of a UN document.
MASTHEAD_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_BODIES_PATH = Path(__file__).resolve().parent.parent / "data" / "bodies.json"

# Bounds that keep odd input cheap: the front matter of a report is a few hundred lines.
_MAX_LINES = 800
_MAX_LINE_LENGTH = 400
_MAX_MASTHEAD_LINES = 14  # from "United Nations" to "Distr.", blank lines included
_MAX_NAME_LINES = 8  # a body's name wraps over at most this many lines (DP/2025/7: six)
_MAX_TITLE_LINES = 8

# A UN document symbol: "A/80/188", "E/C.16/2024/4", "A/HRC/EMRIP/2025/3", and joint
# symbols "A/79/972-S/2025/467" (hyphen or dash, spaced or not).
_SYMBOL = re.compile(SYMBOL)
# Page furniture that can stand on a line of its own (text.py's tokens), or in a column
# of one in `pdftotext -layout` text, where the job number's "(E)" and date may stand in
# cells of their own.
_FURNITURE_TOKEN = rf"(?:{FURNITURE_TOKEN}|\d{{5,6}}|\([A-Z]\))(?!\S)"
_FURNITURE = re.compile(rf"{_FURNITURE_TOKEN}(?:\s*{_FURNITURE_TOKEN})*")
# A footnote on the cover: "* A/80/150." (one to three asterisks, then its text).
_FOOTNOTE = re.compile(r"(\*{1,3})\s*(\S.*)")
# Columns of `pdftotext -layout`: cells are separated by three spaces or more.
_COLUMN_GAP = re.compile(r"\s{3,}")
_SPACES = re.compile(r"\s+")
# A personal name closing an author ("Special Rapporteur on ..., Elisa Morgera"): two to
# six capitalised words (name particles allowed) after the last comma.
_PERSON = re.compile(
    r",\s+(?:[A-ZÀ-Ý][\w.'’-]*\s+|(?:de|da|del|della|der|van|von|bin|al|la|le|y)\s+){1,5}"
    r"[A-ZÀ-Ý][\w.'’-]*$"
)


class FootnoteLike(Protocol):
    """A footnote the caller took out of the text (text.Footnote): "*" and "A/80/150."."""

    @property
    def label(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class CoverWords:
    """The words and patterns of one language that the cover reader needs.

    Plain tuples of words are matched literally and case-insensitively. Fields called
    templates are regular expressions in which a space matches any run of white space
    and these placeholders are filled in: {ordinal} an ordinal word ("Seventy-ninth"),
    {year} a four-digit year, {qualifier} a session qualifier ("regular"), {item} an
    agenda item number ("72 (b)", "7 b)", "2 and 3"), {list} the name of an agenda
    ("provisional agenda"), {number} a number, {author} the author's name (any text).
    """

    language: str  # ISO 639-1; body names are read from bodies.json's "name_<language>"
    months: tuple[str, ...]  # the twelve month names, January first
    masthead: tuple[str, ...]  # the organisation heading the cover: "United Nations"
    distribution: tuple[str, ...]  # "Distr." (as in "Distr.: General")
    original: tuple[str, ...]  # "Original:" (as in "Original: English")
    language_names: tuple[str, ...]  # "English", "French" ... ("English and French only")
    only: tuple[str, ...]  # "only"
    and_words: tuple[str, ...]  # "and", between two agenda items or languages
    range_words: tuple[str, ...]  # between two dates, besides a dash: "to", "and"
    ordinals: tuple[str, ...]  # whole ordinal words: "first" ... "nineteenth", "twentieth" ...
    ordinal_tens: tuple[str, ...]  # tens before a unit ordinal: "twenty" (-first) ... "ninety"
    session_qualifiers: tuple[str, ...]  # "regular", "special", "resumed" ...
    sessions: tuple[str, ...]  # templates: "{ordinal} session", "{year} session", "{ordinal} year"
    agenda_lists: tuple[str, ...]  # "provisional agenda", "preliminary list", "agenda"
    agenda_items: tuple[str, ...]  # templates: "Items? {item} of the {list}"
    official_records: tuple[str, ...]  # "Official Records" (on an Official Records cover)
    supplements: tuple[str, ...]  # templates: "Supplement No. {number}"
    reports: tuple[str, ...]  # templates: "Report of the {author}"
    notes: tuple[str, ...]  # templates: "Note by the {author}" (a note transmits a report)
    author_tails: tuple[str, ...]  # templates after the author: "for {year}", "on its .+"
    letters: tuple[str, ...]  # templates that open a letter's title: "Letter dated"
    letter_authors: tuple[str, ...]  # templates: "from the {author} addressed to"
    letter_openers: tuple[str, ...]  # templates: the letter's first words, "I have the honour"
    annexes: tuple[str, ...]  # templates of a line opening an annex: "Annex(?:es)? to .*"
    stops: tuple[str, ...]  # headings after the cover's title: "Summary", "Contents"
    body_nouns: tuple[str, ...]  # words that name a body: "Council", "Commission" ...
    numeric_ordinal: str = ""  # regex for a numeric ordinal ("80th"); "" for none
    date_joiners: tuple[str, ...] = ()  # words inside a date: Spanish "15 de abril de 2024"


@dataclass
class _Body:
    """A body being read; becomes a BodySession."""

    name: str
    code: str = ""
    session: str = ""
    dates: str = ""
    start_date: date | None = None
    end_date: date | None = None
    place: str = ""
    agenda_item: str = ""
    agenda_symbol: str = ""
    agenda_title: str = ""
    agenda_stars: str = ""

    @property
    def addressed(self) -> bool:
        return bool(self.session or self.dates or self.agenda_item)

    def fill(self, other: "_Body") -> None:
        """Take the other reading's fields where this one has none."""
        for name in BodySession.__dataclass_fields__:
            if not getattr(self, name) and getattr(other, name):
                setattr(self, name, getattr(other, name))
        self.agenda_stars = self.agenda_stars or other.agenda_stars

    def session_record(self) -> BodySession:
        return BodySession(
            **{name: getattr(self, name) for name in BodySession.__dataclass_fields__}
        )


@dataclass
class _Masthead:
    symbol: str | None = None
    document_date: date | None = None
    issuers: list[str] = field(default_factory=list)  # text cells naming the issuing organs
    rows: set[int] = field(default_factory=set)  # the lines it takes


# --- Patterns built from the words ----------------------------------------------------


def _words(words: Iterable[str]) -> str:
    """An alternation of literal words, longest first, spaces matching any white space.

    A colon may follow a space ("Original :" in French typography).
    """
    escaped = [re.escape(word).replace(r"\ ", " ").replace(":", r"\s*:") for word in words if word]
    escaped.sort(key=len, reverse=True)
    return "(?:" + "|".join(escaped).replace(" ", r"\s+") + ")" if escaped else "(?!)"


def _template(templates: Iterable[str], parts: Mapping[str, str]) -> str:
    """An alternation of templates: spaces match white space, {placeholders} filled in."""

    def fill(template: str) -> str:
        spaced = template.replace(" ", r"\s+")
        return re.sub(r"\{(\w+)\}", lambda m: parts.get(m.group(1), m.group(0)), spaced)

    filled = [fill(template) for template in templates if template]
    return "(?:" + "|".join(filled) + ")" if filled else "(?!)"


@dataclass(frozen=True)
class _AnyOf:
    """Templates compiled one by one (each may name the same groups), tried in order."""

    patterns: tuple[re.Pattern[str], ...]

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return next((m for p in self.patterns if (m := p.fullmatch(text))), None)

    def match(self, text: str) -> re.Match[str] | None:
        return next((m for p in self.patterns if (m := p.match(text))), None)

    def search(self, text: str) -> re.Match[str] | None:
        return next((m for p in self.patterns if (m := p.search(text))), None)


def _any_of(templates: Iterable[str], parts: Mapping[str, str], suffix: str = "") -> _AnyOf:
    return _AnyOf(
        tuple(
            re.compile(_template([template], parts) + suffix, re.IGNORECASE)
            for template in templates
            if template
        )
    )


@dataclass(frozen=True)
class _Grammar:
    """The compiled patterns of one CoverWords."""

    months: dict[str, int]
    masthead: re.Pattern[str]
    distribution: re.Pattern[str]
    original: re.Pattern[str]
    language_list: re.Pattern[str]
    dates: re.Pattern[str]  # a date or a range of dates, with a place before or after
    session: re.Pattern[str]
    agenda: _AnyOf
    official_records: re.Pattern[str]
    supplement: re.Pattern[str]
    report: _AnyOf
    note: _AnyOf
    letter: re.Pattern[str]
    letter_author: _AnyOf
    letter_opener: re.Pattern[str]
    annex: re.Pattern[str]
    stop: re.Pattern[str]
    body_noun: re.Pattern[str]


@lru_cache(maxsize=16)
def _grammar(words: CoverWords) -> _Grammar:
    flags = re.IGNORECASE
    month = _words(words.months)
    joiner = rf"(?:\s+{_words(words.date_joiners)})?" if words.date_joiners else ""
    # One date, or a range: "15–19 April 2024", "16 June–11 July 2025",
    # "25 July 2024–30 July 2025", "27 to 31 January 2025". The first day's month and
    # year may be left out; the last day's may not.
    dash = rf"(?:\s*[-–—]\s*|\s+{_words(words.range_words)}\s+)"
    dates = (
        rf"(?P<d1>\d{{1,2}})(?:{joiner}\s+(?P<m1>{month})(?:{joiner}\s+(?P<y1>\d{{4}}))?)?"
        rf"(?:{dash}(?P<d2>\d{{1,2}}){joiner}\s+(?P<m2>{month}){joiner}\s+(?P<y2>\d{{4}}))?"
    )
    # A place is a name without digits or commas, before or after the dates.
    place = r"[^\W\d_][^,\d]{0,40}?"
    ordinal = _words(words.ordinals)
    if words.ordinal_tens:
        ordinal = rf"(?:{_words(words.ordinal_tens)}[-\s]?)?{ordinal}"
    if words.numeric_ordinal:
        ordinal = rf"(?:{ordinal}|{words.numeric_ordinal})"
    # An agenda item: "72 (b)", "7 b)", "5", "2 and 3", "3, 5 and 7".
    one_item = r"\d{1,3}[A-Za-z]?(?:\s*\(?[a-z]{1,4}\))?"
    item = rf"{one_item}(?:(?:\s*,\s*|\s+{_words(words.and_words)}\s+){one_item})*"
    parts = {
        "ordinal": ordinal,
        "year": r"\d{4}",
        "qualifier": _words(words.session_qualifiers),
        "item": f"(?P<item>{item})",
        "list": _words(words.agenda_lists),
        "number": r"\d{1,3}[A-Z]?",
        "author": r"(?P<author>\S.*?)",
    }
    tails = _template(words.author_tails, parts)
    language = _words(words.language_names)
    return _Grammar(
        months={name.casefold(): number for number, name in enumerate(words.months, start=1)},
        masthead=re.compile(_words(words.masthead), flags),
        distribution=re.compile(_words(words.distribution), flags),
        original=re.compile(_words(words.original), flags),
        # "English, French, Russian and" / "Spanish only": names, "and", "only", commas.
        language_list=re.compile(
            rf"(?:(?:{language}|{_words(words.only)}|{_words(words.and_words)})[\s,]*)+", flags
        ),
        dates=re.compile(
            rf"(?:(?P<before>{place}),\s*)?(?P<dates>{dates})(?:\s*,\s*(?P<after>{place}))?",
            flags,
        ),
        session=re.compile(_template(words.sessions, parts) + r"(?!\w)", flags),
        agenda=_any_of(words.agenda_items, parts, r"\s*(?P<stars>\**)"),
        official_records=re.compile(_words(words.official_records), flags),
        supplement=re.compile(_template(words.supplements, parts), flags),
        report=_any_of(words.reports, parts, rf"(?:\s+{tails})?\W*"),
        note=_any_of(words.notes, parts, rf"(?:\s+{tails})?\W*"),
        letter=re.compile(_template(words.letters, parts), flags),
        letter_author=_any_of(words.letter_authors, parts),
        letter_opener=re.compile(_template(words.letter_openers, parts), flags),
        annex=re.compile(_template(words.annexes, parts), flags),
        stop=re.compile(_words(words.stops) + r"\W*", flags),
        body_noun=re.compile(rf"\b{_words(words.body_nouns)}\b", flags),
    )


# --- Body names -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _bodies_from_data(language: str) -> tuple[tuple[str, str], ...]:
    """(name, code) of the bodies in bodies.json that have a name in this language."""
    try:
        rows = json.loads(_BODIES_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    key = f"name_{language}"
    return tuple((row[key], row["code"]) for row in rows if row.get(key) and row.get("code"))


@dataclass(frozen=True)
class _BodyNames:
    codes: dict[str, str]  # case-folded name -> code
    pattern: re.Pattern[str]  # any known name, as whole words


@lru_cache(maxsize=16)
def _body_names(pairs: tuple[tuple[str, str], ...]) -> _BodyNames:
    codes = {_fold(name): code for name, code in pairs}
    return _BodyNames(
        codes=codes,
        pattern=re.compile(rf"{_words(name for name, _ in pairs)}(?!\w)", re.IGNORECASE),
    )


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _tile(pattern: re.Pattern[str], text: str) -> list[re.Match[str]] | None:
    """The matches of pattern that, one after the other, make up the whole text."""
    matches: list[re.Match[str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = pattern.match(text, position)
        if not match or match.end() == position:
            return None
        matches.append(match)
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return matches or None


def _known_bodies(text: str, names: _BodyNames) -> list[_Body] | None:
    """The known bodies that make up the text ("General Assembly Security Council")."""
    matches = _tile(names.pattern, text.strip().rstrip("*").strip())
    if not matches:
        return None
    return [_body(match.group(0), names) for match in matches]


def _body(name: str, names: _BodyNames) -> _Body:
    printed = _SPACES.sub(" ", name).strip().rstrip("*").strip()
    return _Body(name=printed, code=names.codes.get(printed.casefold(), ""))


# --- Lines ------------------------------------------------------------------------------


def _prepare(lines: list[str]) -> list[str]:
    """Lines without form feeds (a page break starts a new block) and bounded in size."""
    rows: list[str] = []
    for line in lines[:_MAX_LINES]:
        text = str(line)[:_MAX_LINE_LENGTH].replace("\t", "    ").rstrip()
        if "\f" in text:
            rows.append("")
            text = text.replace("\f", "")
        rows.append(text)
    return rows


def _cells(row: str) -> list[str]:
    """The columns of a line (pdftotext -layout); a PDFium line is one cell."""
    return [cell for cell in _COLUMN_GAP.split(row.strip()) if cell]


def _text(row: str) -> str:
    """A line as one string, white space collapsed."""
    return _SPACES.sub(" ", row).strip()


def _is_furniture(text: str) -> bool:
    return bool(_FURNITURE.fullmatch(text.strip()))


def _symbol(text: str) -> str | None:
    """The symbol a cell holds and nothing else, normalised.

    "A/80/150." (a footnote) and "A/80/188*" (a reissued document) count.
    """
    text = text.strip().rstrip(".。*").strip()
    if not _SYMBOL.fullmatch(text):
        return None
    return re.sub(r"\s*[-–—]\s*", "-", text)


def _join(parts: list[str]) -> str:
    """Wrapped lines as one string: a line-end hyphen joins its word ("rights-based")."""
    out = ""
    for part in parts:
        part = _text(part)
        if not part:
            continue
        if out.endswith(" -"):  # "long -" / "term": a hyphen set apart by extraction
            out = out[:-2] + "-"
        if out and not (out.endswith("-") and len(out) > 1 and out[-2].isalpha()):
            out += " "
        out += part
    return out.strip()


# --- Masthead ---------------------------------------------------------------------------


def _split_masthead_cell(cell: str, g: _Grammar) -> list[str]:
    """A cell cut before "Distr." and "Original:" and before a trailing date.

    PDFium prints the two columns of the masthead on one line ("General Assembly Distr.:
    General"), pdftotext -layout as two cells; both end up as the same cells.
    """
    for marker in (g.distribution, g.original):
        match = marker.search(cell)
        if match and match.start() > 0:
            head, tail = cell[: match.start()].strip(), cell[match.start() :].strip()
            return [*_split_masthead_cell(head, g), tail]
    for match in g.dates.finditer(cell):
        if match.end() == len(cell) and match.start() > 0 and _single_date(match):
            head = cell[: match.start()].strip()
            if head and not head.endswith(","):
                return [*_split_masthead_cell(head, g), cell[match.start() :].strip()]
    return [cell]


def _masthead_cells(row: str, g: _Grammar) -> list[str]:
    return [part for cell in _cells(row) for part in _split_masthead_cell(cell, g)]


def _masthead_line(row: str, g: _Grammar) -> tuple[bool, str | None]:
    """Whether the line opens the masthead ("United Nations", maybe with the symbol)."""
    cells = _cells(row)
    if not cells:
        return False, None
    first = g.masthead.match(cells[0])
    if not first:
        return False, None
    rest = cells[0][first.end() :].strip()
    symbols = [_symbol(cell) for cell in ([rest] if rest else []) + cells[1:]]
    if any(symbol is None for symbol in symbols):
        return False, None  # "United Nations Sustainable Development Group"
    return True, next(iter(symbols), None)


def _cell_kind(cell: str, g: _Grammar) -> str:
    if g.distribution.match(cell):
        return "distr"
    if g.original.match(cell):
        return "original"
    if (match := g.dates.fullmatch(cell)) and _single_date(match):
        return "date"
    if _symbol(cell):
        return "symbol"
    if g.language_list.fullmatch(cell):
        return "languages"
    return "text"


def _find_masthead(rows: list[str], g: _Grammar) -> _Masthead:
    """The masthead: "United Nations", the symbol, the issuing organs, "Distr.", the date.

    It is sought anywhere (PDFium may print it after the summary). A masthead without
    "Distr." (an Official Records cover) is only its "United Nations" line.
    """
    openings = [
        (index, symbol)
        for index, row in enumerate(rows)
        for ok, symbol in [_masthead_line(row, g)]
        if ok
    ]
    with_distr = [(i, s) for i, s in openings if _distribution_row(rows, i, g) is not None]
    if with_distr:
        index, symbol = with_distr[0]
        return _read_masthead(rows, index, symbol, g)
    if openings:
        index, symbol = openings[0]
        return _Masthead(symbol=symbol, rows={index})
    return _Masthead()


def _distribution_row(rows: list[str], start: int, g: _Grammar) -> int | None:
    """The line with "Distr." close below the masthead line, if any."""
    for index in range(start, min(start + _MAX_MASTHEAD_LINES, len(rows))):
        if any(_cell_kind(cell, g) == "distr" for cell in _masthead_cells(rows[index], g)):
            return index
    return None


def _read_masthead(rows: list[str], start: int, symbol: str | None, g: _Grammar) -> _Masthead:
    masthead = _Masthead(symbol=symbol, rows={start})
    distr = _distribution_row(rows, start, g)
    seen: set[str] = set()
    index = start + 1
    continued = False  # the previous line named an issuing organ (names wrap)
    while index < len(rows):
        if not rows[index].strip():
            following = _next_nonblank(rows, index)
            if distr is not None and index < distr:
                index += 1
                continue
            if following is None or not _continues_masthead(rows[following], seen, g):
                break
            index, continued = following, False
            continue
        kinds = [(cell, _cell_kind(cell, g)) for cell in _masthead_cells(rows[index], g)]
        markers = [kind for _, kind in kinds if kind != "text"]
        texts = [cell for cell, kind in kinds if kind == "text"]
        before_distr = distr is not None and index < distr
        if not (before_distr or markers or continued):
            break
        _take_markers(masthead, kinds, seen, g)
        masthead.issuers.extend(texts)
        masthead.rows.add(index)
        continued = bool(texts)
        index += 1
    if masthead.symbol is None:
        masthead.symbol = _lone_symbol_before(rows, start, masthead)
    return masthead


def _next_nonblank(rows: list[str], index: int) -> int | None:
    for look in range(index + 1, min(index + 8, len(rows))):
        if rows[look].strip():
            return look
    return None


def _continues_masthead(row: str, seen: set[str], g: _Grammar) -> bool:
    """After a blank line, whether the next line still belongs to the masthead."""
    for cell in _masthead_cells(row, g):
        kind = _cell_kind(cell, g)
        if kind in ("date", "original", "distr", "symbol") and kind not in seen:
            return True
        if kind == "languages" and "original" in seen:
            return True
    return False


def _take_markers(
    masthead: _Masthead, kinds: list[tuple[str, str]], seen: set[str], g: _Grammar
) -> None:
    for cell, kind in kinds:
        if kind == "symbol" and masthead.symbol is None:
            masthead.symbol = _symbol(cell)
        elif kind == "date" and "date" not in seen:
            match = g.dates.fullmatch(cell)
            masthead.document_date = _date_of(match, "1", g) if match else None
        seen.add(kind)


def _lone_symbol_before(rows: list[str], start: int, masthead: _Masthead) -> str | None:
    """`pdftotext` without -layout prints the symbol on its own line above the masthead."""
    for look in range(start - 1, max(start - 4, -1), -1):
        if rows[look].strip():
            symbol = _symbol(_text(rows[look]))
            if symbol:
                masthead.rows.add(look)
            return symbol
    return None


# --- Dates ------------------------------------------------------------------------------


def _single_date(match: re.Match[str]) -> bool:
    """A plain date ("17 July 2025"), not a range and without a place."""
    return bool(
        match.group("m1")
        and match.group("y1")
        and not match.group("d2")
        and not match.group("before")
        and not match.group("after")
    )


def _date_of(match: re.Match[str], which: str, g: _Grammar) -> date | None:
    day, month, year = (match.group(f"{part}{which}") for part in "dmy")
    if which == "1":  # the first day borrows the last day's month and year
        month = month or match.group("m2")
        year = year or match.group("y2")
    try:
        return date(int(year), g.months[_fold(month)], int(day))
    except (TypeError, ValueError, KeyError):
        return None


def _read_dates(text: str, g: _Grammar) -> dict[str, object] | None:
    """Dates and place of a session: "New York, 15–19 April 2024"."""
    match = g.dates.fullmatch(text)
    if not match or not (match.group("d2") or match.group("y1")):
        return None
    start = _date_of(match, "1", g)
    end = _date_of(match, "2", g) if match.group("d2") else start
    if start is None or end is None:
        return None
    return {
        "dates": match.group("dates").strip(),
        "start_date": start,
        "end_date": end,
        "place": (match.group("before") or match.group("after") or "").strip(),
    }


# --- Session blocks ---------------------------------------------------------------------


@dataclass
class _SessionBlock:
    """What one block of the cover says about the bodies addressed."""

    bodies: list[_Body] = field(default_factory=list)
    leftover: list[str] = field(default_factory=list)  # lines that are not about bodies


def _line_kind(text: str, g: _Grammar) -> str:
    if _tile(g.session, text):
        return "session"
    if g.agenda.fullmatch(text):
        return "agenda"
    if _read_dates(text, g):
        return "dates"
    if g.official_records.fullmatch(text) or g.supplement.fullmatch(text):
        return "records"
    return "text"


def _is_session_block(lines: list[str], g: _Grammar) -> bool:
    return any(_line_kind(line, g) in ("session", "agenda") for line in lines)


def _read_session_block(
    lines: list[str], masthead_bodies: list[_Body], names: _BodyNames, g: _Grammar
) -> _SessionBlock:
    """Bodies, sessions, dates, agenda items in a block such as

    General Assembly          Security Council
    Seventy-ninth session     Eightieth year
    Agenda item 67
    Promotion and protection of the rights of children
    """
    block = _SessionBlock()
    rows: list[list[_Body]] = []  # bodies named on one line (two columns: two bodies)
    head: list[str] = []  # lines before a session line: the body's name
    current: _Body | None = None
    agenda_title: list[str] | None = None
    for position, line in enumerate(lines):
        kind = _line_kind(line, g)
        if kind == "text" and _starts_body(lines, position, names, g):
            agenda_title = None
        if kind == "text" and agenda_title is not None:
            agenda_title.append(line)
            current.agenda_title = _join(agenda_title)  # type: ignore[union-attr]
            continue
        if kind == "text":
            head.append(line)
            continue
        if kind == "records":
            continue
        if head:
            new_rows, rest = _read_names(head, names, g)
            block.leftover.extend(rest)
            rows.extend(new_rows)
            current, head = None, []
        targets = rows[-1] if rows else masthead_bodies
        if not targets:
            targets = [_Body(name="")]
            rows.append(targets)
        current = _apply(kind, line, targets, current, g)
        agenda_title = [] if kind == "agenda" else agenda_title
    block.leftover.extend(head)
    block.bodies = [body for row in rows for body in row]
    return block


def _starts_body(lines: list[str], position: int, names: _BodyNames, g: _Grammar) -> bool:
    """A line naming known bodies followed by their session: a new body, not a title."""
    if _known_bodies(lines[position], names) is None:
        return False
    following = lines[position + 1 : position + 2]
    return bool(following) and _line_kind(following[0], g) in ("session", "records")


def _apply(kind: str, line: str, targets: list[_Body], current: _Body | None, g: _Grammar):
    """Give a session, dates or agenda line to the body it belongs to; the body now current.

    Sessions printed in columns go to the bodies of the row above, one each; anything else
    goes to the body that received the last session, else to the row's first body.
    """
    if kind == "session":
        sessions = [match.group(0).strip() for match in _tile(g.session, line) or []]
        for body, session in zip(targets, sessions, strict=False):
            body.session = body.session or session
        return targets[0]
    body = current or targets[0]
    if kind == "dates":
        for name, value in (_read_dates(line, g) or {}).items():
            if not getattr(body, name):
                setattr(body, name, value)
    elif kind == "agenda" and not body.agenda_item and (match := g.agenda.fullmatch(line)):
        body.agenda_item = _text(match.group("item"))
        body.agenda_stars = match.group("stars") or ""
    return body


def _read_names(
    head: list[str], names: _BodyNames, g: _Grammar
) -> tuple[list[list[_Body]], list[str]]:
    """The bodies named by the last lines before a session line, and the lines before them.

    Read from the end: each time the fewest lines that make up known names (a name may
    wrap over several lines; one line may hold two names in two columns). When no known
    name ends the lines, the last lines from one that holds a body noun ("Committee",
    "Board") are the name of a body not in bodies.json.
    """
    rows: list[list[_Body]] = []
    end = len(head)
    while end > 0:
        found = None
        for size in range(1, min(_MAX_NAME_LINES, end) + 1):
            bodies = _known_bodies(_join(head[end - size : end]), names)
            if bodies:
                found = (size, bodies)
                break
        if found is None:
            break
        end -= found[0]
        rows.insert(0, found[1])
    if not rows:
        for start in range(end - 1, max(end - 4, -1), -1):
            if _starts_author(head[start], g) or _starts_letter(head[start], g):
                break
            if g.body_noun.search(head[start]):
                rows = [[_body(_join(head[start:end]), names)]]
                end = start
                break
    return rows, head[:end]


# --- Title and author -------------------------------------------------------------------


def _starts_capital(text: str) -> bool:
    return bool(text) and text[0].isupper()


def _starts_author(text: str, g: _Grammar) -> bool:
    return _starts_capital(text) and bool(g.report.fullmatch(text) or g.note.fullmatch(text))


def _starts_letter(text: str, g: _Grammar) -> bool:
    return _starts_capital(text) and bool(g.letter.match(text))


def _is_stop(text: str, g: _Grammar) -> bool:
    return _starts_capital(text) and bool(g.stop.fullmatch(text) or g.annex.fullmatch(text))


def _split_blocks(blocks: list[list[str]], g: _Grammar) -> list[list[str]]:
    """Blocks cut before an author line, a letter's title and a stop heading.

    pdftotext -layout sets the title and "Note by the Secretary-General" without a blank
    line between them; PDFium with one.
    """
    out: list[list[str]] = []
    for block in blocks:
        current: list[str] = []
        for line in block:
            starts = _starts_author(line, g) or _starts_letter(line, g) or _is_stop(line, g)
            if current and starts:
                out.append(current)
                current = []
            current.append(line)
        if current:
            out.append(current)
    return out


def _author(text: str, g: _Grammar) -> str:
    """The author in "Report of the X" / "Note by the X", without tails and personal names."""
    match = g.note.fullmatch(text) or g.report.fullmatch(text)
    if not match or not match.group("author"):
        return ""
    author = match.group("author").strip().rstrip("*").strip()
    if _PERSON.search(author) and "," in author:
        author = _PERSON.sub("", author)
    return author.rstrip(" ,;:*").strip()


def _letter(block: list[str], g: _Grammar) -> tuple[str, str]:
    """Title and author of a letter: "Letter dated ... from the X addressed to Y"."""
    lines: list[str] = []
    for line in block[:_MAX_TITLE_LINES]:
        if lines and g.letter_opener.match(line):
            break
        lines.append(line)
    title = _join(lines).rstrip("*").strip()
    match = g.letter_author.search(title)
    return title, (match.group("author").strip() if match else "")


def _is_note(text: str, g: _Grammar) -> bool:
    return _starts_capital(text) and bool(g.note.fullmatch(text))


def _block_author(block: list[str], g: _Grammar) -> str:
    """The author a "Note by the X" line or a "Report of the X" block names."""
    if _is_note(block[0], g):
        return _author(block[0], g)
    return _author(_join(block[:4]), g)  # a report's author may wrap: "..., Elisa Morgera"


def _author_block(first: list[str], following: list[list[str]], g: _Grammar):
    """The block naming the author: the one after the title, else the title itself
    ("Report of the Disarmament Commission for 2025" on an Official Records cover).

    After "Title" / "Report of the X" / "Note by the Y", the note's author transmits the
    report and is the document's author.
    """
    if following and _starts_author(following[0][0], g):
        second_is_note = len(following) > 1 and _is_note(following[1][0], g)
        if second_is_note and not _is_note(following[0][0], g):
            return following[1]
        return following[0]
    return first if _starts_author(first[0], g) else None


def _title_and_author(blocks: list[list[str]], g: _Grammar) -> tuple[str, str]:
    """The title block and the author line after it (for a note, the transmitting author)."""
    candidates: list[list[str]] = []
    for block in _split_blocks(blocks, g):
        if _is_stop(block[0], g):
            break
        candidates.append(block)
    if not candidates:
        return "", ""
    first = candidates[0]
    if _starts_letter(first[0], g):
        return _letter(first, g)
    if _is_note(first[0], g):  # no title, only "Note by the Secretary-General"
        return "", _block_author(first, g)
    title = _join(first).rstrip("*").strip() if len(first) <= _MAX_TITLE_LINES else ""
    author_block = _author_block(first, candidates[1:], g)
    return title, (_block_author(author_block, g) if author_block else "")


# --- The cover --------------------------------------------------------------------------


def _drop_furniture(rows: list[str]) -> list[str]:
    """Page furniture blanked, and furniture columns of a layout line dropped."""
    out: list[str] = []
    for row in rows:
        cells = _cells(row)
        if not cells or all(_is_furniture(cell) for cell in cells):
            out.append("")
        elif len(cells) > 1:
            out.append("   ".join(cell for cell in cells if not _is_furniture(cell)))
        else:
            out.append(row)
    return out


def _take_footnotes(rows: list[str]) -> dict[str, str]:
    """Starred footnotes ("* A/80/150.") removed from the lines, by label."""
    footnotes: dict[str, str] = {}
    index = 0
    while index < len(rows):
        match = _FOOTNOTE.fullmatch(rows[index].strip())
        if not match or match.group(2).endswith("*") or (index > 0 and rows[index - 1].strip()):
            index += 1
            continue
        text = [match.group(2)]
        rows[index] = ""
        index += 1
        while index < len(rows) and rows[index].strip():  # the note's wrapped lines
            text.append(rows[index])
            rows[index] = ""
            index += 1
        footnotes.setdefault(match.group(1), _join(text))
    return footnotes


def _merge(bodies: list[_Body], new: _Body) -> None:
    """Add a body, or complete the one already read under the same name."""
    for body in bodies:
        if _fold(body.name) == _fold(new.name):
            body.fill(new)
            return
    bodies.append(new)


def _issuing_bodies(masthead: _Masthead, names: _BodyNames) -> list[_Body]:
    """The organs named in the masthead, known ones by name, the rest as printed."""
    text = _join(masthead.issuers)
    if not text:
        return []
    known = _known_bodies(text, names)
    if known:
        return known
    bodies: list[_Body] = []
    position = 0
    for match in names.pattern.finditer(text):
        between = text[position : match.start()].strip(" ,")
        if between:
            bodies.append(_body(between, names))
        bodies.append(_body(match.group(0), names))
        position = match.end()
    if text[position:].strip(" ,"):
        bodies.append(_body(text[position:].strip(" ,"), names))
    return bodies


def parse_cover(
    lines: list[str],
    words: CoverWords,
    *,
    source_format: str = "pdf",
    footnotes: Iterable[FootnoteLike] = (),
    bodies: Mapping[str, str] | None = None,
) -> ReportMetadata:
    """The metadata printed on a UN document's cover.

    lines: the document's lines from its start up to its first section heading or
    numbered paragraph (PDFium or `pdftotext -layout` text). footnotes: starred notes the
    caller already took out of the text. bodies: body name -> code, by default the names
    in this language in data/bodies.json.
    """
    g = _grammar(words)
    pairs = tuple(bodies.items()) if bodies is not None else _bodies_from_data(words.language)
    names = _body_names(pairs)
    rows = _prepare(list(lines or []))

    masthead = _find_masthead(rows, g)
    for index in masthead.rows:
        rows[index] = ""
    rows = _drop_furniture(rows)
    notes = {note.label: note.text for note in footnotes}
    for label, text in _take_footnotes(rows).items():
        notes.setdefault(label, text)

    found = _issuing_bodies(masthead, names)
    issuers = list(found)
    title_blocks: list[list[str]] = []
    for _, block in blocks(rows, _text):
        if not _is_session_block(block, g):
            title_blocks.append(block)
            continue
        read = _read_session_block(block, issuers, names, g)
        for body in read.bodies:
            _merge(found, body)
        if read.leftover:
            title_blocks.append(read.leftover)

    addressed = [body for body in found if body.addressed] or found
    for body in addressed:
        body.agenda_symbol = body.agenda_symbol or _agenda_symbol(body, notes)
    title, author = _title_and_author(title_blocks, g)
    return ReportMetadata(
        title=title,
        author=author,
        symbol=masthead.symbol,
        bodies=tuple(body.session_record() for body in addressed),
        document_date=masthead.document_date,
        source_format=source_format,
        language=words.language,
    )


def _agenda_symbol(body: _Body, notes: Mapping[str, str]) -> str:
    """The symbol of the agenda, from the footnote the agenda line's asterisk points to."""
    if not body.agenda_stars:
        return ""
    return _symbol(notes.get(body.agenda_stars, "")) or ""
