"""The questionnaire through the API, over HTTP: a liaison downloads their workbook, fills
it as a ministry would (openpyxl), previews and applies it; conflicts, problems, refused
files, sizes, languages, scope and permissions. (The permission contract of these
endpoints, role by role, is in test_contract.py.)"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from recommendations.api.throttling import PerTokenRateThrottle
from recommendations.choices import ActionKind, Response, Status
from recommendations.models import Action, FollowUp
from recommendations.services import follow_ups as follow_up_services
from tests.api.test_contract import make_staff_with
from tests.integration.shared import SEED_2017, make_follow_up, rec, snapshot
from tests.questionnaire_helpers import fill, fill_csv

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOAD = "/api/v1/questionnaire.xlsx"
DOWNLOAD_CSV = "/api/v1/questionnaire.csv"
UPLOAD = "/api/v1/questionnaire/"
NAME = "kenya.xlsx"


def download(caller, **query):
    query.setdefault("report", SEED_2017)  # None: every report
    response = caller.get(DOWNLOAD, {key: value for key, value in query.items() if value})
    assert response.status_code == 200, response.content
    return response.content


def upload(caller, data, *, name=NAME, **query):
    """POST the workbook as multipart, with the query parameters given (dry_run=1…)."""
    path = UPLOAD
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    file = SimpleUploadedFile(name, data, content_type=XLSX)
    return caller.post(path, {"file": file}, format="multipart")


def workbook_state(data: bytes) -> tuple[str, str]:
    """The state and language a workbook says it is for (its identity sheet)."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    identity = {row[0]: row[1] for row in book["_meta"].iter_rows(values_only=True)}
    return identity["state"], identity["language"]


# Download --------------------------------------------------------------------------------


def test_a_liaison_downloads_their_own_states_workbook(seeds, kenya):
    make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS, response=Response.NOTED)
    response = kenya.get(DOWNLOAD, {"report": SEED_2017})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="questionnaire-KEN-{today}.xlsx"'
    )
    assert workbook_state(response.content) == ("KEN", "en")
    sheet = load_workbook(io.BytesIO(response.content))["Recommendations"]
    titles = [cell.value for cell in sheet[1]]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["93(b)"][titles.index("Status")] == "In progress"
    assert {row[0] for row in rows.values()} == {SEED_2017}
    # Naming their own state is the same; another state's is refused.
    assert workbook_state(download(kenya, member_state="KEN")) == ("KEN", "en")
    response = kenya.get(DOWNLOAD, {"member_state": "BOL"})
    assert response.status_code == 400
    assert list(response.json()) == ["member_state"]
    assert "KEN" in response.json()["member_state"][0]


@pytest.mark.parametrize("path", [DOWNLOAD, DOWNLOAD_CSV])
def test_staff_name_the_member_state(seeds, staff_caller, kenya, path):
    response = staff_caller.get(path)
    assert response.status_code == 400 and list(response.json()) == ["member_state"]
    response = kenya.get(path, {"member_state": "BOL"})
    assert response.status_code == 400 and list(response.json()) == ["member_state"]
    data = download(staff_caller, member_state="BOL")
    assert workbook_state(data) == ("BOL", "en")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"report": "S/1999/999"}, "report"),
        ({"theme": "no-such-theme"}, "theme"),
        ({"language": "fr"}, "language"),
        ({"language": ""}, "language"),
        ({"member_state": "XXX"}, "member_state"),
        ({"report": "x" * 5000}, "report"),
    ],
)
def test_unknown_scope_is_a_400_naming_it(seeds, kenya, query, field):
    before = snapshot()
    for path in (DOWNLOAD, DOWNLOAD_CSV):
        response = kenya.get(path, query)
        assert response.status_code == 400, response.content
        body = response.json()
        assert list(body) == [field]
        assert all(isinstance(reason, str) for reason in body[field])
    assert snapshot() == before


def test_the_language_asked_for_else_the_requests(seeds, kenya):
    assert workbook_state(download(kenya)) == ("KEN", "en")
    assert workbook_state(download(kenya, language="zh")) == ("KEN", "zh")
    chinese = kenya.get(DOWNLOAD, {"report": SEED_2017}, HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert workbook_state(chinese.content) == ("KEN", "zh")
    assert "建议" in load_workbook(io.BytesIO(chinese.content)).sheetnames
    french = kenya.get(DOWNLOAD, {"report": SEED_2017}, HTTP_ACCEPT_LANGUAGE="fr")
    assert workbook_state(french.content) == ("KEN", "en")


def test_a_theme_scopes_the_workbook(seeds, kenya):
    theme = rec("93(a)").themes.first()
    sheet = load_workbook(io.BytesIO(download(kenya, report=None, theme=theme.code))).worksheets[0]
    labels = {(row[0], row[1]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert (SEED_2017, "93(a)") in labels
    expected = theme.recommendations.filter(is_withdrawn=False).count()
    assert len(labels) == expected


def test_asking_for_the_spreadsheet_alone_still_gets_json_refusals(seeds, kenya):
    response = kenya.get(DOWNLOAD, {"report": SEED_2017}, HTTP_ACCEPT=XLSX)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    response = kenya.get(DOWNLOAD, {"language": "fr"}, HTTP_ACCEPT=XLSX)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json" and "language" in response.json()


def test_download_queries(seeds, kenya, django_assert_num_queries):
    for label in ("93(a)", "93(b)", "94(a)"):
        make_follow_up(rec(label), "KEN")
    download(kenya)  # the token's first use is recorded once (an UPDATE), not each time
    # The token (with its user and liaison), the member state, the report; then the
    # export's four: recommendations, their texts, their themes, the follow-ups.
    with django_assert_num_queries(7):
        download(kenya)
    with django_assert_num_queries(6):
        download(kenya, report=None)


# The round trip ----------------------------------------------------------------------------


def test_round_trip_preview_then_apply(seeds, kenya):
    existing = make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    data = fill(
        download(kenya),
        answers={"93(a)": ("Implemented", "Accepted"), "93(b)": ("Not applicable", "Noted")},
        actions=[(SEED_2017, "93(b)", datetime.date(2025, 3, 1), "Legislation", "A law",
                  "https://example.org/law")],
    )  # fmt: skip
    before = snapshot()
    response = upload(kenya, data, dry_run=1)
    assert response.status_code == 200, response.content
    assert snapshot() == before
    preview = response.json()
    assert preview["applied"] is False
    assert (preview["name"], preview["state"], preview["language"], preview["file_format"]) == (
        NAME,
        "KEN",
        "en",
        "xlsx",
    )
    assert preview["exported_at"] and not preview["conflicts"] and not preview["problems"]
    changes = {change["label"]: change for change in preview["changes"]}
    assert changes["93(a)"] == {
        "sheet": "Recommendations",
        "row": 2,
        "report": SEED_2017,
        "label": "93(a)",
        "status_from": "",
        "status_to": Status.IMPLEMENTED,
        "response_from": "",
        "response_to": Response.ACCEPTED,
        "created": True,
    }
    assert (changes["93(b)"]["status_from"], changes["93(b)"]["status_to"]) == (
        Status.IN_PROGRESS,
        Status.NOT_APPLICABLE,
    )
    [action] = preview["actions"]
    assert (action["label"], action["date"], action["kind"]) == (
        "93(b)",
        "2025-03-01",
        ActionKind.LEGISLATION,
    )
    assert action["already_recorded"] is False
    active = rec("93(a)").report.recommendations.filter(is_withdrawn=False).count()
    assert len(preview["unchanged"]) == active - 2
    assert set(preview["unchanged"][0]) == {"sheet", "row", "report", "label"}

    response = upload(kenya, data)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["applied"] is True
    assert result["changes"] == preview["changes"]
    created = FollowUp.objects.get(recommendation=rec("93(a)"), member_state="KEN")
    assert (created.status, created.response) == (Status.IMPLEMENTED, Response.ACCEPTED)
    assert created.verified_at is None  # a liaison's implemented: a claim
    existing.refresh_from_db()
    assert (existing.status, existing.response, existing.version) == (
        Status.NOT_APPLICABLE,
        Response.NOTED,
        2,
    )
    for record in (
        existing.history.order_by("-history_date").first(),
        created.history.first(),
        Action.objects.get(follow_up=existing).history.first(),
    ):
        assert record.history_change_reason == f"questionnaire {NAME}"
        assert record.history_user == kenya.user

    # The same workbook again: nothing new (its answers are now stale but equal).
    again = upload(kenya, data).json()
    assert again["applied"] is True and not again["changes"] and not again["conflicts"]
    assert [action["already_recorded"] for action in again["actions"]] == [True]


def test_round_trip_in_csv(seeds, kenya, bolivia):
    response = kenya.get(DOWNLOAD_CSV, {"report": SEED_2017})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    assert response.content.startswith("\ufeff".encode())
    data = fill_csv(
        response.content,
        answers={"93(a)": ("Implemented", "Accepted")},
        actions=[("93(a)", "2025-03-01", "Funding", "A budget line")],
        delimiter=";",
    )
    before = snapshot()
    preview = upload(kenya, data, name="kenya.csv", dry_run=1)
    assert preview.status_code == 200, preview.content
    assert preview.json()["file_format"] == "csv" and snapshot() == before
    assert [change["label"] for change in preview.json()["changes"]] == ["93(a)"]
    refused = upload(bolivia, data, name="kenya.csv")
    assert refused.status_code == 400 and list(refused.json()) == ["file"]
    assert snapshot() == before
    response = upload(kenya, data, name="kenya.csv")
    assert response.status_code == 200 and response.json()["applied"] is True
    follow_up = FollowUp.objects.get(recommendation=rec("93(a)"), member_state="KEN")
    assert (follow_up.status, follow_up.actions.get().description) == (
        Status.IMPLEMENTED,
        "A budget line",
    )
    assert follow_up.history.first().history_change_reason == "questionnaire kenya.csv"


def test_staff_upload_on_behalf_of_the_state_in_the_workbook(seeds, staff_caller):
    data = fill(download(staff_caller, member_state="BOL"), answers={"93(a)": ("In progress", "")})
    response = upload(staff_caller, data, name="bolivia.xlsx")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "BOL" and response.json()["applied"] is True
    follow_up = FollowUp.objects.get(recommendation=rec("93(a)"), member_state="BOL")
    record = follow_up.history.first()
    assert (record.history_user, record.history_change_reason) == (
        staff_caller.user,
        "questionnaire bolivia.xlsx",
    )


def test_a_liaison_cannot_upload_another_states_workbook(seeds, kenya, bolivia):
    data = fill(download(kenya), answers={"93(a)": ("Implemented", "")})
    before = snapshot()
    for query in ({"dry_run": 1}, {}):
        response = upload(bolivia, data, **query)
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["file"]
        assert "another member state (KEN)" in response.json()["file"][0]
    assert snapshot() == before


def test_a_stale_row_is_a_conflict_then_skip_conflicts_applies_the_rest(seeds, kenya, staff):
    changed = make_follow_up(rec("93(b)"), "KEN", Status.IN_PROGRESS)
    data = download(kenya)
    follow_up_services.follow_up_update(
        follow_up=changed, data={"status": Status.NOT_IMPLEMENTED}, user=staff, via="admin"
    )
    data = fill(data, answers={"93(a)": ("In progress", ""), "93(b)": ("Implemented", "")})
    before = snapshot()
    response = upload(kenya, data)
    assert response.status_code == 409, response.content
    assert snapshot() == before
    body = response.json()
    assert body["applied"] is False and [c["label"] for c in body["changes"]] == ["93(a)"]
    [conflict] = body["conflicts"]
    assert {
        key: conflict[key]
        for key in (
            "label", "their_status", "their_response", "current_status", "current_response",
            "exported_version", "current_version", "changed_by", "changed_via",
        )
    } == {
        "label": "93(b)", "their_status": Status.IMPLEMENTED, "their_response": "",
        "current_status": Status.NOT_IMPLEMENTED, "current_response": "",
        "exported_version": 1, "current_version": 2, "changed_by": "officer",
        "changed_via": "admin",
    }  # fmt: skip
    assert datetime.datetime.fromisoformat(conflict["changed_at"].replace("Z", "+00:00"))

    # The preview shows the conflict too, with a 200.
    preview = upload(kenya, data, dry_run=1)
    assert preview.status_code == 200 and len(preview.json()["conflicts"]) == 1

    response = upload(kenya, data, skip_conflicts=1)
    assert response.status_code == 200, response.content
    assert response.json()["applied"] is True and len(response.json()["conflicts"]) == 1
    assert FollowUp.objects.get(recommendation=rec("93(a)"), member_state="KEN").status == (
        Status.IN_PROGRESS
    )
    changed.refresh_from_db()
    assert (changed.status, changed.version) == (Status.NOT_IMPLEMENTED, 2)


def test_problems_preview_with_their_place_and_refuse_the_write(seeds, kenya):
    data = fill(
        download(kenya),
        answers={"93(a)": ("Done", ""), "93(c)": ("In progress", "")},
        actions=[(SEED_2017, "999(z)", "2024-01-01", "Funding", "Nowhere", "")],
    )
    before = snapshot()
    preview = upload(kenya, data, dry_run=1)
    assert preview.status_code == 200
    problems = preview.json()["problems"]
    assert {(p["sheet"], p["row"], p["column"]) for p in problems} == {
        ("Recommendations", 2, "Status"),
        ("New actions", 2, "Label"),
    }
    assert all(p["message"] for p in problems)

    response = upload(kenya, data)
    assert response.status_code == 400
    assert snapshot() == before
    [reasons] = response.json().values()
    assert list(response.json()) == ["file"] and len(reasons) == 2
    assert any("Recommendations, row 2, column Status" in reason for reason in reasons)
    assert any("999(z)" in reason for reason in reasons)


# Refused uploads ---------------------------------------------------------------------------


def test_refused_files_are_400s_naming_the_file_and_write_nothing(seeds, kenya):
    data = download(kenya)
    before = snapshot()

    def refused(response, *words):
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["file"], response.json()
        message = " ".join(response.json()["file"])
        assert all(word in message for word in words), message
        assert snapshot() == before

    refused(upload(kenya, b"\x00\x01 not a workbook", name="notes.xlsx"))
    refused(upload(kenya, b""), "empty")
    refused(kenya.post(UPLOAD, {}, format="multipart"), "No file")
    refused(kenya.post(UPLOAD, {"file": "just text"}, format="multipart"))

    def formula(book):
        book.worksheets[0]["G2"].value = "=1+1"

    refused(upload(kenya, fill(data, edit=formula)), "formula")

    def other_state(book):
        book["_meta"]["B2"].value = "TZA"

    refused(upload(kenya, fill(data, edit=other_state)), "identity")


def test_the_upload_is_multipart(seeds, kenya):
    response = kenya.post(UPLOAD, {"file": "x"})  # JSON
    assert response.status_code == 415


def test_bad_query_parameters_of_the_upload(seeds, kenya):
    response = upload(kenya, download(kenya), dry_run="perhaps")
    assert response.status_code == 400 and list(response.json()) == ["dry_run"]


def test_oversized_uploads_state_the_limit(seeds, kenya, settings):
    data = download(kenya)
    before = snapshot()
    # Over QUESTIONNAIRE_MAX_BYTES, within the body limit: the service's refusal, a 400.
    settings.QUESTIONNAIRE_MAX_BYTES = len(data) - 1
    response = upload(kenya, data)
    assert response.status_code == 400 and list(response.json()) == ["file"]
    assert "limit" in response.json()["file"][0]
    # Larger than the workbook limit and the multipart envelope: 413 before reading it.
    settings.QUESTIONNAIRE_MAX_BYTES = 1000
    settings.API_MAX_BODY_BYTES = 1000
    response = upload(kenya, data)
    assert response.status_code == 413
    assert "the limit is 2000" in response.json()["detail"]
    assert snapshot() == before


def test_a_workbook_larger_than_the_api_body_limit_is_taken(seeds, kenya, settings):
    data = download(kenya, report=None)
    settings.API_MAX_BODY_BYTES = len(data) // 2
    response = upload(kenya, fill(data, answers={"93(a)": ("In progress", "")}))
    assert response.status_code == 200, response.content
    assert response.json()["applied"] is True
    # Other endpoints keep the API's limit.
    response = kenya.post("/api/v1/follow-ups/", {"description": "x" * len(data)})
    assert response.status_code == 413


def test_too_many_parts_is_a_400(seeds, kenya, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [SimpleUploadedFile(f"{n}.xlsx", b"x") for n in range(3)]
    response = kenya.post(UPLOAD, {"file": files}, format="multipart")
    assert response.status_code == 400 and list(response.json()) == ["detail"]


# Who may ------------------------------------------------------------------------------------


def test_anonymous_is_asked_for_a_token(seeds, anonymous):
    for response in (
        anonymous.get(DOWNLOAD, {"member_state": "KEN"}),
        anonymous.post(UPLOAD, {"file": SimpleUploadedFile(NAME, b"x")}, format="multipart"),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


def test_accounts_neither_liaison_nor_staff_are_refused(seeds, outsider, idle_staff):
    for caller in (outsider, idle_staff):
        assert caller.get(DOWNLOAD, {"member_state": "KEN"}).status_code == 403
        file = SimpleUploadedFile(NAME, b"x")
        assert caller.post(UPLOAD, {"file": file}, format="multipart").status_code == 403


UPLOAD_PERMISSIONS = {"add_followup", "change_followup", "add_action"}


@pytest.mark.parametrize("lacking", sorted(UPLOAD_PERMISSIONS))
def test_staff_upload_needs_each_permission(seeds, staff_caller, lacking):
    data = fill(download(staff_caller, member_state="KEN"), answers={"93(a)": ("In progress", "")})
    almost = make_staff_with("almost", UPLOAD_PERMISSIONS - {lacking})
    before = snapshot()
    file = SimpleUploadedFile(NAME, data, content_type=XLSX)
    response = almost.client.post(UPLOAD, {"file": file}, format="multipart")
    assert response.status_code == 403
    assert f"recommendations.{lacking}" in response.json()["detail"]
    assert snapshot() == before
    enough = make_staff_with("enough", UPLOAD_PERMISSIONS)
    file = SimpleUploadedFile(NAME, data, content_type=XLSX)
    response = enough.client.post(UPLOAD, {"file": file}, format="multipart")
    assert response.status_code == 200 and response.json()["applied"] is True


@pytest.mark.parametrize(("codenames", "status"), [
    ({"view_followup"}, 200), ({"change_followup"}, 200), ({"view_action", "add_followup"}, 403),
])  # fmt: skip
def test_staff_download_needs_view_or_change_on_follow_ups(seeds, codenames, status):
    caller = make_staff_with("reader", codenames)
    response = caller.client.get(DOWNLOAD, {"member_state": "KEN", "report": SEED_2017})
    assert response.status_code == status
    if status == 403:
        assert "recommendations.view_followup" in response.json()["detail"]


def test_throttled_as_the_other_endpoints(seeds, kenya, monkeypatch):
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    assert kenya.get(DOWNLOAD, {"report": SEED_2017}).status_code == 200
    assert kenya.post(UPLOAD, {}, format="multipart").status_code == 400
    response = kenya.get(DOWNLOAD, {"report": SEED_2017})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
