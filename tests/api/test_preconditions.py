"""RFC 9110 preconditions, the write path's cost, and the rules every write follows:
withdrawn recommendations, plausible dates, who verifies."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations.models import Action, FollowUp, Recommendation
from recommendations.services import follow_ups as services
from tests.api.conftest import make_staff
from tests.integration.shared import rec as recommendation

pytestmark = pytest.mark.django_db

FOLLOW_UPS = "/api/v1/follow-ups/"
ACTIONS = "/api/v1/actions/"


@pytest.fixture
def follow_up(seeds, kenya):
    response = kenya.post(
        FOLLOW_UPS, {"recommendation": recommendation("93(b)").pk, "status": "in_progress"}
    )
    assert response.status_code == 201, response.json()
    assert response["ETag"] == f'"followup-{response.json()["id"]}-v1"'
    return FollowUp.objects.get(pk=response.json()["id"])


def path_of(obj) -> str:
    return f"{FOLLOW_UPS if isinstance(obj, FollowUp) else ACTIONS}{obj.pk}/"


def unchanged(obj) -> bool:
    """The row and its history are as they were."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return fresh.version == obj.version and fresh.history.count() == obj.history.count()


# If-Match ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [{"status": "implemented"}, {"status": "no such status"}, "{not json"]
)
def test_if_match_is_required_before_the_body_is_read(follow_up, kenya, body):
    path = path_of(follow_up)
    if isinstance(body, str):
        response = kenya.client.patch(path, body, content_type="application/json")
    else:
        response = kenya.patch(path, body)
    assert response.status_code == 428, response.content
    assert "If-Match" in response.json()["detail"]
    assert kenya.delete(path).status_code == 428
    assert unchanged(follow_up)


def test_a_stale_if_match_is_412_before_the_body_is_read(follow_up, kenya):
    stale = f'"followup-{follow_up.pk}-v9"'
    response = kenya.client.patch(
        path_of(follow_up), "{not json", content_type="application/json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert response["ETag"] == f'"followup-{follow_up.pk}-v1"'
    assert unchanged(follow_up)


@pytest.mark.parametrize(
    "header",
    [
        "*",
        '"followup-{pk}-v1"',
        '"followup-{pk}-v7", "followup-{pk}-v1"',  # the current ETag second in a list
        '"action-1-v1","followup-{pk}-v1"',
    ],
)
def test_if_match_lists_and_star_are_honoured(follow_up, kenya, header):
    response = kenya.patch(
        path_of(follow_up), {"status": "implemented"}, if_match=header.format(pk=follow_up.pk)
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == f'"followup-{follow_up.pk}-v2"'
    assert FollowUp.objects.get(pk=follow_up.pk).status == "implemented"


@pytest.mark.parametrize(
    "header",
    [
        'W/"followup-{pk}-v1"',  # weak: never equal under the strong comparison
        '"followup-{pk}-v2"',
        '"followup-0-v1"',
        '"action-{pk}-v1"',
        "followup-{pk}-v1",  # not quoted
        '"followup-{pk}-v1',
    ],
)
def test_other_if_match_values_are_412_with_the_current_etag(follow_up, kenya, header):
    response = kenya.patch(
        path_of(follow_up), {"status": "implemented"}, if_match=header.format(pk=follow_up.pk)
    )
    assert response.status_code == 412
    assert response["ETag"] == f'"followup-{follow_up.pk}-v1"'
    assert unchanged(follow_up)


def test_a_write_that_loses_the_race_is_412_with_the_winners_etag(follow_up, kenya):
    """Between the read and the write, another writer changed the row: the service's
    conditional UPDATE finds no row at the version read (the 412 is made in one place)."""
    path = path_of(follow_up)
    etag = kenya.get(path)["ETag"]
    read = FollowUp.objects.select_related("recommendation").get(pk=follow_up.pk)
    services.follow_up_update(follow_up=read, data={"status": "not_started"}, user=None)
    with pytest.raises(services.VersionConflict):
        services.follow_up_update(
            follow_up=read, data={"status": "implemented"}, user=None, expected_version=1
        )
    response = kenya.patch(path, {"status": "implemented"}, if_match=etag)
    assert response.status_code == 412
    assert response["ETag"] == f'"followup-{follow_up.pk}-v2"'


# If-None-Match --------------------------------------------------------------------------


def test_if_none_match_gives_304_with_the_etag_and_no_body(follow_up, kenya):
    path = path_of(follow_up)
    etag = kenya.get(path)["ETag"]
    for header in (etag, f"W/{etag}", f'"x", {etag}', "*"):
        response = kenya.get(path, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response["ETag"] == etag and response.content == b""
    changed = kenya.patch(path, {"status": "implemented"}, if_match=etag)
    response = kenya.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] == changed["ETag"]
    assert response.json()["status"] == "implemented"


# The write path ---------------------------------------------------------------------------


def patch_statements(kenya, path, status):
    etag = kenya.get(path)["ETag"]
    kenya.get(path)  # the token's last-used time is written at most once a minute
    with CaptureQueriesContext(connection) as queries:
        response = kenya.patch(path, {"status": status}, if_match=etag)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]


def test_a_liaison_patch_reads_once_updates_once_and_writes_one_history_row(follow_up, kenya):
    path = path_of(follow_up)
    statements = patch_statements(kenya, path, "not_started")
    kinds = [sql.split()[0].upper() for sql in statements]
    # The token, the follow-up (with what the answer shows), one conditional UPDATE, one
    # history INSERT, the figures' new version and one statement on the coverage figures
    # (an INSERT ... SELECT ... ON CONFLICT DO UPDATE that reads the recommendation's keys
    # itself): nothing else.
    assert kinds == ["SELECT", "SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"], statements
    update = statements[2].split("WHERE", 1)[1]
    assert "version" in update and "id" in update  # conditional on the version read
    assert "coverageversion" in statements[4] and "ON CONFLICT" in statements[4]
    assert "coveragefigure" in statements[-1] and "ON CONFLICT" in statements[-1]
    assert FollowUp.objects.get(pk=follow_up.pk).history.count() == 2

    # A final status closes the recommendation for Kenya: the recommendation's counter
    # (whose upsert returns the dates it is counted under) and the deadline figures,
    # one statement each.
    statements = patch_statements(kenya, path, "implemented")
    kinds = [sql.split()[0].upper() for sql in statements]
    assert kinds == ["SELECT", "SELECT", "UPDATE", "INSERT", "INSERT", "INSERT", "INSERT", "INSERT"]
    assert "coverageversion" in statements[4]
    assert "coveragerecommendation" in statements[5] and "RETURNING" in statements[5]
    assert "coveragefigure" in statements[6]
    assert "coveragedeadline" in statements[7] and "ON CONFLICT" in statements[7]


def test_an_unchanged_patch_writes_nothing(follow_up, kenya):
    path = path_of(follow_up)
    response = kenya.patch(path, {"status": "in_progress"}, if_match=kenya.get(path)["ETag"])
    assert response.status_code == 200 and response["ETag"] == f'"followup-{follow_up.pk}-v1"'
    assert unchanged(follow_up)


# Withdrawn recommendations: one rule, API and admin --------------------------------------


def withdraw(follow_up):
    Recommendation.objects.filter(pk=follow_up.recommendation_id).update(is_withdrawn=True)


def test_a_withdrawn_recommendations_follow_up_is_kept_and_closed(follow_up, kenya):
    action = kenya.post(
        ACTIONS,
        {"follow_up": follow_up.pk, "date": "2026-01-31", "kind": "policy", "description": "x"},
    ).json()
    withdraw(follow_up)
    path = path_of(follow_up)
    etag = kenya.get(path)["ETag"]
    response = kenya.patch(path, {"status": "implemented"}, if_match=etag)
    assert response.status_code == 400
    assert "withdrawn" in response.json()["recommendation"][0]
    assert unchanged(follow_up)
    response = kenya.post(
        ACTIONS,
        {"follow_up": follow_up.pk, "date": "2026-02-01", "kind": "policy", "description": "y"},
    )
    assert response.status_code == 400 and "withdrawn" in response.json()["recommendation"][0]
    action_path = f"{ACTIONS}{action['id']}/"
    response = kenya.patch(
        action_path, {"description": "z"}, if_match=kenya.get(action_path)["ETag"]
    )
    assert response.status_code == 400
    assert Action.objects.get(pk=action["id"]).description == "x"
    # What was logged stays readable, and its owner may still delete it.
    assert kenya.get(path).json()["status"] == "in_progress"
    assert kenya.delete(path, if_match=etag).status_code == 204
    assert not FollowUp.objects.filter(pk=follow_up.pk).exists()


def test_the_admin_shows_a_withdrawn_recommendations_follow_up_read_only(follow_up, client):
    staff = make_staff("secretary")
    client.force_login(staff.user)
    page = f"/admin/recommendations/followup/{follow_up.pk}/change/"
    assert b'name="status"' in client.get(page).content
    withdraw(follow_up)
    response = client.get(page)
    assert response.status_code == 200 and b'name="status"' not in response.content
    response = client.post(page, {"status": "implemented"})
    assert response.status_code == 403
    assert unchanged(follow_up)


# Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "words"),
    [
        ("0001-01-01", "1945"),
        ("1945-10-23", "1945"),
        (str(timezone.localdate() + datetime.timedelta(days=1)), "future"),
    ],
)
def test_implausible_action_dates_are_refused_naming_the_field(follow_up, kenya, date, words):
    response = kenya.post(
        ACTIONS, {"follow_up": follow_up.pk, "date": date, "kind": "policy", "description": "x"}
    )
    assert response.status_code == 400
    assert words in response.json()["date"][0]
    assert not Action.objects.exists()


def test_the_day_the_charter_entered_into_force_is_a_valid_date(follow_up, kenya):
    response = kenya.post(
        ACTIONS,
        {"follow_up": follow_up.pk, "date": "1945-10-24", "kind": "policy", "description": "x"},
    )
    assert response.status_code == 201, response.json()


# Who verifies -------------------------------------------------------------------------------


def test_implemented_is_verified_only_by_holders_of_the_verify_permission(follow_up):
    from django.contrib.auth.models import Permission

    clerk = make_staff("clerk")
    clerk.user.groups.clear()
    clerk.user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_followup", "change_followup"])
    )
    path = path_of(follow_up)
    response = clerk.patch(path, {"status": "implemented"}, if_match=clerk.get(path)["ETag"])
    assert response.status_code == 200 and response.json()["verified"] is False
    saved = FollowUp.objects.get(pk=follow_up.pk)
    assert saved.status == "implemented" and saved.verified_at is None
    with pytest.raises(services.PermissionDenied):
        services.follow_up_verify(follow_up=saved, user=clerk.user, via="test")
    officer = make_staff("officer2")
    assert services.follow_up_verify(follow_up=saved, user=officer.user, via="test")
    saved = FollowUp.objects.get(pk=follow_up.pk)
    assert saved.verified_by == officer.user
    record = saved.history.first()
    assert (record.history_user, record.history_change_reason) == (officer.user, "test")
