"""Recommendations in the reader's language: S/2025/303 imported in English (the
original) and in Chinese (every recommendation but 60, which stays English only)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "reports"
URL = "/api/v1/recommendations/"


@pytest.fixture
def report(db, tmp_path):
    call_command("import_report", str(DATA / "en" / "S_2025_303.pdf"), stdout=StringIO())
    text = (DATA / "zh" / "S_2025_303.zh.txt").read_text(encoding="utf-8")
    start, end = text.index("\n60. "), text.index("\n61. ")
    chinese = tmp_path / "S_2025_303.zh.txt"
    chinese.write_text(text[:start] + text[end:], encoding="utf-8")
    call_command("import_report", str(chinese), "--allow-unmatched", stdout=StringIO())
    return Recommendation.objects.get(label="56").report


def rows(response):
    assert response.status_code == 200, response.content[:300]
    return {row["label"]: row for row in response.json()["results"]}


def test_lang_zh_gives_the_chinese_text_and_falls_back_to_the_original(kenya, report):
    listed = rows(kenya.get(URL, {"report": report.pk, "lang": "zh"}))
    assert len(listed) == 9
    row = listed["56"]
    assert row["text"].startswith("毒品和犯罪问题办公室建议海地设立反腐败股地区办事处")
    assert (row["addressee"], row["heading"]) == ("毒品和犯罪问题办公室建议", "")
    assert (row["text_language"], row["languages"]) == ("zh", ["en", "zh"])
    untranslated = listed["60"]
    assert untranslated["text"].startswith("The Dominican Republic designated several")
    assert (untranslated["text_language"], untranslated["languages"]) == ("en", ["en"])
    assert {label for label, row in listed.items() if row["text_language"] == "zh"} == {
        str(n) for n in range(56, 65) if n != 60
    }


def test_accept_language_chooses_when_lang_is_not_given(kenya, report):
    chinese = rows(kenya.get(URL, {"report": report.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert chinese["57"]["text_language"] == "zh"
    assert chinese["57"]["text"].startswith("毒品和犯罪问题办公室促请国家当局")
    assert chinese["60"]["text_language"] == "en"

    english = rows(kenya.get(URL, {"report": report.pk}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    assert english["57"]["text"].startswith("Given the risks faced by anti-corruption actors")
    assert english["57"]["text_language"] == "en"

    # lang comes first; a language the recommendation lacks gives the original.
    asked = rows(kenya.get(URL, {"report": report.pk, "lang": "en"}, HTTP_ACCEPT_LANGUAGE="zh"))
    assert asked["57"]["text_language"] == "en"
    french = rows(kenya.get(URL, {"report": report.pk, "lang": "fr"}))
    assert {row["text_language"] for row in french.values()} == {"en"}
    longer = rows(kenya.get(URL, {"report": report.pk, "lang": "ZH-Hans"}))
    assert longer["57"]["text_language"] == "zh"


def test_without_a_language_the_original_is_returned(kenya, report):
    listed = rows(kenya.get(URL, {"report": report.pk}))
    assert {row["text_language"] for row in listed.values()} == {"en"}
    assert listed["56"]["text"].startswith("UNODC recommends that Haiti establish")
    assert listed["56"]["languages"] == ["en", "zh"]


def test_detail_in_the_readers_language(kenya, report):
    rec = report.recommendations.get(label="58")
    response = kenya.get(f"{URL}{rec.pk}/", {"lang": "zh"})
    assert response.status_code == 200
    data = response.json()
    assert data["text"].startswith("毒品和犯罪问题办公室还建议设立专门审理金融犯罪")
    assert (data["text_language"], data["languages"]) == ("zh", ["en", "zh"])
    data = kenya.get(f"{URL}{rec.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert data["text_language"] == "zh"
    assert kenya.get(f"{URL}{rec.pk}/").json()["text"].startswith("UNODC further recommends")


def test_texts_cost_no_query_per_row(kenya, report):
    def count(limit):
        with CaptureQueriesContext(connection) as captured:
            response = kenya.get(URL, {"report": report.pk, "lang": "zh", "limit": limit})
        assert len(response.json()["results"]) == limit
        return len(captured)

    count(1)  # the token's first use is recorded
    assert count(1) == count(9)


def test_the_schema_documents_lang_and_the_new_fields(kenya):
    schema = kenya.get("/api/v1/schema/", {"format": "json"}).json()
    for path in (URL, URL + "{id}/"):
        parameters = schema["paths"][f"{path}"]["get"]["parameters"]
        lang = next(parameter for parameter in parameters if parameter["name"] == "lang")
        assert lang["in"] == "query" and "Accept-Language" in lang["description"]
    properties = schema["components"]["schemas"]["Recommendation"]["properties"]
    assert properties["text_language"]["type"] == "string"
    assert properties["languages"] == {
        "type": "array",
        "items": {"type": "string"},
        "readOnly": True,
        "description": properties["languages"]["description"],
    }
    assert "original" in properties["text"]["description"]


def test_q_searches_every_language_of_the_text(kenya, staff_caller, report):
    found = rows(kenya.get(URL, {"report": report.pk, "q": "专门司法分庭"}))
    assert list(found) == ["58"]
    assert list(rows(kenya.get(URL, {"q": "pôles judiciaires"}))) == ["58"]
    rec = report.recommendations.get(label="58")
    staff_caller.post(
        "/api/v1/follow-ups/",
        {"recommendation": rec.pk, "member_state": "HTI", "status": "in_progress"},
    )
    follow_ups = staff_caller.get("/api/v1/follow-ups/", {"q": "专门司法分庭"}).json()
    assert [row["recommendation"] for row in follow_ups["results"]] == [rec.pk]


@pytest.mark.parametrize("value", ["", "z", "zh hans", "中文", "zh-"])
def test_a_bad_language_tag_is_a_400_naming_lang(value, kenya, report):
    for url in (URL, f"{URL}{Recommendation.objects.get(label='56').pk}/"):
        response = kenya.get(url, {"lang": value})
        assert response.status_code == 400
        assert list(response.json()) == ["lang"]
