"""Importing real UN PDF reports, against `pdftotext -layout` of the same files.

    .venv/bin/python bench/pdf_import.py        (or: make bench-pdf; also part of make bench)

For every PDF in tests/data/reports/en/ (nine real UN documents, 1 to 25 pages), in the
same run and interleaved:
- floor: `pdftotext -layout FILE -` (poppler), the floor for getting text out of a PDF;
- import: the whole import of the file as `import_report` runs it (read, PDFium text,
  parse, themes, one transaction writing the report and its recommendations) into a
  throwaway SQLite database, emptied before each round.
Each figure is the median of BENCH_PDF_RUNS rounds (default 5). Targets: the import of
all files at most 3x the floor, and under 1 s for a 30-page report (the per-page time
of the longest report, times 30).
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REPORTS = ROOT / "tests" / "data" / "reports" / "en"
DATABASE = Path(tempfile.gettempdir()) / "tracker-bench-pdf.sqlite3"


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        sys.exit("pdftotext not found: install poppler-utils (make bench-pdf does)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import pypdfium2 as pdfium

    from recommendations.models import Recommendation, Report
    from recommendations.selectors.themes import taxonomy as load_taxonomy
    from recommendations.services.imports import report_import_file

    files = sorted(REPORTS.glob("*.pdf"))
    pages = {path: len(pdfium.PdfDocument(path)) for path in files}
    runs = int(os.environ.get("BENCH_PDF_RUNS", "5"))
    floor: dict[Path, list[float]] = {path: [] for path in files}
    imports: dict[Path, list[float]] = {path: [] for path in files}
    counts: dict[Path, int] = {}
    for _ in range(runs):
        Recommendation.objects.all().delete()  # protected from report deletion
        Report.objects.all().delete()
        taxonomy = load_taxonomy()
        for path in files:
            floor[path].append(
                timed(
                    lambda path=path: subprocess.run(
                        [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True
                    )
                )
            )
            start = time.perf_counter()
            result = report_import_file(path=path, taxonomy=taxonomy)
            imports[path].append(time.perf_counter() - start)
            counts[path] = result.active

    header = ["file", "pages", "recs", "pdftotext -layout", "import", "ratio"]
    rows = []
    total_floor = total_import = 0.0
    for path in files:
        f, i = statistics.median(floor[path]), statistics.median(imports[path])
        total_floor += f
        total_import += i
        rows.append([path.name, str(pages[path]), str(counts[path]), ms(f), ms(i), f"{i / f:.2f}x"])
    rows.append(
        [
            "all",
            str(sum(pages.values())),
            str(sum(counts.values())),
            ms(total_floor),
            ms(total_import),
            f"{total_import / total_floor:.2f}x",
        ]
    )
    widths = [max(len(row[n]) for row in [header, *rows]) for n in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    longest = max(files, key=lambda path: pages[path])
    per_page = statistics.median(imports[longest]) / pages[longest]
    ratio = total_import / total_floor
    print()
    print(f"import / floor: {ratio:.2f}x (target <= 3x): {'met' if ratio <= 3 else 'NOT met'}")
    print(
        f"30-page report, from {longest.name} ({pages[longest]} pages): "
        f"{per_page * 30:.2f} s (target < 1 s): {'met' if per_page * 30 < 1 else 'NOT met'}"
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    main()
