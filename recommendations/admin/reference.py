"""Reference data: themes (names and keywords), governing bodies, member states.

Every change goes through services/reference.py and is on record (History). Staff add and
change themes; bodies and member states are changed by superusers (staff view them). The
sessions of a body are set on its page (services/deadlines.py: each change sets the due
dates of the reports addressed to the body again)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    Body,
    BodySession,
    MemberState,
    Theme,
)
from ..parsing.themes import KEYWORD_LANGUAGES
from ..services import deadlines as deadline_services
from ..services import reference as reference_services
from . import questionnaires
from .common import _changed, _save_formset
from .forms import ThemeForm
from .history import HistoryInWordsAdmin


class ReferenceAdmin(HistoryInWordsAdmin):
    """Writes through the entity's create and update services; the code (the first of
    `fields_saved`) is read-only once created."""

    fields_saved: tuple[str, ...]
    create = None  # service callables, set per entity
    update = None

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append(self.fields_saved[0])  # the API, exports and filters use it
        return readonly

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in self.fields_saved}
        if change:
            self.update(obj, data=data, user=request.user, via="admin")
        else:
            obj.pk = self.create(data=data, user=request.user, via="admin").pk

    def delete_model(self, request, obj):
        reference_services.reference_delete(instance=obj, user=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Theme)
class ThemeAdmin(ReferenceAdmin):
    """Staff with the change permission edit names and keywords and add themes; the
    next import assigns themes with the keywords as saved here."""

    form = ThemeForm
    fields_saved = reference_services.THEME_FIELDS
    create = staticmethod(reference_services.theme_create)
    update = staticmethod(
        lambda theme, **kwargs: reference_services.theme_update(theme=theme, **kwargs)
    )
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


class BodySessionInline(admin.TabularInline):
    """The sessions of a body: the next one after a report's sets the report's due date."""

    model = BodySession
    fields = ["name", "start_date", "end_date"]
    extra = 1
    ordering = ["start_date"]


SESSION_EDITING = ("add_bodysession", "change_bodysession", "delete_bodysession")


@admin.register(Body)
class BodyAdmin(ReferenceAdmin):
    list_display = ["code", "name_zh", "name_en"]
    fields = list(reference_services.BODY_FIELDS)
    fields_saved = reference_services.BODY_FIELDS
    create = staticmethod(reference_services.body_create)
    update = staticmethod(
        lambda body, **kwargs: reference_services.body_update(body=body, **kwargs)
    )
    inlines = [BodySessionInline]

    def has_change_permission(self, request, obj=None):
        # Whoever may edit sessions saves them on the body's page, its names read-only.
        return super().has_change_permission(request, obj) or any(
            request.user.has_perm(f"recommendations.{name}") for name in SESSION_EDITING
        )

    def get_readonly_fields(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return list(self.fields_saved)
        return super().get_readonly_fields(request, obj)

    def save_formset(self, request, form, formset, change):
        user, body = request.user, form.instance
        fields = deadline_services.SESSION_FIELDS
        _save_formset(
            formset,
            create=lambda data: deadline_services.body_session_create(
                data={"body": body, **{name: data[name] for name in fields if name != "body"}},
                user=user,
                via="admin",
            ),
            update=lambda session_form: deadline_services.body_session_update(
                session=session_form.instance,
                data=_changed(session_form, fields),
                user=user,
                via="admin",
            ),
            delete=lambda session: deadline_services.body_session_delete(
                session=session, user=user, via="admin"
            ),
        )


@admin.register(MemberState)
class MemberStateAdmin(ReferenceAdmin):
    list_display = ["iso3", "name_en", "name_zh"]
    fields = list(reference_services.MEMBER_STATE_FIELDS)
    fields_saved = reference_services.MEMBER_STATE_FIELDS
    create = staticmethod(reference_services.member_state_create)
    update = staticmethod(
        lambda state, **kwargs: reference_services.member_state_update(member_state=state, **kwargs)
    )
    search_fields = ["iso3", "name_en", "name_zh"]
    # The questionnaire: download (this action) and upload (its pages, linked from the list).
    actions = [questionnaires.download_questionnaires]
    has_questionnaire_permission = questionnaires.has_questionnaire_permission

    def get_urls(self):
        # Before the default ones, whose "<object_id>/" would take these addresses.
        return questionnaires.QuestionnaireViews(self).urls() + super().get_urls()
