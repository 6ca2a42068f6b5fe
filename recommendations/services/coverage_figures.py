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

Every statement locks the rows in key order, and the smallest key (0, 0, 0, "") is in
every write's set: it serialises the figure writes of concurrent transactions without
deadlock, as long as a transaction takes its row locks on follow-ups and
recommendations before its first figure write (the bulk services do). On SQLite writers
are serialised anyway (transaction_mode IMMEDIATE).

Dates and deadlines
-------------------
Follow-up update dates and deadlines are not in the key: date-range scopes, and the
deadline figures (overdue, median age of the open ones, which depend on today's date and
on due dates that sessions move), are read from the base tables.

`figures_rebuild` recomputes both tables from the base tables in SQL (seed_demo and
restore_db call it, and `coverage_rebuild`); `figures_differences` compares.
"""

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from recommendations.choices import Status
from recommendations.models import (
    CoverageFigure,
    CoverageRecommendation,
    FollowUp,
    Recommendation,
    RecommendationTheme,
)

STATUS_CODES: list[str] = list(Status.values)
ALL = 0
TOTAL = 0
UNTHEMED = -1
ALL_STATES = ""
KEY = ("report_key", "body_key", "theme_key", "member_state")
# The counters, in the order of the delta vectors.
COUNTERS = ("recommendations", "covered", "follow_ups", *STATUS_CODES, "verified_implemented")
_WIDTH = len(COUNTERS)


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {
        "figure": qn(CoverageFigure._meta.db_table),
        "per_rec": qn(CoverageRecommendation._meta.db_table),
        "rec": qn(Recommendation._meta.db_table),
        "link": qn(RecommendationTheme._meta.db_table),
        "body": qn(Recommendation.bodies.through._meta.db_table),
        "follow_up": qn(FollowUp._meta.db_table),
    }


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


def _vector(state: FollowUpState, sign: int) -> list[int]:
    vector = [0] * _WIDTH
    vector[2] = sign
    vector[3 + STATUS_CODES.index(state.status)] = sign
    if state.verified:
        vector[-1] = sign
    return vector


# Follow-up writes ---------------------------------------------------------------------


def follow_ups_changed(changes: Iterable[tuple[FollowUpState | None, FollowUpState | None]]):
    """Apply the follow-up changes (before, after; None: created or deleted) made in the
    current transaction. Call it after the base rows are written."""
    deltas: dict[tuple[int, str], list[int]] = {}
    counts: dict[int, int] = {}
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            if state is None:
                continue
            key = (state.recommendation_id, state.member_state)
            vector = deltas.setdefault(key, [0] * _WIDTH)
            for i, value in enumerate(_vector(state, sign)):
                vector[i] += value
        if (before is None) != (after is None):
            rec = (after or before).recommendation_id
            counts[rec] = counts.get(rec, 0) + (1 if before is None else -1)
    covered = _count_follow_ups(counts)
    if len(deltas) > 1:  # bulk writes: a fixed number of statements, whatever the rows
        _apply_many(deltas, covered)
        return
    for (rec, iso3), vector in sorted(deltas.items()):
        _apply_follow_up_delta(rec, iso3, vector, covered.pop(rec, 0))
    for rec, delta in covered.items():  # created and deleted within the same call
        _apply_follow_up_delta(rec, None, [0] * _WIDTH, delta)


def _count_follow_ups(counts: dict[int, int]) -> dict[int, int]:
    """Update each recommendation's follow-up count; the change to `covered` it makes
    (+1: first follow-up, -1: last one gone), by recommendation."""
    changes = {rec: delta for rec, delta in counts.items() if delta}
    if not changes:
        return {}
    t = _tables()
    rows = sorted(changes.items())
    values = ", ".join(["(%s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {t['per_rec']} (recommendation_id, follow_ups) VALUES {values} "
        f"ON CONFLICT (recommendation_id) DO UPDATE SET "
        f"follow_ups = {t['per_rec']}.follow_ups + excluded.follow_ups "
        f"RETURNING recommendation_id, follow_ups"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(itertools.chain.from_iterable(rows)))
        after = dict(cursor.fetchall())
    covered = {}
    for rec, delta in changes.items():
        now, before = after[rec], after[rec] - delta
        covered[rec] = (now > 0) - (before > 0)
    return {rec: value for rec, value in covered.items() if value}


def _apply_many(deltas: dict[tuple[int, str], list[int]], covered: dict[int, int]) -> None:
    """follow_ups_changed for many follow-ups: K(r) of every recommendation read at once
    (after the follow-up rows were written, as the one-statement path does), the sums
    added in key order."""
    keys = _keys_of(sorted({rec for rec, _ in deltas} | set(covered)))
    figures: dict[tuple, list[int]] = {}

    def add(key, vector):
        row = figures.setdefault(key, [0] * _WIDTH)
        for i, value in enumerate(vector):
            row[i] += value

    for (rec, iso3), vector in deltas.items():
        for key in keys.get(rec, ()):
            add((*key, ALL_STATES), vector)
            add((*key, iso3), vector)
    for rec, delta in covered.items():
        for key in keys.get(rec, ()):
            add((*key, ALL_STATES), [0, delta] + [0] * (_WIDTH - 2))
    _add(figures, 1)


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
        f"CROSS JOIN (SELECT 0 AS k UNION ALL SELECT body_id FROM {t['body']} "
        f"WHERE recommendation_id = %s) bk "
        f"CROSS JOIN (SELECT 0 AS k UNION ALL SELECT theme_id FROM {t['link']} "
        f"WHERE recommendation_id = %s UNION ALL SELECT -1 WHERE NOT EXISTS "
        f"(SELECT 1 FROM {t['link']} WHERE recommendation_id = %s)) tk "
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


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _contribution(rec_ids: list[int]) -> dict[tuple, list[int]]:
    """Everything the recommendations add to the figures, from the base tables."""
    keys = _keys_of(rec_ids)
    figures: dict[tuple, list[int]] = {}

    def add(key, vector):
        row = figures.setdefault(key, [0] * _WIDTH)
        for i, value in enumerate(vector):
            row[i] += value

    has_follow_up: set[int] = set()
    for chunk in _chunks(list(keys), 500):
        rows = FollowUp.objects.filter(recommendation_id__in=chunk).values_list(
            "recommendation_id", "member_state_id", "status", "verified_at"
        )
        for rec, iso3, status, verified_at in rows:
            has_follow_up.add(rec)
            vector = _vector(FollowUpState(rec, iso3, status, verified_at is not None), 1)
            for key in keys[rec]:
                add((*key, ALL_STATES), vector)
                add((*key, iso3), vector)
    for rec, rec_keys in keys.items():
        vector = [1, int(rec in has_follow_up)] + [0] * (_WIDTH - 2)
        for key in rec_keys:
            add((*key, ALL_STATES), vector)
    return figures


def _add(figures: dict[tuple, list[int]], sign: int) -> None:
    """Add (or with sign -1 subtract) these figures, in key order."""
    t = _tables()
    rows = [
        (*key, *(sign * value for value in vector))
        for key, vector in sorted(figures.items())
        if any(vector)
    ]
    counters = ", ".join(COUNTERS)
    updates = ", ".join(f"{c} = {t['figure']}.{c} + excluded.{c}" for c in COUNTERS)
    placeholder = "(" + ", ".join(["%s"] * (4 + _WIDTH)) + ")"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 1000):
            cursor.execute(
                f"INSERT INTO {t['figure']} (report_key, body_key, theme_key, member_state, "
                f"{counters}) VALUES {', '.join([placeholder] * len(chunk))} "
                f"ON CONFLICT (report_key, body_key, theme_key, member_state) "
                f"DO UPDATE SET {updates}",
                list(itertools.chain.from_iterable(chunk)),
            )


@contextmanager
def recommendations_changing(rec_ids=None, *, report_id: int | None = None):
    """Around a change to recommendations themselves (theme links, bodies, withdrawn,
    new ones): their contribution is taken out before and put back after, from the base
    tables. Give the ids, or a report (its recommendations, new ones included after)."""

    def ids() -> list[int]:
        if report_id is not None:
            return list(
                Recommendation.objects.filter(report_id=report_id)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        return sorted(set(rec_ids))

    with transaction.atomic():
        before = ids()
        if before:  # (a new report has nothing to take out)
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
            _add(_contribution(before), -1)
        yield
        _add(_contribution(ids()), 1)


# Rebuild and check --------------------------------------------------------------------


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
        bk AS (SELECT id AS rec, 0 AS k FROM active
               UNION ALL SELECT b.recommendation_id, b.body_id FROM {t["body"]} b
               JOIN active a ON a.id = b.recommendation_id),
        tk AS (SELECT id AS rec, 0 AS k FROM active
               UNION ALL SELECT l.recommendation_id, l.theme_id FROM {t["link"]} l
               JOIN active a ON a.id = l.recommendation_id
               UNION ALL SELECT a.id, -1 FROM active a WHERE NOT EXISTS
               (SELECT 1 FROM {t["link"]} l WHERE l.recommendation_id = a.id)),
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


def _nonzero(prefix: str = "") -> str:
    return " OR ".join(f"{prefix}{c} <> 0" for c in COUNTERS)


def figures_rebuild() -> None:
    """Recompute both tables from the base tables (bulk loads, restores, repairs)."""
    t = _tables()
    sql, params = _expected_sql()
    counters = ", ".join(COUNTERS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {t['figure']}")
        cursor.execute(
            f"INSERT INTO {t['figure']} (report_key, body_key, theme_key, member_state, "
            f"{counters}) SELECT * FROM ({sql}) AS expected",
            params,
        )
        cursor.execute(f"DELETE FROM {t['per_rec']}")
        cursor.execute(
            f"INSERT INTO {t['per_rec']} (recommendation_id, follow_ups) "
            f"SELECT recommendation_id, COUNT(*) FROM {t['follow_up']} GROUP BY recommendation_id"
        )


def figures_differences(limit: int = 20) -> list[str]:
    """How the stored figures differ from the base tables (empty: they agree). Rows whose
    counters are all zero count as absent."""
    t = _tables()
    sql, params = _expected_sql()
    columns = ", ".join([*KEY, *COUNTERS])
    expected = f"SELECT * FROM ({sql}) AS expected"
    stored = f"SELECT {columns} FROM {t['figure']} WHERE {_nonzero()}"
    differences = []
    with connection.cursor() as cursor:
        for label, first, first_params, second, second_params in (
            ("stored, not in the base tables", stored, [], expected, params),
            ("in the base tables, not stored", expected, params, stored, []),
        ):
            cursor.execute(
                f"SELECT * FROM ({first} EXCEPT {second}) AS d ORDER BY 1, 2, 3, 4",
                [*first_params, *second_params],
            )
            for row in cursor.fetchall()[:limit]:
                differences.append(f"{label}: {dict(zip([*KEY, *COUNTERS], row, strict=True))}")
        per_rec = f"SELECT recommendation_id, follow_ups FROM {t['per_rec']} WHERE follow_ups <> 0"
        counted = (
            f"SELECT recommendation_id, COUNT(*) FROM {t['follow_up']} GROUP BY recommendation_id"
        )
        for label, first, second in (
            ("follow-up count stored, not in the base tables", per_rec, counted),
            ("follow-up count in the base tables, not stored", counted, per_rec),
        ):
            cursor.execute(f"SELECT * FROM ({first} EXCEPT {second}) AS d ORDER BY 1")
            for row in cursor.fetchall()[:limit]:
                differences.append(f"{label}: recommendation {row[0]}: {row[1]}")
    return differences
