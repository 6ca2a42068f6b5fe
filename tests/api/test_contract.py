"""The permission contract (issue 14): every endpoint, every verb, every role.

CONTRACT below is the whole rule as a table of status codes (QUESTIONNAIRE_CONTRACT for
the questionnaire's files). Each case also checks what the status code stands for: after
a successful write, the saved row (read again from the database) and its newest history
record (type, user, change reason "api"); after a refused write, every row and every
history record as they were. Then staff are held to exactly one model permission per
verb, and the admin answers as the API does.
"""

import datetime
from types import SimpleNamespace as Namespace

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from recommendations import roles
from recommendations.api.conditional import etag
from recommendations.models import Action, FollowUp, MemberState, Recommendation, Report, Theme
from recommendations.questionnaires.services import questionnaire_export
from recommendations.services import follow_ups as services
from recommendations.services.tokens import token_issue
from tests.questionnaire_helpers import fill

pytestmark = pytest.mark.django_db

API = "/api/v1/"
# Each role: the fixture playing it (tests/api/conftest.py), the state whose rows it aims at.
ROLE = {
    "anon": ("anonymous", "KEN"),
    "own": ("kenya", "KEN"),
    "other": ("kenya", "BOL"),
    "secretariat": ("staff_caller", "BOL"),
    "idle": ("idle_staff", "KEN"),
}

# Roles: anonymous; the liaison of Kenya on Kenya's rows (own) and on Bolivia's (other);
# staff in the Secretariat role; staff with no permission. "list" is GET on the
# collection, "get" GET on one object; coverage has no objects: its "other" asks for
# another state's figures.
# fmt: off
CONTRACT = {
    #                              anon  own  other secr  idle
    ("reports", "list"):          (401, 200, 200, 200, 403),
    ("reports", "get"):           (401, 200, 200, 200, 403),
    ("reports", "post"):          (401, 405, 405, 405, 405),
    ("reports", "put"):           (401, 405, 405, 405, 405),
    ("reports", "patch"):         (401, 405, 405, 405, 405),
    ("reports", "delete"):        (401, 405, 405, 405, 405),
    ("recommendations", "list"):  (401, 200, 200, 200, 403),
    ("recommendations", "get"):   (401, 200, 200, 200, 403),
    ("recommendations", "post"):  (401, 405, 405, 405, 405),
    ("recommendations", "put"):   (401, 405, 405, 405, 405),
    ("recommendations", "patch"): (401, 405, 405, 405, 405),
    ("recommendations", "delete"):(401, 405, 405, 405, 405),
    ("themes", "list"):           (401, 200, 200, 200, 403),
    ("themes", "get"):            (401, 200, 200, 200, 403),
    ("themes", "post"):           (401, 405, 405, 405, 405),
    ("themes", "put"):            (401, 405, 405, 405, 405),
    ("themes", "patch"):          (401, 405, 405, 405, 405),
    ("themes", "delete"):         (401, 405, 405, 405, 405),
    ("member-states", "list"):    (401, 200, 200, 200, 403),
    ("member-states", "get"):     (401, 200, 200, 200, 403),
    ("member-states", "post"):    (401, 405, 405, 405, 405),
    ("member-states", "put"):     (401, 405, 405, 405, 405),
    ("member-states", "patch"):   (401, 405, 405, 405, 405),
    ("member-states", "delete"):  (401, 405, 405, 405, 405),
    ("follow-ups", "list"):       (401, 200, 200, 200, 403),
    ("follow-ups", "get"):        (401, 200, 404, 200, 403),
    ("follow-ups", "post"):       (401, 201, 400, 201, 403),  # a liaison names only KEN
    ("follow-ups", "put"):        (401, 200, 404, 200, 403),
    ("follow-ups", "patch"):      (401, 200, 404, 200, 403),
    ("follow-ups", "delete"):     (401, 204, 404, 204, 403),
    ("actions", "list"):          (401, 200, 200, 200, 403),
    ("actions", "get"):           (401, 200, 404, 200, 403),
    ("actions", "post"):          (401, 201, 400, 201, 403),  # 400 on field follow_up
    ("actions", "put"):           (401, 200, 404, 200, 403),
    ("actions", "patch"):         (401, 200, 404, 200, 403),
    ("actions", "delete"):        (401, 204, 404, 204, 403),
    ("coverage", "list"):         (401, 200, 403, 200, 403),
    ("coverage", "post"):         (401, 405, 405, 405, 405),
}
# fmt: on

# The one model permission each (endpoint, verb) asks of staff.
MODEL = {
    "reports": "report",
    "recommendations": "recommendation",
    "themes": "theme",
    "member-states": "memberstate",
    "follow-ups": "followup",
    "actions": "action",
    "coverage": "followup",
}
ACTION_OF_VERB = {"list": "view", "get": "view", "post": "add", "put": "change"}
ACTION_OF_VERB.update(patch="change", delete="delete")
SUCCESS = {"list": 200, "get": 200, "post": 201, "put": 200, "patch": 200, "delete": 204}
WRITES = {"post", "put", "patch", "delete"}
VERIFY = "recommendations.verify_followup"


@pytest.fixture
def world(db):
    report = Report.objects.create(
        symbol="TEST/CONTRACT/1", source_file="c.txt", sha256="0" * 64, imported_at=timezone.now()
    )
    recs = [
        Recommendation.objects.create(
            report=report, paragraph=str(i), label=label, text="建议。", position=i
        )
        for i, label in enumerate(("1(a)", "1(b)"), 1)
    ]
    follow_ups, actions = {}, {}
    for iso3 in ("KEN", "BOL"):
        state = MemberState.objects.get(iso3=iso3)
        follow_ups[iso3] = follow_up = services.follow_up_create(
            recommendation=recs[0],
            member_state=state,
            status="in_progress",
            response="noted",
            user=None,
        )
        actions[iso3] = services.action_create(
            follow_up=follow_up,
            user=None,
            date=datetime.date(2026, 1, 5),
            kind="policy",
            description="Plan",
        )
    # recommendation: followed up by KEN and BOL, one action each; free: not followed up
    return Namespace(
        report=report, recommendation=recs[0], free=recs[1], follow_ups=follow_ups, actions=actions
    )


def who(request, role):
    caller = request.getfixturevalue(ROLE[role][0])
    return Namespace(client=caller, user=None) if role == "anon" else caller


def target(endpoint, world, state):
    """The object a detail request names (None for collections without objects)."""
    return {
        "reports": world.report,
        "recommendations": world.recommendation,
        "themes": Theme.objects.order_by("pk").first(),
        "member-states": MemberState.objects.get(iso3=state),
        "follow-ups": world.follow_ups[state],
        "actions": world.actions[state],
        "coverage": None,
    }[endpoint]


# The body of each write (the ids of what it names are added by payload()).
PAYLOAD = {
    ("follow-ups", "post"): {"status": "implemented", "response": "accepted"},
    ("follow-ups", "put"): {"status": "implemented", "response": "accepted"},
    ("follow-ups", "patch"): {"status": "implemented"},
    ("actions", "post"): {"date": "2026-01-31", "kind": "legislation", "description": "A law"},
    ("actions", "put"): {"date": "2026-02-01", "kind": "funding", "description": "A budget"},
    ("actions", "patch"): {"description": "Revised plan"},
}


def payload(endpoint, verb, role, world, state):
    if endpoint == "coverage":
        return {"member_state": state}
    data = dict(PAYLOAD.get((endpoint, verb), {"code": "x"}))  # read-only endpoints: any body
    if (endpoint, verb) == ("follow-ups", "post"):
        data["recommendation"] = world.free.pk
        if role != "own":
            data["member_state"] = state  # another state's, from a liaison: refused
    if (endpoint, verb) == ("actions", "post"):
        data["follow_up"] = world.follow_ups[state].pk
    return data


def send(client, endpoint, verb, obj, data):
    path = f"{API}{endpoint}/"
    if verb not in {"list", "post"}:
        path += f"{obj.pk}/"
    if endpoint == "coverage":
        return client.generic("POST", path) if verb == "post" else client.get(path, data)
    if verb in {"list", "get"}:
        return client.get(path, {"limit": 500} if verb == "list" else None)
    headers = {"HTTP_IF_MATCH": etag(obj)} if hasattr(obj, "version") else {}
    if verb == "delete":
        return client.delete(path, **headers)
    return getattr(client, verb)(path, data, format="json", **headers)


HISTORIES = (FollowUp, Action, Recommendation)


def snapshot():
    """Every row an API call could touch, and every history record of the writable ones."""
    models = (Report, Recommendation, Theme, MemberState, FollowUp, Action)
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["history"] = [
        list(model.history.order_by("history_id").values_list("history_id", flat=True))
        for model in HISTORIES
    ]
    return rows


def newest_history(model, pk):
    return model.history.filter(id=pk).order_by("history_date", "history_id").last()


def expected_row(endpoint, verb, user, obj, data, state):
    """What the database must hold after a successful write."""
    fields = dict(data)
    if "date" in fields:
        fields["date"] = datetime.date.fromisoformat(fields["date"])
    if endpoint == "follow-ups":  # verified by a holder of verify_followup, else a claim
        fields |= {"updated_by": user, "verified_by": user if user.has_perm(VERIFY) else None}
        kept = (*services.FOLLOW_UP_FIELDS, "recommendation_id", "member_state_id")
        if verb == "post":
            fields["recommendation_id"] = fields.pop("recommendation")
            own = state if user.is_staff else user.liaison.member_state_id
            fields["member_state_id"] = own
            fields.pop("member_state", None)
    else:
        kept = (*services.ACTION_FIELDS, "follow_up_id")
        if verb == "post":
            fields["follow_up_id"] = fields.pop("follow_up")
    if verb == "post":
        return fields | {"version": 1, "created_by": user}
    unchanged = {name: getattr(obj, name) for name in (*kept, "created_by")}
    return unchanged | fields | {"version": obj.version + 1}


def new_history(before):
    """The history records written since the snapshot: [(model, object id)], sorted."""
    new = []
    for model, old, now in zip(HISTORIES, before["history"], snapshot()["history"], strict=True):
        new += [(model, r.id) for r in model.history.filter(history_id__in=set(now) - set(old))]
    return sorted(new, key=str)


def check_write(response, endpoint, verb, user, obj, data, state, before):
    """A write went through: the row as asked, one new history record by the caller (a
    deleted follow-up: one for it and one for each of its actions)."""
    model = FollowUp if endpoint == "follow-ups" else Action
    if verb == "delete":
        gone = [(model, obj.pk)]
        if model is FollowUp:
            actions = Action.history.filter(follow_up_id=obj.pk).values_list("id", flat=True)
            gone += [(Action, pk) for pk in set(actions)]
        assert new_history(before) == sorted(gone, key=str)
        for gone_model, pk in gone:
            assert not gone_model.objects.filter(pk=pk).exists()
            record = newest_history(gone_model, pk)
            assert (record.history_type, record.history_user) == ("-", user)
            assert record.history_change_reason == "api"
        return
    body = response.json()
    row = model.objects.get(pk=body["id"])
    expected = expected_row(endpoint, verb, user, obj, data, state)
    assert {name: getattr(row, name) for name in expected} == expected
    if model is FollowUp:
        assert (row.verified_at is not None) == (row.verified_by is not None)
    assert body["version"] == row.version and response["ETag"] == etag(row)
    assert new_history(before) == [(model, row.pk)]
    record = newest_history(model, row.pk)
    assert record.history_type == ("+" if verb == "post" else "~")
    assert (record.history_user, record.history_change_reason) == (user, "api")
    assert record.version == row.version


def run(endpoint, verb, role, caller, world, expected_status):
    """One call, its status and what it left in the database."""
    user, client = caller.user, caller.client
    state = ROLE[role][1]
    obj = target(endpoint, world, state)
    data = payload(endpoint, verb, role, world, state)
    before = snapshot()
    response = send(client, endpoint, verb, obj, data)
    assert response.status_code == expected_status, response.content
    if expected_status == 401:
        assert response["WWW-Authenticate"] == "Token"
    if verb in WRITES and expected_status >= 300:
        assert snapshot() == before  # refused: nothing written, no history
    elif verb in WRITES:
        check_write(response, endpoint, verb, user, obj, data, state, before)
    return response, obj


CASES = [
    pytest.param(endpoint, verb, role, status, id=f"{endpoint}-{verb}-{role}")
    for (endpoint, verb), statuses in CONTRACT.items()
    for role, status in zip(ROLE, statuses, strict=True)
]


@pytest.mark.parametrize(("endpoint", "verb", "role", "status"), CASES)
def test_contract(request, world, endpoint, verb, role, status):
    response, obj = run(endpoint, verb, role, who(request, role), world, status)
    if status == 200 and verb == "list" and endpoint in {"follow-ups", "actions"}:
        ids = {row["id"] for row in response.json()["results"]}
        assert (obj.pk in ids) == (role != "other")  # another state's rows are not listed
    if status == 200 and verb == "get" and obj is not None and hasattr(obj, "version"):
        assert response["ETag"] == etag(obj)
    if status == 400:  # the field naming another state's row, or another state
        assert set(response.json()) == {"follow_up" if endpoint == "actions" else "member_state"}


def test_every_endpoint_and_verb_is_in_the_contract():
    from recommendations.api.urls import router

    endpoints = {prefix for prefix, _, _ in router.registry} | {"coverage"}
    assert {endpoint for endpoint, _ in CONTRACT} == endpoints
    verbs = set(SUCCESS)
    assert {verb for (endpoint, verb) in CONTRACT if endpoint != "coverage"} == verbs


# The questionnaire: files, not objects -----------------------------------------------------
# GET of a state's questionnaire (`member_state` is the role's state: "other" is Kenya's
# liaison asking for Bolivia's, a 400 naming it) and POST of a filled one (the role's
# state's workbook: "other" is Kenya's liaison uploading Bolivia's, a 400 naming `file`).
# Staff need view (or change) on follow-ups to download, and add and change on follow-ups
# and add on actions to upload: test_questionnaire_api.py, permission by permission.
QUESTIONNAIRE_PATHS = {"xlsx": "questionnaire.xlsx", "csv": "questionnaire.csv"}
QUESTIONNAIRE_PATHS["upload"] = "questionnaire/"
# fmt: off
QUESTIONNAIRE_CONTRACT = {
    #                        anon  own  other secr  idle
    ("xlsx", "get"):        (401, 200, 400, 200, 403),
    ("xlsx", "post"):       (401, 405, 405, 405, 405),
    ("csv", "get"):         (401, 200, 400, 200, 403),
    ("csv", "delete"):      (401, 405, 405, 405, 405),
    ("upload", "post"):     (401, 200, 400, 200, 403),
    ("upload", "get"):      (401, 405, 405, 405, 405),
    ("upload", "put"):      (401, 405, 405, 405, 405),
    ("upload", "patch"):    (401, 405, 405, 405, 405),
    ("upload", "delete"):   (401, 405, 405, 405, 405),
}
# fmt: on
QUESTIONNAIRE_CASES = [
    pytest.param(endpoint, verb, role, status, id=f"questionnaire-{endpoint}-{verb}-{role}")
    for (endpoint, verb), statuses in QUESTIONNAIRE_CONTRACT.items()
    for role, status in zip(ROLE, statuses, strict=True)
]


def questionnaire_file(world, state) -> bytes:
    """The state's questionnaire of the world's report, with an answer on the followed-up
    recommendation."""
    data = questionnaire_export(
        member_state=MemberState.objects.get(iso3=state), report=world.report.symbol
    )
    return fill(data, answers={world.recommendation.label: ("Implemented", "Accepted")})


@pytest.mark.parametrize(("endpoint", "verb", "role", "status"), QUESTIONNAIRE_CASES)
def test_questionnaire_contract(request, world, endpoint, verb, role, status):
    caller = who(request, role)
    state = ROLE[role][1]
    path = f"{API}{QUESTIONNAIRE_PATHS[endpoint]}"
    before = snapshot()
    if verb == "get":
        response = caller.client.get(path, {"member_state": state, "report": world.report.symbol})
    elif (endpoint, verb) == ("upload", "post"):
        upload = SimpleUploadedFile("questionnaire.xlsx", questionnaire_file(world, state))
        response = caller.client.post(path, {"file": upload}, format="multipart")
    else:
        response = caller.client.generic(verb.upper(), path)
    assert response.status_code == status, response.content
    if status == 401:
        assert response["WWW-Authenticate"] == "Token"
    if status == 400:
        assert set(response.json()) == {"member_state" if verb == "get" else "file"}
    if verb != "get" and status != 200:
        assert snapshot() == before  # refused: nothing written, no history
    if status == 200 and verb == "get":
        assert f'filename="questionnaire-{state}-' in response["Content-Disposition"]
    if status == 200 and verb == "post":
        assert response.json()["applied"] is True and response.json()["state"] == state
        follow_up = FollowUp.objects.get(pk=world.follow_ups[state].pk)
        assert (follow_up.status, follow_up.response, follow_up.version) == (
            "implemented",
            "accepted",
            2,
        )
        assert new_history(before) == [(FollowUp, follow_up.pk)]
        record = newest_history(FollowUp, follow_up.pk)
        assert (record.history_user, record.history_change_reason) == (
            caller.user,
            "questionnaire questionnaire.xlsx",
        )


def test_every_path_outside_the_router_is_in_a_contract():
    from recommendations.api.urls import urlpatterns

    paths = {str(p.pattern) for p in urlpatterns if not hasattr(p, "url_patterns")}
    assert paths - {"schema/", "docs/"} == {"coverage/", *QUESTIONNAIRE_PATHS.values()}
    assert {endpoint for endpoint, _ in QUESTIONNAIRE_CONTRACT} == set(QUESTIONNAIRE_PATHS)


# Staff: exactly one permission per verb ---------------------------------------------------


def make_staff_with(username, codenames=None):
    """Staff holding exactly these permissions; None: in the Secretariat role."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    if codenames is None:
        user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    else:
        app = Permission.objects.filter(content_type__app_label="recommendations")
        user.user_permissions.set(app.filter(codename__in=codenames))
    _, key = token_issue(user=user)
    caller = Namespace(client=APIClient(), user=user)
    caller.client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return caller


def secretariat_codenames():
    group = Group.objects.get(name=roles.SECRETARIAT)
    return set(group.permissions.values_list("codename", flat=True))


STAFF_CASES = [
    pytest.param(endpoint, verb, id=f"{endpoint}-{verb}")
    for (endpoint, verb), statuses in CONTRACT.items()
    if statuses[3] != 405
]


def needed(endpoint, verb) -> set[str]:
    """The permissions a verb needs: deleting a follow-up deletes its actions too."""
    codename = f"{ACTION_OF_VERB[verb]}_{MODEL[endpoint]}"
    return {codename, "delete_action"} if codename == "delete_followup" else {codename}


def granting(codename) -> set[str]:
    """The permissions that grant a codename: as in the admin, change lets one view."""
    action, model = codename.split("_", 1)
    return {codename, f"change_{model}"} if action == "view" else {codename}


@pytest.mark.parametrize(("endpoint", "verb"), STAFF_CASES)
def test_staff_need_just_the_verbs_permission(world, endpoint, verb):
    only = make_staff_with("only", needed(endpoint, verb))
    run(endpoint, verb, "secretariat", only, world, SUCCESS[verb])


@pytest.mark.parametrize(("endpoint", "verb"), STAFF_CASES)
def test_staff_without_the_verbs_permission_are_refused(world, endpoint, verb):
    codename = f"{ACTION_OF_VERB[verb]}_{MODEL[endpoint]}"
    assert codename in secretariat_codenames()
    almost = make_staff_with("almost", secretariat_codenames() - granting(codename))
    response, _ = run(endpoint, verb, "secretariat", almost, world, 403)
    assert f"recommendations.{codename}" in response.json()["detail"]


def test_deleting_a_follow_up_needs_the_delete_permission_on_its_actions(world):
    deleter = make_staff_with("deleter", {"view_followup", "delete_followup"})
    response, _ = run("follow-ups", "delete", "secretariat", deleter, world, 403)
    assert "recommendations.delete_action" in response.json()["detail"]


def test_change_without_verify_makes_an_unverified_claim(world):
    clerk = make_staff_with("clerk", ["change_followup"])
    run("follow-ups", "patch", "secretariat", clerk, world, 200)
    follow_up = FollowUp.objects.get(pk=world.follow_ups["BOL"].pk)
    assert follow_up.status == "implemented" and follow_up.verified_by is None


# The admin gives the same answer ------------------------------------------------------------

ADMIN_USERS = {
    "secretariat": None,  # in the role
    "idle": [],
    "viewer": ["view_followup", "view_action"],
    "clerk": ["view_followup", "view_action", "change_followup", "change_action"],
    "editor": ["change_followup", "change_action"],  # change without view
    "deleter": ["view_followup", "view_action", "delete_followup"],
}
# As the admin does, the API lets the change permission view, and refuses to delete a
# follow-up whose actions the user may not delete.
ADMIN_CASES = [
    pytest.param(kind, model, verb, id=f"{kind}-{model}-{verb}")
    for kind in ADMIN_USERS
    for model in ("followup", "action")
    for verb in ("view", "add", "change", "delete")
] + [
    pytest.param(kind, model, "view", id=f"{kind}-{model}-view")
    for kind in ("secretariat", "idle")
    for model in ("report", "recommendation", "theme", "memberstate")
]
ENDPOINT = {model: endpoint for endpoint, model in MODEL.items() if endpoint != "coverage"}
VERB = {"view": "get", "add": "post", "change": "patch", "delete": "delete"}


def admin_allows(client, user, model, verb, obj) -> bool:
    base = f"/admin/recommendations/{model}/"
    client.force_login(user)
    if verb == "view":
        statuses = {client.get(base).status_code, client.get(f"{base}{obj.pk}/change/").status_code}
    elif verb == "add":
        statuses = {client.get(f"{base}add/").status_code}
    elif verb == "change":
        request = RequestFactory().get(base)
        request.user = user
        model_admin = admin.site._registry[type(obj)]
        return model_admin.has_change_permission(request, obj)
    else:
        response = client.post(f"{base}{obj.pk}/delete/", {"post": "yes"})
        statuses = {response.status_code}
        if response.status_code == 302:
            assert not type(obj).objects.filter(pk=obj.pk).exists()
    assert statuses <= {200, 302, 403}, statuses
    assert len(statuses) == 1, statuses
    return statuses == {200} or statuses == {302}


@pytest.mark.parametrize(("kind", "model", "verb"), ADMIN_CASES)
def test_admin_and_api_agree(client, world, kind, model, verb):
    caller = make_staff_with(kind, ADMIN_USERS[kind])
    endpoint = ENDPOINT[model]
    # The admin works on Kenya's rows, the API on Bolivia's: a delete in one leaves the other's.
    admin_obj = target(endpoint, world, "KEN")
    allowed = admin_allows(client, caller.user, model, verb, admin_obj)
    status = SUCCESS[VERB[verb]] if allowed else 403
    run(endpoint, VERB[verb], "secretariat", caller, world, status)


def test_admin_is_closed_to_liaisons_and_anonymous(client, world, kenya):
    path = f"/admin/recommendations/followup/{world.follow_ups['KEN'].pk}/change/"
    assert client.get(path).status_code == 302
    client.force_login(kenya.user)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
