"""seed_demo: deterministic synthetic data, the sizes asked for, and no mixing with real data."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from recommendations.choices import Status, ThemeSource
from recommendations.models import (
    Action,
    Body,
    BodySession,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationTheme,
    Report,
)
from recommendations.services.deadlines import default_due_dates
from recommendations.services.demo import DEMO_PREFIX, demo_build, demo_sessions

pytestmark = pytest.mark.django_db


def seed_demo(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Every demo row by its natural key (ids depend on what the database held before)."""
    return {
        "reports": list(
            Report.objects.order_by("symbol").values_list(
                "symbol", "title", "author", "document_date", "imported_at", "sha256"
            )
        ),
        "sessions": list(
            Report.objects.order_by("symbol", "sessions__position").values_list(
                "symbol", "sessions__body__code", "sessions__session", "sessions__start_date"
            )
        ),
        "recommendations": list(
            Recommendation.objects.order_by("report__symbol", "position").values_list(
                "report__symbol",
                "paragraph",
                "item",
                "label",
                "text",
                "addressee",
                "heading",
                "sdg_targets",
                "is_withdrawn",
                "created_at",
            )
        ),
        "themes": sorted(
            RecommendationTheme.objects.values_list(
                "recommendation__report__symbol", "recommendation__label", "theme__code", "source"
            )
        ),
        "bodies": sorted(
            Recommendation.objects.values_list("report__symbol", "label", "bodies__code")
        ),
        "follow_ups": sorted(
            FollowUp.objects.values_list(
                "recommendation__report__symbol",
                "recommendation__label",
                "member_state_id",
                "status",
                "response",
                "verified_at",
                "version",
                "created_at",
                "updated_at",
            )
        ),
        "body_sessions": list(
            BodySession.objects.order_by("body__code", "start_date").values_list(
                "body__code", "name", "start_date", "end_date"
            )
        ),
        "due_dates": sorted(
            Recommendation.objects.values_list(
                "report__symbol", "label", "due_date", "report__due_date"
            )
        ),
        "actions": sorted(
            Action.objects.values_list(
                "follow_up__recommendation__report__symbol",
                "follow_up__recommendation__label",
                "follow_up__member_state_id",
                "date",
                "kind",
                "description",
                "evidence_url",
                "created_at",
            )
        ),
    }


def test_works_on_an_empty_database_with_the_counts_asked_for():
    assert not Report.objects.exists()
    output = seed_demo("--recommendations", "120", "--follow-ups", "1500", "--seed", "3")
    assert Recommendation.objects.count() == 120
    assert FollowUp.objects.count() == 1500
    assert "120 recommendations" in output and "1500 follow-ups" in output
    assert Report.objects.exclude(symbol__startswith=DEMO_PREFIX).count() == 0
    # About half an action per follow-up (geometric, mean 0.5).
    assert 500 < Action.objects.count() < 1000


def test_same_seed_same_rows_and_another_seed_other_rows():
    demo_build(recommendations=60, follow_ups=700, seed=11)
    first = snapshot()
    assert first["follow_ups"] and first["actions"]
    demo_build(recommendations=60, follow_ups=700, seed=11)  # replaces the previous set
    assert snapshot() == first
    demo_build(recommendations=60, follow_ups=700, seed=12)
    other = snapshot()
    assert other["recommendations"] != first["recommendations"]
    assert other["follow_ups"] != first["follow_ups"]


def test_rows_are_unique_and_well_formed():
    demo_build(recommendations=300, follow_ups=4000, seed=5)
    # One follow-up per recommendation and member state, over the member states only.
    pairs = FollowUp.objects.values("recommendation_id", "member_state_id").distinct().count()
    assert pairs == FollowUp.objects.count() == 4000
    assert set(FollowUp.objects.values_list("member_state_id", flat=True)) <= set(
        MemberState.objects.values_list("iso3", flat=True)
    )
    assert FollowUp.objects.values("member_state_id").distinct().count() > 150
    # Labels unique per report; positions run 1..n in each report.
    labels = Recommendation.objects.values("report_id", "label").distinct().count()
    assert labels == Recommendation.objects.count()
    for report in Report.objects.annotate(n=Count("recommendations")):
        positions = sorted(report.recommendations.values_list("position", flat=True))
        assert positions == list(range(1, report.n + 1))
    # 1-3 themes each, from a heading (one) or from keyword rules.
    per_rec = Recommendation.objects.annotate(n=Count("theme_links")).values_list("n", flat=True)
    assert set(per_rec) <= {1, 2, 3} and 1 in set(per_rec)
    assert set(RecommendationTheme.objects.values_list("source", flat=True)) == {
        ThemeSource.HEADING,
        ThemeSource.RULE,
    }
    headed = Recommendation.objects.exclude(heading="")
    assert headed.exists()
    for rec in headed.prefetch_related("theme_links__theme")[:20]:
        assert [(link.theme.name_zh, link.source) for link in rec.theme_links.all()] == [
            (rec.heading, ThemeSource.HEADING)
        ]
    assert not Recommendation.objects.annotate(n=Count("bodies")).filter(n=0).exists()
    # Texts of realistic lengths, ending a sentence.
    for text in Recommendation.objects.values_list("text", flat=True):
        assert 40 <= len(text) <= 400 and text.endswith("。")
    # Statuses, responses and verification spread; verified only when implemented.
    assert set(FollowUp.objects.values_list("status", flat=True)) == set(Status.values)
    verified = FollowUp.objects.filter(verified_at__isnull=False)
    assert verified.exists() and not verified.exclude(status=Status.IMPLEMENTED).exists()
    assert FollowUp.objects.filter(status=Status.IMPLEMENTED, verified_at__isnull=True).exists()
    # Dates spread over the years, never in the future, actions within their follow-up.
    years = {d.year for d in FollowUp.objects.values_list("updated_at", flat=True)}
    assert len(years) > 5
    assert max(Action.objects.values_list("date", flat=True)) <= timezone.localdate()
    for action in Action.objects.select_related("follow_up")[:200]:
        assert action.follow_up.created_at.date() <= action.date
        assert action.date <= action.follow_up.updated_at.date()


def test_no_audit_history_is_written():
    demo_build(recommendations=20, follow_ups=100, seed=1)
    assert FollowUp.objects.exists()
    assert not FollowUp.history.exists()
    assert not Recommendation.history.exists()
    assert not Action.history.exists()


def test_refuses_beside_real_reports_unless_forced():
    real = Report.objects.create(
        symbol="E/CN.7/2017/1",
        source_file="001.txt",
        sha256="0" * 64,
        imported_at=timezone.now(),
    )
    with pytest.raises(
        CommandError, match=r"1 imported report\(s\) \(e\.g\. E/CN\.7/2017/1\).*--force"
    ):
        seed_demo("--recommendations", "10", "--follow-ups", "10")
    assert Report.objects.count() == 1
    seed_demo("--recommendations", "10", "--follow-ups", "10", "--force")
    assert Recommendation.objects.filter(report__symbol__startswith=DEMO_PREFIX).count() == 10
    # Replacing the demo set leaves the real report alone.
    seed_demo("--recommendations", "5", "--follow-ups", "0", "--force")
    assert Report.objects.filter(pk=real.pk).exists()
    assert Recommendation.objects.count() == 5 and not FollowUp.objects.exists()


def test_impossible_sizes_are_refused_clearly():
    with pytest.raises(CommandError, match=r"at most one per recommendation and member state"):
        seed_demo("--recommendations", "2", "--follow-ups", "1000")
    with pytest.raises(CommandError, match="0 or more"):
        seed_demo("--recommendations", "-1")
    assert not Report.objects.exists()


def test_every_pair_taken_when_follow_ups_fill_all_member_states():
    states = MemberState.objects.count()
    demo_build(recommendations=3, follow_ups=3 * states, seed=2, actions_per_follow_up=0)
    assert FollowUp.objects.count() == 3 * states
    assert not Action.objects.exists()


def test_dates_are_deterministic_not_the_clock():
    demo_build(recommendations=10, follow_ups=50, seed=4)
    latest = FollowUp.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0]
    assert latest < datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def test_sessions_of_the_bodies_give_the_reports_due_dates():
    body = Body.objects.order_by("code").first()
    real = BodySession.objects.create(body=body, name="68th", start_date=datetime.date(2010, 3, 1))
    summary = demo_build(recommendations=400, follow_ups=2000, seed=7)
    sessions = demo_sessions()
    assert summary.sessions == sessions.count() > 0
    addressed = set(Recommendation.objects.values_list("bodies", flat=True))
    assert set(sessions.values_list("body", flat=True)) == addressed
    march = sessions.filter(start_date__month=3)
    assert march.count() == len(addressed) * (2026 - 2004 + 1)  # every year
    assert sessions.filter(start_date__month=12).exists()  # reconvened, some years
    # The due dates are those the product computes from the sessions, for every report.
    reports = list(Report.objects.all())
    due = default_due_dates(reports)
    assert [r.due_date for r in reports] == [due[r.pk] for r in reports]
    assert summary.due_reports == len(reports) and all(due.values())
    own = Recommendation.objects.filter(due_date__isnull=False)
    assert 0 < own.count() < 20  # about one in a hundred
    # Replaced: the demo sessions go with the demo data, a real session stays.
    demo_build(recommendations=0, follow_ups=0, seed=7)
    assert not demo_sessions().exists()
    assert list(BodySession.objects.all()) == [real]
