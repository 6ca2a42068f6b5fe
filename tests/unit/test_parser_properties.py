"""On any input the parser returns a result or raises its own ParseError, nothing else."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations.parsing import (
    ParsedReport,
    ParseError,
    decode_report,
    parse_report,
    read_source,
)
from recommendations.parsing.text import join_lines
from tests.conftest import SEED_2017

SEED_LINES = SEED_2017.read_text(encoding="utf-8").splitlines()

# Fragments that exercise the structure rules: headings, paragraphs, items, footnotes.
FRAGMENTS = st.sampled_from(
    [
        "五. 建议",
        "九、结论和建议",
        "十二. 结论",
        "93. 麻醉药品委员会不妨考虑请会员国：",
        "59．大会也似宜：",
        " (a) 支持毒品和犯罪问题办公室；",
        "（b）提供资金。",
        "㈠加强合作；㈡调拨资源；",
        "__________________",
        " 1 第二版（2012 年，世卫组织，日内瓦）。",
        " * E/CN.7/2017/1。",
        "有效处理和应对世界毒品问题",
        "执行主任的报告",
        "<sup>1</sup> 脚注。",
        "## 四. 建议",
        "注",
        "附件",
        "指标 3.3 和 3.b",
        "",
        "\u3000",
        "1.",
        "(",
    ]
)
LINES = st.one_of(FRAGMENTS, st.sampled_from(SEED_LINES), st.text(max_size=40))


def check(text: str) -> None:
    try:
        result = parse_report(text)
    except ParseError as error:
        assert str(error)
        return
    assert isinstance(result, ParsedReport)
    labels = [rec.label for rec in result.recommendations]
    assert len(labels) == len(set(labels))
    for rec in result.recommendations:
        assert "\n" not in rec.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=80))
def test_parser_on_report_like_lines(lines):
    check("\n".join(lines))


ENGLISH_PDF = Path(__file__).resolve().parent.parent / "data" / "reports" / "en" / "A_80_188.pdf"
ENGLISH_LINES = read_source(ENGLISH_PDF.read_bytes()).text.splitlines()
ENGLISH_FRAGMENTS = st.sampled_from(
    [
        "United Nations A/80/188",
        "General Assembly Distr.: General",
        "Item 72 (b) of the provisional agenda*",
        "Report of the Secretary-General",
        "Contents",
        "II. Recommendations .......... 3",
        "VI. Conclusions and recommendations",
        "V. Recommendations of the subsidiary bodies",
        "Annex",
        "Annex. Key recommendations and management response",
        "A. Countering corruption",
        "Recommendation 4.",
        "4.2. Conduct regular risk-based analyses.",
        "Management response: UNDP agrees.",
        "62. In particular, States should:",
        "(a) Prioritize the needs of the most vulnerable;",
        "(i) Criminal laws;",
        "(d) Identify system-wide shifts towards long-",
        "Encourages Member States to ratify the Convention;",
        "The Commission may wish to consider encouraging Member States to act.",
        "18/25 25-11710",
        "GE.25-06441 19",
        "__________________",
        "88 Manish Ram and others.",
        "",
        "I.",
        "1.",
    ]
)
ENGLISH = st.one_of(ENGLISH_FRAGMENTS, st.sampled_from(ENGLISH_LINES), st.text(max_size=40))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ENGLISH, max_size=80))
def test_parser_on_english_report_like_lines(lines):
    check("\n".join(lines))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_parser_on_arbitrary_text(text):
    check(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_decoder_on_arbitrary_bytes(data):
    try:
        text = decode_report(data)
    except ParseError as error:
        assert str(error)
        return
    assert "\r" not in text
    check(text)


@given(st.lists(st.text(max_size=20), max_size=10))
def test_join_lines_never_leaves_line_breaks_or_edge_spaces(parts):
    joined = join_lines(parts)
    assert not any(c.isspace() and c != " " for c in joined)
    assert joined == joined.strip()
