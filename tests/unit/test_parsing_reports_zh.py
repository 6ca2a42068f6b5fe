"""A Chinese report as PDF reads as its text does.

tests/data/reports/zh/seed_004.pdf is seed 004 printed by Chromium (make_sample.py):
the seed's paragraphs in a Chinese font, a running head with the symbol, a footer with
a job number and "page/pages" on every page, and a superscript footnote marker inside
recommendation 101(c). Reading it must give what reading the seed's text gives.
"""

from dataclasses import replace
from pathlib import Path

from recommendations.parsing import decode_report, parse_report, parse_source
from tests.conftest import SEED_2019

PDF = Path(__file__).resolve().parent.parent / "data" / "reports" / "zh" / "seed_004.pdf"


def test_the_chinese_pdf_gives_the_recommendations_of_its_text():
    from_pdf = parse_source(PDF.read_bytes())
    from_text = parse_report(decode_report(SEED_2019.read_bytes()))
    assert [rec.label for rec in from_pdf.recommendations] == ["101(a)", "101(b)", "101(c)", "102"]
    # Everything but the source line, which counts lines of different texts.
    assert [replace(rec, line=0) for rec in from_pdf.recommendations] == [
        replace(rec, line=0) for rec in from_text.recommendations
    ]
    assert from_pdf.section_title == from_text.section_title == "建议"


def test_the_chinese_pdf_gives_the_cover_of_its_text_and_its_running_head():
    from_pdf = parse_source(PDF.read_bytes()).metadata
    from_text = parse_report(decode_report(SEED_2019.read_bytes())).metadata
    assert from_pdf.language == "zh"
    assert from_pdf.source_format == "pdf"
    # The text has no running head; the PDF prints the symbol on every page.
    assert from_pdf.symbol == "E/CN.15/2019/5"
    assert from_text.symbol is None
    assert replace(from_pdf, symbol=None, source_format="") == replace(from_text, source_format="")


# tests/data/reports/zh/S_2025_303.zh.txt: a Chinese version of S/2025/303 translated by
# hand (tests/data/reports/README.md): its cover states the symbol, its section "四. 建议"
# holds paragraphs 56-64 as the English PDF does.
CHINESE_VERSION = PDF.parent / "S_2025_303.zh.txt"


def test_the_chinese_version_of_s_2025_303_reads_as_chinese_with_its_symbol_and_labels():
    parsed = parse_source(CHINESE_VERSION.read_bytes())
    assert parsed.metadata.language == "zh"
    assert parsed.metadata.symbol == "S/2025/303"
    assert parsed.section_title == "建议"
    assert [rec.label for rec in parsed.recommendations] == [str(n) for n in range(56, 65)]
    assert all("毒品和犯罪问题办公室" in rec.addressee for rec in parsed.recommendations)
    assert parsed.recommendations[0].text.startswith("毒品和犯罪问题办公室建议海地设立反腐败股")
