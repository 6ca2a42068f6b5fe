"""The OpenAPI schema is honest: the headers the API sends and needs, one 400 shape, integer
ids, per-operation read-only fields, links, and a token scheme a generated client can use."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from recommendations.api.numbers import DB_INT_MAX

pytestmark = pytest.mark.django_db

API = "/api/v1"
CONDITIONAL = ["follow-ups", "actions"]
METHODS = {"get", "put", "patch", "post", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get(f"{API}/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def parameter(operation, name, location):
    found = [p for p in operation.get("parameters", []) if (p["name"], p["in"]) == (name, location)]
    assert len(found) == 1, f"{operation['operationId']}: {location} parameter {name}"
    return found[0]


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def request_properties(schema, operation):
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    return resolve(schema, body).get("properties", {})


def response_schema(schema, response):
    return resolve(schema, response["content"]["application/json"]["schema"])


def test_schema_is_valid_and_free_of_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
        stdout=StringIO(),
        stderr=StringIO(),
    )


def test_token_scheme_is_authorization_token(schema):
    schemes = schema["components"]["securitySchemes"]
    token = schemes["tokenAuth"]
    assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")
    assert "Token <key>" in token["description"]
    assert 'prefix="Token"' in token["description"]
    # Nothing claims a Bearer scheme the server refuses.
    assert not any(s.get("scheme", "").lower() == "bearer" for s in schemes.values())
    for path, method, operation in operations(schema):
        if path != f"{API}/schema/":
            assert {"tokenAuth": []} in operation["security"], (path, method)


def test_every_400_is_one_documented_validation_error(schema):
    shape = schema["components"]["schemas"]["ValidationError"]
    reasons = {"type": "array", "items": {"type": "string"}}
    assert shape["type"] == "object"
    assert shape["additionalProperties"] == reasons
    for key in ("non_field_errors", "detail"):
        assert {k: shape["properties"][key][k] for k in reasons} == reasons
    assert "description" in shape
    for path, method, operation in operations(schema):
        if path == f"{API}/schema/":
            continue
        response = operation["responses"].get("400")
        assert response is not None, (path, method)
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ValidationError"
        }, (path, method)
        assert response["description"], (path, method)


def test_401_and_429_declare_their_headers(schema):
    for path, _, operation in operations(schema):
        if path == f"{API}/schema/":
            continue
        responses = operation["responses"]
        www = responses["401"]["headers"]["WWW-Authenticate"]
        assert www["required"] and www["schema"]["enum"] == ["Token"]
        retry = responses["429"]["headers"]["Retry-After"]
        assert retry["required"] and retry["schema"]["type"] == "integer"


def test_401_really_sends_www_authenticate_token(db):
    response = APIClient().get(f"{API}/follow-ups/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("resource", CONDITIONAL)
def test_conditional_headers(schema, resource):
    collection = schema["paths"][f"{API}/{resource}/"]
    detail = schema["paths"][f"{API}/{resource}/{{id}}/"]

    def etag(response):
        header = response["headers"]["ETag"]
        assert header["required"] is True
        assert header["schema"]["type"] == "string"
        return header

    etag(collection["post"]["responses"]["201"])
    assert "headers" not in collection["get"]["responses"]["200"]  # a list has no ETag

    read = detail["get"]
    none_match = parameter(read, "If-None-Match", "header")
    assert not none_match.get("required", False)
    etag(read["responses"]["200"])
    not_modified = read["responses"]["304"]
    etag(not_modified)
    assert "content" not in not_modified

    for method in ("put", "patch", "delete"):
        operation = detail[method]
        assert parameter(operation, "If-Match", "header")["required"] is True
        responses = operation["responses"]
        etag(responses["412"])
        assert "428" in responses
        if method != "delete":
            etag(responses["200"])


def test_read_only_resources_have_no_conditional_headers(schema):
    detail = schema["paths"][f"{API}/recommendations/{{id}}/"]["get"]
    assert all(p["in"] != "header" for p in detail.get("parameters", []))
    assert "304" not in detail["responses"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("recommendations", "report"),
        ("follow-ups", "recommendation"),
        ("follow-ups", "report"),
        ("actions", "follow_up"),
        ("actions", "recommendation"),
    ],
)
def test_id_filters_are_integers(schema, path, name):
    query = parameter(schema["paths"][f"{API}/{path}/"]["get"], name, "query")["schema"]
    assert query["type"] == "integer"
    assert (query["minimum"], query["maximum"]) == (1, DB_INT_MAX)


def test_path_ids_are_integers(schema):
    for path, method, operation in operations(schema):
        if "{id}" in path:
            id_schema = parameter(operation, "id", "path")["schema"]
            assert id_schema["type"] == "integer", (path, method)
            assert (id_schema["minimum"], id_schema["maximum"]) == (1, DB_INT_MAX)


def test_body_ids_are_integers(schema):
    for path, name in (("follow-ups", "recommendation"), ("actions", "follow_up")):
        properties = request_properties(schema, schema["paths"][f"{API}/{path}/"]["post"])
        assert properties[name]["type"] == "integer"
        assert (properties[name]["minimum"], properties[name]["maximum"]) == (1, DB_INT_MAX)


@pytest.mark.parametrize(
    ("resource", "fixed"),
    [("follow-ups", {"recommendation", "member_state"}), ("actions", {"follow_up"})],
)
def test_fields_an_update_ignores_are_not_writable_there(schema, resource, fixed):
    collection = schema["paths"][f"{API}/{resource}/"]
    detail = schema["paths"][f"{API}/{resource}/{{id}}/"]
    created = request_properties(schema, collection["post"])
    for method in ("put", "patch"):
        writable = {
            name
            for name, field in request_properties(schema, detail[method]).items()
            if not field.get("readOnly")
        }
        assert writable, (resource, method)
        assert not writable & fixed, (resource, method)
        assert writable <= set(created)
        # The answer is the object as a GET shows it: one model for clients.
        assert (
            detail[method]["responses"]["200"]["content"]
            == detail["get"]["responses"]["200"]["content"]
        )


def test_links_from_a_created_follow_up(schema):
    created = schema["paths"][f"{API}/follow-ups/"]["post"]["responses"]["201"]["links"]
    by_operation = {link["operationId"]: link for link in created.values()}
    assert by_operation["follow_ups_retrieve"]["parameters"] == {"path.id": "$response.body#/id"}
    for operation_id in ("follow_ups_partial_update", "follow_ups_update", "follow_ups_destroy"):
        assert by_operation[operation_id]["parameters"] == {
            "path.id": "$response.body#/id",
            "header.If-Match": "$response.header.ETag",
        }
    assert by_operation["actions_create"]["requestBody"] == {"follow_up": "$response.body#/id"}
    read = schema["paths"][f"{API}/follow-ups/{{id}}/"]["get"]["responses"]["200"]["links"]
    update = {link["operationId"]: link for link in read.values()}["follow_ups_partial_update"]
    assert update["parameters"] == {
        "path.id": "$request.path.id",
        "header.If-Match": "$response.header.ETag",
    }
    recommendation = schema["paths"][f"{API}/recommendations/{{id}}/"]["get"]["responses"]["200"]
    assert {link["operationId"] for link in recommendation["links"].values()} >= {
        "follow_ups_create"
    }


def test_links_name_real_operations(schema):
    operation_ids = {operation["operationId"] for _, _, operation in operations(schema)}
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            for name, link in response.get("links", {}).items():
                assert link["operationId"] in operation_ids, (path, method, code, name)


def test_a_malformed_body_is_a_validation_error_too(db):
    from tests.api.conftest import make_liaison

    caller = make_liaison("shape", "KEN")
    response = caller.client.generic(
        "POST", f"{API}/follow-ups/", b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert all(
        isinstance(reasons, list) and all(isinstance(reason, str) for reason in reasons)
        for reasons in response.json().values()
    )


QUESTIONNAIRE_DOWNLOADS = {
    "questionnaire.xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        {"type": "string", "format": "binary"},
    ),
    "questionnaire.csv": ("text/csv", {"type": "string"}),
}


@pytest.mark.parametrize("path", QUESTIONNAIRE_DOWNLOADS)
def test_questionnaire_downloads_are_files(schema, path):
    media_type, body = QUESTIONNAIRE_DOWNLOADS[path]
    operation = schema["paths"][f"{API}/{path}"]["get"]
    ok = operation["responses"]["200"]
    assert ok["content"] == {media_type: {"schema": body}}
    assert ok["headers"]["Content-Disposition"]["required"] is True
    assert {p["name"] for p in operation["parameters"]} == {
        "member_state",
        "report",
        "theme",
        "language",
    }
    language = parameter(operation, "language", "query")
    assert language["schema"]["enum"] == ["en", "zh"]
    assert "Accept-Language" in language["description"]  # the default, documented
    assert {"400", "401", "403", "429"} <= set(operation["responses"])


def test_questionnaire_upload_is_multipart_with_typed_answers(schema):
    operation = schema["paths"][f"{API}/questionnaire/"]["post"]
    [(media_type, content)] = operation["requestBody"]["content"].items()
    assert media_type == "multipart/form-data"
    body = resolve(schema, content["schema"])
    assert body["required"] == ["file"]
    assert body["properties"]["file"] == {
        **body["properties"]["file"],
        "type": "string",
        "format": "binary",
    }
    for name in ("dry_run", "skip_conflicts"):
        assert parameter(operation, name, "query")["schema"]["type"] == "boolean"
    responses = operation["responses"]
    assert {"200", "400", "401", "403", "409", "413", "429"} <= set(responses)
    assert responses["200"]["content"] == responses["409"]["content"]
    result = response_schema(schema, responses["200"])
    assert set(result["required"]) >= {
        "state", "language", "exported_at", "applied", "changes", "unchanged", "actions",
        "conflicts", "problems",
    }  # fmt: skip
    conflict = resolve(schema, result["properties"]["conflicts"]["items"])
    assert set(conflict["properties"]) >= {
        "their_status", "their_response", "current_status", "current_response",
        "exported_version", "current_version", "changed_by", "changed_at", "changed_via",
    }  # fmt: skip
    change = resolve(schema, result["properties"]["changes"]["items"])
    assert set(change["properties"]) == {
        "sheet", "row", "report", "label", "status_from", "status_to", "response_from",
        "response_to", "created",
    }  # fmt: skip
    problem = resolve(schema, result["properties"]["problems"]["items"])
    assert set(problem["properties"]) == {"sheet", "row", "column", "message"}
    assert responses["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
