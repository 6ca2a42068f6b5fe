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

Deadlines (selectors/deadlines.py defines them): a recommendation is *open* in a row
while no member state in scope has reported a final status on it (implemented, not
implemented, not applicable); `overdue` counts the open ones whose due date has passed
(before `today`); `median_age_open` is the median age in days of the open ones (since
their report's session or date, rounded half up). Per member state, `overdue` counts
the recommendations in scope past due on which that state has not reported a final
status.

Scopes without dates read figures maintained with every write
(services/coverage_figures.py) in a fixed number of queries (at most 10, plus one when
`report` is given as an id), whatever the number of recommendations or follow-ups; what
was read from them is kept in the process for as long as they do not change
(`_FiguresReads`), so reading the same scope again costs three queries (the figures'
version, the themes and the member states' names). Date ranges read the follow-ups.
"""

import copy
import datetime
import math
import statistics
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from recommendations.choices import Status
from recommendations.models import (
    Body,
    CoverageAtom,
    CoverageDeadline,
    CoverageFigure,
    CoverageRecommendation,
    CoverageVersion,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationTheme,
    Report,
    Theme,
)
from recommendations.selectors.claims import unverified_claim_q
from recommendations.selectors.deadlines import FINAL_STATUSES, due_date_of, report_dates
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
            follow_up, filter=in_scope & unverified_claim_q(f"{follow_up}__")
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


def _scope_and_period(
    *, report=None, body=None, updated_from=None, updated_to=None, member_state=None
):
    """coverage_by_theme's arguments as the keyword arguments of _recommendation_q and
    _follow_up_q."""
    report_id = report.pk if isinstance(report, Report) else report
    if isinstance(member_state, MemberState):
        iso3 = member_state.iso3
    else:
        iso3 = member_state.upper() if member_state else None
    scope = {
        "report_id": None if report_id is None else int(report_id),
        "body_code": body.code if isinstance(body, Body) else body,
    }
    return scope, {"updated_from": updated_from, "updated_to": updated_to, "iso3": iso3}


def coverage_by_theme(
    *,
    report: Report | int | None = None,
    body: Body | str | None = None,
    updated_from: _Bound = None,
    updated_to: _Bound = None,
    member_state: MemberState | str | None = None,
    include_states: bool = True,
    today: datetime.date | None = None,
    source: str = "figures",
) -> dict[str, Any]:
    """Follow-up coverage per theme, a total row and (optionally) per member state shares.

    The result is JSON-serialisable; see the module docstring for the scope rules.
    `report` given as an id that does not exist raises Report.DoesNotExist; an unknown
    body code or ISO3 code simply matches nothing (callers validate their input).

    Scopes without dates read the maintained figures (services/coverage_figures.py);
    date-range scopes, and `source="tables"` for any scope, aggregate the base tables
    (the recomputation the maintained figures are checked against).
    """
    if source not in ("figures", "tables"):
        raise ValueError(f"unknown source {source!r}")
    if isinstance(report, Report):
        report_symbol = report.symbol
    elif report is not None:
        report_symbol = Report.objects.values_list("symbol", flat=True).get(pk=int(report))
    else:
        report_symbol = None
    scope, period = _scope_and_period(
        report=report,
        body=body,
        updated_from=updated_from,
        updated_to=updated_to,
        member_state=member_state,
    )
    body_code, iso3 = scope["body_code"], period["iso3"]
    dated = updated_from is not None or updated_to is not None
    today = today or timezone.localdate()
    token = body_key = theme_list = follow_ups = None
    if source == "figures":
        token = None if dated else figures_version()
        body_key = _body_key(body_code)
        theme_list = _themes()
    if source == "tables":
        themes, unthemed, total, states = _from_tables(scope, period, include_states)
    elif dated:
        follow_ups = _PeriodFollowUps(scope, period, today)
        themes, unthemed, total, states = _from_period(
            scope, body_key, follow_ups, include_states, theme_list
        )
    else:
        themes, unthemed, total, states = _from_figures(
            scope["report_id"], body_key, iso3, include_states, token, theme_list
        )

    # Deadlines: open, overdue, ages. One report's are a few dozen rows of base tables.
    if source == "figures" and scope["report_id"] is None:
        deadlines = _DeadlineFigures(
            body_code=body_code,
            body_key=body_key,
            period=period,
            today=today,
            token=token,
            theme_list=theme_list,
            closed=follow_ups and follow_ups.closed,
        )
    else:
        deadlines = _Deadlines(scope=scope, period=period, today=today)
    for row in [*themes, unthemed, total]:
        row.update(deadlines.row(row["code"]))

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
        result["states"] = states
        for state in result["states"]:
            state["overdue"] = deadlines.overdue_for(state["iso3"])
    return result


def figures_version() -> int | None:
    """The token of the maintained figures' current state (models.CoverageVersion); None
    before their first write."""
    return CoverageVersion.objects.values_list("token", flat=True).first()


class _FiguresReads:
    """Reads of the maintained figures kept in this process for their current state.

    `read(*args)` must be a function of the figures alone (numbers by key: names of
    themes, member states or reports change without the figures and are read each
    time). A token names one state of the figures and is never reused, so a kept read
    is never stale; reads under an older token are dropped when a newer one is seen,
    and at most `size` reads are kept per token. What is kept is shared: callers must
    not change it.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self.token: int | None = None
        self.reads: dict[tuple, Any] = {}

    def __call__(self, token: int | None, read, *args):
        if token is None:
            return read(*args)
        key = (read, *args)
        with self.lock:
            if token == self.token and key in self.reads:
                return self.reads[key]
        value = read(*args)
        with self.lock:
            if token != self.token or len(self.reads) >= self.size:
                self.token, self.reads = token, {}
            self.reads[key] = value
        return value


_read_figures = _FiguresReads()


def kept_reads_forget() -> None:
    """Drop what this process kept of the figures: the next read is a first one, as
    after a write (for tests and the bench)."""
    _read_figures.forget()


def _body_key(body_code: str | None) -> int | None:
    """The figures' key of a body given by its code (every body's without one); None for
    a code no body has."""
    if body_code is None:
        return CoverageFigure.ALL
    return Body.objects.filter(code=body_code).values_list("pk", flat=True).first()


def _body_keys(queryset, body_key: int | None):
    """Maintained figures under one body key (_body_key)."""
    return queryset.none() if body_key is None else queryset.filter(body_key=body_key)


def _figure_rows(report_id: int | None, body_key: int | None):
    """The maintained figures of one (report, body) pair of keys."""
    figures = CoverageFigure.objects.filter(report_key=report_id or CoverageFigure.ALL)
    return _body_keys(figures, body_key)


def _themes() -> list[Theme]:
    """Every theme, in the order of the rows."""
    return list(Theme.objects.order_by("position", "code").only("code", "name_zh", "name_en"))


class _PeriodFollowUps:
    """The follow-ups of a date-range scope, read once (found by the index on
    updated_at), a row per theme link of their recommendation, and counted here: per
    theme key and in total the follow-up counts of _aggregates; per member state and
    theme what _states counts; what the final ones closed (_closed_in_scope)."""

    def __init__(self, scope, period, today: datetime.date) -> None:
        counted_as = CoverageRecommendation.objects.filter(
            recommendation_id=OuterRef("recommendation_id")
        )

        def for_final(field):  # the dates only matter to final follow-ups
            return Case(
                When(status__in=FINAL_STATUSES, then=Subquery(counted_as.values(field))),
                default=None,
            )

        rows = _driver_rows(
            FollowUp.objects.filter(
                _recommendation_q("recommendation__", **scope), _follow_up_q("", **period)
            )
            .order_by()
            .annotate(
                verified=_flag(Q(status=Status.IMPLEMENTED, verified_at__isnull=False)),
                unverified=_flag(unverified_claim_q()),
                due=for_final("due_date"),
                report_date=for_final("report_date"),
            )
            .annotate(past=_flag(Q(due__lt=today)))
            .values_list(
                "pk",
                "recommendation_id",
                "member_state_id",
                "status",
                "verified",
                "unverified",
                "recommendation__theme_links__theme_id",
                "past",
                "report_date",
            )
        )
        final = set(FINAL_STATUSES)
        tally: dict[int, _Tally] = defaultdict(_Tally)
        # Follow-ups per (theme key or the total, member state).
        self.reported: dict[tuple[int, str], int] = defaultdict(int)
        finals = []
        seen: set[int] = set()
        for pk, rec, iso3, status, verified, unverified, theme, past, report_date in rows:
            key = CoverageFigure.UNTHEMED if theme is None else theme
            tally[key].add(rec, iso3, status, verified, unverified)
            if theme is not None:
                self.reported[theme, iso3] += 1
            if pk not in seen:
                seen.add(pk)
                tally[CoverageFigure.TOTAL].add(rec, iso3, status, verified, unverified)
                self.reported[CoverageFigure.TOTAL, iso3] += 1
            if status in final:
                finals.append((pk, rec, iso3, theme, past, report_date))
        self.counts = {key: counted.counts() for key, counted in tally.items()}
        self.closed = _closed_in_scope(finals, today)


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


class _Tally:
    """The follow-up counts of _aggregates for one row, counted from its follow-ups."""

    def __init__(self) -> None:
        self.recs: set[int] = set()
        self.states: set[str] = set()
        self.follow_ups = self.verified = self.unverified = 0
        self.statuses: dict[str, int] = dict.fromkeys(STATUS_CODES, 0)

    def add(self, rec, iso3, status, verified, unverified) -> None:
        self.recs.add(rec)
        self.states.add(iso3)
        self.follow_ups += 1
        self.verified += bool(verified)
        self.unverified += bool(unverified)
        self.statuses[status] += 1

    def counts(self) -> dict[str, int]:
        return {
            "n_covered": len(self.recs),
            "n_states_reporting": len(self.states),
            "n_follow_ups": self.follow_ups,
            "n_verified_implemented": self.verified,
            "n_unverified_implemented": self.unverified,
            **{f"n_status__{status}": count for status, count in self.statuses.items()},
        }


def _from_period(scope, body_key, follow_ups: _PeriodFollowUps, include_states, theme_list):
    """Date-range scopes: the recommendations of each row from the maintained figures
    (they have no date), the follow-up counts from the follow-ups updated in the range."""
    recommendations = dict(
        _figure_rows(scope["report_id"], body_key)
        .filter(member_state=CoverageFigure.ALL_STATES)
        .values_list("theme_key", "recommendations")
    )

    def row_counts(key):
        return {
            **dict.fromkeys(_COUNT_NAMES, 0),
            **follow_ups.counts.get(key, {}),
            "n_recommendations": recommendations.get(key, 0),
        }

    themes = [_row(t.code, t.name_zh, t.name_en, row_counts(t.pk)) for t in theme_list]
    unthemed = _row(
        UNTHEMED_CODE, UNTHEMED_NAME_ZH, UNTHEMED_NAME_EN, row_counts(CoverageFigure.UNTHEMED)
    )
    total = _row(TOTAL_CODE, TOTAL_NAME_ZH, TOTAL_NAME_EN, row_counts(CoverageFigure.TOTAL))
    if not include_states:
        return themes, unthemed, total, None
    reporting = {iso3 for key, iso3 in follow_ups.reported if key == CoverageFigure.TOTAL}
    states = _state_rows(
        reporting,
        theme_list,
        themes,
        total,
        lambda key, iso3: follow_ups.reported.get((key, iso3), 0),
    )
    return themes, unthemed, total, states


def _state_rows(iso3s, theme_list, themes, total, reported) -> list[dict[str, Any]]:
    """Per member state of `iso3s`, by English name: the share of each theme's
    recommendations, and of all of them, it reported on (`reported(theme key, iso3)`:
    its follow-ups, one per recommendation)."""
    recommendations = {
        theme.pk: row["recommendations"] for theme, row in zip(theme_list, themes, strict=True)
    }
    names = (
        MemberState.objects.filter(iso3__in=sorted(iso3s))
        .order_by("name_en")
        .values_list("iso3", "name_en", "name_zh")
    )
    return [
        {
            "iso3": iso3,
            "name_en": name_en,
            "name_zh": name_zh,
            "themes": {
                theme.code: percent(reported(theme.pk, iso3), recommendations[theme.pk])
                for theme in theme_list
            },
            "total": percent(reported(CoverageFigure.TOTAL, iso3), total["recommendations"]),
        }
        for iso3, name_en, name_zh in names
    ]


def _figure_counts(report_id: int | None, body_key: int | None, iso3: str | None):
    """The figures of one (report, body) pair of keys, every state's or one state's, by
    theme key: every state's; per (theme key, state) with follow-ups; states reporting."""
    figures = _figure_rows(report_id, body_key)
    if iso3 is not None:
        figures = figures.filter(member_state__in=["", iso3])
    counters = ["covered", "follow_ups", *STATUS_CODES, "verified_implemented"]
    all_states: dict[int, dict[str, int]] = {}
    per_state: dict[tuple[int, str], dict[str, int]] = {}
    reporting: dict[int, int] = {}
    for row in figures.values("theme_key", "member_state", "recommendations", *counters):
        key = row["theme_key"]
        if row["member_state"] == "":
            all_states[key] = row
        elif row["follow_ups"]:
            per_state[key, row["member_state"]] = row
            reporting[key] = reporting.get(key, 0) + 1
    return all_states, per_state, reporting


def _from_figures(report_id, body_key, iso3, include_states, token, theme_list):
    """The theme rows, "No theme", the total and the per-state shares, from the
    maintained figures: one (report, body) pair of keys, a few hundred rows."""
    all_states, per_state, reporting = _read_figures(
        token, _figure_counts, report_id, body_key, iso3
    )

    def counts(key: int) -> dict[str, int]:
        whole = all_states.get(key, {})
        part = per_state.get((key, iso3), {}) if iso3 is not None else whole
        follow_ups = part.get("follow_ups", 0)
        implemented = part.get(Status.IMPLEMENTED.value, 0)
        verified = part.get("verified_implemented", 0)
        return {
            "n_recommendations": whole.get("recommendations", 0),
            "n_covered": follow_ups if iso3 is not None else whole.get("covered", 0),
            "n_states_reporting": (
                int(follow_ups > 0) if iso3 is not None else reporting.get(key, 0)
            ),
            "n_follow_ups": follow_ups,
            "n_verified_implemented": verified,
            "n_unverified_implemented": implemented - verified,
            **{f"n_status__{status}": part.get(status, 0) for status in STATUS_CODES},
        }

    themes = [_row(t.code, t.name_zh, t.name_en, counts(t.pk)) for t in theme_list]
    unthemed = _row(UNTHEMED_CODE, UNTHEMED_NAME_ZH, UNTHEMED_NAME_EN, counts(-1))
    total = _row(TOTAL_CODE, TOTAL_NAME_ZH, TOTAL_NAME_EN, counts(0))
    if not include_states:
        return themes, unthemed, total, None
    states = _state_rows(
        {iso3 for key, iso3 in per_state if key == CoverageFigure.TOTAL},
        theme_list,
        themes,
        total,
        lambda key, iso3: per_state.get((key, iso3), {}).get("follow_ups", 0),
    )
    return themes, unthemed, total, states


def _from_tables(scope, period, include_states):
    """The same as _from_figures, aggregated from the base tables."""
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
    states = _states(themes, total, scope=scope, period=period) if include_states else None
    return themes, unthemed, total, states


class _Deadlines:
    """The deadline figures of every row, from four queries: the active recommendations
    in scope with their due date and themes, those closed by a final follow-up in scope,
    per member state how many past due it closed (counted in the database), the reports'
    dates."""

    def __init__(self, *, scope, period, today: datetime.date) -> None:
        rows = (
            Recommendation.objects.filter(_recommendation_q("", **scope))
            .annotate(due=due_date_of())
            .values_list("pk", "report_id", "due", "theme_links__theme__code")
        )
        self.members: dict[str, list[int]] = defaultdict(list)  # row code -> recommendations
        due_of: dict[int, datetime.date | None] = {}
        report_of: dict[int, int] = {}
        themed: set[int] = set()
        for pk, report, due, code in rows:
            due_of[pk], report_of[pk] = due, report
            if code is not None:
                self.members[code].append(pk)
                themed.add(pk)
        self.members[TOTAL_CODE] = list(due_of)
        self.members[UNTHEMED_CODE] = [pk for pk in due_of if pk not in themed]
        self.past_due = {pk for pk, due in due_of.items() if due is not None and due < today}
        final = FollowUp.objects.filter(
            _recommendation_q("recommendation__", **scope),
            _follow_up_q("", **period),
            status__in=FINAL_STATUSES,
        ).order_by()
        closed = set(final.values_list("recommendation_id", flat=True).distinct())
        # A state has one follow-up per recommendation: its final follow-ups of past-due
        # recommendations are the past-due recommendations it closed.
        self.closed_past_due = dict(
            final.annotate(due=due_date_of("recommendation__"))
            .filter(due__lt=today)
            .values("member_state_id")
            .annotate(closed=Count("pk"))
            .values_list("member_state_id", "closed")
        )
        dates = report_dates(set(report_of.values()))
        self.age = {pk: (today - dates[report_of[pk]]).days for pk in due_of if pk not in closed}

    def row(self, code: str) -> dict[str, Any]:
        open_ = [pk for pk in self.members.get(code, ()) if pk in self.age]
        ages = [self.age[pk] for pk in open_]
        return {
            "overdue": len(self.past_due.intersection(open_)),
            "median_age_open": math.floor(statistics.median(ages) + 0.5) if ages else None,
        }

    def overdue_for(self, iso3: str) -> int:
        return len(self.past_due) - self.closed_past_due.get(iso3, 0)


def _driver_rows(queryset) -> list[tuple]:
    """A values_list queryset's rows as the database driver gives them, without Django's
    per-value converters (thousands of rows; dates may come as ISO text: see _Ages)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _Ages:
    """Days from a date (a date, or ISO text as SQLite gives it) to `today`, cached."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.cache: dict[Any, int] = {}

    def __call__(self, value) -> int:
        if value not in self.cache:
            day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
            self.cache[value] = (self.today - day).days
        return self.cache[value]


def _median_age(ages: dict[int, int]) -> int | None:
    """The median of ages given as {age: how many}, rounded half up (None: none)."""
    if not sum(ages.values()):
        return None
    return _rounded_middle(*_middle_ages(sorted(ages.items(), reverse=True), lambda age: age))


def _middle_ages(dated: list[tuple[Any, int]], age_of) -> tuple[int, int]:
    """The two middle ages (equal for an odd count) of recommendations given as (report
    date, how many), oldest first; `age_of` turns a date into days (_Ages)."""
    total = sum(count for _, count in dated)
    wanted = [(total - 1) // 2, total // 2]  # positions from the youngest
    found: list[int] = []
    seen = 0
    for report_date, count in reversed(dated):
        seen += count
        while wanted and wanted[0] < seen:
            wanted.pop(0)
            found.append(age_of(report_date))
        if not wanted:
            break
    return found[0], found[1]


def _rounded_middle(low: int, high: int) -> int:
    """The median from its two middle values (equal for an odd count), rounded half up."""
    return math.floor((low + high) / 2 + 0.5)


@dataclass(frozen=True)
class _DeadlineNumbers:
    """The deadline figures by theme key (the total 0, "No theme" -1): the median age
    of the open recommendations, how many of them are overdue; the recommendations past
    due; per member state, how many past due it closed."""

    median_age: dict[int, int | None]
    overdue: dict[int, int]
    past_due: int
    closed_past_due: dict[str, int]


def _deadline_numbers(body_key: int | None, today: datetime.date) -> _DeadlineNumbers:
    """The deadline figures over every report and member state, from the maintained
    figures only: by theme and report date (a few thousand rows, in the order of the
    figures' index), the open recommendations, the open ones past due and all past due,
    in one read; per member state, all it closed (its final follow-ups, in the coverage
    figures) less what it closed that is not due yet or has no due date (a few rows per
    state, found by the index; the past is long)."""
    figures = _body_keys(CoverageDeadline.objects.order_by(), body_key)
    open_ = F("recommendations") - F("closed")
    past = Q(due_date__lt=today)
    overdue: dict[int, int] = defaultdict(int)
    past_due = 0
    open_by_date: dict[int, list[tuple[Any, int]]] = defaultdict(list)  # oldest first
    for theme, report_date, count, open_past_due, recommendations_past_due in _driver_rows(
        figures.filter(member_state=CoverageFigure.ALL_STATES)
        .values("theme_key", "report_date")
        .annotate(
            open=Sum(open_),
            overdue=Sum(open_, filter=past),
            past_due=Sum("recommendations", filter=past),
        )
        .order_by("theme_key", "report_date")
        .values_list("theme_key", "report_date", "open", "overdue", "past_due")
    ):
        overdue[theme] += open_past_due or 0
        if theme == CoverageFigure.TOTAL:
            past_due += recommendations_past_due or 0
        if count:
            open_by_date[theme].append((report_date, count))
    age_of = _Ages(today)
    median_age = {
        theme: _rounded_middle(*_middle_ages(dated, age_of))
        for theme, dated in open_by_date.items()
    }
    figures = _body_keys(CoverageDeadline.objects.order_by(), body_key)
    finals = dict(
        _body_keys(
            CoverageFigure.objects.filter(
                report_key=CoverageFigure.ALL, theme_key=CoverageFigure.TOTAL
            ),
            body_key,
        )
        .exclude(member_state=CoverageFigure.ALL_STATES)
        .annotate(final=sum((F(str(status)) for status in FINAL_STATUSES), Value(0)))
        .values_list("member_state", "final")
    )
    not_past_due = dict(
        figures.filter(
            member_state__in=sorted(finals),
            theme_key=CoverageFigure.TOTAL,
            report_date=CoverageDeadline.NO_DATE,
            due_date__gte=today,
        )
        .values("member_state")
        .annotate(closed=Sum("closed"))
        .values_list("member_state", "closed")
    )
    return _DeadlineNumbers(
        median_age=median_age,
        overdue=dict(overdue),
        past_due=past_due,
        closed_past_due={iso3: final - not_past_due.get(iso3, 0) for iso3, final in finals.items()},
    )


def _deadline_numbers_in_scope(
    body_key: int | None, closed: tuple[dict, dict], today: datetime.date
) -> _DeadlineNumbers:
    """The same for one member state or a date range: the figures' `closed` counts every
    state's final follow-ups whenever written, so what the final follow-ups in scope
    closed (`closed`, _closed_in_scope) is taken from the recommendations instead."""
    closed_in_scope, closed_past_due = closed
    figures = _body_keys(CoverageDeadline.objects.order_by(), body_key)
    ages: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    overdue: dict[int, int] = defaultdict(int)
    past_due = 0
    age_of = _Ages(today)
    for theme, report_date, is_past, recommendations in _driver_rows(
        figures.filter(member_state=CoverageFigure.ALL_STATES)
        .annotate(past=_flag(Q(due_date__lt=today)))
        .values_list("theme_key", "report_date", "past")
        .annotate(Sum("recommendations"))
    ):
        age, is_past = age_of(report_date), bool(is_past)
        count = recommendations - closed_in_scope.get((theme, age, is_past), 0)
        if count:
            ages[theme][age] += count
            overdue[theme] += count if is_past else 0
        if is_past and theme == CoverageFigure.TOTAL:
            past_due += recommendations
    return _DeadlineNumbers(
        median_age={theme: _median_age(by_age) for theme, by_age in ages.items()},
        overdue=dict(overdue),
        past_due=past_due,
        closed_past_due=closed_past_due,
    )


def _final_follow_ups(in_scope: Q, today: datetime.date) -> list[tuple]:
    """The final follow-ups in scope as _closed_in_scope reads them, with the dates
    their recommendation is counted under."""
    counted_as = CoverageRecommendation.objects.filter(
        recommendation_id=OuterRef("recommendation_id")
    )
    return _driver_rows(
        FollowUp.objects.filter(in_scope, status__in=FINAL_STATUSES)
        .order_by()
        .annotate(
            due=Subquery(counted_as.values("due_date")),
            report_date=Subquery(counted_as.values("report_date")),
        )
        .annotate(past=_flag(Q(due__lt=today)))
        .values_list(
            "pk",
            "recommendation_id",
            "member_state_id",
            "recommendation__theme_links__theme_id",
            "past",
            "report_date",
        )
    )


def _closed_in_scope(finals: Iterable[tuple], today: datetime.date) -> tuple[dict, dict]:
    """What final follow-ups in scope closed, from rows (follow-up, recommendation,
    member state, theme id or None, past due, report date), one per theme link: the
    recommendations closed by (theme key, age, past due), each once per theme and in the
    total; per member state, the past-due recommendations it closed (a state has one
    follow-up per recommendation)."""
    age_of = _Ages(today)
    closed: dict[tuple, int] = defaultdict(int)
    counted: set[tuple[int, int]] = set()
    closed_past_due: dict[str, int] = defaultdict(int)
    seen: set[int] = set()
    for pk, rec, iso3, theme, past, report_date in finals:
        age, past = age_of(report_date), bool(past)
        for key in (CoverageFigure.UNTHEMED if theme is None else theme, CoverageFigure.TOTAL):
            if (rec, key) not in counted:
                counted.add((rec, key))
                closed[key, age, past] += 1
        if past and pk not in seen:
            seen.add(pk)
            closed_past_due[iso3] += 1
    return closed, dict(closed_past_due)


class _DeadlineFigures:
    """The deadline figures of every row over every report, from the maintained figures
    (services/coverage_figures.py); those over every member state kept per state of the
    figures (`token`, _read_figures); for one state or a date range, with what its final
    follow-ups closed (`closed`: a date range's were counted in its one pass)."""

    def __init__(
        self,
        *,
        body_code: str | None,
        body_key: int | None,
        period: dict,
        today: datetime.date,
        token: int | None,
        theme_list: list[Theme],
        closed: tuple[dict, dict] | None,
    ):
        if all(value is None for value in period.values()):
            self.numbers = _read_figures(token, _deadline_numbers, body_key, today)
        else:
            if closed is None:  # one member state, no dates: a few thousand follow-ups
                in_scope = _follow_up_q("", **period) & _recommendation_q(
                    "recommendation__", report_id=None, body_code=body_code
                )
                closed = _closed_in_scope(_final_follow_ups(in_scope, today), today)
            self.numbers = _deadline_numbers_in_scope(body_key, closed, today)
        self.keys = {theme.code: theme.pk for theme in theme_list}
        self.keys.update({TOTAL_CODE: CoverageFigure.TOTAL, UNTHEMED_CODE: CoverageFigure.UNTHEMED})

    def row(self, code: str) -> dict[str, Any]:
        key = self.keys.get(code)
        return {
            "overdue": self.numbers.overdue.get(key, 0),
            "median_age_open": self.numbers.median_age.get(key),
        }

    def overdue_for(self, iso3: str) -> int:
        return self.numbers.past_due - self.numbers.closed_past_due.get(iso3, 0)


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
    *map(_field_column, ["overdue", "median_age_open"]),
]


# Small numbers ------------------------------------------------------------------------
#
# A liaison knows their own state's follow-ups. A figure that also counts other states'
# follow-ups gives those states' part away by subtraction when few of them reported: with
# one other state, exactly that state's counts. Such figures are withheld from liaisons.

# The figures of a row that count follow-ups; "recommendations" (and the codes and names)
# depend only on the published recommendations and always stay.
FOLLOW_UP_FIGURES = [
    "overdue",
    "median_age_open",
    "covered",
    "coverage_pct",
    "states_reporting",
    "implemented_pct",
    "verified_implemented",
    "unverified_implemented",
]

SUPPRESSION_REASON = (
    "A figure that counts the follow-ups of fewer than {minimum} other member states, or "
    "that would let such a figure be worked out from the figures shown, is withheld "
    "(null): otherwise your own state's figures, subtracted from it, would give the other "
    "states' away."
)

# Past this many groups of states to check, every row is withheld rather than audited.
_MAX_GROUPS = 2000

_Atom = frozenset[str]


def coverage_for_liaison(
    own_state: str,
    *,
    minimum: int,
    source: str = "figures",
    today: datetime.date | None = None,
    **scope,
) -> dict[str, Any]:
    """Coverage as the liaison of `own_state` may see it: coverage_by_theme(**scope) with
    the per-state rows cut to their own state and small numbers withheld
    (suppress_small_numbers). One or two queries more than coverage_by_theme.

    Scoped to their own state (`member_state`), the figures count no other state's
    follow-ups and nothing is withheld.
    """
    result = coverage_by_theme(**scope, source=source, today=today)
    result["states"] = [state for state in result["states"] if state["iso3"] == own_state]
    in_scope, period = _scope_and_period(**scope)
    if period["iso3"] == own_state:
        return suppress_small_numbers(result, themes_of={}, reporters={}, minimum=minimum)
    if source == "figures" and period["updated_from"] is None and period["updated_to"] is None:
        themes_of, reporters = _atoms_from_figures(in_scope, period["iso3"], own_state)
    else:
        themes_of, reporters = _atoms_from_tables(in_scope, period, own_state)
    return suppress_small_numbers(result, themes_of=themes_of, reporters=reporters, minimum=minimum)


def _atoms_from_figures(scope, iso3: str | None, own_state: str) -> tuple[dict, dict]:
    """The theme sets of the active recommendations in scope, and the other states that
    reported on each (only `iso3` when the scope names a state), from the maintained
    figures (CoverageAtom): one entry per theme set, which is all suppress_small_numbers
    distinguishes."""
    atoms = CoverageAtom.objects.filter(
        report_key=scope["report_id"] or CoverageFigure.ALL, count__gt=0
    ).exclude(member_state=own_state)
    if iso3 is not None:
        atoms = atoms.filter(member_state__in=[CoverageFigure.ALL_STATES, iso3])
    atoms = _body_keys(atoms, _body_key(scope["body_code"]))
    code_of = dict(Theme.objects.values_list("pk", "code"))
    themes_of: dict[str, frozenset[str]] = {}
    reporters: dict[str, set[str]] = defaultdict(set)
    for themes, iso3 in atoms.values_list("themes", "member_state"):
        if iso3 == CoverageFigure.ALL_STATES:
            themes_of[themes] = frozenset(code_of[int(pk)] for pk in themes.split(",") if pk)
        else:
            reporters[themes].add(iso3)
    return themes_of, {themes: reporters[themes] for themes in themes_of}


def _atoms_from_tables(scope, period, own_state: str) -> tuple[dict, dict]:
    """The same, per recommendation, from the base tables (date ranges)."""
    # 6. The themes of every active recommendation in scope (None: no theme).
    themes_of: dict[int, set[str]] = {}
    links = Recommendation.objects.filter(_recommendation_q("", **scope))
    for pk, code in links.values_list("pk", "theme_links__theme__code"):
        themes_of.setdefault(pk, set())
        if code is not None:
            themes_of[pk].add(code)
    # 7. The other states that reported on each of them.
    reporters: dict[int, set[str]] = {}
    follow_ups = FollowUp.objects.filter(
        _recommendation_q("recommendation__", **scope), _follow_up_q("", **period)
    ).exclude(member_state_id=own_state)
    for pk, iso3 in follow_ups.values_list("recommendation_id", "member_state_id").distinct():
        reporters.setdefault(pk, set()).add(iso3)
    return {pk: frozenset(codes) for pk, codes in themes_of.items()}, reporters


def suppress_small_numbers(
    result: dict[str, Any],
    *,
    themes_of: dict[int, frozenset[str]],
    reporters: dict[int, set[str]],
    minimum: int,
) -> dict[str, Any]:
    """The coverage `result` with every figure withheld that would let a liaison, knowing
    their own state's follow-ups, work out the figures of fewer than `minimum` other states.

    `themes_of` gives the theme codes of each active recommendation the figures count (an
    empty set: no theme); `reporters` the other member states (not the liaison's) whose
    follow-ups on each recommendation the figures count. Empty `themes_of`: the figures
    count no other state's follow-ups, and nothing is withheld.

    The rows are the themes, the "No theme" row and the total; each is the sum over the
    "atoms" it covers, an atom being the recommendations that share one set of themes.
    Every count of a row (covered, each status, verified and unverified implemented) is
    that sum, so whatever the liaison can compute from the rows shown is a combination of
    atom sums; the percentages follow from those counts, and `states_reporting` counts the
    states over the same atoms. A row is withheld (its follow-up figures null, `suppressed`
    true):

    1. when fewer than `minimum` other states reported on its recommendations (zero
       included: "no one else" is their figures too), unless it has no recommendation;
    2. when, with it shown, some combination of the rows shown (the total minus other
       rows, a row minus a row it contains...) would add up only atoms on which, all
       together, fewer than `minimum` other states reported. The total is withheld first,
       then the rows with the fewest recommendations, until no such combination is left.

    The result carries `suppression` ({"min_other_states", "reason"}) and each row
    `suppressed`. The per-state rows are left as they are (callers keep the liaison's own).
    """
    result = copy.deepcopy(result)
    rows = coverage_rows(result)
    withheld = _rows_to_withhold(rows, themes_of, reporters, minimum)
    for row in rows:
        row["suppressed"] = row["code"] in withheld
        if row["suppressed"]:
            for key in FOLLOW_UP_FIGURES:
                row[key] = None
            row["status_counts"] = dict.fromkeys(row["status_counts"])
    result["suppression"] = {
        "min_other_states": minimum,
        "reason": SUPPRESSION_REASON.format(minimum=minimum),
    }
    return result


def _rows_to_withhold(rows, themes_of, reporters, minimum) -> set[str]:
    """The codes of the rows suppress_small_numbers withholds (rules 1 and 2)."""
    atoms: dict[_Atom, set[str]] = {}
    for pk, codes in themes_of.items():
        atoms.setdefault(codes, set()).update(reporters.get(pk, ()))
    order = list(atoms)

    def covers(row, atom: _Atom) -> bool:
        if row["code"] == TOTAL_CODE:
            return True
        if row["code"] == UNTHEMED_CODE:
            return not atom
        return row["code"] in atom

    vectors = {row["code"]: [int(covers(row, atom)) for atom in order] for row in rows}
    others = {
        code: set().union(*(atoms[atom] for atom, on in zip(order, vector, strict=True) if on))
        for code, vector in vectors.items()
    }
    withheld = {
        code for code, vector in vectors.items() if any(vector) and len(others[code]) < minimum
    }

    hidden = _hidden_atoms([atoms[atom] for atom in order], minimum)
    if hidden is None:
        return {code for code, vector in vectors.items() if any(vector)}
    outside = [[i for i in range(len(order)) if i not in mask] for mask in hidden]

    def disclosures(shown: list[str]) -> int:
        """How many of the `hidden` sets of atoms some combination of the `shown` rows adds
        up alone: one does iff the atoms outside it do not span every combination. An atom
        is seen through its column: which of the shown rows count it."""
        column = [tuple(vectors[code][i] for code in shown) for i in range(len(order))]
        full = _rank(set(column))
        return sum(_rank({column[i] for i in atoms}) < full for atoms in outside)

    # Withhold the first row, in this order, whose withholding removes a disclosure: the
    # total, then the rows with the fewest recommendations.
    shown = [
        row["code"]
        for row in sorted(
            rows, key=lambda row: (row["code"] != TOTAL_CODE, row["recommendations"], row["code"])
        )
        if row["code"] not in withheld
    ]
    while count := disclosures(shown):
        code = next(
            (code for code in shown if disclosures([c for c in shown if c != code]) < count),
            shown[0],
        )
        shown.remove(code)
        withheld.add(code)
    return withheld


def _hidden_atoms(reporter_sets: list[set[str]], minimum: int) -> list[frozenset[int]] | None:
    """For each group of fewer than `minimum` states, the atoms (indices into
    `reporter_sets`) that only they reported on; the largest such sets only (a combination
    of fewer atoms is within one of them). None when there are too many groups to check.

    The groups that matter are unions of the atoms' reporter sets: they are built one
    reporter set at a time.
    """
    small = {frozenset(s) for s in reporter_sets if len(s) < minimum}
    groups, frontier = set(small), set(small)
    while frontier:
        frontier = {a | b for a in frontier for b in small if len(a | b) < minimum} - groups
        groups |= frontier
        if len(groups) > _MAX_GROUPS:
            return None
    masks = {frozenset(i for i, s in enumerate(reporter_sets) if s <= group) for group in groups}
    largest: list[frozenset[int]] = []
    for mask in sorted(masks, key=len, reverse=True):
        if not any(mask <= kept for kept in largest):
            largest.append(mask)
    return largest


def _rank(vectors: set[tuple[int, ...]]) -> int:
    """The rank of a few short integer vectors, by exact (fraction-free) elimination."""
    basis: list[tuple[int, list[int]]] = []
    for vector in vectors:
        rest = list(vector)
        for pivot, row in basis:
            if rest[pivot]:
                rest = [a * row[pivot] - rest[pivot] * b for a, b in zip(rest, row, strict=True)]
        if any(rest):
            divisor = math.gcd(*rest)
            basis.append((next(i for i, x in enumerate(rest) if x), [x // divisor for x in rest]))
            if len(basis) == len(rest):
                break
    return len(basis)


# What the tables show ------------------------------------------------------------------


def is_neglected(row: dict[str, Any]) -> bool:
    """A row (a theme, "No theme") is *neglected* when it holds recommendations and no
    member state in scope reported on any of them."""
    return row["recommendations"] > 0 and row["covered"] == 0


def _percent_label(message: str) -> str:
    """A label ending in "%" (its msgid says "%%", as the templates' do), "%" shown."""
    return lazy(lambda: str(message) % {}, str)()


# The figures of a row, in the order every table shows them: after the row's code and
# names in COVERAGE_COLUMNS (the CSV and XLSX, headed by the columns' keys).
COVERAGE_FIGURES: list[Column] = [
    column for column in COVERAGE_COLUMNS if column.key not in ("code", "name_zh", "name_en")
]

# The headings of the page's table and the command's: the row, then each figure.
COVERAGE_LABELS: dict[str, str] = {
    "code": _("theme"),
    "recommendations": _("recommendations"),
    "covered": _("covered"),
    "coverage_pct": _percent_label(_("coverage %%")),
    "states_reporting": _("states reporting"),
    **{status: label for status, label in Status.choices},
    "implemented_pct": _percent_label(_("implemented %%")),
    "verified_implemented": _("verified"),
    "unverified_implemented": _("unverified"),
    "overdue": _("overdue"),
    "median_age_open": _("median age of open (days)"),
}
COVERAGE_HEADINGS: list[str] = [COVERAGE_LABELS["code"]] + [
    COVERAGE_LABELS[column.key] for column in COVERAGE_FIGURES
]


def figure_cells(row: dict[str, Any]) -> list[Any]:
    """A row's figures in the order of COVERAGE_FIGURES (None: no figure)."""
    return [column.value(row) for column in COVERAGE_FIGURES]
