"""Follow-up coverage by theme: the selector, its scope filters and the command.

The data set below is small enough that every figure is worked out by hand.

Report E/TEST/2026/1
    r1 "1(a)"  drugs                    bodies CND   KEN implemented (verified), BOL in_progress
    r2 "1(b)"  drugs + corruption       bodies CND   KEN implemented (unverified),
                                                     CHN not_started (with an action)
    r3 "2"     corruption                            BOL not_applicable
    r4 "3(a)"  finance                               CHN not_implemented
    r5 "3(b)"  finance                               (no follow-up)
    rw "4"     drugs, WITHDRAWN                      KEN in_progress (must not count anywhere)
Report E/TEST/2026/2
    r6 "5"     organized-crime          bodies CCPCJ KEN in_progress

Follow-ups are dated (updated_at): KEN's 2026-01-10, BOL's 2026-02-15 15:30, CHN's
2026-03-20 (all UTC). No recommendation is without a theme, except in the tests that add
one (the "No theme" row).
"""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations.choices import ActionKind, Status, ThemeSource
from recommendations.models import (
    Body,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationTheme,
    Report,
    Theme,
)
from recommendations.selectors.coverage import (
    COVERAGE_COLUMNS,
    coverage_by_theme,
    kept_reads_forget,
)
from recommendations.services import coverage_figures
from recommendations.services import follow_ups as services
from tests.integration.shared import make_follow_up

pytestmark = pytest.mark.django_db

THEME_CODES = [
    "drugs",
    "organized-crime",
    "corruption",
    "terrorism",
    "criminal-justice",
    "research",
    "programme",
    "finance",
]
UTC = datetime.UTC
KEN_AT = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
BOL_AT = datetime.datetime(2026, 2, 15, 15, 30, tzinfo=UTC)
CHN_AT = datetime.datetime(2026, 3, 20, 8, 0, tzinfo=UTC)


# Building the data -------------------------------------------------------------------


def make_report(symbol):
    return Report.objects.create(
        symbol=symbol,
        source_file=f"{symbol.replace('/', '_')}.txt",
        sha256="0" * 64,
        imported_at=timezone.now(),
    )


def make_rec(report, label, themes, *, position, bodies=()):
    """A recommendation written with the ORM, the coverage figures kept as an import
    keeps them."""
    paragraph, _, item = label.partition("(")
    with coverage_figures.recommendations_changing(report_ids=[report.pk]):
        recommendation = Recommendation.objects.create(
            report=report,
            paragraph=paragraph,
            item=item.rstrip(")"),
            label=label,
            text=f"建议 {label}",
            position=position,
        )
        for code in themes:
            RecommendationTheme.objects.create(
                recommendation=recommendation,
                theme=Theme.objects.get(code=code),
                source=ThemeSource.HEADING,
            )
        for code in bodies:
            recommendation.bodies.add(Body.objects.get(code=code))
    return recommendation


def set_withdrawn(recommendation, withdrawn=True):
    """Withdrawn (or restored) with the ORM, the coverage figures kept as an import does."""
    with coverage_figures.recommendations_changing([recommendation.pk]):
        Recommendation.objects.filter(pk=recommendation.pk).update(is_withdrawn=withdrawn)


def build(suffix="", *, staff):
    """The data set of the module docstring; `suffix` makes another copy of it."""
    first = make_report(f"E/TEST/2026/1{suffix}")
    second = make_report(f"E/TEST/2026/2{suffix}")
    recs = {
        "r1": make_rec(first, "1(a)", ["drugs"], position=1, bodies=["CND"]),
        "r2": make_rec(first, "1(b)", ["drugs", "corruption"], position=2, bodies=["CND"]),
        "r3": make_rec(first, "2", ["corruption"], position=3),
        "r4": make_rec(first, "3(a)", ["finance"], position=4),
        "r5": make_rec(first, "3(b)", ["finance"], position=5),
        "rw": make_rec(first, "4", ["drugs"], position=6),
        "r6": make_rec(second, "5", ["organized-crime"], position=1, bodies=["CCPCJ"]),
    }
    make_follow_up(recs["r1"], "KEN", Status.IMPLEMENTED, verified_by=staff)
    make_follow_up(recs["r1"], "BOL", Status.IN_PROGRESS)
    make_follow_up(recs["r2"], "KEN", Status.IMPLEMENTED)  # a claim, left unverified
    chn_r2 = make_follow_up(recs["r2"], "CHN", Status.NOT_STARTED)
    services.action_create(
        follow_up=chn_r2,
        user=None,
        date=datetime.date(2026, 1, 5),
        kind=ActionKind.POLICY,
        description="制定了国家战略",
    )
    make_follow_up(recs["r3"], "BOL", Status.NOT_APPLICABLE)
    make_follow_up(recs["r4"], "CHN", Status.NOT_IMPLEMENTED)
    make_follow_up(recs["r6"], "KEN", Status.IN_PROGRESS)
    make_follow_up(recs["rw"], "KEN", Status.IN_PROGRESS)
    set_withdrawn(recs["rw"])
    reports = [first, second]
    for iso3, when in (("KEN", KEN_AT), ("BOL", BOL_AT), ("CHN", CHN_AT)):
        FollowUp.objects.filter(recommendation__report__in=reports, member_state_id=iso3).update(
            updated_at=when
        )
    return {"reports": reports, **recs}


@pytest.fixture
def data(staff):
    return build(staff=staff)


# Expected rows -------------------------------------------------------------------------


def statuses(not_started=0, in_progress=0, implemented=0, not_implemented=0, not_applicable=0):
    return {
        "not_started": not_started,
        "in_progress": in_progress,
        "implemented": implemented,
        "not_implemented": not_implemented,
        "not_applicable": not_applicable,
    }


def counts(
    recommendations=0,
    covered=0,
    coverage_pct=0.0,
    states_reporting=0,
    status_counts=None,
    implemented_pct=0.0,
    verified_implemented=0,
    unverified_implemented=0,
):
    return {
        "recommendations": recommendations,
        "covered": covered,
        "coverage_pct": coverage_pct,
        "states_reporting": states_reporting,
        "status_counts": status_counts or statuses(),
        "implemented_pct": implemented_pct,
        "verified_implemented": verified_implemented,
        "unverified_implemented": unverified_implemented,
    }


DEADLINE_KEYS = ("overdue", "median_age_open")


def figures(row):
    """A row without its code and names, nor its deadline figures (tested apart)."""
    return {k: v for k, v in row.items() if k not in ("code", "name_zh", "name_en", *DEADLINE_KEYS)}


def by_code(result):
    return {row["code"]: figures(row) for row in result["themes"]}


def shares(result):
    return {
        s["iso3"]: ({k: v for k, v in s["themes"].items() if v}, s["total"])
        for s in result["states"]
    }


# The whole data set --------------------------------------------------------------------


def test_every_theme_in_order_with_names_and_the_keys_of_the_contract(data):
    result = coverage_by_theme()
    assert [row["code"] for row in result["themes"]] == THEME_CODES
    drugs = result["themes"][0]
    assert (drugs["name_zh"], drugs["name_en"]) == (
        "有效处理和应对世界毒品问题",
        "Addressing the world drug problem",
    )
    keys = [
        "code",
        "name_zh",
        "name_en",
        "recommendations",
        "covered",
        "coverage_pct",
        "states_reporting",
        "status_counts",
        "implemented_pct",
        "verified_implemented",
        "unverified_implemented",
        *DEADLINE_KEYS,
    ]
    assert all(
        list(row) == keys for row in [*result["themes"], result["unthemed"], result["total"]]
    )
    assert list(result) == ["scope", "themes", "unthemed", "total", "states"]
    assert (
        result["unthemed"]["code"],
        result["unthemed"]["name_zh"],
        result["unthemed"]["name_en"],
    ) == ("unthemed", "无主题", "No theme")
    assert figures(result["unthemed"]) == counts()  # every recommendation has a theme
    assert (result["total"]["code"], result["total"]["name_zh"], result["total"]["name_en"]) == (
        "total",
        "合计",
        "Total",
    )
    assert result["scope"] == {
        "report": None,
        "body": None,
        "updated_from": None,
        "updated_to": None,
        "member_state": None,
    }
    json.dumps(result)  # serialisable as it is


def test_per_theme_rows_and_total_by_hand(data):
    result = coverage_by_theme()
    assert by_code(result) == {
        # r1, r2 (rw withdrawn: not counted, nor its KEN follow-up). Both covered.
        # States KEN, BOL, CHN. Follow-ups r1 KEN impl (verified), r1 BOL in_progress,
        # r2 KEN impl (unverified), r2 CHN not_started: 2 of 4 implemented = 50.0 %.
        "drugs": counts(
            2, 2, 100.0, 3, statuses(not_started=1, in_progress=1, implemented=2), 50.0, 1, 1
        ),
        # r6, covered by KEN in_progress.
        "organized-crime": counts(1, 1, 100.0, 1, statuses(in_progress=1), 0.0, 0, 0),
        # r2, r3, both covered. States KEN, CHN (r2), BOL (r3). Follow-ups r2 KEN impl
        # (unverified), r2 CHN not_started, r3 BOL not_applicable: 1/3 = 33.3 %.
        "corruption": counts(
            2, 2, 100.0, 3, statuses(not_started=1, implemented=1, not_applicable=1), 33.3, 0, 1
        ),
        "terrorism": counts(),
        "criminal-justice": counts(),
        "research": counts(),
        "programme": counts(),
        # r4 (CHN not_implemented), r5 (nothing): 1 of 2 covered.
        "finance": counts(2, 1, 50.0, 1, statuses(not_implemented=1), 0.0, 0, 0),
    }
    # The theme rows add up to 7 recommendations and 8 follow-ups, but r2 (and its two
    # follow-ups) is in two themes: the total counts it once. 6 active recommendations,
    # 5 covered (all but r5) = 83.3 %; 7 follow-ups, 2 implemented = 28.6 %.
    assert figures(result["total"]) == counts(
        6,
        5,
        83.3,
        3,
        statuses(not_started=1, in_progress=2, implemented=2, not_implemented=1, not_applicable=1),
        28.6,
        1,
        1,
    )


def test_member_state_shares_by_hand(data):
    result = coverage_by_theme()
    assert [s["iso3"] for s in result["states"]] == ["BOL", "CHN", "KEN"]  # by English name
    bolivia = result["states"][0]
    assert (bolivia["name_en"], bolivia["name_zh"]) == (
        "Bolivia (Plurinational State of)",
        "多民族玻利维亚国",
    )
    assert list(bolivia["themes"]) == THEME_CODES
    assert bolivia["themes"]["terrorism"] == 0.0  # a theme without recommendations
    assert shares(result) == {
        # r1 (drugs 1/2), r3 (corruption 1/2); 2 of 6 active = 33.3 %.
        "BOL": ({"drugs": 50.0, "corruption": 50.0}, 33.3),
        # r2 (drugs 1/2, corruption 1/2), r4 (finance 1/2); 2 of 6.
        "CHN": ({"drugs": 50.0, "corruption": 50.0, "finance": 50.0}, 33.3),
        # r1, r2 (drugs 2/2; corruption 1/2), r6 (organized crime 1/1); 3 of 6 (rw withdrawn).
        "KEN": ({"drugs": 100.0, "corruption": 50.0, "organized-crime": 100.0}, 50.0),
    }


def test_overdue_and_age_of_open_recommendations_by_hand(data):
    """Report 1 (dated 1 December 2025) due 1 February 2026; report 2 (1 January 2026)
    with no due date of its own, r6 due 15 February 2026; on 1 March 2026. Final
    follow-ups close r1, r2 (KEN implemented), r3 (BOL not applicable) and r4 (CHN not
    implemented): r5 (no follow-up, 90 days old) and r6 (KEN in progress, 59 days) are
    open, and both are past due."""
    first, second = data["reports"]
    # Dates written with the ORM: the coverage figures kept as the services keep them.
    with coverage_figures.recommendations_changing(report_ids=[first.pk, second.pk]):
        Report.objects.filter(pk=first.pk).update(
            document_date=datetime.date(2025, 12, 1), due_date=datetime.date(2026, 2, 1)
        )
        Report.objects.filter(pk=second.pk).update(document_date=datetime.date(2026, 1, 1))
        Recommendation.objects.filter(pk=data["r6"].pk).update(due_date=datetime.date(2026, 2, 15))
    result = coverage_by_theme(today=datetime.date(2026, 3, 1))
    deadlines = {
        row["code"]: (row["overdue"], row["median_age_open"])
        for row in [*result["themes"], result["unthemed"], result["total"]]
    }
    assert deadlines == {
        "drugs": (0, None),  # r1 and r2 closed by Kenya
        "organized-crime": (1, 59),
        "corruption": (0, None),
        "terrorism": (0, None),
        "criminal-justice": (0, None),
        "research": (0, None),
        "programme": (0, None),
        "finance": (1, 90),  # r5; r4 closed by China
        "unthemed": (0, None),
        "total": (2, 75),  # the median of 59 and 90, half up
    }
    # Per state: the six past due, less those the state closed.
    assert {s["iso3"]: s["overdue"] for s in result["states"]} == {"BOL": 5, "CHN": 5, "KEN": 4}
    # Before the due dates nothing is overdue; scoped to Kenya, only its answers close.
    assert coverage_by_theme(today=datetime.date(2026, 1, 31))["total"]["overdue"] == 0
    kenya = coverage_by_theme(member_state="KEN", today=datetime.date(2026, 3, 1))
    assert kenya["total"]["overdue"] == 4  # r3, r4, r5, r6


def test_withdrawn_recommendation_and_its_follow_up_are_left_out(data):
    before = coverage_by_theme()
    set_withdrawn(data["rw"], False)
    after = coverage_by_theme()
    # Reinstated, rw counts: drugs gains a recommendation and KEN's in_progress follow-up.
    assert after["themes"][0]["recommendations"] == before["themes"][0]["recommendations"] + 1
    assert after["total"]["status_counts"]["in_progress"] == 3
    assert after["total"]["recommendations"] == 7


def test_an_active_recommendation_without_a_theme_counts_in_the_no_theme_row(data):
    r9 = make_rec(data["reports"][0], "9", [], position=9)
    result = coverage_by_theme()
    assert sum(row["recommendations"] for row in result["themes"]) == 7  # as before
    assert "unthemed" not in [row["code"] for row in result["themes"]]  # real themes only
    assert figures(result["unthemed"]) == counts(1)  # r9, no follow-up
    assert result["total"]["recommendations"] == 7  # 6 + the unthemed one
    assert result["total"]["coverage_pct"] == 71.4  # 5 / 7
    assert list(result["states"][0]["themes"]) == THEME_CODES  # states: themes only

    make_follow_up(r9, "KEN", Status.IMPLEMENTED)
    r10 = make_rec(data["reports"][1], "10", [], position=10, bodies=["CCPCJ"])
    make_follow_up(r10, "BOL", Status.IN_PROGRESS)
    withdrawn = make_rec(data["reports"][1], "11", [], position=11)
    make_follow_up(withdrawn, "CHN", Status.IN_PROGRESS)
    set_withdrawn(withdrawn)
    FollowUp.objects.filter(recommendation__in=[r9, r10, withdrawn]).update(updated_at=KEN_AT)
    result = coverage_by_theme()
    # r9 (KEN implemented, unverified) and r10 (BOL in progress); the withdrawn one is out.
    assert figures(result["unthemed"]) == counts(
        2, 2, 100.0, 2, statuses(in_progress=1, implemented=1), 50.0, 0, 1
    )
    assert result["total"]["recommendations"] == 8
    # Scopes apply to the row like to the others.
    assert figures(coverage_by_theme(report=data["reports"][1])["unthemed"]) == counts(
        1, 1, 100.0, 1, statuses(in_progress=1), 0.0
    )
    assert coverage_by_theme(body="CCPCJ")["unthemed"]["recommendations"] == 1
    assert coverage_by_theme(body="CND")["unthemed"]["recommendations"] == 0
    assert coverage_by_theme(member_state="KEN")["unthemed"]["covered"] == 1
    late = coverage_by_theme(updated_from=datetime.date(2026, 2, 1))["unthemed"]
    assert (late["recommendations"], late["covered"]) == (2, 0)


def test_without_states(data):
    assert "states" not in coverage_by_theme(include_states=False)


def test_empty_database_gives_zero_rows():
    result = coverage_by_theme()
    assert [figures(row) for row in result["themes"]] == [counts()] * 8
    assert figures(result["unthemed"]) == figures(result["total"]) == counts()
    assert result["states"] == []


# Scope filters -------------------------------------------------------------------------


def test_scope_report(data):
    first, second = data["reports"]
    result = coverage_by_theme(report=second)
    assert result["scope"]["report"] == "E/TEST/2026/2"
    assert by_code(result)["organized-crime"] == counts(
        1, 1, 100.0, 1, statuses(in_progress=1), 0.0
    )
    assert by_code(result)["drugs"] == counts()
    assert figures(result["total"]) == counts(1, 1, 100.0, 1, statuses(in_progress=1), 0.0)
    assert shares(result) == {"KEN": ({"organized-crime": 100.0}, 100.0)}
    # By id as well. Report 1: r1-r5, 4 covered (r5 not) = 80.0 %; 6 follow-ups.
    by_id = coverage_by_theme(report=first.pk)
    assert by_id["scope"]["report"] == "E/TEST/2026/1"
    assert (by_id["total"]["recommendations"], by_id["total"]["covered"]) == (5, 4)
    assert by_id["total"]["coverage_pct"] == 80.0
    assert sum(by_id["total"]["status_counts"].values()) == 6
    assert by_code(by_id)["organized-crime"] == counts()


def test_scope_body(data):
    result = coverage_by_theme(body="CND")  # r1 and r2
    assert result["scope"]["body"] == "CND"
    rows = by_code(result)
    assert rows["drugs"] == counts(
        2, 2, 100.0, 3, statuses(not_started=1, in_progress=1, implemented=2), 50.0, 1, 1
    )
    # Only r2 of the corruption theme: KEN implemented (unverified), CHN not_started.
    assert rows["corruption"] == counts(
        1, 1, 100.0, 2, statuses(not_started=1, implemented=1), 50.0, 0, 1
    )
    assert rows["finance"] == rows["organized-crime"] == counts()
    assert figures(result["total"]) == counts(
        2, 2, 100.0, 3, statuses(not_started=1, in_progress=1, implemented=2), 50.0, 1, 1
    )
    assert shares(result) == {
        "BOL": ({"drugs": 50.0}, 50.0),
        "CHN": ({"drugs": 50.0, "corruption": 100.0}, 50.0),
        "KEN": ({"drugs": 100.0, "corruption": 100.0}, 100.0),
    }
    assert coverage_by_theme(body=Body.objects.get(code="CCPCJ"))["total"]["recommendations"] == 1
    assert coverage_by_theme(body="GA")["total"]["recommendations"] == 0


BOLIVIA_ONLY = {
    # The recommendations are all still there; only BOL's follow-ups (r1 in_progress,
    # r3 not_applicable) count.
    "drugs": counts(2, 1, 50.0, 1, statuses(in_progress=1), 0.0),
    "organized-crime": counts(1),
    "corruption": counts(2, 1, 50.0, 1, statuses(not_applicable=1), 0.0),
    "terrorism": counts(),
    "criminal-justice": counts(),
    "research": counts(),
    "programme": counts(),
    "finance": counts(2),
}
BOLIVIA_ONLY_TOTAL = counts(6, 2, 33.3, 1, statuses(in_progress=1, not_applicable=1), 0.0)


def test_scope_member_state(data):
    result = coverage_by_theme(member_state="bol")
    assert result["scope"]["member_state"] == "BOL"
    assert by_code(result) == BOLIVIA_ONLY
    assert figures(result["total"]) == BOLIVIA_ONLY_TOTAL
    assert [s["iso3"] for s in result["states"]] == ["BOL"]
    ken = coverage_by_theme(member_state=MemberState.objects.get(iso3="KEN"))
    # KEN: r1 implemented verified, r2 implemented unverified, r6 in_progress.
    assert figures(ken["total"]) == counts(
        6, 3, 50.0, 1, statuses(in_progress=1, implemented=2), 66.7, 1, 1
    )


def test_scope_date_range(data):
    # Only BOL's follow-ups were updated in February.
    february = coverage_by_theme(
        updated_from=datetime.date(2026, 2, 1), updated_to=datetime.date(2026, 2, 28)
    )
    assert february["scope"]["updated_from"] == "2026-02-01"
    assert february["scope"]["updated_to"] == "2026-02-28"
    assert by_code(february) == BOLIVIA_ONLY
    assert figures(february["total"]) == BOLIVIA_ONLY_TOTAL
    assert [s["iso3"] for s in february["states"]] == ["BOL"]
    # A date bound takes in the whole day: BOL's 15:30 on 15 February is in "to 15 Feb".
    to_15 = coverage_by_theme(updated_to=datetime.date(2026, 2, 15))
    assert [s["iso3"] for s in to_15["states"]] == ["BOL", "KEN"]
    to_14 = coverage_by_theme(updated_to=datetime.date(2026, 2, 14))
    assert [s["iso3"] for s in to_14["states"]] == ["KEN"]
    from_16 = coverage_by_theme(updated_from=datetime.date(2026, 2, 16))
    assert [s["iso3"] for s in from_16["states"]] == ["CHN"]
    # CHN only: r2 not_started, r4 not_implemented; 2 of 6 covered.
    assert figures(from_16["total"]) == counts(
        6, 2, 33.3, 1, statuses(not_started=1, not_implemented=1), 0.0
    )
    # Datetimes bound to the instant.
    noon = datetime.datetime(2026, 2, 15, 12, 0, tzinfo=UTC)
    assert [s["iso3"] for s in coverage_by_theme(updated_to=noon)["states"]] == ["KEN"]
    by_instant = coverage_by_theme(updated_from=noon)
    assert by_instant["scope"]["updated_from"] == "2026-02-15T12:00:00+00:00"
    assert [s["iso3"] for s in by_instant["states"]] == ["BOL", "CHN"]
    # Nothing updated in 2025.
    empty = coverage_by_theme(updated_to=datetime.date(2025, 12, 31))
    assert figures(empty["total"]) == counts(6) and empty["states"] == []


def test_scope_filters_combine(data):
    first, _ = data["reports"]
    result = coverage_by_theme(
        report=first, body="CND", member_state="KEN", updated_to=datetime.date(2026, 1, 31)
    )
    # r1 and r2, KEN's two implemented follow-ups (one verified), both in January.
    assert figures(result["total"]) == counts(2, 2, 100.0, 1, statuses(implemented=2), 100.0, 1, 1)
    assert result["scope"] == {
        "report": "E/TEST/2026/1",
        "body": "CND",
        "updated_from": None,
        "updated_to": "2026-01-31",
        "member_state": "KEN",
    }


# Query budget --------------------------------------------------------------------------


def count_queries(*, kept=False, **scope):
    if not kept:
        kept_reads_forget()
    with CaptureQueriesContext(connection) as queries:
        coverage_by_theme(**scope)
    return len(queries)


def test_query_count_does_not_grow_with_the_data(staff):
    build(staff=staff)
    scope = {"body": "CND", "member_state": "KEN", "updated_from": datetime.date(2026, 1, 1)}
    report = Report.objects.get(symbol="E/TEST/2026/1")
    scopes = [{}, scope, {"report": report}, {"body": "CND", "member_state": "KEN"}]
    small = [count_queries(**each) for each in scopes]
    for copy in range(2, 6):
        build(f"-{copy}", staff=staff)
    assert coverage_by_theme()["total"]["recommendations"] == 30  # 5 x 6
    large = [count_queries(**each) for each in scopes]
    assert small == large
    assert max(large) <= 10
    assert count_queries(report=report.pk) == large[2] + 1  # looks up the symbol
    # Read again, the figures unchanged: what was read from them is kept; the token,
    # the themes' and the member states' names are read again.
    coverage_by_theme()
    assert count_queries(kept=True) == 3 < large[0]


def test_kept_reads_follow_every_write_and_never_a_rolled_back_one(data):
    """Coverage read twice without a write is answered from what this process kept;
    a write through the services, even one rolled back, is never hidden by it."""
    kept_reads_forget()
    first = coverage_by_theme()
    assert count_queries(kept=True) == 3
    assert coverage_by_theme() == first
    # A status change: a new state of the figures, read afresh.
    ken_r6 = FollowUp.objects.get(recommendation=data["r6"], member_state="KEN")
    services.follow_up_update(follow_up=ken_r6, user=None, data={"status": Status.IMPLEMENTED})
    after = coverage_by_theme()
    assert after["total"]["status_counts"]["implemented"] == 3
    assert first["total"]["status_counts"]["implemented"] == 2
    # Written, read (and kept) inside a transaction that is then rolled back: the read
    # after it gives the committed figures, not the kept ones.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.follow_up_delete(follow_up=ken_r6, user=None)
        assert coverage_by_theme()["total"]["covered"] == after["total"]["covered"] - 1
        raise RuntimeError("rolled back")
    assert coverage_by_theme() == after
    # Names are not kept: a theme renamed without any figure changing shows at once.
    Theme.objects.filter(code="drugs").update(name_en="Drugs, renamed")
    renamed = coverage_by_theme()
    assert renamed["themes"][0]["name_en"] == "Drugs, renamed"
    assert figures(renamed["themes"][0]) == figures(after["themes"][0])


# The command ---------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("coverage_report", *args, stdout=out)
    return out.getvalue()


def test_command_json_is_the_selector_result(data):
    assert json.loads(run("--format", "json")) == coverage_by_theme()
    scoped = json.loads(run("--format=json", "--report", "E/TEST/2026/1", "--member-state", "ken"))
    assert scoped == coverage_by_theme(report=data["reports"][0], member_state="KEN")
    assert scoped["scope"]["report"] == "E/TEST/2026/1"


def test_command_csv_gives_the_same_figures(data):
    result = coverage_by_theme(body="CND")
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv", "--body", "cnd"))))
    assert list(rows[0]) == [column.header for column in COVERAGE_COLUMNS]
    assert [row["theme"] for row in rows] == [*THEME_CODES, "unthemed", "total"]
    assert rows[-2]["name_en"] == "No theme"
    expected_rows = [*result["themes"], result["unthemed"], result["total"]]
    for row, expected in zip(rows, expected_rows, strict=True):
        assert row["name_zh"] == expected["name_zh"]
        assert int(row["recommendations"]) == expected["recommendations"]
        assert int(row["covered"]) == expected["covered"]
        assert float(row["coverage_pct"]) == expected["coverage_pct"]
        assert int(row["states_reporting"]) == expected["states_reporting"]
        assert {s: int(row[s]) for s in Status.values} == expected["status_counts"]
        assert float(row["implemented_pct"]) == expected["implemented_pct"]
        assert int(row["verified_implemented"]) == expected["verified_implemented"]
        assert int(row["unverified_implemented"]) == expected["unverified_implemented"]


def test_command_table_gives_the_same_figures(data):
    output = run("--from", "2026-02-01", "--to", "2026-02-28")
    lines = output.splitlines()
    assert lines[0] == "Scope: updated from 2026-02-01, updated to 2026-02-28"
    assert "coverage %" in lines[2] and "implemented %" in lines[2]
    table = {
        line.split()[0]: line.split()[1:] for line in lines[3:] if line and not line.startswith("-")
    }
    assert list(table) == [*THEME_CODES, "unthemed", "total"]
    result = coverage_by_theme(
        updated_from=datetime.date(2026, 2, 1), updated_to=datetime.date(2026, 2, 28)
    )
    for expected in [*result["themes"], result["unthemed"], result["total"]]:
        assert table[expected["code"]] == [
            str(expected["recommendations"]),
            str(expected["covered"]),
            f"{expected['coverage_pct']:.1f}",
            str(expected["states_reporting"]),
            *(str(expected["status_counts"][s]) for s in Status.values),
            f"{expected['implemented_pct']:.1f}",
            str(expected["verified_implemented"]),
            str(expected["unverified_implemented"]),
            str(expected["overdue"]),
            "—" if expected["median_age_open"] is None else str(expected["median_age_open"]),
        ]
    assert table["total"][:3] == ["6", "2", "33.3"]
    # Columns are aligned: every row as wide as the header (numbers right-aligned).
    widths = {len(line) for line in lines[2:] if line}
    assert len(widths) == 1


def test_command_table_without_scope(data):
    assert run().splitlines()[0] == "Scope: all recommendations"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--report", "E/NOPE/1"], '--report: No report with symbol "E/NOPE/1" exists'),
        (["--body", "XYZ"], '--body: Unknown body code "XYZ"; expected one of CCPCJ,'),
        (["--member-state", "ZZZ"], '--member-state: Unknown member state "ZZZ"'),
        (["--from", "2026-13-01"], "--from: Expected a date as YYYY-MM-DD"),
        (["--to", "yesterday"], "--to: Expected a date as YYYY-MM-DD"),
        (["--from", "2026-03-01", "--to", "2026-02-01"], "--from: The start date is after the"),
        (["--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_command_bad_options(data, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
