"""Bad numbers anywhere in the API are a 400 naming the field, never a 500, never written.

Every integer in a JSON body (an id), every integer query parameter (pagination and id
filters) and every id in a URL follows one rule (recommendations/api/numbers.py): an int,
or a string of ASCII digits, within the database's integer range. Tried here with what
broke it: 1e400 (JSON's infinity), Unicode digits ("²", which str.isdigit() accepts but
int() refuses; "١٢", which int() reads as 12), 2**70 (past SQLite's and PostgreSQL's
integers), negatives, fractions, null, booleans and empty strings; as a liaison and as staff.
"""

import json

import pytest

from recommendations.api.numbers import DB_INT_MAX, whole_number
from recommendations.models import Action, FollowUp, MemberState, Recommendation
from recommendations.services import follow_ups as services
from tests.integration.shared import rec as recommendation

pytestmark = pytest.mark.django_db

FOLLOW_UPS = "/api/v1/follow-ups/"
ACTIONS = "/api/v1/actions/"

# JSON literals, written into the body as they are (1e400 cannot be sent otherwise).
BAD_JSON = [
    "1e400",
    "-1e400",
    "-1",
    "0",
    '"²"',
    '"١٢"',
    str(2**70),
    f'"{2**70}"',
    '"9999999999999999999999"',
    "1.5",
    '"1.5"',
    "12.0",
    "null",
    "true",
    "false",
    '""',
    '" 1"',
    '"1_0"',
    '"\\u0000"',
    "[1]",
    '{"id": 1}',
]

# Query-string values, for every integer parameter.
BAD_QUERY = [
    "1e400",
    "-1",
    "²",
    "١٢",
    str(2**70),
    "9999999999999999999999",
    "1.5",
    "12.0",
    "null",
    "true",
    "",
    " 1",
    "1_0",
    "0x1",
    "1" * 5000,
]

CALLERS = ["kenya", "staff_caller"]


@pytest.fixture
def world(seeds, kenya):
    """A follow-up and an action of Kenya's, so that every list has rows to page."""
    follow_up = services.follow_up_create(
        recommendation=recommendation("93(b)"),
        member_state=MemberState.objects.get(iso3="KEN"),
        user=kenya.user,
    )
    services.action_create(
        follow_up=follow_up, user=kenya.user, date="2026-01-01", kind="policy", description="x"
    )
    return follow_up


def counts():
    return FollowUp.objects.count(), Action.objects.count()


def post_raw(caller, path, body: str):
    return caller.client.post(path, body.encode(), content_type="application/json")


def assert_refused(response, field, what):
    assert response.status_code == 400, (what, response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {field}, (what, body)
    assert isinstance(body[field], list) and all(isinstance(m, str) for m in body[field])


@pytest.mark.parametrize("who", CALLERS)
def test_bad_recommendation_id_in_a_follow_up_is_400(request, world, who):
    caller = request.getfixturevalue(who)
    member_state = ', "member_state": "BOL"' if who == "staff_caller" else ""
    before = counts()
    for value in BAD_JSON:
        body = f'{{"recommendation": {value}, "status": "in_progress"{member_state}}}'
        assert_refused(post_raw(caller, FOLLOW_UPS, body), "recommendation", value)
    assert counts() == before


@pytest.mark.parametrize("who", CALLERS)
def test_bad_follow_up_id_in_an_action_is_400(request, world, who):
    caller = request.getfixturevalue(who)
    before = counts()
    for value in BAD_JSON:
        body = (
            f'{{"follow_up": {value}, "date": "2026-01-02", "kind": "policy", "description": "x"}}'
        )
        assert_refused(post_raw(caller, ACTIONS, body), "follow_up", value)
    assert counts() == before


def test_bad_member_state_in_a_follow_up_is_400(world, staff_caller):
    rec = recommendation("93(c)").pk
    before = counts()
    for value in [*BAD_JSON, '"KEN\\u0000"']:
        body = f'{{"recommendation": {rec}, "status": "in_progress", "member_state": {value}}}'
        assert_refused(post_raw(staff_caller, FOLLOW_UPS, body), "member_state", value)
    assert counts() == before


# Every integer query parameter of every list: pagination, and the id filters.
QUERY_PARAMETERS = [
    (path, name)
    for path in (
        "/api/v1/reports/",
        "/api/v1/recommendations/",
        FOLLOW_UPS,
        ACTIONS,
    )
    for name in ("limit", "offset")
] + [
    ("/api/v1/recommendations/", "report"),
    (FOLLOW_UPS, "recommendation"),
    (FOLLOW_UPS, "report"),
    (ACTIONS, "follow_up"),
    (ACTIONS, "recommendation"),
    ("/api/v1/coverage/", "report"),
]


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize(("path", "name"), QUERY_PARAMETERS)
def test_bad_number_in_a_query_parameter_is_400(request, world, who, path, name):
    caller = request.getfixturevalue(who)
    for value in BAD_QUERY:
        assert_refused(caller.get(path, {name: value}), name, f"{name}={value!r}")
    # Repeated, a good value first (the last one counts): still refused.
    assert_refused(caller.get(path, {name: ["1", "²"]}), name, f"{name}=1&{name}=²")


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize(("path", "name"), QUERY_PARAMETERS)
def test_good_numbers_in_a_query_parameter_still_work(request, world, who, path, name):
    caller = request.getfixturevalue(who)
    for value in ("1", "01", str(DB_INT_MAX)):
        if name == "limit" or value != str(DB_INT_MAX) or path != "/api/v1/coverage/":
            response = caller.get(path, {name: value})
            assert response.status_code in (200, 400), (value, response.status_code)
            if response.status_code == 400:
                # Only a well-formed id naming no row may be refused, and says so.
                assert name not in ("limit", "offset") and "exist" in str(response.json())


DETAILS = ["reports", "recommendations", "themes", "follow-ups", "actions"]


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("collection", DETAILS)
def test_bad_id_in_a_url_is_404(request, world, who, collection):
    caller = request.getfixturevalue(who)
    for value in ("²", "١٢", str(2**70), "9999999999999999999999", "1e400", "-1", "0", "1.5"):
        response = caller.get(f"/api/v1/{collection}/{value}/")
        assert response.status_code == 404, (value, response.status_code)
        assert response.json() == {"detail": "Not found."} or "detail" in response.json()


@pytest.mark.parametrize("who", CALLERS)
def test_bad_id_in_a_write_url_is_404_and_nothing_changes(request, world, who):
    caller = request.getfixturevalue(who)
    before = counts()
    for value in ("١", str(2**70), "1e400"):
        for path in (f"{FOLLOW_UPS}{value}/", f"{ACTIONS}{value}/"):
            assert caller.patch(path, {"status": "implemented"}, if_match='"x"').status_code == 404
            assert caller.delete(path, if_match='"x"').status_code == 404
    assert counts() == before


def test_bad_version_in_if_match_is_412_and_nothing_changes(world, kenya):
    path = f"{FOLLOW_UPS}{world.pk}/"
    for version in ("١", "²", str(2**70), "9" * 5000, "-1", "1.5", "1e400"):
        response = kenya.patch(
            path, {"status": "implemented"}, if_match=f'"followup-{world.pk}-v{version}"'
        )
        assert response.status_code == 412, (version, response.status_code)
        response = kenya.delete(path, if_match=f'"followup-{world.pk}-v{version}"')
        assert response.status_code == 412, (version, response.status_code)
    world.refresh_from_db()
    assert world.version == 1 and world.status != "implemented"
    assert FollowUp.objects.filter(pk=world.pk).exists()


@pytest.mark.parametrize("who", CALLERS)
def test_a_follow_up_on_a_withdrawn_recommendation_says_so(request, seeds, who):
    caller = request.getfixturevalue(who)
    rec = recommendation("93(c)")
    Recommendation.objects.filter(pk=rec.pk).update(is_withdrawn=True)
    body = {"recommendation": rec.pk, "status": "in_progress"}
    if who == "staff_caller":
        body["member_state"] = "KEN"
    before = counts()
    response = caller.post(FOLLOW_UPS, body)
    assert response.status_code == 400
    (message,) = response.json()["recommendation"]
    assert "withdrawn from its report" in message
    assert counts() == before


@pytest.mark.parametrize("who", CALLERS)
def test_an_id_as_a_string_of_digits_is_still_accepted(request, seeds, who):
    caller = request.getfixturevalue(who)
    body = {"recommendation": str(recommendation("93(c)").pk), "status": "in_progress"}
    if who == "staff_caller":
        body["member_state"] = "KEN"
    response = caller.post(FOLLOW_UPS, body)
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        ("12", 12),
        ("012", 12),
        (DB_INT_MAX, DB_INT_MAX),
        (str(DB_INT_MAX), DB_INT_MAX),
        (DB_INT_MAX + 1, None),
        (str(DB_INT_MAX + 1), None),
        ("9" * 5000, None),
        (float("inf"), None),
        (1.0, None),
        (True, None),
        (None, None),
        ("", None),
        ("²", None),
        ("١٢", None),
        ("12\n", None),
        ("+1", None),
        ("-1", None),
        (-1, None),
        (json.loads("1e400"), None),
    ],
)
def test_whole_number(value, expected):
    assert whole_number(value, minimum=1) == expected
