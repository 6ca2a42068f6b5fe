"""The language profiles, one rule at a time, on small English and Chinese extracts."""

import pytest

from recommendations.parsing import parse_report
from recommendations.parsing.languages import PROFILES, detect_language, get_profile
from recommendations.parsing.languages.en import addressee, chapeau_addressee, roman

EN = get_profile("en")
ZH = get_profile("zh")

COVER = """\
United Nations E/CN.7/2026/5
Economic and Social Council Distr.: General
10 December 2025

Original: English

Commission on Narcotic Drugs
Sixty-ninth session
Vienna, 9–13 March 2026
Item 5 of the provisional agenda
Implementation of the international drug control treaties

Report of the Executive Director

I. Introduction

1. The present report describes the work of the Office in 2025 and the state of the
treaties that the Commission oversees.

2. Section II sets out what the Commission may wish to do.

"""


def english(body: str):
    return parse_report(COVER + body)


def labels(report):
    return [rec.label for rec in report.recommendations]


@pytest.mark.parametrize(
    ("numeral", "value"), [("I", 1), ("IV", 4), ("IX", 9), ("XIV", 14), ("XL", 40), ("A", 0)]
)
def test_roman_numerals(numeral, value):
    assert roman(numeral) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "On the basis of the foregoing, the Secretary-General recommends that Member "
            "States strengthen their data.",
            "On the basis of the foregoing, the Secretary-General recommends that",
        ),
        (
            "The Commission may wish to consider encouraging Member States to share data.",
            "The Commission may wish to consider encouraging Member States to",
        ),
        ("Governments are encouraged to adopt plans.", "Governments are encouraged to"),
        ("Member States should adopt plans.", "Member States should"),
        (
            "Progress was uneven. UNODC urges Haiti to act.",
            "UNODC urges",
        ),
    ],
)
def test_the_addressee_is_read_however_the_sentence_opens(text, expected):
    assert addressee(text) == expected


def test_a_chapeau_gives_its_last_sentence_as_the_addressee():
    text = "States should first assess needs (see A/80/1). In particular, States should:"
    assert chapeau_addressee(text) == "In particular, States should"


@pytest.mark.parametrize(
    "section_title",
    [
        "Recommendations",
        "Conclusions and recommendations",
        "Findings, conclusions and recommendations",
        "Observations and recommendations",
    ],
)
def test_recommendations_section_titles(section_title):
    report = english(
        f"II. {section_title}\n\n"
        "3. Member States should ratify the Convention.\n\n"
        "4. The Commission may wish to consider encouraging Member States to share data.\n"
    )
    assert report.section_title == section_title
    assert labels(report) == ["3", "4"]
    assert report.metadata.language == "en"


def test_descriptive_paragraphs_are_left_out_and_passives_kept():
    report = english(
        "II. Conclusions and recommendations\n\n"
        "3. The Office held 12 workshops in 2025, which were well attended.\n\n"
        "4. It should be noted that seizures rose, as recommended by the Board.\n\n"
        "5. Support should be provided to national laboratories.\n\n"
        "6. Governments are encouraged to report annually.\n"
    )
    assert labels(report) == ["5", "6"]


def test_a_wrapped_heading_and_a_following_section():
    report = english(
        "II. Conclusions and recommendations on the\nimplementation of the treaties\n\n"
        "3. Member States should ratify the Convention.\n\n"
        "III. Other matters\n\n"
        "4. Member States should attend the session.\n"
    )
    assert report.section_title == (
        "Conclusions and recommendations on the implementation of the treaties"
    )
    assert labels(report) == ["3"]


def test_items_nested_points_and_the_letter_i():
    report = english(
        "II. Recommendations\n\n"
        "3. Member States should:\n\n"
        "(a) Adopt laws, including:\n(i) Criminal laws;\n(ii) Civil laws;\n\n"
        "(b) Share data;\n(c) Train staff;\n(d) Fund;\n(e) Report;\n(f) Review;\n"
        "(g) Evaluate;\n(h) Publish;\n(i) Consult civil society.\n"
    )
    assert labels(report) == [f"3({c})" for c in "abcdefghi"]
    assert report.recommendations[0].text == (
        "Adopt laws, including: (i) Criminal laws; (ii) Civil laws;"
    )
    assert report.recommendations[0].addressee == "Member States should"


def test_a_missing_letter_does_not_fold_the_next_item_into_the_one_before():
    report = english(
        "II. Recommendations\n\n3. Member States should:\n\n"
        "(a) Adopt laws;\n(b) Share data;\n(d) Train staff;\n(e) Report.\n"
    )
    assert labels(report) == ["3(a)", "3(b)", "3(d)", "3(e)"]
    assert report.recommendations[1].text == "Share data;"


def test_a_hyphen_at_a_line_end_is_kept_and_the_word_joined():
    report = english(
        "II. Recommendations\n\n3. Member States should adopt long-\nterm plans and "
        "whole -\nof-government approaches ( see A/80/1 ) .\n"
    )
    assert report.recommendations[0].text == (
        "Member States should adopt long-term plans and whole-of-government approaches "
        "(see A/80/1)."
    )


def test_adopted_resolutions_are_not_recommendations_and_the_report_says_why():
    report = english(
        "II. Recommendations\n\n"
        "3. Encourages Member States to ratify the Convention;\n\n"
        "4. Requests the Executive Director to report at its next session.\n"
    )
    assert report.recommendations == ()
    assert report.notes and "adopted resolutions" in report.notes[0]


def test_recommendations_of_subsidiary_bodies_are_not_the_reports_own():
    report = english(
        "II. Recommendations of the subsidiary bodies\n\n"
        "3. Member States should ratify the Convention.\n"
    )
    assert report.recommendations == ()
    assert report.section_title is None
    assert "other bodies" in report.notes[0]


def test_a_contents_page_is_not_the_section():
    report = english(
        "Contents\n\nI. Introduction .......... 2\nII. Recommendations .......... 3\n\n"
        "II. Recommendations\n\n3. Member States should ratify the Convention.\n"
    )
    assert labels(report) == ["3"]


def test_an_annexed_report_numbers_afresh():
    letter = COVER.replace("I. Introduction", "Letter dated 1 May 2026").replace(
        "1. The present", "The present"
    )
    report = parse_report(
        letter.replace("2. Section II", "Section II")
        + "Annex\n\nReport of the Office\n\nI. Introduction\n\n1. The report covers 2025.\n\n"
        "II. Recommendations\n\n2. Member States should ratify the Convention.\n"
    )
    assert labels(report) == ["2"]


def test_every_profile_has_its_bodies_and_is_detected_on_its_own_text():
    assert set(PROFILES) >= {"en", "zh"}
    assert EN.body_names["Commission on Narcotic Drugs"] == "CND"
    assert ZH.body_names["麻醉药品委员会"] == "CND"
    assert detect_language(COVER).code == "en"
    assert detect_language("委员会不妨考虑请会员国加强合作。" * 5).code == "zh"


def test_the_commission_alone_is_the_body_the_report_addresses():
    report = english(
        "II. Recommendations\n\n3. The Commission may wish to encourage Member States to "
        "share data.\n"
    )
    assert report.recommendations[0].bodies == ("CND",)


ZH_HEADER = """\
 麻醉药品委员会

第六十届会议
2017 年 3 月 13 日至 17 日，维也纳
临时议程 *项目 3
政策指示

  示例报告的标题

  执行主任的报告

 一. 导言

1. 本报告概述了联合国毒品和犯罪问题办公室开展的活动，并介绍了相关的工作情况。

2. 报告第二节载有建议，供麻醉药品委员会审议。

 二. 结论和建议

"""


def test_a_chinese_paragraph_may_recommend_after_an_opening_clause_or_sentence():
    report = parse_report(
        ZH_HEADER
        + "3. 鉴于贩运枪支的风险日益增加，毒品和犯罪问题办公室促请会员国加强边境管制。\n\n"
        + "4. 海地的反腐败机构面临压力。因此，委员会不妨鼓励会员国提供支持。\n\n"
        + "5. 委员会第六十届会议审议了这些建议，并通过了载有建议的报告。\n"
    )
    assert [rec.label for rec in report.recommendations] == ["3", "4"]
