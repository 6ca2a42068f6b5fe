"""Bar charts of coverage figures, laid out for inline SVG drawn on the server.

Pure geometry: the template turns these into <rect> and <text> elements.
"""

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
BAR_WIDTH = 420
ROW_HEIGHT = 26
BAR_HEIGHT = 18


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
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4

    @property
    def value_x(self) -> float:
        end = max((s.x + s.width for s in self.segments), default=LABEL_WIDTH)
        return end + 6


@dataclass
class Chart:
    rows: list[Row]
    width: int = LABEL_WIDTH + BAR_WIDTH + 80
    label_x: int = LABEL_WIDTH - 8

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
