"""Language profiles: everything the parser knows that depends on the language.

A profile holds the words and patterns of one official language: how sections and
annexes are headed and numbered, which section titles hold recommendations, how a
recommending sentence and its addressee clause read, how wrapped lines are joined,
how the cover page is read, and the names of the governing bodies. The structure
scanner (document.py) and the clean-up (text.py) are shared by all languages.

A new language is one module here (see ``en`` and ``zh``) registered in ``PROFILES``,
plus its theme keywords in data/themes.json and its body names in data/bodies.json.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..model import ReportMetadata
from ..text import Footnote

_DATA = Path(__file__).resolve().parent.parent.parent / "data"

# (lines of the front matter, footnotes found in it, whether the source was Markdown)
CoverReader = Callable[[list[str], list[Footnote], bool], ReportMetadata]


@dataclass(frozen=True)
class LanguageProfile:
    code: str  # ISO 639-1, as stored on Report.language
    name: str
    # Detection: the characters that identify the language's script, and a few
    # frequent function words (for Latin-script languages that share a script).
    script: re.Pattern[str]
    markers: re.Pattern[str] | None

    # Structure.
    section: re.Pattern[str]  # a section heading: group 1 its numeral, group 2 its title
    section_number: Callable[[str], int]
    annex: re.Pattern[str]  # an annex heading; group "title" the annex's own title if any
    letter_heading: re.Pattern[str]  # "A. Title" sub-heading; group 1 the title
    table_of_contents: re.Pattern[str]  # a heading line that is a contents entry
    recommendation_titles: tuple[re.Pattern[str], ...]  # in order of preference
    excluded_titles: re.Pattern[str]  # titles that look like, but are not, the section
    section_end: re.Pattern[str]  # lines that close a section ("Notes", "注")
    max_title_length: int
    title: re.Pattern[str]  # what a heading's text looks like
    heading_lines: int  # lines a heading may wrap over
    headings_need_space: bool  # a heading stands after vertical space (a blank line)

    # Evaluation reports: "Recommendation 4." blocks with "4.2." points, each block
    # followed by a response that is not part of it.
    block: re.Pattern[str] | None
    block_end: re.Pattern[str] | None

    # Sentences.
    recommending: re.Pattern[str]  # a paragraph that asks someone to act
    not_recommending: re.Pattern[str] | None  # phrases that only look like it
    recommending_scope: Callable[[str], str]  # the part of a paragraph to look in
    items_carry_signal: bool  # a chapeau without the signal counts if its items have it
    chapeau: re.Pattern[str]  # "the following recommendations:" introduces, is not one
    addressee: Callable[[str], str]  # the addressee clause of a paragraph without items
    chapeau_addressee: Callable[[str], str]  # the addressee clause from a chapeau
    operative: re.Pattern[str] | None  # an adopted resolution's operative paragraph

    # Text.
    join_lines: Callable[[list[str]], str]
    normalise: Callable[[str], str]
    sentence_end: str

    # Cover page and bodies.
    read_cover: CoverReader
    body_names: dict[str, str]  # name in this language -> body code
    # (addressee clause, codes of the bodies the report addresses) -> codes addressed
    addressed_bodies: Callable[[str, list[str]], tuple[str, ...]]


def body_names(language: str) -> dict[str, str]:
    """Body names in one language, from data/bodies.json."""
    rows = json.loads((_DATA / "bodies.json").read_text(encoding="utf-8"))
    key = f"name_{language}"
    return {row[key]: row["code"] for row in rows if row.get(key)}


def _registry() -> dict[str, LanguageProfile]:
    from .en import PROFILE as ENGLISH
    from .zh import PROFILE as CHINESE

    return {profile.code: profile for profile in (CHINESE, ENGLISH)}


PROFILES: dict[str, LanguageProfile] = _registry()


def get_profile(code: str) -> LanguageProfile:
    return PROFILES[code]


def detect_language(text: str, *, sample: int = 20000) -> LanguageProfile | None:
    """The profile whose script (and marker words) dominate the text, if any.

    A report in a language without a profile gives None, so that the caller can say
    which languages are supported instead of misreading the text.
    """
    head = text[:sample]
    best, best_score = None, 0
    for profile in PROFILES.values():
        letters = len(profile.script.findall(head))
        if profile.markers is not None:
            # Latin-script languages share letters: weigh by their own function words.
            letters = min(letters, 40 * len(profile.markers.findall(head)))
        if letters > best_score:
            best, best_score = profile, letters
    return best if best_score >= 30 else None
