"""The "Import reports" page in a real browser, in English and in Chinese: upload, read
the preview, confirm, watch the files import one at a time, see the result."""

import io
from io import StringIO

import pypdfium2 as pdfium
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from recommendations import roles
from recommendations.models import Recommendation, Report
from tests.conftest import ROOT, SEED_2017, SEED_2019

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-test-password"
PDF = ROOT / "tests/data/reports/en/S_2025_303.pdf"
WIDTH = 1366


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def file(name, data):
    return {"name": name, "mimeType": "application/octet-stream", "buffer": data}


def log_in(page, live_server, language="en"):
    user = get_user_model().objects.create_user("officer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/recommendations/report/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page is {width} px wide"


def import_watching_progress(page, screenshot, name):
    """Click Import and photograph the progress list once every file is done: the
    script's final request for the result page is answered "204 No Content" (the browser
    stays), then the result page is opened."""
    page.route("**/result/", lambda route: route.fulfill(status=204))
    page.click("#import-confirm-form input[type=submit]")
    page.wait_for_selector("#import-progress[data-done]")
    no_horizontal_scroll(page)
    screenshot(name)
    states = page.locator("#import-progress li").evaluate_all("els => els.map(e => e.className)")
    page.unroute("**/result/")
    result = page.locator("#import-confirm-form").get_attribute("data-result-url")
    page.goto(page.url.split("/admin/")[0] + result)
    return states


def test_import_a_pdf_and_a_seed_in_english(live_server, reference_data, page, screenshot):
    log_in(page, live_server)
    assert (
        page.locator(".object-tools #import-reports-link.addlink").text_content().strip()
        == "Import reports"
    )
    screenshot("reports-list-english")
    with page.expect_navigation():
        page.click("#import-reports-link")
    assert "at most 50 MB each" in page.inner_text("#content")
    screenshot("upload-english")

    page.set_input_files(
        "#id_files",
        [file("S_2025_303.pdf", PDF.read_bytes()), file(SEED_2019.name, SEED_2019.read_bytes())],
    )
    with page.expect_navigation():
        page.click("#import-upload-form input[type=submit]")
    content = page.inner_text("#content")
    assert "Nothing has been written yet. Ready to import: 2" in content
    assert "New report S/2025/303: 9 recommendations." in content
    assert f"New report {SEED_2019.name}: 4 recommendations." in content
    pdf = page.locator(".import-file").nth(0)
    assert pdf.locator(".import-format").inner_text() == "PDF"
    assert pdf.locator(".import-language").inner_text() == "English"
    assert pdf.locator(".import-section").inner_text() == "«Recommendations»"
    assert pdf.locator(".import-recs tbody tr").count() == 9
    assert "Countering corruption" in pdf.locator(".import-recs tbody tr").first.inner_text()
    seed = page.locator(".import-file").nth(1)
    assert seed.locator(".import-format").inner_text() == "Markdown"
    assert seed.locator(".import-language").inner_text() == "Chinese"
    assert seed.locator(".import-recs tbody tr").count() == 4
    assert Report.objects.count() == 0  # the preview writes nothing
    no_horizontal_scroll(page)
    screenshot("preview-english")

    states = import_watching_progress(page, screenshot, "progress-english")
    assert states == ["import-imported", "import-imported"]
    assert page.url.endswith("/result/")
    rows = page.locator("#import-result tbody tr")
    assert rows.count() == 2
    assert "New report S/2025/303: 9 recommendations imported." in rows.nth(0).inner_text()
    no_horizontal_scroll(page)
    screenshot("result-english")
    assert Report.objects.get(symbol="S/2025/303").recommendations.count() == 9
    assert Report.objects.get(symbol=SEED_2019.name).recommendations.count() == 4

    with page.expect_navigation():
        rows.nth(0).locator("a", has_text="Recommendations of S/2025/303").click()
    assert page.locator("#result_list tbody tr").count() == 9


def scanned_pdf() -> bytes:
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_reimport_confirmation_and_a_bad_file_in_chinese(
    live_server, reference_data, page, screenshot
):
    call_command("import_report", str(SEED_2017), str(SEED_2019), stdout=StringIO())
    edited = SEED_2019.read_text(encoding="utf-8").replace(
        "(a) 继续努力加强《有组织犯罪公约》", "(a) 进一步加强《有组织犯罪公约》"
    )
    lines = SEED_2017.read_text(encoding="utf-8").splitlines(keepends=True)
    # Up to the heading above paragraph 94: 93(a)-(f) stay, 94 to 99 are withdrawn.
    end = next(i for i, line in enumerate(lines) if line.strip() == "打击跨国有组织犯罪")
    truncated = "".join(lines[:end])
    log_in(page, live_server, language="zh-hans")
    with page.expect_navigation():
        page.click("#import-reports-link")
    assert "每个文件不超过 50 MB" in page.inner_text("#content")
    screenshot("upload-chinese")

    page.set_input_files(
        "#id_files",
        [
            file(SEED_2019.name, edited.encode()),
            file(SEED_2017.name, truncated.encode()),
            file("S_2025_303.pdf", PDF.read_bytes()),
            file("scan.pdf", scanned_pdf()),
        ],
    )
    with page.expect_navigation():
        page.click("#import-upload-form input[type=submit]")
    content = page.inner_text("#content")
    assert "尚未写入任何内容。可导入：2 个；需要您确认：1 个；无法导入：1 个。" in content
    edited_section, truncated_section, pdf, scan = (
        page.locator(".import-file").nth(i) for i in range(4)
    )
    diff = edited_section.locator(".import-diff tbody tr").first
    assert diff.locator("th").inner_text() == "101(a)"
    assert diff.locator("td.import-old del").inner_text() == "继续努力"
    assert diff.locator("td.import-new ins").inner_text() == "进一步"
    assert "此次导入需要您确认" in truncated_section.inner_text()
    assert "将撤回：文件中已没有" in truncated_section.inner_text()
    assert pdf.locator(".import-language").inner_text() == "英文"
    assert "新报告 S/2025/303：9 条建议。" in pdf.inner_text()
    assert "无法导入：" in scan.inner_text() and "PDF 没有文字层" in scan.inner_text()
    assert "将撤回 31 条有效建议中的 25 条" in truncated_section.inner_text()
    no_horizontal_scroll(page)
    screenshot("preview-chinese")
    before = Recommendation.history.count()

    truncated_section.locator("input[name=confirm]").check()
    states = import_watching_progress(page, screenshot, "progress-chinese")
    assert states == ["import-imported"] * 3
    rows = page.locator("#import-result tbody tr")
    assert rows.count() == 4
    assert "已更新" in rows.nth(0).inner_text()
    assert "撤回" in rows.nth(1).inner_text()
    assert "未导入：PDF 没有文字层" in rows.nth(3).inner_text()
    no_horizontal_scroll(page)
    screenshot("result-chinese")
    assert Recommendation.history.count() > before
    assert Recommendation.objects.get(
        report__symbol=SEED_2019.name, label="101(a)"
    ).text.startswith("进一步加强")
    withdrawn = Recommendation.objects.filter(report__symbol=SEED_2017.name, is_withdrawn=True)
    assert withdrawn.count() > 15
