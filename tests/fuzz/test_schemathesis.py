"""Schemathesis against the OpenAPI schema, through the WSGI app, as a liaison and as
secretariat staff.

Three kinds of test:
- every operation, with generated requests, positive and negative (bounded in examples),
  and every default check: no 5xx, status codes, headers and bodies as documented, content
  types, auth not ignored, and so on;
- stateful sequences through the schema's OpenAPI links (schema.operation_links): create a
  follow-up, read it, update or delete it with its ETag as If-Match, create its actions;
- explicit requests with the bad numbers and characters that once were 500s: they must be
  a 400 naming the field (a 404 for an id in the path), in the documented error shape.

Why the first run (liaison token only, `parametrize()` alone) found none of the 500s that
`1e400`, `?limit=²`, Unicode digits and 2**70 ids caused:
- Schemathesis builds a request as Python values and serializes them (json.dumps for
  bodies, str() for query parameters). The JSON text `1e400` is a valid number that
  Python's json parser reads as float("inf"), but no Python value serializes to it: inf
  becomes `Infinity`, which is not JSON and which DRF refuses with a 400. A generator
  that goes through json.dumps can never send it: it has to be sent as raw bytes.
- A parameter typed `integer` gets ASCII integers; negative data draws strings from all of
  Unicode, where one made only of non-ASCII digits ("²", "١٢") is vanishingly rare: none
  in 300 negative draws of each id parameter, measured with this schemathesis version.
  The id filters (`report`, `recommendation`, `follow_up`) were typed `number`, so they
  got floats such as 1.7976931348623157e+308, never digits of another script.
- Unbounded integers do reach past 2**63 now and then (1 to 2 draws in 100 for a body
  id), but ids declared no maximum, so the coverage phase had no boundary to step over;
  with `maximum: 2**63-1` declared it sends 2**63 on purpose (and 0 below `minimum: 1`).
- Only a liaison's token: the staff paths (naming the member state, every state's
  objects) were never taken. And no links: PATCH, PUT and DELETE saw only random ids
  (404) and random If-Match values (412), rarely an object they could change.
So the generated fuzzing below is kept (with a staff run and stateful links), and the
cases it cannot produce are explicit examples (test_bad_numbers_and_characters).
"""

import json
from io import StringIO

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from recommendations import roles
from recommendations.api.numbers import DB_INT_MAX
from recommendations.models import MemberState, Recommendation
from recommendations.services import follow_ups as services
from recommendations.services.tokens import liaison_create, token_issue

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SCHEMA_URL = "/api/v1/schema/?format=json"
TOKENS = {}
OBJECTS = {}

# A schema-valid request may still be refused with 400 for what a schema cannot say: an id
# that names no row in your scope, a second follow-up of the same recommendation, a
# withdrawn recommendation, an action dated in the future, staff not naming the member
# state; with 404 for an id in the path that is not yours, and with 412 for an If-Match
# that is not the current ETag. Everything else is schemathesis's defaults, with negative
# data as well as positive.
CONFIG = """
[generation]
mode = "all"
# The tokens are given (auth()); no random session cookies or Authorization headers.
with-security-parameters = false

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "304", "400", "401", "403", "404", "412"]

# Preconditions are judged before the body (RFC 9110, 13.2.2): an invalid body sent with a
# stale If-Match is a 412, not a 400.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428", "429"]

# The one required header is If-Match: without it, 428 Precondition Required (RFC 6585).
[checks.missing_required_header]
expected-statuses = ["428"]

# Sequences chained by links reach further with valid requests: negative data is for the
# single-operation tests above.
[phases.stateful.generation]
mode = "positive"
"""
MAX_EXAMPLES = 40
STATEFUL_SCENARIOS = 120
STATEFUL_STEPS = 8


def _seed():
    call_command("import_seeds", stdout=StringIO())
    kenya = MemberState.objects.get(iso3="KEN")
    liaison, _, _, liaison_key = liaison_create(username="fuzzer", member_state=kenya)
    staff = get_user_model().objects.create_user("fuzz-officer", password="x" * 20, is_staff=True)
    staff.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    _, staff_key = token_issue(user=staff)
    follow_up = services.follow_up_create(
        recommendation=Recommendation.objects.get(label="93(b)"), member_state=kenya, user=liaison
    )
    action = services.action_create(
        follow_up=follow_up, user=liaison, date="2026-01-01", kind="policy", description="x"
    )
    TOKENS.update(liaison=liaison_key, staff=staff_key)
    OBJECTS.update(follow_up=follow_up.pk, action=action.pk)


def _load():
    from tracker.wsgi import application

    config = schemathesis.config.SchemathesisConfig.from_str(CONFIG)
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, application, config=config)


@pytest.fixture
def api_schema(db):
    _seed()
    # As Django's test client does: requests made inside the test's transaction must not
    # close the database connection when they start or finish.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _load()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def auth(role):
    return {"Authorization": f"Token {TOKENS[role]}"}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_as_a_liaison(case):
    cache.clear()  # the fuzzer's own requests must not trip the throttle
    case.call_and_validate(headers=auth("liaison"))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_as_staff(case):
    cache.clear()
    case.call_and_validate(headers=auth("staff"))


@pytest.mark.parametrize("role", ["liaison", "staff"])
def test_stateful_through_links(api_schema, role):
    """Sequences of calls chained by the schema's links, e.g. POST /follow-ups/ → PATCH
    /follow-ups/{id}/ with the ETag it returned → POST /actions/ naming it → DELETE."""

    class Session(api_schema.as_state_machine()):
        # Each scenario starts from the same rows (Hypothesis replays scenarios while it
        # shrinks one, and would find the lists changed by the previous ones: "flaky").
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case):
            cache.clear()

        def get_call_kwargs(self, case):
            return {"headers": auth(role)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # The token as given headers (so the auth checks know it is not generated).
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=auth(role),
                transport_kwargs=kwargs,
            )

    Session.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


# Bad numbers and characters, where each can be put: raw JSON text (1e400 cannot be made
# by json.dumps), query strings, paths and If-Match. Each: (method, path, query, raw body
# or None, the field the 400 must name); `{id}` is an existing follow-up or action.
BAD_IDS = ["²", "١٢", "１２", str(2**70), str(DB_INT_MAX + 1), "1.5", "-1", "0", "1e3", "1\x00"]
JSON_BAD_IDS = [
    "1e400",
    "-1e400",
    "1.5",
    "true",
    "false",
    '"²"',
    '"١٢"',
    str(2**70),
    str(DB_INT_MAX + 1),
    '"1\\u0000"',
    "[1]",
    "{}",
]
ACTION = '"date": "2026-01-01", "kind": "policy", "description": "x"'
FOLLOW_UPS, ACTIONS = "/api/v1/follow-ups/", "/api/v1/actions/"
CASES = [
    *[("POST", FOLLOW_UPS, {}, f'{{"recommendation": {v}}}', "recommendation") for v in JSON_BAD_IDS],
    *[("POST", ACTIONS, {}, f'{{"follow_up": {v}, {ACTION}}}', "follow_up") for v in JSON_BAD_IDS],
    ("PATCH", FOLLOW_UPS + "{id}/", {}, '{"status": "in_progress\\u0000"}', "status"),
    ("PATCH", FOLLOW_UPS + "{id}/", {}, '{"response": 1e400}', "response"),
    ("PATCH", ACTIONS + "{id}/", {}, '{"description": "a\\u0000b"}', "description"),
    ("PATCH", ACTIONS + "{id}/", {}, '{"date": 1e400}', "date"),
    *[("GET", FOLLOW_UPS, {"limit": v}, None, "limit") for v in BAD_IDS],
    *[("GET", ACTIONS, {"offset": v}, None, "offset") for v in ["²", "١٢", str(2**70), "-1"]],
    *[("GET", "/api/v1/recommendations/", {"report": v}, None, "report") for v in BAD_IDS],
    *[("GET", FOLLOW_UPS, {"recommendation": v}, None, "recommendation") for v in BAD_IDS],
    *[("GET", ACTIONS, {"follow_up": v}, None, "follow_up") for v in [*BAD_IDS, "1e400", "true"]],
    ("GET", "/api/v1/recommendations/", {"is_withdrawn": "yes"}, None, "is_withdrawn"),
    ("GET", FOLLOW_UPS, {"q": "a\x00b"}, None, "q"),
    ("GET", "/api/v1/reports/", {"symbol": "\x00"}, None, "symbol"),
    ("GET", "/api/v1/coverage/", {"report": "1e400"}, None, "report"),
    ("GET", "/api/v1/coverage/", {"report": "١٢"}, None, "report"),
]  # fmt: skip
# An id in the path that is not a whole number in range names no row: 404, never a 500.
PATH_IDS = ["²", "١٢", str(2**70), str(DB_INT_MAX + 1), "0", "1e400"]
IF_MATCH = ['"followup-١٢-v١"', '"followup-{id}-v²"', 'W/"x"', '"' + "9" * 40 + '"', "1e400"]


def _send(api_schema, role, method, path, *, query=None, body=None, headers=None):
    """One request through schemathesis's own Case (so that its checks can judge the
    response), with the body as raw bytes when given."""
    cache.clear()
    operation = api_schema[path][method]
    kwargs = {"query": query or {}}
    if "{id}" in path:
        kwargs["path_parameters"] = {
            "id": OBJECTS["follow_up" if path.startswith(FOLLOW_UPS) else "action"]
        }
    headers = {**auth(role), **(headers or {})}
    if any(parameter.name == "If-Match" for parameter in operation.headers):
        headers.setdefault("If-Match", "*")  # any version: the body is what is judged
    if body is None:
        case = operation.Case(**kwargs)
        return case, case.call(headers=headers)
    case = operation.Case(**kwargs, body=json.loads(body), media_type="application/json")
    return case, case.call(headers=headers, data=body.encode())


def _judge(case, response, role, status, field=None):
    """What is wrong with one explicit case's response ("" when nothing): the status, the
    field named, and schemathesis's checks (documented status, body and headers)."""
    if response.status_code != status:
        return f"{response.status_code} (expected {status}): {response.text[:200]}"
    if field is not None and field not in response.json():
        return f"the 400 does not name {field!r}: {response.text[:200]}"
    try:
        case.validate_response(response, headers=auth(role))
    except Exception as error:  # schemathesis's FailureGroup: every failed check
        return str(error)[:500]
    return ""


def _report(results):
    failures = [f"{label}: {problem}" for label, problem in results if problem]
    assert not failures, f"{len(failures)} of {len(results)} cases:\n" + "\n".join(failures)


# One test per role for each kind of explicit case (not one per case: each test seeds the
# database afresh, which costs more than all its requests).
@pytest.mark.parametrize("role", ["liaison", "staff"])
def test_bad_numbers_and_characters(api_schema, role):
    results = []
    for method, path, query, body, field in CASES:
        case, response = _send(api_schema, role, method, path, query=query, body=body)
        label = f"{method} {path} {query or ''} {body or ''}"
        results.append((ascii(label), _judge(case, response, role, 400, field)))
    _report(results)


@pytest.mark.parametrize("role", ["liaison", "staff"])
def test_bad_ids_in_paths_name_no_row(api_schema, role):
    results = []
    for resource in ("follow-ups", "actions", "recommendations", "reports", "themes"):
        for value in PATH_IDS:
            cache.clear()
            case = api_schema[f"/api/v1/{resource}/{{id}}/"]["GET"].Case(
                path_parameters={"id": value}
            )
            response = case.call(headers=auth(role))
            results.append((ascii(f"{resource} {value}"), _judge(case, response, role, 404)))
    _report(results)


@pytest.mark.parametrize("role", ["liaison", "staff"])
def test_bad_if_match_is_a_precondition_failure(api_schema, role):
    results = []
    current = f'"followup-{OBJECTS["follow_up"]}-v1"'
    for if_match in IF_MATCH:
        case, response = _send(
            api_schema,
            role,
            "PATCH",
            FOLLOW_UPS + "{id}/",
            body='{"status": "in_progress"}',
            headers={"If-Match": if_match.replace("{id}", str(OBJECTS["follow_up"]))},
        )
        problem = _judge(case, response, role, 412)
        if not problem and response.headers.get("etag") != [current]:
            problem = f"412 without the current ETag {current}: {response.headers}"
        results.append((ascii(if_match), problem))
    _report(results)


# The questionnaire: multipart bodies a generator does not make (empty, without a
# boundary, cut short, a file that is no questionnaire) and query values far longer than
# any name. Each: (method, path, query, raw multipart body or None, the field the 400 must
# name).
BOUNDARY = "fuzz-boundary"
UPLOAD, DOWNLOAD = "/api/v1/questionnaire/", "/api/v1/questionnaire.xlsx"


def _multipart(*parts: tuple[str, str | None, bytes], end=True) -> bytes:
    """A multipart body of (field, file name or None, content) parts."""
    body = b""
    for name, file_name, content in parts:
        disposition = f'form-data; name="{name}"'
        if file_name is not None:
            disposition += f'; filename="{file_name}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += content + b"\r\n"
    return body + (f"--{BOUNDARY}--\r\n".encode() if end else b"")


HUGE = "x" * 20_000
QUESTIONNAIRE_CASES = [
    ("POST", UPLOAD, {}, _multipart(), "file"),
    ("POST", UPLOAD, {}, b"", "file"),
    ("POST", UPLOAD, {}, _multipart(("file", "notes.xlsx", b"not a workbook")), "file"),
    ("POST", UPLOAD, {}, _multipart(("file", "kenya.csv", b"Label,Status\n93(a),x\n")), "file"),
    ("POST", UPLOAD, {}, _multipart(("file", "a.zip", b"PK\x05\x06" + b"\x00" * 18)), "file"),
    ("POST", UPLOAD, {}, _multipart(("file", "empty.xlsx", b"")), "file"),
    ("POST", UPLOAD, {}, _multipart(("file", None, b"text, not a file")), "file"),
    ("POST", UPLOAD, {}, _multipart(("file", "\x00.xlsx", b"x")), "file"),
    ("POST", UPLOAD, {}, _multipart(("other", "a.xlsx", b"x")), "file"),
    ("POST", UPLOAD, {}, _multipart(("file", "cut.xlsx", b"x"), end=False), "file"),
    ("POST", UPLOAD, {"boundary": "none"}, _multipart(("file", "a.xlsx", b"x")), "detail"),
    ("POST", UPLOAD, {"dry_run": "²"}, _multipart(), "dry_run"),
    ("POST", UPLOAD, {"skip_conflicts": HUGE}, _multipart(), "skip_conflicts"),
    *[("GET", DOWNLOAD, {name: HUGE}, None, name)
      for name in ("report", "theme", "language", "member_state")],
    ("GET", DOWNLOAD, {"report": "١٢"}, None, "report"),
    ("GET", DOWNLOAD, {"member_state": "KEN\x00"}, None, "member_state"),
]  # fmt: skip


@pytest.mark.parametrize("role", ["liaison", "staff"])
def test_bad_questionnaire_requests(api_schema, role):
    results = []
    for method, path, query, body, field in QUESTIONNAIRE_CASES:
        cache.clear()
        query = dict(query)
        if method == "GET" and role == "staff":
            query = {"member_state": "KEN", **query}
        operation = api_schema[path][method]
        headers = auth(role)
        if body is None:
            case = operation.Case(query=query)
            response = case.call(headers=headers)
        else:
            case = operation.Case(query=query, body={}, media_type="multipart/form-data")
            headers["Content-Type"] = "multipart/form-data"
            if query.pop("boundary", None) is None:
                headers["Content-Type"] += f"; boundary={BOUNDARY}"
            response = case.call(headers=headers, data=body)
        label = f"{method} {path} {str(query)[:60]} {body[:60] if body else ''}"
        results.append((ascii(label), _judge(case, response, role, 400, field)))
    _report(results)
