"""The questionnaire in the admin: the download action (member states, a report), the
upload page (preview writes nothing, apply, conflicts side by side, refused files), and
who may use them."""

import csv
import io
import re
import zipfile

import pytest
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from recommendations import roles
from recommendations.choices import Response, Status
from recommendations.models import Action, FollowUp, Recommendation, Report
from recommendations.questionnaires.services import questionnaire_export
from recommendations.services import follow_ups as follow_up_services
from tests.integration.shared import SEED_2017, make_follow_up, make_user, rec, snapshot, state
from tests.questionnaire_helpers import fill

pytestmark = pytest.mark.django_db

STATES_URL = "/admin/recommendations/memberstate/"
REPORTS_URL = "/admin/recommendations/report/"
UPLOAD_URL = "/admin/recommendations/memberstate/questionnaire/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def export(iso3="KEN", **kwargs) -> bytes:
    return questionnaire_export(member_state=state(iso3), report=SEED_2017, **kwargs)


def answers_in_chinese(answers: dict):
    """For fill(edit=…): answers {label: (status, response)} in a Chinese workbook, whose
    columns are titled in Chinese."""

    def edit(book):
        sheet = book["建议"]
        titles = [cell.value for cell in sheet[1]]
        rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
        for label, (status, response) in answers.items():
            rows[label][titles.index("状态")].value = status
            rows[label][titles.index("答复")].value = response

    return edit


def active_count() -> int:
    return Recommendation.objects.filter(report__symbol=SEED_2017, is_withdrawn=False).count()


def action_post(client, url, action, selected, **fields):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: selected, **fields}
    return client.post(url, data)


def download(client, url, action, selected, **fields):
    page = action_post(client, url, action, selected)
    assert page.status_code == 200
    assert b'name="questionnaire"' in page.content
    fields = {"questionnaire": "download", "language": "en", "file_format": "xlsx", **fields}
    return action_post(client, url, action, selected, **fields)


def upload(client, data: bytes, name="kenya.xlsx", **extra):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(UPLOAD_URL, {"file": file}, **extra)


def preview(client, data: bytes, name="kenya.xlsx", **extra):
    response = upload(client, data, name, **extra)
    assert response.status_code == 302, response.content.decode()[:3000]
    url = response["Location"]
    assert re.fullmatch(r"/admin/recommendations/memberstate/questionnaire/[0-9a-f]{32}/", url)
    page = client.get(url, **extra)
    assert page.status_code == 200
    return url, page


def text(response) -> str:
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert "{#" not in shown and "{%" not in shown  # no template syntax left over
    return shown


# Download ------------------------------------------------------------------------------


def test_the_member_states_action_downloads_the_states_workbook(seeds, staff_client):
    page = action_post(staff_client, STATES_URL, "download_questionnaires", ["KEN"])
    assert page.status_code == 200
    assert "Kenya (KEN)" in text(page)
    response = download(staff_client, STATES_URL, "download_questionnaires", ["KEN"])
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert re.match(r'attachment; filename="questionnaire-KEN-en-[\d-]+\.xlsx"',
                    response["Content-Disposition"])  # fmt: skip
    book = load_workbook(io.BytesIO(response.content))
    assert book["_meta"]["B2"].value == "KEN"
    rows = list(book["Recommendations"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == Recommendation.objects.filter(is_withdrawn=False).count()


def test_several_states_give_a_zip_of_one_workbook_each_in_chinese(seeds, staff_client):
    response = download(
        staff_client, STATES_URL, "download_questionnaires", ["KEN", "FRA"], language="zh"
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert [name.split("-")[1] for name in names] == ["FRA", "KEN"]
    for name in names:
        book = load_workbook(io.BytesIO(archive.read(name)))
        assert "建议" in book.sheetnames


def test_csv_and_a_theme(seeds, staff_client):
    theme = Recommendation.objects.filter(themes__isnull=False).values_list(
        "themes__code", "themes__pk"
    )[0]
    response = download(
        staff_client, STATES_URL, "download_questionnaires", ["KEN"], file_format="csv",
        theme=str(theme[1]),
    )  # fmt: skip
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].endswith('.csv"')
    assert response.content.startswith("\ufeff".encode())
    rows = response.content.decode("utf-8-sig").strip().splitlines()
    themed = Recommendation.objects.filter(themes__code=theme[0], is_withdrawn=False).count()
    assert themed < Recommendation.objects.filter(is_withdrawn=False).count()
    assert len(rows) - 1 >= themed  # one row per recommendation (and action rows, none)


def test_the_report_action_asks_for_the_state(seeds, staff_client):
    report = Report.objects.get(symbol=SEED_2017)
    page = action_post(staff_client, REPORTS_URL, "download_report_questionnaire", [report.pk])
    assert page.status_code == 200 and 'name="member_state"' in page.content.decode()
    fields = {"questionnaire": "download", "language": "en", "file_format": "xlsx"}
    missing = action_post(
        staff_client, REPORTS_URL, "download_report_questionnaire", [report.pk], **fields
    )
    assert missing.status_code == 200 and "errornote" in missing.content.decode()
    response = action_post(
        staff_client, REPORTS_URL, "download_report_questionnaire", [report.pk],
        member_state="KEN", **fields,
    )  # fmt: skip
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Recommendations"].iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in rows} == {SEED_2017} and len(rows) == active_count()

    two = list(Report.objects.values_list("pk", flat=True)[:2])
    refused = action_post(staff_client, REPORTS_URL, "download_report_questionnaire", two)
    assert refused.status_code == 302
    assert "Select one report" in text(staff_client.get(REPORTS_URL))


# Upload, preview, apply ------------------------------------------------------------------


def test_preview_writes_nothing_then_apply_writes_with_history(seeds, staff_client, uploads):
    make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    data = fill(
        export(),
        answers={"93(a)": ("Implemented", "Accepted"), "93(b)": ("Not applicable", "Noted")},
        actions=[(SEED_2017, "94(a)", "2024-06-30", "Funding", "Budget line", "")],
    )
    before = snapshot()
    url, page = preview(staff_client, data)
    assert snapshot() == before
    assert len(stored_files(uploads)) == 1
    shown = text(page)
    assert "Kenya (KEN)" in shown
    assert "Rows to change: 2; new actions: 1;" in shown
    assert "In progress → Not applicable" in shown and "new follow-up" in shown
    assert f"{SEED_2017} 94(a)" in shown and "Funding" in shown
    assert f"rows unchanged: {active_count() - 2}" in shown
    assert 'value="all"' in page.content.decode()

    response = staff_client.post(url, {"apply": "all"})
    assert response.status_code == 302 and response["Location"] == f"{url}result/"
    assert stored_files(uploads) == []
    kenya = FollowUp.objects.filter(member_state="KEN")
    assert kenya.get(recommendation=rec("93(a)")).status == Status.IMPLEMENTED
    changed = kenya.get(recommendation=rec("93(b)"))
    assert (changed.status, changed.response) == (Status.NOT_APPLICABLE, Response.NOTED)
    assert changed.history.first().history_change_reason == "questionnaire kenya.xlsx"
    assert Action.objects.get(follow_up__recommendation=rec("94(a)")).description == "Budget line"

    result = staff_client.get(response["Location"])
    shown = text(result)
    assert "2 follow-ups written." in shown and "1 action added." in shown
    assert f'href="/admin/recommendations/followup/{changed.pk}/change/"' in result.content.decode()
    assert staff_client.post(url, {"apply": "all"})["Location"] == f"{url}result/"  # once
    assert kenya.count() == 3


def test_a_conflict_is_shown_side_by_side_and_not_applied(seeds, staff_client, staff):
    follow_up = make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    data = fill(
        export(),
        answers={"93(a)": ("In progress", ""), "93(b)": ("Implemented", "Accepted")},
    )
    follow_up_services.follow_up_update(
        follow_up=follow_up, data={"status": Status.NOT_IMPLEMENTED}, user=staff, via="admin"
    )
    url, page = preview(staff_client, data)
    html = page.content.decode()
    row = re.search(r'<div class="module questionnaire-section" id="questionnaire-conflicts">'
                    r".*?</table>", html, re.S).group(0)  # fmt: skip
    cells = [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.split("<tbody>")[1], re.S)]  # fmt: skip
    assert cells[1] == f"{SEED_2017} 93(b)"
    assert cells[2] == "Implemented / Accepted"
    assert cells[3].startswith("Not implemented / —")
    assert cells[4] == "officer" and cells[6] == "in the admin"
    assert 'value="others"' in html and 'value="all"' not in html

    conflicts = staff_client.get(f"{url}conflicts/")
    assert conflicts["Content-Type"] == XLSX
    settle = load_workbook(io.BytesIO(conflicts.content))["Recommendations"]
    assert [row[1] for row in settle.iter_rows(min_row=2, values_only=True)] == ["93(b)"]

    response = staff_client.post(url, {"apply": "others"})
    assert response["Location"] == f"{url}result/"
    follow_up.refresh_from_db()
    assert follow_up.status == Status.NOT_IMPLEMENTED  # kept, not overwritten
    assert FollowUp.objects.get(recommendation=rec("93(a)"), member_state="KEN").status == (
        Status.IN_PROGRESS
    )
    assert "1 conflicting row not applied." in text(staff_client.get(response["Location"]))


def test_a_csv_questionnaire_round_trip(seeds, staff_client):
    make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    exported = export(file_format="csv").decode("utf-8-sig")
    follow_up_services.follow_up_update(
        follow_up=FollowUp.objects.get(recommendation=rec("93(b)"), member_state="KEN"),
        data={"status": Status.NOT_IMPLEMENTED},
        user=None,
        via="admin",
    )
    rows = list(csv.reader(io.StringIO(exported)))
    status = rows[0].index("Status")
    for row in rows:
        if "93(a)" in row or "93(b)" in row:
            row[status] = "Implemented"
    output = io.StringIO()
    csv.writer(output).writerows(rows)
    data = ("\ufeff" + output.getvalue()).encode()
    url, page = preview(staff_client, data, name="kenya.csv")
    assert "Rows to change: 1;" in text(page) and "conflicts: 1;" in text(page)
    conflicts = staff_client.get(f"{url}conflicts/")
    assert conflicts["Content-Type"].startswith("text/csv")
    assert conflicts["Content-Disposition"].endswith('.csv"')


def test_problems_disable_apply_and_a_forced_apply_writes_nothing(seeds, staff_client):
    data = fill(export(), answers={"93(a)": ("Finished", "")})
    url, page = preview(staff_client, data)
    html = page.content.decode()
    assert re.search(r'<input type="submit" class="default" value="Apply" disabled', html)
    assert "Recommendations" in text(page) and "Status" in text(page)
    before = snapshot()
    response = staff_client.post(url, {"apply": "all"})
    assert response["Location"] == url and snapshot() == before


def test_the_page_speaks_chinese(seeds, staff_client):
    make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    data = fill(export(language="zh"), edit=answers_in_chinese({"93(b)": ("已执行", "")}))
    _url, page = preview(staff_client, data, **CHINESE)
    assert "进行中 → 已执行" in text(page) and "肯尼亚 (KEN)" in text(page)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a zip", "not an Excel workbook"),
        (b"\x00\x01binary", "This file cannot be read as a questionnaire"),
    ],
)
def test_refused_files_show_the_message_and_write_nothing(
    seeds, staff_client, uploads, content, message
):
    before = snapshot()
    response = upload(staff_client, content, "kenya.xlsx")
    assert response.status_code == 200
    assert message in text(response) and "Nothing was written." in text(response)
    assert snapshot() == before and stored_files(uploads) == []


def test_a_tampered_identity_is_refused(seeds, staff_client, uploads):
    def other_state(book):
        book["_meta"]["B2"].value = "TZA"

    before = snapshot()
    response = upload(staff_client, fill(export(), edit=other_state))
    assert response.status_code == 200 and "identity" in text(response)
    assert snapshot() == before and stored_files(uploads) == []


def test_a_file_over_the_limit_is_not_stored(seeds, staff_client, settings, uploads):
    settings.QUESTIONNAIRE_MAX_BYTES = 1000
    response = upload(staff_client, export())
    assert response.status_code == 200
    assert "Larger than the limit of 0 MB" in text(response)
    assert stored_files(uploads) == []


def test_cancel_deletes_the_upload(seeds, staff_client, uploads):
    url, _page = preview(staff_client, export())
    response = staff_client.post(f"{url}cancel/")
    assert response["Location"] == UPLOAD_URL
    assert stored_files(uploads) == []
    assert staff_client.get(url).status_code == 404


# Who may -------------------------------------------------------------------------------


def test_links_on_the_index_and_the_lists(seeds, staff_client):
    assert f'href="{UPLOAD_URL}"' in staff_client.get("/admin/").content.decode()
    for url in (STATES_URL, "/admin/recommendations/followup/"):
        assert 'id="questionnaire-upload-link"' in staff_client.get(url).content.decode()


def test_staff_without_the_permissions(seeds, client):
    viewer = make_user("viewer", perms=["view_memberstate", "view_followup", "add_followup"])
    client.force_login(viewer)
    assert client.get(UPLOAD_URL).status_code == 403
    assert 'id="questionnaire-upload-link"' not in client.get(STATES_URL).content.decode()
    # View on follow-ups is enough to download.
    assert download(client, STATES_URL, "download_questionnaires", ["KEN"])["Content-Type"] == XLSX

    nobody = make_user("nobody", perms=["view_memberstate"])
    client.force_login(nobody)
    assert "download_questionnaires" not in client.get(STATES_URL).content.decode()
    forged = action_post(client, STATES_URL, "download_questionnaires", ["KEN"])
    assert forged.status_code in (200, 302) and forged.get("Content-Type", "") != XLSX
    assert b'name="questionnaire"' not in forged.content
    assert client.get(UPLOAD_URL).status_code == 403


def test_another_users_upload_is_not_found(seeds, staff_client):
    url, _page = preview(staff_client, export())
    other = Client()
    other.force_login(make_user("colleague", group=roles.SECRETARIAT))
    assert other.get(url).status_code == 404
    assert other.post(url, {"apply": "all"}).status_code == 404
    assert other.get(f"{url}conflicts/").status_code == 404
    assert other.post(f"{url}cancel/").status_code == 404
