"""Synthetic demo data at scale: reports, recommendations, follow-ups and actions.

Everything is drawn from one `random.Random(seed)`, in a fixed order, so the same seed and
sizes give the same rows (ids aside, which depend on what the database held before).
Rows are written with `bulk_create` in batches, inside one transaction:

- `bulk_create` bypasses `save()` and its signals, so **no audit history is written** for
  demo rows (django-simple-history listens to those signals);
- the `auto_now` / `auto_now_add` timestamps are set from the seed, not from the clock,
  so that dates are spread over the years like real data (see `_timestamps_as_given`).

Deadlines as in real data: every body the demo reports are addressed to gets a regular
session each March of FIRST_SESSION_YEAR..LAST_SESSION_YEAR, and in some years a
reconvened one in December; the reports' due dates then follow from those sessions as
the product computes them (services/deadlines.py), and about one recommendation in a
hundred carries a due date of its own. Sessions and own due dates are drawn from random
generators of their own, so the rest of the data set is the same as without them.

Demo reports are recognised by their symbol, which starts with DEMO_PREFIX, demo sessions
of the (shared, real) bodies by their name, which starts with DEMO_PREFIX too. Building
the demo set first removes the previous one (and everything logged against it). It refuses to
run beside real imported reports unless `force` is given, so that nobody mixes synthetic
follow-ups into a production database by mistake.
"""

import datetime
import hashlib
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from recommendations.choices import ActionKind, Response, Status, ThemeSource
from recommendations.models import (
    Action,
    Body,
    BodySession,
    FollowUp,
    MemberState,
    Recommendation,
    RecommendationTheme,
    Report,
    ReportSession,
    Theme,
)
from recommendations.services.coverage_figures import figures_rebuilt_after
from recommendations.services.deadlines import report_due_dates_refresh

DEMO_PREFIX = "DEMO/"
DEMO_USERNAME = "demo-secretariat"
BATCH_SIZE = 2000
# Buffered rows are written once this many follow-ups (or recommendations) are waiting.
FLUSH_FOLLOW_UPS = 20_000
FLUSH_RECOMMENDATIONS = 4_000

FIRST_DAY = datetime.date(2004, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)  # never in the future: actions must not be
# Sessions of the bodies: late enough for the last demo report's due date.
FIRST_SESSION_YEAR, LAST_SESSION_YEAR = 2004, 2026

# Common characters of UN Chinese texts, and punctuation (repeated to weigh it).
_CJK = (
    "会员国毒品和犯罪问题办公室委员会建议加强国际合作预防打击贩运人口腐败恐怖主义刑事司法"
    "研究趋势分析法医学支持综合方案拟订战略规划评价财务伙伴关系执行情况报告审议考虑技术援助"
    "能力建设数据收集国家区域全球机制框架政策措施法律实施监测资源捐款资金可持续发展目标"
    "卫生人权性别平等青年儿童监狱替代发展药物滥用治疗康复网络犯罪洗钱资产追回廉正公约"
    "缔约方会议秘书长执行主任请鼓励促请不妨似宜进一步确保提供支助继续开展有效应对"
)
_PUNCTUATION = "，，，，，、、；"
_POOL = _CJK + _PUNCTUATION
_ADDRESSEE_FORMS = ["{}不妨考虑请会员国：", "{}似宜：", "{}不妨鼓励会员国：", "{}不妨请秘书处："]
_AUTHORS = ["执行主任", "秘书长", "秘书处"]
_SDG_TARGETS = ["3.3", "3.5", "5.2", "10.7", "16.1", "16.3", "16.4", "16.4.2", "16.5", "17.17"]
_LETTERS = "abcdefghijklmnop"

_STATUSES = [
    (Status.NOT_STARTED, 20),
    (Status.IN_PROGRESS, 40),
    (Status.IMPLEMENTED, 25),
    (Status.NOT_IMPLEMENTED, 10),
    (Status.NOT_APPLICABLE, 5),
]
_RESPONSES = [
    ("", 30),
    (Response.ACCEPTED, 45),
    (Response.NOTED, 15),
    (Response.UNDER_CONSIDERATION, 10),
]
_STATUS_CODES = [str(code) for code, _ in _STATUSES]
_STATUS_CUMULATIVE = list(itertools.accumulate(weight for _, weight in _STATUSES))
_RESPONSE_CODES = [str(code) for code, _ in _RESPONSES]
_RESPONSE_CUMULATIVE = list(itertools.accumulate(weight for _, weight in _RESPONSES))
_ACTION_KINDS = list(ActionKind.values)
_VERIFIED_SHARE = 0.6  # of implemented claims
_WITHDRAWN_SHARE = 0.02
_UNCOVERED_SHARE = 0.15  # active recommendations nobody follows up
_HEADINGS_SHARE = 0.4  # reports whose recommendations sit under theme headings
_RECONVENED_SHARE = 0.3  # years in which a body reconvenes in December
_OWN_DUE_DATE_SHARE = 0.01  # recommendations with a due date of their own


class RealDataPresent(Exception):
    """The database holds imported (non-demo) reports and `force` was not given."""


@dataclass(frozen=True)
class DemoSummary:
    reports: int
    recommendations: int
    theme_links: int
    body_links: int
    follow_ups: int
    actions: int
    replaced_reports: int
    sessions: int = 0
    due_reports: int = 0


def demo_reports() -> models.QuerySet[Report]:
    return Report.objects.filter(symbol__startswith=DEMO_PREFIX)


def real_reports() -> models.QuerySet[Report]:
    return Report.objects.exclude(symbol__startswith=DEMO_PREFIX)


def demo_sessions() -> models.QuerySet[BodySession]:
    return BodySession.objects.filter(name__startswith=DEMO_PREFIX)


def demo_build(
    *,
    recommendations: int,
    follow_ups: int,
    seed: int = 0,
    actions_per_follow_up: float = 0.5,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Replace the demo data set with a new one of the given size.

    Raises ValueError for impossible sizes and RealDataPresent beside real reports
    (unless `force`). One transaction: on any failure the database is left as it was.
    """
    _check_sizes(recommendations, follow_ups, actions_per_follow_up)
    real = real_reports()
    if not force and real.exists():
        example = real.order_by("symbol").values_list("symbol", flat=True).first()
        raise RealDataPresent(
            f"the database holds {real.count()} imported report(s) (e.g. {example}); "
            "demo data belongs in an empty or demo-only database. Pass --force to add it "
            "anyway (real reports and their follow-ups are left untouched)."
        )
    say = progress or (lambda message: None)
    with transaction.atomic(), _timestamps_as_given(Recommendation, FollowUp, Action):
        replaced = _delete_demo_data()
        if replaced:
            say(f"removed the previous demo data ({replaced} reports)")
        builder = _Builder(
            seed=seed,
            recommendations=recommendations,
            follow_ups=follow_ups,
            actions_per_follow_up=actions_per_follow_up,
            say=say,
        )
        builder.build()
        # bulk_create goes around the services: the due dates (of every report: real ones
        # addressed to the same bodies too, as a session created by staff would) and the
        # coverage figures are recomputed.
        say("setting the reports' due dates from the sessions")
        with figures_rebuilt_after():
            report_due_dates_refresh()
            say("recomputing the coverage figures")
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load, or the planner guesses from empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    return DemoSummary(
        replaced_reports=replaced,
        due_reports=demo_reports().filter(due_date__isnull=False).count(),
        **builder.counts,
    )


def _check_sizes(recommendations: int, follow_ups: int, actions_per_follow_up: float) -> None:
    if recommendations < 0 or follow_ups < 0:
        raise ValueError("sizes must be 0 or more")
    if actions_per_follow_up < 0:
        raise ValueError("actions per follow-up must be 0 or more")
    states = MemberState.objects.count()
    if follow_ups > recommendations * states:
        raise ValueError(
            f"{follow_ups} follow-ups do not fit: at most one per recommendation and member "
            f"state, i.e. {recommendations} × {states} = {recommendations * states}"
        )


def _delete_demo_data() -> int:
    """Delete the demo reports and everything under them, and the demo sessions; returns
    how many reports.

    Plain SQL deletes (QuerySet._raw_delete): the ORM's delete() would load every row to
    send signals and write a history record per row, which at a million rows is minutes.
    """
    sessions = demo_sessions()
    sessions._raw_delete(sessions.db)
    reports = demo_reports()
    count = reports.count()
    if not count:
        return 0
    recs = Recommendation.objects.filter(report__in=reports).values("pk")
    follow_ups = FollowUp.objects.filter(recommendation__in=recs).values("pk")
    for queryset in (
        Action.objects.filter(follow_up__in=follow_ups),
        FollowUp.objects.filter(recommendation__in=recs),
        RecommendationTheme.objects.filter(recommendation__in=recs),
        Recommendation.bodies.through.objects.filter(recommendation__in=recs),
        Recommendation.objects.filter(report__in=reports),
        ReportSession.objects.filter(report__in=reports),
        reports,
    ):
        queryset._raw_delete(queryset.db)
    return count


@contextmanager
def _timestamps_as_given(*model_classes) -> Iterator[None]:
    """Within the block, auto_now / auto_now_add fields keep the values the rows carry.

    The flags live on the model classes, so this is for single-threaded commands only.
    """
    fields = [
        field
        for model in model_classes
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _at(day: datetime.date, seconds: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC) + (
        datetime.timedelta(seconds=seconds)
    )


def _cap(day: datetime.date) -> datetime.date:
    return min(day, LAST_DAY)


class _Builder:
    def __init__(self, *, seed, recommendations, follow_ups, actions_per_follow_up, say):
        self.rng = random.Random(seed)
        # Generators of their own: the deadlines leave the other rows as they were.
        self.session_rng = random.Random(f"demo sessions {seed}")
        self.due_rng = random.Random(f"demo due dates {seed}")
        self.addressed: set[Body] = set()
        self.n_recommendations = recommendations
        self.n_follow_ups = follow_ups
        self.actions_per_follow_up = actions_per_follow_up
        self.say = say
        self.themes = list(Theme.objects.order_by("code"))
        self.bodies = list(Body.objects.order_by("code"))
        self.states = list(MemberState.objects.order_by("iso3").values_list("iso3", flat=True))
        self.verifier = _demo_user() if follow_ups else None
        self.counts = dict.fromkeys(
            [
                "reports",
                "recommendations",
                "theme_links",
                "body_links",
                "follow_ups",
                "actions",
                "sessions",
            ],
            0,
        )
        self._pending: dict[type, list] = {}

    # Drawing --------------------------------------------------------------------------

    def text(self, low: int, high: int, mode: int) -> str:
        rng = self.rng
        length = int(rng.triangular(low, high, mode))
        body = "".join(rng.choices(_POOL, k=length - 1)).strip(_PUNCTUATION)
        return (rng.choice(_CJK) + body)[: length - 1] + "。"

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        span = (last - first).days
        return first + datetime.timedelta(days=self.rng.randint(0, max(span, 0)))

    def follow_up_counts(self) -> list[int]:
        """How many member states follow up each recommendation: exactly n_follow_ups."""
        rng = self.rng
        cap = len(self.states)
        weights = []
        for _ in range(self.n_recommendations):
            uncovered = rng.random() < _UNCOVERED_SHARE
            weights.append(0.0 if uncovered else rng.expovariate(1.0))
        total = sum(weights) or 1.0
        counts = [min(cap, int(self.n_follow_ups * w / total)) for w in weights]
        missing = self.n_follow_ups - sum(counts)
        order = list(range(self.n_recommendations))
        rng.shuffle(order)
        # Top up the recommendations already followed up first, then any other.
        for pass_over_all in (False, True):
            while missing:
                added = 0
                for index in order:
                    if not missing:
                        break
                    if counts[index] < cap and (pass_over_all or weights[index] > 0):
                        counts[index] += 1
                        missing -= 1
                        added += 1
                if not added:
                    break
        return counts

    # Building -------------------------------------------------------------------------

    def build(self) -> None:
        counts = self.follow_up_counts()
        made = 0
        number = 0
        while made < self.n_recommendations:
            number += 1
            size = min(self.rng.randint(10, 70), self.n_recommendations - made)
            self.report(number, counts[made : made + size])
            made += size
            if (
                len(self._pending.get(FollowUp, ())) >= FLUSH_FOLLOW_UPS
                or len(self._pending.get(Recommendation, ())) >= FLUSH_RECOMMENDATIONS
            ):
                self.flush()
        self.flush()
        self.body_sessions()

    def report(self, number: int, follow_up_counts: list[int]) -> None:
        rng = self.rng
        document_date = self.day_between(FIRST_DAY, LAST_DAY - datetime.timedelta(days=400))
        report_bodies = rng.sample(self.bodies, rng.choice([1, 1, 1, 2]))
        self.addressed.update(report_bodies)
        symbol = f"{DEMO_PREFIX}{report_bodies[0].code}/{document_date.year}/{number}"
        report = Report(
            symbol=symbol,
            symbol_from_text=True,
            title=f"{report_bodies[0].name_zh}：{rng.choice(self.themes).name_zh}（演示数据）",
            author=rng.choice(_AUTHORS),
            document_date=document_date,
            language="zh",
            source_file=f"demo-{number:05d}.txt",
            source_format="demo",
            sha256=hashlib.sha256(symbol.encode()).hexdigest(),
            recommendations_section="五. 建议",
            imported_at=_at(document_date + datetime.timedelta(days=30), 9 * 3600),
        )
        self.add(report)
        sessions = []
        for position, body in enumerate(report_bodies, start=1):
            start = document_date + datetime.timedelta(days=rng.randint(60, 120))
            sessions.append(
                ReportSession(
                    report=report,
                    body=body,
                    body_name=body.name_zh,
                    session=f"第{rng.randint(40, 70)}届会议",
                    start_date=start,
                    end_date=start + datetime.timedelta(days=4),
                    place="维也纳",
                    agenda_item=str(rng.randint(3, 12)),
                    position=position,
                )
            )
        self.add(*sessions)
        self.recommendations(report, report_bodies, follow_up_counts)

    def body_sessions(self) -> None:
        """A regular session in March of every year, sometimes a reconvened one in
        December, for each body a demo report is addressed to (not where the body already
        has a session that day)."""
        rng = self.session_rng
        bodies = sorted(self.addressed, key=lambda body: body.code)
        taken = set(
            BodySession.objects.filter(body__in=bodies).values_list("body_id", "start_date")
        )
        rows = []
        for body in bodies:
            for year in range(FIRST_SESSION_YEAR, LAST_SESSION_YEAR + 1):
                number = year - FIRST_SESSION_YEAR + 47
                start = datetime.date(year, 3, rng.randint(8, 20))
                rows.append((body, f"{DEMO_PREFIX}第{number}届会议", start, 5))
                if rng.random() < _RECONVENED_SHARE:
                    start = datetime.date(year, 12, rng.randint(1, 10))
                    rows.append((body, f"{DEMO_PREFIX}第{number}届会议续会", start, 2))
        sessions = [
            BodySession(
                body=body,
                name=name,
                start_date=start,
                end_date=start + datetime.timedelta(days=days - 1),
            )
            for body, name, start, days in rows
            if (body.pk, start) not in taken
        ]
        BodySession.objects.bulk_create(sessions, batch_size=BATCH_SIZE)
        self.counts["sessions"] = len(sessions)

    def recommendations(self, report: Report, report_bodies: list, follow_up_counts) -> None:
        rng = self.rng
        headed = rng.random() < _HEADINGS_SHARE
        paragraph = rng.randint(20, 90)
        heading_theme = rng.choice(self.themes)
        position = 0
        while position < len(follow_up_counts):
            paragraph += 1
            if headed and rng.random() < 0.3:
                heading_theme = rng.choice(self.themes)
            items = [""] if rng.random() < 0.35 else list(_LETTERS[: rng.randint(2, 8)])
            bodies = rng.sample(report_bodies, rng.randint(1, len(report_bodies)))
            addressee = rng.choice(_ADDRESSEE_FORMS).format(bodies[0].name_zh)
            for item in items[: len(follow_up_counts) - position]:
                self.recommendation(
                    report=report,
                    paragraph=str(paragraph),
                    item=item,
                    position=position + 1,
                    addressee=addressee,
                    bodies=bodies,
                    heading_theme=heading_theme if headed else None,
                    follow_ups=follow_up_counts[position],
                )
                position += 1

    def recommendation(
        self, *, report, paragraph, item, position, addressee, bodies, heading_theme, follow_ups
    ) -> None:
        rng = self.rng
        created = _at(report.imported_at.date(), rng.randint(0, 86399))
        due_date = None
        if self.due_rng.random() < _OWN_DUE_DATE_SHARE:
            due_date = report.document_date + datetime.timedelta(
                days=self.due_rng.randint(180, 900)
            )
        rec = Recommendation(
            report=report,
            paragraph=paragraph,
            item=item,
            label=f"{paragraph}({item})" if item else paragraph,
            text=self.text(40, 400, 120),
            addressee=addressee,
            heading=heading_theme.name_zh if heading_theme else "",
            sdg_targets=sorted(rng.sample(_SDG_TARGETS, rng.choice([0, 0, 1, 1, 2, 3]))),
            position=position,
            source_line=position * 7 + rng.randint(0, 6),
            is_withdrawn=rng.random() < _WITHDRAWN_SHARE,
            due_date=due_date,
            created_at=created,
            updated_at=created,
        )
        self.add(rec)
        if heading_theme is not None:
            themes, source = [heading_theme], ThemeSource.HEADING
        else:
            themes = rng.sample(self.themes, rng.choice([1, 1, 1, 2, 2, 3]))
            source = ThemeSource.RULE
        self.add(*(RecommendationTheme(recommendation=rec, theme=t, source=source) for t in themes))
        through = Recommendation.bodies.through
        self.add(*(through(recommendation=rec, body=body) for body in bodies))
        for iso3 in sorted(rng.sample(self.states, follow_ups)):
            self.follow_up(rec, iso3)

    def follow_up(self, rec: Recommendation, iso3: str) -> None:
        rng = self.rng
        first = rec.created_at.date()
        created_day = _cap(first + datetime.timedelta(days=rng.randint(0, 720)))
        updated_day = _cap(created_day + datetime.timedelta(days=rng.randint(0, 365)))
        created = _at(created_day, rng.randint(0, 86399))
        updated = max(created, _at(updated_day, rng.randint(0, 86399)))
        status = rng.choices(_STATUS_CODES, cum_weights=_STATUS_CUMULATIVE)[0]
        verified = status == Status.IMPLEMENTED and rng.random() < _VERIFIED_SHARE
        follow_up = FollowUp(
            recommendation=rec,
            member_state_id=iso3,
            status=status,
            response=rng.choices(_RESPONSE_CODES, cum_weights=_RESPONSE_CUMULATIVE)[0],
            verified_at=updated if verified else None,
            verified_by=self.verifier if verified else None,
            version=rng.randint(1, 4),
            created_at=created,
            updated_at=updated,
        )
        self.add(follow_up)
        # A geometric number of actions, with mean actions_per_follow_up.
        keep_going = self.actions_per_follow_up / (1 + self.actions_per_follow_up)
        while rng.random() < keep_going:
            day = self.day_between(created_day, updated_day)
            at = _at(day, rng.randint(0, 86399))
            self.add(
                Action(
                    follow_up=follow_up,
                    date=day,
                    kind=rng.choice(_ACTION_KINDS),
                    description=self.text(20, 200, 60),
                    evidence_url=(
                        f"https://example.org/evidence/{rng.randrange(10**6):06d}"
                        if rng.random() < 0.4
                        else ""
                    ),
                    created_at=at,
                    updated_at=at,
                )
            )

    # Writing --------------------------------------------------------------------------

    def add(self, *rows) -> None:
        if rows:
            self._pending.setdefault(type(rows[0]), []).extend(rows)

    def flush(self) -> None:
        """Write the buffered rows, parents before children (children need their ids)."""
        order = [
            (Report, "reports"),
            (ReportSession, None),
            (Recommendation, "recommendations"),
            (RecommendationTheme, "theme_links"),
            (Recommendation.bodies.through, "body_links"),
            (FollowUp, "follow_ups"),
            (Action, "actions"),
        ]
        for model, counter in order:
            rows = self._pending.pop(model, [])
            if rows:
                model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
                if counter:
                    self.counts[counter] += len(rows)
        self.say(
            "written: {reports} reports, {recommendations} recommendations, "
            "{follow_ups} follow-ups, {actions} actions".format(**self.counts)
        )


def _demo_user():
    """The (inactive) staff account demo verifications are attributed to."""
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
