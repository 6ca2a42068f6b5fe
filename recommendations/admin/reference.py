"""Reference data: themes (names and keywords), governing bodies, member states."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    Body,
    MemberState,
    Theme,
)
from ..parsing.themes import KEYWORD_LANGUAGES
from .forms import ThemeForm


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """Staff with the change permission edit names and keywords and add themes; the
    next import assigns themes with the keywords as saved here."""

    form = ThemeForm
    list_display = ["code", "name_zh", "name_en", "position", "keyword_counts"]
    search_fields = ["code", "name_zh", "name_en"]
    fieldsets = [
        (None, {"fields": ["code", "name_zh", "name_en", "position"]}),
        (
            _("Keywords"),
            {
                "fields": ["keywords_zh", "keywords_en"],
                "description": _(
                    "A recommendation that is not under a theme heading takes every theme "
                    "with a keyword in its text (in the language of its report). Keep "
                    "keywords specific: words found in most recommendations, such as "
                    "“Member States” or “UNODC”, say nothing about the theme. Changes apply "
                    "to the reports imported next (a file imported before and not changed "
                    "since is not read again); themes set by staff on a recommendation stay."
                ),
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("code")  # a stable code: the API, exports and filters use it
        return readonly

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        last = Theme.objects.order_by("-position").values_list("position", flat=True).first()
        initial.setdefault("position", (last or 0) + 1)
        return initial

    @admin.display(description=_("keywords"))
    def keyword_counts(self, obj):
        return " · ".join(
            f"{language} {len(obj.keywords_in(language))}" for language in KEYWORD_LANGUAGES
        )

    # Shown when the user may only view the theme (the form fields are then read-only).
    @admin.display(description=_("Chinese keywords"))
    def keywords_zh(self, obj):
        return "; ".join(obj.keywords_in("zh")) or "-"

    @admin.display(description=_("English keywords"))
    def keywords_en(self, obj):
        return "; ".join(obj.keywords_in("en")) or "-"


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]


@admin.register(MemberState)
class MemberStateAdmin(admin.ModelAdmin):
    list_display = ["iso3", "name_en", "name_zh"]
    search_fields = ["iso3", "name_en", "name_zh"]
