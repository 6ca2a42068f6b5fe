"""The parser on the real seed reports: the exact items a reader finds in them."""

from datetime import date

import pytest

from tests.conftest import SEED_2004, SEED_2016_COP, SEED_2017, SEED_2019


def by_label(report):
    return {rec.label: rec for rec in report.recommendations}


def test_2017_report_labels_in_document_order(parse_seed):
    report = parse_seed(SEED_2017)
    expected = (
        [f"93({c})" for c in "abcdef"]
        + [f"94({c})" for c in "abcdef"]
        + [f"95({c})" for c in "abc"]
        + [f"96({c})" for c in "ab"]
        + [f"97({c})" for c in "abcde"]
        + [f"98({c})" for c in "abcdef"]
        + [f"99({c})" for c in "abc"]
    )
    assert [rec.label for rec in report.recommendations] == expected
    assert [rec.position for rec in report.recommendations] == list(range(1, 32))
    assert report.section_title == "建议"


def test_2017_report_paragraph_92_introduces_and_is_not_a_recommendation(parse_seed):
    assert "92" not in {rec.paragraph for rec in parse_seed(SEED_2017).recommendations}


@pytest.mark.parametrize(
    ("paragraph", "theme", "heading"),
    [
        ("93", "drugs", "有效处理和应对世界毒品问题"),
        ("94", "organized-crime", "打击跨国有组织犯罪"),
        ("95", "corruption", "反腐败"),
        ("96", "terrorism", "预防恐怖主义"),
        ("97", "research", "研究、趋势分析及科学和法医学支持"),
        ("98", "programme", "综合方案拟订、战略规划和评价"),
        ("99", "finance", "财务和伙伴关系"),
    ],
)
def test_2017_report_themes_come_from_headings(parse_seed, paragraph, theme, heading):
    items = [r for r in parse_seed(SEED_2017).recommendations if r.paragraph == paragraph]
    assert items
    for rec in items:
        assert [(t.code, t.source) for t in rec.themes] == [(theme, "heading")]
        assert rec.heading == heading


def test_2017_report_93b_verbatim_with_nested_points_and_footnotes_removed(parse_seed):
    rec = by_label(parse_seed(SEED_2017))["93(b)"]
    assert rec.text == (
        "快速跟踪吸毒人群和监狱人员中的艾滋病毒/艾滋病响应，以此作为实现可持续发展目标的"
        "指标 3.3（到 2030 年消灭艾滋病的流行）的部分措施，办法是：㈠将世卫组织、毒品和"
        "犯罪问题办公室、艾滋病规划署《关于各国拟订注射吸毒者普遍获得艾滋病毒预防、治疗和"
        "护理指标的技术指南》所载介入措施纳入国家艾滋病毒和药物战略，在毒品管制和执法机构、"
        "司法部、内政部和卫生部以及民间社会组织的参与下加大执行此类措施的力度；㈡将毒品和"
        "犯罪问题办公室、世卫组织、艾滋病规划署、劳工组织、开发计划署制订的关于在监狱及其他"
        "封闭环境中的艾滋病毒预防、治疗和护理政策简报所概述的介入措施纳入处理吸毒、艾滋病和"
        "肺结核的国家计划和方案，为执行此类措施并加大执行力度调拨资源；"
    )
    assert rec.sdg_targets == ("3.3",)
    assert rec.addressee == "麻醉药品委员会不妨考虑请会员国"
    assert rec.bodies == ("CND",)


def test_2017_report_item_after_footnote_block_is_clean(parse_seed):
    report = by_label(parse_seed(SEED_2017))
    assert report["93(d)"].text.endswith("以便为实行国际管制协助排列物质顺序；")
    assert report["93(e)"].text == (
        "支持毒品和犯罪问题办公室改进和加强会员国的能力，为查明和监测新型精神活性物质发展"
        "国家预警机制并向这些物质的使用者提供服务；"
    )
    for rec in report.values():
        assert "第二版" not in rec.text and "____" not in rec.text
        assert "http" not in rec.text


def test_2017_report_other_items_verbatim(parse_seed):
    report = by_label(parse_seed(SEED_2017))
    assert report["93(c)"].sdg_targets == ("3.8", "3.b")
    assert report["96(a)"].text == (
        "批准和实施有关反恐的 19 项国际法律文书，包括在毒品和犯罪问题办公室应请求提供的"
        "协助下加强有关刑事事项的国际合作机制；"
    )
    assert report["96(a)"].addressee == "预防犯罪和刑事司法委员会不妨考虑鼓励会员国"
    assert report["98(e)"].text == (
        "按照大会第 69/237 号决议和可持续发展目标参与毒品和犯罪问题办公室任务授权领域内"
        "关于评价和问责的国家能力建设；"
    )
    assert report["99(c)"].text == (
        "为便利所有有关利益相关方及酌情包括民间社会和民营部门的共同参与创造环境。"
    )
    assert report["97(a)"].bodies == ("CND", "CCPCJ")


def test_2017_report_metadata(parse_seed):
    meta = parse_seed(SEED_2017).metadata
    assert meta.title == "联合国毒品和犯罪问题办公室的活动"
    assert meta.author == "执行主任"
    assert meta.symbol is None
    assert meta.source_format == "pdf-text"
    cnd, ccpcj = meta.bodies
    assert (cnd.code, cnd.session, cnd.start_date, cnd.end_date, cnd.place) == (
        "CND",
        "第六十届会议",
        date(2017, 3, 13),
        date(2017, 3, 17),
        "维也纳",
    )
    assert (cnd.agenda_item, cnd.agenda_symbol) == ("3", "E/CN.7/2017/1")
    assert (ccpcj.code, ccpcj.session, ccpcj.agenda_item, ccpcj.agenda_symbol) == (
        "CCPCJ",
        "第二十六届会议",
        "3(a)",
        "E/CN.15/2017/1",
    )
    assert ccpcj.agenda_title.startswith("战略管理、预算和行政问题：")
    assert meta.agenda_symbols == ("E/CN.7/2017/1", "E/CN.15/2017/1")


def test_2004_report_conclusions_left_out_recommendations_kept(parse_seed):
    report = parse_seed(SEED_2004)
    assert report.section_title == "结论和建议"
    assert [rec.label for rec in report.recommendations] == ["58", "59(a)", "59(b)", "59(c)"]
    recs = by_label(report)
    assert recs["58"].item == ""
    assert recs["58"].text == (
        "因此，委员会似宜考虑通过协调一致的努力达到方案要求的办法，尤其应注意现有人力和"
        "财政资源与扩大任务执行之间的差距，特别是与《反腐败公约》及其《打击有组织犯罪议定书》"
        "有关的需要。"
    )
    assert recs["58"].addressee == "委员会似宜考虑"
    assert recs["59(a)"].addressee == "大会也似宜"
    assert recs["59(a)"].bodies == ("GA",)
    assert recs["59(c)"].text.startswith("促请各会员国、政府间组织和非政府组织、国际金融机构")
    assert recs["59(c)"].text.endswith("并鼓励整个联合国系统更加积极地参与其各项活动。")


def test_2004_report_themes_from_keyword_rules(parse_seed):
    recs = by_label(parse_seed(SEED_2004))
    themes = {label: [t.code for t in rec.themes] for label, rec in recs.items()}
    assert themes == {
        "58": ["organized-crime", "corruption", "finance"],
        "59(a)": ["organized-crime", "corruption", "terrorism"],
        "59(b)": ["organized-crime", "corruption", "terrorism", "criminal-justice"],
        "59(c)": ["criminal-justice", "finance"],
    }
    assert all(t.source == "rule" for rec in recs.values() for t in rec.themes)


def test_2004_report_metadata(parse_seed):
    meta = parse_seed(SEED_2004).metadata
    # The extracted text starts mid-title: only its last word survives.
    assert meta.title == "能力"
    assert meta.author == "秘书长"
    assert meta.bodies == ()


def test_2016_cop_report_has_conclusions_only(parse_seed):
    report = parse_seed(SEED_2016_COP)
    assert report.section_title == "结论"
    assert report.recommendations == ()
    meta = report.metadata
    assert meta.source_format == "markdown"
    assert meta.title == (
        "提供技术援助，协助各国执行《联合国打击跨国有组织犯罪公约》及其各项议定书"
    )
    assert meta.author == "秘书处"
    assert meta.document_date == date(2016, 7, 20)
    (cop,) = meta.bodies
    assert cop.name == "联合国打击跨国有组织犯罪公约缔约方会议"
    assert (cop.code, cop.session, cop.agenda_item, cop.agenda_symbol, cop.agenda_title) == (
        "UNTOC-COP",
        "第八届会议",
        "5",
        "CTOC/COP/2016/1",
        "技术援助",
    )


def test_2019_report(parse_seed):
    report = parse_seed(SEED_2019)
    assert report.section_title == "建议"
    assert [rec.label for rec in report.recommendations] == ["101(a)", "101(b)", "101(c)", "102"]
    recs = by_label(report)
    assert (
        recs["101(a)"].text
        == "继续努力加强《有组织犯罪公约》及其议定书和《反腐败公约》的有效实施；"
    )
    assert recs["101(b)"].sdg_targets == ("16",)
    assert [t.code for t in recs["101(b)"].themes] == ["criminal-justice"]
    assert recs["102"].addressee == "委员会似还宜鼓励会员国"
    assert recs["102"].bodies == ("CCPCJ",)
    meta = report.metadata
    assert meta.title == "在打击跨国有组织犯罪和腐败方面开展的国际合作"
    assert meta.author == "秘书长"
    assert meta.document_date == date(2019, 3, 6)
    assert meta.agenda_symbols == ("E/CN.15/2019/1",)


@pytest.mark.parametrize(
    ("seed", "count"), [(SEED_2017, 31), (SEED_2004, 4), (SEED_2016_COP, 0), (SEED_2019, 4)]
)
def test_counts_per_report(parse_seed, seed, count):
    assert len(parse_seed(seed).recommendations) == count


@pytest.mark.parametrize("seed", [SEED_2017, SEED_2004, SEED_2019])
def test_texts_are_clean(parse_seed, seed):
    for rec in parse_seed(seed).recommendations:
        assert rec.text and rec.text == rec.text.strip()
        assert "\n" not in rec.text and "  " not in rec.text
        assert "<sup>" not in rec.text and "](" not in rec.text
        # No stray space between two Chinese characters.
        assert not any(
            "\u4e00" <= a <= "\u9fff" and b == " " and "\u4e00" <= c <= "\u9fff"
            for a, b, c in zip(rec.text, rec.text[1:], rec.text[2:], strict=False)
        ), rec.label
        assert rec.themes, rec.label
