"""Querysets behind the admin lists: counts as correlated subqueries, related rows selected.

Counts are subqueries rather than annotate(Count(...)) over joins: a GROUP BY over every
column of the listed rows (long texts included) is slow on PostgreSQL at scale, while a
subquery runs only for the rows on the page.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from recommendations.models import Action, FollowUp, Recommendation, Report
from recommendations.selectors.claims import unverified_claim_q
from recommendations.selectors.texts import texts_prefetch


def _count(queryset: QuerySet, outer: str) -> Coalesce:
    """COUNT(*) of `queryset` for the outer row, 0 when there is none."""
    counted = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def report_list() -> QuerySet[Report]:
    recommendations = Recommendation.objects.filter(report=OuterRef("pk"))
    return Report.objects.annotate(
        active_count=_count(recommendations.filter(is_withdrawn=False), "report"),
        withdrawn_count=_count(recommendations.filter(is_withdrawn=True), "report"),
        follow_up_count=_count(
            FollowUp.objects.filter(recommendation__report=OuterRef("pk")),
            "recommendation__report",
        ),
    )


def recommendation_list() -> QuerySet[Recommendation]:
    follow_ups = FollowUp.objects.filter(recommendation=OuterRef("pk"))
    return (
        Recommendation.objects.select_related("report")
        .prefetch_related("themes", texts_prefetch())
        .annotate(
            follow_up_count=_count(follow_ups, "recommendation"),
            unverified_count=_count(follow_ups.filter(unverified_claim_q()), "recommendation"),
        )
    )


def recommendations_with_follow_up_status(
    queryset: QuerySet[Recommendation], status: str
) -> QuerySet[Recommendation]:
    return queryset.filter(
        Exists(FollowUp.objects.filter(recommendation=OuterRef("pk"), status=status))
    )


def recommendations_with_follow_up(
    queryset: QuerySet[Recommendation], present: bool
) -> QuerySet[Recommendation]:
    has = Exists(FollowUp.objects.filter(recommendation=OuterRef("pk")))
    return queryset.filter(has if present else ~has)


def follow_up_list() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related(
        "recommendation__report", "member_state", "verified_by", "updated_by"
    ).annotate(action_count=_count(Action.objects.filter(follow_up=OuterRef("pk")), "follow_up"))


def unverified_claims(queryset: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return queryset.filter(unverified_claim_q())


# Work queues of the admin's index -----------------------------------------------------

RECENT_IMPORT_DAYS = 30


def follow_ups_updated_since(
    queryset: QuerySet[FollowUp], since: datetime.datetime
) -> QuerySet[FollowUp]:
    return queryset.filter(updated_at__gte=since)


def reports_imported_within(queryset: QuerySet[Report], days: int) -> QuerySet[Report]:
    return queryset.filter(imported_at__gte=timezone.now() - datetime.timedelta(days=days))


def recommendations_without_follow_up(
    queryset: QuerySet[Recommendation],
) -> QuerySet[Recommendation]:
    """Recommendations still in their report that no member state has followed up."""
    return recommendations_with_follow_up(queryset.filter(is_withdrawn=False), False)


@dataclass(frozen=True)
class WorkQueues:
    """The counts of the admin's work queues; None for a queue the user may not see."""

    unverified_claims: int | None
    oldest_claim_at: datetime.datetime | None
    changed_since: int | None
    without_follow_up: int | None
    recent_reports: int | None


def work_queues(user, since: datetime.datetime) -> WorkQueues:
    """The counts of each queue `user` has the view permission for: three queries at
    most, whatever the data (the two follow-up queues in one)."""
    follow_ups = {"unverified_claims": None, "oldest_claim_at": None, "changed_since": None}
    if user.has_perm("recommendations.view_followup"):
        claim = unverified_claim_q()
        follow_ups = FollowUp.objects.aggregate(
            unverified_claims=Count("pk", filter=claim),
            oldest_claim_at=Min("updated_at", filter=claim),
            changed_since=Count("pk", filter=Q(updated_at__gte=since)),
        )
    without_follow_up = recent_reports = None
    if user.has_perm("recommendations.view_recommendation"):
        without_follow_up = recommendations_without_follow_up(Recommendation.objects).count()
    if user.has_perm("recommendations.view_report"):
        recent_reports = reports_imported_within(Report.objects, RECENT_IMPORT_DAYS).count()
    return WorkQueues(
        **follow_ups, without_follow_up=without_follow_up, recent_reports=recent_reports
    )


# The follow-up page ------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChange:
    """One step of a follow-up's history that changed its status or its verification."""

    at: datetime.datetime
    before: str | None  # None: the follow-up was created
    after: str
    verified: bool  # the step verified an `implemented` claim
    user: object
    reason: str


def follow_up_status_changes(follow_up: FollowUp) -> list[StatusChange]:
    """The follow-up's changes of status and verification, oldest first (one query)."""
    records = (
        FollowUp.history.filter(id=follow_up.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    changes, before, was_verified = [], None, False
    for record in records:
        verified = record.verified_at is not None
        if record.history_type != "-" and (
            before is None or record.status != before or verified != was_verified
        ):
            changes.append(
                StatusChange(
                    at=record.history_date,
                    before=before,
                    after=record.status,
                    verified=verified and not was_verified,
                    user=record.history_user,
                    reason=record.history_change_reason or "",
                )
            )
        before, was_verified = record.status, verified
    return changes
