"""Reads of the session report (services/session_report.py) that coverage_by_theme does
not give: the session the report goes to, the agenda item, and the rows of its annex.

The annex reads the same tables with the same scope rules as coverage_by_theme (the Q
objects of selectors/coverage.py, imported, not copied): the active recommendations in
scope, and per recommendation the member states that reported on it (follow-ups in
scope) and their follow-ups by status. Summed over every recommendation, the annex gives
coverage_by_theme's total row (tests/integration/test_session_report.py checks it).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count

from recommendations.models import BodySession, FollowUp, Recommendation, ReportSession
from recommendations.selectors.coverage import (
    STATUS_CODES,
    _follow_up_q,
    _recommendation_q,
    _scope_and_period,
)
from recommendations.selectors.texts import language_code, text_in, texts_prefetch


@dataclass(frozen=True)
class Session:
    name: str
    start_date: datetime.date


@dataclass(frozen=True)
class AgendaItem:
    item: str
    title: str
    symbol: str


@dataclass(frozen=True)
class AnnexRow:
    report: str
    label: str
    text: str
    states_reporting: int
    status_counts: dict[str, int] = field(default_factory=dict)


def next_session(*, body_code: str, as_of: datetime.date) -> Session | None:
    """The body's first session starting on or after `as_of` (the one the report goes
    to), or None when staff have entered none."""
    row = (
        BodySession.objects.filter(body__code=body_code, start_date__gte=as_of)
        .order_by("start_date")
        .values_list("name", "start_date")
        .first()
    )
    return None if row is None else Session(*row)


def agenda_items(*, body_code: str, report_ids: list[int] | None = None) -> list[AgendaItem]:
    """The agenda items under which the body took up the reports in scope (ReportSession),
    latest session first, each item once; `report_ids` None: any report addressed to the
    body."""
    sessions = ReportSession.objects.filter(body__code=body_code).exclude(agenda_item="")
    if report_ids is not None:
        sessions = sessions.filter(report_id__in=report_ids)
    items: list[AgendaItem] = []
    rows = sessions.order_by("-start_date", "report_id", "position").values_list(
        "agenda_item", "agenda_title", "agenda_symbol"
    )
    for item, title, symbol in rows:
        if all(known.item != item for known in items):
            items.append(AgendaItem(item, title, symbol))
    return items


def annex_rows(
    *,
    report=None,
    body=None,
    updated_from=None,
    updated_to=None,
    member_state=None,
    language: str = "en",
    limit: int | None = None,
) -> list[AnnexRow]:
    """The active recommendations in scope (coverage_by_theme's scope arguments), in
    report and position order, at most `limit` of them (None: all), each with its text
    in `language` (else the original's), the member states that reported on it and its
    follow-ups by status. Three queries (four with texts in other languages)."""
    scope, period = _scope_and_period(
        report=report,
        body=body,
        updated_from=updated_from,
        updated_to=updated_to,
        member_state=member_state,
    )
    recommendations = (
        Recommendation.objects.filter(_recommendation_q("", **scope))
        .select_related("report")
        .only("pk", "label", "text", "addressee", "heading", "report__symbol", "report__language")
        .order_by("report_id", "position")
        .prefetch_related(texts_prefetch())
    )
    if limit is not None:
        recommendations = recommendations[:limit]
    recommendations = list(recommendations)
    follow_ups = FollowUp.objects.filter(_follow_up_q("", **period))
    if limit is None:
        follow_ups = follow_ups.filter(_recommendation_q("recommendation__", **scope))
    else:
        follow_ups = follow_ups.filter(recommendation_id__in=[r.pk for r in recommendations])
    counts: dict[int, dict[str, int]] = {}
    for pk, status, number in (
        follow_ups.values_list("recommendation_id", "status").annotate(n=Count("pk")).order_by()
    ):
        counts.setdefault(pk, dict.fromkeys(STATUS_CODES, 0))[status] = number
    wanted = language_code(language)
    rows = []
    for rec in recommendations:
        by_status = counts.get(rec.pk, dict.fromkeys(STATUS_CODES, 0))
        # A member state has one follow-up per recommendation (unique constraint).
        rows.append(
            AnnexRow(
                report=rec.report.symbol,
                label=rec.label,
                text=text_in(rec, wanted).text,
                states_reporting=sum(by_status.values()),
                status_counts=by_status,
            )
        )
    return rows


def without_follow_up(row: dict) -> int:
    """The active recommendations of a coverage row (coverage_by_theme) on which no
    member state reported in scope: every recommendation is either covered or not."""
    return row["recommendations"] - row["covered"]
