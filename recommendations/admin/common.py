"""What the admin's modules share: the site's titles, CSV responses, read-only inlines,
language names, and saving inline formsets through the services."""

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..tabular import csv_response

admin.site.site_header = _("Recommendation tracker")


admin.site.site_title = _("Recommendation tracker")


admin.site.index_title = _("Secretariat")


def _csv_response(columns, rows, name: str) -> StreamingHttpResponse:
    """An admin action's CSV download: the columns' one declaration (tabular.Column),
    written like every other CSV of the tracker."""
    return csv_response(columns, rows, name)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
