"""The questionnaire round trip in a real browser, at 1366 px, in English and in Chinese:
staff download a state's workbook with the action, a ministry fills it (openpyxl), staff
upload it, read the preview (a conflict side by side in Chinese), apply, see the result."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from recommendations.choices import Status
from recommendations.models import Action, FollowUp, Report
from recommendations.services import follow_ups as follow_up_services
from tests.conftest import SEED_2017
from tests.integration.shared import rec
from tests.integration.test_admin_questionnaire import answers_in_chinese
from tests.questionnaire_helpers import fill

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTH = 1366
SYMBOL = SEED_2017.name  # the seed states no symbol: its file name stands for it
ADMIN = "/admin/recommendations"


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: the page is {width} px wide"


def shoot(page, artifacts: Path, name: str) -> None:
    no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def run_action(page, live_server, changelist: str, action: str, selected: list[str]):
    page.goto(f"{live_server.url}{ADMIN}/{changelist}/")
    for value in selected:
        page.check(f"input[name=_selected_action][value='{value}']")
    page.select_option("select[name=action]", action)
    with page.expect_navigation():
        page.click("button[name=index]")
    assert page.locator("#questionnaire-export-form").count() == 1


def download(page) -> bytes:
    with page.expect_download() as info:
        page.click("#questionnaire-export-form input[type=submit]")
    return Path(info.value.path()).read_bytes()


def open_upload(page, live_server, changelist="memberstate"):
    page.goto(f"{live_server.url}{ADMIN}/{changelist}/")
    with page.expect_navigation():
        page.click("#questionnaire-upload-link")


def send(page, data: bytes, name: str):
    page.set_input_files(
        "#id_file", [{"name": name, "mimeType": "application/octet-stream", "buffer": data}]
    )
    with page.expect_navigation():
        page.click("#questionnaire-upload-form input[type=submit]")


def test_round_trip_in_english(seeded_work, live_server, staff_page, artifacts):
    page = staff_page("en", width=WIDTH)
    run_action(page, live_server, "memberstate", "download_questionnaires", ["KEN"])
    assert "Kenya (KEN)" in page.inner_text("#content")
    shoot(page, artifacts, "export-english")
    data = download(page)
    assert load_workbook(io.BytesIO(data))["_meta"]["B2"].value == "KEN"

    filled = fill(
        data,
        answers={"93(b)": ("Implemented", "Accepted"), "93(c)": ("In progress", "Noted")},
        actions=[(SYMBOL, "93(c)", "2025-02-01", "Policy or strategy", "A national plan", "")],
    )
    open_upload(page, live_server)
    send(page, b"Label;Status\n93(b);Implemented\n", "kenya.xlsx")
    assert "This file cannot be read as a questionnaire" in page.inner_text(".errornote")
    shoot(page, artifacts, "upload-refused-english")
    send(page, filled, "kenya.xlsx")
    content = page.inner_text("#content")
    assert "Nothing has been written yet. Rows to change: 2; new actions: 1;" in content
    changes = page.locator("#questionnaire-changes tbody tr")
    assert changes.count() == 2
    assert "In progress → Implemented" in changes.nth(0).inner_text()
    assert "new follow-up" in changes.nth(1).inner_text()
    assert not FollowUp.objects.filter(recommendation=rec("93(c)"), member_state="KEN").exists()
    shoot(page, artifacts, "preview-english")

    with page.expect_navigation():
        page.click("#questionnaire-apply-form input.default")
    assert page.url.endswith("/result/")
    assert "2 follow-ups written." in page.inner_text("#questionnaire-counts")
    shoot(page, artifacts, "result-english")
    follow_up = FollowUp.objects.get(recommendation=rec("93(b)"), member_state="KEN")
    assert follow_up.status == Status.IMPLEMENTED
    assert Action.objects.filter(description="A national plan").count() == 1

    with page.expect_navigation():
        page.click(f"#questionnaire-changes a:has-text('{SYMBOL} 93(b)')")
    assert page.url.endswith(f"/followup/{follow_up.pk}/change/")


def test_a_conflict_in_chinese(seeded_work, live_server, staff_page, artifacts):
    page = staff_page("zh-hans", width=WIDTH)
    report = Report.objects.get(symbol=SYMBOL)
    run_action(page, live_server, "report", "download_report_questionnaire", [str(report.pk)])
    page.select_option("#id_member_state", "KEN")
    assert page.locator("#id_language").input_value() == "zh"
    shoot(page, artifacts, "export-chinese")
    data = download(page)

    filled = fill(
        data, edit=answers_in_chinese({"93(b)": ("已执行", "接受"), "94(b)": ("进行中", "")})
    )
    # Meanwhile, someone changes Kenya's 93(b) in the admin: the row is a conflict.
    follow_up_services.follow_up_update(
        follow_up=seeded_work, data={"status": Status.NOT_IMPLEMENTED}, user=None, via="admin"
    )
    open_upload(page, live_server, changelist="followup")
    shoot(page, artifacts, "upload-chinese")
    send(page, filled, "肯尼亚问卷.xlsx")
    conflict = page.locator("#questionnaire-conflicts tbody tr")
    assert conflict.count() == 1
    assert conflict.locator(".q-theirs").inner_text() == "已执行 / 接受"
    assert conflict.locator(".q-current").inner_text().startswith("未执行 / —")
    assert page.locator("#questionnaire-apply-form input[name=apply][value=others]").count() == 1
    shoot(page, artifacts, "preview-chinese")

    with page.expect_download() as info:
        page.click("#questionnaire-conflicts-download")
    settle = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert [row[1] for row in settle["建议"].iter_rows(min_row=2, values_only=True)] == ["93(b)"]

    with page.expect_navigation():
        page.click("#questionnaire-apply-form input.default")
    assert page.url.endswith("/result/")
    shoot(page, artifacts, "result-chinese")
    seeded_work.refresh_from_db()
    assert seeded_work.status == Status.NOT_IMPLEMENTED  # the conflict was not applied
    assert (
        FollowUp.objects.get(recommendation=rec("94(b)"), member_state="KEN").status
        == Status.IN_PROGRESS
    )
