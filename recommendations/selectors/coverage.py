"""Follow-up coverage by theme: the one read behind the command, the page and the API.

Scope (all optional, combined with AND):
- `report`: only that report's recommendations;
- `body`: only recommendations addressed to that governing body (Recommendation.bodies);
- `updated_from` / `updated_to`: only follow-ups whose `updated_at` falls in the range
  (a date bounds whole days in the current time zone, both ends inclusive); follow-ups
  outside it count neither as coverage nor in the status counts;
- `member_state`: only that state's follow-ups count.

Withdrawn recommendations are left out everywhere. A recommendation in two themes counts
in both theme rows but once in the total row, and so do its follow-ups. Active
recommendations without any theme (no keyword found, no theme heading) count in the
"No theme" row (`unthemed`, code "unthemed"), kept apart from `themes`, whose entries are
real themes. The total row covers every active recommendation in scope once, with or
without a theme.

Everything is aggregated in the database, in a fixed number of queries (5, plus one when
`report` is given as an id), whatever the number of recommendations or follow-ups.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from recommendations.choices import Status
from recommendations.models import (
    Body,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationTheme,
    Report,
    Theme,
)
from recommendations.tabular import Column

STATUS_CODES: list[str] = list(Status.values)

TOTAL_CODE = "total"
TOTAL_NAME_ZH = "合计"
TOTAL_NAME_EN = "Total"

UNTHEMED_CODE = "unthemed"
UNTHEMED_NAME_ZH = "无主题"
UNTHEMED_NAME_EN = "No theme"

_Bound = datetime.date | datetime.datetime | None


def percent(part: int, whole: int) -> float:
    """part / whole * 100, rounded half up to one decimal; 0.0 when whole is 0."""
    if not whole:
        return 0.0
    value = Decimal(part) * 100 / Decimal(whole)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _aware(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _recommendation_q(prefix: str, *, report_id, body_code) -> Q:
    """Active recommendations in scope; `prefix` is the path to Recommendation."""
    q = Q(**{f"{prefix}is_withdrawn": False})
    if report_id is not None:
        q &= Q(**{f"{prefix}report_id": report_id})
    if body_code is not None:
        addressed = Recommendation.bodies.through.objects.filter(body__code=body_code)
        q &= Q(**{f"{prefix}pk__in": addressed.values("recommendation_id")})
    return q


def _follow_up_q(prefix: str, *, updated_from: _Bound, updated_to: _Bound, iso3) -> Q:
    """Follow-ups in scope; `prefix` is the path to FollowUp."""
    q = Q()
    if updated_from is not None:
        if isinstance(updated_from, datetime.datetime):
            q &= Q(**{f"{prefix}updated_at__gte": _aware(updated_from)})
        else:
            q &= Q(**{f"{prefix}updated_at__gte": _start_of_day(updated_from)})
    if updated_to is not None:
        if isinstance(updated_to, datetime.datetime):
            q &= Q(**{f"{prefix}updated_at__lte": _aware(updated_to)})
        else:
            next_day = updated_to + datetime.timedelta(days=1)
            q &= Q(**{f"{prefix}updated_at__lt": _start_of_day(next_day)})
    if iso3 is not None:
        q &= Q(**{f"{prefix}member_state_id": iso3})
    # Always mention the follow-up so that an empty scope still means "has a follow-up".
    q &= Q(**{f"{prefix}pk__isnull": False})
    return q


def _aggregates(rec_prefix: str, rec_q: Q, fu_q: Q) -> dict[str, Count]:
    """Counts per group of recommendations; `rec_prefix` is the path to Recommendation.

    Named n_* so as not to clash with Theme.recommendations.

    The joins (theme -> theme link -> recommendation -> follow-up) repeat a
    recommendation once per follow-up, so recommendations and states are counted
    DISTINCT. A follow-up appears once per group: a recommendation has one link per theme
    (unique constraint) and the scope filters are subqueries, not joins. Its counts are
    plain COUNTs, which the database computes without sorting.
    """
    recommendation = f"{rec_prefix}pk"
    follow_up = f"{rec_prefix}follow_ups"
    in_scope = rec_q & fu_q
    aggregates = {
        "n_recommendations": Count(recommendation, filter=rec_q or None, distinct=True),
        "n_covered": Count(recommendation, filter=in_scope, distinct=True),
        "n_states_reporting": Count(f"{follow_up}__member_state", filter=in_scope, distinct=True),
        "n_follow_ups": Count(follow_up, filter=in_scope),
        "n_verified_implemented": Count(
            follow_up,
            filter=in_scope
            & Q(
                **{
                    f"{follow_up}__status": Status.IMPLEMENTED,
                    f"{follow_up}__verified_at__isnull": False,
                }
            ),
        ),
        "n_unverified_implemented": Count(
            follow_up,
            filter=in_scope
            & Q(
                **{
                    f"{follow_up}__status": Status.IMPLEMENTED,
                    f"{follow_up}__verified_at__isnull": True,
                }
            ),
        ),
    }
    for status in STATUS_CODES:
        aggregates[f"n_status__{status}"] = Count(
            follow_up, filter=in_scope & Q(**{f"{follow_up}__status": status})
        )
    return aggregates


_COUNT_NAMES = [
    "n_recommendations",
    "n_covered",
    "n_states_reporting",
    "n_follow_ups",
    "n_verified_implemented",
    "n_unverified_implemented",
    *(f"n_status__{status}" for status in STATUS_CODES),
]


def _row(code: str, name_zh: str, name_en: str, counts: dict[str, int]) -> dict[str, Any]:
    status_counts = {status: counts[f"n_status__{status}"] or 0 for status in STATUS_CODES}
    recommendations = counts["n_recommendations"] or 0
    covered = counts["n_covered"] or 0
    return {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "recommendations": recommendations,
        "covered": covered,
        "coverage_pct": percent(covered, recommendations),
        "states_reporting": counts["n_states_reporting"] or 0,
        "status_counts": status_counts,
        "implemented_pct": percent(
            status_counts[Status.IMPLEMENTED.value], counts["n_follow_ups"] or 0
        ),
        "verified_implemented": counts["n_verified_implemented"] or 0,
        "unverified_implemented": counts["n_unverified_implemented"] or 0,
    }


def _bound_iso(value: _Bound) -> str | None:
    return None if value is None else value.isoformat()


def coverage_by_theme(
    *,
    report: Report | int | None = None,
    body: Body | str | None = None,
    updated_from: _Bound = None,
    updated_to: _Bound = None,
    member_state: MemberState | str | None = None,
    include_states: bool = True,
) -> dict[str, Any]:
    """Follow-up coverage per theme, a total row and (optionally) per member state shares.

    The result is JSON-serialisable; see the module docstring for the scope rules.
    `report` given as an id that does not exist raises Report.DoesNotExist; an unknown
    body code or ISO3 code simply matches nothing (callers validate their input).
    """
    if isinstance(report, Report):
        report_id, report_symbol = report.pk, report.symbol
    elif report is not None:
        report_id = int(report)
        report_symbol = Report.objects.values_list("symbol", flat=True).get(pk=report_id)
    else:
        report_id = report_symbol = None
    body_code = body.code if isinstance(body, Body) else body
    if isinstance(member_state, MemberState):
        iso3 = member_state.iso3
    else:
        iso3 = member_state.upper() if member_state else None

    scope = {"report_id": report_id, "body_code": body_code}
    period = {"updated_from": updated_from, "updated_to": updated_to, "iso3": iso3}

    # 1. One row per theme (all of them, even empty), through the theme links.
    theme_rows = (
        Theme.objects.order_by("position", "code")
        .annotate(
            **_aggregates(
                "recommendations__",
                _recommendation_q("recommendations__", **scope),
                _follow_up_q("recommendations__follow_ups__", **period),
            )
        )
        .values("code", "name_zh", "name_en", *_COUNT_NAMES)
    )
    themes = [_row(row["code"], row["name_zh"], row["name_en"], row) for row in theme_rows]

    # 2. The total row: each recommendation (and follow-up) once.
    total_counts = Recommendation.objects.filter(_recommendation_q("", **scope)).aggregate(
        **_aggregates("", Q(), _follow_up_q("follow_ups__", **period))
    )
    total = _row(TOTAL_CODE, TOTAL_NAME_ZH, TOTAL_NAME_EN, total_counts)

    # 3. The "No theme" row: active recommendations in scope without any theme link.
    has_theme = Exists(RecommendationTheme.objects.filter(recommendation=OuterRef("pk")))
    unthemed_counts = (
        Recommendation.objects.filter(_recommendation_q("", **scope))
        .filter(~has_theme)
        .aggregate(**_aggregates("", Q(), _follow_up_q("follow_ups__", **period)))
    )
    unthemed = _row(UNTHEMED_CODE, UNTHEMED_NAME_ZH, UNTHEMED_NAME_EN, unthemed_counts)

    result: dict[str, Any] = {
        "scope": {
            "report": report_symbol,
            "body": body_code,
            "updated_from": _bound_iso(updated_from),
            "updated_to": _bound_iso(updated_to),
            "member_state": iso3,
        },
        "themes": themes,
        "unthemed": unthemed,
        "total": total,
    }
    if include_states:
        result["states"] = _states(themes, total, scope=scope, period=period)
    return result


def _states(themes, total, *, scope, period) -> list[dict[str, Any]]:
    """Per member state: share of each theme's recommendations it reported on."""
    follow_ups = FollowUp.objects.filter(
        _recommendation_q("recommendation__", **scope), _follow_up_q("", **period)
    )
    # 4. Recommendations reported on, per state: a state has one follow-up per
    # recommendation (unique constraint), so counting follow-ups counts recommendations.
    per_state = (
        follow_ups.values("member_state_id", "member_state__name_en", "member_state__name_zh")
        .annotate(reported=Count("pk"))
        .order_by("member_state__name_en")
    )
    # 5. The same, per state and theme (a recommendation has one link per theme).
    per_theme = (
        follow_ups.values("member_state_id", "recommendation__theme_links__theme__code")
        .annotate(reported=Count("pk"))
        .order_by()
    )
    reported: dict[tuple[str, str], int] = {
        (row["member_state_id"], row["recommendation__theme_links__theme__code"]): row["reported"]
        for row in per_theme
        if row["recommendation__theme_links__theme__code"] is not None
    }
    states = []
    for row in per_state:
        iso3 = row["member_state_id"]
        states.append(
            {
                "iso3": iso3,
                "name_en": row["member_state__name_en"],
                "name_zh": row["member_state__name_zh"],
                "themes": {
                    theme["code"]: percent(
                        reported.get((iso3, theme["code"]), 0), theme["recommendations"]
                    )
                    for theme in themes
                },
                "total": percent(row["reported"], total["recommendations"]),
            }
        )
    return states


def coverage_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The theme rows, the "No theme" row, then the total row: what the tables and
    downloads list."""
    return [*result["themes"], result["unthemed"], result["total"]]


def _status_column(status: str) -> Column:
    return Column(status, status, lambda row: row["status_counts"][status])


def _field_column(key: str) -> Column:
    return Column(key, key, lambda row: row[key])


# One row per theme, the "No theme" row, then the total (see coverage_rows); the status
# counts are spread over one column per status code.
COVERAGE_COLUMNS: list[Column] = [
    Column("code", "theme", lambda row: row["code"]),
    *map(_field_column, ["name_zh", "name_en", "recommendations", "covered", "coverage_pct"]),
    _field_column("states_reporting"),
    *map(_status_column, STATUS_CODES),
    *map(_field_column, ["implemented_pct", "verified_implemented", "unverified_implemented"]),
]
