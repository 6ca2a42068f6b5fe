"""The theme taxonomy and the keyword rules that assign themes (both kept as data).

Each theme has keywords per language ({"zh": [...], "en": [...]}). A recommendation's
text takes every theme with a keyword of the report's language in it:

- Chinese (and any language written without spaces between words): the keyword occurs
  anywhere in the text, white space ignored on both sides;
- English (and any other language): the keyword occurs as whole words, case ignored,
  each word also in its plural ("firearm" finds "firearms", "policy" finds "policies"),
  words joined by a space, a hyphen or nothing alike ("money laundering" finds
  "money-laundering"; "cyber-crime" finds "cybercrime").

A theme heading is recognised by the theme's Chinese or English name (case ignored,
a leading "A." / "(b)" / "1." ignored).

Pure Python: the parser uses it as loaded from data/themes.json (Taxonomy.load), the
import builds it from the database (recommendations.selectors.themes.taxonomy).
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .text import normalise

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parent.parent / "data" / "themes.json"

# Languages whose keywords are kept and edited (in this order), and those matched as
# substrings because they do not separate words with spaces.
KEYWORD_LANGUAGES: tuple[str, ...] = ("zh", "en")
SUBSTRING_LANGUAGES: frozenset[str] = frozenset({"zh", "ja"})

# Between the words of a keyword: spaces, hyphens (also soft and non-breaking) or nothing.
_JOINER = r"[\s\-\u00ad\u2010\u2011]*"
# A leading enumeration on a heading: "A.", "(b)", "1.", "c)", "Ａ．".
_HEADING_NUMBER = re.compile(r"^\s*\(?(?:[A-Za-zＡ-Ｚａ-ｚ]|\d{1,2})\s*[.)．）、]\s*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_WORD = re.compile(r"[^\s\-\u00ad\u2010\u2011]+")


@dataclass(frozen=True)
class Theme:
    code: str
    name_zh: str
    name_en: str
    # language code -> keywords in that language
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def keywords_in(self, language: str) -> tuple[str, ...]:
        return tuple(self.keywords.get(language, ()))


def clean_keywords(keywords: Mapping[str, Iterable[str]] | Iterable[str]) -> dict:
    """{language: [keyword, ...]} with white space collapsed and empty or repeated
    keywords dropped (case ignored). A plain list is taken as Chinese (the format before
    keywords were kept per language)."""
    if not isinstance(keywords, Mapping):
        keywords = {"zh": keywords}
    cleaned: dict[str, list[str]] = {}
    for language, words in keywords.items():
        seen: set[str] = set()
        kept = []
        for word in words:
            word = " ".join(str(word).split())
            if word and word.casefold() not in seen:
                seen.add(word.casefold())
                kept.append(word)
        if kept:
            cleaned[language] = kept
    return cleaned


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]

    @classmethod
    def load(cls, path: Path = DEFAULT_TAXONOMY_PATH) -> "Taxonomy":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: dict) -> "Taxonomy":
        """From {"themes": [{"code", "name_zh", "name_en", "keywords"}, ...]}."""
        return cls(
            themes=tuple(
                Theme(
                    code=item["code"],
                    name_zh=item["name_zh"],
                    name_en=item["name_en"],
                    keywords={
                        language: tuple(words)
                        for language, words in clean_keywords(item.get("keywords", {})).items()
                    },
                )
                for item in data["themes"]
            )
        )

    def for_heading(self, heading: str) -> str | None:
        """The theme whose Chinese or English name is this heading, if any."""
        wanted = _heading_key(heading)
        if not wanted:
            return None
        for theme in self.themes:
            if wanted in (_heading_key(theme.name_zh), _heading_key(theme.name_en)):
                return theme.code
        return None

    def by_keywords(self, text: str, language: str = "zh") -> tuple[str, ...]:
        """Themes with a keyword of this language in the text, in taxonomy order."""
        if language in SUBSTRING_LANGUAGES:
            flat = _key(text)
            return tuple(
                theme.code
                for theme in self.themes
                if any(key in flat for key in self._substring_keys(theme, language))
            )
        text = text.translate(_APOSTROPHES)
        return tuple(
            code for code, pattern in self._word_patterns.get(language, ()) if pattern.search(text)
        )

    @staticmethod
    def _substring_keys(theme: Theme, language: str) -> Iterable[str]:
        for keyword in theme.keywords_in(language):
            if keyword_usable(keyword):
                yield _key(keyword)

    @cached_property
    def _word_patterns(self) -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
        """Per language (other than the substring ones): (theme code, one pattern for
        all its keywords), for the themes that have keywords in that language."""
        languages = {
            language
            for theme in self.themes
            for language in theme.keywords
            if language not in SUBSTRING_LANGUAGES
        }
        patterns = {}
        for language in sorted(languages):
            pairs = []
            for theme in self.themes:
                alternatives = [
                    keyword_pattern(keyword)
                    for keyword in theme.keywords_in(language)
                    if keyword_usable(keyword)
                ]
                if alternatives:
                    joined = "|".join(alternatives)
                    pairs.append(
                        (theme.code, re.compile(rf"(?<!\w)(?:{joined})(?!\w)", re.IGNORECASE))
                    )
            patterns[language] = tuple(pairs)
        return patterns


def keyword_usable(keyword: str) -> bool:
    """Whether a keyword can find anything: it holds a letter or a digit."""
    return any(char.isalnum() for char in keyword)


def keyword_pattern(keyword: str) -> str:
    """The regular expression (without the word boundaries) for a keyword written with
    spaces between words: each word also in its plural, words joined by a space, a
    hyphen or nothing."""
    words = _WORD.findall(keyword.translate(_APOSTROPHES))
    return _JOINER.join(_word_pattern(word) for word in words)


def _word_pattern(word: str) -> str:
    """One word, singular or plural: "firearm(s)", "polic(y|ies)", "witness(es)"."""
    lower = word.lower()
    if len(lower) < 3 or not lower[-1].isalpha():
        return re.escape(word)
    if lower.endswith("ies") and len(lower) > 4:
        return re.escape(word[:-3]) + "(?:y|ies)"
    if lower.endswith("y") and lower[-2] not in "aeiou":
        return re.escape(word[:-1]) + "(?:y|ies)"
    if lower.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        word = word[:-1]
    plural = "(?:es)?" if word.lower().endswith(("s", "x", "z", "ch", "sh")) else "s?"
    return re.escape(word) + plural


def _key(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))


def _heading_key(text: str) -> str:
    text = _HEADING_NUMBER.sub("", normalise(text).translate(_APOSTROPHES))
    text = re.sub(r"[\s\-\u2010\u2011]+", "", text)
    return text.rstrip(".:：。").casefold()
