"""The maintained coverage figures are exact: random sequences of writes through the
services, and after each one the figures of every scope equal the recomputation from the
base tables (coverage_by_theme(source="tables")); coverage_rebuild --check agrees."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations import roles
from recommendations.choices import ActionKind, Status, ThemeSource
from recommendations.models import (
    Body,
    BodySession,
    CoverageFigure,
    FollowUp,
    Recommendation,
    RecommendationTheme,
    Report,
    Theme,
)
from recommendations.selectors.coverage import coverage_by_theme, coverage_for_liaison
from recommendations.services import coverage_figures
from recommendations.services import follow_ups as services
from recommendations.services.deadlines import (
    body_session_create,
    body_session_delete,
    recommendation_due_date_set,
    report_due_date_set,
    report_due_dates_refresh,
)
from recommendations.services.recommendations import recommendation_set_themes
from tests.integration.shared import make_user, state

THEMES = ["drugs", "corruption", "finance"]
BODIES = ["CND", "CCPCJ"]
STATES = ["KEN", "BOL", "CHN", "FRA"]
N_RECS = 6
TODAY = datetime.date(2026, 6, 1)
# Before, between and after the sessions and due dates the operations set.
TODAYS = [datetime.date(2025, 2, 1), TODAY, datetime.date(2027, 6, 1)]
DAYS = [datetime.date(2025, 4, 1), datetime.date(2026, 1, 10), datetime.date(2026, 12, 1)]


def make_rec(report, number, themes, bodies):
    with coverage_figures.recommendations_changing(report_ids=[report.pk]):
        rec = Recommendation.objects.create(
            report=report, paragraph=str(number), label=str(number), text="建议", position=number
        )
        for code in themes:
            RecommendationTheme.objects.create(
                recommendation=rec, theme=Theme.objects.get(code=code), source=ThemeSource.RULE
            )
        rec.bodies.set(Body.objects.filter(code__in=bodies))
    return rec


@pytest.fixture
def ground(db):
    reports = [
        Report.objects.create(
            symbol=f"E/FIG/{n}",
            source_file=f"fig{n}.txt",
            sha256="0" * 64,
            imported_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        )
        for n in (1, 2)
    ]
    Report.objects.filter(pk=reports[1].pk).update(document_date=datetime.date(2025, 6, 1))
    verifier = make_user("verifier", group=roles.SECRETARIAT)
    for body, day in [("CND", (2025, 3, 10)), ("CND", (2026, 3, 15)), ("CCPCJ", (2026, 9, 1))]:
        body_session_create(
            data={
                "body": Body.objects.get(code=body),
                "name": "session",
                "start_date": datetime.date(*day),
            },
            user=verifier,
        )
    recs = [
        make_rec(reports[0], 1, ["drugs"], ["CND"]),
        make_rec(reports[0], 2, ["drugs", "corruption"], ["CND", "CCPCJ"]),
        make_rec(reports[0], 3, [], []),
        make_rec(reports[1], 4, ["finance"], ["CCPCJ"]),
        make_rec(reports[1], 5, ["corruption", "finance"], []),
        make_rec(reports[1], 6, [], ["CND"]),
    ]
    assert services.can_verify(verifier)
    report_due_dates_refresh()  # as the import does
    assert Report.objects.filter(due_date__isnull=False).count() == 2
    return {"reports": reports, "recs": recs, "verifier": verifier}


def scopes(reports):
    """Every scope the page, API and command offer, dates aside: each dimension alone and
    in every combination, and an unknown body."""
    report_choices = [None, *(report.pk for report in reports)]
    body_choices = [None, *BODIES, "GA"]
    state_choices = [None, *STATES]
    for report, body, iso3 in itertools.product(report_choices, body_choices, state_choices):
        yield {"report": report, "body": body, "member_state": iso3}
    # Date ranges: the follow-ups written today, none, and the open-ended ones.
    today = timezone.localdate()
    for dates in [
        {"updated_from": today, "updated_to": today},
        {"updated_to": datetime.date(2020, 12, 31)},
        {"updated_from": today},
    ]:
        for report, body, iso3 in [(None, None, None), (None, "CND", None), (None, None, "KEN")]:
            yield {"report": report, "body": body, "member_state": iso3, **dates}
        yield {"report": reports[0].pk, **dates}


def assert_exact(reports, *, every_scope=True):
    assert coverage_figures.figures_differences() == []
    chosen = list(scopes(reports)) if every_scope else []
    for scope in [{}, {"member_state": "KEN"}, *chosen]:
        for today in TODAYS if scope in ({}, {"member_state": "KEN"}) else [TODAY]:
            maintained = coverage_by_theme(**scope, today=today)
            recomputed = coverage_by_theme(**scope, today=today, source="tables")
            assert maintained == recomputed, (scope, today)
        # What a liaison sees: the small-numbers rule from the theme set figures.
        if scope.get("member_state") or (not every_scope and scope):
            continue
        for own in ["KEN", "FRA"] if every_scope else ["KEN"]:
            maintained = coverage_for_liaison(own, minimum=2, **scope, today=TODAY)
            recomputed = coverage_for_liaison(own, minimum=2, **scope, today=TODAY, source="tables")
            assert maintained == recomputed, (scope, own)


statuses = st.sampled_from(list(Status.values))
recs_ = st.integers(0, N_RECS - 1)
states_ = st.sampled_from(STATES)
operations = st.one_of(
    st.tuples(st.just("create"), recs_, states_, statuses, st.booleans()),
    st.tuples(st.just("update"), recs_, states_, statuses, st.booleans()),
    st.tuples(st.just("verify"), recs_, states_),
    st.tuples(st.just("reject"), recs_, states_),
    st.tuples(st.just("delete"), recs_, states_),
    st.tuples(st.just("action"), recs_, states_),
    st.tuples(st.just("themes"), recs_, st.sets(st.sampled_from(THEMES), min_size=1)),
    st.tuples(st.just("withdraw"), recs_, st.booleans()),
    st.tuples(st.just("rec_due"), recs_, st.one_of(st.none(), st.sampled_from(DAYS))),
    st.tuples(
        st.just("report_due"), st.integers(0, 1), st.one_of(st.none(), st.sampled_from(DAYS))
    ),
    st.tuples(st.just("session"), st.sampled_from(BODIES), st.sampled_from(DAYS)),
    st.tuples(st.just("unsession"), st.sampled_from(BODIES)),
    st.tuples(
        st.just("questionnaire"),
        states_,
        st.lists(st.tuples(recs_, statuses), min_size=1, max_size=4, unique_by=lambda x: x[0]),
    ),
)


def run(operation, ground):
    """One write through the services; refusals by the rules are part of the game."""
    kind, index, *rest = operation
    user = ground["verifier"]
    if kind == "questionnaire":
        questionnaire(index, rest[0], ground)
        return
    if kind == "report_due":
        report = Report.objects.get(pk=ground["reports"][index].pk)
        report_due_date_set(report=report, due_date=rest[0], user=user)
        return
    if kind == "session":
        body = Body.objects.get(code=index)
        body_session_create(
            data={"body": body, "name": "session", "start_date": rest[0]}, user=user
        )
        return
    if kind == "unsession":
        session = BodySession.objects.filter(body__code=index).order_by("start_date").first()
        if session is not None:
            body_session_delete(session=session, user=user)
        return
    rec = Recommendation.objects.get(pk=ground["recs"][index].pk)
    if kind == "themes":
        recommendation_set_themes(
            recommendation=rec, themes=Theme.objects.filter(code__in=rest[0]), user=user
        )
        return
    if kind == "rec_due":
        recommendation_due_date_set(recommendation=rec, due_date=rest[0], user=user)
        return
    if kind == "withdraw":
        with coverage_figures.recommendations_changing([rec.pk]):
            Recommendation.objects.filter(pk=rec.pk).update(is_withdrawn=rest[0])
        return
    iso3 = rest[0]
    follow_up = FollowUp.objects.filter(recommendation=rec, member_state_id=iso3).first()
    by_verifier = rest[-1] if kind in ("create", "update") else True
    who = user if by_verifier else None
    if kind == "create":
        if follow_up is None:
            services.follow_up_create(
                recommendation=rec, member_state=state(iso3), user=who, status=rest[1]
            )
        return
    if follow_up is None:
        return
    if kind == "update":
        services.follow_up_update(
            follow_up=follow_up,
            data={"status": rest[1]},
            user=who,
            expected_version=follow_up.version,
        )
    elif kind == "verify":
        services.follow_up_verify(follow_up=follow_up, user=user)
    elif kind == "reject":
        services.follow_up_reject_claim(follow_up=follow_up, user=user, note="no evidence")
    elif kind == "delete":
        services.follow_up_delete(follow_up=follow_up, user=user)
    elif kind == "action":
        services.action_create(
            follow_up=follow_up,
            user=user,
            date=datetime.date(2026, 1, 5),
            kind=ActionKind.POLICY,
            description="政策",
        )


def questionnaire(iso3, answers, ground):
    """As the questionnaire import writes: the changed follow-ups by follow_ups_write, the
    new ones by follow_ups_insert, in one transaction."""
    member_state = state(iso3)
    user = ground["verifier"]
    prepared, built = [], []
    for index, status in answers:
        rec = Recommendation.objects.get(pk=ground["recs"][index].pk)
        if rec.is_withdrawn:
            continue
        existing = (
            FollowUp.objects.select_related("recommendation")
            .filter(recommendation=rec, member_state=member_state)
            .first()
        )
        if existing is None:
            built.append(
                services.follow_up_build(
                    recommendation=rec, member_state=member_state, user=user, status=status
                )
            )
        elif services.follow_up_prepare(existing, {"status": status}, user=user):
            prepared.append(existing)
    with transaction.atomic():
        services.follow_ups_write(prepared, user=user, via="questionnaire")
        services.follow_ups_insert(built, user=user, via="questionnaire")


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operations, min_size=1, max_size=8))
def test_figures_stay_exact_through_random_writes(ground, sequence):
    with transaction.atomic():
        for operation in sequence:
            try:
                with transaction.atomic():
                    run(operation, ground)
            except (ValidationError, services.VersionConflict):
                pass  # refused by the rules (closed recommendation...): nothing written
            assert_exact(ground["reports"], every_scope=False)
        assert_exact(ground["reports"])
        transaction.set_rollback(True)


def test_every_scope_exact_after_a_fixed_sequence(ground):
    recs, user = ground["recs"], ground["verifier"]
    for rec, iso3, status in [
        (recs[0], "KEN", Status.IMPLEMENTED),
        (recs[1], "KEN", Status.IN_PROGRESS),
        (recs[1], "BOL", Status.NOT_APPLICABLE),
        (recs[2], "CHN", Status.IMPLEMENTED),
        (recs[4], "FRA", Status.NOT_STARTED),
    ]:
        services.follow_up_create(
            recommendation=rec, member_state=state(iso3), user=None, status=status
        )
    services.follow_up_verify(follow_up=FollowUp.objects.get(recommendation=recs[0]), user=user)
    assert_exact(ground["reports"])
    result = coverage_by_theme()
    assert result["total"]["covered"] == 4
    assert result["total"]["states_reporting"] == 4
    assert result["total"]["verified_implemented"] == 1
    assert result["total"]["unverified_implemented"] == 1


def test_rebuild_check_reports_a_difference_and_rebuild_repairs_it(ground):
    services.follow_up_create(
        recommendation=ground["recs"][0], member_state=state("KEN"), user=None
    )
    call_command("coverage_rebuild", "--check", stdout=StringIO())
    CoverageFigure.objects.filter(report_key=0, body_key=0, theme_key=0, member_state="").update(
        covered=99
    )
    errors = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("coverage_rebuild", "--check", stdout=StringIO(), stderr=errors)
    assert raised.value.returncode == 1
    assert "'covered': 99" in errors.getvalue()
    call_command("coverage_rebuild", stdout=StringIO())
    call_command("coverage_rebuild", "--check", stdout=StringIO())
    assert coverage_by_theme()["total"]["covered"] == 1


def test_a_status_change_is_one_statement_on_the_figures(ground, django_assert_num_queries):
    follow_up = services.follow_up_create(
        recommendation=ground["recs"][1], member_state=state("KEN"), user=None
    )
    follow_up = FollowUp.objects.select_related("recommendation").get(pk=follow_up.pk)
    # The savepoint, the conditional UPDATE, the history INSERT, the figures' new version,
    # their one INSERT ... SELECT ... ON CONFLICT DO UPDATE (keys read in the same
    # statement), release.
    with django_assert_num_queries(6):
        services.follow_up_update(
            follow_up=follow_up,
            data={"status": Status.IN_PROGRESS},
            user=None,
            expected_version=follow_up.version,
        )
    assert_exact(ground["reports"], every_scope=False)
