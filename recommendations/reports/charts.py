"""The coverage page's two bar charts (recommendations/charts.py) as PNG images for the
session report, drawn with matplotlib on the server (Agg backend: no display, no
browser). Same figures, same colours and the same label wrapping as the page's SVG.

Chinese labels need a font with CJK glyphs: the first of CJK_FONTS installed is put
before matplotlib's default sans-serif, and matplotlib falls back glyph by glyph along
the list.
"""

import io

from recommendations.charts import STATUS_COLOURS, wrap_label

COVERAGE_COLOUR = "#2f6f9f"  # the page's coverage bar
CJK_FONTS = [
    "Microsoft YaHei",
    "SimHei",
    "SimSun",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
]
WIDTH_INCHES = 6.3  # an A4 page's text width with 2.5 cm margins
DPI = 150


def _fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in installed] + ["DejaVu Sans"]


def _figure(rows: int):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, 0.45 * rows + 0.9), dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _rc() -> dict:
    return {"font.family": "sans-serif", "font.sans-serif": _fonts(), "font.size": 8}


def coverage_png(themes: list[dict], names: dict[str, str], axis_label: str) -> bytes:
    """One bar per theme: coverage % (covered / recommendations), as on the page."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        figure, axes = _figure(len(themes))
        labels = ["\n".join(wrap_label(names[t["code"]])) for t in themes]
        positions = range(len(themes))
        axes.barh(positions, [t["coverage_pct"] for t in themes], color=COVERAGE_COLOUR)
        for y, theme in zip(positions, themes, strict=True):
            axes.text(
                theme["coverage_pct"] + 1,
                y,
                f"{theme['coverage_pct']:.1f}% ({theme['covered']:,}/{theme['recommendations']:,})",
                va="center",
            )
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 125)
        axes.set_xticks([0, 25, 50, 75, 100])
        axes.set_xlabel(axis_label)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def status_png(
    themes: list[dict], names: dict[str, str], labels: dict[str, str], axis_label: str
) -> bytes:
    """One stacked bar per theme: its follow-ups by status, with a legend, as on the page."""
    import matplotlib
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_rc()):
        figure, axes = _figure(len(themes) + 1)
        positions = list(range(len(themes)))
        left = [0] * len(themes)
        for status, colour in STATUS_COLOURS.items():
            counts = [t["status_counts"].get(status, 0) for t in themes]
            axes.barh(positions, counts, left=left, color=colour, label=labels[status])
            left = [a + b for a, b in zip(left, counts, strict=True)]
        largest = max(left, default=0) or 1
        for y, total in zip(positions, left, strict=True):
            axes.text(total + largest * 0.01, y, f"{total:,}", va="center")
        axes.set_yticks(positions, ["\n".join(wrap_label(names[t["code"]])) for t in themes])
        axes.invert_yaxis()
        axes.set_xlim(0, largest * 1.15)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(axis_label)
        axes.spines[["top", "right"]].set_visible(False)
        figure.legend(loc="outside lower center", ncols=3, frameon=False)
        return _png(figure)
