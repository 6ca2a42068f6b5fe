"""Reports: their sessions, recommendations and language versions; the import pages."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from ..models import (
    Recommendation,
    Report,
    ReportSession,
    ReportVersion,
)
from ..selectors import admin_lists
from ..services import deadlines as deadline_services
from . import questionnaires
from .common import ReadOnlyInline
from .imports import ReportImportViews
from .work_queues import ImportedWithinFilter


class ReportSessionInline(ReadOnlyInline):
    model = ReportSession
    fields = ["body", "body_name", "session", "dates", "place", "agenda_item", "agenda_symbol"]
    readonly_fields = fields


class ReportRecommendationInline(ReadOnlyInline):
    model = Recommendation
    fields = ["label", "text", "is_withdrawn"]
    readonly_fields = fields
    show_change_link = True
    ordering = ["position"]


class ReportVersionInline(ReadOnlyInline):
    """The language versions imported: the original (the report's language) and each
    translation imported under the same symbol."""

    model = ReportVersion
    fields = [
        "language",
        "source_file",
        "source_format",
        "title",
        "sha256",
        "parser_version",
        "imported_at",
    ]
    readonly_fields = fields
    ordering = ["language"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "symbol",
        "short_title",
        "author",
        "active_count",
        "withdrawn_count",
        "follow_up_count",
        "due_date",
        "imported_at",
    ]
    search_fields = ["symbol", "title"]
    list_filter = [ImportedWithinFilter]  # the index's "reports imported recently" queue
    fields = [
        "symbol",
        "symbol_from_text",
        "title",
        "author",
        "document_date",
        "language",
        "recommendations_section",
        "source_file",
        "source_format",
        "sha256",
        "imported_at",
        "due_date",
        "due_date_source",
    ]
    # The due date is the one field staff may change (with the change permission).
    readonly_fields = [name for name in fields if name != "due_date"]
    inlines = [ReportSessionInline, ReportVersionInline, ReportRecommendationInline]
    actions = [questionnaires.download_report_questionnaire]
    has_questionnaire_permission = questionnaires.has_questionnaire_permission

    def get_queryset(self, request):
        return admin_lists.report_list()

    def has_add_permission(self, request):
        return False  # reports come in through the "Import reports" page or the commands

    def get_urls(self):
        # Before the default ones: "import/" would otherwise be read as an object id.
        return ReportImportViews(self).urls() + super().get_urls()

    def save_model(self, request, obj, form, change):
        if "due_date" in form.changed_data:  # empty: the sessions' date again
            deadline_services.report_due_date_set(
                report=obj, due_date=form.cleaned_data["due_date"], user=request.user
            )

    @admin.display(description=_("due date from"))
    def due_date_source(self, obj):
        if obj.due_date_set_by_staff:
            return _("Set by staff. Empty the date and save to take it from the sessions again.")
        if obj.due_date is None:
            return _("No session of its bodies is known after the report's own.")
        return _("The next session of a body the report is addressed to.")

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, obj):
        return Truncator(obj.title).chars(60)

    @admin.display(description=_("active recommendations"), ordering="active_count")
    def active_count(self, obj):
        return obj.active_count

    @admin.display(description=_("withdrawn"), ordering="withdrawn_count")
    def withdrawn_count(self, obj):
        return obj.withdrawn_count

    @admin.display(description=_("follow-ups"), ordering="follow_up_count")
    def follow_up_count(self, obj):
        return obj.follow_up_count
