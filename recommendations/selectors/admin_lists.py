"""Querysets behind the admin lists: counts as correlated subqueries, related rows selected.

Counts are subqueries rather than annotate(Count(...)) over joins: a GROUP BY over every
column of the listed rows (long texts included) is slow on PostgreSQL at scale, while a
subquery runs only for the rows on the page.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from recommendations.choices import Status
from recommendations.models import Action, FollowUp, Recommendation, Report
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
            unverified_count=_count(
                follow_ups.filter(status=Status.IMPLEMENTED, verified_at__isnull=True),
                "recommendation",
            ),
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
    return queryset.filter(status=Status.IMPLEMENTED, verified_at__isnull=True)
