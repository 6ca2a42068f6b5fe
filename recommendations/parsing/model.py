"""Plain data produced by the parser (no Django)."""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class BodySession:
    """A governing body addressed by the report, with its session."""

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


@dataclass(frozen=True)
class ReportMetadata:
    title: str = ""
    author: str = ""
    symbol: str | None = None  # the report's own UN symbol, when the text states it
    bodies: tuple[BodySession, ...] = ()
    document_date: date | None = None
    source_format: str = "pdf-text"  # or "markdown"
    language: str = "zh"

    @property
    def agenda_symbols(self) -> tuple[str, ...]:
        return tuple(body.agenda_symbol for body in self.bodies if body.agenda_symbol)


@dataclass(frozen=True)
class ThemeAssignment:
    code: str
    source: str  # "heading" or "rule"


@dataclass(frozen=True)
class ParsedRecommendation:
    paragraph: str
    item: str
    text: str
    addressee: str
    heading: str
    position: int
    line: int
    themes: tuple[ThemeAssignment, ...] = ()
    sdg_targets: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    is_point: bool = False  # "4.2": a numbered point of an evaluation's recommendation

    @property
    def label(self) -> str:
        return self.make_label(self.paragraph, self.item, is_point=self.is_point)

    @staticmethod
    def make_label(paragraph: str, item: str, *, is_point: bool = False) -> str:
        """ "57", "62(a)", "29/2(b)"; "4.2" for a point of an evaluation's recommendation."""
        if not item:
            return paragraph
        if is_point:
            return f"{paragraph}.{item}"
        return f"{paragraph}({item})"


@dataclass(frozen=True)
class ParsedReport:
    metadata: ReportMetadata
    recommendations: tuple[ParsedRecommendation, ...] = ()
    section_title: str | None = None  # None: the report has no recommendations section
    notes: tuple[str, ...] = field(default=())
