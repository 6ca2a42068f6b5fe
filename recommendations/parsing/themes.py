"""The theme taxonomy and the keyword rules that assign themes (both kept as data)."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .text import normalise

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parent.parent / "data" / "themes.json"


@dataclass(frozen=True)
class Theme:
    code: str
    name_zh: str
    name_en: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]

    @classmethod
    def load(cls, path: Path = DEFAULT_TAXONOMY_PATH) -> "Taxonomy":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: dict) -> "Taxonomy":
        return cls(
            themes=tuple(
                Theme(
                    code=item["code"],
                    name_zh=item["name_zh"],
                    name_en=item["name_en"],
                    keywords=tuple(item.get("keywords", ())),
                )
                for item in data["themes"]
            )
        )

    def for_heading(self, heading: str) -> str | None:
        """The theme whose Chinese name is this heading (spaces ignored), if any."""
        wanted = _key(heading)
        for theme in self.themes:
            if _key(theme.name_zh) == wanted:
                return theme.code
        return None

    def by_keywords(self, text: str) -> tuple[str, ...]:
        """Themes whose keywords occur in the text, in taxonomy order."""
        flat = _key(text)
        return tuple(
            theme.code
            for theme in self.themes
            if any(_key(keyword) in flat for keyword in theme.keywords)
        )


def _key(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))
