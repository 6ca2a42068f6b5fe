"""English: the UN's working language, in which most reports are written first."""

import re

from ...cover import parse_cover
from ...model import ReportMetadata
from ...text import collapse_spaces, join_wrapped
from .. import LanguageProfile, body_names
from .cover import WORDS

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman(text: str) -> int:
    """A Roman numeral ("XIV") to an int; 0 when it is not one."""
    total, previous = 0, 0
    for char in reversed(text.upper()):
        value = _ROMAN.get(char)
        if value is None:
            return 0
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


# --- Sentences ------------------------------------------------------------------------

# What makes a paragraph a recommendation: someone is asked, urged, invited,
# encouraged or advised to act, actively or in the passive.
RECOMMENDING = re.compile(
    r"\b(?:should|must|shall|ought\s+to"
    r"|(?:recommend|encourage|urge|invite|request|advise|suggest|propose|call)s?\b"
    r"|recommended\s+that|(?:may|might)\s+wish\s+to|calls?\s+(?:up)?on"
    r"|(?:is|are|be)\s+(?:strongly\s+|further\s+|also\s+)?"
    r"(?:recommended|encouraged|invited|urged|requested|called\s+upon|advised)"
    r"|it\s+is\s+(?:essential|critical|crucial|imperative|vital)\s+that)",
    re.IGNORECASE,
)
# Phrases that use those words without asking anyone to act.
NOT_RECOMMENDING = re.compile(
    r"\b(?:it\s+should\s+be\s+(?:noted|recalled|borne\s+in\s+mind|stressed)"
    r"|as\s+(?:recommended|requested|suggested|proposed|called\s+for)\s+(?:by|in)"
    r"|(?:were|was|had\s+been|have\s+been|has\s+been)\s+(?:recommended|requested|invited|"
    r"encouraged|urged|proposed|suggested|advised)"
    r"|(?:review|evaluation|report|study|assessment|findings?|analysis|data)\s+"
    r"(?:suggests?|proposes?|recommends?)"
    r"|in\s+request\b|upon\s+request|on\s+request|at\s+the\s+request)",
    re.IGNORECASE,
)
# Continuations of an addressee formula after its verb, up to "to" or "that":
# "may wish to| consider encouraging Member States to", "recommends| that".
_FORMULA_TAIL = re.compile(
    r"(?:\s+(?:also|further|therefore|strongly|consider(?:ing)?|encourag(?:e|ing)|invit(?:e|ing)"
    r"|urg(?:e|ing)|request(?:ing)?|call(?:ing)?\s+(?:up)?on|all|relevant|Member\s+States"
    r"|States|Governments|the\s+international\s+community))*?\s+(?:to|that)\b",
)
_SENTENCE_START = re.compile(r"(?:^|(?<=[.;:!?])\s+)(?=[A-Z“\"(])")
_OPERATIVE = re.compile(
    r"^(?:Encourages|Requests|Invites|Urges|Calls\s+upon|Decides|Recommends|Welcomes|"
    r"Takes\s+note|Notes|Reaffirms|Recalls|Recognizes|Emphasizes|Stresses|Underlines|"
    r"Expresses|Acknowledges|Affirms|Endorses|Approves|Adopts|Authorizes|Appeals|Commends|"
    r"Also\s+(?:requests|encourages|invites|urges|decides|calls\s+upon))\b"
)


def mask_not_recommending(text: str) -> str:
    """The text with phrases that only look like recommendations blanked out."""
    return NOT_RECOMMENDING.sub(lambda match: " " * len(match.group(0)), text)


def addressee(text: str) -> str:
    """The clause that says who is asked to act, up to the recommending formula.

    "On the basis of the foregoing, the Secretary-General recommends that" and
    "The Commission may wish to consider encouraging Member States to" are read whole,
    however the sentence opens.
    """
    match = RECOMMENDING.search(mask_not_recommending(text))
    if not match:
        return ""
    starts = [m.end() for m in _SENTENCE_START.finditer(text, 0, match.start())]
    start = starts[-1] if starts else 0
    tail = _FORMULA_TAIL.match(text, match.end())
    end = tail.end() if tail else match.end()
    return text[start:end].strip()


def chapeau_addressee(text: str) -> str:
    """The last sentence of a chapeau, the one that opens the list ("States should:")."""
    starts = [m.end() for m in _SENTENCE_START.finditer(text)]
    text = text.strip()
    for start in reversed(starts):
        if start < len(text) - 1:
            return text[start:].rstrip(" :").strip()
    return text.rstrip(" :")


# --- Text -----------------------------------------------------------------------------

_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\S) +(?=[.,;:!?)\]](?:\s|$))")
_SPACE_AFTER_OPEN = re.compile(r"(?<=[(\[]) +")
# "life -supporting", "Nation ’s", "called “ essential use ”": spaces that text
# extraction puts where a wide letter gap was printed.
_SPACE_BEFORE_HYPHEN = re.compile(r"(?<=[A-Za-z]) -(?=[A-Za-z])")
_SPACE_BEFORE_CLOSING = re.compile(r"(?<=\S) +(?=[’”](?:\W|$))")
_SPACED_HYPHEN = re.compile(r"(?<=[A-Za-z]) -$")


def normalise(text: str) -> str:
    """One space between words; no space before closing punctuation or after "("."""
    text = collapse_spaces(text)
    text = _SPACE_BEFORE_PUNCT.sub("", text)
    text = _SPACE_BEFORE_HYPHEN.sub("-", text)
    text = _SPACE_BEFORE_CLOSING.sub("", text)
    return _SPACE_AFTER_OPEN.sub("", text)


def _glue(out: str, part: str) -> str:
    """A space between wrapped lines, except after a word broken at a hyphen."""
    # "long -" / "term": a hyphen that text extraction set apart from its word.
    out = _SPACED_HYPHEN.sub("-", out)
    return out if out.endswith("-") and len(out) > 1 and out[-2].isalpha() else out + " "


def join_lines(parts: list[str]) -> str:
    """Join wrapped lines with a space; a word broken at a hyphen is joined, hyphen kept."""
    return normalise(join_wrapped(parts, _glue))


_BODY_NAMES = body_names("en")
_GENERIC_BODY = re.compile(r"\b(?:the )?(?:Commission|Council|Board|Conference|Committee)\b")


def addressed_bodies(addressee: str, report_bodies: list[str]) -> tuple[str, ...]:
    """Bodies named in the addressee clause; "the Commission" alone is the report's own."""
    lowered = addressee.lower()
    codes = [code for name, code in _BODY_NAMES.items() if name.lower() in lowered]
    if not codes and _GENERIC_BODY.search(addressee) and len(report_bodies) == 1:
        codes = list(report_bodies)
    return tuple(dict.fromkeys(codes))


def _read_cover(lines: list[str], footnotes, is_markdown: bool) -> ReportMetadata:
    return parse_cover(lines, WORDS, footnotes=footnotes)


PROFILE = LanguageProfile(
    code="en",
    name="English",
    script=re.compile(r"[A-Za-z]"),
    markers=re.compile(r"\b(?:the|and|of|to|that|for|with|should)\b", re.IGNORECASE),
    section=re.compile(r"^\s*([IVXL]{1,7})\s*\.\s+(\S.{0,160}?)\s*$"),
    section_number=roman,
    annex=re.compile(
        r"^\s*Annex(?:es)?(?:\s+[IVXL0-9]{1,6})?\s*(?:[.:]\s*|\s+(?=to\b))?(?P<title>.{0,120}?)\s*$"
    ),
    letter_heading=re.compile(r"^\s*[A-Z]\s*\.\s+([A-Z0-9“\"].{0,120})$"),
    table_of_contents=re.compile(r"(?:\.\s?){4,}\s*\d*\s*$|\s\d{1,3}\s*$"),
    recommendation_titles=(
        re.compile(r"\brecommendations?\b", re.IGNORECASE),
        re.compile(r"\bconclusions?\b", re.IGNORECASE),
    ),
    excluded_titles=re.compile(
        r"recommendations?\s+of\s+(?:the\s+)?(?:subsidiary|other)\s+bod|"
        r"matters?\s+calling\s+for\s+action|(?:draft\s+)?resolutions?\s+(?:and\s+decisions?\s+)?"
        r"(?:adopted|recommended)|decisions?\s+adopted",
        re.IGNORECASE,
    ),
    section_end=re.compile(r"^\s*(?:Notes|Endnotes|References|Bibliography)\s*$"),
    max_title_length=120,
    title=re.compile(r"^[A-Z0-9“\"‘(]"),
    heading_lines=3,
    headings_need_space=True,
    block=re.compile(r"^\s*Recommendation\s+(\d{1,2})\s*[.:]?(?:\s+(\S.*))?$"),
    block_end=re.compile(r"^\s*Management\s+response\b", re.IGNORECASE),
    recommending=RECOMMENDING,
    not_recommending=NOT_RECOMMENDING,
    recommending_scope=mask_not_recommending,
    items_carry_signal=True,
    chapeau=re.compile(
        r"\bthe\s+following\s+recommendations\b|\brecommendations\s+(?:below|that\s+follow)\b",
        re.IGNORECASE,
    ),
    addressee=addressee,
    chapeau_addressee=chapeau_addressee,
    operative=_OPERATIVE,
    join_lines=join_lines,
    normalise=normalise,
    sentence_end=".;:!?",
    read_cover=_read_cover,
    body_names=_BODY_NAMES,
    addressed_bodies=addressed_bodies,
)
