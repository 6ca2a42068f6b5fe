"""The words of an English UN cover page (see parsing/cover.py for the templates)."""

from ...cover import MASTHEAD_MONTHS, CoverWords

_UNITS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
)
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TENTHS = tuple(f"{tens[:-1]}ieth" for tens in _TENS)  # "twentieth" ... "ninetieth"

WORDS = CoverWords(
    language="en",
    months=MASTHEAD_MONTHS,
    masthead=("United Nations",),
    distribution=("Distr.",),
    original=("Original:",),
    language_names=("Arabic", "Chinese", "English", "French", "Russian", "Spanish"),
    only=("only",),
    and_words=("and",),
    range_words=("to", "and"),
    ordinals=(*_UNITS, *_TENTHS, "hundredth"),
    ordinal_tens=_TENS,
    numeric_ordinal=r"\d{1,3}(?:st|nd|rd|th)",
    session_qualifiers=(
        "regular",
        "special",
        "emergency special",
        "resumed",
        "annual",
        "substantive",
        "organizational",
    ),
    sessions=(
        # "Eightieth session", "Twenty-third session", "First regular session 2025",
        # "Resumed seventy-ninth session".
        "(?:{qualifier} )*{ordinal} (?:{qualifier} )*session(?: (?:of )?{year})?",
        # "2025 session" (the Economic and Social Council's), "Annual session 2025",
        # "Substantive session of 2025".
        "{year} (?:{qualifier} )*session",
        "(?:{qualifier} )+session(?: (?:of )?{year})?",
        # The Security Council counts years: "Eightieth year".
        "{ordinal} year",
    ),
    agenda_lists=(
        "provisional agenda",
        "annotated provisional agenda",
        "preliminary list",
        "annotated preliminary list",
        "agenda",
    ),
    agenda_items=(
        # "Item 72 (b) of the provisional agenda", "Items 3 and 4 of the preliminary list".
        "Items? {item} of the {list}",
        # "Agenda item 67", "Provisional agenda item 5".
        "(?:Provisional )?agenda items? {item}",
    ),
    official_records=("Official Records",),
    supplements=(r"Supplement No\. {number}",),
    reports=("(?:Joint )?report of the {author}",),
    notes=("Note by the {author}",),
    author_tails=("for {year}", "on (?:the work of )?its .+", "(?:at|during) its .+"),
    letters=(
        "(?:Identical )?letters? dated",
        r"(?:Identical )?letters? of \d",
        "(?:Identical )?notes? verbales? dated",
    ),
    letter_authors=("from (?:the )?{author} addressed to",),
    letter_openers=(
        "I have the honour",
        "I have the pleasure",
        "I should be grateful",
        "I would be grateful",
        "I am writing",
        "I write",
        "On behalf of",
        "With reference to",
        "Further to",
    ),
    annexes=(
        r"Annex(?:es)?(?: [IVXL\d]+)?\.?",
        "Annex(?:es)? to .*",
        r"Enclosure(?: [IVXL\d]+)?\.?",
        "Appendix(?: [IVXL\\d]+)?\\.?",
    ),
    stops=("Summary", "Abstract", "Contents", "Note", "Foreword", "Preface"),
    body_nouns=(
        "Assembly",
        "Board",
        "Commission",
        "Committee",
        "Conference",
        "Council",
        "Forum",
        "Group",
        "Mechanism",
        "Meeting",
        "Panel",
        "Platform",
    ),
)
