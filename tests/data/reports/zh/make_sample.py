"""Print seed 004 (Chinese text) as a PDF with Chromium, the way the UN lays out a page.

    python tests/data/reports/zh/make_sample.py

Writes seed_004.pdf beside this script: the seed's lines as paragraphs in a Chinese
font, a running head (the symbol) and a footer (job number and page) on every page, and
a superscript footnote marker inside a recommendation. The test compares what the PDF
importer reads from it with what the text importer reads from the seed itself. Needs
Debian's chromium and a Chinese font (make test installs both).
"""

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE.parents[3] / "seeds" / "004_a18fa2faa6a1f8c2.txt"
OUTPUT = HERE / "seed_004.pdf"
MARKED = "确保为该机制"  # a recommendation's words; a footnote marker goes after them

PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>
@page {{
  size: A4; margin: 25mm 20mm 25mm 20mm;
  @top-left {{ content: "E/CN.15/2019/5"; font-size: 8.5pt; }}
  @bottom-left {{ content: "V.19-01234"; font-size: 8pt; }}
  @bottom-right {{ content: counter(page) "/" counter(pages); font-size: 8pt; }}
}}
body {{ font-family: "WenQuanYi Micro Hei", sans-serif; font-size: 10.5pt; line-height: 1.6; }}
p {{ margin: 0 0 8pt 0; text-align: justify; }}
sup {{ font-size: 6pt; }}
</style></head><body>
{body}
</body></html>"""


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium not found (apt-get install chromium)")
    # Lines the seed keeps together stay one paragraph (broken where the seed breaks
    # them); a blank line in the seed is space between paragraphs.
    paragraphs = []
    for block in SEED.read_text(encoding="utf-8").split("\n\n"):
        lines = [html.escape(line.strip()) for line in block.splitlines() if line.strip()]
        if lines:
            text = "<br>".join(lines).replace(MARKED, f"{MARKED}<sup>3</sup>", 1)
            paragraphs.append(f"<p>{text}</p>")
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "seed.html"
        page.write_text(PAGE.format(body="\n".join(paragraphs)), encoding="utf-8")
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={work}/profile",
                "--no-pdf-header-footer",
                f"--print-to-pdf={OUTPUT}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(f"wrote {OUTPUT.name}")


if __name__ == "__main__":
    main()
