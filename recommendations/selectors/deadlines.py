"""Deadlines, one definition for every reader (admin, API, coverage, exports, reminders).

- A recommendation's **due date** is its own `due_date` when staff set one, else its
  report's `due_date` (services/deadlines.py keeps that one: by default the next
  session of a body the report is addressed to).
- A member state's follow-up of a recommendation is **open** until it reaches a final
  status (implemented, not implemented, not applicable); a recommendation the state has
  not reported on at all is open for that state too.
- **Overdue**: open, not withdrawn, and the due date has passed. `days_overdue` counts
  the days since the due date (0 on the day itself, when it is due, not overdue; null
  when there is no due date, the due date is still ahead, or the follow-up is closed).
- **Age** of a recommendation: days since its report was issued (the start of the
  session it was addressed to, else the document's date, else the day it was imported).
"""

import datetime

from django.db.models import DateField, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from recommendations.choices import Status
from recommendations.models import FollowUp, MemberState, Recommendation, Report

FINAL_STATUSES = (Status.IMPLEMENTED, Status.NOT_IMPLEMENTED, Status.NOT_APPLICABLE)
OPEN_STATUSES = tuple(status for status in Status.values if status not in FINAL_STATUSES)
DUE_SOON_DAYS = 30


def report_date(report: Report, session_start: datetime.date | None = None) -> datetime.date:
    """The date a report counts from: the start of the (last) session it was addressed
    to, else its document date, else the day it was imported."""
    if session_start is not None:
        return session_start
    return report.document_date or report.imported_at.date()


def report_dates(report_ids) -> dict[int, datetime.date]:
    """report_date of each report, in one query."""
    reports = Report.objects.filter(pk__in=report_ids).annotate(
        last_session=Max("sessions__start_date")
    )
    return {
        report.pk: report_date(report, report.last_session)
        for report in reports.only("pk", "document_date", "imported_at")
    }


def due_date_of(prefix: str = "") -> Coalesce:
    """The due date as an expression, from a recommendation (or through `prefix`, e.g.
    "recommendation__" from a follow-up)."""
    return Coalesce(f"{prefix}due_date", f"{prefix}report__due_date", output_field=DateField())


def with_due_date(queryset: QuerySet, prefix: str = "") -> QuerySet:
    """Recommendations or follow-ups annotated with `effective_due_date`."""
    return queryset.annotate(effective_due_date=due_date_of(prefix))


def days_overdue(
    due_date: datetime.date | None,
    today: datetime.date,
    *,
    status: str | None = None,
    withdrawn: bool = False,
) -> int | None:
    """Days since the due date for an open follow-up (or a recommendation: no status);
    None when nothing is overdue (a withdrawn recommendation never is: overdue_q)."""
    if due_date is None or due_date >= today or status in FINAL_STATUSES or withdrawn:
        return None
    return (today - due_date).days


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Filter: past due and not withdrawn (for follow-ups, add `open_q`)."""
    return Q(**{"effective_due_date__lt": today, f"{prefix}is_withdrawn": False})


def due_soon_q(today: datetime.date, prefix: str = "", days: int = DUE_SOON_DAYS) -> Q:
    """Filter: due between today and `days` days from now, not withdrawn."""
    return Q(
        **{
            "effective_due_date__gte": today,
            "effective_due_date__lte": today + datetime.timedelta(days=days),
            f"{prefix}is_withdrawn": False,
        }
    )


def open_q() -> Q:
    """Filter on follow-ups: not at a final status."""
    return Q(status__in=OPEN_STATUSES)


def outstanding_for(member_state: MemberState | str, *, due_by: datetime.date) -> QuerySet:
    """The active recommendations the state still owes a final answer on, due on or
    before `due_by` (overdue ones included), with `effective_due_date`."""
    closed = FollowUp.objects.filter(
        recommendation=OuterRef("pk"),
        member_state=member_state,
        status__in=FINAL_STATUSES,
    )
    return (
        with_due_date(Recommendation.objects.filter(is_withdrawn=False))
        .filter(effective_due_date__lte=due_by)
        .exclude(Exists(closed))
        .select_related("report")
        .order_by("effective_due_date", "report__symbol", "position")
    )
