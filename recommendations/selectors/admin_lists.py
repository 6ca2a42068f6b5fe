"""Querysets behind the admin lists: counts annotated, related rows selected."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from recommendations.choices import Status
from recommendations.models import FollowUp, Recommendation, Report


def report_list() -> QuerySet[Report]:
    return Report.objects.annotate(
        active_count=Count(
            "recommendations", filter=Q(recommendations__is_withdrawn=False), distinct=True
        ),
        withdrawn_count=Count(
            "recommendations", filter=Q(recommendations__is_withdrawn=True), distinct=True
        ),
        follow_up_count=Count("recommendations__follow_ups", distinct=True),
    )


def recommendation_list() -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.select_related("report")
        .prefetch_related("themes")
        .annotate(
            follow_up_count=Count("follow_ups", distinct=True),
            unverified_count=Count(
                "follow_ups",
                filter=Q(
                    follow_ups__status=Status.IMPLEMENTED,
                    follow_ups__verified_at__isnull=True,
                ),
                distinct=True,
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
    ).annotate(action_count=Count("actions"))


def unverified_claims(queryset: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return queryset.filter(status=Status.IMPLEMENTED, verified_at__isnull=True)
