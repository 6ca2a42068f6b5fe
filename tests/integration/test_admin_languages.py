"""The admin with S/2025/303 in English (the original) and in Chinese (every
recommendation but 60): texts in the reader's language, the other versions' texts, the
report's language versions."""

import hashlib

import pytest

from recommendations.models import RecommendationText, Report
from tests.forms import form_data
from tests.integration.test_language_versions import (
    CHINESE,
    ENGLISH,
    chinese_copy,
    run,
    without_60_with_65,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_versions(tmp_path):
    """The English report with the Chinese text of every recommendation but 60."""
    run("import_report", str(ENGLISH))
    run("import_report", str(chinese_copy(tmp_path, without_60_with_65())), "--allow-unmatched")
    return Report.objects.get()


def test_the_admin_in_chinese_shows_the_chinese_text(staff_client, both_versions):
    rec_56 = both_versions.recommendations.get(label="56")
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    page = staff_client.get(f"/admin/recommendations/recommendation/{rec_56.pk}/change/", **zh)
    assert page.status_code == 200
    html = page.content.decode()
    assert "您所用语言的案文" in html
    assert "毒品和犯罪问题办公室建议海地设立反腐败股地区办事处" in html
    assert "UNODC recommends that Haiti establish" in html  # the original, editable
    assert "报告原文的语言（英文）。" in html

    rec_60 = both_versions.recommendations.get(label="60")
    html = staff_client.get(
        f"/admin/recommendations/recommendation/{rec_60.pk}/change/", **zh
    ).content.decode()
    assert "（没有中文案文：下面是英文原文。）" in html

    listing = staff_client.get(
        "/admin/recommendations/recommendation/", {"report__id__exact": rec_56.report_id}, **zh
    ).content.decode()
    assert "毒品和犯罪问题办公室建议海地设立" in listing
    assert "[英文] The Dominican Republic designated" in listing

    english_listing = staff_client.get(
        "/admin/recommendations/recommendation/", {"report__id__exact": rec_56.report_id}
    ).content.decode()
    assert "UNODC recommends that Haiti establish" in english_listing
    assert "毒品和犯罪问题办公室建议海地设立" not in english_listing
    assert "[English]" not in english_listing


def test_the_recommendation_page_lists_the_other_versions_texts(staff_client, both_versions):
    rec_56 = both_versions.recommendations.get(label="56")
    page = staff_client.get(f"/admin/recommendations/recommendation/{rec_56.pk}/change/")
    html = page.content.decode()
    assert "Texts of the other language versions" in html
    assert "毒品和犯罪问题办公室建议海地设立反腐败股地区办事处" in html
    assert "text in your language" not in html  # the reader reads the original's language
    assert "original language (English)." in html


def test_the_report_page_lists_its_language_versions(staff_client, both_versions):
    page = staff_client.get(f"/admin/recommendations/report/{both_versions.pk}/change/")
    html = page.content.decode()
    assert "Language versions" in html
    assert ENGLISH.name in html and CHINESE.name in html
    assert hashlib.sha256(ENGLISH.read_bytes()).hexdigest() in html


def test_saving_a_recommendation_with_other_language_texts_keeps_them(staff_client, both_versions):
    rec_56 = both_versions.recommendations.get(label="56")
    url = f"/admin/recommendations/recommendation/{rec_56.pk}/change/"
    texts = list(RecommendationText.objects.values().order_by("id"))
    data = form_data(
        staff_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode(),
        "recommendation_form",
    )
    data["text"] = [rec_56.text + " (revised)"]
    response = staff_client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302, response.content.decode()[:3000]
    rec_56.refresh_from_db()
    assert rec_56.text.endswith(" (revised)")
    assert list(RecommendationText.objects.values().order_by("id")) == texts


def test_the_admin_search_finds_the_text_of_any_language(staff_client, both_versions):
    response = staff_client.get("/admin/recommendations/recommendation/", {"q": "专门司法分庭"})
    assert [rec.label for rec in response.context["cl"].result_list] == ["58"]
