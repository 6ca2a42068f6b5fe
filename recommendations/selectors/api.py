"""Querysets behind the API: scoped to the caller, related rows selected, always ordered."""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Recommendation,
    Report,
    Theme,
)
from recommendations.scope import is_secretariat, member_state_of
from recommendations.selectors.deadlines import with_due_date
from recommendations.selectors.texts import texts_prefetch


def reports() -> QuerySet[Report]:
    return Report.objects.prefetch_related("sessions__body").order_by("id")


def recommendations() -> QuerySet[Recommendation]:
    """Themes and bodies come as lists (`theme_list`, `body_list`): prefetched into a
    related manager instead, each row would build two managers and querysets (most of a
    page's time when the query itself is quick). So do the texts of the language versions
    (`text_list`), from which the serializer picks the reader's language. With the due
    date (`effective_due_date`, selectors/deadlines.py)."""
    return with_due_date(
        Recommendation.objects.select_related("report")
        .prefetch_related(
            Prefetch("themes", to_attr="theme_list"),
            Prefetch("bodies", to_attr="body_list"),
            texts_prefetch(),
        )
        .order_by("report_id", "position", "id")
    )


def themes() -> QuerySet[Theme]:
    return Theme.objects.order_by("position", "id")


def member_states() -> QuerySet[MemberState]:
    return MemberState.objects.order_by("iso3")


def _scoped_follow_ups(queryset: QuerySet[FollowUp], user) -> QuerySet[FollowUp]:
    if is_secretariat(user):
        return queryset
    state = member_state_of(user)
    return queryset.filter(member_state_id=state) if state else queryset.none()


def _with_deadline(queryset: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """The recommendation's due date (`effective_due_date`) and whether it is withdrawn
    (`recommendation_withdrawn`), in the same query: what `days_overdue` reads."""
    return with_due_date(queryset, "recommendation__").annotate(
        recommendation_withdrawn=F("recommendation__is_withdrawn")
    )


def follow_ups_for(user) -> QuerySet[FollowUp]:
    """All follow-ups for staff; a liaison's own member state's only; none otherwise.
    With their due date (_with_deadline)."""
    queryset = FollowUp.objects.select_related(
        "recommendation", "member_state", "created_by", "updated_by", "verified_by"
    ).order_by("id")
    return _scoped_follow_ups(_with_deadline(queryset), user)


def follow_up_list_for(user) -> QuerySet[FollowUp]:
    """follow_ups_for, reading only what a list shows: the follow-up's own columns and the
    user names (the recommendation and member state are shown by id)."""
    queryset = (
        FollowUp.objects.select_related("created_by", "updated_by", "verified_by")
        .only(
            *(field.attname for field in FollowUp._meta.concrete_fields),
            "created_by__username",
            "updated_by__username",
            "verified_by__username",
        )
        .order_by("id")
    )
    return _scoped_follow_ups(_with_deadline(queryset), user)


def _scoped_actions(queryset: QuerySet[Action], user) -> QuerySet[Action]:
    if is_secretariat(user):
        return queryset
    state = member_state_of(user)
    return queryset.filter(follow_up__member_state_id=state) if state else queryset.none()


def actions_for(user) -> QuerySet[Action]:
    queryset = Action.objects.select_related(
        "follow_up__member_state", "follow_up__recommendation", "created_by"
    ).order_by("id")
    return _scoped_actions(queryset, user)


def action_list_for(user) -> QuerySet[Action]:
    """actions_for, reading only what a list shows (the follow-up's state and
    recommendation by id, the creator's name)."""
    queryset = (
        Action.objects.select_related("follow_up", "created_by")
        .only(
            *(field.attname for field in Action._meta.concrete_fields),
            "follow_up__member_state",
            "follow_up__recommendation",
            "created_by__username",
        )
        .order_by("id")
    )
    return _scoped_actions(queryset, user)


def with_visible_follow_up(
    queryset: QuerySet[Recommendation], user, present: bool
) -> QuerySet[Recommendation]:
    """Recommendations with (or without) a follow-up the caller may see."""
    visible = _scoped_follow_ups(FollowUp.objects.all(), user).filter(recommendation=OuterRef("pk"))
    exists = Exists(visible.order_by())
    return queryset.filter(exists if present else ~exists)
