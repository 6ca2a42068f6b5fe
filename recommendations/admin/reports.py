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
    ]
    readonly_fields = fields
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
