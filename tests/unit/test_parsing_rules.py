"""Each parsing rule on a small extract."""

import pytest

from recommendations.parsing import ParseError, parse_report
from recommendations.parsing.text import join_lines

HEADER = """\
 麻醉药品委员会

第六十届会议
2017 年 3 月 13 日至 17 日，维也纳
临时议程 *项目 3
政策指示

  示例报告的标题

  执行主任的报告

__________________

 * E/CN.7/2017/1。

 一. 导言

1. 本报告概述了联合国毒品和犯罪问题办公室开展的活动，并介绍了相关的工作情况。

2. 报告第二节载有建议，供麻醉药品委员会审议。

 二. 建议

"""


def parse(body: str, header: str = HEADER):
    return parse_report(header + body)


def labels(report):
    return [rec.label for rec in report.recommendations]


def test_wrapped_lines_and_blank_lines_inside_sentences_are_joined():
    report = parse(
        "3. 麻醉药品委员会不妨考虑请会员国：\n\n"
        " (a) 加强国家主管部门收集关于犯罪及非法药物生产的准确\n\n"
        "可靠的可比数据的能力，以期提高 Data\ncollection 工具的能力；\n"
    )
    (rec,) = report.recommendations
    assert (
        rec.text
        == "加强国家主管部门收集关于犯罪及非法药物生产的准确可靠的可比数据的能力，以期提高 Data collection 工具的能力；"
    )


def test_full_width_paragraph_stop_and_paragraph_without_items():
    report = parse("3．委员会似宜考虑提供充足的资源。\n")
    (rec,) = report.recommendations
    assert (rec.paragraph, rec.item, rec.label) == ("3", "", "3")
    assert rec.addressee == "委员会似宜考虑"


def test_full_width_item_parentheses():
    report = parse("3. 委员会不妨考虑请会员国：\n（a）支持评价工作；\n（b）提供资金。\n")
    assert labels(report) == ["3(a)", "3(b)"]


def test_nested_points_stay_inside_their_item():
    report = parse(
        "3. 委员会不妨考虑请会员国：\n (a) 办法是：㈠加强合作；\n㈡调拨资源；\n (b) 提供资金。\n"
    )
    assert labels(report) == ["3(a)", "3(b)"]
    assert report.recommendations[0].text == "办法是：㈠加强合作；㈡调拨资源；"


def test_roman_numeral_points_stay_inside_an_item_out_of_sequence():
    report = parse("3. 委员会不妨考虑请会员国：\n (a) 包括：\n (i) 加强合作；\n (b) 提供资金。\n")
    assert labels(report) == ["3(a)", "3(b)"]
    assert report.recommendations[0].text == "包括：(i) 加强合作；"


def test_footnote_block_in_the_middle_of_an_item_is_removed_with_its_marker():
    report = parse(
        "3. 委员会不妨考虑请会员国：\n"
        " (a) 将《技术指南》1所载措施和政策简报 2所概述的干预措施纳入国家战略，实现指标\n"
        "\n"
        "__________________\n"
        "\n"
        " 1 第二版（2012 年，世卫组织，日内瓦）。\n"
        "\n"
        " 2 “综合性成套干预措施”政策简报\n"
        "\n"
        "（2013 年，维也纳）。\n"
        "  3.3 所述的目标；\n"
        " (b) 提供资金。\n"
    )
    rec = report.recommendations[0]
    assert (
        rec.text
        == "将《技术指南》所载措施和政策简报所概述的干预措施纳入国家战略，实现指标 3.3 所述的目标；"
    )
    assert rec.sdg_targets == ("3.3",)
    assert labels(report) == ["3(a)", "3(b)"]


def test_page_numbers_job_numbers_and_link_residue_are_dropped():
    report = parse(
        "3. 委员会不妨考虑请会员国：\n (a) 支持毒品和犯罪问题办公室的\n"
        "V.17-00987\n12/24\n17\nhttp://undocs.org/ch/E/2016/75\n"
        "工作；\n"
    )
    assert report.recommendations[0].text == "支持毒品和犯罪问题办公室的工作；"


def test_theme_heading_assigns_theme_and_unknown_heading_falls_back_to_rules():
    report = parse(
        "  反腐败\n\n3. 委员会不妨考虑请会员国：\n (a) 加强合作。\n\n"
        "  其他事项\n\n4. 委员会不妨考虑请会员国增加捐款。\n"
    )
    first, second = report.recommendations
    assert [(t.code, t.source) for t in first.themes] == [("corruption", "heading")]
    assert first.heading == "反腐败"
    assert second.heading == "其他事项"
    assert [(t.code, t.source) for t in second.themes] == [("finance", "rule")]


def test_chapeau_paragraph_is_not_a_recommendation():
    report = parse(
        "3. 各委员会不妨按照各自的任务授权提供进一步指导，并考虑请会员国执行以\n下建议。\n"
        "4. 委员会不妨考虑请会员国增加捐款。\n"
    )
    assert labels(report) == ["4"]


def test_descriptive_conclusions_are_not_recommendations():
    header = HEADER.replace("二. 建议", "二. 结论")
    report = parse(
        "3. 普遍加入《公约》是一个触手可及的目标。\n4. 办公室继续提供技术援助。\n", header
    )
    assert report.section_title == "结论"
    assert report.recommendations == ()


def test_report_without_recommendations_section():
    header = HEADER.replace("二. 建议", "二. 活动")
    report = parse("3. 办公室继续提供技术援助。\n", header)
    assert report.section_title is None
    assert report.recommendations == ()


def test_section_ends_at_endnotes_and_annex():
    report = parse(
        "3. 委员会不妨考虑请会员国增加捐款。\n注\n1 同上。\n附件\n4. 大会不妨考虑请会员国执行。\n"
    )
    assert labels(report) == ["3"]


def test_numbers_out_of_sequence_are_not_paragraphs():
    report = parse("3. 委员会不妨考虑请会员国：\n (a) 加强以下工作，实现指标\n3.3 所述目标；\n")
    assert labels(report) == ["3(a)"]
    assert report.recommendations[0].text == "加强以下工作，实现指标 3.3 所述目标；"


def test_numbered_sub_heading_out_of_sequence_is_a_heading():
    report = parse(
        "3. 委员会不妨考虑请会员国增加捐款。\n\n9. 会议和特别活动\n\n"
        "4. 委员会不妨考虑请会员国加强合作。\n"
    )
    assert labels(report) == ["3", "4"]
    assert report.recommendations[0].text == "委员会不妨考虑请会员国增加捐款。"
    assert report.recommendations[1].heading == "9. 会议和特别活动"


def test_markdown_headings_sup_markers_superscripts_and_links():
    text = (
        "# 麻醉药品委员会\n\n## 第六十届会议\n\n2017年3月13日至17日，维也纳\n\n"
        "临时议程\\*项目3\n\n### 示例报告\n\n#### 秘书处的报告\n\n"
        "\\* E/CN.7/2017/1。\n\n#### 一. 导言\n\n1. 本报告介绍了相关的活动和工作情况。\n\n"
        "## 二. 建议\n\n2. 委员会不妨考虑请会员国：\n\n"
        "(a) 支持<sup>1</sup>评价工作（见 [CAC/COSP/2018/3](#)）；²\n\n"
        "<sup>1</sup> 脚注正文。\n\n² 另一个脚注。\n\n(b) 提供资金。\n"
    )
    report = parse_report(text)
    assert report.metadata.source_format == "markdown"
    assert report.metadata.title == "示例报告"
    assert report.metadata.author == "秘书处"
    assert report.metadata.agenda_symbols == ("E/CN.7/2017/1",)
    assert labels(report) == ["2(a)", "2(b)"]
    assert report.recommendations[0].text == "支持评价工作（见 CAC/COSP/2018/3）；"


def test_own_symbol_on_the_cover_identifies_the_report():
    header = HEADER.replace("第六十届会议", "E/CN.7/2017/9\n\n第六十届会议")
    report = parse("3. 委员会不妨考虑请会员国增加捐款。\n", header)
    assert report.metadata.symbol == "E/CN.7/2017/9"
    assert report.metadata.agenda_symbols == ("E/CN.7/2017/1",)


def test_agenda_symbols_are_not_taken_for_the_report_symbol():
    report = parse("3. 委员会不妨考虑请会员国增加捐款。\n")
    assert report.metadata.symbol is None


@pytest.mark.parametrize(
    "text",
    [
        "hello world, this is an English text file without any Chinese at all.\n" * 5,
        "这是一段中文文本，没有任何编号段落，也没有报告的结构，只是随意写下的一些句子而已。" * 3,
    ],
)
def test_text_that_is_not_a_report_is_refused(text):
    with pytest.raises(ParseError):
        parse_report(text)


def test_join_lines_keeps_latin_words_apart_and_chinese_together():
    assert join_lines(["有组织犯罪 ", " 公约", "United", "Nations", "2016", "年至", "2017"]) == (
        "有组织犯罪公约United Nations 2016 年至 2017"
    )


def test_a_label_given_again_is_read_once_and_said():
    """Found by hypothesis: "Recommendation 4." printed twice (a heading repeated at a page
    break) gave two recommendations labelled 4, which the database would refuse."""
    text = "\n".join(
        [
            "Annex. Key recommendations and management response",
            "Recommendation 4.",
            "Conduct regular risk-based analyses of the programme.",
            "Recommendation 4.",
            "Conduct regular risk-based analyses of the programme.",
        ]
    )
    report = parse_report(text)
    assert [rec.label for rec in report.recommendations] == ["4"]
    assert any("labels given again, read once: 4 (line 4)" in note for note in report.notes)
