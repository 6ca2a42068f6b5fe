import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import ActionKind, Response, Status, ThemeSource


class LocalisedName:
    """`name` in the active language: Chinese for zh-*, English otherwise."""

    @property
    def name(self) -> str:
        language = get_language() or ""
        return self.name_zh if language.startswith("zh") else self.name_en

    def __str__(self) -> str:
        return self.name


# Codes of the coverage table's own rows (selectors/coverage.py): no theme may take them.
RESERVED_THEME_CODES = frozenset({"total", "unthemed"})


class Theme(LocalisedName, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # {"zh": [...], "en": [...]}: the keyword rules of the import (parsing/themes.py).
    keywords = models.JSONField(_("keywords"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def clean(self):
        super().clean()
        if self.code in RESERVED_THEME_CODES:
            raise ValidationError(
                {"code": _("“%(code)s” is reserved for the coverage table.") % {"code": self.code}}
            )

    def keywords_in(self, language: str) -> list[str]:
        return list((self.keywords or {}).get(language, []))


class Body(LocalisedName, models.Model):
    """A governing body that reports are addressed to (CND, CCPCJ, GA …)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.name


class BodySession(models.Model):
    """A session of a governing body and when it meets. A report's follow-up is due by
    the first session of a body it is addressed to after the session (or date) of the
    report itself (services/deadlines.py)."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("body")
    )
    name = models.CharField(
        _("session"), max_length=100, help_text=_("As the body names it, e.g. “68th session”.")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "start_date"]
        verbose_name = _("session of a body")
        verbose_name_plural = _("sessions of bodies")
        constraints = [
            models.UniqueConstraint(fields=["body", "start_date"], name="body_session_unique"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="body_session_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body.code} {self.name} ({self.start_date.isoformat()})"


class MemberState(LocalisedName, models.Model):
    iso3 = models.CharField(_("ISO3 code"), max_length=3, primary_key=True)
    name_en = models.CharField(_("English name"), max_length=100, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("member state")
        verbose_name_plural = _("member states")


class Report(models.Model):
    symbol = models.CharField(
        _("symbol"),
        max_length=200,
        unique=True,
        help_text=_("The UN document symbol when the text states it, otherwise the file name."),
    )
    symbol_from_text = models.BooleanField(_("symbol stated in the text"), default=False)
    title = models.TextField(_("title"), blank=True)
    author = models.CharField(_("author"), max_length=100, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh")
    source_file = models.CharField(_("source file"), max_length=255)
    source_format = models.CharField(_("source format"), max_length=20, blank=True)
    sha256 = models.CharField(_("SHA-256 of the source"), max_length=64)
    parser_version = models.PositiveSmallIntegerField(_("parser version"), default=1)
    recommendations_section = models.CharField(
        _("recommendations section"),
        max_length=200,
        blank=True,
        help_text=_("Title of the section the recommendations were read from; empty if none."),
    )
    imported_at = models.DateTimeField(_("imported at"))
    due_date = models.DateField(
        _("follow-up due"),
        null=True,
        blank=True,
        help_text=_(
            "The date by which member states report on the recommendations: by default "
            "the next session of a body the report is addressed to."
        ),
    )
    due_date_set_by_staff = models.BooleanField(
        _("due date set by staff"),
        default=False,
        help_text=_("When set, the sessions of the bodies no longer change the due date."),
    )

    class Meta:
        ordering = ["symbol"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [("import_report", _("Can import reports"))]

    # What __str__ reads (for lists of every report: .only(*NAME_FIELDS)).
    NAME_FIELDS = ("pk", "symbol", "symbol_from_text", "title", "source_file", "document_date")

    def __str__(self) -> str:
        """ "A/80/75 — Implementation of … (2025)": the symbol the document states, its
        short title and year; the file name only when it states neither."""
        return _report_name(self)


def _report_name(report: Report, *, short: bool = False) -> str:
    """The name people use for a report: the symbol the document states and its short
    title and year, or (`short`, in its recommendations' names) the symbol alone; the
    file name only when the document states neither symbol nor title."""
    symbol = report.symbol if report.symbol_from_text else ""
    title, limit = " ".join(report.title.split()), 30 if short else 60
    if len(title) > limit:  # (Truncator is slow: lists of thousands of reports)
        title = Truncator(title).chars(limit, truncate="…")
    if short and symbol:
        return symbol
    if not symbol and not title:
        return report.source_file or report.symbol
    name = " — ".join(part for part in (symbol, title) if part)
    if not short and report.document_date:
        return f"{name} ({report.document_date.year})"
    return name


class ReportVersion(models.Model):
    """One language version of a report as imported: the original (Report.language)
    and each translation imported under the same symbol."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="versions", verbose_name=_("report")
    )
    language = models.CharField(_("language"), max_length=10)
    title = models.TextField(_("title"), blank=True)
    source_file = models.CharField(_("source file"), max_length=255)
    source_format = models.CharField(_("source format"), max_length=20, blank=True)
    sha256 = models.CharField(_("SHA-256 of the source"), max_length=64)
    parser_version = models.PositiveSmallIntegerField(_("parser version"), default=1)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["report", "language"]
        verbose_name = _("language version")
        verbose_name_plural = _("language versions")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "language"], name="report_version_unique_language"
            )
        ]

    def __str__(self) -> str:
        return f"{_report_name(self.report, short=True)} ({self.language})"


class ReportSession(models.Model):
    """A body and session a report is addressed to, with its agenda item."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("report")
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("body")
    )
    body_name = models.CharField(_("body name"), max_length=200)
    session = models.CharField(_("session"), max_length=100, blank=True)
    dates = models.CharField(_("dates"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    agenda_item = models.CharField(_("agenda item"), max_length=20, blank=True)
    agenda_symbol = models.CharField(_("agenda symbol"), max_length=100, blank=True)
    agenda_title = models.TextField(_("agenda item title"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("report session")
        verbose_name_plural = _("report sessions")

    def __str__(self) -> str:
        return f"{self.body_name} {self.session}".strip()


class Recommendation(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("report")
    )
    paragraph = models.CharField(_("paragraph"), max_length=10)
    item = models.CharField(_("item"), max_length=5, blank=True)
    label = models.CharField(_("label"), max_length=20)
    text = models.TextField(_("text"))
    addressee = models.TextField(_("addressee"), blank=True)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    themes = models.ManyToManyField(
        Theme,
        through="RecommendationTheme",
        related_name="recommendations",
        verbose_name=_("themes"),
    )
    themes_overridden = models.BooleanField(
        _("themes set by staff"),
        default=False,
        help_text=_("When set, re-importing the report leaves the themes as staff set them."),
    )
    bodies = models.ManyToManyField(
        Body, blank=True, related_name="recommendations", verbose_name=_("bodies")
    )
    sdg_targets = models.JSONField(_("SDG targets"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"))
    source_line = models.PositiveIntegerField(_("line in source"), null=True, blank=True)
    is_withdrawn = models.BooleanField(_("withdrawn"), default=False)
    due_date = models.DateField(
        _("follow-up due"),
        null=True,
        blank=True,
        help_text=_("Only when it differs from the report's due date."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "paragraph", "item"], name="recommendation_unique_label"
            ),
        ]
        indexes = [models.Index(fields=["report", "position"])]

    def __str__(self) -> str:
        """ "A/80/75 106(c)"; a report without a stated symbol by its short title."""
        return f"{_report_name(self.report, short=True)} {self.label}"


class RecommendationText(models.Model):
    """A recommendation's text in a language other than its report's original.

    The original language's text is Recommendation.text; a language version of the
    report imported under the same symbol adds one row per recommendation it matches
    by label. Follow-ups, themes and history stay on the one Recommendation."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="texts",
        verbose_name=_("recommendation"),
    )
    language = models.CharField(_("language"), max_length=10)
    text = models.TextField(_("text"))
    addressee = models.TextField(_("addressee"), blank=True)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "language"]
        verbose_name = _("recommendation text")
        verbose_name_plural = _("recommendation texts")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "language"], name="recommendation_text_unique_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} ({self.language})"


class RecommendationTheme(models.Model):
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="theme_links",
        verbose_name=_("recommendation"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        related_name="recommendation_links",
        verbose_name=_("theme"),
    )
    source = models.CharField(_("source"), max_length=10, choices=ThemeSource.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recommendation theme")
        verbose_name_plural = _("recommendation themes")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "theme"], name="recommendation_theme_unique"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ThemeSource.values), name="recommendation_theme_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} · {self.theme} ({self.get_source_display()})"


class Liaison(models.Model):
    """A user bound to one member state: their reach through the API."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="liaison",
        verbose_name=_("user"),
    )
    member_state = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        related_name="liaisons",
        verbose_name=_("member state"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()  # rebinding to another member state is on record

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")

    def __str__(self) -> str:
        return f"{self.user} ({self.member_state})"


class FollowUp(models.Model):
    """One member state's follow-up of one recommendation."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("recommendation"),
    )
    member_state = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("member state"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    response = models.CharField(_("response"), max_length=20, choices=Response.choices, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "member_state"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        permissions = [("verify_followup", _("Can verify implemented claims"))]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "member_state"], name="follow_up_unique_state"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="follow_up_status"),
            models.CheckConstraint(
                condition=Q(response__in=[*Response.values, ""]), name="follow_up_response"
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(status=Status.IMPLEMENTED),
                name="follow_up_verified_only_implemented",
            ),
        ]

    def __str__(self) -> str:
        """ "A/80/75 106(c) · Kenya", the member state named in the reader's language."""
        return f"{self.recommendation} · {self.member_state}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Action(models.Model):
    """Something a member state did on a recommendation."""

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="actions", verbose_name=_("follow-up")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    description = models.TextField(_("description"))
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["follow_up", "date", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ActionKind.values), name="action_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.follow_up} {self.date} {self.get_kind_display()}"


class _KeyedFigure(models.Model):
    """A row of maintained figures (services/coverage_figures.py), named by its KEY."""

    KEY: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return " · ".join(str(getattr(self, name)) or "*" for name in self.KEY)


class CoverageFigure(_KeyedFigure):
    """Coverage figures maintained with every write that changes them (see
    services/coverage_figures.py for the design). Keys are plain integers so that 0 can
    mean "every report", "every body", "the total row" and -1 "no theme"; an empty
    member_state means "every member state"."""

    ALL = 0  # report_key, body_key: every report, every body
    TOTAL = 0  # theme_key: the total row
    UNTHEMED = -1  # theme_key: the "No theme" row
    ALL_STATES = ""
    KEY = ("report_key", "body_key", "theme_key", "member_state")

    report_key = models.IntegerField(_("report"))
    body_key = models.IntegerField(_("body"))
    theme_key = models.IntegerField(_("theme"))
    member_state = models.CharField(_("member state"), max_length=3, blank=True)
    recommendations = models.IntegerField(_("recommendations"), default=0)
    covered = models.IntegerField(_("covered"), default=0)
    follow_ups = models.IntegerField(_("follow-ups"), default=0)
    not_started = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    implemented = models.IntegerField(default=0)
    not_implemented = models.IntegerField(default=0)
    not_applicable = models.IntegerField(default=0)
    verified_implemented = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("coverage figure")
        verbose_name_plural = _("coverage figures")
        constraints = [
            models.UniqueConstraint(
                fields=["report_key", "body_key", "theme_key", "member_state"],
                name="coverage_figure_unique_key",
            )
        ]


class CoverageRecommendation(models.Model):
    """Per recommendation (withdrawn or not), what the follow-up writes need to keep the
    figures: how many follow-ups and final follow-ups it has (does a write add its first
    or remove its last?) and the due date and report date it is counted under."""

    recommendation_id = models.IntegerField(primary_key=True)
    follow_ups = models.IntegerField(default=0)
    final_follow_ups = models.IntegerField(default=0)
    due_date = models.DateField(null=True)
    report_date = models.DateField(null=True)
    themes = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("coverage of a recommendation")
        verbose_name_plural = _("coverage of recommendations")

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.follow_ups}"


class CoverageDeadline(_KeyedFigure):
    """Deadline figures maintained with the writes, over every report (see
    services/coverage_figures.py): under (body, theme, due date, report date), how many
    active recommendations and how many of them some member state closed (a final
    status); under (body, member state, due date), how many that state closed. Dates
    are in the key so that "overdue" and "age" can be read for any day; 9999-12-31
    stands for "no date"."""

    NO_DATE = datetime.date(9999, 12, 31)
    KEY = ("body_key", "theme_key", "member_state", "due_date", "report_date")

    body_key = models.IntegerField(_("body"))
    theme_key = models.IntegerField(_("theme"))
    member_state = models.CharField(_("member state"), max_length=3, blank=True)
    due_date = models.DateField(_("due date"))
    report_date = models.DateField(_("report date"))
    recommendations = models.IntegerField(_("recommendations"), default=0)
    closed = models.IntegerField(_("closed"), default=0)

    class Meta:
        verbose_name = _("deadline figure")
        verbose_name_plural = _("deadline figures")
        constraints = [
            # In the order coverage reads them: every state's rows by theme and report
            # date, one state's by due date.
            models.UniqueConstraint(
                fields=["body_key", "member_state", "theme_key", "report_date", "due_date"],
                name="coverage_deadline_unique_key",
            )
        ]
        indexes = [
            # The same, with the counters: the reads need no table lookup.
            models.Index(
                fields=[
                    "body_key",
                    "member_state",
                    "theme_key",
                    "report_date",
                    "due_date",
                    "recommendations",
                    "closed",
                ],
                name="coverage_deadline_read",
            )
        ]


class CoverageAtom(_KeyedFigure):
    """What the small-numbers rule needs, maintained with the writes: the recommendations
    that share one set of themes (an "atom", `themes`: their ids, sorted, comma-separated;
    empty: no theme) under (report or all, body or all), how many there are (member_state
    empty) and how many follow-ups each member state has on them."""

    KEY = ("report_key", "body_key", "themes", "member_state")

    report_key = models.IntegerField(_("report"))
    body_key = models.IntegerField(_("body"))
    themes = models.CharField(_("themes"), max_length=200, blank=True)
    member_state = models.CharField(_("member state"), max_length=3, blank=True)
    count = models.IntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("theme set figure")
        verbose_name_plural = _("theme set figures")
        constraints = [
            models.UniqueConstraint(
                fields=["report_key", "body_key", "themes", "member_state"],
                name="coverage_atom_unique_key",
            )
        ]


class CoverageVersion(models.Model):
    """One row: a random token that every write of the coverage figures sets anew, in
    its transaction and before its first figure (services/coverage_figures.py). A
    committed state of the figures has one token and a token is never used twice (a
    counter would be, after a rollback), so what was read from the figures can be kept
    per token (selectors/coverage.py) and is never stale."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField(_("token"))

    class Meta:
        verbose_name = _("coverage figures version")
        verbose_name_plural = _("coverage figures versions")

    def __str__(self) -> str:
        return f"{self.token:x}"


class ApiToken(models.Model):
    """An API key. Only its SHA-256 is stored; the key itself is shown once, when issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(
        _("prefix"), max_length=12, help_text=_("The first characters of the key.")
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AdminVisit(models.Model):
    """When a member of staff last opened the admin's index: the admin's work queue of
    follow-ups "changed since your last visit" counts from the visit before the current
    session (services/visits.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="admin_visit",
        verbose_name=_("user"),
    )
    last_seen_at = models.DateTimeField(_("last seen at"))

    class Meta:
        verbose_name = _("admin visit")
        verbose_name_plural = _("admin visits")

    def __str__(self) -> str:
        return f"{self.user} ({self.last_seen_at:%Y-%m-%d %H:%M})"


class UserPreference(models.Model):
    """What a user chose about the mail the tracker sends them."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        CHINESE = "zh", _("Chinese")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language of e-mail"), max_length=5, choices=Language.choices, default="en"
    )
    digests = models.BooleanField(
        _("receives digests"),
        default=True,
        help_text=_("Reminders of due and overdue recommendations, or of claims to verify."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self) -> str:
        return str(self.user)


class Email(models.Model):
    """An e-mail the tracker sent, or tried to send: who, when, what."""

    class Kind(models.TextChoices):
        LIAISON_DIGEST = "liaison_digest", _("Digest of due and overdue recommendations")
        STAFF_DIGEST = "staff_digest", _("Digest of claims awaiting verification")

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="emails",
        verbose_name=_("user"),
    )
    to = models.EmailField(_("to"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Reminder(models.Model):
    """One thing a user is reminded of once: a recommendation of their state crossing a
    threshold of its due date, or a claim to verify. Created pending; sent when the
    digest carrying it was accepted by the mail server (services/reminders.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=100)
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recommendation"),
    )
    member_state = models.ForeignKey(
        MemberState,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member state"),
    )
    follow_up = models.ForeignKey(
        FollowUp,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up"),
    )
    threshold = models.SmallIntegerField(
        _("days from the due date"),
        null=True,
        blank=True,
        help_text=_("Negative before the due date, 0 on the day, positive after it."),
    )
    email = models.ForeignKey(
        Email,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("e-mail"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="reminder_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.key}"
