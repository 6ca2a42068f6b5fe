"""LibreOffice in headless mode: converts a document (DOCX → PDF, XLSX → XLSX …) as
LibreOffice opens and saves it. No Django.

Each conversion runs with a private user profile (-env:UserInstallation) in a temporary
directory unless one is given, never the user's, so that it neither reads their
settings nor waits on the lock of a LibreOffice they have open.
"""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Printed by LibreOffice's launcher on every start when no Java runtime is installed
# (Writer and Calc need none): not an error of the conversion.
LAUNCHER_NOISE = {"Warning: failed to launch javaldx - java may not function correctly"}
TIMEOUT_SECONDS = 180


class LibreOfficeError(Exception):
    """LibreOffice is missing, failed, timed out or wrote nothing."""


@dataclass(frozen=True)
class Converted:
    path: Path
    errors: list[str]  # what LibreOffice printed on stderr, less the launcher's noise


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(
    source: Path,
    to: str,
    outdir: Path,
    *,
    profile: Path | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> Converted:
    """`source` converted `to` ("pdf", "xlsx", a filter string …) into `outdir`."""
    program = soffice()
    if program is None:
        raise LibreOfficeError(
            "LibreOffice is not installed (no soffice on PATH); on Debian: "
            "apt-get install libreoffice-writer-nogui"
        )
    with tempfile.TemporaryDirectory(prefix="soffice-profile-") as private:
        command = [
            program,
            f"-env:UserInstallation={(profile or Path(private)).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(source),
        ]
        try:
            completed = subprocess.run(  # noqa: S603 (a fixed program, no shell)
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise LibreOfficeError(f"LibreOffice did not finish within {timeout:.0f} s") from None
    errors = [
        line
        for line in completed.stderr.splitlines()
        if line.strip() and line.strip() not in LAUNCHER_NOISE
    ]
    written = sorted(p for p in outdir.iterdir() if p.stem == source.stem and p != source)
    if completed.returncode != 0 or not written:
        detail = "; ".join(errors) or completed.stdout.strip() or "no output file"
        raise LibreOfficeError(
            f"LibreOffice could not convert {source.name} to {to} "
            f"(exit status {completed.returncode}): {detail}"
        )
    return Converted(written[0], errors)
