"""Which PDF text extractor should the importer use? Speed and fidelity on the real UN reports.

Extracts the text of every PDF in tests/data/reports/en with each candidate:

- pypdfium2, per page ``get_textpage().get_text_range()`` and ``get_text_bounded()``;
- pdfplumber, per page ``extract_text()``, and pdfminer.six ``high_level.extract_text``;
- poppler ``pdftotext -layout FILE -`` and plain ``pdftotext FILE -`` (subprocess).

Speed: wall time per file and in total (time.perf_counter), best of --runs passes (3). A
library whose first pass over all files takes longer than --slow-seconds (5) is timed once:
it is tens of times slower than the rest, and repeating it would only make the bench slow.

Fidelity: tests/data/reports/gold.json gives, for every recommendation item, the first 40
("head") and last 20 ("tail") characters of its text, whitespace collapsed (see the
conventions in gold.json's "_meta"). An item's head or tail counts as found when it is a
substring of its document's extracted text after the comparison rule:

- a line-end hyphen is joined with the next line, hyphen kept, and a space before it dropped
  ("long -" / "term" -> "long-term"); pdfium's own line-end hyphen markers U+FFFE
  (get_text_range) and U+0002 (get_text_bounded) are read as such a hyphen;
- every run of whitespace becomes one space.

The details give: seconds per file; the score with whitespace collapsing alone and after
the extra normalisation an importer would apply (NFKC for ligatures, soft hyphens dropped,
no space after "(" or before ".,;:)’”", none before a hyphen inside a word); reading order
(the tail found after the head); counts of spacing artefacts (spaces the printed text does
not have, line-end hyphens kept or dropped) and of the characters the importer must
normalise (ligatures, soft hyphens, U+FFFE and other control characters, "\\r", form
feeds); the words on which pdfium's two calls differ; and a few misses per library with the
extracted text around the point where it departs from the key.

Run:  .venv/bin/python bench/pdf_extractors.py
About 45 seconds on an idle machine, nearly all of it the single passes of pdfplumber and
pdfminer.six; no database, no Django. Timings vary from run to run, everything else is
deterministic.
"""

import argparse
import json
import re
import shutil
import subprocess
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pypdfium2
from pdfminer.high_level import extract_text as pdfminer_extract_text

REPORTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "reports"
PDF_DIR = REPORTS / "en"
GOLD = REPORTS / "gold.json"
BASELINE = "pdftotext -layout"
MISSES_SHOWN = 6

PDFTOTEXT = shutil.which("pdftotext")


# --- extractors: path -> text of the whole document ---------------------------------------


def pdfium_range(path: Path) -> str:
    pdf = pypdfium2.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def pdfium_bounded(path: Path) -> str:
    pdf = pypdfium2.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in pdf)
    finally:
        pdf.close()


def plumber(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages)


def pdfminer(path: Path) -> str:
    return pdfminer_extract_text(path)


def _pdftotext(*options: str) -> Callable[[Path], str]:
    def extract(path: Path) -> str:
        command = [PDFTOTEXT, *options, str(path), "-"]
        return subprocess.run(command, check=True, capture_output=True).stdout.decode("utf-8")

    return extract


EXTRACTORS: dict[str, Callable[[Path], str]] = {
    "pypdfium2 get_text_range": pdfium_range,
    "pypdfium2 get_text_bounded": pdfium_bounded,
    "pdfplumber extract_text": plumber,
    "pdfminer.six extract_text": pdfminer,
}
if PDFTOTEXT:
    EXTRACTORS[BASELINE] = _pdftotext("-layout")
    EXTRACTORS["pdftotext (raw order)"] = _pdftotext()

SHORT = {
    "pypdfium2 get_text_range": "pdfium range",
    "pypdfium2 get_text_bounded": "pdfium bounded",
    "pdfplumber extract_text": "pdfplumber",
    "pdfminer.six extract_text": "pdfminer",
    BASELINE: "pdftotext -layout",
    "pdftotext (raw order)": "pdftotext raw",
}


# --- comparison with the key ---------------------------------------------------------------

PDFIUM_HYPHEN = "\ufffe\x02"  # pdfium marks a hyphen at a line end with one of these
LINE_END_HYPHEN = re.compile(r" ?(?:-[ \t]*\r?\n|[" + PDFIUM_HYPHEN + r"])\s*")
WHITESPACE = re.compile(r"\s+")
SPACE_AFTER_OPEN = re.compile(r"([(\[]) +")
SPACE_BEFORE_CLOSE = re.compile(r" +([.,;:)\]’”])")
SPACE_BEFORE_HYPHEN = re.compile(r"(?<=[^\W\d_]) +-(?=[^\W\d_])")


def collapse(text: str) -> str:
    """Whitespace collapsing alone."""
    return WHITESPACE.sub(" ", text)


def compare_form(text: str) -> str:
    """The comparison rule of the table: line-end hyphens joined, whitespace collapsed."""
    return collapse(LINE_END_HYPHEN.sub("-", text))


def importer_form(text: str) -> str:
    """What an importer would add: NFKC (ligatures), no soft hyphens, no stray spaces.

    Stray spaces: after "(" "[", before ".,;:)]" and closing quotes, before a hyphen
    inside a word ("self -targeting").
    """
    text = compare_form(unicodedata.normalize("NFKC", text).replace("\u00ad", ""))
    text = SPACE_AFTER_OPEN.sub(r"\1", text)
    text = SPACE_BEFORE_CLOSE.sub(r"\1", text)
    return SPACE_BEFORE_HYPHEN.sub("-", text)


RULES: dict[str, Callable[[str], str]] = {
    "whitespace only": collapse,
    "table rule": compare_form,
    "+ importer fixes": importer_form,
}


def key_forms(needle: str) -> tuple[str, ...]:
    return (collapse(needle), collapse(needle), importer_form(needle))


@dataclass
class Probe:
    document: str
    label: str
    part: str  # "head" or "tail"
    text: str


def load_probes() -> list[Probe]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    probes = []
    for document in sorted(name for name in gold if name != "_meta"):
        for item in gold[document]["items"]:
            for part in ("head", "tail"):
                probes.append(Probe(document, item["label"], part, item[part]))
    return probes


def departure(text: str, needle: str, width: int = 25) -> list[str]:
    """Where the text departs from the needle, seen from its start and from its end.

    The longest prefix of the needle found in the text (12 characters at least), then what
    follows it there; and the longest suffix found, with what precedes it ("|" marks the point).
    """
    views = []
    for size in range(len(needle) - 1, 11, -1):
        if needle[:size] in text:
            at = text.index(needle[:size]) + size
            views.append(f"start ...{text[max(0, at - width) : at]}|{text[at : at + width]}...")
            break
    for size in range(len(needle) - 1, 11, -1):
        if needle[-size:] in text:
            at = text.index(needle[-size:])
            views.append(f"end   ...{text[max(0, at - width) : at]}|{text[at : at + width]}...")
            break
    return views or ["no part of it found"]


# --- characters the importer must normalise ------------------------------------------------

SPECIAL = {
    "ligature U+FB00-FB06": lambda ch: "\ufb00" <= ch <= "\ufb06",
    "soft hyphen U+00AD": lambda ch: ch == "\u00ad",
    "U+FFFE": lambda ch: ch == "\ufffe",
    "U+0002": lambda ch: ch == "\x02",
    "other control (not \\t \\n \\r \\f)": lambda ch: (
        unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0c\x02"
    ),
    "\\r": lambda ch: ch == "\r",
    "form feed \\f": lambda ch: ch == "\x0c",
    "no-break space U+00A0": lambda ch: ch == "\u00a0",
    "replacement U+FFFD": lambda ch: ch == "\ufffd",
    "private use": lambda ch: unicodedata.category(ch) == "Co",
}


def special_counts(text: str) -> Counter:
    counts: Counter = Counter()
    for ch, n in Counter(text).items():
        for name, test in SPECIAL.items():
            if test(ch):
                counts[name] += n
    return counts


# Spacing and hyphenation artefacts, counted on the text as extracted. The first five are
# spaces the key leaves out (gold _meta: "Spaces that pdftotext adds where the printed text
# has none are left out"); in the rendered pages "self-targeting" and "life-supporting" have
# no space, only a wider letter gap. The last counts line-end hyphens kept (or marked): an
# extractor that drops them turns "long-" / "term" into "long term".
LETTER = r"[^\W\d_]"
ARTEFACTS = {
    "space-hyphen in word": re.compile(LETTER + r" -" + LETTER),
    "space-hyphen at line end": re.compile(LETTER + r" -[ \t]*\r?\n"),
    "space after ( [": re.compile(r"[(\[] (?=\S)"),
    "space before ’ ”": re.compile(LETTER + r" [’”]"),
    "space before . , ; :": re.compile(r"[^\W_] [.,;:](?=\s)(?![ \t]*\.)"),
    "line-end hyphens kept": re.compile(r"-[ \t]*\r?\n|[" + PDFIUM_HYPHEN + "]"),
}


def artefact_examples(text: str, pattern: re.Pattern, limit: int = 2) -> list[str]:
    examples = []
    for match in pattern.finditer(text):
        start, end = max(0, match.start() - 12), match.end() + 8
        examples.append(collapse(text[start:end]).strip())
        if len(examples) == limit:
            break
    return examples


# --- the bench -----------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    seconds: dict[str, float] = field(default_factory=dict)  # best per file
    runs: int = 0
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def one_pass(extract: Callable[[Path], str], pdfs: list[Path]) -> tuple[dict, dict]:
    seconds, texts = {}, {}
    for pdf in pdfs:
        start = time.perf_counter()
        texts[pdf.name] = extract(pdf)
        seconds[pdf.name] = time.perf_counter() - start
    return seconds, texts


def measure(name: str, pdfs: list[Path], runs: int, slow_seconds: float) -> Result:
    result = Result(name)
    extract = EXTRACTORS[name]
    for run in range(runs):
        seconds, texts = one_pass(extract, pdfs)
        if run == 0:
            result.texts = texts
        elif texts != result.texts:
            raise SystemExit(f"{name}: the text differs between runs")
        for pdf, spent in seconds.items():
            result.seconds[pdf] = min(spent, result.seconds.get(pdf, spent))
        result.runs = run + 1
        if run == 0 and sum(seconds.values()) > slow_seconds:
            break
    return result


def found(result: Result, probes: list[Probe]) -> dict[str, list[bool]]:
    """For each rule, whether each probe is found."""
    out = {}
    for index, (rule, form) in enumerate(RULES.items()):
        texts = {document: form(text) for document, text in result.texts.items()}
        out[rule] = [key_forms(p.text)[index] in texts[p.document] for p in probes]
    return out


def in_order(result: Result, probes: list[Probe]) -> int:
    """Items whose tail is found after their head, under the table rule."""
    texts = {document: compare_form(text) for document, text in result.texts.items()}
    count = 0
    for head, tail in zip(probes[::2], probes[1::2], strict=True):
        text = texts[head.document]
        at = text.find(collapse(head.text))
        if at >= 0 and text.find(collapse(tail.text), at) >= 0:
            count += 1
    return count


def share(hits: list[bool], probes: list[Probe], part: str) -> str:
    picked = [hit for hit, probe in zip(hits, probes, strict=True) if probe.part == part]
    return f"{sum(picked)}/{len(picked)} {100 * sum(picked) / len(picked):5.1f}%"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def differences(a: Result, b: Result, limit: int = 6) -> list[str]:
    """Words (after the table rule) that one extractor gives and the other does not.

    A multiset difference, not a diff: fast, and enough to show glued or split words.
    """
    shown = []
    for document in sorted(a.texts):
        left = compare_form(a.texts[document]).split(" ")
        right = compare_form(b.texts[document]).split(" ")
        only_left = Counter(left) - Counter(right)
        only_right = Counter(right) - Counter(left)
        if only_left or only_right:
            shown.append(
                f"{document}: {' '.join(sorted(only_left.elements()))!r}"
                f" / {' '.join(sorted(only_right.elements()))!r}"
            )
    return shown[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed passes, best kept (3)")
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=5.0,
        help="a library whose first pass takes longer is timed once (5)",
    )
    args = parser.parse_args()

    pdfs = sorted(PDF_DIR.glob("*.pdf"))
    probes = load_probes()
    pages = {}
    for pdf in pdfs:
        document = pypdfium2.PdfDocument(pdf)
        pages[pdf.name] = len(document)
        document.close()
    items = len(probes) // 2
    print(
        f"{len(pdfs)} PDFs, {sum(pages.values())} pages, {items} gold items "
        f"({items} heads, {items} tails); pypdfium2 {pypdfium2.version.PYPDFIUM_INFO}, "
        f"pdfplumber {pdfplumber.__version__}"
    )
    if not PDFTOTEXT:
        print("pdftotext not found on PATH: poppler is left out (ratios are to pypdfium2)")

    results = [measure(name, pdfs, args.runs, args.slow_seconds) for name in EXTRACTORS]
    scores = {result.name: found(result, probes) for result in results}
    base = next((r for r in results if r.name == BASELINE), results[0])

    rows = [["library", "total s", f"x {base.name}", "heads found", "tails found"]]
    for result in results:
        hits = scores[result.name]["table rule"]
        rows.append(
            [
                result.name,
                f"{result.total:.3f}",
                f"{result.total / base.total:.1f}",
                share(hits, probes, "head"),
                share(hits, probes, "tail"),
            ]
        )
    print()
    print(table(rows))

    print("\nSeconds per file (best of the runs shown)")
    rows = [["file", "pages", *(SHORT[r.name] for r in results)]]
    for pdf in pdfs:
        rows.append(
            [pdf.name, str(pages[pdf.name]), *(f"{r.seconds[pdf.name]:.3f}" for r in results)]
        )
    rows.append(["runs", "", *(str(r.runs) for r in results)])
    print(table(rows))

    print(f"\nHeads + tails found under each rule (of {len(probes)})")
    rows = [["library", *RULES]]
    for result in results:
        rows.append([result.name, *(str(sum(hits)) for hits in scores[result.name].values())])
    print(table(rows))

    print("\nReading order: items whose head and tail are both found, the tail after the head")
    rows = [["library", "in order", "of items"]]
    for result in results:
        rows.append([result.name, str(in_order(result, probes)), str(items)])
    print(table(rows))

    print("\nSpacing and hyphenation artefacts (whole documents, as extracted)")
    rows = [["library", *ARTEFACTS]]
    for result in results:
        text = "\n".join(result.texts.values())
        rows.append(
            [result.name, *(str(len(pattern.findall(text))) for pattern in ARTEFACTS.values())]
        )
    print(table(rows))
    for result in results:
        text = "\n".join(result.texts.values())
        shown = [
            f"{kind}: " + " / ".join(repr(e) for e in artefact_examples(text, pattern))
            for kind, pattern in ARTEFACTS.items()
            if kind != "line-end hyphens kept" and pattern.search(text)
        ]
        if shown:
            print(f"  {result.name}")
            for line in shown:
                print(f"    {line}")

    print("\nCharacters to normalise (whole documents)")
    counts = {r.name: special_counts("".join(r.texts.values())) for r in results}
    kinds = [kind for kind in SPECIAL if any(c[kind] for c in counts.values())]
    absent = [kind for kind in SPECIAL if kind not in kinds]
    rows = [["library", *kinds]]
    for result in results:
        rows.append([result.name, *(str(counts[result.name][kind]) for kind in kinds)])
    print(table(rows))
    if absent:
        print("none in any output: " + ", ".join(absent))

    by_name = {result.name: result for result in results}
    pair = ("pypdfium2 get_text_range", "pypdfium2 get_text_bounded")
    print(f"\nWords only in {pair[0]} / only in {pair[1]} (after the table rule)")
    for line in differences(by_name[pair[0]], by_name[pair[1]]) or ["none"]:
        print(f"  {line}")

    print(f"\nMisses under the table rule (up to {MISSES_SHOWN} per library; | marks the point")
    print("where the extracted text departs from the key)")
    for result in results:
        hits = scores[result.name]["table rule"]
        misses = [probe for probe, hit in zip(probes, hits, strict=True) if not hit]
        print(f"\n{result.name}: {len(misses)} missed")
        texts = {document: compare_form(text) for document, text in result.texts.items()}
        for probe in misses[:MISSES_SHOWN]:
            needle = collapse(probe.text)
            print(f"  {probe.document} {probe.label} {probe.part}: {needle!r}")
            for view in departure(texts[probe.document], needle):
                print(f"      {view!r}")


if __name__ == "__main__":
    main()
