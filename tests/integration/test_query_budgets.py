"""Query budgets: every API list, every admin changelist and the coverage selector run the
same number of queries on a small and on a ten times larger demo data set."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from recommendations import roles
from recommendations.api import serializers
from recommendations.api.serializers import ReadPlanMixin
from recommendations.models import Action, Body, FollowUp, MemberState, Recommendation, Report
from recommendations.selectors import api as api_selectors
from recommendations.selectors.coverage import coverage_by_theme
from recommendations.services.demo import demo_build
from recommendations.services.tokens import liaison_create, token_issue
from tests.integration.shared import make_user

pytestmark = pytest.mark.django_db

SMALL = {"recommendations": 20, "follow_ups": 300}
LARGE = {"recommendations": 200, "follow_ups": 3000}

API_LISTS = [
    "/api/v1/reports/",
    "/api/v1/recommendations/",
    "/api/v1/themes/",
    "/api/v1/member-states/",
    "/api/v1/follow-ups/",
    "/api/v1/actions/",
    "/api/v1/coverage/",
]


def _first_link():
    rec = Recommendation.objects.filter(follow_ups__isnull=False).order_by("pk").first()
    return rec.themes.first().code, rec.bodies.first().code


def _first_follow_up():
    follow_up = FollowUp.objects.order_by("pk").first()
    return follow_up.recommendation.themes.first().code, follow_up.status


def _due_dates_set() -> str:
    """Every other demo report overdue, the others without a due date; today's date."""
    today = datetime.date.today()
    for number, report in enumerate(Report.objects.order_by("pk")):
        due = today - datetime.timedelta(days=10 + number) if number % 2 == 0 else None
        Report.objects.filter(pk=report.pk).update(due_date=due)
    return today.isoformat()


def _first_report_without_due_date() -> None:
    """Every demo report falls due (the sessions of its bodies): not the first one, so
    that the "no due date" filter has rows."""
    Report.objects.filter(pk=Report.objects.order_by("pk").first().pk).update(due_date=None)


# Filters that join or add subqueries, as staff (who see every row, so pages are full);
# values picked from the data so that every page holds rows.
API_FILTERED_LISTS = {
    "recommendations-theme-body": lambda: (
        "/api/v1/recommendations/",
        dict(zip(["theme", "body"], _first_link(), strict=True)),
    ),
    "recommendations-has-follow-up-q": lambda: (
        "/api/v1/recommendations/",
        {"has_follow_up": "true", "q": "国"},
    ),
    "follow-ups-theme-status": lambda: (
        "/api/v1/follow-ups/",
        dict(zip(["theme", "status"], _first_follow_up(), strict=True)),
    ),
    "follow-ups-verified-q": lambda: ("/api/v1/follow-ups/", {"verified": "false", "q": "国"}),
    "recommendations-overdue-due-between": lambda: (
        "/api/v1/recommendations/",
        {"overdue": "true", "due_before": _due_dates_set(), "due_after": "2000-01-01"},
    ),
    "follow-ups-overdue-due-before": lambda: (
        "/api/v1/follow-ups/",
        {"overdue": "true", "due_before": _due_dates_set()},
    ),
    "actions-kind-date": lambda: (
        "/api/v1/actions/",
        {"kind": Action.objects.order_by("pk").first().kind, "date_from": "2004-01-01"},
    ),
}

ADMIN_LISTS = [
    ("/admin/recommendations/recommendation/", {}),
    ("/admin/recommendations/recommendation/", {"has_follow_up": "yes"}),
    ("/admin/recommendations/recommendation/", {"status": "implemented"}),
    ("/admin/recommendations/followup/", {}),
    ("/admin/recommendations/followup/", {"verification": "unverified"}),
    ("/admin/recommendations/followup/", {"deadline": "none"}),
    ("/admin/recommendations/recommendation/", {"deadline": "none"}),
    ("/admin/recommendations/report/", {}),
    ("/admin/recommendations/action/", {}),
]


def build(size: dict) -> None:
    demo_build(seed=8, **size)


def queries(call) -> int:
    call()  # warm up: a token's first use records it, caches fill
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:500]
    data = response.json() if response["Content-Type"] == "application/json" else None
    if isinstance(data, dict) and "results" in data:
        # An empty page skips the page query: only compare pages that hold rows.
        assert data["results"], "no rows: the budget would not be tested"
    return len(captured)


def token_client(user) -> APIClient:
    _, key = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def liaison_client() -> APIClient:
    """A liaison of the member state with the most actions logged (so its pages hold rows)."""
    busiest = (
        Action.objects.values("follow_up__member_state")
        .annotate(n=Count("pk"))
        .order_by("-n", "follow_up__member_state")
        .values_list("follow_up__member_state", flat=True)
        .first()
    )
    user, *_ = liaison_create(username="liaison", member_state=MemberState.objects.get(pk=busiest))
    return token_client(user)


def staff_token_client() -> APIClient:
    return token_client(make_user("officer", group=roles.SECRETARIAT))


@pytest.mark.parametrize("caller", ["liaison", "staff"])
@pytest.mark.parametrize("path", API_LISTS)
def test_api_lists_query_count_does_not_grow_with_the_data(caller, path):
    build(SMALL)
    client = liaison_client() if caller == "liaison" else staff_token_client()
    small = queries(lambda: client.get(path, {"limit": 200}))
    build(LARGE)
    assert queries(lambda: client.get(path, {"limit": 200})) == small


@pytest.mark.parametrize("name", API_FILTERED_LISTS)
def test_filtered_api_lists_query_count_does_not_grow_with_the_data(name):
    client = staff_token_client()
    counts = []
    for size in (SMALL, LARGE):
        build(size)
        path, params = API_FILTERED_LISTS[name]()
        counts.append(queries(lambda: client.get(path, {"limit": 200, **params})))  # noqa: B023
    assert counts[0] == counts[1]


@pytest.mark.parametrize(("path", "params"), ADMIN_LISTS)
def test_admin_changelists_query_count_does_not_grow_with_the_data(staff_client, path, params):
    build(SMALL)
    _first_report_without_due_date()
    small = queries(lambda: staff_client.get(path, params))
    build(LARGE)
    _first_report_without_due_date()
    response = staff_client.get(path, params)
    assert len(response.context["cl"].result_list) > 0
    large = queries(lambda: staff_client.get(path, params))
    assert small == large


@pytest.mark.parametrize(
    "scope",
    [
        {},
        {"include_states": False},
        {"member_state": "busiest"},
        {"body": "any", "updated_from": "2015-01-01"},
        {"report": "first"},
    ],
)
def test_coverage_selector_query_count_does_not_grow_with_the_data(scope):
    def run():
        arguments = dict(scope)
        if arguments.get("report") == "first":
            arguments["report"] = Report.objects.order_by("pk").first().pk
        if arguments.get("member_state") == "busiest":
            arguments["member_state"] = (
                FollowUp.objects.values("member_state")
                .annotate(n=Count("pk"))
                .order_by("-n", "member_state")
                .values_list("member_state", flat=True)
                .first()
            )
        if arguments.get("body") == "any":
            arguments["body"] = Body.objects.filter(recommendations__isnull=False).first().code
        if "updated_from" in arguments:
            arguments["updated_from"] = datetime.date.fromisoformat(arguments["updated_from"])
        with CaptureQueriesContext(connection) as captured:
            result = coverage_by_theme(**arguments)
        assert result["total"]["covered"] > 0
        return len(captured)

    build(SMALL)
    small = run()
    build(LARGE)
    assert run() == small


# The lean read path of the API serializers (ReadPlanMixin) -------------------------------


@pytest.mark.parametrize(
    ("serializer_class", "selector"),
    [
        (serializers.RecommendationSerializer, lambda user: api_selectors.recommendations()),
        (serializers.FollowUpSerializer, api_selectors.follow_ups_for),
        (serializers.FollowUpSerializer, api_selectors.follow_up_list_for),
        (serializers.ActionSerializer, api_selectors.actions_for),
        (serializers.ActionSerializer, api_selectors.action_list_for),
    ],
)
def test_lean_read_path_gives_what_drf_gives(serializer_class, selector, rf):
    """The same JSON as DRF's generic to_representation, users set or not."""
    build(SMALL)
    staff = make_user("officer")
    FollowUp.objects.filter(pk__in=FollowUp.objects.order_by("pk")[:3].values("pk")).update(
        created_by=staff, updated_by=staff, status="implemented", verified_by=staff
    )
    Action.objects.filter(pk__in=Action.objects.order_by("pk")[:3].values("pk")).update(
        created_by=staff
    )
    request = rf.get("/api/v1/")
    request.user = staff
    objects = list(selector(staff)[:60])
    serializer = serializer_class(objects, many=True, context={"request": request})
    lean = serializer.data
    generic = [super(ReadPlanMixin, serializer.child).to_representation(obj) for obj in objects]
    assert lean == generic
    assert [list(item) for item in lean] == [list(item) for item in generic]  # key order too
