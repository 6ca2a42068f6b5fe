"""Deadlines in the admin, on the seeds: the sessions of a body set on its page (through
the services, on record with "admin") change the due dates of the reports addressed to
it; a report's due date set by staff and given back; a recommendation's own; the
"Deadline" filters and the "days overdue" columns against a hand count."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations.choices import Status
from recommendations.models import Body, BodySession, FollowUp, Recommendation, Report
from recommendations.services import deadlines as deadline_services
from tests.forms import form_data
from tests.integration.shared import SEED_2017, make_follow_up, make_user, rec

pytestmark = pytest.mark.django_db

ADMIN = "/admin/recommendations"
SEED_2019 = "004_a18fa2faa6a1f8c2.txt"  # addressed to CCPCJ, 20 May 2019
SEED_2004 = "002_2ed4e228b852b96c.txt"  # the General Assembly: no session known
FINAL = {"implemented", "not_implemented", "not_applicable"}  # written out: a hand count
D = datetime.date


def today() -> D:
    return timezone.localdate()


def days(n: int) -> D:
    return today() + datetime.timedelta(days=n)


def submit(client, url, form_id, values):
    """GET the admin form, change some fields, POST it back as a browser would."""
    data = form_data(client.get(url).content.decode(), form_id)
    data.update({name: [value] for name, value in values.items()})
    return client.post(url, data)


def body_url(code: str) -> str:
    return f"{ADMIN}/body/{Body.objects.get(code=code).pk}/change/"


def due(symbol=SEED_2017) -> D | None:
    return Report.objects.get(symbol=symbol).due_date


@pytest.fixture
def superuser(client, db):
    user = make_user("root", superuser=True)
    client.force_login(user)
    return user


# Sessions on the body's page -----------------------------------------------------------


def test_sessions_set_on_the_bodys_page_set_the_reports_due_date_on_record(
    client, superuser, seeds
):
    url = body_url("CND")
    assert due() is None
    response = submit(
        client,
        url,
        "body_form",
        {"meetings-0-name": "第七十届会议", "meetings-0-start_date": days(-40).isoformat()},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    session = BodySession.objects.get(body__code="CND")
    assert due() == days(-40)
    created = session.history.get()
    assert (created.history_type, created.history_change_reason) == ("+", "admin")
    assert created.history_user == superuser

    # Changed: the report follows.
    response = submit(client, url, "body_form", {"meetings-0-start_date": days(10).isoformat()})
    assert response.status_code == 302
    assert due() == days(10)
    changed = session.history.order_by("history_id").last()
    assert (changed.history_type, changed.history_change_reason) == ("~", "admin")

    # Deleted: no session left, no due date.
    response = submit(client, url, "body_form", {"meetings-0-DELETE": "on"})
    assert response.status_code == 302
    assert not BodySession.objects.exists() and due() is None
    deleted = BodySession.history.order_by("history_id").last()
    assert (deleted.history_type, deleted.history_change_reason) == ("-", "admin")
    assert deleted.history_user == superuser


def test_a_session_refused_by_the_rules_is_an_error_on_the_page(client, superuser, seeds):
    response = submit(
        client,
        body_url("CND"),
        "body_form",
        {
            "meetings-0-name": "第七十届会议",
            "meetings-0-start_date": days(10).isoformat(),
            "meetings-0-end_date": days(5).isoformat(),  # ends before it starts
        },
    )
    assert response.status_code == 200  # the page again, with the error
    assert not BodySession.objects.exists() and due() is None


def test_staff_view_the_sessions_and_may_edit_them_only_with_the_permissions(client, seeds):
    deadline_services.body_session_create(
        data={"body": Body.objects.get(code="CND"), "name": "第七十届会议", "start_date": days(9)},
        user=None,
        via="test",
    )
    officer = make_user("clerk", perms=["view_body"])  # staff, in no role

    def login_with(*codenames):
        for codename in codenames:
            officer.user_permissions.add(Permission.objects.get(codename=codename))
        # A fresh copy: the permissions are cached on the user.
        client.force_login(type(officer).objects.get(pk=officer.pk))
        return client.get(body_url("CND")).content.decode()

    assert "第七十届会议" not in login_with()  # no session to see
    assert client.post(body_url("CND"), {}).status_code == 403
    page = login_with("view_bodysession")
    assert "第七十届会议" in page and 'name="meetings-0-name"' not in page  # read-only
    assert client.post(body_url("CND"), {}).status_code == 403

    page = login_with("add_bodysession", "change_bodysession", "delete_bodysession")
    assert 'name="meetings-0-name"' in page and 'name="name_en"' not in page  # names read-only
    response = submit(client, body_url("CND"), "body_form", {"meetings-0-start_date": days(20)})
    assert response.status_code == 302
    assert due() == days(20)
    assert Body.objects.get(code="CND").name_en == "Commission on Narcotic Drugs"


# A report's due date, set by staff and given back to the sessions ----------------------


def test_a_reports_due_date_set_in_the_admin_and_given_back(client, superuser, seeds):
    deadline_services.body_session_create(
        data={"body": Body.objects.get(code="CND"), "name": "第七十届会议", "start_date": days(9)},
        user=None,
        via="test",
    )
    report = Report.objects.get(symbol=SEED_2017)
    url = f"{ADMIN}/report/{report.pk}/change/"
    assert (
        "The next session of a body the report is addressed to." in client.get(url).content.decode()
    )

    assert submit(client, url, "report_form", {"due_date": days(3)}).status_code == 302
    report.refresh_from_db()
    assert (report.due_date, report.due_date_set_by_staff) == (days(3), True)
    assert "Set by staff." in client.get(url).content.decode()

    assert submit(client, url, "report_form", {"due_date": ""}).status_code == 302
    report.refresh_from_db()
    assert (report.due_date, report.due_date_set_by_staff) == (days(9), False)

    listed = client.get(f"{ADMIN}/report/").content.decode()
    assert "column-due_date" in listed


def test_staff_without_the_change_permission_see_the_due_date_only(client, seeds):
    client.force_login(make_user("reader", perms=["view_report"]))
    report = Report.objects.get(symbol=SEED_2017)
    page = client.get(f"{ADMIN}/report/{report.pk}/change/").content.decode()
    assert 'name="due_date"' not in page and "No session of its bodies is known" in page


# A recommendation's own due date ----------------------------------------------------------


def test_a_recommendations_own_due_date_set_in_the_admin_on_record(client, staff, seeds):
    deadline_services.report_due_date_set(
        report=Report.objects.get(symbol=SEED_2017), due_date=days(-12)
    )
    recommendation = rec("93(b)")
    url = f"{ADMIN}/recommendation/{recommendation.pk}/change/"
    page = client.get(url).content.decode()
    assert "(the report&#x27;s)" in page and readonly(page, "days_overdue") == "12"

    assert submit(client, url, "recommendation_form", {"due_date": days(30)}).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.due_date == days(30)
    record = recommendation.history.order_by("history_id").last()
    assert (record.due_date, record.history_change_reason, record.history_user) == (
        days(30),
        "admin",
        staff,
    )
    page = client.get(url).content.decode()
    assert "(its own)" in page and readonly(page, "days_overdue") == "-"

    assert submit(client, url, "recommendation_form", {"due_date": ""}).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.due_date is None


def readonly(page: str, field: str) -> str:
    """The value of a read-only field on a change page."""
    found = re.search(rf'field-{field}.*?<div class="readonly">(.*?)</div>', page, re.S)
    return found.group(1).strip()


# The "Deadline" filters and the columns, against a hand count --------------------------


def deadlines_set():
    """The 2017 report overdue by the sessions (40 days), one of its recommendations due
    soon by its own date and one withdrawn; the 2019 report due soon by staff; follow-ups
    open and closed on each."""
    deadline_services.body_session_create(
        data={
            "body": Body.objects.get(code="CND"),
            "name": "第七十届会议",
            "start_date": days(-40),
        },
        user=None,
        via="test",
    )
    deadline_services.report_due_date_set(
        report=Report.objects.get(symbol=SEED_2019), due_date=days(20)
    )
    deadline_services.recommendation_due_date_set(
        recommendation=rec("93(c)"), due_date=days(5), user=None, via="test"
    )
    Recommendation.objects.filter(pk=rec("93(d)").pk).update(is_withdrawn=True)
    make_follow_up(rec("93(a)"), "KEN", Status.IN_PROGRESS)
    make_follow_up(rec("93(a)"), "FRA", Status.IMPLEMENTED)
    make_follow_up(rec("93(b)"), "KEN", Status.NOT_STARTED)
    make_follow_up(rec("93(c)"), "KEN", Status.IN_PROGRESS)
    FollowUp.objects.create(recommendation=rec("93(d)"), member_state_id="KEN")
    for recommendation in Recommendation.objects.filter(report__symbol=SEED_2019)[:2]:
        make_follow_up(recommendation, "BOL", Status.NOT_STARTED)
    make_follow_up(Recommendation.objects.filter(report__symbol=SEED_2019).first(), "KEN")
    make_follow_up(Recommendation.objects.filter(report__symbol=SEED_2004).first(), "KEN")


@pytest.fixture
def deadlines(seeds):
    deadlines_set()


def due_of(recommendation) -> D | None:
    return recommendation.due_date or recommendation.report.due_date


def hand_count():
    """(overdue, due within 30 days, no due date) of recommendations and of follow-ups."""
    recommendations = list(Recommendation.objects.select_related("report"))
    follow_ups = list(FollowUp.objects.select_related("recommendation__report"))

    def kinds(rows, recommendation_of, is_open):
        overdue, soon, none = set(), set(), set()
        for row in rows:
            recommendation = recommendation_of(row)
            date = due_of(recommendation)
            if date is None:
                none.add(row.pk)
            elif not recommendation.is_withdrawn and is_open(row):
                if date < today():
                    overdue.add(row.pk)
                elif date <= days(30):
                    soon.add(row.pk)
        return overdue, soon, none

    return (
        kinds(recommendations, lambda r: r, lambda r: True),
        kinds(follow_ups, lambda f: f.recommendation, lambda f: f.status not in FINAL),
    )


def listed(client, model: str, deadline: str) -> set[int]:
    response = client.get(f"{ADMIN}/{model}/", {"deadline": deadline})
    assert response.status_code == 200
    changelist = response.context["cl"]
    return set(changelist.queryset.values_list("pk", flat=True))


def test_deadline_filters_equal_a_hand_count(staff_client, deadlines):
    (rec_overdue, rec_soon, rec_none), (fu_overdue, fu_soon, fu_none) = hand_count()
    assert rec_overdue and rec_soon and rec_none and fu_overdue and fu_soon and fu_none
    assert len(fu_overdue) == 2  # KEN 93(a) and 93(b): FRA's is closed, 93(d) withdrawn
    assert listed(staff_client, "recommendation", "overdue") == rec_overdue
    assert listed(staff_client, "recommendation", "due_soon") == rec_soon
    assert listed(staff_client, "recommendation", "none") == rec_none
    assert listed(staff_client, "followup", "overdue") == fu_overdue
    assert listed(staff_client, "followup", "due_soon") == fu_soon
    assert listed(staff_client, "followup", "none") == fu_none


def column(page: str, field: str) -> list[str]:
    return [
        cell.strip() for cell in re.findall(rf'<td class="field-{field}[^"]*">(.*?)</td>', page)
    ]


def test_days_overdue_and_follow_up_due_columns(staff_client, deadlines):
    page = staff_client.get(f"{ADMIN}/followup/", {"deadline": "overdue"}).content.decode()
    shown = column(page, "status_and_deadline")
    assert [cell.split('<span class="overdue">')[1] for cell in shown] == [
        "40 days overdue</span>",
        "40 days overdue</span>",
    ]
    page = staff_client.get(f"{ADMIN}/followup/", {"status__exact": "implemented"}).content.decode()
    assert column(page, "status_and_deadline") == ["Implemented"]  # closed: never overdue
    page = staff_client.get(f"{ADMIN}/recommendation/", {"deadline": "due_soon"}).content.decode()
    shown = column(page, "follow_up_due")
    assert len(shown) == len(hand_count()[0][1]) and all(shown)
    recommendation = rec("93(a)")
    page = staff_client.get(f"{ADMIN}/recommendation/{recommendation.pk}/change/").content.decode()
    assert readonly(page, "days_overdue") == "40"
    withdrawn = rec("93(d)")
    page = staff_client.get(f"{ADMIN}/recommendation/{withdrawn.pk}/change/").content.decode()
    assert readonly(page, "days_overdue") == "-"


def test_the_deadline_columns_and_filters_cost_no_query_per_row(staff_client, deadlines):
    def count(model, params):
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(f"{ADMIN}/{model}/", params).status_code == 200
        return len(captured)

    def counts():
        return [
            count(model, params)
            for model in ("followup", "recommendation")
            for params in ({}, {"deadline": "overdue"}, {"deadline": "due_soon"})
        ]

    before = counts()
    assert before[0:3] == [before[0]] * 3 and before[3:6] == [before[3]] * 3  # filters: free
    for recommendation in Recommendation.objects.filter(report__symbol=SEED_2017)[4:10]:
        make_follow_up(recommendation, "FRA")
    Recommendation.objects.filter(report__symbol=SEED_2004).update(due_date=days(-3))
    assert counts() == before
