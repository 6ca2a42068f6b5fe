"""The cover-page reader on English UN documents (recommendations/parsing/cover.py)."""

import json
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations.parsing.cover import CoverWords, parse_cover
from recommendations.parsing.languages.en.cover import WORDS
from recommendations.parsing.pdf import extract_pdf_text
from recommendations.parsing.text import Footnote

ROOT = Path(__file__).resolve().parent.parent.parent
REPORTS = ROOT / "tests" / "data" / "reports"
GOLD = json.loads((REPORTS / "gold.json").read_text(encoding="utf-8"))
BODIES = json.loads((ROOT / "recommendations" / "data" / "bodies.json").read_text("utf-8"))

# The front matter ends at the first section heading ("I. Introduction") or numbered
# paragraph ("1. The General Assembly ...").
_FIRST_HEADING = re.compile(r"^\s*(?:[IVX]+\.|\d{1,3}\.)\s+\S")


def front(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.split("\n"):
        if _FIRST_HEADING.match(line):
            break
        lines.append(line)
    return lines


def cover(text: str, **options):
    return parse_cover(front(text), WORDS, **options)


# --- The nine development documents ---------------------------------------------------

# What each cover addresses: (body code, session, agenda item) per body, in order.
EXPECTED = {
    "A_78_668.pdf": {
        "date": date(2024, 1, 29),
        "title": "Building inclusive institutions that leave no one behind at the midpoint "
        "of the 2030 Agenda for Sustainable Development",
        "author": "Secretariat",
        "bodies": [("CEPA", "Twenty-third session", "6")],
    },
    "A_79_972.pdf": {
        "date": date(2025, 7, 18),
        "title": "Letter dated 15 July 2025 from the Permanent Representative of Greece to "
        "the United Nations addressed to the Secretary-General",
        "author": "Permanent Representative of Greece to the United Nations",
        "bodies": [("GA", "Seventy-ninth session", "67"), ("SC", "Eightieth year", "")],
    },
    "A_80_116.pdf": {
        "date": date(2025, 7, 4),
        "title": "Report of the Committee on Economic, Social and Cultural Rights",
        "author": "Secretariat",
        "bodies": [("GA", "Eightieth session", "73 (a)")],
    },
    "A_80_188.pdf": {
        "date": date(2025, 7, 17),
        "title": "Promotion and protection of human rights in the context of climate change",
        "author": "Secretary-General",
        "bodies": [("GA", "Eightieth session", "72 (b)")],
    },
    "A_80_42.pdf": {
        "date": None,
        "title": "Report of the Disarmament Commission for 2025",
        "author": "Disarmament Commission",
        "bodies": [("GA", "Eightieth Session", "")],
    },
    "A_HRC_EMRIP_2025_3.pdf": {
        "date": date(2025, 5, 6),
        "title": "Efforts to implement the United Nations Declaration on the Rights of "
        "Indigenous Peoples: the rights of Indigenous Peoples to their traditional economies",
        "author": "Expert Mechanism on the Rights of Indigenous Peoples",
        "bodies": [("EMRIP", "Eighteenth session", "5")],
    },
    "DP_2025_7.pdf": {
        "date": date(2024, 12, 2),
        "title": "Management response to the independent review of the UNDP evaluation policy",
        "author": "",
        "bodies": [("UNDP-EB", "First regular session 2025", "11")],
    },
    "E_2025_57.pdf": {
        "date": date(2025, 4, 15),
        "title": "United Nations Sustainable Development Group System-wide Evaluation Office",
        "author": "Executive Director",
        "bodies": [("ECOSOC", "2025 session", "7 (a)")],
    },
    "S_2025_303.pdf": {
        "date": date(2025, 5, 12),
        "title": "Letter of 9 May 2025 from the Secretary-General addressed to the President "
        "of the Security Council",
        "author": "Secretary-General",
        "bodies": [("SC", "", "")],
    },
}
# A/80/42 is an Official Records volume: its cover prints no masthead symbol, and the
# reader does not make one up from "Eightieth Session, Supplement No. 42".
NO_SYMBOL_ON_COVER = {"A_80_42.pdf"}


@pytest.fixture(scope="module")
def pdfium_text():
    cache: dict[str, str] = {}

    def text(name: str) -> str:
        if name not in cache:
            cache[name] = extract_pdf_text((REPORTS / "en" / name).read_bytes())
        return cache[name]

    return text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_development_documents(name, pdfium_text):
    meta = cover(pdfium_text(name))
    expected = EXPECTED[name]
    gold_symbol = None if name in NO_SYMBOL_ON_COVER else GOLD[name]["symbol"]
    assert meta.symbol == gold_symbol
    assert meta.document_date == expected["date"]
    assert meta.title == expected["title"]
    assert meta.author == expected["author"]
    assert [(b.code, b.session, b.agenda_item) for b in meta.bodies] == expected["bodies"]
    assert meta.language == "en"
    assert meta.source_format == "pdf"


def test_session_dates_and_places(pdfium_text):
    (cepa,) = cover(pdfium_text("A_78_668.pdf")).bodies
    assert (cepa.dates, cepa.place) == ("15–19 April 2024", "New York")
    assert (cepa.start_date, cepa.end_date) == (date(2024, 4, 15), date(2024, 4, 19))
    assert cepa.agenda_title == "Principles of effective governance for sustainable development"

    (board,) = cover(pdfium_text("DP_2025_7.pdf")).bodies
    assert board.name.startswith("Executive Board of the United Nations Development Programme")
    assert board.name.endswith("the United Nations Office for Project Services")
    assert (board.dates, board.place) == ("27 to 31 January 2025", "New York")
    assert (board.start_date, board.end_date) == (date(2025, 1, 27), date(2025, 1, 31))
    assert board.agenda_title == "Evaluation"

    (council,) = cover(pdfium_text("E_2025_57.pdf")).bodies
    assert council.dates == "25 July 2024–30 July 2025"
    assert (council.start_date, council.end_date) == (date(2024, 7, 25), date(2025, 7, 30))
    assert council.agenda_title.endswith("of the General Assembly and the Council")

    (mechanism,) = cover(pdfium_text("A_HRC_EMRIP_2025_3.pdf")).bodies
    assert (mechanism.start_date, mechanism.end_date) == (date(2025, 7, 14), date(2025, 7, 18))
    assert mechanism.place == ""


def test_joint_letter_addresses_two_bodies_in_two_columns(pdfium_text):
    assembly, council = cover(pdfium_text("A_79_972.pdf")).bodies
    assert (assembly.name, assembly.agenda_title) == (
        "General Assembly",
        "Promotion and protection of the rights of children",
    )
    assert (council.name, council.agenda_item, council.agenda_title) == ("Security Council", "", "")


def _layout(name: str) -> str:
    result = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(REPORTS / "en" / name), "-"],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext missing")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pdftotext_layout_gives_the_same_metadata(name, pdfium_text):
    assert cover(_layout(name)) == cover(pdfium_text(name))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext missing")
def test_starred_footnote_is_the_agendas_symbol():
    (assembly,) = cover(_layout("A_80_188.pdf")).bodies
    assert assembly.agenda_symbol == "A/80/150"
    (cepa,) = cover(_layout("A_78_668.pdf")).bodies
    assert cepa.agenda_symbol == "E/C.16/2024/1"


def test_footnotes_taken_out_by_the_caller_give_the_agendas_symbol(pdfium_text):
    notes = [Footnote(label="*", text="A/80/150.", line=30)]
    meta = cover(pdfium_text("A_80_188.pdf"), footnotes=notes)
    assert meta.agenda_symbols == ("A/80/150",)
    assert meta.symbol == "A/80/188"


# --- Patterns, one by one -------------------------------------------------------------

MASTHEAD = [
    "United Nations A/80/188",
    "General Assembly Distr.: General",
    "17 July 2025",
    "",
    "Original: English",
    "",
]


def read(*lines: str, **options):
    return parse_cover(list(lines), WORDS, **options)


def test_masthead_on_pdfium_lines():
    meta = read(*MASTHEAD, "Eightieth session")
    assert meta.symbol == "A/80/188"
    assert meta.document_date == date(2025, 7, 17)
    assert [(b.name, b.code, b.session) for b in meta.bodies] == [
        ("General Assembly", "GA", "Eightieth session")
    ]


def test_masthead_in_layout_columns():
    meta = read(
        "        United Nations                                            A/79/972-S/2025/467",
        "        General Assembly                               Distr.: General",
        "        Security Council                               18 July 2025",
        "",
        "                                                       Original: English",
    )
    assert meta.symbol == "A/79/972-S/2025/467"
    assert meta.document_date == date(2025, 7, 18)
    assert [b.code for b in meta.bodies] == ["GA", "SC"]


def test_symbol_above_the_masthead_as_pdftotext_prints_it_without_layout():
    meta = read("A/80/188", "", "United Nations", "", "General Assembly", "", "Distr.: General")
    assert meta.symbol == "A/80/188"
    assert [b.code for b in meta.bodies] == ["GA"]


def test_no_symbol_without_a_masthead():
    meta = read("A/80/42", "", "United Nations", "", "Report of the Disarmament", "Commission")
    assert meta.symbol is None
    assert meta.title == "Report of the Disarmament Commission"


def test_joint_symbol_with_a_spaced_dash_is_kept_whole():
    meta = read("United Nations A/72/684 – E/2018/7", "General Assembly Distr.: General")
    assert meta.symbol == "A/72/684-E/2018/7"


def test_masthead_after_the_summary():
    meta = read(
        "Human Rights Council",
        "Fifty-ninth session",
        "16 June–11 July 2025",
        "Agenda item 3",
        "Promotion and protection of all human rights",
        "",
        "A title",
        "",
        "Summary",
        "The present report ...",
        "United Nations A/HRC/59/42",
        "General Assembly Distr.: General",
        "2 May 2025",
    )
    assert meta.symbol == "A/HRC/59/42"
    assert meta.document_date == date(2025, 5, 2)
    (council,) = meta.bodies
    assert (council.code, council.session, council.agenda_item) == (
        "HRC",
        "Fifty-ninth session",
        "3",
    )
    assert (council.start_date, council.end_date) == (date(2025, 6, 16), date(2025, 7, 11))
    assert meta.title == "A title"


@pytest.mark.parametrize(
    "line",
    [
        "Eightieth session",
        "Seventy-ninth session",
        "Twenty-third session",
        "First regular session 2025",
        "Annual session 2025",
        "2025 session",
        "Resumed seventy-ninth session",
        "Eleventh special session",
        "Eightieth year",
        "80th session",
    ],
)
def test_sessions(line):
    (body,) = read(*MASTHEAD, line).bodies
    assert body.session == line


@pytest.mark.parametrize(
    ("line", "dates", "start", "end", "place"),
    [
        ("15–19 April 2024", "15–19 April 2024", date(2024, 4, 15), date(2024, 4, 19), ""),
        (
            "New York, 15-19 April 2024",
            "15-19 April 2024",
            date(2024, 4, 15),
            date(2024, 4, 19),
            "New York",
        ),
        (
            "27 to 31 January 2025, New York",
            "27 to 31 January 2025",
            date(2025, 1, 27),
            date(2025, 1, 31),
            "New York",
        ),
        (
            "Geneva, 16 June–11 July 2025",
            "16 June–11 July 2025",
            date(2025, 6, 16),
            date(2025, 7, 11),
            "Geneva",
        ),
        (
            "25 July 2024–30 July 2025",
            "25 July 2024–30 July 2025",
            date(2024, 7, 25),
            date(2025, 7, 30),
            "",
        ),
        ("9 and 10 March 2025", "9 and 10 March 2025", date(2025, 3, 9), date(2025, 3, 10), ""),
        ("3 March 2025", "3 March 2025", date(2025, 3, 3), date(2025, 3, 3), ""),
    ],
)
def test_session_dates(line, dates, start, end, place):
    (body,) = read(*MASTHEAD, "Eightieth session", line).bodies
    assert (body.dates, body.start_date, body.end_date, body.place) == (dates, start, end, place)


def test_impossible_dates_are_left_out():
    (body,) = read(*MASTHEAD, "Eightieth session", "30 February–2 March 2025").bodies
    assert (body.dates, body.start_date) == ("", None)


@pytest.mark.parametrize(
    ("line", "item", "stars"),
    [
        ("Item 72 (b) of the provisional agenda*", "72 (b)", True),
        ("Item 73 (a) of the preliminary list*", "73 (a)", True),
        ("Item 6 of the provisional agenda", "6", False),
        ("Items 3 and 4 of the provisional agenda", "3 and 4", False),
        ("Agenda item 67", "67", False),
        ("Agenda items 2 and 3", "2 and 3", False),
        ("Provisional agenda item 5", "5", False),
    ],
)
def test_agenda_items(line, item, stars):
    meta = read(*MASTHEAD, "Eightieth session", line, "Its title", "", "* A/80/150.")
    (body,) = meta.bodies
    assert body.agenda_item == item
    assert body.agenda_title == "Its title"
    assert body.agenda_symbol == ("A/80/150" if stars else "")


def test_footnote_that_is_not_a_symbol_is_no_agenda_symbol():
    meta = read(
        *MASTHEAD, "Eightieth session", "Agenda item 67*", "", "* Reissued for technical reasons."
    )
    assert meta.bodies[0].agenda_symbol == ""


def test_body_name_wrapped_over_lines_in_a_session_block():
    meta = read(
        *MASTHEAD,
        "Executive Board of the United Nations",
        "Children's Fund",
        "Annual session 2025",
        "10–13 June 2025",
        "Item 4 of the provisional agenda",
    )
    (board,) = meta.bodies
    assert (board.code, board.session) == ("UNICEF-EB", "Annual session 2025")


def test_body_not_in_the_data_keeps_its_printed_name():
    meta = read(
        *MASTHEAD,
        "Working Group on the Right to Development",
        "Twenty-sixth session",
        "Agenda item 4",
    )
    (group,) = meta.bodies
    assert (group.name, group.code, group.session) == (
        "Working Group on the Right to Development",
        "",
        "Twenty-sixth session",
    )


def test_parent_body_above_the_body_addressed_is_left_out():
    meta = read(
        *MASTHEAD, "Economic and Social Council", "Statistical Commission", "Fifty-sixth session"
    )
    assert [(b.code, b.session) for b in meta.bodies] == [("STATCOM", "Fifty-sixth session")]


def test_bodies_one_after_the_other_as_pdftotext_prints_two_columns():
    meta = read(
        "United Nations A/79/972-S/2025/467",
        "General Assembly",
        "Security Council",
        "Distr.: General",
        "18 July 2025",
        "Original: English",
        "",
        "General Assembly",
        "Seventy-ninth session",
        "Agenda item 67",
        "Promotion and protection of the rights of children",
        "Security Council",
        "Eightieth year",
    )
    assembly, council = meta.bodies
    assert (assembly.session, assembly.agenda_item) == ("Seventy-ninth session", "67")
    assert assembly.agenda_title == "Promotion and protection of the rights of children"
    assert (council.session, council.agenda_item) == ("Eightieth year", "")


def test_bodies_can_be_given_by_the_caller():
    meta = read(*MASTHEAD, "Eightieth session", bodies={"General Assembly": "UNGA"})
    assert meta.bodies[0].code == "UNGA"
    meta = read(*MASTHEAD, "Eightieth session", bodies={})
    assert [(b.name, b.code) for b in meta.bodies] == [("General Assembly", "")]


def test_body_names_match_whatever_their_case():
    meta = read(
        "United Nations A/80/1", "GENERAL ASSEMBLY Distr.: General", "", "Eightieth session"
    )
    assert [(b.name, b.code) for b in meta.bodies] == [("GENERAL ASSEMBLY", "GA")]


@pytest.mark.parametrize(
    ("lines", "title", "author"),
    [
        (["A title", "", "Report of the Secretary-General"], "A title", "Secretary-General"),
        (["A title", "Note by the Secretariat"], "A title", "Secretariat"),
        (
            ["A title", "", "Report of the Special Rapporteur on the right to food,", "Jane Doe"],
            "A title",
            "Special Rapporteur on the right to food",
        ),
        (
            [
                "A title",
                "",
                "Note by the Secretary-General",
                "",
                "Report of the Special Rapporteur",
            ],
            "A title",
            "Secretary-General",
        ),
        (
            ["Report of the X Committee", "", "Note by the Secretary-General"],
            "Report of the X Committee",
            "Secretary-General",
        ),
        (
            ["Report of the Human Rights Council on its fifty-eighth session"],
            "Report of the Human Rights Council on its fifty-eighth session",
            "Human Rights Council",
        ),
        (
            ["A title", "", "Report of the Expert Mechanism*", "", "Summary", "Text."],
            "A title",
            "Expert Mechanism",
        ),
        (["A title", "", "Contents", "I. Introduction"], "A title", ""),
        (["Summary", "A title"], "", ""),
    ],
)
def test_title_and_author(lines, title, author):
    meta = read(*MASTHEAD, "Eightieth session", "Agenda item 7", "Its title", "", *lines)
    assert (meta.title, meta.author) == (title, author)


def test_letter_title_stops_at_the_letter_text():
    meta = read(
        *MASTHEAD,
        "Identical letters dated 5 May 2025 from the Permanent Representative of",
        "Ruritania to the United Nations addressed to the Secretary-General and the",
        "President of the Security Council",
        "I have the honour to transmit ...",
    )
    assert meta.title == (
        "Identical letters dated 5 May 2025 from the Permanent Representative of Ruritania "
        "to the United Nations addressed to the Secretary-General and the President of the "
        "Security Council"
    )
    assert meta.author == "Permanent Representative of Ruritania to the United Nations"


def test_annex_ends_the_cover():
    meta = read(*MASTHEAD, "Annex to the letter dated 1 May 2025", "", "Report of the workshop")
    assert (meta.title, meta.author) == ("", "")


def test_page_furniture_is_ignored():
    meta = read(
        *MASTHEAD,
        "25-11710 (E)     180825",
        " *2511710*",
        "\fA/80/188",
        "",
        "A title split by a",
        "line-end hyphen: rights-",
        "based",
    )
    assert meta.title == "A title split by a line-end hyphen: rights-based"


def test_source_format_and_empty_input():
    assert read(source_format="pdf-text").source_format == "pdf-text"
    meta = read()
    assert (meta.symbol, meta.title, meta.author, meta.bodies, meta.document_date) == (
        None,
        "",
        "",
        (),
        None,
    )
    assert (meta.language, meta.source_format) == ("en", "pdf")


# --- Another language is another CoverWords ----------------------------------------------

FRENCH = replace(
    WORDS,
    language="fr",
    months=(
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    masthead=("Nations Unies",),
    original=("Original:",),
    language_names=("anglais", "arabe", "chinois", "espagnol", "français", "russe"),
    only=("seulement",),
    and_words=("et",),
    range_words=("au", "et"),
    ordinals=("premier", "première", "dix-huitième", "vingtième", "quatre-vingtième"),
    ordinal_tens=(),
    numeric_ordinal="",
    session_qualifiers=("ordinaire", "extraordinaire"),
    sessions=("{ordinal} session(?: (?:{qualifier} )?(?:de )?{year})?",),
    agenda_lists=("ordre du jour provisoire", "ordre du jour", "liste préliminaire"),
    agenda_items=("Points? {item} de l[’']{list}",),
    reports=("Rapport du {author}",),
    notes=("Note du {author}",),
    stops=("Résumé", "Table des matières"),
)


def test_a_french_cover_is_read_with_french_words():
    meta = parse_cover(
        [
            "          Nations Unies                                         A/80/188",
            "          Assemblée générale                  Distr. générale",
            "                                              17 juillet 2025",
            "                                              Français",
            "                                              Original : anglais",
            "",
            "Quatre-vingtième session",
            "Point 72 b) de l’ordre du jour provisoire*",
            "Promotion et protection des droits humains",
            "",
            "          Promotion et protection des droits humains dans le contexte",
            "          des changements climatiques",
            "          Note du Secrétaire général",
            "",
            "* A/80/150.",
        ],
        FRENCH,
        bodies={"Assemblée générale": "GA"},
    )
    assert (meta.symbol, meta.document_date, meta.language) == ("A/80/188", date(2025, 7, 17), "fr")
    assert meta.title == (
        "Promotion et protection des droits humains dans le contexte des changements climatiques"
    )
    assert meta.author == "Secrétaire général"
    (assembly,) = meta.bodies
    assert (assembly.code, assembly.session, assembly.agenda_item, assembly.agenda_symbol) == (
        "GA",
        "Quatre-vingtième session",
        "72 b)",
        "A/80/150",
    )


def test_cover_words_are_the_only_language_specific_input():
    assert isinstance(WORDS, CoverWords)
    assert len(WORDS.months) == 12


# --- Body data --------------------------------------------------------------------------


def test_bodies_data_keeps_the_original_six_and_adds_the_bodies_un_reports_address():
    codes = [row["code"] for row in BODIES]
    assert codes[:6] == ["CND", "CCPCJ", "UNTOC-COP", "UNCAC-COSP", "ECOSOC", "GA"]
    by_code = {row["code"]: row for row in BODIES}
    assert by_code["GA"]["name_zh"] == "大会"
    for code in ("SC", "HRC", "CEPA", "UNDP-EB", "EMRIP"):
        assert code in by_code
    names = {row["name_en"] for row in BODIES}
    assert {
        "Commission on the Status of Women",
        "Statistical Commission",
        "Commission for Social Development",
    } <= names
    assert len(set(codes)) == len(codes)
    assert len({row["name_zh"] for row in BODIES}) == len(BODIES)
    assert all(row["name_zh"] and row["name_en"] and len(row["code"]) <= 20 for row in BODIES)


# --- Never raises ---------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        *MASTHEAD,
        "United Nations",
        "A/80/188",
        "Distr.: General",
        "Original: English",
        "English, French and",
        "Spanish only",
        "Security Council                18 July 2025",
        "General Assembly Security Council",
        "Seventy-ninth session Eightieth year",
        "Executive Board of the",
        "Eightieth session",
        "2025 session",
        "Eightieth year",
        "Item 72 (b) of the provisional agenda*",
        "Agenda item 67",
        "New York, 15–19 April 2024",
        "31 February 2025",
        "25 July 2024–30 July 2025",
        "Official Records",
        "Supplement No. 42",
        "Report of the Special Rapporteur, Jane Doe",
        "Report of the",
        "Note by the Secretary-General",
        "Letter dated 15 July 2025 from the X addressed to the Y",
        "I have the honour",
        "Annex",
        "Summary",
        "* A/80/150.",
        "*",
        "*2511710*",
        "25-11710 (E) 180825",
        "\f",
        "",
        "   ",
        "(",
    ]
)
LINES = st.one_of(FRAGMENTS, st.text(max_size=60))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=40))
def test_parse_cover_never_raises(lines):
    meta = parse_cover(lines, WORDS)
    assert meta.language == "en"
    assert all(isinstance(body.name, str) for body in meta.bodies)


def test_long_and_odd_lines_are_read_quickly():
    lines = ["1" * 5000, "A/" * 2000, "Report of the " + "x, " * 500, "(" * 3000] * 200
    meta = parse_cover(lines, WORDS)
    assert meta.symbol is None


def test_reissued_document_symbol_loses_its_asterisk():
    meta = read("United Nations A/HRC/59/42*", "General Assembly Distr.: General")
    assert meta.symbol == "A/HRC/59/42"
