"""Deadlines in the API, on the seeds: `due_date` and `days_overdue` on recommendations and
follow-ups (no query per row), the `overdue`, `due_before` and `due_after` filters against a
hand count, bad values a 400 naming the filter, a liaison's scope unchanged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.models import FollowUp, Recommendation
from tests.integration.shared import SEED_2017, make_follow_up, rec
from tests.integration.test_admin_deadlines import (
    SEED_2004,
    days,
    deadlines_set,
    due_of,
    hand_count,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
RECOMMENDATIONS = f"{API}/recommendations/"
FOLLOW_UPS = f"{API}/follow-ups/"


@pytest.fixture
def deadlines(seeds):
    deadlines_set()


def rows(caller, path, **params) -> list[dict]:
    """Every row of a list, page after page."""
    found, offset = [], 0
    while True:
        response = caller.get(path, {**params, "limit": 200, "offset": offset})
        assert response.status_code == 200, response.json()
        page = response.json()
        found += page["results"]
        if not page["next"]:
            return found
        offset += 200


def ids(caller, path, **params) -> set[int]:
    return {row["id"] for row in rows(caller, path, **params)}


def test_recommendations_carry_their_due_date_and_days_overdue(kenya, deadlines):
    def shown(recommendation):
        data = kenya.get(f"{RECOMMENDATIONS}{recommendation.pk}/").json()
        return data["due_date"], data["days_overdue"]

    assert shown(rec("93(a)")) == (days(-40).isoformat(), 40)  # the report's, by the sessions
    assert shown(rec("93(c)")) == (days(5).isoformat(), None)  # its own, ahead
    assert shown(rec("93(d)")) == (days(-40).isoformat(), None)  # withdrawn: never overdue
    assert shown(Recommendation.objects.filter(report__symbol=SEED_2004).first()) == (None, None)
    listed = {row["id"]: row for row in rows(kenya, RECOMMENDATIONS)}
    for recommendation in Recommendation.objects.select_related("report"):
        due = due_of(recommendation)
        assert listed[recommendation.pk]["due_date"] == (due and due.isoformat())


def test_follow_ups_count_their_own_status(staff_caller, deadlines):
    def shown(label, iso3):
        follow_up = FollowUp.objects.get(recommendation=rec(label), member_state=iso3)
        data = staff_caller.get(f"{FOLLOW_UPS}{follow_up.pk}/").json()
        return data["due_date"], data["days_overdue"]

    assert shown("93(a)", "KEN") == (days(-40).isoformat(), 40)  # in progress
    assert shown("93(a)", "FRA") == (days(-40).isoformat(), None)  # implemented: closed
    assert shown("93(c)", "KEN") == (days(5).isoformat(), None)  # not yet due
    assert shown("93(d)", "KEN") == (days(-40).isoformat(), None)  # withdrawn


def test_overdue_filters_equal_a_hand_count_and_days_overdue(staff_caller, deadlines):
    (rec_overdue, _soon, _none), (fu_overdue, _fu_soon, _fu_none) = hand_count()
    for path, overdue, model in (
        (RECOMMENDATIONS, rec_overdue, Recommendation),
        (FOLLOW_UPS, fu_overdue, FollowUp),
    ):
        assert ids(staff_caller, path, overdue="true") == overdue
        assert (
            ids(staff_caller, path, overdue="false")
            == set(model.objects.values_list("pk", flat=True)) - overdue
        )
        # The filter and the field say the same.
        assert {row["id"] for row in rows(staff_caller, path) if row["days_overdue"]} == overdue


def test_due_before_and_after_are_inclusive_and_leave_out_rows_without_a_date(
    staff_caller, deadlines
):
    recommendations = list(Recommendation.objects.select_related("report"))

    def by_hand(keep):
        return {r.pk for r in recommendations if due_of(r) is not None and keep(due_of(r))}

    assert ids(staff_caller, RECOMMENDATIONS, due_before=days(5).isoformat()) == by_hand(
        lambda due: due <= days(5)
    )
    assert ids(staff_caller, RECOMMENDATIONS, due_after=days(5).isoformat()) == by_hand(
        lambda due: due >= days(5)
    )
    between = {"due_after": days(-40).isoformat(), "due_before": days(-40).isoformat()}
    assert ids(staff_caller, RECOMMENDATIONS, **between) == by_hand(lambda due: due == days(-40))
    follow_ups = ids(staff_caller, FOLLOW_UPS, due_after=days(1).isoformat(), overdue="false")
    assert follow_ups == {
        f.pk
        for f in FollowUp.objects.select_related("recommendation__report")
        if due_of(f.recommendation) and due_of(f.recommendation) >= days(1)
    }


@pytest.mark.parametrize("path", [RECOMMENDATIONS, FOLLOW_UPS])
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("overdue", "maybe"),
        ("overdue", ""),
        ("due_before", "2026-13-01"),
        ("due_before", "tomorrow"),
        ("due_after", "2026-02-30"),
        ("due_after", ""),
        ("due_after", "99999-01-01"),
    ],
)
def test_bad_values_are_a_400_naming_the_filter(kenya, seeds, path, name, value):
    response = kenya.get(path, {name: value})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [name] and all(isinstance(reason, str) for reason in body[name])


def test_a_liaison_sees_only_their_own_follow_ups_still(kenya, bolivia, deadlines):
    for caller, iso3 in ((kenya, "KEN"), (bolivia, "BOL")):
        own = set(FollowUp.objects.filter(member_state=iso3).values_list("pk", flat=True))
        overdue = ids(caller, FOLLOW_UPS, overdue="true")
        not_overdue = ids(caller, FOLLOW_UPS, overdue="false")
        assert overdue | not_overdue == own and not overdue & not_overdue
        assert overdue == own & hand_count()[1][0]
    assert ids(bolivia, FOLLOW_UPS, overdue="true") == set()
    assert len(ids(kenya, FOLLOW_UPS, overdue="true")) == 2


def test_writes_answer_with_the_deadline(kenya, deadlines):
    response = kenya.post(FOLLOW_UPS, {"recommendation": rec("93(e)").pk})
    assert response.status_code == 201, response.json()
    assert (response.json()["due_date"], response.json()["days_overdue"]) == (
        days(-40).isoformat(),
        40,
    )
    path = f"{FOLLOW_UPS}{response.json()['id']}/"
    patched = kenya.patch(path, {"status": "implemented"}, if_match=response["ETag"])
    assert patched.status_code == 200
    assert (patched.json()["due_date"], patched.json()["days_overdue"]) == (
        days(-40).isoformat(),
        None,
    )
    again = kenya.patch(path, {"status": "in_progress"}, if_match="*")  # read again: same answer
    assert (again.json()["due_date"], again.json()["days_overdue"]) == (days(-40).isoformat(), 40)


@pytest.mark.parametrize("path", [RECOMMENDATIONS, FOLLOW_UPS])
def test_the_deadline_fields_and_filters_cost_no_query_per_row(kenya, deadlines, path):
    def count(params):
        with CaptureQueriesContext(connection) as captured:
            assert kenya.get(path, {"limit": 200, **params}).status_code == 200
        return len(captured)

    kenya.get(path)  # the token's first use is recorded
    before = [count({}), count({"overdue": "true"}), count({"due_after": "2000-01-01"})]
    for recommendation in Recommendation.objects.filter(report__symbol=SEED_2017)[5:12]:
        make_follow_up(recommendation, "KEN")
    assert [count({}), count({"overdue": "true"}), count({"due_after": "2000-01-01"})] == before
