"""On any input the parser returns a result or raises its own ParseError, nothing else."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations.parsing import ParsedReport, ParseError, decode_report, parse_report
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
