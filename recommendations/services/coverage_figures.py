# The SQL below is assembled from table names (from the models' meta) and fixed column
# names only; every value is a query parameter.
# ruff: noqa: S608
"""Coverage figures maintained with the writes (CoverageFigure, CoverageRecommendation).

What is stored
--------------
The coverage selector's scopes, dates aside, are products of three choices: a report or
all of them, a body or all of them, a member state or all of them. Its rows are the
themes, "No theme" and the total. So every figure lives under a key

    (report_key, body_key, theme_key, member_state)

with report_key 0 for "every report", body_key 0 for "every body", theme_key 0 for the
total row and -1 for the "No theme" row, member_state "" for "every member state".
An active (not withdrawn) recommendation r counts under every key of the product

    K(r) = {0, report(r)} × ({0} ∪ bodies(r)) × ({0} ∪ themes(r), or {0, -1} without one)

and a follow-up of r by state s under K(r) × {"", s}. A scope reads one (report_key,
body_key) pair: a few hundred rows for everything (themes × (1 + states reporting)),
whatever the number of recommendations and follow-ups.

Counters, and why they are enough for the distinct counts
---------------------------------------------------------
Every row keeps plain sums: follow_ups, one count per status, verified_implemented
(unverified = implemented - verified). Rows with member_state "" also keep
`recommendations` (active recommendations under the key) and `covered` (those with at
least one follow-up). The two distinct counts come out of sums:

- covered, all states: a recommendation's first follow-up adds 1 under K(r), its last
  one removed subtracts 1. CoverageRecommendation counts each recommendation's
  follow-ups, updated by an upsert ... RETURNING in the same statement that tells the
  writer whether it went 0 -> 1 or 1 -> 0 (the row lock orders concurrent writers).
- covered for one state: a state has at most one follow-up per recommendation (unique
  constraint), so it is that state's follow_ups under the key; states_reporting for one
  state is 1 when it has any.
- states_reporting, all states: the number of rows (key, s) with follow_ups > 0, counted
  when the scope is read (at most 193 per row).
- per-state shares: the (key, s) rows' follow_ups over the key's recommendations.

Writes
------
A follow-up write (create, status or verification change, claim rejected, delete, the
bulk ones) adds one delta vector under K(r) × {"", s}: one INSERT ... SELECT ... ON
CONFLICT DO UPDATE per changed follow-up, whose SELECT builds K(r) from the
recommendation, its bodies and its theme links in the same statement (a withdrawn
recommendation yields no key: its figures were taken out when it was withdrawn). A
status change is therefore one statement; a create or delete two (the counter first).
Actions change no figure (a follow-up exists for each; `updated_at` only matters to the
date-range scopes, which read the base tables).

A change to a recommendation itself (theme links, bodies, withdrawn/restored, imported)
subtracts its whole contribution as the base tables give it before the change and adds
it back after (`recommendations_changing`). It first locks the recommendations and their
follow-ups (SELECT ... FOR UPDATE), so on PostgreSQL a concurrent follow-up write either
finished before (and is in the contribution read) or waits and then reads the new keys.

Every write of the figures first sets a new random token in the one row of
CoverageVersion (`_new_version`), then writes the figures, each statement in key order.
The token tells readers which state of the figures they read (selectors/coverage.py
keeps what it read per token), and its row lock serialises the figure writes of
concurrent transactions without deadlock, as long as a transaction takes its row locks
on follow-ups and recommendations before its first figure write (the bulk services do).
On SQLite writers are serialised anyway (transaction_mode IMMEDIATE).

Dates and deadlines
-------------------
Follow-up update dates are not in the key: date-range scopes read the base tables.

The deadline figures (overdue, median age of the open recommendations) depend on the
day they are read for, so their dates are in the key instead (CoverageDeadline), over
every report (a single report's are read from the base tables: a few dozen rows):

    (body_key, theme_key, "", due date, report date) -> recommendations, closed
    (body_key, 0, state, due date, 9999-12-31)       -> closed by that state

where `closed` counts the active recommendations some member state (or that state) gave
a final status, and 9999-12-31 stands for "no due date". Overdue on day D is the sum of
recommendations - closed over due dates before D; the median age of the open ones is a
weighted median over the report dates; per member state, overdue is the recommendations
past due less those the state closed. CoverageRecommendation records each
recommendation's final follow-ups (does a write close it for the first time, or reopen
it for the last state?) and the dates it is counted under, which the same upsert that
counts its follow-ups returns, so a status change that closes or reopens adds one
statement. A change of a due date or of a report's date (sessions of bodies, a date set
by staff, an import) goes through `recommendations_changing` like a theme change.

`figures_rebuild` recomputes the three tables from the base tables in SQL (seed_demo and
restore_db call it, and `coverage_rebuild`); `figures_differences` compares.
"""

import datetime
import itertools
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

from recommendations.choices import Status
from recommendations.models import (
    CoverageAtom,
    CoverageDeadline,
    CoverageFigure,
    CoverageRecommendation,
    CoverageVersion,
    FollowUp,
    Recommendation,
    RecommendationTheme,
)
from recommendations.selectors.deadlines import FINAL_STATUSES, due_date_of, report_dates

STATUS_CODES: list[str] = list(Status.values)
FINAL_CODES: list[str] = [str(status) for status in FINAL_STATUSES]
ALL, TOTAL, UNTHEMED, ALL_STATES = (
    CoverageFigure.ALL,
    CoverageFigure.TOTAL,
    CoverageFigure.UNTHEMED,
    CoverageFigure.ALL_STATES,
)
# "No date" in the deadline figures' key (a unique key cannot hold NULL and match).
NO_DATE = CoverageDeadline.NO_DATE
KEY = CoverageFigure.KEY
DEADLINE_KEY = CoverageDeadline.KEY
# The counters, in the order of the delta vectors.
COUNTERS = ("recommendations", "covered", "follow_ups", *STATUS_CODES, "verified_implemented")
DEADLINE_COUNTERS = ("recommendations", "closed")
ATOM_KEY = CoverageAtom.KEY
_WIDTH = len(COUNTERS)


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {
        "figure": qn(CoverageFigure._meta.db_table),
        "deadline": qn(CoverageDeadline._meta.db_table),
        "atom": qn(CoverageAtom._meta.db_table),
        "per_rec": qn(CoverageRecommendation._meta.db_table),
        "version": qn(CoverageVersion._meta.db_table),
        "rec": qn(Recommendation._meta.db_table),
        "link": qn(RecommendationTheme._meta.db_table),
        "body": qn(Recommendation.bodies.through._meta.db_table),
        "follow_up": qn(FollowUp._meta.db_table),
    }


def _new_version() -> None:
    """A new token for the figures about to be written (see the module docstring): the
    first figure statement of every write, in its transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_tables()['version']} (id, token) VALUES (1, %s) "
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token",
            [secrets.randbits(62)],
        )


@dataclass(frozen=True)
class FollowUpState:
    """What of a follow-up the figures count."""

    recommendation_id: int
    member_state: str
    status: str
    verified: bool

    @classmethod
    def of(cls, follow_up: FollowUp) -> "FollowUpState":
        return cls(
            follow_up.recommendation_id,
            follow_up.member_state_id,
            follow_up.status,
            follow_up.verified_at is not None,
        )

    @property
    def final(self) -> bool:
        return self.status in FINAL_CODES


def _vector(state: FollowUpState, sign: int) -> list[int]:
    vector = [0] * _WIDTH
    vector[2] = sign
    vector[3 + STATUS_CODES.index(state.status)] = sign
    if state.verified:
        vector[-1] = sign
    return vector


def _sum_into(rows: dict, key, vector) -> None:
    row = rows.setdefault(key, [0] * len(vector))
    for i, value in enumerate(vector):
        row[i] += value


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Follow-up writes ---------------------------------------------------------------------


@dataclass
class _Counted:
    """What the per-recommendation counters say a batch of follow-up writes changed."""

    covered: dict[int, int] = field(default_factory=dict)  # +1 first follow-up, -1 last
    closed: dict[int, int] = field(default_factory=dict)  # +1 first final one, -1 last
    # rec -> (due date or NO_DATE, report date, theme set) it is counted under
    counted_as: dict[int, tuple] = field(default_factory=dict)


def follow_ups_changed(changes: Iterable[tuple[FollowUpState | None, FollowUpState | None]]):
    """Apply the follow-up changes (before, after; None: created or deleted) made in the
    current transaction. Call it after the base rows are written."""
    changes = list(changes)
    if not changes or getattr(connection, "_coverage_rebuilt_after", False):
        return
    _new_version()
    deltas: dict[tuple[int, str], list[int]] = {}
    counts: dict[int, list[int]] = {}  # rec -> [follow-ups, final follow-ups]
    closing: dict[tuple[int, str], int] = {}  # (rec, state) -> final follow-ups
    creating: dict[tuple[int, str], int] = {}  # (rec, state) -> follow-ups
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            if state is None:
                continue
            _sum_into(deltas, (state.recommendation_id, state.member_state), _vector(state, sign))
            if state.final:
                _sum_into(counts, state.recommendation_id, [0, sign])
                key = (state.recommendation_id, state.member_state)
                closing[key] = closing.get(key, 0) + sign
        if (before is None) != (after is None):
            state = after or before
            sign = 1 if before is None else -1
            _sum_into(counts, state.recommendation_id, [sign, 0])
            key = (state.recommendation_id, state.member_state)
            creating[key] = creating.get(key, 0) + sign
    closing = {key: delta for key, delta in closing.items() if delta}
    creating = {key: delta for key, delta in creating.items() if delta}
    counted = _count_follow_ups(counts, also={rec for rec, _ in [*closing, *creating]})
    if len(deltas) > 1:  # bulk writes: a fixed number of statements, whatever the rows
        _apply_many(deltas, counted, closing, creating)
        return
    for (rec, iso3), vector in sorted(deltas.items()):
        _apply_follow_up_delta(rec, iso3, vector, counted.covered.pop(rec, 0))
    for rec, delta in counted.covered.items():  # created and deleted within the same call
        _apply_follow_up_delta(rec, None, [0] * _WIDTH, delta)
    for rec in sorted({rec for rec, _ in closing} | set(counted.closed)):
        states = {iso3: delta for (r, iso3), delta in closing.items() if r == rec}
        _apply_deadline_delta(rec, counted.counted_as[rec], counted.closed.get(rec, 0), states)
    for (rec, iso3), delta in sorted(creating.items()):
        _apply_atom_delta(rec, counted.counted_as[rec][2], iso3, delta)


def _count_follow_ups(counts: dict[int, list[int]], *, also: set[int]) -> _Counted:
    """Update each recommendation's follow-up and final follow-up counts, in one
    statement that also returns the dates it is counted under (for `also` too); what
    that changes of `covered` and `closed`, by recommendation."""
    changes = {rec: delta for rec, delta in counts.items() if any(delta) or rec in also}
    changes.update({rec: [0, 0] for rec in also if rec not in changes})
    counted = _Counted()
    if not changes:
        return counted
    t = _tables()
    rows = sorted(changes.items())
    values = ", ".join(["(%s, %s, %s, '')"] * len(rows))
    sql = (
        f"INSERT INTO {t['per_rec']} (recommendation_id, follow_ups, final_follow_ups, themes) "
        f"VALUES {values} ON CONFLICT (recommendation_id) DO UPDATE SET "
        f"follow_ups = {t['per_rec']}.follow_ups + excluded.follow_ups, "
        f"final_follow_ups = {t['per_rec']}.final_follow_ups + excluded.final_follow_ups "
        f"RETURNING recommendation_id, follow_ups, final_follow_ups, due_date, report_date, "
        f"themes"
    )
    params = list(itertools.chain.from_iterable((rec, *delta) for rec, delta in rows))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    missing = [rec for rec, *_, report_date, themes in returned if report_date is None]
    stored = _counted_store(missing) if missing else {}
    for rec, follow_ups, finals, due, report_date, themes in returned:
        delta = changes[rec]
        counted.covered[rec] = (follow_ups > 0) - (follow_ups - delta[0] > 0)
        counted.closed[rec] = (finals > 0) - (finals - delta[1] > 0)
        counted.counted_as[rec] = stored.get(rec) or (
            _as_date(due) or NO_DATE,
            _as_date(report_date),
            themes,
        )
    counted.covered = {rec: value for rec, value in counted.covered.items() if value}
    counted.closed = {rec: value for rec, value in counted.closed.items() if value}
    return counted


def _as_date(value) -> datetime.date | None:
    """A date column as read by a raw cursor (SQLite gives text)."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def _apply_many(
    deltas: dict[tuple[int, str], list[int]],
    counted: _Counted,
    closing: dict[tuple[int, str], int],
    creating: dict[tuple[int, str], int],
) -> None:
    """follow_ups_changed for many follow-ups: K(r) of every recommendation read at once
    (after the follow-up rows were written, as the one-statement path does), the sums
    added in key order."""
    recs = {rec for rec, _ in deltas} | set(counted.covered)
    keys = _keys_of(sorted(recs | {rec for rec, _ in closing}))
    figures: dict[tuple, list[int]] = {}
    for (rec, iso3), vector in deltas.items():
        for key in keys.get(rec, ()):
            _sum_into(figures, (*key, ALL_STATES), vector)
            _sum_into(figures, (*key, iso3), vector)
    for rec, delta in counted.covered.items():
        for key in keys.get(rec, ()):
            _sum_into(figures, (*key, ALL_STATES), [0, delta] + [0] * (_WIDTH - 2))
    _add(figures, 1)
    deadlines: dict[tuple, list[int]] = {}
    for rec, delta in counted.closed.items():
        due, report_date, _themes = counted.counted_as[rec]
        for key in _deadline_keys(keys.get(rec, ())):
            _sum_into(deadlines, (*key, ALL_STATES, due, report_date), [0, delta])
    for (rec, iso3), delta in closing.items():
        due = counted.counted_as[rec][0]
        for body in _body_keys(keys.get(rec, ())):
            _sum_into(deadlines, (body, TOTAL, iso3, due, NO_DATE), [0, delta])
    _add_deadlines(deadlines, 1)
    atoms: dict[tuple, list[int]] = {}
    for (rec, iso3), delta in creating.items():
        for report, body in _report_body_keys(keys.get(rec, ())):
            _sum_into(atoms, (report, body, counted.counted_as[rec][2], iso3), [delta])
    _add_atoms(atoms, 1)


def _apply_follow_up_delta(rec: int, iso3: str | None, vector: list[int], covered: int) -> None:
    """One statement: add `vector` under K(rec) × {"", iso3} and `covered` under K(rec)
    × {""}; K(rec) is read in the same statement (nothing when withdrawn)."""
    if not any(vector) and not covered:
        return
    t = _tables()
    states = "SELECT '' AS s" + (" UNION ALL SELECT %s" if iso3 is not None else "")
    counters = ", ".join(COUNTERS)
    updates = ", ".join(f"{c} = {t['figure']}.{c} + excluded.{c}" for c in COUNTERS)
    # recommendations never change here; covered only on the all-states rows.
    selected = ", ".join(["0", "CASE WHEN sk.s = '' THEN %s ELSE 0 END", *(["%s"] * (_WIDTH - 2))])
    sql = (
        f"INSERT INTO {t['figure']} (report_key, body_key, theme_key, member_state, {counters}) "
        f"SELECT rk.k, bk.k, tk.k, sk.s, {selected} FROM "
        f"(SELECT 0 AS k UNION ALL SELECT report_id FROM {t['rec']} WHERE id = %s) rk "
        f"CROSS JOIN ({_body_keys_sql(t)}) bk "
        f"CROSS JOIN ({_theme_keys_sql(t)}) tk "
        f"CROSS JOIN ({states}) sk "
        f"WHERE EXISTS (SELECT 1 FROM {t['rec']} WHERE id = %s AND is_withdrawn = %s) "
        f"ORDER BY 1, 2, 3, 4 "
        f"ON CONFLICT (report_key, body_key, theme_key, member_state) DO UPDATE SET {updates}"
    )
    params = [covered, *vector[2:], rec, rec, rec, rec]
    if iso3 is not None:
        params.append(iso3)
    params += [rec, False]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _body_keys_sql(t: dict[str, str]) -> str:
    """{0} ∪ bodies(r), for one recommendation id parameter."""
    return f"SELECT 0 AS k UNION ALL SELECT body_id FROM {t['body']} WHERE recommendation_id = %s"


def _theme_keys_sql(t: dict[str, str]) -> str:
    """{0} ∪ themes(r), or {0, -1} without one, for two recommendation id parameters."""
    return (
        f"SELECT 0 AS k UNION ALL SELECT theme_id FROM {t['link']} WHERE recommendation_id = %s "
        f"UNION ALL SELECT -1 WHERE NOT EXISTS "
        f"(SELECT 1 FROM {t['link']} WHERE recommendation_id = %s)"
    )


def _apply_deadline_delta(rec: int, counted_as: tuple, closed: int, states: dict[str, int]) -> None:
    """One statement: `closed` under its body and theme keys × {""} at its dates, and
    each state's change of closed under its body keys × {state}."""
    t = _tables()
    due, report_date, _themes = counted_as
    parts, params = [], []
    if closed:
        parts.append(
            f"SELECT bk.k AS b, tk.k AS th, '' AS s, %s AS due, %s AS rd, %s AS n "
            f"FROM ({_body_keys_sql(t)}) bk CROSS JOIN ({_theme_keys_sql(t)}) tk"
        )
        params += [due, report_date, closed, rec, rec, rec]
    for iso3, delta in sorted(states.items()):
        parts.append(
            f"SELECT bk.k AS b, {TOTAL} AS th, %s AS s, %s AS due, %s AS rd, %s AS n "
            f"FROM ({_body_keys_sql(t)}) bk"
        )
        params += [iso3, due, NO_DATE, delta, rec]
    sql = (
        f"INSERT INTO {t['deadline']} ({', '.join(DEADLINE_KEY)}, recommendations, closed) "
        f"SELECT b, th, s, due, rd, 0, n FROM ({' UNION ALL '.join(parts)}) AS d "
        f"WHERE EXISTS (SELECT 1 FROM {t['rec']} WHERE id = %s AND is_withdrawn = %s) "
        f"ORDER BY 1, 2, 3, 4, 5 "
        f"ON CONFLICT ({', '.join(DEADLINE_KEY)}) DO UPDATE SET "
        f"closed = {t['deadline']}.closed + excluded.closed"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, rec, False])


def _apply_atom_delta(rec: int, themes: str, iso3: str, delta: int) -> None:
    """One statement: the state's follow-ups on the recommendation's theme set change by
    `delta` under its report and body keys."""
    t = _tables()
    sql = (
        f"INSERT INTO {t['atom']} ({', '.join(ATOM_KEY)}, count) "
        f"SELECT rk.k, bk.k, %s, %s, %s FROM "
        f"(SELECT 0 AS k UNION ALL SELECT report_id FROM {t['rec']} WHERE id = %s) rk "
        f"CROSS JOIN ({_body_keys_sql(t)}) bk "
        f"WHERE EXISTS (SELECT 1 FROM {t['rec']} WHERE id = %s AND is_withdrawn = %s) "
        f"ORDER BY 1, 2 "
        f"ON CONFLICT ({', '.join(ATOM_KEY)}) "
        f"DO UPDATE SET count = {t['atom']}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [themes, iso3, delta, rec, rec, rec, False])


# Recommendation changes ---------------------------------------------------------------


def _keys_of(rec_ids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """K(r) of each active recommendation among rec_ids (withdrawn ones: absent)."""
    reports: dict[int, int] = {}
    bodies: dict[int, list[int]] = {}
    themes: dict[int, list[int]] = {}
    for chunk in _chunks(rec_ids, 500):
        reports.update(
            Recommendation.objects.filter(pk__in=chunk, is_withdrawn=False).values_list(
                "pk", "report_id"
            )
        )
        through = Recommendation.bodies.through.objects.filter(recommendation_id__in=chunk)
        for rec, body in through.values_list("recommendation_id", "body_id"):
            bodies.setdefault(rec, []).append(body)
        links = RecommendationTheme.objects.filter(recommendation_id__in=chunk)
        for rec, theme in links.values_list("recommendation_id", "theme_id"):
            themes.setdefault(rec, []).append(theme)
    return {
        rec: list(
            itertools.product(
                (ALL, report), (ALL, *bodies.get(rec, ())), (TOTAL, *themes.get(rec, [UNTHEMED]))
            )
        )
        for rec, report in reports.items()
    }


def _deadline_keys(keys: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """The (body, theme) keys of the deadline figures among K(r): every report's."""
    return [(body, theme) for report, body, theme in keys if report == ALL]


def _body_keys(keys: Iterable[tuple[int, int, int]]) -> list[int]:
    return [body for report, body, theme in keys if report == ALL and theme == TOTAL]


def _report_body_keys(keys: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
    return [(report, body) for report, body, theme in keys if theme == TOTAL]


def theme_set(theme_ids: Iterable[int]) -> str:
    """The key of a set of themes in CoverageAtom and CoverageRecommendation."""
    return ",".join(map(str, sorted(theme_ids)))


def _counted_expected(rec_ids: list[int] | None = None) -> dict[int, tuple]:
    """What each recommendation is counted under by the base tables: (due date or
    NO_DATE, report date, theme set), by the definitions in selectors/deadlines.py; every
    recommendation when rec_ids is None."""
    recs = Recommendation.objects.annotate(due=due_date_of()).order_by()
    links = RecommendationTheme.objects.order_by()
    rows, themes = [], {}
    for chunk in [None] if rec_ids is None else _chunks(rec_ids, 500):
        chosen = recs if chunk is None else recs.filter(pk__in=chunk)
        rows += chosen.values_list("pk", "report_id", "due")
        chosen_links = links if chunk is None else links.filter(recommendation_id__in=chunk)
        for rec, theme in chosen_links.values_list("recommendation_id", "theme_id"):
            themes.setdefault(rec, []).append(theme)
    dates = report_dates({report for _, report, _ in rows})
    return {
        rec: (due or NO_DATE, dates[report], theme_set(themes.get(rec, ())))
        for rec, report, due in rows
    }


def _counted_store(rec_ids: list[int]) -> dict[int, tuple]:
    """Record what the recommendations are counted under (their per-recommendation
    rows), from the base tables."""
    expected = _counted_expected(rec_ids)
    rows = [(rec, _stored_due(due), *rest) for rec, (due, *rest) in expected.items()]
    t = _tables()
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(rows), 500):
            cursor.execute(
                f"INSERT INTO {t['per_rec']} (recommendation_id, follow_ups, final_follow_ups, "
                f"due_date, report_date, themes) "
                f"VALUES {', '.join(['(%s, 0, 0, %s, %s, %s)'] * len(chunk))} "
                f"ON CONFLICT (recommendation_id) DO UPDATE SET due_date = excluded.due_date, "
                f"report_date = excluded.report_date, themes = excluded.themes",
                list(itertools.chain.from_iterable(chunk)),
            )
    return expected


def _stored_due(due: datetime.date) -> datetime.date | None:
    return None if due == NO_DATE else due


def _counted_as(rec_ids: list[int]) -> dict[int, tuple]:
    """What the recommendations were counted under (their per-recommendation rows; the
    base tables for one without)."""
    stored = {}
    for chunk in _chunks(rec_ids, 500):
        rows = CoverageRecommendation.objects.filter(
            recommendation_id__in=chunk, report_date__isnull=False
        ).values_list("recommendation_id", "due_date", "report_date", "themes")
        stored.update(
            {rec: (due or NO_DATE, report_date, themes) for rec, due, report_date, themes in rows}
        )
    missing = [rec for rec in rec_ids if rec not in stored]
    return {**stored, **(_counted_expected(missing) if missing else {})}


def _contribution(rec_ids: list[int], counted_as: dict[int, tuple]) -> tuple[dict, dict, dict]:
    """Everything the recommendations add to the figures, the deadline figures and the
    theme set figures, from the base tables, counted as given (dates, theme set)."""
    keys = _keys_of(rec_ids)
    figures: dict[tuple, list[int]] = {}
    deadlines: dict[tuple, list[int]] = {}
    atoms: dict[tuple, list[int]] = {}
    has_follow_up: set[int] = set()
    closed: set[int] = set()
    for chunk in _chunks(list(keys), 500):
        rows = FollowUp.objects.filter(recommendation_id__in=chunk).values_list(
            "recommendation_id", "member_state_id", "status", "verified_at"
        )
        for rec, iso3, status, verified_at in rows:
            has_follow_up.add(rec)
            state = FollowUpState(rec, iso3, status, verified_at is not None)
            vector = _vector(state, 1)
            for key in keys[rec]:
                _sum_into(figures, (*key, ALL_STATES), vector)
                _sum_into(figures, (*key, iso3), vector)
            due, _report_date, themes = counted_as[rec]
            for report, body in _report_body_keys(keys[rec]):
                _sum_into(atoms, (report, body, themes, iso3), [1])
            if state.final:
                closed.add(rec)
                for body in _body_keys(keys[rec]):
                    _sum_into(deadlines, (body, TOTAL, iso3, due, NO_DATE), [0, 1])
    for rec, rec_keys in keys.items():
        vector = [1, int(rec in has_follow_up)] + [0] * (_WIDTH - 2)
        for key in rec_keys:
            _sum_into(figures, (*key, ALL_STATES), vector)
        due, report_date, themes = counted_as[rec]
        for key in _deadline_keys(rec_keys):
            _sum_into(deadlines, (*key, ALL_STATES, due, report_date), [1, int(rec in closed)])
        for report, body in _report_body_keys(rec_keys):
            _sum_into(atoms, (report, body, themes, ALL_STATES), [1])
    return figures, deadlines, atoms


def _upsert(model, key: tuple, counters: tuple, rows: list[tuple]) -> None:
    """Add the rows' counters to the model's table (inserting missing keys), in key
    order. On PostgreSQL the rows go as one array per column (`unnest`): a bulk write's
    thousands of rows make one short statement, not one with a parameter per value
    (which psycopg and the planner pay for by the parameter)."""
    table = connection.ops.quote_name(model._meta.db_table)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    names = [*key, *counters]
    upsert = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and rows:
            arrays = ", ".join(
                f"%s::{model._meta.get_field(name).db_type(connection)}[]" for name in names
            )
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}) "
                f"SELECT * FROM unnest({arrays}) AS given ({', '.join(names)}) "
                f"ORDER BY {', '.join(key)} {upsert}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
        for chunk in _chunks(rows, 1000):
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}) "
                f"VALUES {', '.join([placeholder] * len(chunk))} {upsert}",
                list(itertools.chain.from_iterable(chunk)),
            )


def _signed_rows(figures: dict[tuple, list[int]], sign: int) -> list[tuple]:
    return [
        (*key, *(sign * value for value in vector))
        for key, vector in sorted(figures.items())
        if any(vector)
    ]


def _add(figures: dict[tuple, list[int]], sign: int) -> None:
    """Add (or with sign -1 subtract) these figures, in key order."""
    _upsert(CoverageFigure, KEY, COUNTERS, _signed_rows(figures, sign))


def _add_deadlines(deadlines: dict[tuple, list[int]], sign: int) -> None:
    _upsert(CoverageDeadline, DEADLINE_KEY, DEADLINE_COUNTERS, _signed_rows(deadlines, sign))


def _add_atoms(atoms: dict[tuple, list[int]], sign: int) -> None:
    _upsert(CoverageAtom, ATOM_KEY, ("count",), _signed_rows(atoms, sign))


def _add_contribution(contribution: tuple[dict, dict, dict], sign: int) -> None:
    figures, deadlines, atoms = contribution
    _add(figures, sign)
    _add_deadlines(deadlines, sign)
    _add_atoms(atoms, sign)


@dataclass
class _Changing:
    """The recommendations taken out of the figures by the outermost
    recommendations_changing of this connection, to be put back at its end."""

    recs: set[int] = field(default_factory=set)
    reports: set[int] = field(default_factory=set)

    def include_report(self, report_id: int) -> None:
        """Also put back this report's recommendations (a report created inside)."""
        self.reports.add(report_id)

    def ids(self) -> list[int]:
        in_reports = Recommendation.objects.filter(report_id__in=self.reports).values_list(
            "pk", flat=True
        )
        return sorted(self.recs | set(in_reports))


def _recs_of_reports(report_ids) -> list[int]:
    return list(
        Recommendation.objects.filter(report_id__in=list(report_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@contextmanager
def figures_rebuilt_after():
    """For bulk loads that write around the services anyway (seed_demo): inside, the
    figures are not kept change by change; they are recomputed once at the end, in the
    same transaction."""
    with transaction.atomic():
        connection._coverage_rebuilt_after = True
        try:
            yield
        finally:
            del connection._coverage_rebuilt_after
        figures_rebuild()


@contextmanager
def recommendations_changing(rec_ids=(), *, report_ids=()):
    """Around a change to recommendations themselves (theme links, bodies, withdrawn,
    due dates, report dates, new ones): their contribution is taken out before and put
    back after, from the base tables. Give the ids, or reports (their recommendations,
    new ones included after). Nested calls on the same connection take out what the
    outer one has not and leave the putting back to the outermost."""
    if getattr(connection, "_coverage_rebuilt_after", False):
        yield _Changing()
        return
    outer = getattr(connection, "_coverage_changing", None)
    changing = outer or _Changing()
    with transaction.atomic():
        before = [
            rec
            for rec in sorted({*rec_ids, *_recs_of_reports(report_ids)})
            if rec not in changing.recs
        ]
        if before:
            # Locked first: a follow-up write in flight finishes before (and is read), or
            # waits and then sees the new keys.
            recs = Recommendation.objects.filter(pk__in=before).order_by("pk")
            list(recs.select_for_update().values_list("pk"))
            list(
                FollowUp.objects.filter(recommendation_id__in=before)
                .order_by("pk")
                .select_for_update()
                .values_list("pk")
            )
            _new_version()
            _add_contribution(_contribution(before, _counted_as(before)), -1)
        changing.recs.update(before)
        changing.reports.update(report_ids)
        if outer is not None:
            try:
                yield changing
            except BaseException:
                # This block's savepoint is rolled back: what it took out is back.
                changing.recs.difference_update(before)
                raise
            return
        connection._coverage_changing = changing
        try:
            yield changing
        finally:
            del connection._coverage_changing
        after = changing.ids()
        _new_version()
        _add_contribution(_contribution(after, _counted_store(after)), 1)
        gone = sorted(changing.recs - set(after))
        for chunk in _chunks(gone, 500):
            CoverageRecommendation.objects.filter(recommendation_id__in=chunk).delete()


# Rebuild and check --------------------------------------------------------------------


def _key_ctes(t: dict[str, str]) -> str:
    """bk and tk (recommendation, key) for the recommendations of an `active` CTE."""
    return f"""
        bk AS (SELECT id AS rec, 0 AS k FROM active
               UNION ALL SELECT b.recommendation_id, b.body_id FROM {t["body"]} b
               JOIN active a ON a.id = b.recommendation_id),
        tk AS (SELECT id AS rec, 0 AS k FROM active
               UNION ALL SELECT l.recommendation_id, l.theme_id FROM {t["link"]} l
               JOIN active a ON a.id = l.recommendation_id
               UNION ALL SELECT a.id, -1 FROM active a WHERE NOT EXISTS
               (SELECT 1 FROM {t["link"]} l WHERE l.recommendation_id = a.id))"""


def _final_sql() -> str:
    return "(" + ", ".join(["%s"] * len(FINAL_CODES)) + ")"


def _expected_sql() -> tuple[str, list]:
    """A SELECT of every figure row (KEY, COUNTERS) as the base tables give them."""
    t = _tables()
    statuses = ", ".join(
        f"SUM(CASE WHEN f.status = %s THEN 1 ELSE 0 END) AS {code}" for code in STATUS_CODES
    )
    verified = (
        "SUM(CASE WHEN f.status = %s AND f.verified_at IS NOT NULL THEN 1 ELSE 0 END) "
        "AS verified_implemented"
    )
    summed = ("n", *STATUS_CODES, "verified_implemented")
    sums = ", ".join(f"COALESCE(SUM(p.{c}), 0)" for c in summed)
    sql = f"""
        WITH active AS (SELECT id, report_id FROM {t["rec"]} WHERE is_withdrawn = %s),
        rk AS (SELECT id AS rec, 0 AS k FROM active
               UNION ALL SELECT id, report_id FROM active),
        {_key_ctes(t)},
        keys AS (SELECT rk.rec, rk.k AS rkey, bk.k AS bkey, tk.k AS tkey
                 FROM rk JOIN bk ON bk.rec = rk.rec JOIN tk ON tk.rec = rk.rec),
        p AS (SELECT f.recommendation_id AS rec, COUNT(*) AS n, {statuses}, {verified}
              FROM {t["follow_up"]} f GROUP BY f.recommendation_id)
        SELECT keys.rkey, keys.bkey, keys.tkey, '' AS member_state, COUNT(*),
               SUM(CASE WHEN p.n > 0 THEN 1 ELSE 0 END), {sums}
        FROM keys LEFT JOIN p ON p.rec = keys.rec
        GROUP BY keys.rkey, keys.bkey, keys.tkey
        UNION ALL
        SELECT keys.rkey, keys.bkey, keys.tkey, f.member_state_id, 0, 0, COUNT(*),
               {statuses}, {verified}
        FROM keys JOIN {t["follow_up"]} f ON f.recommendation_id = keys.rec
        GROUP BY keys.rkey, keys.bkey, keys.tkey, f.member_state_id
    """
    status_params = [*STATUS_CODES, Status.IMPLEMENTED.value]
    return sql, [False, *status_params, *status_params]


def _expected_deadlines_sql() -> tuple[str, list]:
    """A SELECT of every deadline figure row (DEADLINE_KEY, DEADLINE_COUNTERS) as the
    base tables give them, at the dates recorded per recommendation (checked apart)."""
    t = _tables()
    sql = f"""
        WITH active AS (SELECT r.id, COALESCE(p.due_date, %s) AS due, p.report_date AS rd
                        FROM {t["rec"]} r JOIN {t["per_rec"]} p ON p.recommendation_id = r.id
                        WHERE r.is_withdrawn = %s),
        {_key_ctes(t)},
        closed AS (SELECT DISTINCT recommendation_id AS rec FROM {t["follow_up"]}
                   WHERE status IN {_final_sql()})
        SELECT bk.k, tk.k, '', a.due, a.rd, COUNT(*),
               SUM(CASE WHEN c.rec IS NULL THEN 0 ELSE 1 END)
        FROM active a JOIN bk ON bk.rec = a.id JOIN tk ON tk.rec = a.id
        LEFT JOIN closed c ON c.rec = a.id
        GROUP BY bk.k, tk.k, a.due, a.rd
        UNION ALL
        SELECT bk.k, {TOTAL}, f.member_state_id, a.due, %s, 0, COUNT(*)
        FROM active a JOIN bk ON bk.rec = a.id
        JOIN {t["follow_up"]} f ON f.recommendation_id = a.id
        WHERE f.status IN {_final_sql()}
        GROUP BY bk.k, f.member_state_id, a.due
    """
    return sql, [NO_DATE, False, *FINAL_CODES, NO_DATE, *FINAL_CODES]


def _expected_atoms_sql() -> tuple[str, list]:
    """A SELECT of every theme set figure row (ATOM_KEY, count) as the base tables give
    them, under the theme sets recorded per recommendation (checked apart)."""
    t = _tables()
    sql = f"""
        WITH active AS (SELECT r.id, r.report_id, p.themes
                        FROM {t["rec"]} r JOIN {t["per_rec"]} p ON p.recommendation_id = r.id
                        WHERE r.is_withdrawn = %s),
        rk AS (SELECT id AS rec, 0 AS k FROM active
               UNION ALL SELECT id, report_id FROM active),
        {_key_ctes(t)}
        SELECT rk.k, bk.k, a.themes, '', COUNT(*)
        FROM active a JOIN rk ON rk.rec = a.id JOIN bk ON bk.rec = a.id
        GROUP BY rk.k, bk.k, a.themes
        UNION ALL
        SELECT rk.k, bk.k, a.themes, f.member_state_id, COUNT(*)
        FROM active a JOIN rk ON rk.rec = a.id JOIN bk ON bk.rec = a.id
        JOIN {t["follow_up"]} f ON f.recommendation_id = a.id
        GROUP BY rk.k, bk.k, a.themes, f.member_state_id
    """
    return sql, [False]


def _counted_sql() -> tuple[str, list]:
    """Each recommendation's follow-ups and final follow-ups, from the base table."""
    t = _tables()
    sql = (
        f"SELECT recommendation_id, COUNT(*), "
        f"SUM(CASE WHEN status IN {_final_sql()} THEN 1 ELSE 0 END) "
        f"FROM {t['follow_up']} GROUP BY recommendation_id"
    )
    return sql, list(FINAL_CODES)


def _nonzero(counters: tuple[str, ...]) -> str:
    return " OR ".join(f"{c} <> 0" for c in counters)


def figures_rebuild() -> None:
    """Recompute the three tables from the base tables (bulk loads, restores, repairs)."""
    t = _tables()
    with transaction.atomic(), connection.cursor() as cursor:
        _new_version()
        cursor.execute(f"DELETE FROM {t['figure']}")
        sql, params = _expected_sql()
        cursor.execute(
            f"INSERT INTO {t['figure']} ({', '.join([*KEY, *COUNTERS])}) "
            f"SELECT * FROM ({sql}) AS expected",
            params,
        )
        cursor.execute(f"DELETE FROM {t['per_rec']}")
        sql, params = _counted_sql()
        cursor.execute(
            f"INSERT INTO {t['per_rec']} (recommendation_id, follow_ups, final_follow_ups, "
            f"themes) SELECT counted.*, '' FROM ({sql}) AS counted",
            params,
        )
        _counted_store(list(Recommendation.objects.order_by("pk").values_list("pk", flat=True)))
        for table, columns, expected in (
            ("deadline", [*DEADLINE_KEY, *DEADLINE_COUNTERS], _expected_deadlines_sql),
            ("atom", [*ATOM_KEY, "count"], _expected_atoms_sql),
        ):
            sql, params = expected()
            cursor.execute(f"DELETE FROM {t[table]}")
            cursor.execute(
                f"INSERT INTO {t[table]} ({', '.join(columns)}) SELECT * FROM ({sql}) AS expected",
                params,
            )


def _except_both_ways(cursor, names, stored: str, expected: str, params: list, limit: int):
    differences = []
    for label, first, first_params, second, second_params in (
        ("stored, not in the base tables", stored, [], expected, params),
        ("in the base tables, not stored", expected, params, stored, []),
    ):
        cursor.execute(
            f"SELECT * FROM ({first} EXCEPT {second}) AS d ORDER BY 1",
            [*first_params, *second_params],
        )
        for row in cursor.fetchall()[:limit]:
            differences.append(f"{label}: {dict(zip(names, row, strict=True))}")
    return differences


def figures_differences(limit: int = 20) -> list[str]:
    """How the stored figures differ from the base tables (empty: they agree). Rows whose
    counters are all zero count as absent."""
    t = _tables()
    differences = []
    with connection.cursor() as cursor:
        sql, params = _expected_sql()
        differences += _except_both_ways(
            cursor,
            [*KEY, *COUNTERS],
            f"SELECT {', '.join([*KEY, *COUNTERS])} FROM {t['figure']} WHERE {_nonzero(COUNTERS)}",
            f"SELECT * FROM ({sql}) AS expected",
            params,
            limit,
        )
        sql, params = _counted_sql()
        differences += [
            f"follow-up counts of a recommendation, {line}"
            for line in _except_both_ways(
                cursor,
                ["recommendation", "follow_ups", "final_follow_ups"],
                f"SELECT recommendation_id, follow_ups, final_follow_ups FROM {t['per_rec']} "
                f"WHERE {_nonzero(('follow_ups', 'final_follow_ups'))}",
                f"SELECT * FROM ({sql}) AS counted",
                params,
                limit,
            )
        ]
    differences += _counted_differences(limit)
    with connection.cursor() as cursor:
        for label, table, key, counters, expected in (
            (
                "deadline figures",
                "deadline",
                DEADLINE_KEY,
                DEADLINE_COUNTERS,
                _expected_deadlines_sql,
            ),
            ("theme set figures", "atom", ATOM_KEY, ("count",), _expected_atoms_sql),
        ):
            sql, params = expected()
            differences += [
                f"{label}, {line}"
                for line in _except_both_ways(
                    cursor,
                    [*key, *counters],
                    f"SELECT {', '.join([*key, *counters])} FROM {t[table]} "
                    f"WHERE {_nonzero(counters)}",
                    f"SELECT * FROM ({sql}) AS expected",
                    params,
                    limit,
                )
            ]
    return differences


def _counted_differences(limit: int) -> list[str]:
    """Recommendations counted under other dates or theme sets than the base tables
    give."""
    expected = _counted_expected()
    stored = {
        rec: (due or NO_DATE, report_date, themes)
        for rec, due, report_date, themes in CoverageRecommendation.objects.values_list(
            "recommendation_id", "due_date", "report_date", "themes"
        )
    }
    wrong = sorted(rec for rec, counted in expected.items() if stored.get(rec) != counted)
    return [
        f"recommendation {rec} is counted under {stored.get(rec)} (due date, report date, "
        f"themes); the base tables give {expected[rec]}"
        for rec in wrong[:limit]
    ]
