"""Theme taxonomy: keyword rules per language and theme headings (pure Python).

The English sentences are recommendations as printed in the PDFs of
tests/data/reports/en (line-end hyphens joined, footnote markers left out).
"""

import json

import pytest

from recommendations.parsing.themes import (
    DEFAULT_TAXONOMY_PATH,
    KEYWORD_LANGUAGES,
    Taxonomy,
    keyword_pattern,
)

TAXONOMY = Taxonomy.load()

# S/2025/303, annex (UNODC report on arms trafficking and illicit financial flows in Haiti),
# "IV. Recommendations", paragraphs 56-64.
S_2025_303 = {
    "56": (
        "UNODC recommends that Haiti establish and equip regional offices of the Anti-"
        "Corruption Unit to improve the detection and prevention of corruption in remote "
        "areas. Decentralization would enhance collaboration with local law enforcement, "
        "judicial actors and civil society."
    ),
    "57": (
        "Given the risks faced by anti-corruption actors, UNODC urges national authorities "
        "to implement comprehensive protection measures for magistrates, law enforcement "
        "officers and control authorities, as well as for persons who communicate "
        "information related to corruption and organized crime. Measures should include "
        "secure working conditions, risk protocols and confidentiality guarantees."
    ),
    "58": (
        "UNODC further recommends creating specialized judicial chambers (pôles judiciaires) "
        "focused on financial crimes (including corruption) and mass crimes (including sexual "
        "violence), with full independence. Recruitment should be transparent and "
        "merit-based, and chambers must operate free from political interference."
    ),
    "59": (
        "To improve coordination, UNODC recommends that the Haiti Anti-Corruption Task "
        "Force, formed of the Anti-Corruption Unit, the Financial and Economic Affairs "
        "Bureau (Bureau des affaires financières et économiques – BAFE), the Central "
        "Financial Intelligence Unite (Unité centrale de renseignements financiers – UCREF), "
        "the General Inspectorate of Finance (Inspection générale des finances – IGF) and the "
        "National Public Procurement Commission (Commission nationale des marches publics – "
        "CNMP), be closely linked to the judiciary (including to the specialized chambers "
        "when created). This should include, inter alia, formal information-sharing "
        "protocols, access to financial and criminal intelligence databases and legal "
        "authority to seize assets and impose sanctions."
    ),
    "60": (
        "The Dominican Republic designated several Haitian organized criminal groups as "
        "“terrorist organizations”. In this context, UNODC recommends the adoption of "
        "mechanisms that ensure the effective and human rights-compliant application of "
        "relevant international standards in such designation processes and consequences "
        "attached to these designations including the role of financiers and facilitators "
        "supporting these organized criminal groups. Strengthened cross-border coordination "
        "and cooperation in criminal matters between both countries is recommended to "
        "enhance accountability efforts while respecting human rights."
    ),
    "61": (
        "UNODC suggests that Haiti adopt effective, rule of law-based legal and operational "
        "frameworks to investigate and prosecute organized crime facilitators, freeze assets "
        "and strengthen financial crime penalties as well as international cooperation "
        "mechanisms in line with international standards."
    ),
    "62": (
        "UNODC also recommends intensified investigations into companies and individuals "
        "involved in arms trafficking, improved border control and expanded regional "
        "cooperation, in particular with the Dominican Republic."
    ),
    "63": (
        "To strengthen the response of Haiti to organized crime, UNODC advises establishing "
        "a dedicated criminal intelligence capacity within the Haitian National Police or "
        "another agency, thereby improving analysis and coordination on arms smuggling, "
        "financial crimes and trafficking."
    ),
    "64": (
        "Lastly, UNODC recommends strengthening the current concept of operations of the "
        "Multinational Security Support Mission to reinforce border control and support "
        "Haitian National Police efforts against transnational organized crime."
    ),
}


def en(text: str) -> tuple[str, ...]:
    return TAXONOMY.by_keywords(text, language="en")


# The English keyword rules on real recommendations ---------------------------------------


@pytest.mark.parametrize("label", S_2025_303)
def test_every_haiti_recommendation_gets_organized_crime_or_corruption(label):
    themes = en(S_2025_303[label])
    assert {"organized-crime", "corruption"} & set(themes), (label, themes)


def test_haiti_recommendations_theme_by_theme():
    assert {label: en(text) for label, text in S_2025_303.items()} == {
        "56": ("corruption",),
        "57": ("organized-crime", "corruption"),  # "corruption and organized crime"
        "58": ("corruption",),
        "59": ("organized-crime", "corruption"),  # "Financial Intelligence", Anti-Corruption
        # "organized criminal groups", "terrorist organizations", "cooperation in criminal
        # matters"
        "60": ("organized-crime", "terrorism", "criminal-justice"),
        "61": ("organized-crime", "criminal-justice"),  # "rule of law-based"
        "62": ("organized-crime",),  # "arms trafficking"
        "63": ("organized-crime",),
        "64": ("organized-crime",),  # "transnational organized crime"
    }


def test_pdf_line_breaks_and_stray_spaces_do_not_hide_a_keyword():
    # As pdftotext prints 56 and 61: "Anti -" at a line end, "rule of law -based".
    assert en("regional offices of the Anti -\nCorruption Unit") == ("corruption",)
    assert en("adopt effective, rule of law -based legal frameworks") == ("criminal-justice",)
    assert en("trafficking in\npersons and smuggling of\n   migrants") == ("organized-crime",)


def test_other_real_recommendations():
    # DP/2025/7, Recommendation 2 and point 4.3 (UNDP evaluation policy).
    assert en(
        "Incorporate a theory of change in the evaluation policy to clearly link evaluation "
        "activities with UNDP strategic goals to improve stakeholder understanding."
    ) == ("programme",)
    assert en(
        "Establish funding arrangements and internal service delivery capacities for IEO to "
        "propose and respond to requests to directly manage evaluations in high-risk "
        "situations."
    ) == ("programme", "finance")
    # A/80/188 67(f): bribes.
    assert en(
        "Prevent misuse of benefit-sharing, such as when an economic advantage is offered in "
        "exchange for obtaining consent, when social cohesion of affected communities is "
        "undermined through bribes or selective negotiations tactics or when paternalistic "
        "mechanisms are not responsive to communities' needs;"
    ) == ("corruption",)
    # A/79/972-S/2025/467 29/4(c): forensic capacities.
    assert en(
        "UN agencies and investigative bodies should improve forensic and investigation "
        "capacities to collect evidence on attacks against schools, teachers, and students, "
        "ensuring effective documentation and prosecution."
    ) == ("research",)


@pytest.mark.parametrize(
    "text",
    [
        # A/80/188 62(a) and A/HRC/EMRIP/2025/3 95: nothing of the taxonomy's themes.
        "Prioritize the needs of the most vulnerable;",
        "States should legally recognize and promote Indigenous Peoples’ traditional "
        "economies by adopting comprehensive legal and policy frameworks aligned with "
        "international standards, including the United Nations Declaration on the Rights of "
        "Indigenous Peoples.",
        # A/79/972-S/2025/467 29/1(b).
        "The Security Council should strengthen engagement with parties to conflict to end "
        "and prevent grave violations, including through calling for the adoption and "
        "implementation of concrete, joint action plans between the UN and parties to "
        "conflict and sustain diplomatic engagement.",
        # Words found in most UNODC recommendations say nothing about the theme.
        "The United Nations Office on Drugs and Crime (UNODC) recommends that Member States "
        "and Governments strengthen international cooperation, technical assistance and "
        "capacity-building, in line with the 2030 Agenda for Sustainable Development.",
    ],
)
def test_sentences_without_a_theme_get_none(text):
    assert en(text) == ()


# Matching rules ------------------------------------------------------------------------


def taxonomy(**keywords) -> Taxonomy:
    """One theme "t" with these keywords per language."""
    return Taxonomy.from_data(
        {"themes": [{"code": "t", "name_zh": "主题", "name_en": "Theme", "keywords": keywords}]}
    )


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("money laundering", "Money-Laundering"),
        ("money-laundering", "money laundering"),
        ("money-laundering", "MONEY\u2011LAUNDERING"),  # non-breaking hyphen
        ("money-laundering", "anti-money-\nlaundering laws"),
        ("cyber-crime", "cybercrime"),
        ("firearm", "illicit firearms"),
        ("firearms", "one firearm"),
        ("policy", "drug policies"),
        ("witness", "protection of witnesses"),
        ("witnesses", "a witness"),
        ("bribe", "bribes"),
        ("box", "boxes"),
        ("trafficking in persons", "Trafficking in Persons Protocol"),
        ("asset recovery", "asset recoveries"),
        ("children's rights", "children’s rights"),  # typographic apostrophe
    ],
)
def test_english_keywords_match_variants(keyword, text):
    assert taxonomy(en=[keyword]).by_keywords(text, language="en") == ("t",)


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("arm", "firearms and armed groups"),  # whole words only
        ("corrupt", "corruptible"),
        ("gang", "the Ganges"),
        ("crime prevention", "crime and prevention"),  # the words in sequence
        ("research", "researchers"),
    ],
)
def test_english_keywords_match_whole_words_only(keyword, text):
    assert taxonomy(en=[keyword]).by_keywords(text, language="en") == ()


def test_chinese_matching_is_unchanged_substring_with_spaces_ignored():
    rules = taxonomy(zh=["洗钱"], en=["money-laundering"])
    assert rules.by_keywords("打击 洗 钱活动") == ("t",)  # language defaults to Chinese
    assert rules.by_keywords("反洗钱", language="zh") == ("t",)
    # Each language uses its own keywords only.
    assert rules.by_keywords("money-laundering", language="zh") == ()
    assert rules.by_keywords("打击洗钱", language="en") == ()
    assert rules.by_keywords("anything", language="fr") == ()


def test_themes_come_in_taxonomy_order():
    rules = Taxonomy.from_data(
        {
            "themes": [
                {"code": "b", "name_zh": "乙", "name_en": "B", "keywords": {"en": ["beta"]}},
                {"code": "a", "name_zh": "甲", "name_en": "A", "keywords": {"en": ["alpha"]}},
            ]
        }
    )
    assert rules.by_keywords("alpha and beta", language="en") == ("b", "a")


def test_blank_and_repeated_keywords_are_dropped_and_never_match_everything():
    rules = taxonomy(zh=["", "  ", "腐败", "腐败"], en=["", "-", " Bribery ", "bribery"])
    assert rules.themes[0].keywords == {"zh": ("腐败",), "en": ("-", "Bribery")}
    assert rules.by_keywords("任何文字") == ()
    assert rules.by_keywords("any text - at all", language="en") == ()


def test_a_plain_keyword_list_is_chinese():
    assert taxonomy_from_list().themes[0].keywords == {"zh": ("腐败",)}


def taxonomy_from_list() -> Taxonomy:
    return Taxonomy.from_data(
        {"themes": [{"code": "t", "name_zh": "主题", "name_en": "Theme", "keywords": ["腐败"]}]}
    )


# Theme headings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "code"),
    [
        ("有效处理和应对世界毒品问题", "drugs"),
        ("A. 有效处理和应对世界毒品问题", "drugs"),
        ("反 腐 败", "corruption"),
        ("Countering corruption", "corruption"),
        ("B. Countering transnational organized crime", "organized-crime"),
        ("c) PREVENTING TERRORISM", "terrorism"),
        ("(d) Crime prevention and criminal justice", "criminal-justice"),
        ("Research, trend analysis and forensic support", "research"),
        ("Finance and partnerships:", "finance"),
        ("Countering corruption and terrorism", None),
        ("Recommendations", None),
        ("A.", None),
        ("", None),
    ],
)
def test_for_heading_matches_the_chinese_or_english_name(heading, code):
    assert TAXONOMY.for_heading(heading) == code


# The data file -------------------------------------------------------------------------


def test_every_theme_has_keywords_in_every_language():
    data = json.loads(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    assert [theme["code"] for theme in data["themes"]] == [
        "drugs",
        "organized-crime",
        "corruption",
        "terrorism",
        "criminal-justice",
        "research",
        "programme",
        "finance",
    ]
    for theme in data["themes"]:
        assert list(theme["keywords"]) == list(KEYWORD_LANGUAGES), theme["code"]
        for language in KEYWORD_LANGUAGES:
            words = theme["keywords"][language]
            assert len(words) >= 4, (theme["code"], language)
            assert len({w.casefold() for w in words}) == len(words), (theme["code"], language)


GENERIC = [
    "Member States",
    "States",
    "Governments",
    "UNODC",
    "United Nations",
    "Office on Drugs and Crime",
    "drugs and crime",
    "drug",
    "crime",
    "trafficking",
    "smuggling",
    "cooperation",
    "international cooperation",
    "technical assistance",
    "capacity-building",
    "support",
    "implementation",
    "recommendation",
    "resources",
    "partnership",
    "accountability",
    "integrity",
    "financing",
    "programme",
    "data",
]


def test_english_keywords_are_specific():
    generic = {word.casefold() for word in GENERIC}
    for theme in TAXONOMY.themes:
        assert not generic & {w.casefold() for w in theme.keywords_in("en")}, theme.code


def test_each_english_keyword_finds_itself_and_its_own_theme():
    import re

    for theme in TAXONOMY.themes:
        for keyword in theme.keywords_in("en"):
            assert re.fullmatch(keyword_pattern(keyword), keyword, re.IGNORECASE), keyword
            assert theme.code in en(f"They discussed {keyword} at length."), keyword
