"""Due dates on the seeds: from the sessions of the bodies a report is addressed to, set
by staff, overridden per recommendation; what is open, overdue and outstanding."""

import datetime

import pytest

from recommendations.choices import Status
from recommendations.models import Body, BodySession, Recommendation, Report
from recommendations.selectors import deadlines
from recommendations.services import deadlines as services
from tests.integration.shared import SEED_2017, make_follow_up, rec

pytestmark = pytest.mark.django_db

D = datetime.date


def session(code: str, start: D, name="session") -> BodySession:
    return services.body_session_create(
        data={"body": Body.objects.get(code=code), "name": name, "start_date": start},
        user=None,
        via="test",
    )


def due(symbol=SEED_2017) -> D | None:
    return Report.objects.get(symbol=symbol).due_date


def test_due_by_the_next_session_after_the_reports_own(seeds):
    # The 2017 seed was addressed to CND (13 March 2017) and CCPCJ (22 May 2017).
    assert due() is None
    session("CND", D(2017, 3, 13), "60th")  # its own session: not after it
    assert due() is None
    session("CCPCJ", D(2018, 5, 14), "27th")
    assert due() == D(2018, 5, 14)
    cnd = session("CND", D(2018, 3, 12), "61st")
    assert due() == D(2018, 3, 12)
    services.body_session_update(
        session=cnd, data={"start_date": D(2018, 6, 1)}, user=None, via="test"
    )
    assert due() == D(2018, 5, 14)
    services.body_session_delete(session=cnd, user=None, via="test")
    assert due() == D(2018, 5, 14)
    assert BodySession.history.filter(name="61st").count() == 3  # created, changed, deleted


def test_staff_date_wins_until_given_back(seeds):
    report = Report.objects.get(symbol=SEED_2017)
    session("CND", D(2018, 3, 12))
    services.report_due_date_set(report=report, due_date=D(2018, 1, 31))
    session("CCPCJ", D(2017, 12, 1))
    assert due() == D(2018, 1, 31)
    services.report_due_date_set(report=report, due_date=None)
    assert due() == D(2017, 12, 1) and not Report.objects.get(pk=report.pk).due_date_set_by_staff


def test_an_import_takes_its_due_date_from_sessions_known_before(db):
    from io import StringIO

    from django.core.management import call_command

    session("CND", D(2018, 3, 12))
    session("CCPCJ", D(2020, 5, 18))
    call_command("import_seeds", stdout=StringIO())
    assert due() == D(2018, 3, 12)
    assert due("004_a18fa2faa6a1f8c2.txt") == D(2020, 5, 18)  # CCPCJ, 20 May 2019
    assert due("002_2ed4e228b852b96c.txt") is None  # the General Assembly: no session known


def test_recommendation_override_open_overdue_and_outstanding(seeds):
    report = Report.objects.get(symbol=SEED_2017)
    services.report_due_date_set(report=report, due_date=D(2026, 1, 1))
    own = services.recommendation_due_date_set(
        recommendation=rec("93(b)"), due_date=D(2027, 1, 1), user=None, via="test"
    )
    assert own.history.first().due_date == D(2027, 1, 1)
    today = D(2026, 3, 1)
    annotated = deadlines.with_due_date(Recommendation.objects.filter(report=report))
    by_label = {r.label: r.effective_due_date for r in annotated}
    assert by_label["93(a)"] == D(2026, 1, 1) and by_label["93(b)"] == D(2027, 1, 1)
    overdue = annotated.filter(deadlines.overdue_q(today))
    assert "93(a)" in {r.label for r in overdue} and "93(b)" not in {r.label for r in overdue}

    assert deadlines.days_overdue(D(2026, 1, 1), today) == 59
    assert deadlines.days_overdue(D(2026, 3, 1), today) is None  # due today: not overdue
    assert deadlines.days_overdue(D(2026, 1, 1), today, status=Status.IMPLEMENTED) is None
    assert deadlines.days_overdue(D(2026, 1, 1), today, status=Status.IN_PROGRESS) == 59

    make_follow_up(rec("93(a)"), "KEN", Status.IMPLEMENTED)
    make_follow_up(rec("93(c)"), "KEN", Status.IN_PROGRESS)
    owed = {r.label for r in deadlines.outstanding_for("KEN", due_by=today)}
    assert "93(a)" not in owed and "93(c)" in owed and "93(b)" not in owed
    active = report.recommendations.filter(is_withdrawn=False).count()
    assert len(owed) == active - 2  # all but the closed one and the one due later
    assert "93(a)" in {r.label for r in deadlines.outstanding_for("BOL", due_by=today)}


def test_deleting_a_body_gives_its_reports_their_due_dates_again(seeds):
    from recommendations.services.reference import reference_delete

    later = D.today() + datetime.timedelta(days=365)
    session("GA", later)  # the General Assembly, which the 2004 seed is addressed to
    assert due("002_2ed4e228b852b96c.txt") == later
    reference_delete(instance=Body.objects.get(code="GA"), user=None, via="test")
    assert due("002_2ed4e228b852b96c.txt") is None
    assert not BodySession.objects.exists()
