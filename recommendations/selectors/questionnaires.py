"""Reads for the questionnaire workbook (questionnaires/services.py): the active
recommendations in a state's scope, and that state's follow-ups of them.

Query budget, whatever the number of rows: the recommendations (with report), their
texts in the questionnaire's language, their themes' names; the follow-ups (with the
last action's date and kind, as subqueries, for the export). Never one query per row.
"""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from recommendations.models import (
    Action,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationText,
    RecommendationTheme,
)
from recommendations.selectors.texts import TEXTS_ATTR


def questionnaire_recommendations(
    *, language: str, report: str | None = None, theme: str | None = None, ids=None
) -> QuerySet[Recommendation]:
    """Active (not withdrawn) recommendations in scope, in report and document order,
    with the texts of `language` only (text_in picks that one or the original)."""
    rows = Recommendation.objects.filter(is_withdrawn=False)
    if report:
        rows = rows.filter(report__symbol=report)
    if theme:
        rows = rows.filter(themes__code=theme)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return (
        rows.select_related("report")
        .only("pk", "label", "text", "addressee", "heading", "report__symbol", "report__language")
        .prefetch_related(
            Prefetch(
                "texts",
                queryset=RecommendationText.objects.filter(language=language),
                to_attr=TEXTS_ATTR,
            ),
        )
        .order_by("report__symbol", "position")
        .distinct()
    )


def theme_names(recommendation_ids, language: str) -> dict[int, str]:
    """Each recommendation's themes by name in `language`, in taxonomy order, "a; b":
    one query."""
    name = "theme__name_zh" if language == "zh" else "theme__name_en"
    links = (
        RecommendationTheme.objects.filter(recommendation_id__in=list(recommendation_ids))
        .order_by("theme__position", "theme__code")
        .values_list("recommendation_id", name)
    )
    names: dict[int, list[str]] = {}
    for recommendation_id, theme in links:
        names.setdefault(recommendation_id, []).append(theme)
    return {pk: "; ".join(themes) for pk, themes in names.items()}


def recommendations_by_label(
    keys: set[tuple[str, str]],
) -> dict[tuple[str, str], Recommendation]:
    """Recommendations (withdrawn ones too) by (report symbol, label)."""
    symbols = {symbol for symbol, _label in keys}
    labels = {label for _symbol, label in keys}
    rows = (
        Recommendation.objects.filter(report__symbol__in=symbols, label__in=labels)
        .select_related("report")
        .only("pk", "label", "is_withdrawn", "report__symbol")  # not the texts
    )
    return {
        (row.report.symbol, row.label): row
        for row in rows
        if (row.report.symbol, row.label) in keys
    }


def follow_ups_of(
    member_state: MemberState, recommendation_ids, *, last_action: bool = False
) -> dict[int, FollowUp]:
    """The state's follow-ups of these recommendations by recommendation id, with their
    recommendation; with `last_action`, also `last_action_date` and `last_action_kind`
    (what the export shows; the import needs neither)."""
    rows = FollowUp.objects.filter(
        member_state=member_state, recommendation_id__in=list(recommendation_ids)
    ).select_related("recommendation")
    if last_action:
        last = Action.objects.filter(follow_up=OuterRef("pk")).order_by("-date", "-id")
        rows = rows.annotate(
            last_action_date=Subquery(last.values("date")[:1]),
            last_action_kind=Subquery(last.values("kind")[:1]),
        )
    return {row.recommendation_id: row for row in rows}


def existing_actions(follow_up_ids) -> set[tuple]:
    """(follow-up id, date, kind, description) of the actions already recorded: a
    workbook imported twice does not record its actions twice."""
    return set(
        Action.objects.filter(follow_up_id__in=list(follow_up_ids)).values_list(
            "follow_up_id", "date", "kind", "description"
        )
    )
