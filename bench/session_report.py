"""The session report over the whole demo data set, against the coverage selector alone
(issue 18: "the document adds at most 2 s").

    .venv/bin/python bench/session_report.py     (alone; also row 6 of bench/run.py)

Reads the bench's data set (bench/run.py builds it: /tmp/tracker-bench.sqlite3, or
BENCH_DATABASE_URL; run `make bench` or `BENCH_REUSE=1 make bench` first). Each round
times, interleaved:

- coverage: coverage_by_theme(include_states=True, today=…), the figures the report shows;
- report: what `session_report --output FILE.docx` does for every recommendation (no
  body: the whole data set; --annex-limit at its default, 500 rows): the coverage
  figures, the annex rows, the session, the two charts (matplotlib) and the DOCX written
  (python-docx) to a temporary file.

Medians of BENCH_SESSION_REPORT_RUNS rounds (default 3). The report's time less the
coverage's is what the document adds; target at most 2 s. The first round of the
process also pays for importing matplotlib and python-docx (reported apart).
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 2.0
AS_OF = datetime.date(2026, 1, 31)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def measure() -> dict:
    from recommendations.models import FollowUp, Recommendation
    from recommendations.selectors.coverage import coverage_by_theme
    from recommendations.services.session_report import (
        DEFAULT_ANNEX_LIMIT,
        session_report_data,
        session_report_write,
    )

    started = time.perf_counter()
    import docx  # noqa: F401
    import matplotlib.pyplot  # noqa: F401

    imports = time.perf_counter() - started
    runs = env_int("BENCH_SESSION_REPORT_RUNS", 3)
    coverage_times, report_times, sizes, annex = [], [], [], 0
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "report.docx"
        for _ in range(runs):
            started = time.perf_counter()
            coverage_by_theme(include_states=True, today=AS_OF)
            coverage_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            data = session_report_data(body=None, as_of=AS_OF, language="en")
            session_report_write(data, output=output)
            report_times.append(time.perf_counter() - started)
            sizes.append(output.stat().st_size)
            annex = len(data.annex)
    return {
        "recommendations": Recommendation.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "coverage": statistics.median(coverage_times),
        "report": statistics.median(report_times),
        "added": statistics.median(
            r - c for r, c in zip(report_times, coverage_times, strict=True)
        ),
        "imports": imports,
        "annex": annex,
        "annex_limit": DEFAULT_ANNEX_LIMIT,
        "kb": max(sizes) / 1024,
        "runs": runs,
    }


def table_rows(result: dict) -> list[list[str]]:
    added = result["added"]
    return [
        [
            "6",
            f"session_report (docx, all {result['recommendations']:,} recommendations, Annex I "
            f"capped at {result['annex']:,}): median of {result['runs']}",
            f"{result['report']:.2f} s ({result['kb']:.0f} KB)",
            f"coverage_by_theme() alone: {result['coverage']:.2f} s",
            f"+{added:.2f} s",
            f"≤ +{TARGET_SECONDS:.0f} s",
            "met" if added <= TARGET_SECONDS else "MISSED",
        ]
    ]


if __name__ == "__main__":
    from bench.run import DEFAULT_DATABASE_URL, render, setup_django

    setup_django(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    result = measure()
    print(
        f"{result['recommendations']:,} recommendations, {result['follow_ups']:,} follow-ups; "
        f"imports of matplotlib and python-docx: {result['imports']:.2f} s (once per process)"
    )
    header = ["#", "measure", "tracker", "baseline (same run)", "added", "target", "result"]
    print(render(header, table_rows(result)))
