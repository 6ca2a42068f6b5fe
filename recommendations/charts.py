"""Bar charts of coverage figures, laid out for inline SVG drawn on the server.

Pure geometry: the template turns these into <rect> and <text> elements. A label longer
than its column wraps onto a second line and, if still too long, ends in an ellipsis (the
full label is the row's <title>); widths are estimated per character, generously, so
that no label runs out of the SVG in either language.
"""

import unicodedata
from dataclasses import dataclass, field

from recommendations.choices import Status

STATUS_COLOURS = {
    Status.NOT_STARTED: "#b0b7c3",
    Status.IN_PROGRESS: "#f2b134",
    Status.IMPLEMENTED: "#2e8b57",
    Status.NOT_IMPLEMENTED: "#c0392b",
    Status.NOT_APPLICABLE: "#7f8c8d",
}

LABEL_WIDTH = 260
LABEL_GAP = 8  # between a label's end and its bar
BAR_WIDTH = 420
VALUE_WIDTH = 100  # room after the longest bar for "100% (999/999)"
ROW_HEIGHT = 34  # two lines of label
BAR_HEIGHT = 18
FONT_SIZE = 12
LINE_HEIGHT = 14
ELLIPSIS = "…"


def _em(char: str) -> float:
    if unicodedata.east_asian_width(char) in "WF" or char in "mwMW@%":
        return 1.0
    return 0.75 if char.isupper() else 0.62


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """An upper estimate of a text's width in a sans-serif font: a full em for wide (CJK)
    characters and the widest letters, 0.75 em for capitals, 0.62 em for the rest (wider
    than the average Latin letter)."""
    return sum(font_size * _em(char) for char in text)


def _longest_prefix(text: str, width: float) -> int:
    """How many characters of `text` fit in `width`."""
    used = 0.0
    for count, char in enumerate(text):
        used += text_width(char)
        if used > width:
            return count
    return len(text)


def wrap_label(label: str, width: float = LABEL_WIDTH - LABEL_GAP, lines: int = 2) -> list[str]:
    """The label in at most `lines` lines of `width`, broken at spaces where a line has
    one (anywhere in text without spaces, as Chinese is), the last one ending in "…" when
    the label does not fit."""
    result = []
    rest = label.strip()
    while rest and len(result) < lines:
        if text_width(rest) <= width:
            result.append(rest)
            return result
        if len(result) == lines - 1:
            cut = _longest_prefix(rest, width - text_width(ELLIPSIS))
            result.append(rest[:cut].rstrip() + ELLIPSIS)
            return result
        cut = _longest_prefix(rest, width)
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0:
            cut = space
        result.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    return result


@dataclass
class Segment:
    x: float
    width: float
    colour: str
    title: str


@dataclass
class Row:
    y: int
    label: str
    value_text: str
    segments: list[Segment] = field(default_factory=list)

    @property
    def bar_y(self) -> int:
        return self.y + (ROW_HEIGHT - BAR_HEIGHT) // 2

    @property
    def text_y(self) -> int:
        """The baseline of a one-line text centred on the bar."""
        return self.bar_y + BAR_HEIGHT - 5

    @property
    def label_lines(self) -> list[dict]:
        """The label's lines with their baselines, centred on the bar together."""
        lines = wrap_label(self.label)
        first = self.text_y - (len(lines) - 1) * LINE_HEIGHT / 2
        return [{"text": line, "y": first + i * LINE_HEIGHT} for i, line in enumerate(lines)]

    @property
    def value_x(self) -> float:
        end = max((s.x + s.width for s in self.segments), default=LABEL_WIDTH)
        return end + 6


@dataclass
class Chart:
    rows: list[Row]
    width: int = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    label_x: int = LABEL_WIDTH - LABEL_GAP
    bar_height: int = BAR_HEIGHT
    font_size: int = FONT_SIZE

    @property
    def height(self) -> int:
        return len(self.rows) * ROW_HEIGHT + 8


def coverage_chart(themes: list[dict], names: dict[str, str]) -> Chart:
    """One bar per theme: coverage %, from 0 to 100."""
    rows = []
    for index, theme in enumerate(themes):
        width = BAR_WIDTH * theme["coverage_pct"] / 100
        rows.append(
            Row(
                y=4 + index * ROW_HEIGHT,
                label=names[theme["code"]],
                value_text=(
                    f"{theme['coverage_pct']}% ({theme['covered']}/{theme['recommendations']})"
                ),
                segments=[Segment(LABEL_WIDTH, width, "#2f6f9f", f"{theme['coverage_pct']}%")],
            )
        )
    return Chart(rows)


def status_chart(themes: list[dict], names: dict[str, str], labels: dict[str, str]) -> Chart:
    """One stacked bar per theme: its follow-ups by status, scaled to the largest theme."""
    largest = max((sum(t["status_counts"].values()) for t in themes), default=0) or 1
    rows = []
    for index, theme in enumerate(themes):
        x = float(LABEL_WIDTH)
        segments = []
        total = sum(theme["status_counts"].values())
        for status in Status.values:
            count = theme["status_counts"].get(status, 0)
            if not count:
                continue
            width = BAR_WIDTH * count / largest
            segments.append(Segment(x, width, STATUS_COLOURS[status], f"{labels[status]}: {count}"))
            x += width
        rows.append(
            Row(
                y=4 + index * ROW_HEIGHT,
                label=names[theme["code"]],
                value_text=str(total),
                segments=segments,
            )
        )
    return Chart(rows)


def heat_class(share: float) -> str:
    """A CSS class per 10 % band of a share (styles in the page's stylesheet)."""
    return f"heat-{min(10, int(share // 10)) if share else 0}"
