"""Querysets behind the API: scoped to the caller, related rows selected, always ordered."""

from django.db.models import Exists, OuterRef, QuerySet

from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Recommendation,
    Report,
    Theme,
)
from recommendations.scope import is_secretariat, member_state_of


def reports() -> QuerySet[Report]:
    return Report.objects.prefetch_related("sessions__body").order_by("id")


def recommendations() -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.select_related("report")
        .prefetch_related("themes", "bodies")
        .order_by("report_id", "position", "id")
    )


def themes() -> QuerySet[Theme]:
    return Theme.objects.order_by("position", "id")


def member_states() -> QuerySet[MemberState]:
    return MemberState.objects.order_by("iso3")


def follow_ups_for(user) -> QuerySet[FollowUp]:
    """All follow-ups for staff; a liaison's own member state's only; none otherwise."""
    queryset = FollowUp.objects.select_related(
        "recommendation", "member_state", "created_by", "updated_by", "verified_by"
    ).order_by("id")
    if is_secretariat(user):
        return queryset
    state = member_state_of(user)
    return queryset.filter(member_state_id=state) if state else queryset.none()


def actions_for(user) -> QuerySet[Action]:
    queryset = Action.objects.select_related(
        "follow_up__member_state", "follow_up__recommendation", "created_by"
    ).order_by("id")
    if is_secretariat(user):
        return queryset
    state = member_state_of(user)
    return queryset.filter(follow_up__member_state_id=state) if state else queryset.none()


def with_visible_follow_up(
    queryset: QuerySet[Recommendation], user, present: bool
) -> QuerySet[Recommendation]:
    """Recommendations with (or without) a follow-up the caller may see."""
    visible = follow_ups_for(user).filter(recommendation=OuterRef("pk"))
    exists = Exists(visible.order_by())
    return queryset.filter(exists if present else ~exists)
