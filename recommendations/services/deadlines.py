"""Deadlines: sessions of the bodies, and the due dates of reports and recommendations.

A report's due date follows the sessions of the bodies it is addressed to (its sessions'
bodies and its recommendations' bodies): the first session that starts after the
report's own session (or, without one, after its document date, else its import date).
Staff may set a report's due date themselves (`due_date_set_by_staff`); the sessions then
leave it alone, until staff give it back to them (`report_due_date_set(..., None)`). A
recommendation may carry its own due date, which wins over the report's. Every change
of a session refreshes the due dates of the reports addressed to its body.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from recommendations.models import Body, BodySession, Recommendation, Report
from recommendations.selectors.deadlines import report_date
from recommendations.services.audit import audit, audited_update
from recommendations.services.coverage_figures import recommendations_changing

SESSION_FIELDS = ("body", "name", "start_date", "end_date")


def default_due_dates(reports: Iterable[Report]) -> dict[int, datetime.date | None]:
    """Each report's due date by the sessions of its bodies (None when none is known):
    three queries whatever the number of reports."""
    reports = list(reports)
    ids = [report.pk for report in reports]
    bodies: dict[int, set[int]] = {}
    starts: dict[int, datetime.date] = {}
    own = Report.objects.filter(pk__in=ids, sessions__isnull=False).values_list(
        "pk", "sessions__body", "sessions__start_date"
    )
    for report, body, start in own:
        if body is not None:
            bodies.setdefault(report, set()).add(body)
        if start is not None:
            starts[report] = max(start, starts.get(report, start))
    linked = (
        Recommendation.bodies.through.objects.filter(recommendation__report__in=ids)
        .values_list("recommendation__report", "body")
        .distinct()
    )
    for report, body in linked:
        bodies.setdefault(report, set()).add(body)
    sessions: dict[int, list[datetime.date]] = {}
    wanted = set().union(*bodies.values())
    for body, start in BodySession.objects.filter(body__in=wanted).values_list(
        "body", "start_date"
    ):
        sessions.setdefault(body, []).append(start)
    due = {}
    for report in reports:
        after = report_date(report, starts.get(report.pk))
        later = [
            start
            for body in bodies.get(report.pk, ())
            for start in sessions.get(body, ())
            if start > after
        ]
        due[report.pk] = min(later, default=None)
    return due


def report_due_dates_refresh(reports: Iterable[Report] | None = None) -> int:
    """Set the due date of reports not set by staff from the sessions of their bodies;
    returns how many changed. Without `reports`, every report (a few queries and batched
    updates, whatever the number: the demo data set refreshes thousands at once)."""
    if reports is None:
        reports = Report.objects.only(
            "pk", "document_date", "imported_at", "due_date", "due_date_set_by_staff"
        )
    reports = [report for report in reports if not report.due_date_set_by_staff]
    due = default_due_dates(reports)
    changed = [report for report in reports if report.due_date != due[report.pk]]
    if not changed:
        return 0
    for report in changed:
        report.due_date = due[report.pk]
    # The recommendations' due dates move: the coverage figures follow.
    with recommendations_changing(report_ids=[report.pk for report in changed]):
        Report.objects.bulk_update(changed, ["due_date"], batch_size=500)
    return len(changed)


def reports_of_body(body: Body) -> list[Report]:
    return list(
        Report.objects.filter(Q(sessions__body=body) | Q(recommendations__bodies=body)).distinct()
    )


def body_session_create(*, data: dict, user, via: str = "") -> BodySession:
    session = BodySession(**data)
    with transaction.atomic():
        session.full_clean()
        audit(session, user=user, via=via)
        session.save(force_insert=True)
        report_due_dates_refresh(reports_of_body(session.body))
    return session


def body_session_update(*, session: BodySession, data: dict, user, via: str = "") -> BodySession:
    with transaction.atomic():
        before = session.body
        session, changed = audited_update(session, data, user=user, via=via)
        if changed:
            report_due_dates_refresh({*reports_of_body(before), *reports_of_body(session.body)})
    return session


def body_session_delete(*, session: BodySession, user, via: str = "") -> None:
    with transaction.atomic():
        reports = reports_of_body(session.body)
        audit(session, user=user, via=via)
        session.delete()
        report_due_dates_refresh(reports)


def report_due_date_set(*, report: Report, due_date: datetime.date | None, user=None) -> Report:
    """Staff set a report's due date; None gives it back to the sessions of its bodies."""
    report.due_date, report.due_date_set_by_staff = due_date, due_date is not None
    with recommendations_changing(report_ids=[report.pk]):
        Report.objects.filter(pk=report.pk).update(
            due_date=report.due_date, due_date_set_by_staff=report.due_date_set_by_staff
        )
        if due_date is None:
            report_due_dates_refresh([report])
    return report


def recommendation_due_date_set(
    *, recommendation: Recommendation, due_date: datetime.date | None, user, via: str = ""
) -> Recommendation:
    """A recommendation's own due date (None: the report's), on record."""
    with recommendations_changing([recommendation.pk]):
        return audited_update(recommendation, {"due_date": due_date}, user=user, via=via)[0]
