"""LibreOffice in the tests: the tracker's own converter (recommendations/reports/
libreoffice.py) with a private profile per module, failing on any error output."""

from pathlib import Path

import pytest

from recommendations.reports import libreoffice

SOFFICE = libreoffice.soffice()

needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; `make browser-deps` installs it",
)


def convert_file(path: Path, to: str, outdir: Path, profile: Path) -> Path:
    """`path` as LibreOffice converts it `to` ("pdf", "xlsx", a filter …) into `outdir`;
    fails on a non-zero exit or any error output (beyond the launcher's noise)."""
    converted = libreoffice.convert(path, to, outdir, profile=profile)
    assert not converted.errors, converted.errors
    return converted.path
