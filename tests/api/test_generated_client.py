"""A client generated from the schema (openapi-python-client) drives a liaison's whole
session against a real server, with no header written by hand: the token goes in through
the client's own constructor, If-Match and If-None-Match through the generated functions'
parameters, and ETags are read from the responses' headers."""

import datetime
import importlib
import io
import subprocess
import sys
from io import StringIO

import httpx
import pytest
from django.core.management import call_command

from recommendations.models import MemberState
from recommendations.services.tokens import liaison_create
from tests.integration.shared import SEED_2017
from tests.questionnaire_helpers import fill

PACKAGE = "tracker_client"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, live_server):
    """The client package, generated from the schema the live server serves."""
    tmp_path = tmp_path_factory.mktemp("generated")
    schema = httpx.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    # No post-hooks (they would run ruff over the generated code); no network needed. The
    # generator reads only JSON, text and application/octet-stream responses: the
    # questionnaire's XLSX is bytes to it.
    (tmp_path / "config.yaml").write_text(
        f"post_hooks: []\npackage_name_override: {PACKAGE}\n"
        f"content_type_overrides:\n  {XLSX}: application/octet-stream\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(tmp_path / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Anything the generator could not express would be a warning here.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def liaison_key(reference_data):
    call_command("import_seeds", stdout=StringIO())
    _, _, _, key = liaison_create(
        username="generated", member_state=MemberState.objects.get(iso3="KEN")
    )
    return key


@pytest.fixture
def liaison_client(generated, live_server, liaison_key):
    """The token scheme: `Authorization: Token <key>` from the client's constructor."""
    client = generated.AuthenticatedClient(
        base_url=live_server.url, token=liaison_key, prefix="Token"
    )
    with client:
        yield client


def api(name):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def model(name):
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def test_a_liaison_session_through_the_generated_client(generated, live_server, liaison_key):
    recommendations_list = api("recommendations.recommendations_list")
    follow_ups_create = api("follow_ups.follow_ups_create")
    follow_ups_retrieve = api("follow_ups.follow_ups_retrieve")
    follow_ups_partial_update = api("follow_ups.follow_ups_partial_update")
    actions_create = api("actions.actions_create")
    actions_list = api("actions.actions_list")

    # The token scheme: `Authorization: Token <key>` from the client's constructor.
    client = generated.AuthenticatedClient(
        base_url=live_server.url, token=liaison_key, prefix="Token"
    )
    with client:
        # List: open recommendations without a follow-up of ours yet.
        listed = recommendations_list.sync_detailed(
            client=client, is_withdrawn=False, has_follow_up=False, limit=5
        )
        assert listed.status_code == 200, listed.content
        page = listed.parsed
        assert isinstance(page, model("PaginatedRecommendationList"))
        assert page.count > 0 and len(page.results) == 5
        recommendation = page.results[0]
        assert isinstance(recommendation.id, int)

        # Create: 201 with the new object's ETag.
        created = follow_ups_create.sync_detailed(
            client=client,
            body=model("FollowUpRequest")(
                recommendation=recommendation.id, status=model("StatusEnum").NOT_STARTED
            ),
        )
        assert created.status_code == 201, created.content
        follow_up = created.parsed
        assert isinstance(follow_up, model("FollowUp"))
        assert follow_up.recommendation == recommendation.id
        assert follow_up.member_state == "KEN"
        first_etag = created.headers["ETag"]

        # Read with the ETag; a read naming the ETag it holds is 304 without a body.
        read = follow_ups_retrieve.sync_detailed(id=follow_up.id, client=client)
        assert read.status_code == 200, read.content
        assert read.headers["ETag"] == first_etag
        assert read.parsed.version == follow_up.version
        unchanged = follow_ups_retrieve.sync_detailed(
            id=follow_up.id, client=client, if_none_match=first_etag
        )
        assert unchanged.status_code == 304
        assert unchanged.headers["ETag"] == first_etag
        assert unchanged.content == b""

        def set_status(status, if_match):
            # If-Match through the generated function's parameter.
            return follow_ups_partial_update.sync_detailed(
                id=follow_up.id,
                client=client,
                body=model("PatchedFollowUpUpdateRequest")(status=model("StatusEnum")(status)),
                if_match=if_match,
            )

        # Conditional update.
        updated = set_status("in_progress", first_etag)
        assert updated.status_code == 200, updated.content
        assert isinstance(updated.parsed, model("FollowUp"))
        assert updated.parsed.status == model("StatusEnum").IN_PROGRESS
        assert updated.parsed.version == follow_up.version + 1
        second_etag = updated.headers["ETag"]
        assert second_etag != first_etag

        # An action on the follow-up.
        action = actions_create.sync_detailed(
            client=client,
            body=model("ActionRequest")(
                follow_up=follow_up.id,
                date=datetime.date.today(),
                kind=model("ActionKindEnum").POLICY,
                description="Inter-ministerial working group set up.",
            ),
        )
        assert action.status_code == 201, action.content
        assert isinstance(action.parsed, model("Action"))
        assert action.parsed.follow_up == follow_up.id
        assert action.headers["ETag"]
        actions = actions_list.sync_detailed(client=client, follow_up=follow_up.id)
        assert actions.status_code == 200, actions.content
        assert [row.id for row in actions.parsed.results] == [action.parsed.id]

        # A stale update (the first ETag): 412, and the current ETag to start again from.
        stale = set_status("implemented", first_etag)
        assert stale.status_code == 412, stale.content
        assert isinstance(stale.parsed, model("Error"))
        assert stale.headers["ETag"] == second_etag
        again = follow_ups_retrieve.sync_detailed(id=follow_up.id, client=client)
        assert again.parsed.status == model("StatusEnum").IN_PROGRESS

        # A refused body comes back as the documented ValidationError, naming the field.
        refused = follow_ups_create.sync_detailed(
            client=client, body=model("FollowUpRequest")(recommendation=2**62)
        )
        assert refused.status_code == 400, refused.content
        assert isinstance(refused.parsed, model("ValidationError"))
        assert refused.parsed["recommendation"]


def test_the_generated_client_sends_no_bearer(generated, live_server, liaison_key):
    """The generator's default prefix is Bearer (it reads no security scheme): the server
    refuses it, which is why the schema and README say `prefix="Token"`."""
    themes_list = api("themes.themes_list")
    bearer = generated.AuthenticatedClient(base_url=live_server.url, token=liaison_key)
    with bearer:
        response = themes_list.sync_detailed(client=bearer)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_the_questionnaire_through_the_generated_client(generated, liaison_client):
    """Download the workbook, fill it, preview and apply it: a multipart upload and typed
    answers from generated functions alone."""
    questionnaire_xlsx = api("questionnaire.questionnaire_xlsx")
    questionnaire_csv = api("questionnaire.questionnaire_csv")
    questionnaire_upload = api("questionnaire.questionnaire_upload")
    workbook = questionnaire_xlsx.sync_detailed(client=liaison_client, report=SEED_2017)
    assert workbook.status_code == 200, workbook.content
    assert workbook.headers["Content-Type"] == XLSX
    data = fill(workbook.content, answers={"93(a)": ("In progress", "Accepted")})
    sheet = questionnaire_csv.sync_detailed(client=liaison_client, report=SEED_2017)
    assert sheet.status_code == 200 and sheet.content.startswith("\ufeff".encode())

    def send(**query):
        upload = generated.types.File(payload=io.BytesIO(data), file_name="kenya.xlsx")
        body = model("QuestionnaireUploadRequest")(file=upload)
        return questionnaire_upload.sync_detailed(client=liaison_client, body=body, **query)

    preview = send(dry_run=True)
    assert preview.status_code == 200, preview.content
    assert isinstance(preview.parsed, model("QuestionnaireImport"))
    assert preview.parsed.applied is False
    assert [change.label for change in preview.parsed.changes] == ["93(a)"]
    applied = send()
    assert applied.status_code == 200, applied.content
    assert applied.parsed.applied is True

    refused = questionnaire_xlsx.sync_detailed(client=liaison_client, member_state="BOL")
    assert refused.status_code == 400
    assert isinstance(refused.parsed, model("ValidationError"))
