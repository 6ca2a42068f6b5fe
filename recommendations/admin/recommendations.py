"""Recommendations: text, themes, follow-ups by member state."""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    FollowUp,
    Recommendation,
    RecommendationText,
)
from ..selectors import admin_lists
from ..selectors.deadlines import with_due_date
from ..selectors.texts import language_code, text_in
from ..services import deadlines as deadline_services
from ..services import recommendations as recommendation_services
from ..tabular import RECOMMENDATION_COLUMNS
from .common import ReadOnlyInline, _changed, _csv_response, language_name
from .filters import (
    BodyFilter,
    DeadlineFilter,
    FollowUpStatusFilter,
    HasFollowUpFilter,
    ThemeFilter,
    overdue_days,
)
from .follow_ups import FollowUpInline, FollowUpWritesMixin
from .forms import RecommendationForm
from .history import HistoryInWordsAdmin

# Enough for two lines of the list's text column in either language.
SHORT_TEXT_CHARS = 240


class RecommendationTextInline(ReadOnlyInline):
    """The recommendation's text in the languages of the report's other versions."""

    model = RecommendationText
    fields = ["language", "text", "addressee", "heading", "updated_at"]
    readonly_fields = fields
    ordering = ["language"]
    verbose_name_plural = _("texts of the other language versions")


@admin.register(Recommendation)
class RecommendationAdmin(FollowUpWritesMixin, HistoryInWordsAdmin):
    form = RecommendationForm
    list_display = [
        "label",
        "report",
        "short_text",
        "theme_codes",
        "follow_ups_and_claims",
        "follow_up_due",
        "is_withdrawn",
    ]
    list_display_links = ["label", "short_text"]
    list_filter = [
        "report",
        ("bodies", BodyFilter),
        ("themes", ThemeFilter),
        HasFollowUpFilter,
        FollowUpStatusFilter,
        DeadlineFilter,
        "is_withdrawn",
    ]
    search_fields = ["text", "texts__text", "label"]
    ordering = ["report__symbol", "position"]
    list_per_page = 50
    readonly_fields = [
        "report",
        "label",
        "text_in_reader_language",
        "theme_sources",
        "themes_overridden",
        "body_codes",
        "sdg_list",
        "position",
        "source_line",
        "is_withdrawn",
        "created_at",
        "updated_at",
        "due_in_effect",
        "days_overdue",
    ]
    fieldsets = [
        (None, {"fields": ["report", "label", "text", "addressee", "heading"]}),
        (
            _("Themes"),
            {"fields": ["chosen_themes", "theme_sources", "themes_overridden"]},
        ),
        (_("Deadline"), {"fields": ["due_date", "due_in_effect", "days_overdue"]}),
        (
            _("Source"),
            {
                "fields": [
                    "body_codes",
                    "sdg_list",
                    "position",
                    "source_line",
                    "is_withdrawn",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [RecommendationTextInline, FollowUpInline]
    actions = ["mark_verified", "export_csv"]

    def get_queryset(self, request):
        return with_due_date(admin_lists.recommendation_list())

    def get_fieldsets(self, request, obj=None):
        """With the text in the reader's language above the original's when the reader's
        language is not the report's."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or language_code(get_language()) == obj.report.language:
            return fieldsets
        (name, options), *rest = fieldsets
        fields = list(options["fields"])
        fields.insert(fields.index("text"), "text_in_reader_language")
        return [(name, {**options, "fields": fields}), *rest]

    @admin.display(description=_("text in your language"))
    def text_in_reader_language(self, obj):
        reader = language_code(get_language())
        shown = text_in(obj, reader)
        if shown.language == reader:
            return shown.text
        return _("(No %(language)s text: the original, in %(original)s, is below.)") % {
            "language": language_name(reader),
            "original": language_name(shown.language),
        }

    def has_add_permission(self, request):
        return False  # recommendations come from imported reports

    def has_delete_permission(self, request, obj=None):
        return False  # never deleted: a re-import marks them withdrawn

    @admin.display(description=_("text"))
    def short_text(self, obj):
        """The beginning of the text, in the reader's language, else the original's, named;
        the stylesheet shows two lines of it, the title the whole text."""
        reader = language_code(get_language())
        shown = text_in(obj, reader)
        text = Truncator(shown.text).chars(SHORT_TEXT_CHARS)
        if shown.language != reader:
            text = _("[%(language)s] %(text)s") % {
                "language": language_name(shown.language),
                "text": text,
            }
        return format_html(
            '<span class="recommendation-text" title="{}">{}</span>', shown.text, text
        )

    @admin.display(description=_("themes"))
    def theme_codes(self, obj):
        return ", ".join(theme.name for theme in obj.themes.all()) or _("No theme")

    @admin.display(description=_("follow-ups"), ordering="follow_up_count")
    def follow_up_count(self, obj):
        return obj.follow_up_count

    @admin.display(description=_("unverified claims"), ordering="unverified_count")
    def unverified_count(self, obj):
        return obj.unverified_count

    @admin.display(description=_("follow-ups"), ordering="follow_up_count")
    def follow_ups_and_claims(self, obj):
        """The follow-ups, and under them the unverified claims among them (one column:
        the list fits 1366 px)."""
        if not obj.unverified_count:
            return obj.follow_up_count
        claims = ngettext(
            "%(count)d unverified claim", "%(count)d unverified claims", obj.unverified_count
        ) % {"count": obj.unverified_count}
        return format_html('{}<br><span class="claims">{}</span>', obj.follow_up_count, claims)

    @admin.display(description=_("theme sources"))
    def theme_sources(self, obj):
        links = obj.theme_links.select_related("theme")
        shown = "; ".join(f"{link.theme.name} ({link.get_source_display()})" for link in links)
        return shown or _("No theme")

    @admin.display(description=_("follow-up due"), ordering="effective_due_date")
    def follow_up_due(self, obj):
        """Its own due date, else its report's."""
        return obj.effective_due_date

    @admin.display(description=_("due date in effect"))
    def due_in_effect(self, obj):
        if obj.effective_due_date is None:
            return _("None known: no date of its own, and none for its report.")
        whose = _("%(date)s (its own)") if obj.due_date else _("%(date)s (the report's)")
        return whose % {"date": date_format(obj.effective_due_date)}

    @admin.display(description=_("days overdue"))
    def days_overdue(self, obj):
        days = overdue_days(obj.effective_due_date, withdrawn=obj.is_withdrawn)
        return self.get_empty_value_display() if days is None else days

    @admin.display(description=_("SDG targets"))
    def sdg_list(self, obj):
        return ", ".join(obj.sdg_targets) or "-"

    @admin.display(description=_("bodies"))
    def body_codes(self, obj):
        return ", ".join(body.name for body in obj.bodies.all()) or "-"

    def save_model(self, request, obj, form, change):
        recommendation_services.recommendation_update(
            recommendation=obj,
            data=_changed(form, recommendation_services.EDITABLE_FIELDS),
            user=request.user,
            via="admin",
        )
        if "due_date" in form.changed_data:
            deadline_services.recommendation_due_date_set(
                recommendation=obj,
                due_date=form.cleaned_data["due_date"],
                user=request.user,
                via="admin",
            )

    def save_related(self, request, form, formsets, change):
        if "chosen_themes" in form.changed_data:
            recommendation_services.recommendation_set_themes(
                recommendation=form.instance,
                themes=form.cleaned_data["chosen_themes"],
                user=request.user,
                via="admin",
            )
        for formset in formsets:
            if formset.model is FollowUp:
                self.save_follow_up_formset(request, formset, recommendation=form.instance)
            else:  # the texts inline is read-only: nothing to save
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description=_("Mark implemented claims verified"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        self.verify_claims(request, FollowUp.objects.filter(recommendation__in=queryset))

    @admin.action(description=_("Export selected to CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return _csv_response(RECOMMENDATION_COLUMNS, queryset, "recommendations")
