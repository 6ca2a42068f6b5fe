"""The secretariat's admin. Thin: reads come from selectors, writes go through services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_import import ReportImportViews
from .choices import Status
from .models import (
    Action,
    ApiToken,
    Body,
    FollowUp,
    Liaison,
    MemberState,
    Recommendation,
    RecommendationText,
    Report,
    ReportSession,
    ReportVersion,
    Theme,
)
from .parsing.themes import KEYWORD_LANGUAGES, clean_keywords, keyword_usable
from .scope import member_state_of, token_scope
from .selectors import admin_lists
from .selectors import exports as export_selectors
from .selectors.texts import language_code, text_in
from .services import follow_ups as follow_up_services
from .services import recommendations as recommendation_services
from .services import tokens as token_services
from .tabular import RECOMMENDATION_COLUMNS, csv_lines

admin.site.site_header = _("Recommendation tracker")
admin.site.site_title = _("Recommendation tracker")
admin.site.index_title = _("Secretariat")


def _csv_response(columns, rows, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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


# The languages UN reports are published in, by the two letters texts are stored under.
LANGUAGE_NAMES = {
    "ar": pgettext_lazy("language of a text", "Arabic"),
    "en": pgettext_lazy("language of a text", "English"),
    "es": pgettext_lazy("language of a text", "Spanish"),
    "fr": pgettext_lazy("language of a text", "French"),
    "ru": pgettext_lazy("language of a text", "Russian"),
    "zh": pgettext_lazy("language of a text", "Chinese"),
}


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))


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


class RecommendationTextInline(ReadOnlyInline):
    """The recommendation's text in the languages of the report's other versions."""

    model = RecommendationText
    fields = ["language", "text", "addressee", "heading", "updated_at"]
    readonly_fields = fields
    ordering = ["language"]
    verbose_name_plural = _("texts of the other language versions")


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


class HasFollowUpFilter(admin.SimpleListFilter):
    title = _("has follow-up")
    parameter_name = "has_follow_up"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return admin_lists.recommendations_with_follow_up(queryset, self.value() == "yes")
        return queryset


class FollowUpStatusFilter(admin.SimpleListFilter):
    title = _("follow-up status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return admin_lists.recommendations_with_follow_up_status(queryset, self.value())
        return queryset


class ThemeFilter(admin.RelatedFieldListFilter):
    """The themes, and "No theme" for recommendations that have none."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = _("No theme")


class RecommendationForm(forms.ModelForm):
    chosen_themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=_("themes"),
        help_text=_("Changing the themes marks them as set by staff: re-imports keep them."),
    )

    class Meta:
        model = Recommendation
        fields = ["text", "addressee", "heading"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["chosen_themes"].initial = list(self.instance.themes.all())
            self.fields["text"].help_text = _(
                "In the report's original language (%(language)s)."
            ) % {"language": language_name(self.instance.report.language)}


class ClosedWhenWithdrawnMixin:
    """The one rule of follow_up_services.is_open, in the admin: the follow-ups and actions
    of a withdrawn recommendation are shown read-only (and may still be deleted)."""

    @staticmethod
    def recommendation_of(obj):
        return obj

    def _open(self, obj) -> bool:
        return obj is None or follow_up_services.is_open(self.recommendation_of(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._open(obj)


class ClosedInlineMixin(ClosedWhenWithdrawnMixin):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._open(obj)


class FollowUpInline(ClosedInlineMixin, admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ["member_state", "status", "response", "verification", "action_summary"]
    readonly_fields = ["verification", "action_summary"]
    autocomplete_fields = ["member_state"]
    show_change_link = True
    verbose_name_plural = _("follow-ups by member state")

    def get_queryset(self, request):
        return admin_lists.follow_up_list().order_by("member_state__name_en")

    @admin.display(description=_("verification"))
    def verification(self, obj):
        return _verification_text(obj)

    @admin.display(description=_("actions"))
    def action_summary(self, obj):
        return obj.action_count if obj.pk else "-"


def _verification_text(follow_up: FollowUp) -> str:
    if follow_up.status != Status.IMPLEMENTED:
        return "-"
    if follow_up.verified_at is None:
        return str(_("unverified claim"))
    when = timezone.localtime(follow_up.verified_at).strftime("%Y-%m-%d %H:%M")
    return str(_("verified by %(user)s, %(when)s") % {"user": follow_up.verified_by, "when": when})


def _changed(form, fields) -> dict:
    """The form's changed values among the fields a service accepts."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}


def _save_formset(formset, *, create, update, delete) -> None:
    """Save an inline formset through service callables, recording what happened the way
    formset.save() would (the admin's change message reads these lists)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.deleted_forms:
        if form.instance.pk:
            delete(form.instance)
            formset.deleted_objects.append(form.instance)
    for form in formset.forms:
        if form in formset.deleted_forms or not form.has_changed():
            continue
        if form.instance.pk is None:
            formset.new_objects.append(create(form.cleaned_data))
        else:
            formset.changed_objects.append((update(form), form.changed_data))


class FollowUpWritesMixin:
    """Inline follow-ups and actions are saved through the services, never directly."""

    def has_verify_permission(self, request):
        return follow_up_services.can_verify(request.user)

    def save_follow_up_formset(self, request, formset, *, recommendation):
        user = request.user
        _save_formset(
            formset,
            create=lambda data: follow_up_services.follow_up_create(
                recommendation=recommendation,
                member_state=data["member_state"],
                status=data["status"],
                response=data.get("response", ""),
                user=user,
                via="admin",
            ),
            update=lambda form: follow_up_services.follow_up_update(
                follow_up=form.instance,
                data=_changed(form, follow_up_services.FOLLOW_UP_FIELDS),
                user=user,
                via="admin",
            ),
            delete=lambda instance: follow_up_services.follow_up_delete(
                follow_up=instance, user=user, via="admin"
            ),
        )

    def save_action_formset(self, request, formset, *, follow_up):
        user = request.user
        fields = follow_up_services.ACTION_FIELDS
        _save_formset(
            formset,
            create=lambda data: follow_up_services.action_create(
                follow_up=follow_up,
                user=user,
                via="admin",
                **{name: data[name] for name in fields},
            ),
            update=lambda form: follow_up_services.action_update(
                action=form.instance, data=_changed(form, fields), user=user, via="admin"
            ),
            delete=lambda instance: follow_up_services.action_delete(
                action=instance, user=user, via="admin"
            ),
        )


@admin.register(Recommendation)
class RecommendationAdmin(FollowUpWritesMixin, SimpleHistoryAdmin):
    form = RecommendationForm
    list_display = [
        "label",
        "report",
        "short_text",
        "theme_codes",
        "follow_up_count",
        "unverified_count",
        "is_withdrawn",
    ]
    list_display_links = ["label", "short_text"]
    list_filter = [
        "report",
        "bodies",
        ("themes", ThemeFilter),
        HasFollowUpFilter,
        FollowUpStatusFilter,
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
    ]
    fieldsets = [
        (None, {"fields": ["report", "label", "text", "addressee", "heading"]}),
        (
            _("Themes"),
            {"fields": ["chosen_themes", "theme_sources", "themes_overridden"]},
        ),
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
        return admin_lists.recommendation_list()

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
        """In the reader's language, else the original's, named."""
        reader = language_code(get_language())
        shown = text_in(obj, reader)
        text = Truncator(shown.text).chars(80)
        if shown.language == reader:
            return text
        return _("[%(language)s] %(text)s") % {
            "language": language_name(shown.language),
            "text": text,
        }

    @admin.display(description=_("themes"))
    def theme_codes(self, obj):
        return ", ".join(theme.code for theme in obj.themes.all()) or _("No theme")

    @admin.display(description=_("follow-ups"), ordering="follow_up_count")
    def follow_up_count(self, obj):
        return obj.follow_up_count

    @admin.display(description=_("unverified claims"), ordering="unverified_count")
    def unverified_count(self, obj):
        return obj.unverified_count

    @admin.display(description=_("theme sources"))
    def theme_sources(self, obj):
        links = obj.theme_links.select_related("theme")
        shown = "; ".join(f"{link.theme.code} ({link.get_source_display()})" for link in links)
        return shown or _("No theme")

    @admin.display(description=_("SDG targets"))
    def sdg_list(self, obj):
        return ", ".join(obj.sdg_targets) or "-"

    @admin.display(description=_("bodies"))
    def body_codes(self, obj):
        return ", ".join(body.code for body in obj.bodies.all())

    def save_model(self, request, obj, form, change):
        recommendation_services.recommendation_update(
            recommendation=obj,
            data=_changed(form, recommendation_services.EDITABLE_FIELDS),
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
        claims = admin_lists.unverified_claims(FollowUp.objects.filter(recommendation__in=queryset))
        count = follow_up_services.follow_ups_verify(
            follow_ups=claims, user=request.user, via="admin"
        )
        self.message_user(
            request, _("%(count)d claims verified.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Export selected to CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return _csv_response(RECOMMENDATION_COLUMNS, queryset, "recommendations")


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("unverified", _("Unverified claims")), ("verified", _("Verified"))]

    def queryset(self, request, queryset):
        if self.value() == "unverified":
            return admin_lists.unverified_claims(queryset)
        if self.value() == "verified":
            return queryset.filter(verified_at__isnull=False)
        return queryset


class ActionInlineForm(forms.ModelForm):
    evidence_url = forms.URLField(
        label=_("evidence link"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Action
        fields = list(follow_up_services.ACTION_FIELDS)

    def clean_date(self):
        date = self.cleaned_data["date"]
        try:
            follow_up_services.check_action_date(date)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return date


class ActionInline(ClosedInlineMixin, admin.TabularInline):
    model = Action
    form = ActionInlineForm
    extra = 1
    fields = list(follow_up_services.ACTION_FIELDS)

    @staticmethod
    def recommendation_of(obj):  # the follow-up the actions belong to
        return obj.recommendation


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["recommendation", "member_state", "status", "response"]

    def clean_recommendation(self):
        recommendation = self.cleaned_data["recommendation"]
        if self.instance.pk is None:
            try:
                follow_up_services.check_recommendation_open(recommendation)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return recommendation


@admin.register(FollowUp)
class FollowUpAdmin(ClosedWhenWithdrawnMixin, FollowUpWritesMixin, SimpleHistoryAdmin):
    form = FollowUpForm

    @staticmethod
    def recommendation_of(obj):
        return obj.recommendation

    list_display = [
        "recommendation",
        "member_state",
        "status",
        "response",
        "verification",
        "action_count",
        "updated_at",
        "updated_by",
    ]
    list_filter = ["status", "response", VerificationFilter, "recommendation__report"]
    search_fields = [
        "recommendation__label",
        "recommendation__text",
        "member_state__name_en",
        "member_state__name_zh",
        "member_state__iso3",
    ]
    autocomplete_fields = ["recommendation", "member_state"]
    readonly_fields = [
        "verification",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    inlines = [ActionInline]
    actions = ["mark_verified", "export_csv"]
    list_per_page = 50
    object_history_template = "admin/recommendations/followup/object_history.html"

    def get_queryset(self, request):
        return admin_lists.follow_up_list()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["recommendation", "member_state"]
        return fields

    @admin.display(description=_("verification"))
    def verification(self, obj):
        return _verification_text(obj)

    @admin.display(description=_("actions"), ordering="action_count")
    def action_count(self, obj):
        return obj.action_count

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = follow_up_services.follow_up_update(
                follow_up=obj,
                data=_changed(form, follow_up_services.FOLLOW_UP_FIELDS),
                user=request.user,
                via="admin",
            )
        else:
            saved = follow_up_services.follow_up_create(
                recommendation=data["recommendation"],
                member_state=data["member_state"],
                status=data["status"],
                response=data.get("response", ""),
                user=request.user,
                via="admin",
            )
        obj.pk = saved.pk
        obj.version = saved.version

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_action_formset(request, formset, follow_up=form.instance)

    def delete_model(self, request, obj):
        follow_up_services.follow_up_delete(follow_up=obj, user=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        for follow_up in queryset:
            follow_up_services.follow_up_delete(follow_up=follow_up, user=request.user, via="admin")

    def history_view(self, request, object_id, extra_context=None):
        actions = (
            Action.history.filter(follow_up_id=object_id)
            .select_related("history_user")
            .order_by("-history_date")
        )
        extra_context = {**(extra_context or {}), "action_history": actions}
        return super().history_view(request, object_id, extra_context=extra_context)

    @admin.action(description=_("Mark implemented claims verified"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        count = follow_up_services.follow_ups_verify(
            follow_ups=admin_lists.unverified_claims(queryset), user=request.user, via="admin"
        )
        self.message_user(
            request, _("%(count)d claims verified.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Export selected to CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        rows = export_selectors.status_rows(follow_ups=queryset)
        return _csv_response(export_selectors.STATUS_COLUMNS, rows, "statuses")


class ActionForm(ActionInlineForm):
    class Meta:
        model = Action
        fields = ["follow_up", *follow_up_services.ACTION_FIELDS]

    def clean_follow_up(self):
        follow_up = self.cleaned_data["follow_up"]
        try:
            follow_up_services.check_follow_up_open(follow_up)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return follow_up


@admin.register(Action)
class ActionAdmin(ClosedWhenWithdrawnMixin, SimpleHistoryAdmin):
    form = ActionForm

    @staticmethod
    def recommendation_of(obj):
        return obj.follow_up.recommendation

    list_display = ["follow_up", "date", "kind", "short_description", "created_by"]
    list_filter = ["kind"]
    list_select_related = [
        "follow_up__recommendation__report",
        "follow_up__member_state",
        "created_by",
    ]
    autocomplete_fields = ["follow_up"]
    search_fields = ["description"]
    readonly_fields = ["version", "created_at", "created_by", "updated_at"]

    @admin.display(description=_("description"))
    def short_description(self, obj):
        return Truncator(obj.description).chars(60)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in follow_up_services.ACTION_FIELDS}
        if change:
            saved = follow_up_services.action_update(
                action=obj,
                data=_changed(form, follow_up_services.ACTION_FIELDS),
                user=request.user,
                via="admin",
            )
        else:
            saved = follow_up_services.action_create(
                follow_up=form.cleaned_data["follow_up"], user=request.user, via="admin", **data
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        follow_up_services.action_delete(action=obj, user=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        for action in queryset:
            follow_up_services.action_delete(action=action, user=request.user, via="admin")


def _keyword_lines(value: str, language: str) -> list[str]:
    """The keywords of a textarea (one per line), each checked; blank lines dropped."""
    keywords = clean_keywords({language: value.splitlines()}).get(language, [])
    bad = [keyword for keyword in keywords if not keyword_usable(keyword)]
    if bad:
        raise ValidationError(
            _("Not usable as a keyword (no letter or digit): %(keywords)s"),
            params={"keywords": ", ".join(bad)},
        )
    return keywords


class ThemeForm(forms.ModelForm):
    """Keywords as one textarea per language, one keyword per line."""

    keywords_zh = forms.CharField(
        label=_("Chinese keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 40}),
        help_text=_(
            "One per line. Found anywhere in the text of a recommendation in Chinese, "
            "spaces ignored."
        ),
    )
    keywords_en = forms.CharField(
        label=_("English keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 40}),
        help_text=_(
            "One per line. Found as whole words in the text of a recommendation in English, "
            "upper or lower case, also in the plural (firearm: firearms) and with a hyphen, "
            "a space or nothing between words (money laundering: money-laundering)."
        ),
    )

    class Meta:
        model = Theme
        fields = ["code", "name_zh", "name_en", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for language in KEYWORD_LANGUAGES:
            self.fields[f"keywords_{language}"].initial = "\n".join(
                self.instance.keywords_in(language)
            )

    def clean_keywords_zh(self):
        return _keyword_lines(self.cleaned_data["keywords_zh"], "zh")

    def clean_keywords_en(self):
        return _keyword_lines(self.cleaned_data["keywords_en"], "en")

    def clean(self):
        data = super().clean()
        # Languages without a textarea here (none yet) keep their keywords.
        keywords = {
            language: words
            for language, words in (self.instance.keywords or {}).items()
            if language not in KEYWORD_LANGUAGES
        }
        for language in KEYWORD_LANGUAGES:
            words = data.get(f"keywords_{language}")
            if words:
                keywords[language] = words
        self.instance.keywords = keywords
        return data


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


class LiaisonForm(forms.ModelForm):
    class Meta:
        model = Liaison
        fields = ["user", "member_state"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        try:
            token_services.liaison_check(user)
        except token_services.LiaisonRefused as refusal:
            raise ValidationError(str(refusal)) from None
        return user


@admin.register(Liaison)
class LiaisonAdmin(SimpleHistoryAdmin):
    """Bindings of users to member states; every change is on record (History)."""

    form = LiaisonForm
    list_display = ["user", "member_state", "created_at"]
    autocomplete_fields = ["user", "member_state"]
    list_select_related = ["user", "member_state"]
    search_fields = ["user__username", "member_state__name_en", "member_state__iso3"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []  # a binding moves, its user does not

    def save_model(self, request, obj, form, change):
        liaison = token_services.liaison_bind(
            user=obj.user, member_state=obj.member_state, by=request.user, via="admin"
        )
        obj.pk = liaison.pk

    def delete_model(self, request, obj):
        token_services.liaison_unbind(liaison=obj, by=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        for liaison in queryset.select_related("user"):
            token_services.liaison_unbind(liaison=liaison, by=request.user, via="admin")


class ApiTokenForm(forms.ModelForm):
    days = forms.IntegerField(
        label=_("valid for (days)"), min_value=1, max_value=3650, initial=365, required=True
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Superusers issue tokens (the key is shown once); staff can see and revoke them."""

    list_display = [
        "prefix",
        "user",
        "scope",
        "name",
        "created_at",
        "expires_at",
        "state",
        "last_used_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user__liaison__member_state", "revoked_by"]
    search_fields = ["user__username", "name", "prefix"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    readonly_fields = [
        "user",
        "scope",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ["user", "name", "days"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the record stays

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.revoked_at:
            return _("revoked")
        if obj.expires_at and obj.expires_at <= timezone.now():
            return _("expired")
        return _("active")

    @admin.display(description=_("scope"))
    def scope(self, obj):
        return token_scope(obj.user)

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = token_services.token_issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        obj.pk = token.pk
        self.message_user(
            request,
            _("New token for %(user)s (shown only this once): %(key)s")
            % {"user": token.user, "key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = sum(token_services.token_revoke(token=t, user=request.user) for t in queryset)
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": count})


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, plus a warning when a liaison holding live tokens gains staff
    power (staff, superuser, permissions): the tokens carry it too."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # groups and permissions
        user = form.instance
        count = token_services.liaison_tokens_with_power(user)
        if not count:
            return
        sentence = ngettext(
            "%(user)s is a liaison of %(iso3)s with %(count)d live API token: as staff, "
            "this token now carries staff permissions.",
            "%(user)s is a liaison of %(iso3)s with %(count)d live API tokens: as staff, "
            "these tokens now carry staff permissions.",
            count,
        ) % {"user": user.get_username(), "iso3": member_state_of(user), "count": count}
        url = reverse("admin:recommendations_apitoken_changelist") + f"?user={user.pk}"
        messages.warning(
            request,
            format_html('{} <a href="{}">{}</a>', sentence, url, _("Revoke them in API tokens.")),
        )
