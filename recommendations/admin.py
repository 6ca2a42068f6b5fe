from django.contrib import admin
from django.db.models import Count, Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Action,
    Body,
    FollowUp,
    Liaison,
    MemberState,
    Recommendation,
    RecommendationTheme,
    Report,
    ReportSession,
    Theme,
)


class ReportSessionInline(admin.TabularInline):
    model = ReportSession
    extra = 0
    fields = ["body", "body_name", "session", "dates", "place", "agenda_item", "agenda_symbol"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ["label", "text", "is_withdrawn"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["symbol", "title", "author", "active_count", "withdrawn_count", "imported_at"]
    search_fields = ["symbol", "title"]
    readonly_fields = [
        "symbol",
        "symbol_from_text",
        "source_file",
        "source_format",
        "sha256",
        "parser_version",
        "recommendations_section",
        "imported_at",
    ]
    inlines = [ReportSessionInline, RecommendationInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active=Count("recommendations", filter=Q(recommendations__is_withdrawn=False)),
                withdrawn=Count("recommendations", filter=Q(recommendations__is_withdrawn=True)),
            )
        )

    @admin.display(description=_("active recommendations"), ordering="active")
    def active_count(self, obj):
        return obj.active

    @admin.display(description=_("withdrawn"), ordering="withdrawn")
    def withdrawn_count(self, obj):
        return obj.withdrawn


class RecommendationThemeInline(admin.TabularInline):
    model = RecommendationTheme
    extra = 0
    autocomplete_fields = ["theme"]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["label", "report", "short_text", "theme_codes", "is_withdrawn"]
    list_display_links = ["label", "short_text"]
    list_filter = ["report", "themes", "bodies", "is_withdrawn"]
    search_fields = ["text", "label", "paragraph"]
    list_select_related = ["report"]
    ordering = ["report__symbol", "position"]
    readonly_fields = [
        "report",
        "paragraph",
        "item",
        "label",
        "position",
        "source_line",
        "sdg_targets",
        "is_withdrawn",
        "created_at",
        "updated_at",
    ]
    fields = [
        "report",
        "label",
        "text",
        "addressee",
        "heading",
        "themes_overridden",
        "bodies",
        "sdg_targets",
        "position",
        "source_line",
        "is_withdrawn",
        "created_at",
        "updated_at",
    ]
    inlines = [RecommendationThemeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("themes")

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return Truncator(obj.text).chars(80)

    @admin.display(description=_("themes"))
    def theme_codes(self, obj):
        return ", ".join(theme.code for theme in obj.themes.all())


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "position"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]


@admin.register(MemberState)
class MemberStateAdmin(admin.ModelAdmin):
    list_display = ["iso3", "name_en", "name_zh"]
    search_fields = ["iso3", "name_en", "name_zh"]


@admin.register(Liaison)
class LiaisonAdmin(admin.ModelAdmin):
    list_display = ["user", "member_state", "created_at"]
    autocomplete_fields = ["member_state"]
    list_select_related = ["user", "member_state"]


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["date", "kind", "description", "evidence_url"]


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["recommendation", "member_state", "status", "response", "updated_at"]
    list_filter = ["status", "response"]
    search_fields = ["recommendation__label", "member_state__name_en", "member_state__iso3"]
    list_select_related = ["recommendation__report", "member_state"]
    autocomplete_fields = ["recommendation", "member_state"]
    readonly_fields = ["version", "verified_at", "verified_by", "created_by", "updated_by"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["follow_up", "date", "kind"]
    list_select_related = ["follow_up__recommendation__report", "follow_up__member_state"]
    autocomplete_fields = ["follow_up"]
    search_fields = ["description"]
